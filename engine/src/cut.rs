//! Where to end a block: at a line end near the target size, so that no line of a
//! text straddles two blocks and later layers see whole lines.

/// How far back from the target size a line end is looked for, as a fraction.
const LOOKBACK_DIVISOR: usize = 16;

/// The length of the next block to take from the front of `buffered`; 0 means
/// "read more first". Once `target` bytes are buffered, a block ends at the last line
/// end in its final sixteenth, or at `target` when there is none.
pub fn cut_point(buffered: &[u8], target: usize, at_end: bool) -> usize {
    if buffered.len() < target || at_end && buffered.len() == target {
        return if at_end { buffered.len() } else { 0 };
    }
    let window_start = target - target / LOOKBACK_DIVISOR;
    match buffered[window_start..target].iter().rposition(|&b| b == b'\n') {
        Some(i) => window_start + i + 1,
        None => target,
    }
}

/// As [`cut_point`], for fixed-width records: a block that does not end the input
/// ends at the last record boundary at or before `target` (at `target` itself when a
/// record is longer than that).
pub fn cut_point_records(buffered: &[u8], target: usize, at_end: bool, record_len: usize) -> usize {
    if buffered.len() < target || at_end && buffered.len() == target {
        return if at_end { buffered.len() } else { 0 };
    }
    match target - target % record_len.max(1) {
        0 => target,
        cut => cut,
    }
}

/// [`cut_point_records`] when `record_len` is given, else [`cut_point`].
pub fn cut_for(buffered: &[u8], target: usize, at_end: bool, record_len: Option<usize>) -> usize {
    match record_len {
        Some(r) => cut_point_records(buffered, target, at_end, r),
        None => cut_point(buffered, target, at_end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_a_newline_near_the_target() {
        let mut data = vec![b'a'; 200];
        data[150] = b'\n';
        assert_eq!(cut_point(&data, 160, false), 151);
        assert_eq!(cut_point(&data, 100, false), 100, "no newline in the look-back window");
        assert_eq!(cut_point(&data[..50], 160, true), 50);
        assert_eq!(cut_point(&data[..50], 160, false), 0, "wait for more input");
    }

    #[test]
    fn records_end_on_record_boundaries() {
        let data = vec![b'\n'; 500];
        assert_eq!(cut_point_records(&data, 160, false, 69), 138);
        assert_eq!(cut_point_records(&data, 160, false, 200), 160, "a record longer than the block");
        assert_eq!(cut_point_records(&data[..100], 160, true, 69), 100);
        assert_eq!(cut_point_records(&data[..100], 160, false, 69), 0);
        assert_eq!(cut_for(&data, 160, false, None), 160);
    }
}
