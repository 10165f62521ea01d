//! Fixed-width COBOL records: the foundations of the record layer.
//!
//! - [`copybook`]: [`RecordLayout::from_copybook`] reads a COBOL copybook (fixed or free
//!   format) and gives the record length and a flat list of fields, each with its byte
//!   offset, byte length and [`FieldKind`]. Clauses it does not understand are an error
//!   naming the line and column, never a guess.
//! - [`packed`]: packed decimal (`COMP-3`), single values and whole columns, exact to the
//!   sign nibble; bytes that are not a packed number are reported, never accepted.
//! - [`zoned`]: zoned decimal (`DISPLAY` numeric) with overpunched or separate signs, in
//!   ASCII (as GnuCOBOL writes it) and EBCDIC.
//! - [`binary`]: `COMP`/`COMP-4`/`BINARY` (big-endian) and `COMP-5` (native order).
//! - [`ebcdic`]: code page 037 to and from Latin-1, a bijection on the 256 byte values.
//! - [`detect`]: ASCII or EBCDIC, judged from a sample of records and their layout.
//! - [`length`]: without a copybook, the record length (by autocorrelation) and a
//!   layout guessed column by column.
//!
//! Every codec here is exact: when a decoder accepts bytes, the matching encoder given
//! what it returned writes the same bytes back. What GnuCOBOL 3.1 actually writes for
//! each kind of field is pinned by `tests/cobol_oracle.rs` against files that real COBOL
//! programs wrote (`tests/cobol/`).

pub mod binary;
pub mod copybook;
pub mod detect;
pub mod ebcdic;
pub mod length;
pub mod packed;
pub mod zoned;

pub use copybook::{BinarySize, Field, FieldKind, ParseOptions, RecordLayout, Redefinition, SourceFormat};
pub use detect::detect_charset;

/// The character set of a record's text and zoned-decimal bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Charset {
    /// ASCII / Latin-1: space 0x20, digits 0x30-0x39 (what GnuCOBOL writes on a PC).
    Ascii,
    /// EBCDIC code page 037: space 0x40, digits 0xF0-0xF9 (what a mainframe writes).
    Ebcdic,
}

/// Where a signed `DISPLAY` numeric item keeps its sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SignPosition {
    /// Overpunched on the last digit (COBOL's default).
    #[default]
    Trailing,
    /// Overpunched on the first digit (`SIGN LEADING`).
    Leading,
    /// A `+`/`-` byte after the digits (`SIGN TRAILING SEPARATE`).
    TrailingSeparate,
    /// A `+`/`-` byte before the digits (`SIGN LEADING SEPARATE`).
    LeadingSeparate,
}

impl SignPosition {
    /// Whether the sign takes a byte of its own.
    pub fn is_separate(self) -> bool {
        matches!(self, SignPosition::TrailingSeparate | SignPosition::LeadingSeparate)
    }
}

/// Byte order of a binary field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Most significant byte first: `COMP`, `COMP-4`, `BINARY` everywhere, and `COMP-5`
    /// on a mainframe.
    Big,
    /// Least significant byte first: `COMP-5` as GnuCOBOL writes it on x86 and ARM.
    Little,
}

/// Where one fixed-width field lies in every record of a run of records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    /// Length of every record in bytes.
    pub record_len: usize,
    /// Offset of the field within a record.
    pub offset: usize,
    /// Length of the field in bytes.
    pub len: usize,
}

impl Column {
    /// Checks the column against `data` and returns the number of records in it.
    pub fn records_in(&self, data_len: usize) -> crate::Result<usize> {
        if self.record_len == 0 || data_len % self.record_len != 0 {
            return Err(crate::Error::Invalid(format!(
                "{data_len} bytes are not a whole number of {}-byte records",
                self.record_len
            )));
        }
        match self.offset.checked_add(self.len) {
            Some(end) if end <= self.record_len && self.len > 0 => Ok(data_len / self.record_len),
            _ => Err(crate::Error::Invalid(format!(
                "field at offset {} of {} bytes does not fit a {}-byte record",
                self.offset, self.len, self.record_len
            ))),
        }
    }
}
