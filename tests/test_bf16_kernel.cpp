// The bfloat16 storage path of the retrieval kernel: its SIMD primitives against double loops,
// retrieval over a Bf16PatternMemory against the double reference on the decoded patterns
// (the values it computes with), the stated error bound against the unrounded float
// patterns, and the continuous dynamics on a Bf16PatternMemory against a float memory.

#include <catch2/catch.hpp>
#include <hopfield/hopfield.hpp>

#include "reference.hpp"

using hopfield::Index;

namespace {

// The words of one bfloat16 row of the given values, in the documented layout.
std::vector<std::uint32_t> pack_row(const std::vector<float>& x) {
    std::vector<std::uint32_t> w((x.size() + 1) / 2, 0u);
    for (std::size_t i = 0; i < x.size(); ++i)
        w[i / 2] |= std::uint32_t(hopfield::bf16_round(x[i])) << (i % 2 == 0 ? 0 : 16);
    return w;
}

double decoded(const std::vector<float>& x, std::size_t i) {
    return double(hopfield::bf16_to_float(hopfield::bf16_round(x[i])));
}

}  // namespace

TEST_CASE("bfloat16 primitives match double loops at awkward sizes", "[bf16][kernel]") {
    for (const std::size_t d : {1, 2, 3, 15, 16, 17, 31, 33, 64, 999, 1000}) {
        CAPTURE(d);
        const auto x = ref::random_vector<float>(d, d), q = ref::random_vector<float>(d, d + 1);
        const auto row = pack_row(x);
        const std::size_t words = row.size();
        std::vector<float> qs(2 * words);
        hopfield::simd::split(q.data(), d, qs.data(), qs.data() + words);
        std::vector<float> back(d);
        hopfield::simd::merge(qs.data(), qs.data() + words, d, back.data());
        CHECK(back == q);
        std::vector<float> dec(d);
        hopfield::simd::decode_bf16(row.data(), d, dec.data());
        for (std::size_t i = 0; i < d; ++i) CHECK(double(dec[i]) == decoded(x, i));
        if (d % 2 == 1) CHECK(qs[2 * words - 1] == 0.0f);  // the odd half of the padding word

        double expect = 0;
        for (std::size_t i = 0; i < d; ++i) expect += decoded(x, i) * double(q[i]);
        const double tol = 2e-6 * double(d);
        CHECK(double(hopfield::simd::dot_bf16(row.data(), qs.data(), qs.data() + words, words)) ==
              Approx(expect).margin(tol));
        CHECK(double(hopfield::simd::dot_bf16<xsimd::sse2>(row.data(), qs.data(), qs.data() + words,
                                                           words)) == Approx(expect).margin(tol));

        std::vector<float> ys(2 * words, 0.5f), ys2(2 * words, 0.5f);
        hopfield::simd::axpy_bf16(-0.75f, row.data(), ys.data(), ys.data() + words, words);
        hopfield::simd::axpy_bf16<xsimd::sse2>(-0.75f, row.data(), ys2.data(), ys2.data() + words,
                                               words);
        std::vector<float> y(d), y2(d);
        hopfield::simd::merge(ys.data(), ys.data() + words, d, y.data());
        hopfield::simd::merge(ys2.data(), ys2.data() + words, d, y2.data());
        for (std::size_t i = 0; i < d; ++i) {
            const double e = 0.5 - 0.75 * decoded(x, i);
            CHECK(double(y[i]) == Approx(e).margin(1e-6));
            CHECK(double(y2[i]) == Approx(e).margin(1e-6));
        }
    }
}

TEST_CASE("retrieval over a Bf16PatternMemory equals the reference on its decoded patterns",
          "[bf16][kernel]") {
    // The bfloat16 path computes in float with the rounded patterns, so the double reference
    // on decoded() is its exact answer. N spans several streaming blocks; with `growing`,
    // later patterns score higher and every block rescales the accumulator.
    hopfield::Workspace<float> ws;
    for (const Index d : {Index(1), Index(2), Index(17), Index(256), Index(1001)}) {
        const Index block =
            hopfield::kernel::streaming_block_rows(hopfield::Bf16View(nullptr, 0, d));
        for (const Index N : {Index(1), Index(15), Index(17), block + 1, 3 * block + 5}) {
            for (const bool growing : {false, true}) {
                CAPTURE(d, N, growing);
                auto X = ref::random_gaussian<float>(N, d, std::uint64_t(N + 3 * d), 0.3);
                if (growing)
                    for (Index mu = 0; mu < N; ++mu) X.row(mu) *= float(1 + double(mu) / double(N));
                const hopfield::Bf16PatternMemory M(X);
                const hopfield::RowMatrix<float> Xr = M.decoded();
                const auto rows = ref::to_rows(hopfield::PatternView<float>(Xr));
                const hopfield::Vector<float> q =
                    growing ? hopfield::Vector<float>(Xr.row(N - 1).transpose())
                            : hopfield::Vector<float>(
                                  ref::random_gaussian<float>(1, d, 5).row(0).transpose());
                for (const double beta : {0.5, 50.0}) {
                    CAPTURE(beta);
                    const auto s = ref::similarity(rows, ref::to_dvec(q), beta);
                    const double t = 2e-5 * double(d) * std::max(1.0, beta);
                    hopfield::Vector<float> out(d);
                    hopfield::kernel::retrieve(M.view(), q.data(), float(beta), hopfield::Softmax{},
                                               out.data(), ws);
                    CHECK(ref::max_rel_diff(
                              out, ref::projection(rows, ref::softmax(s), std::size_t(d))) < t);
                    hopfield::kernel::retrieve<xsimd::sse2>(M.view(), q.data(), float(beta),
                                                            hopfield::Softmax1{}, out.data(), ws);
                    CHECK(ref::max_rel_diff(
                              out, ref::projection(rows, ref::softmax1(s), std::size_t(d))) < t);
                    hopfield::kernel::retrieve(M.view(), q.data(), float(beta),
                                               hopfield::Sparsemax{}, out.data(), ws);
                    CHECK(ref::max_rel_diff(out, ref::projection(rows, ref::sparsemax(s),
                                                                 std::size_t(d))) < 10 * t);
                }
            }
        }
    }
}

TEST_CASE("bfloat16 streaming above the prefetch threshold equals the reference",
          "[bf16][kernel]") {
    // 32800 rows of 256 bfloat16 values (16.8 MB) take the hinted score pass; the hints must
    // not change the scores, so the result is the reference on the decoded patterns.
    const Index N = 32800, d = 256;
    REQUIRE(std::size_t(N * d) * 2 > hopfield::kernel::stream_prefetch_min_bytes);
    const hopfield::Bf16PatternMemory M(ref::random_gaussian<float>(N, d, 13, 0.1));
    const hopfield::RowMatrix<float> Xr = M.decoded();
    const auto rows = ref::to_rows(hopfield::PatternView<float>(Xr));
    const hopfield::Vector<float> q = Xr.row(N / 3).transpose();
    hopfield::Workspace<float> ws;
    hopfield::Vector<float> out(d), plain_scores(N), hinted_scores(N);
    const auto s = ref::similarity(rows, ref::to_dvec(q), 4.0);
    hopfield::kernel::retrieve(M.view(), q.data(), 4.0f, hopfield::Softmax{}, out.data(), ws);
    CHECK(ref::max_rel_diff(out, ref::projection(rows, ref::softmax(s), std::size_t(d))) <
          2e-5 * double(d) * 4.0);
    const float* q_split = hopfield::kernel::detail::stage_query(M.view(), q.data(), ws);
    hopfield::kernel::similarity(M.view(), q_split, 4.0f, plain_scores.data());
    hopfield::kernel::similarity(M.view(), q_split, 4.0f, hinted_scores.data(),
                                 hopfield::kernel::stream_prefetch_bytes);
    CHECK(hinted_scores == plain_scores);
}

TEST_CASE("batched retrieval over a Bf16PatternMemory equals the reference per query",
          "[bf16][kernel]") {
    // B >= gemm_min_batch takes the blocked path: blocks decoded to float, then the GEMMs.
    // N around and across batch_block_patterns; odd d; softmax and softmax_1.
    const Index block = hopfield::kernel::batch_block_patterns;
    hopfield::Workspace<float> ws;
    for (const Index d : {Index(1), Index(17), Index(64)}) {
        for (const Index N : {Index(15), block, block + 1, 2 * block + 7}) {
            for (const Index B : {Index(16), Index(37)}) {
                CAPTURE(d, N, B);
                auto X = ref::random_gaussian<float>(N, d, std::uint64_t(N + d), 0.5);
                for (Index mu = 0; mu < N; ++mu)  // later patterns score higher: rescaling
                    X.row(mu) *= float(1 + double(mu) / double(N));
                const hopfield::Bf16PatternMemory M(X);
                const hopfield::RowMatrix<float> Xr = M.decoded();
                const auto rows = ref::to_rows(hopfield::PatternView<float>(Xr));
                const auto Q = ref::random_gaussian<float>(B, d, 3, 0.5);
                hopfield::RowMatrix<float> out(B, d), out1(B, d);
                hopfield::kernel::retrieve_batch(M.view(), Q, 4.0f, hopfield::Softmax{}, out, ws);
                hopfield::kernel::retrieve_batch(M.view(), Q, 4.0f, hopfield::Softmax1{}, out1, ws);
                const double t = 2e-5 * double(d) * 4;
                for (Index b = 0; b < B; ++b) {
                    const auto s = ref::similarity(rows, ref::to_dvec(Q.row(b)), 4.0);
                    CHECK(ref::max_rel_diff(out.row(b), ref::projection(rows, ref::softmax(s),
                                                                        std::size_t(d))) < t);
                    CHECK(ref::max_rel_diff(out1.row(b), ref::projection(rows, ref::softmax1(s),
                                                                         std::size_t(d))) < t);
                }
            }
        }
    }
}

TEST_CASE("bfloat16 retrieval stays within the stated bound of the unrounded patterns",
          "[bf16][kernel]") {
    // README "Reduced precision": with u = 2^-8 (the relative rounding of each stored value)
    // and delta = beta u max_mu sum_i |x_mu,i q_i| (the largest score change), a softmax-family
    // retrieval moves by at most (u + exp(2 delta) - 1) max|x| per output value. Checked
    // against the double reference on the unrounded patterns, plus float round-off.
    const double u = std::ldexp(1.0, -8);
    hopfield::Workspace<float> ws;
    for (const Index d : {Index(16), Index(255), Index(1000)}) {
        for (const Index N : {Index(17), Index(2000)}) {
            for (const double beta : {0.1, 1.0, 8.0}) {
                CAPTURE(d, N, beta);
                const auto X = ref::random_gaussian<float>(N, d, std::uint64_t(7 * N + d), 1.0);
                const auto Q = ref::random_gaussian<float>(1, d, 11, 1.0 / std::sqrt(double(d)));
                const hopfield::Vector<float> q = Q.row(0).transpose();
                const auto rows = ref::to_rows(hopfield::PatternView<float>(X));
                double max_abs = 0, max_l1 = 0;
                for (const auto& x : rows) {
                    double l1 = 0;
                    for (Index i = 0; i < d; ++i) {
                        l1 += std::abs(x[std::size_t(i)] * double(q[i]));
                        max_abs = std::max(max_abs, std::abs(x[std::size_t(i)]));
                    }
                    max_l1 = std::max(max_l1, l1);
                }
                const double bound = (u + std::expm1(2 * beta * u * max_l1)) * max_abs;
                const auto s = ref::similarity(rows, ref::to_dvec(q), beta);
                const hopfield::Bf16PatternMemory M(X);
                hopfield::Vector<float> out(d);
                for (const bool one : {false, true}) {
                    CAPTURE(one);
                    if (one)
                        hopfield::kernel::retrieve(M.view(), q.data(), float(beta),
                                                   hopfield::Softmax1{}, out.data(), ws);
                    else
                        hopfield::kernel::retrieve(M.view(), q.data(), float(beta),
                                                   hopfield::Softmax{}, out.data(), ws);
                    const auto exact = ref::projection(
                        rows, one ? ref::softmax1(s) : ref::softmax(s), std::size_t(d));
                    double worst = 0;
                    for (Index i = 0; i < d; ++i)
                        worst = std::max(worst, std::abs(double(out[i]) - exact[std::size_t(i)]));
                    CHECK(worst <= bound + 1e-5 * max_abs);
                    // ...and rounding does move the result: the bound is not vacuous here.
                    CHECK(worst > 0);
                }
            }
        }
    }
}

TEST_CASE("the bfloat16 error bound is attained: a tie rounds by exactly u", "[bf16][kernel]") {
    // 1 + 2^-8 lies halfway between the bfloat16 values 1 and 1 + 2^-7 and rounds to the even
    // one, 1. With q = 0 every score is 0, so delta = 0 and the bound is u max|x| = 2^-8 (1 +
    // 2^-8).
    const float x = 1.0f + std::ldexp(1.0f, -8);
    hopfield::RowMatrix<float> X(1, 2);
    X << x, -x;
    const hopfield::Bf16PatternMemory M(X);
    const auto out =
        hopfield::step(hopfield::LogSumExpHopfield(1.0), M, hopfield::Vector<float>::Zero(2));
    CHECK(out[0] == 1.0f);
    CHECK(out[1] == -1.0f);
    const double err = double(x) - 1.0, bound = std::ldexp(1.0, -8) * double(x);
    CHECK(err <= bound);
    CHECK(err > 0.99 * bound);
}

TEST_CASE("Bf16PatternMemory rows start on cache lines", "[bf16][memory]") {
    // A 16-byte aligned start made every 64-byte load straddle two lines (half the bandwidth).
    const auto X = ref::random_gaussian<float>(3, 256, 51);
    for (int k = 0; k < 4; ++k) {
        const hopfield::Bf16PatternMemory M(X);
        CHECK(reinterpret_cast<std::uintptr_t>(M.view().row(0)) % 64 == 0);
    }
}

TEST_CASE("continuous dynamics on a Bf16PatternMemory equal them on its decoded float patterns",
          "[bf16][continuous]") {
    const Index N = 300, d = 65;
    const auto X = ref::random_gaussian<float>(N, d, 21, 1.0 / std::sqrt(65.0));
    const hopfield::Bf16PatternMemory M(X);
    const hopfield::PatternMemory<float> F(M.decoded());
    const auto Q = ref::random_gaussian<float>(37, d, 22, 1.0 / std::sqrt(65.0));
    ref::for_each_modern_model(4.0, [&](const auto& model) {
        const hopfield::Vector<float> q = Q.row(0).transpose();
        CHECK(ref::max_rel_diff(hopfield::step(model, M, q),
                                ref::to_dvec(hopfield::step(model, F, q))) < 1e-5);
        CHECK(hopfield::energy(model, M, q) ==
              Approx(hopfield::energy(model, F, q)).epsilon(1e-12));
        const auto a = hopfield::iterate(model, M, q), b = hopfield::iterate(model, F, q);
        CHECK(a.steps == b.steps);
        CHECK(a.converged == b.converged);
        CHECK(ref::max_rel_diff(a.state, ref::to_dvec(b.state)) < 1e-4);
        for (const Index B : {Index(5), Index(37)})
            for (const int threads : {1, 2}) {
                CAPTURE(B, threads);
                const hopfield::RowMatrix<float> Qb = Q.topRows(B);
                const auto out = hopfield::step_batch(model, M, Qb, {threads});
                for (Index b = 0; b < B; ++b)
                    CHECK(ref::max_rel_diff(out.row(b), ref::to_dvec(hopfield::step(
                                                            model, F, Qb.row(b).transpose()))) <
                          1e-5);
            }
    });
}

TEST_CASE("iterating on a Bf16PatternMemory retrieves the stored pattern, energy descending",
          "[bf16][continuous]") {
    const Index N = 50, d = 128;
    const auto X = ref::random_gaussian<float>(N, d, 31, 1.0);
    const hopfield::Bf16PatternMemory M(X);
    const hopfield::LogSumExpHopfield model(2.0);
    hopfield::Vector<float> xi =
        X.row(7).transpose() + 0.3f * ref::random_gaussian<float>(1, d, 32).row(0).transpose();
    double e = hopfield::energy(model, M, xi);
    for (int t = 0; t < 5; ++t) {
        xi = hopfield::step(model, M, xi);
        const double next = hopfield::energy(model, M, xi);
        CHECK(next <= e + 1e-6 * std::abs(e));
        e = next;
    }
    // The fixed point is the stored (rounded) pattern: well separated patterns at beta = 2.
    CHECK((xi - M.pattern(7)).cwiseAbs().maxCoeff() < 1e-3f);
}

TEST_CASE("dynamics on a Bf16PatternMemory check their input", "[bf16][errors]") {
    const auto X = ref::random_gaussian<float>(4, 6, 41);
    const hopfield::Bf16PatternMemory M(X), empty(hopfield::RowMatrix<float>(0, 6));
    const hopfield::LogSumExpHopfield model(1.0);
    const hopfield::Vector<float> short_q = hopfield::Vector<float>::Zero(5);
    CHECK_THROWS_WITH(hopfield::step(model, M, short_q), Catch::Contains("step") &&
                                                             Catch::Contains("query.size()") &&
                                                             Catch::Contains("5"));
    CHECK_THROWS_WITH(hopfield::iterate(model, empty, hopfield::Vector<float>::Zero(6)),
                      Catch::Contains("iterate") && Catch::Contains("memory.size()"));
    hopfield::Vector<float> nan_q = hopfield::Vector<float>::Zero(6);
    nan_q[2] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH(hopfield::energy(model, M, nan_q),
                      Catch::Contains("energy") && Catch::Contains("state"));
    hopfield::RowMatrix<float> Qb = hopfield::RowMatrix<float>::Zero(3, 7);
    CHECK_THROWS_WITH(hopfield::step_batch(model, M, Qb),
                      Catch::Contains("step_batch") && Catch::Contains("queries.cols()"));
    // Scores that overflow float throw, naming the map, as on a float memory.
    const hopfield::RowMatrix<float> big = hopfield::RowMatrix<float>::Constant(2, 6, 1e30f);
    const hopfield::Bf16PatternMemory B(big);
    CHECK_THROWS_WITH(hopfield::step(model, B, hopfield::Vector<float>::Constant(6, 1e30f)),
                      Catch::Contains("softmax") && Catch::Contains("scores"));
}
