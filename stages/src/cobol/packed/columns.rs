//! Whole columns of packed fields, one field width at a time: the loops the record
//! layer runs, specialised for each width, with exceptions kept byte for byte.

use super::*;

#[cold]
#[inline(never)]
pub(super) fn exception_at(record: usize, field: &[u8], sign: u8, valid: bool) -> Exception {
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
pub(super) fn signed_value<const SIGNED: bool>(m: i64, sign: u8) -> (i64, u8) {
    let negative = i64::from((sign == 0xB) | (sign == 0xD));
    let value = (m ^ -negative) + negative;
    let expected = if SIGNED { SIGN_POSITIVE + ((value < 0) as u8) } else { SIGN_UNSIGNED };
    (value, expected)
}

/// The hot loop for fields of `W` bytes (5 to 8).
#[inline(always)]
pub(super) fn unpack_small_loop<const W: usize, const SIGNED: bool>(
    data: &[u8],
    col: Column,
    out: &mut PackedColumn<i64>,
) {
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

pub(super) fn unpack_column_small<const W: usize>(
    data: &[u8],
    col: Column,
    rule: SignRule,
    out: &mut PackedColumn<i64>,
) {
    match rule {
        SignRule::Signed if W <= 4 => unpack_narrow_loop::<W, true>(data, col, out),
        SignRule::Unsigned if W <= 4 => unpack_narrow_loop::<W, false>(data, col, out),
        SignRule::Signed => unpack_small_loop::<W, true>(data, col, out),
        SignRule::Unsigned => unpack_small_loop::<W, false>(data, col, out),
    }
}

/// Flags of [`LAST_BYTE`]: the sign nibble means a negative value; the byte is no
/// digit and sign; its sign is not the one the rule writes (for a nonzero value).
pub(super) const LAST_NEGATIVE: u16 = 0x100;
pub(super) const LAST_INVALID: u16 = 0x200;
pub(super) const LAST_UNEXPECTED: u16 = 0x400;

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
pub(super) fn unpack_narrow_loop<const W: usize, const SIGNED: bool>(
    data: &[u8],
    col: Column,
    out: &mut PackedColumn<i64>,
) {
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
pub(super) fn unpack_nine_loop(data: &[u8], col: Column, rule: SignRule, out: &mut PackedColumn<i64>) {
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
pub(super) fn too_wide(value: i128, len: usize) -> Error {
    Error::Invalid(format!("{value} does not fit a {len}-byte packed field"))
}

#[inline(always)]
pub(super) fn pack_small_loop<const W: usize, const SIGNED: bool>(
    values: &[i64],
    col: Column,
    data: &mut [u8],
) -> Result<()> {
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

pub(super) fn pack_column_small<const W: usize>(
    values: &[i64],
    col: Column,
    rule: SignRule,
    data: &mut [u8],
) -> Result<()> {
    match rule {
        SignRule::Signed => pack_small_loop::<W, true>(values, col, data),
        SignRule::Unsigned => pack_small_loop::<W, false>(values, col, data),
    }
}

pub(super) fn pack_generic_loop<T: Copy + Into<i128>>(
    values: &[T],
    col: Column,
    rule: SignRule,
    data: &mut [u8],
) -> Result<()> {
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

pub(super) fn apply_exceptions(exceptions: &[Exception], n: usize, col: Column, data: &mut [u8]) -> Result<()> {
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

pub(super) fn check_pack_args(n_values: usize, data: &[u8], col: Column) -> Result<usize> {
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
