//! Dates as days since 1970-01-01 and back (the proleptic Gregorian calendar), and
//! the last one worked out, which most of a block's timestamps share.

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar.
pub(super) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
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
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

pub(super) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(super) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 for Sunday.
pub(super) fn weekday(days: i64) -> usize {
    (days + 4).rem_euclid(7) as usize
}

/// The date [`render_into`](super::render_into) worked out last: a block's timestamps mostly fall on a
/// few days, and the calendar arithmetic is most of a timestamp's rendering.
#[derive(Default)]
pub struct Calendar {
    last: Option<(i64, (i64, u32, u32))>,
}

impl Calendar {
    pub(super) fn date(&mut self, days: i64) -> (i64, u32, u32) {
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
