//! The layer decoders below the checksums: a payload of arbitrary streams, decoded
//! with every layer bit set, must fail cleanly. The frame CRCs would stop most of this
//! input before it reached the layers; this target goes around them.
#![no_main]

use cobolp_stages::block::{Block, Layer, LayerSet};
use cobolp_stages::l1_templates::TemplateLayer;
use cobolp_stages::l2_records::RecordLayer;
use cobolp_stages::l3_delta::DeltaLayer;
use cobolp_stages::l4_binary::BinaryLayer;
use cobolp_stages::l5_rle::RleLayer;
use cobolp_stages::l6_pattern::{MatchParams, PatternLayer};
use cobolp_stages::l7_entropy::EntropyLayer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let original_len = u16::from_le_bytes([data[0], data[1]]) as usize;
    let layers = LayerSet(data[2] & 0b0111_1111);
    let Ok(mut block) = Block::read_streams(&data[3..], original_len, layers) else { return };
    let records = RecordLayer::decoder();
    let templates = TemplateLayer::default();
    let decoders: [&dyn Layer; 7] = [
        &EntropyLayer,
        &PatternLayer { params: MatchParams::default() },
        &RleLayer,
        &BinaryLayer,
        &DeltaLayer,
        &templates,
        &records,
    ];
    for layer in decoders {
        if block.layers.contains(layer.id()) && layer.decode(&mut block).is_err() {
            return;
        }
    }
    let _ = block.into_single_bytes();
});
