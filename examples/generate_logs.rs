//! Writes SIZE bytes (e.g. `4G`) of synthetic, realistic-looking log lines to stdout,
//! deterministically, for measuring on big inputs without committing them.
//!
//! `cargo run --release --example generate_logs -- 4G | cobolp compress -c > big.cpz`

use std::io::{self, BufWriter, Write};

fn main() -> io::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "64M".to_string());
    let Ok(size) = cobol_protocol::parse_size(&arg) else {
        eprintln!("usage: generate_logs SIZE   (e.g. 4G, 512M)");
        std::process::exit(2);
    };
    let paths = ["/", "/index.html", "/api/v1/orders", "/api/v1/orders/{id}", "/static/app.js", "/login", "/health"];
    let agents = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "okhttp/4.12.0", "Go-http-client/1.1"];
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut written = 0usize;
    let mut seconds = 1_700_000_000u64;
    let mut line = String::with_capacity(256);
    while written < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        seconds += state % 3;
        let path = paths[(state >> 8) as usize % paths.len()].replace("{id}", &((state >> 20) % 100_000).to_string());
        let status = [200, 200, 200, 200, 304, 404, 500][(state >> 12) as usize % 7];
        line.clear();
        use std::fmt::Write as _;
        let _ = writeln!(
            line,
            "10.{}.{}.{} - - [{}] \"GET {} HTTP/1.1\" {} {} \"-\" \"{}\" rt={}.{:03}",
            (state >> 24) % 4,
            (state >> 32) % 256,
            (state >> 40) % 256,
            seconds,
            path,
            status,
            (state >> 16) % 50_000,
            agents[(state >> 48) as usize % agents.len()],
            (state >> 52) % 3,
            (state >> 54) % 1000
        );
        let bytes = &line.as_bytes()[..line.len().min(size - written)];
        out.write_all(bytes)?;
        written += bytes.len();
    }
    out.flush()
}
