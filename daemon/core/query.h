#ifndef AD_QUERY_H
#define AD_QUERY_H
/* URL query strings ("a=1&b=%20x"). Pure functions over (pointer, length); nothing is NUL-terminated. */
#include <stdbool.h>
#include <stddef.h>

typedef struct ad_query_pair {
    const char *name; /* raw, still percent-encoded */
    size_t name_len;
    const char *value; /* raw; NULL when the pair has no '=' ("a&b") */
    size_t value_len;
} ad_query_pair_t;

/* Iterates pairs: *pos starts at 0. Returns true and fills pair, false at the end. Empty pairs ("a&&b") are skipped. */
bool ad_query_next(const char *query, size_t len, size_t *pos, ad_query_pair_t *pair);

/* Percent-decodes in[0..len) into out (NUL-terminated), '+' as space when plus_as_space. Returns the
 * decoded length, or -1 on bad encoding ("%4", "%zz", a decoded NUL) or when out is too small. */
long ad_percent_decode(const char *in, size_t len, char *out, size_t outsize, bool plus_as_space);

typedef enum {
    AD_QUERY_FOUND = 0,
    AD_QUERY_ABSENT,
    AD_QUERY_REPEATED, /* given more than once */
    AD_QUERY_BAD_ENCODING,
    AD_QUERY_TOO_LONG,
} ad_query_status_t;

/* Finds the one value of parameter name (compared after decoding), decoded into out ('+' is a space).
 * "name" without '=' counts as an empty value. out holds "" unless AD_QUERY_FOUND. Pairs whose name
 * cannot be decoded match nothing; a bad value wins over a too long one. */
ad_query_status_t ad_query_get(const char *query, size_t len, const char *name, char *out, size_t outsize);

#endif
