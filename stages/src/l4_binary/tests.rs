use super::*;
use crate::l3_delta::read_sequences;
use proptest::prelude::*;

fn sequences_stream(sequences: &[Vec<u128>]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in sequences {
        numbers::put(&mut out, s);
    }
    out
}

/// Sequences of mixed widths, with a shift so that every width from 0 to 16 bytes
/// comes up, and sometimes many of them (more planes than plane streams).
fn sequences() -> impl Strategy<Value = Vec<Vec<u128>>> {
    let sequence = (prop::collection::vec(any::<u128>(), 0..40), 0u32..=128)
        .prop_map(|(values, shift)| values.into_iter().map(|v| v.checked_shr(shift).unwrap_or(0)).collect());
    prop::collection::vec(sequence, 0..12)
}

fn round_trip(sequences: &[Vec<u128>], extra_streams: usize) -> Block {
    round_trip_in(sequences, extra_streams, Some(Form::Planes))
}

fn round_trip_in(sequences: &[Vec<u128>], extra_streams: usize, form: Option<Form>) -> Block {
    let stream = sequences_stream(sequences);
    let mut block = Block::from_input(Vec::new());
    block.original_len = 1 << 16;
    block.streams = vec![Stream::new(StreamKind::Bytes, b"before".to_vec()); extra_streams];
    block.streams.push(Stream::new(StreamKind::IntSequences, stream));
    block.streams.push(Stream::new(StreamKind::RecordExceptions, b"after".to_vec()));
    let original = block.clone();
    if BinaryLayer.encode_in(&mut block, form).unwrap() {
        assert!(
            block.streams.len() + block.streams.iter().filter(|s| s.kind == StreamKind::Bytes).count() <= MAX_STREAMS
        );
        let mut decoded = block.clone();
        BinaryLayer.decode(&mut decoded).unwrap();
        assert_eq!(decoded.streams, original.streams);
    } else {
        assert_eq!(block, original);
    }
    block
}

proptest! {
    #[test]
    fn sequences_come_back(sequences in sequences(), extra in 0usize..30, form in 0usize..3) {
        round_trip_in(&sequences, extra, [Some(Form::Planes), Some(Form::Varints), None][form]);
    }

    #[test]
    fn any_layout_and_planes_are_errors_or_sequences(
        layout in prop::collection::vec(any::<u8>(), 0..12),
        planes in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 0..4),
    ) {
        let mut block = Block::from_input(Vec::new());
        block.original_len = 64;
        block.streams = vec![Stream::new(StreamKind::BinaryLayout, layout)];
        block.streams.extend(planes.into_iter().map(|p| Stream::new(StreamKind::NumberPlanes, p)));
        if BinaryLayer.decode(&mut block).is_ok() {
            prop_assert!(read_sequences(&block.streams[0].data, usize::MAX).is_ok());
        }
    }
}

#[test]
fn planes_past_the_fortieth_share_the_last_stream() {
    let wide: Vec<u128> = (0..50).map(|i| u128::MAX - i).collect();
    let sequences = vec![wide.clone(), wide.clone(), wide.clone()];
    let block = round_trip(&sequences, 0);
    let planes =
        block.streams.iter().filter(|s| matches!(s.kind, StreamKind::NumberPlanes | StreamKind::Bytes)).count();
    assert_eq!(planes, MAX_PLANE_STREAMS);
    let last = &block.streams[MAX_PLANE_STREAMS];
    assert_eq!(last.data.len(), (3 * 16 - (MAX_PLANE_STREAMS - 1)) * 50);
}

#[test]
fn a_mostly_constant_plane_goes_out_as_bytes_for_l5_and_l6() {
    let mut values = vec![7u128; 800];
    values[5] = 70_000;
    let block = round_trip(&[values], 0);
    let kinds: Vec<StreamKind> = block.streams.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StreamKind::BinaryLayout,
            StreamKind::Bytes,
            StreamKind::Bytes,
            StreamKind::Bytes,
            StreamKind::RecordExceptions
        ]
    );
}

#[test]
fn a_zero_width_sequence_is_capped_before_it_is_allocated() {
    let mut layout = Vec::new();
    layout.push(Form::Planes as u8);
    varint::put(&mut layout, 1 << 40);
    layout.extend_from_slice(&[1, 0]);
    let mut block = Block::from_input(Vec::new());
    block.original_len = 100;
    block.streams = vec![Stream::new(StreamKind::BinaryLayout, layout)];
    assert!(matches!(BinaryLayer.decode(&mut block), Err(Error::TooLarge { .. })));
}

#[test]
fn planes_of_the_wrong_length_are_refused() {
    let block = round_trip(&[vec![300, 5, 9]], 0);
    for (at, delta) in [(1usize, 1isize), (2, -1)] {
        let mut damaged = block.clone();
        if delta > 0 {
            damaged.streams[at].data.push(0);
        } else {
            damaged.streams[at].data.pop();
        }
        assert!(BinaryLayer.decode(&mut damaged).is_err());
    }
    let mut missing = block.clone();
    missing.streams.remove(2);
    assert!(BinaryLayer.decode(&mut missing).is_err());
}

#[test]
fn a_small_block_of_many_sequences_takes_varints() {
    // Fifty short sequences of small, varied numbers: fifty planes would each pay for
    // a code of their own.
    let sequences: Vec<Vec<u128>> =
        (0..50u128).map(|s| (0..40u128).map(|i| (i * 7 + s * 13) % 300).collect()).collect();
    let block = round_trip_in(&sequences, 0, None);
    assert_eq!(read_layout(&block.streams[0].data, usize::MAX).unwrap().0, Form::Varints);
    assert_eq!(block.streams.len(), 3, "layout, varints, the stream after");
    // Wider than 64 bits too.
    let wide: Vec<Vec<u128>> = (0..50u128).map(|s| vec![u128::MAX - s * 1000, s, 7 * s]).collect();
    let block = round_trip_in(&wide, 0, Some(Form::Varints));
    assert_eq!(read_layout(&block.streams[0].data, usize::MAX).unwrap().0, Form::Varints);
}

#[test]
fn varints_must_fill_their_stream_exactly() {
    let sequences = vec![vec![1u128, 300, 5], vec![7, 8, 9]];
    let block = round_trip_in(&sequences, 0, Some(Form::Varints));
    let mut longer = block.clone();
    longer.streams[1].data.push(0);
    assert!(BinaryLayer.decode(&mut longer).is_err());
    let mut shorter = block.clone();
    shorter.streams[1].data.pop();
    assert!(BinaryLayer.decode(&mut shorter).is_err());
    let mut huge = block.clone();
    huge.streams[0].data = vec![1, 0];
    varint::put(&mut huge.streams[0].data, 1 << 50);
    assert!(BinaryLayer.decode(&mut huge).is_err());
}
