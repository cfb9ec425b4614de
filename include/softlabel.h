/*
 * softlabel — calibrated soft labels for AI-agent interactions, in bulk.
 *
 * One umbrella header for C11 and C++. Every number computed here is defined in SPEC.md
 * (shared/SPEC.md in the project): section 1 for proxy scoring (observables -> v_hat -> p).
 *
 * Conventions of every entry point:
 *  - Returns SL_OK or a status naming the failure; sl_status_str() gives a message.
 *  - Bulk calls allocate nothing, keep no hidden state and are safe to call from many threads at
 *    once on disjoint output buffers. Input and output buffers need no particular alignment.
 *  - Invalid rows (NaN in a real field, a negative count) are never silently scored: the call
 *    returns the status of the first invalid row, reports its index in *first_invalid, leaves the
 *    outputs of every invalid row untouched (never writes NaN or an out-of-range value there) and
 *    scores every valid row exactly as if the invalid rows were absent.
 */
#ifndef SOFTLABEL_H
#define SOFTLABEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SL_API __attribute__((visibility("default")))
#else
#define SL_API
#endif

#define SOFTLABEL_VERSION_MAJOR 0
#define SOFTLABEL_VERSION_MINOR 1
#define SOFTLABEL_VERSION_PATCH 0
#define SOFTLABEL_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------------------------------------
 * Status codes: one per failure kind. Bad-input statuses name the column; parameter statuses
 * name the parameter.
 * ------------------------------------------------------------------------------------------- */
typedef enum sl_status {
    SL_OK = 0,

    /* Caller errors */
    SL_ERR_NULL_ARGUMENT = 1,        /* a required pointer is NULL */
    SL_ERR_NOT_INITIALIZED = 2,      /* sl_proxy was not set up by a successful sl_proxy_init */

    /* Parameter out of range (nothing is computed) */
    SL_ERR_PARAM_W_PROGRESS = 10,    /* w_progress negative, NaN or infinite */
    SL_ERR_PARAM_W_REWORK = 11,
    SL_ERR_PARAM_W_VERIFIER = 12,
    SL_ERR_PARAM_W_ENGAGEMENT = 13,
    SL_ERR_PARAM_SIGMOID_K = 14,     /* sigmoid_k not in (0, 100] */
    SL_ERR_PARAM_REWORK_DECAY = 15,  /* rework_decay not in [0.01, 1) */
    SL_ERR_PARAM_REJECTION_DECAY = 16,
    SL_ERR_PARAM_MISUSE_DECAY = 17,
    SL_ERR_PARAM_WEIGHT_SUM = 18,    /* the four weights are finite but their sum overflows */

    /* Invalid input rows (the first invalid row decides which; its index goes to first_invalid) */
    SL_ERR_NAN_TASK_PROGRESS = 30,           /* task_progress_delta is NaN */
    SL_ERR_NEGATIVE_REWORK_COUNT = 31,       /* rework_count < 0 */
    SL_ERR_NEGATIVE_VERIFIER_REJECTIONS = 32,/* verifier_rejections < 0 */
    SL_ERR_NEGATIVE_TOOL_MISUSE = 33,        /* tool_misuse_flags < 0 */
    SL_ERR_NAN_ENGAGEMENT = 34,              /* counterparty_engagement_delta is NaN */
    SL_ERR_NAN_INPUT = 35,                   /* sigmoid input x is NaN */

    /* Instruction-set selection */
    SL_ERR_ISA_UNKNOWN = 50,         /* no path of that name exists in this build */
    SL_ERR_ISA_UNSUPPORTED = 51,     /* the path exists but this CPU/OS cannot run it */

    /* Multi-threaded entry points */
    SL_ERR_THREAD_COUNT = 60,        /* n_threads is 0 or above SL_MAX_THREADS */

    /* Reviewer panels and model evaluation (SPEC section 4) */
    SL_ERR_PANEL_BAD_VOTES = 80,     /* a vote count is negative, NaN or infinite */
    SL_ERR_DIST_BAD_VALUE = 81,      /* a probability is NaN or outside [0, 1] */
    SL_ERR_DIST_SUM = 82,            /* a distribution does not sum to 1 within SL_DIST_SUM_TOLERANCE */
    SL_ERR_PARAM_MIN_REVIEWERS = 83, /* min_reviewers < 1 */
    SL_ERR_PARAM_MAJORITY = 84,      /* majority_threshold not in (0, 1] */
    SL_ERR_PANEL_SHAPE = 85,         /* no labels (k = 0) or a leading dimension smaller than n */
    SL_ERR_ALPHA_TOTALS = 86         /* per-unit totals given to sl_alpha_nominal_add do not match the votes */
} sl_status;

/* A static English message for s ("unknown status" for a value not listed above). Never NULL. */
SL_API const char *sl_status_str(sl_status s);

/* The library's version string, e.g. "0.1.0". */
SL_API const char *sl_version(void);

/* ---------------------------------------------------------------------------------------------
 * Proxy scoring (SPEC section 1)
 * ------------------------------------------------------------------------------------------- */

/* Scoring parameters. Weights are normalized to sum 1 by sl_proxy_init (all zero: 0.25 each). */
typedef struct sl_proxy_params {
    double w_progress, w_rework, w_verifier, w_engagement; /* each >= 0 and finite */
    double sigmoid_k;                                       /* 0 < k <= 100 */
    double rework_decay, rejection_decay, misuse_decay;     /* 0.01 <= d < 1 */
} sl_proxy_params;

/* Fills *out with the SPEC defaults: weights 0.4, 0.2, 0.2, 0.2; k = 2; decays 0.3, 0.4, 0.5. */
SL_API void sl_proxy_params_default(sl_proxy_params *out);

/* Number of leading counts (0 .. SL_SIGNAL_TABLE_SIZE-1) whose signals sl_proxy_init precomputes. */
#define SL_SIGNAL_TABLE_SIZE 64

/* A validated, normalized scorer. A complete type so it can live on the stack or in a struct;
 * its fields are private: set them only through sl_proxy_init. Read-only once initialized, so
 * one sl_proxy may be shared by any number of threads. */
typedef struct sl_proxy {
    uint64_t magic_;
    double w_[4];                    /* normalized weights: progress, rework, verifier, engagement */
    double neg_k_;                   /* -sigmoid_k */
    double decay_[3];                /* rework, rejection, misuse */
    float w_f32_[4];
    float neg_k_f32_;
    /* signal(c, d) = 2 d^c - 1 (1 for c = 0) for c < SL_SIGNAL_TABLE_SIZE, per decay */
    double signal_f64_[3][SL_SIGNAL_TABLE_SIZE];
    float signal_f32_[3][SL_SIGNAL_TABLE_SIZE];
} sl_proxy;

/* Validates params (each out-of-range field has its own status, checked in field order), then
 * normalizes the weights and precomputes the count-signal tables. On error *px is left unusable
 * and nothing is scored with it. */
SL_API sl_status sl_proxy_init(sl_proxy *px, const sl_proxy_params *params);

/* Structure-of-arrays observables; every array holds n elements. */
typedef struct sl_observables_f32 {
    const float *task_progress_delta;           /* any value but NaN; clamped to [-1, 1] */
    const int32_t *rework_count;                /* >= 0 */
    const int32_t *verifier_rejections;         /* >= 0 */
    const int32_t *tool_misuse_flags;           /* >= 0; NULL: all zero */
    const float *counterparty_engagement_delta; /* any value but NaN; clamped to [-1, 1] */
} sl_observables_f32;

typedef struct sl_observables_f64 {
    const double *task_progress_delta;
    const int32_t *rework_count;
    const int32_t *verifier_rejections;
    const int32_t *tool_misuse_flags;           /* NULL: all zero */
    const double *counterparty_engagement_delta;
} sl_observables_f64;

/* Scores n interactions: v_hat[i] in [-1, 1] and p[i] = 1/(1+exp(-k v_hat[i])) in [0, 1].
 * v_hat or p may be NULL when not wanted (both NULL: validates the input only). first_invalid may
 * be NULL; otherwise it receives the index of the first invalid row, or n when every row is valid.
 * Accuracy (SPEC 1): f64 within 2e-15 of the reference; f32 (computed in single precision) within
 * 1e-6; every SIMD path gives the same bits as every other; SIMD within 4 ULP of the scalar path. */
SL_API sl_status sl_score_f32(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                       float *v_hat, float *p, size_t *first_invalid);
SL_API sl_status sl_score_f64(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                       double *v_hat, double *p, size_t *first_invalid);

/* Calibrated sigmoid alone: out[i] = 1/(1+exp(-k*x[i])), k in (0, 100]. x is not clamped; +-inf
 * gives 1 or 0. out may equal x (in place); other overlaps are not allowed. A NaN x[i] is invalid:
 * the call returns SL_ERR_NAN_INPUT, leaves out[i] untouched and computes every other element. */
SL_API sl_status sl_sigmoid_f32(float k, const float *x, size_t n, float *out);
SL_API sl_status sl_sigmoid_f64(double k, const double *x, size_t n, double *out);

/* ---------------------------------------------------------------------------------------------
 * Multi-threaded bulk scoring
 *
 * The same scoring as sl_score_f32 / sl_score_f64, split over threads the caller asks for. Nothing
 * is spawned unless n_threads > 1, and no thread outlives the call.
 * ------------------------------------------------------------------------------------------- */

/* Largest n_threads the _mt entry points accept. */
#define SL_MAX_THREADS 256

/* Fewest rows worth a thread of their own: a thread is started only for a range of at least this
 * many rows (starting one costs about as much as scoring a few thousand rows). */
#define SL_MT_MIN_ROWS_PER_THREAD 32768

/* sl_score_f32 on up to n_threads threads (1 .. SL_MAX_THREADS; the calling thread is one of
 * them). The rows are cut into contiguous blocks (multiples of 64 rows, so no two threads write
 * the same cache line of v_hat or p; at most 256K rows, about four per thread or more) that the
 * threads take in row order as they become free, so a thread slowed by other load on the machine
 * takes fewer. Fewer threads are used when n < n_threads * SL_MT_MIN_ROWS_PER_THREAD. Returns
 * SL_ERR_THREAD_COUNT for n_threads = 0 or above SL_MAX_THREADS; every other argument, status and
 * output is exactly as sl_score_f32 with the same arguments: the outputs are the same bits, and
 * with invalid rows the status is that of the first invalid row over all rows and *first_invalid
 * its index (every valid row is still scored, invalid rows' outputs untouched). If the system
 * refuses to start a thread, the others (at least the calling one) score its blocks. The active
 * path is read once per block: do not call sl_set_isa concurrently. */
SL_API sl_status sl_score_f32_mt(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                                 float *v_hat, float *p, size_t *first_invalid,
                                 unsigned n_threads);

/* The f64 twin of sl_score_f32_mt: sl_score_f64 on up to n_threads threads, same rules. */
SL_API sl_status sl_score_f64_mt(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                                 double *v_hat, double *p, size_t *first_invalid,
                                 unsigned n_threads);

/* ---------------------------------------------------------------------------------------------
 * Reviewer panels -> soft labels, and model evaluation (SPEC section 4)
 *
 * Per-item arithmetic over many items at once. A batch of n items with k labels is a dense
 * label-major matrix: the value of item i for label c is m[c * ld + i], ld >= n (one column of
 * ld doubles per label, items contiguous within a column), so one SIMD vector holds one label of
 * several items. Every kernel follows the bulk conventions above (no allocation, invalid items
 * reported by first_invalid and their outputs left untouched, valid items computed as if the
 * invalid ones were absent). Logarithms are base 2 (results in bits); every SIMD path gives the
 * same bits as every other, and stays within a few ULP of the scalar path (libm's log2).
 * ------------------------------------------------------------------------------------------- */

/* Outputs of sl_panel_stats_f64; each pointer may be NULL when not wanted. */
typedef struct sl_panel_stats_out {
    double *distribution; /* k x n label-major, leading dimension distribution_ld: share of votes */
    size_t distribution_ld;
    double *total;        /* n: the sum of the item's votes (its reviewer count for one vote each) */
    double *entropy_bits; /* n: -sum_c p_c log2 p_c (0 log 0 = 0), in [0, log2 k] */
    double *top_share;    /* n: the largest share */
    int32_t *top_label;   /* n: the first label (lowest index) holding the largest share */
    int32_t *top_ties;    /* n: how many labels hold the largest share (1: a unique top label) */
} sl_panel_stats_out;

/* Distribution, entropy and top label of n items from their vote counts.
 * votes: k x n label-major (leading dimension ld >= n), each finite and >= 0 (usually counts of
 * reviewers per label; integer counts give exact shares, so equal counts give equal shares).
 * Per item: p_c = votes_c / total; an item with total 0 (no votes) gets an all-zero distribution,
 * entropy 0, top_share 0, top_label 0 and top_ties k. out->distribution may be votes itself
 * (in place, with distribution_ld == ld); no other overlap is allowed.
 * Errors: SL_ERR_NULL_ARGUMENT (votes or out NULL with n > 0), SL_ERR_PANEL_SHAPE (k == 0,
 * ld < n or distribution_ld < n), SL_ERR_PANEL_BAD_VOTES (an item with a negative, NaN or
 * infinite vote: its index goes to *first_invalid, n when every item is valid; may be NULL). */
SL_API sl_status sl_panel_stats_f64(const double *votes, size_t ld, size_t n, size_t k,
                                    const sl_panel_stats_out *out, size_t *first_invalid);

/* Disagreement classes (SPEC 4), in this order in every report. */
typedef enum sl_disagreement {
    SL_AGREEMENT = 0,  /* top share 1 */
    SL_MINOR = 1,      /* top share >= majority_threshold */
    SL_MAJOR = 2,      /* otherwise */
    SL_UNRESOLVED = 3  /* fewer than min_reviewers reviewers, or a tie for the largest share */
} sl_disagreement;
#define SL_DISAGREEMENT_CLASSES 4

/* "agreement", "minor", "major", "unresolved" (NULL for a value not listed above). */
SL_API const char *sl_disagreement_name(sl_disagreement c);

/* Classification rules. Defaults: min_reviewers 2, majority_threshold 2/3 (the double nearest
 * 2/3, which equals 2.0/3.0, 4.0/6.0, ...: a top share of exactly two thirds is "minor"). */
typedef struct sl_panel_rules {
    int32_t min_reviewers;     /* >= 1 */
    double majority_threshold; /* in (0, 1] */
} sl_panel_rules;

/* Fills *out with the defaults above. */
SL_API void sl_panel_rules_default(sl_panel_rules *out);

/* Classifies n items: unresolved when reviewers[i] < min_reviewers or top_ties[i] >= 2, else
 * agreement when top_share[i] == 1, else minor when top_share[i] >= majority_threshold, else
 * major. Inputs as sl_panel_stats_f64 returns them; reviewers[i] is the number of reviewers
 * counted for item i. Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PARAM_MIN_REVIEWERS,
 * SL_ERR_PARAM_MAJORITY (nothing is classified then). */
SL_API sl_status sl_panel_classify(const sl_panel_rules *rules, size_t n, const int32_t *reviewers,
                                   const double *top_share, const int32_t *top_ties,
                                   sl_disagreement *out);

/* A distribution's sum may differ from 1 by at most this much (sl_divergence_f64). */
#define SL_DIST_SUM_TOLERANCE 1e-6
/* Model probabilities are clamped to [SL_PROB_FLOOR, 1] before a logarithm (SPEC 4). */
#define SL_PROB_FLOOR 1e-15

/* Outputs of sl_divergence_f64; each pointer may be NULL when not wanted. */
typedef struct sl_divergence_out {
    double *cross_entropy_bits;  /* H(P, Q) = -sum_c p_c log2 q'_c, q' = clamp(q, 1e-15, 1) */
    double *kl_bits;             /* KL(P || Q) = sum_{p_c > 0} p_c (log2 p_c - log2 q'_c), >= 0 */
    double *js_bits;             /* Jensen-Shannon divergence in bits, in [0, 1] */
    double *total_variation;     /* sum_c |p_c - q_c| / 2, in [0, 1] */
    double *brier;               /* sum_c (q_c - p_c)^2, in [0, 2] */
    double *top_label_agreement; /* 1.0 when Q's most probable label (the first on ties) is one
                                    of P's most probable labels, else 0.0 */
} sl_divergence_out;

/* Compares n model distributions Q with n human (panel) distributions P, item by item.
 * human, model: k x n label-major (leading dimensions ld_human, ld_model >= n); every value in
 * [0, 1] and each item's values summing to 1 within SL_DIST_SUM_TOLERANCE.
 * The Jensen-Shannon divergence uses Q as given (it needs no clamp: each logarithm in it is of a
 * positive value or weighted by zero): JS = sum_c [ (p_c log2 p_c + q_c log2 q_c)/2 - m_c log2 m_c ],
 * m = (P + Q)/2. Rounding can take KL and JS a few ULP below 0 (or JS above 1) where the exact
 * value is at the bound: they are clamped to their range, so equal distributions give exactly 0.
 * Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_SHAPE (k == 0 or a leading dimension < n),
 * SL_ERR_DIST_BAD_VALUE (a value NaN or outside [0, 1]) or SL_ERR_DIST_SUM (a sum off by more than
 * the tolerance), whichever the first invalid item has (its index goes to *first_invalid). */
SL_API sl_status sl_divergence_f64(const double *human, size_t ld_human, const double *model,
                                   size_t ld_model, size_t n, size_t k,
                                   const sl_divergence_out *out, size_t *first_invalid);

/* Krippendorff's alpha for nominal data, accumulated over batches of units (items).
 * Units with fewer than 2 values are not pairable and are left out (as Krippendorff defines it);
 * units may have different numbers of values. Each sl_alpha_nominal_add call brings its own
 * value set (its k labels): labels of different calls are different values, so the units of
 * several tasks can be pooled into one alpha. The accumulator is three sums; merge two by
 * adding their fields. alpha = 1 - (N - 1) * (N - A) / (N^2 - S), with N the pairable values,
 * A = sum over units of sum_c n_uc (n_uc - 1) / (m_u - 1), S = sum_c n_c^2. */
typedef struct sl_alpha_nominal {
    double pairable;    /* N */
    double agreement;   /* A */
    double marginal_sq; /* S */
} sl_alpha_nominal;

/* Sets every sum to 0. */
SL_API void sl_alpha_nominal_init(sl_alpha_nominal *acc);

/* Adds n units of one value set. votes: k x n label-major (ld >= n), counts of values per unit
 * (finite, >= 0; integers for alpha to mean anything); total[u] = sum_c votes[c][u], as
 * sl_panel_stats_f64 returns it. Errors (nothing is added then): SL_ERR_NULL_ARGUMENT,
 * SL_ERR_PANEL_SHAPE, SL_ERR_PANEL_BAD_VOTES, SL_ERR_ALPHA_TOTALS (the totals do not add up to
 * the votes: their sums over the pairable units differ by more than 1e-9 relative). */
SL_API sl_status sl_alpha_nominal_add(sl_alpha_nominal *acc, const double *votes, size_t ld,
                                      size_t n, size_t k, const double *total);

/* The alpha of everything added: 1 for perfect agreement, 0 for agreement at chance level,
 * negative below it. NaN when undefined: no pairable unit, or a single value used throughout
 * (no expected disagreement). */
SL_API double sl_alpha_nominal_value(const sl_alpha_nominal *acc);

/* ---------------------------------------------------------------------------------------------
 * Instruction-set paths
 *
 * The best path this CPU and OS support is chosen once, at first use (thread-safe). Names:
 * "scalar" (the plain-C reference, always available), "avx2" (AVX2+FMA), "avx512" (AVX-512F) on
 * x86-64, "neon" (Advanced SIMD) on AArch64.
 * SOFTLABEL_ISA=<name> in the environment forces a path at first use; an unknown or unsupported
 * name never falls back silently: every computing call then fails with SL_ERR_ISA_UNKNOWN or
 * SL_ERR_ISA_UNSUPPORTED until sl_set_isa() picks a valid path.
 * ------------------------------------------------------------------------------------------- */

/* The active path's name, or "none" while a bad SOFTLABEL_ISA override is in force. */
SL_API const char *sl_isa_name(void);

/* Forces the named path for the whole process ("auto": the best supported one). Returns
 * SL_ERR_ISA_UNKNOWN or SL_ERR_ISA_UNSUPPORTED (and changes nothing) when it cannot. */
SL_API sl_status sl_set_isa(const char *name);

/* Whether this build has the named path and this machine can run it (1) or not (0). */
SL_API int sl_isa_supported(const char *name);

/* The status of the current path selection: SL_OK, or the error a bad SOFTLABEL_ISA caused. */
SL_API sl_status sl_isa_status(void);

#ifdef __cplusplus
}
#endif

#endif /* SOFTLABEL_H */
