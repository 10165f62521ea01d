//! L2 Structural for fixed-width records: a block of records becomes one column per
//! field, numbers as integers, so that the layers after it see each field's values
//! together instead of interleaved with every other field.
//!
//! # Streams
//!
//! The layer turns the block's one `Bytes` stream into, in this order (the bytes are
//! in `docs/FORMAT.md`):
//!
//! - `record-layout`: the columns (length and kind of each field: text, zoned,
//!   packed, binary, with sign and byte order), the charset, and each column's method
//!   for this block, and the lead: bytes before the block's first record, when the
//!   block was cut at another length than its records'. A decoder needs nothing
//!   else: no copybook. The columns are the
//!   block's, not always the copybook's fields: adjacent text fields whose values go
//!   together are coded as one column, and an unsigned zoned field holding two
//!   numbers side by side as two, when that pays for the block.
//! - `bytes`: the text columns, column-major, or for a column with few distinct
//!   values, those values once each (a dictionary; the records store indexes).
//! - `bytes`: digits taken out of text columns whose values differ mostly in their
//!   digits (`POS STORE #1234`): the text keeps a `0` for each.
//! - `int-columns`: the integer columns (see [`crate::typed_columns`]), in column
//!   order: each numeric column's values as integers (a quantity), and for each text
//!   column with a dictionary its records' indexes (an index). L3 then chooses how
//!   each is stored (values, deltas, deltas of deltas, a *relation* to other columns
//!   such as a running balance, a frame of reference, or a dictionary) and L4 lays
//!   that out as byte planes or varints; before layout version 3 the layer did both
//!   itself (planes only), and those blocks still decode (`decode_v2.rs`).
//! - `record-exceptions`: every numeric field whose bytes are not exactly what COBOL
//!   writes for its value (a bad digit or sign nibble, a sign form other than the
//!   preferred one, negative zero, spaces ...), byte for byte, and after them the
//!   bytes of the lead and of a trailing partial record.
//!
//! So `decode(encode(x)) == x` for any bytes: whatever a field holds either comes
//! back from its value or is kept as it is.
//!
//! # Layer
//!
//! [`RecordLayer`] applies only when it was given a layout, the block is one `Bytes`
//! stream holding at least one record, at most a quarter of the numeric bytes are
//! exceptions, and an order-0 estimate says the numeric columns cost less than the
//! bytes they came from, and a trial on the block's first records through L5-L7
//! agrees. Text columns are not judged apart: column-major order only helps or costs
//! the layers after it little. A block whose streams a decoder would refuse (too
//! long) is declined too. A block the given layout does
//! not pay for (or, for a doubted layout, any block) is tried with the layout guessed
//! from its own bytes (record length, fields, lead). The estimates and the trial code
//! the block's first records through L3 and L4 as those layers would.

mod columns;
mod decode;
mod decode_v2;
mod encode;
mod layout;
mod method;
#[cfg(test)]
mod tests;
mod text;

use std::sync::Arc;

pub use crate::l3_delta::Transform;
pub use columns::{read_value, write_value};
pub use layout::{ColumnKind, ColumnSpec, RecordSpec, LAYOUT_VERSION, MAX_COLUMNS, MAX_RECORD_LEN};
pub use method::{Dict, Method, TextMethod};

use crate::block::{Block, Layer, LayerId, LayerSet, Stream, StreamKind};
use crate::cobol::length::{detect_record_length, infer_layout};
use crate::cobol::{detect_charset, Charset, Field, FieldKind, RecordLayout};
use crate::error::{Error, Result};
use crate::l3_delta::DeltaLayer;
use crate::l4_binary::BinaryLayer;
use crate::l6_pattern::PatternLayer;
use encode::Verdict;
/// The split must come out this much smaller through L5-L7 than the bytes it replaces.
pub const MIN_GAIN_PERCENT: usize = 1;
/// Longest record length looked for in a block its layout does not fit.
pub const MAX_GUESSED_RECORD_LEN: usize = 4096;
/// Bytes of records the split is tried on before it is taken.
pub const TRIAL_BYTES: usize = 64 << 10;

/// Records of a stream's start on which each start of a copybook's records is checked.
const LEAD_CHECK_RECORDS: usize = 512;

/// How much smaller than none a stream's lead must make its sample, in percent.
pub const LEAD_MARGIN_PERCENT: usize = 2;

/// Records on which the candidate starts of a guessed layout are compared.
const LEAD_SAMPLE: usize = 8192;

/// Bytes of a stream's start [`RecordConfig::find_lead`] looks at for records known
/// by their length only (the candidates' samples, and room for the field guesses).
const INFER_LEAD_BYTES: usize = 1 << 20;

/// What `data`'s first records come to through L5-L7 (the fast match search) with
/// `spec`: how the candidate starts of a guessed layout are compared. (An order-0
/// estimate of the streams ranked them wrongly: it cannot see what L6 makes of the
/// text, nor which start gives the relations between fields their records whole.)
fn trial_size(data: &[u8], spec: &RecordSpec, records: usize) -> f64 {
    let sample = &data[..data.len().min(spec.lead + records * spec.record_len)];
    let block = encode::split(sample, spec).into_block(sample.len(), LayerSet::EMPTY);
    coded(block)
        .and_then(|block| crate::trial::size_after_legacy_layers(block, &trial_pattern()))
        .map_or(f64::INFINITY, |size| size as f64)
}

/// The match search of the layer's trials: the fast one, since a trial only compares.
fn trial_pattern() -> PatternLayer {
    PatternLayer { params: crate::l6_pattern::MatchParams::fast() }
}

impl encode::Split {
    /// The block the split's streams make, for `original_len` bytes with `layers`
    /// already applied.
    fn into_block(self, original_len: usize, layers: LayerSet) -> Block {
        let mut layers = layers;
        layers.insert(LayerId::Structural);
        Block { original_len, layers, streams: self.streams.into_block_streams() }
    }
}

/// `block` (a split) with L3 and L4 applied, as the engine's next stages would: what a
/// trial of the split goes on from. L4 lays the numbers out as planes, the form it
/// takes for a block of records of any size (its measured choice of varints pays on
/// small blocks only, and a trial's sample is small whatever the block).
fn coded(mut block: Block) -> Result<Block> {
    DeltaLayer.encode_in_turn(&mut block)?;
    BinaryLayer.encode_in(&mut block, Some(crate::l4_binary::Form::Planes))?;
    Ok(block)
}

/// The layouts guessed from `data` for records of `record_len` bytes at each likely
/// start, with what a sample of each comes to through L5-L7 (`skip_start`: not at
/// byte 0, tried before).
///
/// A block cut at another length than its records' (a wrong copybook's) starts inside
/// a record, and a record cut in two loses what ties its fields together (the account
/// beside its balance). Where a record starts, a field starts: the fields guessed from
/// the block's first byte on are the candidates.
fn sized_starts(
    data: &[u8],
    record_len: usize,
    charset: Charset,
    skip_start: bool,
    records: usize,
) -> Vec<(f64, RecordSpec)> {
    let spec_at = |lead: usize| {
        let spec = RecordSpec::from_layout(&infer_layout(&data[lead..], record_len, charset), charset).ok()?;
        Some(RecordSpec { lead, ..spec })
    };
    let Some(at_start) = spec_at(0) else { return Vec::new() };
    let starts = at_start.columns.iter().scan(0, |offset, c| {
        *offset += c.len;
        Some(*offset)
    });
    let leads: Vec<usize> = std::iter::once(0).chain(starts.filter(|&l| l < record_len)).collect();
    leads
        .into_iter()
        .filter(|&lead| !(skip_start && lead == 0) && data.len() >= lead + record_len)
        .filter_map(|lead| if lead == 0 { Some(at_start.clone()) } else { spec_at(lead) })
        .map(|spec| (trial_size(data, &spec, records), spec))
        .collect()
}

/// The smallest of [`sized_starts`], with its size.
fn best_start(data: &[u8], record_len: usize, charset: Charset, skip_start: bool) -> Option<(f64, RecordSpec)> {
    sized_starts(data, record_len, charset, skip_start, LEAD_SAMPLE).into_iter().min_by(|a, b| a.0.total_cmp(&b.0))
}

/// The layer's streams, by role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Streams {
    /// The `record-layout` stream.
    pub layout: Vec<u8>,
    /// The text columns.
    pub text: Vec<u8>,
    /// Digits taken out of text columns.
    pub digits: Vec<u8>,
    /// The `int-columns` stream.
    pub columns: Vec<u8>,
    /// The `record-exceptions` stream.
    pub exceptions: Vec<u8>,
}

impl Streams {
    fn into_block_streams(self) -> Vec<Stream> {
        vec![
            Stream::new(StreamKind::RecordLayout, self.layout),
            Stream::new(StreamKind::Bytes, self.text),
            Stream::new(StreamKind::Bytes, self.digits),
            Stream::new(StreamKind::IntColumns, self.columns),
            Stream::new(StreamKind::RecordExceptions, self.exceptions),
        ]
    }
}

/// A block's streams once the layers after L2 are undone: version 3's five, or a
/// version 1 or 2 block's planes.
enum BlockStreams {
    Columns(Streams),
    Planes(decode_v2::PlaneStreams),
}

impl BlockStreams {
    fn from_block_streams(streams: &mut Vec<Stream>) -> Result<BlockStreams> {
        let kinds: Vec<StreamKind> = streams.iter().map(|s| s.kind).collect();
        use StreamKind::{Bytes, IntColumns, RecordExceptions, RecordLayout, RecordNumbers};
        let columns = kinds == [RecordLayout, Bytes, Bytes, IntColumns, RecordExceptions];
        let planes = kinds.len() >= 4
            && kinds[..3] == [RecordLayout, Bytes, Bytes]
            && kinds[kinds.len() - 1] == RecordExceptions
            && kinds[3..kinds.len() - 1].iter().all(|k| matches!(k, RecordNumbers | Bytes));
        if !columns && !planes {
            let kinds: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            return Err(Error::corrupt(
                "record streams",
                format!(
                    "expected record-layout, bytes, bytes, int-columns (or planes), record-exceptions; found {}",
                    kinds.join(", ")
                ),
            ));
        }
        let mut it = std::mem::take(streams).into_iter().map(|s| s.data);
        let layout = it.next().unwrap_or_default();
        let text = it.next().unwrap_or_default();
        let digits = it.next().unwrap_or_default();
        let mut rest: Vec<Vec<u8>> = it.collect();
        let exceptions = rest.pop().unwrap_or_default();
        Ok(if columns {
            let columns = rest.pop().unwrap_or_default();
            BlockStreams::Columns(Streams { layout, text, digits, columns, exceptions })
        } else {
            BlockStreams::Planes(decode_v2::PlaneStreams { layout, text, digits, numbers: rest, exceptions })
        })
    }

    fn join(&self, original_len: usize) -> Result<Vec<u8>> {
        match self {
            BlockStreams::Columns(s) => decode::join(s, original_len),
            BlockStreams::Planes(s) => decode_v2::join(s, original_len),
        }
    }

    fn into_block_streams(self) -> Vec<Stream> {
        match self {
            BlockStreams::Columns(s) => s.into_block_streams(),
            BlockStreams::Planes(s) => {
                let mut out = vec![
                    Stream::new(StreamKind::RecordLayout, s.layout),
                    Stream::new(StreamKind::Bytes, s.text),
                    Stream::new(StreamKind::Bytes, s.digits),
                ];
                out.extend(s.numbers.into_iter().map(|p| Stream::new(StreamKind::RecordNumbers, p)));
                out.push(Stream::new(StreamKind::RecordExceptions, s.exceptions));
                out
            }
        }
    }
}

/// What the encoder is told about the records.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordConfig {
    /// The record layout, from a copybook or a record length.
    pub layout: RecordLayout,
    /// `None`: judged per block with [`detect_charset`], ASCII when undecided.
    pub charset: Option<Charset>,
    /// Records known by their length only: each block's layout is guessed from its
    /// bytes with [`infer_layout`] (`layout` is then only the length).
    pub infer: bool,
    /// The layout may not describe the data (its record length is not the one the
    /// data shows): each block is also tried with the layout guessed from its bytes,
    /// and the smaller on a sample is kept, even when the given layout pays. Slower.
    pub doubted: bool,
    /// Bytes before the first record of every block (taken modulo the record length):
    /// records that follow a header of another length, in a stream cut into blocks
    /// at multiples of the record length, start this far into every block. Found by
    /// [`RecordConfig::find_lead`]; 0 for most data.
    pub lead: usize,
}

impl RecordConfig {
    /// Records of `layout`; `charset` `None` finds ASCII or EBCDIC per block.
    pub fn new(layout: RecordLayout, charset: Option<Charset>) -> RecordConfig {
        RecordConfig { layout, charset, infer: false, doubted: false, lead: 0 }
    }

    /// Records known by their length only: each block's fields are guessed from its
    /// bytes (zoned and packed numbers where every record has them, text elsewhere).
    /// The charset is ASCII unless set.
    pub fn record_length(record_len: usize) -> RecordConfig {
        let field =
            Field { name: "RECORD".into(), offset: 0, len: record_len, kind: FieldKind::Text, filler: false, line: 0 };
        RecordConfig {
            layout: RecordLayout { name: None, record_len, fields: vec![field], redefinitions: Vec::new() },
            charset: None,
            infer: true,
            doubted: false,
            lead: 0,
        }
    }

    /// Marks the layout as doubted (see [`RecordConfig::doubted`]).
    pub fn doubted(mut self) -> RecordConfig {
        self.doubted = true;
        self
    }

    /// The columns for a block (the charset detected from it when not given, the
    /// fields guessed from it when only the record length is known).
    pub fn spec_for(&self, data: &[u8]) -> Result<RecordSpec> {
        self.spec_at(data, self.lead.checked_rem(self.layout.record_len).unwrap_or(0))
    }

    /// [`RecordConfig::spec_for`] with the records starting `lead` bytes in.
    fn spec_at(&self, data: &[u8], lead: usize) -> Result<RecordSpec> {
        let records = &data[lead.min(data.len())..];
        let spec = if self.infer {
            let charset = self.charset.unwrap_or(Charset::Ascii);
            RecordSpec::from_layout(&infer_layout(records, self.layout.record_len, charset), charset)
        } else {
            let charset = self.charset.or_else(|| detect_charset(records, &self.layout)).unwrap_or(Charset::Ascii);
            RecordSpec::from_layout(&self.layout, charset)
        }?;
        Ok(RecordSpec { lead, ..spec })
    }

    /// The columns guessed from `data` alone (its record length found, its fields
    /// classified, and where its first whole record starts), for a block the
    /// configured layout does not pay for, with what its sample came to through L5-L7
    /// ([`trial_size`]); `None` when `data` does not look like fixed-width records or
    /// the guess is what was tried.
    fn sized_guess(&self, data: &[u8]) -> Option<(f64, RecordSpec)> {
        let guess = detect_record_length(data, MAX_GUESSED_RECORD_LEN)?;
        let tried = self.infer && guess.len == self.layout.record_len;
        best_start(data, guess.len, self.charset.unwrap_or(Charset::Ascii), tried)
    }

    /// Where the records of `data`, the start of a stream, begin: 0 unless they follow
    /// a header of another length. (Each block of such a stream, cut at multiples of
    /// the record length, then has its records start as far in: see
    /// [`RecordConfig::lead`].) For a copybook: where its numeric fields read as
    /// numbers. For records known by their length only: the field starts guessed
    /// from byte 0 are tried through L5-L7, and a lead is taken only when it comes out
    /// clearly smaller than none on `data` (by [`LEAD_MARGIN_PERCENT`]): it then
    /// applies to the whole stream, which a sample only stands for.
    pub fn find_lead(&self, data: &[u8]) -> usize {
        if self.layout.record_len == 0 {
            return 0;
        }
        if !self.infer {
            return self.lead_by_exceptions(data);
        }
        // A first look on an eighth of the records; the starts that come out clearly
        // smaller than byte 0 there (none, for most files: their records start at
        // byte 0) get the full look, whose more records show relations between fields
        // that recur only over many records (an account and its balance), and decide.
        // (A start the first look misses costs ratio, never correctness: on bank_txn
        // after headers of 5, 10, 18, 24, 31 and 65 bytes, letters or digits, it
        // missed none.)
        let clearly_smaller = |size: f64, at_start: f64| size * (100 + LEAD_MARGIN_PERCENT) as f64 <= at_start * 100.0;
        let charset = self.charset.unwrap_or(Charset::Ascii);
        let quick = sized_starts(data, self.layout.record_len, charset, false, LEAD_SAMPLE / 8);
        let Some((quick_at_start, start)) = quick.iter().find(|(_, s)| s.lead == 0).cloned() else { return 0 };
        let promising: Vec<&RecordSpec> =
            quick.iter().filter(|(size, _)| clearly_smaller(*size, quick_at_start)).map(|(_, spec)| spec).collect();
        if promising.is_empty() {
            return 0;
        }
        let at_start = trial_size(data, &start, LEAD_SAMPLE);
        let best = promising
            .into_iter()
            .map(|spec| (trial_size(data, spec, LEAD_SAMPLE), spec.lead))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((size, lead)) if clearly_smaller(size, at_start) => lead,
            _ => 0,
        }
    }

    /// How many bytes of a stream's start [`RecordConfig::find_lead`] needs: a caller
    /// reading them from a file need read no more.
    pub fn lead_sample_len(&self) -> usize {
        if self.infer {
            INFER_LEAD_BYTES
        } else {
            // Every start in the first record, each checked on the records after it,
            // and the records the charset is judged on.
            (LEAD_CHECK_RECORDS.max(crate::cobol::detect::SAMPLE_RECORDS) + 1) * self.layout.record_len
        }
    }

    /// [`RecordConfig::find_lead`] for a copybook: its numeric fields hold valid
    /// numbers where the records really start and mostly not elsewhere, so the start
    /// with the fewest fields kept as bytes in the first records wins, if it keeps at
    /// most half as many as byte 0 does.
    fn lead_by_exceptions(&self, data: &[u8]) -> usize {
        let Ok(spec) = self.spec_at(data, 0) else { return 0 };
        let rl = spec.record_len;
        let kept_at = |lead: usize| {
            let records = &data[lead.min(data.len())..];
            let records = &records[..records.len().min(LEAD_CHECK_RECORDS * rl) / rl * rl];
            let mut kept = Vec::new();
            let mut offset = 0;
            for col in &spec.columns {
                if col.kind.is_numeric() {
                    let at = crate::cobol::Column { record_len: rl, offset, len: col.len };
                    columns::read_column::<i128>(records, at, col.kind, spec.charset, &mut kept);
                }
                offset += col.len;
            }
            kept.len()
        };
        let at_start = kept_at(0);
        if at_start == 0 {
            return 0;
        }
        let (lead, fewest) =
            (0..rl).map(|lead| (lead, kept_at(lead))).min_by_key(|&(lead, kept)| (kept, lead)).unwrap_or((0, 0));
        if fewest * 2 <= at_start {
            lead
        } else {
            0
        }
    }

    /// Checks that the layout can be used; the error names the problem.
    pub fn validate(&self) -> Result<()> {
        RecordSpec::from_layout(&self.layout, self.charset.unwrap_or(Charset::Ascii)).map(|_| ())
    }
}

/// L2 Structural for records. Decoding needs no configuration: the layout travels
/// in the block.
#[derive(Clone, Debug, Default)]
pub struct RecordLayer {
    /// The records it encodes (a decoder needs none).
    pub config: Option<Arc<RecordConfig>>,
}

impl RecordLayer {
    /// An encoder of records of `config`.
    pub fn new(config: RecordConfig) -> RecordLayer {
        RecordLayer { config: Some(Arc::new(config)) }
    }

    /// A layer that only decodes.
    pub fn decoder() -> RecordLayer {
        RecordLayer { config: None }
    }
}

impl RecordLayer {
    /// `data` split by `spec`, when that pays.
    fn split_that_pays(&self, data: &[u8], spec: &RecordSpec) -> Result<Option<encode::Split>> {
        if data.len() < spec.lead + spec.record_len {
            return Ok(None);
        }
        let columns = encode::block_columns(data, spec);
        // Judged on the block's first records: the estimates and the trial code them
        // through L3 and L4 as the layers after this one will code the whole block, and
        // the records of a block behave alike.
        let sample_at = |bytes: usize| spec.lead + (bytes / spec.record_len).max(1) * spec.record_len;
        let sample = &data[..sample_at(TRIAL_BYTES).min(data.len())];
        let sample_split = encode::split_columns(sample, &columns);
        let verdict = sample_split.judge(encode::numeric_bytes_cost(sample, &columns));
        // The per-column estimates can all look good while the whole loses to plain
        // bytes (a layout that does not fit, fields that share their values): the
        // split is kept only when it also comes out smaller through L5-L7 on the
        // sample (the layout costs little, so a sample judges the whole fairly, at a
        // fraction of the cost). Numbers that shrink several times over are a layout
        // that fits: a shorter trial still catches a whole that loses, at a quarter of
        // the cost.
        let (trial, trial_sample) = match verdict {
            Verdict::Loses => return Ok(None),
            Verdict::Pays => (sample_split, sample),
            Verdict::ClearlyPays => {
                let quarter = &data[..sample_at(TRIAL_BYTES / 4).min(data.len())];
                (encode::split_columns(quarter, &columns), quarter)
            }
        };
        if !self.split_pays(trial, trial_sample)? {
            return Ok(None);
        }
        let split = encode::split_columns(data, &columns);
        if split.exception_bytes * 4 > split.numeric_len {
            return Ok(None);
        }
        // Decoders refuse any stream longer than this cap before allocating: such a
        // block stays bytes rather than become a frame no decoder would read. (L3 and
        // L4 check what they make in turn.)
        let cap = Block::stream_cap(data.len());
        let s = &split.streams;
        if [&s.layout, &s.text, &s.digits, &s.columns, &s.exceptions].into_iter().any(|d| d.len() > cap) {
            return Ok(None);
        }
        Ok(Some(split))
    }

    /// Whether `split` of `sample` (whole records), once L3 and L4 have coded it, is
    /// smaller through L5-L7 than `sample` as bytes.
    fn split_pays(&self, split: encode::Split, sample: &[u8]) -> Result<bool> {
        let candidate = coded(split.into_block(sample.len(), LayerSet::EMPTY))?;
        let bytes = Block::from_input(sample.to_vec());
        crate::trial::owned_pays_by(candidate, bytes, &trial_pattern(), MIN_GAIN_PERCENT)
    }
}

impl Layer for RecordLayer {
    fn id(&self) -> LayerId {
        LayerId::Structural
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        let Some(config) = &self.config else { return Ok(false) };
        let [Stream { kind: StreamKind::Bytes, data }] = block.streams.as_slice() else { return Ok(false) };
        if config.layout.record_len == 0 {
            return Ok(false);
        }
        // A layout that cannot be used for this block (a guessed one) is declined.
        // One that does not pay (a copybook or record length that does not describe
        // these bytes) gives way to the layout guessed from the block itself; when
        // neither pays, the block goes on as bytes. A doubted layout that pays still
        // gives way to a guess that comes out smaller (records of twice the length
        // pay, but less than the records themselves).
        let given = config.spec_for(data).ok();
        let mut chosen = match &given {
            Some(spec) => self.split_that_pays(data, spec)?,
            None => None,
        };
        if chosen.is_none() || config.doubted {
            if let Some((guess_size, guess)) = config.sized_guess(data) {
                let better = match (&chosen, &given) {
                    (Some(_), Some(given)) => guess_size < trial_size(data, given, LEAD_SAMPLE),
                    _ => true,
                };
                if better {
                    chosen = self.split_that_pays(data, &guess)?.or(chosen);
                }
            }
        }
        let Some(split) = chosen else { return Ok(false) };
        *block = split.into_block(block.original_len, block.layers);
        block.layers.insert(LayerId::Structural);
        Ok(true)
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        let mut streams = std::mem::take(&mut block.streams);
        let parts = match BlockStreams::from_block_streams(&mut streams) {
            Ok(p) => p,
            Err(e) => {
                block.streams = streams;
                return Err(e);
            }
        };
        match parts.join(block.original_len) {
            Ok(data) => {
                block.streams = vec![Stream::new(StreamKind::Bytes, data)];
                Ok(())
            }
            Err(e) => {
                block.streams = parts.into_block_streams();
                Err(e)
            }
        }
    }
}

/// Splits `data` into the layer's streams as the encoder would, whether or not it
/// would pay (for tests and measurements).
pub fn split(data: &[u8], spec: &RecordSpec) -> Streams {
    encode::split(data, spec).streams
}

/// Rebuilds a block of `original_len` bytes from [`split`]'s streams.
pub fn join(streams: &Streams, original_len: usize) -> Result<Vec<u8>> {
    decode::join(streams, original_len)
}

/// Reads the layout at the start of a `record-layout` stream (for `cobolp info`).
pub fn read_layout(stream: &[u8]) -> Result<RecordSpec> {
    RecordSpec::read(stream, &mut 0)
}
