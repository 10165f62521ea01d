//! L2 records through the whole engine: fixed-width COBOL records compressed with a
//! copybook come back byte for byte, smaller than without it; a wrong copybook or
//! damaged records still come back exactly.

mod common;

use cobol_protocol::layers::cobol::{Charset, RecordLayout};
use cobol_protocol::layers::l2_records::RecordConfig;
use cobol_protocol::layers::l8_seal::{self, FrameRef};
use cobol_protocol::layers::LayerId;
use cobol_protocol::{EngineConfig, InlineEngine, Pipeline};

use common::{bank_records, BANK};

fn records_config() -> EngineConfig {
    EngineConfig::default().with_block_size(256 << 10).with_records(RecordLayout::from_copybook(BANK).unwrap(), None)
}

fn frames_layers(packed: &[u8]) -> Vec<u8> {
    let mut pos = 0;
    let mut layers = Vec::new();
    while let Some((frame, len)) = l8_seal::next_frame(&packed[pos..]).unwrap() {
        if let FrameRef::Data { header, .. } = frame {
            layers.push(header.layers.0);
        }
        pos += len;
    }
    layers
}

#[test]
fn copybook_records_round_trip_and_beat_plain_bytes() {
    let data = bank_records(20_000);
    let config = records_config();
    let with = InlineEngine::new(&config).unwrap().compress_to_vec(&data).unwrap();
    let plain_config = EngineConfig::default().with_block_size(256 << 10);
    let without = InlineEngine::new(&plain_config).unwrap().compress_to_vec(&data).unwrap();
    // Any decoder decodes: the layout travels in the frames.
    assert_eq!(cobol_protocol::decompress(&with).unwrap(), data);
    assert!(frames_layers(&with).iter().all(|l| l & 1 << LayerId::Structural as u8 != 0));
    assert!(with.len() * 5 < without.len() * 4, "{} with the copybook, {} without", with.len(), without.len());
}

#[test]
fn blocks_end_on_record_boundaries_and_the_pipeline_agrees() {
    let mut data = bank_records(5_000);
    data.extend_from_slice(b"partial record");
    let config = records_config().with_block_size(64 << 10);
    let inline = InlineEngine::new(&config).unwrap().compress_to_vec(&data).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut piped = Vec::new();
    runtime.block_on(Pipeline::new(config).unwrap().compress(&data[..], &mut piped)).unwrap();
    assert_eq!(inline, piped, "both executors cut and encode identically");
    let mut pos = 0;
    let mut lengths = Vec::new();
    while let Some((frame, len)) = l8_seal::next_frame(&inline[pos..]).unwrap() {
        if let FrameRef::Data { header, .. } = frame {
            lengths.push(header.original_len);
        }
        pos += len;
    }
    lengths.pop();
    assert!(lengths.len() > 2 && lengths.iter().all(|l| l % 69 == 0), "frames of {lengths:?} bytes");
    assert_eq!(cobol_protocol::decompress(&inline).unwrap(), data);
}

#[test]
fn a_wrong_copybook_still_round_trips() {
    let data = bank_records(3_000);
    for copybook in [
        "01 R. 05 A PIC S9(5) COMP-3. 05 B PIC X(20). 05 C PIC 9(9).",
        "01 R. 05 A PIC S9(4) COMP. 05 B PIC S9(7) SIGN LEADING SEPARATE. 05 C PIC S9(17) COMP-3.",
        "01 R. 05 A PIC 9(30). 05 B PIC 9(30). 05 C PIC S9(9) COMP-5.",
    ] {
        let layout = RecordLayout::from_copybook(copybook).unwrap();
        for charset in [None, Some(Charset::Ebcdic)] {
            let config = EngineConfig::default().with_block_size(64 << 10).with_records(layout.clone(), charset);
            let packed = InlineEngine::new(&config).unwrap().compress_to_vec(&data).unwrap();
            assert_eq!(cobol_protocol::decompress(&packed).unwrap(), data, "{copybook}");
        }
    }
}

#[test]
fn a_copybook_that_does_not_fit_gives_way_to_the_guessed_layout() {
    let data = bank_records(20_000);
    // 40-byte records of the wrong fields: no block pays with it.
    let wrong = RecordLayout::from_copybook("01 R. 05 A PIC S9(5) COMP-3. 05 B PIC X(28). 05 C PIC 9(9).").unwrap();
    let compress = |config: EngineConfig| {
        InlineEngine::new(&config.with_block_size(256 << 10)).unwrap().compress_to_vec(&data).unwrap()
    };
    let with_wrong = compress(EngineConfig::default().with_records(wrong, None));
    let guessed = compress(EngineConfig::default().with_record_length(69));
    let bytes = compress(EngineConfig::default());
    assert_eq!(cobol_protocol::decompress(&with_wrong).unwrap(), data);
    assert!(frames_layers(&with_wrong).iter().all(|l| l & 1 << LayerId::Structural as u8 != 0));
    // Blocks cut at multiples of 40 bytes start mid-record; the guess finds where
    // the first whole record starts (a lead), so that no record is cut in two. (Each
    // block still keeps a partial record at each end as bytes: 2% here, with blocks
    // of 256 KiB; before leads it was 10%.)
    assert!(
        with_wrong.len() * 100 <= guessed.len() * 103,
        "{} with the wrong copybook, {} guessed",
        with_wrong.len(),
        guessed.len()
    );
    assert!(
        with_wrong.len() * 5 < bytes.len() * 4,
        "{} with the wrong copybook, {} as bytes",
        with_wrong.len(),
        bytes.len()
    );
}

#[test]
fn a_doubted_layout_that_pays_still_gives_way_to_a_better_guess() {
    let data = bank_records(20_000);
    let compress = |config: EngineConfig| {
        InlineEngine::new(&config.with_block_size(256 << 10)).unwrap().compress_to_vec(&data).unwrap()
    };
    let guessed = compress(EngineConfig::default().with_record_length(69));
    // Records of twice the length pay against plain bytes, so they are kept...
    let twice = compress(EngineConfig::default().with_record_length(138));
    assert!(twice.len() * 100 > guessed.len() * 105, "{} as 138-byte records, {} as 69", twice.len(), guessed.len());
    // ...unless the layout is doubted (the command line doubts a length the data
    // does not show): then the guess wins where it comes out smaller.
    let mut config = EngineConfig::default().with_record_length(138);
    config.records = config.records.map(RecordConfig::doubted);
    let doubted = compress(config);
    assert_eq!(cobol_protocol::decompress(&doubted).unwrap(), data);
    assert!(doubted.len() * 100 <= guessed.len() * 101, "{} doubted, {} guessed", doubted.len(), guessed.len());
}

#[test]
fn records_after_a_header_are_read_from_where_they_start() {
    let records = bank_records(20_000);
    let compress = |config: EngineConfig, data: &[u8]| {
        InlineEngine::new(&config.with_block_size(256 << 10)).unwrap().compress_to_vec(data).unwrap()
    };
    let aligned = compress(EngineConfig::default().with_record_length(69), &records);
    assert_eq!(RecordConfig::record_length(69).find_lead(&records), 0, "records from byte 0 need no lead");
    // A header that cuts the account number, and one as long as it: the records seen
    // from byte 0 then keep their fields whole but part the account from its balance.
    for header in [&b"HDR01"[..], b"HEADER0001"] {
        let data = [header, &records].concat();
        let lead = RecordConfig::record_length(69).find_lead(&data[..1 << 20]);
        assert_ne!(lead, 0);
        let mut config = EngineConfig::default().with_record_length(69);
        let plain = compress(config.clone(), &data);
        config.records.as_mut().unwrap().lead = lead;
        let led = compress(config, &data);
        assert!(plain.len() * 100 > aligned.len() * 103, "{} after a header, {} without", plain.len(), aligned.len());
        assert_led_like_aligned(&led, &data, &aligned);
    }
}

/// `led` decodes to `data`, and is within 1% of `aligned` (the records without the
/// header).
fn assert_led_like_aligned(led: &[u8], data: &[u8], aligned: &[u8]) {
    assert_eq!(cobol_protocol::decompress(led).unwrap(), data);
    assert!(led.len() * 100 <= aligned.len() * 101, "{} with a lead, {} without the header", led.len(), aligned.len());
}

#[test]
fn a_copybook_finds_its_records_after_a_header() {
    let records = bank_records(5_000);
    let config = RecordConfig::new(RecordLayout::from_copybook(BANK).unwrap(), None);
    assert_eq!(config.find_lead(&records), 0);
    // After 5 bytes of header, and so 5 bytes into every block cut at a multiple of 69.
    let data = [&b"HDR01"[..], &records].concat();
    assert_eq!(config.find_lead(&data), 5);
    // What the CLI reads of a file's start is enough.
    assert_eq!(config.find_lead(&data[..config.lead_sample_len()]), 5);
    let compress = |lead: usize, data: &[u8]| {
        let mut config = EngineConfig::default().with_records(RecordLayout::from_copybook(BANK).unwrap(), None);
        config.records.as_mut().unwrap().lead = lead;
        InlineEngine::new(&config.with_block_size(256 << 10)).unwrap().compress_to_vec(data).unwrap()
    };
    assert_led_like_aligned(&compress(5, &data), &data, &compress(0, &records));
}

#[test]
fn damaged_fields_and_odd_lengths_round_trip() {
    let mut data = bank_records(2_000);
    // Bad sign nibbles, spaces in a zoned field, negative zero, a stray byte.
    data[18 + 5] = (data[18 + 5] & 0xF0) | 0x0A;
    data[69 * 3..69 * 3 + 10].copy_from_slice(b"     12345");
    data[69 * 7 + 24..69 * 7 + 31].copy_from_slice(&[0, 0, 0, 0, 0, 0, 0x0D]);
    data.push(0xFF);
    for len in [data.len(), data.len() - 1, 69 * 100 + 13] {
        let packed = InlineEngine::new(&records_config()).unwrap().compress_to_vec(&data[..len]).unwrap();
        assert_eq!(cobol_protocol::decompress(&packed).unwrap(), &data[..len]);
    }
}

#[test]
fn record_length_alone_round_trips() {
    let data = bank_records(3_000);
    let config = EngineConfig::default().with_block_size(64 << 10).with_record_length(69);
    let packed = InlineEngine::new(&config).unwrap().compress_to_vec(&data).unwrap();
    assert_eq!(cobol_protocol::decompress(&packed).unwrap(), data);
}

#[test]
fn the_corpus_file_round_trips_with_its_copybook() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/records");
    let (Ok(cpy), Ok(dat)) =
        (std::fs::read_to_string(dir.join("bank_txn.cpy")), std::fs::read(dir.join("bank_txn.dat")))
    else {
        eprintln!("skipped: {} is not here", dir.display());
        return;
    };
    // A slice keeps the debug-build test quick; it starts and ends mid-record.
    let data = &dat[1000..1000 + (3 << 20)];
    let config = EngineConfig::default().with_records(RecordLayout::from_copybook(&cpy).unwrap(), None);
    let packed = InlineEngine::new(&config).unwrap().compress_to_vec(data).unwrap();
    assert_eq!(cobol_protocol::decompress(&packed).unwrap(), data);
    let aligned = &dat[..3 << 20];
    let packed_aligned = InlineEngine::new(&config).unwrap().compress_to_vec(aligned).unwrap();
    assert_eq!(cobol_protocol::decompress(&packed_aligned).unwrap(), aligned);
    let plain = cobol_protocol::compress(aligned).unwrap();
    assert!(packed_aligned.len() < plain.len(), "{} with the copybook, {} without", packed_aligned.len(), plain.len());
}

#[test]
fn ebcdic_records_are_detected_and_compress_as_well() {
    use cobol_protocol::layers::cobol::ebcdic::LATIN1_TO_EBCDIC;
    let ascii = bank_records(20_000);
    // The same records as a mainframe writes them: text and zoned digits in code
    // page 037 (unsigned zoned digits 0xF0-0xF9), packed fields unchanged.
    let mut ebcdic = ascii.clone();
    for rec in ebcdic.chunks_exact_mut(69) {
        for i in (0..18).chain(31..65) {
            rec[i] = LATIN1_TO_EBCDIC[usize::from(rec[i])];
        }
    }
    let size = |data: &[u8], charset| {
        let config = EngineConfig::default()
            .with_block_size(256 << 10)
            .with_records(RecordLayout::from_copybook(BANK).unwrap(), charset);
        let packed = InlineEngine::new(&config).unwrap().compress_to_vec(data).unwrap();
        assert_eq!(cobol_protocol::decompress(&packed).unwrap(), data);
        packed.len()
    };
    let (a, e) = (size(&ascii, None), size(&ebcdic, None));
    assert!(e < a + a / 20, "EBCDIC {e} bytes, ASCII {a}");
    // Told the wrong charset, the zoned fields are exceptions: still exact.
    size(&ebcdic, Some(Charset::Ascii));
}
