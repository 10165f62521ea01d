//! Columns back to records: the decoding half of the record layer (layout version 3,
//! whose integer columns come back from L3 and L4 as typed columns).

use super::columns;
use super::layout::RecordSpec;
use super::method::TextMethod;
use super::{text, Streams};
use crate::error::{Error, Result};
use crate::typed_columns::{ColumnRole, Int, IntColumns};
use crate::varint;

/// Rebuilds the `original_len` bytes of a block from its streams. Every length is
/// checked against the layout before it is used; bad streams are an error.
pub fn join(streams: &Streams, original_len: usize) -> Result<Vec<u8>> {
    let mut pos = 0;
    let (version, spec) = RecordSpec::read_versioned(&streams.layout, &mut pos)?;
    if version < 3 {
        return Err(Error::corrupt("record layout", format!("version {version} with an int-columns stream")));
    }
    let n = spec.whole_records(original_len)?;
    let text_methods = spec
        .columns
        .iter()
        .enumerate()
        .filter(|(_, col)| !col.kind.is_numeric())
        .map(|(c, _)| TextMethod::read(&streams.layout, &mut pos, c, n))
        .collect::<Result<Vec<_>>>()?;
    if pos != streams.layout.len() {
        return Err(Error::corrupt("record layout", format!("{} bytes after the end", streams.layout.len() - pos)));
    }
    let max = crate::typed_columns::max_values(original_len);
    match IntColumns::<i64>::from_stream_as(&streams.columns, max)? {
        Some(narrow) => join_columns(streams, original_len, spec, n, text_methods, narrow),
        None => {
            join_columns(streams, original_len, spec, n, text_methods, IntColumns::from_stream(&streams.columns, max)?)
        }
    }
}

/// [`join`] once the layout (of `n` whole records) is read, with the integer columns
/// in `V`.
fn join_columns<V: Int>(
    streams: &Streams,
    original_len: usize,
    spec: RecordSpec,
    n: usize,
    text_methods: Vec<TextMethod>,
    int_columns: IntColumns<V>,
) -> Result<Vec<u8>> {
    let (rl, lead_len) = (spec.record_len, spec.lead);
    let expected = spec.columns.iter().filter(|c| c.kind.is_numeric()).count()
        + text_methods.iter().filter(|m| m.entries.is_some()).count();
    if int_columns.columns.len() != expected {
        return Err(Error::corrupt(
            "record int columns",
            format!("{} columns where the layout has {expected}", int_columns.columns.len()),
        ));
    }
    let mut int_columns = int_columns.columns.into_iter();
    let mut next_column = |c: usize, role: ColumnRole| -> Result<Vec<V>> {
        let column = int_columns.next().unwrap_or_else(|| unreachable!("counted above"));
        if column.role != role || column.values.len() != n {
            return Err(Error::corrupt(
                "record int columns",
                format!(
                    "column {c}: {} {:?} values where {n} {role:?} values belong",
                    column.values.len(),
                    column.role
                ),
            ));
        }
        Ok(column.values)
    };

    let mut out = vec![0u8; original_len];
    let (lead, body) = out.split_at_mut(lead_len);
    let (records, tail) = body.split_at_mut(n * rl);
    let (mut offset, mut text_at, mut digits_at) = (0, 0, 0);
    let mut text_methods = text_methods.into_iter();
    for (c, col) in spec.columns.iter().enumerate() {
        if col.kind.is_numeric() {
            let values = next_column(c, ColumnRole::Number)?;
            let at = crate::cobol::Column { record_len: rl, offset, len: col.len };
            columns::write_column(records, at, col.kind, spec.charset, &values)
                .map_err(|e| Error::corrupt("record numbers", format!("column {c}: {e}")))?;
            offset += col.len;
            continue;
        }
        let method = text_methods.next().unwrap_or_else(|| unreachable!("one a text column"));
        let rows = method.entries.unwrap_or(n);
        let take = rows * col.len;
        let mut values = streams
            .text
            .get(text_at..text_at + take)
            .ok_or_else(|| Error::Truncated { what: "record text", needed: text_at + take - streams.text.len() })?
            .to_vec();
        text_at += take;
        if let Some(entries) = method.entries {
            let indexes = next_column(c, ColumnRole::Index)?;
            let mut expanded = Vec::with_capacity(n * col.len);
            for &i in &indexes {
                let i = usize::try_from(Into::<i128>::into(i)).ok().filter(|&i| i < entries).ok_or_else(|| {
                    Error::corrupt("record int columns", format!("column {c}: index past the dictionary"))
                })?;
                expanded.extend_from_slice(&values[i * col.len..][..col.len]);
            }
            values = expanded;
        }
        if method.digits {
            text::put_digits(&mut values, spec.charset, &streams.digits, &mut digits_at)?;
        }
        for (f, v) in
            records.chunks_exact_mut(rl).map(|r| &mut r[offset..offset + col.len]).zip(values.chunks_exact(col.len))
        {
            f.copy_from_slice(v);
        }
        offset += col.len;
    }
    if text_at != streams.text.len() {
        return Err(Error::corrupt("record text", format!("{} bytes left over", streams.text.len() - text_at)));
    }
    if digits_at != streams.digits.len() {
        return Err(Error::corrupt("record digits", format!("{} bytes left over", streams.digits.len() - digits_at)));
    }
    put_exceptions(&spec, records, &streams.exceptions, lead, tail)?;
    Ok(out)
}

/// Writes the fields kept as bytes over the `records` the columns gave, and the lead
/// and the partial record after them (the `record-exceptions` stream `ex`).
pub(super) fn put_exceptions(
    spec: &RecordSpec,
    records: &mut [u8],
    ex: &[u8],
    lead: &mut [u8],
    tail: &mut [u8],
) -> Result<()> {
    let rl = spec.record_len;
    let n = records.len() / rl;
    let mut pos = 0;
    let numeric = spec.columns.iter().filter(|c| c.kind.is_numeric()).count();
    let count = varint::get_capped(ex, &mut pos, (n * numeric) as u64, "record exception count")? as usize;
    let starts: Vec<usize> = spec
        .columns
        .iter()
        .scan(0, |o, c| {
            let start = *o;
            *o += c.len;
            Some(start)
        })
        .collect();
    let mut record = 0usize;
    let mut last: Option<(usize, usize)> = None;
    for _ in 0..count {
        let gap = varint::get_capped(ex, &mut pos, n as u64, "record exception gap")? as usize;
        record = record
            .checked_add(gap)
            .filter(|&r| r < n)
            .ok_or_else(|| Error::corrupt("record exceptions", format!("exception past record {n}")))?;
        let c = varint::get_capped(ex, &mut pos, spec.columns.len() as u64, "record exception column")? as usize;
        let col = spec
            .columns
            .get(c)
            .filter(|col| col.kind.is_numeric())
            .ok_or_else(|| Error::corrupt("record exceptions", format!("column {c} is not a numeric column")))?;
        if last.is_some_and(|l| l >= (record, c)) {
            return Err(Error::corrupt("record exceptions", "exceptions out of order"));
        }
        last = Some((record, c));
        let bytes = ex.get(pos..pos + col.len).ok_or(Error::Truncated { what: "record exception", needed: col.len })?;
        records[record * rl + starts[c]..][..col.len].copy_from_slice(bytes);
        pos += col.len;
    }
    let (lead_len, tail_len) = (lead.len(), tail.len());
    if ex.len() - pos != lead_len + tail_len {
        return Err(Error::corrupt(
            "record exceptions",
            format!("{} bytes left for a {lead_len}-byte lead and a {tail_len}-byte partial record", ex.len() - pos),
        ));
    }
    let (lead_bytes, tail_bytes) = ex[pos..].split_at(lead_len);
    lead.copy_from_slice(lead_bytes);
    tail.copy_from_slice(tail_bytes);
    Ok(())
}
