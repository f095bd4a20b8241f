#!/bin/sh
# The live panel's stream under load: daemon CPU and memory with N /events clients (bench/README.md, "Events").
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$root/bench/events/events_cpu.py" "$@"
