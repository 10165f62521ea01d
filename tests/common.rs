//! Helpers shared by the integration tests.
#![allow(dead_code)]

use cobol_protocol::layers::cobol::{Charset, RecordLayout};
use cobol_protocol::layers::l2_records::{write_value, RecordSpec};

/// The numbers after `seed` (made odd: xorshift64 stays at 0 from 0), so that
/// failures reproduce.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Deterministic pseudo-random bytes.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut next = xorshift(seed);
    (0..len).map(|_| (next() >> 24) as u8).collect()
}

/// Log-like text: timestamps, levels, counters and repeated phrases.
pub fn log_lines(lines: usize, seed: u64) -> Vec<u8> {
    let words = ["GET", "POST", "/index.html", "/api/v1/items", "200", "404", "user", "session", "timeout", "ok"];
    let mut next = xorshift(seed);
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

/// The copybook of `bank_txn.dat`'s records.
pub const BANK: &str = include_str!("cobol/bank_txn.cpy");

/// Records shaped like `bank_txn.dat`'s: skewed accounts, running balances, dates
/// that advance, a counter, descriptions from a few templates.
pub fn bank_records(n: usize) -> Vec<u8> {
    let layout = RecordLayout::from_copybook(BANK).unwrap();
    let spec = RecordSpec::from_layout(&layout, Charset::Ascii).unwrap();
    let mut next = xorshift(0x2545_F491_4F6C_DD1D);
    let mut rnd = move |m: u64| next() % m;
    let mut balances = vec![0i128; 500];
    let mut out = Vec::with_capacity(n * 69);
    for i in 0..n {
        let r = rnd(1000) as usize;
        let k = r * r / 2000;
        let code = rnd(4);
        let amount = match code {
            0 => -(100 + rnd(25000) as i128),
            1 => -2000 * (1 + rnd(15) as i128),
            2 => 5000 + rnd(300000) as i128,
            _ => -250,
        };
        balances[k] += amount;
        let values = [1_000_000_000 + k as i128 * 1_048_573, 20230101 + (i * 365 / n) as i128, amount, balances[k]];
        for (c, v) in spec.columns.iter().zip(values) {
            let mut f = vec![0; c.len];
            write_value(v, c.kind, Charset::Ascii, &mut f).unwrap();
            out.extend_from_slice(&f);
        }
        let (code, desc) = match code {
            0 => ("POS ", format!("POS STORE {} #{:04}", rnd(16), rnd(9999))),
            1 => ("ATM ", format!("ATM WITHDRAWAL TERM {:04}", rnd(800))),
            2 => ("DEP ", "BRANCH DEPOSIT".to_string()),
            _ => ("FEE ", "ATM FEE NON-NETWORK".to_string()),
        };
        out.extend_from_slice(code.as_bytes());
        out.extend_from_slice(format!("{desc:<30}").as_bytes());
        let mut counter = [0u8; 4];
        write_value(i as i128 + 1, spec.columns[6].kind, Charset::Ascii, &mut counter).unwrap();
        out.extend_from_slice(&counter);
    }
    out
}
