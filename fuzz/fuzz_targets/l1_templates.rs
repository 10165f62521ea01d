//! L1 log templates on any bytes: the split joins back to the same bytes, and a split
//! whose streams are cut or damaged is an error or some bytes, never a panic.
#![no_main]

use cobolp_stages::l1_templates::{
    join, split, Split, SPLIT_VERSION, SPLIT_VERSION_3, SPLIT_VERSION_4, SPLIT_VERSION_5,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = split(data);
    assert_eq!(join(&s, data.len()).expect("a split joins"), data);
    // The same bytes read as the split's streams: the first byte says where each ends.
    // The templates stream gets a version byte, or nearly every case would stop there:
    // the newest (packed hex runs, a marker at least), 5 (time relations first in
    // `times`), 4 (none) or 3 (words with lengths), by the cut.
    let Some((&cut, rest)) = data.split_first() else { return };
    let mut parts = rest.chunks(usize::from(cut).max(1));
    let mut garbage =
        Split::from_streams(std::array::from_fn(|_| parts.next().map(<[u8]>::to_vec).unwrap_or_default()));
    let version = [SPLIT_VERSION, SPLIT_VERSION_5, SPLIT_VERSION_4, SPLIT_VERSION_3][usize::from(cut % 4)];
    garbage.templates.insert(0, version);
    if version == SPLIT_VERSION && garbage.hex_runs.is_empty() {
        garbage.hex_runs.push(cut);
    }
    let _ = join(&garbage, rest.len());
});
