//! L1 + L2 for log text: each line becomes a template id and the values of its
//! variables, the static text of each template is stored once per block, and the
//! variables go to a few streams by type, in columns (every value of one template slot
//! together), numbers as deltas from the slot's previous value.
//!
//! This is the decomposition that log compressors of the literature use: general
//! compressors see `user=alice id=7 took=31ms` and `user=bob id=8 took=29ms` as bytes;
//! here they are one template `user=alice id=<n> took=<n>ms` ... with words that vary
//! kept as variables only when they hold digits (see [`tokens`]). The streams then go
//! on through L5–L7 like any others.
//!
//! The transform is exact for any bytes: lines are what lies between `\n` bytes, the
//! last one with or without its `\n`; a `\r`, a NUL, invalid UTF-8 are static text or
//! word bytes like any other.
//!
//! Streams (see [`Split`]):
//! - `templates`: the format's version ([`SPLIT_VERSION`]), a byte of flags (the
//!   block's final newline, how new words end), `lines` (varint), the template
//!   count, then each template as its static text with `\n` and a tag for each slot
//!   (`1` a number, `2` a word, `3` and a form a timestamp) and `\n` `0` after its
//!   last item (versions 1 to 3: each template as its length and items with lengths);
//! - `ids`: a varint template id per line, ids in order of first use;
//! - `numbers`: for each template in id order, for each of its number slots, the
//!   column's values as its coding stores them: by default the zigzag difference of
//!   each value from its prediction, the slot's previous value (the first from 0), or
//!   in a keyed column the slot's value on the last line with the same key word (see
//!   `NumberColumn`); or, where one of L3's codings stores a tenth fewer bits, that
//!   coding's numbers (see `number_coding`: deltas of deltas for a counter, raw values,
//!   a frame of reference, a dictionary).
//! - `zeros`: first the block's column relations (see `relations.rs`: a column equal
//!   to an earlier one of its template is not stored again); then the list of columns
//!   stored under one of L3's codings (see `number_coding`); then in the same order as
//!   `numbers`, for a column with a word slot before it and not in that list a byte 1
//!   when it is keyed (else 0), then each number column's leading zeros: a byte 0 when
//!   no value has one, a width 2–19 when every value is written in that many digits
//!   (times, zero-padded ids), or 255 and then a byte per value;
//! - `word_refs`, `word_lens` and `words`: for each template, for each word slot,
//!   each value as a reference to one of the [`RECENT_WORDS`] most recently used
//!   distinct values of the slot's *context* (the template text just before it, see
//!   `WordContext`: the same field across templates) or, for a value not among
//!   them, its bytes ended by a `\n` (or, where the flags say so, and in versions 1
//!   to 3, its length in `word_lens` and its bytes). A user agent, a request line, a host name comes
//!   back often, and an index into a move-to-front list is far cheaper than L6
//!   matching the bytes again;
//! - `hex-runs` (version 6 only): the runs of hexadecimal digits of `words` (random
//!   ids, hashes), packed two digits a byte, each run in `words` a marker and a length
//!   (see `hex_runs`);
//! - `times`: first the block's time relations (version 5, see `time_relations.rs`:
//!   a timestamp slot stored as its offset from an earlier stamp of its line); then
//!   the timestamps (see [`timestamps`]), one column per form in the order of the
//!   forms' ids, each in line order whatever the template (consecutive lines are
//!   close in time, whichever message they carry), as zigzag deltas from the column's
//!   previous value (the first from 0); then the related slots' offsets.

mod columns;
mod delimited_fields;
mod dictionary;
#[cfg(test)]
mod format_tests;
mod hex_runs;
mod join;
mod json_fields;
pub mod layer;
mod line_cut;
mod number_coding;
mod padding;
mod rebuild;
mod relations;
mod split;
mod stanza_fields;
#[cfg(test)]
mod structured_tests;
mod survey;
#[cfg(test)]
mod tests;
mod time_relations;
pub mod timestamps;
pub mod tokens;
mod words;

use std::hash::{BuildHasher, Hasher};

use crate::fast_hash::{FastBuild, FastMap, FastSet};

use crate::{varint, Error, Result, Stream, StreamKind};
use columns::*;
use dictionary::*;
pub use join::{column_bytes, describe, describe_with_bytes, join, templates, ColumnBytes, TemplateItem};
pub use layer::TemplateLayer;
use line_cut::BlockCut;
use padding::*;
use rebuild::{Rebuilt, SHORT_TEXT};
use relations::*;
pub use split::split;
use survey::*;
pub use time_relations::time_relations;
use time_relations::*;
use timestamps::Found;
use tokens::{tokenize, Piece, Token};
pub use words::RECENT_WORDS;
use words::*;

/// The version of the split's format, the first byte of its `templates` stream: a
/// decoder refuses a split of a version it does not know with an error that says so.
/// Version 2 added column relations (see `relations`); version 3 the list of number
/// columns under L3's codings (see `number_coding`); version 4 a byte of flags
/// ([`FLAG_ENDS_WITH_NEWLINE`], [`FLAG_WORDS_ENDED`]), templates written as their
/// text with a `\n` before each slot's tag and a `\n` 0 after the last item (no
/// template text holds a newline: it is a piece of a line), where a length came
/// before the template and each piece of its text; and new words may end with a
/// newline in place of a length; version 5 the time relations at the start of
/// `times` (see `time_relations`); version 6 a ninth stream, `hex-runs`, with the
/// runs of hexadecimal digits of `words` packed (see `hex_runs`). The split writes
/// version 5 where it packs no run, so such a block's bytes are as before. Splits of
/// versions 1 to 5 still decode.
pub const SPLIT_VERSION: u8 = 6;

/// The version of the split before the packed runs of hexadecimal digits.
pub const SPLIT_VERSION_5: u8 = 5;

/// The version of the split before the time relations.
pub const SPLIT_VERSION_4: u8 = 4;

/// The version of the split before the flags and the newline-tagged templates.
pub const SPLIT_VERSION_3: u8 = 3;

/// In a version 4 to 6 split's flags: the block ends with a newline.
pub const FLAG_ENDS_WITH_NEWLINE: u8 = 1;

/// In a version 4 to 6 split's flags: each new word ends with a `\n` in `words` (no word
/// holds one: words are pieces of lines), and `word_lens` is empty; without it each
/// new word's length is in `word_lens`, as in version 3. The split ends words with
/// newlines unless nearly all of a block's new words have one length (a column of
/// fixed-width ids), where lengths cost next to nothing after L7 and a newline after
/// every word would not.
pub const FLAG_WORDS_ENDED: u8 = 2;

/// In a version 4 or 5 template, after a `\n`: the template ends.
const TEMPLATE_END: u8 = 0;

/// The version of the split before the list of coded number columns.
pub const SPLIT_VERSION_2: u8 = 2;

/// The first version of the split, without column relations.
pub const SPLIT_VERSION_1: u8 = 1;

/// How many streams a split has at most: a version 6 split has them all, the others
/// all but the last (`hex-runs`).
pub const STREAMS: usize = 9;

/// The names of a split's streams, in their order.
pub const STREAM_NAMES: [&str; STREAMS] =
    ["templates", "ids", "numbers", "zeros", "word-lens", "words", "times", "word-refs", "hex-runs"];

/// A block split into templates and variable streams.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// The version, line count, and each template's items.
    pub templates: Vec<u8>,
    /// A template id per line.
    pub ids: Vec<u8>,
    /// The number columns, as zigzag deltas.
    pub numbers: Vec<u8>,
    /// Each number column's leading zeros.
    pub zeros: Vec<u8>,
    /// The length of each new word.
    pub word_lens: Vec<u8>,
    /// The new words.
    pub words: Vec<u8>,
    /// The timestamp columns, as zigzag deltas.
    pub times: Vec<u8>,
    /// A reference per word slot value.
    pub word_refs: Vec<u8>,
    /// The packed runs of hexadecimal digits of `words` (version 6; else empty).
    pub hex_runs: Vec<u8>,
}

impl Split {
    /// Bytes in all streams.
    pub fn len(&self) -> usize {
        self.streams().iter().map(|s| s.len()).sum()
    }

    /// Whether every stream is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The streams, in their fixed order.
    pub fn streams(&self) -> [&Vec<u8>; STREAMS] {
        [
            &self.templates,
            &self.ids,
            &self.numbers,
            &self.zeros,
            &self.word_lens,
            &self.words,
            &self.times,
            &self.word_refs,
            &self.hex_runs,
        ]
    }

    /// The streams, in their fixed order, moved out.
    pub fn into_streams(self) -> [Vec<u8>; STREAMS] {
        [
            self.templates,
            self.ids,
            self.numbers,
            self.zeros,
            self.word_lens,
            self.words,
            self.times,
            self.word_refs,
            self.hex_runs,
        ]
    }

    /// The streams of [`Split::into_streams`], back in their places.
    pub fn from_streams(
        [templates, ids, numbers, zeros, word_lens, words, times, word_refs, hex_runs]: [Vec<u8>; STREAMS],
    ) -> Split {
        Split { templates, ids, numbers, zeros, word_lens, words, times, word_refs, hex_runs }
    }

    /// The streams as a block carries them: `bytes` streams, `hex-runs` only in a
    /// version 6 split (where it is never empty).
    pub fn into_block_streams(self) -> Vec<Stream> {
        let mut streams: Vec<Stream> =
            self.into_streams().into_iter().map(|d| Stream::new(StreamKind::Bytes, d)).collect();
        if streams[STREAMS - 1].data.is_empty() {
            streams.pop();
        }
        streams
    }

    /// A block's streams once L5-L7 are undone: [`STREAMS`] `bytes` streams, or all
    /// but `hex-runs` (which version goes with which count, the join checks).
    pub fn from_block_streams(streams: Vec<Stream>) -> Result<Split> {
        let count = streams.len();
        let mut streams: Vec<Vec<u8>> =
            streams.into_iter().filter(|s| s.kind == StreamKind::Bytes).map(|s| s.data).collect();
        // Every stream a `bytes` one: one of another kind is not dropped in silence.
        let all_bytes = streams.len() == count;
        if streams.len() == STREAMS - 1 {
            streams.push(Vec::new());
        }
        match <[Vec<u8>; STREAMS]>::try_from(streams) {
            Ok(all) if all_bytes => Ok(Split::from_streams(all)),
            _ => Err(Error::corrupt(
                "template split",
                format!("{count} streams where {} or {STREAMS} bytes streams belong", STREAMS - 1),
            )),
        }
    }
}

const ITEM_STATIC: u8 = 0;
const ITEM_NUMBER: u8 = 1;
const ITEM_WORD: u8 = 2;
/// A timestamp; the byte after the tag is its form.
const ITEM_TIME: u8 = 3;

/// A template as the decoder holds it.
#[derive(Debug)]
enum Item {
    Static(std::ops::Range<usize>),
    Number,
    Word,
    Time(u8),
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}
