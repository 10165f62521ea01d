//! Any bytes handed to the stream decoder: an error or the right bytes, never a panic.
//! The SHA-256 in each frame means "right bytes" needs no oracle here: a frame that
//! decodes passed its own check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cobol_protocol::decompress(data);
});
