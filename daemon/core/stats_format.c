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

/* ---- the sections of stats_doc.h, written field by field ---- */

typedef struct field {
    const char *key;    /* as /metrics labels it */
    const char *quoted; /* ",\"key\":", written as is (ad_jw_key_quoted): the keys are the table's identifiers */
    size_t quoted_len;
    ad_stats_kind_t kind;
    size_t offset;                                 /* in the section's struct (stats.h) */
    const char *prom_name, *prom_type, *prom_help; /* NULL: not a /metrics sample */
} field_t;

#define AD_PROM(name, type, help) name, #type, help
#define AD_NO_PROM NULL, NULL, NULL
#define FIELD(T, key, kind, member, required, label, prom)                                                             \
    {#key, AD_JW_QUOTED_KEY(#key), sizeof(AD_JW_QUOTED_KEY(#key)) - 1, AD_STATS_KIND_##kind, offsetof(T, member), prom},
static const field_t top_fields[] = {AD_STATS_TOP(FIELD, ad_stats_top_t)};
static const field_t config_fields[] = {AD_STATS_CONFIG(FIELD, ad_stats_config_t)};
static const field_t offload_fields[] = {AD_STATS_OFFLOAD(FIELD, ad_stats_offload_t)};
static const field_t connections_fields[] = {AD_STATS_CONNECTIONS(FIELD, ad_stats_connections_t)};
static const field_t closed_fields[] = {AD_STATS_CLOSED(FIELD, ad_stats_closed_t)};
static const field_t bodies_fields[] = {AD_STATS_REQUEST_BODIES(FIELD, ad_stats_request_bodies_t)};
static const field_t protocols_fields[] = {AD_STATS_PROTOCOLS(FIELD, ad_stats_protocols_t)};
static const field_t tls_fields[] = {AD_STATS_TLS(FIELD, ad_stats_tls_t)};
static const field_t tls_versions_fields[] = {AD_STATS_TLS_VERSIONS(FIELD, ad_stats_tls_versions_t)};
static const field_t loop_fields[] = {AD_STATS_LOOP(FIELD, ad_stats_loop_view_t)};
static const field_t endpoint_fields[] = {AD_STATS_ENDPOINT(FIELD, ad_endpoint_totals_t)};
static const field_t latency_fields[] = {AD_STATS_LATENCY(FIELD, ad_stats_latency_t)};
#undef FIELD
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static int64_t i64_at(const void *base, size_t offset)
{
    int64_t v;
    memcpy(&v, (const char *)base + offset, sizeof(v));
    return v;
}

static uint64_t u64_at(const void *base, size_t offset)
{
    uint64_t v;
    memcpy(&v, (const char *)base + offset, sizeof(v));
    return v;
}

static const char *str_at(const void *base, size_t offset)
{
    const char *v;
    memcpy(&v, (const char *)base + offset, sizeof(v));
    return v;
}

/* The members of one section as JSON members of the object open in w. */
static void write_fields(ad_jw_t *w, const void *section, const field_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++, f++) {
        ad_jw_key_quoted(w, f->quoted, f->quoted_len);
        switch (f->kind) {
        case AD_STATS_KIND_STR:
        case AD_STATS_KIND_STR_OR_NULL:
            ad_jw_cstr(w, str_at(section, f->offset));
            break;
        case AD_STATS_KIND_UTC:
        case AD_STATS_KIND_UTC_OR_NULL: {
            int64_t wall = i64_at(section, f->offset);
            if (f->kind == AD_STATS_KIND_UTC_OR_NULL && wall == 0)
                ad_jw_null(w);
            else
                ad_jw_utc(w, wall, WALL_DECIMALS);
            break;
        }
        case AD_STATS_KIND_COUNT:
            ad_jw_uint(w, u64_at(section, f->offset));
            break;
        case AD_STATS_KIND_GAUGE:
            ad_jw_int(w, i64_at(section, f->offset));
            break;
        default: { /* every kind of seconds */
            int64_t ns = i64_at(section, f->offset);
            bool fine = ns != 0 && ns > -SECONDS_FINE_BELOW_NS && ns < SECONDS_FINE_BELOW_NS;
            ad_jw_seconds(w, ns, fine ? SECONDS_DECIMALS_FINE : SECONDS_DECIMALS);
            break;
        }
        }
    }
}

/* {section's members} */
static void write_object(ad_jw_t *w, const void *section, const field_t *f, size_t n)
{
    ad_jw_object_begin(w);
    write_fields(w, section, f, n);
    ad_jw_object_end(w);
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

/* The config object changes only on a reload: kept encoded per loop thread, keyed by the whole section. */
typedef struct config_memo {
    bool valid;
    ad_stats_config_t key;
    size_t len;
    char text[512];
} config_memo_t;

static __thread config_memo_t config_memo;

static void format_config(const ad_stats_config_t *config, ad_jw_t *w)
{
    config_memo_t *m = &config_memo;
    ad_jw_key(w, "config");
    if (m->valid && memcmp(&m->key, config, sizeof(*config)) == 0) {
        ad_jw_raw(w, m->text, m->len);
        return;
    }
    size_t start = w->len;
    write_object(w, config, config_fields, NFIELDS(config_fields));
    m->valid = keep_encoded(w, start, m->text, sizeof(m->text), &m->len);
    if (m->valid)
        m->key = *config;
}

/* The loop section from the merged loop figures: the culprit by name, the wall time only after a stall; the
 * utilisation since start over every loop thread's wall time. */
static void loop_view(const ad_loop_stats_t *l, const ad_stats_snapshot_t *snap, ad_stats_loop_view_t *v)
{
    bool known = l->longest_stall_endpoint >= 0 && l->longest_stall_endpoint < AD_EP_COUNT;
    *v = (ad_stats_loop_view_t){
        .lag_ns = l->lag_ns,
        .ticks = l->ticks,
        .stalls = l->stalls,
        .stalled_total_ns = l->stalled_total_ns,
        .longest_stall_ns = l->longest_stall_ns,
        .longest_stall_endpoint = known ? ad_endpoint_name((ad_endpoint_t)l->longest_stall_endpoint) : NULL,
        .longest_stall_wall_ns = l->stalls > 0 && l->longest_stall_wall_ns > 0 ? l->longest_stall_wall_ns : 0,
        .cpu_ns = l->cpu_ns,
        .utilisation_pct = l->utilisation_pct,
        .utilisation_since_start_pct =
            ad_utilisation_percent(l->cpu_ns, snap->info.top.uptime_ns * (int64_t)snap->nshards),
    };
}

static const double percents[] = {
#define AD_X(member, percent) percent,
    AD_STATS_PERCENTILES(AD_X)
#undef AD_X
};
#define NPS (sizeof(percents) / sizeof(percents[0]))

static int format_latency(const ad_stats_snapshot_t *snap, ad_endpoint_t ep, ad_jw_t *w)
{
    hist_set_t set;
    ad_hist_summary_t sum;
    int64_t pv[NPS];

    if (hist_set_init(&set, snap, ep) != 0)
        return -1;
    ad_hist_summarize(set.hs, set.n, &sum);
    ad_hist_percentiles(set.hs, set.n, percents, NPS, pv);
    hist_set_dispose(&set);

    ad_stats_latency_t lat = {.min_ns = sum.min, .mean_ns = mean_ns(&sum), .max_ns = sum.max};
    size_t i = 0;
#define AD_X(member, percent) lat.member = sum.count ? pv[i++] : 0;
    AD_STATS_PERCENTILES(AD_X)
#undef AD_X
    ad_jw_key(w, "latency_seconds");
    write_object(w, &lat, latency_fields, NFIELDS(latency_fields));
    return 0;
}

static int encode_endpoint(const ad_stats_snapshot_t *snap, ad_endpoint_t ep, const ad_endpoint_totals_t *t, ad_jw_t *w)
{
    ad_jw_object_begin(w);
    write_fields(w, t, endpoint_fields, NFIELDS(endpoint_fields));
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
    ad_stats_connections_t conn;
    ad_stats_closed_t closed;
    ad_stats_request_bodies_t bodies;
    ad_stats_protocols_t protocols;
    ad_stats_tls_t tls;
    ad_stats_tls_versions_t versions;
    ad_loop_stats_t loop;
    ad_stats_loop_view_t lv;

    ad_stats_connections(snap, &conn, &closed, &bodies);
    ad_stats_protocols_tls(snap, &protocols, &tls, &versions);
    ad_stats_loop_totals(snap, &loop);
    loop_view(&loop, snap, &lv);
    ad_jw_object_begin(w);
    write_fields(w, &info->top, top_fields, NFIELDS(top_fields));
    format_config(&info->config, w);
    ad_jw_key(w, "offload");
    write_object(w, &info->offload, offload_fields, NFIELDS(offload_fields));
    ad_jw_key(w, "connections");
    ad_jw_object_begin(w);
    write_fields(w, &conn, connections_fields, NFIELDS(connections_fields));
    ad_jw_key(w, "closed");
    write_object(w, &closed, closed_fields, NFIELDS(closed_fields));
    ad_jw_key(w, "protocols");
    write_object(w, &protocols, protocols_fields, NFIELDS(protocols_fields));
    ad_jw_object_end(w);
    ad_jw_key(w, "tls");
    ad_jw_object_begin(w);
    write_fields(w, &tls, tls_fields, NFIELDS(tls_fields));
    ad_jw_key(w, "versions");
    write_object(w, &versions, tls_versions_fields, NFIELDS(tls_versions_fields));
    ad_jw_object_end(w);
    ad_jw_key(w, "request_bodies");
    write_object(w, &bodies, bodies_fields, NFIELDS(bodies_fields));
    ad_jw_key(w, "loop");
    write_object(w, &lv, loop_fields, NFIELDS(loop_fields));

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

/* A label value: backslash, double quote and newline escaped as the format requires. */
static void put_label_value(ad_buf_t *b, const char *s)
{
    ad_buf_put(b, "\"", 1);
    for (const char *run = s;; s++) {
        if (*s != '\0' && *s != '\\' && *s != '"' && *s != '\n')
            continue;
        ad_buf_put(b, run, (size_t)(s - run));
        if (*s == '\0')
            break;
        ad_buf_put(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
        run = s + 1;
    }
    ad_buf_put(b, "\"", 1);
}

static void family(ad_buf_t *b, const char *name, const char *type, const char *help)
{
    ad_buf_puts(b, "# HELP ");
    ad_buf_puts(b, name);
    ad_buf_put(b, " ", 1);
    ad_buf_puts(b, help);
    ad_buf_puts(b, "\n# TYPE ");
    ad_buf_puts(b, name);
    ad_buf_put(b, " ", 1);
    ad_buf_puts(b, type);
    ad_buf_put(b, "\n", 1);
}

/* name{endpoint="/x" without the closing brace, so callers can add labels. */
static void sample_ep(ad_buf_t *b, const char *name, ad_endpoint_t ep)
{
    ad_buf_puts(b, name);
    ad_buf_puts(b, "{endpoint=");
    put_label_value(b, ad_endpoint_name(ep));
}

/* "} N\n": closes the labels and writes the value. */
static void end_u64(ad_buf_t *b, uint64_t v)
{
    ad_buf_put(b, "} ", 2);
    ad_buf_u64(b, v);
    ad_buf_put(b, "\n", 1);
}

/* A field's value as a Prometheus sample value. */
static void put_value(ad_buf_t *b, const void *section, const field_t *f)
{
    if (f->kind == AD_STATS_KIND_COUNT)
        ad_buf_u64(b, u64_at(section, f->offset));
    else if (f->kind == AD_STATS_KIND_GAUGE)
        ad_buf_i64(b, i64_at(section, f->offset));
    else
        ad_buf_seconds_exact(b, i64_at(section, f->offset));
}

/* The per-endpoint counters that have a family, one family each, then the responses by status class. */
static void prom_endpoint_counters(ad_buf_t *b, const ad_endpoint_totals_t *tot)
{
    for (size_t i = 0; i < NFIELDS(endpoint_fields); i++) {
        const field_t *f = &endpoint_fields[i];
        if (f->prom_name == NULL)
            continue;
        family(b, f->prom_name, f->prom_type, f->prom_help);
        for (int ep = 0; ep < AD_EP_COUNT; ep++) {
            sample_ep(b, f->prom_name, (ad_endpoint_t)ep);
            ad_buf_put(b, "} ", 2);
            put_value(b, &tot[ep], f);
            ad_buf_put(b, "\n", 1);
        }
    }
    family(b, "asyncdemo_responses_total", "counter", "Error responses by endpoint and status class.");
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        sample_ep(b, "asyncdemo_responses_total", (ad_endpoint_t)ep);
        ad_buf_puts(b, ",class=\"4xx\"");
        end_u64(b, tot[ep].status_4xx);
        sample_ep(b, "asyncdemo_responses_total", (ad_endpoint_t)ep);
        ad_buf_puts(b, ",class=\"5xx\"");
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
    ad_stats_connections_t conn;
    ad_stats_closed_t closed;
    ad_stats_request_bodies_t bodies;
    ad_stats_protocols_t protocols;
    ad_stats_tls_t tls;
    ad_stats_tls_versions_t versions;
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
    ad_stats_connections(&snap, &v->conn, &v->closed, &v->bodies);
    ad_stats_protocols_tls(&snap, &v->protocols, &v->tls, &v->versions);
}

/* to += v, member by member: every member of these sections is a 64-bit count or gauge. */
static void add_words(void *to, const void *v, size_t size)
{
    for (size_t off = 0; off + sizeof(int64_t) <= size; off += sizeof(int64_t)) {
        int64_t a, b;
        memcpy(&a, (char *)to + off, sizeof(a));
        memcpy(&b, (const char *)v + off, sizeof(b));
        a = (int64_t)((uint64_t)a + (uint64_t)b);
        memcpy((char *)to + off, &a, sizeof(a));
    }
}

static void prom_view_add(prom_view_t *to, const prom_view_t *v)
{
    add_words(to->tot, v->tot, sizeof(to->tot));
    add_words(to->samples, v->samples, sizeof(to->samples));
    add_words(to->le_bins, v->le_bins, sizeof(to->le_bins));
    add_words(&to->conn, &v->conn, sizeof(to->conn));
    add_words(&to->closed, &v->closed, sizeof(to->closed));
    add_words(&to->bodies, &v->bodies, sizeof(to->bodies));
    add_words(&to->protocols, &v->protocols, sizeof(to->protocols));
    add_words(&to->tls, &v->tls, sizeof(to->tls));
    add_words(&to->versions, &v->versions, sizeof(to->versions));
    for (int ep = 0; ep < AD_EP_COUNT; ep++)
        to->sum_ns[ep] += v->sum_ns[ep];
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

static void prom_histogram(ad_buf_t *b, const prom_view_t *v)
{
    family(b, "asyncdemo_request_duration_seconds", "histogram",
           "Time from a request's arrival at the handler to its answer, completed requests.");
    for (int ep = 0; ep < AD_EP_COUNT; ep++) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < AD_STATS_NLE; i++) {
            cumulative += v->le_bins[ep][i];
            sample_ep(b, "asyncdemo_request_duration_seconds_bucket", (ad_endpoint_t)ep);
            ad_buf_puts(b, ",le=\"");
            ad_buf_seconds_exact(b, ad_stats_le_ns[i]);
            ad_buf_put(b, "\"", 1);
            end_u64(b, cumulative);
        }
        sample_ep(b, "asyncdemo_request_duration_seconds_bucket", (ad_endpoint_t)ep);
        ad_buf_puts(b, ",le=\"+Inf\"");
        end_u64(b, v->samples[ep]);
        sample_ep(b, "asyncdemo_request_duration_seconds_sum", (ad_endpoint_t)ep);
        ad_buf_put(b, "} ", 2);
        ad_buf_seconds_exact(b, (int64_t)llround(v->sum_ns[ep]));
        ad_buf_put(b, "\n", 1);
        sample_ep(b, "asyncdemo_request_duration_seconds_count", (ad_endpoint_t)ep);
        end_u64(b, v->samples[ep]);
    }
}

/* The fields of a section that have a family: one unlabelled sample each. */
static void prom_section(ad_buf_t *b, const void *section, const field_t *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const field_t *f = &fields[i];
        if (f->prom_name == NULL)
            continue;
        family(b, f->prom_name, f->prom_type, f->prom_help);
        ad_buf_puts(b, f->prom_name);
        ad_buf_put(b, " ", 1);
        put_value(b, section, f);
        ad_buf_put(b, "\n", 1);
    }
}

/* A section of counts as one family, each field's key the value of one label. */
static void prom_labelled(ad_buf_t *b, const char *name, const char *help, const char *label, const void *section,
                          const field_t *fields, size_t n)
{
    family(b, name, "counter", help);
    for (size_t i = 0; i < n; i++) {
        ad_buf_puts(b, name);
        ad_buf_put(b, "{", 1);
        ad_buf_puts(b, label);
        ad_buf_put(b, "=", 1);
        put_label_value(b, fields[i].key);
        end_u64(b, u64_at(section, fields[i].offset));
    }
}

static void prom_process(ad_buf_t *b, const ad_stats_snapshot_t *snap, const prom_view_t *v)
{
    const ad_stats_info_t *info = &snap->info;
    ad_loop_stats_t loop;
    ad_stats_loop_view_t lv;

    family(b, "asyncdemo_build_info", "gauge", "Always 1; the version as a label.");
    ad_buf_puts(b, "asyncdemo_build_info{version=");
    put_label_value(b, info->top.version ? info->top.version : "");
    ad_buf_puts(b, "} 1\n");
    prom_section(b, &info->top, top_fields, NFIELDS(top_fields));
    ad_stats_loop_totals(snap, &loop);
    loop_view(&loop, snap, &lv);
    prom_section(b, &lv, loop_fields, NFIELDS(loop_fields));
    prom_section(b, &v->conn, connections_fields, NFIELDS(connections_fields));
    prom_labelled(b, "asyncdemo_connections_closed_total", "Client connections the daemon closed itself, by reason.",
                  "reason", &v->closed, closed_fields, NFIELDS(closed_fields));
    prom_labelled(b, "asyncdemo_connections_by_protocol_total",
                  "Client connections by the protocol of their first request (h2c: HTTP/2 over cleartext).", "protocol",
                  &v->protocols, protocols_fields, NFIELDS(protocols_fields));
    prom_section(b, &v->tls, tls_fields, NFIELDS(tls_fields));
    prom_labelled(b, "asyncdemo_tls_connections_total", "Completed TLS handshakes by TLS version.", "version",
                  &v->versions, tls_versions_fields, NFIELDS(tls_versions_fields));
    prom_section(b, &v->bodies, bodies_fields, NFIELDS(bodies_fields));
    prom_section(b, &info->offload, offload_fields, NFIELDS(offload_fields));
}

int ad_stats_format_prometheus(const ad_stats_snapshot_t *snap, ad_buf_t *b)
{
    prom_view_t view; /* one consistent state per shard, so counters and histograms agree */

    prom_view_read(snap, &view);
    ad_buf_reserve(b, 24576);
    prom_process(b, snap, &view);
    prom_endpoint_counters(b, view.tot);
    prom_histogram(b, &view);
    return b->failed ? -1 : 0;
}
