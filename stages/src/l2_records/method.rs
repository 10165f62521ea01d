//! How each column of one block is coded: chosen by the encoder per block, written
//! after the columns in the `record-layout` stream. Since layout version 3 only text
//! columns have a method here ([`TextMethod`]); the integer columns' codings are L3's.
//! [`Method`] is what versions 1 and 2 wrote for every column, still read.

use super::layout::RecordSpec;
use crate::error::{Error, Result};
use crate::l3_delta::Transform;
use crate::varint;

/// Widest stored number, in bytes.
pub const MAX_WIDTH: u8 = 16;

/// A text column's coding in one block (layout version 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TextMethod {
    /// Each digit byte is replaced by the charset's `0` and moved, in order, to the
    /// digits stream.
    pub digits: bool,
    /// The (digit-less) values are listed once in the text stream, this many, in
    /// order of first appearance; each record's index is an index column of the
    /// block's typed columns.
    pub entries: Option<usize>,
}

impl TextMethod {
    /// Appends the method as the record layout stream holds it.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.digits) | u8::from(self.entries.is_some()) << 1);
        if let Some(entries) = self.entries {
            varint::put(out, entries as u64);
        }
    }

    /// Reads the method of text column `c` for a block of `n` records.
    pub fn read(input: &[u8], pos: &mut usize, c: usize, n: usize) -> Result<TextMethod> {
        let tag = *input.get(*pos).ok_or(Error::Truncated { what: "record column method", needed: 1 })?;
        *pos += 1;
        if tag > 3 {
            return Err(Error::corrupt("record column method", format!("column {c}: text method {tag}")));
        }
        let entries = if tag & 2 != 0 {
            let entries = varint::get_capped(input, pos, n as u64, "record dictionary entries")? as usize;
            if entries == 0 && n > 0 {
                return Err(Error::corrupt("record column method", format!("column {c}: empty dictionary")));
            }
            Some(entries)
        } else {
            None
        };
        Ok(TextMethod { digits: tag & 1 != 0, entries })
    }
}

/// A column's coding in one block (layout versions 1 and 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Text. `digits`: each digit byte is replaced by the charset's `0` and moved, in
    /// order, to the digits stream. `dict`: the (digit-less) values are listed once
    /// in the text stream, in order of first appearance, and each record stores its
    /// value's index.
    Text {
        /// Digits moved to the digits stream.
        digits: bool,
        /// Values listed once, records by index.
        dict: Option<Dict>,
    },
    /// Integers under a transform, `width` bytes each.
    Number {
        /// What is stored of each value.
        transform: Transform,
        /// Bytes each stored number takes.
        width: u8,
    },
    /// Integers as indexes (`dict.width` bytes) into the column's distinct values,
    /// ascending, stored as delta-coded numbers of `value_width` bytes.
    NumberDict {
        /// The dictionary of distinct values.
        dict: Dict,
        /// Bytes each delta-coded value takes.
        value_width: u8,
    },
}

/// A dictionary: how many entries, and how many bytes each record's index takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dict {
    /// Distinct values.
    pub entries: usize,
    /// Bytes of each record's index.
    pub width: u8,
}

impl Method {
    /// The (length, width) of each sequence of stored numbers this method writes, in
    /// order, for `n` records.
    pub fn sequences(&self, n: usize) -> Vec<(usize, u8)> {
        match *self {
            Method::Text { dict: Some(d), .. } => vec![(n, d.width)],
            Method::Text { dict: None, .. } => Vec::new(),
            Method::Number { width, .. } => vec![(n, width)],
            Method::NumberDict { dict, value_width } => vec![(n, dict.width), (dict.entries, value_width)],
        }
    }

    /// Reads the method of column `c` of `spec` for a block of `n` records.
    pub fn read(input: &[u8], pos: &mut usize, spec: &RecordSpec, c: usize, n: usize) -> Result<Method> {
        let byte = |pos: &mut usize| -> Result<u8> {
            let b = *input.get(*pos).ok_or(Error::Truncated { what: "record column method", needed: 1 })?;
            *pos += 1;
            Ok(b)
        };
        let width = |pos: &mut usize| -> Result<u8> {
            let w = byte(pos)?;
            if w > MAX_WIDTH {
                return Err(Error::corrupt("record column method", format!("column {c}: {w} bytes wide")));
            }
            Ok(w)
        };
        let dict = |pos: &mut usize| -> Result<Dict> {
            let entries = varint::get_capped(input, pos, n as u64, "record dictionary entries")? as usize;
            if entries == 0 && n > 0 {
                return Err(Error::corrupt("record column method", format!("column {c}: empty dictionary")));
            }
            Ok(Dict { entries, width: width(pos)? })
        };
        let numeric = |i: usize| spec.columns.get(i).is_some_and(|col| col.kind.is_numeric()) && i < c;
        if !spec.columns[c].kind.is_numeric() {
            let tag = byte(pos)?;
            if tag > 3 {
                return Err(Error::corrupt("record column method", format!("column {c}: text method {tag}")));
            }
            let dict = if tag & 2 != 0 { Some(dict(pos)?) } else { None };
            return Ok(Method::Text { digits: tag & 1 != 0, dict });
        }
        let transform = match byte(pos)? {
            0 => Transform::Raw,
            1 => Transform::Delta,
            2 => Transform::DeltaOfDelta,
            3 => {
                let key = varint::get_capped(input, pos, c as u64, "record relation column")? as usize;
                let add = varint::get_capped(input, pos, c as u64 + 1, "record relation column")? as usize;
                let add = add.checked_sub(1);
                if !numeric(key) || add.is_some_and(|a| !numeric(a)) {
                    return Err(Error::corrupt("record column method", format!("column {c}: bad relation")));
                }
                Transform::Relation { key, add }
            }
            4 => {
                let d = dict(pos)?;
                return Ok(Method::NumberDict { dict: d, value_width: width(pos)? });
            }
            other => return Err(Error::Unsupported { what: "record column transform", value: other.into() }),
        };
        Ok(Method::Number { transform, width: width(pos)? })
    }
}
