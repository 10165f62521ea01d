//! Sealing a block into a data frame, and opening one again.

use sha2::{Digest, Sha256};

use super::header::{FrameHeader, FramePlace, FORMAT_VERSION, HEADER_LEN};
use crate::block::{Block, LayerId, LayerSet};
use crate::error::{Error, Result};

/// SHA-256 of a block's original bytes, as frames carry it.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn seal_only() -> LayerSet {
    let mut set = LayerSet::EMPTY;
    set.insert(LayerId::Seal);
    set
}

/// Appends one frame holding `input`, placed at `place`, to `out`: compressed as
/// `block` (the result of the layers applied to `input`) when that is smaller, stored
/// otherwise.
pub fn seal(input: &[u8], block: &Block, place: FramePlace, out: &mut Vec<u8>) -> Result<FrameHeader> {
    seal_frame(input, sha256(input), block, place, out)
}

/// As [`seal`], with the input's SHA-256 already computed.
pub fn seal_frame(
    input: &[u8],
    sha: [u8; 32],
    block: &Block,
    place: FramePlace,
    out: &mut Vec<u8>,
) -> Result<FrameHeader> {
    if block.original_len != input.len() {
        return Err(Error::Invalid("block does not describe this input".into()));
    }
    match seal_compressed(sha, block, place, out)? {
        Some(header) => Ok(header),
        None => seal_stored(input, sha, place, out),
    }
}

/// Appends `input`, whose SHA-256 is `sha`, to `out` as a stored frame.
pub fn seal_stored(input: &[u8], sha: [u8; 32], place: FramePlace, out: &mut Vec<u8>) -> Result<FrameHeader> {
    if input.len() > super::MAX_BLOCK_LEN {
        return Err(Error::Invalid(format!(
            "block of {} bytes exceeds the limit of {}",
            input.len(),
            super::MAX_BLOCK_LEN
        )));
    }
    Ok(write_frame(seal_only(), input.len(), sha, place, out, |out| out.extend_from_slice(input)))
}

/// Appends `block` (what the layers made of an input of `block.original_len` bytes
/// whose SHA-256 is `sha`) to `out` as one frame when that is smaller than the input;
/// `None`, with `out` as it was, when the input is to be stored instead (or no layer
/// ran, or the block has more streams than a decoder reads).
pub fn seal_compressed(
    sha: [u8; 32],
    block: &Block,
    place: FramePlace,
    out: &mut Vec<u8>,
) -> Result<Option<FrameHeader>> {
    if block.original_len > super::MAX_BLOCK_LEN {
        return Err(Error::Invalid(format!(
            "block of {} bytes exceeds the limit of {}",
            block.original_len,
            super::MAX_BLOCK_LEN
        )));
    }
    if block.layers.is_empty() || block.streams.len() > crate::block::MAX_STREAMS {
        return Ok(None);
    }
    let start = out.len();
    let mut layers = seal_only();
    layers.0 |= block.layers.0;
    let header = write_frame(layers, block.original_len, sha, place, out, |out| block.write_streams(out));
    if header.payload_len as usize >= block.original_len {
        out.truncate(start);
        return Ok(None);
    }
    Ok(Some(header))
}

/// Appends a frame header and the payload `payload` writes to `out`, and returns the header.
fn write_frame(
    layers: LayerSet,
    original_len: usize,
    sha: [u8; 32],
    place: FramePlace,
    out: &mut Vec<u8>,
    payload: impl FnOnce(&mut Vec<u8>),
) -> FrameHeader {
    let start = out.len();
    out.resize(start + HEADER_LEN, 0);
    payload(out);
    let payload = &out[start + HEADER_LEN..];
    let header = FrameHeader {
        version: FORMAT_VERSION,
        layers,
        original_len: original_len as u32,
        payload_len: payload.len() as u32,
        payload_crc: crc32fast::hash(payload),
        sha256: sha,
        place,
    };
    let mut head = Vec::with_capacity(HEADER_LEN);
    header.write(&mut head);
    out[start..start + HEADER_LEN].copy_from_slice(&head);
    header
}

/// Checks the payload against its header and turns it back into the block the last
/// layer produced. A stored frame opens as a block with no layer to undo.
pub fn open(header: &FrameHeader, payload: &[u8]) -> Result<Block> {
    if payload.len() != header.payload_len as usize {
        return Err(Error::Truncated {
            what: "frame payload",
            needed: (header.payload_len as usize).saturating_sub(payload.len()),
        });
    }
    if crc32fast::hash(payload) != header.payload_crc {
        return Err(Error::Checksum { what: "frame payload" });
    }
    let mut layers = header.layers;
    layers.0 &= !(1 << LayerId::Seal as u8);
    if layers.is_empty() {
        return Ok(Block::from_input(payload.to_vec()));
    }
    Block::read_streams(payload, header.original_len as usize, layers)
}

/// As [`open`], taking the payload: a stored frame's payload becomes the block
/// without a copy.
pub fn open_owned(header: &FrameHeader, payload: Vec<u8>) -> Result<Block> {
    let stored = header.layers == seal_only();
    if !stored {
        return open(header, &payload);
    }
    if payload.len() != header.payload_len as usize {
        return Err(Error::Truncated {
            what: "frame payload",
            needed: (header.payload_len as usize).saturating_sub(payload.len()),
        });
    }
    if crc32fast::hash(&payload) != header.payload_crc {
        return Err(Error::Checksum { what: "frame payload" });
    }
    Ok(Block::from_input(payload))
}

/// Checks decoded bytes against the header's length and SHA-256.
pub fn verify(header: &FrameHeader, decoded: &[u8]) -> Result<()> {
    if decoded.len() != header.original_len as usize {
        return Err(Error::corrupt(
            "frame",
            format!("decoded {} bytes, header says {}", decoded.len(), header.original_len),
        ));
    }
    if sha256(decoded) != header.sha256 {
        return Err(Error::Checksum { what: "block SHA-256" });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::{Stream, StreamKind};

    fn fake_compressed(input: &[u8]) -> Block {
        // A "layer" that keeps half the input: enough to test the container.
        let mut block = Block::from_input(input.to_vec());
        block.streams = vec![Stream::new(StreamKind::Bytes, input[..input.len() / 2].to_vec())];
        block.layers.insert(LayerId::Rle);
        block
    }

    #[test]
    fn stored_when_no_layer_applied() {
        let input = b"hello world".to_vec();
        let mut out = Vec::new();
        let header = seal(&input, &Block::from_input(input.clone()), FramePlace::default(), &mut out).unwrap();
        assert!(header.is_stored());
        assert_eq!(out.len(), HEADER_LEN + input.len());
        let parsed = FrameHeader::parse(&out).unwrap();
        let block = open(&parsed, &out[HEADER_LEN..]).unwrap();
        let bytes = block.into_single_bytes().unwrap();
        verify(&parsed, &bytes).unwrap();
        assert_eq!(bytes, input);
    }

    #[test]
    fn compressed_payload_kept_when_smaller() {
        let input = vec![b'x'; 1000];
        let mut out = Vec::new();
        let header = seal(&input, &fake_compressed(&input), FramePlace::default(), &mut out).unwrap();
        assert!(!header.is_stored());
        assert!(header.layers.contains(LayerId::Rle) && header.layers.contains(LayerId::Seal));
        let block = open(&FrameHeader::parse(&out).unwrap(), &out[HEADER_LEN..]).unwrap();
        assert_eq!(block.layers, LayerSet(1 << LayerId::Rle as u8));
    }

    #[test]
    fn payload_damage_is_caught() {
        let input = vec![b'x'; 1000];
        let mut out = Vec::new();
        seal(&input, &fake_compressed(&input), FramePlace::default(), &mut out).unwrap();
        let header = FrameHeader::parse(&out).unwrap();
        out[HEADER_LEN + 3] ^= 0x10;
        assert!(matches!(open(&header, &out[HEADER_LEN..]), Err(Error::Checksum { .. })));
        assert!(matches!(open(&header, &out[HEADER_LEN..out.len() - 1]), Err(Error::Truncated { .. })));
    }

    #[test]
    fn verify_catches_wrong_bytes() {
        let input = b"abc".to_vec();
        let mut out = Vec::new();
        let header = seal(&input, &Block::from_input(input.clone()), FramePlace::default(), &mut out).unwrap();
        assert!(verify(&header, b"abd").is_err());
        assert!(verify(&header, b"ab").is_err());
        verify(&header, b"abc").unwrap();
    }
}
