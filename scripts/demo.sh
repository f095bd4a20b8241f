#!/bin/sh
# The lesson, live: builds asyncdemo, starts asyncdemod on loopback, runs `asyncdemoctl demo`
# (the outbound comparison, then /blocking vs /non-blocking vs /offload), then stops the daemon.
# ASYNCDEMO_PORT picks another port than 8000; ASYNCDEMO_DELAY another delay than 2 s.
set -eu
cd "$(dirname "$0")/.."
port=${ASYNCDEMO_PORT:-8000}
delay=${ASYNCDEMO_DELAY:-2}

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >build.cmake.log 2>&1 || { cat build.cmake.log; exit 1; }
cmake --build build -j "$(nproc)" >build.log 2>&1 || { cat build.log; exit 1; }

log=$(mktemp)
build/daemon/asyncdemod --listen "127.0.0.1:$port" 2>"$log" &
pid=$!
stop() {
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -f "$log"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Ready once it logs its listening address (bounded: 10 s).
tries=0
until grep -q "listening on" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$tries" -ge 100 ]; then
        echo "demo: asyncdemod did not start on 127.0.0.1:$port (is the port in use? set ASYNCDEMO_PORT):" >&2
        cat "$log" >&2
        exit 1
    fi
    tries=$((tries + 1))
    sleep 0.1
done
echo "demo: asyncdemod (pid $pid) is serving http://127.0.0.1:$port"

# the build tree's catalogues: LANG=uk_UA.UTF-8 ./scripts/demo.sh gives the lesson in Ukrainian (po/README.md)
ASYNCDEMO_LOCALEDIR="${ASYNCDEMO_LOCALEDIR:-$PWD/build/po/locale}" \
    build/ctl/asyncdemoctl demo --url "http://127.0.0.1:$port" --delay "$delay"
