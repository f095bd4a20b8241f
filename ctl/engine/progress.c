/* Progress line and STATUS= (see progress.h). */
#include "progress.h"
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "duration.h"
#include "i18n.h"
#include "notify.h"
#include "report_fields.h"

void ad_progress_init(ad_progress_t *p, const char *command, const char *name, bool show_tty)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->command, sizeof(p->command), "%s", command);
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->tty = show_tty && isatty(STDERR_FILENO);
    p->notify = ad_notify_enabled();
}

static void format_rate(double rps, char *buf, size_t size)
{
    if (rps >= 1e6)
        snprintf(buf, size, "%.2fM", rps / 1e6);
    else if (rps >= 1e4)
        snprintf(buf, size, "%.1fk", rps / 1e3);
    else
        snprintf(buf, size, "%.0f", rps);
}

/* "3200/10000", "3200 done" or "warm-up". */
static void format_count(const ad_engine_progress_t *e, char *buf, size_t size)
{
    if (e->warmup)
        snprintf(buf, size, "%s", _("warm-up"));
    else if (e->total > 0)
        snprintf(buf, size, "%llu/%llu", (unsigned long long)e->completed, (unsigned long long)e->total);
    else
        snprintf(buf, size, _("%llu done"), (unsigned long long)e->completed);
}

/* "1.2s" or "1.2s/5s" for a timed phase. */
static void format_time(const ad_engine_progress_t *e, char *buf, size_t size)
{
    /* Tenths of a second are enough on a line redrawn ten times a second. */
    int64_t tenth = 100 * INT64_C(1000000);
    char el[32], dur[32];
    ad_duration_format(e->elapsed_ns / tenth * tenth, el, sizeof(el));
    if (e->total == 0 && e->duration_ns > 0) {
        ad_duration_format(e->duration_ns, dur, sizeof(dur));
        snprintf(buf, size, "%s/%s", el, dur);
    } else {
        snprintf(buf, size, "%s", el);
    }
}

size_t ad_progress_format_line(const char *command, const char *name, const ad_engine_progress_t *e, unsigned width,
                               char *buf, size_t size)
{
    char count[64], rate[32], time[80];
    format_count(e, count, sizeof(count));
    format_rate(e->rps, rate, sizeof(rate));
    format_time(e, time, sizeof(time));
    char errors[64];
    snprintf(errors, sizeof(errors), NG_("%llu error", "%llu errors", e->errors), (unsigned long long)e->errors);
    int n = snprintf(buf, size, _("%s %s  %s  %s req/s  %s  %s"), command, name, count, rate, errors, time);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len >= size)
        len = size > 0 ? size - 1 : 0;
    if (width > 0 && size > 0 && (unsigned)ad_text_cells(buf) > width) { /* cells, not bytes: text may be Cyrillic */
        len = ad_text_cut(buf, (int)width);
        buf[len] = '\0';
    }
    return len;
}

static unsigned terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        return ws.ws_col - 1u; /* the last column would wrap on some terminals */
    return 79;
}

void ad_progress_update(const ad_engine_progress_t *e, void *ud)
{
    ad_progress_t *p = ud;
    char buf[512];
    if (p->tty) {
        ad_progress_format_line(p->command, p->name, e, terminal_width(), buf, sizeof(buf));
        fprintf(stderr, "\r%s\033[K", buf);
        fflush(stderr);
        p->drawn = true;
    }
    if (p->notify) {
        char name[sizeof(p->name) + 16];
        snprintf(name, sizeof(name), "%s%s", p->name, e->warmup ? " (warm-up)" : "");
        ad_report_progress_status(p->command, name, e->completed, e->warmup ? 0 : e->total, e->errors, buf,
                                  sizeof(buf));
        ad_notify_status("%s", buf);
    }
}

void ad_progress_clear(ad_progress_t *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}
