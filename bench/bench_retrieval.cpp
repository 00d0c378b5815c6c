// Retrieval speed: the library's kernel against baselines measured in the same run.
//
//   single/<map>/d/N      one query, out = X^T map(beta X q), the library (streaming for softmax)
//   eigen_two_pass/d/N    plain Eigen: s = X q, softmax, out = X^T s (two passes over X)
//   scalar/d/N            the obviously-correct scalar loop (double accumulation)
//   stream_read/d/N       one streaming read of X (sum of all values): the bandwidth limit
//   single_bf16/<map>/d/N the same over a Bf16PatternMemory (bfloat16 storage, half the bytes)
//   stream_read_bf16/d/N  one streaming read of the bfloat16 patterns: their bandwidth limit
//   batch/<map>/B/d/N     B queries at once (library; threads = 1 or 2)
//   batch_bf16/<map>/B/d/N  the same over bfloat16 patterns (blocks decoded to float)
//   gemm_pair/B/d/N       the bare GEMM pair S = Q X^T, O = S X of Eigen (no separation)
//
// Counters: GB/s of pattern bytes (N d sizeof(float) per query pass) and GFLOP/s (4 N d per
// query). Build with -DHOPFIELD_NATIVE=ON; read medians (--benchmark_repetitions=5
// --benchmark_report_aggregates_only=true) and compare ratios within one run.
#include <benchmark/benchmark.h>
#include <cstdint>
#include <hopfield/hopfield.hpp>
#include <map>
#include <memory>
#include <tuple>

namespace {

using hopfield::Index;
using Mat = hopfield::RowMatrix<float>;
using Vec = hopfield::Vector<float>;

// Deterministic, fast fill (xorshift): patterns of norm ~1 so that beta = 8 gives a peaked but
// not one-hot softmax, the regime retrieval runs in.
void fill(float* data, std::size_t n, std::uint64_t seed, float amplitude) {
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data[i] = amplitude * (float(x >> 40) * 0x1.0p-24f * 2.0f - 1.0f);
    }
}

// One memory per shape, shared by every benchmark of that shape (building 400 MB takes time).
const Mat& patterns(Index N, Index d) {
    static std::map<std::pair<Index, Index>, std::unique_ptr<Mat>> cache;
    auto& slot = cache[{N, d}];
    if (!slot) {
        slot = std::make_unique<Mat>(N, d);
        fill(slot->data(), std::size_t(N * d), std::uint64_t(N * 31 + d),
             1.7f / std::sqrt(float(d)));
    }
    return *slot;
}

Vec query(Index d, std::uint64_t seed = 7) {
    Vec q(d);
    fill(q.data(), std::size_t(d), seed, 1.7f / std::sqrt(float(d)));
    return q;
}

constexpr float beta = 8.0f;

void set_counters(benchmark::State& state, Index N, Index d, Index queries = 1) {
    const double bytes = double(N) * double(d) * sizeof(float);
    state.counters["GB/s"] =
        benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["GFLOP/s"] =
        benchmark::Counter(4.0 * double(N) * double(d) * double(queries) * 1e-9,
                           benchmark::Counter::kIsIterationInvariantRate);
}

template <class Map>
void single(benchmark::State& state, Map map) {
    const Index d = state.range(0), N = state.range(1);
    const hopfield::PatternView<float> X(patterns(N, d).data(), N, d,
                                         hopfield::PatternView<float>::trusted);
    const Vec q = query(d);
    Vec out(d);
    hopfield::Workspace<float> ws;
    for (auto _ : state) {
        hopfield::kernel::retrieve(X, q.data(), beta, map, out.data(), ws);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_counters(state, N, d);
    if constexpr (!hopfield::SoftmaxFamily<Map>) {  // rows the projection touched
        Index support = 0;
        for (Index mu = 0; mu < N; ++mu) support += ws.scores[mu] != 0.0f;
        state.counters["support_rows"] = double(support);
    }
}

// Sum of n values with four batch accumulators: one streaming read (the bandwidth limit).
template <class T>
T stream_sum(const T* x, std::size_t n) {
    using batch = xsimd::batch<T>;
    constexpr std::size_t w = batch::size;
    batch a0(T(0)), a1(T(0)), a2(T(0)), a3(T(0));
    std::size_t i = 0;
    for (; i + 4 * w <= n; i += 4 * w) {
        a0 += batch::load_unaligned(x + i);
        a1 += batch::load_unaligned(x + i + w);
        a2 += batch::load_unaligned(x + i + 2 * w);
        a3 += batch::load_unaligned(x + i + 3 * w);
    }
    T total = xsimd::hadd((a0 + a1) + (a2 + a3));
    for (; i < n; ++i) total += x[i];
    return total;
}

// The bfloat16 copy of patterns(N, d), one per shape.
const hopfield::Bf16PatternMemory& bf16_patterns(Index N, Index d) {
    static std::map<std::pair<Index, Index>, std::unique_ptr<hopfield::Bf16PatternMemory>> cache;
    auto& slot = cache[{N, d}];
    if (!slot)
        slot = std::make_unique<hopfield::Bf16PatternMemory>(hopfield::PatternView<float>(
            patterns(N, d).data(), N, d, hopfield::PatternView<float>::trusted));
    return *slot;
}

void set_bf16_counters(benchmark::State& state, const hopfield::Bf16PatternMemory& X) {
    state.counters["GB/s"] =
        benchmark::Counter(double(X.bytes()) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["GFLOP/s"] = benchmark::Counter(4.0 * double(X.size()) * double(X.dim()) * 1e-9,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

template <class Map>
void single_bf16(benchmark::State& state, Map map) {
    const Index d = state.range(0), N = state.range(1);
    const auto& X = bf16_patterns(N, d);
    const Vec q = query(d);
    Vec out(d);
    hopfield::Workspace<float> ws;
    for (auto _ : state) {
        hopfield::kernel::retrieve(X.view(), q.data(), beta, map, out.data(), ws);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_bf16_counters(state, X);
}

void stream_read_bf16(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const auto& X = bf16_patterns(N, d);
    const std::uint32_t* w = X.view().row(0);
    const std::size_t n = std::size_t(X.size() * X.view().words());
    for (auto _ : state) benchmark::DoNotOptimize(stream_sum(w, n));
    set_bf16_counters(state, X);
}

void eigen_two_pass(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const auto X = Eigen::Map<const Mat>(patterns(N, d).data(), N, d);
    const Vec q = query(d);
    Vec s(N), out(d);
    for (auto _ : state) {
        s.noalias() = beta * (X * q);
        s = (s.array() - s.maxCoeff()).exp();
        s /= s.sum();
        out.noalias() = X.transpose() * s;
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_counters(state, N, d);
}

void scalar(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const float* X = patterns(N, d).data();
    const Vec q = query(d);
    std::vector<double> s(static_cast<std::size_t>(N)), out(static_cast<std::size_t>(d));
    for (auto _ : state) {
        double top = -1e300, sum = 0;
        for (Index mu = 0; mu < N; ++mu) {
            double dot = 0;
            for (Index i = 0; i < d; ++i) dot += double(X[mu * d + i]) * double(q[i]);
            s[std::size_t(mu)] = beta * dot;
            top = std::max(top, s[std::size_t(mu)]);
        }
        for (auto& v : s) sum += (v = std::exp(v - top));
        std::fill(out.begin(), out.end(), 0.0);
        for (Index mu = 0; mu < N; ++mu)
            for (Index i = 0; i < d; ++i)
                out[std::size_t(i)] += s[std::size_t(mu)] / sum * double(X[mu * d + i]);
        benchmark::DoNotOptimize(out.data());
    }
    set_counters(state, N, d);
}

void stream_read(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const float* X = patterns(N, d).data();
    const std::size_t n = std::size_t(N * d);
    for (auto _ : state) benchmark::DoNotOptimize(stream_sum(X, n));
    set_counters(state, N, d);
}

// B queries through step_batch on `threads` threads (the last range argument, if any).
template <class Memory, class Map>
void run_batch(benchmark::State& state, const Memory& X, Map map) {
    const Index B = state.range(0), d = state.range(1), N = state.range(2);
    const int threads = state.range(3) > 0 ? int(state.range(3)) : 1;
    Mat Q(B, d);
    fill(Q.data(), std::size_t(B * d), 3, 1.7f / std::sqrt(float(d)));
    const hopfield::ModernHopfield<Map> model(beta, map);
    Mat out(B, d);
    for (auto _ : state) {
        out = hopfield::step_batch(model, X, Q, {.threads = threads});
        benchmark::DoNotOptimize(out.data());
    }
    set_counters(state, N, d, B);
}

template <class Map>
void batch(benchmark::State& state, Map map) {
    run_batch(state, patterns(state.range(2), state.range(1)), map);
}

template <class Map>
void batch_bf16(benchmark::State& state, Map map) {
    run_batch(state, bf16_patterns(state.range(2), state.range(1)), map);
}

void gemm_pair(benchmark::State& state) {
    const Index B = state.range(0), d = state.range(1), N = state.range(2);
    const auto X = Eigen::Map<const Mat>(patterns(N, d).data(), N, d);
    Mat Q(B, d), S(B, N), out(B, d);
    fill(Q.data(), std::size_t(B * d), 3, 1.7f / std::sqrt(float(d)));
    for (auto _ : state) {
        S.noalias() = Q * X.transpose();
        out.noalias() = S * X;
        benchmark::DoNotOptimize(out.data());
    }
    set_counters(state, N, d, B);
}

void single_shapes(benchmark::internal::Benchmark* b) {
    for (const int d : {64, 256, 1024})
        for (const int N : {1000, 10000, 100000}) b->Args({d, N});
}

}  // namespace

BENCHMARK_CAPTURE(single, softmax, hopfield::Softmax{})->Apply(single_shapes);
BENCHMARK(eigen_two_pass)->Apply(single_shapes);
BENCHMARK(stream_read)->Apply(single_shapes);
BENCHMARK(scalar)->Args({256, 10000})->Args({256, 100000});
BENCHMARK_CAPTURE(single_bf16, softmax, hopfield::Softmax{})->Apply(single_shapes);
BENCHMARK(stream_read_bf16)->Apply(single_shapes);
BENCHMARK_CAPTURE(single_bf16, sparsemax, hopfield::Sparsemax{})->Args({256, 10000});

// Every map at one shape.
BENCHMARK_CAPTURE(single, softmax1, hopfield::Softmax1{})->Args({256, 10000});
BENCHMARK_CAPTURE(single, sparsemax, hopfield::Sparsemax{})->Args({256, 10000});
BENCHMARK_CAPTURE(single, entmax15, hopfield::Entmax15{})->Args({256, 10000});
BENCHMARK_CAPTURE(single, entmax_1_3, hopfield::Entmax(1.3))->Args({256, 10000});

BENCHMARK_CAPTURE(batch, softmax, hopfield::Softmax{})
    ->Args({256, 256, 10000, 1})
    ->Args({256, 256, 10000, 2})
    ->UseRealTime();
BENCHMARK_CAPTURE(batch, sparsemax, hopfield::Sparsemax{})->Args({256, 256, 10000, 1});
BENCHMARK_CAPTURE(batch_bf16, softmax, hopfield::Softmax{})
    ->Args({256, 256, 10000, 1})
    ->UseRealTime();
BENCHMARK(gemm_pair)->Args({256, 256, 10000})->UseRealTime();
