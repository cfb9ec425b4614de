/*
 * What the libFuzzer targets share: a private scratch directory, running a `softlabel`
 * subcommand in-process on files written there (its stderr captured), and independent checks of
 * what the command wrote (a quote-parity CSV record splitter, JSON by jansson). A broken invariant
 * calls fuzz_fail, which prints why and aborts: libFuzzer then saves the input as a crash.
 */
#ifndef SL_FUZZ_COMMON_H
#define SL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The scratch directory's path joined with name (a static buffer per call site is not needed:
 * each call returns a new string that lives until the process ends; at most 64 names). */
const char *fuzz_path(const char *name);

/* Writes data to the scratch file name, replacing it. */
void fuzz_write(const char *name, const void *data, size_t size);

/* Reads the scratch file name whole into *out (NUL-terminated; free it); returns false (and
 * *out NULL) when it does not exist. */
bool fuzz_read(const char *name, char **out, size_t *size);

/* Whether scratch files a and b both exist with the same bytes, or both do not exist. */
bool fuzz_same_file(const char *a, const char *b);

/* Removes the scratch files named (a NULL-terminated list), absent ones ignored. */
void fuzz_remove(const char *const *names);

/* Runs `softlabel <args>` in-process (args: NULL-terminated, args[0] the subcommand) with its
 * standard error captured into *err (NUL-terminated; free it; may be NULL to drop it). Returns
 * the command's exit code. */
int fuzz_run(const char *const *args, char **err);

/* Aborts with a message (printf format): the input broke an invariant. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void fuzz_fail(const char *fmt, ...);

/* One CSV record of well-formed output: its fields' bounds (quotes included) in the text. */
typedef struct fuzz_csv_rec {
    size_t start, end;     /* the record's bytes, terminator excluded */
    size_t nfields;
    size_t last_field[2];  /* start offsets of the last two fields (when nfields >= 2) */
} fuzz_csv_rec;

/* Splits well-formed CSV text into records: a '\n' outside quotes ends one; every '"' toggles
 * the quote state. Calls fn for each record; returns the number of records. */
size_t fuzz_csv_records(const char *s, size_t n, void (*fn)(void *ctx, const char *s,
                                                            const fuzz_csv_rec *r), void *ctx);

/* Parses s[0..n) (one whole field, no quotes) as a double; fails the input if it is not one. */
double fuzz_number(const char *s, size_t n, const char *what);

/* Whether s[0..n) is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
bool fuzz_utf8_valid(const uint8_t *s, size_t n);

/* Parses "rows in N = scored S + rejected R" out of score's stderr; false when absent. */
bool fuzz_score_counts(const char *err, unsigned long long *in, unsigned long long *scored,
                       unsigned long long *rejected);

#endif
