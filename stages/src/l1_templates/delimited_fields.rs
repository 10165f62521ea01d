//! The fields of a delimited line (CSV, TSV, and the like): what lies between two
//! separators is one value, quoted as RFC 4180 quotes it, whatever its shape.
//!
//! Cut as free text, a CSV line's plain values (`GET`, `-`, a path without digits)
//! would be template text, and each combination of them a template. Here each value
//! is a field of its own, as a JSON string value is (see `json_fields`), so it
//! becomes a column; a value with spaces is one word in a column whose such values
//! come back, and cut as text in one where most are new ([`text_columns`]).
//!
//! A block is read as delimited when the lines of its start agree on a separator
//! count ([`separator_of`]): a rule of the format (every record has as many fields
//! as the header), not of any file. Nothing has to be well-formed: the cut only
//! chooses which bytes become fields, and any line comes back.

use super::json_fields::{quoted_value, request_line};
use super::line_cut::SpacedValues;
use super::tokens::{fields, Piece};

/// The separators a block is tried for, most common first.
const SEPARATORS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Lines looked at to find the separator.
const SAMPLE_LINES: usize = 64;

/// Whether the lines of a block's start agree on one separator: at least eight
/// lines, and nine in ten of them with the same count of it (two or more) outside
/// quotes, a separator followed by a space not counted (`a, b` is prose, `a,b` a
/// record). The separator agreed on with the most fields wins.
pub(super) fn separator_of<'a>(lines: impl Iterator<Item = &'a [u8]>) -> Option<u8> {
    let mut counts: Vec<[u32; SEPARATORS.len()]> = Vec::with_capacity(SAMPLE_LINES);
    for line in lines.take(SAMPLE_LINES) {
        let mut line_counts = [0u32; SEPARATORS.len()];
        let mut quoted = false;
        for (at, &b) in line.iter().enumerate() {
            if b == b'"' {
                quoted = !quoted;
            } else if !quoted && line.get(at + 1) != Some(&b' ') {
                if let Some(i) = SEPARATORS.iter().position(|&s| s == b) {
                    line_counts[i] += 1;
                }
            }
        }
        counts.push(line_counts);
    }
    if counts.len() < 8 {
        return None;
    }
    let mut best: Option<(u32, u8)> = None;
    for (i, &separator) in SEPARATORS.iter().enumerate() {
        let mut values: Vec<u32> = counts.iter().map(|c| c[i]).collect();
        values.sort_unstable();
        // The most common count, and how many lines have it.
        let (count, lines) =
            values.chunk_by(|a, b| a == b).map(|run| (run[0], run.len())).max_by_key(|&(_, n)| n).unwrap_or((0, 0));
        if count >= 2 && lines * 10 >= counts.len() * 9 && best.is_none_or(|(c, _)| count > c) {
            best = Some((count, separator));
        }
    }
    best.map(|(_, separator)| separator)
}

/// Where a delimited line's cut stands between two of its stretches (the line is cut
/// at its timestamps first).
#[derive(Clone, Debug)]
pub(super) struct DelimitedCut<'c> {
    separator: u8,
    /// By column: whether its values with spaces are text (see [`text_columns`]).
    text_columns: &'c [bool],
    column: usize,
    /// Inside a quoted value.
    quoted: bool,
    /// The stretch starts inside a value (after a timestamp).
    inside: bool,
}

/// Lines looked at to tell text columns from columns of words.
const COLUMN_SAMPLE_LINES: usize = 256;

/// By column, whether its values with spaces are text to be cut as a text line is
/// rather than one word each ([`SpacedValues`], over the block's first lines).
pub(super) fn text_columns<'a>(lines: impl Iterator<Item = &'a [u8]>, separator: u8) -> Vec<bool> {
    let mut columns: Vec<SpacedValues<'a>> = Vec::new();
    for line in lines.take(COLUMN_SAMPLE_LINES) {
        let mut cut = DelimitedCut::new(separator, &[]);
        let (mut pos, mut column) = (0, 0);
        while pos < line.len() {
            if line[pos] == separator {
                column += 1;
                pos += 1;
                continue;
            }
            if line[pos] == b'"' {
                cut.quoted = true;
                pos += 1;
            }
            let end = cut.value_end(line, pos);
            // Columns past the last tracked are words (a line of a million separators
            // must not make a million counters).
            if column < MAX_TEXT_COLUMNS {
                if columns.len() <= column {
                    columns.resize_with(column + 1, SpacedValues::default);
                }
                columns[column].add(&line[pos..end.content]);
            }
            pos = end.next;
        }
    }
    columns.iter().map(SpacedValues::are_text).collect()
}

/// Columns looked at by [`text_columns`].
const MAX_TEXT_COLUMNS: usize = 256;

impl<'c> DelimitedCut<'c> {
    pub(super) fn new(separator: u8, text_columns: &'c [bool]) -> DelimitedCut<'c> {
        DelimitedCut { separator, text_columns, column: 0, quoted: false, inside: false }
    }

    /// Calls `emit` with the fields of `text`, the next stretch of the line.
    pub(super) fn cut<'a>(&mut self, text: &'a [u8], mut emit: impl FnMut(&'a [u8], Piece)) {
        let mut pos = 0;
        // The rest of a value after a timestamp: text (` +0000`, `.5Z`).
        if std::mem::replace(&mut self.inside, true) {
            let end = self.value_end(text, 0);
            fields(&text[..end.content], &mut emit);
            pos = end.next;
        }
        while pos < text.len() {
            if text[pos] == self.separator {
                self.column += 1;
                pos += 1;
                continue;
            }
            if text[pos] == b'"' && !self.quoted {
                self.quoted = true;
                pos += 1;
            }
            let end = self.value_end(text, pos);
            let value = &text[pos..end.content];
            let text_column = self.text_columns.get(self.column).copied().unwrap_or(false);
            if text_column && value.contains(&b' ') && request_line(value).is_none() {
                fields(value, &mut emit);
            } else {
                quoted_value(value, &mut emit);
            }
            pos = end.next;
        }
    }

    /// Where the value starting at `from` ends: its content, and where the cut goes
    /// on (past a closing quote). Leaves the quote state as it is after the value.
    fn value_end(&mut self, text: &[u8], from: usize) -> ValueEnd {
        if !self.quoted {
            let content = memchr::memchr(self.separator, &text[from..]).map_or(text.len(), |p| from + p);
            return ValueEnd { content, next: content };
        }
        let mut at = from;
        while let Some(p) = memchr::memchr(b'"', &text[at..]) {
            let quote = at + p;
            if text.get(quote + 1) == Some(&b'"') {
                // `""`: a quote inside the value.
                at = quote + 2;
                continue;
            }
            self.quoted = false;
            // Bytes between the closing quote and the separator stay template text.
            let next = memchr::memchr(self.separator, &text[quote..]).map_or(text.len(), |p| quote + p);
            return ValueEnd { content: quote, next };
        }
        ValueEnd { content: text.len(), next: text.len() }
    }
}

struct ValueEnd {
    content: usize,
    next: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cut(separator: u8, line: &[u8]) -> Vec<(String, Piece)> {
        let mut out = Vec::new();
        DelimitedCut::new(separator, &[]).cut(line, |f, p| {
            if p != Piece::Delimiter {
                out.push((String::from_utf8_lossy(f).into_owned(), p))
            }
        });
        out
    }

    #[test]
    fn each_value_is_a_field() {
        let values = cut(b',', br#"1.2.3.4,-,GET /a HTTP/1.1,200,"x, ""y"" z",,"plain""#);
        let want = [
            ("1.2.3.4", Piece::Value),
            ("-", Piece::Value),
            ("GET", Piece::Value),
            ("/a", Piece::Value),
            ("HTTP/1.1", Piece::Value),
            ("200", Piece::Value),
            (r#"x, ""y"" z"#, Piece::Quoted),
            ("plain", Piece::Value),
        ];
        assert_eq!(values, want.map(|(s, p)| (s.to_string(), p)));
    }

    #[test]
    fn the_separator_is_what_the_lines_agree_on() {
        let csv = "a,b,c\n1,2,3\n4,\"5,6\",7\n".repeat(4);
        assert_eq!(separator_of(csv.lines().map(str::as_bytes)), Some(b','));
        let tsv = "a\tb,c\tx\n".repeat(9);
        assert_eq!(separator_of(tsv.lines().map(str::as_bytes)), Some(b'\t'));
        let log = (0..20).map(|i| format!("Jun 14 15:16:{i:02} host sshd[1]: a, b {i}")).collect::<Vec<_>>();
        assert_eq!(separator_of(log.iter().map(|l| l.as_bytes())), None, "one comma a line");
        let words = (0..20).map(|i| format!("port={i} user=u again={i}|{i}|x n=1")).collect::<Vec<_>>();
        // Read as records, its first column is text (each value new), its last a
        // word that comes back.
        assert_eq!(separator_of(words.iter().map(|l| l.as_bytes())), Some(b'|'));
        assert_eq!(text_columns(words.iter().map(|l| l.as_bytes()), b'|'), [true, false, false]);
        let sentences = (0..20).map(|i| format!("took {i} ms, retries 2, status ok")).collect::<Vec<_>>();
        assert_eq!(separator_of(sentences.iter().map(|l| l.as_bytes())), None, "commas in sentences");
        let ragged = (0..20).map(|i| ",".repeat(2 + i % 3)).collect::<Vec<_>>();
        assert_eq!(separator_of(ragged.iter().map(|l| l.as_bytes())), None);
        assert_eq!(separator_of(["a,b,c"; 7].into_iter().map(str::as_bytes)), None, "too few lines");
    }

    #[test]
    fn columns_past_the_last_tracked_are_words() {
        let line = format!("{}a b", ",".repeat(100_000));
        let columns = text_columns(std::iter::repeat_n(line.as_bytes(), 20), b',');
        assert!(columns.len() <= MAX_TEXT_COLUMNS && !columns.iter().any(|&t| t));
    }

    #[test]
    fn the_rest_of_a_value_after_a_timestamp_is_text() {
        let mut cutter = DelimitedCut::new(b',', &[]);
        let mut out = Vec::new();
        cutter.cut(b"a,", |f, p| out.push((f.to_vec(), p)));
        cutter.cut(b" +0000,b", |f, p| out.push((f.to_vec(), p)));
        let fields: Vec<_> = out.into_iter().filter(|(_, p)| *p != Piece::Delimiter).collect();
        assert_eq!(
            fields,
            [(b"a".to_vec(), Piece::Value), (b"+0000".to_vec(), Piece::Field), (b"b".to_vec(), Piece::Value)]
        );
    }

    proptest! {
        /// Every field is a piece of the line, in order, without overlaps, whatever
        /// the bytes and however the line is cut into stretches.
        #[test]
        fn fields_are_ordered_pieces_of_the_line(
            line in prop::collection::vec(prop::sample::select(b",\t\" ab1.-".to_vec()), 0..200),
            cuts in prop::collection::vec(0usize..200, 0..4),
            separator in prop::sample::select(SEPARATORS.to_vec()),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= line.len()).collect();
            cuts.sort_unstable();
            let mut cutter = DelimitedCut::new(separator, &[]);
            let (mut from, mut last_end) = (0, 0);
            for end in cuts.into_iter().chain([line.len()]) {
                cutter.cut(&line[from..end], |f, _| {
                    let start = f.as_ptr() as usize - line.as_ptr() as usize;
                    assert!(start >= last_end && start + f.len() <= end && !f.is_empty());
                    last_end = start + f.len();
                });
                from = end;
            }
        }
    }
}
