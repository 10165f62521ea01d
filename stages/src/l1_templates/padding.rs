//! The `zeros` stream: how each number column writes its leading zeros.

use super::*;

pub(super) const PADDING_EACH: u8 = 255;

/// The widest column width the `zeros` stream can name: a number's most digits.
pub(super) const MAX_WIDTH: u8 = tokens::MAX_NUMBER_DIGITS as u8;

/// Writes the leading zeros of one number column to the `zeros` stream: 0 when no
/// value has one, the width when every value is written in the same number of digits
/// (at least 2: the seconds of a time, a zero-padded id), else 255 and a byte a value.
pub(super) fn write_padding(values: &[(u64, u8)], out: &mut Vec<u8>) {
    if values.iter().all(|&(_, z)| z == 0) {
        return out.push(0);
    }
    let width = |&(v, z): &(u64, u8)| tokens::decimal_len(v) + usize::from(z);
    match values.first().map(width) {
        Some(w) if w >= 2 && values.iter().all(|x| width(x) == w) => out.push(w as u8),
        _ => {
            out.push(PADDING_EACH);
            out.extend(values.iter().map(|&(_, z)| z));
        }
    }
}

/// The leading zeros of one number column, as [`write_padding`] wrote them.
pub(super) enum ZeroPadding<'a> {
    None,
    Width(u8),
    Each(&'a [u8]),
}

impl<'a> ZeroPadding<'a> {
    pub(super) fn read(stream: &'a [u8], pos: &mut usize, n: usize) -> Result<ZeroPadding<'a>> {
        let mode = *stream.get(*pos).ok_or(Error::Truncated { what: "leading zeros", needed: 1 })?;
        *pos += 1;
        Ok(match mode {
            0 => ZeroPadding::None,
            2..=MAX_WIDTH => ZeroPadding::Width(mode),
            PADDING_EACH => {
                let each = stream.get(*pos..*pos + n).ok_or_else(|| Error::Truncated {
                    what: "leading zeros",
                    needed: n.saturating_sub(stream.len() - *pos),
                })?;
                *pos += n;
                ZeroPadding::Each(each)
            }
            other => return Err(Error::corrupt("leading zeros", format!("column mode {other}"))),
        })
    }

    /// The bytes the `i`-th value, `value`, takes written: its digits and the zeros
    /// before them.
    #[inline(always)]
    pub(super) fn width(&self, i: usize, value: u64) -> Result<u8> {
        let digits = tokens::decimal_len(value);
        let width = match self {
            ZeroPadding::None => digits,
            ZeroPadding::Width(w) if digits > usize::from(*w) => {
                return Err(Error::corrupt("numbers", format!("{value} is wider than its column's {w} digits")))
            }
            ZeroPadding::Width(w) => usize::from(*w),
            ZeroPadding::Each(each) => digits + usize::from(each[i]),
        };
        if width > tokens::MAX_NUMBER_DIGITS {
            let zeros = width - digits;
            return Err(Error::corrupt("numbers", format!("{value} after {zeros} zeros is too long")));
        }
        Ok(width as u8)
    }
}
