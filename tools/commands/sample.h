/* The built-in synthetic sample: realistic observables, deterministic for a seed. Shared by
 * `softlabel sample` (in memory) and `softlabel gen` (to a file). */
#ifndef SL_TOOLS_SAMPLE_H
#define SL_TOOLS_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* Number of agents the synthetic interactions are spread over (agent ids 0 .. SL_SAMPLE_AGENTS-1). */
#define SL_SAMPLE_AGENTS 1000

/* One synthetic interaction. Distributions:
 *  task_progress_delta            normal(0.25, 0.45); about 5% of rows beyond +-1 (clamped when scored)
 *  counterparty_engagement_delta  normal(0.10, 0.50)
 *  rework_count                   geometric, mean 0.8 (P(0) = 0.55)
 *  verifier_rejections            geometric, mean 0.4
 *  tool_misuse_flags              0 for 95% of rows, else 1 + geometric(mean 0.5)
 *  agent                          uniform over 0 .. SL_SAMPLE_AGENTS-1 (a pass-through label for gen)
 */
typedef struct sl_sample_row {
    double task_progress_delta, counterparty_engagement_delta;
    int32_t rework_count, verifier_rejections, tool_misuse_flags;
    uint32_t agent;
} sl_sample_row;

/* Row `index` of the sample for `seed`. Every row has its own random stream, so any range of rows
 * can be made on its own (in parallel) and row i is the same whoever makes it. */
void sl_sample_row_at(uint64_t seed, uint64_t index, sl_sample_row *row);

/* The sample as structure-of-arrays columns, rows 0 .. n-1 of sl_sample_row_at. */
typedef struct sl_sample {
    size_t n;
    double *task_progress_delta, *counterparty_engagement_delta;
    int32_t *rework_count, *verifier_rejections, *tool_misuse_flags;
} sl_sample;

/* Allocates and fills n rows; returns 0 on success, -1 when memory runs out. */
int sl_sample_generate(sl_sample *s, size_t n, uint64_t seed);
void sl_sample_free(sl_sample *s);

#endif
