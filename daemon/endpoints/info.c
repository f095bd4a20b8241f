/* /stats, /metrics, /healthz: figures from every loop's shard, formatted by stats_format. */
#include "clock.h"
#include "handlers.h"
#include "stats_format.h"
#include "version.h"

int ad_serve_stats(ad_exchange_t *x)
{
    ad_stats_snapshot_t snap;
    /* Held before the snapshot, so the document includes this request (docs/http-api.md). */
    ad_answer_hold(x);
    ad_server_snapshot(x->loop->server, &snap);
    return ad_stats_format_json(&snap, ad_answer_json(x)) == 0 ? 200 : 500;
}

int ad_serve_metrics(ad_exchange_t *x)
{
    ad_stats_snapshot_t snap;
    ad_answer_hold(x);
    ad_server_snapshot(x->loop->server, &snap);
    ad_jw_t *w = ad_answer_body(x, "text/plain; version=0.0.4; charset=utf-8");
    if (ad_stats_format_prometheus(&snap, &w->b) != 0) {
        ad_answer_error(x, 500, "out of memory");
        return 500;
    }
    return 200;
}

int ad_serve_healthz(ad_exchange_t *x)
{
    ad_answer_hold(x);
    ad_jw_t *w = ad_answer_json(x);
    ad_jw_object_begin(w);
    ad_jw_key(w, "status");
    ad_jw_cstr(w, "ok");
    ad_jw_key(w, "version");
    ad_jw_cstr(w, AD_VERSION);
    ad_jw_key(w, "uptime_seconds");
    ad_jw_seconds(w, ad_mono_ns() - x->loop->server->started_mono_ns, 3);
    ad_jw_object_end(w);
    return 200;
}
