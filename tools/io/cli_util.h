/* Small helpers shared by the softlabel subcommands: exit codes, growable buffers, whole writes,
 * option values, the clock, the progress line and the summary of p. */
#ifndef SL_TOOLS_CLI_UTIL_H
#define SL_TOOLS_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* sysexits.h codes, named here so every command uses the same ones */
enum {
    SL_EX_OK = 0,
    SL_EX_USAGE = 64,
    SL_EX_DATAERR = 65,
    SL_EX_NOINPUT = 66,
    SL_EX_SOFTWARE = 70,
    SL_EX_OSERR = 71,
    SL_EX_CANTCREAT = 73,
    SL_EX_IOERR = 74,
    SL_EX_CONFIG = 78
};

/* Makes room for at least `need` elements of `size` bytes in the array *p of *cap elements,
 * doubling *cap (from `first` when 0) until it is enough: the one growth rule of the command's
 * arrays. 0, or -1 when out of memory or past SIZE_MAX (*p and *cap unchanged then). */
int sl_array_reserve(void **p, size_t *cap, size_t need, size_t size, size_t first);

/* The output buffer of every command: a growable byte buffer. Zero-initialized is empty and
 * valid. Running out of memory is sticky: oom stays set and later appends do nothing, so a writer
 * may append a whole record and check once. */
typedef struct sl_buf {
    char *p;
    size_t len, cap;
    int oom;
} sl_buf;

/* Makes room for `extra` more bytes after len: 0, or -1 (oom set) when memory runs out. After a
 * 0, up to `extra` bytes may be written at p + len directly. */
int sl_buf_reserve(sl_buf *b, size_t extra);
/* Appends n bytes; returns 0, or -1 when memory runs out. */
int sl_buf_append(sl_buf *b, const void *src, size_t n);
/* The same without a status (check oom once at the end). */
void sl_buf_put(sl_buf *b, const char *s, size_t n);
void sl_buf_puts(sl_buf *b, const char *s);
void sl_buf_putc(sl_buf *b, char c);
void sl_buf_printf(sl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_buf_free(sl_buf *b);
/* Writes the buffer to f and empties it; returns 0, or -1 on a write error. */
int sl_buf_flush(sl_buf *b, FILE *f);

/* Writes all n bytes to fd, retrying short writes and EINTR; returns 0, or -1 with errno set. */
int sl_write_all(int fd, const void *data, size_t n);

/* Reads until buf is full or end of input; returns the bytes read, or -1 with errno set. */
long long sl_read_full(int fd, void *buf, size_t n);

#include "outfile.h" /* output files, replaced atomically */

/* Opens an input file for reading ("-": standard input), refusing a directory. Returns the fd, or
 * -1 after printing "softlabel CMD: PATH: cannot open: reason" (exit code SL_EX_NOINPUT). */
int sl_input_open(const char *cmd, const char *path);

/* What an input file was when reading began, to tell at its end whether it changed underneath
 * (truncated, rewritten, appended to): a streamed read that stops early at a cut would otherwise
 * look like a complete, shorter file. Only a regular file can be checked; pipes, FIFOs and
 * terminals always pass. */
typedef struct sl_input_guard {
    bool regular;
    uint64_t size, remaining; /* its size, and the bytes from the starting offset to the end */
    int64_t mtime_sec, mtime_nsec;
} sl_input_guard;

/* Notes what fd's file is now (before its first read). */
void sl_input_guard_start(sl_input_guard *g, int fd);
/* At the end of input, after `consumed` bytes were read since sl_input_guard_start: 0 when every
 * byte of the file was read and it is still as it was; else -1 after printing
 * "softlabel CMD: PATH: changed while being read (...)" (exit code SL_EX_IOERR). */
int sl_input_guard_end(const sl_input_guard *g, int fd, const char *cmd, const char *path,
                       uint64_t consumed);

/* Monotonic seconds. */
double sl_now(void);

/* Online cores (at least 1). */
int sl_online_cores(void);

/* The progress line on stderr: shown only when stderr is a terminal and the job has run for more
 * than a second; updated at most 4 times a second; cleared by sl_progress_end. */
typedef struct sl_progress {
    const char *what;        /* e.g. "score" */
    bool enabled, shown;
    double start, last;
} sl_progress;

void sl_progress_start(sl_progress *p, const char *what);
/* rows done so far; done/total in any unit (bytes, rows) for the ETA, total 0 when unknown. */
void sl_progress_update(sl_progress *p, uint64_t rows, uint64_t done, uint64_t total);
void sl_progress_end(sl_progress *p);

/* Mergeable summary of a stream of p values (count, compensated sums, extremes, histogram). */
typedef struct sl_psummary {
    uint64_t n, beneficial; /* beneficial: p >= 0.5 */
    double sum, sum_carry, sumsq, sumsq_carry, min, max;
    uint64_t bins[10];      /* the library's quality bins (sl_quality_bin_index), as `metrics` counts */
} sl_psummary;

void sl_psummary_init(sl_psummary *s);
void sl_psummary_add(sl_psummary *s, double p);
/* Adds src into dst; merging chunk summaries in input order gives a deterministic result. */
void sl_psummary_merge(sl_psummary *dst, const sl_psummary *src);
/* Two lines: mean, sd, min, max, share p >= 0.5, then the histogram counts. */
void sl_psummary_print(FILE *f, const sl_psummary *s);

#endif
