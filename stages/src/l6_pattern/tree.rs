//! The optimal parse's match finder: the positions that share a hash kept as a binary
//! tree ordered by the bytes that follow them, so that one walk from the root meets
//! the longest matches of a position (each step down keeps the longer of the two
//! prefixes it shares with the nodes above) and inserts the position on the way.
//! A hash chain visits every position of the bucket, newest first, and on a log most
//! of them repeat the same few bytes: the walk of the chain was half the parse.
//!
//! Each position has two slots (its smaller and larger subtree) in a table of twice
//! the chain table's length (how far back a search reaches); a slot holds a position
//! plus one, 0 for none. Children are always older than their parent, and a node
//! further back than half the table's length is not read: its slots may belong to a
//! newer position.

use super::compress::{common_len, read64, Finder};
use super::optimal::Candidates;
use super::sequence::MIN_MATCH;

impl Finder<'_> {
    /// Puts `pos` at the root of its hash's tree. With `found`, also lists the
    /// matches met on the way that are longer than `longest` and than those before
    /// them (shortest first, as [`Finder::candidates`] lists them).
    pub(super) fn tree_insert(&mut self, pos: usize, mut found: Option<&mut Candidates>, mut longest: usize) {
        let input = self.input;
        let n = input.len();
        let h = self.hash(read64(input, pos));
        let mut node = self.head[h] as usize;
        self.head[h] = (pos + 1) as u32;
        let reach = self.chain_mask;
        let slot = |p: usize| 2 * (p & reach);
        // Where the next node smaller (larger) than `pos` is to hang, and how many
        // bytes every node on that side shares with it.
        let (mut smaller, mut larger) = (slot(pos), slot(pos) + 1);
        let (mut shared_smaller, mut shared_larger) = (0, 0);
        let mut remaining = self.depth;
        while node != 0 && remaining > 0 {
            let at = node - 1;
            if at >= pos || at < self.floor || pos - at > reach || pos - at > self.max_dist {
                break;
            }
            remaining -= 1;
            let shared = shared_smaller.min(shared_larger);
            let len = shared + common_len(input, pos + shared, at + shared);
            if len > longest && len >= MIN_MATCH {
                longest = len;
                if let Some(found) = found.as_deref_mut() {
                    found.push((len, pos - at));
                }
            }
            if pos + len == n {
                // Equal to the end of the input: which of the two is larger is not
                // known, so the walk ends here and the nodes below are dropped from the
                // tree (a little compression lost, the order kept).
                break;
            }
            if input[at + len] < input[pos + len] {
                self.tree[smaller] = node as u32;
                shared_smaller = len;
                smaller = slot(at) + 1;
                node = self.tree[smaller] as usize;
            } else {
                self.tree[larger] = node as u32;
                shared_larger = len;
                larger = slot(at);
                node = self.tree[larger] as usize;
            }
        }
        self.tree[smaller] = 0;
        self.tree[larger] = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::compress::MARGIN;
    use super::*;
    use proptest::prelude::*;

    /// The longest match at `pos` among earlier positions that begin with the same
    /// `key` bytes, by comparing with each of them.
    fn longest_by_scan(input: &[u8], pos: usize, key: usize) -> usize {
        (0..pos)
            .filter(|&at| input[at..at + key] == input[pos..pos + key])
            .map(|at| input[pos..].iter().zip(&input[at..]).take_while(|(a, b)| a == b).count())
            .max()
            .unwrap_or(0)
    }

    proptest! {
        /// Searched without limit, the tree meets at every position the longest match
        /// that shares its hashed bytes (what a scan of every earlier position finds),
        /// and every match it lists is real and longer than the one before.
        #[test]
        fn the_tree_finds_the_longest_match(
            body in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'c'), any::<u8>()], 0..1500),
            hash_len in 4u8..9,
        ) {
            // An end no match reaches: the tree drops nodes only at the input's end.
            let mut input = body;
            input.extend(0xF0..=0xFFu8);
            let (mut head, mut tree) = (vec![0u32; 1 << 12], vec![0u32; 2 * 2048]);
            let mut finder = Finder::unlimited(&input, &mut head, &mut tree, hash_len);
            let mut found = Candidates::new();
            for pos in 0..input.len() - MARGIN {
                finder.candidates(pos, &[0; 3], &mut found);
                let mut before = 0;
                for &(len, offset) in &found {
                    prop_assert!(len > before && offset <= pos);
                    prop_assert_eq!(&input[pos - offset..pos - offset + len], &input[pos..pos + len]);
                    before = len;
                }
                let scanned = longest_by_scan(&input, pos, usize::from(hash_len));
                if scanned >= usize::from(hash_len) {
                    prop_assert_eq!(before, scanned, "at {}", pos);
                }
            }
        }
    }
}
