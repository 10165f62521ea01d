//! The test intentions of the original Python engine, as tests of this one.

mod common;

use cobol_protocol::layers::{varint, LayerId};
use cobol_protocol::{compress, decompress, CobolEngine, CompressionMode, DualModeEngine, EngineConfig};
use sha2::{Digest, Sha256};

#[test]
fn varint_round_trip() {
    let values = [0u64, 1, 127, 128, 255, 300, 16_383, 16_384, u32::MAX as u64, u64::MAX];
    let mut buf = Vec::new();
    for v in values {
        varint::put(&mut buf, v);
    }
    let mut pos = 0;
    for v in values {
        assert_eq!(varint::get(&buf, &mut pos).unwrap(), v);
    }
    assert_eq!(pos, buf.len());
}

#[test]
fn random_data_is_stored_with_no_layer_applied() {
    let engine = CobolEngine::new(&EngineConfig::default()).unwrap();
    let data = common::noise(1 << 20, 42);
    let (frame, meta) = engine.compress_block(&data).unwrap();
    assert!(meta.layers_applied.is_empty(), "applied {:?}", meta.layers_applied);
    assert!(meta.entropy > 7.99);
    assert!(meta.ratio >= 0.999, "ratio {}", meta.ratio);
    assert_eq!(engine.decompress_block(&frame).unwrap(), data);
}

#[test]
fn a_flipped_bit_is_detected() {
    let engine = CobolEngine::new(&EngineConfig::default()).unwrap();
    let data = common::log_lines(200, 1);
    let (frame, _) = engine.compress_block(&data).unwrap();
    for bit in [0, 100, frame.len() * 4, frame.len() * 8 - 1] {
        let mut bad = frame.to_vec();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(engine.decompress_block(&bad).is_err(), "bit {bit} flipped went unnoticed");
    }
}

#[test]
fn tiny_inputs_round_trip() {
    for len in 0..=3 {
        for byte in [0u8, b'a', 0xff] {
            let data = vec![byte; len];
            assert_eq!(decompress(&compress(&data).unwrap()).unwrap(), data, "len {len} byte {byte}");
        }
    }
}

#[test]
fn abc_repeated_compresses_at_least_100_times() {
    let data = b"ABC".repeat(10_000);
    let packed = compress(&data).unwrap();
    assert!(data.len() >= 100 * packed.len(), "{} -> {} bytes", data.len(), packed.len());
    assert_eq!(decompress(&packed).unwrap(), data);
}

#[test]
fn ten_megabytes_of_repeated_text_round_trip() {
    let line = b"The quick brown fox jumps over the lazy dog; COBOL records and logs all day.\n";
    let data: Vec<u8> = line.iter().copied().cycle().take(10_000_000).collect();
    let packed = compress(&data).unwrap();
    assert!(packed.len() < data.len() / 50);
    assert_eq!(decompress(&packed).unwrap(), data);
}

#[test]
fn metadata_sha256_is_the_inputs() {
    let engine = CobolEngine::new(&EngineConfig::default()).unwrap();
    let data = common::log_lines(500, 7);
    let (_, meta) = engine.compress_block(&data).unwrap();
    let expected: [u8; 32] = Sha256::digest(&data).into();
    assert_eq!(meta.sha256, expected);
    assert_eq!(meta.original_size, data.len());
    assert!(meta.layers_applied.contains(&LayerId::Pattern));
    assert!(!meta.layers_applied.contains(&LayerId::Seal));
    assert!((meta.ratio - data.len() as f64 / meta.compressed_size as f64).abs() < 1e-9);
}

#[test]
fn every_mode_round_trips_and_bridge_splits_logs() {
    let logs: Vec<u8> = (0..30_000)
        .flat_map(|i| {
            format!("2026-11-30 10:{:02}:{:02} GET /item/{} 200 {}\n", i / 60 % 60, i % 60, i % 97, i * 13 % 5000)
                .into_bytes()
        })
        .collect();
    for mode in [CompressionMode::Legacy, CompressionMode::Bridge, CompressionMode::Maximal] {
        let dual = DualModeEngine::new(mode).unwrap();
        assert_eq!(dual.decompress(&dual.compress(&logs).unwrap()).unwrap(), logs, "{mode}");
        let engine = CobolEngine::new(&EngineConfig::default().with_mode(mode)).unwrap();
        let (frame, meta) = engine.compress_block(&logs).unwrap();
        assert_eq!(engine.decompress_block(&frame).unwrap(), logs, "{mode}");
        let split = meta.layers_applied.iter().any(|l| l.number() == 1);
        assert_eq!(split, mode != CompressionMode::Legacy, "{mode}: {:?}", meta.layers_applied);
    }
}
