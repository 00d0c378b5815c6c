// Binary (+-1) models: one synchronous update of the classical network, bit-packed against
// the float pattern kernel and against a float coupling-matrix product J s (the textbook
// implementation), all in the same run; and one asynchronous sweep.
//
//   sync_bits/d/N      fields from BitPatternMemory (XOR + popcount, lane-per-neuron projection)
//   sync_float/d/N     fields from the float PatternMemory (the float kernel)
//   sync_coupling/d/N  h = J s with the dense d x d float coupling matrix (Eigen GEMV)
//   sync_*_exponential the same two storages for F = exp(x): the agreement form of the fields
//                      (a select between two weights per pattern and neuron), which the
//                      classical model skips (its linear form is exact)
//   async_sweep/d/N    one asynchronous sweep from a 10%-corrupted pattern (incl. set-up:
//                      the tracker's transposed copy of X and the overlaps), float memory
//   async_sweep_bits   the same from a BitPatternMemory (bit-packed transposed copy)
//   async_sweep_*exponential  the same two storages for F = exp(x) (agreement form)
#include <benchmark/benchmark.h>
#include <hopfield/hopfield.hpp>
#include <random>

namespace {

using hopfield::Index;

hopfield::RowMatrix<float> binary_patterns(Index N, Index d, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    hopfield::RowMatrix<float> X(N, d);
    for (Index k = 0; k < X.size(); ++k) X.data()[k] = (rng() & 1) ? 1.0f : -1.0f;
    return X;
}

Eigen::VectorXf cue(const hopfield::RowMatrix<float>& X, double flip, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Eigen::VectorXf s = X.row(0).transpose();
    for (Index i = 0; i < s.size(); ++i)
        if (double(rng() >> 11) * 0x1.0p-53 < flip) s[i] = -s[i];
    return s;
}

template <class Memory, class Model = hopfield::ClassicalHebbian>
void sync_update(benchmark::State& state, const Memory& memory, const Eigen::VectorXf& s,
                 const Model& model = Model{}) {
    hopfield::Workspace<float> ws;
    Eigen::VectorXf h(s.size()), next(s.size());
    for (auto _ : state) {
        model.fields(memory, s.data(), h.data(), ws);
        for (Index i = 0; i < s.size(); ++i) next[i] = h[i] > 0 ? 1.0f : (h[i] < 0 ? -1.0f : s[i]);
        benchmark::DoNotOptimize(next.data());
        benchmark::ClobberMemory();
    }
}

void sync_bits(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const auto X = binary_patterns(N, d, 1);
    sync_update(state, hopfield::BitPatternMemory(X), cue(X, 0.1, 2));
}

void sync_float(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const auto X = binary_patterns(N, d, 1);
    sync_update(state, hopfield::PatternView<float>(X), cue(X, 0.1, 2));
}

const hopfield::DenseModel<hopfield::Exponential> exponential(hopfield::Exponential{1.0});

void sync_bits_exponential(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const auto X = binary_patterns(N, d, 1);
    sync_update(state, hopfield::BitPatternMemory(X), cue(X, 0.1, 2), exponential);
}

void sync_float_exponential(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const auto X = binary_patterns(N, d, 1);
    sync_update(state, hopfield::PatternView<float>(X), cue(X, 0.1, 2), exponential);
}

void sync_coupling(benchmark::State& state) {
    const Index d = state.range(0), N = state.range(1);
    const auto X = binary_patterns(N, d, 1);
    const hopfield::RowMatrix<float> J = hopfield::Couplings<float>::hebb(X).matrix();
    const Eigen::VectorXf s = cue(X, 0.1, 2);
    Eigen::VectorXf h(d), next(d);
    for (auto _ : state) {
        h.noalias() = J * s;
        for (Index i = 0; i < d; ++i) next[i] = h[i] > 0 ? 1.0f : (h[i] < 0 ? -1.0f : s[i]);
        benchmark::DoNotOptimize(next.data());
        benchmark::ClobberMemory();
    }
}

// One asynchronous sweep from a 10%-corrupted cue (includes the tracker's set-up: the
// transposed copy, float or bit-packed, and the overlaps).
template <class Memory, class Model>
void async_run(benchmark::State& state, const Memory& memory, const Eigen::VectorXf& s,
               const Model& model) {
    for (auto _ : state) {
        auto r = hopfield::run_asynchronous(model, memory, s, {.max_sweeps = 1, .seed = 3});
        benchmark::DoNotOptimize(r.state.data());
    }
}

void async_sweep(benchmark::State& state) {
    const auto X = binary_patterns(state.range(1), state.range(0), 1);
    async_run(state, hopfield::PatternView<float>(X), cue(X, 0.1, 2), hopfield::ClassicalHebbian{});
}

void async_sweep_bits(benchmark::State& state) {
    const auto X = binary_patterns(state.range(1), state.range(0), 1);
    async_run(state, hopfield::BitPatternMemory(X), cue(X, 0.1, 2), hopfield::ClassicalHebbian{});
}

void async_sweep_exponential(benchmark::State& state) {
    const auto X = binary_patterns(state.range(1), state.range(0), 1);
    async_run(state, hopfield::PatternView<float>(X), cue(X, 0.1, 2), exponential);
}

void async_sweep_bits_exponential(benchmark::State& state) {
    const auto X = binary_patterns(state.range(1), state.range(0), 1);
    async_run(state, hopfield::BitPatternMemory(X), cue(X, 0.1, 2), exponential);
}

void shapes(benchmark::internal::Benchmark* b) { b->Args({1000, 100})->Args({4096, 400}); }

}  // namespace

BENCHMARK(sync_bits)->Apply(shapes);
BENCHMARK(sync_float)->Apply(shapes);
BENCHMARK(sync_coupling)->Apply(shapes);
BENCHMARK(sync_bits_exponential)->Apply(shapes);
BENCHMARK(sync_float_exponential)->Apply(shapes);
BENCHMARK(async_sweep)->Apply(shapes)->Args({1000, 140});
BENCHMARK(async_sweep_bits)->Apply(shapes)->Args({1000, 140});
BENCHMARK(async_sweep_exponential)->Apply(shapes);
BENCHMARK(async_sweep_bits_exponential)->Apply(shapes);
