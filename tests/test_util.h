/* Shared test helpers: golden CSV reading, ULP distances, the paths this machine can run. */
#ifndef SL_TEST_UTIL_H
#define SL_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h> /* cmocka needs these three first */
#include <cmocka.h>

#include "softlabel.h"

/* A CSV file read whole: fields as strings (golden files have no quoting). */
typedef struct csv_table {
    size_t rows, cols;
    char **header; /* cols names */
    char ***cells; /* rows x cols */
    char *text;    /* the file's text, which the cells point into */
} csv_table;

/* Reads SL_GOLDEN_DIR/<name>; fails the test (not skips) when the file is missing. */
csv_table csv_read_golden(const char *name);
void csv_free(csv_table *t);
/* Column index of a header name; fails the test when absent. */
size_t csv_col(const csv_table *t, const char *name);
double csv_double(const csv_table *t, size_t row, size_t col);
int32_t csv_int32(const csv_table *t, size_t row, size_t col);

/* Distance in units in the last place between two finite values of the same type (0 when equal,
 * also for +0 and -0). */
uint64_t ulp_diff_f64(double a, double b);
uint32_t ulp_diff_f32(float a, float b);

/* The instruction-set paths of this build that this machine can run, NULL-terminated. */
const char *const *supported_isas(void);
/* Every path of this build (the library's list, sl_isa_at), supported here or not, scalar
 * first, NULL-terminated. */
const char *const *all_isa_names(void);
/* Forces a path; fails the test if that is refused. */
void force_isa(const char *name);

/* Writes text to the file at path, replacing it; fails the test when it cannot. */
void write_text_file(const char *path, const char *text);

/* Runs the shell command line `launcher binary args` in directory dir with its standard error
 * to dir/err.txt (launcher: an emulator, or ""); returns its exit code, -1 when it did not exit. */
int run_in_dir(const char *dir, const char *launcher, const char *binary, const char *args);

/* FNV-1a (64-bit) of n bytes, continuing from h (start: 14695981039346656037): the digests of
 * report bits that every instruction-set path must reproduce. */
uint64_t digest_fnv1a(uint64_t h, const void *data, size_t n);

/* Deterministic random numbers for tests (splitmix64). */
uint64_t rng_next(uint64_t *state);
double rng_uniform(uint64_t *state, double lo, double hi);

#endif
