#!/bin/sh
# asyncdemod under the heavy versions of issue 18's hostile clients (bench/README.md, "Hostile clients").
# Usage: bench/hostile/run.sh [--label WORD] [path/to/asyncdemod] [SCENARIO...]
#   SCENARIO: bodies-h1 bodies-h2 uploads-h2 hpack slow (default: all). Default daemon: $ASYNCDEMOD, else
#   build/daemon/asyncdemod (built here with cmake when missing).
# Prints one JSON line per scenario; writes bench/results/hostile-[WORD-]<UTC time>.json. A few minutes at
# most; the body scenarios write up to 4 GB into /tmp on a daemon that spills bodies there.
# Exit 2: the benchmark could not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/common.sh"

label=""
if [ "${1:-}" = "--label" ]; then
    label=${2:?--label needs a word}
    shift 2
fi
chosen=""
case "${1:-}" in
    */*) chosen=$1; shift ;;
esac
daemon=${chosen:-${ASYNCDEMOD:-$root/build/daemon/asyncdemod}}
need_programs "$chosen${ASYNCDEMOD:-}" asyncdemod="$daemon"
# Debian's python3 carries python3-h2; a python3 earlier on PATH may not (as bench/soak/run.sh).
py=/usr/bin/python3
"$py" -c 'import h2, hyperframe' 2>/dev/null || {
    echo "run.sh: $py with python3-h2 is needed (packaging/install-deps.sh, or apt-get install python3-h2)" >&2
    exit 2
}
avail=$(df -Pk /tmp | awk 'NR == 2 { print $4 }')
if [ "$avail" -lt 6000000 ]; then
    echo "run.sh: /tmp has less than 6 GB free; the body scenarios may write 4 GB there" >&2
    exit 2
fi
exec "$py" "$here/hostile.py" --daemon "$daemon" --out "$root/bench/results" --label "$label" "$@"
