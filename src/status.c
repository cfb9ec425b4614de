#include "softlabel.h"

const char *sl_status_str(sl_status s)
{
    switch (s) {
    case SL_OK: return "ok";
    case SL_ERR_NULL_ARGUMENT: return "a required pointer argument is NULL";
    case SL_ERR_NOT_INITIALIZED: return "the sl_proxy was not initialized by sl_proxy_init";
    case SL_ERR_PARAM_W_PROGRESS: return "w_progress must be finite and >= 0";
    case SL_ERR_PARAM_W_REWORK: return "w_rework must be finite and >= 0";
    case SL_ERR_PARAM_W_VERIFIER: return "w_verifier must be finite and >= 0";
    case SL_ERR_PARAM_W_ENGAGEMENT: return "w_engagement must be finite and >= 0";
    case SL_ERR_PARAM_SIGMOID_K: return "sigmoid_k must be in (0, 100]";
    case SL_ERR_PARAM_REWORK_DECAY: return "rework_decay must be in [0.01, 1)";
    case SL_ERR_PARAM_REJECTION_DECAY: return "rejection_decay must be in [0.01, 1)";
    case SL_ERR_PARAM_MISUSE_DECAY: return "misuse_decay must be in [0.01, 1)";
    case SL_ERR_PARAM_WEIGHT_SUM: return "the sum of the weights overflows";
    case SL_ERR_NAN_TASK_PROGRESS: return "task_progress_delta is NaN";
    case SL_ERR_NEGATIVE_REWORK_COUNT: return "rework_count is negative";
    case SL_ERR_NEGATIVE_VERIFIER_REJECTIONS: return "verifier_rejections is negative";
    case SL_ERR_NEGATIVE_TOOL_MISUSE: return "tool_misuse_flags is negative";
    case SL_ERR_NAN_ENGAGEMENT: return "counterparty_engagement_delta is NaN";
    case SL_ERR_NAN_INPUT: return "input value is NaN";
    case SL_ERR_INVERSE_SIGMOID_DOMAIN: return "inverse sigmoid input p must be in (0, 1)";
    case SL_ERR_ISA_UNKNOWN: return "no instruction-set path of that name in this build";
    case SL_ERR_ISA_UNSUPPORTED: return "this CPU or OS cannot run the requested instruction-set path";
    case SL_ERR_THREAD_COUNT: return "n_threads must be in 1 .. SL_MAX_THREADS";
    case SL_ERR_PARAM_S_PLUS: return "s_plus must be finite and >= 0";
    case SL_ERR_PARAM_S_MINUS: return "s_minus must be finite and >= 0";
    case SL_ERR_PARAM_H: return "h must be finite and >= 0";
    case SL_ERR_PARAM_THETA: return "theta must be in [0, 1]";
    case SL_ERR_PARAM_RHO_A: return "rho_a must be in [0, 1]";
    case SL_ERR_PARAM_RHO_B: return "rho_b must be in [0, 1]";
    case SL_ERR_PARAM_W_REP: return "w_rep must be in [0, 100]";
    case SL_ERR_BREAK_EVEN_UNDEFINED: return "break-even p is undefined: its denominator is 0";
    case SL_ERR_INVALID_P: return "p is NaN or outside [0, 1]";
    case SL_ERR_NONFINITE_TAU: return "tau is NaN or infinite";
    case SL_ERR_NONFINITE_C_A: return "c_a is NaN or infinite";
    case SL_ERR_NONFINITE_C_B: return "c_b is NaN or infinite";
    case SL_ERR_NONFINITE_R_A: return "r_a is NaN or infinite";
    case SL_ERR_NONFINITE_R_B: return "r_b is NaN or infinite";
    case SL_ERR_PAYOFF_OVERFLOW: return "the payoffs of finite inputs overflow to infinity";
    case SL_ERR_INVALID_ACCEPTED: return "accepted must be 0 or 1";
    case SL_ERR_INVALID_GROUND_TRUTH: return "ground_truth must be +1, -1 or 0 (none)";
    case SL_ERR_P_GIVEN: return "a fused call computes p from the observables: in->p must be NULL";
    case SL_ERR_STATE_MISMATCH: return "metrics states differ in payoff parameters or flags, or are the same state";
    case SL_ERR_OUT_OF_MEMORY: return "out of memory";
    case SL_ERR_PANEL_BAD_VOTES: return "a vote count is negative, NaN or infinite";
    case SL_ERR_DIST_BAD_VALUE: return "a probability is NaN or outside [0, 1]";
    case SL_ERR_DIST_SUM: return "a distribution does not sum to 1 within 1e-6";
    case SL_ERR_PARAM_MIN_REVIEWERS: return "min_reviewers must be at least 1";
    case SL_ERR_PARAM_MAJORITY: return "majority_threshold must be in (0, 1]";
    case SL_ERR_PANEL_SHAPE: return "no labels (k = 0) or a leading dimension smaller than the item count";
    case SL_ERR_ALPHA_TOTALS: return "the per-unit totals do not add up to the votes";
    case SL_ERR_SIZE_OVERFLOW: return "an array size (n, k * ld) exceeds the largest object (PTRDIFF_MAX bytes)";
    case SL_ERR_OVERLAP: return "an output buffer overlaps another output or an input";
    case SL_ERR_PANEL_ITEM_ID: return "annotation: item_id missing or empty";
    case SL_ERR_PANEL_TASK: return "annotation: task missing or empty";
    case SL_ERR_PANEL_REVIEWER: return "annotation: reviewer missing or empty";
    case SL_ERR_PANEL_LABEL: return "annotation: label missing or empty";
    case SL_ERR_PANEL_CONFIDENCE: return "annotation: confidence not in [0, 1]";
    case SL_ERR_PANEL_ERROR_MARK: return "annotation: error mark not 0 or 1";
    case SL_ERR_PANEL_UNKNOWN_TASK: return "annotation: task not in the rubric";
    case SL_ERR_PANEL_UNKNOWN_LABEL: return "annotation: label not a rubric label of the task";
    case SL_ERR_PANEL_UNKNOWN_GOLD: return "annotation: gold answer not a rubric label of the task (ignored; the vote counts)";
    case SL_ERR_PANEL_TASK_CONFLICT: return "annotation: the item has another task";
    case SL_ERR_PANEL_DUPLICATE: return "annotation: the reviewer annotated the item before";
    case SL_ERR_PANEL_GOLD_CONFLICT: return "annotation: the item has another gold answer (ignored; the vote counts)";
    case SL_ERR_PANEL_STATE: return "the panel is finished (no more annotations) or not finished yet";
    case SL_ERR_PANEL_TASK_TWICE: return "rubric: the task is given twice";
    case SL_ERR_PANEL_LABEL_TWICE: return "rubric: a label of the task is given twice";
    case SL_ERR_PANEL_INDEX: return "index out of range";
    case SL_ERR_PANEL_TOO_LARGE: return "the panel holds 2^32 - 1 annotations, items, tasks, reviewers or labels";
    case SL_ERR_PARAM_ADJUDICATE: return "adjudicate must be 0 (none) or 1 (plurality)";
    case SL_ERR_PARAM_FLAG_ENTROPY: return "flag_entropy must be in [0, 1]";
    case SL_ERR_PARAM_FLAG_CONFIDENCE: return "flag_confidence must be in [0, 1]";
    case SL_ERR_DS_ITEM: return "an annotation's item index is not below the item count";
    case SL_ERR_DS_REVIEWER: return "an annotation's reviewer index is not below the reviewer count";
    case SL_ERR_DS_LABEL: return "an annotation's label index is not below the label count";
    case SL_ERR_PARAM_DS_ITERATIONS: return "max_iterations must be at least 1";
    case SL_ERR_PARAM_DS_TOLERANCE: return "tolerance must be finite";
    case SL_ERR_PARAM_BINS: return "bins must be in 1 .. SL_METRICS_MAX_BINS";
    case SL_ERR_PARAM_QUALITY_THRESHOLD: return "quality_threshold must not be NaN";
    case SL_ERR_PARAM_UNCERTAINTY_BAND: return "uncertainty_band must not be NaN";
    case SL_ERR_PARAM_LOG_LOSS_EPS:
        return "log_loss_eps must be in (0, 1) with 1 - eps below 1 in double";
    case SL_ERR_PARAM_METRICS_FLAGS: return "unknown metrics flag";
    case SL_ERR_BLOB_TRUNCATED: return "serialized metrics state: truncated";
    case SL_ERR_BLOB_MAGIC: return "not a serialized metrics state (no SLMETRIC magic)";
    case SL_ERR_BLOB_VERSION:
        return "serialized metrics state: a format version this library does not read";
    case SL_ERR_BLOB_CHECKSUM: return "serialized metrics state: checksum mismatch (corrupted)";
    case SL_ERR_BLOB_CORRUPT: return "serialized metrics state: content is not a valid state";
    case SL_ERR_BUFFER_TOO_SMALL: return "the output buffer is smaller than the size needed";
    }
    return "unknown status";
}

const char *sl_version(void) { return SOFTLABEL_VERSION_STRING; }
