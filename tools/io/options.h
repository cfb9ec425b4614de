/*
 * The one option parser of every command. A command declares its options in a table (name, kind
 * of value, where it goes, its range or choices, help text); the same table parses the command
 * line and writes the command's usage text, so the two cannot drift apart.
 *
 * Accepted: `--name value` and `--name=value`; `--help` / `-h` prints the usage on standard output.
 * Names are matched whole (no abbreviations, unlike getopt_long, so a later option never changes
 * what an existing command line means). Every mistake (an unknown option, a missing value, a
 * value out of range or not among the choices, a required option absent, a stray argument) is
 * one line on standard error naming the option and the value, and exit code 64 (SL_EX_USAGE).
 */
#ifndef SL_TOOLS_OPTIONS_H
#define SL_TOOLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum sl_opt_kind {
    SL_OPT_FLAG,   /* no value: sets *(bool *)dest */
    SL_OPT_STRING, /* any text: *(const char **)dest */
    SL_OPT_PATH,   /* a file name, '-' for standard input or output; not empty: *(const char **)dest */
    SL_OPT_COUNT,  /* a whole number in [lo, hi] (numtext.h: "3", "3.0", "3e0"): *(size_t *)dest */
    SL_OPT_REAL,   /* a finite real in [min, max] (numtext.h): *(double *)dest */
    SL_OPT_ENUM    /* one of `choices` ("csv|jsonl"): its index, *(int *)dest */
} sl_opt_kind;

enum {
    SL_OPT_REQUIRED = 1, /* the command line must give it */
    SL_OPT_FRACTION = 2, /* REAL: a fraction a/b is accepted too ("2/3") */
    SL_OPT_ABOVE_MIN = 4 /* REAL: the range is (min, max], min excluded */
};

typedef struct sl_option {
    const char *name;    /* "--threads" */
    sl_opt_kind kind;
    void *dest;
    const char *value;   /* the value's name in the usage text ("FILE", "N"); ENUM: its choices */
    const char *help;    /* lines separated by '\n' */
    unsigned flags;      /* SL_OPT_* */
    size_t lo, hi;       /* COUNT: the range */
    double min, max;     /* REAL: the range (-HUGE_VAL, HUGE_VAL: any finite number) */
    const char *choices; /* ENUM: the accepted values, '|' between them */
} sl_option;

typedef struct sl_command_options {
    const char *command; /* "score" */
    const char *about;   /* the usage text between the synopsis and the options */
    const char *notes;   /* the usage text after the options, or NULL */
    const sl_option *options;
    size_t count;
} sl_command_options;

/* Parses argv[0..argc) (the arguments after the command's name) into the options' destinations,
 * which hold their defaults. Returns 0; -1 when --help was printed (the command then exits 0);
 * or SL_EX_USAGE after printing the mistake. */
int sl_options_parse(const sl_command_options *c, int argc, char **argv);

/* Writes the usage text: the synopsis (every option in table order, optional ones in brackets),
 * `about`, one entry per option, `notes`. */
void sl_options_usage(const sl_command_options *c, FILE *f);

#endif
