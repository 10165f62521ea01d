#!/usr/bin/env python3
"""Writes delimited inputs from the corpus logs, the ones `docs/ARCHITECTURE.md`
("Delimited records") measures on: the Apache access log as CSV (RFC 4180 quoting,
as Python's csv module writes it) and as TSV (no quoting, backslash escapes), each
with a header; and the eleven loghub logs as a CSV of host, level and message.

usage: benches/make_delimited.py [CORPUS_LOGS_DIR] [OUT_DIR]
(defaults: ../shared/corpus/logs, target/delimited)
"""
import csv
import glob
import os
import re
import sys

logs = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/logs"
out = sys.argv[2] if len(sys.argv) > 2 else "target/delimited"
os.makedirs(out, exist_ok=True)


def create(name):
    return open(os.path.join(out, name), "w", newline="", encoding="utf-8", errors="surrogateescape")


combined = re.compile(r'(\S+) (\S+) (\S+) \[([^\]]+)\] "(.*?)" (\d{3}) (\S+) "(.*?)" "(.*?)"')
header = ["client", "ident", "user", "time", "request", "status", "bytes", "referrer", "user_agent"]
with open(os.path.join(logs, "apache_access.log"), encoding="utf-8", errors="surrogateescape") as f, \
        create("apache.csv") as c, create("apache.tsv") as t:
    to_csv = csv.writer(c)
    to_tsv = csv.writer(t, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
    to_csv.writerow(header)
    to_tsv.writerow(header)
    for line in f:
        m = combined.match(line)
        if m:
            to_csv.writerow(m.groups())
            to_tsv.writerow(m.groups())

with create("loghub.csv") as c:
    to_csv = csv.writer(c)
    to_csv.writerow(["host", "level", "message"])
    i = 0
    for path in sorted(glob.glob(os.path.join(logs, "*_2k.log"))):
        name = os.path.basename(path).split("_")[0].lower()
        for line in open(path, encoding="utf-8", errors="replace"):
            i += 1
            to_csv.writerow([f"{name}-node", ["info", "info", "warn", "error"][i % 4], line.rstrip("\n")])
