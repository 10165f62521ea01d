//! Skippable frames: metadata a decoder passes over, and the seek table built on them.
//!
//! A skippable frame is the magic `89 43 50 53`, a u32 LE content length, and the
//! content. A seek table is a skippable frame whose content is `SEEK`, a varint frame
//! count, then per data frame a varint frame length and a varint original length.

use super::header::SKIPPABLE_MAGIC;
use crate::error::{Error, Result};
use crate::varint;

/// Bytes before a skippable frame's content.
pub const SKIPPABLE_HEADER_LEN: usize = 8;

const SEEK_TAG: &[u8; 4] = b"SEEK";

/// Appends a skippable frame holding `content`.
pub fn write_skippable(content: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let len = u32::try_from(content.len()).map_err(|_| Error::Invalid("skippable content over 4 GiB".into()))?;
    out.extend_from_slice(&SKIPPABLE_MAGIC);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(content);
    Ok(())
}

/// Reads a skippable frame's content length from its first 8 bytes.
pub fn skippable_len(header: &[u8]) -> Result<u32> {
    if header.len() < SKIPPABLE_HEADER_LEN {
        return Err(Error::Truncated { what: "skippable frame header", needed: SKIPPABLE_HEADER_LEN - header.len() });
    }
    if header[..4] != SKIPPABLE_MAGIC {
        return Err(Error::corrupt("skippable frame", "bad magic"));
    }
    Ok(u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")))
}

/// One data frame as a seek table records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeekEntry {
    /// Bytes of the frame, header included.
    pub frame_len: u64,
    /// Bytes of its block.
    pub original_len: u64,
}

/// Appends a seek table for `entries` as a skippable frame.
pub fn write_seek_table(entries: &[SeekEntry], out: &mut Vec<u8>) -> Result<()> {
    let mut content = SEEK_TAG.to_vec();
    varint::put(&mut content, entries.len() as u64);
    for e in entries {
        varint::put(&mut content, e.frame_len);
        varint::put(&mut content, e.original_len);
    }
    write_skippable(&content, out)
}

/// Reads a seek table from a skippable frame's content; `None` if it is other metadata.
pub fn read_seek_table(content: &[u8]) -> Result<Option<Vec<SeekEntry>>> {
    if !content.starts_with(SEEK_TAG) {
        return Ok(None);
    }
    let mut pos = SEEK_TAG.len();
    // Each entry takes at least two bytes: that caps the count before allocating.
    let count = varint::get_capped(content, &mut pos, (content.len() / 2) as u64, "seek table entries")?;
    let mut entries = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let frame_len = varint::get(content, &mut pos)?;
        let original_len = varint::get(content, &mut pos)?;
        entries.push(SeekEntry { frame_len, original_len });
    }
    if pos != content.len() {
        return Err(Error::corrupt("seek table", "bytes after the last entry"));
    }
    Ok(Some(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_table_round_trip() {
        let entries =
            vec![SeekEntry { frame_len: 100, original_len: 1 << 20 }, SeekEntry { frame_len: 7, original_len: 0 }];
        let mut out = Vec::new();
        write_seek_table(&entries, &mut out).unwrap();
        let len = skippable_len(&out).unwrap() as usize;
        assert_eq!(len, out.len() - SKIPPABLE_HEADER_LEN);
        assert_eq!(read_seek_table(&out[SKIPPABLE_HEADER_LEN..]).unwrap(), Some(entries));
        assert_eq!(read_seek_table(b"other metadata").unwrap(), None);
        assert!(read_seek_table(b"SEEK\xff\xff\xff\x0f").is_err());
    }
}
