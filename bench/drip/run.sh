#!/bin/sh
# 10,000 concurrent /drip answers: wall time and the daemon's CPU (bench/README.md, "Drip").
# Usage: bench/drip/run.sh [--runs N] [--forms h1,h2] [--vs-nginx] [path/to/asyncdemod]
#   the daemon benchmark's runner, with bench/drip/bench_drip.py; --vs-nginx also measures nginx+echo (not
#   judged). Writes bench/results/drip-<UTC time>.json. Exit 0 / 1 / 2 as there.
exec "$(cd "$(dirname "$0")" && pwd)/../daemon/run.sh" --bench drip "$@"
