/*
 * Dispatch as a table of implementations, best first: the one list of instruction-set paths
 * (sl_isa_count / sl_isa_at expose it). Detection and the SOFTLABEL_ISA override
 * are resolved once (pthread_once) at first use; sl_set_isa() may replace the choice later. The
 * choice is one atomic pointer to a constant record, so readers never see half an update.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_features.h"
#include "dispatch.h"

static int always(void) { return 1; }
#if defined(__x86_64__)
static int has_avx2(void) { return sl_cpu_detect().avx2_fma; }
static int has_avx512(void) { return sl_cpu_detect().avx512f; }
#endif
#if defined(__aarch64__)
static int has_neon(void) { return sl_cpu_detect().neon; }
#endif

#define SL_IMPL(isa, description, check)                                                         \
    { #isa, description, check, sl_score_f32_##isa, sl_score_f64_##isa, sl_sigmoid_f32_##isa,                 \
      sl_sigmoid_f64_##isa, sl_payoff_f32_##isa, sl_payoff_f64_##isa,                            \
      sl_metrics_begin_f64_##isa, sl_metrics_feed_f64_##isa, sl_metrics_end_f64_##isa,                       \
      sl_panel_stats_f64_##isa, sl_divergence_f64_##isa }

static const sl_impl impls[] = {
#if defined(__x86_64__)
    SL_IMPL(avx512, "AVX-512F (x86-64)", has_avx512),
    SL_IMPL(avx2, "AVX2 + FMA (x86-64)", has_avx2),
#endif
#if defined(__aarch64__)
    SL_IMPL(neon, "Advanced SIMD (AArch64)", has_neon),
#endif
    SL_IMPL(scalar, "plain C, any CPU (the reference)", always),
};
#define N_IMPLS (sizeof impls / sizeof impls[0])

typedef struct selection {
    const sl_impl *impl;
    sl_status status;
} selection;

static selection chosen[N_IMPLS];
static const selection bad_unknown = {NULL, SL_ERR_ISA_UNKNOWN};
static const selection bad_unsupported = {NULL, SL_ERR_ISA_UNSUPPORTED};

static _Atomic(const selection *) active;
static pthread_once_t once = PTHREAD_ONCE_INIT;

const sl_impl *sl_find_impl(const char *name)
{
    for (size_t i = 0; i < N_IMPLS; i++)
        if (strcmp(impls[i].name, name) == 0)
            return &impls[i];
    return NULL;
}

/* The selection for a name ("auto": best supported), or an error record. */
static const selection *select_by_name(const char *name)
{
    for (size_t i = 0; i < N_IMPLS; i++) {
        int match = strcmp(name, "auto") == 0 || strcmp(impls[i].name, name) == 0;
        if (match && impls[i].supported())
            return &chosen[i];
        if (match && strcmp(name, "auto") != 0)
            return &bad_unsupported;
    }
    return &bad_unknown;
}

static void resolve_once(void)
{
    for (size_t i = 0; i < N_IMPLS; i++)
        chosen[i] = (selection){&impls[i], SL_OK};
    const char *env = getenv("SOFTLABEL_ISA");
    atomic_store(&active, select_by_name(env && *env ? env : "auto"));
}

const sl_impl *sl_active_impl(sl_status *status)
{
    pthread_once(&once, resolve_once);
    const selection *s = atomic_load_explicit(&active, memory_order_acquire);
    *status = s->status;
    return s->impl;
}

sl_status sl_set_isa(const char *name)
{
    if (!name)
        return SL_ERR_NULL_ARGUMENT;
    pthread_once(&once, resolve_once);
    const selection *s = select_by_name(name);
    if (s->status == SL_OK)
        atomic_store_explicit(&active, s, memory_order_release);
    return s->status;
}

const char *sl_isa_name(void)
{
    sl_status status;
    const sl_impl *impl = sl_active_impl(&status);
    return impl ? impl->name : "none";
}

sl_status sl_isa_status(void)
{
    sl_status status;
    sl_active_impl(&status);
    return status;
}

size_t sl_isa_count(void) { return N_IMPLS; }

const char *sl_isa_at(size_t i) { return i < N_IMPLS ? impls[i].name : NULL; }

const char *sl_isa_description(size_t i) { return i < N_IMPLS ? impls[i].description : NULL; }

int sl_isa_supported(const char *name)
{
    const sl_impl *impl = name ? sl_find_impl(name) : NULL;
    return impl && impl->supported();
}
