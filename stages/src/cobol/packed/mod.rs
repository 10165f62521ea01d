//! Packed decimal (`COMP-3`, `PACKED-DECIMAL`): two digits a byte, the sign in the last
//! nibble.
//!
//! A field of `n` bytes holds `2n - 1` decimal digits, most significant first, one per
//! nibble, and a sign nibble last: `PIC S9(5) COMP-3` holding -12345 is the three bytes
//! `12 34 5D`. The sign nibbles, as IBM documents them:
//!
//! | nibble | meaning |
//! |---|---|
//! | `C` | positive (what COBOL writes for a signed field) |
//! | `D` | negative (what COBOL writes for a signed field) |
//! | `F` | unsigned, read as positive (what COBOL writes for an unsigned field) |
//! | `A`, `E` | positive (accepted, rarely written) |
//! | `B` | negative (accepted, rarely written) |
//!
//! A digit nibble above 9 or a sign nibble below `A` makes the bytes not a number; the
//! decoders here report that ([`unpack_i64`] gives `None`, the column decoders list the
//! record as [`Exception::NotANumber`] with its bytes), so a caller can keep such bytes
//! as they are. Nothing is ever accepted silently.
//!
//! Decoding returns the value and the sign nibble as read, and packing takes both, so
//! `pack(unpack(bytes)) == bytes` for every valid field, negative zero (`0D`) and the
//! rare nibbles included. The codec works on the field's byte length, not its `PIC`:
//! a 3-byte field is read as 5 digits even when declared `S9(4)`, so that bytes a
//! program wrote past its declared digits still come back exactly.
//!
//! Speed: the digits are converted eight bytes at a time in a `u64` (nibble pairs to
//! bytes, bytes to 16-bit lanes, to 32-bit lanes, to the value: four multiplications
//! for up to 16 digits) and checked in the same register; packing looks up four
//! digits at a time in a 10,000-entry table. The column functions are specialised for each field width.
//! `benches/comp3.rs` measures both directions.

mod columns;
#[cfg(test)]
mod tests;

use super::Column;
use crate::{Error, Result};
pub use columns::{pack_column_i128, pack_column_i64, unpack_column_i128, unpack_column_i64};

/// Sign nibble COBOL writes for a positive value of a signed field.
pub const SIGN_POSITIVE: u8 = 0xC;
/// Sign nibble COBOL writes for a negative value of a signed field.
pub const SIGN_NEGATIVE: u8 = 0xD;
/// Sign nibble COBOL writes for an unsigned field.
pub const SIGN_UNSIGNED: u8 = 0xF;
/// Longest packed field, in bytes (31 digits, as IBM allows).
pub const MAX_LEN: usize = 16;
/// Longest packed field whose every value fits an `i64` (17 digits).
pub const MAX_LEN_I64: usize = 9;

/// Whether `nibble` is one of the six sign nibbles (`A`..=`F`).
#[inline]
pub fn is_valid_sign(nibble: u8) -> bool {
    (0xA..=0xF).contains(&nibble)
}

/// Whether `nibble` is a negative sign (`B` or `D`).
#[inline]
pub fn is_negative_sign(nibble: u8) -> bool {
    nibble == 0xB || nibble == 0xD
}

/// Decimal digits a packed field of `len` bytes holds: `2 * len - 1`.
pub fn digits_for_len(len: usize) -> usize {
    (2 * len).saturating_sub(1)
}

/// Bytes a packed field of `digits` digits takes: `digits / 2 + 1`, as COBOL allocates.
pub fn len_for_digits(digits: usize) -> usize {
    digits / 2 + 1
}

/// A decoded packed field: its value (negative for a `B` or `D` sign) and the sign
/// nibble as it was read, so the bytes can be written back exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Packed<T> {
    /// The value, its implied decimal point ignored.
    pub value: T,
    /// The sign nibble as written.
    pub sign: u8,
}

/// Which sign nibble a column is expected to carry; any other is an exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignRule {
    /// `C` for zero and positive values, `D` for negative ones (a signed field, `S9`).
    Signed,
    /// `F` for every value (an unsigned field, `9`).
    Unsigned,
}

impl SignRule {
    /// [`SignRule::Signed`] for a signed field (`S9`), else [`SignRule::Unsigned`].
    pub fn from_signed(signed: bool) -> SignRule {
        if signed {
            SignRule::Signed
        } else {
            SignRule::Unsigned
        }
    }

    /// The sign nibble this rule expects for a value that is negative or not.
    #[inline(always)]
    pub fn expected(self, negative: bool) -> u8 {
        match self {
            SignRule::Signed if negative => SIGN_NEGATIVE,
            SignRule::Signed => SIGN_POSITIVE,
            SignRule::Unsigned => SIGN_UNSIGNED,
        }
    }
}

/// A record of a column that its values alone do not reproduce.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Exception {
    /// The field's bytes are not a packed number (a digit nibble above 9, or a sign
    /// nibble below `A`); they are kept as they are, and the value stored is 0.
    NotANumber {
        /// The record it is in.
        record: usize,
        /// The field's bytes.
        bytes: Vec<u8>,
    },
    /// A valid number whose sign nibble is not the one the column's [`SignRule`]
    /// expects (negative zero, `F` in a signed column, `A`, `B`, `E`, ...).
    Sign {
        /// The record it is in.
        record: usize,
        /// The sign nibble as written.
        sign: u8,
    },
}

impl Exception {
    /// The index of the record the exception belongs to.
    pub fn record(&self) -> usize {
        match self {
            Exception::NotANumber { record, .. } | Exception::Sign { record, .. } => *record,
        }
    }
}

/// One field of every record: values in record order (0 where the bytes were not a
/// number) and the exceptions, in record order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedColumn<T> {
    /// A value per record (0 where the field is not a number).
    pub values: Vec<T>,
    /// What the values alone do not give back, in record order.
    pub exceptions: Vec<Exception>,
}

// ---------------------------------------------------------------------------------
// Register-wide helpers.

/// Nonzero when a nibble of `d` is above 9 (bit 3 set together with bit 2 or bit 1).
#[inline(always)]
fn bad_nibbles(d: u64) -> u64 {
    d & ((d << 1) | (d << 2)) & 0x8888_8888_8888_8888
}

/// Sixteen BCD nibbles (each at most 9) to their value.
#[inline(always)]
fn bcd16_to_bin(d: u64) -> u64 {
    let d = ((d >> 4) & 0x0F0F_0F0F_0F0F_0F0F) * 10 + (d & 0x0F0F_0F0F_0F0F_0F0F);
    let d = ((d >> 8) & 0x00FF_00FF_00FF_00FF) * 100 + (d & 0x00FF_00FF_00FF_00FF);
    let d = ((d >> 16) & 0x0000_FFFF_0000_FFFF) * 10_000 + (d & 0x0000_FFFF_0000_FFFF);
    (d >> 32) * 100_000_000 + (d & 0xFFFF_FFFF)
}

/// The value of each byte of two BCD digits, with [`NOT_BCD`] set when a nibble is
/// above 9.
static BCD_BYTE: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = ((i >> 4) * 10 + (i & 0xF)) as u16 | if i >> 4 > 9 || i & 0xF > 9 { NOT_BCD } else { 0 };
        i += 1;
    }
    t
};

/// The flag of an entry of [`BCD_BYTE`] that is not decimal digits.
const NOT_BCD: u16 = 0x8000;

/// The four BCD nibbles of every value below 10^4 (20 KB: it stays in the L1 cache
/// while a column is packed).
static BCD4: [u16; 10_000] = {
    let mut t = [0u16; 10_000];
    let mut i = 0;
    while i < 10_000 {
        t[i] = ((i / 1000) << 12 | (i / 100 % 10) << 8 | (i / 10 % 10) << 4 | (i % 10)) as u16;
        i += 1;
    }
    t
};

/// A value below 10^8 to eight BCD nibbles: two lookups.
#[inline(always)]
fn bcd8(x: u32) -> u64 {
    let hi = x / 10_000;
    let lo = x - hi * 10_000;
    (BCD4[hi as usize] as u64) << 16 | BCD4[lo as usize] as u64
}

/// A value below 10^16 to sixteen BCD nibbles.
#[inline(always)]
fn bin_to_bcd16(m: u64) -> u64 {
    let hi = (m / 100_000_000) as u32;
    let lo = (m % 100_000_000) as u32;
    bcd8(hi) << 32 | bcd8(lo)
}

/// Up to 8 bytes, big-endian, right-aligned in a `u64`.
#[inline(always)]
fn load_be(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf[8 - bytes.len()..].copy_from_slice(bytes);
    u64::from_be_bytes(buf)
}

#[inline(always)]
fn store_be(x: u64, out: &mut [u8]) {
    let n = out.len();
    out.copy_from_slice(&x.to_be_bytes()[8 - n..]);
}

/// 10^15: the weight of the first of the last eight bytes' fifteen digits.
const E15: u64 = 1_000_000_000_000_000;

// ---------------------------------------------------------------------------------
// Single values.

/// Reads a packed field of 1 to 8 bytes: (magnitude, sign nibble), or `None`.
#[inline(always)]
fn unpack_small(bytes: &[u8]) -> Option<(u64, u8)> {
    let x = load_be(bytes);
    let sign = (x & 0xF) as u8;
    let d = x >> 4;
    if bad_nibbles(d) != 0 || sign < 0xA {
        return None;
    }
    Some((bcd16_to_bin(d), sign))
}

/// Reads a packed field of 1 to 16 bytes: (magnitude, sign nibble), or `None`.
#[inline(always)]
fn unpack_wide(bytes: &[u8]) -> Option<(u128, u8)> {
    if bytes.len() <= 8 {
        return unpack_small(bytes).map(|(m, s)| (m as u128, s));
    }
    let (head, tail) = bytes.split_at(bytes.len() - 8);
    let h = load_be(head);
    if bad_nibbles(h) != 0 {
        return None;
    }
    let (lo, sign) = unpack_small(tail)?;
    Some((bcd16_to_bin(h) as u128 * E15 as u128 + lo as u128, sign))
}

/// Decodes a packed field of 1 to 9 bytes (up to 17 digits, every value fits an `i64`).
///
/// `None` when the bytes are not a packed number (a digit nibble above 9, a sign nibble
/// below `A`) or the field is empty or longer than [`MAX_LEN_I64`].
///
/// ```
/// use cobolp_stages::cobol::packed::{unpack_i64, Packed};
/// assert_eq!(unpack_i64(&[0x12, 0x34, 0x5D]), Some(Packed { value: -12345, sign: 0xD }));
/// assert_eq!(unpack_i64(&[0x12, 0x3A, 0x5C]), None); // a digit nibble of 10
/// ```
#[inline]
pub fn unpack_i64(bytes: &[u8]) -> Option<Packed<i64>> {
    if bytes.is_empty() || bytes.len() > MAX_LEN_I64 {
        return None;
    }
    let (m, sign) = unpack_wide(bytes)?;
    let m = m as i64; // at most 17 digits
    Some(Packed { value: if is_negative_sign(sign) { -m } else { m }, sign })
}

/// Decodes a packed field of 1 to 16 bytes (up to 31 digits). `None` as [`unpack_i64`].
pub fn unpack_i128(bytes: &[u8]) -> Option<Packed<i128>> {
    if bytes.is_empty() || bytes.len() > MAX_LEN {
        return None;
    }
    let (m, sign) = unpack_wide(bytes)?;
    let m = m as i128;
    Some(Packed { value: if is_negative_sign(sign) { -m } else { m }, sign })
}

fn check_sign(negative: bool, positive: bool, sign: u8) -> Result<()> {
    if !is_valid_sign(sign) {
        return Err(Error::Invalid(format!("{sign:#x} is not a packed-decimal sign nibble (A to F)")));
    }
    if (negative && !is_negative_sign(sign)) || (positive && is_negative_sign(sign)) {
        return Err(Error::Invalid(format!("sign nibble {sign:X} does not match the value's sign")));
    }
    Ok(())
}

/// Writes `magnitude` with `sign` into `out` (1 to 16 bytes); the caller has checked
/// that the magnitude fits.
#[inline(always)]
fn pack_magnitude(m: u128, sign: u8, out: &mut [u8]) {
    if out.len() <= 8 {
        store_be(bin_to_bcd16(m as u64) << 4 | sign as u64, out);
    } else {
        let split = out.len() - 8;
        let (head, tail) = out.split_at_mut(split);
        let hi = (m / E15 as u128) as u64;
        let lo = (m % E15 as u128) as u64;
        store_be(bin_to_bcd16(hi), head);
        store_be(bin_to_bcd16(lo) << 4 | sign as u64, tail);
    }
}

fn fits(m: u128, len: usize) -> bool {
    let digits = digits_for_len(len) as u32;
    m < 10u128.pow(digits)
}

/// Packs `value` with the sign nibble `sign` into `out` (1 to 9 bytes).
///
/// An error when `out` has no room for the value's digits, when `sign` is not `A`..=`F`,
/// or when it contradicts the value (a negative value needs `B` or `D`, a positive one
/// any other; zero takes any sign, so negative zero is `0` with `D`).
///
/// ```
/// use cobolp_stages::cobol::packed::pack_i64;
/// let mut out = [0u8; 3];
/// pack_i64(-12345, 0xD, &mut out).unwrap();
/// assert_eq!(out, [0x12, 0x34, 0x5D]);
/// ```
pub fn pack_i64(value: i64, sign: u8, out: &mut [u8]) -> Result<()> {
    if out.is_empty() || out.len() > MAX_LEN_I64 {
        return Err(Error::Invalid(format!("an i64 packs into 1 to 9 bytes, not {}", out.len())));
    }
    pack_i128(value as i128, sign, out)
}

/// Packs `value` with the sign nibble `sign` into `out` (1 to 16 bytes). Errors as
/// [`pack_i64`].
pub fn pack_i128(value: i128, sign: u8, out: &mut [u8]) -> Result<()> {
    if out.is_empty() || out.len() > MAX_LEN {
        return Err(Error::Invalid(format!("a packed field has 1 to 16 bytes, not {}", out.len())));
    }
    check_sign(value < 0, value > 0, sign)?;
    let m = value.unsigned_abs();
    if !fits(m, out.len()) {
        return Err(Error::Invalid(format!("{value} does not fit a {}-byte packed field", out.len())));
    }
    pack_magnitude(m, sign, out);
    Ok(())
}
