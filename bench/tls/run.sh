#!/bin/sh
# bench/tls/run.sh [--c10k | --ctl] [ASYNCDEMOD]: asyncdemod over TLS beside cleartext (bench/README.md, "TLS").
# One daemon with a cleartext and a TLS listener (a self-signed EC P-256 certificate made here), then:
# h2 over TLS against h2c (h2load -c64 -m10), HTTP/1.1 keep-alive over https against http (wrk -t2 -c64,
# and asyncdemoctl bench -c 64 over https), a new connection per request over both (h2load --h1 with
# Connection: close: the handshake's cost), each with the daemon's CPU time per request from /proc; then
# testssl.sh's findings when it is installed (Debian testssl.sh; skipped with TESTSSL=0). Prints the
# figures; exit 2 when it cannot run. asyncdemoctl: $ASYNCDEMOCTL, else build/ctl/asyncdemoctl.
# --ctl instead: bench's own https client against wrk's on the zero-delay endpoint, RUNS (3) times back to
# back on one daemon: `wrk -t2 -c64 -d5s` then `asyncdemoctl bench -c 64 -d 5s`, keep-alive, then both with
# a new connection per request (wrk -H 'Connection: close', bench --no-keepalive); each run's req/s, the
# ratio bench/wrk and the median ratio. About 20 s a run.
# --c10k instead: 10,000 concurrent /non-blocking?delay=2 on new connections (h2load --h1 -c10000 -t2),
# over cleartext then over TLS, each on a fresh daemon (DAEMON_ARGS adds flags, e.g. --header-timeout 60s):
# wall time, answers, handshake failures, longest loop stall, daemon CPU and peak RSS. About 30-60 s.
# bench/tls/run.sh --vs-h2o [ASYNCDEMOD] instead: the same daemon beside standalone h2o over TLS serving its
# zero-delay answer from a file, h2 (h2load -c64 -m10) and HTTP/1.1 keep-alive (wrk -t2 -c64), alternating, RUNS
# times (bench/tls/vs_h2o.sh).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/common.sh"
vs_h2o=0
if [ "${1:-}" = "--vs-h2o" ]; then # beside standalone h2o (bench/tls/vs_h2o.sh)
    vs_h2o=1
    shift
fi
need_tools "packaging/install-deps.sh" h2load wrk openssl curl
c10k=0 ctlonly=0
if [ "${1:-}" = "--c10k" ]; then
    c10k=1
    shift
elif [ "${1:-}" = "--ctl" ]; then
    ctlonly=1
    shift
fi
daemon=${1:-${ASYNCDEMOD:-$root/build/daemon/asyncdemod}}
ctl=${ASYNCDEMOCTL:-$root/build/ctl/asyncdemoctl}
need_programs "${1:-${ASYNCDEMOD:-}}" "asyncdemod=$daemon" "asyncdemoctl=$ctl"

dir=$(mktemp -d)
pid="" h2o_pid=""
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    [ -z "$h2o_pid" ] || kill "$h2o_pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
# start_daemon [FLAG...]: a daemon with a cleartext and a TLS listener; sets pid, plain and tls (their ports).
start_daemon() {
    : >"$dir/log"
    "$daemon" --listen 127.0.0.1:0 --listen 127.0.0.1:0 --tls-cert "$dir/cert.pem" --tls-key "$dir/key.pem" \
        --max-connections 20000 "$@" 2>"$dir/log" &
    pid=$!
    i=0
    until [ "$(grep -c 'listening on' "$dir/log")" -ge 2 ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || { echo "run.sh: the daemon did not start" >&2; cat "$dir/log" >&2; exit 2; }
        sleep 0.05
    done
    plain=$(grep 'listening on' "$dir/log" | grep -v TLS | head -1 | sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/')
    tls=$(grep 'listening on .*(TLS' "$dir/log" | head -1 | sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/')
}
stop_daemon() {
    kill "$pid"
    wait "$pid" || true
    pid=""
}
cpu() { cpu_centis "$pid"; } # the daemon's user+system time, in 1/100 s

# c10k SCHEME PORT: 10,000 concurrent 2 s waits on new connections; the daemon's own figures from /stats.
c10k() {
    before=$(cpu)
    out=$(timeout 120 h2load --h1 -n 10000 -c 10000 -t 2 "$1://127.0.0.1:$2/non-blocking?delay=2" 2>&1) || true
    after=$(cpu)
    printf '%s\n' "$out" | grep -E '^finished in|^requests:|^status codes:' | sed "s/^/  $1: /"
    curl -s "http://127.0.0.1:$plain/stats" | python3 -c 'import json, sys; d = json.load(sys.stdin)
loops = d["loop"]
print("  %s: tls handshakes %d, failed %d; longest loop stall %.3f s" % (sys.argv[1], d["tls"]["handshakes"],
      d["tls"]["handshake_failures"], loops["longest_stall_seconds"]))' "$1"
    printf '  %s: daemon CPU %s s, peak RSS %s\n' "$1" "$(awk -v t=$((after - before)) 'BEGIN { print t / 100 }')" \
        "$(sed -n 's/^VmHWM: *//p' "/proc/$pid/status")"
}

if [ "$c10k" = 1 ]; then
    open_files_for_10k
    for scheme in http https; do
        # shellcheck disable=SC2086 # DAEMON_ARGS: several flags
        start_daemon ${DAEMON_ARGS:-}
        echo "10,000 x /non-blocking?delay=2 over $scheme, new connections (h2load --h1 -n10000 -c10000 -t2)," \
            "daemon flags '${DAEMON_ARGS:-}'; load average $(cut -d' ' -f1 /proc/loadavg)"
        if [ "$scheme" = http ]; then c10k http "$plain"; else c10k https "$tls"; fi
        stop_daemon
    done
    exit 0
fi

start_daemon
if [ "$vs_h2o" = 1 ]; then
    . "$root/bench/tls/vs_h2o.sh"
    exit 0
fi
path='/non-blocking?delay=0'

# measure LABEL REQUESTS COMMAND...: the command's req/s line and the daemon's CPU per request
measure() {
    label=$1 n=$2
    shift 2
    before=$(cpu)
    out=$("$@" 2>&1)
    after=$(cpu)
    rate=$(printf '%s\n' "$out" | sed -n 's/.*finished in \([0-9.a-z]*\), \([0-9.]*\) req\/s.*/\2 req\/s (\1)/p;s/^Requests\/sec: *\([0-9.]*\)/\1 req\/s/p' | head -1)
    [ -n "$n" ] || n=$(printf '%s\n' "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
    printf '%-44s %-28s daemon CPU %s us/request\n' "$label" "$rate" \
        "$(awk -v t=$((after - before)) -v n="$n" 'BEGIN { printf "%.1f", t * 10000 / n }')"
}

# wrk_rate ARG...: wrk's req/s. ctl_run ARG...: asyncdemoctl bench's "REQ/S ANSWERS" (its --json), or why it
# failed; ctl_rate ARG...: its req/s alone.
wrk_rate() { wrk "$@" 2>&1 | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
ctl_run() {
    "$ctl" bench --no-progress --json "$@" | python3 -c 'import json, sys; r = json.load(sys.stdin)["runs"][0]
bad = r["completed"] - r["ok"]
print("%.0f %d" % (r["rps"], r["ok"]) if bad == 0 and r["engine"] == "h2o" else "failed (%s, %d errors: %s)" % (r["engine"], bad, r["first_error"]))'
}
ctl_rate() { ctl_run "$@" | cut -d' ' -f1; }

if [ "$ctlonly" = 1 ]; then
    url="https://127.0.0.1:$tls$path"
    echo "bench's https fast path against wrk, $url, ${RUNS:-3} runs; load average $(cut -d' ' -f1 /proc/loadavg)"
    ratios="" closes=""
    i=0
    while [ $i -lt "${RUNS:-3}" ]; do
        i=$((i + 1))
        w=$(wrk_rate -t2 -c64 -d5s "$url")
        b=$(ctl_rate -k -c 64 -d 5s "$url")
        r=$(awk -v b="$b" -v w="$w" 'BEGIN { printf "%.3f", b / w }')
        ratios="$ratios $r"
        printf 'run %d keep-alive: wrk -t2 -c64 -d5s %s req/s, bench -c 64 -d 5s %s req/s, ratio %s\n' "$i" "$w" "$b" "$r"
        w=$(wrk_rate -t2 -c64 -d3s -H 'Connection: close' "$url")
        b=$(ctl_rate -k -c 64 -d 3s --no-keepalive "$url")
        r=$(awk -v b="$b" -v w="$w" 'BEGIN { printf "%.3f", b / w }')
        closes="$closes $r"
        printf 'run %d new connection per request: wrk -H "Connection: close" %s req/s, bench --no-keepalive %s req/s, ratio %s\n' \
            "$i" "$w" "$b" "$r"
    done
    # shellcheck disable=SC2086 # $1: the runs' ratios, one word each
    median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    echo "median ratio bench/wrk over https: keep-alive $(median "$ratios") (target >= 0.9), new connections $(median "$closes")"
    exit 0
fi

echo "asyncdemod over TLS: cleartext port $plain, TLS port $tls; load average $(cut -d' ' -f1 /proc/loadavg)"
measure "h2 over TLS, h2load -c64 -m10 -n200000" 200000 h2load -n 200000 -c 64 -m 10 -t 1 "https://127.0.0.1:$tls$path"
measure "h2c, h2load -c64 -m10 -n200000" 200000 h2load -n 200000 -c 64 -m 10 -t 1 "http://127.0.0.1:$plain$path"
measure "https keep-alive, wrk -t2 -c64 -d5s" "" wrk -t2 -c64 -d5s "https://127.0.0.1:$tls$path"
measure "http keep-alive, wrk -t2 -c64 -d5s" "" wrk -t2 -c64 -d5s "http://127.0.0.1:$plain$path"
before=$(cpu)
out=$(ctl_run -k -c 64 -d 5s "https://127.0.0.1:$tls$path")
after=$(cpu)
printf '%-44s %-28s daemon CPU %s us/request\n' "https keep-alive, asyncdemoctl bench -c64 -d5s" "${out%% *} req/s" \
    "$(awk -v t=$((after - before)) -v n="${out##* }" 'BEGIN { printf "%.1f", t * 10000 / n }')"
measure "https, new connection per request (5000)" 5000 h2load --h1 -n 5000 -c 16 -t 1 -H 'Connection: close' \
    "https://127.0.0.1:$tls$path"
measure "http, new connection per request (5000)" 5000 h2load --h1 -n 5000 -c 16 -t 1 -H 'Connection: close' \
    "http://127.0.0.1:$plain$path"
curl -s "http://127.0.0.1:$plain/stats" | python3 -c 'import json, sys; d = json.load(sys.stdin)
print("daemon /stats: tls", d["tls"], "protocols", d["connections"]["protocols"])'
grep VmHWM "/proc/$pid/status"

if [ "${TESTSSL:-1}" != 0 ] && command -v testssl >/dev/null 2>&1; then
    echo "testssl (findings of severity MEDIUM or above, then the summary lines):"
    testssl --quiet --color 0 --warnings off --severity MEDIUM "127.0.0.1:$tls" 2>&1 |
        grep -vE '^ *$|^Start|^Done|^ *Testing|^ Further IP|^ rDNS|^ Service detected' || true
fi
