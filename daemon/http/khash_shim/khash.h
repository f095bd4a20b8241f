#ifndef AD_KHASH_SHIM_H
#define AD_KHASH_SHIM_H
/*
 * h2o/http2_internal.h includes "khash.h" (klib's hash table, which libh2o 2.2.5 builds in), and Debian's
 * libh2o-evloop-dev does not ship it. h2_guard.c needs that header for the layout of an HTTP/2
 * connection and its streams, and only reads a connection's stream table. This declares the table's type
 * in klib's layout (n_buckets, size, n_occupied, upper_bound, flags, keys, vals; 2 flag bits a bucket) and
 * the two reading macros the guard uses. Lookups are left out on purpose: kh_get is declared and never
 * defined, so code that calls it does not link.
 */
#include <stdint.h>

typedef uint32_t khint_t;
typedef khint_t khiter_t;

#define KHASH_MAP_INIT_INT64(name, khval_t)                                                                            \
    typedef struct kh_##name##_s {                                                                                     \
        khint_t n_buckets, size, n_occupied, upper_bound;                                                              \
        uint32_t *flags;                                                                                               \
        uint64_t *keys;                                                                                                \
        khval_t *vals;                                                                                                 \
    } kh_##name##_t;

#define khash_t(name) kh_##name##_t
khiter_t ad_khash_get_is_not_available(const void *h, uint64_t key);
#define kh_get(name, h, k) ad_khash_get_is_not_available((h), (k))
#define kh_end(h) ((h)->n_buckets)
#define kh_val(h, x) ((h)->vals[x])
/* Bucket x holds an entry: neither of its two flag bits (empty, deleted) is set. */
#define kh_exist(h, x) ((((h)->flags[(x) >> 4] >> (((x)&0xfU) << 1)) & 3) == 0)

#endif
