//! Where Bridge's L1 time goes, per log file: the text check, the template split,
//! the split's trial through L5-L7 (with the mode's search when the split is small,
//! as the layer runs it, else the fast one), the block's fast trial, the whole layer
//! as the default level runs it (split, the split's trial, the sample of the block or,
//! where the sample does not settle it, the block's trial, and L5-L7 when the layer
//! keeps its trial's result), and the join
//! that undoes the split, each as a share of zstd -3's compression time on the same
//! block in the same run (these machines are shared and noisy, so the ratio is the
//! steadier figure).
//!
//! And `walk`: what a split that matches each line against a template it already
//! knows would pay on a hit (this crate has no such split yet; docs/ARCHITECTURE.md,
//! "Where Bridge's time goes"): every line walked along the template today's split
//! gave it, its static text compared and its numbers, words and timestamps taken out.
//! `misses` counts the lines such a walk does not reproduce.
//!
//! And `index`: the same lines, each finding its template among all of the block's
//! in one walk of a trie of them (`split/template_index.rs`), not told which it is;
//! `own` lines find the template the split gave them, `other` lines another that
//! also rebuilds them, `none` lines none (docs/ARCHITECTURE.md, "A template index").
//!
//! `cargo bench --bench split [-- FILE_OR_DIR ...]` (default: `samples/`); blocks of
//! 2 MiB, Bridge's default on the command line.

mod common;
#[path = "split/template_index.rs"]
mod template_index;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cobol_protocol::layers::l1_templates::layer::{looks_like_text, SMALL_SPLIT};
use cobol_protocol::layers::l1_templates::{join, split, templates, timestamps, TemplateItem, TemplateLayer};
use cobol_protocol::layers::l6_pattern::{MatchParams, PatternLayer};
use cobol_protocol::layers::trial::size_after_legacy_layers;
use cobol_protocol::layers::{Block, Layer, LayerSet};
use cobol_protocol::{CompressionMode, Level};
use template_index::TemplateIndex;

const BLOCK: usize = 2 << 20;

/// Runs `f` until at least 0.3 s have passed, and returns the fastest run.
fn fastest<T>(mut f: impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    let mut best = Duration::MAX;
    while start.elapsed() < Duration::from_millis(300) {
        let t = Instant::now();
        black_box(f());
        best = best.min(t.elapsed());
    }
    best
}

/// Takes the values out of `line` along `items`: a checksum of them, or `None` where
/// the line does not follow the template. A word runs to the next static text.
fn walk(line: &[u8], items: &[TemplateItem<'_>]) -> Option<u64> {
    let (mut pos, mut sum) = (0, 0u64);
    for (i, item) in items.iter().enumerate() {
        match *item {
            TemplateItem::Text(text) => {
                if line.get(pos..pos + text.len())? != text {
                    return None;
                }
                pos += text.len();
            }
            TemplateItem::Number => {
                let digits = line[pos..].iter().take(19).take_while(|b| b.is_ascii_digit()).count();
                if digits == 0 {
                    return None;
                }
                let value = line[pos..pos + digits].iter().fold(0u64, |v, &d| v * 10 + u64::from(d - b'0'));
                sum = sum.wrapping_add(value);
                pos += digits;
            }
            TemplateItem::Word => {
                let end = match items.get(i + 1) {
                    Some(TemplateItem::Text(next)) => {
                        let mut from = pos + 1;
                        loop {
                            let at = from + line.get(from..)?.iter().position(|&b| b == next[0])?;
                            if line[at..].starts_with(next) {
                                break at;
                            }
                            from = at + 1;
                        }
                    }
                    None => line.len(),
                    Some(_) => {
                        pos + line[pos..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b >= 0x80).count()
                    }
                };
                sum = sum.wrapping_add((end - pos) as u64);
                pos = end;
            }
            TemplateItem::Time(form) => {
                let time = timestamps::at_format(line, pos, form)?;
                sum = sum.wrapping_add(time.value as u64);
                pos += time.len;
            }
        }
    }
    (pos == line.len()).then_some(sum)
}

fn files(args: &[String]) -> Vec<PathBuf> {
    let roots: Vec<PathBuf> = if args.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")]
    } else {
        args.iter().map(|a| common::argument_path(a)).collect()
    };
    let mut out = Vec::new();
    for root in roots {
        if root.is_dir() {
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(&root).expect("a folder").map(|e| e.expect("an entry").path()).collect();
            entries.sort();
            out.extend(entries.into_iter().filter(|p| p.is_file()));
        } else {
            out.push(root);
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let fast = PatternLayer { params: MatchParams::fast() };
    println!(
        "{:<24} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6} {:>6} {:>11}   (each as time / zstd -3's compression time)",
        "file", "MiB", "text?", "split", "trial+", "trial-", "L1", "join", "walk", "misses", "index", "own", "other", "none", "zstd-3 MB/s"
    );
    let level = Level::DEFAULT;
    let default_layer = TemplateLayer {
        pattern: PatternLayer { params: level.split_match_params(CompressionMode::Bridge) },
        decision: level.split_decision(),
    };
    for path in files(&args) {
        let data = std::fs::read(&path).expect("a readable file");
        let block = &data[..data.len().min(BLOCK)];
        let name = Path::new(&path).file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let zstd = fastest(|| zstd::bulk::compress(block, 3).expect("zstd"));
        let text = fastest(|| looks_like_text(block));
        let parts = split(block);
        let split_time = fastest(|| split(block));
        let candidate =
            Block { original_len: block.len(), layers: LayerSet::EMPTY, streams: parts.clone().into_block_streams() };
        let split_search = if parts.len() * SMALL_SPLIT <= block.len() { default_layer.pattern } else { fast };
        let with = fastest(|| size_after_legacy_layers(candidate.clone(), &split_search).expect("trial"));
        let without = fastest(|| size_after_legacy_layers(Block::from_input(block.to_vec()), &fast).expect("trial"));
        let layer = fastest(|| {
            let mut whole = Block::from_input(block.to_vec());
            default_layer.encode(&mut whole).expect("L1");
            whole
        });
        let join_time = fastest(|| join(&parts, block.len()).expect("join"));
        let known = templates(&parts).expect("the split's templates");
        let mut ids = Vec::new();
        let mut pos = 0;
        while pos < parts.ids.len() {
            ids.push(cobol_protocol::layers::varint::get(&parts.ids, &mut pos).expect("an id") as usize);
        }
        let body = block.strip_suffix(b"\n").unwrap_or(block);
        let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        let misses = lines.iter().zip(&ids).filter(|(line, &id)| walk(line, &known[id]).is_none()).count();
        let walk_time = fastest(|| {
            lines.iter().zip(&ids).fold(0u64, |sum, (line, &id)| sum.wrapping_add(walk(line, &known[id]).unwrap_or(1)))
        });
        let index = TemplateIndex::new(&known);
        let (mut own, mut other, mut none) = (0, 0, 0);
        for (line, &id) in lines.iter().zip(&ids) {
            match index.find(line) {
                Some((found, _)) if found == id => own += 1,
                Some(_) => other += 1,
                None => none += 1,
            }
        }
        let index_time = fastest(|| {
            lines.iter().fold(0u64, |sum, line| sum.wrapping_add(index.find(line).map_or(1, |(id, s)| s ^ id as u64)))
        });
        let share = |d: Duration| d.as_secs_f64() / zstd.as_secs_f64();
        println!(
            "{:<24} {:>9.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8} {:>8.2} {:>6} {:>6} {:>6} {:>11.0}",
            name,
            block.len() as f64 / (1 << 20) as f64,
            share(text),
            share(split_time),
            share(with),
            share(without),
            share(layer),
            share(join_time),
            share(walk_time),
            misses,
            share(index_time),
            own,
            other,
            none,
            block.len() as f64 / zstd.as_secs_f64() / 1e6
        );
    }
}
