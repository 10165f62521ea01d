//! COBOL copybooks to record layouts.
//!
//! [`RecordLayout::from_copybook`] reads the data description entries of a copybook
//! and lays the record out as COBOL does: the record length, and every elementary item
//! as a [`Field`] with its byte offset, byte length and [`FieldKind`], in record order,
//! `OCCURS` unrolled (`AMOUNT(3)`, `CELL(2,1)`).
//!
//! Understood: level numbers 01-49 and 77 (66 and 88 entries are skipped, they take no
//! storage); group items; `PIC`/`PICTURE` with `X`, `A`, `9`, `S`, `V`, repetitions
//! (`9(7)`), and edited pictures (`Z`, `*`, `+`, `-`, `.`, `,`, `B`, `0`, `/`, `$`, `CR`,
//! `DB`), which are text; `USAGE [IS]` or the bare usage: `DISPLAY`, `COMP`/`COMP-4`/
//! `BINARY`, `COMP-3`/`PACKED-DECIMAL`, `COMP-5` (and the `COMPUTATIONAL-n` spellings),
//! inherited from a group; `[SIGN [IS]] LEADING|TRAILING [SEPARATE [CHARACTER]]`;
//! `OCCURS n [TIMES]` (with `KEY IS`/`INDEXED BY` names, which change nothing);
//! `REDEFINES`; `FILLER` and unnamed items; `VALUE`, `JUSTIFIED`, `BLANK WHEN ZERO`,
//! `GLOBAL`, `EXTERNAL` (ignored: no effect on the bytes).
//!
//! `REDEFINES`: the layout's fields are the first definition's; each redefining item is
//! listed in [`RecordLayout::redefinitions`] with its offset, length and own fields, and
//! takes no bytes. A redefining item may not be larger than what it redefines. Several
//! 01-level records in one copybook are alternative views of one record area: the first
//! gives the fields, the others are listed as redefinitions of it.
//!
//! Refused with an error naming the line and column, never guessed: `OCCURS DEPENDING
//! ON` and `OCCURS m TO n`, `COMP-1`/`COMP-2` and other floating-point usages,
//! `POINTER`, `INDEX`, `NATIONAL`, `COMP-6`/`COMP-X`, `SYNCHRONIZED` (slack bytes), `P`
//! scaling, national/DBCS/boolean pictures, `COPY`/`REPLACE`, anything unknown.
//!
//! Source format: fixed (columns 1-6 sequence area, column 7 indicator with `*`/`/`
//! comments, `D` debug lines and `-` continuation, code in 8-72, 73-80 ignored) or free
//! (`*>` comments anywhere, as in fixed format too). [`SourceFormat::Auto`] takes fixed
//! format when every line fits it (sequence area blank or digits, a valid indicator, no
//! line over 80 columns), free format otherwise; `>>SOURCE FORMAT` directives switch.
//! Tabs advance to the next multiple of 8 columns.

use super::{ByteOrder, SignPosition};
use crate::{Error, Result};

/// The most fields (after unrolling `OCCURS`) a layout may have.
pub const MAX_FIELDS: usize = 1 << 20;
/// The longest record a layout may describe.
pub const MAX_RECORD_LEN: usize = 1 << 30;

/// How the copybook's lines are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SourceFormat {
    /// Fixed format when every line fits it, else free format.
    #[default]
    Auto,
    /// Columns 1-6 sequence, 7 indicator, 8-72 code, 73-80 ignored.
    Fixed,
    /// Code anywhere on the line, `*>` comments.
    Free,
}

/// How many bytes `COMP`/`COMP-4`/`BINARY`/`COMP-5` items take for their digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum BinarySize {
    /// 1-4 digits: 2 bytes, 5-9: 4, 10-18: 8. IBM Enterprise COBOL, and GnuCOBOL with
    /// `-fbinary-size=2-4-8` (or `-std=ibm`).
    #[default]
    TwoFourEight,
    /// 1-2 digits: 1 byte, 3-4: 2, 5-9: 4, 10-18: 8. GnuCOBOL's default (`default.conf`:
    /// `binary-size: 1-2-4-8`).
    OneTwoFourEight,
}

impl BinarySize {
    /// Bytes of a binary item of `digits` digits (1 to 18).
    pub fn bytes_for(self, digits: u32) -> u8 {
        match (self, digits) {
            (BinarySize::OneTwoFourEight, 0..=2) => 1,
            (_, 0..=4) => 2,
            (_, 5..=9) => 4,
            _ => 8,
        }
    }
}

/// Settings of [`RecordLayout::from_copybook_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ParseOptions {
    pub format: SourceFormat,
    pub binary_size: BinarySize,
}

/// What an elementary item holds, and so how its bytes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Characters: `PIC X`, `PIC A`, and edited pictures.
    Text,
    /// `DISPLAY` numeric: one digit a byte (plus a separate sign byte, if any).
    Zoned { digits: u8, scale: u8, signed: bool, sign: SignPosition },
    /// `COMP-3`/`PACKED-DECIMAL`: `digits / 2 + 1` bytes.
    Packed { digits: u8, scale: u8, signed: bool },
    /// `COMP`/`COMP-4`/`BINARY` (big-endian) or, when `native`, `COMP-5` (machine order).
    Binary { bytes: u8, digits: u8, scale: u8, signed: bool, native: bool },
}

impl FieldKind {
    /// Digits after the implied decimal point (`V`); 0 for text.
    pub fn scale(&self) -> u8 {
        match *self {
            FieldKind::Text => 0,
            FieldKind::Zoned { scale, .. } | FieldKind::Packed { scale, .. } | FieldKind::Binary { scale, .. } => scale,
        }
    }

    /// Whether the item is numeric (anything but text).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, FieldKind::Text)
    }

    /// The byte order of a binary item, given the order `COMP-5` has on the machine that
    /// wrote the data ([`ByteOrder::Little`] for GnuCOBOL on x86/ARM); `None` if not binary.
    pub fn byte_order(&self, native: ByteOrder) -> Option<ByteOrder> {
        match *self {
            FieldKind::Binary { native: true, .. } => Some(native),
            FieldKind::Binary { .. } => Some(ByteOrder::Big),
            _ => None,
        }
    }
}

/// An elementary item of the record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The data name as written (upper or lower case kept), with `OCCURS` subscripts,
    /// outermost first: `TXN-AMT(2,1)`. `FILLER` for fillers and unnamed items.
    pub name: String,
    /// Byte offset in the record.
    pub offset: usize,
    /// Byte length.
    pub len: usize,
    pub kind: FieldKind,
    /// `FILLER` or unnamed.
    pub filler: bool,
    /// Line of the copybook the item is described on (1-based).
    pub line: usize,
}

/// An item that `REDEFINES` another: recorded, but its bytes are read as the first
/// definition's fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Redefinition {
    /// The redefining item's name (with subscripts, as for fields).
    pub name: String,
    /// The name of the item it redefines.
    pub redefines: String,
    pub offset: usize,
    pub len: usize,
    pub line: usize,
    /// Its own elementary items, as if it were the definition.
    pub fields: Vec<Field>,
}

/// A record as a copybook describes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordLayout {
    /// The 01-level name; `None` for a copybook of loose items (05 levels and the like),
    /// which are laid out one after another.
    pub name: Option<String>,
    /// Bytes in a record.
    pub record_len: usize,
    /// Every elementary item of the first definition, in offset order, covering the
    /// record without gaps.
    pub fields: Vec<Field>,
    /// Redefining items (`REDEFINES`, further 01 records), in the order met.
    pub redefinitions: Vec<Redefinition>,
}

impl RecordLayout {
    /// Parses a copybook with the default options (format detected, binary sizes
    /// 2-4-8 as IBM allocates them).
    ///
    /// ```
    /// use cobolp_stages::records::{FieldKind, RecordLayout};
    /// let layout = RecordLayout::from_copybook(
    ///     "       01 TXN-REC.
    ///               05 TR-AMOUNT    PIC S9(9)V99  COMP-3.
    ///               05 TR-CODE      PIC X(4).",
    /// ).unwrap();
    /// assert_eq!(layout.record_len, 10);
    /// assert_eq!(layout.fields[0].kind, FieldKind::Packed { digits: 11, scale: 2, signed: true });
    /// ```
    pub fn from_copybook(src: &str) -> Result<RecordLayout> {
        Self::from_copybook_with(src, &ParseOptions::default())
    }

    /// Parses a copybook with the given options.
    pub fn from_copybook_with(src: &str, opts: &ParseOptions) -> Result<RecordLayout> {
        let lines = code_lines(src, opts.format)?;
        let tokens = lex(&lines)?;
        let entries = parse_entries(&tokens)?;
        layout(entries, opts)
    }

    /// The first field of that name (with subscripts for items under `OCCURS`),
    /// compared without regard to case.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

fn err(line: usize, col: usize, msg: impl std::fmt::Display) -> Error {
    Error::corrupt("copybook", format!("line {line}, column {col}: {msg}"))
}

// ---------------------------------------------------------------------------------
// Lines.

struct Line {
    no: usize,
    /// (1-based column, character) of the code area.
    chars: Vec<(usize, char)>,
    continuation: bool,
}

/// A line's characters with tabs expanded to the next multiple of 8 columns.
fn expand_tabs(raw: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(raw.len());
    for c in raw.chars() {
        if c == '\t' {
            out.push(' ');
            while out.len() % 8 != 0 {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn is_blank(chars: &[char]) -> bool {
    chars.iter().all(|c| c.is_whitespace())
}

fn looks_fixed(src: &str) -> bool {
    for raw in src.lines() {
        let chars = expand_tabs(raw);
        if is_blank(&chars) {
            continue;
        }
        if chars.len() > 80 {
            return false;
        }
        if !chars.iter().take(6).all(|c| *c == ' ' || c.is_ascii_digit()) {
            return false;
        }
        if chars.len() > 6 && !matches!(chars[6], ' ' | '*' | '/' | '-' | 'D' | 'd') {
            return false;
        }
    }
    true
}

/// A `>>SOURCE [FORMAT] [IS] FREE|FIXED` directive's format; `None` for other directives.
fn directive_format(text: &str) -> Option<SourceFormat> {
    let words: Vec<String> = text.trim_start_matches(">>").split_whitespace().map(|w| w.to_ascii_uppercase()).collect();
    if words.first().map(String::as_str) != Some("SOURCE") {
        return None;
    }
    match words.last().map(String::as_str) {
        Some("FREE") => Some(SourceFormat::Free),
        Some("FIXED") => Some(SourceFormat::Fixed),
        _ => None,
    }
}

fn code_lines(src: &str, format: SourceFormat) -> Result<Vec<Line>> {
    let mut format = match format {
        SourceFormat::Auto if looks_fixed(src) => SourceFormat::Fixed,
        SourceFormat::Auto => SourceFormat::Free,
        f => f,
    };
    let mut out = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let no = i + 1;
        let chars = expand_tabs(raw);
        let (start, end, continuation) = match format {
            SourceFormat::Fixed => {
                if chars.len() <= 6 {
                    continue;
                }
                match chars[6] {
                    '*' | '/' | 'D' | 'd' => continue,
                    '-' => (7, chars.len().min(72), true),
                    ' ' => (7, chars.len().min(72), false),
                    c => {
                        return Err(err(no, 7, format!("'{c}' is not a column-7 indicator (' ', '*', '/', '-', 'D')")))
                    }
                }
            }
            _ => (0, chars.len(), false),
        };
        if start >= end {
            continue;
        }
        let code: String = chars[start..end].iter().collect();
        let trimmed = code.trim_start();
        if trimmed.starts_with(">>") {
            if let Some(f) = directive_format(trimmed) {
                format = f;
            }
            continue;
        }
        let chars = chars[start..end].iter().enumerate().map(|(k, &c)| (start + k + 1, c)).collect();
        out.push(Line { no, chars, continuation });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------
// Tokens.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Literal,
    Period,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

impl Token {
    fn word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }

    fn upper(&self) -> String {
        match &self.tok {
            Tok::Word(w) => w.to_ascii_uppercase(),
            Tok::Literal => "literal".into(),
            Tok::Period => ".".into(),
        }
    }
}

fn lex(lines: &[Line]) -> Result<Vec<Token>> {
    let mut toks = Vec::new();
    let mut word: Option<Token> = None;
    // An open literal: its quote character and where it started.
    let mut lit: Option<(char, usize, usize)> = None;
    fn flush(word: &mut Option<Token>, toks: &mut Vec<Token>) {
        if let Some(w) = word.take() {
            toks.push(w);
        }
    }
    for line in lines {
        let ch = &line.chars;
        let mut i = 0;
        if line.continuation {
            while i < ch.len() && ch[i].1 == ' ' {
                i += 1;
            }
            if lit.is_some() {
                match ch.get(i) {
                    Some((_, '"' | '\'')) => i += 1,
                    _ => {
                        let col = ch.get(i).map_or(8, |c| c.0);
                        return Err(err(line.no, col, "a continued literal must resume with a quote"));
                    }
                }
            }
        } else {
            if let Some((_, l, c)) = lit {
                return Err(err(l, c, "literal not closed on its line"));
            }
            flush(&mut word, &mut toks);
        }
        while i < ch.len() {
            let (col, c) = ch[i];
            let next = ch.get(i + 1).map(|x| x.1);
            let ends = next.is_none_or(char::is_whitespace);
            if let Some((q, l, lc)) = lit {
                if c == q {
                    if next == Some(q) {
                        i += 2;
                        continue;
                    }
                    lit = None;
                    toks.push(Token { tok: Tok::Literal, line: l, col: lc });
                }
                i += 1;
                continue;
            }
            match c {
                c if c.is_whitespace() => flush(&mut word, &mut toks),
                ',' | ';' if ends => flush(&mut word, &mut toks),
                '.' if ends => {
                    flush(&mut word, &mut toks);
                    toks.push(Token { tok: Tok::Period, line: line.no, col });
                }
                '*' if next == Some('>') => {
                    flush(&mut word, &mut toks);
                    break;
                }
                '"' | '\'' => {
                    // X"41", N'..', Z"..": the prefix belongs to the literal.
                    let prefixed = word
                        .as_ref()
                        .and_then(Token::word)
                        .is_some_and(|w| w.len() <= 2 && w.chars().all(|c| c.is_ascii_alphabetic()));
                    let start = if prefixed { word.take().map(|w| (w.line, w.col)) } else { None };
                    flush(&mut word, &mut toks);
                    let (l, lc) = start.unwrap_or((line.no, col));
                    lit = Some((c, l, lc));
                }
                _ => match &mut word {
                    Some(Token { tok: Tok::Word(w), .. }) => w.push(c),
                    _ => word = Some(Token { tok: Tok::Word(c.to_string()), line: line.no, col }),
                },
            }
            i += 1;
        }
    }
    if let Some((_, l, c)) = lit {
        return Err(err(l, c, "literal not closed"));
    }
    flush(&mut word, &mut toks);
    Ok(toks)
}

// ---------------------------------------------------------------------------------
// Entries.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Usage {
    Display,
    Packed,
    Binary,
    Native,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PicClass {
    Alphanumeric,
    Numeric,
    Edited,
}

#[derive(Clone, Copy, Debug)]
struct Pic {
    class: PicClass,
    /// Character positions (bytes as `DISPLAY`).
    size: usize,
    digits: u32,
    scale: u32,
    signed: bool,
}

#[derive(Clone, Debug)]
struct Entry {
    level: u8,
    name: Option<String>,
    line: usize,
    col: usize,
    pic: Option<(Pic, usize, usize)>,
    usage: Option<Usage>,
    sign: Option<(SignPosition, usize, usize)>,
    occurs: Option<usize>,
    redefines: Option<(String, usize, usize)>,
}

/// A usage word: `Some(Ok)` for the ones laid out here, `Some(Err)` for those refused.
fn usage_of(w: &str) -> Option<std::result::Result<Usage, &'static str>> {
    Some(match w {
        "DISPLAY" => Ok(Usage::Display),
        "COMP" | "COMPUTATIONAL" | "COMP-4" | "COMPUTATIONAL-4" | "BINARY" => Ok(Usage::Binary),
        "COMP-3" | "COMPUTATIONAL-3" | "PACKED-DECIMAL" => Ok(Usage::Packed),
        "COMP-5" | "COMPUTATIONAL-5" => Ok(Usage::Native),
        "COMP-1" | "COMPUTATIONAL-1" | "COMP-2" | "COMPUTATIONAL-2" | "FLOAT-SHORT" | "FLOAT-LONG"
        | "FLOAT-EXTENDED" | "FLOAT-BINARY-32" | "FLOAT-BINARY-64" | "FLOAT-DECIMAL-16" | "FLOAT-DECIMAL-34" => {
            Err("floating-point usage is not supported")
        }
        "COMP-6" | "COMPUTATIONAL-6" | "COMP-X" | "COMPUTATIONAL-X" | "COMP-N" | "COMPUTATIONAL-N" => {
            Err("this usage is not supported")
        }
        "POINTER" | "PROGRAM-POINTER" | "PROCEDURE-POINTER" | "FUNCTION-POINTER" => Err("POINTER is not supported"),
        "INDEX" => Err("USAGE INDEX is not supported"),
        "NATIONAL" | "DISPLAY-1" | "KANJI" => Err("national and DBCS usages are not supported"),
        "BINARY-CHAR" | "BINARY-SHORT" | "BINARY-LONG" | "BINARY-DOUBLE" | "BINARY-C-LONG" | "SIGNED-SHORT"
        | "SIGNED-INT" | "SIGNED-LONG" | "UNSIGNED-SHORT" | "UNSIGNED-INT" | "UNSIGNED-LONG" | "OBJECT" | "BIT" => {
            Err("this usage is not supported")
        }
        _ => return None,
    })
}

fn is_clause_word(w: &str) -> bool {
    usage_of(w).is_some()
        || matches!(
            w,
            "PIC"
                | "PICTURE"
                | "USAGE"
                | "SIGN"
                | "LEADING"
                | "TRAILING"
                | "SEPARATE"
                | "OCCURS"
                | "REDEFINES"
                | "RENAMES"
                | "VALUE"
                | "VALUES"
                | "JUSTIFIED"
                | "JUST"
                | "BLANK"
                | "SYNC"
                | "SYNCHRONIZED"
                | "GLOBAL"
                | "EXTERNAL"
                | "IS"
                | "DEPENDING"
                | "INDEXED"
                | "ASCENDING"
                | "DESCENDING"
        )
}

/// Parses a picture string; `col` is the column of its first character.
fn parse_pic(s: &str, line: usize, col: usize) -> Result<Pic> {
    let chars: Vec<char> = s.chars().map(|c| c.to_ascii_uppercase()).collect();
    let (mut size, mut nines, mut scale) = (0usize, 0u32, 0u32);
    let (mut signed, mut seen_v, mut alpha, mut edited) = (false, false, false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = col + i;
        let pair = matches!((c, chars.get(i + 1)), ('C', Some('R')) | ('D', Some('B')));
        i += if pair { 2 } else { 1 };
        let mut n = 1usize;
        if chars.get(i) == Some(&'(') {
            let close = chars[i..].iter().position(|&c| c == ')').map(|p| i + p);
            let Some(close) = close else { return Err(err(line, col + i, "'(' without ')' in PICTURE")) };
            let digits: String = chars[i + 1..close].iter().collect();
            n = match digits.parse::<usize>() {
                Ok(n) if (1..=MAX_RECORD_LEN).contains(&n) => n,
                _ => return Err(err(line, col + i, format!("bad repetition ({digits}) in PICTURE"))),
            };
            i = close + 1;
            if pair {
                return Err(err(line, at, "CR and DB cannot repeat"));
            }
        }
        match c {
            _ if pair => {
                edited = true;
                size += 2;
            }
            'X' | 'A' => {
                alpha = true;
                size += n;
            }
            '9' => {
                nines = nines.saturating_add(n.min(u32::MAX as usize) as u32);
                size += n;
                if seen_v {
                    scale = scale.saturating_add(n.min(u32::MAX as usize) as u32);
                }
            }
            'S' => {
                if at != col || n != 1 {
                    return Err(err(line, at, "S must come first in a PICTURE, once"));
                }
                signed = true;
            }
            'V' => {
                if seen_v || n != 1 {
                    return Err(err(line, at, "V may appear once in a PICTURE"));
                }
                seen_v = true;
            }
            'P' => return Err(err(line, at, "P (decimal scaling positions) is not supported")),
            'Z' | '*' | '+' | '-' | 'B' | '0' | '/' | ',' | '.' | '$' => {
                edited = true;
                size += n;
            }
            'N' | 'G' | 'U' | '1' | 'E' => {
                return Err(err(
                    line,
                    at,
                    format!("'{c}' in a PICTURE (national, DBCS, boolean or floating) is not supported"),
                ))
            }
            _ => return Err(err(line, at, format!("'{c}' is not a PICTURE symbol"))),
        }
        if size > MAX_RECORD_LEN {
            return Err(Error::TooLarge { what: "PICTURE", value: size as u64, limit: MAX_RECORD_LEN as u64 });
        }
    }
    let class = if alpha {
        if signed || seen_v {
            return Err(err(line, col, "S and V cannot be used with X or A"));
        }
        PicClass::Alphanumeric
    } else if edited {
        if signed {
            return Err(err(line, col, "S cannot be used in an edited PICTURE"));
        }
        PicClass::Edited
    } else {
        if nines == 0 {
            return Err(err(line, col, "a numeric PICTURE needs at least one 9"));
        }
        if nines > 38 {
            return Err(err(line, col, format!("{nines} digits: COBOL allows at most 38")));
        }
        PicClass::Numeric
    };
    Ok(Pic { class, size, digits: nines, scale, signed })
}

/// Splits the tokens into entries (each ending at a period) and parses them.
fn parse_entries(tokens: &[Token]) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let upper = t.upper();
        if t.tok == Tok::Period {
            i += 1;
            continue;
        }
        if matches!(upper.as_str(), "EJECT" | "SKIP1" | "SKIP2" | "SKIP3") {
            i += 1;
            continue;
        }
        let end = tokens[i..].iter().position(|t| t.tok == Tok::Period).map_or(tokens.len(), |p| i + p);
        if let Some(e) = parse_entry(&tokens[i..end])? {
            entries.push(e);
        }
        i = end + 1;
    }
    Ok(entries)
}

fn parse_entry(toks: &[Token]) -> Result<Option<Entry>> {
    let first = &toks[0];
    let level = match first.word() {
        Some(w) if w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()) => w.parse::<u8>().unwrap_or(0),
        _ => {
            let what = first.upper();
            let msg = match what.as_str() {
                "COPY" | "REPLACE" => format!("{what} is not supported: expand the copybook first"),
                _ => format!("expected a level number, found {what}"),
            };
            return Err(err(first.line, first.col, msg));
        }
    };
    match level {
        66 | 88 => return Ok(None), // RENAMES and condition names take no storage
        1..=49 | 77 => {}
        _ => return Err(err(first.line, first.col, format!("{level} is not a level number (01-49, 66, 77, 88)"))),
    }
    let mut e = Entry {
        level,
        name: None,
        line: first.line,
        col: first.col,
        pic: None,
        usage: None,
        sign: None,
        occurs: None,
        redefines: None,
    };
    let mut i = 1;
    if let Some(w) = toks.get(1).and_then(Token::word) {
        let u = w.to_ascii_uppercase();
        if !is_clause_word(&u) {
            if u != "FILLER" {
                e.name = Some(w.to_string());
            }
            i = 2;
        }
    }
    let at_end = || -> Error {
        let last = &toks[toks.len() - 1];
        err(last.line, last.col, "the entry ends too early")
    };
    // The next token's upper-case word, if it is one of `words`.
    let peek_is = |i: usize, words: &[&str]| toks.get(i).is_some_and(|t| words.contains(&t.upper().as_str()));
    while i < toks.len() {
        let t = &toks[i];
        let w = t.upper();
        i += 1;
        match w.as_str() {
            "PIC" | "PICTURE" => {
                if peek_is(i, &["IS"]) {
                    i += 1;
                }
                let p = toks.get(i).ok_or_else(at_end)?;
                let s = p.word().ok_or_else(|| err(p.line, p.col, "expected a PICTURE string"))?;
                e.pic = Some((parse_pic(s, p.line, p.col)?, p.line, p.col));
                i += 1;
            }
            "USAGE" => {
                if peek_is(i, &["IS"]) {
                    i += 1;
                }
                let u = toks.get(i).ok_or_else(at_end)?;
                match usage_of(&u.upper()) {
                    Some(Ok(usage)) => e.usage = Some(usage),
                    Some(Err(msg)) => return Err(err(u.line, u.col, format!("{}: {msg}", u.upper()))),
                    None => return Err(err(u.line, u.col, format!("{} is not a usage", u.upper()))),
                }
                i += 1;
            }
            "SIGN" | "LEADING" | "TRAILING" => {
                let mut kw = w.clone();
                if kw == "SIGN" {
                    if peek_is(i, &["IS"]) {
                        i += 1;
                    }
                    let k = toks.get(i).ok_or_else(at_end)?;
                    kw = k.upper();
                    i += 1;
                }
                let leading = match kw.as_str() {
                    "LEADING" => true,
                    "TRAILING" => false,
                    _ => return Err(err(t.line, t.col, "SIGN needs LEADING or TRAILING")),
                };
                let mut separate = false;
                if peek_is(i, &["SEPARATE"]) {
                    separate = true;
                    i += 1;
                    if peek_is(i, &["CHARACTER"]) {
                        i += 1;
                    }
                }
                let pos = match (leading, separate) {
                    (true, true) => SignPosition::LeadingSeparate,
                    (true, false) => SignPosition::Leading,
                    (false, true) => SignPosition::TrailingSeparate,
                    (false, false) => SignPosition::Trailing,
                };
                e.sign = Some((pos, t.line, t.col));
            }
            "OCCURS" => {
                let n = toks.get(i).ok_or_else(at_end)?;
                let count = n.word().and_then(|w| w.parse::<usize>().ok());
                let Some(count) = count.filter(|&c| c >= 1) else {
                    return Err(err(n.line, n.col, "OCCURS needs a whole number of at least 1"));
                };
                i += 1;
                if peek_is(i, &["TO"]) {
                    let to = &toks[i];
                    return Err(err(
                        to.line,
                        to.col,
                        "OCCURS m TO n (a variable number of occurrences) is not supported",
                    ));
                }
                if peek_is(i, &["TIMES"]) {
                    i += 1;
                }
                e.occurs = Some(count);
                while let Some(k) = toks.get(i) {
                    match k.upper().as_str() {
                        "DEPENDING" => {
                            return Err(err(k.line, k.col, "OCCURS DEPENDING ON is not supported"));
                        }
                        "ASCENDING" | "DESCENDING" | "INDEXED" => {
                            i += 1;
                            while peek_is(i, &["KEY", "IS", "BY"]) {
                                i += 1;
                            }
                            let start = i;
                            while toks.get(i).is_some_and(|t| t.word().is_some() && !is_clause_word(&t.upper())) {
                                i += 1;
                            }
                            if i == start {
                                return Err(err(k.line, k.col, "expected names after KEY IS or INDEXED BY"));
                            }
                        }
                        _ => break,
                    }
                }
            }
            "REDEFINES" => {
                let n = toks.get(i).ok_or_else(at_end)?;
                let name = n.word().ok_or_else(|| err(n.line, n.col, "expected a data name"))?;
                e.redefines = Some((name.to_string(), t.line, t.col));
                i += 1;
            }
            "VALUE" | "VALUES" => {
                if peek_is(i, &["IS", "ARE"]) {
                    i += 1;
                }
                if peek_is(i, &["ALL"]) {
                    i += 1;
                }
                if i >= toks.len() {
                    return Err(at_end());
                }
                i += 1;
            }
            "JUSTIFIED" | "JUST" => {
                if peek_is(i, &["RIGHT"]) {
                    i += 1;
                }
            }
            "BLANK" => {
                if peek_is(i, &["WHEN"]) {
                    i += 1;
                }
                if !peek_is(i, &["ZERO", "ZEROS", "ZEROES"]) {
                    return Err(err(t.line, t.col, "expected BLANK WHEN ZERO"));
                }
                i += 1;
            }
            "GLOBAL" | "EXTERNAL" | "IS" => {}
            "SYNC" | "SYNCHRONIZED" => {
                return Err(err(t.line, t.col, "SYNCHRONIZED (alignment slack bytes) is not supported"));
            }
            "DEPENDING" => return Err(err(t.line, t.col, "OCCURS DEPENDING ON is not supported")),
            "RENAMES" => return Err(err(t.line, t.col, "RENAMES belongs to level 66")),
            _ => match usage_of(&w) {
                Some(Ok(usage)) => e.usage = Some(usage),
                Some(Err(msg)) => return Err(err(t.line, t.col, format!("{w}: {msg}"))),
                None => return Err(err(t.line, t.col, format!("unexpected {w}"))),
            },
        }
    }
    Ok(Some(e))
}

// ---------------------------------------------------------------------------------
// Layout.

struct Node {
    e: Entry,
    children: Vec<usize>,
    /// Filled by `resolve`: the kind of an elementary item, the size of one occurrence
    /// and the fields one occurrence unrolls to.
    kind: Option<FieldKind>,
    size: usize,
    count: usize,
}

impl Node {
    fn occurs(&self) -> usize {
        self.e.occurs.unwrap_or(1)
    }

    fn total(&self) -> usize {
        self.size * self.occurs() // checked in `resolve`
    }
}

fn hier_level(level: u8) -> u8 {
    if level == 77 {
        1
    } else {
        level
    }
}

fn too_large(what: &'static str) -> Error {
    Error::TooLarge { what, value: u64::MAX, limit: MAX_RECORD_LEN as u64 }
}

#[derive(Clone, Copy, Default)]
struct Inherited {
    usage: Option<Usage>,
    sign: Option<SignPosition>,
}

fn resolve(nodes: &mut [Node], id: usize, inh: Inherited, opts: &ParseOptions) -> Result<()> {
    let e = nodes[id].e.clone();
    let usage = e.usage.or(inh.usage);
    let sign = e.sign.map(|s| s.0).or(inh.sign);
    let name = e.name.clone().unwrap_or_else(|| "FILLER".into());
    let children = nodes[id].children.clone();
    if e.occurs.is_some() && hier_level(e.level) == 1 {
        return Err(err(e.line, e.col, "OCCURS is not allowed at level 01 or 77"));
    }
    let (size, count, kind) = if let Some((pic, pl, pc)) = e.pic {
        let usage = usage.unwrap_or(Usage::Display);
        if let Some((_, sl, sc)) = e.sign {
            if usage != Usage::Display || pic.class != PicClass::Numeric || !pic.signed {
                return Err(err(sl, sc, "a SIGN clause needs a signed DISPLAY numeric item (PIC S9)"));
            }
        }
        let numeric = |what: &str| -> Result<(u8, u8)> {
            if pic.class != PicClass::Numeric {
                return Err(err(pl, pc, format!("{name}: {what} needs a numeric PICTURE (9, S, V)")));
            }
            Ok((pic.digits as u8, pic.scale as u8))
        };
        let (kind, size) = match usage {
            Usage::Display if pic.class != PicClass::Numeric => (FieldKind::Text, pic.size),
            Usage::Display => {
                let (digits, scale) = numeric("DISPLAY")?;
                let sign = if pic.signed { sign.unwrap_or_default() } else { SignPosition::Trailing };
                let len = pic.digits as usize + usize::from(pic.signed && sign.is_separate());
                (FieldKind::Zoned { digits, scale, signed: pic.signed, sign }, len)
            }
            Usage::Packed => {
                let (digits, scale) = numeric("COMP-3")?;
                (FieldKind::Packed { digits, scale, signed: pic.signed }, digits as usize / 2 + 1)
            }
            Usage::Binary | Usage::Native => {
                let (digits, scale) = numeric("a binary usage")?;
                if digits > 18 {
                    return Err(err(pl, pc, format!("{name}: a binary item has at most 18 digits")));
                }
                let bytes = opts.binary_size.bytes_for(digits as u32);
                let native = usage == Usage::Native;
                (FieldKind::Binary { bytes, digits, scale, signed: pic.signed, native }, bytes as usize)
            }
        };
        (size, 1usize, Some(kind))
    } else {
        if children.is_empty() {
            if let Some((_, sl, sc)) = e.sign {
                return Err(err(sl, sc, "a SIGN clause needs a signed DISPLAY numeric item (PIC S9)"));
            }
            return Err(err(e.line, e.col, format!("{name} has neither a PICTURE nor subordinate items")));
        }
        let inh = Inherited { usage, sign };
        let (mut size, mut count) = (0usize, 0usize);
        let mut prev: Option<usize> = None;
        for &c in &children {
            resolve(nodes, c, inh, opts)?;
            let child = &nodes[c];
            let total = child.size.checked_mul(child.occurs()).ok_or_else(|| too_large("record"))?;
            let child_count = child.count.checked_mul(child.occurs()).ok_or_else(|| too_large("record"))?;
            count = count.checked_add(child_count).ok_or_else(|| too_large("record"))?;
            if let Some((target, rl, rc)) = &child.e.redefines {
                check_redefines(nodes, prev, c, target, *rl, *rc)?;
            } else {
                size = size.checked_add(total).ok_or_else(|| too_large("record"))?;
                prev = Some(c);
            }
        }
        (size, count, None)
    };
    let total = size.checked_mul(e.occurs.unwrap_or(1)).ok_or_else(|| too_large("record"))?;
    if total > MAX_RECORD_LEN {
        return Err(Error::TooLarge { what: "record", value: total as u64, limit: MAX_RECORD_LEN as u64 });
    }
    if count.saturating_mul(e.occurs.unwrap_or(1)) > MAX_FIELDS {
        return Err(Error::TooLarge { what: "copybook fields", value: count as u64, limit: MAX_FIELDS as u64 });
    }
    let n = &mut nodes[id];
    n.size = size;
    n.count = count;
    n.kind = kind;
    Ok(())
}

fn check_redefines(nodes: &[Node], prev: Option<usize>, c: usize, target: &str, line: usize, col: usize) -> Result<()> {
    let child = &nodes[c];
    let Some(p) = prev.filter(|&p| nodes[p].e.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(target))) else {
        return Err(err(
            line,
            col,
            format!("REDEFINES {target}: it must name the item just before it at the same level"),
        ));
    };
    if child.total() > nodes[p].total() {
        return Err(err(
            line,
            col,
            format!(
                "{} ({} bytes) is larger than {target} ({} bytes), which it redefines",
                child.e.name.as_deref().unwrap_or("FILLER"),
                child.total(),
                nodes[p].total()
            ),
        ));
    }
    Ok(())
}

fn subscripted(name: &str, subs: &[usize]) -> String {
    if subs.is_empty() {
        return name.to_string();
    }
    let list: Vec<String> = subs.iter().map(usize::to_string).collect();
    format!("{name}({})", list.join(","))
}

struct Flattener<'a> {
    nodes: &'a [Node],
    subs: Vec<usize>,
    redefinitions: Vec<Redefinition>,
}

impl Flattener<'_> {
    fn item(&mut self, id: usize, offset: usize, out: &mut Vec<Field>) {
        let n = &self.nodes[id];
        for k in 0..n.occurs() {
            if n.e.occurs.is_some() {
                self.subs.push(k + 1);
            }
            let off = offset + k * n.size;
            match n.kind {
                Some(kind) => out.push(Field {
                    name: subscripted(n.e.name.as_deref().unwrap_or("FILLER"), &self.subs),
                    offset: off,
                    len: n.size,
                    kind,
                    filler: n.e.name.is_none(),
                    line: n.e.line,
                }),
                None => self.children(&n.children, off, out),
            }
            if n.e.occurs.is_some() {
                self.subs.pop();
            }
        }
    }

    fn children(&mut self, children: &[usize], offset: usize, out: &mut Vec<Field>) {
        let (mut cur, mut prev_start) = (offset, offset);
        for &c in children {
            let child = &self.nodes[c];
            if let Some((target, ..)) = &child.e.redefines {
                self.redefinition(c, target.clone(), prev_start);
            } else {
                prev_start = cur;
                self.item(c, cur, out);
                cur += child.total();
            }
        }
    }

    fn redefinition(&mut self, c: usize, target: String, offset: usize) {
        let mut fields = Vec::new();
        self.item(c, offset, &mut fields);
        let child = &self.nodes[c];
        self.redefinitions.push(Redefinition {
            name: subscripted(child.e.name.as_deref().unwrap_or("FILLER"), &self.subs),
            redefines: target,
            offset,
            len: child.total(),
            line: child.e.line,
            fields,
        });
    }
}

fn layout(entries: Vec<Entry>, opts: &ParseOptions) -> Result<RecordLayout> {
    let mut nodes: Vec<Node> = Vec::with_capacity(entries.len());
    let mut roots: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for e in entries {
        let lvl = hier_level(e.level);
        if lvl == 1 {
            stack.clear();
        }
        while stack.last().is_some_and(|&top| hier_level(nodes[top].e.level) >= lvl) {
            stack.pop();
        }
        let parent = stack.last().copied();
        let siblings = parent.map_or(&roots, |p| &nodes[p].children);
        if let Some(&first) = siblings.first() {
            let l = hier_level(nodes[first].e.level);
            if l != lvl {
                return Err(err(
                    e.line,
                    e.col,
                    format!("level {lvl:02} does not match level {l:02} of the items beside it"),
                ));
            }
        }
        if let Some(p) = parent {
            if nodes[p].e.pic.is_some() {
                let pname = nodes[p].e.name.clone().unwrap_or_else(|| "FILLER".into());
                return Err(err(e.line, e.col, format!("{pname} has a PICTURE, so it cannot have subordinate items")));
            }
        }
        let id = nodes.len();
        nodes.push(Node { e, children: Vec::new(), kind: None, size: 0, count: 0 });
        match parent {
            Some(p) => nodes[p].children.push(id),
            None => roots.push(id),
        }
        stack.push(id);
    }
    let Some(&first) = roots.first() else {
        return Err(Error::corrupt("copybook", "no data description entries"));
    };
    let is_record = hier_level(nodes[first].e.level) == 1;
    // The roots laid out under an implicit group: a record and its alternatives, or
    // loose items one after another.
    for (k, &r) in roots.iter().enumerate() {
        resolve(&mut nodes, r, Inherited::default(), opts)?;
        if is_record && k > 0 {
            let n = &nodes[r];
            if n.total() > nodes[first].total() {
                return Err(err(
                    n.e.line,
                    n.e.col,
                    format!(
                        "this record ({} bytes) is longer than the first one ({} bytes)",
                        n.total(),
                        nodes[first].total()
                    ),
                ));
            }
        }
    }
    let mut fl = Flattener { nodes: &nodes, subs: Vec::new(), redefinitions: Vec::new() };
    let mut fields = Vec::new();
    let (name, record_len) = if is_record {
        if let Some((_, l, c)) = &nodes[first].e.redefines {
            return Err(err(*l, *c, "the first record cannot redefine another"));
        }
        fl.item(first, 0, &mut fields);
        let target = nodes[first].e.name.clone().unwrap_or_else(|| "FILLER".into());
        for &r in &roots[1..] {
            fl.redefinition(r, target.clone(), 0);
        }
        (nodes[first].e.name.clone(), nodes[first].total())
    } else {
        let mut size = 0usize;
        let mut prev = None;
        for &r in &roots {
            if let Some((target, l, c)) = &nodes[r].e.redefines {
                check_redefines(&nodes, prev, r, target, *l, *c)?;
            } else {
                size = size.checked_add(nodes[r].total()).ok_or_else(|| too_large("record"))?;
                prev = Some(r);
            }
        }
        let count: usize =
            roots.iter().map(|&r| nodes[r].count.saturating_mul(nodes[r].occurs())).fold(0, usize::saturating_add);
        if size > MAX_RECORD_LEN || count > MAX_FIELDS {
            return Err(Error::TooLarge { what: "record", value: size as u64, limit: MAX_RECORD_LEN as u64 });
        }
        fl.children(&roots, 0, &mut fields);
        (None, size)
    };
    let redefinitions = fl.redefinitions;
    Ok(RecordLayout { name, record_len, fields, redefinitions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BANK_TXN: &str = include_str!("../../../tests/cobol/bank_txn.cpy");

    fn parse(src: &str) -> RecordLayout {
        RecordLayout::from_copybook(src).unwrap_or_else(|e| panic!("{e}\n{src}"))
    }

    fn parse_err(src: &str) -> String {
        match RecordLayout::from_copybook(src) {
            Ok(l) => panic!("accepted: {l:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn summary(l: &RecordLayout) -> Vec<(String, usize, usize)> {
        l.fields.iter().map(|f| (f.name.clone(), f.offset, f.len)).collect()
    }

    #[test]
    fn bank_txn() {
        let l = parse(BANK_TXN);
        assert_eq!(l.name.as_deref(), Some("TXN-REC"));
        assert_eq!(l.record_len, 69);
        assert_eq!(
            summary(&l),
            [
                ("TR-ACCT", 0, 10),
                ("TR-DATE", 10, 8),
                ("TR-AMOUNT", 18, 6),
                ("TR-BALANCE", 24, 7),
                ("TR-CODE", 31, 4),
                ("TR-DESC", 35, 30),
                ("TR-COUNTER", 65, 4)
            ]
            .map(|(n, o, l)| (n.to_string(), o, l))
        );
        assert_eq!(
            l.fields[0].kind,
            FieldKind::Zoned { digits: 10, scale: 0, signed: false, sign: SignPosition::Trailing }
        );
        assert_eq!(l.fields[3].kind, FieldKind::Packed { digits: 13, scale: 2, signed: true });
        assert_eq!(l.fields[4].kind, FieldKind::Text);
        assert_eq!(l.fields[6].kind, FieldKind::Packed { digits: 7, scale: 0, signed: false });
        assert_eq!(l.fields[2].line, 5);
        // The same in free format, and with sequence numbers and an identification area.
        let free = "01 TXN-REC.\n 05 TR-ACCT PIC 9(10). *> the account\n05 TR-DATE PIC 9(8).\n05 TR-AMOUNT PIC S9(9)V99 COMP-3.\n05 TR-BALANCE PIC S9(11)V99 COMP-3.\n05 TR-CODE PIC X(4).\n05 TR-DESC PIC X(30).\n05 TR-COUNTER PIC 9(7) COMP-3.";
        assert_eq!(summary(&parse(free)), summary(&l));
        let numbered: String = BANK_TXN
            .lines()
            .enumerate()
            .map(|(i, line)| format!("{:06}{:<66}BANKTXN1\n", (i + 1) * 100, &line[6..]))
            .collect();
        assert_eq!(summary(&parse(&numbered)), summary(&l));
    }

    #[test]
    fn usages_and_sizes() {
        let l = parse(
            "01 R.
               05 A PIC S9(4) COMP.      05 B PIC 9(5) BINARY.    05 C PIC S9(18) COMP-4.
               05 D PIC S9(2) COMPUTATIONAL-5.   05 E PIC S9(3) USAGE IS PACKED-DECIMAL.
               05 F PIC 9(4) COMP-3.    05 G PIC S9V9(3) SIGN IS LEADING SEPARATE CHARACTER.
               05 H PIC S9(3) TRAILING SEPARATE.  05 I PIC S9(3) SIGN LEADING.
               05 J PIC ZZ,ZZ9.99-.  05 K PIC XXBXX.  05 L PICTURE IS 9(3)V99 VALUE 1.5.
               05 M PIC $$$9.99CR.",
        );
        let sizes: Vec<usize> = l.fields.iter().map(|f| f.len).collect();
        assert_eq!(sizes, [2, 4, 8, 2, 2, 3, 5, 4, 3, 10, 5, 5, 9]);
        assert_eq!(l.record_len, sizes.iter().sum::<usize>());
        assert_eq!(l.fields[3].kind, FieldKind::Binary { bytes: 2, digits: 2, scale: 0, signed: true, native: true });
        assert_eq!(
            l.fields[6].kind,
            FieldKind::Zoned { digits: 4, scale: 3, signed: true, sign: SignPosition::LeadingSeparate }
        );
        assert_eq!(l.fields[9].kind, FieldKind::Text);
        let gnu = ParseOptions { binary_size: BinarySize::OneTwoFourEight, ..Default::default() };
        let l = RecordLayout::from_copybook_with("01 R. 05 A PIC 99 COMP. 05 B PIC 9(3) COMP-5.", &gnu).unwrap();
        assert_eq!(l.fields.iter().map(|f| f.len).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn occurs_redefines_filler_and_groups() {
        let l = parse(
            "       01 REC.
                   05 HDR.
                      10 KIND      PIC X.
                      10 FILLER    PIC X(3).
                   05 BODY-A.
                      10 ITEM OCCURS 2 TIMES.
                         15 QTY    PIC S9(3) COMP-3.
                         15 PRICE  PIC 9(2) OCCURS 3.
                   05 BODY-B REDEFINES BODY-A.
                      10 RAW       PIC X(10).
                   05 BODY-C REDEFINES BODY-A PIC X(5).
                   05 TAIL COMP-3.
                      10 T1        PIC S9(5).
                      10           PIC 9.
                      88 T-OK      VALUE 1 THRU 9.",
        );
        assert_eq!(l.record_len, 4 + 2 * (2 + 6) + 3 + 1);
        let names: Vec<&str> = l.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "KIND",
                "FILLER",
                "QTY(1)",
                "PRICE(1,1)",
                "PRICE(1,2)",
                "PRICE(1,3)",
                "QTY(2)",
                "PRICE(2,1)",
                "PRICE(2,2)",
                "PRICE(2,3)",
                "T1",
                "FILLER"
            ]
        );
        assert!(l.fields[1].filler && l.fields[11].filler);
        assert_eq!(l.field("price(2,3)").unwrap().offset, 4 + 8 + 2 + 4);
        assert_eq!(l.fields[10].kind, FieldKind::Packed { digits: 5, scale: 0, signed: true });
        assert_eq!(l.redefinitions.len(), 2);
        assert_eq!(l.redefinitions[0].name, "BODY-B");
        assert_eq!(l.redefinitions[0].redefines, "BODY-A");
        assert_eq!((l.redefinitions[0].offset, l.redefinitions[0].len), (4, 10));
        assert_eq!(l.redefinitions[0].fields[0].name, "RAW");
        assert_eq!((l.redefinitions[1].offset, l.redefinitions[1].len), (4, 5));
        // Offsets cover the record without gaps.
        let mut at = 0;
        for f in &l.fields {
            assert_eq!(f.offset, at, "{}", f.name);
            at += f.len;
        }
        assert_eq!(at, l.record_len);
    }

    #[test]
    fn loose_items_and_alternative_records() {
        let l = parse("05 A PIC X(3).\n05 B PIC 9(2).\n05 C REDEFINES B PIC XX.");
        assert_eq!((l.name.clone(), l.record_len, l.fields.len(), l.redefinitions.len()), (None, 5, 2, 1));
        let l = parse("01 R1. 05 A PIC X(8).\n01 R2. 05 B PIC 9(4). 05 C PIC X(2).");
        assert_eq!(l.record_len, 8);
        assert_eq!(l.redefinitions[0].redefines, "R1");
        assert_eq!(l.redefinitions[0].fields.len(), 2);
    }

    #[test]
    fn refusals_name_line_and_column() {
        let cases = [
            ("01 R.\n   05 N PIC 9(2).\n   05 A PIC X OCCURS 1 TO 5 DEPENDING ON N.", "line 3, column 24"),
            ("01 R.\n   05 A PIC X OCCURS 5 DEPENDING ON N.", "line 2, column 24"),
            ("01 R.\n   05 A COMP-1.", "line 2, column 9"),
            ("01 R.\n   05 A USAGE COMP-2.", "line 2, column 15"),
            ("01 R.\n   05 A POINTER.", "line 2, column 9"),
            ("01 R.\n   05 A INDEX.", "line 2, column 9"),
            ("01 R.\n   05 A PIC 9(4) COMP SYNC.", "line 2, column 23"),
            ("01 R.\n   05 A PIC 9(3)PP.", "line 2, column 17"),
            ("01 R.\n   05 A PIC N(4).", "line 2, column 13"),
            ("01 R.\n   05 A PIC X(4) COMP-3.", "line 2, column 13"),
            ("01 R.\n   05 A PIC 9(19) COMP.", "line 2, column 13"),
            ("01 R.\n   05 A.", "line 2, column 4"),
            ("01 R.\n   05 A PIC X.\n   05 B REDEFINES C PIC X.", "line 3, column 9"),
            ("01 R.\n   05 A PIC X.\n   05 B REDEFINES A PIC XX.", "line 3, column 9"),
            ("01 R.\n   05 A PIC X.\n     10 B PIC X.", "line 3, column 6"),
            ("01 R.\n   05 A PIC X.\n  03 B PIC X.", "line 3, column 3"),
            ("01 R.\n   05 A PIC X WIBBLE.", "line 2, column 15"),
            ("COPY FOO.", "line 1, column 1"),
            ("01 R.\n   05 A PIC X VALUE 'abc.", "line 2, column 21"),
            ("01 R.\n   05 A PIC 9 SIGN LEADING.", "line 2, column 15"),
            ("01 R OCCURS 2.\n   05 A PIC X.", "line 1, column 1"),
            ("       01 R.\n      x05 A PIC X.", "line 2, column 7"),
        ];
        let fixed = ParseOptions { format: SourceFormat::Fixed, ..Default::default() };
        let e = RecordLayout::from_copybook_with("       01 R.\n      x05 A PIC X.", &fixed).unwrap_err().to_string();
        assert!(e.contains("line 2, column 7") && e.contains("indicator"), "{e}");
        for (src, want) in cases {
            let e = parse_err(src);
            assert!(e.contains(want), "{src:?}: {e} (wanted {want})");
        }
        assert!(RecordLayout::from_copybook("").is_err());
        assert!(RecordLayout::from_copybook("      * only a comment\n").is_err());
    }

    #[test]
    fn huge_occurs_is_refused_not_allocated() {
        let src = "01 R.\n 05 G OCCURS 100000.\n  10 H OCCURS 100000.\n   15 A PIC X(100000).";
        assert!(matches!(RecordLayout::from_copybook(src), Err(Error::TooLarge { .. })));
        let src = "01 R.\n 05 G OCCURS 10000.\n  10 H OCCURS 1000.\n   15 A PIC X.";
        assert!(matches!(RecordLayout::from_copybook(src), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn continuation_and_literals() {
        let src = "       01 R.
           05 A PIC X(20) VALUE 'THIS IS A LONG LITERAL THAT
      -    'CONTINUES'.
           05 B PIC X(2) VALUE X\"4142\".
           05 C PIC X(3) VALUE \"a.b \"\" c\".";
        let l = parse(src);
        assert_eq!(summary(&l), [("A", 0, 20), ("B", 20, 2), ("C", 22, 3)].map(|(n, o, l)| (n.to_string(), o, l)));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(s in ".{0,400}") {
            let _ = RecordLayout::from_copybook(&s);
        }

        #[test]
        fn never_panics_on_copybook_like_text(words in prop::collection::vec(prop::sample::select(vec![
            "01", "05", "10", "66", "77", "88", "A", "B", "FILLER", "PIC", "X(3)", "S9(5)V99", "9(0)", "9(", "COMP-3",
            "COMP", "COMP-5", "OCCURS", "3", "TIMES", "REDEFINES", "VALUE", "'x'", "\"", "SIGN", "LEADING", "SEPARATE",
            ".", ". ", "\n", "      *", "*>", "-", "DEPENDING", "ON", "X", "99999999999", "(", ")", "\t",
        ]), 0..60)) {
            let _ = RecordLayout::from_copybook(&words.join(" "));
            let _ = RecordLayout::from_copybook(&words.concat());
        }
    }
}
