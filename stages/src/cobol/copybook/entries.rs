//! Data description entries: levels, `PIC` strings, usages, signs, `OCCURS`, `REDEFINES`.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Usage {
    Display,
    Packed,
    Binary,
    Native,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PicClass {
    Alphanumeric,
    Numeric,
    Edited,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Pic {
    pub(super) class: PicClass,
    /// Character positions (bytes as `DISPLAY`).
    pub(super) size: usize,
    pub(super) digits: u32,
    pub(super) scale: u32,
    pub(super) signed: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) level: u8,
    pub(super) name: Option<String>,
    pub(super) line: usize,
    pub(super) col: usize,
    pub(super) pic: Option<(Pic, usize, usize)>,
    pub(super) usage: Option<Usage>,
    pub(super) sign: Option<(SignPosition, usize, usize)>,
    pub(super) occurs: Option<usize>,
    pub(super) redefines: Option<(String, usize, usize)>,
}

/// A usage word: `Some(Ok)` for the ones laid out here, `Some(Err)` for those refused.
pub(super) fn usage_of(w: &str) -> Option<std::result::Result<Usage, &'static str>> {
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

pub(super) fn is_clause_word(w: &str) -> bool {
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
pub(super) fn parse_pic(s: &str, line: usize, col: usize) -> Result<Pic> {
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
pub(super) fn parse_entries(tokens: &[Token]) -> Result<Vec<Entry>> {
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

pub(super) fn parse_entry(toks: &[Token]) -> Result<Option<Entry>> {
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
