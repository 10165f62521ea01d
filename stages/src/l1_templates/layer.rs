//! The template split as a layer of the engine (L1 Semantic): it classifies the block,
//! splits text into templates and variable streams when that pays, and declines
//! otherwise, leaving the block as it was.
//!
//! "Pays" is measured, not guessed: both forms of the whole block go through L5, L6
//! and L7 ([`crate::trial`]), and the split is taken only when it comes out at least
//! [`MIN_GAIN_PERCENT`] % smaller. A sample of the block would mislead (a template
//! dictionary is paid once a block, so the split gains more on the whole block than
//! on a part). Trials with the fast greedy search (a third of the default search's
//! time) settle clear cases; the mode's own search settles the rest, and its result
//! is kept: the form it chose is handed on with L5-L7 applied, and the engine does
//! not run them again.
//!
//! Most logs' splits hold a twentieth to a quarter of the block's bytes. Such a split
//! goes through the mode's search at once, and the block as it is through the fast
//! one, which comes out a bounded factor larger than the mode's search would make it.
//! So a split at least [`CLEAR_GAIN`] times smaller than that is taken, a split no
//! smaller is declined. A split that keeps most of the block as words (prose, JSON,
//! package lists) gets the fast search first, both forms: that search overstates the
//! split's gain by a bounded factor, so a fast gain of [`CLEAR_GAIN`] is taken and none
//! is declined. Only blocks between get the block through the mode's search too, which
//! decides. The bounds, measured on every corpus block, and why [`CLEAR_GAIN`] is
//! safe under them, are in docs/ARCHITECTURE.md ("Bridge: log lines as templates").
//!
//! The split's eight streams are plain `Bytes` streams, in the fixed order of
//! [`Split::streams`], so that L5–L7 treat them like any other; the frame's layer
//! mask (bit 0) says they are a split and not the block.

use super::{join, split, Split};
use crate::l6_pattern::{MatchParams, PatternLayer};
use crate::{trial, Block, Layer, LayerId, Result, Stream, StreamKind};

/// The split must be this much smaller on the trial to be taken.
pub const MIN_GAIN_PERCENT: usize = 1;

/// Blocks shorter than this are not split: a handful of lines cannot pay for their
/// template dictionary, and a service's small messages should not pay for the trial.
pub const MIN_SPLIT_INPUT: usize = 2048;

/// The block's size after the fast trial over the split's (after the mode's trial for
/// a small split, else the fast one), from which the split is taken without the
/// block's trial with the mode's search.
pub const CLEAR_GAIN: f64 = 1.5;

/// A split whose streams hold at most a this-th of its block's bytes (most logs: a
/// twentieth to a quarter) gets its trial with the mode's search at once.
pub const SMALL_SPLIT: usize = 3;

/// [`SplitDecision::Sampled`] takes a sample of about a this-th of its block ...
pub const SAMPLE_SHARE: usize = 16;

/// ... in this many pieces spread evenly over it ...
pub const SAMPLE_PIECES: usize = 8;

/// ... each at least this long (a block shorter than twice the sample's least size has
/// no sample, and is measured);
pub const MIN_SAMPLE_PIECE: usize = 8 << 10;

/// and keeps a small split without the block's trials when the sample through the
/// fast search, scaled to the block, comes out at least this many times the split's
/// trial with the mode's search ...
pub const SAMPLE_CLEAR_GAIN: f64 = 1.25;

/// ... and the sample itself at least this many bytes: below, its size is mostly the
/// entropy coder's tables and the streams' headers, which scaling would multiply (a
/// corpus log's sample comes to 4.7 KB or more).
pub const MIN_SAMPLE_OUTPUT: usize = 2048;

/// L1 Semantic + L2 Structural for text, as one layer; `pattern` is the L6 search
/// the trials use, the one a split it keeps is coded with.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateLayer {
    /// The match search its trials use (the mode's for its split's streams).
    pub pattern: PatternLayer,
    /// How it decides whether a split pays.
    pub decision: SplitDecision,
}

/// How [`TemplateLayer`] decides whether to keep a split: the levels' dial between
/// the certainty of a trial and its cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SplitDecision {
    /// Both forms through L5-L7, as the module says: a split is kept only where it
    /// measures smaller.
    #[default]
    Measured,
    /// A split of at most a [`SMALL_SPLIT`]-th of its block is kept without a trial of
    /// the block as it is (a fifth of Bridge's time on a log); larger splits are
    /// measured as in [`SplitDecision::Measured`]. Every corpus log's split pays by
    /// 1.17x or more after L5-L7, so on them nothing changes but the time; a block
    /// whose small split would not pay (text that LZ matching alone reduces further)
    /// comes out larger than its measured choice would.
    SmallSplitKept,
    /// A small split is tried with the mode's search (as in `Measured`, and kept as
    /// its compression), then set against a sample of the block as it is instead of
    /// the whole block: a [`SAMPLE_SHARE`]-th of it in [`SAMPLE_PIECES`] pieces
    /// through the fast search, scaled to the block. At least [`SAMPLE_CLEAR_GAIN`]
    /// times the split's size, the split is kept; else, and for blocks too short for
    /// a sample, the block is measured as in `Measured`. A sample compresses worse
    /// than its block (it has less to match against), by 0.98-1.54x on the corpus'
    /// and held-out blocks, and every corpus block's scaled sample comes to 1.55x its
    /// split or more: the sample settles them all, and a split of text that LZ
    /// matching alone reduces about as well is still measured.
    Sampled,
}

/// Text with lines: almost every byte printable (or tab, CR, LF, or part of a UTF-8
/// sequence) and a line end at least every 4 KiB on average.
pub fn looks_like_text(data: &[u8]) -> bool {
    if data.is_empty() {
        return false;
    }
    let (binary, lines) = binary_and_line_ends(data);
    binary * 100 <= data.len() && lines * 4096 >= data.len()
}

/// How many bytes of `data` are binary (see [`is_binary`]), and how many are `\n`.
fn binary_and_line_ends(data: &[u8]) -> (usize, usize) {
    // Both counts in one pass, in pieces short enough for byte-wide counters: the
    // compiler turns the loop into vector compares and adds, where a histogram of every
    // byte value was a load and a store a byte.
    let (mut binary, mut lines) = (0usize, 0usize);
    for piece in data.chunks(255) {
        let (b, l) = piece.iter().fold((0u8, 0u8), |(b, l), &c| (b + u8::from(is_binary(c)), l + u8::from(c == b'\n')));
        binary += usize::from(b);
        lines += usize::from(l);
    }
    (binary, lines)
}

/// A control byte other than tab, line feed and carriage return, or DEL.
fn is_binary(c: u8) -> bool {
    (c < 0x20) & (c != b'\t') & (c != b'\n') & (c != b'\r') | (c == 0x7F)
}

/// About a [`SAMPLE_SHARE`]-th of `data` in [`SAMPLE_PIECES`] pieces of equal length,
/// each from the middle of its part of `data`; `None` when `data` is shorter than twice
/// the least sample.
fn sample_of(data: &[u8]) -> Option<Vec<u8>> {
    let piece = (data.len() / SAMPLE_SHARE / SAMPLE_PIECES).max(MIN_SAMPLE_PIECE);
    if piece * SAMPLE_PIECES * 2 > data.len() {
        return None;
    }
    let part = data.len() / SAMPLE_PIECES;
    let mut sample = Vec::with_capacity(piece * SAMPLE_PIECES);
    for i in 0..SAMPLE_PIECES {
        let start = i * part + (part - piece) / 2;
        sample.extend_from_slice(&data[start..start + piece]);
    }
    Some(sample)
}

/// Whether a sample of `data` (see [`sample_of`]) through `fast` (the fast search), scaled to
/// the block, comes out at least [`SAMPLE_CLEAR_GAIN`] times `split_size`, from a
/// sample of at least [`MIN_SAMPLE_OUTPUT`] bytes.
fn sample_settles(data: &[u8], split_size: usize, fast: &PatternLayer) -> Result<bool> {
    let Some(sample) = sample_of(data) else { return Ok(false) };
    let scale = data.len() as f64 / sample.len() as f64;
    let sample_size = trial::size_after_legacy_layers(Block::from_input(sample), fast)?;
    Ok(sample_size >= MIN_SAMPLE_OUTPUT && sample_size as f64 * scale >= split_size as f64 * SAMPLE_CLEAR_GAIN)
}

impl TemplateLayer {
    /// The block as L1 hands it on: split, or not, and in either case with L5-L7
    /// applied when a trial already ran them with the mode's search (the engine does
    /// not run them again; see [`Layer::encode_in_turn`]); `None` when the split was
    /// declined before any such trial.
    fn split_if_it_pays(&self, block: &Block, data: &[u8]) -> Result<Option<Block>> {
        let mut candidate =
            Block { original_len: block.original_len, layers: block.layers, streams: split(data).into_block_streams() };
        candidate.layers.insert(LayerId::Semantic);
        let small = candidate.stream_bytes() * SMALL_SPLIT <= data.len();
        if small && self.decision == SplitDecision::SmallSplitKept {
            // Handed on as split: the engine's L5-L7 compress it as the trial would have.
            return Ok(Some(candidate));
        }
        let fast = PatternLayer { params: MatchParams::fast() };
        let without_fast = || trial::size_after_legacy_layers(block.clone(), &fast);
        let candidate = if small {
            // A split a small part of its block: its trial with the mode's search costs
            // little, and is kept.
            let candidate = trial::after_legacy_layers(candidate, &self.pattern)?;
            let with = trial::size(&candidate);
            if self.decision == SplitDecision::Sampled && sample_settles(data, with, &fast)? {
                return Ok(Some(candidate));
            }
            let without_fast = without_fast()?;
            if without_fast as f64 >= with as f64 * CLEAR_GAIN {
                return Ok(Some(candidate));
            }
            if with >= without_fast {
                return Ok(None);
            }
            candidate
        } else {
            // Most of the block left in words (prose, JSON, package lists): both fast
            // trials first, which decline most such blocks at once.
            let (with_fast, without_fast) =
                (trial::size_after_legacy_layers(candidate.clone(), &fast)?, without_fast()?);
            if with_fast >= without_fast {
                return Ok(None);
            }
            let candidate = trial::after_legacy_layers(candidate, &self.pattern)?;
            if without_fast as f64 >= with_fast as f64 * CLEAR_GAIN {
                return Ok(Some(candidate));
            }
            candidate
        };
        let without = trial::after_legacy_layers(block.clone(), &self.pattern)?;
        let pays = trial::size(&candidate) * 100 <= trial::size(&without) * (100 - MIN_GAIN_PERCENT);
        Ok(Some(if pays { candidate } else { without }))
    }
}

impl Layer for TemplateLayer {
    fn id(&self) -> LayerId {
        LayerId::Semantic
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        let [stream] = &block.streams[..] else { return Ok(false) };
        if stream.kind != StreamKind::Bytes || stream.data.len() < MIN_SPLIT_INPUT || !looks_like_text(&stream.data) {
            return Ok(false);
        }
        let Some(handed_on) = self.split_if_it_pays(block, &stream.data)? else { return Ok(false) };
        *block = handed_on;
        Ok(block.layers.contains(LayerId::Semantic))
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        let s = Split::from_block_streams(std::mem::take(&mut block.streams))?;
        block.streams = vec![Stream::new(StreamKind::Bytes, join(&s, block.original_len)?)];
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l5_rle::RleLayer;
    use crate::l7_entropy::EntropyLayer;
    use proptest::prelude::*;

    fn through_all(data: &[u8]) -> (Block, Vec<u8>) {
        let layers: [&dyn Layer; 4] = [&TemplateLayer::default(), &RleLayer, &PatternLayer::default(), &EntropyLayer];
        let mut block = Block::from_input(data.to_vec());
        for l in layers {
            l.encode_in_turn(&mut block).unwrap();
        }
        let encoded = block.clone();
        for l in layers.iter().rev() {
            if block.layers.contains(l.id()) {
                l.decode(&mut block).unwrap();
            }
        }
        (encoded, block.into_single_bytes().unwrap())
    }

    #[test]
    fn logs_are_split_and_come_back() {
        let data: Vec<u8> = (0..20_000)
            .flat_map(|i| {
                format!(
                    "2026-11-30 09:{:02}:{:02} INFO worker-{} request {} took {}ms\n",
                    i / 60 % 60,
                    i % 60,
                    i % 4,
                    70_000 + i,
                    i * 7 % 300
                )
                .into_bytes()
            })
            .collect();
        let (encoded, back) = through_all(&data);
        assert!(encoded.layers.contains(LayerId::Semantic), "logs pay: {}", encoded.layers);
        assert_eq!(back, data);
    }

    /// `count` lines of a request log: times, a path from 97, sizes.
    fn request_lines(count: u32) -> Vec<u8> {
        (0..count)
            .flat_map(|i| {
                format!("2026-11-30 10:{:02}:{:02} GET /item/{} 200 {}\n", i / 60 % 60, i % 60, i % 97, i * 13 % 4000)
                    .into_bytes()
            })
            .collect()
    }

    /// The split's trial with the mode's search is its compression: L1 hands the block
    /// on with L5-L7 applied, exactly as they would have left the split, and they
    /// then pass it over.
    #[test]
    fn a_split_is_handed_on_compressed() {
        let data = request_lines(30_000);
        let mut block = Block::from_input(data.clone());
        assert!(TemplateLayer::default().encode(&mut block).unwrap());
        let mut expected = Block::from_input(data.clone());
        expected.streams = split(&data).into_block_streams();
        expected.layers.insert(LayerId::Semantic);
        let expected = trial::after_legacy_layers(expected, &PatternLayer::default()).unwrap();
        assert!(expected.layers.contains(LayerId::Entropy), "{}", expected.layers);
        assert_eq!(block, expected);
        let layers: [&dyn Layer; 3] = [&RleLayer, &PatternLayer::default(), &EntropyLayer];
        for l in layers {
            assert!(!l.encode_in_turn(&mut block).unwrap());
        }
        assert_eq!(block, expected);
    }

    /// At the fast levels a small split is handed on as it is, for the engine's
    /// L5-L7, and comes back; a split that is most of its block is still measured.
    #[test]
    fn a_small_split_is_kept_untried_when_told() {
        let data: Vec<u8> = (0..30_000)
            .flat_map(|i| {
                format!("2026-11-30 10:{:02}:{:02} GET /item/{} 200\n", i / 60 % 60, i % 60, i % 97).into_bytes()
            })
            .collect();
        let layer = TemplateLayer { decision: SplitDecision::SmallSplitKept, ..TemplateLayer::default() };
        let mut block = Block::from_input(data.clone());
        assert!(layer.encode(&mut block).unwrap());
        let mut expected = Block::from_input(data.clone());
        expected.streams = split(&data).into_block_streams();
        expected.layers.insert(LayerId::Semantic);
        assert_eq!(block, expected, "no layer after L1 ran");
        layer.decode(&mut block).unwrap();
        assert_eq!(block.into_single_bytes().unwrap(), data);

        // Words with no template to share (most of the block stays in the split):
        // measured, and declined as the default layer declines it.
        let words: Vec<u8> = (0..4000u32)
            .flat_map(|i| format!("w{:x} q{:x}\n", i.wrapping_mul(2_654_435_761), i.wrapping_mul(40_503)).into_bytes())
            .collect();
        let (mut kept, mut measured) = (Block::from_input(words.clone()), Block::from_input(words));
        assert_eq!(layer.encode(&mut kept).unwrap(), TemplateLayer::default().encode(&mut measured).unwrap());
        assert_eq!(kept, measured);
    }

    /// A sample is a sixteenth of a long block, in eight pieces from the middles of
    /// its eighths; a short block's pieces are 8 KiB, and a block under 128 KiB has
    /// none.
    #[test]
    fn samples_are_spread_over_their_block() {
        let data: Vec<u8> = (0..4u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let sample = sample_of(&data).unwrap();
        let (piece, part) = (data.len() / SAMPLE_SHARE / SAMPLE_PIECES, data.len() / SAMPLE_PIECES);
        assert_eq!(sample.len(), data.len() / SAMPLE_SHARE);
        for (i, got) in sample.chunks(piece).enumerate() {
            let start = i * part + (part - piece) / 2;
            assert_eq!(got, &data[start..start + piece], "piece {i}");
        }
        assert_eq!(sample_of(&data[..200_000]).unwrap().len(), SAMPLE_PIECES * MIN_SAMPLE_PIECE);
        assert_eq!(sample_of(&data[..2 * SAMPLE_PIECES * MIN_SAMPLE_PIECE]).map(|s| s.len()), Some(64 << 10));
        assert!(sample_of(&data[..2 * SAMPLE_PIECES * MIN_SAMPLE_PIECE - 1]).is_none());
    }

    /// Where the sample settles it, the sampled decision keeps what measuring the whole
    /// block keeps; where it does not (words the split cannot shorten, text that LZ
    /// matching alone reduces), the block is measured and the outcomes agree too.
    #[test]
    fn a_sampled_decision_keeps_what_measuring_keeps() {
        let logs = request_lines(6_000);
        let split_size = trial::size_after_legacy_layers(
            Block {
                original_len: logs.len(),
                layers: crate::LayerSet::EMPTY,
                streams: split(&logs).into_block_streams(),
            },
            &PatternLayer::default(),
        )
        .unwrap();
        let fast = PatternLayer { params: MatchParams::fast() };
        assert!(sample_settles(&logs, split_size, &fast).unwrap(), "a log's split is settled by the sample");
        // One line over and over: LZ alone makes nearly nothing of it, the split a
        // template and columns of equal values; the sample cannot tell which is smaller.
        let same = b"2026-11-30 10:00:00 GET /item/1 200 7\n".repeat(4000);
        let words: Vec<u8> = (0..8000u32)
            .flat_map(|i| format!("w{:x} q{:x}\n", i.wrapping_mul(2_654_435_761), i.wrapping_mul(40_503)).into_bytes())
            .collect();
        let sampled = TemplateLayer { decision: SplitDecision::Sampled, ..TemplateLayer::default() };
        for data in [logs, same, words] {
            let (mut by_sample, mut measured) = (Block::from_input(data.clone()), Block::from_input(data.clone()));
            assert_eq!(
                sampled.encode(&mut by_sample).unwrap(),
                TemplateLayer::default().encode(&mut measured).unwrap()
            );
            assert_eq!(by_sample, measured);
        }
    }

    #[test]
    fn binary_and_prose_are_declined() {
        let binary: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
        let mut block = Block::from_input(binary.clone());
        assert!(!TemplateLayer::default().encode(&mut block).unwrap());
        assert_eq!(block, Block::from_input(binary));
        assert!(!looks_like_text(b""));
        assert!(!looks_like_text(&[b'a'; 10_000]), "no line ends");
    }

    proptest! {
        #[test]
        fn binary_bytes_and_line_ends_are_counted(data in prop::collection::vec(prop_oneof![any::<u8>(), Just(b'\n'), 0u8..0x20], 0..2000)) {
            let binary = data.iter().filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') || c == 0x7F).count();
            let lines = data.iter().filter(|&&c| c == b'\n').count();
            prop_assert_eq!(binary_and_line_ends(&data), (binary, lines));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn any_bytes_round_trip(data in prop::collection::vec(any::<u8>(), 0..3000)) {
            prop_assert_eq!(through_all(&data).1, data);
        }

        #[test]
        fn log_like_lines_round_trip(lines in prop::collection::vec("[a-z]{1,5} [0-9]{1,4}[:.][0-9]{2} (id=[0-9a-f]{1,6})?\r?", 1..400)) {
            let data = lines.join("\n").into_bytes();
            prop_assert_eq!(through_all(&data).1, data);
        }

        /// Access-log lines: timestamps that move on, clients and requests from small
        /// pools (word references, addresses as words), sizes that follow the request
        /// (keyed numbers), now and then a line that breaks the pattern.
        #[test]
        fn access_log_lines_round_trip(
            rows in prop::collection::vec((0u32..4, 0u32..6, 0u32..90, any::<bool>(), "[ -~]{0,12}"), 50..600),
        ) {
            let mut data = Vec::new();
            let mut seconds = 1_700_000_000u32;
            for (client, request, step, odd, junk) in rows {
                seconds += step;
                let (h, m, s) = (seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
                if odd && step % 7 == 0 {
                    data.extend_from_slice(junk.as_bytes());
                } else {
                    data.extend_from_slice(
                        format!(
                            "10.0.{client}.{} - - [30/Nov/2026:{h:02}:{m:02}:{s:02} +0000] \"GET /r{request}.html HTTP/1.1\" 200 {}\n",
                            client * 3,
                            1000 + request * 137
                        )
                        .as_bytes(),
                    );
                }
            }
            prop_assert_eq!(through_all(&data).1, data);
        }
    }
}
