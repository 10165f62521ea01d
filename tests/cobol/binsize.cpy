      *> Binary items as GnuCOBOL sizes them by default
      *> (binary-size: 1-2-4-8): 1-2 digits take one byte.
       01 BIN-REC.
          05 B-ID          PIC 9(4).
          05 B-1S          PIC S9(2)  COMP.
          05 B-1U          PIC 99     COMP.
          05 B-2S          PIC S9(4)  COMP.
          05 B-2U          PIC 9(3)   COMP.
          05 B-4S          PIC S9(9)  COMP.
          05 B-8S          PIC S9(18) COMP.
          05 B-N1          PIC S9(2)  COMP-5.
          05 B-N2U         PIC 9(4)   COMP-5.
