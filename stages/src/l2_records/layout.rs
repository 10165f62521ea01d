//! The flat column list the record layer works from, and its serialized form (the
//! `record-layout` stream), so that a decoder needs no copybook.

use crate::cobol::{binary, packed, zoned, ByteOrder, Charset, FieldKind, RecordLayout, SignPosition};
use crate::error::{Error, Result};
use crate::varint;

/// Newest layout stream version; this decoder reads every version up to it.
/// Version 2 added a lead (bytes before the first record); version 3 hands the
/// integer columns to L3 and L4 (an `int-columns` stream instead of planes), keeps
/// only the text columns' methods, and always writes the lead.
pub const LAYOUT_VERSION: u8 = 3;
/// Longest record the layer takes, in bytes.
pub const MAX_RECORD_LEN: usize = 1 << 24;
/// Most columns a layout may have.
pub const MAX_COLUMNS: usize = 1 << 16;

/// How the bytes of a column are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// Kept as bytes, column-major.
    Text,
    /// `DISPLAY` numeric, in the layout's charset.
    Zoned {
        /// Whether the field has a sign.
        signed: bool,
        /// Where the sign is.
        sign: SignPosition,
    },
    /// `COMP-3`, any length of 1 to 16 bytes.
    Packed {
        /// Whether the field has a sign (`C`/`D`, else `F`).
        signed: bool,
    },
    /// Two's complement or unsigned binary, 1 to 8 bytes.
    Binary {
        /// Two's complement, else unsigned.
        signed: bool,
        /// Byte order.
        order: ByteOrder,
    },
}

impl ColumnKind {
    /// Whether the column holds numbers (not text).
    pub fn is_numeric(self) -> bool {
        !matches!(self, ColumnKind::Text)
    }

    fn name(self) -> String {
        match self {
            ColumnKind::Text => "text".into(),
            ColumnKind::Zoned { signed, sign } => {
                format!("zoned{}{}", if signed { " signed" } else { "" }, sign_name(signed, sign))
            }
            ColumnKind::Packed { signed } => format!("packed{}", if signed { " signed" } else { "" }),
            ColumnKind::Binary { signed, order } => format!(
                "binary{} {}",
                if signed { " signed" } else { "" },
                if order == ByteOrder::Big { "big-endian" } else { "little-endian" }
            ),
        }
    }
}

fn sign_name(signed: bool, sign: SignPosition) -> &'static str {
    match (signed, sign) {
        (false, _) | (true, SignPosition::Trailing) => "",
        (true, SignPosition::Leading) => " leading",
        (true, SignPosition::TrailingSeparate) => " trailing separate",
        (true, SignPosition::LeadingSeparate) => " leading separate",
    }
}

/// One column: a field's bytes in every record. Columns lie one after another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ColumnSpec {
    /// Bytes the column takes in each record.
    pub len: usize,
    /// What its bytes hold.
    pub kind: ColumnKind,
}

/// What the record layer needs to cut a block into columns: the record length, the
/// charset of zoned digits, columns covering the record exactly, and where in the
/// block the first record starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordSpec {
    /// ASCII or EBCDIC.
    pub charset: Charset,
    /// Bytes a record takes.
    pub record_len: usize,
    /// The columns, one after another, covering the record.
    pub columns: Vec<ColumnSpec>,
    /// Bytes before the first record (below `record_len`): a block cut at another
    /// length than its records' starts in the middle of one.
    pub lead: usize,
}

impl RecordSpec {
    /// The columns of a copybook layout. Gaps become text columns; a numeric field the
    /// codecs cannot hold (a zoned field over 18 digits, a packed one over 16 bytes, a
    /// binary one over 8) is kept as text. `COMP-5` is read little-endian for ASCII
    /// data (GnuCOBOL on x86/ARM) and big-endian for EBCDIC (a mainframe). Overlapping
    /// fields are an error.
    pub fn from_layout(layout: &RecordLayout, charset: Charset) -> Result<RecordSpec> {
        if layout.record_len == 0 || layout.record_len > MAX_RECORD_LEN {
            return Err(Error::Invalid(format!(
                "record length {} is outside 1 to {MAX_RECORD_LEN} bytes",
                layout.record_len
            )));
        }
        let native = if charset == Charset::Ascii { ByteOrder::Little } else { ByteOrder::Big };
        let mut columns = Vec::with_capacity(layout.fields.len());
        let mut cursor = 0;
        for f in &layout.fields {
            if f.offset < cursor {
                return Err(Error::Invalid(format!("field {} at offset {} overlaps the one before", f.name, f.offset)));
            }
            let end =
                f.offset.checked_add(f.len).filter(|&e| e <= layout.record_len && f.len > 0).ok_or_else(|| {
                    Error::Invalid(format!("field {} does not fit the {}-byte record", f.name, layout.record_len))
                })?;
            if f.offset > cursor {
                columns.push(ColumnSpec { len: f.offset - cursor, kind: ColumnKind::Text });
            }
            columns.push(ColumnSpec { len: f.len, kind: column_kind(f.kind, f.len, native) });
            cursor = end;
        }
        if cursor < layout.record_len {
            columns.push(ColumnSpec { len: layout.record_len - cursor, kind: ColumnKind::Text });
        }
        if columns.len() > MAX_COLUMNS {
            return Err(Error::Invalid(format!("{} columns, at most {MAX_COLUMNS}", columns.len())));
        }
        Ok(RecordSpec { charset, record_len: layout.record_len, columns, lead: 0 })
    }

    /// Appends the layout to `out`, version 3 (see `docs/FORMAT.md`).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(LAYOUT_VERSION);
        out.push(match self.charset {
            Charset::Ascii => 0,
            Charset::Ebcdic => 1,
        });
        varint::put(out, self.record_len as u64);
        varint::put(out, self.lead as u64);
        varint::put(out, self.columns.len() as u64);
        for c in &self.columns {
            let kind = match c.kind {
                ColumnKind::Text => 0,
                ColumnKind::Zoned { signed, sign } => {
                    let position = match sign {
                        SignPosition::Trailing => 0,
                        SignPosition::Leading => 1,
                        SignPosition::TrailingSeparate => 2,
                        SignPosition::LeadingSeparate => 3,
                    };
                    1 | u8::from(signed) << 3 | position << 4
                }
                ColumnKind::Packed { signed } => 2 | u8::from(signed) << 3,
                ColumnKind::Binary { signed, order } => {
                    3 | u8::from(signed) << 3 | u8::from(order == ByteOrder::Little) << 4
                }
            };
            out.push(kind);
            varint::put(out, c.len as u64);
        }
    }

    /// Reads what [`RecordSpec::write`] wrote at `*pos`, advancing it, with the
    /// layout's version. Every count is checked before anything is allocated; a
    /// layout the encoder could not have written is an error.
    pub fn read_versioned(input: &[u8], pos: &mut usize) -> Result<(u8, RecordSpec)> {
        let byte = |pos: &mut usize, what: &'static str| -> Result<u8> {
            let b = *input.get(*pos).ok_or(Error::Truncated { what, needed: 1 })?;
            *pos += 1;
            Ok(b)
        };
        let version = byte(pos, "record layout")?;
        if !(1..=LAYOUT_VERSION).contains(&version) {
            return Err(Error::Unsupported { what: "record layout version", value: version.into() });
        }
        let charset = match byte(pos, "record layout")? {
            0 => Charset::Ascii,
            1 => Charset::Ebcdic,
            other => return Err(Error::Unsupported { what: "record charset", value: other.into() }),
        };
        let record_len = varint::get_capped(input, pos, MAX_RECORD_LEN as u64, "record length")? as usize;
        let lead = match version {
            1 => 0,
            3 => varint::get_capped(input, pos, record_len.saturating_sub(1) as u64, "record lead")? as usize,
            _ => match varint::get_capped(input, pos, record_len.saturating_sub(1) as u64, "record lead")? {
                0 => return Err(Error::corrupt("record layout", "a version 2 layout with no lead")),
                lead => lead as usize,
            },
        };
        let count = varint::get_capped(input, pos, MAX_COLUMNS.min(record_len) as u64, "record column count")? as usize;
        if record_len == 0 || count == 0 {
            return Err(Error::corrupt("record layout", "no columns"));
        }
        // Each column takes at least two bytes of the layout.
        if count > (input.len() - *pos) / 2 {
            return Err(Error::Truncated { what: "record layout columns", needed: 2 * count - (input.len() - *pos) });
        }
        let mut columns = Vec::with_capacity(count);
        let mut total = 0usize;
        for i in 0..count {
            let k = byte(pos, "record column")?;
            let len = varint::get_capped(input, pos, (record_len - total) as u64, "record column length")? as usize;
            let signed = k & 0x08 != 0;
            let kind = match (k & 0x07, k >> 4) {
                (0, 0) if !signed => ColumnKind::Text,
                (1, p @ 0..=3) => ColumnKind::Zoned {
                    signed,
                    sign: [
                        SignPosition::Trailing,
                        SignPosition::Leading,
                        SignPosition::TrailingSeparate,
                        SignPosition::LeadingSeparate,
                    ][usize::from(p)],
                },
                (2, 0) => ColumnKind::Packed { signed },
                (3, o @ 0..=1) => {
                    ColumnKind::Binary { signed, order: if o == 1 { ByteOrder::Little } else { ByteOrder::Big } }
                }
                _ => return Err(Error::corrupt("record layout", format!("column {i} has unknown kind byte {k:#04x}"))),
            };
            let column = ColumnSpec { len, kind };
            if len == 0 || !fits_codec(column) {
                return Err(Error::corrupt(
                    "record layout",
                    format!("column {i}: {} bytes cannot be {}", len, kind.name()),
                ));
            }
            total += len;
            columns.push(column);
        }
        if total != record_len {
            return Err(Error::corrupt("record layout", format!("columns cover {total} of {record_len} bytes")));
        }
        Ok((version, RecordSpec { charset, record_len, columns, lead }))
    }

    /// [`RecordSpec::read_versioned`] without the version.
    pub fn read(input: &[u8], pos: &mut usize) -> Result<RecordSpec> {
        Ok(Self::read_versioned(input, pos)?.1)
    }

    /// The whole records a block of `original_len` bytes holds after its lead; an
    /// error when the lead is longer than the block.
    pub fn whole_records(&self, original_len: usize) -> Result<usize> {
        let body = original_len.checked_sub(self.lead).ok_or_else(|| {
            Error::corrupt("record layout", format!("a {}-byte lead in a {original_len}-byte block", self.lead))
        })?;
        Ok(body / self.record_len)
    }

    /// One line per column, for `cobolp info`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}-byte records, {}, {} columns{}:",
            self.record_len,
            if self.charset == Charset::Ascii { "ASCII" } else { "EBCDIC" },
            self.columns.len(),
            if self.lead > 0 {
                format!(", the first {} bytes before the first record", self.lead)
            } else {
                String::new()
            }
        );
        let mut offset = 0;
        for (i, c) in self.columns.iter().enumerate() {
            s.push_str(&format!("\n  {i:>4} @{offset:<6} {:>4} bytes  {}", c.len, c.kind.name()));
            offset += c.len;
        }
        s
    }
}

/// Whether the codecs can hold a numeric column of this length.
fn fits_codec(c: ColumnSpec) -> bool {
    match c.kind {
        ColumnKind::Text => true,
        ColumnKind::Zoned { signed, sign } => {
            let digits = c.len.saturating_sub(usize::from(signed && sign.is_separate()));
            (1..=zoned::MAX_DIGITS).contains(&digits)
        }
        ColumnKind::Packed { .. } => c.len <= packed::MAX_LEN,
        ColumnKind::Binary { .. } => c.len <= binary::MAX_LEN,
    }
}

fn column_kind(kind: FieldKind, len: usize, native: ByteOrder) -> ColumnKind {
    let column = match kind {
        FieldKind::Text => ColumnKind::Text,
        FieldKind::Zoned { signed, sign, .. } => ColumnKind::Zoned { signed, sign },
        FieldKind::Packed { signed, .. } => ColumnKind::Packed { signed },
        FieldKind::Binary { signed, native: is_native, .. } => {
            ColumnKind::Binary { signed, order: if is_native { native } else { ByteOrder::Big } }
        }
    };
    if fits_codec(ColumnSpec { len, kind: column }) {
        column
    } else {
        ColumnKind::Text
    }
}
