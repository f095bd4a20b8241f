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
#include "cli.h"
#include "stages.h"
#include "threshold.h"
#include "request_shape.h"
#include "url.h"

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
    ad_threshold_t fail_if[AD_THRESHOLDS_MAX]; /* --fail-if, in the order given */
    size_t nfail_if;
    /* --shard I/N (1-based I; 0/0 = none): requests, concurrency and rate above are this shard's share
     * (ad_shard_share) once parsed; the open model's schedule is offset to interleave with the others. */
    unsigned shard, shards;
    int64_t start_at_wall_ns; /* --start-at: CLOCK_REALTIME when the first run starts; 0 = at once */
    int64_t interval_ns;      /* --interval: the figures over time (series.h), default 1 s */
    /* --rate R:D,...: the open model's rate in stages (this shard's share); rate is then their mean and
     * duration_ns their length */
    ad_rate_stage_t stages[AD_RATE_STAGES_MAX];
    size_t nstages;
    char html[AD_CTL_PATH_MAX]; /* --html FILE: the page (html_report.h) too; "" = none */
    ad_request_shape_t shape;   /* -X, -H, --body, --body-file, --content-type */
    ad_tls_verify_t tls;        /* --cacert, -k/--insecure */
    bool h2;                    /* --h2: HTTP/2 through libcurl */
    unsigned streams;           /* -m/--streams: HTTP/2 streams per connection, default 1 */
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
    ad_tls_verify_t tls; /* --cacert, -k/--insecure */
    bool h2;             /* --h2: HTTP/2 in every mode (h2 by ALPN over https://, h2c by prior knowledge) */
} ad_compare_opts_t;

typedef struct ad_stats_opts {
    char url[AD_CTL_URL_TEXT_MAX]; /* the /stats URL: the given URL, with /stats as path when it had none */
    ad_url_t target;
    bool json;           /* print the raw document */
    bool watch;          /* refresh every interval until interrupted */
    int64_t interval_ns; /* default 1 s */
    int64_t timeout_ns;  /* default 5 s */
    ad_color_mode_t color;
    ad_tls_verify_t tls; /* --cacert, -k/--insecure */
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
    ad_tls_verify_t tls; /* no flags: demo talks to a plain-http daemon */
} ad_demo_opts_t;

#define AD_REPORT_FILES_MAX 256

typedef struct ad_report_opts {
    const char *files[AD_REPORT_FILES_MAX]; /* bench/compare --json documents, in order; "-" = stdin (argv's strings) */
    size_t nfiles;
    bool json; /* the merged document instead of the report */
    char output[AD_CTL_PATH_MAX];
    bool ascii;
    bool no_timeline;
    ad_color_mode_t color;
    ad_threshold_t fail_if[AD_THRESHOLDS_MAX]; /* --fail-if, checked on the merged runs */
    size_t nfail_if;
    char html[AD_CTL_PATH_MAX]; /* --html FILE */
} ad_report_opts_t;

#define AD_SHARDS_MAX 1000

/* Shard i (0-based) of n's deterministic share of total: total / n, one more for the first total % n. The
 * shares add up to total. */
uint64_t ad_shard_share(uint64_t total, unsigned i, unsigned n);
/* The open model's schedule offset of o's shard, in intervals of its own schedule: (I - 1) / N, 0 without
 * --shard. N shards at rate R / N each, so offset, send together one schedule of rate R. */
double ad_shard_phase(const ad_bench_opts_t *o);
/* --shard I/N into o (1 <= I <= N <= AD_SHARDS_MAX), and, once every flag is read, o's share of -n, -c
 * and --rate (shard.c). 0, or AD_CTL_PARSE_ERROR with the reason in err. */
int ad_shard_parse(const char *flag, const char *v, ad_bench_opts_t *o, char *err, size_t errlen);
int ad_shard_take(ad_bench_opts_t *o, char *err, size_t errlen);

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
/* report: at least one FILE; "-" (stdin) at most once. */
int ad_ctl_parse_report(int argc, char **argv, ad_report_opts_t *o, char *err, size_t errlen);

/*
 * The URL of bench endpoint i: base + endpoint, with "delay=<delay>" added to the query unless it
 * already has a delay parameter. 0, or -1 when there is no such endpoint or the path is too long.
 */
int ad_bench_endpoint_target(const ad_bench_opts_t *o, size_t i, ad_url_t *u);
/* Why engine e cannot move a run with (h2) or without HTTP/2, in the user's words; NULL when it can. The one rule
 * for --engine and $ASYNCDEMOCTL_ENGINE, each naming itself before it. */
const char *ad_bench_engine_refusal(ad_bench_engine_t e, bool h2);
/* Default per-request timeout for a given delay: max(30 s, 5 x delay + 10 s). */
int64_t ad_ctl_default_timeout(int64_t delay_ns);
/* What `demo` runs: compare against base/delay/<delay>, then bench of the three delay endpoints. */
void ad_demo_compare_opts(const ad_demo_opts_t *d, ad_compare_opts_t *c);
void ad_demo_bench_opts(const ad_demo_opts_t *d, ad_bench_opts_t *b);

/* Usage text: the command overview for AD_CMD_NONE / AD_CMD_HELP, else the subcommand's options. */
const char *ad_ctl_usage(ad_ctl_command_t cmd);

#endif
