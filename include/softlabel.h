/*
 * softlabel — calibrated soft labels for AI-agent interactions, in bulk.
 *
 * One umbrella header for C11 and C++, and the library's complete contract: every function's
 * formula, input ranges, accuracy bounds, errors and buffer rules are written beside its
 * declaration below; nothing else needs to be read. (The project's SPEC.md, sections 1-4, is the
 * same contract with the reference implementation's background; the formulas here follow it.)
 *
 * Conventions of every entry point:
 *  - Returns SL_OK or a status naming the failure; sl_status_str() gives a message. A call that
 *    returns an argument error (a NULL pointer, a bad parameter, a size or overlap error) has
 *    written no output array.
 *  - Bulk calls allocate nothing, keep no hidden state and are safe to call from many threads at
 *    once on disjoint output buffers. Input and output buffers need no particular alignment.
 *  - Invalid rows (NaN in a real field, a negative count) are never silently scored: the call
 *    returns the status of the first invalid row, reports its index in *first_invalid, leaves the
 *    outputs of every invalid row untouched (never writes NaN or an out-of-range value there) and
 *    scores every valid row exactly as if the invalid rows were absent.
 *  - Sizes: an array of n elements (or a label-major matrix spanning (k-1)*ld + n elements) must
 *    fit in one object, i.e. its size in bytes must not exceed PTRDIFF_MAX; a larger n, k or ld
 *    returns SL_ERR_SIZE_OVERFLOW before any element is read.
 *  - Overlap: an output buffer must not share a byte with another output or with an input, except
 *    where the function says "in place" (then the output is the very same array as that input:
 *    same start, same length). The calls that write arrays check this before writing and return
 *    SL_ERR_OVERLAP (a matrix input counts as its whole extent, gaps between columns included).
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
    SL_ERR_INVERSE_SIGMOID_DOMAIN = 36,      /* inverse sigmoid input p is not in (0, 1) */

    /* Instruction-set selection */
    SL_ERR_ISA_UNKNOWN = 50,         /* no path of that name exists in this build */
    SL_ERR_ISA_UNSUPPORTED = 51,     /* the path exists but this CPU/OS cannot run it */

    /* Payoff parameters out of range (SPEC 2; nothing is computed) */
    SL_ERR_PARAM_S_PLUS = 60,        /* s_plus negative, NaN or infinite */
    SL_ERR_PARAM_S_MINUS = 61,       /* s_minus negative, NaN or infinite */
    SL_ERR_PARAM_H = 62,             /* h negative, NaN or infinite */
    SL_ERR_PARAM_THETA = 63,         /* theta not in [0, 1] */
    SL_ERR_PARAM_RHO_A = 64,         /* rho_a not in [0, 1] */
    SL_ERR_PARAM_RHO_B = 65,         /* rho_b not in [0, 1] */
    SL_ERR_PARAM_W_REP = 66,         /* w_rep not in [0, 100] */
    SL_ERR_BREAK_EVEN_UNDEFINED = 67,/* break-even p asked for with a zero denominator */

    /* Invalid payoff / metrics input rows (first invalid row decides; index in first_invalid) */
    SL_ERR_INVALID_P = 68,           /* p is NaN or outside [0, 1] */
    SL_ERR_NONFINITE_TAU = 69,       /* tau is NaN or infinite */
    SL_ERR_NONFINITE_C_A = 70,       /* c_a is NaN or infinite */
    SL_ERR_NONFINITE_C_B = 71,       /* c_b is NaN or infinite */
    SL_ERR_NONFINITE_R_A = 72,       /* r_a is NaN or infinite */
    SL_ERR_NONFINITE_R_B = 73,       /* r_b is NaN or infinite */
    SL_ERR_PAYOFF_OVERFLOW = 74,     /* finite inputs whose payoffs overflow to +-infinity */
    SL_ERR_INVALID_ACCEPTED = 75,    /* accepted is neither 0 nor 1 */
    SL_ERR_INVALID_GROUND_TRUTH = 76,/* ground_truth is not +1, -1 or 0 (none) */

    /* Metrics states and fused calls */
    SL_ERR_P_GIVEN = 77,             /* a fused call got a p column: p comes from the observables */
    SL_ERR_STATE_MISMATCH = 78,      /* merging metrics states with different parameters/flags */
    SL_ERR_OUT_OF_MEMORY = 79,       /* an allocation failed; the state is unchanged */

    /* Reviewer panels and model evaluation (SPEC section 4) */
    SL_ERR_PANEL_BAD_VOTES = 80,     /* a vote count is negative, NaN or infinite */
    SL_ERR_DIST_BAD_VALUE = 81,      /* a probability is NaN or outside [0, 1] */
    SL_ERR_DIST_SUM = 82,            /* a distribution does not sum to 1 within SL_DIST_SUM_TOLERANCE */
    SL_ERR_PARAM_MIN_REVIEWERS = 83, /* min_reviewers < 1 */
    SL_ERR_PARAM_MAJORITY = 84,      /* majority_threshold not in (0, 1] */
    SL_ERR_PANEL_SHAPE = 85,         /* no labels (k = 0) or a leading dimension smaller than n */
    SL_ERR_ALPHA_TOTALS = 86,        /* per-unit totals given to sl_alpha_nominal_add do not match the votes */

    /* Multi-threaded entry points */
    SL_ERR_THREAD_COUNT = 90,        /* n_threads is 0 or above SL_MAX_THREADS */

    /* Sizes and buffers (every entry point; see "Conventions" above) */
    SL_ERR_SIZE_OVERFLOW = 100,      /* n, k * ld or a buffer's byte size exceeds PTRDIFF_MAX */
    SL_ERR_OVERLAP = 101,            /* an output overlaps another output or an input */

    /* Panel aggregation (softlabel_panel.h): a bad annotation names its field */
    SL_ERR_PANEL_ITEM_ID = 110,      /* item_id missing or empty */
    SL_ERR_PANEL_TASK = 111,         /* task missing or empty */
    SL_ERR_PANEL_REVIEWER = 112,     /* reviewer missing or empty */
    SL_ERR_PANEL_LABEL = 113,        /* label missing or empty */
    SL_ERR_PANEL_CONFIDENCE = 114,   /* confidence not NaN (none) and not in [0, 1] */
    SL_ERR_PANEL_ERROR_MARK = 115,   /* error not 0 or 1 */
    SL_ERR_PANEL_UNKNOWN_TASK = 116, /* task not in the rubric */
    SL_ERR_PANEL_UNKNOWN_LABEL = 117,/* label not a rubric label of the task */
    SL_ERR_PANEL_UNKNOWN_GOLD = 118, /* gold not a rubric label of the task (the vote counts) */
    SL_ERR_PANEL_TASK_CONFLICT = 119,/* the item has another task */
    SL_ERR_PANEL_DUPLICATE = 120,    /* the reviewer annotated the item before */
    SL_ERR_PANEL_GOLD_CONFLICT = 121,/* the item has another gold answer (the vote counts) */
    SL_ERR_PANEL_STATE = 122,        /* the call does not fit the panel's state (finished or not) */
    SL_ERR_PANEL_TASK_TWICE = 123,   /* a rubric gives the task twice */
    SL_ERR_PANEL_LABEL_TWICE = 124,  /* a rubric gives a label of a task twice */
    SL_ERR_PANEL_INDEX = 125,        /* an item, task, reviewer or conflict index out of range */
    SL_ERR_PANEL_TOO_LARGE = 126,    /* 2^32 - 1 annotations, items, tasks, reviewers or labels */
    SL_ERR_PARAM_ADJUDICATE = 127,   /* adjudicate not 0 or 1 (or -1 for a task) */
    SL_ERR_PARAM_FLAG_ENTROPY = 128, /* flag_entropy not in [0, 1] */
    SL_ERR_PARAM_FLAG_CONFIDENCE = 129,/* flag_confidence not in [0, 1] */

    /* Reviewer reliability (sl_dawid_skene) */
    SL_ERR_DS_ITEM = 140,            /* an annotation's item index is >= n_items */
    SL_ERR_DS_REVIEWER = 141,        /* an annotation's reviewer index is >= n_reviewers */
    SL_ERR_DS_LABEL = 142,           /* an annotation's label index is >= n_labels */
    SL_ERR_PARAM_DS_ITERATIONS = 143,/* max_iterations is 0 */
    SL_ERR_PARAM_DS_TOLERANCE = 144, /* tolerance is NaN or infinite */

    /* Metrics options (sl_metrics_options; nothing is created) */
    SL_ERR_PARAM_BINS = 200,         /* bins not in 1 .. SL_METRICS_MAX_BINS */
    SL_ERR_PARAM_QUALITY_THRESHOLD = 201, /* quality_threshold is NaN */
    SL_ERR_PARAM_UNCERTAINTY_BAND = 202,  /* uncertainty_band is NaN */
    SL_ERR_PARAM_LOG_LOSS_EPS = 203, /* log_loss_eps not in (0, 1) or 1 - eps rounds to 1 */
    SL_ERR_PARAM_METRICS_FLAGS = 204, /* a flag bit that is not a SL_METRICS_* flag */
    SL_ERR_PARAM_AUC_SKETCH_BINS = 205, /* auc_sketch_bins not 0 or a power of two in 2^4 .. 2^20,
                                           or given with SL_METRICS_NO_AUC */

    /* Serialized metrics states (sl_metrics_serialize / sl_metrics_deserialize) */
    SL_ERR_BLOB_TRUNCATED = 210,     /* shorter than its header says (or than a header) */
    SL_ERR_BLOB_MAGIC = 211,         /* does not start with the magic "SLMETRIC" */
    SL_ERR_BLOB_VERSION = 212,       /* a format version this library does not read */
    SL_ERR_BLOB_CHECKSUM = 213,      /* its bytes do not match their checksum: corrupted */
    SL_ERR_BLOB_CORRUPT = 214,       /* checksum right, but not a state (bad header, trailing
                                        bytes, parameters out of range, counts that disagree) */
    SL_ERR_BUFFER_TOO_SMALL = 215    /* the output buffer is smaller than the size needed */
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

/* Scores n interactions (SPEC 1). Per row, with the normalized weights w and k = sigmoid_k:
 *   progress   = clamp(task_progress_delta, -1, 1),  engagement = clamp(engagement_delta, -1, 1)
 *   signal(c, d) = 1 if c == 0, else 2 d^c - 1   (d^c underflows to 0 for large c: signal -1)
 *   rework   = signal(rework_count, rework_decay)
 *   verifier = (signal(verifier_rejections, rejection_decay) + signal(tool_misuse_flags,
 *              misuse_decay)) / 2
 *   v_hat = clamp(w_progress*progress + w_rework*rework + w_verifier*verifier
 *                 + w_engagement*engagement, -1, 1)         in [-1, 1]
 *   p     = 1 / (1 + exp(-k * v_hat))                       in [0, 1]
 * +-infinity in a real field is valid (it clamps to +-1); NaN in a real field or a negative count
 * makes the row invalid (SL_ERR_NAN_TASK_PROGRESS .. SL_ERR_NAN_ENGAGEMENT, first bad field in
 * field order). v_hat or p may be NULL when not wanted (both NULL: validates the input only).
 * first_invalid may be NULL; otherwise it receives the index of the first invalid row, or n when
 * every row is valid. v_hat and p must not overlap each other or any observable column.
 * Errors before any row: SL_ERR_NULL_ARGUMENT (px, obs or a required column NULL with n > 0),
 * SL_ERR_NOT_INITIALIZED, SL_ERR_SIZE_OVERFLOW, SL_ERR_OVERLAP, SL_ERR_ISA_* (bad SOFTLABEL_ISA).
 * Accuracy, absolute, against the reference implementation (swarm-safety's ProxyComputer): f64
 * |dv_hat| <= 2e-15 and |dp| <= 2e-15 max(1, k) (the scalar f64 path reproduces it exactly);
 * f32 (inputs rounded to float, computed in float) |dv_hat| <= 1e-6, |dp| <= 1e-6 max(1, k/2).
 * Every SIMD path gives the same bits as every other SIMD path of the same precision, and is
 * within 4 ULP of the scalar path (which uses libm's exp and pow). */
SL_API sl_status sl_score_f32(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                       float *v_hat, float *p, size_t *first_invalid);
SL_API sl_status sl_score_f64(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                       double *v_hat, double *p, size_t *first_invalid);

/* Calibrated sigmoid alone: out[i] = 1/(1+exp(-k*x[i])), k in (0, 100] (else
 * SL_ERR_PARAM_SIGMOID_K). x is not clamped; +-inf gives 1 or 0. out may equal x (in place); any
 * other overlap returns SL_ERR_OVERLAP. A NaN x[i] is invalid: the call returns SL_ERR_NAN_INPUT,
 * leaves out[i] untouched and computes every other element. Accuracy: the scalar path computes
 * 1/(1+exp(-k x)) with libm's exp (expf for f32); every SIMD path is within 4 ULP of it and gives
 * the same bits as every other SIMD path of the same precision. */
SL_API sl_status sl_sigmoid_f32(float k, const float *x, size_t n, float *out);
SL_API sl_status sl_sigmoid_f64(double k, const double *x, size_t n, double *out);

/* sl_sigmoid_f32 / _f64 that also tells where: *first_invalid (may be NULL) receives the index
 * of the first NaN x[i], or n when there is none. Same results and statuses otherwise. */
SL_API sl_status sl_sigmoid_ex_f32(float k, const float *x, size_t n, float *out,
                                   size_t *first_invalid);
SL_API sl_status sl_sigmoid_ex_f64(double k, const double *x, size_t n, double *out,
                                   size_t *first_invalid);

/* Inverse of the calibrated sigmoid (SPEC 1's inverse_sigmoid): out[i] = -ln((1-p)/p) / k for
 * 0 < p[i] < 1, k in (0, 100], computed with libm's log in that order of operations (so f64
 * gives the reference's bits). p[i] outside (0, 1) or NaN is invalid: SL_ERR_INVERSE_SIGMOID_DOMAIN,
 * out[i] untouched, its index in *first_invalid (may be NULL; n when every p is valid), every
 * other element computed. out may equal p (in place); other overlaps are not allowed. Scalar
 * code on every path (a utility, not a bulk kernel). */
SL_API sl_status sl_inverse_sigmoid_f32(float k, const float *p, size_t n, float *out,
                                        size_t *first_invalid);
SL_API sl_status sl_inverse_sigmoid_f64(double k, const double *p, size_t n, double *out,
                                        size_t *first_invalid);

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
 * Soft payoffs (SPEC section 2) and batch metrics (SPEC section 3)
 *
 * Payoffs follow the reference's operations in the reference's order, so the scalar f64 path
 * reproduces its values exactly, and every SIMD path gives the same bits as the scalar path (no
 * transcendental functions are involved). Input rows: p must lie in [0, 1] (NaN is invalid),
 * tau, c_a, c_b, r_a, r_b must be finite, and a row whose payoffs overflow to +-infinity is
 * invalid too; invalid rows are reported like invalid observables (first row and its status) and
 * their outputs are left untouched.
 * ------------------------------------------------------------------------------------------- */

/* Payoff parameters. Valid: s_plus, s_minus, h >= 0 and finite; theta, rho_a, rho_b in [0, 1];
 * w_rep in [0, 100]. */
typedef struct sl_payoff_params {
    double s_plus, s_minus, h, theta, rho_a, rho_b, w_rep;
} sl_payoff_params;

/* Fills *out with the SPEC defaults: s_plus 2, s_minus 1, h 2, theta 0.5, rho_a 0, rho_b 0,
 * w_rep 1. */
SL_API void sl_payoff_params_default(sl_payoff_params *out);

/* SL_OK, or the status of the first out-of-range field in field order (SL_ERR_PARAM_S_PLUS ..
 * SL_ERR_PARAM_W_REP); SL_ERR_NULL_ARGUMENT for NULL. */
SL_API sl_status sl_payoff_validate(const sl_payoff_params *pp);

/* Per-interaction payoff inputs, n elements each. p is required (except in the fused calls,
 * where it must be NULL); tau .. r_b may be NULL, meaning all zero. */
typedef struct sl_payoff_inputs_f64 {
    const double *p, *tau, *c_a, *c_b, *r_a, *r_b;
} sl_payoff_inputs_f64;
typedef struct sl_payoff_inputs_f32 {
    const float *p, *tau, *c_a, *c_b, *r_a, *r_b;
} sl_payoff_inputs_f32;

/* Payoff outputs, n elements each; each may be NULL (not computed). An output may be the very
 * same array as an input column (in place); any other overlap (with an input, an observable column
 * of the fused calls, or another output) returns SL_ERR_OVERLAP. */
typedef struct sl_payoff_outputs_f64 {
    double *expected_surplus, *expected_harm, *payoff_initiator, *payoff_counterparty,
        *social_surplus, *total_welfare;
} sl_payoff_outputs_f64;
typedef struct sl_payoff_outputs_f32 {
    float *expected_surplus, *expected_harm, *payoff_initiator, *payoff_counterparty,
        *social_surplus, *total_welfare;
} sl_payoff_outputs_f32;

/* Computes, for each of n rows (SPEC 2; accuracy: the scalar f64 path and every SIMD path give
 * the reference's values exactly, f32 runs the same operations in float):
 *   expected_surplus S = p*s_plus - (1-p)*s_minus,  expected_harm E = (1-p)*h,
 *   payoff_initiator = theta*S - tau - c_a - rho_a*E + w_rep*r_a,
 *   payoff_counterparty = (1-theta)*S + tau - c_b - rho_b*E + w_rep*r_b,
 *   social_surplus = S - E,  total_welfare = payoff_initiator + payoff_counterparty.
 * Errors: SL_ERR_NULL_ARGUMENT (pp, in, out, or in->p with n > 0), a parameter status,
 * SL_ERR_SIZE_OVERFLOW, SL_ERR_OVERLAP (see sl_payoff_outputs_f64; nothing computed then), or the
 * status of the first invalid row (SL_ERR_INVALID_P, SL_ERR_NONFINITE_TAU .. _R_B,
 * SL_ERR_PAYOFF_OVERFLOW); first_invalid (may be NULL) receives that row, or n.
 * f32: parameters are rounded to float and the same operations run in single precision. */
SL_API sl_status sl_payoff_f64(const sl_payoff_params *pp, const sl_payoff_inputs_f64 *in, size_t n,
                               const sl_payoff_outputs_f64 *out, size_t *first_invalid);
SL_API sl_status sl_payoff_f32(const sl_payoff_params *pp, const sl_payoff_inputs_f32 *in, size_t n,
                               const sl_payoff_outputs_f32 *out, size_t *first_invalid);

/* Fused: scores obs with px (SPEC 1) and computes the payoffs of the resulting p, without
 * storing p anywhere (blocks of rows are scored into a small stack buffer). in may be NULL (all
 * payoff columns zero); in->p must be NULL (SL_ERR_P_GIVEN). Results equal sl_score_* followed by
 * sl_payoff_* on the same path. Row statuses: the observables' first (SPEC 1 statuses), then the
 * payoff columns'. */
SL_API sl_status sl_payoff_observables_f64(const sl_payoff_params *pp, const sl_proxy *px,
                                           const sl_observables_f64 *obs,
                                           const sl_payoff_inputs_f64 *in, size_t n,
                                           const sl_payoff_outputs_f64 *out, size_t *first_invalid);
SL_API sl_status sl_payoff_observables_f32(const sl_payoff_params *pp, const sl_proxy *px,
                                           const sl_observables_f32 *obs,
                                           const sl_payoff_inputs_f32 *in, size_t n,
                                           const sl_payoff_outputs_f32 *out, size_t *first_invalid);

/* break_even_p = s_minus / (s_plus + s_minus); social_break_even_p = (s_minus + h) /
 * (s_plus + s_minus + h). Errors: a parameter status, SL_ERR_BREAK_EVEN_UNDEFINED when the
 * denominator is 0 (*out untouched), SL_ERR_NULL_ARGUMENT. */
SL_API sl_status sl_break_even_p(const sl_payoff_params *pp, double *out);
SL_API sl_status sl_social_break_even_p(const sl_payoff_params *pp, double *out);

/* ---- Batch metrics: a mergeable partial state -------------------------------------------------
 *
 * sl_metrics_init -> sl_metrics_update_* (any number of chunks) -> sl_metrics_finalize, and
 * sl_metrics_merge to combine states built on different chunks or threads (one state per
 * thread; a state is not safe for concurrent updates). Rows are summed a span (2016 rows) at a
 * time, and span sums are added with compensated (double-double) arithmetic; variances merge
 * per-span moments (Chan et al.), so one pass, any chunking and any merge order agree to within
 * a few units in the last place, and a sum over 10^8 rows stays within 1e-12 relative of its
 * exactly rounded value (measured: within 3e-15). Every SIMD path gives the same bits as every
 * other on the same input; the scalar path agrees to the last few places.
 *
 * What is binned and counted (bins, quality threshold, uncertainty band, log-loss epsilon) is set
 * by sl_metrics_options (sl_metrics_init_ex); sl_metrics_init takes the defaults.
 *
 * discrimination_auc is not mergeable from moments: the state keeps the p of every labelled row
 * (8 bytes per labelled row, growing as needed; merge concatenates) unless created with
 * SL_METRICS_NO_AUC, in which case the report has auc_tracked = 0 and a null AUC. Finalize sorts a
 * copy (a further 16 bytes per labelled row, freed before it returns) and counts ties exactly as
 * the reference's all-pairs comparison does.
 * --------------------------------------------------------------------------------------------- */

#define SL_METRICS_NO_AUC 1u /* option flag: do not keep labelled p for the AUC */
/* Option flag: exact sums, so a report is the same bits however the rows were cut into updates,
 * merged states, threads or workers, and in whatever order states were merged. Each row's terms
 * are rounded once to integers (p and the log-loss terms to the grid 2^-64, the squares p^2 and
 * (p - v)^2 of the rounded p exactly; payoffs and their squares are kept exactly in
 * superaccumulators), every later
 * addition is integer and exact, and finalize converts each quantity once: sums and means are
 * the doubles nearest the exact sums of the rounded terms (within 2^-65 per row of the unrounded
 * p, far inside SPEC 3's bounds), the variance of p is the exact variance of the rounded p
 * rounded a few times. The state holds up to 2^56 rows, takes 4.6 KB more memory and
 * serializes to 2072 bytes more.
 * Cost: computed on the scalar path's kernel on every instruction set (the SIMD paths keep plain
 * double sums), 10-22 times slower than the default's fused pass (bench_metrics). The default
 * (compensated sums) is the same bits for the same cuts and merge order, and agrees with any
 * other cut to a few units in the last place of its sums and means (more where payoff terms
 * cancel: test_metrics_exact prints it). */
#define SL_METRICS_EXACT_SUMS 2u
#define SL_METRICS_BINS 10   /* default bins of quality_distribution and calibration_curve */
#define SL_METRICS_MAX_BINS 1024 /* most bins a state takes (48 bytes of state per bin) */

typedef struct sl_metrics sl_metrics; /* opaque */

/* What a metrics state computes beyond the payoff parameters: SWARM 1.9.0's SoftMetrics /
 * MetricsReporter parameters, with its semantics exactly (every comparison below is in double,
 * on the same operands the reference compares):
 *   bins               quality_distribution and calibration_curve (SoftMetrics' bins=): with
 *                      w = 1.0 / bins, bin b holds b*w <= p < (b+1)*w, and the last bin also
 *                      p == 1.0. For some bins (e.g. 49) bins*w < 1, and a p in [bins*w, 1)
 *                      lies in no bin, as in the reference (the bin counts then add up to less
 *                      than n). 1 .. SL_METRICS_MAX_BINS; default 10.
 *   quality_threshold  high quality: p >= threshold (participation_by_quality's threshold,
 *                      MetricsReporter's quality_threshold). Any non-NaN value; default 0.5.
 *   uncertainty_band   uncertain: 0.5 - band < p < 0.5 + band (is_uncertain(band)). Any non-NaN
 *                      value (a negative band: no row is uncertain); default 0.2.
 *   log_loss_eps       log loss clamps p to max(eps, min(1 - eps, p)). 0 < eps < 1 and
 *                      1 - eps < 1 in double (eps > 2^-54), the range where the reference's
 *                      log of the clamped p and of 1 - clamped p are both defined; default 1e-15.
 *   flags              0, or SL_METRICS_NO_AUC and / or SL_METRICS_EXACT_SUMS.
 *   auc_sketch_bins    0 (default): discrimination_auc is exact, from one 8-byte key per
 *                      labelled row (the state grows with the rows). A power of two B in
 *                      2^4 .. 2^20: a fixed-size mergeable sketch instead, a histogram of p in B
 *                      equal bins per class (16 B bytes of state, merged by adding counts, the
 *                      same for any partitioning and merge order); pairs in different bins are
 *                      ordered exactly, pairs in one bin counted as ties, so the sketch's AUC is
 *                      within discrimination_auc_error_bound = sum over bins of
 *                      positives * negatives / (2 |T+| |T-|) of the exact one (proved: only
 *                      same-bin pairs can differ, each by at most 1/2; at most 1/2 in all, about
 *                      1/(2B) when p spreads evenly).
 * With every field at its default the active SIMD path computes the metrics; otherwise the
 * scalar path does (same results as the SIMD paths to the last few places, several times
 * slower: bench_metrics). Fill with sl_metrics_options_default, then change fields, so fields
 * added in later versions keep their defaults. */
typedef struct sl_metrics_options {
    unsigned flags;
    unsigned bins;
    double quality_threshold;
    double uncertainty_band;
    double log_loss_eps;
    unsigned auc_sketch_bins;
} sl_metrics_options;

/* Fills *out with the defaults: flags 0, bins 10, quality_threshold 0.5, uncertainty_band 0.2,
 * log_loss_eps 1e-15 (the reference's defaults), auc_sketch_bins 0 (exact AUC). */
SL_API void sl_metrics_options_default(sl_metrics_options *out);

/* SL_OK, or the status of the first invalid field in the order flags, bins, quality_threshold,
 * uncertainty_band, log_loss_eps, auc_sketch_bins (SL_ERR_PARAM_METRICS_FLAGS, SL_ERR_PARAM_BINS,
 * SL_ERR_PARAM_QUALITY_THRESHOLD, SL_ERR_PARAM_UNCERTAINTY_BAND, SL_ERR_PARAM_LOG_LOSS_EPS,
 * SL_ERR_PARAM_AUC_SKETCH_BINS); SL_ERR_NULL_ARGUMENT for NULL. */
SL_API sl_status sl_metrics_options_validate(const sl_metrics_options *o);

/* A metric that may be undefined (the reference's null): present = 0 means null, and value is
 * then NaN, never a number to use. */
typedef struct sl_opt_f64 {
    int present;
    double value;
} sl_opt_f64;

/* quality_distribution bin b: [start, end) = [b*w, (b+1)*w), w = 1.0 / bins, computed in double
 * (the last bin also holds p = 1.0) and the number of rows in it. */
typedef struct sl_quality_bin {
    double start, end;
    uint64_t count;
} sl_quality_bin;

/* calibration_curve bin: mean p and share of ground_truth = +1 over the labelled rows in the
 * bin, and their number; an empty bin is (b*w + w/2, 0.0, 0) as in the reference. */
typedef struct sl_calibration_bin {
    double mean_predicted, fraction_positive;
    uint64_t count;
} sl_calibration_bin;

/* Every metric of SPEC section 3, named as in the reference's JSON (swarm-safety's SoftMetrics).
 * "A" = accepted rows, "R" = rejected, "T" = rows with ground truth, v = (ground_truth + 1) / 2.
 * A mean over an empty set is 0.0 unless the field is an sl_opt_f64 (then null). Definitions not
 * given beside the fields:
 *   conditional_loss_* = mean payoff over A - mean payoff over all (0.0 if A is empty);
 *   spread = (s_plus + s_minus) (mean p over all - mean p over A) (0.0 if A is empty);
 *   quality_gap = mean p over A - mean p over R (0.0 if either is empty);
 *   *_quality_acceptance = the share of accepted rows among those with p >= quality_threshold /
 *     p < quality_threshold (sl_metrics_options; default 0.5);
 *   calibration_error = mean p over T - share of T with v = 1;
 *   brier_score = mean over T of (p - v)^2;
 *   expected_calibration_error = sum over non-empty calibration bins of count/|T binned| |mean p -
 *     share with v = 1| (|T binned|: the labelled rows in some bin, which is |T| unless rows lie
 *     in no bin, see sl_metrics_options; null when it is 0);
 *   log_loss = mean over T of -(v ln q + (1 - v) ln(1 - q)), q = max(eps, min(1 - eps, p)),
 *     eps = log_loss_eps (default 1e-15);
 *   discrimination_auc = P(p_pos > p_neg) + P(p_pos = p_neg) / 2 over all positive/negative pairs;
 *   cv_* = std / max(|mean|, 1e-8 (|mean| + std)), 0.0 when std = 0 (population std).
 * Accuracy: every value within 1e-12 (1 + |value|) of the reference on its golden batches, counts
 * exact; sums stay within 1e-12 relative of the exactly rounded sum up to 10^8 rows.
 * The two bin arrays (of `bins` entries each, of which the reference shows the first *_len:
 * quality bins always carry their edges, empty calibration bins are zeros) are allocated by
 * sl_metrics_finalize and owned by the report: release them with sl_metrics_report_free (a copy
 * of the struct shares them). */
typedef struct sl_metrics_report {
    uint64_t n;                                      /* valid rows accumulated */
    uint64_t n_accepted, n_rejected;                 /* |A|, |R| */
    uint64_t n_labelled, n_positive, n_negative;     /* |T| and its two classes */

    double toxicity_rate;                            /* mean (1-p) over A */
    double toxicity_rate_all;                        /* mean (1-p) over all */
    double conditional_loss_initiator;               /* mean payoff over A - over all */
    double conditional_loss_counterparty;
    double spread;                                   /* (s_plus+s_minus)(mean p all - mean p A) */
    double quality_gap;                              /* mean p over A - over R */
    double high_quality_acceptance;                  /* participation_by_quality: p >= threshold */
    double low_quality_acceptance;                   /*   p < threshold */
    uint64_t high_quality_count, low_quality_count;
    uint64_t high_quality_accepted;                  /* accepted rows with p >= threshold (so
                                                        MetricsReporter's hard toxicity is
                                                        (n_accepted - this) / n_accepted) */
    double uncertain_fraction;                       /* share with 0.5-band < p < 0.5+band */
    uint64_t uncertain_count;                        /* rows with 0.5-band < p < 0.5+band */
    double average_quality, average_quality_accepted;
    size_t quality_distribution_len;                 /* 0 for an empty batch, else bins */
    sl_quality_bin *quality_distribution;            /* quality_distribution_len bins */
    double total_welfare;                            /* welfare_metrics, all over A */
    double total_social_surplus, net_social_welfare; /* (equal, as in the reference) */
    double avg_initiator_payoff, avg_counterparty_payoff;
    sl_opt_f64 calibration_error;                    /* null when T is empty */
    sl_opt_f64 brier_score;
    sl_opt_f64 expected_calibration_error;
    size_t calibration_curve_len;                    /* 0 when T is empty, else bins */
    sl_calibration_bin *calibration_curve;           /* calibration_curve_len bins */
    sl_opt_f64 log_loss;
    sl_opt_f64 discrimination_auc;                   /* null: a class of T empty, or untracked */
    int auc_tracked;                                 /* 0 when created with SL_METRICS_NO_AUC */
    double discrimination_auc_error_bound;           /* |AUC - exact AUC| is at most this: 0 when
                                                        exact, the sketch's bound with
                                                        auc_sketch_bins (NaN when the AUC is null) */
    double quality_variance, quality_variance_accepted; /* population variances; 0.0 if n < 2 */
    double payoff_variance_initiator, payoff_variance_counterparty;
    double cv_p, cv_payoff_initiator, cv_payoff_counterparty; /* coefficient_of_variation */
} sl_metrics_report;

/* Releases the bin arrays of a report filled by sl_metrics_finalize and sets them to NULL (a
 * report of zeros, or NULL, is allowed; freeing twice is not, unless the first call's NULLs are
 * kept). */
SL_API void sl_metrics_report_free(sl_metrics_report *r);

/* Creates an empty state for the payoff parameters *pp (validated: a parameter status on error)
 * and options *o (NULL: the defaults; validated as sl_metrics_options_validate). *out is NULL on
 * error. Free with sl_metrics_free. */
SL_API sl_status sl_metrics_init_ex(sl_metrics **out, const sl_payoff_params *pp,
                                    const sl_metrics_options *o);

/* sl_metrics_init_ex with the default options but `flags` (0 or SL_METRICS_NO_AUC). */
SL_API sl_status sl_metrics_init(sl_metrics **out, const sl_payoff_params *pp, unsigned flags);

/* The options a state was created with (SL_ERR_NULL_ARGUMENT for a NULL or freed state). */
SL_API sl_status sl_metrics_get_options(const sl_metrics *m, sl_metrics_options *out);

/* The payoff parameters a state was created with (or read back from a serialized state), e.g. to
 * create a state it can merge with (SL_ERR_NULL_ARGUMENT for a NULL or freed state). */
SL_API sl_status sl_metrics_get_params(const sl_metrics *m, sl_payoff_params *out);

/* Frees a state (NULL is allowed). */
SL_API void sl_metrics_free(sl_metrics *m);

/* Adds n rows: in (p required; tau .. r_b may be NULL: zero), accepted (required; each 0 or 1)
 * and ground_truth (+1, -1 or 0 for none; NULL: none). Invalid rows (bad p, non-finite payoff
 * column, payoff overflow, accepted not 0/1, ground_truth not in {+1, -1, 0}) are left out of
 * every metric; the status of the first one is returned and its index stored in *first_invalid
 * (may be NULL; n when all rows are valid). Every valid row is added regardless. Errors that
 * change nothing: SL_ERR_NULL_ARGUMENT, SL_ERR_SIZE_OVERFLOW (n elements of a column past the
 * largest object, "Conventions"), SL_ERR_OUT_OF_MEMORY (AUC buffer growth). f32: values are
 * widened to double exactly and accumulated as in f64. */
SL_API sl_status sl_metrics_update_f64(sl_metrics *m, const sl_payoff_inputs_f64 *in,
                                       const uint8_t *accepted, const int8_t *ground_truth,
                                       size_t n, size_t *first_invalid);
SL_API sl_status sl_metrics_update_f32(sl_metrics *m, const sl_payoff_inputs_f32 *in,
                                       const uint8_t *accepted, const int8_t *ground_truth,
                                       size_t n, size_t *first_invalid);

/* Fused: scores obs with px (SPEC 1) and adds the rows as sl_metrics_update_* would, without
 * storing p (blocks of 504 rows are scored into a stack buffer and accumulated at once). in may
 * be NULL (payoff columns all zero); in->p must be NULL (SL_ERR_P_GIVEN). Row statuses: the
 * observables' first, then the payoff columns', accepted, ground_truth, overflow. */
SL_API sl_status sl_metrics_update_observables_f64(sl_metrics *m, const sl_proxy *px,
                                                   const sl_observables_f64 *obs,
                                                   const sl_payoff_inputs_f64 *in,
                                                   const uint8_t *accepted,
                                                   const int8_t *ground_truth, size_t n,
                                                   size_t *first_invalid);
SL_API sl_status sl_metrics_update_observables_f32(sl_metrics *m, const sl_proxy *px,
                                                   const sl_observables_f32 *obs,
                                                   const sl_payoff_inputs_f32 *in,
                                                   const uint8_t *accepted,
                                                   const int8_t *ground_truth, size_t n,
                                                   size_t *first_invalid);

/* sl_metrics_update_observables_f64 / _f32 on up to n_threads threads (1 .. SL_MAX_THREADS; the
 * calling thread is one of them). The rows are cut into contiguous blocks whose size depends on n
 * only; whichever thread is free scores and accumulates the next block into a state of its own,
 * and the block states are merged into m in row order, so the result is the same bits for every
 * n_threads (and agrees with one sl_metrics_update_observables_* call to a few units in the last
 * place, as any chunking does). Statuses and *first_invalid as the single-threaded call over all
 * rows (every valid row is added); SL_ERR_THREAD_COUNT for n_threads = 0 or above
 * SL_MAX_THREADS; SL_ERR_OUT_OF_MEMORY (block states, thread workspaces) leaves m unchanged. */
SL_API sl_status sl_metrics_update_observables_f64_mt(sl_metrics *m, const sl_proxy *px,
                                                      const sl_observables_f64 *obs,
                                                      const sl_payoff_inputs_f64 *in,
                                                      const uint8_t *accepted,
                                                      const int8_t *ground_truth, size_t n,
                                                      size_t *first_invalid, unsigned n_threads);
SL_API sl_status sl_metrics_update_observables_f32_mt(sl_metrics *m, const sl_proxy *px,
                                                      const sl_observables_f32 *obs,
                                                      const sl_payoff_inputs_f32 *in,
                                                      const uint8_t *accepted,
                                                      const int8_t *ground_truth, size_t n,
                                                      size_t *first_invalid, unsigned n_threads);

/* Adds everything *from has accumulated to *into (from is unchanged). Both must have the same
 * payoff parameters and options, bit for bit (SL_ERR_STATE_MISMATCH: states of different
 * parameters are never combined, since their bins and counts mean different things).
 * SL_ERR_OUT_OF_MEMORY leaves into unchanged. */
SL_API sl_status sl_metrics_merge(sl_metrics *into, const sl_metrics *from);

/* The number of valid rows the state has accumulated (what the report's n will be): cheap,
 * so a caller can tell how many rows an update that reported an invalid row still added.
 * 0 for NULL. */
SL_API uint64_t sl_metrics_count(const sl_metrics *m);

/* The quality bin (0 .. SL_METRICS_BINS - 1) of p in [0, 1] as the metrics count it: b with
 * b * w <= p < (b + 1) * w, w = 0.1 in double and each edge rounded as the reference rounds it
 * (so p = 0.3, 0.6 and 0.7 lie in bins 2, 5 and 6), p = 1 in the last bin. Below 0 (and NaN): 0;
 * above 1: the last bin. */
SL_API int sl_quality_bin_index(double p);

/* ---- Serialized states: move states between processes and machines, then merge them ----
 *
 * The byte form (format version SL_METRICS_FORMAT_VERSION) is little endian and written field by
 * field, so it does not depend on struct layout, byte order or instruction set: magic
 * "SLMETRIC", version, header size, total size, the options (flags, bins, quality_threshold,
 * uncertainty_band, log_loss_eps, auc_sketch_bins) and payoff parameters, the accumulated sums
 * and moments (or the exact sums, SL_METRICS_EXACT_SUMS), counts and bins, the AUC keys (8 bytes per labelled row unless SL_METRICS_NO_AUC) or
 * sketch (16 bytes per sketch bin), and an XXH3 64-bit
 * checksum of everything before it. A deserialized state has the blob's options and parameters,
 * finalizes to the same bits as the state that was serialized, can be updated further, and
 * merges only with states of the same options and parameters (sl_metrics_merge's
 * SL_ERR_STATE_MISMATCH: states of other parameters are never combined). */
/* 3: with SL_METRICS_EXACT_SUMS, exact sums in place of the compensated ones; 2: auc_sketch_bins
 * in the header (1: none) */
#define SL_METRICS_FORMAT_VERSION 3u

/* Bytes sl_metrics_serialize writes for m: 520 (2592 with SL_METRICS_EXACT_SUMS) + 48 (bins + 1)
 * + 8 per AUC key (exact AUC) or + 16 auc_sketch_bins (sketch); 0 for a NULL or freed state. */
SL_API size_t sl_metrics_serialized_size(const sl_metrics *m);

/* Writes m's byte form into buf (capacity bytes); *size receives the size needed, also on
 * SL_ERR_BUFFER_TOO_SMALL (capacity below it; nothing written). SL_ERR_NULL_ARGUMENT for a NULL
 * or freed m, a NULL size, or a NULL buf with enough capacity. m is unchanged. */
SL_API sl_status sl_metrics_serialize(const sl_metrics *m, void *buf, size_t capacity,
                                      size_t *size);

/* Creates in *out (NULL on error) the state that the `size` bytes at blob describe. Refused,
 * with nothing read outside [blob, blob + size): SL_ERR_BLOB_MAGIC (not a metrics state),
 * SL_ERR_BLOB_VERSION (another format version), SL_ERR_BLOB_TRUNCATED (fewer bytes than the
 * header says), SL_ERR_BLOB_CHECKSUM (bytes changed), SL_ERR_BLOB_CORRUPT (checksum right but
 * the content is not a state this library produces: extra bytes, options or parameters out of
 * range, counts that do not add up, sums outside what rows of p in [0, 1] give (e.g. a sum of p
 * above its row count, a negative squared deviation, NaN), AUC keys outside [0, 1] or of the
 * wrong class totals);
 * SL_ERR_NULL_ARGUMENT, SL_ERR_OUT_OF_MEMORY. */
SL_API sl_status sl_metrics_deserialize(sl_metrics **out, const void *blob, size_t size);

/* Computes the report from the state (which is unchanged and may keep accumulating). Allocates
 * the report's bin arrays (release with sl_metrics_report_free) and scratch for the AUC sort;
 * SL_ERR_OUT_OF_MEMORY leaves *out untouched. */
SL_API sl_status sl_metrics_finalize(const sl_metrics *m, sl_metrics_report *out);

/* discrimination_auc alone, over the rows with ground_truth +1 or -1: P(p_pos > p_neg) +
 * P(p_pos = p_neg)/2 by sorting, O(n log n) (radix sort, 16 bytes of scratch per labelled row).
 * out->present = 0 when a class is empty. A row with p NaN or outside [0, 1]
 * (SL_ERR_INVALID_P) or ground_truth outside {+1, -1, 0} (SL_ERR_INVALID_GROUND_TRUTH) is
 * left out; the first one is reported as in the other calls. SL_ERR_SIZE_OVERFLOW: n doubles
 * past the largest object (nothing read). */
SL_API sl_status sl_discrimination_auc_f64(const double *p, const int8_t *ground_truth, size_t n,
                                           sl_opt_f64 *out, size_t *first_invalid);

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
 * ld < n or distribution_ld < n), SL_ERR_SIZE_OVERFLOW (n, or the extent (k - 1) * ld + n of votes
 * or of the distribution, past the largest object; nothing computed then), SL_ERR_OVERLAP (an
 * output over another or over the votes, other than the in-place distribution; nothing written),
 * SL_ERR_PANEL_BAD_VOTES
 * (an item with a negative, NaN or infinite vote: its index goes to *first_invalid, n when every item is valid; may be NULL). */
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
 * counted for item i. out must not overlap the inputs. Errors (nothing is classified then):
 * SL_ERR_NULL_ARGUMENT, SL_ERR_PARAM_MIN_REVIEWERS, SL_ERR_PARAM_MAJORITY, SL_ERR_SIZE_OVERFLOW,
 * SL_ERR_OVERLAP. */
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
 * No output may overlap another or either matrix (its whole extent, (k-1)*ld + n values).
 * Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_SHAPE (k == 0 or a leading dimension < n),
 * SL_ERR_SIZE_OVERFLOW, SL_ERR_OVERLAP (nothing computed then), SL_ERR_DIST_BAD_VALUE (a value NaN or outside [0, 1]) or SL_ERR_DIST_SUM (a sum off by more than
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
 * SL_ERR_PANEL_SHAPE, SL_ERR_SIZE_OVERFLOW, SL_ERR_PANEL_BAD_VOTES, SL_ERR_ALPHA_TOTALS (the totals do not add up to
 * the votes: their sums over the pairable units differ by more than 1e-9 relative). */
SL_API sl_status sl_alpha_nominal_add(sl_alpha_nominal *acc, const double *votes, size_t ld,
                                      size_t n, size_t k, const double *total);

/* The alpha of everything added: 1 for perfect agreement, 0 for agreement at chance level,
 * negative below it. NaN when undefined: no pairable unit, or a single value used throughout
 * (no expected disagreement), or acc NULL. */
SL_API double sl_alpha_nominal_value(const sl_alpha_nominal *acc);

/* ---------------------------------------------------------------------------------------------
 * Reviewer reliability: Dawid-Skene
 *
 * EM over one confusion matrix per reviewer (Dawid and Skene, 1979), with the rules and defaults
 * of crowd-kit 1.4.2's DawidSkene(), whose posteriors it reproduces (checked within 1e-6 by the
 * tests): started from each item's vote shares (the plurality vote's probabilities), priors their
 * mean; the M-step sums the posteriors of the items each reviewer gave each label, floors the sums
 * at 1e-10 and normalizes them per true label over the labels the reviewer used; the E-step adds
 * log2 prior and log2 confusion entries; the loop stops when the evidence lower bound per
 * annotation improves by less than `tolerance`, or after `max_iterations`. Priors and returned
 * posteriors are floored at 1e-10 as crowd-kit floors them (so a posterior sums to 1 within k *
 * 1e-10). Only labels some annotation uses take part. One call fits one model: call it once per
 * task. The results are the same bits for every thread count.
 * ------------------------------------------------------------------------------------------- */

typedef struct sl_dawid_skene_options {
    uint32_t max_iterations; /* >= 1; default 100 */
    double tolerance;        /* finite; default 1e-5 (per annotation) */
    unsigned n_threads;      /* 1 .. SL_MAX_THREADS; default 1. Fewer are used below
                                SL_MT_MIN_ROWS_PER_THREAD annotations per thread */
} sl_dawid_skene_options;

/* Fills *o with the defaults above (crowd-kit's). */
SL_API void sl_dawid_skene_options_default(sl_dawid_skene_options *o);

/* Results of sl_dawid_skene. The caller sets the pointers (each may be NULL when not wanted);
 * the call writes them and the three fields after them. */
typedef struct sl_dawid_skene_out {
    double *posterior;   /* n_labels x n_items label-major (leading dimension posterior_ld >=
                            n_items): P(true label = c | annotations) of item i at
                            [c * posterior_ld + i]; 0 for a label no annotation uses; NaN for
                            every label of an item without annotations */
    size_t posterior_ld;
    double *prior;       /* n_labels: the class priors (0 for a label no annotation uses) */
    double *confusion;   /* n_reviewers x n_labels x n_labels: P(reviewer r answers y | true c) at
                            [(r * n_labels + y) * n_labels + c]; 0 where r never answered y;
                            NaN for a reviewer without annotations */
    double *accuracy;    /* n_reviewers: sum_c prior_c * confusion[r][c][c] (the trace weighted
                            by the class priors); NaN for a reviewer without annotations */
    uint32_t iterations; /* EM iterations run */
    int converged;       /* 1: stopped by the tolerance; 0: by max_iterations */
    double elbo_per_annotation; /* the bound of the returned model (NaN without annotations) */
} sl_dawid_skene_out;

/* Fits one Dawid-Skene model to n annotations: annotation a says reviewer[a] gave label[a] to
 * item[a] (indices below n_items, n_reviewers, n_labels). A reviewer's repeated annotations of
 * one item each count. An annotation with an index out of range is left out and the others are
 * fitted as if it were absent; the status is then that of the first one (SL_ERR_DS_ITEM,
 * SL_ERR_DS_REVIEWER or SL_ERR_DS_LABEL, its index in *first_invalid, else n; may be NULL).
 * Other errors (nothing is written): SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_SHAPE (posterior_ld <
 * n_items), SL_ERR_PARAM_DS_ITERATIONS, SL_ERR_PARAM_DS_TOLERANCE, SL_ERR_THREAD_COUNT,
 * SL_ERR_SIZE_OVERFLOW (an output's size, or a count above 2^32 - 1), SL_ERR_OVERLAP,
 * SL_ERR_OUT_OF_MEMORY. Unlike the bulk calls it allocates its working memory: about 40 bytes
 * per annotation and 16 bytes per label per item. */
SL_API sl_status sl_dawid_skene(const sl_dawid_skene_options *opt, size_t n, const uint32_t *item,
                                const uint32_t *reviewer, const uint32_t *label, size_t n_items,
                                size_t n_reviewers, size_t n_labels, sl_dawid_skene_out *out,
                                size_t *first_invalid);

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

/* The paths compiled into this build, best first, the last always "scalar" (one list, which
 * dispatch, sl_set_isa, SOFTLABEL_ISA, the command's usage text, the tests and the benchmarks all
 * read): sl_isa_at(i) is the name of path i for i < sl_isa_count(), NULL past the end;
 * sl_isa_description(i) says in a few words what it needs ("AVX-512F (x86-64)"), NULL past the
 * end. Whether this machine runs a path: sl_isa_supported(name). */
SL_API size_t sl_isa_count(void);
SL_API const char *sl_isa_at(size_t i);
SL_API const char *sl_isa_description(size_t i);

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

/* Panel aggregation: annotations -> items (SPEC section 4). */
#include "softlabel_panel.h"

#endif /* SOFTLABEL_H */
