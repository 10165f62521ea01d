//! The README's library snippets, compiled: each block of README.md's "The library"
//! and "In async services" stands here verbatim inside a function that gives it its
//! inputs (`tests/readme.rs` checks that every block of the README is here).
//!
//! `cargo run --example readme` runs the first against generated data.

#![allow(unused_variables, clippy::all)]

use std::error::Error;

#[rustfmt::skip]
async fn the_library(data: Vec<u8>) -> Result<(), Box<dyn Error>> {
    // Slices, in memory:
    let packed = cobol_protocol::compress(&data)?;
    assert_eq!(cobol_protocol::decompress(&packed)?, data);
    // From a source you do not trust: a cap on what it may expand to.
    let capped = cobol_protocol::decompress_with_limit(&packed, 64 << 20)?;

    // Settings: the mode, the block size, the worker threads, fixed-width records.
    use cobol_protocol::{compress_with, CompressionMode, EngineConfig};
    let config = EngineConfig::default().with_mode(CompressionMode::Legacy).with_threads(4);
    let legacy = compress_with(&data, &config)?;

    // Any AsyncRead to any AsyncWrite, through the pipelined engine (feature "pipeline"):
    use cobol_protocol::{compress_stream, decompress_stream};
    let report = compress_stream(tokio::io::stdin(), tokio::io::stdout(), &config).await?;
    eprintln!("{report}"); // per-stage timings and latency
    decompress_stream(&legacy[..], tokio::io::sink(), &config).await?;

    // One block at a time, with its metadata, as the original engine offered:
    use cobol_protocol::{CobolEngine, DualModeEngine};
    let engine = CobolEngine::new(&EngineConfig::default())?;
    let (frame, meta) = engine.compress_block(b"some block")?; // meta: sizes, ratio, layers, SHA-256, entropy
    let dual = DualModeEngine::new(CompressionMode::Bridge)?;   // Legacy, Bridge or Maximal
    Ok(())
}

#[allow(dead_code)]
#[rustfmt::skip]
async fn in_async_services(
    socket: tokio::net::TcpStream,
    tcp_write_half: tokio::net::tcp::OwnedWriteHalf,
    tcp_read_half: tokio::net::tcp::OwnedReadHalf,
    chunk: Vec<u8>,
    mut file: tokio::fs::File,
) -> Result<(), Box<dyn Error>> {
    use cobol_protocol::{bufread, sync, write, CpzCodec, EndOfStream};
    use futures::{SinkExt, StreamExt};
    use tokio::io::AsyncWriteExt;
    use tokio_util::codec::Framed;

    // One message, one frame. Session mode: frames on this connection share the match
    // window, so short similar messages cost a fraction of their size.
    let mut framed = Framed::new(socket, CpzCodec::builder().session(true).new_codec());
    framed.send(bytes::Bytes::from_static(b"GET /index.html 200\n")).await?;
    framed.send(EndOfStream).await?;                  // the peer knows every message came
    let message = framed.next().await.unwrap()?;      // BytesMut, exactly one message

    // Streams: compress into any AsyncWrite, decompress from any AsyncBufRead.
    let mut encoder = write::Encoder::new(tcp_write_half);
    encoder.write_all(&chunk).await?;
    encoder.flush().await?;        // a frame of everything so far: the peer can decode it now
    encoder.shutdown().await?;     // required: the last frame and the end frame, then the inner shutdown
    let mut decoder = bufread::Decoder::new(tokio::io::BufReader::new(tcp_read_half));
    tokio::io::copy(&mut decoder, &mut file).await?;

    // The same over std::io, where finish() ends the stream:
    let mut encoder = sync::Encoder::new(std::fs::File::create("app.log.cpz")?);
    std::io::copy(&mut std::fs::File::open("app.log")?, &mut encoder)?;
    encoder.finish()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let data: Vec<u8> = (0..20_000).flat_map(|i| format!("{i} GET /index.html 200\n").into_bytes()).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    // stdin is empty here: the stream part compresses nothing into an empty stream.
    runtime.block_on(the_library(data))
}
