//! Probe (not part of the product): how fast, and how small, a single-pass split of
//! the simplest kind is: each line cut at a fixed set of delimiters, a token with a
//! digit a variable (all digits: an integer, delta-coded per template slot; else a
//! dictionary entry), the line with its variables taken out its template; no survey,
//! no shapes, no relations. Its streams go through zstd at a given level. Measured
//! on each file against zstd -3 and -19 on the raw file and against a SHA-256 of it,
//! in the same process.
//!
//! Copy into `cli/examples/` (it needs the `zstd` and `sha2` crates the command has),
//! then `cargo run --release -p cobolp --example clp_probe -- LEVEL FILES...`

use std::time::Instant;

use cobol_protocol::layers::fast_hash::FastMap as Map;
use cobol_protocol::layers::varint::put as put_varint;
use sha2::Digest;

/// Byte classes: 1 a delimiter, 2 a digit, 0 anything else.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let delimiters = b" \t,=[]()\":;{}\r";
    let mut i = 0;
    while i < delimiters.len() {
        t[delimiters[i] as usize] = 1;
        i += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = 2;
        d += 1;
    }
    t
};

#[allow(dead_code)]
fn is_delimiter(b: u8) -> bool {
    CLASS[b as usize] == 1
}

#[derive(Default)]
struct Streams {
    ids: Vec<u8>,
    templates: Vec<u8>,
    ints: Vec<u8>,
    dict_refs: Vec<u8>,
    dict_new: Vec<u8>,
}

/// One pass over `block`, line by line.
fn split(block: &[u8]) -> Streams {
    let mut s = Streams::default();
    let mut templates: Map<Vec<u8>, u32> = Map::default();
    // Per template, the last value of each integer slot.
    let mut last: Vec<Vec<u64>> = Vec::new();
    let mut dict: Map<&[u8], u32> = Map::default();
    let mut key: Vec<u8> = Vec::with_capacity(256);
    let mut ints: Vec<u64> = Vec::with_capacity(32);
    let mut refs: Vec<(&[u8], bool)> = Vec::with_capacity(32);
    for line in block.split(|&b| b == b'\n') {
        key.clear();
        ints.clear();
        refs.clear();
        let mut i = 0;
        while i < line.len() {
            let start = i;
            let (mut digits, mut others) = (0usize, 0usize);
            while i < line.len() {
                let c = CLASS[line[i] as usize];
                if c == 1 {
                    break;
                }
                digits += usize::from(c == 2);
                others += usize::from(c == 0);
                i += 1;
            }
            let token = &line[start..i];
            if digits > 0 {
                let all_digits = others == 0;
                if all_digits && token.len() <= 18 && (token.len() == 1 || token[0] != b'0') {
                    key.push(0x11);
                    ints.push(token.iter().fold(0u64, |v, &d| v * 10 + u64::from(d - b'0')));
                } else {
                    key.push(0x12);
                    refs.push((token, true));
                }
            } else {
                key.extend_from_slice(token);
            }
            if i < line.len() {
                key.push(line[i]);
                i += 1;
            }
        }
        let next = templates.len() as u32;
        let id = match templates.get(key.as_slice()) {
            Some(&id) => id,
            None => {
                templates.insert(key.clone(), next);
                s.templates.extend_from_slice(&key);
                s.templates.push(b'\n');
                last.push(vec![0; ints.len()]);
                next
            }
        };
        put_varint(&mut s.ids, u64::from(id));
        let slots = &mut last[id as usize];
        for (slot, &v) in ints.iter().enumerate() {
            let delta = v.wrapping_sub(slots[slot]) as i64;
            put_varint(&mut s.ints, ((delta << 1) ^ (delta >> 63)) as u64);
            slots[slot] = v;
        }
        for &(token, _) in &refs {
            let next = dict.len() as u32;
            match dict.get(token) {
                Some(&d) => put_varint(&mut s.dict_refs, u64::from(d) + 1),
                None => {
                    dict.insert(token, next);
                    s.dict_refs.push(0);
                    s.dict_new.extend_from_slice(token);
                    s.dict_new.push(b'\n');
                }
            }
        }
    }
    s
}

fn best_of<T>(rounds: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..rounds {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let level: i32 = args[1].parse().expect("a zstd level");
    const BLOCK: usize = 2 << 20;
    println!(
        "{:<22} {:>9} {:>8} {:>8} {:>8} | {:>7} {:>7} {:>7} {:>7}",
        "file", "bytes", "probe", "zstd-3", "zstd-19", "split", "coding", "sha", "all"
    );
    for path in &args[2..] {
        let data = std::fs::read(path).expect("readable file");
        let rounds = (40_000_000 / data.len().max(1)).clamp(3, 50);
        let (t_z3, z3) = best_of(rounds, || zstd::bulk::compress(&data, 3).unwrap().len());
        let z19 = zstd::bulk::compress(&data, 19).unwrap().len();
        let (t_sha, _) = best_of(rounds, || sha2::Sha256::digest(&data));
        let (t_split, all) = best_of(rounds, || data.chunks(BLOCK).map(split).collect::<Vec<_>>());
        let code = |s: &Streams, level: i32| -> usize {
            [&s.ids, &s.templates, &s.ints, &s.dict_refs, &s.dict_new]
                .iter()
                .map(|v| zstd::bulk::compress(v, level).unwrap().len())
                .sum()
        };
        let (t_code, size) = best_of(rounds, || all.iter().map(|s| code(s, level)).sum::<usize>());
        let size19: usize = all.iter().map(|s| code(s, 19)).sum();
        let name = std::path::Path::new(path).file_name().unwrap().to_string_lossy();
        println!(
            "{:<22} {:>9} {:>8} {:>8} {:>8} | {:>7.2} {:>7.2} {:>7.2} {:>7.2}   ratio/zstd-19 {:.2} (streams at zstd -19: {:.2})",
            name,
            data.len(),
            size,
            z3,
            z19,
            t_split / t_z3,
            t_code / t_z3,
            t_sha / t_z3,
            (t_split + t_code + t_sha) / t_z3,
            z19 as f64 / size as f64,
            z19 as f64 / size19 as f64
        );
    }
    println!("times as multiples of zstd -3's compression time on the same file");
}
