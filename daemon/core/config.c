#include "config.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "text_escape.h"
#include "duration.h"
#include "endpoint_list.h"
#include "fail.h"
#include "file_read.h"
#include "log.h"
#include "sockaddr.h"

#define AD_CONFIG_MAX_FILE (1024 * 1024) /* a config file is a few hundred bytes; refuse anything huge */
#define AD_CONFIG_MAX_VALUE 256
#define AD_SHOW_MAX 64                    /* longest piece of user input quoted back in a message */
#define AD_SHOW_BUF (AD_SHOW_MAX * 4 + 4) /* each byte may become \\xHH, then "..." */

/* ---- the settings: one table drives the file, the flags and the checks ---- */

typedef enum { KIND_LISTEN, KIND_TLS_FILE, KIND_UINT, KIND_DURATION, KIND_LOG_LEVEL, KIND_SWITCH } kind_t;

typedef struct option {
    const char *name; /* file key = long flag without "--" */
    kind_t kind;
    size_t offset; /* of the unsigned / int64_t field in ad_config_t; of the path in ad_listen_addr_t for TLS */
    int64_t min, max;
    const char *range; /* min and max as a person writes them */
} option_t;

#define UINT_OPT(n, field, lo, hi, r)                                                                                  \
    {                                                                                                                  \
        n, KIND_UINT, offsetof(ad_config_t, field), lo, hi, r                                                          \
    }
#define DUR_OPT(n, field, lo, hi, r)                                                                                   \
    {                                                                                                                  \
        n, KIND_DURATION, offsetof(ad_config_t, field), lo, hi, r                                                      \
    }

static const option_t options[] = {
    {"listen", KIND_LISTEN, 0, 0, 0, NULL},
    {"tls-cert", KIND_TLS_FILE, offsetof(ad_listen_addr_t, tls_cert), 0, 0, NULL},
    {"tls-key", KIND_TLS_FILE, offsetof(ad_listen_addr_t, tls_key), 0, 0, NULL},
    UINT_OPT("threads", threads, 1, 64, N_("1 to 64")),
    DUR_OPT("max-delay", max_delay_ns, 0, 3600 * AD_NS_PER_SEC, N_("0 to 1h")),
    DUR_OPT("default-delay", default_delay_ns, 0, 3600 * AD_NS_PER_SEC, N_("0 to 1h")),
    UINT_OPT("pool-size", pool_size, 1, 256, N_("1 to 256")),
    UINT_OPT("pool-queue", pool_queue, 0, 100000, N_("0 to 100000")),
    {"log-level", KIND_LOG_LEVEL, offsetof(ad_config_t, log_level), LOG_ERR, LOG_DEBUG, N_("err to debug")},
    DUR_OPT("stall-threshold", stall_threshold_ns, AD_NS_PER_MS, 3600 * AD_NS_PER_SEC, N_("1ms to 1h")),
    DUR_OPT("tick-interval", tick_interval_ns, AD_NS_PER_MS, AD_NS_PER_SEC, N_("1ms to 1s")),
    DUR_OPT("drain-timeout", drain_timeout_ns, 0, 3600 * AD_NS_PER_SEC, N_("0 to 1h")),
    UINT_OPT("max-connections", max_connections, 1, 1000000, N_("1 to 1000000")),
    UINT_OPT("max-waiting", max_waiting, 1, 1000000, N_("1 to 1000000")),
    DUR_OPT("header-timeout", header_timeout_ns, 10 * AD_NS_PER_MS, 3600 * AD_NS_PER_SEC, N_("10ms to 1h")),
    DUR_OPT("idle-timeout", idle_timeout_ns, 10 * AD_NS_PER_MS, 3600 * AD_NS_PER_SEC, N_("10ms to 1h")),
    DUR_OPT("send-timeout", send_timeout_ns, 10 * AD_NS_PER_MS, 3600 * AD_NS_PER_SEC, N_("10ms to 1h")),
    {"ui", KIND_SWITCH, offsetof(ad_config_t, ui), 0, 1, N_("on or off")},
    UINT_OPT("events-clients", events_clients, 1, 100000, N_("1 to 100000")),
    UINT_OPT("max-body", max_body, 0, AD_MAX_BODY_LIMIT, N_("0 to 67108864")),
    UINT_OPT("hsts-max-age", hsts_max_age, 0, AD_HSTS_MAX_AGE_LIMIT, N_("0 to 63072000")),
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const option_t *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strlen(options[i].name) == len && memcmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

/*
 * User input quoted in a message: at most AD_SHOW_MAX bytes; anything but printable ASCII as \xHH, so a
 * message never carries raw bytes (control characters, a BOM, invalid UTF-8) to a terminal or the journal.
 */
static const char *show(const char *s, size_t len, char buf[AD_SHOW_BUF])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = len > AD_SHOW_MAX ? AD_SHOW_MAX : len, o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    strcpy(buf + o, len > n ? "..." : "");
    return buf;
}

void ad_config_defaults(ad_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    ad_listen_addr_parse("127.0.0.1:8000", &cfg->listen[0], NULL, 0);
    cfg->nlisten = 1;
    cfg->threads = 1;
    cfg->max_delay_ns = 30 * AD_NS_PER_SEC;
    cfg->default_delay_ns = 2 * AD_NS_PER_SEC;
    cfg->pool_size = 8;
    cfg->pool_queue = 64;
    cfg->log_level = LOG_INFO;
    cfg->stall_threshold_ns = 100 * AD_NS_PER_MS;
    cfg->tick_interval_ns = 50 * AD_NS_PER_MS;
    cfg->drain_timeout_ns = 35 * AD_NS_PER_SEC;
    cfg->max_connections = 16384; /* room for the 10,000-client benchmark, below the unit's LimitNOFILE=20000 */
    cfg->max_waiting = 50000;
    cfg->header_timeout_ns = 10 * AD_NS_PER_SEC; /* h2o's own defaults */
    cfg->idle_timeout_ns = 10 * AD_NS_PER_SEC;
    cfg->send_timeout_ns = 30 * AD_NS_PER_SEC;
    cfg->ui = true;
    cfg->events_clients = 256;
    cfg->max_body = 1024 * 1024;
}

/* ---- listen addresses ---- */

static int parse_port(const char *s, size_t len, uint16_t *port)
{
    if (len == 0 || len > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int ad_config_listen_for_socket(const ad_config_t *cfg, const char *fd_name, const char *bound, char *err,
                                size_t errlen)
{
    int by_address = -1, first_tls = -1;
    for (size_t i = 0; i < cfg->nlisten; i++) {
        if (by_address < 0 && strcmp(cfg->listen[i].text, bound) == 0)
            by_address = (int)i;
        if (first_tls < 0 && cfg->listen[i].tls_cert[0] != '\0')
            first_tls = (int)i;
    }
    if (fd_name != NULL && strcmp(fd_name, AD_FDNAME_HTTP) == 0)
        return -1;
    if (fd_name == NULL || strcmp(fd_name, AD_FDNAME_TLS) != 0)
        return by_address;
    if (by_address >= 0 && cfg->listen[by_address].tls_cert[0] != '\0')
        return by_address;
    if (first_tls < 0) /* under systemd, never a terminal: the listeners' messages are not translated */
        snprintf(err, errlen,
                 "the socket %s named \"tls\" by systemd (FileDescriptorName=) needs a listen line with a tls-cert",
                 bound);
    return first_tls < 0 ? -2 : first_tls;
}

int ad_listen_addr_parse(const char *text, ad_listen_addr_t *out, char *err, size_t errlen)
{
    char shown[AD_SHOW_BUF], host[INET6_ADDRSTRLEN + 1], norm[INET6_ADDRSTRLEN];
    size_t len = strlen(text), hostlen;
    const char *hoststart = text, *colon;
    bool v6 = text[0] == '[';

    show(text, len, shown);
    if (v6) {
        const char *close = memchr(text, ']', len);
        if (close == NULL) {
            ad_fail(err, errlen, _("'%s': missing ']' after the IPv6 address"), shown);
            return -1;
        }
        hoststart = text + 1;
        hostlen = (size_t)(close - hoststart);
        colon = close + 1;
        if (*colon != ':') {
            ad_fail(err, errlen, _("'%s': expected [IPV6]:PORT"), shown);
            return -1;
        }
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL) {
            ad_fail(err, errlen, _("'%s': expected ADDR:PORT (e.g. 127.0.0.1:8000 or [::1]:8000)"), shown);
            return -1;
        }
        hostlen = (size_t)(colon - text);
        if (memchr(text, ':', hostlen) != NULL) {
            ad_fail(err, errlen, _("'%s': put an IPv6 address in brackets, e.g. [::1]:8000"), shown);
            return -1;
        }
    }

    uint16_t port;
    const char *portstr = colon + 1;
    if (parse_port(portstr, strlen(portstr), &port) != 0) {
        ad_fail(err, errlen, _("'%s': port must be a number from 0 to 65535"), shown);
        return -1;
    }
    if (hostlen >= sizeof(host)) {
        ad_fail(err, errlen, _("'%s': not a numeric IP address"), shown);
        return -1;
    }
    memcpy(host, hoststart, hostlen);
    host[hostlen] = '\0';
    if (!v6 && hostlen == 0)
        strcpy(host, "127.0.0.1");

    memset(out, 0, sizeof(*out));
    if (ad_sockaddr_set(&out->addr, &out->addrlen, v6 ? AF_INET6 : AF_INET, host, port) != 0)
        return ad_fail(err, errlen,
                       v6 ? _("'%s': not a numeric IPv6 address")
                          : _("'%s': host must be a numeric IPv4 address or [IPv6] (no names)"),
                       shown);
    /* the address as the kernel will report it: "[::1]:8000", "127.0.0.1:8000" */
    const void *ip = v6 ? (const void *)&((struct sockaddr_in6 *)&out->addr)->sin6_addr
                        : (const void *)&((struct sockaddr_in *)&out->addr)->sin_addr;
    inet_ntop(v6 ? AF_INET6 : AF_INET, ip, norm, sizeof(norm));
    snprintf(out->text, sizeof(out->text), v6 ? "[%s]:%u" : "%s:%u", norm, (unsigned)port);
    return 0;
}

static uint16_t listen_port(const ad_listen_addr_t *a)
{
    const struct sockaddr *sa = (const struct sockaddr *)&a->addr;
    if (sa->sa_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

/* ---- one setting from text: shared by the file and the flags ---- */

typedef struct apply_state {
    bool listen_replaced; /* the first listen of a source replaces what came before */
} apply_state_t;

static int apply_listen(ad_config_t *cfg, const char *value, apply_state_t *st, char *reason, size_t rlen)
{
    ad_listen_addr_t a;
    if (ad_listen_addr_parse(value, &a, reason, rlen) != 0)
        return -1;
    if (!st->listen_replaced) {
        cfg->nlisten = 0;
        st->listen_replaced = true;
    }
    for (size_t i = 0; i < cfg->nlisten; i++) {
        if (strcmp(cfg->listen[i].text, a.text) == 0 && listen_port(&a) != 0) {
            ad_fail(reason, rlen, _("%s is given twice"), a.text);
            return -1;
        }
    }
    if (cfg->nlisten == AD_MAX_LISTEN) {
        ad_fail(reason, rlen, _("at most %d listen addresses"), AD_MAX_LISTEN);
        return -1;
    }
    cfg->listen[cfg->nlisten++] = a;
    return 0;
}

/* tls-cert / tls-key: for the listen address given last in the same source (file or command line). */
static int apply_tls_file(ad_config_t *cfg, const option_t *o, const char *value, const apply_state_t *st, char *reason,
                          size_t rlen)
{
    char shown[AD_SHOW_BUF];
    if (!st->listen_replaced) {
        ad_fail(reason, rlen,
                "give it after the listen address it belongs to (e.g. --listen 127.0.0.1:8443 "
                "--tls-cert cert.pem --tls-key key.pem)");
        return -1;
    }
    size_t len = strlen(value);
    if (len == 0 || len >= AD_TLS_PATH_MAX) {
        ad_fail(reason, rlen, "bad value '%s': expected a file name of 1 to %d bytes", show(value, len, shown),
                AD_TLS_PATH_MAX - 1);
        return -1;
    }
    memcpy((char *)&cfg->listen[cfg->nlisten - 1] + o->offset, value, len + 1);
    return 0;
}

static int apply_uint(ad_config_t *cfg, const option_t *o, const char *value, char *reason, size_t rlen)
{
    char shown[AD_SHOW_BUF];
    size_t len = strlen(value);
    uint64_t v = 0;

    show(value, len, shown);
    if (len == 0 || strspn(value, "0123456789") != len) {
        ad_fail(reason, rlen, _("bad value '%s': expected a whole number from %s"), shown, _(o->range));
        return -1;
    }
    for (size_t i = 0; i < len && v <= (uint64_t)o->max; i++)
        v = v * 10 + (uint64_t)(value[i] - '0');
    if (v < (uint64_t)o->min || v > (uint64_t)o->max) {
        ad_fail(reason, rlen, _("%s is out of range (%s)"), shown, _(o->range));
        return -1;
    }
    *(unsigned *)((char *)cfg + o->offset) = (unsigned)v;
    return 0;
}

static int apply_duration(ad_config_t *cfg, const option_t *o, const char *value, char *reason, size_t rlen)
{
    char shown[AD_SHOW_BUF];
    size_t len = strlen(value);
    int64_t ns;
    int below_ns;

    show(value, len, shown);
    ad_duration_status_t ds = ad_duration_parse_ex(value, len, &ns, &below_ns);
    if (ds == AD_DURATION_RANGE || (ds == AD_DURATION_OK && (ns < o->min || ad_duration_over(ns, below_ns, o->max)))) {
        ad_fail(reason, rlen, _("%s is out of range (%s)"), shown, _(o->range));
        return -1;
    }
    if (ds != AD_DURATION_OK) {
        ad_fail(reason, rlen, _("bad value '%s': %s; expected a duration such as 250ms, 2s or 0.5 (%s)"), shown,
                ad_duration_strerror(ds), _(o->range));
        return -1;
    }
    *(int64_t *)((char *)cfg + o->offset) = ns;
    return 0;
}

static int apply_log_level(ad_config_t *cfg, const char *value, char *reason, size_t rlen)
{
    char shown[AD_SHOW_BUF];
    int level = ad_log_parse_level(value);
    if (level < 0) {
        ad_fail(reason, rlen, _("bad value '%s': expected err, warning, notice, info or debug"),
                show(value, strlen(value), shown));
        return -1;
    }
    cfg->log_level = level;
    return 0;
}

static int apply_switch(ad_config_t *cfg, const option_t *o, const char *value, char *reason, size_t rlen)
{
    char shown[AD_SHOW_BUF];
    bool *field = (bool *)((char *)cfg + o->offset);
    if (strcmp(value, "on") == 0 || strcmp(value, "off") == 0) {
        *field = value[1] == 'n';
        return 0;
    }
    ad_fail(reason, rlen, _("bad value '%s': expected on or off"), show(value, strlen(value), shown));
    return -1;
}

static int apply(ad_config_t *cfg, const option_t *o, const char *value, apply_state_t *st, char *reason, size_t rlen)
{
    switch (o->kind) {
    case KIND_LISTEN:
        return apply_listen(cfg, value, st, reason, rlen);
    case KIND_TLS_FILE:
        return apply_tls_file(cfg, o, value, st, reason, rlen);
    case KIND_UINT:
        return apply_uint(cfg, o, value, reason, rlen);
    case KIND_DURATION:
        return apply_duration(cfg, o, value, reason, rlen);
    case KIND_LOG_LEVEL:
        return apply_log_level(cfg, value, reason, rlen);
    case KIND_SWITCH:
        return apply_switch(cfg, o, value, reason, rlen);
    }
    return -1;
}

/* ---- the config file ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* One line, without its '\n'. Returns 0 or -1 with reason, key and keylen naming the key for the message. */
static int parse_line(ad_config_t *cfg, const char *line, size_t len, apply_state_t *st, const char **key,
                      size_t *keylen, char *reason, size_t rlen)
{
    char shown[AD_SHOW_BUF], value[AD_CONFIG_MAX_VALUE];
    const char *hash = memchr(line, '#', len);
    if (hash != NULL)
        len = (size_t)(hash - line);
    ad_trim(&line, &len, is_space);
    *key = line;
    *keylen = 0;
    if (len == 0)
        return 0;

    const char *eq = memchr(line, '=', len);
    if (eq == NULL) {
        size_t k = 0;
        while (k < len && !is_space(line[k]))
            k++;
        *keylen = k;
        ad_fail(reason, rlen, _("missing '=' (expected \"key = value\")"));
        return -1;
    }
    *keylen = (size_t)(eq - line);
    ad_trim(key, keylen, is_space);
    if (*keylen == 0) {
        ad_fail(reason, rlen, _("missing key name before '='"));
        return -1;
    }
    const option_t *o = find_option(*key, *keylen);
    if (o == NULL) {
        ad_fail(reason, rlen, _("unknown key"));
        return -1;
    }
    const char *v = eq + 1;
    size_t vlen = len - (size_t)(v - line);
    ad_trim(&v, &vlen, is_space);
    if (memchr(v, '\0', vlen) != NULL) {
        ad_fail(reason, rlen, _("bad value '%s': contains a NUL byte"), show(v, vlen, shown));
        return -1;
    }
    if (vlen >= sizeof(value)) {
        ad_fail(reason, rlen, _("bad value '%s': longer than %d bytes"), show(v, vlen, shown), AD_CONFIG_MAX_VALUE - 1);
        return -1;
    }
    memcpy(value, v, vlen);
    value[vlen] = '\0';
    return apply(cfg, o, value, st, reason, rlen);
}

int ad_config_parse_text(ad_config_t *cfg, const char *text, size_t len, const char *filename, char *err, size_t errlen)
{
    apply_state_t st = {false};
    size_t pos = 0;
    /* A UTF-8 byte order mark (some editors write one) is not part of the first key. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    for (unsigned lineno = 1; pos < len; lineno++) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t linelen = nl ? (size_t)(nl - line) : len - pos;
        const char *key;
        size_t keylen;
        char reason[256], shown[AD_SHOW_BUF];

        pos += linelen + 1;
        if (parse_line(cfg, line, linelen, &st, &key, &keylen, reason, sizeof(reason)) != 0) {
            ad_fail(err, errlen, _("%s:%u: key '%s': %s"), filename, lineno, show(key, keylen, shown), reason);
            return -1;
        }
    }
    return 0;
}

/* Read with ad_file_read: this also runs on loop 0 at a reload (SIGHUP), where a blocking read (a FIFO in
 * the file's place) would stop the loop and its watchdog pings. */
int ad_config_load_file(ad_config_t *cfg, const char *path, char *err, size_t errlen)
{
    char *buf;
    size_t n;
    if (ad_file_read(path, AD_CONFIG_MAX_FILE, _("config file"), &buf, &n, err, errlen) != 0)
        return -1;
    int rc = ad_config_parse_text(cfg, buf, n, path, err, errlen);
    free(buf);
    return rc;
}

/* ---- cross-field checks ---- */

static const char *dur(int64_t ns, char buf[32])
{
    ad_duration_format(ns, buf, 32);
    return buf;
}

int ad_config_validate(const ad_config_t *cfg, char *err, size_t errlen)
{
    char a[32], b[32];
    if (cfg->nlisten == 0 || cfg->nlisten > AD_MAX_LISTEN) {
        ad_fail(err, errlen, _("listen: between 1 and %d addresses are needed"), AD_MAX_LISTEN);
        return -1;
    }
    for (size_t i = 0; i < cfg->nlisten; i++) {
        const ad_listen_addr_t *la = &cfg->listen[i];
        if ((la->tls_cert[0] == '\0') != (la->tls_key[0] == '\0')) {
            ad_fail(err, errlen, "listen %s: %s given without %s (TLS needs both)", la->text,
                    la->tls_cert[0] ? "tls-cert" : "tls-key", la->tls_cert[0] ? "tls-key" : "tls-cert");
            return -1;
        }
    }
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_t *o = &options[i];
        int64_t v;
        if (o->kind == KIND_UINT)
            v = *(const unsigned *)((const char *)cfg + o->offset);
        else if (o->kind == KIND_DURATION)
            v = *(const int64_t *)((const char *)cfg + o->offset);
        else if (o->kind == KIND_LOG_LEVEL)
            v = cfg->log_level;
        else
            continue;
        if (v < o->min || v > o->max) {
            ad_fail(err, errlen, _("%s: %lld is out of range (%s)"), o->name, (long long)v, _(o->range));
            return -1;
        }
    }
    if (cfg->default_delay_ns > cfg->max_delay_ns) {
        ad_fail(err, errlen, _("default-delay (%s) must not exceed max-delay (%s)"), dur(cfg->default_delay_ns, a),
                dur(cfg->max_delay_ns, b));
        return -1;
    }
    if (cfg->stall_threshold_ns < cfg->tick_interval_ns) {
        ad_fail(err, errlen, _("stall-threshold (%s) must be at least tick-interval (%s)"),
                dur(cfg->stall_threshold_ns, a), dur(cfg->tick_interval_ns, b));
        return -1;
    }
    return 0;
}

static uint64_t to_ms_ceil(int64_t ns)
{
    uint64_t ms = ns <= 0 ? 0 : ((uint64_t)ns + AD_NS_PER_MS - 1) / AD_NS_PER_MS;
    return ms > 0 ? ms : 1;
}

uint64_t ad_config_http1_timeout_ms(const ad_config_t *cfg)
{
    return to_ms_ceil(cfg->header_timeout_ns < cfg->idle_timeout_ns ? cfg->header_timeout_ns : cfg->idle_timeout_ns);
}

uint64_t ad_config_http2_timeout_ms(const ad_config_t *cfg)
{
    return to_ms_ceil(cfg->idle_timeout_ns);
}

/* ---- command line ---- */

/* What one argv element asks for: an option with its value (NULL for --help/--version). */
typedef struct cli_item {
    const char *flag; /* as written, up to '=' */
    size_t flaglen;
    const option_t *opt; /* NULL for config/help/version */
    const char *value;
} cli_item_t;

static int cli_error(char *err, size_t errlen, const char *flag, size_t flaglen, const char *reason)
{
    char shown[AD_SHOW_BUF];
    ad_fail(err, errlen, _("%s: %s"), show(flag, flaglen, shown), reason);
    return -1;
}

static bool flag_is(const char *flag, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(flag, name, len) == 0;
}

/* Splits argv[*i] into an item, consuming the next element for "--opt value". */
static int cli_next(int argc, char **argv, int *i, cli_item_t *it, char *err, size_t errlen)
{
    const char *arg = argv[*i], *eq;
    char shown[AD_SHOW_BUF];
    memset(it, 0, sizeof(*it));

    if (arg[0] != '-' || arg[1] == '\0') {
        ad_fail(err, errlen, _("unexpected argument '%s' (asyncdemod takes only options)"),
                show(arg, strlen(arg), shown));
        return -1;
    }
    eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
    it->flag = arg;
    it->flaglen = eq ? (size_t)(eq - arg) : strlen(arg);

    bool takes_value = true;
    if (flag_is(arg, it->flaglen, "--no-ui")) {
        if (eq != NULL)
            return cli_error(err, errlen, arg, it->flaglen, _("takes no value"));
        it->opt = find_option("ui", 2);
        it->value = "off";
        return 0;
    }
    if (flag_is(arg, it->flaglen, "--help") || flag_is(arg, it->flaglen, "-h") ||
        flag_is(arg, it->flaglen, "--version") || flag_is(arg, it->flaglen, "-V")) {
        takes_value = false;
    } else if (!flag_is(arg, it->flaglen, "--config")) {
        it->opt = arg[1] == '-' ? find_option(arg + 2, it->flaglen - 2) : NULL;
        if (it->opt == NULL)
            return cli_error(err, errlen, arg, it->flaglen, _("unknown option"));
    }

    if (!takes_value) {
        if (eq != NULL)
            return cli_error(err, errlen, arg, it->flaglen, _("takes no value"));
        return 0;
    }
    if (eq != NULL) {
        it->value = eq + 1;
    } else if (*i + 1 < argc) {
        it->value = argv[++*i];
    } else {
        return cli_error(err, errlen, arg, it->flaglen, _("missing value"));
    }
    return 0;
}

int ad_cli_parse(int argc, char **argv, ad_config_t *cfg, ad_cli_action_t *action, char *err, size_t errlen)
{
    const char *config = NULL;
    cli_item_t it;
    *action = AD_CLI_RUN;

    /* Pass 1: syntax, --help/--version, and which file to load before the other flags. */
    for (int i = 1; i < argc; i++) {
        if (cli_next(argc, argv, &i, &it, err, errlen) != 0)
            return -1;
        if (flag_is(it.flag, it.flaglen, "--help") || flag_is(it.flag, it.flaglen, "-h"))
            *action = AD_CLI_HELP;
        else if (*action == AD_CLI_RUN && it.value == NULL)
            *action = AD_CLI_VERSION;
        else if (it.opt == NULL && it.value != NULL)
            config = it.value;
    }
    if (*action != AD_CLI_RUN)
        return 0;

    if (config != NULL) {
        if (strlen(config) >= sizeof(cfg->config_path))
            return cli_error(err, errlen, "--config", 8, _("path too long"));
        if (ad_config_load_file(cfg, config, err, errlen) != 0)
            return -1;
        strcpy(cfg->config_path, config);
    }

    /* Pass 2: the flags, in order, over whatever the file set. */
    apply_state_t st = {false};
    for (int i = 1; i < argc; i++) {
        char reason[256];
        cli_next(argc, argv, &i, &it, err, errlen);
        if (it.opt != NULL && apply(cfg, it.opt, it.value, &st, reason, sizeof(reason)) != 0)
            return cli_error(err, errlen, it.flag, it.flaglen, reason);
    }
    return ad_config_validate(cfg, err, errlen);
}

#define USAGE_WIDTH 100

/* "An HTTP daemon ... costs: /non-blocking, ..., /healthz, and a page ...": the counted endpoints of
 * endpoint_list.h between two translated sentences, wrapped at USAGE_WIDTH cells. */
static size_t usage_intro(char *out, size_t size)
{
    static const char *const paths[] = {
#define AD_X(id, path, match, methods, slot, ...) AD_ENDPOINT_IF_OWN_##slot(AD_ENDPOINT_USAGE_##match(path) ",", )
        AD_ENDPOINTS(AD_X)
#undef AD_X
    };
    char words[512];
    size_t len = (size_t)snprintf(out, size, "%s", _("An HTTP daemon that shows what blocking an event loop costs:"));
    size_t col = (size_t)ad_text_cells(out);
    /* the paths, then the closing sentence, a word at a time */
    size_t n = 0;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        n += (size_t)snprintf(words + n, sizeof(words) - n, "%s ", paths[i]);
    snprintf(words + n, sizeof(words) - n, "%s", _("and a page at / that runs the lesson in a browser."));
    for (char *save = NULL, *word = strtok_r(words, " ", &save); word != NULL && len < size;
         word = strtok_r(NULL, " ", &save)) {
        size_t w = (size_t)ad_text_cells(word);
        bool wrap = col + 1 + w > USAGE_WIDTH;
        len += (size_t)snprintf(out + len, size - len, "%s%s", wrap ? "\n" : " ", word);
        col = wrap ? w : col + 1 + w;
    }
    return len;
}

const char *ad_cli_usage(void)
{
    static char text[8192];
    if (text[0] != '\0')
        return text;
    char intro[512];
    usage_intro(intro, sizeof(intro));
    snprintf(text, sizeof(text), "%s%s%s", _("Usage: asyncdemod [OPTION]...\n"), intro,
             _("\n"
               "\n"
               "  --listen ADDR:PORT       listen here; repeatable; IPv4 or [IPv6], numeric (default 127.0.0.1:8000)\n"
               "  --tls-cert FILE          serve the --listen given before it over TLS (h2 and http/1.1 by ALPN,\n"
               "                           TLS 1.2 and 1.3) with this PEM certificate chain; reloaded on SIGHUP\n"
               "  --tls-key FILE           the PEM private key of that certificate\n"
               "  --threads N              event-loop threads, 1 to 64 (default 1)\n"
               "  --max-delay D            largest delay accepted, 0 to 1h (default 30s)\n"
               "  --default-delay D        delay when a request names none, up to max-delay (default 2s)\n"
               "  --pool-size N            /offload worker threads, 1 to 256 (default 8)\n"
               "  --pool-queue N           /offload jobs that may wait for a worker, 0 to 100000 (default 64)\n"
               "  --log-level L            err, warning, notice, info or debug (default info)\n"
               "  --stall-threshold D      log loop stalls longer than this, 1ms to 1h (default 100ms)\n"
               "  --tick-interval D        loop-lag probe period, 1ms to 1s (default 50ms)\n"
               "  --drain-timeout D        on SIGTERM, how long in-flight requests may finish, 0 to 1h (default 35s)\n"
               "  --max-connections N      client connections open at once; past it 503 and close, 1 to 1000000\n"
               "                           (default 16384)\n"
               "  --max-waiting N          requests waiting on a delay timer (/non-blocking, /delay) at once; past it\n"
               "                           503, 1 to 1000000 (default 50000)\n"
               "  --header-timeout D       HTTP/1: a request must be complete this long after the connection opened\n"
               "                           or the previous answer, 10ms to 1h (default 10s)\n"
               "  --idle-timeout D         close a connection idle this long: HTTP/2 with no request open, HTTP/1\n"
               "                           between requests, 10ms to 1h (default 10s)\n"
               "  --send-timeout D         close a connection whose answer is not delivered this long after it was\n"
               "                           sent (a client that does not read), 10ms to 1h (default 30s)\n"
               "  --ui on|off              serve the page at / and its live stream /events (default on)\n"
               "  --no-ui                  the same as --ui off\n"
               "  --events-clients N       /events streams open at once; past it 503, 1 to 100000 (default 256)\n"
               "  --max-body N             bytes of request body /delay/{n} takes (POST, PUT, PATCH, DELETE); past\n"
               "                           it 413, 0 to 67108864 (default 1048576); an HTTP/2 connection that would\n"
               "                           hold more than 16 such bodies at once is closed\n"
               "  --hsts-max-age N         answers over TLS carry Strict-Transport-Security: max-age=N (seconds);\n"
               "                           0 sends none, 0 to 63072000 (default 0)\n"
               "  --config FILE            read settings from FILE first; other flags override it\n"
               "  -h, --help               show this help and exit\n"
               "  -V, --version            show the version and exit\n"
               "\n"
               "Options take \"--opt value\" or \"--opt=value\". Durations: 2, 0.25, 250ms, 2s, 1m.\n"
               "Socket activation: sockets passed by systemd are used instead of --listen.\n"
               "Exit status: 0 on success, 64 on a usage or configuration error.\n"));
    return text;
}
