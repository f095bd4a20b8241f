/*
 * /anything and /anything/{path} (httpbin's, docs/http-api.md "/anything"): the request reflected at once,
 * with every method: method, args, data, files, form, headers, json, origin, url, as /delay/{n} reflects
 * them (httpbin_input.c, delay_json.c) but without waiting.
 */
#include "delay_json.h"
#include "handlers.h"
#include "httpbin_input.h"

int ad_serve_anything(ad_exchange_t *x)
{
    ad_httpbin_request_t in;
    ad_httpbin_input(x->req, &in);
    in.method = x->req->method.base;
    in.method_len = x->req->method.len;
    ad_httpbin_json(ad_answer_json(x), &in, NULL);
    return 200;
}
