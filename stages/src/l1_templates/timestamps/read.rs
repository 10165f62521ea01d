//! Reading a timestamp of a given form at the start of a text.

use super::calendar::{days_from_civil, days_in_month, weekday};
use super::{formats, Format, Part, MONTHS, WEEKDAYS};

pub(super) fn digits(text: &[u8], pos: &mut usize, n: usize) -> Option<i64> {
    let field = text.get(*pos..*pos + n)?;
    if !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *pos += n;
    Some(field.iter().fold(0, |v, &d| v * 10 + i64::from(d - b'0')))
}

pub(super) fn name(text: &[u8], pos: &mut usize, names: &[&[u8; 3]]) -> Option<usize> {
    let field = text.get(*pos..*pos + 3)?;
    let i = names.iter().position(|n| &n[..] == field)?;
    *pos += 3;
    Some(i)
}

/// The timestamp of form `id` at the start of `text`: its length and value. Read by
/// the form's layout: its literals first, then each field at its place.
pub(super) fn parse(id: usize, text: &[u8]) -> Option<(usize, i64)> {
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
pub(super) fn valued(
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
