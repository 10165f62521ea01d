//! The layers of the COBOL Protocol engine as pure, synchronous encode/decode pairs,
//! the block model they share, and the frame format that L8 writes.
//!
//! Nothing here knows of threads or async runtimes: the engine crate runs these
//! functions, and each of them can be tested alone.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod block;
pub mod block_buffers;
pub mod cobol;
pub mod decimal;
pub mod entropy_estimate;
pub mod error;
pub mod fast_hash;
mod kept;
pub mod l1_templates;
pub mod l2_records;
pub mod l3_delta;
pub mod l4_binary;
pub mod l5_rle;
pub mod l6_pattern;
pub mod l7_entropy;
pub mod l8_seal;
pub mod trial;
pub mod typed_columns;
pub mod varint;

#[cfg(test)]
mod test_rng;

pub use block::{Block, Layer, LayerId, LayerSet, Stream, StreamKind};
pub use error::{Error, Result};
