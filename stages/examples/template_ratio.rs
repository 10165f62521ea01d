//! What the log-template split (L1) gains on each block, whether or not Bridge would
//! take it: each file is cut into 1 MiB blocks at line ends, and each block goes
//! through L5-L7 as bytes (what Legacy does) and as the split's six streams, as the
//! layer's own trial does. Prints both sizes and the bytes of each stream, and checks
//! the round trip.
//!
//! `cargo run --release -p cobolp-stages --example template_ratio -- FILES...`

use cobolp_stages::l1_templates::{join, split, STREAMS, STREAM_NAMES};
use cobolp_stages::l6_pattern::PatternLayer;
use cobolp_stages::trial::size_after_legacy_layers;
use cobolp_stages::{Block, Stream, StreamKind};

fn l5_l7(streams: Vec<Vec<u8>>, original_len: usize) -> usize {
    let block = Block {
        original_len,
        layers: Default::default(),
        streams: streams.into_iter().map(|s| Stream::new(StreamKind::Bytes, s)).collect(),
    };
    size_after_legacy_layers(block, &PatternLayer::default()).unwrap()
}

fn main() {
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>7} | bytes per stream after the split (before L5-L7)",
        "file", "bytes", "legacy", "templates", "gain"
    );
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).unwrap();
        let (mut legacy, mut templ) = (0, 0);
        let mut per_stream = [0usize; STREAMS];
        let mut rest = &data[..];
        while !rest.is_empty() {
            let mut end = rest.len().min(1 << 20);
            if end < rest.len() {
                end = rest[..end].iter().rposition(|&b| b == b'\n').map_or(end, |p| p + 1);
            }
            let block = &rest[..end];
            rest = &rest[end..];
            legacy += l5_l7(vec![block.to_vec()], block.len());
            let s = split(block);
            assert_eq!(join(&s, block.len()).unwrap(), block, "{path}: round trip");
            for (total, stream) in per_stream.iter_mut().zip(s.streams()) {
                *total += stream.len();
            }
            templ += l5_l7(s.streams().iter().map(|s| s.to_vec()).collect(), block.len());
        }
        let name = std::path::Path::new(&path).file_name().unwrap().to_string_lossy().to_string();
        let streams: Vec<String> =
            STREAM_NAMES.iter().zip(per_stream).map(|(name, bytes)| format!("{name} {bytes}")).collect();
        println!(
            "{name:<22} {:>10} {:>10} {:>10} {:>6.2}x | {}",
            data.len(),
            legacy,
            templ,
            legacy as f64 / templ as f64,
            streams.join(" ")
        );
    }
}
