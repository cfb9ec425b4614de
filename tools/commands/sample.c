#include "sample.h"

#include <math.h>
#include <stdlib.h>

/* splitmix64: small, fast and good enough for synthetic data; the same stream on every machine */
#define SPLITMIX_GAMMA 0x9E3779B97F4A7C15ull

/* Draws one row takes at most: 2 normals (2 each), 3 geometrics (1 each), 1 coin, 1 agent. */
#define DRAWS_PER_ROW 16

static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += SPLITMIX_GAMMA);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform01(uint64_t *state) /* in (0, 1) */
{
    return ((double)(next_u64(state) >> 11) + 0.5) * 0x1p-53;
}

static double normal(uint64_t *state, double mean, double sd)
{
    /* Box-Muller; one of the pair is enough here */
    double u = uniform01(state), v = uniform01(state);
    return mean + sd * sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* geometric count with the given mean: P(c) = (1-q) q^c, q = mean / (1 + mean) */
static int32_t geometric(uint64_t *state, double mean)
{
    double q = mean / (1.0 + mean);
    return (int32_t)floor(log(uniform01(state)) / log(q));
}

void sl_sample_row_at(uint64_t seed, uint64_t index, sl_sample_row *row)
{
    /* Row i reads draws i*16 .. i*16+15 of the one splitmix64 stream that starts at seed: the
     * state after k draws is seed + k*gamma, so any row's start is computed directly. */
    uint64_t state = seed + index * DRAWS_PER_ROW * SPLITMIX_GAMMA;
    row->task_progress_delta = normal(&state, 0.25, 0.45);
    row->counterparty_engagement_delta = normal(&state, 0.10, 0.50);
    row->rework_count = geometric(&state, 0.8);
    row->verifier_rejections = geometric(&state, 0.4);
    row->agent = (uint32_t)(uniform01(&state) * SL_SAMPLE_AGENTS);
    row->tool_misuse_flags = uniform01(&state) < 0.95 ? 0 : 1 + geometric(&state, 0.5);
}

int sl_sample_generate(sl_sample *s, size_t n, uint64_t seed)
{
    s->n = n;
    s->task_progress_delta = malloc(n * sizeof(double));
    s->counterparty_engagement_delta = malloc(n * sizeof(double));
    s->rework_count = malloc(n * sizeof(int32_t));
    s->verifier_rejections = malloc(n * sizeof(int32_t));
    s->tool_misuse_flags = malloc(n * sizeof(int32_t));
    if (!s->task_progress_delta || !s->counterparty_engagement_delta || !s->rework_count ||
        !s->verifier_rejections || !s->tool_misuse_flags) {
        sl_sample_free(s);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        sl_sample_row r;
        sl_sample_row_at(seed, i, &r);
        s->task_progress_delta[i] = r.task_progress_delta;
        s->counterparty_engagement_delta[i] = r.counterparty_engagement_delta;
        s->rework_count[i] = r.rework_count;
        s->verifier_rejections[i] = r.verifier_rejections;
        s->tool_misuse_flags[i] = r.tool_misuse_flags;
    }
    return 0;
}

void sl_sample_free(sl_sample *s)
{
    free(s->task_progress_delta);
    free(s->counterparty_engagement_delta);
    free(s->rework_count);
    free(s->verifier_rejections);
    free(s->tool_misuse_flags);
    *s = (sl_sample){0};
}
