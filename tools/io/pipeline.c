#include "pipeline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct pipeline {
    const sl_pipeline_ops *ops;
    pthread_mutex_t lock;
    pthread_cond_t work_ready, work_done;
    size_t *queue;      /* FIFO of produced slots not yet taken by a worker */
    size_t queue_head, queue_len, slots;
    bool *done;         /* per slot: processed */
    bool quit;
} pipeline;

static void *worker_main(void *arg)
{
    pipeline *pl = arg;
    pthread_mutex_lock(&pl->lock);
    for (;;) {
        while (!pl->quit && pl->queue_len == 0)
            pthread_cond_wait(&pl->work_ready, &pl->lock);
        if (pl->queue_len == 0)
            break;
        size_t slot = pl->queue[pl->queue_head];
        pl->queue_head = (pl->queue_head + 1) % pl->slots;
        pl->queue_len--;
        pthread_mutex_unlock(&pl->lock);
        pl->ops->process(pl->ops->ctx, slot);
        pthread_mutex_lock(&pl->lock);
        pl->done[slot] = true;
        pthread_cond_broadcast(&pl->work_done);
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

static int run_inline(const sl_pipeline_ops *ops)
{
    for (;;) {
        int r = ops->produce(ops->ctx, 0);
        if (r == 0)
            return 0;
        if (r < 0)
            return 1;
        ops->process(ops->ctx, 0);
        if (ops->consume(ops->ctx, 0))
            return 1;
    }
}

/* The calling thread's loop: keep every slot in flight, consume the oldest in order. */
static int run_ordered(pipeline *pl)
{
    const sl_pipeline_ops *ops = pl->ops;
    size_t produced = 0, consumed = 0;
    bool more = true, produce_failed = false, consume_stopped = false;
    for (;;) {
        while (more && produced - consumed < pl->slots) {
            size_t slot = produced % pl->slots;
            int r = ops->produce(ops->ctx, slot);
            if (r <= 0) {
                more = false;
                produce_failed = r < 0;
                break;
            }
            pthread_mutex_lock(&pl->lock);
            pl->done[slot] = false;
            pl->queue[(pl->queue_head + pl->queue_len) % pl->slots] = slot;
            pl->queue_len++;
            pthread_cond_signal(&pl->work_ready);
            pthread_mutex_unlock(&pl->lock);
            produced++;
        }
        if (consumed == produced)
            return produce_failed || consume_stopped;
        size_t slot = consumed % pl->slots;
        pthread_mutex_lock(&pl->lock);
        while (!pl->done[slot])
            pthread_cond_wait(&pl->work_done, &pl->lock);
        pthread_mutex_unlock(&pl->lock);
        consumed++;
        /* after consume stopped, chunks in flight are only waited for, never consumed */
        if (!consume_stopped && ops->consume(ops->ctx, slot)) {
            more = false;
            consume_stopped = true;
        }
    }
}

size_t sl_team_start(sl_team *t, size_t n, void *(*fn)(void *), void *arg)
{
    *t = (sl_team){calloc(n ? n : 1, sizeof *t->tids), 0};
    while (t->tids && t->started < n && pthread_create(&t->tids[t->started], NULL, fn, arg) == 0)
        t->started++;
    return t->started;
}

void sl_team_join(sl_team *t)
{
    for (size_t i = 0; i < t->started; i++)
        pthread_join(t->tids[i], NULL);
    free(t->tids);
    *t = (sl_team){NULL, 0};
}

int sl_pipeline_run(const sl_pipeline_ops *ops, size_t slots, int threads)
{
    if (threads <= 1)
        return run_inline(ops);
    pipeline pl = {.ops = ops, .slots = slots};
    pl.queue = calloc(slots, sizeof *pl.queue);
    pl.done = calloc(slots, sizeof *pl.done);
    if (!pl.queue || !pl.done) {
        free(pl.queue);
        free(pl.done);
        return -1;
    }
    pthread_mutex_init(&pl.lock, NULL);
    pthread_cond_init(&pl.work_ready, NULL);
    pthread_cond_init(&pl.work_done, NULL);
    sl_team team;
    int rc = sl_team_start(&team, (size_t)threads, worker_main, &pl) == (size_t)threads
                 ? run_ordered(&pl) : -1;
    pthread_mutex_lock(&pl.lock);
    pl.quit = true;
    pthread_cond_broadcast(&pl.work_ready);
    pthread_mutex_unlock(&pl.lock);
    sl_team_join(&team);
    pthread_mutex_destroy(&pl.lock);
    pthread_cond_destroy(&pl.work_ready);
    pthread_cond_destroy(&pl.work_done);
    free(pl.queue);
    free(pl.done);
    return rc;
}

size_t sl_pipeline_slots(int threads)
{
    return threads <= 1 ? 1 : 2 * (size_t)threads + 1;
}
