#include "stats_format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/*
 * Seconds keep the histogram's resolution (1/128 of a value: three significant digits): six decimals
 * (microseconds) give at least four from 1 ms up; below that nine (nanoseconds), so a sub-microsecond
 * latency or lag reads 0.000000450, not 0.
 */
#define SECONDS_DECIMALS 6
#define SECONDS_DECIMALS_FINE 9
#define SECONDS_FINE_BELOW_NS AD_NS_PER_MS
#define WALL_DECIMALS 3
#define STACK_SHARDS 64 /* threads are at most 64; more shards fall back to malloc */

/* The latency histograms of one endpoint across shards, without copying them. */
typedef struct hist_set {
    const ad_histogram_t *stack[STACK_SHARDS];
    const ad_histogram_t **hs;
    size_t n;
} hist_set_t;

static int hist_set_init(hist_set_t *set, const ad_stats_snapshot_t *snap, ad_endpoint_t ep)
{
    set->n = snap->nshards;
    set->hs = set->stack;
    if (set->n > STACK_SHARDS && (set->hs = malloc(set->n * sizeof(*set->hs))) == NULL)
        return -1;
    for (size_t i = 0; i < set->n; i++)
        set->hs[i] = &snap->shards[i]->ep[ep].latency;
    return 0;
}

static void hist_set_dispose(hist_set_t *set)
{
    if (set->hs != set->stack)
        free(set->hs);
}

static int64_t mean_ns(const ad_hist_summary_t *s)
{
    return s->count ? (int64_t)llround(s->sum / (double)s->count) : 0;
}

/* ---- /stats ---- */

static void key_seconds(ad_jw_t *w, const char *key, int64_t ns)
{
    bool fine = ns != 0 && ns > -SECONDS_FINE_BELOW_NS && ns < SECONDS_FINE_BELOW_NS;
    ad_jw_key(w, key);
    ad_jw_seconds(w, ns, fine ? SECONDS_DECIMALS_FINE : SECONDS_DECIMALS);
}

static void key_uint(ad_jw_t *w, const char *key, uint64_t v)
{
    ad_jw_key(w, key);
    ad_jw_uint(w, v);
}

static void key_int(ad_jw_t *w, const char *key, int64_t v)
{
    ad_jw_key(w, key);
    ad_jw_int(w, v);
}

/* Keeps what w got since start in text (cap bytes at most): false when w failed or it does not fit. */
static bool keep_encoded(const ad_jw_t *w, size_t start, char *text, size_t cap, size_t *len)
{
    size_t n = w->len - start;
    if (ad_jw_failed(w) || n > cap)
        return false;
    memcpy(text, w->buf + start, n);
    *len = n;
    return true;
}

/* The config object changes only on a reload: kept encoded per loop thread, keyed by its values. */
typedef struct config_memo {
    bool valid;
    int64_t key[12];
    size_t len;
    char text[512];
} config_memo_t;

static __thread config_memo_t config_memo;

static void encode_config(const ad_stats_info_t *info, ad_jw_t *w)
{
    ad_jw_object_begin(w);
    key_seconds(w, "max_delay_seconds", info->max_delay_ns);
    key_seconds(w, "default_delay_seconds", info->default_delay_ns);
    key_uint(w, "pool_size", info->pool_size);
    key_uint(w, "pool_queue", info->pool_queue);
    key_seconds(w, "stall_threshold_seconds", info->stall_threshold_ns);
    key_seconds(w, "watchdog_seconds", info->watchdog_ns);
    key_uint(w, "max_connections", info->max_connections);
    key_uint(w, "max_waiting", info->max_waiting);
    key_seconds(w, "header_timeout_seconds", info->header_timeout_ns);
    key_seconds(w, "idle_timeout_seconds", info->idle_timeout_ns);
    key_seconds(w, "send_timeout_seconds", info->send_timeout_ns);
    key_uint(w, "max_body_bytes", info->max_body);
    ad_jw_object_end(w);
}

static void format_config(const ad_stats_info_t *info, ad_jw_t *w)
{
    config_memo_t *m = &config_memo;
    const int64_t key[12] = {
        info->max_delay_ns,       info->default_delay_ns, (int64_t)info->pool_size,       (int64_t)info->pool_queue,
        info->stall_threshold_ns, info->watchdog_ns,      (int64_t)info->max_connections, (int64_t)info->max_waiting,
        info->header_timeout_ns,  info->idle_timeout_ns,  info->send_timeout_ns,          (int64_t)info->max_body};
    ad_jw_key(w, "config");
    if (m->valid && memcmp(m->key, key, sizeof(key)) == 0) {
        ad_jw_raw(w, m->text, m->len);
    } else {
        size_t start = w->len;
        encode_config(info, w);
        m->valid = keep_encoded(w, start, m->text, sizeof(m->text), &m->len);
        if (m->valid)
            memcpy(m->key, key, sizeof(key));
    }

    ad_jw_key(w, "offload");
    ad_jw_object_begin(w);
    key_uint(w, "busy", info->pool_busy);
    key_uint(w, "queued", info->pool_queued);
    ad_jw_object_end(w);
}

static void format_loop(const ad_stats_snapshot_t *snap, ad_jw_t *w)
{
    ad_loop_stats_t loop;
    int64_t open;
    uint64_t total;

    ad_stats_connection_totals(snap, &open, &total);
    ad_jw_key(w, "connections");
    ad_jw_object_begin(w);
    key_int(w, "open", open);
    key_uint(w, "total", total);
    key_uint(w, "refused", ad_stats_connections_refused(snap));
    ad_jw_key(w, "closed");
    ad_jw_object_begin(w);
    for (int r = 0; r < AD_CLOSE_COUNT; r++)
        key_uint(w, ad_close_reason_name((ad_close_reason_t)r),
                 ad_stats_connections_closed(snap, (ad_close_reason_t)r));
    ad_jw_object_end(w);
    ad_jw_object_end(w);

    ad_jw_key(w, "request_bodies");
    ad_jw_object_begin(w);
    key_uint(w, "refused", ad_stats_bodies_refused(snap));
    ad_jw_object_end(w);

    ad_stats_loop_totals(snap, &loop);
    ad_jw_key(w, "loop");
    ad_jw_object_begin(w);
    key_seconds(w, "lag_seconds", loop.lag_ns);
    key_uint(w, "ticks", loop.ticks);
    key_uint(w, "stalls", loop.stalls);
    key_seconds(w, "stalled_seconds", loop.stalled_total_ns);
    key_seconds(w, "longest_stall_seconds", loop.longest_stall_ns);
    ad_jw_key(w, "longest_stall_endpoint");
    if (loop.longest_stall_endpoint >= 0 && loop.longest_stall_endpoint < AD_EP_COUNT)
        ad_jw_cstr(w, ad_endpoint_name((ad_endpoint_t)loop.longest_stall_endpoint));
    else
        ad_jw_null(w);
    ad_jw_key(w, "longest_stall_wall");
    if (loop.stalls > 0 && loop.longest_stall_wall_ns > 0)
        ad_jw_utc(w, loop.longest_stall_wall_ns, WALL_DECIMALS);
    else
        ad_jw_null(w);
    ad_jw_object_end(w);
}

static const double json_ps[] = {50, 90, 99, 99.9};
static const char *const json_pkeys[] = {"p50", "p90", "p99", "p99_9"};
#define NPS (sizeof(json_ps) / sizeof(json_ps[0]))

static int format_latency(const ad_stats_snapshot_t *snap, ad_endpoint_t ep, ad_jw_t *w)
{
    hist_set_t set;
    ad_hist_summary_t sum;
    int64_t pv[NPS];

    if (hist_set_init(&set, snap, ep) != 0)
        return -1;
    ad_hist_summarize(set.hs, set.n, &sum);
    ad_hist_percentiles(set.hs, set.n, json_ps, NPS, pv);
    hist_set_dispose(&set);

    ad_jw_key(w, "latency_seconds");
    ad_jw_object_begin(w);
    key_seconds(w, "min", sum.min);
    key_seconds(w, "mean", mean_ns(&sum));
    key_seconds(w, "max", sum.max);
    for (size_t i = 0; i < NPS; i++)
        key_seconds(w, json_pkeys[i], sum.count ? pv[i] : 0);
    ad_jw_object_end(w);
    return 0;
}

static int encode_endpoint(const ad_stats_snapshot_t *snap, ad_endpoint_t ep, const ad_endpoint_totals_t *t, ad_jw_t *w)
{
    ad_jw_object_begin(w);
    key_uint(w, "requests", t->requests);
    key_int(w, "in_flight", t->in_flight);
    key_int(w, "peak_in_flight", t->peak_in_flight);
    key_uint(w, "completed", t->completed);
    key_uint(w, "cancelled", t->cancelled);
    key_uint(w, "status_4xx", t->status_4xx);
    key_uint(w, "status_5xx", t->status_5xx);
    int rc = format_latency(snap, ep, w);
    ad_jw_object_end(w);
    return rc;
}

/*
 * Per loop thread, the last encoded object of each endpoint. Under a /stats load only /stats itself
 * changes between calls; the other endpoints' objects (and their percentile scans, the costly part)
 * are reused while nothing they show has changed. The key is exact: the same shards (by id), the same
 * counters, and the same number of latency samples (each shard's count only grows, and a histogram
 * changes only with its count).
 */
#define MEMO_MAX_SHARDS 64
#define MEMO_TEXT 704

typedef struct ep_memo {
    bool valid;
    ad_endpoint_totals_t totals;
    uint64_t samples;
    size_t len;
    char text[MEMO_TEXT];
} ep_memo_t;

typedef struct json_memo {
    size_t nshards;
    uint64_t ids[MEMO_MAX_SHARDS];
    ep_memo_t ep[AD_EP_COUNT];
} json_memo_t;

static __thread json_memo_t memo;

/* Points the memo at this snapshot's shards; false when they cannot be keyed (then nothing is reused). */
static bool memo_bind(const ad_stats_snapshot_t *snap)
{
    if (snap->nshards > MEMO_MAX_SHARDS)
        return false;
    bool same = memo.nshards == snap->nshards;
    for (size_t i = 0; i < snap->nshards; i++) {
        uint64_t id = snap->shards[i]->id;
        if (id == 0) /* not made by ad_stats_shard_init */
            return false;
        same = same && memo.ids[i] == id;
        memo.ids[i] = id;
    }
    if (!same) {
        for (size_t ep = 0; ep < AD_EP_COUNT; ep++)
            memo.ep[ep].valid = false;
        memo.nshards = snap->nshards;
    }
    return true;
}

static uint64_t sample_count(const ad_stats_snapshot_t *snap, ad_endpoint_t ep)
{
    uint64_t n = 0;
    for (size_t i = 0; i < snap->nshards; i++)
        n += __atomic_load_n(&snap->shards[i]->ep[ep].latency.count, __ATOMIC_RELAXED);
    return n;
}

static int format_endpoint(const ad_stats_snapshot_t *snap, ad_endpoint_t ep, bool use_memo, ad_jw_t *w)
{
    ad_endpoint_totals_t t;
    ep_memo_t *m = &memo.ep[ep];
    uint64_t samples = sample_count(snap, ep);

    ad_stats_endpoint_totals(snap, ep, &t);
    ad_jw_key(w, ad_endpoint_name(ep));
    if (use_memo && m->valid && m->samples == samples && memcmp(&m->totals, &t, sizeof(t)) == 0) {
        ad_jw_raw(w, m->text, m->len);
        return 0;
    }
    size_t start = w->len;
    if (encode_endpoint(snap, ep, &t, w) != 0 || ad_jw_failed(w))
        return -1;
    m->valid = use_memo && keep_encoded(w, start, m->text, sizeof(m->text), &m->len);
    if (m->valid) {
        m->totals = t;
        m->samples = samples;
    }
    return 0;
}

int ad_stats_format_json(const ad_stats_snapshot_t *snap, ad_jw_t *w)
{
    const ad_stats_info_t *info = &snap->info;

    ad_jw_object_begin(w);
    ad_jw_key(w, "version");
    ad_jw_cstr(w, info->version);
    key_int(w, "pid", info->pid);
    key_uint(w, "threads", info->threads);
    key_seconds(w, "uptime_seconds", info->uptime_ns);
    ad_jw_key(w, "started_wall");
    ad_jw_utc(w, info->started_wall_ns, WALL_DECIMALS);
    format_config(info, w);
    format_loop(snap, w);

    bool use_memo = memo_bind(snap);
    ad_jw_key(w, "endpoints");
    ad_jw_object_begin(w);
    for (int ep = 0; ep < AD_EP_COUNT; ep++)
        if (format_endpoint(snap, (ad_endpoint_t)ep, use_memo, w) != 0)
            return -1;
    ad_jw_object_end(w);
    ad_jw_object_end(w);
    return ad_jw_failed(w) ? -1 : 0;
}

/* ---- /metrics: Prometheus text format 0.0.4 ---- */

typedef struct text_buf {
    char *buf;
    size_t len, cap;
    bool failed;
} text_buf_t;

static bool reserve(text_buf_t *b, size_t more)
{
    if (b->failed)
        return false;
    if (more < b->cap - b->len)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap <= b->len + more)
        cap *= 2;
    char *p = realloc(b->buf, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->buf = p;
    b->cap = cap;
    return true;
}

static void put(text_buf_t *b, const char *s, size_t len)
{
    if (!reserve(b, len))
        return;
    memcpy(b->buf + b->len, s, len);
    b->len += len;
    b->buf[b->len] = '\0';
}

static void put_str(text_buf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_u64(text_buf_t *b, uint64_t v)
{
    char tmp[20];
    size_t n = sizeof(tmp);
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(b, tmp + n, sizeof(tmp) - n);
}

static void put_i64(text_buf_t *b, int64_t v)
{
    if (v < 0)
        put(b, "-", 1);
    put_u64(b, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

/* ns as seconds, exact and short: "2.000134", "0.001", "0", "-1.5". */
static void put_seconds(text_buf_t *b, int64_t ns)
{
    uint64_t abs = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns, frac = abs % 1000000000u;
    if (ns < 0)
        put(b, "-", 1);
    put_u64(b, abs / 1000000000u);
    if (frac == 0)
        return;
    char digits[10] = {'.'};
    size_t n = 10;
    for (size_t i = 9; i >= 1; i--, frac /= 10)
        digits[i] = (char)('0' + frac % 10);
    while (digits[n - 1] == '0')
        n--;
    put(b, digits, n);
}

/* A label value: backslash, double quote and newline escaped as the format requires. */
static void put_label_value(text_buf_t *b, const char *s)
{
    put(b, "\"", 1);
    for (const char *run = s;; s++) {
        if (*s != '\0' && *s != '\\' && *s != '"' && *s != '\n')
            continue;
        put(b, run, (size_t)(s - run));
        if (*s == '\0')
            break;
        put(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
        run = s + 1;
    }
    put(b, "\"", 1);
}

static void family(text_buf_t *b, const char *name, const char *type, const char *help)
{
    put_str(b, "# HELP ");
    put_str(b, name);
    put(b, " ", 1);
    put_str(b, help);
    put_str(b, "\n# TYPE ");
    put_str(b, name);
    put(b, " ", 1);
    put_str(b, type);
    put(b, "\n", 1);
}

/* name{endpoint="/x" without the closing brace, so callers can add labels. */
static void sample_ep(text_buf_t *b, const char *name, ad_endpoint_t ep)
{
    put_str(b, name);
    put_str(b, "{endpoint=");
    put_label_value(b, ad_endpoint_name(ep));
}

/* "} N\n": closes the labels and writes the value. */
static void end_u64(text_buf_t *b, uint64_t v)
{
    put(b, "} ", 2);
    put_u64(b, v);
    put(b, "\n", 1);
}

typedef enum { F_REQUESTS, F_COMPLETED, F_CANCELLED, F_IN_FLIGHT, F_PEAK } ep_field_t;

static const struct {
    const char *name, *type, *help;
    ep_field_t field;
} ep_families[] = {
    {"asyncdemo_requests_total", "counter", "Requests that arrived, by endpoint.", F_REQUESTS},
    {"asyncdemo_requests_completed_total", "counter", "Requests answered (any status), by endpoint.", F_COMPLETED},
    {"asyncdemo_requests_cancelled_total", "counter", "Requests whose client went away before the answer.",
     F_CANCELLED},
    {"asyncdemo_requests_in_flight", "gauge", "Requests arrived and not yet answered.", F_IN_FLIGHT},
    {"asyncdemo_requests_in_flight_peak", "gauge", "Most requests in flight at once (sum of per-thread peaks).",
     F_PEAK},
};

static int64_t ep_field(const ad_endpoint_totals_t *t, ep_field_t f)
{
    switch (f) {
    case F_REQUESTS:
        return (int64_t)t->requests;
    case F_COMPLETED:
        return (int64_t)t->completed;
    case F_CANCELLED:
        return (int64_t)t->cancelled;
    case F_IN_FLIGHT:
        return t->in_flight;
    case F_PEAK:
        return t->peak_in_flight;
    }
    return 0;
}

static void prom_endpoint_counters(text_buf_t *b, const ad_endpoint_totals_t *tot)
{
    for (size_t f = 0; f < sizeof(ep_families) / sizeof(ep_families[0]); f++) {
        family(b, ep_families[f].name, ep_families[f].type, ep_families[f].help);
        for (int ep = 0; ep < AD_EP_COUNT; ep++) {
            sample_ep(b, ep_families[f].name, (ad_endpoint_t)ep);
            put(b, "} ", 2);
            put_i64(b, ep_field(&tot[ep], ep_families[f].field));
            put(b, "\n", 1);
        }
    }
    family(b, "asyncdemo_responses_total", "counter", "Error responses by endpoint and status class.");
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        sample_ep(b, "asyncdemo_responses_total", (ad_endpoint_t)ep);
        put_str(b, ",class=\"4xx\"");
        end_u64(b, tot[ep].status_4xx);
        sample_ep(b, "asyncdemo_responses_total", (ad_endpoint_t)ep);
        put_str(b, ",class=\"5xx\"");
        end_u64(b, tot[ep].status_5xx);
    }
}

/* ---- one consistent view of every shard for /metrics ---- */

/* What /metrics shows, summed over shards, each shard read in one consistent state (stats.h). */
typedef struct prom_view {
    ad_endpoint_totals_t tot[AD_EP_COUNT];
    uint64_t samples[AD_EP_COUNT];
    double sum_ns[AD_EP_COUNT];
    uint64_t le_bins[AD_EP_COUNT][AD_STATS_NLE + 1];
    int64_t open;
    uint64_t total, refused, closed[AD_CLOSE_COUNT];
} prom_view_t;

static void read_shard(const ad_stats_shard_t *shard, void *arg)
{
    prom_view_t *v = arg;
    const ad_stats_shard_t *one[1] = {shard};
    ad_stats_snapshot_t snap = {.shards = one, .nshards = 1};
    memset(v, 0, sizeof(*v));
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        const ad_endpoint_stats_t *e = &shard->ep[ep];
        ad_stats_endpoint_totals(&snap, (ad_endpoint_t)ep, &v->tot[ep]);
        v->samples[ep] = __atomic_load_n(&e->latency.count, __ATOMIC_RELAXED);
        __atomic_load(&e->latency.sum, &v->sum_ns[ep], __ATOMIC_RELAXED);
        for (size_t i = 0; i <= AD_STATS_NLE; i++)
            v->le_bins[ep][i] = __atomic_load_n(&e->le_bins[i], __ATOMIC_RELAXED);
    }
    ad_stats_connection_totals(&snap, &v->open, &v->total);
    v->refused = ad_stats_connections_refused(&snap);
    for (int r = 0; r < AD_CLOSE_COUNT; r++)
        v->closed[r] = ad_stats_connections_closed(&snap, (ad_close_reason_t)r);
}

static void prom_view_add(prom_view_t *to, const prom_view_t *v)
{
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        ad_endpoint_totals_t *t = &to->tot[ep];
        const ad_endpoint_totals_t *f = &v->tot[ep];
        t->requests += f->requests;
        t->completed += f->completed;
        t->cancelled += f->cancelled;
        t->status_4xx += f->status_4xx;
        t->status_5xx += f->status_5xx;
        t->in_flight += f->in_flight;
        t->peak_in_flight += f->peak_in_flight;
        to->samples[ep] += v->samples[ep];
        to->sum_ns[ep] += v->sum_ns[ep];
        for (size_t i = 0; i <= AD_STATS_NLE; i++)
            to->le_bins[ep][i] += v->le_bins[ep][i];
    }
    to->open += v->open;
    to->total += v->total;
    to->refused += v->refused;
    for (int r = 0; r < AD_CLOSE_COUNT; r++)
        to->closed[r] += v->closed[r];
}

static void prom_view_read(const ad_stats_snapshot_t *snap, prom_view_t *view)
{
    prom_view_t part;
    memset(view, 0, sizeof(*view));
    for (size_t i = 0; i < snap->nshards; i++) {
        ad_stats_shard_read_consistent(snap->shards[i], read_shard, &part);
        prom_view_add(view, &part);
    }
}

static void prom_histogram(text_buf_t *b, const prom_view_t *v)
{
    family(b, "asyncdemo_request_duration_seconds", "histogram",
           "Time from a request's arrival at the handler to its answer, completed requests.");
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < AD_STATS_NLE; i++) {
            cumulative += v->le_bins[ep][i];
            sample_ep(b, "asyncdemo_request_duration_seconds_bucket", (ad_endpoint_t)ep);
            put_str(b, ",le=\"");
            put_seconds(b, ad_stats_le_ns[i]);
            put(b, "\"", 1);
            end_u64(b, cumulative);
        }
        sample_ep(b, "asyncdemo_request_duration_seconds_bucket", (ad_endpoint_t)ep);
        put_str(b, ",le=\"+Inf\"");
        end_u64(b, v->samples[ep]);
        sample_ep(b, "asyncdemo_request_duration_seconds_sum", (ad_endpoint_t)ep);
        put(b, "} ", 2);
        put_seconds(b, (int64_t)llround(v->sum_ns[ep]));
        put(b, "\n", 1);
        sample_ep(b, "asyncdemo_request_duration_seconds_count", (ad_endpoint_t)ep);
        end_u64(b, v->samples[ep]);
    }
}

static void scalar_seconds(text_buf_t *b, const char *name, const char *type, const char *help, int64_t ns)
{
    family(b, name, type, help);
    put_str(b, name);
    put(b, " ", 1);
    put_seconds(b, ns);
    put(b, "\n", 1);
}

static void scalar_int(text_buf_t *b, const char *name, const char *type, const char *help, int64_t v)
{
    family(b, name, type, help);
    put_str(b, name);
    put(b, " ", 1);
    put_i64(b, v);
    put(b, "\n", 1);
}

static void prom_process(text_buf_t *b, const ad_stats_snapshot_t *snap, const prom_view_t *v)
{
    const ad_stats_info_t *info = &snap->info;
    ad_loop_stats_t loop;

    family(b, "asyncdemo_build_info", "gauge", "Always 1; the version as a label.");
    put_str(b, "asyncdemo_build_info{version=");
    put_label_value(b, info->version ? info->version : "");
    put_str(b, "} 1\n");
    scalar_seconds(b, "asyncdemo_uptime_seconds", "gauge", "Seconds since the daemon started.", info->uptime_ns);

    ad_stats_loop_totals(snap, &loop);
    scalar_seconds(b, "asyncdemo_loop_lag_seconds", "gauge", "Lateness of the last loop probe tick (max over threads).",
                   loop.lag_ns);
    scalar_int(b, "asyncdemo_loop_ticks_total", "counter", "Loop probe ticks.", (int64_t)loop.ticks);
    scalar_int(b, "asyncdemo_loop_stalls_total", "counter", "Probe ticks later than the stall threshold.",
               (int64_t)loop.stalls);
    scalar_seconds(b, "asyncdemo_loop_stalled_seconds_total", "counter", "Sum of the stalled ticks' lateness.",
                   loop.stalled_total_ns);
    scalar_seconds(b, "asyncdemo_loop_longest_stall_seconds", "gauge", "Longest loop stall seen.",
                   loop.longest_stall_ns);

    scalar_int(b, "asyncdemo_connections_open", "gauge", "Client connections open now.", v->open);
    scalar_int(b, "asyncdemo_connections_total", "counter", "Client connections accepted.", (int64_t)v->total);
    scalar_int(b, "asyncdemo_connections_refused_total", "counter",
               "Client connections refused with 503 because max-connections were open.", (int64_t)v->refused);
    family(b, "asyncdemo_connections_closed_total", "counter",
           "Client connections the daemon closed itself, by reason.");
    for (int r = 0; r < AD_CLOSE_COUNT; r++) {
        put_str(b, "asyncdemo_connections_closed_total{reason=");
        put_label_value(b, ad_close_reason_name((ad_close_reason_t)r));
        end_u64(b, v->closed[r]);
    }
    scalar_int(b, "asyncdemo_request_bodies_refused_total", "counter",
               "Request bodies answered 413: over max-body, or sent to an endpoint that takes none.",
               (int64_t)ad_stats_bodies_refused(snap));
    scalar_int(b, "asyncdemo_offload_busy", "gauge", "/offload workers sleeping now.", info->pool_busy);
    scalar_int(b, "asyncdemo_offload_queued", "gauge", "/offload jobs waiting for a worker.", info->pool_queued);
}

char *ad_stats_format_prometheus(const ad_stats_snapshot_t *snap, size_t *len)
{
    text_buf_t b = {NULL, 0, 0, false};
    prom_view_t view; /* one consistent state per shard, so counters and histograms agree */

    prom_view_read(snap, &view);
    reserve(&b, 24576);
    prom_process(&b, snap, &view);
    prom_endpoint_counters(&b, view.tot);
    prom_histogram(&b, &view);
    if (b.failed) {
        free(b.buf);
        return NULL;
    }
    if (len != NULL)
        *len = b.len;
    return b.buf;
}
