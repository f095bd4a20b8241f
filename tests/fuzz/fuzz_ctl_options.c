/*
 * libFuzzer target: ctl/options.c. The first byte picks the entry point, the rest is its input:
 *   0: a URL (ad_url_parse; what parses formats back to a URL that parses to the same parts)
 *   1-4: the arguments of bench, compare, stats or demo, separated by NULs (ad_ctl_parse_*); what parses
 *        has URLs that pass the same round trip, and bench's endpoint URLs are built.
 */
#include "fuzz.h"
#include "options.h"

static void check_err(const char *err, size_t errlen)
{
    AD_FUZZ_CHECK(memchr(err, '\0', errlen) != NULL && err[0] != '\0');
}

static void check_url(const ad_url_t *u)
{
    char text[AD_CTL_URL_TEXT_MAX], auth[AD_CTL_AUTHORITY_MAX], err[256];
    AD_FUZZ_CHECK(memchr(u->host, '\0', sizeof(u->host)) != NULL && u->host[0] != '\0');
    AD_FUZZ_CHECK(memchr(u->path, '\0', sizeof(u->path)) != NULL && u->path[0] == '/');
    AD_FUZZ_CHECK(u->port != 0);
    int n = ad_url_authority(u, auth, sizeof(auth));
    AD_FUZZ_CHECK(n > 0 && (size_t)n < sizeof(auth));
    n = ad_url_format(u, text, sizeof(text));
    AD_FUZZ_CHECK(n > 0 && (size_t)n < sizeof(text));
    ad_url_t back;
    if (ad_url_parse(text, &back, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: '%s' does not parse again: %s\n", text, err);
        abort();
    }
    AD_FUZZ_CHECK(back.https == u->https && back.ipv6 == u->ipv6 && back.port == u->port);
    AD_FUZZ_CHECK(strcmp(back.host, u->host) == 0 && strcmp(back.path, u->path) == 0);
}

static void fuzz_url(const uint8_t *data, size_t size)
{
    char *s = ad_fuzz_strndup(data, size);
    ad_url_t u;
    char err[256];
    if (ad_url_parse(s, &u, err, sizeof(err)) == 0)
        check_url(&u);
    else
        check_err(err, sizeof(err));
    free(s);
}

/* The request bench would send: one request line, header lines with no CR or LF inside them, one blank line,
 * then exactly the body. */
static void check_shape(const ad_request_shape_t *s)
{
    size_t len;
    char *req = ad_request_shape_http1(s, "/p", "h:1", "ua", &len);
    AD_FUZZ_CHECK(req != NULL);
    const char *end = strstr(req, "\r\n\r\n");
    AD_FUZZ_CHECK(end != NULL);
    size_t head = (size_t)(end - req) + 4;
    AD_FUZZ_CHECK(len == head + (s->body != NULL ? s->body_len : 0));
    for (const char *p = req; p < end; p++)
        if (*p == '\r' || *p == '\n')
            AD_FUZZ_CHECK(p[0] == '\r' ? p[1] == '\n' : p[-1] == '\r');
    AD_FUZZ_CHECK(memchr(req, '\0', head) == NULL);
    free(req);
}

static void check_bench(const ad_bench_opts_t *o)
{
    check_shape(&o->shape);
    AD_FUZZ_CHECK(o->h2 ? o->streams >= 1 && o->streams <= AD_CTL_STREAMS_MAX && o->keepalive : o->streams == 0);
    check_url(&o->base);
    AD_FUZZ_CHECK(o->nendpoints >= 1 && o->nendpoints <= AD_CTL_ENDPOINTS_MAX);
    AD_FUZZ_CHECK(o->concurrency >= 1 && o->concurrency <= AD_CTL_CONCURRENCY_MAX);
    AD_FUZZ_CHECK(o->threads <= AD_CTL_THREADS_MAX); /* 0: auto, resolved by bench from the CPU count */
    AD_FUZZ_CHECK(o->rate >= 0 && o->rate <= AD_CTL_RATE_MAX);
    AD_FUZZ_CHECK(o->timeout_ns > 0 && o->delay_ns >= 0 && o->duration_ns >= 0 && o->warmup_ns >= 0);
    for (size_t i = 0; i < o->nendpoints; i++) {
        char url[AD_CTL_URL_TEXT_MAX];
        ad_url_t u;
        AD_FUZZ_CHECK(memchr(o->endpoints[i], '\0', AD_CTL_ENDPOINT_MAX) != NULL);
        if (ad_bench_endpoint_target(o, i, &u) != 0)
            continue; /* base path and endpoint too long together: bench refuses it */
        AD_FUZZ_CHECK(u.path[0] == '/');
        int n = ad_url_format(&u, url, sizeof(url));
        AD_FUZZ_CHECK(n > 0 && (size_t)n < sizeof(url) && strlen(url) == (size_t)n);
    }
}

static void check_compare(const ad_compare_opts_t *o)
{
    check_url(&o->target);
    AD_FUZZ_CHECK(o->nmodes >= 1 && o->nmodes <= AD_MODE_COUNT);
    for (size_t i = 0; i < o->nmodes; i++)
        AD_FUZZ_CHECK(o->modes[i] < AD_MODE_COUNT && ad_compare_mode_name(o->modes[i]) != NULL);
    AD_FUZZ_CHECK(o->n >= 1 && o->timeout_ns > 0);
}

static void fuzz_command(int which, const uint8_t *data, size_t size)
{
    static const char *const names[] = {"bench", "compare", "stats", "demo"};
    ad_fuzz_argv_t a;
    char err[512];
    int rc;
    ad_fuzz_argv_split(&a, names[which], data, size);
    switch (which) {
    case 0: {
        ad_bench_opts_t *o = malloc(sizeof(*o));
        if (o == NULL)
            abort();
        if ((rc = ad_ctl_parse_bench(a.argc, a.argv, o, err, sizeof(err))) == AD_CTL_PARSE_OK)
            check_bench(o);
        free(o);
        break;
    }
    case 1: {
        ad_compare_opts_t o;
        if ((rc = ad_ctl_parse_compare(a.argc, a.argv, &o, err, sizeof(err))) == AD_CTL_PARSE_OK)
            check_compare(&o);
        break;
    }
    case 2: {
        ad_stats_opts_t o;
        if ((rc = ad_ctl_parse_stats(a.argc, a.argv, &o, err, sizeof(err))) == AD_CTL_PARSE_OK) {
            check_url(&o.target);
            AD_FUZZ_CHECK(o.interval_ns > 0 && o.timeout_ns > 0);
        }
        break;
    }
    default: {
        ad_demo_opts_t o;
        if ((rc = ad_ctl_parse_demo(a.argc, a.argv, &o, err, sizeof(err))) == AD_CTL_PARSE_OK) {
            check_url(&o.base);
            ad_compare_opts_t c;
            ad_bench_opts_t *b = malloc(sizeof(*b));
            if (b == NULL)
                abort();
            ad_demo_compare_opts(&o, &c);
            ad_demo_bench_opts(&o, b);
            check_compare(&c);
            check_bench(b);
            free(b);
        }
        break;
    }
    }
    AD_FUZZ_CHECK(rc == AD_CTL_PARSE_OK || rc == AD_CTL_PARSE_HELP || rc == AD_CTL_PARSE_ERROR);
    if (rc == AD_CTL_PARSE_ERROR)
        check_err(err, sizeof(err));
    ad_fuzz_argv_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % 5;
    if (which == 0)
        fuzz_url(data + 1, size - 1);
    else
        fuzz_command(which - 1, data + 1, size - 1);
    return 0;
}
