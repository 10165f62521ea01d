//! L6 Pattern: LZ77 match search, split into separately coded streams.
//!
//! # Format
//!
//! One byte stream of length `n` becomes a *group* of six streams, always in this
//! order: `LzTokens`, `LzLiterals`, `LzLiteralLengths`, `LzOffsetCodes`,
//! `LzOffsetBits`, `LzMatchLengths`.
//!
//! The input is cut into *sequences*: a run of literal bytes, then a match (bytes
//! copied from earlier output). The last sequence has literals only, and there is
//! always exactly one last sequence, possibly with zero literals.
//!
//! - `LzTokens`: the varint (LEB128) `n`, then one byte per sequence. High nibble:
//!   literal count 0..=14, or 15 meaning 15 + a varint from `LzLiteralLengths`. Low
//!   nibble: match length − 4 in 0..=14, or 15 meaning 15 + a varint from
//!   `LzMatchLengths` (so the length is 19 + the varint). The minimum match length is
//!   4. The last byte of the stream is the last sequence's token; its low nibble must
//!   be 0 and it has no match and no offset.
//! - `LzLiterals`: all literal bytes, in order.
//! - `LzLiteralLengths`, `LzMatchLengths`: the varint extensions of escaped literal
//!   and match nibbles, in sequence order. Kept apart because the two distributions
//!   differ, and the entropy layer codes each stream with one table.
//! - `LzOffsetCodes`: one byte per match. `b` in 1..=24 means the offset has `b`
//!   bits, so it is `2^(b-1)` plus `b - 1` more bits read from `LzOffsetBits`; 0, 25
//!   and 26 repeat the most recent, second and third most recent distinct offsets.
//!   Encoder and decoder keep those three: an explicit offset goes to the front, a
//!   repeat of the second or third moves it to the front, a repeat of the first
//!   changes nothing; a repeat of one that does not exist yet is an error. Offsets run
//!   from 1 to 2^24 − 1 and must not reach before the start of the output.
//! - `LzOffsetBits`: those extra bits, packed least significant bit first, match
//!   after match, the last byte padded with zero bits. LZ offsets are spread roughly
//!   evenly over their bit lengths: the codes entropy-code to a few bits, the extra
//!   bits are what they are, and an offset costs about its bit length, which is the
//!   price the match finder weighs candidates by.
//!
//! A group decodes to exactly `n` bytes, uses every byte of all six streams, and
//! `n` must not exceed the decoder's cap; anything else is an error.
//!
//! # Layer
//!
//! [`PatternLayer`] turns each `Bytes` stream of a block whose group is smaller than
//! it into that group, in place; other streams keep their positions.

mod compress;
mod decompress;
mod optimal;
mod sequence;
#[cfg(test)]
mod tests;
mod tree;

pub use compress::{Matcher, SessionMatcher};
pub use decompress::{decompress, decompress_append, decompress_with_prefix};

use crate::block::{Block, Layer, LayerId, Stream, StreamKind, MAX_STREAMS};
use crate::error::{Error, Result};

/// The kinds of a group's streams, in the order they appear in a block.
pub const GROUP_KINDS: [StreamKind; 6] = [
    StreamKind::LzTokens,
    StreamKind::LzLiterals,
    StreamKind::LzLiteralLengths,
    StreamKind::LzOffsetCodes,
    StreamKind::LzOffsetBits,
    StreamKind::LzMatchLengths,
];

/// How hard the match finder looks. Out-of-range values are clamped, never rejected:
/// any setting yields a valid group, only size and speed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchParams {
    /// Matches reach at most 2^`window_log` − 1 bytes back (10..=24).
    pub window_log: u8,
    /// Log2 of the number of hash table slots (8..=26); capped by the input size.
    pub hash_log: u8,
    /// Log2 of the chain table's length (10..=26): how far back, in positions, a
    /// hash chain reaches. A shorter table stays in cache; the newest candidate per
    /// hash is still found up to the full window.
    pub chain_log: u8,
    /// Bytes hashed to find candidates (4..=8). Longer keys skip short, useless
    /// candidates on text; 4 finds the most matches in binary records.
    pub hash_len: u8,
    /// Candidates examined per position. 1 keeps only the newest per hash and
    /// needs no chain table.
    pub search_depth: u32,
    /// 0: take the first match found; 1: also try one byte later; 2: up to two later.
    pub lazy: u8,
    /// A match this long ends the search at once.
    pub good_len: u32,
    /// Once a match this long is found, only a quarter of the remaining depth is
    /// searched: it is already worth taking, and a better one is rarely near.
    pub enough_len: u32,
    /// Lazy matching is tried only for matches shorter than this: a long match is
    /// seldom beaten by one starting a byte later.
    pub lazy_len: u32,
    /// After 2^`skip_log` bytes without a match the search steps one byte further
    /// each time (1..=31): random data is crossed fast, compressible data barely
    /// notices.
    pub skip_log: u8,
    /// 0: sequences chosen lazily (`lazy`). 1 or more: chosen by price over every way
    /// through the input (`optimal.rs`), the prices taken from a lazy parse and then
    /// from each pass before the last: smaller, and several times slower. The matches
    /// are then found in binary trees (`tree.rs`), `search_depth` nodes a walk, and
    /// `lazy`, `lazy_len` and `enough_len` play no part.
    pub optimal_passes: u8,
}

impl MatchParams {
    /// Speed first: newest candidate only, greedy.
    pub fn fast() -> MatchParams {
        MatchParams {
            window_log: 24,
            hash_log: 16,
            chain_log: 16,
            hash_len: 6,
            search_depth: 1,
            lazy: 0,
            good_len: 64,
            enough_len: 64,
            lazy_len: 0,
            skip_log: 5,
            optimal_passes: 0,
        }
    }

    /// Ratio for Maximal: deep chains and two steps of lazy matching.
    pub fn strong() -> MatchParams {
        MatchParams {
            window_log: 24,
            hash_log: 20,
            chain_log: 20,
            hash_len: 5,
            search_depth: 256,
            lazy: 2,
            good_len: 256,
            enough_len: 64,
            lazy_len: 128,
            skip_log: 10,
            optimal_passes: 0,
        }
    }

    fn sanitized(&self) -> MatchParams {
        MatchParams {
            window_log: self.window_log.clamp(10, 24),
            hash_log: self.hash_log.clamp(8, 26),
            chain_log: self.chain_log.clamp(10, 26),
            hash_len: self.hash_len.clamp(4, 8),
            search_depth: self.search_depth.clamp(1, 1 << 16),
            lazy: self.lazy.min(2),
            good_len: self.good_len.max(sequence::MIN_MATCH as u32),
            enough_len: self.enough_len.max(sequence::MIN_MATCH as u32),
            lazy_len: self.lazy_len,
            skip_log: self.skip_log.clamp(1, 31),
            optimal_passes: self.optimal_passes.min(4),
        }
    }
}

impl Default for MatchParams {
    /// Bridge's setting at the default level (and Legacy's, until Legacy took its own
    /// ladder): deep chains cut short once a match is good, one step of lazy matching
    /// (docs/ARCHITECTURE.md says how it was chosen).
    fn default() -> MatchParams {
        MatchParams {
            window_log: 24,
            hash_log: 17,
            chain_log: 16,
            hash_len: 6,
            search_depth: 128,
            lazy: 1,
            good_len: 128,
            enough_len: 16,
            lazy_len: 64,
            skip_log: 6,
            optimal_passes: 0,
        }
    }
}

/// Compresses `input` into its group's six streams, in [`GROUP_KINDS`] order.
pub fn compress(input: &[u8], params: &MatchParams) -> [Vec<u8>; 6] {
    Matcher::with_kept_tables(|matcher| matcher.compress(input, params))
}

/// The L6 layer: each `Bytes` stream becomes a six-stream group where that pays.
#[derive(Debug, Clone, Copy, Default)]
pub struct PatternLayer {
    /// How hard the match finder looks.
    pub params: MatchParams,
}

impl Layer for PatternLayer {
    fn id(&self) -> LayerId {
        LayerId::Pattern
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        self.encode_with_prefix(block, &[])
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        self.decode_with_prefix(block, &[])
    }
}

impl PatternLayer {
    /// Encodes as the layer does, with every group's matches allowed to reach back
    /// into `prefix` (session mode: the data of the session's earlier frames).
    pub fn encode_with_prefix(&self, block: &mut Block, prefix: &[u8]) -> Result<bool> {
        let mut count = block.streams.len();
        let mut groups = Vec::with_capacity(block.streams.len());
        let mut any = false;
        Matcher::with_kept_tables(|matcher| {
            for stream in &block.streams {
                // Each group adds five streams; stop before the frame could not hold them.
                let group = (stream.kind == StreamKind::Bytes && count + 5 <= MAX_STREAMS)
                    .then(|| matcher.compress_with_prefix(prefix, &stream.data, &self.params))
                    .filter(|g| g.iter().map(Vec::len).sum::<usize>() < stream.data.len());
                if group.is_some() {
                    count += 5;
                    any = true;
                }
                groups.push(group);
            }
        });
        if !any {
            return Ok(false);
        }
        let old = std::mem::take(&mut block.streams);
        block.streams = Vec::with_capacity(count);
        for (stream, group) in old.into_iter().zip(groups) {
            match group {
                Some(group) => {
                    block.streams.extend(GROUP_KINDS.into_iter().zip(group).map(|(kind, data)| Stream::new(kind, data)))
                }
                None => block.streams.push(stream),
            }
        }
        block.layers.insert(LayerId::Pattern);
        Ok(true)
    }

    /// Encodes the block's one `Bytes` stream (a session message) with `matcher`,
    /// which holds the session's history and takes the message into it. Decoded by
    /// [`PatternLayer::decode_with_prefix`] with the same history.
    pub fn encode_session(&self, block: &mut Block, matcher: &mut SessionMatcher) -> Result<bool> {
        let [Stream { kind: StreamKind::Bytes, data }] = block.streams.as_slice() else {
            return Err(Error::Invalid("a session message is one bytes stream".into()));
        };
        let group = matcher.compress(data);
        if group.iter().map(Vec::len).sum::<usize>() >= data.len() {
            return Ok(false);
        }
        block.streams = GROUP_KINDS.into_iter().zip(group).map(|(kind, data)| Stream::new(kind, data)).collect();
        block.layers.insert(LayerId::Pattern);
        Ok(true)
    }

    /// Undoes [`PatternLayer::encode_session`]: decodes the block's one group onto
    /// the end of `history` (the session's earlier data, which its matches may reach
    /// into), leaving the message there and in the block. On error both are as
    /// they were.
    pub fn decode_session(&self, block: &mut Block, history: &mut Vec<u8>) -> Result<()> {
        let cap = Block::stream_cap(block.original_len);
        let group = block.streams.as_slice();
        if group.len() != GROUP_KINDS.len() || group.iter().zip(GROUP_KINDS).any(|(s, k)| s.kind != k) {
            return Err(Error::corrupt("pattern group", "a session frame holds exactly one group"));
        }
        let start = history.len();
        decompress_append(history, [0, 1, 2, 3, 4, 5].map(|j| group[j].data.as_slice()), cap)?;
        block.streams = vec![Stream::new(StreamKind::Bytes, history[start..].to_vec())];
        Ok(())
    }

    /// Undoes [`PatternLayer::encode_with_prefix`]; `prefix` must be the same bytes.
    pub fn decode_with_prefix(&self, block: &mut Block, prefix: &[u8]) -> Result<()> {
        let cap = Block::stream_cap(block.original_len);
        // Decode everything before changing the block, so an error leaves it intact.
        let mut decoded = Vec::new();
        let mut i = 0;
        while i < block.streams.len() {
            let kind = block.streams[i].kind;
            if kind == StreamKind::LzTokens {
                let Some(group) = block.streams.get(i..i + 6) else {
                    return Err(Error::corrupt(
                        "pattern group",
                        format!("group at stream {i} has only {} of 6 streams", block.streams.len() - i),
                    ));
                };
                if let Some((j, s)) = group.iter().enumerate().find(|(j, s)| s.kind != GROUP_KINDS[*j]) {
                    return Err(Error::corrupt(
                        "pattern group",
                        format!("stream {} is {}, expected {}", i + j, s.kind.name(), GROUP_KINDS[j].name()),
                    ));
                }
                let parts = [0, 1, 2, 3, 4, 5].map(|j| group[j].data.as_slice());
                decoded.push(decompress_with_prefix(prefix, parts, cap)?);
                i += 6;
            } else if GROUP_KINDS.contains(&kind) {
                return Err(Error::corrupt("pattern group", format!("stream {i} is {} outside a group", kind.name())));
            } else {
                i += 1;
            }
        }
        if decoded.is_empty() {
            return Err(Error::corrupt("pattern group", "layer applied but no group found"));
        }
        // Validated above: each tokens stream opens a group and the other five kinds
        // occur only inside groups.
        let old = std::mem::take(&mut block.streams);
        let mut streams = Vec::with_capacity(old.len() - 5 * decoded.len());
        let mut decoded = decoded.into_iter();
        for stream in old {
            if stream.kind == StreamKind::LzTokens {
                streams.push(Stream::new(StreamKind::Bytes, decoded.next().unwrap_or_default()));
            } else if !GROUP_KINDS.contains(&stream.kind) {
                streams.push(stream);
            }
        }
        block.streams = streams;
        Ok(())
    }
}
