//! The stream as a whole: every data frame knows where its block starts in its
//! stream's data, and an end frame closes the stream with its frame count, length and
//! digest. [`StreamTally`] keeps that account for an encoder; [`StreamCheck`] holds a
//! decoder's frames to it, so that a lost, repeated, reordered or foreign frame, or a
//! stream without its end, is an error and never a short or shuffled output.

use sha2::{Digest, Sha256};

use super::end::{EndFrame, END_DIGEST_LEN};
use super::header::{FrameHeader, FORMAT_VERSION_1};
use crate::error::{Error, Result};

/// What is wrong with the order of a stream's frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The frame starts past the data decoded so far: the frames between were lost.
    #[error("frames missing: this frame's block starts at byte {found} of the stream's data, but the frames before it hold {expected} bytes (bytes {expected}..{found} were lost)")]
    Missing {
        /// Bytes of the stream decoded so far.
        expected: u64,
        /// Where the frame's block starts.
        found: u64,
    },
    /// The frame starts before the data decoded so far, and not at a stream's start.
    #[error("frame out of order or repeated: its block starts at byte {found} of the stream's data, after {expected} bytes were decoded")]
    Misplaced {
        /// Bytes of the stream decoded so far.
        expected: u64,
        /// Where the frame's block starts.
        found: u64,
    },
    /// A frame starts a new stream while the one before it has not ended.
    #[error("a new stream starts here, but the stream before it ({frames} frames, {bytes} bytes) has no end frame")]
    EndMissing {
        /// Data frames of the stream without its end.
        frames: u64,
        /// Their original bytes.
        bytes: u64,
    },
    /// The end frame counts other frames than the stream held.
    #[error("the end frame counts {end_frames} frames and {end_bytes} bytes, the stream held {frames} frames and {bytes} bytes")]
    Count {
        /// Frames the end frame counts.
        end_frames: u64,
        /// Bytes the end frame counts.
        end_bytes: u64,
        /// Frames the stream held.
        frames: u64,
        /// Bytes the stream held.
        bytes: u64,
    },
    /// The end frame's digest is not that of the frames the stream held.
    #[error("stream digest mismatch: the frames are not those the end frame was written for")]
    Digest,
    /// Frames of format version 1, which have no place in a stream, mixed into a version 2 stream.
    #[error("a version 1 frame or end inside a version 2 stream, or the reverse")]
    MixedVersions,
}

/// An encoder's account of the stream it writes, for its end frame.
#[derive(Debug, Clone, Default)]
pub struct StreamTally {
    frames: u64,
    original_len: u64,
    digest: Sha256,
}

impl StreamTally {
    /// Counts a data frame.
    pub fn add(&mut self, header: &FrameHeader) {
        self.frames += 1;
        self.original_len += u64::from(header.original_len);
        self.digest.update(header.sha256);
    }

    /// Data frames counted.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Original bytes counted: where the next frame's block starts.
    pub fn original_len(&self) -> u64 {
        self.original_len
    }

    /// The end frame of the frames counted.
    pub fn end_frame(&self) -> EndFrame {
        let digest = self.digest.clone().finalize();
        EndFrame {
            frames: self.frames,
            original_len: self.original_len,
            digest: digest[..END_DIGEST_LEN].try_into().expect("a SHA-256 is longer"),
        }
    }
}

/// How a decoder's input ended, as [`StreamCheck::finish`] reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Streams that ended with their end frame (or, for version 1, with the input).
    pub streams: u64,
    /// Data frames in all.
    pub frames: u64,
    /// Original bytes in all.
    pub bytes: u64,
    /// When the last stream had no end: its frames and bytes (all verified, all given out).
    pub unfinished: Option<(u64, u64)>,
}

/// Which kind of stream is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// None: the input is at a stream boundary.
    None,
    /// Version 1 frames, which have no offsets; such a stream ends with the input.
    V1,
    /// Version 2 frames since the last end frame.
    V2,
}

/// A decoder's check of the stream's order, fed every data frame's header (before
/// its payload is decoded) and every end frame. Concatenated streams, each with its
/// own end, are one input; version 1 streams (no offsets, no end) are read as they
/// were written, at their end of the input or before a version 2 stream.
#[derive(Debug, Clone)]
pub struct StreamCheck {
    open: Open,
    tally: StreamTally,
    done: StreamSummary,
    /// Whether any data or end frame was seen: an input without one is no stream at
    /// all (an encoder that wrote nothing and was never finished), not an empty one.
    seen: bool,
}

impl Default for StreamCheck {
    fn default() -> Self {
        StreamCheck { open: Open::None, tally: StreamTally::default(), done: StreamSummary::default(), seen: false }
    }
}

impl StreamCheck {
    /// Checks that a data frame with this header comes next, and counts it.
    pub fn data(&mut self, header: &FrameHeader) -> Result<()> {
        self.seen = true;
        if header.version == FORMAT_VERSION_1 {
            if self.open == Open::V2 {
                return Err(Error::Stream(StreamError::MixedVersions));
            }
            self.open = Open::V1;
            self.tally.add(header);
            return Ok(());
        }
        let found = header.place.stream_offset;
        let expected = if self.open == Open::V2 { self.tally.original_len } else { 0 };
        if found != expected {
            let (frames, bytes) = (self.tally.frames, self.tally.original_len);
            return Err(Error::Stream(match found {
                0 => StreamError::EndMissing { frames, bytes },
                f if f > expected => StreamError::Missing { expected, found },
                _ => StreamError::Misplaced { expected, found },
            }));
        }
        if self.open == Open::V1 {
            self.close();
        }
        self.open = Open::V2;
        self.tally.add(header);
        Ok(())
    }

    /// Checks an end frame against the frames of its stream, and closes the stream.
    pub fn end(&mut self, end: &EndFrame) -> Result<()> {
        self.seen = true;
        if self.open == Open::V1 {
            return Err(Error::Stream(StreamError::MixedVersions));
        }
        let tally = self.tally.end_frame();
        if (end.frames, end.original_len) != (tally.frames, tally.original_len) {
            return Err(Error::Stream(StreamError::Count {
                end_frames: end.frames,
                end_bytes: end.original_len,
                frames: tally.frames,
                bytes: tally.original_len,
            }));
        }
        if end.digest != tally.digest {
            return Err(Error::Stream(StreamError::Digest));
        }
        self.close();
        Ok(())
    }

    fn close(&mut self) {
        self.done.streams += 1;
        self.done.frames += self.tally.frames;
        self.done.bytes += self.tally.original_len;
        self.tally = StreamTally::default();
        self.open = Open::None;
    }

    /// The input ended: what it held, with a stream still open (or an input without
    /// any frame) reported as unfinished.
    pub fn summary(&self) -> StreamSummary {
        let mut summary = self.done;
        match self.open {
            Open::None if !self.seen => summary.unfinished = Some((0, 0)),
            Open::None => {}
            Open::V1 => {
                summary.streams += 1;
                summary.frames += self.tally.frames;
                summary.bytes += self.tally.original_len;
            }
            Open::V2 => {
                summary.frames += self.tally.frames;
                summary.bytes += self.tally.original_len;
                summary.unfinished = Some((self.tally.frames, self.tally.original_len));
            }
        }
        summary
    }

    /// The input ended: an [`Error::Unfinished`] when a stream is still open (cut
    /// short, or its writer never finished), else what the input held.
    pub fn finish(&self) -> Result<StreamSummary> {
        let summary = self.summary();
        match summary.unfinished {
            Some((frames, bytes)) => Err(Error::Unfinished { frames, bytes }),
            None => Ok(summary),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::LayerSet;
    use crate::l8_seal::header::{FramePlace, FORMAT_VERSION};

    fn header(offset: u64, len: u32, tag: u8) -> FrameHeader {
        FrameHeader {
            version: FORMAT_VERSION,
            layers: LayerSet(0x80),
            original_len: len,
            payload_len: len,
            payload_crc: 0,
            sha256: [tag; 32],
            place: FramePlace::at(offset),
        }
    }

    /// Three frames of 10, 20 and 5 bytes, and the end frame of them.
    fn stream() -> (Vec<FrameHeader>, EndFrame) {
        let frames = vec![header(0, 10, 1), header(10, 20, 2), header(30, 5, 3)];
        let mut tally = StreamTally::default();
        frames.iter().for_each(|f| tally.add(f));
        (frames, tally.end_frame())
    }

    fn check(frames: &[FrameHeader], end: Option<&EndFrame>) -> Result<StreamSummary> {
        let mut check = StreamCheck::default();
        for f in frames {
            check.data(f)?;
        }
        if let Some(end) = end {
            check.end(end)?;
        }
        check.finish()
    }

    #[test]
    fn an_intact_stream_and_concatenated_streams_pass() {
        let (frames, end) = stream();
        let one = check(&frames, Some(&end)).unwrap();
        assert_eq!(one, StreamSummary { streams: 1, frames: 3, bytes: 35, unfinished: None });
        let mut check = StreamCheck::default();
        for _ in 0..3 {
            frames.iter().for_each(|f| check.data(f).unwrap());
            check.end(&end).unwrap();
            check.end(&StreamTally::default().end_frame()).unwrap();
        }
        assert_eq!(check.finish().unwrap().streams, 6);
    }

    #[test]
    fn lost_repeated_and_swapped_frames_are_errors() {
        let (f, end) = stream();
        let err = |frames: &[FrameHeader]| check(frames, Some(&end)).unwrap_err();
        assert_eq!(err(&[f[0], f[2]]), Error::Stream(StreamError::Missing { expected: 10, found: 30 }));
        assert_eq!(err(&[f[1], f[2]]), Error::Stream(StreamError::Missing { expected: 0, found: 10 }));
        assert_eq!(err(&[f[0], f[1], f[1], f[2]]), Error::Stream(StreamError::Misplaced { expected: 30, found: 10 }));
        assert_eq!(err(&[f[0], f[2], f[1]]), Error::Stream(StreamError::Missing { expected: 10, found: 30 }));
        assert_eq!(err(&[f[0], f[0]]), Error::Stream(StreamError::EndMissing { frames: 1, bytes: 10 }));
        assert!(matches!(err(&[f[0], f[1]]), Error::Stream(StreamError::Count { frames: 2, .. })));
        // A frame of the same place and length from another stream: only the digest tells.
        let foreign = header(10, 20, 9);
        assert_eq!(err(&[f[0], foreign, f[2]]), Error::Stream(StreamError::Digest));
    }

    #[test]
    fn a_stream_without_its_end_is_unfinished() {
        let (f, _) = stream();
        assert_eq!(check(&f[..2], None), Err(Error::Unfinished { frames: 2, bytes: 30 }));
        let mut partial = StreamCheck::default();
        f.iter().for_each(|h| partial.data(h).unwrap());
        assert_eq!(partial.summary().unfinished, Some((3, 35)));
        // No frame at all: an encoder that wrote nothing and was never finished.
        assert_eq!(check(&[], None), Err(Error::Unfinished { frames: 0, bytes: 0 }));
        let empty = StreamTally::default().end_frame();
        assert_eq!(check(&[], Some(&empty)).unwrap(), StreamSummary { streams: 1, ..StreamSummary::default() });
    }

    #[test]
    fn version_1_frames_stream_on_until_the_input_or_a_version_2_stream() {
        let v1 = FrameHeader { version: FORMAT_VERSION_1, place: FramePlace::default(), ..header(0, 7, 4) };
        let (f, end) = stream();
        let summary = check(&[v1, v1], None).unwrap();
        assert_eq!((summary.streams, summary.frames, summary.bytes), (1, 2, 14));
        let mut mixed = StreamCheck::default();
        mixed.data(&v1).unwrap();
        f.iter().for_each(|h| mixed.data(h).unwrap());
        mixed.end(&end).unwrap();
        assert_eq!(mixed.finish().unwrap().streams, 2);
        let mut bad = StreamCheck::default();
        bad.data(&f[0]).unwrap();
        assert_eq!(bad.data(&v1), Err(Error::Stream(StreamError::MixedVersions)));
        let mut bad_end = StreamCheck::default();
        bad_end.data(&v1).unwrap();
        assert_eq!(bad_end.end(&end), Err(Error::Stream(StreamError::MixedVersions)));
    }
}
