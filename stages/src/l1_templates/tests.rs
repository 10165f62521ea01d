//! The template split and join: round trips of any bytes, and what the streams hold.

use super::*;
use proptest::prelude::*;

/// `block` split and joined again.
fn rejoined(block: &[u8]) -> Vec<u8> {
    join(&split(block), block.len()).unwrap()
}

fn round_trip(block: &[u8]) -> Split {
    let s = split(block);
    assert_eq!(join(&s, block.len()).unwrap(), block);
    s
}

#[test]
fn describe_lists_templates_most_used_first() {
    let s = split(b"a=1\na=2\na=3\n\x01 q\n\x01 q\nrare\n");
    let (lines, templates) = describe(&s).unwrap();
    assert_eq!(lines, 6);
    assert_eq!(templates[0], ("a=<n>".to_string(), 3));
    assert_eq!(templates[1], ("\\x01 q".to_string(), 2));
    assert_eq!(templates[2], ("<w>".to_string(), 1), "a word on one line only is a variable");
}

#[test]
fn templates_are_listed_by_id_with_their_items() {
    let s = split(b"a=1\na=2\nb 12:00:01 x7\n");
    let t = templates(&s).unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0], [TemplateItem::Text(b"a="), TemplateItem::Number]);
    // A line alone in its shapes: each field a word.
    let (w, space) = (TemplateItem::Word, TemplateItem::Text(b" "));
    assert_eq!(t[1], [w, space, w, space, w]);
}

#[test]
fn edges() {
    for block in [&b""[..], b"\n", b"\n\n", b"a", b"a\n", b"a\nb", b"\r\n\r\n", b"x\0y\n\xff\xfe", b"007 0 00"] {
        round_trip(block);
    }
}

#[test]
fn log_lines_share_templates_and_numbers_become_deltas() {
    let block: Vec<u8> = (0..1000)
        .flat_map(|i| {
            format!("2026-11-30 10:{:02}:{:02} worker-{} id={} done\n", i / 60 % 60, i % 60, i % 4, 5000 + i)
                .into_bytes()
        })
        .collect();
    let s = round_trip(&block);
    assert!(s.templates.len() < 100, "one template: {} bytes", s.templates.len());
    assert!(s.numbers.len() < 1000 * 10, "{} bytes of numbers", s.numbers.len());
    assert!(s.words.is_empty());
}

#[test]
fn damaged_streams_are_errors_not_panics() {
    let block = b"a=1 b=x2\nc=3\na=4 b=y5\n".repeat(3);
    let s = split(&block);
    for stream in 0..STREAMS {
        for cut in 0..s.streams()[stream].len() {
            let mut bad = s.clone();
            let target = match stream {
                0 => &mut bad.templates,
                1 => &mut bad.ids,
                2 => &mut bad.numbers,
                3 => &mut bad.zeros,
                4 => &mut bad.word_lens,
                5 => &mut bad.words,
                6 => &mut bad.times,
                _ => &mut bad.word_refs,
            };
            target.truncate(cut);
            assert!(join(&bad, block.len()).is_err(), "stream {stream} cut at {cut}");
        }
    }
    for i in 0..s.templates.len() {
        let mut bad = s.clone();
        bad.templates[i] ^= 0x55;
        if let Ok(out) = join(&bad, block.len()) {
            assert_eq!(out.len(), block.len());
        }
    }
}

#[test]
fn timestamps_become_one_column_in_line_order() {
    // Two templates alternating: per-template columns would see gaps of two
    // seconds, the line-order column sees one.
    let block: Vec<u8> = (0..1000)
        .flat_map(|i| {
            let kind = if i % 2 == 0 { "open" } else { "close" };
            format!("2026-11-30 10:{:02}:{:02},{:03} {kind} file\n", i / 60 % 60, i % 60, i * 7 % 1000).into_bytes()
        })
        .collect();
    let s = round_trip(&block);
    assert!(s.numbers.is_empty(), "{} bytes of numbers", s.numbers.len());
    assert!(s.times.len() < 1000 * 3, "{} bytes of times", s.times.len());
    let (_, templates) = describe(&s).unwrap();
    assert_eq!(templates[0].0, "<%Y-%m-%d %H:%M:%S,%3> open file");
    // A line whose time moves, or lacks one, or holds a second one.
    round_trip(b"Dec 10 06:55:46 a\n[x] Dec 10 06:55:47 b\nno time\nJan  1 00:00:00 Jan  2 00:00:00 c\n");
}

#[test]
fn addresses_that_come_back_are_words_and_others_numbers() {
    assert!(is_address(b"10.0.255.1"));
    for not in [&b"10.0.1"[..], b"10.0.1.2.3", b"1000.1.1.1", b"10..1.1", b"a.b.c.d", b""] {
        assert!(!is_address(not), "{}", String::from_utf8_lossy(not));
    }
    let block: Vec<u8> = (0..2000u32)
        .flat_map(|i| {
            let client = i * 7 % 13;
            let forwarded = i.wrapping_mul(2_654_435_761);
            format!("10.1.0.{client} GET /a {} 200\n", std::net::Ipv4Addr::from(forwarded)).into_bytes()
        })
        .collect();
    let s = round_trip(&block);
    let (_, templates) = describe(&s).unwrap();
    assert_eq!(templates[0].0, "<w> GET /a <n>.<n>.<n>.<n> <n>", "clients repeat, forwarded do not");
}

#[test]
fn nineteen_digit_numbers_are_numbers_and_their_width_comes_back() {
    // HDFS block ids: 19 digits, all the same width, some with a leading zero.
    let block: Vec<u8> = (0..500u64)
        .flat_map(|i| {
            let id = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 9_000_000_000_000_000_000) + 10u64.pow(18) * (i % 2);
            format!("block blk_{id:019} done\n").into_bytes()
        })
        .collect();
    let s = round_trip(&block);
    assert_eq!(describe(&s).unwrap().1[0].0, "block blk_<n> done");
    round_trip(b"x 9999999999999999999\nx 0000000000000000001\nx 1\n");
}

#[test]
fn a_keyed_column_sees_no_value_of_the_column_before_even_when_stamps_wrap() {
    let mut table = KeyedValues { column: u32::MAX - 1, ..KeyedValues::default() };
    for _ in 0..3 {
        table.start_column(4);
        let mut predictor = Predictor::new(&mut table);
        assert_eq!(predictor.predict(2), 0, "no value for word 2 in a new column");
        predictor.update(2, 77);
        assert_eq!(predictor.predict(2), 77);
        assert_eq!(predictor.predict(3), 77, "an unseen word takes the previous value");
    }
    assert_eq!(table.column, 2, "the stamps started again after the last one");
}

#[test]
fn numbers_that_follow_a_word_are_predicted_from_it() {
    // Each path has its own size; paths come in no order.
    let paths = ["\"GET /a.png HTTP/1.1\"", "\"GET /b.css HTTP/1.1\"", "\"GET /c.js HTTP/1.1\""];
    let sizes = [48_213u64, 913, 120_557];
    let block: Vec<u8> = (0..3000usize)
        .flat_map(|i| {
            let p = i * 7 % 11 % 3;
            format!("x {} 200 {}\n", paths[p], sizes[p]).into_bytes()
        })
        .collect();
    let s = round_trip(&block);
    let template = &describe(&s).unwrap().1[0].0;
    assert_eq!(template, "x \"<w>\" <n> <n>");
    // No column relations, no coded columns, then per column: prediction (0 plain, 1
    // keyed), then leading zeros (none).
    assert_eq!(s.zeros, [0, 0, 0, 0, 1, 0], "a constant status stays plain, the size is keyed");
    assert!(s.numbers.len() < 3000 * 2 + 20, "{} bytes of numbers: sizes predicted", s.numbers.len());
    assert_eq!(number_keys(&parse_template(b"\x02\x01\x00\x01 \x01\x02\x01").unwrap()), [Some(0), Some(0), Some(1)]);
    assert_eq!(number_keys(&parse_template(b"\x01\x02").unwrap()), [None]);
}

#[test]
fn a_key_word_that_comes_back_as_new_still_finds_its_value() {
    // 300 paths, each back after the 299 others: out of its slot's list of recent
    // words by then, so its bytes are stored again as a new word each time, while
    // the size keyed by it is the one last seen with the same bytes.
    let paths = RECENT_WORDS + 44;
    let block: Vec<u8> = (0..3000usize)
        .flat_map(|i| {
            let p = i * 7919 % paths;
            format!("x \"GET /p{p}.html HTTP/1.1\" {}\n", (p * 2_654_435_761) % 1_000_000 + 1000).into_bytes()
        })
        .collect();
    let s = round_trip(&block);
    assert_eq!(s.word_refs.iter().filter(|&&r| r == 0).count(), 3000, "every path new to its list");
    assert!(s.numbers.len() < 300 * 4 + 3000 + 20, "{} bytes of numbers: sizes predicted", s.numbers.len());
}

#[test]
fn repeated_words_are_stored_once_and_referred_to() {
    let agents = ["\"Mozilla/5.0 (X11; Linux)\"", "\"curl agent/8.4\"", "\"Googlebot/2.1 (+http://g.co/bot)\""];
    let block: Vec<u8> =
        (0..3000).flat_map(|i| format!("GET /x {} {}\n", agents[i * 7 % 11 % 3], 200 + i % 2).into_bytes()).collect();
    let s = round_trip(&block);
    // Each agent's bytes once, and the newline that ends it.
    let once: usize = agents.iter().map(|a| a.len() - 2 + 1).sum();
    assert_eq!(s.words.len(), once, "each agent's bytes once");
    assert!(s.word_lens.is_empty());
    assert_eq!(s.word_refs.len(), 3000);
    // More distinct values than the list holds: old ones come back as new.
    let block: Vec<u8> =
        (0..3 * RECENT_WORDS).flat_map(|i| format!("user u{}x\n", i % (RECENT_WORDS + 7)).into_bytes()).collect();
    round_trip(&block);
}

proptest! {
    #[test]
    fn timestamped_lines_round_trip(lines in prop::collection::vec(
        "(20[0-9]{2}-[01][0-9]-[0-3][0-9][ T][0-2][0-9]:[0-5][0-9]:[0-6][0-9][,.][0-9]{3}|[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-9]{2}|1[0-9]{9}|[01][0-9]-[0-3][0-9] [0-9:.]{12})( [a-z]{0,5} [0-9]{0,3})?",
        0..40,
    )) {
        let block = lines.join("\n").into_bytes();
        prop_assert_eq!(rejoined(&block), block);
    }

    /// The survey's shape of every field is the field's own: a field with a space is
    /// spaced, the others share a shape number exactly when they share a shape, and
    /// each count is how many fields have that shape (fields repeated from the line
    /// before are not shaped again, and must not come out otherwise).
    #[test]
    fn survey_shapes_are_the_fields_shapes(lines in prop::collection::vec(
        prop::collection::vec(prop::sample::select(vec!["a1", "a2", "b", "7", "x y", "\"q 1\"", "-", "12.5", "a1"]), 0..6),
        0..30,
    )) {
        let block = lines.iter().map(|l| l.join(" ")).collect::<Vec<_>>().join("\n").into_bytes();
        let found = survey(&block);
        let mut by_shape: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut by_id: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
        let mut counts = vec![0u32; found.counts.len()];
        for (line, l) in lines_of(&block).enumerate() {
            for span in &found.fields[found.line_fields[line] as usize..found.line_fields[line + 1] as usize] {
                let f = &l[span.start..span.end];
                if f.contains(&b' ') {
                    prop_assert_eq!(span.shape, SPACED);
                    continue;
                }
                prop_assert_eq!(span.plain, !f.iter().any(u8::is_ascii_digit));
                let hash = shape(f).0;
                prop_assert_eq!(*by_shape.entry(hash).or_insert(span.shape), span.shape);
                prop_assert_eq!(*by_id.entry(span.shape).or_insert(hash), hash);
                counts[span.shape as usize] += 1;
            }
        }
        prop_assert_eq!(counts, found.counts);
    }

    #[test]
    fn a_field_without_digits_has_the_shape_its_tokens_give(field in prop::collection::vec(any::<u8>(), 1..40)) {
        prop_assert_eq!(shape(&field).0, shape_of_tokens(&field));
    }

    #[test]
    fn rank_of_finds_what_position_finds(list in prop::collection::vec(0u32..40, 0..300), id in 0u32..40) {
        prop_assert_eq!(rank_of(&list, id), list.iter().position(|&r| r == id));
    }

    #[test]
    fn lines_are_the_pieces_between_line_ends(block in prop::collection::vec(prop::sample::select(b"ab\n".to_vec()), 0..40)) {
        let expected: Vec<&[u8]> = block.split(|&b| b == b'\n').collect();
        prop_assert_eq!(lines_of(&block).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn any_bytes_round_trip(block in prop::collection::vec(any::<u8>(), 0..2000)) {
        prop_assert_eq!(rejoined(&block), block);
    }

    #[test]
    fn log_like_lines_round_trip(lines in prop::collection::vec("[a-z]{0,6}[ =:.-]?[0-9]{0,20}[ /]?[a-f0-9]{0,8}\r?", 0..60), newline in any::<bool>()) {
        let mut block = lines.join("\n").into_bytes();
        if newline { block.push(b'\n'); }
        prop_assert_eq!(rejoined(&block), block);
    }

    #[test]
    fn garbage_streams_never_panic(
        t in prop::collection::vec(any::<u8>(), 0..40),
        i in prop::collection::vec(any::<u8>(), 0..20),
        n in prop::collection::vec(any::<u8>(), 0..40),
        len in 0usize..200,
        newest in any::<bool>(),
    ) {
        // Past the version byte, or every case would stop there.
        let templates = [&[if newest { SPLIT_VERSION } else { SPLIT_VERSION_3 }][..], &t].concat();
        let s = Split { templates, ids: i, numbers: n, zeros: vec![255; 8], word_lens: vec![], words: vec![], times: vec![], word_refs: vec![] };
        let _ = join(&s, len);
        let _ = describe(&s);
    }
}

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
    assert_eq!(s.templates[0], SPLIT_VERSION);
    s.templates[0] = SPLIT_VERSION + 1;
    let err = join(&s, block.len()).unwrap_err();
    assert!(matches!(err, Error::Unsupported { what: "log template split version", value: 5 }), "{err}");
}

/// A column equal line for line to an earlier one of its template is a relation in
/// `zeros` and nothing else: a port, a status and a user said twice cost their first
/// columns and a few bytes.
#[test]
fn a_column_said_twice_is_stored_once() {
    let line = |i: usize, twice: bool| {
        let (port, status, user) = (40_000 + i * 7 % 13, [200, 404, 301][i % 3], format!("u{}x", i * 5 % 17));
        let again =
            if twice { format!("{port}|{status}|{user}") } else { format!("{}|{}|v{}y", i % 5, i % 4, i * 3 % 11) };
        format!("port={port} status={status} user={user} again={again} n={i}\n")
    };
    let with: Vec<u8> = (0..2000).flat_map(|i| line(i, true).into_bytes()).collect();
    let without: Vec<u8> = (0..2000).flat_map(|i| line(i, false).into_bytes()).collect();
    let (s, plain) = (round_trip(&with), round_trip(&without));
    // `port=<n> status=<n> user=<w> again=<n>|<n>|<w> n=<n>`: three columns copied,
    // as a count, then each as (template gap, 2 x slot + kind, source) by column:
    // word 1 from word 0, number 2 from number 0, number 3 from number 1.
    assert_eq!(s.zeros[..10], [3, 0, 2 + 1, 0, 0, 2 * 2, 0, 0, 2 * 3, 1], "{:?}", &s.zeros[..10]);
    assert_eq!(describe(&s).unwrap().1[0].0, "port=<n> status=<n> user=<w> again=<n=1>|<n=2>|<w=1> n=<n>");
    // Each stored column's bytes: the port's and status's deltas and their `zeros`
    // bytes, the user's references and new words, the line number's deltas.
    let bytes = column_bytes(&s, with.len()).unwrap();
    let ((numbers, words), stored) = (&bytes[0], |v: &[usize]| v.iter().sum::<usize>());
    assert_eq!((numbers.len(), words.len()), (5, 2));
    assert_eq!((numbers[2], numbers[3], words[1]), (0, 0, 0), "copies take nothing");
    assert_eq!(
        stored(numbers) + 10 + 1,
        s.numbers.len() + s.zeros.len(),
        "all but the ten relation bytes and the count of coded columns"
    );
    assert_eq!(stored(words), s.word_refs.len() + s.word_lens.len() + s.words.len());
    let text = &describe_with_bytes(&s, &bytes).unwrap().1[0].0;
    assert_eq!(
        *text,
        format!(
            "port=<n {}, above 40000> status=<n {}, dictionary of 3> user=<w {}> again=<n=1>|<n=2>|<w=1> n=<n {}>",
            numbers[0], numbers[1], words[0], numbers[4]
        )
    );
    assert!(s.numbers.len() < plain.numbers.len(), "{} against {}", s.numbers.len(), plain.numbers.len());
    assert!(s.word_refs.len() < plain.word_refs.len());
}

/// `s` (a split as the split writes it) with its templates and words laid out as
/// split version `version` (1 to 3) has them: each template as its length and items
/// with lengths, the newline flag a byte of its own, each new word's length in
/// `word_lens`. The other streams are left as they are.
fn laid_out_as(s: &Split, version: u8) -> Split {
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
    let mut out = Split { templates, ..s.clone() };
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
        .flat_map(|i| format!("req id={:016x} ok\n", i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).into_bytes())
        .collect();
    let s = round_trip(&ids);
    assert_eq!(s.templates[..2], [SPLIT_VERSION, FLAG_ENDS_WITH_NEWLINE]);
    assert_eq!(s.words.len(), 500 * 16, "the ids' bytes alone");
    assert!(!s.word_lens.is_empty());
    let paths: Vec<u8> =
        (0..500usize).flat_map(|i| format!("GET {}{i} ok", &"abcdefghijklm"[..i % 13 + 1]).into_bytes()).collect();
    let s = round_trip(&paths);
    assert_eq!(s.templates[..2], [SPLIT_VERSION, FLAG_WORDS_ENDED], "no newline at the end, words ended");
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
    lengths.templates = s.templates.clone();
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
    let mut expected = vec![SPLIT_VERSION, FLAG_ENDS_WITH_NEWLINE | FLAG_WORDS_ENDED, 2, 1];
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

/// Splits of versions 1 to 3 (no relations; no coded columns; lengths before
/// templates and words) still join.
#[test]
fn version_1_to_3_splits_still_join() {
    let block = b"a=1 b=x2 c=1\nc=3\na=4 b=y5 c=4\n".repeat(40);
    let s = split(&block);
    let (_, templates) = describe(&s).unwrap();
    assert_eq!(templates.len(), 2);
    assert_eq!(s.zeros[0], 1, "c equals a in the first template: {:?}", s.zeros);
    assert_eq!(join(&laid_out_as(&s, SPLIT_VERSION_3), block.len()).unwrap(), block);
    // The first template without its relation is version 1's split of a block
    // whose c column is stored: rebuild that by hand.
    assert!(
        join(&laid_out_as(&s, SPLIT_VERSION_1), block.len()).is_err(),
        "read as version 1, the relation bytes are misread"
    );
    let v1_block = b"c=3\n".repeat(40);
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

proptest! {
    /// Columns long enough for L3's codings, of values from a few (a dictionary), a
    /// band (a frame of reference) or anywhere up to 20 digits, with leading zeros:
    /// every block joins back, whichever coding each column takes.
    #[test]
    fn columns_under_l3_codings_join_back(
        rows in prop::collection::vec((0usize..4, any::<u64>(), 0u64..1000, any::<bool>()), 16..200),
        few in prop::collection::vec(any::<u64>(), 4),
        base in any::<u64>(),
    ) {
        let block: Vec<u8> = rows
            .iter()
            .flat_map(|&(pick, wide, band, padded)| {
                let banded = base.saturating_add(band);
                let zeros = if padded { "00" } else { "" };
                format!("a={} b={banded} c={zeros}{wide} d={}\n", few[pick], few[pick] % 7).into_bytes()
            })
            .collect();
        prop_assert_eq!(rejoined(&block), block);
    }
}

/// Split version 3: a column of a few values takes L3's dictionary; a counter and
/// numbers that do not follow each other keep their deltas (no coding stores a tenth
/// fewer bits, and deltas of deltas are not taken); each joins back.
#[test]
fn number_columns_take_l3_codings_where_they_store_fewer_bits() {
    let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
    let block: Vec<u8> = (0..2000u64)
        .flat_map(|i| {
            let random = next() % 1_000_000_000;
            let few = [200, 304, 404, 500][(next() % 4) as usize];
            format!("id={} r={random} s={few}\n", 1_000_000 + 3 * i).into_bytes()
        })
        .collect();
    let s = split(&block);
    assert_eq!(join(&s, block.len()).unwrap(), block);
    // After the relation count, the list of coded columns: (template gap, slot,
    // coding and its parameters) each; then each column's padding byte.
    assert_eq!(s.zeros, [0, 1, 0, 2, 5, 4, 0, 0, 0], "slot 2 of template 0, a dictionary of 4");
    let bytes = column_bytes(&s, block.len()).unwrap();
    assert_eq!(bytes[0].0.iter().sum::<usize>() + 2, s.numbers.len() + s.zeros.len(), "all but two counts");
}

/// A JSON string, quotes included, with every kind of escape, non-ASCII text, a key
/// that names a log line, and timestamps inside.
fn json_string() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        "[a-zA-Z0-9 ./:=-]{1,6}",
        Just(r#"\""#.to_string()),
        Just(r"\\".to_string()),
        Just(r"\/".to_string()),
        Just(r"\n".to_string()),
        Just(r"\t".to_string()),
        Just(r"\u00e9".to_string()),
        Just("é".to_string()),
        Just("message".to_string()),
        Just("2017-06-09T20:10:40.000209333Z".to_string()),
        Just("[17/May/2015:10:05:03 +0000]".to_string()),
    ];
    prop::collection::vec(part, 0..6).prop_map(|parts| format!("\"{}\"", parts.concat()))
}

/// Any JSON value, written with white space anywhere it may go.
fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,8})?([eE][+-]?[0-9]{1,3})?",
        json_string(),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        let key = prop_oneof![json_string(), Just("\"msg\"".to_string()), Just("\"log\"".to_string())];
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..5), "[ \t]{0,2}")
                .prop_map(|(items, w)| format!("[{w}{}{w}]", items.join(&format!("{w},{w}")))),
            (prop::collection::vec((key, inner), 0..5), "[ \t]{0,2}").prop_map(|(members, w)| {
                let members: Vec<String> = members.iter().map(|(k, v)| format!("{k}{w}:{w}{v}")).collect();
                format!("{{{w}{}{w}}}", members.join(&format!("{w},{w}")))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn json_lines_round_trip(lines in prop::collection::vec(json_value(), 0..30), newline in any::<bool>()) {
        let mut block = lines.join("\n").into_bytes();
        if newline { block.push(b'\n'); }
        prop_assert_eq!(rejoined(&block), block);
    }

    /// Lines that start as JSON and are not (cut short, bytes of any value after).
    #[test]
    fn lines_that_only_start_as_json_round_trip(
        lines in prop::collection::vec((json_value(), prop::collection::vec(any::<u8>(), 0..30), 0usize..60), 0..20),
    ) {
        let mut block = Vec::new();
        for (value, tail, cut) in lines {
            block.push(b'{');
            block.extend_from_slice(&value.as_bytes()[..cut.min(value.len())]);
            block.extend(tail.into_iter().filter(|&b| b != b'\n'));
            block.push(b'\n');
        }
        prop_assert_eq!(rejoined(&block), block);
    }
}

#[test]
fn json_keys_are_template_text_and_values_columns() {
    let methods = ["GET", "POST", "HEAD"];
    let block: String = (0..300)
        .map(|i| {
            format!(
                "{{\"method\":\"{}\",\"path\":\"/a/b\",\"status\":{},\"ok\":true,\"msg\":\"user {} said \\\"hi there\\\"\\n\"}}\n",
                methods[i % 3],
                200 + i % 5,
                i % 7
            )
        })
        .collect();
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    // Plain values are words (not a template for each method), the log text in `msg`
    // is cut as text, its escaped quotes read as quotes.
    assert_eq!(templates.len(), 1, "{templates:?}");
    assert_eq!(
        templates[0].0,
        r#"{"method":"<w>","path":"<w>","status":<n>,"ok":<w>,"msg":"user <n> said \"<w>\"\n"}"#
    );
}

#[test]
fn a_quoted_value_in_a_json_message_is_a_copy_of_its_field() {
    let block: String = (0..400)
        .map(|i| {
            let agent = format!("Mozilla/5.0 (X11; Linux {})", i * 7 % 9);
            format!("{{\"agent\":\"{agent}\",\"message\":\"GET /x/{i} 200 \\\"{agent}\\\"\"}}\n")
        })
        .collect();
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    assert_eq!(templates.len(), 1, "{templates:?}");
    assert_eq!(templates[0].0, r#"{"agent":"<w>","message":"GET /x/<n> <n> \"<w=1>\""}"#);
}

#[test]
fn a_fraction_that_is_always_zero_is_template_text() {
    let lines = |fraction: &dyn Fn(usize) -> usize| -> String {
        (0..50).map(|i| format!("2026-11-30T10:{:02}:{:02}.{:03}Z GET /a {i}\n", i / 60, i % 60, fraction(i))).collect()
    };
    let s = round_trip(lines(&|_| 0).as_bytes());
    assert!(describe(&s).unwrap().1[0].0.starts_with("<%Y-%m-%dT%H:%M:%S>."), "{:?}", describe(&s));
    let s = round_trip(lines(&|i| usize::from(i == 49) * 5).as_bytes());
    assert!(describe(&s).unwrap().1[0].0.starts_with("<%Y-%m-%dT%H:%M:%S.%3>Z"), "{:?}", describe(&s));
}

proptest! {
    #[test]
    fn times_with_zero_fractions_round_trip(lines in prop::collection::vec(
        "(1969-12-31|2026-11-30)[ T][0-2][0-9]:[0-5][0-9]:[0-5][0-9][.,](000|00[0-2]|000000|000000000)Z? [a-z]{0,3}",
        0..40,
    )) {
        let block = lines.join("\n").into_bytes();
        prop_assert_eq!(rejoined(&block), block);
    }
}

/// A CSV value with random quoting: plain, quoted (separators, doubled quotes and
/// line-free text inside), empty, a request line, a timestamp.
fn csv_value(separator: char) -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9./:-]{0,8}",
        "[a-z ,;|\t0-9]{0,10}".prop_map(|v| format!("\"{}\"", v)),
        "[a-z\"]{0,6}".prop_map(|v| format!("\"{}\"", v.replace('"', "\"\""))),
        Just("GET /a/b?c=1 HTTP/1.1".to_string()),
        Just("17/May/2015:10:05:03 +0000".to_string()),
        Just("\"2026-11-30T10:57:31.000Z\"".to_string()),
        Just(format!("x{separator}y")),
    ]
}

proptest! {
    #[test]
    fn delimited_lines_round_trip(
        separator in prop::sample::select(vec![',', '\t', ';', '|']),
        rows in prop::collection::vec(prop::collection::vec(csv_value(','), 3..6), 0..40),
        newline in any::<bool>(),
    ) {
        let mut block = rows
            .iter()
            .map(|row| row.iter().map(|v| v.replace(',', &separator.to_string())).collect::<Vec<_>>().join(&separator.to_string()))
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes();
        if newline { block.push(b'\n'); }
        prop_assert_eq!(rejoined(&block), block);
    }
}

#[test]
fn csv_values_are_columns() {
    let methods = ["GET", "POST", "HEAD"];
    let mut block = String::from("client,time,request,status,agent\n");
    for i in 0..300 {
        block += &format!(
            "10.0.0.{},17/May/2015:10:{:02}:{:02} +0000,{} /a/{} HTTP/1.1,{},\"Agent {}, \"\"x\"\"\"\n",
            i % 7,
            i / 60,
            i % 60,
            methods[i % 3],
            i % 11,
            200 + i % 3,
            i % 5
        );
    }
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    assert_eq!(templates.len(), 2, "the header and the records: {templates:?}");
    assert_eq!(templates[0].0, r#"<w>,<%d/%b/%Y:%H:%M:%S> +<n>,<w> /a/<n> HTTP/<n>.<n>,<n>,"<w>""#);
}

proptest! {
    /// `Key: value` stanzas with continuation lines, blank lines between them, values
    /// with and without spaces or timestamps, and lines that are neither.
    #[test]
    fn stanzas_round_trip(
        lines in prop::collection::vec(prop_oneof![
            ("[A-Z][a-zA-Z0-9-]{0,12}", "[a-z0-9.:,<>@ -]{0,20}").prop_map(|(k, v)| format!("{k}: {v}")),
            "[a-z0-9 .]{0,30}".prop_map(|v| format!(" {v}")),
            Just(String::new()),
            Just("Date: Mon, 14 Jun 2021 15:16:01 GMT +0000".to_string()),
            Just("Last-Modified: 2026-11-30 10:57:31.000 x".to_string()),
            "[a-z:]{0,10}",
        ], 8..60),
        newline in any::<bool>(),
    ) {
        let mut block = lines.join("\n").into_bytes();
        if newline { block.push(b'\n'); }
        prop_assert_eq!(rejoined(&block), block);
    }
}

#[test]
fn a_csv_column_of_log_text_is_templated_and_one_of_agents_is_words() {
    let mut block = String::from("host,message,agent\n");
    for i in 0..400 {
        let message = ["user {} logged in from host{}", "job {} took {} ms"][i % 2]
            .replacen("{}", &(i * 7 % 101).to_string(), 1)
            .replacen("{}", &(i % 13).to_string(), 1);
        block += &format!("node-{},{message},Agent {} (x)\n", i % 3, i % 4);
    }
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    let texts: Vec<&str> = templates.iter().map(|t| t.0.as_str()).collect();
    assert!(texts.contains(&"node-<n>,user <n> logged in from <w>,<w>"), "{texts:?}");
    assert!(texts.contains(&"node-<n>,job <n> took <n> ms,<w>"), "{texts:?}");
}

#[test]
fn a_json_value_that_is_sometimes_empty_keeps_one_template() {
    let block: String = (0..200)
        .map(|i| format!("{{\"n\":{i},\"referrer\":\"{}\"}}\n", ["", "http://a.example/", "-"][i % 3]))
        .collect();
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    assert_eq!(templates.len(), 1, "{templates:?}");
    assert_eq!(templates[0].0, r#"{"n":<n>,"referrer":"<w>"}"#);
}

#[test]
fn json_booleans_and_nulls_are_columns() {
    let block: String = (0..300)
        .map(|i| {
            let user = if i % 3 == 0 { "null".to_string() } else { format!("\"u{}\"", i % 7) };
            format!("{{\"cached\":{},\"user\":{user},\"n\":{i}}}\n", i % 2 == 0)
        })
        .collect();
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    // `user` is `null` or a string: two shapes of one column, not one template each
    // combination of them and `cached`.
    assert_eq!(templates.len(), 2, "{templates:?}");
    assert!(templates.iter().all(|t| t.0.starts_with(r#"{"cached":<w>,"user":"#)), "{templates:?}");
}

#[test]
fn a_json_key_whose_values_are_new_lines_is_log_text_whatever_its_name() {
    let block: String = (0..300)
        .map(|i| {
            format!(
                "{{\"event\":\"user {} logged in from host {}\",\"agent\":\"Agent {} (x)\"}}\n",
                i * 7 % 101,
                i % 13,
                i % 3
            )
        })
        .collect();
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    // `event` is templated as a message is; `agent`, whose values come back, is a word.
    assert_eq!(templates.len(), 1, "{templates:?}");
    assert_eq!(templates[0].0, r#"{"event":"user <n> logged in from host <n>","agent":"<w>"}"#);
}
