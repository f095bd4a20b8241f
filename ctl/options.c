/* asyncdemoctl's command-line parser: a small table-driven scanner (re-entrant, unlike getopt) plus
 * strict value parsers whose errors name the flag and the value. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "duration.h"

/* ---- commands, modes ---- */

static const struct {
    const char *name;
    ad_ctl_command_t cmd;
} command_names[] = {{"bench", AD_CMD_BENCH},
                     {"compare", AD_CMD_COMPARE},
                     {"stats", AD_CMD_STATS},
                     {"demo", AD_CMD_DEMO},
                     {"help", AD_CMD_HELP}};

ad_ctl_command_t ad_ctl_command_from_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(command_names) / sizeof(command_names[0]); i++)
        if (strcmp(name, command_names[i].name) == 0)
            return command_names[i].cmd;
    return AD_CMD_NONE;
}

const char *ad_ctl_command_name(ad_ctl_command_t cmd)
{
    for (size_t i = 0; i < sizeof(command_names) / sizeof(command_names[0]); i++)
        if (command_names[i].cmd == cmd && cmd != AD_CMD_HELP)
            return command_names[i].name;
    return "";
}

static const char *const mode_names[AD_MODE_COUNT] = {"sequential", "async", "threads", "processes"};

const char *ad_compare_mode_name(ad_compare_mode_t m)
{
    return (unsigned)m < AD_MODE_COUNT ? mode_names[m] : "unknown";
}

int ad_compare_mode_from_name(const char *s, size_t len)
{
    for (int i = 0; i < AD_MODE_COUNT; i++)
        if (strlen(mode_names[i]) == len && memcmp(s, mode_names[i], len) == 0)
            return i;
    return -1;
}

/* ---- errors ---- */

int ad_ctl_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return AD_CTL_PARSE_ERROR;
}

/* ---- URLs ---- */

static bool is_host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

static bool is_v6_char(char c)
{
    return isxdigit((unsigned char)c) || c == ':' || c == '.';
}

/* Parses the "host[:port]" part s[0..len). */
static int parse_authority(const char *s, size_t len, ad_url_t *u, char *err, size_t errlen)
{
    const char *host = s, *port = NULL;
    size_t hostlen;
    if (memchr(s, '@', len) != NULL)
        return ad_ctl_fail(err, errlen, "credentials in a URL are not supported");
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return ad_ctl_fail(err, errlen, "'[' without ']' around the IPv6 address");
        host = s + 1;
        hostlen = (size_t)(close - host);
        /* an optional %zone may follow the address */
        size_t addrlen = hostlen;
        const char *pct = memchr(host, '%', hostlen);
        if (pct != NULL)
            addrlen = (size_t)(pct - host);
        for (size_t i = 0; i < addrlen; i++)
            if (!is_v6_char(host[i]))
                return ad_ctl_fail(err, errlen, "'%.*s' is not an IPv6 address", (int)hostlen, host);
        if (addrlen < 2 || memchr(host, ':', addrlen) == NULL)
            return ad_ctl_fail(err, errlen, "'%.*s' is not an IPv6 address", (int)hostlen, host);
        u->ipv6 = true;
        const char *after = close + 1;
        if (after < s + len) {
            if (*after != ':')
                return ad_ctl_fail(err, errlen, "unexpected '%c' after the IPv6 address", *after);
            port = after + 1;
        }
    } else {
        const char *colon = memchr(s, ':', len);
        hostlen = colon != NULL ? (size_t)(colon - s) : len;
        for (size_t i = 0; i < hostlen; i++)
            if (!is_host_char(s[i]))
                return ad_ctl_fail(err, errlen, "'%.*s' is not a host name or address", (int)hostlen, s);
        if (colon != NULL)
            port = colon + 1;
    }
    if (hostlen == 0)
        return ad_ctl_fail(err, errlen, "no host");
    if (hostlen >= sizeof(u->host))
        return ad_ctl_fail(err, errlen, "host name too long");
    memcpy(u->host, host, hostlen);
    u->host[hostlen] = '\0';

    u->port = u->https ? 443 : 80;
    if (port != NULL) {
        size_t plen = (size_t)(s + len - port);
        unsigned long v = 0;
        if (plen == 0 || plen > 5)
            return ad_ctl_fail(err, errlen, "port '%.*s' is not a number from 1 to 65535", (int)plen, port);
        for (size_t i = 0; i < plen; i++) {
            if (!isdigit((unsigned char)port[i]))
                return ad_ctl_fail(err, errlen, "port '%.*s' is not a number from 1 to 65535", (int)plen, port);
            v = v * 10 + (unsigned long)(port[i] - '0');
        }
        if (v == 0 || v > 65535)
            return ad_ctl_fail(err, errlen, "port '%.*s' is not a number from 1 to 65535", (int)plen, port);
        u->port = (uint16_t)v;
    }
    return 0;
}

int ad_url_parse(const char *s, ad_url_t *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof(*u));
    if (s == NULL || *s == '\0')
        return ad_ctl_fail(err, errlen, "empty URL");
    for (const char *p = s; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return ad_ctl_fail(err, errlen, "spaces and control characters must be percent-encoded");
    }
    const char *rest;
    if (strncasecmp(s, "http://", 7) == 0) {
        rest = s + 7;
    } else if (strncasecmp(s, "https://", 8) == 0) {
        u->https = true;
        rest = s + 8;
    } else {
        return ad_ctl_fail(err, errlen, "must start with http:// or https://");
    }
    size_t authlen = strcspn(rest, "/?#");
    if (parse_authority(rest, authlen, u, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    const char *path = rest + authlen;
    size_t pathlen = strcspn(path, "#");
    if (pathlen + 2 > sizeof(u->path))
        return ad_ctl_fail(err, errlen, "URL too long");
    /* "http://h?x=1" has an empty path: the request line needs "/?x=1". */
    size_t off = 0;
    if (pathlen == 0 || path[0] != '/')
        u->path[off++] = '/';
    memcpy(u->path + off, path, pathlen);
    u->path[off + pathlen] = '\0';
    return 0;
}

int ad_url_authority(const ad_url_t *u, char *buf, size_t size)
{
    return snprintf(buf, size, u->ipv6 ? "[%s]:%u" : "%s:%u", u->host, (unsigned)u->port);
}

int ad_url_format(const ad_url_t *u, char *buf, size_t size)
{
    char auth[AD_CTL_AUTHORITY_MAX];
    if (u->port == (u->https ? 443 : 80)) /* the scheme's port is left out, as people write it */
        snprintf(auth, sizeof(auth), u->ipv6 ? "[%s]" : "%s", u->host);
    else
        ad_url_authority(u, auth, sizeof(auth));
    return snprintf(buf, size, "%s://%s%s", u->https ? "https" : "http", auth, u->path);
}

/* ---- values ---- */

/* Values are quoted in messages; long ones are cut so a message stays one line. */
#define VAL "'%.64s'"

static int parse_count(const char *flag, const char *v, uint64_t min, uint64_t max, uint64_t *out, char *err,
                       size_t errlen)
{
    uint64_t n = 0;
    if (*v == '\0')
        return ad_ctl_fail(err, errlen, "%s: needs a whole number, got an empty value", flag);
    for (const char *p = v; *p != '\0'; p++) {
        if (!isdigit((unsigned char)*p))
            return ad_ctl_fail(err, errlen, "%s: " VAL " is not a whole number", flag, v);
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return ad_ctl_fail(err, errlen, "%s: " VAL " is too large (at most %" PRIu64 ")", flag, v, max);
        n = n * 10 + d;
    }
    if (n < min || n > max)
        return ad_ctl_fail(err, errlen, "%s: " VAL " is out of range (%" PRIu64 " to %" PRIu64 ")", flag, v, min, max);
    *out = n;
    return 0;
}

static int parse_unsigned(const char *flag, const char *v, unsigned min, unsigned max, unsigned *out, char *err,
                          size_t errlen)
{
    uint64_t n;
    if (parse_count(flag, v, min, max, &n, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    *out = (unsigned)n;
    return 0;
}

/* A duration (lib/duration.h syntax); zero allowed only when allow_zero. */
static int parse_dur(const char *flag, const char *v, bool allow_zero, int64_t *out, char *err, size_t errlen)
{
    int64_t ns = 0;
    ad_duration_status_t st = ad_duration_parse(v, strlen(v), &ns);
    if (st != AD_DURATION_OK)
        return ad_ctl_fail(err, errlen, "%s: " VAL " %s", flag, v, ad_duration_strerror(st));
    if (ns == 0 && !allow_zero)
        return ad_ctl_fail(err, errlen, "%s: " VAL " must be greater than zero", flag, v);
    *out = ns;
    return 0;
}

static int parse_rate(const char *flag, const char *v, double *out, char *err, size_t errlen)
{
    /* digits [. digits]: strtod alone would take "inf", "0x1p3", " 5" and "1e3" */
    size_t ndig = strspn(v, "0123456789");
    const char *p = v + ndig;
    if (*p == '.' && ndig > 0) {
        size_t frac = strspn(p + 1, "0123456789");
        p += frac > 0 ? frac + 1 : 0;
    }
    if (ndig == 0 || *p != '\0')
        return ad_ctl_fail(err, errlen, "%s: " VAL " is not a number of requests per second", flag, v);
    double r = strtod(v, NULL);
    if (!(r > 0) || r > AD_CTL_RATE_MAX)
        return ad_ctl_fail(err, errlen, "%s: " VAL " is out of range (more than 0, at most %.0f)", flag, v,
                           AD_CTL_RATE_MAX);
    *out = r;
    return 0;
}

/* --color's values, in the order of ad_color_mode_t, and their synonyms. */
static const struct {
    const char *word;
    ad_color_mode_t mode;
} color_words[] = {{"auto", AD_COLOR_AUTO},
                   {"always", AD_COLOR_ALWAYS},
                   {"never", AD_COLOR_NEVER},
                   {"yes", AD_COLOR_ALWAYS},
                   {"no", AD_COLOR_NEVER}};

/* Whether v is one of --color's values (so `--color always` takes it; a URL never is one). */
static bool is_color_word(const char *v)
{
    for (size_t i = 0; i < sizeof(color_words) / sizeof(color_words[0]); i++)
        if (strcmp(v, color_words[i].word) == 0)
            return true;
    return false;
}

static int parse_color(const char *flag, const char *v, ad_color_mode_t *out, char *err, size_t errlen)
{
    if (v == NULL) { /* `--color` alone */
        *out = AD_COLOR_ALWAYS;
        return 0;
    }
    for (size_t i = 0; i < sizeof(color_words) / sizeof(color_words[0]); i++) {
        if (strcmp(v, color_words[i].word) == 0) {
            *out = color_words[i].mode;
            return 0;
        }
    }
    return ad_ctl_fail(err, errlen, "%s: " VAL " is not one of auto, always, never", flag, v);
}

static int parse_url_value(const char *flag, const char *v, ad_url_t *u, char *canon, size_t canonlen, char *err,
                           size_t errlen)
{
    char why[160];
    if (ad_url_parse(v, u, why, sizeof(why)) != 0)
        return ad_ctl_fail(err, errlen, "%s: " VAL " is not a valid URL: %s", flag, v, why);
    if (ad_url_format(u, canon, canonlen) >= (int)canonlen)
        return ad_ctl_fail(err, errlen, "%s: " VAL " is too long", flag, v);
    return 0;
}

static int parse_output(const char *flag, const char *v, char *out, size_t outlen, char *err, size_t errlen)
{
    if (*v == '\0')
        return ad_ctl_fail(err, errlen, "%s: needs a file name", flag);
    if (strlen(v) >= outlen)
        return ad_ctl_fail(err, errlen, "%s: file name too long", flag);
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

static int parse_endpoint(const char *flag, const char *v, ad_bench_opts_t *o, char *err, size_t errlen)
{
    if (o->nendpoints == AD_CTL_ENDPOINTS_MAX)
        return ad_ctl_fail(err, errlen, "%s: at most %d endpoints", flag, AD_CTL_ENDPOINTS_MAX);
    if (v[0] != '/')
        return ad_ctl_fail(err, errlen, "%s: " VAL " must be a path starting with '/' (e.g. /non-blocking)", flag, v);
    if (strlen(v) >= AD_CTL_ENDPOINT_MAX)
        return ad_ctl_fail(err, errlen, "%s: " VAL " is too long (at most %d bytes)", flag, v, AD_CTL_ENDPOINT_MAX - 1);
    for (const char *p = v; *p != '\0'; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '#')
            return ad_ctl_fail(err, errlen, "%s: " VAL " contains a space, control character or '#'", flag, v);
    memcpy(o->endpoints[o->nendpoints++], v, strlen(v) + 1);
    return 0;
}

static int parse_modes(const char *flag, const char *v, ad_compare_opts_t *o, char *err, size_t errlen)
{
    o->nmodes = 0;
    const char *p = v;
    for (;;) {
        size_t len = strcspn(p, ",");
        int m = ad_compare_mode_from_name(p, len);
        if (m < 0)
            return ad_ctl_fail(err, errlen, "%s: '%.*s' is not a mode (sequential, async, threads, processes)", flag,
                               (int)(len > 64 ? 64 : len), p);
        for (size_t i = 0; i < o->nmodes; i++)
            if (o->modes[i] == (ad_compare_mode_t)m)
                return ad_ctl_fail(err, errlen, "%s: mode '%s' given twice", flag, mode_names[m]);
        o->modes[o->nmodes++] = (ad_compare_mode_t)m;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* ---- the scanner ---- */

/*
 * TAKES_OPTIONAL: `--flag=value`, or `--flag value` when value is one the flag's is_value accepts (so a
 * following URL or flag is never taken for it), or `--flag` alone.
 */
typedef enum { TAKES_NONE, TAKES_VALUE, TAKES_OPTIONAL } takes_t;

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
    F_COUNT
};

/* Flag ids as bits: which flags were given (`seen`). */
#define SEEN(id) (1u << (id))
_Static_assert(F_COUNT <= 32, "flag ids must fit the seen bits");

/* The subcommands a flag belongs to, as bits of ad_ctl_command_t. */
#define BENCH (1u << AD_CMD_BENCH)
#define COMPARE (1u << AD_CMD_COMPARE)
#define STATS (1u << AD_CMD_STATS)
#define DEMO (1u << AD_CMD_DEMO)
#define ALL (BENCH | COMPARE | STATS | DEMO)

typedef struct flag_def {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 when none */
    takes_t takes;
    int id;
    unsigned commands;                 /* BENCH | ...: the subcommands that accept it */
    bool (*is_value)(const char *arg); /* TAKES_OPTIONAL: whether the next argument is the flag's value */
} flag_def_t;

/* Every flag once; a subcommand sees the rows with its bit (any other flag is an unknown option there). */
static const flag_def_t flag_defs[] = {
    {"help", 'h', TAKES_NONE, F_HELP, ALL, NULL},
    {"url", 'u', TAKES_VALUE, F_URL, ALL, NULL},
    {"endpoint", 'e', TAKES_VALUE, F_ENDPOINT, BENCH, NULL},
    {"requests", 'n', TAKES_VALUE, F_REQUESTS, BENCH | COMPARE | DEMO, NULL},
    {"concurrency", 'c', TAKES_VALUE, F_CONCURRENCY, BENCH, NULL},
    {"duration", 'd', TAKES_VALUE, F_DURATION, BENCH, NULL},
    {"rate", 'r', TAKES_VALUE, F_RATE, BENCH, NULL},
    {"modes", 'm', TAKES_VALUE, F_MODES, COMPARE, NULL},
    {"max-parallel", 0, TAKES_VALUE, F_MAX_PARALLEL, COMPARE, NULL},
    {"timeout", 't', TAKES_VALUE, F_TIMEOUT, ALL, NULL},
    {"no-keepalive", 0, TAKES_NONE, F_NO_KEEPALIVE, BENCH, NULL},
    {"warmup", 0, TAKES_VALUE, F_WARMUP, BENCH, NULL},
    {"delay", 0, TAKES_VALUE, F_DELAY, BENCH | DEMO, NULL},
    {"json", 0, TAKES_NONE, F_JSON, BENCH | COMPARE | STATS, NULL},
    {"output", 'o', TAKES_VALUE, F_OUTPUT, BENCH | COMPARE, NULL},
    {"journal", 0, TAKES_NONE, F_JOURNAL, BENCH | COMPARE | DEMO, NULL},
    {"no-progress", 0, TAKES_NONE, F_NO_PROGRESS, BENCH | COMPARE | DEMO, NULL},
    {"threads", 0, TAKES_VALUE, F_THREADS, BENCH, NULL},
    {"engine", 0, TAKES_VALUE, F_ENGINE, BENCH, NULL},
    {"ascii", 0, TAKES_NONE, F_ASCII, BENCH | COMPARE | DEMO, NULL},
    {"no-timeline", 0, TAKES_NONE, F_NO_TIMELINE, BENCH | COMPARE, NULL},
    {"watch", 'w', TAKES_NONE, F_WATCH, STATS, NULL},
    {"interval", 'i', TAKES_VALUE, F_INTERVAL, STATS, NULL},
    {"color", 0, TAKES_OPTIONAL, F_COLOR, ALL, is_color_word},
    {"no-color", 0, TAKES_NONE, F_NO_COLOR, ALL, NULL},
    {NULL, 0, TAKES_NONE, 0, 0, NULL},
};

typedef struct scan {
    int argc;
    char **argv;
    int i;
    unsigned command;     /* the subcommand's bit: whose flags count */
    bool only_positional; /* after "--" */
    char shown[72];       /* the flag as the user wrote it, for messages */
} scan_t;

static const flag_def_t *find_long(unsigned command, const char *name, size_t len)
{
    for (const flag_def_t *f = flag_defs; f->name != NULL; f++)
        if ((f->commands & command) != 0 && strlen(f->name) == len && memcmp(f->name, name, len) == 0)
            return f;
    return NULL;
}

static const flag_def_t *find_short(unsigned command, char c)
{
    for (const flag_def_t *f = flag_defs; f->name != NULL; f++)
        if ((f->commands & command) != 0 && f->short_name == c)
            return f;
    return NULL;
}

/* Next flag id, SCAN_POSITIONAL (*value = the argument), SCAN_END, or AD_CTL_PARSE_ERROR. */
static int scan_next(scan_t *s, const char **value, char *err, size_t errlen)
{
    *value = NULL;
    if (s->i >= s->argc)
        return SCAN_END;
    const char *a = s->argv[s->i++];
    if (a == NULL)
        return SCAN_END;
    if (s->only_positional || a[0] != '-' || a[1] == '\0') {
        *value = a;
        return SCAN_POSITIONAL;
    }
    if (strcmp(a, "--") == 0) {
        s->only_positional = true;
        return scan_next(s, value, err, errlen);
    }
    const flag_def_t *f;
    const char *inline_value = NULL;
    if (a[1] == '-') {
        const char *eq = strchr(a + 2, '=');
        size_t len = eq != NULL ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        f = find_long(s->command, a + 2, len);
        snprintf(s->shown, sizeof(s->shown), "--%.*s", (int)(len > 60 ? 60 : len), a + 2);
        if (f == NULL)
            return ad_ctl_fail(err, errlen, "unknown option '%s'", s->shown);
        if (eq != NULL) {
            if (f->takes == TAKES_NONE)
                return ad_ctl_fail(err, errlen, "%s: takes no value", s->shown);
            inline_value = eq + 1;
        }
    } else {
        f = find_short(s->command, a[1]);
        snprintf(s->shown, sizeof(s->shown), "-%c", a[1]);
        if (f == NULL)
            return ad_ctl_fail(err, errlen, "unknown option '%s'", s->shown);
        if (a[2] != '\0') {
            if (f->takes != TAKES_VALUE)
                return ad_ctl_fail(err, errlen, "%s: takes no value (got '%.60s')", s->shown, a + 2);
            inline_value = a + 2;
        }
    }
    if (f->takes == TAKES_VALUE && inline_value == NULL) {
        if (s->i >= s->argc || s->argv[s->i] == NULL)
            return ad_ctl_fail(err, errlen, "%s: needs a value", s->shown);
        inline_value = s->argv[s->i++];
    } else if (f->takes == TAKES_OPTIONAL && inline_value == NULL && !s->only_positional && s->i < s->argc &&
               s->argv[s->i] != NULL && f->is_value(s->argv[s->i])) {
        inline_value = s->argv[s->i++];
    }
    *value = inline_value;
    return f->id;
}

/* ---- the subcommands' shared loop ---- */

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
    int (*apply)(void *opts, int id, const char *flag, const char *v, unsigned seen, char *err, size_t errlen);
    /* Checks or adjusts a URL just parsed into *url; NULL: none. */
    int (*url_done)(void *opts, const char *flag, const char *v, char *err, size_t errlen);
    /* After a scan without errors or --help: derived defaults, combinations; NULL: none. */
    int (*finish)(void *opts, unsigned seen, char *err, size_t errlen);
    /* bench: --url may be given again (the last wins) and only a positional URL after a URL is refused;
     * elsewhere any second URL is. */
    bool url_repeats;
    void *opts;
    ad_url_t *url;
    char *canon; /* AD_CTL_URL_MAX bytes: the canonical form of *url */
    int64_t *timeout_ns;
    bool *timeout_set; /* set on --timeout */
    int64_t *delay_ns; /* bench, demo: without --timeout, *timeout_ns = ad_ctl_default_timeout(*delay_ns) */
    ad_color_mode_t *color;
    char *output; /* AD_CTL_PATH_MAX bytes */
    bool *json, *journal, *no_progress, *ascii, *no_timeline;
} subcommand_t;

/* Initializers of the subcommand_t members that point at the members of the same name of options struct o, which
 * every subcommand has (parsed_url: o's ad_url_t, base or target). */
#define SHARED_OPTS(o, parsed_url)                                                                                     \
    .opts = (o), .url = &(o)->parsed_url, .canon = (o)->url, .timeout_ns = &(o)->timeout_ns, .color = &(o)->color
/* The same for the report's flags bench and compare have (demo has some: journal, no_progress, ascii). */
#define REPORT_OPTS(o)                                                                                                 \
    .output = (o)->output, .json = &(o)->json, .journal = &(o)->journal, .no_progress = &(o)->no_progress,             \
    .ascii = &(o)->ascii, .no_timeline = &(o)->no_timeline

/* The switch a flag without a value turns on, if it is a shared one the subcommand has. */
static bool *shared_switch(const subcommand_t *sc, int id)
{
    switch (id) {
    case F_JSON:
        return sc->json;
    case F_JOURNAL:
        return sc->journal;
    case F_NO_PROGRESS:
        return sc->no_progress;
    case F_ASCII:
        return sc->ascii;
    case F_NO_TIMELINE:
        return sc->no_timeline;
    }
    return NULL;
}

/* Applies a flag every subcommand that has it handles alike: 0, AD_CTL_PARSE_ERROR or NOT_HANDLED. */
static int shared_flag(const subcommand_t *sc, int id, const char *f, const char *v, char *err, size_t errlen)
{
    bool *on = shared_switch(sc, id);
    if (on != NULL) {
        *on = true;
        return 0;
    }
    switch (id) {
    case F_URL:
        if (parse_url_value(f, v, sc->url, sc->canon, AD_CTL_URL_MAX, err, errlen) != 0)
            return AD_CTL_PARSE_ERROR;
        return sc->url_done != NULL ? sc->url_done(sc->opts, f, v, err, errlen) : 0;
    case F_TIMEOUT:
        if (sc->timeout_set != NULL)
            *sc->timeout_set = true;
        return parse_dur(f, v, false, sc->timeout_ns, err, errlen);
    case F_OUTPUT:
        return sc->output != NULL ? parse_output(f, v, sc->output, AD_CTL_PATH_MAX, err, errlen) : NOT_HANDLED;
    case F_COLOR:
        return parse_color(f, v, sc->color, err, errlen);
    case F_NO_COLOR:
        *sc->color = AD_COLOR_NEVER;
        return 0;
    }
    return NOT_HANDLED;
}

static int apply_flag(const subcommand_t *sc, int id, const char *f, const char *v, unsigned seen, char *err,
                      size_t errlen)
{
    int rc = shared_flag(sc, id, f, v, err, errlen);
    if (rc == NOT_HANDLED)
        rc = sc->apply(sc->opts, id, f, v, seen, err, errlen);
    if (rc == NOT_HANDLED)
        return ad_ctl_fail(err, errlen, "%s: not handled", f);
    return rc;
}

/* Parses argv[1..] for sc, whose options are already set to the defaults: flags in order, the first error
 * ends it. A positional argument is the URL (and counts as --url in seen). Then sc->finish, and the timeout
 * derived from the delay where it was not given. */
static int parse_subcommand(int argc, char **argv, const subcommand_t *sc, char *err, size_t errlen)
{
    scan_t s = {.argc = argc, .argv = argv, .i = 1, .command = 1u << sc->command};
    unsigned seen = 0;
    const char *v;
    int id;
    while ((id = scan_next(&s, &v, err, errlen)) != SCAN_END) {
        if (id == AD_CTL_PARSE_ERROR)
            return AD_CTL_PARSE_ERROR;
        if (id == F_HELP)
            return AD_CTL_PARSE_HELP;
        if (id == SCAN_POSITIONAL) {
            if (sc->url_repeats && (seen & SEEN(F_URL)) != 0)
                return ad_ctl_fail(err, errlen, "unexpected argument '%.64s' (the URL is already given)", v);
            id = F_URL;
            snprintf(s.shown, sizeof(s.shown), "URL");
        }
        if (id == F_URL && !sc->url_repeats && (seen & SEEN(F_URL)) != 0)
            return ad_ctl_fail(err, errlen, "%s: '%.64s': the URL is already given", s.shown, v);
        if (apply_flag(sc, id, s.shown, v, seen, err, errlen) != 0)
            return AD_CTL_PARSE_ERROR;
        seen |= SEEN(id);
    }
    if (sc->finish != NULL && sc->finish(sc->opts, seen, err, errlen) != AD_CTL_PARSE_OK)
        return AD_CTL_PARSE_ERROR;
    if (sc->delay_ns != NULL && (seen & SEEN(F_TIMEOUT)) == 0)
        *sc->timeout_ns = ad_ctl_default_timeout(*sc->delay_ns);
    return AD_CTL_PARSE_OK;
}

/* ---- defaults ---- */

int64_t ad_ctl_default_timeout(int64_t delay_ns)
{
    int64_t floor_ns = 30 * AD_NS_PER_SEC;
    if (delay_ns > (INT64_MAX - 10 * AD_NS_PER_SEC) / 5)
        return INT64_MAX;
    int64_t t = 5 * delay_ns + 10 * AD_NS_PER_SEC;
    return t > floor_ns ? t : floor_ns;
}

static void set_base(ad_url_t *u, char *canon, size_t canonlen, const char *url)
{
    ad_url_parse(url, u, NULL, 0);
    ad_url_format(u, canon, canonlen);
}

void ad_bench_opts_default(ad_bench_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->base, o->url, sizeof(o->url), AD_CTL_DEFAULT_BASE_URL);
    static const char *const eps[] = {"/blocking", "/non-blocking", "/offload"};
    for (size_t i = 0; i < 3; i++)
        snprintf(o->endpoints[i], sizeof(o->endpoints[i]), "%s", eps[i]);
    o->nendpoints = 3;
    o->requests = 5;
    o->concurrency = 5;
    o->delay_ns = 2 * AD_NS_PER_SEC;
    o->timeout_ns = ad_ctl_default_timeout(o->delay_ns);
    o->keepalive = true;
    o->threads = 0; /* auto */
}

unsigned ad_bench_auto_threads(long ncpu, unsigned concurrency)
{
    unsigned n = ncpu < 1 ? 1 : ncpu > AD_CTL_THREADS_MAX ? AD_CTL_THREADS_MAX : (unsigned)ncpu;
    if (concurrency > 0 && n > concurrency)
        n = concurrency;
    return n;
}

void ad_compare_opts_default(ad_compare_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->target, o->url, sizeof(o->url), AD_CTL_DEFAULT_COMPARE_URL);
    o->n = 5;
    for (int m = 0; m < AD_MODE_COUNT; m++)
        o->modes[o->nmodes++] = (ad_compare_mode_t)m;
    o->timeout_ns = 60 * AD_NS_PER_SEC;
    o->max_parallel = AD_CTL_MAX_PARALLEL_DEFAULT;
}

void ad_stats_opts_default(ad_stats_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->target, o->url, sizeof(o->url), AD_CTL_DEFAULT_BASE_URL "/stats");
    o->interval_ns = AD_NS_PER_SEC;
    o->timeout_ns = 5 * AD_NS_PER_SEC;
}

void ad_demo_opts_default(ad_demo_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    set_base(&o->base, o->url, sizeof(o->url), AD_CTL_DEFAULT_BASE_URL);
    o->delay_ns = 2 * AD_NS_PER_SEC;
    o->n = 5;
    o->timeout_ns = ad_ctl_default_timeout(o->delay_ns);
}

/* ---- bench ---- */

/* The paths /blocking, /non-blocking, /offload (after the base's prefix) take ?delay=. */
static bool is_delay_endpoint(const char *ep)
{
    size_t len = strcspn(ep, "?");
    static const char *const names[] = {"/blocking", "/non-blocking", "/offload"};
    for (size_t i = 0; i < 3; i++)
        if (strlen(names[i]) == len && memcmp(ep, names[i], len) == 0)
            return true;
    return false;
}

static bool has_delay_param(const char *ep)
{
    const char *q = strchr(ep, '?');
    while (q != NULL) {
        if (strncmp(q + 1, "delay=", 6) == 0)
            return true;
        q = strchr(q + 1, '&');
    }
    return false;
}

/* Seconds with up to 9 decimals, trailing zeros dropped: exact, and the daemon's syntax. */
static void format_seconds(int64_t ns, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%" PRId64 ".%09" PRId64, ns / AD_NS_PER_SEC, ns % AD_NS_PER_SEC);
    if (n <= 0 || (size_t)n >= size)
        return;
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
}

int ad_bench_endpoint_url(const ad_bench_opts_t *o, size_t i, char *buf, size_t size)
{
    if (i >= o->nendpoints)
        return snprintf(buf, size, "%s", "");
    const char *ep = o->endpoints[i];
    char auth[AD_CTL_URL_TEXT_MAX];
    ad_url_t host = o->base;
    snprintf(host.path, sizeof(host.path), "%s", "");
    ad_url_format(&host, auth, sizeof(auth)); /* "http://host:port" */
    /* base path is a prefix ("/" or "/proxy/"): join without doubling the slash */
    size_t plen = strlen(o->base.path);
    while (plen > 0 && o->base.path[plen - 1] == '/')
        plen--;
    char delay[40] = "";
    if (is_delay_endpoint(ep) && !has_delay_param(ep)) {
        char secs[32];
        format_seconds(o->delay_ns, secs, sizeof(secs));
        snprintf(delay, sizeof(delay), "%cdelay=%s", strchr(ep, '?') != NULL ? '&' : '?', secs);
    }
    return snprintf(buf, size, "%s%.*s%s%s", auth, (int)plen, o->base.path, ep, delay);
}

int ad_bench_engine_from_name(const char *s, ad_bench_engine_t *e)
{
    static const char *const names[] = {"auto", "curl", "h2o"};
    for (size_t i = 0; s != NULL && i < 3; i++) {
        if (strcmp(s, names[i]) == 0) {
            *e = (ad_bench_engine_t)i;
            return 0;
        }
    }
    return -1;
}

const char *ad_bench_engine_name(ad_bench_engine_t e)
{
    switch (e) {
    case AD_BENCH_ENGINE_AUTO:
        return "auto";
    case AD_BENCH_ENGINE_CURL:
        return "curl";
    case AD_BENCH_ENGINE_H2O:
        return "h2o";
    }
    return "?";
}

/* Applies one of bench's own flags (apart from the loop, so both stay short). */
static int bench_flag(void *opts, int id, const char *f, const char *v, unsigned seen, char *err, size_t errlen)
{
    ad_bench_opts_t *o = opts;
    switch (id) {
    case F_ENDPOINT:
        if ((seen & SEEN(F_ENDPOINT)) == 0)
            o->nendpoints = 0; /* the first --endpoint replaces the defaults */
        return parse_endpoint(f, v, o, err, errlen);
    case F_REQUESTS:
        o->requests_set = true;
        return parse_count(f, v, 1, UINT64_C(1000000000000), &o->requests, err, errlen);
    case F_CONCURRENCY:
        return parse_unsigned(f, v, 1, AD_CTL_CONCURRENCY_MAX, &o->concurrency, err, errlen);
    case F_DURATION:
        return parse_dur(f, v, false, &o->duration_ns, err, errlen);
    case F_RATE:
        return parse_rate(f, v, &o->rate, err, errlen);
    case F_NO_KEEPALIVE:
        o->keepalive = false;
        return 0;
    case F_WARMUP:
        return parse_dur(f, v, true, &o->warmup_ns, err, errlen);
    case F_DELAY:
        return parse_dur(f, v, true, &o->delay_ns, err, errlen);
    case F_THREADS:
        return parse_unsigned(f, v, 1, AD_CTL_THREADS_MAX, &o->threads, err, errlen);
    case F_ENGINE:
        o->engine_set = true;
        if (ad_bench_engine_from_name(v, &o->engine) != 0)
            return ad_ctl_fail(err, errlen, "%s: " VAL " is not one of auto, curl, h2o", f, v);
        return 0;
    }
    return NOT_HANDLED;
}

/* After all flags: endpoints from the URL's path, derived defaults, combinations. */
static int bench_finish(void *opts, unsigned seen, char *err, size_t errlen)
{
    ad_bench_opts_t *o = opts;
    bool url_set = (seen & SEEN(F_URL)) != 0, endpoints_set = (seen & SEEN(F_ENDPOINT)) != 0;
    bool has_path = strcmp(o->base.path, "/") != 0;
    if (url_set && has_path && !endpoints_set) {
        /* `bench --url http://h:8000/non-blocking?delay=0` benches that one URL */
        if (strlen(o->base.path) >= AD_CTL_ENDPOINT_MAX)
            return ad_ctl_fail(err, errlen, "--url: path too long (at most %d bytes)", AD_CTL_ENDPOINT_MAX - 1);
        memcpy(o->endpoints[0], o->base.path, strlen(o->base.path) + 1);
        o->nendpoints = 1;
        snprintf(o->base.path, sizeof(o->base.path), "/");
    } else if (url_set && endpoints_set && strchr(o->base.path, '?') != NULL) {
        return ad_ctl_fail(err, errlen, "--url: a URL with a query cannot be combined with --endpoint");
    }
    ad_url_format(&o->base, o->url, sizeof(o->url));
    if (o->duration_ns > 0 && !o->requests_set)
        o->requests = 0;
    if (o->engine == AD_BENCH_ENGINE_H2O && o->base.https)
        return ad_ctl_fail(err, errlen, "--engine h2o: speaks plain http only (curl or auto for https://)");
    return AD_CTL_PARSE_OK;
}

int ad_ctl_parse_bench(int argc, char **argv, ad_bench_opts_t *o, char *err, size_t errlen)
{
    ad_bench_opts_default(o);
    const subcommand_t sc = {.command = AD_CMD_BENCH,
                             .apply = bench_flag,
                             .finish = bench_finish,
                             .url_repeats = true,
                             SHARED_OPTS(o, base),
                             .timeout_set = &o->timeout_set,
                             .delay_ns = &o->delay_ns,
                             REPORT_OPTS(o)};
    return parse_subcommand(argc, argv, &sc, err, errlen);
}

/* ---- compare ---- */

static int compare_flag(void *opts, int id, const char *f, const char *v, unsigned seen, char *err, size_t errlen)
{
    ad_compare_opts_t *o = opts;
    (void)seen;
    switch (id) {
    case F_REQUESTS:
        return parse_count(f, v, 1, 1000000, &o->n, err, errlen);
    case F_MODES:
        return parse_modes(f, v, o, err, errlen);
    case F_MAX_PARALLEL:
        return parse_unsigned(f, v, 1, AD_CTL_CONCURRENCY_MAX, &o->max_parallel, err, errlen);
    }
    return NOT_HANDLED;
}

int ad_ctl_parse_compare(int argc, char **argv, ad_compare_opts_t *o, char *err, size_t errlen)
{
    ad_compare_opts_default(o);
    const subcommand_t sc = {.command = AD_CMD_COMPARE, .apply = compare_flag, SHARED_OPTS(o, target), REPORT_OPTS(o)};
    return parse_subcommand(argc, argv, &sc, err, errlen);
}

/* ---- stats ---- */

static int stats_flag(void *opts, int id, const char *f, const char *v, unsigned seen, char *err, size_t errlen)
{
    ad_stats_opts_t *o = opts;
    (void)seen;
    switch (id) {
    case F_WATCH:
        o->watch = true;
        return 0;
    case F_INTERVAL:
        if (parse_dur(f, v, false, &o->interval_ns, err, errlen) != 0)
            return AD_CTL_PARSE_ERROR;
        if (o->interval_ns < 10 * AD_NS_PER_MS)
            return ad_ctl_fail(err, errlen, "%s: '%.64s' is too short (at least 10ms)", f, v);
        return 0;
    }
    return NOT_HANDLED;
}

/* A base URL names the daemon: its document is at /stats. */
static int stats_url(void *opts, const char *f, const char *v, char *err, size_t errlen)
{
    ad_stats_opts_t *o = opts;
    (void)f;
    (void)v;
    (void)err;
    (void)errlen;
    if (strcmp(o->target.path, "/") == 0)
        snprintf(o->target.path, sizeof(o->target.path), "/stats");
    ad_url_format(&o->target, o->url, sizeof(o->url));
    return 0;
}

int ad_ctl_parse_stats(int argc, char **argv, ad_stats_opts_t *o, char *err, size_t errlen)
{
    ad_stats_opts_default(o);
    const subcommand_t sc = {
        .command = AD_CMD_STATS, .apply = stats_flag, .url_done = stats_url, SHARED_OPTS(o, target), .json = &o->json};
    return parse_subcommand(argc, argv, &sc, err, errlen);
}

/* ---- demo ---- */

static int demo_flag(void *opts, int id, const char *f, const char *v, unsigned seen, char *err, size_t errlen)
{
    ad_demo_opts_t *o = opts;
    (void)seen;
    switch (id) {
    case F_DELAY:
        return parse_dur(f, v, true, &o->delay_ns, err, errlen);
    case F_REQUESTS:
        return parse_count(f, v, 1, 100000, &o->n, err, errlen);
    }
    return NOT_HANDLED;
}

static int demo_url(void *opts, const char *f, const char *v, char *err, size_t errlen)
{
    const ad_demo_opts_t *o = opts;
    if (strchr(o->base.path, '?') != NULL)
        return ad_ctl_fail(err, errlen, "%s: '%.64s': the demo needs the daemon's base URL, without a query", f, v);
    return 0;
}

int ad_ctl_parse_demo(int argc, char **argv, ad_demo_opts_t *o, char *err, size_t errlen)
{
    ad_demo_opts_default(o);
    const subcommand_t sc = {.command = AD_CMD_DEMO,
                             .apply = demo_flag,
                             .url_done = demo_url,
                             SHARED_OPTS(o, base),
                             .delay_ns = &o->delay_ns,
                             .journal = &o->journal,
                             .no_progress = &o->no_progress,
                             .ascii = &o->ascii};
    return parse_subcommand(argc, argv, &sc, err, errlen);
}

/* The base URL's path as a prefix without its trailing slash ("" for "/"). */
static int prefix_len(const ad_url_t *u)
{
    size_t n = strlen(u->path);
    while (n > 0 && u->path[n - 1] == '/')
        n--;
    return (int)n;
}

void ad_demo_compare_opts(const ad_demo_opts_t *d, ad_compare_opts_t *c)
{
    char secs[32];
    ad_compare_opts_default(c);
    format_seconds(d->delay_ns, secs, sizeof(secs));
    c->target = d->base;
    snprintf(c->target.path, sizeof(c->target.path), "%.*s/delay/%s", prefix_len(&d->base), d->base.path, secs);
    ad_url_format(&c->target, c->url, sizeof(c->url));
    c->n = d->n;
    c->timeout_ns = d->timeout_ns;
    c->journal = d->journal;
    c->no_progress = d->no_progress;
    c->ascii = d->ascii;
    c->color = d->color;
}

void ad_demo_bench_opts(const ad_demo_opts_t *d, ad_bench_opts_t *b)
{
    ad_bench_opts_default(b);
    b->base = d->base;
    ad_url_format(&b->base, b->url, sizeof(b->url));
    b->requests = d->n;
    b->requests_set = true;
    b->concurrency = d->n > AD_CTL_CONCURRENCY_MAX ? AD_CTL_CONCURRENCY_MAX : (unsigned)d->n;
    b->delay_ns = d->delay_ns;
    b->timeout_ns = d->timeout_ns;
    b->timeout_set = true;
    b->journal = d->journal;
    b->no_progress = d->no_progress;
    b->ascii = d->ascii;
    b->color = d->color;
}

/* ---- usage ---- */

static const char usage_main[] =
    "Usage: asyncdemoctl COMMAND [OPTIONS]\n"
    "\n"
    "Measure what blocking an event loop costs, against asyncdemod.\n"
    "\n"
    "Commands:\n"
    "  bench     load-test endpoints; by default 5 concurrent requests each to /blocking,\n"
    "            /non-blocking and /offload, with a report and a timeline\n"
    "  compare   the same N requests made sequentially, async, with threads and with processes\n"
    "  stats     show the daemon's /stats\n"
    "  demo      the whole lesson: compare, then bench\n"
    "  help      this text; `asyncdemoctl COMMAND --help` describes a command\n"
    "\n"
    "  -h, --help     this text\n"
    "  -V, --version  print the version\n"
    "\n"
    "Exit status: 0 done; 1 the run finished but requests failed; 2 the daemon cannot be reached;\n"
    "64 bad flags or values; 70 internal error; 130 interrupted.\n";

static const char usage_bench[] =
    "Usage: asyncdemoctl bench [OPTIONS] [URL]\n"
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
    "                         the intended send time (corrected) and reported raw as well\n"
    "  -t, --timeout D        per-request timeout (default max(30s, 5 x delay + 10s))\n"
    "      --delay D          delay asked of /blocking, /non-blocking, /offload (default 2s)\n"
    "      --warmup D         send requests for D first, without counting them\n"
    "      --no-keepalive     a new connection per request\n"
    "      --threads N        engine threads (default: one per CPU, at most -c; max 64)\n"
    "      --engine E         auto (default: h2o for plain http without --rate, else curl),\n"
    "                         curl or h2o; $ASYNCDEMOCTL_ENGINE when not given\n"
    "      --json             write the JSON document (docs/bench-json.md) instead of the report\n"
    "  -o, --output FILE      write the report or JSON document to FILE\n"
    "      --journal          log results to the journal even outside systemd\n"
    "      --no-progress      no live progress line\n"
    "      --no-timeline      no timeline\n"
    "      --ascii            plain ASCII timeline and chart\n"
    "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
    "                         --no-color = never\n"
    "  -h, --help             this text\n"
    "\n"
    "Durations: 2, 0.5, 250ms, 10s, 1m.\n";

static const char usage_compare[] =
    "Usage: asyncdemoctl compare [OPTIONS] [URL]\n"
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
    "      --max-parallel N   threads and processes: at most N requests at once, the rest in\n"
    "                         waves (default 256, max 100000)\n"
    "      --json             write the JSON document instead of the report\n"
    "  -o, --output FILE      write it to FILE\n"
    "      --journal          log results to the journal even outside systemd\n"
    "      --no-progress      no live progress line\n"
    "      --no-timeline      no timeline\n"
    "      --ascii            plain ASCII timeline\n"
    "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
    "                         --no-color = never\n"
    "  -h, --help             this text\n";

static const char usage_stats[] =
    "Usage: asyncdemoctl stats [OPTIONS] [URL]\n"
    "\n"
    "Fetches the daemon's /stats and shows it readably. URL: the daemon's base URL or the /stats URL\n"
    "(default http://127.0.0.1:8000).\n"
    "\n"
    "  -u, --url URL          the URL (or give it as the argument)\n"
    "      --json             print the raw JSON document\n"
    "  -w, --watch            refresh every interval until interrupted\n"
    "  -i, --interval D       refresh interval with --watch (default 1s, at least 10ms)\n"
    "  -t, --timeout D        request timeout (default 5s)\n"
    "      --color [WHEN]     auto (default), always, never; WHEN left out = always;\n"
    "                         --no-color = never\n"
    "  -h, --help             this text\n";

static const char usage_demo[] =
    "Usage: asyncdemoctl demo [OPTIONS] [URL]\n"
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
    "  -h, --help             this text\n";

const char *ad_ctl_usage(ad_ctl_command_t cmd)
{
    switch (cmd) {
    case AD_CMD_BENCH:
        return usage_bench;
    case AD_CMD_COMPARE:
        return usage_compare;
    case AD_CMD_STATS:
        return usage_stats;
    case AD_CMD_DEMO:
        return usage_demo;
    case AD_CMD_NONE:
    case AD_CMD_HELP:
        break;
    }
    return usage_main;
}
