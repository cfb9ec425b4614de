/*
 * softlabel metrics: the batch metrics of SPEC section 3 over a CSV of interactions, printed as one
 * JSON object shaped exactly like the reference's (see metrics_json.h).
 *
 * The CSV is read in chunks of CHUNK_ROWS rows and streamed through one metrics state, so files
 * of any length fit in memory (the AUC keeps 8 bytes per labelled row). Every bad row is reported
 * with its line, column and value and left out; the report then covers the valid rows and the
 * exit code is 65 (EX_DATAERR).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "metrics_json.h"
#include "softlabel.h"

#define CHUNK_ROWS 65536
#define MAX_REPORTED 20 /* bad rows described one by one; the rest are counted */

enum { COL_P, COL_ACCEPTED, COL_TRUTH, COL_TAU, COL_C_A, COL_C_B, COL_R_A, COL_R_B, N_COLS };
static const char *const col_names[N_COLS] = {"p", "accepted", "ground_truth", "tau",
                                              "c_a", "c_b", "r_a", "r_b"};

static int usage(FILE *f, int code)
{
    fputs("usage: softlabel metrics --in ITEMS.csv [--s-plus X] [--s-minus X] [--h X] [--theta X]\n"
          "                         [--rho-a X] [--rho-b X] [--w-rep X]\n"
          "  Reads ITEMS.csv (\"-\": standard input), a CSV whose header names at least the columns\n"
          "  p (in [0, 1]), accepted (0 or 1), ground_truth (1, -1, or empty for none), tau, c_a,\n"
          "  c_b, r_a, r_b (finite numbers), in any order (other columns are ignored), and prints\n"
          "  the batch metrics (SPEC section 3) as one JSON object with the reference's keys.\n"
          "  Payoff parameters default to s_plus 2, s_minus 1, h 2, theta 0.5, rho_a 0, rho_b 0,\n"
          "  w_rep 1. Bad rows are reported on standard error (line, column, value) and left out;\n"
          "  the report then covers the valid rows and the exit code is 65.\n",
          f);
    return code;
}

/* ---- options ---- */

typedef struct options {
    const char *in;
    sl_payoff_params pp;
} options;

/* Returns 0, or an exit code (0 with *done for --help). */
static int parse_options(int argc, char **argv, options *o, int *done)
{
    static const struct { const char *flag; size_t offset; } params[] = {
        {"--s-plus", offsetof(sl_payoff_params, s_plus)},
        {"--s-minus", offsetof(sl_payoff_params, s_minus)},
        {"--h", offsetof(sl_payoff_params, h)},
        {"--theta", offsetof(sl_payoff_params, theta)},
        {"--rho-a", offsetof(sl_payoff_params, rho_a)},
        {"--rho-b", offsetof(sl_payoff_params, rho_b)},
        {"--w-rep", offsetof(sl_payoff_params, w_rep)},
    };
    *done = 0;
    o->in = NULL;
    sl_payoff_params_default(&o->pp);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            *done = 1;
            return usage(stdout, 0);
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "softlabel metrics: unknown option or missing value: '%s'\n", argv[i]);
            return usage(stderr, SL_EX_USAGE);
        }
        const char *value = argv[++i];
        if (!strcmp(argv[i - 1], "--in")) {
            o->in = value;
            continue;
        }
        size_t k = 0;
        while (k < sizeof params / sizeof params[0] && strcmp(argv[i - 1], params[k].flag))
            k++;
        if (k == sizeof params / sizeof params[0]) {
            fprintf(stderr, "softlabel metrics: unknown option '%s'\n", argv[i - 1]);
            return usage(stderr, SL_EX_USAGE);
        }
        char *end;
        errno = 0;
        double x = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(x)) {
            fprintf(stderr, "softlabel metrics: %s: not a finite number: '%s'\n", params[k].flag, value);
            return SL_EX_USAGE;
        }
        *(double *)((char *)&o->pp + params[k].offset) = x;
    }
    if (!o->in) {
        fprintf(stderr, "softlabel metrics: --in is required\n");
        return usage(stderr, SL_EX_USAGE);
    }
    sl_status st = sl_payoff_validate(&o->pp);
    if (st != SL_OK) {
        fprintf(stderr, "softlabel metrics: %s\n", sl_status_str(st));
        return SL_EX_USAGE;
    }
    return 0;
}

/* ---- CSV ---- */

typedef struct reader {
    FILE *f;
    const char *name;
    char *line;
    size_t cap, line_no;
    char **fields;
    size_t n_fields, fields_cap;
} reader;

/* Reads the next line (without its line end) and splits it at commas, in place; 0 at the end of
 * input, -1 when a field is quoted (not supported: the numbers never need quotes). */
static int next_row(reader *r)
{
    ssize_t len = getline(&r->line, &r->cap, r->f);
    if (len < 0)
        return 0;
    r->line_no++;
    while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r'))
        r->line[--len] = '\0';
    r->n_fields = 0;
    char *field = r->line;
    for (;;) {
        if (r->n_fields == r->fields_cap) {
            r->fields_cap = r->fields_cap ? 2 * r->fields_cap : 16;
            r->fields = realloc(r->fields, r->fields_cap * sizeof *r->fields);
            if (!r->fields)
                return -2;
        }
        r->fields[r->n_fields++] = field;
        if (*field == '"')
            return -1;
        char *comma = strchr(field, ',');
        if (!comma)
            return 1;
        *comma = '\0';
        field = comma + 1;
    }
}

/* The column of each required name in the header, or a message naming the missing one. */
static int map_header(reader *r, size_t col[N_COLS])
{
    if (r->n_fields > 0 && !strncmp(r->fields[0], "\xEF\xBB\xBF", 3)) /* UTF-8 byte order mark */
        r->fields[0] += 3;
    for (int c = 0; c < N_COLS; c++) {
        col[c] = (size_t)-1;
        for (size_t k = 0; k < r->n_fields; k++) {
            if (strcmp(r->fields[k], col_names[c]))
                continue;
            if (col[c] != (size_t)-1) {
                fprintf(stderr, "softlabel metrics: %s:%zu: column '%s' appears twice\n", r->name,
                        r->line_no, col_names[c]);
                return -1;
            }
            col[c] = k;
        }
        if (col[c] == (size_t)-1) {
            fprintf(stderr, "softlabel metrics: %s:%zu: the header has no column '%s' (needed: p, "
                    "accepted, ground_truth, tau, c_a, c_b, r_a, r_b)\n", r->name, r->line_no,
                    col_names[c]);
            return -1;
        }
    }
    return 0;
}

/* ---- rows ---- */

typedef struct chunk {
    size_t n;
    double *col[6]; /* p, tau, c_a, c_b, r_a, r_b */
    uint8_t *accepted;
    int8_t *truth;
    size_t *line;
} chunk;

typedef struct bad_rows {
    size_t count;
    const char *file;
} bad_rows;

static void report(bad_rows *bad, size_t line, const char *column, size_t field, const char *value,
                   const char *why)
{
    if (bad->count++ < MAX_REPORTED) {
        if (column)
            fprintf(stderr, "softlabel metrics: %s:%zu: column '%s' (field %zu): '%s': %s\n",
                    bad->file, line, column, field + 1, value, why);
        else
            fprintf(stderr, "softlabel metrics: %s:%zu: %s\n", bad->file, line, why);
    }
}

static int parse_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0';
}

/* Parses and checks one data row into slot k of the chunk; reports and returns 0 if bad. */
static int parse_row(const reader *r, const size_t col[N_COLS], chunk *c, size_t k, bad_rows *bad)
{
    static const int real_cols[6] = {COL_P, COL_TAU, COL_C_A, COL_C_B, COL_R_A, COL_R_B};
    for (int j = 0; j < 6; j++) {
        int id = real_cols[j];
        const char *s = r->fields[col[id]];
        double x;
        if (!parse_number(s, &x)) {
            report(bad, r->line_no, col_names[id], col[id], s, "not a number");
            return 0;
        }
        if (id == COL_P && !(x >= 0.0 && x <= 1.0)) {
            report(bad, r->line_no, col_names[id], col[id], s, "p must be in [0, 1]");
            return 0;
        }
        if (!isfinite(x)) {
            report(bad, r->line_no, col_names[id], col[id], s, "must be a finite number");
            return 0;
        }
        c->col[j][k] = x;
    }
    const char *s = r->fields[col[COL_ACCEPTED]];
    double a;
    if (!parse_number(s, &a) || (a != 0.0 && a != 1.0)) {
        report(bad, r->line_no, "accepted", col[COL_ACCEPTED], s, "must be 0 or 1");
        return 0;
    }
    c->accepted[k] = (uint8_t)(a == 1.0);
    s = r->fields[col[COL_TRUTH]];
    double t = 0.0;
    if (*s && (!parse_number(s, &t) || (t != 1.0 && t != -1.0))) {
        report(bad, r->line_no, "ground_truth", col[COL_TRUTH], s, "must be 1, -1 or empty");
        return 0;
    }
    c->truth[k] = (int8_t)t;
    c->line[k] = r->line_no;
    return 1;
}

/* Drops, and reports, the rows whose payoffs overflow (the only invalid rows left once every
 * field has been checked): each call finds the next one. */
static void drop_overflowing(const options *o, chunk *c, bad_rows *bad)
{
    sl_payoff_outputs_f64 none = {NULL, NULL, NULL, NULL, NULL, NULL};
    size_t kept = 0, from = 0;
    while (from < c->n) {
        sl_payoff_inputs_f64 in = {c->col[0] + from, c->col[1] + from, c->col[2] + from,
                                   c->col[3] + from, c->col[4] + from, c->col[5] + from};
        size_t first;
        sl_status st = sl_payoff_f64(&o->pp, &in, c->n - from, &none, &first);
        size_t upto = st == SL_OK ? c->n : from + first;
        for (size_t i = from; i < upto; i++, kept++) {
            for (int j = 0; j < 6; j++)
                c->col[j][kept] = c->col[j][i];
            c->accepted[kept] = c->accepted[i];
            c->truth[kept] = c->truth[i];
            c->line[kept] = c->line[i];
        }
        if (st != SL_OK)
            report(bad, c->line[upto], NULL, 0, NULL, sl_status_str(st));
        from = upto + 1;
    }
    c->n = kept;
}

static int flush(const options *o, chunk *c, sl_metrics *m, bad_rows *bad)
{
    drop_overflowing(o, c, bad);
    sl_payoff_inputs_f64 in = {c->col[0], c->col[1], c->col[2], c->col[3], c->col[4], c->col[5]};
    size_t first;
    sl_status st = sl_metrics_update_f64(m, &in, c->accepted, c->truth, c->n, &first);
    c->n = 0;
    if (st == SL_ERR_OUT_OF_MEMORY) {
        fprintf(stderr, "softlabel metrics: out of memory\n");
        return SL_EX_OSERR;
    }
    if (st != SL_OK) { /* cannot happen once the rows are checked: say so loudly */
        fprintf(stderr, "softlabel metrics: %s:%zu: %s\n", bad->file, c->line[first],
                sl_status_str(st));
        return SL_EX_SOFTWARE;
    }
    return 0;
}

static int alloc_chunk(chunk *c)
{
    memset(c, 0, sizeof *c);
    for (int j = 0; j < 6; j++)
        if (!(c->col[j] = malloc(CHUNK_ROWS * sizeof(double))))
            return -1;
    c->accepted = malloc(CHUNK_ROWS);
    c->truth = malloc(CHUNK_ROWS);
    c->line = malloc(CHUNK_ROWS * sizeof(size_t));
    return c->accepted && c->truth && c->line ? 0 : -1;
}

static void free_chunk(chunk *c)
{
    for (int j = 0; j < 6; j++)
        free(c->col[j]);
    free(c->accepted);
    free(c->truth);
    free(c->line);
}

/* Reads every row of r into m; returns 0 or an exit code. */
static int read_rows(const options *o, reader *r, sl_metrics *m, bad_rows *bad)
{
    size_t col[N_COLS];
    int got = next_row(r);
    if (got == 0) {
        fprintf(stderr, "softlabel metrics: %s: empty input (no header)\n", r->name);
        return SL_EX_DATAERR;
    }
    if (got < 0 || map_header(r, col) != 0) {
        if (got == -1)
            fprintf(stderr, "softlabel metrics: %s:%zu: quoted fields are not supported\n",
                    r->name, r->line_no);
        return got == -2 ? 71 : 65;
    }
    size_t header_fields = r->n_fields;
    chunk c;
    int code = alloc_chunk(&c) == 0 ? 0 : 71;
    while (code == 0 && (got = next_row(r)) != 0) {
        if (got == -2) {
            code = 71;
        } else if (got == -1) {
            report(bad, r->line_no, NULL, 0, NULL, "quoted fields are not supported");
        } else if (r->n_fields == 1 && r->fields[0][0] == '\0') {
            continue; /* a blank line holds no row */
        } else if (r->n_fields != header_fields) {
            char why[96];
            snprintf(why, sizeof why, "%zu fields, the header has %zu", r->n_fields, header_fields);
            report(bad, r->line_no, NULL, 0, NULL, why);
        } else if (parse_row(r, col, &c, c.n, bad) && ++c.n == CHUNK_ROWS) {
            code = flush(o, &c, m, bad);
        }
    }
    if (code == 0 && ferror(r->f)) {
        fprintf(stderr, "softlabel metrics: %s: read error: %s\n", r->name, strerror(errno));
        code = 74;
    }
    if (code == 0 && c.n > 0)
        code = flush(o, &c, m, bad);
    if (code == 71)
        fprintf(stderr, "softlabel metrics: out of memory\n");
    free_chunk(&c);
    return code;
}

int sl_cmd_metrics(int argc, char **argv)
{
    options o;
    int done;
    int code = parse_options(argc, argv, &o, &done);
    if (code != 0 || done)
        return code;
    reader r = {0};
    r.name = o.in;
    int fd = sl_input_open("metrics", o.in);
    r.f = fd == STDIN_FILENO ? stdin : fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!r.f)
        return SL_EX_NOINPUT;
    sl_metrics *m;
    if (sl_metrics_init(&m, &o.pp, 0) != SL_OK) {
        fprintf(stderr, "softlabel metrics: out of memory\n");
        return SL_EX_OSERR;
    }
    bad_rows bad = {0, o.in};
    code = read_rows(&o, &r, m, &bad);
    if (r.f != stdin)
        fclose(r.f);
    free(r.line);
    free(r.fields);

    sl_metrics_report report_out;
    if (code == 0) {
        sl_status st = sl_metrics_finalize(m, &report_out);
        if (st != SL_OK) {
            fprintf(stderr, "softlabel metrics: %s\n", sl_status_str(st));
            code = 71;
        }
    }
    sl_metrics_free(m);
    if (code != 0)
        return code;
    if (sl_print_metrics_json(stdout, &report_out) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "softlabel metrics: cannot write the report: %s\n", strerror(errno));
        return SL_EX_IOERR;
    }
    if (bad.count > 0) {
        if (bad.count > MAX_REPORTED)
            fprintf(stderr, "softlabel metrics: ... and %zu more bad rows\n",
                    bad.count - MAX_REPORTED);
        fprintf(stderr, "softlabel metrics: %zu bad rows left out; the report covers the %llu "
                "valid rows\n", bad.count, (unsigned long long)report_out.n);
        return SL_EX_DATAERR;
    }
    return 0;
}
