//! Compression levels: how hard each layer searches, within a mode.

use cobolp_stages::l1_templates::layer::SplitDecision;
use cobolp_stages::l6_pattern::MatchParams;

use crate::error::{EngineError, Result};
use crate::mode::CompressionMode;

/// How hard the layers search, 1 (fastest) to 9 (smallest), as zstd's and gzip's
/// levels do; the default is 3. A level is not recorded in the stream: any decoder
/// reads any level. Within a mode the level sets L6's match search, which L1's
/// trials also use; Maximal's levels continue where the others' stop (Maximal at 3
/// searches as the others do at 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Level(u8);

impl Level {
    /// The fastest level.
    pub const FASTEST: Level = Level(1);
    /// The level of [`Default`].
    pub const DEFAULT: Level = Level(3);
    /// The strongest level.
    pub const STRONGEST: Level = Level(9);

    /// The level `n`, 1 to 9.
    pub fn new(n: u8) -> Result<Level> {
        if (1..=9).contains(&n) {
            Ok(Level(n))
        } else {
            Err(EngineError::Config(format!("level {n} is outside 1 to 9")))
        }
    }

    /// The level's number.
    pub fn get(self) -> u8 {
        self.0
    }

    /// L6's match search at this level in `mode`: Legacy's own ladder, tuned on
    /// general data against zstd's levels; Bridge's and Maximal's the one their
    /// split's streams were tuned with (which L2's columns keep in every mode, and
    /// which Bridge leaves, for Legacy's, on the blocks it does not split).
    pub fn match_params(self, mode: CompressionMode) -> MatchParams {
        match mode {
            CompressionMode::Legacy => general_search(self.0),
            CompressionMode::Bridge => search(self.0),
            CompressionMode::Maximal => search((self.0 + 3).min(9)),
        }
    }

    /// L6's match search for L1's split streams at this level in `mode`: that of
    /// [`Level::match_params`], hashing five bytes where it hashes six at the middle
    /// steps (Bridge's levels 3 to 5, Maximal's 1 and 2). Since a new word ends with a
    /// newline (split version 4), five bytes find more of the words stream's matches:
    /// per file 0.1-2.9% smaller on 15 of the 18 corpus logs, JSON and text files at
    /// level 3 (Apache's error log 0.9% and `ec2_api.json` 0.3% larger), in the same
    /// time. L2's columns keep six, with which they were tuned (`bank_txn.dat` 1.6%
    /// larger with five).
    pub fn split_match_params(self, mode: CompressionMode) -> MatchParams {
        let params = self.match_params(mode);
        let step = match mode {
            CompressionMode::Legacy => return params,
            CompressionMode::Bridge => self.0,
            CompressionMode::Maximal => self.0 + 3,
        };
        match step {
            3..=5 => MatchParams { hash_len: 5, ..params },
            _ => params,
        }
    }

    /// How L1 decides whether a template split pays at this level: levels 1 and 2
    /// keep a small split without the trial of the block as it is (Bridge 1.26x and
    /// 1.28x as fast over logs/ and json/, the same size there); 3 to 6 set it against
    /// a sample of the block, and measure the whole block only where the sample does
    /// not settle it; 7 to 9 always measure.
    pub fn split_decision(self) -> SplitDecision {
        match self.0 {
            ..=2 => SplitDecision::SmallSplitKept,
            3..=6 => SplitDecision::Sampled,
            _ => SplitDecision::Measured,
        }
    }
}

impl Default for Level {
    fn default() -> Self {
        Level::DEFAULT
    }
}

impl std::str::FromStr for Level {
    type Err = EngineError;

    fn from_str(text: &str) -> Result<Level> {
        match text.trim().parse::<u8>() {
            Ok(n) => Level::new(n),
            Err(_) => Err(EngineError::Config(format!("level {text:?} is not a number from 1 to 9"))),
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The match search of each step, 1 to 9: 1 is L6's fast search, 3 its default (the
/// search every mode but Maximal used before levels), 6 its strong one (Maximal's), 8
/// and 9 its optimal parse (sequences chosen by price; docs/ARCHITECTURE.md, "L6's
/// optimal parse", has what it gains and costs).
fn search(step: u8) -> MatchParams {
    let base = MatchParams::default();
    let strong = MatchParams::strong();
    match step {
        1 => MatchParams::fast(),
        2 => MatchParams { search_depth: 8, lazy: 0, lazy_len: 0, enough_len: 16, good_len: 64, ..base },
        3 => base,
        4 => MatchParams { search_depth: 256, hash_log: 18, chain_log: 17, good_len: 192, enough_len: 32, ..base },
        5 => MatchParams { search_depth: 256, lazy: 2, hash_log: 19, chain_log: 18, good_len: 256, ..base },
        6 => strong,
        7 => MatchParams { search_depth: 1024, ..strong },
        8 => MatchParams { search_depth: 32, optimal_passes: 1, skip_log: 12, ..strong },
        _ => MatchParams { search_depth: 128, optimal_passes: 2, skip_log: 14, ..strong },
    }
}

/// Legacy's match search at each level, tuned against zstd's levels on general data
/// (the Linux tar, libLLVM, the corpus logs, JSON and text). Level 1 is the fast
/// search with one step of lazy matching for short matches; 3 to 7 look at few
/// candidates (8 to 64; zstd's middle levels look at 8 to 32) from tables of 2^18
/// slots (2^20 at 7), hash five bytes, and look at every candidate, lazily whatever a
/// match's length: cutting the search short once a match was long enough cost general
/// data more than it saved. 2, 8 and 9 are the shared search's. Over the corpus with
/// the large files each of 1 to 7 is smaller than the level it replaced, 2 to 7 are
/// faster, 1 a tenth slower (docs/ARCHITECTURE.md, "Legacy's ladder").
fn general_search(step: u8) -> MatchParams {
    let lazy = |search_depth: u32, lazy: u8, table_log: u8| MatchParams {
        search_depth,
        lazy,
        hash_len: 5,
        hash_log: table_log,
        chain_log: table_log,
        good_len: WHOLE_SEARCH,
        enough_len: WHOLE_SEARCH,
        lazy_len: WHOLE_SEARCH,
        ..MatchParams::default()
    };
    match step {
        1 => MatchParams { lazy: 1, lazy_len: 16, hash_log: 17, ..MatchParams::fast() },
        3 => lazy(8, 1, 18),
        4 => lazy(8, 2, 18),
        5 => lazy(16, 2, 18),
        6 => lazy(32, 2, 18),
        7 => lazy(64, 2, 20),
        _ => search(step),
    }
}

/// A match length past which Legacy's lazy levels stop searching: only a match this
/// long cuts a search short.
const WHOLE_SEARCH: u32 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_the_default_searches_as_before_levels() {
        assert_eq!("3".parse::<Level>().unwrap(), Level::default());
        assert!("0".parse::<Level>().is_err() && "10".parse::<Level>().is_err() && "x".parse::<Level>().is_err());
        assert_eq!(Level::DEFAULT.match_params(CompressionMode::Bridge), MatchParams::default());
        assert_eq!(Level::DEFAULT.match_params(CompressionMode::Maximal), MatchParams::strong());
        assert_eq!(Level::FASTEST.match_params(CompressionMode::Bridge), MatchParams::fast());
    }

    /// The split's streams hash five bytes at the middle steps and search as the
    /// level's L6 otherwise; Legacy has no split and keeps its own search.
    #[test]
    fn the_split_streams_search_differs_only_in_the_hashed_bytes_at_the_middle_steps() {
        use CompressionMode::{Bridge, Legacy, Maximal};
        for n in 1..=9 {
            let level = Level::new(n).unwrap();
            for mode in [Legacy, Bridge, Maximal] {
                let (split, shared) = (level.split_match_params(mode), level.match_params(mode));
                let step = match mode {
                    Legacy => 0,
                    Bridge => n,
                    Maximal => n + 3,
                };
                let expected = if (3..=5).contains(&step) { 5 } else { shared.hash_len };
                assert_eq!(split, MatchParams { hash_len: expected, ..shared }, "level {n} in {mode:?}");
            }
        }
        assert_eq!(Level::DEFAULT.split_match_params(Bridge).hash_len, 5);
        assert_eq!(Level::DEFAULT.match_params(Bridge).hash_len, 6, "L2's columns keep six");
    }

    /// The split's decision grows more certain (and dearer) with the level.
    #[test]
    fn levels_decide_the_split_from_less_to_more() {
        let decisions: Vec<SplitDecision> = (1..=9).map(|n| Level::new(n).unwrap().split_decision()).collect();
        use SplitDecision::{Measured, Sampled, SmallSplitKept};
        assert_eq!(
            decisions,
            [SmallSplitKept, SmallSplitKept, Sampled, Sampled, Sampled, Sampled, Measured, Measured, Measured]
        );
    }

    /// Up to 7 a level looks at least at as many candidates a position as the one
    /// below (its depth, once more for each step of lazy matching), in both ladders; 8
    /// and 9 price every way through the input (the optimal parse), 9 in more passes
    /// and a deeper search.
    #[test]
    fn each_level_works_at_least_as_hard_as_the_one_below() {
        for ladder in [search, general_search] {
            let effort: Vec<(u8, u32)> =
                (1..=9).map(ladder).map(|p| (p.optimal_passes, p.search_depth * (1 + u32::from(p.lazy)))).collect();
            let harder = |(a, b): (&(u8, u32), &(u8, u32))| a.0 < b.0 || (a.0 == b.0 && a.1 <= b.1);
            assert!(effort.iter().zip(&effort[1..]).all(harder), "{effort:?}");
            assert_eq!(effort.iter().filter(|e| e.0 > 0).count(), 2, "{effort:?}");
        }
    }

    /// Blocks grow with the level above the default only (the default keeps each
    /// mode's size): Legacy's from 4, the others' at the top.
    #[test]
    fn blocks_grow_with_the_level_only_above_the_default() {
        use CompressionMode::{Bridge, Legacy, Maximal};
        let sizes = |mode: CompressionMode| -> Vec<usize> {
            (1..=9).map(|n| mode.default_block_size(Level::new(n).unwrap()) >> 20).collect()
        };
        assert_eq!(sizes(Legacy), [2, 2, 2, 4, 4, 4, 4, 4, 8]);
        assert_eq!(sizes(Bridge), [2, 2, 2, 2, 2, 2, 4, 4, 4]);
        assert_eq!(sizes(Maximal), [4, 4, 4, 4, 4, 8, 8, 8, 8]);
    }
}
