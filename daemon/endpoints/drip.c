/*
 * /drip (httpbin's, docs/http-api.md "/drip"): numbytes bytes of '*' spread evenly over duration, after an
 * initial delay, for testing a client's read timeouts. Every piece is written from a timer on the loop: a
 * drip costs one timer entry and this state, never a thread. Byte i (from 1) is due at
 * t0 + delay + i * duration / numbytes; a piece goes out at the first whole millisecond (of the monotonic
 * clock) at or after its first byte is due, and carries every byte due when it is written. The head goes out
 * at t0 + delay. A drip holds one of max-waiting's places, like a waiting /non-blocking.
 */
#include <pthread.h>
#include <string.h>

#include "clock.h"
#include "delay_param.h"
#include "handlers.h"

#define PIECE_MAX 16384 /* bytes per h2o_send: a fast drip of many bytes goes in pieces of this size */
/* A drip's timer keeps its heap place from admission to end: parked here while h2o writes a piece. */
#define PARKED INT64_MAX

/* Every piece is a prefix of this, shared by all drips and threads: no allocation or fill per piece. */
static char stars[PIECE_MAX];
static pthread_once_t stars_once = PTHREAD_ONCE_INIT;

static void fill_stars(void)
{
    memset(stars, '*', sizeof(stars));
}

typedef struct drip {
    ad_exchange_t x;
    h2o_generator_t gen;
    ad_timer_t timer;
    ad_drip_t d;
    int64_t start_ns; /* t0 + delay: the head */
    uint32_t sent;
    bool started; /* the head is out */
    bool done;    /* the last piece handed to h2o, or the client gone: nothing left for dispose */
} drip_t;

/* When byte i (from 1) is due. */
static int64_t due_ns(const drip_t *st, uint32_t i)
{
    return st->start_ns + (int64_t)((__int128)st->d.duration_ns * i / st->d.numbytes);
}

/* The drip is over (all sent, or its client gone): give back what it holds on the loop. */
static void drip_end(drip_t *st)
{
    ad_loop_t *loop = st->x.loop;
    st->done = true;
    ad_timers_cancel(&loop->timers, &st->timer);
    ad_server_release(&loop->server->timer_waits);
    ad_server_wait_end(loop->server);
}

/* Writes every byte due now (at most PIECE_MAX), the head with the first piece. */
static void send_due(drip_t *st)
{
    int64_t now = ad_mono_ns();
    uint32_t due = st->sent;
    while (due < st->d.numbytes && due - st->sent < PIECE_MAX && due_ns(st, due + 1) <= now)
        due++;
    uint32_t n = due - st->sent;
    bool final = due == st->d.numbytes;
    st->sent = due;
    st->started = true;
    if (final)
        drip_end(st); /* before sending: h2o may dispose the request within the last send */
    ad_answer_stream_send(&st->x, n > 0 ? stars : NULL, n, final);
}

/* The head (with the bytes due by then), or the next piece. */
static void send_next(drip_t *st)
{
    if (!st->started)
        ad_answer_stream_start(&st->x, st->d.code, "application/octet-stream", st->d.numbytes, &st->gen);
    send_due(st);
}

static void on_drip_timer(ad_timer_t *timer)
{
    drip_t *st = H2O_STRUCT_FROM_MEMBER(drip_t, timer, timer);
    /* cannot fail: the slot it left when it fired is free; O(1), nothing sorts after PARKED */
    ad_timers_add(&st->x.loop->timers, &st->timer, PARKED);
    send_next(st);
}

/* h2o took the last piece: the next when its first byte is due (at once when it is due already). */
static void on_drip_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    drip_t *st = H2O_STRUCT_FROM_MEMBER(drip_t, gen, gen);
    (void)req;
    /* cannot fail: the timer is parked in the heap, so this only moves it. On the millisecond grid: the pieces
     * of every drip due within one millisecond go out from one wake-up of the loop (one write per connection),
     * at most 1 ms late and never early; at a time of their own each, 10,000 HTTP/2 drips cost the daemon
     * about three times the CPU (bench/README.md, "Drip"). */
    if (!st->done)
        ad_timers_add(&st->x.loop->timers, &st->timer, ad_ceil_ms(due_ns(st, st->sent + 1)));
}

static void on_drip_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)gen;
    (void)req; /* the request's dispose (below) does the accounting */
}

static void on_drip_dispose(void *p)
{
    drip_t *st = p;
    /* h2o disposed the request before the last byte: the client left (or the connection failed) */
    if (!st->done) {
        drip_end(st);
        ad_answer_cancelled(&st->x);
    }
}

int ad_serve_drip(ad_exchange_t *x)
{
    ad_loop_t *loop = x->loop;
    h2o_req_t *req = x->req;
    int64_t max_ns = atomic_load_explicit(&loop->server->live.max_delay_ns, memory_order_relaxed);
    const char *q = req->query_at != SIZE_MAX ? req->path.base + req->query_at + 1 : "";
    size_t qlen = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
    ad_delay_param_t p;
    ad_drip_t d;
    if (!ad_drip_from_query(&p, &d, q, qlen, max_ns))
        return ad_answer_bad_param(x, &p, max_ns);
    if (!ad_server_admit(&loop->server->timer_waits, loop->server->cfg.max_waiting))
        return ad_answer_refused(x, 1, "too many requests waiting (max-waiting)");
    drip_t *st = h2o_mem_alloc_shared(&req->pool, sizeof(*st), on_drip_dispose);
    *st = (drip_t){.x = *x, .gen = {on_drip_proceed, on_drip_stop}, .d = d, .start_ns = x->t0 + d.delay_ns};
    /* an error status asked for is counted as an injected one (fault_status), not as the daemon's error */
    st->x.injected = d.code >= 400;
    ad_timer_init_charged(&st->timer, on_drip_timer, (int32_t)x->ep);
    ad_answer_hold(&st->x);
    ad_server_wait_begin(loop->server);
    pthread_once(&stars_once, fill_stars);
    /* A head due at once (no delay=) goes out now, not from the timer: no heap round trip, no timerfd wake-up. */
    bool now = st->start_ns <= ad_mono_ns();
    if (ad_timers_add(&loop->timers, &st->timer, now ? PARKED : st->start_ns) != 0) {
        drip_end(st);
        ad_answer_error(&st->x, 500, "out of memory");
        ad_answer_send(&st->x, 500);
    } else if (now) {
        send_next(st);
    }
    return AD_ANSWER_LATER;
}
