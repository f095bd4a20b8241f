#ifndef AD_CTL_TRANSFER_H
#define AD_CTL_TRANSFER_H
/*
 * One HTTP request (a GET unless bench's request shape says otherwise) as every engine makes it (the multi engine, and
 * compare's sequential, threads and processes modes): an easy handle set up once and reused, a body sink that only
 * counts bytes and scans for the daemon's "sequence" and "waited_seconds", and the classification of how the request
 * ended.
 */
#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>
#include "cli.h"
#include "request_shape.h"
#include "results.h"
#include "answer_scan.h"

typedef struct ad_transfer_opts {
    const char *url;
    const ad_request_shape_t *shape;  /* method, headers, body; NULL = a plain GET */
    const ad_tls_verify_t *tls;       /* how https:// is verified; NULL = the system's CA store */
    bool h2;                          /* HTTP/2: prior knowledge for http://, ALPN for https:// (else HTTP/1.1) */
    int64_t timeout_ns;               /* whole request; 0 = none */
    bool keepalive;                   /* false: CURLOPT_FORBID_REUSE, a new connection each time */
    const struct curl_slist *resolve; /* CURLOPT_RESOLVE pins ("host:port:addr"), or NULL */
    bool abort_on_stop;               /* blocking use: end the request when ad_engine_request_stop() is called */
    size_t keep_body;                 /* keep up to this many body bytes in body (0: count only); a longer
                                       * body ends the request (CURLE_WRITE_ERROR, body_truncated set) */
    bool direct;                      /* ignore proxy variables (a load generator talks to its target) */
} ad_transfer_opts_t;

typedef struct ad_transfer {
    CURL *easy;
    ad_answer_scan_t scan;
    bool scan_body; /* look for "sequence" / "waited_seconds" in the body (default true) */
    uint64_t bytes; /* body bytes of the current request */
    char *body;     /* with keep_body: the first keep_body bytes, NUL-terminated; else NULL */
    size_t body_len, body_max;
    bool body_truncated;
    /* The start of an answer that is not 2xx, for the server's own words in the error (ad_answer_error_text):
     * kept while keep_error_body is set (the caller sets it per request; malloc'd when first needed). */
    bool keep_error_body;
    int error_body_state; /* this request: 0 status not looked at yet, 1 keeping, -1 not keeping */
    char *error_body;
    size_t error_body_len;
    ad_request_record_t rec;
    CURLcode result;            /* of the last request (set by ad_transfer_end) */
    void *owner;                /* the engine's, for its own bookkeeping */
    uint64_t uses;              /* the engine's: requests made with this handle */
    bool forbid_reuse;          /* CURLOPT_FORBID_REUSE is set */
    struct curl_slist *headers; /* CURLOPT_HTTPHEADER from the shape, or NULL */
    char errbuf[CURL_ERROR_SIZE];
} ad_transfer_t;

/* Creates the easy handle. Returns 0, or -1 with a reason in err. */
int ad_transfer_init(ad_transfer_t *t, const ad_transfer_opts_t *o, char *err, size_t errlen);
void ad_transfer_cleanup(ad_transfer_t *t);

/* Before each request: clears the body state and the record, sets its index and times. */
void ad_transfer_begin(ad_transfer_t *t, uint32_t index, int64_t intended_ns, int64_t sent_ns);
/* After it: fills rec (status, error class, server_seq, server_wait_ns, done_ns) from the curl result code. */
void ad_transfer_end(ad_transfer_t *t, CURLcode rc, int64_t done_ns);
/* A one-line reason for a failed record ("connect: Failed to connect to ...", "status: HTTP 503", with the
 * server's own words when it gave some: "status: HTTP 400: bad delay: over max-delay (30s)"). */
void ad_transfer_describe_error(const ad_transfer_t *t, CURLcode rc, char *buf, size_t size);

/* Blocking: begin, curl_easy_perform, end. Times relative to start_ns (CLOCK_MONOTONIC). */
CURLcode ad_transfer_perform(ad_transfer_t *t, uint32_t index, int64_t start_ns);

/* The protocol of an answer from libcurl's CURLINFO_HTTP_VERSION and whether it came over TLS. Pure. */
ad_protocol_t ad_transfer_protocol(long http_version, bool tls);

/* Whether this libcurl breaks an HTTP/2 prior-knowledge (h2c) connection used for a second request, multiplexed or
 * one after another ("Error in the HTTP2 framing layer", curl issue 10634, fixed in 8.0); over TLS (ALPN) reuse
 * works. */
bool ad_transfer_h2c_reuse_broken(void);

/* How a request ended: curl's result and the HTTP status (0 when none). Pure. */
ad_err_class_t ad_classify_result(CURLcode rc, long status);

#endif
