// The inner loop of capacity sweeps (hopfield-capacity), so that its speed is tracked:
//
//   BM_AsyncSweep        one full asynchronous zero-temperature sweep of the classical network
//                        from a stored pattern (run_asynchronous with max_sweeps = 1): O(N d),
//                        including the per-run set-up (checks, transposed copy of the patterns)
//   BM_AsyncSweepFromCue the same from a 10%-flipped cue (d/10 flips, each O(N))
//   BM_Fields            one field evaluation h = J sigma through the kernel (the O(N d) floor)
//   BM_GeneratePatterns  drawing N unbiased +-1 patterns into a reused buffer
//   BM_Trial             one whole trial of the d = 1000 curve: patterns, async run to a fixed
//                        point, scoring (capacity::retrieve)
//
// Arguments are {d, N}; the classical curve runs at d = 1000, N = 50..200 (N = 140 ~ alpha_c).
// items_per_second counts neurons updated (d per sweep).

#include <benchmark/benchmark.h>
#include <hopfield/capacity/corruption.hpp>
#include <hopfield/capacity/generators.hpp>
#include <hopfield/capacity/random.hpp>
#include <hopfield/capacity/trial.hpp>
#include <hopfield/hopfield.hpp>

namespace {

namespace cap = hopfield::capacity;
using hopfield::Index;

void sizes(benchmark::internal::Benchmark* b) {
    b->Args({1000, 140})
        ->Args({250, 35})
        ->Args({500, 70})
        ->Args({2000, 280})
        ->Args({1000, 70})
        ->Args({1000, 200});
}

void BM_AsyncSweep(benchmark::State& state) {
    const Index d = state.range(0), n = state.range(1);
    cap::Random rng(1);
    const hopfield::PatternMemory<float> memory(cap::unbiased_patterns<float>(n, d, rng));
    const Eigen::VectorXf start = memory.pattern(0).transpose();
    const hopfield::ClassicalHebbian model;
    std::uint64_t seed = 1;
    for (auto _ : state) {
        auto r =
            hopfield::run_asynchronous(model, memory, start, {.max_sweeps = 1, .seed = seed++});
        benchmark::DoNotOptimize(r.state.data());
    }
    state.SetItemsProcessed(state.iterations() * d);
}
BENCHMARK(BM_AsyncSweep)->Apply(sizes);

void BM_AsyncSweepFromCue(benchmark::State& state) {
    const Index d = state.range(0), n = state.range(1);
    cap::Random rng(2);
    const hopfield::PatternMemory<float> memory(cap::unbiased_patterns<float>(n, d, rng));
    const Eigen::VectorXf start = cap::flip_fraction(memory.pattern(0).transpose(), 0.1, rng);
    const hopfield::ClassicalHebbian model;
    std::uint64_t seed = 1;
    for (auto _ : state) {
        auto r =
            hopfield::run_asynchronous(model, memory, start, {.max_sweeps = 1, .seed = seed++});
        benchmark::DoNotOptimize(r.state.data());
    }
    state.SetItemsProcessed(state.iterations() * d);
}
BENCHMARK(BM_AsyncSweepFromCue)->Args({1000, 140});

void BM_Fields(benchmark::State& state) {
    const Index d = state.range(0), n = state.range(1);
    cap::Random rng(3);
    const auto X = cap::unbiased_patterns<float>(n, d, rng);
    const hopfield::PatternView<float> view(X);
    hopfield::Vector<float> h(d);
    auto& ws = hopfield::thread_workspace<float>();
    const hopfield::ClassicalHebbian model;
    for (auto _ : state) {
        benchmark::DoNotOptimize(model.fields(view, X.row(0).data(), h.data(), ws));
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * d);
}
BENCHMARK(BM_Fields)->Args({1000, 140});

void BM_GeneratePatterns(benchmark::State& state) {
    const Index d = state.range(0), n = state.range(1);
    cap::Random rng(4);
    hopfield::RowMatrix<float> buffer;
    for (auto _ : state) {
        cap::unbiased_patterns(buffer, n, d, rng);
        benchmark::DoNotOptimize(buffer.data());
    }
    state.SetItemsProcessed(state.iterations() * n * d);
}
BENCHMARK(BM_GeneratePatterns)->Args({1000, 140});

void BM_Trial(benchmark::State& state) {
    const Index d = state.range(0), n = state.range(1);
    const hopfield::ClassicalHebbian model;
    const cap::RetrievalSpec spec;  // async from the stored pattern, overlap >= 0.97
    hopfield::RowMatrix<float> buffer;
    std::uint64_t trial = 0;
    double sweeps = 0;
    for (auto _ : state) {
        cap::Random rng(cap::trial_seed(1, 0, trial++));
        cap::unbiased_patterns(buffer, n, d, rng);
        const hopfield::PatternView<float> X(buffer.data(), n, d,
                                             hopfield::PatternView<float>::trusted);
        const auto outcome = cap::retrieve(model, X, 0, spec, rng);
        sweeps += outcome.steps;
        benchmark::DoNotOptimize(outcome.overlap);
    }
    state.counters["sweeps"] = benchmark::Counter(sweeps / double(state.iterations()));
}
BENCHMARK(BM_Trial)->Args({1000, 140})->Args({1000, 70})->Args({1000, 200});

}  // namespace
