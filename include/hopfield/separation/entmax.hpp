#pragma once
/// \file entmax.hpp
/// \brief alpha-entmax: the separation map of the generalized sparse modern Hopfield network
/// (STanHop, Wu et al. 2024; the map is Peters, Niculae & Martins 2019, "Sparse Sequence-to-
/// Sequence Models"). alpha = 1 is softmax, alpha = 2 is sparsemax (models.md section 3).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <xsimd/xsimd.hpp>

#include "hopfield/core/error.hpp"
#include "hopfield/separation/concept.hpp"
#include "hopfield/separation/softmax.hpp"
#include "hopfield/separation/sparsemax.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield {

namespace detail {

/// Psi*_alpha(z) = <p, z> + H_alpha(p) at p = entmax_alpha(z), with the Tsallis entropy
/// H_alpha(p) = (1 - sum_i p_i^alpha) / (alpha (alpha - 1)) (Tsallis; Peters et al. 2019).
/// Since sum p = 1, 1 - sum p^alpha = -sum p_i expm1((alpha - 1) log p_i): that form has no
/// cancellation near alpha = 1 (where it tends to the Shannon entropy -sum p log p) and does
/// not amplify a rounding error in sum p by 1 / (alpha - 1). Terms with p_i = 0 are skipped
/// (no 0 * -inf). -inf when every score is -inf.
template <class Scalar>
double tsallis_conjugate(const Scalar* z, const Scalar* p, std::size_t n, double alpha) {
    const Scalar top = simd::max(z, n);
    if (top == -std::numeric_limits<Scalar>::infinity())
        return -std::numeric_limits<double>::infinity();
    const double t = alpha - 1.0;
    double h = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] > Scalar(0)) h -= double(p[i]) * std::expm1(t * std::log(double(p[i])));
    return shifted_dot(z, p, n, double(top)) + h / (alpha * t);
}

/// sum_i (1 + u_i)^(1/t) over the u_i = y_i - e > -1 (zero otherwise), evaluated as
/// exp(log1p(u_i) / t), vectorized in double: the probability mass of the entmax bisection.
template <class Arch = simd::default_arch>
double entmax_mass(const double* y, std::size_t m, double e, double inv_t) noexcept {
    using batch = xsimd::batch<double, Arch>;
    constexpr std::size_t w = batch::size;
    const batch ve(e), vinv(inv_t), minus_one(-1.0), zero(0.0), floor(-1000.0);
    batch acc(0.0);
    std::size_t i = 0;
    for (; i + w <= m; i += w) {
        const batch u = batch::load_unaligned(y + i) - ve;
        // max(u, -1) keeps log1p off its NaN domain; the select zeroes u <= -1 exactly.
        // ... and the floor keeps -inf (log1p(-1)) out of xsimd::exp, which converts its
        // argument to an integer (an out-of-range conversion, flagged by clang's UBSan).
        const batch v = xsimd::exp(xsimd::max(xsimd::log1p(xsimd::max(u, minus_one)) * vinv, floor));
        acc += xsimd::select(u > minus_one, v, zero);
    }
    alignas(64) double lanes[w];  // store and add (xsimd::hadd on AVX-512 double trips GCC 12's
    acc.store_aligned(lanes);     // -Wuninitialized, GCC bug 105593)
    double sum = 0;
    for (std::size_t k = 0; k < w; ++k) sum += lanes[k];
    for (; i < m; ++i) {
        const double u = y[i] - e;
        if (u > -1.0) sum += std::exp(std::log1p(u) * inv_t);
    }
    return sum;
}

}  // namespace detail

/// \brief 1.5-entmax, exact and sort-based (Peters, Niculae & Martins 2019, exact 1.5-entmax):
/// p_i = [z_i / 2 - tau]_+^2 with tau such that sum p = 1.
///
/// With x = (z - max z)/2 sorted decreasingly, for each prefix of length k: mean_k, the sum of
/// squared deviations ss_k (Welford's update, no cancellation for large scores),
/// tau_k = mean_k - sqrt(max((1 - ss_k)/k, 0)) (the smaller root of sum_{j<=k}(x_j - tau)^2 = 1);
/// the support size is k* = #{k : tau_k <= x_(k)} and tau = tau_{k*}. Only scores above
/// max z - 2 are sorted (tau >= max x - 1, so no other score can be in the support).
/// Done in double for float too. -inf entries get exactly 0; all -inf (or n = 0) gives zeros.
/// Scratch memory: the thread_local buffer of sparsemax (no allocation in steady state;
/// apply() is const and thread-safe).
struct Entmax15 {
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "entmax15";

    /// \brief p = 1.5-entmax(z) over n scores; z and p may alias.
    template <class Scalar>
    void apply(const Scalar* z, Scalar* p, std::size_t n) const {
        const Scalar top_s = detail::checked_top(name, z, p, n);
        if (top_s == -std::numeric_limits<Scalar>::infinity()) return;  // all masked: zeros
        const double top = double(top_s);
        double* x = detail::scratch_doubles(2 * n);
        double* taus = x + n;
        const std::size_t m = detail::support_candidates(z, n, top, 0.5, x);
        std::sort(x, x + m, std::greater<double>());
        double mean = 0, ss = 0;
        std::size_t support = 0;
        for (std::size_t j = 0; j < m; ++j) {
            const double k = double(j + 1);
            const double delta = x[j] - mean;  // Welford: ss_k = sum_{i<=k} (x_i - mean_k)^2
            mean += delta / k;
            ss += delta * (x[j] - mean);
            const double tau = mean - std::sqrt(std::max((1.0 - ss) / k, 0.0));
            taus[j] = tau;
            if (tau <= x[j]) ++support;
        }
        const double tau = taus[support - 1];  // support >= 1: tau_1 = x_(1) - 1
        for (std::size_t i = 0; i < n; ++i) {
            const double v = 0.5 * (double(z[i]) - top) - tau;  // -inf for masked scores
            p[i] = v > 0.0 ? Scalar(v * v) : Scalar(0);
        }
    }

    /// \brief Psi*_1.5(z) = <p, z> + H_1.5(p) at p = entmax15(z) (Tsallis entropy, see
    /// Entmax::conjugate); its gradient is p. `p` must be the output of apply(z, p, n).
    template <class Scalar>
    double conjugate(const Scalar* z, const Scalar* p, std::size_t n) const {
        detail::require_scores(name, z, n);
        return detail::tsallis_conjugate(z, p, n, 1.5);
    }
};

/// \brief alpha-entmax for any alpha in [1, 2]: p_i = [(alpha - 1) z_i - tau]_+^(1/(alpha - 1)),
/// sum p = 1 (Peters, Niculae & Martins 2019), found by bisection on tau.
///
/// alpha - 1 < 1e-6 uses softmax (its alpha -> 1 limit): the bisection divides by alpha - 1.
/// The switch is a jump of |entmax - softmax| ~ 0.46 (alpha - 1) < 5e-7 (models.md), a few
/// float roundings.
///
/// Otherwise, with t = alpha - 1 and the bracket tau in [t max z - 1, t max z - n^(-t)]
/// reparametrised as tau = t max z - 1 + e, e in [0, -expm1(-t log n)] (n = number of
/// candidate scores, below), each weight is
///     p_i = exp( log1p(u_i) / t ),   u_i = t (z_i - max z) - e,   0 when u_i <= -1.
/// At e = 0 the top score alone has weight 1 (sum >= 1); at the upper end every weight is
/// <= 1/n (sum <= 1). Bisecting on the offset e (not on tau itself) and using log1p keep full
/// relative precision near alpha = 1, where the bracket is only ~t log n wide. The bisection runs in
/// double whatever Scalar is, until the bracket stops shrinking (at most 100 halvings), keeps
/// the upper end (sum <= 1: no spurious tiny weights outside the support) and normalises p by
/// its sum (a correction of the order of the double rounding). Scores with
/// t (z_i - max z) <= -1 can never be in the support and are skipped; -inf entries get exactly
/// 0; all -inf (or n = 0) gives all zeros. Cost: O(n) per halving, vectorized (xsimd, double).
/// Scratch memory: the thread_local buffer of sparsemax (no allocation in steady state;
/// apply() is const and thread-safe).
class Entmax {
public:
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "entmax";

    /// \brief alpha-entmax; throws hopfield::invalid_argument naming `alpha` unless
    /// 1 <= alpha <= 2 (NaN included).
    explicit Entmax(double alpha) : alpha_(alpha) {
        if (!(alpha >= 1.0 && alpha <= 2.0))
            throw invalid_argument("Entmax", "alpha", alpha, "must be in [1, 2]");
    }

    /// \brief The alpha this map was built with.
    double alpha() const noexcept { return alpha_; }

    /// \brief p = alpha-entmax(z) over n scores; z and p may alias.
    template <class Scalar>
    void apply(const Scalar* z, Scalar* p, std::size_t n) const {
        if (softmax_limit()) {
            // Check here first so that a bad score is reported as entmax's, not softmax's
            // (the message names the map the user called; found by fuzz/fuzz_separation).
            detail::require_scores(name, z, n);
            Softmax{}.apply(z, p, n);
            return;
        }
        const Scalar top_s = detail::checked_top(name, z, p, n);
        if (top_s == -std::numeric_limits<Scalar>::infinity()) return;  // all masked: zeros
        const double top = double(top_s);
        const double t = alpha_ - 1.0;
        const double inv_t = 1.0 / t;
        double* y = detail::scratch_doubles(n);
        // candidates: y = t (z - max z) > -1 (the top score has y = 0)
        const std::size_t m = detail::support_candidates(z, n, top, t, y);
        double lo = 0.0;                                     // mass >= 1
        double hi = -std::expm1(-t * std::log(double(m)));  // mass <= 1 (0 when m = 1)
        for (int it = 0; it < 100; ++it) {
            const double mid = 0.5 * (lo + hi);
            if (!(mid > lo && mid < hi)) break;  // the bracket no longer shrinks
            (detail::entmax_mass(y, m, mid, inv_t) >= 1.0 ? lo : hi) = mid;
        }
        const double e = hi;
        const double mass = detail::entmax_mass(y, m, e, inv_t);  // > 0: the top has u = -e > -1
        const double scale = 1.0 / mass;
        for (std::size_t i = 0; i < n; ++i) {
            const double u = t * (double(z[i]) - top) - e;  // -inf for masked scores
            p[i] = u > -1.0 ? Scalar(std::exp(std::log1p(u) * inv_t) * scale) : Scalar(0);
        }
    }

    /// \brief Psi*_alpha(z) = <p, z> + H_alpha(p) at p = entmax_alpha(z), with the Tsallis
    /// entropy H_alpha(p) = (1 - sum p^alpha) / (alpha (alpha - 1)); in the softmax limit the
    /// Shannon entropy, i.e. log-sum-exp (Softmax::conjugate). Its gradient is p.
    ///
    /// `p` must be the output of apply(z, p, n); it is not recomputed. In double; -inf when every
    /// score is -inf.
    template <class Scalar>
    double conjugate(const Scalar* z, const Scalar* p, std::size_t n) const {
        detail::require_scores(name, z, n);
        if (softmax_limit()) return Softmax{}.conjugate(z, p, n);
        return detail::tsallis_conjugate(z, p, n, alpha_);
    }

private:
    bool softmax_limit() const noexcept { return alpha_ - 1.0 < 1e-6; }

    double alpha_;
};

}  // namespace hopfield
