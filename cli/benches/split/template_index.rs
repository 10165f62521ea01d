//! A template index for the split bench's `index` column: the block's templates
//! merged into a trie of their items, which a line walks once to find its template,
//! where the matching splits of 2026-12-05 tried templates one after another (up to
//! 16 a line, most failing late: docs/ARCHITECTURE.md, "The matching split").
//!
//! Children are tried most specific first: static text (the longest first, so that
//! `" "Prometheus/` wins over `" "` followed by a word), then timestamps, numbers,
//! and last a word. A word ends where its run of word bytes does if a text follows
//! there, else where a text after it first starts (holding a space only between
//! quotes, as the cut makes words), at the line's end where the template ends, or
//! after its run where a slot follows; it is empty only where a text follows at once
//! (a JSON value `""`). The first template reached with the line used up is the
//! line's; a walk of more than [`MAX_VISITS`] nodes gives up.

use cobol_protocol::layers::l1_templates::{timestamps, TemplateItem};

/// Nodes a line may visit before its walk gives up.
const MAX_VISITS: usize = 256;

#[derive(Default)]
struct Node<'t> {
    /// Each text's first byte, in the order of `texts`: told apart without a load
    /// through each text's pointer.
    firsts: Vec<u8>,
    /// Sorted by first byte, then longest first.
    texts: Vec<(&'t [u8], usize)>,
    times: Vec<(u8, usize)>,
    number: Option<usize>,
    word: Option<usize>,
    /// The template that ends here.
    end: Option<usize>,
}

impl<'t> Node<'t> {
    /// The texts that start with `first`.
    #[inline(always)]
    fn texts_from(&self, first: u8) -> &[(&'t [u8], usize)] {
        let Some(from) = self.firsts.iter().position(|&b| b == first) else { return &[] };
        let to = from + self.firsts[from..].iter().take_while(|&&b| b == first).count();
        &self.texts[from..to]
    }

    fn any_text_at(&self, line: &[u8], at: usize) -> bool {
        line.get(at).is_some_and(|&b| self.texts_from(b).iter().any(|(text, _)| starts_at(line, at, text)))
    }
}

/// The templates of a block, merged by common prefix.
pub struct TemplateIndex<'t> {
    nodes: Vec<Node<'t>>,
}

impl<'t> TemplateIndex<'t> {
    /// The index of `templates`, each a template's items in order (its id its place).
    pub fn new(templates: &[Vec<TemplateItem<'t>>]) -> TemplateIndex<'t> {
        let mut index = TemplateIndex { nodes: vec![Node::default()] };
        for (id, items) in templates.iter().enumerate() {
            let mut node = 0;
            for item in items {
                node = index.child(node, *item);
            }
            index.nodes[node].end.get_or_insert(id);
        }
        for node in &mut index.nodes {
            node.texts.sort_by_key(|(text, _)| (text[0], std::cmp::Reverse(text.len())));
            node.firsts = node.texts.iter().map(|(text, _)| text[0]).collect();
        }
        index
    }

    fn child(&mut self, node: usize, item: TemplateItem<'t>) -> usize {
        let fresh = self.nodes.len();
        let n = &mut self.nodes[node];
        let slot = match item {
            TemplateItem::Text(text) => match n.texts.iter().find(|(t, _)| *t == text) {
                Some(&(_, child)) => return child,
                None => {
                    n.texts.push((text, fresh));
                    return self.push();
                }
            },
            TemplateItem::Time(form) => match n.times.iter().find(|(f, _)| *f == form) {
                Some(&(_, child)) => return child,
                None => {
                    n.times.push((form, fresh));
                    return self.push();
                }
            },
            TemplateItem::Number => &mut n.number,
            TemplateItem::Word => &mut n.word,
        };
        match *slot {
            Some(child) => child,
            None => {
                *slot = Some(fresh);
                self.push()
            }
        }
    }

    fn push(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    /// The template `line` follows, found in one walk, and a checksum of the values
    /// taken out on the way (so that the walk's work is not optimized away).
    pub fn find(&self, line: &[u8]) -> Option<(usize, u64)> {
        let mut visits = 0;
        self.walk(0, line, 0, &mut visits)
    }

    fn walk(&self, node: usize, line: &[u8], pos: usize, visits: &mut usize) -> Option<(usize, u64)> {
        *visits += 1;
        if *visits > MAX_VISITS {
            return None;
        }
        let n = &self.nodes[node];
        let rest = &line[pos..];
        let Some(&first) = rest.first() else { return n.end.map(|id| (id, 0)) };
        for &(text, child) in n.texts_from(first) {
            if starts_at(line, pos, text) {
                if let Some(found) = self.walk(child, line, pos + text.len(), visits) {
                    return Some(found);
                }
            }
        }
        for &(form, child) in &n.times {
            if let Some(time) = timestamps::at_format(line, pos, form) {
                if let Some((id, sum)) = self.walk(child, line, pos + time.len, visits) {
                    return Some((id, sum.wrapping_add(time.value as u64)));
                }
            }
        }
        if let Some(child) = n.number {
            let digits = rest.iter().take(19).take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 {
                let value = rest[..digits].iter().fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
                if let Some((id, sum)) = self.walk(child, line, pos + digits, visits) {
                    return Some((id, sum.wrapping_add(value)));
                }
            }
        }
        match n.word {
            Some(child) => self.walk_word(child, line, pos, visits),
            None => None,
        }
    }

    fn walk_word(&self, child: usize, line: &[u8], pos: usize, visits: &mut usize) -> Option<(usize, u64)> {
        let after = &self.nodes[child];
        let run_end = pos + line[pos..].iter().take_while(|&&b| is_word_byte(b)).count();
        let try_end = |end: usize, visits: &mut usize| {
            self.walk(child, line, end, visits).map(|(id, sum)| (id, sum.wrapping_add((end - pos) as u64)))
        };
        if run_end == pos && after.any_text_at(line, pos) {
            if let Some(found) = try_end(pos, visits) {
                return Some(found);
            }
        }
        if run_end > pos && after.any_text_at(line, run_end) {
            if let Some(found) = try_end(run_end, visits) {
                return Some(found);
            }
        }
        let quoted = pos > 0 && line[pos - 1] == b'"';
        let limit = if quoted {
            line.len()
        } else {
            // A text may start at the first space after the word's first byte.
            line.get(pos + 1..).and_then(|r| memchr::memchr(b' ', r)).map_or(line.len(), |p| pos + 2 + p)
        };
        for &(text, _) in &after.texts {
            if let Some(at) = find_from(&line[..limit], pos + 1, text) {
                if at != run_end && starts_at(line, at, text) {
                    if let Some(found) = try_end(at, visits) {
                        return Some(found);
                    }
                }
            }
        }
        if after.end.is_some() && pos < line.len() {
            if let Some(found) = try_end(line.len(), visits) {
                return Some(found);
            }
        }
        if run_end > pos && (after.number.is_some() || after.word.is_some() || !after.times.is_empty()) {
            return try_end(run_end, visits);
        }
        None
    }
}

/// A byte of a word's run, as the tokenizer's word bytes.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether `text` starts at `at` in `line`; texts of up to 8 bytes (most are a
/// delimiter or two) in one masked compare, without a call to `memcmp`.
#[inline(always)]
fn starts_at(line: &[u8], at: usize, text: &[u8]) -> bool {
    let n = text.len();
    if n <= 8 {
        if let Some(window) = line.get(at..at + 8) {
            let mut t = [0u8; 8];
            t[..n].copy_from_slice(text);
            let l = u64::from_le_bytes(window.try_into().expect("8 bytes"));
            let mask = if n == 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 };
            return (l ^ u64::from_le_bytes(t)) & mask == 0;
        }
    }
    line.get(at..at + n) == Some(text)
}

/// The first place at or after `from` where `text` starts in `line`, or where its
/// start runs into the end of `line` (the caller compares it whole).
fn find_from(line: &[u8], from: usize, text: &[u8]) -> Option<usize> {
    let first = *text.first()?;
    let mut at = from;
    loop {
        at += memchr::memchr(first, line.get(at..)?)?;
        let n = text.len().min(line.len() - at);
        if line[at..at + n] == text[..n] {
            return Some(at);
        }
        at += 1;
    }
}
