/*
 * Logging to the journal (structured) or to stderr (one line per entry), see log.h.
 *
 * The configuration (ident, target) sits behind a mutex held only to copy it; the level is an atomic
 * so filtered-out entries cost one load. Formatting happens on the caller's stack and the line leaves
 * in one write(), so lines from several threads never interleave (pipes keep writes up to PIPE_BUF
 * whole). Before ad_log_init: ident "asyncdemo", level info, stderr.
 */
#include "log.h"

#define SD_JOURNAL_SUPPRESS_LOCATION /* CODE_FILE= etc. would name this file, not the caller */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "digits.h"

#define AD_LOG_IDENT_MAX 64
#define AD_LOG_STACK_LINE 2048
#define AD_LOG_STACK_IOV 32

static pthread_mutex_t g_config_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_ident[AD_LOG_IDENT_MAX] = "asyncdemo";
static bool g_journal;
static int g_level = LOG_INFO;

/* True when stderr is the stream $JOURNAL_STREAM ("device:inode") names, i.e. systemd connected it. */
static bool stderr_is_journal(void)
{
    const char *env = getenv("JOURNAL_STREAM");
    if (env == NULL || *env == '\0')
        return false;
    char *end;
    errno = 0;
    unsigned long long dev = strtoull(env, &end, 10);
    if (errno != 0 || end == env || *end != ':')
        return false;
    const char *ino_s = end + 1;
    unsigned long long ino = strtoull(ino_s, &end, 10);
    if (errno != 0 || end == ino_s || *end != '\0')
        return false;
    struct stat st;
    if (fstat(STDERR_FILENO, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/*
 * sd_journal_sendv() returns success and drops the entry when journald is not running, so a forced
 * journal target falls back to stderr when its socket is missing (a container, a chroot).
 */
static bool journal_available(void)
{
    return access("/run/systemd/journal/socket", F_OK) == 0;
}

void ad_log_init(const char *ident, int level, ad_log_target_t target)
{
    bool journal = (target == AD_LOG_JOURNAL && journal_available()) || (target == AD_LOG_AUTO && stderr_is_journal());
    pthread_mutex_lock(&g_config_lock);
    snprintf(g_ident, sizeof(g_ident), "%s", ident != NULL && *ident != '\0' ? ident : "asyncdemo");
    g_journal = journal;
    pthread_mutex_unlock(&g_config_lock);
    ad_log_set_level(level);
}

void ad_log_set_level(int level)
{
    if (level < LOG_EMERG)
        level = LOG_EMERG;
    if (level > LOG_DEBUG)
        level = LOG_DEBUG;
    __atomic_store_n(&g_level, level, __ATOMIC_RELAXED);
}

int ad_log_get_level(void)
{
    return __atomic_load_n(&g_level, __ATOMIC_RELAXED);
}

bool ad_log_to_journal(void)
{
    pthread_mutex_lock(&g_config_lock);
    bool journal = g_journal;
    pthread_mutex_unlock(&g_config_lock);
    return journal;
}

int ad_log_parse_level(const char *s)
{
    static const struct {
        const char *name;
        int prio;
    } names[] = {
        {"err", LOG_ERR},       {"error", LOG_ERR}, {"warning", LOG_WARNING}, {"warn", LOG_WARNING},
        {"notice", LOG_NOTICE}, {"info", LOG_INFO}, {"debug", LOG_DEBUG},
    };
    if (s == NULL)
        return -1;
    if (s[0] >= '3' && s[0] <= '7' && s[1] == '\0')
        return s[0] - '0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(s, names[i].name) == 0)
            return names[i].prio;
    }
    return -1;
}

const char *ad_log_level_name(int prio)
{
    static const char *const names[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    return prio >= 0 && prio <= LOG_DEBUG ? names[prio] : "unknown";
}

/* A journal field name: [A-Z0-9_], not starting with '_' (trusted fields) or a digit, at most 64. */
static size_t field_key_len(const char *field)
{
    const char *eq = strchr(field, '=');
    if (eq == NULL || eq == field || eq - field > 64 || field[0] == '_' || (field[0] >= '0' && field[0] <= '9'))
        return 0;
    for (const char *p = field; p < eq; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    }
    return (size_t)(eq - field);
}

/* A growable line buffer that starts on the caller's stack. */
typedef struct {
    char *buf;
    size_t len, cap;
    bool heap, failed;
} line_t;

static void line_put(line_t *l, const char *s, size_t n)
{
    if (l->failed)
        return;
    if (n > l->cap - l->len) {
        size_t cap = (l->len + n) * 2;
        char *buf = l->heap ? realloc(l->buf, cap) : malloc(cap);
        if (buf == NULL) { /* keep what fits: a cut line beats none */
            l->failed = true;
            return;
        }
        if (!l->heap)
            memcpy(buf, l->buf, l->len);
        l->buf = buf;
        l->cap = cap;
        l->heap = true;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* Appends s with control characters escaped so an entry stays one line; `quote` escapes '"' and '\' too. */
static void line_put_escaped(line_t *l, const char *s, size_t n, bool quote)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7f && !(quote && (c == '"' || c == '\\')))
            continue;
        line_put(l, s + start, i - start);
        char esc[4] = {'\\', (char)c, 0, 0};
        size_t en = 2;
        if (c == '\n')
            esc[1] = 'n';
        else if (c == '\t')
            esc[1] = 't';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c < 0x20 || c == 0x7f) {
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 0xF];
            en = 4;
        }
        line_put(l, esc, en);
        start = i + 1;
    }
    line_put(l, s + start, n - start);
}

/* KEY=value, quoted when the value is empty or holds a space, quote, backslash or control char. */
static void line_put_field(line_t *l, const char *field, size_t key_len)
{
    const char *value = field + key_len + 1;
    size_t vlen = strlen(value);
    bool quote = vlen == 0;
    for (size_t i = 0; i < vlen && !quote; i++) {
        unsigned char c = (unsigned char)value[i];
        quote = c <= 0x20 || c == '"' || c == '\\' || c == 0x7f;
    }
    line_put(l, " ", 1);
    line_put(l, field, key_len + 1);
    if (quote)
        line_put(l, "\"", 1);
    line_put_escaped(l, value, vlen, quote);
    if (quote)
        line_put(l, "\"", 1);
}

/* write() until done; one call in practice, more only when a pipe or terminal takes part of it. */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static void log_stderr(const char *ident, int prio, const char *msg, const char *const *fields)
{
    char stack[AD_LOG_STACK_LINE];
    line_t l = {.buf = stack, .cap = sizeof(stack)};
    char pid[AD_U64_DEC_MAX];
    size_t pid_len = ad_u64_to_dec((uint64_t)getpid(), pid);
    const char *level = ad_log_level_name(prio);
    line_put(&l, ident, strlen(ident));
    line_put(&l, "[", 1);
    line_put(&l, pid, pid_len);
    line_put(&l, "]: ", 3);
    line_put(&l, level, strlen(level));
    line_put(&l, " ", 1);
    line_put_escaped(&l, msg, strlen(msg), false);
    for (size_t i = 0; fields != NULL && fields[i] != NULL; i++) {
        size_t key_len = field_key_len(fields[i]);
        if (key_len > 0)
            line_put_field(&l, fields[i], key_len);
    }
    line_put(&l, "\n", 1);
    if (l.failed) { /* out of memory: the part that fit, still ending the line */
        l.len = l.len < l.cap ? l.len : l.cap - 1;
        l.buf[l.len++] = '\n';
    }
    write_all(STDERR_FILENO, l.buf, l.len);
    if (l.heap)
        free(l.buf);
}

/* Returns sd_journal_sendv's result: < 0 when journald could not take the entry. */
static int log_journal(const char *ident, int prio, const char *msgid, const char *msg, const char *const *fields)
{
    size_t nfields = 0;
    while (fields != NULL && fields[nfields] != NULL)
        nfields++;
    struct iovec stack_iov[AD_LOG_STACK_IOV], *iov = stack_iov;
    if (nfields + 4 > AD_LOG_STACK_IOV) {
        iov = malloc((nfields + 4) * sizeof(*iov));
        if (iov == NULL)
            return -ENOMEM;
    }
    char *message = NULL, *ident_field = NULL, *msgid_field = NULL;
    char prio_field[16];
    int n = 0, rc = -ENOMEM;
    if (asprintf(&message, "MESSAGE=%s", msg) < 0) {
        message = NULL;
        goto out;
    }
    if (asprintf(&ident_field, "SYSLOG_IDENTIFIER=%s", ident) < 0) {
        ident_field = NULL;
        goto out;
    }
    if (msgid != NULL && asprintf(&msgid_field, "MESSAGE_ID=%s", msgid) < 0) {
        msgid_field = NULL;
        goto out;
    }
    snprintf(prio_field, sizeof(prio_field), "PRIORITY=%d", prio);
    iov[n++] = (struct iovec){message, strlen(message)};
    iov[n++] = (struct iovec){prio_field, strlen(prio_field)};
    iov[n++] = (struct iovec){ident_field, strlen(ident_field)};
    if (msgid_field != NULL)
        iov[n++] = (struct iovec){msgid_field, strlen(msgid_field)};
    for (size_t i = 0; i < nfields; i++) {
        if (field_key_len(fields[i]) > 0) /* journald would drop the entry's bad field anyway */
            iov[n++] = (struct iovec){(void *)fields[i], strlen(fields[i])};
    }
    rc = sd_journal_sendv(iov, n);
out:
    free(message);
    free(ident_field);
    free(msgid_field);
    if (iov != stack_iov)
        free(iov);
    return rc;
}

void ad_log_entryv(int prio, const char *msgid, const char *const *fields, const char *fmt, va_list ap)
{
    if (prio > ad_log_get_level())
        return;
    char ident[AD_LOG_IDENT_MAX];
    pthread_mutex_lock(&g_config_lock);
    memcpy(ident, g_ident, sizeof(ident));
    bool journal = g_journal;
    pthread_mutex_unlock(&g_config_lock);

    char stack[1024], *msg = stack;
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(stack, sizeof(stack), fmt, ap);
    if (len >= (int)sizeof(stack)) {
        msg = malloc((size_t)len + 1);
        if (msg != NULL)
            vsnprintf(msg, (size_t)len + 1, fmt, ap2);
        else
            msg = stack; /* truncated beats lost */
    } else if (len < 0) {
        snprintf(stack, sizeof(stack), "(bad log format: %s)", fmt);
    }
    va_end(ap2);

    if (!journal || log_journal(ident, prio, msgid, msg, fields) < 0)
        log_stderr(ident, prio, msg, fields);
    if (msg != stack)
        free(msg);
}

void ad_log_entry(int prio, const char *msgid, const char *const *fields, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ad_log_entryv(prio, msgid, fields, fmt, ap);
    va_end(ap);
}
