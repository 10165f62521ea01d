//! Text columns: digits taken out of the text, and dictionaries of repeated values.

use crate::fast_hash::{FastBuild, FastMap};

use crate::error::{Error, Result};
use crate::records::zoned::digit_bytes;
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
    // Eight bytes at a time: which of them are digits is found with word arithmetic,
    // so the work per word is a few operations plus one per digit, however digits
    // and letters are mixed.
    let zeros = u64::from_le_bytes([z; 8]);
    let mut words = values.chunks_exact_mut(8);
    for word_bytes in &mut words {
        let word = u64::from_le_bytes((&*word_bytes).try_into().expect("8 bytes"));
        let mut digit_bits = digit_bytes(word, z);
        if digit_bits == 0 {
            continue;
        }
        let fill = (digit_bits >> 7) * 0xFF;
        word_bytes.copy_from_slice(&(word & !fill | zeros & fill).to_le_bytes());
        while digit_bits != 0 {
            // The lowest flagged byte's high bit is bit 8i + 7 for byte i.
            digits.push((word >> (digit_bits.trailing_zeros() - 7)) as u8);
            digit_bits &= digit_bits - 1;
        }
    }
    for b in words.into_remainder() {
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
pub fn dictionary<Z: From<u32> + Copy>(flat: &[u8], len: usize, entries: &mut Vec<u8>) -> Vec<Z> {
    let mut index: FastMap<&[u8], Z> = FastMap::default();
    flat.chunks_exact(len)
        .map(|v| {
            let next = Z::from(index.len() as u32);
            *index.entry(v).or_insert_with(|| {
                entries.extend_from_slice(v);
                next
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn take_digits_takes_each_digit_and_put_digits_restores(
            values in prop::collection::vec(any::<u8>(), 0..100),
            ebcdic in any::<bool>(),
        ) {
            let charset = if ebcdic { Charset::Ebcdic } else { Charset::Ascii };
            let z = zero(charset);
            let (mut skeleton, mut digits) = (values.clone(), vec![7]);
            take_digits(&mut skeleton, charset, &mut digits);
            let expected: Vec<u8> = values.iter().copied().filter(|&b| is_digit(b, z)).collect();
            prop_assert_eq!(&digits[1..], &expected[..]);
            let kept = values.iter().map(|&b| if is_digit(b, z) { z } else { b }).collect::<Vec<u8>>();
            prop_assert_eq!(&skeleton, &kept);
            let mut pos = 1;
            put_digits(&mut skeleton, charset, &digits, &mut pos).unwrap();
            prop_assert_eq!(skeleton, values);
            prop_assert_eq!(pos, digits.len());
        }
    }
}
