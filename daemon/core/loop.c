/* The shared state's accounting: connections, first requests, the /stats snapshot (see loop.h). */
#include "loop.h"

#include "clock.h"
#include "version.h"

/* After connections close, the loop's trim timer (server.c) gives freed heap back a moment later: once per
 * burst of closes, not after every connection. */
#define TRIM_DELAY_NS (200 * AD_NS_PER_MS)

static void on_connection_close(void *data)
{
    ad_loop_t *loop = data;
    if (!ad_timer_is_linked(&loop->trim))
        ad_timers_add(&loop->timers, &loop->trim, ad_mono_ns() + TRIM_DELAY_NS);
    ad_stats_connection_close(&loop->stats);
    ad_server_release(&loop->server->connections);
    ad_timers_run_due(&loop->timers); /* due answers go before the rest of a burst of teardowns */
}

/* A connection that closes before its first request was handled: the drain no longer waits for it. */
static void on_fresh_connection_close(void *data)
{
    ad_loop_t *loop = data;
    atomic_fetch_sub_explicit(&loop->server->fresh, 1, memory_order_release);
    on_connection_close(data);
}

/* The close callback tells whether a connection is fresh: no per-connection memory. */
bool ad_server_claim_first_request(h2o_req_t *req)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    if (sock == NULL || sock->on_close.cb != on_fresh_connection_close)
        return false;
    sock->on_close.cb = on_connection_close;
    return true;
}

void ad_loop_adopt_connection(ad_loop_t *loop, h2o_socket_t *sock)
{
    ad_stats_connection_open(&loop->stats);
    sock->on_close.cb = on_fresh_connection_close;
    sock->on_close.data = loop;
    h2o_accept(&loop->accept_ctx, sock);
}

/* ---- /stats view ------------------------------------------------------------------------------------- */

void ad_server_snapshot(ad_server_t *s, ad_stats_snapshot_t *snap)
{
    unsigned busy, queued;
    ad_offload_counts(s->pool, &busy, &queued);
    snap->info = (ad_stats_info_t){
        .top =
            {
                .version = AD_VERSION,
                .pid = (uint64_t)s->pid,
                .threads = s->nloops,
                .uptime_ns = ad_mono_ns() - s->started_mono_ns,
                .started_wall_ns = s->started_wall_ns,
            },
        .config =
            {
                .max_delay_ns = atomic_load_explicit(&s->live.max_delay_ns, memory_order_relaxed),
                .default_delay_ns = atomic_load_explicit(&s->live.default_delay_ns, memory_order_relaxed),
                .pool_size = s->cfg.pool_size,
                .pool_queue = atomic_load_explicit(&s->live.pool_queue, memory_order_relaxed),
                .stall_threshold_ns = atomic_load_explicit(&s->live.stall_threshold_ns, memory_order_relaxed),
                .watchdog_ns = s->watchdog.interval_ns,
                .max_connections = s->cfg.max_connections,
                .max_waiting = s->cfg.max_waiting,
                .header_timeout_ns = s->cfg.header_timeout_ns,
                .idle_timeout_ns = s->cfg.idle_timeout_ns,
                .send_timeout_ns = s->cfg.send_timeout_ns,
                .max_body = s->cfg.max_body,
            },
        .offload = {.busy = busy, .queued = queued},
    };
    snap->shards = s->shards;
    snap->nshards = s->nloops;
}
