//! Any bytes through L6's match finder and back, with the search set by the first
//! bytes: depth, lazy steps, hashed bytes, window, when a match is long enough to
//! take, when it cuts the search or the lazy matching short, the tables' sizes, and
//! the parse (lazy, or optimal in one to three passes).
#![no_main]

use cobol_protocol::layers::l6_pattern::{compress, decompress, MatchParams};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((settings, input)) = data.split_first_chunk::<6>() else { return };
    let [depth, shape, window, good, cuts, tables] = *settings;
    let params = MatchParams {
        search_depth: u32::from(depth % 64) + 1,
        lazy: shape % 3,
        hash_len: 4 + (shape / 3) % 5,
        optimal_passes: (shape / 15) % 4,
        window_log: 10 + window % 15,
        good_len: 4 + u32::from(good),
        enough_len: 4 + u32::from(cuts & 0x0f) * 64,
        lazy_len: u32::from(cuts >> 4) * 64,
        hash_log: 8 + tables % 19,
        chain_log: 10 + (tables / 19) % 17,
        ..MatchParams::strong()
    };
    let group = compress(input, &params);
    let streams = [0, 1, 2, 3, 4, 5].map(|i| group[i].as_slice());
    assert_eq!(decompress(streams, input.len()).expect("our own group decodes"), input, "{params:?}");
});
