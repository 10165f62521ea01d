//! Runs of hexadecimal digits in the new words, two digits a byte in a stream of their
//! own (split version 6).
//!
//! Request ids, trace ids, hashes, container ids are random digits: 4 bits each, which
//! L7's tables for the words' text (letters, mostly) code in 4.2-5 bits and L6 searches
//! for matches that are not there. Packed, each costs its 4 bits and no more: a run of
//! [`MIN_RUN`] digits or more of one case, with at least one letter (a run of decimal
//! digits is a number: 3.3 bits a digit as text, 4 packed), is taken out of `words`
//! and replaced there by a marker byte that no word of the block holds and a byte of
//! length; its digits go two to a byte to `hex-runs`, which starts with the marker.
//! A UUID (8-4-4-4-12 digits of one case with dashes between) is packed the same way,
//! its 32 digits in 16 bytes, with a length byte of its own that stands for the
//! dashes too.

use super::tokens::{starts_with_uuid, UUID_LEN};
use crate::entropy_estimate::bits_per_byte_of;
use crate::{Error, Result};

/// The fewest digits a packed run holds.
pub(super) const MIN_RUN: usize = 16;

/// The fewest digits a block's runs hold together for any to be packed: the stream's
/// own cost (its header, L7's choice of method) is about 20 bytes, and a digit packed
/// saves 0.1-1.5 bits over the same digit as text (nginx's request ids in a stream of
/// mostly ids, MD5 sums among the words of package descriptions).
const MIN_DIGITS: usize = 512;

/// The least entropy of the runs' digits, in sixteenths of a bit a digit, for them to
/// be packed (3.75 bits): random ids and hashes measure 3.98-4.0 from 512 digits up;
/// addresses, masks and bytes of text written in hex (`0000000007eae000`,
/// `594c31304b`: 3.66 bits in `BGL_2k.log`) are coded as text in fewer than 4 bits.
const MIN_ENTROPY_16THS: u32 = 60;

/// The most digits one marker stands for: a longer run takes several.
const MAX_RUN: usize = 2 * 127;

/// In a run's length byte (the digits over two): the run's letters are capitals.
const UPPER: u8 = 0x80;

/// A length byte (without [`UPPER`]) that stands for a UUID: 32 digits in 16 bytes,
/// written in groups of 8-4-4-4-12 with dashes between.
const UUID: u8 = 1;

/// The digits of a UUID.
const UUID_DIGITS: usize = 32;

/// What a byte is to a run.
const OTHER: u8 = 0;
const DIGIT: u8 = 1;
const LOWER: u8 = 2;
const CAPITAL: u8 = 4;
/// A dash, which joins the groups of a UUID.
const DASH: u8 = 8;

const KIND: [u8; 256] = {
    let mut kind = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        kind[b] = match b as u8 {
            b'0'..=b'9' => DIGIT,
            b'a'..=b'f' => LOWER,
            b'A'..=b'F' => CAPITAL,
            b'-' => DASH,
            _ => OTHER,
        };
        b += 1;
    }
    kind
};

/// A packable run of digits, or a UUID, in `words`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    start: usize,
    /// Digits packed: a UUID's 32, or a plain run's (even, at most [`MAX_RUN`]).
    digits: usize,
    capitals: bool,
    uuid: bool,
}

impl Run {
    /// The bytes of `words` it stands for.
    fn len(&self) -> usize {
        if self.uuid {
            UUID_LEN
        } else {
            self.digits
        }
    }

    /// Its digits, in order (a UUID's without its dashes).
    fn digits_in<'a>(&self, words: &'a [u8]) -> impl Iterator<Item = u8> + 'a {
        words[self.start..self.start + self.len()].iter().copied().filter(|&b| b != b'-')
    }
}

/// Whether the letters of digits whose kinds are `kinds` are of one case, and
/// which: `None` for both cases.
fn one_case(kinds: u8) -> Option<bool> {
    match kinds & (LOWER | CAPITAL) {
        k if k == LOWER | CAPITAL => None,
        k => Some(k == CAPITAL),
    }
}

/// The packable runs of `words`, in order.
///
/// Every run long enough (and every UUID) holds a byte at a multiple of [`MIN_RUN`]
/// past the last byte known to be neither a digit nor a dash, so the scan looks there
/// only and grows a stretch of digits and dashes both ways from one it finds: words
/// are mostly neither, and a byte-by-byte scan was 0.7% of compressing the small
/// logs, which have none of these runs.
fn runs(words: &[u8]) -> Vec<Run> {
    let in_run = |i: usize| KIND[usize::from(words[i])] != OTHER;
    let mut found = Vec::new();
    let mut probe = MIN_RUN - 1;
    while probe < words.len() {
        if !in_run(probe) {
            probe += MIN_RUN;
            continue;
        }
        let (mut start, mut end) = (probe, probe + 1);
        while start > 0 && in_run(start - 1) {
            start -= 1;
        }
        while end < words.len() && in_run(end) {
            end += 1;
        }
        probe = end + MIN_RUN;
        if end - start >= MIN_RUN {
            runs_in(words, start..end, &mut found);
        }
    }
    found
}

/// The case of the UUID that `text` starts with, where it starts with one whose
/// letters are of one case.
fn uuid_at(text: &[u8]) -> Option<bool> {
    let uuid = text.get(..UUID_LEN).filter(|u| starts_with_uuid(u))?;
    one_case(uuid.iter().fold(0, |k, &b| k | KIND[usize::from(b)]))
}

/// The runs of a stretch of digits and dashes: from its start, a UUID of one case
/// where one begins, else the digits up to the next dash (or up to a UUID whose first
/// group ends there: new words of one length follow one another without a newline),
/// packed where they are [`MIN_RUN`] or more of one case with a letter (a run of
/// decimal digits is a number, 3.3 bits a digit as text, 4 packed).
fn runs_in(words: &[u8], stretch: std::ops::Range<usize>, found: &mut Vec<Run>) {
    const FIRST_GROUP: usize = 8;
    let mut at = stretch.start;
    while at < stretch.end {
        if words[at] == b'-' {
            at += 1;
            continue;
        }
        if let Some(capitals) = uuid_at(&words[at..stretch.end]) {
            found.push(Run { start: at, digits: UUID_DIGITS, capitals, uuid: true });
            at += UUID_LEN;
            continue;
        }
        let dash = at + memchr::memchr(b'-', &words[at..stretch.end]).unwrap_or(stretch.end - at);
        let end = match dash.checked_sub(FIRST_GROUP) {
            Some(uuid) if uuid > at && uuid_at(&words[uuid..stretch.end]).is_some() => uuid,
            _ => dash,
        };
        let kinds = words[at..end].iter().fold(0, |k, &b| k | KIND[usize::from(b)]);
        if let (Some(capitals), true) = (one_case(kinds), kinds != DIGIT) {
            // An odd digit is left as text after the run.
            while end - at >= MIN_RUN {
                let digits = (end - at).min(MAX_RUN) & !1;
                found.push(Run { start: at, digits, capitals, uuid: false });
                at += digits;
            }
        }
        at = end;
    }
}

/// A byte that no word of `words` holds (never `\n`, which ends words), lowest first:
/// a control byte where there is one.
fn free_byte(words: &[u8]) -> Option<u8> {
    let mut seen = [false; 256];
    for &b in words {
        seen[usize::from(b)] = true;
    }
    seen[usize::from(b'\n')] = true;
    (0..=255u8).find(|&b| !seen[usize::from(b)])
}

/// Whether the digits of `runs` in `words` are enough and random enough to pack (see
/// [`MIN_DIGITS`], [`MIN_ENTROPY_16THS`]).
fn pays(words: &[u8], runs: &[Run]) -> bool {
    let total: usize = runs.iter().map(|r| r.digits).sum();
    if total < MIN_DIGITS {
        return false;
    }
    // A histogram of the digits' values (the first 16 of 256 counts).
    let mut counts = [0u32; 256];
    for run in runs {
        for d in run.digits_in(words) {
            counts[usize::from(nibble(d))] += 1;
        }
    }
    bits_per_byte_of(&counts, total) * 16.0 >= f64::from(MIN_ENTROPY_16THS)
}

/// A digit's value (any other byte's is of no use).
const NIBBLE: [u8; 256] = {
    let mut value = [0; 256];
    let mut b = 0;
    while b < 256 {
        value[b] = match b as u8 {
            d @ b'0'..=b'9' => d - b'0',
            d @ b'a'..=b'f' => d - b'a' + 10,
            d @ b'A'..=b'F' => d - b'A' + 10,
            _ => 0,
        };
        b += 1;
    }
    value
};

fn nibble(digit: u8) -> u8 {
    NIBBLE[usize::from(digit)]
}

/// `words` with its runs packed, and the `hex-runs` stream; `None` where it has no run
/// or every byte value occurs in it (no marker to be had).
pub(super) fn pack(words: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let runs = runs(words);
    if !pays(words, &runs) {
        return None;
    }
    let marker = free_byte(words)?;
    let packed: usize = runs.iter().map(|r| r.digits / 2).sum();
    let mut hex = Vec::with_capacity(1 + packed);
    hex.push(marker);
    let mut kept = Vec::with_capacity(words.len() - packed);
    let mut from = 0;
    let mut pair = None;
    for run in runs {
        kept.extend_from_slice(&words[from..run.start]);
        kept.push(marker);
        let length = if run.uuid { UUID } else { (run.digits / 2) as u8 };
        kept.push(length | if run.capitals { UPPER } else { 0 });
        for d in run.digits_in(words) {
            match pair.take() {
                None => pair = Some(nibble(d) << 4),
                Some(high) => hex.push(high | nibble(d)),
            }
        }
        from = run.start + run.len();
    }
    kept.extend_from_slice(&words[from..]);
    Some((kept, hex))
}

/// The new words of a version 6 split: `words` with each marker and length replaced by
/// the digits of its run from `hex` (see [`pack`]), in a vector with `room` bytes to
/// spare after them (the join pads the words it copies from). Every byte of `hex` must
/// be used.
pub(super) fn unpack(words: &[u8], hex: &[u8], room: usize) -> Result<Vec<u8>> {
    const WHAT: &str = "hex runs";
    let (&marker, mut packed) = hex.split_first().ok_or(Error::Truncated { what: WHAT, needed: 1 })?;
    let mut out = Vec::with_capacity(words.len() + 2 * packed.len() + room);
    let mut rest = words;
    while let Some(at) = memchr::memchr(marker, rest) {
        out.extend_from_slice(&rest[..at]);
        let &length = rest.get(at + 1).ok_or(Error::Truncated { what: "words", needed: 1 })?;
        let uuid = length & !UPPER == UUID;
        let bytes = if uuid { UUID_DIGITS / 2 } else { usize::from(length & !UPPER) };
        if bytes < MIN_RUN / 2 {
            return Err(Error::corrupt(WHAT, format!("a run of {} digits (the fewest is {MIN_RUN})", 2 * bytes)));
        }
        if bytes > packed.len() {
            return Err(Error::Truncated { what: WHAT, needed: bytes - packed.len() });
        }
        let digits: &[u8; 16] = if length & UPPER != 0 { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
        for (i, &b) in packed[..bytes].iter().enumerate() {
            // A UUID's dashes come after its 4th, 6th, 8th and 10th bytes.
            if uuid && matches!(i, 4 | 6 | 8 | 10) {
                out.push(b'-');
            }
            out.push(digits[usize::from(b >> 4)]);
            out.push(digits[usize::from(b & 15)]);
        }
        packed = &packed[bytes..];
        rest = &rest[at + 2..];
    }
    if !packed.is_empty() {
        return Err(Error::corrupt(WHAT, format!("{} bytes after the last run", packed.len())));
    }
    out.extend_from_slice(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `count` digits that look random (a multiplicative hash of their place).
    fn random_digits(count: usize, seed: u64, digits: &[u8; 16]) -> Vec<u8> {
        (0..count as u64).map(|i| digits[((i + seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60) as usize]).collect()
    }

    fn lower(count: usize, seed: u64) -> Vec<u8> {
        random_digits(count, seed, b"0123456789abcdef")
    }

    fn round_trip(words: &[u8]) -> Option<usize> {
        match pack(words) {
            Some((kept, hex)) => {
                assert_eq!(unpack(&kept, &hex, 0).unwrap(), words);
                assert!(!words.contains(&hex[0]));
                Some(kept.len() + hex.len())
            }
            None => None,
        }
    }

    /// Lines of `a path`, a space and a 32-digit id, as many as make `digits` digits.
    fn ids(digits: usize) -> Vec<u8> {
        (0..digits / 32).flat_map(|i| [&b"/etc/adduser.conf "[..], &lower(32, 32 * i as u64), b"\n"].concat()).collect()
    }

    #[test]
    fn ids_and_hashes_are_packed() {
        let words = ids(MIN_DIGITS);
        let (kept, hex) = pack(&words).unwrap();
        assert_eq!(kept, b"/etc/adduser.conf \x00\x10\n".repeat(MIN_DIGITS / 32));
        assert_eq!(hex[0], 0);
        assert_eq!(hex.len(), 1 + MIN_DIGITS / 2);
        assert_eq!(
            hex[1] >> 4,
            u8::try_from((b"0123456789abcdef".iter().position(|&d| d == words[18])).unwrap()).unwrap()
        );
        assert_eq!(unpack(&kept, &hex, 0).unwrap(), words);
        // Capitals in one long run: four markers of 254 digits, and the last 9 digits
        // (fewer than a run takes) left as text.
        let upper = [&b"id="[..], &random_digits(4 * MAX_RUN + 9, 5, b"0123456789ABCDEF"), b"\n"].concat();
        let (kept, hex) = pack(&upper).unwrap();
        assert_eq!(kept[..5], *b"id=\x00\xff");
        assert_eq!(kept.len(), 3 + 4 * 2 + 9 + 1);
        assert_eq!(kept[kept.len() - 10..], upper[upper.len() - 10..]);
        assert_eq!(hex.len(), 1 + 2 * MAX_RUN);
        assert_eq!(unpack(&kept, &hex, 0).unwrap(), upper);
    }

    /// `count` UUIDs of random digits, one a line, in the case `digits` gives.
    fn uuids(count: usize, digits: &[u8; 16]) -> Vec<u8> {
        (0..count as u64)
            .flat_map(|i| {
                let d = random_digits(32, 32 * i, digits);
                [&d[..8], b"-", &d[8..12], b"-", &d[12..16], b"-", &d[16..20], b"-", &d[20..], b"\n"].concat()
            })
            .collect()
    }

    #[test]
    fn uuids_are_packed_dashes_and_all() {
        for (digits, length) in [(b"0123456789abcdef", UUID), (b"0123456789ABCDEF", UUID | UPPER)] {
            let words = uuids(MIN_DIGITS / 32, digits);
            let (kept, hex) = pack(&words).unwrap();
            assert_eq!(kept, [0, length, b'\n'].repeat(MIN_DIGITS / 32));
            assert_eq!(hex.len(), 1 + MIN_DIGITS / 2);
            assert_eq!(unpack(&kept, &hex, 0).unwrap(), words);
        }
        // One after another without a newline (new words of one length have theirs in
        // `word-lens`), and beside runs of other lengths.
        let joined: Vec<u8> = uuids(20, b"0123456789abcdef").into_iter().filter(|&b| b != b'\n').collect();
        let mixed = [&joined[..], b"-", &lower(40, 9), b" x-", &ids(64)].concat();
        let (kept, hex) = pack(&mixed).unwrap();
        assert_eq!(kept[..40], [0, UUID].repeat(20));
        assert_eq!(hex.len(), 1 + 20 * 16 + 20 + 2 * 16);
        assert_eq!(unpack(&kept, &hex, 0).unwrap(), mixed);
        // After a digit, and after a run: each UUID of the chain still found.
        let after = [&b"1"[..], &joined, &lower(30, 3), &joined].concat();
        let (kept, hex) = pack(&after).unwrap();
        assert_eq!(kept[..3], [b'1', 0, UUID]);
        assert_eq!(kept.iter().filter(|&&b| b == UUID).count(), 40);
        assert_eq!(unpack(&kept, &hex, 0).unwrap(), after);
        // Mixed case, or a group of another length: not a UUID (and its groups too
        // short to be runs).
        let mut odd = uuids(MIN_DIGITS / 16, b"0123456789abcdef");
        odd[0] = b'A';
        odd[37 + 9] = b'-';
        let (kept, _) = pack(&odd).unwrap();
        assert_eq!(kept[..36], odd[..36]);
        assert_eq!(kept[37..37 + 36], odd[37..37 + 36]);
        assert_eq!(kept[74..76], [0, UUID]);
        // A UUID cut short is an error.
        let (kept, hex) = pack(&uuids(MIN_DIGITS / 32, b"0123456789abcdef")).unwrap();
        assert!(unpack(&kept, &hex[..hex.len() - 1], 0).is_err());
    }

    #[test]
    fn what_stays_text() {
        // Too few digits, decimal digits, both cases, short runs, digits far from
        // random, a byte of every value: nothing packed.
        let mixed: Vec<u8> = lower(MIN_DIGITS * 2, 1)
            .iter()
            .enumerate()
            .map(|(i, &d)| if i % 3 == 0 { d.to_ascii_uppercase() } else { d })
            .collect();
        let short: Vec<u8> = lower(MIN_DIGITS * 2, 2).chunks(15).flat_map(|c| [c, b" "].concat()).collect();
        let masks = b"0000000007eae000 00000000ffb00000 ".repeat(MIN_DIGITS / 16);
        for words in [ids(MIN_DIGITS - 32), random_digits(MIN_DIGITS * 2, 3, b"0123456789012345"), mixed, short, masks]
        {
            assert_eq!(pack(&words), None, "{}", String::from_utf8_lossy(&words));
        }
        let mut every: Vec<u8> = (0..=255u8).collect();
        every.extend_from_slice(&ids(MIN_DIGITS * 2));
        assert_eq!(pack(&every), None);
        // The first free byte is the marker.
        let mut most: Vec<u8> = (0..=255u8).filter(|&b| b != b'x').collect();
        most.extend_from_slice(&ids(MIN_DIGITS));
        let (_, hex) = pack(&most).unwrap();
        assert_eq!(hex[0], b'x');
        round_trip(&most);
    }

    #[test]
    fn long_runs_take_several_markers() {
        for digits in [MAX_RUN * 3 - 1, MAX_RUN * 3, MAX_RUN * 3 + 15, MAX_RUN * 3 + 16, MAX_RUN * 3 + 17, 1000, 5000] {
            let words = [b"x ".as_slice(), &lower(digits, 7), b"\n"].concat();
            let size = round_trip(&words).unwrap();
            assert!(size < words.len() - digits / 2 + 2 * digits.div_ceil(MAX_RUN) + 1 + MIN_RUN, "{digits}: {size}");
        }
    }

    #[test]
    fn damaged_runs_are_errors() {
        let (kept, hex) = pack(&ids(MIN_DIGITS)).unwrap();
        assert!(unpack(&kept, &hex[..hex.len() - 1], 0).is_err(), "a run cut short");
        assert!(unpack(&kept, &[hex.as_slice(), &[7]].concat(), 0).is_err(), "bytes after the last run");
        assert!(unpack(&kept, &[], 0).is_err(), "no marker");
        assert!(unpack(&kept[..19], &hex, 0).is_err(), "a marker without its length");
        let mut short = kept.clone();
        short[19] = 7;
        assert!(unpack(&short, &hex, 0).is_err(), "a run under the fewest digits");
        assert_eq!(unpack(b"no runs", &[0], 0).unwrap(), b"no runs");
    }

    /// The runs of every maximal stretch of digits and dashes, found byte by byte:
    /// what [`runs`] must find.
    fn runs_byte_by_byte(words: &[u8]) -> Vec<Run> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let start = i;
            while i < words.len() && KIND[usize::from(words[i])] != OTHER {
                i += 1;
            }
            if i - start >= MIN_RUN {
                runs_in(words, start..i, &mut found);
            }
            i += 1;
        }
        found
    }

    proptest! {
        /// The scan that looks at every sixteenth byte finds the runs a byte-by-byte
        /// one finds, wherever they lie against its steps.
        #[test]
        fn runs_are_found_wherever_they_lie(pieces in proptest::collection::vec(
            prop_oneof![
                "[0-9a-f]{0,40}",
                "[0-9A-F]{0,40}",
                "[0-9]{0,20}",
                "[ \ng-z]{0,20}",
                "-{1,3}",
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                "[0-9A-F]{8}-[0-9a-fA-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
            ],
            0..40,
        )) {
            let words = pieces.concat().into_bytes();
            prop_assert_eq!(runs(&words), runs_byte_by_byte(&words));
        }

        #[test]
        fn any_words_round_trip(words in proptest::collection::vec(any::<u8>(), 0..600)) {
            round_trip(&words);
        }

        #[test]
        fn hex_like_words_round_trip(pieces in proptest::collection::vec(
            prop_oneof![
                (0usize..300, any::<u64>()).prop_map(|(n, seed)| String::from_utf8(lower(n, seed)).unwrap()),
                "[0-9A-F]{0,300}",
                "[0-9a-fA-F]{0,40}",
                "[ \n/=\"g-z-]{0,3}",
                (any::<u64>(), any::<bool>()).prop_map(|(seed, upper)| {
                    let digits = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
                    String::from_utf8(uuids(1 + seed as usize % 3, digits)).unwrap()
                }),
            ],
            0..30,
        )) {
            let words = pieces.concat().into_bytes();
            round_trip(&words);
        }

        #[test]
        fn any_damage_is_an_error_or_some_words(seed in any::<u64>(), at in any::<usize>(), to in any::<u8>()) {
            let (mut kept, hex) = pack(&ids(MIN_DIGITS + 64 * (seed as usize % 4))).unwrap();
            let at = at % kept.len();
            kept[at] = to;
            let _ = unpack(&kept, &hex, 0);
        }
    }
}
