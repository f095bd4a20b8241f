#ifndef AD_CTL_PROGRESS_H
#define AD_CTL_PROGRESS_H
/*
 * Live progress of a run: one updating line on stderr when stderr is a terminal, and systemd's
 * STATUS= ("bench /non-blocking: 3200/10000, 0 errors", report_fields.h) when run under systemd.
 * Nothing otherwise. The line formatter is pure; ad_progress_update does the I/O.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine.h"

typedef struct ad_progress {
    bool tty;         /* draw the line on stderr */
    bool notify;      /* send STATUS= */
    bool drawn;       /* a line is on screen */
    char command[16]; /* "bench", "compare" */
    char name[96];    /* the run: "/non-blocking", "async" */
} ad_progress_t;

/* show_tty: the command allows the line (no --no-progress); it is drawn only if stderr is a terminal. */
void ad_progress_init(ad_progress_t *p, const char *command, const char *name, bool show_tty);
/* Shows e (an ad_engine_progress_fn: ud is the ad_progress_t). */
void ad_progress_update(const ad_engine_progress_t *e, void *ud);
/* Erases the line, so the report starts on a clean screen. */
void ad_progress_clear(ad_progress_t *p);

/* "bench /non-blocking  3200/10000  31.2k req/s  0 errors  1.2s" ("warm-up", "3200 done  1.2s/5s" for
 * timed phases), cut to width columns (0: no limit). Returns the length written. */
size_t ad_progress_format_line(const char *command, const char *name, const ad_engine_progress_t *e, unsigned width,
                               char *buf, size_t size);

#endif
