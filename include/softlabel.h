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
    SL_ERR_THREAD_COUNT = 60         /* n_threads is 0 or above SL_MAX_THREADS */
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
 * them). Rows are split into contiguous ranges, one per thread, of equal size (multiples of 64
 * rows, so no two threads write the same cache line of v_hat or p); fewer threads are used when
 * n < n_threads * SL_MT_MIN_ROWS_PER_THREAD. Returns SL_ERR_THREAD_COUNT for n_threads = 0 or
 * above SL_MAX_THREADS; every other argument, status and output is exactly as sl_score_f32 with
 * the same arguments: the outputs are the same bits, and with invalid rows the status is that of
 * the first invalid row over all rows and *first_invalid its index (every valid row is still
 * scored, invalid rows' outputs untouched). If the system refuses to start a thread, that range is
 * scored on the calling thread (same results, less parallelism). The active path is read once per
 * range: do not call sl_set_isa concurrently. */
SL_API sl_status sl_score_f32_mt(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                                 float *v_hat, float *p, size_t *first_invalid,
                                 unsigned n_threads);

/* The f64 twin of sl_score_f32_mt: sl_score_f64 on up to n_threads threads, same rules. */
SL_API sl_status sl_score_f64_mt(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                                 double *v_hat, double *p, size_t *first_invalid,
                                 unsigned n_threads);

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
