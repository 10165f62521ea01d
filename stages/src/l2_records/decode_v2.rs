//! Columns back to records for layout versions 1 and 2, whose numbers the record
//! layer coded itself (methods in the layout, byte planes as streams of their own).

use super::columns;
use super::layout::{ColumnKind, RecordSpec};
use super::method::Method;
use super::text;
use crate::error::{Error, Result};
use crate::l3_delta::transform;
use crate::l4_binary::planes;

/// Most plane streams of a version 1 or 2 block; planes past the last one share it.
const MAX_PLANE_STREAMS: usize = 40;

/// The streams of a version 1 or 2 block, by role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaneStreams {
    /// The `record-layout` stream.
    pub layout: Vec<u8>,
    /// The text columns.
    pub text: Vec<u8>,
    /// Digits taken out of text columns.
    pub digits: Vec<u8>,
    /// The plane streams of the numeric columns.
    pub numbers: Vec<Vec<u8>>,
    /// The `record-exceptions` stream.
    pub exceptions: Vec<u8>,
}

/// Rebuilds the `original_len` bytes of a block from its streams. Every length is
/// checked against the layout before it is used; bad streams are an error.
pub fn join(streams: &PlaneStreams, original_len: usize) -> Result<Vec<u8>> {
    let mut pos = 0;
    let spec = RecordSpec::read(&streams.layout, &mut pos)?;
    let (rl, lead_len) = (spec.record_len, spec.lead);
    let n = spec.whole_records(original_len)?;
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
    if streams.numbers.len() != plane_lens.len().min(MAX_PLANE_STREAMS) {
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
        planes::from_planes(&p, len)
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
                known[c] = transform::inverse(&stored, transform, &known);
            }
            Method::NumberDict { dict, value_width } => {
                let indexes = next_sequence(n, dict.width);
                let entries =
                    transform::inverse(&next_sequence(dict.entries, value_width), transform::Transform::Delta, &[]);
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

    super::decode::put_exceptions(&spec, records, &streams.exceptions, lead, tail)?;
    Ok(out)
}

fn fields_of(records: &mut [u8], rl: usize, offset: usize, len: usize) -> impl Iterator<Item = &mut [u8]> {
    records.chunks_exact_mut(rl).map(move |r| &mut r[offset..offset + len])
}
