#!/bin/sh
# bench/h2/run.sh [--runs N] [ASYNCDEMOCTL ASYNCDEMOD]: bench's own HTTP/2 engine (bench --h2 over h2c: the
# nghttp2 engine) against h2load, same flags, alternately, on one daemon (bench/README.md, "HTTP/2").
# Each round: h2load -c64 -m10 -n200000 -tT, then asyncdemoctl bench --h2 -c 64 -m 10 -n 200000 --threads T
# (T: $THREADS, default 2), against /non-blocking?delay=0; the client's CPU time (user + system, from
# /usr/bin/time) and the daemon's (from /proc) per request. Prints every run and the medians; exit 0 when
# bench makes >= 0.9x h2load's req/s at no more client CPU per request, 1 when not, 2 when it cannot run.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/common.sh"
need_tools "packaging/install-deps.sh" h2load python3 /usr/bin/time
runs=3
if [ "${1:-}" = "--runs" ]; then
    runs=$2
    shift 2
fi
ctl=${1:-${ASYNCDEMOCTL:-$root/build/ctl/asyncdemoctl}}
daemon=${2:-${ASYNCDEMOD:-$root/build/daemon/asyncdemod}}
need_programs "${1:-${ASYNCDEMOCTL:-}}" "asyncdemoctl=$ctl" "asyncdemod=$daemon"
threads=${THREADS:-2}
n=${REQUESTS:-200000}

dir=$(mktemp -d)
pid=""
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
"$daemon" --listen 127.0.0.1:0 2>"$dir/log" &
pid=$!
i=0
until grep -q 'listening on' "$dir/log"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "run.sh: the daemon did not start" >&2; cat "$dir/log" >&2; exit 2; }
    sleep 0.05
done
port=$(grep 'listening on' "$dir/log" | head -1 | sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/')
url="http://127.0.0.1:$port/non-blocking?delay=0"
cpu() { cpu_centis "$pid"; } # the daemon's user+system time, in 1/100 s

# one TOOL: one run; prints "TOOL REQ/S CLIENT_US_PER_REQ DAEMON_US_PER_REQ"
one() {
    before=$(cpu)
    if [ "$1" = h2load ]; then
        /usr/bin/time -f '%U %S' -o "$dir/time" h2load -c 64 -m 10 -n "$n" -t "$threads" "$url" >"$dir/out" 2>&1
        rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$dir/out")
        grep -q "^requests: $n total, $n started, $n done, $n succeeded" "$dir/out" ||
            { echo "run.sh: h2load did not succeed:" >&2; cat "$dir/out" >&2; exit 2; }
    else
        /usr/bin/time -f '%U %S' -o "$dir/time" "$ctl" bench --h2 -c 64 -m 10 -n "$n" --threads "$threads" \
            --no-progress --json "$url" >"$dir/out" 2>"$dir/err" ||
            { echo "run.sh: bench failed:" >&2; cat "$dir/err" >&2; exit 2; }
        rps=$(python3 -c 'import json, sys; r = json.load(sys.stdin)["runs"][0]
assert r["ok"] == int(sys.argv[1]) and r["engine"] == "nghttp2", (r["ok"], r["engine"], r["first_error"])
print(r["rps"])' "$n" <"$dir/out") || exit 2
    fi
    after=$(cpu)
    awk -v tool="$1" -v rps="$rps" -v n="$n" -v d="$((after - before))" '{
        printf "%-8s %10.0f req/s  client %5.2f us/request  daemon %5.2f us/request\n", tool, rps,
               ($1 + $2) * 1e6 / n, d * 1e4 / n }' "$dir/time"
}

echo "h2load vs asyncdemoctl bench --h2: -c 64 -m 10 -n $n, $threads threads each, $url"
: >"$dir/all"
r=0
while [ $r -lt "$runs" ]; do
    for tool in h2load bench; do
        one "$tool" | tee -a "$dir/all"
    done
    r=$((r + 1))
done
python3 - "$dir/all" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med = {t: (statistics.median(float(r[1]) for r in rows if r[0] == t),
           statistics.median(float(r[4]) for r in rows if r[0] == t)) for t in ("h2load", "bench")}
ratio, cpu_h, cpu_b = med["bench"][0] / med["h2load"][0], med["h2load"][1], med["bench"][1]
print(f"medians: h2load {med['h2load'][0]:.0f} req/s {cpu_h:.2f} us/request, bench {med['bench'][0]:.0f} req/s "
      f"{cpu_b:.2f} us/request: {ratio:.2f}x h2load's req/s (target >= 0.90), client CPU per request "
      f"{cpu_b / cpu_h:.2f}x h2load's (target <= 1.00)")
sys.exit(0 if ratio >= 0.9 and cpu_b <= cpu_h else 1)
PY
