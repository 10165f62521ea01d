//! Per-stage measurements: where the time goes, and which stage holds the others up.

use std::fmt;

use cobolp_stages::l8_seal::StreamSummary;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;

/// Counters one stage updates as it works. Cheap enough to keep always on.
pub struct StageMetrics {
    pub name: &'static str,
    busy_ns: AtomicU64,
    blocks: AtomicU64,
    bytes: AtomicU64,
    starved_ns: AtomicU64,
    blocked_ns: AtomicU64,
    latency_us: Mutex<Histogram<u64>>,
}

impl StageMetrics {
    pub fn new(name: &'static str) -> StageMetrics {
        StageMetrics {
            name,
            busy_ns: AtomicU64::new(0),
            blocks: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            starved_ns: AtomicU64::new(0),
            blocked_ns: AtomicU64::new(0),
            latency_us: Mutex::new(Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds")),
        }
    }

    /// One block done: its work took `busy` and it stands for `bytes` of original data.
    pub fn record_block(&self, busy: Duration, bytes: usize) {
        self.busy_ns.fetch_add(busy.as_nanos() as u64, Ordering::Relaxed);
        self.blocks.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        if let Ok(mut h) = self.latency_us.lock() {
            h.saturating_record((busy.as_micros() as u64).max(1));
        }
    }

    /// Time spent with nothing to do, waiting on an empty input channel.
    pub fn record_starved(&self, wait: Duration) {
        self.starved_ns.fetch_add(wait.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Time spent waiting for room in a full output channel.
    pub fn record_blocked(&self, wait: Duration) {
        self.blocked_ns.fetch_add(wait.as_nanos() as u64, Ordering::Relaxed);
    }

    pub fn report(&self) -> StageReport {
        let (p50, p99, p999) = match self.latency_us.lock() {
            Ok(h) if !h.is_empty() => {
                (h.value_at_quantile(0.50), h.value_at_quantile(0.99), h.value_at_quantile(0.999))
            }
            _ => (0, 0, 0),
        };
        let ns = |a: &AtomicU64| Duration::from_nanos(a.load(Ordering::Relaxed));
        StageReport {
            name: self.name,
            blocks: self.blocks.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            busy: ns(&self.busy_ns),
            starved: ns(&self.starved_ns),
            blocked: ns(&self.blocked_ns),
            p50: Duration::from_micros(p50),
            p99: Duration::from_micros(p99),
            p999: Duration::from_micros(p999),
        }
    }
}

/// A snapshot of one stage's counters.
#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    /// The stage: the layer it runs ("L6 pattern"), or the framing around them.
    pub name: &'static str,
    /// Blocks it worked on.
    pub blocks: u64,
    /// Original bytes of those blocks.
    pub bytes: u64,
    /// Summed work time over all blocks (can exceed wall time with several threads).
    pub busy: Duration,
    /// Time it waited with nothing to do (its input channel empty).
    pub starved: Duration,
    /// Time it waited to hand a block on (its output channel full).
    pub blocked: Duration,
    /// Work time of a block: the median.
    pub p50: Duration,
    /// Work time of a block: the 99th percentile.
    pub p99: Duration,
    /// Work time of a block: the 99.9th percentile.
    pub p999: Duration,
}

impl StageReport {
    /// Original bytes per second of busy time: the stage's speed on one thread.
    pub fn mb_per_s(&self) -> f64 {
        mb_per_s(self.bytes, self.busy)
    }
}

/// `bytes` in `time`, in millions of bytes a second (0 for no time).
pub(crate) fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    let s = time.as_secs_f64();
    if s == 0.0 {
        0.0
    } else {
        bytes as f64 / s / 1e6
    }
}

/// What a whole run did, stage by stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PipelineReport {
    /// Each stage, in pipeline order.
    pub stages: Vec<StageReport>,
    /// The run's wall-clock time.
    pub wall: Duration,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Blocks that went through (frames made, or frames decoded).
    pub frames: u64,
    /// Upper bound on block buffers alive at once, in bytes (see `PipelineConfig::blocks_in_memory`).
    pub memory_bound: u64,
    /// Decompression: what the input held, streams and frames, and whether the last
    /// stream lacked its end (only when that was accepted, see [`crate::Unfinished`]).
    pub streams: Option<StreamSummary>,
}

impl fmt::Display for PipelineReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<14} {:>7} {:>10} {:>10} {:>11} {:>11} {:>9} {:>9} {:>9}",
            "stage", "blocks", "busy s", "MB/s", "starved s", "blocked s", "p50 ms", "p99 ms", "p99.9 ms"
        )?;
        for s in &self.stages {
            writeln!(
                f,
                "{:<14} {:>7} {:>10.3} {:>10.1} {:>11.3} {:>11.3} {:>9.2} {:>9.2} {:>9.2}",
                s.name,
                s.blocks,
                s.busy.as_secs_f64(),
                s.mb_per_s(),
                s.starved.as_secs_f64(),
                s.blocked.as_secs_f64(),
                s.p50.as_secs_f64() * 1e3,
                s.p99.as_secs_f64() * 1e3,
                s.p999.as_secs_f64() * 1e3,
            )?;
        }
        let ratio = if self.bytes_out == 0 { 0.0 } else { self.bytes_in as f64 / self.bytes_out as f64 };
        write!(
            f,
            "{} frames, {} -> {} bytes (ratio {:.3}), {:.3} s wall, {:.1} MB/s, block memory bound {:.1} MiB",
            self.frames,
            self.bytes_in,
            self.bytes_out,
            ratio,
            self.wall.as_secs_f64(),
            mb_per_s(self.bytes_in.max(self.bytes_out), self.wall),
            self.memory_bound as f64 / (1 << 20) as f64
        )
    }
}
