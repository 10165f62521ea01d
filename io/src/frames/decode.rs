//! Frames to a byte stream: the decoding state machine every decoder adapter drives.

use super::*;

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

impl std::fmt::Debug for DecodeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeState")
            .field("phase", &self.phase)
            .field("session", &self.deframer.is_session())
            .field("frames", &self.deframer.frames())
            .field("buffered", &self.buffered())
            .finish_non_exhaustive()
    }
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
