//! Time relations (split version 5): the timestamps of one form stored as offsets
//! from the stamp of another form on the same line.
//!
//! Logs stamp one instant more than once: BGL writes epoch seconds, a date and a local
//! time to the microsecond on every line; Docker's JSON lines carry Docker's own
//! nanosecond `time` beside the stamp the application wrote inside `log`; an ECS
//! document its `@timestamp` beside the time in its `message`. The `times` stream
//! codes each form's column as deltas in line order, so a line's second stamp costs
//! about what its first does (BGL's epoch column was a tenth of its output). Related,
//! a form keeps only what the other stamp does not say: the offset from it, brought
//! to the form's unit (BGL: the time zone, 25,200 or 28,800 seconds; Docker: the
//! milliseconds between the application's stamp and Docker's).
//!
//! A relation holds for the whole block, form to form, not template to template: an
//! ECS block has hundreds of templates, each with the same two stamps (an entry for
//! each cost more than the offsets saved). A slot of a related form takes its value
//! from the first slot of the source form in its template; slots of the form in a
//! template without the source form keep their place in the form's column.
//!
//! A date without a time of day (BGL's `2005.06.03`) is related to the day of its
//! source: the offset from the source's midnight, which is zero, where the offset
//! from the source itself is the time of day.
//!
//! Version 5 starts `times` with the block's list, `count:varint (form:u8 source:u8
//! coding:u8)*count`, forms increasing, a source never itself related, the coding's
//! bit 0 for raw offsets and bit 1 for the source's day; then the form columns as
//! before, without the related slots' values; then each relation's offsets, in line
//! order, list entry after list entry.

use super::*;

/// How a relation's offsets are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OffsetCoding {
    /// Each the zigzag difference from the offset before (the first from 0): an
    /// offset that stays (a time zone, two clocks' drift).
    Steady,
    /// Each zigzag coded as it is: an offset that jitters around a small value (the
    /// moments between an application's stamp and its log collector's).
    Raw,
}

/// A form's values as offsets from the first value of form `source` on their line
/// (or, with `day`, from the start of that value's day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TimeRelation {
    pub(super) form: u8,
    pub(super) source: u8,
    pub(super) coding: OffsetCoding,
    pub(super) day: bool,
}

/// In a list entry's coding byte: raw offsets (else steady).
const CODING_RAW: u8 = 1;
/// In a list entry's coding byte: offsets from the start of the source's day.
const CODING_DAY: u8 = 2;

impl TimeRelation {
    fn coding_byte(self) -> u8 {
        let raw = if self.coding == OffsetCoding::Raw { CODING_RAW } else { 0 };
        raw | if self.day { CODING_DAY } else { 0 }
    }
}

/// Bits a list entry takes, about: counted against a relation.
const ENTRY_BITS: u64 = 24;

/// How a value of one form is brought to another form's unit (rounded down to a
/// coarser one), and to the start of its day where a relation says so, worked out
/// once per pair of forms rather than once per value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rescale {
    factor: i64,
    down: bool,
    /// A day in the form's unit, or 0 for the value itself.
    day: i64,
}

/// Seconds in a day (timestamps count no leap seconds).
const DAY_SECONDS: i64 = 86_400;

impl Rescale {
    /// From form `source`'s unit to form `form`'s, and with `day` to the start of
    /// the day.
    fn between(source: u8, form: u8, day: bool) -> Rescale {
        let (from, to) = (timestamps::unit_digits(source), timestamps::unit_digits(form));
        let day = if day { DAY_SECONDS * 10i64.pow(to) } else { 0 };
        Rescale { factor: 10i64.pow(from.abs_diff(to)), down: from >= to, day }
    }

    #[inline]
    fn apply(self, value: i64) -> i64 {
        let value = if self.down { value.div_euclid(self.factor) } else { value.wrapping_mul(self.factor) };
        if self.day == 0 {
            value
        } else {
            value.wrapping_sub(value.rem_euclid(self.day))
        }
    }
}

/// A related slot: its relation's entry, the template's slot of the source form, and
/// how the source's value comes to the slot's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Related {
    entry: u8,
    /// A slot number: a line may hold more than 255 stamps.
    source: u32,
    rescale: Rescale,
}

/// Bits a stored zigzag value takes, about (as the number columns count them).
fn bits(v: i64) -> u64 {
    u64::from(65 - zigzag(v).leading_zeros())
}

/// Each template's timestamp slots, and for each the relation it takes its value
/// from, if any.
#[derive(Debug, Default)]
pub(super) struct TimeSlots {
    /// Every template's slots' forms, one template after another.
    forms: Vec<u8>,
    /// Where each template's slots start in `forms`, and one past the last.
    starts: Vec<usize>,
    /// For each slot, where it is related, how.
    related: Vec<Option<Related>>,
    /// The relations, forms increasing.
    relations: Vec<TimeRelation>,
}

impl TimeSlots {
    /// The timestamp slots of `templates` (each a template's items), none related.
    pub(super) fn of<'i>(templates: impl Iterator<Item = &'i [Item]>) -> TimeSlots {
        let mut slots = TimeSlots { starts: vec![0], ..TimeSlots::default() };
        for items in templates {
            slots.forms.extend(items.iter().filter_map(|i| if let Item::Time(f) = i { Some(*f) } else { None }));
            slots.starts.push(slots.forms.len());
        }
        slots
    }

    /// The slots of the templates whose forms are `forms` (each a template's slots'
    /// forms), none related.
    fn of_forms<'f>(forms: impl Iterator<Item = &'f [u8]>) -> TimeSlots {
        let mut slots = TimeSlots { starts: vec![0], ..TimeSlots::default() };
        for f in forms {
            slots.forms.extend_from_slice(f);
            slots.starts.push(slots.forms.len());
        }
        slots
    }

    fn templates(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether any slot is related.
    pub(super) fn any_related(&self) -> bool {
        self.related.iter().any(Option::is_some)
    }

    /// Sets the block's relations and finds the slots they relate.
    fn relate(&mut self, relations: Vec<TimeRelation>) {
        self.related = vec![None; self.forms.len()];
        for template in 0..self.templates() {
            let (start, end) = (self.starts[template], self.starts[template + 1]);
            let forms = &self.forms[start..end];
            for (slot, &form) in forms.iter().enumerate() {
                let Some(entry) = relations.iter().position(|r| r.form == form) else { continue };
                let (source_form, day) = (relations[entry].source, relations[entry].day);
                if let Some(source) = forms.iter().position(|&f| f == source_form) {
                    // A template has a few slots at most; the list, FORMAT_COUNT entries.
                    let rescale = Rescale::between(source_form, form, day);
                    self.related[start + slot] = Some(Related { entry: entry as u8, source: source as u32, rescale });
                }
            }
        }
        self.relations = relations;
    }

    /// Reads version 5's list at `*pos` of `times`.
    pub(super) fn read_relations(&mut self, times: &[u8], pos: &mut usize) -> Result<()> {
        let count = varint::get_capped(times, pos, timestamps::FORMAT_COUNT as u64, "time relations")?;
        let mut relations: Vec<TimeRelation> = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let entry = times.get(*pos..*pos + 3).ok_or(Error::Truncated { what: "time relations", needed: 3 })?;
            *pos += 3;
            let (form, source) = (entry[0], entry[1]);
            if entry[2] & !(CODING_RAW | CODING_DAY) != 0 {
                return Err(Error::corrupt("time relations", format!("offset coding {}", entry[2])));
            }
            let coding = if entry[2] & CODING_RAW != 0 { OffsetCoding::Raw } else { OffsetCoding::Steady };
            let day = entry[2] & CODING_DAY != 0;
            if usize::from(form.max(source)) >= timestamps::FORMAT_COUNT
                || form == source
                || relations.last().is_some_and(|r| r.form >= form)
            {
                return Err(Error::corrupt(
                    "time relations",
                    format!("form {form} from form {source}: not a form, or out of order"),
                ));
            }
            relations.push(TimeRelation { form, source, coding, day });
        }
        if let Some(r) = relations.iter().find(|r| relations.iter().any(|s| s.form == r.source)) {
            return Err(Error::corrupt(
                "time relations",
                format!("form {} from form {}, itself related", r.form, r.source),
            ));
        }
        self.relate(relations);
        Ok(())
    }

    /// How many values each form's column holds, and each relation's offsets: a value
    /// for each slot on each line (`uses[t]` lines use template `t`).
    pub(super) fn lengths(&self, uses: &[usize]) -> (Vec<usize>, Vec<usize>) {
        let mut columns = vec![0usize; timestamps::FORMAT_COUNT];
        let mut offsets = vec![0usize; self.relations.len()];
        for (template, &n) in uses.iter().enumerate() {
            let (start, end) = (self.starts[template], self.starts[template + 1]);
            for (at, &form) in (start..end).zip(&self.forms[start..end]) {
                match self.related.get(at).copied().flatten() {
                    Some(related) => offsets[usize::from(related.entry)] += n,
                    None => columns[usize::from(form)] += n,
                }
            }
        }
        (columns, offsets)
    }

    /// Reads the relations' offsets at `*pos` of `times`, `lengths[i]` for the
    /// `i`-th relation.
    pub(super) fn read_offsets(&self, times: &[u8], pos: &mut usize, lengths: &[usize]) -> Result<Vec<Vec<i64>>> {
        let mut all = Vec::with_capacity(self.relations.len());
        for (relation, &n) in self.relations.iter().zip(lengths) {
            // Each offset takes a byte at least.
            if n > times.len() - *pos {
                return Err(Error::Truncated { what: "time offsets", needed: n - (times.len() - *pos) });
            }
            let mut offsets = Vec::with_capacity(n);
            let mut previous = 0i64;
            for _ in 0..n {
                let stored = unzigzag(varint::get(times, pos)?);
                let o = match relation.coding {
                    OffsetCoding::Steady => previous.wrapping_add(stored),
                    OffsetCoding::Raw => stored,
                };
                offsets.push(o);
                previous = o;
            }
            all.push(offsets);
        }
        Ok(all)
    }

    /// Every form's column in line order, the related slots' values put back in from
    /// their sources and `offsets`: the lines use templates `ids`, and `columns` holds
    /// the unrelated slots' values, as many as [`TimeSlots::lengths`] says. Only the
    /// related forms' columns are rebuilt, and only lines with a slot of a related or
    /// a source form looked at: the others' columns are already whole.
    pub(super) fn resolve(&self, ids: &[usize], mut columns: Vec<Vec<i64>>, offsets: Vec<Vec<i64>>) -> Vec<Vec<i64>> {
        let (mut related_form, mut source_form) =
            ([false; timestamps::FORMAT_COUNT], [false; timestamps::FORMAT_COUNT]);
        let mut rebuilt: Vec<Vec<i64>> = vec![Vec::new(); timestamps::FORMAT_COUNT];
        for (relation, offsets) in self.relations.iter().zip(&offsets) {
            let form = usize::from(relation.form);
            related_form[form] = true;
            source_form[usize::from(relation.source)] = true;
            rebuilt[form] = Vec::with_capacity(columns[form].len() + offsets.len());
        }
        let touched = |form: u8| related_form[usize::from(form)] || source_form[usize::from(form)];
        let touching: Vec<bool> = (0..self.templates())
            .map(|t| self.forms[self.starts[t]..self.starts[t + 1]].iter().any(|&f| touched(f)))
            .collect();
        let mut offsets: Vec<_> = offsets.into_iter().map(Vec::into_iter).collect();
        // Where each form's column of unrelated values is read next.
        let mut read = [0usize; timestamps::FORMAT_COUNT];
        let mut line = Vec::new();
        for &id in ids {
            if !touching[id] {
                continue;
            }
            let (start, end) = (self.starts[id], self.starts[id + 1]);
            let (forms, related) = (&self.forms[start..end], &self.related[start..end]);
            // The line's own values first: a source may come after the slots it is
            // the source of.
            line.clear();
            for (&form, relation) in forms.iter().zip(related) {
                let f = usize::from(form);
                line.push(if relation.is_none() && touched(form) {
                    read[f] += 1;
                    columns[f][read[f] - 1]
                } else {
                    0
                });
            }
            for (slot, (&form, relation)) in forms.iter().zip(related).enumerate() {
                if let Some(r) = relation {
                    let o = offsets[usize::from(r.entry)].next().expect("counted from the same templates");
                    line[slot] = r.rescale.apply(line[r.source as usize]).wrapping_add(o);
                }
                if related_form[usize::from(form)] {
                    rebuilt[usize::from(form)].push(line[slot]);
                }
            }
        }
        for (form, rebuilt) in rebuilt.into_iter().enumerate() {
            if related_form[form] {
                columns[form] = rebuilt;
            }
        }
        columns
    }
}

/// Reads the `times` stream of a split of version `version` whose templates have the
/// timestamp slots `slots`: every form's column in line order, the lines using
/// templates `ids` (`uses[t]` of them template `t`), and the bytes read.
pub(super) fn read_times(
    times: &[u8],
    mut slots: TimeSlots,
    version: u8,
    ids: &[usize],
    uses: &[usize],
) -> Result<(Vec<Vec<i64>>, usize)> {
    let mut pos = 0;
    if version >= SPLIT_VERSION_5 {
        slots.read_relations(times, &mut pos)?;
    }
    let (column_lengths, offset_lengths) = slots.lengths(uses);
    let mut columns = Vec::with_capacity(timestamps::FORMAT_COUNT);
    for n in column_lengths {
        // Each value takes at least a byte.
        if n > times.len() - pos {
            return Err(Error::Truncated { what: "timestamps", needed: n - (times.len() - pos) });
        }
        let mut previous = 0i64;
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            previous = previous.wrapping_add(unzigzag(varint::get(times, &mut pos)?));
            values.push(previous);
        }
        columns.push(values);
    }
    if slots.any_related() {
        let offsets = slots.read_offsets(times, &mut pos, &offset_lengths)?;
        columns = slots.resolve(ids, columns, offsets);
    }
    Ok((columns, pos))
}

/// Each line's template id and timestamps, in line order: `times` holds each
/// template's slots' forms and its values row after row, and the lines use templates
/// `line_ids`.
fn line_stamps<'t>(
    times: &'t [(Vec<u8>, Vec<i64>)],
    line_ids: &'t [u32],
) -> impl Iterator<Item = (usize, &'t [i64])> + 't {
    let mut rows = vec![0usize; times.len()];
    line_ids.iter().map(move |&id| {
        let (id, width) = (id as usize, times[id as usize].0.len());
        let row = rows[id];
        rows[id] += 1;
        (id, &times[id].1[row * width..(row + 1) * width])
    })
}

/// What relating one form to another would cost and save, over the lines with both.
#[derive(Clone, Copy, Debug, Default)]
struct PairCost {
    /// Bits of the form's own deltas on those lines.
    own: u64,
    steady: u64,
    raw: u64,
    last_offset: i64,
}

/// Writes the `times` stream of a split: its relations (those that come out at least
/// a tenth cheaper than the related forms' own deltas), each form's column of the
/// other values as deltas in line order, then the relations' offsets. `times` holds
/// each template's slots' forms and its values row after row, and the lines use
/// templates `line_ids`.
pub(super) fn write_times(times: &[(Vec<u8>, Vec<i64>)], line_ids: &[u32], out: &mut Vec<u8>) {
    let mut slots = TimeSlots::of_forms(times.iter().map(|(forms, _)| &forms[..]));
    slots.relate(choose(times, line_ids));
    varint::put(out, slots.relations.len() as u64);
    for r in &slots.relations {
        out.extend_from_slice(&[r.form, r.source, r.coding_byte()]);
    }
    let mut columns = vec![Vec::new(); timestamps::FORMAT_COUNT];
    let mut offsets = vec![Vec::new(); slots.relations.len()];
    for (id, line) in line_stamps(times, line_ids) {
        let (forms, start) = (&times[id].0, slots.starts[id]);
        for (slot, (&form, &value)) in forms.iter().zip(line).enumerate() {
            match slots.related[start + slot] {
                Some(r) => {
                    let o = value.wrapping_sub(r.rescale.apply(line[r.source as usize]));
                    offsets[usize::from(r.entry)].push(o);
                }
                None => columns[usize::from(form)].push(value),
            }
        }
    }
    for column in &columns {
        let mut previous = 0i64;
        for &v in column {
            varint::put(out, zigzag(v.wrapping_sub(previous)));
            previous = v;
        }
    }
    for (relation, offsets) in slots.relations.iter().zip(&offsets) {
        let mut previous = 0i64;
        for &o in offsets {
            let stored = match relation.coding {
                OffsetCoding::Steady => o.wrapping_sub(previous),
                OffsetCoding::Raw => o,
            };
            varint::put(out, zigzag(stored));
            previous = o;
        }
    }
}

/// The block's relations: for each form, the source form and coding that cost the
/// fewest bits over the lines with both, where that is at least a tenth fewer than
/// the form's own deltas there; a source at least as fine as its form; the largest
/// savings first, a form that is a source never related and a related one never a
/// source.
fn choose(times: &[(Vec<u8>, Vec<i64>)], line_ids: &[u32]) -> Vec<TimeRelation> {
    if times.iter().all(|(forms, _)| forms.len() < 2) {
        return Vec::new();
    }
    // Each pair of forms met on a line, as offsets from the source and from its day,
    // and for each template the pairs its slots make, (slot, source slot, pair):
    // worked out once a template, not once a line.
    let mut pairs: Vec<((u8, u8, bool), Rescale, PairCost)> = Vec::new();
    let mut template_pairs: Vec<Vec<(usize, usize, usize)>> = Vec::with_capacity(times.len());
    for (forms, _) in times {
        let mut made = Vec::new();
        for (slot, &form) in forms.iter().enumerate() {
            for (source, &source_form) in forms.iter().enumerate() {
                // Each other form once, at its first slot, and only one at least as
                // fine as this one: the finer stamp holds what the coarser says (a
                // microsecond time related to epoch seconds would store its fraction
                // as offsets, noise where the other way round they are a constant).
                if source_form == form
                    || forms[..source].contains(&source_form)
                    || timestamps::unit_digits(source_form) < timestamps::unit_digits(form)
                {
                    continue;
                }
                for day in [false, true] {
                    let pair = match pairs.iter().position(|&(p, ..)| p == (form, source_form, day)) {
                        Some(pair) => pair,
                        None => {
                            let rescale = Rescale::between(source_form, form, day);
                            pairs.push(((form, source_form, day), rescale, PairCost::default()));
                            pairs.len() - 1
                        }
                    };
                    made.push((slot, source, pair));
                }
            }
        }
        template_pairs.push(made);
    }
    let mut previous = [0i64; timestamps::FORMAT_COUNT];
    for (id, line) in line_stamps(times, line_ids) {
        let forms = &times[id].0;
        for &(slot, source, pair) in &template_pairs[id] {
            let (_, rescale, cost) = &mut pairs[pair];
            let o = line[slot].wrapping_sub(rescale.apply(line[source]));
            cost.own += bits(line[slot].wrapping_sub(previous[usize::from(forms[slot])]));
            cost.steady += bits(o.wrapping_sub(cost.last_offset));
            cost.raw += bits(o);
            cost.last_offset = o;
        }
        for (&form, &value) in forms.iter().zip(line) {
            previous[usize::from(form)] = value;
        }
    }
    let mut candidates: Vec<(u64, TimeRelation)> = pairs
        .iter()
        .filter_map(|&((form, source, day), _, cost)| {
            let (bits, coding) = if cost.steady <= cost.raw {
                (cost.steady, OffsetCoding::Steady)
            } else {
                (cost.raw, OffsetCoding::Raw)
            };
            let bits = bits + ENTRY_BITS;
            (bits * 10 < cost.own * 9).then(|| (cost.own - bits, TimeRelation { form, source, coding, day }))
        })
        .collect();
    candidates.sort_by_key(|&(saved, r)| (std::cmp::Reverse(saved), r.form, r.source, r.day));
    let mut chosen: Vec<TimeRelation> = Vec::new();
    for (_, r) in candidates {
        let taken = |f: u8| chosen.iter().any(|c| c.form == f || c.source == f);
        if !taken(r.form) && !chosen.iter().any(|c| c.form == r.source) {
            chosen.push(r);
        }
    }
    chosen.sort_by_key(|r| r.form);
    chosen
}

/// A split's time relations in words, for people reading `cobolp info`: each as
/// `<form> from <source>, steady offsets` (or `raw offsets`; `from the day of
/// <source>` for offsets from its midnight); none before version 5.
pub fn time_relations(split: &Split) -> Result<Vec<String>> {
    let dictionary = Dictionary::read(&split.templates, usize::MAX)?;
    if dictionary.version < SPLIT_VERSION_5 {
        return Ok(Vec::new());
    }
    let mut slots = TimeSlots::of(dictionary.templates().map(|(_, items)| items));
    slots.read_relations(&split.times, &mut 0)?;
    Ok(slots
        .relations
        .iter()
        .map(|r| {
            let coding = match r.coding {
                OffsetCoding::Steady => "steady",
                OffsetCoding::Raw => "raw",
            };
            format!(
                "<{}> from {}<{}>, {coding} offsets",
                timestamps::format_spec(r.form),
                if r.day { "the day of " } else { "" },
                timestamps::format_spec(r.source)
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::xorshift;
    use proptest::prelude::*;

    const EPOCH_SECONDS: u8 = 20;
    const DATE_DOTS: u8 = 9;
    const MICROS_DASHES: u8 = 7;
    const RFC3339_NANOS: u8 = 21;
    const MILLIS_SPACE: u8 = 1;

    fn stamp(form: u8, value: i64) -> String {
        let mut out = Vec::new();
        timestamps::render(form, value, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// BGL's lines: epoch seconds, the date, then the local time to the microsecond,
    /// the epoch column hours apart from it.
    fn bgl_like(lines: usize, zone_hours: i64) -> Vec<u8> {
        let mut next = xorshift(7);
        let mut micros = 1_117_838_570_000_000i64;
        let mut block = String::new();
        for i in 0..lines {
            // Up to three hours apart: the date changes every few lines.
            micros += (next() % 10_800_000_000) as i64;
            let seconds = micros.div_euclid(1_000_000);
            let epoch = seconds + zone_hours * 3600 * i64::from(i >= lines / 2);
            let date = seconds - seconds.rem_euclid(86_400);
            block += &format!(
                "- {} {} R02-M1-N{} {} RAS KERNEL INFO cache parity error corrected\n",
                stamp(EPOCH_SECONDS, epoch),
                stamp(DATE_DOTS, date),
                i % 4,
                stamp(MICROS_DASHES, micros),
            );
        }
        block.into_bytes()
    }

    #[test]
    fn units_convert_rounding_down() {
        assert_eq!(Rescale::between(MILLIS_SPACE, EPOCH_SECONDS, false).apply(1_500), 1);
        assert_eq!(Rescale::between(MILLIS_SPACE, EPOCH_SECONDS, false).apply(-1_500), -2);
        assert_eq!(Rescale::between(EPOCH_SECONDS, RFC3339_NANOS, false).apply(7), 7_000_000_000);
        assert_eq!(Rescale::between(MICROS_DASHES, MICROS_DASHES, false).apply(7), 7);
        let day_of = Rescale::between(MICROS_DASHES, DATE_DOTS, true);
        assert_eq!(day_of.apply(3 * 86_400_000_000 + 5), 3 * 86_400);
        assert_eq!(day_of.apply(-1), -86_400, "a day starts at or before its instant");
        assert_eq!(Rescale::between(EPOCH_SECONDS, MILLIS_SPACE, true).apply(86_401), 86_400_000);
        assert_eq!(timestamps::unit_digits(EPOCH_SECONDS), 0);
        assert_eq!(timestamps::unit_digits(19), 3, "%E13 counts milliseconds");
        assert_eq!(timestamps::unit_digits(MICROS_DASHES), 6);
        assert_eq!(timestamps::unit_digits(RFC3339_NANOS), 9);
    }

    /// The epoch column is the microsecond one's seconds and a zone offset that changes
    /// once, the date column its day: relations with steady offsets, from the time
    /// and from its day, and the block joins back.
    #[test]
    fn a_second_stamp_of_the_same_instant_is_an_offset() {
        let block = bgl_like(400, 1);
        let s = split(&block);
        assert_eq!(s.times[..7], [2, DATE_DOTS, MICROS_DASHES, CODING_DAY, EPOCH_SECONDS, MICROS_DASHES, 0]);
        assert_eq!(
            time_relations(&s).unwrap(),
            [
                "<%Y.%m.%d> from the day of <%Y-%m-%d-%H.%M.%S.%6>, steady offsets",
                "<%E10> from <%Y-%m-%d-%H.%M.%S.%6>, steady offsets"
            ]
        );
        assert_eq!(join(&s, block.len()).unwrap(), block);
        // The stream ends with the dates' offsets from their days, then the epochs'
        // from the times: every one a zero byte but the zone's change (two bytes).
        let offsets = &s.times[s.times.len() - 801..];
        assert_eq!(offsets.iter().filter(|&&b| b != 0).count(), 2, "{offsets:?}");
    }

    /// An application's millisecond stamp a few milliseconds before its collector's
    /// nanosecond one, the related form first in the line: raw offsets.
    #[test]
    fn a_jittering_offset_is_stored_raw_and_a_source_may_come_later() {
        let mut next = xorshift(3);
        let mut nanos = 1_496_000_000_000_000_000i64;
        let mut block = String::new();
        for i in 0..300 {
            nanos += (next() % 40_000_000_000) as i64;
            let millis = nanos / 1_000_000 - (next() % 4) as i64;
            block += &format!(
                "{{\"log\":\"{} INFO task {i} done\",\"time\":\"{}Z\"}}\n",
                stamp(MILLIS_SPACE, millis),
                stamp(RFC3339_NANOS, nanos)
            );
        }
        let block = block.into_bytes();
        let s = split(&block);
        assert_eq!(s.times[..4], [1, MILLIS_SPACE, RFC3339_NANOS, CODING_RAW]);
        assert_eq!(join(&s, block.len()).unwrap(), block);
    }

    /// A damaged list is an error naming it, never a panic.
    #[test]
    fn a_damaged_list_is_refused() {
        let block = bgl_like(100, 1);
        let s = split(&block);
        let with = |times: &[u8]| {
            let mut t = s.times.clone();
            t[..times.len()].copy_from_slice(times);
            join(&Split { times: t, ..s.clone() }, block.len())
        };
        for (bytes, what) in [
            (&[1, EPOCH_SECONDS, MICROS_DASHES, 4][..], "an unknown coding"),
            (&[1, EPOCH_SECONDS, EPOCH_SECONDS, 0], "a form from itself"),
            (&[1, 22, MICROS_DASHES, 0], "a form past the last"),
            (&[2, EPOCH_SECONDS, MICROS_DASHES, 0, MICROS_DASHES, DATE_DOTS, 0], "a source related"),
            (&[2, EPOCH_SECONDS, MICROS_DASHES, 0, DATE_DOTS, MICROS_DASHES, 0], "forms out of order"),
            (&[23], "more relations than forms"),
        ] {
            let err = with(bytes).unwrap_err();
            assert!(
                matches!(err, Error::Corrupt { what: "time relations", .. } | Error::TooLarge { .. }),
                "{what}: {err}"
            );
        }
        let mut short = s.clone();
        short.times.truncate(s.times.len() - 3);
        assert!(join(&short, block.len()).is_err(), "offsets cut short");
        let mut cut = s.clone();
        cut.times.truncate(2);
        assert!(join(&cut, block.len()).is_err(), "the list cut short");
    }

    /// A template of more than 255 stamps whose source form comes after the 255th:
    /// slots are counted past a byte.
    #[test]
    fn a_source_past_the_255th_stamp_is_found() {
        let mut forms = vec![0u8; 300];
        forms.extend_from_slice(&[MICROS_DASHES, EPOCH_SECONDS]);
        let mut next = xorshift(5);
        let (mut rows, mut micros) = (Vec::new(), 1_200_000_000_000_000i64);
        for _ in 0..50 {
            micros += (next() % 9_000_000) as i64;
            // Stamps of other instants, no relation to the others.
            rows.extend((0..300).map(|_| 1_200_000_000_000 + (next() % 1_000_000_000) as i64));
            rows.extend_from_slice(&[micros, micros / 1_000_000 + 3_600]);
        }
        let times = [(forms.clone(), rows.clone())];
        let mut out = Vec::new();
        write_times(&times, &[0; 50], &mut out);
        assert_eq!(out[..4], [1, EPOCH_SECONDS, MICROS_DASHES, 0]);
        let slots = TimeSlots::of_forms([&forms[..]].into_iter());
        let (columns, read) = read_times(&out, slots, SPLIT_VERSION, &[0; 50], &[50]).unwrap();
        assert_eq!(read, out.len());
        for (slot, &form) in forms.iter().enumerate().skip(300) {
            let expected: Vec<i64> = rows.iter().skip(slot).step_by(forms.len()).copied().collect();
            assert_eq!(columns[usize::from(form)], expected, "slot {slot}");
        }
    }

    /// The forms a generated line may stamp, with years (any value of the range below
    /// renders in each; the two dates at midnight).
    const FORMS: [u8; 9] = [0, 2, 4, 7, 8, DATE_DOTS, EPOCH_SECONDS, 19, RFC3339_NANOS];

    proptest! {
        /// Lines with two or three stamps of one instant in random forms, in random
        /// order, offsets steady, jittering or random: the block joins back exactly.
        #[test]
        fn stamps_of_one_instant_round_trip(
            lines in prop::collection::vec(
                (prop::sample::subsequence(FORMS.to_vec(), 2..=3).prop_shuffle(), 0i64..3_000_000, 0i64..5, any::<bool>()),
                1..80,
            ),
            offset_kind in 0u8..3,
        ) {
            let mut nanos = 1_300_000_000_000_000_000i64;
            let mut block = String::new();
            for (forms, step, jitter, word) in lines {
                nanos += step * 1_000_000;
                for (k, form) in forms.into_iter().enumerate() {
                    let shift = match offset_kind {
                        0 => 0,
                        1 => jitter * k as i64,
                        _ => step * k as i64 % 7_000,
                    } * 1_000_000_000;
                    let date = matches!(form, 8 | DATE_DOTS);
                    let value = Rescale::between(RFC3339_NANOS, form, date).apply(nanos + shift);
                    block += &format!("{} {} ", stamp(form, value), if word { "x" } else { "y=1" });
                }
                block += "\n";
            }
            let block = block.into_bytes();
            let s = split(&block);
            prop_assert_eq!(join(&s, block.len()).unwrap(), block);
        }
    }
}
