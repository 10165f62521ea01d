//! L8 Seal: the frame that carries a block, and the stream of frames.
//!
//! A stream is any sequence of frames: data frames (one block each, decodable on its
//! own) and skippable frames (metadata, passed over by decoders). Concatenating two
//! streams gives a valid stream.

mod frame;
mod header;
mod reader;
mod skippable;

pub use frame::{open, open_owned, seal, seal_compressed, seal_frame, seal_stored, seal_with_digest, sha256, verify};
pub use header::{FrameHeader, FLAG_SESSION, FORMAT_VERSION, FRAME_MAGIC, HEADER_LEN, MAX_BLOCK_LEN, SKIPPABLE_MAGIC};
pub use reader::{frame_extent, next_frame, FrameRef};
pub use skippable::{
    read_seek_table, skippable_len, write_seek_table, write_skippable, SeekEntry, SKIPPABLE_HEADER_LEN,
};
