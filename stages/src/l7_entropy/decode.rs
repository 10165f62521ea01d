//! Huffman decoding: one 2^11-entry table lookup per symbol, four sub-streams
//! decoded in step so that their dependency chains overlap.

use super::bits::{BitReader, SYMBOLS_PER_REFILL};
use super::coded_table::read_coded_lengths;
use super::histogram::{segment_lens, SEGMENTS};
use super::lengths::{read_lengths, reversed_codes, MAX_LEN, TABLE_SIZE};
use crate::error::{Error, Result};
use crate::varint;

const MASK: u64 = TABLE_SIZE as u64 - 1;

/// Entry: code length in the low byte, symbol above. The length sits low so that
/// the shift can take the entry as it is (shifts use only the low six bits of the
/// count), keeping one instruction off the lookup-to-lookup dependency chain.
pub(super) struct Table([u16; TABLE_SIZE]);

impl Table {
    /// `lens` must be a complete code (as `read_lengths` guarantees); then every
    /// entry is written.
    pub(super) fn new(lens: &[u8; 256]) -> Table {
        let codes = reversed_codes(lens);
        let longest = lens.iter().copied().max().unwrap_or(0).clamp(1, MAX_LEN as u8);
        // An index's entry is decided by its low `longest` bits: the first 2^longest
        // entries are written code by code, and the rest are copies of them. A small
        // stream's code is often much shorter than the table, which it would
        // otherwise fill a symbol at a time (the table of a coded table's lengths
        // has at most 12 codes).
        let span = 1usize << longest;
        let mut entries = [0u16; TABLE_SIZE];
        for (sym, (&len, &code)) in lens.iter().zip(&codes).enumerate() {
            if len == 0 {
                continue;
            }
            let entry = u16::from(len) | ((sym as u16) << 8);
            // Every index whose low `len` bits are the code: the bits above belong
            // to the codes that follow.
            let step = 1usize << len;
            let mut i = usize::from(code);
            while i < span {
                entries[i] = entry;
                i += step;
            }
        }
        let mut filled = span;
        while filled < TABLE_SIZE {
            entries.copy_within(..filled, filled);
            filled *= 2;
        }
        Table(entries)
    }

    /// A table of zeros, for a slot no code fills.
    pub(super) fn empty() -> Table {
        Table([0; TABLE_SIZE])
    }

    #[inline(always)]
    pub(super) fn decode(&self, r: &mut BitReader) -> u8 {
        let e = self.0[(r.peek() & MASK) as usize];
        r.consume_entry(u32::from(e));
        (e >> 8) as u8
    }
}

/// Decodes a Huffman body of `len` symbols, its table packed or coded; `body` must be
/// consumed exactly. The caller has checked `len` against the cap.
pub(super) fn decode_body(body: &[u8], len: usize, coded_table: bool) -> Result<Vec<u8>> {
    let mut pos = 0;
    let lens = if coded_table { read_coded_lengths(body, &mut pos)? } else { read_lengths(body, &mut pos)? };
    let (mut readers, sizes, seg_lens) = substream_readers(body, pos, len)?;
    let table = Table::new(&lens);
    let mut out = vec![0u8; len];
    decode_segments(body, |_, r| table.decode(r), &mut readers, &seg_lens, &mut out);

    for ((r, &size), seg) in readers.iter().zip(&sizes).zip(0..) {
        check_end(body, r, size, seg)?;
    }
    Ok(out)
}

/// A reader for each sub-stream of a body whose sizes start at `pos`, each
/// sub-stream's size, and the symbols of each segment of `len`.
#[allow(clippy::type_complexity)]
pub(super) fn substream_readers(
    body: &[u8],
    mut pos: usize,
    len: usize,
) -> Result<([BitReader; SEGMENTS], [usize; SEGMENTS], [usize; SEGMENTS])> {
    let mut sizes = [0u64; SEGMENTS];
    for size in sizes[..SEGMENTS - 1].iter_mut() {
        *size = varint::get(body, &mut pos)?;
    }
    // What the three sizes leave is the last sub-stream.
    let left = (body.len() - pos) as u64;
    match sizes.iter().try_fold(0u64, |acc, &s| acc.checked_add(s)) {
        Some(claimed) if claimed <= left => sizes[SEGMENTS - 1] = left - claimed,
        Some(claimed) => {
            return Err(Error::Truncated {
                what: "huffman sub-streams",
                needed: usize::try_from(claimed - left).unwrap_or(usize::MAX),
            })
        }
        None => return Err(Error::corrupt("huffman sub-streams", "sizes overflow")),
    }
    let sizes = sizes.map(|s| s as usize);

    let seg_lens = segment_lens(len);
    let mut readers = [BitReader::new(0, 0); SEGMENTS];
    let mut start = pos;
    for ((r, &size), &n) in readers.iter_mut().zip(&sizes).zip(&seg_lens) {
        // Every code is at least one bit: refuse before allocating what the
        // stream could not hold.
        if n as u64 > (size as u64).saturating_mul(8) {
            return Err(Error::corrupt("huffman sub-stream", format!("{n} symbols cannot fit in {size} bytes")));
        }
        *r = BitReader::new(start, start + size);
        start += size;
    }
    Ok((readers, sizes, seg_lens))
}

/// A sub-stream must end inside its last byte, with the unused high bits zero.
pub(super) fn check_end(body: &[u8], r: &BitReader, size: usize, seg: usize) -> Result<()> {
    let used = r.consumed_bits();
    let avail = size as u64 * 8;
    if used > avail || used + 8 <= avail {
        return Err(Error::corrupt("huffman sub-stream", format!("sub-stream {seg} used {used} bits of {avail}")));
    }
    let pad = (avail - used) as u32;
    if pad > 0 {
        let last = r.end_byte(body);
        if last >> (8 - pad) != 0 {
            return Err(Error::corrupt("huffman sub-stream", format!("sub-stream {seg} padding is not zero")));
        }
    }
    Ok(())
}

/// Decodes the four segments in step, each symbol by `symbol(previous symbol of its
/// segment, reader)`; a segment's first symbol follows a zero. One code ignores the
/// previous symbol (method 2 and 3), codes by context choose their table with it
/// (method 4); either way the four dependency chains overlap.
#[inline(always)]
pub(super) fn decode_segments(
    body: &[u8],
    mut symbol: impl FnMut(u8, &mut BitReader) -> u8,
    readers: &mut [BitReader; SEGMENTS],
    seg_lens: &[usize; SEGMENTS],
    out: &mut [u8],
) {
    let (o0, rest) = out.split_at_mut(seg_lens[0]);
    let (o1, rest) = rest.split_at_mut(seg_lens[1]);
    let (o2, o3) = rest.split_at_mut(seg_lens[2]);
    let [r0, r1, r2, r3] = readers;
    // Copies in locals, so the four readers live in registers through the loop.
    let (mut a, mut b, mut c, mut d) = (*r0, *r1, *r2, *r3);
    let (mut pa, mut pb, mut pc, mut pd) = (0u8, 0u8, 0u8, 0u8);

    // The last segment is the shortest, so it bounds the lockstep part.
    let steps = o3.len() / SYMBOLS_PER_REFILL;
    let last_fast = body.len().saturating_sub(8);
    let mut done = 0;
    for (((x0, x1), x2), x3) in o0
        .chunks_exact_mut(SYMBOLS_PER_REFILL)
        .zip(o1.chunks_exact_mut(SYMBOLS_PER_REFILL))
        .zip(o2.chunks_exact_mut(SYMBOLS_PER_REFILL))
        .zip(o3.chunks_exact_mut(SYMBOLS_PER_REFILL))
        .take(steps)
    {
        if a.pos().max(b.pos()).max(c.pos()).max(d.pos()) > last_fast {
            break;
        }
        a.refill_fast(body);
        b.refill_fast(body);
        c.refill_fast(body);
        d.refill_fast(body);
        for i in 0..SYMBOLS_PER_REFILL {
            pa = symbol(pa, &mut a);
            pb = symbol(pb, &mut b);
            pc = symbol(pc, &mut c);
            pd = symbol(pd, &mut d);
            x0[i] = pa;
            x1[i] = pb;
            x2[i] = pc;
            x3[i] = pd;
        }
        done += SYMBOLS_PER_REFILL;
    }

    for ((r, o), mut prev) in [(&mut a, o0), (&mut b, o1), (&mut c, o2), (&mut d, o3)].into_iter().zip([pa, pb, pc, pd])
    {
        for chunk in o[done..].chunks_mut(SYMBOLS_PER_REFILL) {
            r.refill_safe(body);
            for x in chunk {
                prev = symbol(prev, r);
                *x = prev;
            }
        }
    }
    (*r0, *r1, *r2, *r3) = (a, b, c, d);
}

const _: () = assert!(SYMBOLS_PER_REFILL as u32 * MAX_LEN <= 56);
