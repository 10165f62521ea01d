//! Walking the frames of a stream held in memory.

use super::end::{end_len, EndFrame, END_MAGIC, MAX_END_LEN};
use super::header::{header_len, FrameHeader, FRAME_MAGIC, HEADER_LEN, SKIPPABLE_MAGIC};
use super::skippable::{skippable_len, SKIPPABLE_HEADER_LEN};
use crate::error::{Error, Result};

/// One frame of a stream, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameRef<'a> {
    /// A data frame: one block.
    Data { header: FrameHeader, payload: &'a [u8] },
    /// Metadata that decoders pass over.
    Skippable { content: &'a [u8] },
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
    let shown = &input[..input.len().min(16)];
    let printable = shown.iter().all(|&b| b == b' ' || b.is_ascii_graphic() || b == b'\n' || b == b'\t');
    let detail = if printable {
        format!("no frame magic: found {:?}", String::from_utf8_lossy(shown))
    } else {
        format!("no frame magic: found {:02x?}", &shown[..shown.len().min(4)])
    };
    Error::corrupt("stream (not a .cpz stream)", detail)
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

/// Bytes a streaming reader takes first: enough to tell every kind of frame apart and
/// to know how long its head is. Every frame is at least this long.
pub const HEAD_PREFIX_LEN: usize = 5;

/// The longest head [`head_len`] gives: a buffer of this size holds any frame's head.
pub const MAX_HEAD_LEN: usize = if HEADER_LEN > MAX_END_LEN { HEADER_LEN } else { MAX_END_LEN };

/// The head of a frame: what a streaming reader parses before it reads the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameHead {
    /// A data frame's header; its payload follows.
    Data(FrameHeader),
    /// A skippable frame; this many bytes of content follow.
    Skippable(u32),
    /// An end frame, whole.
    End(EndFrame),
}

impl FrameHead {
    /// Bytes that follow the head: what the reader reads next, and then the frame ends.
    pub fn body_len(&self) -> usize {
        match self {
            FrameHead::Data(header) => header.payload_len as usize,
            FrameHead::Skippable(len) => *len as usize,
            FrameHead::End(_) => 0,
        }
    }
}

/// The length of the head of the frame that starts with `prefix` (its first
/// [`HEAD_PREFIX_LEN`] bytes): a data frame's header, a skippable frame's 8 bytes, or
/// a whole end frame. Bad magic or an unknown version is an error.
pub fn head_len(prefix: &[u8]) -> Result<usize> {
    if prefix.len() >= 4 && ![FRAME_MAGIC, SKIPPABLE_MAGIC, END_MAGIC].iter().any(|m| prefix[..4] == *m) {
        return Err(not_a_stream(prefix));
    }
    if prefix.len() < HEAD_PREFIX_LEN {
        return Err(Error::Truncated { what: "frame magic", needed: HEAD_PREFIX_LEN - prefix.len() });
    }
    match prefix[..4].try_into().expect("4 bytes") {
        FRAME_MAGIC => header_len(prefix[4]),
        SKIPPABLE_MAGIC => Ok(SKIPPABLE_HEADER_LEN),
        END_MAGIC => end_len(prefix),
        _ => Err(not_a_stream(prefix)),
    }
}

/// Parses a frame's head: `head` holds exactly the [`head_len`] bytes.
pub fn parse_head(head: &[u8]) -> Result<FrameHead> {
    if head.len() < HEAD_PREFIX_LEN {
        return Err(Error::Truncated { what: "frame magic", needed: HEAD_PREFIX_LEN - head.len() });
    }
    match head[..4].try_into().expect("4 bytes") {
        FRAME_MAGIC => Ok(FrameHead::Data(FrameHeader::parse(head)?)),
        SKIPPABLE_MAGIC => Ok(FrameHead::Skippable(skippable_len(head)?)),
        END_MAGIC => Ok(FrameHead::End(EndFrame::parse(head)?)),
        _ => Err(not_a_stream(head)),
    }
}
