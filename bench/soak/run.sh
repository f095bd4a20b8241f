#!/bin/sh
# asyncdemod under a steady mixed load (bench/README.md, "Soak"; issue 6).
# Usage: bench/soak/run.sh [--duration 30m] [--rate 300] [--out DIR] [--seed N] [soak.py options]
#   daemon: $ASYNCDEMOD, else build/daemon/asyncdemod (built here with cmake when missing).
#   default --out: bench/results/soak-<UTC time>/ (soak.json, report.txt, daemon.log).
# Starts its own asyncdemod on a free loopback port and stops it by PID (also on Ctrl-C or SIGTERM).
# Exit 0: every verdict passed; 1: one failed; 2: the soak could not run; 130: interrupted.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/common.sh"
case "${1:-}" in
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exec /usr/bin/python3 "$here/soak.py" --help ;;
esac

# Debian's python3 carries python3-h2 (the HTTP/2 client); a python3 earlier on PATH may not.
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import h2' 2>/dev/null; then
    echo "run.sh: $py with python3-h2 is needed (packaging/install-deps.sh, or apt-get install python3-h2)" >&2
    exit 2
fi

daemon=${ASYNCDEMOD:-$root/build/daemon/asyncdemod}
need_programs "${ASYNCDEMOD:-}" asyncdemod="$daemon"

# A few hundred connections at most; raise the soft limit anyway so the limit is never what fails.
# shellcheck disable=SC3045
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec "$py" "$here/soak.py" --daemon "$daemon" --command "bench/soak/run.sh $*" "$@"
