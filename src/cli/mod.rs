//! Command-line arguments and the subcommands they select.

mod compress;
mod info;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cobol_protocol::{parse_size, CompressionMode, EngineConfig};

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
    /// legacy (L5-L8, any bytes), bridge or maximal (structure-aware, not in this version).
    #[arg(long, default_value = "legacy")]
    pub mode: String,
    /// Block size, 64K to 64M (default 1M); blocks end at a line end when there is one.
    #[arg(long = "block-size", value_name = "SIZE")]
    pub block_size: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DecompressArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Compressed file.
    pub file: PathBuf,
    /// Only the totals, not one line per frame.
    #[arg(short, long)]
    pub summary: bool,
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
            let mut config = engine_config(&a.common)?.with_mode(CompressionMode::parse(&a.mode)?);
            if let Some(size) = &a.block_size {
                config = config.with_block_size(parse_size(size)?);
            }
            config.validate()?;
            compress::compress(&a.common, config).map(|_| ExitCode::SUCCESS)
        }
        Command::Decompress(a) => {
            let config = engine_config(&a.common)?;
            compress::decompress(&a.common, config).map(|_| ExitCode::SUCCESS)
        }
        Command::Info(a) => info::info(&a).map(|_| ExitCode::SUCCESS),
        Command::Test(a) => info::test(&a),
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
