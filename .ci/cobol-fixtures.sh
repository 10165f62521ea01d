#!/bin/sh
# Regenerates the COBOL fixtures of tests/cobol_oracle.rs with GnuCOBOL, checks that
# they equal the committed ones byte for byte, then generates a large set (100,000
# records; RECORDS=n to change) and runs the oracle test on it.
#
#   .ci/cobol-fixtures.sh            check
#   .ci/cobol-fixtures.sh --update   rewrite the committed fixtures
#
# Needs `cobc` (GnuCOBOL 3.x). When it is missing the script installs the `gnucobol`
# package with apt-get if it runs as root and apt works; otherwise it says why it
# skips and exits 0.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tests/cobol"
records=${RECORDS:-100000}

if ! command -v cobc >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 &&
        apt-get update >/dev/null 2>&1 && apt-get install -y gnucobol >/dev/null 2>&1; then
        echo "installed gnucobol"
    else
        echo "cobol-fixtures: SKIPPED: cobc (GnuCOBOL) is not installed and could not be installed with apt-get"
        exit 0
    fi
fi
cobc --version | head -n 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# fields: IBM binary sizes; fields_esign: the same with EBCDIC-style overpunch signs;
# binsize: GnuCOBOL's default binary sizes (1-2-4-8).
cobc -x -I "$src" -fbinary-size=2-4-8 -o fields "$src/fields.cob"
cobc -x -I "$src" -fbinary-size=2-4-8 -fsign=EBCDIC -o fields_esign "$src/fields.cob"
cobc -x -I "$src" -o binsize "$src/binsize.cob"

# generate DIR N: the fixture files of N records into DIR
generate() {
    mkdir -p "$1"
    (
        cd "$1"
        "$tmp/fields" "$2" >fields.txt
        mv fields.dat fields.tmp
        "$tmp/fields_esign" "$2" >fields_esign.txt
        mv fields.dat fields_esign.dat
        mv fields.tmp fields.dat
        cmp -s fields.txt fields_esign.txt || { echo "-fsign=EBCDIC changed the DISPLAY text"; exit 1; }
        rm fields_esign.txt
        "$tmp/binsize" "$2" >binsize.txt
    )
}

generate small 100
files="fields.dat fields.txt fields_esign.dat binsize.dat binsize.txt"
if [ "${1:-}" = "--update" ]; then
    for f in $files; do cp "small/$f" "$src/$f"; done
    echo "updated tests/cobol fixtures"
else
    bad=0
    for f in $files; do
        if ! cmp "small/$f" "$src/$f"; then
            echo "tests/cobol/$f differs from what GnuCOBOL writes now"
            bad=1
        fi
    done
    [ "$bad" = 0 ] || exit 1
    echo "tests/cobol fixtures: identical to GnuCOBOL's output"
fi

generate large "$records"
ls -l large
cd "$root"
COBOLP_COBOL_FIXTURES="$tmp/large" cargo test --test cobol_oracle -- --nocapture
