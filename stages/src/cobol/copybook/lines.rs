//! Source lines: fixed or free format, comments, continuation, as the compiler reads them.

use super::*;

pub(super) struct Line {
    pub(super) no: usize,
    /// (1-based column, character) of the code area.
    pub(super) chars: Vec<(usize, char)>,
    pub(super) continuation: bool,
}

/// A line's characters with tabs expanded to the next multiple of 8 columns.
pub(super) fn expand_tabs(raw: &str) -> Vec<char> {
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

pub(super) fn is_blank(chars: &[char]) -> bool {
    chars.iter().all(|c| c.is_whitespace())
}

pub(super) fn looks_fixed(src: &str) -> bool {
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
pub(super) fn directive_format(text: &str) -> Option<SourceFormat> {
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

pub(super) fn code_lines(src: &str, format: SourceFormat) -> Result<Vec<Line>> {
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
