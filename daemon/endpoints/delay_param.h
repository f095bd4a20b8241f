#ifndef AD_DELAY_PARAM_H
#define AD_DELAY_PARAM_H
/*
 * The delay a delay endpoint waits (docs/http-api.md, "delay"): ?delay= for /non-blocking, /blocking and
 * /offload (the default when absent), the path segment n of /delay/{n}; either a duration within
 * [0, max-delay]. Pure functions; a refusal says which parameter, why, and the value as received.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delay_spec.h"
#include "fault_spec.h"

/* seed= at most 2^53 - 1: the answer echoes it as a JSON number every reader keeps exact. */
#define AD_DELAY_SEED_MAX 9007199254740991ULL
/* size= at most this (10 MiB, /drip's numbytes bound too). */
#define AD_DELAY_SIZE_MAX (10u * 1024 * 1024)
/* Decoded values longer than this are refused as "too long". */
#define AD_DELAY_VALUE_MAX 255

typedef struct ad_delay_param {
    int64_t ns;           /* the delay, when accepted (a varying one's least value until drawn) */
    ad_delay_spec_t spec; /* what was asked (delay_spec.h), with jitter= */
    bool has_seed;        /* seed= given: the draws are number seed_index of seed's sequence (delay_spec.h) */
    uint64_t seed;
    uint64_t seed_index;     /* set by the caller before drawing (the connection's count, ad_seed_slots_take); 0 */
    ad_status_spec_t status; /* status= (fault_spec.h): none when absent */
    ad_close_spec_t close;   /* close= (fault_spec.h): never when absent */
    uint32_t size;           /* size=: the answer padded to this many bytes; 0 when absent */
    int64_t ttfb_ns;         /* ttfb=: the head after this long, the body when the delay is over; 0: absent */
    bool work_cpu;           /* work=cpu (else work=sleep, the default): busy on the CPU instead of asleep */
    /* when refused: */
    const char *param;   /* "delay", "n", "jitter", "seed", "status", "close"; /drip's names */
    const char *allowed; /* what the parameter takes; NULL: a duration within [0, max-delay] */
    const char *what;    /* "not a number", "over max-delay (30s)", "given more than once", ... */
    const char *value;   /* as received (decoded when it decoded): into decoded, or into the caller's text */
    size_t value_len;
    char decoded[AD_DELAY_VALUE_MAX + 1];
    char why[64];
} ad_delay_param_t;

/* ?delay= from the query q[0..qlen) (after the '?'; qlen 0 when there is none). true: p->ns is set. */
bool ad_delay_from_query(ad_delay_param_t *p, const char *q, size_t qlen, int64_t default_ns, int64_t max_ns);
/* /delay/{n}: n[0..nlen) percent-decoded, then parsed like delay. true: p->ns is set. */
bool ad_delay_from_path(ad_delay_param_t *p, const char *n, size_t nlen, int64_t max_ns);

/* jitter=, seed=, ttfb=, size=, work=, status= and close= from the query (after either of the above accepted): false
 * and the refusal when bad. */
bool ad_delay_options_from_query(ad_delay_param_t *p, const char *q, size_t qlen);
/* The delay to wait: p->spec drawn from seed='s sequence at seed_index when given, else from *rng. Sets and
 * returns p->ns. */
int64_t ad_delay_param_draw(ad_delay_param_t *p, uint64_t *rng);

/* /drip's parameters (docs/http-api.md, "/drip"), httpbin's: numbytes bytes spread evenly over duration,
 * after delay, with status code. */
#define AD_DRIP_BYTES_MAX AD_DELAY_SIZE_MAX
typedef struct ad_drip {
    int64_t duration_ns; /* default 2 s; 0 to max-delay */
    int64_t delay_ns;    /* before the head; default 0; 0 to max-delay */
    uint32_t numbytes;   /* default 10; 1 to AD_DRIP_BYTES_MAX */
    int code;            /* default 200; 200 to 599 but 204 and 304 (they have no body) */
} ad_drip_t;
/* duration=, numbytes=, code= and delay= from the query: true and *d set, or false and the refusal in p. */
bool ad_drip_from_query(ad_delay_param_t *p, ad_drip_t *d, const char *q, size_t qlen, int64_t max_ns);

/* /bytes/{n}'s n (0 to AD_DELAY_SIZE_MAX, percent-decoded) and seed= from the query: true and *n, *has_seed,
 * *seed set, or false and the refusal in p (httpbin's random bytes, docs/http-api.md "/bytes/{n}"). */
bool ad_bytes_from_request(ad_delay_param_t *p, const char *n, size_t nlen, const char *q, size_t qlen,
                           uint32_t *count);

/* /stream/{n}'s n, percent-decoded: 1 to AD_STREAM_LINES_MAX (httpbin's bound). true and *count set, or false
 * and the refusal in p. */
#define AD_STREAM_LINES_MAX 100
bool ad_lines_from_path(ad_delay_param_t *p, const char *n, size_t nlen, uint32_t *count);

/* The faults drawn for one request: a closed connection, else a status to answer instead (0: none). */
typedef struct ad_fault_draw {
    ad_drop_kind_t drop;
    int status;
} ad_fault_draw_t;
/* p->close then p->status drawn from seed='s sequence at seed_index when given (the same draw number, the same
 * fate), else from *rng. */
ad_fault_draw_t ad_delay_param_draw_faults(const ad_delay_param_t *p, uint64_t *rng);

#endif
