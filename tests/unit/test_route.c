/* Routing: exact paths, /delay/{n}, the page's files, the path of absolute-form targets, methods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "route.h"

static ad_route_t find(const char *path)
{
    return ad_route_find(path, strlen(path));
}

static void assert_route(const char *path, ad_route_id_t id, ad_endpoint_t ep)
{
    ad_route_t r = find(path);
    if (r.id != id || r.ep != ep)
        fail_msg("%s: route %d ep %d, want route %d ep %d", path, r.id, r.ep, id, ep);
}

static void test_exact_paths(void **state)
{
    (void)state;
    assert_route("/non-blocking", AD_ROUTE_NON_BLOCKING, AD_EP_NON_BLOCKING);
    assert_route("/blocking", AD_ROUTE_BLOCKING, AD_EP_BLOCKING);
    assert_route("/offload", AD_ROUTE_OFFLOAD, AD_EP_OFFLOAD);
    assert_route("/stats", AD_ROUTE_STATS, AD_EP_STATS);
    assert_route("/metrics", AD_ROUTE_METRICS, AD_EP_METRICS);
    assert_route("/healthz", AD_ROUTE_HEALTHZ, AD_EP_HEALTHZ);
    assert_null(find("/stats").arg);
    assert_true(find("/stats").counted);
}

static void test_page_paths(void **state)
{
    (void)state;
    assert_route("/", AD_ROUTE_PAGE, AD_EP_OTHER);
    assert_route("/ui/page.js", AD_ROUTE_PAGE_FILES, AD_EP_OTHER);
    assert_route("/ui/anything", AD_ROUTE_PAGE_FILES, AD_EP_OTHER); /* the gate answers 404 for unknown files */
    assert_route("/ui/a/b", AD_ROUTE_PAGE_FILES, AD_EP_OTHER);
    assert_route("/events", AD_ROUTE_EVENTS, AD_EP_OTHER);
    assert_false(find("/").counted); /* the page watches the figures, it is not counted in them */
    assert_false(find("/events").counted);
    assert_route("/ui/", AD_ROUTE_NONE, AD_EP_OTHER);
    assert_route("/ui", AD_ROUTE_NONE, AD_EP_OTHER);
    assert_route("/uix/page.js", AD_ROUTE_NONE, AD_EP_OTHER);
    assert_route("/events/", AD_ROUTE_NONE, AD_EP_OTHER);
    assert_route("//", AD_ROUTE_NONE, AD_EP_OTHER);
}

static void test_unknown_paths(void **state)
{
    (void)state;
    const char *nope[] = {"",          "/index.html",   "/blocking/x", "/blocking/",     "/Blocking", "/stat",
                          "/statsx",   "//stats",       "/delay",      "/delay/",        "/delay/2/", "/delay/2/x",
                          "/metrics/", "/healthz.json", "stats",       "/non-blocking;x"};
    for (size_t i = 0; i < sizeof(nope) / sizeof(nope[0]); i++)
        assert_route(nope[i], AD_ROUTE_NONE, AD_EP_OTHER);
    /* a prefix of a route, by length: "/stats" must not match "/stat" + anything */
    assert_int_equal(ad_route_find("/statsXYZ", 5).id, AD_ROUTE_NONE);
    assert_int_equal(ad_route_find("/statsXYZ", 6).id, AD_ROUTE_STATS);
}

static void test_delay_n(void **state)
{
    (void)state;
    ad_route_t r = find("/delay/2");
    assert_int_equal(r.id, AD_ROUTE_DELAY);
    assert_int_equal(r.ep, AD_EP_DELAY);
    assert_int_equal(r.arg_len, 1);
    assert_memory_equal(r.arg, "2", 1);
    r = find("/delay/%32.5ms");
    assert_int_equal(r.id, AD_ROUTE_DELAY);
    assert_int_equal(r.arg_len, 7); /* still encoded: decoding is the delay parser's */
    assert_memory_equal(r.arg, "%32.5ms", 7);
    r = find("/delay/abc");
    assert_int_equal(r.id, AD_ROUTE_DELAY); /* a route; the bad n is a 400, not a 404 */
    assert_int_equal(r.arg_len, 3);
}

static void test_tree(void **state)
{
    (void)state;
    ad_route_t r = find("/anything");
    assert_int_equal(r.id, AD_ROUTE_ANYTHING);
    assert_null(r.arg);
    r = find("/anything/");
    assert_int_equal(r.id, AD_ROUTE_ANYTHING);
    assert_non_null(r.arg);
    assert_int_equal(r.arg_len, 0);
    r = find("/anything/a/b/c");
    assert_int_equal(r.id, AD_ROUTE_ANYTHING);
    assert_int_equal(r.arg_len, 5);
    assert_memory_equal(r.arg, "a/b/c", 5);
    assert_int_equal(find("/anythingx").id, AD_ROUTE_NONE);
    assert_int_equal(find("/anythin").id, AD_ROUTE_NONE);
}

static void test_status_codes(void **state)
{
    (void)state;
    ad_route_t r = find("/status/200:9,500:1");
    assert_int_equal(r.id, AD_ROUTE_STATUS);
    assert_int_equal(r.ep, AD_EP_STATUS);
    assert_int_equal(r.arg_len, 11);
    assert_memory_equal(r.arg, "200:9,500:1", 11);
    assert_int_equal(find("/status").id, AD_ROUTE_NONE);
    assert_int_equal(find("/status/").id, AD_ROUTE_NONE);
    assert_int_equal(find("/status/418/x").id, AD_ROUTE_NONE);
    assert_true(ad_route_takes_body(AD_ROUTE_STATUS)); /* every method, as httpbin */
    assert_true(ad_route_method_allowed(AD_ROUTE_STATUS, "DELETE", 6));
}

static void assert_path(const char *target, size_t query_at, const char *want)
{
    size_t len;
    const char *p = ad_route_path(target, strlen(target), query_at, &len);
    if (len != strlen(want) || memcmp(p, want, len) != 0)
        fail_msg("%s: path \"%.*s\", want \"%s\"", target, (int)len, p, want);
}

static void test_route_path(void **state)
{
    (void)state;
    assert_path("/stats", SIZE_MAX, "/stats");
    assert_path("/stats?x=1", 6, "/stats");
    assert_path("/delay/2?a=/b", 8, "/delay/2");
    assert_path("/?", 1, "/");
    assert_path("http://127.0.0.1:8000/stats", SIZE_MAX, "/stats");
    assert_path("http://h/delay/2?a=1", 16, "/delay/2");
    assert_path("http://h", SIZE_MAX, "");
    assert_path("http://h?x=/stats", 8, "");
    assert_path("*", SIZE_MAX, "*");
    assert_path("", SIZE_MAX, "");
    assert_path("stats://", SIZE_MAX, "");
}

static const char *allow(ad_route_id_t r)
{
    static char buf[64];
    ad_route_allow(r, buf, sizeof(buf));
    return buf;
}

static void test_methods(void **state)
{
    (void)state;
    assert_true(ad_route_method_allowed(AD_ROUTE_STATS, "GET", 3));
    assert_true(ad_route_method_allowed(AD_ROUTE_STATS, "HEAD", 4));
    assert_false(ad_route_method_allowed(AD_ROUTE_STATS, "get", 3));
    assert_false(ad_route_method_allowed(AD_ROUTE_STATS, "POST", 4));
    assert_false(ad_route_method_allowed(AD_ROUTE_STATS, "GETX", 4));
    assert_false(ad_route_method_allowed(AD_ROUTE_STATS, "GET", 2));
    assert_false(ad_route_method_allowed(AD_ROUTE_STATS, "HEA", 3));
    assert_false(ad_route_method_allowed(AD_ROUTE_STATS, "", 0));
    assert_string_equal(allow(AD_ROUTE_STATS), "GET, HEAD");
    /* /delay/{n} is httpbin's: the methods with a body too */
    static const char *const delay_ok[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < sizeof(delay_ok) / sizeof(delay_ok[0]); i++)
        assert_true(ad_route_method_allowed(AD_ROUTE_DELAY, delay_ok[i], strlen(delay_ok[i])));
    assert_false(ad_route_method_allowed(AD_ROUTE_DELAY, "OPTIONS", 7));
    assert_false(ad_route_method_allowed(AD_ROUTE_DELAY, "post", 4));
    assert_false(ad_route_method_allowed(AD_ROUTE_NON_BLOCKING, "POST", 4)); /* /non-blocking and the others: no */
    assert_false(ad_route_method_allowed(AD_ROUTE_HEALTHZ, "PUT", 3));
    assert_string_equal(allow(AD_ROUTE_DELAY), "GET, HEAD, POST, PUT, PATCH, DELETE");
    assert_true(ad_route_takes_body(AD_ROUTE_DELAY));
    assert_false(ad_route_takes_body(AD_ROUTE_HEALTHZ));
    assert_false(ad_route_takes_body(AD_ROUTE_NONE));
    assert_false(ad_route_method_allowed(AD_ROUTE_NONE, "GET", 3));
    /* every endpoint serves GET and HEAD */
    for (int r = 0; r < AD_ROUTE_COUNT; r++) {
        assert_true(ad_route_method_allowed((ad_route_id_t)r, "GET", 3));
        assert_true(ad_route_method_allowed((ad_route_id_t)r, "HEAD", 4));
    }
}

/* Which endpoints with a slot of their own take a segment (SEGMENT), from the list. */
#define IS_SEGMENT_EXACT 0
#define IS_SEGMENT_SEGMENT 1
#define IS_SEGMENT_PREFIX 0
#define IS_SEGMENT_TREE 0
static const bool segment[AD_EP_COUNT] = {
#define AD_X(id, path, match, methods, slot, ...) AD_ENDPOINT_IF_OWN_##slot([AD_EP_##id] = IS_SEGMENT_##match, )
    AD_ENDPOINTS(AD_X)
#undef AD_X
};

/* Every counted endpoint's name is its path, and routes to itself (SEGMENT ones with a segment only). */
static void test_names_route(void **state)
{
    (void)state;
    for (int ep = 0; ep < AD_EP_OTHER; ep++) {
        const char *name = ad_endpoint_name((ad_endpoint_t)ep);
        ad_route_t r = find(name);
        if (segment[ep]) {
            assert_int_equal(r.ep, AD_EP_OTHER); /* "/delay" alone names no delay */
            continue;
        }
        assert_int_equal(r.ep, ep);
    }
    assert_string_equal(ad_endpoint_name(AD_EP_OTHER), "other");
}

/* The measure is the HTTP/1.1 head's own length, without its closing blank line. */
static void test_head_bytes(void **state)
{
    (void)state;
    const char head[] = "GET /delay/2?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nX-Big: 0123456789\r\n";
    size_t fields = strlen("Host") + strlen("127.0.0.1:8000") + strlen("X-Big") + strlen("0123456789");
    assert_int_equal(ad_route_head_bytes(3, strlen("/delay/2?a=1"), 2, fields), strlen(head));
    assert_int_equal(ad_route_head_bytes(3, 1, 0, 0), strlen("GET / HTTP/1.1\r\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_paths), cmocka_unit_test(test_page_paths),   cmocka_unit_test(test_unknown_paths),
        cmocka_unit_test(test_delay_n),     cmocka_unit_test(test_status_codes), cmocka_unit_test(test_route_path),
        cmocka_unit_test(test_methods),     cmocka_unit_test(test_names_route),  cmocka_unit_test(test_head_bytes),
        cmocka_unit_test(test_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
