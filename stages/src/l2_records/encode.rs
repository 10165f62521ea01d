//! Records to columns: the encoding half of the record layer.

use crate::fast_hash::{FastBuild, FastMap};

use super::columns::{self, Transform};
use super::int::{Int, Zig};
use super::layout::{ColumnKind, ColumnSpec, RecordSpec};
use super::method::{Dict, Method};
use super::{plane_kind_of, plane_streams, text, Streams, MAX_PLANE_STREAMS};
use crate::block::StreamKind;
use crate::cobol::{Charset, Column};
use crate::entropy_estimate as entropy;
use crate::varint;

/// Earlier numeric columns tried as the key, and as the addend, of a relation.
const RELATION_CANDIDATES: usize = 4;

/// Records whose numeric bytes are counted for the estimate of what they cost as
/// bytes.
const COUNT_SAMPLE: usize = 8192;

/// Records on which a numeric column's transforms are compared.
const TRANSFORM_SAMPLE: usize = 4096;
/// Relations tried per block, all columns together: each costs a pass with a hash
/// map over the column, and a copybook may have hundreds of numeric fields.
const RELATION_BUDGET: usize = 64;

/// What [`split`] made of a block, before it becomes streams.
pub struct Split {
    pub streams: Streams,
    /// Bytes of the numeric fields kept byte for byte (not canonical).
    pub exception_bytes: usize,
    /// Bytes of the numeric fields.
    pub numeric_len: usize,
    /// Order-0 estimate of the numeric columns' planes, in bytes.
    pub numeric_cost: f64,
    /// The kind each stream of `streams.numbers` goes out as.
    pub number_kinds: Vec<StreamKind>,
    /// Each column's method.
    #[cfg_attr(not(test), allow(dead_code))]
    pub methods: Vec<Method>,
}

/// Bytes needed for indexes below `entries`.
fn index_width(entries: usize) -> u8 {
    columns::width(&[entries.saturating_sub(1) as u64]) as u8
}

/// Ranges of values short enough to count in an array whatever the column's length.
const DENSE_RANGE: usize = 1 << 12;

/// A column's distinct values, sorted, and each row's index among them.
struct Distinct<V> {
    sorted: Vec<V>,
    rows: Vec<u32>,
}

/// The distinct values of `values`, or `None` when there are more than `limit` (or,
/// for a long column, when its first values are too varied for it to stay under).
fn distinct_up_to<V: Int>(values: &[V], limit: usize) -> Option<Distinct<V>> {
    distinct_of(values, limit, true)
}

/// [`distinct_up_to`] without the rows' ranks (`rows` left empty), for a cost that
/// needs only the dictionary.
fn distinct_sorted_up_to<V: Int>(values: &[V], limit: usize) -> Option<Distinct<V>> {
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

/// Significant bits of `values` coded as indexes into `distinct`'s sorted values,
/// the dictionary stored as deltas.
fn dictionary_cost<V: Int>(n: usize, distinct: &Distinct<V>) -> (u64, Vec<V::Zig>) {
    let entries = distinct.sorted.len();
    let dict_values = columns::forward(&distinct.sorted, Transform::Delta, &[]);
    let index_bits = u64::from(128 - (entries.saturating_sub(1) as u128).leading_zeros());
    (n as u64 * index_bits + columns::cost(&dict_values), dict_values)
}

/// The cheapest coding of a numeric column, its stored sequences, by significant
/// bits stored.
fn choose_number<V: Int>(
    c: usize,
    values: &[V],
    distinct: &[Option<Distinct<V>>],
    known: &[Vec<V>],
    keys: &[usize],
    budget: &mut usize,
) -> (Method, Vec<Vec<V::Zig>>) {
    // The relation's key by its values' indexes: an array instead of a hash map.
    let forward = |values: &[V], t: Transform| match t {
        Transform::Relation { key, add } => {
            let key_values = distinct[key].as_ref().expect("keys have few values");
            let add = add.map(|a| &known[a][..values.len()]);
            columns::forward_relation(values, &key_values.rows, key_values.sorted.len(), add)
        }
        t => columns::forward(values, t, known),
    };
    let n = values.len();
    let mut candidates = vec![Transform::Raw, Transform::Delta, Transform::DeltaOfDelta];
    let earlier: Vec<usize> = (0..c).rev().filter(|&i| !known[i].is_empty()).take(RELATION_CANDIDATES).collect();
    for &key in keys.iter().filter(|&&k| k < c).rev().take(RELATION_CANDIDATES) {
        let adds = std::iter::once(None).chain(earlier.iter().filter(|&&a| a != key).map(|&a| Some(a)));
        for add in adds {
            if *budget == 0 {
                break;
            }
            *budget -= 1;
            candidates.push(Transform::Relation { key, add });
        }
    }
    // Candidates are judged on the block's first records: each costs a pass, and
    // records of one block behave alike. (`forward` reads the other columns only at
    // the rows of the values it is given.)
    let sample = &values[..n.min(TRANSFORM_SAMPLE)];
    let plain = columns::plain_costs(sample);
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
            Transform::Relation { .. } => columns::cost(&forward(sample, t)),
        };
        if best.is_none_or(|b| cost < b.0) {
            best = Some((cost, t));
        }
    }
    let t = best.map_or(Transform::Raw, |b| b.1);
    let stored = forward(values, t);
    let best_cost = columns::cost(&stored);
    if let Some(distinct) = &distinct[c] {
        let (dict_cost, dict_values) = dictionary_cost(n, distinct);
        if dict_cost < best_cost {
            let entries = distinct.sorted.len();
            let width = index_width(entries);
            let value_width = columns::width(&dict_values) as u8;
            let indexes = distinct.rows.iter().map(|&r| V::Zig::from(r)).collect();
            return (Method::NumberDict { dict: Dict { entries, width }, value_width }, vec![indexes, dict_values]);
        }
    }
    let width = columns::width(&stored) as u8;
    (Method::Number { transform: t, width }, vec![stored])
}

/// How a text column's `n` values (`fields`, `len` bytes each) would be coded:
/// whether its digits go to the digits stream (when that at least halves the
/// distinct values), and how many distinct values are left (`usize::MAX` for
/// one-byte columns, which no dictionary helps).
fn text_plan<'a>(fields: impl Iterator<Item = &'a [u8]>, len: usize, n: usize, charset: Charset) -> (bool, usize) {
    if len < 2 {
        return (false, usize::MAX);
    }
    // Judged on the block's first records, as numeric columns are; the counts are
    // scaled to the whole column (an estimate: the decisions only compare them).
    let counted = text::distinct_values(fields.take(TRANSFORM_SAMPLE), charset);
    let scale = |count: usize| count * n / counted.values.max(1);
    if counted.digits && counted.skeletons * 2 <= counted.distinct {
        return (true, scale(counted.skeletons));
    }
    (false, scale(counted.distinct))
}

/// Runs of adjacent text columns whose values go together (a transaction code and
/// its description) become one column for this block when their joint values are
/// few enough for a dictionary and not many more than the columns have apart: one
/// index then says what two did. The block's layout records the merged columns.
fn merge_text_runs(spec: &RecordSpec, records: &[u8], n: usize) -> RecordSpec {
    let rl = spec.record_len;
    let mut columns = Vec::with_capacity(spec.columns.len());
    let (mut i, mut offset) = (0, 0);
    while i < spec.columns.len() {
        let run = spec.columns[i..].iter().take_while(|c| c.kind == ColumnKind::Text).count();
        if run < 2 {
            columns.push(spec.columns[i]);
            offset += spec.columns[i].len;
            i += 1;
            continue;
        }
        let part = &spec.columns[i..i + run];
        let width: usize = part.iter().map(|c| c.len).sum();
        let fields = |at: usize, len: usize| records.chunks_exact(rl).map(move |r| &r[at..at + len]);
        let (_, joint) = text_plan(fields(offset, width), width, n, spec.charset);
        let mut apart = 0usize;
        let mut at = offset;
        for c in part {
            apart = apart.saturating_add(text_plan(fields(at, c.len), c.len, n, spec.charset).1);
            at += c.len;
        }
        if joint.saturating_mul(4) <= n && joint <= apart.saturating_mul(2) {
            columns.push(ColumnSpec { len: width, kind: ColumnKind::Text });
        } else {
            columns.extend_from_slice(part);
        }
        offset += width;
        i += run;
    }
    RecordSpec { charset: spec.charset, record_len: rl, columns, lead: spec.lead }
}

/// Significant bits of the cheapest of raw, delta, delta of delta and a dictionary
/// for `values` (relations left out: this only compares ways to cut a column).
fn plain_cost<V: Int>(values: &[V]) -> u64 {
    let mut best = columns::plain_costs(values).into_iter().min().unwrap_or(0);
    if let Some(distinct) = distinct_sorted_up_to(values, values.len() / 2) {
        best = best.min(dictionary_cost(values.len(), &distinct).0);
    }
    best
}

/// Records on which the cuts of a zoned column are compared: a column of 18 digits
/// has 17 cuts, each judged by two passes.
const CUT_SAMPLE: usize = 2048;

/// Shortest unsigned zoned column worth trying to cut in two.
const SPLIT_MIN_DIGITS: usize = 6;

/// An unsigned zoned column that holds two numbers side by side (an account number
/// and a date, as a layout guessed from the bytes gives them) is cut in two for this
/// block when the two parts cost clearly less apart: each gets its own transform.
/// Both parts are unsigned zoned columns, so a field is valid whole exactly when both
/// parts are; the block's layout records the cut.
fn split_zoned(spec: &RecordSpec, records: &[u8], n: usize) -> RecordSpec {
    let rl = spec.record_len;
    let mut columns = Vec::with_capacity(spec.columns.len());
    let mut offset = 0;
    for col in &spec.columns {
        let unsigned = matches!(col.kind, ColumnKind::Zoned { signed: false, .. });
        if unsigned && col.len >= SPLIT_MIN_DIGITS && n > 0 {
            // Judged on the block's first records, as transforms are. Unsigned zoned
            // values have at most 18 digits (a longer field is kept as bytes): they
            // fit `i64`, which divides natively (a 128-bit division is a call to a
            // slow routine, and the cuts make two a value each).
            let sample = &records[..n.min(CUT_SAMPLE) * rl];
            let at = Column { record_len: rl, offset, len: col.len };
            let values = columns::read_column::<i64>(sample, at, col.kind, spec.charset, &mut Vec::new());
            if let Some(k) = values.and_then(|values| best_cut(&values, col.len)) {
                columns.push(ColumnSpec { len: k, kind: col.kind });
                columns.push(ColumnSpec { len: col.len - k, kind: col.kind });
                offset += col.len;
                continue;
            }
        }
        columns.push(*col);
        offset += col.len;
    }
    RecordSpec { charset: spec.charset, record_len: rl, columns, lead: spec.lead }
}

/// Where `values` (of `digits` digits) are best cut in two, by the digits left of
/// the cut, when the two parts cost clearly less apart than whole.
fn best_cut(values: &[i64], digits: usize) -> Option<usize> {
    let whole = plain_cost(values);
    let mut best: Option<(u64, usize)> = None;
    for k in 1..digits {
        let Some(p) = 10i64.checked_pow((digits - k) as u32) else { continue };
        let (high, low): (Vec<i64>, Vec<i64>) = values.iter().map(|&v| (v / p, v % p)).unzip();
        let cost = plain_cost(&high) + plain_cost(&low);
        if best.is_none_or(|b| cost < b.0) {
            best = Some((cost, k));
        }
    }
    best.filter(|b| b.0 < whole - whole / 8).map(|b| b.1)
}

/// The columns `data`'s records are best cut into (see [`merge_text_runs`] and
/// [`split_zoned`]): what the block's layout records.
pub fn block_columns(data: &[u8], spec: &RecordSpec) -> RecordSpec {
    let body = &data[spec.lead.min(data.len())..];
    let n = body.len() / spec.record_len;
    let records = &body[..n * spec.record_len];
    split_zoned(&merge_text_runs(spec, records, n), records, n)
}

/// Cuts `data` into the layer's streams. Never fails: any bytes have an encoding.
pub fn split(data: &[u8], spec: &RecordSpec) -> Split {
    split_columns(data, &block_columns(data, spec))
}

/// Cuts `data` into the layer's streams, one column per column of `spec`.
pub fn split_columns(data: &[u8], spec: &RecordSpec) -> Split {
    split_as::<i64>(data, spec).unwrap_or_else(|| split_as::<i128>(data, spec).expect("i128 holds every value"))
}

/// [`split_columns`] with the numbers worked in `V`; `None` when a value does not
/// fit it.
pub(super) fn split_as<V: Int>(data: &[u8], spec: &RecordSpec) -> Option<Split> {
    let rl = spec.record_len;
    let (lead, body) = data.split_at(spec.lead.min(data.len()));
    let n = body.len() / rl;
    let (records, tail) = body.split_at(n * rl);
    let starts: Vec<usize> = spec
        .columns
        .iter()
        .scan(0, |o, c| {
            let s = *o;
            *o += c.len;
            Some(s)
        })
        .collect();
    let column_bytes = |c: usize| {
        let (o, l) = (starts[c], spec.columns[c].len);
        records.chunks_exact(rl).map(move |r| &r[o..o + l])
    };

    // Numbers first: every numeric column's values, and the fields kept as bytes.
    let mut known: Vec<Vec<V>> = vec![Vec::new(); spec.columns.len()];
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let mut numeric_len = 0;
    let mut kept_rows = Vec::new();
    for (c, col) in spec.columns.iter().enumerate().filter(|(_, col)| col.kind.is_numeric()) {
        let at = Column { record_len: rl, offset: starts[c], len: col.len };
        known[c] = columns::read_column(records, at, col.kind, spec.charset, &mut kept_rows)?;
        kept.extend(kept_rows.drain(..).map(|r| (r, c)));
        numeric_len += n * col.len;
    }
    // Columns with at most half as many distinct values as records: they can key a
    // relation, and a dictionary may code them.
    let few_values: Vec<Option<Distinct<V>>> = known.iter().map(|values| distinct_up_to(values, n / 2)).collect();
    let keys: Vec<usize> =
        (0..spec.columns.len()).filter(|&c| !known[c].is_empty() && few_values[c].is_some()).collect();

    let mut layout = Vec::new();
    spec.write(&mut layout);
    let (mut text, mut digits) = (Vec::new(), Vec::new());
    // Each stored sequence's byte planes, with their histograms, made as soon as
    // the sequence is (one column's numbers in memory at a time, not all of them).
    let mut planes: Vec<(Vec<u8>, [u32; 256])> = Vec::new();
    let mut numeric_cost = 0.0;
    let mut methods = Vec::with_capacity(spec.columns.len());
    let mut budget = RELATION_BUDGET;
    for (c, col) in spec.columns.iter().enumerate() {
        let method = if col.kind == ColumnKind::Text {
            let (use_digits, entries) = text_plan(column_bytes(c), col.len, n, spec.charset);
            let gather = |to: &mut Vec<u8>, digits: &mut Vec<u8>| {
                text::gather(column_bytes(c), (n, col.len), spec.charset, use_digits, to, digits);
            };
            if entries.saturating_mul(4) <= n {
                let mut flat = Vec::new();
                gather(&mut flat, &mut digits);
                let before = text.len();
                let indexes: Vec<V::Zig> = text::dictionary(&flat, col.len, &mut text);
                let entries = (text.len() - before) / col.len;
                let width = index_width(entries);
                add_planes(&indexes, width, &mut planes);
                Method::Text { digits: use_digits, dict: Some(Dict { entries, width }) }
            } else {
                // Without a dictionary the values go to the text stream as they are.
                gather(&mut text, &mut digits);
                Method::Text { digits: use_digits, dict: None }
            }
        } else {
            let (method, stored) = choose_number(c, &known[c], &few_values, &known, &keys, &mut budget);
            for (s, (_, w)) in stored.into_iter().zip(method.sequences(n)) {
                numeric_cost += add_planes(&s, w, &mut planes);
            }
            method
        };
        method.write(&mut layout);
        methods.push(method);
    }

    let mut exceptions = Vec::new();
    varint::put(&mut exceptions, kept.len() as u64);
    kept.sort_unstable();
    let mut prev = 0;
    let mut exception_bytes = 0;
    for &(r, c) in &kept {
        varint::put(&mut exceptions, (r - prev) as u64);
        varint::put(&mut exceptions, c as u64);
        let len = spec.columns[c].len;
        exceptions.extend_from_slice(&records[r * rl + starts[c]..][..len]);
        exception_bytes += len;
        prev = r;
    }
    exceptions.extend_from_slice(lead);
    exceptions.extend_from_slice(tail);

    let mut numbers: Vec<Vec<u8>> = Vec::with_capacity(plane_streams(planes.len()));
    let mut number_counts: Vec<[u32; 256]> = Vec::with_capacity(plane_streams(planes.len()));
    for (j, (p, counts)) in planes.into_iter().enumerate() {
        match (numbers.last_mut(), number_counts.last_mut()) {
            (Some(last), Some(last_counts)) if j >= MAX_PLANE_STREAMS => {
                last.extend_from_slice(&p);
                last_counts.iter_mut().zip(counts).for_each(|(a, b)| *a += b);
            }
            _ => {
                numbers.push(p);
                number_counts.push(counts);
            }
        }
    }
    let number_kinds = numbers.iter().zip(&number_counts).map(|(p, c)| plane_kind_of(c, p.len())).collect();
    Some(Split {
        streams: Streams { layout, text, digits, numbers, exceptions },
        exception_bytes,
        numeric_len,
        numeric_cost,
        number_kinds,
        methods,
    })
}

/// Appends the `width` byte planes of `stored`, each with its histogram, to
/// `planes`; returns their order-0 estimate in bytes.
fn add_planes<Z: Zig>(stored: &[Z], width: u8, planes: &mut Vec<(Vec<u8>, [u32; 256])>) -> f64 {
    let mut estimate = 0.0;
    for p in columns::to_planes(stored, usize::from(width)) {
        let counts = entropy::histogram(&p);
        estimate += entropy::bits_per_byte_of(&counts, p.len()) * p.len() as f64 / 8.0;
        planes.push((p, counts));
    }
    estimate
}

/// Order-0 estimate of what `data` costs, in bytes.
fn cost(data: &[u8]) -> f64 {
    entropy::bits_per_byte(data) * data.len() as f64 / 8.0
}

/// Order-0 estimate of what the numeric fields of `data`'s records (cut by `spec`)
/// cost as bytes, in bytes: what a split of them is judged against
/// ([`Split::pays`]). Only the first records are counted: the entropy of the bytes
/// is an estimate either way, and a block's records behave alike.
pub fn numeric_bytes_cost(data: &[u8], spec: &RecordSpec) -> f64 {
    let rl = spec.record_len;
    let body = &data[spec.lead.min(data.len())..];
    let n = body.len() / rl;
    // Four tables by a byte's place in its field: the zeros that fill a field's high
    // bytes would otherwise wait on each other's counts.
    let mut counts = [[0u32; 256]; 4];
    let (mut numeric_len, mut offset) = (0, 0);
    for col in &spec.columns {
        if col.kind.is_numeric() {
            for record in body.chunks_exact(rl).take(COUNT_SAMPLE) {
                let field = &record[offset..offset + col.len];
                field.iter().zip(0..).for_each(|(&b, j)| counts[j & 3][usize::from(b)] += 1);
            }
            numeric_len += n * col.len;
        }
        offset += col.len;
    }
    let counts: [u32; 256] = std::array::from_fn(|b| counts.iter().map(|t| t[b]).sum());
    let counted = counts.iter().map(|&c| c as usize).sum();
    entropy::bits_per_byte_of(&counts, counted) * numeric_len as f64 / 8.0
}

impl Split {
    /// Whether the numeric columns look cheaper than their bytes (whose estimate is
    /// `bytes_cost`, see [`numeric_bytes_cost`]), by order-0 estimates of both, and
    /// few of their fields had to be kept as bytes. Text columns are not judged: their
    /// bytes stay bytes, only their order changes.
    pub fn pays(&self, bytes_cost: f64) -> bool {
        if self.numeric_len == 0 {
            return true;
        }
        if self.exception_bytes * 4 > self.numeric_len {
            return false;
        }
        self.numeric_cost + cost(&self.streams.exceptions) < bytes_cost
    }

    /// Whether the numeric columns look at least [`CLEAR_GAIN`] times cheaper than
    /// their bytes (see [`Split::pays`]).
    pub fn clearly_pays(&self, bytes_cost: f64) -> bool {
        self.numeric_len > 0
            && self.exception_bytes * 4 <= self.numeric_len
            && (self.numeric_cost + cost(&self.streams.exceptions)) * CLEAR_GAIN <= bytes_cost
    }
}

/// How many times cheaper than their bytes the numeric columns must look for
/// [`Split::clearly_pays`].
const CLEAR_GAIN: f64 = 3.0;

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
