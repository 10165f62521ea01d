//! Compression modes and the layers each one runs.

use std::sync::Arc;

use cobolp_stages::l1_templates::TemplateLayer;
use cobolp_stages::l2_records::{RecordConfig, RecordLayer};
use cobolp_stages::l3_delta::DeltaLayer;
use cobolp_stages::l4_binary::BinaryLayer;
use cobolp_stages::l5_rle::RleLayer;
use cobolp_stages::l6_pattern::{MatchParams, PatternLayer};
use cobolp_stages::l7_entropy::EntropyLayer;
use cobolp_stages::{Layer, LayerId};

use crate::error::{EngineError, Result};
use crate::level::Level;

/// Which layers the encoder runs. Any decoder reads frames of every mode: the frame
/// records the layers applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CompressionMode {
    /// L5 → L6 → L7 → L8: general purpose, for any bytes.
    Legacy,
    /// All eight layers, structure-aware; the default. A block the structural layers
    /// do not pay on (not text, not records) is compressed as Legacy would.
    #[default]
    Bridge,
    /// Bridge with the slowest, strongest settings.
    Maximal,
}

impl std::str::FromStr for CompressionMode {
    type Err = EngineError;

    fn from_str(name: &str) -> Result<CompressionMode> {
        match name.to_ascii_lowercase().as_str() {
            "legacy" => Ok(CompressionMode::Legacy),
            "bridge" => Ok(CompressionMode::Bridge),
            "maximal" => Ok(CompressionMode::Maximal),
            other => Err(EngineError::Config(format!("unknown mode {other:?}: expected legacy, bridge or maximal"))),
        }
    }
}

impl CompressionMode {
    /// The mode's name, as `cobolp --mode` takes it.
    pub fn name(self) -> &'static str {
        match self {
            CompressionMode::Legacy => "legacy",
            CompressionMode::Bridge => "bridge",
            CompressionMode::Maximal => "maximal",
        }
    }

    /// The mode of a name, whatever its case (as [`FromStr`](std::str::FromStr)).
    pub fn parse(name: &str) -> Result<CompressionMode> {
        name.parse()
    }

    /// The layers this mode applies, in encoding order (L8 is the container, not listed).
    ///
    /// Bridge puts L1 (the template split of text; it declines on blocks where it does
    /// not pay, which then go on as Legacy's) before Legacy's layers. Maximal adds the
    /// strong match search.
    pub fn encoder_layers(self) -> Result<Vec<Arc<dyn Layer>>> {
        self.encoder_layers_for(None, Level::DEFAULT)
    }

    /// As [`CompressionMode::encoder_layers`], with L2 records first when `records`
    /// describes the data, and L3 and L4, which code the integer columns L2 makes,
    /// before L5 (Legacy: L2 → L3 → L4 → L5 → L6 → L7; in Bridge, L1 passes over a
    /// block L2 has taken, as `Layer::encode_in_turn` passes over any block a later
    /// layer has reached: its decoder undoes L2 before L1; L3 and L4 pass over a block
    /// L1 took, which it hands on with L5-L7 applied).
    pub fn encoder_layers_for(self, records: Option<&RecordConfig>, level: Level) -> Result<Vec<Arc<dyn Layer>>> {
        let mut layers: Vec<Arc<dyn Layer>> = Vec::new();
        let plain = self.plain_layers(level, records.is_some());
        match records {
            Some(config) => {
                layers.push(Arc::new(RecordLayer::new(config.clone())));
                // L1 (Bridge, Maximal) stays before the typed-column layers, L5-L7 after.
                let legacy_from = plain.len() - 3;
                let mut plain = plain.into_iter();
                layers.extend(plain.by_ref().take(legacy_from));
                layers.push(Arc::new(DeltaLayer));
                layers.push(Arc::new(BinaryLayer));
                layers.extend(plain);
            }
            None => layers.extend(plain),
        }
        Ok(layers)
    }

    /// L1 (Bridge, Maximal) and L5-L7; `records`: whether L2's columns come first.
    fn plain_layers(self, level: Level, records: bool) -> Vec<Arc<dyn Layer>> {
        // L1's trials search as the split's streams were tuned; a split L1 tried comes
        // coded with that search.
        let pattern = PatternLayer { params: level.split_match_params(self) };
        // L6 otherwise: a block Bridge does not split is coded as Legacy's (so is a
        // small split L1 hands on untried, at levels 1 and 2); L2's columns keep the
        // shared search, which they were tuned with (Legacy's own ladder codes
        // `bank_txn.dat`'s 1.2-1.6% larger); Maximal keeps its own search throughout.
        let after_split = match (self, records) {
            (CompressionMode::Maximal, _) => PatternLayer { params: level.match_params(self) },
            (_, true) => PatternLayer { params: level.match_params(CompressionMode::Bridge) },
            (_, false) => PatternLayer { params: level.match_params(CompressionMode::Legacy) },
        };
        let legacy: [Arc<dyn Layer>; 3] = [Arc::new(RleLayer), Arc::new(after_split), Arc::new(EntropyLayer)];
        match self {
            CompressionMode::Legacy => legacy.into(),
            CompressionMode::Bridge | CompressionMode::Maximal => {
                let decision = level.split_decision();
                std::iter::once(Arc::new(TemplateLayer { pattern, decision }) as Arc<dyn Layer>).chain(legacy).collect()
            }
        }
    }

    /// The block size the command line uses for the mode at `level` unless told
    /// otherwise: 2 MiB for Legacy and Bridge (Bridge's recent-word lists and keyed
    /// columns find more in a longer block, Legacy's matches reach further); 4 MiB for
    /// Maximal, for twice the memory. The levels that search hardest (Bridge's 7 to 9,
    /// Maximal's 6 to 9) take blocks twice as long, 2.5-4.2% smaller over the corpus
    /// logs and text, for twice the memory, and so do Legacy's above the default, with
    /// which its ladder was tuned (its level 9 four times: 8 MiB, as far as zstd's top
    /// levels reach). The measurements are in docs/ARCHITECTURE.md,
    /// "Block sizes by mode" and "Legacy's ladder".
    pub fn default_block_size(self, level: Level) -> usize {
        const MIB: usize = 1 << 20;
        match (self, level.get()) {
            (CompressionMode::Legacy, ..=3) | (CompressionMode::Bridge, ..=6) => 2 * MIB,
            (CompressionMode::Legacy, 4..=8) | (CompressionMode::Bridge, _) | (CompressionMode::Maximal, ..=5) => {
                4 * MIB
            }
            (CompressionMode::Legacy, _) | (CompressionMode::Maximal, _) => 8 * MIB,
        }
    }
}

impl std::fmt::Display for CompressionMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Every layer this decoder can undo, in decoding order (highest layer first).
pub fn decoder_layers() -> Vec<Arc<dyn Layer>> {
    vec![
        Arc::new(EntropyLayer),
        Arc::new(PatternLayer { params: MatchParams::default() }),
        Arc::new(RleLayer),
        Arc::new(BinaryLayer),
        Arc::new(DeltaLayer),
        Arc::new(TemplateLayer::default()),
        Arc::new(RecordLayer::decoder()),
    ]
}

/// The layers a decoder built from [`decoder_layers`] understands, plus L8.
pub fn decodable(layers: &[Arc<dyn Layer>]) -> u8 {
    layers.iter().fold(1 << LayerId::Seal as u8, |m, l| m | 1 << l.id() as u8)
}
