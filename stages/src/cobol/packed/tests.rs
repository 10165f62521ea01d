//! Packed decimal against a plain definition: every value, every sign nibble, every width.

use super::*;
use proptest::prelude::*;

/// A straightforward reading, nibble by nibble, to check the fast one against.
fn reference(bytes: &[u8]) -> Option<(i128, u8)> {
    let mut m: i128 = 0;
    let n = bytes.len() * 2;
    for k in 0..n - 1 {
        let nib = if k % 2 == 0 { bytes[k / 2] >> 4 } else { bytes[k / 2] & 0xF };
        if nib > 9 {
            return None;
        }
        m = m * 10 + nib as i128;
    }
    let sign = bytes[bytes.len() - 1] & 0xF;
    if sign < 0xA {
        return None;
    }
    Some((if sign == 0xB || sign == 0xD { -m } else { m }, sign))
}

#[test]
fn known_values() {
    assert_eq!(unpack_i64(&[0x0C]), Some(Packed { value: 0, sign: 0xC }));
    assert_eq!(unpack_i64(&[0x0D]), Some(Packed { value: 0, sign: 0xD }));
    assert_eq!(unpack_i64(&[0x9F]), Some(Packed { value: 9, sign: 0xF }));
    assert_eq!(unpack_i64(&[0x00, 0x12, 0x3F]), Some(Packed { value: 123, sign: 0xF }));
    assert_eq!(unpack_i64(&[0x12, 0x3D]), Some(Packed { value: -123, sign: 0xD }));
    assert_eq!(unpack_i64(&[0x12, 0x3B]), Some(Packed { value: -123, sign: 0xB }));
    assert_eq!(unpack_i64(&[0x12, 0x3A]), Some(Packed { value: 123, sign: 0xA }));
    assert_eq!(unpack_i64(&[0x12, 0x39]), None, "sign nibble 9");
    assert_eq!(unpack_i64(&[0xA2, 0x3C]), None, "digit nibble A");
    assert_eq!(unpack_i64(&[0x40, 0x40]), None, "EBCDIC spaces");
    assert_eq!(unpack_i64(&[]), None);
    let max17 = [0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9C];
    assert_eq!(unpack_i64(&max17).unwrap().value, 99_999_999_999_999_999);
    let max31 = [0x99; 16];
    let mut max31 = max31;
    max31[15] = 0x9D;
    assert_eq!(unpack_i128(&max31).unwrap().value, -(10i128.pow(31) - 1));
    let mut out = [0u8; 16];
    pack_i128(-(10i128.pow(31) - 1), 0xD, &mut out).unwrap();
    assert_eq!(out, max31);
}

#[test]
fn pack_refuses() {
    let mut out = [0u8; 2];
    assert!(pack_i64(1000, 0xC, &mut out).is_err(), "4 digits in 3");
    assert!(pack_i64(999, 0xC, &mut out).is_ok());
    assert!(pack_i64(-5, 0xC, &mut out).is_err(), "negative value, positive sign");
    assert!(pack_i64(5, 0xD, &mut out).is_err(), "positive value, negative sign");
    assert!(pack_i64(5, 0x9, &mut out).is_err(), "not a sign nibble");
    assert!(pack_i64(0, 0xD, &mut out).is_ok(), "negative zero");
    assert_eq!(out, [0x00, 0x0D]);
    assert!(pack_i64(0, 0xC, &mut [0u8; 10]).is_err());
    assert!(pack_i64(i64::MIN, 0xD, &mut [0u8; 9]).is_err());
}

#[test]
fn column_round_trip_with_exceptions() {
    // 5-byte records: a 3-byte packed field at offset 1.
    let recs: Vec<[u8; 5]> = vec![
        [0xAA, 0x12, 0x34, 0x5C, 0xBB], // +12345
        [0xAA, 0x00, 0x00, 0x0D, 0xBB], // negative zero: a sign exception
        [0xAA, 0x40, 0x40, 0x40, 0xBB], // spaces: not a number
        [0xAA, 0x99, 0x99, 0x9D, 0xBB], // -99999
        [0xAA, 0x00, 0x00, 0x1F, 0xBB], // F in a signed column
    ];
    let data: Vec<u8> = recs.concat();
    let col = Column { record_len: 5, offset: 1, len: 3 };
    let c = unpack_column_i64(&data, col, SignRule::Signed).unwrap();
    assert_eq!(c.values, vec![12345, 0, 0, -99999, 1]);
    assert_eq!(
        c.exceptions,
        vec![
            Exception::Sign { record: 1, sign: 0xD },
            Exception::NotANumber { record: 2, bytes: vec![0x40; 3] },
            Exception::Sign { record: 4, sign: 0xF },
        ]
    );
    let mut back = data.clone();
    for r in back.chunks_mut(5) {
        r[1..4].fill(0);
    }
    pack_column_i64(&c, col, SignRule::Signed, &mut back).unwrap();
    assert_eq!(back, data);
    let wide = unpack_column_i128(&data, col, SignRule::Signed).unwrap();
    assert_eq!(wide.exceptions, c.exceptions);
    let mut back2 = vec![0u8; data.len()];
    for (a, b) in back2.chunks_mut(5).zip(data.chunks(5)) {
        a[0] = b[0];
        a[4] = b[4];
    }
    pack_column_i128(&wide, col, SignRule::Signed, &mut back2).unwrap();
    assert_eq!(back2, data);
}

#[test]
fn column_rejects_bad_geometry() {
    let data = [0u8; 10];
    assert!(unpack_column_i64(&data, Column { record_len: 3, offset: 0, len: 1 }, SignRule::Signed).is_err());
    assert!(unpack_column_i64(&data, Column { record_len: 5, offset: 3, len: 3 }, SignRule::Signed).is_err());
    assert!(unpack_column_i64(&data, Column { record_len: 10, offset: 0, len: 10 }, SignRule::Signed).is_err());
    assert!(unpack_column_i64(&data, Column { record_len: 5, offset: 0, len: 0 }, SignRule::Signed).is_err());
    let mut out = [0u8; 10];
    let c = PackedColumn { values: vec![1], exceptions: vec![] };
    assert!(pack_column_i64(&c, Column { record_len: 5, offset: 0, len: 2 }, SignRule::Signed, &mut out).is_err());
    let c = PackedColumn { values: vec![1000, 1], exceptions: vec![] };
    assert!(pack_column_i64(&c, Column { record_len: 5, offset: 0, len: 2 }, SignRule::Signed, &mut out).is_err());
}

fn valid_field() -> impl Strategy<Value = Vec<u8>> {
    (1usize..=16, prop::sample::select(vec![0xAu8, 0xB, 0xC, 0xD, 0xE, 0xF])).prop_flat_map(|(len, sign)| {
        prop::collection::vec(0u8..=9, 2 * len - 1).prop_map(move |digits| {
            let mut nibbles = digits;
            nibbles.push(sign);
            nibbles.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn pack_unpack_is_exact_on_valid_fields(field in valid_field()) {
        let p = unpack_i128(&field).expect("valid field");
        let r = reference(&field).unwrap();
        prop_assert_eq!((p.value, p.sign), r);
        let mut out = vec![0u8; field.len()];
        pack_i128(p.value, p.sign, &mut out).unwrap();
        prop_assert_eq!(&out, &field);
        if field.len() <= MAX_LEN_I64 {
            let q = unpack_i64(&field).unwrap();
            prop_assert_eq!(q.value as i128, p.value);
            pack_i64(q.value, q.sign, &mut out).unwrap();
            prop_assert_eq!(&out, &field);
        }
    }

    #[test]
    fn arbitrary_bytes_are_judged_like_the_reference(field in prop::collection::vec(any::<u8>(), 1..=16)) {
        let r = reference(&field);
        let p = unpack_i128(&field).map(|p| (p.value, p.sign));
        prop_assert_eq!(p, r);
        if let Some((v, s)) = r {
            let mut out = vec![0u8; field.len()];
            pack_i128(v, s, &mut out).unwrap();
            prop_assert_eq!(&out, &field);
        }
    }

    #[test]
    fn unpack_pack_is_identity_on_values(len in 1usize..=9, v in any::<i64>(), signed in any::<bool>()) {
        let limit = 10i64.pow(digits_for_len(len) as u32);
        let v = v % limit;
        let v = if signed { v } else { v.abs() };
        let sign = SignRule::from_signed(signed).expected(v < 0);
        let mut out = vec![0u8; len];
        pack_i64(v, sign, &mut out).unwrap();
        prop_assert_eq!(unpack_i64(&out), Some(Packed { value: v, sign }));
    }

    #[test]
    fn columns_round_trip_any_bytes(len in 1usize..=16, pad in 0usize..3, data in prop::collection::vec(any::<u8>(), 0..400), signed in any::<bool>()) {
        let record_len = len + pad;
        let n = data.len() / record_len;
        let data = &data[..n * record_len];
        let col = Column { record_len, offset: pad.min(1), len };
        let rule = SignRule::from_signed(signed);
        if len <= MAX_LEN_I64 {
            let c = unpack_column_i64(data, col, rule).unwrap();
            prop_assert_eq!(c.values.len(), n);
            let mut back = data.to_vec();
            for r in back.chunks_mut(record_len) { r[col.offset..col.offset + len].fill(0x55); }
            pack_column_i64(&c, col, rule, &mut back).unwrap();
            prop_assert_eq!(&back, &data);
            for e in &c.exceptions {
                if let Exception::NotANumber { record, .. } = e {
                    prop_assert!(reference(&data[record * record_len + col.offset..][..len]).is_none());
                }
            }
            // The column loops (tables for narrow fields) read what the
            // one-value path reads.
            for (value, rec) in c.values.iter().zip(data.chunks_exact(record_len)) {
                let field = &rec[col.offset..col.offset + len];
                prop_assert_eq!(*value, unpack_i64(field).map_or(0, |p| p.value));
            }
        }
        let c = unpack_column_i128(data, col, rule).unwrap();
        let mut back = data.to_vec();
        for r in back.chunks_mut(record_len) { r[col.offset..col.offset + len].fill(0x55); }
        pack_column_i128(&c, col, rule, &mut back).unwrap();
        prop_assert_eq!(&back, &data);
    }
}
