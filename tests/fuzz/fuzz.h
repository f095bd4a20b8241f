#ifndef AD_FUZZ_H
#define AD_FUZZ_H
/*
 * Shared by the libFuzzer targets (fuzz_<parser>.c): the entry point's prototype (the build warns on
 * functions without one), a property check that aborts so libFuzzer saves the input, and turning the
 * fuzzer's bytes into the NUL-terminated strings and argv vectors the parsers take.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property of the parser that must hold for every input; a failure is a finding like a crash. */
#define AD_FUZZ_CHECK(cond)                                                                                            \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "fuzz: property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                         \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* data[0..size) as a malloc'd NUL-terminated string (it may hold NULs of its own). */
static inline char *ad_fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#define AD_FUZZ_ARGV_MAX 32

/* An argv vector: the bytes split at NULs into at most AD_FUZZ_ARGV_MAX - 1 arguments after argv[0] = name,
 * argv[argc] = NULL as main() gets it. Free with ad_fuzz_argv_free. */
typedef struct ad_fuzz_argv {
    char *buf;
    char *argv[AD_FUZZ_ARGV_MAX + 1];
    int argc;
} ad_fuzz_argv_t;

static inline void ad_fuzz_argv_split(ad_fuzz_argv_t *a, const char *name, const uint8_t *data, size_t size)
{
    a->buf = ad_fuzz_strndup(data, size);
    a->argc = 0;
    a->argv[a->argc++] = (char *)name;
    char *p = a->buf, *end = a->buf + size;
    while (p < end && a->argc < AD_FUZZ_ARGV_MAX) {
        a->argv[a->argc++] = p;
        p += strlen(p) + 1;
    }
    a->argv[a->argc] = NULL;
}

static inline void ad_fuzz_argv_free(ad_fuzz_argv_t *a)
{
    free(a->buf);
    a->buf = NULL;
}

#endif
