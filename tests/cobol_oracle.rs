//! Real COBOL as the oracle of the record codecs.
//!
//! The programs in `tests/cobol/` (GnuCOBOL 3.1) write a record file and print the same
//! values through COBOL's own `DISPLAY`. This test reads each copybook with
//! `RecordLayout::from_copybook`, checks the record length against the file, decodes
//! every field with our codecs and compares it with COBOL's text, checks that COBOL wrote
//! exactly the sign forms our encoders prefer, and writes every field back to check the
//! bytes come back exactly. The committed fixtures are small; `.ci/cobol-fixtures.sh`
//! regenerates them, checks them byte for byte, and runs this test on a large set via
//! `COBOLP_COBOL_FIXTURES=<dir>`.
//!
//! What GnuCOBOL writes (pinned below): COMP-3 sign C/D for signed fields, F for
//! unsigned ones, C for zero; COMP/COMP-4/BINARY big-endian two's complement; COMP-5
//! little-endian (x86); zoned trailing/leading overpunch in ASCII as the plain digit
//! for positive and zero and 0x70+d (`p`..`y`) for negative, or with `-fsign=EBCDIC` as
//! `{`/`A`..`I` and `}`/`J`..`R` (C and D zones once read through code page 037);
//! separate signs `+`/`-`.

use std::path::{Path, PathBuf};

use cobolp_stages::cobol::{
    binary, detect_charset, ebcdic, packed, zoned, BinarySize, ByteOrder, Charset, Column, FieldKind, ParseOptions,
    RecordLayout, SignPosition,
};

fn cobol_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cobol")
}

/// Where the data files are: `COBOLP_COBOL_FIXTURES` or the committed ones.
fn data_dir() -> PathBuf {
    match std::env::var_os("COBOLP_COBOL_FIXTURES") {
        Some(d) => PathBuf::from(d),
        None => cobol_dir(),
    }
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

fn layout(cpy: &str, opts: &ParseOptions) -> RecordLayout {
    let src = std::fs::read_to_string(cobol_dir().join(cpy)).unwrap();
    RecordLayout::from_copybook_with(&src, opts).unwrap_or_else(|e| panic!("{cpy}: {e}"))
}

/// COBOL's DISPLAY of a number: a sign before or after, digits, perhaps a point.
/// Returns the unscaled value and the number of digits after the point.
fn parse_display(s: &str) -> (i128, usize) {
    let (neg, body) = if let Some(b) = s.strip_prefix('-').or_else(|| s.strip_suffix('-')) {
        (true, b)
    } else {
        (false, s.trim_start_matches('+').trim_end_matches('+'))
    };
    let decimals = body.find('.').map_or(0, |p| body.len() - p - 1);
    let digits: String = body.chars().filter(|c| *c != '.').collect();
    assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()), "not a DISPLAY number: {s:?}");
    let v: i128 = digits.parse().unwrap();
    (if neg { -v } else { v }, decimals)
}

/// How the zoned fields of a file were written.
#[derive(Clone, Copy, PartialEq)]
enum Zones {
    /// GnuCOBOL's default (`-fsign=ASCII`).
    Ascii,
    /// `-fsign=EBCDIC`, read as ASCII.
    AsciiLetters,
    /// `-fsign=EBCDIC`, text and zoned bytes converted to EBCDIC through code page 037.
    Ebcdic,
}

struct Tally {
    values: usize,
}

/// Checks every field of every record against COBOL's text, and the way back.
fn check_file(layout: &RecordLayout, data: &[u8], text: &str, zones: Zones, tally: &mut Tally) {
    let len = layout.record_len;
    assert_eq!(data.len() % len, 0, "{} bytes are not whole {len}-byte records", data.len());
    let n = data.len() / len;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), n, "one DISPLAY line per record");
    let shown: Vec<_> = layout.fields.iter().filter(|f| !f.filler).collect();
    let charset = if zones == Zones::Ebcdic { Charset::Ebcdic } else { Charset::Ascii };
    for (r, (rec, line)) in data.chunks_exact(len).zip(&lines).enumerate() {
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), shown.len() + 1, "record {r}: {line}");
        for (f, part) in shown.iter().zip(&parts) {
            let bytes = &rec[f.offset..f.offset + f.len];
            let ctx = format!("record {r}, {} = {part:?}, bytes {bytes:02X?}", f.name);
            let (value, scale) = match f.kind {
                FieldKind::Text => {
                    let shown = match zones {
                        Zones::Ebcdic => ebcdic::ebcdic_to_latin1(bytes),
                        _ => bytes.to_vec(),
                    };
                    assert_eq!(shown, part.as_bytes(), "{ctx}");
                    continue;
                }
                FieldKind::Zoned { signed, sign, scale, digits } => {
                    let fmt = zoned::ZonedFormat { charset, signed, sign };
                    assert_eq!(f.len, fmt.field_len(digits as usize), "{ctx}");
                    let z = zoned::decode(bytes, fmt).unwrap_or_else(|| panic!("not a number: {ctx}"));
                    let negative = z.value < 0;
                    // The form COBOL wrote is the one our encoder prefers.
                    let expected = match (zones, signed, sign.is_separate()) {
                        (Zones::AsciiLetters, true, false) if negative => zoned::FORM_NEGATIVE,
                        (Zones::AsciiLetters, true, false) => zoned::FORM_POSITIVE,
                        _ => fmt.preferred_form(negative),
                    };
                    assert_eq!(z.form, expected, "{ctx}");
                    let mut back = vec![0u8; f.len];
                    zoned::encode(z.value, z.form, fmt, &mut back).unwrap();
                    assert_eq!(back, bytes, "{ctx}");
                    (z.value as i128, scale)
                }
                FieldKind::Packed { signed, scale, digits } => {
                    assert_eq!(f.len, packed::len_for_digits(digits as usize), "{ctx}");
                    let p = packed::unpack_i128(bytes).unwrap_or_else(|| panic!("not a number: {ctx}"));
                    let rule = packed::SignRule::from_signed(signed);
                    assert_eq!(p.sign, rule.expected(p.value < 0), "{ctx}");
                    let mut back = vec![0u8; f.len];
                    packed::pack_i128(p.value, p.sign, &mut back).unwrap();
                    assert_eq!(back, bytes, "{ctx}");
                    if f.len <= packed::MAX_LEN_I64 {
                        let q = packed::unpack_i64(bytes).unwrap();
                        assert_eq!((q.value as i128, q.sign), (p.value, p.sign), "{ctx}");
                    }
                    (p.value, scale)
                }
                FieldKind::Binary { signed, scale, bytes: size, .. } => {
                    assert_eq!(f.len, size as usize, "{ctx}");
                    let order = f.kind.byte_order(ByteOrder::Little).unwrap();
                    let v = binary::decode(bytes, signed, order).unwrap();
                    let mut back = vec![0u8; f.len];
                    binary::encode(v, signed, order, &mut back).unwrap();
                    assert_eq!(back, bytes, "{ctx}");
                    (v, scale)
                }
            };
            let (want, decimals) = parse_display(part);
            assert_eq!(value, want, "{ctx}");
            // GnuCOBOL shows a COMP-5 item as its whole binary capacity in digits,
            // without the implied point: the digits are the unscaled value.
            let shown_scale = match f.kind {
                FieldKind::Binary { native: true, .. } => 0,
                _ => scale as usize,
            };
            assert_eq!(decimals, shown_scale, "{ctx}");
            tally.values += 1;
        }
    }
    // The packed columns, whole: no exceptions (COBOL writes canonical signs), and
    // packing them back into blanked records gives the file again.
    let mut rebuilt = data.to_vec();
    for f in &layout.fields {
        let FieldKind::Packed { signed, .. } = f.kind else { continue };
        let col = Column { record_len: len, offset: f.offset, len: f.len };
        let rule = packed::SignRule::from_signed(signed);
        for rec in rebuilt.chunks_exact_mut(len) {
            rec[col.offset..col.offset + col.len].fill(0xEE);
        }
        if f.len <= packed::MAX_LEN_I64 {
            let c = packed::unpack_column_i64(data, col, rule).unwrap();
            assert!(c.exceptions.is_empty(), "{}: {:?}", f.name, &c.exceptions[..c.exceptions.len().min(3)]);
            packed::pack_column_i64(&c, col, rule, &mut rebuilt).unwrap();
        } else {
            let c = packed::unpack_column_i128(data, col, rule).unwrap();
            assert!(c.exceptions.is_empty(), "{}", f.name);
            packed::pack_column_i128(&c, col, rule, &mut rebuilt).unwrap();
        }
    }
    assert!(rebuilt == data, "packed columns did not rebuild the file");
}

/// Text and zoned bytes of ASCII records through code page 037, as a mainframe holds them.
fn to_ebcdic(layout: &RecordLayout, data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    for rec in out.chunks_exact_mut(layout.record_len) {
        for f in &layout.fields {
            if matches!(f.kind, FieldKind::Text | FieldKind::Zoned { .. }) {
                ebcdic::latin1_to_ebcdic_in_place(&mut rec[f.offset..f.offset + f.len]);
            }
        }
    }
    out
}

#[test]
fn fields_layout_matches_gnucobol() {
    let l = layout("fields.cpy", &ParseOptions::default());
    assert_eq!(l.record_len, 157);
    let lens: Vec<(&str, usize, usize)> = l.fields.iter().map(|f| (f.name.as_str(), f.offset, f.len)).collect();
    assert_eq!(lens[..3], [("F-ID", 0, 6), ("F-NAME", 6, 12), ("F-P1", 18, 1)]);
    let len_of = |n: &str| l.field(n).unwrap().len;
    assert_eq!(
        ["F-P4", "F-P5U", "F-AMOUNT", "F-BALANCE", "F-P18", "F-P31"].map(len_of),
        [3, 3, 6, 7, 10, 16],
        "COMP-3: digits / 2 + 1"
    );
    assert_eq!(
        ["F-B2", "F-B2U", "F-B4", "F-B4U", "F-B8", "F-B8U", "F-N2", "F-N4U", "F-N8"].map(len_of),
        [2, 2, 4, 4, 8, 8, 2, 4, 8]
    );
    assert_eq!(["F-Z-TRAIL", "F-Z-LEAD", "F-Z-TSEP", "F-Z-LSEP", "F-Z-U"].map(len_of), [7, 5, 6, 4, 8]);
    assert_eq!(
        l.field("F-Z-LSEP").unwrap().kind,
        FieldKind::Zoned { digits: 3, scale: 0, signed: true, sign: SignPosition::LeadingSeparate }
    );
    assert_eq!(l.field("F-T-Z(3)").unwrap().offset, 136 + 2 * 6 + 4);
    assert_eq!(l.redefinitions.len(), 1);
    assert_eq!((l.redefinitions[0].offset, l.redefinitions[0].len), (136, 18));
    assert!(l.fields.last().unwrap().filler);
}

#[test]
fn fields_decode_as_cobol_displays_them() {
    let dir = data_dir();
    let l = layout("fields.cpy", &ParseOptions::default());
    let text = String::from_utf8(read(&dir, "fields.txt")).unwrap();
    let mut tally = Tally { values: 0 };

    let plain = read(&dir, "fields.dat");
    check_file(&l, &plain, &text, Zones::Ascii, &mut tally);
    assert_eq!(detect_charset(&plain, &l), Some(Charset::Ascii));

    // -fsign=EBCDIC: the same values, zoned signs as letters; then the whole as EBCDIC.
    let letters = read(&dir, "fields_esign.dat");
    assert_eq!(letters.len(), plain.len());
    check_file(&l, &letters, &text, Zones::AsciiLetters, &mut tally);
    let ebcdic = to_ebcdic(&l, &letters);
    check_file(&l, &ebcdic, &text, Zones::Ebcdic, &mut tally);
    assert_eq!(detect_charset(&ebcdic, &l), Some(Charset::Ebcdic));
    let n = plain.len() / l.record_len;
    assert_eq!(tally.values, 3 * n * 28, "every numeric field of every record");
    eprintln!("checked {} values in {n} records x3 from {}", tally.values, dir.display());
}

#[test]
fn gnucobol_default_binary_sizes() {
    let dir = data_dir();
    let opts = ParseOptions { binary_size: BinarySize::OneTwoFourEight, ..Default::default() };
    let l = layout("binsize.cpy", &opts);
    assert_eq!(l.record_len, 25);
    assert_eq!(l.fields.iter().map(|f| f.len).collect::<Vec<_>>(), [4, 1, 1, 2, 2, 4, 8, 1, 2]);
    let text = String::from_utf8(read(&dir, "binsize.txt")).unwrap();
    let mut tally = Tally { values: 0 };
    check_file(&l, &read(&dir, "binsize.dat"), &text, Zones::Ascii, &mut tally);
    assert!(tally.values > 0);
    // The IBM sizes give another length, which the fixture does not fit.
    assert_eq!(layout("binsize.cpy", &ParseOptions::default()).record_len, 28);
}

#[test]
fn committed_fixtures_are_small() {
    let total: u64 = std::fs::read_dir(cobol_dir()).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    assert!(total < 100_000, "tests/cobol holds {total} bytes");
}

/// The corpus's bank transactions (this project's predecessor wrote them with GnuCOBOL).
const BANK_TXN_CPY: &str = include_str!("cobol/bank_txn.cpy");

#[test]
fn corpus_bank_txn() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/records");
    let src = std::fs::read_to_string(corpus.join("bank_txn.cpy")).unwrap_or_else(|_| {
        eprintln!("skipped reading {}: not there; using the embedded copy", corpus.join("bank_txn.cpy").display());
        BANK_TXN_CPY.to_string()
    });
    let l = RecordLayout::from_copybook(&src).unwrap();
    assert_eq!(l.record_len, 69);
    let Ok(data) = std::fs::read(corpus.join("bank_txn.dat")) else {
        eprintln!("skipped: {} is not there", corpus.join("bank_txn.dat").display());
        return;
    };
    assert_eq!(data.len() % 69, 0);
    assert_eq!(detect_charset(&data, &l), Some(Charset::Ascii));
    for name in ["TR-AMOUNT", "TR-BALANCE", "TR-COUNTER"] {
        let f = l.field(name).unwrap();
        let FieldKind::Packed { signed, .. } = f.kind else { panic!("{name} is not packed") };
        let col = Column { record_len: 69, offset: f.offset, len: f.len };
        let rule = packed::SignRule::from_signed(signed);
        let c = packed::unpack_column_i64(&data, col, rule).unwrap();
        assert!(c.exceptions.is_empty(), "{name}: {:?}", &c.exceptions[..c.exceptions.len().min(3)]);
        let mut back = data.clone();
        packed::pack_column_i64(&c, col, rule, &mut back).unwrap();
        assert!(back == data, "{name} did not round-trip");
        if name == "TR-COUNTER" {
            assert!(c.values.iter().enumerate().all(|(i, &v)| v == i as i64 + 1), "the counter counts records");
        }
    }
    for rec in data.chunks_exact(69) {
        for name in ["TR-ACCT", "TR-DATE"] {
            let f = l.field(name).unwrap();
            let fmt = zoned::ZonedFormat { charset: Charset::Ascii, signed: false, sign: SignPosition::Trailing };
            assert!(zoned::decode(&rec[f.offset..f.offset + f.len], fmt).is_some(), "{name}");
        }
    }
}
