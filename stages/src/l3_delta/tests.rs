use super::*;
use crate::typed_columns::IntColumn;
use proptest::prelude::*;

/// Columns of one length, as a producer of records makes them: counters, amounts,
/// keys with few values, running balances over a key, indexes, and arbitrary values.
fn related_columns() -> impl Strategy<Value = IntColumns> {
    (1usize..60, prop::collection::vec((0u8..7, any::<i128>(), 1i128..5), 1..7)).prop_map(|(n, specs)| {
        let mut columns: Vec<IntColumn> = Vec::new();
        for (kind, seed, step) in specs {
            let values: Vec<i128> = match kind {
                0 => (0..n as i128).map(|i| seed.wrapping_add(i * step)).collect(),
                1 => (0..n as i128).map(|i| (i * 7919 % 13) * step).collect(),
                2 => (0..n as i128).map(|i| (i.wrapping_mul(seed) >> 3) % 1000).collect(),
                3 if !columns.is_empty() => {
                    // A running total per value of the first column.
                    let key = &columns[0].values;
                    let mut totals = std::collections::HashMap::new();
                    key.iter()
                        .map(|k| {
                            let t = totals.entry(*k).or_insert(0i128);
                            *t = t.wrapping_add(step);
                            *t
                        })
                        .collect()
                }
                4 => (0..n as i128).map(|i| i % step).collect(),
                5 => vec![seed; n],
                _ => (0..n as i128).map(|i| seed.wrapping_mul(i + 1).rotate_left(i as u32)).collect(),
            };
            let role = if kind == 4 { ColumnRole::Index } else { ColumnRole::Number };
            columns.push(IntColumn { role, values });
        }
        IntColumns { columns }
    })
}

/// Any columns: any roles, lengths and values (negative indexes included).
fn any_columns() -> impl Strategy<Value = IntColumns> {
    let column = (any::<bool>(), prop::collection::vec(any::<i128>(), 0..30)).prop_map(|(index, values)| IntColumn {
        role: if index { ColumnRole::Index } else { ColumnRole::Number },
        values,
    });
    prop::collection::vec(column, 0..6).prop_map(|columns| IntColumns { columns })
}

fn round_trip(columns: &IntColumns) -> IntColumns {
    let (methods, sequences) = code(columns);
    decode_columns(&read_methods(&methods).unwrap(), read_sequences(&sequences, usize::MAX).unwrap()).unwrap()
}

proptest! {
    #[test]
    fn related_columns_come_back(columns in related_columns()) {
        prop_assert_eq!(&round_trip(&columns), &columns);
        // Worked in i64 where the values allow, the same bytes.
        if let Some(narrow) = columns.narrowed::<i64>() {
            prop_assert_eq!(code(&narrow), code(&columns));
        }
    }

    #[test]
    fn any_columns_come_back(columns in any_columns()) {
        prop_assert_eq!(&round_trip(&columns), &columns);
    }

    #[test]
    fn decoding_in_i64_gives_the_i128_values_or_declines(columns in prop_oneof![related_columns(), any_columns()]) {
        let (methods, sequences) = code(&columns);
        let methods = read_methods(&methods).unwrap();
        if let Some(narrow) = read_sequences_as::<u64>(&sequences, usize::MAX).unwrap() {
            match decode_columns_as::<i64>(&methods, narrow).unwrap() {
                Some(narrow) => prop_assert_eq!(Some(narrow), columns.narrowed::<i64>()),
                None => prop_assert!(columns.narrowed::<i64>().is_none()),
            }
        }
    }

    #[test]
    fn the_layer_undoes_itself(columns in any_columns(), before in any::<bool>()) {
        let mut block = Block::from_input(Vec::new());
        block.original_len = 1 << 20;
        block.streams = vec![Stream::new(StreamKind::IntColumns, columns.to_stream())];
        if before {
            block.streams.insert(0, Stream::new(StreamKind::Bytes, b"other".to_vec()));
        }
        let original = block.clone();
        prop_assert!(DeltaLayer.encode(&mut block).unwrap());
        prop_assert!(block.layers.contains(LayerId::Delta));
        DeltaLayer.decode(&mut block).unwrap();
        prop_assert_eq!(block.streams, original.streams);
    }

    #[test]
    fn damaged_streams_are_errors_or_columns(
        methods in prop::collection::vec(any::<u8>(), 0..40),
        sequences in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        if let (Ok(m), Ok(s)) = (read_methods(&methods), read_sequences(&sequences, 1000)) {
            let _ = decode_columns(&m, s);
        }
    }
}

#[test]
fn a_running_balance_is_a_relation_and_stores_nothing() {
    let accounts: Vec<i128> = (0..400).map(|i| i % 7).collect();
    let amounts: Vec<i128> = (0..400).map(|i| (i * 7919) % 1000 - 500).collect();
    let mut balances = [0i128; 7];
    let running: Vec<i128> = accounts
        .iter()
        .zip(&amounts)
        .map(|(&a, &x)| {
            balances[a as usize] += x;
            balances[a as usize]
        })
        .collect();
    let column = |values: Vec<i128>| IntColumn { role: ColumnRole::Number, values };
    let columns = IntColumns { columns: vec![column(accounts), column(amounts), column(running)] };
    let coded = code_columns(&columns);
    assert_eq!(coded[2].coding, Coding::Transform(Transform::Relation { key: 0, add: Some(1) }));
    assert!(coded[2].sequences[0].iter().all(|&z| z == 0));
    assert_eq!(round_trip(&columns), columns);
}

#[test]
fn an_index_is_stored_as_it_is_and_never_keys_a_relation() {
    let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
    let mut label = move || i128::from(next() % 200);
    let index = IntColumn { role: ColumnRole::Index, values: (0..300).map(|_| label()).collect() };
    let follows = IntColumn { role: ColumnRole::Number, values: index.values.iter().map(|v| v * 1000).collect() };
    let coded = code_columns(&IntColumns { columns: vec![index, follows] });
    // Labels in no order: as they are, not as deltas; 199 takes one byte as it is,
    // where its zigzag code would take two.
    assert_eq!(coded[0].coding, Coding::Unsigned);
    assert!(coded[0].sequences[0].iter().all(|&z| z < 256));
    assert!(!matches!(coded[1].coding, Coding::Transform(Transform::Relation { .. })));
}

#[test]
fn a_band_far_from_zero_is_stored_above_its_least_value() {
    let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
    let values: Vec<i128> = (0..500).map(|_| -7_000_000_000 + i128::from(next() % 60_000)).collect();
    let columns = IntColumns { columns: vec![IntColumn { role: ColumnRole::Number, values }] };
    let coded = code_columns(&columns);
    assert!(matches!(coded[0].coding, Coding::Offset { base } if base >= -7_000_000_000), "{:?}", coded[0].coding);
    assert!(coded[0].sequences[0].iter().all(|&z| z < 60_000));
    assert_eq!(round_trip(&columns), columns);
    // Its base travels in the method, as a run of one number.
    let (methods, _) = code(&columns);
    assert_eq!(read_methods(&methods).unwrap()[0].coding, coded[0].coding);
    assert!(read_methods(&methods[..methods.len() - 1]).is_err());
}

#[test]
fn methods_that_name_later_or_other_columns_are_refused() {
    // Columns of 3 values: a raw quantity, then a relation keyed on itself.
    assert!(read_methods(&[3, 2, 0x00, 0x03, 1, 0]).is_err());
    // Keyed on column 0 but of another length.
    assert!(read_methods(&[3, 1, 0x00, 4, 1, 0x03, 0, 0]).is_err());
    // Keyed on an index column.
    assert!(read_methods(&[3, 2, 0x15, 0x03, 0, 0]).is_err());
    let methods = read_methods(&[3, 2, 0x00, 0x03, 0, 0]).unwrap();
    assert_eq!(methods[1].coding, Coding::Transform(Transform::Relation { key: 0, add: None }));
    // A dictionary larger than its column, an empty one, an unknown tag or role, an
    // empty group.
    assert!(read_methods(&[3, 1, 0x04, 4]).is_err());
    assert!(read_methods(&[3, 1, 0x04, 0]).is_err());
    assert!(read_methods(&[3, 1, 0x09]).is_err());
    assert!(read_methods(&[3, 1, 0x20]).is_err());
    assert!(read_methods(&[3, 0]).is_err());
}

#[test]
fn sequences_must_match_their_methods() {
    let methods = read_methods(&[2, 1, 0x01]).unwrap();
    assert!(decode_columns(&methods, vec![vec![2, 2]]).is_ok());
    assert!(decode_columns(&methods, vec![vec![2]]).is_err());
    assert!(decode_columns(&methods, vec![vec![2, 2], vec![]]).is_err());
    let dictionary = read_methods(&[2, 1, 0x04, 1]).unwrap();
    assert!(decode_columns(&dictionary, vec![vec![0, 1], vec![6]]).is_err(), "an index past the dictionary");
    assert_eq!(decode_columns(&dictionary, vec![vec![0, 0], vec![6]]).unwrap().columns[0].values, vec![3, 3]);
    let unsigned = read_methods(&[1, 1, 0x15]).unwrap();
    assert_eq!(unsigned[0].role, ColumnRole::Index);
    assert!(decode_columns(&unsigned, vec![vec![u128::MAX]]).is_err());
}

#[test]
fn runs_of_zeros_are_capped_all_together() {
    // Each run of width 0 takes three bytes whatever its length: the cap is on all of
    // them, or a few bytes would claim the cap many times over.
    let mut stream = Vec::new();
    for _ in 0..4 {
        crate::varint::put(&mut stream, 600);
        stream.push(0);
    }
    assert!(read_sequences(&stream, 2400).is_ok());
    assert!(matches!(read_sequences(&stream, 2000), Err(Error::TooLarge { .. })));
    let mut int_columns = Vec::new();
    for _ in 0..4 {
        int_columns.push(0);
        crate::varint::put(&mut int_columns, 600);
        int_columns.push(0);
    }
    assert!(IntColumns::from_stream(&int_columns, 2400).is_ok());
    assert!(matches!(IntColumns::from_stream(&int_columns, 2000), Err(Error::TooLarge { .. })));
}

#[test]
fn a_block_without_columns_is_declined() {
    let mut block = Block::from_input(b"text".to_vec());
    assert!(!DeltaLayer.encode(&mut block).unwrap());
    assert!(DeltaLayer.decode(&mut block).is_err());
}
