//! Code lengths: optimal lengths under the 11-bit limit, the canonical codes they
//! define, and the 4-bit-per-symbol table header that carries them.

use crate::error::{Error, Result};

/// Longest code. 11 bits keep the decoding table at 2 KiB entries (4 KiB), well
/// inside L1, and cost next to nothing in ratio on byte data.
pub(super) const MAX_LEN: u32 = 11;

/// Entries of the single-lookup decoding table.
pub(super) const TABLE_SIZE: usize = 1 << MAX_LEN;

/// Items a package-merge list can hold: 256 leaves and 255 packages.
const MAX_ITEMS: usize = 2 * 256 - 1;

/// Code lengths for the symbols with a non-zero count (zero for the others),
/// minimising the coded size under [`MAX_LEN`]. Needs at least two used symbols.
///
/// Huffman's lengths when none passes the limit (most streams); otherwise
/// package-merge (Larmore and Hirschberg) rather than Huffman plus a repair pass: it
/// is optimal under the limit by construction and always yields a complete code
/// (Kraft sum exactly 1). Where Huffman's code fits, package-merge would give the
/// same lengths (ties broken alike: a leaf before a joined node of equal weight; the
/// tests hold the two equal), at some thousands of steps where Huffman takes a few
/// hundred: a message of a `Framed` service codes half a dozen short streams.
pub(super) fn limited_lengths(freq: &[u64; 256]) -> [u8; 256] {
    let mut lens = [0u8; 256];
    // Each used symbol as one key, its count above its byte, so that keys sort as
    // (count, symbol) pairs would (counts of bytes are far below 2^56).
    let mut keys: Vec<u64> = Vec::with_capacity(256);
    for (sym, &f) in freq.iter().enumerate() {
        if f > 0 {
            debug_assert!(f < 1 << 56, "a count of {f}");
            keys.push(f << 8 | sym as u64);
        }
    }
    if keys.len() < 2 {
        // One symbol needs no bits, but the format has no zero-length codes; the
        // encoder sends such data as a run and never asks.
        for &key in &keys {
            lens[usize::from(key as u8)] = 1;
        }
        return lens;
    }
    keys.sort_unstable();
    if let Some(lens) = huffman_lengths(&keys) {
        return lens;
    }
    let n = keys.len();
    let weight = |leaf: usize| keys[leaf] >> 8;

    // Level lists from the deepest (index 0, leaves only) to level 1; for each only
    // which items are packages is kept, a bit an item, which is all the selection
    // step needs.
    let mut is_package = [[0u64; PACKAGE_WORDS]; MAX_LEN as usize];
    // The weights of the level before and of the level being built.
    let mut prev: Vec<u64> = (0..n).map(weight).collect();
    let mut cur: Vec<u64> = Vec::with_capacity(2 * n);
    for flags in is_package.iter_mut().skip(1) {
        cur.clear();
        let packages = prev.len() / 2;
        let (mut leaf, mut pkg) = (0, 0);
        while leaf < n || pkg < packages {
            let pkg_weight = if pkg < packages { prev[2 * pkg] + prev[2 * pkg + 1] } else { u64::MAX };
            if leaf < n && weight(leaf) <= pkg_weight {
                cur.push(weight(leaf));
                leaf += 1;
            } else {
                let k = cur.len();
                flags[k / 64] |= 1 << (k % 64);
                cur.push(pkg_weight);
                pkg += 1;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }

    // Taking the 2n-2 lightest items of level 1 and, recursively, the items that
    // the chosen packages were made of, each leaf is taken once per bit of its code.
    // The leaves taken at a level are always the lightest ones, as the lists hold
    // the leaves in weight order.
    let mut take = (2 * n - 2).min(prev.len());
    for flags in is_package.iter().rev() {
        let packages = packages_before(flags, take);
        for &key in &keys[..take - packages] {
            lens[usize::from(key as u8)] += 1;
        }
        take = 2 * packages;
    }
    lens
}

/// Huffman's code lengths for the used symbols, `keys` as [`limited_lengths`] makes
/// them (at least two, sorted), or `None` when the longest is over [`MAX_LEN`].
fn huffman_lengths(keys: &[u64]) -> Option<[u8; 256]> {
    let n = keys.len();
    // Nodes 0..n are the leaves in count order, n.. the joined ones in the order they
    // are made, which is also the order of their weights: two queues, no heap. Sized
    // to the symbols used: a short stream uses few, and is coded often.
    let mut weight: Vec<u64> = keys.iter().map(|&key| key >> 8).collect();
    weight.resize(2 * n - 1, 0);
    let mut parent = vec![0u16; 2 * n - 1];
    let (mut leaf, mut joined) = (0, n);
    for next in n..2 * n - 1 {
        let mut lightest = || {
            if leaf < n && (joined >= next || weight[leaf] <= weight[joined]) {
                leaf += 1;
                leaf - 1
            } else {
                joined += 1;
                joined - 1
            }
        };
        let (a, b) = (lightest(), lightest());
        weight[next] = weight[a] + weight[b];
        parent[a] = next as u16;
        parent[b] = next as u16;
    }
    // Depths from the root down: a node is made after its children. The weights'
    // room holds them now.
    let root = 2 * n - 2;
    let depth = &mut weight;
    depth[root] = 0;
    for node in (0..root).rev() {
        depth[node] = depth[usize::from(parent[node])] + 1;
    }
    let mut lens = [0u8; 256];
    for (&d, &key) in depth.iter().zip(keys) {
        if d > u64::from(MAX_LEN) {
            return None;
        }
        lens[usize::from(key as u8)] = d as u8;
    }
    Some(lens)
}

/// Words of a level's package bits.
const PACKAGE_WORDS: usize = MAX_ITEMS.div_ceil(64);

/// How many of a level's first `items` items are packages.
fn packages_before(flags: &[u64; PACKAGE_WORDS], items: usize) -> usize {
    let whole = items / 64;
    let mut count: u32 = flags[..whole].iter().map(|w| w.count_ones()).sum();
    if items % 64 != 0 {
        count += (flags[whole] & ((1u64 << (items % 64)) - 1)).count_ones();
    }
    count as usize
}

/// Kraft sum in units of 2^-MAX_LEN: exactly [`TABLE_SIZE`] for a complete code.
pub(super) fn kraft_sum(lens: &[u8; 256]) -> u32 {
    lens.iter().filter(|&&l| l > 0).map(|&l| 1u32 << (MAX_LEN - u32::from(l).min(MAX_LEN))).sum()
}

/// Canonical codes, bit-reversed for LSB-first output so that the first bit sent is
/// the code's most significant one. Codes are assigned in (length, symbol) order.
/// `lens` must satisfy the Kraft inequality, or codes would overflow their length.
pub(super) fn reversed_codes(lens: &[u8; 256]) -> [u16; 256] {
    // Up to the highest used symbol: small streams use few of the 256.
    let used = lens.iter().rposition(|&l| l > 0).map_or(0, |last| last + 1);
    let lens = &lens[..used];
    let mut per_len = [0u32; MAX_LEN as usize + 1];
    for &l in lens.iter() {
        per_len[usize::from(l).min(MAX_LEN as usize)] += 1;
    }
    per_len[0] = 0;
    let mut next = [0u32; MAX_LEN as usize + 1];
    let mut code = 0u32;
    for len in 1..=MAX_LEN as usize {
        code = (code + per_len[len - 1]) << 1;
        next[len] = code;
    }
    let mut codes = [0u16; 256];
    for (sym, &l) in lens.iter().enumerate() {
        if l == 0 {
            continue;
        }
        let l = usize::from(l).min(MAX_LEN as usize);
        let c = next[l];
        next[l] += 1;
        codes[sym] = ((c as u16).reverse_bits()) >> (16 - l);
    }
    codes
}

/// Appends the table header: highest used symbol, then two 4-bit lengths a byte,
/// the even symbol in the low nibble.
pub(super) fn write_lengths(lens: &[u8; 256], out: &mut Vec<u8>) {
    let max_sym = lens.iter().rposition(|&l| l > 0).unwrap_or(0);
    out.push(max_sym as u8);
    for pair in lens[..=max_sym].chunks(2) {
        let hi = pair.get(1).copied().unwrap_or(0);
        out.push(pair[0] | (hi << 4));
    }
}

/// Header bytes [`write_lengths`] writes for these lengths.
pub(super) fn lengths_size(lens: &[u8; 256]) -> usize {
    let max_sym = lens.iter().rposition(|&l| l > 0).unwrap_or(0);
    1 + (max_sym + 2) / 2
}

/// Reads and checks a table header at `*pos`: every length at most [`MAX_LEN`], the
/// highest symbol really used, the spare nibble zero, and the code complete. A
/// complete code is what makes every entry of the decoding table meaningful.
pub(super) fn read_lengths(input: &[u8], pos: &mut usize) -> Result<[u8; 256]> {
    let max_sym = usize::from(*input.get(*pos).ok_or(Error::Truncated { what: "huffman table", needed: 1 })?);
    *pos += 1;
    let bytes = (max_sym + 2) / 2;
    let packed = input
        .get(*pos..*pos + bytes)
        .ok_or_else(|| Error::Truncated { what: "huffman table", needed: *pos + bytes - input.len() })?;
    *pos += bytes;
    let mut lens = [0u8; 256];
    for (i, &b) in packed.iter().enumerate() {
        lens[2 * i] = b & 15;
        lens[2 * i + 1] = b >> 4;
    }
    if max_sym % 2 == 0 && max_sym < 255 && lens[max_sym + 1] != 0 {
        return Err(Error::corrupt("huffman table", "spare length nibble is not zero"));
    }
    check_lengths(&lens, max_sym)?;
    Ok(lens)
}

/// The checks every table passes however it was written: `max_sym` the highest
/// symbol with a code, every length at most [`MAX_LEN`], and the code complete.
pub(super) fn check_lengths(lens: &[u8; 256], max_sym: usize) -> Result<()> {
    if lens[max_sym] == 0 || lens[max_sym + 1..].iter().any(|&l| l != 0) {
        return Err(Error::corrupt("huffman table", "highest symbol has no code"));
    }
    if let Some(l) = lens.iter().find(|&&l| u32::from(l) > MAX_LEN) {
        return Err(Error::corrupt("huffman table", format!("code length {l} exceeds {MAX_LEN}")));
    }
    let kraft = kraft_sum(lens);
    if kraft != TABLE_SIZE as u32 {
        let state = if kraft > TABLE_SIZE as u32 { "oversubscribed" } else { "incomplete" };
        return Err(Error::corrupt("huffman table", format!("code is {state} ({kraft}/{TABLE_SIZE})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Unlimited Huffman cost, to check that limiting loses nothing when not needed.
    fn huffman_cost(freq: &[u64]) -> u64 {
        let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<u64>> =
            freq.iter().filter(|&&f| f > 0).map(|&f| std::cmp::Reverse(f)).collect();
        let mut cost = 0;
        while heap.len() > 1 {
            let a = heap.pop().unwrap().0;
            let b = heap.pop().unwrap().0;
            cost += a + b;
            heap.push(std::cmp::Reverse(a + b));
        }
        cost
    }

    fn cost(freq: &[u64; 256], lens: &[u8; 256]) -> u64 {
        freq.iter().zip(lens).map(|(&f, &l)| f * u64::from(l)).sum()
    }

    /// A table of counts, symbol by symbol from 0, zeros past `counts`.
    fn table_of(counts: &[u64]) -> [u64; 256] {
        let mut freq = [0u64; 256];
        freq[..counts.len()].copy_from_slice(counts);
        freq
    }

    /// The package-merge as first written (a flag a byte, fixed lists), which the
    /// bit-per-item version must agree with length for length.
    fn limited_lengths_reference(freq: &[u64; 256]) -> [u8; 256] {
        let mut lens = [0u8; 256];
        let mut sorted: Vec<(u64, u8)> =
            freq.iter().enumerate().filter(|(_, &f)| f > 0).map(|(s, &f)| (f, s as u8)).collect();
        let n = sorted.len();
        sorted.sort_unstable();
        let mut is_package = vec![vec![false; MAX_ITEMS]; MAX_LEN as usize];
        let mut prev: Vec<u64> = sorted.iter().map(|&(f, _)| f).collect();
        for flags in is_package.iter_mut().skip(1) {
            let mut cur = Vec::new();
            let packages = prev.len() / 2;
            let (mut leaf, mut pkg) = (0, 0);
            while leaf < n || pkg < packages {
                let pkg_weight = if pkg < packages { prev[2 * pkg] + prev[2 * pkg + 1] } else { u64::MAX };
                if leaf < n && sorted[leaf].0 <= pkg_weight {
                    cur.push(sorted[leaf].0);
                    leaf += 1;
                } else {
                    flags[cur.len()] = true;
                    cur.push(pkg_weight);
                    pkg += 1;
                }
            }
            prev = cur;
        }
        let mut take = (2 * n - 2).min(prev.len());
        for flags in is_package.iter().rev() {
            let packages = flags[..take].iter().filter(|&&p| p).count();
            for &(_, sym) in &sorted[..take - packages] {
                lens[usize::from(sym)] += 1;
            }
            take = 2 * packages;
        }
        lens
    }

    #[test]
    fn fibonacci_counts_are_limited() {
        // Fibonacci counts make Huffman's tree a chain, so 30 symbols would need
        // codes of up to 29 bits without the limit.
        let mut freq = [0u64; 256];
        let (mut a, mut b) = (1u64, 1u64);
        for f in freq.iter_mut().take(30) {
            *f = a;
            (a, b) = (b, a + b);
        }
        let lens = limited_lengths(&freq);
        assert!(lens.iter().all(|&l| u32::from(l) <= MAX_LEN));
        assert_eq!(kraft_sum(&lens), TABLE_SIZE as u32);
        assert!(lens[..30].iter().all(|&l| l > 0));
        assert_eq!(lens[0], MAX_LEN as u8);
    }

    #[test]
    fn header_round_trip_and_rejects() {
        let mut freq = [0u64; 256];
        freq[3] = 5;
        freq[10] = 1;
        freq[255] = 2;
        let lens = limited_lengths(&freq);
        let mut buf = Vec::new();
        write_lengths(&lens, &mut buf);
        assert_eq!(buf.len(), lengths_size(&lens));
        let mut pos = 0;
        assert_eq!(read_lengths(&buf, &mut pos).unwrap(), lens);
        assert_eq!(pos, buf.len());

        // Oversubscribed: three codes of length 1.
        assert!(read_lengths(&[2, 0x11, 0x01], &mut 0).is_err());
        // Incomplete: one code of length 1.
        assert!(read_lengths(&[0, 0x01], &mut 0).is_err());
        // Complete but a length over the limit.
        assert!(read_lengths(&[1, 0xc1], &mut 0).is_err());
        // Highest symbol unused.
        assert!(read_lengths(&[2, 0x11, 0x00], &mut 0).is_err());
        // Spare nibble set.
        assert!(read_lengths(&[2, 0x22, 0x12], &mut 0).is_err());
        // Truncated.
        assert!(read_lengths(&[4, 0x11], &mut 0).is_err());
        assert!(read_lengths(&[], &mut 0).is_err());
    }

    #[test]
    fn canonical_codes_are_prefix_free() {
        let mut lens = [0u8; 256];
        lens[0] = 1;
        lens[1] = 2;
        lens[2] = 3;
        lens[3] = 3;
        let codes = reversed_codes(&lens);
        // MSB-first codes 0, 10, 110, 111, reversed.
        assert_eq!(&codes[..4], &[0b0, 0b01, 0b011, 0b111]);
    }

    proptest! {
        #[test]
        fn lengths_are_complete_and_optimal(counts in proptest::collection::vec(0u64..100_000, 2..256)) {
            let mut freq = [0u64; 256];
            for (f, c) in freq.iter_mut().zip(&counts) { *f = *c; }
            prop_assume!(freq.iter().filter(|&&f| f > 0).count() >= 2);
            let lens = limited_lengths(&freq);
            prop_assert_eq!(kraft_sum(&lens), TABLE_SIZE as u32);
            for (f, l) in freq.iter().zip(&lens) {
                prop_assert_eq!(*f > 0, *l > 0);
                prop_assert!(u32::from(*l) <= MAX_LEN);
            }
            // Never better than unlimited Huffman; equal when Huffman fits anyway.
            let limited = cost(&freq, &lens);
            let free = huffman_cost(&freq);
            prop_assert!(limited >= free);
        }

        #[test]
        fn lengths_are_the_reference_packages(counts in proptest::collection::vec(0u64..1 << 40, 2..256), skew in 0u32..40) {
            // Counts spread over many orders of magnitude, so that the limit binds.
            let spread: Vec<u64> = counts.iter().enumerate().map(|(i, c)| c >> (i as u32 * skew % 40)).collect();
            let freq = table_of(&spread);
            prop_assume!(freq.iter().filter(|&&f| f > 0).count() >= 2);
            prop_assert_eq!(limited_lengths(&freq), limited_lengths_reference(&freq));
        }

        #[test]
        fn lengths_are_the_reference_packages_with_many_ties(counts in proptest::collection::vec(0u64..6, 2..256)) {
            // Few count values: most merges choose between equal weights.
            let freq = table_of(&counts);
            prop_assume!(freq.iter().filter(|&&f| f > 0).count() >= 2);
            prop_assert_eq!(limited_lengths(&freq), limited_lengths_reference(&freq));
        }

        #[test]
        fn limit_costs_nothing_when_unneeded(counts in proptest::collection::vec(1000u64..2000, 2..256)) {
            // Counts within a factor of two give Huffman codes of at most 9 bits.
            let mut freq = [0u64; 256];
            for (f, c) in freq.iter_mut().zip(&counts) { *f = *c; }
            let lens = limited_lengths(&freq);
            prop_assert_eq!(cost(&freq, &lens), huffman_cost(&freq));
        }

        #[test]
        fn read_lengths_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut pos = 0;
            if let Ok(lens) = read_lengths(&bytes, &mut pos) {
                prop_assert_eq!(kraft_sum(&lens), TABLE_SIZE as u32);
                prop_assert!(pos <= bytes.len());
            }
        }
    }
}
