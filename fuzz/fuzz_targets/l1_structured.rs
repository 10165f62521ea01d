//! L1's structured cuts on any bytes: lines made to start as JSON, blocks made to
//! look like CSV records or `Key: value` stanzas (so that the split reads them as
//! such), whatever follows; the split always joins back to the same bytes.
#![no_main]

use cobolp_stages::l1_templates::{join, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&shape, rest)) = data.split_first() else { return };
    let mut block = Vec::with_capacity(rest.len() * 2);
    match shape % 4 {
        // Every line a JSON line.
        0 => {
            for line in rest.split(|&b| b == b'\n') {
                block.push(b'{');
                block.extend_from_slice(line);
                block.push(b'\n');
            }
        }
        // Records: a run of lines that agree on a separator, then the bytes.
        1 | 2 => {
            let separator = [b',', b'\t', b';', b'|'][usize::from(shape >> 2) % 4];
            for i in 0..40u8 {
                block.extend_from_slice(&[b'a' + i % 26, separator, b'"', b'x', b'"', separator, b'1']);
                block.push(b'\n');
            }
            block.extend_from_slice(rest);
        }
        // Stanzas: key lines and a continuation, then the bytes.
        _ => {
            block.extend_from_slice(b"Package: a\nVersion: 1.0\nDescription: x y\n more\n\n".repeat(6).as_slice());
            block.extend_from_slice(rest);
        }
    }
    let s = split(&block);
    assert_eq!(join(&s, block.len()).expect("a split joins"), block);
});
