#ifndef AD_CTL_CLI_H
#define AD_CTL_CLI_H
/*
 * asyncdemoctl's names and numbers: its exit codes, what the parsers return, its limits, and the names
 * of its subcommands, compare modes and bench engines.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fail.h"

/* ad_fail (fail.h) returns -1, which is AD_CTL_PARSE_ERROR: the parsers and checks fail through it. */

/* Exit codes of asyncdemoctl (documented in its --help and the README). */
#define AD_CTL_EXIT_OK 0
#define AD_CTL_EXIT_FAILURE 1       /* the run finished but at least one request failed */
#define AD_CTL_EXIT_UNAVAILABLE 2   /* the daemon cannot be reached */
#define AD_CTL_EXIT_THRESHOLD 3     /* a --fail-if threshold was broken (the report says which, by how much) */
#define AD_CTL_EXIT_USAGE 64        /* bad flags or values (EX_USAGE) */
#define AD_CTL_EXIT_SOFTWARE 70     /* an internal error (EX_SOFTWARE): out of memory, epoll, fork failed */
#define AD_CTL_EXIT_INTERRUPTED 130 /* stopped by SIGINT/SIGTERM; the report of what finished is printed */

/* What the ad_ctl_parse_* functions return. */
#define AD_CTL_PARSE_OK 0
#define AD_CTL_PARSE_HELP 1   /* --help / -h: print ad_ctl_usage() and exit 0 */
#define AD_CTL_PARSE_ERROR -1 /* err holds "flag: reason"; print it and where the help is, exit 64 */

#define AD_CTL_ENDPOINTS_MAX 8
#define AD_CTL_ENDPOINT_MAX 256
#define AD_CTL_PATH_MAX 4096
#define AD_CTL_DEFAULT_BASE_URL "http://127.0.0.1:8000"
#define AD_CTL_DEFAULT_COMPARE_URL "http://127.0.0.1:8000/delay/2"
#define AD_CTL_CONCURRENCY_MAX 100000
#define AD_CTL_THREADS_MAX 64
#define AD_CTL_STREAMS_MAX 1000 /* bench -m: HTTP/2 streams per connection */
#define AD_CTL_RATE_MAX 10000000.0
/* compare's threads and processes modes: requests (threads, children) at once by default (--max-parallel).
 * A child costs about 330 KB (3,000 took 1 GB); 256 keep the mode under 100 MB and far from the PID limits. */
#define AD_CTL_MAX_PARALLEL_DEFAULT 256

typedef enum {
    AD_CMD_NONE = 0,
    AD_CMD_BENCH,
    AD_CMD_COMPARE,
    AD_CMD_STATS,
    AD_CMD_DEMO,
    AD_CMD_REPORT,
    AD_CMD_HELP
} ad_ctl_command_t;
/* "bench" "compare" "stats" "demo" "report" "help" -> the command; anything else -> AD_CMD_NONE. */
ad_ctl_command_t ad_ctl_command_from_name(const char *name);
/* The subcommand's name ("bench"); "" for AD_CMD_NONE and AD_CMD_HELP (the overview's). */
const char *ad_ctl_command_name(ad_ctl_command_t cmd);

typedef enum { AD_COLOR_AUTO = 0, AD_COLOR_ALWAYS, AD_COLOR_NEVER } ad_color_mode_t;

/* How https:// targets are verified: --cacert FILE (a PEM bundle instead of the system's), -k/--insecure. */
typedef struct ad_tls_verify {
    const char *cacert; /* NULL: the system's CA store */
    bool insecure;      /* no check of the certificate or its name (a test's self-signed daemon) */
} ad_tls_verify_t;

typedef enum {
    AD_MODE_SEQUENTIAL = 0, /* one easy handle, one request after the other */
    AD_MODE_ASYNC,          /* one thread, curl multi */
    AD_MODE_THREADS,        /* one thread per request */
    AD_MODE_PROCESSES,      /* one forked process per request */
    AD_MODE_COUNT
} ad_compare_mode_t;
const char *ad_compare_mode_name(ad_compare_mode_t m); /* "sequential" ... */
/* Returns the mode named by s[0..len), or -1. */
int ad_compare_mode_from_name(const char *s, size_t len);

/* bench's engine (--engine, or $ASYNCDEMOCTL_ENGINE when the flag is not given): AUTO lets the engine
 * choose - libh2o's loop for HTTP/1.1 closed-model runs (http and https), libnghttp2 on it for --h2, libcurl
 * for HTTP/1.1's open model (engine.h). */
typedef enum {
    AD_BENCH_ENGINE_AUTO = 0,
    AD_BENCH_ENGINE_CURL,
    AD_BENCH_ENGINE_H2O,
    AD_BENCH_ENGINE_NGHTTP2
} ad_bench_engine_t;
/* "auto", "curl", "h2o", "nghttp2" -> 0 with *e set; anything else (NULL too) -> -1. Pure. */
int ad_bench_engine_from_name(const char *s, ad_bench_engine_t *e);
const char *ad_bench_engine_name(ad_bench_engine_t e); /* the name --engine takes. Pure. */

#endif
