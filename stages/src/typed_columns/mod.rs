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
//! the stream ends, each its role and a run of the zigzag codes of its values (see
//! [`numbers`]).

pub mod int;
pub mod numbers;

use crate::error::{Error, Result};
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
        let mut out = Vec::with_capacity(values * 4 + 4 * self.columns.len());
        let mut zigzags = Vec::new();
        for column in &self.columns {
            out.push(column.role as u8);
            zigzags.clear();
            zigzags.extend(column.values.iter().map(|v| v.zigzag()));
            numbers::put(&mut out, &zigzags);
        }
        out
    }

    /// Reads an `int-columns` stream into `V`: `None` when a value does not fit it (see
    /// [`Int::narrow`]). At most `max_values` values in all the columns together (see
    /// [`max_values`]): a run of width 0 takes no bytes a value, so the stream's length
    /// bounds nothing.
    pub fn from_stream_as(stream: &[u8], max_values: usize) -> Result<Option<IntColumns<V>>> {
        let mut pos = 0;
        let mut columns = Vec::new();
        let mut left = max_values;
        while pos < stream.len() {
            let role = ColumnRole::from_byte(stream[pos])?;
            pos += 1;
            let Some(zigzags) = numbers::get::<V::Zig>(stream, &mut pos, left)? else { return Ok(None) };
            left -= zigzags.len();
            let values: Vec<V> = zigzags.into_iter().map(V::unzigzag).collect();
            if values.iter().any(|&v| V::narrow(v.into()).is_none()) {
                return Ok(None);
            }
            columns.push(IntColumn { role, values });
        }
        Ok(Some(IntColumns { columns }))
    }
}

impl IntColumns {
    /// Reads an `int-columns` stream (see [`IntColumns::from_stream_as`]).
    pub fn from_stream(stream: &[u8], max_values: usize) -> Result<IntColumns> {
        Ok(IntColumns::from_stream_as(stream, max_values)?.unwrap_or_else(|| unreachable!("i128 holds every value")))
    }

    /// The columns in `V` when every value fits it (see [`Int::narrow`]): what the
    /// tests hold a narrow path to.
    #[cfg(test)]
    pub fn narrowed<V: Int>(&self) -> Option<IntColumns<V>> {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let values = c.values.iter().map(|&v| V::narrow(v)).collect::<Option<_>>()?;
                Some(IntColumn { role: c.role, values })
            })
            .collect::<Option<_>>()?;
        Some(IntColumns { columns })
    }
}

/// The most values a block of `original_len` bytes may hold in all its columns (or
/// all of L3's sequences): a column has at most a value per byte of the block, a
/// dictionary as many again.
pub fn max_values(original_len: usize) -> usize {
    original_len.saturating_mul(2).saturating_add(1024)
}

/// The signed integer whose zigzag code is `z`.
pub fn unzigzag(z: u128) -> i128 {
    ((z >> 1) as i128) ^ -((z & 1) as i128)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::varint;
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
            prop_assert_eq!(IntColumns::from_stream(&columns.to_stream(), usize::MAX).unwrap(), columns.clone());
            if let Some(narrow) = columns.narrowed::<i64>() {
                prop_assert_eq!(narrow.to_stream(), columns.to_stream());
            }
        }

        #[test]
        fn any_stream_reads_or_fails(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(columns) = IntColumns::from_stream(&bytes, 1000) {
                prop_assert_eq!(columns.to_stream(), bytes);
            }
        }
    }

    #[test]
    fn a_length_past_the_cap_is_refused_before_allocating() {
        let mut stream = vec![0];
        varint::put(&mut stream, u64::MAX >> 1);
        stream.push(0);
        assert!(matches!(IntColumns::from_stream(&stream, 1 << 20), Err(Error::TooLarge { .. })));
        assert!(matches!(IntColumns::from_stream(&[7, 0, 0], 10), Err(Error::Unsupported { .. })));
    }
}
