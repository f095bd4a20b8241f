/* The result model's bookkeeping: classifying and counting one finished request. */
#include "results.h"
#include "i18n.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ad_err_class_name(ad_err_class_t c)
{
    switch (c) {
    case AD_ERR_NONE:
        return N_("none");
    case AD_ERR_CONNECT:
        return N_("connect");
    case AD_ERR_TIMEOUT:
        return N_("timeout");
    case AD_ERR_READ:
        return N_("read");
    case AD_ERR_STATUS:
        return N_("status");
    case AD_ERR_OTHER:
    case AD_ERR_CLASS_COUNT:
        break;
    }
    return N_("other");
}

const char *ad_err_class_text(ad_err_class_t c)
{
    return _(ad_err_class_name(c));
}

const char *ad_protocol_name(ad_protocol_t p)
{
#define AD_X_PROTO(T, KEY, KIND, MEMBER, REQUIRED, LABEL, PROM) [AD_PROTO_##MEMBER] = LABEL,
    static const char *const names[AD_PROTO_COUNT] = {AD_STATS_PROTOCOLS(AD_X_PROTO, _)};
#undef AD_X_PROTO
    return (unsigned)p < AD_PROTO_COUNT ? names[p] : NULL;
}

/* A run's label of what several parts of it had (engine, protocol): the first one given, "mixed" once another
 * differs; "" (unknown) adds nothing. */
static void merge_label(char *dst, size_t size, const char *src)
{
    if (src == NULL || src[0] == '\0')
        return;
    if (dst[0] == '\0')
        snprintf(dst, size, "%s", src);
    else if (strcmp(dst, src) != 0)
        snprintf(dst, size, "mixed");
}

void ad_run_result_init(ad_run_result_t *r, const char *name, const ad_url_t *u)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", name != NULL ? name : "");
    if (u != NULL) {
        ad_url_format(u, r->url, sizeof(r->url));
        snprintf(r->path, sizeof(r->path), "%.*s", (int)strcspn(u->path, "?"), u->path);
    }
    ad_hist_init(&r->latency);
    ad_hist_init(&r->latency_raw);
}

void ad_run_result_init_like(ad_run_result_t *r, const ad_run_result_t *src)
{
    ad_run_result_init(r, src->name, NULL);
    memcpy(r->url, src->url, sizeof(r->url));
    memcpy(r->path, src->path, sizeof(r->path));
    ad_series_init(&r->series, src->series.interval_ns);
    r->ramped = src->ramped;
}

void ad_run_unique_name(const char *const *short_names, const char *const *long_names, size_t n, size_t i, char *buf,
                        size_t size)
{
    bool short_shared = false, long_shared = false;
    size_t k = 1; /* this run's place among the runs of the same long name */
    for (size_t j = 0; j < n; j++) {
        if (j == i)
            continue;
        short_shared = short_shared || strcmp(short_names[j], short_names[i]) == 0;
        if (strcmp(long_names[j], long_names[i]) == 0) {
            long_shared = true;
            k += j < i;
        }
    }
    if (!short_shared)
        snprintf(buf, size, "%s", short_names[i]);
    else if (!long_shared)
        snprintf(buf, size, "%s", long_names[i]);
    else
        snprintf(buf, size, "%s #%zu", long_names[i], k);
}

static void count_status(ad_run_result_t *r, int status)
{
    for (size_t i = 0; i < AD_STATUS_SLOTS; i++) {
        if (r->statuses[i].count == 0) {
            r->statuses[i].status = status;
            r->statuses[i].count = 1;
            return;
        }
        if (r->statuses[i].status == status) {
            r->statuses[i].count++;
            return;
        }
    }
    r->statuses_other++;
}

void ad_run_result_add(ad_run_result_t *r, const ad_request_record_t *rec)
{
    ad_err_class_t err = rec->error;
    if ((unsigned)err >= AD_ERR_CLASS_COUNT)
        err = AD_ERR_OTHER;
    /* A complete answer that is not 2xx is a status error even if the engine did not say so. */
    if (err == AD_ERR_NONE && (rec->status < 200 || rec->status > 299))
        err = rec->status == 0 ? AD_ERR_OTHER : AD_ERR_STATUS;

    r->completed++;
    if (r->sent < r->completed) /* engines that count sends themselves keep sent >= completed anyway */
        r->sent = r->completed;
    merge_label(r->protocol, sizeof(r->protocol), ad_protocol_name(rec->protocol));
    if (err == AD_ERR_NONE)
        r->ok++;
    else
        r->errors[err]++;
    if (rec->status != 0) {
        count_status(r, rec->status);
        /* Only answered requests have a latency; a refused connect or a timeout would skew it. */
        int64_t from = r->rate > 0 ? rec->intended_ns : rec->sent_ns;
        ad_hist_record(&r->latency, rec->done_ns - from);
        ad_hist_record(&r->latency_raw, rec->done_ns - rec->sent_ns);
    }
    int64_t latency = rec->status != 0 ? rec->done_ns - (r->rate > 0 ? rec->intended_ns : rec->sent_ns) : -1;
    ad_series_add(&r->series, r->rate > 0 ? rec->intended_ns : -1, rec->sent_ns, rec->done_ns, (unsigned)err,
                  latency < 0 && rec->status != 0 ? 0 : latency);
    if (r->nrecords < AD_RECORDS_MAX) {
        ad_request_record_t *dst = &r->records[r->nrecords++];
        *dst = *rec;
        dst->error = err;
    }
}

double ad_run_result_rps(const ad_run_result_t *r)
{
    if (r->elapsed_ns <= 0)
        return 0.0;
    return (double)r->completed * 1e9 / (double)r->elapsed_ns;
}

static int by_server_start(const void *a, const void *b)
{
    const ad_request_record_t *x = a, *y = b;
    if (x->server_start_ns != y->server_start_ns)
        return x->server_start_ns < y->server_start_ns ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int by_done(const void *a, const void *b)
{
    const ad_request_record_t *x = a, *y = b;
    if (x->done_ns != y->done_ns)
        return x->done_ns < y->done_ns ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

void ad_run_result_order(ad_run_result_t *r)
{
    bool all_started = true;
    for (uint32_t i = 0; i < r->nrecords && all_started; i++)
        all_started = r->records[i].server_start_ns > 0;
    qsort(r->records, r->nrecords, sizeof(r->records[0]), all_started ? by_server_start : by_done);
}

void ad_run_result_merge(ad_run_result_t *dst, const ad_run_result_t *src)
{
    dst->concurrency += src->concurrency;
    dst->rate += src->rate;
    dst->sent += src->sent;
    dst->completed += src->completed;
    dst->ok += src->ok;
    for (size_t i = 0; i < AD_ERR_CLASS_COUNT; i++)
        dst->errors[i] += src->errors[i];
    for (size_t i = 0; i < AD_STATUS_SLOTS && src->statuses[i].count > 0; i++) {
        size_t j = 0;
        while (j < AD_STATUS_SLOTS && dst->statuses[j].count > 0 && dst->statuses[j].status != src->statuses[i].status)
            j++;
        if (j == AD_STATUS_SLOTS) {
            dst->statuses_other += src->statuses[i].count;
            continue;
        }
        dst->statuses[j].status = src->statuses[i].status;
        dst->statuses[j].count += src->statuses[i].count;
    }
    dst->statuses_other += src->statuses_other;
    dst->bytes_received += src->bytes_received;
    ad_hist_merge(&dst->latency, &src->latency);
    ad_hist_merge(&dst->latency_raw, &src->latency_raw);
    if (src->elapsed_ns > dst->elapsed_ns)
        dst->elapsed_ns = src->elapsed_ns;
    if (dst->first_error[0] == '\0')
        memcpy(dst->first_error, src->first_error, sizeof(dst->first_error));
    dst->loops += src->loops;
    /* the first run merged in gives the figure; runs of different shapes have none */
    if (dst->engine[0] == '\0')
        dst->streams = src->streams;
    else if (dst->streams != src->streams)
        dst->streams = 0;
    dst->interrupted = dst->interrupted || src->interrupted;
    dst->ramped = dst->ramped || src->ramped;
    merge_label(dst->engine, sizeof(dst->engine), src->engine);
    merge_label(dst->protocol, sizeof(dst->protocol), src->protocol);
    dst->connections += src->connections;
    for (uint32_t i = 0; i < src->nrecords && dst->nrecords < AD_RECORDS_MAX; i++)
        dst->records[dst->nrecords++] = src->records[i];
    ad_series_merge(&dst->series, &src->series);
}
