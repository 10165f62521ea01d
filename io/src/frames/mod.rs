//! The one framing state machine behind every adapter of this crate.
//!
//! The adapters differ only in where bytes come from and go to (a `BytesMut` handed to
//! a codec, an `AsyncBufRead`, an `AsyncWrite`, a `std::io` reader or writer). What a
//! frame is, where a block ends, when a frame is emitted, how a stream is walked and
//! what a truncated or damaged stream reports is decided here, once, without any I/O:
//!
//! - [`Framer`] and [`Deframer`] turn one message into one frame and walk a stream of
//!   frames one step at a time (the engine's `FrameReader` decides where frames end
//!   and holds them to their stream). The `Framed` codec uses them directly, since it
//!   is handed whole messages and a growing buffer.
//! - [`EncodeState`] cuts a byte stream into blocks (with the engine's `BlockCutter`,
//!   as its executors do) and holds at most one block of input and one frame of
//!   output: `Encoding → Flushing → Encoding …`, then `Finishing → Done`; the async
//!   drivers have it compress blocks on the engine's pool (`poll_ready`) and flush
//!   after a quiet moment (`flush_wait`).
//! - [`DecodeState`] takes compressed bytes in pieces of any size and holds at most
//!   one frame of input and one block of output: `Decoding → Done`, or an error that
//!   sticks.
//!
//! The drivers (`bufread`, `write`, `sync`) move bytes between these states and their
//! inner reader or writer, and nothing else.

mod decode;
mod encode;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::{Duration, Instant};

use cobolp_engine::{
    shared_pool, BlockCutter, DetachedFrame, EncodedFrame, EngineConfig, EngineError, FrameCodec, FrameReader, Next,
    Unfinished,
};
use cobolp_stages::l8_seal::{FrameHeader, StreamSummary, MAX_BLOCK_LEN};
use tokio::sync::oneshot;

pub(crate) use decode::{DecodePhase, DecodeState};
pub(crate) use encode::{EncodePhase, EncodeState, FlushWait};

/// The shortest block an offloading [`EncodeState`] hands to the pool: shorter ones
/// (a flush of a few lines) take less time to compress than to hand over.
pub(crate) const OFFLOAD_MIN: usize = 16 << 10;

/// A [`FrameCodec`] built on first use, so that constructors stay infallible and
/// settings can be chained; an invalid configuration is reported by the first encode
/// or decode as `InvalidInput`.
#[derive(Debug, Clone)]
struct LazyCodec {
    config: EngineConfig,
    session: bool,
    codec: Option<FrameCodec>,
}

impl LazyCodec {
    fn new(config: EngineConfig, session: bool) -> Self {
        LazyCodec { config, session, codec: None }
    }

    fn get(&mut self) -> io::Result<&mut FrameCodec> {
        if self.codec.is_none() {
            self.codec = Some(FrameCodec::new(&self.config, self.session)?);
        }
        Ok(self.codec.as_mut().expect("built above"))
    }

    fn set_session(&mut self, session: bool) {
        if self.session != session {
            self.session = session;
            self.codec = None;
        }
    }
}

/// An error that stopped a state machine, replayed on every later call so that a
/// caller who ignores the first one cannot take a damaged stream for a short one.
#[derive(Debug, Clone)]
struct Stopped {
    kind: io::ErrorKind,
    message: String,
}

impl Stopped {
    fn record(error: &io::Error) -> Stopped {
        Stopped { kind: error.kind(), message: error.to_string() }
    }

    fn replay(&self) -> io::Error {
        io::Error::new(self.kind, format!("{} (stopped at this error earlier)", self.message))
    }
}

/// Message to frame: one frame per call.
#[derive(Debug, Clone)]
pub(crate) struct Framer {
    codec: LazyCodec,
    frames: u64,
}

impl Framer {
    pub(crate) fn new(config: EngineConfig, session: bool) -> Self {
        Framer { codec: LazyCodec::new(config, session), frames: 0 }
    }

    pub(crate) fn set_session(&mut self, session: bool) {
        assert_eq!(self.frames, 0, "the session flag must be set before the first frame");
        self.codec.set_session(session);
    }

    pub(crate) fn is_session(&self) -> bool {
        self.codec.session
    }

    pub(crate) fn config(&self) -> &EngineConfig {
        &self.codec.config
    }

    /// Data frames written so far.
    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    /// Checks the settings (builds the engine) without encoding anything.
    pub(crate) fn ready(&mut self) -> io::Result<()> {
        self.codec.get().map(|_| ())
    }

    /// Appends one frame holding `data` to `out`.
    pub(crate) fn encode(&mut self, data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        if data.len() > MAX_BLOCK_LEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a frame holds at most {MAX_BLOCK_LEN} bytes; got {}", data.len()),
            ));
        }
        self.codec.get()?.encode(data, out)?;
        self.frames += 1;
        Ok(())
    }

    /// The next frame as work for another thread, when it needs nothing of this
    /// framer (not in session mode); its header goes to [`encoded`](Self::encoded).
    pub(crate) fn detached(&mut self) -> io::Result<Option<DetachedFrame>> {
        Ok(self.codec.get()?.detached())
    }

    /// Counts a frame made by [`detached`](Self::detached) work.
    pub(crate) fn encoded(&mut self, header: &FrameHeader) -> io::Result<()> {
        self.codec.get()?.encoded(header);
        self.frames += 1;
        Ok(())
    }

    /// Appends the end frame of the stream written so far; frames after it start a
    /// new stream.
    pub(crate) fn end(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.codec.get()?.encode_end(out);
        Ok(())
    }
}

/// One step of [`Deframer::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Nothing can be done until the input holds at least this many bytes in all.
    /// Only once the frame's length is known is this the whole frame; it never exceeds
    /// the maximum frame length.
    NeedMore(usize),
    /// This many bytes of a skippable frame were passed over.
    Skipped(usize),
    /// A data frame of this many bytes was decoded; its data was appended to `out`.
    Frame(usize),
    /// An end frame of this many bytes closed a stream.
    End(usize),
}

/// Stream to data: the engine's [`FrameReader`] walking the frames, the codec
/// decoding them; an error stops it for good.
#[derive(Debug, Clone)]
pub(crate) struct Deframer {
    codec: LazyCodec,
    reader: FrameReader,
    stopped: Option<Stopped>,
}

impl Deframer {
    pub(crate) fn new(config: EngineConfig, session: bool) -> Self {
        Deframer { codec: LazyCodec::new(config, session), reader: FrameReader::new(), stopped: None }
    }

    pub(crate) fn set_unfinished(&mut self, unfinished: Unfinished) {
        self.reader.set_unfinished(unfinished);
    }

    pub(crate) fn set_session(&mut self, session: bool) {
        assert!(self.reader.offset() == 0, "the session flag must be set before the first frame");
        self.codec.set_session(session);
    }

    pub(crate) fn is_session(&self) -> bool {
        self.codec.session
    }

    pub(crate) fn set_max_frame_len(&mut self, max: usize) {
        self.reader.set_max_frame_len(max);
    }

    pub(crate) fn max_frame_len(&self) -> usize {
        self.reader.max_frame_len()
    }

    /// Data frames decoded so far.
    pub(crate) fn frames(&self) -> u64 {
        self.reader.frames()
    }

    fn stop(&mut self, error: io::Error) -> io::Error {
        self.stopped = Some(Stopped::record(&error));
        error
    }

    /// Looks at the front of `input` (the stream from the current frame on) and either
    /// decodes one data frame, passes over (part of) a skippable frame or an end frame,
    /// or says how many bytes it needs. The caller drops the bytes a step reports used.
    pub(crate) fn step(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<Step> {
        if let Some(stopped) = &self.stopped {
            return Err(stopped.replay());
        }
        self.step_inner(input, out).map_err(|e| self.stop(e))
    }

    fn step_inner(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<Step> {
        let next = self.reader.next(input)?;
        Ok(match next {
            Next::NeedMore(need) => Step::NeedMore(need),
            Next::Skipped(n) => Step::Skipped(n),
            Next::Skippable { len, .. } => Step::Skipped(len),
            Next::Data { header, payload, len, index, offset } => {
                self.codec.get()?.decode(&header, payload, out).map_err(|e| renamed(e, index, offset))?;
                Step::Frame(len)
            }
            Next::End { len, .. } => {
                self.codec.get()?.decode_end();
                Step::End(len)
            }
        })
    }

    /// The input ended with `rest` unread: what it held, when `rest` is empty, no
    /// skippable frame is open and the last stream has its end (or the decoder accepts
    /// one without, see [`Unfinished`]); else the error that names the truncated frame
    /// or the missing end (`UnexpectedEof`).
    pub(crate) fn finish(&mut self, rest: &[u8]) -> io::Result<StreamSummary> {
        if let Some(stopped) = &self.stopped {
            return Err(stopped.replay());
        }
        let result = self.reader.finish(rest).map_err(io::Error::from);
        result.map_err(|e| self.stop(e))
    }
}

/// An engine error as an I/O error naming the frame by its place in the stream as
/// this decoder saw it: the engine counts data frames only, the decoder skippable
/// and end frames too.
fn renamed(error: EngineError, index: u64, offset: u64) -> io::Error {
    match error {
        EngineError::Frame { source, .. } => EngineError::Frame { index, offset, source }.into(),
        other => io::Error::from(other),
    }
}
