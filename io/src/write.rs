//! Async adapters that write: each wraps a [`tokio::io::AsyncWrite`] and is one (the
//! shape of async-compression's `write` module).
//!
//! [`Encoder`] takes data and writes a compressed stream; [`Decoder`] takes a
//! compressed stream and writes data. Each holds at most one block of input and one
//! frame of output: a slow inner writer makes their `poll_write` return `Pending`
//! instead of buffering more. Neither spawns a task. Compression runs on the task that
//! polls, one block at a time.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use cobolp_engine::EngineConfig;
use tokio::io::AsyncWrite;

use crate::adapter_api::{plain_inner_api, state_api};
use crate::frames::{DecodeState, EncodeState, FlushWait};
use crate::wake_timer;

/// Writes `bytes` (what `pending` returns) to `inner` until none is left, reporting
/// each write with `consume`.
fn poll_write_out<W: AsyncWrite + Unpin, S>(
    inner: &mut W,
    state: &mut S,
    cx: &mut Context<'_>,
    pending: fn(&S) -> &[u8],
    consume: fn(&mut S, usize),
) -> Poll<io::Result<()>> {
    loop {
        let bytes = pending(state);
        if bytes.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let n = ready!(Pin::new(&mut *inner).poll_write(cx, bytes))?;
        if n == 0 {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::WriteZero, "the inner writer took no bytes")));
        }
        consume(state, n);
    }
}

/// Compresses what is written to it into an [`AsyncWrite`].
///
/// - A frame goes out per block of the configured block size (cut at a line end near
///   it), as soon as the block is full.
/// - `poll_flush` makes a frame of everything written since the last frame (if
///   anything), writes it out and flushes the inner writer: the peer can decode every
///   byte written before the flush without waiting for more. It first waits until no
///   write has come for the [flush delay](Encoder::with_flush_delay) (10 ms by
///   default): writes that go on meanwhile join the same block, so a copy that
///   flushes whenever its reader is pending (`tokio::io::copy`) gives the frames, and
///   the bytes, of the data alone, not of its timing.
/// - `poll_shutdown` (`AsyncWriteExt::shutdown`) makes the last frame of what is left
///   and the stream's end frame, writes them out and shuts down the inner writer
///   (which flushes it). Writing after it is an error.
///
/// **`shutdown` is required.** Without it the stream has no end frame, and every
/// decoder reports it as unfinished (`UnexpectedEof`) rather than take it for the
/// whole data; the data written since the last frame is not in it at all. Dropping an
/// encoder that holds data or wrote frames without shutting it down logs a warning
/// (through the `log` crate).
#[derive(Debug)]
pub struct Encoder<W> {
    inner: W,
    state: EncodeState,
}

plain_inner_api!(Encoder, EncodeState, "writer", |state| {
    let mut state = state.warning_on_drop("write::Encoder").offloading();
    state.set_flush_delay(DEFAULT_FLUSH_DELAY);
    state
});
state_api!(Encoder);

/// How long [`Encoder`]'s flush waits for more writes before it frames what it holds.
pub const DEFAULT_FLUSH_DELAY: Duration = Duration::from_millis(10);

impl<W> Encoder<W> {
    /// How long a flush waits for more writes before it frames what it holds (default
    /// [`DEFAULT_FLUSH_DELAY`]). Zero frames at every flush, as a message protocol
    /// that waits for each answer wants; the default keeps the frames of a copy
    /// (`tokio::io::copy` flushes whenever its reader is pending) those of the data.
    pub fn with_flush_delay(mut self, delay: Duration) -> Self {
        self.state.set_flush_delay(delay);
        self
    }

    /// The flush delay (see [`with_flush_delay`](Self::with_flush_delay)).
    pub fn flush_delay(&self) -> Duration {
        self.state.flush_delay()
    }
}

impl<W: AsyncWrite + Unpin> Encoder<W> {
    /// Waits for a block being compressed on the pool, then writes out every frame made.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.state.poll_ready(cx))?;
        poll_write_out(&mut self.inner, &mut self.state, cx, EncodeState::pending, EncodeState::consume)
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Encoder<W> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Poll::Ready(this.state.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        if let FlushWait::Until(arm) = this.state.flush_wait(Instant::now(), cx.waker()) {
            if let Some(at) = arm {
                wake_timer::wake_at(at, cx.waker().clone());
            }
            return Poll::Pending;
        }
        this.state.flush()?;
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        this.state.finish()?;
        ready!(this.poll_write_out(cx))?;
        // The inner shutdown flushes (tokio's contract); flushing first as well would
        // let a writer that answers `Pending` once per call stall it for ever.
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// Decompresses a compressed stream written to it into an [`AsyncWrite`].
///
/// Takes frames in pieces of any size; writes a frame's data once the frame is whole
/// and checked. Concatenated streams are one stream; skippable frames are passed
/// over. A damaged frame makes the write that completes it fail with `InvalidData`
/// naming the frame (and every later write too). `poll_shutdown` reports a stream that
/// ended inside a frame (`UnexpectedEof`) after the data of the frames before it was
/// written, and otherwise flushes and shuts down the inner writer. `poll_flush`
/// writes out the data of every complete frame and flushes the inner writer; it does
/// not mind a partly written frame.
#[derive(Debug)]
pub struct Decoder<W> {
    inner: W,
    state: DecodeState,
}

plain_inner_api!(Decoder, DecodeState, "writer");
state_api!(Decoder, decoder);

impl<W: AsyncWrite + Unpin> Decoder<W> {
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        poll_write_out(&mut self.inner, &mut self.state, cx, DecodeState::output, DecodeState::consume)
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Decoder<W> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        Poll::Ready(this.state.feed(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        this.state.finish()?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
