#ifndef AD_STATUS_LINE_H
#define AD_STATUS_LINE_H
/*
 * The start of every HTTP/1 answer head libh2o 2.2.5 writes, formatted without printf. libh2o writes the
 * status line and its Date, Connection and Content-Length lines with one sprintf of the formats below:
 * glibc's printf machinery costs about 2,200 instructions a call, 18% of the daemon's whole work for a
 * zero-delay answer. sprintf_override.c puts this formatter in front of that call.
 */
#include <stdbool.h>
#include <stddef.h>

/* The formats libh2o passes: with a Content-Length, and without (a chunked or bodiless answer). */
#define AD_H1_HEAD_FORMAT_LENGTH "HTTP/1.1 %d %s\r\nDate: %s\r\nConnection: %s\r\nContent-Length: %zu\r\n"
#define AD_H1_HEAD_FORMAT "HTTP/1.1 %d %s\r\nDate: %s\r\nConnection: %s\r\n"

typedef struct {
    int status;
    const char *reason, *date, *connection;
    bool has_length; /* whether the Content-Length line is written */
    size_t content_length;
} ad_h1_head_t;

/*
 * Writes what sprintf would write for h (its format chosen by has_length), and a NUL, into dst (cap bytes):
 * the characters written, NUL not counted. -1, and nothing written, when the status is not three digits
 * (100 to 999) or the text and its NUL do not fit in cap.
 */
int ad_h1_head_format(char *dst, size_t cap, const ad_h1_head_t *h);

#endif
