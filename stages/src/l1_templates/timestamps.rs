//! Timestamps in log lines as integers: `2015-10-18 18:01:47,978` is read as the
//! milliseconds since 1970 and written back byte for byte from that number and the
//! form it was written in.
//!
//! A general compressor sees a timestamp as a dozen digits whose last few change; the
//! template split without this sees six or seven numbers, each coded apart. As one
//! integer, consecutive lines differ by a small delta.
//!
//! Each form of `FORMATS` is a fixed sequence of fields and literal bytes. A match
//! is taken only when every field is in range (month 1-12, the day within its month,
//! hours below 24, seconds below 60, a weekday that agrees with the date, digits where
//! digits belong), so that every matched text is the one rendering of its value:
//! decoding writes the same bytes. Forms without a year count from the year 2000 (a
//! leap year, so February 29 is accepted); date-only forms are midnight.
//!
//! The position of a form in `FORMATS` is its id in the frame format: forms are
//! only ever appended.

use crate::{Error, Result};

/// One field or literal byte of a timestamp form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Lit(u8),
    /// Four digits.
    Year4,
    /// Two digits: the years 2000 to 2099.
    Year2,
    /// Two digits, 01 to 12.
    Month2,
    /// `Jan` to `Dec`.
    MonthName,
    /// Two digits, 01 to the month's last day.
    Day2,
    /// The day as syslog writes it: ` 1` to ` 9`, then `10` to `31`.
    DaySpace,
    /// `Sun` to `Sat`, which must be the date's weekday.
    Weekday,
    Hour2,
    Minute2,
    Second2,
    /// This many digits of a second's fraction.
    Fraction(u8),
    /// Seconds or milliseconds since 1970 in exactly this many digits, the first
    /// not zero.
    Epoch(u8),
}

/// The forms, numbered in this order (see [`TRIAL_ORDER`] for the order they are
/// tried in).
const FORMATS: [&str; 22] = [
    "%Y-%m-%d %H:%M:%S,%3",
    "%Y-%m-%d %H:%M:%S.%3",
    "%Y-%m-%d %H:%M:%S.%6",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%3",
    "%Y-%m-%dT%H:%M:%S.%6",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d-%H.%M.%S.%6",
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%m-%d %H:%M:%S.%3",
    "%b %e %H:%M:%S",
    "%b %d %H:%M:%S",
    "%a %b %d %H:%M:%S %Y",
    "%d/%b/%Y:%H:%M:%S",
    "%y%m%d %H%M%S",
    "%y/%m/%d %H:%M:%S",
    "%m.%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%E13",
    "%E10",
    // RFC 3339 with nanoseconds, as Go's `RFC3339Nano`, Docker and Kubernetes write
    // it (added after the others: a form's number is its name in the format).
    "%Y-%m-%dT%H:%M:%S.%9",
];

/// How many forms there are; a frame naming a form at or past this is corrupt.
pub const FORMAT_COUNT: usize = FORMATS.len();

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
const WEEKDAYS: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];

/// A form, parsed once.
struct Format {
    parts: Vec<Part>,
    /// The form's year, if it has one: `Year4` or `Year2`.
    year: Option<Part>,
    fraction_digits: u8,
    has_time: bool,
    /// Whether the first byte of a match is a digit (else a letter).
    starts_with_digit: bool,
    /// For a form that starts with digits: how many come before its first other
    /// byte, and that byte (`None` when the digits end the form); a place where the
    /// run of digits is another length, or ends otherwise, is not this form.
    lead: Option<(usize, Option<u8>)>,
    layout: Layout,
}

/// A form's text as [`render_into`] writes it: every part has one width, so the
/// literals have fixed places and each field is written at its own, where a loop
/// over the parts took a branch on each (most of a timestamp's rendering).
#[derive(Default)]
struct Layout {
    /// The literals in place, zeros where the fields go.
    text: [u8; TIME_ROOM],
    /// Where each literal is, for reading: a text of another form fails on one of
    /// them first, most often.
    literals: Vec<(usize, u8)>,
    len: usize,
    year4: Option<usize>,
    year2: Option<usize>,
    month2: Option<usize>,
    month_name: Option<usize>,
    day2: Option<usize>,
    day_space: Option<usize>,
    weekday: Option<usize>,
    hour: Option<usize>,
    minute: Option<usize>,
    second: Option<usize>,
    /// Where the fraction goes, and its digits.
    fraction: Option<(usize, usize)>,
}

impl Layout {
    fn of(parts: &[Part]) -> Layout {
        let mut layout = Layout::default();
        let mut at = 0;
        for &part in parts {
            let (field, width) = match part {
                Part::Lit(b) => {
                    layout.text[at] = b;
                    layout.literals.push((at, b));
                    (None, 1)
                }
                Part::Year4 => (Some(&mut layout.year4), 4),
                Part::Year2 => (Some(&mut layout.year2), 2),
                Part::Month2 => (Some(&mut layout.month2), 2),
                Part::MonthName => (Some(&mut layout.month_name), 3),
                Part::Day2 => (Some(&mut layout.day2), 2),
                Part::DaySpace => (Some(&mut layout.day_space), 2),
                Part::Weekday => (Some(&mut layout.weekday), 3),
                Part::Hour2 => (Some(&mut layout.hour), 2),
                Part::Minute2 => (Some(&mut layout.minute), 2),
                Part::Second2 => (Some(&mut layout.second), 2),
                Part::Fraction(n) => {
                    layout.fraction = Some((at, usize::from(n)));
                    (None, usize::from(n))
                }
                // An epoch form is written by itself (`render_into`).
                Part::Epoch(n) => (None, usize::from(n)),
            };
            if let Some(field) = field {
                assert!(field.replace(at).is_none(), "a timestamp form names a field twice");
            }
            at += width;
        }
        layout.len = at;
        layout
    }
}

fn parse_format(spec: &str) -> Format {
    let mut parts = Vec::new();
    let mut bytes = spec.bytes();
    while let Some(b) = bytes.next() {
        if b != b'%' {
            parts.push(Part::Lit(b));
            continue;
        }
        parts.push(match bytes.next() {
            Some(b'Y') => Part::Year4,
            Some(b'y') => Part::Year2,
            Some(b'm') => Part::Month2,
            Some(b'b') => Part::MonthName,
            Some(b'd') => Part::Day2,
            Some(b'e') => Part::DaySpace,
            Some(b'a') => Part::Weekday,
            Some(b'H') => Part::Hour2,
            Some(b'M') => Part::Minute2,
            Some(b'S') => Part::Second2,
            Some(n @ b'1'..=b'9') => Part::Fraction(n - b'0'),
            Some(b'E') => {
                let digits = bytes.by_ref().fold(0u8, |n, d| n * 10 + (d - b'0'));
                Part::Epoch(digits)
            }
            other => unreachable!("timestamp form {spec}: %{other:?}"),
        });
    }
    let fraction_digits =
        parts.iter().find_map(|p| if let Part::Fraction(n) = p { Some(*n) } else { None }).unwrap_or(0);
    Format {
        year: parts.iter().copied().find(|p| matches!(p, Part::Year4 | Part::Year2)),
        has_time: parts.iter().any(|p| matches!(p, Part::Hour2)),
        starts_with_digit: !matches!(parts[0], Part::MonthName | Part::Weekday),
        lead: lead_digits(&parts),
        fraction_digits,
        layout: Layout::of(&parts),
        parts,
    }
}

/// See [`Format::lead`].
fn lead_digits(parts: &[Part]) -> Option<(usize, Option<u8>)> {
    let mut digits = 0;
    for part in parts {
        digits += match *part {
            Part::Year4 => 4,
            Part::Year2 | Part::Month2 | Part::Day2 | Part::Hour2 | Part::Minute2 | Part::Second2 => 2,
            Part::Fraction(n) | Part::Epoch(n) => usize::from(n),
            Part::Lit(b) if b.is_ascii_digit() => return None,
            Part::Lit(b) => return (digits > 0).then_some((digits, Some(b))),
            Part::MonthName | Part::DaySpace | Part::Weekday => return None,
        };
    }
    Some((digits, None))
}

fn formats() -> &'static [Format] {
    static PARSED: std::sync::LazyLock<Vec<Format>> =
        std::sync::LazyLock::new(|| FORMATS.iter().map(|f| parse_format(f)).collect());
    &PARSED
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Years counted from March, so that February's leap day ends a year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 for Sunday.
fn weekday(days: i64) -> usize {
    (days + 4).rem_euclid(7) as usize
}

fn digits(text: &[u8], pos: &mut usize, n: usize) -> Option<i64> {
    let field = text.get(*pos..*pos + n)?;
    if !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *pos += n;
    Some(field.iter().fold(0, |v, &d| v * 10 + i64::from(d - b'0')))
}

fn name(text: &[u8], pos: &mut usize, names: &[&[u8; 3]]) -> Option<usize> {
    let field = text.get(*pos..*pos + 3)?;
    let i = names.iter().position(|n| &n[..] == field)?;
    *pos += 3;
    Some(i)
}

/// The timestamp of form `id` at the start of `text`: its length and value. Read by
/// the form's layout: its literals first, then each field at its place.
fn parse(id: usize, text: &[u8]) -> Option<(usize, i64)> {
    let format = &formats()[id];
    if let [Part::Epoch(n)] = format.parts[..] {
        if text.first().is_none_or(|&b| b == b'0') {
            return None;
        }
        let mut pos = 0;
        let value = digits(text, &mut pos, usize::from(n))?;
        if text.get(pos).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
        return Some((pos, value));
    }
    let l = &format.layout;
    let (here, after) = (text.get(..l.len)?, text.get(l.len));
    if l.literals.iter().any(|&(at, b)| here[at] != b) {
        return None;
    }
    let field = |at: usize, n: usize| digits(here, &mut { at }, n);
    let named = |at: usize, names: &[&[u8; 3]]| name(here, &mut { at }, names);
    let year = match (l.year4, l.year2) {
        (Some(at), _) => field(at, 4)?,
        (None, Some(at)) => 2000 + field(at, 2)?,
        (None, None) => 2000,
    };
    let month = match (l.month2, l.month_name) {
        (Some(at), _) => field(at, 2)?,
        (None, Some(at)) => named(at, &MONTHS)? as i64 + 1,
        (None, None) => 1,
    };
    let day = match (l.day2, l.day_space) {
        (Some(at), _) => field(at, 2)?,
        (None, Some(at)) if here[at] == b' ' => match field(at + 1, 1)? {
            0 => return None,
            d => d,
        },
        (None, Some(at)) => match field(at, 2)? {
            d if d < 10 => return None,
            d => d,
        },
        (None, None) => 1,
    };
    let week = match l.weekday {
        Some(at) => Some(named(at, &WEEKDAYS)?),
        None => None,
    };
    let clock = |at: Option<usize>| at.map_or(Some(0), |at| field(at, 2));
    let (hour, minute, second) = (clock(l.hour)?, clock(l.minute)?, clock(l.second)?);
    let fraction = l.fraction.map_or(Some(0), |(at, n)| field(at, n))?;
    // A digit right after would make the match part of a longer number.
    if after.is_some_and(u8::is_ascii_digit) {
        return None;
    }
    valued(format, l.len, (year, month, day, week), (hour, minute, second, fraction))
}

/// The value of a date and time read from a form's text, if it is a real one.
fn valued(
    format: &Format,
    len: usize,
    (year, month, day, week): (i64, i64, i64, Option<usize>),
    (hour, minute, second, fraction): (i64, i64, i64, i64),
) -> Option<(usize, i64)> {
    if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let month = month as u32;
    if day < 1 || day > i64::from(days_in_month(year, month)) {
        return None;
    }
    let days = days_from_civil(year, month, day as u32);
    if week.is_some_and(|w| w != weekday(days)) {
        return None;
    }
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    // Nanoseconds overflow past the year 2262: such a time is not taken.
    let value = seconds.checked_mul(10i64.pow(u32::from(format.fraction_digits)))?.checked_add(fraction)?;
    Some((len, value))
}

/// [`parse`] part by part, as it read before the layouts: the definition they are
/// held to.
#[cfg(test)]
fn parse_by_parts(id: usize, text: &[u8]) -> Option<(usize, i64)> {
    let format = &formats()[id];
    let (mut year, mut month, mut day) = (2000i64, 1i64, 1i64);
    let (mut hour, mut minute, mut second, mut fraction) = (0i64, 0i64, 0i64, 0i64);
    let mut week = None;
    let mut pos = 0;
    for &part in &format.parts {
        match part {
            Part::Lit(b) => {
                if text.get(pos) != Some(&b) {
                    return None;
                }
                pos += 1;
            }
            Part::Year4 => year = digits(text, &mut pos, 4)?,
            Part::Year2 => year = 2000 + digits(text, &mut pos, 2)?,
            Part::Month2 => month = digits(text, &mut pos, 2)?,
            Part::MonthName => month = name(text, &mut pos, &MONTHS)? as i64 + 1,
            Part::Day2 => day = digits(text, &mut pos, 2)?,
            Part::DaySpace => {
                day = if text.get(pos) == Some(&b' ') {
                    pos += 1;
                    let d = digits(text, &mut pos, 1)?;
                    if d == 0 {
                        return None;
                    }
                    d
                } else {
                    let d = digits(text, &mut pos, 2)?;
                    if d < 10 {
                        return None;
                    }
                    d
                }
            }
            Part::Weekday => week = Some(name(text, &mut pos, &WEEKDAYS)?),
            Part::Hour2 => hour = digits(text, &mut pos, 2)?,
            Part::Minute2 => minute = digits(text, &mut pos, 2)?,
            Part::Second2 => second = digits(text, &mut pos, 2)?,
            Part::Fraction(n) => fraction = digits(text, &mut pos, usize::from(n))?,
            Part::Epoch(n) => {
                if text.first().is_none_or(|&b| b == b'0') {
                    return None;
                }
                let value = digits(text, &mut pos, usize::from(n))?;
                if text.get(pos).is_some_and(u8::is_ascii_alphanumeric) {
                    return None;
                }
                return Some((pos, value));
            }
        }
    }
    // A digit right after would make the match part of a longer number.
    if text.get(pos).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    valued(format, pos, (year, month, day, week), (hour, minute, second, fraction))
}

/// A timestamp found in a line: where, how long, which form, and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// Where it starts in the line.
    pub start: usize,
    /// Bytes it takes.
    pub len: usize,
    /// Its form, an index into the forms.
    pub format: u8,
    /// Its value in the form's unit.
    pub value: i64,
}

/// Timestamps start this near the start of a line, or are not looked for: the time
/// of a log line comes first, or after a host, a level or a process id.
pub const SEARCH_SPAN: usize = 64;

/// The first timestamp starting at `start` or later (before [`SEARCH_SPAN`]), at a
/// position that does not continue a word.
pub fn find_from(line: &[u8], start: usize) -> Option<Found> {
    find_before(line, start, SEARCH_SPAN, b'"')
}

/// [`find_from`], and past [`SEARCH_SPAN`] up to `span`, at the start of a string, a
/// bracket or a value (`"`, `[` or `separator` just before): where a JSON or CSV
/// line's values and the times of the log text inside them start. Looking at every
/// digit of a long line instead cost the split of an ECS document a line a quarter
/// more.
pub fn find_before(line: &[u8], start: usize, span: usize, separator: u8) -> Option<Found> {
    let end = line.len().min(span);
    let near = end.min(SEARCH_SPAN);
    if let Some(found) = (start..near).find_map(|pos| try_at(line, pos)) {
        return Some(found);
    }
    let from = start.max(near);
    // One pass over the rest (a JSON line has a quote every few bytes: a search a
    // quote would start over a hundred times a line).
    memchr::memchr3_iter(b'"', b'[', separator, line.get(from..end)?)
        .map(|p| from + p + 1)
        .find_map(|pos| try_at(line, pos).filter(|_| pos < end))
}

/// The timestamp at `pos`, if one starts there (and not inside a word).
#[inline]
fn try_at(line: &[u8], pos: usize) -> Option<Found> {
    let b = *line.get(pos)?;
    if pos > 0 && line[pos - 1].is_ascii_alphanumeric() {
        return None;
    }
    let (digit, upper) = (b.is_ascii_digit(), b.is_ascii_uppercase());
    // Every form begins with two digits or more, or with a month or weekday name
    // and a space: lines of prose or key-value text, with no time at all, are
    // scanned without trying a form at each capital or digit.
    let candidate = if digit {
        line.get(pos + 1).is_some_and(u8::is_ascii_digit)
    } else {
        upper && line.get(pos + 3) == Some(&b' ')
    };
    if !candidate {
        return None;
    }
    at(line, pos, digit)
}

/// The forms in the order they are tried at a position: a longer form before any
/// that is a prefix of it (forms added later go before their prefixes).
const TRIAL_ORDER: [u8; FORMAT_COUNT] = [0, 1, 2, 3, 4, 5, 21, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

fn at(line: &[u8], pos: usize, digit: bool) -> Option<Found> {
    let formats = formats();
    // The run of digits here and what ends it: most forms cannot start at a place
    // whose digits run another length (an address, a version, a count), and are not
    // tried there.
    let run = if digit { line[pos..].iter().take(16).take_while(|b| b.is_ascii_digit()).count() } else { 0 };
    let after = line.get(pos + run).copied().filter(|_| run < 16);
    TRIAL_ORDER
        .iter()
        .filter(|&&id| {
            let format = &formats[usize::from(id)];
            format.starts_with_digit == digit
                && format.lead.is_none_or(|(digits, next)| match next {
                    Some(next) => digits == run && after == Some(next),
                    None => digits == run,
                })
        })
        .find_map(|&id| {
            parse(usize::from(id), &line[pos..]).map(|(len, value)| Found { start: pos, len, format: id, value })
        })
}

/// Whether form `format` reads a timestamp at `pos` of `line`; the cheap check
/// before a search, since lines of one log put their time in one place.
pub fn at_format(line: &[u8], pos: usize, format: u8) -> Option<Found> {
    if pos > 0 && line.get(pos - 1).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let text = line.get(pos..)?;
    parse(usize::from(format), text).map(|(len, value)| Found { start: pos, len, format, value })
}

/// The form that writes what `format` writes without its fraction (`%Y-%m-%dT%H:%M:%S`
/// for `%Y-%m-%dT%H:%M:%S.%3`), and the fraction's digits; `None` for a form without
/// a fraction or without such a twin.
pub fn without_fraction(format: u8) -> Option<(u8, u8)> {
    static TWINS: std::sync::LazyLock<Vec<Option<(u8, u8)>>> = std::sync::LazyLock::new(|| {
        FORMATS
            .iter()
            .map(|spec| {
                let cut = spec.len().checked_sub(3)?;
                let (head, tail) = spec.split_at(cut);
                let digits = tail.strip_prefix(['.', ','])?.strip_prefix('%')?.parse::<u8>().ok()?;
                let twin = FORMATS.iter().position(|other| *other == head)?;
                Some((twin as u8, digits))
            })
            .collect()
    });
    TWINS.get(usize::from(format)).copied().flatten()
}

/// The form `format` as written in `FORMATS` (`%Y-%m-%d %H:%M:%S,%3`: `%3` is
/// three digits of a fraction, `%e` a space-padded day, `%E10` ten digits of epoch
/// seconds), for people reading `cobolp info`.
pub fn format_spec(format: u8) -> &'static str {
    FORMATS.get(usize::from(format)).copied().unwrap_or("?")
}

/// The most bytes a timestamp of any form takes (the longest, `%Y-%m-%dT%H:%M:%S.%9`,
/// takes 29).
pub const TIME_ROOM: usize = 32;

/// The date [`render_into`] worked out last: a block's timestamps mostly fall on a
/// few days, and the calendar arithmetic is most of a timestamp's rendering.
#[derive(Default)]
pub struct Calendar {
    last: Option<(i64, (i64, u32, u32))>,
}

impl Calendar {
    fn date(&mut self, days: i64) -> (i64, u32, u32) {
        match self.last {
            Some((d, date)) if d == days => date,
            _ => {
                let date = civil_from_days(days);
                self.last = Some((days, date));
                date
            }
        }
    }
}

/// Writes the timestamp of form `format` and value `value`; an error when no text
/// of that form has that value (a damaged frame).
pub fn render(format: u8, value: i64, out: &mut Vec<u8>) -> Result<()> {
    let mut room = [0; TIME_ROOM];
    let len = render_into(format, value, &mut Calendar::default(), &mut room)?;
    out.extend_from_slice(&room[..len]);
    Ok(())
}

/// [`render`] into `room`, a byte at a time with no vector to grow; the length
/// written.
pub fn render_into(format: u8, value: i64, calendar: &mut Calendar, room: &mut [u8; TIME_ROOM]) -> Result<usize> {
    let f = formats()
        .get(usize::from(format))
        .ok_or_else(|| Error::corrupt("timestamp", format!("form {format} of {FORMAT_COUNT}")))?;
    let bad = || Error::corrupt("timestamp", format!("{value} is no time of form {:?}", FORMATS[usize::from(format)]));
    if let [Part::Epoch(n)] = f.parts[..] {
        let low = 10i64.pow(u32::from(n) - 1);
        if value < low || value >= low * 10 {
            return Err(bad());
        }
        return Ok(put_digits(value, usize::from(n), room, 0));
    }
    let scale = 10i64.pow(u32::from(f.fraction_digits));
    let (seconds, fraction) = (value.div_euclid(scale), value.rem_euclid(scale));
    let (days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // About 10,000 years either way of 1970, far past any four-digit year.
    if days.abs() > 4_000_000 || !f.has_time && time != 0 {
        return Err(bad());
    }
    let (year, month, day) = calendar.date(days);
    let year_fits = match f.year {
        Some(Part::Year4) => (0..=9999).contains(&year),
        Some(_) => (2000..=2099).contains(&year),
        None => year == 2000,
    };
    if !year_fits {
        return Err(bad());
    }
    let l = &f.layout;
    *room = l.text;
    let two = |room: &mut [u8; TIME_ROOM], at: Option<usize>, v: i64| {
        if let Some(at) = at {
            room[at] = b'0' + (v / 10) as u8;
            room[at + 1] = b'0' + (v % 10) as u8;
        }
    };
    let three = |room: &mut [u8; TIME_ROOM], at: Option<usize>, text: &[u8; 3]| {
        if let Some(at) = at {
            room[at..at + 3].copy_from_slice(text);
        }
    };
    if let Some(at) = l.year4 {
        put_digits(year, 4, room, at);
    }
    two(room, l.year2, year - 2000);
    two(room, l.month2, i64::from(month));
    three(room, l.month_name, MONTHS[month as usize - 1]);
    two(room, l.day2, i64::from(day));
    if let Some(at) = l.day_space {
        room[at] = if day < 10 { b' ' } else { b'0' + (day / 10) as u8 };
        room[at + 1] = b'0' + (day % 10) as u8;
    }
    if l.weekday.is_some() {
        three(room, l.weekday, WEEKDAYS[weekday(days)]);
    }
    two(room, l.hour, time / 3600);
    two(room, l.minute, time / 60 % 60);
    two(room, l.second, time % 60);
    if let Some((at, n)) = l.fraction {
        put_digits(fraction, n, room, at);
    }
    Ok(l.len)
}

/// The text of a form written part by part, as [`render_into`] wrote it before the
/// layouts: the definition the layouts are held to.
#[cfg(test)]
fn render_by_parts(f: &Format, date: (i64, u32, u32), days: i64, time: i64, fraction: i64) -> Vec<u8> {
    let (year, month, day) = date;
    let mut out = Vec::new();
    for &part in &f.parts {
        match part {
            Part::Lit(b) => out.push(b),
            Part::Year4 => out.extend_from_slice(format!("{year:04}").as_bytes()),
            Part::Year2 => out.extend_from_slice(format!("{:02}", year - 2000).as_bytes()),
            Part::Month2 => out.extend_from_slice(format!("{month:02}").as_bytes()),
            Part::MonthName => out.extend_from_slice(MONTHS[month as usize - 1]),
            Part::Day2 => out.extend_from_slice(format!("{day:02}").as_bytes()),
            Part::DaySpace => out.extend_from_slice(format!("{day:2}").as_bytes()),
            Part::Weekday => out.extend_from_slice(WEEKDAYS[weekday(days)]),
            Part::Hour2 => out.extend_from_slice(format!("{:02}", time / 3600).as_bytes()),
            Part::Minute2 => out.extend_from_slice(format!("{:02}", time / 60 % 60).as_bytes()),
            Part::Second2 => out.extend_from_slice(format!("{:02}", time % 60).as_bytes()),
            Part::Fraction(n) => {
                out.extend_from_slice(format!("{fraction:0width$}", width = usize::from(n)).as_bytes())
            }
            Part::Epoch(_) => unreachable!("an epoch form has no other parts"),
        }
    }
    out
}

/// Writes `value` in `width` digits at `at`, zeros in front, and returns where they
/// end; every caller has checked that `0 <= value < 10^width`.
fn put_digits(value: i64, width: usize, room: &mut [u8; TIME_ROOM], at: usize) -> usize {
    // Every place written, zeros too, one digit a step: a fill of the zeros first was a
    // call to memset each time (the width varies by form), for four or nine digits.
    let mut v = value as u64;
    for digit in room[at..at + width].iter_mut().rev() {
        *digit = b'0' + (v % 10) as u8;
        v /= 10;
    }
    at + width
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(text: &str) -> Found {
        let found = find_from(text.as_bytes(), 0).unwrap_or_else(|| panic!("no timestamp in {text:?}"));
        let mut out = Vec::new();
        render(found.format, found.value, &mut out).unwrap();
        assert_eq!(out, &text.as_bytes()[found.start..found.start + found.len], "{text}");
        found
    }

    #[test]
    fn the_corpus_forms_are_read_and_written_back() {
        for (line, len) in [
            ("2015-10-18 18:01:47,978 INFO [main]", 23),
            ("03-17 16:13:38.811  1702  2395 D WindowManager", 18),
            ("[Sun Dec 04 04:47:44 2005] [notice]", 24),
            ("- 1117838570 2005.06.03 R02-M1-N0", 10),
            ("081109 203615 148 INFO dfs.DataNode", 13),
            ("Jun 14 15:16:01 combo sshd", 15),
            ("Jul  1 00:21:28 combo sshd", 15),
            ("17/06/09 20:10:40 INFO executor", 17),
            ("[10.30 16:49:06] chrome.exe", 14),
            ("83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET", 20),
            ("2005-06-03-15.42.50.675872 R02", 26),
            ("2026-11-30T10:57:31.123Z", 23),
            ("2017-06-09T20:10:40.000209333Z", 29),
        ] {
            assert_eq!(round_trip(line).len, len, "{line}");
        }
        let f = round_trip("2015-10-18 18:01:47,978");
        assert_eq!(f.value, 1_445_191_307_978, "milliseconds since 1970");
        let nano = round_trip("2017-06-09T20:10:40.000209333Z");
        assert_eq!(nano.value, 1_497_039_040_000_209_333, "nanoseconds since 1970");
        // Past 2262 nanoseconds do not fit: the seconds are read, the fraction left.
        let far = round_trip("9999-12-31T23:59:59.999999999Z");
        assert_eq!((far.format, far.len), (6, 19));
    }

    #[test]
    fn text_that_is_not_a_time_is_left_alone() {
        for text in [
            "2015-13-18 18:01:47",
            "2015-02-29 18:01:47",
            "Jun 31 15:16:01",
            "0117838570",
            "11178385701",
            "x2015-10-18",
            "Jul 01x",
        ] {
            assert_eq!(find_from(text.as_bytes(), 0), None, "{text}");
        }
        assert_eq!(
            round_trip("Feb 29 10:00:00").value,
            days_from_civil(2000, 2, 29) * 86_400 + 36_000,
            "a form without a year counts from 2000, a leap year"
        );
        assert_eq!(round_trip("2015-10-18 24:01:47").len, 10, "the date alone, hour 24 is no time");
        let wrong_weekday = round_trip("[Mon Dec 04 04:47:44 2005]");
        assert_eq!((wrong_weekday.start, wrong_weekday.len), (5, 15), "not the Apache form: 2005-12-04 was a Sunday");
    }

    #[test]
    fn values_no_form_can_hold_are_errors() {
        let mut out = Vec::new();
        assert!(render(19, 999_999_999_999, &mut out).is_err());
        assert!(render(8, 86_400 + 1, &mut out).is_err(), "a date-only form at 00:00:01");
        assert!(render(10, 0, &mut out).is_err(), "a form without a year, in 1970");
        assert!(render(15, i64::MAX, &mut out).is_err());
        assert!(render(15, i64::MIN, &mut out).is_err());
        assert!(render(FORMAT_COUNT as u8, 0, &mut out).is_err());
    }

    #[test]
    fn forms_with_a_fraction_know_their_twin_without() {
        assert_eq!(without_fraction(0), Some((3, 3)), "%Y-%m-%d %H:%M:%S,%3");
        assert_eq!(without_fraction(4), Some((6, 3)));
        assert_eq!(without_fraction(21), Some((6, 9)));
        assert_eq!(without_fraction(6), None);
        assert_eq!(without_fraction(10), None, "no %m-%d %H:%M:%S form");
        for form in 0..FORMAT_COUNT as u8 {
            if let Some((twin, digits)) = without_fraction(form) {
                // The twin writes the same text up to the fraction.
                let value = 1_497_039_040 * 10i64.pow(u32::from(digits));
                let (mut long, mut short) = (Vec::new(), Vec::new());
                render(form, value, &mut long).unwrap();
                render(twin, value / 10i64.pow(u32::from(digits)), &mut short).unwrap();
                assert_eq!(long[..short.len()], short[..], "{}", format_spec(form));
                assert_eq!(long.len(), short.len() + 1 + usize::from(digits));
            }
        }
    }

    #[test]
    fn calendar_agrees_with_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(weekday(days_from_civil(2026, 11, 30)), 1, "a Monday");
    }

    /// `find_from` without its quick test of where a form can begin.
    fn find_by_trying_every_form(line: &[u8], start: usize) -> Option<Found> {
        (start..line.len().min(SEARCH_SPAN)).find_map(|pos| {
            if pos > 0 && line[pos - 1].is_ascii_alphanumeric() {
                return None;
            }
            TRIAL_ORDER.iter().find_map(|&f| at_format(line, pos, f))
        })
    }

    proptest! {
        /// Every form reads by its layout what it read part by part, on text made of
        /// the bytes timestamps are made of and on the forms' own samples cut anywhere.
        #[test]
        fn the_layouts_read_what_the_parts_read(
            text in "([0-9]{1,4}|[ :./,T+-]|Jan|Feb|Dec|Sun|Wed|Sat|Z|x|2017-06-09T20:10:40.000209333Z|17/May/2015:10:05:03|Sun Dec 04 04:47:44 2005|Jun  4 15:16:01|Jun  0 15:16:01|Jun 05 15:16:01|Feb 30 10:00:00|081109 203615|2005-06-03-15.42.50.675872|03-17 16:13:38.811|2016-02-29 23:59:59,999){0,8}",
        ) {
            let text = text.as_bytes();
            for start in 0..text.len() {
                for (format, spec) in FORMATS.iter().enumerate() {
                    let at = &text[start..];
                    prop_assert_eq!(parse(format, at), parse_by_parts(format, at), "{} on {:?}", spec, String::from_utf8_lossy(at));
                }
            }
        }

        /// Every form with a date writes by its layout what its parts spell, on any day
        /// its year allows, at any time of day and fraction.
        #[test]
        fn the_layouts_write_what_the_parts_spell(
            format in 0..FORMAT_COUNT,
            day in 0i64..36_525,
            time in 0i64..86_400,
            fraction in 0i64..1_000_000_000,
        ) {
            let f = &formats()[format];
            prop_assume!(!matches!(f.parts[..], [Part::Epoch(_)]));
            // Days from 2000-01-01 on: every form's year fits; a form without a year
            // is read as 2000's, and one without a time at midnight.
            let days = 10_957 + if f.year.is_some() { day } else { day % 366 };
            let time = if f.has_time { time } else { 0 };
            let scale = 10i64.pow(u32::from(f.fraction_digits));
            let fraction = fraction % scale;
            let value = (days * 86_400 + time) * scale + fraction;
            let mut room = [0; TIME_ROOM];
            let len = render_into(format as u8, value, &mut Calendar::default(), &mut room).unwrap();
            let expected = render_by_parts(f, civil_from_days(days), days, time, fraction);
            prop_assert_eq!(&room[..len], &expected[..], "{}", FORMATS[format]);
        }

        /// Past the first 64 bytes, a time is found after a quote, a bracket or the
        /// separator, the first of them, as trying every form there finds it.
        #[test]
        fn a_time_far_in_a_line_is_found_where_a_value_opens(
            head in "[a-z0-9 ,:\"]{64,80}",
            tail in prop::collection::vec(("[\"\\[,;x]", "(2017-06-09T20:10:40.000209333Z|17/May/2015:10:05:03|2026-11-05 07:08|1714000000|12\\.5|[0-9]{2,6}|[a-z]{1,3})"), 0..8),
        ) {
            let line: String = head + &tail.iter().map(|(a, b)| format!("{a}{b}")).collect::<String>();
            let line = line.as_bytes();
            let near = find_from(line, 0);
            let slow = near.or_else(|| (SEARCH_SPAN..line.len()).find_map(|pos| {
                let opens = matches!(line[pos - 1], b'"' | b'[' | b',');
                opens.then(|| TRIAL_ORDER.iter().find_map(|&f| at_format(line, pos, f))).flatten()
            }));
            prop_assert_eq!(find_before(line, 0, usize::MAX, b','), slow);
        }

        #[test]
        fn the_quick_test_of_where_a_time_begins_misses_none(
            line in "[0-9A-Za-z :./,T\\[\\]\"-]{0,30}(Jun 14 15:16:01|2026-11-05 07:08:09|Sun Dec 04 04:47:44 2005|10/Oct/2000:13:55:36|1714000000|1714000000123|2017-06-09T20:10:40.000209333Z|081109 203615|17/06/09 20:10:40|2005.06.03|03-17 16:13:38.811|2005-06-03-15.42.50.675872|10.30 16:49:06|2026/11/05 07:08:09)?[0-9a-z :.-]{0,30}",
            start in 0usize..8,
        ) {
            let line = line.as_bytes();
            let start = start.min(line.len());
            let quick = find_from(line, start).map(|f| (f.start, f.len, f.value));
            let slow = find_by_trying_every_form(line, start).map(|f| (f.start, f.len, f.value));
            prop_assert_eq!(quick, slow);
        }

        #[test]
        fn every_value_of_every_form_renders_to_text_that_reads_back(
            format in 0..FORMAT_COUNT as u8,
            value in prop_oneof![any::<i64>(), -4_000_000_000_000_000i64..4_000_000_000_000_000, 0i64..20_000_000_000_000],
        ) {
            let mut out = Vec::new();
            if render(format, value, &mut out).is_ok() {
                let found = at_format(&out, 0, format).expect("rendered text reads back");
                prop_assert_eq!((found.len, found.value), (out.len(), value));
            }
        }

        #[test]
        fn a_calendar_kept_across_timestamps_renders_what_a_fresh_one_does(
            times in prop::collection::vec((0u8..FORMAT_COUNT as u8, prop_oneof![0i64..4_000_000_000, any::<i64>()]), 1..40),
        ) {
            let mut calendar = Calendar::default();
            for (format, value) in times {
                let (mut kept, mut fresh) = ([0; TIME_ROOM], [0; TIME_ROOM]);
                let a = render_into(format, value, &mut calendar, &mut kept);
                let b = render_into(format, value, &mut Calendar::default(), &mut fresh);
                match (a, b) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(&kept[..a], &fresh[..b]),
                    (a, b) => prop_assert!(a.is_err() && b.is_err()),
                }
            }
        }

        #[test]
        fn days_and_dates_agree(days in -4_000_000i64..4_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert!(d >= 1 && d <= days_in_month(y, m));
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        #[test]
        fn found_timestamps_render_back(line in "[A-Za-z0-9 :./,\\[-]{0,40}") {
            let mut from = 0;
            while let Some(found) = find_from(line.as_bytes(), from) {
                let mut out = Vec::new();
                render(found.format, found.value, &mut out).unwrap();
                prop_assert_eq!(&out[..], &line.as_bytes()[found.start..found.start + found.len]);
                from = found.start + found.len;
            }
        }
    }
}
