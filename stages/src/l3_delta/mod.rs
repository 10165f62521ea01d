//! L3 Delta: each integer column of a block's typed columns coded the way that stores
//! the fewest significant bits: its values, deltas, deltas of deltas, a relation to
//! other columns, or a dictionary.
//!
//! The layer turns the block's `int-columns` stream (see [`crate::typed_columns`])
//! into two streams in its place: `delta-methods` (each column's role, length and
//! coding) and `int-sequences` (the unsigned numbers each coding stores), which L4
//! lays out as bytes. Any producer of typed columns gets the same choices; L2 records
//! is the first. The bytes are in docs/FORMAT.md, "L3 Delta".

mod choose;
mod distinct;
pub mod transform;

pub use choose::{code_columns, plain_cost, Coded};
pub use transform::Transform;

use crate::block::{Block, Layer, LayerId, Stream, StreamKind};
use crate::error::{Error, Result};
use crate::typed_columns::{max_values, numbers, ColumnRole, Int, IntColumn, IntColumns, Zig};
use crate::varint;

/// How one column's values are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coding {
    /// Zigzag codes of the values under a transform (one sequence).
    Transform(Transform),
    /// Each value as an index into the column's distinct values, ascending (first
    /// sequence), and those values as deltas (second sequence, `entries` long).
    Dictionary {
        /// Distinct values.
        entries: usize,
    },
    /// The values themselves, each non-negative (an index): no zigzag.
    Unsigned,
    /// Each value less `base` (the column's least value): no zigzag.
    Offset {
        /// What every value is stored above.
        base: i128,
    },
}

impl Coding {
    /// How many sequences the coding stores.
    pub fn sequence_count(self) -> usize {
        match self {
            Coding::Dictionary { .. } => 2,
            _ => 1,
        }
    }

    /// Appends the coding of a column of `role` as `delta-methods` holds it.
    fn write(self, out: &mut Vec<u8>, role: ColumnRole) {
        let role = (role as u8) << 4;
        match self {
            Coding::Transform(Transform::Raw) => out.push(role),
            Coding::Transform(Transform::Delta) => out.push(role | 1),
            Coding::Transform(Transform::DeltaOfDelta) => out.push(role | 2),
            Coding::Transform(Transform::Relation { key, add }) => {
                out.push(role | 3);
                varint::put(out, key as u64);
                varint::put(out, add.map_or(0, |a| a as u64 + 1));
            }
            Coding::Dictionary { entries } => {
                out.push(role | 4);
                varint::put(out, entries as u64);
            }
            Coding::Unsigned => out.push(role | 5),
            Coding::Offset { base } => {
                out.push(role | 6);
                numbers::put(out, &[base.zigzag()]);
            }
        }
    }
}

impl std::fmt::Display for Coding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Coding::Transform(Transform::Raw) => f.write_str("raw"),
            Coding::Transform(Transform::Delta) => f.write_str("delta"),
            Coding::Transform(Transform::DeltaOfDelta) => f.write_str("delta of delta"),
            Coding::Transform(Transform::Relation { key, add: None }) => write!(f, "last by column {key}"),
            Coding::Transform(Transform::Relation { key, add: Some(a) }) => {
                write!(f, "last by column {key} + column {a}")
            }
            Coding::Dictionary { entries } => write!(f, "dictionary of {entries}"),
            Coding::Unsigned => f.write_str("as is"),
            Coding::Offset { base } => write!(f, "above {base}"),
        }
    }
}

/// One column's entry in `delta-methods`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnMethod {
    /// The column's role.
    pub role: ColumnRole,
    /// Its values.
    pub len: usize,
    /// How they are stored.
    pub coding: Coding,
}

/// The `delta-methods` and `int-sequences` streams of coded columns.
///
/// `delta-methods` is a run of groups, each the columns of one length in a row:
/// `len:varint  count:varint  (code:u8 params)*count`, a code the coding's tag in its
/// low four bits and the role in the high four.
pub fn write_coded<Z: Zig>(coded: &[Coded<Z>]) -> (Vec<u8>, Vec<u8>) {
    let mut methods = Vec::with_capacity(coded.len() * 2 + 8);
    let values: usize = coded.iter().flat_map(|c| &c.sequences).map(Vec::len).sum();
    let mut sequences = Vec::with_capacity(values * 2);
    for group in coded.chunk_by(|a, b| a.len == b.len) {
        varint::put(&mut methods, group[0].len as u64);
        varint::put(&mut methods, group.len() as u64);
        for c in group {
            c.coding.write(&mut methods, c.role);
        }
    }
    for s in coded.iter().flat_map(|c| &c.sequences) {
        numbers::put(&mut sequences, s);
    }
    (methods, sequences)
}

/// Reads a `delta-methods` stream. Relations must name earlier quantity columns of
/// the same length; a dictionary has at most as many entries as values, and at least
/// one when there are values; a group has at least one column.
pub fn read_methods(stream: &[u8]) -> Result<Vec<ColumnMethod>> {
    let mut pos = 0;
    let mut out: Vec<ColumnMethod> = Vec::new();
    while pos < stream.len() {
        let len = varint::get(stream, &mut pos)? as usize;
        // A column takes at least a byte.
        let left = (stream.len() - pos) as u64;
        let count = varint::get_capped(stream, &mut pos, left, "delta method group")?;
        if count == 0 {
            return Err(Error::corrupt("delta methods", "an empty group"));
        }
        for _ in 0..count {
            let c = out.len();
            let code = *stream.get(pos).ok_or(Error::Truncated { what: "delta method", needed: 1 })?;
            pos += 1;
            let role = ColumnRole::from_byte(code >> 4)?;
            let bad = |why: &str| Error::corrupt("delta methods", format!("column {c}: {why}"));
            let related = |i: usize| out.get(i).is_some_and(|m| m.role == ColumnRole::Number && m.len == len);
            let coding = match code & 0x0f {
                0 => Coding::Transform(Transform::Raw),
                1 => Coding::Transform(Transform::Delta),
                2 => Coding::Transform(Transform::DeltaOfDelta),
                3 => {
                    let key = varint::get_capped(stream, &mut pos, c as u64, "relation key column")? as usize;
                    let add = varint::get_capped(stream, &mut pos, c as u64, "relation added column")? as usize;
                    let add = add.checked_sub(1);
                    if !related(key) || add.is_some_and(|a| !related(a)) {
                        return Err(bad("a relation to a column that is not an earlier quantity of its length"));
                    }
                    Coding::Transform(Transform::Relation { key, add })
                }
                4 => {
                    let entries = varint::get_capped(stream, &mut pos, len as u64, "dictionary entries")? as usize;
                    if entries == 0 && len > 0 {
                        return Err(bad("an empty dictionary"));
                    }
                    Coding::Dictionary { entries }
                }
                5 => Coding::Unsigned,
                6 => {
                    let base = numbers::get::<u128>(stream, &mut pos, 1)?.unwrap_or_default();
                    let [base] = base[..] else { return Err(bad("an offset without its base")) };
                    Coding::Offset { base: crate::typed_columns::unzigzag(base) }
                }
                other => return Err(Error::Unsupported { what: "delta coding", value: other.into() }),
            };
            out.push(ColumnMethod { role, len, coding });
        }
    }
    Ok(out)
}

/// Reads an `int-sequences` stream: every sequence, of at most `max_values` numbers
/// in all (see [`max_values`]).
pub fn read_sequences(stream: &[u8], max_values: usize) -> Result<Vec<Vec<u128>>> {
    Ok(read_sequences_as(stream, max_values)?.unwrap_or_else(|| unreachable!("u128 holds every value")))
}

/// [`read_sequences`] into `Z`: `None` when a number does not fit it.
pub fn read_sequences_as<Z: Zig>(stream: &[u8], max_values: usize) -> Result<Option<Vec<Vec<Z>>>> {
    let mut pos = 0;
    let mut out = Vec::new();
    let mut left = max_values;
    while pos < stream.len() {
        match numbers::get::<Z>(stream, &mut pos, left)? {
            Some(values) => {
                left -= values.len();
                out.push(values);
            }
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// The columns `methods` and `sequences` store: the inverse of [`code_columns`].
pub fn decode_columns(methods: &[ColumnMethod], sequences: Vec<Vec<u128>>) -> Result<IntColumns> {
    Ok(decode_columns_as(methods, sequences)?.unwrap_or_else(|| unreachable!("i128 holds every value")))
}

/// [`decode_columns`] of sequences held in `V`'s unsigned type, into `V`: `None` when
/// a value does not fit `V` (the arithmetic is the format's 128-bit either way).
pub fn decode_columns_as<V: Int>(
    methods: &[ColumnMethod],
    sequences: Vec<Vec<V::Zig>>,
) -> Result<Option<IntColumns<V>>> {
    let expected: usize = methods.iter().map(|m| m.coding.sequence_count()).sum();
    if sequences.len() != expected {
        return Err(Error::corrupt(
            "int sequences",
            format!("{} sequences where the methods store {expected}", sequences.len()),
        ));
    }
    let mut sequences = sequences.into_iter();
    let mut known: Vec<Vec<V>> = Vec::with_capacity(methods.len());
    for (c, m) in methods.iter().enumerate() {
        let mut next = |len: usize| -> Result<Vec<V::Zig>> {
            let s = sequences.next().unwrap_or_default();
            if s.len() != len {
                return Err(Error::corrupt(
                    "int sequences",
                    format!("column {c}: {} values where {len} belong", s.len()),
                ));
            }
            Ok(s)
        };
        let values = match m.coding {
            Coding::Transform(t) => transform::inverse_as(&next(m.len)?, t, &known),
            Coding::Unsigned => {
                let stored = next(m.len)?;
                if stored.iter().any(|z| i128::try_from(z.wide()).is_err()) {
                    return Err(Error::corrupt("int sequences", format!("column {c}: a value past 2^127")));
                }
                stored.iter().map(|z| V::narrow(z.wide() as i128)).collect()
            }
            Coding::Offset { base } => {
                next(m.len)?.iter().map(|z| V::narrow(base.wrapping_add(z.wide() as i128))).collect()
            }
            Coding::Dictionary { entries } => {
                let indexes = next(m.len)?;
                let Some(dictionary) = transform::inverse_as::<_, V>(&next(entries)?, Transform::Delta, &[]) else {
                    return Ok(None);
                };
                let values = indexes
                    .iter()
                    .map(|&i| usize::try_from(i.wide()).ok().and_then(|i| dictionary.get(i)).copied())
                    .collect::<Option<Vec<V>>>()
                    .ok_or_else(|| {
                        Error::corrupt("int sequences", format!("column {c}: an index past the dictionary"))
                    })?;
                Some(values)
            }
        };
        let Some(values) = values else { return Ok(None) };
        known.push(values);
    }
    let columns = methods.iter().zip(known).map(|(m, values)| IntColumn { role: m.role, values }).collect();
    Ok(Some(IntColumns { columns }))
}

/// The coded streams of an `int-columns` stream, worked in `i64` when every value
/// allows (see [`Int`]) and in `i128` otherwise; both give the same bytes.
pub fn code_stream(int_columns: &[u8], max_values: usize) -> Result<(Vec<u8>, Vec<u8>)> {
    Ok(match IntColumns::<i64>::from_stream_as(int_columns, max_values)? {
        Some(narrow) => write_coded(&code_columns(&narrow)),
        None => write_coded(&code_columns(&IntColumns::from_stream(int_columns, max_values)?)),
    })
}

/// The coded streams of typed columns held in `V` (no stream between), for the tests.
#[cfg(test)]
pub fn code<V: Int>(columns: &IntColumns<V>) -> (Vec<u8>, Vec<u8>) {
    write_coded(&code_columns(columns))
}

/// L3 Delta as a layer: takes a block's one `int-columns` stream; declines a block
/// without one, or one whose sequences would be longer than a decoder accepts.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeltaLayer;

impl Layer for DeltaLayer {
    fn id(&self) -> LayerId {
        LayerId::Delta
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        let mut found = block.streams.iter().enumerate().filter(|(_, s)| s.kind == StreamKind::IntColumns);
        let (Some((at, stream)), None) = (found.next(), found.next()) else { return Ok(false) };
        let (methods, sequences) = code_stream(&stream.data, max_values(block.original_len))?;
        let cap = Block::stream_cap(block.original_len);
        if methods.len() > cap || sequences.len() > cap || block.streams.len() >= crate::block::MAX_STREAMS {
            return Ok(false);
        }
        block.streams.splice(
            at..=at,
            [Stream::new(StreamKind::DeltaMethods, methods), Stream::new(StreamKind::IntSequences, sequences)],
        );
        block.layers.insert(LayerId::Delta);
        Ok(true)
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        let at = block
            .streams
            .iter()
            .position(|s| s.kind == StreamKind::DeltaMethods)
            .filter(|&at| block.streams.get(at + 1).is_some_and(|s| s.kind == StreamKind::IntSequences))
            .ok_or_else(|| Error::corrupt("L3 delta", "no delta-methods stream followed by int-sequences"))?;
        let methods = read_methods(&block.streams[at].data)?;
        let (stream, max) = (&block.streams[at + 1].data, max_values(block.original_len));
        // In `i64` where every number allows (half the memory a block's columns take),
        // else in `i128`: the same values either way.
        let narrow = match read_sequences_as::<u64>(stream, max)? {
            Some(sequences) => decode_columns_as::<i64>(&methods, sequences)?.map(|c| c.to_stream()),
            None => None,
        };
        let columns = match narrow {
            Some(columns) => columns,
            None => decode_columns(&methods, read_sequences(stream, max)?)?.to_stream(),
        };
        block.streams.splice(at..at + 2, [Stream::new(StreamKind::IntColumns, columns)]);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
