/*
 * softlabel gen: write N synthetic interactions (the built-in sample of tools/sample.h) as CSV or
 * JSONL, deterministic for a seed whatever the thread count. Rows are made and formatted in
 * parallel chunks and written in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "numtext.h"
#include "options.h"
#include "pipeline.h"
#include "sample.h"

#define ROWS_PER_CHUNK 65536
/* Longest row: two ids, two reals, three counts and the JSONL names around them. */
#define MAX_ROW_BYTES 384

static const char csv_header[] = "interaction_id,agent_id,task_progress_delta,rework_count,"
                                 "verifier_rejections,tool_misuse_flags,counterparty_engagement_delta\n";

typedef struct gen_slot {
    uint64_t first, count;
    sl_buf out;
} gen_slot;

typedef struct gen_run {
    uint64_t n, seed, next;
    bool jsonl;
    gen_slot *slots;
    sl_outfile out;
    const char *out_name;
    sl_progress progress;
    uint64_t written;
    int exit_code;
} gen_run;

static char *put_text(char *o, const char *text)
{
    size_t n = strlen(text);
    memcpy(o, text, n);
    return o + n;
}

/* One row as CSV or JSONL; MAX_ROW_BYTES of room at o. */
static char *put_row(char *o, bool jsonl, uint64_t id, const sl_sample_row *r)
{
    char agent[16];
    snprintf(agent, sizeof agent, "agent-%04u", r->agent);
    o = put_text(o, jsonl ? "{\"interaction_id\":" : "");
    o += sl_format_u64(id, o);
    o = put_text(o, jsonl ? ",\"agent_id\":\"" : ",");
    o = put_text(o, agent);
    o = put_text(o, jsonl ? "\",\"task_progress_delta\":" : ",");
    o += sl_format_f64(r->task_progress_delta, o);
    o = put_text(o, jsonl ? ",\"rework_count\":" : ",");
    o += sl_format_u64((uint64_t)r->rework_count, o);
    o = put_text(o, jsonl ? ",\"verifier_rejections\":" : ",");
    o += sl_format_u64((uint64_t)r->verifier_rejections, o);
    o = put_text(o, jsonl ? ",\"tool_misuse_flags\":" : ",");
    o += sl_format_u64((uint64_t)r->tool_misuse_flags, o);
    o = put_text(o, jsonl ? ",\"counterparty_engagement_delta\":" : ",");
    o += sl_format_f64(r->counterparty_engagement_delta, o);
    return put_text(o, jsonl ? "}\n" : "\n");
}

static int produce(void *ctx, size_t slot)
{
    gen_run *run = ctx;
    if (run->next >= run->n)
        return 0;
    gen_slot *s = &run->slots[slot];
    s->first = run->next;
    s->count = run->n - run->next < ROWS_PER_CHUNK ? run->n - run->next : ROWS_PER_CHUNK;
    run->next += s->count;
    return 1;
}

static void process(void *ctx, size_t slot)
{
    gen_run *run = ctx;
    gen_slot *s = &run->slots[slot];
    s->out.len = 0;
    if (sl_buf_reserve(&s->out, s->count * MAX_ROW_BYTES))
        return; /* consume sees the empty buffer for a non-empty chunk */
    char *o = s->out.p;
    for (uint64_t i = s->first; i < s->first + s->count; i++) {
        sl_sample_row r;
        sl_sample_row_at(run->seed, i, &r);
        o = put_row(o, run->jsonl, i + 1, &r);
    }
    s->out.len = (size_t)(o - s->out.p);
}

static int consume(void *ctx, size_t slot)
{
    gen_run *run = ctx;
    gen_slot *s = &run->slots[slot];
    if (s->out.len == 0) {
        fprintf(stderr, "softlabel gen: out of memory\n");
        run->exit_code = SL_EX_OSERR;
        return 1;
    }
    if (sl_write_all(run->out.fd, s->out.p, s->out.len)) {
        fprintf(stderr, "softlabel gen: %s: write error: %s\n", run->out_name, strerror(errno));
        run->exit_code = SL_EX_IOERR;
        return 1;
    }
    run->written += s->count;
    sl_progress_update(&run->progress, run->written, run->written, run->n);
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

int sl_cmd_gen(int argc, char **argv)
{
    size_t n = 10000000, seed = 42, threads = (size_t)sl_online_cores();
    const char *out = "-";
    int format = -1; /* 0 csv, 1 jsonl; -1: from the extension */
    const sl_option options[] = {
        {"--n", SL_OPT_COUNT, &n, "N", .help = "interactions to write (default 10000000)",
         .hi = SIZE_MAX},
        {"--seed", SL_OPT_COUNT, &seed, "S", .help = "the sample's seed (default 42)", .hi = SIZE_MAX},
        {"--out", SL_OPT_PATH, &out, "FILE", .help = "output ('-', the default: standard output)"},
        {"--format", SL_OPT_ENUM, &format, NULL,
         .help = "output format (default: jsonl for a .jsonl/.ndjson FILE, else csv)",
         .choices = "csv|jsonl"},
        {"--threads", SL_OPT_COUNT, &threads, "T", .help = "threads (default: all online cores)",
         .lo = 1, .hi = 1024},
    };
    const sl_command_options command = {
        "gen",
        "  Writes N synthetic interactions to FILE as CSV with a header, or JSONL. The same seed\n"
        "  gives the same bytes on any machine and thread count.\n"
        "  Columns: interaction_id (1..N), agent_id (agent-0000..agent-0999), task_progress_delta,\n"
        "  rework_count, verifier_rejections, tool_misuse_flags, counterparty_engagement_delta.\n"
        "  Distributions (shared with softlabel sample):\n"
        "    task_progress_delta            normal(0.25, 0.45), about 5% beyond +-1\n"
        "    counterparty_engagement_delta  normal(0.10, 0.50)\n"
        "    rework_count                   geometric, mean 0.8\n"
        "    verifier_rejections            geometric, mean 0.4\n"
        "    tool_misuse_flags              0 for 95% of rows, else 1 + geometric(mean 0.5)\n"
        "    agent_id                       uniform over 1000 agents\n"
        "  Reals are printed in shortest round-trip form.\n\n",
        NULL, options, sizeof options / sizeof options[0]};
    int rc = sl_options_parse(&command, argc, argv);
    if (rc)
        return rc < 0 ? SL_EX_OK : rc;
    gen_run run = {.n = n, .seed = seed, .out_name = out};
    run.jsonl = format >= 0 ? format == 1 : ends_with(out, ".jsonl") || ends_with(out, ".ndjson");
    size_t nslots = sl_pipeline_slots((int)threads);
    run.slots = calloc(nslots, sizeof *run.slots);
    if (!run.slots) {
        fprintf(stderr, "softlabel gen: out of memory\n");
        return SL_EX_OSERR;
    }
    if (sl_outfile_open(&run.out, out)) {
        rc = SL_EX_CANTCREAT;
    } else if (!run.jsonl && sl_write_all(run.out.fd, csv_header, sizeof csv_header - 1)) {
        fprintf(stderr, "softlabel gen: %s: write error: %s\n", out, strerror(errno));
        rc = SL_EX_IOERR;
    } else {
        sl_progress_start(&run.progress, "gen");
        sl_pipeline_ops ops = {&run, produce, process, consume};
        int pr = sl_pipeline_run(&ops, nslots, (int)threads);
        sl_progress_end(&run.progress);
        rc = pr < 0 ? SL_EX_OSERR : pr > 0 ? run.exit_code : 0;
        if (pr < 0)
            fprintf(stderr, "softlabel gen: cannot start %zu threads\n", threads);
    }
    if (rc == 0 && sl_outfile_commit(&run.out))
        rc = SL_EX_IOERR;
    if (rc)
        sl_outfile_abort(&run.out);
    for (size_t i = 0; i < nslots; i++)
        sl_buf_free(&run.slots[i].out);
    free(run.slots);
    return rc;
}
