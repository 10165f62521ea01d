//! A measurement kept for the record (docs/ARCHITECTURE.md, "What the SHA-256
//! costs"): SHA-256's block function with the SHA extensions, one message at a time
//! and two messages interleaved, against the sha2 crate, to see whether the rounds'
//! dependency chain leaves room for a second message. Not part of any build: copy it
//! to `examples/` and `cargo run --release --example sha_two_at_once` (x86-64 with
//! the SHA extensions). It checks both functions against the crate's digests first.
#![allow(unsafe_code)]

use std::arch::x86_64::*;
use std::time::Instant;

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

/// The state as the rounds want it: (ABEF, CDGH).
#[target_feature(enable = "sha,sse4.1,ssse3")]
unsafe fn to_lanes(h: &[u32; 8]) -> (__m128i, __m128i) {
    let abcd = _mm_loadu_si128(h.as_ptr().cast());
    let efgh = _mm_loadu_si128(h.as_ptr().add(4).cast());
    let cdab = _mm_shuffle_epi32(abcd, 0xB1);
    let hgfe = _mm_shuffle_epi32(efgh, 0x1B);
    (_mm_alignr_epi8(cdab, hgfe, 8), _mm_blend_epi16(hgfe, cdab, 0xF0))
}

#[target_feature(enable = "sha,sse4.1,ssse3")]
unsafe fn from_lanes(abef: __m128i, cdgh: __m128i, h: &mut [u32; 8]) {
    let feba = _mm_shuffle_epi32(abef, 0x1B);
    let dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    let dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    let hgef = _mm_alignr_epi8(dchg, feba, 8);
    _mm_storeu_si128(h.as_mut_ptr().cast(), dcba);
    _mm_storeu_si128(h.as_mut_ptr().add(4).cast(), hgef);
}

/// A 64-byte block's sixteen message words, big-endian, four to a register.
#[target_feature(enable = "sha,sse4.1,ssse3")]
unsafe fn message(block: &[u8]) -> [__m128i; 4] {
    let swap = _mm_set_epi64x(0x0c0d0e0f08090a0b, 0x0405060700010203);
    let p = block.as_ptr();
    [0, 16, 32, 48].map(|at| _mm_shuffle_epi8(_mm_loadu_si128(p.add(at).cast()), swap))
}

macro_rules! schedule {
    ($w0:ident, $w1:ident, $w2:ident, $w3:ident) => {
        $w0 = _mm_sha256msg2_epu32(
            _mm_add_epi32(_mm_sha256msg1_epu32($w0, $w1), _mm_alignr_epi8($w3, $w2, 4)),
            $w3,
        );
    };
}

#[target_feature(enable = "sha,sse4.1,ssse3")]
unsafe fn compress1(h: &mut [u32; 8], data: &[u8]) {
    let (mut abef, mut cdgh) = to_lanes(h);
    for block in data.chunks_exact(64) {
        let (abef_in, cdgh_in) = (abef, cdgh);
        let mut w = message(block);
        for j in 0..16 {
            if j >= 4 {
                let [mut w0, w1, w2, w3] = [w[j % 4], w[(j + 1) % 4], w[(j + 2) % 4], w[(j + 3) % 4]];
                schedule!(w0, w1, w2, w3);
                w[j % 4] = w0;
            }
            let msg = _mm_add_epi32(w[j % 4], _mm_loadu_si128(K.as_ptr().add(4 * j).cast()));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(msg, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }
    from_lanes(abef, cdgh, h);
}

#[target_feature(enable = "sha,sse4.1,ssse3")]
unsafe fn compress2(ha: &mut [u32; 8], a: &[u8], hb: &mut [u32; 8], b: &[u8]) {
    let (mut abef_a, mut cdgh_a) = to_lanes(ha);
    let (mut abef_b, mut cdgh_b) = to_lanes(hb);
    for (block_a, block_b) in a.chunks_exact(64).zip(b.chunks_exact(64)) {
        let (abef_a_in, cdgh_a_in, abef_b_in, cdgh_b_in) = (abef_a, cdgh_a, abef_b, cdgh_b);
        let (mut wa, mut wb) = (message(block_a), message(block_b));
        for j in 0..16 {
            if j >= 4 {
                let [mut w0, w1, w2, w3] = [wa[j % 4], wa[(j + 1) % 4], wa[(j + 2) % 4], wa[(j + 3) % 4]];
                schedule!(w0, w1, w2, w3);
                wa[j % 4] = w0;
                let [mut w0, w1, w2, w3] = [wb[j % 4], wb[(j + 1) % 4], wb[(j + 2) % 4], wb[(j + 3) % 4]];
                schedule!(w0, w1, w2, w3);
                wb[j % 4] = w0;
            }
            let k = _mm_loadu_si128(K.as_ptr().add(4 * j).cast());
            let (msg_a, msg_b) = (_mm_add_epi32(wa[j % 4], k), _mm_add_epi32(wb[j % 4], k));
            cdgh_a = _mm_sha256rnds2_epu32(cdgh_a, abef_a, msg_a);
            cdgh_b = _mm_sha256rnds2_epu32(cdgh_b, abef_b, msg_b);
            abef_a = _mm_sha256rnds2_epu32(abef_a, cdgh_a, _mm_shuffle_epi32(msg_a, 0x0E));
            abef_b = _mm_sha256rnds2_epu32(abef_b, cdgh_b, _mm_shuffle_epi32(msg_b, 0x0E));
        }
        abef_a = _mm_add_epi32(abef_a, abef_a_in);
        cdgh_a = _mm_add_epi32(cdgh_a, cdgh_a_in);
        abef_b = _mm_add_epi32(abef_b, abef_b_in);
        cdgh_b = _mm_add_epi32(cdgh_b, cdgh_b_in);
    }
    from_lanes(abef_a, cdgh_a, ha);
    from_lanes(abef_b, cdgh_b, hb);
}

const H0: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// SHA-256's padding: the message, 0x80, zeros, and its length in bits.
fn padded(data: &[u8]) -> Vec<u8> {
    let mut m = data.to_vec();
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    m.extend_from_slice(&(data.len() as u64 * 8).to_be_bytes());
    m
}

fn digest_bytes(h: &[u32; 8]) -> Vec<u8> {
    h.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn reference(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

fn best(rounds: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    assert!(is_x86_feature_detected!("sha") && is_x86_feature_detected!("sse4.1"));
    let len = 2 << 20;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut bytes = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let (a, b) = (bytes(len), bytes(len));
    // Whole digests against the crate's, on every message length up to 300 bytes and
    // on the two 2 MiB messages.
    for n in 0..300 {
        let (ma, mb) = (padded(&a[..n]), padded(&b[..n]));
        let mut h = H0;
        unsafe { compress1(&mut h, &ma) };
        assert_eq!(digest_bytes(&h), reference(&a[..n]), "one at a time, {n} bytes");
        let (mut ha, mut hb) = (H0, H0);
        unsafe { compress2(&mut ha, &ma, &mut hb, &mb) };
        assert_eq!(digest_bytes(&ha), reference(&a[..n]), "two at a time (a), {n} bytes");
        assert_eq!(digest_bytes(&hb), reference(&b[..n]), "two at a time (b), {n} bytes");
    }
    let (ma, mb) = (padded(&a), padded(&b));
    let (mut ha, mut hb) = (H0, H0);
    unsafe { compress2(&mut ha, &ma, &mut hb, &mb) };
    assert_eq!((digest_bytes(&ha), digest_bytes(&hb)), (reference(&a), reference(&b)));
    println!("the block functions agree with sha2's");

    let rounds = 15;
    for _ in 0..2 {
        let crate_time = best(rounds, || {
            std::hint::black_box(reference(&a));
            std::hint::black_box(reference(&b));
        });
        let (a, b) = (&ma[..len], &mb[..len]);
        let one_time = best(rounds, || {
            let (mut ha, mut hb) = (H0, H0);
            unsafe {
                compress1(&mut ha, &a);
                compress1(&mut hb, &b);
            }
            std::hint::black_box((ha, hb));
        });
        let two_time = best(rounds, || {
            let (mut ha, mut hb) = (H0, H0);
            unsafe { compress2(&mut ha, &a, &mut hb, &b) };
            std::hint::black_box((ha, hb));
        });
        let gb = |t: f64| 2.0 * len as f64 / t / 1e9;
        println!(
            "two 2 MiB messages: sha2 crate {:.2} GB/s, one at a time {:.2} GB/s, two interleaved {:.2} GB/s ({:.2}x the crate)",
            gb(crate_time),
            gb(one_time),
            gb(two_time),
            crate_time / two_time
        );
    }
}
