//! Helpers shared by the integration tests.
#![allow(dead_code)]

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Log-like text: timestamps, levels, counters and repeated phrases.
pub fn log_lines(lines: usize, seed: u64) -> Vec<u8> {
    let words = ["GET", "POST", "/index.html", "/api/v1/items", "200", "404", "user", "session", "timeout", "ok"];
    let mut state = seed | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::new();
    for i in 0..lines {
        let r = next();
        out.extend_from_slice(
            format!(
                "2026-11-25T11:{:02}:{:02}.{:03}Z INFO [worker-{}] {} {} {} bytes={}\n",
                (i / 60) % 60,
                i % 60,
                r % 1000,
                r % 8,
                words[(r >> 8) as usize % words.len()],
                words[(r >> 16) as usize % words.len()],
                words[(r >> 24) as usize % words.len()],
                (r >> 32) % 100_000
            )
            .as_bytes(),
        );
    }
    out
}
