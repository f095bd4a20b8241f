#include "timer_heap.h"

#include <stdlib.h>

void ad_timer_init(ad_timer_t *t, ad_timer_cb cb)
{
    ad_timer_init_charged(t, cb, -1);
}

void ad_timer_init_charged(ad_timer_t *t, ad_timer_cb cb, int32_t slot)
{
    t->deadline = 0;
    t->index = AD_TIMER_UNLINKED;
    t->cb = cb;
    t->charge = slot;
}

void ad_timer_heap_init(ad_timer_heap_t *h)
{
    h->items = NULL;
    h->len = 0;
    h->cap = 0;
    h->next_seq = 0;
}

void ad_timer_heap_dispose(ad_timer_heap_t *h)
{
    free(h->items);
    ad_timer_heap_init(h);
}

/* (deadline, seq) order: equal deadlines keep insertion order. */
static bool earlier(const ad_timer_slot_t *a, const ad_timer_slot_t *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

static void place(ad_timer_heap_t *h, size_t i, ad_timer_slot_t slot)
{
    h->items[i] = slot;
    slot.timer->index = i;
}

/* Both return the slot's final position. */
static size_t sift_up(ad_timer_heap_t *h, size_t i)
{
    ad_timer_slot_t slot = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(&slot, &h->items[parent]))
            break;
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, slot);
    return i;
}

static size_t sift_down(ad_timer_heap_t *h, size_t i)
{
    ad_timer_slot_t slot = h->items[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && earlier(&h->items[child + 1], &h->items[child]))
            child++;
        if (!earlier(&h->items[child], &slot))
            break;
        place(h, i, h->items[child]);
        i = child;
    }
    place(h, i, slot);
    return i;
}

static int grow(ad_timer_heap_t *h)
{
    size_t cap = h->cap ? h->cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(*h->items))
        return -1;
    ad_timer_slot_t *items = realloc(h->items, cap * sizeof(*items));
    if (items == NULL)
        return -1;
    h->items = items;
    h->cap = cap;
    return 0;
}

int ad_timer_heap_push(ad_timer_heap_t *h, ad_timer_t *t, int64_t deadline)
{
    /* A re-pushed timer goes behind the others with the same deadline, as a fresh one would. */
    ad_timer_slot_t slot = {.deadline = deadline, .seq = h->next_seq++, .timer = t};
    t->deadline = deadline;
    if (ad_timer_is_linked(t)) {
        place(h, t->index, slot);
        sift_down(h, sift_up(h, t->index));
        return 0;
    }
    if (h->len == h->cap && grow(h) != 0)
        return -1;
    size_t i = h->len++;
    place(h, i, slot);
    sift_up(h, i);
    return 0;
}

void ad_timer_heap_remove(ad_timer_heap_t *h, ad_timer_t *t)
{
    if (!ad_timer_is_linked(t))
        return;
    size_t i = t->index;
    t->index = AD_TIMER_UNLINKED;
    ad_timer_slot_t last = h->items[--h->len];
    if (i == h->len)
        return;
    /* The last item fills the hole; it may need to move either way. */
    place(h, i, last);
    sift_down(h, sift_up(h, i));
}

ad_timer_t *ad_timer_heap_peek(const ad_timer_heap_t *h)
{
    return h->len ? h->items[0].timer : NULL;
}

ad_timer_t *ad_timer_heap_pop(ad_timer_heap_t *h)
{
    ad_timer_t *t = ad_timer_heap_peek(h);
    if (t != NULL)
        ad_timer_heap_remove(h, t);
    return t;
}
