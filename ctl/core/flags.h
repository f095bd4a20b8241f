#ifndef AD_CTL_FLAGS_H
#define AD_CTL_FLAGS_H
/*
 * asyncdemoctl's flags: every flag once in a table (name, short name, value, the subcommands that take
 * it), a re-entrant scanner over it (no getopt state), the loop every subcommand shares (the URL, the
 * flags all handle alike, the first error ends it), and strict value parsers whose errors name the
 * flag and the value. Each subcommand's own flags and defaults are options.c's.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cli.h"
#include "threshold.h"
#include "url.h"

/* Values are quoted in messages; long ones are cut so a message stays one line. */
#define AD_FLAG_VAL "'%.64s'"

enum {
    SCAN_END = 0,
    SCAN_POSITIONAL = -2,
    F_HELP = 1,
    F_URL,
    F_ENDPOINT,
    F_REQUESTS,
    F_CONCURRENCY,
    F_DURATION,
    F_RATE,
    F_TIMEOUT,
    F_NO_KEEPALIVE,
    F_WARMUP,
    F_DELAY,
    F_JSON,
    F_OUTPUT,
    F_JOURNAL,
    F_NO_PROGRESS,
    F_THREADS,
    F_ASCII,
    F_NO_TIMELINE,
    F_COLOR,
    F_NO_COLOR,
    F_MODES,
    F_WATCH,
    F_INTERVAL,
    F_ENGINE,
    F_MAX_PARALLEL,
    F_FAIL_IF,
    F_SHARD,
    F_START_AT,
    F_HTML,
    F_METHOD,
    F_HEADER,
    F_BODY,
    F_BODY_FILE,
    F_CONTENT_TYPE,
    F_CACERT,
    F_INSECURE,
    F_H2,
    F_STREAMS,
    F_COUNT
};

/* Flag ids as bits: which flags were given (`seen`). */
typedef uint64_t ad_flags_seen_t;
#define SEEN(id) ((ad_flags_seen_t)1 << (id))
_Static_assert(F_COUNT <= 64, "flag ids must fit the seen bits");

/* The subcommands a flag belongs to, as bits of ad_ctl_command_t. */
#define BENCH (1u << AD_CMD_BENCH)
#define COMPARE (1u << AD_CMD_COMPARE)
#define STATS (1u << AD_CMD_STATS)
#define DEMO (1u << AD_CMD_DEMO)
#define REPORT (1u << AD_CMD_REPORT) /* reads result files: only the flags of how they are shown */
#define ALL (BENCH | COMPARE | STATS | DEMO)

#define NOT_HANDLED 1 /* from an apply function: not one of its flags */

/*
 * One subcommand as the shared loop sees it: its own flags (apply), the URL rule, what follows the
 * scan (finish), and where the flags every subcommand handles alike put their values (NULL where the
 * subcommand has no such flag; url, canon, timeout_ns and color are always there).
 */
typedef struct subcommand {
    ad_ctl_command_t command;
    /* Applies one of the subcommand's own flags: 0, AD_CTL_PARSE_ERROR or NOT_HANDLED. seen: the flags
     * given before this one. */
    int (*apply)(void *opts, int id, const char *flag, const char *v, ad_flags_seen_t seen, char *err, size_t errlen);
    /* A positional argument (report's files); NULL: it is the URL. */
    int (*positional)(void *opts, const char *v, char *err, size_t errlen);
    /* Checks or adjusts a URL just parsed into *url; NULL: none. */
    int (*url_done)(void *opts, const char *flag, const char *v, char *err, size_t errlen);
    /* After a scan without errors or --help: derived defaults, combinations; NULL: none. */
    int (*finish)(void *opts, ad_flags_seen_t seen, char *err, size_t errlen);
    /* bench: --url may be given again (the last wins) and only a positional URL after a URL is refused;
     * elsewhere any second URL is. */
    bool url_repeats;
    void *opts;
    ad_url_t *url;
    char *canon; /* AD_CTL_URL_MAX bytes: the canonical form of *url */
    int64_t *timeout_ns;
    bool *timeout_set; /* set on --timeout */
    ad_color_mode_t *color;
    char *output;         /* AD_CTL_PATH_MAX bytes */
    ad_tls_verify_t *tls; /* --cacert, --insecure; NULL where the subcommand has none */
    bool *json, *journal, *no_progress, *ascii, *no_timeline;
} subcommand_t;

/* Initializers of the subcommand_t members that point at the members of the same name of options struct o, which
 * every subcommand has (parsed_url: o's ad_url_t, base or target). */
#define SHARED_OPTS(o, parsed_url)                                                                                     \
    .opts = (o), .url = &(o)->parsed_url, .canon = (o)->url, .timeout_ns = &(o)->timeout_ns, .color = &(o)->color,     \
    .tls = &(o)->tls
/* The same for the report's flags bench and compare have (demo has some: journal, no_progress, ascii). */
#define REPORT_OPTS(o)                                                                                                 \
    .output = (o)->output, .json = &(o)->json, .journal = &(o)->journal, .no_progress = &(o)->no_progress,             \
    .ascii = &(o)->ascii, .no_timeline = &(o)->no_timeline

/* Parses argv[1..] for sc, whose options are already set to the defaults: flags in order, the first error
 * ends it. A positional argument is the URL (and counts as --url in seen). Then sc->finish. */
int ad_flags_parse(int argc, char **argv, const subcommand_t *sc, char *err, size_t errlen);

/* Value parsers: 0, or AD_CTL_PARSE_ERROR with "flag: reason" in err. */
int ad_flag_count(const char *flag, const char *v, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen);
int ad_flag_unsigned(const char *flag, const char *v, unsigned min, unsigned max, unsigned *out, char *err,
                     size_t errlen);
/* A duration (lib/duration.h syntax); zero allowed only when allow_zero. */
int ad_flag_duration(const char *flag, const char *v, bool allow_zero, int64_t *out, char *err, size_t errlen);
int ad_flag_rate(const char *flag, const char *v, double *out, char *err, size_t errlen);
/* One more --fail-if threshold into t[*n] (at most AD_THRESHOLDS_MAX). */
int ad_flag_fail_if(const char *flag, const char *v, ad_threshold_t *t, size_t *n, char *err, size_t errlen);
/* A file name to write, shorter than AD_CTL_PATH_MAX, copied into out: --output ("-", standard output,
 * when stdout_ok), --html (a file only). */
int ad_flag_file(const char *flag, const char *v, bool stdout_ok, char *out, char *err, size_t errlen);

#endif
