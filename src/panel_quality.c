/*
 * Panel QA in depth (sl_panel_quality_*, include/softlabel_panel.h): per task, per reviewer and
 * reviewer reliability, computed from a finished panel through its public reading calls only.
 *
 * One pass over the items gives the per-task figures (alpha's three sums of sl_alpha_nominal
 * from each item's non-zero label counts, entropies summed with Neumaier's compensation in item
 * order) and the per-reviewer ones (leave-one-out agreement: the item's counts without the
 * reviewer's own vote). Dawid-Skene is then fitted per task (sl_dawid_skene) on the counted votes
 * that are not marked as errors, the ones the distribution counts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "softlabel.h"

struct sl_panel_quality {
    size_t n_tasks, n_reviewers, n_items;
    sl_panel_task_quality *task;
    size_t *task_label_votes;     /* every task's label counts, one after the other */
    sl_panel_reviewer_quality *reviewer; /* in outlier order */
    double *posterior;            /* Dawid-Skene: item i's at post_at[i] (its task's labels) */
    size_t *post_at;
};

void sl_panel_quality_options_default(sl_panel_quality_options *o)
{
    o->dawid_skene = 1;
    sl_dawid_skene_options_default(&o->ds);
}

void sl_panel_quality_free(sl_panel_quality *q)
{
    if (!q)
        return;
    free(q->task);
    free(q->task_label_votes);
    free(q->reviewer);
    free(q->posterior);
    free(q->post_at);
    free(q);
}

/* Adds h to the compensated sum (sum, carry) (Neumaier). */
static void neumaier_add(double *sum, double *carry, double h)
{
    double t = *sum + h;
    *carry += fabs(*sum) >= fabs(h) ? (*sum - t) + h : (h - t) + *sum;
    *sum = t;
}

/* Per-reviewer sums of the pass over the items. */
typedef struct reviewer_sums {
    double agreement, confidence;
} reviewer_sums;

/* The agreement of a vote for `label` with the plurality of the item's other counted votes
 * (counts lv without this vote): 1 when its label alone holds the largest count, 1/t when it is
 * one of t labels tied there (the chance that a tie broken at random picks it), else 0. Returns
 * -1 when no other counted vote exists. */
static double loo_agreement(const sl_panel_label_votes *lv, size_t n_lv, uint32_t label)
{
    double top = 0.0, own = 0.0;
    size_t ties = 0;
    for (size_t c = 0; c < n_lv; c++) {
        double v = lv[c].votes - (lv[c].label == label ? 1.0 : 0.0);
        if (lv[c].label == label)
            own = v;
        if (v > top) {
            top = v;
            ties = 1;
        } else if (v == top && v > 0) {
            ties++;
        }
    }
    if (top == 0.0)
        return -1.0;
    return own == top ? 1.0 / (double)ties : 0.0;
}

/* One pass over the items: the per-task and per-reviewer figures (reviewers in panel order). */
static sl_status tally(const sl_panel *pb, sl_panel_quality *q, reviewer_sums *sums,
                       sl_alpha_nominal *alpha, double *entropy_sum,
                       double *pairable_votes_all)
{
    for (size_t i = 0; i < q->n_items; i++) {
        sl_panel_item it;
        sl_status st = sl_panel_get_sparse(pb, i, &it);
        if (st != SL_OK)
            return st;
        sl_panel_task_quality *t = &q->task[it.task_index];
        size_t *label_votes = (size_t *)t->label_votes;
        double *pairable_votes = pairable_votes_all + (label_votes - q->task_label_votes);
        t->items++;
        t->classes[it.disagreement]++;
        t->flagged += it.flag != NULL;
        if (it.gold >= 0) {
            t->gold_items++;
            for (size_t v = 0; v < it.n_votes; v++) { /* error marks included, as the panel's */
                t->gold_votes++;
                t->gold_passes += it.votes[v].label == (uint32_t)it.gold;
            }
        }
        if (it.reviewer_count > 0) {
            t->with_votes++;
            neumaier_add(&entropy_sum[2 * it.task_index], &entropy_sum[2 * it.task_index + 1],
                         it.entropy_bits);
            double total = (double)it.reviewer_count;
            for (size_t c = 0; c < it.n_label_votes; c++)
                label_votes[it.label_votes[c].label] += (size_t)it.label_votes[c].votes;
            if (total >= 2.0) { /* pairable: alpha's sums (sl_alpha_nominal) */
                sl_alpha_nominal *acc = &alpha[it.task_index];
                acc->pairable += total;
                for (size_t c = 0; c < it.n_label_votes; c++) {
                    double v = it.label_votes[c].votes;
                    acc->agreement += v * (v - 1.0) / (total - 1.0);
                    pairable_votes[it.label_votes[c].label] += v;
                }
            }
        }
        for (size_t v = 0; v < it.n_votes; v++) {
            const sl_panel_vote *vote = &it.votes[v];
            sl_panel_reviewer_quality *r = &q->reviewer[vote->reviewer];
            if (vote->error) {
                r->error_marks++;
                continue;
            }
            r->votes++;
            t->annotations++;
            if (!isnan(vote->confidence)) {
                r->confidences++;
                sums[vote->reviewer].confidence += vote->confidence;
            }
            double a = loo_agreement(it.label_votes, it.n_label_votes, vote->label);
            if (a >= 0.0) {
                r->compared++;
                sums[vote->reviewer].agreement += a;
            }
        }
    }
    return SL_OK;
}

/* Dawid-Skene per task on the counted votes without error marks; each reviewer's accuracy is the
 * mean of its per-task accuracies weighted by its votes in each task. */
static sl_status fit_reliability(const sl_panel *pb, sl_panel_quality *q,
                                 const sl_dawid_skene_options *ds)
{
    size_t n_items = q->n_items, n_rev = q->n_reviewers, n_tasks = q->n_tasks;
    size_t *task_start = calloc(n_tasks + 1, sizeof *task_start);  /* votes, by task */
    size_t *task_item = calloc(n_tasks + 1, sizeof *task_item);    /* items so far, by task */
    size_t *local = malloc((n_items ? n_items : 1) * sizeof *local); /* item -> index in task */
    size_t *item_of = malloc((n_items ? n_items : 1) * sizeof *item_of); /* by task, in order */
    size_t *item_start = calloc(n_tasks + 1, sizeof *item_start);
    q->post_at = malloc((n_items + 1) * sizeof *q->post_at);
    double *acc = malloc((n_rev ? n_rev : 1) * sizeof *acc);
    double *weighted = calloc(n_rev + 1, sizeof *weighted);
    size_t *weight = calloc(n_rev + 1, sizeof *weight);
    uint32_t *a_item = NULL, *a_rev = NULL, *a_label = NULL;
    double *post = NULL;
    sl_status st = SL_ERR_OUT_OF_MEMORY;
    if (!task_start || !task_item || !local || !item_of || !item_start || !q->post_at || !acc ||
        !weighted || !weight)
        goto done;
    /* counts per task, each item's place in its task and in the posteriors */
    size_t n_votes = 0, n_post = 0;
    for (size_t i = 0; i < n_items; i++) {
        sl_panel_item it;
        if ((st = sl_panel_get_sparse(pb, i, &it)) != SL_OK)
            goto done;
        local[i] = task_item[it.task_index]++;
        q->post_at[i] = n_post;
        n_post += it.n_labels;
        for (size_t v = 0; v < it.n_votes; v++)
            task_start[it.task_index + 1] += !it.votes[v].error;
    }
    for (size_t t = 0; t < n_tasks; t++) {
        task_start[t + 1] += task_start[t];
        item_start[t + 1] = item_start[t] + task_item[t];
        task_item[t] = 0;
    }
    n_votes = task_start[n_tasks];
    st = SL_ERR_OUT_OF_MEMORY;
    a_item = malloc((n_votes ? n_votes : 1) * sizeof *a_item);
    a_rev = malloc((n_votes ? n_votes : 1) * sizeof *a_rev);
    a_label = malloc((n_votes ? n_votes : 1) * sizeof *a_label);
    q->posterior = malloc((n_post ? n_post : 1) * sizeof *q->posterior);
    if (!a_item || !a_rev || !a_label || !q->posterior)
        goto done;
    size_t *fill = task_item; /* reused: votes placed so far per task */
    for (size_t i = 0; i < n_items; i++) {
        sl_panel_item it;
        if ((st = sl_panel_get_sparse(pb, i, &it)) != SL_OK)
            goto done;
        item_of[item_start[it.task_index] + local[i]] = i;
        for (size_t v = 0; v < it.n_votes; v++) {
            if (it.votes[v].error)
                continue;
            size_t at = task_start[it.task_index] + fill[it.task_index]++;
            a_item[at] = (uint32_t)local[i];
            a_rev[at] = it.votes[v].reviewer;
            a_label[at] = it.votes[v].label;
        }
    }
    for (size_t t = 0; t < n_tasks; t++) {
        sl_panel_task task;
        if ((st = sl_panel_task_get(pb, t, &task)) != SL_OK)
            goto done;
        size_t n_t = item_start[t + 1] - item_start[t], from = task_start[t];
        free(post);
        post = malloc((n_t * task.n_labels + 1) * sizeof *post);
        st = SL_ERR_OUT_OF_MEMORY;
        if (!post)
            goto done;
        sl_dawid_skene_out out = {post, n_t, NULL, NULL, acc, 0, 0, 0};
        st = sl_dawid_skene(ds, task_start[t + 1] - from, a_item + from, a_rev + from,
                            a_label + from, n_t, n_rev, task.n_labels, &out, NULL);
        if (st != SL_OK)
            goto done;
        q->task[t].ds_iterations = out.iterations;
        q->task[t].ds_converged = out.converged;
        for (size_t j = 0; j < n_t; j++) {
            double *dst = q->posterior + q->post_at[item_of[item_start[t] + j]];
            for (size_t c = 0; c < task.n_labels; c++)
                dst[c] = post[c * n_t + j];
        }
        for (size_t a = from; a < task_start[t + 1]; a++)
            weight[a_rev[a]]++;
        for (size_t a = from; a < task_start[t + 1]; a++)
            if (weight[a_rev[a]]) { /* the first vote of the reviewer in this task adds it */
                weighted[a_rev[a]] += acc[a_rev[a]] * (double)weight[a_rev[a]];
                q->reviewer[a_rev[a]].ds_votes += weight[a_rev[a]];
                weight[a_rev[a]] = 0;
            }
    }
    for (size_t r = 0; r < n_rev; r++)
        q->reviewer[r].ds_accuracy = q->reviewer[r].ds_votes
                                         ? weighted[r] / (double)q->reviewer[r].ds_votes
                                         : NAN;
    st = SL_OK;
done:
    free(task_start);
    free(task_item);
    free(local);
    free(item_of);
    free(item_start);
    free(acc);
    free(weighted);
    free(weight);
    free(a_item);
    free(a_rev);
    free(a_label);
    free(post);
    return st;
}

/* Outliers first: the lowest leave-one-out agreement (reviewers never compared last), then the
 * lowest Dawid-Skene accuracy, then panel order. */
static int outlier_order(const void *pa, const void *pb)
{
    const sl_panel_reviewer_quality *a = pa, *b = pb;
    int a_nan = isnan(a->agreement), b_nan = isnan(b->agreement);
    if (a_nan != b_nan)
        return a_nan - b_nan;
    if (!a_nan && a->agreement != b->agreement)
        return a->agreement < b->agreement ? -1 : 1;
    a_nan = isnan(a->ds_accuracy);
    b_nan = isnan(b->ds_accuracy);
    if (a_nan != b_nan)
        return a_nan - b_nan;
    if (!a_nan && a->ds_accuracy != b->ds_accuracy)
        return a->ds_accuracy < b->ds_accuracy ? -1 : 1;
    return a->reviewer < b->reviewer ? -1 : a->reviewer > b->reviewer;
}

sl_status sl_panel_quality_create(const sl_panel *pb, const sl_panel_quality_options *o,
                                  sl_panel_quality **out)
{
    if (!pb || !o || !out)
        return SL_ERR_NULL_ARGUMENT;
    *out = NULL;
    sl_panel_qa summary;
    sl_status st = sl_panel_qa_summary(pb, &summary); /* SL_ERR_PANEL_STATE when not finished */
    if (st != SL_OK)
        return st;
    sl_panel_quality *q = calloc(1, sizeof *q);
    if (!q)
        return SL_ERR_OUT_OF_MEMORY;
    q->n_items = sl_panel_count(pb);
    q->n_tasks = sl_panel_task_count(pb);
    q->n_reviewers = sl_panel_reviewer_count(pb);
    size_t n_labels = 0;
    sl_panel_task task;
    for (size_t t = 0; t < q->n_tasks; t++) {
        if ((st = sl_panel_task_get(pb, t, &task)) != SL_OK)
            goto fail;
        n_labels += task.n_labels;
    }
    q->task = calloc(q->n_tasks + 1, sizeof *q->task);
    q->task_label_votes = calloc(n_labels + 1, sizeof *q->task_label_votes);
    q->reviewer = calloc(q->n_reviewers + 1, sizeof *q->reviewer);
    reviewer_sums *sums = calloc(q->n_reviewers + 1, sizeof *sums);
    sl_alpha_nominal *alpha = calloc(q->n_tasks + 1, sizeof *alpha);
    double *entropy_sum = calloc(2 * q->n_tasks + 1, sizeof *entropy_sum);
    double *pairable_votes = calloc(n_labels + 1, sizeof *pairable_votes);
    st = SL_ERR_OUT_OF_MEMORY;
    if (q->task && q->task_label_votes && q->reviewer && sums && alpha && entropy_sum &&
        pairable_votes) {
        for (size_t t = 0, at = 0; t < q->n_tasks; t++) {
            sl_panel_task_get(pb, t, &task);
            q->task[t].task = t;
            q->task[t].label_votes = q->task_label_votes + at;
            at += task.n_labels;
            sl_alpha_nominal_init(&alpha[t]);
            q->task[t].ds_iterations = 0;
        }
        for (size_t r = 0; r < q->n_reviewers; r++) {
            sl_panel_reviewer rev;
            sl_panel_reviewer_get(pb, r, &rev);
            q->reviewer[r].reviewer = r;
            q->reviewer[r].gold_items = rev.gold_items;
            q->reviewer[r].gold_passes = rev.gold_passes;
        }
        st = tally(pb, q, sums, alpha, entropy_sum, pairable_votes);
    }
    if (st == SL_OK) {
        for (size_t t = 0; t < q->n_tasks; t++) {
            sl_panel_task_quality *tq = &q->task[t];
            sl_panel_task_get(pb, t, &task);
            const double *votes = pairable_votes + (tq->label_votes - q->task_label_votes);
            for (size_t c = 0; c < task.n_labels; c++)
                alpha[t].marginal_sq += votes[c] * votes[c];
            tq->krippendorff_alpha = sl_alpha_nominal_value(&alpha[t]);
            tq->mean_entropy_bits = tq->with_votes ? (entropy_sum[2 * t] + entropy_sum[2 * t + 1]) /
                                                         (double)tq->with_votes
                                                   : NAN;
            tq->gold_pass_rate =
                tq->gold_votes ? (double)tq->gold_passes / (double)tq->gold_votes : NAN;
        }
        for (size_t r = 0; r < q->n_reviewers; r++) {
            sl_panel_reviewer_quality *rq = &q->reviewer[r];
            rq->agreement = rq->compared ? sums[r].agreement / (double)rq->compared : NAN;
            rq->mean_confidence = rq->confidences ? sums[r].confidence / (double)rq->confidences
                                                  : NAN;
            rq->gold_pass_rate =
                rq->gold_items ? (double)rq->gold_passes / (double)rq->gold_items : NAN;
            rq->ds_accuracy = NAN;
        }
        if (o->dawid_skene)
            st = fit_reliability(pb, q, &o->ds);
    }
    free(sums);
    free(alpha);
    free(entropy_sum);
    free(pairable_votes);
    if (st != SL_OK)
        goto fail;
    qsort(q->reviewer, q->n_reviewers, sizeof *q->reviewer, outlier_order);
    *out = q;
    return SL_OK;
fail:
    sl_panel_quality_free(q);
    return st;
}

size_t sl_panel_quality_task_count(const sl_panel_quality *q) { return q ? q->n_tasks : 0; }

sl_status sl_panel_quality_task(const sl_panel_quality *q, size_t t, sl_panel_task_quality *out)
{
    if (!q || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (t >= q->n_tasks)
        return SL_ERR_PANEL_INDEX;
    *out = q->task[t];
    return SL_OK;
}

size_t sl_panel_quality_reviewer_count(const sl_panel_quality *q)
{
    return q ? q->n_reviewers : 0;
}

sl_status sl_panel_quality_reviewer(const sl_panel_quality *q, size_t position,
                                    sl_panel_reviewer_quality *out)
{
    if (!q || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (position >= q->n_reviewers)
        return SL_ERR_PANEL_INDEX;
    *out = q->reviewer[position];
    return SL_OK;
}

sl_status sl_panel_quality_posterior(const sl_panel_quality *q, size_t i, const double **out)
{
    if (!q || !out)
        return SL_ERR_NULL_ARGUMENT;
    if (i >= q->n_items)
        return SL_ERR_PANEL_INDEX;
    *out = q->posterior ? q->posterior + q->post_at[i] : NULL;
    return SL_OK;
}
