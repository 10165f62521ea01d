//! The fields of a JSON line (one object a line, as services log): keys are template
//! text, every string value is a field of its own, and a string that holds log text (a
//! `message`, Docker's `log`) is cut into fields as a text line is.
//!
//! Cutting a JSON line as free text would make every combination of its plain values
//! (`"GET"`, `"success"`, a path without digits) a template of its own: an ECS document
//! a line came out at 583 templates in a 2 MiB block, 480 KB of template text. Keys
//! belong to the line's shape and values to its columns, which is what a JSON
//! reader knows and the text rules cannot.
//!
//! Nothing here has to be valid JSON: the cut only chooses which bytes become fields,
//! and a line cut wrongly still comes back exactly (what is not a field is static
//! text). The state carries across the stretches of one line between its timestamps,
//! so a string holding a timestamp is still known as a string after it.

use std::hash::BuildHasher;

use super::line_cut::SpacedValues;
use super::tokens::{is_delimiter, Piece};
use crate::fast_hash::{FastBuild, FastMap, FastSet};

/// Keys whose string value is a log line, by the specifications of the formats that
/// carry one: ECS `message`, Docker's and Fluentd's `log`, the `msg` of pino, bunyan,
/// zap and logrus, GELF's `short_message` and `full_message`, journald's `MESSAGE`.
const MESSAGE_KEYS: [&[u8]; 6] = [b"message", b"log", b"msg", b"short_message", b"full_message", b"MESSAGE"];

/// Containers deeper than this are all taken for objects (a wrong guess costs size,
/// never bytes).
const MAX_DEPTH: u32 = 64;

/// What the string being read is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Text {
    /// An object's key: template text.
    Key,
    /// A value: one field.
    Value,
    /// A log line inside a string, or the rest of a value after a timestamp: cut as
    /// text.
    Line,
}

/// Where a line's cut stands between two of its stretches.
#[derive(Clone, Debug, Default)]
pub(super) struct JsonCut<'k> {
    /// Keys whose values are log text in this block, besides [`MESSAGE_KEYS`] (see
    /// [`text_keys`]), by the hash of their bytes.
    text_keys: Option<&'k FastSet<u64>>,
    /// A bit per open container, 1 for an object, the innermost lowest.
    objects: u64,
    depth: u32,
    expect_key: bool,
    string: Option<Text>,
    /// The last key read names a log line, and the value after it is not yet read.
    message_key: bool,
    /// Inside a log line held in a string, between an escaped quote `\"` and the
    /// next.
    quoted: bool,
}

/// Whether a line is read as JSON: it starts with `{` and ends with `}` (white space
/// around allowed), as a JSON object a line does; a text log line that happens to
/// start with a brace (`{main} started`) stays text.
pub(super) fn is_json_line(line: &[u8]) -> bool {
    let blank = |b: &&u8| matches!(b, b' ' | b'\t' | b'\r');
    line.iter().find(|b| !blank(b)) == Some(&b'{') && line.iter().rev().find(|b| !blank(b)) == Some(&b'}')
}

impl<'k> JsonCut<'k> {
    /// A line's cut in a block whose log-text keys are `text_keys`.
    pub(super) fn with_text_keys(text_keys: &'k FastSet<u64>) -> JsonCut<'k> {
        JsonCut { text_keys: Some(text_keys), ..JsonCut::default() }
    }

    /// Calls `emit` with the fields of `text`, the next stretch of the line.
    pub(super) fn cut<'a>(&mut self, text: &'a [u8], mut emit: impl FnMut(&'a [u8], Piece)) {
        let mut pos = 0;
        while pos < text.len() {
            if let Some(kind) = self.string {
                let rest = &text[pos..];
                let (content, closed) = match string_end(rest) {
                    Some(end) => (&rest[..end], true),
                    None => (rest, false),
                };
                match kind {
                    Text::Key => {
                        self.message_key = closed
                            && (MESSAGE_KEYS.contains(&content)
                                || self
                                    .text_keys
                                    .is_some_and(|keys| !keys.is_empty() && keys.contains(&key_hash(content))))
                    }
                    // An empty string is a value too: a field that is sometimes
                    // empty (a referrer, a forwarded address) keeps one template.
                    Text::Value if closed && content.is_empty() => emit(content, Piece::Value),
                    Text::Value if closed => quoted_value(content, &mut emit),
                    Text::Value | Text::Line => self.line_fields(content, &mut emit),
                }
                pos += content.len();
                if closed {
                    // An escaped quote left open ends with its string.
                    (self.string, self.quoted) = (None, false);
                    pos += 1;
                }
                continue;
            }
            match text[pos] {
                b'{' => self.open(true),
                b'[' => self.open(false),
                b'}' | b']' => self.close(),
                b',' => self.expect_key = self.in_object(),
                b':' => self.expect_key = false,
                b'"' => {
                    self.string = Some(if self.expect_key {
                        Text::Key
                    } else if std::mem::take(&mut self.message_key) {
                        Text::Line
                    } else {
                        Text::Value
                    });
                }
                b' ' | b'\t' | b'\r' | b'\n' => {}
                _ => {
                    // A number, `true`, `false`, `null`, or bytes that are not JSON:
                    // one field to the next separator.
                    let end = text[pos..]
                        .iter()
                        .position(|&b| {
                            matches!(b, b'{' | b'}' | b'[' | b']' | b',' | b':' | b'"' | b' ' | b'\t' | b'\r')
                        })
                        .map_or(text.len(), |p| pos + p);
                    let literal = &text[pos..end];
                    // `true`, `false` and `null` are values of a column, as strings are
                    // (a referrer that is `null` or a string keeps one template).
                    let value = matches!(literal, b"true" | b"false" | b"null");
                    emit(literal, if value { Piece::Value } else { Piece::Field });
                    self.message_key = false;
                    pos = end;
                    continue;
                }
            }
            pos += 1;
        }
        // A stretch ends inside a value only at a timestamp: what follows it is text.
        if self.string == Some(Text::Value) {
            self.string = Some(Text::Line);
        }
    }

    /// The fields of log text inside a string, as [`super::tokens::fields`] cuts a
    /// line, with JSON's escapes read: `\"` is a quote, `\n`, `\t` and `\r` are
    /// white space, so a quoted user agent in a `message` is the same word as the
    /// `user_agent` field beside it, and a line's final `\n` is not part of its
    /// last word.
    fn line_fields<'a>(&mut self, text: &'a [u8], emit: &mut impl FnMut(&'a [u8], Piece)) {
        let mut pos = 0;
        while pos < text.len() {
            let escape = text[pos] == b'\\';
            let next = text.get(pos + 1).copied();
            if escape && next == Some(b'"') {
                self.quoted = !self.quoted;
                emit(&text[pos..pos + 2], Piece::Delimiter);
                pos += 2;
                continue;
            }
            if !self.quoted && escape && matches!(next, Some(b'n' | b't' | b'r')) {
                emit(&text[pos..pos + 2], Piece::Delimiter);
                pos += 2;
                continue;
            }
            if !self.quoted && is_delimiter(text[pos]) {
                emit(&text[pos..pos + 1], Piece::Delimiter);
                pos += 1;
                continue;
            }
            let mut end = pos;
            while end < text.len() {
                let b = text[end];
                if b == b'\\' {
                    let next = text.get(end + 1).copied();
                    if next == Some(b'"') || (!self.quoted && matches!(next, Some(b'n' | b't' | b'r'))) {
                        break;
                    }
                    // Any other escape is two bytes of the field (`\\` too).
                    end = (end + 2).min(text.len());
                    continue;
                }
                if !self.quoted && is_delimiter(b) {
                    break;
                }
                end += 1;
            }
            // Quoted, it is cut as a string value is (a referrer beside its
            // `referrer` field is then cut the same way, and coded as a copy of it).
            match self.quoted {
                true => quoted_value(&text[pos..end], emit),
                false => emit(&text[pos..end], Piece::Field),
            }
            pos = end;
        }
    }

    fn open(&mut self, object: bool) {
        if self.depth < MAX_DEPTH {
            self.objects = (self.objects << 1) | u64::from(object);
        }
        self.depth = self.depth.saturating_add(1);
        self.expect_key = object;
        self.message_key = false;
    }

    fn close(&mut self) {
        if self.depth > 0 && self.depth <= MAX_DEPTH {
            self.objects >>= 1;
        }
        self.depth = self.depth.saturating_sub(1);
        self.expect_key = false;
    }

    fn in_object(&self) -> bool {
        self.depth > MAX_DEPTH || self.objects & 1 == 1
    }
}

fn key_hash(key: &[u8]) -> u64 {
    FastBuild.hash_one(key)
}

/// Lines looked at for [`text_keys`].
const KEY_SAMPLE_LINES: usize = 64;

/// The keys of a block's JSON lines whose string values are log text though their
/// name is none of [`MESSAGE_KEYS`] ([`SpacedValues`], over the JSON lines among the
/// block's first lines).
pub(super) fn text_keys<'a>(lines: impl Iterator<Item = &'a [u8]>) -> FastSet<u64> {
    let mut values: FastMap<u64, SpacedValues<'a>> = FastMap::default();
    for line in lines.take(KEY_SAMPLE_LINES).filter(|l| is_json_line(l)) {
        // Each `"key":"value"` (white space after the colon allowed): a quick look,
        // not a parse; the counts only weigh keys.
        for colon in memchr::memchr_iter(b':', line) {
            let Some(key_end) = colon.checked_sub(1).filter(|&k| line[k] == b'"') else { continue };
            let Some(key_start) = memchr::memrchr(b'"', &line[..key_end]).map(|q| q + 1) else { continue };
            let after = colon + 1 + line[colon + 1..].iter().take_while(|&&b| b == b' ').count();
            if line.get(after) != Some(&b'"') {
                continue;
            }
            let Some(end) = string_end(&line[after + 1..]).map(|e| after + 1 + e) else { continue };
            let value = &line[after + 1..end];
            let key = &line[key_start..key_end];
            if !MESSAGE_KEYS.contains(&key) {
                values.entry(key_hash(key)).or_default().add(value);
            }
        }
    }
    values.into_iter().filter(|(_, spaced)| spaced.are_text()).map(|(key, _)| key).collect()
}

/// A string value, or a quoted one inside log text: one value, or when it holds a
/// space one word ([`Piece::Quoted`]), unless it is an HTTP request line.
pub(super) fn quoted_value<'a>(value: &'a [u8], emit: &mut impl FnMut(&'a [u8], Piece)) {
    if !value.contains(&b' ') {
        if !value.is_empty() {
            emit(value, Piece::Value);
        }
    } else if let Some([method, target, version]) = request_line(value) {
        emit(method, Piece::Value);
        emit(target, Piece::Value);
        emit(version, Piece::Value);
    } else {
        emit(value, Piece::Quoted);
    }
}

/// An HTTP request line as RFC 9112 writes it and access logs quote it (`GET
/// /index.html HTTP/1.1`): its method, target and version, each a value of its own
/// so that each is coded as a copy of the field that says it again (`method`,
/// `url`, `uri`), where one word for the whole line is not.
pub(super) fn request_line(text: &[u8]) -> Option<[&[u8]; 3]> {
    let mut parts = text.splitn(3, |&b| b == b' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    let version_ok = version.strip_prefix(b"HTTP/").is_some_and(|v| match v.iter().position(|&b| b == b'.') {
        Some(dot) => digits(&v[..dot]) && digits(&v[dot + 1..]),
        None => digits(v),
    });
    let method_ok = (1..=16).contains(&method.len()) && method.iter().all(u8::is_ascii_uppercase);
    (method_ok && !target.is_empty() && version_ok).then_some([method, target, version])
}

/// Where the string that `text` starts inside ends: its first quote not escaped by a
/// backslash.
fn string_end(text: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = from + memchr::memchr(b'"', &text[from..])?;
        let backslashes = text[..at].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(at);
        }
        from = at + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cut(line: &[u8]) -> Vec<(String, Piece)> {
        let mut out = Vec::new();
        JsonCut::default().cut(line, |f, p| out.push((String::from_utf8_lossy(f).into_owned(), p)));
        out
    }

    #[test]
    fn a_json_line_is_an_object_from_brace_to_brace() {
        assert!(is_json_line(br#"{"a":1}"#) && is_json_line(b" {} \r") && is_json_line(b"{x}"));
        assert!(!is_json_line(b"{main} started") && !is_json_line(br#"{"a":1"#) && !is_json_line(b"[1]"));
    }

    #[test]
    fn keys_are_text_and_values_fields() {
        let pieces = cut(br#"{"method":"GET","status":404,"ok":true,"tags":["a b","c"],"n":{"x":-1.5e3}}"#);
        let want = [
            ("GET", Piece::Value),
            ("404", Piece::Field),
            ("true", Piece::Value),
            ("a b", Piece::Quoted),
            ("c", Piece::Value),
            ("-1.5e3", Piece::Field),
        ];
        assert_eq!(pieces, want.map(|(s, p)| (s.to_string(), p)));
    }

    #[test]
    fn a_message_is_cut_as_text_and_escapes_stay_inside_strings() {
        let pieces = cut(br#"{"msg":"user=7 said \"hi\"","k\"ey":"v\\"}"#);
        let fields: Vec<_> = pieces.iter().filter(|(_, p)| *p != Piece::Delimiter).collect();
        assert_eq!(fields[0], &("user".to_string(), Piece::Field));
        assert_eq!(fields.last(), Some(&&("v\\\\".to_string(), Piece::Value)));
        assert!(!pieces.iter().any(|(s, _)| s == "k\\\"ey" || s == "ey"));
    }

    #[test]
    fn a_request_line_is_its_three_parts() {
        let fields = |line: &[u8]| {
            let mut out = Vec::new();
            JsonCut::default().cut(line, |f, p| {
                if p != Piece::Delimiter {
                    out.push((String::from_utf8_lossy(f).into_owned(), p))
                }
            });
            out
        };
        let values = |s: &[&str]| s.iter().map(|v| (v.to_string(), Piece::Value)).collect::<Vec<_>>();
        assert_eq!(fields(br#"{"r":"GET /a?b=1 HTTP/1.1"}"#), values(&["GET", "/a?b=1", "HTTP/1.1"]));
        assert_eq!(fields(br#"{"message":"x \"PUT / HTTP/2\" 200"}"#)[1..4], values(&["PUT", "/", "HTTP/2"]));
        for not in ["get / HTTP/1.1", "GET  / HTTP/1.1", "GET / HTTP/1.", "GET / HTTP/1.1 x", "GET /"] {
            let line = format!("{{\"r\":\"{not}\"}}");
            assert_eq!(fields(line.as_bytes()), [(not.to_string(), Piece::Quoted)], "{not}");
        }
    }

    #[test]
    fn a_value_cut_by_a_timestamp_goes_on_as_text() {
        let mut cutter = JsonCut::default();
        let mut out = Vec::new();
        cutter.cut(br#"{"t":""#, |f, p| out.push((f.to_vec(), p)));
        cutter.cut(br#"Z","k":"v"}"#, |f, p| out.push((f.to_vec(), p)));
        assert_eq!(out, [(b"Z".to_vec(), Piece::Field), (b"v".to_vec(), Piece::Value)]);
    }

    proptest! {
        /// Every field is a piece of the line, in order, without overlaps, whatever
        /// the bytes and however the line is cut into stretches.
        #[test]
        fn fields_are_ordered_pieces_of_the_line(
            line in prop::collection::vec(prop::sample::select(b"{}[],:\"\\ ab1.-".to_vec()), 0..200),
            cuts in prop::collection::vec(0usize..200, 0..4),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= line.len()).collect();
            cuts.sort_unstable();
            let mut cutter = JsonCut::default();
            let mut from = 0;
            let mut last_end = 0;
            for end in cuts.into_iter().chain([line.len()]) {
                let stretch = &line[from..end];
                cutter.cut(stretch, |f, piece| {
                    let start = f.as_ptr() as usize - line.as_ptr() as usize;
                    // Only a value may be empty (an empty string).
                    assert!(start >= last_end && start + f.len() <= end && (!f.is_empty() || piece == Piece::Value));
                    last_end = start + f.len();
                });
                from = end;
            }
        }
    }
}
