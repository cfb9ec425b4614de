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

#endif
