/*
 * libFuzzer target: sl_metrics_deserialize on arbitrary bytes. The input's first byte picks the
 * mode: even, the rest is the blob as it is (so the magic, version, size and checksum checks are
 * exercised); odd, the rest with its last 8 bytes replaced by the XXH3 checksum of the bytes
 * before them (so mutations get past the checksum and reach the content checks).
 *
 * Invariants checked on every input:
 *  - the call returns SL_OK or one of its documented statuses, and *out is NULL on error;
 *  - an accepted blob is a state this library could have produced: serializing it again gives
 *    the same bytes; it finalizes (SL_OK), with counts that add up (n = accepted + rejected,
 *    labelled = positive + negative <= n) and outputs in range (rates, average p, Brier score and
 *    AUC in [0, 1], variances >= 0); it merges with a copy of itself, and the merged state
 *    finalizes with the same checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL /* header-only, as the library uses it */
#include <xxhash.h>

#include "fuzz_common.h"
#include "softlabel.h"

static void check_unit(double v, const char *what)
{
    if (!(v >= 0.0 && v <= 1.0))
        fuzz_fail("%s = %.17g outside [0, 1]", what, v);
}

static void check_report(const sl_metrics_report *r)
{
    if (r->n != r->n_accepted + r->n_rejected)
        fuzz_fail("n %llu != accepted %llu + rejected %llu", (unsigned long long)r->n,
                  (unsigned long long)r->n_accepted, (unsigned long long)r->n_rejected);
    if (r->n_labelled != r->n_positive + r->n_negative || r->n_labelled > r->n)
        fuzz_fail("labelled %llu, positive %llu, negative %llu, n %llu",
                  (unsigned long long)r->n_labelled, (unsigned long long)r->n_positive,
                  (unsigned long long)r->n_negative, (unsigned long long)r->n);
    check_unit(r->toxicity_rate, "toxicity_rate");
    check_unit(r->toxicity_rate_all, "toxicity_rate_all");
    check_unit(r->high_quality_acceptance, "high_quality_acceptance");
    check_unit(r->low_quality_acceptance, "low_quality_acceptance");
    check_unit(r->uncertain_fraction, "uncertain_fraction");
    check_unit(r->average_quality, "average_quality");
    check_unit(r->average_quality_accepted, "average_quality_accepted");
    if (r->brier_score.present)
        check_unit(r->brier_score.value, "brier_score");
    if (r->discrimination_auc.present)
        check_unit(r->discrimination_auc.value, "discrimination_auc");
    if (!(r->quality_variance >= 0.0 && r->quality_variance_accepted >= 0.0 &&
          r->payoff_variance_initiator >= 0.0 && r->payoff_variance_counterparty >= 0.0))
        fuzz_fail("a negative variance");
}

static void check_merges(const sl_metrics *m, const uint8_t *blob, size_t size)
{
    sl_metrics *copy = NULL;
    if (sl_metrics_deserialize(&copy, blob, size) != SL_OK)
        fuzz_fail("the same blob was accepted once and refused the second time");
    sl_status st = sl_metrics_merge(copy, m);
    if (st != SL_OK && st != SL_ERR_OUT_OF_MEMORY)
        fuzz_fail("merging a state with its copy: %s", sl_status_str(st));
    sl_metrics_report r;
    memset(&r, 0, sizeof r);
    st = sl_metrics_finalize(copy, &r);
    if (st == SL_OK) {
        check_report(&r);
        sl_metrics_report_free(&r);
    } else if (st != SL_ERR_OUT_OF_MEMORY) {
        fuzz_fail("finalizing a merged state: %s", sl_status_str(st));
    }
    sl_metrics_free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t n = size - 1;
    uint8_t *blob = malloc(n ? n : 1);
    if (!blob)
        abort();
    memcpy(blob, data + 1, n);
    if ((data[0] & 1) && n >= 8) {
        uint64_t sum = XXH3_64bits(blob, n - 8);
        for (int i = 0; i < 8; i++)
            blob[n - 8 + i] = (uint8_t)(sum >> (8 * i));
    }

    sl_metrics *m = (sl_metrics *)blob; /* must be set to NULL on error */
    sl_status st = sl_metrics_deserialize(&m, blob, n);
    if (st != SL_OK) {
        if (m)
            fuzz_fail("*out not NULL after %s", sl_status_str(st));
        if (st != SL_ERR_BLOB_TRUNCATED && st != SL_ERR_BLOB_MAGIC && st != SL_ERR_BLOB_VERSION &&
            st != SL_ERR_BLOB_CHECKSUM && st != SL_ERR_BLOB_CORRUPT && st != SL_ERR_OUT_OF_MEMORY)
            fuzz_fail("undocumented status %d (%s)", (int)st, sl_status_str(st));
        free(blob);
        return 0;
    }

    size_t again_size = sl_metrics_serialized_size(m);
    uint8_t *again = malloc(again_size ? again_size : 1);
    size_t written = 0;
    if (!again || sl_metrics_serialize(m, again, again_size, &written) != SL_OK)
        fuzz_fail("an accepted state does not serialize");
    if (written != n || memcmp(again, blob, n) != 0)
        fuzz_fail("serializing an accepted blob of %zu bytes gives %zu other bytes", n, written);
    free(again);

    sl_metrics_report r;
    memset(&r, 0, sizeof r);
    st = sl_metrics_finalize(m, &r);
    if (st == SL_OK) {
        check_report(&r);
        sl_metrics_report_free(&r);
    } else if (st != SL_ERR_OUT_OF_MEMORY) {
        fuzz_fail("finalizing an accepted state: %s", sl_status_str(st));
    }
    check_merges(m, blob, n);
    sl_metrics_free(m);
    free(blob);
    return 0;
}
