//! Command-line arguments and the subcommands they select.

mod compress;
mod follow;
mod info;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cobol_protocol::stages::records::{self, Charset, RecordLayout};
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
    /// bridge (the default: L1 template split of log text where it pays, then L5-L8),
    /// legacy (L5-L8 only: faster on logs, the same on other data) or maximal (bridge
    /// with the deepest match search and 4 MiB blocks).
    #[arg(long, default_value = "bridge")]
    pub mode: String,
    /// Block size, 64K to 64M (default 2M for bridge, 1M for legacy, 4M for maximal);
    /// blocks end at a line end when there is one.
    #[arg(long = "block-size", value_name = "SIZE")]
    pub block_size: Option<String>,
    /// Fixed-width records described by this COBOL copybook: each block is split into
    /// one column per field (L2), numbers decoded to integers. The layout is stored in
    /// the frames; decompressing needs no copybook. Records after a header of another
    /// length are found (where the copybook's numbers read as numbers).
    #[arg(long, value_name = "FILE")]
    pub copybook: Option<PathBuf>,
    /// Fixed-width records of N bytes: with --copybook, checked against it; alone, the
    /// fields (zoned and packed numbers, text) are guessed from each block's bytes, and
    /// where the records start (after a header) from the file's first MiB.
    #[arg(long = "record-length", value_name = "N")]
    pub record_length: Option<usize>,
    /// Without --copybook or --record-length, an input file whose start looks like
    /// fixed-width records with numeric fields is compressed as records of the length
    /// found (said on stderr); this turns that off.
    #[arg(long = "no-record-detection")]
    pub no_record_detection: bool,
    /// Character set of the records' text and zoned digits: ascii or ebcdic (default:
    /// detected from each block).
    #[arg(long, value_name = "CHARSET")]
    pub encoding: Option<String>,
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
}

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Compressed file.
    pub file: PathBuf,
    /// Only the totals, not one line per frame.
    #[arg(short, long)]
    pub summary: bool,
    /// For frames of log text split into templates (L1), list every template with the
    /// number of lines that use it (`<n>` a number, `<w>` a variable word, `<%Y-%m-%d ...>` a timestamp in that form).
    #[arg(short, long)]
    pub templates: bool,
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
            let mut config = engine_config(&a.common)?.with_mode(mode).with_block_size(mode.default_block_size());
            if let Some(size) = &a.block_size {
                config = config.with_block_size(parse_size(size)?);
            }
            config = records_config(&a, config)?;
            config.validate()?;
            if a.follow {
                return follow::run(&a, config).map(|_| ExitCode::SUCCESS);
            }
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

/// Adds the record layout that --copybook, --record-length and --encoding describe.
fn records_config(a: &CompressArgs, config: EngineConfig) -> anyhow::Result<EngineConfig> {
    let charset = match a.encoding.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("ascii") => Some(Charset::Ascii),
        Some("ebcdic") => Some(Charset::Ebcdic),
        Some(other) => anyhow::bail!("unknown encoding {other:?}: expected ascii or ebcdic"),
    };
    match (&a.copybook, a.record_length) {
        (Some(path), len) => {
            let src = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let layout = RecordLayout::from_copybook(&src).with_context(|| format!("{}", path.display()))?;
            if let Some(len) = len.filter(|&l| l != layout.record_len) {
                anyhow::bail!("{}: describes {}-byte records, not {len}", path.display(), layout.record_len);
            }
            let doubt = detected_record_length(a.common.input.as_deref(), 2 * layout.record_len)
                .filter(|&l| l != layout.record_len);
            if let (Some(found), false) = (doubt, a.common.quiet) {
                eprintln!(
                    "cobolp: warning: {} describes {}-byte records, but the input looks like {found}-byte records; each block is also tried with a layout guessed from its own bytes",
                    path.display(),
                    layout.record_len
                );
            }
            let config = doubted_if(config.with_records(layout, charset), doubt.is_some());
            Ok(with_found_lead(config, a.common.input.as_deref(), a.common.quiet))
        }
        (None, Some(len)) => {
            let doubt = detected_record_length(a.common.input.as_deref(), 2 * len).filter(|&l| l != len);
            if let (Some(found), false) = (doubt, a.common.quiet) {
                eprintln!(
                    "cobolp: warning: the input looks like {found}-byte records, not {len}; each block is also tried with a layout guessed from its own bytes"
                );
            }
            let mut config = doubted_if(config.with_record_length(len), doubt.is_some());
            if let Some(records) = config.records.as_mut() {
                records.charset = charset.or(records.charset);
            }
            Ok(with_found_lead(config, a.common.input.as_deref(), a.common.quiet))
        }
        (None, None) if charset.is_some() => anyhow::bail!("--encoding needs --copybook or --record-length"),
        (None, None) if a.no_record_detection || a.follow => Ok(config),
        (None, None) => Ok(match detected_record_length(a.common.input.as_deref(), MAX_DETECTED_RECORD_LEN) {
            Some(len) => {
                if !a.common.quiet {
                    eprintln!("cobolp: the input looks like {len}-byte records; compressing them as records (--no-record-detection to not)");
                }
                with_found_lead(config.with_record_length(len), a.common.input.as_deref(), a.common.quiet)
            }
            None => config,
        }),
    }
}

/// `config` with its record layout marked as doubted when `doubt` (the input shows
/// another record length): blocks then also try the layout guessed from their bytes.
fn doubted_if(mut config: EngineConfig, doubt: bool) -> EngineConfig {
    if let Some(records) = config.records.as_mut() {
        records.doubted |= doubt;
    }
    config
}

/// `config` with the start of the input file's records found, when they follow a
/// header of another length (see `RecordConfig::find_lead`), said on stderr unless
/// `quiet`. Standard input is not looked at.
fn with_found_lead(mut config: EngineConfig, input: Option<&std::path::Path>, quiet: bool) -> EngineConfig {
    let Some(records) = config.records.as_mut() else { return config };
    let Some(sample) = file_start(input, records.lead_sample_len() as u64) else { return config };
    records.lead = records.find_lead(&sample);
    if records.lead > 0 && !quiet {
        eprintln!(
            "cobolp: the records are read from byte {} on, where they compress best (as after a header of another length)",
            records.lead
        );
    }
    config
}

/// The first `len` bytes of an input file (fewer if it is shorter); `None` for
/// standard input, whose bytes cannot be read twice, or a file that cannot be read.
fn file_start(input: Option<&std::path::Path>, len: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let path = input.filter(|p| p.as_os_str() != "-")?;
    let mut start = Vec::new();
    std::fs::File::open(path).ok()?.take(len).read_to_end(&mut start).ok()?;
    Some(start)
}

/// Longest record length looked for when none is given.
const MAX_DETECTED_RECORD_LEN: usize = 4096;

/// The record length, up to `max_len`, of an input file whose first 64 KiB look like
/// fixed-width records with at least one numeric field (zoned or packed, as
/// `infer_layout` guesses them). Standard input is not looked at: its bytes cannot be
/// read twice. The search costs in proportion to `max_len`: checking a given length
/// looks only up to twice it.
fn detected_record_length(input: Option<&std::path::Path>, max_len: usize) -> Option<usize> {
    let sample = file_start(input, 64 << 10)?;
    let guess = records::length::detect_record_length(&sample, max_len.min(MAX_DETECTED_RECORD_LEN))?;
    // The guess the engine will make for each block (ASCII unless --encoding says).
    let layout = records::length::infer_layout(&sample, guess.len, Charset::Ascii);
    layout.fields.iter().any(|f| f.kind.is_numeric()).then_some(guess.len)
}

fn engine_config(common: &CommonArgs) -> anyhow::Result<EngineConfig> {
    let mut config = EngineConfig::default();
    if let Some(t) = common.threads {
        config = config.with_threads(t);
    }
    config.validate()?;
    Ok(config)
}
