//! The pipelined executor: order, equivalence with the inline executor, errors that
//! name their frame, backpressure, and input that arrives in pieces.

mod common;

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use cobol_protocol::{EngineConfig, EngineError, InlineEngine, Pipeline, PipelineConfig};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

fn config(threads: usize) -> EngineConfig {
    EngineConfig::default().with_block_size(64 << 10).with_threads(threads)
}

fn pipeline(threads: usize, depth: usize) -> Pipeline {
    Pipeline::with_pipeline_config(config(threads), PipelineConfig::default().with_channel_depth(depth)).unwrap()
}

async fn pipeline_compress(data: &[u8], threads: usize, depth: usize) -> Vec<u8> {
    let mut out = Vec::new();
    pipeline(threads, depth).compress(data, &mut out).await.unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_output_equals_inline_output() {
    let mut data = common::log_lines(20_000, 5);
    data.extend_from_slice(&common::noise(200_000, 5));
    data.extend_from_slice(&common::log_lines(5_000, 6));
    let inline = InlineEngine::new(&config(1)).unwrap().compress_to_vec(&data).unwrap();
    for (threads, depth) in [(1, 1), (2, 1), (4, 3)] {
        let piped = pipeline_compress(&data, threads, depth).await;
        assert_eq!(piped, inline, "threads {threads} depth {depth}");
        let mut back = Vec::new();
        let report = pipeline(threads, depth).decompress(&piped[..], &mut back).await.unwrap();
        assert_eq!(back, data);
        assert_eq!(report.bytes_out, data.len() as u64);
        assert!(report.frames > 10);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_input_round_trips() {
    let packed = pipeline_compress(b"", 2, 2).await;
    let mut back = Vec::new();
    pipeline(2, 2).decompress(&packed[..], &mut back).await.unwrap();
    assert!(back.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concatenated_streams_decode_as_one() {
    let a = common::log_lines(3000, 1);
    let b = common::noise(70_000, 2);
    let mut both = pipeline_compress(&a, 2, 2).await;
    both.extend_from_slice(&pipeline_compress(&b, 2, 2).await);
    let mut back = Vec::new();
    pipeline(2, 2).decompress(&both[..], &mut back).await.unwrap();
    assert_eq!(back, [a, b].concat());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_frame_in_the_middle_is_named_and_stops_everything() {
    let data = common::log_lines(30_000, 8);
    let mut packed = pipeline_compress(&data, 2, 2).await;
    // Find the third frame and damage its payload.
    let mut pos = 0;
    let mut starts = Vec::new();
    while let Some((_, len)) = cobol_protocol::layers::l8_seal::next_frame(&packed[pos..]).unwrap() {
        starts.push(pos);
        pos += len;
    }
    assert!(starts.len() > 5);
    packed[starts[3] + 70] ^= 0x40;
    let mut back = Vec::new();
    let err = pipeline(2, 2).decompress(&packed[..], &mut back).await.unwrap_err();
    match err {
        EngineError::Frame { index, offset, .. } => {
            assert_eq!(index, 3);
            assert_eq!(offset, starts[3] as u64);
        }
        other => panic!("expected a frame error, got {other}"),
    }
    assert!(back.len() <= starts.len() * (64 << 10), "no runaway output");
    assert_eq!(back[..], data[..back.len()], "what was written before the error is correct");
}

/// Yields its data in small pieces with `Pending` in between, and counts what it gave.
struct TrickleReader {
    data: Vec<u8>,
    pos: usize,
    ready: bool,
    served: Arc<AtomicUsize>,
    endless: bool,
}

impl AsyncRead for TrickleReader {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = false;
        if self.endless && self.pos == self.data.len() {
            self.pos = 0;
        }
        let n = (self.data.len() - self.pos).min(buf.remaining()).min(4099);
        buf.put_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.served.fetch_add(n, Ordering::Relaxed);
        Poll::Ready(Ok(()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_arriving_in_pieces_with_pending_round_trips() {
    let data = common::log_lines(10_000, 11);
    let reader = TrickleReader { data: data.clone(), pos: 0, ready: false, served: Arc::default(), endless: false };
    let mut packed = Vec::new();
    pipeline(2, 1).compress(reader, &mut packed).await.unwrap();
    let reader = TrickleReader { data: packed, pos: 0, ready: false, served: Arc::default(), endless: false };
    let mut back = Vec::new();
    pipeline(2, 1).decompress(reader, &mut back).await.unwrap();
    assert_eq!(back, data);
}

/// A writer that never accepts a byte: the slowest possible consumer.
struct StuckWriter;

impl AsyncWrite for StuckWriter {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Pending
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Pending
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_writer_stops_the_reader_within_the_memory_bound() {
    let served = Arc::new(AtomicUsize::new(0));
    let reader =
        TrickleReader { data: common::log_lines(2000, 4), pos: 0, ready: false, served: served.clone(), endless: true };
    let cfg = config(2);
    let pipeline = pipeline(2, 2);
    let run = pipeline.compress(reader, StuckWriter);
    // The endless input would never end; the run must stall, and is dropped mid-way.
    assert!(tokio::time::timeout(Duration::from_millis(1500), run).await.is_err());
    let stages = cobol_protocol::layers::LayerId::ALL.len();
    let bound = PipelineConfig::default().with_channel_depth(2).blocks_in_memory(stages, 2) * cfg.block_size;
    let read = served.load(Ordering::Relaxed);
    assert!(read > 0 && read <= bound, "read {read} bytes with a stuck writer; bound {bound}");
    // Dropping the run aborted its stage tasks: none is left alive (a block already on
    // the blocking pool finishes first, so give it a moment).
    assert_eq!(alive_tasks_after_a_moment().await, 0, "tasks left behind by a dropped run");
    // Dropping the run released the stages: the same pipeline still works.
    let mut out = Vec::new();
    pipeline.compress(&b"after"[..], &mut out).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stage_metrics_cover_every_stage() {
    let data = common::log_lines(5000, 2);
    let mut out = Vec::new();
    let report = pipeline(2, 2).compress(&data[..], &mut out).await.unwrap();
    let names: Vec<&str> = report.stages.iter().map(|s| s.name).collect();
    assert_eq!(names, ["L1 semantic", "L5 rle", "L6 pattern", "L7 entropy", "L8 seal"], "Bridge, the default");
    for s in &report.stages {
        assert_eq!(s.bytes, data.len() as u64, "{}", s.name);
        assert!(s.blocks >= 5 && s.p99 >= s.p50);
    }
    assert!(report.to_string().contains("L6 pattern"));
}

/// A writer that takes `left` bytes, then fails with the error it holds.
struct FailingWriter {
    left: usize,
    error: io::ErrorKind,
}

impl AsyncWrite for FailingWriter {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.left == 0 {
            return Poll::Ready(Err(io::Error::from(self.error)));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Poll::Ready(Ok(n))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A reader that gives `left` bytes of log lines, then fails with EIO.
struct FailingReader {
    data: Vec<u8>,
    pos: usize,
    left: usize,
}

impl AsyncRead for FailingReader {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.left == 0 {
            return Poll::Ready(Err(io::Error::from_raw_os_error(5)));
        }
        let n = buf.remaining().min(self.left).min(self.data.len() - self.pos % self.data.len());
        let at = self.pos % self.data.len();
        buf.put_slice(&self.data[at..at + n]);
        self.pos += n;
        self.left -= n;
        Poll::Ready(Ok(()))
    }
}

/// Faults at either end stop the run with the cause (a disk that fills, a device
/// that fails), never a hang or a success; in both directions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_writer_or_reader_ends_the_run_with_its_cause() {
    let data = common::log_lines(20_000, 7);
    let packed = pipeline_compress(&data, 2, 1).await;
    // Failing at the start, in the middle and at the last byte of the output.
    for left in [0, 1, packed.len() / 3, packed.len() - 1] {
        for error in [io::ErrorKind::StorageFull, io::ErrorKind::BrokenPipe] {
            let p = pipeline(2, 1);
            let run = p.compress(&data[..], FailingWriter { left, error });
            let err = tokio::time::timeout(Duration::from_secs(30), run).await.expect("no hang").unwrap_err();
            assert!(
                matches!(&err, EngineError::Io { context: "writing output", source } if source.kind() == error),
                "{err}"
            );
        }
    }
    let p = pipeline(2, 1);
    let run = p.decompress(&packed[..], FailingWriter { left: 100_000, error: io::ErrorKind::StorageFull });
    let err = tokio::time::timeout(Duration::from_secs(30), run).await.expect("no hang").unwrap_err();
    assert!(matches!(err, EngineError::Io { context: "writing output", .. }), "{err}");
    for left in [0, 10, 200_000] {
        let reader = FailingReader { data: data.clone(), pos: 0, left };
        let p = pipeline(2, 1);
        let run = p.compress(reader, FailingWriter { left: usize::MAX, error: io::ErrorKind::Other });
        let err = tokio::time::timeout(Duration::from_secs(30), run).await.expect("no hang").unwrap_err();
        assert!(
            matches!(&err, EngineError::Io { context: "reading input", source } if source.raw_os_error() == Some(5)),
            "{err}"
        );
        let reader = FailingReader { data: packed.clone(), pos: 0, left };
        let run = p.decompress(reader, FailingWriter { left: usize::MAX, error: io::ErrorKind::Other });
        let err = tokio::time::timeout(Duration::from_secs(30), run).await.expect("no hang").unwrap_err();
        assert!(matches!(err, EngineError::Io { context: "reading input", .. }), "{err}");
    }
}

/// Dropping a decompression midway stops its stages too, as dropping a compression
/// does (above): no task is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_decompression_midway_leaves_no_task() {
    let data = common::log_lines(200_000, 9);
    let packed = pipeline_compress(&data, 2, 1).await;
    let p = pipeline(2, 1);
    let run = p.decompress(&packed[..], StuckWriter);
    assert!(tokio::time::timeout(Duration::from_millis(300), run).await.is_err(), "a stuck writer stalls the run");
    assert_eq!(alive_tasks_after_a_moment().await, 0, "tasks left behind by a dropped run");
}

/// The runtime's live tasks, once those that are ending have had a moment (a block
/// already on the blocking pool finishes first).
async fn alive_tasks_after_a_moment() -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    for _ in 0..200 {
        if metrics.num_alive_tasks() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    metrics.num_alive_tasks()
}
