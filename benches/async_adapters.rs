//! The async adapters inside a tokio service, measured:
//!
//! 1. `tokio::io::copy` from a file into `write::Encoder` (which flushes whenever the
//!    file's read is pending) against `compress_stream` of the same file: sizes, and
//!    whether three copies give the same bytes as each other and as `compress_stream`.
//! 2. A 1 ms ticker on a current-thread runtime while a stream compresses on it:
//!    how late its ticks come (p50, p99, max), for `tokio::io::copy` into
//!    `write::Encoder`, for `compress_stream`, and, for contrast, for compression run on
//!    the runtime's thread itself (`sync::Encoder` inside the task).
//!
//! `cargo bench --bench async_adapters -- [FILES...]` (default: samples/apache_access.log;
//! the ticker runs on the first file, repeated to at least 50 MB).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cobol_protocol::{compress_stream, sync, write, EngineConfig};
use tokio::io::AsyncWriteExt;

fn config() -> EngineConfig {
    EngineConfig::default().with_threads(1)
}

async fn copy_into_encoder(path: &Path) -> Vec<u8> {
    let mut file = tokio::fs::File::open(path).await.unwrap();
    let mut enc = write::Encoder::with_config(Vec::new(), config());
    tokio::io::copy(&mut file, &mut enc).await.unwrap();
    enc.shutdown().await.unwrap();
    enc.into_inner()
}

async fn with_compress_stream(path: &Path) -> Vec<u8> {
    let file = tokio::fs::File::open(path).await.unwrap();
    let mut out = Vec::new();
    compress_stream(tokio::io::BufReader::with_capacity(1 << 20, file), &mut out, &config()).await.unwrap();
    out
}

/// Ticks of a 1 ms interval on the current thread while `work` runs: how late each came.
async fn ticker_during<F: std::future::Future<Output = ()>>(work: F) -> Vec<Duration> {
    let mut late = Vec::new();
    let ticker = async {
        let mut interval = tokio::time::interval(Duration::from_millis(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let scheduled = interval.tick().await;
            late.push(Instant::now().saturating_duration_since(scheduled.into_std()));
        }
    };
    tokio::select! {
        biased;
        () = work => {}
        () = ticker => unreachable!(),
    }
    late
}

fn report(name: &str, mut late: Vec<Duration>) {
    late.sort();
    let at = |q: f64| late[((late.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    println!(
        "  {name:<40} {:>7} ticks  late p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
        late.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).map(PathBuf::from).collect();
    let files = if args.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache_access.log")]
    } else {
        args
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    println!("tokio::io::copy(file, write::Encoder) against compress_stream (Bridge, 1 MiB blocks):");
    let (mut total_stream, mut total_copy, mut identical) = (0usize, 0usize, 0usize);
    for path in &files {
        let reference = runtime.block_on(with_compress_stream(path));
        let copies: Vec<Vec<u8>> = (0..3).map(|_| runtime.block_on(copy_into_encoder(path))).collect();
        let same = copies.iter().filter(|c| **c == reference).count();
        identical += same;
        total_stream += reference.len();
        total_copy += copies[0].len();
        println!(
            "  {:<28} compress_stream {:>10}  copy {:>10} {:>10} {:>10}  ({:+.3}%)  identical to compress_stream: {same}/3",
            path.file_name().unwrap().to_string_lossy(),
            reference.len(),
            copies[0].len(),
            copies[1].len(),
            copies[2].len(),
            (copies[0].len() as f64 / reference.len() as f64 - 1.0) * 100.0
        );
    }
    println!(
        "  total: compress_stream {total_stream}, copy {total_copy} ({:+.3}%); {identical} of {} copies byte-identical",
        (total_copy as f64 / total_stream as f64 - 1.0) * 100.0,
        3 * files.len()
    );

    // The ticker: the first file repeated to at least 50 MB, in a temporary file.
    let sample = std::fs::read(&files[0]).unwrap();
    let big = std::env::temp_dir().join(format!("cobolp-ticker-{}.log", std::process::id()));
    {
        let mut f = std::fs::File::create(&big).unwrap();
        let mut written = 0;
        while written < 50 << 20 {
            f.write_all(&sample).unwrap();
            written += sample.len();
        }
    }
    let current = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    println!(
        "a 1 ms ticker on a current-thread runtime while {} MB compress on it (1 worker):",
        std::fs::metadata(&big).unwrap().len() >> 20
    );
    let late = current.block_on(ticker_during(async { tokio::time::sleep(Duration::from_millis(500)).await }));
    report("(reference) nothing else running", late);
    let late = current.block_on(ticker_during(async {
        copy_into_encoder(&big).await;
    }));
    report("tokio::io::copy into write::Encoder", late);
    let late = current.block_on(ticker_during(async {
        with_compress_stream(&big).await;
    }));
    report("compress_stream", late);
    let late = current.block_on(ticker_during(async {
        let mut file = tokio::fs::File::open(&big).await.unwrap();
        let mut enc = sync::Encoder::with_config(Vec::new(), config());
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = tokio::io::AsyncReadExt::read(&mut file, &mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            enc.write_all(&buf[..n]).unwrap();
        }
        enc.finish().unwrap();
    }));
    report("(contrast) compressing on the runtime", late);
    std::fs::remove_file(&big).unwrap();
}
