//! L2 records on any bytes with any small layout: the columns it makes decode to the
//! same bytes, and a damaged column is an error or some bytes, never a panic.
#![no_main]

use cobolp_stages::cobol::{ByteOrder, Charset, SignPosition};
use cobolp_stages::l2_records::{join, split, ColumnKind, ColumnSpec, RecordSpec};
use libfuzzer_sys::fuzz_target;

fn kind(b: u8) -> ColumnKind {
    let signed = b & 0x10 != 0;
    let sign =
        [SignPosition::Trailing, SignPosition::Leading, SignPosition::TrailingSeparate, SignPosition::LeadingSeparate]
            [usize::from(b >> 5 & 3)];
    match b & 3 {
        0 => ColumnKind::Text,
        1 => ColumnKind::Zoned { signed, sign },
        2 => ColumnKind::Packed { signed },
        _ => ColumnKind::Binary { signed, order: if b & 0x80 != 0 { ByteOrder::Little } else { ByteOrder::Big } },
    }
}

fuzz_target!(|input: &[u8]| {
    // Header: column count, then (kind, length) per column, then charset and lead,
    // then a damage position.
    let Some((&count, rest)) = input.split_first() else { return };
    let count = usize::from(count % 6) + 1;
    if rest.len() < 2 * count + 3 {
        return;
    }
    let (head, rest) = rest.split_at(2 * count);
    let columns: Vec<ColumnSpec> = head
        .chunks_exact(2)
        .map(|p| {
            let kind = kind(p[0]);
            let len = usize::from(p[1] % 20) + 1;
            let len = match kind {
                ColumnKind::Binary { .. } => len.min(8),
                ColumnKind::Packed { .. } => len.min(16),
                ColumnKind::Zoned { .. } => len.clamp(2, 18),
                ColumnKind::Text => len,
            };
            ColumnSpec { len, kind }
        })
        .collect();
    let charset = if rest[0] & 1 == 0 { Charset::Ascii } else { Charset::Ebcdic };
    let damage = usize::from(u16::from_le_bytes([rest[1], rest[2]]));
    let data = &rest[3..];
    let record_len = columns.iter().map(|c| c.len).sum::<usize>();
    // Bytes before the first record: a lead below the record length.
    let lead = (usize::from(rest[0] >> 1) % record_len).min(data.len());
    let spec = RecordSpec { charset, record_len, columns, lead };
    let mut streams = split(data, &spec);
    assert_eq!(join(&streams, data.len()).expect("own streams decode"), data);
    let targets =
        [&mut streams.layout, &mut streams.text, &mut streams.digits, &mut streams.columns, &mut streams.exceptions];
    let stream = targets.into_iter().nth(damage % 5).expect("five");
    if !stream.is_empty() {
        let at = damage % stream.len();
        stream[at] ^= 0x5A;
        if let Ok(out) = join(&streams, data.len()) {
            assert_eq!(out.len(), data.len());
        }
    }
});
