//! The state machines alone: streams in any pieces, flush, skippable frames, errors.

use super::*;
use cobolp_stages::l8_seal::{next_frame, HEADER_LEN};

fn config() -> EngineConfig {
    EngineConfig::default().with_block_size(64 << 10).with_threads(1)
}

fn encode_all(data: &[u8], chunk: usize) -> Vec<u8> {
    let mut state = EncodeState::new(config(), false);
    let mut stream = Vec::new();
    let mut drain = |state: &mut EncodeState| {
        stream.extend_from_slice(state.pending());
        let n = state.pending().len();
        state.consume(n);
    };
    for piece in data.chunks(chunk.max(1)) {
        let mut rest = piece;
        while !rest.is_empty() {
            drain(&mut state);
            let n = state.write(rest).unwrap();
            assert!(n > 0);
            rest = &rest[n..];
            assert!(state.buffered() <= (64 << 10) + (64 << 10) + HEADER_LEN);
        }
    }
    drain(&mut state);
    state.finish().unwrap();
    assert_eq!(state.phase(), EncodePhase::Finishing);
    drain(&mut state);
    assert_eq!(state.phase(), EncodePhase::Done);
    assert!(state.write(b"x").is_err(), "no input after the end");
    stream
}

fn decode_all(stream: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
    let mut state = DecodeState::new(config(), false);
    let mut data = Vec::new();
    for piece in stream.chunks(chunk.max(1)) {
        let mut rest = piece;
        while !rest.is_empty() {
            let n = state.feed(rest)?;
            assert!(n > 0);
            rest = &rest[n..];
            data.extend_from_slice(state.output());
            state.consume(state.output().len());
        }
    }
    state.finish()?;
    Ok(data)
}

fn lines(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| format!("{i:08} GET /index.html 200 {}\n", i * 7 % 1000).into_bytes()).collect()
}

#[test]
fn stream_round_trip_in_any_pieces() {
    let data = lines(9000);
    for chunk in [1usize, 7, 4096, 1 << 20] {
        let stream = encode_all(&data[..if chunk == 1 { 3000 } else { data.len() }], chunk);
        let expect = &data[..if chunk == 1 { 3000 } else { data.len() }];
        for dchunk in [1usize, 3, 57, 1 << 20] {
            assert_eq!(decode_all(&stream, dchunk).unwrap(), expect, "chunks {chunk}/{dchunk}");
        }
    }
}

#[test]
fn blocks_end_at_line_ends_and_empty_input_gives_the_end_frame_alone() {
    let data = lines(9000);
    let stream = encode_all(&data, 1000);
    let (mut pos, mut end, mut frames) = (0, 0, 0);
    while let Some((frame, len)) = next_frame(&stream[pos..]).unwrap() {
        if let cobolp_stages::l8_seal::FrameRef::Data { header, .. } = frame {
            assert!(header.original_len as usize <= 64 << 10);
            end += header.original_len as usize;
            assert_eq!(data[end - 1], b'\n', "frame {frames} ends at a line end");
            frames += 1;
        }
        pos += len;
    }
    assert!(frames > 3);
    assert_eq!(end, data.len());
    let empty = encode_all(b"", 1);
    assert_eq!(empty.len(), cobolp_stages::l8_seal::MIN_END_LEN, "an empty stream is its end frame");
    assert_eq!(decode_all(&empty, 1).unwrap(), b"");
    let nothing = decode_all(b"", 1).unwrap_err();
    assert_eq!(nothing.kind(), io::ErrorKind::UnexpectedEof, "no bytes at all is no stream: {nothing}");
}

#[test]
fn flush_frames_what_was_written() {
    let mut state = EncodeState::new(config(), false);
    state.write(b"hello ").unwrap();
    state.flush().unwrap();
    assert_eq!(state.phase(), EncodePhase::Flushing);
    let first = state.pending().to_vec();
    state.consume(first.len());
    assert_eq!(state.phase(), EncodePhase::Encoding);
    let mut partial = DecodeState::new(config(), false);
    partial.set_unfinished(Unfinished::Accept);
    assert_eq!(partial.feed(&first).unwrap(), first.len());
    assert_eq!(partial.output(), b"hello ", "the peer decodes what was flushed");
    partial.consume(6);
    partial.finish().unwrap();
    assert_eq!(partial.summary().unwrap().unfinished, Some((1, 6)));
    let cut = decode_all(&first, 5).unwrap_err();
    assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof, "and knows the stream goes on: {cut}");
    state.flush().unwrap();
    assert!(state.pending().is_empty(), "nothing new, no frame");
    state.write(b"world").unwrap();
    state.finish().unwrap();
    let mut all = first;
    all.extend_from_slice(state.pending());
    assert_eq!(decode_all(&all, 1000).unwrap(), b"hello world");
    assert_eq!(state.frames(), 2);
}

#[test]
fn skippable_frames_are_passed_over_in_pieces() {
    let mut stream = Vec::new();
    cobolp_stages::l8_seal::write_skippable(&[9u8; 1000], &mut stream).unwrap();
    stream.extend_from_slice(&encode_all(b"abc", 1));
    cobolp_stages::l8_seal::write_skippable(b"", &mut stream).unwrap();
    for chunk in [1, 5, 8, 9, 2000] {
        assert_eq!(decode_all(&stream, chunk).unwrap(), b"abc");
    }
    let cut = decode_all(&stream[..500], 100).unwrap_err();
    assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof);
    assert!(cut.to_string().contains("skippable"), "{cut}");
}

#[test]
fn errors_name_the_frame_and_stick() {
    let a = encode_all(b"first frame", 100);
    let mut stream = a.clone();
    stream.extend_from_slice(&a);
    // The second stream's one data frame, damaged at its last byte.
    let last = stream.len() - cobolp_stages::l8_seal::MIN_END_LEN - 1;
    stream[last] ^= 0x40;
    let mut state = DecodeState::new(config(), false);
    let used = state.feed(&stream).unwrap();
    assert_eq!(state.output(), b"first frame");
    state.consume(11);
    let used = used + state.feed(&stream[used..]).unwrap();
    assert_eq!(used, a.len(), "the end frame of the first stream");
    let err = state.feed(&stream[used..]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    let text = err.to_string();
    assert!(text.contains(&format!("frame 1 (at byte {})", a.len())), "{text}");
    assert!(text.contains("checksum"), "{text}");
    let again = state.feed(&stream[used..]).unwrap_err();
    assert_eq!(again.kind(), io::ErrorKind::InvalidData);
    assert!(again.to_string().contains("frame 1"));
}

#[test]
fn too_long_frames_are_refused_before_they_are_gathered() {
    let data: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let stream = encode_all(&data, 1 << 20);
    let mut state = DecodeState::new(config(), false);
    state.set_max_frame_len(1000);
    let err = state.feed(&stream[..HEADER_LEN]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("maximum frame length"), "{err}");
    assert!(state.buffered() <= HEADER_LEN);
}
