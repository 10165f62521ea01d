//! A column's distinct values: what a dictionary codes, and what keys a relation.

use crate::fast_hash::{FastBuild, FastMap};
use crate::typed_columns::Int;

/// Ranges of values short enough to count in an array whatever the column's length.
const DENSE_RANGE: usize = 1 << 12;

/// A column's distinct values, sorted, and each row's index among them.
pub struct Distinct<V> {
    /// The distinct values, ascending.
    pub sorted: Vec<V>,
    /// Each row's index into `sorted` (empty when not asked for).
    pub rows: Vec<u32>,
}

/// The distinct values of `values`, or `None` when there are more than `limit` (or,
/// for a long column, when its first values are too varied for it to stay under).
pub fn distinct_up_to<V: Int>(values: &[V], limit: usize) -> Option<Distinct<V>> {
    distinct_of(values, limit, true)
}

/// [`distinct_up_to`] without the rows' ranks (`rows` left empty), for a cost that
/// needs only the dictionary.
pub fn distinct_sorted_up_to<V: Int>(values: &[V], limit: usize) -> Option<Distinct<V>> {
    distinct_of(values, limit, false)
}

fn distinct_of<V: Int>(values: &[V], limit: usize, with_rows: bool) -> Option<Distinct<V>> {
    let Some(&first) = values.first() else { return Some(Distinct { sorted: Vec::new(), rows: Vec::new() }) };
    let (min, max) = values.iter().fold((first, first), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (min, max): (i128, i128) = (min.into(), max.into());
    // Values within a short range (counters, dates, codes, the low digits of a cut)
    // are counted in an array over the range, which needs no hashing.
    let span = (max.wrapping_sub(min) as u128).saturating_add(1);
    if span <= (2 * values.len()).max(DENSE_RANGE) as u128 {
        let offset = |v: V| Into::<i128>::into(v).wrapping_sub(min) as usize;
        let mut rank = vec![0u32; span as usize];
        values.iter().for_each(|&v| rank[offset(v)] = 1);
        let mut sorted = Vec::new();
        for (at, r) in rank.iter_mut().enumerate() {
            if *r != 0 {
                *r = sorted.len() as u32;
                sorted.push(V::wrap(min.wrapping_add(at as i128)));
            }
        }
        if sorted.len() > limit {
            return None;
        }
        let rows = if with_rows { values.iter().map(|&v| rank[offset(v)]).collect() } else { Vec::new() };
        return Some(Distinct { sorted, rows });
    }
    // A column of mostly unique values (amounts, balances) would fill half a table
    // before it is known to have too many: its first records tell, at a fraction of
    // the cost. A column whose first records are nearly all distinct but whose
    // later ones repeat them loses only its dictionary (output stays exact).
    let n = values.len();
    if n >= 2 * DISTINCT_SAMPLE {
        let most = (limit.saturating_mul(3) / 2).saturating_mul(DISTINCT_SAMPLE) / n;
        distinct_of(&values[..DISTINCT_SAMPLE], most, false)?;
    }
    // Eight-byte keys when the values allow: half the table, twice the hits in cache.
    if i64::try_from(min).is_ok() && i64::try_from(max).is_ok() {
        distinct_hashed(values.iter().map(|&v| Into::<i128>::into(v) as i64), n, limit, with_rows)
    } else {
        distinct_hashed(values.iter().copied(), n, limit, with_rows)
    }
}

/// Values of a long column whose distinct count is checked first (see
/// [`distinct_up_to`]).
const DISTINCT_SAMPLE: usize = 4096;

/// [`distinct_up_to`] of the `len` values `values` by a hash table.
fn distinct_hashed<K, V>(
    values: impl Iterator<Item = K>,
    len: usize,
    limit: usize,
    with_rows: bool,
) -> Option<Distinct<V>>
where
    K: Copy + Ord + std::hash::Hash + Into<i128>,
    V: Int,
{
    // Sized for a column of a few thousand values; the table grows past that.
    let mut ids: FastMap<K, u32> = FastMap::with_capacity_and_hasher(limit.saturating_add(1).min(1 << 13), FastBuild);
    let mut rows: Vec<u32> = Vec::with_capacity(if with_rows { len } else { 0 });
    for v in values {
        let next = ids.len() as u32;
        let id = *ids.entry(v).or_insert(next);
        if with_rows {
            rows.push(id);
        }
        if ids.len() > limit {
            return None;
        }
    }
    // Ids in order of first appearance become ranks in sorted order.
    let mut order: Vec<(K, u32)> = ids.into_iter().collect();
    order.sort_unstable();
    let mut rank = vec![0u32; order.len()];
    for (r, &(_, id)) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    rows.iter_mut().for_each(|row| *row = rank[*row as usize]);
    Some(Distinct { sorted: order.into_iter().map(|(v, _)| V::wrap(v.into())).collect(), rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Values over a short range (the array path) or a wide one (the hashed path).
    fn column() -> impl Strategy<Value = Vec<i128>> {
        prop_oneof![
            prop::collection::vec(-50i128..50, 0..300),
            prop::collection::vec(prop_oneof![any::<i64>().prop_map(i128::from), any::<i128>()], 0..300),
            prop::collection::vec(prop_oneof![Just(i128::MIN), Just(i128::MAX), Just(0)], 0..50),
        ]
    }

    proptest! {
        #[test]
        fn distinct_values_are_the_sorted_set_and_rows_their_ranks(values in column(), limit in 0usize..400) {
            let mut set = values.clone();
            set.sort_unstable();
            set.dedup();
            let got = distinct_up_to(&values, limit);
            let sorted_only = distinct_sorted_up_to(&values, limit);
            if set.len() > limit {
                prop_assert!(got.is_none() && sorted_only.is_none());
            } else {
                let got = got.expect("within the limit");
                prop_assert_eq!(&got.sorted, &set);
                let ranks: Vec<u32> = values.iter().map(|v| set.binary_search(v).unwrap() as u32).collect();
                prop_assert_eq!(got.rows, ranks);
                let sorted_only = sorted_only.expect("within the limit");
                prop_assert_eq!(sorted_only.sorted, set);
                prop_assert!(sorted_only.rows.is_empty());
            }
        }
    }

    #[test]
    fn a_long_column_whose_first_values_are_all_distinct_is_not_counted_to_the_end() {
        let n = 3 * DISTINCT_SAMPLE;
        let unique: Vec<i128> = (0..n as i128).map(|i| i * 1_000_003).collect();
        assert!(distinct_up_to(&unique, n / 2).is_none());
        let repeating: Vec<i128> = (0..n as i128).map(|i| (i % 700) * 1_000_003).collect();
        assert_eq!(distinct_up_to(&repeating, n / 2).map(|d| d.sorted.len()), Some(700));
        // The price of judging by the first values: a column that repeats them later
        // has 4,096 distinct values, within the limit, yet is given up.
        let late_repeats: Vec<i128> = (0..n as i128).map(|i| (i % DISTINCT_SAMPLE as i128) * 1_000_003).collect();
        assert!(distinct_up_to(&late_repeats, n / 2).is_none());
        assert!(distinct_up_to(&late_repeats[..DISTINCT_SAMPLE], DISTINCT_SAMPLE).is_some());
    }
}
