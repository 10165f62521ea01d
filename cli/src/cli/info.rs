//! `cobolp info` and `cobolp test`: what a compressed file holds, and whether it is whole.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;

use anyhow::Context;
use cobol_protocol::frames::{Frame, FrameReader, ReadFrames};
use cobol_protocol::layers::l1_templates::{
    column_bytes, describe, describe_with_bytes, time_relations, Split, STREAM_NAMES,
};
use cobol_protocol::layers::l2_records::{read_layout, RecordSpec};
use cobol_protocol::layers::l3_delta;
use cobol_protocol::layers::l4_binary;
use cobol_protocol::layers::l5_rle::RleLayer;
use cobol_protocol::layers::l6_pattern::PatternLayer;
use cobol_protocol::layers::l7_entropy::{self, EntropyLayer};
use cobol_protocol::layers::l8_seal::{self, read_seek_table};
use cobol_protocol::layers::typed_columns::ColumnRole;
use cobol_protocol::layers::{Block, Layer, LayerId, StreamKind};
use cobol_protocol::{EngineConfig, InlineEngine, Unfinished};

use super::{InfoArgs, TestArgs};

/// `println!` that returns the write error instead of panicking, so that `cobolp info |
/// head` ends quietly when `head` has read enough (see `main`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

pub fn info(args: &InfoArgs) -> anyhow::Result<()> {
    let path = &args.file;
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BufReader::with_capacity(1 << 20, file);
    let mut frames = 0u64;
    let mut original = 0u64;
    let mut stored = 0u64;
    let mut layer_use: BTreeMap<u8, u64> = BTreeMap::new();
    let mut stream_bytes: BTreeMap<&'static str, u64> = BTreeMap::new();
    // Streams coded by each L7 method, by its method byte.
    let mut entropy_methods = [0u64; l7_entropy::METHOD_NAMES.len()];
    // Record layouts met (L2), in order, with how many frames used each.
    let mut layouts: Vec<(RecordSpec, u64)> = Vec::new();
    if !args.summary {
        out!("{:>6} {:>12} {:>10} {:>10} {:>8}  layers", "frame", "offset", "original", "frame", "ratio");
    }
    let mut walk = FrameReader::new();
    walk.set_unfinished(Unfinished::Accept);
    let mut walk = ReadFrames::new(reader, walk);
    loop {
        let offset = walk.reader().offset();
        let at = |e: &dyn std::fmt::Display| anyhow::anyhow!("{}: {e}", path.display());
        let (header, payload) = match walk.next_frame().map_err(|e| at(&e))? {
            None => break,
            Some(Frame::Data { header, payload, .. }) => (header, payload),
            Some(Frame::Skippable(content)) => {
                match read_seek_table(&content) {
                    Ok(Some(entries)) => out!("{:>6} {offset:>12} seek table of {} frames", "-", entries.len()),
                    _ => out!("{:>6} {offset:>12} skippable frame of {} bytes", "-", content.len()),
                }
                continue;
            }
            Some(Frame::End(end)) => {
                if !args.summary {
                    out!(
                        "{:>6} {offset:>12} end of stream: {} in {} bytes",
                        "-",
                        frames_text(end.frames),
                        end.original_len
                    );
                }
                continue;
            }
        };
        let at = |e: cobol_protocol::layers::Error| at(&format!("frame {frames} (at byte {offset}): {e}"));
        let block = l8_seal::open(&header, &payload).map_err(at)?;
        if header.is_stored() {
            stored += 1;
        } else {
            for s in &block.streams {
                *stream_bytes.entry(s.kind.name()).or_default() += s.data.len() as u64;
            }
            if header.layers.contains(LayerId::Entropy) {
                for s in &block.streams {
                    if let Some(count) = s.data.first().and_then(|&m| entropy_methods.get_mut(usize::from(m))) {
                        *count += 1;
                    }
                }
            }
            if let Some(s) = block.streams.iter().find(|s| s.kind == StreamKind::RecordLayout) {
                let raw = if header.layers.contains(LayerId::Entropy) {
                    l7_entropy::decode_stream(&s.data, Block::stream_cap(header.original_len as usize)).map_err(at)?
                } else {
                    s.data.clone()
                };
                let spec = read_layout(&raw).map_err(at)?;
                match layouts.iter_mut().find(|(l, _)| *l == spec) {
                    Some((_, n)) => *n += 1,
                    None => layouts.push((spec, 1)),
                }
            }
        }
        for layer in header.layers.iter() {
            *layer_use.entry(layer.number()).or_default() += 1;
        }
        if !args.summary {
            let ratio = f64::from(header.original_len) / header.frame_len() as f64;
            out!(
                "{frames:>6} {offset:>12} {:>10} {:>10} {ratio:>8.3}  {}",
                header.original_len,
                header.frame_len(),
                header.layers
            );
            if args.templates && header.layers.contains(LayerId::Delta) {
                out!("{:>8}{}", "", describe_columns(&block, header.original_len as usize).map_err(at)?);
            }
            if header.layers.contains(LayerId::Semantic) {
                // A frame's name goes on what its bytes caused, not on output that could
                // not be written (`| head`).
                print_split(block, args.templates).map_err(|e| match e.downcast::<std::io::Error>() {
                    Ok(io) => anyhow::Error::new(io).context("writing the listing"),
                    Err(e) => e.context(format!("{}: frame {frames} (at byte {offset})", path.display())),
                })?;
            }
        }
        frames += 1;
        original += u64::from(header.original_len);
    }
    let offset = walk.reader().offset();
    let ratio = if offset == 0 { 0.0 } else { original as f64 / offset as f64 };
    let summary = walk.summary().expect("the input ended");
    let streams = match summary.unfinished {
        None => format!("{} stream{}", summary.streams, if summary.streams == 1 { "" } else { "s" }),
        Some((frames, _)) => format!(
            "{} complete stream{} and one without its end frame ({} in it: cut short, or still being written)",
            summary.streams,
            if summary.streams == 1 { "" } else { "s" },
            frames_text(frames)
        ),
    };
    out!(
        "{}: {} ({stored} stored), {original} -> {offset} bytes, ratio {ratio:.3}; {streams}",
        path.display(),
        frames_text(frames)
    );
    let uses: Vec<String> =
        layer_use.iter().map(|(n, c)| format!("L{n} {} in {c}", LayerId::ALL[usize::from(*n) - 1].name())).collect();
    out!("layers: {}", if uses.is_empty() { "none".into() } else { uses.join(", ") });
    for (spec, n) in &layouts {
        out!("record layout in {n} frames: {}", spec.describe());
    }
    if !stream_bytes.is_empty() {
        let parts: Vec<String> = stream_bytes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out!("bytes per stream (after L7): {}", parts.join(", "));
    }
    if entropy_methods.iter().any(|&n| n > 0) {
        let parts: Vec<String> = l7_entropy::METHOD_NAMES
            .iter()
            .zip(entropy_methods)
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        out!("streams by L7 method: {}", parts.join(", "));
    }
    Ok(())
}

/// What L3 and L4 made of a frame's integer columns: each column's coding, and the
/// form and size of its numbers' layout.
fn describe_columns(block: &Block, original_len: usize) -> Result<String, cobol_protocol::layers::Error> {
    let raw = |kind: StreamKind| -> Result<Vec<u8>, cobol_protocol::layers::Error> {
        let Some(s) = block.streams.iter().find(|s| s.kind == kind) else { return Ok(Vec::new()) };
        if block.layers.contains(LayerId::Entropy) {
            l7_entropy::decode_stream(&s.data, Block::stream_cap(original_len))
        } else {
            Ok(s.data.clone())
        }
    };
    let methods = l3_delta::read_methods(&raw(StreamKind::DeltaMethods)?)?;
    let columns: Vec<String> = methods
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let role = if m.role == ColumnRole::Index { " (index)" } else { "" };
            format!("{i}{role}: {}", m.coding)
        })
        .collect();
    let mut line = format!(
        "L3: {} int columns of {} values: {}",
        methods.len(),
        methods.first().map_or(0, |m| m.len),
        columns.join("; ")
    );
    if block.layers.contains(LayerId::Binary) {
        let (form, sequences) = l4_binary::read_layout(&raw(StreamKind::BinaryLayout)?, usize::MAX)?;
        let planes: usize = sequences.iter().map(|s| usize::from(s.width)).sum();
        match form {
            l4_binary::Form::Planes => line += &format!("; L4: {} sequences in {planes} byte planes", sequences.len()),
            l4_binary::Form::Varints => line += &format!("; L4: {} sequences as varints", sequences.len()),
        }
    }
    Ok(line)
}

/// The template split of a frame: undoes L7 to L5 and shows what L1 made.
fn print_split(mut block: Block, all: bool) -> anyhow::Result<()> {
    let below: [&dyn Layer; 3] = [&EntropyLayer, &PatternLayer::default(), &RleLayer];
    for layer in below {
        if block.layers.contains(layer.id()) {
            layer.decode(&mut block)?;
        }
    }
    let original_len = block.original_len;
    let split = Split::from_block_streams(block.streams)?;
    let (lines, templates) =
        if all { describe_with_bytes(&split, &column_bytes(&split, original_len)?)? } else { describe(&split)? };
    let sizes = STREAM_NAMES
        .iter()
        .zip(split.streams())
        // `hex-runs` only where the split has it (version 6).
        .filter(|(name, s)| !s.is_empty() || **name != "hex-runs")
        .map(|(name, s)| format!("{name} {}", s.len()))
        .collect::<Vec<_>>()
        .join(", ");
    out!("{:>8}L1 split: {lines} lines, {} templates; bytes before L5: {sizes}", "", templates.len());
    if all {
        let relations = time_relations(&split)?;
        if !relations.is_empty() {
            out!("{:>8}time relations: {}", "", relations.join("; "));
        }
        for (text, uses) in &templates {
            out!("{:>10}{uses:>7}  {text}", "");
        }
    }
    Ok(())
}

pub fn test(args: &TestArgs) -> anyhow::Result<ExitCode> {
    let engine = InlineEngine::new(&EngineConfig::default())?;
    let mut failed = false;
    for path in &args.files {
        let outcome = File::open(path)
            .with_context(|| format!("cannot open {}", path.display()))
            .and_then(|f| Ok(engine.decompress_stream(BufReader::with_capacity(1 << 20, f), std::io::sink())?));
        match outcome {
            Ok(summary) => {
                if !args.quiet {
                    out!("{}: OK ({}, {} bytes)", path.display(), frames_text(summary.frames), summary.bytes);
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{}: FAILED: {e:#}", path.display());
            }
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `1 frame`, `2 frames`.
fn frames_text(count: impl Into<u64>) -> String {
    let count = count.into();
    format!("{count} frame{}", if count == 1 { "" } else { "s" })
}
