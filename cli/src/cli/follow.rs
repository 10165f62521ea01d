//! `cobolp compress --follow FILE`: continuous ingestion of a growing file, like
//! `tail -F`, into a stream of frames that a reader can decode up to the last one
//! written at any moment.
//!
//! Three parts: the [`Tailer`] reads new bytes by name and notices rotation (the path
//! names another inode or device: the old file is read to its end first) and truncation
//! (the file is shorter than the read position: reading starts again from 0); the
//! [`Batcher`] holds what was read and says when a frame is due (`--flush-bytes`
//! pending, or the oldest pending byte `--flush-interval` old) and where it ends (a
//! line end, or a file boundary); [`follow`] runs them until its stop future fires
//! (SIGINT or SIGTERM in the command), then reads what is left, writes the last frame
//! and the stream's end frame, and flushes. Each frame is written and flushed on its
//! own, so while the follow runs the output decodes up to its last frame when read as
//! a stream still being written (`cobolp decompress --partial`), and once it ended,
//! as a complete stream.

mod batch;
mod tail;

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use cobol_protocol::{EngineConfig, FrameCodec, MAX_BLOCK_SIZE};

pub use batch::Batcher;
pub use tail::{TailEvent, Tailer};

use super::compress::SUFFIX;
use super::CompressArgs;

/// Reads from the followed file go in pieces of at most this much.
const READ_CHUNK: usize = 1 << 20;

/// Default `--flush-interval`.
pub const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// How the follower batches and how often it looks at the file.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// A frame is written once the oldest pending byte is this old (and a line ends).
    pub flush_interval: Duration,
    /// A frame is written as soon as this many bytes are pending.
    pub flush_bytes: usize,
    /// How long the follower sleeps when the file has nothing new.
    pub poll: Duration,
}

impl FollowOptions {
    pub fn new(flush_interval: Duration, flush_bytes: usize) -> FollowOptions {
        let poll = (flush_interval / 10).clamp(Duration::from_millis(5), Duration::from_millis(100));
        FollowOptions { flush_interval, flush_bytes, poll }
    }
}

/// What a follow did, for the summary.
#[derive(Debug, Clone, Default)]
pub struct FollowReport {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub frames: u64,
    pub rotations: u64,
    pub truncations: u64,
    pub wall: Duration,
}

/// Follows `tailer` into `out` until `stop` completes, then reads what the file still
/// holds, writes it as the last frame(s) and returns. Every frame is flushed as soon as
/// it is written.
pub async fn follow<W: Write>(
    tailer: &mut Tailer,
    codec: &mut FrameCodec,
    out: &mut W,
    options: &FollowOptions,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<FollowReport> {
    let start = Instant::now();
    let mut batcher = Batcher::new(options.flush_bytes, options.flush_interval);
    let mut writer = FrameWriter { codec, out, frame: Vec::new(), report: FollowReport::default() };
    let mut stop = std::pin::pin!(stop);
    let mut stopping = false;
    loop {
        // Everything the file holds now; frames go out as they fill up.
        loop {
            let room = batcher.room().min(READ_CHUNK);
            let event =
                tailer.poll(batcher.buffer(), room).with_context(|| format!("reading {}", tailer.path().display()))?;
            match event {
                TailEvent::Data(n) => {
                    writer.report.bytes_in += n as u64;
                    let now = Instant::now();
                    batcher.arrived(now);
                    while let Some(len) = batcher.due(now) {
                        batcher.take(len, |data| writer.write(data))?;
                    }
                }
                TailEvent::Rotated | TailEvent::Truncated => batcher.file_boundary(),
                TailEvent::Opened => {}
                TailEvent::Idle => break,
            }
        }
        if stopping {
            while let Some(len) = batcher.finish() {
                batcher.take(len, |data| writer.write(data))?;
            }
            break;
        }
        let now = Instant::now();
        while let Some(len) = batcher.due(now) {
            batcher.take(len, |data| writer.write(data))?;
        }
        let nap = batcher
            .deadline()
            .map_or(options.poll, |d| d.saturating_duration_since(now).clamp(Duration::from_millis(1), options.poll));
        tokio::select! {
            biased;
            _ = &mut stop => stopping = true,
            _ = tokio::time::sleep(nap) => {}
        }
    }
    writer.end()?;
    let mut report = writer.report;
    report.rotations = tailer.rotations();
    report.truncations = tailer.truncations();
    report.wall = start.elapsed();
    Ok(report)
}

struct FrameWriter<'a, W: Write> {
    codec: &'a mut FrameCodec,
    out: &'a mut W,
    frame: Vec<u8>,
    report: FollowReport,
}

impl<W: Write> FrameWriter<'_, W> {
    /// Encodes `data` as one frame, writes it and flushes.
    fn write(&mut self, data: &[u8]) -> anyhow::Result<()> {
        self.frame.clear();
        self.codec.encode(data, &mut self.frame)?;
        self.out.write_all(&self.frame).context("writing the output")?;
        self.out.flush().context("flushing the output")?;
        self.report.frames += 1;
        self.report.bytes_out += self.frame.len() as u64;
        Ok(())
    }

    /// Writes the stream's end frame and flushes: the follow ended cleanly.
    fn end(&mut self) -> anyhow::Result<()> {
        self.frame.clear();
        self.codec.encode_end(&mut self.frame);
        self.out.write_all(&self.frame).context("writing the output")?;
        self.out.flush().context("flushing the output")?;
        self.report.bytes_out += self.frame.len() as u64;
        Ok(())
    }
}

/// Parses `500ms`, `1s`, `1.5s`, `2m`, `1h`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().map_err(|_| format!("{text:?} is not a duration (like 500ms, 1s, 2m)"))?;
    let seconds = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("{text:?} has an unknown unit: use ms, s, m or h")),
    };
    if !(0.001..=86_400.0).contains(&seconds) {
        return Err(format!("{text:?} is outside 1ms to 24h"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// `cobolp compress --follow`: the command around [`follow`].
pub fn run(args: &CompressArgs, config: EngineConfig) -> anyhow::Result<()> {
    let common = &args.common;
    let Some(input) = common.input.as_deref().filter(|p| p.as_os_str() != "-") else {
        bail!("--follow needs a file to follow, not stdin");
    };
    if common.remove_input {
        bail!("--rm cannot be used with --follow");
    }
    let flush_bytes = match &args.flush_bytes {
        Some(s) => cobol_protocol::parse_size(s)?,
        None => config.block_size,
    };
    if !(1..=MAX_BLOCK_SIZE).contains(&flush_bytes) {
        bail!("--flush-bytes {flush_bytes} is outside 1 byte to {} MiB", MAX_BLOCK_SIZE >> 20);
    }
    let options = FollowOptions::new(args.flush_interval.unwrap_or(DEFAULT_FLUSH_INTERVAL), flush_bytes);
    let to_stdout = common.stdout || common.output.as_deref().is_some_and(|o| o.as_os_str() == "-");
    let output: Option<PathBuf> = match (&common.output, to_stdout) {
        (_, true) => None,
        (Some(o), false) => Some(o.clone()),
        (None, false) => {
            let mut name = input.as_os_str().to_owned();
            name.push(".");
            name.push(SUFFIX);
            Some(PathBuf::from(name))
        }
    };
    if output.as_deref() == Some(input) {
        bail!("{}: input and output are the same file", input.display());
    }
    if output.is_none() && std::io::stdout().is_terminal() && !common.force {
        bail!("refusing to write compressed data to a terminal; use -o FILE, a pipe, or -f");
    }
    let mut codec = FrameCodec::new(&config, false)?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    let report = runtime.block_on(async {
        // The handlers are in place before the output exists: once it does, a signal
        // ends the follow cleanly instead of killing the process.
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot catch SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot catch SIGTERM")?;
        let stop = async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        };
        let mut tailer = match Tailer::open(input) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.retry => {
                if !common.quiet {
                    eprintln!("cobolp: waiting for {} to appear", input.display());
                }
                Tailer::waiting(input)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!("cannot follow {}: no such file (use --retry to wait for it)", input.display())
            }
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot follow {}", input.display()))),
        };
        match &output {
            Some(path) => {
                let mut file = create_output(path, common.force)?;
                let report = follow(&mut tailer, &mut codec, &mut file, &options, stop).await?;
                file.sync_all().with_context(|| format!("syncing {}", path.display()))?;
                Ok(report)
            }
            None => follow(&mut tailer, &mut codec, &mut std::io::stdout().lock(), &options, stop).await,
        }
    })?;
    if !common.quiet || common.stats {
        summarize(input, output.as_deref(), &report);
    }
    Ok(())
}

/// Creates OUT for writing frames straight into it (no temporary name: a follow has no
/// natural end to rename at, and a reader may decode OUT while it grows).
fn create_output(path: &Path, force: bool) -> anyhow::Result<std::fs::File> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    open.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("{} already exists; use -f to overwrite it", path.display())
        } else {
            anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
        }
    })
}

fn summarize(input: &Path, output: Option<&Path>, report: &FollowReport) {
    let to = output.map_or("stdout".to_string(), |p| p.display().to_string());
    let ratio = if report.bytes_out == 0 { 0.0 } else { report.bytes_in as f64 / report.bytes_out as f64 };
    eprintln!(
        "{}: followed {:.1} s, {} -> {} bytes in {} frames, ratio {ratio:.3}, {} rotations, {} truncations ({to})",
        input.display(),
        report.wall.as_secs_f64(),
        report.bytes_in,
        report.bytes_out,
        report.frames,
        report.rotations,
        report.truncations,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("1 fortnight").is_err());
        assert!(parse_duration("ms").is_err());
    }

    #[test]
    fn follows_into_a_decodable_stream() {
        let dir = std::env::temp_dir().join(format!("cobolp-follow-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app.log");
        let lines: Vec<u8> = (0..20_000).flat_map(|i| format!("line {i} of the log\n").into_bytes()).collect();
        std::fs::write(&path, &lines[..100_000]).unwrap();
        let mut tailer = Tailer::open(&path).unwrap();
        let mut codec = FrameCodec::new(&EngineConfig::default(), false).unwrap();
        let options = FollowOptions::new(Duration::from_millis(20), 64 << 10);
        let mut out = Vec::new();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let report = runtime.block_on(async {
            let writer = async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(&lines[100_000..]).unwrap();
                tx.send(()).unwrap();
            };
            let follower = follow(&mut tailer, &mut codec, &mut out, &options, async {
                let _ = rx.await;
            });
            let ((), report) = tokio::join!(writer, follower);
            report.unwrap()
        });
        assert_eq!(cobol_protocol::decompress(&out).unwrap(), lines);
        assert_eq!(report.bytes_in, lines.len() as u64);
        assert!(report.frames >= 2, "{report:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
