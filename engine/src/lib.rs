//! The runtime of the COBOL Protocol engine: the plan each block follows, and the two
//! executors that run it, inline (synchronous) and pipelined (async stages joined by
//! bounded channels, CPU work on rayon).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod cut;
mod error;
mod frame_codec;
mod frame_reader;
mod inline;
mod level;
#[cfg(feature = "pipeline")]
mod metrics;
mod mode;
#[cfg(feature = "pipeline")]
mod pipeline;
mod plan;
mod pool;
mod unfinished;

pub use config::{parse_size, EngineConfig, DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};
pub use cut::{blocks, BlockCutter};
pub use error::{EngineError, Result};
pub use frame_codec::{DetachedFrame, FrameCodec, SESSION_WINDOW};
pub use frame_reader::{Frame, FrameReader, Next, ReadFrames, DEFAULT_MAX_FRAME_LENGTH};
pub use inline::{EncodedFrame, InlineEngine};
pub use level::Level;
#[cfg(feature = "pipeline")]
pub use metrics::{PipelineReport, StageReport};
pub use mode::CompressionMode;
#[cfg(feature = "pipeline")]
pub use pipeline::{Pipeline, PipelineConfig, Progress};
pub use pool::shared_pool;
pub use unfinished::Unfinished;
