// Binary models and their dynamics: fields against explicit couplings and against the energy
// definition, learning rules, fixed points, energy descent, cycles, Glauber statistics, errors.

#include <catch2/catch.hpp>

#include <hopfield/hopfield.hpp>

#include "reference.hpp"

using hopfield::Index;

namespace {

template <class Scalar>
hopfield::Vector<Scalar> flip_fraction(const hopfield::Vector<Scalar>& x, double fraction, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    hopfield::Vector<Scalar> y = x;
    std::vector<Index> idx(std::size_t(x.size()));
    std::iota(idx.begin(), idx.end(), Index(0));
    std::shuffle(idx.begin(), idx.end(), rng);
    for (Index k = 0; k < Index(fraction * double(x.size())); ++k) y[idx[std::size_t(k)]] *= -1;
    return y;
}

double overlap(const Eigen::VectorXd& a, const Eigen::VectorXd& b) { return a.dot(b) / double(a.size()); }

// Storkey (1997) straight from the definition, triple loop.
ref::dmat storkey_reference(const ref::dmat& X, std::size_t d) {
    ref::dmat W(d, ref::dvec(d, 0.0));
    for (const auto& xi : X) {
        ref::dmat next = W;
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j) {
                double hij = 0, hji = 0;
                for (std::size_t k = 0; k < d; ++k) {
                    if (k != i && k != j) {
                        hij += W[i][k] * xi[k];
                        hji += W[j][k] * xi[k];
                    }
                }
                next[i][j] += (xi[i] * xi[j] - xi[i] * hji - hij * xi[j]) / double(d);
            }
        W = next;
    }
    for (std::size_t i = 0; i < d; ++i) W[i][i] = 0;
    return W;
}

}  // namespace

TEMPLATE_TEST_CASE("classical field equals an explicit coupling matrix J sigma", "[binary]", float, double) {
    using Scalar = TestType;
    for (const Index d : {Index(1), Index(15), Index(17), Index(100)}) {
        for (const Index N : {Index(1), Index(3), Index(37)}) {
            CAPTURE(d, N);
            const auto X = ref::random_binary<Scalar>(N, d, std::uint64_t(d * 100 + N));
            const auto rows = ref::to_rows(hopfield::PatternView<Scalar>(X));
            const hopfield::Vector<Scalar> s = ref::random_binary<Scalar>(1, d, 5).row(0).transpose();
            const auto J = ref::hebb_couplings(rows, std::size_t(d));
            const auto h_ref = ref::matvec(J, ref::to_dvec(s));
            const Eigen::VectorXd h = hopfield::fields(hopfield::ClassicalHebbian{}, X, s);
            CHECK(ref::max_rel_diff(h, h_ref) < 1e-6);
            // the explicit-couplings form of the same network
            const auto C = hopfield::Couplings<Scalar>::hebb(X);
            for (Index i = 0; i < d; ++i)
                for (Index j = 0; j < d; ++j) CHECK(double(C.matrix()(i, j)) == Approx(J[std::size_t(i)][std::size_t(j)]).margin(1e-6));
            CHECK(hopfield::energy(hopfield::ClassicalHebbian{}, X, s) == Approx(C.energy(s.data())).margin(1e-5));
        }
    }
}

TEMPLATE_TEST_CASE("dense fields equal the energy difference from the definition", "[binary]", float, double) {
    using Scalar = TestType;
    const Index d = 21, N = 7;
    const auto X = ref::random_binary<Scalar>(N, d, 3);
    const auto rows = ref::to_rows(hopfield::PatternView<Scalar>(X));
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        const hopfield::Vector<Scalar> s = ref::random_binary<Scalar>(1, d, seed + 10).row(0).transpose();
        const auto sd = ref::to_dvec(s);
        const auto check = [&](const auto& model, auto&& F) {
            const Eigen::VectorXd h = hopfield::fields(model, X, s);
            const auto h_ref = ref::dense_field(rows, sd, F);
            double scale = 1;
            for (double v : h_ref) scale = std::max(scale, std::abs(v));
            for (std::size_t i = 0; i < h_ref.size(); ++i) CHECK(h[Index(i)] == Approx(h_ref[i]).margin(1e-5 * scale));
            double e_ref = 0;
            for (const auto& x : rows) e_ref -= F(ref::dot(x, sd));
            CHECK(hopfield::energy(model, X, s) == Approx(e_ref).epsilon(1e-12));
        };
        check(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}), [](double x) { return x * x * x; });
        check(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{4}), [](double x) { return x * x * x * x; });
        check(hopfield::DenseModel<hopfield::RectifiedPolynomial>(hopfield::RectifiedPolynomial{3}),
              [](double x) { return x > 0 ? x * x * x : 0.0; });
        check(hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{0.5}),
              [](double x) { return std::exp(0.5 * x); });
    }
}

TEST_CASE("dense p = 2 reproduces the classical model", "[binary]") {
    // F = x^2 is 2d times the classical F = x^2 / (2d) up to the self-coupling constant, so the
    // fields differ by the factor 2d and every trajectory is identical.
    const Index d = 64, N = 12;
    const auto X = ref::random_binary<double>(N, d, 8);
    const hopfield::DenseModel<hopfield::Polynomial> dense2(hopfield::Polynomial{2});
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        const Eigen::VectorXd s = ref::random_binary<double>(1, d, seed).row(0).transpose();
        const Eigen::VectorXd hc = hopfield::fields(hopfield::ClassicalHebbian{}, X, s);
        const Eigen::VectorXd hd = hopfield::fields(dense2, X, s);
        CHECK((hd - 2.0 * double(d) * hc).cwiseAbs().maxCoeff() < 1e-9);
        const auto rc = hopfield::run_asynchronous(hopfield::ClassicalHebbian{}, X, s, {.max_sweeps = 50, .seed = seed});
        const auto rd = hopfield::run_asynchronous(dense2, X, s, {.max_sweeps = 50, .seed = seed});
        CHECK(rc.state == rd.state);
        CHECK(rc.steps == rd.steps);
    }
}

TEST_CASE("stored patterns at low load are fixed points of every binary model", "[binary]") {
    const Index d = 200, N = 5;
    const auto X = ref::random_binary<float>(N, d, 4);
    const auto C = hopfield::Couplings<float>::storkey(X);
    for (Index mu = 0; mu < N; ++mu) {
        const Eigen::VectorXf x = X.row(mu).transpose();
        CHECK(hopfield::step(hopfield::ClassicalHebbian{}, X, x) == x);
        CHECK(hopfield::step(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}), X, x) == x);
        CHECK(hopfield::step(hopfield::DenseModel<hopfield::Exponential>(), X, x) == x);
        CHECK(hopfield::step(C, x) == x);
        const auto r = hopfield::run_asynchronous(hopfield::ClassicalHebbian{}, X, x);
        CHECK(r.converged);
        CHECK(r.steps == 1);
        CHECK(r.state == x);
    }
}

TEST_CASE("pseudo-inverse stores 0.5 d random patterns as exact fixed points", "[binary]") {
    const Index d = 100, N = 50;
    const auto X = ref::random_binary<double>(N, d, 12);
    const auto C = hopfield::Couplings<double>::pseudo_inverse(X);
    int fixed = 0, hebb_fixed = 0;
    for (Index mu = 0; mu < N; ++mu) {
        const Eigen::VectorXd x = X.row(mu).transpose();
        fixed += hopfield::step(C, x) == x;
        hebb_fixed += hopfield::step(hopfield::ClassicalHebbian{}, X, x) == x;
    }
    CHECK(fixed == N);
    CHECK(hebb_fixed < N);  // load 0.5 is far beyond the Hebb rule's capacity
}

TEST_CASE("Storkey rule matches its definition and is symmetric", "[binary]") {
    const Index d = 9, N = 4;
    const auto X = ref::random_binary<double>(N, d, 2);
    const auto W = storkey_reference(ref::to_rows(hopfield::PatternView<double>(X)), std::size_t(d));
    const auto C = hopfield::Couplings<double>::storkey(X);
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < d; ++j) {
            CHECK(C.matrix()(i, j) == Approx(W[std::size_t(i)][std::size_t(j)]).margin(1e-12));
            CHECK(C.matrix()(i, j) == C.matrix()(j, i));
        }
}

TEST_CASE("asynchronous dynamics never raises the energy, for every binary model", "[binary][energy]") {
    const Index d = 60, N = 15;  // load 0.25: plenty of flips
    const auto X = ref::random_binary<double>(N, d, 31);
    const auto check = [&](auto&& run, auto&& energy) {
        for (std::uint64_t seed = 1; seed <= 6; ++seed) {
            Eigen::VectorXd s = ref::random_binary<double>(1, d, 100 + seed).row(0).transpose();
            double e = energy(s);
            for (int sweep = 0; sweep < 10; ++sweep) {  // one sweep at a time
                const auto r = run(s, seed * 1000 + std::uint64_t(sweep));
                CHECK(r.energy <= e + 1e-9 * std::max(1.0, std::abs(e)));
                CHECK(r.energy == Approx(energy(r.state)));
                e = r.energy;
                s = r.state;
            }
        }
    };
    const auto pattern_model = [&](const auto& model) {
        check([&](const Eigen::VectorXd& s, std::uint64_t seed) {
                  return hopfield::run_asynchronous(model, X, s, {.max_sweeps = 1, .seed = seed});
              },
              [&](const Eigen::VectorXd& s) { return hopfield::energy(model, X, s); });
    };
    pattern_model(hopfield::ClassicalHebbian{});
    pattern_model(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}));
    pattern_model(hopfield::DenseModel<hopfield::RectifiedPolynomial>(hopfield::RectifiedPolynomial{4}));
    pattern_model(hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{0.3}));
    for (const auto& C : {hopfield::Couplings<double>::hebb(X), hopfield::Couplings<double>::storkey(X),
                          hopfield::Couplings<double>::pseudo_inverse(X)}) {
        check([&](const Eigen::VectorXd& s, std::uint64_t seed) {
                  return hopfield::run_asynchronous(C, s, {.max_sweeps = 1, .seed = seed});
              },
              [&](const Eigen::VectorXd& s) { return C.energy(s.data()); });
    }
}

TEST_CASE("asynchronous runs are reproducible from their seed", "[binary]") {
    const auto X = ref::random_binary<float>(30, 100, 5);
    const Eigen::VectorXf s = ref::random_binary<float>(1, 100, 6).row(0).transpose();
    const auto a = hopfield::run_asynchronous(hopfield::ClassicalHebbian{}, X, s, {.max_sweeps = 20, .seed = 42});
    const auto b = hopfield::run_asynchronous(hopfield::ClassicalHebbian{}, X, s, {.max_sweeps = 20, .seed = 42});
    CHECK(a.state == b.state);
    CHECK(a.steps == b.steps);
    const auto g1 = hopfield::run_glauber(hopfield::ClassicalHebbian{}, X, s, {.temperature = 0.3, .sweeps = 5, .seed = 7});
    const auto g2 = hopfield::run_glauber(hopfield::ClassicalHebbian{}, X, s, {.temperature = 0.3, .sweeps = 5, .seed = 7});
    const auto g3 = hopfield::run_glauber(hopfield::ClassicalHebbian{}, X, s, {.temperature = 0.3, .sweeps = 5, .seed = 8});
    CHECK(g1.state == g2.state);
    CHECK(g1.state != g3.state);
}

TEST_CASE("synchronous dynamics ends in a fixed point or a 2-cycle, never a longer cycle", "[binary]") {
    // With symmetric couplings the synchronous Lyapunov function guarantees period 1 or 2.
    const Index d = 40;
    int two_cycles = 0;
    for (const Index N : {Index(4), Index(20), Index(60)}) {
        const auto X = ref::random_binary<double>(N, d, std::uint64_t(N));
        for (std::uint64_t seed = 1; seed <= 30; ++seed) {
            const Eigen::VectorXd s = ref::random_binary<double>(1, d, seed).row(0).transpose();
            const auto r = hopfield::run_synchronous(hopfield::ClassicalHebbian{}, X, s, {.max_steps = 2000});
            REQUIRE((r.period == 1 || r.period == 2));
            const Eigen::VectorXd once = hopfield::step(hopfield::ClassicalHebbian{}, X, r.state);
            if (r.period == 1) {
                CHECK(once == r.state);
                CHECK(r.converged);
            } else {
                ++two_cycles;
                CHECK(once != r.state);
                CHECK(hopfield::step(hopfield::ClassicalHebbian{}, X, once) == r.state);
                CHECK_FALSE(r.converged);
            }
        }
    }
    CHECK(two_cycles > 0);  // high load does produce 2-cycles: the detector is exercised
}

TEST_CASE("tie rule: a neuron with zero field keeps its state", "[binary]") {
    // x_1 = (+1,+1), x_2 = (+1,-1), sigma = (+1,+1): m = (2, 0), both Hebbian fields are
    // (1/2)(sum_mu x_mu,i m_mu - N sigma_i) = 0.
    hopfield::RowMatrix<double> X(2, 2);
    X << 1, 1, 1, -1;
    const Eigen::Vector2d s(1, 1);
    const Eigen::VectorXd h = hopfield::fields(hopfield::ClassicalHebbian{}, X, s);
    REQUIRE(h.cwiseAbs().maxCoeff() == 0.0);
    CHECK(hopfield::step(hopfield::ClassicalHebbian{}, X, s) == s);
    CHECK(hopfield::step(hopfield::ClassicalHebbian{}, X, Eigen::Vector2d(-s)) == -s);
}

TEST_CASE("Glauber dynamics of one stored pattern follows Curie-Weiss m = tanh(m / T)", "[binary][glauber]") {
    // One pattern: the Hebbian field is h_i = x_i (m - sigma_i x_i / d) ~ x_i m, so in
    // equilibrium m = tanh(m / T) (mean field is exact as d -> inf). At T = 0.5, m* = 0.9575.
    // d = 4000: the equilibrium fluctuation of m is ~ sqrt((1 - m^2) / d) / (1 - (1-m^2)/T)
    // ~ 0.005 per sample; averaging 100 sweeps leaves well below 0.01; tolerance 0.015.
    const Index d = 4000;
    const auto X = ref::random_binary<double>(1, d, 77);
    Eigen::VectorXd s = X.row(0).transpose();
    double sum = 0;
    const int sweeps = 100;
    auto r = hopfield::run_glauber(hopfield::ClassicalHebbian{}, X, s, {.temperature = 0.5, .sweeps = 20, .seed = 1});
    for (int k = 0; k < sweeps; ++k) {
        r = hopfield::run_glauber(hopfield::ClassicalHebbian{}, X, r.state,
                                  {.temperature = 0.5, .sweeps = 1, .seed = 2 + std::uint64_t(k)});
        sum += overlap(r.state, X.row(0).transpose());
    }
    double m = 0.9;
    for (int it = 0; it < 200; ++it) m = std::tanh(m / 0.5);
    CHECK(sum / sweeps == Approx(m).margin(0.015));
    // Above T = 1 the only solution is m = 0: the pattern melts.
    const auto hot = hopfield::run_glauber(hopfield::ClassicalHebbian{}, X, s, {.temperature = 3.0, .sweeps = 30, .seed = 3});
    CHECK(std::abs(overlap(hot.state, X.row(0).transpose())) < 0.1);  // ~ 6 sigma of sqrt(1/d)/(1-1/T)
}

TEST_CASE("exponential model is stable at large d and retrieves far beyond classical capacity", "[binary]") {
    const Index d = 1000, N = 500;  // load 0.5; e^{d} overflows double
    const auto X = ref::random_binary<float>(N, d, 9);
    const hopfield::DenseModel<hopfield::Exponential> model;
    int retrieved = 0, classical = 0;
    for (Index mu = 0; mu < 10; ++mu) {
        const Eigen::VectorXf x = X.row(mu).transpose();
        const Eigen::VectorXf cue = flip_fraction<float>(x, 0.2, std::uint64_t(mu));
        const Eigen::VectorXd h = hopfield::fields(model, X, cue);
        CHECK_FALSE(h.hasNaN());  // fields beyond double's range saturate to +-inf, never NaN
        const auto r = hopfield::run_asynchronous(model, X, cue, {.max_sweeps = 10, .seed = 1});
        retrieved += r.state == x;
        classical += hopfield::run_asynchronous(hopfield::ClassicalHebbian{}, X, cue, {.max_sweeps = 50}).state == x;
    }
    CHECK(retrieved == 10);
    CHECK(classical < 10);
}

TEST_CASE("binary dynamics reject bad input naming the argument", "[binary][errors]") {
    const auto X = ref::random_binary<float>(3, 4, 1);
    const Eigen::Vector4f s(1, -1, 1, 1);
    hopfield::RowMatrix<float> not_binary = X;
    not_binary(1, 2) = 0.5f;
    const hopfield::ClassicalHebbian model;
    CHECK_THROWS_WITH(hopfield::step(model, not_binary, s), Catch::Contains("'patterns' = 0.5"));
    CHECK_THROWS_WITH(hopfield::step(model, X, Eigen::Vector4f(1, 0, 1, 1)), Catch::Contains("'state' = 0"));
    CHECK_THROWS_WITH(hopfield::run_asynchronous(model, X, Eigen::Vector3f(1, 1, 1)), Catch::Contains("state.size()' = 3"));
    CHECK_THROWS_WITH(hopfield::run_synchronous(model, hopfield::PatternMemory<float>(4), s), Catch::Contains("memory.size()"));
    CHECK_THROWS_WITH(hopfield::run_asynchronous(model, X, s, {.max_sweeps = 0}), Catch::Contains("options.max_sweeps"));
    CHECK_THROWS_WITH(hopfield::run_synchronous(model, X, s, {.max_steps = -3}), Catch::Contains("options.max_steps' = -3"));
    CHECK_THROWS_WITH(hopfield::run_glauber(model, X, s, {.temperature = 0}), Catch::Contains("options.temperature' = 0"));
    CHECK_THROWS_WITH(hopfield::run_glauber(model, X, s, {.temperature = 1, .sweeps = 0}), Catch::Contains("options.sweeps"));
    CHECK_THROWS_WITH(hopfield::Couplings<float>::storkey(not_binary), Catch::Contains("patterns"));
    hopfield::RowMatrix<float> dependent(2, 4);
    dependent << 1, 1, 1, 1, 1, 1, 1, 1;
    CHECK_THROWS_WITH(hopfield::Couplings<float>::pseudo_inverse(dependent), Catch::Contains("patterns.rank' = 1"));
    CHECK_THROWS_WITH(hopfield::Couplings<float>(hopfield::RowMatrix<float>::Zero(2, 3)), Catch::Contains("J.rows()"));
    hopfield::RowMatrix<float> asymmetric = hopfield::RowMatrix<float>::Zero(2, 2);
    asymmetric(0, 1) = 1.0f;
    CHECK_THROWS_WITH(hopfield::Couplings<float>(asymmetric), Catch::Contains("max|J - J^T|' = 1"));
    const auto C = hopfield::Couplings<float>::hebb(X);
    CHECK_THROWS_WITH(hopfield::run_asynchronous(C, Eigen::Vector2f(1, 1)), Catch::Contains("state.size()' = 2"));
    CHECK_THROWS_WITH(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{1}), Catch::Contains("'p' = 1"));
    CHECK_THROWS_WITH(hopfield::Exponential{-1.0}, Catch::Contains("'beta' = -1"));
}
