// Continuous modern Hopfield networks: the update against the reference, the CCCP energy
// descent for every map, fixed points, the beta limits, exact sparse retrieval, errors.

#include <catch2/catch.hpp>
#include <hopfield/hopfield.hpp>

#include "reference.hpp"

using hopfield::Index;

namespace {

// Ramsauer et al. (2021) eq. 2, straight from the formula in double.
double ramsauer_energy(const ref::dmat& X, const ref::dvec& xi, double beta) {
    double m = -1e300, sum = 0, max_norm2 = 0;
    ref::dvec s = ref::similarity(X, xi, 1.0);
    for (double v : s) m = std::max(m, beta * v);
    for (double v : s) sum += std::exp(beta * v - m);
    for (const auto& x : X) max_norm2 = std::max(max_norm2, ref::dot(x, x));
    const double lse = (m + std::log(sum)) / beta;
    return -lse + 0.5 * ref::dot(xi, xi) + std::log(double(X.size())) / beta + 0.5 * max_norm2;
}

}  // namespace

TEMPLATE_TEST_CASE("one update equals X sep(beta X^T xi) from the reference", "[continuous]", float,
                   double) {
    using Scalar = TestType;
    const double tol = std::is_same_v<Scalar, float> ? 1e-5 : 1e-12;
    for (const Index N : {Index(1), Index(15), Index(17), Index(1000)}) {
        for (const Index d : {Index(1), Index(16), Index(33)}) {
            CAPTURE(N, d);
            const auto X = ref::random_gaussian<Scalar>(N, d, std::uint64_t(N + 7 * d), 0.5);
            const auto q = ref::random_gaussian<Scalar>(1, d, 99, 0.5);
            const auto rows = ref::to_rows(hopfield::PatternView<Scalar>(X));
            const auto s = ref::similarity(rows, ref::to_dvec(q.row(0)), 1.5);
            const auto lse =
                hopfield::step(hopfield::LogSumExpHopfield(1.5), X, q.row(0).transpose());
            CHECK(ref::max_rel_diff(lse, ref::projection(rows, ref::softmax(s), std::size_t(d))) <
                  tol * double(d));
            const auto one =
                hopfield::step(hopfield::OutlierEfficientHopfield(1.5), X, q.row(0).transpose());
            CHECK(ref::max_rel_diff(one, ref::projection(rows, ref::softmax1(s), std::size_t(d))) <
                  tol * double(d));
            const auto sparse =
                hopfield::step(hopfield::SparseHopfield(1.5), X, q.row(0).transpose());
            CHECK(ref::max_rel_diff(sparse,
                                    ref::projection(rows, ref::sparsemax(s), std::size_t(d))) <
                  tol * double(d) * 10);
        }
    }
}

TEMPLATE_TEST_CASE("batched updates equal single updates (batches of 1 and 37)", "[continuous]",
                   float, double) {
    using Scalar = TestType;
    const double tol = std::is_same_v<Scalar, float> ? 1e-5 : 1e-12;
    const auto X = ref::random_gaussian<Scalar>(17, 15, 5, 0.5);
    for (const Index B : {Index(1), Index(37)}) {
        const auto Q = ref::random_gaussian<Scalar>(B, 15, 6, 0.5);
        ref::for_each_modern_model(2.0, [&](const auto& model) {
            const auto out = hopfield::step_batch(model, X, Q);
            REQUIRE(out.rows() == B);
            for (Index b = 0; b < B; ++b) {
                const auto single = hopfield::step(model, X, Q.row(b).transpose());
                CHECK(ref::max_rel_diff(out.row(b), ref::to_dvec(single)) < tol * 15);
            }
        });
    }
}

TEST_CASE("energy never increases along the update, for every map (CCCP bound)",
          "[continuous][energy]") {
    // E(xi_t) - E(xi_{t+1}) >= |xi_{t+1} - xi_t|^2 / 2 (models.md section 3); double precision,
    // slack 1e-9 for rounding of O(1) energies.
    for (const double beta : {0.5, 2.0, 8.0}) {
        for (std::uint64_t seed = 1; seed <= 5; ++seed) {
            const auto X = ref::random_gaussian<double>(20, 8, seed, 0.7);
            Eigen::VectorXd xi = ref::random_gaussian<double>(1, 8, seed + 100).row(0).transpose();
            ref::for_each_modern_model(beta, [&](const auto& model) {
                Eigen::VectorXd state = xi;
                double e = hopfield::energy(model, X, state);
                CHECK(e >= -1e-9);
                for (int t = 0; t < 15; ++t) {
                    const Eigen::VectorXd next = hopfield::step(model, X, state);
                    const double e_next = hopfield::energy(model, X, next);
                    CAPTURE(beta, seed, t, e, e_next);
                    CHECK(e - e_next >= 0.5 * (next - state).squaredNorm() - 1e-9);
                    CHECK(e_next >= -1e-9);
                    state = next;
                    e = e_next;
                }
            });
        }
    }
}

TEST_CASE("log-sum-exp energy is Ramsauer et al.'s eq. 2", "[continuous][energy]") {
    const auto X = ref::random_gaussian<double>(12, 6, 3);
    const auto rows = ref::to_rows(hopfield::PatternView<double>(X));
    const Eigen::VectorXd xi = ref::random_gaussian<double>(1, 6, 4).row(0).transpose();
    for (const double beta : {0.1, 1.0, 30.0})
        CHECK(hopfield::energy(hopfield::LogSumExpHopfield(beta), X, xi) ==
              Approx(ramsauer_energy(rows, ref::to_dvec(xi), beta)).epsilon(1e-12));
}

TEST_CASE("iterate reaches fixed points that are fixed", "[continuous]") {
    const auto X = ref::random_gaussian<double>(10, 12, 8);
    const Eigen::VectorXd xi = ref::random_gaussian<double>(1, 12, 9).row(0).transpose();
    ref::for_each_modern_model(1.0, [&](const auto& model) {
        const auto r = hopfield::iterate(model, X, xi, {.max_steps = 500, .tolerance = 1e-12});
        REQUIRE(r.converged);
        CHECK(r.steps >= 1);
        CHECK(r.period == 1);
        const Eigen::VectorXd again = hopfield::step(model, X, r.state);
        CHECK((again - r.state).cwiseAbs().maxCoeff() <= 1e-11);
        CHECK(r.energy == Approx(hopfield::energy(model, X, r.state)));
    });
    // A run capped at one step reports that it did not converge.
    const auto capped = hopfield::iterate(hopfield::LogSumExpHopfield(1.0), X, xi,
                                          {.max_steps = 1, .tolerance = 0});
    CHECK(capped.steps == 1);
    CHECK_FALSE(capped.converged);
}

TEMPLATE_TEST_CASE("beta = 0 returns the mean of the patterns", "[continuous]", float, double) {
    using Scalar = TestType;
    const auto X = ref::random_gaussian<Scalar>(9, 5, 2);
    const hopfield::Vector<Scalar> q = ref::random_gaussian<Scalar>(1, 5, 3).row(0).transpose();
    const hopfield::Vector<Scalar> mean = X.colwise().mean().transpose();
    const auto out = hopfield::step(hopfield::LogSumExpHopfield(0.0), X, q);
    CHECK((out - mean).cwiseAbs().maxCoeff() <= Scalar(1e-5));
    // The energy has a finite beta -> 0 limit: compare with a small beta.
    const double e0 = hopfield::energy(hopfield::LogSumExpHopfield(0.0), X, q);
    const double e_small = hopfield::energy(hopfield::LogSumExpHopfield(1e-7), X, q);
    CHECK(e0 == Approx(e_small).epsilon(1e-4));
}

TEST_CASE("large beta retrieves the pattern of largest dot product", "[continuous]") {
    const auto X = ref::random_gaussian<double>(50, 20, 11);
    for (int trial = 0; trial < 10; ++trial) {
        const Eigen::VectorXd q =
            ref::random_gaussian<double>(1, 20, 200 + std::uint64_t(trial)).row(0).transpose();
        Eigen::VectorXd s = X * q;
        Index best;
        s.maxCoeff(&best);
        const auto out = hopfield::step(hopfield::LogSumExpHopfield(1e4), X, q);
        CHECK((out - X.row(best).transpose()).cwiseAbs().maxCoeff() < 1e-6);
    }
}

TEST_CASE("sparse maps retrieve a stored pattern exactly in one step when the margin holds",
          "[continuous]") {
    // Exact one-step retrieval: output one-hot at mu iff z_mu - (second largest z) >= 1/(alpha-1)
    // (1 for sparsemax, 2 for entmax 1.5). Softmax never retrieves exactly.
    const auto X = ref::random_binary<float>(30, 64, 21);
    for (Index mu = 0; mu < 30; ++mu) {
        Eigen::VectorXf q = X.row(mu).transpose();
        for (Index i = 0; i < 10; ++i) q[i * 3] = -q[i * 3];  // 10 of 64 flipped
        Eigen::VectorXf s = X * q;
        std::vector<float> sorted(s.data(), s.data() + s.size());
        std::sort(sorted.rbegin(), sorted.rend());
        const float margin = sorted[0] - sorted[1];
        REQUIRE(s[mu] == sorted[0]);
        REQUIRE(margin > 0);
        const double beta_sparse = 1.0 / margin,
                     beta_entmax = 2.0 / margin;  // exactly at the margin
        const Eigen::VectorXf x = X.row(mu).transpose();
        CHECK(hopfield::step(hopfield::SparseHopfield(beta_sparse), X, q) == x);
        CHECK(hopfield::step(hopfield::ModernHopfield<hopfield::Entmax15>(beta_entmax), X, q) == x);
        CHECK(hopfield::step(hopfield::EntmaxHopfield(beta_sparse, hopfield::Entmax(2.0)), X, q) ==
              x);
        CHECK(hopfield::step(hopfield::LogSumExpHopfield(beta_sparse), X, q) != x);
        // Below the margin the sparse output is a mixture, not the pattern.
        CHECK(hopfield::step(hopfield::SparseHopfield(0.5 * beta_sparse), X, q) != x);
    }
}

TEST_CASE("softmax_1 attends to nothing when every score is very negative", "[continuous]") {
    Eigen::MatrixXf Xc(2, 3);
    Xc << 1, 0, 0, 0, 1, 0;
    const hopfield::RowMatrix<float> X = Xc;
    const Eigen::Vector3f q(-50, -50, 0);
    const auto out = hopfield::step(hopfield::OutlierEfficientHopfield(1.0), X, q);
    CHECK(out.cwiseAbs().maxCoeff() < 1e-20f);
    const auto lse = hopfield::step(hopfield::LogSumExpHopfield(1.0), X, q);
    CHECK(lse.sum() == Approx(1.0f));  // softmax always sums to one: the average of the two
}

TEST_CASE("continuous dynamics reject bad input naming the argument", "[continuous][errors]") {
    const auto X = ref::random_gaussian<float>(4, 3, 1);
    const hopfield::PatternMemory<float> empty(3);
    const hopfield::LogSumExpHopfield model(1.0);
    const Eigen::Vector3f q(1, 2, 3);
    CHECK_THROWS_WITH(hopfield::LogSumExpHopfield(-1.0), Catch::Contains("'beta' = -1"));
    CHECK_THROWS_WITH(hopfield::LogSumExpHopfield(std::nan("")), Catch::Contains("'beta' = nan"));
    CHECK_THROWS_WITH(hopfield::step(model, empty, q), Catch::Contains("memory.size()"));
    CHECK_THROWS_WITH(hopfield::step(model, X, Eigen::Vector4f::Ones()),
                      Catch::Contains("query.size()' = 4"));
    const Eigen::Vector3f nan_q(1, std::nanf(""), 3);
    CHECK_THROWS_WITH(hopfield::step(model, X, nan_q), Catch::Contains("'query' = nan"));
    CHECK_THROWS_WITH(hopfield::iterate(model, X, q, {.max_steps = 0}),
                      Catch::Contains("options.max_steps"));
    CHECK_THROWS_WITH(hopfield::iterate(model, X, q, {.max_steps = 5, .tolerance = -1}),
                      Catch::Contains("options.tolerance"));
    CHECK_THROWS_WITH(hopfield::step_batch(model, X, hopfield::RowMatrix<float>::Ones(2, 4)),
                      Catch::Contains("queries.cols()' = 4"));
    CHECK_THROWS_WITH(hopfield::energy(model, X, Eigen::Vector2f::Ones()),
                      Catch::Contains("state.size()"));
}

TEST_CASE("step_batch gives bitwise identical results for every thread count",
          "[continuous][threads]") {
    // 200 queries = three full chunks of 64 (GEMM path) and a tail of 8 (single-query path).
    const auto X = ref::random_gaussian<float>(300, 48, 1, 0.3);
    const auto Q = ref::random_gaussian<float>(200, 48, 2, 0.3);
    ref::for_each_modern_model(3.0, [&](const auto& model) {
        const auto one = hopfield::step_batch(model, X, Q, {.threads = 1});
        for (const int threads : {2, 3, 8})
            CHECK(hopfield::step_batch(model, X, Q, {.threads = threads}) == one);
        for (const Index b : {Index(0), Index(63), Index(64), Index(199)}) {
            const auto single = hopfield::step(model, X, Q.row(b).transpose());
            CHECK((one.row(b).transpose() - single).cwiseAbs().maxCoeff() < 1e-5f);
        }
    });
    CHECK_THROWS_WITH(hopfield::step_batch(hopfield::LogSumExpHopfield(1.0), X, Q, {.threads = 0}),
                      Catch::Contains("options.threads' = 0"));
}
