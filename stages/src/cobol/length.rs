//! Records without a copybook: the record length from the bytes themselves, and a
//! layout guessed column by column.
//!
//! Fixed-width records repeat their structure every `record_len` bytes: the same
//! field holds bytes of the same kind (digits, spaces, leading zeros of a packed
//! amount, the sign nibble) at the same place in every record. So the fraction of
//! positions `i` where `data[i] == data[i + p]` (the autocorrelation at lag `p`) jumps
//! at the record length and its multiples, well above what the byte frequencies alone
//! give. [`detect_record_length`] picks the smallest lag that reaches nearly the best
//! score, and refuses when no lag stands out.
//!
//! [`infer_layout`] then looks at each byte position over many records: runs of
//! positions that always hold zoned digits become zoned fields; a position whose low
//! nibble is always a sign nibble (`A`..`F`), with the positions before it always two
//! decimal digits, ends a packed (COMP-3) field; everything else is text. A wrong
//! guess costs ratio, never bytes: the record layer keeps every field that does not
//! decode as an exception.

use std::collections::HashMap;

use super::{Charset, Field, FieldKind, RecordLayout, SignPosition};

/// Bytes looked at to find the record length.
const LENGTH_SAMPLE: usize = 64 << 10;
/// Records looked at to classify columns.
const LAYOUT_SAMPLE: usize = 4096;
/// Bytes of the sample each lag is first scored on.
const COARSE_WINDOW: usize = 4 << 10;
/// Lags with the best first scores that are scored again on [`SCORE_WINDOW`] bytes.
const COARSE_LEADERS: usize = 64;
/// Bytes of the sample the best lags are scored on next.
const SCORE_WINDOW: usize = 16 << 10;
/// Lags with the best first scores that are scored again on the whole sample.
const REFINED_LAGS: usize = 8;
/// A guess needs at least this many whole records in the sample.
const MIN_RECORDS: usize = 8;

/// What [`detect_record_length`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecordLengthGuess {
    /// The record length in bytes.
    pub len: usize,
    /// Fraction of positions equal to the byte one record later.
    pub score: f64,
    /// The same fraction expected by chance, from the byte frequencies.
    pub chance: f64,
}

/// The record length of fixed-width records in `data`, between 2 and `max_len` bytes,
/// or `None` when the data does not look like fixed-width records (text with lines of
/// varying length, compressed or random bytes, too few records).
///
/// ```
/// use cobolp_stages::cobol::length::detect_record_length;
/// let records: Vec<u8> = (0..500u32).flat_map(|i| format!("{i:06}NAME{:04}    ", i * 7 % 10_000).into_bytes()).collect();
/// assert_eq!(detect_record_length(&records, 4096).unwrap().len, 18);
/// ```
pub fn detect_record_length(data: &[u8], max_len: usize) -> Option<RecordLengthGuess> {
    let sample = &data[..data.len().min(LENGTH_SAMPLE)];
    let max_len = max_len.min(sample.len() / MIN_RECORDS);
    if max_len < 2 || is_text_of_varying_lines(sample) {
        return None;
    }
    let chance = collision_rate(sample);
    let score = |p: usize, window: usize| {
        let n = (sample.len() - p).min(window);
        equal_bytes(&sample[..n], &sample[p..p + n]) as f64 / n as f64
    };
    // Every lag is scored on the sample's first 4 KiB (thousands of lags are scored,
    // and a record structure stands out well above the noise there); the best of them
    // on 16 KiB; the best few of those and the lags dividing them, which decide, on
    // the whole sample.
    let mut scores: Vec<f64> = (0..=max_len).map(|p| if p < 2 { 0.0 } else { score(p, COARSE_WINDOW) }).collect();
    let by_score = |scores: &[f64], lags: &mut Vec<usize>| {
        lags.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    };
    let mut leaders: Vec<usize> = (2..=max_len).collect();
    by_score(&scores, &mut leaders);
    leaders.truncate(COARSE_LEADERS);
    for &lag in &leaders {
        scores[lag] = score(lag, SCORE_WINDOW);
    }
    by_score(&scores, &mut leaders);
    leaders.truncate(REFINED_LAGS);
    let mut refined = vec![false; max_len + 1];
    for &lag in &leaders {
        for p in (2..=lag).filter(|&p| lag % p == 0) {
            if !refined[p] {
                scores[p] = score(p, sample.len());
                refined[p] = true;
            }
        }
    }
    let (best, &best_score) = scores.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    // The structure must stand out: well above chance, and not just a long run of one
    // byte (where every lag scores alike).
    let median = {
        let mut s = scores[2..].to_vec();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    if best_score < chance + 0.15 || best_score < median + 0.1 {
        return None;
    }
    // The record length divides the best lag (which may be a multiple of it: records
    // whose values repeat every few records score higher there) and keeps most of its
    // lead over chance.
    let floor = chance + 0.8 * (best_score - chance);
    let len = (2..=best).find(|&p| best % p == 0 && scores[p] >= floor && scores[p] >= median + 0.1)?;
    if is_lines_of_varying_length(sample, len) {
        return None;
    }
    Some(RecordLengthGuess { len, score: scores[len], chance })
}

/// Positions where `a` and `b` hold the same byte. Counted in byte-wide lanes over
/// stretches too short for them to overflow, which the compiler turns into vector
/// compares: thousands of lags are scored this way, and counting into `usize` lanes
/// made that a quarter as fast.
fn equal_bytes(a: &[u8], b: &[u8]) -> usize {
    a.chunks(255)
        .zip(b.chunks(255))
        .map(|(x, y)| usize::from(x.iter().zip(y).fold(0u8, |same, (p, q)| same + u8::from(p == q))))
        .sum()
}

/// Text whose lines merely have similar lengths (log lines of one format) can score
/// at some lag too. Records that end in a newline have it at the same place in every
/// record; text lines have theirs anywhere. A few stray newline bytes (inside binary
/// fields) do not count.
fn is_lines_of_varying_length(sample: &[u8], len: usize) -> bool {
    let mut at = vec![0usize; len];
    let mut newlines = 0;
    for (i, _) in sample.iter().enumerate().filter(|(_, &b)| b == b'\n') {
        at[i % len] += 1;
        newlines += 1;
    }
    let records = sample.len() / len;
    newlines * 2 >= records && at.iter().max().is_some_and(|&m| m * 10 < newlines * 9)
}

/// Text whose lines differ in length (logs, prose, JSON) is not fixed-width records,
/// and saying so takes one pass instead of the thousands of comparisons a lag each of
/// the scoring: almost no control bytes, at least eight line ends, and no line length
/// shared by nine lines in ten. (Binary records can hold newline bytes, but also
/// control bytes: they go on to the scoring.)
fn is_text_of_varying_lines(sample: &[u8]) -> bool {
    let control = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')).count();
    if control * 100 > sample.len() {
        return false;
    }
    let mut lengths: HashMap<usize, usize> = HashMap::new();
    let mut lines = 0;
    let mut start = 0;
    for (i, _) in sample.iter().enumerate().filter(|(_, &b)| b == b'\n') {
        *lengths.entry(i - start).or_default() += 1;
        lines += 1;
        start = i + 1;
    }
    lines >= 8 && lengths.values().max().is_some_and(|&m| m * 10 < lines * 9)
}

/// Probability that two bytes drawn from `data` are equal.
fn collision_rate(data: &[u8]) -> f64 {
    let mut counts = [0u64; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len().max(1) as f64;
    counts.iter().map(|&c| (c as f64 / n) * (c as f64 / n)).sum()
}

/// What one byte position holds across the sampled records.
#[derive(Clone, Copy, Debug, Default)]
struct PositionStats {
    records: u32,
    zoned_digit: u32,
    space: u32,
    /// Both nibbles decimal digits.
    bcd: u32,
    /// High nibble a digit, low nibble a sign (`A`..`F`).
    bcd_sign: u32,
    /// High nibble a digit, low nibble `F` (the sign of an unsigned packed field).
    bcd_unsigned: u32,
    /// ASCII letters, several of which (`A`-`I`, `P`-`Y`) are also two decimal digits.
    letter: u32,
}

/// Classes of a byte value that [`PositionStats`] counts, as bits.
const ZONED_DIGIT: u8 = 1;
const SPACE: u8 = 2;
const BCD: u8 = 4;
const BCD_SIGN: u8 = 8;
const BCD_UNSIGNED: u8 = 16;
const LETTER: u8 = 32;

/// The classes of byte `b` under `charset`.
fn byte_classes(b: u8, charset: Charset) -> u8 {
    let (digits, space) = match charset {
        Charset::Ascii => (0x30..=0x39, 0x20),
        Charset::Ebcdic => (0xF0..=0xF9, 0x40),
    };
    let (hi, lo) = (b >> 4, b & 0xF);
    let class = |yes: bool, bit: u8| if yes { bit } else { 0 };
    class(digits.contains(&b), ZONED_DIGIT)
        | class(b == space, SPACE)
        | class(hi <= 9 && lo <= 9, BCD)
        | class(hi <= 9 && lo >= 0xA, BCD_SIGN)
        | class(hi <= 9 && lo == 0xF, BCD_UNSIGNED)
        | class(b.is_ascii_alphabetic(), LETTER)
}

fn position_stats(data: &[u8], record_len: usize, charset: Charset) -> Vec<PositionStats> {
    // Each position's bytes are counted by value (one increment a byte), and the
    // classes summed from the counts after: seven tallies a byte cost three times more.
    const _: () = assert!(LAYOUT_SAMPLE <= u16::MAX as usize, "counts are u16");
    let mut counts = vec![[0u16; 256]; record_len];
    let mut records = 0;
    for rec in data.chunks_exact(record_len).take(LAYOUT_SAMPLE) {
        records += 1;
        for (count, &b) in counts.iter_mut().zip(rec) {
            count[usize::from(b)] += 1;
        }
    }
    let classes: [u8; 256] = std::array::from_fn(|b| byte_classes(b as u8, charset));
    counts
        .iter()
        .map(|count| {
            let mut s = PositionStats { records, ..PositionStats::default() };
            for (&n, &class) in count.iter().zip(&classes) {
                let n = u32::from(n);
                let add = |bit: u8| if class & bit != 0 { n } else { 0 };
                s.zoned_digit += add(ZONED_DIGIT);
                s.space += add(SPACE);
                s.bcd += add(BCD);
                s.bcd_sign += add(BCD_SIGN);
                s.bcd_unsigned += add(BCD_UNSIGNED);
                s.letter += add(LETTER);
            }
            s
        })
        .collect()
}

/// What a position is taken for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Guess {
    Text,
    Zoned,
    PackedBody,
    PackedSign,
}

/// Longest packed field the guess makes: 9 bytes, 17 digits, every value an `i64`.
const MAX_PACKED_LEN: usize = 9;

/// A layout for records of `record_len` bytes guessed from `data` (see the module
/// documentation): zoned fields, packed fields and text, covering the record without
/// gaps. Field names are `COL-<offset>`.
///
/// ```
/// use cobolp_stages::cobol::{length::infer_layout, Charset, FieldKind};
/// let mut data = Vec::new();
/// for i in 0..200u64 {
///     data.extend_from_slice(format!("{:08}ACME", 20230101 + i % 28).as_bytes());
///     data.extend_from_slice(&[0x00, (i % 10) as u8 * 0x11, 0x1C]); // PIC S9(5) COMP-3
/// }
/// let layout = infer_layout(&data, 15, Charset::Ascii);
/// let kinds: Vec<_> = layout.fields.iter().map(|f| (f.offset, f.len, f.kind)).collect();
/// assert_eq!(kinds[0].2, FieldKind::Zoned { digits: 8, scale: 0, signed: false, sign: Default::default() });
/// assert_eq!((kinds[2].0, kinds[2].1), (12, 3));
/// assert!(matches!(kinds[2].2, FieldKind::Packed { .. }));
/// ```
pub fn infer_layout(data: &[u8], record_len: usize, charset: Charset) -> RecordLayout {
    let stats = position_stats(data, record_len, charset);
    let mut guess = vec![Guess::Text; record_len];
    let always = |count: u32, s: &PositionStats| s.records > 0 && count == s.records;
    for (g, s) in guess.iter_mut().zip(&stats) {
        if always(s.zoned_digit, s) {
            *g = Guess::Zoned;
        }
    }
    // Packed fields end at a sign byte and reach back over bytes of two digits that
    // are neither zoned digits nor mostly spaces or letters.
    for end in 0..record_len {
        let s = &stats[end];
        if !always(s.bcd_sign, s) || s.letter * 2 >= s.records {
            continue;
        }
        guess[end] = Guess::PackedSign;
        let mut start = end;
        while start > 0 && end - (start - 1) < MAX_PACKED_LEN {
            let p = &stats[start - 1];
            if guess[start - 1] != Guess::Text
                || !always(p.bcd, p)
                || p.space * 5 >= p.records
                || p.letter * 2 >= p.records
            {
                break;
            }
            start -= 1;
        }
        for g in &mut guess[start..end] {
            *g = Guess::PackedBody;
        }
    }
    let mut fields = Vec::new();
    let mut pos = 0;
    while pos < record_len {
        let (len, kind) = match guess[pos] {
            Guess::PackedBody | Guess::PackedSign => {
                let end = (pos..record_len).find(|&i| guess[i] == Guess::PackedSign).expect("a body ends at a sign");
                let len = end + 1 - pos;
                let signed = !always(stats[end].bcd_unsigned, &stats[end]);
                (len, FieldKind::Packed { digits: (2 * len - 1) as u8, scale: 0, signed })
            }
            Guess::Zoned => {
                let len = guess[pos..].iter().take_while(|g| **g == Guess::Zoned).count().min(18);
                (len, FieldKind::Zoned { digits: len as u8, scale: 0, signed: false, sign: SignPosition::default() })
            }
            Guess::Text => (guess[pos..].iter().take_while(|g| **g == Guess::Text).count(), FieldKind::Text),
        };
        fields.push(Field { name: format!("COL-{pos}"), offset: pos, len, kind, filler: false, line: 0 });
        pos += len;
    }
    RecordLayout { name: None, record_len, fields, redefinitions: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn position_stats_count_each_byte_by_its_classes(
            data in prop::collection::vec(any::<u8>(), 0..3000),
            record_len in 1usize..80,
            ebcdic in any::<bool>(),
        ) {
            let charset = if ebcdic { Charset::Ebcdic } else { Charset::Ascii };
            let (digits, space) = if ebcdic { (0xF0..=0xF9, 0x40) } else { (0x30..=0x39, 0x20) };
            let stats = position_stats(&data, record_len, charset);
            prop_assert_eq!(stats.len(), record_len);
            for (at, s) in stats.iter().enumerate() {
                let bytes: Vec<u8> = data.chunks_exact(record_len).map(|r| r[at]).collect();
                let count = |f: &dyn Fn(u8) -> bool| bytes.iter().filter(|&&b| f(b)).count() as u32;
                prop_assert_eq!(s.records, bytes.len() as u32);
                prop_assert_eq!(s.zoned_digit, count(&|b| digits.contains(&b)));
                prop_assert_eq!(s.space, count(&|b| b == space));
                prop_assert_eq!(s.bcd, count(&|b| b >> 4 <= 9 && b & 0xF <= 9));
                prop_assert_eq!(s.bcd_sign, count(&|b| b >> 4 <= 9 && b & 0xF >= 0xA));
                prop_assert_eq!(s.bcd_unsigned, count(&|b| b >> 4 <= 9 && b & 0xF == 0xF));
                prop_assert_eq!(s.letter, count(&|b| b.is_ascii_alphabetic()));
            }
        }
    }

    /// Records shaped like `bank_txn.dat`: zoned account and date, two packed amounts,
    /// text code and description, a packed counter: 69 bytes.
    fn bank_records(n: u64) -> Vec<u8> {
        let descs = ["ONLINE TRANSFER FROM SAVINGS", "ATM WITHDRAWAL TERM 0666", "FEE MONTHLY MAINTENANCE"];
        let mut out = Vec::new();
        let mut x = 12345u64;
        for i in 0..n {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            out.extend_from_slice(
                format!("{:010}{:08}", 1_000_000_000 + (x >> 40) % 5000, 20230101 + i / 100).as_bytes(),
            );
            let amount = (x >> 20) % 100_000;
            let mut packed = [0u8; 6];
            crate::cobol::packed::pack_i64(amount as i64, 0xC, &mut packed).unwrap();
            out.extend_from_slice(&packed);
            let mut packed = [0u8; 7];
            crate::cobol::packed::pack_i64(-(((x >> 10) % 10_000_000) as i64) - 1, 0xD, &mut packed).unwrap();
            out.extend_from_slice(&packed);
            out.extend_from_slice(b"ATM ");
            out.extend_from_slice(format!("{:<30}", descs[(x % 3) as usize]).as_bytes());
            let mut packed = [0u8; 4];
            crate::cobol::packed::pack_i64(i as i64 % 10_000_000, 0xF, &mut packed).unwrap();
            out.extend_from_slice(&packed);
        }
        out
    }

    #[test]
    fn finds_the_length_and_the_fields_of_bank_like_records() {
        let data = bank_records(3000);
        let guess = detect_record_length(&data, 4096).unwrap();
        assert_eq!(guess.len, 69, "{guess:?}");
        assert!(guess.score > guess.chance + 0.3, "{guess:?}");
        let layout = infer_layout(&data, 69, Charset::Ascii);
        let spans: Vec<(usize, usize, bool)> =
            layout.fields.iter().map(|f| (f.offset, f.len, matches!(f.kind, FieldKind::Packed { .. }))).collect();
        // The account and the date run together as 18 digits; the packed fields are
        // found by their sign nibbles.
        assert_eq!(spans[0], (0, 18, false));
        assert!(spans.contains(&(18, 6, true)), "{spans:?}");
        assert!(spans.contains(&(24, 7, true)), "{spans:?}");
        assert!(spans.contains(&(65, 4, true)), "{spans:?}");
        let counter = layout.fields.iter().find(|f| f.offset == 65).unwrap();
        assert_eq!(counter.kind, FieldKind::Packed { digits: 7, scale: 0, signed: false }, "sign nibbles F");
        assert_eq!(layout.fields.iter().map(|f| f.len).sum::<usize>(), 69);
    }

    #[test]
    fn text_and_noise_are_not_records() {
        let lines: Vec<u8> = (0..2000u32).flat_map(|i| format!("{i:05} event {}\n", i % 7).into_bytes()).collect();
        assert_eq!(detect_record_length(&lines, 4096).unwrap().len, 14, "fixed-width lines are records");
        for sample in ["apache_access.log", "ec2_api.json"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples").join(sample);
            let text = std::fs::read(&path).unwrap();
            assert_eq!(detect_record_length(&text, 4096), None, "{sample}");
        }
        let mut x = 1u64;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert_eq!(detect_record_length(&noise, 4096), None);
        assert_eq!(detect_record_length(&[0u8; 10_000], 4096), None, "one byte repeated has no record length");
        assert_eq!(detect_record_length(b"short", 4096), None);
    }

    proptest! {
        #[test]
        fn equal_bytes_counts_equal_positions(pairs in prop::collection::vec((0u8..3, 0u8..3), 0..1200)) {
            let (a, b): (Vec<u8>, Vec<u8>) = pairs.into_iter().unzip();
            prop_assert_eq!(equal_bytes(&a, &b), a.iter().zip(&b).filter(|(x, y)| x == y).count());
        }

        #[test]
        fn any_bytes_give_a_layout_that_covers_the_record(
            data in prop::collection::vec(any::<u8>(), 0..2000),
            record_len in 1usize..80,
        ) {
            let _ = detect_record_length(&data, 4096);
            let layout = infer_layout(&data, record_len, Charset::Ascii);
            let mut pos = 0;
            for f in &layout.fields {
                prop_assert_eq!(f.offset, pos);
                prop_assert!(f.len > 0);
                if let FieldKind::Packed { .. } = f.kind {
                    prop_assert!(f.len <= MAX_PACKED_LEN);
                }
                pos += f.len;
            }
            prop_assert_eq!(pos, record_len);
        }
    }
}
