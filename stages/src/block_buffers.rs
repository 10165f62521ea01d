//! Buffers that decoded blocks are rebuilt into, handed back once the block is
//! written and kept for the next one: a fresh buffer is fresh pages, faulted in and
//! cleared by the kernel for every block of a stream (docs/ARCHITECTURE.md, "Fresh
//! memory for the match search").

use crate::kept::Kept;

/// One for each thread that may be rebuilding a block, and one the writer is writing.
static KEPT: Kept<Vec<u8>> = Kept::new(1);

/// Buffers larger than this are not kept.
const KEPT_BUFFER_BYTES: usize = 16 << 20;

/// A buffer of `len` zero bytes, in memory an earlier block used where one was given
/// back.
pub fn zeroed(len: usize) -> Vec<u8> {
    let mut buf = KEPT.take().unwrap_or_default();
    buf.clear();
    buf.resize(len, 0);
    buf
}

/// Gives `buf` back for a later block, when there is room for it.
pub fn give_back(buf: Vec<u8>) {
    if buf.capacity() > 0 && buf.capacity() <= KEPT_BUFFER_BYTES {
        KEPT.put(buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_dirty_comes_back_zeroed() {
        // Other tests share the pool: whichever buffer comes back must be all zeros.
        for len in [0, 1, 100, 5000, 70_000] {
            give_back(vec![0xab; 80_000]);
            give_back(vec![0xcd; 10]);
            let buf = zeroed(len);
            assert_eq!(buf.len(), len);
            assert!(buf.iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn buffers_too_large_or_empty_are_not_kept() {
        give_back(Vec::new());
        give_back(Vec::with_capacity(KEPT_BUFFER_BYTES + 1));
        while let Some(buf) = KEPT.take() {
            assert!(buf.capacity() > 0 && buf.capacity() <= KEPT_BUFFER_BYTES);
        }
    }
}
