/*
 * softlabel score: score every interaction of a CSV or JSONL file (or stream) and write it back
 * with v_hat and p appended, streaming in chunks over a pool of threads, in input order.
 *
 * The calling thread reads chunks of whole records (and writes results in order); worker threads
 * parse, score and format each chunk (score_chunk.c). Memory is bounded by the number of chunk
 * slots in flight (2 x threads + 1) times the chunk size, whatever the size of the input.
 */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "config.h"
#include "csv.h"
#include "json.h"
#include "options.h"
#include "pipeline.h"
#include "score_chunk.h"
#include "softlabel.h"
#include "utf8.h"

/* Default chunk size: 4 MiB, smaller with many threads so that the input in flight stays near
 * INFLIGHT_BUDGET whatever the thread count (each chunk in flight also holds its output, about
 * 1.7 times its input, and its parsed columns): peak memory stays under ~150 MB. */
#define DEFAULT_CHUNK (4u << 20)
#define MIN_DEFAULT_CHUNK (256u << 10)
#define INFLIGHT_BUDGET (32u << 20)
/* A CSV record still open after this many bytes (a quote never closed) is malformed: its first
 * line is rejected and reading goes on (csv.h); a single line this long stops the run, since
 * buffering a whole 10 GB file is no option. */
#define MAX_RECORD (64u << 20)

typedef struct score_options {
    const char *in, *out, *rejects, *config;
    const char *weights, *k, *decays;
    int format;             /* -1: from the extension, else by a look at the data */
    bool f32, skip, summary;
    size_t threads, chunk;
} score_options;

typedef struct score_run {
    score_options opt;
    score_job job;
    sl_proxy px;
    score_slot *slots;
    size_t nslots;
    /* input */
    int in_fd;
    const char *in_name;
    uint64_t in_size;       /* 0 when unknown (a pipe) */
    sl_input_guard in_guard; /* the input as opened: it must not change while read */
    uint64_t bytes_read;
    sl_buf carry;           /* the first bytes read (the header and what follows it) */
    const char *pending;    /* bytes read but not yet handed out: a partial record at the end */
    size_t pending_len;     /* of the last chunk (or of carry), copied to the next chunk's start */
    bool eof, stop_reading;
    uint64_t offset;        /* input bytes handed out so far */
    sl_buf header;          /* CSV: the header record as read, terminator excluded */
    /* output */
    sl_outfile out, rej;
    sl_buf rejline;
    /* totals, updated in input order */
    uint64_t lines_done, rows_in, scored, rejected, blank;
    sl_psummary ps;
    sl_progress progress;
    int exit_code;
    int input_failed;       /* the exit code of a failed read: it wins over a bad row read before */
} score_run;

static int bad_option(const char *what, const char *value)
{
    fprintf(stderr, "softlabel score: %s: '%s' (see softlabel score --help)\n", what, value);
    return SL_EX_USAGE;
}

/* Fills *o from the command line. Returns 0, a sysexits code after printing the problem, or -1
 * when --help was printed. */
static int parse_options(int argc, char **argv, score_options *o)
{
    *o = (score_options){.in = "-", .out = "-", .format = -1, .threads = (size_t)sl_online_cores()};
    int precision = 0, on_error = 0;
    const sl_option options[] = {
        {"--in", SL_OPT_PATH, &o->in, "FILE",
         .help = "input, CSV or JSONL ('-', the default: standard input)"},
        {"--out", SL_OPT_PATH, &o->out, "FILE",
         .help = "output, same format ('-', the default: standard output)"},
        {"--format", SL_OPT_ENUM, &o->format, NULL,
         .help = "input format (default: from the extension .csv / .jsonl / .ndjson,\n"
         "else jsonl when the data starts with '{'); output is the same", .choices = "csv|jsonl"},
        {"--weights", SL_OPT_STRING, &o->weights, "W1,W2,W3,W4",
         .help = "w_progress, w_rework, w_verifier, w_engagement (default 0.4,0.2,0.2,0.2)"},
        {"--k", SL_OPT_STRING, &o->k, "K", .help = "sigmoid_k (default 2)"},
        {"--decays", SL_OPT_STRING, &o->decays, "D1,D2,D3",
         .help = "rework_decay, rejection_decay, misuse_decay (default 0.3,0.4,0.5)"},
        {"--config", SL_OPT_PATH, &o->config, "FILE.json",
         .help = "an object with sl_proxy_params field names (options above win)"},
        {"--precision", SL_OPT_ENUM, &precision, NULL,
         .help = "arithmetic and output precision (default f64); numbers are read\n"
         "exactly and printed in shortest round-trip form", .choices = "f64|f32"},
        {"--threads", SL_OPT_COUNT, &o->threads, "N",
         .help = "worker threads (default: all online cores), at most as many as\n"
         "keep 32 MiB of input in flight (63 at the default chunk size)", .lo = 1, .hi = 1024},
        {"--on-error", SL_OPT_ENUM, &on_error, NULL,
         .help = "stop: the first bad row ends the run with FILE:LINE:COLUMN: what\n"
         "on stderr and exit code 65 (default); skip: needs --rejects", .choices = "stop|skip"},
        {"--rejects", SL_OPT_PATH, &o->rejects, "FILE",
         .help = "skip mode: every bad row, unchanged, with its line, column and\n"
         "reason (CSV: three leading columns; JSONL: an object holding\n"
         "the line as a string); the counts printed at the end add up"},
        {"--summary", SL_OPT_FLAG, &o->summary, NULL,
         .help = "print counts, rows/s and a summary of p on stderr at the end"},
        {"--chunk-size", SL_OPT_COUNT, &o->chunk, "BYTES",
         .help = "bytes read per chunk (default 4 MiB, less beyond 3 threads:\n"
         "at most 32 MiB of input in flight in all, or 5 chunks when\n"
         "they are larger than 6.4 MiB; output and parsed columns add\n"
         "about 3 times that)", .lo = 16, .hi = MAX_RECORD},
    };
    const sl_command_options command = {
        "score",
        "  Scores every interaction of a CSV file (with a header) or a JSONL file (one object per\n"
        "  line) and writes it back unchanged with v_hat and p appended (CSV: two more columns;\n"
        "  JSONL: two more fields), in input order.\n"
        "  Columns: task_progress_delta, rework_count, verifier_rejections, tool_misuse_flags\n"
        "  (optional: absent means 0), counterparty_engagement_delta; other columns pass through.\n"
        "\n",
        "\n"
        "  COLUMN is the 1-based field number in CSV and the 1-based byte position in JSONL.\n"
        "  Blank lines are ignored (and counted). A regular output file is replaced only when the\n"
        "  run succeeds. Exit codes: 0 ok, 64 usage, 65 bad data, 66 cannot open input,\n"
        "  70 internal error, 71 out of memory, 73 cannot create output, 74 I/O error,\n"
        "  78 bad config or SOFTLABEL_ISA.\n",
        options, sizeof options / sizeof options[0]};
    int rc = sl_options_parse(&command, argc, argv);
    if (rc)
        return rc;
    o->f32 = precision == 1;
    o->skip = on_error == 1;
    if (o->chunk == 0) {
        size_t chunk = INFLIGHT_BUDGET / sl_pipeline_slots((int)o->threads);
        o->chunk = chunk > DEFAULT_CHUNK ? DEFAULT_CHUNK : chunk < MIN_DEFAULT_CHUNK ? MIN_DEFAULT_CHUNK : chunk;
    }
    /* The memory bound: no more workers than keep the input in flight (2 x threads + 1 chunks)
     * within INFLIGHT_BUDGET, or within 5 chunks when --chunk-size asks for chunks that large. */
    size_t budget = INFLIGHT_BUDGET > 5 * o->chunk ? INFLIGHT_BUDGET : 5 * o->chunk;
    size_t max_threads = (budget / o->chunk - 1) / 2;
    if (o->threads > 1 && o->threads > max_threads)
        o->threads = max_threads < 1 ? 1 : max_threads;
    if (o->skip && !o->rejects) {
        fprintf(stderr, "softlabel score: --on-error skip needs --rejects FILE (bad rows are never "
                        "just dropped)\n");
        return SL_EX_USAGE;
    }
    if (o->rejects && !o->skip) {
        fprintf(stderr, "softlabel score: --rejects goes with --on-error skip\n");
        return SL_EX_USAGE;
    }
    const char *opts[] = {"--out", "--rejects"}, *paths[] = {o->out, o->rejects};
    if (sl_outputs_distinct("score", opts, paths, 2))
        return SL_EX_USAGE;
    return 0;
}

/* Defaults, then --config, then --weights/--k/--decays; validated by sl_proxy_init. */
static int setup_params(const score_options *o, sl_proxy *px)
{
    sl_proxy_params p;
    sl_proxy_params_default(&p);
    if (o->config) {
        int rc = sl_config_load(o->config, &p);
        if (rc)
            return rc;
        sl_status st = sl_proxy_init(px, &p); /* the file's own values: a configuration error */
        if (st != SL_OK) {
            fprintf(stderr, "softlabel score: %s: invalid parameter: %s\n", o->config, sl_status_str(st));
            return SL_EX_CONFIG;
        }
    }
    double w[4], d[3];
    if (o->weights) {
        if (sl_parse_number_list(o->weights, w, 4))
            return bad_option("--weights needs 4 comma-separated numbers, not", o->weights);
        p.w_progress = w[0], p.w_rework = w[1], p.w_verifier = w[2], p.w_engagement = w[3];
    }
    if (o->k && sl_parse_number_list(o->k, &p.sigmoid_k, 1))
        return bad_option("--k needs a number, not", o->k);
    if (o->decays) {
        if (sl_parse_number_list(o->decays, d, 3))
            return bad_option("--decays needs 3 comma-separated numbers, not", o->decays);
        p.rework_decay = d[0], p.rejection_decay = d[1], p.misuse_decay = d[2];
    }
    sl_status st = sl_proxy_init(px, &p);
    if (st != SL_OK) {
        fprintf(stderr, "softlabel score: invalid parameter: %s\n", sl_status_str(st));
        return SL_EX_USAGE;
    }
    return 0;
}

static int read_into(score_run *run, sl_buf *b, size_t want);

/* Reads up to `want` more bytes onto the carry (the header phase). */
static int read_more(score_run *run, size_t want)
{
    return run->eof ? 0 : read_into(run, &run->carry, want);
}

/* Where the last whole record in buf ends (0: none yet). */
static size_t last_boundary(const score_run *run, const char *buf, size_t n)
{
    if (run->job.format == FORMAT_CSV)
        return sl_csv_chunk_end(buf, n, run->eof);
    if (run->eof)
        return n;
    const char *nl = memrchr(buf, '\n', n);
    return nl ? (size_t)(nl - buf) + 1 : 0;
}

/* Reads up to `want` more bytes onto b; sets eof at the end of input. */
static int read_into(score_run *run, sl_buf *b, size_t want)
{
    if (sl_buf_reserve(b, want)) {
        fprintf(stderr, "softlabel score: out of memory\n");
        run->exit_code = SL_EX_OSERR;
        return -1;
    }
    long long got = sl_read_full(run->in_fd, b->p + b->len, want);
    if (got < 0) {
        fprintf(stderr, "softlabel score: %s: read error: %s\n", run->in_name, strerror(errno));
        run->exit_code = run->input_failed = SL_EX_IOERR;
        return -1;
    }
    b->len += (size_t)got;
    run->bytes_read += (uint64_t)got;
    run->eof = (size_t)got < want;
    if (run->eof && sl_input_guard_end(&run->in_guard, run->in_fd, "score", run->in_name,
                                       run->bytes_read)) {
        /* cut short (or rewritten): the bytes read are no whole file; the cut record is never
         * parsed, so no bad row is reported at it */
        run->exit_code = run->input_failed = SL_EX_IOERR;
        return -1;
    }
    return 0;
}

/* Starts a slot's buffer with the pending partial record. It lives at the end of the previous
 * chunk, which a worker may be reading (only up to its own end) but nobody writes or frees while
 * this slot is filled; with one slot it is this very buffer, hence memmove. */
static int take_pending(score_run *run, sl_buf *in)
{
    const char *src = run->pending;
    size_t n = run->pending_len;
    if (in->p && src >= in->p && src <= in->p + in->len) {
        memmove(in->p, src, n);
    } else {
        in->len = 0;
        if (sl_buf_reserve(in, n + run->opt.chunk)) {
            fprintf(stderr, "softlabel score: out of memory\n");
            run->exit_code = SL_EX_OSERR;
            return -1;
        }
        if (n)
            memcpy(in->p, src, n);
    }
    in->len = n;
    run->pending_len = 0;
    return 0;
}

/* pipeline producer: the next chunk of whole records, read into the slot */
static int produce(void *ctx, size_t slot_index)
{
    score_run *run = ctx;
    score_slot *slot = &run->slots[slot_index];
    sl_buf *in = &slot->in;
    if (run->stop_reading)
        return -1;
    slot->fatal = NULL;
    if (take_pending(run, in))
        return -1;
    for (;;) {
        size_t chunk = run->opt.chunk;
        if (!run->eof && read_into(run, in, in->len < chunk ? chunk - in->len : chunk))
            return -1;
        if (in->len == 0)
            return 0;
        size_t cut = last_boundary(run, in->p, in->len);
        if (cut == 0 && in->len >= MAX_RECORD && run->job.format == FORMAT_CSV)
            cut = sl_csv_first_line_end(in->p, in->len); /* a quote open for 64 MiB: malformed */
        if (cut == 0 && in->len >= MAX_RECORD) {
            /* reported by consume, in order, once the line number is known */
            slot->fatal = "a line longer than 64 MiB (nothing after it was read)";
            in->len = 0;
            run->stop_reading = true;
            return 1;
        }
        if (cut == 0)
            continue;
        /* the slot gets the whole records; the partial one waits for the next chunk */
        run->pending = in->p + cut;
        run->pending_len = in->len - cut;
        in->len = cut;
        slot->in_offset = run->offset;
        run->offset += cut;
        return 1;
    }
}

static void process(void *ctx, size_t slot_index)
{
    score_run *run = ctx;
    score_slot_process(&run->job, &run->slots[slot_index]);
}

/* Appends one rejected record to the rejects file's buffer. */
static int format_reject(score_run *run, const score_slot *s, const score_error *e)
{
    const score_rec *r = &s->recs[e->rec];
    const char *raw = s->in.p + r->start, *msg = s->errtext.p + e->msg_off;
    sl_buf *b = &run->rejline;
    char head[64];
    int rc;
    b->len = 0;
    unsigned long long line = (unsigned long long)(run->lines_done + e->line + 1);
    if (run->job.format == FORMAT_CSV) {
        int n = snprintf(head, sizeof head, "%llu,%zu,", line, e->column);
        rc = sl_buf_append(b, head, (size_t)n);
        rc |= sl_csv_append_field(b, msg, e->msg_len);
        rc |= sl_buf_append(b, ",", 1);
        rc |= sl_buf_append(b, raw, r->len);
        rc |= sl_buf_append(b, raw + r->len, r->term_len);
        if (r->term_len == 0)
            rc |= sl_buf_append(b, run->job.default_eol, strlen(run->job.default_eol));
    } else {
        int n = snprintf(head, sizeof head, "{\"rejected_line\":%llu,\"rejected_column\":%zu,", line,
                         e->column);
        rc = sl_buf_append(b, head, (size_t)n);
        rc |= sl_buf_append(b, "\"rejected_reason\":", 18);
        sl_json_put_string(b, msg, e->msg_len);
        rc |= sl_buf_append(b, ",\"record\":", 10);
        sl_json_put_string(b, raw, r->len);
        if (sl_utf8_invalid_at(raw, r->len) < r->len) {
            /* "record" shows bytes that are not UTF-8 as U+FFFD; the exact bytes, in hex */
            static const char key[] = ",\"record_hex\":\"";
            rc |= sl_buf_append(b, key, sizeof key - 1);
            for (size_t i = 0; i < r->len && !rc; i++) {
                char hex[3];
                snprintf(hex, sizeof hex, "%02x", (unsigned char)raw[i]);
                rc |= sl_buf_append(b, hex, 2);
            }
            rc |= sl_buf_append(b, "\"", 1);
        }
        rc |= sl_buf_append(b, "}\n", 2);
    }
    return rc || b->oom ? -1 : 0;
}

static int write_or_fail(score_run *run, sl_outfile *o, const char *name, const void *data, size_t n)
{
    if (sl_write_all(o->fd, data, n) == 0)
        return 0;
    fprintf(stderr, "softlabel score: %s: write error: %s\n", name, strerror(errno));
    run->exit_code = SL_EX_IOERR;
    return -1;
}

/* pipeline consumer, in input order: write the rows, report or divert the bad ones, count */
static int consume(void *ctx, size_t slot_index)
{
    score_run *run = ctx;
    score_slot *s = &run->slots[slot_index];
    if (s->fatal) {
        fprintf(stderr, "%s:%llu: %s\n", run->in_name, (unsigned long long)run->lines_done + 1, s->fatal);
        run->exit_code = SL_EX_DATAERR;
        return 1;
    }
    if (s->internal) {
        if (s->internal == SL_EX_OSERR)
            fprintf(stderr, "softlabel score: out of memory\n");
        else
            fprintf(stderr, "softlabel score: internal error: the library refused checked rows: %s\n",
                    sl_status_str(s->lib_status));
        run->exit_code = s->internal;
        return 1;
    }
    /* every record is scored, rejected or blank: a row that is none of them would be lost */
    if (s->nrecs != s->scored + s->nerrs + s->blank) {
        fprintf(stderr, "softlabel score: internal error: %zu records != %zu scored + %zu bad + %zu blank\n",
                s->nrecs, s->scored, s->nerrs, s->blank);
        run->exit_code = SL_EX_SOFTWARE;
        return 1;
    }
    if (write_or_fail(run, &run->out, run->opt.out, s->out.p, s->out.len))
        return 1;
    if (s->nerrs && run->job.stop_on_error) {
        const score_error *e = &s->errs[0];
        fprintf(stderr, "%s:%llu:%zu: %.*s\n", run->in_name,
                (unsigned long long)(run->lines_done + e->line + 1), e->column, (int)e->msg_len,
                s->errtext.p + e->msg_off);
        run->exit_code = SL_EX_DATAERR;
        return 1;
    }
    for (size_t i = 0; i < s->nerrs; i++) {
        if (format_reject(run, s, &s->errs[i])) {
            fprintf(stderr, "softlabel score: out of memory\n");
            run->exit_code = SL_EX_OSERR;
            return 1;
        }
        if (write_or_fail(run, &run->rej, run->opt.rejects, run->rejline.p, run->rejline.len))
            return 1;
    }
    run->rows_in += s->scored + s->nerrs;
    run->scored += s->scored;
    run->rejected += s->nerrs;
    run->blank += s->blank;
    run->lines_done += s->lines;
    sl_psummary_merge(&run->ps, &s->ps);
    sl_progress_update(&run->progress, run->rows_in, s->in_offset + s->in.len, run->in_size);
    return 0;
}

static int open_input(score_run *run)
{
    const char *path = run->opt.in;
    run->in_name = strcmp(path, "-") ? path : "<stdin>";
    run->in_fd = sl_input_open("score", path);
    if (run->in_fd < 0)
        return SL_EX_NOINPUT;
    sl_input_guard_start(&run->in_guard, run->in_fd);
    struct stat st;
    if (fstat(run->in_fd, &st) == 0 && S_ISREG(st.st_mode)) {
        run->in_size = (uint64_t)st.st_size;
        posix_fadvise(run->in_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* --format, else the extension, else a look at the first non-blank byte */
static score_format pick_format(const score_run *run)
{
    if (run->opt.format >= 0)
        return (score_format)run->opt.format;
    const char *in = run->opt.in;
    if (ends_with(in, ".csv"))
        return FORMAT_CSV;
    if (ends_with(in, ".jsonl") || ends_with(in, ".ndjson"))
        return FORMAT_JSONL;
    size_t bom = run->carry.len >= 3 && !memcmp(run->carry.p, "\xEF\xBB\xBF", 3) ? 3 : 0;
    for (size_t i = bom; i < run->carry.len; i++) {
        char c = run->carry.p[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return c == '{' ? FORMAT_JSONL : FORMAT_CSV;
    }
    return FORMAT_CSV;
}

static int header_error(score_run *run, size_t column, const char *what, const char *name)
{
    if (column)
        fprintf(stderr, "%s:1:%zu: %s '%s'\n", run->in_name, column, what, name);
    else
        fprintf(stderr, "%s:1: %s '%s'\n", run->in_name, what, name);
    return SL_EX_DATAERR;
}

/* Maps header names to observables; checks duplicates, absences and clashes with the output. */
static int map_columns(score_run *run, const sl_csv_field *fields, size_t nfields)
{
    score_job *job = &run->job;
    for (int k = 0; k < OBS_COUNT; k++)
        job->col[k] = COL_ABSENT;
    job->ncols = nfields;
    for (size_t c = 0; c < nfields; c++) {
        char name[256];
        const char *bad = sl_csv_header_name(&fields[c], name, sizeof name);
        if (bad && fields[c].len < sizeof name) { /* a longer name is no observable's: passed on */
            snprintf(name, sizeof name, "%.*s", (int)fields[c].len, fields[c].p); /* up to the NUL */
            return header_error(run, c + 1, bad, name);
        }
        if (bad)
            continue;
        if (!strcmp(name, "v_hat") || !strcmp(name, "p"))
            return header_error(run, c + 1, "the input already has the output column", name);
        for (int k = 0; k < OBS_COUNT; k++) {
            if (strcmp(name, sl_obs_names[k]))
                continue;
            if (job->col[k] != COL_ABSENT)
                return header_error(run, c + 1, "duplicate column", name);
            job->col[k] = c;
        }
    }
    job->nobs = 0;
    for (int k = 0; k < OBS_COUNT; k++) {
        if (job->col[k] == COL_ABSENT && k != OBS_MISUSE)
            return header_error(run, 0, "missing column", sl_obs_names[k]);
        if (job->col[k] != COL_ABSENT)
            job->obs_order[job->nobs++] = k;
    }
    /* parse in field order so the first bad field of a record is the one reported */
    for (int i = 1; i < job->nobs; i++)
        for (int j = i; j > 0 && job->col[job->obs_order[j - 1]] > job->col[job->obs_order[j]]; j--) {
            int t = job->obs_order[j];
            job->obs_order[j] = job->obs_order[j - 1];
            job->obs_order[j - 1] = t;
        }
    return 0;
}

/* CSV: reads the header record off the carry, maps it, writes the output header. */
static int read_header(score_run *run)
{
    static const char bom[] = "\xEF\xBB\xBF";
    sl_csv_record rec;
    size_t pos, skip;
    for (;;) {
        skip = run->carry.len >= 3 && !memcmp(run->carry.p, bom, 3) ? 3 : 0;
        pos = skip;
        if (!sl_csv_next_record(run->carry.p, run->carry.len, &pos, NULL, 0, &rec))
            return 0; /* empty input: empty output */
        if (rec.term_len > 0 || run->eof)
            break;
        if (run->carry.len >= MAX_RECORD) {
            fprintf(stderr, "%s:1: a header longer than 64 MiB\n", run->in_name);
            return SL_EX_DATAERR;
        }
        if (read_more(run, run->opt.chunk))
            return run->exit_code;
    }
    if (rec.error) {
        fprintf(stderr, "%s:1:%zu: invalid CSV header: %s\n", run->in_name, rec.error_field, rec.error);
        return SL_EX_DATAERR;
    }
    sl_csv_field *fields = malloc(rec.nfields * sizeof *fields);
    if (!fields) {
        fprintf(stderr, "softlabel score: out of memory\n");
        return SL_EX_OSERR;
    }
    pos = skip;
    sl_csv_next_record(run->carry.p, run->carry.len, &pos, fields, rec.nfields, &rec);
    int rc = map_columns(run, fields, rec.nfields);
    free(fields);
    if (rc)
        return rc;
    const char *eol = rec.term_len == 2 ? "\r\n" : "\n";
    run->job.default_eol = eol;
    /* the output header: the input header as it was (with its BOM), then the new columns */
    sl_buf_append(&run->header, run->carry.p, (size_t)(rec.raw - run->carry.p) + rec.raw_len);
    if (sl_buf_append(&run->header, ",v_hat,p", 8) || sl_buf_append(&run->header, eol, strlen(eol))) {
        fprintf(stderr, "softlabel score: out of memory\n");
        return SL_EX_OSERR;
    }
    if (write_or_fail(run, &run->out, run->opt.out, run->header.p, run->header.len))
        return run->exit_code;
    if (run->rej.fd >= 0) {
        /* the rejects header: (BOM,) the three reject columns, then the input's columns */
        sl_buf h = {0};
        int e = sl_buf_append(&h, bom, skip);
        e |= sl_buf_append(&h, "rejected_line,rejected_column,rejected_reason,", 46);
        e |= sl_buf_append(&h, run->header.p + skip, run->header.len - skip - 8 - strlen(eol));
        e |= sl_buf_append(&h, eol, strlen(eol));
        e = e ? (fprintf(stderr, "softlabel score: out of memory\n"), SL_EX_OSERR)
              : write_or_fail(run, &run->rej, run->opt.rejects, h.p, h.len) ? run->exit_code : 0;
        sl_buf_free(&h);
        if (e)
            return e;
    }
    run->pending = run->carry.p + pos;
    run->pending_len = run->carry.len - pos;
    run->offset = pos;
    run->lines_done = rec.newlines;
    return 0;
}

static void print_counts(const score_run *run, double seconds)
{
    fprintf(stderr, "softlabel score: rows in %llu = scored %llu + rejected %llu",
            (unsigned long long)run->rows_in, (unsigned long long)run->scored,
            (unsigned long long)run->rejected);
    if (run->blank)
        fprintf(stderr, "  (blank lines ignored: %llu)", (unsigned long long)run->blank);
    fputc('\n', stderr);
    if (!run->opt.summary)
        return;
    fprintf(stderr, "softlabel score: %.3f s, %.2f M rows/s, %.1f MB/s in; %zu thread%s, path %s, %s\n",
            seconds, (double)run->rows_in / seconds / 1e6, (double)run->offset / seconds / 1e6,
            run->opt.threads, run->opt.threads == 1 ? "" : "s", sl_isa_name(),
            run->opt.f32 ? "f32" : "f64");
    sl_psummary_print(stderr, &run->ps);
}

/* Everything after the options: open, read the header, run the pipeline, finish the files. */
static int run_score(score_run *run)
{
    double t0 = sl_now();
    int rc = open_input(run);
    if (rc)
        return rc;
    if (read_more(run, run->opt.chunk))
        return run->exit_code;
    run->job.format = pick_format(run);
    run->job.default_eol = "\n";
    if (sl_outfile_open(&run->out, run->opt.out) ||
        (run->opt.rejects && sl_outfile_open(&run->rej, run->opt.rejects)))
        return SL_EX_CANTCREAT;
    run->pending = run->carry.p;
    run->pending_len = run->carry.len;
    if (run->job.format == FORMAT_CSV && (rc = read_header(run)))
        return rc;
    run->nslots = sl_pipeline_slots((int)run->opt.threads);
    run->slots = calloc(run->nslots, sizeof *run->slots);
    if (!run->slots) {
        fprintf(stderr, "softlabel score: out of memory\n");
        return SL_EX_OSERR;
    }
    sl_progress_start(&run->progress, "score");
    sl_pipeline_ops ops = {run, produce, process, consume};
    int pr = sl_pipeline_run(&ops, run->nslots, (int)run->opt.threads);
    sl_progress_end(&run->progress);
    if (pr < 0) {
        fprintf(stderr, "softlabel score: cannot start %zu threads\n", run->opt.threads);
        return SL_EX_OSERR;
    }
    if (pr > 0)
        return run->input_failed ? run->input_failed
               : run->exit_code  ? run->exit_code : SL_EX_SOFTWARE;
    sl_outfile *outputs[] = {&run->rej, &run->out}; /* the main output replaced last */
    if (sl_outfile_commit_all(outputs, 2))
        return SL_EX_IOERR;
    if (run->opt.skip || run->opt.summary)
        print_counts(run, sl_now() - t0);
    return 0;
}

int sl_cmd_score(int argc, char **argv)
{
    score_run run = {.in_fd = -1, .out = SL_OUTFILE_NONE, .rej = SL_OUTFILE_NONE};
    int rc = parse_options(argc, argv, &run.opt);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = setup_params(&run.opt, &run.px)))
        return rc;
    run.job.px = &run.px;
    run.job.f32 = run.opt.f32;
    run.job.stop_on_error = !run.opt.skip;
    run.job.want_summary = run.opt.summary;
    sl_psummary_init(&run.ps);
    rc = run_score(&run);
    if (rc) {
        sl_outfile_abort(&run.out);
        sl_outfile_abort(&run.rej);
    }
    if (run.in_fd > STDIN_FILENO)
        close(run.in_fd);
    for (size_t i = 0; i < run.nslots; i++)
        score_slot_free(&run.slots[i]);
    free(run.slots);
    sl_buf_free(&run.carry);
    sl_buf_free(&run.header);
    sl_buf_free(&run.rejline);
    return rc;
}
