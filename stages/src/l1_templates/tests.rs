//! The template split and join: round trips of any bytes, and what the streams hold.

use super::*;
use proptest::prelude::*;

/// `block` split and joined again.
pub(super) fn rejoined(block: &[u8]) -> Vec<u8> {
    join(&split(block), block.len()).unwrap()
}

pub(super) fn round_trip(block: &[u8]) -> Split {
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
    assert_eq!(templates[0].0, "<w> GET /a <n>.<n>.<n>.<n> 200", "clients repeat, forwarded do not");
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
    // The status, 200 on every line, is template text.
    assert_eq!(template, "x \"<w>\" 200 <n>");
    // No column relations, no coded columns, then the size's column: keyed (1), no
    // leading zeros.
    assert_eq!(s.zeros, [0, 0, 1, 0], "the size is keyed");
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
                let f = &l[span.range()];
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
        let templates = [&[if newest { SPLIT_VERSION_5 } else { SPLIT_VERSION_3 }][..], &t].concat();
        let s = Split { templates, ids: i, numbers: n, zeros: vec![255; 8], word_lens: vec![], words: vec![], times: vec![], word_refs: vec![], hex_runs: vec![] };
        let _ = join(&s, len);
        let _ = describe(&s);
    }
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

/// A number or word slot with one value on every line of its template (two lines or
/// more) is written as the template's text: no column, no slot for the decoder to
/// fill. A word that other templates use too stays a slot (stored once, referred to
/// from each), and so does every slot of a template of one line.
#[test]
fn a_slot_of_one_value_is_template_text() {
    let mut block = String::new();
    for i in 0..200 {
        block += &format!("job {} state=ok code=7 host=alpha{}\n", i * 37 % 1000, i % 3);
        block += &format!("sync {} peer=alpha1 v=2\n", i * 11 % 500);
    }
    block += "rare 5 peer=zeta9\n";
    let s = round_trip(block.as_bytes());
    let (_, templates) = describe(&s).unwrap();
    let texts: Vec<&str> = templates.iter().map(|(t, _)| t.as_str()).collect();
    assert!(texts.contains(&"job <n> state=ok code=7 host=<w>"), "{texts:?}");
    // `alpha1` is a value of the first template's host too: a slot here.
    assert!(texts.contains(&"sync <n> peer=<w> v=2"), "{texts:?}");
    assert!(texts.contains(&"<w> <n> peer=<w>"), "one line: its slots kept, {texts:?}");
}

proptest! {
    /// Lines of a few templates whose values come from sets of one to three (so that
    /// some columns hold one value and some words recur across templates): they join
    /// back exactly, whichever slots became template text.
    #[test]
    fn slots_of_few_values_round_trip(
        lines in prop::collection::vec((0usize..3, 0u8..3, 0u8..3, 1u8..4), 0..80),
        newline in any::<bool>(),
    ) {
        let words = ["alpha1", "beta", "007x"];
        let mut block = lines
            .iter()
            .map(|&(template, a, b, spread)| match template {
                0 => format!("job {} state={} code={:03}", a % spread, words[usize::from(b % spread)], a),
                1 => format!("sync peer={} v={}", words[usize::from(a % spread)], b % spread),
                _ => format!("{} {} {}", words[usize::from(b)], a % spread, words[usize::from(a)]),
            })
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes();
        if newline {
            block.push(b'\n');
        }
        prop_assert_eq!(rejoined(&block), block);
    }
}
