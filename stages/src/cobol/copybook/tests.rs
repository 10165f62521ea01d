//! Copybooks read as COBOL lays them out: every clause understood, every one refused.

use super::*;
use proptest::prelude::*;

const BANK_TXN: &str = include_str!("../../../../tests/cobol/bank_txn.cpy");

fn parse(src: &str) -> RecordLayout {
    RecordLayout::from_copybook(src).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

fn parse_err(src: &str) -> String {
    match RecordLayout::from_copybook(src) {
        Ok(l) => panic!("accepted: {l:?}"),
        Err(e) => e.to_string(),
    }
}

fn summary(l: &RecordLayout) -> Vec<(String, usize, usize)> {
    l.fields.iter().map(|f| (f.name.clone(), f.offset, f.len)).collect()
}

#[test]
fn bank_txn() {
    let l = parse(BANK_TXN);
    assert_eq!(l.name.as_deref(), Some("TXN-REC"));
    assert_eq!(l.record_len, 69);
    assert_eq!(
        summary(&l),
        [
            ("TR-ACCT", 0, 10),
            ("TR-DATE", 10, 8),
            ("TR-AMOUNT", 18, 6),
            ("TR-BALANCE", 24, 7),
            ("TR-CODE", 31, 4),
            ("TR-DESC", 35, 30),
            ("TR-COUNTER", 65, 4)
        ]
        .map(|(n, o, l)| (n.to_string(), o, l))
    );
    assert_eq!(
        l.fields[0].kind,
        FieldKind::Zoned { digits: 10, scale: 0, signed: false, sign: SignPosition::Trailing }
    );
    assert_eq!(l.fields[3].kind, FieldKind::Packed { digits: 13, scale: 2, signed: true });
    assert_eq!(l.fields[4].kind, FieldKind::Text);
    assert_eq!(l.fields[6].kind, FieldKind::Packed { digits: 7, scale: 0, signed: false });
    assert_eq!(l.fields[2].line, 5);
    // The same in free format, and with sequence numbers and an identification area.
    let free = "01 TXN-REC.\n 05 TR-ACCT PIC 9(10). *> the account\n05 TR-DATE PIC 9(8).\n05 TR-AMOUNT PIC S9(9)V99 COMP-3.\n05 TR-BALANCE PIC S9(11)V99 COMP-3.\n05 TR-CODE PIC X(4).\n05 TR-DESC PIC X(30).\n05 TR-COUNTER PIC 9(7) COMP-3.";
    assert_eq!(summary(&parse(free)), summary(&l));
    let numbered: String = BANK_TXN
        .lines()
        .enumerate()
        .map(|(i, line)| format!("{:06}{:<66}BANKTXN1\n", (i + 1) * 100, &line[6..]))
        .collect();
    assert_eq!(summary(&parse(&numbered)), summary(&l));
}

#[test]
fn usages_and_sizes() {
    let l = parse(
        "01 R.
               05 A PIC S9(4) COMP.      05 B PIC 9(5) BINARY.    05 C PIC S9(18) COMP-4.
               05 D PIC S9(2) COMPUTATIONAL-5.   05 E PIC S9(3) USAGE IS PACKED-DECIMAL.
               05 F PIC 9(4) COMP-3.    05 G PIC S9V9(3) SIGN IS LEADING SEPARATE CHARACTER.
               05 H PIC S9(3) TRAILING SEPARATE.  05 I PIC S9(3) SIGN LEADING.
               05 J PIC ZZ,ZZ9.99-.  05 K PIC XXBXX.  05 L PICTURE IS 9(3)V99 VALUE 1.5.
               05 M PIC $$$9.99CR.",
    );
    let sizes: Vec<usize> = l.fields.iter().map(|f| f.len).collect();
    assert_eq!(sizes, [2, 4, 8, 2, 2, 3, 5, 4, 3, 10, 5, 5, 9]);
    assert_eq!(l.record_len, sizes.iter().sum::<usize>());
    assert_eq!(l.fields[3].kind, FieldKind::Binary { bytes: 2, digits: 2, scale: 0, signed: true, native: true });
    assert_eq!(
        l.fields[6].kind,
        FieldKind::Zoned { digits: 4, scale: 3, signed: true, sign: SignPosition::LeadingSeparate }
    );
    assert_eq!(l.fields[9].kind, FieldKind::Text);
    let gnu = ParseOptions { binary_size: BinarySize::OneTwoFourEight, ..Default::default() };
    let l = RecordLayout::from_copybook_with("01 R. 05 A PIC 99 COMP. 05 B PIC 9(3) COMP-5.", &gnu).unwrap();
    assert_eq!(l.fields.iter().map(|f| f.len).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn occurs_redefines_filler_and_groups() {
    let l = parse(
        "       01 REC.
                   05 HDR.
                      10 KIND      PIC X.
                      10 FILLER    PIC X(3).
                   05 BODY-A.
                      10 ITEM OCCURS 2 TIMES.
                         15 QTY    PIC S9(3) COMP-3.
                         15 PRICE  PIC 9(2) OCCURS 3.
                   05 BODY-B REDEFINES BODY-A.
                      10 RAW       PIC X(10).
                   05 BODY-C REDEFINES BODY-A PIC X(5).
                   05 TAIL COMP-3.
                      10 T1        PIC S9(5).
                      10           PIC 9.
                      88 T-OK      VALUE 1 THRU 9.",
    );
    assert_eq!(l.record_len, 4 + 2 * (2 + 6) + 3 + 1);
    let names: Vec<&str> = l.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "KIND",
            "FILLER",
            "QTY(1)",
            "PRICE(1,1)",
            "PRICE(1,2)",
            "PRICE(1,3)",
            "QTY(2)",
            "PRICE(2,1)",
            "PRICE(2,2)",
            "PRICE(2,3)",
            "T1",
            "FILLER"
        ]
    );
    assert!(l.fields[1].filler && l.fields[11].filler);
    assert_eq!(l.field("price(2,3)").unwrap().offset, 4 + 8 + 2 + 4);
    assert_eq!(l.fields[10].kind, FieldKind::Packed { digits: 5, scale: 0, signed: true });
    assert_eq!(l.redefinitions.len(), 2);
    assert_eq!(l.redefinitions[0].name, "BODY-B");
    assert_eq!(l.redefinitions[0].redefines, "BODY-A");
    assert_eq!((l.redefinitions[0].offset, l.redefinitions[0].len), (4, 10));
    assert_eq!(l.redefinitions[0].fields[0].name, "RAW");
    assert_eq!((l.redefinitions[1].offset, l.redefinitions[1].len), (4, 5));
    // Offsets cover the record without gaps.
    let mut at = 0;
    for f in &l.fields {
        assert_eq!(f.offset, at, "{}", f.name);
        at += f.len;
    }
    assert_eq!(at, l.record_len);
}

#[test]
fn loose_items_and_alternative_records() {
    let l = parse("05 A PIC X(3).\n05 B PIC 9(2).\n05 C REDEFINES B PIC XX.");
    assert_eq!((l.name.clone(), l.record_len, l.fields.len(), l.redefinitions.len()), (None, 5, 2, 1));
    let l = parse("01 R1. 05 A PIC X(8).\n01 R2. 05 B PIC 9(4). 05 C PIC X(2).");
    assert_eq!(l.record_len, 8);
    assert_eq!(l.redefinitions[0].redefines, "R1");
    assert_eq!(l.redefinitions[0].fields.len(), 2);
}

#[test]
fn refusals_name_line_and_column() {
    let cases = [
        ("01 R.\n   05 N PIC 9(2).\n   05 A PIC X OCCURS 1 TO 5 DEPENDING ON N.", "line 3, column 24"),
        ("01 R.\n   05 A PIC X OCCURS 5 DEPENDING ON N.", "line 2, column 24"),
        ("01 R.\n   05 A COMP-1.", "line 2, column 9"),
        ("01 R.\n   05 A USAGE COMP-2.", "line 2, column 15"),
        ("01 R.\n   05 A POINTER.", "line 2, column 9"),
        ("01 R.\n   05 A INDEX.", "line 2, column 9"),
        ("01 R.\n   05 A PIC 9(4) COMP SYNC.", "line 2, column 23"),
        ("01 R.\n   05 A PIC 9(3)PP.", "line 2, column 17"),
        ("01 R.\n   05 A PIC N(4).", "line 2, column 13"),
        ("01 R.\n   05 A PIC X(4) COMP-3.", "line 2, column 13"),
        ("01 R.\n   05 A PIC 9(19) COMP.", "line 2, column 13"),
        ("01 R.\n   05 A.", "line 2, column 4"),
        ("01 R.\n   05 A PIC X.\n   05 B REDEFINES C PIC X.", "line 3, column 9"),
        ("01 R.\n   05 A PIC X.\n   05 B REDEFINES A PIC XX.", "line 3, column 9"),
        ("01 R.\n   05 A PIC X.\n     10 B PIC X.", "line 3, column 6"),
        ("01 R.\n   05 A PIC X.\n  03 B PIC X.", "line 3, column 3"),
        ("01 R.\n   05 A PIC X WIBBLE.", "line 2, column 15"),
        ("COPY FOO.", "line 1, column 1"),
        ("01 R.\n   05 A PIC X VALUE 'abc.", "line 2, column 21"),
        ("01 R.\n   05 A PIC 9 SIGN LEADING.", "line 2, column 15"),
        ("01 R OCCURS 2.\n   05 A PIC X.", "line 1, column 1"),
        ("       01 R.\n      x05 A PIC X.", "line 2, column 7"),
    ];
    let fixed = ParseOptions { format: SourceFormat::Fixed, ..Default::default() };
    let e = RecordLayout::from_copybook_with("       01 R.\n      x05 A PIC X.", &fixed).unwrap_err().to_string();
    assert!(e.contains("line 2, column 7") && e.contains("indicator"), "{e}");
    for (src, want) in cases {
        let e = parse_err(src);
        assert!(e.contains(want), "{src:?}: {e} (wanted {want})");
    }
    assert!(RecordLayout::from_copybook("").is_err());
    assert!(RecordLayout::from_copybook("      * only a comment\n").is_err());
}

#[test]
fn huge_occurs_is_refused_not_allocated() {
    let src = "01 R.\n 05 G OCCURS 100000.\n  10 H OCCURS 100000.\n   15 A PIC X(100000).";
    assert!(matches!(RecordLayout::from_copybook(src), Err(Error::TooLarge { .. })));
    let src = "01 R.\n 05 G OCCURS 10000.\n  10 H OCCURS 1000.\n   15 A PIC X.";
    assert!(matches!(RecordLayout::from_copybook(src), Err(Error::TooLarge { .. })));
}

#[test]
fn continuation_and_literals() {
    let src = "       01 R.
           05 A PIC X(20) VALUE 'THIS IS A LONG LITERAL THAT
      -    'CONTINUES'.
           05 B PIC X(2) VALUE X\"4142\".
           05 C PIC X(3) VALUE \"a.b \"\" c\".";
    let l = parse(src);
    assert_eq!(summary(&l), [("A", 0, 20), ("B", 20, 2), ("C", 22, 3)].map(|(n, o, l)| (n.to_string(), o, l)));
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in ".{0,400}") {
        let _ = RecordLayout::from_copybook(&s);
    }

    #[test]
    fn never_panics_on_copybook_like_text(words in prop::collection::vec(prop::sample::select(vec![
        "01", "05", "10", "66", "77", "88", "A", "B", "FILLER", "PIC", "X(3)", "S9(5)V99", "9(0)", "9(", "COMP-3",
        "COMP", "COMP-5", "OCCURS", "3", "TIMES", "REDEFINES", "VALUE", "'x'", "\"", "SIGN", "LEADING", "SEPARATE",
        ".", ". ", "\n", "      *", "*>", "-", "DEPENDING", "ON", "X", "99999999999", "(", ")", "\t",
    ]), 0..60)) {
        let _ = RecordLayout::from_copybook(&words.join(" "));
        let _ = RecordLayout::from_copybook(&words.concat());
    }
}
