#ifndef AD_CTL_OPTIONS_H
#define AD_CTL_OPTIONS_H
/*
 * asyncdemoctl's command line: one options struct per subcommand, filled by a pure, re-entrant parser
 * (no getopt state, no I/O, no exit). Accepted forms: `--flag value`, `--flag=value`, `-n 5`, `-n5`,
 * `--` ends the options. Every error names the flag and the value it got.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Formats an error message into err (when err is non-NULL and errlen > 0) and returns -1
 * (AD_CTL_PARSE_ERROR): the one error path of the CLI's parsers and document checks. */
__attribute__((format(printf, 3, 4))) int ad_ctl_fail(char *err, size_t errlen, const char *fmt, ...);

/* Exit codes of asyncdemoctl (documented in its --help and the README). */
#define AD_CTL_EXIT_OK 0
#define AD_CTL_EXIT_FAILURE 1       /* the run finished but at least one request failed */
#define AD_CTL_EXIT_UNAVAILABLE 2   /* the daemon cannot be reached */
#define AD_CTL_EXIT_USAGE 64        /* bad flags or values (EX_USAGE) */
#define AD_CTL_EXIT_SOFTWARE 70     /* an internal error (EX_SOFTWARE): out of memory, epoll, fork failed */
#define AD_CTL_EXIT_INTERRUPTED 130 /* stopped by SIGINT/SIGTERM; the report of what finished is printed */

/* What the ad_ctl_parse_* functions return. */
#define AD_CTL_PARSE_OK 0
#define AD_CTL_PARSE_HELP 1   /* --help / -h: print ad_ctl_usage() and exit 0 */
#define AD_CTL_PARSE_ERROR -1 /* err holds "flag: reason"; print it and where the help is, exit 64 */

#define AD_CTL_URL_MAX 1024 /* a URL as given, and ad_url_t's path; longer canonical forms are refused */
#define AD_CTL_HOST_MAX 256
/* "[host]:port" as ad_url_authority writes it, and any URL ad_url_format writes: a URL derived from a parsed
 * one (/stats added, the scheme's port spelled out) may be longer than AD_CTL_URL_MAX and is never cut. */
#define AD_CTL_AUTHORITY_MAX (AD_CTL_HOST_MAX + 16)
#define AD_CTL_URL_TEXT_MAX (sizeof("https://") - 1 + AD_CTL_AUTHORITY_MAX + AD_CTL_URL_MAX)
#define AD_CTL_ENDPOINTS_MAX 8
#define AD_CTL_ENDPOINT_MAX 256
#define AD_CTL_PATH_MAX 4096
#define AD_CTL_DEFAULT_BASE_URL "http://127.0.0.1:8000"
#define AD_CTL_DEFAULT_COMPARE_URL "http://127.0.0.1:8000/delay/2"
#define AD_CTL_CONCURRENCY_MAX 100000
#define AD_CTL_THREADS_MAX 64
#define AD_CTL_RATE_MAX 10000000.0
/* compare's threads and processes modes: requests (threads, children) at once by default (--max-parallel).
 * A child costs about 330 KB (3,000 took 1 GB); 256 keep the mode under 100 MB and far from the PID limits. */
#define AD_CTL_MAX_PARALLEL_DEFAULT 256

typedef enum { AD_CMD_NONE = 0, AD_CMD_BENCH, AD_CMD_COMPARE, AD_CMD_STATS, AD_CMD_DEMO, AD_CMD_HELP } ad_ctl_command_t;
/* "bench" "compare" "stats" "demo" "help" -> the command; anything else -> AD_CMD_NONE. */
ad_ctl_command_t ad_ctl_command_from_name(const char *name);
/* The subcommand's name ("bench"); "" for AD_CMD_NONE and AD_CMD_HELP (the overview's). */
const char *ad_ctl_command_name(ad_ctl_command_t cmd);

typedef enum { AD_COLOR_AUTO = 0, AD_COLOR_ALWAYS, AD_COLOR_NEVER } ad_color_mode_t;

/* A checked http:// or https:// URL, split. */
typedef struct ad_url {
    bool https;
    char host[AD_CTL_HOST_MAX]; /* without the brackets of an IPv6 literal */
    bool ipv6;                  /* host was written as [..] */
    uint16_t port;              /* explicit, or 80 / 443 */
    char path[AD_CTL_URL_MAX];  /* path and query, "/" when the URL had none; fragment dropped */
} ad_url_t;

/*
 * Parses and checks a URL: scheme http or https (case-insensitive), a host (name, IPv4, or [IPv6]),
 * an optional port 1-65535, an optional path; no credentials, no spaces or control characters.
 * Returns 0, or -1 with a reason in err.
 */
int ad_url_parse(const char *s, ad_url_t *u, char *err, size_t errlen);
/* "host:port" or "[v6]:port", for messages ("cannot connect to 127.0.0.1:8000"). Returns snprintf's length. */
int ad_url_authority(const ad_url_t *u, char *buf, size_t size);
/* "scheme://host[:port]" + path, the canonical form of u (the scheme's own port left out). Returns snprintf's
 * length. */
int ad_url_format(const ad_url_t *u, char *buf, size_t size);

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
 * choose - libh2o's loop for plain-http closed-model runs, libcurl for the rest (engine.h). */
typedef enum { AD_BENCH_ENGINE_AUTO = 0, AD_BENCH_ENGINE_CURL, AD_BENCH_ENGINE_H2O } ad_bench_engine_t;
/* "auto", "curl", "h2o" -> 0 with *e set; anything else (NULL too) -> -1. Pure. */
int ad_bench_engine_from_name(const char *s, ad_bench_engine_t *e);
const char *ad_bench_engine_name(ad_bench_engine_t e); /* "auto" ... */

typedef struct ad_bench_opts {
    char url[AD_CTL_URL_TEXT_MAX]; /* canonical base URL (ad_url_format of base) */
    ad_url_t base;
    /* Paths (with an optional query) requested in turn, one run each. Default: /blocking,
     * /non-blocking, /offload; or the --url's own path when it has one and no --endpoint is given. */
    char endpoints[AD_CTL_ENDPOINTS_MAX][AD_CTL_ENDPOINT_MAX];
    size_t nendpoints;
    uint64_t requests;              /* per endpoint; 0 = until duration_ns (only when duration is set) */
    unsigned concurrency;           /* connections / requests in flight at most */
    int64_t duration_ns;            /* 0 = not set: run `requests` requests */
    double rate;                    /* open model: requests/s across all connections; 0 = closed model */
    int64_t timeout_ns;             /* per request; default max(30 s, 5 x delay + 10 s) */
    bool keepalive;                 /* false with --no-keepalive */
    int64_t warmup_ns;              /* requests sent for this long first, not counted; 0 = none */
    int64_t delay_ns;               /* the delay asked of delay endpoints: ?delay= added unless the path has one */
    bool json;                      /* --json: the JSON document instead of the text report */
    char output[AD_CTL_PATH_MAX];   /* --output FILE; "" = stdout */
    bool journal;                   /* --journal: write results to the journal outside systemd too */
    bool no_progress;               /* --no-progress */
    unsigned threads;               /* engine threads (event loops); 0 (default) = ad_bench_auto_threads */
    bool ascii;                     /* --ascii: timeline and chart in plain ASCII */
    bool no_timeline;               /* --no-timeline */
    ad_color_mode_t color;          /* --color=auto|always|never */
    bool timeout_set, requests_set; /* given explicitly (for defaults derived later) */
    ad_bench_engine_t engine;       /* --engine; AUTO by default */
    bool engine_set;                /* --engine was given (else $ASYNCDEMOCTL_ENGINE may choose) */
} ad_bench_opts_t;

typedef struct ad_compare_opts {
    char url[AD_CTL_URL_TEXT_MAX]; /* canonical: positional URL, or --url; default AD_CTL_DEFAULT_COMPARE_URL */
    ad_url_t target;
    uint64_t n;                             /* requests per mode, default 5 */
    ad_compare_mode_t modes[AD_MODE_COUNT]; /* in the order given; default all four */
    size_t nmodes;
    int64_t timeout_ns;    /* per request; default 60 s */
    unsigned max_parallel; /* threads, processes: at most this many at once, the rest in waves */
    bool json;
    char output[AD_CTL_PATH_MAX];
    bool journal;
    bool no_progress;
    bool ascii;
    bool no_timeline;
    ad_color_mode_t color;
} ad_compare_opts_t;

typedef struct ad_stats_opts {
    char url[AD_CTL_URL_TEXT_MAX]; /* the /stats URL: the given URL, with /stats as path when it had none */
    ad_url_t target;
    bool json;           /* print the raw document */
    bool watch;          /* refresh every interval until interrupted */
    int64_t interval_ns; /* default 1 s */
    int64_t timeout_ns;  /* default 5 s */
    ad_color_mode_t color;
} ad_stats_opts_t;

typedef struct ad_demo_opts {
    char url[AD_CTL_URL_TEXT_MAX]; /* base URL */
    ad_url_t base;
    int64_t delay_ns;   /* default 2 s */
    uint64_t n;         /* requests per mode and endpoint, default 5 */
    int64_t timeout_ns; /* default max(30 s, 5 x delay + 10 s) */
    bool journal;
    bool no_progress;
    bool ascii;
    ad_color_mode_t color;
} ad_demo_opts_t;

/* Defaults (what running the subcommand with no options does). */
void ad_bench_opts_default(ad_bench_opts_t *o);
/*
 * bench's thread count when --threads is not given: one event loop per online CPU, as many as there are
 * connections at most (wrk's habit of -t2 on two cores; one thread cannot keep a one-loop daemon busy).
 * ncpu <= 0 (unknown) counts as 1.
 */
unsigned ad_bench_auto_threads(long ncpu, unsigned concurrency);
void ad_compare_opts_default(ad_compare_opts_t *o);
void ad_stats_opts_default(ad_stats_opts_t *o);
void ad_demo_opts_default(ad_demo_opts_t *o);

/*
 * Parse one subcommand's arguments: argv[0] is the subcommand's name ("bench"), options follow.
 * o is set to the defaults first. Returns AD_CTL_PARSE_OK, AD_CTL_PARSE_HELP, or AD_CTL_PARSE_ERROR
 * with a one-line message in err ("--requests: 'abc' is not a whole number").
 */
int ad_ctl_parse_bench(int argc, char **argv, ad_bench_opts_t *o, char *err, size_t errlen);
int ad_ctl_parse_compare(int argc, char **argv, ad_compare_opts_t *o, char *err, size_t errlen);
int ad_ctl_parse_stats(int argc, char **argv, ad_stats_opts_t *o, char *err, size_t errlen);
int ad_ctl_parse_demo(int argc, char **argv, ad_demo_opts_t *o, char *err, size_t errlen);

/*
 * The full URL of bench endpoint i: base + endpoint, with "delay=<delay>" added to the query unless it
 * already has a delay parameter. Returns snprintf's length (>= size means truncated).
 */
int ad_bench_endpoint_url(const ad_bench_opts_t *o, size_t i, char *buf, size_t size);
/* Default per-request timeout for a given delay: max(30 s, 5 x delay + 10 s). */
int64_t ad_ctl_default_timeout(int64_t delay_ns);
/* What `demo` runs: compare against base/delay/<delay>, then bench of the three delay endpoints. */
void ad_demo_compare_opts(const ad_demo_opts_t *d, ad_compare_opts_t *c);
void ad_demo_bench_opts(const ad_demo_opts_t *d, ad_bench_opts_t *b);

/* Usage text: the command overview for AD_CMD_NONE / AD_CMD_HELP, else the subcommand's options. */
const char *ad_ctl_usage(ad_ctl_command_t cmd);

#endif
