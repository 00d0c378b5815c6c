#pragma once
/// \file theory.hpp
/// \brief The storage-capacity theory that capacity experiments are checked against
/// (models.md section 5): Amit-Gutfreund-Sompolinsky retrieval overlap of the classical
/// network, perfect-recall loads, dense p-body signal-to-noise, the exponential model's
/// all-fixed-point threshold, nearest-neighbour retrieval of modern models from flipped cues,
/// Storkey and pseudo-inverse capacities, and the multitasking network's hierarchical overlaps.
///
/// Notation as in models.md: d neurons (pattern dimension), N stored patterns, load
/// alpha = N / d. Every function documents whether it is an asymptotic (d -> infinity) result
/// or a finite-size prediction, and its derivation when the derivation is ours.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <vector>

#include "hopfield/capacity/random.hpp"
#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::capacity::theory {

/// \brief The standard normal distribution function Phi(x).
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// --- classical Hebbian network: Amit, Gutfreund & Sompolinsky (1987) -------------------------

/// \brief The AGS load as a function of y = m / sqrt(2 alpha r) on the T = 0 replica-symmetric
/// retrieval branch: alpha(y) = (erf y - (2/sqrt(pi)) y exp(-y^2))^2 / (2 y^2).
///
/// Derivation (Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987), T = 0 limit of the RS
/// saddle point): m = erf(y), y = m / sqrt(2 alpha r), r = 1/(1-C)^2,
/// C = sqrt(2/(pi alpha r)) exp(-y^2). From the definition of y, sqrt(alpha r) = m/(sqrt(2) y),
/// so C = (2/sqrt(pi)) y exp(-y^2) / erf(y); then sqrt(alpha) = sqrt(alpha r) (1 - C)
/// = (erf y - (2/sqrt(pi)) y exp(-y^2)) / (sqrt(2) y). Its maximum over y is alpha_c.
inline double ags_alpha(double y) {
    if (!(y > 0)) throw invalid_argument("ags_alpha", "y", y, "must be > 0");
    const double g = std::erf(y) - 2.0 / std::sqrt(std::numbers::pi) * y * std::exp(-y * y);
    return g * g / (2.0 * y * y);
}

/// \brief The critical point of the AGS retrieval branch.
struct AgsCritical {
    double alpha;  ///< alpha_c ~ 0.1379: no retrieval solution above it
    double y;      ///< y at alpha_c
    double m;      ///< retrieval overlap at alpha_c, erf(y) ~ 0.967 (about 1.6% wrong bits)
};

/// \brief alpha_c, y_c and m_c: the maximum of ags_alpha (golden-section search, 1e-12).
inline AgsCritical ags_critical() {
    double a = 0.5, b = 4.0;
    const double g = (std::sqrt(5.0) - 1.0) / 2.0;
    double c = b - g * (b - a), d = a + g * (b - a);
    while (b - a > 1e-12) {
        if (ags_alpha(c) > ags_alpha(d))
            b = d;
        else
            a = c;
        c = b - g * (b - a);
        d = a + g * (b - a);
    }
    const double y = 0.5 * (a + b);
    return {ags_alpha(y), y, std::erf(y)};
}

/// \brief The AGS zero-temperature retrieval overlap m(alpha) (asymptotic, RS): the
/// retrieval-branch solution y >= y_c of ags_alpha(y) = alpha, m = erf(y). Returns NaN above
/// alpha_c (no retrieval state) and 1 at alpha = 0. The fraction of wrong bits is (1 - m)/2.
inline double ags_retrieval_overlap(double alpha) {
    if (!(alpha >= 0))
        throw invalid_argument("ags_retrieval_overlap", "alpha", alpha, "must be >= 0");
    if (alpha == 0) return 1.0;
    const AgsCritical c = ags_critical();
    if (alpha > c.alpha) return std::numeric_limits<double>::quiet_NaN();
    double lo = c.y, hi = 64.0;  // alpha(y) decreases from alpha_c to 0 on [y_c, inf)
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (ags_alpha(mid) > alpha ? lo : hi) = mid;
    }
    return std::erf(0.5 * (lo + hi));
}

/// \brief The load at which the AGS retrieval overlap equals m (m in [m_c, 1)): the
/// asymptotic position of the step of a success curve with criterion "overlap >= m".
/// NaN when m < m_c (the retrieval branch never goes that low).
inline double ags_load_at_overlap(double m) {
    if (!(m > 0 && m < 1))
        throw invalid_argument("ags_load_at_overlap", "m", m, "must be in (0, 1)");
    const AgsCritical c = ags_critical();
    if (m < c.m) return std::numeric_limits<double>::quiet_NaN();
    double lo = 0, hi = 64.0;  // erf increasing
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (std::erf(mid) < m ? lo : hi) = mid;
    }
    return ags_alpha(0.5 * (lo + hi));
}

namespace detail {

/// Lugannani-Rice saddlepoint approximation of P(W <= a) for W = sum_mu s_mu y_mu with
/// independent s_mu = +-1, P(s_mu = +1) = p_mu (a < E W). Relative accuracy ~1e-3 in the far
/// tail, where a Gaussian approximation of W is off by tens of percent (W's weights y_mu are
/// unequal, so its tails are lighter than Gaussian).
inline double rademacher_lower_tail(const std::vector<double>& y,
                                    const std::vector<double>& logit_p, double a) {
    const auto cgf = [&](double lambda, double& k, double& k1, double& k2) {
        k = k1 = k2 = 0;
        for (std::size_t mu = 0; mu < y.size(); ++mu) {
            // tilted probability q = P_lambda(s = +1) = sigmoid(2 lambda y + logit p)
            const double z = 2.0 * lambda * y[mu] + logit_p[mu];
            const double q = 1.0 / (1.0 + std::exp(-z));
            // K_mu = log(p e^{lambda y} + (1 - p) e^{-lambda y}) = lambda y + log p - log q
            const double log_p = -std::log1p(std::exp(-logit_p[mu]));
            const double log_q = z >= 0 ? -std::log1p(std::exp(-z)) : z - std::log1p(std::exp(z));
            k += lambda * y[mu] + log_p - log_q;
            k1 += y[mu] * (2.0 * q - 1.0);
            k2 += 4.0 * y[mu] * y[mu] * q * (1.0 - q);
        }
    };
    double k, k1, k2;
    cgf(0.0, k, k1, k2);
    if (a >= k1) return 0.5;  // not a lower tail: the approximation is not needed here
    double lo = -1.0, hi = 0.0;
    for (cgf(lo, k, k1, k2); k1 > a; cgf(lo, k, k1, k2)) {
        hi = lo;
        lo *= 2.0;
        if (lo < -1e6) return 0.0;  // a below the support
    }
    double lambda = 0.5 * (lo + hi);
    for (int it = 0; it < 100; ++it) {  // safeguarded Newton on K'(lambda) = a
        cgf(lambda, k, k1, k2);
        (k1 > a ? hi : lo) = lambda;
        double next = lambda - (k1 - a) / k2;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (std::abs(next - lambda) < 1e-12 * std::max(1.0, std::abs(lambda))) break;
        lambda = next;
    }
    cgf(lambda, k, k1, k2);
    const double r = -std::sqrt(std::max(0.0, 2.0 * (lambda * a - k)));
    const double u = lambda * std::sqrt(k2);
    if (std::abs(r) < 1e-6) return normal_cdf(r);
    const double phi = std::exp(-0.5 * r * r) / std::sqrt(2.0 * std::numbers::pi);
    return std::clamp(normal_cdf(r) + phi * (1.0 / r - 1.0 / u), 0.0, 1.0);
}

}  // namespace detail

/// \brief Per-bit error rate and probability that a stored pattern is an exact fixed point of
/// the classical Hebbian network (J_ii = 0, ties keep the state), N random patterns of
/// dimension d: a finite-size prediction.
struct HebbianStability {
    double bit_error;  ///< P(a given bit of a stored pattern has a wrong field)
    double fixed;      ///< P(every bit of a stored pattern is right): it is a fixed point
};

/// \brief The finite-size HebbianStability of a stored pattern, by a seeded Monte Carlo average
/// over the overlaps (`samples` draws, deterministic) of a saddlepoint tail.
///
/// Derivation (signal-to-noise at a stored pattern x_1): d h_i x_1i = (d - 1) + S_i with
/// S_i = sum_{mu >= 2} s_mu,i (Y_mu - s_mu,i), s_mu,i = x_mu,i x_1i = +-1, Y_mu = x_mu . x_1;
/// bit i is wrong iff S_i < -(d - 1), i.e. W_i = sum_mu s_mu,i Y_mu < N - d. Given the overlaps
/// Y_mu (exact binomial draws here), the bits are nearly independent and s_mu,i is +1 with
/// probability (1 + Y_mu / d) / 2, so P(bit wrong | Y) is a lower tail of a weighted Rademacher
/// sum, evaluated by the Lugannani-Rice saddlepoint formula (with the lattice continuity
/// correction a -> a - 1). Then bit_error = E_Y[p] and fixed = E_Y[(1 - p)^d].
/// Two simpler forms are wrong by several percent at d = 1000: (1 - Phi(-sqrt(d/N)))^d ignores
/// that all bits of a pattern share the overlaps, and a Gaussian with the shared variance
/// sum Y_mu^2 overstates the tail (checked against simulation in tests/test_capacity.cpp).
/// Asymptotically `fixed` -> 1 for N < d / (2 ln d).
inline HebbianStability hebbian_stability(Index d, Index N, int samples = 2000,
                                          std::uint64_t seed = 1) {
    if (d < 2) throw invalid_argument("hebbian_stability", "d", d, "must be >= 2");
    if (N < 1) throw invalid_argument("hebbian_stability", "N", N, "must be >= 1");
    if (samples < 1)
        throw invalid_argument("hebbian_stability", "samples", samples, "must be >= 1");
    if (N == 1) return {0.0, 1.0};
    Random rng(seed);
    std::vector<double> y(std::size_t(N - 1)), logit(std::size_t(N - 1));
    const double dd = double(d);
    double bits = 0, fixed = 0;
    for (int k = 0; k < samples; ++k) {
        for (std::size_t mu = 0; mu < y.size(); ++mu) {
            Index agree = 0;  // Binomial(d, 1/2) from random bits
            for (Index i = 0; i < d; i += 64) {
                std::uint64_t w = rng.bits();
                if (d - i < 64) w &= (std::uint64_t(1) << (d - i)) - 1;
                agree += std::popcount(w);
            }
            y[mu] = double(2 * agree - d);
            // P(s = +1 | Y) = (1 + Y/d)/2, clamped off 0 and 1 (|Y| = d has probability 2^(1-d))
            const double p = std::clamp(0.5 * (1.0 + y[mu] / dd), 1e-300, 1.0 - 1e-16);
            logit[mu] = std::log(p) - std::log1p(-p);
        }
        const double p = detail::rademacher_lower_tail(y, logit, double(N) - dd - 1.0);
        bits += p;
        fixed += std::exp(dd * std::log1p(-p));
    }
    return {bits / samples, fixed / samples};
}

/// \brief Finite-size probability that one stored pattern is an exact fixed point of the
/// classical Hebbian network (hebbian_stability(d, N).fixed).
inline double hebbian_pattern_fixed_probability(Index d, Index N) {
    return hebbian_stability(d, N).fixed;
}

/// \brief Finite-size probability that every one of the N stored patterns is an exact fixed
/// point: hebbian_pattern_fixed_probability^N (the patterns' events are treated as
/// independent, which neglects their weak positive correlation).
inline double hebbian_all_fixed_probability(Index d, Index N) {
    return std::pow(hebbian_pattern_fixed_probability(d, N), double(N));
}

/// \brief Perfect recall when most patterns must be exact fixed points: N = d / (2 ln d)
/// (asymptotic; McEliece, Posner, Rodemich & Venkatesh 1987).
inline double perfect_recall_most(double d) { return d / (2.0 * std::log(d)); }

/// \brief Perfect recall when all patterns must be exact fixed points: N = d / (4 ln d)
/// (asymptotic; McEliece et al. 1987).
inline double perfect_recall_all(double d) { return d / (4.0 * std::log(d)); }

/// \brief Storkey rule capacity N ~ d / sqrt(2 ln d) (Storkey 1997; asymptotic, same
/// "patterns are fixed points" sense as d / (2 ln d) for the Hebb rule).
inline double storkey_capacity(double d) { return d / std::sqrt(2.0 * std::log(d)); }

/// \brief Pseudo-inverse (projection) rule capacity: any linearly independent set, N < d
/// (Personnaz, Guyon & Dreyfus 1985).
inline double pseudo_inverse_capacity(double d) { return d; }

// --- dense p-body networks ------------------------------------------------------------------

/// \brief n!! (n >= -1; (-1)!! = 0!! = 1).
inline double double_factorial(int n) {
    if (n < -1) throw invalid_argument("double_factorial", "n", n, "must be >= -1");
    double r = 1;
    for (int k = n; k > 1; k -= 2) r *= k;
    return r;
}

/// \brief Per-bit signal-to-noise ratio squared at a stored pattern of the dense p-body
/// network F(x) = x^p: SNR^2 = d^(p-1) / (n_other (2p-3)!!), doubled for the rectified
/// F(x) = max(x, 0)^p (Krotov & Hopfield 2016; models.md section 5). Asymptotic in d.
///
/// `n_other` is the number of OTHER stored patterns (N - 1): the target contributes the signal
/// 2p d^(p-1), each other pattern a zero-mean term of variance 4 p^2 (2p-3)!! d^(p-1) (the
/// (2p-2)-th moment of a sum of d +-1 terms), or half of it when F is rectified (the term
/// vanishes for negative overlaps).
inline double dense_snr2(double d, double n_other, int p, bool rectified) {
    if (p < 2) throw invalid_argument("dense_snr2", "p", p, "must be >= 2");
    if (!(n_other > 0)) throw invalid_argument("dense_snr2", "n_other", n_other, "must be > 0");
    const double snr2 = std::pow(d, p - 1) / (n_other * double_factorial(2 * p - 3));
    return rectified ? 2.0 * snr2 : snr2;
}

/// \brief Per-bit error probability Phi(-SNR) of one update at a stored pattern of the dense
/// p-body network (asymptotic Gaussian approximation).
inline double dense_bit_error(double d, double n_other, int p, bool rectified) {
    return normal_cdf(-std::sqrt(dense_snr2(d, n_other, p, rectified)));
}

/// \brief The dense p-body load at which all patterns are exact fixed points:
/// N < d^(p-1) / (2p (2p-3)!! ln d) (models.md section 5; asymptotic).
inline double dense_all_exact_capacity(double d, int p) {
    return std::pow(d, p - 1) / (2.0 * p * double_factorial(2 * p - 3) * std::log(d));
}

// --- exponential interaction (Demircigil et al. 2017) ----------------------------------------

/// \brief Demircigil et al.'s exponent: N = exp(a d) patterns are all fixed points (exact cues)
/// for a < ln(2) / 2, asymptotically.
inline constexpr double exponential_exponent = std::numbers::ln2 / 2.0;

/// \brief Finite-size probability that all N random +-1 patterns of dimension d are fixed
/// points of the exponential model F(x) = exp(beta x), leading order:
///     P = exp(-N (N - 1) d / 2^(d + 1)).
///
/// Derivation (ours): two stored patterns x, x' that differ in exactly one bit i have the same
/// overlap with any state that agrees with them off bit i, excluding bit i; the update of bit i
/// uses exactly those overlaps (m_mu - x_mu,i sigma_i), so at sigma = x the contributions of x
/// and x' to the field of bit i cancel exactly, for every beta, and the rest of the memory
/// decides bit i. It decides it the same way at x and at x' (same overlaps again), so exactly
/// one of the two is not a fixed point. The expected number of such pairs is
/// C(N, 2) d / 2^d, Poisson in the limit. Other failures (a bit outvoted by neighbours at
/// distance >= 2, each weighted e^(-2 beta (k-1))) are of higher order at these loads. The 50%
/// point N ~ 2^(d/2) sqrt(2 ln 2 / d) has exactly the exponent ln(2)/2 of Demircigil et al.
inline double exponential_all_fixed_probability(double d, double N) {
    return std::exp(-N * (N - 1.0) * d / std::exp2(d + 1.0));
}

/// \brief Finite-size probability that one given stored pattern is a fixed point of the
/// exponential model, leading order: each of the (N - 1) d / 2^d expected neighbours at
/// Hamming distance 1 makes it fail with probability 1/2 (see exponential_all_fixed_probability),
/// so P = exp(-(N - 1) d / 2^(d + 1)).
inline double exponential_pattern_fixed_probability(double d, double N) {
    return std::exp(-(N - 1.0) * d / std::exp2(d + 1.0));
}

/// \brief The N at which exponential_all_fixed_probability(d, N) = level (0 < level < 1).
inline double exponential_all_fixed_crossing(double d, double level = 0.5) {
    if (!(level > 0 && level < 1))
        throw invalid_argument("exponential_all_fixed_crossing", "level", level,
                               "must be in (0, 1)");
    const double c = -std::log(level) * std::exp2(d + 1.0) / d;  // N (N - 1) = c
    return 0.5 + std::sqrt(0.25 + c);
}

// --- modern continuous networks: one-step retrieval from flipped cues ------------------------

/// \brief P(Bin(n, 1/2) <= k): the probability that a random +-1 pattern is within Hamming
/// distance k of a given point in dimension n (exact sum, in the log domain).
inline double binomial_half_cdf(Index n, Index k) {
    if (n < 0) throw invalid_argument("binomial_half_cdf", "n", n, "must be >= 0");
    if (k < 0) return 0.0;
    if (k >= n) return 1.0;
    double log_c = 0, sum = 0;  // log C(n, j)
    const double log_half_n = -double(n) * std::numbers::ln2;
    for (Index j = 0; j <= k; ++j) {
        if (j > 0) log_c += std::log(double(n - j + 1) / double(j));
        sum += std::exp(log_c + log_half_n);
    }
    return std::min(sum, 1.0);
}

/// \brief How a one-step retrieval resolves a tie between the target and another pattern at
/// the same distance from the cue.
enum class Ties {
    fail,   ///< sparse maps: equal top scores share the weight, the output is their average
    random  ///< softmax-like maps: the rest of the memory tips the balance, at random
};

/// \brief Nearest-neighbour retrieval of a stored pattern from a cue with exactly `flips`
/// flipped bits, N random +-1 patterns of dimension d: the probability that the target is the
/// pattern nearest to the cue. With q_lt = P(H < flips), q_eq = P(H = flips) for the Hamming
/// distance H ~ Bin(d, 1/2) of another pattern to the cue (independent patterns):
/// - Ties::fail:   (1 - q_lt - q_eq)^(N - 1), every other pattern strictly farther;
/// - Ties::random: sum_T P(no nearer one, T tied) / (T + 1)
///                 = [(1 - q_lt)^N - (1 - q_lt - q_eq)^N] / (N q_eq).
///
/// Ties::fail is exact for one step of sparsemax (beta >= 1/2) and 1.5-entmax (beta >= 1) on
/// +-1 patterns: the scores are overlaps, a strict maximum is at least 2 above the rest, so the
/// output is exactly the nearest pattern; a tie gives the average of the tied patterns (no
/// unique nearest pattern) and a nearer pattern wins. Softmax and softmax_1 weigh a pattern 2
/// closer e^(2 beta) times more (it wins) and split a tie evenly, which the small weights of
/// the other patterns then break: Ties::random, the beta -> infinity limit. The 50% point is at
/// N ~ ln 2 / q ~ 2^(d (1 - H2(flips/d))): exponential in d (Ramsauer et al., Theorem 3).
inline double nearest_neighbour_success(Index d, double N, Index flips, Ties ties = Ties::fail) {
    const double q_le = binomial_half_cdf(d, flips), q_lt = binomial_half_cdf(d, flips - 1),
                 q_eq = q_le - q_lt;
    if (N <= 1) return 1.0;
    if (q_le >= 1.0 && ties == Ties::fail) return 0.0;
    const double strict = std::exp((N - 1.0) * std::log1p(-q_le));
    if (ties == Ties::fail || N * q_eq < 1e-9) return strict;
    const double a = std::exp(N * std::log1p(-q_lt)), b = std::exp(N * std::log1p(-q_le));
    return (a - b) / (N * q_eq);
}

/// \brief The probability that one step of sparsemax (beta >= 1/2) or 1.5-entmax (beta >= 1)
/// lands exactly on the target from a cue with `flips` flipped bits: every other pattern is
/// strictly farther from the cue than the target, or an exact copy of it (a copy ties, and the
/// average of copies is the target), (1 - q_le + 2^-d)^(N - 1). Exact for random +-1 patterns.
inline double sparse_exact_retrieval(Index d, double N, Index flips) {
    const double q = binomial_half_cdf(d, flips) - std::exp2(-double(d));
    return N <= 1 ? 1.0 : std::exp((N - 1.0) * std::log1p(-q));
}

/// \brief The N at which nearest_neighbour_success falls to `level` (bisection in log N).
inline double nearest_neighbour_crossing(Index d, Index flips, Ties ties = Ties::fail,
                                         double level = 0.5) {
    if (!(level > 0 && level < 1))
        throw invalid_argument("nearest_neighbour_crossing", "level", level, "must be in (0, 1)");
    double lo = 0.0, hi = 1.0;  // log N
    while (nearest_neighbour_success(d, std::exp(hi), flips, ties) > level) {
        lo = hi;
        hi *= 2.0;
        if (hi > 700) return std::numeric_limits<double>::infinity();
    }
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        (nearest_neighbour_success(d, std::exp(mid), flips, ties) > level ? lo : hi) = mid;
    }
    return std::exp(0.5 * (lo + hi));
}

// --- multitasking network (Agliari, Barra, Galluzzi, Guerra & Moauro 2012) --------------------

/// \brief The hierarchical overlap m_k = (1 - dil) dil^(k-1) of the k-th pattern (k >= 1) of
/// the multitasking network with dilution dil = P(xi = 0), zero temperature, low load, with
/// m_k = (1/d) sum_i xi^k_i sigma_i.
///
/// Signal analysis: in the hierarchical state each neuron follows the first pattern (in the
/// order of the overlaps) that is non-zero on it, sigma_i = sign(xi^k_i) for the smallest such
/// k; pattern k is then fully aligned on the d dil^(k-1) (1 - dil) neurons where it is the
/// first non-zero one, and its contribution elsewhere averages to zero. The state is a fixed
/// point iff every m_k exceeds the sum of the later ones (see multitasking_is_hierarchical).
/// Normalised by the pattern's support instead (1/(d (1 - dil)) sum), m_k = dil^(k-1).
inline double multitasking_overlap(double dilution, int k) {
    if (!(dilution >= 0 && dilution < 1))
        throw invalid_argument("multitasking_overlap", "dilution", dilution, "must be in [0, 1)");
    if (k < 1) throw invalid_argument("multitasking_overlap", "k", k, "must be >= 1");
    return (1.0 - dilution) * std::pow(dilution, k - 1);
}

/// \brief True when the hierarchical state of K patterns is a zero-temperature fixed point:
/// m_k > sum_{j > k} m_j for every k, i.e. 1 - 2 dil + dil^K > 0 (always for K = 2;
/// dil < 0.618 for K = 3; dil < 1/2 as K -> infinity). Beyond it the network is in the
/// parallel regime and m_k = (1 - dil) dil^(k-1) no longer holds.
inline bool multitasking_is_hierarchical(double dilution, int K) {
    return 1.0 - 2.0 * dilution + std::pow(dilution, K) > 0.0;
}

}  // namespace hopfield::capacity::theory
