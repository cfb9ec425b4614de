/*
 * discrimination_auc (SPEC 3) in O(n log n)... in fact O(n): a least-significant-digit radix sort
 * of the labelled keys (see sl_auc_key), then one walk over groups of equal p. With `less` the
 * number of negatives below a group holding cp positives and cn negatives, the group adds
 * cp * less concordant pairs and cp * cn ties, each tie counting 1/2, exactly the reference's
 * all-pairs count. Counts are integers, so the result is the reference's to the last bit as long
 * as the reference's own float count is exact (fewer than 2^53 pairs).
 */
#include "auc_internal.h"

#define DIGIT_BITS 11
#define DIGITS 6 /* 6 * 11 = 66 >= 64 key bits */
#define BUCKETS (1u << DIGIT_BITS)

static unsigned digit(uint64_t key, int d)
{
    return (unsigned)(key >> (d * DIGIT_BITS)) & (BUCKETS - 1u);
}

/* Sorts keys ascending. Histograms of every digit are taken in one read; a digit in which all keys
 * agree is skipped (common: p in [0, 1] leaves the top bits nearly constant). */
static void radix_sort(uint64_t *keys, uint64_t *scratch, size_t n)
{
    static _Thread_local size_t count[DIGITS][BUCKETS];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < DIGITS; d++)
            count[d][digit(keys[i], d)]++;

    uint64_t *from = keys, *to = scratch;
    for (int d = 0; d < DIGITS; d++) {
        if (n == 0 || count[d][digit(keys[0], d)] == n)
            continue;
        size_t offset = 0;
        for (unsigned b = 0; b < BUCKETS; b++) {
            size_t c = count[d][b];
            count[d][b] = offset;
            offset += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[d][digit(from[i], d)]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    }
    if (from != keys)
        memcpy(keys, from, n * sizeof *keys);
}

int sl_auc_from_keys(uint64_t *keys, uint64_t *scratch, size_t n, double *auc)
{
    radix_sort(keys, scratch, n);
    uint64_t negatives_below = 0, positives = 0;
    unsigned __int128 twice_concordant = 0; /* 2 * (concordant + ties / 2), exact */
    for (size_t i = 0; i < n;) {
        uint64_t value = keys[i] >> 1, cp = 0, cn = 0;
        for (; i < n && keys[i] >> 1 == value; i++) {
            if (keys[i] & 1u)
                cp++;
            else
                cn++;
        }
        twice_concordant += (unsigned __int128)cp * (2 * negatives_below + cn);
        negatives_below += cn;
        positives += cp;
    }
    if (positives == 0 || negatives_below == 0)
        return 0;
    /* concordant / (n_pos * n_neg), scaled by 2 (exactly) on both sides */
    *auc = (double)twice_concordant / (2.0 * (double)positives * (double)negatives_below);
    return 1;
}
