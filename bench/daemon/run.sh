#!/bin/sh
# asyncdemod's performance targets, measured here (bench/README.md, "Daemon").
# Usage: bench/daemon/run.sh [--runs N] [path/to/asyncdemod]
#   default daemon: $ASYNCDEMOD, else build/daemon/asyncdemod (built here with cmake when missing).
# Prints a table; writes bench/results/daemon-<UTC time>.json. Exit 0: every target met; 1: one missed;
# 2: the benchmark could not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/common.sh"

bench=daemon # --bench NAME: bench/NAME/bench_NAME.py instead (bench/drip/run.sh)
if [ "${1:-}" = "--bench" ]; then
    bench=${2:?--bench needs a name}
    shift 2
fi
runs=3
forms=""
vs_nginx=""
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --forms)
        [ "$bench" = drip ] || { echo "run.sh: --forms is the drip benchmark's (bench/drip/run.sh)" >&2; exit 2; }
        forms=${2:?--forms needs h1, h2 or h1,h2}; shift 2 ;;
    --vs-nginx)
        [ "$bench" = drip ] || { echo "run.sh: --vs-nginx is the drip benchmark's (bench/drip/run.sh)" >&2; exit 2; }
        vs_nginx=--vs-nginx; shift ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
daemon=${1:-${ASYNCDEMOD:-$root/build/daemon/asyncdemod}}
need_programs "${1:-}${ASYNCDEMOD:-}" asyncdemod="$daemon"
# shellcheck disable=SC2086
need_tools packaging/install-deps.sh h2load wrk python3 ${vs_nginx:+nginx}
open_files_for_10k

exec python3 "$root/bench/$bench/bench_$bench.py" --daemon "$daemon" --out "$root/bench/results" --runs "$runs" ${forms:+--forms "$forms"} $vs_nginx
