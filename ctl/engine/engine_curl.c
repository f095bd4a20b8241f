/*
 * The libcurl backend of the engine (see engine_worker.h): a curl multi handle driven by
 * curl_multi_socket_action (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION) on one epoll set, with `conns`
 * reusable easy handles. Used by compare's async mode, by bench over https, and for --rate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "clock.h"
#include "engine_worker.h"
#include "transfer.h"

#define EVENTS_MAX 256

typedef struct curl_loop {
    CURLM *multi;
    int epfd;
    int64_t curl_deadline; /* CLOCK_MONOTONIC ns curl wants a timeout call, -1 none */
    ad_transfer_t *xfers;
    unsigned *idle;           /* indexes of transfers not in flight */
    ad_transfer_t **finished; /* drain()'s scratch: transfers done in this round */
    unsigned nidle, n;
    int64_t connect_at; /* a handle's first request waits for the connect pacing until then; 0 = none */
    char url[AD_CTL_URL_MAX + AD_CTL_HOST_MAX + 16]; /* the plan's target, as libcurl takes it */
} curl_loop_t;

/* ---- curl callbacks ---- */

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    curl_loop_t *c = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(c->epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    struct epoll_event ev = {.events = 0, .data.fd = s};
    if (what & CURL_POLL_IN)
        ev.events |= EPOLLIN;
    if (what & CURL_POLL_OUT)
        ev.events |= EPOLLOUT;
    int op = socketp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(c->epfd, op, s, &ev) != 0) {
        /* A descriptor number reused behind our back: take whichever operation applies. */
        if (errno == EEXIST)
            epoll_ctl(c->epfd, EPOLL_CTL_MOD, s, &ev);
        else if (errno == ENOENT)
            epoll_ctl(c->epfd, EPOLL_CTL_ADD, s, &ev);
    }
    if (socketp == NULL)
        curl_multi_assign(c->multi, s, c);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    curl_loop_t *c = userp;
    c->curl_deadline = timeout_ms < 0 ? -1 : ad_mono_ns() + (int64_t)timeout_ms * AD_NS_PER_MS;
    return 0;
}

/* ---- setup and teardown ---- */

static void curl_teardown(ad_engine_worker_t *w)
{
    curl_loop_t *c = w->impl;
    if (c == NULL)
        return;
    if (c->multi != NULL && c->xfers != NULL)
        for (unsigned i = 0; i < c->n; i++)
            if (c->xfers[i].easy != NULL)
                curl_multi_remove_handle(c->multi, c->xfers[i].easy);
    if (c->multi != NULL)
        curl_multi_cleanup(c->multi); /* closes cached connections: needs epfd still open */
    if (c->xfers != NULL)
        for (unsigned i = 0; i < c->n; i++)
            ad_transfer_cleanup(&c->xfers[i]);
    if (c->epfd >= 0)
        close(c->epfd);
    free(c->xfers);
    free(c->idle);
    free(c->finished);
    free(c);
    w->impl = NULL;
}

/* libcurl opened a connection's socket (a transfer still in flight when the run ends counts too). */
static int on_new_socket(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
    (void)fd;
    if (purpose == CURLSOCKTYPE_IPCXN)
        ((ad_engine_worker_t *)clientp)->connects++;
    return CURL_SOCKOPT_OK;
}

static int curl_setup(ad_engine_worker_t *w)
{
    curl_loop_t *c = ad_ew_impl_new(w, sizeof(*c));
    if (c == NULL)
        return -1;
    c->n = w->conns;
    c->curl_deadline = -1;
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (c->epfd < 0) {
        snprintf(w->err, sizeof(w->err), "epoll_create1: %s", strerror(errno));
        return -1;
    }
    c->multi = curl_multi_init();
    c->xfers = calloc(c->n, sizeof(*c->xfers));
    c->idle = calloc(c->n, sizeof(*c->idle));
    c->finished = calloc(c->n, sizeof(*c->finished));
    if (c->multi == NULL || c->xfers == NULL || c->idle == NULL || c->finished == NULL) {
        snprintf(w->err, sizeof(w->err), "out of memory setting up %u connections", c->n);
        return -1;
    }
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    const ad_engine_plan_t *plan = w->plan;
    /* HTTP/2: this loop's requests in flight share n / streams connections, streams on each */
    unsigned conns = plan->streams > 0 ? (c->n + plan->streams - 1) / plan->streams : c->n;
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)conns);
    if (plan->streams > 0) {
        curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
        curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conns);
        curl_multi_setopt(c->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)plan->streams);
    }
    ad_url_format(plan->target, c->url, sizeof(c->url));
    ad_transfer_opts_t topts = {
        .url = c->url,
        .shape = plan->shape,
        .tls = plan->tls,
        .h2 = plan->streams > 0,
        .timeout_ns = plan->timeout_ns,
        .keepalive = plan->keepalive,
        .resolve = plan->resolve,
        .direct = plan->direct,
    };
    for (unsigned i = 0; i < c->n; i++) {
        if (ad_transfer_init(&c->xfers[i], &topts, w->err, sizeof(w->err)) != 0)
            return -1;
        curl_easy_setopt(c->xfers[i].easy, CURLOPT_SOCKOPTFUNCTION, on_new_socket);
        curl_easy_setopt(c->xfers[i].easy, CURLOPT_SOCKOPTDATA, w);
        c->xfers[i].owner = (void *)(uintptr_t)i;
        c->idle[i] = c->n - 1 - i; /* so the first sends use transfers 0, 1, 2... */
    }
    c->nidle = c->n;
    return 0;
}

/* ---- the loop ---- */

static void send_one(ad_engine_worker_t *w, curl_loop_t *c, int64_t intended, int64_t now)
{
    unsigned idx = c->idle[c->nidle - 1];
    ad_transfer_t *t = &c->xfers[idx];
    bool scan = ad_ew_scan_wanted(w);
    bool reuse = ad_ew_reuse_wanted(w);
    bool h2 = w->plan->streams > 0; /* handles share connections: curl picks one with a free stream */
    /* A handle's first request opens its own connection without searching curl's cache, which is a
     * linear scan per request: 10,000 connections opened at once would cost O(n^2). */
    if (t->uses <= 1 && !h2)
        curl_easy_setopt(t->easy, CURLOPT_FRESH_CONNECT, t->uses == 0 ? 1L : 0L);
    /* Connections nothing will reuse are closed: libcurl also walks its whole connection cache on each
     * curl_multi_remove_handle of a handle whose connection it kept (another O(n^2) at 10,000). */
    if (w->plan->keepalive && !h2 && reuse == t->forbid_reuse) {
        curl_easy_setopt(t->easy, CURLOPT_FORBID_REUSE, reuse ? 0L : 1L);
        t->forbid_reuse = !reuse;
    }
    t->uses++;
    uint32_t index = ad_ew_sent(w);
    ad_transfer_begin(t, index, intended - w->t0, now - w->t0);
    t->scan_body = scan;
    t->keep_error_body = ad_ew_wants_reason(w); /* only the first failure's words are kept */
    CURLMcode mc = curl_multi_add_handle(c->multi, t->easy);
    if (mc != CURLM_OK) {
        /* Cannot happen with a handle removed by us; end the run rather than lose it silently. */
        w->failed = 1;
        w->in_flight--;
        snprintf(w->err, sizeof(w->err), "curl_multi_add_handle: %s", curl_multi_strerror(mc));
        return;
    }
    c->nidle--;
}

/* Sends what is due while handles are free. */
static void fill(ad_engine_worker_t *w, curl_loop_t *c, int64_t now)
{
    int64_t intended;
    c->connect_at = 0;
    while (c->nidle > 0 && !w->failed && ad_ew_next_due(w, now, &intended)) {
        /* A handle's first request opens a connection: paced (ad_ew_may_connect). */
        if (c->xfers[c->idle[c->nidle - 1]].uses == 0 && !ad_ew_may_connect(w, now, &c->connect_at))
            break;
        send_one(w, c, intended, now);
    }
}

/*
 * Collects every finished transfer first, then removes them from the multi handle: removing a handle
 * scans curl's list of pending messages, so removing while thousands wait there (10,000 answers due
 * at the same instant) would cost O(n^2).
 */
static void drain(ad_engine_worker_t *w, curl_loop_t *c)
{
    CURLMsg *msg;
    int left;
    unsigned n = 0;
    int64_t done = ad_mono_ns() - w->t0;
    while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        ad_transfer_t *t = (ad_transfer_t *)(void *)priv;
        ad_transfer_end(t, msg->data.result, done);
        c->finished[n++] = t;
    }
    for (unsigned i = 0; i < n; i++) {
        ad_transfer_t *t = c->finished[i];
        curl_multi_remove_handle(c->multi, t->easy);
        c->idle[c->nidle++] = (unsigned)(uintptr_t)t->owner;
        char why[CURL_ERROR_SIZE + 64];
        const char *reason = NULL;
        if (t->rec.error != AD_ERR_NONE && ad_ew_wants_reason(w)) {
            ad_transfer_describe_error(t, t->result, why, sizeof(why));
            reason = why;
        }
        ad_ew_finish(w, &t->rec, t->bytes, reason);
    }
}

/* Abandons what is in flight (a stop request): not counted, the handles made idle again. */
static void abandon_in_flight(ad_engine_worker_t *w, curl_loop_t *c)
{
    bool *idle = calloc(c->n, sizeof(*idle));
    if (idle == NULL)
        return;
    for (unsigned i = 0; i < c->nidle; i++)
        idle[c->idle[i]] = true;
    for (unsigned i = 0; i < c->n; i++) {
        if (!idle[i]) {
            curl_multi_remove_handle(c->multi, c->xfers[i].easy);
            c->idle[c->nidle++] = i;
        }
    }
    w->in_flight = 0;
    free(idle);
}

static int wait_events(ad_engine_worker_t *w, curl_loop_t *c, int64_t now, struct epoll_event *events)
{
    int64_t wake = ad_ew_wake(w, now, c->nidle > 0);
    if (c->curl_deadline >= 0 && c->curl_deadline < wake)
        wake = c->curl_deadline;
    if (c->connect_at > 0 && c->connect_at < wake)
        wake = c->connect_at;
    int64_t wait = wake > now ? wake - now : 0;
    struct timespec ts = ad_ns_to_timespec(wait);
    int n = epoll_pwait2(c->epfd, events, EVENTS_MAX, &ts, NULL);
    if (n < 0 && errno == ENOSYS) /* kernels before 5.11: millisecond sleeps */
        n = epoll_wait(c->epfd, events, EVENTS_MAX, (int)((wait + AD_NS_PER_MS - 1) / AD_NS_PER_MS));
    return n;
}

static void dispatch(curl_loop_t *c, const struct epoll_event *events, int n)
{
    int running;
    for (int i = 0; i < n; i++) {
        int flags = 0;
        if (events[i].events & (EPOLLIN | EPOLLHUP))
            flags |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT)
            flags |= CURL_CSELECT_OUT;
        if (events[i].events & EPOLLERR)
            flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(c->multi, events[i].data.fd, flags, &running);
    }
}

static void curl_run_phase(ad_engine_worker_t *w)
{
    curl_loop_t *c = w->impl;
    struct epoll_event events[EVENTS_MAX];
    int running;
    for (;;) {
        int64_t now = ad_mono_ns();
        if (ad_ew_stopping(w)) {
            abandon_in_flight(w, c);
            return;
        }
        fill(w, c, now);
        if (c->curl_deadline >= 0 && c->curl_deadline <= now) {
            c->curl_deadline = -1;
            curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            drain(w, c);
            continue;
        }
        if (ad_ew_phase_over(w, now))
            return;
        int n = wait_events(w, c, now, events);
        if (n < 0 && errno != EINTR) {
            w->failed = 1;
            snprintf(w->err, sizeof(w->err), "epoll_wait: %s", strerror(errno));
            return;
        }
        if (n > 0) {
            dispatch(c, events, n);
            drain(w, c);
        }
        ad_ew_progress(w, ad_mono_ns());
    }
}

const ad_engine_backend_t ad_engine_backend_curl = {
    .name = "curl",
    .setup = curl_setup,
    .run_phase = curl_run_phase,
    .teardown = curl_teardown,
};
