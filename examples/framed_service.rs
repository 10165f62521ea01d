//! A `Framed` service over TCP: a client sends log lines, one message each, through
//! [`CpzCodec`], then [`EndOfStream`]; the server decodes them and counts lines, bytes
//! and HTTP status classes, and answers with its counts when the client closes its
//! side. The end frame is what tells the server that it has every line: a client that
//! vanishes without it makes the server's stream end in an `UnexpectedEof` error.
//!
//! Session mode is on (both ends must agree): frames on the connection share the match
//! window, so short similar lines cost a fraction of their size on the wire. Pass
//! `--independent` to see every frame compressed on its own.
//!
//! ```sh
//! cargo run --release --example framed_service                    # samples/apache_access.log
//! cargo run --release --example framed_service -- /var/log/syslog --independent
//! ```

use std::collections::BTreeMap;
use std::error::Error;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cobol_protocol::{CpzCodec, EndOfStream};
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

pub type BoxError = Box<dyn Error + Send + Sync>;

/// What the server counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub lines: u64,
    pub bytes: u64,
    /// Lines by the first digit of the first three-digit number after the request
    /// (`2xx`, `4xx`, ...); `other` when there is none.
    pub by_status: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, line: &[u8]) {
        self.lines += 1;
        self.bytes += line.len() as u64;
        *self.by_status.entry(status_class(line)).or_default() += 1;
    }

    /// The summary the server sends back: `lines bytes class=count ...`.
    fn to_reply(&self) -> Bytes {
        let mut s = format!("{} {}", self.lines, self.bytes);
        for (class, n) in &self.by_status {
            s.push_str(&format!(" {class}={n}"));
        }
        Bytes::from(s)
    }
}

/// `2xx` for a line like `... "GET / HTTP/1.1" 200 512 ...`: the first word after the
/// closing quote of the request that is a three-digit number.
fn status_class(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let after_request = text.split('"').nth(2).unwrap_or("");
    after_request
        .split_whitespace()
        .find(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()))
        .map(|w| format!("{}xx", &w[..1]))
        .unwrap_or_else(|| "other".into())
}

/// Decodes messages until the peer closes, counting them, then replies with the counts
/// and the end of its own stream.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(socket: S, session: bool) -> Result<Counts, BoxError> {
    let mut framed = Framed::new(socket, CpzCodec::new().with_session(session));
    let mut counts = Counts::default();
    while let Some(message) = framed.next().await {
        counts.add(&message?);
    }
    framed.feed(counts.to_reply()).await?;
    framed.send(EndOfStream).await?;
    SinkExt::<Bytes>::close(&mut framed).await?;
    Ok(counts)
}

/// A socket that counts the bytes written to it: the compressed size on the wire.
struct CountingSocket {
    inner: TcpStream,
    written: Arc<AtomicU64>,
}

impl AsyncRead for CountingSocket {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountingSocket {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let poll = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if let std::task::Poll::Ready(Ok(n)) = &poll {
            self.written.fetch_add(*n as u64, Ordering::Relaxed);
        }
        poll
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What one run did, seen from both ends.
#[derive(Debug)]
pub struct Run {
    pub sent: Counts,
    pub served: Counts,
    /// The server's reply, as the client decoded it.
    pub reply: String,
    pub on_the_wire: u64,
    pub wall: Duration,
}

/// Serves one connection on 127.0.0.1 (a free port) and sends it every line of `lines`,
/// one message each, then closes the sending side and reads the server's reply.
pub async fn run(lines: &[Vec<u8>], session: bool) -> Result<Run, BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await?;
        serve(socket, session).await
    });

    let start = Instant::now();
    let socket = TcpStream::connect(addr).await?;
    socket.set_nodelay(true)?;
    let written = Arc::new(AtomicU64::new(0));
    let socket = CountingSocket { inner: socket, written: Arc::clone(&written) };
    let mut framed = Framed::new(socket, CpzCodec::new().with_session(session));
    let mut sent = Counts::default();
    for line in lines {
        // `feed` queues without flushing; Framed writes out when its buffer fills, and
        // the close below sends the rest.
        framed.feed(Bytes::copy_from_slice(line)).await?;
        sent.add(line);
    }
    // The end frame says every line was sent; closing the sink flushes and half-closes
    // the socket (shutdown of its write side): the server sees the end of the messages
    // and can still answer.
    framed.feed(EndOfStream).await?;
    SinkExt::<Bytes>::close(&mut framed).await?;
    let reply = match framed.next().await {
        Some(reply) => String::from_utf8(reply?.to_vec())?,
        None => return Err("the server closed without a reply".into()),
    };
    let served = server.await??;
    Ok(Run { sent, served, reply, on_the_wire: written.load(Ordering::Relaxed), wall: start.elapsed() })
}

/// The lines of a file, each with its line end.
pub fn read_lines(path: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(lines);
        }
        lines.push(line);
    }
}

pub fn print_summary(path: &Path, session: bool, r: &Run) {
    let ratio = r.sent.bytes as f64 / r.on_the_wire.max(1) as f64;
    let per_s = r.sent.lines as f64 / r.wall.as_secs_f64().max(1e-9);
    println!("framed_service: {} ({} mode)", path.display(), if session { "session" } else { "independent" });
    println!("  sent         {:>10} lines {:>12} bytes", r.sent.lines, r.sent.bytes);
    println!("  on the wire  {:>10}       {:>12} bytes  ratio {ratio:.2}", "", r.on_the_wire);
    println!("  served       {:>10} lines {:>12} bytes  {per_s:.0} lines/s", r.served.lines, r.served.bytes);
    println!("  reply        {}", r.reply);
    println!("  result       {}", if r.sent == r.served { "every line counted" } else { "MISMATCH" });
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args_os().skip(1).collect::<Vec<_>>();
    let independent = args.iter().any(|a| a == "--independent");
    args.retain(|a| a != "--independent");
    let path = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/apache_access.log"));
    let lines = read_lines(&path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let r = runtime.block_on(run(&lines, !independent))?;
    print_summary(&path, !independent, &r);
    if r.sent != r.served {
        return Err("the server counted other lines than were sent".into());
    }
    Ok(())
}
