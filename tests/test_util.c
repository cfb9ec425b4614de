#include "test_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open golden file %s: %s (set SOFTLABEL_GOLDEN_DIR)", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);
    return buf;
}

static char **split_line(char *line, size_t *count)
{
    size_t n = 1;
    for (char *c = line; *c; c++)
        n += *c == ',';
    char **fields = malloc(n * sizeof(char *));
    assert_non_null(fields);
    size_t k = 0;
    fields[k++] = line;
    for (char *c = line; *c; c++)
        if (*c == ',') {
            *c = '\0';
            fields[k++] = c + 1;
        }
    *count = n;
    return fields;
}

csv_table csv_read_golden(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", SL_GOLDEN_DIR, name);
    char *text = read_file(path);
    csv_table t = {0, 0, NULL, NULL, text};
    size_t lines = 0;
    for (char *c = text; *c; c++)
        lines += *c == '\n';
    t.cells = malloc((lines + 1) * sizeof(char **));
    assert_non_null(t.cells);
    char *save = NULL;
    for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        size_t cols;
        char **fields = split_line(line, &cols);
        if (!t.header) {
            t.header = fields;
            t.cols = cols;
            continue;
        }
        if (cols != t.cols)
            fail_msg("%s: data row %zu has %zu fields, header has %zu", name, t.rows + 1, cols, t.cols);
        t.cells[t.rows++] = fields;
    }
    assert_non_null(t.header);
    return t;
}

void csv_free(csv_table *t)
{
    for (size_t r = 0; r < t->rows; r++)
        free(t->cells[r]);
    free(t->cells);
    free(t->header);
    free(t->text);
}

size_t csv_col(const csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (strcmp(t->header[c], name) == 0)
            return c;
    fail_msg("golden file has no column '%s'", name);
    return 0;
}

double csv_double(const csv_table *t, size_t row, size_t col)
{
    char *end;
    double v = strtod(t->cells[row][col], &end);
    if (*end || end == t->cells[row][col])
        fail_msg("row %zu column %s: not a number: '%s'", row + 2, t->header[col], t->cells[row][col]);
    return v;
}

int32_t csv_int32(const csv_table *t, size_t row, size_t col)
{
    char *end;
    errno = 0;
    long long v = strtoll(t->cells[row][col], &end, 10);
    if (*end || errno || v < INT32_MIN || v > INT32_MAX)
        fail_msg("row %zu column %s: not an int32: '%s'", row + 2, t->header[col], t->cells[row][col]);
    return (int32_t)v;
}

/* Maps the float's bits onto a monotonic integer line, so subtraction counts representable
 * values between them. */
static int64_t ordered_f64(double x)
{
    int64_t i;
    memcpy(&i, &x, sizeof i);
    return i < 0 ? INT64_MIN - i : i;
}

uint64_t ulp_diff_f64(double a, double b)
{
    int64_t x = ordered_f64(a), y = ordered_f64(b);
    return x > y ? (uint64_t)x - (uint64_t)y : (uint64_t)y - (uint64_t)x;
}

uint32_t ulp_diff_f32(float a, float b)
{
    int32_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    int64_t ox = x < 0 ? (int64_t)INT32_MIN - x : x, oy = y < 0 ? (int64_t)INT32_MIN - y : y;
    return (uint32_t)(ox > oy ? ox - oy : oy - ox);
}

/* From the library's one list of paths (sl_isa_at: best first), scalar first here. */
const char *const *all_isa_names(void)
{
    static const char *list[16];
    size_t n = sl_isa_count();
    if (n >= sizeof list / sizeof list[0])
        fail_msg("%zu paths: more than test_util expects", n);
    for (size_t i = 0; i < n; i++)
        list[i] = sl_isa_at(n - 1 - i);
    list[n] = NULL;
    return list;
}

const char *const *supported_isas(void)
{
    static const char *list[16];
    size_t k = 0;
    for (const char *const *name = all_isa_names(); *name; name++)
        if (sl_isa_supported(*name))
            list[k++] = *name;
    list[k] = NULL;
    return list;
}

void force_isa(const char *name)
{
    sl_status st = sl_set_isa(name);
    if (st != SL_OK)
        fail_msg("sl_set_isa(%s): %s", name, sl_status_str(st));
    assert_string_equal(sl_isa_name(), name);
}

uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double rng_uniform(uint64_t *state, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rng_next(state) >> 11) * 0x1p-53);
}

void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    int ok = fputs(text, f) >= 0;
    if (fclose(f) != 0 || !ok)
        fail_msg("cannot write %s", path);
}

int run_in_dir(const char *dir, const char *launcher, const char *binary, const char *args)
{
    char cmd[2048];
    int len = snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' %s 2> err.txt", dir, launcher, binary,
                       args);
    assert_true(len > 0 && (size_t)len < sizeof cmd);
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

uint64_t digest_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}
