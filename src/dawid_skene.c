/*
 * Dawid-Skene reviewer reliability (sl_dawid_skene): EM over one confusion matrix per reviewer,
 * with crowd-kit 1.4.2's DawidSkene() rules, so its posteriors are crowd-kit's:
 *  - start: each item's plurality vote shares (crowd-kit's MajorityVote probabilities); priors =
 *    their mean over items; one M-step;
 *  - M-step: for each (reviewer, observed label) pair the reviewer used, the sum of the posteriors
 *    of the items it gave that label, floored at 1e-10, then normalized over the reviewer's pairs
 *    for each true label (pairs a reviewer never used have no row: probability 0);
 *  - E-step: log2 prior (floored at 1e-10) + the sum of log2 confusion entries of the item's
 *    annotations, shifted by its maximum, exp2, normalized;
 *  - after each E-step (+ priors + M-step), the evidence lower bound per annotation: the sum over
 *    annotations of sum_c posterior_c (ln e_c + ln prior_c) plus the entropy of the posteriors
 *    floored at 1e-10; the loop stops when it improved by less than the tolerance, or after
 *    max_iterations; the returned posteriors are floored at 1e-10 (crowd-kit floors them in
 *    place while computing the bound).
 * Only labels some annotation uses take part (crowd-kit's columns are the labels in its data).
 *
 * Layout: annotations are grouped twice by counting sorts, once by item (the E-step walks an
 * item's annotations as indices of their (reviewer, label) pairs) and once by pair (the M-step
 * sums the posteriors of a pair's items). The E-step of one iteration and the bound of the
 * previous one need the same per-item sums of log2 e, so they share one pass. Work is cut into
 * blocks fixed by the data alone (items, pairs, reviewers), and every sum over blocks is added in
 * block order: the results are the same bits for every thread count.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "args_internal.h"
#include "softlabel.h"

/* crowd-kit's _EPS (10^-10): the floor of confusion entries, priors and returned posteriors */
#define DS_EPS 1e-10
/* ln 2 (M_LN2 is not in C11), ln 10^-10 */
#define LN2 0.693147180559945309417232121458176568
#define LN_EPS (-23.025850929940456840179914546843642)
/* items per E-step block (its bound and prior sums are kept per block, added in order) */
#define ITEM_BLOCK 2048
/* M-step blocks: consecutive pairs until at least this many annotations */
#define PAIR_BLOCK_ANNOTATIONS 16384
/* normalization blocks: consecutive reviewers until at least this many pairs */
#define REVIEWER_BLOCK_PAIRS 2048

void sl_dawid_skene_options_default(sl_dawid_skene_options *o)
{
    o->max_iterations = 100;
    o->tolerance = 1e-5;
    o->n_threads = 1;
}

typedef enum ds_phase { PHASE_ESTEP, PHASE_MSUM, PHASE_MNORM, PHASE_DONE } ds_phase;

typedef struct ds_fit {
    size_t n;          /* valid annotations */
    size_t k;          /* labels in use */
    size_t n_active;   /* items with at least one annotation */
    size_t n_pairs;    /* (reviewer, label) pairs in use */
    size_t n_reviewers;
    /* by item: annotations of active item i are item_pair[item_start[i] .. item_start[i + 1]) */
    size_t *item_start;
    uint32_t *item_pair;
    /* by pair: the active items of pair p are pair_item[pair_start[p] .. pair_start[p + 1]);
     * pairs are ordered by reviewer, then label; reviewer r owns pairs [rev_pair[r], rev_pair[r+1]) */
    size_t *pair_start;
    uint32_t *pair_item;
    uint32_t *pair_label; /* its label, numbered among the labels in use (0 .. k - 1) */
    size_t *rev_pair;
    /* model */
    double *post, *post_next; /* n_active x k, item-major */
    double *err, *log2_err;   /* n_pairs x k: P(observed = the pair's label | true = c) */
    double *prior, *log2_prior, *ln_prior;
    double *scratch; /* 2k doubles per thread */
    /* blocks */
    size_t n_item_blocks, n_pair_blocks, n_rev_blocks;
    size_t *pair_block, *rev_block; /* first pair / reviewer of each block, then the end */
    double *block_bound;            /* per item block: its part of the bound */
    double *block_entropy, *block_entropy_next; /* per item block: the entropy of post, of
                                                   post_next (floored at 1e-10) */
    double *block_prior;            /* per item block: k sums of its new posteriors */
    /* the team */
    unsigned threads;
    pthread_mutex_t gate_lock; /* the members wait at the gate until the team's size is known */
    pthread_cond_t gate_open;
    enum { GATE_CLOSED, GATE_TEAM, GATE_ALONE } gate;
    pthread_barrier_t barrier;
    ds_phase phase;
    int with_bound; /* the E-step pass also computes the bound of the current posteriors */
    atomic_size_t next_block;
    uint32_t max_iterations;
    double tolerance;
    uint32_t iterations;
    int converged;
    double bound;
} ds_fit;

/* ---- one pass of each kind, over one block ------------------------------------------------- */

/* out[c] = the sum over j < n of table[rows[j] * k + c], in j order. */
static void sum_rows(double *out, const double *table, const uint32_t *rows, size_t n, size_t k)
{
    for (size_t c = 0; c < k; c++)
        out[c] = 0.0;
    for (size_t j = 0; j < n; j++) {
        const double *row = table + (size_t)rows[j] * k;
        for (size_t c = 0; c < k; c++)
            out[c] += row[c];
    }
}

/* E-step for the items of block b: new posteriors into post_next, their sums into block_prior
 * and their entropy (floored as the bound floors them) into block_entropy_next; with_bound: also
 * this block's part of the bound of the current posteriors (post), whose entropy the previous
 * pass left in block_entropy. The entropy needs no logarithm per label: ln p_c = ln 2 (ll_c -
 * top) - ln total. */
static void estep_block(ds_fit *f, size_t b, double *scratch)
{
    size_t k = f->k, from = b * ITEM_BLOCK;
    size_t to = from + ITEM_BLOCK < f->n_active ? from + ITEM_BLOCK : f->n_active;
    double *prior_sum = f->block_prior + b * k, joint = 0.0, entropy = 0.0;
    double *s = scratch, *ll = scratch + k;
    memset(prior_sum, 0, k * sizeof *prior_sum);
    for (size_t i = from; i < to; i++) {
        sum_rows(s, f->log2_err, f->item_pair + f->item_start[i],
                 f->item_start[i + 1] - f->item_start[i], k);
        if (f->with_bound) {
            /* sum over the item's annotations a of sum_c cur_c (ln e_a,c + ln prior_c) */
            const double *cur = f->post + i * k;
            double count = (double)(f->item_start[i + 1] - f->item_start[i]);
            for (size_t c = 0; c < k; c++)
                joint += cur[c] * (LN2 * s[c] + count * f->ln_prior[c]);
        }
        double top = -INFINITY, total = 0.0;
        for (size_t c = 0; c < k; c++) {
            ll[c] = f->log2_prior[c] + s[c];
            top = ll[c] > top ? ll[c] : top;
        }
        double *next = f->post_next + i * k;
        for (size_t c = 0; c < k; c++) {
            next[c] = exp2(ll[c] - top);
            total += next[c];
        }
        double ln_total = log(total);
        for (size_t c = 0; c < k; c++) {
            next[c] /= total;
            prior_sum[c] += next[c];
            entropy -= next[c] > DS_EPS ? next[c] * (LN2 * (ll[c] - top) - ln_total)
                                        : DS_EPS * LN_EPS;
        }
    }
    f->block_bound[b] = joint + f->block_entropy[b];
    f->block_entropy_next[b] = entropy;
}

/* M-step, first half, for the pairs of block b: the sums of their items' posteriors, floored. */
static void msum_block(ds_fit *f, size_t b)
{
    size_t k = f->k;
    for (size_t p = f->pair_block[b]; p < f->pair_block[b + 1]; p++) {
        double *e = f->err + p * k;
        sum_rows(e, f->post, f->pair_item + f->pair_start[p], f->pair_start[p + 1] - f->pair_start[p],
                 k);
        for (size_t c = 0; c < k; c++)
            e[c] = e[c] > DS_EPS ? e[c] : DS_EPS;
    }
}

/* M-step, second half, for the reviewers of block b: each true label's column normalized over
 * the reviewer's pairs, and its log2. */
static void mnorm_block(ds_fit *f, size_t b, double *col)
{
    size_t k = f->k;
    for (size_t r = f->rev_block[b]; r < f->rev_block[b + 1]; r++) {
        size_t first = f->rev_pair[r], end = f->rev_pair[r + 1];
        for (size_t c = 0; c < k; c++)
            col[c] = 0.0;
        for (size_t p = first; p < end; p++)
            for (size_t c = 0; c < k; c++)
                col[c] += f->err[p * k + c];
        for (size_t p = first; p < end; p++)
            for (size_t c = 0; c < k; c++) {
                f->err[p * k + c] /= col[c];
                f->log2_err[p * k + c] = log2(f->err[p * k + c]);
            }
    }
}

/* ---- the team: every thread takes blocks of the current phase; thread 0 steps between them -- */

static size_t phase_blocks(const ds_fit *f)
{
    switch (f->phase) {
    case PHASE_ESTEP: return f->n_item_blocks;
    case PHASE_MSUM: return f->n_pair_blocks;
    case PHASE_MNORM: return f->n_rev_blocks;
    case PHASE_DONE: break;
    }
    return 0;
}

/* Takes blocks of the current phase until none is left; scratch: 2k doubles of the thread's. */
static void run_phase_blocks(ds_fit *f, double *scratch)
{
    size_t blocks = phase_blocks(f);
    for (;;) {
        size_t b = atomic_fetch_add_explicit(&f->next_block, 1, memory_order_relaxed);
        if (b >= blocks)
            return;
        switch (f->phase) {
        case PHASE_ESTEP: estep_block(f, b, scratch); break;
        case PHASE_MSUM: msum_block(f, b); break;
        case PHASE_MNORM: mnorm_block(f, b, scratch); break;
        case PHASE_DONE: return;
        }
    }
}

/* The priors: the mean of the posteriors (per item block sums, added in block order), floored. */
static void set_priors(ds_fit *f)
{
    for (size_t c = 0; c < f->k; c++) {
        double sum = 0.0;
        for (size_t b = 0; b < f->n_item_blocks; b++)
            sum += f->block_prior[b * f->k + c];
        double mean = sum / (double)f->n_active;
        f->prior[c] = mean > DS_EPS ? mean : DS_EPS;
        f->log2_prior[c] = log2(f->prior[c]);
        f->ln_prior[c] = log(f->prior[c]);
    }
}

/* Thread 0, after each phase: decides the next one. One iteration is E-step (with the bound of
 * the current posteriors from the second on), then priors, M-step sums, M-step normalization. */
static void step(ds_fit *f)
{
    switch (f->phase) {
    case PHASE_ESTEP: {
        if (f->with_bound) {
            double bound = 0.0;
            for (size_t b = 0; b < f->n_item_blocks; b++)
                bound += f->block_bound[b];
            bound /= (double)f->n;
            int improved_little = bound - f->bound < f->tolerance; /* crowd-kit's test, as is */
            f->bound = bound;
            if (improved_little || f->iterations == f->max_iterations) {
                f->converged = improved_little;
                f->phase = PHASE_DONE; /* the current posteriors are the result */
                return;
            }
        }
        double *t = f->post;
        f->post = f->post_next;
        f->post_next = t;
        t = f->block_entropy;
        f->block_entropy = f->block_entropy_next;
        f->block_entropy_next = t;
        f->iterations++;
        f->with_bound = 1;
        set_priors(f);
        f->phase = PHASE_MSUM;
        break;
    }
    case PHASE_MSUM: f->phase = PHASE_MNORM; break;
    case PHASE_MNORM: f->phase = PHASE_ESTEP; break;
    case PHASE_DONE: break;
    }
    atomic_store_explicit(&f->next_block, 0, memory_order_relaxed);
}

typedef struct ds_member {
    ds_fit *f;
    double *scratch;
} ds_member;

static void *team_member(void *arg)
{
    ds_fit *f = ((ds_member *)arg)->f;
    double *scratch = ((ds_member *)arg)->scratch;
    pthread_mutex_lock(&f->gate_lock);
    while (f->gate == GATE_CLOSED)
        pthread_cond_wait(&f->gate_open, &f->gate_lock);
    int go = f->gate == GATE_TEAM;
    pthread_mutex_unlock(&f->gate_lock);
    while (go) {
        pthread_barrier_wait(&f->barrier); /* thread 0 has set the phase */
        if (f->phase == PHASE_DONE)
            break;
        run_phase_blocks(f, scratch);
        pthread_barrier_wait(&f->barrier); /* the phase is complete */
    }
    return NULL;
}

/* Runs the EM loop from the state after the initial M-step (phase PHASE_ESTEP, no bound yet) on
 * f->threads threads, the calling one included; with those the system lets it start, if fewer. */
static void run_em(ds_fit *f)
{
    pthread_t tid[SL_MAX_THREADS];
    ds_member member[SL_MAX_THREADS];
    unsigned members = 1;
    f->gate = GATE_CLOSED;
    pthread_mutex_init(&f->gate_lock, NULL);
    pthread_cond_init(&f->gate_open, NULL);
    for (; members < f->threads; members++) {
        member[members] = (ds_member){f, f->scratch + members * 2 * f->k};
        if (pthread_create(&tid[members], NULL, team_member, &member[members]))
            break;
    }
    int team = members > 1 && pthread_barrier_init(&f->barrier, NULL, members) == 0;
    pthread_mutex_lock(&f->gate_lock);
    f->gate = team ? GATE_TEAM : GATE_ALONE; /* without a barrier the members just return */
    pthread_cond_broadcast(&f->gate_open);
    pthread_mutex_unlock(&f->gate_lock);
    while (f->phase != PHASE_DONE) {
        if (team)
            pthread_barrier_wait(&f->barrier);
        run_phase_blocks(f, f->scratch);
        if (team)
            pthread_barrier_wait(&f->barrier);
        step(f);
    }
    if (team) {
        pthread_barrier_wait(&f->barrier); /* the members see PHASE_DONE and return */
    }
    for (unsigned t = 1; t < members; t++)
        pthread_join(tid[t], NULL);
    if (team)
        pthread_barrier_destroy(&f->barrier);
    pthread_cond_destroy(&f->gate_open);
    pthread_mutex_destroy(&f->gate_lock);
}

/* ---- set-up and results ----------------------------------------------------------------------- */

static void fit_free(ds_fit *f)
{
    free(f->item_start);
    free(f->item_pair);
    free(f->pair_start);
    free(f->pair_item);
    free(f->pair_label);
    free(f->rev_pair);
    free(f->post);
    free(f->post_next);
    free(f->err);
    free(f->log2_err);
    free(f->prior);
    free(f->scratch);
    free(f->pair_block);
    free(f->rev_block);
    free(f->block_bound);
    free(f->block_entropy);
    free(f->block_entropy_next);
    free(f->block_prior);
}

/* The first invalid annotation (n when none) and its status. */
static size_t first_invalid_annotation(size_t n, const uint32_t *item, const uint32_t *reviewer,
                                       const uint32_t *label, size_t n_items, size_t n_reviewers,
                                       size_t n_labels, sl_status *status)
{
    for (size_t a = 0; a < n; a++) {
        *status = item[a] >= n_items        ? SL_ERR_DS_ITEM
                  : reviewer[a] >= n_reviewers ? SL_ERR_DS_REVIEWER
                  : label[a] >= n_labels       ? SL_ERR_DS_LABEL
                                               : SL_OK;
        if (*status != SL_OK)
            return a;
    }
    return n;
}

static int valid(size_t a, const uint32_t *item, const uint32_t *reviewer, const uint32_t *label,
                 size_t n_items, size_t n_reviewers, size_t n_labels)
{
    return item[a] < n_items && reviewer[a] < n_reviewers && label[a] < n_labels;
}

/* The annotations of one call, and which of them count (ok[a]). */
typedef struct ds_input {
    size_t n;
    const uint32_t *item, *reviewer, *label;
    const uint8_t *ok;
    const uint32_t *label_of; /* label -> label in use (UINT32_MAX: none uses it) */
    const uint32_t *item_of;  /* item -> active item position (UINT32_MAX: no annotation) */
} ds_input;

/* Groups the valid annotations by item and by (reviewer, label) pair. */
static sl_status group(ds_fit *f, const ds_input *in)
{
    size_t k = f->k, nv = f->n, n_rev = f->n_reviewers;
    size_t *by_label = malloc(nv * sizeof *by_label);
    size_t *by_pair = malloc(nv * sizeof *by_pair);
    uint32_t *pair_of = malloc(in->n * sizeof *pair_of);
    size_t *count = calloc((k > n_rev ? k : n_rev) + 1, sizeof *count);
    f->item_start = calloc(f->n_active + 1, sizeof *f->item_start);
    f->item_pair = malloc(nv * sizeof *f->item_pair);
    f->pair_start = malloc((nv + 1) * sizeof *f->pair_start);
    f->pair_item = malloc(nv * sizeof *f->pair_item);
    f->pair_label = malloc(nv * sizeof *f->pair_label);
    f->rev_pair = calloc(n_rev + 1, sizeof *f->rev_pair);
    sl_status st = SL_ERR_OUT_OF_MEMORY;
    if (!by_label || !by_pair || !pair_of || !count || !f->item_start || !f->item_pair ||
        !f->pair_start || !f->pair_item || !f->pair_label || !f->rev_pair)
        goto done;
    /* stable counting sort by label, then by reviewer: the pairs in (reviewer, label) order */
    for (size_t a = 0; a < in->n; a++)
        if (in->ok[a])
            count[in->label_of[in->label[a]] + 1]++;
    for (size_t c = 0; c < k; c++)
        count[c + 1] += count[c];
    for (size_t a = 0; a < in->n; a++)
        if (in->ok[a])
            by_label[count[in->label_of[in->label[a]]]++] = a;
    memset(count, 0, (n_rev + 1) * sizeof *count);
    for (size_t j = 0; j < nv; j++)
        count[in->reviewer[by_label[j]] + 1]++;
    for (size_t r = 0; r < n_rev; r++)
        count[r + 1] += count[r];
    for (size_t j = 0; j < nv; j++)
        by_pair[count[in->reviewer[by_label[j]]]++] = by_label[j];
    size_t pairs = 0;
    for (size_t j = 0; j < nv; j++) {
        size_t a = by_pair[j], prev = j ? by_pair[j - 1] : 0;
        if (j == 0 || in->reviewer[a] != in->reviewer[prev] || in->label[a] != in->label[prev]) {
            f->pair_start[pairs] = j;
            f->pair_label[pairs] = in->label_of[in->label[a]];
            pairs++;
            f->rev_pair[in->reviewer[a] + 1] = pairs; /* the end of its pairs so far */
        }
        pair_of[a] = (uint32_t)(pairs - 1);
        f->pair_item[j] = in->item_of[in->item[a]];
    }
    f->pair_start[pairs] = nv;
    f->n_pairs = pairs;
    for (size_t r = 0; r < n_rev; r++) /* a reviewer without pairs ends where the previous one did */
        if (f->rev_pair[r + 1] < f->rev_pair[r])
            f->rev_pair[r + 1] = f->rev_pair[r];
    /* by item, in input order within each item */
    for (size_t a = 0; a < in->n; a++)
        if (in->ok[a])
            f->item_start[in->item_of[in->item[a]] + 1]++;
    for (size_t i = 0; i < f->n_active; i++)
        f->item_start[i + 1] += f->item_start[i];
    for (size_t a = 0; a < in->n; a++)
        if (in->ok[a]) /* item_start[i] moves to the end of item i as it fills */
            f->item_pair[f->item_start[in->item_of[in->item[a]]]++] = pair_of[a];
    memmove(f->item_start + 1, f->item_start, f->n_active * sizeof *f->item_start);
    f->item_start[0] = 0;
    st = SL_OK;
done:
    free(by_label);
    free(by_pair);
    free(pair_of);
    free(count);
    return st;
}

/* Cuts the blocks of the M-step (pairs) and of its normalization (reviewers). */
static sl_status cut_blocks(ds_fit *f)
{
    f->n_item_blocks = (f->n_active + ITEM_BLOCK - 1) / ITEM_BLOCK;
    f->pair_block = malloc((f->n_pairs + 1) * sizeof *f->pair_block);
    f->rev_block = malloc((f->n_reviewers + 1) * sizeof *f->rev_block);
    f->block_bound = malloc(f->n_item_blocks * sizeof *f->block_bound);
    f->block_prior = malloc(f->n_item_blocks * f->k * sizeof *f->block_prior);
    f->block_entropy = calloc(f->n_item_blocks, sizeof *f->block_entropy);
    f->block_entropy_next = calloc(f->n_item_blocks, sizeof *f->block_entropy_next);
    if (!f->pair_block || !f->rev_block || !f->block_bound || !f->block_prior ||
        !f->block_entropy || !f->block_entropy_next)
        return SL_ERR_OUT_OF_MEMORY;
    size_t blocks = 0, weight = 0;
    for (size_t p = 0; p < f->n_pairs; p++) {
        if (weight == 0)
            f->pair_block[blocks++] = p;
        weight += f->pair_start[p + 1] - f->pair_start[p];
        if (weight >= PAIR_BLOCK_ANNOTATIONS)
            weight = 0;
    }
    f->pair_block[blocks] = f->n_pairs;
    f->n_pair_blocks = blocks;
    blocks = weight = 0;
    for (size_t r = 0; r < f->n_reviewers; r++) {
        if (weight == 0)
            f->rev_block[blocks++] = r;
        weight += f->rev_pair[r + 1] - f->rev_pair[r] + 1;
        if (weight >= REVIEWER_BLOCK_PAIRS)
            weight = 0;
    }
    f->rev_block[blocks] = f->n_reviewers;
    f->n_rev_blocks = blocks;
    return SL_OK;
}

/* The start: each item's vote shares (crowd-kit's MajorityVote probabilities), their mean as the
 * priors, and one M-step. */
static void start(ds_fit *f)
{
    size_t k = f->k;
    for (size_t b = 0; b < f->n_item_blocks; b++) {
        double *prior_sum = f->block_prior + b * k;
        memset(prior_sum, 0, k * sizeof *prior_sum);
        size_t to = (b + 1) * ITEM_BLOCK < f->n_active ? (b + 1) * ITEM_BLOCK : f->n_active;
        for (size_t i = b * ITEM_BLOCK; i < to; i++) {
            double *post = f->post + i * k;
            memset(post, 0, k * sizeof *post);
            for (size_t j = f->item_start[i]; j < f->item_start[i + 1]; j++)
                post[f->pair_label[f->item_pair[j]]] += 1.0;
            double votes = (double)(f->item_start[i + 1] - f->item_start[i]);
            for (size_t c = 0; c < k; c++) {
                post[c] /= votes;
                prior_sum[c] += post[c];
            }
        }
    }
    set_priors(f);
    for (size_t b = 0; b < f->n_pair_blocks; b++)
        msum_block(f, b);
    for (size_t b = 0; b < f->n_rev_blocks; b++)
        mnorm_block(f, b, f->scratch);
    f->phase = PHASE_ESTEP;
    f->with_bound = 0;
    f->iterations = 0;
    f->bound = -INFINITY;
    atomic_init(&f->next_block, 0);
}

/* Writes the results in the caller's layout (labels and reviewers in their own numbering);
 * used[c]: the caller's label of label in use c. */
static void write_out(const ds_fit *f, const ds_input *in, const uint32_t *used, size_t n_items,
                      size_t n_labels, sl_dawid_skene_out *out)
{
    size_t k = f->k;
    if (out->posterior)
        for (size_t i = 0; i < n_items; i++) {
            uint32_t at = in->item_of[i];
            for (size_t l = 0; l < n_labels; l++) {
                double p = NAN; /* an item without annotations has no posterior */
                uint32_t c = in->label_of[l];
                if (at != UINT32_MAX)
                    p = c == UINT32_MAX                 ? 0.0
                        : f->post[at * k + c] > DS_EPS ? f->post[at * k + c]
                                                        : DS_EPS;
                out->posterior[l * out->posterior_ld + i] = p;
            }
        }
    if (out->prior)
        for (size_t l = 0; l < n_labels; l++)
            out->prior[l] = in->label_of[l] == UINT32_MAX ? 0.0 : f->prior[in->label_of[l]];
    for (size_t r = 0; r < f->n_reviewers; r++) {
        size_t first = f->n ? f->rev_pair[r] : 0, end = f->n ? f->rev_pair[r + 1] : 0;
        double *conf = out->confusion ? out->confusion + r * n_labels * n_labels : NULL;
        if (conf) /* a reviewer without annotations has no confusion matrix */
            for (size_t j = 0; j < n_labels * n_labels; j++)
                conf[j] = first == end ? NAN : 0.0;
        double accuracy = first == end ? NAN : 0.0;
        for (size_t p = first; p < end; p++) {
            size_t y = f->pair_label[p];
            if (conf)
                for (size_t c = 0; c < k; c++)
                    conf[used[y] * n_labels + used[c]] = f->err[p * k + c];
            accuracy += f->prior[y] * f->err[p * k + y];
        }
        if (out->accuracy)
            out->accuracy[r] = accuracy;
    }
    out->iterations = f->iterations;
    out->converged = f->converged;
    out->elbo_per_annotation = f->n ? f->bound : NAN;
}

/* Sizes (each array one object, indices fit in 32 bits) and overlaps of the outputs. */
static sl_status check_buffers(size_t n, const uint32_t *item, const uint32_t *reviewer,
                               const uint32_t *label, size_t n_items, size_t n_reviewers,
                               size_t n_labels, const sl_dawid_skene_out *out)
{
    if (n_items > UINT32_MAX || n_labels > UINT32_MAX || n_reviewers > UINT32_MAX ||
        !sl_array_fits(n, sizeof(uint32_t)) || !sl_array_fits(n_labels, sizeof(double)))
        return SL_ERR_SIZE_OVERFLOW;
    size_t posterior = 0, confusion = 0;
    if (out->posterior && n_items && n_labels &&
        !(posterior = sl_matrix_extent(out->posterior_ld, n_items, n_labels, sizeof(double))))
        return SL_ERR_SIZE_OVERFLOW;
    if (n_labels && n_reviewers) {
        if (n_labels > PTRDIFF_MAX / sizeof(double) / n_labels ||
            n_reviewers > PTRDIFF_MAX / sizeof(double) / (n_labels * n_labels))
            return SL_ERR_SIZE_OVERFLOW;
        confusion = n_reviewers * n_labels * n_labels;
    }
    sl_span outs[4] = {sl_span_of(out->posterior, posterior, sizeof(double)),
                       sl_span_of(out->prior, n_labels, sizeof(double)),
                       sl_span_of(out->confusion, confusion, sizeof(double)),
                       sl_span_of(out->accuracy, n_reviewers, sizeof(double))};
    sl_span ins[3] = {sl_span_of(item, n, sizeof *item), sl_span_of(reviewer, n, sizeof *reviewer),
                      sl_span_of(label, n, sizeof *label)};
    return sl_check_overlap(outs, 4, ins, 3, 0);
}

sl_status sl_dawid_skene(const sl_dawid_skene_options *opt, size_t n, const uint32_t *item,
                         const uint32_t *reviewer, const uint32_t *label, size_t n_items,
                         size_t n_reviewers, size_t n_labels, sl_dawid_skene_out *out,
                         size_t *first_invalid)
{
    if (first_invalid)
        *first_invalid = n;
    if (!opt || !out || (n > 0 && (!item || !reviewer || !label)))
        return SL_ERR_NULL_ARGUMENT;
    if (out->posterior && out->posterior_ld < n_items)
        return SL_ERR_PANEL_SHAPE;
    if (opt->max_iterations < 1)
        return SL_ERR_PARAM_DS_ITERATIONS;
    if (!isfinite(opt->tolerance))
        return SL_ERR_PARAM_DS_TOLERANCE;
    if (opt->n_threads < 1 || opt->n_threads > SL_MAX_THREADS)
        return SL_ERR_THREAD_COUNT;
    sl_status st = check_buffers(n, item, reviewer, label, n_items, n_reviewers, n_labels, out);
    if (st != SL_OK)
        return st;

    sl_status bad = SL_OK;
    size_t first_bad = first_invalid_annotation(n, item, reviewer, label, n_items, n_reviewers,
                                                n_labels, &bad);
    ds_fit f = {0};
    uint8_t *ok = malloc(n + 1);
    uint32_t *label_of = malloc((n_labels + 1) * sizeof *label_of);
    uint32_t *item_of = malloc((n_items + 1) * sizeof *item_of);
    uint32_t *used = malloc((n_labels + 1) * sizeof *used);
    st = SL_ERR_OUT_OF_MEMORY;
    if (!ok || !label_of || !item_of || !used)
        goto done;
    for (size_t l = 0; l < n_labels; l++)
        label_of[l] = UINT32_MAX;
    for (size_t i = 0; i < n_items; i++)
        item_of[i] = UINT32_MAX;
    for (size_t a = 0; a < n; a++) {
        ok[a] = (uint8_t)valid(a, item, reviewer, label, n_items, n_reviewers, n_labels);
        if (!ok[a])
            continue;
        f.n++;
        label_of[label[a]] = 0;
        item_of[item[a]] = 0;
    }
    for (size_t l = 0; l < n_labels; l++) /* labels in use, numbered in the caller's order */
        if (label_of[l] != UINT32_MAX) {
            used[f.k] = (uint32_t)l;
            label_of[l] = (uint32_t)f.k++;
        }
    for (size_t i = 0; i < n_items; i++)
        if (item_of[i] != UINT32_MAX)
            item_of[i] = (uint32_t)f.n_active++;
    ds_input in = {n, item, reviewer, label, ok, label_of, item_of};
    f.n_reviewers = n_reviewers;
    f.max_iterations = opt->max_iterations;
    f.tolerance = opt->tolerance;
    if (f.n > 0) {
        st = group(&f, &in);
        if (st == SL_OK)
            st = cut_blocks(&f);
        if (st != SL_OK)
            goto done;
        size_t k = f.k;
        f.post = malloc(f.n_active * k * sizeof *f.post);
        f.post_next = malloc(f.n_active * k * sizeof *f.post_next);
        f.err = malloc(f.n_pairs * k * sizeof *f.err);
        f.log2_err = malloc(f.n_pairs * k * sizeof *f.log2_err);
        f.prior = malloc(3 * k * sizeof *f.prior);
        size_t worth = f.n / SL_MT_MIN_ROWS_PER_THREAD;
        f.threads = worth < 1 ? 1 : worth < opt->n_threads ? (unsigned)worth : opt->n_threads;
        f.scratch = malloc(f.threads * 2 * k * sizeof *f.scratch);
        if (!f.post || !f.post_next || !f.err || !f.log2_err || !f.prior || !f.scratch)
            goto done;
        f.log2_prior = f.prior + k;
        f.ln_prior = f.prior + 2 * k;
        start(&f);
        run_em(&f);
    }
    write_out(&f, &in, used, n_items, n_labels, out);
    st = SL_OK;
done:
    fit_free(&f);
    free(ok);
    free(label_of);
    free(item_of);
    free(used);
    if (st != SL_OK)
        return st;
    if (first_invalid)
        *first_invalid = first_bad;
    return bad;
}
