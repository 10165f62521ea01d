//! The inline executor: the same plan as the pipeline, run synchronously one block at
//! a time. For slices, small messages, and `std::io` streams.

use std::io::{Read, Write};

use cobolp_stages::l8_seal::{self, FrameHeader, StreamSummary, StreamTally};
use cobolp_stages::Error as StageError;

use crate::config::EngineConfig;
use crate::cut::{blocks, BlockCutter};
use crate::error::{EngineError, Result};
use crate::frame_reader::{Frame, FrameReader, Next, ReadFrames};
use crate::plan::{compress_plan_for, decompress_plan, CompressJob, DecompressJob, Plan};
use crate::unfinished::Unfinished;

/// One frame as [`InlineEngine::compress_frame`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    /// The frame's header, as written at the front of `bytes`.
    pub header: FrameHeader,
    /// The whole frame: header and payload.
    pub bytes: Vec<u8>,
}

/// Compresses and decompresses on the calling thread.
pub struct InlineEngine {
    block_size: usize,
    record_len: Option<usize>,
    compress: Plan<CompressJob>,
    decompress: Plan<DecompressJob>,
}

impl std::fmt::Debug for InlineEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineEngine")
            .field("block_size", &self.block_size)
            .field("record_len", &self.record_len)
            .finish_non_exhaustive()
    }
}

impl InlineEngine {
    /// An engine with these settings; an invalid one is a [`EngineError::Config`].
    pub fn new(config: &EngineConfig) -> Result<InlineEngine> {
        config.validate()?;
        Ok(InlineEngine {
            block_size: config.block_size,
            record_len: config.record_len(),
            compress: compress_plan_for(config)?,
            decompress: decompress_plan(),
        })
    }

    /// Compresses one block, at most 64 MiB, into one frame: the `index`-th of its
    /// stream, whose block starts `offset` bytes into the stream's data.
    pub fn compress_frame(&self, index: u64, offset: u64, block: &[u8]) -> Result<EncodedFrame> {
        let mut job = CompressJob::new(index, offset, block.to_vec());
        self.compress.run_all(&mut job)?;
        Ok(EncodedFrame { header: job.header.expect("a sealed job has a header"), bytes: job.frame })
    }

    /// Compresses `input` into a stream of frames appended to `out`, closed by its end
    /// frame.
    pub fn compress_into(&self, input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let mut tally = StreamTally::default();
        for (offset, block) in blocks(input, self.block_size, self.record_len) {
            let frame = self.compress_frame(tally.frames(), offset, block)?;
            tally.add(&frame.header);
            out.extend_from_slice(&frame.bytes);
        }
        tally.end_frame().write(out);
        Ok(())
    }

    /// `input` compressed into a stream of its own.
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
        self.decompress_into_limited(input, out, usize::MAX)
    }

    /// As [`decompress_into`](Self::decompress_into), refusing, before it is decoded,
    /// a frame that would take `out` past `limit` bytes: for input from a source that
    /// may claim any size.
    pub fn decompress_into_limited(&self, input: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<StreamSummary> {
        // Room for all of it at once: grown block by block, `out` was copied into new
        // memory at every doubling (a tenth of Bridge's decoding time in-process). What
        // the frames claim is only a hint (a damaged one fails below), held to a
        // multiple of the input, and a reservation that fails is no error. An empty
        // `out` with less room takes the first block as it is and grows from there:
        // a stream of one frame is not copied at all.
        let room =
            claimed_len(input).min((limit - out.len().min(limit)) as u64).min((input.len() as u64).saturating_mul(256));
        let room = usize::try_from(room).unwrap_or(0);
        let mut take_first = out.is_empty() && out.capacity() < room;
        if !take_first {
            let _ = out.try_reserve_exact(room);
        }
        let mut reader = FrameReader::new();
        let mut pos = 0;
        loop {
            let next = reader.next(&input[pos..])?;
            match next {
                Next::NeedMore(_) => return reader.finish(&input[pos..]),
                Next::Data { header, payload, index, offset, .. } => {
                    let total = out.len() as u64 + u64::from(header.original_len);
                    if total > limit as u64 {
                        let what = "decompressed output (the limit asked for)";
                        let source = StageError::TooLarge { what, value: total, limit: limit as u64 };
                        return Err(EngineError::Frame { index, offset, source });
                    }
                    let block = self.decompress_frame(index, offset, header, payload)?;
                    if std::mem::take(&mut take_first) {
                        *out = block;
                        let _ = out.try_reserve_exact(room.saturating_sub(out.len()));
                    } else {
                        out.extend_from_slice(&block);
                        cobolp_stages::block_buffers::give_back(block);
                    }
                }
                Next::Skippable { .. } | Next::Skipped(_) | Next::End { .. } => {}
            }
            pos += next.used();
        }
    }

    /// The data of every frame of `input`, as [`decompress_into`](Self::decompress_into).
    pub fn decompress_to_vec(&self, input: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.decompress_into(input, &mut out)?;
        Ok(out)
    }

    /// Compresses a `Read` into a `Write`, one block in memory at a time, and closes
    /// the stream with its end frame.
    pub fn compress_stream<R: Read, W: Write>(&self, mut reader: R, mut writer: W) -> Result<u64> {
        let mut cutter = BlockCutter::new(self.block_size, self.record_len);
        let mut tally = StreamTally::default();
        let mut at_end = false;
        while !at_end || cutter.held() > 0 {
            let room = cutter.room() as u64;
            if !at_end && room > 0 {
                let got = (&mut reader)
                    .take(room)
                    .read_to_end(cutter.buffer())
                    .map_err(|e| EngineError::io("reading input", e))?;
                at_end = (got as u64) < room;
            }
            while let Some((offset, block)) = cutter.next_block(at_end) {
                let frame = self.compress_frame(tally.frames(), offset, &block)?;
                tally.add(&frame.header);
                writer.write_all(&frame.bytes).map_err(|e| EngineError::io("writing output", e))?;
            }
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
        reader: R,
        mut writer: W,
        unfinished: Unfinished,
    ) -> Result<StreamSummary> {
        let mut walk = FrameReader::new();
        walk.set_unfinished(unfinished);
        let mut frames = ReadFrames::new(reader, walk);
        while let Some(frame) = frames.next_frame()? {
            if let Frame::Data { header, payload, index, offset } = frame {
                let mut job = DecompressJob::new(index, offset, header, payload);
                self.decompress.run_all(&mut job)?;
                writer.write_all(&job.output).map_err(|e| EngineError::io("writing output", e))?;
                cobolp_stages::block_buffers::give_back(job.output);
            }
        }
        writer.flush().map_err(|e| EngineError::io("writing output", e))?;
        Ok(frames.summary().expect("the input ended"))
    }
}

/// The bytes the data frames of `input` say they hold, summed up to the first frame
/// that does not read (decoding reports it); their headers only, not their payloads.
fn claimed_len(input: &[u8]) -> u64 {
    let mut reader = FrameReader::new();
    let (mut pos, mut total) = (0, 0u64);
    while let Ok(next) = reader.next(&input[pos..]) {
        match next {
            Next::NeedMore(_) => break,
            Next::Data { header, .. } => total = total.saturating_add(u64::from(header.original_len)),
            Next::Skippable { .. } | Next::Skipped(_) | Next::End { .. } => {}
        }
        pos += next.used();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> InlineEngine {
        InlineEngine::new(&EngineConfig::default().with_block_size(64 << 10)).unwrap()
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| format!("line {} of {}\n", i % 977, i / 977).into_bytes()[i % 8]).collect()
    }

    #[test]
    fn claimed_len_sums_every_stream_and_stops_at_what_does_not_read() {
        let e = engine();
        let (a, b) = (sample(200_000), sample(70_000));
        let mut packed = e.compress_to_vec(&a).unwrap();
        let first = packed.len();
        packed.extend(e.compress_to_vec(&b).unwrap());
        assert_eq!(claimed_len(&packed), 270_000);
        // Inside the second stream's frame: only what reads whole is counted.
        assert_eq!(claimed_len(&packed[..first + 20]), 200_000);
        packed.extend_from_slice(b"not a frame at all");
        assert_eq!(claimed_len(&packed), 270_000);
    }

    #[test]
    fn decoding_appends_to_what_out_holds_and_reserves_no_more_than_the_input_allows() {
        let e = engine();
        let data = sample(300_000);
        let packed = e.compress_to_vec(&data).unwrap();
        let mut out = b"before ".to_vec();
        e.decompress_into(&packed, &mut out).unwrap();
        assert_eq!(&out[..7], b"before ");
        assert_eq!(&out[7..], &data[..]);

        // A whole frame that claims 64 MiB in a few bytes, its payload damaged: the
        // claim is held to a multiple of the input, and the error leaves `out` so.
        let zeros = vec![0u8; 64 << 20];
        let big = InlineEngine::new(&EngineConfig::default().with_block_size(64 << 20)).unwrap();
        let mut bad = big.compress_to_vec(&zeros).unwrap();
        let Ok(Next::Data { len, .. }) = FrameReader::new().next(&bad) else { panic!("a data frame") };
        bad[len - 1] ^= 0x55;
        assert_eq!(claimed_len(&bad), 64 << 20);
        let mut out = Vec::new();
        assert!(e.decompress_into(&bad, &mut out).is_err());
        assert!(out.capacity() <= bad.len() * 256, "{} for {} bytes", out.capacity(), bad.len());
    }

    #[test]
    fn an_empty_output_of_any_capacity_gets_every_frame() {
        let e = engine();
        let data = sample(300_000);
        let packed = e.compress_to_vec(&data).unwrap();
        // Less room than the stream claims (the first block taken as it is, then grown),
        // and more (appended to as it is).
        for capacity in [0, 10, 100_000, 400_000] {
            let mut out = Vec::with_capacity(capacity);
            e.decompress_into(&packed, &mut out).unwrap();
            assert_eq!(out, data, "capacity {capacity}");
        }
    }
}
