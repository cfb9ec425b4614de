/*
 * Internal: the kernel entry points every instruction-set path provides, and the helpers they
 * share. Private to the library (tests of internals include it on purpose).
 *
 * A kernel trusts its caller (src/api.c) to have validated the proxy, the pointers and the
 * parameters. It scores or transforms every valid row, leaves the outputs of invalid rows
 * untouched, and returns the index of the first invalid row, or n when all are valid.
 */
#ifndef SL_KERNELS_H
#define SL_KERNELS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "softlabel.h"

typedef size_t (*sl_score_f32_fn)(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                                  float *v_hat, float *p);
typedef size_t (*sl_score_f64_fn)(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                                  double *v_hat, double *p);
/* out[i] = 1 / (1 + exp(neg_k * x[i])); the first NaN index is returned */
typedef size_t (*sl_sigmoid_f32_fn)(float neg_k, const float *x, size_t n, float *out);
typedef size_t (*sl_sigmoid_f64_fn)(double neg_k, const double *x, size_t n, double *out);

/* Panel kernels (SPEC 4): label-major k x n matrices; return the first invalid item, or n. */
typedef size_t (*sl_panel_stats_f64_fn)(const double *votes, size_t ld, size_t n, size_t k,
                                        const sl_panel_stats_out *out);
typedef size_t (*sl_divergence_f64_fn)(const double *human, size_t ld_human, const double *model,
                                       size_t ld_model, size_t n, size_t k,
                                       const sl_divergence_out *out);

#define SL_DECLARE_KERNELS(isa)                                                                  \
    size_t sl_score_f32_##isa(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,       \
                              float *v_hat, float *p);                                           \
    size_t sl_score_f64_##isa(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,       \
                              double *v_hat, double *p);                                         \
    size_t sl_sigmoid_f32_##isa(float neg_k, const float *x, size_t n, float *out);              \
    size_t sl_sigmoid_f64_##isa(double neg_k, const double *x, size_t n, double *out);            \
    size_t sl_panel_stats_f64_##isa(const double *votes, size_t ld, size_t n, size_t k,          \
                                    const sl_panel_stats_out *out);                              \
    size_t sl_divergence_f64_##isa(const double *human, size_t ld_human, const double *model,    \
                                   size_t ld_model, size_t n, size_t k,                          \
                                   const sl_divergence_out *out);

/* Every SIMD path also exports its exp (score_simd.inc, KERNEL(exp)) over an array, for the tests
 * that check it against SLEEF and libm and across paths. */
#define SL_DECLARE_SIMD_EXP(isa)                                                                 \
    void sl_exp_array_f32_##isa(const float *t, size_t n, float *out);                           \
    void sl_exp_array_f64_##isa(const double *t, size_t n, double *out);

SL_DECLARE_KERNELS(scalar)
#if defined(__x86_64__) || defined(_M_X64)
SL_DECLARE_KERNELS(avx2)
SL_DECLARE_KERNELS(avx512)
SL_DECLARE_SIMD_EXP(avx2)
SL_DECLARE_SIMD_EXP(avx512)
#endif
#if defined(__aarch64__)
SL_DECLARE_KERNELS(neon)
SL_DECLARE_SIMD_EXP(neon)
#endif

/* Decay table indices in sl_proxy.decay_ and .signal_*_ */
enum { SL_REWORK = 0, SL_REJECTION = 1, SL_MISUSE = 2 };

/*
 * SPEC 1: signal(c, d) = 1 if c == 0, else 2 d^c - 1, with d^c from libm's pow exactly as the
 * reference computes decay**count. Every path takes its count signals from this one function
 * (through the tables sl_proxy_init fills, and directly for counts past the table), so v_hat is
 * the same bits on every path.
 */
static inline double sl_count_signal_f64(double decay, int32_t count)
{
    if (count == 0)
        return 1.0;
    return 2.0 * pow(decay, (double)count) - 1.0;
}

/* Single precision: the double signal rounded once to float (a float decay raised to a large
 * count would lose accuracy: its relative error grows with the count). */
static inline float sl_count_signal_f32(double decay, int32_t count)
{
    return (float)sl_count_signal_f64(decay, count);
}

#endif /* SL_KERNELS_H */
