//! How each line of a block is cut into fields: as free text ([`fields`]), as JSON,
//! as a CSV/TSV record, or as a `Key: value` stanza line. What a block is read as is
//! decided once, from its first lines; a JSON line is read as JSON in any block.

use super::delimited_fields::{separator_of, text_columns, DelimitedCut};
use super::json_fields::request_line;
use super::json_fields::{is_json_line, text_keys, JsonCut};
use super::stanza_fields::{is_stanza_block, stanza_fields, stanza_value_start};
use super::timestamps;
use super::tokens::{fields, Piece};
use crate::fast_hash::FastSet;

/// What a block is read as, from its first lines.
pub(super) struct BlockCut {
    /// Records with this separator.
    separator: Option<u8>,
    /// For records: by column, whether its spaced values are text.
    text_columns: Vec<bool>,
    /// `Key: value` stanzas.
    stanzas: bool,
    /// For JSON lines: the keys whose values are log text (see
    /// [`super::json_fields::text_keys`]).
    text_keys: FastSet<u64>,
}

impl BlockCut {
    pub(super) fn of(body: &[u8]) -> BlockCut {
        let lines = || super::survey::lines_of(body);
        let separator = separator_of(lines());
        BlockCut {
            separator,
            text_columns: separator.map(|s| text_columns(lines(), s)).unwrap_or_default(),
            stanzas: separator.is_none() && is_stanza_block(lines()),
            text_keys: text_keys(lines()),
        }
    }

    /// Where timestamps are looked for in `line`: before this offset, and past the
    /// first bytes only after a quote, a bracket or this byte (see
    /// [`timestamps::find_before`]).
    pub(super) fn time_search(&self, line: &[u8]) -> (usize, u8) {
        match self.separator {
            _ if is_json_line(line) => (usize::MAX, b'"'),
            Some(separator) => (usize::MAX, separator),
            None => (timestamps::SEARCH_SPAN, b'"'),
        }
    }

    /// The cut of one line.
    pub(super) fn line(&self, line: &[u8]) -> LineCut<'_> {
        match self.separator {
            _ if is_json_line(line) => LineCut::Json(JsonCut::with_text_keys(&self.text_keys)),
            Some(separator) => LineCut::Delimited(DelimitedCut::new(separator, &self.text_columns)),
            None if self.stanzas => match stanza_value_start(line) {
                Some(value) => LineCut::Stanza(value),
                None if line.first() == Some(&b' ') => LineCut::Stanza(1),
                None => LineCut::Text,
            },
            None => LineCut::Text,
        }
    }
}

/// The values with spaces of one column (a CSV column, a JSON key) in a block's first
/// lines, to tell log text from words that come back: a message under any name is new
/// lines of a few shapes, best cut as text; a user agent comes back, and is cheapest as
/// one word referring to where it was before.
#[derive(Default)]
pub(super) struct SpacedValues<'a> {
    count: usize,
    distinct: FastSet<&'a [u8]>,
}

impl<'a> SpacedValues<'a> {
    /// Counts `value` if it has a space and is not a request line (which has its own
    /// cut).
    pub(super) fn add(&mut self, value: &'a [u8]) {
        if value.contains(&b' ') && request_line(value).is_none() {
            self.count += 1;
            self.distinct.insert(value);
        }
    }

    /// Eight or more, more than half of them new.
    pub(super) fn are_text(&self) -> bool {
        self.count >= 8 && self.distinct.len() * 2 > self.count
    }
}

/// Where a line's cut stands between two of its stretches (a line is cut at its
/// timestamps first, and each stretch between them cut in turn).
pub(super) enum LineCut<'c> {
    /// By the text rules.
    Text,
    /// As JSON.
    Json(JsonCut<'c>),
    /// As a CSV or TSV record.
    Delimited(DelimitedCut<'c>),
    /// As a `Key: value` line (or a continuation line), its value starting here.
    Stanza(usize),
}

impl LineCut<'_> {
    /// Calls `emit` with the fields of `text`, the next stretch of `line`.
    pub(super) fn cut<'a>(&mut self, line: &'a [u8], text: &'a [u8], mut emit: impl FnMut(&'a [u8], Piece)) {
        match self {
            LineCut::Text => fields(text, emit),
            LineCut::Json(cut) => cut.cut(text, emit),
            LineCut::Delimited(cut) => cut.cut(text, emit),
            // `text` is a piece of `line`: its offset is the difference of their addresses.
            LineCut::Stanza(value) => {
                stanza_fields(text, text.as_ptr() as usize - line.as_ptr() as usize, *value, &mut emit)
            }
        }
    }
}
