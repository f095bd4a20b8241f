/*
 * `asyncdemoctl demo`: the whole lesson in one go, for the README's main command. Part 1 is the
 * client side (compare: the same requests sequentially, async, with threads, with processes against
 * the daemon's /delay/N); part 2 the server side (bench: /blocking, /non-blocking, /offload).
 */
#include <stdio.h>
#include <stdlib.h>
#include "cmd_common.h"
#include "commands.h"
#include "duration.h"
#include "i18n.h"

static int demo_execute(const ad_demo_opts_t *d)
{
    ad_compare_opts_t *c = malloc(sizeof(*c));
    ad_bench_opts_t *b = malloc(sizeof(*b));
    int rc = AD_CTL_EXIT_SOFTWARE;
    if (c == NULL || b == NULL) {
        ad_cmd_error("%s", _("out of memory"));
        goto done;
    }
    ad_demo_compare_opts(d, c);
    ad_demo_bench_opts(d, b);
    char delay[32], heading[AD_CTL_URL_TEXT_MAX + 256]; /* the URL and the text around it */
    ad_duration_format(d->delay_ns, delay, sizeof(delay));

    snprintf(heading, sizeof(heading),
             NG_("=== Part 1: the client side ===\n"
                 "%llu request to %s (it waits %s), made four ways:\n"
                 "sequential (one after another), async (one thread, all in flight), threads, processes.",
                 "=== Part 1: the client side ===\n"
                 "%llu requests to %s (each waits %s), made four ways:\n"
                 "sequential (one after another), async (one thread, all in flight), threads, processes.",
                 c->n),
             (unsigned long long)c->n, c->url, delay);
    rc = ad_compare_execute(c, heading);
    if (rc != AD_CTL_EXIT_OK && rc != AD_CTL_EXIT_FAILURE)
        goto done; /* unreachable, interrupted, internal error: part 2 would fare no better */

    snprintf(heading, sizeof(heading),
             NG_("=== Part 2: the server side (%s) ===\n"
                 "%llu request each to /blocking (sleeps on the event loop), /non-blocking (a timer\n"
                 "on the loop) and /offload (the sleep moved to a worker pool), each waiting %s.",
                 "=== Part 2: the server side (%s) ===\n"
                 "%llu concurrent requests each to /blocking (sleeps on the event loop), /non-blocking (a timer\n"
                 "on the loop) and /offload (the sleep moved to a worker pool), each waiting %s.",
                 b->requests),
             b->url, (unsigned long long)b->requests, delay);
    int rc2 = ad_bench_execute(b, heading, true);
    if (rc2 != AD_CTL_EXIT_OK)
        rc = rc2;
done:
    free(c);
    free(b);
    return rc;
}

AD_CMD_ENTRY(ad_cmd_demo, AD_CMD_DEMO, ad_demo_opts_t, ad_ctl_parse_demo, demo_execute)
