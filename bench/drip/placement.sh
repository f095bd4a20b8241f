#!/bin/sh
# Where the kernel's work for /drip lands (bench/README.md, "Drip"): the same 10,000 concurrent
# /drip?duration=2&numbytes=20 with the daemon and h2load placed four ways, to see whether a second
# "host" on this machine would take the client's receive path off the daemon's CPU figure.
#   loopback  both unpinned, on 127.0.0.1 (what bench/drip/run.sh measures)
#   same-cpu  both pinned to CPU 0: no cross-CPU wake-ups, one CPU for everything
#   split     daemon on CPU 0, h2load on CPU 1, loopback
#   netns     h2load in a network namespace of its own behind a veth pair; each side's receive path
#             steered (RPS) to its own CPU, as on two hosts; daemon on CPU 0, h2load on CPU 1
# Usage (root): bench/drip/placement.sh [path/to/asyncdemod] [mode ...]
# Prints per mode h2load's "finished in", its slowest request, and the daemon's CPU time (utime + stime).
# The namespace's link uses 10.213.0.0/24: pick another in make_netns if that is taken here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/common.sh"
daemon=${1:-$root/build/daemon/asyncdemod}
[ $# -gt 0 ] && shift
modes=${*:-loopback same-cpu split netns}
url_path='/drip?duration=2&numbytes=20'
ns=adplace$$
veth_d=vpd$$
veth_c=vpc$$
work=$(mktemp -d)
dpid=""

cleanup() {
    if [ -n "$dpid" ]; then
        kill "$dpid" 2>/dev/null || true
        wait "$dpid" 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
    ip link del "$veth_d" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "placement: run as root (network namespaces, RPS)" >&2; exit 2; }
[ -x "$daemon" ] || { echo "placement: no daemon at $daemon" >&2; exit 2; }
need_tools packaging/install-deps.sh h2load ip taskset timeout
open_files_for_10k


# start_daemon ADDRESS TASKSET...: the daemon on ADDRESS:0; sets dpid and port
start_daemon() {
    addr=$1
    shift
    "$@" "$daemon" --listen "$addr:0" 2>"$work/daemon.err" &
    dpid=$!
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\)$/\1/p' "$work/daemon.err" | head -n1)
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "placement: the daemon did not start: $(cat "$work/daemon.err")" >&2
    exit 2
}

stop_daemon() {
    kill "$dpid"
    wait "$dpid" || true
    dpid=""
}

make_netns() {
    ip netns add "$ns"
    ip link add "$veth_d" type veth peer name "$veth_c"
    ip link set "$veth_c" netns "$ns"
    ip addr add 10.213.0.1/24 dev "$veth_d"
    ip link set "$veth_d" up
    ip netns exec "$ns" ip addr add 10.213.0.2/24 dev "$veth_c"
    ip netns exec "$ns" ip link set "$veth_c" up
    ip netns exec "$ns" ip link set lo up
    echo 1 >"/sys/class/net/$veth_d/queues/rx-0/rps_cpus" # the daemon's side: CPU 0
    ip netns exec "$ns" sh -c "echo 2 >/sys/class/net/$veth_c/queues/rx-0/rps_cpus" # the client's: CPU 1
}

for mode in $modes; do
    case $mode in
    loopback) addr=127.0.0.1 dpin="" cpin="" client="" ;;
    same-cpu) addr=127.0.0.1 dpin="taskset -c 0" cpin="taskset -c 0" client="" ;;
    split) addr=127.0.0.1 dpin="taskset -c 0" cpin="taskset -c 1" client="" ;;
    netns)
        make_netns
        addr=10.213.0.1 dpin="taskset -c 0" cpin="taskset -c 1" client="ip netns exec $ns"
        ;;
    *) echo "placement: unknown mode $mode (loopback, same-cpu, split, netns)" >&2; exit 2 ;;
    esac
    # shellcheck disable=SC2086
    start_daemon "$addr" $dpin
    c0=$(cpu_centis "$dpid")
    # shellcheck disable=SC2086
    timeout --foreground 120 $client $cpin h2load --h1 -n10000 -c10000 "http://$addr:$port$url_path" >"$work/h2load.out"
    c1=$(cpu_centis "$dpid")
    stop_daemon
    finished=$(sed -n 's/^finished in \([0-9.]*s\).*/\1/p' "$work/h2load.out")
    slowest=$(awk '/^time for request:/ {print $5}' "$work/h2load.out")
    answered=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$work/h2load.out")
    cpu_cs=$((c1 - c0))
    printf '%-9s %s answered 200, finished in %s, slowest request %s, daemon CPU %d.%02d s\n' "$mode" \
        "$answered" "$finished" "$slowest" $((cpu_cs / 100)) $((cpu_cs % 100))
    if [ "$mode" = netns ]; then
        ip netns del "$ns"
        ip link del "$veth_d" 2>/dev/null || true
    fi
done
