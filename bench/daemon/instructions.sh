#!/bin/sh
# User-space instructions per answer, counted by callgrind (bench/README.md, "Instructions per answer"):
# the figure that does not move with what else the machine is doing, so a change's effect on the daemon's
# own work shows where req/s on a shared 2-vCPU machine cannot (its runs range over 25%).
# Usage: bench/daemon/instructions.sh [-n N] [--nginx] [path/to/asyncdemod ...]
#   default daemon: $ASYNCDEMOD, else build/daemon/asyncdemod. Per daemon and path (/non-blocking?delay=0,
#   /stats): 1,000 answers to warm up, counters zeroed, N answers (default 20,000, h2load --h1 -c16),
#   counters dumped; prints instructions / N. Counts libh2o's and libc's instructions too, not the kernel's.
#   --nginx: also nginx (one process) answering the first daemon's zero-delay answer with `return 200`, as
#   bench/sidebyside's contender does.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bench/common.sh"

n=20000
nginx=""
while [ $# -gt 0 ]; do
    case $1 in
    -n) n=${2:?-n needs a number}; shift 2 ;;
    --nginx) nginx=yes; shift ;;
    *) break ;;
    esac
done
case $n in "" | *[!0-9]* | 0 | 0*) echo "instructions: -n takes a whole number of at least 1" >&2; exit 2 ;; esac
[ $# -gt 0 ] || set -- "${ASYNCDEMOD:-$root/build/daemon/asyncdemod}"
# shellcheck disable=SC2086
need_tools packaging/install-deps.sh valgrind callgrind_control callgrind_annotate h2load curl python3 ${nginx:+nginx}
work=$(mktemp -d)
vpid=""
cleanup() {
    if [ -n "$vpid" ]; then
        kill "$vpid" 2>/dev/null || true
        wait "$vpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# count LABEL PATH PORT COMMAND...: COMMAND (listening on PORT) under callgrind; prints its instructions per
# answer to GET PATH
count() {
    label=$1 path=$2 port=$3
    shift 3
    rm -f "$work"/cg.*
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" "$@" 2>"$work/server.err" &
    vpid=$!
    url="http://127.0.0.1:$port$path"
    for _ in $(seq 600); do # valgrind starts slowly: up to 30 s
        curl -sf -o /dev/null "$url" && break
        sleep 0.05
    done
    curl -sf -o /dev/null "$url" || { echo "instructions: $label did not start" >&2; cat "$work/server.err" >&2; exit 2; }
    h2load --h1 -n1000 -c16 "$url" >/dev/null
    callgrind_control -z "$vpid" >"$work/control.out" 2>&1 || { cat "$work/control.out" >&2; exit 2; }
    h2load --h1 -n"$n" -c16 "$url" >"$work/h2load.out"
    callgrind_control -d "$vpid" >"$work/control.out" 2>&1 || { cat "$work/control.out" >&2; exit 2; }
    if ! kill "$vpid" 2>/dev/null; then
        echo "instructions: $label exited during the run" >&2
        cat "$work/server.err" >&2
        exit 2
    fi
    wait "$vpid" || true
    vpid=""
    ok=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$work/h2load.out")
    [ "$ok" = "$n" ] || { echo "instructions: $label $path answered $ok of $n with 2xx" >&2; exit 2; }
    dump="" # the dump after zeroing has a part number (.1); the one at exit is the shutdown's
    for f in "$work"/cg.*.1; do [ -e "$f" ] && dump=$f; done
    total=$(callgrind_annotate "$dump" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
    [ -n "$total" ] || { echo "instructions: no callgrind dump for $label $path" >&2; exit 2; }
    printf '%-28s %-40s %8d instructions per answer (%d answers)\n' "$path" "$label" $((total / n)) "$n"
}

for daemon in "$@"; do
    [ -x "$daemon" ] || { echo "instructions: no daemon at $daemon" >&2; exit 2; }
    for path in '/non-blocking?delay=0' /stats; do
        port=$(free_port)
        count "$daemon" "$path" "$port" "$daemon" --listen "127.0.0.1:$port"
    done
done

if [ -n "$nginx" ]; then
    # the first daemon's zero-delay answer, as nginx's constant (quotes escaped for nginx's string)
    port=$(free_port)
    "$1" --listen "127.0.0.1:$port" 2>/dev/null &
    vpid=$!
    for _ in $(seq 100); do
        curl -sf -o "$work/answer" "http://127.0.0.1:$port/non-blocking?delay=0" && break
        sleep 0.05
    done
    kill "$vpid"
    wait "$vpid" || true
    vpid=""
    body=$(sed "s/'/\\\\'/g" "$work/answer")
    port=$(free_port)
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fcgi;
    uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
    default_type application/json;
    server {
        listen 127.0.0.1:$port;
        location = /zero { return 200 '$body\n'; }
    }
}
EOF
    count "nginx return 200" /zero "$port" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
fi
