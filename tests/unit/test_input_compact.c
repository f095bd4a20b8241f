/*
 * Right-sizing a waiting HTTP/1 request's read buffer: the bytes move, every request field that pointed
 * into them follows, nothing else moves, and h2o can keep using (growing, consuming, freeing) the result.
 * Buffers come from h2o's own allocator (a prototype that recycles nothing, so the sanitizers see every free).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "input_compact.h"

/* An earlier pipelined request already consumed, this one, and the start of the next one. */
static const char consumed[] = "GET /old HTTP/1.1\r\n\r\n";
static const char request[] = "GET /delay/2?a=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: ua/1\r\n"
                              "X-Custom: v\r\n\r\n";
static const char pipelined[] = "GET /stats HTTP/1.1\r\n";

typedef struct fixture {
    h2o_buffer_prototype_t proto;
    h2o_buffer_t *buf;
    h2o_req_t *req;
    h2o_header_t headers[3];
    h2o_iovec_t custom_name; /* a non-token name: h2o keeps such an iovec in the pool */
    char normalized[16];     /* a field h2o built elsewhere (the pool): must not move */
} fixture_t;

static const char *at(fixture_t *f, const char *text)
{
    const char *p = memmem(f->buf->bytes, f->buf->size, text, strlen(text));
    assert_non_null(p);
    return p;
}

static h2o_iovec_t iov(fixture_t *f, const char *text)
{
    return h2o_iovec_init(at(f, text), strlen(text));
}

static void fill_buffer(fixture_t *f, size_t capacity)
{
    f->proto = (h2o_buffer_prototype_t){.allocator = {0}, ._initial_buf = {.capacity = capacity}};
    h2o_buffer_init(&f->buf, &f->proto);
    h2o_iovec_t room = h2o_buffer_reserve(&f->buf, 4096);
    assert_non_null(room.base);
    size_t n = 0;
    memcpy(room.base + n, consumed, sizeof(consumed) - 1);
    n += sizeof(consumed) - 1;
    memcpy(room.base + n, request, sizeof(request) - 1);
    n += sizeof(request) - 1;
    memcpy(room.base + n, pipelined, sizeof(pipelined) - 1);
    n += sizeof(pipelined) - 1;
    f->buf->size = n;
    h2o_buffer_consume(&f->buf, sizeof(consumed) - 1); /* bytes no longer at the start of the allocation */
}

/* A request as h2o 2.2.5's HTTP/1 parser leaves it: everything points into the read buffer. */
static void fill_request(fixture_t *f)
{
    h2o_req_t *req = f->req;
    req->version = 0x101;
    req->input.method = req->method = iov(f, "GET");
    req->input.path = req->path = iov(f, "/delay/2?a=1");
    req->query_at = 8;
    req->input.authority = req->authority = iov(f, "example.org");
    strcpy(f->normalized, "/delay/2");
    req->path_normalized = h2o_iovec_init(f->normalized, strlen(f->normalized));
    f->custom_name = iov(f, "X-Custom");
    f->headers[0] = (h2o_header_t){&H2O_TOKEN_USER_AGENT->buf, NULL, iov(f, "ua/1")};
    f->headers[1] = (h2o_header_t){&f->custom_name, at(f, "X-Custom"), iov(f, "v")};
    f->headers[2] = (h2o_header_t){&H2O_TOKEN_ACCEPT->buf, "Accept", h2o_iovec_init("*/*", 3)};
    req->headers.entries = f->headers;
    req->headers.size = 3;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    if (f == NULL || (f->req = calloc(1, sizeof(*f->req))) == NULL)
        return -1;
    fill_buffer(f, 8192);
    fill_request(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    h2o_buffer_dispose(&f->buf);
    free(f->req);
    free(f);
    return 0;
}

static void assert_iov(h2o_iovec_t v, const h2o_buffer_t *buf, const char *text)
{
    assert_int_equal(v.len, strlen(text));
    assert_memory_equal(v.base, text, v.len);
    assert_true(v.base >= buf->bytes && v.base + v.len <= buf->bytes + buf->size);
}

static void test_moves_bytes_and_fields(void **state)
{
    fixture_t *f = *state;
    h2o_buffer_t *old = f->buf;
    size_t size = old->size;
    assert_true(ad_input_compact(f->req, &f->buf));
    h2o_buffer_t *nb = f->buf;
    assert_ptr_not_equal(nb, old);
    assert_int_equal(nb->size, size);
    assert_int_equal(nb->capacity, size); /* over the 64-byte minimum: exactly the bytes */
    assert_ptr_equal(nb->_prototype, &f->proto);
    assert_int_equal(nb->_fd, -1);
    assert_memory_equal(nb->bytes, request, sizeof(request) - 1);
    assert_memory_equal(nb->bytes + sizeof(request) - 1, pipelined, sizeof(pipelined) - 1);

    h2o_req_t *req = f->req;
    assert_iov(req->input.method, nb, "GET");
    assert_iov(req->method, nb, "GET");
    assert_iov(req->input.path, nb, "/delay/2?a=1");
    assert_iov(req->path, nb, "/delay/2?a=1");
    assert_iov(req->input.authority, nb, "example.org");
    assert_iov(req->authority, nb, "example.org");
    assert_iov(req->headers.entries[0].value, nb, "ua/1");
    assert_iov(*req->headers.entries[1].name, nb, "X-Custom");
    assert_ptr_equal(req->headers.entries[1].orig_name, req->headers.entries[1].name->base);
    assert_iov(req->headers.entries[1].value, nb, "v");
    /* not in the old bytes: untouched */
    assert_ptr_equal(req->headers.entries[0].name, &H2O_TOKEN_USER_AGENT->buf);
    assert_int_equal(H2O_TOKEN_USER_AGENT->buf.base[0], 'u');
    assert_null(req->headers.entries[0].orig_name);
    assert_ptr_equal(req->path_normalized.base, f->normalized);
    assert_string_equal(req->headers.entries[2].value.base, "*/*");
    assert_null(req->upgrade.base);
    assert_null(req->entity.base);
}

static void test_h2o_keeps_using_it(void **state)
{
    fixture_t *f = *state;
    assert_true(ad_input_compact(f->req, &f->buf));
    size_t size = f->buf->size;
    /* the next read: h2o grows the small buffer (a fresh allocation, the bytes copied) */
    h2o_iovec_t room = h2o_buffer_reserve(&f->buf, 4096);
    assert_non_null(room.base);
    assert_true(room.len >= 4096);
    memcpy(room.base, "Host: h\r\n\r\n", 11);
    f->buf->size += 11;
    assert_memory_equal(f->buf->bytes, request, sizeof(request) - 1);
    /* the request done: h2o consumes it, then the rest; all consumed frees the buffer */
    h2o_buffer_consume(&f->buf, sizeof(request) - 1);
    assert_memory_equal(f->buf->bytes, pipelined, sizeof(pipelined) - 1);
    h2o_buffer_consume(&f->buf, size - (sizeof(request) - 1) + 11);
    assert_null(f->buf->bytes); /* back to the prototype */
}

static void test_consumed_whole_frees(void **state)
{
    fixture_t *f = *state;
    assert_true(ad_input_compact(f->req, &f->buf));
    h2o_buffer_consume(&f->buf, f->buf->size);
    assert_null(f->buf->bytes);
}

static void test_only_once(void **state)
{
    fixture_t *f = *state;
    assert_true(ad_input_compact(f->req, &f->buf));
    h2o_buffer_t *nb = f->buf;
    assert_false(ad_input_compact(f->req, &f->buf)); /* already right-sized */
    assert_ptr_equal(f->buf, nb);
}

static void test_left_alone(void **state)
{
    fixture_t *f = *state;
    h2o_buffer_t *old = f->buf;
    const char *path = f->req->path.base;
    /* too much buffered to be worth it */
    size_t size = old->size;
    old->size = AD_INPUT_COMPACT_MAX + 1;
    assert_false(ad_input_compact(f->req, &f->buf));
    old->size = size;
    /* backed by a file */
    old->_fd = 0;
    assert_false(ad_input_compact(f->req, &f->buf));
    old->_fd = -1;
    assert_ptr_equal(f->buf, old);
    assert_ptr_equal(f->req->path.base, path);
    /* nothing read yet: the prototype itself */
    h2o_buffer_t *empty;
    h2o_buffer_init(&empty, &f->proto);
    assert_false(ad_input_compact(f->req, &empty));
    assert_ptr_equal(empty, &f->proto._initial_buf);
}

static void test_small_and_prototype_capacity(void **state)
{
    fixture_t *f = *state;
    /* a prototype whose capacity is what the compacted buffer would get: it must differ, or h2o would
     * recycle the small buffer as a full-size one */
    h2o_buffer_dispose(&f->buf);
    f->proto = (h2o_buffer_prototype_t){.allocator = {0}, ._initial_buf = {.capacity = 64}};
    h2o_buffer_init(&f->buf, &f->proto);
    h2o_iovec_t room = h2o_buffer_reserve(&f->buf, 4096);
    memcpy(room.base, "GET / HTTP/1.0\r\n\r\n", 18);
    f->buf->size = 18;
    memset(&f->req->input, 0, sizeof(f->req->input));
    f->req->input.path = h2o_iovec_init(f->buf->bytes + 4, 1);
    f->req->headers.size = 0;
    f->req->method = f->req->path = f->req->authority = f->req->input.authority = h2o_iovec_init(NULL, 0);
    assert_true(ad_input_compact(f->req, &f->buf));
    assert_int_equal(f->buf->capacity, 65);
    assert_int_equal(f->buf->size, 18);
    assert_memory_equal(f->req->input.path.base, "/", 1);
    assert_ptr_equal(f->req->input.path.base, f->buf->bytes + 4);
}

/* ad_input_compact_request: only a request parsed from its connection's socket buffer, HTTP/1, no TLS. */
static h2o_socket_t fake_sock;
static h2o_socket_t *get_fake_socket(h2o_conn_t *conn)
{
    (void)conn;
    return &fake_sock;
}

static void test_request_checks(void **state)
{
    fixture_t *f = *state;
    static const h2o_conn_callbacks_t callbacks = {.get_socket = get_fake_socket};
    h2o_conn_t conn = {.callbacks = &callbacks};
    f->req->conn = &conn;
    fake_sock = (h2o_socket_t){.input = f->buf};

    f->req->version = 0x200; /* HTTP/2: the input buffer is the connection's, shared by streams */
    assert_false(ad_input_compact_request(f->req));
    f->req->version = 0x101;

    char *path = f->req->input.path.base;
    f->req->input.path.base = (char *)"/elsewhere"; /* not parsed from this buffer */
    assert_false(ad_input_compact_request(f->req));
    f->req->input.path.base = path;

    assert_ptr_equal(fake_sock.input, f->buf);
    assert_true(ad_input_compact_request(f->req));
    assert_ptr_not_equal(fake_sock.input, f->buf); /* the socket holds the new buffer */
    f->buf = fake_sock.input;
    assert_iov(f->req->input.path, f->buf, "/delay/2?a=1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_moves_bytes_and_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h2o_keeps_using_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consumed_whole_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_and_prototype_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_checks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
