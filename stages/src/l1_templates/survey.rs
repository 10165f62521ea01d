//! The survey of a block before its split: the lines, each field's shape, the
//! timestamps found, and which address-like fields come back often enough to be words.

use super::*;

/// The shape of a field: its text with numbers and digit words as slots, hashed as
/// the tokens come (static text never holds a byte of 0x80 or above: those are word
/// bytes, so such bytes mark the slots); and whether the field is *plain*, without a
/// digit, so one piece of text that is its own shape.
pub(super) fn shape(field: &[u8]) -> (u64, bool) {
    if !has_no_digit(field) {
        return (shape_of_tokens(field), false);
    }
    // What tokenizing it would give: the whole field as one piece of text.
    let mut h = FastBuild.build_hasher();
    h.write(field);
    (h.finish(), true)
}

/// [`shape`], from the field's tokens.
pub(super) fn shape_of_tokens(field: &[u8]) -> u64 {
    let mut h = FastBuild.build_hasher();
    tokenize(field, |t| match t {
        Token::Static(s) => h.write(s),
        Token::Number { .. } => h.write(&[0x80 | ITEM_NUMBER]),
        Token::Word(_) => h.write(&[0x80 | ITEM_WORD]),
    });
    h.finish()
}

/// Whether `field` holds no ASCII digit, and so no number or variable word.
pub(super) fn has_no_digit(field: &[u8]) -> bool {
    // Every byte is looked at (no early exit), which the compiler turns into vector
    // compares; fields are short.
    !field.iter().fold(false, |any, &b| any | b.is_ascii_digit())
}

/// The most timestamps taken from one line.
pub(super) const MAX_TIMES_PER_LINE: usize = 4;

/// Finds the timestamps of lines, trying first the places and forms of the line
/// before: the lines of one log put their times in one place.
#[derive(Default)]
pub(super) struct TimeFinder {
    pub(super) previous: Vec<(usize, u8)>,
}

impl TimeFinder {
    /// Finds the timestamps of `line` starting before `span` (past the first bytes,
    /// only after a quote, a bracket or `separator`).
    pub(super) fn find(&mut self, line: &[u8], (span, separator): (usize, u8), out: &mut Vec<Found>) {
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
                let Some(f) = timestamps::find_before(line, from, span, separator) else { break };
                from = f.start + f.len;
                out.push(f);
            }
            self.previous.clear();
            self.previous.extend(out[first..].iter().map(|f| (f.start, f.format)));
        }
    }
}

/// Takes the fraction out of every timestamp of a form whose fraction is zero all
/// through the block (`.000` where a writer had seconds only): they are written in
/// the form without it, and the zeros become template text. A column of
/// milliseconds that are all whole seconds codes each difference in a byte or two
/// more than the seconds do, and two columns of one time in two forms (an ECS
/// document's `@timestamp` and its message's) then hold the same differences.
pub(super) fn drop_zero_fractions(times: &mut [Found]) {
    let mut fraction = [FractionUse::None; timestamps::FORMAT_COUNT];
    for t in times.iter() {
        if let Some((_, digits)) = timestamps::without_fraction(t.format) {
            let zero = t.value.rem_euclid(10i64.pow(u32::from(digits))) == 0;
            let used = &mut fraction[usize::from(t.format)];
            *used = match (*used, zero) {
                (FractionUse::None | FractionUse::Zero, true) => FractionUse::Zero,
                _ => FractionUse::Used,
            };
        }
    }
    for t in times.iter_mut() {
        if fraction[usize::from(t.format)] == FractionUse::Zero {
            let (twin, digits) = timestamps::without_fraction(t.format).expect("a form with a twin");
            t.format = twin;
            t.value /= 10i64.pow(u32::from(digits));
            t.len -= 1 + usize::from(digits);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FractionUse {
    None,
    Zero,
    Used,
}

/// Calls `each` with the stretches of `line` between its timestamps `times`, in
/// line order.
pub(super) fn between_times<'a>(line: &'a [u8], times: &[Found], mut each: impl FnMut(&'a [u8])) {
    let mut pos = 0;
    for t in times {
        each(&line[pos..t.start]);
        pos = t.start + t.len;
    }
    each(&line[pos..]);
}

/// The lines of `body`: what lies between its `\n` bytes, as `split` on them gives,
/// found with a vectorized search.
pub(super) fn lines_of(body: &[u8]) -> impl Iterator<Item = &[u8]> {
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
pub(super) struct Survey {
    pub(super) times: Vec<Found>,
    pub(super) line_times: Vec<u32>,
    pub(super) fields: Vec<FieldSpan>,
    pub(super) line_fields: Vec<u32>,
    pub(super) counts: Vec<u32>,
    /// By a field's index in its line: whether IPv4 addresses there are coded as
    /// words (see [`address_as_word`]).
    pub(super) address_words: Vec<bool>,
}

/// A field of a line: where it lies in the line, and its shape (as a number, in
/// order of the shapes' first appearance), or [`SPACED`].
pub(super) struct FieldSpan {
    /// Offsets in the line, which is a piece of a block (at most
    /// `l8_seal::MAX_BLOCK_LEN` bytes, far under 4 GiB): 16 bytes a field, not 24.
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) shape: u32,
    /// No digit in it: the field is one piece of template text, its own shape.
    pub(super) plain: bool,
    /// A value of a structured line ([`Piece::Value`]): a variable even when plain.
    pub(super) value: bool,
}

impl FieldSpan {
    /// Where the field lies in its line.
    pub(super) fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The shape of a field with a space in it: such a field is always a word.
pub(super) const SPACED: u32 = u32::MAX;

/// An IPv4 address in dotted decimal: four runs of 1 to 3 digits between dots.
pub(super) fn is_address(f: &[u8]) -> bool {
    // Most fields are not addresses: told by their length and first byte without the
    // walk over their parts.
    if !(7..=15).contains(&f.len()) || !f[0].is_ascii_digit() {
        return false;
    }
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
pub(super) const ADDRESS_FIELDS: usize = 32;

/// How often the addresses at one field index come back.
#[derive(Default)]
pub(super) struct AddressStats<'a> {
    pub(super) seen: FastSet<&'a [u8]>,
    pub(super) count: usize,
}

/// Whether the addresses at a field index are better coded as words (a reference to
/// a recently seen address, or its text) than as four number columns: when at least
/// half of them repeat one seen before in the block. The clients of an access log
/// come back request after request, and a reference costs a byte where four deltas
/// between unrelated addresses cost four or more; forwarded addresses that never
/// repeat stay numbers, which code smaller than their text.
pub(super) fn address_as_word(stats: &AddressStats<'_>) -> bool {
    stats.count >= 16 && (stats.count - stats.seen.len()) * 2 >= stats.count
}

/// The survey of every line of `body`.
#[cfg(test)]
pub(super) fn survey(body: &[u8]) -> Survey {
    let lines: Vec<&[u8]> = lines_of(body).collect();
    survey_lines(&lines, &BlockCut::of(body))
}

/// The survey of `lines`, cut as `block_cut` says.
/// Lines surveyed before the list of fields is given room for the block's.
const RESERVE_AFTER_LINES: usize = 64;

pub(super) fn survey_lines<'a>(lines: &[&'a [u8]], block_cut: &BlockCut) -> Survey {
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
    for &line in lines {
        survey.line_times.push(survey.times.len() as u32);
        finder.find(line, block_cut.time_search(line), &mut survey.times);
    }
    survey.line_times.push(survey.times.len() as u32);
    drop_zero_fractions(&mut survey.times);
    survey.line_fields.reserve(lines.len() + 1);
    for (line_index, &line) in lines.iter().enumerate() {
        if line_index == RESERVE_AFTER_LINES {
            // Room for the rest of the block's fields at the first lines' rate and a
            // quarter more: grown by doubling, the list was copied a dozen times over
            // and its old copies held at the peak. With the 16-byte spans, peak memory
            // compressing `nginx_access.log` with one thread 27.4-28.9 -> 24.3 MB;
            // speed the same within the host's noise (about 1%).
            let rest = survey.fields.len() / RESERVE_AFTER_LINES * (lines.len() - line_index);
            survey.fields.reserve(rest + rest / 4);
        }
        let line_times = survey.line_times[line_index] as usize..survey.line_times[line_index + 1] as usize;
        survey.line_fields.push(survey.fields.len() as u32);
        let mut cut = block_cut.line(line);
        let Survey { times, fields: spans, counts, .. } = &mut survey;
        let mut index = 0;
        between_times(line, &times[line_times.clone()], |text| {
            let each = |f: &'a [u8], piece: Piece| {
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
                    spans.push(FieldSpan {
                        start: start as u32,
                        end: (start + f.len()) as u32,
                        shape: id,
                        plain,
                        value: piece == Piece::Value,
                    });
                    if index < ADDRESS_FIELDS && is_address(f) {
                        if addresses.len() <= index {
                            addresses.resize_with(index + 1, AddressStats::default);
                        }
                        addresses[index].count += 1;
                        addresses[index].seen.insert(f);
                    }
                    index += 1;
                }
            };
            cut.cut(line, text, each);
        });
    }
    survey.line_fields.push(survey.fields.len() as u32);
    survey.address_words = addresses.iter().map(address_as_word).collect();
    survey
}
