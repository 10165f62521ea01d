//! `cobolp recover DAMAGED.cpz -o OUT`: every frame that still verifies, in order, and
//! an account of what is lost.
//!
//! The walk is the stream decoder's, made to go on past damage: a frame whose header
//! holds but whose payload does not verify is lost with the byte range its header
//! names; bytes where no frame starts are passed over to the next place where a
//! header checks out. Each frame's place in its stream (format version 2) tells
//! which original bytes are missing between the frames that survive, and the end
//! frame, when it survives, what is missing after the last one.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use cobol_protocol::layers::l8_seal::{next_frame, FrameHeader, FrameRef, FORMAT_VERSION_1, FRAME_MAGIC};
use cobol_protocol::{AtomicFile, EngineConfig, EngineError, InlineEngine};

use super::RecoverArgs;

/// Exit status when something was lost: the output holds only what verified.
pub const EXIT_LOST: u8 = 2;

/// What was lost, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Loss {
    /// Original bytes of a stream between the frames that survive.
    Range { stream: u64, from: u64, to: u64, frames: String },
    /// Bytes of the file where no frame could be read.
    Garbage { at: u64, len: u64 },
    /// A stream whose end frame did not survive: what followed its last frame is unknown.
    NoEnd { stream: u64, after: u64 },
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loss::Range { stream, from, to, frames } => {
                write!(f, "stream {stream}: original bytes {from}..{to} ({} bytes; {frames})", to - from)
            }
            Loss::Garbage { at, len } => write!(f, "file bytes {at}..{} unreadable (no frame starts there)", at + len),
            Loss::NoEnd { stream, after } => {
                write!(f, "stream {stream}: its end frame is lost; anything after original byte {after} is unknown")
            }
        }
    }
}

/// Where the walk is in the current stream.
#[derive(Default)]
struct Place {
    stream: u64,
    /// Original bytes of the stream accounted for (written or reported lost).
    reached: u64,
    /// Data frames of the stream met, whole or damaged.
    frames: u64,
    open: bool,
}

pub fn recover(args: &RecoverArgs) -> anyhow::Result<ExitCode> {
    let input = &args.input;
    let data = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let mut out = AtomicFile::create(&args.output, args.force)?;
    let mut file = std::io::BufWriter::new(out.take_file().context("output file already taken")?);
    let engine = InlineEngine::new(&EngineConfig::default())?;
    let mut losses = Vec::new();
    let (mut place, mut pos, mut written, mut kept) = (Place::default(), 0usize, 0u64, 0u64);
    while pos < data.len() {
        let frame = match next_frame(&data[pos..]) {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(_) => {
                let next = next_header(&data, pos + 1);
                losses.push(Loss::Garbage { at: pos as u64, len: (next - pos) as u64 });
                pos = next;
                continue;
            }
        };
        let (frame, len) = frame;
        match frame {
            FrameRef::Data { header, payload } => {
                let offset = place_of(&header, &place);
                if offset < place.reached || (offset == 0 && place.open && place.reached > 0) {
                    // A new stream began without the previous one's end.
                    losses.push(Loss::NoEnd { stream: place.stream, after: place.reached });
                    place = Place { stream: place.stream + 1, ..Place::default() };
                }
                if offset > place.reached {
                    let frames = format!("frames from {} on, lost whole", place.frames);
                    losses.push(Loss::Range { stream: place.stream, from: place.reached, to: offset, frames });
                }
                let end = offset + u64::from(header.original_len);
                match engine.decompress_frame(place.frames, pos as u64, header, payload) {
                    Ok(block) => {
                        file.write_all(&block).context("writing the output")?;
                        written += block.len() as u64;
                        kept += 1;
                    }
                    Err(e) => {
                        let cause = match e {
                            EngineError::Frame { source, .. } => source.to_string(),
                            other => other.to_string(),
                        };
                        let frames = format!("frame {} at file byte {pos}, damaged: {cause}", place.frames);
                        losses.push(Loss::Range { stream: place.stream, from: offset, to: end, frames });
                    }
                }
                place.reached = end;
                place.frames += 1;
                place.open = true;
            }
            FrameRef::End(end) => {
                if end.original_len > place.reached {
                    let frames = format!("the last {} frames of the stream", end.frames.saturating_sub(place.frames));
                    losses.push(Loss::Range {
                        stream: place.stream,
                        from: place.reached,
                        to: end.original_len,
                        frames,
                    });
                }
                place = Place { stream: place.stream + 1, ..Place::default() };
            }
            FrameRef::Skippable { .. } => {}
        }
        pos += len;
    }
    if place.open {
        losses.push(Loss::NoEnd { stream: place.stream, after: place.reached });
    }
    file.flush().context("writing the output")?;
    drop(file);
    out.commit()?;
    report(input, &args.output, kept, written, &losses, args.quiet);
    Ok(if losses.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_LOST) })
}

/// Where a frame's block starts in its stream: its header says so (version 2), or,
/// for a version 1 frame, right after what came before.
fn place_of(header: &FrameHeader, place: &Place) -> u64 {
    if header.version == FORMAT_VERSION_1 {
        place.reached
    } else {
        header.place.stream_offset
    }
}

/// The next position at or after `from` where a frame's header checks out, or the
/// end of the data.
fn next_header(data: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(i) = data.get(at..).and_then(|rest| rest.windows(3).position(|w| w == &FRAME_MAGIC[..3])) {
        let candidate = at + i;
        if FrameHeader::parse(&data[candidate..]).is_ok()
            || cobol_protocol::layers::l8_seal::EndFrame::parse(&data[candidate..]).is_ok()
        {
            return candidate;
        }
        at = candidate + 1;
    }
    data.len()
}

fn report(input: &Path, output: &Path, kept: u64, written: u64, losses: &[Loss], quiet: bool) {
    if losses.is_empty() {
        if !quiet {
            eprintln!("{}: nothing lost: {kept} frames, {written} bytes ({})", input.display(), output.display());
        }
        return;
    }
    eprintln!("{}: recovered {kept} frames, {written} bytes ({}); lost:", input.display(), output.display());
    for loss in losses {
        eprintln!("  {loss}");
    }
}
