#!/bin/sh
# Soak test of `cobolp compress --follow`: a writer appends timestamped log lines to a
# file at RATE bytes/s for SECONDS seconds, rotating it twice by rename (at 1/3 and
# 2/3; the old file gets one more chunk after each rename, then a new file appears),
# while the follower compresses it. A monitor samples the output's size every
# millisecond. At the end the follower gets SIGINT, and the script reports:
#   - the lag from a line's write to the flush of the frame that holds it (p50, p99,
#     max), from the writer's per-chunk write times and the times each frame appeared;
#   - whether the decoded output equals the three files concatenated (SHA-256),
#     i.e. no line lost or repeated across the rotations;
#   - the follower's CPU time and peak resident memory (/usr/bin/time).
#
# usage: benches/follow_soak.sh [SECONDS [RATE [COBOLP [FOLLOW-ARGS...]]]]
#   defaults: 60 s, 10000000 bytes/s, target/release/cobolp
#   e.g.      CARGO_TARGET_DIR=/work/target-follow cargo build --release
#             benches/follow_soak.sh 60 10000000 /work/target-follow/release/cobolp
# Needs python3 (writer, monitor and analysis), sha256sum and /usr/bin/time.
set -eu

SECONDS_TO_RUN=${1:-60}
RATE=${2:-10000000}
COBOLP=${3:-target/release/cobolp}
[ $# -gt 3 ] && shift 3 || set --
COBOLP=$(realpath "$COBOLP")
DIR=$(mktemp -d /tmp/cobolp-soak.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"

cat > soak.py <<'EOF'
import os, sys, time

def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)

def writer(path, seconds, rate):
    """Appends lines at `rate` bytes/s; logs "end_offset write_time" per chunk."""
    samples = open("writes.txt", "w")
    f = open(path, "ab", buffering=0)
    start = now()
    written = 0
    seq = 0
    rotations = [seconds / 3, 2 * seconds / 3]
    methods = ["GET", "GET", "GET", "POST", "PUT"]
    paths = ["/", "/index.html", "/api/v1/orders", "/api/v1/orders/%d", "/static/app.js", "/login"]
    while True:
        t = now() - start
        if t >= seconds:
            break
        if rotations and t >= rotations[0]:
            rotations.pop(0)
            os.rename(path, "%s.r%d" % (path, 2 - len(rotations)))
            rotate_after_chunk = True
        else:
            rotate_after_chunk = False
        target = int(rate * t)
        if written >= target and not rotate_after_chunk:
            time.sleep(0.002)
            continue
        # Up to 20 ms of data per write, whole lines.
        lines = []
        size = 0
        wall = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(wall)) + ".%06dZ" % int((wall % 1) * 1e6)
        while size < max(target - written, 1) and size < rate // 50:
            p = paths[seq % 6]
            if "%d" in p:
                p = p % (seq * 7919 % 100000)
            line = '%s 10.%d.%d.%d - - "%s %s HTTP/1.1" %d %d seq=%d rt=0.%03d\n' % (
                stamp, seq % 4, seq * 13 % 256, seq * 7 % 256, methods[seq % 5], p,
                [200, 200, 200, 304, 404, 500][seq % 6], seq * 31 % 50000, seq, seq % 1000)
            lines.append(line)
            size += len(line)
            seq += 1
        data = "".join(lines).encode()
        f.write(data)
        written += len(data)
        samples.write("%d %.6f\n" % (written, now()))
        if rotate_after_chunk:
            f.close()
            f = open(path, "ab", buffering=0)
    f.close()
    samples.close()
    print("writer: %d lines, %d bytes in %.1f s (%.2f MB/s)" % (seq, written, now() - start, written / (now() - start) / 1e6))

def monitor(out, stop_file):
    """Logs "size time" each time the output grows; polls every millisecond."""
    log = open("sizes.txt", "w")
    last = -1
    while not os.path.exists(stop_file):
        try:
            size = os.stat(out).st_size
        except FileNotFoundError:
            size = 0
        if size != last:
            log.write("%d %.6f\n" % (size, now()))
            last = size
        time.sleep(0.001)
    log.close()

def analyze(out):
    data = open(out, "rb").read()
    frames = []  # (compressed end, decoded end)
    pos = decoded = 0
    while pos < len(data):
        assert data[pos:pos + 4] == b"\x89CPZ", "frame magic at %d" % pos
        original = int.from_bytes(data[pos + 8:pos + 12], "little")
        payload = int.from_bytes(data[pos + 12:pos + 16], "little")
        pos += 56 + payload
        decoded += original
        frames.append((pos, decoded))
    sizes = [tuple(map(float, l.split())) for l in open("sizes.txt")]
    writes = [tuple(map(float, l.split())) for l in open("writes.txt")]
    # When each frame became visible: the first size sample covering its end.
    seen = []
    i = 0
    for end, _ in frames:
        while i < len(sizes) and sizes[i][0] < end:
            i += 1
        seen.append(sizes[i][1] if i < len(sizes) else float("nan"))
    lags = []
    k = 0
    for end, t in writes:
        while k < len(frames) and frames[k][1] < end:
            k += 1
        if k < len(frames):
            lags.append(seen[k] - t)
    lags.sort()
    q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))] * 1000
    print("frames: %d, %d -> %d bytes, ratio %.3f, mean frame %.0f KiB" % (
        len(frames), decoded, len(data), decoded / max(len(data), 1), decoded / max(len(frames), 1) / 1024))
    print("lag write -> frame flushed over %d chunks: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms" % (
        len(lags), q(0.5), q(0.9), q(0.99), lags[-1] * 1000))

mode = sys.argv[1]
if mode == "writer":
    writer(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
elif mode == "monitor":
    monitor(sys.argv[2], sys.argv[3])
else:
    analyze(sys.argv[2])
EOF

: > app.log
/usr/bin/time -f "follower: %e s wall, %U s user, %S s system, peak RSS %M KiB" -o time.txt \
    "$COBOLP" compress --follow app.log -o app.cpz "$@" &
FOLLOWER=$!
while [ ! -e app.cpz ]; do sleep 0.01; done
python3 soak.py monitor app.cpz stop &
MONITOR=$!
python3 soak.py writer app.log "$SECONDS_TO_RUN" "$RATE"
sleep 0.1
# GNU time ignores SIGINT while it waits: signal the follower itself.
FOLLOWER_PID=$(pgrep -P "$FOLLOWER" cobolp || echo "$FOLLOWER")
kill -INT "$FOLLOWER_PID"
wait "$FOLLOWER" || { echo "follower failed"; exit 1; }
touch stop
wait "$MONITOR"
cat time.txt
python3 soak.py analyze app.cpz
WANT=$(cat app.log.r1 app.log.r2 app.log | sha256sum | cut -d' ' -f1)
GOT=$("$COBOLP" decompress -q -c app.cpz | sha256sum | cut -d' ' -f1)
LINES=$(cat app.log.r1 app.log.r2 app.log | wc -l)
if [ "$WANT" = "$GOT" ]; then
    echo "check: decoded output = app.log.r1 + app.log.r2 + app.log ($LINES lines, SHA-256 equal): no line lost or repeated"
else
    echo "check: MISMATCH (want $WANT, got $GOT)"
    exit 1
fi
