//! Test helpers shared by the io tests: readers and writers that alternate
//! `Poll::Pending` and `Ready` and move bytes in chosen chunk sizes, generated data,
//! and a small engine configuration.
#![allow(dead_code)]

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use cobolp_io::EngineConfig;
use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

/// The smallest block size the engine accepts, so tests cross blocks cheaply.
pub const BLOCK: usize = 64 << 10;

pub fn config() -> EngineConfig {
    EngineConfig::default().with_block_size(BLOCK).with_threads(1)
}

/// `len` bytes of log-like lines, varied by `seed`.
pub fn log_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 128);
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    let mut i = 0u64;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let level = ["INFO", "WARN", "DEBUG", "ERROR"][(x % 4) as usize];
        let line = format!(
            "2026-11-25T10:{:02}:{:02}.{:03}Z {level} worker-{} request id={} path=/api/v1/items/{} status={} took={}ms\n",
            (i / 60) % 60,
            i % 60,
            x % 1000,
            x % 8,
            x >> 40,
            (x >> 20) % 5000,
            [200, 200, 200, 404, 500][((x >> 8) % 5) as usize],
            (x >> 30) % 900
        );
        out.extend_from_slice(line.as_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}

/// Pseudo-random bytes (incompressible), varied by `seed`.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Splits `data` into pieces whose sizes cycle through `sizes` (each at least 1).
pub fn pieces<'a>(data: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    while pos < data.len() {
        let n = sizes.get(i % sizes.len().max(1)).copied().unwrap_or(usize::MAX).max(1).min(data.len() - pos);
        out.push(&data[pos..pos + n]);
        pos += n;
        i += 1;
    }
    out
}

/// An `AsyncRead` + `AsyncBufRead` over bytes in memory that answers `Pending` (after
/// waking itself) every other call and hands out chunks whose sizes cycle through a
/// list, so adapters see every split of their input.
pub struct PendingReader {
    data: Vec<u8>,
    pos: usize,
    sizes: Vec<usize>,
    turn: usize,
    pend: bool,
    /// How many times it answered `Pending`.
    pub pendings: usize,
}

impl PendingReader {
    pub fn new(data: Vec<u8>, sizes: &[usize]) -> Self {
        let sizes = if sizes.is_empty() { vec![usize::MAX] } else { sizes.iter().map(|&s| s.max(1)).collect() };
        PendingReader { data, pos: 0, sizes, turn: 0, pend: true, pendings: 0 }
    }

    fn chunk(&self) -> usize {
        self.sizes[self.turn % self.sizes.len()].min(self.data.len() - self.pos)
    }

    fn pend(&mut self, cx: &mut Context<'_>) -> bool {
        self.pend = !self.pend;
        if !self.pend {
            self.pendings += 1;
            cx.waker().wake_by_ref();
            return true;
        }
        false
    }
}

impl AsyncRead for PendingReader {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.pend(cx) {
            return Poll::Pending;
        }
        let n = self.chunk().min(buf.remaining());
        let start = self.pos;
        buf.put_slice(&self.data[start..start + n]);
        self.pos += n;
        self.turn += 1;
        Poll::Ready(Ok(()))
    }
}

impl AsyncBufRead for PendingReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.pend(cx) {
            return Poll::Pending;
        }
        let n = this.chunk();
        Poll::Ready(Ok(&this.data[this.pos..this.pos + n]))
    }

    fn consume(mut self: Pin<&mut Self>, amt: usize) {
        self.pos += amt;
        self.turn += 1;
    }
}

/// An `AsyncWrite` into memory that answers `Pending` (after waking itself) every
/// other call and takes at most a chunk per write, chunk sizes cycling through a list.
#[derive(Default)]
pub struct PendingWriter {
    pub data: Vec<u8>,
    sizes: Vec<usize>,
    turn: usize,
    /// One toggle per method: callers such as `FramedWrite::poll_close` flush again
    /// every time they are polled, and a toggle shared with `poll_shutdown` would then
    /// answer `Pending` to one or the other for ever.
    pend: [bool; 3],
    pub flushes: usize,
    pub shut_down: bool,
}

impl PendingWriter {
    pub fn new(sizes: &[usize]) -> Self {
        let sizes = if sizes.is_empty() { vec![usize::MAX] } else { sizes.iter().map(|&s| s.max(1)).collect() };
        PendingWriter { data: Vec::new(), sizes, turn: 0, pend: [true; 3], flushes: 0, shut_down: false }
    }

    fn pend(&mut self, method: usize, cx: &mut Context<'_>) -> bool {
        self.pend[method] = !self.pend[method];
        if !self.pend[method] {
            cx.waker().wake_by_ref();
            return true;
        }
        false
    }
}

impl AsyncWrite for PendingWriter {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        assert!(!self.shut_down, "write after shutdown reached the inner writer");
        if self.pend(0, cx) {
            return Poll::Pending;
        }
        let n = self.sizes[self.turn % self.sizes.len()].min(buf.len());
        self.turn += 1;
        self.data.extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pend(1, cx) {
            return Poll::Pending;
        }
        self.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pend(2, cx) {
            return Poll::Pending;
        }
        self.shut_down = true;
        Poll::Ready(Ok(()))
    }
}

/// The data held by the complete data frames at the front of `stream`, and how many
/// bytes those frames (and skippable frames between them) span.
pub fn complete_frames(stream: &[u8]) -> (usize, usize) {
    use cobolp_stages::l8_seal::{frame_extent, FrameHeader, FRAME_MAGIC};
    let (mut pos, mut data) = (0, 0);
    while let Ok(Some(len)) = frame_extent(&stream[pos..]) {
        if stream.len() - pos < len {
            break;
        }
        if stream[pos..pos + 4] == FRAME_MAGIC {
            data += FrameHeader::parse(&stream[pos..]).unwrap().original_len as usize;
        }
        pos += len;
    }
    (data, pos)
}

/// Where each frame of `stream` starts, and its end as the last entry.
pub fn frame_bounds(stream: &[u8]) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut pos = 0;
    while let Some((_, len)) = cobolp_stages::l8_seal::next_frame(&stream[pos..]).unwrap() {
        pos += len;
        bounds.push(pos);
    }
    bounds
}
