//! The join: the streams of a split back into the block's lines, and the listing of
//! its templates (`cobolp info --templates`).

use super::*;

/// The values of `rows` rows of `slots` each, when the bytes `left` of their stream
/// can hold them (each value took at least a byte); else the frame is cut short.
pub(super) fn rows_within(rows: usize, slots: usize, left: &[u8], what: &'static str) -> Result<usize> {
    match rows.saturating_mul(slots) {
        count if count <= left.len() => Ok(count),
        count => Err(Error::Truncated { what, needed: count - left.len() }),
    }
}

/// A piece of a line as the decoder rebuilds it: template text (perhaps none), then
/// a slot's value.
pub(super) struct Step {
    pub(super) text: std::ops::Range<usize>,
    pub(super) slot: Slot,
}

#[derive(Clone, Copy)]
pub(super) enum Slot {
    Nothing,
    Number,
    Word,
    Time(u8),
}

/// Where a template's rows of values start in the decoder's arrays, and how many
/// values of each kind a row holds.
pub(super) struct Rows {
    pub(super) numbers: usize,
    pub(super) number_slots: usize,
    pub(super) words: usize,
    pub(super) word_slots: usize,
}

/// Rebuilds the block of `original_len` bytes from its streams; every count is checked
/// against what the streams can hold before anything is allocated for it.
pub fn join(split: &Split, original_len: usize) -> Result<Vec<u8>> {
    join_counting(split, original_len, None)
}

/// The bytes each column takes in the streams (before L5), by template in id order:
/// each number slot's (its values and its `zeros` bytes), then each word slot's (its
/// references and its new words with their lengths); a copied column takes none.
pub type ColumnBytes = Vec<(Vec<usize>, Vec<usize>)>;

/// [`join`], also counting what each column takes ([`ColumnBytes`]), for `cobolp info`.
pub fn column_bytes(split: &Split, original_len: usize) -> Result<ColumnBytes> {
    let mut bytes = ColumnBytes::new();
    join_counting(split, original_len, Some(&mut bytes))?;
    Ok(bytes)
}

fn join_counting(split: &Split, original_len: usize, mut bytes: Option<&mut ColumnBytes>) -> Result<Vec<u8>> {
    let dictionary = Dictionary::read(&split.templates, original_len + 1)?;
    let (version, lines, ends_with_newline) = (dictionary.version, dictionary.lines, dictionary.ends_with_newline);
    // A new word may end with a newline (version 4), with `word_lens` empty.
    let words_ended = dictionary.words_ended;
    let count = dictionary.len();
    // The new words as the lines take them (see `Lines::word_bytes`): in one array
    // with room after them, so that a short one is one fixed-width copy; a version 6
    // split's runs of digits put back on the way, with no second copy.
    let mut word_bytes = if version == SPLIT_VERSION {
        hex_runs::unpack(&split.words, &split.hex_runs, SHORT_TEXT)?
    } else if split.hex_runs.is_empty() {
        let mut copy = Vec::with_capacity(split.words.len() + SHORT_TEXT);
        copy.extend_from_slice(&split.words);
        copy
    } else {
        return Err(Error::corrupt("template split", format!("a hex-runs stream in a version {version} split")));
    };
    let new_words_len = word_bytes.len();
    word_bytes.resize(new_words_len + SHORT_TEXT, 0);
    let new_words = &word_bytes[..new_words_len];

    // Each id takes at least a byte.
    if lines > split.ids.len() {
        return Err(Error::Truncated { what: "template ids", needed: lines - split.ids.len() });
    }
    let mut ids = Vec::with_capacity(lines);
    let mut uses = vec![0usize; count];
    let mut pos = 0;
    for _ in 0..lines {
        let id = varint::get(&split.ids, &mut pos)?;
        let id = usize::try_from(id)
            .ok()
            .filter(|&i| i < count)
            .ok_or_else(|| Error::corrupt("template ids", format!("id {id} of {count} templates")))?;
        uses[id] += 1;
        ids.push(id);
    }
    if pos != split.ids.len() {
        return Err(Error::corrupt("template ids", "bytes after the last line's id"));
    }

    // Columns, in the order the encoder wrote them.
    let (mut npos, mut zpos, mut lpos, mut wpos, mut rpos) = (0, 0, 0, 0, 0);
    // Words by number (see `DecodedWords`): a new word (not referred to) takes the
    // next one, and a reference carries its number along. The matrices below hold
    // numbers, a sixth of the bytes of the words' slices: the block's values are
    // written once and read once, and fresh memory is most of what they cost.
    let mut recent: FastMap<WordContext, RecentRing> = FastMap::default();
    let mut decoded_words = DecodedWords::new(new_words);
    let mut keyed = KeyedValues::default();
    // Every template's values as a matrix, a row per line that uses it, in one array
    // per kind: the streams hold them column after column, but the lines read them
    // row after row, and a row's values side by side are one cache line where a
    // column apart they were a dozen misses a line.
    let mut numbers: Vec<u64> = Vec::new();
    let mut number_widths: Vec<u8> = Vec::new();
    let mut words: Vec<u32> = Vec::new();
    let mut rows = Vec::with_capacity(count);
    // Values of copied columns, which take no bytes of their own in the streams: each
    // is at least a byte of the block, which caps them before they are allocated.
    let mut copied = 0usize;
    let mut relation_list = match version {
        SPLIT_VERSION_1 => None,
        _ => Some(RelationReader::read(&split.zeros, &mut zpos, count)?),
    };
    let mut coded_columns = match version {
        SPLIT_VERSION_1 | SPLIT_VERSION_2 => number_coding::CodedColumns::default(),
        _ => number_coding::CodedColumns::read(&split.zeros, &mut zpos, &uses)?,
    };
    // Each template's slots, in vectors reused from one template to the next (a small
    // block has hundreds of templates, most of a line or two).
    let (mut contexts, mut keys, mut relations) = (Vec::new(), Vec::new(), Relations::none(0, 0));
    for (template, ((key, items), &n)) in dictionary.templates().zip(&uses).enumerate() {
        word_contexts_into(key, items, &mut contexts);
        number_keys_into(items, &mut keys);
        let (word_slots, number_slots) = (contexts.len(), keys.len());
        relations.reset(number_slots, word_slots);
        if let Some(list) = &mut relation_list {
            list.template_into(template, &mut relations)?;
        }
        let (coded_numbers, coded_words) = relations.coded();
        copied = copied.saturating_add(n.saturating_mul(number_slots + word_slots - coded_numbers - coded_words));
        if copied > original_len {
            return Err(Error::corrupt(
                "column relations",
                format!("more copied values than the block's {original_len} bytes"),
            ));
        }
        let word_base = words.len();
        rows_within(n, coded_words, &split.word_refs[rpos..], "word references")?;
        words.resize(word_base + n * word_slots, 0);
        // What each column takes, for `cobolp info` alone: no allocation otherwise (a
        // small block has hundreds of templates).
        let (mut number_bytes, mut word_bytes) = match bytes {
            Some(_) => (vec![0; number_slots], vec![0; word_slots]),
            None => (Vec::new(), Vec::new()),
        };
        for (slot, &context) in contexts.iter().enumerate() {
            let before = rpos + lpos + wpos;
            if let Some(source) = relations.words[slot] {
                for row in 0..n {
                    let at = word_base + row * word_slots;
                    words[at + slot] = words[at + source];
                }
                continue;
            }
            let recent = recent.entry(context).or_default();
            for row in 0..n {
                let reference = varint::get_capped(&split.word_refs, &mut rpos, RECENT_WORDS as u64, "word reference")?;
                let value = if reference == 0 {
                    let len = if words_ended {
                        memchr::memchr(b'\n', &new_words[wpos..])
                            .ok_or_else(|| Error::corrupt("words", "a new word without the newline that ends it"))?
                    } else {
                        varint::get_capped(&split.word_lens, &mut lpos, (new_words.len() - wpos) as u64, "word")?
                            as usize
                    };
                    let id = decoded_words.push(wpos..wpos + len);
                    wpos += len + usize::from(words_ended);
                    recent.push(id);
                    id
                } else {
                    recent.take(reference as usize - 1).ok_or_else(|| {
                        Error::corrupt("word references", format!("{reference} of {} recent words", recent.len()))
                    })?
                };
                words[word_base + row * word_slots + slot] = value;
            }
            if let Some(counted) = word_bytes.get_mut(slot) {
                *counted = rpos + lpos + wpos - before;
            }
        }
        // Numbers after words: a keyed column's predictions need its key's words.
        let number_base = numbers.len();
        rows_within(n, coded_numbers, &split.numbers[npos..], "numbers")?;
        numbers.resize(number_base + n * number_slots, 0);
        number_widths.resize(number_base + n * number_slots, 0);
        for (slot, &key_slot) in keys.iter().enumerate() {
            let before = npos + zpos;
            if let Some(source) = relations.numbers[slot] {
                for row in 0..n {
                    let at = number_base + row * number_slots;
                    numbers[at + slot] = numbers[at + source];
                    number_widths[at + slot] = number_widths[at + source];
                }
                continue;
            }
            if let Some((coding, entry_bytes)) = coded_columns.take(template, slot, number_slots)? {
                let padding = ZeroPadding::read(&split.zeros, &mut zpos, n)?;
                let values = number_coding::values(coding, &split.numbers, &mut npos, n)?;
                for (row, value) in values.into_iter().enumerate() {
                    numbers[number_base + row * number_slots + slot] = value;
                    number_widths[number_base + row * number_slots + slot] = padding.width(row, value)?;
                }
                if let Some(counted) = number_bytes.get_mut(slot) {
                    *counted = npos + zpos - before + entry_bytes;
                }
                continue;
            }
            let prediction = match key_slot {
                None => NumberColumn::Plain,
                Some(_) => match split.zeros.get(zpos) {
                    Some(0) => NumberColumn::Plain,
                    Some(1) => NumberColumn::Keyed,
                    Some(other) => return Err(Error::corrupt("number columns", format!("prediction {other}"))),
                    None => return Err(Error::Truncated { what: "number columns", needed: 1 }),
                },
            };
            zpos += usize::from(key_slot.is_some());
            let key_slot = key_slot.filter(|_| prediction == NumberColumn::Keyed);
            let padding = ZeroPadding::read(&split.zeros, &mut zpos, n)?;
            if key_slot.is_some() {
                keyed.start_column(decoded_words.len());
            }
            let mut predictor = Predictor::new(&mut keyed);
            for row in 0..n {
                let delta = unzigzag(varint::get(&split.numbers, &mut npos)?) as u64;
                let value = match key_slot {
                    None => {
                        predictor.previous = predictor.previous.wrapping_add(delta);
                        predictor.previous
                    }
                    Some(k) => {
                        let key = decoded_words.key(words[word_base + row * word_slots + k]);
                        let value = predictor.predict(key).wrapping_add(delta);
                        predictor.update(key, value);
                        value
                    }
                };
                numbers[number_base + row * number_slots + slot] = value;
                number_widths[number_base + row * number_slots + slot] = padding.width(row, value)?;
            }
            if let Some(counted) = number_bytes.get_mut(slot) {
                *counted = npos + zpos - before;
            }
        }
        rows.push(Rows { numbers: number_base, number_slots, words: word_base, word_slots });
        if let Some(bytes) = bytes.as_deref_mut() {
            bytes.push((number_bytes, word_bytes));
        }
    }
    if relation_list.as_mut().is_some_and(|list| !list.is_done()) {
        return Err(Error::corrupt("column relations", "relations out of template order"));
    }
    if !coded_columns.is_done() {
        return Err(Error::corrupt("coded number columns", "a column no template has, or one copied"));
    }
    let time_slots = TimeSlots::of(dictionary.templates().map(|(_, items)| items));
    let (time_columns, tpos) = read_times(&split.times, time_slots, version, &ids, &uses)?;
    let time_columns = time_columns.into_iter().map(Vec::into_iter).collect();
    if npos != split.numbers.len()
        || tpos != split.times.len()
        || zpos != split.zeros.len()
        || lpos != split.word_lens.len()
        || rpos != split.word_refs.len()
        || wpos != new_words.len()
    {
        return Err(Error::corrupt("variables", "bytes left after the last value"));
    }

    // The templates' text in one array with room after it (see `Rebuilt::put_text`),
    // and each template as steps of text and the slot after it: one branch on the
    // kind of slot per step, where items were one for the text and one for the slot.
    let mut text = Vec::with_capacity(split.templates.len() + SHORT_TEXT);
    let mut steps = Vec::new();
    let mut template_steps = Vec::with_capacity(count);
    for (key, items) in dictionary.templates() {
        let (base, first) = (text.len(), steps.len());
        text.extend_from_slice(key);
        let mut pending = base..base;
        for item in items {
            let slot = match item {
                Item::Static(range) => {
                    if !pending.is_empty() {
                        steps.push(Step { text: pending, slot: Slot::Nothing });
                    }
                    pending = base + range.start..base + range.end;
                    continue;
                }
                Item::Number => Slot::Number,
                Item::Word => Slot::Word,
                Item::Time(f) => Slot::Time(*f),
            };
            steps.push(Step { text: std::mem::replace(&mut pending, base..base), slot });
        }
        // The text after the last slot is written after the steps, with no branch on
        // a slot that is not there.
        template_steps.push((first..steps.len(), pending));
    }
    text.resize(text.len() + SHORT_TEXT, 0);
    let lines_to_write = Lines {
        ids: &ids,
        rows: &rows,
        steps: &steps,
        template_steps: &template_steps,
        text: &text,
        numbers: &numbers,
        number_widths: &number_widths,
        words: &words,
        word_bytes: &word_bytes,
        word_places: &decoded_words.places,
        ends_with_newline,
    };
    let out = lines_to_write.write(original_len, time_columns)?;
    if out.len() != original_len {
        return Err(Error::corrupt("block", format!("rebuilt {} bytes, expected {original_len}", out.len())));
    }
    Ok(out.into_bytes())
}

/// What the lines are written from, once every column is read: kept apart from the
/// reading so that the loop over the lines has its values in registers (inside the
/// function that reads the columns it kept them on the stack: 2% of the decoding).
struct Lines<'a> {
    ids: &'a [usize],
    rows: &'a [Rows],
    steps: &'a [Step],
    /// Each template's steps, and its text after the last of them.
    template_steps: &'a [(std::ops::Range<usize>, std::ops::Range<usize>)],
    /// The templates' text, [`SHORT_TEXT`] bytes of room after it.
    text: &'a [u8],
    numbers: &'a [u64],
    number_widths: &'a [u8],
    words: &'a [u32],
    /// The words stream, [`SHORT_TEXT`] bytes of room after it, and each word's place
    /// in it by word number.
    word_bytes: &'a [u8],
    word_places: &'a [std::ops::Range<usize>],
    ends_with_newline: bool,
}

impl Lines<'_> {
    /// The block of `original_len` bytes, its timestamps taken from `time_columns`
    /// (one per form, in line order).
    #[inline(never)]
    fn write(&self, original_len: usize, mut time_columns: Vec<std::vec::IntoIter<i64>>) -> Result<Rebuilt> {
        let Lines {
            ids,
            rows,
            steps,
            template_steps,
            text,
            numbers,
            number_widths,
            words,
            word_bytes,
            word_places,
            ..
        } = *self;
        let mut out = Rebuilt::new(original_len);
        let mut cursor = vec![0usize; rows.len()];
        let mut last_times: Vec<Option<(i64, std::ops::Range<usize>)>> = vec![None; timestamps::FORMAT_COUNT];
        let (mut rendered, mut calendar) = ([0; timestamps::TIME_ROOM], timestamps::Calendar::default());
        for (i, &id) in ids.iter().enumerate() {
            let row = cursor[id];
            cursor[id] += 1;
            let at = &rows[id];
            let (mut number, mut word) = (at.numbers + row * at.number_slots, at.words + row * at.word_slots);
            let (template, tail) = &template_steps[id];
            for step in &steps[template.clone()] {
                out.put_text(text, step.text.clone())?;
                match step.slot {
                    Slot::Nothing => {}
                    Slot::Number => {
                        out.put_number(numbers[number], usize::from(number_widths[number]))?;
                        number += 1;
                    }
                    Slot::Word => {
                        out.put_text(word_bytes, word_places[words[word] as usize].clone())?;
                        word += 1;
                    }
                    Slot::Time(f) => {
                        let value = time_columns[usize::from(f)].next().expect("counted from the same templates");
                        // Lines a second apart or less often carry the same time: its
                        // text is copied from where it was last written.
                        match &last_times[usize::from(f)] {
                            Some((last, text)) if *last == value => out.repeat(text.clone())?,
                            _ => {
                                let len = timestamps::render_into(f, value, &mut calendar, &mut rendered)?;
                                let start = out.len();
                                out.put(&rendered[..len])?;
                                last_times[usize::from(f)] = Some((value, start..out.len()));
                            }
                        }
                    }
                }
            }
            out.put_text(text, tail.clone())?;
            if i + 1 < ids.len() || self.ends_with_newline {
                out.put(b"\n")?;
            }
        }
        Ok(out)
    }
}

/// One item of a template, as [`templates`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateItem<'a> {
    /// Static text.
    Text(&'a [u8]),
    /// A number slot.
    Number,
    /// A variable word slot.
    Word,
    /// A timestamp slot of this form (see [`timestamps`]).
    Time(u8),
}

/// The templates of a split, in id order, each as its items; for tools and for the
/// bench that measures what matching lines against known templates would cost.
pub fn templates(split: &Split) -> Result<Vec<Vec<TemplateItem<'_>>>> {
    let dictionary = Dictionary::read(&split.templates, usize::MAX)?;
    Ok(dictionary
        .templates()
        .map(|(key, items)| {
            items
                .iter()
                .map(|item| match item {
                    Item::Static(r) => TemplateItem::Text(&key[r.clone()]),
                    Item::Number => TemplateItem::Number,
                    Item::Word => TemplateItem::Word,
                    Item::Time(f) => TemplateItem::Time(*f),
                })
                .collect()
        })
        .collect())
}

/// What a split holds, for `cobolp info`: its line count and its templates, each as
/// text (`<n>` for a number, `<w>` for a variable word, `<n=2>` or `<w=1>` for a slot
/// stored as a copy of the template's second number or first word slot; other bytes
/// that are not printable ASCII as `\xNN`) with the number of lines that use it, most
/// used first.
pub fn describe(split: &Split) -> Result<(usize, Vec<(String, usize)>)> {
    describe_counted(split, None)
}

/// [`describe`], each slot that is stored followed by the bytes its column takes in the
/// streams (see [`column_bytes`]): `<n 812>`, `<w 1210>`.
pub fn describe_with_bytes(split: &Split, bytes: &ColumnBytes) -> Result<(usize, Vec<(String, usize)>)> {
    describe_counted(split, Some(bytes))
}

fn describe_counted(split: &Split, bytes: Option<&ColumnBytes>) -> Result<(usize, Vec<(String, usize)>)> {
    let dictionary = Dictionary::read(&split.templates, usize::MAX)?;
    let count = dictionary.len();
    let mut uses = vec![0usize; count];
    let mut ipos = 0;
    while ipos < split.ids.len() {
        let id = varint::get(&split.ids, &mut ipos)? as usize;
        if let Some(n) = uses.get_mut(id) {
            *n += 1;
        }
    }
    let mut zpos = 0;
    let mut relations = match dictionary.version {
        SPLIT_VERSION_1 => None,
        _ => Some(RelationReader::read(&split.zeros, &mut zpos, count)?),
    };
    let mut coded_columns = match dictionary.version {
        SPLIT_VERSION_1 | SPLIT_VERSION_2 => number_coding::CodedColumns::default(),
        _ => number_coding::CodedColumns::read(&split.zeros, &mut zpos, &uses)?,
    };
    let mut templates = Vec::with_capacity(count);
    for (template, (key, items)) in dictionary.templates().enumerate() {
        let (number_slots, word_slots) = (number_keys(items).len(), word_contexts(key, items).len());
        let copies = match &mut relations {
            None => Relations::none(number_slots, word_slots),
            Some(list) => list.template(template, number_slots, word_slots)?,
        };
        // With its bytes, a number column under one of L3's codings says which.
        let mut codings = vec![String::new(); number_slots];
        for (slot, coding) in codings.iter_mut().enumerate().filter(|(slot, _)| copies.numbers[*slot].is_none()) {
            if let Some((l3, _)) = coded_columns.take(template, slot, number_slots)? {
                if bytes.is_some() {
                    *coding = format!(", {l3}");
                }
            }
        }
        let (mut number, mut word) = (0, 0);
        let sizes = bytes.and_then(|b| b.get(template));
        let slot = |kind: &str, sources: &[Option<usize>], sizes: Option<&Vec<usize>>, at: &mut usize| {
            let (source, size) = (sources[*at], sizes.and_then(|s| s.get(*at)));
            let coding = if kind == "n" { codings[*at].as_str() } else { "" };
            *at += 1;
            match (source, size) {
                (Some(s), _) => format!("<{kind}={}>", s + 1),
                (None, Some(size)) => format!("<{kind} {size}{coding}>"),
                (None, None) => format!("<{kind}>"),
            }
        };
        let mut text = String::new();
        for item in items {
            match item {
                Item::Static(r) => {
                    for &b in &key[r.clone()] {
                        match b {
                            b' '..=b'~' => text.push(b as char),
                            _ => text.push_str(&format!("\\x{b:02x}")),
                        }
                    }
                }
                Item::Number => text.push_str(&slot("n", &copies.numbers, sizes.map(|s| &s.0), &mut number)),
                Item::Word => text.push_str(&slot("w", &copies.words, sizes.map(|s| &s.1), &mut word)),
                Item::Time(f) => text.push_str(&format!("<{}>", timestamps::format_spec(*f))),
            }
        }
        templates.push((text, uses[template]));
    }
    templates.sort_by_key(|t| std::cmp::Reverse(t.1));
    Ok((dictionary.lines, templates))
}
