/* Easy handle setup, the counting body sink and result classification (see transfer.h). */
#include "transfer.h"
#include "tls_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "clock.h"
#include "engine.h"
#include "version.h"

/* Keeps the start of a body whose status is not 2xx (keep_error_body). */
static void keep_error_body(ad_transfer_t *t, const char *data, size_t len)
{
    if (t->error_body_state == 0) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        t->error_body_state = status >= 200 && status <= 299 ? -1 : 1;
        if (t->error_body_state == 1 && t->error_body == NULL &&
            (t->error_body = malloc(AD_ANSWER_ERROR_BODY_MAX)) == NULL)
            t->error_body_state = -1;
    }
    if (t->error_body_state != 1)
        return;
    size_t take = AD_ANSWER_ERROR_BODY_MAX - t->error_body_len;
    take = len < take ? len : take;
    memcpy(t->error_body + t->error_body_len, data, take);
    t->error_body_len += take;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    ad_transfer_t *t = userp;
    size_t len = size * nmemb;
    t->bytes += len;
    if (t->keep_error_body)
        keep_error_body(t, data, len);
    if (t->scan_body)
        ad_answer_scan_feed(&t->scan, data, len);
    if (t->body != NULL) {
        size_t room = t->body_max - t->body_len;
        size_t take = len < room ? len : room;
        memcpy(t->body + t->body_len, data, take);
        t->body_len += take;
        t->body[t->body_len] = '\0';
        if (take < len) {
            /* Larger than a kept body may be: not the document the caller expects. Ending here bounds
             * the time an endless body can take (returning less than len aborts: CURLE_WRITE_ERROR). */
            t->body_truncated = true;
            return 0;
        }
    }
    return len;
}

/* Progress callback of blocking transfers: a non-zero return aborts the request (Ctrl-C). */
static int on_xfer(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    return ad_engine_stop_requested() ? 1 : 0;
}

#define SETOPT(h, opt, val)                                                                                            \
    do {                                                                                                               \
        if (curl_easy_setopt(h, opt, val) != CURLE_OK)                                                                 \
            goto error;                                                                                                \
    } while (0)

/* -H, --content-type, the method and the body, as engine_h2o.c writes them (ad_request_shape_http1). */
static int apply_shape(ad_transfer_t *t, const ad_request_shape_t *s)
{
    const char *method = ad_request_shape_method_name(s);
    char line[AD_CTL_CONTENT_TYPE_MAX + 16];
    for (size_t i = 0; i < s->nheaders; i++)
        if ((t->headers = curl_slist_append(t->headers, s->headers[i])) == NULL)
            return -1;
    if (s->content_type != NULL) {
        snprintf(line, sizeof(line), "Content-Type: %s", s->content_type);
        if ((t->headers = curl_slist_append(t->headers, line)) == NULL)
            return -1;
    } else if (s->body != NULL && !ad_request_shape_has_header(s, "content-type")) {
        /* libcurl would add application/x-www-form-urlencoded; the h2o engine sends none */
        if ((t->headers = curl_slist_append(t->headers, "Content-Type:")) == NULL)
            return -1;
    }
    /* no 100-continue wait before a large body: the h2o engine sends it at once */
    if (s->body != NULL && !ad_request_shape_has_header(s, "expect") &&
        (t->headers = curl_slist_append(t->headers, "Expect:")) == NULL)
        return -1;
    if (t->headers != NULL)
        SETOPT(t->easy, CURLOPT_HTTPHEADER, t->headers);
    if (s->body != NULL) {
        SETOPT(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body_len);
        SETOPT(t->easy, CURLOPT_POSTFIELDS, s->body);
    }
    if (ad_request_shape_no_answer_body(s))
        SETOPT(t->easy, CURLOPT_NOBODY, 1L);
    if (strcmp(method, s->body != NULL ? "POST" : "GET") != 0)
        SETOPT(t->easy, CURLOPT_CUSTOMREQUEST, method);
    return 0;
error:
    return -1;
}

int ad_transfer_init(ad_transfer_t *t, const ad_transfer_opts_t *o, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->easy = curl_easy_init();
    if (t->easy == NULL) {
        snprintf(err, errlen, "curl_easy_init failed (out of memory?)");
        return -1;
    }
    SETOPT(t->easy, CURLOPT_URL, o->url);
    SETOPT(t->easy, CURLOPT_HTTP_VERSION,
           o->h2 ? (strncmp(o->url, "https:", 6) == 0 ? (long)CURL_HTTP_VERSION_2TLS
                                                      : (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
                 : (long)CURL_HTTP_VERSION_1_1);
    if (o->h2) /* wait for a connection's free stream rather than open another connection */
        SETOPT(t->easy, CURLOPT_PIPEWAIT, 1L);
    SETOPT(t->easy, CURLOPT_NOSIGNAL, 1L);
    SETOPT(t->easy, CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(t->easy, CURLOPT_WRITEDATA, t);
    SETOPT(t->easy, CURLOPT_PRIVATE, t);
    SETOPT(t->easy, CURLOPT_ERRORBUFFER, t->errbuf);
    SETOPT(t->easy, CURLOPT_USERAGENT, "asyncdemoctl/" AD_VERSION);
    SETOPT(t->easy, CURLOPT_TIMEOUT_MS, (long)((o->timeout_ns + AD_NS_PER_MS - 1) / AD_NS_PER_MS));
    SETOPT(t->easy, CURLOPT_FORBID_REUSE, o->keepalive ? 0L : 1L);
    t->forbid_reuse = !o->keepalive;
    /* Answers are small: a smaller receive buffer keeps 10,000 handles' memory down. */
    SETOPT(t->easy, CURLOPT_BUFFERSIZE, 4096L);
    if (o->resolve != NULL)
        SETOPT(t->easy, CURLOPT_RESOLVE, o->resolve);
    if (o->direct) /* also spares a getenv() per request */
        SETOPT(t->easy, CURLOPT_PROXY, "");
    if (o->shape != NULL && apply_shape(t, o->shape) != 0)
        goto error;
    if (ad_tls_verify_setopt(t->easy, o->tls) != CURLE_OK)
        goto error;
    t->scan_body = true;
    t->keep_error_body = true;
    if (o->keep_body > 0) {
        t->body = malloc(o->keep_body + 1);
        if (t->body == NULL)
            goto error;
        t->body_max = o->keep_body;
        t->body[0] = '\0';
    }
    if (o->abort_on_stop) {
        SETOPT(t->easy, CURLOPT_XFERINFOFUNCTION, on_xfer);
        SETOPT(t->easy, CURLOPT_NOPROGRESS, 0L);
    }
    return 0;
error:
    snprintf(err, errlen, "cannot set up a curl handle for %s", o->url);
    ad_transfer_cleanup(t);
    return -1;
}

void ad_transfer_cleanup(ad_transfer_t *t)
{
    if (t->easy != NULL)
        curl_easy_cleanup(t->easy);
    t->easy = NULL;
    free(t->body);
    t->body = NULL;
    free(t->error_body);
    t->error_body = NULL;
    curl_slist_free_all(t->headers);
    t->headers = NULL;
}

void ad_transfer_begin(ad_transfer_t *t, uint32_t index, int64_t intended_ns, int64_t sent_ns)
{
    ad_answer_scan_init(&t->scan);
    t->bytes = 0;
    t->errbuf[0] = '\0';
    t->body_len = 0;
    t->body_truncated = false;
    t->error_body_state = 0;
    t->error_body_len = 0;
    if (t->body != NULL)
        t->body[0] = '\0';
    memset(&t->rec, 0, sizeof(t->rec));
    t->rec.index = index;
    t->rec.intended_ns = intended_ns;
    t->rec.sent_ns = sent_ns;
    t->rec.server_seq = -1;
}

ad_protocol_t ad_transfer_protocol(long http_version, bool tls)
{
    switch (http_version) {
    case CURL_HTTP_VERSION_1_0:
        return AD_PROTO_HTTP1_0;
    case CURL_HTTP_VERSION_1_1:
        return AD_PROTO_HTTP1_1;
    case CURL_HTTP_VERSION_2_0:
        return tls ? AD_PROTO_H2 : AD_PROTO_H2C;
    default:
        return AD_PROTO_UNKNOWN;
    }
}

bool ad_transfer_h2c_reuse_broken(void)
{
    return curl_version_info(CURLVERSION_NOW)->version_num < 0x080000;
}

/* What answered the request: libcurl's HTTP version of the answer, over TLS or not. */
static ad_protocol_t answered_protocol(CURL *easy)
{
    long version = 0;
    const char *scheme = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version) != CURLE_OK ||
        curl_easy_getinfo(easy, CURLINFO_SCHEME, &scheme) != CURLE_OK || scheme == NULL)
        return AD_PROTO_UNKNOWN;
    return ad_transfer_protocol(version, strcasecmp(scheme, "https") == 0);
}

ad_err_class_t ad_classify_result(CURLcode rc, long status)
{
    switch (rc) {
    case CURLE_OK:
        return status >= 200 && status <= 299 ? AD_ERR_NONE : AD_ERR_STATUS;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return AD_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return AD_ERR_TIMEOUT;
    case CURLE_UNSUPPORTED_PROTOCOL: /* URLs are checked first: here it is an answer that is not HTTP ("HTTP/0.9") */
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        return AD_ERR_READ;
    default:
        return AD_ERR_OTHER;
    }
}

void ad_transfer_end(ad_transfer_t *t, CURLcode rc, int64_t done_ns)
{
    long status = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        status = 0;
    /* Only a complete answer has a status: one cut off mid-body is a read error, with no latency. */
    if (rc != CURLE_OK)
        status = 0;
    t->rec.status = (int)status;
    t->rec.error = ad_classify_result(rc, status);
    t->rec.protocol = status != 0 ? answered_protocol(t->easy) : AD_PROTO_UNKNOWN;
    /* libcurl 7.x answers a header line over its 100 KB limit (CURL_MAX_HTTP_HEADER) with
     * CURLE_OUT_OF_MEMORY and no message. Once the request went out, that is an answer this tool
     * cannot read - as the h2o engine counts it - not a lack of memory. */
    long request_size = 0;
    if (rc == CURLE_OUT_OF_MEMORY && t->errbuf[0] == '\0' &&
        curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_size) == CURLE_OK && request_size > 0) {
        t->rec.error = AD_ERR_READ;
        snprintf(t->errbuf, sizeof(t->errbuf), "the answer's head has a line larger than libcurl accepts (100 KB)");
    }
    t->rec.done_ns = done_ns;
    t->result = rc;
    t->rec.server_seq = ad_answer_scan_sequence(&t->scan);
    int64_t wait = ad_answer_scan_wait_ns(&t->scan), start = ad_answer_scan_start_ns(&t->scan);
    t->rec.server_wait_ns = wait > 0 ? wait : 0;
    t->rec.server_start_ns = start > 0 ? start : 0;
}

void ad_transfer_describe_error(const ad_transfer_t *t, CURLcode rc, char *buf, size_t size)
{
    const char *cls = ad_err_class_name(t->rec.error);
    char said[AD_ANSWER_ERROR_TEXT_MAX + 1] = "";
    if (rc == CURLE_OK && t->error_body_state == 1)
        ad_answer_error_text(t->error_body, t->error_body_len, said, sizeof(said));
    if (rc == CURLE_OK)
        snprintf(buf, size, "%s: HTTP %d%s%s", cls, t->rec.status, said[0] != '\0' ? ": " : "", said);
    else
        snprintf(buf, size, "%s: %s", cls, t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc));
}

CURLcode ad_transfer_perform(ad_transfer_t *t, uint32_t index, int64_t start_ns)
{
    int64_t sent = ad_mono_ns() - start_ns;
    ad_transfer_begin(t, index, sent, sent);
    CURLcode rc = curl_easy_perform(t->easy);
    ad_transfer_end(t, rc, ad_mono_ns() - start_ns);
    return rc;
}
