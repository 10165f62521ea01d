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

mod calendar;
mod layout;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use calendar::Calendar;
use layout::Layout;
use read::parse;
pub use write::{render, render_into};

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

/// The unit form `format`'s values count, as a power of ten below a second: 3 for
/// milliseconds (a form with three digits of fraction, or `%E13`), 0 for seconds.
pub fn unit_digits(format: u8) -> u32 {
    match formats().get(usize::from(format)) {
        Some(Format { parts, .. }) if parts[..] == [Part::Epoch(13)] => 3,
        Some(f) => u32::from(f.fraction_digits),
        None => 0,
    }
}

/// The most bytes a timestamp of any form takes (the longest, `%Y-%m-%dT%H:%M:%S.%9`,
/// takes 29).
pub const TIME_ROOM: usize = 32;
