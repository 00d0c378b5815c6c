// Separation maps (softmax, softmax_1, sparsemax, entmax, identity) and the interaction
// functions of the binary dense models. Every reference is computed here, independently of
// the code under test: by hand, or by a plain scalar loop in long double that uses a different
// algorithm (bisection instead of sorting, the textbook formula instead of the stable form).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <type_traits>
#include <vector>

#include <hopfield/separation/concept.hpp>
#include <hopfield/separation/entmax.hpp>
#include <hopfield/separation/identity.hpp>
#include <hopfield/separation/interaction.hpp>
#include <hopfield/separation/softmax.hpp>
#include <hopfield/separation/softmax1.hpp>
#include <hopfield/separation/sparsemax.hpp>

namespace {

using ld = long double;
using dvec = std::vector<double>;

static_assert(hopfield::SeparationMap<hopfield::Softmax1>);
static_assert(hopfield::SeparationMap<hopfield::Sparsemax>);
static_assert(hopfield::SeparationMap<hopfield::Entmax15>);
static_assert(hopfield::SeparationMap<hopfield::Entmax>);
static_assert(hopfield::SeparationMap<hopfield::Identity>);
static_assert(hopfield::Interaction<hopfield::Quadratic>);
static_assert(hopfield::Interaction<hopfield::Polynomial>);
static_assert(hopfield::Interaction<hopfield::RectifiedPolynomial>);
static_assert(hopfield::Interaction<hopfield::Exponential>);

constexpr double inf = std::numeric_limits<double>::infinity();
const std::size_t kSizes[] = {1, 3, 15, 16, 17, 1000};

// ---- independent references (long double, scalar loops) -------------------------------------

ld ref_max(const dvec& z) {
    ld m = -std::numeric_limits<ld>::infinity();
    for (double v : z) m = std::max(m, ld(v));
    return m;
}

// Textbook softmax: exp(z_i - max) / sum.
dvec ref_softmax(const dvec& z) {
    const ld m = ref_max(z);
    dvec p(z.size(), 0.0);
    if (m == -std::numeric_limits<ld>::infinity()) return p;
    ld s = 0;
    for (double v : z) s += std::exp(ld(v) - m);
    for (std::size_t i = 0; i < z.size(); ++i) p[i] = double(std::exp(ld(z[i]) - m) / s);
    return p;
}

// softmax_1 as softmax([0; z]) without its first entry (models.md).
dvec ref_softmax1(const dvec& z) {
    dvec ext(1, 0.0);
    ext.insert(ext.end(), z.begin(), z.end());
    const dvec p = ref_softmax(ext);
    return dvec(p.begin() + 1, p.end());
}

// alpha-entmax by bisection on tau in long double (alpha = 2 is sparsemax):
// p_i = [(alpha-1) z_i - tau]_+^(1/(alpha-1)), tau in [t max - 1, t max - n^-t], halved until
// the bracket stops shrinking.
dvec ref_entmax(const dvec& z, double alpha) {
    if (alpha == 1.0) return ref_softmax(z);
    const ld t = ld(alpha) - 1;
    const ld m = ref_max(z);
    dvec p(z.size(), 0.0);
    if (m == -std::numeric_limits<ld>::infinity()) return p;
    std::size_t n = 0;
    for (double v : z) n += v > -inf;
    auto weight = [&](ld v, ld tau) {
        const ld base = t * v - tau;
        return base > 0 ? std::pow(base, 1 / t) : ld(0);
    };
    ld lo = t * m - 1, hi = t * m - std::pow(ld(n), -t);
    for (int it = 0; it < 400; ++it) {
        const ld mid = (lo + hi) / 2;
        if (!(mid > lo && mid < hi)) break;
        ld s = 0;
        for (double v : z) s += v > -inf ? weight(v, mid) : 0;
        (s >= 1 ? lo : hi) = mid;
    }
    ld s = 0;
    for (double v : z) s += v > -inf ? weight(v, lo) : 0;
    for (std::size_t i = 0; i < z.size(); ++i) p[i] = z[i] > -inf ? double(weight(z[i], lo) / s) : 0.0;
    return p;
}

dvec random_scores(std::size_t n, double scale, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0.0, scale);
    dvec z(n);
    for (double& v : z) v = g(rng);
    return z;
}

template <class Scalar>
std::vector<Scalar> cast(const dvec& z) {
    return std::vector<Scalar>(z.begin(), z.end());
}

// The map applied to z (cast to Scalar), returned in double.
template <class Scalar, class Map>
dvec run(const Map& map, const dvec& z) {
    std::vector<Scalar> in = cast<Scalar>(z), out(z.size());
    map.apply(in.data(), out.data(), in.size());
    return dvec(out.begin(), out.end());
}

double max_abs_diff(const dvec& a, const dvec& b) {
    double w = 0;
    for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, std::abs(a[i] - b[i]));
    return w;
}

std::size_t support(const dvec& p) {
    return std::size_t(std::count_if(p.begin(), p.end(), [](double v) { return v > 0; }));
}

template <class Scalar>
constexpr double tol() {
    return std::is_same_v<Scalar, float> ? 2e-6 : 1e-12;
}

// Catch2 matcher-free check that a callable throws hopfield::invalid_argument naming `arg`.
template <class F>
void require_throws_naming(F&& f, const std::string& arg) {
    try {
        f();
        FAIL("no exception, expected one naming '" << arg << "'");
    } catch (const hopfield::invalid_argument& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find("'" + arg + "'") != std::string::npos);
    }
}

}  // namespace

// ---- reference values -----------------------------------------------------------------------

TEMPLATE_TEST_CASE("[separation] hand-computed values", "[separation]", float, double) {
    const dvec z = {-2.0, 0.0, 0.5};
    // sparsemax: tau = (0.5 + 0 - 1)/2 = -0.25 (support {0, 0.5}; -2 < tau).
    const dvec sp = run<TestType>(hopfield::Sparsemax{}, z);
    CHECK(sp[0] == 0.0);
    CHECK(sp[1] == Approx(0.25).margin(1e-7));
    CHECK(sp[2] == Approx(0.75).margin(1e-7));
    const dvec sp2 = run<TestType>(hopfield::Entmax(2.0), z);
    CHECK(max_abs_diff(sp2, {0.0, 0.25, 0.75}) < 1e-6);
    // 1.5-entmax: x = z/2, (0.25 - tau)^2 + (0 - tau)^2 = 1 -> tau = (0.25 - sqrt(1.9375))/2.
    const double tau = (0.25 - std::sqrt(1.9375)) / 2;
    const dvec by_hand = {0.0, tau * tau, (0.25 - tau) * (0.25 - tau)};
    CHECK(by_hand[1] == Approx(0.32600736).margin(1e-8));
    CHECK(by_hand[2] == Approx(0.67399264).margin(1e-8));
    const dvec e15 = run<TestType>(hopfield::Entmax15{}, z);
    CHECK(e15[0] == 0.0);
    CHECK(max_abs_diff(e15, by_hand) < 1e-7);
    CHECK(max_abs_diff(run<TestType>(hopfield::Entmax(1.5), z), by_hand) < 1e-6);
    // softmax_1([2, 1, 0]) = e^z / (1 + e^2 + e + 1).
    const dvec s1 = run<TestType>(hopfield::Softmax1{}, {2.0, 1.0, 0.0});
    CHECK(s1[0] == Approx(0.610296).epsilon(1e-5));
    CHECK(s1[1] == Approx(0.224515).epsilon(1e-5));
    CHECK(s1[2] == Approx(0.0825945).epsilon(1e-5));
    const double denom = 2 + std::exp(1.0) + std::exp(2.0);
    CHECK(s1[0] == Approx(std::exp(2.0) / denom).epsilon(1e-6));
}

TEMPLATE_TEST_CASE("[separation] softmax and softmax_1 match scalar loops", "[separation]", float,
                   double) {
    for (std::size_t n : kSizes) {
        for (double scale : {0.1, 3.0, 30.0}) {
            CAPTURE(n, scale);
            const dvec z = random_scores(n, scale, 17 * n + std::uint64_t(scale * 10));
            CHECK(max_abs_diff(run<TestType>(hopfield::Softmax{}, z), ref_softmax(z)) < tol<TestType>());
            CHECK(max_abs_diff(run<TestType>(hopfield::Softmax1{}, z), ref_softmax1(z)) < tol<TestType>());
            // softmax_1 is not shift-invariant: z - 5 gives different weights from z.
            dvec shifted = z;
            for (double& v : shifted) v -= 5;
            CHECK(max_abs_diff(run<TestType>(hopfield::Softmax1{}, shifted), ref_softmax1(shifted)) <
                  tol<TestType>());
        }
    }
}

TEMPLATE_TEST_CASE("[separation] sparsemax and entmax match a long double bisection",
                   "[separation]", float, double) {
    for (std::size_t n : kSizes) {
        for (double scale : {0.05, 1.0, 10.0}) {
            CAPTURE(n, scale);
            const dvec z = random_scores(n, scale, 1000 + n + std::uint64_t(scale * 100));
            const double t = std::is_same_v<TestType, float> ? 2e-6 : 1e-10;
            CHECK(max_abs_diff(run<TestType>(hopfield::Sparsemax{}, z), ref_entmax(z, 2.0)) < t);
            CHECK(max_abs_diff(run<TestType>(hopfield::Entmax15{}, z), ref_entmax(z, 1.5)) < t);
            for (double alpha : {1.001, 1.1, 1.3, 1.5, 1.75, 2.0}) {
                CAPTURE(alpha);
                CHECK(max_abs_diff(run<TestType>(hopfield::Entmax(alpha), z), ref_entmax(z, alpha)) < t);
            }
        }
    }
}

TEMPLATE_TEST_CASE("[separation] entmax bisection agrees with the exact sort-based maps",
                   "[separation]", float, double) {
    for (std::size_t n : kSizes) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            CAPTURE(n, seed);
            const dvec z = random_scores(n, 2.0, seed * 7919 + n);
            CHECK(max_abs_diff(run<TestType>(hopfield::Entmax(2.0), z),
                               run<TestType>(hopfield::Sparsemax{}, z)) < 1e-5);
            CHECK(max_abs_diff(run<TestType>(hopfield::Entmax(1.5), z),
                               run<TestType>(hopfield::Entmax15{}, z)) < 1e-5);
        }
    }
}

TEMPLATE_TEST_CASE("[separation] entmax tends to softmax as alpha -> 1", "[separation]", float,
                   double) {
    for (std::size_t n : kSizes) {
        CAPTURE(n);
        const dvec z = random_scores(n, 1.5, 77 + n);
        const dvec soft = ref_softmax(z);
        // alpha = 1 (and within 1e-6 of it) is softmax itself, bit for bit.
        CHECK(run<TestType>(hopfield::Entmax(1.0), z) == run<TestType>(hopfield::Softmax{}, z));
        CHECK(run<TestType>(hopfield::Entmax(1.0 + 5e-7), z) == run<TestType>(hopfield::Softmax{}, z));
        // First order in t = alpha - 1: log p_i = z_i - t (z_i - c)^2 / 2 + const with
        // c = log sum exp z, so dp_i/dt = p_i/2 (E_p[(z - c)^2] - (z_i - c)^2) at softmax p.
        ld c = 0;
        {
            const ld m = ref_max(z);
            ld s = 0;
            for (double v : z) s += std::exp(ld(v) - m);
            c = m + std::log(s);
        }
        ld mean_sq = 0;
        for (std::size_t i = 0; i < n; ++i) mean_sq += soft[i] * (z[i] - c) * (z[i] - c);
        dvec slope(n);
        for (std::size_t i = 0; i < n; ++i)
            slope[i] = double(soft[i] / 2 * (mean_sq - (z[i] - c) * (z[i] - c)));
        double worst_slope = 0;
        for (double v : slope) worst_slope = std::max(worst_slope, std::abs(v));
        for (double t : {1e-3, 1e-4}) {
            CAPTURE(t);
            const dvec p = run<TestType>(hopfield::Entmax(1.0 + t), z);
            dvec diff(n), predicted(n);
            for (std::size_t i = 0; i < n; ++i) {
                diff[i] = p[i] - soft[i];
                predicted[i] = t * slope[i];
            }
            // |entmax - softmax| = t |dp/dt| + O(t^2): of the order of 0.46 t (models.md).
            CHECK(max_abs_diff(diff, predicted) < 20 * t * t + 4 * tol<TestType>());
            double worst = 0;
            for (double v : diff) worst = std::max(worst, std::abs(v));
            CHECK(worst <= 2.0 * t);
            CHECK(worst == Approx(t * worst_slope).epsilon(0.05).margin(4 * tol<TestType>()));
        }
    }
}

TEMPLATE_TEST_CASE("[separation] outputs lie on the simplex", "[separation]", float, double) {
    const double sum_tol = std::is_same_v<TestType, float> ? 1e-5 : 1e-12;
    for (std::size_t n : kSizes) {
        for (double scale : {0.01, 1.0, 50.0}) {
            CAPTURE(n, scale);
            const dvec z = random_scores(n, scale, 5 * n + std::uint64_t(scale));
            auto check = [&](const dvec& p, bool sums_to_one) {
                double s = 0;
                for (double v : p) {
                    CHECK(v >= 0.0);
                    CHECK(v <= 1.0);
                    s += v;
                }
                if (sums_to_one) {
                    CHECK(s == Approx(1.0).margin(sum_tol));
                } else {  // 1 - sum = 1 / (1 + sum exp z) >= exp(-max z) / (n + 1)
                    CHECK(s <= 1.0 + sum_tol);
                    if (*std::max_element(z.begin(), z.end()) < 8) CHECK(s < 1.0);
                }
            };
            check(run<TestType>(hopfield::Softmax{}, z), true);
            check(run<TestType>(hopfield::Sparsemax{}, z), true);
            check(run<TestType>(hopfield::Entmax15{}, z), true);
            for (double alpha : {1.0, 1.01, 1.2, 1.5, 1.9, 2.0}) check(run<TestType>(hopfield::Entmax(alpha), z), true);
            check(run<TestType>(hopfield::Softmax1{}, z), false);
        }
    }
    // softmax_1 -> 0 when every score is very negative; softmax stays normalised.
    const dvec low(10, -200.0);
    for (double v : run<TestType>(hopfield::Softmax1{}, low)) CHECK(v < 1e-80);
    const dvec lower(10, -50.0);
    double s = 0;
    for (double v : run<TestType>(hopfield::Softmax1{}, lower)) s += v;
    CHECK(s == Approx(10 * std::exp(-50.0)).epsilon(1e-4));
}

TEMPLATE_TEST_CASE("[separation] masked scores get exactly zero", "[separation]", float, double) {
    dvec z = random_scores(37, 2.0, 99);
    for (std::size_t i = 0; i < z.size(); i += 3) z[i] = -inf;
    dvec unmasked;
    for (double v : z)
        if (v > -inf) unmasked.push_back(v);
    auto check = [&](const dvec& p, const dvec& p_unmasked) {
        std::size_t k = 0;
        for (std::size_t i = 0; i < z.size(); ++i) {
            CHECK(!std::isnan(p[i]));
            if (z[i] == -inf) CHECK(p[i] == 0.0);
            else CHECK(p[i] == Approx(p_unmasked[k++]).margin(1e-6));
        }
    };
    check(run<TestType>(hopfield::Softmax{}, z), ref_softmax(unmasked));
    check(run<TestType>(hopfield::Softmax1{}, z), ref_softmax1(unmasked));
    check(run<TestType>(hopfield::Sparsemax{}, z), ref_entmax(unmasked, 2.0));
    check(run<TestType>(hopfield::Entmax15{}, z), ref_entmax(unmasked, 1.5));
    for (double alpha : {1.0, 1.05, 1.5, 2.0}) check(run<TestType>(hopfield::Entmax(alpha), z), ref_entmax(unmasked, alpha));

    // Every score masked: all zeros, no NaN (the library's all-masked policy).
    for (std::size_t n : {std::size_t(1), std::size_t(5), std::size_t(40)}) {
        const dvec all(n, -inf);
        auto zeros = [&](const dvec& p) {
            for (double v : p) CHECK(v == 0.0);
        };
        zeros(run<TestType>(hopfield::Softmax{}, all));
        zeros(run<TestType>(hopfield::Softmax1{}, all));
        zeros(run<TestType>(hopfield::Sparsemax{}, all));
        zeros(run<TestType>(hopfield::Entmax15{}, all));
        zeros(run<TestType>(hopfield::Entmax(1.0), all));
        zeros(run<TestType>(hopfield::Entmax(1.3), all));
        zeros(run<TestType>(hopfield::Entmax(2.0), all));
    }
    // n = 0 is a no-op.
    CHECK(run<TestType>(hopfield::Sparsemax{}, {}).empty());
    CHECK(run<TestType>(hopfield::Entmax(1.5), {}).empty());
}

TEMPLATE_TEST_CASE("[separation] huge scores give no NaN or Inf", "[separation]", float, double) {
    // Scores of order 1e8 times beta = 1e4: z ~ 1e12.
    for (std::size_t n : kSizes) {
        CAPTURE(n);
        dvec z = random_scores(n, 1e8, 4242 + n);
        for (double& v : z) v *= 1e4;
        auto check = [&](const dvec& p, bool sums_to_one) {
            double s = 0;
            for (double v : p) {
                CHECK(std::isfinite(v));
                CHECK(v >= 0.0);
                CHECK(v <= 1.0);
                s += v;
            }
            if (sums_to_one) CHECK(s == Approx(1.0).margin(1e-5));
        };
        check(run<TestType>(hopfield::Softmax{}, z), true);
        check(run<TestType>(hopfield::Softmax1{}, z), false);
        check(run<TestType>(hopfield::Sparsemax{}, z), true);
        check(run<TestType>(hopfield::Entmax15{}, z), true);
        for (double alpha : {1.0, 1.001, 1.5, 2.0}) check(run<TestType>(hopfield::Entmax(alpha), z), true);
        // Very negative everywhere: softmax_1 gives (near) zero weights, not NaN.
        dvec neg = z;
        for (double& v : neg) v = -std::abs(v) - 1e12;
        for (double v : run<TestType>(hopfield::Softmax1{}, neg)) CHECK(v == 0.0);
        // The conjugates stay finite too.
        std::vector<TestType> zs = cast<TestType>(z), p(n);
        hopfield::Sparsemax{}.apply(zs.data(), p.data(), n);
        CHECK(std::isfinite(hopfield::Sparsemax{}.conjugate(zs.data(), p.data(), n)));
        hopfield::Entmax(1.3).apply(zs.data(), p.data(), n);
        CHECK(std::isfinite(hopfield::Entmax(1.3).conjugate(zs.data(), p.data(), n)));
        CHECK(std::isfinite(hopfield::Softmax1{}.conjugate(zs.data(), p.data(), n)));
    }
}

TEMPLATE_TEST_CASE("[separation] bad scores throw naming 'scores'", "[separation]", float, double) {
    using T = TestType;
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const T pinf = std::numeric_limits<T>::infinity();
    for (T bad : {nan, pinf}) {
        std::vector<T> z = {T(1), bad, T(0)}, p(3);
        require_throws_naming([&] { hopfield::Softmax{}.apply(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Softmax1{}.apply(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Sparsemax{}.apply(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Entmax15{}.apply(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Entmax(1.0).apply(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Entmax(1.7).apply(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Identity{}.apply(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Sparsemax{}.conjugate(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Entmax(1.7).conjugate(z.data(), p.data(), 3); }, "scores");
        require_throws_naming([&] { hopfield::Softmax1{}.conjugate(z.data(), p.data(), 3); }, "scores");
    }
    // The identity has no masking: -inf throws too.
    std::vector<T> masked = {T(1), -pinf}, out(2);
    require_throws_naming([&] { hopfield::Identity{}.apply(masked.data(), out.data(), 2); }, "scores");
    require_throws_naming([&] { hopfield::Identity{}.conjugate(masked.data(), out.data(), 2); }, "scores");
    // The message names the map.
    std::vector<T> z = {nan};
    CHECK_THROWS_WITH(hopfield::Entmax15{}.apply(z.data(), z.data(), 1), Catch::Contains("entmax15"));
}

TEST_CASE("[separation] bad parameters throw naming the argument", "[separation]") {
    for (double alpha : {0.999, 0.0, -1.0, 2.0001, 3.0, std::nan(""), inf})
        require_throws_naming([&] { hopfield::Entmax{alpha}; }, "alpha");
    CHECK_NOTHROW(hopfield::Entmax(1.0));
    CHECK_NOTHROW(hopfield::Entmax(2.0));
    CHECK(hopfield::Entmax(1.25).alpha() == 1.25);
    for (int p : {1, 0, -3}) {
        require_throws_naming([&] { hopfield::Polynomial{p}; }, "p");
        require_throws_naming([&] { hopfield::RectifiedPolynomial{p}; }, "p");
    }
    CHECK(hopfield::Polynomial(2).p() == 2);
    for (double beta : {0.0, -1.0, std::nan(""), inf})
        require_throws_naming([&] { hopfield::Exponential{beta}; }, "beta");
    const double m[2] = {1, 2};
    double a[2], b[2];
    require_throws_naming([&] { hopfield::Quadratic{}.differences(m, 2, 0, a, b); }, "dim");
    require_throws_naming([&] { hopfield::Quadratic{}.energy(m, 2, -4); }, "dim");
}

TEMPLATE_TEST_CASE("[separation] the support does not grow with alpha or beta", "[separation]",
                   float, double) {
    for (std::size_t n : kSizes) {
        for (std::uint64_t seed : {11u, 12u}) {
            CAPTURE(n, seed);
            const dvec s = random_scores(n, 1.0, seed * 31 + n);
            // Growing alpha at fixed beta = 1 (exact maps at 1.5 and 2, bisection elsewhere).
            std::size_t previous = n;
            for (double alpha : {1.05, 1.2, 1.4, 1.5, 1.6, 1.8, 1.95, 2.0}) {
                CAPTURE(alpha);
                const std::size_t k = support(run<TestType>(hopfield::Entmax(alpha), s));
                CHECK(k >= 1);
                CHECK(k <= previous);
                previous = k;
                if (alpha == 1.5) CHECK(support(run<TestType>(hopfield::Entmax15{}, s)) == k);
                if (alpha == 2.0) CHECK(support(run<TestType>(hopfield::Sparsemax{}, s)) == k);
            }
            // Growing beta at fixed alpha: z = beta s.
            std::size_t prev_sp = n, prev_15 = n, prev_13 = n;
            for (double beta : {0.1, 0.5, 1.0, 2.0, 4.0, 16.0, 100.0}) {
                CAPTURE(beta);
                dvec z = s;
                for (double& v : z) v *= beta;
                const std::size_t sp = support(run<TestType>(hopfield::Sparsemax{}, z));
                const std::size_t e15 = support(run<TestType>(hopfield::Entmax15{}, z));
                const std::size_t e13 = support(run<TestType>(hopfield::Entmax(1.3), z));
                CHECK(sp <= prev_sp);
                CHECK(e15 <= prev_15);
                CHECK(e13 <= prev_13);
                CHECK(sp <= e15);  // and, at fixed beta, smaller alpha never has a smaller support
                CHECK(e15 <= e13);
                prev_sp = sp;
                prev_15 = e15;
                prev_13 = e13;
            }
        }
    }
}

TEST_CASE("[separation] conjugates: gradient is the map (finite differences)", "[separation]") {
    // d Psi*(z) / d z_i = p_i, checked by central differences in double at several points,
    // including masked entries (their partial derivative is 0 and they must not produce NaN).
    const double h = 1e-6;
    auto check_map = [&](const auto& map, const dvec& z0) {
        const std::size_t n = z0.size();
        dvec p(n);
        map.apply(z0.data(), p.data(), n);
        const double c0 = map.conjugate(z0.data(), p.data(), n);
        CHECK(std::isfinite(c0));
        for (std::size_t i = 0; i < n; ++i) {
            if (z0[i] == -inf) continue;
            dvec zp = z0, zm = z0, pp(n), pm(n);
            zp[i] += h;
            zm[i] -= h;
            map.apply(zp.data(), pp.data(), n);
            map.apply(zm.data(), pm.data(), n);
            const double grad = (map.conjugate(zp.data(), pp.data(), n) -
                                 map.conjugate(zm.data(), pm.data(), n)) / (2 * h);
            CAPTURE(map.name, i, z0[i]);
            CHECK(grad == Approx(p[i]).margin(2e-7));
        }
    };
    for (std::size_t n : {std::size_t(1), std::size_t(4), std::size_t(9)}) {
        for (std::uint64_t seed : {5u, 6u}) {
            dvec z = random_scores(n, 1.5, seed + 100 * n);
            for (int masked = 0; masked < 2; ++masked) {
                if (masked && n > 1) z[n / 2] = -inf;
                CAPTURE(n, seed, masked);
                check_map(hopfield::Softmax{}, z);
                check_map(hopfield::Softmax1{}, z);
                check_map(hopfield::Sparsemax{}, z);
                check_map(hopfield::Entmax15{}, z);
                for (double alpha : {1.0, 1.0 + 1e-3, 1.3, 1.5, 1.8, 2.0}) check_map(hopfield::Entmax(alpha), z);
                if (!masked) check_map(hopfield::Identity{}, z);
            }
        }
    }
}

TEMPLATE_TEST_CASE("[separation] conjugate values", "[separation]", float, double) {
    using T = TestType;
    const dvec zd = {-2.0, 0.0, 0.5, -inf};
    std::vector<T> z = cast<T>(zd), p(4);
    // sparsemax: p = (0, 1/4, 3/4, 0): <p,z> - |p|^2/2 + 1/2 = 3/8 - 5/16 + 1/2 = 9/16.
    hopfield::Sparsemax{}.apply(z.data(), p.data(), 4);
    CHECK(hopfield::Sparsemax{}.conjugate(z.data(), p.data(), 4) == Approx(9.0 / 16).margin(1e-6));
    hopfield::Entmax(2.0).apply(z.data(), p.data(), 4);
    CHECK(hopfield::Entmax(2.0).conjugate(z.data(), p.data(), 4) == Approx(9.0 / 16).margin(1e-5));
    // 1.5-entmax: <p,z> + (1 - sum p^1.5) / 0.75 with the hand-computed p.
    const double tau = (0.25 - std::sqrt(1.9375)) / 2;
    const double q1 = tau * tau, q2 = (0.25 - tau) * (0.25 - tau);
    const double e15 = 0.5 * q2 + (1 - std::pow(q1, 1.5) - std::pow(q2, 1.5)) / 0.75;
    hopfield::Entmax15{}.apply(z.data(), p.data(), 4);
    CHECK(hopfield::Entmax15{}.conjugate(z.data(), p.data(), 4) == Approx(e15).margin(1e-6));
    // softmax_1: log(1 + e^-2 + 1 + e^0.5).
    const double s1 = std::log(2 + std::exp(-2.0) + std::exp(0.5));
    CHECK(hopfield::Softmax1{}.conjugate(z.data(), p.data(), 4) == Approx(s1).epsilon(1e-6));
    // Entmax(1) is log-sum-exp.
    hopfield::Entmax(1.0).apply(z.data(), p.data(), 4);
    const double lse = std::log(std::exp(-2.0) + 1 + std::exp(0.5));
    CHECK(hopfield::Entmax(1.0).conjugate(z.data(), p.data(), 4) == Approx(lse).epsilon(1e-6));
    // Tsallis tends to Shannon: the alpha = 1 + 1e-5 conjugate is within ~1e-5 of lse.
    hopfield::Entmax(1.0 + 1e-5).apply(z.data(), p.data(), 4);
    CHECK(hopfield::Entmax(1.0 + 1e-5).conjugate(z.data(), p.data(), 4) == Approx(lse).margin(1e-4));
    // identity: |z|^2 / 2.
    std::vector<T> w = {T(1), T(-2), T(0.5)};
    CHECK(hopfield::Identity{}.conjugate(w.data(), w.data(), 3) == Approx(2.625));
    // All masked: -inf for the simplex maps, log(1) = 0 for softmax_1.
    std::vector<T> all(3, -std::numeric_limits<T>::infinity()), q(3);
    hopfield::Sparsemax{}.apply(all.data(), q.data(), 3);
    CHECK(hopfield::Sparsemax{}.conjugate(all.data(), q.data(), 3) == -inf);
    CHECK(hopfield::Entmax15{}.conjugate(all.data(), q.data(), 3) == -inf);
    CHECK(hopfield::Entmax(1.4).conjugate(all.data(), q.data(), 3) == -inf);
    CHECK(hopfield::Softmax1{}.conjugate(all.data(), q.data(), 3) == 0.0);
}

TEMPLATE_TEST_CASE("[separation] in-place use, identity, and the Eigen helper", "[separation]",
                   float, double) {
    using T = TestType;
    const dvec zd = random_scores(33, 1.0, 2024);
    auto in_place = [&](const auto& map) {
        std::vector<T> buf = cast<T>(zd);
        map.apply(buf.data(), buf.data(), buf.size());
        CHECK(dvec(buf.begin(), buf.end()) == run<T>(map, zd));
    };
    in_place(hopfield::Softmax1{});
    in_place(hopfield::Sparsemax{});
    in_place(hopfield::Entmax15{});
    in_place(hopfield::Entmax(1.7));
    in_place(hopfield::Identity{});
    const dvec id = run<T>(hopfield::Identity{}, zd);
    for (std::size_t i = 0; i < zd.size(); ++i) CHECK(id[i] == double(T(zd[i])));
    hopfield::Vector<T> v(3);
    v << T(-2), T(0), T(0.5);
    const hopfield::Vector<T> out = hopfield::separate(hopfield::Sparsemax{}, v);
    CHECK(out(2) == Approx(0.75));
}

TEST_CASE("[separation] maps are safe to call from several threads", "[separation]") {
    // Each thread uses its own scratch buffer; sizes differ so the buffers grow differently.
    const dvec big = random_scores(3000, 1.0, 1), small = random_scores(50, 1.0, 2);
    const dvec want_big = run<double>(hopfield::Sparsemax{}, big);
    const dvec want_small = run<double>(hopfield::Entmax15{}, small);
    bool ok[2] = {true, true};
    std::thread t1([&] {
        for (int r = 0; r < 50; ++r) ok[0] &= run<double>(hopfield::Sparsemax{}, big) == want_big;
    });
    std::thread t2([&] {
        for (int r = 0; r < 200; ++r) ok[1] &= run<double>(hopfield::Entmax15{}, small) == want_small;
    });
    t1.join();
    t2.join();
    CHECK(ok[0]);
    CHECK(ok[1]);
}

// ---- interaction functions -------------------------------------------------------------------

namespace {

// D(y) = F(y+1) - F(y-1) straight from the definition, with F in long double.
template <class F>
ld naive_D(F&& f, ld y) {
    return f(y + 1) - f(y - 1);
}

ld ld_pow(ld x, int p) {
    ld r = 1;
    for (int k = 0; k < p; ++k) r *= x;
    return r;
}

// agree = D(m - 1), disagree = D(m + 1), both times exp(log_scale), against the long double
// definition: relative to each value, with an absolute floor at rel * (largest value) * 1e-6.
template <class I, class F>
void check_differences(const I& inter, F&& f, const dvec& m, std::ptrdiff_t dim, double rel) {
    dvec agree(m.size()), disagree(m.size());
    const double log_scale = inter.differences(m.data(), m.size(), dim, agree.data(), disagree.data());
    CHECK(std::isfinite(log_scale));
    const ld scale = std::exp(ld(log_scale));
    ld big = 0;
    for (double v : m) big = std::max({big, std::abs(naive_D(f, ld(v) - 1)), std::abs(naive_D(f, ld(v) + 1))});
    for (std::size_t mu = 0; mu < m.size(); ++mu) {
        const ld da = naive_D(f, ld(m[mu]) - 1), dd = naive_D(f, ld(m[mu]) + 1);
        CAPTURE(I::name, m[mu], double(da), double(dd), agree[mu], disagree[mu], log_scale);
        CHECK(std::isfinite(agree[mu]));
        CHECK(std::isfinite(disagree[mu]));
        CHECK(double(std::abs(ld(agree[mu]) * scale - da)) <= rel * double(std::abs(da)) + 1e-6 * rel * double(big));
        CHECK(double(std::abs(ld(disagree[mu]) * scale - dd)) <= rel * double(std::abs(dd)) + 1e-6 * rel * double(big));
    }
}

// log |D(y)| for F = x^p and |y| >= 1, in double without long double and without cancellation:
// |D(y)| = (|y|+1)^p - (|y|-1)^p = (|y|+1)^p (1 - ((|y|-1)/(|y|+1))^p).
double log_abs_D_pow(int p, double y) {
    const double t = std::abs(y);
    return p * std::log(t + 1) + std::log(-std::expm1(p * std::log1p(-2 / (t + 1))));
}

}  // namespace

TEST_CASE("[separation] interaction differences match the definition", "[separation]") {
    dvec small;
    for (int v = -8; v <= 8; ++v) small.push_back(v);
    small.push_back(0.5);
    small.push_back(-1.5);

    SECTION("quadratic: agree = m - 1, disagree = m + 1 exactly, scale 2/dim") {
        const std::ptrdiff_t dim = 10;
        check_differences(hopfield::Quadratic{}, [&](ld x) { return x * x / (2 * dim); }, small, dim, 1e-14);
        dvec agree(small.size()), disagree(small.size());
        const double ls = hopfield::Quadratic{}.differences(small.data(), small.size(), dim, agree.data(), disagree.data());
        CHECK(ls == std::log(2.0 / 10));
        for (std::size_t mu = 0; mu < small.size(); ++mu) {
            CHECK(agree[mu] == small[mu] - 1);
            CHECK(disagree[mu] == small[mu] + 1);
        }
        // With the self-coupling kept both are m: the field gains 2 (N/dim) sigma_i.
        hopfield::Quadratic self{true};
        CHECK(self.differences(small.data(), small.size(), dim, agree.data(), disagree.data()) == std::log(2.0 / 10));
        for (std::size_t mu = 0; mu < small.size(); ++mu) {
            CHECK(agree[mu] == small[mu]);
            CHECK(disagree[mu] == small[mu]);
        }
        CHECK(hopfield::Quadratic{}.F(3.0) == 4.5);
    }
    SECTION("polynomial and rectified, direct range") {
        for (int p = 2; p <= 9; ++p) {
            CAPTURE(p);
            auto poly = [&](ld x) { return ld_pow(x, p); };
            auto rect = [&](ld x) { return x > 0 ? ld_pow(x, p) : ld(0); };
            check_differences(hopfield::Polynomial(p), poly, small, 16, 1e-15);
            check_differences(hopfield::RectifiedPolynomial(p), rect, small, 16, 1e-15);
            dvec agree(small.size()), disagree(small.size());
            CHECK(hopfield::Polynomial(p).differences(small.data(), small.size(), 16, agree.data(), disagree.data()) == 0.0);
            // Integer overlaps give integer differences, exactly (all below 10^9 here).
            for (std::size_t mu = 0; mu < 17; ++mu) {
                CAPTURE(small[mu]);
                CHECK(agree[mu] == double(naive_D(poly, ld(small[mu]) - 1)));
                CHECK(disagree[mu] == double(naive_D(poly, ld(small[mu]) + 1)));
            }
            CHECK(hopfield::RectifiedPolynomial(p).differences(small.data(), small.size(), 16, agree.data(), disagree.data()) == 0.0);
            for (std::size_t mu = 0; mu < 17; ++mu) {
                CAPTURE(small[mu]);
                CHECK(agree[mu] == double(naive_D(rect, ld(small[mu]) - 1)));
                CHECK(disagree[mu] == double(naive_D(rect, ld(small[mu]) + 1)));
            }
        }
        // p = 3, m = 5: agree = D(4) = 5^3 - 3^3 = 98, disagree = D(6) = 7^3 - 5^3 = 218, exactly.
        const double m5 = 5;
        double agree, disagree;
        CHECK(hopfield::Polynomial(3).differences(&m5, 1, 1, &agree, &disagree) == 0.0);
        CHECK(agree == 98.0);
        CHECK(disagree == 218.0);
        hopfield::RectifiedPolynomial(3).differences(&m5, 1, 1, &agree, &disagree);
        CHECK(agree == 98.0);
        CHECK(disagree == 218.0);
        // No cancellation: with p = 5 and m = 3000, F(m +- 2) ~ 2.4e17 > 2^53, yet the differences
        // are integers below 2^53 and come out exact (reference in 64-bit integers, all < 2^63).
        const std::pair<int, std::int64_t> cases[] = {{5, 3000}, {5, -2999}, {5, 77}, {11, 20}, {11, -19},
                                                      {11, 3},   {4, 9000},  {4, -9001}, {3, 1}, {4, -1}};
        for (const auto& [p, m] : cases) {
            CAPTURE(p, m);
            auto pw = [p = p](std::int64_t x) {
                std::int64_t r = 1;
                for (int k = 0; k < p; ++k) r *= x;
                return r;
            };
            auto pw_rect = [&](std::int64_t x) { return x > 0 ? pw(x) : std::int64_t(0); };
            const std::int64_t ea = pw(m) - pw(m - 2), ed = pw(m + 2) - pw(m);  // D(m - 1), D(m + 1)
            const std::int64_t ra = pw_rect(m) - pw_rect(m - 2), rd = pw_rect(m + 2) - pw_rect(m);
            REQUIRE(std::abs(ea) < (std::int64_t(1) << 53));
            REQUIRE(std::abs(ed) < (std::int64_t(1) << 53));
            const double md = double(m);
            CHECK(hopfield::Polynomial(p).differences(&md, 1, 1, &agree, &disagree) == 0.0);
            CHECK(agree == double(ea));
            CHECK(disagree == double(ed));
            CHECK(hopfield::RectifiedPolynomial(p).differences(&md, 1, 1, &agree, &disagree) == 0.0);
            CHECK(agree == double(ra));
            CHECK(disagree == double(rd));
        }
    }
    SECTION("polynomial: no cancellation at large p") {
        // The linear form a +- b formed D(m - 1) and D(m + 1) as differences of numbers
        // ((m + 2)/m)^p times larger; each difference is now its own one-signed sum. p = 60 is
        // past exact binomials (C(60, 30) > 2^53), hence the tolerance of a few ulps.
        const double rel = std::numeric_limits<ld>::digits >= 64 ? 1e-14 : 1e-13;  // reference error
        const dvec m = {1, 2, 3, 9, 31, -1, -2, -9, -31};
        for (int p : {20, 60}) {
            auto poly = [&](ld x) { return ld_pow(x, p); };
            dvec agree(m.size()), disagree(m.size());
            const double ls = hopfield::Polynomial(p).differences(m.data(), m.size(), 64, agree.data(), disagree.data());
            CHECK(ls == 0.0);  // (2 * 31 + 4)^60 ~ 2^363: direct
            for (std::size_t mu = 0; mu < m.size(); ++mu) {
                const ld da = naive_D(poly, ld(m[mu]) - 1), dd = naive_D(poly, ld(m[mu]) + 1);
                CAPTURE(p, m[mu], double(da), double(dd), agree[mu], disagree[mu]);
                // Purely relative (D(0) = 0 for even p must come out exactly 0).
                CHECK(double(std::abs(ld(agree[mu]) - da)) <= rel * double(std::abs(da)));
                CHECK(double(std::abs(ld(disagree[mu]) - dd)) <= rel * double(std::abs(dd)));
            }
        }
    }
    SECTION("polynomial and rectified, rescaled beyond 1e300") {
        if constexpr (std::numeric_limits<ld>::max_exponent10 > 1000) {  // x87 long double
            const dvec m = {-100, -57, -7, -1, 0, 1, 2, 3, 50, 99, 100};
            check_differences(hopfield::Polynomial(200), [](ld x) { return ld_pow(x, 200); }, m, 128, 1e-11);
            check_differences(hopfield::Polynomial(201), [](ld x) { return ld_pow(x, 201); }, m, 128, 1e-11);
            check_differences(hopfield::RectifiedPolynomial(201),
                              [](ld x) { return x > 0 ? ld_pow(x, 201) : ld(0); }, m, 128, 1e-11);
            const dvec tiny = {-2, -1, 0, 1, 1.5, 2};
            check_differences(hopfield::Polynomial(1000), [](ld x) { return ld_pow(x, 1000); }, tiny, 8, 1e-10);
            check_differences(hopfield::RectifiedPolynomial(700),
                              [](ld x) { return x > 0 ? ld_pow(x, 700) : ld(0); }, tiny, 8, 1e-10);
        }
        // Whatever long double is: finite, at most 2^990, a positive log scale that is an exact
        // power of two, values against a double log-domain reference, and the symmetry of D:
        // D(-y) = -D(y) for even p, D(-y) = D(y) for odd p, so agree(-m) = D(-(m+1)) =
        // -+disagree(m) and disagree(-m) = D(-(m-1)) = -+agree(m).
        const dvec m = {-1000, -3, 0, 4, 1000};
        for (int p : {150, 151}) {
            CAPTURE(p);
            const double sign = p % 2 == 0 ? -1.0 : 1.0;
            dvec agree(m.size()), disagree(m.size());
            const double ls = hopfield::Polynomial(p).differences(m.data(), m.size(), 1000, agree.data(), disagree.data());
            CHECK(ls > 0);
            const double s = std::round(ls / std::numbers::ln2);
            CHECK(ls == s * std::numbers::ln2);
            for (std::size_t mu = 0; mu < m.size(); ++mu) {
                CAPTURE(m[mu], agree[mu], disagree[mu], ls);
                CHECK(std::isfinite(agree[mu]));
                CHECK(std::isfinite(disagree[mu]));
                CHECK(std::abs(agree[mu]) <= std::ldexp(1.0, 990));
                CHECK(std::abs(disagree[mu]) <= std::ldexp(1.0, 990));
                for (const auto& [value, y] : {std::pair{agree[mu], m[mu] - 1}, std::pair{disagree[mu], m[mu] + 1}}) {
                    const double want = std::exp(log_abs_D_pow(p, y) - ls);
                    CHECK(std::abs(value) == Approx(want).epsilon(1e-12));
                    CHECK((value > 0) == (y > 0 || p % 2 == 1));  // D has the sign of y^(p-1)
                }
            }
            CHECK(agree[0] == sign * disagree[4]);
            CHECK(disagree[0] == sign * agree[4]);
            CHECK(agree[2] == sign * disagree[2]);
            CHECK(disagree[4] > agree[4]);  // |D| grows with |y|
            // Rectified, same p: D(y) = 0 for y <= -1 exactly, the polynomial's for y >= 1.
            dvec ragree(m.size()), rdisagree(m.size());
            const double rls = hopfield::RectifiedPolynomial(p).differences(m.data(), m.size(), 1000, ragree.data(),
                                                                            rdisagree.data());
            CHECK(rls == ls);  // the same top overlap, 1000
            CHECK(ragree[0] == 0.0);  // m = -1000, -3: both arguments of D <= -1
            CHECK(rdisagree[0] == 0.0);
            CHECK(ragree[1] == 0.0);
            CHECK(rdisagree[1] == 0.0);
            CHECK(ragree[2] == 0.0);                                            // D(-1) = F(0) - F(-2)
            CHECK(rdisagree[2] == Approx(std::exp(p * std::log(2.0) - ls)).epsilon(1e-12));  // D(1) = 2^p
            CHECK(ragree[4] == agree[4]);
            CHECK(rdisagree[4] == disagree[4]);
        }
    }
    SECTION("exponential, log domain") {
        for (double beta : {0.05, 0.3, 1.0, 2.5}) {
            CAPTURE(beta);
            check_differences(hopfield::Exponential(beta), [&](ld x) { return std::exp(ld(beta) * x); }, small, 8, 1e-13);
        }
        // Large beta: exp(800 * 8) overflows a double, the log scale and the agree values do not.
        // log_scale = beta (M - 1) + log(2 sinh beta), M = 8, and log(2 sinh 800) = 800 (to
        // e^-1600); agree = exp(beta (m - M)), disagree = exp(beta (m - M + 2)), +inf past 709.78.
        const double beta = 800;
        dvec agree(small.size()), disagree(small.size());
        const double ls = hopfield::Exponential(beta).differences(small.data(), small.size(), 8, agree.data(), disagree.data());
        CHECK(std::isfinite(ls));
        CHECK(ls == Approx(beta * 7 + beta).epsilon(1e-14));
        double top = 0;
        for (std::size_t mu = 0; mu < small.size(); ++mu) {
            CAPTURE(small[mu], agree[mu], disagree[mu]);
            CHECK(std::isfinite(agree[mu]));
            CHECK(agree[mu] >= 0.0);
            CHECK(agree[mu] == std::exp(beta * (small[mu] - 8)));
            top = std::max(top, agree[mu]);
            const double e = beta * (small[mu] - 8 + 2);
            if (e > 709.79) {
                CHECK(disagree[mu] == inf);
            } else {
                CHECK(std::isfinite(disagree[mu]));
                CHECK(disagree[mu] == std::exp(e));
            }
        }
        CHECK(top == 1.0);
        CHECK(agree[16] == 1.0);     // m = 8
        CHECK(disagree[14] == 1.0);  // m = 6: exp(0)
        CHECK(disagree[15] == inf);  // m = 7: exp(800)
        CHECK(hopfield::Exponential(2.0).beta() == 2.0);
        // No overlaps: nothing to scale.
        CHECK(hopfield::Exponential(2.0).differences(nullptr, 0, 8, nullptr, nullptr) == 0.0);
    }
}

TEST_CASE("[separation] interaction fields and energies from a brute-force network", "[separation]") {
    // A small +-1 network: the field
    //     exp(log_scale) sigma_i (sum_{x_mu,i = sigma_i} agree_mu - sum_{x_mu,i != sigma_i} disagree_mu)
    // must equal the energy difference E(sigma_i = -1) - E(sigma_i = +1) with E from energy().
    const std::size_t N = 6, d = 13;
    std::mt19937_64 rng(3);
    std::vector<dvec> X(N, dvec(d));
    dvec sigma(d);
    for (auto& x : X)
        for (double& v : x) v = (rng() & 1) ? 1.0 : -1.0;
    for (double& v : sigma) v = (rng() & 1) ? 1.0 : -1.0;
    auto overlaps = [&](const dvec& s) {
        dvec m(N, 0.0);
        for (std::size_t mu = 0; mu < N; ++mu)
            for (std::size_t i = 0; i < d; ++i) m[mu] += X[mu][i] * s[i];
        return m;
    };
    auto field_of = [&](const dvec& agree, const dvec& disagree, double ls, std::size_t i) {
        double sum = 0;
        for (std::size_t mu = 0; mu < N; ++mu) sum += X[mu][i] == sigma[i] ? agree[mu] : -disagree[mu];
        return std::exp(ls) * sigma[i] * sum;
    };
    // exact: integer differences and energies, log scale 0: the field must match bit for bit.
    auto check = [&](const auto& inter, double rel, bool exact) {
        const dvec m = overlaps(sigma);
        dvec agree(N), disagree(N);
        const double ls = inter.differences(m.data(), N, std::ptrdiff_t(d), agree.data(), disagree.data());
        for (std::size_t i = 0; i < d; ++i) {
            const double field = field_of(agree, disagree, ls, i);
            dvec up = sigma, down = sigma;
            up[i] = 1;
            down[i] = -1;
            const dvec mu_up = overlaps(up), mu_down = overlaps(down);
            const double diff = inter.energy(mu_down.data(), N, std::ptrdiff_t(d)) -
                                inter.energy(mu_up.data(), N, std::ptrdiff_t(d));
            CAPTURE(std::remove_cvref_t<decltype(inter)>::name, i, field, diff, ls);
            CHECK(field == Approx(diff).epsilon(rel).margin(1e-9));
            if (exact) CHECK(field == diff);
        }
    };
    check(hopfield::Quadratic{}, 1e-12, false);
    check(hopfield::Polynomial(3), 1e-12, true);
    check(hopfield::Polynomial(4), 1e-12, true);
    check(hopfield::RectifiedPolynomial(3), 1e-12, true);
    check(hopfield::Exponential(0.4), 1e-12, false);

    // Quadratic energy = -(1/2) sum_{i != j} J_ij s_i s_j with J = (1/d) sum_mu x x^T;
    // with the self-coupling kept, the diagonal is included and the field is 2 (J sigma)_i.
    double e_zero = 0, e_full = 0;
    std::vector<dvec> J(d, dvec(d, 0.0));
    for (const auto& x : X)
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j) J[i][j] += x[i] * x[j] / double(d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            e_full -= 0.5 * J[i][j] * sigma[i] * sigma[j];
            if (i != j) e_zero -= 0.5 * J[i][j] * sigma[i] * sigma[j];
        }
    const dvec m = overlaps(sigma);
    CHECK(hopfield::Quadratic{}.energy(m.data(), N, std::ptrdiff_t(d)) == Approx(e_zero).margin(1e-12));
    const hopfield::Quadratic self{true};
    CHECK(self.energy(m.data(), N, std::ptrdiff_t(d)) == Approx(e_full).margin(1e-12));
    dvec agree(N), disagree(N);
    const double ls = self.differences(m.data(), N, std::ptrdiff_t(d), agree.data(), disagree.data());
    for (std::size_t i = 0; i < d; ++i) {
        double js = 0;
        for (std::size_t j = 0; j < d; ++j) js += J[i][j] * sigma[j];
        CAPTURE(i);
        CHECK(field_of(agree, disagree, ls, i) == Approx(2 * js).margin(1e-12));
    }
    // Energies of the other interactions, by hand: -sum F(m).
    const dvec mm = {-3, 0, 2, 5};
    CHECK(hopfield::Polynomial(3).energy(mm.data(), 4, 1) == -(-27.0 + 0 + 8 + 125));
    CHECK(hopfield::RectifiedPolynomial(3).energy(mm.data(), 4, 1) == -(0.0 + 0 + 8 + 125));
    CHECK(hopfield::Exponential(0.5).energy(mm.data(), 4, 1) ==
          Approx(-(std::exp(-1.5) + 1 + std::exp(1.0) + std::exp(2.5))));
    // Overflow of the exponential energy is documented: -inf, not NaN.
    const double far = 1000;
    CHECK(hopfield::Exponential(1.0).energy(&far, 1, 1) == -inf);
}

TEST_CASE("[separation] polynomial differences pick the direct or rescaled path explicitly", "[separation]") {
    // Regression: a rescale shift that happened to be exactly 0 used to select the direct path
    // beyond its range: Polynomial(989) at m = 0 read an empty coefficient table, and
    // Polynomial(60) at m = 90600 / Polynomial(352) at m = 5 returned +inf. The values must be
    // finite, positive where D is, and match a log2-domain reference.
    const auto check = [](int p, double m) {
        CAPTURE(p, m);
        double agree = 0, disagree = 0;
        const double ls = hopfield::Polynomial(p).differences(&m, 1, 1, &agree, &disagree);
        CHECK(std::isfinite(ls));
        CHECK(std::isfinite(agree));
        CHECK(std::isfinite(disagree));
        // log D(y) = log((y+1)^p - (y-1)^p) for y = m + 1 > 1: p log(y+1) + log1p(-((y-1)/(y+1))^p)
        const double y = m + 1;
        const double log_d = p * std::log(y + 1) + std::log1p(-std::pow((y - 1) / (y + 1), p));
        CHECK(std::log(disagree) + ls == Approx(log_d).epsilon(1e-12));
        double ragree = 0, rdisagree = 0;
        const double rls = hopfield::RectifiedPolynomial(p).differences(&m, 1, 1, &ragree, &rdisagree);
        CHECK(std::isfinite(rls));
        CHECK(std::isfinite(rdisagree));
        CHECK(std::log(rdisagree) + rls == Approx(log_d).epsilon(1e-12));
    };
    check(989, 0);
    check(60, 90600);
    check(352, 5);
    check(60, 90000);
    check(3, 1e6);
}
