//! Async adapters that read: each wraps a [`tokio::io::AsyncBufRead`] and is a
//! [`tokio::io::AsyncRead`] (the shape of async-compression's `bufread` module).
//!
//! [`Encoder`] reads data and yields a compressed stream; [`Decoder`] reads a
//! compressed stream and yields data. Neither spawns a task nor holds more than a
//! block of input and a frame of output: dropping one (or a future using it) mid-way
//! leaves nothing behind. Compression runs on the task that polls, one block at a
//! time (a few milliseconds a MiB).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use cobolp_engine::EngineConfig;
use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf};

use crate::adapter_api::{plain_inner_api, state_api};
use crate::frames::{DecodeState, EncodePhase, EncodeState};

/// Compresses what an [`AsyncBufRead`] yields: a frame per block of the configured
/// block size (cut at a line end near it), and the last frame and the stream's end
/// frame at the end of the input. An empty input gives the end frame alone.
#[derive(Debug)]
pub struct Encoder<R> {
    inner: R,
    state: EncodeState,
}

plain_inner_api!(Encoder, EncodeState, "reader", |state| state.offloading());
state_api!(Encoder);

impl<R: AsyncBufRead + Unpin> AsyncRead for Encoder<R> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            ready!(this.state.poll_ready(cx))?;
            let pending = this.state.pending();
            if !pending.is_empty() {
                let n = pending.len().min(buf.remaining());
                buf.put_slice(&pending[..n]);
                this.state.consume(n);
                return Poll::Ready(Ok(()));
            }
            if this.state.phase() == EncodePhase::Done {
                return Poll::Ready(Ok(()));
            }
            let input = ready!(Pin::new(&mut this.inner).poll_fill_buf(cx))?;
            if input.is_empty() {
                this.state.finish()?;
                continue;
            }
            let n = this.state.write(input)?;
            Pin::new(&mut this.inner).consume(n);
        }
    }
}

/// Decompresses what an [`AsyncBufRead`] yields. Reads every frame until the input
/// ends (so concatenated streams decode as one), passes over skippable frames, and
/// returns the data of each frame once the frame is whole and checked. A stream that
/// ends inside a frame gives all the data of the frames before it, then an error
/// (`UnexpectedEof`) naming the frame; a damaged frame gives `InvalidData`. After an
/// error, every read repeats it.
#[derive(Debug)]
pub struct Decoder<R> {
    inner: R,
    state: DecodeState,
}

plain_inner_api!(Decoder, DecodeState, "reader");
state_api!(Decoder, decoder);

impl<R: AsyncBufRead + Unpin> AsyncRead for Decoder<R> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            let output = this.state.output();
            if !output.is_empty() {
                let n = output.len().min(buf.remaining());
                buf.put_slice(&output[..n]);
                this.state.consume(n);
                return Poll::Ready(Ok(()));
            }
            if this.state.phase() == crate::frames::DecodePhase::Done {
                return Poll::Ready(Ok(()));
            }
            let input = ready!(Pin::new(&mut this.inner).poll_fill_buf(cx))?;
            if input.is_empty() {
                this.state.finish()?;
                continue;
            }
            let n = this.state.feed(input)?;
            Pin::new(&mut this.inner).consume(n);
        }
    }
}
