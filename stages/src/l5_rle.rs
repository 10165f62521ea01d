//! L5 RLE: takes long runs of one byte value out of a byte stream.
//!
//! A `Bytes` stream becomes two streams, in this order: the same bytes with every run
//! of at least [`MIN_RUN`] equal bytes removed, and an `RleRuns` stream describing the
//! runs. The runs stream is: varint run count, then per run a varint `gap` (bytes of
//! the reduced stream since the previous run, or since the start), a varint
//! `length - MIN_RUN`, and the byte value.
//!
//! Runs this long are where the match search spends its time for little gain (zero
//! pages in binaries, space padding in fixed-width records), so removing them first
//! makes L6 faster and its window reach further.

use crate::block::{Block, Layer, LayerId, Stream, StreamKind};
use crate::error::{Error, Result};
use crate::varint;

/// Shortest run worth describing; shorter runs are left to L6.
pub const MIN_RUN: usize = 32;

/// The layer declines unless runs cover at least 1/`PAYS_FRACTION` of the input.
const PAYS_FRACTION: usize = 64;

/// A run found in the input: `start` in the input, `len` bytes of `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    start: usize,
    len: usize,
    value: u8,
}

/// Finds every maximal run of at least `MIN_RUN` equal bytes.
///
/// Any such run fully covers some 16-aligned window of 16 bytes, so it suffices to
/// test one window per 16 bytes and extend from the hits.
fn find_runs(data: &[u8]) -> Vec<Run> {
    const WINDOW: usize = 16;
    let mut runs = Vec::new();
    let mut p = 0;
    let mut covered_to = 0;
    while p + WINDOW <= data.len() {
        let window: &[u8; WINDOW] = data[p..p + WINDOW].try_into().expect("window is 16 bytes");
        let v = window[0];
        if p >= covered_to && u128::from_ne_bytes(*window) == u128::from_ne_bytes([v; WINDOW]) {
            let mut start = p;
            while start > covered_to && data[start - 1] == v {
                start -= 1;
            }
            let mut end = p + WINDOW;
            while end < data.len() && data[end] == v {
                end += 1;
            }
            if end - start >= MIN_RUN {
                runs.push(Run { start, len: end - start, value: v });
            }
            covered_to = end;
            p = end.div_ceil(WINDOW) * WINDOW;
            continue;
        }
        p += WINDOW;
    }
    runs
}

/// Splits `data` into the reduced bytes and the runs description, if runs pay.
pub fn encode(data: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let runs = find_runs(data);
    let run_bytes: usize = runs.iter().map(|r| r.len).sum();
    if runs.is_empty() || run_bytes < data.len() / PAYS_FRACTION {
        return None;
    }
    let mut reduced = Vec::with_capacity(data.len() - run_bytes);
    let mut desc = Vec::with_capacity(runs.len() * 4 + 4);
    varint::put(&mut desc, runs.len() as u64);
    let mut pos = 0;
    for run in &runs {
        reduced.extend_from_slice(&data[pos..run.start]);
        varint::put(&mut desc, (run.start - pos) as u64);
        varint::put(&mut desc, (run.len - MIN_RUN) as u64);
        desc.push(run.value);
        pos = run.start + run.len;
    }
    reduced.extend_from_slice(&data[pos..]);
    Some((reduced, desc))
}

/// Puts the runs back. The result may be at most `cap` bytes long.
pub fn decode(reduced: &[u8], desc: &[u8], cap: usize) -> Result<Vec<u8>> {
    let mut dpos = 0;
    let count = varint::get_capped(desc, &mut dpos, (cap / MIN_RUN) as u64, "run count")?;
    let mut out = Vec::new();
    let mut rpos = 0;
    for _ in 0..count {
        let gap = varint::get(desc, &mut dpos)?;
        let extra = varint::get(desc, &mut dpos)?;
        let value = *desc.get(dpos).ok_or(Error::Truncated { what: "run", needed: 1 })?;
        dpos += 1;
        let left = (reduced.len() - rpos) as u64;
        if gap > left {
            return Err(Error::corrupt("rle runs", format!("gap of {gap} bytes, only {left} left")));
        }
        let gap = gap as usize;
        let room = (cap - out.len().min(cap)) as u64;
        let len = extra.saturating_add(MIN_RUN as u64);
        // Saturating: a run length near 2^64 must be refused, not wrap into a small one.
        if (gap as u64).saturating_add(len) > room {
            return Err(Error::TooLarge {
                what: "rle output",
                value: (out.len() as u64).saturating_add(gap as u64).saturating_add(len),
                limit: cap as u64,
            });
        }
        out.extend_from_slice(&reduced[rpos..rpos + gap]);
        rpos += gap;
        out.resize(out.len() + len as usize, value);
    }
    if dpos != desc.len() {
        return Err(Error::corrupt("rle runs", "bytes after the last run"));
    }
    if out.len() + (reduced.len() - rpos) > cap {
        return Err(Error::TooLarge {
            what: "rle output",
            value: (out.len() + reduced.len() - rpos) as u64,
            limit: cap as u64,
        });
    }
    out.extend_from_slice(&reduced[rpos..]);
    Ok(out)
}

/// L5 as a layer: every `Bytes` stream with enough runs becomes `Bytes, RleRuns`.
#[derive(Debug, Default, Clone, Copy)]
pub struct RleLayer;

impl Layer for RleLayer {
    fn id(&self) -> LayerId {
        LayerId::Rle
    }

    fn encode(&self, block: &mut Block) -> Result<bool> {
        let mut streams = Vec::with_capacity(block.streams.len() + 1);
        let mut applied = false;
        for stream in block.streams.drain(..) {
            if stream.kind == StreamKind::Bytes {
                if let Some((reduced, desc)) = encode(&stream.data) {
                    streams.push(Stream::new(StreamKind::Bytes, reduced));
                    streams.push(Stream::new(StreamKind::RleRuns, desc));
                    applied = true;
                    continue;
                }
            }
            streams.push(stream);
        }
        block.streams = streams;
        if applied {
            block.layers.insert(LayerId::Rle);
        }
        Ok(applied)
    }

    fn decode(&self, block: &mut Block) -> Result<()> {
        let cap = Block::stream_cap(block.original_len);
        let mut streams: Vec<Stream> = Vec::with_capacity(block.streams.len());
        for stream in block.streams.drain(..) {
            if stream.kind == StreamKind::RleRuns {
                let Some(prev) = streams.last_mut().filter(|s| s.kind == StreamKind::Bytes) else {
                    return Err(Error::corrupt("rle runs", "not preceded by a bytes stream"));
                };
                prev.data = decode(&prev.data, &stream.data, cap)?;
                continue;
            }
            streams.push(stream);
        }
        block.streams = streams;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(data: &[u8]) {
        let mut block = Block::from_input(data.to_vec());
        let applied = RleLayer.encode(&mut block).unwrap();
        if !applied {
            assert_eq!(block, Block::from_input(data.to_vec()), "a declined layer leaves the block alone");
        }
        RleLayer.decode(&mut block).unwrap();
        assert_eq!(block.into_single_bytes().unwrap(), data);
    }

    /// Arbitrary bytes with runs of arbitrary lengths spliced in, so the layer applies.
    fn runny() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..40), any::<u8>(), 0usize..200), 0..20)
            .prop_map(|parts| {
                let mut out = Vec::new();
                for (lit, v, n) in parts {
                    out.extend_from_slice(&lit);
                    out.resize(out.len() + n, v);
                }
                out
            })
    }

    proptest! {
        #[test]
        fn round_trips_arbitrary(data in proptest::collection::vec(any::<u8>(), 0..3000)) {
            round_trip(&data);
        }

        #[test]
        fn round_trips_runs(data in runny()) {
            round_trip(&data);
        }

        #[test]
        fn finds_exactly_the_long_runs(data in runny()) {
            let runs = find_runs(&data);
            let mut expected = Vec::new();
            let mut i = 0;
            while i < data.len() {
                let mut j = i;
                while j < data.len() && data[j] == data[i] { j += 1; }
                if j - i >= MIN_RUN { expected.push(Run { start: i, len: j - i, value: data[i] }); }
                i = j;
            }
            prop_assert_eq!(runs, expected);
        }

        #[test]
        fn decode_never_panics(reduced in proptest::collection::vec(any::<u8>(), 0..100),
                               desc in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = decode(&reduced, &desc, 10_000);
        }
    }

    #[test]
    fn a_run_as_long_as_a_u64_allows_is_refused_not_wrapped() {
        // One run: a gap of 1 byte, then a length that with the gap passes 2^64.
        let mut desc = Vec::new();
        varint::put(&mut desc, 1);
        varint::put(&mut desc, 1);
        varint::put(&mut desc, u64::MAX - MIN_RUN as u64);
        desc.push(b'x');
        assert!(matches!(decode(b"ab", &desc, 10_000), Err(Error::TooLarge { what: "rle output", .. })));
    }

    #[test]
    fn applies_on_zero_pages_and_declines_on_text() {
        let mut data = b"header".to_vec();
        data.resize(10_000, 0);
        data.extend_from_slice(b"trailer");
        let mut block = Block::from_input(data.clone());
        assert!(RleLayer.encode(&mut block).unwrap());
        assert!(block.stream_bytes() < 40);
        round_trip(&data);

        let mut text = Block::from_input(b"no runs here, only words".repeat(100));
        assert!(!RleLayer.encode(&mut text).unwrap());
    }

    #[test]
    fn decode_enforces_cap() {
        let (reduced, desc) = encode(&[9u8; 5000]).unwrap();
        assert!(decode(&reduced, &desc, 4999).is_err());
        assert_eq!(decode(&reduced, &desc, 5000).unwrap(), vec![9u8; 5000]);
    }
}
