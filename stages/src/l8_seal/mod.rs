//! L8 Seal: the frame that carries a block, and the stream of frames.
//!
//! A stream is a sequence of frames: data frames (one block each, decodable on its
//! own, each knowing where its block starts in the stream's data), skippable frames
//! (metadata, passed over by decoders), and an end frame that closes the stream with
//! its frame count, length and digest. Concatenating two streams gives a valid input.

mod end;
mod frame;
mod header;
mod reader;
mod skippable;
mod stream;

pub use end::{end_len, EndFrame, END_DIGEST_LEN, END_MAGIC, MAX_END_LEN, MIN_END_LEN};
pub use frame::{open, open_owned, seal, seal_compressed, seal_frame, seal_stored, sha256, verify};
pub use header::{
    header_len, FrameHeader, FramePlace, FLAG_SESSION, FORMAT_VERSION, FORMAT_VERSION_1, FRAME_MAGIC, HEADER_LEN,
    HEADER_LEN_V1, MAX_BLOCK_LEN, SKIPPABLE_MAGIC,
};
pub use reader::{frame_extent, next_frame, not_a_stream, shown, FrameRef};
pub use skippable::{
    read_seek_table, skippable_len, write_seek_table, write_skippable, SeekEntry, SKIPPABLE_HEADER_LEN,
};
pub use stream::{StreamCheck, StreamError, StreamSummary, StreamTally};
