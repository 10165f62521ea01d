//! L4 Binary: the unsigned sequences L3 stores, laid out as bytes for L5-L7.
//!
//! Two forms, whichever comes out smaller after L5-L7 ([`Form`]): *planes*, where each
//! sequence takes the fewest whole bytes its largest number needs and is cut into byte
//! planes (see [`planes`]): plane `k` holds byte `k` of every number, most significant
//! first, so that L7 gives each byte position its own code and L5 and L6 see the runs
//! of a high byte that is mostly zero; or *varints*, every number of every sequence in
//! one `bytes` stream, which pays where the planes' own codes cost more than they save
//! (a small block of many columns). The layer turns the block's `int-sequences` stream
//! into `binary-layout` (the form, each sequence's length and for planes its width)
//! followed by the plane streams or the one varint stream. The bytes are in
//! docs/FORMAT.md, "L4 Binary".
//!
//! No bit-packing: frame-of-reference bit-packing of log numbers came out larger than
//! whole bytes after L6 and L7, which find repeats in whole bytes and the skew of small
//! values (docs/ARCHITECTURE.md); a frame of reference is L3's, in whole bytes here.

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

/// How the sequences are laid out; the first byte of `binary-layout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Form {
    /// Byte planes, a stream each (up to [`MAX_PLANE_STREAMS`]).
    Planes = 0,
    /// Every number as a varint, all in one `bytes` stream.
    Varints = 1,
}

/// Planes cost a code table a stream: where they hold fewer bytes than this in all,
/// both forms are tried through L5-L7 and the smaller kept. Above it planes are taken
/// untried: what a table costs is then small beside what planes save (`bank_txn.dat`'s
/// 2 MiB blocks: 13% smaller as planes than as varints; in 64 KiB blocks, tried, planes
/// won every block), and a trial of a block's planes costs as much as L5-L7 on them.
/// Varints win where few records meet many columns (the GnuCOBOL fixture of 100
/// records of 33 columns: 22% smaller).
pub const TRIED_BELOW: usize = 64 << 10;

/// Sequences laid out as planes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Laid {
    /// The `binary-layout` stream.
    pub layout: Vec<u8>,
    /// The plane streams, at most [`MAX_PLANE_STREAMS`], each with its byte counts.
    pub planes: Vec<(Vec<u8>, [u32; 256])>,
}

/// Lays out `sequences` as planes.
///
/// `binary-layout` is the form, then a run of groups, each the sequences of one length
/// in a row: `len:varint  count:varint  width:u8*count`.
pub fn lay_out<Z: Zig>(sequences: &[Vec<Z>]) -> Laid {
    let mut layout = Vec::with_capacity(sequences.len() + 8);
    layout.push(Form::Planes as u8);
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

/// Lays out `sequences` as varints: `binary-layout` (the form, then groups of
/// `len:varint  count:varint`) and the one stream of every number.
pub fn lay_out_varints<Z: Zig>(sequences: &[Vec<Z>]) -> (Vec<u8>, Vec<u8>) {
    let mut layout = vec![Form::Varints as u8];
    let values: usize = sequences.iter().map(Vec::len).sum();
    let mut numbers = Vec::with_capacity(values * 2);
    for group in sequences.chunk_by(|a, b| a.len() == b.len()) {
        varint::put(&mut layout, group[0].len() as u64);
        varint::put(&mut layout, group.len() as u64);
        group.iter().flatten().for_each(|&z| varint::put_u128(&mut numbers, z.wide()));
    }
    (layout, numbers)
}

/// Reads a `binary-layout` stream: its form, and groups of at least one sequence, each
/// sequence at most [`MAX_WIDTH`] bytes wide (the width is 0 for varints), at most
/// `max_sequences` in all.
pub fn read_layout(stream: &[u8], max_sequences: usize) -> Result<(Form, Vec<SequenceLayout>)> {
    let form = match stream.first() {
        Some(0) => Form::Planes,
        Some(1) => Form::Varints,
        Some(&other) => return Err(Error::Unsupported { what: "binary layout form", value: other.into() }),
        None => return Err(Error::Truncated { what: "binary layout", needed: 1 }),
    };
    let mut pos = 1;
    let mut out = Vec::new();
    while pos < stream.len() {
        let len = varint::get(stream, &mut pos)? as usize;
        // Varints have no width to bound a group's count by the bytes left: the cap does.
        let left = (max_sequences - out.len()) as u64;
        let count = varint::get_capped(stream, &mut pos, left, "binary layout sequences")?;
        if count == 0 {
            return Err(Error::corrupt("binary layout", "an empty group"));
        }
        for _ in 0..count {
            if form == Form::Varints {
                out.push(SequenceLayout { len, width: 0 });
                continue;
            }
            let width = *stream.get(pos).ok_or(Error::Truncated { what: "binary layout", needed: 1 })?;
            pos += 1;
            if width > MAX_WIDTH {
                return Err(Error::corrupt("binary layout", format!("sequence {}: {width} bytes wide", out.len())));
            }
            out.push(SequenceLayout { len, width });
        }
    }
    Ok((form, out))
}

/// The sequences `layout` says `varints` (the varint stream) holds, as an
/// `int-sequences` stream; at most `max_values` numbers in all.
pub fn join_varints(layout: &[SequenceLayout], varints: &[u8], max_values: usize) -> Result<Vec<u8>> {
    let total = layout.iter().try_fold(0usize, |t, s| t.checked_add(s.len)).unwrap_or(usize::MAX);
    // A varint takes at least a byte.
    if total > max_values || total > varints.len() {
        return Err(Error::TooLarge { what: "int sequence values", value: total as u64, limit: max_values as u64 });
    }
    let mut out = Vec::with_capacity(total * 2);
    let mut pos = 0;
    let mut values = Vec::new();
    for s in layout {
        values.clear();
        for _ in 0..s.len {
            values.push(varint::get_u128(varints, &mut pos)?);
        }
        numbers::put(&mut out, &values);
    }
    if pos != varints.len() {
        return Err(Error::corrupt("binary varints", format!("{} bytes left over", varints.len() - pos)));
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
/// without one, or one whose streams would be longer than a decoder accepts.
#[derive(Clone, Copy, Debug, Default)]
pub struct BinaryLayer;

impl BinaryLayer {
    /// The planes' streams in place of the `int-sequences` stream at `at`, when a
    /// decoder would take them.
    fn planes(block: &Block, at: usize, laid: Laid) -> Option<Vec<Stream>> {
        let cap = Block::stream_cap(block.original_len);
        if laid.layout.len() > cap || laid.planes.iter().any(|(p, _)| p.len() > cap) {
            return None;
        }
        // L5 may add a stream after every `bytes` stream, and a frame holds at most
        // MAX_STREAMS: planes go out as bytes only while that leaves room.
        let others = block.streams.len() - 1;
        let bytes_streams = block.streams.iter().enumerate().filter(|&(i, s)| i != at && s.kind == StreamKind::Bytes);
        let mut room = MAX_STREAMS.checked_sub(others + 1 + laid.planes.len() + bytes_streams.count())?;
        let mut streams = Vec::with_capacity(laid.planes.len() + 1);
        streams.push(Stream::new(StreamKind::BinaryLayout, laid.layout));
        for (p, counts) in laid.planes {
            let kind = plane_kind(&counts, p.len());
            if kind == StreamKind::Bytes && room > 0 {
                room -= 1;
                streams.push(Stream::new(StreamKind::Bytes, p));
            } else {
                streams.push(Stream::new(StreamKind::NumberPlanes, p));
            }
        }
        Some(streams)
    }

    /// Whichever of `planes` and `varints` (each a replacement for the same stream of a
    /// block of `original_len` bytes, whose caps the layers after it keep to) comes out
    /// smaller through L5-L7 on their own, with the fast match search.
    fn smaller(original_len: usize, planes: Vec<Stream>, varints: Vec<Stream>) -> Result<Vec<Stream>> {
        let pattern = crate::l6_pattern::PatternLayer { params: crate::l6_pattern::MatchParams::fast() };
        let size = |streams: &[Stream]| {
            let block = Block { original_len, layers: crate::block::LayerSet::EMPTY, streams: streams.to_vec() };
            crate::trial::size_after_legacy_layers(block, &pattern)
        };
        Ok(if size(&varints)? < size(&planes)? { varints } else { planes })
    }
}

impl BinaryLayer {
    /// [`Layer::encode`] in `form`, or (`None`) the form it measures smaller.
    pub fn encode_in(&self, block: &mut Block, form: Option<Form>) -> Result<bool> {
        let mut found = block.streams.iter().enumerate().filter(|(_, s)| s.kind == StreamKind::IntSequences);
        let (Some((at, stream)), None) = (found.next(), found.next()) else { return Ok(false) };
        let max = max_values(block.original_len);
        let narrow = read_sequences_as::<u64>(&stream.data, max)?;
        let wide = match narrow {
            Some(_) => None,
            None => read_sequences_as::<u128>(&stream.data, max)?,
        };
        let laid = match (&narrow, &wide) {
            (Some(narrow), _) => lay_out(narrow),
            (None, Some(wide)) => lay_out(wide),
            (None, None) => return Ok(false),
        };
        let cap = Block::stream_cap(block.original_len);
        // Laid out only where they may be taken: the planes of a large block are.
        let varints = || {
            let (layout, numbers) = match (&narrow, &wide) {
                (Some(narrow), _) => lay_out_varints(narrow),
                (_, wide) => lay_out_varints(wide.as_deref().unwrap_or_default()),
            };
            (numbers.len() <= cap)
                .then(|| vec![Stream::new(StreamKind::BinaryLayout, layout), Stream::new(StreamKind::Bytes, numbers)])
        };
        let tried = laid.planes.iter().map(|(p, _)| p.len()).sum::<usize>() < TRIED_BELOW;
        let planes = Self::planes(block, at, laid);
        let replacement = match (form, planes) {
            (Some(Form::Planes), Some(planes)) => planes,
            (Some(Form::Planes), None) => return Ok(false),
            (None, Some(planes)) if !tried => planes,
            (None, Some(planes)) => match varints() {
                Some(varints) => Self::smaller(block.original_len, planes, varints)?,
                None => planes,
            },
            (None | Some(Form::Varints), _) => match varints() {
                Some(varints) => varints,
                None => return Ok(false),
            },
        };
        block.streams.splice(at..=at, replacement);
        block.layers.insert(LayerId::Binary);
        Ok(true)
    }
}

impl Layer for BinaryLayer {
    fn id(&self) -> LayerId {
        LayerId::Binary
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        self.encode_in(block, None)
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        let at = block
            .streams
            .iter()
            .position(|s| s.kind == StreamKind::BinaryLayout)
            .ok_or_else(|| Error::corrupt("L4 binary", "no binary-layout stream"))?;
        let max = max_values(block.original_len);
        let (form, layout) = read_layout(&block.streams[at].data, max)?;
        let (sequences, streams) = match form {
            Form::Varints => {
                let numbers = block
                    .streams
                    .get(at + 1)
                    .filter(|s| s.kind == StreamKind::Bytes)
                    .ok_or_else(|| Error::corrupt("binary varints", "no bytes stream after binary-layout"))?;
                (join_varints(&layout, &numbers.data, max)?, 1)
            }
            Form::Planes => {
                let plane_count: usize = layout.iter().map(|s| usize::from(s.width)).sum();
                let streams = plane_count.min(MAX_PLANE_STREAMS);
                let planes = block.streams.get(at + 1..at + 1 + streams).ok_or_else(|| {
                    Error::corrupt("number planes", format!("{streams} plane streams after binary-layout, fewer found"))
                })?;
                if let Some(s) = planes.iter().find(|s| !matches!(s.kind, StreamKind::NumberPlanes | StreamKind::Bytes))
                {
                    return Err(Error::corrupt(
                        "number planes",
                        format!("a {} stream among the planes", s.kind.name()),
                    ));
                }
                let planes: Vec<&[u8]> = planes.iter().map(|s| s.data.as_slice()).collect();
                (join(&layout, &planes, max)?, streams)
            }
        };
        block.streams.splice(at..at + 1 + streams, [Stream::new(StreamKind::IntSequences, sequences)]);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
