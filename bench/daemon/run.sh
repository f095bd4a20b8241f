#!/bin/sh
# asyncdemod's performance targets, measured here (bench/README.md, "Daemon").
# Usage: bench/daemon/run.sh [--runs N] [path/to/asyncdemod]
#   default daemon: $ASYNCDEMOD, else build/daemon/asyncdemod (build it first: cmake --build build).
# Prints a table; writes bench/results/daemon-<UTC time>.json. Exit 0: every target met; 1: one missed;
# 2: the benchmark could not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

runs=3
if [ "${1:-}" = "--runs" ]; then
    runs=${2:?--runs needs a number}
    shift 2
fi
daemon=${1:-${ASYNCDEMOD:-$root/build/daemon/asyncdemod}}
if [ ! -x "$daemon" ]; then
    echo "run.sh: $daemon: no such program (build it: cmake -S . -B build && cmake --build build)" >&2
    exit 2
fi
for tool in h2load wrk python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found (packaging/install-deps.sh)" >&2; exit 2; }
done

# 10,000 connections on each side: the daemon and h2load inherit this limit.
hard=$(ulimit -Hn)
ulimit -n "$hard"
if [ "$hard" != unlimited ] && [ "$hard" -lt 10100 ]; then
    echo "run.sh: the open-file hard limit ($hard) is below 10,100: 10,000 connections will not fit" >&2
    exit 2
fi

exec python3 "$here/bench_daemon.py" --daemon "$daemon" --out "$root/bench/results" --runs "$runs"
