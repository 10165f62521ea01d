//! The buffer a split block's lines are rebuilt into: sized once for the whole block,
//! with room past its end, so that a short piece (a template's text between two
//! slots, a number) goes in as one fixed-width copy instead of a call that copies
//! its length and a check that the vector has room.

use std::ops::Range;

use super::tokens::{self, NUMBER_ROOM};
use crate::{Error, Result};

/// Template text this long or shorter is copied as one move of this many bytes
/// (from a source with as many bytes to spare after any piece).
pub const SHORT_TEXT: usize = 16;

/// Past the block's end: room for the widest fixed-width write.
const ROOM: usize = if NUMBER_ROOM > SHORT_TEXT { NUMBER_ROOM } else { SHORT_TEXT };

/// A block being rebuilt. Every write that would take it past the block's length is
/// an error (a damaged frame), so what it holds never exceeds that length and the
/// room after it is always there.
pub struct Rebuilt {
    buf: Vec<u8>,
    len: usize,
    limit: usize,
}

impl Rebuilt {
    /// An empty block that may grow to `limit` bytes.
    pub fn new(limit: usize) -> Rebuilt {
        Rebuilt { buf: crate::block_buffers::zeroed(limit + ROOM), len: 0, limit }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    fn too_long(&self) -> Error {
        Error::corrupt("block", format!("lines longer than the {} bytes of the block", self.limit))
    }

    /// The block's length after `more` bytes, if within its limit.
    #[inline(always)]
    fn grown(&self, more: usize) -> Result<usize> {
        match self.len + more {
            end if end <= self.limit => Ok(end),
            _ => Err(self.too_long()),
        }
    }

    /// Appends `bytes`.
    #[inline(always)]
    pub fn put(&mut self, bytes: &[u8]) -> Result<()> {
        let end = self.grown(bytes.len())?;
        self.buf[self.len..end].copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Appends `text[range]`; `text` holds [`SHORT_TEXT`] bytes after every range
    /// asked of it (any bytes: they are written past the block's end and then over).
    #[inline(always)]
    pub fn put_text(&mut self, text: &[u8], range: Range<usize>) -> Result<()> {
        let n = range.len();
        if n <= SHORT_TEXT {
            let end = self.grown(n)?;
            let source = text.get(range.start..range.start + SHORT_TEXT);
            let target = self.buf.get_mut(self.len..self.len + SHORT_TEXT);
            if let (Some(source), Some(target)) = (source, target) {
                target.copy_from_slice(source);
                self.len = end;
                return Ok(());
            }
        }
        let piece = text.get(range).ok_or_else(|| Error::corrupt("templates", "text past the dictionary's end"))?;
        self.put(piece)
    }

    /// Appends a number `width` bytes wide: `value`'s digits, zeros in front.
    #[inline(always)]
    pub fn put_number(&mut self, value: u64, width: usize) -> Result<()> {
        let room =
            self.buf.get_mut(self.len..self.len + NUMBER_ROOM).and_then(|r| <&mut [u8; NUMBER_ROOM]>::try_from(r).ok());
        let written = room.and_then(|room| tokens::put_number(value, width, room));
        let end =
            self.grown(written.ok_or_else(|| Error::corrupt("numbers", format!("{value} in {width} digits")))?)?;
        self.len = end;
        Ok(())
    }

    /// Appends a copy of `range`, bytes it already holds.
    pub fn repeat(&mut self, range: Range<usize>) -> Result<()> {
        if range.start > range.end || range.end > self.len {
            return Err(Error::corrupt("block", "a copy of bytes not yet rebuilt"));
        }
        let end = self.grown(range.len())?;
        self.buf.copy_within(range, self.len);
        self.len = end;
        Ok(())
    }

    /// The rebuilt bytes.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.buf.truncate(self.len);
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Piece {
        Text(Range<usize>),
        Number(u64, u8),
        Bytes(Vec<u8>),
        Repeat(Range<usize>),
    }

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            (0usize..60, 0usize..40).prop_map(|(s, n)| Piece::Text(s..s + n)),
            (any::<u64>(), 0u8..40).prop_map(|(v, z)| Piece::Number(v, z)),
            prop::collection::vec(any::<u8>(), 0..50).prop_map(Piece::Bytes),
            (0usize..80, 0usize..30).prop_map(|(s, n)| Piece::Repeat(s..s + n)),
            (1usize..80, 1usize..30).prop_map(|(s, n)| Piece::Repeat(s..s.saturating_sub(n))),
        ]
    }

    #[test]
    fn a_number_narrower_than_its_digits_is_an_error() {
        let mut rebuilt = Rebuilt::new(100);
        assert!(rebuilt.put_number(123, 2).is_err());
        assert!(rebuilt.put_number(100, 2).is_err());
        assert!(rebuilt.put_number(10, 1).is_err());
        assert!(rebuilt.put_number(0, 0).is_err());
        assert!(rebuilt.put_number(u64::MAX, 19).is_err());
        assert!(rebuilt.put_number(99, NUMBER_ROOM + 1).is_err());
        assert_eq!(rebuilt.len(), 0);
        rebuilt.put_number(123, 3).unwrap();
        rebuilt.put_number(7, 4).unwrap();
        rebuilt.put_number(u64::MAX, 20).unwrap();
        rebuilt.put_number(0, 1).unwrap();
        assert_eq!(rebuilt.into_bytes(), b"1230007184467440737095516150");
    }

    proptest! {
        /// Every piece lands as a vector's plain appends would put it, and the first
        /// one past the limit (or past the text) is an error, not a panic.
        #[test]
        fn writes_what_a_vector_would(pieces in prop::collection::vec(piece(), 0..40), limit in 0usize..400) {
            let text: Vec<u8> = (0..100u8).map(|i| b'a' + i % 26).chain([0; SHORT_TEXT]).collect();
            let mut rebuilt = Rebuilt::new(limit);
            let mut expected = Vec::new();
            for p in pieces {
                let before = expected.len();
                let ok = match &p {
                    Piece::Text(r) => match text[..100].get(r.clone()) {
                        Some(t) => { expected.extend_from_slice(t); rebuilt.put_text(&text, r.clone()).is_ok() }
                        None => { rebuilt.put_text(&text[..100], r.clone()).is_ok() }
                    },
                    Piece::Number(v, z) => {
                        tokens::write_number(*v, *z, &mut expected);
                        rebuilt.put_number(*v, usize::from(*z) + tokens::decimal_len(*v)).is_ok()
                    }
                    Piece::Bytes(b) => { expected.extend_from_slice(b); rebuilt.put(b).is_ok() }
                    Piece::Repeat(r) if r.start <= r.end && r.end <= before => {
                        expected.extend_from_within(r.clone());
                        rebuilt.repeat(r.clone()).is_ok()
                    }
                    Piece::Repeat(r) => { prop_assert!(rebuilt.repeat(r.clone()).is_err()); break }
                };
                let fits = expected.len() <= limit
                    && !matches!(&p, Piece::Text(r) if r.end > 100)
                    && !matches!(&p, Piece::Number(v, z) if usize::from(*z) + tokens::decimal_len(*v) > NUMBER_ROOM);
                prop_assert_eq!(ok, fits, "{:?}", p);
                if !ok {
                    break;
                }
                prop_assert_eq!(rebuilt.len(), expected.len());
            }
            if rebuilt.len() == expected.len() {
                prop_assert_eq!(rebuilt.into_bytes(), expected);
            }
        }
    }
}
