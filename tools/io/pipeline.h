/*
 * Threads for the softlabel command: a team of workers, and on it an ordered chunk pipeline: the
 * calling thread produces chunks of work (reads input), a pool of worker threads processes them
 * in any order, and the calling thread consumes the results in the
 * order the chunks were produced (writes output). Memory stays bounded: at most `slots` chunks
 * exist at once, and the producer waits for the oldest to be consumed before reusing its slot.
 */
#ifndef SL_TOOLS_PIPELINE_H
#define SL_TOOLS_PIPELINE_H

#include <pthread.h>
#include <stddef.h>

/* The commands' one way to start threads: up to n running fn(arg), each sharing the work out
 * itself (a queue, a counter); a thread that cannot be started is simply not there. */
typedef struct sl_team {
    pthread_t *tids;
    size_t started;
} sl_team;

/* Starts the team; returns how many threads started (0 .. n). */
size_t sl_team_start(sl_team *t, size_t n, void *(*fn)(void *), void *arg);
/* Waits for every started thread and frees the team. */
void sl_team_join(sl_team *t);

typedef struct sl_pipeline_ops {
    void *ctx;
    /* Calling thread: fills slot `slot` with the next chunk. Returns 1 when it did, 0 at the end
     * of the work, -1 to stop (after reporting why); chunks produced before still get consumed. */
    int (*produce)(void *ctx, size_t slot);
    /* Any worker: processes a produced slot. Must touch only that slot's memory (and read-only
     * shared state). */
    void (*process)(void *ctx, size_t slot);
    /* Calling thread, in production order: takes the results. Returns 0 to go on, nonzero to stop
     * (chunks still in flight are then waited for and dropped). */
    int (*consume)(void *ctx, size_t slot);
} sl_pipeline_ops;

/* Runs the pipeline with `threads` workers over `slots` chunk slots (slot indices 0..slots-1).
 * threads == 1 runs everything on the calling thread, one chunk at a time, using slot 0 only.
 * Returns 0 when every chunk was consumed, 1 when produce or consume stopped it, -1 when the
 * worker threads could not be started (nothing was produced then). */
int sl_pipeline_run(const sl_pipeline_ops *ops, size_t slots, int threads);

/* Slots to give a pipeline of `threads` workers: enough to keep every worker busy while the
 * calling thread reads and writes. */
size_t sl_pipeline_slots(int threads);

#endif
