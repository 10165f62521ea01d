//! The batcher: holds the bytes read but not yet framed, and says when a frame is due
//! and where it ends.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Decides frames: one as soon as `flush_bytes` are pending, and one when the oldest
/// pending byte has waited `interval`. A frame ends after the last line end (or file
/// boundary: a rotation or truncation) it may hold, so no line is split between frames
/// unless one line alone is longer than `flush_bytes`. A pending partial line with no
/// end yet waits for its end, for `flush_bytes`, or for [`Batcher::finish`].
pub struct Batcher {
    pending: Vec<u8>,
    flush_bytes: usize,
    interval: Duration,
    /// (end offset in `pending`, arrival time) of each push still (partly) pending,
    /// oldest first.
    arrivals: VecDeque<(usize, Instant)>,
    /// Offsets in `pending` where one file ended and the next began: frames may end there.
    boundaries: Vec<usize>,
}

impl Batcher {
    pub fn new(flush_bytes: usize, interval: Duration) -> Batcher {
        assert!(flush_bytes > 0, "flush_bytes must be at least 1");
        Batcher {
            pending: Vec::with_capacity(flush_bytes.min(4 << 20)),
            flush_bytes,
            interval,
            arrivals: VecDeque::new(),
            boundaries: Vec::new(),
        }
    }

    #[cfg(test)]
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// How many bytes may be read before a frame is due by size (at least 1).
    pub fn room(&self) -> usize {
        self.flush_bytes.saturating_sub(self.pending.len()).max(1)
    }

    /// The buffer new bytes are read into; call [`Batcher::arrived`] after growing it.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.pending
    }

    /// Records that the bytes added to [`Batcher::buffer`] since the last call arrived at `now`.
    pub fn arrived(&mut self, now: Instant) {
        let end = self.pending.len();
        let last = self.arrivals.back().map_or(0, |&(e, _)| e);
        if end > last {
            self.arrivals.push_back((end, now));
        }
    }

    /// Appends `data`, arrived at `now`.
    #[cfg(test)]
    pub fn push(&mut self, data: &[u8], now: Instant) {
        self.pending.extend_from_slice(data);
        self.arrived(now);
    }

    /// The bytes read so far ended one file (rotation or truncation): a frame may end here.
    pub fn file_boundary(&mut self) {
        let at = self.pending.len();
        if at > 0 && self.boundaries.last() != Some(&at) {
            self.boundaries.push(at);
        }
    }

    /// When the oldest pending byte becomes due by time.
    pub fn deadline(&self) -> Option<Instant> {
        self.arrivals.front().map(|&(_, t)| t + self.interval)
    }

    /// The length of the next frame, if one is due at `now`.
    pub fn due(&self, now: Instant) -> Option<usize> {
        if self.pending.len() >= self.flush_bytes {
            return Some(self.cut(self.flush_bytes).unwrap_or(self.flush_bytes));
        }
        if self.deadline().is_some_and(|d| d <= now) {
            return self.cut(self.pending.len());
        }
        None
    }

    /// The length of the next frame when everything pending must go out (at exit).
    pub fn finish(&self) -> Option<usize> {
        match self.pending.len() {
            0 => None,
            n if n > self.flush_bytes => Some(self.cut(self.flush_bytes).unwrap_or(self.flush_bytes)),
            n => Some(n),
        }
    }

    /// Removes the first `len` pending bytes (a frame's worth) and calls `emit` on them.
    pub fn take<E>(&mut self, len: usize, emit: impl FnOnce(&[u8]) -> Result<(), E>) -> Result<(), E> {
        emit(&self.pending[..len])?;
        self.pending.drain(..len);
        while self.arrivals.front().is_some_and(|&(end, _)| end <= len) {
            self.arrivals.pop_front();
        }
        for (end, _) in self.arrivals.iter_mut() {
            *end -= len;
        }
        self.boundaries.retain(|&b| b > len);
        for b in self.boundaries.iter_mut() {
            *b -= len;
        }
        Ok(())
    }

    /// The end of the last whole line or file within the first `limit` pending bytes.
    fn cut(&self, limit: usize) -> Option<usize> {
        let line = self.pending[..limit].iter().rposition(|&b| b == b'\n').map(|i| i + 1);
        let file = self.boundaries.iter().rev().find(|&&b| b <= limit).copied();
        line.max(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_bound_cuts_at_the_last_line_end() {
        let t0 = Instant::now();
        let mut b = Batcher::new(16, Duration::from_secs(3600));
        b.push(b"aaaa\nbbbb\ncc", t0);
        assert_eq!(b.due(t0), None);
        b.push(b"cc\ndddd\n", t0);
        assert_eq!(b.due(t0), Some(15), "the last line end within 16 bytes");
        b.take(15, |f| {
            assert_eq!(f, b"aaaa\nbbbb\ncccc\n");
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(b.pending(), 5);
        assert_eq!(b.due(t0), None);
    }

    #[test]
    fn a_line_longer_than_the_bound_is_split() {
        let t0 = Instant::now();
        let mut b = Batcher::new(8, Duration::from_secs(3600));
        b.push(b"0123456789abc\n", t0);
        assert_eq!(b.due(t0), Some(8));
    }

    #[test]
    fn interval_waits_for_a_line_end() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_millis(150);
        let mut b = Batcher::new(1 << 20, Duration::from_millis(100));
        b.push(b"first line\nsecond", t0);
        assert_eq!(b.due(t0), None, "not yet due");
        assert_eq!(b.due(later), Some(11), "only the whole line");
        b.take(11, |_| Ok::<_, ()>(())).unwrap();
        assert_eq!(b.due(later), None, "a partial line waits for its end");
        b.push(b" half\n", later);
        assert_eq!(b.due(later), Some(12), "the partial line's first bytes are overdue");
        assert_eq!(b.finish(), Some(12));
    }

    #[test]
    fn the_deadline_follows_the_oldest_pending_byte() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_millis(60);
        let mut b = Batcher::new(1 << 20, Duration::from_millis(100));
        b.push(b"a\n", t0);
        b.push(b"b\n", t1);
        b.take(2, |_| Ok::<_, ()>(())).unwrap();
        assert_eq!(b.deadline(), Some(t1 + Duration::from_millis(100)));
    }

    #[test]
    fn a_file_boundary_is_a_cut_point() {
        let t0 = Instant::now();
        let mut b = Batcher::new(10, Duration::from_secs(3600));
        b.push(b"no newline", t0);
        b.file_boundary();
        b.push(b"next file\n", t0);
        assert_eq!(b.due(t0), Some(10));
        b.take(10, |_| Ok::<_, ()>(())).unwrap();
        b.push(b"tail without end", t0);
        assert_eq!(b.finish(), Some(10), "finish still respects the bound");
    }
}
