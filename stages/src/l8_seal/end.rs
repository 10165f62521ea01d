//! The end frame: the last frame of a stream, which says what the stream held.
//!
//! Without it a stream cut at a frame boundary, or one whose writer stopped before it
//! finished, would read as complete. See docs/FORMAT.md.

use super::header::FORMAT_VERSION;
use crate::error::{Error, Result};

/// First four bytes of an end frame.
pub const END_MAGIC: [u8; 4] = [0x89, b'C', b'P', b'E'];
/// Length of an end frame.
pub const END_LEN: usize = 60;

/// What an end frame says of the stream it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndFrame {
    /// Data frames in the stream.
    pub frames: u64,
    /// Original bytes in the stream: the sum of its blocks' lengths.
    pub original_len: u64,
    /// SHA-256 of the concatenated SHA-256s of the stream's blocks, in stream order.
    /// A merge step can compute it from the frames' headers alone, without decoding.
    pub digest: [u8; 32],
}

impl EndFrame {
    /// Appends the end frame.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&END_MAGIC);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&[0; 3]);
        out.extend_from_slice(&self.frames.to_le_bytes());
        out.extend_from_slice(&self.original_len.to_le_bytes());
        out.extend_from_slice(&self.digest);
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    /// Parses and checks an end frame: magic, checksum, version, reserved bytes.
    pub fn parse(bytes: &[u8]) -> Result<EndFrame> {
        if bytes.len() < END_LEN {
            return Err(Error::Truncated { what: "end frame", needed: END_LEN - bytes.len() });
        }
        let b = &bytes[..END_LEN];
        if b[..4] != END_MAGIC {
            return Err(Error::corrupt("end frame", format!("bad magic {:02x?}", &b[..4])));
        }
        let stored_crc = u32::from_le_bytes(b[56..60].try_into().expect("4 bytes"));
        if crc32fast::hash(&b[..56]) != stored_crc {
            return Err(Error::Checksum { what: "end frame" });
        }
        if b[4] != FORMAT_VERSION {
            return Err(Error::Unsupported { what: "end frame version", value: b[4].into() });
        }
        if b[5..8] != [0; 3] {
            return Err(Error::Unsupported {
                what: "reserved end frame bits",
                value: u64::from(b[5]) << 16 | u64::from(b[6]) << 8 | u64::from(b[7]),
            });
        }
        let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        Ok(EndFrame { frames: word(8), original_len: word(16), digest: b[24..56].try_into().expect("32 bytes") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EndFrame {
        EndFrame { frames: 8, original_len: 15_999_908, digest: [0xab; 32] }
    }

    #[test]
    fn round_trip() {
        let mut buf = vec![1, 2, 3];
        sample().write(&mut buf);
        assert_eq!(buf.len(), 3 + END_LEN);
        assert_eq!(EndFrame::parse(&buf[3..]).unwrap(), sample());
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let mut buf = Vec::new();
        sample().write(&mut buf);
        for i in 0..END_LEN * 8 {
            let mut bad = buf.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(EndFrame::parse(&bad).is_err(), "bit {i}");
        }
        assert!(matches!(EndFrame::parse(&buf[..END_LEN - 1]), Err(Error::Truncated { needed: 1, .. })));
    }
}
