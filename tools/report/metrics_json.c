#include "metrics_json.h"
#include "numtext.h"
#include "cli_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void put_double(sl_buf *out, double x)
{
    char buf[SL_NUMTEXT_MAX];
    sl_buf_put(out, buf, sl_format_f64_python(x, buf));
}

static void put_optional(sl_buf *out, sl_opt_f64 v)
{
    if (v.present)
        put_double(out, v.value);
    else
        sl_buf_puts(out, "null");
}

static void put_count(sl_buf *out, uint64_t c) { sl_buf_printf(out, "%llu", (unsigned long long)c); }

static void key(sl_buf *out, const char *name, int first)
{
    sl_buf_printf(out, "%s\"%s\": ", first ? "" : ", ", name);
}

static void field_double(sl_buf *out, const char *name, double x, int first)
{
    key(out, name, first);
    put_double(out, x);
}

static void field_count(sl_buf *out, const char *name, uint64_t c, int first)
{
    key(out, name, first);
    put_count(out, c);
}

static void field_optional(sl_buf *out, const char *name, sl_opt_f64 v)
{
    key(out, name, 0);
    put_optional(out, v);
}

/* A total the reference computes as sum() over accepted rows: the integer 0 when there are rows
 * but none accepted, a float otherwise (0.0 for an empty batch, which it special-cases). */
static void field_total(sl_buf *out, const char *name, const sl_metrics_report *r, double total,
                        int first)
{
    key(out, name, first);
    if (r->n > 0 && r->n_accepted == 0)
        sl_buf_puts(out, "0");
    else
        put_double(out, total);
}

/* [[a, b, count], ...] */
static void put_triples(sl_buf *out, size_t n, const double *a, const double *b, const uint64_t *c,
                        size_t stride)
{
    sl_buf_putc(out, '[');
    for (size_t i = 0; i < n; i++) {
        const char *base_a = (const char *)a + i * stride, *base_b = (const char *)b + i * stride;
        sl_buf_puts(out, i ? ", [" : "[");
        put_double(out, *(const double *)base_a);
        sl_buf_puts(out, ", ");
        put_double(out, *(const double *)base_b);
        sl_buf_puts(out, ", ");
        put_count(out, *(const uint64_t *)((const char *)c + i * stride));
        sl_buf_putc(out, ']');
    }
    sl_buf_putc(out, ']');
}

static void put_report(sl_buf *out, const sl_metrics_report *r)
{
    sl_buf_putc(out, '{');
    field_double(out, "toxicity_rate", r->toxicity_rate, 1);
    field_double(out, "toxicity_rate_all", r->toxicity_rate_all, 0);
    field_double(out, "conditional_loss_initiator", r->conditional_loss_initiator, 0);
    field_double(out, "conditional_loss_counterparty", r->conditional_loss_counterparty, 0);
    field_double(out, "spread", r->spread, 0);
    field_double(out, "quality_gap", r->quality_gap, 0);
    key(out, "participation_by_quality", 0);
    sl_buf_putc(out, '{');
    field_double(out, "high_quality_acceptance", r->high_quality_acceptance, 1);
    field_double(out, "low_quality_acceptance", r->low_quality_acceptance, 0);
    field_count(out, "high_quality_count", r->high_quality_count, 0);
    field_count(out, "low_quality_count", r->low_quality_count, 0);
    sl_buf_putc(out, '}');
    field_double(out, "uncertain_fraction", r->uncertain_fraction, 0);
    field_double(out, "average_quality", r->average_quality, 0);
    field_double(out, "average_quality_accepted", r->average_quality_accepted, 0);
    key(out, "quality_distribution", 0);
    put_triples(out, r->quality_distribution_len, &r->quality_distribution[0].start,
                &r->quality_distribution[0].end, &r->quality_distribution[0].count,
                sizeof r->quality_distribution[0]);
    key(out, "welfare_metrics", 0);
    sl_buf_putc(out, '{');
    field_total(out, "total_welfare", r, r->total_welfare, 1);
    field_total(out, "total_social_surplus", r, r->total_social_surplus, 0);
    field_double(out, "net_social_welfare", r->net_social_welfare, 0);
    field_double(out, "avg_initiator_payoff", r->avg_initiator_payoff, 0);
    field_double(out, "avg_counterparty_payoff", r->avg_counterparty_payoff, 0);
    sl_buf_putc(out, '}');
    field_optional(out, "calibration_error", r->calibration_error);
    field_optional(out, "brier_score", r->brier_score);
    field_optional(out, "expected_calibration_error", r->expected_calibration_error);
    key(out, "calibration_curve", 0);
    put_triples(out, r->calibration_curve_len, &r->calibration_curve[0].mean_predicted,
                &r->calibration_curve[0].fraction_positive, &r->calibration_curve[0].count,
                sizeof r->calibration_curve[0]);
    field_optional(out, "log_loss", r->log_loss);
    field_optional(out, "discrimination_auc", r->discrimination_auc);
    field_double(out, "quality_variance", r->quality_variance, 0);
    field_double(out, "quality_variance_accepted", r->quality_variance_accepted, 0);
    field_double(out, "payoff_variance_initiator", r->payoff_variance_initiator, 0);
    field_double(out, "payoff_variance_counterparty", r->payoff_variance_counterparty, 0);
    key(out, "coefficient_of_variation", 0);
    sl_buf_putc(out, '{');
    field_double(out, "cv_p", r->cv_p, 1);
    field_double(out, "cv_payoff_initiator", r->cv_payoff_initiator, 0);
    field_double(out, "cv_payoff_counterparty", r->cv_payoff_counterparty, 0);
    sl_buf_puts(out, "}}\n");
}

int sl_print_metrics_json(FILE *f, const sl_metrics_report *r)
{
    sl_buf b = {0};
    put_report(&b, r);
    int rc = b.oom || sl_buf_flush(&b, f) || fflush(f) ? -1 : 0;
    sl_buf_free(&b);
    return rc;
}
