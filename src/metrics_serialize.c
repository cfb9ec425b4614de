/*
 * sl_metrics_serialize / sl_metrics_deserialize: a metrics state as bytes, so states built on
 * other processes or machines can be merged. The format is written field by field in little
 * endian (never a struct's memory), so it does not depend on the compiler's layout, the byte
 * order or the instruction set:
 *
 *   offset  size
 *   0       8     magic "SLMETRIC"
 *   8       4     format version (SL_METRICS_FORMAT_VERSION)
 *   12      4     header bytes (HEADER_BYTES: where the body starts)
 *   16      8     total bytes of the blob, checksum included
 *   24      4     flags             28  4  bins
 *   32      8*3   quality_threshold, uncertainty_band, log_loss_eps (IEEE 754 binary64 bits)
 *   56      8*7   payoff parameters s_plus, s_minus, h, theta, rho_a, rho_b, w_rep
 *   112     4     number of sums (SL_MS_COUNT)    116  4  number of moments (SL_MV_COUNT)
 *   120     4     auc_sketch_bins                 124  4  0
 *   128     body: sums (hi, lo) each; moments (n, sum hi, lo, m2 hi, lo) each; or with
 *                 SL_METRICS_EXACT_SUMS in flags the exact sums instead (EXACT_BYTES: 128-bit
 *                 integers as two words, low first, 192-bit ones as three: p over A and R, p^2
 *                 over A and R, Brier, log; then the SL_XS_COUNT superaccumulators, each its
 *                 limbs as 32-bit words, the top one two's complement, and its overflow flag);
 *                 the 7 counts (n, n_accepted, n_labelled, n_positive, high, high_accepted,
 *                 uncertain); bins + 1 bins (count, accepted, cal_count, cal_positive, cal_sum_p
 *                 hi, lo, or with exact sums the 128-bit cal_sum_x); the number of AUC words and
 *                 the words: the keys, or with the sketch its 2 B counts
 *   end-8   8     XXH3 64-bit hash (xxHash, libxxhash) of every byte before it
 *
 * Reading checks, in order: the length against the header, magic, version, header size, total
 * length, checksum, and then that the content is a state this library can produce (valid
 * options and parameters, counts that add up, sums in the ranges rows of p in [0, 1] give, AUC
 * keys of p in [0, 1] with the right class totals), so a corrupted or forged blob is refused
 * with a status and never read out of bounds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL /* header-only: nothing to link */
#include <xxhash.h>

#include "auc_internal.h"
#include "metrics_state.h"

#define HEADER_BYTES 128u
#define CHECKSUM_BYTES 8u
#define SUM_BYTES 16u                     /* a dd */
#define MOMENT_BYTES (8u + 2 * SUM_BYTES) /* n, sum, m2 */
#define COUNT_FIELDS 7u
#define BIN_BYTES (4 * 8u + SUM_BYTES) /* the same with a 128-bit exact cal_sum_x */
#define XSUM_BYTES (4u * SL_XSUM_LIMBS + 4u)
#define EXACT_BYTES (2 * 16u + 3 * 24u + 16u + SL_XS_COUNT * XSUM_BYTES)
#define COMPENSATED_BYTES (SL_MS_COUNT * SUM_BYTES + SL_MV_COUNT * MOMENT_BYTES)
static const unsigned char magic[8] = {'S', 'L', 'M', 'E', 'T', 'R', 'I', 'C'};

/* ---- little-endian writing ---- */

static unsigned char *put_u32(unsigned char *o, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        o[i] = (unsigned char)(v >> (8 * i));
    return o + 4;
}

static unsigned char *put_u64(unsigned char *o, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        o[i] = (unsigned char)(v >> (8 * i));
    return o + 8;
}

static unsigned char *put_f64(unsigned char *o, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return put_u64(o, bits);
}

static unsigned char *put_dd(unsigned char *o, dd v) { return put_f64(put_f64(o, v.hi), v.lo); }

static unsigned char *put_u128(unsigned char *o, sl_u128 v)
{
    return put_u64(put_u64(o, (uint64_t)v), (uint64_t)(v >> 64));
}

static unsigned char *put_u192(unsigned char *o, const sl_u192 *v)
{
    return put_u64(put_u64(put_u64(o, v->w[0]), v->w[1]), v->w[2]);
}

/* a state's superaccumulators are normalized (every merge normalizes) */
static unsigned char *put_xsum(unsigned char *o, const sl_xsum *v)
{
    for (int k = 0; k < SL_XSUM_LIMBS; k++)
        o = put_u32(o, (uint32_t)v->limb[k]);
    return put_u32(o, v->overflow);
}

static unsigned char *put_exact(unsigned char *o, const sl_exact_sums *x)
{
    o = put_u128(put_u128(o, x->p[0]), x->p[1]);
    o = put_u192(put_u192(put_u192(o, &x->p2[0]), &x->p2[1]), &x->brier);
    o = put_u128(o, x->log);
    for (int k = 0; k < SL_XS_COUNT; k++)
        o = put_xsum(o, &x->pay[k]);
    return o;
}

/* ---- little-endian reading, within bounds ---- */

static uint32_t load_u32(const unsigned char *at)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)at[i] << (8 * i);
    return v;
}

static uint64_t load_u64(const unsigned char *at)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)at[i] << (8 * i);
    return v;
}

static double load_f64(const unsigned char *at)
{
    uint64_t bits = load_u64(at);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

typedef struct reader {
    const unsigned char *at, *end;
} reader;

/* The body's reads: each takes its bytes only when they lie before end; 0 on success. */
static int get_u64(reader *r, uint64_t *v)
{
    if (r->end - r->at < 8)
        return -1;
    *v = load_u64(r->at);
    r->at += 8;
    return 0;
}

static int get_f64(reader *r, double *v)
{
    if (r->end - r->at < 8)
        return -1;
    *v = load_f64(r->at);
    r->at += 8;
    return 0;
}

static int get_dd(reader *r, dd *v) { return get_f64(r, &v->hi) || get_f64(r, &v->lo); }

static int get_u128(reader *r, sl_u128 *v)
{
    uint64_t lo, hi;
    if (get_u64(r, &lo) || get_u64(r, &hi))
        return -1;
    *v = (sl_u128)hi << 64 | lo;
    return 0;
}

static int get_u192(reader *r, sl_u192 *v)
{
    return get_u64(r, &v->w[0]) || get_u64(r, &v->w[1]) || get_u64(r, &v->w[2]);
}

/* limbs as written by put_xsum: the top one's 32 bits sign-extended (the consistency check then
 * wants every limb normalized) */
static int get_xsum(reader *r, sl_xsum *v)
{
    if (r->end - r->at < (ptrdiff_t)XSUM_BYTES)
        return -1;
    for (int k = 0; k < SL_XSUM_LIMBS; k++, r->at += 4) {
        uint32_t w = load_u32(r->at);
        v->limb[k] = k == SL_XSUM_LIMBS - 1 ? (int64_t)(int32_t)w : (int64_t)w;
    }
    v->overflow = load_u32(r->at);
    r->at += 4;
    v->pending = 0;
    return 0;
}

static int get_exact(reader *r, sl_exact_sums *x)
{
    int bad = get_u128(r, &x->p[0]) || get_u128(r, &x->p[1]) || get_u192(r, &x->p2[0]) ||
              get_u192(r, &x->p2[1]) || get_u192(r, &x->brier) || get_u128(r, &x->log);
    for (int k = 0; k < SL_XS_COUNT; k++)
        bad |= get_xsum(r, &x->pay[k]);
    return bad;
}

/* ---- sizes ---- */

/* The blob size of a state with option `flags`, `bins` bins and `keys` AUC keys; 0 if it
 * overflows size_t. */
static size_t blob_size(unsigned flags, uint64_t bins, uint64_t keys)
{
    uint64_t sums = flags & SL_METRICS_EXACT_SUMS ? EXACT_BYTES : COMPENSATED_BYTES;
    uint64_t fixed = HEADER_BYTES + sums + COUNT_FIELDS * 8 + (bins + 1) * BIN_BYTES + 8 +
                     CHECKSUM_BYTES;
    if (keys > (SIZE_MAX - fixed) / 8)
        return 0;
    return (size_t)(fixed + keys * 8);
}

size_t sl_metrics_serialized_size(const sl_metrics *m)
{
    return sl_metrics_valid_state(m) ? blob_size(m->options.flags, m->options.bins, m->auc_n) : 0;
}

/* ---- writing ---- */

sl_status sl_metrics_serialize(const sl_metrics *m, void *buf, size_t capacity, size_t *size)
{
    if (!sl_metrics_valid_state(m) || !size)
        return SL_ERR_NULL_ARGUMENT;
    size_t total = blob_size(m->options.flags, m->options.bins, m->auc_n);
    int exact = (m->options.flags & SL_METRICS_EXACT_SUMS) != 0;
    *size = total;
    if (total == 0)
        return SL_ERR_SIZE_OVERFLOW;
    if (capacity < total)
        return SL_ERR_BUFFER_TOO_SMALL;
    if (!buf)
        return SL_ERR_NULL_ARGUMENT;
    unsigned char *o = buf;
    memcpy(o, magic, sizeof magic);
    o = put_u32(o + sizeof magic, SL_METRICS_FORMAT_VERSION);
    o = put_u32(o, HEADER_BYTES);
    o = put_u64(o, total);
    o = put_u32(o, m->options.flags);
    o = put_u32(o, m->options.bins);
    o = put_f64(o, m->options.quality_threshold);
    o = put_f64(o, m->options.uncertainty_band);
    o = put_f64(o, m->options.log_loss_eps);
    const sl_payoff_params *pp = &m->params;
    const double params[7] = {pp->s_plus, pp->s_minus, pp->h, pp->theta, pp->rho_a, pp->rho_b,
                              pp->w_rep};
    for (int i = 0; i < 7; i++)
        o = put_f64(o, params[i]);
    o = put_u32(o, SL_MS_COUNT);
    o = put_u32(o, SL_MV_COUNT);
    o = put_u32(o, m->options.auc_sketch_bins);
    o = put_u32(o, 0);
    if (exact) {
        o = put_exact(o, m->exact);
    } else {
        for (int s = 0; s < SL_MS_COUNT; s++)
            o = put_dd(o, m->sum[s]);
        for (int w = 0; w < SL_MV_COUNT; w++)
            o = put_dd(put_dd(put_u64(o, m->var[w].n), m->var[w].sum), m->var[w].m2);
    }
    const metrics_counts *c = &m->count;
    const uint64_t counts[COUNT_FIELDS] = {c->n,    c->n_accepted,    c->n_labelled, c->n_positive,
                                           c->high, c->high_accepted, c->uncertain};
    for (unsigned i = 0; i < COUNT_FIELDS; i++)
        o = put_u64(o, counts[i]);
    for (unsigned b = 0; b <= m->options.bins; b++) {
        const bin_state *t = &m->bins[b];
        o = put_u64(put_u64(put_u64(put_u64(o, t->count), t->accepted), t->cal_count),
                    t->cal_positive);
        o = exact ? put_u128(o, t->cal_sum_x) : put_dd(o, t->cal_sum_p);
    }
    o = put_u64(o, m->auc_n);
    for (size_t k = 0; k < m->auc_n; k++)
        o = put_u64(o, m->auc_keys[k]);
    put_u64(o, XXH3_64bits(buf, total - CHECKSUM_BYTES));
    return SL_OK;
}

/* ---- reading ---- */

/* a + b into *sum unless it wraps; 0 on success */
static int add_checked(uint64_t a, uint64_t b, uint64_t *sum)
{
    *sum = a + b;
    return *sum < a;
}

/* The range of p in bin b (the extra bin options.bins: the rows in no bin), as sl_metrics_bin_of
 * sorts them: [b w, (b + 1) w), the last bin up to 1 inclusive, no bin [bins w, 1). */
static void bin_edges(const sl_metrics *m, unsigned b, double *lo, double *hi)
{
    unsigned bins = m->options.bins;
    double w = m->cfg.bin_width;
    *lo = b * w;
    *hi = b + 1 < bins ? (b + 1) * w : 1.0;
}

/* Whether the counts, bins and moments of m add up as in every state accumulation produces: the
 * subsets' counts within theirs (the high-quality rows that were rejected among the rejected
 * rows, so both participation rates stay in [0, 1]), the bins' counts adding up to them, and the
 * high-quality and uncertain rows between the counts of the bins wholly inside and those
 * touching their ranges. */
static int consistent_counts(const sl_metrics *m)
{
    const metrics_counts *c = &m->count;
    if (c->n_accepted > c->n || c->n_labelled > c->n || c->n_positive > c->n_labelled ||
        c->high > c->n || c->high_accepted > c->high || c->high_accepted > c->n_accepted ||
        c->high - c->high_accepted > c->n - c->n_accepted || c->uncertain > c->n)
        return 0;
    uint64_t count = 0, accepted = 0, labelled = 0, positive = 0;
    uint64_t high_min = 0, high_max = 0, high_acc_min = 0, high_acc_max = 0, unc_min = 0,
             unc_max = 0; /* (sums of bin counts, at most count: no wrap once that is checked) */
    const sl_metrics_config *cfg = &m->cfg;
    for (unsigned b = 0; b <= m->options.bins; b++) {
        const bin_state *t = &m->bins[b];
        if (t->accepted > t->count || t->cal_count > t->count || t->cal_positive > t->cal_count)
            return 0;
        if (add_checked(count, t->count, &count) || add_checked(accepted, t->accepted, &accepted) ||
            add_checked(labelled, t->cal_count, &labelled) ||
            add_checked(positive, t->cal_positive, &positive))
            return 0;
        double e, f; /* the bin's rows have p in [e, f] */
        bin_edges(m, b, &e, &f);
        int all_high = e >= cfg->quality_threshold, some_high = f >= cfg->quality_threshold;
        int all_unc = e > cfg->uncertain_lo && f < cfg->uncertain_hi;
        int some_unc = f > cfg->uncertain_lo && e < cfg->uncertain_hi;
        high_min += all_high ? t->count : 0, high_max += some_high ? t->count : 0;
        high_acc_min += all_high ? t->accepted : 0, high_acc_max += some_high ? t->accepted : 0;
        unc_min += all_unc ? t->count : 0, unc_max += some_unc ? t->count : 0;
    }
    if (count != c->n || accepted != c->n_accepted || labelled != c->n_labelled ||
        positive != c->n_positive || c->high < high_min || c->high > high_max ||
        c->high_accepted < high_acc_min || c->high_accepted > high_acc_max ||
        c->uncertain < unc_min || c->uncertain > unc_max)
        return 0;
    if (m->options.flags & SL_METRICS_EXACT_SUMS) /* no moments */
        return 1;
    for (int w = 0; w < SL_MV_COUNT; w++)
        if (m->var[w].n != (w == SL_MV_P_A ? c->n_accepted : c->n))
            return 0;
    return 1;
}

/* v within [lo, hi] (false for NaN). Strict: a sum of terms in [0, 1] rounded to nearest never
 * passes its count (rounding is monotone), so the report's rates stay in [0, 1]. The one
 * exception would be a SIMD span whose p are almost all exactly 1 but not its first (its shifted
 * sum may then pass the count by an ulp): such a state would be refused, never misread. */
static int within(dd v, double lo, double hi)
{
    double x = v.hi + v.lo;
    return x >= lo && x <= hi;
}

/* The slack of the bounds derived from the bins' edges (sum_bounds): a sum of n terms of one sign
 * is added in spans of SL_METRICS_SPAN rows, then with compensation, so it lies within about
 * 2^-45 of its exact value relative; each term (a square, a logarithm) adds a few ulps, and the
 * bounds' own arithmetic over up to 1025 bins 2^-43. */
#define EDGE_SLACK 0x1p-36

/* v within [lo, hi] widened by EDGE_SLACK relative and `absolute` (false for NaN). */
static int near(dd v, double lo, double hi, double absolute)
{
    double x = v.hi + v.lo;
    return x >= lo - fabs(lo) * EDGE_SLACK - absolute && x <= hi + fabs(hi) * EDGE_SLACK + absolute;
}

/* Whether a compensated sum over `terms` rows has the shape accumulation gives it, for terms of
 * absolute sum at most `total`: hi and lo finite, the value at most `total` in magnitude, and
 * |lo| (the accumulated rounding errors of at most two additions per row, each at most half an
 * ulp of a partial sum, so of `total`) at most total * terms * 2^-50. For a sum of terms of one
 * sign, total is |hi| itself. So a forged hi = 1e308, lo = -1e308 that reads as a small value is
 * refused instead of overflowing a later merge. */
static int dd_shape(dd v, double total, uint64_t terms)
{
    return isfinite(v.hi) && isfinite(v.lo) && fabs(v.hi + v.lo) <= total * (1 + 0x1p-20) &&
           fabs(v.lo) <= total * (double)terms * 0x1p-50;
}

/* A bound on the sum of |x| over all rows of a quantity x whose moments are v: n |mean| plus
 * sqrt(n m2) (Cauchy-Schwarz on the deviations); the payoff sums over any subset stay within it. */
static double abs_total(const moments *v)
{
    double m2 = v->m2.hi + v->m2.lo;
    return fabs(v->sum.hi + v->sum.lo) + sqrt((double)v->n * (m2 > 0 ? m2 : 0));
}

/* q = clamp(p, eps, 1 - eps) as the log-likelihood's kernels compute it (monotone in p) */
static double clamp_q(double p, double eps)
{
    double q = p < 1 - eps ? p : 1 - eps;
    return q > eps ? q : eps;
}

/* The ranges the stored sums must lie in, given the rows each bin holds: bin b's rows have p in
 * [e, f] (bin_edges), so its accepted rows add between acc * e and acc * f to the sum of accepted
 * p, its labelled positives between pos (1 - f)^2 and pos (1 - e)^2 to the Brier sum, pos ln q(e)
 * .. pos ln q(f) to the log-likelihood, and so on. A sum over an empty subset is exactly 0. */
typedef struct sum_bounds {
    double lo[SL_MS_COUNT], hi[SL_MS_COUNT]; /* for the sums of p, Brier and log-likelihood */
    double all_lo, all_hi;                   /* the sum of p over all rows (SL_MV_P) */
} sum_bounds;

static void sum_bounds_of(const sl_metrics *m, sum_bounds *sb)
{
    memset(sb, 0, sizeof *sb);
    double eps = m->options.log_loss_eps;
    for (unsigned b = 0; b <= m->options.bins; b++) {
        const bin_state *t = &m->bins[b];
        double e, f;
        bin_edges(m, b, &e, &f);
        double acc = (double)t->accepted, rej = (double)(t->count - t->accepted);
        double pos = (double)t->cal_positive, neg = (double)(t->cal_count - t->cal_positive);
        sb->lo[SL_MS_P_A] += acc * e, sb->hi[SL_MS_P_A] += acc * f;
        sb->lo[SL_MS_P_R] += rej * e, sb->hi[SL_MS_P_R] += rej * f;
        sb->all_lo += (double)t->count * e, sb->all_hi += (double)t->count * f;
        sb->lo[SL_MS_BRIER] += pos * (1 - f) * (1 - f) + neg * e * e;
        sb->hi[SL_MS_BRIER] += pos * (1 - e) * (1 - e) + neg * f * f;
        double qe = clamp_q(e, eps), qf = clamp_q(f, eps);
        sb->lo[SL_MS_LOG] += pos * log(qe) + neg * log(1 - qf);
        sb->hi[SL_MS_LOG] += pos * log(qf) + neg * log(1 - qe);
    }
}

/* The figures of exact sums (sl_exact_totals, the doubles finalize reports) where consistent_sums
 * puts the compensated ones: the Brier and log-likelihood sums between what the bins' edges give,
 * the social surplus what the accepted p give, the welfare the payoffs' sum (the sums of p, of
 * p^2 and the bins' sums are checked in integers by sl_exact_sums_consistent). Each exact total
 * is the sum of the rows' rounded terms, rounded once, so the same slack holds. */
static int consistent_exact_totals(const sl_metrics *m)
{
    metrics_totals t;
    sl_exact_totals(m, &t);
    sum_bounds sb;
    sum_bounds_of(m, &sb);
    double na = (double)m->count.n_accepted, nt = (double)m->count.n_labelled;
    const sl_payoff_params *pp = &m->params;
    double social_scale = pp->s_plus + 2 * (pp->s_minus + pp->h);
    double social = (pp->s_plus + pp->s_minus + pp->h) * t.p_a - (pp->s_minus + pp->h) * na;
    double n = (double)m->count.n;
    /* sum |payoff| <= n |mean| + n sqrt(variance) (Cauchy-Schwarz), as abs_total */
    double total = n * (fabs(t.pa_mean) + sqrt(t.variance[SL_MV_PA]) + fabs(t.pb_mean) +
                        sqrt(t.variance[SL_MV_PB]));
    return near((dd){t.brier, 0}, sb.lo[SL_MS_BRIER], sb.hi[SL_MS_BRIER], 0.0) &&
           near((dd){t.log, 0}, sb.lo[SL_MS_LOG], sb.hi[SL_MS_LOG], nt * 0x1p-50) &&
           near((dd){t.social_a - social, 0}, 0, 0, na * social_scale * EDGE_SLACK) &&
           near((dd){t.welfare_a - (t.pa_a + t.pb_a), 0}, 0, 0,
                (total + na * social_scale) * EDGE_SLACK);
}

/* Whether the sums could come from rows of p in [0, 1] with the state's counts and bins: the sums
 * of p, Brier terms and log-likelihoods between what the bins' edges give (sum_bounds_of) and
 * within their hard ranges (rates and the Brier score in [0, 1], log loss in [0, -ln eps]); each
 * bin's sum of p between its edges times its count (so a calibration bin's mean p lies in the
 * bin); squared deviations between 0 and the most n values in [0, 1] of that sum can have (n
 * mean (1 - mean): a variance of p at most 1/4), 0 for fewer than two rows; payoff sums finite,
 * within the bound their moments put on them (abs_total), the social surplus (which depends on p
 * alone) what the sum of accepted p gives, the welfare the sum of the two payoffs; every sum over
 * an empty subset 0. Every check of a stored sum is here: a new field of the state gets its
 * range here too. */
static int consistent_sums(const sl_metrics *m)
{
    if (m->options.flags & SL_METRICS_EXACT_SUMS)
        return sl_exact_sums_consistent(m) && consistent_exact_totals(m);
    const metrics_counts *c = &m->count;
    uint64_t nr = c->n - c->n_accepted;
    double n = (double)c->n, na = (double)c->n_accepted, nt = (double)c->n_labelled;
    const sl_payoff_params *pp = &m->params;
    double social_scale = pp->s_plus + 2 * (pp->s_minus + pp->h); /* |a_s| + |b_s| below */
    double total_a = abs_total(&m->var[SL_MV_PA]), total_b = abs_total(&m->var[SL_MV_PB]);
    const struct {
        uint64_t rows;
        double total; /* bound on the sum of |term| (0: one sign, |hi| itself) */
    } kind[SL_MS_COUNT] = {
        [SL_MS_P_A] = {c->n_accepted, 0},    [SL_MS_P_R] = {nr, 0},
        [SL_MS_PA_A] = {c->n_accepted, total_a}, [SL_MS_PA_R] = {nr, total_a},
        [SL_MS_PB_A] = {c->n_accepted, total_b}, [SL_MS_PB_R] = {nr, total_b},
        [SL_MS_SOCIAL_A] = {c->n_accepted, na * social_scale},
        [SL_MS_WELFARE_A] = {c->n_accepted, total_a + total_b},
        [SL_MS_BRIER] = {c->n_labelled, 0},  [SL_MS_LOG] = {c->n_labelled, 0},
    };
    for (int s = 0; s < SL_MS_COUNT; s++) {
        const dd *v = &m->sum[s];
        double total = kind[s].total ? kind[s].total : fabs(v->hi);
        if (!dd_shape(*v, total, kind[s].rows) || (kind[s].rows == 0 && v->hi + v->lo != 0.0))
            return 0;
    }
    sum_bounds sb;
    sum_bounds_of(m, &sb);
    /* the least log-likelihood of a row: ln(eps) for a positive at p = 0, or ln(1 - (1 - eps)) for
     * a negative at p = 1 (1 - eps rounded: for eps = 1e-15 that is ln(9.992e-16), below ln(eps)) */
    double eps = m->options.log_loss_eps;
    double least = fmin(log(clamp_q(0, eps)), log(1 - clamp_q(1, eps)));
    double log_floor = nt * least * (1 + 0x1p-40); /* ln rounds too */
    if (!within(m->sum[SL_MS_P_A], 0, na) || !within(m->sum[SL_MS_P_R], 0, n - na) ||
        !within(m->sum[SL_MS_BRIER], 0, nt) || !within(m->sum[SL_MS_LOG], log_floor, 0))
        return 0;
    static const int of_p[] = {SL_MS_P_A, SL_MS_P_R, SL_MS_BRIER, SL_MS_LOG};
    for (size_t i = 0; i < sizeof of_p / sizeof of_p[0]; i++) {
        int s = of_p[i];
        /* ln(1 - q) of a q near 0 is off by up to an ulp of 1 - q (and the SIMD paths take the
         * logarithm of products, one rounding per row): absolute, a few ulps of 1 per row */
        double absolute = s == SL_MS_LOG ? nt * 0x1p-50 : 0.0;
        if (!near(m->sum[s], sb.lo[s], sb.hi[s], absolute))
            return 0;
    }
    /* social surplus = (s_plus + s_minus + h) p - (s_minus + h) per row; welfare = the payoffs' sum */
    double social = (pp->s_plus + pp->s_minus + pp->h) * (m->sum[SL_MS_P_A].hi + m->sum[SL_MS_P_A].lo) -
                    (pp->s_minus + pp->h) * na;
    double welfare = m->sum[SL_MS_PA_A].hi + m->sum[SL_MS_PA_A].lo + m->sum[SL_MS_PB_A].hi +
                     m->sum[SL_MS_PB_A].lo;
    if (!near((dd){m->sum[SL_MS_SOCIAL_A].hi - social, m->sum[SL_MS_SOCIAL_A].lo}, 0, 0,
              na * social_scale * EDGE_SLACK) ||
        !near((dd){m->sum[SL_MS_WELFARE_A].hi - welfare, m->sum[SL_MS_WELFARE_A].lo}, 0, 0,
              (total_a + total_b + na * social_scale) * EDGE_SLACK))
        return 0;
    for (int w = 0; w < SL_MV_COUNT; w++) {
        const moments *v = &m->var[w];
        int p_moments = w == SL_MV_P || w == SL_MV_P_A;
        double total = p_moments ? fabs(v->sum.hi) : abs_total(v);
        if (!dd_shape(v->sum, total, v->n) || !dd_shape(v->m2, fabs(v->m2.hi), v->n) ||
            !(v->m2.hi + v->m2.lo >= 0.0) || (v->n < 2 && v->m2.hi + v->m2.lo != 0.0) ||
            (v->n == 0 && v->sum.hi + v->sum.lo != 0.0))
            return 0;
        if (!p_moments || v->n == 0)
            continue;
        double rows_w = (double)v->n, sum = v->sum.hi + v->sum.lo;
        double lo = w == SL_MV_P ? sb.all_lo : sb.lo[SL_MS_P_A];
        double hi = w == SL_MV_P ? sb.all_hi : sb.hi[SL_MS_P_A];
        /* at most n mean (1 - mean) (Bhatia-Davis), give or take the sum's own error */
        if (!within(v->sum, 0, rows_w) || !near(v->sum, lo, hi, 0.0) ||
            !(v->m2.hi + v->m2.lo <= sum * (rows_w - sum) / rows_w + rows_w * EDGE_SLACK))
            return 0;
    }
    for (unsigned b = 0; b <= m->options.bins; b++) {
        const bin_state *t = &m->bins[b];
        double e, f, count = (double)t->cal_count;
        bin_edges(m, b, &e, &f);
        if (!dd_shape(t->cal_sum_p, fabs(t->cal_sum_p.hi), t->cal_count) ||
            !within(t->cal_sum_p, 0, count) || !near(t->cal_sum_p, count * e, count * f, 0.0))
            return 0;
    }
    return 1;
}

/* Whether the AUC words are keys of labelled p in [0, 1] (sl_auc_key), one per labelled row when
 * the AUC is tracked (none otherwise), with n_positive of class +1; or a sketch of 2 B counts
 * whose classes hold the labelled rows. */
static int consistent_auc(const sl_metrics *m)
{
    uint64_t one;
    double p = 1.0;
    memcpy(&one, &p, sizeof one);
    if (m->options.flags & SL_METRICS_NO_AUC)
        return m->auc_n == 0;
    size_t bins = m->options.auc_sketch_bins;
    if (bins) {
        uint64_t negatives = 0, positives = 0;
        if (m->auc_n != 2 * bins)
            return 0;
        for (size_t b = 0; b < bins; b++)
            if (add_checked(negatives, m->auc_keys[b], &negatives) ||
                add_checked(positives, m->auc_keys[bins + b], &positives))
                return 0;
        return positives == m->count.n_positive &&
               negatives == m->count.n_labelled - m->count.n_positive;
    }
    if (m->auc_n != m->count.n_labelled)
        return 0;
    uint64_t positives = 0;
    for (size_t k = 0; k < m->auc_n; k++) {
        if (m->auc_keys[k] >> 1 > one)
            return 0;
        positives += m->auc_keys[k] & 1u;
    }
    return positives == m->count.n_positive;
}

/* Whether the content of a deserialized state is one accumulation can produce: every check of
 * what a blob holds beyond its header, so that an accepted blob finalizes to figures in their
 * SPEC ranges and merges like any state. */
static int consistent_state(const sl_metrics *m)
{
    return consistent_counts(m) && consistent_sums(m) && consistent_auc(m);
}

/* The body after the header into the empty state m (its options and parameters already set);
 * SL_ERR_BLOB_CORRUPT when it does not read as a state, SL_ERR_OUT_OF_MEMORY. */
static sl_status read_body(reader *r, sl_metrics *m)
{
    int bad = 0, exact = (m->options.flags & SL_METRICS_EXACT_SUMS) != 0;
    if (exact) {
        bad |= get_exact(r, m->exact);
    } else {
        for (int s = 0; s < SL_MS_COUNT; s++)
            bad |= get_dd(r, &m->sum[s]);
        for (int w = 0; w < SL_MV_COUNT; w++)
            bad |= get_u64(r, &m->var[w].n) || get_dd(r, &m->var[w].sum) ||
                   get_dd(r, &m->var[w].m2);
    }
    metrics_counts *c = &m->count;
    uint64_t *counts[COUNT_FIELDS] = {&c->n,    &c->n_accepted,    &c->n_labelled, &c->n_positive,
                                      &c->high, &c->high_accepted, &c->uncertain};
    for (unsigned i = 0; i < COUNT_FIELDS; i++)
        bad |= get_u64(r, counts[i]);
    for (unsigned b = 0; b <= m->options.bins; b++) {
        bin_state *t = &m->bins[b];
        bad |= get_u64(r, &t->count) || get_u64(r, &t->accepted) || get_u64(r, &t->cal_count) ||
               get_u64(r, &t->cal_positive) ||
               (exact ? get_u128(r, &t->cal_sum_x) : get_dd(r, &t->cal_sum_p));
    }
    uint64_t keys;
    bad |= get_u64(r, &keys);
    /* the keys and the checksum are all that is left */
    if (bad || keys != (uint64_t)(r->end - r->at - CHECKSUM_BYTES) / 8 ||
        (size_t)(r->end - r->at) != keys * 8 + CHECKSUM_BYTES)
        return SL_ERR_BLOB_CORRUPT;
    if (m->options.auc_sketch_bins && keys != m->auc_n)
        return SL_ERR_BLOB_CORRUPT; /* the new state holds the sketch's 2 B counts already */
    if (keys > 0 && !m->options.auc_sketch_bins) {
        m->auc_keys = malloc(keys * sizeof *m->auc_keys);
        if (!m->auc_keys)
            return SL_ERR_OUT_OF_MEMORY;
        m->auc_cap = keys;
    }
    for (uint64_t k = 0; k < keys; k++)
        get_u64(r, &m->auc_keys[k]);
    m->auc_n = keys;
    return consistent_state(m) ? SL_OK : SL_ERR_BLOB_CORRUPT;
}

sl_status sl_metrics_deserialize(sl_metrics **out, const void *blob, size_t size)
{
    if (!out)
        return SL_ERR_NULL_ARGUMENT;
    *out = NULL;
    if (!blob)
        return SL_ERR_NULL_ARGUMENT;
    const unsigned char *b = blob;
    /* magic, version, header size and total length, as far as the bytes reach */
    if (memcmp(b, magic, size < sizeof magic ? size : sizeof magic) != 0)
        return SL_ERR_BLOB_MAGIC;
    if (size < 24)
        return SL_ERR_BLOB_TRUNCATED;
    if (load_u32(b + 8) != SL_METRICS_FORMAT_VERSION)
        return SL_ERR_BLOB_VERSION;
    uint64_t total = load_u64(b + 16);
    if (load_u32(b + 12) != HEADER_BYTES || total < HEADER_BYTES + CHECKSUM_BYTES)
        return SL_ERR_BLOB_CORRUPT;
    if (size < total)
        return SL_ERR_BLOB_TRUNCATED;
    if (size > total)
        return SL_ERR_BLOB_CORRUPT; /* trailing bytes */
    if (load_u64(b + total - CHECKSUM_BYTES) != XXH3_64bits(b, total - CHECKSUM_BYTES))
        return SL_ERR_BLOB_CHECKSUM;

    /* the header's fields (all within the HEADER_BYTES checked above) */
    sl_metrics_options o = {load_u32(b + 24), load_u32(b + 28), load_f64(b + 32),
                            load_f64(b + 40), load_f64(b + 48),  load_u32(b + 120)};
    sl_payoff_params pp = {load_f64(b + 56), load_f64(b + 64), load_f64(b + 72), load_f64(b + 80),
                           load_f64(b + 88), load_f64(b + 96), load_f64(b + 104)};
    if (load_u32(b + 112) != SL_MS_COUNT || load_u32(b + 116) != SL_MV_COUNT || load_u32(b + 124) ||
        sl_metrics_options_validate(&o) != SL_OK || sl_payoff_validate(&pp) != SL_OK ||
        total != blob_size(o.flags, o.bins, (total - blob_size(o.flags, o.bins, 0)) / 8))
        return SL_ERR_BLOB_CORRUPT;
    sl_metrics *m;
    sl_status st = sl_metrics_new_state(&m, &pp, &o, 1);
    if (st != SL_OK)
        return st == SL_ERR_OUT_OF_MEMORY ? st : SL_ERR_BLOB_CORRUPT;
    reader r = {b + HEADER_BYTES, b + total}; /* the body, then the checksum */
    st = read_body(&r, m);
    if (st != SL_OK) {
        sl_metrics_free(m);
        return st;
    }
    *out = m;
    return SL_OK;
}
