//! COMP-3 (packed decimal) at memory speed: unpack and pack of whole columns, and of
//! single values, in GB/s of packed bytes on one core, beside a straightforward
//! nibble-by-nibble codec measured in the same run (these machines are shared and
//! noisy, so the ratio is the steadier figure).
//!
//! Each case converts one block (1 MiB of records) over and over, as the record layer
//! converts each block while it is in cache: the figures are the conversion's. (Over a
//! 64 MiB column the `i64` values alone are 8 bytes per field, and on these machines
//! memory bandwidth, not the conversion, then sets the pace.)
//!
//! `cargo bench --bench comp3 [-- MIB]` (default: 64 MiB of packed bytes per case).

use std::hint::black_box;
use std::time::{Duration, Instant};

use cobol_protocol::layers::cobol::packed::{
    pack_column_i64, pack_i64, unpack_column_i64, unpack_i64, PackedColumn, SignRule,
};
use cobol_protocol::layers::cobol::Column;

/// Bytes of records converted per call.
const BLOCK: usize = 1 << 20;

/// Values of up to `digits` digits, both signs, from a fixed generator.
fn values(n: usize, digits: u32, signed: bool) -> Vec<i64> {
    let limit = 10u64.pow(digits);
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = (x % limit) as i64;
            if signed && x & (1 << 40) != 0 {
                -m
            } else {
                m
            }
        })
        .collect()
}

/// The obvious codec: one nibble at a time.
fn naive_unpack(field: &[u8]) -> Option<i64> {
    let mut m: i64 = 0;
    for (i, &b) in field.iter().enumerate() {
        let hi = b >> 4;
        let lo = b & 0xF;
        if hi > 9 {
            return None;
        }
        m = m * 10 + hi as i64;
        if i + 1 < field.len() {
            if lo > 9 {
                return None;
            }
            m = m * 10 + lo as i64;
        } else if lo < 0xA {
            return None;
        } else if lo == 0xB || lo == 0xD {
            m = -m;
        }
    }
    Some(m)
}

fn naive_pack(value: i64, sign: u8, out: &mut [u8]) {
    let mut m = value.unsigned_abs();
    let last = out.len() - 1;
    out[last] = ((m % 10) as u8) << 4 | sign;
    m /= 10;
    for byte in out[..last].iter_mut().rev() {
        let lo = (m % 10) as u8;
        m /= 10;
        let hi = (m % 10) as u8;
        m /= 10;
        *byte = hi << 4 | lo;
    }
}

/// Best of `runs` timings of `f`, in GB/s of `bytes`.
fn best_gbps(bytes: usize, runs: usize, mut f: impl FnMut()) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
    }
    bytes as f64 / best.as_secs_f64() / 1e9
}

fn main() {
    let mib: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(64);
    println!("COMP-3, one core, a 1 MiB block of records converted until {mib} MiB of packed bytes, best of 5");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "field", "unpack", "naive", "x naive", "pack", "naive", "x naive"
    );
    for (name, len, signed, record_len) in [
        ("S9(5) COMP-3, 3 bytes, packed", 3usize, true, 3usize),
        ("S9(9)V99 COMP-3, 6 bytes, packed", 6, true, 6),
        ("S9(15) COMP-3, 8 bytes, packed", 8, true, 8),
        ("S9(17) COMP-3, 9 bytes, packed", 9, true, 9),
        ("S9(9)V99 COMP-3 in 100-byte records", 6, true, 100),
    ] {
        // One block of records, converted over and over.
        let n = BLOCK / record_len;
        let reps = ((mib << 20) / (n * len)).max(1);
        let digits = (2 * len - 1) as u32;
        let vals = values(n, digits.min(18), signed);
        let rule = SignRule::from_signed(signed);
        let col = Column { record_len, offset: record_len - len, len };
        let mut data = vec![0x40u8; n * record_len];
        let column = PackedColumn { values: vals.clone(), exceptions: Vec::new() };
        pack_column_i64(&column, col, rule, &mut data).expect("values fit");
        let bytes = n * len * reps;

        let unpack = best_gbps(bytes, 5, || {
            for _ in 0..reps {
                black_box(unpack_column_i64(black_box(&data), col, rule).unwrap());
            }
        });
        let naive_un = best_gbps(bytes, 5, || {
            for _ in 0..reps {
                let mut sum = 0i64;
                for rec in black_box(&data).chunks_exact(record_len) {
                    sum = sum.wrapping_add(naive_unpack(&rec[col.offset..col.offset + len]).unwrap_or(0));
                }
                black_box(sum);
            }
        });
        let mut out = vec![0x40u8; data.len()];
        let pack = best_gbps(bytes, 5, || {
            for _ in 0..reps {
                pack_column_i64(black_box(&column), col, rule, &mut out).unwrap();
            }
        });
        assert!(out == data, "{name}: pack(unpack(x)) == x");
        let naive_p = best_gbps(bytes, 5, || {
            for _ in 0..reps {
                for (rec, &v) in out.chunks_exact_mut(record_len).zip(black_box(&vals)) {
                    naive_pack(v, rule.expected(v < 0), &mut rec[col.offset..col.offset + len]);
                }
                black_box(&out);
            }
        });
        assert!(out == data, "{name}: the naive codec agrees");
        println!(
            "{name:<34} {unpack:>7.2} GB/s {naive_un:>5.2} GB/s {:>9.1}x {pack:>7.2} GB/s {naive_p:>5.2} GB/s {:>9.1}x",
            unpack / naive_un,
            pack / naive_p
        );
    }

    // Single values through the public one-value API.
    let n = BLOCK / 6;
    let reps = (mib << 20) / BLOCK;
    let vals = values(n, 11, true);
    let mut packed = vec![0u8; n * 6];
    for (field, &v) in packed.chunks_exact_mut(6).zip(&vals) {
        pack_i64(v, if v < 0 { 0xD } else { 0xC }, field).unwrap();
    }
    let one_unpack = best_gbps(packed.len() * reps, 5, || {
        for _ in 0..reps {
            let mut sum = 0i64;
            for field in black_box(&packed).chunks_exact(6) {
                sum = sum.wrapping_add(unpack_i64(field).map_or(0, |p| p.value));
            }
            black_box(sum);
        }
    });
    let mut out = vec![0u8; packed.len()];
    let one_pack = best_gbps(packed.len() * reps, 5, || {
        for _ in 0..reps {
            for (field, &v) in out.chunks_exact_mut(6).zip(black_box(&vals)) {
                pack_i64(v, if v < 0 { 0xD } else { 0xC }, field).unwrap();
            }
            black_box(&out);
        }
    });
    assert!(out == packed);
    println!("single values, 6 bytes: unpack_i64 {one_unpack:.2} GB/s, pack_i64 {one_pack:.2} GB/s");
}
