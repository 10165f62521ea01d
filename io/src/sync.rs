//! Blocking adapters over `std::io`: [`Encoder`] is a [`Write`] that compresses into
//! an inner writer, [`Decoder`] a [`Read`] that decompresses from an inner reader. Same
//! framing and semantics as the async adapters (the same state machine drives both).

use std::io::{self, BufRead, BufReader, Read, Write};

use cobolp_engine::EngineConfig;

use crate::adapter_api::{plain_inner_api, state_api};
use crate::frames::{DecodePhase, DecodeState, EncodeState};

/// Writes all of `bytes` (what `pending` returns) to `inner`, reporting each write.
fn write_out<W: Write, S>(
    inner: &mut W,
    state: &mut S,
    pending: fn(&S) -> &[u8],
    consume: fn(&mut S, usize),
) -> io::Result<()> {
    loop {
        let bytes = pending(state);
        if bytes.is_empty() {
            return Ok(());
        }
        match inner.write(bytes) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "the inner writer took no bytes")),
            Ok(n) => consume(state, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Compresses what is written to it into a [`Write`]: a frame per block of the
/// configured block size; [`flush`](Write::flush) frames everything written so far
/// (if anything) and flushes the inner writer, so the peer can decode all of it;
/// [`finish`](Encoder::finish) writes the last frame and returns the inner writer.
///
/// **`finish` is required.** Without it the stream has no end frame, and every
/// decoder reports it as unfinished (`UnexpectedEof`) rather than take it for the
/// whole data; the data written since the last frame is not in it at all. Dropping an
/// encoder that holds data or wrote frames without finishing logs a warning (through
/// the `log` crate).
#[derive(Debug)]
pub struct Encoder<W> {
    inner: W,
    state: EncodeState,
}

plain_inner_api!(Encoder, EncodeState, "writer", |state| state.warning_on_drop("sync::Encoder"));
state_api!(Encoder);

impl<W: Write> Encoder<W> {
    fn write_out(&mut self) -> io::Result<()> {
        write_out(&mut self.inner, &mut self.state, EncodeState::pending, EncodeState::consume)
    }

    /// Writes the last frame and the stream's end frame and flushes the inner writer,
    /// keeping it; later writes are errors. Idempotent.
    pub fn try_finish(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.state.finish()?;
        self.write_out()?;
        self.inner.flush()
    }

    /// Writes the last frame and the end frame, flushes, and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.try_finish()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_out()?;
        self.state.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.state.flush()?;
        self.write_out()?;
        self.inner.flush()
    }
}

/// Decompresses what a [`Read`] yields: every frame until the input ends
/// (concatenated streams decode as one), skippable frames passed over. A stream that
/// ends inside a frame gives all the data of the frames before it, then an
/// `UnexpectedEof` error naming the frame; a damaged frame gives `InvalidData`. After
/// an error, every read repeats it.
#[derive(Debug)]
pub struct Decoder<R> {
    inner: BufReader<R>,
    state: DecodeState,
}

state_api!(Decoder, decoder);

impl<R: Read> Decoder<R> {
    /// Independent frames, default engine settings.
    pub fn new(inner: R) -> Self {
        Decoder::with_config(inner, EngineConfig::default())
    }

    /// With these engine settings (only the mode's decoders matter when decoding).
    pub fn with_config(inner: R, config: EngineConfig) -> Self {
        Decoder { inner: BufReader::with_capacity(64 << 10, inner), state: DecodeState::new(config, false) }
    }

    /// The inner reader.
    pub fn get_ref(&self) -> &R {
        self.inner.get_ref()
    }

    /// The inner reader. Reading from it directly skips input of the stream.
    pub fn get_mut(&mut self) -> &mut R {
        self.inner.get_mut()
    }

    /// The inner reader; read-ahead input, a partly read frame and data not yet read
    /// are lost.
    pub fn into_inner(self) -> R {
        self.inner.into_inner()
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if buf.is_empty() {
                return Ok(0);
            }
            if !self.state.output().is_empty() {
                return Ok(self.state.read_output(buf));
            }
            if self.state.phase() == DecodePhase::Done {
                return Ok(0);
            }
            let input = self.inner.fill_buf()?;
            if input.is_empty() {
                self.state.finish()?;
                continue;
            }
            let n = self.state.feed(input)?;
            self.inner.consume(n);
        }
    }
}
