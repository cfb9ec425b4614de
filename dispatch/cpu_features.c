/*
 * CPU feature detection. On x86-64 an instruction set is usable only when cpuid reports it AND
 * the OS has enabled saving its registers (XCR0, read with xgetbv): a kernel or hypervisor may
 * hide AVX-512 state even on a CPU that has it. On AArch64 Linux the kernel reports the CPU's
 * features, as it has enabled them, in the auxiliary vector (AT_HWCAP).
 */
#include "cpu_features.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <stdint.h>

static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

sl_cpu_features sl_cpu_detect(void)
{
    sl_cpu_features f = {0};
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return f;
    const int has_fma = (ecx >> 12) & 1, has_osxsave = (ecx >> 27) & 1, has_avx = (ecx >> 28) & 1;
    if (!has_osxsave || !has_avx)
        return f;
    const uint64_t xcr0 = read_xcr0();
    const int os_ymm = (xcr0 & 0x6) == 0x6;    /* SSE and AVX state */
    const int os_zmm = (xcr0 & 0xE6) == 0xE6;  /* plus opmask, ZMM0-15 upper halves, ZMM16-31 */
    if (__get_cpuid_max(0, 0) < 7)
        return f;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const int has_avx2 = (ebx >> 5) & 1, has_avx512f = (ebx >> 16) & 1;
    f.avx2_fma = has_avx2 && has_fma && os_ymm;
    f.avx512f = f.avx2_fma && has_avx512f && os_zmm;
    return f;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>

sl_cpu_features sl_cpu_detect(void)
{
    sl_cpu_features f = {0};
    const unsigned long hwcap = getauxval(AT_HWCAP);
    f.neon = (hwcap & HWCAP_ASIMD) != 0;
    return f;
}

#elif defined(__aarch64__)

/* AArch64 without the Linux auxiliary vector (e.g. macOS, the BSDs): Advanced SIMD is part of the
 * architecture's baseline there (the compiler already uses it for plain C), so it is present. */
sl_cpu_features sl_cpu_detect(void)
{
    sl_cpu_features f = {0};
    f.neon = 1;
    return f;
}

#else

sl_cpu_features sl_cpu_detect(void)
{
    sl_cpu_features f = {0};
    return f;
}

#endif
