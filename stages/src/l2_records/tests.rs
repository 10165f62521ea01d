use super::*;
use crate::cobol::{ByteOrder, SignPosition};
use crate::l3_delta::Coding;
use crate::typed_columns::ColumnRole;
use proptest::prelude::*;

pub(super) fn kinds() -> Vec<ColumnKind> {
    vec![
        ColumnKind::Text,
        ColumnKind::Packed { signed: true },
        ColumnKind::Packed { signed: false },
        ColumnKind::Zoned { signed: false, sign: SignPosition::Trailing },
        ColumnKind::Zoned { signed: true, sign: SignPosition::Trailing },
        ColumnKind::Zoned { signed: true, sign: SignPosition::Leading },
        ColumnKind::Zoned { signed: true, sign: SignPosition::TrailingSeparate },
        ColumnKind::Zoned { signed: true, sign: SignPosition::LeadingSeparate },
        ColumnKind::Binary { signed: true, order: ByteOrder::Big },
        ColumnKind::Binary { signed: false, order: ByteOrder::Little },
        ColumnKind::Binary { signed: true, order: ByteOrder::Little },
    ]
}

fn spec_of(cols: &[(usize, usize)], ebcdic: bool) -> RecordSpec {
    let columns: Vec<ColumnSpec> = cols
        .iter()
        .map(|&(k, len)| {
            let kind = kinds()[k];
            let len = match kind {
                ColumnKind::Binary { .. } => len.min(8),
                ColumnKind::Zoned { .. } => len.clamp(2, 18),
                ColumnKind::Packed { .. } => len.min(16),
                _ => len,
            };
            ColumnSpec { len, kind }
        })
        .collect();
    RecordSpec {
        charset: if ebcdic { Charset::Ebcdic } else { Charset::Ascii },
        record_len: columns.iter().map(|c| c.len).sum(),
        columns,
        lead: 0,
    }
}

/// Each integer column's coding as L3 chooses it for `split`.
fn int_methods(split: &encode::Split) -> Vec<crate::l3_delta::ColumnMethod> {
    crate::l3_delta::read_methods(&crate::l3_delta::code_stream(&split.streams.columns, usize::MAX).unwrap().0).unwrap()
}

/// Undoes every layer `block` has, as a decoder would.
fn undo(block: &mut Block) {
    let decoders: [&dyn Layer; 6] = [
        &crate::l7_entropy::EntropyLayer,
        &crate::l6_pattern::PatternLayer::default(),
        &crate::l5_rle::RleLayer,
        &BinaryLayer,
        &DeltaLayer,
        &RecordLayer::decoder(),
    ];
    for layer in decoders {
        if block.layers.contains(layer.id()) {
            layer.decode(block).unwrap();
        }
    }
}

fn round_trip(data: &[u8], spec: &RecordSpec) {
    let streams = split(data, spec);
    assert_eq!(join(&streams, data.len()).unwrap(), data, "{spec:?}");
    // And through the block interface, as the engine uses it.
    let mut block = Block::from_input(data.to_vec());
    block.streams = streams.into_block_streams();
    block.layers.insert(LayerId::Structural);
    // Through L3 and L4 too, as the engine runs them after this layer.
    assert!(DeltaLayer.encode(&mut block).unwrap() && BinaryLayer.encode(&mut block).unwrap());
    undo(&mut block);
    assert_eq!(block.into_single_bytes().unwrap(), data);
}

/// Valid records: each numeric field written by the codecs from a value.
fn valid_records(spec: &RecordSpec, seeds: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    for (r, &seed) in seeds.iter().enumerate() {
        for (c, col) in spec.columns.iter().enumerate() {
            let mut field = vec![b' '; col.len];
            if col.kind.is_numeric() {
                let digits = match col.kind {
                    ColumnKind::Packed { .. } => 2 * col.len - 1,
                    ColumnKind::Zoned { signed, sign } => col.len - usize::from(signed && sign.is_separate()),
                    _ => 2 * col.len,
                };
                let limit = 10i128.pow(digits.min(18) as u32);
                let mut v = (seed as i128 + (r * c) as i128 * 7919) % limit;
                if matches!(
                    col.kind,
                    ColumnKind::Binary { signed: false, .. }
                        | ColumnKind::Packed { signed: false }
                        | ColumnKind::Zoned { signed: false, .. }
                ) {
                    v = v.abs();
                } else if seed % 3 == 0 {
                    v = -v;
                }
                if let ColumnKind::Binary { signed, .. } = col.kind {
                    let (lo, hi) = crate::cobol::binary::range(col.len, signed);
                    v = v.clamp(lo, hi);
                }
                write_value(v, col.kind, spec.charset, &mut field).unwrap();
            } else {
                // A few templates with numbers in them, as descriptions are.
                let t = format!("T{} #{}-{}", seed % 3, seed % 1000, r);
                for (b, t) in field.iter_mut().zip(t.bytes()) {
                    *b = if spec.charset == Charset::Ebcdic {
                        crate::cobol::ebcdic::LATIN1_TO_EBCDIC[t as usize]
                    } else {
                        t
                    };
                }
            }
            out.extend_from_slice(&field);
        }
    }
    out
}

proptest! {
    #[test]
    fn any_bytes_round_trip(
        cols in proptest::collection::vec((0usize..10, 1usize..20), 1..6),
        ebcdic in any::<bool>(),
        data in proptest::collection::vec(any::<u8>(), 0..600),
        lead in 0usize..100,
    ) {
        let mut spec = spec_of(&cols, ebcdic);
        // Any lead below the record length, as long as the block holds it.
        spec.lead = (lead % spec.record_len).min(data.len());
        round_trip(&data, &spec);
    }

    #[test]
    fn records_after_a_lead_split_as_without_it(
        cols in proptest::collection::vec((0usize..10, 1usize..20), 1..6),
        seeds in proptest::collection::vec(any::<u64>(), 1..40),
        lead in proptest::collection::vec(any::<u8>(), 1..20),
    ) {
        let mut spec = spec_of(&cols, false);
        let records = valid_records(&spec, &seeds);
        let plain = split(&records, &spec);
        let lead = &lead[..lead.len().min(spec.record_len - 1)];
        prop_assume!(!lead.is_empty());
        spec.lead = lead.len();
        let data = [lead, &records[..]].concat();
        let led = split(&data, &spec);
        prop_assert_eq!(&led.columns, &plain.columns);
        prop_assert_eq!(&led.text, &plain.text);
        prop_assert_eq!(led.exceptions, [&[0u8][..], lead].concat());
        round_trip(&data, &spec);
    }

    #[test]
    fn valid_records_round_trip_without_exceptions(
        cols in proptest::collection::vec((0usize..10, 1usize..20), 1..6),
        ebcdic in any::<bool>(),
        seeds in proptest::collection::vec(any::<u64>(), 1..40),
        tail in proptest::collection::vec(any::<u8>(), 0..5),
    ) {
        let spec = spec_of(&cols, ebcdic);
        let mut data = valid_records(&spec, &seeds);
        let whole = data.len();
        let split_whole = split(&data, &spec);
        // Varint count 0, nothing kept.
        prop_assert_eq!(split_whole.exceptions, vec![0u8]);
        data.extend_from_slice(&tail[..tail.len().min(spec.record_len - 1)]);
        prop_assert!(data.len() - whole < spec.record_len);
        round_trip(&data, &spec);
    }

    #[test]
    fn numbers_worked_in_i64_split_as_in_i128(
        cols in proptest::collection::vec((0usize..10, 1usize..20), 1..6),
        ebcdic in any::<bool>(),
        seeds in proptest::collection::vec(any::<u64>(), 1..40),
        noise in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
    ) {
        let spec = spec_of(&cols, ebcdic);
        let mut data = valid_records(&spec, &seeds);
        // Some fields not valid, some binary ones beyond `i64`'s limit.
        for (at, byte) in noise {
            let i = at % data.len();
            data[i] = byte;
        }
        let wide = encode::split_as::<i128>(&data, &spec).expect("i128 holds any value");
        match encode::split_as::<i64>(&data, &spec) {
            Some(narrow) => {
                prop_assert_eq!(&narrow.streams, &wide.streams);
                prop_assert_eq!(narrow.text_methods, wide.text_methods);
            }
            // Only an eight-byte binary field or one of more than 18 packed digits
            // holds a value that far out.
            None => {
                let wide = spec.columns.iter().any(|c| match c.kind {
                    ColumnKind::Binary { .. } => c.len == 8,
                    ColumnKind::Packed { .. } => c.len > crate::cobol::packed::MAX_LEN_I64,
                    _ => false,
                });
                prop_assert!(wide);
            }
        }
    }

    #[test]
    fn values_near_i64s_limit_split_as_in_i128(
        picks in proptest::collection::vec(0usize..4, 1..200),
        big in prop_oneof![1i128 << 59..1 << 63, (1i128..1 << 20).prop_map(|k| (1 << 63) - k)],
        binary in any::<bool>(),
    ) {
        // A few values far apart: deltas as large as the values (and, near 2^63,
        // deltas that would look small if they wrapped at 64 bits).
        let set = [big, -big, big - 1, 3];
        let kind = if binary {
            ColumnKind::Binary { signed: true, order: ByteOrder::Big }
        } else {
            ColumnKind::Packed { signed: true }
        };
        let len = if binary { 8 } else { 10 };
        let spec = RecordSpec {
            charset: Charset::Ascii,
            record_len: len,
            columns: vec![ColumnSpec { len, kind }],
            lead: 0,
        };
        let mut data = vec![0u8; picks.len() * len];
        for (field, &p) in data.chunks_exact_mut(len).zip(&picks) {
            write_value(set[p], kind, Charset::Ascii, field).unwrap();
        }
        let wide = encode::split_as::<i128>(&data, &spec).expect("i128 holds any value");
        if let Some(narrow) = encode::split_as::<i64>(&data, &spec) {
            prop_assert_eq!(&narrow.streams, &wide.streams);
        }
        round_trip(&data, &spec);
    }

    #[test]
    fn corrupt_streams_never_panic(
        cols in proptest::collection::vec((0usize..10, 1usize..12), 1..4),
        seeds in proptest::collection::vec(any::<u64>(), 1..10),
        which in 0usize..4, at in any::<usize>(), byte in any::<u8>(),
    ) {
        let mut spec = spec_of(&cols, false);
        spec.lead = at % spec.record_len;
        let data = [&vec![b'#'; spec.lead][..], &valid_records(&spec, &seeds)].concat();
        let mut s = split(&data, &spec);
        let target = match which {
            0 => &mut s.layout,
            1 => &mut s.text,
            2 => &mut s.exceptions,
            _ => &mut s.columns,
        };
        if !target.is_empty() {
            let i = at % target.len();
            target[i] = byte;
        }
        if let Ok(out) = join(&s, data.len()) {
            prop_assert_eq!(out.len(), data.len());
        }
    }

    #[test]
    fn layout_read_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = RecordSpec::read(&bytes, &mut 0);
    }
}

#[test]
fn layout_round_trips() {
    for ebcdic in [false, true] {
        let cols: Vec<(usize, usize)> = (0..10).map(|k| (k, 3 + k)).collect();
        let spec = spec_of(&cols, ebcdic);
        let mut buf = Vec::new();
        spec.write(&mut buf);
        let mut pos = 0;
        assert_eq!(RecordSpec::read(&buf, &mut pos).unwrap(), spec);
        assert_eq!(pos, buf.len());
        for cut in 0..buf.len() {
            assert!(RecordSpec::read(&buf[..cut], &mut 0).is_err());
        }
    }
}

#[test]
fn huge_layout_counts_are_refused_before_allocating() {
    let mut buf = vec![LAYOUT_VERSION, 0];
    crate::varint::put(&mut buf, MAX_RECORD_LEN as u64);
    buf.push(0);
    crate::varint::put(&mut buf, MAX_COLUMNS as u64);
    assert!(matches!(RecordSpec::read(&buf, &mut 0), Err(Error::Truncated { .. })));
    let mut buf = vec![LAYOUT_VERSION, 0];
    crate::varint::put(&mut buf, u64::MAX);
    assert!(matches!(RecordSpec::read(&buf, &mut 0), Err(Error::TooLarge { .. })));
}

const BANK: &str = include_str!("../../../tests/cobol/bank_txn.cpy");

/// Records like `bank_txn.dat`'s, from a small generator.
pub(crate) fn bank_records(n: usize) -> Vec<u8> {
    let layout = RecordLayout::from_copybook(BANK).unwrap();
    let spec = RecordSpec::from_layout(&layout, Charset::Ascii).unwrap();
    let mut rnd = crate::test_rng::xorshift(0x9E37_79B9_7F4A_7C15);
    let mut balances = vec![0i128; 50];
    let mut out = Vec::with_capacity(n * spec.record_len);
    for i in 0..n {
        let k = (rnd() % 50) as usize;
        let amount = (rnd() % 20000) as i128 - 15000;
        balances[k] += amount;
        let values = [1_000_000_000 + k as i128 * 1_048_573, 20230101 + (i / 100) as i128, amount, balances[k]];
        let mut rec = Vec::new();
        for (c, v) in spec.columns.iter().zip(values) {
            let mut f = vec![0; c.len];
            write_value(v, c.kind, Charset::Ascii, &mut f).unwrap();
            rec.extend_from_slice(&f);
        }
        rec.extend_from_slice(if amount < 0 { b"POS " } else { b"DEP " });
        rec.extend_from_slice(format!("{:<30}", format!("STORE #{}", rnd() % 100)).as_bytes());
        let mut counter = [0u8; 4];
        write_value(i as i128 + 1, spec.columns[6].kind, Charset::Ascii, &mut counter).unwrap();
        rec.extend_from_slice(&counter);
        out.extend_from_slice(&rec);
    }
    out
}

#[test]
fn bank_records_split_into_cheap_columns() {
    let layout = RecordLayout::from_copybook(BANK).unwrap();
    let data = bank_records(2000);
    let mut block = Block::from_input(data.clone());
    let layer = RecordLayer::new(RecordConfig::new(layout, None));
    assert!(layer.encode(&mut block).unwrap());
    assert_eq!(block.streams[0].kind, StreamKind::RecordLayout);
    let spec = read_layout(&block.streams[0].data).unwrap();
    assert_eq!(spec.charset, Charset::Ascii);
    let split = encode::split(&data, &spec);
    // Numbers many times smaller than their bytes: the shorter trial.
    assert_eq!(split.judge(encode::numeric_bytes_cost(&data, &spec)), encode::Verdict::ClearlyPays);
    let methods = int_methods(&split);
    let codings: Vec<Coding> = methods.iter().map(|m| m.coding).collect();
    // The counter's deltas are all 1: its deltas of deltas are 0 but for the first.
    assert_eq!(codings[5], Coding::Transform(Transform::DeltaOfDelta), "{codings:?}");
    assert_eq!(codings[3], Coding::Transform(Transform::Relation { key: 0, add: Some(2) }));
    assert!(matches!(codings[0], Coding::Dictionary { .. }), "{:?}", codings[0]);
    // The code and the description go together: one column, a dictionary of the
    // descriptions without their digits, whose indexes are column 4 of the integers.
    assert_eq!(codings.len(), 6);
    assert!(matches!(split.text_methods[..], [TextMethod { digits: true, entries: Some(2..=4) }]));
    assert_eq!(methods[4].role, ColumnRole::Index);
    assert_eq!(block.streams.last().unwrap().data, vec![0u8], "no exceptions");
    RecordLayer::decoder().decode(&mut block).unwrap();
    assert_eq!(block.into_single_bytes().unwrap(), data);
}

#[test]
fn wrong_layout_is_declined_or_exact() {
    // A copybook that does not describe the data: most numbers are not numbers.
    let layout = RecordLayout::from_copybook("01 R. 05 A PIC S9(5) COMP-3. 05 B PIC X(20). 05 C PIC 9(9).").unwrap();
    let data = bank_records(500);
    let mut block = Block::from_input(data.clone());
    let layer = RecordLayer::new(RecordConfig::new(layout.clone(), None));
    if layer.encode(&mut block).unwrap() {
        RecordLayer::decoder().decode(&mut block).unwrap();
    }
    assert_eq!(block.into_single_bytes().unwrap(), data);
    // Forced through the layer anyway, it is still exact, and not taken for a fit.
    let spec = RecordSpec::from_layout(&layout, Charset::Ebcdic).unwrap();
    let verdict = encode::split(&data, &spec).judge(encode::numeric_bytes_cost(&data, &spec));
    assert_ne!(verdict, encode::Verdict::ClearlyPays);
    round_trip(&data, &spec);
}

#[test]
fn a_block_shorter_than_a_record_is_declined() {
    let layer = RecordLayer::new(RecordConfig::record_length(100));
    let mut block = Block::from_input(vec![7; 99]);
    assert!(!layer.encode(&mut block).unwrap());
    assert_eq!(block, Block::from_input(vec![7; 99]));
}

#[test]
fn record_length_only_guesses_the_fields() {
    let layer = RecordLayer::new(RecordConfig::record_length(4));
    let mut data: Vec<u8> = (0..200).flat_map(|i| format!("A{:03}", i % 1000).into_bytes()).collect();
    data.extend_from_slice(b"xy");
    let mut block = Block::from_input(data.clone());
    assert!(layer.encode(&mut block).unwrap());
    let spec = read_layout(&block.streams[0].data).unwrap();
    assert_eq!(
        spec.columns[1],
        ColumnSpec { len: 3, kind: ColumnKind::Zoned { signed: false, sign: SignPosition::Trailing } }
    );
    RecordLayer::decoder().decode(&mut block).unwrap();
    assert_eq!(block.into_single_bytes().unwrap(), data);
}

#[test]
fn decode_rejects_wrong_stream_shapes() {
    let mut block = Block::from_input(vec![1, 2, 3]);
    block.layers.insert(LayerId::Structural);
    assert!(RecordLayer::decoder().decode(&mut block).is_err());
    assert_eq!(block.streams.len(), 1, "an error leaves the block as it was");
}

#[test]
fn independent_text_columns_stay_apart() {
    // Two text fields of 60 values each, independent: together they have 3,600
    // values, too many to list; apart each is a small dictionary.
    let spec = RecordSpec {
        charset: Charset::Ascii,
        record_len: 8,
        columns: vec![ColumnSpec { len: 4, kind: ColumnKind::Text }, ColumnSpec { len: 4, kind: ColumnKind::Text }],
        lead: 0,
    };
    let mut state = 12345u64;
    let mut rnd = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % 60
    };
    let mut word = move || {
        let r = rnd() as u8;
        [b'A' + r / 10, b'a' + r % 10]
    };
    let data: Vec<u8> =
        (0..4000).flat_map(|_| [word(), *b"xy", word(), *b"zz"].into_iter().flatten().collect::<Vec<u8>>()).collect();
    let methods = encode::split(&data, &spec).text_methods;
    assert_eq!(methods.len(), 2, "{methods:?}");
    assert!(methods.iter().all(|m| m.entries == Some(60)), "{methods:?}");
    round_trip(&data, &spec);
}

#[test]
fn streams_never_exceed_what_a_decoder_accepts() {
    // 100 unsigned two-byte binary fields whose values need 17 bits once zigzag
    // coded: three planes each, so the last plane stream would hold 261 planes, more
    // than the decoders' cap allows for a block of 200-byte records.
    let spec = RecordSpec {
        charset: Charset::Ascii,
        record_len: 200,
        columns: vec![ColumnSpec { len: 2, kind: ColumnKind::Binary { signed: false, order: ByteOrder::Big } }; 100],
        lead: 0,
    };
    let mut state = 99u64;
    let data: Vec<u8> = (0..100 * 2000)
        .flat_map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (40_000 + (state >> 56) as u16).to_be_bytes()
        })
        .collect();
    let config = RecordConfig {
        layout: RecordLayout {
            name: None,
            record_len: 200,
            fields: (0..100)
                .map(|i| Field {
                    name: format!("F{i}"),
                    offset: 2 * i,
                    len: 2,
                    kind: FieldKind::Binary { bytes: 2, digits: 4, scale: 0, signed: false, native: false },
                    filler: false,
                    line: 0,
                })
                .collect(),
            redefinitions: Vec::new(),
        },
        charset: Some(Charset::Ascii),
        infer: false,
        doubted: false,
        lead: 0,
    };
    assert_eq!(config.spec_for(&data).unwrap(), spec);
    let mut block = Block::from_input(data.clone());
    if RecordLayer::new(config).encode(&mut block).unwrap() {
        DeltaLayer.encode(&mut block).unwrap();
        BinaryLayer.encode(&mut block).unwrap();
        let cap = Block::stream_cap(data.len());
        assert!(block.streams.iter().all(|s| s.data.len() <= cap));
        undo(&mut block);
    }
    assert_eq!(block.into_single_bytes().unwrap(), data);
}

#[test]
fn many_sparse_planes_leave_room_for_l5() {
    // Sixty counters: every plane is nearly all zeros, so each would go to L5, which
    // adds a stream after each; the frame must still hold at most MAX_STREAMS.
    let fields: Vec<Field> = (0..60)
        .map(|i| Field {
            name: format!("C{i}"),
            offset: 4 * i,
            len: 4,
            kind: FieldKind::Packed { digits: 7, scale: 0, signed: false },
            filler: false,
            line: 0,
        })
        .collect();
    let layout = RecordLayout { name: None, record_len: 240, fields, redefinitions: Vec::new() };
    let spec = RecordSpec::from_layout(&layout, Charset::Ascii).unwrap();
    let mut data = Vec::new();
    for r in 0..3000i128 {
        for (c, col) in spec.columns.iter().enumerate() {
            let mut f = [0u8; 4];
            write_value(r * (c as i128 + 1) % 9_999_999, col.kind, Charset::Ascii, &mut f).unwrap();
            data.extend_from_slice(&f);
        }
    }
    let mut block = Block::from_input(data.clone());
    assert!(RecordLayer::new(RecordConfig::new(layout, None)).encode(&mut block).unwrap());
    assert!(DeltaLayer.encode(&mut block).unwrap() && BinaryLayer.encode(&mut block).unwrap());
    crate::l5_rle::RleLayer.encode(&mut block).unwrap();
    crate::l6_pattern::PatternLayer::default().encode(&mut block).unwrap();
    assert!(block.streams.len() <= crate::block::MAX_STREAMS, "{} streams", block.streams.len());
    let mut frame = Vec::new();
    block.write_streams(&mut frame);
    let mut back = Block::read_streams(&frame, block.original_len, block.layers).unwrap();
    undo(&mut back);
    assert_eq!(back.into_single_bytes().unwrap(), data);
}

#[test]
fn two_numbers_in_one_zoned_field_are_cut_apart() {
    // An 18-digit field holding an account (50 of them) and a date that advances:
    // as one number every record differs; cut after 10 digits, both are cheap.
    let layout = RecordLayout::from_copybook("01 R. 05 KEY PIC 9(18). 05 T PIC X(2).").unwrap();
    let spec = RecordSpec::from_layout(&layout, Charset::Ascii).unwrap();
    let mut data = Vec::new();
    for i in 0..3000u64 {
        let account = 1_000_000_000 + (i * 7919 % 50) * 1_048_573;
        data.extend_from_slice(format!("{account:010}{:08}AB", 20230101 + i / 100).as_bytes());
    }
    data[20 * 7 + 3] = b' '; // one damaged field
    let s = encode::split(&data, &spec);
    let cut = read_layout(&s.streams.layout).unwrap();
    let zoned = ColumnKind::Zoned { signed: false, sign: SignPosition::Trailing };
    assert_eq!(cut.columns[..2], [ColumnSpec { len: 10, kind: zoned }, ColumnSpec { len: 8, kind: zoned }]);
    round_trip(&data, &spec);
}

#[test]
fn a_lead_is_written_and_read_back_and_older_versions_still_read() {
    let mut spec = spec_of(&[(0, 3), (1, 4)], false);
    let mut plain = Vec::new();
    spec.write(&mut plain);
    assert_eq!(plain[..4], [LAYOUT_VERSION, 0, 7, 0], "version 3 writes a lead of 0");
    spec.lead = 5;
    let mut led = Vec::new();
    spec.write(&mut led);
    assert_eq!(RecordSpec::read_versioned(&led, &mut 0).unwrap(), (3, spec.clone()));
    // A lead must be below the record length.
    spec.lead = spec.record_len;
    let mut long = Vec::new();
    spec.write(&mut long);
    assert!(RecordSpec::read(&long, &mut 0).is_err());
    // Version 1 has no lead; version 2 has one of at least a byte.
    let v1 = [&[1u8, 0, 7][..], &plain[4..]].concat();
    spec.lead = 0;
    assert_eq!(RecordSpec::read_versioned(&v1, &mut 0).unwrap(), (1, spec.clone()));
    let mut v2 = led.clone();
    v2[0] = 2;
    spec.lead = 5;
    assert_eq!(RecordSpec::read_versioned(&v2, &mut 0).unwrap(), (2, spec));
    v2[3] = 0;
    assert!(RecordSpec::read(&v2, &mut 0).is_err());
}
