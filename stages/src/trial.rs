//! What a block would come to after L5–L7: how layers before them decide whether
//! their transform pays, by trying it rather than guessing.

use crate::l5_rle::RleLayer;
use crate::l6_pattern::PatternLayer;
use crate::l7_entropy::EntropyLayer;
use crate::{Block, Layer, Result};

/// Bytes of `block`'s payload once L5, L6 (with `pattern`'s search) and L7 have run
/// on it, as the frame would hold them (each stream's kind and length included,
/// roughly).
pub fn size_after_legacy_layers(block: Block, pattern: &PatternLayer) -> Result<usize> {
    Ok(size(&after_legacy_layers(block, pattern)?))
}

/// `block` after L5, L6 (with `pattern`'s search) and L7, as the engine's stages would
/// leave it: a trial whose result a layer may keep.
pub fn after_legacy_layers(mut block: Block, pattern: &PatternLayer) -> Result<Block> {
    RleLayer.encode_in_turn(&mut block)?;
    pattern.encode_in_turn(&mut block)?;
    EntropyLayer.encode_in_turn(&mut block)?;
    Ok(block)
}

/// A block's payload bytes as [`size_after_legacy_layers`] counts them.
pub fn size(block: &Block) -> usize {
    block.stream_bytes() + 4 * block.streams.len()
}

/// Whether `candidate` (a block a layer made) comes out at least `percent` % smaller
/// than `original` (the block before it) after L5–L7; both are used up.
pub fn owned_pays_by(candidate: Block, original: Block, pattern: &PatternLayer, percent: usize) -> Result<bool> {
    let with = size_after_legacy_layers(candidate, pattern)?;
    let without = size_after_legacy_layers(original, pattern)?;
    Ok(with * 100 <= without * (100 - percent))
}
