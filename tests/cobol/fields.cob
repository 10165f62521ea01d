       IDENTIFICATION DIVISION.
       PROGRAM-ID. FIELDS.
      *> Writes fields.dat (records of fields.cpy) and prints the same
      *> values, one line per record, as COBOL's DISPLAY shows them,
      *> separated by '|'. Argument: the number of records (100).
      *> Values come from a fixed LCG, so every run writes the same
      *> bytes. Records 1-4 hold zero, the largest value, the most
      *> negative (largest for unsigned fields) and -1 (1) everywhere.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO "fields.dat"
               ORGANIZATION IS SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD OUT-FILE.
       COPY "fields.cpy".
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
       01 WS-NAMES.
          05 FILLER PIC X(8) VALUE "ALPHA   ".
          05 FILLER PIC X(8) VALUE "BRAVO   ".
          05 FILLER PIC X(8) VALUE "CHARLIE ".
          05 FILLER PIC X(8) VALUE "DELTA   ".
          05 FILLER PIC X(8) VALUE "ECHO    ".
          05 FILLER PIC X(8) VALUE "FOXTROT ".
          05 FILLER PIC X(8) VALUE "golf-{}#".
          05 FILLER PIC X(8) VALUE "Hotel.42".
       01 WS-NAME-TAB REDEFINES WS-NAMES.
          05 WS-NAME PIC X(8) OCCURS 8 TIMES.
       PROCEDURE DIVISION.
       MAIN-PARA.
           ACCEPT WS-ARG FROM COMMAND-LINE
           IF WS-ARG NOT = SPACES
               MOVE FUNCTION NUMVAL(WS-ARG) TO WS-N
           END-IF
           OPEN OUTPUT OUT-FILE
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > WS-N
               PERFORM MAKE-RECORD
               WRITE FLD-REC
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
           MOVE SPACES TO FLD-REC
           MOVE WS-I TO F-ID
           COMPUTE WS-J = FUNCTION MOD(WS-I, 8) + 1
           MOVE WS-NAME(WS-J) TO F-NAME
           MOVE WS-I(6:4) TO F-NAME(9:4)
           MOVE 1 TO WS-D  MOVE 0 TO WS-SC  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-P1 = WS-V / WS-SCALE
           MOVE 4 TO WS-D  MOVE 1 TO WS-SC
           PERFORM GEN-VALUE  COMPUTE F-P4 = WS-V / WS-SCALE
           MOVE 5 TO WS-D  MOVE 0 TO WS-SC  MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-P5U = WS-V / WS-SCALE
           MOVE 11 TO WS-D  MOVE 2 TO WS-SC  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-AMOUNT = WS-V / WS-SCALE
           MOVE 13 TO WS-D
           PERFORM GEN-VALUE  COMPUTE F-BALANCE = WS-V / WS-SCALE
           MOVE 18 TO WS-D  MOVE 0 TO WS-SC
           PERFORM GEN-VALUE  COMPUTE F-P18 = WS-V / WS-SCALE
           MOVE 31 TO WS-D  MOVE 6 TO WS-SC
           PERFORM GEN-VALUE  COMPUTE F-P31 = WS-V / WS-SCALE
           MOVE 4 TO WS-D  MOVE 0 TO WS-SC
           PERFORM GEN-VALUE  COMPUTE F-B2 = WS-V / WS-SCALE
           MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-B2U = WS-V / WS-SCALE
           MOVE 9 TO WS-D  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-B4 = WS-V / WS-SCALE
           MOVE 2 TO WS-SC  MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-B4U = WS-V / WS-SCALE
           MOVE 18 TO WS-D  MOVE 0 TO WS-SC  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-B8 = WS-V / WS-SCALE
           MOVE 15 TO WS-D  MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-B8U = WS-V / WS-SCALE
           MOVE 4 TO WS-D  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-N2 = WS-V / WS-SCALE
           MOVE 9 TO WS-D  MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-N4U = WS-V / WS-SCALE
           MOVE 15 TO WS-D  MOVE 2 TO WS-SC  MOVE 1 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-N8 = WS-V / WS-SCALE
           MOVE 7 TO WS-D
           PERFORM GEN-VALUE  COMPUTE F-Z-TRAIL = WS-V / WS-SCALE
           MOVE 5 TO WS-D  MOVE 0 TO WS-SC
           PERFORM GEN-VALUE  COMPUTE F-Z-LEAD = WS-V / WS-SCALE
           MOVE 5 TO WS-D  MOVE 1 TO WS-SC
           PERFORM GEN-VALUE  COMPUTE F-Z-TSEP = WS-V / WS-SCALE
           MOVE 3 TO WS-D  MOVE 0 TO WS-SC
           PERFORM GEN-VALUE  COMPUTE F-Z-LSEP = WS-V / WS-SCALE
           MOVE 8 TO WS-D  MOVE 1 TO WS-SC  MOVE 0 TO WS-SIGNED
           PERFORM GEN-VALUE  COMPUTE F-Z-U = WS-V / WS-SCALE
           PERFORM VARYING WS-J FROM 1 BY 1 UNTIL WS-J > 3
               MOVE 3 TO WS-D  MOVE 0 TO WS-SC  MOVE 1 TO WS-SIGNED
               PERFORM GEN-VALUE
               COMPUTE F-T-QTY(WS-J) = WS-V / WS-SCALE
               MOVE WS-NAME(WS-J)(1:2) TO F-T-CODE(WS-J)
               MOVE 2 TO WS-D
               PERFORM GEN-VALUE
               COMPUTE F-T-Z(WS-J) = WS-V / WS-SCALE
           END-PERFORM.

       SHOW-RECORD.
           DISPLAY F-ID "|" F-NAME "|" F-P1 "|" F-P4 "|" F-P5U "|"
               F-AMOUNT "|" F-BALANCE "|" F-P18 "|" F-P31 "|"
               F-B2 "|" F-B2U "|" F-B4 "|" F-B4U "|" F-B8 "|"
               F-B8U "|" F-N2 "|" F-N4U "|" F-N8 "|"
               F-Z-TRAIL "|" F-Z-LEAD "|" F-Z-TSEP "|" F-Z-LSEP "|"
               F-Z-U "|"
               F-T-QTY(1) "|" F-T-CODE(1) "|" F-T-Z(1) "|"
               F-T-QTY(2) "|" F-T-CODE(2) "|" F-T-Z(2) "|"
               F-T-QTY(3) "|" F-T-CODE(3) "|" F-T-Z(3) "|".
