//! COBOL copybooks to record layouts.
//!
//! [`RecordLayout::from_copybook`] reads the data description entries of a copybook
//! and lays the record out as COBOL does: the record length, and every elementary item
//! as a [`Field`] with its byte offset, byte length and [`FieldKind`], in record order,
//! `OCCURS` unrolled (`AMOUNT(3)`, `CELL(2,1)`).
//!
//! Understood: level numbers 01-49 and 77 (66 and 88 entries are skipped, they take no
//! storage); group items; `PIC`/`PICTURE` with `X`, `A`, `9`, `S`, `V`, repetitions
//! (`9(7)`), and edited pictures (`Z`, `*`, `+`, `-`, `.`, `,`, `B`, `0`, `/`, `$`, `CR`,
//! `DB`), which are text; `USAGE [IS]` or the bare usage: `DISPLAY`, `COMP`/`COMP-4`/
//! `BINARY`, `COMP-3`/`PACKED-DECIMAL`, `COMP-5` (and the `COMPUTATIONAL-n` spellings),
//! inherited from a group; `[SIGN [IS]] LEADING|TRAILING [SEPARATE [CHARACTER]]`;
//! `OCCURS n [TIMES]` (with `KEY IS`/`INDEXED BY` names, which change nothing);
//! `REDEFINES`; `FILLER` and unnamed items; `VALUE`, `JUSTIFIED`, `BLANK WHEN ZERO`,
//! `GLOBAL`, `EXTERNAL` (ignored: no effect on the bytes).
//!
//! `REDEFINES`: the layout's fields are the first definition's; each redefining item is
//! listed in [`RecordLayout::redefinitions`] with its offset, length and own fields, and
//! takes no bytes. A redefining item may not be larger than what it redefines. Several
//! 01-level records in one copybook are alternative views of one record area: the first
//! gives the fields, the others are listed as redefinitions of it.
//!
//! Refused with an error naming the line and column, never guessed: `OCCURS DEPENDING
//! ON` and `OCCURS m TO n`, `COMP-1`/`COMP-2` and other floating-point usages,
//! `POINTER`, `INDEX`, `NATIONAL`, `COMP-6`/`COMP-X`, `SYNCHRONIZED` (slack bytes), `P`
//! scaling, national/DBCS/boolean pictures, `COPY`/`REPLACE`, anything unknown.
//!
//! Source format: fixed (columns 1-6 sequence area, column 7 indicator with `*`/`/`
//! comments, `D` debug lines and `-` continuation, code in 8-72, 73-80 ignored) or free
//! (`*>` comments anywhere, as in fixed format too). [`SourceFormat::Auto`] takes fixed
//! format when every line fits it (sequence area blank or digits, a valid indicator, no
//! line over 80 columns), free format otherwise; `>>SOURCE FORMAT` directives switch.
//! Tabs advance to the next multiple of 8 columns.

mod entries;
mod layout;
mod lexer;
mod lines;
#[cfg(test)]
mod tests;

use super::{ByteOrder, SignPosition};
use crate::{Error, Result};
use entries::*;
use layout::*;
use lexer::*;
use lines::*;

/// The most fields (after unrolling `OCCURS`) a layout may have.
pub const MAX_FIELDS: usize = 1 << 20;
/// The longest record a layout may describe.
pub const MAX_RECORD_LEN: usize = 1 << 30;

/// How the copybook's lines are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SourceFormat {
    /// Fixed format when every line fits it, else free format.
    #[default]
    Auto,
    /// Columns 1-6 sequence, 7 indicator, 8-72 code, 73-80 ignored.
    Fixed,
    /// Code anywhere on the line, `*>` comments.
    Free,
}

/// How many bytes `COMP`/`COMP-4`/`BINARY`/`COMP-5` items take for their digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum BinarySize {
    /// 1-4 digits: 2 bytes, 5-9: 4, 10-18: 8. IBM Enterprise COBOL, and GnuCOBOL with
    /// `-fbinary-size=2-4-8` (or `-std=ibm`).
    #[default]
    TwoFourEight,
    /// 1-2 digits: 1 byte, 3-4: 2, 5-9: 4, 10-18: 8. GnuCOBOL's default (`default.conf`:
    /// `binary-size: 1-2-4-8`).
    OneTwoFourEight,
}

impl BinarySize {
    /// Bytes of a binary item of `digits` digits (1 to 18).
    pub fn bytes_for(self, digits: u32) -> u8 {
        match (self, digits) {
            (BinarySize::OneTwoFourEight, 0..=2) => 1,
            (_, 0..=4) => 2,
            (_, 5..=9) => 4,
            _ => 8,
        }
    }
}

/// Settings of [`RecordLayout::from_copybook_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ParseOptions {
    /// Fixed or free source format, or found from the text.
    pub format: SourceFormat,
    /// How many bytes a `COMP` field of so many digits takes.
    pub binary_size: BinarySize,
}

/// What an elementary item holds, and so how its bytes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Characters: `PIC X`, `PIC A`, and edited pictures.
    Text,
    /// `DISPLAY` numeric: one digit a byte (plus a separate sign byte, if any).
    Zoned {
        /// Digits, the implied decimal ones included.
        digits: u8,
        /// Digits after the implied decimal point (`V`).
        scale: u8,
        /// `S` in the picture.
        signed: bool,
        /// Where the sign is.
        sign: SignPosition,
    },
    /// `COMP-3`/`PACKED-DECIMAL`: `digits / 2 + 1` bytes.
    Packed {
        /// Digits, the implied decimal ones included.
        digits: u8,
        /// Digits after the implied decimal point (`V`).
        scale: u8,
        /// `S` in the picture.
        signed: bool,
    },
    /// `COMP`/`COMP-4`/`BINARY` (big-endian) or, when `native`, `COMP-5` (machine order).
    Binary {
        /// Bytes the field takes.
        bytes: u8,
        /// Digits of the picture.
        digits: u8,
        /// Digits after the implied decimal point (`V`).
        scale: u8,
        /// `S` in the picture.
        signed: bool,
        /// `COMP-5`: the machine's byte order, not big-endian.
        native: bool,
    },
}

impl FieldKind {
    /// Digits after the implied decimal point (`V`); 0 for text.
    pub fn scale(&self) -> u8 {
        match *self {
            FieldKind::Text => 0,
            FieldKind::Zoned { scale, .. } | FieldKind::Packed { scale, .. } | FieldKind::Binary { scale, .. } => scale,
        }
    }

    /// Whether the item is numeric (anything but text).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, FieldKind::Text)
    }

    /// The byte order of a binary item, given the order `COMP-5` has on the machine that
    /// wrote the data ([`ByteOrder::Little`] for GnuCOBOL on x86/ARM); `None` if not binary.
    pub fn byte_order(&self, native: ByteOrder) -> Option<ByteOrder> {
        match *self {
            FieldKind::Binary { native: true, .. } => Some(native),
            FieldKind::Binary { .. } => Some(ByteOrder::Big),
            _ => None,
        }
    }
}

/// An elementary item of the record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The data name as written (upper or lower case kept), with `OCCURS` subscripts,
    /// outermost first: `TXN-AMT(2,1)`. `FILLER` for fillers and unnamed items.
    pub name: String,
    /// Byte offset in the record.
    pub offset: usize,
    /// Byte length.
    pub len: usize,
    /// How the field's bytes hold its value.
    pub kind: FieldKind,
    /// `FILLER` or unnamed.
    pub filler: bool,
    /// Line of the copybook the item is described on (1-based).
    pub line: usize,
}

/// An item that `REDEFINES` another: recorded, but its bytes are read as the first
/// definition's fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Redefinition {
    /// The redefining item's name (with subscripts, as for fields).
    pub name: String,
    /// The name of the item it redefines.
    pub redefines: String,
    /// Where it starts in the record.
    pub offset: usize,
    /// Bytes it takes.
    pub len: usize,
    /// The copybook line that declares it.
    pub line: usize,
    /// Its own elementary items, as if it were the definition.
    pub fields: Vec<Field>,
}

/// A record as a copybook describes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordLayout {
    /// The 01-level name; `None` for a copybook of loose items (05 levels and the like),
    /// which are laid out one after another.
    pub name: Option<String>,
    /// Bytes in a record.
    pub record_len: usize,
    /// Every elementary item of the first definition, in offset order, covering the
    /// record without gaps.
    pub fields: Vec<Field>,
    /// Redefining items (`REDEFINES`, further 01 records), in the order met.
    pub redefinitions: Vec<Redefinition>,
}

impl RecordLayout {
    /// Parses a copybook with the default options (format detected, binary sizes
    /// 2-4-8 as IBM allocates them).
    ///
    /// ```
    /// use cobolp_stages::cobol::{FieldKind, RecordLayout};
    /// let layout = RecordLayout::from_copybook(
    ///     "       01 TXN-REC.
    ///               05 TR-AMOUNT    PIC S9(9)V99  COMP-3.
    ///               05 TR-CODE      PIC X(4).",
    /// ).unwrap();
    /// assert_eq!(layout.record_len, 10);
    /// assert_eq!(layout.fields[0].kind, FieldKind::Packed { digits: 11, scale: 2, signed: true });
    /// ```
    pub fn from_copybook(src: &str) -> Result<RecordLayout> {
        Self::from_copybook_with(src, &ParseOptions::default())
    }

    /// Parses a copybook with the given options.
    pub fn from_copybook_with(src: &str, opts: &ParseOptions) -> Result<RecordLayout> {
        let lines = code_lines(src, opts.format)?;
        let tokens = lex(&lines)?;
        let entries = parse_entries(&tokens)?;
        layout(entries, opts)
    }

    /// The first field of that name (with subscripts for items under `OCCURS`),
    /// compared without regard to case.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

fn err(line: usize, col: usize, msg: impl std::fmt::Display) -> Error {
    Error::corrupt("copybook", format!("line {line}, column {col}: {msg}"))
}
