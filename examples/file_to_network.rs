//! Streams a file, compressed, over TCP on loopback and checks what arrives.
//!
//! A sender task reads the file through the pipelined engine
//! (`cobol_protocol::compress_stream`) straight into a TCP socket; a receiver task
//! decompresses the socket (`cobol_protocol::decompress_stream`) into a sink that
//! counts the bytes and hashes them with SHA-256, and the hash is compared with the
//! original's. Nothing is held in memory but the engine's blocks in flight.
//!
//! ```sh
//! cargo run --release --example file_to_network                 # samples/apache_access.log
//! cargo run --release --example file_to_network -- /tmp/big.log
//! ```

use std::error::Error;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use cobol_protocol::{compress_stream, decompress_stream, EngineConfig, PipelineReport};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

pub type BoxError = Box<dyn Error + Send + Sync>;

/// What one transfer did.
#[derive(Debug)]
pub struct Transfer {
    pub original: u64,
    /// Compressed bytes the sender wrote to the socket.
    pub on_the_wire: u64,
    /// Bytes the receiver decompressed.
    pub received: u64,
    pub sent_sha256: [u8; 32],
    pub received_sha256: [u8; 32],
    /// From the connection to the receiver's last byte.
    pub wall: Duration,
    pub port: u16,
}

impl Transfer {
    pub fn intact(&self) -> bool {
        self.received == self.original && self.received_sha256 == self.sent_sha256
    }
}

/// A writer that keeps only the count and SHA-256 of what it is given.
#[derive(Default)]
pub struct HashSink {
    hasher: Sha256,
    len: u64,
}

impl AsyncWrite for HashSink {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        this.hasher.update(buf);
        this.len += buf.len() as u64;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// SHA-256 and length of a file, read in 1 MiB pieces.
pub fn sha256_file(path: &Path) -> std::io::Result<([u8; 32], u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok((hasher.finalize().into(), len));
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
}

/// Sends `path` compressed over a loopback TCP connection and decompresses it on the
/// other side; both ends run in the current tokio runtime.
pub async fn transfer(path: &Path, config: &EngineConfig) -> Result<Transfer, BoxError> {
    let (sent_sha256, original) = sha256_file(path)?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;

    let receiver_config = config.clone();
    let receiver = tokio::spawn(async move {
        let (socket, _) = listener.accept().await?;
        let mut sink = HashSink::default();
        let report: PipelineReport = decompress_stream(socket, &mut sink, &receiver_config).await?;
        Ok::<_, BoxError>((report, sink.len, <[u8; 32]>::from(sink.hasher.finalize())))
    });

    let start = Instant::now();
    let socket = TcpStream::connect(addr).await?;
    socket.set_nodelay(true)?;
    let (_read_half, mut write_half) = socket.into_split();
    let file = tokio::fs::File::open(path).await?;
    let sent = compress_stream(BufReader::with_capacity(1 << 20, file), &mut write_half, config).await?;
    write_half.shutdown().await?;
    let (got, received, received_sha256) = receiver.await??;
    let wall = start.elapsed();
    if got.bytes_in != sent.bytes_out {
        return Err(format!("sent {} compressed bytes, {} arrived", sent.bytes_out, got.bytes_in).into());
    }
    Ok(Transfer {
        original,
        on_the_wire: sent.bytes_out,
        received,
        sent_sha256,
        received_sha256,
        wall,
        port: addr.port(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Prints what a transfer did.
pub fn print_summary(path: &Path, t: &Transfer) {
    let mb_s = t.original as f64 / t.wall.as_secs_f64().max(1e-9) / 1e6;
    let ratio = t.original as f64 / t.on_the_wire.max(1) as f64;
    println!("file_to_network: {} over 127.0.0.1:{}", path.display(), t.port);
    println!("  original     {:>14} bytes  sha256 {}", t.original, hex(&t.sent_sha256));
    println!("  on the wire  {:>14} bytes  ratio {ratio:.3}", t.on_the_wire);
    println!("  received     {:>14} bytes  sha256 {}", t.received, hex(&t.received_sha256));
    println!("  transfer     {:>14.3} s      {mb_s:.1} MB/s of original data", t.wall.as_secs_f64());
    println!("  result       {}", if t.intact() { "intact: SHA-256 equal" } else { "MISMATCH" });
}

fn main() -> Result<(), BoxError> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache_access.log"));
    let config = EngineConfig::default();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let t = runtime.block_on(transfer(&path, &config))?;
    print_summary(&path, &t);
    if !t.intact() {
        return Err("the received data differs from the original".into());
    }
    Ok(())
}
