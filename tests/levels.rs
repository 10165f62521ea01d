//! Levels: every level of every mode round-trips through a decoder that knows no
//! level, the default level is level 3, and higher levels search harder.

mod common;

use cobol_protocol::{compress_with, decompress, CompressionMode, EngineConfig, Level};

#[test]
fn every_level_of_every_mode_round_trips_and_3_is_the_default() {
    let mut data = common::log_lines(3000, 8);
    data.extend_from_slice(&common::noise(20_000, 8));
    for mode in [CompressionMode::Legacy, CompressionMode::Bridge, CompressionMode::Maximal] {
        let base = EngineConfig::default().with_mode(mode).with_block_size(64 << 10);
        let mut sizes = Vec::new();
        for n in 1..=9 {
            let packed = compress_with(&data, &base.clone().with_level(Level::new(n).unwrap())).unwrap();
            assert_eq!(decompress(&packed).unwrap(), data, "{mode} level {n}");
            sizes.push(packed.len());
        }
        assert_eq!(compress_with(&data, &base).unwrap().len(), sizes[2], "{mode}: the default is level 3");
        assert!(sizes[8] < sizes[0], "{mode}: level 9 smaller than level 1: {sizes:?}");
    }
}

/// Bridge codes a block it does not split (here bytes that are not text) exactly as
/// Legacy does at the same level: one search for general data in both modes.
#[test]
fn bridge_is_legacy_byte_for_byte_on_what_is_not_text() {
    let pieces: Vec<Vec<u8>> = (0..5).map(|seed| common::noise(3_000, 100 + seed)).collect();
    let mut data = Vec::new();
    for i in 0..60u64 {
        data.extend_from_slice(&pieces[(i % 5) as usize]);
        data.extend_from_slice(&common::noise(200, i));
        data.resize(data.len() + 64, 0);
    }
    for n in 1..=9 {
        let level = Level::new(n).unwrap();
        let config = |mode| EngineConfig::default().with_mode(mode).with_level(level).with_block_size(64 << 10);
        let legacy = compress_with(&data, &config(CompressionMode::Legacy)).unwrap();
        let bridge = compress_with(&data, &config(CompressionMode::Bridge)).unwrap();
        assert!(bridge == legacy, "level {n}: Bridge {} bytes, Legacy {}", bridge.len(), legacy.len());
        assert_eq!(decompress(&bridge).unwrap(), data);
    }
}
