//! Walking the frames of a stream held in memory.

use super::header::{FrameHeader, FRAME_MAGIC, HEADER_LEN, SKIPPABLE_MAGIC};
use super::skippable::{skippable_len, SKIPPABLE_HEADER_LEN};
use crate::error::{Error, Result};

/// One frame of a stream, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameRef<'a> {
    Data { header: FrameHeader, payload: &'a [u8] },
    Skippable { content: &'a [u8] },
}

/// Reads the frame at the start of `input`: the frame and the bytes it spans, or
/// `None` at the end of the stream. Truncation and bad magic are errors.
pub fn next_frame(input: &[u8]) -> Result<Option<(FrameRef<'_>, usize)>> {
    if input.is_empty() {
        return Ok(None);
    }
    if input.len() < 4 {
        return Err(Error::Truncated { what: "frame magic", needed: 4 - input.len() });
    }
    let magic: [u8; 4] = input[..4].try_into().expect("4 bytes");
    if magic == FRAME_MAGIC {
        let header = FrameHeader::parse(input)?;
        let end = HEADER_LEN + header.payload_len as usize;
        if input.len() < end {
            return Err(Error::Truncated { what: "frame payload", needed: end - input.len() });
        }
        return Ok(Some((FrameRef::Data { header, payload: &input[HEADER_LEN..end] }, end)));
    }
    if magic == SKIPPABLE_MAGIC {
        let len = skippable_len(input)? as usize;
        let end = SKIPPABLE_HEADER_LEN + len;
        if input.len() < end {
            return Err(Error::Truncated { what: "skippable frame", needed: end - input.len() });
        }
        return Ok(Some((FrameRef::Skippable { content: &input[SKIPPABLE_HEADER_LEN..end] }, end)));
    }
    Err(Error::corrupt("stream", format!("no frame magic: found {magic:02x?}")))
}

/// How long the frame at the start of `input` is, header included, once enough of it
/// has arrived to tell: `Ok(None)` means "need more bytes". For framing protocols
/// that must know where a frame ends before they hold all of it.
pub fn frame_extent(input: &[u8]) -> Result<Option<usize>> {
    if input.len() < 4 {
        return Ok(None);
    }
    let magic: [u8; 4] = input[..4].try_into().expect("4 bytes");
    if magic == FRAME_MAGIC {
        if input.len() < HEADER_LEN {
            return Ok(None);
        }
        return Ok(Some(FrameHeader::parse(input)?.frame_len()));
    }
    if magic == SKIPPABLE_MAGIC {
        if input.len() < SKIPPABLE_HEADER_LEN {
            return Ok(None);
        }
        return Ok(Some(SKIPPABLE_HEADER_LEN + skippable_len(input)? as usize));
    }
    Err(Error::corrupt("stream", format!("no frame magic: found {magic:02x?}")))
}
