/* The command-line option parser of every command: see options.h. */
#include "options.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cli_util.h"
#include "numtext.h"

#define SYNOPSIS_WIDTH 100 /* the synopsis wraps before this column */
#define HELP_COLUMN 25     /* where an option's help text starts */

/* The value's name as the usage text shows it (an enum: its choices). */
static const char *value_name(const sl_option *o)
{
    return o->kind == SL_OPT_ENUM ? o->choices : o->value;
}

void sl_options_usage(const sl_command_options *c, FILE *f)
{
    int indent = fprintf(f, "usage: softlabel %s", c->command), col = indent;
    for (size_t i = 0; i < c->count; i++) {
        const sl_option *o = &c->options[i];
        bool optional = !(o->flags & SL_OPT_REQUIRED);
        const char *v = o->kind == SL_OPT_FLAG ? NULL : value_name(o);
        int len = (int)strlen(o->name) + (v ? 1 + (int)strlen(v) : 0) + (optional ? 2 : 0);
        if (col + 1 + len > SYNOPSIS_WIDTH) {
            col = fprintf(f, "\n%*s", indent, "") - 1;
        }
        col += fprintf(f, " %s%s%s%s%s", optional ? "[" : "", o->name, v ? " " : "", v ? v : "",
                       optional ? "]" : "");
    }
    fprintf(f, "\n%s", c->about);
    for (size_t i = 0; i < c->count; i++) {
        const sl_option *o = &c->options[i];
        const char *v = o->kind == SL_OPT_FLAG ? NULL : value_name(o);
        int len = fprintf(f, "  %s%s%s", o->name, v ? " " : "", v ? v : "");
        const char *h = o->help;
        if (len >= HELP_COLUMN - 1) { /* too long for the column: the help starts below */
            fputc('\n', f);
            len = 0;
        }
        for (;;) {
            const char *nl = strchr(h, '\n');
            fprintf(f, "%*s%.*s\n", HELP_COLUMN - len, "", (int)(nl ? nl - h : (long)strlen(h)), h);
            if (!nl)
                break;
            h = nl + 1;
            len = 0;
        }
    }
    if (c->notes)
        fputs(c->notes, f);
}

static int mistake(const sl_command_options *c, const char *what, const char *name,
                   const char *value)
{
    fprintf(stderr, "softlabel %s: %s%s%s%s%s (see softlabel %s --help)\n", c->command, name, what,
            value ? " '" : "", value ? value : "", value ? "'" : "", c->command);
    return SL_EX_USAGE;
}

/* A finite real, or with SL_OPT_FRACTION a fraction a/b of two. */
static int parse_real(const char *s, bool fraction, double *out)
{
    const char *slash = fraction ? strchr(s, '/') : NULL;
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    double a, b = 1.0;
    if (sl_parse_f64(s, n, &a) ||
        (slash && (sl_parse_f64(slash + 1, strlen(slash + 1), &b) || b == 0.0)))
        return -1;
    *out = a / b;
    return isfinite(*out) ? 0 : -1;
}

/* Stores value v of option o; returns 0, or SL_EX_USAGE after printing why it is refused. */
static int store(const sl_command_options *c, const sl_option *o, const char *v)
{
    char range[192];
    switch (o->kind) {
    case SL_OPT_FLAG:
        return mistake(c, " takes no value, given", o->name, v);
    case SL_OPT_PATH:
        if (!*v)
            return mistake(c, ": an empty file name", o->name, NULL);
        /* fall through */
    case SL_OPT_STRING:
        *(const char **)o->dest = v;
        return 0;
    case SL_OPT_COUNT: {
        int64_t x;
        int64_t hi = o->hi > (size_t)INT64_MAX ? INT64_MAX : (int64_t)o->hi;
        if (sl_parse_whole(v, strlen(v), (int64_t)o->lo, hi, &x) != SL_WHOLE_OK) {
            if (o->hi == SIZE_MAX)
                snprintf(range, sizeof range, " must be a whole number from %zu, not", o->lo);
            else
                snprintf(range, sizeof range, " must be a whole number in %zu .. %zu, not", o->lo,
                         o->hi);
            return mistake(c, range, o->name, v);
        }
        *(size_t *)o->dest = (size_t)x;
        return 0;
    }
    case SL_OPT_REAL: {
        double x;
        bool above = o->flags & SL_OPT_ABOVE_MIN;
        if (parse_real(v, o->flags & SL_OPT_FRACTION, &x) || (above ? !(x > o->min) : x < o->min) ||
            x > o->max) {
            if (isinf(o->min) && isinf(o->max))
                snprintf(range, sizeof range, " must be a finite number, not");
            else
                snprintf(range, sizeof range, " must be a number in %c%.17g, %.17g]%s, not",
                         above ? '(' : '[', o->min, o->max,
                         o->flags & SL_OPT_FRACTION ? " (a decimal or a fraction a/b)" : "");
            return mistake(c, range, o->name, v);
        }
        *(double *)o->dest = x;
        return 0;
    }
    case SL_OPT_ENUM: {
        size_t n = strlen(v);
        int index = 0;
        for (const char *p = o->choices;; index++) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == n && !memcmp(p, v, n)) {
                *(int *)o->dest = index;
                return 0;
            }
            if (!bar)
                break;
            p = bar + 1;
        }
        snprintf(range, sizeof range, " must be one of %s, not", o->choices);
        return mistake(c, range, o->name, v);
    }
    }
    return SL_EX_SOFTWARE;
}

int sl_options_parse(const sl_command_options *c, int argc, char **argv)
{
    bool given[64] = {false};
    if (c->count > sizeof given / sizeof given[0]) {
        fprintf(stderr, "softlabel %s: internal error: more than 64 options\n", c->command);
        return SL_EX_SOFTWARE;
    }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            sl_options_usage(c, stdout);
            return -1;
        }
        if (strncmp(arg, "--", 2) != 0)
            return mistake(c, "unexpected argument", "", arg);
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        size_t k = 0;
        while (k < c->count &&
               (strlen(c->options[k].name) != name_len || memcmp(c->options[k].name, arg, name_len)))
            k++;
        if (k == c->count)
            return mistake(c, "unknown option", "", arg);
        const sl_option *o = &c->options[k];
        given[k] = true;
        if (o->kind == SL_OPT_FLAG && !eq) {
            *(bool *)o->dest = true;
            continue;
        }
        if (!eq && i + 1 >= argc)
            return mistake(c, ": missing value", o->name, NULL);
        int rc = store(c, o, eq ? eq + 1 : argv[++i]);
        if (rc)
            return rc;
    }
    for (size_t k = 0; k < c->count; k++)
        if ((c->options[k].flags & SL_OPT_REQUIRED) && !given[k])
            return mistake(c, " is required", c->options[k].name, NULL);
    return 0;
}
