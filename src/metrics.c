/*
 * Batch metrics (SPEC section 3) as a mergeable partial state.
 *
 * Rows are accumulated a span (up to SL_METRICS_SPAN rows, fed a block at a time) at a time: the
 * active path's metrics kernel computes the span's plain sums, bin counts and squared deviations
 * from the span's means; the state then adds the sums with compensated (double-double)
 * arithmetic and merges the variances by Chan et al.'s pairwise formula. Merging two states is
 * the same operation, so one pass, any chunking and any merge tree agree to within a few units
 * in the last place.
 *
 * With SL_METRICS_EXACT_SUMS the scalar path's kernel rounds each row's terms once to integers
 * instead (kernels/exact_sum.h), which the state and merges add exactly, so any chunking and any
 * merge tree give the same bits (src/metrics_exact.c converts them at finalize).
 *
 * For discrimination_auc the state keeps one sort key per labelled row (auc_internal.h), or with
 * auc_sketch_bins a histogram of p per class (merged by adding counts).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "auc_internal.h"
#include "dispatch.h"
#include "metrics_internal.h"
#include "metrics_state.h"
#include "payoff_internal.h"
#include "proxy_internal.h"


/* ---- compensated sums ---- */


static void dd_add(dd *s, double x)
{
    double t = s->hi + x;
    double x_part = t - s->hi;
    double err = (s->hi - (t - x_part)) + (x - x_part);
    s->hi = t;
    s->lo += err;
}

static void dd_add_dd(dd *s, dd x)
{
    dd_add(s, x.hi);
    s->lo += x.lo;
}

static double dd_value(dd s) { return s.hi + s.lo; }

static dd dd_plus(dd a, dd b)
{
    dd_add_dd(&a, b);
    return a;
}

/* count - s, with the count exact in double (below 2^53) */
static dd dd_count_minus(uint64_t count, dd s)
{
    dd r = {(double)count, 0.0};
    dd_add(&r, -s.hi);
    r.lo -= s.lo;
    return r;
}


/* Adds a set with nb rows, sum sb and m2 m2b (Chan, Golub & LeVeque): the squared deviations of
 * the union are those of each part plus delta^2 * na * nb / (na + nb), delta the means' gap.
 * Every term is non-negative, so m2 keeps its relative accuracy however many sets are merged. */
static void moments_merge(moments *a, uint64_t nb, dd sb, dd m2b)
{
    if (nb == 0)
        return;
    if (a->n == 0) {
        *a = (moments){nb, sb, m2b};
        return;
    }
    double na = (double)a->n, nbd = (double)nb;
    double delta = dd_value(sb) / nbd - dd_value(a->sum) / na;
    dd_add_dd(&a->m2, m2b);
    dd_add(&a->m2, delta * delta * (na * nbd / (na + nbd)));
    dd_add_dd(&a->sum, sb);
    a->n += nb;
}

/* ---- the state ---- */


static void counts_add(metrics_counts *into, const metrics_counts *from)
{
    into->n += from->n;
    into->n_accepted += from->n_accepted;
    into->n_labelled += from->n_labelled;
    into->n_positive += from->n_positive;
    into->high += from->high;
    into->high_accepted += from->high_accepted;
    into->uncertain += from->uncertain;
}


static int tracks_auc(const sl_metrics *m) { return !(m->options.flags & SL_METRICS_NO_AUC); }

static int exact_sums(const sl_metrics *m) { return (m->options.flags & SL_METRICS_EXACT_SUMS) != 0; }

/* The AUC sketch's bins per class (0: exact AUC, keys kept) */
static size_t sketch_bins(const sl_metrics *m) { return m->options.auc_sketch_bins; }

void sl_metrics_options_default(sl_metrics_options *out)
{
    if (out)
        *out = (sl_metrics_options){0, SL_METRICS_BINS, 0.5, 0.2, SL_LOG_EPS, 0};
}

sl_status sl_metrics_options_validate(const sl_metrics_options *o)
{
    if (!o)
        return SL_ERR_NULL_ARGUMENT;
    if (o->flags & ~(SL_METRICS_NO_AUC | SL_METRICS_EXACT_SUMS))
        return SL_ERR_PARAM_METRICS_FLAGS;
    if (o->bins < 1 || o->bins > SL_METRICS_MAX_BINS)
        return SL_ERR_PARAM_BINS;
    if (isnan(o->quality_threshold))
        return SL_ERR_PARAM_QUALITY_THRESHOLD;
    if (isnan(o->uncertainty_band))
        return SL_ERR_PARAM_UNCERTAINTY_BAND;
    double eps = o->log_loss_eps;
    if (!(eps > 0.0 && eps < 1.0 && 1.0 - eps < 1.0))
        return SL_ERR_PARAM_LOG_LOSS_EPS;
    unsigned b = o->auc_sketch_bins;
    if (b != 0 && ((b & (b - 1)) != 0 || b < 1u << 4 || b > 1u << 20 ||
                   (o->flags & SL_METRICS_NO_AUC)))
        return SL_ERR_PARAM_AUC_SKETCH_BINS;
    return SL_OK;
}

/* Whether the SIMD paths, which build in the default options and plain double sums, compute
 * what o asks for (SL_METRICS_NO_AUC does not change the kernel's work) */
static int default_kernel_options(const sl_metrics_options *o)
{
    sl_metrics_options d;
    sl_metrics_options_default(&d);
    return !(o->flags & SL_METRICS_EXACT_SUMS) && o->bins == d.bins &&
           o->quality_threshold == d.quality_threshold &&
           o->uncertainty_band == d.uncertainty_band && o->log_loss_eps == d.log_loss_eps;
}

sl_status sl_metrics_new_state(sl_metrics **out, const sl_payoff_params *pp,
                             const sl_metrics_options *o, int workspace)
{
    if (!out)
        return SL_ERR_NULL_ARGUMENT;
    *out = NULL;
    if (!pp)
        return SL_ERR_NULL_ARGUMENT;
    sl_metrics_options options;
    sl_metrics_options_default(&options);
    if (o)
        options = *o;
    sl_payoff_consts pc;
    sl_status st = sl_payoff_prepare(pp, &pc);
    if (st == SL_OK)
        st = sl_metrics_options_validate(&options);
    if (st != SL_OK)
        return st;
    sl_metrics *m = calloc(1, sizeof *m);
    if (m)
        m->bins = calloc(options.bins + 1, sizeof *m->bins);
    /* aligned for the vector accumulators; aligned_alloc wants a multiple of 64 */
    size_t span_bytes = sizeof *m->span + (options.bins + 1) * sizeof(sl_metrics_bin_sums);
    if (m && m->bins && workspace) {
        m->span = aligned_alloc(64, (span_bytes + 63) / 64 * 64);
        if (m->span) {
            memset(m->span, 0, span_bytes);
            m->span->bin_sums = (sl_metrics_bin_sums *)(void *)(m->span + 1);
        }
    }
    if (m && options.auc_sketch_bins) { /* the sketch: a histogram per class, all zero */
        m->auc_n = m->auc_cap = 2 * (size_t)options.auc_sketch_bins;
        m->auc_keys = calloc(m->auc_n, sizeof *m->auc_keys);
    }
    int exact = (options.flags & SL_METRICS_EXACT_SUMS) != 0;
    if (m && exact)
        m->exact = calloc(1, sizeof *m->exact);
    if (!m || !m->bins || (workspace && !m->span) || (options.auc_sketch_bins && !m->auc_keys) ||
        (exact && !m->exact)) {
        if (m) {
            free(m->bins);
            free(m->span);
            free(m->auc_keys);
            free(m->exact);
        }
        free(m);
        return SL_ERR_OUT_OF_MEMORY;
    }
    m->magic = SL_METRICS_MAGIC;
    m->params = *pp;
    m->pc = pc;
    m->options = options;
    m->cfg = sl_metrics_config_of(options.bins, options.quality_threshold,
                                  options.uncertainty_band, options.log_loss_eps,
                                  exact);
    m->simd = default_kernel_options(&options);
    *out = m;
    return SL_OK;
}

sl_status sl_metrics_init_ex(sl_metrics **out, const sl_payoff_params *pp,
                             const sl_metrics_options *o)
{
    return sl_metrics_new_state(out, pp, o, 1);
}

sl_status sl_metrics_init(sl_metrics **out, const sl_payoff_params *pp, unsigned flags)
{
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    o.flags = flags;
    return sl_metrics_new_state(out, pp, &o, 1);
}

void sl_metrics_free(sl_metrics *m)
{
    if (!m)
        return;
    free(m->auc_keys);
    free(m->bins);
    free(m->span);
    free(m->exact);
    m->magic = 0;
    free(m);
}

int sl_metrics_valid_state(const sl_metrics *m) { return m && m->magic == SL_METRICS_MAGIC; }

sl_status sl_metrics_get_options(const sl_metrics *m, sl_metrics_options *out)
{
    if (!sl_metrics_valid_state(m) || !out)
        return SL_ERR_NULL_ARGUMENT;
    *out = m->options;
    return SL_OK;
}

sl_status sl_metrics_get_params(const sl_metrics *m, sl_payoff_params *out)
{
    if (!sl_metrics_valid_state(m) || !out)
        return SL_ERR_NULL_ARGUMENT;
    *out = m->params;
    return SL_OK;
}

/* Makes room for `more` keys; SL_ERR_OUT_OF_MEMORY changes nothing. */
static sl_status reserve_auc(sl_metrics *m, size_t more)
{
    size_t need = m->auc_n + more;
    if (need <= m->auc_cap)
        return SL_OK;
    size_t cap = m->auc_cap ? m->auc_cap : 1024;
    while (cap < need)
        cap *= 2;
    uint64_t *keys = realloc(m->auc_keys, cap * sizeof *keys);
    if (!keys)
        return SL_ERR_OUT_OF_MEMORY;
    m->auc_keys = keys;
    m->auc_cap = cap;
    return SL_OK;
}

static size_t count_labelled(const int8_t *ground_truth, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ground_truth[i] != 0;
    return count;
}

/* Appends the AUC keys of a block's valid labelled rows, or counts them into the sketch (the
 * negatives' histogram, then the positives'). */
static void collect_auc(sl_metrics *m, const sl_metrics_block *blk)
{
    size_t bins = sketch_bins(m);
    if (bins) {
        for (size_t i = 0; i < blk->n_labelled; i++) {
            double v = blk->labelled[i];
            m->auc_keys[(signbit(v) ? 0 : bins) + sl_auc_sketch_bin(fabs(v), bins)]++;
        }
        return;
    }
    uint64_t *keys = m->auc_keys + m->auc_n;
    for (size_t i = 0; i < blk->n_labelled; i++) {
        double v = blk->labelled[i];
        keys[i] = sl_auc_key(fabs(v), !signbit(v));
    }
    m->auc_n += blk->n_labelled;
}

/* The block's bins: the scalar path's table (emptied for the next block), or the SIMD paths'
 * ten default bins. */
static void add_bins(sl_metrics *m, const sl_metrics_span *span, int scalar)
{
    const sl_metrics_block *blk = &span->blk;
    for (unsigned b = 0; b < (scalar ? m->options.bins + 1 : SL_METRICS_BINS); b++) {
        sl_metrics_bin_sums s =
            scalar ? span->bin_sums[b]
                   : (sl_metrics_bin_sums){blk->bin[b], blk->bin_accepted[b], blk->cal_count[b],
                                           blk->cal_positive[b], blk->cal_sum_p[b], 0};
        bin_state *t = &m->bins[b];
        t->count += s.count;
        t->accepted += s.accepted;
        if (s.cal_count) {
            t->cal_count += s.cal_count;
            t->cal_positive += s.cal_positive;
            if (exact_sums(m))
                t->cal_sum_x += s.cal_sum_x;
            else
                dd_add(&t->cal_sum_p, s.cal_sum_p);
        }
        if (scalar)
            span->bin_sums[b] = (sl_metrics_bin_sums){0, 0, 0, 0, 0.0, 0};
    }
}

static void add_block(sl_metrics *m, const sl_metrics_span *span, int scalar)
{
    const sl_metrics_block *blk = &span->blk;
    if (exact_sums(m)) {
        sl_exact_sums_add(m->exact, &blk->exact);
    } else {
        for (int s = 0; s < SL_MS_COUNT; s++)
            dd_add(&m->sum[s], blk->sum[s]);
        for (int w = 0; w < SL_MV_COUNT; w++)
            moments_merge(&m->var[w], sl_metrics_block_var_count(blk, w),
                          (dd){sl_metrics_block_var_sum(blk, w), 0.0}, (dd){blk->m2[w], 0.0});
    }
    metrics_counts c = {blk->n, blk->n_accepted, blk->n_labelled, blk->n_positive, blk->high,
                        blk->high_accepted, blk->uncertain};
    counts_add(&m->count, &c);
    add_bins(m, span, scalar);
    if (tracks_auc(m))
        collect_auc(m, blk);
}

/* The path whose metrics kernel an update runs: the active one when the state's options are the
 * defaults, else the scalar one (the only one that takes other options). */
typedef struct metrics_kernel {
    const sl_impl *impl;
    int scalar; /* it is the scalar path: bins come in span->bin_sums */
} metrics_kernel;

/* Runs rows [off, off+len) of an update of n rows through the metrics kernel's span, which is
 * begun at the update's first block and ended into the state when full and after its last
 * block. *bad: the update's first invalid row so far (its n while none); blocks come in row
 * order, so the first one found is kept. */
static void feed_block(sl_metrics *m, const metrics_kernel *kernel, const sl_metrics_rows *rows,
                       size_t off, size_t len, size_t n, size_t *bad)
{
    sl_metrics_span *span = m->span;
    if (off == 0) {
        span->cfg = &m->cfg;
        kernel->impl->metrics_begin(&m->pc, rows, span);
    }
    size_t b = kernel->impl->metrics_feed(&m->pc, rows, len, span);
    if (b < len && off + b < *bad)
        *bad = off + b;
    if (off + len == n || span->rows + SL_METRICS_BLOCK > span->capacity) {
        kernel->impl->metrics_end(&m->pc, span);
        add_block(m, span, kernel->scalar);
    }
}

/* Shared start of every update: state, required arrays, active path (for scoring) and the
 * metrics kernel's, AUC room. */
static sl_status begin_update(sl_metrics *m, int required_present, int sizes_fit,
                              const int8_t *ground_truth, size_t n, const sl_impl **impl,
                              metrics_kernel *kernel)
{
    if (!sl_metrics_valid_state(m) || (n > 0 && !required_present))
        return SL_ERR_NULL_ARGUMENT;
    if (!sizes_fit) /* before count_labelled reads ground_truth */
        return SL_ERR_SIZE_OVERFLOW;
    sl_status st;
    *impl = sl_active_impl(&st);
    if (!*impl)
        return st;
    const sl_impl *scalar = sl_find_impl("scalar");
    kernel->impl = m->simd ? *impl : scalar;
    kernel->scalar = kernel->impl == scalar;
    if (tracks_auc(m) && !sketch_bins(m) && ground_truth)
        return reserve_auc(m, count_labelled(ground_truth, n));
    return SL_OK;
}

static size_t block_length(size_t n, size_t off)
{
    return n - off < SL_METRICS_BLOCK ? n - off : SL_METRICS_BLOCK;
}

/* ---- a block's rows as the kernel's double view, per precision ----
 *
 * block_rows_f64 / _f32: the sl_metrics_rows of rows [off, off+len), whose p is p_block (already
 * at the block's first row; the other columns are offset here). The metrics kernel reads double
 * only: f64 columns are read in place; f32 columns are widened into the caller's block_scratch
 * (NULL columns stay NULL). This is the one place the two precisions' updates differ. */

/* f64 rows need no scratch; the member only keeps the type a valid (non-empty) C struct. */
typedef struct block_scratch_f64 {
    char unused;
} block_scratch_f64;

static sl_metrics_rows block_rows_f64(const sl_payoff_inputs_f64 *in, const double *p_block,
                                      const uint8_t *accepted, const int8_t *ground_truth,
                                      size_t off, size_t len, block_scratch_f64 *scratch)
{
    (void)len;
    (void)scratch;
    sl_payoff_inputs_f64 v = sl_payoff_inputs_view_f64(in, off, p_block);
    return (sl_metrics_rows){v.p, v.tau, v.c_a, v.c_b, v.r_a, v.r_b, accepted + off,
                             ground_truth ? ground_truth + off : NULL, 0};
}

/* One block of f32 columns widened to double. */
typedef struct block_scratch_f32 {
    double p[SL_METRICS_BLOCK], tau[SL_METRICS_BLOCK], c_a[SL_METRICS_BLOCK],
        c_b[SL_METRICS_BLOCK], r_a[SL_METRICS_BLOCK], r_b[SL_METRICS_BLOCK];
} block_scratch_f32;

/* column[off .. off+len) widened into buf; NULL for a NULL column. */
static const double *widen(const float *column, size_t off, size_t len, double *buf)
{
    if (!column)
        return NULL;
    for (size_t i = 0; i < len; i++)
        buf[i] = column[off + i];
    return buf;
}

static sl_metrics_rows block_rows_f32(const sl_payoff_inputs_f32 *in, const float *p_block,
                                      const uint8_t *accepted, const int8_t *ground_truth,
                                      size_t off, size_t len, block_scratch_f32 *scratch)
{
    sl_metrics_rows rows = {widen(p_block, 0, len, scratch->p), NULL, NULL, NULL, NULL, NULL,
                            accepted + off, ground_truth ? ground_truth + off : NULL, 0};
    if (in) {
        rows.tau = widen(in->tau, off, len, scratch->tau);
        rows.c_a = widen(in->c_a, off, len, scratch->c_a);
        rows.c_b = widen(in->c_b, off, len, scratch->c_b);
        rows.r_a = widen(in->r_a, off, len, scratch->r_a);
        rows.r_b = widen(in->r_b, off, len, scratch->r_b);
    }
    return rows;
}

/* rest_of_row_status_f64 / _f32 and the metrics update entry points, written once in
 * metrics_prec.inc and compiled here once per precision, each entry point's name bound on one
 * line (see api.c). */
#include "api_prec_f64.h"
#define SL_METRICS_UPDATE sl_metrics_update_f64
#define SL_METRICS_UPDATE_OBSERVABLES sl_metrics_update_observables_f64
#include "metrics_prec.inc"
#include "api_prec_undef.h"

#include "api_prec_f32.h"
#define SL_METRICS_UPDATE sl_metrics_update_f32
#define SL_METRICS_UPDATE_OBSERVABLES sl_metrics_update_observables_f32
#include "metrics_prec.inc"
#include "api_prec_undef.h"

/* ---- merge ---- */

static int same_params(const sl_payoff_params *a, const sl_payoff_params *b)
{
    return a->s_plus == b->s_plus && a->s_minus == b->s_minus && a->h == b->h &&
           a->theta == b->theta && a->rho_a == b->rho_a && a->rho_b == b->rho_b &&
           a->w_rep == b->w_rep;
}

static int same_options(const sl_metrics_options *a, const sl_metrics_options *b)
{
    return a->flags == b->flags && a->bins == b->bins && a->auc_sketch_bins == b->auc_sketch_bins &&
           a->quality_threshold == b->quality_threshold &&
           a->uncertainty_band == b->uncertainty_band && a->log_loss_eps == b->log_loss_eps;
}

sl_status sl_metrics_init_like(const sl_metrics *m, sl_metrics **out, int workspace)
{
    if (!sl_metrics_valid_state(m))
        return SL_ERR_NULL_ARGUMENT;
    return sl_metrics_new_state(out, &m->params, &m->options, workspace);
}

void sl_metrics_swap_workspace(sl_metrics *a, sl_metrics *b)
{
    sl_metrics_span *span = a->span;
    a->span = b->span;
    b->span = span;
}

sl_status sl_metrics_merge(sl_metrics *into, const sl_metrics *from)
{
    if (!sl_metrics_valid_state(into) || !sl_metrics_valid_state(from))
        return SL_ERR_NULL_ARGUMENT;
    if (into == from || !same_options(&into->options, &from->options) ||
        !same_params(&into->params, &from->params))
        return SL_ERR_STATE_MISMATCH;
    if (tracks_auc(into) && !sketch_bins(into) && reserve_auc(into, from->auc_n) != SL_OK)
        return SL_ERR_OUT_OF_MEMORY;
    if (exact_sums(into)) {
        sl_exact_sums_add(into->exact, from->exact);
    } else {
        for (int s = 0; s < SL_MS_COUNT; s++)
            dd_add_dd(&into->sum[s], from->sum[s]);
        for (int w = 0; w < SL_MV_COUNT; w++)
            moments_merge(&into->var[w], from->var[w].n, from->var[w].sum, from->var[w].m2);
    }
    counts_add(&into->count, &from->count);
    for (unsigned b = 0; b <= into->options.bins; b++) {
        bin_state *t = &into->bins[b];
        const bin_state *f = &from->bins[b];
        t->count += f->count;
        t->accepted += f->accepted;
        t->cal_count += f->cal_count;
        t->cal_positive += f->cal_positive;
        dd_add_dd(&t->cal_sum_p, f->cal_sum_p);
        t->cal_sum_x += f->cal_sum_x;
    }
    if (sketch_bins(into)) {
        for (size_t k = 0; k < into->auc_n; k++)
            into->auc_keys[k] += from->auc_keys[k];
    } else if (from->auc_n) {
        memcpy(into->auc_keys + into->auc_n, from->auc_keys, from->auc_n * sizeof *from->auc_keys);
        into->auc_n += from->auc_n;
    }
    return SL_OK;
}

/* ---- finalize ---- */

int sl_quality_bin_index(double p)
{
    if (!(p >= 0.0)) /* NaN too */
        return 0;
    if (p >= 1.0)
        return SL_METRICS_BINS - 1;
    sl_metrics_config cfg = sl_metrics_config_of(SL_METRICS_BINS, 0.5, 0.2, SL_LOG_EPS, 0);
    return sl_metrics_bin_of(&cfg, p); /* every p in [0, 1) lies in a bin: 10 * 0.1 = 1 */
}

static double mean_or_zero(double sum, uint64_t n) { return n ? sum / (double)n : 0.0; }

static sl_opt_f64 present(double v) { return (sl_opt_f64){1, v}; }
static sl_opt_f64 null_metric(void) { return (sl_opt_f64){0, NAN}; }

/* The reference's stable_cv: std / max(|mean|, 1e-8 (|mean| + std)), 0 when std is 0. */
static double stable_cv(double std, double mean)
{
    if (std == 0.0)
        return 0.0;
    double denominator = fabs(mean), eps = 1e-8 * (denominator + std);
    return std / (denominator > eps ? denominator : eps);
}

/* The totals of a state with compensated sums */
static void compensated_totals(const sl_metrics *m, metrics_totals *t)
{
    const dd *sum = m->sum;
    const metrics_counts *c = &m->count;
    dd p_all = dd_plus(sum[SL_MS_P_A], sum[SL_MS_P_R]);
    t->p_a = dd_value(sum[SL_MS_P_A]);
    t->p_r = dd_value(sum[SL_MS_P_R]);
    t->p_all = dd_value(p_all);
    t->not_p_a = dd_value(dd_count_minus(c->n_accepted, sum[SL_MS_P_A]));
    t->not_p_all = dd_value(dd_count_minus(c->n, p_all));
    t->pa_a = dd_value(sum[SL_MS_PA_A]);
    t->pa_all = dd_value(dd_plus(sum[SL_MS_PA_A], sum[SL_MS_PA_R]));
    t->pb_a = dd_value(sum[SL_MS_PB_A]);
    t->pb_all = dd_value(dd_plus(sum[SL_MS_PB_A], sum[SL_MS_PB_R]));
    t->social_a = dd_value(sum[SL_MS_SOCIAL_A]);
    t->welfare_a = dd_value(sum[SL_MS_WELFARE_A]);
    t->brier = dd_value(sum[SL_MS_BRIER]);
    t->log = dd_value(sum[SL_MS_LOG]);
    dd labelled = m->bins[m->options.bins].cal_sum_p; /* the rows in no bin, then every bin */
    for (unsigned b = 0; b < m->options.bins; b++)
        labelled = dd_plus(labelled, m->bins[b].cal_sum_p);
    t->p_labelled = dd_value(labelled);
    for (int w = 0; w < SL_MV_COUNT; w++) {
        uint64_t n = w == SL_MV_P_A ? c->n_accepted : c->n;
        t->variance[w] = n < 2 ? 0.0 : dd_value(m->var[w].m2) / (double)n;
    }
    t->pa_mean = mean_or_zero(dd_value(m->var[SL_MV_PA].sum), c->n);
    t->pb_mean = mean_or_zero(dd_value(m->var[SL_MV_PB].sum), c->n);
}

/* Everything over all rows and over the accepted ones. */
static void report_acceptance(const sl_metrics *m, const metrics_totals *t, sl_metrics_report *r)
{
    uint64_t n = r->n, na = r->n_accepted, nr = r->n_rejected;
    double mean_p_all = mean_or_zero(t->p_all, n), mean_p_a = mean_or_zero(t->p_a, na);

    r->toxicity_rate = mean_or_zero(t->not_p_a, na);
    r->toxicity_rate_all = mean_or_zero(t->not_p_all, n);
    if (na > 0) {
        r->conditional_loss_initiator = t->pa_a / (double)na - mean_or_zero(t->pa_all, n);
        r->conditional_loss_counterparty = t->pb_a / (double)na - mean_or_zero(t->pb_all, n);
        r->spread = (m->params.s_plus + m->params.s_minus) * (mean_p_all - mean_p_a);
    }
    r->quality_gap = na > 0 && nr > 0 ? mean_p_a - mean_or_zero(t->p_r, nr) : 0.0;

    const metrics_counts *c = &m->count;
    r->high_quality_count = c->high;
    r->high_quality_accepted = c->high_accepted;
    r->low_quality_count = n - c->high;
    r->high_quality_acceptance = c->high ? (double)c->high_accepted / (double)c->high : 0.0;
    r->low_quality_acceptance =
        r->low_quality_count ? (double)(na - c->high_accepted) / (double)r->low_quality_count : 0.0;
    r->uncertain_count = c->uncertain;
    r->uncertain_fraction = n ? (double)c->uncertain / (double)n : 0.0;
    r->average_quality = mean_p_all;
    r->average_quality_accepted = mean_p_a;

    r->quality_distribution_len = n ? m->options.bins : 0;
    double w = m->cfg.bin_width;
    for (size_t b = 0; b < m->options.bins; b++)
        r->quality_distribution[b] = (sl_quality_bin){b * w, (b + 1) * w, m->bins[b].count};

    if (na > 0) {
        r->total_welfare = t->welfare_a;
        r->total_social_surplus = r->net_social_welfare = t->social_a;
        r->avg_initiator_payoff = t->pa_a / (double)na;
        r->avg_counterparty_payoff = t->pb_a / (double)na;
    }
}

/* Everything over the labelled rows T; the AUC aside. */
static void report_calibration(const sl_metrics *m, const metrics_totals *t, sl_metrics_report *r)
{
    uint64_t nt = r->n_labelled;
    r->calibration_curve_len = nt ? m->options.bins : 0;
    if (nt == 0) {
        r->calibration_error = r->brier_score = r->expected_calibration_error = null_metric();
        r->log_loss = null_metric();
        return;
    }
    /* the reference's ECE weighs each bin by its share of the labelled rows in some bin */
    uint64_t binned = 0;
    for (size_t b = 0; b < r->calibration_curve_len; b++)
        binned += m->bins[b].cal_count;
    double ece = 0.0, w = m->cfg.bin_width;
    for (size_t b = 0; b < r->calibration_curve_len; b++) {
        const bin_state *bin = &m->bins[b];
        if (bin->cal_count == 0) {
            r->calibration_curve[b] = (sl_calibration_bin){b * w + w / 2, 0.0, 0};
            continue;
        }
        double sum_p = exact_sums(m) ? sl_fixed_value(bin->cal_sum_x) : dd_value(bin->cal_sum_p);
        double mean = sum_p / (double)bin->cal_count;
        double share = (double)bin->cal_positive / (double)bin->cal_count;
        r->calibration_curve[b] = (sl_calibration_bin){mean, share, bin->cal_count};
        ece += ((double)bin->cal_count / (double)binned) * fabs(mean - share);
    }
    r->calibration_error = present(t->p_labelled / (double)nt - (double)r->n_positive / (double)nt);
    r->brier_score = present(t->brier / (double)nt);
    r->expected_calibration_error = binned ? present(ece) : null_metric();
    r->log_loss = present(-t->log / (double)nt);
}

static void report_spread(const metrics_totals *t, sl_metrics_report *r)
{
    r->quality_variance = t->variance[SL_MV_P];
    r->quality_variance_accepted = t->variance[SL_MV_P_A];
    r->payoff_variance_initiator = t->variance[SL_MV_PA];
    r->payoff_variance_counterparty = t->variance[SL_MV_PB];
    if (r->n == 0)
        return;
    r->cv_p = stable_cv(sqrt(r->quality_variance), r->average_quality);
    r->cv_payoff_initiator = stable_cv(sqrt(r->payoff_variance_initiator), t->pa_mean);
    r->cv_payoff_counterparty = stable_cv(sqrt(r->payoff_variance_counterparty), t->pb_mean);
}

static sl_status report_auc(const sl_metrics *m, sl_metrics_report *r)
{
    r->auc_tracked = tracks_auc(m);
    r->discrimination_auc = null_metric();
    r->discrimination_auc_error_bound = NAN;
    if (!r->auc_tracked || r->n_positive == 0 || r->n_negative == 0)
        return SL_OK;
    size_t bins = sketch_bins(m);
    if (bins) {
        double auc, bound;
        if (sl_auc_from_histogram(m->auc_keys, m->auc_keys + bins, bins, &auc, &bound)) {
            r->discrimination_auc = present(auc);
            r->discrimination_auc_error_bound = bound;
        }
        return SL_OK;
    }
    r->discrimination_auc_error_bound = 0.0;
    uint64_t *scratch = malloc(2 * m->auc_n * sizeof *scratch);
    if (!scratch)
        return SL_ERR_OUT_OF_MEMORY;
    double auc;
    if (sl_auc_from_keys(m->auc_keys, scratch, scratch + m->auc_n, m->auc_n, &auc))
        r->discrimination_auc = present(auc);
    free(scratch);
    return SL_OK;
}

void sl_metrics_report_free(sl_metrics_report *r)
{
    if (!r)
        return;
    free(r->quality_distribution);
    free(r->calibration_curve);
    r->quality_distribution = NULL;
    r->calibration_curve = NULL;
}

sl_status sl_metrics_finalize(const sl_metrics *m, sl_metrics_report *out)
{
    if (!sl_metrics_valid_state(m) || !out)
        return SL_ERR_NULL_ARGUMENT;
    sl_metrics_report r;
    memset(&r, 0, sizeof r);
    r.n = m->count.n;
    r.n_accepted = m->count.n_accepted;
    r.n_rejected = r.n - r.n_accepted;
    r.n_labelled = m->count.n_labelled;
    r.n_positive = m->count.n_positive;
    r.n_negative = r.n_labelled - r.n_positive;
    r.quality_distribution = calloc(m->options.bins, sizeof *r.quality_distribution);
    r.calibration_curve = calloc(m->options.bins, sizeof *r.calibration_curve);
    sl_status st = r.quality_distribution && r.calibration_curve ? SL_OK : SL_ERR_OUT_OF_MEMORY;
    if (st == SL_OK) {
        metrics_totals totals;
        if (exact_sums(m))
            sl_exact_totals(m, &totals);
        else
            compensated_totals(m, &totals);
        report_acceptance(m, &totals, &r);
        report_calibration(m, &totals, &r);
        report_spread(&totals, &r);
        st = report_auc(m, &r);
    }
    if (st != SL_OK) {
        sl_metrics_report_free(&r);
        return st;
    }
    *out = r;
    return SL_OK;
}

uint64_t sl_metrics_count(const sl_metrics *m)
{
    return sl_metrics_valid_state(m) ? m->count.n : 0;
}

/* ---- AUC alone ---- */

sl_status sl_discrimination_auc_f64(const double *p, const int8_t *ground_truth, size_t n,
                                    sl_opt_f64 *out, size_t *first_invalid)
{
    if (!out || (n > 0 && (!p || !ground_truth)))
        return SL_ERR_NULL_ARGUMENT;
    if (!sl_array_fits(n, sizeof *p))
        return SL_ERR_SIZE_OVERFLOW;
    size_t labelled = n > 0 ? count_labelled(ground_truth, n) : 0;
    uint64_t *keys = malloc((2 * labelled + 1) * sizeof *keys);
    if (!keys)
        return SL_ERR_OUT_OF_MEMORY;
    size_t k = 0, bad = n;
    sl_status st = SL_OK;
    for (size_t i = 0; i < n; i++) {
        int valid_p = p[i] >= 0.0 && p[i] <= 1.0, valid_truth = ground_truth[i] >= -1 &&
                                                                ground_truth[i] <= 1;
        if (!valid_p || !valid_truth) {
            if (bad == n) {
                bad = i;
                st = !valid_p ? SL_ERR_INVALID_P : SL_ERR_INVALID_GROUND_TRUTH;
            }
            continue;
        }
        if (ground_truth[i] != 0)
            keys[k++] = sl_auc_key(p[i], ground_truth[i] == 1);
    }
    double auc;
    /* keys in the first half, read once by the first scatter, then its scratch */
    *out = sl_auc_from_keys(keys, keys + k, keys, k, &auc) ? present(auc) : null_metric();
    free(keys);
    if (first_invalid)
        *first_invalid = bad;
    return st;
}
