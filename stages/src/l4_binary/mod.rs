//! L4 Binary: the unsigned sequences L3 stores, laid out as bytes for L5-L7.
//!
//! Each sequence takes the fewest whole bytes its largest number needs and is cut into
//! byte planes (see [`planes`]): plane `k` holds byte `k` of every number, most
//! significant first, so that L7 gives each byte position its own code and L5 and L6
//! see the runs of a high byte that is mostly zero. The layer turns the block's
//! `int-sequences` stream into `binary-layout` (each sequence's length and width)
//! followed by the plane streams. The bytes are in docs/FORMAT.md, "L4 Binary".
//!
//! Measured before it was built (docs/ARCHITECTURE.md): frame-of-reference bit-packing
//! of log numbers came out larger than whole bytes after L6 and L7, which find repeats
//! in whole bytes and the skew of small values; planes are what the records measured
//! smallest with.

pub mod planes;

use crate::block::{Block, Layer, LayerId, Stream, StreamKind, MAX_STREAMS};
use crate::entropy_estimate as entropy;
use crate::error::{Error, Result};
use crate::l3_delta::read_sequences_as;
use crate::typed_columns::{max_values, numbers, Zig};
use crate::varint;

/// Most plane streams in a block; the planes past the last one share it.
pub const MAX_PLANE_STREAMS: usize = 40;

/// Widest sequence, in bytes.
pub const MAX_WIDTH: u8 = 16;

/// One sequence's entry in `binary-layout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceLayout {
    /// Numbers in the sequence.
    pub len: usize,
    /// Bytes each takes.
    pub width: u8,
}

/// Sequences laid out as planes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Laid {
    /// The `binary-layout` stream.
    pub layout: Vec<u8>,
    /// The plane streams, at most [`MAX_PLANE_STREAMS`], each with its byte counts.
    pub planes: Vec<(Vec<u8>, [u32; 256])>,
}

impl Laid {
    /// Order-0 estimate of the planes, in bytes.
    pub fn estimate(&self) -> f64 {
        self.planes.iter().map(|(p, counts)| entropy::bits_per_byte_of(counts, p.len()) * p.len() as f64 / 8.0).sum()
    }
}

/// Lays out `sequences`.
///
/// `binary-layout` is a run of groups, each the sequences of one length in a row:
/// `len:varint  count:varint  width:u8*count`.
pub fn lay_out<Z: Zig>(sequences: &[Vec<Z>]) -> Laid {
    let mut layout = Vec::with_capacity(sequences.len() + 8);
    let mut planes: Vec<(Vec<u8>, [u32; 256])> = Vec::new();
    for group in sequences.chunk_by(|a, b| a.len() == b.len()) {
        varint::put(&mut layout, group[0].len() as u64);
        varint::put(&mut layout, group.len() as u64);
        for s in group {
            let width = planes::width(s);
            layout.push(width as u8);
            for p in planes::to_planes(s, width) {
                let counts = entropy::histogram(&p);
                let full = planes.len() >= MAX_PLANE_STREAMS;
                match planes.last_mut() {
                    Some((last, last_counts)) if full => {
                        last.extend_from_slice(&p);
                        last_counts.iter_mut().zip(counts).for_each(|(a, b)| *a += b);
                    }
                    _ => planes.push((p, counts)),
                }
            }
        }
    }
    Laid { layout, planes }
}

/// Reads a `binary-layout` stream: groups of at least one sequence, each sequence at
/// most [`MAX_WIDTH`] bytes wide.
pub fn read_layout(stream: &[u8]) -> Result<Vec<SequenceLayout>> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < stream.len() {
        let len = varint::get(stream, &mut pos)? as usize;
        // A width takes a byte.
        let left = (stream.len() - pos) as u64;
        let count = varint::get_capped(stream, &mut pos, left, "binary layout group")?;
        if count == 0 {
            return Err(Error::corrupt("binary layout", "an empty group"));
        }
        for _ in 0..count {
            let width = *stream.get(pos).ok_or(Error::Truncated { what: "binary layout", needed: 1 })?;
            pos += 1;
            if width > MAX_WIDTH {
                return Err(Error::corrupt("binary layout", format!("sequence {}: {width} bytes wide", out.len())));
            }
            out.push(SequenceLayout { len, width });
        }
    }
    Ok(out)
}

/// The sequences `layout` says `streams` hold (the plane streams, checked to hold
/// exactly their planes), as an `int-sequences` stream. `max_values` caps the numbers
/// of all sequences together, before anything is allocated: a sequence of width 0
/// takes no bytes of the planes.
pub fn join(layout: &[SequenceLayout], streams: &[&[u8]], max_values: usize) -> Result<Vec<u8>> {
    let total = layout.iter().try_fold(0usize, |t, s| t.checked_add(s.len)).unwrap_or(usize::MAX);
    if total > max_values {
        return Err(Error::TooLarge { what: "int sequence values", value: total as u64, limit: max_values as u64 });
    }
    let plane_count: usize = layout.iter().map(|s| usize::from(s.width)).sum();
    if streams.len() != plane_count.min(MAX_PLANE_STREAMS) {
        return Err(Error::corrupt("number planes", format!("{} streams for {plane_count} planes", streams.len())));
    }
    let mut out = Vec::with_capacity(total * 2);
    let (mut j, mut at) = (0usize, 0usize);
    for (i, s) in layout.iter().enumerate() {
        let mut planes = Vec::with_capacity(usize::from(s.width));
        for _ in 0..s.width {
            let stream = j.min(MAX_PLANE_STREAMS - 1);
            if j < MAX_PLANE_STREAMS {
                at = 0;
            }
            let plane = streams[stream].get(at..at + s.len).ok_or_else(|| {
                Error::corrupt("number planes", format!("sequence {i}: stream {stream} is too short"))
            })?;
            planes.push(plane);
            at += s.len;
            j += 1;
            let last_of_stream = j == plane_count || j < MAX_PLANE_STREAMS;
            if last_of_stream && at != streams[stream].len() {
                return Err(Error::corrupt("number planes", format!("stream {stream} has bytes left over")));
            }
        }
        if s.width <= 8 {
            numbers::put(&mut out, &planes::from_planes::<u64>(&planes, s.len));
        } else {
            numbers::put(&mut out, &planes::from_planes::<u128>(&planes, s.len));
        }
    }
    Ok(out)
}

/// Whether a plane goes out as `bytes`, for L5 and L6 to shorten: when one byte value
/// fills seven eighths of it (a column that is mostly 0 but for a few wide values
/// costs at least a bit a byte under Huffman alone). Else it is `number-planes`, which
/// only L7 codes.
fn plane_kind(counts: &[u32; 256], len: usize) -> StreamKind {
    let most = counts.iter().max().copied().unwrap_or(0) as usize;
    if most * 8 >= len * 7 {
        StreamKind::Bytes
    } else {
        StreamKind::NumberPlanes
    }
}

/// L4 Binary as a layer: takes a block's one `int-sequences` stream; declines a block
/// without one, or one whose planes would be longer than a decoder accepts.
#[derive(Clone, Copy, Debug, Default)]
pub struct BinaryLayer;

impl Layer for BinaryLayer {
    fn id(&self) -> LayerId {
        LayerId::Binary
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        let mut found = block.streams.iter().enumerate().filter(|(_, s)| s.kind == StreamKind::IntSequences);
        let (Some((at, stream)), None) = (found.next(), found.next()) else { return Ok(false) };
        let max = max_values(block.original_len);
        let laid = match read_sequences_as::<u64>(&stream.data, max)? {
            Some(narrow) => lay_out(&narrow),
            None => lay_out(&read_sequences_as::<u128>(&stream.data, max)?.unwrap_or_default()),
        };
        let cap = Block::stream_cap(block.original_len);
        let others = block.streams.len() - 1;
        if laid.layout.len() > cap || laid.planes.iter().any(|(p, _)| p.len() > cap) {
            return Ok(false);
        }
        // L5 may add a stream after every `bytes` stream, and a frame holds at most
        // MAX_STREAMS: planes go out as bytes only while that leaves room.
        let bytes_streams = block.streams.iter().filter(|s| s.kind == StreamKind::Bytes).count();
        let Some(mut room) = MAX_STREAMS.checked_sub(others + 1 + laid.planes.len() + bytes_streams) else {
            return Ok(false);
        };
        let mut replacement = Vec::with_capacity(laid.planes.len() + 1);
        replacement.push(Stream::new(StreamKind::BinaryLayout, laid.layout));
        for (p, counts) in laid.planes {
            let kind = plane_kind(&counts, p.len());
            if kind == StreamKind::Bytes && room > 0 {
                room -= 1;
                replacement.push(Stream::new(StreamKind::Bytes, p));
            } else {
                replacement.push(Stream::new(StreamKind::NumberPlanes, p));
            }
        }
        block.streams.splice(at..=at, replacement);
        block.layers.insert(LayerId::Binary);
        Ok(true)
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        let at = block
            .streams
            .iter()
            .position(|s| s.kind == StreamKind::BinaryLayout)
            .ok_or_else(|| Error::corrupt("L4 binary", "no binary-layout stream"))?;
        let layout = read_layout(&block.streams[at].data)?;
        let plane_count: usize = layout.iter().map(|s| usize::from(s.width)).sum();
        let streams = plane_count.min(MAX_PLANE_STREAMS);
        let planes = block.streams.get(at + 1..at + 1 + streams).ok_or_else(|| {
            Error::corrupt("number planes", format!("{streams} plane streams after binary-layout, fewer found"))
        })?;
        if let Some(s) = planes.iter().find(|s| !matches!(s.kind, StreamKind::NumberPlanes | StreamKind::Bytes)) {
            return Err(Error::corrupt("number planes", format!("a {} stream among the planes", s.kind.name())));
        }
        let planes: Vec<&[u8]> = planes.iter().map(|s| s.data.as_slice()).collect();
        let sequences = join(&layout, &planes, max_values(block.original_len))?;
        block.streams.splice(at..at + 1 + streams, [Stream::new(StreamKind::IntSequences, sequences)]);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
