/* The rubric: see panel_rubric.h. */
#include "panel_rubric.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "panel_intern.h"

void sl_rubric_free(sl_rubric *r)
{
    for (size_t t = 0; t < r->n_tasks; t++) {
        for (size_t l = 0; l < r->tasks[t].n_labels; l++)
            free(r->tasks[t].labels[l]);
        free(r->tasks[t].labels);
        free(r->tasks[t].name);
    }
    free(r->tasks);
    r->tasks = NULL;
    r->n_tasks = 0;
}

typedef struct parse_ctx {
    yaml_document_t *doc;
    const char *path;
    char *err;
    size_t errlen;
} parse_ctx;

static int fail(parse_ctx *c, const yaml_node_t *node, const char *what, const char *value)
{
    snprintf(c->err, c->errlen, "%s:%lu: %s%s%s%s", c->path,
             node ? (unsigned long)node->start_mark.line + 1 : 0ul, what, value ? " '" : "",
             value ? value : "", value ? "'" : "");
    return -1;
}

static const char *scalar(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

/* A scalar holding a NUL character ("\0" in a quoted YAML string): as C text it would be cut
 * there, and a label silently become another one. */
static int has_nul(const yaml_node_t *node)
{
    return strlen(scalar(node)) != node->data.scalar.length;
}

/* The labels of a task from a sequence node. */
static int read_labels(parse_ctx *c, yaml_node_t *seq, sl_rubric_task *task)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return fail(c, seq, "the labels of a task must be a list, task", task->name);
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    if (n == 0)
        return fail(c, seq, "no labels for task", task->name);
    task->labels = calloc(n, sizeof *task->labels);
    if (!task->labels)
        return fail(c, seq, "out of memory", NULL);
    sl_intern seen; /* a label given twice is found by one hash lookup: O(labels) in all */
    sl_intern_init(&seen);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]);
        const char *label = scalar(item);
        int added = 0;
        if (!label || !*label)
            rc = fail(c, item, "a label must be a plain non-empty value, in task", task->name);
        else if (has_nul(item))
            rc = fail(c, item, "a label holds a NUL character, in task", task->name);
        else if (sl_intern_add(&seen, label, strlen(label), &added) < 0)
            rc = fail(c, item, "out of memory", NULL);
        else if (!added)
            rc = fail(c, item, "label given twice:", label);
        else if (!(task->labels[task->n_labels] = strdup(label)))
            rc = fail(c, item, "out of memory", NULL);
        else
            task->n_labels++;
    }
    sl_intern_free(&seen);
    return rc;
}

/* A task given as a mapping: labels (required), adjudicate (optional), anything else ignored. */
static int read_task_mapping(parse_ctx *c, yaml_node_t *map, sl_rubric_task *task)
{
    yaml_node_t *labels = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
        const char *k = scalar(key);
        if (k && strcmp(k, "labels") == 0) {
            labels = value;
        } else if (k && strcmp(k, "adjudicate") == 0) {
            const char *v = scalar(value);
            if (v && strcmp(v, "plurality") == 0)
                task->adjudicate = 1;
            else if (v && strcmp(v, "none") == 0)
                task->adjudicate = 0;
            else
                return fail(c, value, "adjudicate must be none or plurality, not", v ? v : "?");
        }
    }
    if (!labels)
        return fail(c, map, "no 'labels' list for task", task->name);
    return read_labels(c, labels, task);
}

static int read_rubric(parse_ctx *c, sl_rubric *out)
{
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root)
        return fail(c, NULL, "empty rubric (expected a mapping: task -> labels)", NULL);
    if (root->type != YAML_MAPPING_NODE)
        return fail(c, root, "the rubric must be a mapping: task -> list of labels", NULL);
    size_t n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
    out->tasks = calloc(n ? n : 1, sizeof *out->tasks);
    if (!out->tasks)
        return fail(c, root, "out of memory", NULL);
    sl_intern seen; /* task names, as the labels in read_labels */
    sl_intern_init(&seen);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        yaml_node_pair_t *p = &root->data.mapping.pairs.start[i];
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
        const char *name = scalar(key);
        int added = 0;
        if (!name || !*name) {
            rc = fail(c, key, "a task name must be a plain non-empty value", NULL);
        } else if (has_nul(key)) {
            rc = fail(c, key, "a task name holds a NUL character:", name);
        } else if (sl_intern_add(&seen, name, strlen(name), &added) < 0) {
            rc = fail(c, key, "out of memory", NULL);
        } else if (!added) {
            rc = fail(c, key, "task given twice:", name);
        } else {
            sl_rubric_task *task = &out->tasks[out->n_tasks++];
            task->adjudicate = -1;
            task->name = strdup(name);
            if (!task->name)
                rc = fail(c, key, "out of memory", NULL);
            else
                rc = value && value->type == YAML_MAPPING_NODE ? read_task_mapping(c, value, task)
                                                               : read_labels(c, value, task);
        }
    }
    sl_intern_free(&seen);
    return rc;
}

int sl_rubric_load(const char *path, sl_rubric *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        snprintf(err, errlen, "cannot read rubric '%s': %s", path, strerror(errno));
        return -2;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = -1;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%lu: not valid YAML: %s", path,
                 (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "parse error");
    } else {
        parse_ctx c = {&doc, path, err, errlen};
        rc = read_rubric(&c, out);
        yaml_document_delete(&doc);
        /* a second document would be ignored silently: refuse it (an empty load is the end) */
        if (rc == 0 && !yaml_parser_load(&parser, &doc)) {
            snprintf(err, errlen, "%s:%lu: not valid YAML: %s", path,
                     (unsigned long)parser.problem_mark.line + 1,
                     parser.problem ? parser.problem : "parse error");
            rc = -1;
        } else if (rc == 0) {
            yaml_node_t *extra = yaml_document_get_root_node(&doc);
            if (extra) {
                snprintf(err, errlen, "%s:%lu: a second YAML document: a rubric is one document",
                         path, (unsigned long)extra->start_mark.line + 1);
                rc = -1;
            }
            yaml_document_delete(&doc);
        }
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc)
        sl_rubric_free(out);
    return rc;
}
