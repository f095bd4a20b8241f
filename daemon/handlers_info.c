/* /stats, /metrics, /healthz: figures from every loop's shard, formatted by stats_format. */
#include <stdlib.h>

#include "clock.h"
#include "handlers.h"
#include "respond.h"
#include "stats_format.h"
#include "version.h"

void ad_handle_stats(ad_loop_t *loop, h2o_req_t *req, int64_t t0)
{
    ad_stats_snapshot_t snap;
    /* Counted before the snapshot, so the document includes this request (docs/http-api.md). */
    ad_stats_request_begin(&loop->stats, AD_EP_STATS);
    ad_server_snapshot(loop->server, &snap);
    ad_jw_reset(&loop->jw);
    int status = ad_stats_format_json(&snap, &loop->jw) == 0 ? 200 : 500;
    ad_stats_request_end(&loop->stats, AD_EP_STATS, status, ad_mono_ns() - t0);
    ad_respond_json(req, status, &loop->jw);
}

void ad_handle_metrics(ad_loop_t *loop, h2o_req_t *req, int64_t t0)
{
    static const char content_type[] = "text/plain; version=0.0.4; charset=utf-8";
    ad_stats_snapshot_t snap;
    size_t len = 0;
    ad_stats_request_begin(&loop->stats, AD_EP_METRICS);
    ad_server_snapshot(loop->server, &snap);
    char *text = ad_stats_format_prometheus(&snap, &len);
    int status = text != NULL ? 200 : 500;
    ad_stats_request_end(&loop->stats, AD_EP_METRICS, status, ad_mono_ns() - t0);
    if (text != NULL) {
        ad_respond(req, 200, content_type, text, len);
        free(text);
    } else {
        ad_respond_error_begin(&loop->jw, 500, "out of memory");
        ad_respond_error_end(req, 500, &loop->jw);
    }
}

void ad_handle_healthz(ad_loop_t *loop, h2o_req_t *req, int64_t t0)
{
    ad_jw_t *w = &loop->jw;
    ad_stats_request_begin(&loop->stats, AD_EP_HEALTHZ);
    ad_jw_reset(w);
    ad_jw_object_begin(w);
    ad_jw_key(w, "status");
    ad_jw_cstr(w, "ok");
    ad_jw_key(w, "version");
    ad_jw_cstr(w, AD_VERSION);
    ad_jw_key(w, "uptime_seconds");
    ad_jw_seconds(w, ad_mono_ns() - loop->server->started_mono_ns, 3);
    ad_jw_object_end(w);
    int status = ad_jw_failed(w) ? 500 : 200;
    ad_stats_request_end(&loop->stats, AD_EP_HEALTHZ, status, ad_mono_ns() - t0);
    ad_respond_json(req, status, w);
}
