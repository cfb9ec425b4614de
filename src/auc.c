/*
 * discrimination_auc (SPEC 3) by sorting the labelled keys (see sl_auc_key), then one walk over
 * groups of equal p: with `below` the number of negatives under a group holding cp positives and
 * cn negatives, the group adds cp * below concordant pairs and cp * cn ties, each tie counting
 * 1/2, which is exactly the reference's all-pairs count. Counts are integers, so the result is
 * the reference's to the last bit as long as the reference's own float count is exact (fewer
 * than 2^53 pairs).
 *
 * The sort is a most-significant-digit radix sort with digits of up to 8 bits that start below
 * the keys' common prefix (p from one batch usually share their top bits): each pass scatters into 256
 * buckets (few enough write streams for the caches and the TLB), buckets are finished
 * recursively, soon in cache, and the smallest by insertion sort; a run of one repeated value
 * needs no sorting at all. The walk runs over each finished bucket in ascending order. Counting
 * runs WAYS interleaved streams over WAYS parts of the input, each with its own counters: close
 * values share buckets, and one counter bumped by every key would chain each key's increment to
 * the previous one's.
 */
#include "auc_internal.h"

#define DIGIT_BITS 8
#define BUCKETS (1u << DIGIT_BITS)
#define SMALL 48 /* insertion sort at or below this many keys */
#define WAYS 4

/* The walk over keys in ascending order. A group of equal values may arrive in pieces (a digit
 * that includes the label bit splits it), so the open group is closed only when the value
 * changes. */
typedef struct walk {
    uint64_t below, positives;          /* negatives and positives in closed groups */
    uint64_t value, cp, cn;             /* the open group: its value and counts */
    unsigned __int128 twice_concordant; /* 2 * (concordant + ties / 2), exact */
} walk;

static void close_group(walk *w)
{
    w->twice_concordant += (unsigned __int128)w->cp * (2 * w->below + w->cn);
    w->below += w->cn;
    w->positives += w->cp;
    w->cp = w->cn = 0;
}

/* Walks sorted keys, adding their pairs to w (labels counted without a branch: they are as good
 * as random). */
static void walk_sorted(walk *w, const uint64_t *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t value = keys[i] >> 1, positive = keys[i] & 1u;
        if (value != w->value) {
            close_group(w);
            w->value = value;
        }
        w->cp += positive;
        w->cn += positive ^ 1u;
    }
}

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* The digit the next scatter of keys spanning lo .. hi sorts on: up to 8 bits, narrower for
 * small inputs (about 8 keys per bucket), starting at the highest bit where the keys differ. */
static int digit_bits(size_t n)
{
    int bits = 64 - __builtin_clzll((uint64_t)n / 8);
    return bits > DIGIT_BITS ? DIGIT_BITS : bits;
}

static int digit_shift(uint64_t lo, uint64_t hi, int bits)
{
    int highest = 63 - __builtin_clzll(lo ^ hi);
    return highest + 1 - bits > 0 ? highest + 1 - bits : 0;
}

static void min_max(const uint64_t *a, size_t n, uint64_t *lo, uint64_t *hi)
{
    *lo = *hi = a[0];
    for (size_t i = 1; i < n; i++) {
        *lo = a[i] < *lo ? a[i] : *lo;
        *hi = a[i] > *hi ? a[i] : *hi;
    }
}

/* Scatters src into dst by the digit (key >> shift) & (2^bits - 1); count[b] .. count[b+1] is
 * then bucket b. Counting runs WAYS streams when it pays (see the top of the file). */
static void scatter(const uint64_t *src, uint64_t *dst, size_t n, int shift, int bits,
                    size_t count[BUCKETS + 1])
{
    size_t buckets = (size_t)1 << bits, mask = buckets - 1;
    int ways = n >= 4096 ? WAYS : 1;
    size_t part = n / (size_t)ways, tail = part * (size_t)ways; /* parts, then the tail */
    size_t way_count[WAYS][BUCKETS], next[BUCKETS];
    for (int q = 0; q < ways; q++)
        memset(way_count[q], 0, buckets * sizeof way_count[q][0]);
    for (size_t i = 0; i < part; i++)
        for (int q = 0; q < ways; q++)
            way_count[q][(src[(size_t)q * part + i] >> shift) & mask]++;
    for (size_t i = tail; i < n; i++)
        way_count[0][(src[i] >> shift) & mask]++;
    count[0] = 0;
    for (size_t b = 0; b < buckets; b++) {
        size_t c = 0;
        for (int q = 0; q < ways; q++)
            c += way_count[q][b];
        next[b] = count[b];
        count[b + 1] = count[b] + c;
    }
    for (size_t i = 0; i < n; i++)
        dst[next[(src[i] >> shift) & mask]++] = src[i];
}

static void sort_and_walk(walk *w, uint64_t *a, uint64_t *tmp, size_t n);

/* Finishes the buckets of a scatter into dst (scratch: the same span of spare), in order. */
static void finish_buckets(walk *w, uint64_t *dst, uint64_t *spare, const size_t *count,
                           int bits, int shift)
{
    for (size_t b = 0; b < (size_t)1 << bits; b++) {
        size_t start = count[b], size = count[b + 1] - start;
        if (size == 0)
            continue;
        if (shift == 0) { /* the digit was the last bits: the bucket holds one key */
            walk_sorted(w, dst + start, size);
        } else if (size <= SMALL) {
            insertion_sort(dst + start, size);
            walk_sorted(w, dst + start, size);
        } else {
            sort_and_walk(w, dst + start, spare + start, size);
        }
    }
}

/* Sorts a[0..n) (tmp: n keys of scratch) and walks it. */
static void sort_and_walk(walk *w, uint64_t *a, uint64_t *tmp, size_t n)
{
    if (n <= SMALL) {
        insertion_sort(a, n);
        walk_sorted(w, a, n);
        return;
    }
    uint64_t lo, hi;
    min_max(a, n, &lo, &hi);
    if (lo >> 1 == hi >> 1) { /* one value: the labels in any order */
        walk_sorted(w, a, n);
        return;
    }
    int bits = digit_bits(n), shift = digit_shift(lo, hi, bits);
    size_t count[BUCKETS + 1];
    scatter(a, tmp, n, shift, bits, count);
    finish_buckets(w, tmp, a, count, bits, shift);
}

int sl_auc_from_keys(const uint64_t *keys, uint64_t *buf, uint64_t *spare, size_t n, double *auc)
{
    walk w = {0, 0, 0, 0, 0, 0};
    uint64_t lo = 0, hi = 0;
    if (n > 0)
        min_max(keys, n, &lo, &hi);
    if (n <= SMALL || lo >> 1 == hi >> 1) {
        memcpy(buf, keys, n * sizeof *keys);
        sort_and_walk(&w, buf, spare, n);
    } else { /* the first scatter reads the keys where they are */
        int bits = digit_bits(n), shift = digit_shift(lo, hi, bits);
        size_t count[BUCKETS + 1];
        scatter(keys, buf, n, shift, bits, count);
        finish_buckets(&w, buf, spare, count, bits, shift);
    }
    close_group(&w);
    if (w.positives == 0 || w.below == 0)
        return 0;
    /* concordant / (n_pos * n_neg), scaled by 2 (exactly) on both sides */
    *auc = (double)w.twice_concordant / (2.0 * (double)w.positives * (double)w.below);
    return 1;
}

int sl_auc_from_histogram(const uint64_t *neg, const uint64_t *pos, size_t bins, double *auc,
                          double *bound)
{
    walk w = {0};
    unsigned __int128 same_bin = 0; /* pairs in one bin */
    for (size_t b = 0; b < bins; b++) {
        w.cp = pos[b];
        w.cn = neg[b];
        same_bin += (unsigned __int128)pos[b] * neg[b];
        close_group(&w);
    }
    if (w.below == 0 || w.positives == 0)
        return 0;
    double pairs = (double)w.below * (double)w.positives;
    *auc = (double)w.twice_concordant / (2 * pairs);
    *bound = (double)same_bin / (2 * pairs);
    return 1;
}
