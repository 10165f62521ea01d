//! Continuous log ingestion with `cobolp compress --follow`, end to end.
//!
//! A writer appends numbered log lines to a temporary file while `cobolp compress
//! --follow` (the real command, run as a child process) compresses it into a stream
//! of frames. Half-way the writer rotates the file by rename, as logrotate does (the
//! old file gets a few last lines after the rename, then a new file appears). Right
//! after the last line the follower is stopped with SIGINT (`kill -INT`), and the
//! output is decoded: every line must be there exactly once, in order.
//!
//! The example runs the `cobolp` binary found next to its own folder
//! (`target/<profile>/cobolp`), or the one named by `$COBOLP`; when there is none it
//! builds it first with `cargo build --bin cobolp` (`cargo run --example` builds only
//! the example).
//!
//! ```sh
//! cargo run --example log_ingestion            # 20,000 lines
//! cargo run --example log_ingestion -- 200000
//! ```

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub type BoxError = Box<dyn Error + Send + Sync>;

/// What one ingestion did.
#[derive(Debug)]
pub struct Ingestion {
    pub lines: usize,
    pub bytes: u64,
    pub compressed: u64,
    pub frames: usize,
    /// Whether the follower exited with status 0 after SIGINT.
    pub clean_exit: bool,
    /// What the follower printed on stderr.
    pub follower_said: String,
    pub wall: Duration,
}

/// One log line, numbered `seq`.
fn line(seq: usize) -> String {
    let micros = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
    let level = ["INFO", "INFO", "INFO", "WARN", "DEBUG"][seq % 5];
    format!(
        "{}.{:06} {level} [worker-{}] seq={seq} request handled path=/api/v1/orders/{} status={} took_ms={}\n",
        micros / 1_000_000,
        micros % 1_000_000,
        seq % 8,
        (seq * 7919) % 100_000,
        [200, 200, 201, 404, 500][seq % 5],
        (seq * 31) % 997
    )
}

fn append(file: &mut std::fs::File, from: usize, to: usize, written: &mut u64) -> std::io::Result<()> {
    let text: String = (from..to).map(line).collect();
    file.write_all(text.as_bytes())?;
    *written += text.len() as u64;
    Ok(())
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) -> Result<(), BoxError> {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > timeout {
            return Err(format!("timed out waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

/// Waits for `child` to exit, killing it after `timeout`.
fn wait_exit(child: &mut Child, timeout: Duration) -> Result<std::process::ExitStatus, BoxError> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the follower did not exit after SIGINT".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Writes `lines` lines into `dir/app.log` (rotated once, by rename, half-way) while
/// `cobolp` follows it into `dir/app.log.cpz`; stops it with SIGINT and checks that the
/// output holds every line exactly once, in order.
pub fn run(cobolp: &Path, dir: &Path, lines: usize) -> Result<Ingestion, BoxError> {
    let start = Instant::now();
    std::fs::create_dir_all(dir)?;
    let log = dir.join("app.log");
    let out = dir.join("app.log.cpz");
    for stale in [&log, &out, &dir.join("app.log.1")] {
        let _ = std::fs::remove_file(stale);
    }
    let mut file = std::fs::File::create(&log)?;
    let mut child = Command::new(cobolp)
        .args(["compress", "--follow", "--flush-interval", "100ms", "--flush-bytes", "256K"])
        .arg(&log)
        .arg("-o")
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", cobolp.display()))?;
    // The follower catches signals before it creates its output.
    if let Err(e) = wait_for("the follower's output", Duration::from_secs(10), || out.exists()) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }

    let batches = 40;
    let per_batch = lines.div_ceil(batches);
    let mut written = 0u64;
    let mut seq = 0;
    for batch in 0..batches {
        let end = (seq + per_batch).min(lines);
        if batch == batches / 2 {
            // Rotation by rename: the writer still holds the old file and finishes a
            // few lines there, then opens a new file under the old name.
            std::fs::rename(&log, dir.join("app.log.1"))?;
            let mid = (seq + end) / 2;
            append(&mut file, seq, mid, &mut written)?;
            file = std::fs::File::create(&log)?;
            append(&mut file, mid, end, &mut written)?;
        } else {
            append(&mut file, seq, end, &mut written)?;
        }
        seq = end;
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(file);

    // Stop right after the last line: what is in the file now must still arrive.
    let status = Command::new("kill").arg("-INT").arg(child.id().to_string()).status()?;
    if !status.success() {
        return Err("kill -INT failed".into());
    }
    let exit = wait_exit(&mut child, Duration::from_secs(20))?;
    let mut follower_said = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        std::io::Read::read_to_string(&mut stderr, &mut follower_said)?;
    }

    let packed = std::fs::read(&out)?;
    let mut frames = 0;
    let mut pos = 0;
    while let Some((_, len)) = cobol_protocol::layers::l8_seal::next_frame(&packed[pos..])? {
        frames += 1;
        pos += len;
    }
    let data = cobol_protocol::decompress(&packed)?;
    if data.len() as u64 != written {
        return Err(format!("wrote {written} bytes, decoded {}", data.len()).into());
    }
    for (i, text) in data.split_inclusive(|&b| b == b'\n').enumerate() {
        let text = std::str::from_utf8(text)?;
        let seq: usize = text
            .split_once(" seq=")
            .and_then(|(_, rest)| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("line {i} is damaged: {text:?}"))?;
        if seq != i || !text.ends_with('\n') {
            return Err(format!("line {i} holds seq={seq}: lost, repeated or out of order").into());
        }
    }
    let got = data.split_inclusive(|&b| b == b'\n').count();
    if got != lines {
        return Err(format!("wrote {lines} lines, decoded {got}").into());
    }
    Ok(Ingestion {
        lines,
        bytes: written,
        compressed: packed.len() as u64,
        frames,
        clean_exit: exit.success(),
        follower_said,
        wall: start.elapsed(),
    })
}

/// The `cobolp` binary: `$COBOLP`, or the one beside this example's folder, built if missing.
fn find_cobolp() -> Result<PathBuf, BoxError> {
    if let Some(p) = std::env::var_os("COBOLP") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    // target/<profile>/examples/log_ingestion -> target/<profile>/cobolp
    let profile_dir = exe.parent().and_then(Path::parent).ok_or("cannot place this example's folder")?;
    let cobolp = profile_dir.join("cobolp");
    if !cobolp.exists() {
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        eprintln!("log_ingestion: building cobolp ({})", if release { "release" } else { "debug" });
        let mut build = Command::new(env!("CARGO"));
        build.args([
            "build",
            "-p",
            "cobolp",
            "--bin",
            "cobolp",
            "--manifest-path",
            concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
        ]);
        if release {
            build.arg("--release");
        }
        if !build.status()?.success() || !cobolp.exists() {
            return Err(format!("no cobolp at {}: build it with `cargo build` or set COBOLP", cobolp.display()).into());
        }
    }
    Ok(cobolp)
}

fn main() -> Result<(), BoxError> {
    let lines = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|_| format!("usage: log_ingestion [LINES]   ({n:?} is not a number)"))?,
        None => 20_000,
    };
    let cobolp = find_cobolp()?;
    let dir = std::env::temp_dir().join(format!("cobolp-log-ingestion-{}", std::process::id()));
    let result = run(&cobolp, &dir, lines);
    let _ = std::fs::remove_dir_all(&dir);
    let r = result?;
    println!(
        "log_ingestion: {} lines appended to a followed file, rotated once by rename, stopped with SIGINT",
        r.lines
    );
    println!("  follower     {} ({})", cobolp.display(), r.follower_said.trim());
    println!("  input        {:>12} bytes", r.bytes);
    println!(
        "  output       {:>12} bytes in {} frames, ratio {:.3}",
        r.compressed,
        r.frames,
        r.bytes as f64 / r.compressed.max(1) as f64
    );
    println!("  exit         {}", if r.clean_exit { "0 after SIGINT" } else { "NOT 0 after SIGINT" });
    println!("  result       every line arrived exactly once, in order ({:.2} s)", r.wall.as_secs_f64());
    if !r.clean_exit {
        return Err("the follower did not exit cleanly".into());
    }
    Ok(())
}
