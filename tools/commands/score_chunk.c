#include "score_chunk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "numtext.h"

const char *const sl_obs_names[OBS_COUNT] = {
    "task_progress_delta", "rework_count", "verifier_rejections", "tool_misuse_flags",
    "counterparty_engagement_delta"};

/* Longest excerpt of a bad value quoted in a message. */
#define EXCERPT_MAX 60

static bool is_count(int k) { return k == OBS_REWORK || k == OBS_VERIFIER || k == OBS_MISUSE; }

static int count_slot(int k) { return k == OBS_REWORK ? 0 : k == OBS_VERIFIER ? 1 : 2; }

static void *grow(void *p, size_t n, size_t size, bool *ok)
{
    void *q = realloc(p, n * size);
    if (!q)
        *ok = false;
    return q ? q : p;
}

/* Makes room for one more observable row. */
static int reserve_row(const score_job *job, score_slot *s, size_t row)
{
    if (row < s->rows_cap)
        return 0;
    size_t cap = s->rows_cap ? 2 * s->rows_cap : 4096;
    bool ok = true;
    if (job->f32) {
        s->prog32 = grow(s->prog32, cap, sizeof(float), &ok);
        s->eng32 = grow(s->eng32, cap, sizeof(float), &ok);
        s->v32 = grow(s->v32, cap, sizeof(float), &ok);
        s->p32 = grow(s->p32, cap, sizeof(float), &ok);
    } else {
        s->prog64 = grow(s->prog64, cap, sizeof(double), &ok);
        s->eng64 = grow(s->eng64, cap, sizeof(double), &ok);
        s->v64 = grow(s->v64, cap, sizeof(double), &ok);
        s->p64 = grow(s->p64, cap, sizeof(double), &ok);
    }
    for (int c = 0; c < 3; c++)
        s->counts[c] = grow(s->counts[c], cap, sizeof(int32_t), &ok);
    if (!ok)
        return -1;
    s->rows_cap = cap;
    return 0;
}

static int push_rec(score_slot *s, const score_rec *r)
{
    if (s->nrecs == s->recs_cap) {
        size_t cap = s->recs_cap ? 2 * s->recs_cap : 4096;
        score_rec *recs = realloc(s->recs, cap * sizeof *recs);
        if (!recs)
            return -1;
        s->recs = recs;
        s->recs_cap = cap;
    }
    s->recs[s->nrecs++] = *r;
    return 0;
}

/* Appends a value for a message: at most EXCERPT_MAX bytes, control bytes escaped. */
static int append_excerpt(sl_buf *b, const char *v, size_t n)
{
    bool cut = n > EXCERPT_MAX;
    if (cut)
        n = EXCERPT_MAX;
    if (sl_buf_reserve(b, 4 * n + 8))
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c >= 0x20 && c != 0x7f) {
            b->p[b->len++] = (char)c;
            continue;
        }
        const char *esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        char hex[5];
        if (!esc) {
            snprintf(hex, sizeof hex, "\\x%02x", c);
            esc = hex;
        }
        sl_buf_append(b, esc, strlen(esc));
    }
    return cut ? sl_buf_append(b, "...", 3) : 0;
}

/* Records a bad record: "[name: ]problem[ ('value')]". value NULL: no value shown. */
static int add_error(score_slot *s, size_t line, size_t column, const char *name,
                     const char *problem, const char *value, size_t vlen)
{
    if (s->nerrs == s->errs_cap) {
        size_t cap = s->errs_cap ? 2 * s->errs_cap : 64;
        score_error *errs = realloc(s->errs, cap * sizeof *errs);
        if (!errs)
            return -1;
        s->errs = errs;
        s->errs_cap = cap;
    }
    sl_buf *t = &s->errtext;
    size_t off = t->len;
    int rc = 0;
    if (name) {
        rc |= sl_buf_append(t, name, strlen(name));
        rc |= sl_buf_append(t, ": ", 2);
    }
    rc |= sl_buf_append(t, problem, strlen(problem));
    if (value) {
        rc |= sl_buf_append(t, " ('", 3);
        rc |= append_excerpt(t, value, vlen);
        rc |= sl_buf_append(t, "')", 2);
    }
    if (rc)
        return -1;
    s->errs[s->nerrs++] = (score_error){s->nrecs - 1, line, column, off, t->len - off};
    return 0;
}

static void trim(const char **p, size_t *n)
{
    while (*n > 0 && (**p == ' ' || **p == '\t'))
        (*p)++, (*n)--;
    while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

/* A real observable into row `row`; NULL or what is wrong. */
static const char *parse_real(const score_job *job, score_slot *s, int k, size_t row,
                              const char *p, size_t n)
{
    trim(&p, &n);
    if (n == 0)
        return "missing value";
    if (job->f32) {
        float x;
        if (sl_parse_f32(p, n, &x))
            return "not a number";
        if (isnan(x))
            return "NaN is not a valid value";
        (k == OBS_PROGRESS ? s->prog32 : s->eng32)[row] = x;
    } else {
        double x;
        if (sl_parse_f64(p, n, &x))
            return "not a number";
        if (isnan(x))
            return "NaN is not a valid value";
        (k == OBS_PROGRESS ? s->prog64 : s->eng64)[row] = x;
    }
    return NULL;
}

/* A count: a whole number 0 .. INT32_MAX by its exact decimal value (numtext.h). */
static const char *parse_count(const char *p, size_t n, int32_t *out)
{
    trim(&p, &n);
    if (n == 0)
        return "missing value";
    /* plain digits, the common case, inline: through sl_parse_whole alone score's user CPU went
     * from 0.93 to 1.12-1.21 s (5M rows, one thread); with this, 0.93 again */
    if (n <= 9) {
        uint32_t d = 0;
        size_t i = 0;
        while (i < n && (unsigned)(p[i] - '0') <= 9)
            d = d * 10 + (uint32_t)(p[i++] - '0');
        if (i == n) {
            *out = (int32_t)d;
            return NULL;
        }
    }
    int64_t v;
    switch (sl_parse_whole(p, n, 0, INT32_MAX, &v)) {
    case SL_WHOLE_OK: *out = (int32_t)v; return NULL;
    case SL_WHOLE_SYNTAX: return "not a number";
    case SL_WHOLE_NAN: return "NaN is not a valid count";
    case SL_WHOLE_FRACTION: return "not a whole number";
    case SL_WHOLE_BELOW: return "negative count";
    case SL_WHOLE_ABOVE: return "count above 2147483647";
    }
    return "not a number";
}

static const char *parse_obs(const score_job *job, score_slot *s, int k, size_t row,
                             const char *p, size_t n)
{
    if (is_count(k))
        return parse_count(p, n, &s->counts[count_slot(k)][row]);
    return parse_real(job, s, k, row, p, n);
}

/* One CSV record whose fields are in s->fields; returns 0, 1 when it was bad, -1 out of memory. */
static int csv_record(const score_job *job, score_slot *s, const sl_csv_record *rec, size_t line,
                      size_t row)
{
    char what[96];
    if (rec->error)
        return add_error(s, line, rec->error_field, NULL, rec->error, NULL, 0) ? -1 : 1;
    if (rec->nfields != job->ncols) {
        snprintf(what, sizeof what, "wrong field count: expected %zu fields, found %zu",
                 job->ncols, rec->nfields);
        size_t column = rec->nfields < job->ncols ? rec->nfields + 1 : job->ncols + 1;
        return add_error(s, line, column, NULL, what, NULL, 0) ? -1 : 1;
    }
    for (int o = 0; o < job->nobs; o++) {
        int k = job->obs_order[o];
        const sl_csv_field *f = &s->fields[job->col[k]];
        const char *problem = parse_obs(job, s, k, row, f->p, f->len);
        if (problem)
            return add_error(s, line, job->col[k] + 1, sl_obs_names[k], problem, f->p, f->len) ? -1 : 1;
    }
    return 0;
}

static int process_csv(const score_job *job, score_slot *s)
{
    const char *in = s->in.p;
    size_t pos = 0, line = 0;
    while (pos < s->in.len) {
        sl_csv_record rec;
        sl_csv_next_record(in, s->in.len, &pos, s->fields, job->ncols + 1, &rec);
        score_rec r = {(size_t)(rec.raw - in), rec.raw_len, (uint8_t)rec.term_len, 0, SIZE_MAX};
        if (push_rec(s, &r))
            return -1;
        if (!rec.error && sl_csv_is_blank(rec.raw, rec.raw_len)) { /* ignored, counted */
            s->blank++;
        } else {
            size_t row = s->scored;
            if (reserve_row(job, s, row))
                return -1;
            int bad = csv_record(job, s, &rec, line, row);
            if (bad < 0)
                return -1;
            if (!bad) {
                s->recs[s->nrecs - 1].row = row;
                s->scored++;
            } else if (job->stop_on_error) {
                line += rec.newlines;
                break;
            }
        }
        line += rec.newlines;
    }
    s->lines = line;
    return 0;
}

/* Which observable a JSON key names: OBS_*, OBS_COUNT for an output field (v_hat, p), -1 else */
static int json_key_kind(const sl_json_member *m)
{
    for (int k = 0; k < OBS_COUNT; k++)
        if (sl_json_key_is(m, sl_obs_names[k]))
            return k;
    if (sl_json_key_is(m, "v_hat") || sl_json_key_is(m, "p"))
        return OBS_COUNT;
    return -1;
}

/* One JSONL line raw[0..n); returns 0, 1 when it was bad, -1 out of memory. */
static int json_record(const score_job *job, score_slot *s, const char *raw, size_t n,
                       size_t line, size_t row, size_t *splice)
{
    sl_json_iter it;
    sl_json_member m, val[OBS_COUNT];
    bool seen[OBS_COUNT] = {false};
    char what[128];
    int r = sl_json_begin(&it, raw, n, SL_JSON_NONFINITE | SL_JSON_UTF8);
    while (r == 0 || r == 1) {
        r = sl_json_next(&it, &m);
        if (r != 1)
            break;
        int k = json_key_kind(&m);
        size_t key_column = (size_t)(m.key - raw);
        if (k == OBS_COUNT) {
            snprintf(what, sizeof what, "the object already has a field '%.*s' (the output adds v_hat and p)",
                     (int)m.key_len, m.key);
            return add_error(s, line, key_column, NULL, what, NULL, 0) ? -1 : 1;
        }
        if (k >= 0 && seen[k])
            return add_error(s, line, key_column, sl_obs_names[k], "duplicate key", NULL, 0) ? -1 : 1;
        if (k >= 0) {
            seen[k] = true;
            val[k] = m;
        }
    }
    if (r < 0) {
        snprintf(what, sizeof what, "invalid JSON: %s", it.error);
        size_t at = it.error_offset < n ? it.error_offset : n;
        return add_error(s, line, at + 1, NULL, what, raw + at, n - at) ? -1 : 1;
    }
    /* values in the order they appear on the line, so the first bad one is reported */
    int order[OBS_COUNT], count = 0;
    for (int k = 0; k < OBS_COUNT; k++) {
        if (!seen[k])
            continue;
        int j = count++;
        while (j > 0 && val[order[j - 1]].value_offset > val[k].value_offset) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    for (int o = 0; o < count; o++) {
        int k = order[o];
        const sl_json_member *v = &val[k];
        const char *problem = v->type == SL_JSON_NULL     ? "missing value"
                              : v->type != SL_JSON_NUMBER ? "not a number"
                                                          : parse_obs(job, s, k, row, v->value, v->value_len);
        if (problem)
            return add_error(s, line, v->value_offset + 1, sl_obs_names[k], problem, v->value,
                             v->value_len) ? -1 : 1;
    }
    for (int k = 0; k < OBS_COUNT; k++) {
        if (seen[k])
            continue;
        if (k == OBS_MISUSE) { /* optional: absent means 0 */
            s->counts[count_slot(k)][row] = 0;
            continue;
        }
        return add_error(s, line, it.close_offset + 1, sl_obs_names[k], "missing field", NULL, 0) ? -1 : 1;
    }
    *splice = it.close_offset;
    return 0;
}

static int process_jsonl(const score_job *job, score_slot *s)
{
    const char *in = s->in.p;
    size_t pos = 0, line = 0;
    while (pos < s->in.len) {
        const char *nl = memchr(in + pos, '\n', s->in.len - pos);
        size_t end = nl ? (size_t)(nl - in) : s->in.len;
        score_rec r = {pos, end - pos, nl ? 1 : 0, 0, SIZE_MAX};
        if (nl && end > pos && in[end - 1] == '\r') {
            r.len--;
            r.term_len = 2;
        }
        if (push_rec(s, &r))
            return -1;
        score_rec *rec = &s->recs[s->nrecs - 1];
        if (sl_csv_is_blank(in + pos, rec->len)) { /* ignored, counted */
            s->blank++;
        } else {
            size_t row = s->scored;
            if (reserve_row(job, s, row))
                return -1;
            /* a UTF-8 byte-order mark opening the input is kept in the output, not parsed */
            size_t bom = s->in_offset == 0 && pos == 0 && rec->len >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3) ? 3 : 0;
            int bad = json_record(job, s, in + pos + bom, rec->len - bom, line, row, &rec->splice);
            rec->splice += bom;
            if (bad < 0)
                return -1;
            if (!bad) {
                rec->row = row;
                s->scored++;
            } else if (job->stop_on_error) {
                line += nl != NULL;
                break;
            }
        }
        line += nl != NULL;
        pos = nl ? end + 1 : s->in.len;
    }
    s->lines = line;
    return 0;
}

static int score_rows(const score_job *job, score_slot *s)
{
    size_t first_bad;
    int32_t *misuse = job->format == FORMAT_CSV && job->col[OBS_MISUSE] == COL_ABSENT ? NULL
                                                                                      : s->counts[2];
    if (s->scored == 0)
        return 0;
    if (job->f32) {
        sl_observables_f32 o = {s->prog32, s->counts[0], s->counts[1], misuse, s->eng32};
        s->lib_status = sl_score_f32(job->px, &o, s->scored, s->v32, s->p32, &first_bad);
    } else {
        sl_observables_f64 o = {s->prog64, s->counts[0], s->counts[1], misuse, s->eng64};
        s->lib_status = sl_score_f64(job->px, &o, s->scored, s->v64, s->p64, &first_bad);
    }
    return s->lib_status == SL_OK ? 0 : -1;
}

/* Appends ",v_hat,p" (CSV) or ,"v_hat":v,"p":p (JSONL) for a row; room already reserved. */
static char *put_scores(const score_job *job, const score_slot *s, size_t row, char *o)
{
    bool json = job->format == FORMAT_JSONL;
    if (json) {
        memcpy(o, ",\"v_hat\":", 9);
        o += 9;
    } else
        *o++ = ',';
    o += job->f32 ? sl_format_f32(s->v32[row], o) : sl_format_f64(s->v64[row], o);
    if (json) {
        memcpy(o, ",\"p\":", 5);
        o += 5;
    } else
        *o++ = ',';
    o += job->f32 ? sl_format_f32(s->p32[row], o) : sl_format_f64(s->p64[row], o);
    return o;
}

static int format_output(const score_job *job, score_slot *s)
{
    if (sl_buf_reserve(&s->out, s->in.len + s->scored * (2 * SL_NUMTEXT_MAX + 24)))
        return -1;
    char *o = s->out.p;
    const char *in = s->in.p;
    for (size_t i = 0; i < s->nrecs; i++) {
        const score_rec *r = &s->recs[i];
        if (r->row == SIZE_MAX)
            continue;
        size_t head = job->format == FORMAT_JSONL ? r->splice : r->len;
        memcpy(o, in + r->start, head);
        o = put_scores(job, s, r->row, o + head);
        memcpy(o, in + r->start + head, r->len - head);
        o += r->len - head;
        const char *eol = r->term_len == 2 ? "\r\n" : r->term_len == 1 ? "\n" : job->default_eol;
        size_t eol_len = strlen(eol);
        memcpy(o, eol, eol_len);
        o += eol_len;
    }
    s->out.len = (size_t)(o - s->out.p);
    return 0;
}

void score_slot_process(const score_job *job, score_slot *s)
{
    s->lines = s->nrecs = s->blank = s->scored = s->nerrs = 0;
    s->errtext.len = s->out.len = 0;
    s->internal = 0;
    s->lib_status = SL_OK;
    sl_psummary_init(&s->ps);
    if (s->fatal)
        return;
    if (!s->fields && job->format == FORMAT_CSV) {
        s->fields = malloc((job->ncols + 1) * sizeof *s->fields);
        if (!s->fields) {
            s->internal = SL_EX_OSERR;
            return;
        }
    }
    int rc = job->format == FORMAT_CSV ? process_csv(job, s) : process_jsonl(job, s);
    if (rc) {
        s->internal = SL_EX_OSERR;
        return;
    }
    if (score_rows(job, s)) {
        s->internal = SL_EX_SOFTWARE;
        return;
    }
    if (format_output(job, s)) {
        s->internal = SL_EX_OSERR;
        return;
    }
    if (job->want_summary)
        for (size_t i = 0; i < s->scored; i++)
            sl_psummary_add(&s->ps, job->f32 ? (double)s->p32[i] : s->p64[i]);
}

void score_slot_free(score_slot *s)
{
    sl_buf_free(&s->in);
    sl_buf_free(&s->out);
    sl_buf_free(&s->errtext);
    free(s->recs);
    free(s->errs);
    free(s->prog64);
    free(s->eng64);
    free(s->v64);
    free(s->p64);
    free(s->prog32);
    free(s->eng32);
    free(s->v32);
    free(s->p32);
    for (int c = 0; c < 3; c++)
        free(s->counts[c]);
    free(s->fields);
    *s = (score_slot){0};
}
