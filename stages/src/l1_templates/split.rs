//! The split: a block of log lines into templates and the streams of their values.
//!
//! Two steps: the lines are cut ([`cut_lines`]: the survey, then each line's template
//! key and values), and what the cut found is written line after line
//! ([`StreamWriter`]: the dictionary, the ids, columns, the streams).

use super::*;

/// A field whose shape fewer than one line in this many has (and fewer than two) is
/// stored whole as a variable word: a path, a user agent, a query would otherwise make
/// a template of nearly every line.
pub(super) const RARE_SHAPE_LINES: usize = 100;

/// Splits `block` into templates and variable streams.
pub fn split(block: &[u8]) -> Split {
    let (body, ends_with_newline) = match block.strip_suffix(b"\n") {
        Some(body) => (body, true),
        None => (block, false),
    };
    let lines: Vec<&[u8]> = lines_of(body).collect();
    let mut word_ids = WordIds::default();
    let mut writer = StreamWriter::new();
    cut_lines(&lines, &BlockCut::of(body), &mut word_ids, |id, key, values| writer.line(id, key, values));
    writer.finish(ends_with_newline, &word_ids)
}

/// One line's values, as the cut found them.
struct LineValues<'v> {
    /// Each number slot's value and leading zeros.
    numbers: &'v [(u64, u8)],
    /// Each word slot's word, by [`WordIds`] id.
    words: &'v [u32],
    /// Each timestamp's form and value.
    times: &'v [(u8, i64)],
}

/// Cuts `lines` into template keys and values by the survey's rules, a shape that
/// fewer than one line in [`RARE_SHAPE_LINES`] has (and fewer than two) being a word;
/// calls `each` with every line's template id (ids in order of first use), its key and
/// its values, in line order.
fn cut_lines<'a>(
    lines: &[&'a [u8]],
    block_cut: &BlockCut,
    word_ids: &mut WordIds<'a>,
    mut each: impl FnMut(u32, &[u8], LineValues<'_>),
) {
    let Survey { times, line_times, fields: spans, line_fields, counts, address_words } =
        survey_lines(lines, block_cut);
    let common = (lines.len().saturating_sub(1) / RARE_SHAPE_LINES).max(2) as u32;
    let mut ids: FastMap<Vec<u8>, u32> = FastMap::default();
    let mut builder = KeyBuilder::default();
    let mut last_key: Option<(Vec<u8>, u32)> = None;
    let (mut numbers, mut words, mut line_values) = (Vec::new(), Vec::new(), Vec::new());
    for (line_index, &line) in lines.iter().enumerate() {
        builder.clear();
        numbers.clear();
        words.clear();
        line_values.clear();
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
        let time = |builder: &mut KeyBuilder, pos: &mut usize, t: &Found, out: &mut Vec<(u8, i64)>| {
            static_to(builder, pos, t.start);
            builder.time(t.format);
            out.push((t.format, t.value));
            *pos = t.start + t.len;
        };
        for (index, span) in line_spans.iter().enumerate() {
            while let Some(t) = line_times.next_if(|t| t.start < span.start as usize) {
                time(&mut builder, &mut pos, t, &mut line_values);
            }
            let range = span.range();
            static_to(&mut builder, &mut pos, range.start);
            pos = range.end;
            let f = &line[range];
            let address_word = address_words.get(index).copied().unwrap_or(false) && survey::is_address(f);
            if address_word
                || span.shape == SPACED
                || counts[span.shape as usize] < common
                || (span.plain && span.value)
            {
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
            time(&mut builder, &mut pos, t, &mut line_values);
        }
        static_to(&mut builder, &mut pos, line.len());
        let key = builder.finish();
        // Most lines have the template of the line before: compared first, without
        // hashing the key.
        let id = match &last_key {
            Some((last, id)) if last.as_slice() == key => *id,
            _ => {
                let id = match ids.get(key) {
                    Some(&id) => id,
                    None => {
                        let id = ids.len() as u32;
                        ids.insert(key.to_vec(), id);
                        id
                    }
                };
                let (last, last_id) = last_key.get_or_insert_with(|| (Vec::new(), id));
                last.clear();
                last.extend_from_slice(key);
                *last_id = id;
                id
            }
        };
        each(id, key, LineValues { numbers: &numbers, words: &words, times: &line_values });
    }
}

/// The streams of a split, written line after line in block order.
struct StreamWriter {
    /// Each new template's key and its end mark: the templates as the stream has them.
    dictionary: Vec<u8>,
    /// By template id: its rows of values.
    columns: Vec<Column>,
    /// By template id: its timestamp slots' forms, and their values row after row.
    times: Vec<(Vec<u8>, Vec<i64>)>,
    /// Each line's template id.
    line_ids: Vec<u32>,
    lines: u64,
    out: Split,
}

impl StreamWriter {
    fn new() -> StreamWriter {
        StreamWriter {
            dictionary: Vec::new(),
            columns: Vec::new(),
            times: Vec::new(),
            line_ids: Vec::new(),
            lines: 0,
            out: Split::default(),
        }
    }

    /// Adds the next line: template `id` (one more than the last new one when it is
    /// new), whose key is `key`, and its values.
    fn line(&mut self, id: u32, key: &[u8], values: LineValues<'_>) {
        self.lines += 1;
        if id as usize == self.columns.len() {
            self.dictionary.extend_from_slice(key);
            self.dictionary.extend_from_slice(&[b'\n', TEMPLATE_END]);
            self.columns.push(Column {
                number_slots: values.numbers.len(),
                word_slots: values.words.len(),
                numbers: Vec::new(),
                words: Vec::new(),
            });
            self.times.push((values.times.iter().map(|&(form, _)| form).collect(), Vec::new()));
        }
        varint::put(&mut self.out.ids, u64::from(id));
        self.line_ids.push(id);
        let column = &mut self.columns[id as usize];
        column.numbers.extend_from_slice(values.numbers);
        column.words.extend_from_slice(values.words);
        self.times[id as usize].1.extend(values.times.iter().map(|&(_, value)| value));
    }

    /// The split, its word slots' words numbered as in `word_ids`.
    fn finish(self, ends_with_newline: bool, word_ids: &WordIds<'_>) -> Split {
        let StreamWriter { dictionary, mut columns, times, line_ids, lines, mut out } = self;
        let dictionary = fold_constants(&dictionary, &mut columns, word_ids);
        // Version 6 where runs of hexadecimal digits are packed (below).
        out.templates.push(SPLIT_VERSION_5);
        // Words end with newlines unless the block's lengths say otherwise (below).
        let ends = if ends_with_newline { FLAG_ENDS_WITH_NEWLINE } else { 0 };
        out.templates.push(ends | FLAG_WORDS_ENDED);
        varint::put(&mut out.templates, lines);
        varint::put(&mut out.templates, columns.len() as u64);
        out.templates.extend_from_slice(&dictionary);
        let mut recent: FastMap<WordContext, RecentWords> = FastMap::default();
        // Whether each word has been in any list yet: one that has not is new to its
        // list too, without a look through it (most words of a free-text block are new).
        let mut listed = vec![false; word_ids.words.len()];
        let mut keyed = KeyedValues::default();
        let mut new_words = NewWordLengths::default();
        // The templates as the decoder reads them: contexts and keys come from one place.
        let written = Dictionary::read(&out.templates, usize::MAX).expect("the templates this split wrote");
        // Columns equal to an earlier one of their template, listed first in `zeros`.
        let sources: Vec<_> = columns
            .iter()
            .map(|c| (equal_earlier(&c.numbers, c.number_slots), equal_earlier(&c.words, c.word_slots)))
            .collect();
        let mut relations = RelationList::default();
        for (template, (numbers, words)) in sources.iter().enumerate() {
            relations.add(template, numbers, words);
        }
        relations.write(&mut out.zeros);
        let (mut values, mut keys, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        // Each template's slots, in vectors reused from one template to the next.
        let (mut contexts, mut key_slots) = (Vec::new(), Vec::new());
        // Each column's keyed flag and padding, after the list of coded columns that
        // only the whole block's columns make.
        let (mut column_zeros, mut coded) = (Vec::new(), number_coding::CodedColumns::default());
        for (template, ((column, (key, items)), (number_sources, word_sources))) in
            columns.iter().zip(written.templates()).zip(&sources).enumerate()
        {
            word_contexts_into(key, items, &mut contexts);
            number_keys_into(items, &mut key_slots);
            for (slot, &key_slot) in key_slots.iter().enumerate() {
                if number_sources[slot].is_some() {
                    continue;
                }
                column.number_column(slot, &mut values);
                let values = &values[..];
                let plain = NumberColumn::Plain.deltas(values, &[], &mut keyed);
                // Every stored difference takes a bit at least: where the plain ones
                // are nearly all zero, keyed ones cannot take a tenth fewer.
                let plain_bits = delta_bits(&plain);
                let keyed = key_slot.filter(|_| values.len() as u64 * 10 < plain_bits * 9).and_then(|k| {
                    keyed.start_column(word_ids.words.len());
                    column.word_column(k, &mut keys);
                    let keyed = NumberColumn::Keyed.deltas(values, &keys, &mut keyed);
                    (delta_bits(&keyed) * 10 < plain_bits * 9).then_some(keyed)
                });
                if let Some(keyed) = keyed {
                    column_zeros.push(1);
                    keyed.into_iter().for_each(|z| varint::put(&mut out.numbers, z));
                } else if let Some((coding, sequences)) = number_coding::l3_coding(values, plain_bits) {
                    // Listed, not flagged: the list says it is not keyed.
                    coded.push(template, slot, coding);
                    number_coding::write_values(&sequences, &mut out.numbers);
                } else {
                    if key_slot.is_some() {
                        column_zeros.push(0);
                    }
                    plain.into_iter().for_each(|z| varint::put(&mut out.numbers, z));
                }
                write_padding(values, &mut column_zeros);
            }
            for (slot, &context) in contexts.iter().enumerate() {
                if word_sources[slot].is_some() {
                    continue;
                }
                column.word_column(slot, &mut ids);
                let recent = recent.entry(context).or_default();
                for &id in &ids {
                    let seen = std::mem::replace(&mut listed[id as usize], true);
                    match recent.find(id, seen) {
                        Some(rank) => varint::put(&mut out.word_refs, rank as u64 + 1),
                        None => {
                            let w = word_ids.words[id as usize];
                            out.word_refs.push(0);
                            new_words.add(w);
                            out.words.extend_from_slice(w);
                            out.words.push(b'\n');
                        }
                    }
                }
            }
        }
        if !new_words.ended_pays() {
            out.templates[1] &= !FLAG_WORDS_ENDED;
            new_words.into_lengths(&mut out.words, &mut out.word_lens);
        }
        if let Some((words, hex_runs)) = hex_runs::pack(&out.words) {
            out.templates[0] = SPLIT_VERSION;
            (out.words, out.hex_runs) = (words, hex_runs);
        }
        coded.write(&mut out.zeros);
        out.zeros.extend_from_slice(&column_zeros);
        write_times(&times, &line_ids, &mut out.times);
        out
    }
}

/// The templates of `dictionary` (keys, each with its end mark) with every number
/// and word slot that holds one value on every line of its template, on two lines or
/// more, written as the template's text, and those slots taken out of `columns`.
fn fold_constants(dictionary: &[u8], columns: &mut [Column], word_ids: &WordIds<'_>) -> Vec<u8> {
    // How many templates use each word: a word that several use is stored once and
    // referred to, where as text it would be written into each of them.
    let mut templates_using = vec![0u32; word_ids.words.len()];
    let mut last_template = vec![u32::MAX; word_ids.words.len()];
    for (template, column) in columns.iter().enumerate() {
        for &id in &column.words {
            if std::mem::replace(&mut last_template[id as usize], template as u32) != template as u32 {
                templates_using[id as usize] += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(dictionary.len());
    let (mut pos, mut items) = (0, Vec::new());
    for column in columns.iter_mut() {
        items.clear();
        let key = read_tagged_template(dictionary, &mut pos, &mut items).expect("the keys this split built");
        let rows = column
            .numbers
            .len()
            .checked_div(column.number_slots)
            .or_else(|| column.words.len().checked_div(column.word_slots))
            .unwrap_or(0);
        let constant_number = |slot: usize| {
            let first = column.numbers[slot];
            column.numbers.iter().skip(slot).step_by(column.number_slots).all(|&v| v == first)
        };
        let constant_word = |slot: usize| {
            let first = column.words[slot];
            templates_using[first as usize] == 1
                && column.words.iter().skip(slot).step_by(column.word_slots).all(|&v| v == first)
        };
        let fold_numbers: Vec<bool> = (0..column.number_slots).map(|s| rows >= 2 && constant_number(s)).collect();
        let fold_words: Vec<bool> = (0..column.word_slots).map(|s| rows >= 2 && constant_word(s)).collect();
        let (mut number, mut word) = (0, 0);
        for item in &items {
            match *item {
                Item::Static(ref range) => out.extend_from_slice(&key[range.clone()]),
                Item::Number => {
                    if fold_numbers[number] {
                        let (value, zeros) = column.numbers[number];
                        tokens::write_number(value, zeros, &mut out);
                    } else {
                        out.extend_from_slice(&[b'\n', ITEM_NUMBER]);
                    }
                    number += 1;
                }
                Item::Word => {
                    if fold_words[word] {
                        out.extend_from_slice(word_ids.words[column.words[word] as usize]);
                    } else {
                        out.extend_from_slice(&[b'\n', ITEM_WORD]);
                    }
                    word += 1;
                }
                Item::Time(form) => out.extend_from_slice(&[b'\n', ITEM_TIME, form]),
            }
        }
        out.extend_from_slice(&[b'\n', TEMPLATE_END]);
        drop_slots(&mut column.numbers, &mut column.number_slots, &fold_numbers);
        drop_slots(&mut column.words, &mut column.word_slots, &fold_words);
    }
    out
}

/// Takes the slots that `dropped` marks out of `rows`, a row-major matrix of `slots`
/// columns, and `slots` down to those left.
fn drop_slots<T: Copy>(rows: &mut Vec<T>, slots: &mut usize, dropped: &[bool]) {
    if !dropped.contains(&true) {
        return;
    }
    let old = std::mem::take(rows);
    *rows = old
        .chunks_exact(*slots)
        .flat_map(|row| row.iter().zip(dropped).filter(|(_, &d)| !d).map(|(&v, _)| v))
        .collect();
    *slots = dropped.iter().filter(|&&d| !d).count();
}

/// The lengths of a split's new words, which decide how `words` ends them: by a
/// newline, or by lengths in `word_lens` ([`FLAG_WORDS_ENDED`]).
#[derive(Default)]
struct NewWordLengths {
    lengths: Vec<u32>,
    /// How many words have each length (255 and more counted as one).
    counts: Vec<u32>,
    /// Whether a word holds a newline (none does: words are pieces of lines; checked,
    /// since with [`FLAG_WORDS_ENDED`] a newline ends a word).
    newline_inside: bool,
}

impl NewWordLengths {
    fn add(&mut self, word: &[u8]) {
        self.lengths.push(word.len() as u32);
        if self.counts.is_empty() {
            self.counts = vec![0; 256];
        }
        self.counts[word.len().min(255)] += 1;
        self.newline_inside |= memchr::memchr(b'\n', word).is_some();
    }

    /// Whether newlines are the way to end the words: unless nearly all have one
    /// length, as a column of fixed-width ids (lengths whose order-0 entropy is under
    /// a bit a word cost next to nothing after L7; a newline after each random id
    /// would not: 5% more for `nginx_json.log`'s words, where newlines made 13 other
    /// corpus logs' words and their lengths 4-9% smaller together, and Linux's and
    /// OpenSSH's 1.5-2.4% larger, a few dozen bytes).
    fn ended_pays(&self) -> bool {
        let n = self.lengths.len() as f64;
        let entropy: f64 = self
            .counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = f64::from(c) / n;
                -p * p.log2()
            })
            .sum();
        !self.newline_inside && (self.lengths.is_empty() || entropy >= 1.0)
    }

    /// Rewrites `words`, each word ended by a newline, as the words alone with their
    /// lengths in `lengths_out`.
    fn into_lengths(self, words: &mut Vec<u8>, lengths_out: &mut Vec<u8>) {
        let ended = std::mem::take(words);
        let mut at = 0;
        for len in self.lengths {
            let len = len as usize;
            varint::put(lengths_out, len as u64);
            words.extend_from_slice(&ended[at..at + len]);
            at += len + 1;
        }
    }
}
