//! Word slots: ids for distinct words, the move-to-front lists of recent words by
//! context, and the dictionary of templates the decoder reads.

use super::*;

/// The distinct words of a block, numbered in order of first use: equal bytes, equal
/// id, so that the lists of recent words and the keyed predictions compare and index
/// numbers rather than hash and compare bytes value after value.
#[derive(Default)]
pub(super) struct WordIds<'a> {
    pub(super) ids: FastMap<&'a [u8], u32>,
    pub(super) words: Vec<&'a [u8]>,
}

impl<'a> WordIds<'a> {
    pub(super) fn id(&mut self, w: &'a [u8]) -> u32 {
        let next = self.words.len() as u32;
        let words = &mut self.words;
        *self.ids.entry(w).or_insert_with(|| {
            words.push(w);
            next
        })
    }
}

/// The words of a block being decoded, each a stretch of the split's words stream,
/// numbered as they come: a new word (one its slot's list does not hold) takes the
/// next number whether or not its bytes came before. Only keyed number columns need
/// equal words to share a number, so only the words that key them are hashed, when
/// they do (each word hashed as it came was 4% of Bridge's decoding).
pub(super) struct DecodedWords<'a> {
    stream: &'a [u8],
    /// By word number: where it lies in the stream.
    pub(super) places: Vec<std::ops::Range<usize>>,
    shared: FastMap<&'a [u8], u32>,
    /// By word number: the number all words of its bytes share, or [`NOT_KEYED`].
    keys: Vec<u32>,
}

const NOT_KEYED: u32 = u32::MAX;

impl<'a> DecodedWords<'a> {
    pub(super) fn new(stream: &'a [u8]) -> DecodedWords<'a> {
        DecodedWords { stream, places: Vec::new(), shared: FastMap::default(), keys: Vec::new() }
    }

    /// Numbers the word at `place` in the stream.
    pub(super) fn push(&mut self, place: std::ops::Range<usize>) -> u32 {
        self.places.push(place);
        self.places.len() as u32 - 1
    }

    pub(super) fn len(&self) -> usize {
        self.places.len()
    }

    /// What word `id` keys a keyed column's predictions by: numbers from 0 up, below
    /// the count of words so far, equal for equal bytes, as [`WordIds`] gives the
    /// encoder.
    pub(super) fn key(&mut self, id: u32) -> u32 {
        let i = id as usize;
        if self.keys.len() <= i {
            self.keys.resize(self.places.len(), NOT_KEYED);
        }
        if self.keys[i] == NOT_KEYED {
            let next = self.shared.len() as u32;
            self.keys[i] = *self.shared.entry(&self.stream[self.places[i].clone()]).or_insert(next);
        }
        self.keys[i]
    }
}

/// How many distinct recent values of a word slot a value can refer to; the decoder
/// keeps the same list, so this is part of the format.
pub const RECENT_WORDS: usize = 256;

/// What a word slot shares its list of recent words by: the (up to) four bytes of
/// template text before it and how many there are, or the kind of slot before it.
/// The same field of different templates (the user agent of an access log line,
/// whichever referrer made its template) has the same context, so a value seen in
/// one template is a reference in the next.
pub(super) type WordContext = [u8; 5];

pub(super) fn word_contexts(key: &[u8], items: &[Item]) -> Vec<WordContext> {
    let mut contexts = Vec::new();
    word_contexts_into(key, items, &mut contexts);
    contexts
}

/// [`word_contexts`] into `contexts` (emptied first).
pub(super) fn word_contexts_into(key: &[u8], items: &[Item], contexts: &mut Vec<WordContext>) {
    contexts.clear();
    let mut before = [0, 0, 0, 0, 0xFF];
    for item in items {
        match item {
            Item::Static(range) => {
                let text = &key[range.clone()];
                let tail = &text[text.len().saturating_sub(4)..];
                before = [0; 5];
                before[4 - tail.len()..4].copy_from_slice(tail);
                before[4] = tail.len() as u8;
            }
            Item::Number => before = [0, 0, 0, 0, 0xF0 | ITEM_NUMBER],
            Item::Time(_) => before = [0, 0, 0, 0, 0xF0 | ITEM_TIME],
            Item::Word => {
                contexts.push(before);
                before = [0, 0, 0, 0, 0xF0 | ITEM_WORD];
            }
        }
    }
}

/// Where `id` is in `list`, looked for 16 entries at a time with a test of all 16
/// that the compiler turns into vector compares (a search that stops at the first
/// match does not vectorize, and a word missing from a full list costs 256 steps).
pub(super) fn rank_of(list: &[u32], id: u32) -> Option<usize> {
    let mut chunks = list.chunks_exact(16);
    for (i, chunk) in (&mut chunks).enumerate() {
        if chunk.iter().fold(false, |any, &r| any | (r == id)) {
            return chunk.iter().position(|&r| r == id).map(|p| i * 16 + p);
        }
    }
    let done = list.len() - chunks.remainder().len();
    chunks.remainder().iter().position(|&r| r == id).map(|p| done + p)
}

/// The encoder's list of a context's recent distinct words (by [`WordIds`] id), most
/// recent first.
#[derive(Default)]
pub(super) struct RecentWords {
    pub(super) list: Vec<u32>,
}

impl RecentWords {
    /// The rank of word `id` in the list, if there, and the word moved (or put) to
    /// the front; `seen` is false when the word has never been in any list.
    pub(super) fn find(&mut self, id: u32, seen: bool) -> Option<usize> {
        let rank = if seen { rank_of(&self.list, id) } else { None };
        match rank {
            Some(r) => self.list[..=r].rotate_right(1),
            None => {
                if self.list.len() == RECENT_WORDS {
                    self.list.pop();
                }
                self.list.insert(0, id);
            }
        }
        rank
    }
}

/// The decoder's list of a context's recent distinct words, most recent first: a ring
/// of [`RECENT_WORDS`] slots, so that a word moved to the front shifts only the
/// words on the shorter side of it, in place (a `VecDeque`'s `remove` then
/// `push_front` went through two general copies per reference, 4% of decoding).
pub(super) struct RecentRing {
    slots: Box<[u32; RECENT_WORDS]>,
    /// Slot of the most recent word.
    head: u8,
    len: usize,
}

// The ring's indices wrap as `u8` arithmetic does.
const _: () = assert!(RECENT_WORDS == 256);

impl Default for RecentRing {
    fn default() -> RecentRing {
        RecentRing { slots: Box::new([0; RECENT_WORDS]), head: 0, len: 0 }
    }
}

impl RecentRing {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn slot(&self, rank: usize) -> usize {
        usize::from(self.head.wrapping_add(rank as u8))
    }

    /// Puts a new word in front; past [`RECENT_WORDS`] the oldest drops out.
    #[inline(always)]
    pub(super) fn push(&mut self, id: u32) {
        // When full, the slot before the head is the oldest word's.
        self.head = self.head.wrapping_sub(1);
        self.slots[usize::from(self.head)] = id;
        self.len = (self.len + 1).min(RECENT_WORDS);
    }

    /// The word of `rank` (0 the most recent), moved to the front; `None` past the
    /// list's end.
    #[inline(always)]
    pub(super) fn take(&mut self, rank: usize) -> Option<u32> {
        if rank >= self.len {
            return None;
        }
        let id = self.slots[self.slot(rank)];
        if rank <= self.len / 2 {
            // The words before it move one back, over it.
            for r in (0..rank).rev() {
                self.slots[self.slot(r + 1)] = self.slots[self.slot(r)];
            }
            self.slots[usize::from(self.head)] = id;
        } else {
            // The words after it move one forward, over it; it goes in front, in the
            // slot the last word left (the one before the head, when the ring is full).
            for r in rank..self.len - 1 {
                self.slots[self.slot(r)] = self.slots[self.slot(r + 1)];
            }
            self.head = self.head.wrapping_sub(1);
            self.slots[usize::from(self.head)] = id;
        }
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    impl RecentRing {
        fn words(&self) -> Vec<u32> {
            (0..self.len).map(|r| self.slots[self.slot(r)]).collect()
        }
    }

    proptest! {
        /// The ring keeps the order a plain list moved to the front keeps, on either
        /// side of its middle, across the wrap and once full.
        #[test]
        fn ring_is_a_move_to_front_list(ops in prop::collection::vec((any::<bool>(), 0usize..300), 0..2000)) {
            let mut ring = RecentRing::default();
            let mut list: Vec<u32> = Vec::new();
            for (i, (push, rank)) in ops.into_iter().enumerate() {
                if push {
                    ring.push(i as u32);
                    list.insert(0, i as u32);
                    list.truncate(RECENT_WORDS);
                } else {
                    let expected = (rank < list.len()).then(|| list.remove(rank));
                    if let Some(id) = expected {
                        list.insert(0, id);
                    }
                    prop_assert_eq!(ring.take(rank), expected);
                }
                prop_assert_eq!(ring.len(), list.len());
            }
            prop_assert_eq!(ring.words(), list);
        }
    }
}
