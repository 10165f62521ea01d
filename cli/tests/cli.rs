//! The `cobolp` command as a user runs it.

#[path = "../../tests/common.rs"]
mod common;
mod util;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use util::{cobolp, entries, split_frames};

fn temp_dir(name: &str) -> PathBuf {
    util::temp_dir("cli", name)
}

#[test]
fn compress_and_decompress_a_file() {
    let dir = temp_dir("roundtrip");
    let data = common::log_lines(20_000, 1);
    std::fs::write(dir.join("app.log"), &data).unwrap();
    let out = cobolp(&["compress", "-q", "app.log"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(entries(&dir), ["app.log", "app.log.cpz"], "input kept, output named .cpz");
    std::fs::rename(dir.join("app.log"), dir.join("orig.log")).unwrap();
    let out = cobolp(&["decompress", "-q", "app.log.cpz"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(dir.join("app.log")).unwrap(), data);

    let info = cobolp(&["info", "app.log.cpz"], &dir);
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(info.status.success() && text.contains("1 frame (") && text.contains("L6"), "{text}");
    let test = cobolp(&["test", "app.log.cpz"], &dir);
    assert!(test.status.success());
}

#[test]
fn existing_output_is_kept_without_force() {
    let dir = temp_dir("force");
    std::fs::write(dir.join("a.txt"), b"new content\n".repeat(100)).unwrap();
    std::fs::write(dir.join("a.txt.cpz"), b"precious").unwrap();
    let out = cobolp(&["compress", "-q", "a.txt"], &dir);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(std::fs::read(dir.join("a.txt.cpz")).unwrap(), b"precious");
    let out = cobolp(&["compress", "-q", "-f", "a.txt"], &dir);
    assert!(out.status.success());
    assert_ne!(std::fs::read(dir.join("a.txt.cpz")).unwrap(), b"precious");
}

#[test]
fn failed_decompression_leaves_no_output_and_keeps_the_input() {
    let dir = temp_dir("corrupt");
    let data = common::log_lines(30_000, 2);
    let packed = cobol_protocol::compress(&data).unwrap();
    let mut bad = packed.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0x20;
    std::fs::write(dir.join("bad.cpz"), &bad).unwrap();
    let out = cobolp(&["decompress", "-q", "--rm", "bad.cpz"], &dir);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("frame"), "the error names the frame: {err}");
    assert_eq!(entries(&dir), ["bad.cpz"], "no output or temporary file left, input kept");

    let test = cobolp(&["test", "-q", "bad.cpz"], &dir);
    assert_eq!(test.status.code(), Some(1));
    let truncated = &packed[..packed.len() - 10];
    std::fs::write(dir.join("short.cpz"), truncated).unwrap();
    let test = cobolp(&["test", "-q", "short.cpz"], &dir);
    assert_eq!(test.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&test.stderr).contains("truncated"));
}

#[test]
fn pipes_through_stdin_and_stdout() {
    let dir = temp_dir("pipes");
    let data = common::log_lines(5000, 3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cobolp"))
        .args(["compress", "-q", "-T", "2", "--block-size", "64K"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feed = data.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&feed));
    let packed = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(packed.status.success());
    assert!(packed.stdout.len() < data.len() / 3);
    assert_eq!(cobol_protocol::decompress(&packed.stdout).unwrap(), data);
    assert!(entries(&dir).is_empty(), "nothing written to disk");
}

#[test]
fn remove_input_only_when_asked_and_successful() {
    let dir = temp_dir("rm");
    std::fs::write(dir.join("x.log"), common::log_lines(100, 4)).unwrap();
    assert!(cobolp(&["compress", "-q", "--rm", "x.log"], &dir).status.success());
    assert_eq!(entries(&dir), ["x.log.cpz"]);
}

#[test]
fn bad_settings_are_clear_errors() {
    let dir = temp_dir("settings");
    std::fs::write(dir.join("x"), b"x").unwrap();
    for (args, needle) in [
        (&["compress", "--block-size", "1K", "x"][..], "block size"),
        (&["compress", "--mode", "turbo", "x"][..], "unknown mode"),
        (&["decompress", "x"][..], "unknown suffix"),
        (&["compress", "missing-file"][..], "missing-file"),
    ] {
        let out = cobolp(args, &dir);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(entries(&dir), ["x"]);
}

#[test]
fn bridge_splits_logs_and_info_shows_the_templates() {
    let dir = temp_dir("bridge");
    let logs: String = (0..5000)
        .map(|i| format!("2026-11-30 10:{:02}:{:02} INFO job {} done in {} ms\n", i / 60 % 60, i % 60, i, i % 97))
        .collect();
    std::fs::write(dir.join("app.log"), &logs).unwrap();
    assert!(cobolp(&["compress", "-q", "--mode", "bridge", "app.log"], &dir).status.success());
    let out = cobolp(&["info", "--templates", "app.log.cpz"], &dir);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("L1 split: 5000 lines, 1 templates"), "{text}");
    // Each slot with the bytes its column takes: the job numbers one a line (deltas of
    // 1), the durations one or two.
    let template = text.lines().find(|l| l.contains("5000  <%Y-%m-%d %H:%M:%S> INFO job <n ")).expect(&text);
    let sizes: Vec<usize> = template.split("<n ").skip(1).map(|s| s[..s.find('>').unwrap()].parse().unwrap()).collect();
    assert_eq!(sizes.len(), 2, "{template}");
    assert!(sizes[0] >= 5000 && sizes[1] >= 5000, "{template}");
    assert!(template.ends_with(" ms"), "{template}");
    assert!(text.contains("times "), "the bytes of the timestamps stream: {text}");
    assert!(text.contains("streams by L7 method: "), "{text}");
    std::fs::remove_file(dir.join("app.log")).unwrap();
    assert!(cobolp(&["decompress", "-q", "app.log.cpz"], &dir).status.success());
    assert_eq!(std::fs::read_to_string(dir.join("app.log")).unwrap(), logs);
}

#[test]
fn info_counts_the_streams_of_each_l7_method() {
    let dir = temp_dir("l7-methods");
    // Made-up words of lower-case letters, a capital after each full stop, numbers
    // now and then: text L6 finds few matches in, whose bytes depend on the class of
    // the one before (a letter after a letter, a capital after a stop and a space).
    let mut state = 7u32;
    let mut next = move || {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        state >> 16
    };
    let mut text = String::from("A");
    while text.len() < 200_000 {
        match next() % 12 {
            0 => text.push_str(". "),
            1 => text.push_str(&format!("{} ", next() % 1000)),
            _ => {
                if text.ends_with(". ") {
                    text.push((b'A' + (next() % 26) as u8) as char);
                }
                for _ in 0..2 + next() % 6 {
                    text.push(b"etaoinshrdlu"[next() as usize % 12] as char);
                }
                text.push(' ');
            }
        }
    }
    std::fs::write(dir.join("prose.txt"), &text).unwrap();
    assert!(cobolp(&["compress", "-q", "--mode", "legacy", "prose.txt"], &dir).status.success());
    let out = cobolp(&["info", "prose.txt.cpz"], &dir);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let line = said.lines().find(|l| l.starts_with("streams by L7 method: ")).expect(&said);
    assert!(line.contains("huffman by context "), "{line}");
}

/// A log whose lines carry random request ids and UUIDs: `cobolp info` lists the split's
/// `hex-runs` stream, and a log without them does not.
#[test]
fn info_lists_the_packed_hex_runs_where_a_block_has_them() {
    let dir = temp_dir("hex-runs");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut log = String::new();
    for i in 0..3_000 {
        let (a, b) = (next(), next());
        log += &format!(
            "GET /item/{} 200 id={a:016x}{b:016x} trace={:08x}-{:04x}-{:04x}-{:04x}-{:012x}\n",
            i % 97,
            a >> 32,
            a & 0xffff,
            b >> 48,
            b & 0xffff,
            (a ^ b) & 0xffff_ffff_ffff
        );
    }
    std::fs::write(dir.join("ids.log"), &log).unwrap();
    // The same lines with decimal ids: split too, nothing to pack.
    let plain: String =
        (0..3_000u64).map(|i| format!("GET /item/{} 200 id={} trace={}\n", i % 97, next() % 1000, i * 7)).collect();
    std::fs::write(dir.join("plain.log"), plain).unwrap();
    for (name, listed) in [("ids.log", true), ("plain.log", false)] {
        assert!(cobolp(&["compress", "-q", name], &dir).status.success());
        let out = cobolp(&["info", &format!("{name}.cpz")], &dir);
        assert!(out.status.success());
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("L1 split: 3000 lines"), "{name}: {said}");
        assert_eq!(said.contains("hex-runs "), listed, "{name}: {said}");
        let back = cobolp(&["decompress", "-q", "-c", &format!("{name}.cpz")], &dir);
        assert_eq!(back.stdout, std::fs::read(dir.join(name)).unwrap(), "{name}");
    }
}

#[test]
fn records_after_a_header_are_found_and_said() {
    let dir = temp_dir("records-header");
    let records = common::bank_records(6_000);
    let data = [&b"EXPORT 2026-11-30\n"[..], &records].concat();
    std::fs::write(dir.join("h.dat"), &data).unwrap();
    std::fs::write(dir.join("r.dat"), &records).unwrap();
    let out = cobolp(&["compress", "--record-length", "69", "h.dat", "-o", "h.cpz"], &dir);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success() && said.contains("records are read from byte"), "{said}");
    assert!(cobolp(&["decompress", "-q", "h.cpz", "-c"], &dir).stdout == data);
    let out = cobolp(&["compress", "--record-length", "69", "r.dat", "-o", "r.cpz"], &dir);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("read from byte"), "no header, no lead");
    let size = |name: &str| std::fs::metadata(dir.join(name)).unwrap().len();
    assert!(size("h.cpz") * 100 <= size("r.cpz") * 102, "{} with the header, {} without", size("h.cpz"), size("r.cpz"));
}

#[test]
fn records_with_a_copybook_or_a_record_length() {
    let dir = temp_dir("records");
    let copybook = "       01 R.\n          05 R-ID    PIC 9(6).\n          05 R-AMT   PIC S9(7)V99 COMP-3.\n          05 R-NAME  PIC X(10).\n";
    std::fs::write(dir.join("r.cpy"), copybook).unwrap();
    let mut data = Vec::new();
    for i in 0..5_000u32 {
        data.extend_from_slice(format!("{:06}", 100_000 + i).as_bytes());
        // PIC S9(7)V99 COMP-3: nine digits and the sign nibble C in five bytes.
        let digits = format!("{:09}", i * 37 % 100_000);
        let nibbles: Vec<u8> = digits.bytes().map(|d| d - b'0').chain([0xC]).collect();
        data.extend(nibbles.chunks(2).map(|p| p[0] << 4 | p[1]));
        data.extend_from_slice(format!("{:<10}", ["ALPHA", "BETA", "GAMMA"][i as usize % 3]).as_bytes());
    }
    std::fs::write(dir.join("r.dat"), &data).unwrap();
    for args in [
        &["compress", "-q", "--copybook", "r.cpy", "r.dat", "-o", "a.cpz"][..],
        &["compress", "-q", "--copybook", "r.cpy", "--encoding", "ascii", "r.dat", "-o", "b.cpz"][..],
        &["compress", "-q", "--record-length", "21", "r.dat", "-o", "c.cpz"][..],
    ] {
        let out = cobolp(args, &dir);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let name = args[args.len() - 1];
        let back = cobolp(&["decompress", "-q", name, "-c"], &dir);
        assert!(back.status.success() && back.stdout == data, "{args:?}");
        let info = cobolp(&["info", "-s", name], &dir);
        let text = String::from_utf8_lossy(&info.stdout);
        assert!(
            text.contains("L2 structural") && text.contains("record layout") && text.contains("21-byte records"),
            "{text}"
        );
    }
    // How L3 coded each integer column: the ids count up by one, the names are a
    // dictionary's indexes.
    let info = cobolp(&["info", "--templates", "a.cpz"], &dir);
    let text = String::from_utf8_lossy(&info.stdout);
    let columns = text.lines().find(|l| l.contains("L3: ")).expect(&text);
    assert!(columns.contains(": delta of delta") && columns.contains("(index): as is"), "{columns}");
    assert!(columns.contains("L4: "), "{columns}");
    // No layout given: the record length is found in the file.
    let out = cobolp(&["compress", "r.dat", "-o", "d.cpz"], &dir);
    // The names repeat every third record, so a multiple of 21 may be what is found.
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let len: usize = said.split("looks like ").nth(1).and_then(|r| r.split('-').next()?.parse().ok()).unwrap_or(0);
    assert!(len > 0 && len % 21 == 0, "{said}");
    let back = cobolp(&["decompress", "-q", "d.cpz", "-c"], &dir);
    assert!(back.stdout == data);
    let plain = cobolp(&["compress", "--no-record-detection", "r.dat", "-o", "e.cpz"], &dir);
    assert!(!String::from_utf8_lossy(&plain.stderr).contains("records"), "{plain:?}");
    assert!(std::fs::metadata(dir.join("d.cpz")).unwrap().len() < std::fs::metadata(dir.join("e.cpz")).unwrap().len());
    let out = cobolp(&["compress", "-q", "--copybook", "r.cpy", "--record-length", "20", "r.dat", "-c"], &dir);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("21-byte records"));
    // A copybook of another record length: said, and the records still come back.
    std::fs::write(dir.join("wrong.cpy"), "01 W. 05 W-A PIC X(11). 05 W-B PIC 9(5).").unwrap();
    let out = cobolp(&["compress", "--copybook", "wrong.cpy", "r.dat", "-o", "f.cpz"], &dir);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success() && said.contains("describes 16-byte records") && said.contains("looks like"),
        "{said}"
    );
    assert!(cobolp(&["decompress", "-q", "f.cpz", "-c"], &dir).stdout == data);
    let out = cobolp(&["compress", "-q", "--encoding", "utf8", "--record-length", "21", "r.dat", "-c"], &dir);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("unknown encoding"));
}

/// Whole frames lost, swapped or cut off: `decompress` fails naming what is wrong and
/// leaves no output; `--partial` takes a stream cut at a frame boundary, writes every
/// frame it has and exits 3; `test` and `info` say the same.
#[test]
fn lost_swapped_and_missing_frames_are_errors_and_partial_reads_a_cut_stream() {
    let dir = temp_dir("integrity");
    let data = common::log_lines(20_000, 4);
    std::fs::write(dir.join("app.log"), &data).unwrap();
    let out = cobolp(&["compress", "-q", "--block-size", "64K", "app.log"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let packed = std::fs::read(dir.join("app.log.cpz")).unwrap();
    let frames = split_frames(&packed);
    assert!(frames.len() > 4, "{} frames", frames.len());
    let cut = 3;
    let damaged = [
        ("lost", [&frames[..1], &frames[2..]].concat().concat(), "frames missing"),
        ("swapped", [&frames[1..2], &frames[..1], &frames[2..]].concat().concat(), "frames missing"),
        ("repeated", [&frames[..2], &frames[1..]].concat().concat(), "out of order or repeated"),
        ("cut", frames[..cut].concat(), "without its end frame"),
    ];
    for (name, bytes, message) in &damaged {
        std::fs::write(dir.join(format!("{name}.cpz")), bytes).unwrap();
        let out = cobolp(&["decompress", "-q", &format!("{name}.cpz")], &dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(!dir.join(name).exists(), "{name}: no output file");
        assert!(entries(&dir).iter().all(|e| !e.contains(".tmp")), "{name}: no temporary file: {:?}", entries(&dir));
        let test = cobolp(&["test", &format!("{name}.cpz")], &dir);
        assert!(!test.status.success(), "{name}: test fails too");
    }
    let out = cobolp(&["decompress", "--partial", "cut.cpz"], &dir);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read(dir.join("cut")).unwrap();
    assert!(!written.is_empty() && data.starts_with(&written), "every complete frame of the cut stream");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{cut} complete frames ({} bytes)", written.len())), "{stderr}");
    let out = cobolp(&["decompress", "--partial", "-f", "-q", "swapped.cpz"], &dir);
    assert_eq!(out.status.code(), Some(1), "--partial does not take damage inside the stream");
    let info = cobolp(&["info", "-s", "cut.cpz"], &dir);
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("without its end frame"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `-1` … `-9` and `--level N` say the same, the default is 3, and any level
/// decompresses without being named.
#[test]
fn levels_from_the_command_line() {
    let dir = temp_dir("levels");
    let data = common::log_lines(5_000, 9);
    std::fs::write(dir.join("app.log"), &data).unwrap();
    let out = |args: &[&str]| {
        let o = cobolp(args, &dir);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    for n in 1..=9 {
        let short = out(&["compress", &format!("-{n}"), "-c", "app.log"]);
        assert_eq!(short, out(&["compress", "--level", &n.to_string(), "-c", "app.log"]), "level {n}");
        std::fs::write(dir.join("l.cpz"), &short).unwrap();
        assert_eq!(out(&["decompress", "-c", "l.cpz"]), data, "level {n}");
    }
    assert_eq!(out(&["compress", "-c", "app.log"]), out(&["compress", "-3", "-c", "app.log"]));
    let bad = cobolp(&["compress", "--level", "10", "-c", "app.log"], &dir);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("outside 1 to 9"));
    let _ = std::fs::remove_dir_all(&dir);
}
