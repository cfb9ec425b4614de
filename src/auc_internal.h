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

/* Sorts keys[0..n) in place (scratch: n more keys) and computes
 * AUC = (#{pos > neg} + #{pos = neg} / 2) / (n_pos * n_neg) over all positive/negative pairs.
 * Returns 0 (and leaves *auc alone) when either class is empty, 1 otherwise. */
int sl_auc_from_keys(uint64_t *keys, uint64_t *scratch, size_t n, double *auc);

#endif
