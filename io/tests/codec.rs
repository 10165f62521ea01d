//! `CpzCodec` with tokio-util's `Framed`, `FramedRead` and `FramedWrite`: loopback TCP,
//! arbitrary chunking with `Pending` between chunks, truncation, damage, the maximum
//! frame length, skippable frames, and session mode.

mod util;

use std::io;

use bytes::{Bytes, BytesMut};
use cobolp_io::{CpzCodec, EndOfStream, Unfinished};
use cobolp_stages::l8_seal::{write_skippable, FrameHeader, FRAME_MAGIC, HEADER_LEN};
use futures::executor::block_on;
use futures::{SinkExt, StreamExt};
use proptest::prelude::*;
use tokio_util::codec::{Decoder, Encoder, Framed, FramedRead, FramedWrite};
use util::*;

fn codec() -> CpzCodec {
    CpzCodec::with_config(config())
}

/// The messages, one frame each, and the end of their stream.
fn encode_all(messages: &[Vec<u8>]) -> BytesMut {
    let mut codec = codec();
    let mut wire = BytesMut::new();
    for m in messages {
        codec.encode(&m[..], &mut wire).unwrap();
    }
    codec.encode(EndOfStream, &mut wire).unwrap();
    wire
}

/// Everything a `FramedRead` yields over `wire` read in chunks with `Pending` between
/// them: the messages, and the error that ended it, if any.
fn read_framed(wire: &[u8], sizes: &[usize], codec: CpzCodec) -> (Vec<Vec<u8>>, Option<io::Error>) {
    block_on(async {
        let mut framed = FramedRead::new(PendingReader::new(wire.to_vec(), sizes), codec);
        let mut messages = Vec::new();
        while let Some(item) = framed.next().await {
            match item {
                Ok(m) => messages.push(m.to_vec()),
                Err(e) => {
                    assert!(framed.next().await.is_none(), "the stream ends after an error");
                    return (messages, Some(e));
                }
            }
        }
        (messages, None)
    })
}

#[tokio::test]
async fn log_lines_over_loopback_tcp() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let mut framed = Framed::new(socket, codec());
        let (mut lines, mut bytes) = (0usize, 0usize);
        while let Some(message) = framed.next().await {
            let message = message.unwrap();
            assert!(message.ends_with(b"\n") && message.iter().filter(|&&b| b == b'\n').count() == 1);
            lines += 1;
            bytes += message.len();
        }
        (lines, bytes, framed.codec().frames_decoded())
    });
    let socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut framed = Framed::new(socket, codec());
    let text = log_bytes(400_000, 11);
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').filter(|l| l.ends_with(b"\n")).collect();
    for (i, line) in lines.iter().enumerate() {
        // Batches of lines go out together; each line stays its own message.
        if i % 100 == 99 {
            framed.send(Bytes::copy_from_slice(line)).await.unwrap();
        } else {
            framed.feed(Bytes::copy_from_slice(line)).await.unwrap();
        }
    }
    // The end of the stream tells the server every line came; the codec encodes
    // several item types, so `close` is told which sink it is.
    framed.feed(EndOfStream).await.unwrap();
    SinkExt::<Bytes>::close(&mut framed).await.unwrap();
    let sent = lines.iter().map(|l| l.len()).sum::<usize>();
    assert_eq!(server.await.unwrap(), (lines.len(), sent, lines.len() as u64));
}

fn message_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..300),
        1 => (0usize..100_000, any::<u64>()).prop_map(|(n, seed)| log_bytes(n, seed)),
        1 => (0usize..20_000, any::<u64>()).prop_map(|(n, seed)| noise(n, seed)),
    ]
}

fn sizes_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![prop::collection::vec(1usize..64, 1..5), prop::collection::vec(1usize..50_000, 1..5)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn framed_round_trip_in_any_chunking(
        messages in prop::collection::vec(message_strategy(), 0..12),
        sizes in sizes_strategy(),
        sink in sizes_strategy(),
        skippable_at in prop::option::of(0usize..12),
    ) {
        // Written through FramedWrite into a writer that takes pieces and pends.
        let written = block_on(async {
            let mut framed = FramedWrite::new(PendingWriter::new(&sink), codec());
            for m in &messages {
                framed.send(Bytes::from(m.clone())).await.unwrap();
            }
            framed.send(EndOfStream).await.unwrap();
            // The codec encodes several item types, so `close` is told which sink it is.
            SinkExt::<Bytes>::close(&mut framed).await.unwrap();
            framed.into_inner().data
        });
        let wire = encode_all(&messages);
        prop_assert!(written[..] == wire[..], "FramedWrite writes what encode makes");
        let mut with_skippable = Vec::new();
        let mut encoder = codec();
        for (i, m) in messages.iter().enumerate() {
            if skippable_at == Some(i) {
                write_skippable(b"metadata the decoder passes over", &mut with_skippable).unwrap();
            }
            let mut one = BytesMut::new();
            encoder.encode(&m[..], &mut one).unwrap();
            with_skippable.extend_from_slice(&one);
        }
        let mut end = BytesMut::new();
        encoder.encode(EndOfStream, &mut end).unwrap();
        with_skippable.extend_from_slice(&end);
        for stream in [&wire[..], &with_skippable[..]] {
            let (got, error) = read_framed(stream, &sizes, codec());
            prop_assert!(error.is_none(), "{error:?}");
            prop_assert!(got == messages);
        }
    }

    #[test]
    fn a_cut_stream_gives_every_complete_message_then_an_error(
        messages in prop::collection::vec(message_strategy(), 1..10),
        sizes in sizes_strategy(),
        cut in 0.0f64..1.0,
    ) {
        let wire = encode_all(&messages);
        let cut = ((wire.len() as f64) * cut) as usize;
        let bounds = frame_bounds(&wire);
        let complete = bounds.iter().filter(|&&b| b > 0 && b <= cut).count();
        let (got, error) = read_framed(&wire[..cut], &sizes, codec());
        let complete = complete.min(messages.len());
        prop_assert!(got[..] == messages[..complete]);
        // Inside a frame or between two, a cut leaves the stream without its end.
        let e = error.expect("a cut stream is an error");
        prop_assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let named = format!("frame {complete} (at byte {})", bounds[complete]);
        prop_assert!(e.to_string().contains(&named), "{}", e);
    }
}

#[test]
fn a_damaged_frame_is_invalid_data_naming_it() {
    let messages: Vec<Vec<u8>> = (0..4).map(|i| log_bytes(3000, i)).collect();
    let wire = encode_all(&messages);
    let bounds = frame_bounds(&wire);
    for (at, what) in [(bounds[2] + HEADER_LEN + 10, "payload"), (bounds[2] + 9, "header"), (bounds[2], "magic")] {
        let mut bad = wire.to_vec();
        bad[at] ^= 0x04;
        let (got, error) = read_framed(&bad, &[1000], codec());
        assert!(got == messages[..2], "{what}: the messages before it");
        let e = error.unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{what}: {e}");
        assert!(e.to_string().contains(&format!("frame 2 (at byte {})", bounds[2])), "{what}: {e}");
    }
}

/// A valid header (checksum included, as docs/FORMAT.md lays it out) claiming a
/// stored block of `len` bytes.
fn header_claiming(len: u32) -> Vec<u8> {
    let mut out = FRAME_MAGIC.to_vec();
    out.extend_from_slice(&[2, 0, 0x80, 0]);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&[0; 4 + 32]);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(out.len(), HEADER_LEN);
    FrameHeader::parse(&out).expect("a valid header");
    out
}

#[test]
fn max_frame_length_is_checked_before_anything_is_reserved() {
    let header = header_claiming(64 << 20);
    let mut limited = codec().with_max_frame_length(1 << 20);
    assert_eq!(limited.max_frame_length(), 1 << 20);
    let mut src = BytesMut::from(&header[..]);
    let e = limited.decode(&mut src).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("frame 0 (at byte 0)"), "{e}");
    assert!(e.to_string().contains("exceeds the limit of 1048576"), "{e}");
    assert!(src.capacity() < 4096, "nothing reserved for the claimed payload: {}", src.capacity());
    // Part of a header reserves only what the header needs.
    let mut src = BytesMut::from(&header[..30]);
    assert!(codec().decode(&mut src).unwrap().is_none());
    assert!(src.capacity() < 4096);
    // Within the limit, the rest of the frame is reserved once its length is known.
    let mut src = BytesMut::from(&header[..]);
    assert!(codec().decode(&mut src).unwrap().is_none());
    assert!(src.capacity() >= HEADER_LEN + (64 << 20));
}

#[test]
fn decode_eof_tells_a_clean_end_from_a_truncated_frame() {
    let wire = encode_all(&[b"one".to_vec(), b"two".to_vec()]);
    let mut c = codec();
    let mut src = wire.clone();
    assert_eq!(&c.decode_eof(&mut src).unwrap().unwrap()[..], b"one");
    assert_eq!(&c.decode_eof(&mut src).unwrap().unwrap()[..], b"two");
    assert_eq!(c.decode_eof(&mut src).unwrap(), None);
    let bounds = frame_bounds(&wire);
    for cut in [1, 3, 4, 20, HEADER_LEN, bounds[1], bounds[2], wire.len() - 1] {
        let mut src = BytesMut::from(&wire[..cut]);
        let mut c = codec();
        let complete = bounds.iter().filter(|&&b| b > 0 && b <= cut).count();
        for message in [&b"one"[..], b"two"].iter().take(complete) {
            assert_eq!(&c.decode_eof(&mut src).unwrap().unwrap()[..], *message, "cut at {cut}");
        }
        let e = c.decode_eof(&mut src).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}: {e}");
    }
    // Inside a skippable frame.
    let mut skippable = Vec::new();
    write_skippable(&[0u8; 100], &mut skippable).unwrap();
    let mut src = BytesMut::from(&skippable[..50]);
    assert!(codec().decode_eof(&mut src).is_err());
    // Skippable frames alone are no stream: they were not written by an encoder that finished.
    let mut src = BytesMut::from(&skippable[..]);
    assert_eq!(codec().decode_eof(&mut src).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    assert!(src.is_empty());
    // Unless the decoder takes a stream without its end.
    let mut src = BytesMut::from(&wire[..bounds[2]]);
    let mut accepting = codec().with_unfinished(Unfinished::Accept);
    assert_eq!(&accepting.decode_eof(&mut src).unwrap().unwrap()[..], b"one");
    assert_eq!(&accepting.decode_eof(&mut src).unwrap().unwrap()[..], b"two");
    assert_eq!(accepting.decode_eof(&mut src).unwrap(), None);
}

#[test]
fn lost_repeated_and_swapped_messages_are_errors() {
    let messages: Vec<Vec<u8>> = (0..3).map(|i| log_bytes(1000, i)).collect();
    let wire = encode_all(&messages);
    let b = frame_bounds(&wire);
    let frame = |i: usize| &wire[b[i]..b[i + 1]];
    let lost = [frame(0), frame(2), frame(3)].concat();
    let repeated = [frame(0), frame(1), frame(1), frame(2), frame(3)].concat();
    let swapped = [frame(1), frame(0), frame(2), frame(3)].concat();
    let no_end = [frame(0), frame(1), frame(2)].concat();
    for (name, stream, kind) in [
        ("lost", lost, io::ErrorKind::InvalidData),
        ("repeated", repeated, io::ErrorKind::InvalidData),
        ("swapped", swapped, io::ErrorKind::InvalidData),
        ("no end", no_end, io::ErrorKind::UnexpectedEof),
    ] {
        let (got, error) = read_framed(&stream, &[700], codec());
        let e = error.unwrap_or_else(|| panic!("{name}: decoded"));
        assert_eq!(e.kind(), kind, "{name}: {e}");
        assert!(messages.starts_with(&got), "{name}: only messages of the stream, in order");
    }
}

#[test]
fn empty_messages_are_frames_too() {
    let wire = encode_all(&[Vec::new(), Vec::new()]);
    assert_eq!(frame_bounds(&wire).len(), 4, "two frames and the end");
    let (got, error) = read_framed(&wire, &[7], codec());
    assert!(error.is_none());
    assert_eq!(got, vec![Vec::<u8>::new(), Vec::new()]);
}

// Session mode: frames share state and must be decoded in order by one decoder.

fn similar_messages() -> Vec<Vec<u8>> {
    (0..300)
        .map(|i| {
            format!(
                "{{\"ts\":{},\"svc\":\"checkout\",\"level\":\"info\",\"msg\":\"cart {} updated\"}}\n",
                1_700_000_000 + i,
                i % 23
            )
            .into_bytes()
        })
        .collect()
}

#[tokio::test]
async fn session_round_trip_of_many_small_similar_messages() {
    let messages = similar_messages();
    let (a, b) = tokio::io::duplex(1 << 20);
    let mut tx = Framed::new(a, codec().with_session(true));
    let mut rx = Framed::new(b, CpzCodec::session());
    for m in &messages {
        tx.feed(Bytes::from(m.clone())).await.unwrap();
    }
    SinkExt::<Bytes>::flush(&mut tx).await.unwrap();
    for m in &messages {
        assert_eq!(rx.next().await.unwrap().unwrap().to_vec(), *m);
    }
    let mut session = codec().with_session(true);
    let mut independent = codec();
    let (mut s, mut i) = (BytesMut::new(), BytesMut::new());
    for m in &messages {
        session.encode(&m[..], &mut s).unwrap();
        independent.encode(&m[..], &mut i).unwrap();
    }
    assert!(s.len() < i.len(), "session {} vs independent {}", s.len(), i.len());
}

#[test]
fn a_session_decoder_must_see_frames_in_order() {
    let messages = similar_messages();
    let mut enc = codec().with_session(true);
    let mut wire = BytesMut::new();
    for m in &messages[..10] {
        enc.encode(&m[..], &mut wire).unwrap();
    }
    enc.encode(EndOfStream, &mut wire).unwrap();
    let bounds = frame_bounds(&wire);
    // In order: every message.
    let (got, error) = read_framed(&wire, &[13], codec().with_session(true));
    assert!(error.is_none(), "{error:?}");
    assert!(got == messages[..10]);
    // Frame 0 left out: the decoder lacks the state frame 1 was made with.
    let (_, error) = read_framed(&wire[bounds[1]..], &[13], codec().with_session(true));
    assert!(error.is_some(), "a session frame decoded without the frames before it");
}
