/* String interning: see panel_intern.h. */
#include "panel_intern.h"

#include <stdlib.h>
#include <string.h>

/* Blocks double from ARENA_FIRST to ARENA_BLOCK bytes: a table of a few strings (a rubric
 * task's labels) stays small, a large one allocates rarely. */
#define ARENA_FIRST 256u
#define ARENA_BLOCK (1u << 20)

struct sl_arena_block {
    struct sl_arena_block *next;
    size_t used, cap;
    char data[];
};

char *sl_arena_copy(sl_arena *a, const char *s, size_t len)
{
    struct sl_arena_block *b = a->head;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = !b ? ARENA_FIRST : b->cap < ARENA_BLOCK ? 2 * b->cap : ARENA_BLOCK;
        if (cap < len + 1)
            cap = len + 1;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    char *out = b->data + b->used;
    if (len)
        memcpy(out, s, len);
    out[len] = '\0';
    b->used += len + 1;
    return out;
}

void sl_arena_free(sl_arena *a)
{
    while (a->head) {
        struct sl_arena_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* 8 bytes at a time with multiply-xorshift mixing, the last 1 to 8 bytes read as whole words that
 * may overlap the ones before (no byte loop, no variable-length copy), murmur3's finalizer: fast
 * and well spread for short ids; not meant to resist adversarial keys. */
uint64_t sl_hash_bytes(const char *s, size_t len)
{
    const uint64_t m = 0x9e3779b97f4a7c15ull;
    uint64_t h = (uint64_t)len * m, w;
    if (len > 8) {
        const char *last = s + len - 8;
        for (; s < last; s += 8) {
            h = (h ^ (sl_load64(s) * m)) * 0xbf58476d1ce4e5b9ull;
            h ^= h >> 29;
        }
        w = sl_load64(last);
    } else if (len >= 4) {
        w = sl_load32(s) << 32 | sl_load32(s + len - 4);
    } else if (len > 0) {
        w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[len / 2] << 8 |
            (unsigned char)s[len - 1];
    } else {
        w = 0;
    }
    h = (h ^ (w * m)) * 0x94d049bb133111ebull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

void sl_intern_init(sl_intern *t)
{
    memset(t, 0, sizeof *t);
}

void sl_intern_keep_bytes_only(sl_intern *t)
{
    free(t->slots);
    free(t->str);
    free(t->len);
    t->slots = NULL;
    t->str = NULL;
    t->len = NULL;
    t->cap = t->str_cap = 0;
}

void sl_intern_free(sl_intern *t)
{
    sl_intern_keep_bytes_only(t);
    sl_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}

/* The slot holding s, or the empty slot where it would go. */
static size_t probe(const sl_intern *t, const char *s, size_t len, uint64_t h)
{
    size_t mask = t->cap - 1, i = (size_t)h & mask;
    for (;;) {
        const sl_intern_slot *e = &t->slots[i];
        if (e->id1 == 0)
            return i;
        if (e->hash == h && e->len == len && memcmp(e->str, s, len) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

static int grow(sl_intern *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    sl_intern_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t j = 0; j < t->cap; j++) {
        sl_intern_slot e = t->slots[j];
        if (!e.id1)
            continue;
        size_t i = (size_t)e.hash & (cap - 1);
        while (slots[i].id1)
            i = (i + 1) & (cap - 1);
        slots[i] = e;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

int64_t sl_intern_find(const sl_intern *t, const char *s, size_t len)
{
    if (!t->cap)
        return -1;
    const sl_intern_slot *e = &t->slots[probe(t, s, len, sl_hash_bytes(s, len))];
    return e->id1 ? (int64_t)e->id1 - 1 : -1;
}

int64_t sl_intern_add(sl_intern *t, const char *s, size_t len, int *added)
{
    if (added)
        *added = 0;
    if ((t->count + 1) * 2 > t->cap && grow(t))
        return -1;
    uint64_t h = sl_hash_bytes(s, len);
    size_t i = probe(t, s, len, h);
    if (t->slots[i].id1)
        return (int64_t)t->slots[i].id1 - 1;
    if (t->count >= 0x7fffffff || len > UINT32_MAX)
        return -1;
    if (t->count == t->str_cap) {
        size_t cap = t->str_cap ? t->str_cap * 2 : 64;
        const char **str = realloc(t->str, cap * sizeof *str);
        if (!str)
            return -1;
        t->str = str;
        uint32_t *lens = realloc(t->len, cap * sizeof *lens);
        if (!lens)
            return -1;
        t->len = lens;
        t->str_cap = cap;
    }
    char *copy = sl_arena_copy(&t->arena, s, len);
    if (!copy)
        return -1;
    uint32_t id = (uint32_t)t->count++;
    t->str[id] = copy;
    t->len[id] = (uint32_t)len;
    t->slots[i] = (sl_intern_slot){h, id + 1u, (uint32_t)len, copy};
    if (added)
        *added = 1;
    return id;
}
