//! Columns back to records: the decoding half of the record layer.

use super::columns;
use super::layout::{ColumnKind, RecordSpec};
use super::method::Method;
use super::{plane_streams, text, Streams, MAX_PLANE_STREAMS};
use crate::error::{Error, Result};
use crate::varint;

/// Rebuilds the `original_len` bytes of a block from its streams. Every length is
/// checked against the layout before it is used; bad streams are an error.
pub fn join(streams: &Streams, original_len: usize) -> Result<Vec<u8>> {
    let mut pos = 0;
    let spec = RecordSpec::read(&streams.layout, &mut pos)?;
    let rl = spec.record_len;
    let lead_len = spec.lead;
    let body_len = original_len.checked_sub(lead_len).ok_or_else(|| {
        Error::corrupt("record layout", format!("a {lead_len}-byte lead in a {original_len}-byte block"))
    })?;
    let n = body_len / rl;
    let tail_len = body_len % rl;
    let methods = (0..spec.columns.len())
        .map(|c| Method::read(&streams.layout, &mut pos, &spec, c, n))
        .collect::<Result<Vec<_>>>()?;
    if pos != streams.layout.len() {
        return Err(Error::corrupt("record layout", format!("{} bytes after the end", streams.layout.len() - pos)));
    }

    // Where each plane is: (stream, offset, length), checked against the streams.
    let mut plane_lens = Vec::new();
    for m in &methods {
        for (len, w) in m.sequences(n) {
            plane_lens.extend(std::iter::repeat_n(len, usize::from(w)));
        }
    }
    if streams.numbers.len() != plane_streams(plane_lens.len()) {
        return Err(Error::corrupt(
            "record numbers",
            format!("{} streams for {} planes", streams.numbers.len(), plane_lens.len()),
        ));
    }
    let mut planes: Vec<&[u8]> = Vec::with_capacity(plane_lens.len());
    let mut at = 0;
    for (j, &len) in plane_lens.iter().enumerate() {
        let s = j.min(MAX_PLANE_STREAMS - 1);
        if j < MAX_PLANE_STREAMS {
            at = 0;
        }
        let plane = streams.numbers[s]
            .get(at..at + len)
            .ok_or_else(|| Error::corrupt("record numbers", format!("stream {s} is too short")))?;
        planes.push(plane);
        at += len;
        let last_of_stream = j + 1 == plane_lens.len() || j + 1 < MAX_PLANE_STREAMS;
        if last_of_stream && at != streams.numbers[s].len() {
            return Err(Error::corrupt("record numbers", format!("stream {s} has bytes left over")));
        }
    }
    let mut planes = planes.into_iter();
    let mut next_sequence = |len: usize, width: u8| -> Vec<u128> {
        let p: Vec<&[u8]> = planes.by_ref().take(usize::from(width)).collect();
        columns::from_planes(&p, len)
    };

    let mut out = vec![0u8; original_len];
    let (lead, body) = out.split_at_mut(lead_len);
    let (records, tail) = body.split_at_mut(n * rl);
    let (mut offset, mut text_at, mut digits_at) = (0, 0, 0);
    let mut known: Vec<Vec<i128>> = vec![Vec::new(); spec.columns.len()];
    for (c, (col, method)) in spec.columns.iter().zip(&methods).enumerate() {
        match *method {
            Method::Text { digits, dict } => {
                let rows = dict.map_or(n, |d| d.entries);
                let take = rows * col.len;
                let mut values = streams
                    .text
                    .get(text_at..text_at + take)
                    .ok_or_else(|| Error::Truncated {
                        what: "record text",
                        needed: text_at + take - streams.text.len(),
                    })?
                    .to_vec();
                text_at += take;
                if let Some(d) = dict {
                    let indexes = next_sequence(n, d.width);
                    let mut expanded = Vec::with_capacity(n * col.len);
                    for &i in &indexes {
                        let i = usize::try_from(i).ok().filter(|&i| i < d.entries).ok_or_else(|| {
                            Error::corrupt("record numbers", format!("column {c}: index past the dictionary"))
                        })?;
                        expanded.extend_from_slice(&values[i * col.len..][..col.len]);
                    }
                    values = expanded;
                }
                if digits {
                    text::put_digits(&mut values, spec.charset, &streams.digits, &mut digits_at)?;
                }
                for (f, v) in fields_of(records, rl, offset, col.len).zip(values.chunks_exact(col.len)) {
                    f.copy_from_slice(v);
                }
            }
            Method::Number { transform, width } => {
                let stored = next_sequence(n, width);
                known[c] = columns::inverse(&stored, transform, &known);
            }
            Method::NumberDict { dict, value_width } => {
                let indexes = next_sequence(n, dict.width);
                let entries =
                    columns::inverse(&next_sequence(dict.entries, value_width), columns::Transform::Delta, &[]);
                known[c] = indexes
                    .iter()
                    .map(|&i| usize::try_from(i).ok().and_then(|i| entries.get(i)).copied())
                    .collect::<Option<Vec<i128>>>()
                    .ok_or_else(|| {
                        Error::corrupt("record numbers", format!("column {c}: index past the dictionary"))
                    })?;
            }
        }
        if col.kind != ColumnKind::Text {
            let at = crate::cobol::Column { record_len: rl, offset, len: col.len };
            columns::write_column(records, at, col.kind, spec.charset, &known[c])
                .map_err(|e| Error::corrupt("record numbers", format!("column {c}: {e}")))?;
        }
        offset += col.len;
    }
    if text_at != streams.text.len() {
        return Err(Error::corrupt("record text", format!("{} bytes left over", streams.text.len() - text_at)));
    }
    if digits_at != streams.digits.len() {
        return Err(Error::corrupt("record digits", format!("{} bytes left over", streams.digits.len() - digits_at)));
    }

    let ex = &streams.exceptions;
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
    if ex.len() - pos != lead_len + tail_len {
        return Err(Error::corrupt(
            "record exceptions",
            format!("{} bytes left for a {lead_len}-byte lead and a {tail_len}-byte partial record", ex.len() - pos),
        ));
    }
    let (lead_bytes, tail_bytes) = ex[pos..].split_at(lead_len);
    lead.copy_from_slice(lead_bytes);
    tail.copy_from_slice(tail_bytes);
    Ok(out)
}

fn fields_of(records: &mut [u8], rl: usize, offset: usize, len: usize) -> impl Iterator<Item = &mut [u8]> {
    records.chunks_exact_mut(rl).map(move |r| &mut r[offset..offset + len])
}
