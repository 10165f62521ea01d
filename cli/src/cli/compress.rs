//! `cobolp compress` and `cobolp decompress`: files or pipes through the pipelined engine.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use cobol_protocol::{EngineConfig, Pipeline, PipelineReport, Unfinished};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::signal::unix::{signal, Signal, SignalKind};

use super::progress::ProgressDisplay;
use super::CommonArgs;
use crate::report::Stopped;
use cobolp_io::AtomicFile;

pub const SUFFIX: &str = "cpz";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Compress,
    Decompress { partial: bool },
}

/// Exit status of `decompress --partial` when the stream had no end: the data written
/// is every complete frame, but the stream may go on elsewhere.
pub const EXIT_UNFINISHED: u8 = 3;

pub fn compress(args: &CommonArgs, config: EngineConfig) -> anyhow::Result<()> {
    run(args, config, Direction::Compress).map(|_| ())
}

/// Decompresses; with `partial`, a stream without its end is written up to its last
/// complete frame, said so on stderr, and answered with [`EXIT_UNFINISHED`].
pub fn decompress(args: &CommonArgs, config: EngineConfig, partial: bool) -> anyhow::Result<ExitCode> {
    let direction = Direction::Decompress { partial };
    let report = run(args, config, direction)?;
    match report.streams.and_then(|s| s.unfinished) {
        Some((frames, bytes)) => {
            let name = input_path(args).map_or("stdin".to_string(), |p| p.display().to_string());
            eprintln!(
                "cobolp: {name}: the stream has no end frame: wrote its {frames} complete frames ({bytes} bytes); \
                 it was cut short, or is still being written"
            );
            Ok(ExitCode::from(EXIT_UNFINISHED))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}

enum Target {
    Stdout,
    File(PathBuf),
}

fn input_path(args: &CommonArgs) -> Option<&Path> {
    args.input.as_deref().filter(|p| p.as_os_str() != "-")
}

fn target(args: &CommonArgs, direction: Direction) -> anyhow::Result<Target> {
    if args.stdout {
        return Ok(Target::Stdout);
    }
    if let Some(out) = &args.output {
        return Ok(if out.as_os_str() == "-" { Target::Stdout } else { Target::File(out.clone()) });
    }
    let Some(input) = input_path(args) else { return Ok(Target::Stdout) };
    match direction {
        Direction::Compress => {
            let mut name = input.as_os_str().to_owned();
            name.push(".");
            name.push(SUFFIX);
            Ok(Target::File(PathBuf::from(name)))
        }
        Direction::Decompress { .. } => {
            if input.extension().is_some_and(|e| e == SUFFIX) {
                Ok(Target::File(input.with_extension("")))
            } else {
                bail!("{}: unknown suffix (expected .{SUFFIX}); name the output with -o or use -c", input.display())
            }
        }
    }
}

fn run(args: &CommonArgs, config: EngineConfig, direction: Direction) -> anyhow::Result<PipelineReport> {
    let input = input_path(args);
    let target = target(args, direction)?;
    if let (Some(i), Target::File(o)) = (input, &target) {
        if i == o.as_path() {
            bail!("{}: input and output are the same file", i.display());
        }
    }
    if matches!(target, Target::Stdout)
        && direction == Direction::Compress
        && std::io::stdout().is_terminal()
        && !args.force
    {
        bail!("refusing to write compressed data to a terminal; use -o FILE, a pipe, or -f");
    }
    let before = match input {
        Some(p) => {
            let seen = InputSeen::now(p)?;
            if seen.is_dir {
                bail!("{} is a folder", p.display());
            }
            Some(seen)
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let pipeline = Pipeline::new(config)?;
    // Caught before the output exists: a signal then removes it, instead of killing
    // the process with a temporary file in place.
    let mut signals = runtime.block_on(async { Signals::catch() })?;
    let mut output = match &target {
        Target::File(path) => Some(create_output(path, args)?),
        Target::Stdout => None,
    };
    let display = ProgressDisplay::start(pipeline.progress(), before.as_ref().map(|b| b.len), args.quiet);
    let work = async {
        let reader: Pin<Box<dyn AsyncRead + Send>> = match input {
            Some(p) => {
                let f = tokio::fs::File::open(p).await.with_context(|| format!("cannot open {}", p.display()))?;
                Box::pin(BufReader::with_capacity(1 << 20, f))
            }
            None => Box::pin(BufReader::with_capacity(1 << 20, tokio::io::stdin())),
        };
        let mut writer: Pin<Box<dyn AsyncWrite + Send>> = match output.as_mut() {
            Some(out) => Box::pin(tokio::fs::File::from_std(out.take_file().context("output file already taken")?)),
            None => Box::pin(tokio::io::stdout()),
        };
        let report = match direction {
            Direction::Compress => pipeline.compress(reader, &mut writer).await,
            Direction::Decompress { partial } => {
                let unfinished = if partial { Unfinished::Accept } else { Unfinished::Reject };
                pipeline.decompress_with(reader, &mut writer, unfinished).await
            }
        };
        let report = report.with_context(|| input.map_or("stdin".to_string(), |p| p.display().to_string()))?;
        writer.shutdown().await.context("writing output")?;
        anyhow::Ok(report)
    };
    let report = runtime.block_on(async {
        tokio::select! {
            report = work => report,
            signal = signals.next() => Err(anyhow::Error::new(Stopped::Signal(signal))),
        }
    });
    drop(display);
    // A block being compressed when a signal came finishes on its worker; the
    // process does not wait for more than that.
    runtime.shutdown_timeout(Duration::from_millis(300));
    let report = report?;
    if let (Some(p), Some(before)) = (input, &before) {
        let read = match direction {
            Direction::Compress => report.bytes_in,
            Direction::Decompress { .. } => before.len,
        };
        before.unchanged(p, read)?;
    }
    if let Some(out) = output {
        out.commit()?;
    }
    if args.remove_input {
        if let (Some(p), Target::File(_)) = (input, &target) {
            std::fs::remove_file(p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    if !args.quiet {
        summarize(input, &target, direction, &report);
    }
    if args.stats {
        eprintln!("{report}");
    }
    Ok(report)
}

/// Creates the output under its temporary name, first removing the temporary files
/// of earlier runs to the same output whose process is gone (killed, or the machine
/// stopped), and saying so.
fn create_output(path: &Path, args: &CommonArgs) -> anyhow::Result<AtomicFile> {
    for stale in AtomicFile::remove_stale(path).with_context(|| format!("{}", path.display()))? {
        if !args.quiet {
            eprintln!("cobolp: removed {}, left by an earlier run that no longer runs", stale.display());
        }
    }
    Ok(AtomicFile::create(path, args.force)?)
}

/// An input file as it was when the run started, to tell whether it changed while it
/// was read (truncated, appended to, replaced): then the output would not be of it.
struct InputSeen {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
    is_dir: bool,
}

impl InputSeen {
    fn now(path: &Path) -> anyhow::Result<InputSeen> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
        Ok(InputSeen { len: meta.len(), modified: meta.modified().ok(), inode: meta.ino(), is_dir: meta.is_dir() })
    }

    /// An error when the file now differs from what was seen, or `read` bytes of it
    /// were read where it held `len`.
    fn unchanged(&self, path: &Path, read: u64) -> anyhow::Result<()> {
        let now = InputSeen::now(path).with_context(|| "the input vanished while it was read".to_string())?;
        let what = if now.inode != self.inode {
            "was replaced".to_string()
        } else if now.len != self.len || read != self.len {
            format!("held {} bytes when it was opened, {} when it was read to its end, {} now", self.len, read, now.len)
        } else if now.modified != self.modified {
            "was modified".to_string()
        } else {
            return Ok(());
        };
        bail!("{}: the input {what} while it was read; no output was written", path.display())
    }
}

/// SIGINT, SIGTERM and SIGHUP, caught.
struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Signals {
    fn catch() -> anyhow::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt()).context("cannot catch SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot catch SIGTERM")?,
            hangup: signal(SignalKind::hangup()).context("cannot catch SIGHUP")?,
        })
    }

    /// The number of the next signal to come.
    async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.interrupt.recv() => 2,
            _ = self.terminate.recv() => 15,
            _ = self.hangup.recv() => 1,
        }
    }
}

fn summarize(input: Option<&Path>, target: &Target, direction: Direction, report: &PipelineReport) {
    let name = input.map_or("stdin".to_string(), |p| p.display().to_string());
    let to = match target {
        Target::Stdout => "stdout".to_string(),
        Target::File(p) => p.display().to_string(),
    };
    let (original, packed) = match direction {
        Direction::Compress => (report.bytes_in, report.bytes_out),
        Direction::Decompress { .. } => (report.bytes_out, report.bytes_in),
    };
    let ratio = if packed == 0 { 0.0 } else { original as f64 / packed as f64 };
    eprintln!(
        "{name}: {original} -> {packed} bytes, ratio {ratio:.3}, {:.1} MB/s ({to})",
        original as f64 / report.wall.as_secs_f64().max(1e-9) / 1e6
    );
}
