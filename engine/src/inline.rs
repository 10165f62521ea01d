//! The inline executor: the same plan as the pipeline, run synchronously one block at
//! a time. For slices, small messages, and `std::io` streams.

use std::io::{Read, Write};

use cobolp_stages::l8_seal::{
    self, FrameHead, FrameHeader, FrameRef, StreamCheck, StreamSummary, StreamTally, HEAD_PREFIX_LEN,
};
use cobolp_stages::Error as StageError;

use crate::config::EngineConfig;
use crate::cut::cut_for;
use crate::error::{EngineError, Result};
use crate::plan::{compress_plan_for, decompress_plan, CompressJob, DecompressJob, Plan};
use crate::unfinished::Unfinished;

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

    /// Compresses `input` into a stream of frames appended to `out`, closed by its end
    /// frame.
    pub fn compress_into(&self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let mut pos = 0;
        let mut tally = StreamTally::default();
        while pos < input.len() {
            let cut = cut_for(&input[pos..], self.block_size, true, self.record_len);
            let job = self.compress_frame(tally.frames(), pos as u64, &input[pos..pos + cut])?;
            tally.add(&job.header.expect("a sealed job has a header"));
            out.extend_from_slice(&job.frame);
            pos += cut;
        }
        tally.end_frame().write(out);
        Ok(())
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
    /// skippable frames, and appends the data to `out`. A stream without its end, or
    /// whose frames are not those it was written with, is an error.
    pub fn decompress_into(&self, input: &[u8], out: &mut Vec<u8>) -> Result<StreamSummary> {
        let mut pos = 0usize;
        let mut check = StreamCheck::default();
        let mut index = 0u64;
        loop {
            let at = |source| EngineError::Frame { index, offset: pos as u64, source };
            let Some((frame, len)) = l8_seal::next_frame(&input[pos..]).map_err(at)? else {
                return check.finish().map_err(at);
            };
            match frame {
                FrameRef::Data { header, payload } => {
                    check.data(&header).map_err(at)?;
                    out.extend_from_slice(&self.decompress_frame(index, pos as u64, header, payload)?);
                    index += 1;
                }
                FrameRef::End(end) => check.end(&end).map_err(at)?,
                FrameRef::Skippable { .. } => {}
            }
            pos += len;
        }
    }

    pub fn decompress_to_vec(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.decompress_into(input, &mut out)?;
        Ok(out)
    }

    /// Compresses a `Read` into a `Write`, one block in memory at a time, and closes
    /// the stream with its end frame.
    pub fn compress_stream<R: Read, W: Write>(&self, mut reader: R, mut writer: W) -> Result<u64> {
        let mut buf: Vec<u8> = Vec::with_capacity(self.block_size);
        let mut tally = StreamTally::default();
        let mut at_end = false;
        loop {
            while !at_end && buf.len() < self.block_size {
                let want = self.block_size - buf.len();
                let got = (&mut reader)
                    .take(want as u64)
                    .read_to_end(&mut buf)
                    .map_err(|e| EngineError::io("reading input", e))?;
                at_end = got < want;
            }
            if buf.is_empty() {
                break;
            }
            let cut = cut_for(&buf, self.block_size, at_end, self.record_len);
            let job = self.compress_frame(tally.frames(), tally.original_len(), &buf[..cut])?;
            tally.add(&job.header.expect("a sealed job has a header"));
            writer.write_all(&job.frame).map_err(|e| EngineError::io("writing output", e))?;
            buf.drain(..cut);
        }
        let mut end = Vec::with_capacity(l8_seal::MAX_END_LEN);
        tally.end_frame().write(&mut end);
        writer.write_all(&end).map_err(|e| EngineError::io("writing output", e))?;
        writer.flush().map_err(|e| EngineError::io("writing output", e))?;
        Ok(tally.frames())
    }

    /// Decompresses a `Read` of frames into a `Write`, one frame in memory at a time.
    /// A stream without its end is an error (`Error::Unfinished`) after the data of
    /// every frame before it was written.
    pub fn decompress_stream<R: Read, W: Write>(&self, reader: R, writer: W) -> Result<StreamSummary> {
        self.decompress_stream_with(reader, writer, Unfinished::Reject)
    }

    /// As [`decompress_stream`](Self::decompress_stream), with the choice of what a
    /// stream without its end is: with [`Unfinished::Accept`], the summary reports it.
    pub fn decompress_stream_with<R: Read, W: Write>(
        &self,
        mut reader: R,
        mut writer: W,
        unfinished: Unfinished,
    ) -> Result<StreamSummary> {
        let mut offset = 0u64;
        let mut index = 0u64;
        let mut check = StreamCheck::default();
        let mut head = [0u8; l8_seal::MAX_HEAD_LEN];
        loop {
            let at = |source| EngineError::Frame { index, offset, source };
            let got = read_up_to(&mut reader, &mut head[..HEAD_PREFIX_LEN])?;
            if got == 0 {
                writer.flush().map_err(|e| EngineError::io("writing output", e))?;
                return unfinished.judge(&check).map_err(at);
            }
            let len = l8_seal::head_len(&head[..got]).map_err(at)?;
            let more = read_up_to(&mut reader, &mut head[got..len])?;
            let frame_head = l8_seal::parse_head(&head[..got + more]).map_err(at)?;
            let mut body = vec![0u8; frame_head.body_len()];
            let got = read_up_to(&mut reader, &mut body)?;
            if got < body.len() {
                let what = if matches!(frame_head, FrameHead::Data(_)) { "frame payload" } else { "skippable frame" };
                return Err(at(StageError::Truncated { what, needed: body.len() - got }));
            }
            match frame_head {
                FrameHead::Data(header) => {
                    check.data(&header).map_err(at)?;
                    let data = self.decompress_frame(index, offset, header, &body)?;
                    writer.write_all(&data).map_err(|e| EngineError::io("writing output", e))?;
                    index += 1;
                }
                FrameHead::End(end) => check.end(&end).map_err(at)?,
                FrameHead::Skippable(_) => {}
            }
            offset += (len + body.len()) as u64;
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
