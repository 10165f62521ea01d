//! LEB128 unsigned varints: seven bits a byte, low bits first.

use crate::error::{Error, Result};

/// Appends `value` as a varint (1 to 10 bytes).
pub fn put(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// How many bytes [`put`] writes for `value`.
pub fn len(value: u64) -> usize {
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

/// Reads a varint at `*pos`, advancing it. Rejects overlong and overflowing encodings
/// so that every value has exactly one spelling.
#[inline]
pub fn get(input: &[u8], pos: &mut usize) -> Result<u64> {
    // Most values of the streams that hold them (differences, ids, references) are
    // under 128: one byte, read here without a call.
    match input.get(*pos) {
        Some(&byte) if byte < 0x80 => {
            *pos += 1;
            Ok(u64::from(byte))
        }
        _ => get_long(input, pos),
    }
}

/// [`get`] for a varint of more than one byte (or none at all).
#[inline(never)]
fn get_long(input: &[u8], pos: &mut usize) -> Result<u64> {
    let mut value: u64 = 0;
    let mut shift = 0u32;
    loop {
        let Some(&byte) = input.get(*pos) else {
            return Err(Error::Truncated { what: "varint", needed: 1 });
        };
        *pos += 1;
        let bits = u64::from(byte & 0x7f);
        if shift == 63 && bits > 1 {
            return Err(Error::corrupt("varint", "value overflows 64 bits"));
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && shift > 0 {
                return Err(Error::corrupt("varint", "overlong encoding"));
            }
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err(Error::corrupt("varint", "longer than 10 bytes"));
        }
    }
}

/// Reads a varint that must not exceed `limit`, naming `what` in the error.
pub fn get_capped(input: &[u8], pos: &mut usize, limit: u64, what: &'static str) -> Result<u64> {
    let value = get(input, pos)?;
    if value > limit {
        return Err(Error::TooLarge { what, value, limit });
    }
    Ok(value)
}

/// Appends a 128-bit `value` as a varint (1 to 19 bytes): the numbers of L4's varint
/// form, which COBOL fields of up to 38 digits fill.
pub fn put_u128(out: &mut Vec<u8>, value: u128) {
    // Most values fit 64 bits, whose loop is cheaper.
    match u64::try_from(value) {
        Ok(narrow) => put(out, narrow),
        Err(_) => {
            let mut value = value;
            while value >= 0x80 {
                out.push((value as u8) | 0x80);
                value >>= 7;
            }
            out.push(value as u8);
        }
    }
}

/// How many bytes [`put_u128`] writes for `value`.
pub fn len_u128(value: u128) -> usize {
    ((128 - (value | 1).leading_zeros()) as usize).div_ceil(7)
}

/// Reads what [`put_u128`] wrote, with the same rules as [`get`]: one spelling per value.
pub fn get_u128(input: &[u8], pos: &mut usize) -> Result<u128> {
    // Up to nine bytes hold at most 63 bits: read as a `u64`, which cannot overflow
    // there and costs a fraction of 128-bit shifts.
    if input.get(*pos..).unwrap_or_default().iter().take(9).any(|&b| b < 0x80) {
        return get(input, pos).map(u128::from);
    }
    let mut value: u128 = 0;
    let mut shift = 0u32;
    loop {
        let Some(&byte) = input.get(*pos) else {
            return Err(Error::Truncated { what: "varint", needed: 1 });
        };
        *pos += 1;
        let bits = u128::from(byte & 0x7f);
        if shift == 126 && bits > 3 {
            return Err(Error::corrupt("varint", "value overflows 128 bits"));
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && shift > 0 {
                return Err(Error::corrupt("varint", "overlong encoding"));
            }
            return Ok(value);
        }
        shift += 7;
        if shift > 126 {
            return Err(Error::corrupt("varint", "longer than 19 bytes"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trip(values in proptest::collection::vec(any::<u64>(), 0..64)) {
            let mut buf = Vec::new();
            for &v in &values { put(&mut buf, v); }
            let mut pos = 0;
            for &v in &values {
                let at = pos;
                prop_assert_eq!(get(&buf, &mut pos).unwrap(), v);
                prop_assert_eq!(pos - at, len(v));
            }
            prop_assert_eq!(pos, buf.len());
        }

        #[test]
        fn wide_round_trip(values in proptest::collection::vec(any::<u128>(), 0..64)) {
            let mut buf = Vec::new();
            for &v in &values { put_u128(&mut buf, v); }
            let mut pos = 0;
            for &v in &values { prop_assert_eq!(get_u128(&buf, &mut pos).unwrap(), v); }
            prop_assert_eq!(pos, buf.len());
        }

        #[test]
        fn wide_reads_what_any_bytes_spell(bytes in proptest::collection::vec(any::<u8>(), 0..24)) {
            let mut pos = 0;
            if let Ok(v) = get_u128(&bytes, &mut pos) {
                let mut again = Vec::new();
                put_u128(&mut again, v);
                prop_assert_eq!(&bytes[..pos], &again[..]);
                prop_assert_eq!(len_u128(v), pos);
            }
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
            let mut pos = 0;
            let _ = get(&bytes, &mut pos);
        }
    }

    #[test]
    fn known_encodings() {
        for (v, enc) in [(0u64, vec![0u8]), (127, vec![0x7f]), (128, vec![0x80, 1]), (300, vec![0xac, 2])] {
            let mut buf = Vec::new();
            put(&mut buf, v);
            assert_eq!(buf, enc);
            assert_eq!(len(v), enc.len());
        }
        assert_eq!([16_383, 16_384, u64::MAX].map(len), [2, 3, 10]);
        let mut buf = Vec::new();
        put(&mut buf, u64::MAX);
        assert_eq!(buf.len(), 10);
        assert_eq!(get(&buf, &mut 0).unwrap(), u64::MAX);
    }

    #[test]
    fn rejects_bad_encodings() {
        assert!(get(&[0x80, 0x00], &mut 0).is_err(), "overlong");
        assert!(get(&[0x80], &mut 0).is_err(), "truncated");
        assert!(get(&[0xff; 10], &mut 0).is_err(), "overflow");
        assert!(get(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], &mut 0).is_err());
        let mut max = Vec::new();
        put_u128(&mut max, u128::MAX);
        assert_eq!(max.len(), 19);
        assert_eq!(get_u128(&max, &mut 0).unwrap(), u128::MAX);
        *max.last_mut().unwrap() = 0x04;
        assert!(get_u128(&max, &mut 0).is_err(), "overflow");
        assert!(get_u128(&[0x80, 0x00], &mut 0).is_err(), "overlong");
        assert!(get_u128(&[0xff; 20], &mut 0).is_err(), "too long");
    }
}
