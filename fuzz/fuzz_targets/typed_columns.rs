//! L3 and L4 on their own. Columns made from the input (any roles, lengths, values)
//! code and decode back to themselves through both layers; and the input taken as
//! the layers' own streams (`delta-methods` and `int-sequences`, `binary-layout` and
//! planes) decodes or fails with an error, never a panic or an allocation past the
//! block's caps.
#![no_main]

use cobolp_stages::block::{Block, Layer, LayerId, Stream, StreamKind};
use cobolp_stages::l3_delta::DeltaLayer;
use cobolp_stages::l4_binary::BinaryLayer;
use cobolp_stages::typed_columns::{ColumnRole, IntColumn, IntColumns};
use libfuzzer_sys::fuzz_target;

/// Columns read from `input`: a header byte per column (role, length), then values
/// of 1, 2, 8 or 16 bytes each as the header says.
fn columns(input: &[u8]) -> IntColumns {
    let mut columns = Vec::new();
    let mut rest = input;
    while let Some((&head, tail)) = rest.split_first() {
        let role = if head & 0x80 != 0 { ColumnRole::Index } else { ColumnRole::Number };
        let width = [1usize, 2, 8, 16][usize::from(head >> 5 & 3)];
        let len = usize::from(head & 0x1f);
        let take = (len * width).min(tail.len());
        let values = tail[..take]
            .chunks(width)
            .map(|c| {
                let mut bytes = [0u8; 16];
                bytes[..c.len()].copy_from_slice(c);
                let v = i128::from_le_bytes(bytes);
                // Sign-extend from the value's width: small negative numbers too.
                let shift = 128 - 8 * c.len() as u32;
                let v = (v << shift) >> shift;
                if role == ColumnRole::Index {
                    v.rem_euclid(1000)
                } else {
                    v
                }
            })
            .collect();
        columns.push(IntColumn { role, values });
        rest = &tail[take..];
    }
    IntColumns { columns }
}

fn block_of(streams: Vec<Stream>, original_len: usize) -> Block {
    let mut block = Block::from_input(Vec::new());
    block.original_len = original_len;
    block.streams = streams;
    block
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, input)) = input.split_first() else { return };
    match mode % 3 {
        0 => {
            let columns = columns(input);
            let stream = columns.to_stream();
            let mut block = block_of(vec![Stream::new(StreamKind::IntColumns, stream.clone())], 1 << 20);
            assert!(DeltaLayer.encode(&mut block).unwrap());
            let coded = BinaryLayer.encode(&mut block).unwrap();
            if coded {
                BinaryLayer.decode(&mut block).unwrap();
            }
            DeltaLayer.decode(&mut block).unwrap();
            assert_eq!(block.streams, vec![Stream::new(StreamKind::IntColumns, stream)]);
        }
        1 => {
            // delta-methods, then int-sequences, split where the first byte says.
            let Some((&cut, rest)) = input.split_first() else { return };
            let cut = usize::from(cut).min(rest.len());
            let (methods, sequences) = rest.split_at(cut);
            let mut block = block_of(
                vec![
                    Stream::new(StreamKind::DeltaMethods, methods.to_vec()),
                    Stream::new(StreamKind::IntSequences, sequences.to_vec()),
                ],
                4096,
            );
            block.layers.insert(LayerId::Delta);
            let _ = DeltaLayer.decode(&mut block);
        }
        _ => {
            // binary-layout, then up to three plane streams.
            let mut parts = input.splitn(4, |&b| b == 0xff);
            let layout = parts.next().unwrap_or_default().to_vec();
            let mut streams = vec![Stream::new(StreamKind::BinaryLayout, layout)];
            streams.extend(parts.map(|p| Stream::new(StreamKind::NumberPlanes, p.to_vec())));
            let mut block = block_of(streams, 4096);
            block.layers.insert(LayerId::Binary);
            if BinaryLayer.decode(&mut block).is_ok() {
                let _ = DeltaLayer.decode(&mut block);
            }
        }
    }
});
