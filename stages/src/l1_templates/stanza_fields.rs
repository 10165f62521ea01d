//! The fields of `Key: value` stanzas, as RFC 822 headers, Debian control files
//! (`dpkg` status, package lists), mail and HTTP headers write them: the key and its
//! colon are template text, and the value one value: a word slot even when plain (a
//! package name, a version), one word when it holds spaces (a dependency list, a
//! one-line description). A continuation line (one that starts with a space: a
//! description's prose, a list of files) is one word after its space: cut as text,
//! every line of prose would be a template of its own (`dpkg_status.txt`: 188 KB of
//! templates, and the split declined).

/// Lines looked at to tell a block of stanzas.
const SAMPLE_LINES: usize = 64;

/// Whether a block is `Key: value` stanzas: of its first lines (at least eight),
/// half or more start with a key, and nine in ten with a key, a space (continuation)
/// or nothing (the blank line between stanzas).
pub(super) fn is_stanza_block<'a>(lines: impl Iterator<Item = &'a [u8]>) -> bool {
    let (mut seen, mut keys, mut others) = (0, 0, 0);
    for line in lines.take(SAMPLE_LINES) {
        seen += 1;
        if stanza_value_start(line).is_some() {
            keys += 1;
        } else if !(line.is_empty() || line[0] == b' ') {
            others += 1;
        }
    }
    seen >= 8 && keys * 2 >= seen && others * 10 <= seen
}

use super::tokens::{fields, Piece};

/// The start of a `Key: value` line: a field name (a letter, then letters, digits
/// and `-`, as RFC 822 allows and these formats use) up to 64 bytes, a colon and a
/// space. Returns where the value starts.
pub(super) fn stanza_value_start(line: &[u8]) -> Option<usize> {
    let first = *line.first()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let name = line.iter().take(65).position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))?;
    (line.get(name..name + 2) == Some(b": ")).then_some(name + 2)
}

/// Calls `emit` with the fields of `text`, a stretch of a stanza's line that starts
/// at `from` in the line (a line is cut at its timestamps first); `value` is where the
/// line's value starts (1 for a continuation line). What follows a timestamp inside
/// a value is cut as text.
pub(super) fn stanza_fields<'a>(text: &'a [u8], from: usize, value: usize, emit: &mut impl FnMut(&'a [u8], Piece)) {
    let skip = value.saturating_sub(from).min(text.len());
    let rest = &text[skip..];
    if rest.is_empty() {
        return;
    }
    if from + skip == value {
        emit(rest, if rest.contains(&b' ') { Piece::Quoted } else { Piece::Value });
    } else {
        fields(rest, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_continuations() {
        assert_eq!(stanza_value_start(b"Package: adduser"), Some(9));
        assert_eq!(stanza_value_start(b"Installed-Size: 686"), Some(16));
        for not in [&b" continued: x"[..], b"Caused by: x", b"java.lang.Error: x", b"Key:x", b": x", b""] {
            assert_eq!(stanza_value_start(not), None, "{}", String::from_utf8_lossy(not));
        }
        let status = "Package: a\nStatus: install ok installed\nDescription: x\n more text\n .\n\n".repeat(3);
        assert!(is_stanza_block(status.lines().map(str::as_bytes)));
        let log = "Jun 14 15:16:01 host sshd[1]: a\nERROR: b\n".repeat(8);
        assert!(!is_stanza_block(log.lines().map(str::as_bytes)));
    }

    #[test]
    fn a_value_is_one_field() {
        let cut = |line: &[u8], from: usize, value: usize| {
            let mut out = Vec::new();
            stanza_fields(&line[from..], from, value, &mut |f: &[u8], p| out.push((f.to_vec(), p)));
            out
        };
        assert_eq!(cut(b"Version: 3.134", 0, 9), [(b"3.134".to_vec(), Piece::Value)]);
        assert_eq!(cut(b"Depends: a, b", 0, 9), [(b"a, b".to_vec(), Piece::Quoted)]);
        assert_eq!(cut(b" some prose here", 0, 1), [(b"some prose here".to_vec(), Piece::Quoted)]);
        // After a timestamp: text.
        assert_eq!(
            cut(b"Date: x 12:00 GMT", 13, 6),
            [(b" ".to_vec(), Piece::Delimiter), (b"GMT".to_vec(), Piece::Field)]
        );
    }
}
