//! Byte planes: a sequence of unsigned numbers of `width` bytes as `width` streams,
//! the most significant byte of every number first, so that L7 codes each byte
//! position with its own table and L5 and L6 see the runs of a mostly-zero high byte.

use crate::typed_columns::Zig;

/// Bytes needed for the largest of `stored` (0 when all are 0).
pub fn width<Z: Zig>(stored: &[Z]) -> usize {
    let max = stored.iter().fold(Z::default(), |m, &z| m.or(z));
    (max.significant_bits() as usize).div_ceil(8)
}

/// Splits `stored` into `width` byte planes, most significant first; plane `k` holds
/// byte `k` of every number.
pub fn to_planes<Z: Zig>(stored: &[Z], width: usize) -> Vec<Vec<u8>> {
    (0..width).map(|k| stored.iter().map(|&z| z.byte(width - 1 - k)).collect()).collect()
}

/// Joins byte planes (each of `n` bytes, already checked) back into numbers.
pub fn from_planes<Z: Zig>(planes: &[&[u8]], n: usize) -> Vec<Z> {
    let mut out = vec![Z::default(); n];
    for plane in planes {
        for (z, &b) in out.iter_mut().zip(plane.iter()) {
            *z = z.push_byte(b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn planes_join_back(stored in prop::collection::vec(any::<u128>(), 0..50), shift in 0u32..128) {
            let stored: Vec<u128> = stored.into_iter().map(|v| v >> shift).collect();
            let planes = to_planes(&stored, width(&stored));
            let refs: Vec<&[u8]> = planes.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(from_planes::<u128>(&refs, stored.len()), stored);
        }
    }

    #[test]
    fn widths() {
        assert_eq!(width::<u64>(&[]), 0);
        assert_eq!(width(&[0u64, 0]), 0);
        assert_eq!(width(&[255u64, 1]), 1);
        assert_eq!(width(&[256u64]), 2);
        assert_eq!(width(&[u128::MAX]), 16);
    }
}
