#include "metrics_json.h"
#include "numtext.h"
#include "cli_util.h"

#include <math.h>
#include <stddef.h>
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

/* A total the reference computes as sum() over accepted rows: the integer 0 when there are rows
 * but none accepted, a float otherwise (0.0 for an empty batch, which it special-cases). */
static void put_total(sl_buf *out, const sl_metrics_report *r, double total)
{
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

/* The report as the reference writes it, key by key in its order. An entry is a field of
 * sl_metrics_report, written as its kind says under its own name as the key (so a key cannot
 * drift from the field it writes), or opens or closes a nested object. */
typedef enum {
    DOUBLE, COUNT, TOTAL, OPTIONAL, QUALITY_DISTRIBUTION, CALIBRATION_CURVE, OBJECT, END
} field_kind;
typedef struct report_field {
    field_kind kind;
    const char *key;
    size_t offset;
} report_field;
#define F(kind, name) {kind, #name, offsetof(sl_metrics_report, name)}
#define D(name) F(DOUBLE, name)
#define O(name) F(OPTIONAL, name)

static const report_field report_layout[] = {
    D(toxicity_rate), D(toxicity_rate_all), D(conditional_loss_initiator),
    D(conditional_loss_counterparty), D(spread), D(quality_gap),
    {OBJECT, "participation_by_quality", 0},
        D(high_quality_acceptance), D(low_quality_acceptance), F(COUNT, high_quality_count),
        F(COUNT, low_quality_count),
    {END, NULL, 0},
    D(uncertain_fraction), D(average_quality), D(average_quality_accepted),
    F(QUALITY_DISTRIBUTION, quality_distribution),
    {OBJECT, "welfare_metrics", 0},
        F(TOTAL, total_welfare), F(TOTAL, total_social_surplus), D(net_social_welfare),
        D(avg_initiator_payoff), D(avg_counterparty_payoff),
    {END, NULL, 0},
    O(calibration_error), O(brier_score), O(expected_calibration_error),
    F(CALIBRATION_CURVE, calibration_curve), O(log_loss), O(discrimination_auc),
    D(quality_variance), D(quality_variance_accepted), D(payoff_variance_initiator),
    D(payoff_variance_counterparty),
    {OBJECT, "coefficient_of_variation", 0},
        D(cv_p), D(cv_payoff_initiator), D(cv_payoff_counterparty),
    {END, NULL, 0},
};
#undef F
#undef D
#undef O

static void put_report(sl_buf *out, const sl_metrics_report *r)
{
    int first = 1; /* the next key is the first of its object */
    sl_buf_putc(out, '{');
    for (size_t i = 0; i < sizeof report_layout / sizeof report_layout[0]; i++) {
        const report_field *f = &report_layout[i];
        if (f->kind == END) {
            sl_buf_putc(out, '}');
            first = 0;
            continue;
        }
        sl_buf_printf(out, "%s\"%s\": ", first ? "" : ", ", f->key);
        first = f->kind == OBJECT;
        const void *field = (const char *)r + f->offset;
        switch (f->kind) {
        case DOUBLE: put_double(out, *(const double *)field); break;
        case COUNT: put_count(out, *(const uint64_t *)field); break;
        case TOTAL: put_total(out, r, *(const double *)field); break;
        case OPTIONAL: put_optional(out, *(const sl_opt_f64 *)field); break;
        case QUALITY_DISTRIBUTION:
            put_triples(out, r->quality_distribution_len, &r->quality_distribution[0].start,
                        &r->quality_distribution[0].end, &r->quality_distribution[0].count,
                        sizeof r->quality_distribution[0]);
            break;
        case CALIBRATION_CURVE:
            put_triples(out, r->calibration_curve_len, &r->calibration_curve[0].mean_predicted,
                        &r->calibration_curve[0].fraction_positive,
                        &r->calibration_curve[0].count, sizeof r->calibration_curve[0]);
            break;
        case OBJECT: sl_buf_putc(out, '{'); break;
        case END: break;
        }
    }
    sl_buf_puts(out, "}\n");
}

int sl_print_metrics_json(FILE *f, const sl_metrics_report *r)
{
    sl_buf b = {0};
    put_report(&b, r);
    int rc = b.oom || sl_buf_flush(&b, f) || fflush(f) ? -1 : 0;
    sl_buf_free(&b);
    return rc;
}
