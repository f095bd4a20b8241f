/* Right-sizing a waiting HTTP/1 request's read buffer (see input_compact.h). */
#include "input_compact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Smallest capacity given to a compacted buffer: h2o_buffer_reserve grows it by doubling. */
#define MIN_CAPACITY 64
/* What the old bytes are overwritten with before they are freed. */
#define POISON 0xA5

typedef struct move {
    uintptr_t from, end; /* the old bytes, [from, end] (a pointer just past them is an empty tail) */
    char *to;
} move_t;

static void relocate(const move_t *m, const char **p)
{
    uintptr_t at = (uintptr_t)*p;
    if (*p != NULL && at >= m->from && at <= m->end)
        *p = m->to + (at - m->from);
}

static void relocate_iovec(const move_t *m, h2o_iovec_t *v)
{
    relocate(m, (const char **)&v->base);
}

/*
 * Every field through which h2o 2.2.5 or our handlers reach the request's bytes: what lib/http1.c's
 * fixup_request copies when the buffer may move (method, path, header names and values, host,
 * upgrade), what h2o_process_request derives from them (authority, method, path, path_normalized),
 * and the entity.
 */
static void relocate_request(const move_t *m, h2o_req_t *req)
{
    relocate_iovec(m, &req->input.authority);
    relocate_iovec(m, &req->input.method);
    relocate_iovec(m, &req->input.path);
    relocate_iovec(m, &req->authority);
    relocate_iovec(m, &req->method);
    relocate_iovec(m, &req->path);
    relocate_iovec(m, &req->path_normalized);
    relocate_iovec(m, &req->entity);
    relocate_iovec(m, &req->upgrade);
    for (size_t i = 0; i < req->headers.size; i++) {
        h2o_header_t *h = &req->headers.entries[i];
        /* A token's name is h2o's static table; any other name is a pool copy of an iovec into the bytes. */
        if (!h2o_iovec_is_token(h->name))
            relocate_iovec(m, h->name);
        relocate(m, &h->orig_name);
        relocate_iovec(m, &h->value);
    }
    for (size_t i = 0; i < req->env.size; i++)
        relocate_iovec(m, &req->env.entries[i]);
}

bool ad_input_compact(h2o_req_t *req, h2o_buffer_t **input)
{
    h2o_buffer_t *old = *input;
    /* Not allocated yet (the prototype), backed by a temporary file, or already small: leave it. */
    if (old == NULL || old->bytes == NULL || old->_fd != -1 || old->size > AD_INPUT_COMPACT_MAX)
        return false;
    size_t cap = old->size > MIN_CAPACITY ? old->size : MIN_CAPACITY;
    /* A buffer of the prototype's capacity would be put on h2o's recycling list and handed out as full-size. */
    if (cap == old->_prototype->_initial_buf.capacity)
        cap++;
    if (cap >= old->capacity)
        return false;
    h2o_buffer_t *nb = malloc(offsetof(h2o_buffer_t, _buf) + cap);
    if (nb == NULL)
        return false;
    *nb =
        (h2o_buffer_t){.capacity = cap, .size = old->size, .bytes = nb->_buf, ._prototype = old->_prototype, ._fd = -1};
    memcpy(nb->_buf, old->bytes, old->size);

    move_t m = {(uintptr_t)old->bytes, (uintptr_t)old->bytes + old->size, nb->_buf};
    relocate_request(&m, req);
    memset(old->bytes, POISON, old->size);
    h2o_buffer_dispose(&old);
    *input = nb;
    return true;
}

bool ad_input_compact_request(h2o_req_t *req)
{
    if (req->version >= 0x200 || req->conn->callbacks->get_socket == NULL)
        return false;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->ssl != NULL)
        return false;
    /* The request must have been parsed from this buffer: its path lies inside the buffered bytes. */
    const h2o_buffer_t *in = sock->input;
    uintptr_t path = (uintptr_t)req->input.path.base;
    if (in == NULL || in->bytes == NULL || path < (uintptr_t)in->bytes || path >= (uintptr_t)in->bytes + in->size)
        return false;
    return ad_input_compact(req, &sock->input);
}
