//! The integer type a block's numbers are worked in while they are coded.
//!
//! Most blocks hold numbers far below `i64`'s range (COBOL fields of up to 18
//! digits), and working them in `i128` doubles the memory every pass streams through.
//! A block whose values all lie within [`NARROW_LIMIT`] is split in `i64`; any
//! other in `i128`. Within that bound no transform of the layer overflows `i64` (a
//! delta of deltas stays below 2^63, a prediction from a key plus an added column
//! below 2^62), so both give the same stored numbers and the same output.

use std::fmt::Debug;
use std::hash::Hash;

/// Values of magnitude below this are worked in `i64`.
pub const NARROW_LIMIT: i128 = 1 << 61;

/// A signed integer the encoder works a block's numbers in: `i64` or `i128`.
pub trait Int: Copy + Ord + Hash + Debug + Default + From<i64> + Into<i128> + Send + Sync + 'static {
    /// The unsigned type of its zigzag code.
    type Zig: Zig;

    /// `v` when this type holds every value of a block that holds `v`.
    fn narrow(v: i128) -> Option<Self>;

    /// `v`'s low bits as this type (for values known to fit).
    fn wrap(v: i128) -> Self;

    /// Sum, wrapping at the type's bounds.
    fn wrapping_add(self, other: Self) -> Self;

    /// Difference, wrapping at the type's bounds.
    fn wrapping_sub(self, other: Self) -> Self;

    /// Small magnitudes to small codes: 0, -1, 1, -2 become 0, 1, 2, 3.
    fn zigzag(self) -> Self::Zig;

    /// `values` as this type.
    fn from_i64s(values: Vec<i64>) -> Vec<Self>;

    /// The value whose zigzag code is `z`.
    fn unzigzag(z: Self::Zig) -> Self;

    /// How far the value lies above `base` (which is not above it), unsigned.
    fn above(self, base: Self) -> Self::Zig;
}

/// The unsigned zigzag code of an [`Int`].
pub trait Zig: Copy + Default + Debug + From<u32> + Send + Sync + 'static {
    /// Significant bits (0 for 0).
    fn significant_bits(self) -> u32;

    /// Bitwise or.
    fn or(self, other: Self) -> Self;

    /// Byte `k` of the number, counting from the least significant.
    fn byte(self, k: usize) -> u8;

    /// The number as 128 bits.
    fn wide(self) -> u128;

    /// `v` when it fits this type.
    fn narrow(v: u128) -> Option<Self>;

    /// The number shifted left a byte, with `byte` as its new lowest.
    fn push_byte(self, byte: u8) -> Self;

    /// Bytes the type holds.
    const BYTES: usize;

    /// The number whose low bytes are `bytes`, least significant first (at most
    /// [`Zig::BYTES`] of them).
    fn from_le(bytes: &[u8]) -> Self;

    /// The [`Zig::BYTES`] bytes at `at` of `bytes` as a number, least significant first.
    fn load_le(bytes: &[u8], at: usize) -> Self;

    /// Writes all [`Zig::BYTES`] bytes of the number at `at` of `out`.
    fn store_le(self, out: &mut [u8], at: usize);

    /// The number's low `bytes` bytes (all of them for [`Zig::BYTES`]).
    fn low_bytes(self, bytes: usize) -> Self;

    /// `v` as this type (which holds every `u64`).
    fn from_u64(v: u64) -> Self;
}

impl Int for i64 {
    type Zig = u64;

    fn narrow(v: i128) -> Option<i64> {
        (-NARROW_LIMIT < v && v < NARROW_LIMIT).then_some(v as i64)
    }

    fn wrap(v: i128) -> i64 {
        v as i64
    }

    #[inline]
    fn wrapping_add(self, other: i64) -> i64 {
        i64::wrapping_add(self, other)
    }

    #[inline]
    fn wrapping_sub(self, other: i64) -> i64 {
        i64::wrapping_sub(self, other)
    }

    #[inline]
    fn zigzag(self) -> u64 {
        ((self << 1) ^ (self >> 63)) as u64
    }

    fn from_i64s(values: Vec<i64>) -> Vec<i64> {
        values
    }

    #[inline]
    fn unzigzag(z: u64) -> i64 {
        ((z >> 1) as i64) ^ -((z & 1) as i64)
    }

    #[inline]
    fn above(self, base: i64) -> u64 {
        (self as u64).wrapping_sub(base as u64)
    }
}

impl Int for i128 {
    type Zig = u128;

    fn narrow(v: i128) -> Option<i128> {
        Some(v)
    }

    fn wrap(v: i128) -> i128 {
        v
    }

    #[inline]
    fn wrapping_add(self, other: i128) -> i128 {
        i128::wrapping_add(self, other)
    }

    #[inline]
    fn wrapping_sub(self, other: i128) -> i128 {
        i128::wrapping_sub(self, other)
    }

    #[inline]
    fn zigzag(self) -> u128 {
        ((self << 1) ^ (self >> 127)) as u128
    }

    fn from_i64s(values: Vec<i64>) -> Vec<i128> {
        values.into_iter().map(i128::from).collect()
    }

    #[inline]
    fn unzigzag(z: u128) -> i128 {
        ((z >> 1) as i128) ^ -((z & 1) as i128)
    }

    #[inline]
    fn above(self, base: i128) -> u128 {
        (self as u128).wrapping_sub(base as u128)
    }
}

/// [`Zig`] for an unsigned type of `$bytes` bytes; the conversions to and from `u128`
/// and `u64` are the identity for one of the two types, which clippy would flag.
macro_rules! impl_zig {
    ($t:ty, $bytes:literal) => {
        #[allow(clippy::useless_conversion, clippy::unnecessary_fallible_conversions)]
        impl Zig for $t {
            #[inline]
            fn significant_bits(self) -> u32 {
                <$t>::BITS - self.leading_zeros()
            }

            #[inline]
            fn or(self, other: $t) -> $t {
                self | other
            }

            #[inline]
            fn byte(self, k: usize) -> u8 {
                (self >> (8 * k)) as u8
            }

            #[inline]
            fn wide(self) -> u128 {
                u128::from(self)
            }

            #[inline]
            fn narrow(v: u128) -> Option<$t> {
                <$t>::try_from(v).ok()
            }

            #[inline]
            fn push_byte(self, byte: u8) -> $t {
                self << 8 | <$t>::from(byte)
            }

            const BYTES: usize = $bytes;

            #[inline]
            fn from_le(bytes: &[u8]) -> $t {
                let mut full = [0u8; $bytes];
                full[..bytes.len()].copy_from_slice(bytes);
                <$t>::from_le_bytes(full)
            }

            #[inline]
            fn load_le(bytes: &[u8], at: usize) -> $t {
                <$t>::from_le_bytes(bytes[at..at + $bytes].try_into().expect("a whole number's bytes"))
            }

            #[inline]
            fn store_le(self, out: &mut [u8], at: usize) {
                out[at..at + $bytes].copy_from_slice(&self.to_le_bytes());
            }

            #[inline]
            fn low_bytes(self, bytes: usize) -> $t {
                self & <$t>::MAX.checked_shr(8 * ($bytes - bytes) as u32).unwrap_or(0)
            }

            #[inline]
            fn from_u64(v: u64) -> $t {
                <$t>::from(v)
            }
        }
    };
}

impl_zig!(u64, 8);
impl_zig!(u128, 16);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn narrow_values_code_as_wide_ones(v in -NARROW_LIMIT + 1..NARROW_LIMIT, w in -NARROW_LIMIT + 1..NARROW_LIMIT) {
            let (a, b) = (i64::narrow(v).unwrap(), i64::narrow(w).unwrap());
            prop_assert_eq!(u128::from(a.zigzag()), v.zigzag());
            // The deepest a transform goes: a delta of deltas, a prediction's residual.
            let dd = a.wrapping_sub(b).wrapping_sub(b.wrapping_sub(a));
            prop_assert_eq!(i128::from(dd), (v - w) - (w - v));
            prop_assert_eq!(u128::from(dd.zigzag()), ((v - w) - (w - v)).zigzag());
            let residual = a.wrapping_sub(b.wrapping_add(b));
            prop_assert_eq!(i128::from(residual), v - 2 * w);
        }

        #[test]
        fn only_values_within_the_limit_narrow(v in any::<i128>()) {
            prop_assert_eq!(i64::narrow(v).is_some(), v.abs_diff(0) < NARROW_LIMIT as u128);
            prop_assert_eq!(i128::narrow(v), Some(v));
        }
    }

    #[test]
    fn bytes_and_bits() {
        assert_eq!(0x1234u64.byte(1), 0x12);
        assert_eq!(0x1234u128.byte(0), 0x34);
        assert_eq!(0u64.significant_bits(), 0);
        assert_eq!(u128::MAX.significant_bits(), 128);
        assert_eq!((-1i64).zigzag(), 1);
        assert_eq!(i64::narrow(NARROW_LIMIT), None);
        assert_eq!(i64::narrow(-NARROW_LIMIT), None);
    }
}
