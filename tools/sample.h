/* The built-in synthetic sample: realistic observables, deterministic for a seed. */
#ifndef SL_TOOLS_SAMPLE_H
#define SL_TOOLS_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_sample {
    size_t n;
    double *task_progress_delta, *counterparty_engagement_delta;
    int32_t *rework_count, *verifier_rejections, *tool_misuse_flags;
} sl_sample;

/* Allocates and fills n rows; returns 0 on success, -1 when memory runs out. Distributions:
 *  task_progress_delta            normal(0.25, 0.45); about 5% of rows beyond +-1 (clamped when scored)
 *  counterparty_engagement_delta  normal(0.10, 0.50)
 *  rework_count                   geometric, mean 0.8 (P(0) = 0.55)
 *  verifier_rejections            geometric, mean 0.4
 *  tool_misuse_flags              0 for 95% of rows, else 1 + geometric(mean 0.5)
 */
int sl_sample_generate(sl_sample *s, size_t n, uint64_t seed);
void sl_sample_free(sl_sample *s);

#endif
