# shellcheck shell=sh
# What bench/*/run.sh share (POSIX sh, sourced after `root`, the checkout, is set). Every failure
# exits 2: the benchmark could not run.
: "${root:?bench/common.sh is sourced after root is set}"

# need_tools HINT TOOL...: each TOOL on PATH, else exit naming HINT (where to get it).
need_tools() {
    hint=$1
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool not found ($hint)" >&2; exit 2; }
    done
}

# need_programs CHOSEN TARGET=PATH...: each PATH executable. When one is not: exit if the caller named
# the programs (CHOSEN non-empty: a path or $ASYNCDEMOD/$ASYNCDEMOCTL), else build the TARGETs in build/.
need_programs() {
    chosen=$1
    shift
    missing="" targets=""
    for pair in "$@"; do
        targets="$targets ${pair%%=*}"
        [ -x "${pair#*=}" ] || missing="$missing ${pair#*=}"
    done
    [ -n "$missing" ] || return 0
    if [ -n "$chosen" ]; then
        echo "run.sh:$missing: no such program" >&2
        exit 2
    fi
    echo "run.sh: building$targets in $root/build" >&2
    cmake -S "$root" -B "$root/build" >/dev/null
    # shellcheck disable=SC2086
    cmake --build "$root/build" --target $targets -j "$(nproc)" >/dev/null
}

# open_files_for_10k: the soft open-file limit raised to the hard one, which must hold 10,000
# connections on each side (the servers and clients started from here inherit it).
open_files_for_10k() {
    # shellcheck disable=SC3045
    hard=$(ulimit -Hn)
    # shellcheck disable=SC3045
    ulimit -n "$hard"
    if [ "$hard" != unlimited ] && [ "$hard" -lt 10100 ]; then
        echo "run.sh: the open-file hard limit ($hard) is below 10,100: 10,000 connections will not fit" >&2
        exit 2
    fi
}

# free_port: prints a TCP port free on 127.0.0.1 now (for a server that cannot be told to pick one itself).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# cpu_centis PID: the process's user + system CPU time so far, in hundredths of a second (/proc/PID/stat
# counts clock ticks, CLK_TCK a second).
cpu_centis() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 100 / hz }' "/proc/$1/stat"
}
