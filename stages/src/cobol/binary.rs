//! Binary integers: `COMP`, `COMP-4`, `BINARY` (big-endian on every platform, as IBM and
//! GnuCOBOL's default `binary-byteorder: big-endian` write them) and `COMP-5` (the
//! machine's own order: little-endian as GnuCOBOL writes it on x86 and ARM, big-endian
//! on a mainframe).
//!
//! Every bit pattern is a number, so decoding never fails on the bytes; values are
//! returned as `i128` so that an unsigned 8-byte field above `i64::MAX` (which a
//! program can write into a `COMP-5` field) still comes back exactly.

use super::ByteOrder;
use crate::{Error, Result};

/// Longest binary field, in bytes.
pub const MAX_LEN: usize = 8;

/// Decodes a binary field of 1 to 8 bytes; `None` only for an empty or longer field.
///
/// ```
/// use cobolp_stages::cobol::{binary::decode, ByteOrder};
/// assert_eq!(decode(&[0xFF, 0x85], true, ByteOrder::Big), Some(-123));
/// assert_eq!(decode(&[0x85, 0xFF], true, ByteOrder::Little), Some(-123));
/// assert_eq!(decode(&[0xFF, 0x85], false, ByteOrder::Big), Some(65413));
/// ```
#[inline]
pub fn decode(bytes: &[u8], signed: bool, order: ByteOrder) -> Option<i128> {
    let n = bytes.len();
    if n == 0 || n > MAX_LEN {
        return None;
    }
    let mut buf = [0u8; 8];
    let x = match order {
        ByteOrder::Big => {
            buf[8 - n..].copy_from_slice(bytes);
            u64::from_be_bytes(buf)
        }
        ByteOrder::Little => {
            buf[..n].copy_from_slice(bytes);
            u64::from_le_bytes(buf)
        }
    };
    Some(if signed {
        let shift = 64 - 8 * n as u32;
        (((x << shift) as i64) >> shift) as i128
    } else {
        x as i128
    })
}

/// The range of values a field of `len` bytes holds.
pub fn range(len: usize, signed: bool) -> (i128, i128) {
    let bits = 8 * len.min(MAX_LEN) as u32;
    if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    }
}

/// Encodes `value` into `out` (1 to 8 bytes); an error when it is out of the field's
/// range. The inverse of [`decode`].
pub fn encode(value: i128, signed: bool, order: ByteOrder, out: &mut [u8]) -> Result<()> {
    let n = out.len();
    if n == 0 || n > MAX_LEN {
        return Err(Error::Invalid(format!("a binary field has 1 to 8 bytes, not {n}")));
    }
    let (lo, hi) = range(n, signed);
    if value < lo || value > hi {
        return Err(Error::Invalid(format!("{value} does not fit a {n}-byte binary field")));
    }
    let x = value as u64; // two's complement, then cut to n bytes
    match order {
        ByteOrder::Big => out.copy_from_slice(&x.to_be_bytes()[8 - n..]),
        ByteOrder::Little => out.copy_from_slice(&x.to_le_bytes()[..n]),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(decode(&[0x80], true, ByteOrder::Big), Some(-128));
        assert_eq!(decode(&[0xFF; 8], false, ByteOrder::Big), Some(u64::MAX as i128));
        assert_eq!(decode(&[0xFF; 8], true, ByteOrder::Little), Some(-1));
        assert_eq!(decode(&[], true, ByteOrder::Big), None);
        assert_eq!(decode(&[0; 9], true, ByteOrder::Big), None);
        let mut out = [0u8; 2];
        assert!(encode(32768, true, ByteOrder::Big, &mut out).is_err());
        assert!(encode(-1, false, ByteOrder::Big, &mut out).is_err());
        encode(-32768, true, ByteOrder::Big, &mut out).unwrap();
        assert_eq!(out, [0x80, 0x00]);
    }

    proptest! {
        #[test]
        fn bytes_round_trip(bytes in prop::collection::vec(any::<u8>(), 1..=8), signed in any::<bool>(), little in any::<bool>()) {
            let order = if little { ByteOrder::Little } else { ByteOrder::Big };
            let v = decode(&bytes, signed, order).unwrap();
            let mut out = vec![0u8; bytes.len()];
            encode(v, signed, order, &mut out).unwrap();
            prop_assert_eq!(out, bytes);
        }

        #[test]
        fn values_round_trip(len in 1usize..=8, v in any::<i64>(), signed in any::<bool>(), little in any::<bool>()) {
            let order = if little { ByteOrder::Little } else { ByteOrder::Big };
            let (lo, hi) = range(len, signed);
            let v = v as i128;
            let mut out = vec![0u8; len];
            let r = encode(v, signed, order, &mut out);
            if v < lo || v > hi {
                prop_assert!(r.is_err());
            } else {
                r.unwrap();
                prop_assert_eq!(decode(&out, signed, order), Some(v));
            }
        }
    }
}
