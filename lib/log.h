#ifndef AD_LOG_H
#define AD_LOG_H
/*
 * The one logging facility of both programs. Under systemd (stderr is the journal stream named by
 * $JOURNAL_STREAM) entries go to the journal with structured fields and a MESSAGE_ID; otherwise to
 * stderr as "ident[pid]: <level> message KEY=value ...". Thread-safe.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h> /* LOG_ERR .. LOG_DEBUG are the priorities */

typedef enum { AD_LOG_AUTO = 0, AD_LOG_JOURNAL, AD_LOG_STDERR } ad_log_target_t;

/* ident: program name for stderr lines and SYSLOG_IDENTIFIER. level: highest priority logged. */
void ad_log_init(const char *ident, int level, ad_log_target_t target);
void ad_log_set_level(int level);
int ad_log_get_level(void);
bool ad_log_to_journal(void);

/* "err" "warning" "notice" "info" "debug" (also "error", "warn", or a digit 3-7) -> priority, or -1. */
int ad_log_parse_level(const char *s);
const char *ad_log_level_name(int prio);

/*
 * Logs one entry. msgid: 32 hex digits from messages.h, or NULL. fields: NULL, or a NULL-terminated
 * array of "KEY=value" strings (KEY in [A-Z0-9_], journal field rules) attached to the entry.
 */
void ad_log_entry(int prio, const char *msgid, const char *const *fields, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ad_log_entryv(int prio, const char *msgid, const char *const *fields, const char *fmt, va_list ap);

#define ad_log_error(...) ad_log_entry(LOG_ERR, NULL, NULL, __VA_ARGS__)
#define ad_log_warning(...) ad_log_entry(LOG_WARNING, NULL, NULL, __VA_ARGS__)
#define ad_log_notice(...) ad_log_entry(LOG_NOTICE, NULL, NULL, __VA_ARGS__)
#define ad_log_info(...) ad_log_entry(LOG_INFO, NULL, NULL, __VA_ARGS__)
#define ad_log_debug(...) ad_log_entry(LOG_DEBUG, NULL, NULL, __VA_ARGS__)

#endif
