//! Zoned decimal (`DISPLAY` numeric, `PIC S9(n)`): one digit a byte, the sign either
//! overpunched on the first or last digit or in a byte of its own.
//!
//! A digit byte is the digit in its low nibble under a zone: `3` in ASCII (`'0'..'9'`),
//! `F` in EBCDIC (`0xF0..0xF9`). The byte carrying an overpunched sign changes its zone,
//! and the conventions differ, so decoding returns the *form* it read along with the
//! value, and encoding takes it back; `encode(decode(bytes)) == bytes` always:
//!
//! | form | sign byte for digit `d` | who writes it |
//! |---|---|---|
//! | [`FORM_ASCII_PLAIN`] (`3`) | `0x30 + d` (positive) | GnuCOBOL, ASCII, positive (default `-fsign=ASCII`) |
//! | [`FORM_ASCII_NEGATIVE`] (`7`) | `0x70 + d`, `'p'..'y'` | GnuCOBOL, ASCII, negative (default) |
//! | [`FORM_POSITIVE`] (`C`) | ASCII `'{'`, `'A'..'I'`; EBCDIC `0xC0 + d`; separate `'+'` | GnuCOBOL `-fsign=EBCDIC`; mainframes |
//! | [`FORM_NEGATIVE`] (`D`) | ASCII `'}'`, `'J'..'R'`; EBCDIC `0xD0 + d`; separate `'-'` | the same |
//! | [`FORM_UNSIGNED`] (`F`) | EBCDIC `0xF0 + d` (positive) | unsigned fields, some positive values |
//! | `A`, `E` / `B` | EBCDIC `0xA0 + d`, `0xE0 + d` / `0xB0 + d` | accepted as IBM documents them |
//!
//! The ASCII letters are the EBCDIC zoned bytes read through code page 037 (`0xC1` is
//! `'A'`), which is why ported files carry them. Separate signs are `'+'`/`'-'`: 0x2B/0x2D
//! in ASCII, 0x4E/0x60 in EBCDIC. Non-sign digit bytes must be plain digits of the
//! charset; anything else (a space, a letter) makes the field not a number.

use super::{Charset, SignPosition};
use crate::{Error, Result};

/// Most digits a zoned field may have here (its values fit an `i64`).
pub const MAX_DIGITS: usize = 18;

/// Positive with the plain ASCII zone `3` (and every digit of an unsigned ASCII field).
pub const FORM_ASCII_PLAIN: u8 = 0x3;
/// Negative, ASCII zone `7` (`'p'..'y'`): what GnuCOBOL writes by default.
pub const FORM_ASCII_NEGATIVE: u8 = 0x7;
/// Positive: EBCDIC zone `C`, ASCII `'{'`/`'A'..'I'`, or a separate `'+'`.
pub const FORM_POSITIVE: u8 = 0xC;
/// Negative: EBCDIC zone `D`, ASCII `'}'`/`'J'..'R'`, or a separate `'-'`.
pub const FORM_NEGATIVE: u8 = 0xD;
/// Unsigned/positive EBCDIC zone `F` (every digit of an unsigned EBCDIC field).
pub const FORM_UNSIGNED: u8 = 0xF;

/// How a zoned field is written: charset, whether it is signed (`S9`), where the sign is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ZonedFormat {
    /// ASCII or EBCDIC digits.
    pub charset: Charset,
    /// Whether the field has a sign.
    pub signed: bool,
    /// Where the sign is.
    pub sign: SignPosition,
}

impl ZonedFormat {
    /// Bytes a field of `digits` digits takes in this format.
    pub fn field_len(&self, digits: usize) -> usize {
        digits + usize::from(self.signed && self.sign.is_separate())
    }

    /// The sign form COBOL writes for a value that is negative or not: GnuCOBOL's
    /// default in ASCII (`3`/`7`), `C`/`D` in EBCDIC and for separate signs, and the
    /// plain zone for unsigned fields.
    pub fn preferred_form(&self, negative: bool) -> u8 {
        match (self.charset, self.signed, self.sign.is_separate(), negative) {
            (Charset::Ascii, false, _, _) => FORM_ASCII_PLAIN,
            (Charset::Ebcdic, false, _, _) => FORM_UNSIGNED,
            (_, true, true, false) | (Charset::Ebcdic, true, false, false) => FORM_POSITIVE,
            (_, true, true, true) | (Charset::Ebcdic, true, false, true) => FORM_NEGATIVE,
            (Charset::Ascii, true, false, false) => FORM_ASCII_PLAIN,
            (Charset::Ascii, true, false, true) => FORM_ASCII_NEGATIVE,
        }
    }

    fn plain_zone(&self) -> u8 {
        match self.charset {
            Charset::Ascii => 0x30,
            Charset::Ebcdic => 0xF0,
        }
    }
}

/// A decoded zoned field: its value and the form of its sign (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Zoned {
    /// The value, its implied decimal point ignored.
    pub value: i64,
    /// How the sign was written, for the exceptions of a column.
    pub form: u8,
}

/// Whether a sign form means negative (`7`, `B`, `D`).
pub fn is_negative_form(form: u8) -> bool {
    matches!(form, FORM_ASCII_NEGATIVE | 0xB | FORM_NEGATIVE)
}

/// An overpunched sign byte: (digit, form).
#[inline]
fn read_overpunch(b: u8, charset: Charset) -> Option<(u8, u8)> {
    match charset {
        Charset::Ascii => match b {
            b'0'..=b'9' => Some((b - b'0', FORM_ASCII_PLAIN)),
            0x70..=0x79 => Some((b - 0x70, FORM_ASCII_NEGATIVE)),
            b'{' => Some((0, FORM_POSITIVE)),
            b'A'..=b'I' => Some((b - b'A' + 1, FORM_POSITIVE)),
            b'}' => Some((0, FORM_NEGATIVE)),
            b'J'..=b'R' => Some((b - b'J' + 1, FORM_NEGATIVE)),
            _ => None,
        },
        Charset::Ebcdic => {
            let (zone, d) = (b >> 4, b & 0xF);
            (zone >= 0xA && d <= 9).then_some((d, zone))
        }
    }
}

fn write_overpunch(d: u8, form: u8, charset: Charset) -> Option<u8> {
    match (charset, form) {
        (Charset::Ascii, FORM_ASCII_PLAIN) => Some(b'0' + d),
        (Charset::Ascii, FORM_ASCII_NEGATIVE) => Some(0x70 + d),
        (Charset::Ascii, FORM_POSITIVE) => Some(if d == 0 { b'{' } else { b'A' + d - 1 }),
        (Charset::Ascii, FORM_NEGATIVE) => Some(if d == 0 { b'}' } else { b'J' + d - 1 }),
        (Charset::Ebcdic, 0xA..=0xF) => Some(form << 4 | d),
        _ => None,
    }
}

fn separate_sign(charset: Charset, negative: bool) -> u8 {
    match (charset, negative) {
        (Charset::Ascii, false) => b'+',
        (Charset::Ascii, true) => b'-',
        (Charset::Ebcdic, false) => 0x4E,
        (Charset::Ebcdic, true) => 0x60,
    }
}

/// Decodes a zoned field of 1 to 18 digits (plus the separate sign byte, if any).
///
/// `None` when a digit byte is not a digit of the charset, the sign byte is none of
/// the forms above, an unsigned field has a sign, or the length is out of range.
///
/// ```
/// use cobolp_stages::cobol::{zoned::{decode, Zoned, ZonedFormat}, Charset, SignPosition};
/// let f = ZonedFormat { charset: Charset::Ascii, signed: true, sign: SignPosition::Trailing };
/// assert_eq!(decode(b"12s", f), Some(Zoned { value: -123, form: 0x7 })); // GnuCOBOL's -123
/// ```
pub fn decode(bytes: &[u8], fmt: ZonedFormat) -> Option<Zoned> {
    let separate = fmt.signed && fmt.sign.is_separate();
    let digits = bytes.len().checked_sub(usize::from(separate))?;
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    let plain = fmt.plain_zone();
    let (digit_bytes, form) = if !fmt.signed {
        (bytes, plain >> 4)
    } else if separate {
        let (s, d) = match fmt.sign {
            SignPosition::LeadingSeparate => (bytes[0], &bytes[1..]),
            _ => (bytes[digits], &bytes[..digits]),
        };
        let form = if s == separate_sign(fmt.charset, false) {
            FORM_POSITIVE
        } else if s == separate_sign(fmt.charset, true) {
            FORM_NEGATIVE
        } else {
            return None;
        };
        (d, form)
    } else {
        (bytes, 0)
    };
    let mut m: i64 = 0;
    let mut form = form;
    let sign_at = match (fmt.signed, separate, fmt.sign) {
        (true, false, SignPosition::Leading) => Some(0),
        (true, false, _) => Some(digits - 1),
        _ => None,
    };
    for (i, &b) in digit_bytes.iter().enumerate() {
        let d = if Some(i) == sign_at {
            let (d, f) = read_overpunch(b, fmt.charset)?;
            form = f;
            d
        } else {
            let d = b.wrapping_sub(plain);
            if d > 9 {
                return None;
            }
            d
        };
        m = m * 10 + d as i64;
    }
    Some(Zoned { value: if is_negative_form(form) { -m } else { m }, form })
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = ONES << 7;

/// The high bit of each byte of `word` (eight bytes, little-endian) that is a plain
/// digit under `zone` (`0x30` or `0xF0`); the other bits 0. A digit XORed with the
/// zone is its value (the zone's low nibble is 0), and a byte below 10 is found by
/// subtracting 10 with each byte's high bit set first, so no borrow crosses bytes.
#[inline]
pub(crate) fn digit_bytes(word: u64, zone: u8) -> u64 {
    let x = word ^ (ONES * u64::from(zone));
    !x & !((x | HIGH_BITS) - 10 * ONES) & HIGH_BITS
}

/// The value of `bytes` (1 to 18 of them) when each is a plain digit under `zone`
/// (`0x30` or `0xF0`): an unsigned zoned field, read eight digits at a time.
#[inline]
pub fn plain_digits(bytes: &[u8], zone: u8) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > MAX_DIGITS {
        return None;
    }
    let mut m = 0u64;
    let mut eights = bytes.chunks_exact(8);
    for eight in &mut eights {
        let w = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
        if digit_bytes(w, zone) != HIGH_BITS {
            return None;
        }
        let low = w & (ONES * 0x0F);
        // The first digit is the lowest byte: pairs, then fours, then all eight.
        let pairs = (low * 10 + (low >> 8)) & 0x00FF_00FF_00FF_00FF;
        let fours = (pairs * 100 + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
        let eight = (fours * 10_000 + (fours >> 32)) & 0xFFFF_FFFF;
        m = m * 100_000_000 + eight;
    }
    for &b in eights.remainder() {
        let d = b.wrapping_sub(zone);
        if d > 9 {
            return None;
        }
        m = m * 10 + u64::from(d);
    }
    Some(m)
}

/// Encodes `value` with the sign form `form` into `out` (all of it), the inverse of
/// [`decode`]. An error when the value does not fit, the form is not one this format
/// can write, or it contradicts the value's sign (zero takes either).
pub fn encode(value: i64, form: u8, fmt: ZonedFormat, out: &mut [u8]) -> Result<()> {
    let separate = fmt.signed && fmt.sign.is_separate();
    let digits = out.len().saturating_sub(usize::from(separate));
    if digits == 0 || digits > MAX_DIGITS {
        return Err(Error::Invalid(format!("a zoned field has 1 to {MAX_DIGITS} digits, not {digits}")));
    }
    let negative = is_negative_form(form);
    if (value < 0 && !negative) || (value > 0 && negative) {
        return Err(Error::Invalid(format!("sign form {form:X} does not match {value}")));
    }
    let plain = fmt.plain_zone();
    let form_ok = if !fmt.signed {
        form == plain >> 4
    } else if separate {
        form == FORM_POSITIVE || form == FORM_NEGATIVE
    } else {
        write_overpunch(0, form, fmt.charset).is_some()
    };
    if !form_ok {
        return Err(Error::Invalid(format!("sign form {form:X} cannot be written in {fmt:?}")));
    }
    let mut m = value.unsigned_abs();
    if m >= 10u64.pow(digits as u32) {
        return Err(Error::Invalid(format!("{value} does not fit {digits} zoned digits")));
    }
    let (digit_out, sign_at) = match (fmt.signed, separate, fmt.sign) {
        (true, true, SignPosition::LeadingSeparate) => {
            out[0] = separate_sign(fmt.charset, negative);
            (&mut out[1..], None)
        }
        (true, true, _) => {
            out[digits] = separate_sign(fmt.charset, negative);
            (&mut out[..digits], None)
        }
        (true, false, SignPosition::Leading) => (out, Some(0)),
        (true, false, _) => (out, Some(digits - 1)),
        (false, ..) => (out, None),
    };
    for i in (0..digits).rev() {
        let d = (m % 10) as u8;
        m /= 10;
        digit_out[i] =
            if Some(i) == sign_at { write_overpunch(d, form, fmt.charset).expect("checked above") } else { plain | d };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const POSITIONS: [SignPosition; 4] =
        [SignPosition::Trailing, SignPosition::Leading, SignPosition::TrailingSeparate, SignPosition::LeadingSeparate];

    fn fmt(charset: Charset, signed: bool, sign: SignPosition) -> ZonedFormat {
        ZonedFormat { charset, signed, sign }
    }

    proptest! {
        #[test]
        fn plain_digits_reads_as_decode_does(
            digits in proptest::collection::vec(0u8..10, 0..20),
            // Any byte, or one just outside a zone's digits, where a mask would slip.
            noise in proptest::collection::vec(
                (0usize..20, prop_oneof![any::<u8>(), prop::sample::select(vec![0x2F, 0x3A, 0x3F, 0xEF, 0xFA, 0xFF])]),
                0..3,
            ),
            ebcdic in any::<bool>(),
        ) {
            let charset = if ebcdic { Charset::Ebcdic } else { Charset::Ascii };
            let f = fmt(charset, false, SignPosition::Trailing);
            let mut bytes: Vec<u8> = digits.iter().map(|&d| f.plain_zone() | d).collect();
            for (at, b) in noise {
                if let Some(slot) = bytes.get_mut(at) {
                    *slot = b;
                }
            }
            prop_assert_eq!(plain_digits(&bytes, f.plain_zone()), decode(&bytes, f).map(|z| z.value as u64));
        }
    }

    #[test]
    fn what_gnucobol_writes() {
        // Bytes GnuCOBOL 3.1.2 wrote for -123, 120 and 0 (see tests/cobol_oracle.rs).
        let t = fmt(Charset::Ascii, true, SignPosition::Trailing);
        assert_eq!(decode(b"12s", t), Some(Zoned { value: -123, form: 7 }));
        assert_eq!(decode(b"120", t), Some(Zoned { value: 120, form: 3 }));
        assert_eq!(decode(b"12L", t), Some(Zoned { value: -123, form: 0xD }));
        assert_eq!(decode(b"12{", t), Some(Zoned { value: 120, form: 0xC }));
        let l = fmt(Charset::Ascii, true, SignPosition::Leading);
        assert_eq!(decode(b"q23", l), Some(Zoned { value: -123, form: 7 }));
        assert_eq!(decode(b"J23", l), Some(Zoned { value: -123, form: 0xD }));
        let ts = fmt(Charset::Ascii, true, SignPosition::TrailingSeparate);
        assert_eq!(decode(b"123-", ts), Some(Zoned { value: -123, form: 0xD }));
        let ls = fmt(Charset::Ascii, true, SignPosition::LeadingSeparate);
        assert_eq!(decode(b"+000", ls), Some(Zoned { value: 0, form: 0xC }));
        let e = fmt(Charset::Ebcdic, true, SignPosition::Trailing);
        assert_eq!(decode(&[0xF1, 0xF2, 0xD3], e), Some(Zoned { value: -123, form: 0xD }));
        assert_eq!(decode(&[0xF1, 0xF2, 0xF3], e), Some(Zoned { value: 123, form: 0xF }));
        let u = fmt(Charset::Ascii, false, SignPosition::Trailing);
        assert_eq!(decode(b"123", u), Some(Zoned { value: 123, form: 3 }));
        assert_eq!(decode(b"12s", u), None, "a sign in an unsigned field");
        assert_eq!(decode(b"1 3", u), None);
        assert_eq!(decode(b"", u), None);
        assert_eq!(decode(b"1234567890123456789", u), None, "19 digits");
        assert_eq!(decode(b"123", ts), None, "no separate sign");
    }

    #[test]
    fn encode_refuses() {
        let t = fmt(Charset::Ascii, true, SignPosition::Trailing);
        let mut out = [0u8; 3];
        assert!(encode(1000, 3, t, &mut out).is_err());
        assert!(encode(-1, 3, t, &mut out).is_err());
        assert!(encode(1, 7, t, &mut out).is_err());
        assert!(encode(1, 0xA, t, &mut out).is_err(), "zone A is EBCDIC only");
        assert!(encode(0, 7, t, &mut out).is_ok());
        assert_eq!(&out, b"00p");
        let u = fmt(Charset::Ebcdic, false, SignPosition::Trailing);
        assert!(encode(1, 0xC, u, &mut out).is_err());
        encode(120, 0xF, u, &mut out).unwrap();
        assert_eq!(out, [0xF1, 0xF2, 0xF0]);
    }

    fn any_format() -> impl Strategy<Value = ZonedFormat> {
        (any::<bool>(), any::<bool>(), 0usize..4)
            .prop_map(|(e, signed, p)| fmt(if e { Charset::Ebcdic } else { Charset::Ascii }, signed, POSITIONS[p]))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn decode_then_encode_is_exact(f in any_format(), bytes in prop::collection::vec(any::<u8>(), 0..21)) {
            if let Some(z) = decode(&bytes, f) {
                let mut out = vec![0u8; bytes.len()];
                encode(z.value, z.form, f, &mut out).unwrap();
                prop_assert_eq!(out, bytes);
            }
        }

        #[test]
        fn decode_then_encode_on_near_valid_bytes(f in any_format(), digits in 1usize..=18, seed in prop::collection::vec(0u8..=11, 19), sb in any::<u8>()) {
            // Mostly digits of the right zone, with the odd wrong byte and any sign byte.
            let plain = f.plain_zone();
            let mut bytes: Vec<u8> = seed[..digits].iter().map(|&d| if d <= 9 { plain | d } else { 0x20 }).collect();
            let at = if f.sign == SignPosition::Leading { 0 } else { digits - 1 };
            if f.signed && !f.sign.is_separate() && sb % 2 == 0 { bytes[at] = sb; }
            if f.signed && f.sign.is_separate() {
                let s = separate_sign(f.charset, sb % 3 == 0);
                if f.sign == SignPosition::LeadingSeparate { bytes.insert(0, s) } else { bytes.push(s) }
            }
            let all_plain = bytes.iter().enumerate().all(|(i, &b)| {
                let sep = f.signed && f.sign.is_separate() && (i == 0 && f.sign == SignPosition::LeadingSeparate || i == bytes.len() - 1 && f.sign == SignPosition::TrailingSeparate);
                sep || b.wrapping_sub(plain) <= 9 || (f.signed && !f.sign.is_separate() && i == at)
            });
            match decode(&bytes, f) {
                Some(z) => {
                    let mut out = vec![0u8; bytes.len()];
                    encode(z.value, z.form, f, &mut out).unwrap();
                    prop_assert_eq!(out, bytes);
                }
                None => prop_assert!(!all_plain || (f.signed && !f.sign.is_separate()), "plain digits refused"),
            }
        }

        #[test]
        fn encode_then_decode_is_identity(f in any_format(), digits in 1usize..=18, v in any::<i64>(), neg in any::<bool>()) {
            let v = (v % 10i64.pow(digits as u32)).abs();
            let v = if neg && f.signed { -v } else { v };
            let form = f.preferred_form(v < 0);
            let mut out = vec![0u8; f.field_len(digits)];
            encode(v, form, f, &mut out).unwrap();
            prop_assert_eq!(decode(&out, f), Some(Zoned { value: v, form }));
        }
    }
}
