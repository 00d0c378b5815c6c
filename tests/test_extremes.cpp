// Numerical extremes (docs/errors.md, "Numerical extremes"): beta in {1e-6, 1e4}, scores of
// +-1e30, patterns whose norms differ by 1e6, N = 1, d = 1, duplicated patterns and exact ties,
// in float and double, for every map and every model. Never a NaN; each behaviour below is the
// documented one (the expected values are worked out in the comments).

#include <catch2/catch.hpp>
#include <cmath>
#include <hopfield/hopfield.hpp>
#include <limits>
#include <type_traits>
#include <vector>

#include "reference.hpp"

using hopfield::Index;

namespace {

constexpr double betas[] = {1e-6, 1e4};

template <class Scalar>
std::vector<Scalar> apply(const auto& map, std::vector<Scalar> z) {
    std::vector<Scalar> p(z.size());
    map.apply(z.data(), p.data(), z.size());
    return p;
}

// Every continuous model at inverse temperature beta, one after the other.
template <class F>
void for_each_model(double beta, F&& f) {
    ref::for_each_modern_model(beta, f);
    f(hopfield::EntmaxHopfield(beta, hopfield::Entmax(1.0)));
}

// Every map except the identity (which has no masking and no simplex).
template <class F>
void for_each_map(F&& f) {
    f(hopfield::Softmax{});
    f(hopfield::Softmax1{});
    f(hopfield::Sparsemax{});
    f(hopfield::Entmax15{});
    f(hopfield::Entmax(1.3));
    f(hopfield::Entmax(1.0 + 2e-6));
    f(hopfield::Entmax(1.0));
    f(hopfield::Entmax(2.0));
}

// Equal within a few ulps (the sort-based 1.5-entmax squares a rounded square root, so its
// "exactly 1/2" comes out as 1/2 +- 1 ulp; every other map is exact in these cases).
template <class Scalar, class A, class B>
bool near(const A& a, const B& b) {
    const double eps = 4.0 * double(std::numeric_limits<Scalar>::epsilon());
    if (std::size(a) != std::size(b)) return false;
    auto ib = std::begin(b);
    for (auto ia = std::begin(a); ia != std::end(a); ++ia, ++ib)
        if (std::abs(double(*ia) - double(*ib)) > eps * std::max(1.0, std::abs(double(*ib))))
            return false;
    return true;
}

template <class Model>
constexpr bool is_softmax1 = std::is_same_v<typename Model::map_type, hopfield::Softmax1>;

// The output of a continuous model is a convex combination of the patterns (a sub-convex one
// for softmax_1): every coordinate lies between the smallest and largest pattern coordinate
// (and 0 for softmax_1), up to rounding.
template <class Scalar, class V>
void check_in_hull(const hopfield::RowMatrix<Scalar>& X, const V& out, bool sub_convex) {
    for (Index i = 0; i < X.cols(); ++i) {
        double lo = double(X.col(i).minCoeff()), hi = double(X.col(i).maxCoeff());
        if (sub_convex) {
            lo = std::min(lo, 0.0);
            hi = std::max(hi, 0.0);
        }
        const double slack = 1e-5 * std::max({1.0, std::abs(lo), std::abs(hi)});
        CHECK(std::isfinite(double(out[i])));
        CHECK(double(out[i]) >= lo - slack);
        CHECK(double(out[i]) <= hi + slack);
    }
}

}  // namespace

// ---- the maps ---------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("extremes: maps on scores of +-1e30", "[extremes]", float, double) {
    using T = TestType;
    for_each_map([](const auto& map) {
        INFO(map.name);
        // The top score takes all the weight; -1e30 is exp(-2e30) ~ 0 of it.
        CHECK(apply<T>(map, {T(1e30), T(-1e30), T(0)}) == std::vector<T>{1, 0, 0});
        // Two tied tops at 1e30 share it exactly.
        CHECK(near<T>(apply<T>(map, {T(1e30), T(-1e30), T(1e30)}),
                      std::vector<T>{T(0.5), 0, T(0.5)}));
        // The largest finite scores: the shift z - max does not overflow into NaN.
        const T big = std::numeric_limits<T>::max();
        CHECK(apply<T>(map, {big, -big}) == std::vector<T>{1, 0});
        CHECK(apply<T>(map, {-big, big, -big}) == std::vector<T>{0, 1, 0});
    });
}

TEMPLATE_TEST_CASE("extremes: maps on all-equal scores (ties)", "[extremes]", float, double) {
    using T = TestType;
    for (const T c : {T(-1e30), T(-50), T(0), T(1e-30), T(50), T(1e30)}) {
        CAPTURE(c);
        const std::vector<T> z(4, c);
        for_each_map([&](const auto& map) {
            INFO(map.name);
            const auto p = apply<T>(map, z);
            if constexpr (std::is_same_v<std::decay_t<decltype(map)>, hopfield::Softmax1>) {
                // softmax_1: e^c / (1 + 4 e^c): 1/5 at c = 0, -> 1/4 as c -> +inf, -> 0 as
                // c -> -inf (exactly 0 once e^c underflows: the "attend to nothing" limit).
                const double want = 1.0 / (std::exp(-double(c)) + 4.0);
                for (T v : p) CHECK(double(v) == Approx(want).margin(1e-7));
            } else {
                for (T v : p) CHECK(v == T(0.25));  // exactly uniform, whatever the level
            }
        });
    }
}

TEMPLATE_TEST_CASE("extremes: maps on one score (N = 1) and on denormals", "[extremes]", float,
                   double) {
    using T = TestType;
    for (const T x : {T(-1e30), T(-1), T(0), std::numeric_limits<T>::denorm_min(), T(1), T(1e30)}) {
        CAPTURE(x);
        for_each_map([&](const auto& map) {
            INFO(map.name);
            const auto p = apply<T>(map, {x});
            if constexpr (std::is_same_v<std::decay_t<decltype(map)>, hopfield::Softmax1>) {
                CHECK(double(p[0]) ==
                      Approx(1.0 / (1.0 + std::exp(-double(x)))).margin(1e-7));  // logistic
            } else {
                CHECK(p[0] == T(1));
            }
        });
    }
    // Denormal differences between scores do not matter: uniform.
    for_each_map([](const auto& map) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(map)>, hopfield::Softmax1>) {
            const auto p = apply<T>(map, {std::numeric_limits<T>::denorm_min(), T(0)});
            CHECK(near<T>(p, std::vector<T>{T(0.5), T(0.5)}));
        }
    });
}

// ---- continuous models ------------------------------------------------------------------------

TEMPLATE_TEST_CASE("extremes: continuous models, patterns whose norms differ by 1e6", "[extremes]",
                   float, double) {
    using T = TestType;
    // x0 has norm ~1e3, x1 ~1e-3 (ratio 1e6), x2 ~1.
    hopfield::RowMatrix<T> X = ref::random_gaussian<T>(3, 8, 5);
    X.row(0) *= T(1e3);
    X.row(1) *= T(1e-3);
    const hopfield::PatternMemory<T> memory(X);
    const auto rows = ref::to_rows(hopfield::PatternView<T>(X));
    for (const double beta : betas) {
        for (Index target = 0; target < 3; ++target) {
            CAPTURE(beta, target);
            const hopfield::Vector<T> q =
                X.row(target).transpose() / X.row(target).norm();  // unit query
            for_each_model(beta, [&](const auto& model) {
                INFO(std::decay_t<decltype(model)>::map_type::name);
                const auto out = hopfield::step(model, memory, q);
                check_in_hull(X, out, is_softmax1<std::decay_t<decltype(model)>>);
                const double e = hopfield::energy(model, memory, q);
                CHECK(std::isfinite(e));
                CHECK(e >= -1e-6 * (1.0 + double(X.row(0).squaredNorm())));
                const auto r = hopfield::iterate(model, memory, q, {.max_steps = 50});
                CHECK(r.state.allFinite());
                CHECK(std::isfinite(r.energy));
                CHECK(r.energy <= e + 1e-6 * std::abs(e) + 1e-6);
            });
            // softmax against the scalar reference
            const auto s = ref::similarity(rows, ref::to_dvec(q), beta);
            const auto want = ref::projection(rows, ref::softmax(s), 8);
            const auto out = hopfield::step(hopfield::LogSumExpHopfield(beta), memory, q);
            const double tol = std::is_same_v<T, float> ? 1e-4 : 1e-9;
            CHECK(ref::max_rel_diff(out, want) < tol * 1e3);  // relative to max(1, |x0| ~ 1e3)
        }
        // At beta = 1e4 the unit query along x0 has scores ~(3e3, ~1e-3, ~1) * 1e4: every map
        // returns x0 itself, bit for bit (weight exactly 1, others exactly 0).
        if (beta == 1e4) {
            const hopfield::Vector<T> q = X.row(0).transpose() / X.row(0).norm();
            for_each_model(beta, [&](const auto& model) {
                INFO(std::decay_t<decltype(model)>::map_type::name);
                CHECK(hopfield::step(model, memory, q) == X.row(0).transpose());
            });
        }
    }
    // beta = 1e-6: every score is ~1e-6 * 3e3 at most: softmax is within ~1e-3 of uniform,
    // the output within ~1e-3 |x0| of the mean pattern.
    const hopfield::Vector<T> q = X.row(2).transpose();
    const hopfield::Vector<T> mean = X.colwise().mean().transpose();
    const auto out = hopfield::step(hopfield::LogSumExpHopfield(1e-6), memory, q);
    CHECK(double((out - mean).cwiseAbs().maxCoeff()) <
          1e-2 * double(X.row(0).cwiseAbs().maxCoeff()));
}

TEMPLATE_TEST_CASE("extremes: continuous models, scores of +-1e30", "[extremes]", float, double) {
    using T = TestType;
    // Unit-ish patterns scaled by 1e15 and a query along x0 of norm 1e15: scores +-1e30, and
    // beta * score up to 1e34 (still finite in float).
    hopfield::RowMatrix<T> X = hopfield::RowMatrix<T>::Zero(3, 4);
    X(0, 0) = T(1e15);
    X(1, 0) = T(-1e15);  // score -1e30
    X(2, 1) = T(1e15);   // score 0
    const hopfield::PatternMemory<T> memory(X);
    hopfield::Vector<T> q = hopfield::Vector<T>::Zero(4);
    q[0] = T(1e15);
    for (const double beta : betas) {
        CAPTURE(beta);
        for_each_model(beta, [&](const auto& model) {
            INFO(std::decay_t<decltype(model)>::map_type::name);
            const auto out = hopfield::step(model, memory, q);
            CHECK(out.allFinite());
            if (beta == 1e4) CHECK(out == X.row(0).transpose());  // the top score takes all
            check_in_hull(X, out, is_softmax1<std::decay_t<decltype(model)>>);
            const double e = hopfield::energy(model, memory, q);
            CHECK(std::isfinite(e));
            CHECK(e >= -1e-9 * 1e30);
        });
    }
    // At beta = 1e-6 softmax's scores are (1e24, -1e24, 0): still decisive.
    CHECK(hopfield::step(hopfield::LogSumExpHopfield(1e-6), memory, q) == X.row(0).transpose());
}

TEMPLATE_TEST_CASE("extremes: continuous models with N = 1, d = 1, duplicated patterns, ties",
                   "[extremes]", float, double) {
    using T = TestType;
    const hopfield::RowMatrix<T> one = ref::random_gaussian<T>(1, 5, 9);
    hopfield::RowMatrix<T> line(3, 1);
    line << T(2), T(-1), T(0.5);
    hopfield::RowMatrix<T> dup(3, 4);
    dup << 1, 2, 3, 4, 1, 2, 3, 4, -4, 3, -2, 1;
    hopfield::RowMatrix<T> tie = hopfield::RowMatrix<T>::Zero(3, 3);
    tie(0, 0) = 1;
    tie(1, 1) = 1;
    tie(2, 2) = -1;
    for (const double beta : betas) {
        CAPTURE(beta);
        for_each_model(beta, [&](const auto& model) {
            using M = std::decay_t<decltype(model)>;
            INFO(M::map_type::name);
            constexpr bool one_plus = is_softmax1<M>;
            // N = 1: the only pattern gets weight 1 (softmax_1: the logistic of its score),
            // whichever side the query is on.
            for (const T sign : {T(1), T(-1)}) {
                const hopfield::Vector<T> q = sign * one.row(0).transpose();
                const auto out = hopfield::step(model, one, q);
                if constexpr (one_plus) {
                    check_in_hull(one, out, true);
                } else {
                    CHECK(out == one.row(0).transpose());
                }
            }
            // d = 1: finite, inside [min, max] of the patterns; at beta = 1e4 the largest score.
            const auto out1 = hopfield::step(model, line, hopfield::Vector<T>::Constant(1, T(1)));
            check_in_hull(line, out1, one_plus);
            if (beta == 1e4) CHECK(out1[0] == T(2));
            CHECK(std::isfinite(
                hopfield::energy(model, line, hopfield::Vector<T>::Constant(1, T(-3)))));
            // Duplicated patterns share the weight: at beta = 1e4 the query on the duplicate
            // gets (1/2, 1/2, 0) and the output is the pattern exactly.
            const hopfield::Vector<T> qd = dup.row(0).transpose();
            const auto outd = hopfield::step(model, dup, qd);
            if (beta == 1e4) CHECK(near<T>(outd, qd));
            check_in_hull(dup, outd, one_plus);
            // An exact tie between x0 and x1 (query (1, 1, 0)): (1/2, 1/2) at beta = 1e4.
            const hopfield::Vector<T> qt = (hopfield::Vector<T>(3) << 1, 1, 0).finished();
            const auto outt = hopfield::step(model, tie, qt);
            if (beta == 1e4)
                CHECK(near<T>(outt, (hopfield::Vector<T>(3) << T(0.5), T(0.5), 0).finished()));
            check_in_hull(tie, outt, one_plus);
            const auto r = hopfield::iterate(model, tie, qt, {.max_steps = 20});
            CHECK(r.state.allFinite());
            CHECK(std::isfinite(r.energy));
        });
    }
}

TEST_CASE("extremes: float scores beyond float's range throw naming 'scores'", "[extremes]") {
    // beta * x . q = 1e4 * 1e36 = 1e40 > FLT_MAX: the overflow is reported, not a NaN output.
    hopfield::RowMatrix<float> X = hopfield::RowMatrix<float>::Zero(2, 2);
    X(0, 0) = 1e18f;
    X(1, 1) = 1.0f;
    const Eigen::Vector2f q(1e18f, 0.0f);
    for_each_model(1e4, [&](const auto& model) {
        INFO(std::decay_t<decltype(model)>::map_type::name);
        CHECK_THROWS_WITH(hopfield::step(model, X, q), Catch::Contains("'scores' = inf"));
    });
    // The same data in double is fine.
    const hopfield::RowMatrix<double> Xd = X.cast<double>();
    CHECK(hopfield::step(hopfield::LogSumExpHopfield(1e4), Xd, q.cast<double>()) ==
          Xd.row(0).transpose());
}

TEST_CASE("extremes: float scores that overflow to -inf throw naming 'scores'", "[extremes]") {
    // Every score beta x_mu . q is below -FLT_MAX, so each overflows to -inf in float. Taken
    // for masks they would give the all-masked output (zeros) in silence; the kernel reports
    // the overflow instead, on every path (streaming, scores -> map, batched GEMM).
    hopfield::RowMatrix<float> X = hopfield::RowMatrix<float>::Zero(2, 2);
    X(0, 0) = 1e18f;
    X(1, 0) = 2e18f;
    const Eigen::Vector2f q(-1e18f, 0.0f);  // scores -1e40 and -2e40
    for_each_model(1e4, [&](const auto& model) {
        INFO(std::decay_t<decltype(model)>::map_type::name);
        CHECK_THROWS_WITH(hopfield::step(model, X, q), Catch::Contains("'scores' = -inf") &&
                                                           Catch::Contains("overflowed float"));
        const hopfield::RowMatrix<float> Q =
            q.transpose().replicate(hopfield::kernel::gemm_min_batch, 1);
        CHECK_THROWS_WITH(hopfield::step_batch(model, X, Q), Catch::Contains("'scores' = -inf"));
    });
    // One overflowing score among finite ones is reported too (it is not a mask).
    hopfield::RowMatrix<float> Y = X;
    Y(0, 0) = 1e-18f;  // score -1e40 * 1e-36: finite
    CHECK_THROWS_WITH(hopfield::step(hopfield::LogSumExpHopfield(1e4), Y, q),
                      Catch::Contains("element 1"));
    // The same data in double: pattern 0 is the best match.
    const hopfield::RowMatrix<double> Xd = X.cast<double>();
    CHECK(hopfield::step(hopfield::LogSumExpHopfield(1e4), Xd, q.cast<double>()) ==
          Xd.row(0).transpose());
}

// ---- binary models ------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("extremes: binary models with N = 1, d = 1, duplicated patterns", "[extremes]",
                   float, double) {
    using T = TestType;
    const auto check_model = [](const auto& model, const char* name) {
        INFO(name);
        // N = 1: the pattern and its negative are fixed points of the classical and of the
        // symmetric (even F) models; the pattern is one of every model here.
        const hopfield::RowMatrix<T> X = ref::random_binary<T>(1, 9, 4);
        const hopfield::Vector<T> x = X.row(0).transpose();
        CHECK(hopfield::step(model, X, x) == x);
        CHECK(hopfield::run_asynchronous(model, X, x).state == x);
        CHECK_FALSE(hopfield::fields(model, X, x).hasNaN());
        // d = 1: no NaN, and the dynamics terminates.
        const hopfield::RowMatrix<T> X1 = hopfield::RowMatrix<T>::Constant(2, 1, T(1));
        for (const T s : {T(1), T(-1)}) {
            const hopfield::Vector<T> st = hopfield::Vector<T>::Constant(1, s);
            CHECK_FALSE(hopfield::fields(model, X1, st).hasNaN());
            const auto r = hopfield::run_asynchronous(model, X1, st, {.max_sweeps = 10});
            CHECK(r.converged);
            CHECK_FALSE(std::isnan(r.energy));
        }
        // Duplicated patterns: the pattern is still a fixed point.
        hopfield::RowMatrix<T> D(3, 9);
        D << X, X, ref::random_binary<T>(1, 9, 8);
        CHECK(hopfield::step(model, D, x) == x);
        CHECK(hopfield::run_glauber(model, D, x, {.temperature = 1e-300, .sweeps = 2}).state == x);
        const auto hot = hopfield::run_glauber(model, D, x, {.temperature = 1e300, .sweeps = 2});
        CHECK((hot.state.array().abs() == T(1)).all());
        CHECK_FALSE(std::isnan(hot.energy));
    };
    check_model(hopfield::ClassicalHebbian{}, "classical");
    check_model(
        hopfield::DenseModel<hopfield::Quadratic>(hopfield::Quadratic{.keep_self_coupling = true}),
        "classical+self");
    check_model(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}),
                "polynomial 3");
    // A larger power (the agreement form has no cancellation; see "large power" below).
    check_model(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{12}),
                "polynomial 12");
    check_model(
        hopfield::DenseModel<hopfield::RectifiedPolynomial>(hopfield::RectifiedPolynomial{5}),
        "rectified 5");
    check_model(hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{1.0}),
                "exponential");

    // d = 1 classical: J_11 = 0, so the field is exactly 0 and any state is kept (tie rule).
    const hopfield::RowMatrix<T> X1 = hopfield::RowMatrix<T>::Constant(3, 1, T(-1));
    for (const T s : {T(1), T(-1)}) {
        const hopfield::Vector<T> st = hopfield::Vector<T>::Constant(1, s);
        CHECK(hopfield::fields(hopfield::ClassicalHebbian{}, X1, st)[0] == 0.0);
        CHECK(hopfield::step(hopfield::ClassicalHebbian{}, X1, st) == st);
    }
    // Duplicates make the pattern matrix rank-deficient: the pseudo-inverse rule refuses them
    // (documented), Hebb and Storkey accept them.
    hopfield::RowMatrix<T> D(2, 6);
    D << 1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1;
    CHECK_THROWS_WITH(hopfield::Couplings<T>::pseudo_inverse(D), Catch::Contains("patterns.rank"));
    const hopfield::Vector<T> x = D.row(0).transpose();
    CHECK(hopfield::step(hopfield::Couplings<T>::hebb(D), x) == x);
    CHECK(hopfield::step(hopfield::Couplings<T>::storkey(D), x) == x);
}

TEMPLATE_TEST_CASE("extremes: exponential model at beta = 1e-6 and 1e4, never NaN", "[extremes]",
                   float, double) {
    using T = TestType;
    const hopfield::RowMatrix<T> X = ref::random_binary<T>(5, 64, 12);
    const hopfield::Vector<T> x = X.row(2).transpose();
    // beta = 1e4: exp(1e4 * 64) overflows any type. No NaN anywhere, the stored pattern stays
    // a fixed point and the energy is -inf (documented: E = -sum exp(beta m) in double); the
    // fields are +-inf of the right sign (see "exponential field signs at large beta").
    const hopfield::DenseModel<hopfield::Exponential> hot(hopfield::Exponential{1e4});
    CHECK_FALSE(hopfield::fields(hot, X, x).hasNaN());
    CHECK(hopfield::step(hot, X, x) == x);
    const auto r = hopfield::run_asynchronous(hot, X, x);
    CHECK(r.state == x);
    CHECK(r.converged);
    CHECK(r.energy == -std::numeric_limits<double>::infinity());
    // Glauber dynamics at T = 1: the fields are infinite, so it is deterministic and keeps x.
    const auto g = hopfield::run_glauber(hot, X, x, {.temperature = 1.0, .sweeps = 2});
    CHECK_FALSE(std::isnan(g.energy));
    CHECK(g.state == x);
    // beta = 1e-6: F(m) = 1 + beta m + O(beta^2): the linear term dominates, so the field of
    // neuron i is ~2 beta sum_mu x_mu,i whatever the state (stored patterns are NOT fixed
    // points at such a beta: the correct behaviour of this F). Fields tiny, finite, of the
    // sign of sum_mu x_mu,i.
    const hopfield::DenseModel<hopfield::Exponential> cold(hopfield::Exponential{1e-6});
    const Eigen::VectorXd hc = hopfield::fields(cold, X, x);
    CHECK(hc.allFinite());
    for (Index i = 0; i < 64; ++i) {
        const double column = double(X.col(i).sum());  // odd N = 5: never 0
        CHECK(hc[i] * column > 0);
        CHECK(std::abs(hc[i]) == Approx(1e-6 * std::abs(column)).epsilon(1e-3));
    }
}

TEMPLATE_TEST_CASE("extremes: exact ties in the dense polynomial models keep the state",
                   "[extremes]", float, double) {
    using T = TestType;
    // Two patterns at Hamming distance 1; the state equal to either one: flipping the differing
    // neuron moves it to the other, whose energy is the same (exact integer fields: 0).
    hopfield::RowMatrix<T> X = hopfield::RowMatrix<T>::Ones(2, 7);
    X(1, 6) = -1;
    for (Index mu = 0; mu < 2; ++mu) {
        const hopfield::Vector<T> x = X.row(mu).transpose();
        const auto tie = [&](const auto& model) {
            CHECK(hopfield::fields(model, X, x)[6] == 0.0);
            CHECK(hopfield::step(model, X, x) == x);
            const auto r = hopfield::run_asynchronous(model, X, x, {.max_sweeps = 20});
            CHECK(r.converged);
            CHECK(r.state == x);
        };
        tie(hopfield::ClassicalHebbian{});
        tie(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{2}));
        tie(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{3}));
        tie(hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{6}));
        tie(hopfield::DenseModel<hopfield::RectifiedPolynomial>(hopfield::RectifiedPolynomial{3}));
    }
}

TEMPLATE_TEST_CASE("extremes: exact ties in the exponential model", "[extremes]", float, double) {
    // The same tie as above for F = exp(beta x). In the agreement form neuron 6 gets
    // D(m_0 - 1) from pattern 0 (agrees) and -D(m_1 + 1) from pattern 1 (disagrees), with
    // m_0 - 1 = m_1 + 1: the same number twice, so the field is exactly 0 and the state is kept.
    // (The linear form (X^T a)_i - sigma_i tanh(beta) sum a used before left a rounding error of
    // either sign, and asynchronous runs flipped the neuron forever.)
    using T = TestType;
    hopfield::RowMatrix<T> X = hopfield::RowMatrix<T>::Ones(2, 7);
    X(1, 6) = -1;
    for (const double beta : {0.1, 0.5, 1.0, 2.0, 3.0, 30.0, 1e3}) {
        CAPTURE(beta);
        const hopfield::DenseModel<hopfield::Exponential> model(hopfield::Exponential{beta});
        const hopfield::Vector<T> x = X.row(0).transpose();
        CHECK(hopfield::fields(model, X, x)[6] == 0.0);
        const auto r = hopfield::run_asynchronous(model, X, x, {.max_sweeps = 20});
        CHECK(r.converged);
        CHECK(r.state == x);
    }
}

TEST_CASE("extremes: exponential field signs at large beta", "[extremes]") {
    // The field of the stored pattern x is +inf * x_i (e^(1e4 * 63) overflows): the agreement
    // form gets it; the linear form P_i - sigma_i tanh(beta) S cancelled to 0 (tanh(1e4) == 1).
    const hopfield::RowMatrix<double> X = ref::random_binary<double>(5, 64, 12);
    const Eigen::VectorXd x = X.row(2).transpose();
    const Eigen::VectorXd h = hopfield::fields(
        hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{1e4}), X, x);
    for (Index i = 0; i < 64; ++i) CHECK(h[i] * x[i] == std::numeric_limits<double>::infinity());
    // A state one flip away from x: the flipped neuron's field points back to x (-inf * its
    // state), in float too, where the top pattern's D(m + 1) / D(m - 1) = e^(2e4) is inf.
    for (const bool single : {false, true}) {
        Eigen::VectorXd y = x;
        y[5] = -y[5];
        const Eigen::VectorXd hy =
            single ? hopfield::fields(
                         hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{1e4}),
                         X.cast<float>().eval(), y.cast<float>().eval())
                   : hopfield::fields(
                         hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{1e4}), X,
                         y);
        CHECK(hy[5] * y[5] == -std::numeric_limits<double>::infinity());
        CHECK_FALSE(hy.hasNaN());
    }
}

TEST_CASE("extremes: dense polynomial model with a large power", "[extremes]") {
    // One stored pattern of d = 9 and p = 1000 (the rescaled path): D(m - 1) and D(m + 1) are
    // formed separately, without cancellation, so the pattern is a fixed point. (The linear
    // form a + b lost ((m + 2) / m)^p ulps: it failed from p = 200 at d = 9.)
    const hopfield::RowMatrix<double> X = ref::random_binary<double>(1, 9, 4);
    const Eigen::VectorXd x = X.row(0).transpose();
    const hopfield::DenseModel<hopfield::Polynomial> model(hopfield::Polynomial{1000});
    CHECK(hopfield::step(model, X, x) == x);
    const Eigen::VectorXd h = hopfield::fields(model, X, x);
    for (Index i = 0; i < 9; ++i) CHECK(h[i] * x[i] > 0);
    // And at p ~ 17 d for larger d, in float and double.
    for (const Index d : {Index(32), Index(64)}) {
        const hopfield::RowMatrix<double> Y = ref::random_binary<double>(2, d, 5);
        const Eigen::VectorXd y = Y.row(0).transpose();
        const hopfield::DenseModel<hopfield::Polynomial> big(hopfield::Polynomial{int(20 * d)});
        CHECK(hopfield::step(big, Y, y) == y);
        CHECK(hopfield::step(big, Y.cast<float>().eval(), y.cast<float>().eval()) ==
              y.cast<float>());
    }
}
