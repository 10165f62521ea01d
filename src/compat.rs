//! The names the original engine's users know, in Rust form: `CobolEngine` for one
//! block at a time with its metadata, and `DualModeEngine` for whole buffers in a mode.

use bytes::Bytes;
use cobolp_engine::{CompressionMode, EngineConfig, EngineError, InlineEngine};
use cobolp_stages::l8_seal::{self, FrameRef};
use cobolp_stages::{Error as StageError, LayerId};

/// What `CobolEngine::compress_block` reports about a block.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockMetadata {
    /// Bytes of the block.
    pub original_size: usize,
    /// Bytes of its frame, header included.
    pub compressed_size: usize,
    /// original / compressed.
    pub ratio: f64,
    /// Layers applied, lowest first; L8 (the frame itself) is not listed, so a stored
    /// block has none.
    pub layers_applied: Vec<LayerId>,
    /// SHA-256 of the original block.
    pub sha256: [u8; 32],
    /// Order-0 entropy of the original block, bits per byte.
    pub entropy: f64,
}

/// Compresses and decompresses single blocks, each into one self-contained frame.
#[derive(Debug)]
pub struct CobolEngine {
    inline: InlineEngine,
}

impl CobolEngine {
    /// An engine with these settings.
    pub fn new(config: &EngineConfig) -> Result<CobolEngine, EngineError> {
        Ok(CobolEngine { inline: InlineEngine::new(config)? })
    }

    /// Compresses `block` (at most 64 MiB) into one frame.
    pub fn compress_block(&self, block: &[u8]) -> Result<(Bytes, BlockMetadata), EngineError> {
        let frame = self.inline.compress_frame(0, 0, block)?;
        let header = frame.header;
        let metadata = BlockMetadata {
            original_size: block.len(),
            compressed_size: frame.bytes.len(),
            ratio: block.len() as f64 / frame.bytes.len() as f64,
            layers_applied: header.layers.iter().filter(|l| *l != LayerId::Seal).collect(),
            sha256: header.sha256,
            entropy: cobolp_stages::entropy_estimate::bits_per_byte(block),
        };
        Ok((Bytes::from(frame.bytes), metadata))
    }

    /// Decompresses one frame made by [`CobolEngine::compress_block`].
    pub fn decompress_block(&self, frame: &[u8]) -> Result<Bytes, EngineError> {
        let at = |source| EngineError::Frame { index: 0, offset: 0, source };
        match l8_seal::next_frame(frame).map_err(at)? {
            Some((FrameRef::Data { header, payload }, len)) if len == frame.len() => {
                Ok(Bytes::from(self.inline.decompress_frame(0, 0, header, payload)?))
            }
            Some((FrameRef::Data { .. }, len)) => Err(at(StageError::Corrupt {
                what: "block",
                detail: format!("{} bytes after the frame", frame.len() - len),
            })),
            _ => Err(at(StageError::Corrupt { what: "block", detail: "no data frame".into() })),
        }
    }
}

/// Compresses whole buffers in one of the three modes.
#[derive(Debug)]
pub struct DualModeEngine {
    mode: CompressionMode,
    inline: InlineEngine,
}

impl DualModeEngine {
    /// Fails with a clear error for a mode this version cannot run.
    pub fn new(mode: CompressionMode) -> Result<DualModeEngine, EngineError> {
        let config = EngineConfig::default().with_mode(mode);
        Ok(DualModeEngine { mode, inline: InlineEngine::new(&config)? })
    }

    /// The mode it compresses in.
    pub fn mode(&self) -> CompressionMode {
        self.mode
    }

    /// `data` compressed into a stream of its own.
    pub fn compress(&self, data: &[u8]) -> Result<Vec<u8>, EngineError> {
        self.inline.compress_to_vec(data)
    }

    /// Decompresses frames of any mode.
    pub fn decompress(&self, data: &[u8]) -> Result<Vec<u8>, EngineError> {
        self.inline.decompress_to_vec(data)
    }
}
