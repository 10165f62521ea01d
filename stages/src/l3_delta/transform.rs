//! How a column's integers become the unsigned numbers that are stored: the values
//! themselves, their deltas, deltas of deltas, or the difference from a relation to
//! other columns; and the measure the choice is made by (significant bits).

use crate::fast_hash::FastMap;
use crate::typed_columns::{unzigzag, Int, Zig};

/// How a column's integers are turned into the unsigned numbers that are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transform {
    /// The values themselves.
    Raw,
    /// Each value minus the one before (the first minus 0).
    Delta,
    /// Each delta minus the delta before.
    DeltaOfDelta,
    /// Each value minus a prediction: the value this column had in the last earlier
    /// record whose column `key` held the same value (0 if none), plus this record's
    /// value of column `add`. Both are earlier numeric columns. Catches running
    /// balances (balance = previous balance of the account + amount).
    Relation {
        /// The earlier column whose equal value picks the record to predict from.
        key: usize,
        /// The earlier column added to the prediction, if any.
        add: Option<usize>,
    },
}

/// The values of the columns a transform refers to; `values[i]` is column `i`'s.
pub type Known<'a, V = i128> = &'a [Vec<V>];

fn other<V: Int>(known: Known<V>, col: usize, i: usize) -> V {
    known.get(col).and_then(|v| v.get(i)).copied().unwrap_or_default()
}

/// The stored numbers of `values` under `t` (zigzag coded). Wrapping arithmetic: the
/// inverse wraps the same way, so every input comes back. (In `i64` nothing wraps:
/// see [`Int`].)
pub fn forward<V: Int>(values: &[V], t: Transform, known: Known<V>) -> Vec<V::Zig> {
    if let Transform::Relation { key, add } = t {
        let mut last: FastMap<V, V> = FastMap::default();
        return values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let k = other(known, key, i);
                let base = last.insert(k, v).unwrap_or_default();
                let predicted = base.wrapping_add(add.map_or(V::default(), |a| other(known, a, i)));
                v.wrapping_sub(predicted).zigzag()
            })
            .collect();
    }
    let (mut prev, mut prev_delta) = (V::default(), V::default());
    values
        .iter()
        .map(|&v| {
            let d = v.wrapping_sub(prev);
            prev = v;
            let out = match t {
                Transform::Delta => d,
                Transform::DeltaOfDelta => d.wrapping_sub(prev_delta),
                _ => v,
            };
            prev_delta = d;
            out.zigzag()
        })
        .collect()
}

/// [`forward`] under `Relation` for a key column given as each row's index among its
/// `entries` distinct values (`key_rows`) instead of the values themselves: the same
/// numbers, with an array where `forward` needs a hash map. `add` is the added
/// column's values; both are read at the rows of `values` only.
pub fn forward_relation<V: Int>(values: &[V], key_rows: &[u32], entries: usize, add: Option<&[V]>) -> Vec<V::Zig> {
    let mut last = vec![V::default(); entries];
    values
        .iter()
        .zip(key_rows)
        .enumerate()
        .map(|(i, (&v, &k))| {
            let base = std::mem::replace(&mut last[k as usize], v);
            let predicted = base.wrapping_add(add.map_or(V::default(), |a| a[i]));
            v.wrapping_sub(predicted).zigzag()
        })
        .collect()
}

/// The inverse of [`forward`], given the same known columns.
pub fn inverse(stored: &[u128], t: Transform, known: Known) -> Vec<i128> {
    inverse_as(stored, t, known).unwrap_or_else(|| unreachable!("i128 holds every value"))
}

/// [`inverse`] of numbers held in `Z`, into `V`: the arithmetic is 128-bit as the
/// format says, each value then narrowed to `V` (`None` when one does not fit it, see
/// [`Int::narrow`]). Worked in `i64`, a block's columns take half the memory.
pub fn inverse_as<Z: Zig, V: Int>(stored: &[Z], t: Transform, known: Known<V>) -> Option<Vec<V>> {
    let wide = |col: usize, i: usize| -> i128 { other(known, col, i).into() };
    if let Transform::Relation { key, add } = t {
        let mut last: FastMap<V, V> = FastMap::default();
        return stored
            .iter()
            .enumerate()
            .map(|(i, &z)| {
                // One look-up a row: the entry is read and then written.
                let last = last.entry(other(known, key, i)).or_default();
                let base: i128 = (*last).into();
                let v = unzigzag(z.wide()).wrapping_add(base.wrapping_add(add.map_or(0, |a| wide(a, i))));
                *last = V::narrow(v)?;
                Some(*last)
            })
            .collect();
    }
    let (mut prev, mut prev_delta) = (0i128, 0i128);
    stored
        .iter()
        .map(|&z| {
            let x = unzigzag(z.wide());
            let (v, d) = match t {
                Transform::Delta => (prev.wrapping_add(x), x),
                Transform::DeltaOfDelta => {
                    let d = prev_delta.wrapping_add(x);
                    (prev.wrapping_add(d), d)
                }
                _ => (x, x.wrapping_sub(prev)),
            };
            prev = v;
            prev_delta = d;
            V::narrow(v)
        })
        .collect()
}

/// [`cost`] of `values` under `Raw`, `Delta` and `DeltaOfDelta`, in that order, in
/// one pass and without storing them: what choosing among the three needs.
pub fn plain_costs<V: Int>(values: &[V]) -> [u64; 3] {
    let bits = |v: V| u64::from(v.zigzag().significant_bits());
    let (mut prev, mut prev_delta) = (V::default(), V::default());
    let mut costs = [0u64; 3];
    for &v in values {
        let d = v.wrapping_sub(prev);
        costs[0] += bits(v);
        costs[1] += bits(d);
        costs[2] += bits(d.wrapping_sub(prev_delta));
        prev = v;
        prev_delta = d;
    }
    costs
}

/// Significant bits of the stored numbers: the encoder's measure of cost.
pub fn cost<Z: Zig>(stored: &[Z]) -> u64 {
    stored.iter().map(|&z| u64::from(z.significant_bits())).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn plain_costs_are_the_costs_of_the_stored_values(values in prop::collection::vec(any::<i128>(), 0..50)) {
            let each = [Transform::Raw, Transform::Delta, Transform::DeltaOfDelta].map(|t| cost(&forward(&values, t, &[])));
            prop_assert_eq!(plain_costs(&values), each);
        }
    }

    proptest! {
        #[test]
        fn transforms_invert(values in proptest::collection::vec(any::<i128>(), 0..50), t in 0usize..5,
                             keys in proptest::collection::vec(0i128..4, 50)) {
            let t = [
                Transform::Raw,
                Transform::Delta,
                Transform::DeltaOfDelta,
                Transform::Relation { key: 0, add: None },
                Transform::Relation { key: 0, add: Some(1) },
            ][t];
            let known = vec![keys, values.iter().map(|v| v / 3).collect()];
            let s = forward(&values, t, &known);
            prop_assert_eq!(inverse(&s, t, &known), values);
        }

        #[test]
        fn forward_relation_is_forward(rows in proptest::collection::vec((0u32..5, any::<i64>(), -9i128..9), 0..60),
                                       with_add in any::<bool>()) {
            let values: Vec<i128> = rows.iter().map(|r| i128::from(r.1)).collect();
            let key_rows: Vec<u32> = rows.iter().map(|r| r.0).collect();
            let adds: Vec<i128> = rows.iter().map(|r| r.2).collect();
            // Key values that differ as their indexes do.
            let keys: Vec<i128> = key_rows.iter().map(|&k| i128::from(k) * 1000 - 7).collect();
            let known = vec![keys, adds.clone()];
            let t = Transform::Relation { key: 0, add: with_add.then_some(1) };
            let add = with_add.then_some(adds.as_slice());
            prop_assert_eq!(forward_relation(&values, &key_rows, 5, add), forward(&values, t, &known));
        }
    }

    #[test]
    fn costs_of_a_counter_and_a_running_balance() {
        let counter: Vec<i128> = (1..100).collect();
        assert_eq!(cost(&forward(&counter, Transform::Delta, &[])), 2 * 99, "zigzag 1 is 2");
        let balances = [5i128, 7, 10, 13];
        let known = vec![vec![1, 2, 1, 2], vec![5, 7, 5, 6]];
        let relation = Transform::Relation { key: 0, add: Some(1) };
        assert_eq!(forward(&balances, relation, &known), vec![0, 0, 0, 0]);
    }
}
