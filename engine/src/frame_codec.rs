//! One frame at a time, in both directions: the shared core of the `Framed` codec and
//! the stream adapters, which decide where frames begin and end and leave the rest here.
//!
//! In session mode, frames on one connection share a match window: each frame may
//! refer to the last [`SESSION_WINDOW`] bytes of the data sent before it in the same
//! direction, so small, similar messages (log lines, requests) compress well. Both
//! ends keep that history; the decoder must see every frame, in order.

use std::sync::Arc;

use cobolp_stages::l5_rle::RleLayer;
use cobolp_stages::l6_pattern::{PatternLayer, SessionMatcher};
use cobolp_stages::l7_entropy::EntropyLayer;
use cobolp_stages::l8_seal::{self, FrameHeader, FramePlace, StreamTally};
use cobolp_stages::{Block, Error as StageError, Layer, LayerId};

use crate::config::EngineConfig;
use crate::error::{EngineError, Result};
use crate::inline::{EncodedFrame, InlineEngine};

/// How much earlier data a session frame may refer to. Fixed by the format (v1), so
/// both ends agree without negotiating; 64 KiB keeps a connection's state small.
pub const SESSION_WINDOW: usize = 64 << 10;

/// What one direction of a session has carried: at least its last `SESSION_WINDOW`
/// bytes, at most twice that, so that trimming is rare and cheap.
#[derive(Debug, Clone, Default)]
struct History {
    bytes: Vec<u8>,
}

impl History {
    fn push(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
        self.trim();
    }

    fn trim(&mut self) {
        if self.bytes.len() >= 2 * SESSION_WINDOW {
            let cut = self.bytes.len() - SESSION_WINDOW;
            self.bytes.drain(..cut);
        }
    }
}

/// The next frame of a stream, compressed apart from its [`FrameCodec`].
#[derive(Clone)]
pub struct DetachedFrame {
    engine: Arc<InlineEngine>,
    index: u64,
    stream_offset: u64,
}

impl std::fmt::Debug for DetachedFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetachedFrame").field("index", &self.index).field("stream_offset", &self.stream_offset).finish()
    }
}

impl DetachedFrame {
    /// Compresses `data` into the frame.
    pub fn compress(&self, data: &[u8]) -> Result<EncodedFrame> {
        self.engine.compress_frame(self.index, self.stream_offset, data)
    }
}

/// Position of the next frame in one direction, so errors can name it.
#[derive(Debug, Default, Clone, Copy)]
struct Cursor {
    frames: u64,
    offset: u64,
}

/// Turns chunks into frames and frames back into chunks. Frames are independent
/// unless session mode is on; each direction keeps its own count (and history), and
/// its own account of the stream it carries: the frames going out are placed in their
/// stream and closed by [`encode_end`](Self::encode_end). Frames coming in are
/// decoded one at a time; the [`FrameReader`](crate::FrameReader) holds them to their
/// stream.
#[derive(Clone)]
pub struct FrameCodec {
    inline: Arc<InlineEngine>,
    session: bool,
    pattern: PatternLayer,
    /// The sending side's history lives in its match finder.
    sent: SessionMatcher,
    received: History,
    out: Cursor,
    into: Cursor,
    /// The stream going out since its start or its last end.
    sending: StreamTally,
}

impl std::fmt::Debug for FrameCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameCodec")
            .field("session", &self.session)
            .field("frames_encoded", &self.out.frames)
            .field("frames_decoded", &self.into.frames)
            .finish_non_exhaustive()
    }
}

impl FrameCodec {
    /// `session`: frames on one connection share a match window (see the module
    /// documentation); off, every frame decodes on its own.
    pub fn new(config: &EngineConfig, session: bool) -> Result<FrameCodec> {
        // A session frame is L6 and L7 alone: its search is the one the configured
        // level gives the mode (the default level's is L6's default search).
        let params = config.level.match_params(config.mode);
        Ok(FrameCodec {
            inline: Arc::new(InlineEngine::new(config)?),
            session,
            pattern: PatternLayer { params },
            sent: SessionMatcher::new(SESSION_WINDOW, &params),
            received: History::default(),
            out: Cursor::default(),
            into: Cursor::default(),
            sending: StreamTally::default(),
        })
    }

    /// Whether frames share a match window (session mode).
    pub fn is_session(&self) -> bool {
        self.session
    }

    /// Frames encoded and decoded so far, together.
    pub fn frames(&self) -> u64 {
        self.out.frames + self.into.frames
    }

    /// Frames encoded so far.
    pub fn frames_encoded(&self) -> u64 {
        self.out.frames
    }

    /// Frames decoded so far.
    pub fn frames_decoded(&self) -> u64 {
        self.into.frames
    }

    /// Appends one frame holding `data` (at most 64 MiB) to `out`: the next frame of
    /// the stream going out.
    pub fn encode(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let header = match self.detached() {
            Some(next) => {
                let frame = next.compress(data)?;
                out.extend_from_slice(&frame.bytes);
                frame.header
            }
            None => {
                let stream_offset = self.sending.original_len();
                self.encode_session(data, stream_offset, out).map_err(|source| EngineError::Frame {
                    index: self.out.frames,
                    offset: self.out.offset,
                    source,
                })?
            }
        };
        self.encoded(&header);
        Ok(())
    }

    /// The next frame going out, as work that needs nothing of this codec and can run
    /// on another thread; `None` in session mode (a session frame needs the history).
    /// Hand the header of the frame it makes to [`encoded`](Self::encoded) before the
    /// next frame.
    pub fn detached(&self) -> Option<DetachedFrame> {
        (!self.session).then(|| DetachedFrame {
            engine: self.inline.clone(),
            index: self.out.frames,
            stream_offset: self.sending.original_len(),
        })
    }

    /// Counts a frame that went out (made by [`detached`](Self::detached) work).
    pub fn encoded(&mut self, header: &FrameHeader) {
        self.sending.add(header);
        self.out.frames += 1;
        self.out.offset += u64::from(header.original_len);
    }

    /// A session frame: L6 may match into what this direction sent before. L5 is
    /// left out: its runs of 32 bytes or more rarely occur in small messages.
    fn encode_session(
        &mut self,
        data: &[u8],
        stream_offset: u64,
        out: &mut Vec<u8>,
    ) -> std::result::Result<FrameHeader, StageError> {
        let mut block = Block::from_input(data.to_vec());
        self.pattern.encode_session(&mut block, &mut self.sent)?;
        EntropyLayer.encode(&mut block)?;
        let place = FramePlace { stream_offset, session: true };
        l8_seal::seal_frame(data, l8_seal::sha256(data), &block, place, out)
    }

    /// Appends the end frame of the stream going out, and starts a new one: its frames
    /// are placed from 0 again, and in session mode share nothing with the frames before.
    pub fn encode_end(&mut self, out: &mut Vec<u8>) {
        self.sending.end_frame().write(out);
        self.sending = StreamTally::default();
        if self.session {
            self.sent = SessionMatcher::new(SESSION_WINDOW, &self.pattern.params);
        }
    }

    /// Decodes one data frame (`header` parsed from its first bytes, `payload` the
    /// rest) and appends its data to `out`. A session codec decodes independent
    /// frames too; every frame it decodes joins its history.
    pub fn decode(&mut self, header: &FrameHeader, payload: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let data = if self.session && header.is_session() {
            self.decode_session(header, payload).map_err(|source| EngineError::Frame {
                index: self.into.frames,
                offset: self.into.offset,
                source,
            })?
        } else {
            self.inline.decompress_frame(self.into.frames, self.into.offset, *header, payload)?
        };
        if self.session && !header.is_session() {
            self.received.push(&data);
        }
        out.extend_from_slice(&data);
        self.into.frames += 1;
        self.into.offset += header.frame_len() as u64;
        Ok(())
    }

    /// Decodes a session frame against the history and adds it to the history; on
    /// any error the history is as it was, so the caller sees the failure alone.
    fn decode_session(&mut self, header: &FrameHeader, payload: &[u8]) -> std::result::Result<Vec<u8>, StageError> {
        let mark = self.received.bytes.len();
        let result = self.decode_session_at(header, payload);
        match &result {
            Ok(_) => self.received.trim(),
            Err(_) => self.received.bytes.truncate(mark),
        }
        result
    }

    fn decode_session_at(&mut self, header: &FrameHeader, payload: &[u8]) -> std::result::Result<Vec<u8>, StageError> {
        let mut block = l8_seal::open(header, payload)?;
        let known = [LayerId::Rle, LayerId::Pattern, LayerId::Entropy];
        if let Some(other) = block.layers.iter().find(|l| !known.contains(l)) {
            return Err(StageError::Unsupported { what: "layer in a session frame", value: u64::from(other.number()) });
        }
        if block.layers.contains(LayerId::Entropy) {
            EntropyLayer.decode(&mut block)?;
        }
        let appended = block.layers.contains(LayerId::Pattern);
        if appended {
            self.pattern.decode_session(&mut block, &mut self.received.bytes)?;
        }
        if block.layers.contains(LayerId::Rle) {
            RleLayer.decode(&mut block)?;
        }
        let data = block.into_single_bytes()?;
        l8_seal::verify(header, &data)?;
        if !appended {
            self.received.bytes.extend_from_slice(&data);
        }
        Ok(data)
    }

    /// Accounts for a skippable frame of `len` bytes passed over on the way in, so
    /// later errors give the right offset.
    pub fn skipped(&mut self, len: usize) {
        self.into.offset += len as u64;
    }

    /// The stream coming in ended (its end frame was read and checked by the
    /// [`FrameReader`](crate::FrameReader)): in session mode the next stream shares
    /// nothing with this one.
    pub fn decode_end(&mut self) {
        self.received.bytes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cobolp_stages::l8_seal::{next_frame, FrameRef};

    fn decode_all(codec: &mut FrameCodec, stream: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((frame, len)) = next_frame(&stream[pos..]).expect("well-formed") {
            if let FrameRef::Data { header, payload } = frame {
                codec.decode(&header, payload, &mut out)?;
            }
            pos += len;
        }
        Ok(out)
    }

    fn messages() -> Vec<Vec<u8>> {
        (0..300)
            .map(|i| {
                format!(
                    "2026-11-25T12:{:02}:{:02}Z INFO request id={} path=/api/v1/orders/{} status=200 bytes={}\n",
                    i / 60,
                    i % 60,
                    1000 + i,
                    i * 7 % 50,
                    i * 31 % 5000
                )
                .into_bytes()
            })
            .collect()
    }

    #[test]
    fn session_frames_round_trip_and_are_smaller() {
        let config = EngineConfig::default();
        let mut sender = FrameCodec::new(&config, true).unwrap();
        let mut plain = FrameCodec::new(&config, false).unwrap();
        let (mut session_wire, mut plain_wire) = (Vec::new(), Vec::new());
        for m in messages() {
            sender.encode(&m, &mut session_wire).unwrap();
            plain.encode(&m, &mut plain_wire).unwrap();
        }
        // Headers are the same 68 bytes either way; the payloads show what sharing buys.
        let headers = 300 * l8_seal::HEADER_LEN;
        let (session_payload, plain_payload) = (session_wire.len() - headers, plain_wire.len() - headers);
        assert!(session_payload * 2 < plain_payload, "{session_payload} vs {plain_payload}");
        let mut receiver = FrameCodec::new(&config, true).unwrap();
        assert_eq!(decode_all(&mut receiver, &session_wire).unwrap(), messages().concat());
        assert_eq!(receiver.frames_decoded(), 300);
    }

    /// The level sets a session frame's search as it does a block's, from the first
    /// stream to the ones after an end frame; any decoder reads any level.
    #[test]
    fn session_frames_search_as_the_level_says() {
        let session_wire = |config: &EngineConfig, codec: &mut FrameCodec| {
            let mut wire = Vec::new();
            for m in messages() {
                codec.encode(&m, &mut wire).unwrap();
            }
            codec.encode_end(&mut wire);
            let mut receiver = FrameCodec::new(&EngineConfig::default(), true).unwrap();
            assert_eq!(decode_all(&mut receiver, &wire).unwrap(), messages().concat(), "{:?}", config.level);
            wire
        };
        let mut wires = Vec::new();
        for level in [1, 9] {
            let config = EngineConfig::default().with_level(crate::Level::new(level).unwrap());
            let mut codec = FrameCodec::new(&config, true).unwrap();
            let first = session_wire(&config, &mut codec);
            // After the end frame the codec starts over, with the same search.
            assert_eq!(session_wire(&config, &mut codec), first, "level {level}, second stream");
            wires.push(first);
        }
        assert_ne!(wires[0], wires[1], "levels 1 and 9 searched alike");
        // The other modes' searches (Legacy's hashes five bytes) in session frames too.
        for mode in [crate::CompressionMode::Legacy, crate::CompressionMode::Maximal] {
            let config = EngineConfig::default().with_mode(mode);
            session_wire(&config, &mut FrameCodec::new(&config, true).unwrap());
        }
    }

    #[test]
    fn session_frames_need_a_session_decoder_and_their_order() {
        let config = EngineConfig::default();
        let mut sender = FrameCodec::new(&config, true).unwrap();
        let mut frames = Vec::new();
        for m in messages().iter().take(20) {
            let mut f = Vec::new();
            sender.encode(m, &mut f).unwrap();
            frames.push(f);
        }
        let mut independent = FrameCodec::new(&config, false).unwrap();
        let err = decode_all(&mut independent, &frames[0]).unwrap_err().to_string();
        assert!(err.contains("session"), "{err}");
        // Out of order: the history differs, so the frame fails (never wrong bytes);
        // a stream decoder's FrameReader refuses it earlier, by its place.
        let mut receiver = FrameCodec::new(&config, true).unwrap();
        decode_all(&mut receiver, &frames[0]).unwrap();
        assert!(decode_all(&mut receiver, &frames[2]).is_err());
    }

    #[test]
    fn history_keeps_at_least_the_last_window() {
        let mut h = History::default();
        h.push(&vec![1u8; SESSION_WINDOW - 10]);
        h.push(&[2u8; 20]);
        assert_eq!(h.bytes.len(), SESSION_WINDOW + 10);
        h.push(&vec![3u8; SESSION_WINDOW + 5]);
        assert_eq!(h.bytes, vec![3u8; SESSION_WINDOW]);
        h.push(&[4u8; 7]);
        assert_eq!(h.bytes.len(), SESSION_WINDOW + 7);
        assert_eq!(&h.bytes[SESSION_WINDOW..], &[4u8; 7]);
    }
}
