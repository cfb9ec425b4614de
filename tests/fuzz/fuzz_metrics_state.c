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
 *    labelled = positive + negative <= n, high + low = n, binned rows within theirs) and every
 *    figure with a SPEC range in it (rates, average p, Brier score, AUC and ECE in [0, 1],
 *    calibration error and quality gap in [-1, 1], spread within s_plus + s_minus, log loss in
 *    [0, -ln eps] (or -ln(1 - (1 - eps)), 1 - eps rounded), each calibration bin's mean p within the bin, variances of p in [0, 1/4],
 *    payoff variances >= 0); it merges with a copy of itself, and the merged state finalizes
 *    with the same checks.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL /* header-only, as the library uses it */
#include <xxhash.h>

#include "fuzz_common.h"
#include "softlabel.h"

static void check_range(double v, double lo, double hi, const char *what)
{
    if (!(v >= lo && v <= hi))
        fuzz_fail("%s = %.17g outside [%.17g, %.17g]", what, v, lo, hi);
}

static void check_unit(double v, const char *what) { check_range(v, 0.0, 1.0, what); }

/* Every figure with a range in the SPEC (section 3) within it, for rows of p in [0, 1]. The
 * slack SLACK covers what rounding gives legitimate states: a variance a few units past
 * mean (1 - mean), a bin's mean p an ulp outside its edges, the log loss past -ln eps. */
#define SLACK 1e-10
static void check_report(const sl_metrics *m, const sl_metrics_report *r)
{
    sl_metrics_options o;
    sl_payoff_params pp;
    if (sl_metrics_get_options(m, &o) != SL_OK || sl_metrics_get_params(m, &pp) != SL_OK)
        fuzz_fail("an accepted state without options or parameters");
    if (r->n != r->n_accepted + r->n_rejected)
        fuzz_fail("n %llu != accepted %llu + rejected %llu", (unsigned long long)r->n,
                  (unsigned long long)r->n_accepted, (unsigned long long)r->n_rejected);
    if (r->n_labelled != r->n_positive + r->n_negative || r->n_labelled > r->n)
        fuzz_fail("labelled %llu, positive %llu, negative %llu, n %llu",
                  (unsigned long long)r->n_labelled, (unsigned long long)r->n_positive,
                  (unsigned long long)r->n_negative, (unsigned long long)r->n);
    if (r->high_quality_count + r->low_quality_count != r->n ||
        r->high_quality_accepted > r->n_accepted || r->uncertain_count > r->n)
        fuzz_fail("participation counts: high %llu, low %llu, high accepted %llu, uncertain %llu",
                  (unsigned long long)r->high_quality_count,
                  (unsigned long long)r->low_quality_count,
                  (unsigned long long)r->high_quality_accepted,
                  (unsigned long long)r->uncertain_count);
    check_unit(r->toxicity_rate, "toxicity_rate");
    check_unit(r->toxicity_rate_all, "toxicity_rate_all");
    check_unit(r->high_quality_acceptance, "high_quality_acceptance");
    check_unit(r->low_quality_acceptance, "low_quality_acceptance");
    check_unit(r->uncertain_fraction, "uncertain_fraction");
    check_unit(r->average_quality, "average_quality");
    check_unit(r->average_quality_accepted, "average_quality_accepted");
    check_range(r->quality_gap, -1.0, 1.0, "quality_gap");
    double s = pp.s_plus + pp.s_minus;
    check_range(r->spread, -s * (1 + SLACK), s * (1 + SLACK), "spread");
    uint64_t binned = 0;
    for (size_t b = 0; b < r->quality_distribution_len; b++)
        binned += r->quality_distribution[b].count;
    if (binned > r->n)
        fuzz_fail("quality_distribution holds %llu rows of %llu", (unsigned long long)binned,
                  (unsigned long long)r->n);
    if (r->calibration_error.present)
        check_range(r->calibration_error.value, -1.0, 1.0, "calibration_error");
    if (r->brier_score.present)
        check_unit(r->brier_score.value, "brier_score");
    if (r->expected_calibration_error.present)
        check_range(r->expected_calibration_error.value, 0.0, 1.0 + SLACK,
                    "expected_calibration_error");
    /* a row's log loss is at most -ln(eps), or -ln(1 - (1 - eps)) with 1 - eps rounded (a
     * negative at p = 1: for eps = 1e-15, 34.5392 > -ln(1e-15) = 34.5388) */
    double eps = o.log_loss_eps, worst = fmax(-log(eps), -log(1 - (1 - eps)));
    if (r->log_loss.present)
        check_range(r->log_loss.value, 0.0, worst * (1 + SLACK), "log_loss");
    double w = 1.0 / o.bins;
    uint64_t calibrated = 0;
    for (size_t b = 0; b < r->calibration_curve_len; b++) {
        const sl_calibration_bin *c = &r->calibration_curve[b];
        double lo = b * w, hi = b + 1 < o.bins ? (b + 1) * w : 1.0;
        calibrated += c->count;
        check_unit(c->fraction_positive, "a calibration bin's fraction_positive");
        if (c->count)
            check_range(c->mean_predicted, lo * (1 - SLACK), hi * (1 + SLACK),
                        "a calibration bin's mean_predicted");
    }
    if (calibrated > r->n_labelled)
        fuzz_fail("the calibration curve holds %llu of %llu labelled rows",
                  (unsigned long long)calibrated, (unsigned long long)r->n_labelled);
    if (r->discrimination_auc.present)
        check_unit(r->discrimination_auc.value, "discrimination_auc");
    check_range(r->quality_variance, 0.0, 0.25 + SLACK, "quality_variance");
    check_range(r->quality_variance_accepted, 0.0, 0.25 + SLACK, "quality_variance_accepted");
    if (!(r->payoff_variance_initiator >= 0.0 && r->payoff_variance_counterparty >= 0.0))
        fuzz_fail("a negative payoff variance");
    if (!(r->cv_p >= 0.0))
        fuzz_fail("cv_p = %.17g", r->cv_p);
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
        check_report(copy, &r);
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
        check_report(m, &r);
        sl_metrics_report_free(&r);
    } else if (st != SL_ERR_OUT_OF_MEMORY) {
        fuzz_fail("finalizing an accepted state: %s", sl_status_str(st));
    }
    check_merges(m, blob, n);
    sl_metrics_free(m);
    free(blob);
    return 0;
}
