//! Any bytes through L7 and back, then the coded stream damaged where and how the
//! first bytes say: our own stream decodes to the input; a damaged one to an error,
//! or to as many bytes as its header states, never to a panic. Text-like input takes
//! method 4 (a code for each class of the byte before), the rest methods 0 to 3.
#![no_main]

use cobol_protocol::layers::l7_entropy::{decode_stream, encode_stream};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((damage, input)) = data.split_first_chunk::<3>() else { return };
    let mut coded = Vec::new();
    encode_stream(input, &mut coded);
    assert_eq!(decode_stream(&coded, input.len()).expect("our own stream decodes"), input);
    let at = usize::from(u16::from_le_bytes([damage[0], damage[1]])) % coded.len();
    coded[at] ^= damage[2].max(1);
    if let Ok(out) = decode_stream(&coded, 1 << 20) {
        let mut pos = 1;
        let stated = cobol_protocol::layers::varint::get(&coded, &mut pos).expect("a length it decoded to");
        assert_eq!(out.len() as u64, stated);
    }
});
