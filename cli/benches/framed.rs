//! Messages of about 1 KiB of log lines, one frame each, encoded and decoded as a
//! `Framed` service would: latency per message (p50/p99/p99.9), messages per second
//! and bytes on the wire, for cobolp in session and independent mode, zstd -3 per
//! message, and zstd -3 streaming with a flush per message, in the same run.
//!
//! `cargo bench --bench framed -- [--level=N] [--mode=MODE] [LOG FILES OR FOLDERS...]`
//! (default: samples/, and cobolp's default level and mode; zstd stays at -3).

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use cobol_protocol::layers::l8_seal::{next_frame, FrameRef};
use cobol_protocol::{CompressionMode, EngineConfig, FrameCodec, Level};
use hdrhistogram::Histogram;
use zstd::stream::raw::{Decoder as ZDecoder, Encoder as ZEncoder, InBuffer, Operation, OutBuffer};

const MESSAGE: usize = 1024;

/// Consecutive whole lines, about 1 KiB a message.
fn messages(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
            entries.sort();
            files.extend(entries.into_iter().filter(|e| e.extension().is_some_and(|x| x == "log")));
        } else {
            files.push(p.clone());
        }
    }
    let mut out = Vec::new();
    for f in files {
        let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let mut current = Vec::with_capacity(MESSAGE + 256);
        for line in data.split_inclusive(|&b| b == b'\n') {
            current.extend_from_slice(line);
            if current.len() >= MESSAGE {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

struct Outcome {
    name: &'static str,
    wire: usize,
    seconds: f64,
    latency: Histogram<u64>,
}

/// Runs `round_trip` on every message, checking it returns the message.
fn measure(name: &'static str, msgs: &[Vec<u8>], mut round_trip: impl FnMut(&[u8]) -> (usize, Vec<u8>)) -> Outcome {
    let mut latency = Histogram::new_with_bounds(1, 60_000_000_000, 3).unwrap();
    let mut wire = 0;
    let started = Instant::now();
    for m in msgs {
        let t = Instant::now();
        let (bytes, back) = round_trip(m);
        latency.saturating_record(t.elapsed().as_nanos() as u64);
        assert!(back == *m, "{name}: a message came back different");
        wire += bytes;
    }
    Outcome { name, wire, seconds: started.elapsed().as_secs_f64(), latency }
}

fn cobolp(name: &'static str, msgs: &[Vec<u8>], session: bool, settings: (CompressionMode, Level)) -> Outcome {
    let (mode, level) = settings;
    let config = EngineConfig::default().with_threads(1).with_mode(mode).with_level(level);
    let mut sender = FrameCodec::new(&config, session).unwrap();
    let mut receiver = FrameCodec::new(&config, session).unwrap();
    let mut frame = Vec::new();
    measure(name, msgs, |m| {
        frame.clear();
        sender.encode(m, &mut frame).unwrap();
        let Some((FrameRef::Data { header, payload }, _)) = next_frame(&frame).unwrap() else { panic!("no frame") };
        let mut back = Vec::with_capacity(m.len());
        receiver.decode(&header, payload, &mut back).unwrap();
        (frame.len(), back)
    })
}

fn zstd_per_message(msgs: &[Vec<u8>]) -> Outcome {
    let mut c = zstd::bulk::Compressor::new(3).unwrap();
    let mut d = zstd::bulk::Decompressor::new().unwrap();
    measure("zstd -3 per message", msgs, |m| {
        let packed = c.compress(m).unwrap();
        let back = d.decompress(&packed, m.len()).unwrap();
        (packed.len(), back)
    })
}

fn zstd_streaming(msgs: &[Vec<u8>]) -> Outcome {
    let mut enc = ZEncoder::new(3).unwrap();
    let mut dec = ZDecoder::new().unwrap();
    let mut packed = vec![0u8; 64 << 10];
    let mut unpacked = vec![0u8; 64 << 10];
    measure("zstd -3 stream, flush per message", msgs, |m| {
        let mut input = InBuffer::around(m);
        let mut output = OutBuffer::around(&mut packed[..]);
        while input.pos() < m.len() {
            enc.run(&mut input, &mut output).unwrap();
        }
        while enc.flush(&mut output).unwrap() > 0 {}
        let n = output.pos();
        let mut input = InBuffer::around(&packed[..n]);
        let mut back = Vec::with_capacity(m.len());
        while input.pos() < n || back.len() < m.len() {
            let mut out = OutBuffer::around(&mut unpacked[..]);
            dec.run(&mut input, &mut out).unwrap();
            let got = out.pos();
            back.extend_from_slice(&unpacked[..got]);
            if got == 0 && input.pos() == n {
                break;
            }
        }
        (n, back)
    })
}

fn main() {
    let level = std::env::args()
        .find_map(|a| a.strip_prefix("--level=").map(|n| n.parse::<Level>().expect("--level=1 to 9")))
        .unwrap_or_default();
    let mode = std::env::args()
        .find_map(|a| {
            a.strip_prefix("--mode=").map(|m| m.parse::<CompressionMode>().expect("--mode=bridge, legacy or maximal"))
        })
        .unwrap_or_default();
    let args: Vec<PathBuf> =
        std::env::args().skip(1).filter(|a| !a.starts_with("--")).map(|a| common::argument_path(&a)).collect();
    let paths = if args.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/apache_access.log")]
    } else {
        args
    };
    let msgs = messages(&paths);
    let original: usize = msgs.iter().map(Vec::len).sum();
    println!(
        "{} messages, {} bytes ({:.0} bytes each on average), one thread, cobolp at level {level} in {mode:?}",
        msgs.len(),
        original,
        original as f64 / msgs.len() as f64
    );
    let results = [
        cobolp("cobolp session", &msgs, true, (mode, level)),
        cobolp("cobolp independent", &msgs, false, (mode, level)),
        zstd_per_message(&msgs),
        zstd_streaming(&msgs),
    ];
    println!(
        "{:<36} {:>12} {:>8} {:>12} {:>9} {:>9} {:>9}",
        "codec", "wire bytes", "ratio", "messages/s", "p50 µs", "p99 µs", "p99.9 µs"
    );
    for r in &results {
        let q = |p: f64| r.latency.value_at_quantile(p) as f64 / 1e3;
        println!(
            "{:<36} {:>12} {:>8.2} {:>12.0} {:>9.1} {:>9.1} {:>9.1}",
            r.name,
            r.wire,
            original as f64 / r.wire as f64,
            msgs.len() as f64 / r.seconds,
            q(0.5),
            q(0.99),
            q(0.999)
        );
    }
    println!("latency: encode + decode of one message, including the integrity checks; every message verified");
}
