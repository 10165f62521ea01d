//! Column relations (split version 2): a column of a template equal, line for line,
//! to an earlier column of the same kind in that template is stored as a reference
//! to it, not again.
//!
//! Logs say one thing twice: an ECS document's `source.address` and `source.ip`, a
//! status in a field and in the original line beside it, a node's name in a syslog
//! line's header and in its message (BGL: 4% of its output). The split gives each
//! its own column, and after L6 and L7 a second copy of a column of deltas or word
//! references costs most of what the first does: the two lie far apart in their
//! stream.
//!
//! Version 2 starts the `zeros` stream with the block's list,
//! `count:varint (template-gap:varint column:varint source:varint)*count`, in template
//! then column order: the template as its id less the entry before's, `column` as
//! `2 × slot + kind` (kind 0 a number slot, 1 a word slot), `source` an earlier slot
//! of the same kind that is not itself a copy. A copied column has nothing in any
//! other stream (no keyed flag, padding, values or word references), and its words
//! do not enter the lists of recent words. One list for the block rather than one a
//! template: most templates have no relation, and a byte each for saying so cost the
//! small logs up to 2%.

use std::hash::{BuildHasher, Hash, Hasher};

use super::*;

/// For each slot of a row-major matrix of `slots` columns, the first earlier column
/// equal to it in every row, if any. A column found equal to an earlier one is never
/// the source of another: the earlier one is found first. A column of one value is
/// left alone: L6 and L7 already make it next to nothing, and two constants equal by
/// chance (a version's 1 and a host's) would cost a relation each.
pub(super) fn equal_earlier<T: Copy + Eq + Hash>(matrix: &[T], slots: usize) -> Vec<Option<usize>> {
    let column = |slot: usize| matrix.iter().skip(slot).step_by(slots);
    // Each stored column that is not a constant, by a hash of its values: a template
    // has a few dozen slots at most, so a list looked through (no table built a
    // template), and columns compared in full only where their hashes are equal.
    let mut stored: Vec<(u64, usize)> = Vec::new();
    let mut sources = Vec::with_capacity(slots);
    // The first row holds each column's first value.
    for (slot, &first) in matrix.iter().enumerate().take(slots) {
        if column(slot).all(|&v| v == first) {
            sources.push(None);
            continue;
        }
        let mut h = FastBuild.build_hasher();
        column(slot).for_each(|v| v.hash(&mut h));
        let hash = h.finish();
        let source =
            stored.iter().find(|&&(h, earlier)| h == hash && column(earlier).eq(column(slot))).map(|&(_, s)| s);
        if source.is_none() {
            stored.push((hash, slot));
        }
        sources.push(source);
    }
    sources
}

const KIND_NUMBER: u64 = 0;
const KIND_WORD: u64 = 1;

/// The block's relations as the encoder collects them, template by template in id
/// order, and then writes them at the start of `zeros`.
#[derive(Default)]
pub(super) struct RelationList {
    /// (template, column, source), in template then column order.
    entries: Vec<(usize, u64, usize)>,
}

impl RelationList {
    /// Adds template `template`'s copies: `numbers[slot]` and `words[slot]` are each
    /// slot's source, if it is a copy. Templates come in id order.
    pub(super) fn add(&mut self, template: usize, numbers: &[Option<usize>], words: &[Option<usize>]) {
        let slots = numbers.len().max(words.len());
        for slot in 0..slots {
            for (kind, sources) in [(KIND_NUMBER, numbers), (KIND_WORD, words)] {
                if let Some(&Some(source)) = sources.get(slot) {
                    self.entries.push((template, 2 * slot as u64 + kind, source));
                }
            }
        }
    }

    /// Appends `count (template-gap column source)*count`, each a varint; a template
    /// gap is its id less the entry before's (the first's less 0).
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        varint::put(out, self.entries.len() as u64);
        let mut previous = 0;
        for &(template, column, source) in &self.entries {
            varint::put(out, (template - previous) as u64);
            varint::put(out, column);
            varint::put(out, source as u64);
            previous = template;
        }
    }
}

/// The block's relations as the decoder reads them from the start of `zeros`, handed
/// out template by template.
pub(super) struct RelationReader {
    /// (template, column, source), as read.
    entries: std::iter::Peekable<std::vec::IntoIter<(usize, u64, u64)>>,
}

impl RelationReader {
    /// Reads the list at `*pos`; templates are below `templates`.
    pub(super) fn read(stream: &[u8], pos: &mut usize, templates: usize) -> Result<RelationReader> {
        // Each entry takes at least three bytes.
        let left = (stream.len().saturating_sub(*pos) / 3) as u64;
        let count = varint::get_capped(stream, pos, left, "column relations")?;
        let mut entries = Vec::with_capacity(count as usize);
        let mut template = 0usize;
        for _ in 0..count {
            let gap = varint::get(stream, pos)?;
            template =
                usize::try_from(gap).ok().and_then(|g| template.checked_add(g)).filter(|&t| t < templates).ok_or_else(
                    || {
                        Error::corrupt(
                            "column relations",
                            format!("a relation of template +{gap} past the {templates} templates"),
                        )
                    },
                )?;
            let column = varint::get(stream, pos)?;
            let source = varint::get(stream, pos)?;
            entries.push((template, column, source));
        }
        Ok(RelationReader { entries: entries.into_iter().peekable() })
    }

    /// Template `template`'s relations (templates asked in id order), each checked
    /// against its slots.
    pub(super) fn template(&mut self, template: usize, number_slots: usize, word_slots: usize) -> Result<Relations> {
        let mut relations = Relations::none(number_slots, word_slots);
        self.template_into(template, &mut relations)?;
        Ok(relations)
    }

    /// [`RelationReader::template`] into `relations`, which holds the template's slots
    /// with no copies: a block of hundreds of templates reuses one.
    pub(super) fn template_into(&mut self, template: usize, relations: &mut Relations) -> Result<()> {
        let mut last = None;
        while let Some((_, column, source)) = self.entries.next_if(|&(t, ..)| t == template) {
            if last.is_some_and(|l| column <= l) {
                return Err(Error::corrupt(
                    "column relations",
                    format!("column {column} after column {}", last.unwrap_or(0)),
                ));
            }
            last = Some(column);
            let (kind, slot) = (column % 2, usize::try_from(column / 2).unwrap_or(usize::MAX));
            let sources = if kind == KIND_NUMBER { &mut relations.numbers } else { &mut relations.words };
            let what = if kind == KIND_NUMBER { "number" } else { "word" };
            if slot >= sources.len() {
                return Err(Error::corrupt("column relations", format!("{what} slot {slot} of {}", sources.len())));
            }
            let source =
                usize::try_from(source).ok().filter(|&s| s < slot && sources[s].is_none()).ok_or_else(|| {
                    Error::corrupt(
                        "column relations",
                        format!("{what} slot {slot} copies slot {source}, not an earlier one"),
                    )
                })?;
            sources[slot] = Some(source);
        }
        Ok(())
    }

    /// Whether every relation was handed out (any left names a template out of order).
    pub(super) fn is_done(&mut self) -> bool {
        self.entries.peek().is_none()
    }
}

/// A template's relations as the decoder reads them.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Relations {
    /// Each number slot's source, if it is a copy.
    pub(super) numbers: Vec<Option<usize>>,
    /// Each word slot's source, if it is a copy.
    pub(super) words: Vec<Option<usize>>,
}

impl Relations {
    /// No copies, for a template of these slots (what a version 1 split has).
    pub(super) fn none(number_slots: usize, word_slots: usize) -> Relations {
        Relations { numbers: vec![None; number_slots], words: vec![None; word_slots] }
    }

    /// Back to no copies, for a template of these slots.
    pub(super) fn reset(&mut self, number_slots: usize, word_slots: usize) {
        self.numbers.clear();
        self.numbers.resize(number_slots, None);
        self.words.clear();
        self.words.resize(word_slots, None);
    }

    /// Slots of each kind whose values are in the streams: (numbers, words).
    pub(super) fn coded(&self) -> (usize, usize) {
        let coded = |s: &[Option<usize>]| s.iter().filter(|s| s.is_none()).count();
        (coded(&self.numbers), coded(&self.words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_columns_point_to_the_first_of_them() {
        // Three slots a row: slot 2 equals slot 0 in every row, slot 1 only in one.
        let matrix = [1, 1, 1, 2, 9, 2, 3, 3, 3];
        assert_eq!(equal_earlier(&matrix, 3), [None, None, Some(0)]);
        // Two rows of four: slot 1 is a constant, left alone; 2 and 3 equal 0.
        assert_eq!(equal_earlier(&[5, 5, 5, 5, 6, 5, 6, 6], 4), [None, None, Some(0), Some(0)]);
        assert_eq!(equal_earlier(&[7, 7, 7, 7], 2), [None, None], "equal constants stay");
        assert_eq!(equal_earlier::<u32>(&[], 0), []);
    }

    /// A template's id, and the sources of its number and word slots.
    type Copies<'a> = (usize, &'a [Option<usize>], &'a [Option<usize>]);

    fn list(entries: &[Copies<'_>]) -> Vec<u8> {
        let mut list = RelationList::default();
        for &(t, n, w) in entries {
            list.add(t, n, w);
        }
        let mut out = Vec::new();
        list.write(&mut out);
        out
    }

    #[test]
    fn bad_relations_are_errors() {
        // One template of 2 number slots and no word slot, unless told otherwise.
        let read = |bytes: &[u8], n: usize, w: usize| -> Result<Relations> {
            let mut reader = RelationReader::read(bytes, &mut 0, 1)?;
            let relations = reader.template(0, n, w)?;
            if !reader.is_done() {
                return Err(Error::corrupt("test", "left over"));
            }
            Ok(relations)
        };
        assert_eq!(read(&[1, 0, 2, 0], 2, 0).unwrap().numbers, [None, Some(0)], "number slot 1 copies 0");
        assert!(read(&[1, 0, 0, 0], 2, 0).is_err(), "slot 0 has nothing before it");
        assert!(read(&[1, 0, 4, 0], 2, 0).is_err(), "number slot 2 of 2");
        assert!(read(&[1, 0, 3, 0], 2, 0).is_err(), "word slot 1 of none");
        assert!(read(&[1, 1, 2, 0], 2, 0).is_err(), "template 1 of 1");
        assert!(read(&[2, 0, 4, 0, 0, 2, 0], 3, 0).is_err(), "columns out of order");
        assert!(read(&[2, 0, 2, 0, 0, 4, 1], 3, 0).is_err(), "a copy of a copy");
        assert!(read(&[1, 0, 2], 2, 0).is_err(), "cut short");
        assert!(read(&[9, 0, 2, 0], 2, 0).is_err(), "more relations than bytes");
        assert!(read(&[], 2, 0).is_err(), "no count");
    }

    proptest! {
        #[test]
        fn relations_read_back_as_written(
            templates in prop::collection::vec((1usize..6, 0usize..6, 0usize..6, any::<u64>()), 1..6),
        ) {
            // Small values, so that some columns come out equal.
            let matrices: Vec<_> = templates
                .iter()
                .map(|&(rows, numbers, words, seed)| {
                    let value = |i: usize| (seed.rotate_left(i as u32 % 64) >> (i % 7)) % 3;
                    let n: Vec<u64> = (0..rows * numbers).map(value).collect();
                    let w: Vec<u64> = (0..rows * words).map(|i| value(i + 17)).collect();
                    (equal_earlier(&n, numbers), equal_earlier(&w, words))
                })
                .collect();
            let entries: Vec<_> = matrices.iter().enumerate().map(|(t, (n, w))| (t, &n[..], &w[..])).collect();
            let bytes = list(&entries);
            let mut pos = 0;
            let mut reader = RelationReader::read(&bytes, &mut pos, templates.len()).unwrap();
            prop_assert_eq!(pos, bytes.len());
            for (t, (n, w)) in matrices.into_iter().enumerate() {
                let read = reader.template(t, n.len(), w.len()).unwrap();
                prop_assert_eq!(read, Relations { numbers: n, words: w });
            }
            prop_assert!(reader.is_done());
        }
    }
}
