//! Any bytes through the whole engine in every mode: what comes back is the input.
//! The first byte picks the mode and the block size (the smallest allowed, or a
//! little more), so that inputs of a few KiB still make several frames. A second byte,
//! when not 0, makes the input records of that length (fields guessed per block),
//! doubted or not, starting after a lead taken from a third byte.
#![no_main]

use cobol_protocol::layers::l2_records::RecordConfig;
use cobol_protocol::{CompressionMode, EngineConfig, MIN_BLOCK_SIZE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, input)) = data.split_first() else { return };
    let Some((&records, input)) = input.split_first() else { return };
    let Some((&lead, input)) = input.split_first() else { return };
    let mode = match choice % 3 {
        0 => CompressionMode::Legacy,
        1 => CompressionMode::Bridge,
        _ => CompressionMode::Maximal,
    };
    let mut config = EngineConfig::default()
        .with_mode(mode)
        .with_block_size(MIN_BLOCK_SIZE + usize::from(choice / 3) * 512)
        .with_threads(1);
    if records & 0x7F != 0 {
        let mut layout = RecordConfig::record_length(usize::from(records & 0x7F));
        layout.doubted = records & 0x80 != 0;
        layout.lead = usize::from(lead);
        config.records = Some(layout);
    }
    let packed = cobol_protocol::compress_with(input, &config).expect("any bytes compress");
    assert_eq!(cobol_protocol::decompress(&packed).expect("our own output decodes"), input);
});
