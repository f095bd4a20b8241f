#!/bin/sh
# asyncdemoctl's performance targets, measured here (bench/README.md, "Load generator").
# Usage: bench/ctl/run.sh [--runs N] [path/to/asyncdemoctl [path/to/asyncdemod]]
#   defaults: $ASYNCDEMOCTL / $ASYNCDEMOD, else build/ctl/asyncdemoctl and build/daemon/asyncdemod
#   (built here with cmake when missing).
# Prints a table; writes bench/results/ctl-<UTC time>.json. Exit 0: every target met; 1: one missed;
# 2: the benchmark could not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/common.sh"

runs=3
if [ "${1:-}" = "--runs" ]; then
    runs=${2:?--runs needs a number}
    shift 2
fi
ctl=${1:-${ASYNCDEMOCTL:-$root/build/ctl/asyncdemoctl}}
daemon=${2:-${ASYNCDEMOD:-$root/build/daemon/asyncdemod}}
need_programs "${1:-}${ASYNCDEMOCTL:-}${ASYNCDEMOD:-}" asyncdemoctl="$ctl" asyncdemod="$daemon"
need_tools packaging/install-deps.sh wrk python3
open_files_for_10k

exec python3 "$here/bench_ctl.py" --ctl "$ctl" --daemon "$daemon" --out "$root/bench/results" --runs "$runs"
