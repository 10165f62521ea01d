//! The coded table of method 3: the code lengths themselves Huffman-coded. A packed
//! table spends four bits on every symbol up to the highest used one; a stream of a
//! small block (a log's split streams, L6's offset codes) uses few of them and its
//! lengths crowd around a few values, so coding the lengths takes about half the
//! bytes. On a small log's output, the tables were 3-8% of the bytes.
//!
//! ```text
//! coded_table := max_sym:u8  meta:6 bytes  lengths
//! ```
//!
//! `meta` holds the code length (0: unused, 1 to 11) of each length value 0 to 11,
//! two a byte, the even value in the low nibble; they must form a complete code (so
//! at least two values are used). `lengths` is the length of each symbol 0 to
//! `max_sym`, coded with that code (canonical, as the body's codes are: each code
//! sent most significant bit first, packed least significant bit first), padded with
//! zero bits to a whole byte. The lengths then pass the same checks as a packed
//! table's.

use super::bits::{BitReader, BitWriter, SYMBOLS_PER_FLUSH, SYMBOLS_PER_REFILL};
use super::decode::Table;
use super::lengths::{check_lengths, kraft_sum, limited_lengths, reversed_codes, MAX_LEN, TABLE_SIZE};
use crate::error::{Error, Result};

/// Length values 0 to [`MAX_LEN`].
const VALUES: usize = MAX_LEN as usize + 1;
const META_BYTES: usize = VALUES / 2;

/// The code of the length values of `lens` (symbols 0 to `max_sym`), or `None` when
/// fewer than two values occur (no code to build: the packed table serves).
fn meta_code(lens: &[u8; 256], max_sym: usize) -> Option<[u8; 256]> {
    let mut counts = [0u64; 256];
    for &l in &lens[..=max_sym] {
        counts[usize::from(l)] += 1;
    }
    (counts.iter().filter(|&&c| c > 0).count() >= 2).then(|| limited_lengths(&counts))
}

fn highest(lens: &[u8; 256]) -> usize {
    lens.iter().rposition(|&l| l > 0).unwrap_or(0)
}

/// The code of a table's lengths, worked out once for its size and its writing.
pub(super) struct CodedTable {
    max_sym: usize,
    meta: [u8; 256],
    /// Bytes [`write_coded_lengths`] writes.
    pub(super) size: usize,
}

/// The coded table of `lens`, or `None` when it cannot be coded (one length value).
pub(super) fn coded_table(lens: &[u8; 256]) -> Option<CodedTable> {
    let max_sym = highest(lens);
    let meta = meta_code(lens, max_sym)?;
    let bits: usize = lens[..=max_sym].iter().map(|&l| usize::from(meta[usize::from(l)])).sum();
    Some(CodedTable { max_sym, meta, size: 1 + META_BYTES + bits.div_ceil(8) })
}

/// Appends `table`, the coded table of `lens`.
pub(super) fn write_coded_lengths(lens: &[u8; 256], table: &CodedTable, out: &mut Vec<u8>) {
    let CodedTable { max_sym, meta, .. } = *table;
    out.push(max_sym as u8);
    out.extend(meta[..VALUES].chunks(2).map(|pair| pair[0] | (pair[1] << 4)));
    let codes = reversed_codes(&meta);
    let start = out.len();
    let bits: usize = lens[..=max_sym].iter().map(|&l| usize::from(meta[usize::from(l)])).sum();
    // The writer stores whole words: 8 spare bytes, cut off after.
    out.resize(start + bits.div_ceil(8) + 8, 0);
    let mut writer = BitWriter::new(&mut out[start..]);
    for chunk in lens[..=max_sym].chunks(SYMBOLS_PER_FLUSH) {
        for &l in chunk {
            let l = usize::from(l);
            writer.put(u64::from(codes[l]), u32::from(meta[l]));
        }
        writer.flush();
    }
    let written = writer.finish();
    out.truncate(start + written);
}

/// Reads and checks a coded table at `*pos`.
pub(super) fn read_coded_lengths(input: &[u8], pos: &mut usize) -> Result<[u8; 256]> {
    let head = input
        .get(*pos..*pos + 1 + META_BYTES)
        .ok_or_else(|| Error::Truncated { what: "coded huffman table", needed: *pos + 1 + META_BYTES - input.len() })?;
    let max_sym = usize::from(head[0]);
    let mut meta = [0u8; 256];
    for (i, &b) in head[1..].iter().enumerate() {
        meta[2 * i] = b & 15;
        meta[2 * i + 1] = b >> 4;
    }
    if meta.iter().any(|&l| u32::from(l) > MAX_LEN) {
        return Err(Error::corrupt("coded huffman table", "a length code longer than 11 bits"));
    }
    if kraft_sum(&meta) != TABLE_SIZE as u32 {
        return Err(Error::corrupt("coded huffman table", "the code of the lengths is not complete"));
    }
    *pos += 1 + META_BYTES;

    // The lengths are read as the body's symbols are: one look-up each.
    let table = Table::new(&meta);
    let mut reader = BitReader::new(*pos, input.len());
    let available = (input.len() - *pos) as u64 * 8;
    let mut lens = [0u8; 256];
    // A refill for five lengths (each code at most 11 bits), and one that loads a
    // whole word where eight bytes are left: a small block has dozens of coded tables,
    // and a careful refill for every length was a quarter of reading them.
    for chunk in lens[..=max_sym].chunks_mut(SYMBOLS_PER_REFILL) {
        if reader.pos() + 8 <= input.len() {
            reader.refill_fast(input);
        } else {
            reader.refill_safe(input);
        }
        for len in chunk {
            *len = table.decode(&mut reader);
        }
    }
    let used = reader.consumed_bits();
    if used > available {
        return Err(Error::Truncated { what: "coded huffman table", needed: (used - available).div_ceil(8) as usize });
    }
    let bit = *pos * 8 + used as usize;
    let end = bit.div_ceil(8);
    if bit % 8 != 0 && input[end - 1] >> (bit % 8) != 0 {
        return Err(Error::corrupt("coded huffman table", "padding bits are not zero"));
    }
    *pos = end;
    check_lengths(&lens, max_sym)?;
    Ok(lens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lengths_of(counts: &[u64]) -> [u8; 256] {
        let mut freq = [0u64; 256];
        freq[..counts.len()].copy_from_slice(counts);
        limited_lengths(&freq)
    }

    #[test]
    fn a_sparse_table_codes_smaller_than_packed() {
        // Printable ASCII text: a hundred symbols used out of the first 127.
        let counts: Vec<u64> = (0..127u64).map(|s| if s >= 32 && s % 5 != 0 { 1 + s * 7 % 90 } else { 0 }).collect();
        let lens = lengths_of(&counts);
        let coded = coded_table(&lens).unwrap();
        assert!(coded.size < super::super::lengths::lengths_size(&lens), "{}", coded.size);
        let mut out = Vec::new();
        write_coded_lengths(&lens, &coded, &mut out);
        assert_eq!(out.len(), coded.size);
    }

    #[test]
    fn one_length_value_has_no_coded_table() {
        let lens = lengths_of(&[5; 256]);
        assert!(lens.iter().all(|&l| l == 8));
        assert!(coded_table(&lens).is_none());
    }

    proptest! {
        #[test]
        fn coded_tables_round_trip(counts in proptest::collection::vec(0u64..5000, 2..256)) {
            prop_assume!(counts.iter().filter(|&&c| c > 0).count() >= 2);
            let lens = lengths_of(&counts);
            if let Some(table) = coded_table(&lens) {
                let size = table.size;
                let mut out = vec![0xAA];
                write_coded_lengths(&lens, &table, &mut out);
                prop_assert_eq!(out.len(), 1 + size);
                // Bytes after the table, as a body has: read with whole-word refills
                // until the last eight bytes, whose bits must not be taken.
                out.extend_from_slice(&[0x55; 16]);
                let mut pos = 1;
                prop_assert_eq!(read_coded_lengths(&out, &mut pos).unwrap(), lens);
                prop_assert_eq!(pos, 1 + size);
            }
        }

        #[test]
        fn any_bytes_as_a_coded_table_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let mut pos = 0;
            if let Ok(lens) = read_coded_lengths(&bytes, &mut pos) {
                prop_assert!(pos <= bytes.len());
                prop_assert_eq!(kraft_sum(&lens), TABLE_SIZE as u32);
            }
        }
    }
}
