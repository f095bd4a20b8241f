#!/bin/sh
# asyncdemo side by side with the seed's Python stack, standalone h2o and wrk/h2load/hey
# (bench/README.md, "Side by side"; issue 5).
# Usage: bench/sidebyside/run.sh [--quick] [--runs N] [--only LIST] [--no-install]
#   programs: $ASYNCDEMOD / $ASYNCDEMOCTL, else build/daemon/asyncdemod and build/ctl/asyncdemoctl
#   (built here with cmake when missing).
# Installs its Debian packages (install-deps.sh; as root), then writes
# bench/results/sidebyside-<UTC time>/ (report.md, *.svg, results.json, logs/).
# Exit 0: every target met; 1: one missed; 2: a comparison could not run; 130: interrupted.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cmdline="bench/sidebyside/run.sh $*"
[ -z "${ASYNCDEMOCTL:-}" ] || cmdline="ASYNCDEMOCTL=$ASYNCDEMOCTL $cmdline"
[ -z "${ASYNCDEMOD:-}" ] || cmdline="ASYNCDEMOD=$ASYNCDEMOD $cmdline"

install=yes
pass=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-install) install="" ;;
        --quick) pass="$pass --quick" ;;
        --runs|--only)
            [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
            pass="$pass $1 $2"
            shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ -n "$install" ]; then
    "$here/install-deps.sh" || { echo "run.sh: packages missing (run as root, or --no-install)" >&2; exit 2; }
fi
for tool in /usr/bin/python3 h2load wrk hey h2o; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found ($here/install-deps.sh)" >&2; exit 2; }
done

daemon=${ASYNCDEMOD:-$root/build/daemon/asyncdemod}
ctl=${ASYNCDEMOCTL:-$root/build/ctl/asyncdemoctl}
if [ ! -x "$daemon" ] || [ ! -x "$ctl" ]; then
    if [ -n "${ASYNCDEMOD:-}${ASYNCDEMOCTL:-}" ]; then
        echo "run.sh: $daemon or $ctl: no such program" >&2
        exit 2
    fi
    echo "run.sh: building asyncdemod and asyncdemoctl in $root/build" >&2
    cmake -S "$root" -B "$root/build" >/dev/null
    cmake --build "$root/build" --target asyncdemod asyncdemoctl -j2 >/dev/null
fi

# 10,000 connections on each side: the servers and h2load inherit this limit (dash has ulimit -H/-n).
# shellcheck disable=SC3045
hard=$(ulimit -Hn)
# shellcheck disable=SC3045
ulimit -n "$hard"
if [ "$hard" != unlimited ] && [ "$hard" -lt 10100 ]; then
    echo "run.sh: the open-file hard limit ($hard) is below 10,100: 10,000 connections will not fit" >&2
    exit 2
fi

# shellcheck disable=SC2086
exec /usr/bin/python3 "$here/sidebyside.py" --daemon "$daemon" --ctl "$ctl" --out "$root/bench/results" \
    --command "$cmdline" $pass
