#ifndef AD_NOTIFY_H
#define AD_NOTIFY_H
/*
 * Every sd_notify call of both programs goes through here. All functions are no-ops (returning 0)
 * when $NOTIFY_SOCKET is unset, and never unset the environment, so STOPPING=1 can follow READY=1.
 * Thread-safe.
 */
#include <stdbool.h>
#include <stdint.h>

bool ad_notify_enabled(void);
int ad_notify_ready(const char *status);    /* READY=1 (+ STATUS= when status != NULL) */
int ad_notify_reloading(void);              /* RELOADING=1 */
int ad_notify_stopping(const char *status); /* STOPPING=1 (+ STATUS=) */
int ad_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ad_notify_watchdog(void); /* WATCHDOG=1 */
/* The watchdog interval systemd expects pings within, in microseconds; 0 when the watchdog is off. */
uint64_t ad_notify_watchdog_usec(void);

#endif
