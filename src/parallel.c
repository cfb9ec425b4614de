/*
 * The multi-threaded bulk entry points (sl_score_f32_mt, sl_score_f64_mt): split the rows into
 * contiguous ranges, score each range with the single-threaded entry point on its own thread, and
 * merge the ranges' statuses so the caller sees exactly what one sl_score_* call over all rows
 * would report. Threads are plain pthreads started and joined inside the call.
 */
#include <pthread.h>

#include "softlabel.h"

/* Range boundaries fall on multiples of this many rows: 64 floats or doubles are whole cache
 * lines, so two threads never write the same line of an output (for 64-byte aligned outputs). */
#define RANGE_ALIGN_ROWS 64

/* One thread's share of the rows and, once run, its result. */
typedef struct range_job {
    sl_status (*score)(struct range_job *job);
    const sl_proxy *px;
    const void *obs;         /* sl_observables_f32 or _f64, of all rows */
    void *v_hat, *p;         /* outputs of all rows (either may be NULL) */
    size_t begin, len;       /* this range */
    sl_status status;
    size_t first_invalid;    /* within the range; len when every row is valid */
} range_job;

static sl_status score_range_f32(range_job *job)
{
    const sl_observables_f32 *o = job->obs;
    const size_t b = job->begin;
    const sl_observables_f32 sub = {
        o->task_progress_delta + b, o->rework_count + b, o->verifier_rejections + b,
        o->tool_misuse_flags ? o->tool_misuse_flags + b : NULL,
        o->counterparty_engagement_delta + b,
    };
    float *v_hat = job->v_hat, *p = job->p;
    return sl_score_f32(job->px, &sub, job->len, v_hat ? v_hat + b : NULL, p ? p + b : NULL,
                        &job->first_invalid);
}

static sl_status score_range_f64(range_job *job)
{
    const sl_observables_f64 *o = job->obs;
    const size_t b = job->begin;
    const sl_observables_f64 sub = {
        o->task_progress_delta + b, o->rework_count + b, o->verifier_rejections + b,
        o->tool_misuse_flags ? o->tool_misuse_flags + b : NULL,
        o->counterparty_engagement_delta + b,
    };
    double *v_hat = job->v_hat, *p = job->p;
    return sl_score_f64(job->px, &sub, job->len, v_hat ? v_hat + b : NULL, p ? p + b : NULL,
                        &job->first_invalid);
}

static void *run_job(void *arg)
{
    range_job *job = arg;
    job->status = job->score(job);
    return NULL;
}

/* How many threads n rows deserve: at most n_threads, and each at least the minimum share. */
static unsigned threads_for(size_t n, unsigned n_threads)
{
    size_t worth = n / SL_MT_MIN_ROWS_PER_THREAD;
    if (worth < 1)
        worth = 1;
    return worth < n_threads ? (unsigned)worth : n_threads;
}

/* Runs `proto` (whose score, px, obs, v_hat and p are set) over n rows on `used` threads and
 * merges the results: the first failing range (in row order) decides the status, and its first
 * invalid row, offset to the whole batch, is the batch's first invalid row. */
static sl_status score_split(const range_job *proto, size_t n, unsigned used, size_t *first_invalid)
{
    range_job jobs[SL_MAX_THREADS];
    pthread_t threads[SL_MAX_THREADS];
    int started[SL_MAX_THREADS];

    size_t share = (n + used - 1) / used;
    share = (share + RANGE_ALIGN_ROWS - 1) / RANGE_ALIGN_ROWS * RANGE_ALIGN_ROWS;
    unsigned count = (unsigned)((n + share - 1) / share); /* rounding may leave fewer ranges */
    if (count < 1) /* n = 0: one empty range (callers do not split so few rows anyway) */
        count = 1;
    for (unsigned t = 0; t < count; t++) {
        jobs[t] = *proto;
        jobs[t].begin = (size_t)t * share;
        jobs[t].len = n - jobs[t].begin < share ? n - jobs[t].begin : share;
        jobs[t].first_invalid = jobs[t].len;
    }
    /* range 0 runs on the calling thread; a range whose thread cannot start runs there too */
    for (unsigned t = 1; t < count; t++)
        started[t] = pthread_create(&threads[t], NULL, run_job, &jobs[t]) == 0;
    run_job(&jobs[0]);
    for (unsigned t = 1; t < count; t++) {
        if (started[t])
            pthread_join(threads[t], NULL);
        else
            run_job(&jobs[t]);
    }

    for (unsigned t = 0; t < count; t++)
        if (jobs[t].status != SL_OK) {
            if (first_invalid)
                *first_invalid = jobs[t].begin + jobs[t].first_invalid;
            return jobs[t].status;
        }
    if (first_invalid)
        *first_invalid = n;
    return SL_OK;
}

sl_status sl_score_f32_mt(const sl_proxy *px, const sl_observables_f32 *obs, size_t n,
                          float *v_hat, float *p, size_t *first_invalid, unsigned n_threads)
{
    if (n_threads == 0 || n_threads > SL_MAX_THREADS)
        return SL_ERR_THREAD_COUNT;
    unsigned used = threads_for(n, n_threads);
    if (used == 1)
        return sl_score_f32(px, obs, n, v_hat, p, first_invalid);
    /* argument errors are reported once, before any thread starts (a 0-row call checks the proxy,
     * the observables and the active path; the columns are checked here) */
    sl_status st = sl_score_f32(px, obs, 0, NULL, NULL, NULL);
    if (st != SL_OK)
        return st;
    if (!obs->task_progress_delta || !obs->rework_count || !obs->verifier_rejections ||
        !obs->counterparty_engagement_delta)
        return SL_ERR_NULL_ARGUMENT;
    const range_job proto = {.score = score_range_f32, .px = px, .obs = obs, .v_hat = v_hat, .p = p};
    return score_split(&proto, n, used, first_invalid);
}

sl_status sl_score_f64_mt(const sl_proxy *px, const sl_observables_f64 *obs, size_t n,
                          double *v_hat, double *p, size_t *first_invalid, unsigned n_threads)
{
    if (n_threads == 0 || n_threads > SL_MAX_THREADS)
        return SL_ERR_THREAD_COUNT;
    unsigned used = threads_for(n, n_threads);
    if (used == 1)
        return sl_score_f64(px, obs, n, v_hat, p, first_invalid);
    sl_status st = sl_score_f64(px, obs, 0, NULL, NULL, NULL);
    if (st != SL_OK)
        return st;
    if (!obs->task_progress_delta || !obs->rework_count || !obs->verifier_rejections ||
        !obs->counterparty_engagement_delta)
        return SL_ERR_NULL_ARGUMENT;
    const range_job proto = {.score = score_range_f64, .px = px, .obs = obs, .v_hat = v_hat, .p = p};
    return score_split(&proto, n, used, first_invalid);
}
