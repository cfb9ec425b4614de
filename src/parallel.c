/*
 * The multi-threaded bulk entry points (sl_score_*_mt, sl_metrics_update_observables_*_mt). The
 * rows are cut into contiguous blocks, handed out in row order to whichever thread is free (one
 * atomic counter), and each block is handled by the single-threaded entry point (the metrics
 * into a state per block, merged in row order afterwards). Handing blocks out as threads free up,
 * rather than one fixed share each, keeps a thread that another process slows down from holding
 * everyone up. The threads' results are merged so the caller sees what one single-threaded call
 * over all rows would report: exactly, for scoring; for the metrics, the same statuses, and sums
 * that do not depend on the thread count. Threads are plain pthreads started and joined inside the
 * call.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "metrics_internal.h"
#include "obs_internal.h"
#include "payoff_internal.h"
#include "softlabel.h"

/* Block sizes are multiples of 64 rows: 64 floats or doubles are whole cache lines, so two threads
 * never write the same line of an output (for 64-byte aligned outputs). */
#define BLOCK_ALIGN_ROWS 64
/* At most this many rows a block (2 MiB of f32 outputs: large enough that the kernels stream
 * their outputs as they do for one big call), and about this many blocks per thread at least. */
#define BLOCK_MAX_ROWS 262144
#define BLOCKS_PER_THREAD 4

/* The metrics of one sl_metrics_update_observables_*_mt call: its arguments, and one state per
 * block (block b in states[b]) */
typedef struct metrics_job {
    const void *in; /* sl_payoff_inputs_f32 or _f64, or NULL */
    const uint8_t *accepted;
    const int8_t *ground_truth;
    sl_metrics **states;
    atomic_int out_of_memory; /* a block's state could not grow its AUC keys */
} metrics_job;

/* What the threads of one call share. */
typedef struct shared_work {
    /* handles rows [begin, begin + len) with the calling thread's metrics workspace (a state
     * whose workspace the block's state borrows; NULL for scoring); *first_invalid: within the
     * block, len when all valid */
    sl_status (*run)(const struct shared_work *w, sl_metrics *workspace, size_t begin, size_t len,
                     size_t *first_invalid);
    const sl_proxy *px;
    const void *obs;   /* sl_observables_f32 or _f64, of all rows */
    void *v_hat, *p;   /* scoring: outputs of all rows (either may be NULL) */
    metrics_job *metrics;
    size_t n, block;
    atomic_size_t next; /* the first row not yet handed out */
} shared_work;

/* One thread: its metrics workspace (see shared_work.run), and its share of the result: the
 * first invalid row it met (n when none) and its status. */
typedef struct worker {
    shared_work *work;
    sl_metrics *workspace;
    size_t first_invalid;
    sl_status status;
} worker;

/* Takes blocks until none is left; keeps the first invalid row among them. */
static void *work_loop(void *arg)
{
    worker *me = arg;
    shared_work *w = me->work;
    for (;;) {
        size_t begin = atomic_fetch_add_explicit(&w->next, w->block, memory_order_relaxed);
        if (begin >= w->n)
            return NULL;
        size_t len = w->n - begin < w->block ? w->n - begin : w->block;
        size_t bad = len;
        sl_status st = w->run(w, me->workspace, begin, len, &bad);
        if (st != SL_OK && begin + bad < me->first_invalid) {
            me->first_invalid = begin + bad;
            me->status = st;
        }
    }
}

/* How many threads n rows deserve: at most n_threads, and each at least the minimum share. */
static unsigned threads_for(size_t n, unsigned n_threads)
{
    size_t worth = n / SL_MT_MIN_ROWS_PER_THREAD;
    if (worth < 1)
        worth = 1;
    return worth < n_threads ? (unsigned)worth : n_threads;
}

/* Rows per scoring block for n rows on `used` threads */
static size_t score_block_rows(size_t n, unsigned used)
{
    size_t block = n / ((size_t)used * BLOCKS_PER_THREAD);
    block = (block + BLOCK_ALIGN_ROWS - 1) / BLOCK_ALIGN_ROWS * BLOCK_ALIGN_ROWS;
    return block < BLOCK_ALIGN_ROWS ? BLOCK_ALIGN_ROWS
           : block > BLOCK_MAX_ROWS ? BLOCK_MAX_ROWS : block;
}

/* Rows per metrics block for n rows: a function of n alone (so the merged result does not depend
 * on the thread count), at most METRICS_MAX_BLOCKS blocks and at least METRICS_MIN_BLOCK_ROWS
 * rows a block (smaller ones would spend more on their state than on their rows). */
#define METRICS_MAX_BLOCKS 256
#define METRICS_MIN_BLOCK_ROWS 8192
static size_t metrics_block_rows(size_t n)
{
    size_t block = (n + METRICS_MAX_BLOCKS - 1) / METRICS_MAX_BLOCKS;
    block = (block + BLOCK_ALIGN_ROWS - 1) / BLOCK_ALIGN_ROWS * BLOCK_ALIGN_ROWS;
    return block < METRICS_MIN_BLOCK_ROWS ? METRICS_MIN_BLOCK_ROWS : block;
}

/* Runs w (run, block, n and what run reads set) on `used` threads, the calling thread one of them,
 * thread t with workspaces[t] (workspaces NULL: none), and merges: the lowest first invalid row
 * over all threads, with its status. */
static sl_status run_shared(shared_work *w, unsigned used, sl_metrics *const *workspaces,
                            size_t *first_invalid)
{
    worker workers[SL_MAX_THREADS];
    pthread_t threads[SL_MAX_THREADS];
    int started[SL_MAX_THREADS];

    atomic_init(&w->next, 0);
    for (unsigned t = 0; t < used; t++)
        workers[t] = (worker){w, workspaces ? workspaces[t] : NULL, w->n, SL_OK};

    for (unsigned t = 1; t < used; t++)
        started[t] = pthread_create(&threads[t], NULL, work_loop, &workers[t]) == 0;
    work_loop(&workers[0]); /* takes every block a thread that did not start leaves behind */
    for (unsigned t = 1; t < used; t++)
        if (started[t])
            pthread_join(threads[t], NULL);

    size_t first = w->n;
    sl_status status = SL_OK;
    for (unsigned t = 0; t < used; t++)
        if (workers[t].first_invalid < first) {
            first = workers[t].first_invalid;
            status = workers[t].status;
        }
    if (first_invalid)
        *first_invalid = first;
    return status;
}

static void metrics_states_free(sl_metrics **states, size_t count)
{
    for (size_t b = 0; b < count; b++)
        sl_metrics_free(states[b]);
}

/* Creates `count` empty states like m into states[], with workspaces or without; on failure
 * frees those made. */
static sl_status metrics_states_new(const sl_metrics *m, sl_metrics **states, size_t count,
                                    int workspace)
{
    for (size_t b = 0; b < count; b++) {
        sl_status st = sl_metrics_init_like(m, &states[b], workspace);
        if (st != SL_OK) {
            metrics_states_free(states, b);
            return st;
        }
    }
    return SL_OK;
}

/* Unless a block ran out of memory (st), merges states[0..count) into states[0] in row order,
 * then states[0] into m (the one merge that changes m: on failure m is unchanged); frees the
 * states. */
static sl_status metrics_states_merge(sl_metrics *m, sl_metrics **states, size_t count,
                                      sl_status st)
{
    for (size_t b = 1; b < count && st == SL_OK; b++)
        st = sl_metrics_merge(states[0], states[b]);
    if (st == SL_OK)
        st = sl_metrics_merge(m, states[0]);
    metrics_states_free(states, count);
    return st;
}

/* score_block_*, metrics_block_* and the _mt entry points, written once in parallel_prec.inc and
 * compiled here once per precision, each entry point's name bound on one line (see api.c). */
#include "api_prec_f64.h"
#define SL_SCORE_MT sl_score_f64_mt
#define SL_METRICS_UPDATE_OBSERVABLES_MT sl_metrics_update_observables_f64_mt
#include "parallel_prec.inc"
#include "api_prec_undef.h"

#include "api_prec_f32.h"
#define SL_SCORE_MT sl_score_f32_mt
#define SL_METRICS_UPDATE_OBSERVABLES_MT sl_metrics_update_observables_f32_mt
#include "parallel_prec.inc"
#include "api_prec_undef.h"
