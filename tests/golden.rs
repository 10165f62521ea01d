//! Golden vectors: small inputs and their exact compressed bytes, committed under
//! `tests/golden/`. Decoding them must always give the input back, so later versions
//! keep reading today's files. Encoding the inputs must give the same bytes: an
//! intended change of the encoder re-blesses them with `COBOLP_BLESS=1 cargo test
//! --test golden`, and the diff shows what moved.

mod common;

use std::path::PathBuf;

use cobol_protocol::layers::cobol::RecordLayout;
use cobol_protocol::{compress_with, decompress, CompressionMode, EngineConfig};

/// Each case exercises a different path of the format; names starting with `bridge-`
/// are compressed in Bridge mode (the L1 template split), the others in Legacy mode;
/// `records-` ones with a record layout (L2, then L3 and L4 on its integer columns):
/// bank records with their copybook, and with a copybook of other records, whose
/// blocks start mid-record and take the guessed layout after a lead.
fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let mut zero_pages = b"ELF header".to_vec();
    zero_pages.resize(6000, 0);
    zero_pages.extend_from_slice(b"text section");
    zero_pages.resize(9000, 0xff);
    vec![
        ("empty", Vec::new()),
        ("one-byte", b"x".to_vec()),
        ("stored-noise", common::noise(300, 77)),
        ("abc-repeated", b"ABC".repeat(1000)),
        ("log-lines", common::log_lines(120, 2024)),
        ("rle-zero-pages", zero_pages),
        ("two-frames", common::log_lines(2400, 5)),
        ("bridge-log-lines", common::log_lines(400, 11)),
        ("bridge-syslog", bridge_syslog()),
        ("bridge-relations", bridge_relations()),
        ("bridge-json-docker", bridge_json_docker()),
        ("bridge-csv", bridge_csv()),
        ("bridge-stanzas", bridge_stanzas()),
        ("bridge-coded-columns", bridge_coded_columns()),
        ("bridge-time-relations", bridge_time_relations()),
        ("bridge-hex-runs", bridge_hex_runs()),
        ("records-copybook", common::bank_records(1500)),
        ("records-wrong-copybook", common::bank_records(1500)),
        ("records-planes", records_planes()),
    ]
}

/// Syslog lines with repeated hosts and agents: timestamps, numbers, word references
/// and a number keyed by the word before it (the port follows the agent) all appear
/// in the split.
fn bridge_syslog() -> Vec<u8> {
    let hosts = ["alpha", "beta-2", "gamma"];
    (0..300)
        .flat_map(|i: usize| {
            format!(
                "Dec {:>2} 06:{:02}:{:02} {} sshd[{}]: accepted key for user{} from 10.0.{}.{} \"{} agent\" port {}\n",
                1 + i / 200,
                i / 60 % 60,
                i % 60,
                hosts[i * 7 % 3],
                24_000 + i * 3,
                i % 5,
                i % 4,
                i % 9,
                hosts[i % 2],
                [2222, 40_022][i % 2]
            )
            .into_bytes()
        })
        .collect()
}

/// JSON lines that say things twice (an address, a status, a user), so that the
/// split stores column relations (split version 2).
fn bridge_relations() -> Vec<u8> {
    (0..400)
        .flat_map(|i: usize| {
            let (port, status, user) = (40_000 + i * 7 % 13, [200, 404, 301][i % 3], format!("u{}x", i * 5 % 17));
            format!(
                "{{\"port\":{port},\"status\":{status},\"user\":\"{user}\",\"to\":{port},\"code\":{status},\"who\":\"{user}\",\"n\":{i}}}\n"
            )
            .into_bytes()
        })
        .collect()
}

/// Docker's json-file lines: a log line with its own time, JSON escapes (`\n`, `\"`,
/// `\u00e9`) inside it, and the RFC 3339 nanosecond time (timestamp form 21).
fn bridge_json_docker() -> Vec<u8> {
    (0..300)
        .flat_map(|i: usize| {
            format!(
                "{{\"log\":\"17/06/09 20:{:02}:{:02} INFO task {} on \\\"worker-{}\\\" caf\\u00e9\\n\",\"stream\":\"{}\",\"time\":\"2017-06-09T20:{:02}:{:02}.{:09}Z\"}}\n",
                i / 60 % 60,
                i % 60,
                i * 13 % 1000,
                i % 4,
                ["stdout", "stderr"][i % 5 / 4],
                i / 60 % 60,
                i % 60,
                i * 7_919_111 % 1_000_000_000
            )
            .into_bytes()
        })
        .collect()
}

/// CSV records with a header, RFC 4180 quoting (a separator and doubled quotes
/// inside quotes), request lines and a timestamp: the split's delimited cut.
fn bridge_csv() -> Vec<u8> {
    let mut csv = String::from("client,time,request,status,agent\n");
    for i in 0..300usize {
        csv += &format!(
            "10.1.{}.{},{:02}/Dec/2026:06:{:02}:{:02} +0000,{} /item/{} HTTP/1.1,{},\"Agent/{}, \"\"beta\"\"\"\n",
            i % 3,
            i % 17,
            1 + i / 200,
            i / 60 % 60,
            i % 60,
            ["GET", "POST"][i % 2],
            i * 7 % 23,
            [200, 404, 301][i % 3],
            i % 4
        );
    }
    csv.into_bytes()
}

/// Debian control stanzas: keys, values with and without spaces, continuation lines
/// and blank lines between packages.
fn bridge_stanzas() -> Vec<u8> {
    (0..120)
        .flat_map(|i: usize| {
            format!(
                "Package: pkg-{i}\nStatus: install ok installed\nPriority: {}\nInstalled-Size: {}\nVersion: 1.{}-{}\nDepends: libc6 (>= 2.{}), zlib1g\nDescription: package number {i}\n It does {} things.\n .\n More prose here.\n\n",
                ["optional", "important"][i % 2],
                100 + i * 37 % 900,
                i % 7,
                i % 3,
                30 + i % 5,
                ["many", "few", "some"][i % 3]
            )
            .into_bytes()
        })
        .collect()
}

/// Records of a wide binary number that does not follow from the one before and a
/// short code: as varints each number would take ten bytes, as planes eight, so L4
/// keeps the planes.
const PLANES_COPYBOOK: &str = "       01 R.\n          05 N PIC S9(18) COMP.\n          05 T PIC X(4).\n";

fn records_planes() -> Vec<u8> {
    let mut next = common::xorshift(0x2545_f491_4f6c_dd1d);
    (0..900)
        .flat_map(|i: usize| {
            let n = (next() % 900_000_000_000_000_000) as i64 - 450_000_000_000_000_000;
            let mut record = n.to_be_bytes().to_vec();
            record.extend_from_slice(["ABCD", "EFGH", "IJKL"][i % 3].as_bytes());
            record
        })
        .collect()
}

/// Lines whose status takes one of four values and whose latency one of a band:
/// number columns under L3's codings (a dictionary, a frame of reference) in split
/// version 3.
fn bridge_coded_columns() -> Vec<u8> {
    let mut next = common::xorshift(0x9e37_79b9_7f4a_7c15);
    (0..600u64)
        .flat_map(|i| {
            let status = [200, 304, 404, 500][(next() % 4) as usize];
            format!("req {} status={status} bytes={}\n", 7000 + i, next() % 100_000).into_bytes()
        })
        .collect()
}

/// BGL's lines: one instant as epoch seconds (a zone's hours off), as its date and
/// as a time to the microsecond, so that the split relates the epoch to the time
/// and the date to the time's day (split version 5).
fn bridge_time_relations() -> Vec<u8> {
    use cobol_protocol::layers::l1_templates::timestamps::render;
    // The forms `%E10`, `%Y.%m.%d` and `%Y-%m-%d-%H.%M.%S.%6` (docs/FORMAT.md).
    let stamp = |form: u8, value: i64| {
        let mut text = Vec::new();
        render(form, value, &mut text).unwrap();
        String::from_utf8(text).unwrap()
    };
    let mut next = common::xorshift(0x5eed);
    let mut micros = 1_117_838_570_000_000i64;
    let mut out = String::new();
    for i in 0..500 {
        micros += (next() % 10_800_000_000) as i64;
        let seconds = micros / 1_000_000;
        out += &format!(
            "- {} {} R02-M1-N{} {} RAS KERNEL INFO {} parity errors corrected\n",
            stamp(20, seconds + 7 * 3600),
            stamp(9, seconds - seconds % 86_400),
            i % 4,
            stamp(7, micros),
            next() % 40
        );
    }
    out.into_bytes()
}

/// Access lines that each carry a new random request id of 32 hexadecimal digits and
/// a trace id written as a UUID (every third in capitals): the ids and the UUIDs are
/// packed two digits a byte (split version 6).
fn bridge_hex_runs() -> Vec<u8> {
    let mut next = common::xorshift(0x1d_c0de);
    let paths = ["/", "/health", "/robots.txt", "/api/v1/items"];
    (0..400u64)
        .flat_map(|i| {
            let (high, low) = (next(), next());
            let trace = format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                high >> 32,
                (high >> 16) & 0xffff,
                high & 0xffff,
                low >> 48,
                low & 0xffff_ffff_ffff
            );
            let trace = if i % 3 == 0 { trace.to_uppercase() } else { trace };
            format!(
                "10.0.0.{} GET {} {} {} req={:016x}{:016x} trace={trace}\n",
                i % 7,
                paths[(next() % 4) as usize],
                [200, 404][(next() % 5 / 4) as usize],
                next() % 5000,
                next(),
                next()
            )
            .into_bytes()
        })
        .collect()
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.cpz"))
}

fn config(name: &str) -> EngineConfig {
    let mode = if name.starts_with("bridge-") { CompressionMode::Bridge } else { CompressionMode::Legacy };
    let config = EngineConfig::default().with_block_size(64 << 10).with_threads(1).with_mode(mode);
    let copybook = match name {
        "records-copybook" => common::BANK,
        "records-wrong-copybook" => include_str!("cobol/fields.cpy"),
        "records-planes" => PLANES_COPYBOOK,
        _ => return config,
    };
    config.with_records(RecordLayout::from_copybook(copybook).unwrap(), None)
}

#[test]
fn golden_vectors_decode_to_their_inputs() {
    for (name, input) in cases() {
        let path = golden_path(name);
        if std::env::var_os("COBOLP_BLESS").is_some() {
            std::fs::write(&path, compress_with(&input, &config(name)).unwrap()).unwrap();
        }
        let golden = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(decompress(&golden).unwrap(), input, "{name} decodes to something else");
    }
}

/// Vectors an earlier encoder wrote, kept when the encoder changed: decoders keep
/// reading them. `v1/`: every case in format version 1 (frames without a place in
/// their stream, streams without an end frame), as the encoder wrote them up to
/// 2026-12-04. `before-older-repeats/`: before L6 had codes for the second and third
/// most recent offsets.
#[test]
fn version_1_vectors_still_decode() {
    use cobol_protocol::layers::l8_seal::{next_frame, FrameRef, FORMAT_VERSION_1};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/v1");
    // Cases that came after version 2 have no version 1 file.
    for (name, input) in cases().into_iter().filter(|(name, _)| {
        !matches!(
            *name,
            "bridge-relations"
                | "bridge-json-docker"
                | "bridge-csv"
                | "bridge-stanzas"
                | "bridge-coded-columns"
                | "bridge-time-relations"
                | "bridge-hex-runs"
                | "records-planes"
        )
    }) {
        let path = dir.join(format!("{name}.cpz"));
        let old = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (frame, _) = next_frame(&old).unwrap().unwrap();
        assert!(matches!(frame, FrameRef::Data { header, .. } if header.version == FORMAT_VERSION_1), "{name}");
        assert_eq!(decompress(&old).unwrap(), input, "{name}");
    }
}

/// Decodes the vectors under `tests/golden/<dir>` of the cases `kept` picks, each to
/// its input; how many it checked.
fn old_vectors_decode(dir: &str, kept: impl Fn(&str) -> bool) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(dir);
    let mut checked = 0;
    for (name, input) in cases().into_iter().filter(|(name, _)| kept(name)) {
        let path = dir.join(format!("{name}.cpz"));
        let old = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(decompress(&old).unwrap(), input, "{name}");
        checked += 1;
    }
    checked
}

#[test]
fn vectors_of_earlier_encoders_still_decode() {
    // The Legacy cases: the Bridge ones came after (their split's format is
    // recent and changed with them).
    let legacy = |name: &str| !name.starts_with("bridge-") && !name.starts_with("records-");
    assert_eq!(old_vectors_decode("before-older-repeats", legacy), 7);
}

/// Bridge vectors whose split is version 1 (no column relations), as the encoder
/// wrote them up to 2026-12-05.
#[test]
fn split_version_1_vectors_still_decode() {
    // `bridge-log-lines` is declined by L1 (its blocks are Legacy's): only the syslog
    // case holds a split.
    assert_eq!(old_vectors_decode("split-v1", |name| name == "bridge-syslog"), 1);
}

/// Records vectors whose L2 layout is version 1 or 2 (the layer's own number coding
/// and planes, before L3 and L4), as the encoder wrote them up to 2026-12-05.
#[test]
fn layout_version_2_vectors_still_decode() {
    let records = |name: &str| name.starts_with("records-") && name != "records-planes";
    assert_eq!(old_vectors_decode("layout-v2", records), 2);
}

/// Bridge vectors whose split is version 2 (no number codings but the keyed flag), as
/// the encoder wrote them up to 2026-12-05.
#[test]
fn split_version_2_vectors_still_decode() {
    let bridge = |name: &str| {
        name.starts_with("bridge-")
            && !matches!(name, "bridge-coded-columns" | "bridge-time-relations" | "bridge-hex-runs")
    };
    assert_eq!(old_vectors_decode("split-v2", bridge), 6);
}

/// Bridge vectors whose split is version 3 (templates and new words with lengths, the
/// newline flag a byte), as the encoder wrote them up to 2026-12-06.
#[test]
fn split_version_3_vectors_still_decode() {
    assert_eq!(
        old_vectors_decode("split-v3", |name| name.starts_with("bridge-")
            && !matches!(name, "bridge-time-relations" | "bridge-hex-runs")),
        7
    );
}

/// Bridge vectors whose split is version 4 (no time relations), as the encoder wrote
/// them up to 2026-12-06.
#[test]
fn split_version_4_vectors_still_decode() {
    assert_eq!(
        old_vectors_decode("split-v4", |name| name.starts_with("bridge-")
            && !matches!(name, "bridge-time-relations" | "bridge-hex-runs")),
        7
    );
}

/// The cases whose bytes changed when L7 began to code the code lengths of a table
/// (method 3), as the encoder wrote them up to 2026-12-05: every Huffman table packed,
/// four bits a symbol. (The other cases' vectors did not change.)
#[test]
fn packed_table_vectors_still_decode() {
    let changed = |name: &str| {
        matches!(
            name,
            "bridge-coded-columns"
                | "bridge-log-lines"
                | "bridge-stanzas"
                | "log-lines"
                | "records-copybook"
                | "records-wrong-copybook"
                | "two-frames"
        )
    };
    assert_eq!(old_vectors_decode("packed-tables", changed), 7);
}

/// The cases whose bytes changed when L7 began to code a stream with a code for each
/// class of the byte before a symbol (method 4), as the encoder wrote them up to
/// 2026-12-06: one code a stream.
#[test]
fn single_code_vectors_still_decode() {
    let changed =
        |name: &str| matches!(name, "bridge-log-lines" | "bridge-time-relations" | "log-lines" | "two-frames");
    assert_eq!(old_vectors_decode("single-codes", changed), 4);
}

/// The Legacy cases whose bytes changed when Legacy took its own match search
/// (session 15), as the encoder wrote them up to then.
#[test]
fn vectors_before_legacys_ladder_still_decode() {
    let changed = |name: &str| matches!(name, "log-lines" | "two-frames");
    assert_eq!(old_vectors_decode("before-legacy-ladder", changed), 2);
}

#[test]
fn the_encoder_still_writes_the_golden_bytes() {
    for (name, input) in cases() {
        let golden = std::fs::read(golden_path(name)).unwrap();
        let now = compress_with(&input, &config(name)).unwrap();
        assert!(
            now == golden,
            "{name}: the encoder's output changed ({} bytes, golden {}); if intended, re-bless with COBOLP_BLESS=1",
            now.len(),
            golden.len()
        );
    }
}

#[test]
fn golden_vectors_cover_every_layer_l7_method_and_stored_frames() {
    use cobol_protocol::layers::l8_seal::{next_frame, FrameRef};
    use cobol_protocol::layers::{Block, LayerId};
    let mut layer_bits = 0u8;
    // Each L7 method a stream was coded with.
    let mut entropy_methods = 0u32;
    let mut stored = 0;
    let mut frames = 0;
    for (name, _) in cases() {
        let golden = std::fs::read(golden_path(name)).unwrap();
        let mut pos = 0;
        let mut ended = false;
        while let Some((frame, len)) = next_frame(&golden[pos..]).unwrap() {
            match frame {
                FrameRef::Data { header, payload } => {
                    layer_bits |= header.layers.0;
                    stored += usize::from(header.is_stored());
                    frames += 1;
                    if header.layers.contains(LayerId::Entropy) {
                        let block = Block::read_streams(payload, header.original_len as usize, header.layers).unwrap();
                        for stream in &block.streams {
                            entropy_methods |= 1 << stream.data[0];
                        }
                    }
                }
                FrameRef::End(_) => ended = true,
                FrameRef::Skippable { .. } => {}
            }
            pos += len;
            assert_eq!(ended, pos == golden.len(), "{name}: the end frame comes last, and only there");
        }
        assert!(ended, "{name} has its end frame");
    }
    assert_eq!(layer_bits, 0b1111_1111, "every layer appears");
    assert_eq!(entropy_methods, 0b1_1111, "every L7 method appears");
    assert!(stored >= 2 && frames >= 8, "{stored} stored of {frames} frames");
}
