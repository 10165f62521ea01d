//! The two ends that read: blocks from raw input, frames from a compressed stream.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use cobolp_stages::l8_seal::StreamSummary;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc::Sender;

use super::Progress;
use crate::cut::BlockCutter;
use crate::error::{EngineError, Result};
use crate::frame_reader::{FrameReader, Next};
use crate::plan::{CompressJob, DecompressJob};
use crate::unfinished::Unfinished;

/// Cuts the input into blocks and sends them on; returns the bytes read.
pub(crate) async fn read_blocks<R: AsyncRead + Unpin>(
    mut reader: R,
    block_size: usize,
    record_len: Option<usize>,
    output: Sender<CompressJob>,
    progress: Arc<Progress>,
) -> Result<u64> {
    let mut cutter = BlockCutter::new(block_size, record_len);
    let mut index = 0u64;
    let mut at_end = false;
    while !at_end || cutter.held() > 0 {
        while !at_end && cutter.room() > 0 {
            let room = cutter.room() as u64;
            let n = (&mut reader)
                .take(room)
                .read_buf(cutter.buffer())
                .await
                .map_err(|e| EngineError::io("reading input", e))?;
            at_end = n == 0;
            progress.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
        }
        while let Some((offset, block)) = cutter.next_block(at_end) {
            output.send(CompressJob::new(index, offset, block)).await.map_err(|_| EngineError::Stopped)?;
            index += 1;
        }
    }
    Ok(cutter.offset())
}

/// Reads frames, skips skippable ones, checks the stream's order and end, and sends
/// data frames on; returns the bytes read and what the streams held.
pub(crate) async fn read_frames<R: AsyncRead + Unpin>(
    mut reader: R,
    output: Sender<DecompressJob>,
    progress: Arc<Progress>,
    unfinished: Unfinished,
) -> Result<(u64, StreamSummary)> {
    let mut frames = FrameReader::new();
    frames.set_unfinished(unfinished);
    let mut held = Vec::new();
    loop {
        let next = frames.next(&held)?;
        let used = next.used();
        match next {
            Next::NeedMore(need) => {
                let want = need.saturating_sub(held.len()).max(1);
                held.reserve_exact(want);
                let got = (&mut reader)
                    .take(want as u64)
                    .read_to_end(&mut held)
                    .await
                    .map_err(|e| EngineError::io("reading input", e))?;
                if got == 0 {
                    let summary = frames.finish(&held)?;
                    return Ok((frames.offset() + held.len() as u64, summary));
                }
                continue;
            }
            Next::Data { header, index, offset, len, .. } => {
                // The frame is all that is held: its payload becomes the job's without a copy.
                debug_assert_eq!(held.len(), len);
                let mut payload = std::mem::take(&mut held);
                payload.drain(..header.header_len());
                let job = DecompressJob::new(index, offset, header, payload);
                output.send(job).await.map_err(|_| EngineError::Stopped)?;
            }
            Next::Skippable { .. } | Next::Skipped(_) | Next::End { .. } => {}
        }
        if used > 0 && !held.is_empty() {
            held.drain(..used);
        }
        progress.bytes_in.store(frames.offset(), Ordering::Relaxed);
    }
}
