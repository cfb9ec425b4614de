// softlabel kernel benchmarks (Google Benchmark).
//
// One binary, one run, everything a throughput figure must be read against:
//   score_f32/<isa>/<n>, score_f64/<isa>/<n>       sl_score_* on each path this CPU supports
//   sigmoid_f32/<isa>/<n>, sigmoid_f64/<isa>/<n>   sl_sigmoid_* on each path
//   score_f32_mt/threads:<t>/<n>, score_f64_mt/... sl_score_*_mt at the DRAM sizes (real time)
//   libm_score_*/<n>, libm_sigmoid_*/<n>           a plain C loop over libm: what a user writes
//   xnnpack_sigmoid_f32/<n>                        XNNPACK's f32 sigmoid operator, single thread
//   copy/<n>, stream_add/<n>, read_sum/<n>         memory bandwidth: memcpy of n doubles,
//                                                  c[i] = a[i] + b[i] (two reads, one write), and a
//                                                  sum of n doubles (reads only)
// n runs from L1-resident (1K items) to far beyond the last-level cache (64M items). Counters:
// items_per_second, and bytes_per_second counting the bytes each kernel must read and write
// (score_f32: 5 input columns + 2 outputs = 28 bytes a row; score_f64: 44).
//
// Benchmarks run size by size, so the ones compared with each other run close together in time.
// Inputs are synthetic but realistic (see fill_observables); every row is valid.
#include <benchmark/benchmark.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "softlabel.h"

namespace {

// 1K .. 64M items; 1M is where the numpy comparison is made. --sizes=N,N,... replaces the list.
std::vector<size_t> g_sizes = {size_t{1} << 10, size_t{1} << 14, size_t{1} << 18,
                               size_t{1} << 20, size_t{1} << 22, size_t{1} << 26};
// The multi-threaded entry points are measured at the sizes beyond the caches (all sizes when
// --sizes is given, so a smoke run covers them too).
std::vector<size_t> g_thread_sizes = {size_t{1} << 22, size_t{1} << 26};

constexpr double kSigmoidK = 1.0;  // XNNPACK's sigmoid is 1/(1+exp(-x)): compare like with like

// ---- buffers and synthetic data ---------------------------------------------------------------

struct FreeDeleter {
    void operator()(void *p) const { std::free(p); }
};
template <class T>
using Buffer = std::unique_ptr<T[], FreeDeleter>;

// A 64-byte aligned array of n T; aborts when memory runs out (a benchmark cannot go on).
template <class T>
Buffer<T> allocate(size_t n)
{
    size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    void *p = std::aligned_alloc(64, bytes ? bytes : 64);
    if (!p) {
        std::fprintf(stderr, "bench_kernels: out of memory for %zu bytes\n", bytes);
        std::abort();
    }
    std::memset(p, 0, bytes);  // touch every page now, not inside a timed loop
    return Buffer<T>(static_cast<T *>(p));
}

uint64_t splitmix64(uint64_t &state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// uniform in [lo, hi) from 24 random bits
double uniform(uint64_t bits, double lo, double hi)
{
    return lo + (hi - lo) * static_cast<double>(bits & 0xFFFFFF) * 0x1p-24;
}

// One precision's columns: the five observables, the two outputs, and a sigmoid input.
template <class Real>
struct Dataset {
    size_t n = 0;
    Buffer<Real> progress, engagement, v_hat, p, x;
    Buffer<int32_t> rework, rejections, misuse;
};

// Realistic rows: real fields uniform in [-1.25, 1.25) (a tenth clamped to +-1), counts
// geometric with P(c) = 2^-(c+1) for rework and rejections, tool misuse zero in 15 rows of 16.
// Sigmoid inputs uniform in [-8, 8).
template <class Real>
void fill(Dataset<Real> &d, size_t n)
{
    d.n = n;
    d.progress = allocate<Real>(n);
    d.engagement = allocate<Real>(n);
    d.v_hat = allocate<Real>(n);
    d.p = allocate<Real>(n);
    d.x = allocate<Real>(n);
    d.rework = allocate<int32_t>(n);
    d.rejections = allocate<int32_t>(n);
    d.misuse = allocate<int32_t>(n);
    uint64_t state = 0x5eed + n;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = splitmix64(state), b = splitmix64(state);
        d.progress[i] = static_cast<Real>(uniform(a, -1.25, 1.25));
        d.engagement[i] = static_cast<Real>(uniform(a >> 24, -1.25, 1.25));
        d.x[i] = static_cast<Real>(uniform(b, -8.0, 8.0));
        d.rework[i] = __builtin_ctzll((b >> 24) | (uint64_t{1} << 12));
        d.rejections[i] = __builtin_ctzll((b >> 36) | (uint64_t{1} << 12));
        d.misuse[i] = ((a >> 48) & 15) ? 0 : 1 + __builtin_ctzll((a >> 52) | (uint64_t{1} << 8));
    }
}

// One dataset alive at a time (the 64M-row ones take gigabytes): asking for another precision
// or size frees the previous one. Benchmarks are registered so that consecutive ones share it.
Dataset<float> g_f32;
Dataset<double> g_f64;

Dataset<float> &dataset_f32(size_t n)
{
    if (g_f32.n != n) {
        g_f64 = Dataset<double>();
        g_f32 = Dataset<float>();
        fill(g_f32, n);
    }
    return g_f32;
}

Dataset<double> &dataset_f64(size_t n)
{
    if (g_f64.n != n) {
        g_f32 = Dataset<float>();
        g_f64 = Dataset<double>();
        fill(g_f64, n);
    }
    return g_f64;
}

sl_observables_f32 observables(const Dataset<float> &d)
{
    return {d.progress.get(), d.rework.get(), d.rejections.get(), d.misuse.get(),
            d.engagement.get()};
}

sl_observables_f64 observables(const Dataset<double> &d)
{
    return {d.progress.get(), d.rework.get(), d.rejections.get(), d.misuse.get(),
            d.engagement.get()};
}

const sl_proxy &default_proxy()
{
    static sl_proxy px = [] {
        sl_proxy_params params;
        sl_proxy_params_default(&params);
        sl_proxy p;
        if (sl_proxy_init(&p, &params) != SL_OK)
            std::abort();
        return p;
    }();
    return px;
}

// Bytes each kernel must move per item (reads + writes).
constexpr int64_t kScoreBytesF32 = 2 * 4 + 3 * 4 + 2 * 4;
constexpr int64_t kScoreBytesF64 = 2 * 8 + 3 * 4 + 2 * 8;

void set_counters(benchmark::State &state, size_t n, int64_t bytes_per_item)
{
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n) *
                            bytes_per_item);
}

// Forces the path for this benchmark; false (and the benchmark skipped) when refused.
bool use_isa(benchmark::State &state, const std::string &isa)
{
    sl_status st = sl_set_isa(isa.c_str());
    if (st != SL_OK) {
        state.SkipWithError(sl_status_str(st));
        return false;
    }
    return true;
}

void check(benchmark::State &state, sl_status st)
{
    if (st != SL_OK)
        state.SkipWithError(sl_status_str(st));
}

// ---- softlabel ---------------------------------------------------------------------------------

void bm_score_f32(benchmark::State &state, std::string isa)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<float> &d = dataset_f32(n);
    sl_observables_f32 obs = observables(d);
    if (!use_isa(state, isa))
        return;
    for (auto _ : state) {
        size_t first_invalid;
        check(state, sl_score_f32(&default_proxy(), &obs, n, d.v_hat.get(), d.p.get(),
                                  &first_invalid));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, kScoreBytesF32);
}

void bm_score_f64(benchmark::State &state, std::string isa)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<double> &d = dataset_f64(n);
    sl_observables_f64 obs = observables(d);
    if (!use_isa(state, isa))
        return;
    for (auto _ : state) {
        size_t first_invalid;
        check(state, sl_score_f64(&default_proxy(), &obs, n, d.v_hat.get(), d.p.get(),
                                  &first_invalid));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, kScoreBytesF64);
}

void bm_sigmoid_f32(benchmark::State &state, std::string isa)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<float> &d = dataset_f32(n);
    if (!use_isa(state, isa))
        return;
    for (auto _ : state) {
        check(state, sl_sigmoid_f32(static_cast<float>(kSigmoidK), d.x.get(), n, d.p.get()));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, 2 * 4);
}

void bm_sigmoid_f64(benchmark::State &state, std::string isa)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<double> &d = dataset_f64(n);
    if (!use_isa(state, isa))
        return;
    for (auto _ : state) {
        check(state, sl_sigmoid_f64(kSigmoidK, d.x.get(), n, d.p.get()));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, 2 * 8);
}

// The multi-threaded entry points on the default (best) path; range(1) is the thread count.
void bm_score_f32_mt(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    unsigned threads = static_cast<unsigned>(state.range(1));
    Dataset<float> &d = dataset_f32(n);
    sl_observables_f32 obs = observables(d);
    if (!use_isa(state, "auto"))
        return;
    for (auto _ : state) {
        size_t first_invalid;
        check(state, sl_score_f32_mt(&default_proxy(), &obs, n, d.v_hat.get(), d.p.get(),
                                     &first_invalid, threads));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, kScoreBytesF32);
}

void bm_score_f64_mt(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    unsigned threads = static_cast<unsigned>(state.range(1));
    Dataset<double> &d = dataset_f64(n);
    sl_observables_f64 obs = observables(d);
    if (!use_isa(state, "auto"))
        return;
    for (auto _ : state) {
        size_t first_invalid;
        check(state, sl_score_f64_mt(&default_proxy(), &obs, n, d.v_hat.get(), d.p.get(),
                                     &first_invalid, threads));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, kScoreBytesF64);
}

// ---- what a user would write: SPEC section 1 as a plain loop over libm --------------------------
// No input validation (a user's loop has none), so it does less than sl_score_*.

template <class Real>
Real clamp1(Real x)
{
    return x < Real(-1) ? Real(-1) : (x > Real(1) ? Real(1) : x);
}

void libm_score_f32(const sl_proxy_params &pp, const Dataset<float> &d, size_t n)
{
    const float total = static_cast<float>(pp.w_progress + pp.w_rework + pp.w_verifier +
                                           pp.w_engagement);
    const float w0 = static_cast<float>(pp.w_progress) / total;
    const float w1 = static_cast<float>(pp.w_rework) / total;
    const float w2 = static_cast<float>(pp.w_verifier) / total;
    const float w3 = static_cast<float>(pp.w_engagement) / total;
    const float k = static_cast<float>(pp.sigmoid_k);
    const float d_rw = static_cast<float>(pp.rework_decay);
    const float d_rj = static_cast<float>(pp.rejection_decay);
    const float d_mu = static_cast<float>(pp.misuse_decay);
    for (size_t i = 0; i < n; i++) {
        float rework = d.rework[i] == 0 ? 1.0f : 2.0f * powf(d_rw, (float)d.rework[i]) - 1.0f;
        float rej = d.rejections[i] == 0 ? 1.0f : 2.0f * powf(d_rj, (float)d.rejections[i]) - 1.0f;
        float mis = d.misuse[i] == 0 ? 1.0f : 2.0f * powf(d_mu, (float)d.misuse[i]) - 1.0f;
        float v = w0 * clamp1(d.progress[i]) + w1 * rework + w2 * (rej + mis) / 2.0f +
                  w3 * clamp1(d.engagement[i]);
        v = clamp1(v);
        d.v_hat[i] = v;
        d.p[i] = 1.0f / (1.0f + expf(-k * v));
    }
}

void libm_score_f64(const sl_proxy_params &pp, const Dataset<double> &d, size_t n)
{
    const double total = pp.w_progress + pp.w_rework + pp.w_verifier + pp.w_engagement;
    const double w0 = pp.w_progress / total, w1 = pp.w_rework / total;
    const double w2 = pp.w_verifier / total, w3 = pp.w_engagement / total;
    for (size_t i = 0; i < n; i++) {
        double rework = d.rework[i] == 0 ? 1.0 : 2.0 * pow(pp.rework_decay, d.rework[i]) - 1.0;
        double rej = d.rejections[i] == 0 ? 1.0 : 2.0 * pow(pp.rejection_decay, d.rejections[i]) - 1.0;
        double mis = d.misuse[i] == 0 ? 1.0 : 2.0 * pow(pp.misuse_decay, d.misuse[i]) - 1.0;
        double v = w0 * clamp1(d.progress[i]) + w1 * rework + w2 * (rej + mis) / 2.0 +
                   w3 * clamp1(d.engagement[i]);
        v = clamp1(v);
        d.v_hat[i] = v;
        d.p[i] = 1.0 / (1.0 + exp(-pp.sigmoid_k * v));
    }
}

void bm_libm_score_f32(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<float> &d = dataset_f32(n);
    sl_proxy_params pp;
    sl_proxy_params_default(&pp);
    for (auto _ : state) {
        libm_score_f32(pp, d, n);
        benchmark::ClobberMemory();
    }
    set_counters(state, n, kScoreBytesF32);
}

void bm_libm_score_f64(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<double> &d = dataset_f64(n);
    sl_proxy_params pp;
    sl_proxy_params_default(&pp);
    for (auto _ : state) {
        libm_score_f64(pp, d, n);
        benchmark::ClobberMemory();
    }
    set_counters(state, n, kScoreBytesF64);
}

void bm_libm_sigmoid_f32(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<float> &d = dataset_f32(n);
    const float neg_k = static_cast<float>(-kSigmoidK);
    for (auto _ : state) {
        for (size_t i = 0; i < n; i++)
            d.p[i] = 1.0f / (1.0f + expf(neg_k * d.x[i]));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, 2 * 4);
}

void bm_libm_sigmoid_f64(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<double> &d = dataset_f64(n);
    for (auto _ : state) {
        for (size_t i = 0; i < n; i++)
            d.p[i] = 1.0 / (1.0 + exp(-kSigmoidK * d.x[i]));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, 2 * 8);
}

// ---- the peer: XNNPACK's f32 sigmoid operator (its best micro-kernel for this CPU) -------------

void bm_xnnpack_sigmoid_f32(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    Dataset<float> &d = dataset_f32(n);
    xnn_operator_t op = nullptr;
    // n rows of one channel, contiguous: XNNPACK runs its vector kernel over the whole array
    if (xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &op) != xnn_status_success ||
        xnn_setup_sigmoid_nc_f32(op, n, d.x.get(), d.p.get(), nullptr) != xnn_status_success) {
        state.SkipWithError("XNNPACK sigmoid operator could not be created");
        if (op)
            xnn_delete_operator(op);
        return;
    }
    for (auto _ : state) {
        if (xnn_run_operator(op, nullptr) != xnn_status_success)
            state.SkipWithError("xnn_run_operator failed");
        benchmark::ClobberMemory();
    }
    xnn_delete_operator(op);
    set_counters(state, n, 2 * 4);
}

// ---- memory-bandwidth reference ----------------------------------------------------------------

struct BandwidthBuffers {
    size_t n = 0;
    Buffer<double> a, b, c;
};
BandwidthBuffers g_bw;

BandwidthBuffers &bandwidth_buffers(size_t n)
{
    if (g_bw.n != n) {
        g_f32 = Dataset<float>();
        g_f64 = Dataset<double>();
        g_bw = BandwidthBuffers();
        g_bw.n = n;
        g_bw.a = allocate<double>(n);
        g_bw.b = allocate<double>(n);
        g_bw.c = allocate<double>(n);
        for (size_t i = 0; i < n; i++) {
            g_bw.a[i] = static_cast<double>(i);
            g_bw.b[i] = 0.5 * static_cast<double>(i);
        }
    }
    return g_bw;
}

// memcpy: the C library's best copy for this CPU (the copy bandwidth the rooflines use).
void bm_copy(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    BandwidthBuffers &bw = bandwidth_buffers(n);
    for (auto _ : state) {
        std::memcpy(bw.c.get(), bw.a.get(), n * sizeof(double));
        benchmark::ClobberMemory();
    }
    set_counters(state, n, 2 * 8);
}

// Two reads, one write, in a loop the compiler vectorizes.
void bm_stream_add(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    BandwidthBuffers &bw = bandwidth_buffers(n);
    double *__restrict c = bw.c.get();
    const double *__restrict a = bw.a.get();
    const double *__restrict b = bw.b.get();
    for (auto _ : state) {
        for (size_t i = 0; i < n; i++)
            c[i] = a[i] + b[i];
        benchmark::ClobberMemory();
    }
    set_counters(state, n, 3 * 8);
}

// Reads only: a sum over n doubles in eight independent chains (vectorizable without reassociation
// flags), the read half of the bandwidth picture.
void bm_read_sum(benchmark::State &state)
{
    size_t n = static_cast<size_t>(state.range(0));
    BandwidthBuffers &bw = bandwidth_buffers(n);
    const double *a = bw.a.get();
    for (auto _ : state) {
        double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t i = 0;
        for (; i + 8 <= n; i += 8)
            for (size_t j = 0; j < 8; j++)
                acc[j] += a[i + j];
        for (; i < n; i++)
            acc[0] += a[i];
        double total = 0;
        for (double x : acc)
            total += x;
        benchmark::DoNotOptimize(total);
    }
    set_counters(state, n, 8);
}

// ---- registration ------------------------------------------------------------------------------

std::vector<std::string> supported_paths()
{
    std::vector<std::string> paths;
    for (size_t i = sl_isa_count(); i-- > 0;) // the library's list, scalar first
        if (sl_isa_supported(sl_isa_at(i)))
            paths.push_back(sl_isa_at(i));
    return paths;
}

void register_all()
{
    const std::vector<std::string> paths = supported_paths();
    const int max_threads = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
    for (size_t n : g_sizes) {
        const int64_t arg = static_cast<int64_t>(n);
        const bool threaded = std::find(g_thread_sizes.begin(), g_thread_sizes.end(), n) !=
                              g_thread_sizes.end();
        // f32 family, sharing one dataset
        for (const std::string &isa : paths)
            benchmark::RegisterBenchmark(("score_f32/" + isa).c_str(), bm_score_f32, isa)->Arg(arg);
        if (threaded)
            for (int t = 1; t <= max_threads; t++)
                benchmark::RegisterBenchmark("score_f32_mt", bm_score_f32_mt)
                    ->Args({arg, t})->ArgNames({"", "threads"})->UseRealTime();
        benchmark::RegisterBenchmark("libm_score_f32", bm_libm_score_f32)->Arg(arg);
        for (const std::string &isa : paths)
            benchmark::RegisterBenchmark(("sigmoid_f32/" + isa).c_str(), bm_sigmoid_f32, isa)->Arg(arg);
        benchmark::RegisterBenchmark("libm_sigmoid_f32", bm_libm_sigmoid_f32)->Arg(arg);
        benchmark::RegisterBenchmark("xnnpack_sigmoid_f32", bm_xnnpack_sigmoid_f32)->Arg(arg);
        // f64 family
        for (const std::string &isa : paths)
            benchmark::RegisterBenchmark(("score_f64/" + isa).c_str(), bm_score_f64, isa)->Arg(arg);
        if (threaded)
            for (int t = 1; t <= max_threads; t++)
                benchmark::RegisterBenchmark("score_f64_mt", bm_score_f64_mt)
                    ->Args({arg, t})->ArgNames({"", "threads"})->UseRealTime();
        benchmark::RegisterBenchmark("libm_score_f64", bm_libm_score_f64)->Arg(arg);
        for (const std::string &isa : paths)
            benchmark::RegisterBenchmark(("sigmoid_f64/" + isa).c_str(), bm_sigmoid_f64, isa)->Arg(arg);
        benchmark::RegisterBenchmark("libm_sigmoid_f64", bm_libm_sigmoid_f64)->Arg(arg);
        // memory bandwidth
        benchmark::RegisterBenchmark("copy", bm_copy)->Arg(arg);
        benchmark::RegisterBenchmark("stream_add", bm_stream_add)->Arg(arg);
        benchmark::RegisterBenchmark("read_sum", bm_read_sum)->Arg(arg);
    }
}

// Takes --sizes=N[,N...] out of argv (Google Benchmark rejects flags it does not know).
bool parse_sizes(int &argc, char **argv)
{
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (std::strncmp(argv[i], "--sizes=", 8) != 0) {
            argv[kept++] = argv[i];
            continue;
        }
        g_sizes.clear();
        for (const char *s = argv[i] + 8; *s;) {
            char *end;
            unsigned long long v = std::strtoull(s, &end, 10);
            if (end == s || v == 0 || (*end != ',' && *end != '\0')) {
                std::fprintf(stderr, "bench_kernels: bad --sizes list: %s\n", argv[i]);
                return false;
            }
            g_sizes.push_back(static_cast<size_t>(v));
            s = *end ? end + 1 : end;
        }
        g_thread_sizes = g_sizes;
    }
    argc = kept;
    argv[argc] = nullptr;
    return true;
}

}  // namespace

int main(int argc, char **argv)
{
    if (!parse_sizes(argc, argv))
        return 2;
    if (xnn_initialize(nullptr) != xnn_status_success) {
        std::fprintf(stderr, "bench_kernels: xnn_initialize failed\n");
        return 1;
    }
    benchmark::AddCustomContext("softlabel_default_isa", sl_isa_name());
    benchmark::AddCustomContext("softlabel_version", sl_version());
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    xnn_deinitialize();
    return 0;
}
