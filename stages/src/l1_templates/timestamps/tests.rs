use proptest::prelude::*;

use super::calendar::*;
use super::read::*;
use super::*;

/// [`parse`] part by part, as it read before the layouts: the definition they are
/// held to.
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

/// The text of a form written part by part, as [`render_into`] wrote it before the
/// layouts: the definition the layouts are held to.
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
