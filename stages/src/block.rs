//! The block model: what a block of input becomes on its way through the layers.
//!
//! A block starts as one [`StreamKind::Bytes`] stream holding the input. Each layer
//! replaces the streams it understands with the streams it produces, and records
//! itself in [`Block::layers`], so the decoder runs exactly the inverses of the
//! layers that were applied, in reverse order.

use crate::error::{Error, Result};
use crate::varint;

/// The layers of the engine. The discriminant is the layer's bit in a [`LayerSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum LayerId {
    /// L1: log text as templates and the values of their variables.
    Semantic = 0,
    /// L2: fixed-width records as columns.
    Structural = 1,
    /// L3: how each integer column of typed columns is predicted (deltas, relations,
    /// dictionaries).
    Delta = 2,
    /// L4: the byte layout of L3's sequences (byte planes).
    Binary = 3,
    /// L5: runs of equal bytes.
    Rle = 4,
    /// L6: matches against earlier bytes (LZ77).
    Pattern = 5,
    /// L7: Huffman coding of each stream.
    Entropy = 6,
    /// L8: the frame itself; always set.
    Seal = 7,
}

impl LayerId {
    /// Every layer, L1 to L8.
    pub const ALL: [LayerId; 8] = [
        LayerId::Semantic,
        LayerId::Structural,
        LayerId::Delta,
        LayerId::Binary,
        LayerId::Rle,
        LayerId::Pattern,
        LayerId::Entropy,
        LayerId::Seal,
    ];

    /// The layer's number as the roadmap names it: 1 for L1 Semantic … 8 for L8 Seal.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The layer's name: "semantic" … "seal".
    pub fn name(self) -> &'static str {
        match self {
            LayerId::Semantic => "semantic",
            LayerId::Structural => "structural",
            LayerId::Delta => "delta",
            LayerId::Binary => "binary",
            LayerId::Rle => "rle",
            LayerId::Pattern => "pattern",
            LayerId::Entropy => "entropy",
            LayerId::Seal => "seal",
        }
    }
}

impl std::fmt::Display for LayerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "L{} {}", self.number(), self.name())
    }
}

/// A set of layers, one bit each; stored in the frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct LayerSet(pub u8);

impl LayerSet {
    /// No layer.
    pub const EMPTY: LayerSet = LayerSet(0);

    /// Whether `layer` is in the set.
    pub fn contains(self, layer: LayerId) -> bool {
        self.0 & (1 << layer as u8) != 0
    }

    /// Adds `layer`.
    pub fn insert(&mut self, layer: LayerId) {
        self.0 |= 1 << layer as u8;
    }

    /// Whether no layer is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `layer` or any layer after it is in the set.
    pub fn reaches(self, layer: LayerId) -> bool {
        self.0 >> (layer as u8) != 0
    }

    /// The layers in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = LayerId> {
        LayerId::ALL.into_iter().filter(move |l| self.contains(*l))
    }
}

impl std::fmt::Display for LayerSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            return f.write_str("none (stored)");
        }
        let mut first = true;
        for layer in self.iter() {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "L{}", layer.number())?;
        }
        Ok(())
    }
}

/// What a stream holds. The byte value is written to the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum StreamKind {
    /// Plain bytes: the input, or what a layer left of it.
    Bytes = 0,
    /// L5: the runs taken out of a `Bytes` stream.
    RleRuns = 1,
    /// L6: literal bytes of the match search.
    LzLiterals = 2,
    /// L6: one token per sequence (literal length, match length), plus the group header.
    LzTokens = 3,
    /// L6: varint extensions of long literal runs.
    LzLiteralLengths = 4,
    /// L6: one code per match: 0 repeats the previous offset, else the offset's bit length.
    LzOffsetCodes = 5,
    /// L6: the offsets' bits below their leading one, packed LSB first.
    LzOffsetBits = 6,
    /// L6: varint extensions of long matches.
    LzMatchLengths = 7,
    /// L2 records: the columns of the records and how this block's numbers are coded.
    RecordLayout = 8,
    /// L2 records: numeric fields kept as bytes, then a trailing partial record.
    RecordExceptions = 9,
    /// L2 records (layout versions 1 and 2): byte planes of the numeric columns.
    RecordNumbers = 10,
    /// Typed integer columns, as a structural layer hands them to L3.
    IntColumns = 11,
    /// L3: each column's role, length and coding.
    DeltaMethods = 12,
    /// L3: the unsigned numbers the codings store, as L4 takes them.
    IntSequences = 13,
    /// L4: each sequence's length and width in bytes.
    BinaryLayout = 14,
    /// L4: byte planes of the sequences.
    NumberPlanes = 15,
}

impl StreamKind {
    /// The kind a frame names by this byte; an unknown one is an error.
    pub fn from_byte(byte: u8) -> Result<StreamKind> {
        Ok(match byte {
            0 => StreamKind::Bytes,
            1 => StreamKind::RleRuns,
            2 => StreamKind::LzLiterals,
            3 => StreamKind::LzTokens,
            4 => StreamKind::LzLiteralLengths,
            5 => StreamKind::LzOffsetCodes,
            6 => StreamKind::LzOffsetBits,
            7 => StreamKind::LzMatchLengths,
            8 => StreamKind::RecordLayout,
            9 => StreamKind::RecordExceptions,
            10 => StreamKind::RecordNumbers,
            11 => StreamKind::IntColumns,
            12 => StreamKind::DeltaMethods,
            13 => StreamKind::IntSequences,
            14 => StreamKind::BinaryLayout,
            15 => StreamKind::NumberPlanes,
            other => return Err(Error::Unsupported { what: "stream kind", value: other.into() }),
        })
    }

    /// The kind's name, as docs/FORMAT.md and `cobolp info` give it.
    pub fn name(self) -> &'static str {
        match self {
            StreamKind::Bytes => "bytes",
            StreamKind::RleRuns => "rle-runs",
            StreamKind::LzLiterals => "literals",
            StreamKind::LzTokens => "tokens",
            StreamKind::LzLiteralLengths => "literal-lengths",
            StreamKind::LzOffsetCodes => "offset-codes",
            StreamKind::LzOffsetBits => "offset-bits",
            StreamKind::LzMatchLengths => "match-lengths",
            StreamKind::RecordLayout => "record-layout",
            StreamKind::RecordExceptions => "record-exceptions",
            StreamKind::RecordNumbers => "record-numbers",
            StreamKind::IntColumns => "int-columns",
            StreamKind::DeltaMethods => "delta-methods",
            StreamKind::IntSequences => "int-sequences",
            StreamKind::BinaryLayout => "binary-layout",
            StreamKind::NumberPlanes => "number-planes",
        }
    }
}

/// One typed stream of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// What the bytes are.
    pub kind: StreamKind,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Stream {
    /// A stream of `kind` holding `data`.
    pub fn new(kind: StreamKind, data: Vec<u8>) -> Stream {
        Stream { kind, data }
    }
}

/// Most streams a frame may hold; checked before any stream is read.
pub const MAX_STREAMS: usize = 64;

/// A block in flight: its original length, the layers applied so far, and its streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Bytes of the input the block was made from.
    pub original_len: usize,
    /// Layers applied so far.
    pub layers: LayerSet,
    /// The streams the layers made, in order.
    pub streams: Vec<Stream>,
}

impl Block {
    /// A block that no layer has touched yet.
    pub fn from_input(input: Vec<u8>) -> Block {
        Block {
            original_len: input.len(),
            layers: LayerSet::EMPTY,
            streams: vec![Stream::new(StreamKind::Bytes, input)],
        }
    }

    /// Bytes held by all streams.
    pub fn stream_bytes(&self) -> usize {
        self.streams.iter().map(|s| s.data.len()).sum()
    }

    /// The largest length any single stream of this block may have. Decoders check
    /// every stream length they read against it before allocating.
    pub fn stream_cap(original_len: usize) -> usize {
        original_len + original_len / 8 + 1024
    }

    /// After every layer is undone, the block must be one `Bytes` stream again.
    pub fn into_single_bytes(mut self) -> Result<Vec<u8>> {
        if self.streams.len() != 1 || self.streams[0].kind != StreamKind::Bytes {
            return Err(Error::corrupt(
                "block",
                format!("{} streams left after decoding, expected one bytes stream", self.streams.len()),
            ));
        }
        let data = self.streams.pop().map(|s| s.data).unwrap_or_default();
        if data.len() != self.original_len {
            return Err(Error::corrupt(
                "block",
                format!("decoded {} bytes, header says {}", data.len(), self.original_len),
            ));
        }
        Ok(data)
    }

    /// Appends the streams as `count, (kind, len, bytes)*` to `out`.
    pub fn write_streams(&self, out: &mut Vec<u8>) {
        varint::put(out, self.streams.len() as u64);
        for stream in &self.streams {
            out.push(stream.kind as u8);
            varint::put(out, stream.data.len() as u64);
            out.extend_from_slice(&stream.data);
        }
    }

    /// Reads what [`Block::write_streams`] wrote; `payload` must be consumed exactly.
    pub fn read_streams(payload: &[u8], original_len: usize, layers: LayerSet) -> Result<Block> {
        let mut pos = 0;
        let count = varint::get_capped(payload, &mut pos, MAX_STREAMS as u64, "stream count")? as usize;
        let mut streams = Vec::with_capacity(count);
        for _ in 0..count {
            let kind_byte = *payload.get(pos).ok_or(Error::Truncated { what: "stream header", needed: 1 })?;
            pos += 1;
            let kind = StreamKind::from_byte(kind_byte)?;
            let len = varint::get(payload, &mut pos)?;
            let available = (payload.len() - pos) as u64;
            if len > available {
                return Err(Error::Truncated { what: "stream", needed: (len - available) as usize });
            }
            let len = len as usize;
            streams.push(Stream::new(kind, payload[pos..pos + len].to_vec()));
            pos += len;
        }
        if pos != payload.len() {
            return Err(Error::corrupt("payload", format!("{} bytes after the last stream", payload.len() - pos)));
        }
        Ok(Block { original_len, layers, streams })
    }
}

/// A layer of the engine: a pure, synchronous, lossless transform of a block.
///
/// `encode` either applies the layer (recording it in `block.layers`) or declines and
/// leaves the block exactly as it was; `decode` undoes it. A layer that tries the
/// layers after it to decide (the template split) may also hand on the block with
/// those applied, so that they need not run again: the layers run in order, and
/// [`Layer::encode_in_turn`] passes over a block a later layer has already reached.
pub trait Layer: Send + Sync {
    /// Which layer this is.
    fn id(&self) -> LayerId;

    /// Applies the layer if it pays; returns whether it did.
    fn encode(&self, block: &mut Block) -> Result<bool>;

    /// [`Layer::encode`] as one step of a sequence of layers, lowest first: nothing
    /// when this layer or a later one has been applied already.
    fn encode_in_turn(&self, block: &mut Block) -> Result<bool> {
        if block.layers.reaches(self.id()) {
            return Ok(false);
        }
        self.encode(block)
    }

    /// Undoes the layer. Called only when `block.layers` says it was applied.
    fn decode(&self, block: &mut Block) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_set_reaches_its_layers_and_those_before() {
        let mut set = LayerSet::EMPTY;
        assert!(!set.reaches(LayerId::Semantic));
        set.insert(LayerId::Pattern);
        assert!(set.reaches(LayerId::Semantic) && set.reaches(LayerId::Rle) && set.reaches(LayerId::Pattern));
        assert!(!set.reaches(LayerId::Entropy) && !set.reaches(LayerId::Seal));
    }

    #[test]
    fn layer_set_display() {
        let mut set = LayerSet::EMPTY;
        assert_eq!(set.to_string(), "none (stored)");
        set.insert(LayerId::Rle);
        set.insert(LayerId::Seal);
        assert_eq!(set.to_string(), "L5 L8");
        assert!(set.contains(LayerId::Seal) && !set.contains(LayerId::Pattern));
    }

    proptest! {
        #[test]
        fn streams_round_trip(parts in proptest::collection::vec((0u8..11, proptest::collection::vec(any::<u8>(), 0..100)), 0..10)) {
            let streams: Vec<Stream> = parts.into_iter()
                .map(|(k, d)| Stream::new(StreamKind::from_byte(k).unwrap(), d)).collect();
            let block = Block { original_len: 7, layers: LayerSet(3), streams };
            let mut buf = Vec::new();
            block.write_streams(&mut buf);
            prop_assert_eq!(Block::read_streams(&buf, 7, LayerSet(3)).unwrap(), block);
        }

        #[test]
        fn read_streams_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Block::read_streams(&bytes, 10, LayerSet::EMPTY);
        }
    }
}
