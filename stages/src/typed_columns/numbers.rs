//! A run of unsigned numbers as the typed-column streams hold them: `n:varint
//! width:u8 bytes[n × width]`, each number in `width` bytes, least significant first,
//! `width` the fewest whole bytes the largest needs. Whole bytes read and written a
//! number at a time: the streams between L2, L3 and L4 are rewritten at every stage,
//! and varints cost those passes a third of the records' compression time.

use super::Zig;
use crate::error::{Error, Result};
use crate::varint;

/// Widest number, in bytes.
pub const MAX_WIDTH: usize = 16;

/// Appends `values` as a run.
pub fn put<Z: Zig>(out: &mut Vec<u8>, values: &[Z]) {
    let max = values.iter().fold(Z::default(), |m, &z| m.or(z));
    let width = (max.significant_bits() as usize).div_ceil(8);
    varint::put(out, values.len() as u64);
    out.push(width as u8);
    // Each number written whole, the next one over its unused high bytes: no copy
    // of a length known only at run time.
    let start = out.len();
    out.resize(start + values.len() * width + Z::BYTES, 0);
    if width <= 8 {
        for (i, &z) in values.iter().enumerate() {
            (z.wide() as u64).store_le(out, start + i * width);
        }
    } else {
        for (i, &z) in values.iter().enumerate() {
            z.store_le(out, start + i * width);
        }
    }
    out.truncate(start + values.len() * width);
}

/// Reads a run at `*pos` into `Z`: `None` when its numbers are wider than `Z` (the
/// position is then left where the run starts). At most `max_values` numbers, checked
/// before anything is allocated (a run of width 0 takes no bytes per number).
pub fn get<Z: Zig>(input: &[u8], pos: &mut usize, max_values: usize) -> Result<Option<Vec<Z>>> {
    let start = *pos;
    let n = varint::get_capped(input, pos, max_values as u64, "numbers in a run")? as usize;
    let width = usize::from(*input.get(*pos).ok_or(Error::Truncated { what: "number width", needed: 1 })?);
    *pos += 1;
    if width > MAX_WIDTH {
        return Err(Error::corrupt("numbers", format!("{width} bytes wide")));
    }
    let bytes = n * width;
    let body = input
        .get(*pos..*pos + bytes)
        .ok_or(Error::Truncated { what: "numbers", needed: bytes.saturating_sub(input.len().saturating_sub(*pos)) })?;
    if width > Z::BYTES {
        *pos = start;
        return Ok(None);
    }
    *pos += bytes;
    if width == 0 {
        return Ok(Some(vec![Z::default(); n]));
    }
    // Whole numbers read where the bytes allow, masked to the width; the last few
    // one at a time.
    // Numbers of up to 8 bytes through 64-bit loads whatever `Z`: a 128-bit load and
    // mask cost the records' decoding a fifth of its time.
    let load = if width <= 8 { 8 } else { Z::BYTES };
    let whole = (bytes + 1).saturating_sub(load).div_ceil(width).min(n);
    let mut values: Vec<Z> = if width <= 8 {
        (0..whole).map(|i| Z::from_u64(u64::load_le(body, i * width).low_bytes(width))).collect()
    } else {
        (0..whole).map(|i| Z::load_le(body, i * width).low_bytes(width)).collect()
    };
    values.extend(body[whole * width..].chunks_exact(width).map(Z::from_le));
    // One spelling per run: its width is that of its largest number.
    if values.iter().fold(Z::default(), |m, &z| m.or(z)).significant_bits().div_ceil(8) as usize != width {
        return Err(Error::corrupt("numbers", format!("a run {width} bytes wide whose numbers need fewer")));
    }
    Ok(Some(values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn runs_come_back(values in prop::collection::vec(any::<u128>(), 0..40), shift in 0u32..=128) {
            let values: Vec<u128> = values.into_iter().map(|v| v.checked_shr(shift).unwrap_or(0)).collect();
            let mut out = Vec::new();
            put(&mut out, &values);
            let mut pos = 0;
            prop_assert_eq!(get::<u128>(&out, &mut pos, usize::MAX).unwrap(), Some(values.clone()));
            prop_assert_eq!(pos, out.len());
            let mut pos = 0;
            match get::<u64>(&out, &mut pos, usize::MAX).unwrap() {
                Some(narrow) => {
                    prop_assert_eq!(narrow.into_iter().map(u128::from).collect::<Vec<_>>(), values);
                    prop_assert_eq!(pos, out.len());
                }
                None => {
                    prop_assert!(values.iter().any(|&v| v > u128::from(u64::MAX)));
                    prop_assert_eq!(pos, 0);
                }
            }
        }

        #[test]
        fn any_bytes_read_or_fail(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let mut pos = 0;
            if let Ok(Some(values)) = get::<u128>(&bytes, &mut pos, 1000) {
                let mut again = Vec::new();
                put(&mut again, &values);
                prop_assert_eq!(&bytes[..pos], &again[..]);
            }
        }
    }

    #[test]
    fn a_long_run_of_zeros_is_capped() {
        let mut out = Vec::new();
        varint::put(&mut out, 1 << 40);
        out.push(0);
        assert!(matches!(get::<u64>(&out, &mut 0, 1 << 20), Err(Error::TooLarge { .. })));
        assert!(get::<u64>(&[2, 17, 0], &mut 0, 10).is_err(), "wider than 16 bytes");
        assert!(get::<u64>(&[2, 2, 1, 0], &mut 0, 10).is_err(), "cut short");
        assert!(get::<u64>(&[1, 2, 1, 0], &mut 0, 10).is_err(), "wider than its number");
    }
}
