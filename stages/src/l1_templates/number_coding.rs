//! How a number column is stored (split version 3): the template split's own
//! predictions (the previous value, or the value keyed by the word before), or one of
//! L3's codings where it stores a tenth fewer bits, its entry in the list included: a
//! dictionary for a few values (a status, a level), a frame of reference for values in
//! a band, raw values for numbers that do not follow each other. The choice and the
//! arithmetic are L3's ([`crate::l3_delta`]); the values stay in the split's own
//! `numbers` stream, where L6 matches them with their neighbours (as typed columns
//! through L3 and L4 stages of their own they came out 1-6% larger:
//! docs/ARCHITECTURE.md). When L3's best is a coding not taken here (deltas of
//! deltas), the column keeps its deltas.

use crate::error::{Error, Result};
use crate::l3_delta::{self, code_columns, Coding, ColumnMethod, Transform};
use crate::typed_columns::{ColumnRole, Int, IntColumn, IntColumns, Zig, NARROW_LIMIT};
use crate::varint;

/// Shorter columns are not tried: what a coding could save on them is seldom worth its
/// entry in the list (at 32 rows Android's log lost half its gain, at 0 OpenSSH's
/// came out 0.1% larger), nor the time to find it.
const MIN_ROWS: usize = 16;

const RAW: u8 = 2;
const DELTA_OF_DELTA: u8 = 3;
const OFFSET: u8 = 4;
const DICTIONARY: u8 = 5;

/// One of L3's codings for `values`, with the sequences it stores, when it takes a
/// tenth fewer bits than `plain_bits`, what the column's deltas take (as
/// [`super::delta_bits`] counts them: a bit a value more than its significant bits).
pub(super) fn l3_coding(values: &[(u64, u8)], plain_bits: u64) -> Option<(Coding, Vec<Vec<u128>>)> {
    if values.len() < MIN_ROWS || !could_pay(values, plain_bits) {
        return None;
    }
    chosen(values, plain_bits)
}

/// [`l3_coding`] past its two tests: L3's choice for the column.
fn chosen(values: &[(u64, u8)], plain_bits: u64) -> Option<(Coding, Vec<Vec<u128>>)> {
    let narrow = values.iter().all(|&(v, _)| i128::from(v) < NARROW_LIMIT);
    if narrow {
        taken::<i64>(values.iter().map(|&(v, _)| v as i64).collect(), plain_bits)
    } else {
        taken::<i128>(values.iter().map(|&(v, _)| i128::from(v)).collect(), plain_bits)
    }
}

/// Whether any coding [`l3_coding`] can take might store a tenth fewer bits than
/// `plain_bits`, counted as it counts them: raw values and a frame of reference exactly
/// (two passes without a vector), a dictionary at its least (a bit an index, an entry
/// of a bit, its list entry). Where none can, L3's choice (a few vectors a column,
/// and the column's distinct values) is not worth asking for: a column of a few
/// values (a status, a port) keeps its deltas, nearly all of them zero.
fn could_pay(values: &[(u64, u8)], plain_bits: u64) -> bool {
    let pays = |bits: u64| bits * 10 < plain_bits * 9;
    let bits = |z: u128| u64::from(129 - z.leading_zeros());
    let n = values.len() as u64;
    if pays(n + 8 * 4 + 1) {
        return true;
    }
    let least = values.iter().map(|&(v, _)| v).min().unwrap_or(0);
    // As L3 stores them: raw values zigzagged (these are never negative), a frame of
    // reference's offsets as they are and its base zigzagged in the entry.
    let raw = values.iter().map(|&(v, _)| bits(u128::from(v) << 1)).sum::<u64>() + 8 * 3;
    let offset = values.iter().map(|&(v, _)| bits(u128::from(v - least))).sum::<u64>()
        + 8 * (3 + varint::len_u128(u128::from(least) << 1)) as u64;
    pays(raw) || pays(offset)
}

/// [`l3_coding`] of the column `values`, in a type that holds them: the sequences
/// widened only for a coding taken (most columns keep their deltas).
fn taken<V: Int>(values: Vec<V>, plain_bits: u64) -> Option<(Coding, Vec<Vec<u128>>)> {
    let columns = IntColumns { columns: vec![IntColumn { role: ColumnRole::Number, values }] };
    let coded = code_columns(&columns).pop().expect("one column");
    // Deltas are the plain prediction already; a single column has no relation. And
    // deltas of deltas, which the format allows, are not taken: a counter's deltas
    // repeat, which L6 matches for next to nothing where bits count them in full,
    // and a jump costs two residuals for one (with them Spark's log came out 1.7%
    // larger, OpenSSH's 0.4%, the other logs unchanged).
    if matches!(
        coded.coding,
        Coding::Transform(Transform::Delta | Transform::DeltaOfDelta | Transform::Relation { .. }) | Coding::Unsigned
    ) {
        return None;
    }
    // The column's entry in the list of coded columns counts too (template, slot,
    // coding and its parameter, about four bytes): a short column seldom pays for it.
    let entry = 8
        * (3 + match coded.coding {
            Coding::Offset { base } => varint::len_u128(base.zigzag()),
            Coding::Dictionary { entries } => varint::len(entries as u64),
            _ => 0,
        }) as u64;
    let bits: u64 =
        coded.sequences.iter().flatten().map(|&z| u64::from(129 - z.wide().leading_zeros())).sum::<u64>() + entry;
    (bits * 10 < plain_bits * 9).then(|| {
        let sequences = coded.sequences.into_iter().map(|s| s.into_iter().map(Zig::wide).collect()).collect();
        (coded.coding, sequences)
    })
}

/// The block's number columns that take one of L3's codings, in template then slot
/// order: a list at the start of `zeros`, after the relations, so that a column of the
/// split's own predictions costs nothing to say so (a byte for every column cost the
/// small logs up to 1%).
#[derive(Debug, Default)]
pub(super) struct CodedColumns {
    /// Template, slot, coding; and, read, the bytes the entry took.
    entries: Vec<(usize, usize, Coding, usize)>,
    next: usize,
}

impl CodedColumns {
    /// Adds `template`'s number slot `slot`, after every entry so far.
    pub(super) fn push(&mut self, template: usize, slot: usize, coding: Coding) {
        self.entries.push((template, slot, coding, 0));
    }

    /// Appends the list to `zeros`.
    pub(super) fn write(&self, zeros: &mut Vec<u8>) {
        varint::put(zeros, self.entries.len() as u64);
        let mut previous = 0;
        for &(template, slot, coding, _) in &self.entries {
            varint::put(zeros, (template - previous) as u64);
            varint::put(zeros, slot as u64);
            previous = template;
            match coding {
                Coding::Transform(Transform::Raw) => zeros.push(RAW),
                Coding::Transform(Transform::DeltaOfDelta) => zeros.push(DELTA_OF_DELTA),
                Coding::Offset { base } => {
                    zeros.push(OFFSET);
                    varint::put_u128(zeros, base.zigzag());
                }
                Coding::Dictionary { entries } => {
                    zeros.push(DICTIONARY);
                    varint::put(zeros, entries as u64);
                }
                other => unreachable!("{other} is not one of L1's codings"),
            }
        }
    }

    /// Reads the list at `*zpos` of `zeros`, for a block whose templates have `uses`
    /// lines each. Entries must name templates that exist, in increasing (template,
    /// slot) order; a slot is checked where its template is read ([`CodedColumns::take`]).
    pub(super) fn read(zeros: &[u8], zpos: &mut usize, uses: &[usize]) -> Result<CodedColumns> {
        // An entry takes at least three bytes.
        let left = (zeros.len() - (*zpos).min(zeros.len())) as u64 / 3;
        let count = varint::get_capped(zeros, zpos, left, "coded number columns")? as usize;
        let mut entries = Vec::with_capacity(count);
        let mut template = 0usize;
        for _ in 0..count {
            let start = *zpos;
            let gap = varint::get_capped(zeros, zpos, uses.len() as u64, "coded column template")? as usize;
            template = template
                .checked_add(gap)
                .filter(|&t| t < uses.len())
                .ok_or_else(|| Error::corrupt("coded number columns", format!("a template past the {}", uses.len())))?;
            let slot = varint::get_capped(zeros, zpos, u16::MAX.into(), "coded column slot")? as usize;
            if entries.last().is_some_and(|&(t, s, _, _)| (t, s) >= (template, slot)) {
                return Err(Error::corrupt("coded number columns", "columns out of order"));
            }
            let byte = *zeros.get(*zpos).ok_or(Error::Truncated { what: "coded number columns", needed: 1 })?;
            *zpos += 1;
            let n = uses[template];
            let coding = match byte {
                RAW => Coding::Transform(Transform::Raw),
                DELTA_OF_DELTA => Coding::Transform(Transform::DeltaOfDelta),
                OFFSET => Coding::Offset { base: crate::typed_columns::unzigzag(varint::get_u128(zeros, zpos)?) },
                DICTIONARY => {
                    let entries = varint::get_capped(zeros, zpos, n as u64, "number dictionary entries")? as usize;
                    if entries == 0 && n > 0 {
                        return Err(Error::corrupt("coded number columns", "an empty dictionary"));
                    }
                    Coding::Dictionary { entries }
                }
                other => return Err(Error::corrupt("coded number columns", format!("coding {other}"))),
            };
            entries.push((template, slot, coding, *zpos - start));
        }
        Ok(CodedColumns { entries, next: 0 })
    }

    /// The coding of `template`'s number slot `slot` when the list has one (slots
    /// asked for in order), with the bytes its entry took. An entry for a slot the
    /// template lacks is an error.
    pub(super) fn take(&mut self, template: usize, slot: usize, slots: usize) -> Result<Option<(Coding, usize)>> {
        match self.entries.get(self.next) {
            Some(&(t, s, coding, bytes)) if (t, s) == (template, slot) => {
                self.next += 1;
                Ok(Some((coding, bytes)))
            }
            Some(&(t, s, _, _)) if t == template && s >= slots => {
                Err(Error::corrupt("coded number columns", format!("template {t} has no number slot {s}")))
            }
            _ => Ok(None),
        }
    }

    /// Whether every entry was taken: one left names a slot no column read.
    pub(super) fn is_done(&self) -> bool {
        self.next == self.entries.len()
    }
}

/// Appends `sequences` (a column's numbers under one of L3's codings) to `numbers`.
pub(super) fn write_values(sequences: &[Vec<u128>], numbers: &mut Vec<u8>) {
    sequences.iter().flatten().for_each(|&z| varint::put_u128(numbers, z));
}

/// The `n` values of a column stored under `coding`, read from `numbers` at `*npos`.
pub(super) fn values(coding: Coding, numbers: &[u8], npos: &mut usize, n: usize) -> Result<Vec<u64>> {
    let mut sequence = |len: usize| -> Result<Vec<u128>> {
        // Each value takes at least a byte.
        if len > numbers.len() - *npos {
            return Err(Error::Truncated { what: "numbers", needed: len - (numbers.len() - *npos) });
        }
        (0..len).map(|_| varint::get_u128(numbers, npos)).collect()
    };
    let mut sequences = vec![sequence(n)?];
    if let Coding::Dictionary { entries } = coding {
        sequences.push(sequence(entries)?);
    }
    let method = ColumnMethod { role: ColumnRole::Number, len: n, coding };
    let columns = l3_delta::decode_columns(&[method], sequences)?;
    columns.columns[0]
        .values
        .iter()
        .map(|&v| {
            u64::try_from(v).map_err(|_| Error::corrupt("number columns", format!("{v} is not a number of a line")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l1_templates::columns::{delta_bits, KeyedValues, NumberColumn};
    use proptest::prelude::*;

    /// Columns of a constant, a few values, a band, a counter or values anywhere.
    fn column() -> impl Strategy<Value = Vec<u64>> {
        let rows = 16usize..300;
        prop_oneof![
            (any::<u64>(), rows.clone()).prop_map(|(v, n)| vec![v; n]),
            (prop::collection::vec(any::<u64>(), 1..5), prop::collection::vec(0usize..4, 16..300))
                .prop_map(|(few, picks)| picks.iter().map(|&p| few[p % few.len()]).collect()),
            (any::<u64>(), prop::collection::vec(0u64..4096, 16..300))
                .prop_map(|(base, band)| band.iter().map(|&b| base.saturating_add(b)).collect()),
            (0u64..1 << 40, 0u64..9, rows.clone())
                .prop_map(|(start, step, n)| (0..n as u64).map(|i| start + step * i).collect()),
            prop::collection::vec(any::<u64>(), 16..300),
            prop::collection::vec(prop_oneof![Just(0u64), Just(1), Just(200), Just(404)], 16..300),
        ]
    }

    proptest! {
        /// The quick test only turns away columns L3's choice would not have coded.
        #[test]
        fn a_column_turned_away_takes_no_coding(values in column()) {
            let values: Vec<(u64, u8)> = values.into_iter().map(|v| (v, 0)).collect();
            let plain = delta_bits(&NumberColumn::Plain.deltas(&values, &[], &mut KeyedValues::default()));
            if !could_pay(&values, plain) {
                prop_assert_eq!(chosen(&values, plain), None);
            }
        }
    }

    #[test]
    fn columns_of_few_values_are_still_asked_and_constants_are_not() {
        let few: Vec<(u64, u8)> = (0..200).map(|i| ([200, 304, 404, 500][i * 7 % 4], 0)).collect();
        let plain = delta_bits(&NumberColumn::Plain.deltas(&few, &[], &mut KeyedValues::default()));
        assert!(could_pay(&few, plain));
        assert!(matches!(l3_coding(&few, plain), Some((Coding::Dictionary { entries: 4 }, _))));
        let constant = vec![(200u64, 0u8); 200];
        let plain = delta_bits(&NumberColumn::Plain.deltas(&constant, &[], &mut KeyedValues::default()));
        assert!(!could_pay(&constant, plain));
    }
}
