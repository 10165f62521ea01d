//! The optimal parse of the strongest levels: instead of taking the best-looking match
//! at each position (and a byte or two later, lazily), every way through a stretch of
//! the input (a literal, or any length of any match found at each position) is priced
//! in bits, and the cheapest path is kept. Prose gains most: its matches are short and
//! overlap, and the lazy parse cuts them where a cheaper tiling exists.
//!
//! The prices come from the streams a lazy parse of the same input gives (what each
//! literal byte, token and offset code costs once L7 codes it), so the parse follows
//! the input's own statistics. The output is the same format as the lazy parse's:
//! only the choice of sequences differs.

use super::compress::{Finder, MARGIN};
use super::sequence::{RecentOffsets, SeqWriter, MIN_MATCH, NIBBLE_ESCAPE};
use crate::varint;

/// Prices are in sixteenths of a bit.
const SCALE: u32 = 16;
/// Positions looked at in one stretch before its cheapest path is taken.
const STRETCH: usize = 4096;
/// The longest match priced length by length; a longer one is taken as it is (and
/// the nodes of a stretch are allocated for it).
const MAX_SUFFICIENT: usize = 4096;
/// Of a match longer than twice this, the lengths priced at each end.
const LENGTHS_AT_EACH_END: usize = 64;
/// The most a symbol is priced at: one the lazy parse never wrote (L7's codes stop at
/// 11 bits; a symbol new to the table costs more than its code). The least is a bit,
/// the shortest Huffman code.
const MAX_SYMBOL_BITS: u32 = 15;

/// What each piece of a sequence costs after entropy coding, in sixteenths of a bit.
pub(super) struct Prices {
    literal: [u32; 256],
    token: [u32; 256],
    offset_code: [u32; 27],
    /// A byte of a literal or match length's varint extension.
    length_byte: u32,
}

/// Sixteenths of a bit a symbol seen `count` times in `total` costs, within what a
/// Huffman code can spend; an unseen symbol costs as much as the rarest.
fn symbol_price(count: u32, total: u32) -> u32 {
    let total = total.max(1) as f64;
    let count = (count as f64).max(0.5);
    let bits = (total / count).log2().clamp(1.0, f64::from(MAX_SYMBOL_BITS));
    (bits * f64::from(SCALE)) as u32
}

fn prices_of<const N: usize>(symbols: &[u8]) -> [u32; N] {
    let mut counts = [0u32; N];
    for &s in symbols {
        if let Some(c) = counts.get_mut(usize::from(s)) {
            *c += 1;
        }
    }
    let total = symbols.len() as u32;
    counts.map(|c| symbol_price(c, total))
}

/// What a byte of `streams` costs on average coded by one table (at most 8 bits).
fn mean_price(streams: &[&Vec<u8>]) -> u32 {
    let mut counts = [0u32; 256];
    let mut total = 0u32;
    for &b in streams.iter().flat_map(|s| s.iter()) {
        counts[usize::from(b)] += 1;
        total += 1;
    }
    if total == 0 {
        return 8 * SCALE;
    }
    let bits: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| f64::from(c) * (f64::from(total) / f64::from(c)).log2().max(1.0))
        .sum::<f64>()
        / f64::from(total);
    (bits.min(8.0) * f64::from(SCALE)) as u32
}

impl Prices {
    /// Prices from a group's six streams, as [`SeqWriter::finish`] returns them.
    pub(super) fn from_group(group: &[Vec<u8>; 6]) -> Prices {
        let [tokens, literals, literal_lengths, offset_codes, _, match_lengths] = group;
        // The token stream opens with the group's length, a varint.
        let mut pos = 0;
        let tokens = match varint::get(tokens, &mut pos) {
            Ok(_) => &tokens[pos..],
            Err(_) => &tokens[..],
        };
        Prices {
            literal: prices_of(literals),
            token: prices_of(tokens),
            offset_code: prices_of(offset_codes),
            length_byte: mean_price(&[literal_lengths, match_lengths]),
        }
    }

    /// The offset of a match: its code (`None`: explicit) and the extra bits.
    #[inline]
    fn offset(&self, offset: usize, code: Option<u8>) -> u32 {
        match code {
            Some(code) => self.offset_code[usize::from(code)],
            None => {
                let bits = usize::BITS - offset.leading_zeros();
                self.offset_code[bits as usize] + (bits - 1) * SCALE
            }
        }
    }

    /// The extension of a run of `literals` literals (its token is priced with the
    /// match's length).
    #[inline]
    fn literal_run(&self, literals: usize) -> u32 {
        match literals.checked_sub(NIBBLE_ESCAPE) {
            Some(more) => self.length_byte * varint::len(more as u64) as u32,
            None => 0,
        }
    }

    /// The token and length extension of every match length up to `longest`, after
    /// each literal nibble: `[nibble][len]`.
    fn lengths(&self, longest: usize) -> Vec<Vec<u32>> {
        (0..=NIBBLE_ESCAPE)
            .map(|lit_nibble| {
                (0..=longest)
                    .map(|len| {
                        let match_nibble = len.saturating_sub(MIN_MATCH).min(NIBBLE_ESCAPE);
                        let token = self.token[(lit_nibble << 4) | match_nibble];
                        match len.checked_sub(MIN_MATCH + NIBBLE_ESCAPE) {
                            Some(more) => token + self.length_byte * varint::len(more as u64) as u32,
                            None => token,
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// A position of the stretch as the cheapest path found so far reaches it. Its recent
/// offsets are worked out once it is final, from the node the path came from: a
/// node is written many times before that.
#[derive(Clone, Copy)]
struct Node {
    cost: u32,
    /// Literals since the last match on the path.
    literals: u32,
    /// The match that ends here (0: the path ends with a literal).
    len: u32,
    offset: u32,
}

const UNREACHED: Node = Node { cost: u32::MAX, literals: 0, len: 0, offset: 0 };

/// Candidate matches at one position: each longer than the one before.
pub(super) type Candidates = Vec<(usize, usize)>;

impl Finder<'_> {
    /// Walks the input as [`Finder::parse`] does, choosing sequences by price; returns
    /// where the trailing literals start.
    pub(super) fn parse_optimal(&mut self, seq: &mut SeqWriter, start: usize, skip_log: u32, prices: &Prices) -> usize {
        let input = self.input;
        let limit = input.len() - MARGIN;
        // Long enough to take at once: no cheaper way through it is worth the search.
        let sufficient = self.good_len.clamp(MIN_MATCH + 1, MAX_SUFFICIENT);
        let mut nodes = vec![UNREACHED; STRETCH + sufficient + 1];
        let mut recents = vec![[0usize; 3]; STRETCH + 1];
        let length_prices = prices.lengths(sufficient);
        let mut candidates = Candidates::new();
        let mut path = Vec::new();
        let (mut pos, mut anchor) = (start, start);
        while pos < limit {
            let recent = seq.recent_offsets();
            self.candidates(pos, &recent, &mut candidates);
            let Some(&(longest, offset)) = candidates.last() else {
                pos += 1 + ((pos - anchor) >> skip_log);
                continue;
            };
            if longest >= sufficient {
                seq.push(&input[anchor..pos], longest, offset);
                self.skip_middle(pos, pos + longest);
                pos += longest;
                anchor = pos;
                continue;
            }

            nodes[0] = Node { cost: 0, literals: (pos - anchor) as u32, len: 0, offset: 0 };
            recents[0] = recent;
            // The farthest position a match reaches: every position up to it is
            // reached, if by nothing else then by literals.
            let mut last = 0;
            let mut forced = None;
            let mut cur = 0;
            loop {
                let here = nodes[cur];
                if cur > 0 {
                    recents[cur] = match here.len as usize {
                        0 => recents[cur - 1],
                        len => {
                            let mut recent = RecentOffsets(recents[cur - len]);
                            recent.code(here.offset as usize);
                            recent.0
                        }
                    };
                    self.candidates(pos + cur, &recents[cur], &mut candidates);
                }
                if let Some(&(len, offset)) = candidates.last().filter(|&&(len, _)| len >= sufficient) {
                    forced = Some((len, offset));
                    break;
                }
                let literals = here.literals as usize;
                let run = here.cost + prices.literal_run(literals);
                let by_length = &length_prices[literals.min(NIBBLE_ESCAPE)];
                let mut shortest = MIN_MATCH;
                for &(len, offset) in &candidates {
                    let code = RecentOffsets(recents[cur]).code(offset);
                    let base = run + prices.offset(offset, code);
                    // Of a long match, its shortest and longest lengths: a path that
                    // leaves it in the middle is seldom the cheapest, and every length
                    // of every long match is most of the work on repetitive input.
                    let ranges = if len - shortest > 2 * LENGTHS_AT_EACH_END {
                        [shortest..shortest + LENGTHS_AT_EACH_END, len - LENGTHS_AT_EACH_END..len + 1]
                    } else {
                        [shortest..len + 1, 0..0]
                    };
                    for lengths in ranges {
                        let targets = nodes[cur..].iter_mut().skip(lengths.start);
                        for ((l, to), &price) in lengths.clone().zip(targets).zip(&by_length[lengths]) {
                            let price = base + price;
                            if price < to.cost {
                                *to = Node { cost: price, literals: 0, len: l as u32, offset: offset as u32 };
                            }
                        }
                    }
                    shortest = len + 1;
                    last = last.max(cur + len);
                }
                if cur < last {
                    let price = here.cost + prices.literal[usize::from(input[pos + cur])];
                    let to = &mut nodes[cur + 1];
                    if price < to.cost {
                        *to = Node { cost: price, literals: here.literals + 1, len: 0, offset: 0 };
                    }
                }
                cur += 1;
                if cur >= last || cur >= STRETCH {
                    break;
                }
            }
            let end = cur;

            // The cheapest path to `end`, back to front.
            path.clear();
            let mut at = end;
            while at > 0 {
                let node = nodes[at];
                if node.len == 0 {
                    at -= 1;
                } else {
                    path.push((at - node.len as usize, node.len as usize, node.offset as usize));
                    at -= node.len as usize;
                }
            }
            for &(from, len, offset) in path.iter().rev() {
                seq.push(&input[anchor..pos + from], len, offset);
                anchor = pos + from + len;
            }
            pos += end;
            if let Some((len, offset)) = forced {
                seq.push(&input[anchor..pos], len, offset);
                self.skip_middle(pos, pos + len);
                pos += len;
                anchor = pos;
            }
            nodes[..=last.max(end)].fill(UNREACHED);
        }
        anchor
    }
}
