#!/usr/bin/env python3
"""Writes the corpus's Apache access log as CSV (RFC 4180 quoting, as Python's csv
module writes it) and as TSV (no quoting, backslash escapes), each with a header:
the delimited inputs `docs/ARCHITECTURE.md` ("Delimited records") measures on.

usage: benches/make_delimited.py [ACCESS_LOG] [OUT_DIR]
(defaults: ../shared/corpus/logs/apache_access.log, target/delimited)
"""
import csv
import os
import re
import sys

log = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/logs/apache_access.log"
out = sys.argv[2] if len(sys.argv) > 2 else "target/delimited"
os.makedirs(out, exist_ok=True)
combined = re.compile(r'(\S+) (\S+) (\S+) \[([^\]]+)\] "(.*?)" (\d{3}) (\S+) "(.*?)" "(.*?)"')
header = ["client", "ident", "user", "time", "request", "status", "bytes", "referrer", "user_agent"]
with open(log, encoding="utf-8", errors="surrogateescape") as f, \
        open(os.path.join(out, "apache.csv"), "w", newline="", encoding="utf-8", errors="surrogateescape") as c, \
        open(os.path.join(out, "apache.tsv"), "w", newline="", encoding="utf-8", errors="surrogateescape") as t:
    to_csv = csv.writer(c)
    to_tsv = csv.writer(t, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
    to_csv.writerow(header)
    to_tsv.writerow(header)
    for line in f:
        m = combined.match(line)
        if m:
            to_csv.writerow(m.groups())
            to_tsv.writerow(m.groups())
