/*
 * `asyncdemoctl stats`: GET /stats and show it through stats_view (or raw with --json); --watch
 * redraws every interval until SIGINT/SIGTERM, which ends it with status 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "i18n.h"
#include "cmd_common.h"
#include "commands.h"
#include "engine.h"
#include "stats_view.h"
#include "target.h"
#include "text_escape.h"
#include "transfer.h"

/* /stats is a few KB; anything this large is not the daemon's document. */
#define STATS_BODY_MAX (1024 * 1024)

/* Fetches once. Returns 0 with the body in t, or an exit status with the reason in why. */
static int fetch(ad_transfer_t *t, const ad_stats_opts_t *o, char *why, size_t whylen)
{
    CURLcode rc = ad_transfer_perform(t, 1, ad_mono_ns());
    /* Connected: the connection (and TLS) was up when the request went out; failures before it mean
     * the target cannot be reached, as for bench and compare. */
    curl_off_t pretransfer = 0;
    curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    ad_target_status_t st = ad_target_classify(rc, pretransfer > 0);
    if (st != AD_TARGET_OK) {
        ad_target_failure_message(&o->target, rc, t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc), why,
                                  whylen);
        return ad_cmd_target_exit(st);
    }
    if (rc != CURLE_OK || t->rec.status != 200 || t->body_truncated) {
        char reason[CURL_ERROR_SIZE + 64], safe[sizeof(reason) * 2];
        if (t->body_truncated)
            snprintf(reason, sizeof(reason), _("the answer is larger than %d bytes"), STATS_BODY_MAX);
        else
            ad_transfer_describe_error(t, rc, reason, sizeof(reason));
        ad_escape_cstr(reason, safe, sizeof(safe)); /* it may end with the server's own words */
        snprintf(why, whylen, "GET %s: %s", o->url, safe);
        return AD_CTL_EXIT_FAILURE;
    }
    return 0;
}

/* Renders one fetched document into a memory buffer, so a --watch redraw is one write. */
static int render(const ad_transfer_t *t, const ad_stats_opts_t *o, const ad_cmd_output_t *dest, char **text,
                  size_t *len, char *why, size_t whylen)
{
    FILE *mem = open_memstream(text, len);
    if (mem == NULL) {
        snprintf(why, whylen, "%s", _("out of memory"));
        return AD_CTL_EXIT_SOFTWARE;
    }
    int rc = 0;
    char err[256];
    if (o->json) {
        /* Raw, as the daemon sent it - but only a document that is the daemon's. */
        if (ad_stats_view_check_text(t->body, t->body_len, err, sizeof(err)) != 0) {
            rc = AD_CTL_EXIT_FAILURE;
        } else {
            fwrite(t->body, 1, t->body_len, mem);
            if (t->body_len == 0 || t->body[t->body_len - 1] != '\n')
                fputc('\n', mem);
        }
    } else {
        ad_stats_view_style_t st = {.width = ad_cmd_width(dest), .color = ad_cmd_use_color(o->color, dest)};
        rc = ad_stats_view_render_text(mem, t->body, t->body_len, &st, err, sizeof(err)) != 0 ? AD_CTL_EXIT_FAILURE : 0;
    }
    if (rc != 0)
        snprintf(why, whylen, _("%s: not asyncdemod's /stats document: %s"), o->url, err);
    if (fclose(mem) != 0 && rc == 0) {
        snprintf(why, whylen, "%s", _("out of memory"));
        rc = AD_CTL_EXIT_SOFTWARE;
    }
    return rc;
}

/* Sleeps ns unless a stop is requested (a signal interrupts nanosleep). */
static void pause_interval(int64_t ns)
{
    int64_t until = ad_mono_ns() + ns;
    while (!ad_engine_stop_requested()) {
        int64_t left = until - ad_mono_ns();
        if (left <= 0)
            return;
        struct timespec ts = ad_ns_to_timespec(left);
        nanosleep(&ts, NULL);
    }
}

static int show_once(ad_transfer_t *t, const ad_stats_opts_t *o, const ad_cmd_output_t *dest, bool redraw)
{
    char why[AD_CTL_URL_MAX + 1024] = "";
    char *text = NULL;
    size_t len = 0;
    int rc = fetch(t, o, why, sizeof(why));
    if (rc == 0)
        rc = render(t, o, dest, &text, &len, why, sizeof(why));
    if (rc != 0 && ad_engine_stop_requested()) {
        free(text);
        return rc; /* cut short by Ctrl-C: nothing to show */
    }
    if (redraw)
        fputs("\033[H\033[2J", dest->out);
    if (rc == 0)
        fwrite(text, 1, len, dest->out);
    else if (redraw)
        fprintf(dest->out, "%s\n", why); /* a watched daemon may come back: keep the screen informative */
    else
        fprintf(stderr, "%s\n", why);
    fflush(dest->out);
    free(text);
    return rc;
}

static int stats_execute(const ad_stats_opts_t *o)
{
    ad_cmd_output_t dest;
    ad_cmd_output_open(&dest, NULL);
    ad_transfer_t t;
    ad_transfer_opts_t topts = {.url = o->url,
                                .tls = &o->tls,
                                .timeout_ns = o->timeout_ns,
                                .keepalive = true,
                                .abort_on_stop = true,
                                .keep_body = STATS_BODY_MAX};
    char err[256];
    if (ad_transfer_init(&t, &topts, err, sizeof(err)) != 0) {
        ad_cmd_error("%s", err);
        return AD_CTL_EXIT_SOFTWARE;
    }
    /* The first fetch decides the exit status of a plain run; --watch keeps going after later failures. */
    int rc = show_once(&t, o, &dest, false);
    if (o->watch && rc == 0) {
        bool redraw = dest.tty && !o->json;
        while (!ad_engine_stop_requested()) {
            pause_interval(o->interval_ns);
            if (ad_engine_stop_requested())
                break;
            if (!redraw && !o->json)
                fputc('\n', dest.out);
            int r = show_once(&t, o, &dest, redraw);
            if (r == AD_CTL_EXIT_SOFTWARE) {
                rc = r;
                break;
            }
        }
    }
    if (ad_engine_stop_requested() && rc != AD_CTL_EXIT_SOFTWARE)
        rc = o->watch ? AD_CTL_EXIT_OK : AD_CTL_EXIT_INTERRUPTED; /* --watch ends by a signal, cleanly */
    ad_transfer_cleanup(&t);
    if (ad_cmd_output_close(&dest, true) != 0 && rc == 0)
        rc = AD_CTL_EXIT_SOFTWARE;
    return rc;
}

AD_CMD_ENTRY(ad_cmd_stats, AD_CMD_STATS, ad_stats_opts_t, ad_ctl_parse_stats, stats_execute)
