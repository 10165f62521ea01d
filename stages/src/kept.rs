//! Large allocations that finished work leaves for the next (a match finder's tables,
//! a decoded block's buffer), kept instead of freed: memory the allocator would hand
//! back to the system and the next block would fault in again, page by page
//! (docs/ARCHITECTURE.md, "Fresh memory for the match search").

use std::sync::{Mutex, OnceLock};

/// At most one item for each thread the machine runs at once, and `extra` more: what
/// idle items hold is what that many blocks at once held anyway.
pub(crate) struct Kept<T> {
    items: Mutex<Vec<T>>,
    extra: usize,
}

impl<T> Kept<T> {
    pub(crate) const fn new(extra: usize) -> Kept<T> {
        Kept { items: Mutex::new(Vec::new()), extra }
    }

    /// The item kept last, if any.
    pub(crate) fn take(&self) -> Option<T> {
        self.items.lock().ok()?.pop()
    }

    /// Of the items `size` measures (`None`: not one to take), the smallest.
    pub(crate) fn take_smallest(&self, size: impl Fn(&T) -> Option<usize>) -> Option<T> {
        let mut items = self.items.lock().ok()?;
        let best = items.iter().enumerate().filter_map(|(i, item)| Some((size(item)?, i))).min()?.1;
        Some(items.swap_remove(best))
    }

    /// Keeps `item` when there is room; drops it otherwise.
    pub(crate) fn put(&self, item: T) {
        if let Ok(mut items) = self.items.lock() {
            if items.len() < threads() + self.extra {
                items.push(item);
            }
        }
    }

    /// How many items are kept now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.lock().map_or(0, |items| items.len())
    }
}

/// The threads the machine runs at once.
fn threads() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_no_more_than_the_threads_and_the_extra() {
        let kept: Kept<u32> = Kept::new(2);
        for i in 0..100 {
            kept.put(i);
        }
        assert_eq!(kept.len(), threads() + 2);
        assert_eq!(kept.take(), Some(threads() as u32 + 1));
        assert_eq!(kept.take_smallest(|&i| (i >= 1).then_some(i as usize)), Some(1));
        assert_eq!(kept.take_smallest(|_| None), None);
        while kept.take().is_some() {}
        assert_eq!(kept.take(), None);
    }
}
