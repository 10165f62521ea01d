//! Where Bridge's L1 time goes, per log file: the text check, the template split,
//! the split's trial through L5-L7 (with the mode's search when the split is small,
//! as the layer runs it, else the fast one), the block's fast trial, the whole layer
//! (split, trials, and L5-L7 when the layer keeps its trial's result), and the join
//! that undoes the split, each as a share of zstd -3's compression time on the same
//! block in the same run (these machines are shared and noisy, so the ratio is the
//! steadier figure).
//!
//! `cargo bench --bench split [-- FILE_OR_DIR ...]` (default: `samples/`); blocks of
//! 2 MiB, Bridge's default on the command line.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cobol_protocol::layers::l1_templates::layer::{looks_like_text, SMALL_SPLIT};
use cobol_protocol::layers::l1_templates::{join, split, TemplateLayer};
use cobol_protocol::layers::l6_pattern::{MatchParams, PatternLayer};
use cobol_protocol::layers::trial::size_after_legacy_layers;
use cobol_protocol::layers::{Block, Layer, LayerSet, Stream, StreamKind};

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

fn files(args: &[String]) -> Vec<PathBuf> {
    let roots: Vec<PathBuf> = if args.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")]
    } else {
        args.iter().map(PathBuf::from).collect()
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
        "{:<24} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}   (each as time / zstd -3's compression time)",
        "file", "MiB", "text?", "split", "trial+", "trial-", "L1", "join", "zstd-3 MB/s"
    );
    for path in files(&args) {
        let data = std::fs::read(&path).expect("a readable file");
        let block = &data[..data.len().min(BLOCK)];
        let name = Path::new(&path).file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let zstd = fastest(|| zstd::bulk::compress(block, 3).expect("zstd"));
        let text = fastest(|| looks_like_text(block));
        let parts = split(block);
        let split_time = fastest(|| split(block));
        let candidate = Block {
            original_len: block.len(),
            layers: LayerSet::EMPTY,
            streams: parts.clone().into_streams().into_iter().map(|d| Stream::new(StreamKind::Bytes, d)).collect(),
        };
        let split_search = if parts.len() * SMALL_SPLIT <= block.len() { PatternLayer::default() } else { fast };
        let with = fastest(|| size_after_legacy_layers(candidate.clone(), &split_search).expect("trial"));
        let without = fastest(|| size_after_legacy_layers(Block::from_input(block.to_vec()), &fast).expect("trial"));
        let layer = fastest(|| {
            let mut whole = Block::from_input(block.to_vec());
            TemplateLayer::default().encode(&mut whole).expect("L1");
            whole
        });
        let join_time = fastest(|| join(&parts, block.len()).expect("join"));
        let share = |d: Duration| d.as_secs_f64() / zstd.as_secs_f64();
        println!(
            "{:<24} {:>9.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.0}",
            name,
            block.len() as f64 / (1 << 20) as f64,
            share(text),
            share(split_time),
            share(with),
            share(without),
            share(layer),
            share(join_time),
            block.len() as f64 / zstd.as_secs_f64() / 1e6
        );
    }
}
