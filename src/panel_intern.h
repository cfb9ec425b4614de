/*
 * Internal: string interning for the panel aggregation (and, linked from the static library, the
 * eval command's item table): each distinct string (an item id, a reviewer,
 * a task, a label) gets a dense id 0, 1, 2, ... in first-seen order, and its bytes are copied
 * once into an arena. Memory grows with the distinct strings only, never with how often they
 * occur, so grouping tens of millions of annotations costs memory in proportion to the items.
 * An open-addressing table of (hash, id) pairs; not thread-safe (one table per thread, merged).
 */
#ifndef SL_PANEL_INTERN_H
#define SL_PANEL_INTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* An append-only arena of bytes in large blocks; pointers into it stay valid until freed. */
typedef struct sl_arena {
    struct sl_arena_block *head;
} sl_arena;

/* Copies len bytes (plus a terminating NUL) into the arena; NULL when memory runs out. */
char *sl_arena_copy(sl_arena *a, const char *s, size_t len);
void sl_arena_free(sl_arena *a);

/* A slot holds the string's full hash, length and bytes pointer, so a lookup touches the slot and
 * the bytes only (one cache miss each in a large table) and growing never rehashes a string. */
typedef struct sl_intern_slot {
    uint64_t hash;
    uint32_t id1;       /* id + 1; 0 = empty */
    uint32_t len;
    const char *str;    /* the bytes, in the arena */
} sl_intern_slot;

typedef struct sl_intern {
    sl_intern_slot *slots;
    size_t cap;         /* power of two */
    size_t count;
    const char **str;   /* id -> bytes (NUL-terminated, in the arena) */
    uint32_t *len;      /* id -> length */
    size_t str_cap;
    sl_arena arena;
} sl_intern;

/* 8 or 4 bytes at s as a little word (any alignment). */
static inline uint64_t sl_load64(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint64_t sl_load32(const char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

/* The hash every table uses (so a caller may compute it once and look up several tables). */
uint64_t sl_hash_bytes(const char *s, size_t len);

void sl_intern_init(sl_intern *t);
void sl_intern_free(sl_intern *t);

/* The id of s, adding it if new (*added = 1 then; added may be NULL). Returns -1 when memory runs
 * out or the table would exceed 2^31 - 1 strings. */
int64_t sl_intern_add(sl_intern *t, const char *s, size_t len, int *added);

/* Frees the lookup index and the id -> string arrays, keeping the strings' bytes (pointers to them
 * stay valid until sl_intern_free): for a table whose strings are still needed once every id is
 * known; `count` stays. Only sl_intern_free may follow. */
void sl_intern_keep_bytes_only(sl_intern *t);

/* The id of s, or -1 when it is not in the table. */
int64_t sl_intern_find(const sl_intern *t, const char *s, size_t len);

#endif
