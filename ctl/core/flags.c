/* The flag table, its scanner and the subcommands' shared loop (see flags.h). */
#include "flags.h"
#include "i18n.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "fail.h"
#include "duration.h"

#define VAL AD_FLAG_VAL

int ad_flag_count(const char *flag, const char *v, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    uint64_t n = 0;
    if (*v == '\0')
        return ad_fail(err, errlen, _("%s: needs a whole number, got an empty value"), flag);
    for (const char *p = v; *p != '\0'; p++) {
        if (!isdigit((unsigned char)*p))
            return ad_fail(err, errlen, _("%s: '%.64s' is not a whole number"), flag, v);
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return ad_fail(err, errlen, _("%s: '%.64s' is too large (at most %llu)"), flag, v, (unsigned long long)max);
        n = n * 10 + d;
    }
    if (n < min || n > max)
        return ad_fail(err, errlen, _("%s: '%.64s' is out of range (%llu to %llu)"), flag, v, (unsigned long long)min,
                       (unsigned long long)max);
    *out = n;
    return 0;
}

int ad_flag_unsigned(const char *flag, const char *v, unsigned min, unsigned max, unsigned *out, char *err,
                     size_t errlen)
{
    uint64_t n;
    if (ad_flag_count(flag, v, min, max, &n, err, errlen) != 0)
        return AD_CTL_PARSE_ERROR;
    *out = (unsigned)n;
    return 0;
}

int ad_flag_duration(const char *flag, const char *v, bool allow_zero, int64_t *out, char *err, size_t errlen)
{
    int64_t ns = 0;
    ad_duration_status_t st = ad_duration_parse(v, strlen(v), &ns);
    if (st != AD_DURATION_OK)
        return ad_fail(err, errlen, _("%s: '%.64s' %s"), flag, v, ad_duration_strerror(st));
    if (ns == 0 && !allow_zero)
        return ad_fail(err, errlen, _("%s: '%.64s' must be greater than zero"), flag, v);
    *out = ns;
    return 0;
}

int ad_flag_rate(const char *flag, const char *v, double *out, char *err, size_t errlen)
{
    double r;
    if (ad_parse_decimal(v, strlen(v), &r) != 0)
        return ad_fail(err, errlen, _("%s: '%.64s' is not a number of requests per second"), flag, v);
    if (!(r > 0) || r > AD_CTL_RATE_MAX)
        return ad_fail(err, errlen, _("%s: '%.64s' is out of range (more than 0, at most %.0f)"), flag, v,
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
    return ad_fail(err, errlen, _("%s: '%.64s' is not one of auto, always, never"), flag, v);
}

static int parse_url_value(const char *flag, const char *v, ad_url_t *u, char *canon, size_t canonlen, char *err,
                           size_t errlen)
{
    char why[160];
    if (ad_url_parse(v, u, why, sizeof(why)) != 0)
        return ad_fail(err, errlen, _("%s: '%.64s' is not a valid URL: %s"), flag, v, why);
    if (ad_url_format(u, canon, canonlen) >= (int)canonlen)
        return ad_fail(err, errlen, _("%s: '%.64s' is too long"), flag, v);
    return 0;
}

/* ---- the scanner ---- */

/*
 * TAKES_OPTIONAL: `--flag=value`, or `--flag value` when value is one the flag's is_value accepts (so a
 * following URL or flag is never taken for it), or `--flag` alone.
 */
typedef enum { TAKES_NONE, TAKES_VALUE, TAKES_OPTIONAL } takes_t;

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
    {"help", 'h', TAKES_NONE, F_HELP, ALL | REPORT, NULL},
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
    {"json", 0, TAKES_NONE, F_JSON, BENCH | COMPARE | STATS | REPORT, NULL},
    {"output", 'o', TAKES_VALUE, F_OUTPUT, BENCH | COMPARE | REPORT, NULL},
    {"journal", 0, TAKES_NONE, F_JOURNAL, BENCH | COMPARE | DEMO, NULL},
    {"no-progress", 0, TAKES_NONE, F_NO_PROGRESS, BENCH | COMPARE | DEMO, NULL},
    {"threads", 0, TAKES_VALUE, F_THREADS, BENCH, NULL},
    {"engine", 0, TAKES_VALUE, F_ENGINE, BENCH, NULL},
    {"method", 'X', TAKES_VALUE, F_METHOD, BENCH, NULL},
    {"header", 'H', TAKES_VALUE, F_HEADER, BENCH, NULL},
    {"body", 0, TAKES_VALUE, F_BODY, BENCH, NULL},
    {"body-file", 0, TAKES_VALUE, F_BODY_FILE, BENCH, NULL},
    {"content-type", 0, TAKES_VALUE, F_CONTENT_TYPE, BENCH, NULL},
    {"cacert", 0, TAKES_VALUE, F_CACERT, BENCH | COMPARE | STATS, NULL},
    {"insecure", 'k', TAKES_NONE, F_INSECURE, BENCH | COMPARE | STATS, NULL},
    {"h2", 0, TAKES_NONE, F_H2, BENCH | COMPARE, NULL},
    {"streams", 'm', TAKES_VALUE, F_STREAMS, BENCH, NULL},
    {"ascii", 0, TAKES_NONE, F_ASCII, BENCH | COMPARE | DEMO | REPORT, NULL},
    {"no-timeline", 0, TAKES_NONE, F_NO_TIMELINE, BENCH | COMPARE | REPORT, NULL},
    {"watch", 'w', TAKES_NONE, F_WATCH, STATS, NULL},
    {"interval", 'i', TAKES_VALUE, F_INTERVAL, BENCH | STATS, NULL},
    {"fail-if", 0, TAKES_VALUE, F_FAIL_IF, BENCH | REPORT, NULL},
    {"shard", 0, TAKES_VALUE, F_SHARD, BENCH, NULL},
    {"html", 0, TAKES_VALUE, F_HTML, BENCH | REPORT, NULL},
    {"start-at", 0, TAKES_VALUE, F_START_AT, BENCH, NULL},
    {"color", 0, TAKES_OPTIONAL, F_COLOR, ALL | REPORT, is_color_word},
    {"no-color", 0, TAKES_NONE, F_NO_COLOR, ALL | REPORT, NULL},
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
            return ad_fail(err, errlen, _("unknown option '%s'"), s->shown);
        if (eq != NULL) {
            if (f->takes == TAKES_NONE)
                return ad_fail(err, errlen, _("%s: takes no value"), s->shown);
            inline_value = eq + 1;
        }
    } else {
        f = find_short(s->command, a[1]);
        snprintf(s->shown, sizeof(s->shown), "-%c", a[1]);
        if (f == NULL)
            return ad_fail(err, errlen, _("unknown option '%s'"), s->shown);
        if (a[2] != '\0') {
            if (f->takes != TAKES_VALUE)
                return ad_fail(err, errlen, _("%s: takes no value (got '%.60s')"), s->shown, a + 2);
            inline_value = a + 2;
        }
    }
    if (f->takes == TAKES_VALUE && inline_value == NULL) {
        if (s->i >= s->argc || s->argv[s->i] == NULL)
            return ad_fail(err, errlen, _("%s: needs a value"), s->shown);
        inline_value = s->argv[s->i++];
    } else if (f->takes == TAKES_OPTIONAL && inline_value == NULL && !s->only_positional && s->i < s->argc &&
               s->argv[s->i] != NULL && f->is_value(s->argv[s->i])) {
        inline_value = s->argv[s->i++];
    }
    *value = inline_value;
    return f->id;
}

/* ---- the subcommands' shared loop ---- */

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
        return ad_flag_duration(f, v, false, sc->timeout_ns, err, errlen);
    case F_OUTPUT:
        return sc->output != NULL ? ad_flag_file(f, v, true, sc->output, err, errlen) : NOT_HANDLED;
    case F_CACERT:
        if (*v == '\0')
            return ad_fail(err, errlen, _("%s: needs a file name"), f);
        sc->tls->cacert = v;
        return 0;
    case F_INSECURE:
        sc->tls->insecure = true;
        return 0;
    case F_COLOR:
        return parse_color(f, v, sc->color, err, errlen);
    case F_NO_COLOR:
        *sc->color = AD_COLOR_NEVER;
        return 0;
    }
    return NOT_HANDLED;
}

static int apply_flag(const subcommand_t *sc, int id, const char *f, const char *v, ad_flags_seen_t seen, char *err,
                      size_t errlen)
{
    int rc = shared_flag(sc, id, f, v, err, errlen);
    if (rc == NOT_HANDLED)
        rc = sc->apply(sc->opts, id, f, v, seen, err, errlen);
    if (rc == NOT_HANDLED)
        return ad_fail(err, errlen, _("%s: not handled"), f);
    return rc;
}

int ad_flags_parse(int argc, char **argv, const subcommand_t *sc, char *err, size_t errlen)
{
    scan_t s = {.argc = argc, .argv = argv, .i = 1, .command = 1u << sc->command};
    ad_flags_seen_t seen = 0;
    const char *v;
    int id;
    while ((id = scan_next(&s, &v, err, errlen)) != SCAN_END) {
        if (id == AD_CTL_PARSE_ERROR)
            return AD_CTL_PARSE_ERROR;
        if (id == F_HELP)
            return AD_CTL_PARSE_HELP;
        if (id == SCAN_POSITIONAL && sc->positional != NULL) {
            if (sc->positional(sc->opts, v, err, errlen) != 0)
                return AD_CTL_PARSE_ERROR;
            continue;
        }
        if (id == SCAN_POSITIONAL) {
            if (sc->url_repeats && (seen & SEEN(F_URL)) != 0)
                return ad_fail(err, errlen, _("unexpected argument '%.64s' (the URL is already given)"), v);
            id = F_URL;
            snprintf(s.shown, sizeof(s.shown), "URL");
        }
        if (id == F_URL && !sc->url_repeats && (seen & SEEN(F_URL)) != 0)
            return ad_fail(err, errlen, _("%s: '%.64s': the URL is already given"), s.shown, v);
        if (apply_flag(sc, id, s.shown, v, seen, err, errlen) != 0)
            return AD_CTL_PARSE_ERROR;
        seen |= SEEN(id);
    }
    if (sc->finish != NULL && sc->finish(sc->opts, seen, err, errlen) != AD_CTL_PARSE_OK)
        return AD_CTL_PARSE_ERROR;
    return AD_CTL_PARSE_OK;
}

int ad_flag_fail_if(const char *flag, const char *v, ad_threshold_t *t, size_t *n, char *err, size_t errlen)
{
    char why[256];
    if (*n == AD_THRESHOLDS_MAX)
        return ad_fail(err, errlen, _("%s: at most %d thresholds"), flag, AD_THRESHOLDS_MAX);
    if (ad_threshold_parse(v, &t[*n], why, sizeof(why)) != 0)
        return ad_fail(err, errlen, "%s: %s", flag, why);
    (*n)++;
    return 0;
}

int ad_flag_file(const char *flag, const char *v, bool stdout_ok, char *out, char *err, size_t errlen)
{
    if (*v == '\0' || (!stdout_ok && strcmp(v, "-") == 0))
        return ad_fail(err, errlen, _("%s: needs a file name"), flag);
    if (strlen(v) >= AD_CTL_PATH_MAX)
        return ad_fail(err, errlen, _("%s: file name too long"), flag);
    memcpy(out, v, strlen(v) + 1);
    return 0;
}
