/*
 * Which path is active, so that a silent fallback to the scalar path fails a run:
 *  - SOFTLABEL_EXPECT_ISA=<name> in the environment: the path chosen at first use (which honours
 *    SOFTLABEL_ISA) must be exactly that one (CI sets it: "neon" under qemu-aarch64, "scalar" when
 *    the scalar path is forced). Without the variable that check is skipped, not passed.
 *  - "auto" picks the best path this machine supports: on AArch64 that is always "neon" (Advanced
 *    SIMD is in the AArch64 baseline, so not finding it is a detection bug); on x86-64 the first
 *    supported of avx512, avx2, scalar.
 *  - A path of the other architecture is unknown to the build, not merely unsupported.
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* Must run first: it checks the choice made at first use, before any sl_set_isa. */
static void first_use_choice_is_expected(void **state)
{
    (void)state;
    const char *expected = getenv("SOFTLABEL_EXPECT_ISA");
    if (!expected || !*expected)
        skip(); /* nothing was expected of this run */
    const char *active = sl_isa_name();
    assert_int_equal(sl_isa_status(), SL_OK);
    if (strcmp(active, expected) != 0)
        fail_msg("active path is '%s', SOFTLABEL_EXPECT_ISA says '%s' (SOFTLABEL_ISA=%s)", active,
                 expected, getenv("SOFTLABEL_ISA") ? getenv("SOFTLABEL_ISA") : "(unset)");
}

static void auto_picks_best_supported(void **state)
{
    (void)state;
#if defined(__aarch64__)
    assert_true(sl_isa_supported("neon"));
    static const char *const preference[] = {"neon", "scalar", NULL};
#else
    static const char *const preference[] = {"avx512", "avx2", "scalar", NULL};
#endif
    const char *best = NULL;
    for (size_t i = 0; preference[i] && !best; i++)
        if (sl_isa_supported(preference[i]))
            best = preference[i];
    assert_non_null(best);
    assert_int_equal(sl_set_isa("auto"), SL_OK);
    assert_string_equal(sl_isa_name(), best);
}

static void other_architecture_paths_are_unknown(void **state)
{
    (void)state;
#if defined(__aarch64__)
    static const char *const foreign[] = {"avx2", "avx512", NULL};
#else
    static const char *const foreign[] = {"neon", NULL};
#endif
    force_isa("scalar");
    for (size_t i = 0; foreign[i]; i++) {
        assert_false(sl_isa_supported(foreign[i]));
        assert_int_equal(sl_set_isa(foreign[i]), SL_ERR_ISA_UNKNOWN);
        assert_string_equal(sl_isa_name(), "scalar"); /* a refused request changes nothing */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_use_choice_is_expected),
        cmocka_unit_test(auto_picks_best_supported),
        cmocka_unit_test(other_architecture_paths_are_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
