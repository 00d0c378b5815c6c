// Forward pass of the Hopfield layers (Google Benchmark). The headline case is the issue's:
// B = 32 sequences, L = S = 128 patterns, 4 heads, d = 256 (head_dim 64), self-association with
// the reference's defaults (three LayerNorms, q/k/v projections, softmax, one association,
// output projection), float. bench/layers_vs_torch.py runs the same forward in PyTorch and
// this benchmark in one go and prints the ratio.
//
//     bench_layers --benchmark_filter='hopfield_forward/float/softmax$'

#include <benchmark/benchmark.h>
#include <cmath>
#include <hopfield/layers/layers.hpp>
#include <hopfield/separation/sparsemax.hpp>
#include <random>
#include <string>

namespace layers = hopfield::layers;
using hopfield::Index;

namespace {

constexpr Index batch = 32, length = 128, heads = 4, dim = 256;

// Non-trivial weights (norms near identity, projections of gain 1.6): the attention is not
// uniform, so sparse maps have realistic supports.
template <class Layer>
void randomize(Layer& layer, std::uint64_t seed) {
    using Scalar = typename Layer::scalar_type;
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0.0, 1.0);
    layer.visit_parameters(
        [&](const std::string& key, const std::vector<Index>& shape, Scalar* data) {
            std::size_t count = 1;
            for (const Index d : shape) count *= std::size_t(d);
            for (std::size_t i = 0; i < count; ++i) {
                const double v = n(rng);
                if (shape.size() == 2)
                    data[i] = Scalar(1.6 * v / std::sqrt(double(shape[1])));
                else if (key.find("weight") != std::string::npos)
                    data[i] = Scalar(1.0 + 0.3 * v);
                else
                    data[i] = Scalar(0.3 * v);
            }
        });
}

template <class Scalar>
layers::Tensor<Scalar> random_input(std::vector<Index> shape, std::uint64_t seed) {
    layers::Tensor<Scalar> t(std::move(shape));
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0.0, 1.0);
    for (Index i = 0; i < t.size(); ++i) t.data()[i] = Scalar(n(rng));
    return t;
}

// Times layer(x) on a random (batch, length, dim) input after one warm-up call (the
// per-thread scratch grows once); `rate` counts sequences (bags) per second.
template <class Scalar, class Layer>
void time_forward(benchmark::State& state, Layer& layer, const char* rate) {
    const auto x = random_input<Scalar>({batch, length, dim}, 2);
    benchmark::DoNotOptimize(layer(x).data());
    for (auto _ : state) {
        auto out = layer(x);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters[rate] =
        benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

template <class Scalar, class Map>
void hopfield_forward(benchmark::State& state, std::optional<int> update_steps_max) {
    layers::HopfieldOptions o;
    o.input_size = dim;
    o.num_heads = heads;
    o.update_steps_max = update_steps_max;
    o.update_steps_eps = 0;  // with steps: exactly update_steps_max updates
    layers::Hopfield<Scalar, Map> layer(o);
    randomize(layer, 1);
    time_forward<Scalar>(state, layer, "sequences/s");
}

template <class Scalar>
void pooling_forward(benchmark::State& state) {
    layers::HopfieldOptions o;
    o.input_size = dim;
    o.num_heads = heads;
    layers::HopfieldPooling<Scalar> layer(o, {.quantity = 4});
    randomize(layer, 1);
    time_forward<Scalar>(state, layer, "bags/s");
}

}  // namespace

// Registered at start-up (template arguments do not go through the BENCHMARK_* macros).
[[maybe_unused]] static const bool registered = [] {
    auto add = [](const char* name, auto fn) {
        benchmark::RegisterBenchmark(name, fn)->Unit(benchmark::kMillisecond)->UseRealTime();
    };
    add("hopfield_forward/float/softmax",
        [](benchmark::State& s) { hopfield_forward<float, hopfield::Softmax>(s, 0); });
    add("hopfield_forward/double/softmax",
        [](benchmark::State& s) { hopfield_forward<double, hopfield::Softmax>(s, 0); });
    add("hopfield_forward/float/sparsemax",
        [](benchmark::State& s) { hopfield_forward<float, hopfield::Sparsemax>(s, 0); });
    add("hopfield_forward/float/softmax/update_steps_3",
        [](benchmark::State& s) { hopfield_forward<float, hopfield::Softmax>(s, 3); });
    add("pooling_forward/float/quantity_4", [](benchmark::State& s) { pooling_forward<float>(s); });
    return true;
}();
