//! The `templates` stream: the dictionary of a split's templates, read (every version)
//! and each template's items. The split writes version 5 or 6 (in this stream the
//! same as 4), each template as its text
//! with a `\n` and a tag for each slot and `\n` 0 at its end (see `KeyBuilder`);
//! versions 1 to 3 gave each template and each piece of its text a length.

use super::*;

/// The `templates` stream, read.
pub(super) struct Dictionary<'a> {
    /// [`SPLIT_VERSION_1`] to [`SPLIT_VERSION`].
    pub(super) version: u8,
    pub(super) lines: usize,
    pub(super) ends_with_newline: bool,
    /// Whether each new word ends with a newline in `words` ([`FLAG_WORDS_ENDED`]).
    pub(super) words_ended: bool,
    /// Each template's key and where its items lie in `items`.
    keys: Vec<(&'a [u8], std::ops::Range<usize>)>,
    /// Every template's items, one template after another.
    items: Vec<Item>,
}

impl<'a> Dictionary<'a> {
    /// Reads the stream; at most `max_lines` lines, and no more templates than lines
    /// or than the stream has bytes, both checked before anything is allocated.
    pub(super) fn read(t: &'a [u8], max_lines: usize) -> Result<Dictionary<'a>> {
        let version = match t.first() {
            Some(
                &v @ (SPLIT_VERSION_1 | SPLIT_VERSION_2 | SPLIT_VERSION_3 | SPLIT_VERSION_4 | SPLIT_VERSION_5
                | SPLIT_VERSION),
            ) => v,
            Some(&other) => return Err(Error::Unsupported { what: "log template split version", value: other.into() }),
            None => return Err(Error::Truncated { what: "templates", needed: 1 }),
        };
        let tagged = version >= SPLIT_VERSION_4;
        let mut pos = 1;
        let (lines, ends_with_newline, words_ended) = if tagged {
            let flags = *t.get(1).ok_or(Error::Truncated { what: "templates", needed: 1 })?;
            if flags & !(FLAG_ENDS_WITH_NEWLINE | FLAG_WORDS_ENDED) != 0 {
                return Err(Error::corrupt("templates", format!("flags {flags:#04x}")));
            }
            pos = 2;
            let lines = varint::get_capped(t, &mut pos, max_lines as u64, "line count")? as usize;
            (lines, flags & FLAG_ENDS_WITH_NEWLINE != 0, flags & FLAG_WORDS_ENDED != 0)
        } else {
            let lines = varint::get_capped(t, &mut pos, max_lines as u64, "line count")? as usize;
            let ends_with_newline = match t.get(pos) {
                Some(0) => false,
                Some(1) => true,
                Some(other) => return Err(Error::corrupt("templates", format!("newline flag {other}"))),
                None => return Err(Error::Truncated { what: "templates", needed: 1 }),
            };
            pos += 1;
            (lines, ends_with_newline, false)
        };
        let count = varint::get_capped(t, &mut pos, lines.min(t.len()) as u64, "template count")? as usize;
        let mut keys = Vec::with_capacity(count);
        // Room for most templates' items at once (growing from nothing cost a small
        // block's hundreds of templates an allocation or more each), and never more
        // than the keys' bytes can hold: an item takes one of them at least, and a
        // damaged stream may claim any count.
        let mut items = Vec::with_capacity(count.saturating_mul(8).min(t.len() - pos));
        for _ in 0..count {
            let first = items.len();
            let key = if tagged {
                read_tagged_template(t, &mut pos, &mut items)?
            } else {
                let len = varint::get_capped(t, &mut pos, t.len() as u64, "template")? as usize;
                if len > t.len() - pos {
                    return Err(Error::Truncated { what: "template", needed: len - (t.len() - pos) });
                }
                let key = &t[pos..pos + len];
                parse_template_into(key, &mut items)?;
                pos += len;
                key
            };
            keys.push((key, first..items.len()));
        }
        if pos != t.len() {
            return Err(Error::corrupt("templates", format!("{} bytes after the last template", t.len() - pos)));
        }
        Ok(Dictionary { version, lines, ends_with_newline, words_ended, keys, items })
    }

    /// How many templates it holds.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Each template's key and items, in id order.
    pub(super) fn templates(&self) -> impl Iterator<Item = (&'a [u8], &[Item])> + '_ {
        self.keys.iter().map(|(key, range)| (*key, &self.items[range.clone()]))
    }
}

#[cfg(test)]
pub(super) fn parse_template(key: &[u8]) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    parse_template_into(key, &mut items)?;
    Ok(items)
}

/// [`parse_template`], the items appended to `items` (a dictionary keeps every
/// template's in one vector: a small block has hundreds of templates).
pub(super) fn parse_template_into(key: &[u8], items: &mut Vec<Item>) -> Result<()> {
    let mut pos = 0;
    while pos < key.len() {
        let tag = key[pos];
        pos += 1;
        match tag {
            ITEM_STATIC => {
                let len = varint::get_capped(key, &mut pos, key.len() as u64, "template text")? as usize;
                if len > key.len() - pos {
                    return Err(Error::Truncated { what: "template text", needed: len - (key.len() - pos) });
                }
                items.push(Item::Static(pos..pos + len));
                pos += len;
            }
            ITEM_NUMBER => items.push(Item::Number),
            ITEM_WORD => items.push(Item::Word),
            ITEM_TIME => {
                let format = *key.get(pos).ok_or(Error::Truncated { what: "timestamp form", needed: 1 })?;
                if usize::from(format) >= timestamps::FORMAT_COUNT {
                    return Err(Error::corrupt("template", format!("timestamp form {format}")));
                }
                items.push(Item::Time(format));
                pos += 1;
            }
            other => return Err(Error::corrupt("template", format!("item tag {other}"))),
        }
    }
    Ok(())
}

/// Reads one version 4 or 5 template from `t` at `pos` (its text, each slot a `\n` and
/// its tag, then `\n` and [`TEMPLATE_END`]), appending its items to `items` with
/// ranges into the key it returns: the template up to its end mark.
pub(super) fn read_tagged_template<'a>(t: &'a [u8], pos: &mut usize, items: &mut Vec<Item>) -> Result<&'a [u8]> {
    let start = *pos;
    loop {
        let rest = &t[*pos..];
        let Some(text_len) = newline_in(rest) else {
            return Err(Error::Truncated { what: "template", needed: 2 });
        };
        if text_len > 0 {
            items.push(Item::Static(*pos - start..*pos - start + text_len));
        }
        let tag_at = *pos + text_len + 1;
        let tag = *t.get(tag_at).ok_or(Error::Truncated { what: "template slot", needed: 1 })?;
        *pos = tag_at + 1;
        match tag {
            TEMPLATE_END => return Ok(&t[start..tag_at - 1]),
            ITEM_NUMBER => items.push(Item::Number),
            ITEM_WORD => items.push(Item::Word),
            ITEM_TIME => {
                let format = *t.get(*pos).ok_or(Error::Truncated { what: "timestamp form", needed: 1 })?;
                if usize::from(format) >= timestamps::FORMAT_COUNT {
                    return Err(Error::corrupt("template", format!("timestamp form {format}")));
                }
                items.push(Item::Time(format));
                *pos += 1;
            }
            other => return Err(Error::corrupt("template", format!("slot tag {other}"))),
        }
    }
}

/// Where the first `\n` of `bytes` is, looked for eight bytes at a time: template
/// text runs from a few bytes to a few dozen between slots, too short for `memchr`'s
/// setup to pay (with it, or a byte at a time, reading the templates took 2% of the
/// small logs' decoding).
#[inline]
pub(super) fn newline_in(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ (ONES * u64::from(b'\n'));
        // A zero byte of `x` (a newline) sets its high bit here; a borrow from a lower
        // zero byte can set a higher one too, so the lowest set bit is the first.
        let found = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| b == b'\n').map(|p| at + p)
}
