#ifndef AD_CTL_ANSWER_SCAN_H
#define AD_CTL_ANSWER_SCAN_H
/*
 * Picks the daemon's `"sequence": N`, `"waited_seconds": S` and `"started_monotonic_seconds": S` out of an
 * answer body as it streams in, chunk by chunk, without buffering or parsing the JSON: the bench hot path
 * pays a few byte comparisons per body. For each key the first occurrence with a value of the right form
 * wins (sequence: a non-negative integer; the seconds: a non-negative decimal without exponent); other
 * values (a reflected query `?sequence=x` in /delay's "args" is a string) are skipped. Pure.
 */
#include <stddef.h>
#include <stdint.h>

typedef struct ad_scan_field {
    unsigned state;   /* internal: key, colon, value, integer part, fraction, done */
    unsigned matched; /* bytes of the key matched so far */
    unsigned frac_digits;
    int64_t whole, frac;
    int64_t value; /* -1 until found */
} ad_scan_field_t;

typedef struct ad_answer_scan {
    ad_scan_field_t seq, wait, start;
} ad_answer_scan_t;

void ad_answer_scan_init(ad_answer_scan_t *s);
/* Feeds the next len bytes of the body. */
void ad_answer_scan_feed(ad_answer_scan_t *s, const char *data, size_t len);
/* Once the body is complete (a number running to the end of it counts): */
int64_t ad_answer_scan_sequence(const ad_answer_scan_t *s); /* -1 when absent */
int64_t ad_answer_scan_wait_ns(const ad_answer_scan_t *s);  /* waited_seconds in ns, -1 when absent */
/* started_monotonic_seconds in ns (the server's clock: when it began serving the request), -1 when absent */
int64_t ad_answer_scan_start_ns(const ad_answer_scan_t *s);

/* Body bytes worth keeping of an answer that is not 2xx, for ad_answer_error_text. */
#define AD_ANSWER_ERROR_BODY_MAX 1024
/* Server text kept of it at most (bytes, whole UTF-8 characters). */
#define AD_ANSWER_ERROR_TEXT_MAX 160

/*
 * The server's own words for a refusal, from the start of its body: the "error" (else "message") string
 * of a JSON object, as asyncdemod answers ({"error": "bad delay: over max-delay (30s)", ...}); else the
 * first line of a body that is text and not markup. Cut to AD_ANSWER_ERROR_TEXT_MAX bytes on a character
 * boundary, raw (printing escapes it: text_escape.h). Returns its length; 0 (out "") when there is none.
 */
size_t ad_answer_error_text(const char *body, size_t len, char *out, size_t size);

#endif
