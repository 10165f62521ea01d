//! Where blocks end, for every executor and adapter: at a line end near the target
//! size, so that no line of a text straddles two blocks and later layers see whole
//! lines, or at a record boundary for fixed-width records. [`BlockCutter`] applies
//! the rule to a stream that arrives in pieces, [`blocks`] to a slice; both cut the
//! same bytes into the same blocks.

/// How far back from the target size a line end is looked for, as a fraction.
const LOOKBACK_DIVISOR: usize = 16;

/// The length of the next block to take from the front of `buffered`; 0 means
/// "read more first". Once `target` bytes are buffered, a block ends at the last line
/// end in its final sixteenth, or at `target` when there is none.
fn cut_point(buffered: &[u8], target: usize, at_end: bool) -> usize {
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
fn cut_point_records(buffered: &[u8], target: usize, at_end: bool, record_len: usize) -> usize {
    if buffered.len() < target || at_end && buffered.len() == target {
        return if at_end { buffered.len() } else { 0 };
    }
    match target - target % record_len.max(1) {
        0 => target,
        cut => cut,
    }
}

/// [`cut_point_records`] when `record_len` is given, else [`cut_point`].
fn cut_for(buffered: &[u8], target: usize, at_end: bool, record_len: Option<usize>) -> usize {
    match record_len {
        Some(r) => cut_point_records(buffered, target, at_end, r),
        None => cut_point(buffered, target, at_end),
    }
}

/// A stream cut into blocks as it arrives, holding at most one block.
#[derive(Debug, Clone)]
pub struct BlockCutter {
    block_size: usize,
    record_len: Option<usize>,
    held: Vec<u8>,
    /// Where the next block starts in the stream.
    offset: u64,
}

impl BlockCutter {
    /// Blocks of `block_size` (cut at line ends, or at multiples of `record_len`).
    pub fn new(block_size: usize, record_len: Option<usize>) -> BlockCutter {
        BlockCutter { block_size, record_len, held: Vec::new(), offset: 0 }
    }

    /// Bytes it takes before a block is full.
    pub fn room(&self) -> usize {
        self.block_size.saturating_sub(self.held.len())
    }

    /// Bytes held, not yet cut.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Where the next block starts in the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Takes up to [`room`](Self::room) bytes of `data`; returns how many.
    pub fn push(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.room());
        self.held.extend_from_slice(&data[..n]);
        n
    }

    /// The buffer to read into, with room reserved for the rest of a block: a reader
    /// appends at most [`room`](Self::room) bytes.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        self.held.reserve(self.room());
        &mut self.held
    }

    /// The next block, if one is due: a full one, cut at a line end (or record
    /// boundary) near the block size; or, once the input has ended (`at_end`),
    /// whatever is held. Returns the block and where it starts in the stream.
    pub fn next_block(&mut self, at_end: bool) -> Option<(u64, Vec<u8>)> {
        let cut = if self.held.len() >= self.block_size {
            cut_for(&self.held, self.block_size, false, self.record_len)
        } else if at_end && !self.held.is_empty() {
            self.held.len()
        } else {
            return None;
        };
        Some(self.split(cut))
    }

    /// Everything held as one block (a flush: the peer must decode all of it now).
    pub fn take_all(&mut self) -> Option<(u64, Vec<u8>)> {
        (!self.held.is_empty()).then(|| self.split(self.held.len()))
    }

    fn split(&mut self, cut: usize) -> (u64, Vec<u8>) {
        let rest = self.held[cut..].to_vec();
        let mut block = std::mem::replace(&mut self.held, rest);
        block.truncate(cut);
        let offset = self.offset;
        self.offset += cut as u64;
        (offset, block)
    }
}

/// The blocks of `input`, as [`BlockCutter`] would cut it arriving in any pieces:
/// each with where it starts.
pub fn blocks(input: &[u8], block_size: usize, record_len: Option<usize>) -> impl Iterator<Item = (u64, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = &input[pos..];
        let cut = match rest.len() {
            0 => return None,
            n if n >= block_size => cut_for(rest, block_size, false, record_len),
            n => n,
        };
        let start = pos;
        pos += cut;
        Some((start as u64, &rest[..cut]))
    })
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

    proptest::proptest! {
        /// The slice cutter and the stream cutter, fed in any pieces, cut alike; every
        /// block but the last is a full block cut at a line end (or at the size).
        #[test]
        fn slice_and_stream_cut_alike(
            lines in proptest::collection::vec(0usize..300, 0..400),
            pieces in proptest::collection::vec(1usize..5000, 1..8),
            block in 200usize..3000,
            records in proptest::option::of(1usize..500),
        ) {
            let input: Vec<u8> = lines.iter().flat_map(|&n| std::iter::repeat_n(b'x', n).chain([b'\n'])).collect();
            let from_slice: Vec<(u64, Vec<u8>)> = blocks(&input, block, records).map(|(o, b)| (o, b.to_vec())).collect();
            let mut cutter = BlockCutter::new(block, records);
            let mut from_stream = Vec::new();
            let (mut pos, mut i) = (0, 0);
            while pos < input.len() {
                let n = pieces[i % pieces.len()].min(input.len() - pos);
                let taken = cutter.push(&input[pos..pos + n]);
                pos += taken;
                i += 1;
                while let Some(b) = cutter.next_block(false) {
                    from_stream.push(b);
                }
            }
            while let Some(b) = cutter.next_block(true) {
                from_stream.push(b);
            }
            let lens = |v: &[(u64, Vec<u8>)]| v.iter().map(|(o, b)| (*o, b.len())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(lens(&from_slice), lens(&from_stream), "block {} records {:?}", block, records);
            proptest::prop_assert!(from_slice == from_stream);
            proptest::prop_assert_eq!(from_slice.iter().map(|(_, b)| b.len()).sum::<usize>(), input.len());
            for (offset, b) in from_slice.iter().rev().skip(1) {
                proptest::prop_assert!(b.len() <= block && b.len() > block - block / 16 - 1 || records.is_some());
                proptest::prop_assert!(*offset as usize + b.len() <= input.len());
            }
        }
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
