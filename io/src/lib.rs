//! Adapters between the COBOL Protocol engine and the world outside it:
//!
//! - [`AtomicFile`]: output files that appear only when complete;
//! - [`CpzCodec`]: a `tokio_util::codec` codec, one message per frame, for `Framed`;
//! - [`bufread`] and [`write`](mod@write): async stream adapters over `AsyncBufRead` and
//!   `AsyncWrite`, shaped like async-compression's;
//! - [`sync`]: the same over `std::io::Read` and `Write`.
//!
//! Every adapter drives one framing state machine (`frames.rs`), so they agree on
//! where blocks end, when frames go out, how skippable frames, concatenated streams,
//! truncation and damage are handled, and what the errors say: a damaged frame is an
//! `InvalidData` error naming the frame (its index among data frames and its byte
//! offset), a stream cut inside a frame an `UnexpectedEof` after the data of every
//! complete frame before it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod adapter_api;
mod atomic_file;
pub mod bufread;
mod codec;
mod frames;
pub mod sync;
mod wake_timer;
pub mod write;

pub use atomic_file::AtomicFile;
pub use cobolp_engine::Unfinished;
pub use cobolp_engine::DEFAULT_MAX_FRAME_LENGTH;
pub use cobolp_engine::{CompressionMode, EngineConfig, Level};
pub use cobolp_stages::l8_seal::StreamSummary;
pub use codec::{CpzCodec, CpzCodecBuilder, EndOfStream};
