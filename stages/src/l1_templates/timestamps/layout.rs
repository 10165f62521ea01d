//! Each form's text laid out once: its literals in place and each field at its
//! fixed offset, which both reading and writing a timestamp go by.

use super::{Part, TIME_ROOM};

/// A form's text as [`render_into`](super::render_into) writes it: every part has one width, so the
/// literals have fixed places and each field is written at its own, where a loop
/// over the parts took a branch on each (most of a timestamp's rendering).
#[derive(Default)]
pub(super) struct Layout {
    /// The literals in place, zeros where the fields go.
    pub(super) text: [u8; TIME_ROOM],
    /// Where each literal is, for reading: a text of another form fails on one of
    /// them first, most often.
    pub(super) literals: Vec<(usize, u8)>,
    pub(super) len: usize,
    pub(super) year4: Option<usize>,
    pub(super) year2: Option<usize>,
    pub(super) month2: Option<usize>,
    pub(super) month_name: Option<usize>,
    pub(super) day2: Option<usize>,
    pub(super) day_space: Option<usize>,
    pub(super) weekday: Option<usize>,
    pub(super) hour: Option<usize>,
    pub(super) minute: Option<usize>,
    pub(super) second: Option<usize>,
    /// Where the fraction goes, and its digits.
    pub(super) fraction: Option<(usize, usize)>,
}

impl Layout {
    pub(super) fn of(parts: &[Part]) -> Layout {
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
