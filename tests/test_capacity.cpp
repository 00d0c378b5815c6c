// The capacity layer: generators, corruption, criteria, the parallel sweep (determinism for
// every thread count), the theory functions, and small versions of the capacity experiments
// checked against theory with statistically justified tolerances (each says how).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include <hopfield/capacity/corruption.hpp>
#include <hopfield/capacity/criteria.hpp>
#include <hopfield/capacity/generators.hpp>
#include <hopfield/capacity/random.hpp>
#include <hopfield/capacity/sweep.hpp>
#include <hopfield/capacity/theory.hpp>
#include <hopfield/capacity/trial.hpp>
#include <hopfield/hopfield.hpp>

namespace cap = hopfield::capacity;
namespace th = hopfield::capacity::theory;
using hopfield::Index;

namespace {

// Runs `trials` trials of one load point on `threads` threads and returns the outcomes.
template <class Fn>
std::vector<cap::TrialOutcome> run(int trials, std::uint64_t seed, Fn&& fn, int threads = 2) {
    cap::SweepOptions o;
    o.trials = trials;
    o.seed = seed;
    o.threads = threads;
    return cap::run_trials(1, o, [&](std::size_t, int, cap::Random& rng) { return fn(rng); }).outcomes[0];
}

double success_rate(const std::vector<cap::TrialOutcome>& v) {
    return double(std::count_if(v.begin(), v.end(), [](const auto& o) { return o.success; })) / double(v.size());
}

}  // namespace

// --- randomness -------------------------------------------------------------------------------

TEST_CASE("trial seeds depend on (seed, load, trial) only and differ between trials", "[capacity]") {
    static_assert(cap::trial_seed(1, 2, 3) == cap::trial_seed(1, 2, 3));
    std::set<std::uint64_t> seeds;
    for (std::uint64_t s = 0; s < 4; ++s)
        for (std::uint64_t l = 0; l < 8; ++l)
            for (std::uint64_t t = 0; t < 64; ++t) seeds.insert(cap::trial_seed(s, l, t));
    CHECK(seeds.size() == 4 * 8 * 64);
    CHECK(cap::trial_seed(1, 0, 1) != cap::trial_seed(1, 1, 0));  // not symmetric in load/trial
}

TEST_CASE("Random draws uniform, bounded and normal numbers reproducibly", "[capacity]") {
    cap::Random a(5), b(5);
    for (int i = 0; i < 100; ++i) CHECK(a.bits() == b.bits());
    cap::Random r(9);
    const int n = 20000;
    double sum = 0, sum2 = 0, usum = 0;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform();
        REQUIRE((u >= 0 && u < 1));
        usum += u;
        REQUIRE(r.below(7) < 7);
        const double z = r.normal();
        sum += z;
        sum2 += z * z;
    }
    // 5 standard errors: sd(u) = 1/sqrt(12), sd(z) = 1, sd(z^2) = sqrt(2).
    CHECK(std::abs(usum / n - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
    CHECK(std::abs(sum / n) < 5 / std::sqrt(double(n)));
    CHECK(std::abs(sum2 / n - 1) < 5 * std::sqrt(2.0 / n));
}

// --- generators -------------------------------------------------------------------------------

TEST_CASE("pattern generators have the stated distributions", "[capacity][generators]") {
    cap::Random rng(3);
    const Index n = 100, d = 200;
    const double entries = double(n * d);

    const auto X = cap::unbiased_patterns<float>(n, d, rng);
    CHECK(X.rows() == n);
    CHECK(X.cols() == d);
    CHECK((X.array().abs() == 1.0f).all());
    // mean of 20000 +-1 entries: sd 1/sqrt(20000); 5 SE
    CHECK(std::abs(double(X.mean())) < 5 / std::sqrt(entries));
    {   // the buffer overload draws the same numbers
        cap::Random r1(11), r2(11);
        hopfield::RowMatrix<double> buf(3, 3);
        cap::unbiased_patterns(buf, 17, 70, r1);
        CHECK(buf == cap::unbiased_patterns<double>(17, 70, r2));
    }

    const double a = 0.4;
    const auto B = cap::biased_patterns<double>(n, d, a, rng);
    CHECK((B.array().abs() == 1.0).all());
    CHECK(std::abs(B.mean() - a) < 5 * std::sqrt((1 - a * a) / entries));

    const double dil = 0.3;
    const auto D = cap::diluted_patterns<float>(n, d, dil, rng);
    const double zeros = double((D.array() == 0.0f).count()) / entries;
    CHECK(((D.array() == 0.0f) || (D.array().abs() == 1.0f)).all());
    CHECK(std::abs(zeros - dil) < 5 * std::sqrt(dil * (1 - dil) / entries));
    CHECK(std::abs(double(D.mean())) < 5 * std::sqrt((1 - dil) / entries));

    const Eigen::VectorXf archetype = cap::unbiased_patterns<float>(1, d, rng).row(0).transpose();
    const double r = 0.6;
    const auto E = cap::noisy_examples<float>(archetype, n, r, rng);
    // each example's overlap with its archetype has mean r and sd sqrt((1 - r^2)/d); the mean of n
    // of them has sd sqrt((1 - r^2)/(n d)).
    double m = 0;
    for (Index k = 0; k < n; ++k) m += double(E.row(k).dot(archetype.transpose())) / double(d);
    CHECK(std::abs(m / double(n) - r) < 5 * std::sqrt((1 - r * r) / entries));

    const auto G = cap::gaussian_patterns<double>(n, d, rng, 2.0);
    const double var = (G.array() - G.mean()).square().mean();
    CHECK(std::abs(G.mean()) < 5 * 2.0 / std::sqrt(entries));
    CHECK(std::abs(var - 4.0) < 5 * 4.0 * std::sqrt(2.0 / entries));  // sd of a sample variance: sigma^2 sqrt(2/n)

    const auto S = cap::spherical_patterns<float>(n, d, rng, 3.0);
    for (Index k = 0; k < n; ++k) CHECK(S.row(k).norm() == Approx(3.0).epsilon(1e-5));

    CHECK_THROWS_WITH(cap::unbiased_patterns<float>(-1, 3, rng), Catch::Contains("'n' = -1"));
    CHECK_THROWS_WITH(cap::unbiased_patterns<float>(2, 0, rng), Catch::Contains("'d' = 0"));
    CHECK_THROWS_WITH(cap::biased_patterns<float>(2, 3, 1.5, rng), Catch::Contains("'a' = 1.5"));
    CHECK_THROWS_WITH(cap::diluted_patterns<float>(2, 3, -0.1, rng), Catch::Contains("'dilution' = -0.1"));
    CHECK_THROWS_WITH(cap::noisy_examples<float>(archetype, 2, 2.0, rng), Catch::Contains("'r' = 2"));
    CHECK_THROWS_WITH(cap::gaussian_patterns<float>(2, 3, rng, 0.0), Catch::Contains("'sd' = 0"));
    CHECK_THROWS_WITH(cap::spherical_patterns<float>(2, 3, rng, -1.0), Catch::Contains("'radius' = -1"));
}

// --- corruption -------------------------------------------------------------------------------

TEST_CASE("cue corruption touches exactly round(fraction d) distinct entries", "[capacity][corruption]") {
    cap::Random rng(4);
    const Index d = 101;
    const Eigen::VectorXf x = cap::unbiased_patterns<float>(1, d, rng).row(0).transpose();
    for (const double f : {0.0, 0.1, 0.25, 0.5, 1.0}) {
        const Index k = cap::corrupted_count(f, d);
        CHECK(k == Index(std::lround(f * double(d))));
        const Eigen::VectorXf y = cap::flip_fraction(x, f, rng);
        CHECK((y.array() != x.array()).count() == k);
        CHECK((y.array().abs() == 1.0f).all());
        CHECK(cap::overlap(x, y) == Approx(1.0 - 2.0 * double(k) / double(d)));
        const Eigen::VectorXf z = cap::mask_fraction(x, f, rng);
        CHECK((z.array() == 0.0f).count() == k);
        const Eigen::VectorXf w = cap::mask_fraction(x, f, rng, cap::MaskFill::random_sign);
        CHECK((w.array().abs() == 1.0f).all());
    }
    const auto subset = cap::random_subset(50, 20, rng);
    CHECK(std::set<Index>(subset.begin(), subset.end()).size() == 20);

    // Gaussian noise: the residual has variance sd^2 (5 SE of a sample variance over 4000 entries).
    const Eigen::VectorXd big = Eigen::VectorXd::Ones(4000);
    const Eigen::VectorXd noisy = cap::add_gaussian_noise(big, 0.5, rng);
    const double v = (noisy - big).squaredNorm() / 4000.0;
    CHECK(std::abs(v - 0.25) < 5 * 0.25 * std::sqrt(2.0 / 4000));
    CHECK(cap::binarize(Eigen::Vector3d(-0.2, 0.0, 3.0)) == Eigen::Vector3d(-1, 1, 1));

    CHECK_THROWS_WITH(cap::flip_fraction(x, 1.5, rng), Catch::Contains("'fraction' = 1.5"));
    CHECK_THROWS_WITH(cap::add_gaussian_noise(x, -1.0, rng), Catch::Contains("'sd' = -1"));
    CHECK_THROWS_WITH(cap::random_subset(5, 6, rng), Catch::Contains("'k' = 6"));
}

// --- criteria ---------------------------------------------------------------------------------

TEST_CASE("criteria: overlap, bit errors, exact match, nearest pattern, fixed points", "[capacity][criteria]") {
    const Eigen::Vector4d x(1, -1, 1, 1);
    CHECK(cap::overlap(x, x) == Approx(1.0));
    CHECK(cap::overlap(x, Eigen::Vector4d(-x)) == Approx(-1.0));
    CHECK(cap::overlap(x, Eigen::Vector4d(3 * x)) == Approx(1.0));  // a cosine: scale-free
    CHECK(cap::overlap(x, Eigen::Vector4d::Zero()) == 0.0);
    CHECK(cap::bit_error_rate(x, Eigen::Vector4d(1, 1, 1, 1)) == Approx(0.25));
    CHECK(cap::bit_error_rate(Eigen::Vector4d(1, 0, -1, 0), Eigen::Vector4d(1, 1, 1, -1)) == Approx(0.5));  // zeros carry no bit
    CHECK(cap::bit_error_rate(x, Eigen::Vector4d(1, -1, 0, 1)) == Approx(0.25));  // 0 counts as wrong
    CHECK(cap::exact_match(x, Eigen::Vector4f(1, -1, 1, 1)));
    CHECK_FALSE(cap::exact_match(x, Eigen::Vector4d(1, -1, 1, 0.999)));

    hopfield::RowMatrix<float> X(3, 4);
    X << 1, 1, 1, 1, 1, -1, 1, -1, -1, -1, 1, 1;
    const hopfield::PatternView<float> V(X);
    CHECK(cap::nearest_pattern(V, Eigen::Vector4f(0.9f, 1.1f, 0.8f, 1.0f)) == 0);
    CHECK(cap::nearest_pattern(V, Eigen::Vector4f(1, 0, 1, 0)) == -1);  // equidistant from 0 and 1
    CHECK(cap::nearest_pattern(V, Eigen::Vector4f(-1, -1, 1, 1)) == 2);
    CHECK_THROWS_WITH(cap::nearest_pattern(V, Eigen::Vector3f(1, 1, 1)), Catch::Contains("'state.size()' = 3"));

    // is_fixed_point agrees with one synchronous step
    cap::Random rng(8);
    const auto P = cap::unbiased_patterns<float>(30, 100, rng);
    hopfield::Vector<float> h;
    int agree = 0, fixed = 0;
    for (Index mu = 0; mu < P.rows(); ++mu) {
        const Eigen::VectorXf p = P.row(mu).transpose();
        const bool f = cap::is_fixed_point(hopfield::ClassicalHebbian{}, hopfield::PatternView<float>(P), P.row(mu).data(), h,
                                           hopfield::thread_workspace<float>());
        agree += f == (hopfield::step(hopfield::ClassicalHebbian{}, P, p) == p);
        fixed += f;
        const auto C = hopfield::Couplings<float>::hebb(P);
        CHECK(cap::is_fixed_point(C, P.row(mu).data(), h) == f);
    }
    CHECK(agree == 30);
    CHECK(fixed > 0);
    CHECK(fixed < 30);  // load 0.3: some stored patterns are not fixed points

    using K = cap::Criterion::Kind;
    CHECK(cap::Criterion::parse("overlap:0.9").kind == K::overlap);
    CHECK(cap::Criterion::parse("overlap:0.9").threshold == 0.9);
    CHECK(cap::Criterion::parse("overlap").threshold == 0.97);
    CHECK(cap::Criterion::parse("exact").kind == K::exact);
    CHECK(cap::Criterion::parse("nearest").kind == K::nearest);
    CHECK(cap::Criterion::parse("overlap:0.97").to_string() == "overlap:0.97");
    CHECK_THROWS_WITH(cap::Criterion::parse("overlap:x"), Catch::Contains("'criterion' = overlap:x"));
    CHECK_THROWS_WITH(cap::Criterion::parse("overlap:1.5"), Catch::Contains("[-1, 1]"));
    CHECK_THROWS_WITH(cap::Criterion::parse("best"), Catch::Contains("'criterion' = best"));
    CHECK_THROWS_WITH(cap::parse_dynamics("slow"), Catch::Contains("'dynamics' = slow"));
}

// --- the sweep --------------------------------------------------------------------------------

TEST_CASE("sweeps give identical outcomes for every number of threads", "[capacity][sweep]") {
    const Index d = 120;
    const std::vector<Index> grid{6, 12, 18, 24};
    const hopfield::ClassicalHebbian model;
    cap::RetrievalSpec spec;
    spec.start = cap::Start::cue;
    spec.cue = {cap::Cue::Kind::flip, 0.1};
    const auto sweep = [&](int threads) {
        cap::SweepOptions o;
        o.trials = 25;
        o.seed = 42;
        o.threads = threads;
        return cap::run_trials(grid.size(), o, [&](std::size_t l, int, cap::Random& rng) {
            const hopfield::PatternMemory<float> mem(cap::unbiased_patterns<float>(grid[l], d, rng));
            return cap::retrieve(model, mem.view(), 0, spec, rng);
        });
    };
    const auto one = sweep(1), three = sweep(3), eight = sweep(8);
    for (std::size_t l = 0; l < grid.size(); ++l)
        for (std::size_t t = 0; t < 25; ++t) {
            const auto& a = one.outcomes[l][t];
            for (const auto* b : {&three.outcomes[l][t], &eight.outcomes[l][t]}) {
                CHECK(a.success == b->success);
                CHECK(a.overlap == b->overlap);
                CHECK(a.bit_error == b->bit_error);
                CHECK(a.steps == b->steps);
            }
        }
    const auto s = cap::summarize(grid[0], d, one.outcomes[0]);
    CHECK(s.trials == 25);
    CHECK(s.load == Approx(0.05));
}

TEST_CASE("sweep helpers: progress, errors, load grids, crossings", "[capacity][sweep]") {
    cap::SweepOptions o;
    o.trials = 10;
    o.threads = 2;
    std::size_t last = 0;
    o.progress = [&](const cap::Progress& p) { last = p.done; };
    cap::run_trials(3, o, [](std::size_t, int, cap::Random&) { return cap::TrialOutcome{}; });
    CHECK(last == 30);  // the final call reports every trial done

    o.progress = nullptr;
    CHECK_THROWS_WITH(cap::run_trials(3, o, [](std::size_t l, int t, cap::Random&) {
                          if (l == 1 && t == 4) throw std::runtime_error("trial failed");
                          return cap::TrialOutcome{};
                      }),
                      "trial failed");
    o.trials = 0;
    CHECK_THROWS_WITH(cap::run_trials(1, o, [](std::size_t, int, cap::Random&) { return cap::TrialOutcome{}; }),
                      Catch::Contains("'trials' = 0"));
    CHECK_THROWS_WITH(cap::resolve_threads(-2), Catch::Contains("'threads' = -2"));
    CHECK(cap::resolve_threads(0) >= 1);

    CHECK(cap::load_grid(1000, 0.05, 0.2, 0.01).size() == 16);
    CHECK(cap::load_grid(1000, 0.05, 0.2, 0.01).back() == 200);
    CHECK(cap::load_grid(10, 0.01, 0.05, 0.01) == std::vector<Index>{1});  // duplicates removed
    CHECK_THROWS_WITH(cap::load_grid(10, 0.1, 0.05, 0.01), Catch::Contains("'hi' = 0.05"));
    CHECK(cap::crossing({1, 2, 3, 4}, {1, 0.8, 0.4, 0.1}, 0.5) == Approx(2.75));
    CHECK(std::isnan(cap::crossing({1, 2}, {1, 0.9}, 0.5)));
}

// --- theory -----------------------------------------------------------------------------------

TEST_CASE("AGS: alpha_c = 0.138, m_c = 0.967, and m(alpha) solves the RS equations", "[capacity][theory]") {
    const auto c = th::ags_critical();
    CHECK(c.alpha == Approx(0.1379).margin(2e-4));  // Amit, Gutfreund & Sompolinsky 1987
    CHECK(c.m == Approx(0.967).margin(1e-3));
    CHECK(std::isnan(th::ags_retrieval_overlap(0.14)));
    CHECK(th::ags_retrieval_overlap(0.0) == 1.0);
    double previous = 1.0;
    for (const double alpha : {0.02, 0.05, 0.08, 0.1, 0.12, 0.13, 0.137}) {
        const double m = th::ags_retrieval_overlap(alpha);
        CHECK(m < previous);
        previous = m;
        // The original system: m = erf(m / sqrt(2 alpha r)), r = 1/(1-C)^2,
        // C = sqrt(2/(pi alpha r)) exp(-m^2 / (2 alpha r)): iterate r from the solution's m.
        double r = 1.0;
        for (int it = 0; it < 200; ++it) {
            const double C = std::sqrt(2.0 / (std::numbers::pi * alpha * r)) * std::exp(-m * m / (2.0 * alpha * r));
            r = 1.0 / ((1.0 - C) * (1.0 - C));
        }
        CHECK(std::erf(m / std::sqrt(2.0 * alpha * r)) == Approx(m).epsilon(1e-6));
    }
    CHECK(th::ags_load_at_overlap(th::ags_retrieval_overlap(0.1)) == Approx(0.1).epsilon(1e-6));
    CHECK(std::isnan(th::ags_load_at_overlap(0.9)));  // below m_c: not on the retrieval branch
}

TEST_CASE("theory helpers: factorials, SNR, binomial tails, crossings, multitasking", "[capacity][theory]") {
    CHECK(th::double_factorial(-1) == 1);
    CHECK(th::double_factorial(5) == 15);
    CHECK(th::double_factorial(7) == 105);
    CHECK(th::dense_snr2(100, 1000, 3, false) == Approx(1e4 / 3000.0));
    CHECK(th::dense_snr2(100, 1000, 3, true) == Approx(2e4 / 3000.0));
    CHECK(th::dense_bit_error(100, 1e4 / 3.0, 3, false) == Approx(th::normal_cdf(-1.0)));
    // binomial tail against the direct sum
    double direct = 0, c = 1;
    for (int j = 0; j <= 3; ++j) {
        direct += c / 65536.0;
        c = c * (16 - j) / (j + 1);
    }
    CHECK(th::binomial_half_cdf(16, 3) == Approx(direct).epsilon(1e-12));
    CHECK(th::binomial_half_cdf(16, 16) == 1.0);
    CHECK(th::binomial_half_cdf(16, -1) == 0.0);
    // crossings invert their probability functions
    const double n_nn = th::nearest_neighbour_crossing(16, 2);
    CHECK(th::nearest_neighbour_success(16, n_nn, 2) == Approx(0.5).epsilon(1e-6));
    const double n_rand = th::nearest_neighbour_crossing(16, 2, th::Ties::random);
    CHECK(n_rand > n_nn);  // random tie-breaking retrieves more
    CHECK(th::nearest_neighbour_success(16, n_rand, 2, th::Ties::random) == Approx(0.5).epsilon(1e-6));
    const double n_exp = th::exponential_all_fixed_crossing(16);
    CHECK(th::exponential_all_fixed_probability(16, n_exp) == Approx(0.5).epsilon(1e-9));
    CHECK(th::perfect_recall_most(1000) == Approx(72.38).epsilon(1e-3));
    CHECK(th::perfect_recall_all(1000) == Approx(36.19).epsilon(1e-3));
    // multitasking: the overlaps sum to the fraction of neurons with some non-zero pattern
    double total = 0;
    for (int k = 1; k <= 3; ++k) total += th::multitasking_overlap(0.3, k);
    CHECK(total == Approx(1 - 0.3 * 0.3 * 0.3));
    CHECK(th::multitasking_is_hierarchical(0.9, 2));
    CHECK(th::multitasking_is_hierarchical(0.6, 3));
    CHECK_FALSE(th::multitasking_is_hierarchical(0.62, 3));
    CHECK_FALSE(th::multitasking_is_hierarchical(0.51, 60));
    CHECK_THROWS_WITH(th::ags_alpha(0), Catch::Contains("'y' = 0"));
    CHECK_THROWS_WITH(th::dense_snr2(10, 5, 1, false), Catch::Contains("'p' = 1"));
    CHECK_THROWS_WITH(th::multitasking_overlap(1.0, 1), Catch::Contains("'dilution' = 1"));
}

// --- small experiments against theory ----------------------------------------------------------

TEST_CASE("classical network: retrieval below alpha_c, none far above, AGS overlap", "[capacity][experiment]") {
    const Index d = 400;
    const hopfield::ClassicalHebbian model;
    const cap::RetrievalSpec spec;  // async from the stored pattern, overlap >= 0.97
    const auto at = [&](double alpha, std::uint64_t seed) {
        const Index n = Index(std::lround(alpha * double(d)));
        return run(60, seed, [&](cap::Random& rng) {
            const hopfield::PatternMemory<float> mem(cap::unbiased_patterns<float>(n, d, rng));
            return cap::retrieve(model, mem.view(), 0, spec, rng);
        });
    };
    // alpha = 0.06: m_AGS = 0.99995, and at d = 400 a stored pattern escapes with probability
    // well below 1% (measured: none in 10^4), so P(X <= 54 of 60) < 1e-6.
    const auto low = at(0.06, 1);
    CHECK(success_rate(low) >= 0.9);
    double m = 0;
    for (const auto& o : low) m += o.overlap;
    // The mean final overlap: AGS predicts 0.99995; the per-trial sd at d = 400 is ~0.002 (a few
    // flipped bits), so the mean of 60 is within 0.002 of it with margin.
    CHECK(m / 60 == Approx(th::ags_retrieval_overlap(0.06)).margin(0.002));
    // alpha = 0.30, twice alpha_c: the 50% point at d = 400 is ~0.17 and the success curve is
    // below 1% beyond 0.22 (suite data), so more than 6 successes of 60 has probability < 1e-6.
    CHECK(success_rate(at(0.30, 2)) <= 0.1);
}

TEST_CASE("classical network: fixed-point probability matches the finite-size theory", "[capacity][experiment]") {
    // d = 200, N = 30: theory P(fixed) = 0.498 (hebbian_stability; simulation with 6000 trials:
    // 0.495). 1500 trials: SE 0.013; tolerance 4 SE + 0.01 for the saddlepoint's own error.
    const Index d = 200, n = 30;
    const auto outcomes = run(1500, 7, [&](cap::Random& rng) {
        thread_local hopfield::Vector<float> h;
        const auto X = cap::unbiased_patterns<float>(n, d, rng);
        cap::TrialOutcome o;
        o.success = cap::is_fixed_point(hopfield::ClassicalHebbian{}, hopfield::PatternView<float>(X), X.row(0).data(), h,
                                        hopfield::thread_workspace<float>());
        return o;
    });
    const auto theory = th::hebbian_stability(d, n);
    const double se = std::sqrt(theory.fixed * (1 - theory.fixed) / 1500);
    CHECK(success_rate(outcomes) == Approx(theory.fixed).margin(4 * se + 0.01));
    CHECK(theory.bit_error == Approx(0.0042).margin(0.0004));  // measured 0.00426 over 6000 trials
}

TEST_CASE("pseudo-inverse rule stores 0.8 d random patterns as fixed points", "[capacity][experiment]") {
    const Index d = 60, n = 48;
    const auto outcomes = run(10, 3, [&](cap::Random& rng) {
        const auto X = cap::unbiased_patterns<float>(n, d, rng);
        const auto J = hopfield::Couplings<float>::pseudo_inverse(X);
        cap::RetrievalSpec spec;
        spec.dynamics = cap::Dynamics::step;
        spec.criterion = {cap::Criterion::Kind::exact, 1};
        return cap::retrieve(J, hopfield::PatternView<float>(X), 7, spec, rng);
    });
    CHECK(success_rate(outcomes) == 1.0);  // exact theory: every N < d
}

TEST_CASE("dense p = 3 bit errors at stored patterns follow Phi(-SNR)", "[capacity][experiment]") {
    // d = 80, SNR^2 = 2.25 (error 6.7%). Bits within a trial are correlated, so the SE comes
    // from the between-trial spread of 150 per-trial rates; tolerance 4 SE + 15% of the theory
    // for the O(1/d) corrections to the asymptotic SNR (a few % in SNR^2 at d = 80).
    const Index d = 80;
    const int p = 3;
    const double others = th::dense_snr2(double(d), 1.0, p, false) / 2.25;
    const Index n = Index(std::lround(others)) + 1;
    const hopfield::DenseModel<hopfield::Polynomial> model(hopfield::Polynomial{p});
    cap::RetrievalSpec spec;
    spec.dynamics = cap::Dynamics::step;
    const auto outcomes = run(150, 5, [&](cap::Random& rng) {
        const auto X = cap::unbiased_patterns<float>(n, d, rng);
        return cap::retrieve(model, hopfield::PatternView<float>(X), 0, spec, rng);
    });
    double mean = 0, ss = 0;
    for (const auto& o : outcomes) mean += o.bit_error / 150.0;
    for (const auto& o : outcomes) ss += (o.bit_error - mean) * (o.bit_error - mean);
    const double se = std::sqrt(ss / 149.0 / 150.0);
    const double theory = th::dense_bit_error(double(d), double(n - 1), p, false);
    CHECK(mean == Approx(theory).margin(4 * se + 0.15 * theory));
}

TEST_CASE("exponential model: all patterns stay fixed points up to ~2^(d/2) sqrt(2 ln2/d)", "[capacity][experiment]") {
    // d = 12, N = 22 (the predicted 50% point 22.3): 300 trials, SE 0.029; tolerance
    // 4 SE + 0.05 for the failure modes the leading-order theory neglects.
    const Index d = 12, n = 22;
    const hopfield::DenseModel<hopfield::Exponential> model;
    const auto outcomes = run(300, 9, [&](cap::Random& rng) {
        thread_local hopfield::Vector<double> h;
        const auto X = cap::unbiased_patterns<double>(n, d, rng);
        cap::TrialOutcome o;
        o.success = true;
        for (Index mu = 0; mu < n && o.success; ++mu)
            o.success = cap::is_fixed_point(model, hopfield::PatternView<double>(X), X.row(mu).data(), h,
                                            hopfield::thread_workspace<double>());
        return o;
    });
    const double p = th::exponential_all_fixed_probability(double(d), double(n));
    CHECK(success_rate(outcomes) == Approx(p).margin(4 * std::sqrt(p * (1 - p) / 300) + 0.05));
}

TEST_CASE("modern maps: one-step retrieval from flipped cues matches nearest-neighbour theory", "[capacity][experiment]") {
    // d = 12, 1 flip, N = 40: exact theory for sparsemax / 1.5-entmax (Ties::fail), beta -> inf
    // limit for softmax (Ties::random). 400 trials: SE <= 0.025; tolerance 4 SE.
    const Index d = 12, n = 40;
    const hopfield::SparseHopfield sparse(1.0);
    const hopfield::LogSumExpHopfield lse(1.0);
    cap::RetrievalSpec spec;
    spec.dynamics = cap::Dynamics::step;
    spec.start = cap::Start::cue;
    spec.cue = {cap::Cue::Kind::flip, 0.1};
    spec.criterion = {cap::Criterion::Kind::nearest, 1};
    for (const bool use_sparse : {true, false}) {
        const auto outcomes = run(400, use_sparse ? 11 : 12, [&](cap::Random& rng) {
            const auto X = cap::unbiased_patterns<float>(n, d, rng);
            const hopfield::PatternView<float> V(X);
            return use_sparse ? cap::retrieve(sparse, V, 0, spec, rng) : cap::retrieve(lse, V, 0, spec, rng);
        });
        const double p = th::nearest_neighbour_success(d, double(n), 1, use_sparse ? th::Ties::fail : th::Ties::random);
        CAPTURE(use_sparse);
        CHECK(success_rate(outcomes) == Approx(p).margin(4 * std::sqrt(p * (1 - p) / 400)));
        for (const auto& o : outcomes)
            if (use_sparse && o.success) CHECK(o.exact);  // a unique nearest pattern is retrieved exactly
    }
    cap::RetrievalSpec bad = spec;
    bad.dynamics = cap::Dynamics::async;
    cap::Random rng(1);
    const auto X = cap::unbiased_patterns<float>(3, d, rng);
    CHECK_THROWS_WITH(cap::retrieve(lse, hopfield::PatternView<float>(X), 0, bad, rng), Catch::Contains("'dynamics' = async"));
}

TEST_CASE("multitasking network: the hierarchical state and its overlaps (1 - dil) dil^(k-1)", "[capacity][experiment]") {
    // d = 800, K = 3, dil = 0.3, started in the hierarchical state: theory says it is a fixed
    // point with E m_k = (1-dil) dil^(k-1) exactly; the per-trial sd of m_k is <= 1/sqrt(d) =
    // 0.035, so the mean of 12 trials is within 4 sd / sqrt(12) = 0.041 of it.
    const Index d = 800;
    const int K = 3;
    const double dil = 0.3;
    std::vector<std::array<double, 3>> overlaps(12);
    int fixed = 0;
    for (int t = 0; t < 12; ++t) {
        cap::Random rng(cap::trial_seed(5, 0, std::uint64_t(t)));
        const auto xi = cap::diluted_patterns<float>(K, d, dil, rng);
        hopfield::RowMatrix<float> J = xi.transpose() * xi / float(d);
        J.diagonal().setZero();
        const hopfield::Couplings<float> C(std::move(J));
        Eigen::VectorXf s(d);
        for (Index i = 0; i < d; ++i) {
            float v = 0;
            for (int k = 0; k < K && v == 0; ++k) v = xi(k, i);
            s[i] = v != 0 ? v : (rng.bits() & 1) ? 1.0f : -1.0f;
        }
        const auto r = hopfield::run_asynchronous(C, s, {.max_sweeps = 20, .seed = 1});
        fixed += r.state == s;
        for (int k = 0; k < K; ++k) overlaps[std::size_t(t)][std::size_t(k)] = double(xi.row(k).dot(r.state.transpose())) / double(d);
    }
    CHECK(fixed == 12);
    for (int k = 1; k <= K; ++k) {
        double m = 0;
        for (const auto& o : overlaps) m += o[std::size_t(k - 1)] / 12.0;
        CHECK(m == Approx(th::multitasking_overlap(dil, k)).margin(4 / std::sqrt(double(d)) / std::sqrt(12.0)));
    }
}
