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
