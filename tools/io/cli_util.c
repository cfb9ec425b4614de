#include "cli_util.h"
#include "numtext.h"
#include "softlabel.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int sl_array_reserve(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : first;
    while (n < need && n <= SIZE_MAX / 2)
        n *= 2;
    if (n < need || n > SIZE_MAX / size)
        return -1;
    void *grown = realloc(*p, n * size);
    if (!grown)
        return -1;
    *p = grown;
    *cap = n;
    return 0;
}

int sl_buf_reserve(sl_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > SIZE_MAX - b->len ||
        sl_array_reserve((void **)&b->p, &b->cap, b->len + extra, 1, 4096)) {
        b->oom = 1;
        return -1;
    }
    return 0;
}

int sl_buf_append(sl_buf *b, const void *src, size_t n)
{
    if (n == 0) /* p may still be NULL, and memcpy must not see a NULL pointer */
        return b->oom ? -1 : 0;
    if (sl_buf_reserve(b, n))
        return -1;
    memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

void sl_buf_put(sl_buf *b, const char *s, size_t n) { (void)sl_buf_append(b, s, n); }

void sl_buf_puts(sl_buf *b, const char *s) { sl_buf_put(b, s, strlen(s)); }

void sl_buf_putc(sl_buf *b, char c)
{
    if (sl_buf_reserve(b, 1) == 0)
        b->p[b->len++] = c;
}

void sl_buf_printf(sl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sl_buf_reserve(b, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int sl_buf_flush(sl_buf *b, FILE *f)
{
    if (b->len && fwrite(b->p, 1, b->len, f) != b->len)
        return -1;
    b->len = 0;
    return 0;
}

void sl_buf_free(sl_buf *b)
{
    free(b->p);
    *b = (sl_buf){0};
}

int sl_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

long long sl_read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long long)got;
}

int sl_input_open(const char *cmd, const char *path)
{
    if (!strcmp(path, "-"))
        return STDIN_FILENO;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        fd = -1;
        errno = EISDIR;
    }
    if (fd < 0)
        fprintf(stderr, "softlabel %s: %s: cannot open: %s\n", cmd, path, strerror(errno));
    return fd;
}

void sl_input_guard_start(sl_input_guard *g, int fd)
{
    struct stat st;
    off_t at = lseek(fd, 0, SEEK_CUR);
    *g = (sl_input_guard){0};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || at < 0 || at > st.st_size)
        return;
    *g = (sl_input_guard){true, (uint64_t)st.st_size, (uint64_t)(st.st_size - at),
                          st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
}

int sl_input_guard_end(const sl_input_guard *g, int fd, const char *cmd, const char *path,
                       uint64_t consumed)
{
    if (!g->regular)
        return 0;
    struct stat st;
    if (fstat(fd, &st) != 0)
        st.st_size = -1;
    else if (consumed == g->remaining && (uint64_t)st.st_size == g->size &&
             st.st_mtim.tv_sec == g->mtime_sec && st.st_mtim.tv_nsec == g->mtime_nsec)
        return 0;
    fprintf(stderr, "softlabel %s: %s: changed while being read (%llu bytes when opened, %lld now,"
            " %llu read)\n", cmd, path, (unsigned long long)g->size, (long long)st.st_size,
            (unsigned long long)consumed);
    return -1;
}

double sl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int sl_online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void sl_progress_start(sl_progress *p, const char *what)
{
    *p = (sl_progress){.what = what, .enabled = isatty(STDERR_FILENO) == 1};
    p->start = p->last = sl_now();
}

void sl_progress_update(sl_progress *p, uint64_t rows, uint64_t done, uint64_t total)
{
    if (!p->enabled)
        return;
    double t = sl_now(), elapsed = t - p->start;
    if (elapsed < 1.0 || (p->shown && t - p->last < 0.25))
        return;
    p->last = t;
    p->shown = true;
    char eta[32] = "?";
    if (total > 0 && done > 0 && done <= total) {
        double left = elapsed * (double)(total - done) / (double)done;
        snprintf(eta, sizeof eta, "%d:%02d", (int)(left / 60), (int)fmod(left, 60));
    }
    fprintf(stderr, "\r\033[Ksoftlabel %s: %llu rows, %.2f M rows/s, ETA %s", p->what,
            (unsigned long long)rows, (double)rows / elapsed / 1e6, eta);
    fflush(stderr);
}

void sl_progress_end(sl_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = false;
}

/* Neumaier-compensated addition of x to (*sum, *carry) */
static void ksum_add(double *sum, double *carry, double x)
{
    double t = *sum + x;
    *carry += fabs(*sum) >= fabs(x) ? (*sum - t) + x : (x - t) + *sum;
    *sum = t;
}

void sl_psummary_init(sl_psummary *s)
{
    *s = (sl_psummary){.min = INFINITY, .max = -INFINITY};
}

void sl_psummary_add(sl_psummary *s, double p)
{
    s->n++;
    ksum_add(&s->sum, &s->sum_carry, p);
    ksum_add(&s->sumsq, &s->sumsq_carry, p * p);
    s->min = p < s->min ? p : s->min;
    s->max = p > s->max ? p : s->max;
    s->beneficial += p >= 0.5;
    s->bins[sl_quality_bin_index(p)]++;
}

void sl_psummary_merge(sl_psummary *dst, const sl_psummary *src)
{
    dst->n += src->n;
    dst->beneficial += src->beneficial;
    ksum_add(&dst->sum, &dst->sum_carry, src->sum);
    ksum_add(&dst->sum, &dst->sum_carry, src->sum_carry);
    ksum_add(&dst->sumsq, &dst->sumsq_carry, src->sumsq);
    ksum_add(&dst->sumsq, &dst->sumsq_carry, src->sumsq_carry);
    dst->min = src->min < dst->min ? src->min : dst->min;
    dst->max = src->max > dst->max ? src->max : dst->max;
    for (int b = 0; b < 10; b++)
        dst->bins[b] += src->bins[b];
}

void sl_psummary_print(FILE *f, const sl_psummary *s)
{
    if (s->n == 0) {
        fprintf(f, "p: no rows\n");
        return;
    }
    double n = (double)s->n;
    double mean = (s->sum + s->sum_carry) / n;
    double var = (s->sumsq + s->sumsq_carry) / n - mean * mean;
    fprintf(f, "p: mean %.6f  sd %.6f  min %.6f  max %.6f  share p>=0.5 %.4f\n", mean,
            sqrt(var > 0 ? var : 0), s->min, s->max, (double)s->beneficial / n);
    fprintf(f, "p histogram (10 bins of width 0.1):");
    for (int b = 0; b < 10; b++)
        fprintf(f, " %llu", (unsigned long long)s->bins[b]);
    fprintf(f, "\n");
}
