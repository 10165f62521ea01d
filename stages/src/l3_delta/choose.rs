//! The choice of each column's coding, by the significant bits it would store.

use super::distinct::{distinct_sorted_up_to, distinct_up_to, Distinct};
use super::transform::{self, Transform};
use super::Coding;
use crate::typed_columns::{ColumnRole, Int, IntColumns};

/// Earlier quantity columns tried as the key, and as the addend, of a relation.
const RELATION_CANDIDATES: usize = 4;

/// Values on which a column's transforms are compared.
const TRANSFORM_SAMPLE: usize = 4096;

/// Relations tried per block, all columns together: each costs a pass with a table
/// over the column, and a copybook may have hundreds of numeric fields.
const RELATION_BUDGET: usize = 64;

/// One column's coding and the sequences of unsigned numbers it stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coded<Z> {
    /// What the column was.
    pub role: ColumnRole,
    /// Its values.
    pub len: usize,
    /// How they are stored.
    pub coding: Coding,
    /// What is stored: one sequence, or two for a dictionary.
    pub sequences: Vec<Vec<Z>>,
}

/// Significant bits of `n` values coded as indexes into `distinct`'s sorted values,
/// the dictionary stored as deltas; and that dictionary.
fn dictionary_cost<V: Int>(n: usize, distinct: &Distinct<V>) -> (u64, Vec<V::Zig>) {
    let entries = distinct.sorted.len();
    let dict_values = transform::forward(&distinct.sorted, Transform::Delta, &[]);
    let index_bits = u64::from(128 - (entries.saturating_sub(1) as u128).leading_zeros());
    (n as u64 * index_bits + transform::cost(&dict_values), dict_values)
}

/// Significant bits of the cheapest of raw, delta, delta of delta and a dictionary
/// for `values` (relations left out): how a producer compares ways to cut its
/// columns before L3 codes them.
pub fn plain_cost<V: Int>(values: &[V]) -> u64 {
    let mut best = transform::plain_costs(values).into_iter().min().unwrap_or(0);
    if let Some(distinct) = distinct_sorted_up_to(values, values.len() / 2) {
        best = best.min(dictionary_cost(values.len(), &distinct).0);
    }
    best
}

/// Codes every column of `columns`, each the cheapest way by significant bits.
///
/// A quantity column tries raw values, deltas, deltas of deltas, relations (its last
/// value for the same value of an earlier quantity column with few distinct values,
/// plus another earlier quantity column's value: a running balance), a frame of
/// reference (its values above its least), and a dictionary of its values. An index column tries its values as they are, deltas and deltas of
/// deltas.
pub fn code_columns<V: Int>(columns: &IntColumns<V>) -> Vec<Coded<V::Zig>> {
    let columns = &columns.columns;
    let quantity = |c: usize| columns[c].role == ColumnRole::Number;
    // Quantity columns with at most half as many distinct values as rows: they can key
    // a relation, and a dictionary may code them.
    let few_values: Vec<Option<Distinct<V>>> = columns
        .iter()
        .map(|c| (c.role == ColumnRole::Number).then(|| distinct_up_to(&c.values, c.values.len() / 2)).flatten())
        .collect();
    let known: Vec<&[V]> = columns.iter().map(|c| c.values.as_slice()).collect();
    let mut budget = RELATION_BUDGET;
    let mut coded = Vec::with_capacity(columns.len());
    for (c, column) in columns.iter().enumerate() {
        let n = column.values.len();
        // Relations read other columns row by row: only those as long as this one.
        let related = |i: usize| quantity(i) && !known[i].is_empty() && known[i].len() == n;
        let keys: Vec<usize> = (0..c).filter(|&k| related(k) && few_values[k].is_some()).collect();
        let earlier: Vec<usize> = (0..c).rev().filter(|&i| related(i)).take(RELATION_CANDIDATES).collect();
        let (coding, sequences) = match column.role {
            ColumnRole::Number => {
                choose_number(&column.values, &few_values, &known, &keys, &earlier, &mut budget, &few_values[c])
            }
            ColumnRole::Index => choose_index(&column.values),
        };
        coded.push(Coded { role: column.role, len: n, coding, sequences });
    }
    coded
}

/// The cheapest coding of a quantity column and its stored sequences.
fn choose_number<V: Int>(
    values: &[V],
    distinct: &[Option<Distinct<V>>],
    known: &[&[V]],
    keys: &[usize],
    earlier: &[usize],
    budget: &mut usize,
    own_distinct: &Option<Distinct<V>>,
) -> (Coding, Vec<Vec<V::Zig>>) {
    // The relation's key by its values' indexes: an array instead of a hash map.
    let forward = |values: &[V], t: Transform| match t {
        Transform::Relation { key, add } => {
            let key_values = distinct[key].as_ref().expect("keys have few values");
            let add = add.map(|a| &known[a][..values.len()]);
            transform::forward_relation(values, &key_values.rows, key_values.sorted.len(), add)
        }
        t => transform::forward(values, t, &[]),
    };
    let n = values.len();
    let mut candidates = vec![Transform::Raw, Transform::Delta, Transform::DeltaOfDelta];
    for &key in keys.iter().rev().take(RELATION_CANDIDATES) {
        let adds = std::iter::once(None).chain(earlier.iter().filter(|&&a| a != key).map(|&a| Some(a)));
        for add in adds {
            if *budget == 0 {
                break;
            }
            *budget -= 1;
            candidates.push(Transform::Relation { key, add });
        }
    }
    // Candidates are judged on the column's first values: each costs a pass, and
    // the rows of one block behave alike. (`forward` reads the other columns only at
    // the rows of the values it is given.)
    let sample = &values[..n.min(TRANSFORM_SAMPLE)];
    let plain = transform::plain_costs(sample);
    let mut best: Option<(u64, Transform)> = None;
    for t in candidates {
        // Nothing beats storing nothing (a counter's deltas of deltas): the relations
        // left need not be computed. (Their budget was spent above all the same, so
        // later columns try what they would have.)
        if best.is_some_and(|b| b.0 == 0) {
            break;
        }
        let cost = match t {
            Transform::Raw => plain[0],
            Transform::Delta => plain[1],
            Transform::DeltaOfDelta => plain[2],
            Transform::Relation { .. } => transform::cost(&forward(sample, t)),
        };
        if best.is_none_or(|b| cost < b.0) {
            best = Some((cost, t));
        }
    }
    let t = best.map_or(Transform::Raw, |b| b.1);
    let stored = forward(values, t);
    let best_cost = transform::cost(&stored);
    let mut best: (u64, Coding, Vec<Vec<V::Zig>>) = (best_cost, Coding::Transform(t), vec![stored]);
    if let Some(&base) = values.iter().min() {
        // A frame of reference: what lies above the column's least value. Values in a
        // narrow band far from 0 that do not follow each other take the band's bits,
        // where raw values take their magnitude's and deltas the band's and a sign's.
        let offsets: Vec<V::Zig> = values.iter().map(|&v| v.above(base)).collect();
        let cost = transform::cost(&offsets);
        if cost < best.0 {
            best = (cost, Coding::Offset { base: base.into() }, vec![offsets]);
        }
    }
    if let Some(distinct) = own_distinct {
        let (dict_cost, dict_values) = dictionary_cost(n, distinct);
        if dict_cost < best.0 {
            let entries = distinct.sorted.len();
            let indexes = distinct.rows.iter().map(|&r| V::Zig::from(r)).collect();
            return (Coding::Dictionary { entries }, vec![indexes, dict_values]);
        }
    }
    (best.1, best.2)
}

/// The cheapest coding of an index column: its values as they are (no zigzag: an
/// index is never negative), or deltas, or deltas of deltas.
fn choose_index<V: Int>(values: &[V]) -> (Coding, Vec<Vec<V::Zig>>) {
    let sample = &values[..values.len().min(TRANSFORM_SAMPLE)];
    let as_is = |values: &[V]| -> Option<Vec<V::Zig>> {
        values.iter().map(|&v| (v >= V::default()).then(|| v.above(V::default()))).collect()
    };
    let plain = transform::plain_costs(sample);
    let mut best = None;
    if let Some(stored) = as_is(sample) {
        best = Some((transform::cost(&stored), Coding::Unsigned));
    }
    for (cost, t) in [(plain[1], Transform::Delta), (plain[2], Transform::DeltaOfDelta), (plain[0], Transform::Raw)] {
        if best.as_ref().is_none_or(|b: &(u64, Coding)| cost < b.0) {
            best = Some((cost, Coding::Transform(t)));
        }
    }
    match best.map(|b| b.1) {
        Some(Coding::Transform(t)) => (Coding::Transform(t), vec![transform::forward(values, t, &[])]),
        _ => match as_is(values) {
            Some(stored) => (Coding::Unsigned, vec![stored]),
            None => (Coding::Transform(Transform::Raw), vec![transform::forward(values, Transform::Raw, &[])]),
        },
    }
}
