//! Text columns: digits taken out of the text, and dictionaries of repeated values.

use crate::fast_hash::{FastBuild, FastMap};

use crate::error::{Error, Result};
use crate::records::Charset;

/// The charset's digit `0`, which stands for every digit in a column's skeleton (and
/// is the zone of every plain zoned digit: `0x30` or `0xF0`).
pub fn zero(charset: Charset) -> u8 {
    match charset {
        Charset::Ascii => b'0',
        Charset::Ebcdic => 0xF0,
    }
}

fn is_digit(b: u8, zero: u8) -> bool {
    b.wrapping_sub(zero) <= 9
}

/// Replaces each digit of `values` by `0` in place, appending the digits to `digits`.
pub fn take_digits(values: &mut [u8], charset: Charset, digits: &mut Vec<u8>) {
    let z = zero(charset);
    // Most stretches of text hold no digit: a test of sixteen bytes at once (which
    // compiles to vector compares) skips them.
    let mut chunks = values.chunks_exact_mut(16);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |any, &b| any | is_digit(b, z)) {
            take_each(chunk, z, digits);
        }
    }
    take_each(chunks.into_remainder(), z, digits);
}

fn take_each(values: &mut [u8], z: u8, digits: &mut Vec<u8>) {
    for b in values.iter_mut() {
        if is_digit(*b, z) {
            digits.push(*b);
            *b = z;
        }
    }
}

/// The inverse of [`take_digits`]: each `0` of `values` takes the next digit from
/// `digits[*pos..]`.
pub fn put_digits(values: &mut [u8], charset: Charset, digits: &[u8], pos: &mut usize) -> Result<()> {
    let z = zero(charset);
    for b in values.iter_mut().filter(|b| **b == z) {
        let d = *digits.get(*pos).ok_or(Error::Truncated { what: "record digits", needed: 1 })?;
        if !is_digit(d, z) {
            return Err(Error::corrupt("record digits", format!("byte {d:#04x} is not a digit")));
        }
        *b = d;
        *pos += 1;
    }
    Ok(())
}

/// Whether `values` (all `len` bytes long) hold any digit.
pub fn has_digits(values: &[u8], charset: Charset) -> bool {
    let z = zero(charset);
    values.iter().any(|&b| is_digit(b, z))
}

/// Distinct values among the `len`-byte values of `flat`.
pub fn distinct(flat: &[u8], len: usize) -> usize {
    let mut seen: FastMap<&[u8], ()> =
        FastMap::with_capacity_and_hasher((flat.len() / len.max(1)).min(1024), FastBuild);
    for v in flat.chunks_exact(len) {
        seen.insert(v, ());
    }
    seen.len()
}

/// The distinct values in order of first appearance (appended to `entries`) and
/// each value's index among them.
pub fn dictionary(flat: &[u8], len: usize, entries: &mut Vec<u8>) -> Vec<u128> {
    let mut index: FastMap<&[u8], u128> = FastMap::default();
    flat.chunks_exact(len)
        .map(|v| {
            let next = index.len() as u128;
            *index.entry(v).or_insert_with(|| {
                entries.extend_from_slice(v);
                next
            })
        })
        .collect()
}
