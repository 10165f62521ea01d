//! The end that writes: frames or decoded blocks, in input order.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::Receiver;

use super::Progress;
use crate::error::{EngineError, Result};
use crate::plan::{CompressJob, DecompressJob};

/// What a finished job hands to the writer.
pub(crate) trait Output {
    fn bytes(&self) -> &[u8];
}

impl Output for CompressJob {
    fn bytes(&self) -> &[u8] {
        &self.frame
    }
}

impl Output for DecompressJob {
    fn bytes(&self) -> &[u8] {
        &self.output
    }
}

/// Writes every job's output in the order received; returns (bytes, jobs) written.
pub(crate) async fn write_all<J: Output, W: AsyncWrite + Unpin>(
    mut writer: W,
    mut input: Receiver<J>,
    progress: Arc<Progress>,
) -> Result<(u64, u64)> {
    let mut written = 0u64;
    let mut jobs = 0u64;
    while let Some(job) = input.recv().await {
        let bytes = job.bytes();
        writer.write_all(bytes).await.map_err(|e| EngineError::io("writing output", e))?;
        written += bytes.len() as u64;
        jobs += 1;
        progress.bytes_out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    }
    writer.flush().await.map_err(|e| EngineError::io("writing output", e))?;
    Ok((written, jobs))
}
