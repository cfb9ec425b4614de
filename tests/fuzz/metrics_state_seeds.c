/*
 * The seed corpus of fuzz_metrics_state (tests/fuzz/corpus/metrics_state), made by the library
 * itself, so it follows the serialized format when that changes:
 *
 *   metrics_state_seeds DIR           writes the seeds into DIR (re-run after a format change:
 *                                     build/tests/metrics_state_seeds tests/fuzz/corpus/metrics_state)
 *   metrics_state_seeds --check DIR   exit 0 when every file in DIR is a blob this library
 *                                     accepts, read as the harness reads it (a ctest: a seed
 *                                     corpus of an older format version fails it)
 *
 * A seed is the harness's mode byte (even: the blob as it is; odd: its checksum recomputed after
 * mutation) followed by a serialized state: empty, a few rows with and without AUC keys and
 * payoff columns, other options, the AUC sketch, one row, exact sums (SL_METRICS_EXACT_SUMS).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softlabel.h"

enum { ROWS = 24 };

/* Seed number `which` into *m; its name in *name. 0 when there is no such seed. */
static int make_state(int which, sl_metrics **m, const char **name)
{
    sl_payoff_params pp;
    sl_payoff_params_default(&pp);
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    size_t rows = ROWS;
    int columns = 0, labels = 1;
    switch (which) {
    case 0: *name = "empty"; rows = 0; break;
    case 1: *name = "rows_auc"; break;
    case 2: *name = "rows_no_auc_columns"; o.flags = SL_METRICS_NO_AUC; columns = 1; break;
    case 3:
        *name = "options_unlabelled";
        o.bins = 7, o.quality_threshold = 0.6, o.uncertainty_band = 0.1, o.log_loss_eps = 1e-9;
        pp.theta = 0.25, pp.h = 3;
        labels = 0;
        break;
    case 4: *name = "auc_sketch"; o.auc_sketch_bins = 16; break;
    case 5: *name = "one_row"; rows = 1; break;
    case 6: *name = "exact_rows_columns"; o.flags = SL_METRICS_EXACT_SUMS; columns = 1; break;
    case 7:
        *name = "exact_options_no_auc";
        o.flags = SL_METRICS_EXACT_SUMS | SL_METRICS_NO_AUC, o.bins = 3;
        break;
    default: return 0;
    }
    if (sl_metrics_init_ex(m, &pp, &o) != SL_OK)
        return -1;
    double p[ROWS], tau[ROWS], c_a[ROWS], r_b[ROWS];
    uint8_t accepted[ROWS];
    int8_t truth[ROWS];
    for (size_t i = 0; i < ROWS; i++) {
        p[i] = (double)((i * 7) % 25) / 24; /* 0 .. 1, both ends included */
        tau[i] = (double)i / 4 - 2, c_a[i] = 0.5, r_b[i] = -(double)(i % 3);
        accepted[i] = (uint8_t)(i % 4 != 1);
        truth[i] = labels ? (int8_t)((int)(i % 3) - 1) : 0;
    }
    sl_payoff_inputs_f64 in = {p, columns ? tau : NULL, columns ? c_a : NULL, NULL, NULL,
                               columns ? r_b : NULL};
    return rows == 0 || sl_metrics_update_f64(*m, &in, accepted, truth, rows, NULL) == SL_OK ? 1 : -1;
}

static int write_seeds(const char *dir)
{
    sl_metrics *m;
    const char *name;
    int r;
    for (int which = 0; (r = make_state(which, &m, &name)) != 0; which++) {
        if (r < 0) {
            fprintf(stderr, "metrics_state_seeds: cannot build the state '%s'\n", name);
            return 1;
        }
        size_t size = sl_metrics_serialized_size(m), written;
        unsigned char *buf = malloc(size + 1);
        if (!buf || sl_metrics_serialize(m, buf + 1, size, &written) != SL_OK)
            return 1;
        for (int mode = 0; mode < 2; mode++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s_%s", dir, name, mode ? "fixsum" : "raw");
            buf[0] = (unsigned char)mode;
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(buf, 1, size + 1, f) != size + 1 || fclose(f) != 0) {
                perror(path);
                return 1;
            }
            printf("%s: %zu bytes\n", path, size + 1);
        }
        free(buf);
        sl_metrics_free(m);
    }
    return 0;
}

/* Every file in dir, as the harness reads it (mode byte, then the blob; the seeds are unmutated,
 * so their checksums are right in both modes), is accepted by sl_metrics_deserialize. */
static int check_seeds(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return 1;
    }
    int bad = 0, seen = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        static unsigned char buf[1 << 20];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        sl_metrics *m = NULL;
        sl_status st = n > 0 ? sl_metrics_deserialize(&m, buf + 1, n - 1) : SL_ERR_BLOB_TRUNCATED;
        if (st != SL_OK) {
            fprintf(stderr, "%s: %s (format version %u): regenerate the corpus with "
                            "metrics_state_seeds %s\n", path, sl_status_str(st),
                    SL_METRICS_FORMAT_VERSION, dir);
            bad = 1;
        }
        sl_metrics_free(m);
        seen++;
    }
    closedir(d);
    if (seen == 0) {
        fprintf(stderr, "%s: no seeds\n", dir);
        return 1;
    }
    printf("%d seeds in %s, %s\n", seen, dir, bad ? "some stale" : "all accepted");
    return bad;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--check") == 0)
        return check_seeds(argv[2]);
    if (argc == 2 && argv[1][0] != '-')
        return write_seeds(argv[1]);
    fprintf(stderr, "usage: metrics_state_seeds DIR | metrics_state_seeds --check DIR\n");
    return 64;
}
