//! Walking the frames of a stream held in memory.

use super::end::{end_len, EndFrame, END_MAGIC};
use super::header::{header_len, FrameHeader, FRAME_MAGIC, SKIPPABLE_MAGIC};
use super::skippable::{skippable_len, SKIPPABLE_HEADER_LEN};
use crate::error::{Error, Result};

/// One frame of a stream, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameRef<'a> {
    /// A data frame: one block.
    Data {
        /// Its header, checked.
        header: FrameHeader,
        /// Its payload.
        payload: &'a [u8],
    },
    /// Metadata that decoders pass over.
    Skippable {
        /// Its content.
        content: &'a [u8],
    },
    /// The end of a stream.
    End(EndFrame),
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
        let end = header.frame_len();
        if input.len() < end {
            return Err(Error::Truncated { what: "frame payload", needed: end - input.len() });
        }
        return Ok(Some((FrameRef::Data { header, payload: &input[header.header_len()..end] }, end)));
    }
    if magic == END_MAGIC {
        let end = EndFrame::parse(input)?;
        return Ok(Some((FrameRef::End(end), end.encoded_len())));
    }
    if magic == SKIPPABLE_MAGIC {
        let len = skippable_len(input)? as usize;
        let end = SKIPPABLE_HEADER_LEN + len;
        if input.len() < end {
            return Err(Error::Truncated { what: "skippable frame", needed: end - input.len() });
        }
        return Ok(Some((FrameRef::Skippable { content: &input[SKIPPABLE_HEADER_LEN..end] }, end)));
    }
    Err(not_a_stream(input))
}

/// The error for bytes where a frame should start, showing them as text when they are.
pub fn not_a_stream(input: &[u8]) -> Error {
    Error::NoFrame { found: input[..input.len().min(16)].to_vec() }
}

/// Bytes as a person reads them: quoted text when they are printable, else the first
/// four in hex.
pub fn shown(bytes: &[u8]) -> String {
    let printable = bytes.iter().all(|&b| b == b' ' || b.is_ascii_graphic() || b == b'\n' || b == b'\t');
    if printable {
        format!("{:?}", String::from_utf8_lossy(bytes))
    } else {
        format!("{:02x?}", &bytes[..bytes.len().min(4)])
    }
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
        match input.get(4) {
            Some(&version) if input.len() >= header_len(version)? => {
                return Ok(Some(FrameHeader::parse(input)?.frame_len()))
            }
            _ => return Ok(None),
        }
    }
    if magic == END_MAGIC {
        return if input.len() < 5 { Ok(None) } else { end_len(input).map(Some) };
    }
    if magic == SKIPPABLE_MAGIC {
        if input.len() < SKIPPABLE_HEADER_LEN {
            return Ok(None);
        }
        return Ok(Some(SKIPPABLE_HEADER_LEN + skippable_len(input)? as usize));
    }
    Err(not_a_stream(input))
}
