//! Method 4: Huffman codes chosen by the byte before each symbol.
//!
//! In a varint stream a byte after one with its high bit set is the next part of the
//! same number, and a byte after one without it starts a new number; in text a
//! letter follows a letter, a capital follows a space. One code per stream spends
//! the bits those facts would save: on the corpus's split streams after L6, the class
//! of the previous byte took the entropy of many literal streams 5-13% lower (a random
//! hex id, which no context predicts, loses nothing: such streams keep one code).
//!
//! ```text
//! body := map:4 bytes  coded_mask:u8  table{k}  sizes  substream0 .. substream3
//! ```
//!
//! The previous byte's class ([`class_of`], eight classes) picks one of `k` tables
//! (2 to 8): `map` holds the table of each class, a nibble each (class `2j` in the low
//! nibble of byte `j`), every nibble below 8, and every table up to the highest one
//! named is named at least once. Bit `i` of `coded_mask` says table `i` is written as
//! method 3 writes its table (coded), clear as method 2 does (packed); bits from `k`
//! up are zero. Sizes, segments, substreams and bit order are method 2's; within a
//! segment the first symbol is coded as if it followed a zero byte.

use super::bits::{BitReader, BitWriter, SYMBOLS_PER_FLUSH};
use super::coded_table::{coded_table, read_coded_lengths, write_coded_lengths, CodedTable};
use super::decode::{check_end, decode_segments, substream_readers, Table};
use super::histogram::{segments, SEGMENTS};
use super::lengths::{lengths_size, limited_lengths, read_lengths, reversed_codes, write_lengths};
use crate::error::{Error, Result};
use crate::varint;

/// Classes of the byte before a symbol.
pub(super) const CLASSES: usize = 8;

/// Tables at most: one per class.
const MAX_TABLES: usize = CLASSES;

/// The class of each byte value: controls but the newline, the newline, the space,
/// digits, lower case, upper case, other printable ASCII, and bytes with the high bit
/// set (a varint's continued bytes, UTF-8's).
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'\n' => 1,
            b' ' => 2,
            b'0'..=b'9' => 3,
            b'a'..=b'z' => 4,
            b'A'..=b'Z' => 5,
            0x21..=0x7f => 6,
            0x80..=0xff => 7,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// The class of `byte` (see [`CLASS`]).
#[inline(always)]
pub(super) fn class_of(byte: u8) -> usize {
    usize::from(CLASS[usize::from(byte)])
}

/// A context code for one input, and what it will cost.
pub(super) struct ContextPlan {
    /// The table of each class.
    map: [u8; CLASSES],
    /// Each table's code lengths.
    lens: Vec<[u8; 256]>,
    /// Each table coded, where that is smaller than packed.
    coded: Vec<Option<CodedTable>>,
    seg_bytes: [usize; SEGMENTS],
    /// Bytes of the whole body.
    pub(super) body_size: usize,
    /// Bytes a single code's body would take at least.
    pub(super) single_at_least: usize,
}

/// Symbols a class holds, by segment: what the plan is made of.
pub(super) type Counts = Vec<[[u32; 256]; CLASSES]>;

/// Each segment's histogram, whatever the classes: what a single code is planned from.
pub(super) fn segment_histograms(counts: &Counts) -> [[u64; 256]; SEGMENTS] {
    let mut hist = [[0u64; 256]; SEGMENTS];
    for (h, segment) in hist.iter_mut().zip(counts) {
        for class in segment {
            for (t, &c) in h.iter_mut().zip(class) {
                *t += u64::from(c);
            }
        }
    }
    hist
}

/// One or more classes sharing a table, while the plan merges them.
struct Cluster {
    classes: u8,
    counts: [u32; 256],
    /// The symbols' entropy, in bits.
    entropy: f64,
    /// Estimated bits: the entropy and the table's size.
    cost: f64,
}

impl Cluster {
    fn new(classes: u8, counts: [u32; 256]) -> Cluster {
        let (entropy, cost) = estimated_bits(&counts);
        Cluster { classes, counts, entropy, cost }
    }

    fn merged(&self, other: &Cluster) -> Cluster {
        let mut counts = self.counts;
        for (c, &o) in counts.iter_mut().zip(&other.counts) {
            *c += o;
        }
        Cluster::new(self.classes | other.classes, counts)
    }
}

/// A table with fewer than two symbols cannot be written (no zero-length codes): its
/// estimate makes any merge that ends it a gain.
const UNWRITABLE: f64 = 1e15;

/// The bits `counts` take coded with their own table: their entropy, and that plus
/// about what a coded table of the symbols up to the highest used one costs.
fn estimated_bits(counts: &[u32; 256]) -> (f64, f64) {
    // Every count alike, zeros too (0 × log 1), in eight lanes of `f32`: the loop
    // becomes vector code, where one with a branch per used symbol was a third of the
    // planning. A count of a block's stream fits an `f32` exactly.
    let mut lanes = [0f32; LANES];
    let (mut total, mut distinct) = (0u64, 0u32);
    for chunk in counts.chunks_exact(LANES) {
        for (lane, &c) in lanes.iter_mut().zip(chunk) {
            let x = c as f32;
            *lane += x * log2_approx(x.max(1.0));
        }
        total += chunk.iter().map(|&c| u64::from(c)).sum::<u64>();
        distinct += chunk.iter().map(|&c| u32::from(c > 0)).sum::<u32>();
    }
    let sum_c_log_c: f64 = lanes.iter().map(|&l| f64::from(l)).sum();
    let total = total as f64;
    let entropy = total * total.max(1.0).log2() - sum_c_log_c;
    if distinct < 2 {
        return (entropy, UNWRITABLE);
    }
    let highest = counts.iter().rposition(|&c| c > 0).unwrap_or(0);
    (entropy, entropy + 8.0 * (7.0 + (highest + 1) as f64 / 4.0))
}

const LANES: usize = 8;

/// The entropy of `counts` in bits, with exact logarithms.
fn exact_entropy_bits(counts: &[u32; 256]) -> f64 {
    let total: f64 = counts.iter().map(|&c| f64::from(c)).sum();
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) * (total / f64::from(c)).log2()).sum()
}

/// log2 of `x` >= 1 within about 0.01: the exponent, and a quadratic through the
/// mantissa. The estimates compare codes a few percent apart, and exact logarithms
/// were half the plan's time.
#[inline(always)]
fn log2_approx(x: f32) -> f32 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) - 1.0;
    exponent as f32 + m * (1.3465 - 0.3465 * m)
}

/// The context code of the data counted in `counts` ([`count`]), or `None` when one
/// table serves as well (a single class, or none worth a table of its own).
pub(super) fn plan(counts: &Counts) -> Option<ContextPlan> {
    let mut clusters: Vec<Cluster> = Vec::with_capacity(CLASSES);
    for class in 0..CLASSES {
        let mut total = [0u32; 256];
        for segment in counts {
            for (t, &c) in total.iter_mut().zip(&segment[class]) {
                *t += c;
            }
        }
        if total.iter().any(|&c| c > 0) {
            clusters.push(Cluster::new(1 << class, total));
        }
    }
    // No grouping of the classes saves more than all of them apart, tables aside:
    // where that is under a five-hundredth of the stream, the context is not worth its
    // tables, nor the time to group them (a random id, compressed bytes).
    let apart: f64 = clusters.iter().map(|c| c.entropy).sum();
    let together = clusters.iter().skip(1).fold(clusters.first()?.counts, |mut all, c| {
        for (a, &n) in all.iter_mut().zip(&c.counts) {
            *a += n;
        }
        all
    });
    let together_counts = together;
    let (together, _) = estimated_bits(&together_counts);
    if together - apart < together / 500.0 {
        return None;
    }
    // Bytes one code's body takes at least (its table aside): a context code smaller
    // than that needs no single code planned to be chosen. Worked out with exact
    // logarithms: the approximate ones may put the entropy a little above itself,
    // and a bound must not.
    let single_at_least = (exact_entropy_bits(&together_counts) / 8.0) as usize;
    // Greedy: join the two clusters whose union saves the most, while one does. Each
    // pair's union is worked out once; a join leaves the others' as they were.
    let mut joined: Vec<Vec<Option<Cluster>>> = (0..clusters.len())
        .map(|i| (0..clusters.len()).map(|j| (j > i).then(|| clusters[i].merged(&clusters[j]))).collect())
        .collect();
    let mut alive: Vec<bool> = vec![true; clusters.len()];
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for (i, row) in joined.iter().enumerate() {
            for (j, union) in row.iter().enumerate() {
                if let Some(union) = union.as_ref().filter(|_| alive[i] && alive[j]) {
                    let gain = clusters[i].cost + clusters[j].cost - union.cost;
                    if best.is_none_or(|b| gain > b.0) {
                        best = Some((gain, i, j));
                    }
                }
            }
        }
        let Some((_, i, j)) = best.filter(|b| b.0 > 0.0) else { break };
        clusters[i] = joined[i][j].take().expect("a live pair's union");
        alive[j] = false;
        for k in (0..clusters.len()).filter(|&k| k != i && alive[k]) {
            let (a, b) = (i.min(k), i.max(k));
            joined[a][b] = Some(clusters[a].merged(&clusters[b]));
        }
    }
    let mut clusters: Vec<Cluster> =
        clusters.into_iter().zip(alive).filter_map(|(c, alive)| alive.then_some(c)).collect();
    if clusters.len() < 2 || clusters.iter().any(|c| c.cost >= UNWRITABLE) {
        return None;
    }
    // Tables in order of their lowest class, so that the map names table 0 first.
    clusters.sort_by_key(|c| c.classes.trailing_zeros());
    let mut map = [0u8; CLASSES];
    for (table, cluster) in clusters.iter().enumerate() {
        for (class, m) in map.iter_mut().enumerate() {
            if cluster.classes & (1 << class) != 0 {
                *m = table as u8;
            }
        }
    }
    let lens: Vec<[u8; 256]> = clusters.iter().map(|c| limited_lengths(&c.counts.map(u64::from))).collect();
    let mut seg_bytes = [0; SEGMENTS];
    for (bytes, segment) in seg_bytes.iter_mut().zip(counts) {
        let mut bits = 0u64;
        for (class, symbols) in segment.iter().enumerate() {
            let table = &lens[usize::from(map[class])];
            bits += symbols.iter().zip(table).map(|(&c, &l)| u64::from(c) * u64::from(l)).sum::<u64>();
        }
        *bytes = bits.div_ceil(8) as usize;
    }
    let coded: Vec<Option<CodedTable>> =
        lens.iter().map(|l| coded_table(l).filter(|coded| coded.size < lengths_size(l))).collect();
    let tables: usize = lens.iter().zip(&coded).map(|(l, c)| c.as_ref().map_or(lengths_size(l), |c| c.size)).sum();
    let body_size = MAP_BYTES
        + 1
        + tables
        + seg_bytes[..SEGMENTS - 1].iter().map(|&b| varint::len(b as u64)).sum::<usize>()
        + seg_bytes.iter().sum::<usize>();
    Some(ContextPlan { map, lens, coded, seg_bytes, body_size, single_at_least })
}

const MAP_BYTES: usize = CLASSES / 2;

/// Each segment's symbols by the class of the byte before them. The four segments
/// are walked in step: each one's class is a load that waits on its last byte, and
/// four such chains overlap where one would wait alone.
pub(super) fn count(data: &[u8]) -> Counts {
    let mut counts: Counts = vec![[[0u32; 256]; CLASSES]; SEGMENTS];
    let [h0, h1, h2, h3] = &mut counts[..] else { unreachable!("four segments") };
    let [a, b, c, d] = segments(data);
    let mut classes = [0usize; SEGMENTS];
    let common = d.len();
    for (((&x0, &x1), &x2), &x3) in a.iter().zip(b).zip(c).zip(d) {
        h0[classes[0]][usize::from(x0)] += 1;
        h1[classes[1]][usize::from(x1)] += 1;
        h2[classes[2]][usize::from(x2)] += 1;
        h3[classes[3]][usize::from(x3)] += 1;
        classes = [class_of(x0), class_of(x1), class_of(x2), class_of(x3)];
    }
    for ((counts, segment), mut class) in [h0, h1, h2].into_iter().zip([a, b, c]).zip(classes) {
        for &x in &segment[common..] {
            counts[class][usize::from(x)] += 1;
            class = class_of(x);
        }
    }
    counts
}

/// Appends the body for `data`, exactly `plan.body_size` bytes.
pub(super) fn write_body(data: &[u8], plan: &ContextPlan, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend(plan.map.chunks(2).map(|pair| pair[0] | (pair[1] << 4)));
    let mask = plan.coded.iter().enumerate().fold(0u8, |m, (i, c)| m | (u8::from(c.is_some()) << i));
    out.push(mask);
    for (lens, coded) in plan.lens.iter().zip(&plan.coded) {
        match coded {
            Some(table) => write_coded_lengths(lens, table, out),
            None => write_lengths(lens, out),
        }
    }
    for &b in &plan.seg_bytes[..SEGMENTS - 1] {
        varint::put(out, b as u64);
    }
    // Each table's codes, code in the low 16 bits and length above, a table after
    // the other; `next[b]` is where the table for the symbol after `b` starts.
    let mut codes = vec![0u32; 256 * plan.lens.len()];
    for (table, lens) in codes.chunks_exact_mut(256).zip(&plan.lens) {
        for ((t, &c), &l) in table.iter_mut().zip(&reversed_codes(lens)).zip(lens) {
            *t = u32::from(c) | (u32::from(l) << 16);
        }
    }
    let next: [usize; 256] = std::array::from_fn(|b| 256 * usize::from(plan.map[class_of(b as u8)]));

    // The four segments are written in step, each into a buffer of its own (a writer
    // stores whole words past its end, which would clobber the next segment's start):
    // a symbol's table waits on the symbol before it, and four such chains overlap.
    let mut buffers: [Vec<u8>; SEGMENTS] = std::array::from_fn(|i| vec![0u8; plan.seg_bytes[i] + 8]);
    let [b0, b1, b2, b3] = &mut buffers;
    let (mut w0, mut w1, mut w2, mut w3) =
        (BitWriter::new(b0), BitWriter::new(b1), BitWriter::new(b2), BitWriter::new(b3));
    let [s0, s1, s2, s3] = segments(data);
    let (mut t0, mut t1, mut t2, mut t3) = (next[0], next[0], next[0], next[0]);
    let put = |w: &mut BitWriter, table: &mut usize, symbol: u8| {
        let e = codes[*table + usize::from(symbol)];
        w.put(u64::from(e & 0xffff), e >> 16);
        *table = next[usize::from(symbol)];
    };
    let whole = s3.len() - s3.len() % SYMBOLS_PER_FLUSH;
    for (((c0, c1), c2), c3) in s0[..whole]
        .chunks_exact(SYMBOLS_PER_FLUSH)
        .zip(s1[..whole].chunks_exact(SYMBOLS_PER_FLUSH))
        .zip(s2[..whole].chunks_exact(SYMBOLS_PER_FLUSH))
        .zip(s3[..whole].chunks_exact(SYMBOLS_PER_FLUSH))
    {
        for i in 0..SYMBOLS_PER_FLUSH {
            put(&mut w0, &mut t0, c0[i]);
            put(&mut w1, &mut t1, c1[i]);
            put(&mut w2, &mut t2, c2[i]);
            put(&mut w3, &mut t3, c3[i]);
        }
        w0.flush();
        w1.flush();
        w2.flush();
        w3.flush();
    }
    let mut writers = [w0, w1, w2, w3];
    for ((w, mut table), segment) in writers.iter_mut().zip([t0, t1, t2, t3]).zip([s0, s1, s2, s3]) {
        for chunk in segment[whole..].chunks(SYMBOLS_PER_FLUSH) {
            for &s in chunk {
                put(w, &mut table, s);
            }
            w.flush();
        }
    }
    let written = writers.map(BitWriter::finish);
    for ((buffer, &bytes), written) in buffers.iter().zip(&plan.seg_bytes).zip(written) {
        debug_assert_eq!(written, bytes);
        out.extend_from_slice(&buffer[..bytes]);
    }
    debug_assert_eq!(out.len(), start + plan.body_size);
}

/// Decodes a method-4 body of `len` symbols; `body` must be consumed exactly. The
/// caller has checked `len` against the cap.
pub(super) fn decode_body(body: &[u8], len: usize) -> Result<Vec<u8>> {
    let map_bytes = body
        .get(..MAP_BYTES + 1)
        .ok_or_else(|| Error::Truncated { what: "context huffman map", needed: MAP_BYTES + 1 - body.len() })?;
    let mut map = [0u8; CLASSES];
    for (pair, &b) in map.chunks_exact_mut(2).zip(map_bytes) {
        pair[0] = b & 15;
        pair[1] = b >> 4;
    }
    let tables = usize::from(map.iter().copied().max().unwrap_or(0)) + 1;
    if tables > MAX_TABLES {
        return Err(Error::corrupt("context huffman map", format!("table {} of at most {MAX_TABLES}", tables - 1)));
    }
    if tables < 2 || (0..tables).any(|t| !map.contains(&(t as u8))) {
        return Err(Error::corrupt("context huffman map", format!("{tables} tables, each used: {map:?}")));
    }
    let mask = map_bytes[MAP_BYTES];
    if u32::from(mask) >> tables != 0 {
        return Err(Error::corrupt(
            "context huffman map",
            format!("coded-table bits {mask:#010b} past {tables} tables"),
        ));
    }
    let mut pos = MAP_BYTES + 1;
    // A table per class slot, so that a class's table is found without a bounds check.
    let mut decoding: Box<[Table; MAX_TABLES]> = Box::new(std::array::from_fn(|_| Table::empty()));
    for (t, table) in decoding.iter_mut().enumerate().take(tables) {
        let lens =
            if mask & (1 << t) != 0 { read_coded_lengths(body, &mut pos)? } else { read_lengths(body, &mut pos)? };
        *table = Table::new(&lens);
    }
    let (mut readers, sizes, seg_lens) = substream_readers(body, pos, len)?;
    let next: [u8; 256] = std::array::from_fn(|b| map[class_of(b as u8)]);
    let mut out = vec![0u8; len];
    // The table each class names, found without a bounds check: `% MAX_TABLES` keeps
    // the index inside the eight slots, and `next` names only the `tables` filled.
    let symbol = |prev: u8, r: &mut BitReader| decoding[usize::from(next[usize::from(prev)]) % MAX_TABLES].decode(r);
    decode_segments(body, symbol, &mut readers, &seg_lens, &mut out);
    for ((r, &size), seg) in readers.iter().zip(&sizes).zip(0..) {
        check_end(body, r, size, seg)?;
    }
    Ok(out)
}
