//! Whole frames lost, repeated, swapped or cut off, and streams concatenated, as the
//! input chooses: a valid stream of many frames is built from the input's own bytes,
//! damaged at frame boundaries by a list of operations read from the input, and then
//! decoded by the slice decoder and the std reader. An intact result must be exactly
//! the data the frames hold in order; any change to the frame sequence must be an
//! error, never other bytes.
#![no_main]

use std::io::Read;

use cobol_protocol::layers::l8_seal::next_frame;
use cobol_protocol::{compress_with, decompress, sync, CompressionMode, EngineConfig};
use libfuzzer_sys::fuzz_target;

fn frames(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((_, len)) = next_frame(&stream[pos..]).expect("an encoder's stream") {
        out.push(&stream[pos..pos + len]);
        pos += len;
    }
    out
}

fuzz_target!(|input: &[u8]| {
    let Some((&ops_len, rest)) = input.split_first() else { return };
    let (ops, data) = rest.split_at((ops_len as usize % 16).min(rest.len()));
    // Many small frames: 64 KiB blocks over up to a few hundred KiB of repeated input.
    let mut text = Vec::new();
    while text.len() < 200_000 && !data.is_empty() {
        text.extend_from_slice(data);
        text.push(b'\n');
    }
    let config = EngineConfig::default().with_block_size(64 << 10).with_mode(CompressionMode::Legacy);
    let stream = compress_with(&text, &config).expect("compresses");
    let original = frames(&stream);
    let mut damaged = original.clone();
    for op in ops.chunks(2) {
        let (kind, at) = (op[0] % 5, usize::from(*op.get(1).unwrap_or(&0)));
        if damaged.is_empty() {
            break;
        }
        let i = at % damaged.len();
        let next = (i + 1) % damaged.len();
        match kind {
            0 => drop(damaged.remove(i)),
            1 => damaged.insert(i, damaged[next]),
            2 => damaged.swap(i, next),
            3 => damaged.truncate(i),
            _ => damaged.extend(original.iter().copied()),
        }
    }
    let bytes = damaged.concat();
    let mut expected = text.clone();
    let intact = damaged.len() % original.len() == 0
        && damaged.chunks(original.len()).all(|c| c == original.as_slice())
        && !damaged.is_empty();
    if intact {
        expected = text.repeat(damaged.len() / original.len());
    }
    match decompress(&bytes) {
        Ok(out) => assert!(intact && out == expected, "a damaged stream decoded"),
        Err(_) => assert!(!intact, "an intact stream failed"),
    }
    let mut from_reader = Vec::new();
    let read = sync::Decoder::new(bytes.as_slice()).read_to_end(&mut from_reader);
    assert_eq!(read.is_ok(), intact);
    if intact {
        assert!(from_reader == expected);
    }
});
