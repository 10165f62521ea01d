use super::sequence::{RecentOffsets, SeqWriter, REPEAT_SECOND, REPEAT_THIRD};
use super::*;
use crate::block::LayerSet;
use proptest::prelude::*;

fn presets() -> [MatchParams; 6] {
    [MatchParams::fast(), MatchParams::default(), MatchParams::strong(), optimal(), whole_search(), fast_lazy()]
}

/// Legacy's level 1: the fast search, one step of lazy matching for short matches.
fn fast_lazy() -> MatchParams {
    MatchParams { lazy: 1, lazy_len: 16, hash_log: 17, ..MatchParams::fast() }
}

/// Legacy's lazy levels: few candidates, every one looked at, lazy two steps whatever
/// the match's length.
fn whole_search() -> MatchParams {
    MatchParams {
        search_depth: 8,
        lazy: 2,
        hash_len: 5,
        hash_log: 18,
        chain_log: 18,
        good_len: 1000,
        enough_len: 1000,
        lazy_len: 1000,
        ..MatchParams::default()
    }
}

/// The optimal parse, with a search shallow enough for the tests' many inputs.
fn optimal() -> MatchParams {
    MatchParams { search_depth: 32, optimal_passes: 2, ..MatchParams::strong() }
}

fn parts(group: &[Vec<u8>; 6]) -> [&[u8]; 6] {
    [0, 1, 2, 3, 4, 5].map(|i| group[i].as_slice())
}

fn round_trip(input: &[u8], params: &MatchParams) -> [Vec<u8>; 6] {
    let group = compress(input, params);
    let out = decompress(parts(&group), input.len()).expect("decodes");
    assert!(out == input, "round trip differs ({} bytes, {params:?})", input.len());
    group
}

/// The offsets of a group's matches, with repeat codes (of any of the three recent
/// offsets) as 0: codes from stream 3, extra bits from stream 4.
fn offset_codes(group: &[Vec<u8>; 6]) -> Vec<usize> {
    let bits = &group[4];
    let mut bit = 0usize;
    group[3]
        .iter()
        .map(|&code| {
            if code == 0 || code >= REPEAT_SECOND {
                return 0;
            }
            let extra = usize::from(code) - 1;
            let mut value = 1usize << extra;
            for k in 0..extra {
                value |= usize::from(bits[(bit + k) / 8] >> ((bit + k) % 8) & 1) << k;
            }
            bit += extra;
            value
        })
        .collect()
}

/// Deterministic pseudo-random bytes (xorshift), so tests need no RNG crate.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// Text-like input: lines built from a few words, with numbers that change.
fn log_lines(lines: usize) -> Vec<u8> {
    let words = ["GET", "POST", "/index.html", "/api/v1/users", "200", "404", "Mozilla/5.0", "curl/8.1"];
    let mut out = Vec::new();
    for i in 0..lines {
        let line = format!(
            "10.0.{}.{} - - [04/Dec/2005:04:{:02}:{:02}] \"{} {} HTTP/1.1\" {} {} \"{}\"\n",
            i % 7,
            i % 251,
            i / 60 % 60,
            i % 60,
            words[i % 2],
            words[2 + i % 2],
            words[4 + i % 3 / 2],
            (i * 7919) % 100_000,
            words[6 + i % 2]
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

#[test]
fn empty_and_tiny_inputs() {
    for params in presets() {
        for len in 0..40 {
            round_trip(&vec![b'a'; len], &params);
            round_trip(&noise(len, 7), &params);
        }
    }
    let group = compress(b"", &MatchParams::default());
    assert_eq!(group[0], vec![0, 0], "length 0 and one empty last token");
    assert!(group[1..].iter().all(Vec::is_empty));
}

#[test]
fn repetitive_inputs() {
    for params in presets() {
        let abc = b"ABC".repeat(10_000);
        let group = round_trip(&abc, &params);
        assert!(group.iter().map(Vec::len).sum::<usize>() < 64, "{params:?}: {:?}", group.each_ref().map(Vec::len));

        round_trip(&vec![0u8; 100_000], &params);
        round_trip(&vec![0xffu8; 70_001], &params);
        // Overlapping matches with offsets 1, 2 and 3, each after fresh literals.
        let mut mixed = Vec::new();
        for (i, unit) in [&b"x"[..], b"xy", b"xyz", b"q", b"pq"].iter().enumerate() {
            mixed.extend_from_slice(&noise(20 + i, i as u64 + 1));
            for _ in 0..(100 + 37 * i) {
                mixed.extend_from_slice(unit);
            }
        }
        round_trip(&mixed, &params);
    }
}

#[test]
fn text_round_trips_and_shrinks() {
    let text = log_lines(3000);
    for params in presets() {
        let group = round_trip(&text, &params);
        let total: usize = group.iter().map(Vec::len).sum();
        assert!(total * 3 < text.len(), "{params:?}: {total} of {}", text.len());
    }
}

/// The optimal parse's whole point: the same search, fewer bytes once L7 has coded
/// the streams, on log lines and on prose-like text of short, overlapping repeats.
#[test]
fn the_optimal_parse_codes_smaller_than_the_lazy_one() {
    let coded = |group: &[Vec<u8>; 6]| -> usize {
        group
            .iter()
            .map(|s| {
                let mut out = Vec::new();
                crate::l7_entropy::encode_stream(s, &mut out);
                out.len()
            })
            .sum()
    };
    let words = ["the ", "of ", "record ", "field ", "packed ", "decimal ", "and ", "a ", "is ", "in ", "to "];
    let mut prose = Vec::new();
    let mut next = crate::test_rng::xorshift(7);
    for _ in 0..40_000 {
        prose.extend_from_slice(words[(next() % words.len() as u64) as usize].as_bytes());
    }
    for input in [log_lines(3000), prose] {
        let lazy = MatchParams { search_depth: 32, ..MatchParams::strong() };
        let (lazy, optimal) = (coded(&round_trip(&input, &lazy)), coded(&round_trip(&input, &optimal())));
        assert!(optimal < lazy, "optimal {optimal} bytes, lazy {lazy}");
    }
}

/// A long repetition, then text: the optimal parse takes the repetition as one match
/// and indexes only its edges. (Indexing every position of it had each insertion into
/// a tree compare to the repetition's end: this test ran for minutes.)
#[test]
fn a_long_repetition_before_text_round_trips() {
    let mut input = b"ab".repeat(128 << 10);
    input.extend_from_slice(&log_lines(200));
    input.extend(std::iter::repeat_n(b"0123456789".as_slice(), 20_000).flatten());
    input.extend_from_slice(&noise(5000, 3));
    for params in [optimal(), MatchParams { optimal_passes: 1, search_depth: 128, ..MatchParams::strong() }] {
        let group = round_trip(&input, &params);
        assert!(group.iter().map(Vec::len).sum::<usize>() < 40_000);
    }
}

#[test]
fn repeat_offsets_are_coded_as_zero() {
    // Fixed-length records that differ in a few bytes: matches keep the same offset.
    let mut records = Vec::new();
    for i in 0..2000u32 {
        records.extend_from_slice(b"ACCT0000012345 TRANSFER FROM SAVINGS   AMOUNT ");
        records.extend_from_slice(format!("{:08}", i * 37 % 1000).as_bytes());
        records.extend_from_slice(b" BRANCH 0042 TELLER 17\n");
    }
    for params in presets() {
        let group = round_trip(&records, &params);
        let codes = offset_codes(&group);
        let zeros = codes.iter().filter(|&&c| c == 0).count();
        assert!(zeros * 2 > codes.len(), "{params:?}: {zeros} repeats of {}", codes.len());
    }
}

#[test]
fn older_offsets_have_codes_of_their_own() {
    // Each line copies a field from one line back and another from two lines back:
    // the offsets alternate, and the older one is the second most recent each time.
    let mut text = Vec::new();
    for i in 0..3000u32 {
        text.extend_from_slice(
            format!("{:05} alpha-beta-gamma {:03} delta-epsilon\n", i * 7919 % 100_000, i % 997).as_bytes(),
        );
    }
    let group = round_trip(&text, &MatchParams::default());
    let older = group[3].iter().filter(|&&c| c == REPEAT_SECOND || c == REPEAT_THIRD).count();
    assert!(older > 0, "no older repeat among {} matches", group[3].len());

    let mut history = RecentOffsets::default();
    assert_eq!(history.code(7), None);
    assert_eq!(history.code(9), None);
    assert_eq!(history.code(7), Some(REPEAT_SECOND));
    assert_eq!(history.code(7), Some(0));
    assert_eq!(history.0, [7, 9, 0]);
    assert_eq!(history.repeat(REPEAT_THIRD), None, "nothing that old yet");
}

#[test]
fn window_limit_is_enforced() {
    // The only matches lie 4000 bytes back, beyond a 1 KiB window.
    let chunk = noise(4000, 99);
    let input = [chunk.as_slice(), chunk.as_slice(), chunk.as_slice()].concat();
    for params in presets() {
        let small = MatchParams { window_log: 10, ..params };
        let group = round_trip(&input, &small);
        let mut prev = 0;
        for code in offset_codes(&group) {
            let offset = if code == 0 { prev } else { code };
            assert!(offset < 1024, "offset {offset} beyond the window");
            prev = offset;
        }
        let wide = round_trip(&input, &params);
        assert!(wide[1].len() < 5000, "wide window finds the copies");
    }
}

/// Builds a group by hand: `(literals, match length, offset code)` then the tail.
fn handmade(seqs: &[(&[u8], usize, usize)], tail: &[u8], n: usize) -> [Vec<u8>; 6] {
    let mut w = SeqWriter::new(n);
    for &(lits, len, offset) in seqs {
        w.push(lits, len, offset);
    }
    w.finish(tail)
}

#[test]
fn escape_boundaries() {
    // Literal and match lengths around the nibble escape and the varint byte limits.
    for lit_len in [0usize, 1, 14, 15, 16, 142, 143, 144, 1000] {
        for match_len in [4usize, 5, 18, 19, 20, 146, 147, 148, 20_000] {
            let lits = noise(lit_len.max(1), lit_len as u64);
            let mut expect = vec![b'z'];
            expect.extend_from_slice(&lits[..lit_len]);
            let offset = if lit_len == 0 { 1 } else { lit_len.min(3) };
            for _ in 0..match_len {
                expect.push(expect[expect.len() - offset]);
            }
            expect.extend_from_slice(&lits[..lit_len]);
            let mut first = vec![b'z'];
            first.extend_from_slice(&lits[..lit_len]);
            let group = handmade(&[(&first, match_len, offset)], &lits[..lit_len], expect.len());
            assert_eq!(decompress(parts(&group), expect.len()).unwrap(), expect);
            for params in presets() {
                round_trip(&expect, &params);
            }
        }
    }
}

#[test]
fn decoder_rejects_bad_groups() {
    let input = log_lines(200);
    let group = compress(&input, &MatchParams::default());
    let n = input.len();
    assert!(decompress(parts(&group), n).is_ok());
    assert!(matches!(decompress(parts(&group), n - 1), Err(Error::TooLarge { .. })), "cap");

    let mutate = |f: &dyn Fn(&mut [Vec<u8>; 6])| {
        let mut g = group.clone();
        f(&mut g);
        decompress(parts(&g), usize::MAX >> 1)
    };
    assert!(mutate(&|g| g[0].clear()).is_err(), "no header");
    assert!(mutate(&|g| g[0].truncate(3)).is_err(), "no last token");
    assert!(mutate(&|g| g[1].push(0)).is_err(), "literal left over");
    assert!(mutate(&|g| {
        g[1].pop();
    })
    .is_err());
    assert!(mutate(&|g| g[2].push(0)).is_err(), "length left over");
    // Zero bytes after the last offset's bits: one, and more than a refill takes.
    assert!(mutate(&|g| g[4].push(0)).is_err(), "offset byte left over");
    assert!(mutate(&|g| g[4].extend([0; 9])).is_err(), "offset bytes left over");
    assert!(mutate(&|g| g[4].insert(0, 0)).is_err(), "offset bits shifted");
    assert!(mutate(&|g| g[3].push(0)).is_err(), "plane lengths differ");
    assert!(mutate(&|g| *g[0].last_mut().unwrap() |= 1).is_err(), "last token with a match");
    assert!(mutate(&|g| g[5][0] = 0xff).is_err(), "offset before start");
    assert!(
        mutate(&|g| {
            g[3][0] = 0;
            g[4][0] = 0;
            g[5][0] = 0;
        })
        .is_err(),
        "repeat before any match"
    );
    for code in [REPEAT_SECOND, REPEAT_THIRD, REPEAT_THIRD + 1] {
        assert!(mutate(&|g| g[3][0] = code).is_err(), "code {code} first");
    }
    // A huge declared length must fail on the cap, not on allocation.
    let mut huge = vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0];
    assert!(matches!(decompress([&huge, &[], &[], &[], &[], &[]], 1 << 20), Err(Error::TooLarge { .. })));
    huge.truncate(1);
    assert!(decompress([&huge, &[], &[], &[], &[], &[]], 1 << 20).is_err());
}

fn block_of(streams: Vec<Stream>, original_len: usize) -> Block {
    Block { original_len, layers: LayerSet::EMPTY, streams }
}

#[test]
fn layer_round_trips_groups_around_other_streams() {
    let a = log_lines(500);
    let b = b"0123456789".repeat(700);
    let runs = Stream::new(StreamKind::RleRuns, vec![1, 2, 3]);
    let original = block_of(
        vec![Stream::new(StreamKind::Bytes, a.clone()), runs.clone(), Stream::new(StreamKind::Bytes, b.clone())],
        a.len() + b.len(),
    );
    let layer = PatternLayer::default();
    let mut block = original.clone();
    assert!(layer.encode(&mut block).unwrap());
    assert!(block.layers.contains(LayerId::Pattern));
    let kinds: Vec<StreamKind> = block.streams.iter().map(|s| s.kind).collect();
    let expect: Vec<StreamKind> = GROUP_KINDS.iter().copied().chain([StreamKind::RleRuns]).chain(GROUP_KINDS).collect();
    assert_eq!(kinds, expect);
    assert!(block.stream_bytes() < original.stream_bytes() / 3);

    let encoded = block.clone();
    layer.decode(&mut block).unwrap();
    assert_eq!(block.streams, original.streams);

    // Out-of-order or partial groups are errors, and leave the block as it was.
    let mut broken = encoded.clone();
    broken.streams.swap(1, 2);
    assert!(layer.decode(&mut broken).is_err());
    let mut partial = encoded.clone();
    partial.streams.truncate(10);
    assert!(layer.decode(&mut partial).is_err());
    let mut stray = encoded.clone();
    stray.streams.remove(0);
    assert!(layer.decode(&mut stray).is_err());
    assert_eq!(stray.streams.len(), encoded.streams.len() - 1);
}

#[test]
fn layer_declines_when_nothing_pays() {
    let layer = PatternLayer { params: MatchParams::fast() };
    let random = noise(100_000, 5);
    let mut block = Block::from_input(random);
    let before = block.clone();
    assert!(!layer.encode(&mut block).unwrap());
    assert_eq!(block, before);

    let mut no_bytes = block_of(vec![Stream::new(StreamKind::RleRuns, vec![0; 1000])], 1000);
    let before = no_bytes.clone();
    assert!(!layer.encode(&mut no_bytes).unwrap());
    assert_eq!(no_bytes, before);

    // Only the stream that pays is replaced.
    let text = log_lines(100);
    let mut mixed = block_of(
        vec![Stream::new(StreamKind::Bytes, noise(5000, 9)), Stream::new(StreamKind::Bytes, text.clone())],
        5000 + text.len(),
    );
    let before = mixed.clone();
    assert!(layer.encode(&mut mixed).unwrap());
    assert_eq!(mixed.streams.len(), 7);
    assert_eq!(mixed.streams[0], before.streams[0]);
    layer.decode(&mut mixed).unwrap();
    assert_eq!(mixed.streams, before.streams);
}

/// Inputs with structure: random bytes mixed with copies of earlier stretches.
fn structured() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((any::<u8>(), 0usize..40, 1usize..300, 0usize..600), 0..60).prop_map(|ops| {
        let mut out: Vec<u8> = Vec::new();
        for (byte, lits, dist, len) in ops {
            for k in 0..lits {
                out.push(byte.wrapping_add((k % 3) as u8));
            }
            if !out.is_empty() {
                let dist = dist.min(out.len());
                for _ in 0..len % 200 {
                    out.push(out[out.len() - dist]);
                }
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_round_trip(input in proptest::collection::vec(any::<u8>(), 0..5000)) {
        for params in presets() {
            round_trip(&input, &params);
        }
    }

    #[test]
    fn structured_bytes_round_trip(
        input in structured(), window_log in 10u8..25, depth in 1u32..40, lazy in 0u8..3, passes in 0u8..3,
    ) {
        for params in presets() {
            round_trip(&input, &params);
        }
        let odd = MatchParams {
            window_log, search_depth: depth, lazy, hash_len: 4 + lazy * 2, optimal_passes: passes, ..MatchParams::default()
        };
        round_trip(&input, &odd);
    }

    /// Kept tables, left by searches of other inputs at other settings, find
    /// what fresh tables find.
    #[test]
    fn kept_tables_find_what_fresh_tables_find(
        earlier in structured(), input in structured(), prefix in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        for (i, params) in presets().into_iter().enumerate() {
            let before = presets()[(i + 1) % presets().len()];
            Matcher::with_kept_tables(|matcher| matcher.compress(&earlier, &before));
            let kept = Matcher::with_kept_tables(|matcher| matcher.compress_with_prefix(&prefix, &input, &params));
            prop_assert_eq!(&kept, &Matcher::new().compress_with_prefix(&prefix, &input, &params));
            // The layer takes kept tables too.
            Matcher::with_kept_tables(|matcher| matcher.compress(&earlier, &before));
            let mut block = Block::from_input(input.clone());
            let fresh = Matcher::new().compress(&input, &params);
            if (PatternLayer { params }).encode(&mut block).unwrap() {
                let streams: Vec<&Vec<u8>> = block.streams.iter().map(|s| &s.data).collect();
                prop_assert_eq!(streams, fresh.iter().collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn decoder_never_panics_on_garbage(
        streams in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 6),
        cap in 0usize..100_000,
    ) {
        let _ = decompress(parts(&[0, 1, 2, 3, 4, 5].map(|i| streams[i].clone())), cap);
    }

    #[test]
    fn decoder_never_panics_on_mutations(
        input in structured(),
        edits in proptest::collection::vec((0usize..6, any::<usize>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut group = compress(&input, &MatchParams::default());
        for (s, at, byte, how) in edits {
            let stream = &mut group[s];
            match how {
                0 if !stream.is_empty() => { let i = at % stream.len(); stream[i] = byte; }
                1 => { let i = at % (stream.len() + 1); stream.insert(i, byte); }
                _ if !stream.is_empty() => { let i = at % stream.len(); stream.remove(i); }
                _ => {}
            }
        }
        if let Ok(out) = decompress(parts(&group), input.len() + 100) {
            // Whatever decodes must have the length the header announced.
            let mut pos = 0;
            let n = crate::varint::get(&group[0], &mut pos).unwrap();
            prop_assert_eq!(out.len() as u64, n);
        }
    }
}

/// Figures for the report: `cargo test --release -p cobolp-stages l6_pattern::tests::measure -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure() {
    use std::time::Instant;
    const MIB: usize = 1 << 20;
    let corpus = std::path::Path::new("/work/shared/corpus");
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for name in ["logs/Apache_2k.log", "logs/nginx_access.log", "text/ec2_api.json", "records/bank_txn.dat"] {
        match std::fs::read(corpus.join(name)) {
            Ok(mut data) => {
                data.truncate(MIB);
                inputs.push((name.to_string(), data));
            }
            Err(e) => println!("{name}: {e}"),
        }
    }
    inputs.push(("random".to_string(), noise(MIB, 12345)));

    for (name, data) in &inputs {
        let start = Instant::now();
        let gzip = gzip_size(data);
        let gzip_speed = data.len() as f64 / start.elapsed().as_secs_f64() / 1e6;
        match gzip {
            Some(size) => println!("\n{name}: {} bytes, gzip -6 {size} bytes at {gzip_speed:.1} MB/s", data.len()),
            None => println!("\n{name}: {} bytes, gzip not available", data.len()),
        }
        for (preset, params) in
            ["fast", "default", "strong", "optimal", "whole search", "fast lazy"].iter().zip(presets())
        {
            let mut matcher = Matcher::new();
            let group = matcher.compress(data, &params);
            let reps = (if params.search_depth > 16 { 20 } else { 200 } * MIB / data.len().max(1)).clamp(1, 100);
            let start = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(matcher.compress(data, &params));
            }
            let c_speed = (data.len() * reps) as f64 / start.elapsed().as_secs_f64() / 1e6;
            let reps = (400 * MIB / data.len().max(1)).clamp(1, 400);
            let start = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(decompress(parts(&group), data.len()).unwrap());
            }
            let d_speed = (data.len() * reps) as f64 / start.elapsed().as_secs_f64() / 1e6;
            let total: usize = group.iter().map(Vec::len).sum();
            let coded: f64 = group.iter().map(|s| order0_bytes(s)).sum();
            println!(
                "  {preset:<7} c {c_speed:7.1} MB/s  d {d_speed:7.1} MB/s  seqs {}\n          streams {:?} = {total}\n          order-0 {:?} = {coded:.0}",
                group[3].len() + 1,
                group.each_ref().map(Vec::len),
                group.each_ref().map(|s| order0_bytes(s) as usize),
            );
        }
    }
}

/// Compares settings (edit the list): `L6_ONLY=nginx cargo test --release ... sweep -- --ignored --nocapture`.
#[test]
#[ignore]
fn sweep() {
    use std::time::Instant;
    let corpus = std::path::Path::new("/work/shared/corpus");
    for name in ["logs/Apache_2k.log", "logs/nginx_access.log", "text/ec2_api.json", "records/bank_txn.dat"] {
        if std::env::var("L6_ONLY").is_ok_and(|only| !name.contains(&only)) {
            continue;
        }
        let Ok(mut data) = std::fs::read(corpus.join(name)) else { continue };
        data.truncate(1 << 20);
        println!("{name}");
        let candidates = [
            ("fast", MatchParams::fast()),
            ("default", MatchParams::default()),
            ("default h5 d4", MatchParams { hash_len: 5, search_depth: 4, ..MatchParams::default() }),
            ("strong", MatchParams::strong()),
        ];
        for (label, params) in candidates {
            let mut matcher = Matcher::new();
            let start = Instant::now();
            let mut group = matcher.compress(&data, &params);
            let mut reps = 1;
            while start.elapsed().as_millis() < 150 {
                group = matcher.compress(&data, &params);
                reps += 1;
            }
            let speed = (data.len() * reps) as f64 / start.elapsed().as_secs_f64() / 1e6;
            let coded: f64 = group.iter().map(|s| order0_bytes(s)).sum();
            println!("  {label:<16} {speed:7.1} MB/s  order-0 est {coded:.0}");
        }
    }
}

/// Size of `data` under an ideal order-0 coder: a floor for what L7 can reach.
fn order0_bytes(data: &[u8]) -> f64 {
    let mut counts = [0usize; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    let n = data.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| c as f64 * (n / c as f64).log2()).sum::<f64>() / 8.0
}

fn gzip_size(data: &[u8]) -> Option<usize> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child =
        Command::new("gzip").arg("-6").arg("-c").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    let mut stdin = child.stdin.take()?;
    let data = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    Some(out.stdout.len())
}

proptest! {
    #[test]
    fn round_trips_with_a_prefix(prefix in proptest::collection::vec(any::<u8>(), 0..3000),
                                 input in proptest::collection::vec(any::<u8>(), 0..3000),
                                 copy_from in 0usize..3000, copy_len in 0usize..500) {
        // Splice part of the prefix into the input so matches into the prefix occur.
        let mut input = input;
        if !prefix.is_empty() {
            let from = copy_from % prefix.len();
            let to = (from + copy_len).min(prefix.len());
            input.extend_from_slice(&prefix[from..to]);
        }
        for params in presets() {
            let group = Matcher::new().compress_with_prefix(&prefix, &input, &params);
            let out = decompress_with_prefix(&prefix, parts(&group), input.len()).unwrap();
            prop_assert_eq!(&out, &input);
        }
    }
}

#[test]
fn a_prefix_lets_a_small_message_refer_to_earlier_ones() {
    let earlier = log_lines(60);
    let message = earlier[1000..1600].to_vec();
    assert!(earlier.len() > 2000);
    let params = MatchParams::default();
    let alone: usize = compress(&message, &params).iter().map(Vec::len).sum();
    let group = Matcher::new().compress_with_prefix(&earlier, &message, &params);
    let with_prefix: usize = group.iter().map(Vec::len).sum();
    assert!(with_prefix * 10 < alone, "{with_prefix} bytes with the prefix, {alone} without");
    assert_eq!(decompress_with_prefix(&earlier, parts(&group), message.len()).unwrap(), message);
    // The wrong prefix must not give the message back silently.
    let wrong = vec![b'#'; earlier.len()];
    if let Ok(out) = decompress_with_prefix(&wrong, parts(&group), message.len()) {
        assert_ne!(out, message);
    }
}

#[test]
fn a_session_matcher_round_trips_across_window_slides() {
    const WINDOW: usize = 4096;
    let mut matcher = SessionMatcher::new(WINDOW, &MatchParams::default());
    let mut history: Vec<u8> = Vec::new();
    let lines = log_lines(400);
    let mut total_coded = 0;
    // Messages of varied sizes, some tiny, one bigger than the window.
    let mut pos = 0;
    for (i, size) in [300usize, 5, 900, 17, 5000, 120, 64].iter().cycle().take(120).enumerate() {
        let end = (pos + size).min(lines.len());
        let message = if i % 9 == 8 { noise(*size, i as u64) } else { lines[pos..end].to_vec() };
        pos = if end == lines.len() { 0 } else { end };
        let group = matcher.compress(&message);
        total_coded += group.iter().map(Vec::len).sum::<usize>();
        let prefix = &history[history.len().saturating_sub(WINDOW)..];
        let out = decompress_with_prefix(prefix, parts(&group), message.len()).expect("decodes against the window");
        assert!(out == message, "message {i} differs");
        history.extend_from_slice(&message);
    }
    assert!(total_coded * 3 < history.len(), "{total_coded} coded bytes for {}", history.len());
}
