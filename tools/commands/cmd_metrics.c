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
#include <stdbool.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "csv.h"
#include "metrics_json.h"
#include "numtext.h"
#include "options.h"
#include "softlabel.h"

#define CHUNK_ROWS 65536
#define MAX_REPORTED 20 /* bad rows described one by one; the rest are counted */

enum { COL_P, COL_ACCEPTED, COL_TRUTH, COL_TAU, COL_C_A, COL_C_B, COL_R_A, COL_R_B, N_COLS };
static const char *const col_names[N_COLS] = {"p", "accepted", "ground_truth", "tau",
                                              "c_a", "c_b", "r_a", "r_b"};

/* ---- options ---- */

typedef struct options {
    const char *in;
    sl_payoff_params pp;
} options;

/* Returns 0, -1 when --help was printed, or an exit code. */
static int parse_options(int argc, char **argv, options *o)
{
    o->in = NULL;
    sl_payoff_params_default(&o->pp);
    sl_payoff_params *pp = &o->pp;
    const sl_option opts[] = {
        {"--in", SL_OPT_PATH, &o->in, "ITEMS.csv", .help = "the interactions ('-': standard input)",
         .flags = SL_OPT_REQUIRED},
        {"--s-plus", SL_OPT_REAL, &pp->s_plus, "X", .help = "s_plus (default 2)",
         .min = -HUGE_VAL, .max = HUGE_VAL},
        {"--s-minus", SL_OPT_REAL, &pp->s_minus, "X", .help = "s_minus (default 1)",
         .min = -HUGE_VAL, .max = HUGE_VAL},
        {"--h", SL_OPT_REAL, &pp->h, "X", .help = "h (default 2)", .min = -HUGE_VAL,
         .max = HUGE_VAL},
        {"--theta", SL_OPT_REAL, &pp->theta, "X", .help = "theta (default 0.5)",
         .min = -HUGE_VAL, .max = HUGE_VAL},
        {"--rho-a", SL_OPT_REAL, &pp->rho_a, "X", .help = "rho_a (default 0)",
         .min = -HUGE_VAL, .max = HUGE_VAL},
        {"--rho-b", SL_OPT_REAL, &pp->rho_b, "X", .help = "rho_b (default 0)",
         .min = -HUGE_VAL, .max = HUGE_VAL},
        {"--w-rep", SL_OPT_REAL, &pp->w_rep, "X", .help = "w_rep (default 1)",
         .min = -HUGE_VAL, .max = HUGE_VAL},
    };
    const sl_command_options command = {
        "metrics",
        "  Reads a CSV whose header names at least the columns p (in [0, 1]), accepted (0 or 1),\n"
        "  ground_truth (1, -1, or empty for none), tau, c_a, c_b, r_a, r_b (finite numbers), in\n"
        "  any order (other columns are ignored), and prints the batch metrics (SPEC section 3)\n"
        "  as one JSON object with the reference's keys. The payoff parameters (SPEC section 2)\n"
        "  are checked by the library (sl_payoff_validate).\n\n",
        "\n"
        "  Bad rows are reported on standard error (line, column, value) and left out; the report\n"
        "  then covers the valid rows and the exit code is 65.\n",
        opts, sizeof opts / sizeof opts[0]};
    int rc = sl_options_parse(&command, argc, argv);
    if (rc)
        return rc;
    sl_status st = sl_payoff_validate(&o->pp);
    if (st != SL_OK) {
        fprintf(stderr, "softlabel metrics: %s\n", sl_status_str(st));
        return SL_EX_USAGE;
    }
    return 0;
}

/* ---- CSV (csv.h: quoted fields, CRLF, a malformed record costs only itself) ---- */

#define READ_BLOCK ((size_t)1 << 20)
#define MAX_RECORD ((size_t)64 << 20) /* as in score: a quote open this long ends its record */

typedef struct reader {
    int fd;
    const char *name;
    sl_input_guard guard;    /* the input as opened: it must not change while read */
    uint64_t bytes_read;
    sl_buf buf;              /* read but not yet parsed: starts at a record boundary */
    size_t pos, cut;         /* the next record; the end of the whole records in buf */
    bool eof;
    size_t line_no;          /* line of the current record's start */
    size_t next_line;
    sl_csv_field *fields;    /* the current record's fields (up to max_fields) */
    size_t max_fields, n_fields;
    sl_csv_record rec;
} reader;

/* The next record: 1 (fields in r->fields, r->rec), 0 at the end of input, -1 on a read error, a
 * file changed while read or out of memory (reported). */
static int next_row(reader *r)
{
    while (r->pos >= r->cut) {
        if (r->eof && r->pos >= r->buf.len)
            return 0;
        /* drop what was parsed, read on, find the whole records */
        if (r->pos > 0) /* before the first read buf.p is NULL, and memmove's arguments must not be */
            memmove(r->buf.p, r->buf.p + r->pos, r->buf.len - r->pos);
        r->buf.len -= r->pos;
        r->pos = 0;
        if (!r->eof) {
            if (sl_buf_reserve(&r->buf, READ_BLOCK)) {
                fprintf(stderr, "softlabel metrics: out of memory\n");
                return -1;
            }
            long long got = sl_read_full(r->fd, r->buf.p + r->buf.len, READ_BLOCK);
            if (got < 0) {
                fprintf(stderr, "softlabel metrics: %s: read error: %s\n", r->name, strerror(errno));
                return -1;
            }
            r->buf.len += (size_t)got;
            r->bytes_read += (uint64_t)got;
            r->eof = (size_t)got < READ_BLOCK;
            if (r->eof && sl_input_guard_end(&r->guard, r->fd, "metrics", r->name, r->bytes_read))
                return -1; /* cut short: the cut record is never parsed */
        }
        r->cut = sl_csv_chunk_end(r->buf.p, r->buf.len, r->eof);
        if (r->cut == 0 && r->buf.len >= MAX_RECORD)
            r->cut = sl_csv_first_line_end(r->buf.p, r->buf.len);
        if (r->cut == 0 && r->buf.len >= MAX_RECORD) {
            fprintf(stderr, "softlabel metrics: %s:%zu: a line longer than 64 MiB\n", r->name,
                    r->next_line);
            return -1;
        }
    }
    r->line_no = r->next_line;
    sl_csv_next_record(r->buf.p, r->cut, &r->pos, r->fields, r->max_fields, &r->rec);
    r->next_line += r->rec.newlines;
    r->n_fields = r->rec.nfields < r->max_fields ? r->rec.nfields : r->max_fields;
    return 1;
}

/* A field's text, "" undone and spaces and tabs trimmed, in buf (cap bytes). */
static const char *field_text(const reader *r, size_t k, char *buf, size_t cap)
{
    sl_csv_unquote(&r->fields[k], buf, cap);
    size_t n = strlen(buf), start = 0;
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        buf[--n] = '\0';
    while (buf[start] == ' ' || buf[start] == '\t')
        start++;
    return buf + start;
}

/* The column of each required name in the header, or a message naming the missing one. */
static int map_header(reader *r, size_t col[N_COLS])
{
    for (int c = 0; c < N_COLS; c++)
        col[c] = (size_t)-1;
    for (size_t k = 0; k < r->n_fields; k++) {
        char name[64];
        const char *bad = sl_csv_header_name(&r->fields[k], name, sizeof name);
        if (bad && r->fields[k].len < sizeof name) {
            fprintf(stderr, "softlabel metrics: %s:1: column %zu: %s\n", r->name, k + 1, bad);
            return -1;
        }
        for (int c = 0; c < N_COLS && !bad; c++) {
            if (strcmp(name, col_names[c]))
                continue;
            if (col[c] != (size_t)-1) {
                fprintf(stderr, "softlabel metrics: %s:1: column '%s' appears twice\n", r->name,
                        col_names[c]);
                return -1;
            }
            col[c] = k;
        }
    }
    for (int c = 0; c < N_COLS; c++)
        if (col[c] == (size_t)-1) {
            fprintf(stderr, "softlabel metrics: %s:1: the header has no column '%s' (needed: p, "
                    "accepted, ground_truth, tau, c_a, c_b, r_a, r_b)\n", r->name, col_names[c]);
            return -1;
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

/* Parses and checks one data row into slot k of the chunk; reports and returns 0 if bad. */
static int parse_row(const reader *r, const size_t col[N_COLS], chunk *c, size_t k, bad_rows *bad)
{
    static const int real_cols[6] = {COL_P, COL_TAU, COL_C_A, COL_C_B, COL_R_A, COL_R_B};
    char buf[128];
    for (int j = 0; j < 6; j++) {
        int id = real_cols[j];
        const char *s = field_text(r, col[id], buf, sizeof buf);
        double x;
        if (sl_parse_f64(s, strlen(s), &x)) {
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
    const char *s = field_text(r, col[COL_ACCEPTED], buf, sizeof buf);
    int64_t a, t = 0;
    if (sl_parse_whole(s, strlen(s), 0, 1, &a) != SL_WHOLE_OK) {
        report(bad, r->line_no, "accepted", col[COL_ACCEPTED], s, "must be 0 or 1");
        return 0;
    }
    c->accepted[k] = (uint8_t)a;
    s = field_text(r, col[COL_TRUTH], buf, sizeof buf);
    if (*s && (sl_parse_whole(s, strlen(s), -1, 1, &t) != SL_WHOLE_OK || t == 0)) {
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
    r->max_fields = 0; /* the header: count its fields first */
    r->next_line = 1;
    int got = next_row(r);
    if (got <= 0) {
        if (got == 0)
            fprintf(stderr, "softlabel metrics: %s: empty input (no header)\n", r->name);
        return got == 0 ? SL_EX_DATAERR : SL_EX_IOERR;
    }
    if (r->rec.error) {
        fprintf(stderr, "softlabel metrics: %s:1: invalid CSV header: %s\n", r->name, r->rec.error);
        return SL_EX_DATAERR;
    }
    size_t header_fields = r->rec.nfields;
    r->max_fields = header_fields + 1;
    r->fields = malloc(r->max_fields * sizeof *r->fields);
    if (!r->fields) {
        fprintf(stderr, "softlabel metrics: out of memory\n");
        return SL_EX_OSERR;
    }
    size_t pos, bom = r->buf.len >= 3 && !memcmp(r->buf.p, "\xEF\xBB\xBF", 3) ? 3 : 0;
    pos = bom; /* the header again, with its fields kept (the UTF-8 byte-order mark skipped) */
    sl_csv_next_record(r->buf.p, r->cut, &pos, r->fields, header_fields, &r->rec);
    r->n_fields = header_fields;
    if (map_header(r, col) != 0)
        return SL_EX_DATAERR;
    chunk c;
    int code = alloc_chunk(&c) == 0 ? 0 : SL_EX_OSERR;
    while (code == 0 && (got = next_row(r)) != 0) {
        if (got < 0) {
            code = SL_EX_IOERR;
        } else if (r->rec.error) {
            char why[96];
            snprintf(why, sizeof why, "malformed CSV record: %s (field %zu)", r->rec.error,
                     r->rec.error_field);
            report(bad, r->line_no, NULL, 0, NULL, why);
        } else if (sl_csv_is_blank(r->rec.raw, r->rec.raw_len)) {
            continue; /* a blank line holds no row */
        } else if (r->rec.nfields != header_fields) {
            char why[96];
            snprintf(why, sizeof why, "%zu fields, the header has %zu", r->rec.nfields, header_fields);
            report(bad, r->line_no, NULL, 0, NULL, why);
        } else if (parse_row(r, col, &c, c.n, bad) && ++c.n == CHUNK_ROWS) {
            code = flush(o, &c, m, bad);
        }
    }
    if (code == 0 && c.n > 0)
        code = flush(o, &c, m, bad);
    if (code == SL_EX_OSERR)
        fprintf(stderr, "softlabel metrics: out of memory\n");
    free_chunk(&c);
    return code;
}

int sl_cmd_metrics(int argc, char **argv)
{
    options o;
    int code = parse_options(argc, argv, &o);
    if (code)
        return code < 0 ? SL_EX_OK : code;
    reader r = {.name = o.in, .fd = sl_input_open("metrics", o.in)};
    if (r.fd < 0)
        return SL_EX_NOINPUT;
    sl_input_guard_start(&r.guard, r.fd);
    sl_metrics *m;
    if (sl_metrics_init(&m, &o.pp, 0) != SL_OK) {
        fprintf(stderr, "softlabel metrics: out of memory\n");
        return SL_EX_OSERR;
    }
    bad_rows bad = {0, o.in};
    code = read_rows(&o, &r, m, &bad);
    if (r.fd != STDIN_FILENO)
        close(r.fd);
    sl_buf_free(&r.buf);
    free(r.fields);

    sl_metrics_report report_out;
    if (code == 0) {
        sl_status st = sl_metrics_finalize(m, &report_out);
        if (st != SL_OK) {
            fprintf(stderr, "softlabel metrics: %s\n", sl_status_str(st));
            code = SL_EX_OSERR;
        }
    }
    sl_metrics_free(m);
    if (code != 0)
        return code;
    int written = sl_print_metrics_json(stdout, &report_out) == 0 && fflush(stdout) == 0;
    sl_metrics_report_free(&report_out);
    if (!written) {
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
