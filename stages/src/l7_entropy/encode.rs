//! Huffman encoding: plan the code from the histograms, which fixes the exact
//! coded size before a single bit is written, then write the four sub-streams.

use super::bits::{BitWriter, SYMBOLS_PER_FLUSH};
use super::coded_table::{coded_table, write_coded_lengths, CodedTable};
use super::histogram::{histograms, segments, SEGMENTS};
use super::lengths::{lengths_size, limited_lengths, reversed_codes, write_lengths};
use crate::varint;

/// A Huffman code for one input, and what it will cost.
pub(super) struct Plan {
    lens: [u8; 256],
    /// Bytes of each sub-stream.
    seg_bytes: [usize; SEGMENTS],
    /// Bytes of the whole Huffman body: table, sizes and sub-streams.
    pub(super) body_size: usize,
    /// Distinct byte values in the input.
    pub(super) distinct: usize,
    /// The table coded (method 3), where that is smaller than packed (method 2).
    pub(super) coded_table: Option<CodedTable>,
}

/// Below this many bytes a stream is counted once, and its sub-streams' sizes are
/// summed from the code afterwards: clearing a table of counts for each sub-stream
/// costs more than a second look at a short stream (a message of a `Framed` service
/// codes half a dozen of them).
const SMALL_STREAM: usize = 4096;

/// Counts `data` and builds its length-limited code. With fewer than two distinct
/// values there is no code to build, which `distinct` tells the caller.
pub(super) fn plan(data: &[u8]) -> Plan {
    if data.len() < SMALL_STREAM {
        let mut total = [0u64; 256];
        for &b in data {
            total[usize::from(b)] += 1;
        }
        let lens = limited_lengths(&total);
        let mut seg_bytes = [0; SEGMENTS];
        for (bytes, segment) in seg_bytes.iter_mut().zip(segments(data)) {
            let bits: u64 = segment.iter().map(|&b| u64::from(lens[usize::from(b)])).sum();
            *bytes = bits.div_ceil(8) as usize;
        }
        return plan_of(&total, lens, seg_bytes);
    }
    plan_of_segments(&histograms(data))
}

/// [`plan`], from each segment's histogram.
pub(super) fn plan_of_segments(hist: &[[u64; 256]; SEGMENTS]) -> Plan {
    let mut total = [0u64; 256];
    for h in hist {
        for (t, &c) in total.iter_mut().zip(h) {
            *t += c;
        }
    }
    let lens = limited_lengths(&total);
    let mut seg_bytes = [0; SEGMENTS];
    for (bytes, h) in seg_bytes.iter_mut().zip(hist) {
        let bits: u64 = h.iter().zip(&lens).map(|(&c, &l)| c * u64::from(l)).sum();
        *bytes = bits.div_ceil(8) as usize;
    }
    plan_of(&total, lens, seg_bytes)
}

fn plan_of(total: &[u64; 256], lens: [u8; 256], seg_bytes: [usize; SEGMENTS]) -> Plan {
    let distinct = total.iter().filter(|&&c| c > 0).count();
    let packed = lengths_size(&lens);
    let coded = coded_table(&lens).filter(|coded| coded.size < packed);
    let body_size = coded.as_ref().map_or(packed, |coded| coded.size)
        + seg_bytes[..SEGMENTS - 1].iter().map(|&b| varint::len(b as u64)).sum::<usize>()
        + seg_bytes.iter().sum::<usize>();
    Plan { lens, seg_bytes, body_size, distinct, coded_table: coded }
}

/// Appends the Huffman body for `data`, exactly `plan.body_size` bytes.
pub(super) fn write_body(data: &[u8], plan: &Plan, out: &mut Vec<u8>) {
    let start = out.len();
    if let Some(table) = &plan.coded_table {
        write_coded_lengths(&plan.lens, table, out);
    } else {
        write_lengths(&plan.lens, out);
    }
    for &b in &plan.seg_bytes[..SEGMENTS - 1] {
        varint::put(out, b as u64);
    }
    let codes = reversed_codes(&plan.lens);
    // Code in the low 16 bits, length above: one load per symbol.
    let mut table = [0u32; 256];
    for ((t, &c), &l) in table.iter_mut().zip(&codes).zip(&plan.lens) {
        *t = u32::from(c) | (u32::from(l) << 16);
    }

    let mut at = out.len();
    let end = start + plan.body_size;
    // The writers store whole words; 8 spare bytes keep the last ones in bounds.
    out.resize(end + 8, 0);
    // In order, so that the spare bytes one sub-stream stores past its end are
    // overwritten by the next.
    for (seg, &bytes) in segments(data).into_iter().zip(&plan.seg_bytes) {
        let written = write_segment(seg, &table, &mut out[at..]);
        debug_assert_eq!(written, bytes);
        at += bytes;
    }
    out.truncate(end);
}

fn write_segment(symbols: &[u8], table: &[u32; 256], dst: &mut [u8]) -> usize {
    let mut w = BitWriter::new(dst);
    let mut chunks = symbols.chunks_exact(SYMBOLS_PER_FLUSH);
    for chunk in &mut chunks {
        for &s in chunk {
            let e = table[usize::from(s)];
            w.put(u64::from(e & 0xffff), e >> 16);
        }
        w.flush();
    }
    for &s in chunks.remainder() {
        let e = table[usize::from(s)];
        w.put(u64::from(e & 0xffff), e >> 16);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_size_is_exact() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * i % 251 % 17) as u8).collect();
        let plan = plan(&data);
        let mut out = vec![9, 9];
        write_body(&data, &plan, &mut out);
        assert_eq!(out.len(), 2 + plan.body_size);
    }

    proptest::proptest! {
        /// Counted once (short streams) or a table a sub-stream (long ones), each
        /// sub-stream's planned size is the sum of its symbols' code lengths, and the
        /// body written is the size planned.
        #[test]
        fn sub_stream_sizes_are_their_codes_lengths(
            len in 0usize..3 * SMALL_STREAM,
            alphabet in 2u32..256,
            seed in proptest::prelude::any::<u32>(),
        ) {
            let data: Vec<u8> =
                (0..len as u32).map(|i| (i.wrapping_mul(seed | 1).rotate_left(i % 7) % alphabet) as u8).collect();
            let plan = plan(&data);
            proptest::prop_assume!(plan.distinct >= 2);
            for (&bytes, segment) in plan.seg_bytes.iter().zip(segments(&data)) {
                let bits: u64 = segment.iter().map(|&b| u64::from(plan.lens[usize::from(b)])).sum();
                proptest::prop_assert_eq!(bytes as u64, bits.div_ceil(8));
            }
            let mut out = Vec::new();
            write_body(&data, &plan, &mut out);
            proptest::prop_assert_eq!(out.len(), plan.body_size);
        }
    }
}
