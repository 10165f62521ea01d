//! The stream adapters (`bufread`, `write`, `sync`): round trips under arbitrary
//! chunking with `Pending` between chunks, concatenated and truncated streams, flush
//! semantics, bounded buffering, cancellation, damage, and session mode.

mod util;

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use cobolp_engine::InlineEngine;
use cobolp_io::{bufread, sync, write, EngineConfig, Unfinished};
use cobolp_stages::l8_seal::{next_frame, write_skippable, FrameRef, HEADER_LEN};
use futures::executor::block_on;
use proptest::prelude::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use util::*;

/// What the engine's own stream encoder makes of `data`: the adapters cut blocks the
/// same way, so without flushes their output is byte for byte the same.
fn reference(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    InlineEngine::new(&config()).unwrap().compress_stream(data, &mut out).unwrap();
    out
}

async fn write_encode(data: &[u8], sizes: &[usize], flush_every: Option<usize>, sink: &[usize]) -> Vec<u8> {
    let mut enc = write::Encoder::with_config(PendingWriter::new(sink), config()).with_flush_delay(Duration::ZERO);
    for (i, piece) in pieces(data, sizes).into_iter().enumerate() {
        enc.write_all(piece).await.unwrap();
        if flush_every.is_some_and(|k| i % k == k - 1) {
            enc.flush().await.unwrap();
        }
        assert!(enc.buffered() <= 2 * BLOCK + HEADER_LEN, "bounded by a block and a frame");
    }
    enc.shutdown().await.unwrap();
    let sink = enc.into_inner();
    assert!(sink.shut_down);
    sink.data
}

async fn bufread_encode(data: Vec<u8>, sizes: &[usize]) -> Vec<u8> {
    let mut enc = bufread::Encoder::with_config(PendingReader::new(data, sizes), config());
    let mut out = Vec::new();
    enc.read_to_end(&mut out).await.unwrap();
    out
}

fn sync_encode(data: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut enc = sync::Encoder::with_config(Vec::new(), config());
    for piece in pieces(data, sizes) {
        enc.write_all(piece).unwrap();
    }
    enc.finish().unwrap()
}

/// Reads `reader` to its end or its first error: the data before it, and the error.
async fn read_all<R: AsyncRead + Unpin>(mut reader: R) -> (Vec<u8>, io::Result<()>) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 7000];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) => return (out, Ok(())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Err(e)),
        }
    }
}

async fn bufread_decode(stream: Vec<u8>, sizes: &[usize]) -> (Vec<u8>, io::Result<()>) {
    read_all(bufread::Decoder::new(PendingReader::new(stream, sizes))).await
}

async fn write_decode(stream: &[u8], sizes: &[usize], sink: &[usize]) -> (Vec<u8>, io::Result<()>) {
    let mut dec = write::Decoder::new(PendingWriter::new(sink));
    let mut result = Ok(());
    for piece in pieces(stream, sizes) {
        if let Err(e) = dec.write_all(piece).await {
            result = Err(e);
            break;
        }
    }
    if result.is_ok() {
        result = dec.shutdown().await;
    }
    (dec.into_inner().data, result)
}

/// A `std::io::Read` that hands out chunks whose sizes cycle through a list.
struct ChunkedRead<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    turn: usize,
}

impl Read for ChunkedRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes.get(self.turn % self.sizes.len().max(1)).copied().unwrap_or(usize::MAX).max(1);
        self.turn += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn sync_decode(stream: &[u8], sizes: &[usize]) -> (Vec<u8>, io::Result<()>) {
    let mut dec = sync::Decoder::new(ChunkedRead { data: stream, sizes: sizes.to_vec(), turn: 0 });
    let mut out = Vec::new();
    let mut buf = vec![0u8; 5000];
    loop {
        match dec.read(&mut buf) {
            Ok(0) => return (out, Ok(())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Err(e)),
        }
    }
}

/// Every decoder on `stream`, each with its own chunking: (data, result) per decoder.
fn decode_everywhere(stream: &[u8], sizes: &[usize], sink: &[usize]) -> Vec<(&'static str, Vec<u8>, io::Result<()>)> {
    let (a, ra) = block_on(bufread_decode(stream.to_vec(), sizes));
    let (b, rb) = block_on(write_decode(stream, sizes, sink));
    let (c, rc) = sync_decode(stream, sizes);
    vec![("bufread", a, ra), ("write", b, rb), ("sync", c, rc)]
}

fn data_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..3000),
        (0usize..300_000, any::<u64>()).prop_map(|(n, seed)| log_bytes(n, seed)),
        (0usize..150_000, any::<u64>()).prop_map(|(n, seed)| noise(n, seed)),
    ]
}

fn sizes_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![prop::collection::vec(1usize..64, 1..5), prop::collection::vec(1usize..100_000, 1..5)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20, ..ProptestConfig::default() })]

    #[test]
    fn round_trips_through_every_adapter(
        data in data_strategy(),
        sizes in sizes_strategy(),
        other in sizes_strategy(),
        flush_every in prop::option::of(1usize..40),
    ) {
        let stream = block_on(write_encode(&data, &sizes, flush_every, &other));
        if flush_every.is_none() {
            prop_assert!(stream == reference(&data), "write::Encoder cuts blocks as the engine does");
        }
        for (name, out, result) in decode_everywhere(&stream, &other, &sizes) {
            prop_assert!(result.is_ok(), "{name}: {result:?}");
            prop_assert!(out == data, "{name} decoded other bytes");
        }
        prop_assert!(block_on(bufread_encode(data.clone(), &other)) == reference(&data));
        prop_assert!(sync_encode(&data, &sizes) == reference(&data));
    }

    #[test]
    fn truncated_streams_give_every_complete_frame_then_an_error(
        data in (1usize..200_000, any::<u64>()).prop_map(|(n, seed)| log_bytes(n, seed)),
        sizes in sizes_strategy(),
        flush_every in 1usize..20,
        cut in 0.0f64..1.0,
    ) {
        let stream = block_on(write_encode(&data, &[997, 5000, 20_000], Some(flush_every), &[]));
        let cut = ((stream.len() as f64) * cut) as usize;
        let (complete, span) = complete_frames(&stream[..cut]);
        for (name, out, result) in decode_everywhere(&stream[..cut], &sizes, &sizes) {
            prop_assert!(out == data[..complete], "{name}: the data of every complete frame, no more");
            // Cut inside a frame or between two, the stream lacks its end: both are
            // an unexpected end, named by where the stream stops making sense.
            let e = result.unwrap_err();
            prop_assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{}: {}", name, e);
            prop_assert!(e.to_string().contains(&format!("(at byte {span})")), "{name}: {e}");
            if span == cut {
                prop_assert!(e.to_string().contains("without its end frame"), "{name}: {e}");
            }
        }
    }

    /// Whole frames lost, repeated or swapped, anywhere in a stream of many: always an
    /// error, through every adapter, never other bytes than the stream's.
    #[test]
    fn lost_repeated_and_swapped_frames_are_errors(
        data in (100_000usize..300_000, any::<u64>()).prop_map(|(n, seed)| log_bytes(n, seed)),
        damage in 0usize..3,
        at in any::<prop::sample::Index>(),
        other in any::<prop::sample::Index>(),
    ) {
        let stream = block_on(write_encode(&data, &[9000], Some(7), &[]));
        let bounds = frame_bounds(&stream);
        let frames: Vec<&[u8]> = bounds.windows(2).map(|w| &stream[w[0]..w[1]]).collect();
        prop_assume!(frames.len() >= 3);
        let (i, j) = (at.index(frames.len()), other.index(frames.len()));
        let mut damaged: Vec<&[u8]> = frames.clone();
        match damage {
            0 => { damaged.remove(i); }
            1 => damaged.insert(i, frames[j]),
            _ => {
                prop_assume!(frames[i] != frames[j]);
                damaged.swap(i, j);
            }
        }
        let damaged = damaged.concat();
        for (name, out, result) in decode_everywhere(&damaged, &[4096], &[4096]) {
            prop_assert!(result.is_err(), "{name}: damage {damage} at {i}/{j} decoded");
            prop_assert!(data.starts_with(&out), "{name}: only bytes of the stream, in order");
        }
    }

    #[test]
    fn concatenated_streams_decode_as_one(
        a in data_strategy(),
        b in (0usize..100_000, any::<u64>()).prop_map(|(n, seed)| log_bytes(n, seed)),
        skippable in prop::option::of(prop::collection::vec(any::<u8>(), 0..300)),
        sizes in sizes_strategy(),
    ) {
        let mut stream = sync_encode(&a, &[4096]);
        if let Some(content) = &skippable {
            write_skippable(content, &mut stream).unwrap();
        }
        stream.extend_from_slice(&block_on(bufread_encode(b.clone(), &[3000])));
        let mut both = a.clone();
        both.extend_from_slice(&b);
        for (name, out, result) in decode_everywhere(&stream, &sizes, &sizes) {
            prop_assert!(result.is_ok(), "{name}: {result:?}");
            prop_assert!(out == both, "{name}");
        }
    }
}

#[test]
fn empty_and_tiny_inputs() {
    for data in [&b""[..], b"x", b"\n", b"hello\n"] {
        let stream = block_on(write_encode(data, &[1], None, &[1]));
        assert_eq!(stream, reference(data));
        assert!(!stream.is_empty(), "an empty input still gives a stream: its end frame");
        for (name, out, result) in decode_everywhere(&stream, &[1], &[1]) {
            result.unwrap();
            assert_eq!(out, data, "{name}");
        }
    }
    for (name, out, result) in decode_everywhere(b"", &[1], &[1]) {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{name}: no bytes at all is no stream");
        assert!(out.is_empty(), "{name}");
    }
}

#[tokio::test]
async fn a_few_mib_through_a_pipe_with_default_blocks() {
    let data = log_bytes(3 << 20, 7);
    let (a, b) = tokio::io::duplex(64 << 10);
    let mut enc = write::Encoder::new(a);
    let write = async {
        for piece in data.chunks(100_000) {
            enc.write_all(piece).await.unwrap();
        }
        enc.shutdown().await.unwrap();
        enc.frames()
    };
    let read = read_all(bufread::Decoder::new(BufReader::new(b)));
    let (frames, (out, result)) = tokio::join!(write, read);
    result.unwrap();
    assert_eq!(frames, 4, "three 1 MiB blocks cut at line ends, and the rest");
    assert!(out == data);
}

#[tokio::test]
async fn flush_makes_everything_written_decodable_before_close() {
    let (a, b) = tokio::io::duplex(1 << 20);
    let mut enc = write::Encoder::with_config(a, config());
    let mut dec = bufread::Decoder::new(BufReader::new(b));
    for round in 0..6usize {
        let msg = log_bytes(1 + round * round * 9000, round as u64);
        enc.write_all(&msg).await.unwrap();
        enc.flush().await.unwrap();
        let mut got = vec![0u8; msg.len()];
        tokio::time::timeout(Duration::from_secs(10), dec.read_exact(&mut got))
            .await
            .expect("flushed data arrives while the writer stays open")
            .unwrap();
        assert!(got == msg, "round {round}");
    }
    let frames = enc.frames();
    enc.flush().await.unwrap();
    assert_eq!(enc.frames(), frames, "a flush with nothing new makes no frame");
    enc.shutdown().await.unwrap();
    let mut rest = Vec::new();
    dec.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
}

#[tokio::test]
async fn flush_over_tcp_then_a_cut_mid_frame() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let messages: Vec<Vec<u8>> = (0..5).map(|i| log_bytes(500 + i * 3000, i as u64)).collect();
    let sent = messages.clone();
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let mut enc = write::Encoder::with_config(socket, config());
        for m in &sent {
            enc.write_all(m).await.unwrap();
            enc.flush().await.unwrap();
        }
        // Half of one more frame, then the connection drops.
        let mut extra = sync::Encoder::with_config(Vec::new(), config());
        extra.write_all(&log_bytes(5000, 99)).unwrap();
        let extra = extra.finish().unwrap();
        enc.get_mut().write_all(&extra[..extra.len() / 2]).await.unwrap();
        enc.get_mut().flush().await.unwrap();
        drop(enc);
    });
    let socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut dec = bufread::Decoder::new(BufReader::new(socket));
    // Each flushed message arrives on its own, the writer still connected.
    for m in &messages[..2] {
        let mut got = vec![0u8; m.len()];
        dec.read_exact(&mut got).await.unwrap();
        assert!(&got == m);
    }
    let (rest, result) = read_all(&mut dec).await;
    server.await.unwrap();
    assert!(rest == messages[2..].concat(), "every complete frame before the cut");
    let e = result.unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{e}");
    assert!(e.to_string().contains("frame 5 "), "{e}");
}

#[test]
fn a_damaged_frame_is_invalid_data_naming_it_after_the_frames_before() {
    let data = log_bytes(50_000, 3);
    let stream = block_on(write_encode(&data, &[10_000], Some(1), &[]));
    // Damage the payload of the third frame.
    let starts = frame_bounds(&stream);
    assert!(starts.len() > 4);
    let mut bad = stream.clone();
    bad[starts[2] + HEADER_LEN + 3] ^= 0x10;
    for (name, out, result) in decode_everywhere(&bad, &[333], &[4096]) {
        assert!(out == data[..20_000], "{name}: the two frames before the damage");
        let e = result.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{name}: {e}");
        assert!(e.to_string().contains(&format!("frame 2 (at byte {})", starts[2])), "{name}: {e}");
    }
    // The error sticks: a reader that ignores it cannot mistake the rest for the end.
    let mut dec = sync::Decoder::new(&bad[..]);
    let mut sink = Vec::new();
    assert!(dec.read_to_end(&mut sink).is_err());
    assert!(dec.read(&mut [0u8; 10]).is_err());
}

#[test]
fn max_frame_length_is_enforced_by_the_stream_decoders() {
    let data = noise(100_000, 1);
    let stream = sync_encode(&data, &[100_000]);
    let mut dec = sync::Decoder::new(&stream[..]).with_max_frame_length(10_000);
    let e = dec.read_to_end(&mut Vec::new()).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("frame 0 (at byte 0)"), "{e}");
    assert!(e.to_string().contains("maximum frame length"), "{e}");
}

fn noop_cx() -> Context<'static> {
    Context::from_waker(futures::task::noop_waker_ref())
}

#[tokio::test]
async fn a_slow_reader_stops_the_encoder_without_unbounded_buffering() {
    let (a, mut b) = tokio::io::duplex(4096);
    let mut enc = write::Encoder::with_config(a, config());
    let data = noise(10 * BLOCK, 5);
    let mut cx = noop_cx();
    let mut accepted = 0;
    let mut max_buffered = 0;
    loop {
        match Pin::new(&mut enc).poll_write(&mut cx, &data[accepted..]) {
            Poll::Ready(Ok(n)) => accepted += n,
            Poll::Ready(Err(e)) => panic!("{e}"),
            Poll::Pending => break,
        }
        max_buffered = max_buffered.max(enc.buffered());
        assert!(accepted < data.len(), "the writer never stopped");
    }
    assert!(accepted <= 2 * BLOCK, "took {accepted} bytes with nobody reading");
    assert!(max_buffered <= 2 * BLOCK + HEADER_LEN, "held {max_buffered} bytes");
    // Once the peer reads, everything goes through.
    let write = async {
        enc.write_all(&data[accepted..]).await.unwrap();
        enc.shutdown().await.unwrap();
    };
    let mut stream = Vec::new();
    let ((), read) = tokio::join!(write, b.read_to_end(&mut stream));
    read.unwrap();
    assert!(stream == reference(&data));
}

#[tokio::test]
async fn a_slow_writer_stops_the_decoder_without_unbounded_buffering() {
    let data = noise(6 * BLOCK, 8);
    let stream = sync_encode(&data, &[BLOCK]);
    let (a, mut b) = tokio::io::duplex(4096);
    let mut dec = write::Decoder::new(a);
    let mut cx = noop_cx();
    let mut accepted = 0;
    loop {
        match Pin::new(&mut dec).poll_write(&mut cx, &stream[accepted..]) {
            Poll::Ready(Ok(n)) => accepted += n,
            Poll::Ready(Err(e)) => panic!("{e}"),
            Poll::Pending => break,
        }
        assert!(dec.buffered() <= 2 * BLOCK + HEADER_LEN);
        assert!(accepted < stream.len(), "the writer never stopped");
    }
    assert!(accepted <= 2 * (BLOCK + HEADER_LEN));
    let write = async {
        dec.write_all(&stream[accepted..]).await.unwrap();
        dec.shutdown().await.unwrap();
    };
    let mut out = Vec::new();
    let ((), read) = tokio::join!(write, b.read_to_end(&mut out));
    read.unwrap();
    assert!(out == data);
}

#[test]
fn dropping_stream_futures_midway_leaves_no_task_behind() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline = metrics.num_alive_tasks();
        let (a, b) = tokio::io::duplex(1024);
        let mut enc = write::Encoder::with_config(a, config());
        let data = noise(3 * BLOCK, 2);
        let stalled = tokio::time::timeout(Duration::from_millis(30), enc.write_all(&data)).await;
        assert!(stalled.is_err(), "nobody reads: the write stalls and its future is dropped");
        let mut dec = bufread::Decoder::new(BufReader::new(b));
        let mut out = Vec::new();
        let stalled = tokio::time::timeout(Duration::from_millis(30), dec.read_to_end(&mut out)).await;
        assert!(stalled.is_err(), "half a frame: the read stalls and its future is dropped");
        assert!(out.is_empty());
        let mut enc2 = bufread::Encoder::with_config(PendingReader::new(data.clone(), &[100]), config());
        let mut buf = [0u8; 10];
        let _ = futures::poll!(Box::pin(enc2.read(&mut buf)));
        drop((enc, dec, enc2));
        tokio::task::yield_now().await;
        assert_eq!(metrics.num_alive_tasks(), baseline);
        assert_eq!(baseline, 0, "the adapters spawn nothing");
    });
}

#[tokio::test]
async fn writing_after_shutdown_is_an_error() {
    let mut enc = write::Encoder::with_config(PendingWriter::new(&[]), config());
    enc.write_all(b"abc").await.unwrap();
    enc.shutdown().await.unwrap();
    assert!(enc.write_all(b"more").await.is_err());
    enc.shutdown().await.unwrap();
    let mut sync_enc = sync::Encoder::with_config(Vec::new(), config());
    sync_enc.write_all(b"abc").unwrap();
    sync_enc.try_finish().unwrap();
    assert!(sync_enc.write_all(b"more").is_err());
}

#[test]
fn sync_flush_makes_everything_written_decodable() {
    let mut enc = sync::Encoder::with_config(Vec::new(), config());
    let mut expect = Vec::new();
    for i in 0..4 {
        let m = log_bytes(100 + i * 20_000, i as u64);
        enc.write_all(&m).unwrap();
        enc.flush().unwrap();
        expect.extend_from_slice(&m);
        let mut dec = sync::Decoder::new(enc.get_ref().as_slice()).with_unfinished(Unfinished::Accept);
        let mut out = Vec::new();
        dec.read_to_end(&mut out).unwrap();
        assert!(out == expect, "after flush {i}");
        assert_eq!(dec.summary().unwrap().unfinished.map(|(frames, _)| frames), Some(i as u64 + 1));
    }
    assert_eq!(enc.buffered(), 0);
}

#[test]
fn an_invalid_config_is_reported_at_first_use() {
    let bad = EngineConfig::default().with_block_size(10);
    let mut enc = sync::Encoder::with_config(Vec::new(), bad.clone());
    assert_eq!(enc.write(b"x").unwrap_err().kind(), io::ErrorKind::InvalidInput);
    let mut enc = bufread::Encoder::with_config(&b"data"[..], bad);
    let e = block_on(enc.read_to_end(&mut Vec::new())).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
}

/// A stream missing its first frame is refused by every stream decoder; each frame
/// still decodes alone through the frame API (random access from a seek table).
#[test]
fn a_stream_without_its_first_frame_is_refused_but_frames_decode_alone() {
    let messages: Vec<Vec<u8>> = (0..6).map(|i| log_bytes(2000, i)).collect();
    let stream = block_on(async {
        let mut enc = write::Encoder::with_config(PendingWriter::new(&[]), config()).with_flush_delay(Duration::ZERO);
        for m in &messages {
            enc.write_all(m).await.unwrap();
            enc.flush().await.unwrap();
        }
        enc.shutdown().await.unwrap();
        enc.into_inner().data
    });
    let bounds = frame_bounds(&stream);
    for (name, out, result) in decode_everywhere(&stream[bounds[1]..], &[1000], &[1000]) {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{name}");
        assert!(e.to_string().contains("bytes 0..2000 were lost"), "{name}: {e}");
        assert!(out.is_empty(), "{name}");
    }
    let engine = InlineEngine::new(&config()).unwrap();
    for (i, m) in messages.iter().enumerate() {
        let Some((FrameRef::Data { header, payload }, _)) = next_frame(&stream[bounds[i]..]).unwrap() else {
            panic!("frame {i} is a data frame")
        };
        assert!(engine.decompress_frame(i as u64, 0, header, payload).unwrap() == *m, "frame {i} alone");
    }
}

// Session mode: frames share state and must be decoded in order by one decoder.

fn session_messages() -> Vec<Vec<u8>> {
    (0..200)
        .map(|i| {
            format!("{{\"user\":\"u{}\",\"action\":\"view\",\"page\":\"/items/{}\",\"ok\":true}}\n", i % 17, i)
                .into_bytes()
        })
        .collect()
}

async fn session_stream(messages: &[Vec<u8>], session: bool) -> Vec<u8> {
    let mut enc = write::Encoder::with_config(PendingWriter::new(&[]), config()).with_session(session);
    for m in messages {
        enc.write_all(m).await.unwrap();
        enc.flush().await.unwrap();
    }
    enc.shutdown().await.unwrap();
    enc.into_inner().data
}

#[test]
fn session_round_trip_of_many_small_similar_messages() {
    let messages = session_messages();
    let stream = block_on(session_stream(&messages, true));
    let independent = block_on(session_stream(&messages, false));
    assert!(stream.len() < independent.len(), "session {} vs independent {}", stream.len(), independent.len());
    let (out, result) =
        block_on(read_all(bufread::Decoder::new(PendingReader::new(stream.clone(), &[37])).with_session(true)));
    result.unwrap();
    assert!(out == messages.concat());
    let mut dec = write::Decoder::new(PendingWriter::new(&[11])).with_session(true);
    block_on(async {
        dec.write_all(&stream).await.unwrap();
        dec.shutdown().await.unwrap();
    });
    assert!(dec.into_inner().data == messages.concat());
    let mut dec = sync::Decoder::new(&stream[..]).with_session(true);
    let mut out = Vec::new();
    dec.read_to_end(&mut out).unwrap();
    assert!(out == messages.concat());
}

#[test]
fn a_session_decoder_must_see_frames_in_order() {
    let messages = session_messages();
    let stream = block_on(session_stream(&messages, true));
    let bounds = frame_bounds(&stream);
    let (first, second) = (bounds[1], bounds[2]);
    // Frame 0 left out: the session's state is missing, so decoding must fail rather
    // than return wrong bytes.
    let (out, result) = sync_decode_session(&stream[first..]);
    assert!(result.is_err(), "decoded {} bytes without frame 0", out.len());
    // Frames swapped.
    let mut swapped = stream[first..second].to_vec();
    swapped.extend_from_slice(&stream[..first]);
    swapped.extend_from_slice(&stream[second..]);
    let (_, result) = sync_decode_session(&swapped);
    assert!(result.is_err());
}

fn sync_decode_session(stream: &[u8]) -> (Vec<u8>, io::Result<()>) {
    let mut dec = sync::Decoder::new(stream).with_session(true);
    let mut out = Vec::new();
    let result = dec.read_to_end(&mut out).map(|_| ());
    (out, result)
}

/// A writer that fails: the error reaches the caller of `flush`/`shutdown`, the
/// buffered frame stays, and a later attempt writes it out.
struct FlakyWriter {
    data: Vec<u8>,
    fail_next: bool,
}

impl AsyncWrite for FlakyWriter {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if std::mem::take(&mut self.fail_next) {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::ConnectionReset, "flaky")));
        }
        self.data.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn an_inner_write_error_is_reported_and_the_frame_kept() {
    let mut enc = write::Encoder::with_config(FlakyWriter { data: Vec::new(), fail_next: true }, config());
    enc.write_all(b"keep me\n").await.unwrap();
    assert_eq!(enc.flush().await.unwrap_err().kind(), io::ErrorKind::ConnectionReset);
    enc.shutdown().await.unwrap();
    let (out, result) = sync_decode(&enc.get_ref().data, &[100]);
    result.unwrap();
    assert_eq!(out, b"keep me\n");
}

#[test]
fn records_are_cut_at_record_boundaries() {
    // 70-byte records with a packed amount, more than a block of them.
    let mut data = Vec::new();
    for i in 0..3000u32 {
        data.extend_from_slice(
            format!("{:010}ACCOUNT{:<40}", 7_000_000 + i % 50, ["RENT", "FOOD"][i as usize % 2]).as_bytes(),
        );
        let v = format!("{:011}", i * 37 % 100_000);
        let nibbles: Vec<u8> = v.bytes().map(|d| d - b'0').chain([0xC]).collect();
        data.extend(nibbles.chunks(2).map(|p| p[0] << 4 | p[1]));
        data.extend_from_slice(b"       ");
    }
    let config = config().with_record_length(70);
    let mut enc = sync::Encoder::with_config(Vec::new(), config);
    for piece in pieces(&data, &[9_999]) {
        enc.write_all(piece).unwrap();
    }
    let stream = enc.finish().unwrap();
    let (mut pos, mut frames) = (0, 0);
    while let Some((frame, len)) = cobolp_stages::l8_seal::next_frame(&stream[pos..]).unwrap() {
        if let cobolp_stages::l8_seal::FrameRef::Data { header, .. } = frame {
            assert_eq!(header.original_len % 70, 0, "frame {frames} ends at a record boundary");
            frames += 1;
        }
        pos += len;
    }
    assert!(frames >= 3);
    let (out, result) = sync_decode(&stream, &[4096]);
    result.unwrap();
    assert!(out == data);
}

/// The write encoder compresses a full block on the engine's pool, not in the poll
/// that cut it: with the pool's one worker held, the encoder answers `Pending` (its
/// task is not held for the block's compression) and is woken once the worker is free.
#[test]
fn blocks_compress_on_the_pool_not_in_the_polling_task() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    // A thread count no other test uses: this pool is this test's alone.
    let threads = 7;
    let pool = cobolp_engine::shared_pool(threads).unwrap();
    let gate = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
    let (started, start) = std::sync::mpsc::channel::<()>();
    for _ in 0..threads {
        let (gate, started) = (gate.clone(), started.clone());
        pool.spawn(move || {
            started.send(()).unwrap();
            let mut open = gate.0.lock().unwrap();
            while !*open {
                open = gate.1.wait(open).unwrap();
            }
        });
    }
    (0..threads).for_each(|_| start.recv().unwrap());
    let data = log_bytes(BLOCK + 1000, 5);
    let mut enc = write::Encoder::with_config(Vec::new(), config().with_threads(threads));
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    let Poll::Ready(Ok(taken)) = Pin::new(&mut enc).poll_write(&mut cx, &data) else { panic!("the block is taken") };
    assert_eq!(taken, BLOCK);
    assert!(Pin::new(&mut enc).poll_write(&mut cx, &data[taken..]).is_pending(), "the block waits for a worker");
    assert!(Pin::new(&mut enc).poll_flush(&mut cx).is_pending());
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    *gate.0.lock().unwrap() = true;
    gate.1.notify_all();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count.0.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(count.0.load(Ordering::SeqCst) > 0, "woken when the frame is made");
    block_on(async {
        enc.write_all(&data[taken..]).await.unwrap();
        enc.shutdown().await.unwrap();
    });
    let (out, result) = sync_decode(enc.get_ref(), &[4096]);
    result.unwrap();
    assert!(out == data);
}

/// `tokio::io::copy` flushes whenever its reader is pending, as a file's always is
/// between reads. The encoder's flush waits for the writes that follow, so the frames
/// are those of the data: the stream is `compress_stream`'s (here within 2%; the same
/// bytes unless a read stalls longer than the flush delay).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_from_a_file_frames_as_the_data_does() {
    let data = log_bytes(3 * BLOCK + 5000, 21);
    let path = std::env::temp_dir().join(format!("cobolp-copy-{}.log", std::process::id()));
    std::fs::write(&path, &data).unwrap();
    let mut file = tokio::fs::File::open(&path).await.unwrap();
    let mut enc = write::Encoder::with_config(Vec::new(), config());
    tokio::io::copy(&mut file, &mut enc).await.unwrap();
    enc.shutdown().await.unwrap();
    std::fs::remove_file(&path).unwrap();
    let copied = enc.into_inner();
    let reference = reference(&data);
    assert!(copied.len() * 100 <= reference.len() * 102, "{} against {}", copied.len(), reference.len());
    let (out, result) = sync_decode(&copied, &[4096]);
    result.unwrap();
    assert!(out == data);
}
