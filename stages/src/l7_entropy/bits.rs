//! LSB-first bit I/O with a 64-bit buffer.
//!
//! Both sides move whole little-endian words: the writer stores 8 bytes per flush and
//! advances by the complete bytes only, the reader loads 8 bytes per refill and keeps
//! at least 56 valid bits. That is what lets five 11-bit codes go by between two
//! memory operations.

/// Codes a writer may add between two flushes: 7 leftover bits + 5 × 11 ≤ 64.
pub(super) const SYMBOLS_PER_FLUSH: usize = 5;

/// Codes a reader may take after one refill: 5 × 11 ≤ 56, the least a refill leaves.
pub(super) const SYMBOLS_PER_REFILL: usize = 5;

/// Writes codes into a byte slice that has 8 spare bytes past the last byte the
/// caller expects to be written.
pub(super) struct BitWriter<'a> {
    out: &'a mut [u8],
    pos: usize,
    acc: u64,
    count: u32,
}

impl<'a> BitWriter<'a> {
    pub(super) fn new(out: &'a mut [u8]) -> Self {
        BitWriter { out, pos: 0, acc: 0, count: 0 }
    }

    /// Adds a code of `len` bits. The caller flushes before more than 57 bits are held.
    #[inline(always)]
    pub(super) fn put(&mut self, code: u64, len: u32) {
        self.acc |= code << self.count;
        self.count += len;
    }

    /// Stores the held bits; keeps the last partial byte for the next flush to finish.
    #[inline(always)]
    pub(super) fn flush(&mut self) {
        // The bytes past the complete ones are rewritten by the next flush, or lie in
        // the slack that the caller gave, so an unconditional 8-byte store is safe.
        if let Some(dst) = self.out.get_mut(self.pos..self.pos + 8) {
            dst.copy_from_slice(&self.acc.to_le_bytes());
        }
        let bytes = self.count >> 3;
        self.pos += bytes as usize;
        self.acc >>= bytes * 8;
        self.count &= 7;
    }

    /// Writes the last partial byte (zero-padded) and returns the bytes written.
    pub(super) fn finish(mut self) -> usize {
        self.flush();
        if self.count > 0 {
            if let Some(dst) = self.out.get_mut(self.pos) {
                *dst = self.acc as u8;
            }
            self.pos += 1;
        }
        self.pos
    }
}

/// Reads one sub-stream of a shared buffer.
///
/// `pos` is the next byte not yet in `bits`; `pos * 8 - count` is therefore the bit
/// position of the next code, which is how the decoder checks at the end that a
/// sub-stream was consumed exactly.
#[derive(Clone, Copy)]
pub(super) struct BitReader {
    bits: u64,
    count: u32,
    pos: usize,
    start: usize,
    end: usize,
}

impl BitReader {
    pub(super) fn new(start: usize, end: usize) -> Self {
        BitReader { bits: 0, count: 0, pos: start, start, end }
    }

    /// The next byte not yet loaded; the fast refill needs 8 bytes from here.
    #[inline(always)]
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Tops the buffer up to at least 56 bits without branching on the bit count
    /// (F. Giesen's "variant 4"): the partly used byte is loaded again, which is
    /// harmless because OR-ing the same bits onto themselves changes nothing.
    ///
    /// Reads past this sub-stream's end into the next one; those bits are never
    /// used by a valid stream, and the final length check catches an invalid one.
    #[inline(always)]
    pub(super) fn refill_fast(&mut self, buf: &[u8]) {
        let word = match buf.get(self.pos..self.pos + 8) {
            Some(b) => u64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
            None => self.load_tail(buf),
        };
        self.bits |= word << self.count;
        self.pos += ((63 - self.count) >> 3) as usize;
        self.count |= 56;
    }

    /// Like [`BitReader::refill_fast`], but reads zeros past this sub-stream's end.
    #[inline]
    pub(super) fn refill_safe(&mut self, buf: &[u8]) {
        let word = self.load_tail(buf);
        self.bits |= word << self.count;
        self.pos += ((63 - self.count) >> 3) as usize;
        self.count |= 56;
    }

    fn load_tail(&self, buf: &[u8]) -> u64 {
        let end = self.end.min(buf.len());
        let mut bytes = [0u8; 8];
        if self.pos < end {
            let n = (end - self.pos).min(8);
            bytes[..n].copy_from_slice(&buf[self.pos..self.pos + n]);
        }
        u64::from_le_bytes(bytes)
    }

    /// The low bits of the buffer, for a table lookup.
    #[inline(always)]
    pub(super) fn peek(&self) -> u64 {
        self.bits
    }

    /// Drops the bits of a table entry whose low byte is the code length (at most
    /// 11) and whose higher bits are free for other use. After a refill at most 56
    /// bits may be dropped.
    #[inline(always)]
    pub(super) fn consume_entry(&mut self, entry: u32) {
        self.bits = self.bits.wrapping_shr(entry);
        self.count -= entry & 0xff;
    }

    /// The last byte of the sub-stream (zero for an empty one).
    pub(super) fn end_byte(&self, buf: &[u8]) -> u8 {
        self.end.checked_sub(1).and_then(|i| buf.get(i)).copied().unwrap_or(0)
    }

    /// Bits consumed since the start of the sub-stream.
    pub(super) fn consumed_bits(&self) -> u64 {
        (self.pos - self.start) as u64 * 8 - u64::from(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn writer_reader_round_trip(codes in proptest::collection::vec((0u64..2048, 1u32..=11), 0..500)) {
            let total_bits: u64 = codes.iter().map(|c| u64::from(c.1)).sum();
            let mut buf = vec![0u8; total_bits.div_ceil(8) as usize + 8];
            let mut w = BitWriter::new(&mut buf);
            for chunk in codes.chunks(SYMBOLS_PER_FLUSH) {
                for &(code, len) in chunk {
                    w.put(code & ((1 << len) - 1), len);
                }
                w.flush();
            }
            let written = w.finish();
            prop_assert_eq!(written as u64, total_bits.div_ceil(8));
            buf.truncate(written);
            let mut r = BitReader::new(0, buf.len());
            for chunk in codes.chunks(SYMBOLS_PER_REFILL) {
                r.refill_safe(&buf);
                for &(code, len) in chunk {
                    prop_assert_eq!(r.peek() & ((1 << len) - 1), code & ((1 << len) - 1));
                    r.consume_entry(len);
                }
            }
            prop_assert_eq!(r.consumed_bits(), total_bits);
        }
    }
}
