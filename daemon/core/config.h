#ifndef AD_CONFIG_H
#define AD_CONFIG_H
/*
 * The daemon's settings: defaults, the config file (docs/asyncdemod.conf.md), command-line flags.
 * Precedence: defaults < --config FILE < other flags. Pure: parsing touches no global state.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define AD_MAX_LISTEN 16
/* The longest hsts-max-age: two years, in seconds (what HSTS preload lists ask for). */
#define AD_HSTS_MAX_AGE_LIMIT 63072000u
/* The largest max-body (64 MiB): every body is held in memory until answered, never spilled to disk. */
#define AD_MAX_BODY_LIMIT (64u * 1024 * 1024)

/* The longest tls-cert / tls-key path (a config file's value is shorter than this anyway). */
#define AD_TLS_PATH_MAX 256

typedef struct ad_listen_addr {
    char text[64]; /* as given, normalised: "127.0.0.1:8000", "[::1]:8000" */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    /* TLS on this listener when both are set ("" for cleartext): PEM certificate chain and private key */
    char tls_cert[AD_TLS_PATH_MAX];
    char tls_key[AD_TLS_PATH_MAX];
} ad_listen_addr_t;

typedef struct ad_config {
    ad_listen_addr_t listen[AD_MAX_LISTEN];
    size_t nlisten;             /* default: one, 127.0.0.1:8000 */
    unsigned threads;           /* event-loop threads, default 1 (so /blocking stalls everything) */
    int64_t max_delay_ns;       /* largest accepted delay, default 30 s */
    int64_t default_delay_ns;   /* delay when the query has none, default 2 s */
    unsigned pool_size;         /* /offload worker threads, default 8 */
    unsigned pool_queue;        /* /offload jobs waiting beyond the running ones, default 64; 503 past it */
    int log_level;              /* syslog priority, default LOG_INFO */
    int64_t stall_threshold_ns; /* loop stalls longer than this are logged, default 100 ms */
    int64_t tick_interval_ns;   /* loop-lag probe period, default 50 ms */
    int64_t drain_timeout_ns;   /* on SIGTERM, how long in-flight requests may finish, default 35 s */
    unsigned max_connections;   /* client connections open at once, all loops; 503 + close past it, default 16384 */
    unsigned max_waiting;       /* requests waiting on a delay timer at once, all loops; 503 past it, default 50000 */
    int64_t header_timeout_ns;  /* HTTP/1: accept or previous response -> complete request, default 10 s */
    int64_t idle_timeout_ns;    /* HTTP/2: no open stream; HTTP/1 keep-alive between requests, default 10 s */
    int64_t send_timeout_ns;    /* an answer not delivered this long after it was sent closes its connection, 30 s */
    bool ui;                    /* serve the page at / and its /events stream, default on ("ui = off", --no-ui) */
    unsigned events_clients;    /* /events streams open at once, all loops; 503 past it, default 256 */
    unsigned max_body;          /* bytes of a request body /delay/{n} takes (POST, PUT, ...); 413 past it, 1 MiB */
    unsigned hsts_max_age;      /* answers over TLS carry Strict-Transport-Security: max-age=this; 0 (default): off */
    char config_path[4096];     /* "" when no --config */
} ad_config_t;

void ad_config_defaults(ad_config_t *cfg);

/* "127.0.0.1:8000", "[::1]:8000", "0.0.0.0:0", ":8000" (= 127.0.0.1). Numeric hosts only. 0 or -1 + err. */
int ad_listen_addr_parse(const char *text, ad_listen_addr_t *out, char *err, size_t errlen);

/*
 * Applies a config file's text to cfg. Format: "key = value" lines, '#' comments, blank lines;
 * keys are the long flag names (listen may repeat; the first listen line replaces the default;
 * tls-cert and tls-key belong to the listen line above them).
 * On error returns -1 with "FILE:LINE: key 'K': reason" in err; cfg may be partly updated.
 */
int ad_config_parse_text(ad_config_t *cfg, const char *text, size_t len, const char *filename, char *err,
                         size_t errlen);
/* Reads path and calls ad_config_parse_text. Errors name the file ("FILE: cannot open: ..."). */
int ad_config_load_file(ad_config_t *cfg, const char *path, char *err, size_t errlen);

/*
 * Socket activation: the listen entry whose settings (TLS) a socket systemd passed takes, by the socket's
 * FileDescriptorName= (fd_name, NULL when systemd gave none) first, then by its address (bound, as
 * "127.0.0.1:8443"):
 *   "tls"   TLS: the entry with that address when it has a tls-cert, else the first entry with a tls-cert;
 *   "http"  cleartext, whatever entry has that address: -1;
 *   other   (systemd's default is the socket unit's name) the entry with that address, -1 when none.
 * The index, -1 for none (cleartext), or -2 with the reason in err ("tls" and no entry has a tls-cert).
 */
#define AD_FDNAME_TLS "tls"
#define AD_FDNAME_HTTP "http"
int ad_config_listen_for_socket(const ad_config_t *cfg, const char *fd_name, const char *bound, char *err,
                                size_t errlen);

/* Cross-field checks (e.g. default delay <= max delay). 0, or -1 + err. */
int ad_config_validate(const ad_config_t *cfg, char *err, size_t errlen);

/*
 * h2o 2.2.5 has one HTTP/1 timer (http1.req_timeout) that runs from the accept, or from the end of the
 * previous response, until the next request is complete: the keep-alive idle time and the request head's
 * arrival together. It is set to the smaller of header-timeout and idle-timeout, so each bounds what it
 * names. In whole milliseconds (h2o's unit), rounded up, at least 1.
 */
uint64_t ad_config_http1_timeout_ms(const ad_config_t *cfg);
/* HTTP/2: h2o's http2.idle_timeout (no stream open, no frame received) is idle-timeout, in ms as above. */
uint64_t ad_config_http2_timeout_ms(const ad_config_t *cfg);

typedef enum { AD_CLI_RUN = 0, AD_CLI_HELP, AD_CLI_VERSION } ad_cli_action_t;

/*
 * Parses argv: --listen ADDR:PORT (repeatable), --threads N, --max-delay D, --pool-size N,
 * --pool-queue N, --config FILE, --log-level L, --stall-threshold D, --drain-timeout D,
 * --max-connections N, --max-waiting N, --header-timeout D, --idle-timeout D, --send-timeout D,
 * --ui on|off, --no-ui, --events-clients N, --max-body N, --hsts-max-age N, --tls-cert FILE, --tls-key FILE (each for
 * the
 * --listen before it),
 * --version, --help ("--opt=value" and "--opt value" both work). Loads --config first, then the rest.
 * Returns 0 with *action set, or -1 with a one-line message in err (the caller exits 64).
 * cfg must already hold the defaults (ad_config_defaults). Also accepts --default-delay and
 * --tick-interval (every config key is a flag), -h and -V. With AD_CLI_RUN the result has passed
 * ad_config_validate. --help wins over --version and over bad values (not over unknown options).
 */
int ad_cli_parse(int argc, char **argv, ad_config_t *cfg, ad_cli_action_t *action, char *err, size_t errlen);
/* The --help text. */
const char *ad_cli_usage(void);

#endif
