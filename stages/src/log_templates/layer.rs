//! The template split as a layer of the engine (L1 Semantic): it classifies the block,
//! splits text into templates and variable streams when that pays, and declines
//! otherwise, leaving the block as it was.
//!
//! "Pays" is measured, not guessed: both forms of the whole block go through L5, L6
//! and L7 ([`crate::trial`]), and the split is taken only when it comes out at least
//! [`MIN_GAIN_PERCENT`] % smaller. A sample of the block would mislead (a template
//! dictionary is paid once a block, so the split gains more on the whole block than
//! on a part). The trial runs first with the fast greedy search, a third of the
//! default search's time: on every block of the corpus it overstates the split's gain
//! (a weaker search leaves more for the split to win), by at most a factor of 1.44
//! (`Spark_2k.log`). So a fast gain of at least [`CLEAR_GAIN`] is taken at once, a
//! fast gain of none is declined at once, and only blocks between (JSON, config
//! text, the first block of `apache_access.log`) get the trial with the mode's own
//! search, which decides.
//!
//! The split's eight streams are plain `Bytes` streams, in the fixed order of
//! [`Split::streams`], so that L5–L7 treat them like any other; the frame's layer
//! mask (bit 0) says they are a split and not the block.

use super::{join, split, Split};
use crate::l6_pattern::{MatchParams, PatternLayer};
use crate::{Block, Layer, LayerId, Result, Stream, StreamKind};

/// The split must be this much smaller on the trial to be taken.
pub const MIN_GAIN_PERCENT: usize = 1;

/// Blocks shorter than this are not split: a handful of lines cannot pay for their
/// template dictionary, and a service's small messages should not pay for the trial.
pub const MIN_SPLIT_INPUT: usize = 2048;

/// Sizes without and with the split, after the fast trial, from which the split is
/// taken without the full trial.
pub const CLEAR_GAIN: f64 = 1.5;

/// L1 Semantic + L2 Structural for text, as one layer; `pattern` is the L6 search
/// the trials use, the one the mode runs after it.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateLayer {
    pub pattern: PatternLayer,
}

/// Text with lines: almost every byte printable (or tab, CR, LF, or part of a UTF-8
/// sequence) and a line end at least every 4 KiB on average.
pub fn looks_like_text(data: &[u8]) -> bool {
    if data.is_empty() {
        return false;
    }
    // One pass over the block: counts of every byte value (four tables, so that a run
    // of one byte does not wait on its own count), then sums of them.
    let counts = crate::entropy::histogram(data).map(|c| c as usize);
    let binary: usize =
        (0..0x20).filter(|&b| !matches!(b, 0x09 | 0x0A | 0x0D)).map(|b| counts[b]).sum::<usize>() + counts[0x7F];
    let lines = counts[usize::from(b'\n')];
    binary * 100 <= data.len() && lines * 4096 >= data.len()
}

impl TemplateLayer {
    /// The block as the split's streams, if that pays.
    fn split_if_it_pays(&self, block: &Block, data: &[u8]) -> Result<Option<Block>> {
        let candidate = Block {
            original_len: block.original_len,
            layers: block.layers,
            streams: split(data).into_streams().into_iter().map(|d| Stream::new(StreamKind::Bytes, d)).collect(),
        };
        let fast = PatternLayer { params: MatchParams::fast() };
        let with = crate::trial::size_after_legacy_layers(candidate.clone(), &fast)?;
        let without = crate::trial::size_after_legacy_layers(block.clone(), &fast)?;
        let pays = if without as f64 >= with as f64 * CLEAR_GAIN {
            true
        } else if with >= without {
            false
        } else {
            crate::trial::pays_by(&candidate, block, &self.pattern, MIN_GAIN_PERCENT)?
        };
        Ok(pays.then_some(candidate))
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
        let Some(candidate) = self.split_if_it_pays(block, &stream.data)? else { return Ok(false) };
        *block = candidate;
        block.layers.insert(LayerId::Semantic);
        Ok(true)
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
            l.encode(&mut block).unwrap();
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
