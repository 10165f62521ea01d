//! The one framing state machine behind every adapter of this crate.
//!
//! The adapters differ only in where bytes come from and go to (a `BytesMut` handed to
//! a codec, an `AsyncBufRead`, an `AsyncWrite`, a `std::io` reader or writer). What a
//! frame is, where a block ends, when a frame is emitted, how a stream is walked and
//! what a truncated or damaged stream reports is decided here, once, without any I/O:
//!
//! - [`Framer`] and [`Deframer`] turn one message into one frame and walk a stream of
//!   frames one step at a time. The `Framed` codec uses them directly, since it is
//!   handed whole messages and a growing buffer.
//! - [`EncodeState`] cuts a byte stream into blocks (at a line end near the block
//!   size, as the engine's executors do) and holds at most one block of input and one
//!   frame of output: `Encoding → Flushing → Encoding …`, then `Finishing → Done`.
//! - [`DecodeState`] takes compressed bytes in pieces of any size and holds at most
//!   one frame of input and one block of output: `Decoding → Done`, or `Failed`.
//!
//! The drivers (`bufread`, `write`, `sync`) move bytes between these states and their
//! inner reader or writer, and nothing else.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::{Duration, Instant};

use cobolp_engine::{
    shared_pool, BlockCutter, CompressJob, DetachedFrame, EngineConfig, EngineError, FrameCodec, FrameReader, Next,
    Unfinished,
};
use cobolp_stages::l8_seal::{FrameHeader, StreamSummary, MAX_BLOCK_LEN};
use tokio::sync::oneshot;

/// The shortest block an offloading [`EncodeState`] hands to the pool: shorter ones
/// (a flush of a few lines) take less time to compress than to hand over.
pub(crate) const OFFLOAD_MIN: usize = 16 << 10;

/// A [`FrameCodec`] built on first use, so that constructors stay infallible and
/// settings can be chained; an invalid configuration is reported by
/// engine lacks it) is reported by the first encode or decode as `InvalidInput`.
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

/// Where an [`EncodeState`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EncodePhase {
    /// Taking input; a frame goes out each time a block fills.
    Encoding,
    /// A flush framed what was buffered; that frame is still going out.
    Flushing,
    /// The last frame is made; it is still going out. No more input.
    Finishing,
    /// Everything went out.
    Done,
}

/// A byte stream to frames, holding at most one block of input and one frame of
/// output. Drivers alternate: write out [`pending`](Self::pending) (reporting it with
/// [`consume`](Self::consume)) until it is empty, then call `write`, `flush` or
/// `finish`.
pub(crate) struct EncodeState {
    framer: Framer,
    /// Input not yet framed: at most a block.
    cutter: BlockCutter,
    output: Vec<u8>,
    out_pos: usize,
    phase: EncodePhase,
    stopped: Option<Stopped>,
    /// The adapter to name in a warning when it is dropped with a stream unfinished.
    warn_on_drop: Option<&'static str>,
    /// How long a flush waits for more writes before it cuts a frame (see
    /// [`flush_wait`](Self::flush_wait)); zero: at once.
    flush_delay: Duration,
    /// When input was last taken.
    last_write: Option<Instant>,
    /// Whether blocks are compressed on the engine's shared pool (async adapters), so
    /// that the task that polls never spends a block's compression time.
    offload: bool,
    /// The block being compressed on the pool: its length, and its frame to come.
    in_flight: Option<(usize, oneshot::Receiver<Result<CompressJob, EngineError>>)>,
    /// The end frame follows the block in flight.
    end_after_flight: bool,
    /// The wake-up asked for by the last wait, and for which task.
    armed: Option<(Instant, Waker)>,
}

/// What a flush does now: see [`EncodeState::flush_wait`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlushWait {
    /// Cut a frame of what is held and write it out.
    Now,
    /// Wait; the caller asks to be woken at this instant, when one is given (a wake-up
    /// asked for earlier is still to come otherwise).
    Until(Option<Instant>),
}

impl Drop for EncodeState {
    fn drop(&mut self) {
        let Some(adapter) = self.warn_on_drop else { return };
        let unwritten = self.cutter.held() + self.pending().len();
        if self.phase != EncodePhase::Done && self.stopped.is_none() && (unwritten > 0 || self.framer.frames() > 0) {
            log::warn!(
                "cobol-protocol: {adapter} dropped before finish/shutdown: {unwritten} bytes were never written, \
                 and the stream has no end frame, so decoders will report it as unfinished"
            );
        }
    }
}

impl EncodeState {
    pub(crate) fn new(config: EngineConfig, session: bool) -> Self {
        EncodeState {
            cutter: BlockCutter::new(config.block_size, config.record_len()),
            framer: Framer::new(config, session),
            output: Vec::new(),
            out_pos: 0,
            phase: EncodePhase::Encoding,
            stopped: None,
            warn_on_drop: None,
            flush_delay: Duration::ZERO,
            last_write: None,
            armed: None,
            offload: false,
            in_flight: None,
            end_after_flight: false,
        }
    }

    /// Compresses blocks (at least [`OFFLOAD_MIN`] long) on the engine's shared pool,
    /// not in the call that cuts them: see [`poll_ready`](Self::poll_ready).
    pub(crate) fn offloading(mut self) -> Self {
        self.offload = true;
        self
    }

    /// Ready once no block is being compressed on the pool: its frame (and the end
    /// frame, when it was the last block) is then in [`pending`](Self::pending).
    /// Drivers of an offloading state call it before anything else.
    pub(crate) fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some((_, receiver)) = &mut self.in_flight else { return Poll::Ready(Ok(())) };
        let outcome = ready!(Pin::new(receiver).poll(cx));
        self.in_flight = None;
        let job = match outcome {
            Ok(Ok(job)) => job,
            Ok(Err(e)) => return Poll::Ready(Err(self.stop(e.into()))),
            Err(_) => return Poll::Ready(Err(self.stop(io::Error::other("a compression worker stopped")))),
        };
        self.output.extend_from_slice(&job.frame);
        let header = job.header.expect("a sealed job has a header");
        if let Err(e) = self.framer.encoded(&header) {
            return Poll::Ready(Err(self.stop(e)));
        }
        if std::mem::take(&mut self.end_after_flight) {
            if let Err(e) = self.framer.end(&mut self.output) {
                return Poll::Ready(Err(self.stop(e)));
            }
        }
        Poll::Ready(Ok(()))
    }

    /// How long a flush waits for more writes before it frames what it holds.
    pub(crate) fn set_flush_delay(&mut self, delay: Duration) {
        self.flush_delay = delay;
    }

    pub(crate) fn flush_delay(&self) -> Duration {
        self.flush_delay
    }

    /// Whether a flush asked for at `now` frames what is held at once, or waits for
    /// more writes: a flush that comes right after a write (as `tokio::io::copy` makes
    /// one whenever its reader is pending) waits until no write has come for the flush
    /// delay, so that the writes that follow go into the same block and the frames are
    /// the ones the data alone decides. `waker` is the flushing task's.
    pub(crate) fn flush_wait(&mut self, now: Instant, waker: &Waker) -> FlushWait {
        let wait_from = match self.last_write {
            Some(last) if self.cutter.held() > 0 && !self.flush_delay.is_zero() => last,
            _ => return FlushWait::Now,
        };
        let at = wait_from + self.flush_delay;
        if now >= at {
            self.armed = None;
            return FlushWait::Now;
        }
        if self.armed.as_ref().is_some_and(|(armed, w)| *armed > now && w.will_wake(waker)) {
            return FlushWait::Until(None);
        }
        self.armed = Some((at, waker.clone()));
        FlushWait::Until(Some(at))
    }

    /// Logs a warning naming `adapter` if the state is dropped with its stream unfinished.
    pub(crate) fn warning_on_drop(mut self, adapter: &'static str) -> Self {
        self.warn_on_drop = Some(adapter);
        self
    }

    pub(crate) fn set_session(&mut self, session: bool) {
        self.framer.set_session(session);
    }

    pub(crate) fn is_session(&self) -> bool {
        self.framer.is_session()
    }

    pub(crate) fn phase(&self) -> EncodePhase {
        self.phase
    }

    /// Bytes held: input not yet framed (a block being compressed included), and
    /// framed output not yet written out.
    pub(crate) fn buffered(&self) -> usize {
        self.cutter.held() + self.in_flight.as_ref().map_or(0, |(len, _)| *len) + self.pending().len()
    }

    /// Data frames made so far.
    pub(crate) fn frames(&self) -> u64 {
        self.framer.frames()
    }

    /// Framed bytes waiting to be written out.
    pub(crate) fn pending(&self) -> &[u8] {
        &self.output[self.out_pos..]
    }

    /// `n` bytes of [`pending`](Self::pending) were written out.
    pub(crate) fn consume(&mut self, n: usize) {
        self.out_pos += n;
        debug_assert!(self.out_pos <= self.output.len());
        if self.out_pos >= self.output.len() {
            self.output.clear();
            self.out_pos = 0;
            self.phase = match self.phase {
                EncodePhase::Flushing => EncodePhase::Encoding,
                EncodePhase::Finishing => EncodePhase::Done,
                other => other,
            };
        }
    }

    fn check(&self) -> io::Result<()> {
        match &self.stopped {
            Some(stopped) => Err(stopped.replay()),
            None => Ok(()),
        }
    }

    fn stop(&mut self, error: io::Error) -> io::Error {
        self.stopped = Some(Stopped::record(&error));
        error
    }

    /// Frames `block` into the output, or starts compressing it on the pool.
    fn emit(&mut self, block: Vec<u8>) -> io::Result<()> {
        debug_assert!(self.pending().is_empty(), "a frame is emitted only once the last one went out");
        debug_assert!(self.in_flight.is_none(), "one block in flight at a time");
        if self.offload && block.len() >= OFFLOAD_MIN {
            if let Some((next, pool)) = self.detached().map_err(|e| self.stop(e))? {
                let (tx, rx) = oneshot::channel();
                let len = block.len();
                pool.spawn(move || {
                    let _ = tx.send(next.compress(&block));
                });
                self.in_flight = Some((len, rx));
                return Ok(());
            }
        }
        if let Err(e) = self.framer.encode(&block, &mut self.output) {
            return Err(self.stop(e));
        }
        Ok(())
    }

    /// The next frame's work and the pool to run it on, unless in session mode.
    fn detached(&mut self) -> io::Result<Option<(DetachedFrame, Arc<rayon::ThreadPool>)>> {
        let Some(next) = self.framer.detached()? else { return Ok(None) };
        Ok(Some((next, shared_pool(self.framer.config().threads)?)))
    }

    /// Takes up to a block's worth of `buf` (at least one byte of a non-empty `buf`)
    /// and says how much it took; makes a frame when a block is full. Call only when
    /// nothing is pending (nor in flight).
    pub(crate) fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        if matches!(self.phase, EncodePhase::Finishing | EncodePhase::Done) {
            return Err(io::Error::other("write after shutdown: the stream is already finished"));
        }
        if let Err(e) = self.framer.ready() {
            return Err(self.stop(e));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.cutter.push(buf);
        if !self.flush_delay.is_zero() {
            self.last_write = Some(Instant::now());
        }
        // A full block is cut where the engine's executors cut it.
        if let Some((_, block)) = self.cutter.next_block(false) {
            self.emit(block)?;
        }
        Ok(n)
    }

    /// Frames everything taken so far (if anything), so that the peer can decode it
    /// all once the pending output has gone out.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.check()?;
        if self.phase == EncodePhase::Encoding {
            if let Some((_, block)) = self.cutter.take_all() {
                self.emit(block)?;
                self.phase = EncodePhase::Flushing;
            }
        }
        Ok(())
    }

    /// Makes the last frames: the rest of the input (if any), then the stream's end
    /// frame, without which decoders take the stream for one cut short. Idempotent.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        self.check()?;
        if matches!(self.phase, EncodePhase::Encoding | EncodePhase::Flushing) {
            if let Some((_, block)) = self.cutter.take_all() {
                self.emit(block)?;
            }
            if self.in_flight.is_some() {
                self.end_after_flight = true;
            } else if let Err(e) = self.framer.end(&mut self.output) {
                return Err(self.stop(e));
            }
            self.phase = EncodePhase::Finishing;
            if self.pending().is_empty() && self.in_flight.is_none() {
                self.phase = EncodePhase::Done;
            }
        }
        Ok(())
    }
}

/// Where a [`DecodeState`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodePhase {
    /// Taking compressed input.
    Decoding,
    /// The input ended cleanly; what is left of the output may still be read.
    Done,
}

/// Compressed bytes, in pieces of any size, to data. Holds at most one frame of input
/// (only when a frame arrives in pieces) and one block of output. Drivers alternate:
/// take [`output`](Self::output) (reporting it with [`consume`](Self::consume)) until it
/// is empty, then [`feed`](Self::feed) more input, or [`finish`](Self::finish) at its end.
pub(crate) struct DecodeState {
    deframer: Deframer,
    held: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    phase: DecodePhase,
    summary: Option<StreamSummary>,
}

impl DecodeState {
    pub(crate) fn new(config: EngineConfig, session: bool) -> Self {
        DecodeState {
            deframer: Deframer::new(config, session),
            held: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            phase: DecodePhase::Decoding,
            summary: None,
        }
    }

    pub(crate) fn set_session(&mut self, session: bool) {
        self.deframer.set_session(session);
    }

    pub(crate) fn is_session(&self) -> bool {
        self.deframer.is_session()
    }

    pub(crate) fn set_max_frame_len(&mut self, max: usize) {
        self.deframer.set_max_frame_len(max);
    }

    pub(crate) fn set_unfinished(&mut self, unfinished: Unfinished) {
        self.deframer.set_unfinished(unfinished);
    }

    /// What the input held, once it ended (after [`finish`](Self::finish)).
    pub(crate) fn summary(&self) -> Option<StreamSummary> {
        self.summary
    }

    pub(crate) fn phase(&self) -> DecodePhase {
        self.phase
    }

    /// Data frames decoded so far.
    pub(crate) fn frames(&self) -> u64 {
        self.deframer.frames()
    }

    /// Bytes held: an incomplete frame, and decoded data not yet taken.
    pub(crate) fn buffered(&self) -> usize {
        self.held.len() + self.output().len()
    }

    /// Decoded data waiting to be taken.
    pub(crate) fn output(&self) -> &[u8] {
        &self.out[self.out_pos..]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.out_pos += n;
        debug_assert!(self.out_pos <= self.out.len());
        if self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        }
    }

    /// Copies as much output as fits into `buf`.
    pub(crate) fn read_output(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.output().len());
        buf[..n].copy_from_slice(&self.output()[..n]);
        self.consume(n);
        n
    }

    /// Takes compressed input and says how much of it was used (at least one byte of a
    /// non-empty `input`); decodes at most one frame. Call only when no output is left.
    pub(crate) fn feed(&mut self, input: &[u8]) -> io::Result<usize> {
        debug_assert!(self.output().is_empty(), "output is taken before more input is fed");
        if self.phase == DecodePhase::Done {
            return Err(io::Error::other("compressed input after the end of the stream"));
        }
        if self.held.is_empty() {
            // The common case: a whole frame (or skippable bytes) at the front of the
            // input is used where it lies, without a copy.
            match self.deframer.step(input, &mut self.out)? {
                Step::Frame(n) | Step::Skipped(n) | Step::End(n) => return Ok(n),
                Step::NeedMore(_) => {}
            }
        }
        // A frame arriving in pieces: gather it, never more than it needs.
        let mut used = 0;
        loop {
            let need = match self.deframer.step(&self.held, &mut self.out)? {
                Step::Frame(n) | Step::Skipped(n) | Step::End(n) => {
                    debug_assert_eq!(n, self.held.len());
                    self.held.clear();
                    if self.held.capacity() > 1 << 20 {
                        self.held = Vec::new();
                    }
                    return Ok(used);
                }
                Step::NeedMore(need) => need,
            };
            if used == input.len() {
                return Ok(used);
            }
            let take = (need - self.held.len()).min(input.len() - used);
            self.held.reserve_exact(need - self.held.len());
            self.held.extend_from_slice(&input[used..used + take]);
            used += take;
        }
    }

    /// The compressed input ended: an error naming the frame if it ended inside one.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        if self.phase == DecodePhase::Decoding {
            self.summary = Some(self.deframer.finish(&self.held)?);
            self.phase = DecodePhase::Done;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cobolp_stages::l8_seal::{next_frame, HEADER_LEN};

    fn config() -> EngineConfig {
        EngineConfig::default().with_block_size(64 << 10).with_threads(1)
    }

    fn encode_all(data: &[u8], chunk: usize) -> Vec<u8> {
        let mut state = EncodeState::new(config(), false);
        let mut stream = Vec::new();
        let mut drain = |state: &mut EncodeState| {
            stream.extend_from_slice(state.pending());
            let n = state.pending().len();
            state.consume(n);
        };
        for piece in data.chunks(chunk.max(1)) {
            let mut rest = piece;
            while !rest.is_empty() {
                drain(&mut state);
                let n = state.write(rest).unwrap();
                assert!(n > 0);
                rest = &rest[n..];
                assert!(state.buffered() <= (64 << 10) + (64 << 10) + HEADER_LEN);
            }
        }
        drain(&mut state);
        state.finish().unwrap();
        assert_eq!(state.phase(), EncodePhase::Finishing);
        drain(&mut state);
        assert_eq!(state.phase(), EncodePhase::Done);
        assert!(state.write(b"x").is_err(), "no input after the end");
        stream
    }

    fn decode_all(stream: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
        let mut state = DecodeState::new(config(), false);
        let mut data = Vec::new();
        for piece in stream.chunks(chunk.max(1)) {
            let mut rest = piece;
            while !rest.is_empty() {
                let n = state.feed(rest)?;
                assert!(n > 0);
                rest = &rest[n..];
                data.extend_from_slice(state.output());
                state.consume(state.output().len());
            }
        }
        state.finish()?;
        Ok(data)
    }

    fn lines(n: usize) -> Vec<u8> {
        (0..n).flat_map(|i| format!("{i:08} GET /index.html 200 {}\n", i * 7 % 1000).into_bytes()).collect()
    }

    #[test]
    fn stream_round_trip_in_any_pieces() {
        let data = lines(9000);
        for chunk in [1usize, 7, 4096, 1 << 20] {
            let stream = encode_all(&data[..if chunk == 1 { 3000 } else { data.len() }], chunk);
            let expect = &data[..if chunk == 1 { 3000 } else { data.len() }];
            for dchunk in [1usize, 3, 57, 1 << 20] {
                assert_eq!(decode_all(&stream, dchunk).unwrap(), expect, "chunks {chunk}/{dchunk}");
            }
        }
    }

    #[test]
    fn blocks_end_at_line_ends_and_empty_input_gives_the_end_frame_alone() {
        let data = lines(9000);
        let stream = encode_all(&data, 1000);
        let (mut pos, mut end, mut frames) = (0, 0, 0);
        while let Some((frame, len)) = next_frame(&stream[pos..]).unwrap() {
            if let cobolp_stages::l8_seal::FrameRef::Data { header, .. } = frame {
                assert!(header.original_len as usize <= 64 << 10);
                end += header.original_len as usize;
                assert_eq!(data[end - 1], b'\n', "frame {frames} ends at a line end");
                frames += 1;
            }
            pos += len;
        }
        assert!(frames > 3);
        assert_eq!(end, data.len());
        let empty = encode_all(b"", 1);
        assert_eq!(empty.len(), cobolp_stages::l8_seal::MIN_END_LEN, "an empty stream is its end frame");
        assert_eq!(decode_all(&empty, 1).unwrap(), b"");
        let nothing = decode_all(b"", 1).unwrap_err();
        assert_eq!(nothing.kind(), io::ErrorKind::UnexpectedEof, "no bytes at all is no stream: {nothing}");
    }

    #[test]
    fn flush_frames_what_was_written() {
        let mut state = EncodeState::new(config(), false);
        state.write(b"hello ").unwrap();
        state.flush().unwrap();
        assert_eq!(state.phase(), EncodePhase::Flushing);
        let first = state.pending().to_vec();
        state.consume(first.len());
        assert_eq!(state.phase(), EncodePhase::Encoding);
        let mut partial = DecodeState::new(config(), false);
        partial.set_unfinished(Unfinished::Accept);
        assert_eq!(partial.feed(&first).unwrap(), first.len());
        assert_eq!(partial.output(), b"hello ", "the peer decodes what was flushed");
        partial.consume(6);
        partial.finish().unwrap();
        assert_eq!(partial.summary().unwrap().unfinished, Some((1, 6)));
        let cut = decode_all(&first, 5).unwrap_err();
        assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof, "and knows the stream goes on: {cut}");
        state.flush().unwrap();
        assert!(state.pending().is_empty(), "nothing new, no frame");
        state.write(b"world").unwrap();
        state.finish().unwrap();
        let mut all = first;
        all.extend_from_slice(state.pending());
        assert_eq!(decode_all(&all, 1000).unwrap(), b"hello world");
        assert_eq!(state.frames(), 2);
    }

    #[test]
    fn skippable_frames_are_passed_over_in_pieces() {
        let mut stream = Vec::new();
        cobolp_stages::l8_seal::write_skippable(&[9u8; 1000], &mut stream).unwrap();
        stream.extend_from_slice(&encode_all(b"abc", 1));
        cobolp_stages::l8_seal::write_skippable(b"", &mut stream).unwrap();
        for chunk in [1, 5, 8, 9, 2000] {
            assert_eq!(decode_all(&stream, chunk).unwrap(), b"abc");
        }
        let cut = decode_all(&stream[..500], 100).unwrap_err();
        assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof);
        assert!(cut.to_string().contains("skippable"), "{cut}");
    }

    #[test]
    fn errors_name_the_frame_and_stick() {
        let a = encode_all(b"first frame", 100);
        let mut stream = a.clone();
        stream.extend_from_slice(&a);
        // The second stream's one data frame, damaged at its last byte.
        let last = stream.len() - cobolp_stages::l8_seal::MIN_END_LEN - 1;
        stream[last] ^= 0x40;
        let mut state = DecodeState::new(config(), false);
        let used = state.feed(&stream).unwrap();
        assert_eq!(state.output(), b"first frame");
        state.consume(11);
        let used = used + state.feed(&stream[used..]).unwrap();
        assert_eq!(used, a.len(), "the end frame of the first stream");
        let err = state.feed(&stream[used..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let text = err.to_string();
        assert!(text.contains(&format!("frame 1 (at byte {})", a.len())), "{text}");
        assert!(text.contains("checksum"), "{text}");
        let again = state.feed(&stream[used..]).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::InvalidData);
        assert!(again.to_string().contains("frame 1"));
    }

    #[test]
    fn too_long_frames_are_refused_before_they_are_gathered() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let stream = encode_all(&data, 1 << 20);
        let mut state = DecodeState::new(config(), false);
        state.set_max_frame_len(1000);
        let err = state.feed(&stream[..HEADER_LEN]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("maximum frame length"), "{err}");
        assert!(state.buffered() <= HEADER_LEN);
    }
}
