/*
 * Size and overlap checks of the entry points' buffer arguments (softlabel.h, "Conventions":
 * sizes and overlap). Pointers are compared as addresses (uintptr_t): the buffers are distinct
 * objects, which C's relational operators may not compare.
 */
#ifndef SL_ARGS_INTERNAL_H
#define SL_ARGS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "softlabel.h"

/* Whether n elements of `size` bytes can be one object (n * size <= PTRDIFF_MAX). */
static inline int sl_array_fits(size_t n, size_t size)
{
    return n <= PTRDIFF_MAX / size;
}

/* The elements a label-major matrix of k columns, ld elements apart, n used in each, spans:
 * (k - 1) * ld + n; 0 when that overflows the largest object of `size`-byte elements. */
static inline size_t sl_matrix_extent(size_t ld, size_t n, size_t k, size_t size)
{
    size_t max = PTRDIFF_MAX / size;
    if (k == 0 || n > max || (k > 1 && ld > (max - n) / (k - 1)))
        return 0;
    return (k - 1) * ld + n;
}

/* A buffer's bytes [begin, begin + bytes); begin 0 (a NULL pointer) or no bytes: absent. */
typedef struct sl_span {
    uintptr_t begin;
    size_t bytes;
} sl_span;

static inline sl_span sl_span_of(const void *p, size_t n, size_t size)
{
    sl_span s = {(uintptr_t)p, p ? n * size : 0};
    return s;
}

static inline int sl_spans_overlap(sl_span a, sl_span b)
{
    return a.bytes > 0 && b.bytes > 0 && a.begin < b.begin + b.bytes && b.begin < a.begin + a.bytes;
}

/* SL_OK when no output shares a byte with another output or with an input, except an output
 * identical to an input (same start, same length) when in_place is set; else SL_ERR_OVERLAP. */
static inline sl_status sl_check_overlap(const sl_span *outs, size_t n_outs, const sl_span *ins,
                                         size_t n_ins, int in_place)
{
    for (size_t o = 0; o < n_outs; o++) {
        for (size_t q = o + 1; q < n_outs; q++)
            if (sl_spans_overlap(outs[o], outs[q]))
                return SL_ERR_OVERLAP;
        for (size_t i = 0; i < n_ins; i++) {
            int same = outs[o].begin == ins[i].begin && outs[o].bytes == ins[i].bytes;
            if (sl_spans_overlap(outs[o], ins[i]) && !(in_place && same))
                return SL_ERR_OVERLAP;
        }
    }
    return SL_OK;
}

#endif
