/* Internal: discrimination AUC by sorting, shared by the metrics state and sl_discrimination_auc. */
#ifndef SL_AUC_INTERNAL_H
#define SL_AUC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The sort key of a labelled p in [0, 1]: the bits of p (+0.0 for -0.0, so the two compare equal
 * as in the reference), which order like the values for non-negative doubles, shifted left one
 * place, with the label (1: ground_truth +1, 0: ground_truth -1) in the freed low bit. */
static inline uint64_t sl_auc_key(double p, int positive)
{
    double nonneg = p + 0.0;
    uint64_t bits;
    memcpy(&bits, &nonneg, sizeof bits);
    return bits << 1 | (uint64_t)(positive != 0);
}

/* Computes AUC = (#{pos > neg} + #{pos = neg} / 2) / (n_pos * n_neg) over all positive/negative
 * pairs of keys[0..n), by sorting: keys are only read; buf and spare (n keys each; spare may be
 * keys itself) are overwritten. Returns 1, or 0 (and leaves *auc alone) when either class is
 * empty. */
int sl_auc_from_keys(const uint64_t *keys, uint64_t *buf, uint64_t *spare, size_t n, double *auc);

/* AUC from a sketch: neg[b] and pos[b], b < bins, count the labelled rows of each class in bin
 * b (bins ascending in p). Pairs in different bins count as ordered by their bins, pairs in one
 * bin as ties; *bound receives sum_b pos[b] neg[b] / (2 n_pos n_neg), which the sketch's AUC
 * is within of the exact one. Returns 1, or 0 (outputs untouched) when a class is empty. */
int sl_auc_from_histogram(const uint64_t *neg, const uint64_t *pos, size_t bins, double *auc,
                          double *bound);

/* The sketch bin of a labelled p in [0, 1] among `bins` (a power of two): floor(p * bins), exact
 * since bins is a power of two, and the last bin for p = 1; ascending in p, equal p one bin. */
static inline size_t sl_auc_sketch_bin(double p, size_t bins)
{
    size_t b = (size_t)(p * (double)bins);
    return b < bins ? b : bins - 1;
}

#endif
