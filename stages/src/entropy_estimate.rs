//! Byte statistics: histograms and order-0 entropy, used to tell incompressible
//! blocks from the rest before any expensive layer runs.

/// Counts each byte value. Four tables break the store-to-load dependency that a
/// single table has on runs of equal bytes.
pub fn histogram(data: &[u8]) -> [u32; 256] {
    let mut tables = [[0u32; 256]; 4];
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        tables[0][c[0] as usize] += 1;
        tables[1][c[1] as usize] += 1;
        tables[2][c[2] as usize] += 1;
        tables[3][c[3] as usize] += 1;
    }
    for &b in chunks.remainder() {
        tables[0][b as usize] += 1;
    }
    let mut total = [0u32; 256];
    for (i, t) in total.iter_mut().enumerate() {
        *t = tables[0][i] + tables[1][i] + tables[2][i] + tables[3][i];
    }
    total
}

/// Shannon entropy of the byte distribution, in bits per byte (0.0 to 8.0).
pub fn bits_per_byte(data: &[u8]) -> f64 {
    bits_per_byte_of(&histogram(data), data.len())
}

/// Entropy from a histogram already counted over `len` bytes.
pub fn bits_per_byte_of(hist: &[u32; 256], len: usize) -> f64 {
    if len == 0 {
        return 0.0;
    }
    let n = len as f64;
    hist.iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_bounds() {
        assert_eq!(bits_per_byte(b""), 0.0);
        assert_eq!(bits_per_byte(&[7u8; 1000]), 0.0);
        let all: Vec<u8> = (0..=255u8).cycle().take(256 * 16).collect();
        assert!((bits_per_byte(&all) - 8.0).abs() < 1e-9);
        assert!((bits_per_byte(b"abab") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn histogram_counts_every_byte() {
        let data: Vec<u8> = (0..1003u32).map(|i| (i * 7 % 251) as u8).collect();
        let h = histogram(&data);
        assert_eq!(h.iter().map(|&c| c as usize).sum::<usize>(), data.len());
        assert_eq!(h[0], data.iter().filter(|&&b| b == 0).count() as u32);
    }
}
