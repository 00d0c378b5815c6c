// Sizes known at compile time: fixed-size Eigen types and constexpr dimensions let the
// compiler propagate N and d into the kernels and drop their loops. That once produced a
// -Waggressive-loop-optimizations false positive from simd::scale at -O3 (fixed by writing
// the SIMD loops' bounds as n - n % width). These tests compile such code under the suite's
// warnings-as-errors builds and check its results against the double reference.
// Not covered: a constant d = 1 with a heap output of one float, where g++ 12 still gives
// its known -Warray-bounds false positive on the (unreachable) vector body of simd::axpy.

#include <catch2/catch.hpp>
#include <hopfield/hopfield.hpp>

#include "reference.hpp"

using hopfield::Index;

namespace {

// kernel::retrieve with N and d as constants, through pointers the compiler cannot see into,
// into a heap output of constant size: the shape of code that gave the warning.
template <Index N, Index d, class Map>
hopfield::Vector<float> retrieve_constant(const float* x, const float* q, float beta,
                                          const Map& map) {
    hopfield::Vector<float> out(d);
    hopfield::Workspace<float> ws;
    hopfield::kernel::retrieve(
        hopfield::PatternView<float>(x, N, d, hopfield::PatternView<float>::trusted), q, beta, map,
        out.data(), ws);
    return out;
}

// The same as a plain function returning one value, exactly as the warning was first seen
// (in a benchmark): the output vector never escapes, so GCC reasons about all of its uses.
constexpr Index plain_N = 100, plain_d = 256;
float retrieve_plain_first(const float* x, const float* q) {
    hopfield::Vector<float> out(plain_d);
    hopfield::Workspace<float> ws;
    hopfield::kernel::retrieve(
        hopfield::PatternView<float>(x, plain_N, plain_d, hopfield::PatternView<float>::trusted), q,
        1.0f, hopfield::Softmax{}, out.data(), ws);
    return out[0];
}

// One retrieval with constant sizes, for one map, against the double reference of that map
// (same scores, map applied in double, projection in double).
template <Index N, Index d, class Map>
void check_constant_sizes(const Map& map, ref::dvec (*map_ref)(const ref::dvec&), double beta) {
    const auto X = ref::random_gaussian<float>(N, d, std::uint64_t(N * 100 + d), 0.2);
    const hopfield::Vector<float> q = X.row(N / 2).transpose();
    const auto out = retrieve_constant<N, d>(X.data(), q.data(), float(beta), map);
    const auto rows = ref::to_rows(hopfield::PatternView<float>(X));
    const auto expected = ref::projection(
        rows, map_ref(ref::similarity(rows, ref::to_dvec(q), beta)), std::size_t(d));
    CHECK(ref::max_rel_diff(out, expected) < 2e-5 * double(d) * std::max(1.0, beta));
}

}  // namespace

TEST_CASE("retrieval with compile-time sizes equals the reference", "[kernel][fixed]") {
    for (const double beta : {0.5, 8.0}) {
        CAPTURE(beta);
        check_constant_sizes<100, 256>(hopfield::Softmax{}, ref::softmax, beta);
        check_constant_sizes<100, 256>(hopfield::Softmax1{}, ref::softmax1, beta);
        check_constant_sizes<100, 256>(hopfield::Sparsemax{}, ref::sparsemax, beta);
        check_constant_sizes<17, 17>(hopfield::Softmax{}, ref::softmax, beta);
        check_constant_sizes<17, 17>(hopfield::Softmax1{}, ref::softmax1, beta);
        check_constant_sizes<17, 17>(hopfield::Sparsemax{}, ref::sparsemax, beta);
    }
}

TEST_CASE("models on fixed-size Eigen patterns and queries equal them on dynamic ones",
          "[continuous][fixed]") {
    // The public API with Eigen's fixed-size types (no heap, sizes in the type) must give what
    // the same values give through dynamic-size matrices, for every continuous model.
    constexpr int N = 12, d = 16;
    using Patterns = Eigen::Matrix<float, N, d, Eigen::RowMajor>;
    const hopfield::RowMatrix<float> dynamic = ref::random_gaussian<float>(N, d, 21, 0.3);
    const Patterns fixed = dynamic;
    const hopfield::PatternMemory<float> from_fixed(fixed), from_dynamic(dynamic);
    const Eigen::Matrix<float, d, 1> q_fixed = fixed.row(3).transpose();
    const hopfield::Vector<float> q_dynamic = dynamic.row(3).transpose();
    ref::for_each_modern_model(4.0, [&](const auto& model) {
        CAPTURE(model.map().name);
        const hopfield::Vector<float> a = hopfield::step(model, from_fixed, q_fixed);
        const hopfield::Vector<float> b = hopfield::step(model, from_dynamic, q_dynamic);
        CHECK(a == b);
        CHECK(hopfield::energy(model, from_fixed, q_fixed) ==
              hopfield::energy(model, from_dynamic, q_dynamic));
    });
}

TEST_CASE("a retrieval whose output never escapes, sizes constant, equals the reference",
          "[kernel][fixed]") {
    const auto X = ref::random_gaussian<float>(plain_N, plain_d, 5, 0.2);
    const hopfield::Vector<float> q = X.row(7).transpose();
    const auto rows = ref::to_rows(hopfield::PatternView<float>(X));
    const auto expected = ref::projection(
        rows, ref::softmax(ref::similarity(rows, ref::to_dvec(q), 1.0)), std::size_t(plain_d));
    CHECK(double(retrieve_plain_first(X.data(), q.data())) ==
          Approx(expected[0]).margin(2e-5 * double(plain_d) * std::abs(expected[0]) + 1e-7));
}
