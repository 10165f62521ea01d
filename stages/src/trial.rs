//! What a block would come to after L5–L7: how layers before them decide whether
//! their transform pays, by trying it rather than guessing.

use crate::l5_rle::RleLayer;
use crate::l6_pattern::PatternLayer;
use crate::l7_entropy::EntropyLayer;
use crate::{Block, Layer, Result};

/// Bytes of `block`'s payload once L5, L6 (with `pattern`'s search) and L7 have run
/// on it, as the frame would hold them (each stream's kind and length included,
/// roughly).
pub fn size_after_legacy_layers(mut block: Block, pattern: &PatternLayer) -> Result<usize> {
    RleLayer.encode(&mut block)?;
    pattern.encode(&mut block)?;
    EntropyLayer.encode(&mut block)?;
    Ok(block.stream_bytes() + 4 * block.streams.len())
}

/// Whether `candidate` (a block a layer made) comes out at least `percent` % smaller
/// than `original` (the block before it) after L5–L7.
pub fn pays_by(candidate: &Block, original: &Block, pattern: &PatternLayer, percent: usize) -> Result<bool> {
    owned_pays_by(candidate.clone(), original.clone(), pattern, percent)
}

/// [`pays_by`] for blocks the caller no longer needs (no copies made).
pub fn owned_pays_by(candidate: Block, original: Block, pattern: &PatternLayer, percent: usize) -> Result<bool> {
    let with = size_after_legacy_layers(candidate, pattern)?;
    let without = size_after_legacy_layers(original, pattern)?;
    Ok(with * 100 <= without * (100 - percent))
}
