//! Is a record file ASCII or EBCDIC? Judged from the bytes a layout says are text or
//! zoned digits.

use super::{Charset, FieldKind, RecordLayout, SignPosition};

/// Records looked at, at most: the start of a file decides.
pub const SAMPLE_RECORDS: usize = 1024;

/// Tallies of the evidence for each charset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Spaces (0x20) and ASCII digits (0x30-0x39) where text or digits belong.
    pub ascii: u64,
    /// Spaces (0x40) and EBCDIC digits (0xF0-0xF9) where text or digits belong.
    pub ebcdic: u64,
}

/// Counts, in the first records of `data`, the bytes of text fields that are an ASCII
/// or an EBCDIC space, and the digit bytes of zoned fields (not the byte carrying an
/// overpunched sign) that are an ASCII or an EBCDIC digit. Text digits count too.
pub fn evidence(data: &[u8], layout: &RecordLayout) -> Evidence {
    let mut ev = Evidence::default();
    if layout.record_len == 0 {
        return ev;
    }
    for rec in data.chunks_exact(layout.record_len).take(SAMPLE_RECORDS) {
        for f in &layout.fields {
            let Some(bytes) = rec.get(f.offset..f.offset + f.len) else { continue };
            match f.kind {
                FieldKind::Text => {
                    for &b in bytes {
                        match b {
                            0x20 | 0x30..=0x39 => ev.ascii += 1,
                            0x40 | 0xF0..=0xF9 => ev.ebcdic += 1,
                            _ => {}
                        }
                    }
                }
                FieldKind::Zoned { signed, sign, .. } => {
                    let digits = match (signed, sign) {
                        (false, _) => bytes,
                        (true, SignPosition::Trailing) => &bytes[..bytes.len() - 1],
                        (true, SignPosition::Leading) => &bytes[1..],
                        (true, SignPosition::TrailingSeparate) => &bytes[..bytes.len() - 1],
                        (true, SignPosition::LeadingSeparate) => &bytes[1..],
                    };
                    for &b in digits {
                        match b {
                            0x30..=0x39 => ev.ascii += 1,
                            0xF0..=0xF9 => ev.ebcdic += 1,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    ev
}

/// ASCII or EBCDIC, from the [`evidence`]: the charset with at least four times the
/// other's count wins; `None` when there is too little evidence (fewer than 8 telling
/// bytes) or it is mixed.
///
/// ```
/// use cobolp_stages::cobol::{detect_charset, Charset, RecordLayout};
/// let layout = RecordLayout::from_copybook("01 R. 05 N PIC 9(4). 05 T PIC X(4).").unwrap();
/// assert_eq!(detect_charset(b"0042AB  1234CD  ", &layout), Some(Charset::Ascii));
/// let ebcdic = [0xF0, 0xF0, 0xF4, 0xF2, 0xC1, 0xC2, 0x40, 0x40];
/// assert_eq!(detect_charset(&ebcdic.repeat(2), &layout), Some(Charset::Ebcdic));
/// ```
pub fn detect_charset(data: &[u8], layout: &RecordLayout) -> Option<Charset> {
    let ev = evidence(data, layout);
    if ev.ascii + ev.ebcdic < 8 {
        None
    } else if ev.ascii >= 4 * ev.ebcdic {
        Some(Charset::Ascii)
    } else if ev.ebcdic >= 4 * ev.ascii {
        Some(Charset::Ebcdic)
    } else {
        None
    }
}
