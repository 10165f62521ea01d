//! The end that writes: frames or decoded blocks, in input order.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use cobolp_stages::l8_seal::{FrameHeader, StreamTally, MAX_END_LEN};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::Receiver;

use super::Progress;
use crate::error::{EngineError, Result};
use crate::plan::{CompressJob, DecompressJob};

/// What a finished job hands to the writer.
pub(crate) trait Output {
    /// Whether the jobs write frames, so that the stream they make needs its end frame.
    const FRAMES: bool;
    fn bytes(&self) -> &[u8];
    /// The header of the frame the job wrote, when it wrote one.
    fn sealed(&self) -> Option<&FrameHeader>;
    /// The job once its bytes are written: what it holds may serve a later one.
    fn written(self);
}

impl Output for CompressJob {
    const FRAMES: bool = true;
    fn bytes(&self) -> &[u8] {
        &self.frame
    }
    fn sealed(&self) -> Option<&FrameHeader> {
        self.header.as_ref()
    }
    fn written(self) {}
}

impl Output for DecompressJob {
    const FRAMES: bool = false;
    fn bytes(&self) -> &[u8] {
        &self.output
    }
    fn sealed(&self) -> Option<&FrameHeader> {
        None
    }
    fn written(self) {
        cobolp_stages::block_buffers::give_back(self.output);
    }
}

/// Writes every job's output in the order received and, after frames, the stream's
/// end frame; returns (bytes, jobs) written.
pub(crate) async fn write_all<J: Output, W: AsyncWrite + Unpin>(
    mut writer: W,
    mut input: Receiver<J>,
    progress: Arc<Progress>,
) -> Result<(u64, u64)> {
    let mut written = 0u64;
    let mut jobs = 0u64;
    let mut tally = StreamTally::default();
    while let Some(job) = input.recv().await {
        if let Some(header) = job.sealed() {
            tally.add(header);
        }
        written += put(&mut writer, job.bytes(), &progress).await?;
        job.written();
        jobs += 1;
    }
    if J::FRAMES {
        let mut end = Vec::with_capacity(MAX_END_LEN);
        tally.end_frame().write(&mut end);
        written += put(&mut writer, &end, &progress).await?;
    }
    writer.flush().await.map_err(|e| EngineError::io("writing output", e))?;
    Ok((written, jobs))
}

async fn put<W: AsyncWrite + Unpin>(writer: &mut W, bytes: &[u8], progress: &Progress) -> Result<u64> {
    writer.write_all(bytes).await.map_err(|e| EngineError::io("writing output", e))?;
    progress.bytes_out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    Ok(bytes.len() as u64)
}
