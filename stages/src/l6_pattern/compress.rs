//! The encoder: a hash-chain match finder with repeat-offset checks, lazy matching
//! and LZ4-style acceleration over stretches that do not compress. The strongest
//! levels parse optimally instead (`optimal.rs`), over binary trees (`tree.rs`).

use super::optimal::{Candidates, Prices};
use super::sequence::{SeqWriter, MAX_OFFSET, MIN_MATCH};
use super::MatchParams;
use crate::kept::Kept;

/// Searches read eight bytes at the position; the last few bytes are always literals.
pub(super) const MARGIN: usize = 8;
/// Below this the group is all literals: no match could pay for its token and offset.
const MIN_INPUT: usize = 16;
/// Multiplicative hashing constant (2^64 / golden ratio, odd).
const HASH_MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// Weight of one byte of match length against one bit of offset when candidates
/// are compared: a byte the match covers no longer needs a literal or a sequence
/// of its own, while an offset costs roughly its bit length after entropy coding.
const LEN_WEIGHT: i64 = 4;
/// Lazy matching moves to a later match only if it gains at least this much more,
/// paying for the literal it leaves behind.
const LAZY_MARGIN: [i64; 3] = [0, 4, 8];

/// Table size (log2) when compressing after a prefix.
const PREFIX_HASH_LOG: u32 = 14;
/// One prefix position in this many is indexed.
const PREFIX_STRIDE: usize = 4;

/// Positions indexed at each end of a long match; the rest of it is skipped.
const LONG_MATCH_EDGE: usize = 32;
/// A match the optimal parse takes that is longer than this is indexed only at its
/// edges (see [`Finder::skip_middle`]).
const LONG_REPEAT: usize = 1024;

/// Reusable tables of the match finder. Keeping one across blocks avoids
/// reallocating the hash and chain tables each time; output never depends on
/// what an earlier call left in them.
#[derive(Debug, Default)]
pub struct Matcher {
    head: Vec<u32>,
    chain: Vec<u32>,
    tree: Vec<u32>,
}

/// Match finders a finished search left, tables and all, for the next search on any
/// thread.
static KEPT: Kept<Matcher> = Kept::new(0);

/// Tables larger than this (in bytes, all three together) are freed after a search
/// rather than kept. Every level's tables fit today (the largest, the optimal parse's
/// over 8 MiB blocks, take 12 MiB); the bound says what an idle finder may hold.
const KEPT_TABLE_BYTES: usize = 16 << 20;

impl Matcher {
    /// A match finder with its tables empty.
    pub fn new() -> Matcher {
        Matcher::default()
    }

    /// Runs `search` with a match finder whose tables an earlier search left, or a new
    /// one. Fresh tables are fresh pages: on a file of 200 KB, Legacy -3 spent a
    /// quarter of its time in page faults and clearing new memory, which the allocator
    /// handed back to the system after each block (docs/ARCHITECTURE.md, "Fresh memory
    /// for the match search"). What a search finds never depends on what the tables
    /// held before it.
    pub fn with_kept_tables<R>(search: impl FnOnce(&mut Matcher) -> R) -> R {
        let mut matcher = KEPT.take().unwrap_or_default();
        let result = search(&mut matcher);
        if matcher.table_bytes() <= KEPT_TABLE_BYTES {
            KEPT.put(matcher);
        }
        result
    }

    /// What the tables take, in bytes.
    fn table_bytes(&self) -> usize {
        (self.head.capacity() + self.chain.capacity() + self.tree.capacity()) * std::mem::size_of::<u32>()
    }

    /// Compresses `input` into the six streams of its group, in group order.
    pub fn compress(&mut self, input: &[u8], params: &MatchParams) -> [Vec<u8>; 6] {
        self.compress_with_prefix(&[], input, params)
    }

    /// As [`Matcher::compress`], with matches allowed to reach back into `prefix`,
    /// data the decoder already holds (a session's earlier messages). Only `input`
    /// is coded.
    pub fn compress_with_prefix(&mut self, prefix: &[u8], input: &[u8], params: &MatchParams) -> [Vec<u8>; 6] {
        let message_len = input.len();
        if message_len < MIN_INPUT {
            return SeqWriter::new(message_len).finish(input);
        }
        let joined;
        let (input, start) = if prefix.is_empty() {
            (input, 0)
        } else {
            joined = [prefix, input].concat();
            (joined.as_slice(), prefix.len())
        };
        let n = input.len();
        let params = params.sanitized();
        let optimal = params.optimal_passes > 0;
        // The optimal parse prices sequences by what a lazy parse's streams cost.
        let lazy = optimal.then(|| {
            // The default search within this window: its group may be the one kept.
            let lazy = MatchParams { window_log: params.window_log, ..MatchParams::default() };
            let group = self.compress_with_prefix(&input[..start], &input[start..], &lazy);
            (Prices::from_group(&group), group)
        });
        let window_log = u32::from(params.window_log);
        // No point hashing into a table much larger than the input.
        let input_log = usize::BITS - n.leading_zeros();
        let mut hash_log = u32::from(params.hash_log).min(input_log + 1);
        if start > 0 {
            // A small message after a prefix: tables sized for the whole window
            // would cost more to clear than the message takes to compress.
            hash_log = hash_log.min(PREFIX_HASH_LOG);
        }
        self.head.clear();
        self.head.resize(1 << hash_log, 0);

        // How far back, in positions, the chains or the trees reach.
        let reach = n.next_power_of_two().min(1 << window_log).min(1 << params.chain_log);
        let reach = if start > 0 { reach.min(1 << PREFIX_HASH_LOG) } else { reach };
        let use_chain = params.search_depth > 1;
        self.chain.clear();
        self.tree.clear();
        if optimal {
            // The optimal parse walks binary trees instead of the chains (`tree.rs`).
            self.tree.resize(2 * reach, 0);
        } else if use_chain {
            self.chain.resize(reach, 0);
        }

        let mut finder = Finder {
            input,
            head: &mut self.head,
            chain: &mut self.chain,
            tree: &mut self.tree,
            chain_mask: reach - 1,
            hash_shift: 64 - hash_log,
            key_shift: 64 - 8 * u32::from(params.hash_len),
            max_dist: ((1usize << window_log) - 1).min(MAX_OFFSET),
            floor: 0,
            depth: params.search_depth,
            good_len: params.good_len as usize,
            enough_len: params.enough_len as usize,
            use_chain,
            next_insert: 0,
        };
        finder.index_prefix(start);
        let Some((mut prices, lazy_group)) = lazy else {
            let mut seq = SeqWriter::new(message_len);
            let tail = finder.parse(&mut seq, start, &params);
            return seq.finish(&input[tail..]);
        };
        // Each pass prices the next by what its own choice costs. Prices fed back can
        // swing (cheap literals, then too many of them), and fixed prices can mislead
        // where a parse changes what the literals are (lines of counters came out 10%
        // larger than the lazy parse), so the group that codes smallest of all the
        // passes and the lazy parse that priced the first is kept.
        let size = coded_estimate(&lazy_group);
        let mut best = (lazy_group, size);
        for pass in 0..params.optimal_passes {
            if pass > 0 {
                finder.restart(start);
            }
            let mut trial = SeqWriter::new(message_len);
            let tail = finder.parse_optimal(&mut trial, start, u32::from(params.skip_log), &prices);
            let group = trial.finish(&input[tail..]);
            let size = coded_estimate(&group);
            if pass + 1 < params.optimal_passes {
                prices = Prices::from_group(&group);
            }
            if size < best.1 {
                best = (group, size);
            }
        }
        best.0
    }
}

/// About what a group takes once L7 has coded each stream on its own: order-0 entropy.
fn coded_estimate(group: &[Vec<u8>; 6]) -> f64 {
    group.iter().map(|s| crate::entropy_estimate::bits_per_byte(s) * s.len() as f64).sum()
}

/// A candidate match and its score.
#[derive(Debug, Clone, Copy)]
struct Match {
    len: usize,
    offset: usize,
    gain: i64,
}

impl Match {
    const NONE: Match = Match { len: 0, offset: 0, gain: i64::MIN };
}

/// What a repeat of the second or third most recent offset costs, in bits: its code
/// is one of three frequent ones.
const OLDER_REPEAT_BITS: i64 = 2;

/// The value of a match: its length against what its offset will cost. The most
/// recent offset is coded as 0 and costs next to nothing, the two before it little.
#[inline]
fn gain(len: usize, offset: usize, recent: &[usize; 3]) -> i64 {
    let offset_bits = if offset == recent[0] {
        0
    } else if offset == recent[1] || offset == recent[2] {
        OLDER_REPEAT_BITS
    } else {
        i64::from(usize::BITS - offset.leading_zeros())
    };
    len as i64 * LEN_WEIGHT - offset_bits
}

pub(super) struct Finder<'a> {
    pub(super) input: &'a [u8],
    pub(super) head: &'a mut [u32],
    chain: &'a mut [u32],
    /// The optimal parse's binary trees (`tree.rs`), two slots a position; empty
    /// when the chains are used.
    pub(super) tree: &'a mut [u32],
    pub(super) chain_mask: usize,
    hash_shift: u32,
    key_shift: u32,
    pub(super) max_dist: usize,
    /// Candidates before this position are out of the decoder's reach (session
    /// history older than the window), even if the tables still hold them.
    pub(super) floor: usize,
    pub(super) depth: u32,
    pub(super) good_len: usize,
    enough_len: usize,
    use_chain: bool,
    /// Positions below this are in the tables; the rest are added when needed.
    next_insert: usize,
}

#[inline(always)]
pub(super) fn read64(input: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&input[at..at + 8]);
    u64::from_le_bytes(word)
}

#[inline(always)]
fn read32(input: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&input[at..at + 4]);
    u32::from_le_bytes(word)
}

/// How many bytes from `ahead` equal those from `behind` (`behind < ahead`), up to
/// the end of the input.
#[inline]
pub(super) fn common_len(input: &[u8], ahead: usize, behind: usize) -> usize {
    let n = input.len();
    let mut len = 0;
    while ahead + len + 8 <= n {
        let diff = read64(input, ahead + len) ^ read64(input, behind + len);
        if diff != 0 {
            return len + (diff.trailing_zeros() / 8) as usize;
        }
        len += 8;
    }
    while ahead + len < n && input[ahead + len] == input[behind + len] {
        len += 1;
    }
    len
}

impl<'a> Finder<'a> {
    /// A finder over all of `input` whose tables reach the whole of it, searching
    /// without limit: for tests of what a search finds.
    #[cfg(test)]
    pub(super) fn unlimited(input: &'a [u8], head: &'a mut [u32], tree: &'a mut [u32], hash_len: u8) -> Finder<'a> {
        let reach = tree.len() / 2;
        assert!(reach.is_power_of_two() && reach > input.len() && head.len().is_power_of_two());
        Finder {
            input,
            hash_shift: 64 - head.len().trailing_zeros(),
            head,
            chain: &mut [],
            tree,
            chain_mask: reach - 1,
            key_shift: 64 - 8 * u32::from(hash_len),
            max_dist: MAX_OFFSET,
            floor: 0,
            depth: u32::MAX,
            good_len: usize::MAX,
            enough_len: usize::MAX,
            use_chain: true,
            next_insert: 0,
        }
    }
}

impl Finder<'_> {
    #[inline(always)]
    pub(super) fn hash(&self, word: u64) -> usize {
        ((word << self.key_shift).wrapping_mul(HASH_MUL) >> self.hash_shift) as usize
    }

    #[inline(always)]
    fn insert(&mut self, pos: usize) {
        if !self.tree.is_empty() {
            return self.tree_insert(pos, None, usize::MAX);
        }
        let h = self.hash(read64(self.input, pos));
        if self.use_chain {
            self.chain[pos & self.chain_mask] = self.head[h];
        }
        self.head[h] = pos as u32;
    }

    /// Indexes every `PREFIX_STRIDE`th position of the prefix `[0, end)`. The parser
    /// tries every position of the message, so a repeat of the prefix longer than
    /// the stride still meets an indexed position, and backward extension finds its
    /// start; indexing a quarter of the prefix makes a session message cheap.
    fn index_prefix(&mut self, end: usize) {
        let mut pos = 0;
        while pos < end {
            self.insert(pos);
            pos += PREFIX_STRIDE;
        }
        self.next_insert = self.next_insert.max(end);
    }

    /// Empties the tables for another parse of the same input after a prefix of
    /// `start` bytes. The trees keep their slots: a position's are written again when
    /// it is inserted, before any walk can reach it.
    fn restart(&mut self, start: usize) {
        self.head.fill(0);
        self.next_insert = 0;
        self.index_prefix(start);
    }

    /// Leaves out of the tables the middle of a long match taken from `start` to
    /// `end`, indexing only its edges: inside a repetition every position's insertion
    /// into a tree compares to the repetition's end, which made the optimal parse of
    /// a long repeat quadratic (44 s for a 1 MB run of `ab` before 100 KB of text).
    pub(super) fn skip_middle(&mut self, start: usize, end: usize) {
        // Shorter matches keep every position: later matches start inside them (on
        // `ec2_api.json` leaving out those of every match of 256 bytes or more cost
        // 0.6%), and their insertions compare at most this far.
        if end - start > LONG_REPEAT {
            self.catch_up(start + LONG_MATCH_EDGE);
            self.next_insert = self.next_insert.max(end - LONG_MATCH_EDGE);
        }
    }

    /// Adds every position before `pos` not yet in the tables.
    #[inline]
    fn catch_up(&mut self, pos: usize) {
        while self.next_insert < pos {
            self.insert(self.next_insert);
            self.next_insert += 1;
        }
    }

    /// The best match at `pos` (which must leave MARGIN bytes to read), trying the
    /// recent offsets `recent` first. `len == 0` means none.
    fn search(&mut self, pos: usize, recent: &[usize; 3]) -> Match {
        let input = self.input;
        let n = input.len();
        let word = read64(input, pos);
        let mut best = Match::NONE;
        for &rep in recent {
            if rep != 0 && rep + self.floor <= pos && read32(input, pos - rep) == word as u32 {
                let len = MIN_MATCH + common_len(input, pos + MIN_MATCH, pos - rep + MIN_MATCH);
                let g = gain(len, rep, recent);
                if g > best.gain {
                    best = Match { len, offset: rep, gain: g };
                }
            }
        }
        if best.len >= self.good_len {
            return best;
        }

        self.catch_up(pos);
        let mut cand = self.head[self.hash(word)] as usize;
        let mut remaining = self.depth;
        if best.len >= self.enough_len {
            remaining = (remaining / 4).max(1);
        }
        while remaining > 0 {
            remaining -= 1;
            // Empty slots read as position 0 and stale chain links point forward or
            // too far; every candidate is verified, so these only end the walk.
            if cand >= pos || cand < self.floor || pos - cand > self.max_dist {
                break;
            }
            let probe = best.len;
            if pos + probe >= n {
                break;
            }
            // Only a longer match can win; its byte at `probe` rules out most
            // candidates with one comparison.
            if input[cand + probe] == input[pos + probe] && read32(input, cand) == word as u32 {
                let len = MIN_MATCH + common_len(input, pos + MIN_MATCH, cand + MIN_MATCH);
                let offset = pos - cand;
                let g = gain(len, offset, recent);
                if g > best.gain {
                    if best.len < self.enough_len && len >= self.enough_len {
                        remaining /= 4;
                    }
                    best = Match { len, offset, gain: g };
                    if len >= self.good_len {
                        break;
                    }
                }
            }
            // Past the table's length the link may belong to a newer position.
            if !self.use_chain || pos - cand >= self.chain.len() {
                break;
            }
            let next = self.chain[cand & self.chain_mask] as usize;
            if next >= cand {
                break;
            }
            cand = next;
        }
        best
    }

    /// Every match at `pos` that is longer than those found before it, shortest
    /// first, the recent offsets `recent` tried first (they cost least), then the
    /// tree (`tree.rs`, into which `pos` goes); none within MARGIN bytes of the end.
    pub(super) fn candidates(&mut self, pos: usize, recent: &[usize; 3], out: &mut Candidates) {
        out.clear();
        let input = self.input;
        let n = input.len();
        if pos + MARGIN > n {
            return;
        }
        let word = read64(input, pos);
        let mut best = MIN_MATCH - 1;
        for &rep in recent {
            if rep != 0 && rep + self.floor <= pos && read32(input, pos - rep) == word as u32 {
                let len = MIN_MATCH + common_len(input, pos + MIN_MATCH, pos - rep + MIN_MATCH);
                if len > best {
                    best = len;
                    out.push((len, rep));
                }
            }
        }
        if best >= self.good_len {
            return;
        }
        self.catch_up(pos);
        self.tree_insert(pos, Some(out), best);
        self.next_insert = pos + 1;
    }

    /// Walks the input and emits every sequence but the last, with the lazy matching
    /// and skipping of `params`; returns where the trailing literals start.
    fn parse(&mut self, seq: &mut SeqWriter, start: usize, params: &MatchParams) -> usize {
        let (lazy, lazy_len, skip_log) =
            (usize::from(params.lazy), params.lazy_len as usize, u32::from(params.skip_log));
        let input = self.input;
        let limit = input.len() - MARGIN;
        let mut pos = start;
        let mut anchor = start;
        while pos < limit {
            let recent = seq.recent_offsets();
            let mut m = self.search(pos, &recent);
            if m.len == 0 {
                // The longer nothing has matched, the bigger the step: incompressible
                // data is crossed quickly, and a match resets the pace.
                let step = 1 + ((pos - anchor) >> skip_log);
                if step > 1 {
                    self.catch_up(pos);
                    self.insert(pos);
                    self.next_insert = pos + step;
                }
                pos += step;
                continue;
            }

            let mut depth = 1;
            while depth <= lazy && m.len < lazy_len && pos + depth < limit {
                let later = self.search(pos + depth, &recent);
                if later.gain > m.gain + LAZY_MARGIN[depth] {
                    pos += depth;
                    m = later;
                    depth = 1;
                } else {
                    depth += 1;
                }
            }

            // Skipping ahead may have stepped past the true start of the match.
            while pos > anchor && pos > m.offset + self.floor && input[pos - 1] == input[pos - 1 - m.offset] {
                pos -= 1;
                m.len += 1;
            }

            seq.push(&input[anchor..pos], m.len, m.offset);
            let start = pos;
            pos += m.len;
            anchor = pos;
            if self.use_chain && m.len > 2 * LONG_MATCH_EDGE {
                // Inside a long match every position would only add a candidate that
                // the match itself already covers: index its edges, skip the middle.
                self.catch_up((start + LONG_MATCH_EDGE).min(limit));
                self.next_insert = self.next_insert.max(pos - LONG_MATCH_EDGE);
            }
            if !self.use_chain {
                // Without chains only the newest position per hash counts: a couple
                // of inserts inside the match are as good as all of them.
                self.catch_up((start + 2).min(limit));
                if pos - 2 >= start + 2 && pos - 2 < limit {
                    self.insert(pos - 2);
                }
                self.next_insert = self.next_insert.max(pos);
            }
        }
        anchor
    }
}

/// Hash table size (log2) of a [`SessionMatcher`].
const SESSION_HASH_LOG: u32 = 15;

/// A match finder that lives as long as a session: it keeps the session's recent
/// data and its hash tables between messages, so each message costs only its own
/// bytes, not a re-indexing of the whole window.
#[derive(Debug, Clone)]
pub struct SessionMatcher {
    /// Recent data of the session, then the message being compressed.
    buf: Vec<u8>,
    head: Vec<u32>,
    chain: Vec<u32>,
    /// Positions of `buf` below this are in the tables.
    next_insert: usize,
    window: usize,
    params: MatchParams,
}

impl SessionMatcher {
    /// `window` must be a power of two: it is both how far back a message may refer
    /// and the chain table's length, so that sliding the buffer by a multiple of it
    /// leaves every chain link in its slot.
    pub fn new(window: usize, params: &MatchParams) -> SessionMatcher {
        assert!(window.is_power_of_two(), "session window must be a power of two");
        let params = params.sanitized();
        SessionMatcher {
            buf: Vec::with_capacity(2 * window),
            head: vec![0; 1 << SESSION_HASH_LOG],
            chain: if params.search_depth > 1 { vec![0; window] } else { Vec::new() },
            next_insert: 0,
            window,
            params,
        }
    }

    /// Compresses `message` against the last `window` bytes of the earlier
    /// messages, then makes it part of the history.
    pub fn compress(&mut self, message: &[u8]) -> [Vec<u8>; 6] {
        self.slide();
        let start = self.buf.len();
        self.buf.extend_from_slice(message);
        let mut seq = SeqWriter::new(message.len());
        if message.len() < MIN_INPUT {
            return seq.finish(message);
        }
        let params = &self.params;
        let use_chain = !self.chain.is_empty();
        let mut finder = Finder {
            input: &self.buf,
            head: &mut self.head,
            chain: &mut self.chain,
            tree: &mut [],
            chain_mask: self.window.wrapping_sub(1),
            hash_shift: 64 - SESSION_HASH_LOG,
            key_shift: 64 - 8 * u32::from(params.hash_len),
            max_dist: self.window.min(MAX_OFFSET),
            floor: start.saturating_sub(self.window),
            depth: params.search_depth,
            good_len: params.good_len as usize,
            enough_len: params.enough_len as usize,
            use_chain,
            next_insert: self.next_insert,
        };
        let tail = finder.parse(&mut seq, start, params);
        self.next_insert = finder.next_insert;
        seq.finish(&self.buf[tail..])
    }

    /// Drops history the window no longer reaches, in whole windows, and moves the
    /// table entries back by as much.
    fn slide(&mut self) {
        if self.buf.len() < 2 * self.window {
            return;
        }
        let delta = (self.buf.len() - self.window) / self.window * self.window;
        self.buf.drain(..delta);
        let rebase = |v: &mut u32| *v = (*v as usize).saturating_sub(delta) as u32;
        self.head.iter_mut().for_each(rebase);
        self.chain.iter_mut().for_each(rebase);
        self.next_insert = self.next_insert.saturating_sub(delta);
    }
}
