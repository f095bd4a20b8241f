#ifndef AD_TEST_CTL_FIXTURES_H
#define AD_TEST_CTL_FIXTURES_H
/*
 * Runs for the ctl renderer tests, built through ad_run_result_add like an engine would (fixed
 * numbers, so outputs are reproducible), and the golden-file comparison.
 * Include after cmocka.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

#define FX_MS INT64_C(1000000)
#define FX_US INT64_C(1000)
#define FX_S INT64_C(1000000000)

static inline ad_run_result_t *fx_new(const char *name, const char *url, unsigned concurrency)
{
    ad_run_result_t *r = malloc(sizeof(*r));
    assert_non_null(r);
    ad_url_t u;
    bool parsed = ad_url_parse(url, &u, NULL, 0) == 0; /* some fixtures name a run's URL "u" */
    ad_run_result_init(r, name, parsed ? &u : NULL);
    if (!parsed)
        snprintf(r->url, sizeof(r->url), "%s", url);
    r->concurrency = concurrency;
    r->start_wall_ns = INT64_C(1795541400123456789);
    return r;
}

static inline void fx_add(ad_run_result_t *r, int64_t intended, int64_t sent, int64_t done, int status,
                          ad_err_class_t err, int64_t server_wait, int64_t seq, pid_t pid)
{
    ad_request_record_t rec = {.index = (uint32_t)r->completed + 1,
                               .intended_ns = intended,
                               .sent_ns = sent,
                               .done_ns = done,
                               .status = status,
                               .error = err,
                               .pid = pid,
                               .server_seq = seq,
                               .server_wait_ns = server_wait};
    ad_run_result_add(r, &rec);
    if (done > r->elapsed_ns)
        r->elapsed_ns = done;
    if (status != 0)
        r->bytes_received += 310;
}

/* 5 concurrent /blocking: all sent at once, served one after another (a staircase); bench's h2o engine on
 * two loops. */
static inline ad_run_result_t *fx_blocking(void)
{
    ad_run_result_t *r = fx_new("/blocking", "http://127.0.0.1:8000/blocking?delay=2", 5);
    snprintf(r->engine, sizeof(r->engine), "h2o");
    r->loops = 2;
    for (int i = 0; i < 5; i++)
        fx_add(r, i * 200 * FX_US, i * 200 * FX_US, (i + 1) * (2 * FX_S + 1100 * FX_US), 200, AD_ERR_NONE,
               2 * FX_S + 300 * FX_US, i + 1, 0);
    return r;
}

/* 5 concurrent /non-blocking: overlapping (a block). */
static inline ad_run_result_t *fx_nonblocking(void)
{
    ad_run_result_t *r = fx_new("/non-blocking", "http://127.0.0.1:8000/non-blocking?delay=2", 5);
    for (int i = 0; i < 5; i++)
        fx_add(r, i * 200 * FX_US, i * 200 * FX_US, 2 * FX_S + 1200 * FX_US + i * 250 * FX_US, 200, AD_ERR_NONE,
               2 * FX_S + 100 * FX_US, 6 + i, 0);
    return r;
}

/* An open-model run at 200 req/s with a stall (late sends), a 503, a timeout and a refused connect. */
static inline ad_run_result_t *fx_open(void)
{
    ad_run_result_t *r = fx_new("/offload", "http://127.0.0.1:8000/offload?delay=0.01", 8);
    r->rate = 200;
    for (int i = 0; i < 40; i++) {
        int64_t intended = i * 5 * FX_MS;
        int64_t lag = i >= 20 && i < 26 ? (26 - i) * 5 * FX_MS : 50 * FX_US; /* the loop stalled 30 ms */
        int64_t took = 10 * FX_MS + (i % 7) * 300 * FX_US;
        int status = i == 33 ? 503 : 200;
        ad_err_class_t err = i == 33 ? AD_ERR_STATUS : AD_ERR_NONE;
        if (i == 37) {
            status = 0;
            err = AD_ERR_TIMEOUT;
            took = 100 * FX_MS;
        }
        if (i == 2) {
            status = 0;
            err = AD_ERR_CONNECT;
            took = 150 * FX_US;
        }
        fx_add(r, intended, intended + lag, intended + lag + took, status, err, status == 200 ? 10 * FX_MS : 0,
               status == 200 ? i + 100 : -1, 0);
    }
    snprintf(r->first_error, sizeof(r->first_error), "%s", "connect to 127.0.0.1:8000 failed: Connection refused");
    return r;
}

/* compare's modes against /delay/2: sequential is a staircase, the rest overlap. */
static inline ad_run_result_t *fx_mode(const char *mode)
{
    ad_run_result_t *r = fx_new(mode, "http://127.0.0.1:8000/delay/2", 5);
    for (int i = 0; i < 5; i++) {
        int64_t sent, done;
        pid_t pid = 0;
        if (strcmp(mode, "sequential") == 0) {
            sent = i * (2 * FX_S + 1500 * FX_US);
            done = sent + 2 * FX_S + 1400 * FX_US;
        } else if (strcmp(mode, "processes") == 0) {
            sent = (i + 1) * 1800 * FX_US; /* fork cost */
            done = sent + 2 * FX_S + 1300 * FX_US;
            pid = 4242 + i;
        } else {
            sent = i * 100 * FX_US;
            done = 2 * FX_S + 1600 * FX_US + i * 80 * FX_US;
        }
        fx_add(r, sent, sent, done, 200, AD_ERR_NONE, 2 * FX_S, -1, pid);
    }
    return r;
}

/* Compares actual with tests/unit/golden/<name> byte for byte; AD_UPDATE_GOLDEN=1 rewrites the file. */
static inline void fx_golden(const char *name, const char *actual)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", AD_GOLDEN_DIR, name);
    if (getenv("AD_UPDATE_GOLDEN") != NULL && strcmp(getenv("AD_UPDATE_GOLDEN"), "1") == 0) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fputs(actual, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
        return;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open golden file %s: %s (AD_UPDATE_GOLDEN=1 writes it)", path, strerror(errno));
    static char expected[1 << 17];
    size_t n = fread(expected, 1, sizeof(expected) - 1, f);
    fclose(f);
    expected[n] = '\0';
    if (strcmp(expected, actual) == 0)
        return;
    /* point at the first differing line */
    size_t line = 1, i = 0;
    while (expected[i] != '\0' && expected[i] == actual[i]) {
        line += expected[i] == '\n';
        i++;
    }
    size_t ls = i;
    while (ls > 0 && actual[ls - 1] != '\n')
        ls--;
    fail_msg("%s differs at line %zu:\n  expected: %.*s\n  actual:   %.*s", name, line,
             (int)strcspn(expected + ls, "\n"), expected + ls, (int)strcspn(actual + ls, "\n"), actual + ls);
}

/* Runs a renderer into a string (caller frees). */
#define FX_CAPTURE(buf, ...)                                                                                           \
    do {                                                                                                               \
        size_t fx_len_ = 0;                                                                                            \
        FILE *out = open_memstream(&(buf), &fx_len_);                                                                  \
        assert_non_null(out);                                                                                          \
        __VA_ARGS__;                                                                                                   \
        assert_int_equal(fclose(out), 0);                                                                              \
    } while (0)

#endif
