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

use super::Column;
use crate::{Error, Result};

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
    pub value: T,
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
    NotANumber { record: usize, bytes: Vec<u8> },
    /// A valid number whose sign nibble is not the one the column's [`SignRule`]
    /// expects (negative zero, `F` in a signed column, `A`, `B`, `E`, ...).
    Sign { record: usize, sign: u8 },
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
    pub values: Vec<T>,
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
/// use cobolp_stages::records::packed::{unpack_i64, Packed};
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
/// use cobolp_stages::records::packed::pack_i64;
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

// ---------------------------------------------------------------------------------
// Columns.

#[cold]
#[inline(never)]
fn exception_at(record: usize, field: &[u8], sign: u8, valid: bool) -> Exception {
    if valid {
        Exception::Sign { record, sign }
    } else {
        Exception::NotANumber { record, bytes: field.to_vec() }
    }
}

/// The value of magnitude `m` under sign nibble `sign`, and the sign nibble the rule
/// expects for that value, without branches: the signs of real data are as random as
/// the data, and a mispredicted branch costs more than the whole conversion.
#[inline(always)]
fn signed_value<const SIGNED: bool>(m: i64, sign: u8) -> (i64, u8) {
    let negative = i64::from((sign == 0xB) | (sign == 0xD));
    let value = (m ^ -negative) + negative;
    let expected = if SIGNED { SIGN_POSITIVE + ((value < 0) as u8) } else { SIGN_UNSIGNED };
    (value, expected)
}

/// The hot loop for fields of `W` bytes (5 to 8).
#[inline(always)]
fn unpack_small_loop<const W: usize, const SIGNED: bool>(data: &[u8], col: Column, out: &mut PackedColumn<i64>) {
    let n = data.len() / col.record_len;
    out.values.resize(n, 0);
    let mask = u64::MAX >> (64 - 8 * W);
    for (i, slot) in out.values.iter_mut().enumerate() {
        let end = i * col.record_len + col.offset + W;
        // One 8-byte load ending at the field's last byte (the bytes before it belong
        // to this record or the one before), where there are 8 bytes to load.
        let x = match data.get(end.wrapping_sub(8)..end) {
            Some(eight) => u64::from_be_bytes(eight.try_into().unwrap()) & mask,
            None => {
                let mut buf = [0u8; 8];
                buf[8 - W..].copy_from_slice(&data[end - W..end]);
                u64::from_be_bytes(buf)
            }
        };
        let sign = (x & 0xF) as u8;
        let d = x >> 4;
        let m = bcd16_to_bin(d);
        let valid = (bad_nibbles(d) == 0) & (sign >= 0xA);
        let (value, expected) = signed_value::<SIGNED>(m as i64, sign);
        *slot = value & -i64::from(valid);
        if !valid | (sign != expected) {
            out.exceptions.push(exception_at(i, &data[end - W..end], sign, valid));
        }
    }
}

fn unpack_column_small<const W: usize>(data: &[u8], col: Column, rule: SignRule, out: &mut PackedColumn<i64>) {
    match rule {
        SignRule::Signed if W <= 4 => unpack_narrow_loop::<W, true>(data, col, out),
        SignRule::Unsigned if W <= 4 => unpack_narrow_loop::<W, false>(data, col, out),
        SignRule::Signed => unpack_small_loop::<W, true>(data, col, out),
        SignRule::Unsigned => unpack_small_loop::<W, false>(data, col, out),
    }
}

/// Flags of [`LAST_BYTE`]: the sign nibble means a negative value; the byte is no
/// digit and sign; its sign is not the one the rule writes (for a nonzero value).
const LAST_NEGATIVE: u16 = 0x100;
const LAST_INVALID: u16 = 0x200;
const LAST_UNEXPECTED: u16 = 0x400;

/// For the last byte of a packed field (a digit and the sign nibble), under each sign
/// rule (unsigned, signed): the digit and the flags above, so that the hot loop of
/// narrow fields reads the sign's meaning instead of computing it.
static LAST_BYTE: [[u16; 256]; 2] = {
    let mut t = [[0u16; 256]; 2];
    let mut signed = 0;
    while signed < 2 {
        let mut b = 0;
        while b < 256 {
            let (digit, sign) = ((b >> 4) as u16, (b & 0xF) as u8);
            let negative = sign == 0xB || sign == 0xD;
            let expected = if signed == 0 {
                SIGN_UNSIGNED
            } else if negative {
                SIGN_NEGATIVE
            } else {
                SIGN_POSITIVE
            };
            t[signed][b] = digit
                | if negative { LAST_NEGATIVE } else { 0 }
                | if digit > 9 || sign < 0xA { LAST_INVALID } else { 0 }
                | if sign != expected { LAST_UNEXPECTED } else { 0 };
            b += 1;
        }
        signed += 1;
    }
    t
};

/// The hot loop for fields of `W` bytes (1 to 4): every byte through a table.
#[inline(always)]
fn unpack_narrow_loop<const W: usize, const SIGNED: bool>(data: &[u8], col: Column, out: &mut PackedColumn<i64>) {
    let n = data.len() / col.record_len;
    out.values.resize(n, 0);
    let last_table = &LAST_BYTE[usize::from(SIGNED)];
    for (i, slot) in out.values.iter_mut().enumerate() {
        let start = i * col.record_len + col.offset;
        let field: &[u8; W] = data[start..start + W].try_into().expect("W bytes");
        let last = last_table[usize::from(field[W - 1])];
        let (mut m, mut flags) = (0u64, last);
        for &b in &field[..W - 1] {
            let pair = BCD_BYTE[usize::from(b)];
            m = m * 100 + u64::from(pair & !NOT_BCD);
            flags |= pair;
        }
        let m = (m * 10 + u64::from(last & 0xF)) as i64;
        let valid = flags & (NOT_BCD | LAST_INVALID) == 0;
        let negative = i64::from(last & LAST_NEGATIVE != 0);
        *slot = ((m ^ -negative) + negative) & -i64::from(valid);
        // A negative sign on zero is not what the rule writes for 0 either.
        let negative_zero = SIGNED & (negative != 0) & (m == 0);
        if !valid | (flags & LAST_UNEXPECTED != 0) | negative_zero {
            let sign = field[W - 1] & 0xF;
            out.exceptions.push(exception_at(i, field, sign, valid));
        }
    }
}

/// Fields of 9 bytes: one leading byte of two digits, then eight as above.
fn unpack_nine_loop(data: &[u8], col: Column, rule: SignRule, out: &mut PackedColumn<i64>) {
    let end = col.offset + 9;
    for (i, rec) in data.chunks_exact(col.record_len).enumerate() {
        let field: &[u8; 9] = rec[col.offset..end].try_into().unwrap();
        let h = field[0] as u64;
        let x = u64::from_be_bytes(field[1..].try_into().unwrap());
        let sign = (x & 0xF) as u8;
        let d = x >> 4;
        let valid = bad_nibbles(d) == 0 && bad_nibbles(h) == 0 && sign >= 0xA;
        let m = ((h >> 4) * 10 + (h & 0xF)) * E15 + bcd16_to_bin(d);
        let m = m as i64;
        let value = if !valid {
            0
        } else if is_negative_sign(sign) {
            -m
        } else {
            m
        };
        out.values.push(value);
        if !valid || sign != rule.expected(value < 0) {
            out.exceptions.push(exception_at(i, field, sign, valid));
        }
    }
}

/// Decodes one packed field (1 to 9 bytes) of every record in `data`.
///
/// `data` holds whole records of `col.record_len` bytes. Every record gets a value (0
/// when its bytes are not a number); a record whose bytes [`pack_column_i64`] would not
/// write back from its value and `rule` gets an [`Exception`]. Errors only on a bad
/// `col` (not whole records, a field outside the record, a width outside 1..=9).
pub fn unpack_column_i64(data: &[u8], col: Column, rule: SignRule) -> Result<PackedColumn<i64>> {
    let n = col.records_in(data.len())?;
    let mut out = PackedColumn { values: Vec::with_capacity(n), exceptions: Vec::new() };
    match col.len {
        1 => unpack_column_small::<1>(data, col, rule, &mut out),
        2 => unpack_column_small::<2>(data, col, rule, &mut out),
        3 => unpack_column_small::<3>(data, col, rule, &mut out),
        4 => unpack_column_small::<4>(data, col, rule, &mut out),
        5 => unpack_column_small::<5>(data, col, rule, &mut out),
        6 => unpack_column_small::<6>(data, col, rule, &mut out),
        7 => unpack_column_small::<7>(data, col, rule, &mut out),
        8 => unpack_column_small::<8>(data, col, rule, &mut out),
        9 => unpack_nine_loop(data, col, rule, &mut out),
        w => return Err(Error::Invalid(format!("an i64 column takes packed fields of 1 to 9 bytes, not {w}"))),
    }
    Ok(out)
}

/// Decodes one packed field (1 to 16 bytes) of every record, into `i128` values. As
/// [`unpack_column_i64`], for fields too wide for it.
pub fn unpack_column_i128(data: &[u8], col: Column, rule: SignRule) -> Result<PackedColumn<i128>> {
    let n = col.records_in(data.len())?;
    if col.len > MAX_LEN {
        return Err(Error::Invalid(format!("a packed field has 1 to 16 bytes, not {}", col.len)));
    }
    let mut out = PackedColumn { values: Vec::with_capacity(n), exceptions: Vec::new() };
    for (i, rec) in data.chunks_exact(col.record_len).enumerate() {
        let field = &rec[col.offset..col.offset + col.len];
        match unpack_wide(field) {
            Some((m, sign)) => {
                let value = if is_negative_sign(sign) { -(m as i128) } else { m as i128 };
                out.values.push(value);
                if sign != rule.expected(value < 0) {
                    out.exceptions.push(Exception::Sign { record: i, sign });
                }
            }
            None => {
                out.values.push(0);
                out.exceptions.push(Exception::NotANumber { record: i, bytes: field.to_vec() });
            }
        }
    }
    Ok(out)
}

#[cold]
#[inline(never)]
fn too_wide(value: i128, len: usize) -> Error {
    Error::Invalid(format!("{value} does not fit a {len}-byte packed field"))
}

#[inline(always)]
fn pack_small_loop<const W: usize, const SIGNED: bool>(values: &[i64], col: Column, data: &mut [u8]) -> Result<()> {
    let limit = crate::decimal::POWERS_OF_TEN[2 * W - 1];
    let end = col.offset + W;
    for (rec, &v) in data.chunks_exact_mut(col.record_len).zip(values) {
        let m = v.unsigned_abs();
        if m >= limit {
            return Err(too_wide(v as i128, W));
        }
        // Branch-free sign, as in `signed_value`.
        let sign = if SIGNED { SIGN_POSITIVE + u8::from(v < 0) } else { SIGN_UNSIGNED };
        // Up to 4 bytes hold at most 7 digits: one 8-digit conversion does.
        let bcd = if W <= 4 { bcd8(m as u32) } else { bin_to_bcd16(m) };
        let x = bcd << 4 | sign as u64;
        let field: &mut [u8; W] = (&mut rec[col.offset..end]).try_into().unwrap();
        field.copy_from_slice(&x.to_be_bytes()[8 - W..]);
    }
    Ok(())
}

fn pack_column_small<const W: usize>(values: &[i64], col: Column, rule: SignRule, data: &mut [u8]) -> Result<()> {
    match rule {
        SignRule::Signed => pack_small_loop::<W, true>(values, col, data),
        SignRule::Unsigned => pack_small_loop::<W, false>(values, col, data),
    }
}

fn pack_generic_loop<T: Copy + Into<i128>>(values: &[T], col: Column, rule: SignRule, data: &mut [u8]) -> Result<()> {
    for (rec, &v) in data.chunks_exact_mut(col.record_len).zip(values) {
        let v: i128 = v.into();
        let m = v.unsigned_abs();
        if !fits(m, col.len) {
            return Err(too_wide(v, col.len));
        }
        pack_magnitude(m, rule.expected(v < 0), &mut rec[col.offset..col.offset + col.len]);
    }
    Ok(())
}

fn apply_exceptions(exceptions: &[Exception], n: usize, col: Column, data: &mut [u8]) -> Result<()> {
    for e in exceptions {
        let r = e.record();
        if r >= n {
            return Err(Error::Invalid(format!("exception for record {r} of {n}")));
        }
        let field = &mut data[r * col.record_len + col.offset..][..col.len];
        match e {
            Exception::NotANumber { bytes, .. } => {
                if bytes.len() != col.len {
                    return Err(Error::Invalid(format!("{} bytes kept for a {}-byte field", bytes.len(), col.len)));
                }
                field.copy_from_slice(bytes);
            }
            Exception::Sign { sign, .. } => {
                let last = &mut field[col.len - 1];
                *last = (*last & 0xF0) | (sign & 0x0F);
            }
        }
    }
    Ok(())
}

fn check_pack_args(n_values: usize, data: &[u8], col: Column) -> Result<usize> {
    let n = col.records_in(data.len())?;
    if n_values != n {
        return Err(Error::Invalid(format!("{n_values} values for {n} records")));
    }
    Ok(n)
}

/// Writes a column back into `data` (whole records, already allocated): the inverse
/// of [`unpack_column_i64`], byte for byte. Other bytes of the records are untouched.
///
/// An error when a value does not fit the field, when the counts disagree, or when an
/// exception names a record past the end or keeps bytes of the wrong length.
pub fn pack_column_i64(column: &PackedColumn<i64>, col: Column, rule: SignRule, data: &mut [u8]) -> Result<()> {
    let n = check_pack_args(column.values.len(), data, col)?;
    let values = &column.values;
    match col.len {
        1 => pack_column_small::<1>(values, col, rule, data)?,
        2 => pack_column_small::<2>(values, col, rule, data)?,
        3 => pack_column_small::<3>(values, col, rule, data)?,
        4 => pack_column_small::<4>(values, col, rule, data)?,
        5 => pack_column_small::<5>(values, col, rule, data)?,
        6 => pack_column_small::<6>(values, col, rule, data)?,
        7 => pack_column_small::<7>(values, col, rule, data)?,
        8 => pack_column_small::<8>(values, col, rule, data)?,
        9 => pack_generic_loop(values, col, rule, data)?,
        w => return Err(Error::Invalid(format!("an i64 column takes packed fields of 1 to 9 bytes, not {w}"))),
    }
    apply_exceptions(&column.exceptions, n, col, data)
}

/// The inverse of [`unpack_column_i128`], as [`pack_column_i64`].
pub fn pack_column_i128(column: &PackedColumn<i128>, col: Column, rule: SignRule, data: &mut [u8]) -> Result<()> {
    let n = check_pack_args(column.values.len(), data, col)?;
    if col.len > MAX_LEN {
        return Err(Error::Invalid(format!("a packed field has 1 to 16 bytes, not {}", col.len)));
    }
    pack_generic_loop(&column.values, col, rule, data)?;
    apply_exceptions(&column.exceptions, n, col, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A straightforward reading, nibble by nibble, to check the fast one against.
    fn reference(bytes: &[u8]) -> Option<(i128, u8)> {
        let mut m: i128 = 0;
        let n = bytes.len() * 2;
        for k in 0..n - 1 {
            let nib = if k % 2 == 0 { bytes[k / 2] >> 4 } else { bytes[k / 2] & 0xF };
            if nib > 9 {
                return None;
            }
            m = m * 10 + nib as i128;
        }
        let sign = bytes[bytes.len() - 1] & 0xF;
        if sign < 0xA {
            return None;
        }
        Some((if sign == 0xB || sign == 0xD { -m } else { m }, sign))
    }

    #[test]
    fn known_values() {
        assert_eq!(unpack_i64(&[0x0C]), Some(Packed { value: 0, sign: 0xC }));
        assert_eq!(unpack_i64(&[0x0D]), Some(Packed { value: 0, sign: 0xD }));
        assert_eq!(unpack_i64(&[0x9F]), Some(Packed { value: 9, sign: 0xF }));
        assert_eq!(unpack_i64(&[0x00, 0x12, 0x3F]), Some(Packed { value: 123, sign: 0xF }));
        assert_eq!(unpack_i64(&[0x12, 0x3D]), Some(Packed { value: -123, sign: 0xD }));
        assert_eq!(unpack_i64(&[0x12, 0x3B]), Some(Packed { value: -123, sign: 0xB }));
        assert_eq!(unpack_i64(&[0x12, 0x3A]), Some(Packed { value: 123, sign: 0xA }));
        assert_eq!(unpack_i64(&[0x12, 0x39]), None, "sign nibble 9");
        assert_eq!(unpack_i64(&[0xA2, 0x3C]), None, "digit nibble A");
        assert_eq!(unpack_i64(&[0x40, 0x40]), None, "EBCDIC spaces");
        assert_eq!(unpack_i64(&[]), None);
        let max17 = [0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9C];
        assert_eq!(unpack_i64(&max17).unwrap().value, 99_999_999_999_999_999);
        let max31 = [0x99; 16];
        let mut max31 = max31;
        max31[15] = 0x9D;
        assert_eq!(unpack_i128(&max31).unwrap().value, -(10i128.pow(31) - 1));
        let mut out = [0u8; 16];
        pack_i128(-(10i128.pow(31) - 1), 0xD, &mut out).unwrap();
        assert_eq!(out, max31);
    }

    #[test]
    fn pack_refuses() {
        let mut out = [0u8; 2];
        assert!(pack_i64(1000, 0xC, &mut out).is_err(), "4 digits in 3");
        assert!(pack_i64(999, 0xC, &mut out).is_ok());
        assert!(pack_i64(-5, 0xC, &mut out).is_err(), "negative value, positive sign");
        assert!(pack_i64(5, 0xD, &mut out).is_err(), "positive value, negative sign");
        assert!(pack_i64(5, 0x9, &mut out).is_err(), "not a sign nibble");
        assert!(pack_i64(0, 0xD, &mut out).is_ok(), "negative zero");
        assert_eq!(out, [0x00, 0x0D]);
        assert!(pack_i64(0, 0xC, &mut [0u8; 10]).is_err());
        assert!(pack_i64(i64::MIN, 0xD, &mut [0u8; 9]).is_err());
    }

    #[test]
    fn column_round_trip_with_exceptions() {
        // 5-byte records: a 3-byte packed field at offset 1.
        let recs: Vec<[u8; 5]> = vec![
            [0xAA, 0x12, 0x34, 0x5C, 0xBB], // +12345
            [0xAA, 0x00, 0x00, 0x0D, 0xBB], // negative zero: a sign exception
            [0xAA, 0x40, 0x40, 0x40, 0xBB], // spaces: not a number
            [0xAA, 0x99, 0x99, 0x9D, 0xBB], // -99999
            [0xAA, 0x00, 0x00, 0x1F, 0xBB], // F in a signed column
        ];
        let data: Vec<u8> = recs.concat();
        let col = Column { record_len: 5, offset: 1, len: 3 };
        let c = unpack_column_i64(&data, col, SignRule::Signed).unwrap();
        assert_eq!(c.values, vec![12345, 0, 0, -99999, 1]);
        assert_eq!(
            c.exceptions,
            vec![
                Exception::Sign { record: 1, sign: 0xD },
                Exception::NotANumber { record: 2, bytes: vec![0x40; 3] },
                Exception::Sign { record: 4, sign: 0xF },
            ]
        );
        let mut back = data.clone();
        for r in back.chunks_mut(5) {
            r[1..4].fill(0);
        }
        pack_column_i64(&c, col, SignRule::Signed, &mut back).unwrap();
        assert_eq!(back, data);
        let wide = unpack_column_i128(&data, col, SignRule::Signed).unwrap();
        assert_eq!(wide.exceptions, c.exceptions);
        let mut back2 = vec![0u8; data.len()];
        for (a, b) in back2.chunks_mut(5).zip(data.chunks(5)) {
            a[0] = b[0];
            a[4] = b[4];
        }
        pack_column_i128(&wide, col, SignRule::Signed, &mut back2).unwrap();
        assert_eq!(back2, data);
    }

    #[test]
    fn column_rejects_bad_geometry() {
        let data = [0u8; 10];
        assert!(unpack_column_i64(&data, Column { record_len: 3, offset: 0, len: 1 }, SignRule::Signed).is_err());
        assert!(unpack_column_i64(&data, Column { record_len: 5, offset: 3, len: 3 }, SignRule::Signed).is_err());
        assert!(unpack_column_i64(&data, Column { record_len: 10, offset: 0, len: 10 }, SignRule::Signed).is_err());
        assert!(unpack_column_i64(&data, Column { record_len: 5, offset: 0, len: 0 }, SignRule::Signed).is_err());
        let mut out = [0u8; 10];
        let c = PackedColumn { values: vec![1], exceptions: vec![] };
        assert!(pack_column_i64(&c, Column { record_len: 5, offset: 0, len: 2 }, SignRule::Signed, &mut out).is_err());
        let c = PackedColumn { values: vec![1000, 1], exceptions: vec![] };
        assert!(pack_column_i64(&c, Column { record_len: 5, offset: 0, len: 2 }, SignRule::Signed, &mut out).is_err());
    }

    fn valid_field() -> impl Strategy<Value = Vec<u8>> {
        (1usize..=16, prop::sample::select(vec![0xAu8, 0xB, 0xC, 0xD, 0xE, 0xF])).prop_flat_map(|(len, sign)| {
            prop::collection::vec(0u8..=9, 2 * len - 1).prop_map(move |digits| {
                let mut nibbles = digits;
                nibbles.push(sign);
                nibbles.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn pack_unpack_is_exact_on_valid_fields(field in valid_field()) {
            let p = unpack_i128(&field).expect("valid field");
            let r = reference(&field).unwrap();
            prop_assert_eq!((p.value, p.sign), r);
            let mut out = vec![0u8; field.len()];
            pack_i128(p.value, p.sign, &mut out).unwrap();
            prop_assert_eq!(&out, &field);
            if field.len() <= MAX_LEN_I64 {
                let q = unpack_i64(&field).unwrap();
                prop_assert_eq!(q.value as i128, p.value);
                pack_i64(q.value, q.sign, &mut out).unwrap();
                prop_assert_eq!(&out, &field);
            }
        }

        #[test]
        fn arbitrary_bytes_are_judged_like_the_reference(field in prop::collection::vec(any::<u8>(), 1..=16)) {
            let r = reference(&field);
            let p = unpack_i128(&field).map(|p| (p.value, p.sign));
            prop_assert_eq!(p, r);
            if let Some((v, s)) = r {
                let mut out = vec![0u8; field.len()];
                pack_i128(v, s, &mut out).unwrap();
                prop_assert_eq!(&out, &field);
            }
        }

        #[test]
        fn unpack_pack_is_identity_on_values(len in 1usize..=9, v in any::<i64>(), signed in any::<bool>()) {
            let limit = 10i64.pow(digits_for_len(len) as u32);
            let v = v % limit;
            let v = if signed { v } else { v.abs() };
            let sign = SignRule::from_signed(signed).expected(v < 0);
            let mut out = vec![0u8; len];
            pack_i64(v, sign, &mut out).unwrap();
            prop_assert_eq!(unpack_i64(&out), Some(Packed { value: v, sign }));
        }

        #[test]
        fn columns_round_trip_any_bytes(len in 1usize..=16, pad in 0usize..3, data in prop::collection::vec(any::<u8>(), 0..400), signed in any::<bool>()) {
            let record_len = len + pad;
            let n = data.len() / record_len;
            let data = &data[..n * record_len];
            let col = Column { record_len, offset: pad.min(1), len };
            let rule = SignRule::from_signed(signed);
            if len <= MAX_LEN_I64 {
                let c = unpack_column_i64(data, col, rule).unwrap();
                prop_assert_eq!(c.values.len(), n);
                let mut back = data.to_vec();
                for r in back.chunks_mut(record_len) { r[col.offset..col.offset + len].fill(0x55); }
                pack_column_i64(&c, col, rule, &mut back).unwrap();
                prop_assert_eq!(&back, &data);
                for e in &c.exceptions {
                    if let Exception::NotANumber { record, .. } = e {
                        prop_assert!(reference(&data[record * record_len + col.offset..][..len]).is_none());
                    }
                }
                // The column loops (tables for narrow fields) read what the
                // one-value path reads.
                for (value, rec) in c.values.iter().zip(data.chunks_exact(record_len)) {
                    let field = &rec[col.offset..col.offset + len];
                    prop_assert_eq!(*value, unpack_i64(field).map_or(0, |p| p.value));
                }
            }
            let c = unpack_column_i128(data, col, rule).unwrap();
            let mut back = data.to_vec();
            for r in back.chunks_mut(record_len) { r[col.offset..col.offset + len].fill(0x55); }
            pack_column_i128(&c, col, rule, &mut back).unwrap();
            prop_assert_eq!(&back, &data);
        }
    }
}
