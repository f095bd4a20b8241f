/*
 * The daemon's __sprintf_chk (the fortified sprintf libh2o calls, being built with _FORTIFY_SOURCE): the
 * dynamic linker binds this one in place of glibc's, for the whole process. The start of libh2o's HTTP/1
 * answer heads (status_line.h) is formatted by hand; every other call goes to glibc's __vsprintf_chk,
 * unchanged, bounds check included.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "status_line.h"

int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...);
int __vsprintf_chk(char *s, int flag, size_t slen, const char *format, va_list ap);

int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = -1;
    bool with_length = strcmp(format, AD_H1_HEAD_FORMAT_LENGTH) == 0;
    if (with_length || strcmp(format, AD_H1_HEAD_FORMAT) == 0) {
        va_list args;
        va_copy(args, ap);
        ad_h1_head_t h = {.status = va_arg(args, int), .has_length = with_length};
        h.reason = va_arg(args, const char *);
        h.date = va_arg(args, const char *);
        h.connection = va_arg(args, const char *);
        if (with_length)
            h.content_length = va_arg(args, size_t);
        va_end(args);
        n = ad_h1_head_format(s, slen, &h);
    }
    if (n < 0) /* any other format, or a head this formatter does not write: glibc's */
        n = __vsprintf_chk(s, flag, slen, format, ap);
    va_end(ap);
    return n;
}
