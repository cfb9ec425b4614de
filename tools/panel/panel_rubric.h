/*
 * The rubric of `softlabel panel`: for each task, its labels in order (parsed with libyaml).
 *
 *   tumor_severity: [mild, moderate, severe]     # a task and its labels, in order
 *   helpfulness:                                 # or a mapping with the labels and options:
 *     labels: [unhelpful, partial, helpful]
 *     adjudicate: plurality                      #   hard labels for this task (none|plurality)
 *     description: free text                     #   other keys are ignored
 */
#ifndef SL_TOOLS_PANEL_RUBRIC_H
#define SL_TOOLS_PANEL_RUBRIC_H

#include <stddef.h>

typedef struct sl_rubric_task {
    char *name;
    char **labels;
    size_t n_labels;
    int adjudicate; /* -1: not set (the command line decides), 0: none, 1: plurality */
} sl_rubric_task;

typedef struct sl_rubric {
    sl_rubric_task *tasks;
    size_t n_tasks;
} sl_rubric;

/* Loads path into *out. Returns 0, -2 when the file cannot be opened (a directory included), or
 * -1 with "FILE:LINE: what" in err (the rubric is then empty): not YAML, not a mapping of tasks,
 * a task without labels, a label that is not a plain value, a label or task given twice, an
 * unknown adjudicate value, a second YAML document. */
int sl_rubric_load(const char *path, sl_rubric *out, char *err, size_t errlen);
void sl_rubric_free(sl_rubric *r);

#endif
