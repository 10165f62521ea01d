//! `cobolp compress --follow`: a growing file, rotation by rename and by truncation,
//! SIGINT and SIGTERM losing nothing, and an output that decodes while it grows.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cobol_protocol::layers::l8_seal::{frame_extent, next_frame, FrameRef};
use cobol_protocol::{EngineConfig, InlineEngine, Unfinished};

const COBOLP: &str = env!("CARGO_BIN_EXE_cobolp");

/// A folder of its own for each test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cobolp-follow-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Numbered log lines `from..to`.
fn lines(from: usize, to: usize) -> Vec<u8> {
    (from..to)
        .flat_map(|i| {
            format!("2026-11-25T12:00:{:02}.{:03}Z INFO [worker-{}] line={i} ok\n", i % 60, i % 1000, i % 4)
                .into_bytes()
        })
        .collect()
}

fn append(path: &Path, data: &[u8]) {
    std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(data).unwrap();
}

/// Starts `cobolp compress --follow INPUT -o OUT ARGS` and waits until OUT exists
/// (from then on its signal handlers are in place).
fn start(input: &Path, out: &Path, args: &[&str]) -> Child {
    start_when(input, out, args, || out.exists())
}

/// Starts the follower and waits until `ready`.
fn start_when(input: &Path, out: &Path, args: &[&str], ready: impl Fn() -> bool) -> Child {
    let mut child = Command::new(COBOLP)
        .args(["compress", "--follow"])
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cobolp runs");
    wait_until("the follower to start", || ready() || child.try_wait().unwrap().is_some());
    child
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(10), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
}

/// Waits (at most 10 s) for the follower to exit after a signal.
fn finish(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the follower did not exit");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().unwrap()
}

fn stop(child: Child) -> Output {
    signal(&child, "INT");
    let output = finish(child);
    assert!(output.status.success(), "exit {:?}: {}", output.status, String::from_utf8_lossy(&output.stderr));
    output
}

/// How many bytes the complete frames at the front of `packed` span.
fn complete_prefix(packed: &[u8]) -> usize {
    let mut pos = 0;
    while let Some(len) = frame_extent(&packed[pos..]).unwrap() {
        if pos + len > packed.len() {
            break;
        }
        pos += len;
    }
    pos
}

/// The data of every complete data frame at the front of `packed`, frame by frame
/// (each decoded alone, through the frame API).
fn complete_frames(packed: &[u8]) -> Vec<Vec<u8>> {
    let engine = InlineEngine::new(&EngineConfig::default()).unwrap();
    let mut frames = Vec::new();
    let mut pos = 0;
    while let Some((frame, len)) = next_frame(&packed[pos..complete_prefix(packed)]).unwrap() {
        if let FrameRef::Data { header, payload } = frame {
            frames.push(engine.decompress_frame(frames.len() as u64, 0, header, payload).expect("a frame decodes"));
        }
        pos += len;
    }
    frames
}

/// The output read as a stream still being written: its complete frames, checked in
/// their order, without its end.
fn decoded(out: &Path) -> Vec<u8> {
    let packed = std::fs::read(out).unwrap_or_default();
    let mut data = Vec::new();
    InlineEngine::new(&EngineConfig::default())
        .unwrap()
        .decompress_stream_with(&packed[..complete_prefix(&packed)], &mut data, Unfinished::Accept)
        .expect("the frames written so far decode in order");
    data
}

/// Once the follow has ended, the output is a complete stream: its end frame included.
fn decoded_complete(out: &Path) -> Vec<u8> {
    cobol_protocol::decompress(&std::fs::read(out).unwrap()).expect("a finished follow wrote a complete stream")
}

#[test]
fn follows_a_file_that_grows_in_several_appends() {
    let dir = TempDir::new("grows");
    let (input, out) = (dir.join("app.log"), dir.join("app.cpz"));
    let mut all = lines(0, 1000);
    std::fs::write(&input, &all).unwrap();
    let child = start(&input, &out, &["--flush-interval", "50ms", "--flush-bytes", "16K"]);
    for k in 1..6 {
        let more = lines(k * 1000, (k + 1) * 1000);
        append(&input, &more);
        all.extend_from_slice(&more);
        std::thread::sleep(Duration::from_millis(30));
    }
    wait_until("every append in the output", || decoded(&out) == all);
    stop(child);
    let frames = complete_frames(&std::fs::read(&out).unwrap());
    assert_eq!(frames.concat(), all);
    assert!(frames.len() > 6, "{} frames", frames.len());
    for (i, f) in frames.iter().enumerate() {
        assert!(f.len() <= 16 << 10, "frame {i} holds {} bytes, over --flush-bytes", f.len());
        assert!(f.ends_with(b"\n"), "frame {i} ends mid-line");
    }
}

#[test]
fn rotation_by_rename_reads_the_old_file_to_its_end() {
    let dir = TempDir::new("rename");
    let (input, out) = (dir.join("app.log"), dir.join("app.cpz"));
    let (one, two, three) = (lines(0, 500), lines(500, 700), lines(700, 1500));
    std::fs::write(&input, &one).unwrap();
    let child = start(&input, &out, &["--flush-interval", "20ms"]);
    wait_until("the first part", || decoded(&out) == one);
    // The writer keeps the old file open across the rename and ends its lines there,
    // then starts a new file under the old name.
    let mut old = std::fs::OpenOptions::new().append(true).open(&input).unwrap();
    std::fs::rename(&input, dir.join("app.log.1")).unwrap();
    std::thread::sleep(Duration::from_millis(60));
    old.write_all(&two).unwrap();
    std::fs::write(&input, &three).unwrap();
    let all = [one, two, three].concat();
    wait_until("the new file", || decoded(&out).len() >= all.len());
    let output = stop(child);
    assert_eq!(decoded(&out), all);
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 rotations"));
}

#[test]
fn rotation_by_truncation_starts_again_from_zero() {
    let dir = TempDir::new("truncate");
    let (input, out) = (dir.join("app.log"), dir.join("app.cpz"));
    let (one, two) = (lines(0, 800), lines(800, 900));
    std::fs::write(&input, &one).unwrap();
    let child = start(&input, &out, &["--flush-interval", "20ms"]);
    wait_until("the first part", || decoded(&out) == one);
    // copytruncate: the file is emptied in place, then written again (shorter).
    std::fs::OpenOptions::new().write(true).open(&input).unwrap().set_len(0).unwrap();
    append(&input, &two);
    let all = [one, two].concat();
    wait_until("the part after the truncation", || decoded(&out).len() >= all.len());
    let output = stop(child);
    assert_eq!(decoded(&out), all);
    assert!(String::from_utf8_lossy(&output.stderr).contains("1 truncations"));
}

#[test]
fn sigint_and_sigterm_lose_nothing() {
    for sig in ["INT", "TERM"] {
        let dir = TempDir::new(&format!("sig{sig}"));
        let (input, out) = (dir.join("app.log"), dir.join("app.cpz"));
        std::fs::write(&input, b"").unwrap();
        // Nothing would be written before the signal: a long interval, a large bound.
        let child = start(&input, &out, &["--flush-interval", "1m", "--flush-bytes", "4M", "-q"]);
        let mut all = Vec::new();
        for k in 0..10 {
            let more = lines(k * 3000, (k + 1) * 3000);
            append(&input, &more);
            all.extend_from_slice(&more);
        }
        // A last line without its end yet: it was written, so it must arrive.
        append(&input, b"a partial last line");
        all.extend_from_slice(b"a partial last line");
        signal(&child, sig);
        let output = finish(child);
        assert!(output.status.success(), "SIG{sig}: exit {:?}", output.status);
        assert_eq!(decoded_complete(&out), all, "SIG{sig}");
        assert!(output.stderr.is_empty(), "-q prints nothing");
    }
}

#[test]
fn the_output_decodes_while_the_follow_runs() {
    let dir = TempDir::new("prefix");
    let (input, out) = (dir.join("app.log"), dir.join("app.cpz"));
    std::fs::write(&input, b"").unwrap();
    let child = start(&input, &out, &["--flush-interval", "100ms"]);
    let mut written = Vec::new();
    let mut seen_before_the_end = 0;
    for k in 0..12 {
        // Lines sometimes end in the next append: frames must still end at line ends.
        let mut more = lines(k * 100, (k + 1) * 100);
        if k % 3 == 0 {
            more.extend_from_slice(b"split across ");
        } else if k % 3 == 1 {
            let mut line = b"two appends\n".to_vec();
            line.extend_from_slice(&more);
            more = line;
        }
        append(&input, &more);
        written.extend_from_slice(&more);
        std::thread::sleep(Duration::from_millis(40));
        let now = decoded(&out);
        assert!(written.starts_with(&now), "the output is not a prefix of the input");
        assert!(now.is_empty() || now.ends_with(b"\n"), "the output ends mid-line");
        seen_before_the_end = now.len();
    }
    assert!(seen_before_the_end > 0, "nothing was flushed while the follow ran");
    // Every whole line arrives within about the interval, without a signal.
    let whole = written.len() - written.iter().rev().position(|&b| b == b'\n').unwrap();
    wait_until("the last whole line", || decoded(&out).len() == whole);
    // The command reads it the same way when asked to, and says the end is missing.
    let partial = Command::new(COBOLP).args(["decompress", "--partial", "-c"]).arg(&out).output().unwrap();
    assert_eq!(partial.status.code(), Some(3), "{}", String::from_utf8_lossy(&partial.stderr));
    assert_eq!(partial.stdout.len(), whole);
    assert!(String::from_utf8_lossy(&partial.stderr).contains("no end frame"));
    let strict = Command::new(COBOLP).args(["decompress", "-c"]).arg(&out).output().unwrap();
    assert!(!strict.status.success(), "a stream without its end is an error without --partial");
    stop(child);
    assert_eq!(decoded_complete(&out), written);
    let done = Command::new(COBOLP).args(["decompress", "--partial", "-c"]).arg(&out).output().unwrap();
    assert!(done.status.success() && done.stdout == written, "a complete stream, --partial or not");
}

#[test]
fn refuses_an_existing_output_and_a_missing_input() {
    let dir = TempDir::new("refuse");
    let (input, out) = (dir.join("app.log"), dir.join("app.cpz"));
    let run = |args: &[&str]| Command::new(COBOLP).args(args).output().unwrap();
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());

    let missing = run(&["compress", "--follow", i, "-o", o]);
    assert!(!missing.status.success());
    let message = String::from_utf8_lossy(&missing.stderr);
    assert!(message.contains("no such file") && message.contains("--retry"), "{message}");
    assert!(!out.exists(), "no output for a failed start");

    std::fs::write(&input, lines(0, 10)).unwrap();
    std::fs::write(&out, b"keep me").unwrap();
    let exists = run(&["compress", "--follow", i, "-o", o]);
    assert!(!exists.status.success());
    assert!(String::from_utf8_lossy(&exists.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");

    let without_follow = run(&["compress", i, "--flush-interval", "1s"]);
    assert!(!without_follow.status.success(), "--flush-interval needs --follow");
    let bad = run(&["compress", "--follow", i, "-o", o, "-f", "--flush-interval", "soon"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a duration"));
}

#[test]
fn retry_waits_for_the_file_and_force_overwrites() {
    let dir = TempDir::new("retry");
    let (input, out) = (dir.join("late.log"), dir.join("late.cpz"));
    std::fs::write(&out, b"old output").unwrap();
    // -f: the old output is emptied once the follower is ready.
    let child = start_when(&input, &out, &["--retry", "-f", "--flush-interval", "20ms"], || {
        std::fs::metadata(&out).is_ok_and(|m| m.len() == 0)
    });
    let data = lines(0, 300);
    std::fs::write(&input, &data).unwrap();
    wait_until("the late file", || decoded(&out) == data);
    let output = stop(child);
    assert!(String::from_utf8_lossy(&output.stderr).contains("waiting for"));
    assert_eq!(decoded(&out), data);
}

#[test]
fn follows_to_stdout() {
    let dir = TempDir::new("stdout");
    let input = dir.join("app.log");
    let data = lines(0, 2000);
    std::fs::write(&input, &data).unwrap();
    let mut child = Command::new(COBOLP)
        .args(["compress", "--follow", "-c", "-q", "--flush-interval", "20ms"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first frame on stdout means the handlers are in place.
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 1 << 16];
        loop {
            match std::io::Read::read(&mut stdout, &mut buf) {
                Ok(0) | Err(_) => return all,
                Ok(n) => {
                    all.extend_from_slice(&buf[..n]);
                    let _ = tx.send(());
                }
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("a first frame on stdout");
    append(&input, b"one more line\n");
    signal(&child, "INT");
    let output = finish(child);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let packed = reader.join().unwrap();
    assert_eq!(cobol_protocol::decompress(&packed).unwrap(), [&data[..], b"one more line\n"].concat());
}
