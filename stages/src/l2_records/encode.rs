//! Records to columns: the encoding half of the record layer.

use super::columns;
use super::layout::{ColumnKind, ColumnSpec, RecordSpec};
use super::method::TextMethod;
use super::{text, Streams};
use crate::cobol::{Charset, Column};
use crate::entropy_estimate as entropy;
use crate::l3_delta::{code_columns, plain_cost};
use crate::typed_columns::{ColumnRole, Int, IntColumn, IntColumns};
use crate::varint;

/// Records whose numeric bytes are counted for the estimate of what they cost as
/// bytes.
const COUNT_SAMPLE: usize = 8192;

/// Records on which a text column's values are counted.
const TEXT_SAMPLE: usize = 4096;

/// What [`split`] made of a block, before it becomes streams.
pub struct Split {
    pub streams: Streams,
    /// Bytes of the numeric fields kept byte for byte (not canonical).
    pub exception_bytes: usize,
    /// Bytes of the numeric fields.
    pub numeric_len: usize,
    /// Each text column's method.
    #[cfg_attr(not(test), allow(dead_code))]
    pub text_methods: Vec<TextMethod>,
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
    let counted = text::distinct_values(fields.take(TEXT_SAMPLE), charset);
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

    let mut int_columns: IntColumns<V> = IntColumns::default();
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let mut kept_rows = Vec::new();
    let mut numeric_len = 0;
    let (mut text, mut digits) = (Vec::new(), Vec::new());
    let mut text_methods = Vec::new();
    for (c, col) in spec.columns.iter().enumerate() {
        if col.kind.is_numeric() {
            let at = Column { record_len: rl, offset: starts[c], len: col.len };
            let values = columns::read_column(records, at, col.kind, spec.charset, &mut kept_rows)?;
            kept.extend(kept_rows.drain(..).map(|r| (r, c)));
            numeric_len += n * col.len;
            int_columns.columns.push(IntColumn { role: ColumnRole::Number, values });
            continue;
        }
        let (use_digits, entries) = text_plan(column_bytes(c), col.len, n, spec.charset);
        let gather = |to: &mut Vec<u8>, digits: &mut Vec<u8>| {
            text::gather(column_bytes(c), (n, col.len), spec.charset, use_digits, to, digits);
        };
        let method = if entries.saturating_mul(4) <= n {
            let mut flat = Vec::new();
            gather(&mut flat, &mut digits);
            let before = text.len();
            let indexes: Vec<u32> = text::dictionary(&flat, col.len, &mut text);
            let values = indexes.into_iter().map(|i| V::from(i64::from(i))).collect();
            int_columns.columns.push(IntColumn { role: ColumnRole::Index, values });
            TextMethod { digits: use_digits, entries: Some((text.len() - before) / col.len) }
        } else {
            // Without a dictionary the values go to the text stream as they are.
            gather(&mut text, &mut digits);
            TextMethod { digits: use_digits, entries: None }
        };
        text_methods.push(method);
    }
    let mut layout = Vec::new();
    spec.write(&mut layout);
    text_methods.iter().for_each(|m| m.write(&mut layout));

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

    let columns = int_columns.to_stream();
    Some(Split {
        streams: Streams { layout, text, digits, columns, exceptions },
        exception_bytes,
        numeric_len,
        text_methods,
    })
}

/// Order-0 estimate of the numeric (not index) columns once L3 has coded them and
/// L4 cut them into planes, in bytes: what the split is judged by before it is tried.
fn numeric_estimate_of<V: Int>(columns: &IntColumns<V>) -> f64 {
    let coded = code_columns(columns);
    let numbers = coded.iter().filter(|c| c.role == ColumnRole::Number);
    numbers
        .flat_map(|c| &c.sequences)
        .map(|s| {
            crate::l4_binary::planes::to_planes(s, crate::l4_binary::planes::width(s))
                .iter()
                .map(|p| entropy::bits_per_byte(p) * p.len() as f64 / 8.0)
                .sum::<f64>()
        })
        .sum()
}

/// Order-0 estimate of what `data` costs, in bytes.
fn cost(data: &[u8]) -> f64 {
    entropy::bits_per_byte(data) * data.len() as f64 / 8.0
}

/// Order-0 estimate of what the numeric fields of `data`'s records (cut by `spec`)
/// cost as bytes, in bytes: what a split of them is judged against
/// ([`Split::judge`]). Only the first records are counted: the entropy of the bytes
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

/// What the order-0 estimates say of a split (see [`Split::judge`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The numbers look no cheaper than their bytes, or too many are kept as bytes.
    Loses,
    /// The numbers look cheaper than their bytes.
    Pays,
    /// The numbers look at least [`CLEAR_GAIN`] times cheaper than their bytes.
    ClearlyPays,
}

impl Split {
    /// Order-0 estimate of the numeric columns once L3 has coded them and L4 cut them
    /// into planes, in bytes (index columns left out: their text is not judged).
    pub fn numeric_estimate(&self) -> f64 {
        let columns = &self.streams.columns;
        match IntColumns::<i64>::from_stream_as(columns, usize::MAX) {
            Ok(Some(narrow)) => numeric_estimate_of(&narrow),
            _ => IntColumns::from_stream(columns, usize::MAX).map_or(f64::INFINITY, |c| numeric_estimate_of(&c)),
        }
    }

    /// Whether the numeric columns look cheaper than their bytes (whose estimate is
    /// `bytes_cost`, see [`numeric_bytes_cost`]), by order-0 estimates of both, and
    /// few of their fields had to be kept as bytes. Text columns are not judged: their
    /// bytes stay bytes, only their order changes.
    pub fn judge(&self, bytes_cost: f64) -> Verdict {
        if self.numeric_len == 0 {
            return Verdict::Pays;
        }
        if self.exception_bytes * 4 > self.numeric_len {
            return Verdict::Loses;
        }
        let numbers = self.numeric_estimate() + cost(&self.streams.exceptions);
        if numbers * CLEAR_GAIN <= bytes_cost {
            Verdict::ClearlyPays
        } else if numbers < bytes_cost {
            Verdict::Pays
        } else {
            Verdict::Loses
        }
    }
}

/// How many times cheaper than their bytes the numeric columns must look for
/// [`Verdict::ClearlyPays`].
const CLEAR_GAIN: f64 = 3.0;
