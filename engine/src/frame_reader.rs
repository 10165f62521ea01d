//! The one walk over a stream of frames, without I/O: every reader of the engine (the
//! slice decoder, the std and async stream decoders, the pipeline's source, the io
//! adapters and codec, `cobolp info`) hands it the bytes it holds and does what it
//! says. It decides where frames begin and end, passes over skippable frames, checks
//! every length against its cap before anything is gathered, holds the frames to their
//! stream ([`StreamCheck`]), and names the frame in every error.

use std::io::Read;

use cobolp_stages::l8_seal::{
    frame_extent, next_frame, EndFrame, FrameHeader, StreamCheck, StreamSummary, END_MAGIC, FRAME_MAGIC, HEADER_LEN,
    MAX_BLOCK_LEN, SKIPPABLE_HEADER_LEN, SKIPPABLE_MAGIC,
};
use cobolp_stages::Error as StageError;

use crate::error::{EngineError, Result};
use crate::unfinished::Unfinished;

/// The largest frame a reader accepts unless told otherwise: the header and the
/// largest block the format allows, so every valid data frame.
pub const DEFAULT_MAX_FRAME_LENGTH: usize = MAX_BLOCK_LEN + HEADER_LEN;

/// Bytes shown of an input where no frame starts.
const SHOWN: usize = 16;

/// Skippable frames up to this length are handed over whole (metadata, seek tables);
/// longer ones are passed over in pieces, never gathered.
const WHOLE_SKIPPABLE: usize = 64 << 10;

/// What comes next in the stream, as [`FrameReader::next`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next<'a> {
    /// Nothing can be done until the input holds at least this many bytes in all.
    /// Only once a frame's length is known is this the whole frame; it never exceeds
    /// the maximum frame length.
    NeedMore(usize),
    /// A data frame, in its place in its stream: decode it.
    Data {
        /// Its header, checked.
        header: FrameHeader,
        /// Its payload.
        payload: &'a [u8],
        /// Bytes of the input it spans.
        len: usize,
        /// Its index among the input's data frames.
        index: u64,
        /// Its byte offset in the input.
        offset: u64,
    },
    /// A skippable frame, whole.
    Skippable {
        /// Its content.
        content: &'a [u8],
        /// Bytes of the input it spans.
        len: usize,
    },
    /// This many bytes of a long skippable frame were passed over.
    Skipped(usize),
    /// The end of a stream, which matched its frames.
    End {
        /// What it says of its stream.
        end: EndFrame,
        /// Bytes of the input it spans.
        len: usize,
    },
}

impl Next<'_> {
    /// Bytes of the input this step used: drop them before the next call.
    pub fn used(&self) -> usize {
        match *self {
            Next::NeedMore(_) => 0,
            Next::Data { len, .. } | Next::Skippable { len, .. } | Next::End { len, .. } => len,
            Next::Skipped(n) => n,
        }
    }
}

/// A walk over the frames of an input (concatenated streams included).
#[derive(Debug, Clone)]
pub struct FrameReader {
    max_frame_len: usize,
    unfinished: Unfinished,
    /// Data frames read.
    index: u64,
    /// Byte offset of the frame being read, in the input.
    offset: u64,
    /// Content of a long skippable frame still to pass over, and its full length.
    skip: u64,
    skip_frame_len: u64,
    check: StreamCheck,
}

impl Default for FrameReader {
    fn default() -> Self {
        FrameReader::new()
    }
}

impl FrameReader {
    /// A reader at the start of an input, accepting every valid frame, rejecting a
    /// stream without its end.
    pub fn new() -> FrameReader {
        FrameReader {
            max_frame_len: DEFAULT_MAX_FRAME_LENGTH,
            unfinished: Unfinished::Reject,
            index: 0,
            offset: 0,
            skip: 0,
            skip_frame_len: 0,
            check: StreamCheck::default(),
        }
    }

    /// Refuses frames longer than `max` bytes (header included), from their header.
    pub fn set_max_frame_len(&mut self, max: usize) {
        self.max_frame_len = max;
    }

    /// The longest frame it accepts.
    pub fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// What an input that ends inside a stream is.
    pub fn set_unfinished(&mut self, unfinished: Unfinished) {
        self.unfinished = unfinished;
    }

    /// Data frames read so far.
    pub fn frames(&self) -> u64 {
        self.index
    }

    /// Bytes of the input walked so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn error(&self, source: StageError) -> EngineError {
        match source {
            StageError::NoFrame { found } if self.offset == 0 => EngineError::NotAStream { start: found },
            source => EngineError::Frame { index: self.index, offset: self.offset, source },
        }
    }

    /// Looks at the front of `input` (the input from the current frame on).
    pub fn next<'a>(&mut self, input: &'a [u8]) -> Result<Next<'a>> {
        if self.skip > 0 {
            if input.is_empty() {
                return Ok(Next::NeedMore(1));
            }
            let n = self.skip.min(input.len() as u64);
            self.skip -= n;
            if self.skip == 0 {
                self.offset += self.skip_frame_len;
            }
            return Ok(Next::Skipped(n as usize));
        }
        // Bytes that start no frame: take a few more first, to show them in the error.
        let known = [FRAME_MAGIC, SKIPPABLE_MAGIC, END_MAGIC];
        if (4..SHOWN).contains(&input.len()) && !known.iter().any(|m| input[..4] == *m) {
            return Ok(Next::NeedMore(SHOWN));
        }
        let len = match frame_extent(input).map_err(|e| self.error(e))? {
            Some(len) => len,
            None => {
                let need = match input.get(..4) {
                    None => 4,
                    Some(magic) if magic == FRAME_MAGIC => HEADER_LEN,
                    Some(_) => SKIPPABLE_HEADER_LEN,
                };
                return Ok(Next::NeedMore(need));
            }
        };
        if input[..4] == SKIPPABLE_MAGIC && len > WHOLE_SKIPPABLE.min(self.max_frame_len) {
            self.skip = (len - SKIPPABLE_HEADER_LEN) as u64;
            self.skip_frame_len = len as u64;
            return Ok(Next::Skipped(SKIPPABLE_HEADER_LEN));
        }
        if len > self.max_frame_len {
            return Err(self.error(StageError::TooLarge {
                what: "frame (maximum frame length)",
                value: len as u64,
                limit: self.max_frame_len as u64,
            }));
        }
        if input.len() < len {
            return Ok(Next::NeedMore(len));
        }
        let (frame, _) = next_frame(&input[..len]).map_err(|e| self.error(e))?.expect("a whole frame");
        let (index, offset) = (self.index, self.offset);
        let next = match frame {
            cobolp_stages::l8_seal::FrameRef::Data { header, payload } => {
                self.check.data(&header).map_err(|e| self.error(e))?;
                self.index += 1;
                Next::Data { header, payload, len, index, offset }
            }
            cobolp_stages::l8_seal::FrameRef::Skippable { content } => Next::Skippable { content, len },
            cobolp_stages::l8_seal::FrameRef::End(end) => {
                self.check.end(&end).map_err(|e| self.error(e))?;
                Next::End { end, len }
            }
        };
        self.offset += len as u64;
        Ok(next)
    }

    /// The input ended with `rest` unread (less than a frame): what it held, when
    /// `rest` is empty, no skippable frame is open and the last stream has its end (or
    /// the reader accepts one without); else the error that names the truncated frame
    /// or the missing end (`UnexpectedEof` as an `io::Error`).
    pub fn finish(&self, rest: &[u8]) -> Result<StreamSummary> {
        if self.skip > 0 {
            let needed = usize::try_from(self.skip).unwrap_or(usize::MAX);
            return Err(self.error(StageError::Truncated { what: "skippable frame", needed }));
        }
        let known = [FRAME_MAGIC, SKIPPABLE_MAGIC, END_MAGIC];
        if rest.len() < 4 && !rest.is_empty() && !known.iter().any(|m| m.starts_with(rest)) {
            return Err(self.error(cobolp_stages::l8_seal::not_a_stream(rest)));
        }
        match next_frame(rest) {
            Ok(None) => self.unfinished.judge(&self.check).map_err(|e| self.error(e)),
            Err(e) => Err(self.error(e)),
            // Callers walk every complete frame before they finish.
            Ok(Some(_)) => Err(self.error(StageError::Corrupt {
                what: "stream",
                detail: "a complete frame was left unread at the end".into(),
            })),
        }
    }
}

/// A frame as [`ReadFrames`] hands it over, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A data frame in its place in its stream, and its payload.
    Data {
        /// Its header, checked.
        header: FrameHeader,
        /// Its payload.
        payload: Vec<u8>,
        /// Its index among the input's data frames.
        index: u64,
        /// Its byte offset in the input.
        offset: u64,
    },
    /// A skippable frame's content (only those short enough to hand over whole).
    Skippable(Vec<u8>),
    /// The end of a stream, which matched its frames.
    End(EndFrame),
}

/// A [`FrameReader`] over a `std::io::Read`: reads what the walk needs, no more.
#[derive(Debug)]
pub struct ReadFrames<R> {
    frames: FrameReader,
    source: R,
    held: Vec<u8>,
    /// Bytes of `held` the last step used, dropped before the next.
    used: usize,
    summary: Option<StreamSummary>,
}

impl<R: std::io::Read> ReadFrames<R> {
    /// Frames of `source`, walked by `frames` (a new one, or one set up with its limit
    /// and what it makes of a stream without its end).
    pub fn new(source: R, frames: FrameReader) -> ReadFrames<R> {
        ReadFrames { frames, source, held: Vec::new(), used: 0, summary: None }
    }

    /// The next data, skippable or end frame, or `None` once the input has ended (and
    /// [`FrameReader::finish`] found it whole: see [`summary`](Self::summary)).
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        loop {
            self.held.drain(..std::mem::take(&mut self.used));
            let next = self.frames.next(&self.held)?;
            self.used = next.used();
            match next {
                Next::NeedMore(need) => {
                    let want = need.saturating_sub(self.held.len()).max(1);
                    self.held.reserve_exact(want);
                    let got = (&mut self.source)
                        .take(want as u64)
                        .read_to_end(&mut self.held)
                        .map_err(|e| EngineError::io("reading input", e))?;
                    if got == 0 {
                        self.summary = Some(self.frames.finish(&self.held)?);
                        return Ok(None);
                    }
                }
                Next::Skipped(_) => {}
                Next::Skippable { content, .. } => return Ok(Some(Frame::Skippable(content.to_vec()))),
                Next::End { end, .. } => return Ok(Some(Frame::End(end))),
                Next::Data { header, index, offset, len, .. } => {
                    // What the reader asked for is the frame alone: it becomes the payload.
                    debug_assert_eq!(self.held.len(), len);
                    self.used = 0;
                    let mut payload = std::mem::take(&mut self.held);
                    payload.drain(..header.header_len());
                    return Ok(Some(Frame::Data { header, payload, index, offset }));
                }
            }
        }
    }

    /// What the input held, once [`next_frame`](Self::next_frame) returned `None`.
    pub fn summary(&self) -> Option<StreamSummary> {
        self.summary
    }

    /// The walk: frames and bytes read so far.
    pub fn reader(&self) -> &FrameReader {
        &self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cobolp_stages::l8_seal::{write_skippable, StreamTally};

    /// A stream of `n` stored frames of 10 bytes and its end.
    fn stream(n: usize) -> Vec<u8> {
        let engine = crate::InlineEngine::new(&crate::EngineConfig::default()).unwrap();
        let mut out = Vec::new();
        let mut tally = StreamTally::default();
        for i in 0..n {
            let frame = engine.compress_frame(i as u64, 10 * i as u64, &[b'a' + i as u8; 10]).unwrap();
            tally.add(&frame.header);
            out.extend_from_slice(&frame.bytes);
        }
        tally.end_frame().write(&mut out);
        out
    }

    /// Walks `input` fed `piece` bytes at a time; the kinds of step it saw.
    fn walk(input: &[u8], piece: usize) -> Result<Vec<&'static str>> {
        let mut reader = FrameReader::new();
        let (mut held, mut fed, mut seen) = (Vec::new(), 0, Vec::new());
        loop {
            let next = reader.next(&held)?;
            let used = next.used();
            match next {
                Next::NeedMore(_) if fed == input.len() => {
                    reader.finish(&held)?;
                    return Ok(seen);
                }
                Next::NeedMore(n) => {
                    let take = (n.saturating_sub(held.len())).max(1).min(piece).min(input.len() - fed);
                    held.extend_from_slice(&input[fed..fed + take]);
                    fed += take;
                }
                Next::Data { .. } => seen.push("data"),
                Next::Skippable { .. } => seen.push("skippable"),
                Next::Skipped(_) => seen.push("skipped"),
                Next::End { .. } => seen.push("end"),
            }
            held.drain(..used);
        }
    }

    #[test]
    fn walks_frames_in_any_pieces_and_skips_long_metadata_in_pieces() {
        let mut input = Vec::new();
        write_skippable(b"seek", &mut input).unwrap();
        input.extend_from_slice(&stream(3));
        write_skippable(&vec![7u8; WHOLE_SKIPPABLE + 1], &mut input).unwrap();
        for piece in [1, 7, 100, 1 << 20] {
            let seen = walk(&input, piece).unwrap();
            assert_eq!(&seen[..5], ["skippable", "data", "data", "data", "end"], "pieces of {piece}");
            assert!(seen[5..].iter().all(|s| *s == "skipped"));
        }
    }

    #[test]
    fn a_cut_or_reordered_stream_is_an_error_naming_the_frame() {
        let whole = stream(3);
        let cut = walk(&whole[..whole.len() - 1], 50).unwrap_err();
        assert!(matches!(cut, EngineError::Frame { index: 3, source: StageError::Truncated { .. }, .. }), "{cut}");
        let mut reader = FrameReader::new();
        assert!(matches!(reader.finish(&[]), Err(EngineError::Frame { source: StageError::Unfinished { .. }, .. })));
        reader.set_unfinished(Unfinished::Accept);
        assert_eq!(reader.finish(&[]).unwrap().unfinished, Some((0, 0)));
        let mut twice = whole.clone();
        twice.extend_from_slice(&whole);
        assert_eq!(walk(&twice, 64).unwrap().len(), 8, "concatenated streams");
    }

    #[test]
    fn frames_over_the_limit_are_refused_from_their_header() {
        let whole = stream(1);
        let mut reader = FrameReader::new();
        reader.set_max_frame_len(HEADER_LEN + 5);
        let err = reader.next(&whole[..HEADER_LEN]).unwrap_err();
        assert!(err.to_string().contains("maximum frame length"), "{err}");
    }
}
