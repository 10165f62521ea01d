//! The inline executor: the same plan as the pipeline, run synchronously one block at
//! a time. For slices, small messages, and `std::io` streams.

use std::io::{Read, Write};

use cobolp_stages::l8_seal::{self, FrameHeader, FrameRef, HEADER_LEN, SKIPPABLE_HEADER_LEN, SKIPPABLE_MAGIC};
use cobolp_stages::Error as StageError;

use crate::config::EngineConfig;
use crate::cut::cut_for;
use crate::error::{EngineError, Result};
use crate::plan::{compress_plan_for, decompress_plan, CompressJob, DecompressJob, Plan};

/// Compresses and decompresses on the calling thread.
pub struct InlineEngine {
    block_size: usize,
    record_len: Option<usize>,
    compress: Plan<CompressJob>,
    decompress: Plan<DecompressJob>,
}

impl InlineEngine {
    pub fn new(config: &EngineConfig) -> Result<InlineEngine> {
        config.validate()?;
        Ok(InlineEngine {
            block_size: config.block_size,
            record_len: config.record_len(),
            compress: compress_plan_for(config)?,
            decompress: decompress_plan(),
        })
    }

    /// Compresses one block into one frame, whatever its size up to the format's limit.
    pub fn compress_frame(&self, index: u64, offset: u64, block: &[u8]) -> Result<CompressJob> {
        let mut job = CompressJob::new(index, offset, block.to_vec());
        self.compress.run_all(&mut job)?;
        Ok(job)
    }

    /// Compresses `input` into a stream of frames appended to `out`.
    pub fn compress_into(&self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let mut pos = 0;
        let mut index = 0;
        loop {
            let cut = cut_for(&input[pos..], self.block_size, true, self.record_len);
            let job = self.compress_frame(index, pos as u64, &input[pos..pos + cut])?;
            out.extend_from_slice(&job.frame);
            pos += cut;
            index += 1;
            if pos == input.len() {
                return Ok(());
            }
        }
    }

    pub fn compress_to_vec(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(input.len() / 2 + 64);
        self.compress_into(input, &mut out)?;
        Ok(out)
    }

    /// Decodes one data frame back into its block.
    pub fn decompress_frame(&self, index: u64, offset: u64, header: FrameHeader, payload: &[u8]) -> Result<Vec<u8>> {
        let mut job = DecompressJob::new(index, offset, header, payload.to_vec());
        self.decompress.run_all(&mut job)?;
        Ok(job.output)
    }

    /// Decodes every frame of `input` (concatenated streams included), skipping
    /// skippable frames, and appends the data to `out`.
    pub fn decompress_into(&self, input: &[u8], out: &mut Vec<u8>) -> Result<u64> {
        let mut pos = 0usize;
        let mut index = 0u64;
        loop {
            let frame = l8_seal::next_frame(&input[pos..]).map_err(|source| EngineError::Frame {
                index,
                offset: pos as u64,
                source,
            })?;
            let Some((frame, len)) = frame else { return Ok(index) };
            if let FrameRef::Data { header, payload } = frame {
                out.extend_from_slice(&self.decompress_frame(index, pos as u64, header, payload)?);
                index += 1;
            }
            pos += len;
        }
    }

    pub fn decompress_to_vec(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.decompress_into(input, &mut out)?;
        Ok(out)
    }

    /// Compresses a `Read` into a `Write`, one block in memory at a time.
    pub fn compress_stream<R: Read, W: Write>(&self, mut reader: R, mut writer: W) -> Result<u64> {
        let mut buf: Vec<u8> = Vec::with_capacity(self.block_size);
        let mut offset = 0u64;
        let mut index = 0u64;
        let mut at_end = false;
        while !at_end || !buf.is_empty() {
            while !at_end && buf.len() < self.block_size {
                let want = self.block_size - buf.len();
                let got = (&mut reader)
                    .take(want as u64)
                    .read_to_end(&mut buf)
                    .map_err(|e| EngineError::io("reading input", e))?;
                at_end = got < want;
            }
            let cut = cut_for(&buf, self.block_size, at_end, self.record_len);
            let job = self.compress_frame(index, offset, &buf[..cut])?;
            writer.write_all(&job.frame).map_err(|e| EngineError::io("writing output", e))?;
            buf.drain(..cut);
            offset += cut as u64;
            index += 1;
            if at_end && buf.is_empty() {
                break;
            }
        }
        writer.flush().map_err(|e| EngineError::io("writing output", e))?;
        Ok(index)
    }

    /// Decompresses a `Read` of frames into a `Write`, one frame in memory at a time.
    pub fn decompress_stream<R: Read, W: Write>(&self, mut reader: R, mut writer: W) -> Result<u64> {
        let mut offset = 0u64;
        let mut index = 0u64;
        let frame_err = |index, offset, source| EngineError::Frame { index, offset, source };
        loop {
            let mut head = [0u8; HEADER_LEN];
            let got = read_up_to(&mut reader, &mut head[..4])?;
            if got == 0 {
                writer.flush().map_err(|e| EngineError::io("writing output", e))?;
                return Ok(index);
            }
            if got < 4 {
                return Err(frame_err(index, offset, StageError::Truncated { what: "frame magic", needed: 4 - got }));
            }
            if head[..4] == SKIPPABLE_MAGIC {
                let got = read_up_to(&mut reader, &mut head[4..SKIPPABLE_HEADER_LEN])?;
                let len = l8_seal::skippable_len(&head[..4 + got]).map_err(|e| frame_err(index, offset, e))?;
                let skipped = std::io::copy(&mut (&mut reader).take(u64::from(len)), &mut std::io::sink())
                    .map_err(|e| EngineError::io("reading input", e))?;
                if skipped < u64::from(len) {
                    return Err(frame_err(
                        index,
                        offset,
                        StageError::Truncated { what: "skippable frame", needed: (u64::from(len) - skipped) as usize },
                    ));
                }
                offset += SKIPPABLE_HEADER_LEN as u64 + u64::from(len);
                continue;
            }
            let got = read_up_to(&mut reader, &mut head[4..])?;
            let header = FrameHeader::parse(&head[..4 + got]).map_err(|e| frame_err(index, offset, e))?;
            let mut payload = vec![0u8; header.payload_len as usize];
            let got = read_up_to(&mut reader, &mut payload)?;
            if got < payload.len() {
                return Err(frame_err(
                    index,
                    offset,
                    StageError::Truncated { what: "frame payload", needed: payload.len() - got },
                ));
            }
            let data = self.decompress_frame(index, offset, header, &payload)?;
            writer.write_all(&data).map_err(|e| EngineError::io("writing output", e))?;
            offset += header.frame_len() as u64;
            index += 1;
        }
    }
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(EngineError::io("reading input", e)),
        }
    }
    Ok(filled)
}
