/*
 * sl_metrics_serialize / sl_metrics_deserialize: the round trip gives a state that finalizes to
 * the same bits, writes the same bytes and keeps accumulating like the original; the layout's
 * fixed fields sit where the format says, in little endian; every truncation, every single bit
 * flip, trailing bytes, other versions and forged content (checksum recomputed) are refused with
 * a status; random multi-byte corruption with a recomputed checksum never crashes (run under
 * ASan in scripts/test) and is refused unless it happens to describe a valid state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "test_util.h"

static const sl_payoff_params params = {2.5, 1.25, 1.75, 0.4, 0.3, 0.2, 1.5};

/* ---- reports compared bit for bit ---- */

static void same_report(const sl_metrics_report *a, const sl_metrics_report *b, const char *what)
{
    sl_metrics_report x = *a, y = *b; /* the bin arrays compared apart: pointers differ */
    x.quality_distribution = y.quality_distribution = NULL;
    x.calibration_curve = y.calibration_curve = NULL;
    if (memcmp(&x, &y, sizeof x) != 0)
        fail_msg("%s: reports differ", what);
    assert_int_equal(a->quality_distribution_len, b->quality_distribution_len);
    if (a->quality_distribution_len)
        assert_memory_equal(a->quality_distribution, b->quality_distribution,
                            a->quality_distribution_len * sizeof *a->quality_distribution);
    if (a->calibration_curve_len)
        assert_memory_equal(a->calibration_curve, b->calibration_curve,
                            a->calibration_curve_len * sizeof *a->calibration_curve);
}

static void same_state(const sl_metrics *a, const sl_metrics *b, const char *what)
{
    sl_metrics_report ra, rb;
    assert_int_equal(sl_metrics_finalize(a, &ra), SL_OK);
    assert_int_equal(sl_metrics_finalize(b, &rb), SL_OK);
    same_report(&ra, &rb, what);
    sl_metrics_report_free(&ra);
    sl_metrics_report_free(&rb);
}

static int same_options(const sl_metrics_options *a, const sl_metrics_options *b)
{
    return a->flags == b->flags && a->bins == b->bins &&
           a->quality_threshold == b->quality_threshold &&
           a->uncertainty_band == b->uncertainty_band && a->log_loss_eps == b->log_loss_eps &&
           a->auc_sketch_bins == b->auc_sketch_bins;
}

/* ---- states ---- */

typedef struct rows {
    size_t n;
    double *p, *col[5];
    uint8_t *accepted;
    int8_t *truth;
} rows;

static rows make_rows(size_t n, uint64_t seed)
{
    rows r = {n, malloc(n * sizeof(double)), {0}, malloc(n), malloc(n)};
    for (int k = 0; k < 5; k++)
        r.col[k] = malloc(n * sizeof(double));
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        r.p[i] = i % 13 == 0 ? (double)(i % 11) / 10 : rng_uniform(&s, 0, 1);
        for (int k = 0; k < 5; k++)
            r.col[k][i] = rng_uniform(&s, -1, 1);
        r.accepted[i] = (uint8_t)(rng_next(&s) % 4 != 0);
        r.truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
    }
    return r;
}

static void free_rows(rows *r)
{
    free(r->p);
    for (int k = 0; k < 5; k++)
        free(r->col[k]);
    free(r->accepted);
    free(r->truth);
}

/* rows [off, off + len) into m, with or without the payoff columns */
static void add_rows(sl_metrics *m, const rows *r, size_t off, size_t len, int columns)
{
    sl_payoff_inputs_f64 in = {r->p + off, NULL, NULL, NULL, NULL, NULL};
    if (columns)
        in = (sl_payoff_inputs_f64){r->p + off,       r->col[0] + off, r->col[1] + off,
                                    r->col[2] + off, r->col[3] + off, r->col[4] + off};
    assert_int_equal(sl_metrics_update_f64(m, &in, r->accepted + off, r->truth + off, len, NULL),
                     SL_OK);
}

/* the serialized bytes of m (caller frees) */
static unsigned char *blob_of(const sl_metrics *m, size_t *size)
{
    size_t need = 0;
    assert_int_equal(sl_metrics_serialize(m, NULL, 0, &need), SL_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(need, sl_metrics_serialized_size(m));
    unsigned char *buf = malloc(need);
    assert_int_equal(sl_metrics_serialize(m, buf, need - 1, size), SL_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(sl_metrics_serialize(m, buf, need, size), SL_OK);
    assert_int_equal(*size, need);
    return buf;
}

typedef struct variant {
    const char *name;
    sl_metrics_options o;
    int columns;
    size_t rows;
} variant;

static variant variants(int i)
{
    variant v = {"default", {0}, 0, 5000};
    sl_metrics_options_default(&v.o);
    switch (i) {
    case 0: break;
    case 1: v.name = "no AUC, payoff columns"; v.o.flags = SL_METRICS_NO_AUC; v.columns = 1; break;
    case 2:
        v.name = "49 bins, other threshold, band, eps";
        v.o.bins = 49, v.o.quality_threshold = 0.61, v.o.uncertainty_band = 0.07;
        v.o.log_loss_eps = 1e-9;
        break;
    case 3: v.name = "empty"; v.rows = 0; break;
    case 4: v.name = "one row"; v.rows = 1; break;
    default: v.name = "AUC sketch of 64 bins"; v.o.auc_sketch_bins = 64; break;
    }
    return v;
}
enum { VARIANTS = 6 };

/* ---- tests ---- */

static void test_round_trip(void **state)
{
    (void)state;
    rows r = make_rows(7000, 3);
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int i = 0; i < VARIANTS; i++) {
            variant v = variants(i);
            sl_metrics *m, *back, *again;
            assert_int_equal(sl_metrics_init_ex(&m, &params, &v.o), SL_OK);
            add_rows(m, &r, 0, v.rows, v.columns);
            size_t size, size2;
            unsigned char *blob = blob_of(m, &size);
            assert_int_equal(sl_metrics_deserialize(&back, blob, size), SL_OK);
            same_state(m, back, v.name);
            sl_metrics_options o;
            assert_int_equal(sl_metrics_get_options(back, &o), SL_OK);
            assert_true(same_options(&o, &v.o));
            /* the same bytes again */
            unsigned char *blob2 = blob_of(back, &size2);
            assert_int_equal(size2, size);
            assert_memory_equal(blob2, blob, size);
            /* both keep accumulating alike, and merge with states of their parameters */
            add_rows(m, &r, 5000, 2000, v.columns);
            add_rows(back, &r, 5000, 2000, v.columns);
            same_state(m, back, "after further updates");
            assert_int_equal(sl_metrics_deserialize(&again, blob, size), SL_OK);
            assert_int_equal(sl_metrics_merge(m, again), SL_OK);
            assert_int_equal(sl_metrics_merge(back, again), SL_OK);
            same_state(m, back, "after a merge");
            sl_metrics_free(again);
            /* a state of other parameters does not merge with it */
            sl_payoff_params other = params;
            other.theta = 0.5;
            sl_metrics *o_state;
            assert_int_equal(sl_metrics_init_ex(&o_state, &other, &v.o), SL_OK);
            assert_int_equal(sl_metrics_merge(back, o_state), SL_ERR_STATE_MISMATCH);
            sl_metrics_free(o_state);
            free(blob);
            free(blob2);
            sl_metrics_free(m);
            sl_metrics_free(back);
        }
    }
    free_rows(&r);
}

/* Merging deserialized partial states equals merging the states themselves (the use across
 * processes): bit for bit. */
static void test_merge_of_blobs(void **state)
{
    (void)state;
    rows r = make_rows(30000, 8);
    sl_metrics *parts[3], *direct, *via_blobs;
    assert_int_equal(sl_metrics_init(&direct, &params, 0), SL_OK);
    assert_int_equal(sl_metrics_init(&via_blobs, &params, 0), SL_OK);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(sl_metrics_init(&parts[k], &params, 0), SL_OK);
        add_rows(parts[k], &r, (size_t)k * 10000, 10000, 0);
        assert_int_equal(sl_metrics_merge(direct, parts[k]), SL_OK);
        size_t size;
        unsigned char *blob = blob_of(parts[k], &size);
        sl_metrics *back;
        assert_int_equal(sl_metrics_deserialize(&back, blob, size), SL_OK);
        assert_int_equal(sl_metrics_merge(via_blobs, back), SL_OK);
        sl_metrics_free(back);
        sl_metrics_free(parts[k]);
        free(blob);
    }
    same_state(direct, via_blobs, "merged blobs vs merged states");
    sl_metrics_free(direct);
    sl_metrics_free(via_blobs);
    free_rows(&r);
}

static uint64_t le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* The fixed fields at the offsets the format gives, little endian, whatever this machine is. */
static void test_layout(void **state)
{
    (void)state;
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    o.bins = 3;
    o.log_loss_eps = 0.125;
    sl_metrics *m;
    assert_int_equal(sl_metrics_init_ex(&m, &params, &o), SL_OK);
    double p[2] = {0.25, 0.75};
    uint8_t acc[2] = {1, 0};
    int8_t truth[2] = {1, -1};
    sl_payoff_inputs_f64 in = {p, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_metrics_update_f64(m, &in, acc, truth, 2, NULL), SL_OK);
    size_t size;
    unsigned char *b = blob_of(m, &size);
    assert_int_equal(size, 520 + 48 * 4 + 8 * 2);
    assert_memory_equal(b, "SLMETRIC", 8);
    const unsigned char version[4] = {SL_METRICS_FORMAT_VERSION, 0, 0, 0}, header[4] = {128, 0, 0, 0};
    assert_memory_equal(b + 8, version, 4);
    assert_memory_equal(b + 12, header, 4);
    assert_int_equal(le64(b + 16), size);
    const unsigned char bins[4] = {3, 0, 0, 0};
    assert_memory_equal(b + 28, bins, 4);
    uint64_t bits;
    memcpy(&bits, &o.log_loss_eps, 8);
    assert_true(le64(b + 48) == bits);
    memcpy(&bits, &params.w_rep, 8);
    assert_true(le64(b + 104) == bits);
    /* the counts follow 10 sums and 4 moments: n = 2, n_accepted = 1, n_labelled = 2 */
    size_t counts = 128 + 10 * 16 + 4 * 40;
    assert_int_equal(le64(b + counts), 2);
    assert_int_equal(le64(b + counts + 8), 1);
    assert_int_equal(le64(b + counts + 16), 2);
    /* the number of AUC keys before the keys and the checksum */
    assert_int_equal(le64(b + size - 8 - 16 - 8), 2);
    assert_true(le64(b + size - 8) == XXH3_64bits(b, size - 8));
    free(b);
    sl_metrics_free(m);
}

static void refused(const unsigned char *blob, size_t size, sl_status want, const char *what)
{
    sl_metrics *m = (sl_metrics *)&m;
    sl_status st = sl_metrics_deserialize(&m, blob, size);
    if (st != want)
        fail_msg("%s: status %d (%s), expected %d", what, st, sl_status_str(st), want);
    assert_null(m);
}

static void test_truncation_and_bit_flips(void **state)
{
    (void)state;
    rows r = make_rows(300, 5);
    for (int i = 0; i < VARIANTS; i++) {
        variant v = variants(i);
        sl_metrics *m;
        assert_int_equal(sl_metrics_init_ex(&m, &params, &v.o), SL_OK);
        add_rows(m, &r, 0, v.rows < 300 ? v.rows : 300, v.columns);
        size_t size;
        unsigned char *blob = blob_of(m, &size);
        /* every truncation: the copy is exactly that long, so ASan sees any read past it */
        for (size_t len = 0; len < size; len++) {
            unsigned char *cut = malloc(len ? len : 1);
            memcpy(cut, blob, len);
            refused(cut, len, SL_ERR_BLOB_TRUNCATED, "truncated");
            free(cut);
        }
        /* every single bit flipped */
        size_t by_status[256] = {0};
        for (size_t byte = 0; byte < size; byte++)
            for (int bit = 0; bit < 8; bit++) {
                blob[byte] ^= (unsigned char)(1u << bit);
                sl_metrics *back = (sl_metrics *)&back;
                sl_status st = sl_metrics_deserialize(&back, blob, size);
                blob[byte] ^= (unsigned char)(1u << bit);
                if (st == SL_OK)
                    fail_msg("%s: bit %d of byte %zu flipped, accepted", v.name, bit, byte);
                assert_null(back);
                assert_true(st == SL_ERR_BLOB_MAGIC || st == SL_ERR_BLOB_VERSION ||
                            st == SL_ERR_BLOB_TRUNCATED || st == SL_ERR_BLOB_CORRUPT ||
                            st == SL_ERR_BLOB_CHECKSUM);
                by_status[st & 255]++;
            }
        printf("%s: %zu bytes; flips refused as magic %zu, version %zu, truncated %zu, corrupt "
               "%zu, checksum %zu\n", v.name, size, by_status[SL_ERR_BLOB_MAGIC],
               by_status[SL_ERR_BLOB_VERSION], by_status[SL_ERR_BLOB_TRUNCATED],
               by_status[SL_ERR_BLOB_CORRUPT], by_status[SL_ERR_BLOB_CHECKSUM]);
        /* a byte too many */
        unsigned char *longer = malloc(size + 1);
        memcpy(longer, blob, size);
        longer[size] = 0;
        refused(longer, size + 1, SL_ERR_BLOB_CORRUPT, "trailing byte");
        free(longer);
        free(blob);
        sl_metrics_free(m);
    }
    free_rows(&r);
}

/* Rewrites the checksum after a change, as a forger would. */
static void reseal(unsigned char *b, size_t size)
{
    uint64_t h = XXH3_64bits(b, size - 8);
    for (int i = 0; i < 8; i++)
        b[size - 8 + i] = (unsigned char)(h >> (8 * i));
}

static void put64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static void test_forged_content(void **state)
{
    (void)state;
    rows r = make_rows(1000, 6);
    sl_metrics *m;
    assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
    add_rows(m, &r, 0, 1000, 0);
    size_t size;
    unsigned char *blob = blob_of(m, &size), *b = malloc(size);
    size_t counts = 128 + 10 * 16 + 4 * 40, bins = counts + 7 * 8, keys = bins + 11 * 48 + 8;
    struct {
        const char *what;
        size_t offset;
        uint64_t value;
        sl_status want;
    } cases[] = {
        {"a later version", 8, 4, SL_ERR_BLOB_VERSION}, /* (the u64 write also clears byte 12) */
        {"another version", 8, 2, SL_ERR_BLOB_VERSION},
        {"header size", 12, 121, SL_ERR_BLOB_CORRUPT},
        {"total below a header", 16, 64, SL_ERR_BLOB_CORRUPT},
        {"unknown flag", 24, 4 | ((uint64_t)10 << 32), SL_ERR_BLOB_CORRUPT},
        {"zero bins", 24, (uint64_t)0 << 32, SL_ERR_BLOB_CORRUPT},
        {"more bins than the size holds", 24, (uint64_t)11 << 32, SL_ERR_BLOB_CORRUPT},
        {"NaN threshold", 32, 0x7ff8000000000000ull, SL_ERR_BLOB_CORRUPT},
        {"theta 2", 80, 0x4000000000000000ull, SL_ERR_BLOB_CORRUPT},
        {"sum count", 112, 11 | ((uint64_t)4 << 32), SL_ERR_BLOB_CORRUPT},
        {"sketch bins not a power of two", 120, 100, SL_ERR_BLOB_CORRUPT},
        {"sketch bins with the keys' size", 120, 16, SL_ERR_BLOB_CORRUPT},
        {"padding", 120, (uint64_t)1 << 32, SL_ERR_BLOB_CORRUPT},
        {"n below n_accepted", counts, 1, SL_ERR_BLOB_CORRUPT},
        {"n_positive above n_labelled", counts + 24, 1u << 30, SL_ERR_BLOB_CORRUPT},
        {"uncertain above n", counts + 48, 5000, SL_ERR_BLOB_CORRUPT},
        {"bin count off", bins, 0, SL_ERR_BLOB_CORRUPT},
        {"bin count wrapping", bins, UINT64_MAX, SL_ERR_BLOB_CORRUPT},
        {"moment count off", 128 + 10 * 16, 3, SL_ERR_BLOB_CORRUPT},
        {"key count off", keys - 8, 2, SL_ERR_BLOB_CORRUPT},
        {"key count huge", keys - 8, UINT64_MAX / 8, SL_ERR_BLOB_CORRUPT},
        {"key above p = 1", keys, 0x7ff0000000000000ull << 1, SL_ERR_BLOB_CORRUPT},
        {"key of the other class", keys, 0, SL_ERR_BLOB_CORRUPT},
        {"sum of accepted p above n_accepted", 128, 0x40f0000000000000ull, SL_ERR_BLOB_CORRUPT},
        {"NaN Brier sum", 128 + 8 * 16, 0x7ff8000000000000ull, SL_ERR_BLOB_CORRUPT},
        {"positive log-likelihood", 128 + 9 * 16, 0x3ff0000000000000ull, SL_ERR_BLOB_CORRUPT},
        {"negative squared deviations", 128 + 10 * 16 + 24, 0xbff0000000000000ull,
         SL_ERR_BLOB_CORRUPT},
        {"bin sum of p above its count", bins + 32, 0x4130000000000000ull, SL_ERR_BLOB_CORRUPT},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(b, blob, size);
        uint64_t old = le64(b + cases[c].offset);
        if (cases[c].offset == keys) /* flip the class of the first key, keep its p */
            cases[c].value = cases[c].value ? cases[c].value : old ^ 1u;
        put64(b + cases[c].offset, cases[c].value);
        reseal(b, size);
        refused(b, size, cases[c].want, cases[c].what);
    }
    /* unchanged and resealed: accepted (the forger's test is not the checksum alone) */
    memcpy(b, blob, size);
    reseal(b, size);
    sl_metrics *back;
    assert_int_equal(sl_metrics_deserialize(&back, b, size), SL_OK);
    sl_metrics_free(back);
    /* not a state at all; NULL arguments */
    refused((const unsigned char *)"SLMETRIX", 8, SL_ERR_BLOB_MAGIC, "magic");
    refused((const unsigned char *)"PK\3\4", 4, SL_ERR_BLOB_MAGIC, "zip");
    assert_int_equal(sl_metrics_deserialize(NULL, blob, size), SL_ERR_NULL_ARGUMENT);
    refused(NULL, size, SL_ERR_NULL_ARGUMENT, "NULL blob");
    size_t need;
    assert_int_equal(sl_metrics_serialize(NULL, b, size, &need), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_metrics_serialize(m, b, size, NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_metrics_serialize(m, NULL, size, &need), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_metrics_serialized_size(NULL), 0);
    free(b);
    free(blob);
    sl_metrics_free(m);
    free_rows(&r);
}

/* Where the body's fields are (the format's layout, see metrics_serialize.c) */
enum {
    SUMS = 128,                  /* 10 sums (hi, lo): p_a, p_r, pa_a, pa_r, pb_a, pb_r, social_a,
                                    welfare_a, brier, log */
    MOMENTS = SUMS + 10 * 16,    /* 4 moments (n, sum hi, lo, m2 hi, lo): p, p_a, pa, pb */
    COUNTS = MOMENTS + 4 * 40,   /* n, n_accepted, n_labelled, n_positive, high, high_accepted,
                                    uncertain */
    BINS = COUNTS + 7 * 8,       /* per bin: count, accepted, cal_count, cal_positive, sum hi, lo */
};

static double f64_at(const unsigned char *b) { uint64_t v = le64(b); double x; memcpy(&x, &v, 8); return x; }

static void put_f64(unsigned char *b, double x)
{
    uint64_t v;
    memcpy(&v, &x, 8);
    put64(b, v);
}

/* A resealed copy of blob with the compensated sum at `offset` set to hi + lo; whether
 * sl_metrics_deserialize refuses it as corrupt (1), or accepts it (0: the forged state's report,
 * when r is not NULL). */
static int forged_sum_refused(const unsigned char *blob, size_t size, size_t offset, double hi,
                              double lo, sl_metrics_report *r)
{
    unsigned char *b = malloc(size);
    memcpy(b, blob, size);
    put_f64(b + offset, hi);
    put_f64(b + offset + 8, lo);
    reseal(b, size);
    sl_metrics *m;
    sl_status st = sl_metrics_deserialize(&m, b, size);
    free(b);
    if (st == SL_OK) {
        if (r)
            assert_int_equal(sl_metrics_finalize(m, r), SL_OK);
        sl_metrics_free(m);
        return 0;
    }
    assert_int_equal(st, SL_ERR_BLOB_CORRUPT);
    return 1;
}

/* Every stored sum and count has the range rows of p in [0, 1] give it, derived from the state's
 * counts and bins (metrics_serialize.c, consistent_sums and consistent_counts): a blob resealed
 * with one value just outside a range is refused, and the same field moved within its range is
 * accepted (so each case tests its own bound, not another). Each of these forgeries was accepted
 * before the bounds were complete. */
static void test_forged_sums(void **state)
{
    (void)state;
    rows r = make_rows(1000, 6);
    sl_metrics *m, *one;
    assert_int_equal(sl_metrics_init(&m, &params, 0), SL_OK);
    add_rows(m, &r, 0, 1000, 1);
    assert_int_equal(sl_metrics_init(&one, &params, 0), SL_OK);
    const double half = 0.5;
    const uint8_t yes = 1;
    const int8_t positive = 1;
    sl_payoff_inputs_f64 in_one = {&half, NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(sl_metrics_update_f64(one, &in_one, &yes, &positive, 1, NULL), SL_OK);
    size_t size, one_size;
    unsigned char *blob = blob_of(m, &size), *one_blob = blob_of(one, &one_size);
    sl_metrics_report rep;
    assert_int_equal(sl_metrics_finalize(m, &rep), SL_OK);
    double n = (double)rep.n, na = (double)rep.n_accepted, nr = (double)rep.n_rejected;
    double nt = (double)rep.n_labelled;
    sl_metrics_report_free(&rep);
    struct {
        const char *what;
        const unsigned char *blob;
        size_t size, offset;
        double hi, lo;
    } cases[] = {
        {"sum of accepted p below its bins' lower edges (0)", blob, size, SUMS, 0, 0},
        {"sum of rejected p above its bins' upper edges (n_rejected)", blob, size, SUMS + 16, nr, 0},
        {"Brier sum below what its bins give (0)", blob, size, SUMS + 8 * 16, 0, 0},
        {"Brier sum above what its bins give (n_labelled: Brier score 1)", blob, size,
         SUMS + 8 * 16, nt, 0},
        {"log-likelihood below what its bins give", blob, size, SUMS + 9 * 16, 0.5 * nt * log(1e-15), 0},
        {"log-likelihood above what its bins give (0)", blob, size, SUMS + 9 * 16, 0, 0},
        {"payoff sum of 1e300 - 1e300 (doubles on a merge to inf - inf)", blob, size, SUMS + 2 * 16,
         1e300, -1e300},
        {"payoff sum infinite", blob, size, SUMS + 4 * 16, INFINITY, 0},
        {"payoff sum beyond what its moments allow", blob, size, SUMS + 3 * 16, 1e12, 0},
        {"social surplus off the accepted p by 1", blob, size, SUMS + 6 * 16,
         f64_at(blob + SUMS + 6 * 16) + 1, f64_at(blob + SUMS + 6 * 16 + 8)},
        {"welfare off the two payoffs' sum by 1", blob, size, SUMS + 7 * 16,
         f64_at(blob + SUMS + 7 * 16) + 1, f64_at(blob + SUMS + 7 * 16 + 8)},
        {"squared deviations of p above n/4 (variance 1)", blob, size, MOMENTS + 24, n, 0},
        {"squared deviations of accepted p above na/4", blob, size, MOMENTS + 40 + 24, na / 2, 0},
        {"sum of p of the moments below its bins' edges", blob, size, MOMENTS + 8, 0, 0},
        {"payoff moment's sum of 1e300 - 1e300", blob, size, MOMENTS + 2 * 40 + 8, 1e300, -1e300},
        {"squared deviations of one row", one_blob, one_size, MOMENTS + 24, 0.1, 0},
        {"payoff sum over no rejected rows", one_blob, one_size, SUMS + 3 * 16, 1, 0},
        {"calibration bin 5's sum of p (p in [0.5, 0.6)) at 0.9 per row", blob, size,
         BINS + 5 * 48 + 32, 0.9 * (double)le64(blob + BINS + 5 * 48 + 16), 0},
    };
    char failed[2048] = "";
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        if (!forged_sum_refused(cases[c].blob, cases[c].size, cases[c].offset, cases[c].hi,
                                cases[c].lo, NULL))
            snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "\n  accepted: %s",
                     cases[c].what);
    /* counts: rejected high-quality rows beyond the rejected rows; high-quality and uncertain
     * counts below what their bins hold (bins 5-9 are all p >= 0.5, bins 3-5 all in (0.3, 0.7)) */
    const struct {
        const char *what;
        size_t offset;
        uint64_t value;
    } counts[] = {
        {"high-quality rows below the bins 5-9 hold", COUNTS + 32, le64(blob + COUNTS + 32) - 1},
        {"accepted high-quality rows below the bins hold", COUNTS + 40, le64(blob + COUNTS + 40) - 1},
        {"uncertain rows below the bins 3-5 hold", COUNTS + 48, 0},
        {"rejected high-quality rows beyond the rejected rows", COUNTS + 32, (uint64_t)(nr + 1) + le64(blob + COUNTS + 40)},
    };
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        unsigned char *b = malloc(size);
        memcpy(b, blob, size);
        put64(b + counts[c].offset, counts[c].value);
        reseal(b, size);
        sl_metrics *back;
        if (sl_metrics_deserialize(&back, b, size) == SL_OK) {
            snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "\n  accepted: %s",
                     counts[c].what);
            sl_metrics_free(back);
        }
        free(b);
    }
    /* exact sums (SL_METRICS_EXACT_SUMS): the Brier sum (192 bits at 208) and the negated
     * log-likelihood (128 bits at 232) outside what the bins give */
    sl_metrics_options xo;
    sl_metrics_options_default(&xo);
    xo.flags = SL_METRICS_EXACT_SUMS;
    sl_metrics *x;
    assert_int_equal(sl_metrics_init_ex(&x, &params, &xo), SL_OK);
    add_rows(x, &r, 0, 1000, 1);
    size_t x_size;
    unsigned char *x_blob = blob_of(x, &x_size);
    const struct {
        const char *what;
        size_t offset, bytes;
    } exact_cases[] = {
        {"exact Brier sum 0, below what its bins give", 208, 24},
        {"exact log-likelihood 0, above what its bins give", 232, 16},
    };
    for (size_t c = 0; c < sizeof exact_cases / sizeof exact_cases[0]; c++) {
        unsigned char *b = malloc(x_size);
        memcpy(b, x_blob, x_size);
        memset(b + exact_cases[c].offset, 0, exact_cases[c].bytes);
        reseal(b, x_size);
        sl_metrics *back;
        sl_status st = sl_metrics_deserialize(&back, b, x_size);
        if (st == SL_OK) {
            snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "\n  accepted: %s",
                     exact_cases[c].what);
            sl_metrics_free(back);
        }
        free(b);
    }
    free(x_blob);
    sl_metrics_free(x);
    if (failed[0])
        fail_msg("forged states accepted:%s", failed);
    /* within the ranges: accepted (the bounds are not tighter than what rows give) */
    double p_r = f64_at(blob + SUMS + 16) + f64_at(blob + SUMS + 16 + 8);
    assert_false(forged_sum_refused(blob, size, SUMS + 16, p_r * (1 + 1e-9), 0, NULL));
    double pa_r = f64_at(blob + SUMS + 3 * 16) + f64_at(blob + SUMS + 3 * 16 + 8);
    assert_false(forged_sum_refused(blob, size, SUMS + 3 * 16, pa_r + 1, 0, NULL));
    double brier = f64_at(blob + SUMS + 8 * 16) + f64_at(blob + SUMS + 8 * 16 + 8);
    assert_false(forged_sum_refused(blob, size, SUMS + 8 * 16, brier * (1 - 1e-9), 0, NULL));
    free(blob);
    free(one_blob);
    sl_metrics_free(m);
    sl_metrics_free(one);
    free_rows(&r);
}

/* States at the edges of what the consistency checks allow are accepted, and finalize to rates in
 * [0, 1], on every path: p only 0 or 1 (the variance at its bound 1/4), p at and just below every
 * bin edge and at 0, 1, eps, 1 - eps and 1e-300, one row per update (the most compensated
 * additions per row), payoff columns that cancel within a row (tau +-1e15), p at the payoffs'
 * break-even, accepted p = 0 shifted by a rejected 0.7, every labelled row wrong at p = 0 or 1,
 * merges of many states, other bins, the sketch. */
static void test_edge_states_accepted(void **state)
{
    (void)state;
    enum { N = 3000 };
    double *p = malloc(N * sizeof *p), *tau = malloc(N * sizeof *tau), *c_a = malloc(N * sizeof *c_a);
    uint8_t *acc = malloc(N);
    int8_t *truth = malloc(N);
    sl_payoff_params pp = params;
    double break_even = pp.s_minus / (pp.s_plus + pp.s_minus);
    for (int kind = 0; kind < 6; kind++) {
        for (size_t i = 0; i < N; i++) {
            double edge = (double)(i % 11) * (1.0 / 10);
            switch (kind) {
            case 0: p[i] = (double)(i % 2); break;
            case 1: p[i] = i % 3 == 0 ? edge : i % 3 == 1 ? nextafter(edge, 0) : (double)(i % 2); break;
            case 2: p[i] = (const double[]){1e-15, 1 - 1e-15, 1e-300, 0.0, 1.0}[i % 5]; break;
            case 3: p[i] = break_even; break;
            /* accepted rows of p = 0 after a rejected first row of 0.7 (the SIMD paths' shift):
             * their sum of p came out -1e-16, toxicity above 1 */
            case 4: p[i] = i % 7 == 3 || i % 504 == 0 ? 0.7 : 0.0; break;
            /* every labelled row wrong at the extremes: the log loss of a negative at p = 1 is
             * -ln(1 - (1 - eps)) = 34.5392 with 1 - eps rounded, above -ln(eps) = 34.5388 */
            default: p[i] = i % 3 == 0 ? 1.0 : 0.0; break;
            }
            if (p[i] > 1)
                p[i] = 1;
            tau[i] = kind == 3 ? (i % 2 ? 1e15 : -1e15) : 0.0;
            c_a[i] = -tau[i];
            acc[i] = (uint8_t)(i % 7 != 3 && i % 504 != 0);
            truth[i] = (int8_t)((int)(i % 3) - 1);
        }
        for (const char *const *isa = supported_isas(); *isa; isa++) {
            force_isa(*isa);
            for (int i = 0; i < VARIANTS + 2; i++) {
                /* the default and 49 bins again, with exact sums */
                variant v = variants(i < VARIANTS ? i : 2 * (i - VARIANTS));
                if (i >= VARIANTS) {
                    v.o.flags |= SL_METRICS_EXACT_SUMS;
                    v.name = i == VARIANTS ? "exact sums" : "exact sums, 49 bins";
                }
                sl_metrics *whole, *merged;
                assert_int_equal(sl_metrics_init_ex(&whole, &pp, &v.o), SL_OK);
                assert_int_equal(sl_metrics_init_ex(&merged, &pp, &v.o), SL_OK);
                sl_payoff_inputs_f64 in = {p, tau, c_a, NULL, NULL, NULL};
                assert_int_equal(sl_metrics_update_f64(whole, &in, acc, truth, N, NULL), SL_OK);
                for (size_t r = 0; r < N; r += 1 + r % 5) { /* one row per update, then merges */
                    size_t len = r % 2 ? 1 : N - r < 40 ? N - r : 40;
                    sl_payoff_inputs_f64 part = {p + r, tau + r, c_a + r, NULL, NULL, NULL};
                    sl_metrics *piece;
                    assert_int_equal(sl_metrics_init_ex(&piece, &pp, &v.o), SL_OK);
                    for (size_t j = 0; j < len; j++) {
                        sl_payoff_inputs_f64 one = {part.p + j, part.tau + j, part.c_a + j, NULL,
                                                    NULL, NULL};
                        assert_int_equal(sl_metrics_update_f64(piece, &one, acc + r + j,
                                                               truth + r + j, 1, NULL), SL_OK);
                    }
                    assert_int_equal(sl_metrics_merge(merged, piece), SL_OK);
                    sl_metrics_free(piece);
                }
                sl_metrics *const states[] = {whole, merged};
                for (int k = 0; k < 2; k++) {
                    sl_metrics_report rep;
                    assert_int_equal(sl_metrics_finalize(states[k], &rep), SL_OK);
                    if (!(rep.toxicity_rate >= 0 && rep.toxicity_rate <= 1 &&
                          rep.average_quality_accepted >= 0 && rep.average_quality <= 1 &&
                          rep.toxicity_rate_all >= 0 && rep.toxicity_rate_all <= 1))
                        fail_msg("rows of kind %d, %s, %s: toxicity %.17g, mean p accepted %.17g",
                                 kind, *isa, v.name, rep.toxicity_rate,
                                 rep.average_quality_accepted);
                    sl_metrics_report_free(&rep);
                    size_t size;
                    unsigned char *blob = blob_of(states[k], &size);
                    sl_metrics *back;
                    sl_status st = sl_metrics_deserialize(&back, blob, size);
                    if (st != SL_OK)
                        fail_msg("rows of kind %d, %s, %s, %s: %s", kind, *isa, v.name,
                                 k ? "merged" : "one update", sl_status_str(st));
                    sl_metrics_free(back);
                    free(blob);
                }
                sl_metrics_free(whole);
                sl_metrics_free(merged);
            }
        }
    }
    free(p), free(tau), free(c_a), free(acc), free(truth);
}

/* Random states that accumulation produces are accepted, on every path: p uniform, only 0 and 1,
 * on the bins' edges, clustered (within 10^-k of a point), near both ends; random accepted flags,
 * labels, options (bins, threshold, band, eps) and payoff columns; the rows cut into random
 * chunks whose states are merged. (36000 such states in an ad-hoc run of this loop before it
 * became this test: none refused.) */
static void test_random_states_accepted(void **state)
{
    (void)state;
    enum { MAX_ROWS = 3000, TRIALS = 200 };
    double *p = malloc(MAX_ROWS * sizeof *p), *col[5];
    for (int c = 0; c < 5; c++)
        col[c] = malloc(MAX_ROWS * sizeof(double));
    uint8_t *acc = malloc(MAX_ROWS);
    int8_t *truth = malloc(MAX_ROWS);
    uint64_t s = 21;
    for (const char *const *isa = supported_isas(); *isa; isa++) {
        force_isa(*isa);
        for (int t = 0; t < TRIALS; t++) {
            size_t n = 1 + rng_next(&s) % MAX_ROWS;
            int mode = (int)(rng_next(&s) % 6);
            double base = rng_uniform(&s, 0, 1), scale = pow(10, -(double)(rng_next(&s) % 20));
            for (size_t i = 0; i < n; i++) {
                double u = rng_uniform(&s, 0, 1);
                switch (mode) {
                case 0: p[i] = u; break;
                case 1: p[i] = (double)(rng_next(&s) % 2); break;
                case 2: p[i] = (double)(rng_next(&s) % 11) / 10; break;
                case 3: p[i] = fmin(1, base + scale * u); break;
                case 4: p[i] = rng_next(&s) % 3 ? scale * u : 1 - scale * u; break;
                default: p[i] = rng_next(&s) % 4 ? (double)(rng_next(&s) % 3) / 2 : u; break;
                }
                acc[i] = (uint8_t)(rng_next(&s) % 3 != 0);
                truth[i] = (int8_t)((int)(rng_next(&s) % 3) - 1);
                for (int c = 0; c < 5; c++)
                    col[c][i] = (rng_next(&s) % 2 ? 1e6 : 1) * rng_uniform(&s, -0.5, 0.5);
            }
            sl_metrics_options o;
            sl_metrics_options_default(&o);
            if (rng_next(&s) % 3 == 0) {
                o.bins = 1 + (unsigned)(rng_next(&s) % 60);
                o.quality_threshold = rng_uniform(&s, 0, 1);
                o.uncertainty_band = rng_uniform(&s, 0, 0.5);
                o.log_loss_eps = pow(10, -1 - (double)(rng_next(&s) % 15));
            }
            if (rng_next(&s) % 4 == 0)
                o.flags = SL_METRICS_NO_AUC;
            if (rng_next(&s) % 4 == 0)
                o.flags |= SL_METRICS_EXACT_SUMS;
            int columns = (int)(rng_next(&s) % 2);
            sl_metrics *m;
            assert_int_equal(sl_metrics_init_ex(&m, &params, &o), SL_OK);
            for (size_t off = 0; off < n;) {
                size_t len = 1 + rng_next(&s) % (n - off);
                sl_metrics *part;
                assert_int_equal(sl_metrics_init_ex(&part, &params, &o), SL_OK);
                sl_payoff_inputs_f64 in = {p + off, NULL, NULL, NULL, NULL, NULL};
                if (columns)
                    in = (sl_payoff_inputs_f64){p + off,      col[0] + off, col[1] + off,
                                                col[2] + off, col[3] + off, col[4] + off};
                assert_int_equal(sl_metrics_update_f64(part, &in, acc + off, truth + off, len, NULL),
                                 SL_OK);
                assert_int_equal(sl_metrics_merge(m, part), SL_OK);
                sl_metrics_free(part);
                off += len;
            }
            size_t size;
            unsigned char *blob = blob_of(m, &size);
            sl_metrics *back;
            sl_status st = sl_metrics_deserialize(&back, blob, size);
            if (st != SL_OK)
                fail_msg("%s, trial %d (rows of kind %d, %zu rows, %u bins, columns %d): %s", *isa,
                         t, mode, n, o.bins, columns, sl_status_str(st));
            sl_metrics_free(back);
            free(blob);
            sl_metrics_free(m);
        }
    }
    for (int c = 0; c < 5; c++)
        free(col[c]);
    free(p), free(acc), free(truth);
}

/* Random corruption of 1 to 8 bytes of the body, resealed: never a crash or an out-of-bounds
 * read (ASan), never a state whose counts do not add up or whose rates leave [0, 1]; refused as
 * corrupt unless the change keeps a possible state (e.g. a payoff sum changed). */
static void test_random_corruption(void **state)
{
    (void)state;
    rows r = make_rows(200, 9);
    sl_metrics_options o;
    sl_metrics_options_default(&o);
    o.bins = 4;
    sl_metrics *m;
    assert_int_equal(sl_metrics_init_ex(&m, &params, &o), SL_OK);
    add_rows(m, &r, 0, 200, 1);
    size_t size;
    unsigned char *blob = blob_of(m, &size), *b = malloc(size);
    uint64_t s = 12;
    size_t accepted = 0, corrupt = 0;
    for (int trial = 0; trial < 20000; trial++) {
        memcpy(b, blob, size);
        int k = 1 + (int)(rng_next(&s) % 8);
        for (int j = 0; j < k; j++)
            b[rng_next(&s) % (size - 8)] = (unsigned char)rng_next(&s);
        reseal(b, size);
        sl_metrics *back;
        sl_status st = sl_metrics_deserialize(&back, b, size);
        if (st == SL_OK) {
            sl_metrics_report rep;
            assert_int_equal(sl_metrics_finalize(back, &rep), SL_OK);
            assert_true(rep.n_accepted <= rep.n && rep.n_labelled <= rep.n);
            assert_true(rep.toxicity_rate >= 0 && rep.toxicity_rate <= 1);
            assert_true(rep.average_quality >= 0 && rep.average_quality <= 1);
            assert_true(rep.quality_variance >= 0 && rep.payoff_variance_initiator >= 0);
            assert_true(!rep.brier_score.present ||
                        (rep.brier_score.value >= 0 && rep.brier_score.value <= 1));
            sl_metrics_report_free(&rep);
            sl_metrics_free(back);
            accepted++;
        } else {
            assert_true(st == SL_ERR_BLOB_CORRUPT || st == SL_ERR_BLOB_VERSION ||
                        st == SL_ERR_BLOB_MAGIC || st == SL_ERR_BLOB_TRUNCATED);
            corrupt += st == SL_ERR_BLOB_CORRUPT;
        }
    }
    printf("random resealed corruption: %zu of 20000 read as consistent states (e.g. only sums "
           "changed), %zu refused as corrupt\n", accepted, corrupt);
    assert_true(corrupt > 0);
    free(b);
    free(blob);
    sl_metrics_free(m);
    free_rows(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_merge_of_blobs),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_truncation_and_bit_flips),
        cmocka_unit_test(test_forged_content),
        cmocka_unit_test(test_forged_sums),
        cmocka_unit_test(test_edge_states_accepted),
        cmocka_unit_test(test_random_states_accepted),
        cmocka_unit_test(test_random_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
