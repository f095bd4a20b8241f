# shellcheck shell=sh disable=SC2154 # dir, tls, pid: run.sh's
# bench/tls/run.sh --vs-h2o: asyncdemod over TLS beside standalone h2o over TLS (bench/README.md, "TLS"), sourced
# by run.sh after its daemon is up (dir, pid, tls, cpu, the certificate). h2o (Debian's, one thread like the
# daemon's one loop) serves, from a file, the daemon's own zero-delay answer (the same size), with the same
# certificate. RUNS repetitions (default 3), the servers alternating (order reversed on even ones), each:
#   h2 over TLS      h2load -n H2_N -c64 -m10 -t1 (H2_N default 100000)
#   HTTP/1.1 + TLS   wrk -t2 -c64 -dWRK_S s, keep-alive (WRK_S default 3)
# then a table of the medians, the servers' CPU per request and asyncdemod / h2o.
need_tools "Debian package h2o; packaging/install-deps.sh" h2o
runs=${RUNS:-3} h2_n=${H2_N:-100000} wrk_s=${WRK_S:-3}
path='/non-blocking?delay=0'

mkdir -p "$dir/www"
chmod 755 "$dir" "$dir/www" # h2o started as root serves as nobody
curl -sk "https://127.0.0.1:$tls$path" >"$dir/www/answer.json"
chmod 644 "$dir/www/answer.json"
h2o_port=$(free_port)
cat >"$dir/h2o.conf" <<CONF
listen:
  host: 127.0.0.1
  port: $h2o_port
  ssl:
    certificate-file: $dir/cert.pem
    key-file: $dir/key.pem
num-threads: 1
hosts:
  default:
    paths:
      /:
        file.dir: $dir/www
CONF
h2o -c "$dir/h2o.conf" >"$dir/h2o.log" 2>&1 &
h2o_pid=$!
i=0
until curl -skf -o /dev/null "https://127.0.0.1:$h2o_port/answer.json"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "run.sh: h2o did not start" >&2; cat "$dir/h2o.log" >&2; exit 2; }
    sleep 0.05
done

# one SERVER KIND: a run against SERVER (asyncdemod, h2o) of KIND (h2, h1); appends "SERVER KIND req/s us/request REP"
one() {
    p=$h2o_pid url="https://127.0.0.1:$h2o_port/answer.json"
    [ "$1" != asyncdemod ] || p=$pid url="https://127.0.0.1:$tls$path"
    before=$(cpu_centis "$p")
    if [ "$2" = h2 ]; then
        out=$(h2load -n "$h2_n" -c 64 -m 10 -t 1 "$url" 2>&1)
        rate=$(printf '%s\n' "$out" | sed -n 's/.*finished in [0-9.a-z]*, \([0-9.]*\) req\/s.*/\1/p')
        n=$(printf '%s\n' "$out" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
        [ "$n" = "$h2_n" ] || echo "run.sh: $1 answered $n of $h2_n h2 requests with 2xx" >&2
    else
        out=$(wrk -t2 -c64 -d"${wrk_s}s" "$url" 2>&1)
        rate=$(printf '%s\n' "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p')
        n=$(printf '%s\n' "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
        bad=$(printf '%s\n' "$out" | grep 'Non-2xx\|Socket errors' || true)
        [ -z "$bad" ] || echo "run.sh: $1 over wrk: $bad" >&2
    fi
    after=$(cpu_centis "$p")
    echo "$1 $2 $rate $(awk -v t=$((after - before)) -v n="$n" 'BEGIN { printf "%.1f", t * 10000 / n }') $rep" \
        >>"$dir/figures"
    echo "  run $rep: $1 $2: $rate req/s" >&2
}

echo "asyncdemod (port $tls) and standalone h2o (port $h2o_port) over TLS, the same $(wc -c <"$dir/www/answer.json")-byte" \
    "answer, $runs runs alternating; load average $(cut -d' ' -f1 /proc/loadavg)"
: >"$dir/figures"
rep=1
while [ "$rep" -le "$runs" ]; do
    if [ $((rep % 2)) = 1 ]; then order="asyncdemod h2o"; else order="h2o asyncdemod"; fi
    for server in $order; do one "$server" h2; done
    for server in $order; do one "$server" h1; done
    rep=$((rep + 1))
done
# The medians (of the req/s and of the CPU per request, each on its own) and of the ratios asyncdemod / h2o of
# each repetition (the two measured back to back).
python3 - "$dir/figures" "$h2_n" "$wrk_s" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
med, got = {}, {}
for server in ("asyncdemod", "h2o"):
    for kind in ("h2", "h1"):
        got[server, kind] = {r[4]: (float(r[2]), float(r[3])) for r in rows if r[0] == server and r[1] == kind}
        med[server, kind] = tuple(statistics.median(g[i] for g in got[server, kind].values()) for i in (0, 1))
label = {"h2": f"h2 over TLS, h2load -n{sys.argv[2]} -c64 -m10 -t1",
         "h1": f"HTTP/1.1 keep-alive over TLS, wrk -t2 -c64 -d{sys.argv[3]}s"}
print("| load | asyncdemod | standalone h2o | asyncdemod / h2o (target >= 0.9x) | server CPU per request, asyncdemod / h2o |")
print("|---|---|---|---|---|")
for kind in ("h2", "h1"):
    (a, ac), (h, hc) = med["asyncdemod", kind], med["h2o", kind]
    ratio = statistics.median(x[0] / got["h2o", kind][rep][0] for rep, x in got["asyncdemod", kind].items())
    print(f"| {label[kind]} | {a:,.0f} req/s | {h:,.0f} req/s | {ratio:.2f}x | {ac:.1f} / {hc:.1f} us |")
PY
