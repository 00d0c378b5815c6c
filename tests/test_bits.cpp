// Bit-packed binary storage: packing, XOR/popcount overlaps, the lane-per-neuron projection
// against scalar loops, and the binary models on BitPatternMemory against the float path.

#include <catch2/catch.hpp>
#include <hopfield/hopfield.hpp>

#include "reference.hpp"

using hopfield::Index;

namespace {
const std::vector<Index> awkward_dims{1, 15, 17, 63, 64, 65, 1000};
}

TEST_CASE("BitPatternMemory packs and unpacks +-1 patterns exactly", "[bits][memory]") {
    for (const Index d : awkward_dims) {
        CAPTURE(d);
        const auto X = ref::random_binary<float>(5, d, std::uint64_t(d));
        hopfield::BitPatternMemory bits(X);
        REQUIRE(bits.size() == 5);
        CHECK(bits.words() == (d + 63) / 64);
        for (Index mu = 0; mu < 5; ++mu) CHECK(bits.pattern<float>(mu) == X.row(mu).transpose());
        // the unchecked constructor (for callers that validated the values) packs the same words
        const hopfield::BitPatternMemory trusted(hopfield::PatternView<float>(X),
                                                 hopfield::PatternView<float>::trusted);
        CHECK(std::equal(bits.data(), bits.data() + 5 * bits.words(), trusted.data()));
        // padding bits stay zero, so XOR with a packed state never counts them
        if (d % 64 != 0)
            for (Index mu = 0; mu < 5; ++mu)
                CHECK((bits.row(mu)[bits.words() - 1] >> (d % 64)) == 0);
        bits.remove(1);
        bits.add(X.row(1).transpose());
        CHECK(bits.pattern<double>(4) == X.row(1).transpose().cast<double>());
        CHECK(bits.pattern<float>(1) == X.row(2).transpose());
    }
    CHECK_THROWS_WITH(hopfield::BitPatternMemory(0), Catch::Contains("'dim' = 0"));
    hopfield::RowMatrix<float> bad = hopfield::RowMatrix<float>::Ones(2, 3);
    bad(1, 1) = 0.5f;
    CHECK_THROWS_WITH(hopfield::BitPatternMemory(bad), Catch::Contains("'patterns' = 0.5"));
    hopfield::BitPatternMemory m(3);
    CHECK_THROWS_WITH(m.add(Eigen::Vector2f(1, 1)), Catch::Contains("pattern.size()' = 2"));
    CHECK_THROWS_WITH(m.add(Eigen::Vector3f(1, 0, 1)), Catch::Contains("'pattern' = 0"));
    CHECK_THROWS_WITH(m.remove(0), Catch::Contains("'mu' = 0"));
}

TEMPLATE_TEST_CASE("bit kernel overlaps and projection match scalar loops", "[bits][kernel]", float,
                   double) {
    using Scalar = TestType;
    hopfield::Workspace<Scalar> ws;
    for (const Index d : awkward_dims) {
        for (const Index N : {Index(1), Index(3), Index(37)}) {
            CAPTURE(d, N);
            const auto X = ref::random_binary<Scalar>(N, d, std::uint64_t(7 * d + N));
            const hopfield::BitPatternMemory bits(X);
            const hopfield::Vector<Scalar> s =
                ref::random_binary<Scalar>(1, d, 3).row(0).transpose();
            std::vector<std::uint64_t> packed(std::size_t(bits.words()));
            hopfield::BitPatternMemory::pack(s.data(), d, packed.data());
            hopfield::Vector<Scalar> m(N);
            hopfield::kernel::overlaps(bits, packed.data(), m.data());
            const hopfield::Vector<Scalar> w =
                ref::random_gaussian<Scalar>(1, N, 5).row(0).transpose();
            hopfield::Vector<Scalar> out(d);
            hopfield::kernel::projection(bits, w.data(), out.data(), ws);
            for (Index mu = 0; mu < N; ++mu) CHECK(m[mu] == X.row(mu).dot(s));
            for (Index i = 0; i < d; ++i) {
                double expect = 0;
                for (Index mu = 0; mu < N; ++mu) expect += double(w[mu]) * double(X(mu, i));
                CHECK(double(out[i]) ==
                      Approx(expect).margin(std::is_same_v<Scalar, float> ? 1e-5 * double(N)
                                                                          : 1e-12));
            }
            // the same on plain SSE2 lanes (4 floats / 2 doubles per batch)
            std::vector<Scalar> acc(std::size_t(64 * bits.words()), Scalar(0)), acc2 = acc;
            hopfield::simd::masked_accumulate(bits.data(), std::size_t(N),
                                              std::size_t(bits.words()), w.data(), acc.data());
            hopfield::simd::masked_accumulate<xsimd::sse2>(
                bits.data(), std::size_t(N), std::size_t(bits.words()), w.data(), acc2.data());
            for (std::size_t k = 0; k < acc.size(); ++k)
                CHECK(double(acc[k]) == Approx(double(acc2[k])).margin(1e-5));
        }
    }
}

TEMPLATE_TEST_CASE("binary models on bit-packed patterns give the float path's results",
                   "[bits][binary]", float, double) {
    using Scalar = TestType;
    for (const Index d : awkward_dims) {
        for (const Index N : {Index(1), Index(3), Index(37)}) {
            CAPTURE(d, N);
            const auto X = ref::random_binary<Scalar>(N, d, std::uint64_t(d + 100 * N));
            const hopfield::BitPatternMemory bits(X);
            const hopfield::Vector<Scalar> s =
                ref::random_binary<Scalar>(1, d, 9).row(0).transpose();
            // classical: integer-valued sums, identical fields and states
            const hopfield::ClassicalHebbian classical;
            CHECK(hopfield::fields(classical, bits, s) == hopfield::fields(classical, X, s));
            CHECK(hopfield::step(classical, bits, s) == hopfield::step(classical, X, s));
            CHECK(hopfield::energy(classical, bits, s) == hopfield::energy(classical, X, s));
            const auto a =
                hopfield::run_asynchronous(classical, bits, s, {.max_sweeps = 20, .seed = 3});
            const auto b =
                hopfield::run_asynchronous(classical, X, s, {.max_sweeps = 20, .seed = 3});
            CHECK(a.state == b.state);
            CHECK(a.steps == b.steps);
            const auto sa = hopfield::run_synchronous(classical, bits, s);
            const auto sb = hopfield::run_synchronous(classical, X, s);
            CHECK(sa.state == sb.state);
            CHECK(sa.period == sb.period);
            const auto ga = hopfield::run_glauber(classical, bits, s,
                                                  {.temperature = 0.5, .sweeps = 3, .seed = 4});
            const auto gb = hopfield::run_glauber(classical, X, s,
                                                  {.temperature = 0.5, .sweeps = 3, .seed = 4});
            CHECK(ga.state == gb.state);
            // Every other model: the linear form where it is exact, else the agreement form,
            // which both storages sum pattern by pattern in the same order: identical fields,
            // hence identical dynamics, whatever the rounding.
            const auto same = [&](const auto& model) {
                CHECK(hopfield::fields(model, bits, s) == hopfield::fields(model, X, s));
                CHECK(hopfield::step(model, bits, s) == hopfield::step(model, X, s));
                const auto ra = hopfield::run_synchronous(model, bits, s, {.max_steps = 5});
                const auto rb = hopfield::run_synchronous(model, X, s, {.max_steps = 5});
                CHECK(ra.state == rb.state);
                const auto aa =
                    hopfield::run_asynchronous(model, bits, s, {.max_sweeps = 3, .seed = 5});
                const auto ab =
                    hopfield::run_asynchronous(model, X, s, {.max_sweeps = 3, .seed = 5});
                CHECK(aa.state == ab.state);
            };
            same(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}));
            same(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{40}));
            same(hopfield::DenseModel<hopfield::RectifiedPolynomial>(
                hopfield::RectifiedPolynomial{4}));
            same(hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{0.7}));
            same(hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{60.0}));
        }
    }
    const hopfield::BitPatternMemory empty(4);
    CHECK_THROWS_WITH(hopfield::step(hopfield::ClassicalHebbian{}, empty, Eigen::Vector4f::Ones()),
                      Catch::Contains("memory.size()"));
}

TEMPLATE_TEST_CASE("agreement projection matches scalar loops, float and bit-packed alike",
                   "[bits][kernel]", float, double) {
    // out_i = sum_mu (x_mu,i == sigma_i ? agree_mu : disagree_mu), summed in double by hand.
    using Scalar = TestType;
    hopfield::Workspace<Scalar> ws;
    for (const Index d : awkward_dims) {
        for (const Index N : {Index(1), Index(3), Index(37)}) {
            CAPTURE(d, N);
            const auto X = ref::random_binary<Scalar>(N, d, std::uint64_t(11 * d + N));
            const hopfield::BitPatternMemory bits(X);
            const hopfield::Vector<Scalar> s =
                ref::random_binary<Scalar>(1, d, 13).row(0).transpose();
            hopfield::Vector<Scalar> agree =
                ref::random_gaussian<Scalar>(1, N, 6).row(0).transpose();
            const hopfield::Vector<Scalar> disagree =
                ref::random_gaussian<Scalar>(1, N, 7).row(0).transpose();
            if (N > 2) agree[1] = Scalar(0);  // a row with one zero weight is still projected
            std::vector<std::uint64_t> packed(std::size_t(bits.words()));
            hopfield::BitPatternMemory::pack(s.data(), d, packed.data());
            hopfield::Vector<Scalar> out_float(d), out_bits(d);
            hopfield::kernel::agreement_projection(hopfield::PatternView<Scalar>(X), s.data(),
                                                   agree.data(), disagree.data(), out_float.data());
            hopfield::kernel::agreement_projection(bits, packed.data(), agree.data(),
                                                   disagree.data(), out_bits.data(), ws);
            CHECK(out_bits == out_float);  // same order of summation
            for (Index i = 0; i < d; ++i) {
                double expect = 0, magnitude = 0;
                for (Index mu = 0; mu < N; ++mu) {
                    const double v = X(mu, i) == s[i] ? double(agree[mu]) : double(disagree[mu]);
                    expect += v;
                    magnitude += std::abs(v);
                }
                const double eps = std::is_same_v<Scalar, float> ? 1e-6 : 1e-15;
                CHECK(std::abs(double(out_float[i]) - expect) <= eps * magnitude * double(N));
            }
            // the per-neuron twin (asynchronous dynamics): sum over one column of the patterns
            for (const Index i : {Index(0), d - 1}) {
                const hopfield::Vector<Scalar> column = X.col(i);
                const double sum = double(hopfield::simd::select_sum(
                    column.data(), s[i], agree.data(), disagree.data(), std::size_t(N)));
                const double sse2 = double(hopfield::simd::select_sum<xsimd::sse2>(
                    column.data(), s[i], agree.data(), disagree.data(), std::size_t(N)));
                CHECK(sum == Approx(double(out_float[i])).epsilon(1e-5).margin(1e-5));
                CHECK(sse2 == Approx(sum).epsilon(1e-5).margin(1e-5));
            }
            // the plain SSE2 lanes (4 floats / 2 doubles per batch) give the same numbers:
            // the lanes are neurons, so the order of summation is the same
            std::vector<Scalar> acc(std::size_t(64 * bits.words()), Scalar(0)), acc2 = acc;
            hopfield::simd::masked_select_accumulate(bits.data(), std::size_t(N),
                                                     std::size_t(bits.words()), packed.data(),
                                                     agree.data(), disagree.data(), acc.data());
            hopfield::simd::masked_select_accumulate<xsimd::sse2>(
                bits.data(), std::size_t(N), std::size_t(bits.words()), packed.data(), agree.data(),
                disagree.data(), acc2.data());
            for (Index i = 0; i < d; ++i) CHECK(acc[std::size_t(i)] == acc2[std::size_t(i)]);
            hopfield::Vector<Scalar> out_sse2(d);
            hopfield::kernel::agreement_projection<xsimd::sse2>(hopfield::PatternView<Scalar>(X),
                                                                s.data(), agree.data(),
                                                                disagree.data(), out_sse2.data());
            CHECK(out_sse2 == out_float);
        }
    }
    // Infinite weights never produce NaN: they are selected, not multiplied.
    hopfield::RowMatrix<Scalar> X(2, 3);
    X << 1, -1, 1, 1, 1, -1;
    const hopfield::Vector<Scalar> s = hopfield::Vector<Scalar>::Ones(3);
    const Scalar inf = std::numeric_limits<Scalar>::infinity();
    const Scalar agree[2] = {1, 0}, disagree[2] = {-inf, -2};
    hopfield::Vector<Scalar> out(3);
    hopfield::kernel::agreement_projection(hopfield::PatternView<Scalar>(X), s.data(), agree,
                                           disagree, out.data());
    CHECK(out[0] == 1);     // agrees with both: 1 + 0
    CHECK(out[1] == -inf);  // disagrees with pattern 0
    CHECK(out[2] == -1);    // 1 - 2
}

TEMPLATE_TEST_CASE(
    "packed twins of dot, select_sum and axpy are bitwise identical to the float ones",
    "[bits][kernel]", float, double) {
    // The asynchronous tracker of a BitPatternMemory reads its bit-packed transposed copy with
    // signed_dot / signed_select_sum / signed_axpy; they must give exactly the float path's
    // sums (same accumulators, same order), at lengths around the SIMD width and the word.
    using Scalar = TestType;
    for (const Index n : {Index(1), Index(3), Index(15), Index(16), Index(17), Index(63), Index(64),
                          Index(65), Index(200), Index(1000)}) {
        CAPTURE(n);
        const auto x = ref::random_binary<Scalar>(1, n, std::uint64_t(n) + 21);
        std::vector<std::uint64_t> packed(std::size_t((n + 63) / 64));
        hopfield::BitPatternMemory::pack(x.data(), n, packed.data());
        const auto b = ref::random_gaussian<Scalar>(1, n, 22);
        const auto c = ref::random_gaussian<Scalar>(1, n, 23);
        const auto un = std::size_t(n);
        CHECK(hopfield::simd::signed_dot(packed.data(), b.data(), un) ==
              hopfield::simd::dot(x.data(), b.data(), un));
        CHECK(hopfield::simd::signed_dot<xsimd::sse2>(packed.data(), b.data(), un) ==
              hopfield::simd::dot<xsimd::sse2>(x.data(), b.data(), un));
        for (const Scalar s : {Scalar(1), Scalar(-1)}) {
            CHECK(hopfield::simd::signed_select_sum(packed.data(), s > 0, b.data(), c.data(), un) ==
                  hopfield::simd::select_sum(x.data(), s, b.data(), c.data(), un));
            CHECK(hopfield::simd::signed_select_sum<xsimd::sse2>(packed.data(), s > 0, b.data(),
                                                                 c.data(), un) ==
                  hopfield::simd::select_sum<xsimd::sse2>(x.data(), s, b.data(), c.data(), un));
        }
        hopfield::RowMatrix<Scalar> y1 = c, y2 = c, y3 = c, y4 = c;
        hopfield::simd::signed_axpy(Scalar(0.75), packed.data(), y1.data(), un);
        hopfield::simd::axpy(Scalar(0.75), x.data(), y2.data(), un);
        hopfield::simd::signed_axpy<xsimd::sse2>(Scalar(0.75), packed.data(), y3.data(), un);
        hopfield::simd::axpy<xsimd::sse2>(Scalar(0.75), x.data(), y4.data(), un);
        CHECK(y1 == y2);
        CHECK(y3 == y4);
        // and against a double loop, so that "identical" is not two equal mistakes
        double dot = 0;
        for (Index k = 0; k < n; ++k) dot += double(x(0, k)) * double(b(0, k));
        const double eps = std::is_same_v<Scalar, float> ? 1e-5 : 1e-13;
        CHECK(double(hopfield::simd::signed_dot(packed.data(), b.data(), un)) ==
              Approx(dot).margin(eps * double(n)));
        for (Index k = 0; k < n; ++k)
            CHECK(double(y1(0, k)) == Approx(double(c(0, k)) + 0.75 * double(x(0, k))).margin(eps));
    }
}

TEMPLATE_TEST_CASE("asynchronous runs over more than one word of patterns match across storages",
                   "[bits][binary]", float, double) {
    // N = 130 patterns: the bit-packed tracker's columns span three words, the last partial.
    using Scalar = TestType;
    const Index N = 130, d = 70;
    const auto X = ref::random_binary<Scalar>(N, d, 77);
    const hopfield::BitPatternMemory bits(X);
    const hopfield::Vector<Scalar> s = ref::random_binary<Scalar>(1, d, 78).row(0).transpose();
    const auto same = [&](const auto& model) {
        const auto a = hopfield::run_asynchronous(model, bits, s, {.max_sweeps = 4, .seed = 9});
        const auto b = hopfield::run_asynchronous(model, X, s, {.max_sweeps = 4, .seed = 9});
        CHECK(a.state == b.state);
        CHECK(a.steps == b.steps);
        CHECK(a.energy == b.energy);
    };
    same(hopfield::ClassicalHebbian{});
    same(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}));
    same(hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{0.7}));
}

TEST_CASE("BitPatternMemory::transposed swaps patterns and neurons", "[bits][memory]") {
    // Against an element-by-element transpose, at sizes inside one 64 x 64 block, on its
    // edges and across several blocks.
    for (const Index N : {Index(1), Index(3), Index(63), Index(64), Index(65), Index(130)}) {
        for (const Index d : {Index(1), Index(17), Index(64), Index(100), Index(129)}) {
            CAPTURE(N, d);
            const auto X = ref::random_binary<float>(N, d, std::uint64_t(N * 1000 + d));
            const hopfield::BitPatternMemory bits(X);
            const auto t = bits.transposed();
            REQUIRE(t.size() == d);
            REQUIRE(t.dim() == N);
            const hopfield::RowMatrix<float> XT = X.transpose();
            CHECK(hopfield::BitPatternMemory(XT).transposed().pattern(0) == X.row(0).transpose());
            bool same = true;
            for (Index i = 0; i < d; ++i) same = same && t.pattern(i) == XT.row(i).transpose();
            CHECK(same);
            // padding bits past N stay 0 (the popcount kernels rely on it)
            if (N % 64 != 0)
                for (Index i = 0; i < d; ++i) CHECK((t.row(i)[t.words() - 1] >> (N % 64)) == 0);
        }
    }
    CHECK_THROWS_WITH(hopfield::BitPatternMemory(5).transposed(),
                      "BitPatternMemory::transposed: argument 'size()' = 0: must be > 0");
}
