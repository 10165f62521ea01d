//! Command-line arguments and the subcommands they select.

mod compress;
mod follow;
mod info;
mod progress;
pub(crate) mod records;
mod recover;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cobol_protocol::{parse_size, CompressionMode, EngineConfig, Level};

/// Lossless streaming compression for logs, COBOL records and everything else.
#[derive(Debug, Parser)]
#[command(name = "cobolp", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compress INPUT (or stdin) into INPUT.cpz (or stdout).
    Compress(CompressArgs),
    /// Decompress INPUT.cpz (or stdin) into INPUT (or stdout).
    Decompress(DecompressArgs),
    /// Show the frames of a compressed file: layers, sizes, ratio.
    Info(InfoArgs),
    /// Check a compressed file completely (every checksum); the exit status says the verdict.
    Test(TestArgs),
    /// Write every frame of a damaged file that still verifies, and say what is lost.
    Recover(RecoverArgs),
    /// Compare every mode with zstd, lz4 and gzip on files or folders (default: the bundled sample).
    Bench(crate::bench::BenchArgs),
    /// One measurement of `bench`, run in a child process so its peak memory is its own.
    #[command(name = "__bench-one", hide = true)]
    BenchOne(crate::bench::BenchOneArgs),
}

/// Options shared by compress and decompress.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Input file; `-` or nothing reads stdin.
    pub input: Option<PathBuf>,
    /// Output file (default: derived from INPUT, or stdout for stdin).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write to stdout.
    #[arg(short = 'c', long)]
    pub stdout: bool,
    /// Overwrite an existing output; allow compressed output to a terminal.
    #[arg(short, long)]
    pub force: bool,
    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Remove INPUT after success (it is kept by default).
    #[arg(long = "rm")]
    pub remove_input: bool,
    /// Worker threads (default: all cores).
    #[arg(short = 'T', long = "threads")]
    pub threads: Option<usize>,
    /// Print per-stage timings, throughput, channel waits and block latency.
    #[arg(long)]
    pub stats: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompressArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// bridge (the default: L1 template split of log text where it pays, then L5-L8),
    /// legacy (L5-L8 only: faster on logs, the same on other data) or maximal (bridge
    /// with the deepest match search and 4 MiB blocks).
    #[arg(long, default_value = "bridge")]
    pub mode: String,
    /// How hard to search, 1 (fastest) to 9 (smallest); `-1` … `-9` say the same.
    /// 8 and 9 (in maximal, 5 and up) price every way through a block to choose its
    /// matches: smaller, and several times slower. The levels above the default take
    /// longer blocks in legacy, the top ones in the other modes (see --block-size),
    /// for more memory. Decompressing needs no level.
    #[arg(long, value_name = "N", default_value = "3")]
    pub level: Level,
    /// Block size, 64K to 64M (default 2M for bridge, 4M from level 7; 2M for legacy,
    /// 4M from level 4, 8M at 9; 4M for maximal, 8M from level 6); blocks end at a line
    /// end when there is one.
    #[arg(long = "block-size", value_name = "SIZE")]
    pub block_size: Option<String>,
    #[command(flatten)]
    pub records: records::RecordArgs,
    /// Follow INPUT as it grows, like `tail -F`, until SIGINT or SIGTERM.
    ///
    /// Reads what INPUT holds, then what is appended; survives rotation by rename (the
    /// old file is read to its end, then the new one from its start) and truncation
    /// (reading starts again from 0). Frames end at line ends and are appended to the
    /// output as they come, each one flushed, so the output decodes up to its last
    /// frame at any moment. The output is written directly (no temporary name) and an
    /// existing one is refused without -f. On SIGINT or SIGTERM, what INPUT holds is
    /// read to its end, written as the last frame, and the command exits 0. A missing
    /// INPUT is an error unless --retry.
    #[arg(long)]
    pub follow: bool,
    /// With --follow: write a frame once new data is this old: 500ms, 1s (default), 2m.
    #[arg(long = "flush-interval", value_name = "DURATION", requires = "follow", value_parser = follow::parse_duration)]
    pub flush_interval: Option<std::time::Duration>,
    /// With --follow: write a frame as soon as this much is pending (default: the block size).
    #[arg(long = "flush-bytes", value_name = "SIZE", requires = "follow")]
    pub flush_bytes: Option<String>,
    /// With --follow: wait for INPUT to appear instead of failing when it does not exist.
    #[arg(long, requires = "follow")]
    pub retry: bool,
}

#[derive(Debug, clap::Args)]
pub struct DecompressArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Accept a stream without its end: one still being written (`compress --follow`)
    /// or cut short. Every complete, verified frame is written, then a note says how
    /// far the stream got; the exit status is 3 when the end was missing.
    #[arg(long)]
    pub partial: bool,
}

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Compressed file.
    pub file: PathBuf,
    /// Only the totals, not one line per frame.
    #[arg(short, long)]
    pub summary: bool,
    /// For frames of log text split into templates (L1), list every template with the
    /// number of lines that use it (`<n 812>` a number, `<w 1210>` a variable word, with the bytes its column takes
    /// before L5, and the L3 coding it takes if any: `<n 918, dictionary of 111>`; `<%Y-%m-%d ...>` a
    /// timestamp in that form; `<n=2>` or `<w=1>` a slot stored as a copy of the template's second number or
    /// first word), and the block's time relations (`<%E10> from <%Y-%m-%d-%H.%M.%S.%6>, steady offsets`: one form's
    /// stamps stored as offsets from another's on the same line). For frames of records (L2), how L3 coded
    /// each integer column and how L4 laid the numbers out.
    #[arg(short, long)]
    pub templates: bool,
}

#[derive(Debug, clap::Args)]
pub struct RecoverArgs {
    /// The damaged compressed file.
    pub input: PathBuf,
    /// Where the recovered data goes (written under a temporary name, renamed at the end).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Overwrite an existing output.
    #[arg(short, long)]
    pub force: bool,
    /// Say nothing when nothing is lost.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Compressed files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Compress(a) => {
            let mode = CompressionMode::parse(&a.mode)?;
            let mut config = engine_config(&a.common)?
                .with_mode(mode)
                .with_level(a.level)
                .with_block_size(mode.default_block_size(a.level));
            if let Some(size) = &a.block_size {
                config = config.with_block_size(parse_size(size)?);
            }
            let setup = records::RecordSetup::new(&a.records, !a.follow)?;
            let (input, quiet) = (a.common.input.as_deref(), a.common.quiet);
            let start = |len| records::file_start(input, len);
            config = setup.configure(config, &start, &mut |message| {
                if !quiet {
                    eprintln!("cobolp: {message}");
                }
            });
            config.validate()?;
            if a.follow {
                return follow::run(&a, config).map(|_| ExitCode::SUCCESS);
            }
            compress::compress(&a.common, config).map(|_| ExitCode::SUCCESS)
        }
        Command::Decompress(a) => {
            let config = engine_config(&a.common)?;
            compress::decompress(&a.common, config, a.partial)
        }
        Command::Info(a) => info::info(&a).map(|_| ExitCode::SUCCESS),
        Command::Test(a) => info::test(&a),
        Command::Recover(a) => recover::recover(&a),
        Command::Bench(a) => crate::bench::run(&a).map(|_| ExitCode::SUCCESS),
        Command::BenchOne(a) => crate::bench::run_one(&a).map(|_| ExitCode::SUCCESS),
    }
}

fn engine_config(common: &CommonArgs) -> anyhow::Result<EngineConfig> {
    let mut config = EngineConfig::default();
    if let Some(t) = common.threads {
        config = config.with_threads(t);
    }
    config.validate()?;
    Ok(config)
}
