#ifndef AD_FAULT_SPEC_H
#define AD_FAULT_SPEC_H
/*
 * Injected faults on the delay endpoints (docs/http-api.md, "Faults"). Grammars:
 *   status  = choice *( "," choice )    status=503:10,500:5: 503 with probability 10 %, 500 with 5 %,
 *   choice  = code ":" percent          otherwise the usual answer; the percentages together at most 100
 *   close   = percent [ ":reset" ]      close=5: 5 % of answers become a closed connection (HTTP/1: FIN;
 *                                       HTTP/2: RST_STREAM); close=5:reset: a TCP reset instead
 *   code    = 400 to 599;  percent = DIGITS [ "." 1*4DIGIT ], 0 to 100
 * and the codes of /status/{codes} (httpbin's and go-httpbin's form, docs/http-api.md "/status"):
 *   codes   = answer *( "," answer )    /status/200:9,500:1: 200 nine times in ten, else 500
 *   answer  = code [ ":" weight ]       code 200 to 599; weight as percent, 0 to 1000000 (default 1),
 *                                       the weights together above 0, need not sum to 100
 * Pure functions; the caller's generator (delay_spec.h, ad_rng_next) draws.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_FAULT_CHOICES_MAX 16
/* Percentages are kept in millionths (1 % = 10000) so that 0.0001 % is exact. */
#define AD_FAULT_WHOLE 1000000u

typedef struct ad_status_spec {
    int code[AD_FAULT_CHOICES_MAX];
    uint32_t millionths[AD_FAULT_CHOICES_MAX];
    size_t n; /* 0: nothing injected */
} ad_status_spec_t;

typedef enum { AD_DROP_NONE, AD_DROP_FIN, AD_DROP_RESET } ad_drop_kind_t;

typedef struct ad_close_spec {
    uint32_t millionths; /* 0: never */
    ad_drop_kind_t kind;
} ad_close_spec_t;

/* Parses s[0..len) into *out: NULL when accepted, else the reason. */
const char *ad_status_spec_parse(const char *s, size_t len, ad_status_spec_t *out);
/* One draw: the status to inject, or 0 for none. Advances *rng (ad_rng_next). */
int ad_status_spec_draw(const ad_status_spec_t *spec, uint64_t *rng);

/* /status/{codes}: the same shape, with weights (in millionths of one) instead of percentages. */
typedef struct ad_status_list {
    int code[AD_FAULT_CHOICES_MAX];
    uint64_t weight[AD_FAULT_CHOICES_MAX];
    uint64_t total;
    size_t n;
} ad_status_list_t;

/* Parses s[0..len) into *out: NULL when accepted, else the reason. */
const char *ad_status_list_parse(const char *s, size_t len, ad_status_list_t *out);
/* One draw: one of the list's codes, by weight. Advances *rng when there is a choice to make. */
int ad_status_list_draw(const ad_status_list_t *list, uint64_t *rng);

/* Parses s[0..len) into *out: NULL when accepted, else the reason. */
const char *ad_close_spec_parse(const char *s, size_t len, ad_close_spec_t *out);
/* One draw: AD_DROP_NONE, or how to close. Advances *rng only when the spec can close. */
ad_drop_kind_t ad_close_spec_draw(const ad_close_spec_t *spec, uint64_t *rng);

#endif
