//! A `tokio_util::codec` codec: one message, one frame.
//!
//! ```no_run
//! # async fn demo(socket: tokio::net::TcpStream) -> std::io::Result<()> {
//! use futures::{SinkExt, StreamExt};
//! use tokio_util::codec::Framed;
//! use cobolp_io::CpzCodec;
//!
//! let mut framed = Framed::new(socket, CpzCodec::new());
//! framed.send(bytes::Bytes::from_static(b"one log line\n")).await?;
//! while let Some(message) = framed.next().await {
//!     let message = message?; // BytesMut: exactly the bytes of one `send`
//! #   let _ = message;
//! }
//! # Ok(()) }
//! ```

use std::io;

use bytes::{Buf, Bytes, BytesMut};
use cobolp_engine::{CompressionMode, EngineConfig, Level, Unfinished};
use cobolp_stages::l8_seal::HEADER_LEN;
use tokio_util::codec::{Decoder, Encoder};

use crate::frames::{Deframer, Framer, Step};

/// Frames messages for [`Framed`](tokio_util::codec::Framed),
/// [`FramedRead`](tokio_util::codec::FramedRead) and
/// [`FramedWrite`](tokio_util::codec::FramedWrite): each message is compressed into
/// one frame of the COBOL Protocol format, and each data frame decodes to one message
/// (empty messages included). Skippable frames in the input are passed over.
///
/// - Frames are independent by default: each decodes on its own. In session mode
///   ([`CpzCodec::session`]) the frames of one connection share the engine's state, so
///   that small similar messages compress well; they must then be decoded in order by
///   one decoder, and a lost frame makes the next ones undecodable.
/// - `decode` returns `Ok(None)` while a frame is incomplete, and once the frame's
///   length is known reserves room in the buffer for the rest of it. A frame longer
///   than [`max_frame_length`](CpzCodec::max_frame_length) is an `InvalidData` error,
///   reported from its header, before anything is reserved.
/// - A damaged frame is an `InvalidData` error whose message names the frame (its index
///   among data frames and its byte offset in the stream) and the cause; the decoder
///   stops there. At the end of the input, a partial frame is an `UnexpectedEof` error.
/// - Encoding refuses (`InvalidInput`) a message over the format's 64 MiB block limit,
///   or one whose frame could exceed the maximum frame length (message plus the
///   68-byte header), so the peer with the same limit accepts every frame sent.
///
/// It encodes `Bytes`, `BytesMut` and `&[u8]` messages, so sink methods that take no
/// item (`flush`, `close`) need the item type named:
/// `SinkExt::<Bytes>::close(&mut framed)`.
///
/// Settings are checked when the first frame is encoded or decoded: an invalid
/// [`EngineConfig`] is an `InvalidInput` error then.
///
/// Built with [`CpzCodec::builder`] as tokio-util's codecs are:
///
/// ```
/// use cobolp_io::{CpzCodec, Unfinished};
/// use cobolp_io::Level;
/// let codec = CpzCodec::builder()
///     .level(Level::new(6).unwrap())
///     .session(true)
///     .max_frame_length(1 << 20)
///     .unfinished(Unfinished::Reject)
///     .new_codec();
/// assert!(codec.is_session());
/// assert_eq!(codec.max_frame_length(), 1 << 20);
/// ```
///
/// A clone is a codec in the same state (in session mode, with the same history).
#[derive(Clone)]
pub struct CpzCodec {
    framer: Framer,
    deframer: Deframer,
    scratch: Vec<u8>,
}

impl Default for CpzCodec {
    fn default() -> Self {
        CpzCodec::new()
    }
}

impl std::fmt::Debug for CpzCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CpzCodec")
            .field("session", &self.is_session())
            .field("max_frame_length", &self.max_frame_length())
            .field("frames_encoded", &self.framer.frames())
            .field("frames_decoded", &self.deframer.frames())
            .finish()
    }
}

/// Settings of a [`CpzCodec`], as [`CpzCodec::builder`] starts them: independent
/// frames in the default mode, every valid frame accepted, a stream without its end
/// an error.
#[derive(Debug, Clone, Copy)]
pub struct CpzCodecBuilder {
    mode: CompressionMode,
    level: Level,
    session: bool,
    max_frame_length: usize,
    unfinished: Unfinished,
}

impl CpzCodecBuilder {
    /// The mode frames are compressed in.
    pub fn mode(&mut self, mode: CompressionMode) -> &mut Self {
        self.mode = mode;
        self
    }

    /// How hard frames are compressed, 1 to 9 (the decoder needs no level).
    pub fn level(&mut self, level: Level) -> &mut Self {
        self.level = level;
        self
    }

    /// Session mode: see [`CpzCodec::with_session`].
    pub fn session(&mut self, session: bool) -> &mut Self {
        self.session = session;
        self
    }

    /// The longest frame: see [`CpzCodec::with_max_frame_length`].
    pub fn max_frame_length(&mut self, max: usize) -> &mut Self {
        self.max_frame_length = max;
        self
    }

    /// A stream without its end: see [`CpzCodec::with_unfinished`].
    pub fn unfinished(&mut self, unfinished: Unfinished) -> &mut Self {
        self.unfinished = unfinished;
        self
    }

    /// A codec with these settings.
    pub fn new_codec(&self) -> CpzCodec {
        CpzCodec::with_config(EngineConfig::default().with_mode(self.mode).with_level(self.level))
            .with_session(self.session)
            .with_max_frame_length(self.max_frame_length)
            .with_unfinished(self.unfinished)
    }
}

impl CpzCodec {
    /// The settings of a codec, to build one (tokio-util's `LengthDelimitedCodec`
    /// has the same shape).
    pub fn builder() -> CpzCodecBuilder {
        CpzCodecBuilder {
            mode: CompressionMode::default(),
            level: Level::default(),
            session: false,
            max_frame_length: crate::DEFAULT_MAX_FRAME_LENGTH,
            unfinished: Unfinished::Reject,
        }
    }

    /// Independent frames, default engine settings.
    pub fn new() -> Self {
        CpzCodec::with_config(EngineConfig::default())
    }

    /// Independent frames with these engine settings (mode; the block size does not
    /// matter here, since a message is one frame whatever its size).
    pub fn with_config(config: EngineConfig) -> Self {
        CpzCodec {
            framer: Framer::new(config.clone(), false),
            deframer: Deframer::new(config, false),
            scratch: Vec::new(),
        }
    }

    /// Session mode with default engine settings: see [`CpzCodec::with_session`].
    pub fn session() -> Self {
        CpzCodec::new().with_session(true)
    }

    /// Turns session mode on or off: frames that share state, decoded in order by one
    /// decoder. Both ends of a connection must agree.
    ///
    /// # Panics
    /// When a frame was already encoded or decoded.
    pub fn with_session(mut self, session: bool) -> Self {
        self.framer.set_session(session);
        self.deframer.set_session(session);
        self
    }

    /// The longest frame (header included) the decoder accepts and the encoder makes.
    /// The default, [`DEFAULT_MAX_FRAME_LENGTH`](crate::DEFAULT_MAX_FRAME_LENGTH), admits every valid frame.
    pub fn with_max_frame_length(mut self, max: usize) -> Self {
        self.deframer.set_max_frame_len(max);
        self
    }

    /// What the decoder makes of an input that ends after whole frames but before the
    /// stream's end frame (a peer that closed without sending [`EndOfStream`]): by
    /// default an `UnexpectedEof` error from `decode_eof`; [`Unfinished::Accept`]
    /// takes it as the end.
    pub fn with_unfinished(mut self, unfinished: Unfinished) -> Self {
        self.deframer.set_unfinished(unfinished);
        self
    }

    /// The longest frame (header included) it accepts and makes.
    pub fn max_frame_length(&self) -> usize {
        self.deframer.max_frame_len()
    }

    /// Whether frames share a match window (session mode).
    pub fn is_session(&self) -> bool {
        self.framer.is_session()
    }

    /// Frames encoded so far.
    pub fn frames_encoded(&self) -> u64 {
        self.framer.frames()
    }

    /// Data frames decoded so far.
    pub fn frames_decoded(&self) -> u64 {
        self.deframer.frames()
    }

    fn encode_slice(&mut self, message: &[u8], dst: &mut BytesMut) -> io::Result<()> {
        let max = self.max_frame_length();
        if message.len().saturating_add(HEADER_LEN) > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "a message of {} bytes could make a frame over the maximum frame length of {max} bytes",
                    message.len()
                ),
            ));
        }
        self.scratch.clear();
        self.framer.encode(message, &mut self.scratch)?;
        dst.extend_from_slice(&self.scratch);
        if self.scratch.capacity() > 4 << 20 {
            self.scratch = Vec::new();
        }
        Ok(())
    }
}

impl Encoder<Bytes> for CpzCodec {
    type Error = io::Error;

    fn encode(&mut self, item: Bytes, dst: &mut BytesMut) -> io::Result<()> {
        self.encode_slice(&item, dst)
    }
}

impl Encoder<BytesMut> for CpzCodec {
    type Error = io::Error;

    fn encode(&mut self, item: BytesMut, dst: &mut BytesMut) -> io::Result<()> {
        self.encode_slice(&item, dst)
    }
}

impl<'a> Encoder<&'a [u8]> for CpzCodec {
    type Error = io::Error;

    fn encode(&mut self, item: &'a [u8], dst: &mut BytesMut) -> io::Result<()> {
        self.encode_slice(item, dst)
    }
}

/// The item that ends a stream of messages: `framed.send(EndOfStream)` writes the end
/// frame, which tells the peer that every message of the stream arrived. Messages sent
/// after it start a new stream (in session mode sharing nothing with the one before).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndOfStream;

impl Encoder<EndOfStream> for CpzCodec {
    type Error = io::Error;

    fn encode(&mut self, _: EndOfStream, dst: &mut BytesMut) -> io::Result<()> {
        self.scratch.clear();
        self.framer.end(&mut self.scratch)?;
        dst.extend_from_slice(&self.scratch);
        Ok(())
    }
}

impl Decoder for CpzCodec {
    type Item = BytesMut;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<BytesMut>> {
        loop {
            let mut data = Vec::new();
            match self.deframer.step(src, &mut data)? {
                Step::Skipped(n) | Step::End(n) => src.advance(n),
                Step::Frame(n) => {
                    src.advance(n);
                    // A Vec the engine filled becomes the message without a copy.
                    return Ok(Some(BytesMut::from(Bytes::from(data))));
                }
                Step::NeedMore(need) => {
                    src.reserve(need.saturating_sub(src.len()));
                    return Ok(None);
                }
            }
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> io::Result<Option<BytesMut>> {
        if let Some(message) = self.decode(src)? {
            return Ok(Some(message));
        }
        self.deframer.finish(src)?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_one_frame_each() {
        let mut codec = CpzCodec::new();
        let mut wire = BytesMut::new();
        let messages: Vec<&[u8]> = vec![b"", b"a", b"hello hello hello hello hello", &[0u8; 5000]];
        for m in &messages {
            codec.encode(*m, &mut wire).unwrap();
        }
        codec.encode(Bytes::from_static(b"bytes"), &mut wire).unwrap();
        codec.encode(BytesMut::from(&b"bytes mut"[..]), &mut wire).unwrap();
        assert_eq!(codec.frames_encoded(), 6);
        let without_end = wire.clone();
        codec.encode(EndOfStream, &mut wire).unwrap();
        let mut got = Vec::new();
        while let Some(m) = codec.decode(&mut wire).unwrap() {
            got.push(m.to_vec());
        }
        assert!(wire.is_empty());
        assert_eq!(codec.decode_eof(&mut wire).unwrap(), None);
        let mut reader = CpzCodec::new();
        let mut cut = without_end;
        while reader.decode(&mut cut).unwrap().is_some() {}
        let err = reader.decode_eof(&mut cut).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "a peer gone without the end: {err}");
        let mut accepting = CpzCodec::new().with_unfinished(Unfinished::Accept);
        assert_eq!(accepting.decode_eof(&mut BytesMut::new()).unwrap(), None);
        let mut want: Vec<Vec<u8>> = messages.iter().map(|m| m.to_vec()).collect();
        want.push(b"bytes".to_vec());
        want.push(b"bytes mut".to_vec());
        assert_eq!(got, want);
    }

    #[test]
    fn session_frames_are_marked_and_refused_by_an_independent_decoder() {
        let mut codec = CpzCodec::session();
        assert!(codec.is_session());
        let mut wire = BytesMut::new();
        codec.encode(&b"first message"[..], &mut wire).unwrap();
        let mut independent = CpzCodec::new();
        let err = independent.decode(&mut wire.clone()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{err}");
        assert_eq!(codec.decode(&mut wire).unwrap().unwrap(), &b"first message"[..]);
    }

    #[test]
    fn oversized_messages_are_refused() {
        let mut codec = CpzCodec::new().with_max_frame_length(HEADER_LEN + 10);
        let mut wire = BytesMut::new();
        codec.encode(&[1u8; 10][..], &mut wire).unwrap();
        let err = codec.encode(&[1u8; 11][..], &mut wire).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
