       IDENTIFICATION DIVISION.
       PROGRAM-ID. BINSIZE.
      *> Writes binsize.dat (records of binsize.cpy, compiled with
      *> GnuCOBOL's default binary-size 1-2-4-8) and prints the same
      *> values, one line per record, as COBOL's DISPLAY shows them,
      *> separated by '|'. Argument: the number of records (100).
      *> Values come from a fixed LCG, so every run writes the same
      *> bytes. Records 1-4 hold zero, the largest value, the most
      *> negative (largest for unsigned fields) and -1 (1) everywhere.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO "binsize.dat"
               ORGANIZATION IS SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD OUT-FILE.
       COPY "binsize.cpy".
       WORKING-STORAGE SECTION.
       01 WS-ARG      PIC X(20).
       01 WS-N        PIC 9(9) VALUE 100.
       01 WS-I        PIC 9(9).
       01 WS-J        PIC 9(2).
       01 WS-S        PIC 9(10) VALUE 19730401.
       01 WS-D        PIC 9(2).
       01 WS-SC       PIC 9(2).
       01 WS-SIGNED   PIC 9.
       01 WS-K        PIC 9(2).
       01 WS-R        PIC 9(34).
       01 WS-Q        PIC 9(34).
       01 WS-P        PIC 9(34).
       01 WS-V        PIC S9(34).
       01 WS-SCALE    PIC 9(10).
       PROCEDURE DIVISION.
       MAIN-PARA.
           ACCEPT WS-ARG FROM COMMAND-LINE
           IF WS-ARG NOT = SPACES
               MOVE FUNCTION NUMVAL(WS-ARG) TO WS-N
           END-IF
           OPEN OUTPUT OUT-FILE
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > WS-N
               PERFORM MAKE-RECORD
               WRITE BIN-REC
               PERFORM SHOW-RECORD
           END-PERFORM
           CLOSE OUT-FILE
           STOP RUN.

       NEXT-RAND.
           COMPUTE WS-S = FUNCTION MOD(WS-S * 1103515245 + 12345,
                                       2147483648).

      *> WS-V: a value of WS-D digits (signed when WS-SIGNED = 1),
      *> unscaled; WS-SCALE: 10 ** WS-SC.
       GEN-VALUE.
           MOVE 1 TO WS-P
           PERFORM WS-D TIMES
               COMPUTE WS-P = WS-P * 10
           END-PERFORM
           MOVE 1 TO WS-SCALE
           PERFORM WS-SC TIMES
               COMPUTE WS-SCALE = WS-SCALE * 10
           END-PERFORM
           EVALUATE WS-I
             WHEN 1
               MOVE 0 TO WS-V
             WHEN 2
               COMPUTE WS-V = WS-P - 1
             WHEN 3
               COMPUTE WS-V = WS-P - 1
               IF WS-SIGNED = 1
                   COMPUTE WS-V = - WS-V
               END-IF
             WHEN 4
               MOVE 1 TO WS-V
               IF WS-SIGNED = 1
                   MOVE -1 TO WS-V
               END-IF
             WHEN OTHER
               PERFORM NEXT-RAND
               COMPUTE WS-K = FUNCTION MOD(WS-S, WS-D + 1)
               MOVE 1 TO WS-P
               PERFORM WS-K TIMES
                   COMPUTE WS-P = WS-P * 10
               END-PERFORM
               MOVE 0 TO WS-R
               PERFORM 4 TIMES
                   PERFORM NEXT-RAND
                   COMPUTE WS-R = WS-R * 100000000
                                  + FUNCTION MOD(WS-S, 100000000)
               END-PERFORM
               DIVIDE WS-R BY WS-P GIVING WS-Q REMAINDER WS-V
               PERFORM NEXT-RAND
               IF WS-SIGNED = 1 AND FUNCTION MOD(WS-S, 2) = 1
                   COMPUTE WS-V = - WS-V
               END-IF
           END-EVALUATE.

       MAKE-RECORD.
           MOVE WS-I TO B-ID
           MOVE 2 TO WS-D  MOVE 0 TO WS-SC  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE B-1S = WS-V
           MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE B-1U = WS-V
           MOVE 4 TO WS-D  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE B-2S = WS-V
           MOVE 3 TO WS-D  MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE B-2U = WS-V
           MOVE 9 TO WS-D  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE B-4S = WS-V
           MOVE 18 TO WS-D
           PERFORM GEN-VALUE  COMPUTE B-8S = WS-V
           MOVE 2 TO WS-D
           PERFORM GEN-VALUE  COMPUTE B-N1 = WS-V
           MOVE 4 TO WS-D  MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE B-N2U = WS-V.

       SHOW-RECORD.
           DISPLAY B-ID "|" B-1S "|" B-1U "|" B-2S "|" B-2U "|"
               B-4S "|" B-8S "|" B-N1 "|" B-N2U "|".
