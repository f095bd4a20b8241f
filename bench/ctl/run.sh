#!/bin/sh
# asyncdemoctl's performance targets, measured here (bench/README.md, "Load generator").
# Usage: bench/ctl/run.sh [--runs N] [path/to/asyncdemoctl [path/to/asyncdemod]]
#   defaults: $ASYNCDEMOCTL / $ASYNCDEMOD, else build/ctl/asyncdemoctl and build/daemon/asyncdemod
#   (build them first: cmake -S . -B build && cmake --build build).
# Prints a table; writes bench/results/ctl-<UTC time>.json. Exit 0: every target met; 1: one missed;
# 2: the benchmark could not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

runs=3
if [ "${1:-}" = "--runs" ]; then
    runs=${2:?--runs needs a number}
    shift 2
fi
ctl=${1:-${ASYNCDEMOCTL:-$root/build/ctl/asyncdemoctl}}
daemon=${2:-${ASYNCDEMOD:-$root/build/daemon/asyncdemod}}
for prog in "$ctl" "$daemon"; do
    if [ ! -x "$prog" ]; then
        echo "run.sh: $prog: no such program (build it: cmake -S . -B build && cmake --build build)" >&2
        exit 2
    fi
done
for tool in wrk python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found (packaging/install-deps.sh)" >&2; exit 2; }
done

# 10,000 connections on each side: the daemon inherits this limit (the ctl raises its own anyway).
hard=$(ulimit -Hn)
ulimit -n "$hard"
if [ "$hard" != unlimited ] && [ "$hard" -lt 10100 ]; then
    echo "run.sh: the open-file hard limit ($hard) is below 10,100: 10,000 connections will not fit" >&2
    exit 2
fi

exec python3 "$here/bench_ctl.py" --ctl "$ctl" --daemon "$daemon" --out "$root/bench/results" --runs "$runs"
