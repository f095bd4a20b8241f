/* asyncdemoctl's help texts: the overview and each subcommand's options. */
#include "options.h"
#include "i18n.h"

static const char usage_main[] =
    N_("Usage: asyncdemoctl COMMAND [OPTIONS]\n"
       "\n"
       "Measure what blocking an event loop costs, against asyncdemod.\n"
       "\n"
       "Commands:\n"
       "  bench     load-test endpoints; by default 5 concurrent requests each to /blocking,\n"
       "            /non-blocking and /offload, with a report and a timeline\n"
       "  compare   the same N requests made sequentially, async, with threads and with processes\n"
       "  stats     show the daemon's /stats\n"
       "  demo      the whole lesson: compare, then bench\n"
       "  report    merge bench or compare --json documents and report them\n"
       "  help      this text; `asyncdemoctl COMMAND --help` describes a command\n"
       "\n"
       "  -h, --help     this text\n"
       "  -V, --version  print the version\n"
       "\n"
       "Exit status: 0 done; 1 the run finished but requests failed; 2 the daemon cannot be reached;\n"
       "3 a --fail-if threshold was broken; 64 bad flags or values; 70 internal error; 130 interrupted.\n");

static const char usage_bench[] =
    N_("Usage: asyncdemoctl bench [OPTIONS] [URL]\n"
       "\n"
       "Sends requests to each endpoint in turn and reports latency, throughput, statuses and errors.\n"
       "With no options: 5 concurrent requests each to /blocking, /non-blocking and /offload of\n"
       "http://127.0.0.1:8000 with a 2 s delay (the lesson's Task 2).\n"
       "\n"
       "  -u, --url URL          base URL (default http://127.0.0.1:8000); a URL with a path and no\n"
       "                         --endpoint benches that URL alone\n"
       "  -e, --endpoint PATH    an endpoint to bench; repeatable (up to 8)\n"
       "  -n, --requests N       requests per endpoint (default 5; with --duration: no limit)\n"
       "  -c, --concurrency N    requests in flight at most / connections (default 5, max 100000)\n"
       "  -d, --duration D       run each endpoint for D (e.g. 10s); with -n, whichever ends first\n"
       "  -r, --rate R           open model: send R requests/s in total; latency is measured from\n"
       "                         the intended send time (corrected) and reported raw as well;\n"
       "                         in stages R:D,...: from 0, linearly to each R over its D\n"
       "                         (e.g. 100:10s,1000:30s,0:5s; the stages give the duration)\n"
       "  -t, --timeout D        per-request timeout (default max(30s, 5 x delay + 10s))\n"
       "      --delay D          delay asked of /blocking, /non-blocking, /offload (default 2s)\n"
       "      --warmup D         send requests for D first, without counting them\n"
       "  -i, --interval D       figures over time per D (default 1s, at least 1ms; doubled past\n"
       "                         120 intervals): sparklines in the report, series in the JSON\n"
       "      --no-keepalive     a new connection per request\n"
       "      --fail-if EXPR     exit 3 when a run breaks EXPR: [RUN:]METRIC OP VALUE, e.g. p99>250ms,\n"
       "                         errors>1%, rps<1000, all:p50>10ms; repeatable (up to 16)\n"
       "      --shard I/N        run shard I of N of the test: its share of -n, -c and --rate, its\n"
       "                         place in the open model's schedule (merge them with report)\n"
       "      --start-at TIME    start the first run at TIME (RFC 3339: 2026-12-04T15:00:00Z), as\n"
       "                         the other shards do\n"
       "      --threads N        engine threads (default: one per CPU, at most -c; max 64)\n"
       "      --engine E         auto (default: h2o for HTTP/1.1 without --rate, nghttp2 for\n"
       "                         --h2, else curl), curl, h2o or nghttp2; $ASYNCDEMOCTL_ENGINE\n"
       "                         when not given\n"
       "      --h2               HTTP/2: h2c by prior knowledge over http://, h2 by ALPN over\n"
       "                         https://\n"
       "  -m, --streams N        with --h2: requests in flight per connection (default 1; -c connections)\n"
       "  -X, --method M         request method (default GET, or POST with a body)\n"
       "  -H, --header H         request header \"Name: value\"; repeatable (up to 32)\n"
       "      --body STRING      request body sent with every request\n"
       "      --body-file FILE   request body read from FILE (at most 64 MiB)\n"
       "      --content-type T   the body's Content-Type (default: none)\n"
       "      --cacert FILE      check https:// certificates against the PEM bundle FILE\n"
       "  -k, --insecure         do not check https:// certificates (a test's self-signed daemon)\n"
       "      --json             write the JSON document (docs/bench-json.md) instead of the report\n"
       "  -o, --output FILE      write the report or JSON document to FILE\n"
       "      --html FILE        also write a self-contained HTML report page to FILE\n"
       "      --journal          log results to the journal even outside systemd\n"
       "      --no-progress      no live progress line\n"
       "      --no-timeline      no timeline\n"
       "      --ascii            plain ASCII timeline and chart\n"
       "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
       "                         --no-color = never\n"
       "  -h, --help             this text\n"
       "\n"
       "Durations: 2, 0.5, 250ms, 10s, 1m.\n");

static const char usage_compare[] =
    N_("Usage: asyncdemoctl compare [OPTIONS] [URL]\n"
       "\n"
       "Makes N GET requests to URL in each mode - sequential (one after another), async (one\n"
       "thread, curl multi), threads (a thread per request), processes (a forked process per\n"
       "request) - and ranks the modes. URL defaults to http://127.0.0.1:8000/delay/2\n"
       "(https://httpbin.org/delay/2 works too where reachable).\n"
       "\n"
       "  -u, --url URL          the URL (or give it as the argument)\n"
       "  -n, --requests N       requests per mode (default 5)\n"
       "  -m, --modes LIST       comma-separated, in order (default sequential,async,threads,processes)\n"
       "  -t, --timeout D        per-request timeout (default 60s)\n"
       "      --cacert FILE      check https:// certificates against the PEM bundle FILE\n"
       "  -k, --insecure         do not check https:// certificates (a test's self-signed daemon)\n"
       "      --max-parallel N   threads and processes: at most N requests at once, the rest in\n"
       "                         waves (default 256, max 100000)\n"
       "      --h2               HTTP/2 in every mode: h2 by ALPN over https://, h2c by prior\n"
       "                         knowledge over http:// (a connection per request there with\n"
       "                         libcurl before 8.0)\n"
       "      --json             write the JSON document instead of the report\n"
       "  -o, --output FILE      write it to FILE\n"
       "      --journal          log results to the journal even outside systemd\n"
       "      --no-progress      no live progress line\n"
       "      --no-timeline      no timeline\n"
       "      --ascii            plain ASCII timeline\n"
       "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
       "                         --no-color = never\n"
       "  -h, --help             this text\n");

static const char usage_stats[] =
    N_("Usage: asyncdemoctl stats [OPTIONS] [URL]\n"
       "\n"
       "Fetches the daemon's /stats and shows it readably. URL: the daemon's base URL or the /stats URL\n"
       "(default http://127.0.0.1:8000).\n"
       "\n"
       "  -u, --url URL          the URL (or give it as the argument)\n"
       "      --json             print the raw JSON document\n"
       "  -w, --watch            refresh every interval until interrupted\n"
       "  -i, --interval D       refresh interval with --watch (default 1s, at least 10ms)\n"
       "  -t, --timeout D        request timeout (default 5s)\n"
       "      --cacert FILE      check https:// certificates against the PEM bundle FILE\n"
       "  -k, --insecure         do not check https:// certificates (a test's self-signed daemon)\n"
       "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
       "                         --no-color = never\n"
       "  -h, --help             this text\n");

static const char usage_demo[] =
    N_("Usage: asyncdemoctl demo [OPTIONS] [URL]\n"
       "\n"
       "The whole lesson in one go: compare's four modes against URL/delay/<delay>, then bench of\n"
       "/blocking, /non-blocking and /offload, N concurrent requests each. URL: the daemon's base URL\n"
       "(default http://127.0.0.1:8000).\n"
       "\n"
       "  -u, --url URL          the base URL (or give it as the argument)\n"
       "      --delay D          the delay of every request (default 2s)\n"
       "  -n, --requests N       requests per mode and endpoint (default 5)\n"
       "  -t, --timeout D        per-request timeout (default max(30s, 5 x delay + 10s))\n"
       "      --journal          log results to the journal even outside systemd\n"
       "      --no-progress      no live progress line\n"
       "      --ascii            plain ASCII timeline and chart\n"
       "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
       "                         --no-color = never\n"
       "  -h, --help             this text\n");

static const char usage_report[] =
    N_("Usage: asyncdemoctl report [OPTIONS] FILE...\n"
       "\n"
       "Reads bench or compare --json documents (several runs or hosts; - reads stdin), merges the\n"
       "runs of the same name exactly (counts, errors, latency histograms) and prints the report\n"
       "bench prints. Documents of another schema, command or target are refused.\n"
       "\n"
       "      --json             write the merged JSON document (options.sources lists the files)\n"
       "      --fail-if EXPR     exit 3 when a merged run breaks EXPR (as for bench); repeatable\n"
       "      --html FILE        also write a self-contained HTML report page to FILE\n"
       "  -o, --output FILE      write the report or JSON document to FILE\n"
       "      --no-timeline      no timeline\n"
       "      --ascii            plain ASCII timeline and chart\n"
       "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
       "                         --no-color = never\n"
       "  -h, --help             this text\n"
       "\n"
       "Exit status: 0 done; 1 a merged run has failed requests; 3 a --fail-if threshold was broken;\n"
       "64 bad flags, or a file that cannot be read or merged.\n");

const char *ad_ctl_usage(ad_ctl_command_t cmd)
{
    switch (cmd) {
    case AD_CMD_BENCH:
        return _(usage_bench);
    case AD_CMD_COMPARE:
        return _(usage_compare);
    case AD_CMD_STATS:
        return _(usage_stats);
    case AD_CMD_DEMO:
        return _(usage_demo);
    case AD_CMD_REPORT:
        return _(usage_report);
    case AD_CMD_NONE:
    case AD_CMD_HELP:
        break;
    }
    return _(usage_main);
}
