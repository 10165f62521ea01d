//! Numeric columns: field bytes to integers and back, exactly or not at all.

use super::layout::ColumnKind;
use crate::cobol::packed::{self, SignRule};
use crate::cobol::zoned::{self, ZonedFormat};
use crate::cobol::{binary, Charset, Column};
use crate::error::{Error, Result};
use crate::typed_columns::Int;

/// Reads a numeric field. `Some` only when writing the value back with
/// [`write_value`] gives exactly these bytes (the sign COBOL writes, digits only):
/// anything else goes to the exceptions as it is.
pub fn read_value(bytes: &[u8], kind: ColumnKind, charset: Charset) -> Option<i128> {
    let value = match kind {
        ColumnKind::Text => return None,
        ColumnKind::Packed { signed } => {
            let p = packed::unpack_i128(bytes)?;
            // Every nibble is a digit or the sign, so valid digits under the sign the
            // rule writes for the value are exactly what packing writes back.
            return (p.sign == SignRule::from_signed(signed).expected(p.value < 0)).then_some(p.value);
        }
        ColumnKind::Zoned { signed, sign } => {
            let fmt = ZonedFormat { charset, signed, sign };
            // `decode` accepts only plain digits outside the sign, and each sign byte
            // stands for one (digit, form) pair: under the form COBOL writes for the
            // value (which also rules out negative zero), encoding gives these bytes.
            let z = zoned::decode(bytes, fmt)?;
            return (z.form == fmt.preferred_form(z.value < 0)).then_some(i128::from(z.value));
        }
        ColumnKind::Binary { signed, order } => binary::decode(bytes, signed, order)?,
    };
    // Room for the widest field: 18 zoned digits and a separate sign.
    let mut check = [0u8; 20];
    let out = check.get_mut(..bytes.len())?;
    write_value(value, kind, charset, out).ok()?;
    (out == bytes).then_some(value)
}

/// One numeric column of whole records (`len` bytes at `offset` of each
/// `record_len`-byte record): the values, and the rows whose fields [`read_value`]
/// does not read (appended to `kept`), which take the value of the row before them
/// (0 for the first), as that costs least to store. `None` when a value does not
/// fit `V` (see [`Int::narrow`]; never for `i128`).
pub fn read_column<V: Int>(
    records: &[u8],
    col: Column,
    kind: ColumnKind,
    charset: Charset,
    kept: &mut Vec<usize>,
) -> Option<Vec<V>> {
    let rows = records.len() / col.record_len.max(1);
    let first_kept = kept.len();
    // The fast paths read at most 18 digits: every value is below 10^18, within any
    // `V`'s range.
    let mut values = match kind {
        // The column loops of the COMP-3 codec (the benchmarked hot path) give the
        // same verdicts as `read_value`: a field is kept when it is not a number or
        // its sign nibble is not the one packing writes for its value.
        ColumnKind::Packed { signed } if col.len <= packed::MAX_LEN_I64 => {
            let Ok(column) = packed::unpack_column_i64(records, col, SignRule::from_signed(signed)) else {
                return read_each(records, col, kind, charset, kept);
            };
            kept.extend(column.exceptions.iter().map(packed::Exception::record));
            V::from_i64s(column.values)
        }
        ColumnKind::Zoned { signed: false, .. } if col.len <= zoned::MAX_DIGITS => {
            let zone = super::text::zero(charset);
            let mut values = Vec::with_capacity(rows);
            for (row, record) in records.chunks_exact(col.record_len).enumerate() {
                match zoned::plain_digits(&record[col.offset..col.offset + col.len], zone) {
                    Some(v) => values.push(V::from(v as i64)),
                    None => {
                        values.push(V::default());
                        kept.push(row);
                    }
                }
            }
            values
        }
        _ => return read_each(records, col, kind, charset, kept),
    };
    for &row in &kept[first_kept..] {
        values[row] = if row == 0 { V::default() } else { values[row - 1] };
    }
    Some(values)
}

/// [`read_column`] a field at a time.
fn read_each<V: Int>(
    records: &[u8],
    col: Column,
    kind: ColumnKind,
    charset: Charset,
    kept: &mut Vec<usize>,
) -> Option<Vec<V>> {
    let mut last = V::default();
    records
        .chunks_exact(col.record_len)
        .enumerate()
        .map(|(row, record)| {
            match read_value(&record[col.offset..col.offset + col.len], kind, charset) {
                Some(v) => last = V::narrow(v)?,
                None => kept.push(row),
            }
            Some(last)
        })
        .collect()
}

/// Writes `value` into `out` (the whole field) as COBOL would: the inverse of
/// [`read_value`]. An error when the value does not fit.
pub fn write_value(value: i128, kind: ColumnKind, charset: Charset, out: &mut [u8]) -> Result<()> {
    match kind {
        ColumnKind::Text => Err(Error::Invalid("a text column has no values".into())),
        ColumnKind::Packed { signed } => {
            packed::pack_i128(value, SignRule::from_signed(signed).expected(value < 0), out)
        }
        ColumnKind::Zoned { signed, sign } => {
            let fmt = ZonedFormat { charset, signed, sign };
            let v = i64::try_from(value).map_err(|_| Error::Invalid(format!("{value} does not fit a zoned field")))?;
            zoned::encode(v, fmt.preferred_form(v < 0), fmt, out)
        }
        ColumnKind::Binary { signed, order } => binary::encode(value, signed, order, out),
    }
}

/// Writes `values` into one numeric column of whole records, as [`write_value`]
/// does field by field: what the decoder does with every numeric column. COMP-3
/// fields go through the codec's column loops, unsigned zoned fields a digit at a
/// time without the per-field checks of a sign. An error when a value does not fit
/// its field; the fields written before it are then left as they are.
pub fn write_column<V: Int>(
    records: &mut [u8],
    col: Column,
    kind: ColumnKind,
    charset: Charset,
    values: &[V],
) -> Result<()> {
    let fields = || records.len() / col.record_len.max(1);
    match kind {
        ColumnKind::Packed { signed } if col.len <= packed::MAX_LEN_I64 && values.len() == fields() => {
            // An unsigned field holds no negative value: `write_value` refuses one.
            let narrow = values.iter().map(|&v| i64::try_from(v.into()).ok().filter(|&v| signed || v >= 0)).collect();
            if let Some(values) = narrow {
                let column = packed::PackedColumn { values, exceptions: Vec::new() };
                return packed::pack_column_i64(&column, col, SignRule::from_signed(signed), records);
            }
        }
        ColumnKind::Zoned { signed: false, .. } if col.len <= zoned::MAX_DIGITS => {
            let limit = 10i128.pow(col.len as u32);
            if values.iter().all(|&v| (0..limit).contains(&v.into())) {
                let zone = super::text::zero(charset);
                for (record, &v) in records.chunks_exact_mut(col.record_len).zip(values) {
                    let mut rest = Into::<i128>::into(v) as u64;
                    for b in record[col.offset..col.offset + col.len].iter_mut().rev() {
                        *b = zone | (rest % 10) as u8;
                        rest /= 10;
                    }
                }
                return Ok(());
            }
        }
        _ => {}
    }
    for (record, &v) in records.chunks_exact_mut(col.record_len).zip(values) {
        write_value(v.into(), kind, charset, &mut record[col.offset..col.offset + col.len])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::kinds;
    use super::*;
    use crate::cobol::SignPosition;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn read_column_reads_as_read_value(
            fields in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 20), 1..40),
            len in 1usize..20, k in 0..kinds().len(), e in any::<bool>(), valid in any::<bool>(),
        ) {
            let kind = kinds()[k];
            let charset = if e { Charset::Ebcdic } else { Charset::Ascii };
            // Records of a byte of text and one field; most fields valid when asked,
            // so that the fast paths' values are compared, not only their refusals.
            let mut records = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                records.push(b'x');
                let mut field = f[..len].to_vec();
                if valid && i % 4 != 0 {
                    let _ = write_value(i128::from(f[0]) - 100, kind, charset, &mut field);
                }
                records.extend_from_slice(&field);
            }
            let col = Column { record_len: len + 1, offset: 1, len };
            let mut kept = Vec::new();
            let values = read_column::<i128>(&records, col, kind, charset, &mut kept).expect("i128 holds any value");
            let (mut expected_kept, mut last) = (Vec::new(), 0);
            let expected: Vec<i128> = records
                .chunks_exact(len + 1)
                .enumerate()
                .map(|(row, r)| {
                    match read_value(&r[1..], kind, charset) {
                        Some(v) => last = v,
                        None => expected_kept.push(row),
                    }
                    last
                })
                .collect();
            // In `i64`: the same, or nothing when a value is beyond its limit.
            let mut narrow_kept = Vec::new();
            let narrow = read_column::<i64>(&records, col, kind, charset, &mut narrow_kept);
            prop_assert_eq!(narrow.is_some(), expected.iter().all(|&v| i64::narrow(v).is_some()));
            if let Some(narrow) = narrow {
                prop_assert_eq!(narrow.into_iter().map(i128::from).collect::<Vec<_>>(), expected.clone());
                prop_assert_eq!(&narrow_kept, &expected_kept);
            }
            prop_assert_eq!(values, expected);
            prop_assert_eq!(kept, expected_kept);
        }

        #[test]
        fn write_column_writes_as_write_value(
            values in prop_oneof![
                // Columns that fit every kind's fast path, and ones that do not.
                proptest::collection::vec(0i128..1000, 0..40),
                proptest::collection::vec(-1000i128..1000, 0..40),
                proptest::collection::vec(prop_oneof![any::<i64>().prop_map(i128::from), any::<i128>()], 0..40),
            ],
            len in 1usize..20, k in 0..kinds().len(), e in any::<bool>(),
        ) {
            let kind = kinds()[k];
            prop_assume!(kind.is_numeric());
            let charset = if e { Charset::Ebcdic } else { Charset::Ascii };
            // Records of a byte of text and one field.
            let col = Column { record_len: len + 1, offset: 1, len };
            let blank = vec![b'x'; values.len() * (len + 1)];
            let mut expected = blank.clone();
            let each: Result<()> = expected
                .chunks_exact_mut(len + 1)
                .zip(&values)
                .try_for_each(|(r, &v)| write_value(v, kind, charset, &mut r[1..]));
            let mut got = blank;
            let whole = write_column(&mut got, col, kind, charset, &values);
            prop_assert_eq!(whole.is_ok(), each.is_ok(), "{:?} {:?}", whole, each);
            if whole.is_ok() {
                prop_assert_eq!(got, expected);
            }
        }

        #[test]
        fn read_value_is_exact(bytes in proptest::collection::vec(any::<u8>(), 1..21), k in 0..kinds().len(), e in any::<bool>()) {
            let kinds = kinds();
            let charset = if e { Charset::Ebcdic } else { Charset::Ascii };
            if let Some(v) = read_value(&bytes, kinds[k], charset) {
                let mut out = vec![0u8; bytes.len()];
                write_value(v, kinds[k], charset, &mut out).unwrap();
                prop_assert_eq!(out, bytes);
            }
        }
    }

    #[test]
    fn values_read_exactly() {
        assert_eq!(read_value(&[0x00, 0x12, 0x3C], ColumnKind::Packed { signed: true }, Charset::Ascii), Some(123));
        assert_eq!(read_value(&[0x00, 0x12, 0x3F], ColumnKind::Packed { signed: true }, Charset::Ascii), None);
        assert_eq!(read_value(&[0x00, 0x00, 0x0D], ColumnKind::Packed { signed: true }, Charset::Ascii), None);
        assert_eq!(
            read_value(b"12s", ColumnKind::Zoned { signed: true, sign: SignPosition::Trailing }, Charset::Ascii),
            Some(-123)
        );
        assert_eq!(
            read_value(b"12L", ColumnKind::Zoned { signed: true, sign: SignPosition::Trailing }, Charset::Ascii),
            None
        );
    }
}
