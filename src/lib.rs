//! # COBOL Protocol engine
//!
//! A lossless, streaming compression engine for logs, COBOL and mainframe records and
//! everything else. Data passes through layers (L5 RLE, L6 pattern search, L7 entropy
//! coding, L8 seal with SHA-256 per block) run as a pipeline of async stages.
//!
//! ```
//! let data = b"GET /index.html 200\n".repeat(1000);
//! let packed = cobol_protocol::compress(&data)?;
//! assert!(packed.len() < data.len() / 20);
//! assert_eq!(cobol_protocol::decompress(&packed)?, data);
//! # Ok::<(), cobol_protocol::EngineError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod compat;

pub use cobolp_engine::{
    parse_size, CompressionMode, EngineConfig, EngineError, FrameCodec, InlineEngine, Level, Unfinished,
    DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE,
};
#[cfg(feature = "pipeline")]
pub use cobolp_engine::{Pipeline, PipelineConfig, PipelineReport, Progress, StageReport};
pub use cobolp_io::{
    bufread, sync, write, AtomicFile, CpzCodec, CpzCodecBuilder, EndOfStream, StreamSummary, DEFAULT_MAX_FRAME_LENGTH,
};
/// The layers themselves (L1 to L8) and the frame format, for those who compose them:
/// each layer is a pure, synchronous encode/decode pair over the block model.
pub use cobolp_stages as layers;

/// Walking the frames of a stream without decoding them: for tools that inspect,
/// index or split streams (`cobolp info` is one).
pub mod frames {
    pub use cobolp_engine::{Frame, FrameReader, Next, ReadFrames};
}
pub use compat::{BlockMetadata, CobolEngine, DualModeEngine};

#[cfg(feature = "pipeline")]
use tokio::io::{AsyncRead, AsyncWrite};

/// Compresses a slice with the default settings (Bridge mode, 1 MiB blocks; the
/// command line uses 2 MiB for Bridge).
pub fn compress(data: &[u8]) -> Result<Vec<u8>, EngineError> {
    compress_with(data, &EngineConfig::default())
}

/// Compresses a slice with the given settings, on the calling thread.
pub fn compress_with(data: &[u8], config: &EngineConfig) -> Result<Vec<u8>, EngineError> {
    InlineEngine::new(config)?.compress_to_vec(data)
}

/// Decompresses every frame of `data`; concatenated streams decode as one. A stream
/// without its end, or damaged anywhere, is an error. The output's size is what the
/// frames say: for data from a source you do not trust, [`decompress_with_limit`].
pub fn decompress(data: &[u8]) -> Result<Vec<u8>, EngineError> {
    decompress_with_limit(data, usize::MAX)
}

/// As [`decompress`], refusing (before decoding it) any frame that would take the
/// output past `limit` bytes.
///
/// ```
/// let packed = cobol_protocol::compress(&[7u8; 100_000])?;
/// assert!(cobol_protocol::decompress_with_limit(&packed, 1000).is_err());
/// assert_eq!(cobol_protocol::decompress_with_limit(&packed, 100_000)?.len(), 100_000);
/// # Ok::<(), cobol_protocol::EngineError>(())
/// ```
pub fn decompress_with_limit(data: &[u8], limit: usize) -> Result<Vec<u8>, EngineError> {
    let mut out = Vec::new();
    InlineEngine::new(&EngineConfig::default())?.decompress_into_limited(data, &mut out, limit)?;
    Ok(out)
}

/// Compresses everything `reader` yields into `writer` through the pipelined engine.
#[cfg(feature = "pipeline")]
pub async fn compress_stream<R, W>(reader: R, writer: W, config: &EngineConfig) -> Result<PipelineReport, EngineError>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    Pipeline::new(config.clone())?.compress(reader, writer).await
}

/// Decompresses everything `reader` yields into `writer` through the pipelined engine.
#[cfg(feature = "pipeline")]
pub async fn decompress_stream<R, W>(reader: R, writer: W, config: &EngineConfig) -> Result<PipelineReport, EngineError>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    Pipeline::new(config.clone())?.decompress(reader, writer).await
}
