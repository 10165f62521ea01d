//! Buffers that decoded blocks are built into (the join's, or L6's where it decodes a
//! whole block), handed back once the block is written and kept for the next one: a
//! fresh buffer is fresh pages, faulted in and cleared by the kernel for every block
//! of a stream (docs/ARCHITECTURE.md, "Fresh memory for the match search").

use crate::kept::Kept;

/// One for each thread that may be decoding a block, and one the writer is writing.
static KEPT: Kept<Vec<u8>> = Kept::new(1);

/// Buffers larger than this are not kept.
const KEPT_BUFFER_BYTES: usize = 16 << 20;

/// Nor smaller than this: the allocator reuses small pieces of memory well, and a
/// small buffer taken for a block would be grown into fresh memory anyway.
pub const SMALLEST_KEPT: usize = 256 << 10;

/// An empty buffer with room for `len` bytes: the smallest kept one with that room and
/// not twice as much (a buffer may end up the caller's, which should not hold a
/// block's worth for a few bytes), else a new one with an eighth more room, so that
/// the next block, a few bytes longer, fits it too (blocks cut at line ends differ by
/// a line or so).
pub fn with_room(len: usize) -> Vec<u8> {
    let fits = |b: &Vec<u8>| (len..=len.saturating_mul(2)).contains(&b.capacity());
    let mut buf = KEPT
        .take_smallest(|b| fits(b).then_some(b.capacity()))
        .unwrap_or_else(|| Vec::with_capacity(len.saturating_add(len / 8)));
    buf.clear();
    buf
}

/// A buffer of `len` zero bytes, as [`with_room`] finds it.
pub fn zeroed(len: usize) -> Vec<u8> {
    let mut buf = with_room(len);
    buf.resize(len, 0);
    buf
}

/// Gives `buf` back for a later block, when it is worth keeping and there is room.
pub fn give_back(buf: Vec<u8>) {
    if (SMALLEST_KEPT..=KEPT_BUFFER_BYTES).contains(&buf.capacity()) {
        KEPT.put(buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_dirty_comes_back_zeroed() {
        // Other tests share the pool: whichever buffer comes back must be all zeros.
        for len in [0, 1, 100, 5000, 300_000, 600_000] {
            give_back(vec![0xab; 400_000]);
            give_back(vec![0xcd; SMALLEST_KEPT]);
            let buf = zeroed(len);
            assert_eq!(buf.len(), len);
            assert!(buf.iter().all(|&b| b == 0));
            assert!(buf.capacity() <= 2 * len);
            give_back(buf);
            let buf = with_room(len);
            assert!(buf.is_empty() && (len..=2 * len).contains(&buf.capacity()));
        }
    }

    #[test]
    fn only_buffers_worth_keeping_are_kept() {
        give_back(Vec::new());
        give_back(vec![1; 1000]);
        give_back(Vec::with_capacity(KEPT_BUFFER_BYTES + 1));
        while let Some(buf) = KEPT.take() {
            assert!((SMALLEST_KEPT..=KEPT_BUFFER_BYTES).contains(&buf.capacity()));
        }
    }
}
