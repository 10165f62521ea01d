//! Wakes a task at a given instant, on any executor: one thread for the whole process,
//! started on first use, sleeping until the earliest deadline it holds.
//!
//! The write encoder's coalescing flush needs a timer, and tokio's would panic on a
//! runtime built without `enable_time` (and not exist at all under other executors).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, OnceLock};
use std::task::Waker;
use std::time::Instant;

struct Entry {
    at: Instant,
    seq: u64,
    waker: Waker,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Default)]
struct Timers {
    due: Mutex<(BinaryHeap<Reverse<Entry>>, u64)>,
    changed: Condvar,
}

fn timers() -> &'static Timers {
    static TIMERS: OnceLock<&'static Timers> = OnceLock::new();
    TIMERS.get_or_init(|| {
        let timers: &'static Timers = Box::leak(Box::default());
        std::thread::Builder::new()
            .name("cobolp-wake-timer".into())
            .spawn(move || run(timers))
            .expect("cannot start the wake timer thread");
        timers
    })
}

fn run(timers: &'static Timers) -> ! {
    let mut due = timers.due.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        while due.0.peek().is_some_and(|Reverse(e)| e.at <= now) {
            let Reverse(entry) = due.0.pop().expect("peeked");
            entry.waker.wake();
        }
        due = match due.0.peek().map(|Reverse(e)| e.at) {
            Some(at) => timers.changed.wait_timeout(due, at - now).unwrap_or_else(|e| e.into_inner()).0,
            None => timers.changed.wait(due).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

/// Wakes `waker` at `at` (or soon after).
pub(crate) fn wake_at(at: Instant, waker: Waker) {
    let timers = timers();
    let mut due = timers.due.lock().unwrap_or_else(|e| e.into_inner());
    due.1 += 1;
    let seq = due.1;
    due.0.push(Reverse(Entry { at, seq, waker }));
    timers.changed.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;
    use std::time::Duration;

    /// Records when it was woken.
    struct Woken(Mutex<Vec<Instant>>);
    impl Wake for Woken {
        fn wake(self: Arc<Self>) {
            self.0.lock().unwrap().push(Instant::now());
        }
    }

    #[test]
    fn wakes_each_waker_once_and_never_early() {
        let (late, early) = (Arc::new(Woken(Mutex::default())), Arc::new(Woken(Mutex::default())));
        let start = Instant::now();
        let (late_at, early_at) = (start + Duration::from_millis(40), start + Duration::from_millis(5));
        wake_at(late_at, Waker::from(late.clone()));
        wake_at(early_at, Waker::from(early.clone()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while late.0.lock().unwrap().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let (late, early) = (late.0.lock().unwrap().clone(), early.0.lock().unwrap().clone());
        assert_eq!((late.len(), early.len()), (1, 1));
        assert!(late[0] >= late_at && early[0] >= early_at);
    }
}
