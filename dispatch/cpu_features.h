/* Internal: what this CPU and its OS can run. */
#ifndef SL_CPU_FEATURES_H
#define SL_CPU_FEATURES_H

typedef struct sl_cpu_features {
    int avx2_fma; /* AVX2 and FMA instructions, and the OS saves YMM state */
    int avx512f;  /* AVX-512F, and the OS saves ZMM and opmask state */
} sl_cpu_features;

/* Reads the features (cpuid + xgetbv on x86-64; all zero elsewhere). Cheap, no side effects. */
sl_cpu_features sl_cpu_detect(void);

#endif
