//! A byte stream to frames: the encoding state machine every encoder adapter drives.

use super::*;

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
    in_flight: Option<(usize, oneshot::Receiver<Result<EncodedFrame, EngineError>>)>,
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

impl std::fmt::Debug for EncodeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodeState")
            .field("phase", &self.phase)
            .field("session", &self.framer.is_session())
            .field("frames", &self.framer.frames())
            .field("buffered", &self.buffered())
            .field("flush_delay", &self.flush_delay)
            .finish_non_exhaustive()
    }
}

impl Drop for EncodeState {
    fn drop(&mut self) {
        let Some(adapter) = self.warn_on_drop else { return };
        let unwritten = self.buffered();
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
        self.output.extend_from_slice(&job.bytes);
        if let Err(e) = self.framer.encoded(&job.header) {
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
