//! Buffers that decoded blocks are rebuilt into, handed back once the block is
//! written and kept for the next one: a fresh buffer is fresh pages, faulted in and
//! cleared by the kernel for every block of a stream (docs/ARCHITECTURE.md, "Fresh
//! memory for the match search").

use std::sync::Mutex;

static KEPT: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Buffers larger than this are not kept.
const KEPT_BUFFER_BYTES: usize = 16 << 20;

/// How many buffers are kept: the threads the machine runs at once, each of which may
/// be rebuilding a block while the writer writes another.
fn kept_buffers() -> usize {
    static COUNT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *COUNT.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from) + 1)
}

/// A buffer of `len` zero bytes, in memory an earlier block used where one was given
/// back.
pub fn zeroed(len: usize) -> Vec<u8> {
    let mut buf = KEPT.lock().ok().and_then(|mut kept| kept.pop()).unwrap_or_default();
    buf.clear();
    buf.resize(len, 0);
    buf
}

/// Gives `buf` back for a later block, when there is room for it.
pub fn give_back(buf: Vec<u8>) {
    if buf.capacity() == 0 || buf.capacity() > KEPT_BUFFER_BYTES {
        return;
    }
    if let Ok(mut kept) = KEPT.lock() {
        if kept.len() < kept_buffers() {
            kept.push(buf);
        }
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
        let kept = KEPT.lock().unwrap();
        assert!(kept.iter().all(|b| b.capacity() > 0 && b.capacity() <= KEPT_BUFFER_BYTES));
        assert!(kept.len() <= kept_buffers());
    }
}
