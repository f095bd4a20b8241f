#ifndef AD_FAIL_H
#define AD_FAIL_H
/* The one error path of the parsers and checks in both programs: a message into err, then -1. */
#include <stddef.h>

/* Formats a message into err (when err is non-NULL and errlen > 0) and returns -1. */
__attribute__((format(printf, 3, 4))) int ad_fail(char *err, size_t errlen, const char *fmt, ...);

#endif
