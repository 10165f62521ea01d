//! The two ends that read: blocks from raw input, frames from a compressed stream.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use cobolp_stages::l8_seal::{self, FrameHead, StreamCheck, StreamSummary, HEAD_PREFIX_LEN, MAX_HEAD_LEN};
use cobolp_stages::Error as StageError;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc::Sender;

use super::Progress;
use crate::cut::cut_for;
use crate::error::{EngineError, Result};
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
        if at_end && buf.is_empty() {
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

/// Reads frames, skips skippable ones, checks the stream's order and end, and sends
/// data frames on; returns the bytes read and what the streams held.
pub(crate) async fn read_frames<R: AsyncRead + Unpin>(
    mut reader: R,
    output: Sender<DecompressJob>,
    progress: Arc<Progress>,
    unfinished: Unfinished,
) -> Result<(u64, StreamSummary)> {
    let mut offset = 0u64;
    let mut index = 0u64;
    let mut check = StreamCheck::default();
    let mut head = [0u8; MAX_HEAD_LEN];
    loop {
        let at = |source| EngineError::Frame { index, offset, source };
        let got = read_up_to(&mut reader, &mut head[..HEAD_PREFIX_LEN]).await?;
        if got == 0 {
            return Ok((offset, unfinished.judge(&check).map_err(at)?));
        }
        let len = l8_seal::head_len(&head[..got]).map_err(at)?;
        let more = read_up_to(&mut reader, &mut head[got..len]).await?;
        let frame_head = l8_seal::parse_head(&head[..got + more]).map_err(at)?;
        let body_len = frame_head.body_len();
        match frame_head {
            FrameHead::Data(header) => {
                check.data(&header).map_err(at)?;
                let mut payload = vec![0u8; body_len];
                let got = read_up_to(&mut reader, &mut payload).await?;
                if got < payload.len() {
                    let needed = payload.len() - got;
                    return Err(at(StageError::Truncated { what: "frame payload", needed }));
                }
                output
                    .send(DecompressJob::new(index, offset, header, payload))
                    .await
                    .map_err(|_| EngineError::Stopped)?;
                index += 1;
            }
            FrameHead::Skippable(len) => {
                let skipped = tokio::io::copy(&mut (&mut reader).take(u64::from(len)), &mut tokio::io::sink())
                    .await
                    .map_err(|e| EngineError::io("reading input", e))?;
                if skipped < u64::from(len) {
                    let needed = (u64::from(len) - skipped) as usize;
                    return Err(at(StageError::Truncated { what: "skippable frame", needed }));
                }
            }
            FrameHead::End(end) => check.end(&end).map_err(at)?,
        }
        offset += (len + body_len) as u64;
        progress.bytes_in.store(offset, Ordering::Relaxed);
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
