//! The two ends that read: blocks from raw input, frames from a compressed stream.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use cobolp_stages::l8_seal::{self, FrameHeader, HEADER_LEN, SKIPPABLE_HEADER_LEN, SKIPPABLE_MAGIC};
use cobolp_stages::Error as StageError;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc::Sender;

use super::Progress;
use crate::cut::cut_for;
use crate::error::{EngineError, Result};
use crate::plan::{CompressJob, DecompressJob};

/// Cuts the input into blocks and sends them on; returns the bytes read.
pub(crate) async fn read_blocks<R: AsyncRead + Unpin>(
    mut reader: R,
    block_size: usize,
    record_len: Option<usize>,
    output: Sender<CompressJob>,
    progress: Arc<Progress>,
) -> Result<u64> {
    let mut buf: Vec<u8> = Vec::with_capacity(block_size);
    let mut offset = 0u64;
    let mut index = 0u64;
    let mut at_end = false;
    loop {
        while !at_end && buf.len() < block_size {
            buf.reserve(block_size - buf.len());
            let limit = block_size - buf.len();
            let n = (&mut reader)
                .take(limit as u64)
                .read_buf(&mut buf)
                .await
                .map_err(|e| EngineError::io("reading input", e))?;
            at_end = n == 0;
            progress.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
        }
        if at_end && buf.is_empty() && index > 0 {
            return Ok(offset);
        }
        let cut = cut_for(&buf, block_size, at_end, record_len);
        let rest = buf[cut..].to_vec();
        buf.truncate(cut);
        let block = std::mem::replace(&mut buf, rest);
        let len = block.len() as u64;
        output.send(CompressJob::new(index, offset, block)).await.map_err(|_| EngineError::Stopped)?;
        offset += len;
        index += 1;
        if at_end && buf.is_empty() {
            return Ok(offset);
        }
    }
}

/// Reads frames, skips skippable ones, and sends data frames on; returns bytes read.
pub(crate) async fn read_frames<R: AsyncRead + Unpin>(
    mut reader: R,
    output: Sender<DecompressJob>,
    progress: Arc<Progress>,
) -> Result<u64> {
    let mut offset = 0u64;
    let mut index = 0u64;
    let frame_err = |index, offset, source| EngineError::Frame { index, offset, source };
    loop {
        let mut head = [0u8; HEADER_LEN];
        let got = read_up_to(&mut reader, &mut head[..4]).await?;
        if got == 0 {
            return Ok(offset);
        }
        if got < 4 {
            return Err(frame_err(index, offset, StageError::Truncated { what: "frame magic", needed: 4 - got }));
        }
        if head[..4] == SKIPPABLE_MAGIC {
            let got = read_up_to(&mut reader, &mut head[4..SKIPPABLE_HEADER_LEN]).await?;
            let len = l8_seal::skippable_len(&head[..4 + got]).map_err(|e| frame_err(index, offset, e))?;
            let skipped = tokio::io::copy(&mut (&mut reader).take(u64::from(len)), &mut tokio::io::sink())
                .await
                .map_err(|e| EngineError::io("reading input", e))?;
            if skipped < u64::from(len) {
                let needed = (u64::from(len) - skipped) as usize;
                return Err(frame_err(index, offset, StageError::Truncated { what: "skippable frame", needed }));
            }
            offset += SKIPPABLE_HEADER_LEN as u64 + u64::from(len);
            progress.bytes_in.store(offset, Ordering::Relaxed);
            continue;
        }
        let got = read_up_to(&mut reader, &mut head[4..]).await?;
        let header = FrameHeader::parse(&head[..4 + got]).map_err(|e| frame_err(index, offset, e))?;
        let mut payload = vec![0u8; header.payload_len as usize];
        let got = read_up_to(&mut reader, &mut payload).await?;
        if got < payload.len() {
            return Err(frame_err(
                index,
                offset,
                StageError::Truncated { what: "frame payload", needed: payload.len() - got },
            ));
        }
        output.send(DecompressJob::new(index, offset, header, payload)).await.map_err(|_| EngineError::Stopped)?;
        offset += header.frame_len() as u64;
        progress.bytes_in.store(offset, Ordering::Relaxed);
        index += 1;
    }
}

async fn read_up_to<R: AsyncRead + Unpin>(reader: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = reader.read(&mut buf[filled..]).await.map_err(|e| EngineError::io("reading input", e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}
