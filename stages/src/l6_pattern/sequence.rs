//! The token, length and offset encoding that the encoder writes and the decoder reads.
//!
//! Kept apart from the match finder so that the format lives in one place: the
//! constants here are the format, and [`SeqWriter`] is the only code that emits it.

use crate::varint;

/// Shortest match the format can express; the token stores `length - MIN_MATCH`.
pub(crate) const MIN_MATCH: usize = 4;

/// A nibble of 15 means "15 plus a varint from the lengths stream".
pub(crate) const NIBBLE_ESCAPE: usize = 15;

/// Offsets are 24-bit; 0 is the repeat code, so the farthest distance is 2^24 - 1.
pub(crate) const MAX_OFFSET: usize = (1 << 24) - 1;

/// Offset codes for the second and third most recent offsets (0 is the most recent;
/// 1 to 24 are explicit offsets of that many bits).
pub(crate) const REPEAT_SECOND: u8 = 25;
pub(crate) const REPEAT_THIRD: u8 = 26;

/// The three most recent distinct offsets, most recent first (0: none yet), as the
/// encoder and the decoder both keep them: an explicit offset goes to the front, a
/// repeat of the second or third moves it to the front, a repeat of the first
/// changes nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RecentOffsets(pub(crate) [usize; 3]);

impl RecentOffsets {
    /// The code for `offset` and the history after it.
    #[inline]
    pub(crate) fn code(&mut self, offset: usize) -> Option<u8> {
        let [a, b, c] = self.0;
        if offset == a {
            Some(0)
        } else if offset == b {
            self.0 = [b, a, c];
            Some(REPEAT_SECOND)
        } else if offset == c {
            self.0 = [c, a, b];
            Some(REPEAT_THIRD)
        } else {
            self.0 = [offset, a, b];
            None
        }
    }

    /// The offset a repeat code stands for, moving it to the front; `None` when the
    /// history has no offset there yet.
    #[inline]
    pub(crate) fn repeat(&mut self, code: u8) -> Option<usize> {
        let [a, b, c] = self.0;
        let offset = match code {
            0 => a,
            REPEAT_SECOND => {
                self.0 = [b, a, c];
                b
            }
            _ => {
                self.0 = [c, a, b];
                c
            }
        };
        (offset != 0).then_some(offset)
    }

    /// An explicit offset, to the front.
    #[inline]
    pub(crate) fn push(&mut self, offset: usize) {
        let [a, b, _] = self.0;
        self.0 = [offset, a, b];
    }
}

/// Packs offset extra bits least significant bit first.
#[derive(Default)]
struct BitPacker {
    bytes: Vec<u8>,
    acc: u64,
    bits: u32,
}

impl BitPacker {
    /// Appends the low `count` bits of `value` (`count` ≤ 32).
    #[inline]
    fn push(&mut self, value: u64, count: u32) {
        self.acc |= (value & ((1u64 << count) - 1)) << self.bits;
        self.bits += count;
        while self.bits >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.bits -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.bits > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

/// Builds the six streams of one group, sequence by sequence.
pub(crate) struct SeqWriter {
    tokens: Vec<u8>,
    literals: Vec<u8>,
    literal_lengths: Vec<u8>,
    offset_codes: Vec<u8>,
    offset_bits: BitPacker,
    match_lengths: Vec<u8>,
    /// The recent offsets repeat codes stand for.
    recent: RecentOffsets,
}

impl SeqWriter {
    /// `decoded_len` opens the token stream so the decoder can check and allocate
    /// before it reads anything else.
    pub(crate) fn new(decoded_len: usize) -> SeqWriter {
        // Guesses that avoid most regrowth on typical text without holding much
        // memory on highly repetitive input; the vectors grow if they must.
        let guess = decoded_len / 16 + 16;
        let mut tokens = Vec::with_capacity(guess + 10);
        varint::put(&mut tokens, decoded_len as u64);
        SeqWriter {
            tokens,
            literals: Vec::with_capacity(decoded_len / 4 + 16),
            literal_lengths: Vec::with_capacity(guess / 8),
            offset_codes: Vec::with_capacity(guess),
            offset_bits: BitPacker { bytes: Vec::with_capacity(guess * 2), ..BitPacker::default() },
            match_lengths: Vec::with_capacity(guess / 4),
            recent: RecentOffsets::default(),
        }
    }

    /// The offsets repeat codes would stand for; 0 where there is none yet.
    pub(crate) fn recent_offsets(&self) -> [usize; 3] {
        self.recent.0
    }

    /// One sequence: `literals`, then `match_len` bytes copied from `offset` back.
    pub(crate) fn push(&mut self, literals: &[u8], match_len: usize, offset: usize) {
        debug_assert!(match_len >= MIN_MATCH);
        debug_assert!((1..=MAX_OFFSET).contains(&offset));
        let lit_nibble = literals.len().min(NIBBLE_ESCAPE);
        let match_nibble = (match_len - MIN_MATCH).min(NIBBLE_ESCAPE);
        self.tokens.push(((lit_nibble << 4) | match_nibble) as u8);
        if lit_nibble == NIBBLE_ESCAPE {
            varint::put(&mut self.literal_lengths, (literals.len() - NIBBLE_ESCAPE) as u64);
        }
        if match_nibble == NIBBLE_ESCAPE {
            varint::put(&mut self.match_lengths, (match_len - MIN_MATCH - NIBBLE_ESCAPE) as u64);
        }
        self.literals.extend_from_slice(literals);
        match self.recent.code(offset) {
            Some(code) => self.offset_codes.push(code),
            None => {
                let bits = usize::BITS - offset.leading_zeros();
                self.offset_codes.push(bits as u8);
                self.offset_bits.push(offset as u64, bits - 1);
            }
        }
    }

    /// The last sequence, literals only, and the streams in group order.
    pub(crate) fn finish(mut self, literals: &[u8]) -> [Vec<u8>; 6] {
        let lit_nibble = literals.len().min(NIBBLE_ESCAPE);
        self.tokens.push((lit_nibble << 4) as u8);
        if lit_nibble == NIBBLE_ESCAPE {
            varint::put(&mut self.literal_lengths, (literals.len() - NIBBLE_ESCAPE) as u64);
        }
        self.literals.extend_from_slice(literals);
        [
            self.tokens,
            self.literals,
            self.literal_lengths,
            self.offset_codes,
            self.offset_bits.finish(),
            self.match_lengths,
        ]
    }
}
