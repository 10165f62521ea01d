//! Settings of the engine, checked once when the engine is built.

use crate::error::{EngineError, Result};
use cobolp_stages::cobol::{Charset, RecordLayout};
use cobolp_stages::l2_records::RecordConfig;

use crate::level::Level;
use crate::mode::CompressionMode;

/// The smallest block size an engine takes.
pub const MIN_BLOCK_SIZE: usize = 64 << 10;
/// The largest block size an engine takes: the format's limit.
pub const MAX_BLOCK_SIZE: usize = cobolp_stages::l8_seal::MAX_BLOCK_LEN;
/// The block size of [`EngineConfig::default`].
pub const DEFAULT_BLOCK_SIZE: usize = 1 << 20;

/// How blocks are compressed, whichever executor or adapter runs them: the mode, the
/// block size, the worker threads, and fixed-width records when the data has them.
/// (The pipelined executor's own settings are its `PipelineConfig`.) Built from
/// [`Default`] with the `with_` methods; checked when an engine is built from it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// Which layers blocks go through.
    pub mode: CompressionMode,
    /// How hard they search (1 to 9, default 3); not recorded in the stream.
    pub level: Level,
    /// Target block size; blocks are cut at a line end near it when there is one.
    pub block_size: usize,
    /// Worker threads for the CPU-heavy work (the shared pool of this many).
    pub threads: usize,
    /// Fixed-width records: L2 splits each block into columns, and blocks end on
    /// record boundaries.
    pub records: Option<RecordConfig>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            mode: CompressionMode::default(),
            level: Level::default(),
            block_size: DEFAULT_BLOCK_SIZE,
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            records: None,
        }
    }
}

impl EngineConfig {
    /// Sets the mode.
    pub fn with_mode(mut self, mode: CompressionMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the level.
    pub fn with_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Sets the target block size.
    pub fn with_block_size(mut self, block_size: usize) -> Self {
        self.block_size = block_size;
        self
    }

    /// Sets the worker threads.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Fixed-width records described by a copybook layout; `charset` `None` detects
    /// ASCII or EBCDIC per block.
    pub fn with_records(mut self, layout: RecordLayout, charset: Option<Charset>) -> Self {
        self.records = Some(RecordConfig::new(layout, charset));
        self
    }

    /// Fixed-width records known by their length only: each block's fields are guessed
    /// from its bytes.
    pub fn with_record_length(mut self, record_len: usize) -> Self {
        self.records = Some(RecordConfig::record_length(record_len));
        self
    }

    /// The record length blocks are cut on, when records are configured.
    pub fn record_len(&self) -> Option<usize> {
        self.records.as_ref().map(|r| r.layout.record_len)
    }

    /// Checks every setting: what an engine built from it would refuse.
    pub fn validate(&self) -> Result<()> {
        if !(MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&self.block_size) {
            return Err(EngineError::Config(format!(
                "block size {} is outside {} KiB to {} MiB",
                self.block_size,
                MIN_BLOCK_SIZE >> 10,
                MAX_BLOCK_SIZE >> 20
            )));
        }
        if self.threads == 0 || self.threads > 1024 {
            return Err(EngineError::Config(format!("thread count {} is outside 1 to 1024", self.threads)));
        }
        if let Some(records) = &self.records {
            records.validate().map_err(|e| EngineError::Config(format!("record layout: {e}")))?;
        }
        Ok(())
    }
}

/// Parses sizes like `65536`, `64K`, `64KiB`, `1M`, `1MiB`, `16m` (powers of 1024).
pub fn parse_size(text: &str) -> Result<usize> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: usize = digits.parse().map_err(|_| EngineError::Config(format!("size {text:?} is not a number")))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(EngineError::Config(format!("size {text:?} has an unknown unit: use K, M or G"))),
    };
    n.checked_shl(shift)
        .filter(|v| v >> shift == n)
        .ok_or_else(|| EngineError::Config(format!("size {text:?} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("65536").unwrap(), 65536);
        assert_eq!(parse_size("64K").unwrap(), 64 << 10);
        assert_eq!(parse_size("1MiB").unwrap(), 1 << 20);
        assert_eq!(parse_size("16m").unwrap(), 16 << 20);
        assert!(parse_size("1X").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn validation() {
        assert!(EngineConfig::default().validate().is_ok());
        assert!(EngineConfig::default().with_block_size(1000).validate().is_err());
        assert!(EngineConfig::default().with_block_size(128 << 20).validate().is_err());
        assert!(EngineConfig::default().with_threads(0).validate().is_err());
    }

    #[test]
    fn records_validation() {
        let layout = RecordLayout::from_copybook("01 R. 05 A PIC 9(4). 05 B PIC X(6).").unwrap();
        let config = EngineConfig::default().with_records(layout.clone(), None);
        assert!(config.validate().is_ok());
        assert_eq!(config.record_len(), Some(10));
        // Records take L2 in every mode; Bridge's L1 then finds no single text stream.
        assert!(config.clone().with_mode(CompressionMode::Bridge).validate().is_ok());
        assert!(config.with_mode(CompressionMode::Maximal).validate().is_ok());
        assert!(EngineConfig::default().with_record_length(0).validate().is_err());
        let mut overlapping = layout;
        overlapping.fields[1].offset = 2;
        let err = EngineConfig::default().with_records(overlapping, None).validate().unwrap_err();
        assert!(err.to_string().contains("overlaps"), "{err}");
    }
}
