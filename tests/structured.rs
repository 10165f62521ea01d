//! Structured logs through the whole engine: JSON lines, CSV records and `Key: value`
//! stanzas, generated with every escape, quoting and timestamp form L1 reads
//! specially, round-trip in Bridge and Maximal, at level 1 and 3, in 64 KiB blocks
//! (the longer inputs are cut across blocks, mid-record); and Bridge is well under
//! Legacy on them (the structured cut is what runs, not a fallback).

use cobol_protocol::{compress_with, decompress, CompressionMode, EngineConfig, Level};
use proptest::prelude::*;

/// A string's content: plain words, digits, escapes, non-ASCII, times, a request line.
fn text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        "[a-z]{1,8}",
        "[0-9]{1,6}",
        Just(" ".to_string()),
        Just(r#"\""#.to_string()),
        Just(r"\\".to_string()),
        Just(r"\n".to_string()),
        Just(r"\u00e9".to_string()),
        Just("ü".to_string()),
        Just("2017-06-09T20:10:40.000209333Z".to_string()),
        Just("17/May/2015:10:05:03 +0000".to_string()),
        Just("GET /a/b?c=1 HTTP/1.1".to_string()),
    ];
    prop::collection::vec(part, 0..5).prop_map(|parts| parts.concat())
}

fn json_line() -> impl Strategy<Value = String> {
    let key = prop_oneof![Just("msg"), Just("message"), Just("log"), Just("status"), Just("agent"), Just("t")];
    let value = prop_oneof![
        text().prop_map(|t| format!("\"{t}\"")),
        "-?[0-9]{1,12}(\\.[0-9]{1,3})?".prop_map(|n| n),
        Just("null".to_string()),
        Just("true".to_string()),
        text().prop_map(|t| format!("{{\"inner\":[\"{t}\",1]}}")),
    ];
    prop::collection::vec((key, value, "[ ]{0,1}"), 1..6).prop_map(|members| {
        let members: Vec<String> = members.iter().map(|(k, v, w)| format!("\"{k}\":{w}{v}")).collect();
        format!("{{{}}}", members.join(","))
    })
}

fn csv_line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        "[a-z0-9./-]{0,8}",
        text().prop_map(|t| format!("\"{}\"", t.replace('"', "\"\""))),
        Just("GET /x HTTP/1.1".to_string()),
        Just("a b c".to_string()),
    ];
    prop::collection::vec(value, 4..5).prop_map(|values| values.join(","))
}

fn stanza() -> impl Strategy<Value = String> {
    (text(), text(), "[0-9.]{1,6}").prop_map(|(description, more, version)| {
        format!("Package: p\nVersion: {version}\nDescription: {description}\n {more}\n .\n\n")
    })
}

fn round_trips(data: &[u8]) -> Result<(), TestCaseError> {
    for mode in [CompressionMode::Bridge, CompressionMode::Maximal] {
        for level in [1, 3] {
            let config = EngineConfig::default()
                .with_mode(mode)
                .with_level(Level::new(level).unwrap())
                .with_block_size(64 << 10)
                .with_threads(1);
            let packed = compress_with(data, &config).unwrap();
            prop_assert_eq!(decompress(&packed).unwrap(), data, "{} level {}", mode, level);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn json_lines_round_trip(lines in prop::collection::vec(json_line(), 40..1500)) {
        round_trips((lines.join("\n") + "\n").as_bytes())?;
    }

    #[test]
    fn csv_records_round_trip(lines in prop::collection::vec(csv_line(), 40..2000)) {
        round_trips(lines.join("\r\n").as_bytes())?;
    }

    #[test]
    fn stanzas_round_trip(stanzas in prop::collection::vec(stanza(), 20..900)) {
        round_trips(stanzas.concat().as_bytes())?;
    }
}

/// The structured cuts pay on their own kind of input: Bridge takes L1's split and
/// comes out well under Legacy.
#[test]
fn bridge_splits_structured_logs() {
    let json: String = (0..3000)
        .map(|i| {
            format!(
                "{{\"time\":\"2026-12-05T10:{:02}:{:02}.{:03}Z\",\"level\":\"{}\",\"request\":\"GET /item/{} HTTP/1.1\",\"status\":{},\"msg\":\"user {} took {} ms\"}}\n",
                i / 60 % 60,
                i % 60,
                i * 7 % 1000,
                ["info", "warn"][i % 7 / 6],
                i % 97,
                [200, 404][i % 5 / 4],
                i % 13,
                i * 31 % 500
            )
        })
        .collect();
    let csv: String =
        std::iter::once("client,request,status,agent\n".to_string())
            .chain((0..3000).map(|i| {
                format!("10.0.0.{},GET /item/{} HTTP/1.1,{},Agent {} (x)\n", i % 9, i % 97, 200 + i % 3, i % 4)
            }))
            .collect();
    for data in [json, csv] {
        let size = |mode| compress_with(data.as_bytes(), &EngineConfig::default().with_mode(mode)).unwrap().len();
        let (bridge, legacy) = (size(CompressionMode::Bridge), size(CompressionMode::Legacy));
        assert!(bridge * 3 < legacy * 2, "Bridge {bridge} against Legacy {legacy}");
    }
}
