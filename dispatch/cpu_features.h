/* Internal: what this CPU and its OS can run. */
#ifndef SL_CPU_FEATURES_H
#define SL_CPU_FEATURES_H

typedef struct sl_cpu_features {
    int avx2_fma; /* x86-64: AVX2 and FMA instructions, and the OS saves YMM state */
    int avx512f;  /* x86-64: AVX-512F, and the OS saves ZMM and opmask state */
    int neon;     /* AArch64: Advanced SIMD (HWCAP_ASIMD in the auxiliary vector) */
} sl_cpu_features;

/* Reads the features (cpuid + xgetbv on x86-64, getauxval(AT_HWCAP) on AArch64 Linux, the
 * architectural baseline on other AArch64 systems; all zero elsewhere). Cheap, no side effects. */
sl_cpu_features sl_cpu_detect(void);

#endif
