/*
 * /stream/{n} (httpbin's, docs/http-api.md "/stream/{n}"): n JSON lines (1 to 100, delay_param.h), each
 * {"args", "headers", "id", "origin", "url"} of the request, chunked on HTTP/1.1: a line per piece,
 * the next one written when h2o has taken the last (its proceed), so a slow reader is not buffered for.
 */
#include "clock.h"
#include "delay_json.h"
#include "delay_param.h"
#include "handlers.h"
#include "httpbin_input.h"
#include "loop_monitor.h"

typedef struct stream_lines {
    ad_exchange_t x;
    h2o_generator_t gen;
    ad_httpbin_request_t in; /* collected once, into the request's pool */
    uint32_t next, n;
    bool done; /* the last line handed to h2o: nothing left for dispose */
} stream_lines_t;

static void send_next(stream_lines_t *st)
{
    ad_jw_t *w = &st->x.loop->jw;
    ad_jw_reset(w);
    ad_httpbin_stream_line(w, &st->in, st->next);
    h2o_iovec_t line = ad_respond_json_body(st->x.req, w); /* in the pool, with its newline */
    bool final = ++st->next == st->n;
    st->done = final;
    ad_answer_stream_send(&st->x, line.base, line.len, final);
}

static void on_lines_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    stream_lines_t *st = H2O_STRUCT_FROM_MEMBER(stream_lines_t, gen, gen);
    (void)req;
    if (st->done)
        return;
    ad_loop_t *loop = st->x.loop; /* st may be gone after the last line */
    ad_endpoint_t ep = st->x.ep;
    int64_t t = ad_mono_ns();
    send_next(st);
    ad_loop_monitor_note(&loop->monitor, ep, ad_mono_ns() - t); /* its lines count toward its stalls */
}

static void on_lines_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)gen;
    (void)req; /* the request's dispose counts it */
}

static void on_lines_dispose(void *p)
{
    stream_lines_t *st = p;
    if (!st->done) /* the client left before the last line */
        ad_answer_cancelled(&st->x);
}

int ad_serve_stream(ad_exchange_t *x)
{
    ad_delay_param_t p;
    uint32_t n;
    if (!ad_lines_from_path(&p, x->arg, x->arg_len, &n))
        return ad_answer_bad_param(x, &p, 0);
    stream_lines_t *st = h2o_mem_alloc_shared(&x->req->pool, sizeof(*st), on_lines_dispose);
    *st = (stream_lines_t){.x = *x, .gen = {on_lines_proceed, on_lines_stop}, .n = n};
    ad_httpbin_input(x->req, &st->in);
    ad_answer_hold(&st->x);
    ad_answer_stream_start(&st->x, 200, "application/json", SIZE_MAX, &st->gen);
    send_next(st);
    return AD_ANSWER_LATER;
}
