//! The split's layout and its versions: the flags, templates as text with tagged
//! slots, new words ended by newlines or lengths, damaged headers, and splits of
//! versions 1 to 4 still joining.

use super::tests::round_trip;
use super::*;
use proptest::prelude::*;

#[test]
fn a_dictionary_claiming_huge_counts_is_refused_before_allocating() {
    for version in [SPLIT_VERSION_3, SPLIT_VERSION] {
        let mut templates = vec![version];
        if version == SPLIT_VERSION {
            templates.push(0); // flags
        }
        varint::put(&mut templates, u64::MAX >> 1); // lines
        if version == SPLIT_VERSION_3 {
            templates.push(0); // no newline at the end
        }
        varint::put(&mut templates, u64::MAX >> 2); // templates
        let s = Split { templates, ..Split::default() };
        assert!(matches!(describe(&s), Err(Error::TooLarge { what: "template count", .. })), "version {version}");
        assert!(matches!(join(&s, 100), Err(Error::TooLarge { what: "line count", .. })), "version {version}");
    }
}

#[test]
fn a_split_of_another_version_is_refused_as_such() {
    let block = b"a=1\na=2\n";
    let mut s = split(block);
    assert_eq!(s.templates[0], SPLIT_VERSION_5, "no hex runs");
    s.templates[0] = SPLIT_VERSION + 1;
    let err = join(&s, block.len()).unwrap_err();
    assert!(matches!(err, Error::Unsupported { what: "log template split version", value: 7 }), "{err}");
}

/// `s` (a split as the split writes it, without time relations) laid out as split
/// version `version` (1 to 4) has it: `times` without the (empty) list of time
/// relations; before version 4 also each template as its length and items with
/// lengths, the newline flag a byte of its own, each new word's length in
/// `word_lens`. The other streams are left as they are.
fn laid_out_as(s: &Split, version: u8) -> Split {
    // Before version 5, `times` has no list of time relations.
    assert_eq!(s.times.first(), Some(&0), "a split with time relations has no older layout");
    let times = s.times[1..].to_vec();
    if version == SPLIT_VERSION_4 {
        let templates = [&[version][..], &s.templates[1..]].concat();
        return Split { templates, times, ..s.clone() };
    }
    let dictionary = Dictionary::read(&s.templates, usize::MAX).unwrap();
    let mut templates = vec![version];
    varint::put(&mut templates, dictionary.lines as u64);
    templates.push(u8::from(dictionary.ends_with_newline));
    varint::put(&mut templates, dictionary.len() as u64);
    for (key, items) in dictionary.templates() {
        let mut old = Vec::new();
        for item in items {
            match item {
                Item::Static(range) => {
                    old.push(ITEM_STATIC);
                    varint::put(&mut old, range.len() as u64);
                    old.extend_from_slice(&key[range.clone()]);
                }
                Item::Number => old.push(ITEM_NUMBER),
                Item::Word => old.push(ITEM_WORD),
                Item::Time(form) => old.extend_from_slice(&[ITEM_TIME, *form]),
            }
        }
        varint::put(&mut templates, old.len() as u64);
        templates.extend_from_slice(&old);
    }
    let mut out = Split { templates, times, ..s.clone() };
    if dictionary.words_ended {
        out.words.clear();
        for word in s.words.split_inclusive(|&b| b == b'\n') {
            let word = &word[..word.len() - 1];
            varint::put(&mut out.word_lens, word.len() as u64);
            out.words.extend_from_slice(word);
        }
    }
    out
}

/// A block's new words of one length (random fixed-width ids) keep their lengths in
/// `word_lens`; words of many lengths end with a newline.
#[test]
fn words_end_with_a_newline_unless_their_lengths_are_one() {
    let ids: Vec<u8> = (0..500u64)
        .flat_map(|i| {
            // Sixteen letters from g, not hexadecimal digits, which would be packed.
            let id = format!("{:016x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            format!(
                "req id={} ok\n",
                id.bytes().map(|d| (b'g' + (d as char).to_digit(16).unwrap() as u8) as char).collect::<String>()
            )
            .into_bytes()
        })
        .collect();
    let s = round_trip(&ids);
    assert_eq!(s.templates[..2], [SPLIT_VERSION_5, FLAG_ENDS_WITH_NEWLINE]);
    assert_eq!(s.words.len(), 500 * 16, "the ids' bytes alone");
    assert!(!s.word_lens.is_empty());
    let paths: Vec<u8> =
        (0..500usize).flat_map(|i| format!("GET {}{i} ok", &"abcdefghijklm"[..i % 13 + 1]).into_bytes()).collect();
    let s = round_trip(&paths);
    assert_eq!(s.templates[..2], [SPLIT_VERSION_5, FLAG_WORDS_ENDED], "no newline at the end, words ended");
    assert!(s.word_lens.is_empty());
    assert_eq!(s.words.iter().filter(|&&b| b == b'\n').count(), s.word_refs.iter().filter(|&&r| r == 0).count());
}

/// Ended words: one without its newline, bytes after the last, or lengths beside
/// them are errors, never a misread block; the same words with lengths (the flag
/// clear) join the same.
#[test]
fn ended_words_are_checked_and_lengths_still_join() {
    let block: Vec<u8> = (0..300u64)
        .flat_map(|i| format!("user u{}x{} in\n", i * 7919 % 1000, "y".repeat(i as usize % 5)).into_bytes())
        .collect();
    let s = round_trip(&block);
    assert_eq!(s.templates[1], FLAG_ENDS_WITH_NEWLINE | FLAG_WORDS_ENDED);
    let mut cut = s.clone();
    cut.words.pop();
    assert!(matches!(join(&cut, block.len()), Err(Error::Corrupt { what: "words", .. })), "the last newline gone");
    let mut more = s.clone();
    more.words.extend_from_slice(b"zz");
    assert!(join(&more, block.len()).is_err(), "bytes after the last word");
    let mut lens = s.clone();
    lens.word_lens.push(1);
    assert!(join(&lens, block.len()).is_err(), "lengths beside ended words");
    let mut lengths = laid_out_as(&s, SPLIT_VERSION_3);
    (lengths.templates, lengths.times) = (s.templates.clone(), s.times.clone());
    lengths.templates[1] &= !FLAG_WORDS_ENDED;
    assert_eq!(join(&lengths, block.len()).unwrap(), block);
    let mut flags = s.clone();
    flags.templates[1] |= 4;
    assert!(matches!(join(&flags, block.len()), Err(Error::Corrupt { what: "templates", .. })), "an unknown flag");
}

proptest! {
    /// The eight-bytes-at-a-time search finds the first newline a byte-by-byte one
    /// finds, wherever it lies against the eight-byte steps, among bytes just above
    /// and below it (a borrow between bytes could mark one that is not a newline).
    #[test]
    fn newline_in_finds_the_first_newline(bytes in prop::collection::vec(prop::sample::select(vec![0u8, 9, 10, 11, 0x8a, 0xff, b'a']), 0..40)) {
        prop_assert_eq!(newline_in(&bytes), bytes.iter().position(|&b| b == b'\n'));
    }
}

/// Version 4's templates: text, a `\n` and a tag for each slot, `\n` 0 at the end.
#[test]
fn templates_are_their_text_with_tagged_slots() {
    let s = round_trip(b"a=1 b=x\na=2 b=yy\n");
    let mut expected = vec![SPLIT_VERSION_5, FLAG_ENDS_WITH_NEWLINE | FLAG_WORDS_ENDED, 2, 1];
    expected.extend_from_slice(b"a=\n\x01 b=\n\x02\n\x00");
    assert_eq!(s.templates, expected);
    for (cut, what) in [(1, "the end mark's tag"), (2, "the end mark")] {
        let mut short = s.clone();
        short.templates.truncate(s.templates.len() - cut);
        assert!(join(&short, 17).is_err(), "{what} missing");
    }
    let mut tag = s.clone();
    let at = tag.templates.len() - 1;
    tag.templates[at] = 9;
    assert!(matches!(join(&tag, 17), Err(Error::Corrupt { what: "template", .. })), "an unknown tag");
}

/// Splits of versions 1 to 4 (no relations; no coded columns; lengths before
/// templates and words; no time relations) still join.
#[test]
fn version_1_to_4_splits_still_join() {
    let block = b"a=1 b=x2 c=1\nc=3\na=4 b=y5 c=4\n".repeat(40);
    let s = split(&block);
    let (_, templates) = describe(&s).unwrap();
    assert_eq!(templates.len(), 2);
    assert_eq!(s.zeros[0], 1, "c equals a in the first template: {:?}", s.zeros);
    assert_eq!(join(&laid_out_as(&s, SPLIT_VERSION_4), block.len()).unwrap(), block);
    assert_eq!(join(&laid_out_as(&s, SPLIT_VERSION_3), block.len()).unwrap(), block);
    // The first template without its relation is version 1's split of a block
    // whose c column is stored: rebuild that by hand.
    assert!(
        join(&laid_out_as(&s, SPLIT_VERSION_1), block.len()).is_err(),
        "read as version 1, the relation bytes are misread"
    );
    let v1_block: Vec<u8> = (0..40).flat_map(|i| format!("c={}\n", i * 7919 % 1000 + 1).into_bytes()).collect();
    let s = split(&v1_block);
    assert_eq!(s.zeros, [0, 0, 0], "no relations, no coded columns, one column without leading zeros");
    let mut v1 = laid_out_as(&s, SPLIT_VERSION_1);
    v1.zeros = vec![0];
    assert_eq!(join(&v1, v1_block.len()).unwrap(), v1_block);
    // And of version 2 (relations, no list of coded columns).
    let mut v2 = laid_out_as(&s, SPLIT_VERSION_2);
    v2.zeros = vec![0, 0];
    assert_eq!(join(&v2, v1_block.len()).unwrap(), v1_block);
}

/// Version 6: a block whose new words hold random hexadecimal ids packs them into a
/// ninth stream; its version and that stream go together, both ways.
#[test]
fn hex_runs_make_a_version_6_split_of_nine_streams() {
    let block: Vec<u8> = (0..200u64)
        .flat_map(|i| {
            let id = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93).rotate_left(29);
            format!("GET /item/{i} id={id:016x}{:016x} ok\n", id.rotate_left(17) ^ 0x5555).into_bytes()
        })
        .collect();
    let s = round_trip(&block);
    assert_eq!(s.templates[0], SPLIT_VERSION);
    assert_eq!(s.hex_runs.len(), 1 + 200 * 16, "the marker, then 16 bytes an id");
    let streams = s.clone().into_block_streams();
    assert_eq!(streams.len(), STREAMS);
    assert_eq!(Split::from_block_streams(streams).unwrap(), s);
    assert_eq!(split(b"a=1\na=2\n").into_block_streams().len(), STREAMS - 1, "no hex runs, no ninth stream");
    // A stream of another kind among them, or one too many or too few: an error.
    let mut other = s.clone().into_block_streams();
    other[3].kind = StreamKind::LzLiterals;
    assert!(Split::from_block_streams(other).is_err(), "a literals stream among the split's");
    let mut more = s.clone().into_block_streams();
    more.push(Stream::new(StreamKind::Bytes, vec![1]));
    assert!(Split::from_block_streams(more).is_err(), "ten streams");
    let mut fewer = s.clone().into_block_streams();
    fewer.truncate(STREAMS - 2);
    assert!(Split::from_block_streams(fewer).is_err(), "seven streams");
    let without = Split { hex_runs: Vec::new(), ..s.clone() };
    assert!(join(&without, block.len()).is_err(), "version 6 without its hex runs");
    let mut older = s.clone();
    older.templates[0] = SPLIT_VERSION_5;
    assert!(
        matches!(join(&older, block.len()), Err(Error::Corrupt { what: "template split", .. })),
        "hex runs in a version 5 split"
    );
    let mut cut = s.clone();
    cut.hex_runs.pop();
    assert!(join(&cut, block.len()).is_err(), "a run cut short");
}
