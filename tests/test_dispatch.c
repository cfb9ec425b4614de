/*
 * Instruction-set selection. Environment read by this test (ctest sets it per registration):
 *   SOFTLABEL_ISA           the override under test (read by the library at first use)
 *   SOFTLABEL_EXPECT_ISA    the path that must be active at first use (default: the best path this
 *                           machine supports), so a silent fallback fails
 *   SOFTLABEL_EXPECT_STATUS "unknown" or "unsupported" when the override must be refused
 * Registered natively and under qemu-x86_64 with CPU models lacking AVX-512 or AVX, so the
 * "unsupported" branch runs on real detection code.
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* Paths compiled into this build, best first (what sl_isa_at must list), and names of paths
 * that belong to other architectures (unknown here). */
#if defined(__x86_64__)
static const char *const built[] = {"avx512", "avx2", "scalar", NULL};
static const char *const foreign[] = {"neon", NULL};
#elif defined(__aarch64__)
static const char *const built[] = {"neon", "scalar", NULL};
static const char *const foreign[] = {"avx512", "avx2", NULL};
#else
static const char *const built[] = {"scalar", NULL};
static const char *const foreign[] = {"avx512", "avx2", "neon", NULL};
#endif

static int is_built(const char *name)
{
    for (size_t i = 0; built[i]; i++)
        if (!strcmp(built[i], name))
            return 1;
    return 0;
}

static const char *best_supported(void)
{
    for (size_t i = 0; built[i]; i++)
        if (sl_isa_supported(built[i]))
            return built[i];
    fail_msg("no path supported, not even scalar");
    return NULL;
}

/* Must run first: the library resolves SOFTLABEL_ISA at first use. */
static void first_use(void **state)
{
    (void)state;
    const char *expect_status = getenv("SOFTLABEL_EXPECT_STATUS");
    if (expect_status) {
        sl_status want = !strcmp(expect_status, "unknown") ? SL_ERR_ISA_UNKNOWN : SL_ERR_ISA_UNSUPPORTED;
        assert_int_equal(sl_isa_status(), want);
        assert_string_equal(sl_isa_name(), "none");
        /* every computing call refuses, and writes nothing */
        sl_proxy px;
        sl_proxy_params pp;
        sl_proxy_params_default(&pp);
        assert_int_equal(sl_proxy_init(&px, &pp), SL_OK);
        double prog = 0.5, eng = 0.5, v = 9.0, p = 9.0, x = 1.0, out = 9.0;
        float x32 = 1.0f, out32 = 9.0f;
        int32_t c = 0;
        sl_observables_f64 obs = {&prog, &c, &c, NULL, &eng};
        assert_int_equal(sl_score_f64(&px, &obs, 1, &v, &p, NULL), want);
        assert_int_equal(sl_sigmoid_f64(2.0, &x, 1, &out), want);
        assert_int_equal(sl_sigmoid_f32(2.0f, &x32, 1, &out32), want);
        assert_true(v == 9.0 && p == 9.0 && out == 9.0 && out32 == 9.0f);
        /* and a valid choice recovers */
        assert_int_equal(sl_set_isa("auto"), SL_OK);
        assert_int_equal(sl_isa_status(), SL_OK);
        assert_string_equal(sl_isa_name(), best_supported());
        return;
    }
    const char *expect = getenv("SOFTLABEL_EXPECT_ISA");
    assert_int_equal(sl_isa_status(), SL_OK);
    assert_string_equal(sl_isa_name(), expect ? expect : best_supported());
}

static void forcing_each_path(void **state)
{
    (void)state;
    for (const char *const *name = all_isa_names(); *name; name++) {
        assert_int_equal(sl_set_isa("scalar"), SL_OK);
        sl_status st = sl_set_isa(*name);
        if (sl_isa_supported(*name)) {
            assert_int_equal(st, SL_OK);
            assert_string_equal(sl_isa_name(), *name);
        } else {
            assert_int_equal(st, is_built(*name) ? SL_ERR_ISA_UNSUPPORTED : SL_ERR_ISA_UNKNOWN);
            assert_string_equal(sl_isa_name(), "scalar"); /* unchanged, no silent fallback */
        }
    }
    for (const char *const *name = foreign; *name; name++) {
        assert_int_equal(sl_set_isa(*name), SL_ERR_ISA_UNKNOWN);
        assert_int_equal(sl_isa_supported(*name), 0);
    }
    assert_int_equal(sl_set_isa("no-such-isa"), SL_ERR_ISA_UNKNOWN);
    assert_int_equal(sl_set_isa(""), SL_ERR_ISA_UNKNOWN);
    assert_int_equal(sl_set_isa(NULL), SL_ERR_NULL_ARGUMENT);
    assert_int_equal(sl_isa_supported(NULL), 0);
    assert_int_equal(sl_isa_supported("no-such-isa"), 0);
    assert_int_equal(sl_isa_supported("scalar"), 1);
    assert_int_equal(sl_set_isa("auto"), SL_OK);
    assert_string_equal(sl_isa_name(), best_supported());
}

/* The public list is exactly the paths of this build, best first, each described. */
static void the_one_list(void **state)
{
    (void)state;
    size_t n = 0;
    while (built[n])
        n++;
    assert_int_equal(sl_isa_count(), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(sl_isa_at(i), built[i]);
        assert_non_null(sl_isa_description(i));
        assert_true(strlen(sl_isa_description(i)) > 0);
    }
    assert_null(sl_isa_at(n));
    assert_null(sl_isa_description(n));
    assert_string_equal(sl_isa_at(n - 1), "scalar");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_use),
        cmocka_unit_test(forcing_each_path),
        cmocka_unit_test(the_one_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
