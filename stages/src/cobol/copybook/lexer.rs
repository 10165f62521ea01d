//! Tokens of the data description entries: words, literals, periods.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Word(String),
    Literal,
    Period,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
    pub(super) col: usize,
}

impl Token {
    pub(super) fn word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }

    pub(super) fn upper(&self) -> String {
        match &self.tok {
            Tok::Word(w) => w.to_ascii_uppercase(),
            Tok::Literal => "literal".into(),
            Tok::Period => ".".into(),
        }
    }
}

pub(super) fn lex(lines: &[Line]) -> Result<Vec<Token>> {
    let mut toks = Vec::new();
    let mut word: Option<Token> = None;
    // An open literal: its quote character and where it started.
    let mut lit: Option<(char, usize, usize)> = None;
    pub(super) fn flush(word: &mut Option<Token>, toks: &mut Vec<Token>) {
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
