#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "json.h"
#include "numtext.h"

#define CONFIG_MAX_BYTES (1 << 20)

static double *param_field(sl_proxy_params *p, const sl_json_member *m, int *index)
{
    static const char *const names[] = {"w_progress",   "w_rework",        "w_verifier",
                                        "w_engagement", "sigmoid_k",       "rework_decay",
                                        "rejection_decay", "misuse_decay"};
    double *fields[] = {&p->w_progress,   &p->w_rework,     &p->w_verifier,
                        &p->w_engagement, &p->sigmoid_k,    &p->rework_decay,
                        &p->rejection_decay, &p->misuse_decay};
    for (int i = 0; i < 8; i++)
        if (sl_json_key_is(m, names[i])) {
            *index = i;
            return fields[i];
        }
    return NULL;
}

/* "PATH:LINE:COLUMN: what" for a byte offset into text */
static int report(const char *path, const char *text, size_t offset, const char *what,
                  const char *value, size_t vlen)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; i++) {
        column = text[i] == '\n' ? 1 : column + 1;
        line += text[i] == '\n';
    }
    fprintf(stderr, "%s:%zu:%zu: %s", path, line, column, what);
    if (value)
        fprintf(stderr, " ('%.*s')", (int)(vlen > 60 ? 60 : vlen), value);
    fputc('\n', stderr);
    return SL_EX_CONFIG;
}

int sl_config_load(const char *path, sl_proxy_params *params)
{
    int fd = sl_input_open("score", path);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return SL_EX_NOINPUT;
    }
    char *text = malloc(CONFIG_MAX_BYTES);
    size_t n = text ? fread(text, 1, CONFIG_MAX_BYTES, f) : 0;
    int read_error = ferror(f);
    fclose(f);
    if (!text || read_error || n == CONFIG_MAX_BYTES) {
        fprintf(stderr, "softlabel: %s: %s\n", path,
                !text ? "out of memory" : read_error ? "read error" : "larger than 1 MiB");
        free(text);
        return !text ? SL_EX_OSERR : read_error ? SL_EX_IOERR : SL_EX_CONFIG;
    }
    sl_json_iter it;
    sl_json_member m;
    bool seen[8] = {false};
    int r = sl_json_begin(&it, text, n, SL_JSON_NONFINITE | SL_JSON_UTF8), rc = 0;
    while (r >= 0 && (r = sl_json_next(&it, &m)) == 1) {
        int index;
        double *field = param_field(params, &m, &index);
        const char *what = !field              ? "unknown parameter"
                           : seen[index]       ? "parameter given twice"
                           : m.type != SL_JSON_NUMBER ? "not a number"
                           : sl_parse_f64(m.value, m.value_len, field) ? "not a number"
                                               : NULL;
        if (what) {
            bool on_key = !field || seen[index];
            rc = report(path, text, on_key ? (size_t)(m.key - 1 - text) : m.value_offset, what,
                        on_key ? m.key : m.value, on_key ? m.key_len : m.value_len);
            break;
        }
        seen[index] = true;
    }
    if (r < 0)
        rc = report(path, text, it.error_offset, it.error, NULL, 0);
    free(text);
    return rc;
}

int sl_parse_number_list(const char *text, double *out, int count)
{
    const char *p = text;
    for (int i = 0; i < count; i++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if ((i < count - 1) != (comma != NULL) || sl_parse_f64(p, len, &out[i]))
            return -1;
        p = comma ? comma + 1 : p + len;
    }
    return 0;
}
