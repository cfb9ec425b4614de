/* The fuzz targets' shared helpers: see fuzz_common.h. */
#include "fuzz_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"

static char scratch_dir[4096];

/* The scratch directory, made on first use under $TMPDIR (else /dev/shm or /tmp) and removed at
 * exit. */
static const char *scratch(void)
{
    if (scratch_dir[0])
        return scratch_dir;
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(scratch_dir, sizeof scratch_dir, "%s/softlabel-fuzz-XXXXXX", base);
    if (!mkdtemp(scratch_dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    return scratch_dir;
}

const char *fuzz_path(const char *name)
{
    static struct {
        const char *name;
        char *path;
    } cache[64];
    size_t i = 0;
    for (; i < 64 && cache[i].name; i++)
        if (strcmp(cache[i].name, name) == 0)
            return cache[i].path;
    if (i == 64)
        fuzz_fail("fuzz_path: more than 64 scratch names");
    size_t len = strlen(scratch()) + strlen(name) + 2;
    cache[i].path = malloc(len);
    if (!cache[i].path)
        abort();
    snprintf(cache[i].path, len, "%s/%s", scratch(), name);
    cache[i].name = name;
    return cache[i].path;
}

void fuzz_write(const char *name, const void *data, size_t size)
{
    FILE *f = fopen(fuzz_path(name), "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_fail("cannot write %s: %s", fuzz_path(name), strerror(errno));
}

bool fuzz_read(const char *name, char **out, size_t *size)
{
    *out = NULL;
    *size = 0;
    FILE *f = fopen(fuzz_path(name), "rb");
    if (!f)
        return false;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *grown = realloc(buf, 2 * cap + 1);
            if (!grown)
                free(buf);
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        abort();
    buf[len] = '\0';
    *out = buf;
    *size = len;
    return true;
}

bool fuzz_same_file(const char *a, const char *b)
{
    char *x, *y;
    size_t nx, ny;
    bool hx = fuzz_read(a, &x, &nx), hy = fuzz_read(b, &y, &ny);
    bool same = hx == hy && nx == ny && (nx == 0 || memcmp(x, y, nx) == 0);
    free(x);
    free(y);
    return same;
}

void fuzz_remove(const char *const *names)
{
    for (; *names; names++)
        unlink(fuzz_path(*names));
}

int fuzz_run(const char *const *args, char **err)
{
    int argc = 0;
    while (args[argc])
        argc++;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (!argv)
        abort();
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)args[i];
    const char *err_path = fuzz_path("stderr.txt");
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (saved < 0 || fd < 0 || dup2(fd, STDERR_FILENO) < 0)
        fuzz_fail("cannot capture stderr: %s", strerror(errno));
    close(fd);

    int code;
    const char *cmd = args[0];
    /* argv as each subcommand takes it: the arguments after its name */
    if (strcmp(cmd, "score") == 0)
        code = sl_cmd_score(argc - 1, argv + 1);
    else if (strcmp(cmd, "panel") == 0)
        code = sl_cmd_panel(argc - 1, argv + 1);
    else if (strcmp(cmd, "eval") == 0)
        code = sl_cmd_eval(argc - 1, argv + 1);
    else if (strcmp(cmd, "metrics") == 0)
        code = sl_cmd_metrics(argc - 1, argv + 1);
    else
        fuzz_fail("fuzz_run: unknown subcommand %s", cmd);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    free(argv);
    if (err) {
        size_t n;
        if (!fuzz_read("stderr.txt", err, &n))
            fuzz_fail("stderr capture vanished");
    }
    return code;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz invariant broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

size_t fuzz_csv_records(const char *s, size_t n,
                        void (*fn)(void *ctx, const char *s, const fuzz_csv_rec *r), void *ctx)
{
    size_t count = 0, i = 0;
    while (i < n) {
        fuzz_csv_rec r = {.start = i, .nfields = 1, .last_field = {i, i}};
        bool quoted = false;
        size_t field_start = i;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"')
                quoted = !quoted;
            else if (!quoted && c == ',') {
                r.last_field[0] = field_start;
                field_start = i + 1;
                r.nfields++;
            } else if (!quoted && c == '\n')
                break;
        }
        r.last_field[1] = field_start;
        r.end = i > r.start && s[i - 1] == '\r' && i < n ? i - 1 : i;
        if (i < n)
            i++; /* the '\n' */
        count++;
        if (fn)
            fn(ctx, s, &r);
    }
    return count;
}

double fuzz_number(const char *s, size_t n, const char *what)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        fuzz_fail("%s: not a number: '%.*s'", what, (int)n, s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end)
        fuzz_fail("%s: not a number: '%s'", what, buf);
    return v;
}

bool fuzz_score_counts(const char *err, unsigned long long *in, unsigned long long *scored,
                       unsigned long long *rejected)
{
    const char *at = strstr(err, "rows in ");
    return at && sscanf(at, "rows in %llu = scored %llu + rejected %llu", in, scored, rejected) == 3;
}

bool fuzz_utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (len == 0 || i + len > n || (len == 2 && c < 0xc2) || (len == 4 && c > 0xf4))
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
        for (size_t k = 1; k < len; k++)
            cp = (cp << 6) | (s[i + k] & 0x3f);
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += len;
    }
    return true;
}
