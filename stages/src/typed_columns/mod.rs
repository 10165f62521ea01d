//! Typed columns: what a structural layer hands to L3 and L4 instead of coding its
//! numbers itself.
//!
//! A producer (L2 records today) cuts its block into columns and writes its integer
//! columns as one `int-columns` stream ([`IntColumns`]); L3 ([`crate::l3_delta`])
//! chooses how each column is predicted and L4 ([`crate::l4_binary`]) how the
//! residuals are laid out as bytes. Each column carries its [`ColumnRole`], the one
//! thing about it L3 needs beyond its values: whether it is a quantity (which can be
//! predicted from other columns) or an index into a producer's dictionary.
//!
//! Stream format (docs/FORMAT.md, "Typed columns"): columns one after another until
//! the stream ends, each `role:u8  n:varint  value*n`, a value the zigzag code of a
//! 128-bit integer as a varint.

pub mod int;

use crate::error::{Error, Result};
use crate::varint;
pub use int::{Int, Zig, NARROW_LIMIT};

/// What a column's integers are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ColumnRole {
    /// A quantity: an amount, a count, a date read as a number. L3 may predict it from
    /// its own past or from other quantity columns.
    Number = 0,
    /// An index into a producer's dictionary (a text column's distinct values): a
    /// label, not a quantity, so never a key or an addend of another column.
    Index = 1,
}

impl ColumnRole {
    /// The role a stream names by this byte.
    pub fn from_byte(byte: u8) -> Result<ColumnRole> {
        match byte {
            0 => Ok(ColumnRole::Number),
            1 => Ok(ColumnRole::Index),
            other => Err(Error::Unsupported { what: "column role", value: other.into() }),
        }
    }
}

/// One integer column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntColumn<V = i128> {
    /// What its values are.
    pub role: ColumnRole,
    /// The values, row after row.
    pub values: Vec<V>,
}

/// The integer columns of a block, in the producer's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntColumns<V = i128> {
    /// The columns.
    pub columns: Vec<IntColumn<V>>,
}

impl<V: Int> IntColumns<V> {
    /// The `int-columns` stream of these columns.
    pub fn to_stream(&self) -> Vec<u8> {
        let values: usize = self.columns.iter().map(|c| c.values.len()).sum();
        let mut out = Vec::with_capacity(values * 2 + 4 * self.columns.len());
        for column in &self.columns {
            out.push(column.role as u8);
            varint::put(&mut out, column.values.len() as u64);
            for &v in &column.values {
                let wide: i128 = v.into();
                varint::put_u128(&mut out, wide.zigzag());
            }
        }
        out
    }
}

impl IntColumns {
    /// Reads an `int-columns` stream. Every count is checked against the bytes left
    /// before anything is allocated (a value takes at least a byte).
    pub fn from_stream(stream: &[u8]) -> Result<IntColumns> {
        let mut pos = 0;
        let mut columns = Vec::new();
        while pos < stream.len() {
            let role = ColumnRole::from_byte(stream[pos])?;
            pos += 1;
            let left = (stream.len() - pos) as u64;
            let n = varint::get_capped(stream, &mut pos, left, "int column length")? as usize;
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                values.push(unzigzag(varint::get_u128(stream, &mut pos)?));
            }
            columns.push(IntColumn { role, values });
        }
        Ok(IntColumns { columns })
    }

    /// The columns in `V` when every value fits it (see [`Int::narrow`]).
    pub fn narrowed<V: Int>(&self) -> Option<IntColumns<V>> {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                Some(IntColumn { role: c.role, values: c.values.iter().map(|&v| V::narrow(v)).collect::<Option<_>>()? })
            })
            .collect::<Option<_>>()?;
        Some(IntColumns { columns })
    }
}

/// The signed integer whose zigzag code is `z`.
pub fn unzigzag(z: u128) -> i128 {
    ((z >> 1) as i128) ^ -((z & 1) as i128)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn columns() -> impl Strategy<Value = IntColumns> {
        let column = (any::<bool>(), prop::collection::vec(any::<i128>(), 0..20)).prop_map(|(index, values)| {
            IntColumn { role: if index { ColumnRole::Index } else { ColumnRole::Number }, values }
        });
        prop::collection::vec(column, 0..6).prop_map(|columns| IntColumns { columns })
    }

    proptest! {
        #[test]
        fn columns_round_trip(columns in columns()) {
            prop_assert_eq!(IntColumns::from_stream(&columns.to_stream()).unwrap(), columns.clone());
            if let Some(narrow) = columns.narrowed::<i64>() {
                prop_assert_eq!(narrow.to_stream(), columns.to_stream());
            }
        }

        #[test]
        fn any_stream_reads_or_fails(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(columns) = IntColumns::from_stream(&bytes) {
                prop_assert_eq!(columns.to_stream(), bytes);
            }
        }
    }

    #[test]
    fn a_length_past_the_stream_is_refused_before_allocating() {
        let mut stream = vec![0];
        varint::put(&mut stream, u64::MAX >> 1);
        assert!(matches!(IntColumns::from_stream(&stream), Err(Error::TooLarge { .. })));
        assert!(matches!(IntColumns::from_stream(&[7, 0]), Err(Error::Unsupported { .. })));
    }
}
