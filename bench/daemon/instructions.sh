#!/bin/sh
# User-space instructions per answer, counted by callgrind (bench/README.md, "Instructions per answer"):
# the figure that does not move with what else the machine is doing, so a change's effect on the daemon's
# own work shows where req/s on a shared 2-vCPU machine cannot (its runs range over 25%).
# Usage: bench/daemon/instructions.sh [-n N] [path/to/asyncdemod ...]
#   default daemon: $ASYNCDEMOD, else build/daemon/asyncdemod. Per daemon and path: 1,000 answers to warm
#   up, counters zeroed, N answers (default 20,000, h2load --h1 -c16), counters dumped; prints
#   instructions / N. Counts libh2o's and libc's instructions too, not the kernel's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

n=20000
if [ "${1:-}" = "-n" ]; then
    n=${2:?-n needs a number}
    shift 2
fi
case $n in "" | *[!0-9]* | 0 | 0*) echo "instructions: -n takes a whole number of at least 1" >&2; exit 2 ;; esac
[ $# -gt 0 ] || set -- "${ASYNCDEMOD:-$root/build/daemon/asyncdemod}"
for tool in valgrind callgrind_control callgrind_annotate h2load; do
    command -v "$tool" >/dev/null || { echo "instructions: $tool missing (packaging/install-deps.sh)" >&2; exit 2; }
done
paths='/non-blocking?delay=0 /stats'
work=$(mktemp -d)
vpid=""
cleanup() {
    if [ -n "$vpid" ]; then
        kill "$vpid" 2>/dev/null || true
        wait "$vpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for daemon in "$@"; do
    [ -x "$daemon" ] || { echo "instructions: no daemon at $daemon" >&2; exit 2; }
    for path in $paths; do
        rm -f "$work"/cg.*
        valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" "$daemon" --listen 127.0.0.1:0 \
            2>"$work/daemon.err" &
        vpid=$!
        port=""
        for _ in $(seq 600); do # valgrind starts slowly: up to 30 s
            port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/daemon.err" | head -n1)
            [ -n "$port" ] && break
            sleep 0.05
        done
        [ -n "$port" ] || { echo "instructions: $daemon did not start" >&2; cat "$work/daemon.err" >&2; exit 2; }
        url="http://127.0.0.1:$port$path"
        h2load --h1 -n1000 -c16 "$url" >/dev/null
        callgrind_control -z "$vpid" >/dev/null 2>&1
        h2load --h1 -n"$n" -c16 "$url" >"$work/h2load.out"
        callgrind_control -d "$vpid" >/dev/null 2>&1
        kill "$vpid"
        wait "$vpid" || true
        vpid=""
        ok=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$work/h2load.out")
        [ "$ok" = "$n" ] || { echo "instructions: $path answered $ok of $n with 2xx" >&2; exit 2; }
        # the dump after zeroing: the file with a part number (.1); the final one at exit is the shutdown's
        dump=""
        for f in "$work"/cg.*.1; do [ -e "$f" ] && dump=$f; done
        total=$(callgrind_annotate "$dump" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
        [ -n "$total" ] || { echo "instructions: no callgrind dump for $path" >&2; exit 2; }
        printf '%-28s %-24s %8d instructions per answer (%d answers)\n' "$path" "$daemon" $((total / n)) "$n"
    done
done
