//! What happens to one block, as a list of steps grouped into stages.
//!
//! Both executors run the same plan: the inline executor runs every step of every
//! stage in turn on one block; the pipelined executor runs each stage as its own task.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use cobolp_stages::entropy_estimate as entropy;
use cobolp_stages::l8_seal::{self, FrameHeader, FramePlace};
use cobolp_stages::{Block, Error as StageError, Layer, LayerSet};

use crate::config::EngineConfig;
use crate::error::{EngineError, Result};
use crate::mode::{decodable, decoder_layers};

/// Above this order-0 entropy (bits per byte) a block is a candidate for storing as is.
const INCOMPRESSIBLE_ENTROPY: f64 = 7.9;

/// Something that runs on every block: a layer, or the framing around the layers.
pub trait Step<J>: Send + Sync {
    fn run(&self, job: &mut J) -> std::result::Result<(), StageError>;
}

/// A named group of steps, run together on one block.
pub struct StageDef<J> {
    /// The stage's name in the pipeline's metrics.
    #[cfg_attr(not(feature = "pipeline"), allow(dead_code))]
    pub name: &'static str,
    pub steps: Vec<Box<dyn Step<J>>>,
}

/// The stages a block passes through, in order.
pub struct Plan<J> {
    pub stages: Vec<StageDef<J>>,
}

/// A block that knows where it came from, so an error can name its frame.
pub trait Job: Send + 'static {
    fn index(&self) -> u64;
    fn offset(&self) -> u64;
    /// Bytes this job represents in the uncompressed data, for throughput figures.
    #[cfg_attr(not(feature = "pipeline"), allow(dead_code))]
    fn original_len(&self) -> usize;
}

impl<J: Job> Plan<J> {
    /// Runs every step on `job`, naming the frame in any error.
    pub fn run_stage(&self, stage: usize, job: &mut J) -> Result<()> {
        for step in &self.stages[stage].steps {
            step.run(job).map_err(|source| EngineError::Frame { index: job.index(), offset: job.offset(), source })?;
        }
        Ok(())
    }

    pub fn run_all(&self, job: &mut J) -> Result<()> {
        (0..self.stages.len()).try_for_each(|s| self.run_stage(s, job))
    }
}

/// A block on its way to becoming a frame.
pub struct CompressJob {
    pub index: u64,
    /// Offset of the block in the uncompressed input.
    pub offset: u64,
    /// The input's length.
    pub len: usize,
    /// The input, until the layers take it (the analysis hands it to them); kept for a block no
    /// layer runs on.
    pub input: Vec<u8>,
    /// The input's SHA-256, once computed.
    pub digest: Option<[u8; 32]>,
    pub block: Block,
    /// Set when the block is not worth any layer: it will be stored.
    pub incompressible: bool,
    pub frame: Vec<u8>,
    pub header: Option<FrameHeader>,
}

impl CompressJob {
    pub fn new(index: u64, offset: u64, input: Vec<u8>) -> CompressJob {
        CompressJob {
            index,
            offset,
            // Filled by the analysis, and only for blocks worth compressing.
            block: Block::from_input(Vec::new()),
            len: input.len(),
            input,
            digest: None,
            incompressible: false,
            frame: Vec::new(),
            header: None,
        }
    }
}

impl Job for CompressJob {
    fn index(&self) -> u64 {
        self.index
    }
    fn offset(&self) -> u64 {
        self.offset
    }
    fn original_len(&self) -> usize {
        self.len
    }
}

/// A frame on its way back to the block it came from.
pub struct DecompressJob {
    pub index: u64,
    /// Offset of the frame in the compressed stream.
    pub offset: u64,
    pub header: FrameHeader,
    pub payload: Vec<u8>,
    pub block: Option<Block>,
    pub output: Vec<u8>,
}

impl DecompressJob {
    pub fn new(index: u64, offset: u64, header: FrameHeader, payload: Vec<u8>) -> DecompressJob {
        DecompressJob { index, offset, header, payload, block: None, output: Vec::new() }
    }
}

impl Job for DecompressJob {
    fn index(&self) -> u64 {
        self.index
    }
    fn offset(&self) -> u64 {
        self.offset
    }
    fn original_len(&self) -> usize {
        self.header.original_len as usize
    }
}

/// Measures entropy and marks blocks that no layer could shrink; hashes the input and
/// hands it to the layers of the others. (The seal gets it back from them, by undoing
/// them, in the rare case that they do not shrink it: cheaper than copying every
/// block for that case.)
struct Analyze;

impl Step<CompressJob> for Analyze {
    fn run(&self, job: &mut CompressJob) -> std::result::Result<(), StageError> {
        job.incompressible = job.input.is_empty() || looks_random(&job.input) && !repeats(&job.input);
        job.digest = Some(l8_seal::sha256(&job.input));
        job.block = if job.incompressible {
            Block { original_len: job.input.len(), layers: LayerSet::EMPTY, streams: Vec::new() }
        } else {
            Block::from_input(std::mem::take(&mut job.input))
        };
        Ok(())
    }
}

/// Whether the order-0 entropy of a quarter of the block (every fourth 4 KiB piece:
/// enough to tell text from noise, at a quarter of the cost of counting every byte)
/// is [`INCOMPRESSIBLE_ENTROPY`] or more.
fn looks_random(data: &[u8]) -> bool {
    const PIECE: usize = 4096;
    let (hist, counted) = if data.len() <= 4 * PIECE {
        (entropy::histogram(data), data.len())
    } else {
        let mut hist = [0u32; 256];
        let mut counted = 0;
        for piece in data.chunks(PIECE).step_by(4) {
            for (total, n) in hist.iter_mut().zip(entropy::histogram(piece)) {
                *total += n;
            }
            counted += piece.len();
        }
        (hist, counted)
    };
    // The entropy is at most log2 of the byte values used: text, which uses fewer than
    // 2^7.9 of them, is told without a logarithm (a `Framed` message is analysed
    // on its own, and its logarithms were a visible part of its time).
    let used = hist.iter().filter(|&&c| c > 0).count();
    (used as f64).log2() >= INCOMPRESSIBLE_ENTROPY
        && entropy::bits_per_byte_of(&hist, counted) >= INCOMPRESSIBLE_ENTROPY
}

/// Whether a high-entropy block still repeats itself: samples 64-byte windows and
/// looks for each later in the block. Catches duplicated random data cheaply.
fn repeats(data: &[u8]) -> bool {
    const PROBE: usize = 64;
    const SAMPLES: usize = 16;
    if data.len() < 4 * PROBE {
        return false;
    }
    let step = data.len() / SAMPLES;
    let mut hits = 0;
    // Keyed by the first 8 bytes of each aligned window; a hit is confirmed in full.
    let key = |w: &[u8]| u64::from_le_bytes(w[..8].try_into().expect("8 bytes"));
    let mut seen: HashMap<u64, usize, BuildHasherDefault<MultiplyHasher>> =
        HashMap::with_capacity_and_hasher(data.len() / PROBE, BuildHasherDefault::default());
    for (i, window) in data.chunks_exact(PROBE).enumerate() {
        seen.entry(key(window)).or_insert(i);
    }
    // A window that repeats at any alignment lines up with an aligned one at one of
    // 64 shifts: test sampled positions at every shift.
    for s in 0..SAMPLES {
        let base = s * step;
        for shift in 0..PROBE {
            let at = base + shift;
            if at + PROBE > data.len() {
                break;
            }
            let window = &data[at..at + PROBE];
            if let Some(&i) = seen.get(&key(window)) {
                if i * PROBE != at && data[i * PROBE..(i + 1) * PROBE] == *window {
                    hits += 1;
                    break;
                }
            }
        }
    }
    hits >= 2
}

/// Hashes the u64 keys of [`repeats`] with one multiplication: the keys are raw
/// input bytes, not attacker-chosen table keys that would need SipHash's defence.
#[derive(Default)]
struct MultiplyHasher(u64);

impl Hasher for MultiplyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
}

struct Encode(Arc<dyn Layer>);

impl Step<CompressJob> for Encode {
    fn run(&self, job: &mut CompressJob) -> std::result::Result<(), StageError> {
        if !job.incompressible {
            self.0.encode_in_turn(&mut job.block)?;
        }
        Ok(())
    }
}

struct Seal;

impl Step<CompressJob> for Seal {
    fn run(&self, job: &mut CompressJob) -> std::result::Result<(), StageError> {
        let mut frame = Vec::with_capacity(job.block.stream_bytes().min(job.len) + 64);
        let digest = job.digest.unwrap_or_else(|| l8_seal::sha256(&job.input));
        let place = FramePlace::at(job.offset);
        let header = if job.input.len() == job.len {
            l8_seal::seal_frame(&job.input, digest, &job.block, place, &mut frame)?
        } else if let Some(header) = l8_seal::seal_compressed(digest, &job.block, place, &mut frame)? {
            header
        } else {
            let input = undo_layers(std::mem::replace(&mut job.block, Block::from_input(Vec::new())))?;
            if input.len() != job.len || l8_seal::sha256(&input) != digest {
                return Err(StageError::Invalid("the layers did not give back the block they were given".into()));
            }
            l8_seal::seal_stored(&input, digest, place, &mut frame)?
        };
        job.header = Some(header);
        job.frame = frame;
        // The frame is all that goes on; free the block now rather than downstream.
        job.block = Block { original_len: 0, layers: LayerSet::EMPTY, streams: Vec::new() };
        job.input = Vec::new();
        Ok(())
    }
}

/// The input `block` was made from, its layers undone.
fn undo_layers(mut block: Block) -> std::result::Result<Vec<u8>, StageError> {
    for layer in decoder_layers() {
        if block.layers.contains(layer.id()) {
            layer.decode(&mut block)?;
        }
    }
    block.into_single_bytes()
}

fn layer_name(layer: &dyn Layer) -> &'static str {
    match layer.id().number() {
        1 => "L1 semantic",
        2 => "L2 structural",
        3 => "L3 delta",
        4 => "L4 binary",
        5 => "L5 rle",
        6 => "L6 pattern",
        7 => "L7 entropy",
        _ => "L8 seal",
    }
}

/// The compression plan of a mode: analysis with the first layer, one stage per
/// layer after it, and the seal.
#[cfg(test)]
pub fn compress_plan(mode: crate::CompressionMode) -> Result<Plan<CompressJob>> {
    build_compress_plan(mode.encoder_layers()?)
}

/// The compression plan of a configuration: its mode's layers, after L2 records when
/// the configuration describes records.
pub fn compress_plan_for(config: &EngineConfig) -> Result<Plan<CompressJob>> {
    build_compress_plan(config.mode.encoder_layers_for(config.records.as_ref(), config.level)?)
}

fn build_compress_plan(layers: Vec<Arc<dyn Layer>>) -> Result<Plan<CompressJob>> {
    let mut stages: Vec<StageDef<CompressJob>> = Vec::new();
    for (i, layer) in layers.into_iter().enumerate() {
        let name = layer_name(layer.as_ref());
        let mut steps: Vec<Box<dyn Step<CompressJob>>> = Vec::new();
        if i == 0 {
            steps.push(Box::new(Analyze));
        }
        steps.push(Box::new(Encode(layer)));
        stages.push(StageDef { name, steps });
    }
    stages.push(StageDef { name: "L8 seal", steps: vec![Box::new(Seal)] });
    Ok(Plan { stages })
}

/// Checks the frame's payload and layer mask and opens it into a block.
struct Open {
    known: u8,
}

impl Step<DecompressJob> for Open {
    fn run(&self, job: &mut DecompressJob) -> std::result::Result<(), StageError> {
        if job.header.is_session() {
            return Err(StageError::Unsupported {
                what: "session frame (its matches reach into earlier frames; decode the stream with a session decoder)",
                value: 1,
            });
        }
        let unknown = job.header.layers.0 & !self.known;
        if unknown != 0 {
            return Err(StageError::Unsupported {
                what: "layer mask (layers this decoder lacks)",
                value: unknown.into(),
            });
        }
        job.block = Some(l8_seal::open_owned(&job.header, std::mem::take(&mut job.payload))?);
        Ok(())
    }
}

struct Decode(Arc<dyn Layer>);

impl Step<DecompressJob> for Decode {
    fn run(&self, job: &mut DecompressJob) -> std::result::Result<(), StageError> {
        let block = job.block.as_mut().expect("open runs first");
        if block.layers.contains(self.0.id()) {
            self.0.decode(block)?;
        }
        Ok(())
    }
}

/// Compares the rebuilt block with the frame's length and SHA-256.
struct Verify;

impl Step<DecompressJob> for Verify {
    fn run(&self, job: &mut DecompressJob) -> std::result::Result<(), StageError> {
        let block = job.block.take().expect("open runs first");
        let bytes = block.into_single_bytes()?;
        l8_seal::verify(&job.header, &bytes)?;
        job.output = bytes;
        Ok(())
    }
}

/// The name of the decompression stage that undoes the lowest layer (L2, as
/// [`decoder_layers`] lists them; a test holds it to that) and verifies.
const VERIFYING_STAGE: &str = "L2 + verify";

/// The decompression plan: open with the highest layer, one stage per layer below
/// it, verification with the last.
pub fn decompress_plan() -> Plan<DecompressJob> {
    let layers = decoder_layers();
    let known = decodable(&layers);
    let count = layers.len();
    let mut stages = Vec::new();
    for (i, layer) in layers.into_iter().enumerate() {
        let name = layer_name(layer.as_ref());
        let mut steps: Vec<Box<dyn Step<DecompressJob>>> = Vec::new();
        if i == 0 {
            steps.push(Box::new(Open { known }));
        }
        steps.push(Box::new(Decode(layer)));
        // The last stage also checks the block's length and SHA-256: its name says so,
        // or `--stats` would charge the hash to a layer the frame may not even use.
        let stage_name = if i + 1 == count {
            steps.push(Box::new(Verify));
            VERIFYING_STAGE
        } else {
            name
        };
        stages.push(StageDef { name: stage_name, steps });
    }
    Plan { stages }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CompressionMode;

    #[test]
    fn the_verifying_stage_is_named_for_the_layer_it_undoes() {
        let lowest = decoder_layers().pop().expect("layers");
        assert_eq!(lowest.id(), cobolp_stages::LayerId::Structural);
        let plan = decompress_plan();
        assert_eq!(plan.stages.last().map(|s| s.name), Some(VERIFYING_STAGE));
    }

    #[test]
    fn repeated_random_data_is_not_incompressible() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        assert!(!repeats(&noise));
        let mut twice = noise.clone();
        twice.extend_from_slice(&noise[..50_000]);
        twice.extend_from_slice(&noise[..50_001]);
        assert!(repeats(&twice));
    }

    #[test]
    fn a_block_its_layers_do_not_shrink_is_stored_as_it_was() {
        // Low entropy, so the layers run and take the input; too short for their
        // streams to beat it, so the seal has to get it back from them.
        for input in [b"abababababab".to_vec(), b"2026-11-30 ok\n".repeat(2)] {
            for mode in [CompressionMode::Legacy, CompressionMode::Bridge] {
                let mut job = CompressJob::new(0, 0, input.clone());
                compress_plan(mode).unwrap().run_all(&mut job).unwrap();
                let header = job.header.expect("sealed");
                assert_eq!(header.layers.0, 1 << cobolp_stages::LayerId::Seal as u8, "{input:?} stored");
                assert_eq!(&job.frame[l8_seal::HEADER_LEN..], &input[..]);
                let mut back = DecompressJob::new(0, 0, header, job.frame[l8_seal::HEADER_LEN..].to_vec());
                decompress_plan().run_all(&mut back).unwrap();
                assert_eq!(back.output, input);
            }
        }
    }
}
