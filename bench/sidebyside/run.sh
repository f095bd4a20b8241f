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
. "$root/bench/common.sh"
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
need_tools "$here/install-deps.sh" /usr/bin/python3 h2load wrk hey h2o

daemon=${ASYNCDEMOD:-$root/build/daemon/asyncdemod}
ctl=${ASYNCDEMOCTL:-$root/build/ctl/asyncdemoctl}
need_programs "${ASYNCDEMOD:-}${ASYNCDEMOCTL:-}" asyncdemod="$daemon" asyncdemoctl="$ctl"
open_files_for_10k

# shellcheck disable=SC2086
exec /usr/bin/python3 "$here/sidebyside.py" --daemon "$daemon" --ctl "$ctl" --out "$root/bench/results" \
    --command "$cmdline" $pass
