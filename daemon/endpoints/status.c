/*
 * /status/{codes} (httpbin's and go-httpbin's, docs/http-api.md "/status"): answers with the status asked
 * for, or one drawn by weight from several, with the headers and bodies clients expect of some: a Location
 * for redirects, WWW-Authenticate / Proxy-Authenticate for 401 / 407, the teapot for 418, nothing at all
 * for 204 and 304 (respond.c).
 */
#include <stdio.h>

#include "fault_spec.h"
#include "handlers.h"
#include "query.h"

static const char teapot[] = "\n"
                             "    -=[ teapot ]=-\n"
                             "\n"
                             "       _...._\n"
                             "     .'  _ _ `.\n"
                             "    | .\"` ^ `\". _,\n"
                             "    \\_;`\"---\"`|//\n"
                             "      |       ;/\n"
                             "      \\_     _/\n"
                             "        `\"\"\"`\n";

static int answer_bad_codes(ad_exchange_t *x, const char *why)
{
    char what[96];
    snprintf(what, sizeof(what), "bad codes: %s", why);
    ad_jw_t *w = ad_answer_error(x, 400, what);
    ad_jw_key(w, "parameter");
    ad_jw_cstr(w, "codes");
    ad_jw_key(w, "value");
    ad_jw_string(w, x->arg, x->arg_len);
    ad_jw_key(w, "allowed");
    ad_jw_cstr(w, "CODE[:WEIGHT][,CODE[:WEIGHT]...]: codes 200 to 599, weights 0 to 1000000 (default 1)");
    return 400;
}

int ad_serve_status(ad_exchange_t *x)
{
    char codes[256];
    ad_status_list_t list;
    long len = ad_percent_decode(x->arg, x->arg_len, codes, sizeof(codes), false);
    if (len < 0)
        return answer_bad_codes(x, x->arg_len >= sizeof(codes) ? "too long" : "bad percent-encoding");
    const char *why = ad_status_list_parse(codes, (size_t)len, &list);
    if (why != NULL)
        return answer_bad_codes(x, why);
    uint64_t rng = ad_exchange_rng(x);
    int status = ad_status_list_draw(&list, &rng);
    ad_answer_body(x, "text/plain; charset=utf-8");
    switch (status) {
    case 301:
    case 302:
    case 303:
    case 305:
    case 307:
    case 308:
        /* a client that follows it lands on an answer that always exists (httpbin's /redirect/1 is not here) */
        ad_answer_header(x, H2O_TOKEN_LOCATION, H2O_STRLIT("/status/200"));
        break;
    case 401:
        ad_answer_header(x, H2O_TOKEN_WWW_AUTHENTICATE, H2O_STRLIT("Basic realm=\"Fake Realm\""));
        break;
    case 407:
        ad_answer_header(x, H2O_TOKEN_PROXY_AUTHENTICATE, H2O_STRLIT("Basic realm=\"Fake Realm\""));
        break;
    case 418:
        ad_answer_static(x, "text/plain; charset=utf-8", teapot, sizeof(teapot) - 1);
        break;
    }
    /* Asked for, not the daemon's error: a 4xx or 5xx is counted as an injected status (fault_status). */
    x->injected = status >= 400;
    return status;
}
