//! Structured lines through the split: JSON lines, CSV and TSV records and `Key:
//! value` stanzas round-trip exactly, and their keys become template text and their
//! values columns.

use super::tests::{rejoined, round_trip};
use super::*;
use proptest::prelude::*;

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
    // is cut as text, its escaped quotes read as quotes; a value that is the same on
    // every line (the path, `true`, the quoted words) is template text.
    assert_eq!(templates.len(), 1, "{templates:?}");
    assert_eq!(
        templates[0].0,
        r#"{"method":"<w>","path":"/a/b","status":<n>,"ok":true,"msg":"user <n> said \"hi there\"\n"}"#
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
    // The status, 200 on every line, is template text.
    assert_eq!(templates[0].0, r#"{"agent":"<w>","message":"GET /x/<n> 200 \"<w=1>\""}"#);
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
    // The zone and the version, one value on every line, are template text.
    assert_eq!(templates[0].0, r#"<w>,<%d/%b/%Y:%H:%M:%S> +0000,<w> /a/<n> HTTP/1.1,<n>,"<w>""#);
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
