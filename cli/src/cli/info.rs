//! `cobolp info` and `cobolp test`: what a compressed file holds, and whether it is whole.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::process::ExitCode;

use anyhow::{bail, Context};
use cobol_protocol::stages::l2_records::{read_layout, RecordSpec};
use cobol_protocol::stages::l5_rle::RleLayer;
use cobol_protocol::stages::l6_pattern::PatternLayer;
use cobol_protocol::stages::l7_entropy::{self, EntropyLayer};
use cobol_protocol::stages::l8_seal::{
    self, read_seek_table, FrameHead, StreamCheck, HEAD_PREFIX_LEN, MAX_HEAD_LEN, SKIPPABLE_HEADER_LEN,
};
use cobol_protocol::stages::log_templates::{describe, Split, STREAM_NAMES};
use cobol_protocol::stages::{Block, Layer, LayerId, StreamKind};
use cobol_protocol::{EngineConfig, InlineEngine};

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
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut offset = 0u64;
    let mut frames = 0u64;
    let mut original = 0u64;
    let mut stored = 0u64;
    let mut layer_use: BTreeMap<u8, u64> = BTreeMap::new();
    let mut stream_bytes: BTreeMap<&'static str, u64> = BTreeMap::new();
    // Record layouts met (L2), in order, with how many frames used each.
    let mut layouts: Vec<(RecordSpec, u64)> = Vec::new();
    if !args.summary {
        out!("{:>6} {:>12} {:>10} {:>10} {:>8}  layers", "frame", "offset", "original", "frame", "ratio");
    }
    let mut check = StreamCheck::default();
    let mut head = [0u8; MAX_HEAD_LEN];
    loop {
        let at = |e| anyhow::anyhow!("{}: frame {frames} (at byte {offset}): {e}", path.display());
        let got = read_up_to(&mut reader, &mut head[..HEAD_PREFIX_LEN])?;
        if got == 0 {
            break;
        }
        let len = l8_seal::head_len(&head[..got]).map_err(at)?;
        let more = read_up_to(&mut reader, &mut head[got..len])?;
        let header = match l8_seal::parse_head(&head[..got + more]).map_err(at)? {
            FrameHead::Data(header) => header,
            FrameHead::Skippable(len) => {
                let mut content = Vec::new();
                (&mut reader).take(u64::from(len)).read_to_end(&mut content)?;
                match read_seek_table(&content) {
                    Ok(Some(entries)) => out!("{:>6} {offset:>12} seek table of {} frames", "-", entries.len()),
                    _ => out!("{:>6} {offset:>12} skippable frame of {len} bytes", "-"),
                }
                offset += (SKIPPABLE_HEADER_LEN + len as usize) as u64;
                continue;
            }
            FrameHead::End(end) => {
                check.end(&end).map_err(at)?;
                if !args.summary {
                    out!(
                        "{:>6} {offset:>12} end of stream: {} in {} bytes",
                        "-",
                        frames_text(end.frames),
                        end.original_len
                    );
                }
                offset += len as u64;
                continue;
            }
        };
        check.data(&header).map_err(at)?;
        let mut payload = vec![0u8; header.payload_len as usize];
        let got = read_up_to(&mut reader, &mut payload)?;
        if got < payload.len() {
            bail!(at(cobol_protocol::stages::Error::Truncated { what: "frame payload", needed: payload.len() - got }));
        }
        let block = l8_seal::open(&header, &payload).map_err(at)?;
        if header.is_stored() {
            stored += 1;
        } else {
            for s in &block.streams {
                *stream_bytes.entry(s.kind.name()).or_default() += s.data.len() as u64;
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
            if header.layers.contains(LayerId::Semantic) {
                print_split(block, args.templates)
                    .with_context(|| format!("{}: frame {frames} (at byte {offset})", path.display()))?;
            }
        }
        frames += 1;
        original += u64::from(header.original_len);
        offset += header.frame_len() as u64;
    }
    let ratio = if offset == 0 { 0.0 } else { original as f64 / offset as f64 };
    let summary = check.summary();
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
    Ok(())
}

/// The template split of a frame: undoes L7 to L5 and shows what L1 made.
fn print_split(mut block: Block, all: bool) -> anyhow::Result<()> {
    let below: [&dyn Layer; 3] = [&EntropyLayer, &PatternLayer::default(), &RleLayer];
    for layer in below {
        if block.layers.contains(layer.id()) {
            layer.decode(&mut block)?;
        }
    }
    let split = Split::from_block_streams(block.streams)?;
    let (lines, templates) = describe(&split)?;
    let sizes = STREAM_NAMES
        .iter()
        .zip(split.streams())
        .map(|(name, s)| format!("{name} {}", s.len()))
        .collect::<Vec<_>>()
        .join(", ");
    out!("{:>8}L1 split: {lines} lines, {} templates; bytes before L5: {sizes}", "", templates.len());
    if all {
        for (text, uses) in &templates {
            out!("{:>10}{uses:>7}  {text}", "");
        }
    }
    Ok(())
}

fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> anyhow::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = reader.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
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
