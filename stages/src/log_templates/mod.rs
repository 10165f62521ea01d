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
//! - `templates`: the format's version ([`SPLIT_VERSION`]), `lines` (varint), a flag byte (1 when the block ends with `\n`), the
//!   template count, then each template as its byte length and its items: `0, len,
//!   bytes` for static text, `1` for a number, `2` for a word;
//! - `ids`: a varint template id per line, ids in order of first use;
//! - `numbers`: for each template in id order, for each of its number slots, the
//!   zigzag difference of each value from its prediction: the slot's previous value
//!   (the first from 0), or in a keyed column the slot's value on the last line with
//!   the same key word (see `NumberColumn`). (Choosing raw values instead for some
//!   columns, by an entropy estimate, measured worse on every corpus log: the deltas
//!   of unrelated values still share L6's matches and L7's table with the rest.)
//! - `zeros`: in the same order, for a column with a word slot before it a byte 1
//!   when it is keyed (else 0), then each number column's leading zeros: a byte 0
//!   when no value has one, a width 2–19 when every value is written in that many
//!   digits (times, zero-padded ids), or 255 and then a byte per value;
//! - `word_refs`, `word_lens` and `words`: for each template, for each word slot,
//!   each value as a reference to one of the [`RECENT_WORDS`] most recently used
//!   distinct values of the slot's *context* (the template text just before it, see
//!   `WordContext`: the same field across templates) or, for a value not among
//!   them, its length and its bytes. A user agent, a request line, a host name comes
//!   back often, and an index into a move-to-front list is far cheaper than L6
//!   matching the bytes again;
//! - `times`: the timestamps (see [`timestamps`]), one column per form in the order
//!   of the forms' ids, each in line order whatever the template (consecutive lines
//!   are close in time, whichever message they carry), as zigzag deltas from the
//!   column's previous value (the first from 0).

pub mod layer;
mod rebuild;
pub mod timestamps;
pub mod tokens;

use std::hash::{BuildHasher, Hasher};

use crate::fast_hash::{FastBuild, FastMap, FastSet};

use crate::{varint, Error, Result, Stream, StreamKind};
pub use layer::TemplateLayer;
use rebuild::{Rebuilt, SHORT_TEXT};
use timestamps::Found;
use tokens::{fields, tokenize, Piece, Token};

/// The version of the split's format, the first byte of its `templates` stream: a
/// decoder refuses a split of a version it does not know with an error that says so.
pub const SPLIT_VERSION: u8 = 1;

/// How many streams a split has.
pub const STREAMS: usize = 8;

/// The names of a split's streams, in their order.
pub const STREAM_NAMES: [&str; STREAMS] =
    ["templates", "ids", "numbers", "zeros", "word-lens", "words", "times", "word-refs"];

/// A block split into templates and variable streams.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub templates: Vec<u8>,
    pub ids: Vec<u8>,
    pub numbers: Vec<u8>,
    pub zeros: Vec<u8>,
    pub word_lens: Vec<u8>,
    pub words: Vec<u8>,
    pub times: Vec<u8>,
    pub word_refs: Vec<u8>,
}

impl Split {
    /// Bytes in all streams.
    pub fn len(&self) -> usize {
        self.streams().iter().map(|s| s.len()).sum()
    }

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
        ]
    }

    /// The streams, in their fixed order, moved out.
    pub fn into_streams(self) -> [Vec<u8>; STREAMS] {
        [self.templates, self.ids, self.numbers, self.zeros, self.word_lens, self.words, self.times, self.word_refs]
    }

    /// The streams of [`Split::into_streams`], back in their places.
    pub fn from_streams(
        [templates, ids, numbers, zeros, word_lens, words, times, word_refs]: [Vec<u8>; STREAMS],
    ) -> Split {
        Split { templates, ids, numbers, zeros, word_lens, words, times, word_refs }
    }

    /// A block's streams once L5-L7 are undone: exactly [`STREAMS`] `bytes` streams.
    pub fn from_block_streams(streams: Vec<Stream>) -> Result<Split> {
        let count = streams.len();
        let streams: Vec<Vec<u8>> =
            streams.into_iter().filter(|s| s.kind == StreamKind::Bytes).map(|s| s.data).collect();
        match <[Vec<u8>; STREAMS]>::try_from(streams) {
            Ok(all) if count == STREAMS => Ok(Split::from_streams(all)),
            _ => Err(Error::corrupt("template split", format!("{count} streams where {STREAMS} bytes streams belong"))),
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

const PADDING_EACH: u8 = 255;

/// The widest column width the `zeros` stream can name: a number's most digits.
const MAX_WIDTH: u8 = tokens::MAX_NUMBER_DIGITS as u8;

/// Writes the leading zeros of one number column to the `zeros` stream: 0 when no
/// value has one, the width when every value is written in the same number of digits
/// (at least 2: the seconds of a time, a zero-padded id), else 255 and a byte a value.
fn write_padding(values: &[(u64, u8)], out: &mut Vec<u8>) {
    if values.iter().all(|&(_, z)| z == 0) {
        return out.push(0);
    }
    let width = |&(v, z): &(u64, u8)| tokens::decimal_len(v) + usize::from(z);
    match values.first().map(width) {
        Some(w) if w >= 2 && values.iter().all(|x| width(x) == w) => out.push(w as u8),
        _ => {
            out.push(PADDING_EACH);
            out.extend(values.iter().map(|&(_, z)| z));
        }
    }
}

/// The leading zeros of one number column, as [`write_padding`] wrote them.
enum ZeroPadding<'a> {
    None,
    Width(u8),
    Each(&'a [u8]),
}

impl<'a> ZeroPadding<'a> {
    fn read(stream: &'a [u8], pos: &mut usize, n: usize) -> Result<ZeroPadding<'a>> {
        let mode = *stream.get(*pos).ok_or(Error::Truncated { what: "leading zeros", needed: 1 })?;
        *pos += 1;
        Ok(match mode {
            0 => ZeroPadding::None,
            2..=MAX_WIDTH => ZeroPadding::Width(mode),
            PADDING_EACH => {
                let each = stream.get(*pos..*pos + n).ok_or_else(|| Error::Truncated {
                    what: "leading zeros",
                    needed: n.saturating_sub(stream.len() - *pos),
                })?;
                *pos += n;
                ZeroPadding::Each(each)
            }
            other => return Err(Error::corrupt("leading zeros", format!("column mode {other}"))),
        })
    }

    /// The bytes the `i`-th value, `value`, takes written: its digits and the zeros
    /// before them.
    fn width(&self, i: usize, value: u64) -> Result<u8> {
        let digits = tokens::decimal_len(value);
        let width = match self {
            ZeroPadding::None => digits,
            ZeroPadding::Width(w) if digits > usize::from(*w) => {
                return Err(Error::corrupt("numbers", format!("{value} is wider than its column's {w} digits")))
            }
            ZeroPadding::Width(w) => usize::from(*w),
            ZeroPadding::Each(each) => digits + usize::from(each[i]),
        };
        if width > tokens::MAX_NUMBER_DIGITS {
            let zeros = width - digits;
            return Err(Error::corrupt("numbers", format!("{value} after {zeros} zeros is too long")));
        }
        Ok(width as u8)
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// What one template collects while a block is encoded.
struct Column {
    /// Values (with their leading zeros) of each number slot, and of each word slot,
    /// in line order.
    numbers: Vec<Vec<(u64, u8)>>,
    /// By [`WordIds`] id.
    words: Vec<Vec<u32>>,
}

/// A template key as it is built: static text merged into runs, slots between them.
#[derive(Default)]
struct KeyBuilder {
    key: Vec<u8>,
    static_start: Option<usize>,
}

impl KeyBuilder {
    fn clear(&mut self) {
        self.key.clear();
        self.static_start = None;
    }

    fn text(&mut self, s: &[u8]) {
        if self.static_start.is_none() {
            // The run's length goes in this byte when the run ends (see `close_static`).
            self.key.extend_from_slice(&[ITEM_STATIC, 0]);
            self.static_start = Some(self.key.len());
        }
        // Most static pieces are a byte or two, where a call to memcpy costs more than
        // the copy.
        if s.len() <= 4 {
            s.iter().for_each(|&b| self.key.push(b));
        } else {
            self.key.extend_from_slice(s);
        }
    }

    fn slot(&mut self, item: u8) {
        close_static(&mut self.key, &mut self.static_start);
        self.key.push(item);
    }

    fn time(&mut self, format: u8) {
        self.slot(ITEM_TIME);
        self.key.push(format);
    }

    fn finish(&mut self) -> &[u8] {
        close_static(&mut self.key, &mut self.static_start);
        &self.key
    }
}

/// The shape of a field: its text with numbers and digit words as slots, hashed as
/// the tokens come (static text never holds a byte of 0x80 or above: those are word
/// bytes, so such bytes mark the slots); and whether the field is *plain*, without a
/// digit, so one piece of text that is its own shape.
fn shape(field: &[u8]) -> (u64, bool) {
    if !has_no_digit(field) {
        return (shape_of_tokens(field), false);
    }
    // What tokenizing it would give: the whole field as one piece of text.
    let mut h = FastBuild.build_hasher();
    h.write(field);
    (h.finish(), true)
}

/// [`shape`], from the field's tokens.
fn shape_of_tokens(field: &[u8]) -> u64 {
    let mut h = FastBuild.build_hasher();
    tokenize(field, |t| match t {
        Token::Static(s) => h.write(s),
        Token::Number { .. } => h.write(&[0x80 | ITEM_NUMBER]),
        Token::Word(_) => h.write(&[0x80 | ITEM_WORD]),
    });
    h.finish()
}

/// Whether `field` holds no ASCII digit, and so no number or variable word.
fn has_no_digit(field: &[u8]) -> bool {
    // Every byte is looked at (no early exit), which the compiler turns into vector
    // compares; fields are short.
    !field.iter().fold(false, |any, &b| any | b.is_ascii_digit())
}

/// The most timestamps taken from one line.
const MAX_TIMES_PER_LINE: usize = 4;

/// Finds the timestamps of lines, trying first the places and forms of the line
/// before: the lines of one log put their times in one place.
#[derive(Default)]
struct TimeFinder {
    previous: Vec<(usize, u8)>,
}

impl TimeFinder {
    fn find(&mut self, line: &[u8], out: &mut Vec<Found>) {
        let first = out.len();
        let mut end = 0;
        let all_again = !self.previous.is_empty()
            && self.previous.iter().all(|&(pos, format)| match timestamps::at_format(line, pos, format) {
                Some(f) if f.start >= end => {
                    end = f.start + f.len;
                    out.push(f);
                    true
                }
                _ => false,
            });
        if !all_again {
            out.truncate(first);
            let mut from = 0;
            while out.len() - first < MAX_TIMES_PER_LINE {
                let Some(f) = timestamps::find_from(line, from) else { break };
                from = f.start + f.len;
                out.push(f);
            }
            self.previous.clear();
            self.previous.extend(out[first..].iter().map(|f| (f.start, f.format)));
        }
    }
}

/// Calls `each` with the stretches of `line` between its timestamps `times`, in
/// line order.
fn between_times<'a>(line: &'a [u8], times: &[Found], mut each: impl FnMut(&'a [u8])) {
    let mut pos = 0;
    for t in times {
        each(&line[pos..t.start]);
        pos = t.start + t.len;
    }
    each(&line[pos..]);
}

/// The lines of `body`: what lies between its `\n` bytes, as `split` on them gives,
/// found with a vectorized search.
fn lines_of(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(body);
    std::iter::from_fn(move || {
        let text = rest?;
        match memchr::memchr(b'\n', text) {
            Some(end) => {
                rest = Some(&text[end + 1..]);
                Some(&text[..end])
            }
            None => rest.take(),
        }
    })
}

/// What the first pass over a block finds: the timestamps of every line and its
/// fields outside them (and where each line's start in those lists), and how many
/// fields have each shape.
struct Survey {
    times: Vec<Found>,
    line_times: Vec<u32>,
    fields: Vec<FieldSpan>,
    line_fields: Vec<u32>,
    counts: Vec<u32>,
    /// By a field's index in its line: whether IPv4 addresses there are coded as
    /// words (see [`address_as_word`]).
    address_words: Vec<bool>,
}

/// A field of a line: where it lies in the line, and its shape (as a number, in
/// order of the shapes' first appearance), or [`SPACED`].
struct FieldSpan {
    start: usize,
    end: usize,
    shape: u32,
    /// No digit in it: the field is one piece of template text, its own shape.
    plain: bool,
}

/// The shape of a field with a space in it: such a field is always a word.
const SPACED: u32 = u32::MAX;

/// An IPv4 address in dotted decimal: four runs of 1 to 3 digits between dots.
fn is_address(f: &[u8]) -> bool {
    let mut parts = 0;
    for part in f.split(|&b| b == b'.') {
        parts += 1;
        if parts > 4 || part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    parts == 4
}

/// Fields past this index in a line are not looked at for addresses.
const ADDRESS_FIELDS: usize = 32;

/// How often the addresses at one field index come back.
#[derive(Default)]
struct AddressStats<'a> {
    seen: FastSet<&'a [u8]>,
    count: usize,
}

/// Whether the addresses at a field index are better coded as words (a reference to
/// a recently seen address, or its text) than as four number columns: when at least
/// half of them repeat one seen before in the block. The clients of an access log
/// come back request after request, and a reference costs a byte where four deltas
/// between unrelated addresses cost four or more; forwarded addresses that never
/// repeat stay numbers, which code smaller than their text.
fn address_as_word(stats: &AddressStats<'_>) -> bool {
    stats.count >= 16 && (stats.count - stats.seen.len()) * 2 >= stats.count
}

fn survey(body: &[u8]) -> Survey {
    let mut survey = Survey {
        times: Vec::new(),
        line_times: Vec::new(),
        fields: Vec::new(),
        line_fields: Vec::new(),
        counts: Vec::new(),
        address_words: Vec::new(),
    };
    let mut finder = TimeFinder::default();
    let mut shape_ids: FastMap<u64, u32> = FastMap::default();
    let mut addresses: Vec<AddressStats<'_>> = Vec::new();
    // Each field of the line before, with its shape: a field equal to the one in its
    // place there (a level, a status, a host) is not shaped again.
    let mut before: Vec<(&[u8], u32, bool)> = Vec::new();
    for line in lines_of(body) {
        let first = survey.times.len();
        survey.line_times.push(first as u32);
        survey.line_fields.push(survey.fields.len() as u32);
        finder.find(line, &mut survey.times);
        let Survey { times, fields: spans, counts, .. } = &mut survey;
        let mut index = 0;
        between_times(line, &times[first..], |text| {
            fields(text, |f, piece| {
                if piece != Piece::Delimiter {
                    // A field with a space (a quoted one) is a word whatever its
                    // shape, so it is not shaped: a user agent has dozens of tokens.
                    let (id, plain) = match before.get(index) {
                        Some(&(same, id, plain)) if same == f => (id, plain),
                        _ if piece == Piece::Quoted && memchr::memchr(b' ', f).is_some() => (SPACED, false),
                        _ => {
                            let (hash, plain) = shape(f);
                            let id = *shape_ids.entry(hash).or_insert_with(|| {
                                counts.push(0);
                                counts.len() as u32 - 1
                            });
                            (id, plain)
                        }
                    };
                    if id != SPACED {
                        counts[id as usize] += 1;
                    }
                    match before.get_mut(index) {
                        Some(b) => *b = (f, id, plain),
                        None => before.push((f, id, plain)),
                    }
                    // `f` is a piece of `line`: its offset is the difference of their addresses.
                    let start = f.as_ptr() as usize - line.as_ptr() as usize;
                    spans.push(FieldSpan { start, end: start + f.len(), shape: id, plain });
                    if index < ADDRESS_FIELDS && is_address(f) {
                        if addresses.len() <= index {
                            addresses.resize_with(index + 1, AddressStats::default);
                        }
                        addresses[index].count += 1;
                        addresses[index].seen.insert(f);
                    }
                    index += 1;
                }
            })
        });
    }
    survey.line_times.push(survey.times.len() as u32);
    survey.line_fields.push(survey.fields.len() as u32);
    survey.address_words = addresses.iter().map(address_as_word).collect();
    survey
}

/// How a number column's values are predicted; each is stored as the zigzag
/// difference from its prediction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NumberColumn {
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
    fn deltas(self, values: &[(u64, u8)], keys: &[u32], table: &mut KeyedValues) -> Vec<u64> {
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
struct KeyedValues {
    stamps: Vec<u32>,
    values: Vec<u64>,
    column: u32,
}

impl KeyedValues {
    /// Room for `ids` word ids, and no value for any of them.
    fn start_column(&mut self, ids: usize) {
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
struct Predictor<'t> {
    previous: u64,
    table: &'t mut KeyedValues,
}

impl<'t> Predictor<'t> {
    fn new(table: &'t mut KeyedValues) -> Predictor<'t> {
        Predictor { previous: 0, table }
    }

    /// Needs `table.start_column` with room for `key` first.
    fn predict(&self, key: u32) -> u64 {
        let k = key as usize;
        if self.table.stamps[k] == self.table.column {
            self.table.values[k]
        } else {
            self.previous
        }
    }

    fn update(&mut self, key: u32, value: u64) {
        let k = key as usize;
        self.table.stamps[k] = self.table.column;
        self.table.values[k] = value;
        self.previous = value;
    }
}

/// The distinct words of a block, numbered in order of first use: equal bytes, equal
/// id, so that the lists of recent words and the keyed predictions compare and index
/// numbers rather than hash and compare bytes value after value.
#[derive(Default)]
struct WordIds<'a> {
    ids: FastMap<&'a [u8], u32>,
    words: Vec<&'a [u8]>,
}

impl<'a> WordIds<'a> {
    fn id(&mut self, w: &'a [u8]) -> u32 {
        let next = self.words.len() as u32;
        let words = &mut self.words;
        *self.ids.entry(w).or_insert_with(|| {
            words.push(w);
            next
        })
    }
}

/// About the bits the stored differences take: what decides between predictions.
fn delta_bits(stored: &[u64]) -> u64 {
    stored.iter().map(|&z| u64::from(65 - z.leading_zeros())).sum()
}

/// For each number slot of a template, the index of the nearest word slot before
/// it, which can key its predictions.
fn number_keys(items: &[Item]) -> Vec<Option<usize>> {
    let mut keys = Vec::new();
    let mut word = None;
    for item in items {
        match item {
            Item::Word => word = Some(word.map_or(0, |w| w + 1)),
            Item::Number => keys.push(word),
            Item::Static(_) | Item::Time(_) => {}
        }
    }
    keys
}

/// How many distinct recent values of a word slot a value can refer to; the decoder
/// keeps the same list, so this is part of the format.
pub const RECENT_WORDS: usize = 256;

/// What a word slot shares its list of recent words by: the (up to) four bytes of
/// template text before it and how many there are, or the kind of slot before it.
/// The same field of different templates (the user agent of an access log line,
/// whichever referrer made its template) has the same context, so a value seen in
/// one template is a reference in the next.
type WordContext = [u8; 5];

fn word_contexts(key: &[u8], items: &[Item]) -> Vec<WordContext> {
    let mut contexts = Vec::new();
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
    contexts
}

/// Where `id` is in `list`, looked for 16 entries at a time with a test of all 16
/// that the compiler turns into vector compares (a search that stops at the first
/// match does not vectorize, and a word missing from a full list costs 256 steps).
fn rank_of(list: &[u32], id: u32) -> Option<usize> {
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
struct RecentWords {
    list: Vec<u32>,
}

impl RecentWords {
    /// The rank of word `id` in the list, if there, and the word moved (or put) to
    /// the front; `seen` is false when the word has never been in any list.
    fn find(&mut self, id: u32, seen: bool) -> Option<usize> {
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

/// A field whose shape fewer than one line in this many has (and fewer than two) is
/// stored whole as a variable word: a path, a user agent, a query would otherwise make
/// a template of nearly every line.
const RARE_SHAPE_LINES: usize = 100;

/// Splits `block` into templates and variable streams.
pub fn split(block: &[u8]) -> Split {
    let (body, ends_with_newline) = match block.strip_suffix(b"\n") {
        Some(body) => (body, true),
        None => (block, false),
    };
    let mut out = Split::default();
    // Template keys, by first use; the dictionary stream is written as they come.
    let mut ids: FastMap<Vec<u8>, u32> = FastMap::default();
    let mut dictionary = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut word_ids = WordIds::default();
    let mut numbers = Vec::new();
    let mut words = Vec::new();
    let Survey { times, line_times, fields: spans, line_fields, counts, address_words } = survey(body);
    let mut time_columns: Vec<Vec<i64>> = vec![Vec::new(); timestamps::FORMAT_COUNT];
    let newlines = line_times.len() - 2;
    let common = (newlines / RARE_SHAPE_LINES).max(2) as u32;
    let mut builder = KeyBuilder::default();
    let mut lines = 0u64;
    for (line_index, line) in lines_of(body).enumerate() {
        lines += 1;
        builder.clear();
        numbers.clear();
        words.clear();
        let line_times = &times[line_times[line_index] as usize..line_times[line_index + 1] as usize];
        let line_spans = &spans[line_fields[line_index] as usize..line_fields[line_index + 1] as usize];
        // The line as the first pass saw it: its timestamps and fields in order, and
        // the static text between them.
        let mut pos = 0;
        let mut line_times = line_times.iter().peekable();
        let static_to = |builder: &mut KeyBuilder, pos: &mut usize, end: usize| {
            if *pos < end {
                builder.text(&line[*pos..end]);
            }
            *pos = end;
        };
        let mut time = |builder: &mut KeyBuilder, pos: &mut usize, t: &Found| {
            static_to(builder, pos, t.start);
            builder.time(t.format);
            time_columns[usize::from(t.format)].push(t.value);
            *pos = t.start + t.len;
        };
        for (index, span) in line_spans.iter().enumerate() {
            while let Some(t) = line_times.next_if(|t| t.start < span.start) {
                time(&mut builder, &mut pos, t);
            }
            static_to(&mut builder, &mut pos, span.start);
            pos = span.end;
            let f = &line[span.start..span.end];
            let address_word = address_words.get(index).copied().unwrap_or(false) && is_address(f);
            if address_word || span.shape == SPACED || counts[span.shape as usize] < common {
                // A field with a space is a quoted string (a request line, a user
                // agent): kept whole as a word, or every combination of them with
                // the rest of the line would be a template of its own.
                builder.slot(ITEM_WORD);
                words.push(word_ids.id(f));
            } else if span.plain {
                builder.text(f);
            } else {
                tokenize(f, |t| match t {
                    Token::Static(s) => builder.text(s),
                    Token::Number { value, zeros } => {
                        builder.slot(ITEM_NUMBER);
                        numbers.push((value, zeros));
                    }
                    Token::Word(w) => {
                        builder.slot(ITEM_WORD);
                        words.push(word_ids.id(w));
                    }
                });
            }
        }
        for t in line_times {
            time(&mut builder, &mut pos, t);
        }
        static_to(&mut builder, &mut pos, line.len());
        let key = builder.finish();
        let id = match ids.get(key) {
            Some(&id) => id,
            None => {
                let id = columns.len() as u32;
                ids.insert(key.to_vec(), id);
                varint::put(&mut dictionary, key.len() as u64);
                dictionary.extend_from_slice(key);
                columns.push(Column { numbers: vec![Vec::new(); numbers.len()], words: vec![Vec::new(); words.len()] });
                id
            }
        };
        varint::put(&mut out.ids, u64::from(id));
        let column = &mut columns[id as usize];
        for (slot, &v) in column.numbers.iter_mut().zip(&numbers) {
            slot.push(v);
        }
        for (slot, &w) in column.words.iter_mut().zip(&words) {
            slot.push(w);
        }
    }
    out.templates.push(SPLIT_VERSION);
    varint::put(&mut out.templates, lines);
    out.templates.push(u8::from(ends_with_newline));
    varint::put(&mut out.templates, columns.len() as u64);
    out.templates.extend_from_slice(&dictionary);
    let mut recent: FastMap<WordContext, RecentWords> = FastMap::default();
    // Whether each word has been in any list yet: one that has not is new to its list
    // too, without a look through it (most words of a free-text block are new).
    let mut listed = vec![false; word_ids.words.len()];
    let mut keyed = KeyedValues::default();
    // The templates as the decoder reads them: contexts and keys come from one place.
    let written = Dictionary::read(&out.templates, usize::MAX).expect("the templates this split wrote");
    for (column, (key, items)) in columns.iter().zip(&written.templates) {
        let contexts = word_contexts(key, items);
        for (values, key_slot) in column.numbers.iter().zip(number_keys(items)) {
            let plain = NumberColumn::Plain.deltas(values, &[], &mut keyed);
            let stored = match key_slot {
                None => plain,
                Some(k) => {
                    keyed.start_column(word_ids.words.len());
                    let keyed = NumberColumn::Keyed.deltas(values, &column.words[k], &mut keyed);
                    let take = delta_bits(&keyed) * 10 < delta_bits(&plain) * 9;
                    out.zeros.push(u8::from(take));
                    if take {
                        keyed
                    } else {
                        plain
                    }
                }
            };
            for z in stored {
                varint::put(&mut out.numbers, z);
            }
            write_padding(values, &mut out.zeros);
        }
        for (values, context) in column.words.iter().zip(contexts) {
            let recent = recent.entry(context).or_default();
            for &id in values {
                let seen = std::mem::replace(&mut listed[id as usize], true);
                match recent.find(id, seen) {
                    Some(rank) => varint::put(&mut out.word_refs, rank as u64 + 1),
                    None => {
                        let w = word_ids.words[id as usize];
                        out.word_refs.push(0);
                        varint::put(&mut out.word_lens, w.len() as u64);
                        out.words.extend_from_slice(w);
                    }
                }
            }
        }
    }
    for column in &time_columns {
        let mut previous = 0i64;
        for &v in column {
            varint::put(&mut out.times, zigzag(v.wrapping_sub(previous)));
            previous = v;
        }
    }
    out
}

/// Static text is written into the key as it comes, after a byte kept for its
/// length; when the run ends the length goes there, or, for a run of 128 bytes or
/// more whose varint is longer, replaces it.
fn close_static(key: &mut Vec<u8>, start: &mut Option<usize>) {
    if let Some(s) = start.take() {
        let len = key.len() - s;
        if len < 0x80 {
            key[s - 1] = len as u8;
        } else {
            let mut varint = Vec::with_capacity(4);
            varint::put(&mut varint, len as u64);
            key.splice(s - 1..s, varint);
        }
    }
}

fn parse_template(key: &[u8]) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    let mut pos = 0;
    while pos < key.len() {
        let tag = key[pos];
        pos += 1;
        match tag {
            ITEM_STATIC => {
                let len = varint::get_capped(key, &mut pos, key.len() as u64, "template text")? as usize;
                if len > key.len() - pos {
                    return Err(Error::Truncated { what: "template text", needed: len - (key.len() - pos) });
                }
                items.push(Item::Static(pos..pos + len));
                pos += len;
            }
            ITEM_NUMBER => items.push(Item::Number),
            ITEM_WORD => items.push(Item::Word),
            ITEM_TIME => {
                let format = *key.get(pos).ok_or(Error::Truncated { what: "timestamp form", needed: 1 })?;
                if usize::from(format) >= timestamps::FORMAT_COUNT {
                    return Err(Error::corrupt("template", format!("timestamp form {format}")));
                }
                items.push(Item::Time(format));
                pos += 1;
            }
            other => return Err(Error::corrupt("template", format!("item tag {other}"))),
        }
    }
    Ok(items)
}

/// The `templates` stream, read.
struct Dictionary<'a> {
    lines: usize,
    ends_with_newline: bool,
    /// Each template's key and its items.
    templates: Vec<(&'a [u8], Vec<Item>)>,
}

impl<'a> Dictionary<'a> {
    /// Reads the stream; at most `max_lines` lines, and no more templates than lines
    /// or than the stream has bytes, both checked before anything is allocated.
    fn read(t: &'a [u8], max_lines: usize) -> Result<Dictionary<'a>> {
        match t.first() {
            Some(&SPLIT_VERSION) => {}
            Some(&other) => return Err(Error::Unsupported { what: "log template split version", value: other.into() }),
            None => return Err(Error::Truncated { what: "templates", needed: 1 }),
        }
        let mut pos = 1;
        let lines = varint::get_capped(t, &mut pos, max_lines as u64, "line count")? as usize;
        let ends_with_newline = match t.get(pos) {
            Some(0) => false,
            Some(1) => true,
            Some(other) => return Err(Error::corrupt("templates", format!("newline flag {other}"))),
            None => return Err(Error::Truncated { what: "templates", needed: 1 }),
        };
        pos += 1;
        let count = varint::get_capped(t, &mut pos, lines.min(t.len()) as u64, "template count")? as usize;
        let mut templates = Vec::with_capacity(count);
        for _ in 0..count {
            let len = varint::get_capped(t, &mut pos, t.len() as u64, "template")? as usize;
            if len > t.len() - pos {
                return Err(Error::Truncated { what: "template", needed: len - (t.len() - pos) });
            }
            let key = &t[pos..pos + len];
            templates.push((key, parse_template(key)?));
            pos += len;
        }
        if pos != t.len() {
            return Err(Error::corrupt("templates", format!("{} bytes after the last template", t.len() - pos)));
        }
        Ok(Dictionary { lines, ends_with_newline, templates })
    }
}

/// A word as the decoder has it: its bytes and its [`WordIds`] id.
type DecodedWord<'a> = (&'a [u8], u32);

/// The values of `rows` rows of `slots` each, when the bytes `left` of their stream
/// can hold them (each value took at least a byte); else the frame is cut short.
fn rows_within(rows: usize, slots: usize, left: &[u8], what: &'static str) -> Result<usize> {
    match rows.saturating_mul(slots) {
        count if count <= left.len() => Ok(count),
        count => Err(Error::Truncated { what, needed: count - left.len() }),
    }
}

/// A piece of a line as the decoder rebuilds it: template text (perhaps none), then
/// a slot's value.
struct Step {
    text: std::ops::Range<usize>,
    slot: Slot,
}

#[derive(Clone, Copy)]
enum Slot {
    Nothing,
    Number,
    Word,
    Time(u8),
}

/// Where a template's rows of values start in the decoder's arrays, and how many
/// values of each kind a row holds.
struct Rows {
    numbers: usize,
    number_slots: usize,
    words: usize,
    word_slots: usize,
}

/// Rebuilds the block of `original_len` bytes from its streams; every count is checked
/// against what the streams can hold before anything is allocated for it.
pub fn join(split: &Split, original_len: usize) -> Result<Vec<u8>> {
    let Dictionary { lines, ends_with_newline, templates } = Dictionary::read(&split.templates, original_len + 1)?;
    let count = templates.len();

    // Each id takes at least a byte.
    if lines > split.ids.len() {
        return Err(Error::Truncated { what: "template ids", needed: lines - split.ids.len() });
    }
    let mut ids = Vec::with_capacity(lines);
    let mut uses = vec![0usize; count];
    let mut pos = 0;
    for _ in 0..lines {
        let id = varint::get(&split.ids, &mut pos)?;
        let id = usize::try_from(id)
            .ok()
            .filter(|&i| i < count)
            .ok_or_else(|| Error::corrupt("template ids", format!("id {id} of {count} templates")))?;
        uses[id] += 1;
        ids.push(id);
    }
    if pos != split.ids.len() {
        return Err(Error::corrupt("template ids", "bytes after the last line's id"));
    }

    // Columns, in the order the encoder wrote them.
    let (mut npos, mut zpos, mut lpos, mut wpos, mut rpos) = (0, 0, 0, 0, 0);
    // Words with their ids, as the encoder numbered them: a new word (not referred
    // to) is looked up once, and a reference carries its id along.
    let mut recent: FastMap<WordContext, std::collections::VecDeque<DecodedWord<'_>>> = FastMap::default();
    let mut word_ids = WordIds::default();
    let mut keyed = KeyedValues::default();
    // Every template's values as a matrix, a row per line that uses it, in one array
    // per kind: the streams hold them column after column, but the lines read them
    // row after row, and a row's values side by side are one cache line where a
    // column apart they were a dozen misses a line.
    let mut numbers: Vec<u64> = Vec::new();
    let mut number_widths: Vec<u8> = Vec::new();
    let mut words: Vec<DecodedWord<'_>> = Vec::new();
    let mut rows = Vec::with_capacity(count);
    for ((key, items), &n) in templates.iter().zip(&uses) {
        let contexts = word_contexts(key, items);
        let word_slots = contexts.len();
        let word_base = words.len();
        words.resize(word_base + rows_within(n, word_slots, &split.word_refs[rpos..], "word references")?, (&[], 0));
        for (slot, context) in contexts.into_iter().enumerate() {
            let recent = recent.entry(context).or_default();
            for row in 0..n {
                let reference = varint::get_capped(&split.word_refs, &mut rpos, RECENT_WORDS as u64, "word reference")?;
                let value = if reference == 0 {
                    let len =
                        varint::get_capped(&split.word_lens, &mut lpos, (split.words.len() - wpos) as u64, "word")?
                            as usize;
                    let value = &split.words[wpos..wpos + len];
                    wpos += len;
                    if recent.len() == RECENT_WORDS {
                        recent.pop_back();
                    }
                    (value, word_ids.id(value))
                } else {
                    recent.remove(reference as usize - 1).ok_or_else(|| {
                        Error::corrupt("word references", format!("{reference} of {} recent words", recent.len()))
                    })?
                };
                recent.push_front(value);
                words[word_base + row * word_slots + slot] = value;
            }
        }
        // Numbers after words: a keyed column's predictions need its key's words.
        let keys = number_keys(items);
        let number_slots = keys.len();
        let number_base = numbers.len();
        let count = rows_within(n, number_slots, &split.numbers[npos..], "numbers")?;
        numbers.resize(number_base + count, 0);
        number_widths.resize(number_base + count, 0);
        for (slot, key_slot) in keys.into_iter().enumerate() {
            let prediction = match key_slot {
                None => NumberColumn::Plain,
                Some(_) => match split.zeros.get(zpos) {
                    Some(0) => NumberColumn::Plain,
                    Some(1) => NumberColumn::Keyed,
                    Some(other) => return Err(Error::corrupt("number columns", format!("prediction {other}"))),
                    None => return Err(Error::Truncated { what: "number columns", needed: 1 }),
                },
            };
            zpos += usize::from(key_slot.is_some());
            let key_slot = key_slot.filter(|_| prediction == NumberColumn::Keyed);
            let padding = ZeroPadding::read(&split.zeros, &mut zpos, n)?;
            keyed.start_column(word_ids.words.len());
            let mut predictor = Predictor::new(&mut keyed);
            for row in 0..n {
                let delta = unzigzag(varint::get(&split.numbers, &mut npos)?) as u64;
                let value = match key_slot {
                    None => {
                        predictor.previous = predictor.previous.wrapping_add(delta);
                        predictor.previous
                    }
                    Some(k) => {
                        let key = words[word_base + row * word_slots + k].1;
                        let value = predictor.predict(key).wrapping_add(delta);
                        predictor.update(key, value);
                        value
                    }
                };
                numbers[number_base + row * number_slots + slot] = value;
                number_widths[number_base + row * number_slots + slot] = padding.width(row, value)?;
            }
        }
        rows.push(Rows { numbers: number_base, number_slots, words: word_base, word_slots });
    }
    // Timestamps: a column per form, each value in line order.
    let mut time_counts = vec![0usize; timestamps::FORMAT_COUNT];
    for ((_, items), &n) in templates.iter().zip(&uses) {
        for item in items {
            if let Item::Time(f) = item {
                time_counts[usize::from(*f)] += n;
            }
        }
    }
    let mut tpos = 0;
    let mut time_columns = Vec::with_capacity(timestamps::FORMAT_COUNT);
    for &n in &time_counts {
        // Each value takes at least a byte.
        if n > split.times.len() - tpos {
            return Err(Error::Truncated { what: "timestamps", needed: n - (split.times.len() - tpos) });
        }
        let mut previous = 0i64;
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            previous = previous.wrapping_add(unzigzag(varint::get(&split.times, &mut tpos)?));
            values.push(previous);
        }
        time_columns.push(values.into_iter());
    }
    if npos != split.numbers.len()
        || tpos != split.times.len()
        || zpos != split.zeros.len()
        || lpos != split.word_lens.len()
        || rpos != split.word_refs.len()
        || wpos != split.words.len()
    {
        return Err(Error::corrupt("variables", "bytes left after the last value"));
    }

    // The templates' text in one array with room after it (see `Rebuilt::put_text`),
    // and each template as steps of text and the slot after it: one branch on the
    // kind of slot per step, where items were one for the text and one for the slot.
    let mut text = Vec::with_capacity(split.templates.len() + SHORT_TEXT);
    let mut steps = Vec::new();
    let mut template_steps = Vec::with_capacity(count);
    for (key, items) in &templates {
        let (base, first) = (text.len(), steps.len());
        text.extend_from_slice(key);
        let mut pending = base..base;
        for item in items {
            let slot = match item {
                Item::Static(range) => {
                    if !pending.is_empty() {
                        steps.push(Step { text: pending, slot: Slot::Nothing });
                    }
                    pending = base + range.start..base + range.end;
                    continue;
                }
                Item::Number => Slot::Number,
                Item::Word => Slot::Word,
                Item::Time(f) => Slot::Time(*f),
            };
            steps.push(Step { text: std::mem::replace(&mut pending, base..base), slot });
        }
        if !pending.is_empty() {
            steps.push(Step { text: pending, slot: Slot::Nothing });
        }
        template_steps.push(first..steps.len());
    }
    text.resize(text.len() + SHORT_TEXT, 0);
    let mut out = Rebuilt::new(original_len);
    let mut cursor = vec![0usize; count];
    let mut last_times: Vec<Option<(i64, std::ops::Range<usize>)>> = vec![None; timestamps::FORMAT_COUNT];
    let (mut rendered, mut calendar) = ([0; timestamps::TIME_ROOM], timestamps::Calendar::default());
    for (i, &id) in ids.iter().enumerate() {
        let row = cursor[id];
        cursor[id] += 1;
        let at = &rows[id];
        let (mut number, mut word) = (at.numbers + row * at.number_slots, at.words + row * at.word_slots);
        for step in &steps[template_steps[id].clone()] {
            out.put_text(&text, step.text.clone())?;
            match step.slot {
                Slot::Nothing => {}
                Slot::Number => {
                    out.put_number(numbers[number], usize::from(number_widths[number]))?;
                    number += 1;
                }
                Slot::Word => {
                    out.put(words[word].0)?;
                    word += 1;
                }
                Slot::Time(f) => {
                    let value = time_columns[usize::from(f)].next().expect("counted from the same templates");
                    // Lines a second apart or less often carry the same time: its text
                    // is copied from where it was last written.
                    match &last_times[usize::from(f)] {
                        Some((last, text)) if *last == value => out.repeat(text.clone())?,
                        _ => {
                            let len = timestamps::render_into(f, value, &mut calendar, &mut rendered)?;
                            let start = out.len();
                            out.put(&rendered[..len])?;
                            last_times[usize::from(f)] = Some((value, start..out.len()));
                        }
                    }
                }
            }
        }
        if i + 1 < lines || ends_with_newline {
            out.put(b"\n")?;
        }
    }
    if out.len() != original_len {
        return Err(Error::corrupt("block", format!("rebuilt {} bytes, expected {original_len}", out.len())));
    }
    Ok(out.into_bytes())
}

/// What a split holds, for `cobolp info`: its line count and its templates, each as
/// text (`<n>` for a number, `<w>` for a variable word; other bytes that are not
/// printable ASCII as `\xNN`) with the number of lines that use it, most used first.
pub fn describe(split: &Split) -> Result<(usize, Vec<(String, usize)>)> {
    let dictionary = Dictionary::read(&split.templates, usize::MAX)?;
    let mut templates: Vec<(String, usize)> = dictionary
        .templates
        .iter()
        .map(|(key, items)| {
            let mut text = String::new();
            for item in items {
                match item {
                    Item::Static(r) => {
                        for &b in &key[r.clone()] {
                            match b {
                                b' '..=b'~' => text.push(b as char),
                                _ => text.push_str(&format!("\\x{b:02x}")),
                            }
                        }
                    }
                    Item::Number => text.push_str("<n>"),
                    Item::Word => text.push_str("<w>"),
                    Item::Time(f) => text.push_str(&format!("<{}>", timestamps::format_spec(*f))),
                }
            }
            (text, 0)
        })
        .collect();
    let mut ipos = 0;
    while ipos < split.ids.len() {
        let id = varint::get(&split.ids, &mut ipos)? as usize;
        if let Some(t) = templates.get_mut(id) {
            t.1 += 1;
        }
    }
    templates.sort_by_key(|t| std::cmp::Reverse(t.1));
    Ok((dictionary.lines, templates))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(block: &[u8]) -> Split {
        let s = split(block);
        assert_eq!(join(&s, block.len()).unwrap(), block);
        s
    }

    #[test]
    fn describe_lists_templates_most_used_first() {
        let s = split(b"a=1\na=2\na=3\n\x01 q\n\x01 q\nrare\n");
        let (lines, templates) = describe(&s).unwrap();
        assert_eq!(lines, 6);
        assert_eq!(templates[0], ("a=<n>".to_string(), 3));
        assert_eq!(templates[1], ("\\x01 q".to_string(), 2));
        assert_eq!(templates[2], ("<w>".to_string(), 1), "a word on one line only is a variable");
    }

    #[test]
    fn edges() {
        for block in [&b""[..], b"\n", b"\n\n", b"a", b"a\n", b"a\nb", b"\r\n\r\n", b"x\0y\n\xff\xfe", b"007 0 00"] {
            round_trip(block);
        }
    }

    #[test]
    fn log_lines_share_templates_and_numbers_become_deltas() {
        let block: Vec<u8> = (0..1000)
            .flat_map(|i| {
                format!("2026-11-30 10:{:02}:{:02} worker-{} id={} done\n", i / 60 % 60, i % 60, i % 4, 5000 + i)
                    .into_bytes()
            })
            .collect();
        let s = round_trip(&block);
        assert!(s.templates.len() < 100, "one template: {} bytes", s.templates.len());
        assert!(s.numbers.len() < 1000 * 10, "{} bytes of numbers", s.numbers.len());
        assert!(s.words.is_empty());
    }

    #[test]
    fn damaged_streams_are_errors_not_panics() {
        let block = b"a=1 b=x2\nc=3\na=4 b=y5\n".repeat(3);
        let s = split(&block);
        for stream in 0..STREAMS {
            for cut in 0..s.streams()[stream].len() {
                let mut bad = s.clone();
                let target = match stream {
                    0 => &mut bad.templates,
                    1 => &mut bad.ids,
                    2 => &mut bad.numbers,
                    3 => &mut bad.zeros,
                    4 => &mut bad.word_lens,
                    5 => &mut bad.words,
                    6 => &mut bad.times,
                    _ => &mut bad.word_refs,
                };
                target.truncate(cut);
                assert!(join(&bad, block.len()).is_err(), "stream {stream} cut at {cut}");
            }
        }
        for i in 0..s.templates.len() {
            let mut bad = s.clone();
            bad.templates[i] ^= 0x55;
            if let Ok(out) = join(&bad, block.len()) {
                assert_eq!(out.len(), block.len());
            }
        }
    }

    #[test]
    fn timestamps_become_one_column_in_line_order() {
        // Two templates alternating: per-template columns would see gaps of two
        // seconds, the line-order column sees one.
        let block: Vec<u8> = (0..1000)
            .flat_map(|i| {
                let kind = if i % 2 == 0 { "open" } else { "close" };
                format!("2026-11-30 10:{:02}:{:02},{:03} {kind} file\n", i / 60 % 60, i % 60, i * 7 % 1000).into_bytes()
            })
            .collect();
        let s = round_trip(&block);
        assert!(s.numbers.is_empty(), "{} bytes of numbers", s.numbers.len());
        assert!(s.times.len() < 1000 * 3, "{} bytes of times", s.times.len());
        let (_, templates) = describe(&s).unwrap();
        assert_eq!(templates[0].0, "<%Y-%m-%d %H:%M:%S,%3> open file");
        // A line whose time moves, or lacks one, or holds a second one.
        round_trip(b"Dec 10 06:55:46 a\n[x] Dec 10 06:55:47 b\nno time\nJan  1 00:00:00 Jan  2 00:00:00 c\n");
    }

    #[test]
    fn addresses_that_come_back_are_words_and_others_numbers() {
        assert!(is_address(b"10.0.255.1"));
        for not in [&b"10.0.1"[..], b"10.0.1.2.3", b"1000.1.1.1", b"10..1.1", b"a.b.c.d", b""] {
            assert!(!is_address(not), "{}", String::from_utf8_lossy(not));
        }
        let block: Vec<u8> = (0..2000u32)
            .flat_map(|i| {
                let client = i * 7 % 13;
                let forwarded = i.wrapping_mul(2_654_435_761);
                format!("10.1.0.{client} GET /a {} 200\n", std::net::Ipv4Addr::from(forwarded)).into_bytes()
            })
            .collect();
        let s = round_trip(&block);
        let (_, templates) = describe(&s).unwrap();
        assert_eq!(templates[0].0, "<w> GET /a <n>.<n>.<n>.<n> <n>", "clients repeat, forwarded do not");
    }

    #[test]
    fn nineteen_digit_numbers_are_numbers_and_their_width_comes_back() {
        // HDFS block ids: 19 digits, all the same width, some with a leading zero.
        let block: Vec<u8> = (0..500u64)
            .flat_map(|i| {
                let id = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 9_000_000_000_000_000_000) + 10u64.pow(18) * (i % 2);
                format!("block blk_{id:019} done\n").into_bytes()
            })
            .collect();
        let s = round_trip(&block);
        assert_eq!(describe(&s).unwrap().1[0].0, "block blk_<n> done");
        round_trip(b"x 9999999999999999999\nx 0000000000000000001\nx 1\n");
    }

    #[test]
    fn a_keyed_column_sees_no_value_of_the_column_before_even_when_stamps_wrap() {
        let mut table = KeyedValues { column: u32::MAX - 1, ..KeyedValues::default() };
        for _ in 0..3 {
            table.start_column(4);
            let mut predictor = Predictor::new(&mut table);
            assert_eq!(predictor.predict(2), 0, "no value for word 2 in a new column");
            predictor.update(2, 77);
            assert_eq!(predictor.predict(2), 77);
            assert_eq!(predictor.predict(3), 77, "an unseen word takes the previous value");
        }
        assert_eq!(table.column, 2, "the stamps started again after the last one");
    }

    #[test]
    fn numbers_that_follow_a_word_are_predicted_from_it() {
        // Each path has its own size; paths come in no order.
        let paths = ["\"GET /a.png HTTP/1.1\"", "\"GET /b.css HTTP/1.1\"", "\"GET /c.js HTTP/1.1\""];
        let sizes = [48_213u64, 913, 120_557];
        let block: Vec<u8> = (0..3000usize)
            .flat_map(|i| {
                let p = i * 7 % 11 % 3;
                format!("x {} 200 {}\n", paths[p], sizes[p]).into_bytes()
            })
            .collect();
        let s = round_trip(&block);
        let template = &describe(&s).unwrap().1[0].0;
        assert_eq!(template, "x \"<w>\" <n> <n>");
        // Per column: prediction (0 plain, 1 keyed), then leading zeros (none).
        assert_eq!(s.zeros, [0, 0, 1, 0], "a constant status stays plain, the size is keyed");
        assert!(s.numbers.len() < 3000 * 2 + 20, "{} bytes of numbers: sizes predicted", s.numbers.len());
        assert_eq!(
            number_keys(&parse_template(b"\x02\x01\x00\x01 \x01\x02\x01").unwrap()),
            [Some(0), Some(0), Some(1)]
        );
        assert_eq!(number_keys(&parse_template(b"\x01\x02").unwrap()), [None]);
    }

    #[test]
    fn repeated_words_are_stored_once_and_referred_to() {
        let agents = ["\"Mozilla/5.0 (X11; Linux)\"", "\"curl agent/8.4\"", "\"Googlebot/2.1 (+http://g.co/bot)\""];
        let block: Vec<u8> = (0..3000)
            .flat_map(|i| format!("GET /x {} {}\n", agents[i * 7 % 11 % 3], 200 + i % 2).into_bytes())
            .collect();
        let s = round_trip(&block);
        let once: usize = agents.iter().map(|a| a.len() - 2).sum();
        assert_eq!(s.words.len(), once, "each agent's bytes once");
        assert_eq!(s.word_refs.len(), 3000);
        // More distinct values than the list holds: old ones come back as new.
        let block: Vec<u8> =
            (0..3 * RECENT_WORDS).flat_map(|i| format!("user u{}x\n", i % (RECENT_WORDS + 7)).into_bytes()).collect();
        round_trip(&block);
    }

    proptest! {
        #[test]
        fn timestamped_lines_round_trip(lines in prop::collection::vec(
            "(20[0-9]{2}-[01][0-9]-[0-3][0-9][ T][0-2][0-9]:[0-5][0-9]:[0-6][0-9][,.][0-9]{3}|[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-9]{2}|1[0-9]{9}|[01][0-9]-[0-3][0-9] [0-9:.]{12})( [a-z]{0,5} [0-9]{0,3})?",
            0..40,
        )) {
            let block = lines.join("\n").into_bytes();
            let s = split(&block);
            prop_assert_eq!(join(&s, block.len()).unwrap(), block);
        }

        /// The survey's shape of every field is the field's own: a field with a space is
        /// spaced, the others share a shape number exactly when they share a shape, and
        /// each count is how many fields have that shape (fields repeated from the line
        /// before are not shaped again, and must not come out otherwise).
        #[test]
        fn survey_shapes_are_the_fields_shapes(lines in prop::collection::vec(
            prop::collection::vec(prop::sample::select(vec!["a1", "a2", "b", "7", "x y", "\"q 1\"", "-", "12.5", "a1"]), 0..6),
            0..30,
        )) {
            let block = lines.iter().map(|l| l.join(" ")).collect::<Vec<_>>().join("\n").into_bytes();
            let found = survey(&block);
            let mut by_shape: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
            let mut by_id: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
            let mut counts = vec![0u32; found.counts.len()];
            for (line, l) in lines_of(&block).enumerate() {
                for span in &found.fields[found.line_fields[line] as usize..found.line_fields[line + 1] as usize] {
                    let f = &l[span.start..span.end];
                    if f.contains(&b' ') {
                        prop_assert_eq!(span.shape, SPACED);
                        continue;
                    }
                    prop_assert_eq!(span.plain, !f.iter().any(u8::is_ascii_digit));
                    let hash = shape(f).0;
                    prop_assert_eq!(*by_shape.entry(hash).or_insert(span.shape), span.shape);
                    prop_assert_eq!(*by_id.entry(span.shape).or_insert(hash), hash);
                    counts[span.shape as usize] += 1;
                }
            }
            prop_assert_eq!(counts, found.counts);
        }

        #[test]
        fn a_field_without_digits_has_the_shape_its_tokens_give(field in prop::collection::vec(any::<u8>(), 1..40)) {
            prop_assert_eq!(shape(&field).0, shape_of_tokens(&field));
        }

        #[test]
        fn rank_of_finds_what_position_finds(list in prop::collection::vec(0u32..40, 0..300), id in 0u32..40) {
            prop_assert_eq!(rank_of(&list, id), list.iter().position(|&r| r == id));
        }

        #[test]
        fn lines_are_the_pieces_between_line_ends(block in prop::collection::vec(prop::sample::select(b"ab\n".to_vec()), 0..40)) {
            let expected: Vec<&[u8]> = block.split(|&b| b == b'\n').collect();
            prop_assert_eq!(lines_of(&block).collect::<Vec<_>>(), expected);
        }

        #[test]
        fn any_bytes_round_trip(block in prop::collection::vec(any::<u8>(), 0..2000)) {
            let s = split(&block);
            prop_assert_eq!(join(&s, block.len()).unwrap(), block);
        }

        #[test]
        fn log_like_lines_round_trip(lines in prop::collection::vec("[a-z]{0,6}[ =:.-]?[0-9]{0,20}[ /]?[a-f0-9]{0,8}\r?", 0..60), newline in any::<bool>()) {
            let mut block = lines.join("\n").into_bytes();
            if newline { block.push(b'\n'); }
            let s = split(&block);
            prop_assert_eq!(join(&s, block.len()).unwrap(), block);
        }

        #[test]
        fn garbage_streams_never_panic(
            t in prop::collection::vec(any::<u8>(), 0..40),
            i in prop::collection::vec(any::<u8>(), 0..20),
            n in prop::collection::vec(any::<u8>(), 0..40),
            len in 0usize..200,
        ) {
            // Past the version byte, or every case would stop there.
            let templates = [&[SPLIT_VERSION][..], &t].concat();
            let s = Split { templates, ids: i, numbers: n, zeros: vec![255; 8], word_lens: vec![], words: vec![], times: vec![], word_refs: vec![] };
            let _ = join(&s, len);
            let _ = describe(&s);
        }
    }

    #[test]
    fn a_dictionary_claiming_huge_counts_is_refused_before_allocating() {
        let mut templates = vec![SPLIT_VERSION];
        varint::put(&mut templates, u64::MAX >> 1); // lines
        templates.push(0);
        varint::put(&mut templates, u64::MAX >> 2); // templates
        let s = Split { templates, ..Split::default() };
        assert!(matches!(describe(&s), Err(Error::TooLarge { what: "template count", .. })));
        assert!(matches!(join(&s, 100), Err(Error::TooLarge { what: "line count", .. })));
    }

    #[test]
    fn a_split_of_another_version_is_refused_as_such() {
        let block = b"a=1\na=2\n";
        let mut s = split(block);
        assert_eq!(s.templates[0], SPLIT_VERSION);
        s.templates[0] = SPLIT_VERSION + 1;
        let err = join(&s, block.len()).unwrap_err();
        assert!(matches!(err, Error::Unsupported { what: "log template split version", value: 2 }), "{err}");
    }
}
