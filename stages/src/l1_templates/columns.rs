//! Number columns: the template keys built line by line, and how each number slot's
//! values are predicted (from the slot's previous value, or from a key word before it).

use super::*;

/// What one template collects while a block is encoded: a row per line that uses it,
/// the rows end to end. One vector a kind rather than one a slot: a line's values are
/// appended in one copy, and the block's thousands of slots do not each grow (and
/// copy) a vector of their own.
pub(super) struct Column {
    /// Number slots a row holds.
    pub(super) number_slots: usize,
    /// Word slots a row holds.
    pub(super) word_slots: usize,
    /// Values with their leading zeros, row after row.
    pub(super) numbers: Vec<(u64, u8)>,
    /// Word ids (see [`WordIds`]), row after row.
    pub(super) words: Vec<u32>,
}

impl Column {
    /// Every row's value in number slot `slot`, in line order, into `out`.
    pub(super) fn number_column(&self, slot: usize, out: &mut Vec<(u64, u8)>) {
        out.clear();
        out.extend(self.numbers.iter().skip(slot).step_by(self.number_slots).copied());
    }

    /// Every row's word id in word slot `slot`, in line order, into `out`.
    pub(super) fn word_column(&self, slot: usize, out: &mut Vec<u32>) {
        out.clear();
        out.extend(self.words.iter().skip(slot).step_by(self.word_slots).copied());
    }
}

/// A template key as it is built, in the form the split writes it (split versions 4 and 5):
/// static text as it comes, runs of it merged, each slot a `\n` and its tag (no
/// template text holds a newline: it is a piece of a line). The template's end mark
/// is not part of the key.
#[derive(Default)]
pub(super) struct KeyBuilder {
    pub(super) key: Vec<u8>,
}

impl KeyBuilder {
    pub(super) fn clear(&mut self) {
        self.key.clear();
    }

    pub(super) fn text(&mut self, s: &[u8]) {
        debug_assert!(!s.contains(&b'\n'), "template text is a piece of a line");
        // Most static pieces are a byte or two, where a call to memcpy costs more than
        // the copy.
        if s.len() <= 4 {
            s.iter().for_each(|&b| self.key.push(b));
        } else {
            self.key.extend_from_slice(s);
        }
    }

    pub(super) fn slot(&mut self, item: u8) {
        self.key.extend_from_slice(&[b'\n', item]);
    }

    pub(super) fn time(&mut self, format: u8) {
        self.key.extend_from_slice(&[b'\n', ITEM_TIME, format]);
    }

    pub(super) fn finish(&mut self) -> &[u8] {
        &self.key
    }
}

/// How a number column's values are predicted; each is stored as the zigzag
/// difference from its prediction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum NumberColumn {
    /// The column's previous value.
    Plain,
    /// The column's value on the last line whose *key*, the nearest word slot before
    /// the number in the template, was the same word; the previous value when the
    /// word is new. An access log's response size follows its request line, not the
    /// line before.
    Keyed,
}

impl NumberColumn {
    /// The stored differences of `values`; `keys` are the key slot's word ids, line
    /// by line (unused for `Plain`); `table` has room for every id.
    pub(super) fn deltas(self, values: &[(u64, u8)], keys: &[u32], table: &mut KeyedValues) -> Vec<u64> {
        match self {
            NumberColumn::Plain => {
                let mut previous = 0u64;
                values
                    .iter()
                    .map(|&(v, _)| {
                        let z = zigzag(v.wrapping_sub(previous) as i64);
                        previous = v;
                        z
                    })
                    .collect()
            }
            NumberColumn::Keyed => {
                let mut predictor = Predictor::new(table);
                values
                    .iter()
                    .zip(keys)
                    .map(|(&(v, _), &key)| {
                        let z = zigzag(v.wrapping_sub(predictor.predict(key)) as i64);
                        predictor.update(key, v);
                        z
                    })
                    .collect()
            }
        }
    }
}

/// A keyed column's last value for each key word, by word id: one table for the
/// whole block, each column's entries told apart from the last column's by a stamp,
/// so that no column clears or allocates a table of its own.
#[derive(Default)]
pub(super) struct KeyedValues {
    pub(super) stamps: Vec<u32>,
    pub(super) values: Vec<u64>,
    pub(super) column: u32,
}

impl KeyedValues {
    /// Room for `ids` word ids, and no value for any of them.
    pub(super) fn start_column(&mut self, ids: usize) {
        if self.column == u32::MAX {
            self.stamps.iter_mut().for_each(|s| *s = 0);
            self.column = 0;
        }
        self.column += 1;
        if self.stamps.len() < ids {
            self.stamps.resize(ids, 0);
            self.values.resize(ids, 0);
        }
    }
}

/// The prediction of a keyed [`NumberColumn`], as encoder and decoder both run it:
/// the value on the last line with the same key word, else the column's previous value.
pub(super) struct Predictor<'t> {
    pub(super) previous: u64,
    pub(super) table: &'t mut KeyedValues,
}

impl<'t> Predictor<'t> {
    pub(super) fn new(table: &'t mut KeyedValues) -> Predictor<'t> {
        Predictor { previous: 0, table }
    }

    /// Needs `table.start_column` with room for `key` first.
    pub(super) fn predict(&self, key: u32) -> u64 {
        let k = key as usize;
        if self.table.stamps[k] == self.table.column {
            self.table.values[k]
        } else {
            self.previous
        }
    }

    pub(super) fn update(&mut self, key: u32, value: u64) {
        let k = key as usize;
        self.table.stamps[k] = self.table.column;
        self.table.values[k] = value;
        self.previous = value;
    }
}

/// About the bits the stored differences take: what decides between predictions.
pub(super) fn delta_bits(stored: &[u64]) -> u64 {
    stored.iter().map(|&z| u64::from(65 - z.leading_zeros())).sum()
}

/// For each number slot of a template, the index of the nearest word slot before
/// it, which can key its predictions.
pub(super) fn number_keys(items: &[Item]) -> Vec<Option<usize>> {
    let mut keys = Vec::new();
    number_keys_into(items, &mut keys);
    keys
}

/// [`number_keys`] into `keys` (emptied first).
pub(super) fn number_keys_into(items: &[Item], keys: &mut Vec<Option<usize>>) {
    keys.clear();
    let mut word = None;
    for item in items {
        match item {
            Item::Word => word = Some(word.map_or(0, |w| w + 1)),
            Item::Number => keys.push(word),
            Item::Static(_) | Item::Time(_) => {}
        }
    }
}
