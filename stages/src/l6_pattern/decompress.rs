//! The decoder: rebuilds one byte stream from its six-stream group.
//!
//! Every count read from the input is checked before it is used, so corrupt or
//! hostile groups end in an [`Error`], never a panic or an allocation beyond the cap.

use super::sequence::{RecentOffsets, MAX_OFFSET, MIN_MATCH, NIBBLE_ESCAPE, REPEAT_SECOND, REPEAT_THIRD};

/// Offsets have at most 24 bits.
const MAX_OFFSET_BITS: u8 = 24;
use crate::error::{Error, Result};
use crate::varint;

/// Spare bytes after the output so short literals and matches can be copied as one
/// fixed 16-byte move; the excess is overwritten or cut off at the end.
const SLACK: usize = 32;
const SHORT_COPY: usize = 16;

/// Reads offset extra bits, least significant first.
struct BitUnpacker<'a> {
    bytes: &'a [u8],
    pos: usize,
    acc: u64,
    bits: u32,
}

impl<'a> BitUnpacker<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        BitUnpacker { bytes, pos: 0, acc: 0, bits: 0 }
    }

    /// The next `count` bits (`count` ≤ 32).
    #[inline]
    fn take(&mut self, count: u32) -> Result<u64> {
        if self.bits < count {
            // Eight bytes at once where there are eight: as many whole bytes as the
            // accumulator has room for go in, the rest wait for the next refill.
            if let Some(next) = self.bytes.get(self.pos..self.pos + 8) {
                let word = u64::from_le_bytes(next.try_into().expect("eight bytes"));
                let room = (63 - self.bits) / 8;
                self.acc |= (word & (u64::MAX >> (64 - 8 * room))) << self.bits;
                self.pos += room as usize;
                self.bits += 8 * room;
            }
        }
        while self.bits < count {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return Err(Error::Truncated { what: "pattern offset bits", needed: 1 });
            };
            self.acc |= u64::from(byte) << self.bits;
            self.pos += 1;
            self.bits += 8;
        }
        let value = self.acc & ((1u64 << count) - 1);
        self.acc >>= count;
        self.bits -= count;
        Ok(value)
    }

    /// Everything read, and the padding bits of the last byte zero. (An eight-byte
    /// refill leaves a byte unread, so only the byte-at-a-time one reaches the end,
    /// and after it fewer than eight bits are held.)
    fn check_end(&self) -> Result<()> {
        if self.pos != self.bytes.len() || self.acc != 0 {
            return Err(Error::corrupt("pattern offset bits", "bits left over after the last offset"));
        }
        Ok(())
    }
}

/// Decodes a group given as `[tokens, literals, literal-lengths, offset-codes,
/// offset-bits, match-lengths]`. `cap` bounds the decoded length and is checked
/// before allocating.
pub fn decompress(streams: [&[u8]; 6], cap: usize) -> Result<Vec<u8>> {
    // Most of a block (Legacy's whole block) goes into a buffer an earlier block gave
    // back, and goes on to be the block's output; a part of one (a split's stream, which
    // the join reads and drops) into its own.
    // The length is the group's claim, held to the cap before any room is taken for it.
    let claimed = varint::get(streams[0], &mut 0).unwrap_or(0);
    let block_sized = (crate::block_buffers::SMALLEST_KEPT as u64..=cap as u64).contains(&claimed);
    let mut out = if block_sized && claimed.saturating_mul(2) >= cap as u64 {
        crate::block_buffers::with_room(claimed as usize + SLACK)
    } else {
        Vec::new()
    };
    decompress_append(&mut out, streams, cap)?;
    Ok(out)
}

/// As [`decompress`], for a group whose matches may reach back into `prefix`: the
/// data that preceded it (a session's earlier messages). Returns only the group's
/// own bytes.
pub fn decompress_with_prefix(prefix: &[u8], streams: [&[u8]; 6], cap: usize) -> Result<Vec<u8>> {
    if prefix.is_empty() {
        // Every frame but a session's: `split_off` would copy the whole output.
        return decompress(streams, cap);
    }
    let mut out = prefix.to_vec();
    decompress_append(&mut out, streams, cap)?;
    Ok(out.split_off(prefix.len()))
}

/// Decodes a group onto the end of `out`, whose bytes so far are the prefix its
/// matches may reach into. On error `out` is left as it was.
pub fn decompress_append(out: &mut Vec<u8>, streams: [&[u8]; 6], cap: usize) -> Result<()> {
    let start = out.len();
    let result = decode_into(out, streams, cap);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

fn decode_into(buffer: &mut Vec<u8>, streams: [&[u8]; 6], cap: usize) -> Result<()> {
    let [tokens, literals, literal_lengths, offset_codes, offset_bits, match_lengths] = streams;

    let mut tp = 0;
    let n = varint::get_capped(tokens, &mut tp, cap as u64, "pattern group")? as usize;
    if tp >= tokens.len() {
        return Err(Error::Truncated { what: "pattern tokens", needed: 1 });
    }
    let last = tokens.len() - 1;
    let body = &tokens[tp..last];
    if offset_codes.len() != body.len() {
        return Err(Error::corrupt(
            "pattern offsets",
            format!("{} matches but {} offset codes", body.len(), offset_codes.len()),
        ));
    }
    // Each match yields at least MIN_MATCH bytes: reject absurd token counts before
    // touching memory.
    if body.len() > n / MIN_MATCH || literals.len() > n {
        return Err(Error::corrupt(
            "pattern group",
            format!("{} matches and {} literals cannot make {n} bytes", body.len(), literals.len()),
        ));
    }

    // Output positions count from the start of the prefix, so offsets are checked
    // against everything the decoder holds; `end` is where the group's bytes stop.
    let start = buffer.len();
    let end = start + n;
    buffer.resize(end + SLACK, 0);
    let out = &mut buffer[..];
    let mut pos = start;
    let mut lp = 0usize;
    let mut lxp = 0usize;
    let mut mxp = 0usize;
    let mut bits = BitUnpacker::new(offset_bits);
    let mut recent = RecentOffsets::default();

    for (&token, &code) in body.iter().zip(offset_codes) {
        let mut lit = usize::from(token >> 4);
        if lit == NIBBLE_ESCAPE {
            lit += extension(literal_lengths, &mut lxp, n)?;
        }
        if lit > literals.len() - lp || lit > end - pos {
            return Err(literal_overrun(lit, literals.len() - lp, end - pos));
        }
        if lit <= SHORT_COPY && literals.len() - lp >= SHORT_COPY {
            out[pos..pos + SHORT_COPY].copy_from_slice(&literals[lp..lp + SHORT_COPY]);
        } else {
            out[pos..pos + lit].copy_from_slice(&literals[lp..lp + lit]);
        }
        pos += lit;
        lp += lit;

        let mut len = usize::from(token & 0x0f);
        if len == NIBBLE_ESCAPE {
            len += extension(match_lengths, &mut mxp, n)?;
        }
        len += MIN_MATCH;
        if len > end - pos {
            return Err(Error::corrupt(
                "pattern match",
                format!("length {len} at {pos} runs past the end of {n} bytes"),
            ));
        }
        let offset = match code {
            0 | REPEAT_SECOND | REPEAT_THIRD => recent.repeat(code).ok_or_else(|| {
                Error::corrupt("pattern offset", format!("repeat code {code} before that many offsets"))
            })?,
            1..=MAX_OFFSET_BITS => {
                let extra = u32::from(code) - 1;
                let offset = (1usize << extra) | bits.take(extra)? as usize;
                recent.push(offset);
                offset
            }
            _ => return Err(Error::corrupt("pattern offset", format!("offset code {code} is over {REPEAT_THIRD}"))),
        };
        if offset > pos {
            return Err(Error::corrupt("pattern offset", format!("offset {offset} at {pos} points before the start")));
        }
        debug_assert!(offset <= MAX_OFFSET);
        copy_match(out, pos, offset, len);
        pos += len;
    }

    let token = tokens[last];
    if token & 0x0f != 0 {
        return Err(Error::corrupt("pattern tokens", "last token has a match length"));
    }
    let mut lit = usize::from(token >> 4);
    if lit == NIBBLE_ESCAPE {
        lit += extension(literal_lengths, &mut lxp, n)?;
    }
    if lit != literals.len() - lp || lit != end - pos {
        return Err(Error::corrupt(
            "pattern group",
            format!(
                "last sequence has {lit} literals, but {} literals are left and {} bytes missing",
                literals.len() - lp,
                end - pos
            ),
        ));
    }
    out[pos..pos + lit].copy_from_slice(&literals[lp..]);
    if lxp != literal_lengths.len() || mxp != match_lengths.len() {
        return Err(Error::corrupt("pattern lengths", "length extensions left over"));
    }
    bits.check_end()?;
    buffer.truncate(end);
    Ok(())
}

/// Reads the varint that extends an escaped nibble; anything over `n` can never fit,
/// and rejecting it here keeps the additions below from overflowing.
#[inline]
fn extension(lengths: &[u8], xp: &mut usize, n: usize) -> Result<usize> {
    Ok(varint::get_capped(lengths, xp, n as u64, "pattern length extension")? as usize)
}

#[cold]
fn literal_overrun(lit: usize, left: usize, room: usize) -> Error {
    Error::corrupt("pattern literals", format!("run of {lit} but {left} literals left and room for {room} bytes"))
}

/// Copies `len` bytes from `offset` back to `pos`, where the source may overlap the
/// bytes being written (offset < len repeats the last `offset` bytes).
/// The caller has checked `offset <= pos` and `pos + len <= out.len() - SLACK`.
#[inline]
fn copy_match(out: &mut [u8], pos: usize, offset: usize, len: usize) {
    let src = pos - offset;
    if offset >= len {
        if len <= SHORT_COPY {
            // memmove semantics: the first `len` bytes come from before `pos`, the
            // rest is scratch that later writes replace.
            out.copy_within(src..src + SHORT_COPY, pos);
        } else {
            out.copy_within(src..src + len, pos);
        }
    } else if offset == 1 {
        let byte = out[src];
        out[pos..pos + len].fill(byte);
    } else {
        // The bytes from `src` on are periodic with period `offset`; each pass copies
        // everything written so far, so the number of passes is logarithmic.
        let mut done = 0;
        while done < len {
            let chunk = (offset + done).min(len - done);
            out.copy_within(src..src + chunk, pos + done);
            done += chunk;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The reader's values are the stream's bits read one at a time, least
        /// significant first, whichever refill brought them in; past the end it is an
        /// error, and it ends cleanly only where every byte was read and the padding
        /// bits are zero.
        #[test]
        fn bits_come_out_as_one_at_a_time_reading_gives_them(
            bytes in prop::collection::vec(any::<u8>(), 0..64),
            counts in prop::collection::vec(0u32..=24, 0..80),
        ) {
            let bit = |i: usize| u64::from(bytes[i / 8] >> (i % 8) & 1);
            let mut reader = BitUnpacker::new(&bytes);
            let mut at = 0usize;
            for &count in &counts {
                let got = reader.take(count);
                if at + count as usize > bytes.len() * 8 {
                    prop_assert!(got.is_err());
                    return Ok(());
                }
                let expected = (0..count as usize).map(|k| bit(at + k) << k).sum::<u64>();
                prop_assert_eq!(got.unwrap(), expected);
                at += count as usize;
            }
            let clean = at.div_ceil(8) == bytes.len() && (at..bytes.len() * 8).all(|i| bit(i) == 0);
            prop_assert_eq!(reader.check_end().is_ok(), clean, "at bit {} of {}", at, bytes.len() * 8);
        }
    }
}
