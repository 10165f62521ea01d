//! The fixed 56-byte header of a data frame. See docs/FORMAT.md for the layout.

use crate::block::{LayerId, LayerSet};
use crate::error::{Error, Result};

/// First four bytes of a data frame. The 0x89 catches 7-bit and text-mode damage.
pub const FRAME_MAGIC: [u8; 4] = [0x89, b'C', b'P', b'Z'];
/// First four bytes of a skippable frame.
pub const SKIPPABLE_MAGIC: [u8; 4] = [0x89, b'C', b'P', b'S'];
/// The format version this code writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Length of a data frame header.
pub const HEADER_LEN: usize = 56;
/// Largest block a frame may hold; a header claiming more is rejected unread.
pub const MAX_BLOCK_LEN: usize = 64 << 20;

/// A parsed, checked data frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
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
    /// Session frame: its matches may reach into the data of the session's earlier
    /// frames, so it decodes only after them, by a session decoder.
    pub session: bool,
}

/// Flag bit: the frame belongs to a session (see [`FrameHeader::session`]).
pub const FLAG_SESSION: u8 = 0x01;

impl FrameHeader {
    /// True when no layer but L8 was applied: the payload is the original bytes.
    pub fn is_stored(&self) -> bool {
        self.layers == LayerSet(1 << LayerId::Seal as u8)
    }

    pub fn frame_len(&self) -> usize {
        HEADER_LEN + self.payload_len as usize
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&FRAME_MAGIC);
        out.push(FORMAT_VERSION);
        out.push(if self.session { FLAG_SESSION } else { 0 });
        out.push(self.layers.0);
        out.push(0); // reserved
        out.extend_from_slice(&self.original_len.to_le_bytes());
        out.extend_from_slice(&self.payload_len.to_le_bytes());
        out.extend_from_slice(&self.payload_crc.to_le_bytes());
        out.extend_from_slice(&self.sha256);
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    /// Parses and checks a header: magic, version, reserved bits, header checksum and
    /// every length against its cap, so nothing is allocated on a hostile header's word.
    pub fn parse(bytes: &[u8]) -> Result<FrameHeader> {
        if bytes.len() < HEADER_LEN {
            return Err(Error::Truncated { what: "frame header", needed: HEADER_LEN - bytes.len() });
        }
        let b = &bytes[..HEADER_LEN];
        if b[..4] != FRAME_MAGIC {
            return Err(Error::corrupt("frame header", format!("bad magic {:02x?}", &b[..4])));
        }
        let stored_crc = u32::from_le_bytes(b[52..56].try_into().expect("4 bytes"));
        if crc32fast::hash(&b[..52]) != stored_crc {
            return Err(Error::Checksum { what: "frame header" });
        }
        if b[4] != FORMAT_VERSION {
            return Err(Error::Unsupported { what: "format version", value: b[4].into() });
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
        let header = FrameHeader {
            layers,
            original_len,
            payload_len,
            payload_crc: word(16),
            sha256: b[20..52].try_into().expect("32 bytes"),
            session: b[5] & FLAG_SESSION != 0,
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
            layers: LayerSet(0b1111_0000),
            original_len: 1000,
            payload_len: 200,
            payload_crc: 0xdead_beef,
            sha256: [7; 32],
            session: false,
        }
    }

    #[test]
    fn round_trip() {
        for session in [false, true] {
            let header = FrameHeader { session, ..sample() };
            let mut buf = Vec::new();
            header.write(&mut buf);
            assert_eq!(buf.len(), HEADER_LEN);
            assert_eq!(buf[5], u8::from(session));
            assert_eq!(FrameHeader::parse(&buf).unwrap(), header);
        }
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let mut buf = Vec::new();
        sample().write(&mut buf);
        for i in 0..HEADER_LEN * 8 {
            let mut bad = buf.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(FrameHeader::parse(&bad).is_err(), "bit {i}");
        }
    }

    fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
        let crc = crc32fast::hash(&bytes[..52]);
        bytes[52..56].copy_from_slice(&crc.to_le_bytes());
        bytes
    }

    #[test]
    fn rejects_hostile_lengths_and_reserved_bits() {
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
        let mut version = buf.clone();
        version[4] = 2;
        assert!(matches!(FrameHeader::parse(&with_crc(version)), Err(Error::Unsupported { .. })));
        assert!(matches!(FrameHeader::parse(&buf[..10]), Err(Error::Truncated { .. })));
    }
}
