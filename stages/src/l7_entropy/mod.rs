//! L7 Entropy: canonical Huffman codes for each stream of a block, one for the whole
//! stream or one for each class of the byte before a symbol.
//!
//! Every stream is coded on its own, as the cheapest of its methods, so that a
//! stream that does not shrink costs two bytes and nothing else.
//!
//! # Coded stream
//!
//! ```text
//! coded   := method:u8  len:varint  body
//! method 0, raw:      body = the len bytes as they are
//! method 1, run:      body = one byte b; the stream is len copies of b
//! method 2, huffman:  body = table sizes substream0 substream1 substream2 substream3
//! method 3, huffman:  body = coded_table sizes substream0 substream1 substream2 substream3
//! method 4, context:  body = map coded_mask tables sizes substream0 .. substream3
//! ```
//!
//! Method 3 differs from 2 only in its table: the code lengths themselves coded
//! (see `coded_table.rs`), written where that is smaller than packed. Method 4 has
//! two to eight tables, and codes each symbol with the one its previous byte's class
//! names (see `context.rs`).
//!
//! `len` is the decoded length (LEB128, as in [`crate::varint`]). The body runs to
//! the end of the coded stream; any byte left over is an error.
//!
//! # Huffman body
//!
//! ```text
//! table      := max_sym:u8  packed:ceil((max_sym + 1) / 2) bytes
//! sizes      := size0:varint size1:varint size2:varint
//! substreams := the rest of the body; substream 3 takes what the three sizes leave
//! ```
//!
//! * `packed` holds one 4-bit code length per symbol `0..=max_sym`: byte `k` has
//!   the length of symbol `2k` in its low nibble and of `2k+1` in its high nibble.
//!   0 means the symbol does not occur; 1 to 11 are code lengths; 12 to 15 are
//!   invalid. `max_sym` must have a length; when `max_sym` is even the last high
//!   nibble must be 0. The lengths must form a complete prefix code: the sum of
//!   `2^(11 - length)` over the used symbols is exactly 2048 (so at least two
//!   symbols are used).
//! * Codes are canonical: symbols ordered by (length, symbol value) receive
//!   consecutive codes, starting from all zeros; moving to the next length appends
//!   a 0 bit (`code = (code + 1) << 1`, as in DEFLATE).
//! * The input is cut into four segments of `q = ceil(len / 4)` bytes, the last
//!   one taking what remains (`len - 3q`, possibly zero; with `len < 4` some
//!   segments are empty). Substream `i` codes segment `i`.
//! * Bits are packed LSB-first: the first bit of a substream is bit 0 of its first
//!   byte. Each code is sent most significant bit first, so the reader can take the
//!   next 11 bits as a little-endian number and look them up, bit-reversed, in one
//!   2048-entry table. A substream ends with its last code, padded with zero bits
//!   to a whole byte; it must not hold a further whole byte.
//!
//! # Checks on decoding
//!
//! `len` is compared with the caller's cap before anything is allocated, and a
//! Huffman segment of `n` symbols must have at least `n / 8` bytes (every code is
//! at least one bit), so a short corrupt input cannot make the decoder allocate
//! much. The table must be valid and complete, each substream must end in its last
//! byte with zero padding, and the coded stream must be consumed exactly.

mod bits;
mod coded_table;
pub(crate) mod context;
mod decode;
mod encode;
mod histogram;
mod lengths;

use crate::block::{Block, Layer, LayerId, Stream};
use crate::error::{Error, Result};
use crate::varint;

/// Method byte: the bytes as they are.
pub const METHOD_RAW: u8 = 0;
/// Method byte: one byte repeated.
pub const METHOD_RUN: u8 = 1;
/// Method byte: canonical Huffman, four substreams.
pub const METHOD_HUFFMAN: u8 = 2;
/// Method byte: as [`METHOD_HUFFMAN`], the table's code lengths themselves coded.
pub const METHOD_HUFFMAN_CODED_TABLE: u8 = 3;

/// Method byte: canonical Huffman, a code for each class of the byte before a
/// symbol (`context.rs`).
pub const METHOD_HUFFMAN_CONTEXT: u8 = 4;

/// What each method byte, 0 to [`METHOD_HUFFMAN_CONTEXT`], stands for, for tools that
/// report which ones a stream used.
pub const METHOD_NAMES: [&str; 5] = ["raw", "run", "huffman", "huffman with a coded table", "huffman by context"];
const _: () = assert!(METHOD_NAMES.len() == METHOD_HUFFMAN_CONTEXT as usize + 1);

/// Below this many bytes a stream is coded with one table: a second table costs tens
/// of bytes, and the counting by context takes more time than it could save.
const MIN_CONTEXT_LEN: usize = 512;

/// Below this the table alone costs about what Huffman could save; such streams
/// are stored raw (or as a run) without building a code.
const MIN_HUFFMAN_LEN: usize = 32;

/// Appends the coded form of `data` to `out`: whichever of raw, run and Huffman is
/// smallest, raw on a tie.
pub fn encode_stream(data: &[u8], out: &mut Vec<u8>) {
    let len = data.len();
    let head = 1 + varint::len(len as u64);
    let raw_size = head + len;
    let run = len > 1 && data.iter().all(|&b| b == data[0]);
    if run {
        out.reserve(head + 1);
        out.push(METHOD_RUN);
        varint::put(out, len as u64);
        out.push(data[0]);
        return;
    }
    if len >= MIN_HUFFMAN_LEN {
        // A long stream is counted once, by context; its single code is planned from
        // the same counts, unless the context code beats any single code.
        let (plan, context) = if len >= MIN_CONTEXT_LEN {
            let counts = context::count(data);
            match context::plan(&counts) {
                Some(context) if context.body_size < context.single_at_least => (None, Some(context)),
                context => {
                    let plan = encode::plan_of_segments(&context::segment_histograms(&counts));
                    let context = context.filter(|context| context.body_size < plan.body_size);
                    (Some(plan), context)
                }
            }
        } else {
            (Some(encode::plan(data)), None)
        };
        if let Some(context) = context.filter(|context| head + context.body_size < raw_size) {
            out.reserve(head + context.body_size + 8);
            out.push(METHOD_HUFFMAN_CONTEXT);
            varint::put(out, len as u64);
            context::write_body(data, &context, out);
            return;
        }
        if let Some(plan) = plan.filter(|plan| plan.distinct >= 2 && head + plan.body_size < raw_size) {
            out.reserve(head + plan.body_size + 8);
            out.push(if plan.coded_table.is_some() { METHOD_HUFFMAN_CODED_TABLE } else { METHOD_HUFFMAN });
            varint::put(out, len as u64);
            encode::write_body(data, &plan, out);
            return;
        }
    }
    out.reserve(raw_size);
    out.push(METHOD_RAW);
    varint::put(out, len as u64);
    out.extend_from_slice(data);
}

/// Decodes what [`encode_stream`] wrote. `coded` must be consumed exactly, and the
/// decoded length must not exceed `cap`.
pub fn decode_stream(coded: &[u8], cap: usize) -> Result<Vec<u8>> {
    let method = *coded.first().ok_or(Error::Truncated { what: "entropy stream", needed: 1 })?;
    let mut pos = 1;
    let len = varint::get_capped(coded, &mut pos, cap as u64, "entropy stream")? as usize;
    let body = &coded[pos..];
    match method {
        METHOD_RAW => {
            if body.len() < len {
                return Err(Error::Truncated { what: "raw entropy stream", needed: len - body.len() });
            }
            expect_exact(body.len(), len)?;
            Ok(body.to_vec())
        }
        METHOD_RUN => {
            let &byte = body.first().ok_or(Error::Truncated { what: "run entropy stream", needed: 1 })?;
            expect_exact(body.len(), 1)?;
            Ok(vec![byte; len])
        }
        METHOD_HUFFMAN => decode::decode_body(body, len, false),
        METHOD_HUFFMAN_CODED_TABLE => decode::decode_body(body, len, true),
        METHOD_HUFFMAN_CONTEXT => context::decode_body(body, len),
        other => Err(Error::Unsupported { what: "entropy method", value: other.into() }),
    }
}

fn expect_exact(have: usize, want: usize) -> Result<()> {
    if have != want {
        return Err(Error::corrupt("entropy stream", format!("{} bytes after the end", have - want)));
    }
    Ok(())
}

/// L7: replaces each stream's bytes with their coded form.
pub struct EntropyLayer;

impl Layer for EntropyLayer {
    fn id(&self) -> LayerId {
        LayerId::Entropy
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        let mut coded = Vec::with_capacity(block.streams.len());
        for stream in &block.streams {
            let mut out = Vec::new();
            encode_stream(&stream.data, &mut out);
            coded.push(out);
        }
        let coded_size: usize = coded.iter().map(Vec::len).sum();
        if coded_size >= block.stream_bytes() {
            return Ok(false);
        }
        for (stream, data) in block.streams.iter_mut().zip(coded) {
            stream.data = data;
        }
        block.layers.insert(LayerId::Entropy);
        Ok(true)
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        let cap = Block::stream_cap(block.original_len);
        let decoded = block
            .streams
            .iter()
            .map(|s| Ok(Stream::new(s.kind, decode_stream(&s.data, cap)?)))
            .collect::<Result<Vec<_>>>()?;
        block.streams = decoded;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
