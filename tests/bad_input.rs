//! Malformed, truncated, bit-flipped and hostile streams: always an error naming the
//! frame, never a panic, never wrong bytes.

mod common;

use cobol_protocol::layers::l8_seal::{FrameHeader, FramePlace, StreamTally, FORMAT_VERSION, HEADER_LEN};
use cobol_protocol::layers::{LayerId, LayerSet};
use cobol_protocol::{EngineConfig, EngineError, InlineEngine};

fn engine() -> InlineEngine {
    InlineEngine::new(&EngineConfig::default().with_block_size(64 << 10)).unwrap()
}

/// Two frames of compressible text and a stored frame of noise.
fn sample() -> (Vec<u8>, Vec<u8>, Vec<usize>) {
    let mut data = common::log_lines(1500, 3);
    data.truncate(100_000);
    data.extend_from_slice(&common::noise(3000, 9));
    let e = engine();
    let mut packed = Vec::new();
    let mut boundaries = vec![0];
    let mut pos = 0;
    let mut tally = StreamTally::default();
    for (i, chunk) in [&data[..70_000], &data[70_000..100_000], &data[100_000..]].into_iter().enumerate() {
        let frame = e.compress_frame(i as u64, pos as u64, chunk).unwrap();
        tally.add(&frame.header);
        packed.extend_from_slice(&frame.bytes);
        boundaries.push(packed.len());
        pos += chunk.len();
    }
    tally.end_frame().write(&mut packed);
    (data, packed, boundaries)
}

#[test]
fn every_flipped_byte_fails_or_decodes_exactly() {
    let (data, packed, _) = sample();
    let e = engine();
    assert_eq!(e.decompress_to_vec(&packed).unwrap(), data);
    for i in 0..packed.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = packed.clone();
            bad[i] ^= flip;
            if let Ok(out) = e.decompress_to_vec(&bad) {
                assert_eq!(out, data, "byte {i} ^ {flip:#x} decoded to wrong bytes");
            }
        }
    }
}

/// Cut anywhere, the stream is an error: inside a frame it names that frame; at a
/// frame boundary (or before the end frame) the stream is unfinished, an
/// `UnexpectedEof` naming the frame that did not come.
#[test]
fn every_truncation_fails() {
    let (_, packed, boundaries) = sample();
    let e = engine();
    for len in 0..packed.len() {
        match e.decompress_to_vec(&packed[..len]) {
            Ok(_) => panic!("truncated at {len} of {} decoded without error", packed.len()),
            Err(EngineError::Frame { index, source, .. }) => {
                let frame = boundaries.iter().rposition(|&b| b <= len).unwrap() as u64;
                assert_eq!(index, frame, "error at length {len} names the wrong frame");
                let at_boundary = boundaries.contains(&len);
                assert_eq!(
                    matches!(source, cobol_protocol::layers::Error::Unfinished { .. }),
                    at_boundary,
                    "cut at {len}: {source}"
                );
            }
            Err(other) => panic!("unexpected error kind: {other}"),
        }
    }
}

fn header_with(original_len: u32, payload_len: u32, payload: &[u8]) -> Vec<u8> {
    let mut layers = LayerSet::EMPTY;
    layers.insert(LayerId::Pattern);
    layers.insert(LayerId::Seal);
    let header = FrameHeader {
        version: FORMAT_VERSION,
        layers,
        original_len,
        payload_len,
        payload_crc: crc32fast::hash(payload),
        sha256: [0; 32],
        place: FramePlace::default(),
    };
    let mut out = Vec::new();
    header.write(&mut out);
    out.extend_from_slice(payload);
    out
}

#[test]
fn a_header_claiming_a_huge_block_is_rejected_before_allocating() {
    let bad = header_with(u32::MAX, 10, &[0; 10]);
    let err = engine().decompress_to_vec(&bad).unwrap_err().to_string();
    assert!(err.contains("frame 0") && err.contains("exceeds the limit"), "{err}");
}

#[test]
fn a_stream_claiming_a_terabyte_is_rejected() {
    // One stream whose length varint says 1 TiB, inside a well-formed frame.
    let mut payload = vec![1u8, 0];
    cobol_protocol::layers::varint::put(&mut payload, 1 << 40);
    let bad = header_with(1000, payload.len() as u32, &payload);
    let err = engine().decompress_to_vec(&bad).unwrap_err();
    assert!(matches!(err, EngineError::Frame { index: 0, .. }), "{err}");
}

#[test]
fn garbage_and_wrong_magic_are_errors() {
    let e = engine();
    for bad in [&b"not a compressed stream at all"[..], &[0x89, b'C', b'P'], &[0u8; HEADER_LEN + 10]] {
        assert!(e.decompress_to_vec(bad).is_err());
    }
}

#[test]
fn random_bytes_never_panic() {
    let e = engine();
    for seed in 0..300 {
        let mut bytes = common::noise(200 + seed as usize, seed);
        if seed % 2 == 0 {
            bytes[..4].copy_from_slice(&[0x89, b'C', b'P', b'Z']);
        }
        let _ = e.decompress_to_vec(&bytes);
    }
}
