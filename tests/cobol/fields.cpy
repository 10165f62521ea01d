      *> Every kind of field the record layer reads, as GnuCOBOL lays
      *> it out (compiled with -fbinary-size=2-4-8, as IBM sizes COMP).
       01 FLD-REC.
          05 F-ID          PIC 9(6).
          05 F-NAME        PIC X(12).
          05 F-P1          PIC S9(1)       COMP-3.
          05 F-P4          PIC S9(3)V9     COMP-3.
          05 F-P5U         PIC 9(5)        COMP-3.
          05 F-AMOUNT      PIC S9(9)V99    COMP-3.
          05 F-BALANCE     PIC S9(11)V99   COMP-3.
          05 F-P18         PIC S9(18)      PACKED-DECIMAL.
          05 F-P31         PIC S9(25)V9(6) COMP-3.
          05 F-B2          PIC S9(4)       COMP.
          05 F-B2U         PIC 9(4)        COMP.
          05 F-B4          PIC S9(9)       COMP.
          05 F-B4U         PIC 9(7)V99     BINARY.
          05 F-B8          PIC S9(18)      COMP-4.
          05 F-B8U         PIC 9(15)       COMPUTATIONAL.
          05 F-N2          PIC S9(4)       COMP-5.
          05 F-N4U         PIC 9(9)        COMP-5.
          05 F-N8          PIC S9(13)V99   COMP-5.
          05 F-Z-TRAIL     PIC S9(5)V99.
          05 F-Z-LEAD      PIC S9(5)       SIGN LEADING.
          05 F-Z-TSEP      PIC S9(4)V9     SIGN TRAILING SEPARATE.
          05 F-Z-LSEP      PIC S9(3)       SIGN IS LEADING
                                           SEPARATE CHARACTER.
          05 F-Z-U         PIC 9(7)V9.
          05 F-GROUP.
             10 F-TABLE    OCCURS 3 TIMES.
                15 F-T-QTY PIC S9(3)       COMP-3.
                15 F-T-CODE PIC X(2).
                15 F-T-Z   PIC S9(2).
          05 F-ALT REDEFINES F-GROUP.
             10 F-ALT-RAW  PIC X(18).
          05 FILLER        PIC X(3)        VALUE SPACES.
