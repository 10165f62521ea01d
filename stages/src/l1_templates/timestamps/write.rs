//! Writing a timestamp back from its form and value.

use super::calendar::{weekday, Calendar};
use super::{formats, Part, FORMATS, FORMAT_COUNT, MONTHS, TIME_ROOM, WEEKDAYS};
use crate::{Error, Result};

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

/// Writes `value` in `width` digits at `at`, zeros in front, and returns where they
/// end; every caller has checked that `0 <= value < 10^width`.
pub(super) fn put_digits(value: i64, width: usize, room: &mut [u8; TIME_ROOM], at: usize) -> usize {
    // Every place written, zeros too, one digit a step: a fill of the zeros first was a
    // call to memset each time (the width varies by form), for four or nine digits.
    let mut v = value as u64;
    for digit in room[at..at + width].iter_mut().rev() {
        *digit = b'0' + (v % 10) as u8;
        v /= 10;
    }
    at + width
}
