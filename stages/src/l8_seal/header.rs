//! The fixed header of a data frame. See docs/FORMAT.md for the layout.

use crate::block::{LayerId, LayerSet};
use crate::error::{Error, Result};

/// First four bytes of a data frame. The 0x89 catches 7-bit and text-mode damage.
pub const FRAME_MAGIC: [u8; 4] = [0x89, b'C', b'P', b'Z'];
/// First four bytes of a skippable frame.
pub const SKIPPABLE_MAGIC: [u8; 4] = [0x89, b'C', b'P', b'S'];
/// The format version this code writes: frames that know their place in their stream,
/// and streams that end with an end frame.
pub const FORMAT_VERSION: u8 = 2;
/// The first version, still read: frames without a stream offset, streams without an end.
pub const FORMAT_VERSION_1: u8 = 1;
/// Length of a data frame header as this code writes it (version 2): version 1's 56
/// bytes, which a version 1 decoder checks and then refuses by its version number, and
/// the stream offset with a checksum of its own.
pub const HEADER_LEN: usize = 68;
/// Length of a version 1 data frame header.
pub const HEADER_LEN_V1: usize = 56;
/// Largest block a frame may hold; a header claiming more is rejected unread.
pub const MAX_BLOCK_LEN: usize = 64 << 20;

/// Where a frame sits: what an encoder knows of it besides its block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FramePlace {
    /// Bytes of the stream's original data before this frame's block. A worker that
    /// compresses part of a file knows it from where its part starts, so parts
    /// compressed apart concatenate into the stream one process would write.
    pub stream_offset: u64,
    /// Session frame: its matches may reach into the data of the session's earlier
    /// frames, so it decodes only after them, by a session decoder.
    pub session: bool,
}

impl FramePlace {
    /// An independent frame whose block starts `stream_offset` bytes into its stream.
    pub fn at(stream_offset: u64) -> FramePlace {
        FramePlace { stream_offset, session: false }
    }
}

/// A parsed, checked data frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Format version of the frame: 2, or 1 for frames written before streams had ends.
    pub version: u8,
    /// Layers applied to the block; `L8` alone means the payload is the block, stored.
    pub layers: LayerSet,
    /// Length of the block before compression.
    pub original_len: u32,
    /// Length of the payload that follows the header.
    pub payload_len: u32,
    /// CRC-32 (IEEE) of the payload.
    pub payload_crc: u32,
    /// SHA-256 of the block before compression.
    pub sha256: [u8; 32],
    /// The frame's place in its stream (a version 1 frame has none: offset 0).
    pub place: FramePlace,
}

/// Flag bit: the frame belongs to a session (see [`FramePlace::session`]).
pub const FLAG_SESSION: u8 = 0x01;

/// The header length of a frame of `version`, or an error for a version this code
/// does not read.
pub fn header_len(version: u8) -> Result<usize> {
    match version {
        FORMAT_VERSION => Ok(HEADER_LEN),
        FORMAT_VERSION_1 => Ok(HEADER_LEN_V1),
        other => Err(Error::Unsupported { what: "format version", value: other.into() }),
    }
}

impl FrameHeader {
    /// True when no layer but L8 was applied: the payload is the original bytes.
    pub fn is_stored(&self) -> bool {
        self.layers == LayerSet(1 << LayerId::Seal as u8)
    }

    /// Whether the frame is a session frame.
    pub fn is_session(&self) -> bool {
        self.place.session
    }

    /// Length of this frame's header.
    pub fn header_len(&self) -> usize {
        if self.version == FORMAT_VERSION_1 {
            HEADER_LEN_V1
        } else {
            HEADER_LEN
        }
    }

    /// Length of the whole frame: header and payload.
    pub fn frame_len(&self) -> usize {
        self.header_len() + self.payload_len as usize
    }

    /// Appends the header in this header's version.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&FRAME_MAGIC);
        out.push(self.version);
        out.push(if self.place.session { FLAG_SESSION } else { 0 });
        out.push(self.layers.0);
        out.push(0); // reserved
        out.extend_from_slice(&self.original_len.to_le_bytes());
        out.extend_from_slice(&self.payload_len.to_le_bytes());
        out.extend_from_slice(&self.payload_crc.to_le_bytes());
        out.extend_from_slice(&self.sha256);
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
        if self.version != FORMAT_VERSION_1 {
            out.extend_from_slice(&self.place.stream_offset.to_le_bytes());
            let crc = crc32fast::hash(&out[start..]);
            out.extend_from_slice(&crc.to_le_bytes());
        }
    }

    /// Parses and checks a header: magic, header checksum, version, reserved bits and
    /// every length against its cap, so nothing is allocated on a hostile header's word.
    pub fn parse(bytes: &[u8]) -> Result<FrameHeader> {
        if bytes.len() < 5 {
            return Err(Error::Truncated { what: "frame header", needed: 5 - bytes.len() });
        }
        if bytes[..4] != FRAME_MAGIC {
            return Err(Error::corrupt("frame header", format!("bad magic {:02x?}", &bytes[..4])));
        }
        let len = header_len(bytes[4])?;
        if bytes.len() < len {
            return Err(Error::Truncated { what: "frame header", needed: len - bytes.len() });
        }
        let b = &bytes[..len];
        let crc_at = |end: usize| u32::from_le_bytes(b[end..end + 4].try_into().expect("4 bytes"));
        if crc32fast::hash(&b[..52]) != crc_at(52) || len > 56 && crc32fast::hash(&b[..64]) != crc_at(64) {
            return Err(Error::Checksum { what: "frame header" });
        }
        if b[5] & !FLAG_SESSION != 0 || b[7] != 0 {
            return Err(Error::Unsupported {
                what: "reserved header bits",
                value: u64::from(b[5]) << 8 | u64::from(b[7]),
            });
        }
        let layers = LayerSet(b[6]);
        if !layers.contains(LayerId::Seal) {
            return Err(Error::corrupt("frame header", "layer mask lacks L8"));
        }
        let word = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
        let original_len = word(8);
        let payload_len = word(12);
        if original_len as usize > MAX_BLOCK_LEN {
            return Err(Error::TooLarge { what: "block", value: original_len.into(), limit: MAX_BLOCK_LEN as u64 });
        }
        // The encoder stores any block that would not shrink, so a payload is never
        // longer than its block: that bounds what a reader must buffer.
        if payload_len > original_len {
            return Err(Error::TooLarge { what: "payload", value: payload_len.into(), limit: original_len.into() });
        }
        let stream_offset =
            if b[4] == FORMAT_VERSION_1 { 0 } else { u64::from_le_bytes(b[56..64].try_into().expect("8 bytes")) };
        let header = FrameHeader {
            version: b[4],
            layers,
            original_len,
            payload_len,
            payload_crc: word(16),
            sha256: b[20..52].try_into().expect("32 bytes"),
            place: FramePlace { stream_offset, session: b[5] & FLAG_SESSION != 0 },
        };
        if header.is_stored() && payload_len != original_len {
            return Err(Error::corrupt(
                "frame header",
                "stored frame whose payload length differs from its block length",
            ));
        }
        Ok(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FrameHeader {
        FrameHeader {
            version: FORMAT_VERSION,
            layers: LayerSet(0b1111_0000),
            original_len: 1000,
            payload_len: 200,
            payload_crc: 0xdead_beef,
            sha256: [7; 32],
            place: FramePlace { stream_offset: 0x0102_0304_0506_0708, session: false },
        }
    }

    #[test]
    fn round_trip() {
        for session in [false, true] {
            let header = FrameHeader { place: FramePlace { session, ..sample().place }, ..sample() };
            let mut buf = Vec::new();
            header.write(&mut buf);
            assert_eq!(buf.len(), HEADER_LEN);
            assert_eq!(buf[5], u8::from(session));
            assert_eq!(buf[56..64], 0x0102_0304_0506_0708u64.to_le_bytes());
            assert_eq!(FrameHeader::parse(&buf).unwrap(), header);
            assert_eq!(header.frame_len(), HEADER_LEN + 200);
        }
    }

    /// A version 1 decoder checks the magic, the CRC at 52 and then the version: a
    /// version 2 header passes the first two, so that decoder names the version.
    #[test]
    fn a_version_1_decoder_sees_a_valid_header_of_an_unknown_version() {
        let mut buf = Vec::new();
        sample().write(&mut buf);
        assert_eq!(crc32fast::hash(&buf[..52]).to_le_bytes(), buf[52..56]);
        assert_eq!(buf[4], 2);
    }

    #[test]
    fn version_1_headers_are_read_without_a_place() {
        let v1 = FrameHeader { version: FORMAT_VERSION_1, place: FramePlace::default(), ..sample() };
        let mut buf = Vec::new();
        v1.write(&mut buf);
        assert_eq!(buf.len(), HEADER_LEN_V1);
        let parsed = FrameHeader::parse(&buf).unwrap();
        assert_eq!(parsed, v1);
        assert_eq!(parsed.header_len(), HEADER_LEN_V1);
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        for version in [FORMAT_VERSION, FORMAT_VERSION_1] {
            let mut buf = Vec::new();
            FrameHeader { version, ..sample() }.write(&mut buf);
            for i in 0..buf.len() * 8 {
                let mut bad = buf.clone();
                bad[i / 8] ^= 1 << (i % 8);
                assert!(FrameHeader::parse(&bad).is_err(), "version {version} bit {i}");
            }
        }
    }

    fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
        for end in [52, 64] {
            let crc = crc32fast::hash(&bytes[..end]);
            bytes[end..end + 4].copy_from_slice(&crc.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn rejects_hostile_lengths_reserved_bits_and_unknown_versions() {
        let mut buf = Vec::new();
        sample().write(&mut buf);
        let mut huge = buf.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(FrameHeader::parse(&with_crc(huge)), Err(Error::TooLarge { what: "block", .. })));
        let mut long_payload = buf.clone();
        long_payload[12..16].copy_from_slice(&1001u32.to_le_bytes());
        assert!(matches!(FrameHeader::parse(&with_crc(long_payload)), Err(Error::TooLarge { .. })));
        let mut reserved = buf.clone();
        reserved[5] = 2;
        assert!(matches!(FrameHeader::parse(&with_crc(reserved)), Err(Error::Unsupported { .. })));
        for version in [0u8, 3, 255] {
            let mut other = buf.clone();
            other[4] = version;
            let err = FrameHeader::parse(&with_crc(other)).unwrap_err();
            assert_eq!(err, Error::Unsupported { what: "format version", value: version.into() });
        }
        assert!(matches!(FrameHeader::parse(&buf[..10]), Err(Error::Truncated { .. })));
        assert!(matches!(FrameHeader::parse(&buf[..4]), Err(Error::Truncated { .. })));
    }
}
