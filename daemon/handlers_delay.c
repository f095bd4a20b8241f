/*
 * The delay endpoints: /non-blocking and /delay/{n} (a timer on the loop), /blocking (nanosleep on the
 * loop thread: the lesson), /offload (the worker pool). A waiting request keeps its state in its own
 * pool (h2o_mem_alloc_shared), so when h2o disposes the request because the client left, the dispose
 * callback takes the timer, the disconnect watch and the pool job back and counts it cancelled.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "delay_json.h"
#include "delay_param.h"
#include "duration.h"
#include "handlers.h"
#include "input_compact.h"
#include "log.h"
#include "query.h"
#include "loop_monitor.h"

typedef struct ad_wait {
    ad_exchange_t x; /* the request, its endpoint and arrival */
    ad_timer_t timer;
    int64_t wall0; /* arrival, CLOCK_REALTIME */
    int64_t delay_ns;
    uint64_t sequence;
    int watch_fd;          /* HTTP/1 connection watched for a disconnect, -1 */
    ad_offload_job_t *job; /* /offload while the pool holds it */
    bool done;             /* answered or cancelled: nothing left for dispose to undo */
    bool admitted;         /* holds one of max-waiting's places until wait_end */
} ad_wait_t;

/* ---- refusing ------------------------------------------------------------------------------------ */

static int answer_bad_delay(ad_exchange_t *x, const ad_delay_param_t *p)
{
    char allowed[48], max[32], what[160];
    ad_duration_format(atomic_load_explicit(&x->loop->server->live.max_delay_ns, memory_order_relaxed), max,
                       sizeof(max));
    snprintf(allowed, sizeof(allowed), "0 to %s", max);
    snprintf(what, sizeof(what), "bad %s: %s", p->param, p->what);
    ad_jw_t *w = ad_answer_error(x, 400, what);
    ad_jw_key(w, "parameter");
    ad_jw_cstr(w, p->param);
    ad_jw_key(w, "value");
    ad_jw_string(w, p->value, p->value_len);
    ad_jw_key(w, "allowed");
    ad_jw_cstr(w, allowed);
    return 400;
}

static int answer_refused(ad_exchange_t *x, unsigned retry_after, const char *what)
{
    char ra[16];
    int n = snprintf(ra, sizeof(ra), "%u", retry_after);
    ad_answer_header(x, H2O_TOKEN_RETRY_AFTER, ra, (size_t)n);
    ad_jw_t *w = ad_answer_error(x, 503, what);
    ad_jw_key(w, "retry_after_seconds");
    ad_jw_uint(w, retry_after);
    return 503;
}

/* ---- answering ----------------------------------------------------------------------------------- */

static void fill_result(ad_delay_result_t *r, const ad_wait_t *w, int64_t now, const char *worker)
{
    *r = (ad_delay_result_t){
        .endpoint = ad_endpoint_name(w->x.ep),
        .requested_ns = w->delay_ns,
        .started_mono_ns = w->x.t0,
        .finished_mono_ns = now,
        .started_wall_ns = w->wall0,
        .sequence = w->sequence,
        .pid = (long)w->x.loop->server->pid,
        .thread = w->x.loop->name,
        .worker = worker,
    };
}

/* Collects /delay/{n}'s args, headers, origin and url from the request into its pool. */
static void httpbin_input(h2o_req_t *req, ad_httpbin_request_t *in);

static void answer_ok(ad_wait_t *w, const char *worker)
{
    ad_delay_result_t r;
    fill_result(&r, w, ad_mono_ns(), worker);
    ad_jw_t *jw = ad_answer_json(&w->x);
    if (w->x.arg != NULL) { /* /delay/{n}: httpbin's answer */
        ad_httpbin_request_t in;
        httpbin_input(w->x.req, &in);
        ad_httpbin_json(jw, &in, &r);
    } else {
        ad_delay_json(jw, &r);
    }
    ad_answer_send(&w->x, 200);
}

/* ---- the wait's life ------------------------------------------------------------------------------- */

static void on_wait_timer(ad_timer_t *timer);
static void on_wait_dispose(void *p);

static ad_wait_t *wait_begin(ad_exchange_t *x, int64_t delay_ns)
{
    ad_server_t *s = x->loop->server;
    ad_wait_t *w = h2o_mem_alloc_shared(&x->req->pool, sizeof(*w), on_wait_dispose);
    *w = (ad_wait_t){
        .x = *x,
        .wall0 = ad_wall_ns(),
        .delay_ns = delay_ns,
        .sequence = atomic_fetch_add_explicit(&s->sequence, 1, memory_order_relaxed) + 1,
        .watch_fd = -1,
    };
    ad_timer_init(&w->timer, on_wait_timer);
    ad_answer_hold(&w->x);
    ad_server_wait_begin(s);
    return w;
}

/* The wait is over (answered or cancelled): take back everything it holds on the loop. */
static void wait_end(ad_wait_t *w)
{
    ad_loop_t *loop = w->x.loop;
    w->done = true;
    ad_timers_cancel(&loop->timers, &w->timer);
    ad_disconnect_unwatch(&loop->disconnect, w->watch_fd);
    w->watch_fd = -1;
    if (w->admitted)
        ad_server_release(&loop->server->timer_waits);
    w->admitted = false;
    if (w->job != NULL) {
        if (ad_offload_withdraw(loop->server->pool, w->job))
            free(w->job);
        else
            w->job->owner = NULL; /* the reply frees it */
        w->job = NULL;
    }
    ad_server_wait_end(loop->server);
}

static void wait_cancelled(ad_wait_t *w)
{
    wait_end(w);
    ad_answer_cancelled(&w->x);
    ad_log_debug("%s: client went away after %.3fs of %.3fs; counted cancelled (499)", ad_endpoint_name(w->x.ep),
                 (double)(ad_mono_ns() - w->x.t0) / 1e9, (double)w->delay_ns / 1e9);
}

static void on_wait_timer(ad_timer_t *timer)
{
    ad_wait_t *w = H2O_STRUCT_FROM_MEMBER(ad_wait_t, timer, timer);
    wait_end(w);
    answer_ok(w, NULL);
}

static void on_wait_dispose(void *p)
{
    ad_wait_t *w = p;
    /* h2o disposed the request before we answered: HTTP/2 stream reset or connection closed. */
    if (!w->done)
        wait_cancelled(w);
}

void ad_handlers_on_client_gone(void *data)
{
    ad_wait_t *w = data;
    int fd = w->watch_fd;
    if (w->done)
        return;
    wait_cancelled(w);
    /*
     * Finish the request so h2o tears the connection down, without the client ever reading an answer (a
     * half-closed client still could): with both directions shut down the response fails to write, and
     * h2o closes the connection, which disposes the request. Counted cancelled only; h2o closes the fd.
     */
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
    w->x.req->http1_is_persistent = 0;
    ad_answer_error(&w->x, 499, "client closed request");
    ad_answer_send(&w->x, 499);
}

void ad_handlers_on_offload_reply(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    while (!h2o_linklist_is_empty(messages)) {
        h2o_linklist_t *link = messages->next;
        h2o_linklist_unlink(link);
        ad_offload_job_t *job = ad_offload_job_from_message(link);
        ad_wait_t *w = job->owner;
        unsigned worker = job->worker;
        free(job);
        if (w == NULL)
            continue; /* its client left while the worker slept; counted cancelled then */
        w->job = NULL;
        char name[16];
        snprintf(name, sizeof(name), "worker-%u", worker);
        wait_end(w);
        answer_ok(w, name);
    }
}

/* ---- the endpoints ----------------------------------------------------------------------------------- */

static int start_timer_wait(ad_exchange_t *x, int64_t delay_ns)
{
    ad_loop_t *loop = x->loop;
    if (delay_ns == 0) {
        /* The zero-delay throughput path: no timer, no watch, no limit, answered at once. */
        ad_wait_t *w = wait_begin(x, delay_ns);
        wait_end(w);
        answer_ok(w, NULL);
        return AD_ANSWER_LATER;
    }
    if (!ad_server_admit(&loop->server->timer_waits, loop->server->cfg.max_waiting))
        return answer_refused(x, 1, "too many requests waiting (max-waiting)");
    ad_wait_t *w = wait_begin(x, delay_ns);
    w->admitted = true;
    if (ad_timers_add(&loop->timers, &w->timer, x->t0 + delay_ns) != 0) {
        wait_end(w);
        ad_answer_error(&w->x, 500, "out of memory");
        ad_answer_send(&w->x, 500);
        return AD_ANSWER_LATER;
    }
    w->watch_fd = ad_disconnect_watch(&loop->disconnect, x->req, w);
    ad_input_compact_request(x->req);
    return AD_ANSWER_LATER;
}

static void sleep_until(int64_t deadline_ns)
{
    struct timespec until = ad_ns_to_timespec(deadline_ns);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
}

static int serve_blocking(ad_exchange_t *x, int64_t delay_ns)
{
    unsigned retry_after;
    if (!ad_blocking_guard_allows(x->loop, delay_ns, &retry_after))
        return answer_refused(x, retry_after, "blocking the loop this long would starve the systemd watchdog");
    ad_wait_t *w = wait_begin(x, delay_ns);
    /* The lesson: nothing else on this loop thread runs until the sleep ends. */
    sleep_until(x->t0 + delay_ns);
    wait_end(w);
    answer_ok(w, NULL);
    return AD_ANSWER_LATER;
}

static int serve_offload(ad_exchange_t *x, int64_t delay_ns)
{
    ad_loop_t *loop = x->loop;
    ad_offload_job_t *job = calloc(1, sizeof(*job));
    if (job != NULL) {
        job->reply_to = &loop->offload_receiver;
        job->delay_ns = delay_ns;
    }
    if (job == NULL || !ad_offload_submit(loop->server->pool, job)) {
        free(job);
        return answer_refused(x, 1, "offload pool and queue are full");
    }
    /* The reply can only be handled by this thread, after this handler returns: setting owner now is safe. */
    ad_wait_t *w = wait_begin(x, delay_ns);
    w->job = job;
    job->owner = w;
    w->watch_fd = ad_disconnect_watch(&loop->disconnect, x->req, w);
    ad_input_compact_request(x->req);
    return AD_ANSWER_LATER;
}

int ad_serve_delay(ad_exchange_t *x)
{
    ad_live_settings_t *live = &x->loop->server->live;
    h2o_req_t *req = x->req;
    int64_t max_ns = atomic_load_explicit(&live->max_delay_ns, memory_order_relaxed);
    ad_delay_param_t p;
    bool ok;
    if (x->arg != NULL) {
        ok = ad_delay_from_path(&p, x->arg, x->arg_len, max_ns);
    } else {
        const char *q = req->query_at != SIZE_MAX ? req->path.base + req->query_at + 1 : "";
        size_t qlen = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
        ok = ad_delay_from_query(&p, q, qlen, atomic_load_explicit(&live->default_delay_ns, memory_order_relaxed),
                                 max_ns);
    }
    if (!ok)
        return answer_bad_delay(x, &p);
    switch (x->ep) {
    case AD_EP_BLOCKING:
        return serve_blocking(x, p.ns);
    case AD_EP_OFFLOAD:
        return serve_offload(x, p.ns);
    default:
        return start_timer_wait(x, p.ns);
    }
}

/* ---- /delay/{n}: what httpbin reflects ------------------------------------------------------------------ */

/* Decodes s[0..len) into the pool (NUL-terminated); text that does not decode is reflected as sent. */
static const char *pool_decode(h2o_mem_pool_t *pool, const char *s, size_t len, size_t *out_len)
{
    char *buf = h2o_mem_alloc_pool(pool, len + 1);
    long n = ad_percent_decode(s, len, buf, len + 1, true);
    if (n < 0) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        n = (long)len;
    }
    *out_len = (size_t)n;
    return buf;
}

static size_t collect_args(h2o_req_t *req, ad_httpbin_pair_t **out)
{
    *out = NULL;
    if (req->query_at == SIZE_MAX)
        return 0;
    const char *q = req->path.base + req->query_at + 1;
    size_t qlen = req->path.len - req->query_at - 1, pos = 0, n = 0, cap = 0;
    ad_query_pair_t p;
    while (ad_query_next(q, qlen, &pos, &p))
        cap++;
    if (cap == 0)
        return 0;
    ad_httpbin_pair_t *args = h2o_mem_alloc_pool(&req->pool, cap * sizeof(*args));
    pos = 0;
    while (ad_query_next(q, qlen, &pos, &p)) {
        ad_httpbin_pair_t *a = &args[n];
        a->name = pool_decode(&req->pool, p.name, p.name_len, &a->name_len);
        a->value = "";
        a->value_len = 0;
        if (p.value != NULL)
            a->value = pool_decode(&req->pool, p.value, p.value_len, &a->value_len);
        a->order = n++;
    }
    *out = args;
    return n;
}

static size_t collect_headers(h2o_req_t *req, ad_httpbin_pair_t **out)
{
    size_t n = 0, cap = req->headers.size + 1;
    ad_httpbin_pair_t *hs = h2o_mem_alloc_pool(&req->pool, cap * sizeof(*hs));
    /* h2o keeps Host (HTTP/1) and :authority (HTTP/2) apart from the header list. */
    hs[n++] = (ad_httpbin_pair_t){"Host", 4, req->input.authority.base, req->input.authority.len, 0};
    for (size_t i = 0; i < req->headers.size; i++) {
        const h2o_header_t *h = &req->headers.entries[i];
        char *name = h2o_mem_alloc_pool(&req->pool, h->name->len + 1);
        ad_title_case(h->name->base, h->name->len, name);
        name[h->name->len] = '\0';
        hs[n] = (ad_httpbin_pair_t){name, h->name->len, h->value.base, h->value.len, n};
        n++;
    }
    *out = hs;
    return n;
}

static const char *peer_ip(h2o_req_t *req)
{
    struct sockaddr_storage ss;
    char *buf = h2o_mem_alloc_pool(&req->pool, INET6_ADDRSTRLEN);
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    buf[0] = '\0';
    if (len > 0 && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, INET6_ADDRSTRLEN);
    else if (len > 0 && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf, INET6_ADDRSTRLEN);
    return buf;
}

static void httpbin_input(h2o_req_t *req, ad_httpbin_request_t *in)
{
    in->nargs = collect_args(req, &in->args);
    in->nheaders = collect_headers(req, &in->headers);
    in->origin = peer_ip(req);
    if (req->path.len > 0 && req->path.base[0] != '/') {
        /* absolute-form request target: it is the URL already */
        in->url = req->path.base;
        in->url_len = req->path.len;
        return;
    }
    size_t len = sizeof("http://") - 1 + req->input.authority.len + req->path.len;
    char *url = h2o_mem_alloc_pool(&req->pool, len);
    memcpy(url, "http://", 7);
    memcpy(url + 7, req->input.authority.base, req->input.authority.len);
    memcpy(url + 7 + req->input.authority.len, req->path.base, req->path.len);
    in->url = url;
    in->url_len = len;
}
