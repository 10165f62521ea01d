//! How the record flags and the start of an input become the engine's record layout:
//! a copybook or a record length, checked against the length the input shows, or a
//! record length found in the input when none is given; and where the records start.
//! `compress` and `bench` configure the engine the same way.

use std::path::PathBuf;

use anyhow::Context;
use cobol_protocol::layers::cobol::{self, Charset, RecordLayout};
use cobol_protocol::EngineConfig;

/// The flags that describe fixed-width records.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RecordArgs {
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
    /// found (`compress` says so on stderr); this turns that off.
    #[arg(long = "no-record-detection")]
    pub no_record_detection: bool,
    /// Character set of the records' text and zoned digits: ascii or ebcdic (default:
    /// detected from each block).
    #[arg(long, value_name = "CHARSET")]
    pub encoding: Option<String>,
}

/// The record flags, checked and with the copybook read: ready to configure the
/// engine for each input.
#[derive(Debug, Clone)]
pub struct RecordSetup {
    copybook: Option<(PathBuf, RecordLayout)>,
    record_length: Option<usize>,
    charset: Option<Charset>,
    detect: bool,
}

/// Bytes of an input's start in which its record length is looked for.
const DETECTION_SAMPLE: usize = 64 << 10;

/// Longest record length looked for when none is given.
const MAX_DETECTED_RECORD_LEN: usize = 4096;

impl RecordSetup {
    /// Reads and checks the flags; `detect`: whether an input without them may be
    /// taken for records (not for a followed file, whose start is all there is).
    pub fn new(args: &RecordArgs, detect: bool) -> anyhow::Result<RecordSetup> {
        let charset = match args.encoding.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("ascii") => Some(Charset::Ascii),
            Some("ebcdic") => Some(Charset::Ebcdic),
            Some(other) => anyhow::bail!("unknown encoding {other:?}: expected ascii or ebcdic"),
        };
        if charset.is_some() && args.copybook.is_none() && args.record_length.is_none() {
            anyhow::bail!("--encoding needs --copybook or --record-length");
        }
        let copybook = match &args.copybook {
            Some(path) => {
                let src = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
                let layout = RecordLayout::from_copybook(&src).with_context(|| format!("{}", path.display()))?;
                if let Some(len) = args.record_length.filter(|&l| l != layout.record_len) {
                    anyhow::bail!("{}: describes {}-byte records, not {len}", path.display(), layout.record_len);
                }
                Some((path.clone(), layout))
            }
            None => None,
        };
        Ok(RecordSetup {
            copybook,
            record_length: args.record_length,
            charset,
            detect: detect && !args.no_record_detection,
        })
    }

    /// `config` with the records of an input set up. `start(len)` gives the input's
    /// first `len` bytes (fewer if it is shorter), or `None` when they cannot be read
    /// ahead (standard input): then a given layout is taken as it is, and none is
    /// looked for. What was found is told to `say`.
    pub fn configure(
        &self,
        config: EngineConfig,
        start: &dyn Fn(usize) -> Option<Vec<u8>>,
        say: &mut dyn FnMut(String),
    ) -> EngineConfig {
        let config = match (&self.copybook, self.record_length) {
            (Some((path, layout)), _) => {
                let doubt = detected_record_length(start, 2 * layout.record_len).filter(|&l| l != layout.record_len);
                if let Some(found) = doubt {
                    say(format!(
                        "warning: {} describes {}-byte records, but the input looks like {found}-byte records; each block is also tried with a layout guessed from its own bytes",
                        path.display(),
                        layout.record_len
                    ));
                }
                doubted_if(config.with_records(layout.clone(), self.charset), doubt.is_some())
            }
            (None, Some(len)) => {
                let doubt = detected_record_length(start, 2 * len).filter(|&l| l != len);
                if let Some(found) = doubt {
                    say(format!(
                        "warning: the input looks like {found}-byte records, not {len}; each block is also tried with a layout guessed from its own bytes"
                    ));
                }
                let mut config = doubted_if(config.with_record_length(len), doubt.is_some());
                if let Some(records) = config.records.as_mut() {
                    records.charset = self.charset.or(records.charset);
                }
                config
            }
            (None, None) if !self.detect => return config,
            (None, None) => match detected_record_length(start, MAX_DETECTED_RECORD_LEN) {
                Some(len) => {
                    say(format!(
                        "the input looks like {len}-byte records; compressing them as records (--no-record-detection to not)"
                    ));
                    config.with_record_length(len)
                }
                None => return config,
            },
        };
        with_found_lead(config, start, say)
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

/// `config` with the start of the input's records found, when they follow a header
/// of another length (see `RecordConfig::find_lead`).
fn with_found_lead(
    mut config: EngineConfig,
    start: &dyn Fn(usize) -> Option<Vec<u8>>,
    say: &mut dyn FnMut(String),
) -> EngineConfig {
    let Some(records) = config.records.as_mut() else { return config };
    let Some(sample) = start(records.lead_sample_len()) else { return config };
    records.lead = records.find_lead(&sample);
    if records.lead > 0 {
        say(format!(
            "the records are read from byte {} on, where they compress best (as after a header of another length)",
            records.lead
        ));
    }
    config
}

/// The record length, up to `max_len`, of an input whose first 64 KiB look like
/// fixed-width records with at least one numeric field (zoned or packed, as
/// `infer_layout` guesses them). The search costs in proportion to `max_len`:
/// checking a given length looks only up to twice it.
fn detected_record_length(start: &dyn Fn(usize) -> Option<Vec<u8>>, max_len: usize) -> Option<usize> {
    let sample = start(DETECTION_SAMPLE)?;
    let guess = cobol::length::detect_record_length(&sample, max_len.min(MAX_DETECTED_RECORD_LEN))?;
    // The guess the engine will make for each block (ASCII unless --encoding says).
    let layout = cobol::length::infer_layout(&sample, guess.len, Charset::Ascii);
    layout.fields.iter().any(|f| f.kind.is_numeric()).then_some(guess.len)
}

/// The first `len` bytes of the file at `path` (fewer if it is shorter); `None` for
/// standard input (`-` or no path), whose bytes cannot be read twice, or a file that
/// cannot be read.
pub fn file_start(path: Option<&std::path::Path>, len: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let path = path.filter(|p| p.as_os_str() != "-")?;
    let mut start = Vec::new();
    std::fs::File::open(path).ok()?.take(len as u64).read_to_end(&mut start).ok()?;
    Some(start)
}
