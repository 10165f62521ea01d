//! Text columns: digits taken out of the text, and dictionaries of repeated values.

use std::hash::{BuildHasher, Hash, Hasher};

use crate::fast_hash::{FastBuild, FastMap, FastSet};

use crate::cobol::zoned::digit_bytes;
use crate::cobol::Charset;
use crate::error::{Error, Result};

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

/// Appends the `n` fields of `fields` (`len` bytes each) to `flat`. With `take`,
/// each digit becomes `0` there and is appended to `digits`. Eight bytes at a time:
/// which of them are digits is found with word arithmetic, so the work per word is a
/// few operations plus one per digit, however digits and letters are mixed.
pub fn gather<'a>(
    fields: impl Iterator<Item = &'a [u8]>,
    (n, len): (usize, usize),
    charset: Charset,
    take: bool,
    flat: &mut Vec<u8>,
    digits: &mut Vec<u8>,
) {
    let z = zero(charset);
    let start = flat.len();
    flat.resize(start + n * len, 0);
    for (to, from) in flat[start..].chunks_exact_mut(len.max(1)).zip(fields) {
        let mut to_words = to.chunks_exact_mut(8);
        let mut from_words = from.chunks_exact(8);
        for (to_word, from_word) in (&mut to_words).zip(&mut from_words) {
            let word = u64::from_le_bytes(from_word.try_into().expect("8 bytes"));
            let (skeleton, mut digit_bits) = zero_digits(word, z);
            if !take || digit_bits == 0 {
                to_word.copy_from_slice(from_word);
                continue;
            }
            to_word.copy_from_slice(&skeleton.to_le_bytes());
            while digit_bits != 0 {
                // The lowest flagged byte's high bit is bit 8i + 7 for byte i.
                digits.push((word >> (digit_bits.trailing_zeros() - 7)) as u8);
                digit_bits &= digit_bits - 1;
            }
        }
        for (to_byte, &b) in to_words.into_remainder().iter_mut().zip(from_words.remainder()) {
            *to_byte = if take && is_digit(b, z) {
                digits.push(b);
                z
            } else {
                b
            };
        }
    }
}

/// `word` (eight bytes) with each digit under `zero` replaced by `zero`, and the high
/// bit of each byte that was a digit (see [`digit_bytes`]).
#[inline]
fn zero_digits(word: u64, zero: u8) -> (u64, u64) {
    let digit_bits = digit_bytes(word, zero);
    let fill = (digit_bits >> 7) * 0xFF;
    (word & !fill | u64::from_le_bytes([zero; 8]) & fill, digit_bits)
}

/// The inverse of [`gather`] taking digits: each `0` of `values` takes the next digit from
/// `digits[*pos..]`. Eight bytes at a time: a word without a `0` (most of a text
/// column) is passed over with a few operations.
pub fn put_digits(values: &mut [u8], charset: Charset, digits: &[u8], pos: &mut usize) -> Result<()> {
    let z = zero(charset);
    let mut put = |b: &mut u8| -> Result<()> {
        let d = *digits.get(*pos).ok_or(Error::Truncated { what: "record digits", needed: 1 })?;
        if !is_digit(d, z) {
            return Err(Error::corrupt("record digits", format!("byte {d:#04x} is not a digit")));
        }
        *b = d;
        *pos += 1;
        Ok(())
    };
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let zeros = u64::from_le_bytes([z; 8]);
    let mut words = values.chunks_exact_mut(8);
    for word_bytes in &mut words {
        let x = u64::from_le_bytes((&*word_bytes).try_into().expect("8 bytes")) ^ zeros;
        // The high bit of each byte that was `z` (is 0 now), exactly: no carry crosses
        // a byte, since each low-seven-bits sum stays below 0x100.
        let mut hits = !(((x & LOW7) + LOW7) | x | LOW7);
        while hits != 0 {
            put(&mut word_bytes[hits.trailing_zeros() as usize / 8])?;
            hits &= hits - 1;
        }
    }
    for b in words.into_remainder().iter_mut().filter(|b| **b == z) {
        put(b)?;
    }
    Ok(())
}

/// What [`distinct_values`] counted.
pub struct DistinctValues {
    /// Values looked at.
    pub values: usize,
    /// Distinct values.
    pub distinct: usize,
    /// Distinct skeletons: the values with each digit read as `0` (what [`gather`]
    /// leaves when it takes the digits).
    pub skeletons: usize,
    /// Whether any value holds a digit.
    pub digits: bool,
}

/// Counts the distinct values of `fields` (all of one length), as they are and as
/// skeletons. One pass and no copy: each value is hashed both ways. Values are
/// counted by their 64-bit hashes, so two that collide count once (for the few
/// thousand values a plan looks at, about once in 10^12 plans): the counts only
/// steer a choice of coding, never what is stored.
pub fn distinct_values<'a>(fields: impl Iterator<Item = &'a [u8]>, charset: Charset) -> DistinctValues {
    let z = zero(charset);
    let capacity = fields.size_hint().0.min(1024);
    let mut raw: FastSet<u64> = FastSet::with_capacity_and_hasher(capacity, FastBuild);
    let mut skeletons: FastSet<u64> = FastSet::with_capacity_and_hasher(capacity, FastBuild);
    let (mut values, mut any_digit) = (0, 0);
    for value in fields {
        values += 1;
        let (mut as_is, mut skeleton) = (FastBuild.build_hasher(), FastBuild.build_hasher());
        let mut words = value.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            let (zeroed, digits) = zero_digits(word, z);
            as_is.write_u64(word);
            skeleton.write_u64(zeroed);
            any_digit |= digits;
        }
        // The last bytes as one word, zero-padded (0 is no digit).
        let mut tail = [0u8; 8];
        tail[..words.remainder().len()].copy_from_slice(words.remainder());
        let word = u64::from_le_bytes(tail);
        let (zeroed, digits) = zero_digits(word, z);
        as_is.write_u64(word);
        skeleton.write_u64(zeroed);
        any_digit |= digits;
        raw.insert(as_is.finish());
        skeletons.insert(skeleton.finish());
    }
    DistinctValues { values, distinct: raw.len(), skeletons: skeletons.len(), digits: any_digit != 0 }
}

/// A field's bytes as a key, compared eight bytes at a time: a column's fields are
/// short and of one length, and a call to `memcmp` for each was most of a lookup.
#[derive(Clone, Copy)]
struct FieldKey<'a>(&'a [u8]);

impl PartialEq for FieldKey<'_> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        if a.len() != b.len() {
            return false;
        }
        let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
        let words_equal = x.by_ref().zip(y.by_ref()).all(|(x, y)| {
            u64::from_le_bytes(x.try_into().expect("8 bytes")) == u64::from_le_bytes(y.try_into().expect("8 bytes"))
        });
        words_equal && x.remainder().iter().zip(y.remainder()).all(|(x, y)| x == y)
    }
}

impl Eq for FieldKey<'_> {}

impl Hash for FieldKey<'_> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.0);
    }
}

/// The distinct values in order of first appearance (appended to `entries`) and
/// each value's index among them.
pub fn dictionary<Z: From<u32> + Copy>(flat: &[u8], len: usize, entries: &mut Vec<u8>) -> Vec<Z> {
    let mut index: FastMap<FieldKey, Z> = FastMap::default();
    flat.chunks_exact(len)
        .map(|v| {
            let next = Z::from(index.len() as u32);
            *index.entry(FieldKey(v)).or_insert_with(|| {
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

    /// The fields of `len` bytes in records of `len + skip` bytes, after `skip`.
    fn fields(records: &[u8], skip: usize, len: usize) -> impl Iterator<Item = &[u8]> {
        records.chunks_exact(len + skip).map(move |r| &r[skip..])
    }

    proptest! {
        #[test]
        fn gather_takes_each_digit_and_put_digits_restores(
            values in prop::collection::vec(any::<u8>(), 0..200),
            len in 1usize..40,
            ebcdic in any::<bool>(),
            take in any::<bool>(),
        ) {
            let charset = if ebcdic { Charset::Ebcdic } else { Charset::Ascii };
            let z = zero(charset);
            // Fields of `len` bytes behind a byte of something else, as in records.
            let n = values.len() / (len + 1);
            let records = &values[..n * (len + 1)];
            let whole: Vec<u8> = fields(records, 1, len).flatten().copied().collect();
            let (mut flat, mut digits) = (vec![9], vec![7]);
            gather(fields(records, 1, len), (n, len), charset, take, &mut flat, &mut digits);
            prop_assert_eq!(flat[0], 9);
            let mut skeleton = flat[1..].to_vec();
            if !take {
                prop_assert_eq!(&skeleton, &whole);
                prop_assert_eq!(digits, vec![7]);
                return Ok(());
            }
            let expected: Vec<u8> = whole.iter().copied().filter(|&b| is_digit(b, z)).collect();
            prop_assert_eq!(&digits[1..], &expected[..]);
            let kept = whole.iter().map(|&b| if is_digit(b, z) { z } else { b }).collect::<Vec<u8>>();
            prop_assert_eq!(&skeleton, &kept);
            let mut pos = 1;
            put_digits(&mut skeleton, charset, &digits, &mut pos).unwrap();
            prop_assert_eq!(skeleton, whole);
            prop_assert_eq!(pos, digits.len());
        }

        #[test]
        fn distinct_values_counts_values_and_skeletons(
            picks in prop::collection::vec(0usize..12, 0..300),
            ebcdic in any::<bool>(),
        ) {
            // Twelve values of 11 bytes, some alike but for their digits.
            let charset = if ebcdic { Charset::Ebcdic } else { Charset::Ascii };
            let values: Vec<Vec<u8>> = (0..12)
                .map(|i| {
                    let text = format!("{} {:05}", ["CHECK", "ATM", "FEE"][i % 3], i * 7919 % 100_000);
                    let mut bytes = format!("{text:<11}").into_bytes();
                    if ebcdic {
                        bytes.iter_mut().for_each(|b| *b = crate::cobol::ebcdic::LATIN1_TO_EBCDIC[*b as usize]);
                    }
                    bytes
                })
                .collect();
            let flat: Vec<u8> = picks.iter().flat_map(|&p| values[p].clone()).collect();
            let counted = distinct_values(flat.chunks_exact(11), charset);
            let distinct: std::collections::BTreeSet<usize> = picks.iter().copied().collect();
            let skeletons: std::collections::BTreeSet<usize> = picks.iter().map(|p| p % 3).collect();
            prop_assert_eq!(counted.values, picks.len());
            prop_assert_eq!(counted.distinct, distinct.len());
            prop_assert_eq!(counted.skeletons, skeletons.len());
            prop_assert_eq!(counted.digits, !picks.is_empty());
        }

        #[test]
        fn dictionary_numbers_values_by_first_appearance(
            picks in prop::collection::vec(0u8..20, 0..300),
            len in 1usize..30,
        ) {
            let flat: Vec<u8> = picks.iter().flat_map(|&p| std::iter::repeat_n(b'a' + p % 4, len - 1).chain([p])).collect();
            let mut entries = vec![1, 2];
            let indexes: Vec<u64> = dictionary(&flat, len, &mut entries);
            let mut seen: Vec<u8> = Vec::new();
            for (&p, &i) in picks.iter().zip(&indexes) {
                let at = seen.iter().position(|&s| s == p).unwrap_or_else(|| {
                    seen.push(p);
                    seen.len() - 1
                });
                prop_assert_eq!(i, at as u64);
            }
            prop_assert_eq!(entries.len(), 2 + seen.len() * len);
        }
    }
}
