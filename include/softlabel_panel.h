/*
 * softlabel panel aggregation (SPEC section 4): reviewer annotations in, one soft label per item
 * out, with the batch QA figures. Included by softlabel.h; C11 and C++.
 *
 * Usage: create a panel, optionally give each task its labels (the rubric), add annotations one at
 * a time in any order (streaming: nothing needs to be sorted), finish, then read the items (in the
 * order of each item's first counted annotation), the tasks, the reviewers and the QA summary.
 *
 *     sl_panel_options o;
 *     sl_panel_options_default(&o);
 *     sl_panel *pb;
 *     sl_panel_create(&o, &pb);
 *     sl_annotation a = {"item-1", "severity", "r1", "mild", NAN, 0, NULL, NULL};
 *     if (sl_panel_add(pb, &a) != SL_OK) ...      // a status naming the bad field; nothing lost
 *     sl_panel_finish(pb);
 *     for (size_t i = 0; i < sl_panel_count(pb); i++) { sl_panel_item it; sl_panel_get(pb, i, &it); }
 *     sl_panel_free(pb);
 *
 * The rules (SPEC 4):
 *  - A task's labels are its rubric's (sl_panel_add_task), in that order; a task without a rubric
 *    entry takes the labels its counted annotations name (label and gold answer), sorted bytewise.
 *    Once any task has a rubric entry, annotations of tasks without one are refused.
 *  - One vote per (item, reviewer): a later annotation of the same pair is refused; so is one that
 *    gives the item a task other than its first counted annotation's. These conflicts need the
 *    whole panel: sl_panel_finish finds them (the earlier annotation wins, whatever the order of
 *    the calls) and lists them with sl_panel_conflict_get. Everything else is checked by the add
 *    call itself, which then adds nothing.
 *  - An annotation marked as a reviewer error (error = 1) is kept with its item but not counted in
 *    the distribution; reviewer_count counts the other (distinct) reviewers.
 *  - distribution_c = votes_c / reviewer_count; entropy in bits (0 log 0 = 0); classes as
 *    sl_panel_classify; adjudication: to the item's gold answer (the first counted annotation's),
 *    else, where asked (options.adjudicate or per task), to the plurality label unless it is tied.
 *  - Flags for re-review: items with votes whose entropy divided by log2(labels) (0 for one label)
 *    is >= flag_entropy; reason "high_entropy_no_confidence" when no counted vote gave a
 *    confidence, else "rubric_review" when the mean confidence is < flag_confidence, else
 *    "genuine_ambiguity".
 *  - Every figure is the same bits for any number of threads (options.threads).
 *
 * Cost: time and memory proportional to the annotations (with their strings), the labels and the
 * items: never labels x items (a dense distribution is built only when sl_panel_get asks for it).
 * A panel is not thread-safe while annotations are added; once finished, every read-only call may
 * be made from any number of threads at once.
 */
#ifndef SOFTLABEL_PANEL_H
#define SOFTLABEL_PANEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_panel sl_panel; /* opaque */

typedef struct sl_panel_options {
    size_t min_reviewers;                  /* default 2; >= 1 and <= INT32_MAX */
    double majority;                       /* default 2/3; in (0, 1] */
    int adjudicate;                        /* 0 none (default), 1 plurality (tasks may override) */
    double flag_entropy, flag_confidence;  /* defaults 0.5, 0.5; each in [0, 1] */
    /* beyond the contract (0 in a zero-initialized struct means the default) */
    size_t threads;                        /* threads sl_panel_finish may use: 0 or 1 none started
                                              (default 1), at most SL_MAX_THREADS */
} sl_panel_options;

/* Fills *o with the defaults above. */
SL_API void sl_panel_options_default(sl_panel_options *o);

/* A new, empty panel. Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PARAM_MIN_REVIEWERS,
 * SL_ERR_PARAM_MAJORITY, SL_ERR_PARAM_ADJUDICATE, SL_ERR_PARAM_FLAG_ENTROPY,
 * SL_ERR_PARAM_FLAG_CONFIDENCE, SL_ERR_THREAD_COUNT, SL_ERR_OUT_OF_MEMORY (*out is NULL then). */
SL_API sl_status sl_panel_create(const sl_panel_options *o, sl_panel **out);

/* The rubric entry of a task: its n_labels labels, in order (strings are copied). Only before the
 * first annotation. Errors (the panel is unchanged): SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_STATE
 * (annotations were added already), SL_ERR_PANEL_TASK (task empty), SL_ERR_PANEL_LABEL (no labels,
 * or a label NULL or empty), SL_ERR_PANEL_TASK_TWICE, SL_ERR_PANEL_LABEL_TWICE,
 * SL_ERR_OUT_OF_MEMORY. Time and memory proportional to the labels' bytes. */
SL_API sl_status sl_panel_add_task(sl_panel *pb, const char *task, const char *const *labels,
                                   size_t n_labels);

/* A task's own adjudication (-1: the options' adjudicate, 0: none, 1: plurality), for a task given
 * to sl_panel_add_task. Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_STATE (after sl_panel_finish),
 * SL_ERR_PANEL_UNKNOWN_TASK, SL_ERR_PARAM_ADJUDICATE. */
SL_API sl_status sl_panel_set_adjudicate(sl_panel *pb, const char *task, int adjudicate);

typedef struct sl_annotation {
    const char *item_id, *task, *reviewer, *label; /* required, non-empty */
    double confidence;                             /* in [0, 1]; NaN: not given */
    int error;                                     /* 1: a QA-marked reviewer error, excluded */
    const char *gold;                              /* the item's verifiable answer; NULL: none */
    const char *evidence;                          /* NULL: none */
} sl_annotation;

/* Adds one annotation (its strings are copied). Its tag (see sl_panel_vote) is the number of add
 * calls before it, counting sl_panel_add and sl_panel_add_span alike.
 * Errors, in the order checked (nothing is added, nothing added before is lost):
 * SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_STATE (after sl_panel_finish), SL_ERR_PANEL_ITEM_ID,
 * SL_ERR_PANEL_TASK, SL_ERR_PANEL_REVIEWER, SL_ERR_PANEL_LABEL (the field NULL or empty),
 * SL_ERR_PANEL_CONFIDENCE (not NaN and not in [0, 1]), SL_ERR_PANEL_ERROR_MARK (not 0 or 1),
 * SL_ERR_PANEL_UNKNOWN_TASK (the panel has a rubric and the task is not in it),
 * SL_ERR_PANEL_UNKNOWN_LABEL (not a rubric label of the task), SL_ERR_PANEL_TOO_LARGE (2^32 - 1
 * annotations, tasks, reviewers or labels; an item id of 4 GiB or evidence of 1 GiB or more),
 * SL_ERR_OUT_OF_MEMORY.
 * One status means the annotation WAS added: SL_ERR_PANEL_UNKNOWN_GOLD (the gold answer is not a
 * rubric label of the task): the vote counts, its gold answer is ignored. */
SL_API sl_status sl_panel_add(sl_panel *pb, const sl_annotation *a);

/* Bytes by (pointer, length): any bytes, NUL included; len 0 is empty (absent for gold and
 * evidence). */
typedef struct sl_str {
    const char *ptr;
    size_t len;
} sl_str;

/* sl_annotation by spans, with the caller's tag (any number, e.g. the record's position in a file;
 * conflicts and votes name annotations by it). */
typedef struct sl_annotation_span {
    sl_str item_id, task, reviewer, label;
    double confidence;
    int error;
    sl_str gold, evidence;
    uint64_t tag;
} sl_annotation_span;

/* As sl_panel_add, without a strlen per field. */
SL_API sl_status sl_panel_add_span(sl_panel *pb, const sl_annotation_span *a);

/* Groups the annotations into items and computes everything. Only once; no annotation may be
 * added afterwards. Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_STATE (finished already),
 * SL_ERR_OUT_OF_MEMORY (the panel can then only be freed), SL_ERR_ISA_UNKNOWN /
 * SL_ERR_ISA_UNSUPPORTED (a bad SOFTLABEL_ISA). */
SL_API sl_status sl_panel_finish(sl_panel *pb);

/* The conflicts sl_panel_finish resolved, by tag (then status). SL_ERR_PANEL_DUPLICATE (the
 * reviewer annotated the item before: other_tag) and SL_ERR_PANEL_TASK_CONFLICT (the item has the
 * task of other_tag) refuse the annotation; SL_ERR_PANEL_GOLD_CONFLICT (other_tag gave the item
 * another gold answer) ignores only its gold answer. 0 before sl_panel_finish. */
typedef struct sl_panel_conflict {
    uint64_t tag, other_tag;
    sl_status status;
} sl_panel_conflict;
SL_API size_t sl_panel_conflict_count(const sl_panel *pb);
SL_API sl_status sl_panel_conflict_get(const sl_panel *pb, size_t i, sl_panel_conflict *out);

/* Items with at least one counted annotation, in the order of their first one (0 before finish). */
SL_API size_t sl_panel_count(const sl_panel *pb);

/* One counted annotation of an item. */
typedef struct sl_panel_vote {
    uint64_t tag;             /* see sl_panel_add / sl_annotation_span */
    double confidence;        /* NaN: not given */
    const char *evidence;     /* NULL: none; evidence_len bytes (NUL-terminated as well) */
    size_t evidence_len;
    uint32_t reviewer;        /* index for sl_panel_reviewer_get */
    uint32_t label;           /* index into the item's labels */
    int error;                /* 1: marked as a reviewer error (kept, not in the distribution) */
} sl_panel_vote;

/* A label's counted votes in an item. */
typedef struct sl_panel_label_votes {
    uint32_t label;           /* index into the item's labels */
    double votes;             /* >= 1 */
    double share;             /* votes / reviewer_count: the distribution's value */
} sl_panel_label_votes;

typedef struct sl_panel_item {
    const char *item_id, *task;
    size_t n_labels;
    const char *const *labels;
    const double *distribution;       /* n_labels shares (all 0 without counted votes);
                                         NULL from sl_panel_get_sparse */
    size_t reviewer_count;            /* counted votes: distinct reviewers, error marks excluded */
    double entropy_bits;
    const char *disagreement_class;   /* "agreement" | "minor" | "major" | "unresolved" */
    const char *adjudicated_label;    /* NULL unless adjudicated */
    const char *adjudication_reason;
    /* beyond the contract */
    size_t item_id_len;
    size_t task_index;                /* for sl_panel_task_get */
    sl_disagreement disagreement;
    const sl_panel_vote *votes;       /* every counted annotation (error marks included), in the
                                         order added */
    size_t n_votes;
    const sl_panel_label_votes *label_votes; /* labels with votes, in label order */
    size_t n_label_votes;
    double top_share;                 /* largest share (0 without votes) */
    int32_t top_label;                /* first label with the largest share (0 without votes) */
    int32_t top_ties;                 /* labels holding the largest share (n_labels without votes) */
    int32_t gold;                     /* label index of the gold answer, -1: none */
    int32_t adjudicated;              /* label index of adjudicated_label, -1: none */
    size_t error_marks;               /* votes marked as reviewer errors */
    size_t confidences;               /* counted votes (no error mark) that gave a confidence */
    double mean_confidence;           /* their mean; NaN when none */
    const char *flag;                 /* NULL, or why it is flagged for re-review */
} sl_panel_item;

/* Item i (0 <= i < sl_panel_count). Pointers stay valid until sl_panel_free. The first call for an
 * item builds its dense distribution (n_labels doubles). Errors: SL_ERR_NULL_ARGUMENT,
 * SL_ERR_PANEL_STATE (not finished), SL_ERR_PANEL_INDEX, SL_ERR_OUT_OF_MEMORY. */
SL_API sl_status sl_panel_get(const sl_panel *pb, size_t i, sl_panel_item *out);

/* As sl_panel_get, without the dense distribution (out->distribution NULL; label_votes has the
 * non-zero shares): allocates nothing, costs O(1). */
SL_API sl_status sl_panel_get_sparse(const sl_panel *pb, size_t i, sl_panel_item *out);

/* Tasks in the order of first appearance (rubric entries first, in the order given). */
typedef struct sl_panel_task {
    const char *name;
    size_t n_labels;
    const char *const *labels;
    int adjudicate;                   /* 0 none, 1 plurality */
    size_t items;                     /* items of the task */
} sl_panel_task;
SL_API size_t sl_panel_task_count(const sl_panel *pb);
SL_API sl_status sl_panel_task_get(const sl_panel *pb, size_t t, sl_panel_task *out);

/* Reviewers in the order of first appearance, in the annotations the add calls accepted (those
 * refused at finish included: their votes count 0). */
typedef struct sl_panel_reviewer {
    const char *name;
    size_t name_len;
    size_t votes;                     /* counted annotations */
    size_t gold_items;                /* counted annotations of items with a gold answer */
    size_t gold_passes;               /* those whose label is the gold answer */
} sl_panel_reviewer;
SL_API size_t sl_panel_reviewer_count(const sl_panel *pb);
SL_API sl_status sl_panel_reviewer_get(const sl_panel *pb, size_t r, sl_panel_reviewer *out);

typedef struct sl_panel_qa {
    size_t items, annotations, reviewers;         /* counted annotations; reviewers with one */
    double mean_entropy_bits, krippendorff_alpha; /* NaN where undefined */
    double reviewer_gold_pass_rate;  /* mean over reviewers with gold items of their pass rate;
                                        NaN without gold items */
    size_t flagged;
    /* beyond the contract */
    size_t classes[SL_DISAGREEMENT_CLASSES];      /* items per class (sl_disagreement order) */
    size_t with_votes;                            /* items with at least one counted vote */
    size_t gold_items;                            /* items with a gold answer */
} sl_panel_qa;

/* Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_STATE (not finished). */
SL_API sl_status sl_panel_qa_summary(const sl_panel *pb, sl_panel_qa *out);

/* Frees everything (NULL: nothing). */
SL_API void sl_panel_free(sl_panel *pb);

/* ---------------------------------------------------------------------------------------------
 * Panel QA in depth: per task, per reviewer, and reviewer reliability (Dawid-Skene)
 *
 * Computed once from a finished panel (which must outlive nothing: the result keeps no pointer
 * into it) by sl_panel_quality_create:
 *  - per task: items, counted votes per label, Krippendorff's alpha (nominal) of its items, mean
 *    entropy, items per disagreement class, flagged items, gold pass rate (counted annotations of
 *    its gold items, error marks included as in sl_panel_reviewer, whose label is the gold one);
 *  - per reviewer: votes (counted, error marks excluded), agreement with the leave-one-out
 *    plurality (each vote against the plurality of the item's other counted votes: 1 when its
 *    label alone has the most, 1/t when it is one of t labels tied there, 0 otherwise; the mean
 *    over the votes on items with another counted vote), mean self-reported confidence, gold pass
 *    rate, Dawid-Skene accuracy; listed with the outliers first (lowest agreement, then lowest
 *    accuracy; reviewers never compared last);
 *  - Dawid-Skene (options.dawid_skene): sl_dawid_skene fitted per task on its counted votes
 *    without error marks, giving each item a posterior distribution over its task's labels and
 *    each reviewer an accuracy (per task, weighted by its votes in each task).
 * ------------------------------------------------------------------------------------------- */

typedef struct sl_panel_quality sl_panel_quality; /* opaque */

typedef struct sl_panel_quality_options {
    int dawid_skene;            /* 1 (default): fit Dawid-Skene per task; 0: skip it */
    sl_dawid_skene_options ds;  /* its options (crowd-kit's defaults) */
    size_t ds_max_labels;       /* tasks with more labels are not fitted (default 64): its model
                                   holds labels x labels per reviewer and labels per item */
} sl_panel_quality_options;

/* Fills *o with the defaults above. */
SL_API void sl_panel_quality_options_default(sl_panel_quality_options *o);

/* Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_STATE (the panel is not finished), those of
 * sl_dawid_skene's options, SL_ERR_OUT_OF_MEMORY (*out is NULL then). Memory: with Dawid-Skene,
 * one double per label of each item's task, and sl_dawid_skene's while it runs. */
SL_API sl_status sl_panel_quality_create(const sl_panel *pb, const sl_panel_quality_options *o,
                                         sl_panel_quality **out);

typedef struct sl_panel_task_quality {
    size_t task;                 /* index for sl_panel_task_get */
    size_t items, with_votes;    /* items; those with at least one counted vote */
    size_t annotations;          /* counted votes without error marks */
    const size_t *label_votes;   /* the task's n_labels labels: those votes per label */
    double krippendorff_alpha;   /* nominal, over the task's items; NaN where undefined */
    double mean_entropy_bits;    /* over items with votes; NaN when none */
    size_t classes[SL_DISAGREEMENT_CLASSES];
    size_t flagged;
    size_t gold_items, gold_votes, gold_passes;
    double gold_pass_rate;       /* gold_passes / gold_votes; NaN without gold items */
    int ds_fitted;               /* 1: Dawid-Skene was fitted (0: not asked, or too many labels) */
    uint32_t ds_iterations;      /* Dawid-Skene's EM iterations (0: not fitted) */
    int ds_converged;            /* 1: stopped by its tolerance */
} sl_panel_task_quality;

SL_API size_t sl_panel_quality_task_count(const sl_panel_quality *q);
/* Task t, in sl_panel_task_get's order. Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_INDEX. */
SL_API sl_status sl_panel_quality_task(const sl_panel_quality *q, size_t t,
                                       sl_panel_task_quality *out);

typedef struct sl_panel_reviewer_quality {
    size_t reviewer;             /* index for sl_panel_reviewer_get */
    size_t votes;                /* counted votes without error marks */
    size_t error_marks;          /* counted votes marked as reviewer errors */
    size_t compared;             /* votes on items with another counted vote */
    double agreement;            /* leave-one-out plurality agreement; NaN when compared = 0 */
    size_t confidences;          /* votes that gave a confidence */
    double mean_confidence;      /* NaN when none */
    size_t gold_items, gold_passes;
    double gold_pass_rate;       /* NaN without gold items */
    size_t ds_votes;             /* votes Dawid-Skene was fitted on */
    double ds_accuracy;          /* NaN when not fitted or without votes */
} sl_panel_reviewer_quality;

SL_API size_t sl_panel_quality_reviewer_count(const sl_panel_quality *q);
/* The reviewer at `position` in outlier order (0: the most outlying). Errors:
 * SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_INDEX. */
SL_API sl_status sl_panel_quality_reviewer(const sl_panel_quality *q, size_t position,
                                           sl_panel_reviewer_quality *out);

/* Item i's (sl_panel_get's order) Dawid-Skene posterior: n_labels doubles in its task's label
 * order, as sl_dawid_skene gives them (labels no vote of the task uses: 0; an item whose votes are
 * all error marks: NaN); *out NULL when Dawid-Skene was not fitted to its task. Valid until
 * sl_panel_quality_free. Errors: SL_ERR_NULL_ARGUMENT, SL_ERR_PANEL_INDEX. */
SL_API sl_status sl_panel_quality_posterior(const sl_panel_quality *q, size_t i,
                                            const double **out);

/* Frees everything (NULL: nothing). */
SL_API void sl_panel_quality_free(sl_panel_quality *q);

#ifdef __cplusplus
}
#endif

#endif /* SOFTLABEL_PANEL_H */
