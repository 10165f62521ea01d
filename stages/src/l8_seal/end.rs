//! The end frame: the last frame of a stream, which says what the stream held.
//!
//! Without it a stream cut at a frame boundary, or one whose writer stopped before it
//! finished, would read as complete. See docs/FORMAT.md.

use super::header::FORMAT_VERSION;
use crate::error::{Error, Result};
use crate::varint;

/// First four bytes of an end frame.
pub const END_MAGIC: [u8; 4] = [0x89, b'C', b'P', b'E'];
/// Bytes of the stream digest an end frame keeps: the first half of a SHA-256, far
/// more than damage needs (every block's own SHA-256 is in its header).
pub const END_DIGEST_LEN: usize = 16;
/// The shortest end frame: magic, length, version, two one-byte varints, digest, CRC.
pub const MIN_END_LEN: usize = 4 + 1 + 1 + 2 + END_DIGEST_LEN + 4;
/// The longest end frame: both varints at their 10 bytes.
pub const MAX_END_LEN: usize = MIN_END_LEN + 2 * 9;

/// What an end frame says of the stream it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndFrame {
    /// Data frames in the stream.
    pub frames: u64,
    /// Original bytes in the stream: the sum of its blocks' lengths.
    pub original_len: u64,
    /// The first [`END_DIGEST_LEN`] bytes of the SHA-256 of the concatenated SHA-256s
    /// of the stream's blocks, in stream order. A merge step can compute it from the
    /// frames' headers alone, without decoding.
    pub digest: [u8; END_DIGEST_LEN],
}

/// The length of the end frame whose first 5 bytes are `prefix`.
pub fn end_len(prefix: &[u8]) -> Result<usize> {
    let Some(&rest) = prefix.get(4) else {
        return Err(Error::Truncated { what: "end frame", needed: 5 - prefix.len() });
    };
    let len = 5 + usize::from(rest);
    if !(MIN_END_LEN..=MAX_END_LEN).contains(&len) {
        return Err(Error::corrupt("end frame", format!("length {len} outside {MIN_END_LEN} to {MAX_END_LEN}")));
    }
    Ok(len)
}

impl EndFrame {
    /// Appends the end frame.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&END_MAGIC);
        out.push(0); // the length of the rest, set below
        out.push(FORMAT_VERSION);
        varint::put(out, self.frames);
        varint::put(out, self.original_len);
        out.extend_from_slice(&self.digest);
        out[start + 4] = (out.len() - start - 5 + 4) as u8;
        let crc = crc32fast::hash(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    /// Parses and checks an end frame: magic, length, checksum, version, and that its
    /// fields fill it exactly.
    pub fn parse(bytes: &[u8]) -> Result<EndFrame> {
        if bytes.len() >= 4 && bytes[..4] != END_MAGIC {
            return Err(Error::corrupt("end frame", format!("bad magic {:02x?}", &bytes[..4])));
        }
        let len = end_len(bytes)?;
        if bytes.len() < len {
            return Err(Error::Truncated { what: "end frame", needed: len - bytes.len() });
        }
        let b = &bytes[..len];
        let stored_crc = u32::from_le_bytes(b[len - 4..].try_into().expect("4 bytes"));
        if crc32fast::hash(&b[..len - 4]) != stored_crc {
            return Err(Error::Checksum { what: "end frame" });
        }
        if b[5] != FORMAT_VERSION {
            return Err(Error::Unsupported { what: "end frame version", value: b[5].into() });
        }
        let fields = &b[..len - 4 - END_DIGEST_LEN];
        let mut pos = 6;
        let frames = varint::get(fields, &mut pos)?;
        let original_len = varint::get(fields, &mut pos)?;
        if pos != fields.len() {
            return Err(Error::corrupt("end frame", "its counts do not fill it"));
        }
        let digest = b[len - 4 - END_DIGEST_LEN..len - 4].try_into().expect("digest length");
        Ok(EndFrame { frames, original_len, digest })
    }

    /// The frame's length in bytes, as [`write`](Self::write) makes it.
    pub fn encoded_len(&self) -> usize {
        MIN_END_LEN - 2 + varint::len(self.frames) + varint::len(self.original_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EndFrame {
        EndFrame { frames: 8, original_len: 15_999_908, digest: [0xab; END_DIGEST_LEN] }
    }

    #[test]
    fn round_trip_at_every_size() {
        for (frames, original_len) in [(0, 0), (8, 15_999_908), (u64::MAX, u64::MAX)] {
            let end = EndFrame { frames, original_len, ..sample() };
            let mut buf = vec![1, 2, 3];
            end.write(&mut buf);
            assert_eq!(buf.len() - 3, end.encoded_len());
            assert_eq!(end_len(&buf[3..8]).unwrap(), end.encoded_len());
            assert_eq!(EndFrame::parse(&buf[3..]).unwrap(), end);
        }
        assert_eq!(EndFrame { frames: 0, original_len: 0, ..sample() }.encoded_len(), MIN_END_LEN);
        assert_eq!(EndFrame { frames: u64::MAX, original_len: u64::MAX, ..sample() }.encoded_len(), MAX_END_LEN);
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let mut buf = Vec::new();
        sample().write(&mut buf);
        for i in 0..buf.len() * 8 {
            let mut bad = buf.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(EndFrame::parse(&bad).is_err(), "bit {i}");
        }
        assert!(matches!(EndFrame::parse(&buf[..buf.len() - 1]), Err(Error::Truncated { needed: 1, .. })));
    }
}
