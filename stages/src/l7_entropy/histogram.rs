//! The split into four segments, and one byte histogram per segment.

/// Sub-streams of a Huffman body; four independent bit streams give the decoder
/// four dependency chains to run side by side.
pub(super) const SEGMENTS: usize = 4;

/// Symbols in each segment: `ceil(len / 4)` for the first ones, the rest for the
/// last (which may be shorter, or empty when `len < 4`).
pub(super) fn segment_lens(len: usize) -> [usize; SEGMENTS] {
    let q = len.div_ceil(SEGMENTS);
    let mut lens = [0; SEGMENTS];
    let mut left = len;
    for l in lens.iter_mut() {
        *l = q.min(left);
        left -= *l;
    }
    lens
}

/// Splits `data` into its segments.
pub(super) fn segments(data: &[u8]) -> [&[u8]; SEGMENTS] {
    let lens = segment_lens(data.len());
    let (a, rest) = data.split_at(lens[0]);
    let (b, rest) = rest.split_at(lens[1]);
    let (c, d) = rest.split_at(lens[2]);
    [a, b, c, d]
}

/// Counts each segment into its own table. Walking the four segments in step keeps
/// four independent increment chains in flight, so a run of one byte value does
/// not serialise on one counter.
pub(super) fn histograms(data: &[u8]) -> [[u64; 256]; SEGMENTS] {
    let [a, b, c, d] = segments(data);
    let mut h = [[0u64; 256]; SEGMENTS];
    let [h0, h1, h2, h3] = &mut h;
    let common = d.len();
    for (((&x0, &x1), &x2), &x3) in a.iter().zip(b).zip(c).zip(d) {
        h0[usize::from(x0)] += 1;
        h1[usize::from(x1)] += 1;
        h2[usize::from(x2)] += 1;
        h3[usize::from(x3)] += 1;
    }
    for &x in &a[common..] {
        h0[usize::from(x)] += 1;
    }
    for &x in &b[common..] {
        h1[usize::from(x)] += 1;
    }
    for &x in &c[common..] {
        h2[usize::from(x)] += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn segment_lengths() {
        assert_eq!(segment_lens(0), [0, 0, 0, 0]);
        assert_eq!(segment_lens(1), [1, 0, 0, 0]);
        assert_eq!(segment_lens(5), [2, 2, 1, 0]);
        assert_eq!(segment_lens(8), [2, 2, 2, 2]);
        assert_eq!(segment_lens(9), [3, 3, 3, 0]);
        assert_eq!(segment_lens(10), [3, 3, 3, 1]);
    }

    proptest! {
        #[test]
        fn histograms_count_every_byte(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let h = histograms(&data);
            let segs = segments(&data);
            for (hist, seg) in h.iter().zip(segs) {
                let mut want = [0u64; 256];
                for &x in seg { want[usize::from(x)] += 1; }
                prop_assert_eq!(hist, &want);
            }
            prop_assert_eq!(segs.iter().map(|s| s.len()).sum::<usize>(), data.len());
        }
    }
}
