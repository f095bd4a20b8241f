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
#include "httpbin_body.h"
#include "httpbin_input.h"
#include "input_compact.h"
#include "log.h"
#include "query.h"
#include "loop_monitor.h"

typedef struct ad_wait {
    ad_exchange_t x; /* the request, its endpoint and arrival */
    ad_timer_t timer;
    int64_t wall0; /* arrival, CLOCK_REALTIME */
    int64_t delay_ns;
    const char *asked; /* a varying delay's text (in the request's pool), else NULL */
    size_t asked_len;
    int64_t jitter_ns;
    bool has_seed;
    uint64_t seed, seed_index;
    ad_fault_draw_t fault; /* status= and close= as drawn on arrival, applied when the delay is over */
    uint32_t size;         /* size=: the answer padded to it, 0 none */
    /* ttfb=: the head at t0 + ttfb_ns from its own timer, the body when the delay is over */
    int64_t ttfb_ns;
    ad_timer_t head_timer;
    h2o_generator_t gen; /* the streamed answer's, once the head went out */
    bool head_sent;      /* the head is out: the body follows through h2o_send */
    bool head_held;      /* h2o still holds the head (until proceed): the body must wait */
    bool body_ready;     /* the delay is over while the head was held: proceed sends the end */
    h2o_iovec_t body;    /* that end, in the request's pool */
    uint64_t sequence;
    int watch_fd;          /* HTTP/1 connection watched for a disconnect, -1 */
    ad_offload_job_t *job; /* /offload while the pool holds it */
    bool done;             /* answered or cancelled: nothing left for dispose to undo */
    bool admitted;         /* holds one of max-waiting's places until wait_end */
} ad_wait_t;

/* The delay drawn and what was asked for it, from the handler to the wait. */
typedef struct ad_delay_asked {
    int64_t ns;
    const char *text; /* NULL: a fixed delay without seed= */
    size_t text_len;
    int64_t jitter_ns;
    bool has_seed;
    uint64_t seed, seed_index;
    ad_fault_draw_t fault;
    uint32_t size;
    int64_t ttfb_ns; /* 0: the head with the body */
    bool work_cpu;   /* work=cpu: /blocking and /offload burn the CPU instead of sleeping */
} ad_delay_asked_t;

/* ---- refusing ------------------------------------------------------------------------------------ */

/* 400 for a refused parameter (a delay outside [0, max_ns], a bad status=, ...): the error names the
 * parameter, the value and what it allows (p->allowed, else the range). */
int ad_answer_bad_param(ad_exchange_t *x, const ad_delay_param_t *p, int64_t max_ns)
{
    char allowed[48], max[32], what[160];
    ad_duration_format(max_ns, max, sizeof(max));
    snprintf(allowed, sizeof(allowed), "0 to %s", max);
    snprintf(what, sizeof(what), "bad %s: %s", p->param, p->what);
    ad_jw_t *w = ad_answer_error(x, 400, what);
    ad_jw_key(w, "parameter");
    ad_jw_cstr(w, p->param);
    ad_jw_key(w, "value");
    ad_jw_string(w, p->value, p->value_len);
    ad_jw_key(w, "allowed");
    ad_jw_cstr(w, p->allowed != NULL ? p->allowed : allowed);
    return 400;
}

int ad_answer_refused(ad_exchange_t *x, unsigned retry_after, const char *what)
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
        .asked = w->asked,
        .asked_len = w->asked_len,
        .jitter_ns = w->jitter_ns,
        .has_seed = w->has_seed,
        .seed = w->seed,
        .seed_index = w->seed_index,
    };
}

/* ttfb=: the end of an answer whose head is out (h2o holds nothing now): the body, or the drop asked for. */
static void finish_streamed(ad_wait_t *w)
{
    if (w->fault.drop != AD_DROP_NONE)
        ad_answer_drop(&w->x, w->fault.drop == AD_DROP_RESET);
    else /* the body less its '{', which went with the head */
        ad_answer_stream_send(&w->x, w->body.base + 1, w->body.len - 1, true);
}

/* The body into jw: the error status= injected, or the delay answer (httpbin's for /delay/{n}), padded. */
static void write_body(ad_wait_t *w, const char *worker, ad_jw_t *jw)
{
    if (w->fault.status != 0) {
        ad_respond_error_begin(jw, w->fault.status, "injected by status=");
        ad_jw_key(jw, "injected");
        ad_jw_bool(jw, true);
        ad_jw_key(jw, "delay_seconds");
        ad_jw_seconds(jw, w->delay_ns, 6);
        ad_jw_object_end(jw);
        return;
    }
    ad_delay_result_t r;
    fill_result(&r, w, ad_mono_ns(), worker);
    if (w->x.arg != NULL) { /* /delay/{n}: httpbin's answer */
        ad_httpbin_request_t in;
        ad_httpbin_input(w->x.req, &in);
        ad_httpbin_json(jw, &in, &r);
    } else {
        ad_delay_json(jw, &r);
    }
    if (w->size > 0)
        ad_delay_json_pad(jw, w->size);
}

static void answer_ok(ad_wait_t *w, const char *worker)
{
    if (w->fault.drop != AD_DROP_NONE && !w->head_sent) {
        ad_answer_drop(&w->x, w->fault.drop == AD_DROP_RESET);
        return;
    }
    ad_jw_t *jw = ad_answer_json(&w->x);
    if (w->fault.drop == AD_DROP_NONE)
        write_body(w, worker, jw);
    if (w->head_sent) { /* ttfb=: the status went with the head */
        w->body = ad_respond_json_body(w->x.req, jw);
        if (w->head_held)
            w->body_ready = true;
        else
            finish_streamed(w);
        return;
    }
    w->x.injected = w->fault.status != 0;
    ad_answer_send(&w->x, w->fault.status != 0 ? w->fault.status : 200);
}

/* ---- ttfb=: the head before the body ------------------------------------------------------------------ */

static void on_head_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    ad_wait_t *w = H2O_STRUCT_FROM_MEMBER(ad_wait_t, gen, gen);
    (void)req;
    w->head_held = false;
    if (w->body_ready) {
        ad_loop_t *loop = w->x.loop; /* w may be gone once the end is sent */
        ad_endpoint_t ep = w->x.ep;
        int64_t t = ad_mono_ns();
        w->body_ready = false;
        finish_streamed(w);
        ad_loop_monitor_note(&loop->monitor, ep, ad_mono_ns() - t);
    }
}

static void on_head_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)gen;
    (void)req; /* the request's dispose does the accounting */
}

static void on_head_timer(ad_timer_t *timer)
{
    ad_wait_t *w = H2O_STRUCT_FROM_MEMBER(ad_wait_t, head_timer, timer);
    int status = w->fault.status != 0 ? w->fault.status : 200;
    w->x.injected = w->fault.status != 0;
    w->gen = (h2o_generator_t){on_head_proceed, on_head_stop};
    /* the length is not known yet (the answer says what was waited): chunked on HTTP/1.1 */
    ad_answer_stream_start(&w->x, status, "application/json", SIZE_MAX, &w->gen);
    w->head_sent = true;
    w->head_held = true; /* before the send: proceed may come back within it */
    /* Every body here is a JSON object: its '{' goes with the head, as h2o 2.2.5's HTTP/1 writes a head only
     * with some of the body. */
    ad_answer_stream_send(&w->x, "{", 1, false);
}

/* ---- the wait's life ------------------------------------------------------------------------------- */

static void on_wait_timer(ad_timer_t *timer);
static void on_wait_dispose(void *p);

/* at_once: answered before the handler returns (zero delay), so h2o can never dispose the request first and
 * the wait needs no dispose callback: it lives in the request's pool, without a malloc of its own. */
static ad_wait_t *wait_begin(ad_exchange_t *x, const ad_delay_asked_t *a, bool at_once)
{
    ad_server_t *s = x->loop->server;
    ad_wait_t *w = at_once ? h2o_mem_alloc_pool(&x->req->pool, sizeof(*w))
                           : h2o_mem_alloc_shared(&x->req->pool, sizeof(*w), on_wait_dispose);
    *w = (ad_wait_t){
        .x = *x,
        .wall0 = ad_wall_ns(),
        .delay_ns = a->ns,
        .asked = a->text,
        .asked_len = a->text_len,
        .jitter_ns = a->jitter_ns,
        .has_seed = a->has_seed,
        .seed = a->seed,
        .seed_index = a->seed_index,
        .fault = a->fault,
        .size = a->size,
        .ttfb_ns = a->ttfb_ns,
        .sequence = atomic_fetch_add_explicit(&s->sequence, 1, memory_order_relaxed) + 1,
        .watch_fd = -1,
    };
    ad_timer_init_charged(&w->timer, on_wait_timer, (int32_t)x->ep);
    ad_timer_init_charged(&w->head_timer, on_head_timer, (int32_t)x->ep);
    ad_answer_hold(&w->x);
    ad_server_wait_begin(s);
    /* ttfb=: the head on its own timer (without memory for it, the head goes with the body) */
    if (w->ttfb_ns > 0)
        ad_timers_add(&x->loop->timers, &w->head_timer, x->t0 + w->ttfb_ns);
    return w;
}

/* The wait is over (answered or cancelled): take back everything it holds on the loop. */
static void wait_end(ad_wait_t *w)
{
    ad_loop_t *loop = w->x.loop;
    w->done = true;
    ad_timers_cancel(&loop->timers, &w->timer);
    ad_timers_cancel(&loop->timers, &w->head_timer);
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
    else /* ttfb=: the wait was over, the end still waiting for h2o to take the head: never sent */
        ad_answer_cancelled(&w->x);
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
    if (w->head_sent) { /* ttfb=: the head is out; a piece h2o still holds fails to write as well */
        if (!w->head_held)
            h2o_send(w->x.req, NULL, 0, H2O_SEND_STATE_ERROR);
        return;
    }
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
        int64_t started = job->started_ns;
        free(job);
        if (w == NULL)
            continue; /* its client left while the worker slept; counted cancelled then */
        w->job = NULL;
        w->x.queued = true;
        w->x.queue_ns = started - w->x.t0;
        char name[16];
        snprintf(name, sizeof(name), "worker-%u", worker);
        ad_loop_t *loop = w->x.loop; /* w may be gone once answered */
        ad_endpoint_t ep = w->x.ep;
        int64_t t = ad_mono_ns();
        wait_end(w);
        answer_ok(w, name);
        ad_loop_monitor_note(&loop->monitor, ep, ad_mono_ns() - t);
    }
}

/* ---- the endpoints ----------------------------------------------------------------------------------- */

static int start_timer_wait(ad_exchange_t *x, const ad_delay_asked_t *a)
{
    ad_loop_t *loop = x->loop;
    int64_t delay_ns = a->ns;
    if (delay_ns == 0) {
        /* The zero-delay throughput path: no timer, no watch, no limit, answered at once (a close= fault's drop
         * keeps the dispose callback that counts what h2o does with the request). */
        ad_wait_t *w = wait_begin(x, a, a->fault.drop == AD_DROP_NONE);
        wait_end(w);
        answer_ok(w, NULL);
        return AD_ANSWER_LATER;
    }
    if (!ad_server_admit(&loop->server->timer_waits, loop->server->cfg.max_waiting))
        return ad_answer_refused(x, 1, "too many requests waiting (max-waiting)");
    ad_wait_t *w = wait_begin(x, a, false);
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

static int serve_blocking(ad_exchange_t *x, ad_delay_param_t *p, const ad_delay_asked_t *a)
{
    unsigned retry_after;
    int64_t delay_ns = a->ns;
    switch (ad_blocking_guard_check(x->loop, delay_ns, &retry_after)) {
    case AD_GUARD_ALLOW:
        break;
    case AD_GUARD_LATER:
        return ad_answer_refused(x, retry_after, "blocking the loop this long would starve the systemd watchdog");
    case AD_GUARD_NEVER: {
        /* No retry can succeed: a bad delay, with the watchdog's limit as the allowed range. */
        int64_t budget = x->loop->server->watchdog.budget_ns;
        char limit[32];
        ad_duration_format(budget, limit, sizeof(limit));
        snprintf(p->why, sizeof(p->why), "over the watchdog limit (%s)", limit);
        p->what = p->why;
        return ad_answer_bad_param(x, p, budget);
    }
    }
    ad_wait_t *w = wait_begin(x, a, false);
    /* The lesson: nothing else on this loop thread runs until the sleep (or with work=cpu, the work) ends. */
    ad_wait_until(x->t0 + delay_ns, p->work_cpu);
    wait_end(w);
    answer_ok(w, NULL);
    return AD_ANSWER_LATER;
}

static int serve_offload(ad_exchange_t *x, const ad_delay_asked_t *a)
{
    ad_loop_t *loop = x->loop;
    int64_t delay_ns = a->ns;
    ad_offload_job_t *job = calloc(1, sizeof(*job));
    if (job != NULL) {
        job->reply_to = &loop->offload_receiver;
        job->delay_ns = delay_ns;
        job->cpu = a->work_cpu;
    }
    if (job == NULL || !ad_offload_submit(loop->server->pool, job)) {
        free(job);
        return ad_answer_refused(x, 1, "offload pool and queue are full");
    }
    /* The reply can only be handled by this thread, after this handler returns: setting owner now is safe. */
    ad_wait_t *w = wait_begin(x, a, false);
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
    const char *q = req->query_at != SIZE_MAX ? req->path.base + req->query_at + 1 : "";
    size_t qlen = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
    if (x->arg != NULL) {
        ok = ad_delay_from_path(&p, x->arg, x->arg_len, max_ns);
    } else {
        ok = ad_delay_from_query(&p, q, qlen, atomic_load_explicit(&live->default_delay_ns, memory_order_relaxed),
                                 max_ns);
    }
    if (!ok)
        return ad_answer_bad_param(x, &p, max_ns);
    ad_delay_asked_t a = {.text_len = p.value_len};
    a.text = h2o_mem_alloc_pool(&req->pool, a.text_len + 1);
    memcpy((char *)a.text, p.value, a.text_len);
    ((char *)a.text)[a.text_len] = '\0';
    const char *delay_param = p.param;
    if (!ad_delay_options_from_query(&p, q, qlen))
        return ad_answer_bad_param(x, &p, max_ns);
    /* The options' parsing named each option in turn: a later refusal of the delay itself (the watchdog's
     * limit on /blocking) names the delay again, with its value as received. */
    p.param = delay_param;
    p.value = a.text;
    p.value_len = a.text_len;
    if (p.work_cpu && x->ep != AD_EP_BLOCKING && x->ep != AD_EP_OFFLOAD) {
        p.param = "work";
        p.value = "cpu";
        p.value_len = 3;
        p.what = "cpu is for /blocking and /offload (a timer does no work)";
        p.allowed = "sleep";
        return ad_answer_bad_param(x, &p, max_ns);
    }
    if (p.ttfb_ns > 0 && x->ep == AD_EP_BLOCKING) {
        p.param = "ttfb";
        p.value_len = ad_duration_format(p.ttfb_ns, p.decoded, sizeof(p.decoded));
        p.value = p.decoded;
        p.what = "not served by /blocking (the loop is blocked: the head could not go out)";
        p.allowed = "/non-blocking, /offload, /delay/{n}";
        return ad_answer_bad_param(x, &p, max_ns);
    }
    /* A fresh sequence per request, or under seed= the connection's next draw of seed's (delay_param.h); a
     * request refused above took no number. */
    uint64_t rng = ad_exchange_rng(x);
    if (p.has_seed) {
        ad_seed_slots_t *slots = ad_connection_memory(req, sizeof(*slots));
        p.seed_index = slots != NULL ? ad_seed_slots_take(slots, p.seed) : 0;
    }
    a.ns = ad_delay_param_draw(&p, &rng);
    a.fault = ad_delay_param_draw_faults(&p, &rng);
    a.size = p.size;
    a.work_cpu = p.work_cpu;
    /* ttfb= matters only before the end of the delay, and not for HEAD (the head is all of it) */
    bool head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    a.ttfb_ns = p.ttfb_ns < a.ns && !head ? p.ttfb_ns : 0;
    a.jitter_ns = p.spec.jitter_ns;
    a.has_seed = p.has_seed;
    a.seed = p.seed;
    a.seed_index = p.seed_index;
    if (!ad_delay_spec_varies(&p.spec) && !p.has_seed)
        a.text = NULL;
    else if (a.text_len == 0) { /* delay= absent: the default was asked */
        char *def = h2o_mem_alloc_pool(&req->pool, 32);
        a.text_len = ad_duration_format(p.spec.lo_ns, def, 32);
        a.text = def;
    }
    switch (x->ep) {
    case AD_EP_BLOCKING:
        return serve_blocking(x, &p, &a);
    case AD_EP_OFFLOAD:
        return serve_offload(x, &a);
    default:
        return start_timer_wait(x, &a);
    }
}
