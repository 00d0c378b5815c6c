#pragma once
/// \file interaction.hpp
/// \brief Interaction functions F of the binary dense associative memories (energy
/// E = -sum_mu F(m_mu), overlaps m_mu = x_mu . sigma; models.md section 2), and the kernel
/// coefficients a, b their exact single-neuron update needs.
///
/// For neuron i (the update rule of Krotov & Hopfield 2016; models.md section 2), with
/// D(y) = F(y+1) - F(y-1),
///     E(sigma_i = -1) - E(sigma_i = +1) = sum_mu x_mu,i D(m_mu - x_mu,i sigma_i)
///                                       = (X a)_i + sigma_i sum_mu b_mu,
///     a_mu = (D(m_mu - 1) + D(m_mu + 1)) / 2,   b_mu = (D(m_mu - 1) - D(m_mu + 1)) / 2,
/// because x_mu,i D(m_mu - x_mu,i sigma_i) = x_mu,i a_mu + sigma_i b_mu for x_mu,i = +-1.
/// Substituting D gives the forms used below (no D is ever subtracted from another D):
///     a_mu = (F(m_mu + 2) - F(m_mu - 2)) / 2,   b_mu = -(F(m_mu + 2) - 2 F(m_mu) + F(m_mu - 2)) / 2.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <numbers>
#include <vector>

#include "hopfield/core/error.hpp"

namespace hopfield {

/// \brief An interaction function F of a binary dense model, with its update coefficients.
///
/// Requirements, for overlaps m[0..n) (finite) of patterns of dimension `dim`:
/// - `I::name`: a short identifier.
/// - `f.F(x)`: the function itself.
/// - `f.coefficients(m, n, dim, a, b)` writes a_mu, b_mu (see the file comment) both divided
///   by the same positive factor exp(log_scale), and returns log_scale. The field of neuron i
///   is exp(log_scale) ((X a)_i + sigma_i sum_mu b_mu) = E(sigma_i = -1) - E(sigma_i = +1), which
///   is twice the field in Hebbian units (for Quadratic, 2 sum_{j != i} J_ij sigma_j; not an
///   energy difference when Quadratic::keep_self_coupling is set, see there). The sign
///   update needs only the sign of the field, so it can drop the factor; Glauber dynamics
///   P(sigma_i = +1) = 1 / (1 + exp(-2 beta_T h_i)) with h in Hebbian units uses
///   2 h_i = exp(log_scale) ((X a)_i + sigma_i sum b).
/// - `f.energy(m, n, dim)`: E = -sum_mu F(m_mu) (plus the constant the model states).
template <class I>
concept Interaction = requires(const I& f, double x, const double* m, std::size_t n,
                               std::ptrdiff_t dim, double* a, double* b) {
    { I::name } -> std::convertible_to<const char*>;
    { f.F(x) } -> std::same_as<double>;
    { f.coefficients(m, n, dim, a, b) } -> std::same_as<double>;
    { f.energy(m, n, dim) } -> std::same_as<double>;
};

namespace detail {

/// x^p for p >= 0 by binary exponentiation: exact while the result is an integer below 2^53.
inline double ipow(double x, int p) noexcept {
    double result = 1.0;
    while (p > 0) {
        if (p & 1) result *= x;
        p >>= 1;
        if (p > 0) x *= x;
    }
    return result;
}

/// The binomial forms of a and b for F(x) = x^p (p >= 2):
///     a(m) =  (F(m+2) - F(m-2)) / 2           =  sum_{k odd}       C(p,k) 2^k m^(p-k)
///     b(m) = -(F(m+2) - 2F(m) + F(m-2)) / 2   = -sum_{k even >= 2} C(p,k) 2^k m^(p-k)
/// (equivalently D(y) = (y+1)^p - (y-1)^p = 2 sum_{k odd} C(p,k) y^(p-k)). Within each sum every
/// power m^(p-k) has the same parity, so all terms have one sign: no cancellation, and the
/// result is exact for integer m while it stays below 2^53.
class BinomialForms {
public:
    explicit BinomialForms(int p) : p_(p), log2_binom_(std::size_t(p) + 1) {
        // log2 C(p, k) for the rescaled path: log2 C(p,k) = log2 C(p,k-1) + log2((p-k+1)/k),
        // Kahan-summed (~1e-14 absolute for p ~ 1000; no lgamma, whose signgam is a data race).
        double sum = 0, carry = 0;
        for (int k = 1; k <= p; ++k) {
            const double term = std::log2(double(p - k + 1) / double(k)) - carry;
            const double next = sum + term;
            carry = (next - sum) - term;
            sum = next;
            log2_binom_[std::size_t(k)] = sum;
        }
        // Exact c_k = C(p, k) 2^k for the direct path, which needs 3^p = sum_k c_k < 2^996.
        if (p <= max_direct_p) {
            // C(p, k) by Pascal's triangle (additions only: exact while C(p, p/2) < 2^53, i.e.
            // p <= 56; ~p ulps relative after), then the exact factor 2^k.
            coef_.assign(std::size_t(p) + 1, 0.0);
            coef_[0] = 1.0;
            for (int row = 1; row <= p; ++row)
                for (int k = row; k >= 1; --k) coef_[std::size_t(k)] += coef_[std::size_t(k - 1)];
            for (int k = 0; k <= p; ++k) coef_[std::size_t(k)] = std::ldexp(coef_[std::size_t(k)], k);
        }
    }

    /// log2 of a bound on |a|, |b| (and on every intermediate of direct()) over overlaps with
    /// |m| <= m_abs_max: p log2(max(m_abs_max, 1) + 2), since sum_k C(p,k) 2^k |m|^(p-k) =
    /// (|m| + 2)^p and sum_k C(p,k) 2^k = 3^p.
    double log2_bound(double m_abs_max) const noexcept {
        return double(p_) * std::log2(std::max(m_abs_max, 1.0) + 2.0);
    }

    /// The largest log2_bound() evaluated directly (2^996 ~ 6.7e299 < 1e300).
    static constexpr double direct_limit = 996.0;
    /// Rescaled results are at most 2^headroom.
    static constexpr double headroom = 990.0;

    /// a(m), b(m) exactly (Horner in m over the two interleaved sums, every partial sum of one
    /// sign); valid when log2_bound(|m|) <= direct_limit.
    void direct(double m, double& a, double& b) const noexcept {
        double sa = 0, sb = 0;
        for (int k = 0; k <= p_; ++k) {
            const double c = coef_[std::size_t(k)];
            sa = sa * m + ((k & 1) ? c : 0.0);
            sb = sb * m + ((k & 1) == 0 && k >= 2 ? c : 0.0);
        }
        a = sa;
        b = -sb;
    }

    /// a(m) 2^-shift, b(m) 2^-shift term by term in the log2 domain (any p, no overflow when
    /// log2_bound(|m|) - shift <= headroom); ~1e-13 relative accuracy, terms below 2^-1074
    /// flush to 0.
    void rescaled(double m, double shift, double& a, double& b) const noexcept {
        const double lx = std::log2(std::abs(m));  // -inf for m = 0: only k = p survives
        double sa = 0, sb = 0;
        for (int k = 1; k <= p_; ++k) {
            const double lpow = (k == p_) ? 0.0 : double(p_ - k) * lx;
            const double term = std::exp2(log2_binom_[std::size_t(k)] + double(k) + lpow - shift);
            if (k & 1) sa += term;
            else sb += term;
        }
        // Signs: the a-terms carry m^(p-k) with p-k = p-1 (mod 2), the b-terms p-k = p (mod 2).
        const bool negative_m = m < 0;
        a = (negative_m && p_ % 2 == 0) ? -sa : sa;
        b = (negative_m && p_ % 2 == 1) ? sb : -sb;
    }

    /// p.
    int p() const noexcept { return p_; }

private:
    static constexpr int max_direct_p = 628;  // p log2(3) <= 996

    int p_;
    std::vector<double> log2_binom_;
    std::vector<double> coef_;
};

/// log(sinh(x)) for x > 0 without overflow: x - log 2 + log1p(-exp(-2x)) for x > 1.
inline double log_sinh(double x) noexcept {
    if (x > 1.0) return x - std::numbers::ln2 + std::log1p(-std::exp(-2.0 * x));
    return std::log(std::sinh(x));
}

}  // namespace detail

/// \brief F(x) = x^2 / (2 dim): the classical Hebbian model (Hopfield 1982), couplings
/// J = (1/dim) sum_mu x_mu x_mu^T.
///
/// D(y) = 2y/dim, so a_mu = 2 m_mu / dim and b_mu = -2/dim; they are returned as a = m and
/// b = -1 exactly with log_scale = log(2/dim), so integer overlaps give integer fields and
/// ties (h_i = 0) stay detectable: (X a)_i + sigma_i sum b = (X X^T sigma)_i - N sigma_i =
/// dim sum_{j != i} J_ij sigma_j, the Hebbian field with zero self-coupling (times dim).
///
/// `F(x)` returns x^2 / 2: the 1/dim normalisation depends on the dimension, which only
/// coefficients() and energy() receive; the model's interaction is F(x) / dim.
struct Quadratic {
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "quadratic";

    /// \brief Keep the self-coupling J_ii = N/dim (the classical field sum_j J_ij sigma_j,
    /// diagonal included). Then b = 0 and the energy is -(1/2) sigma^T J sigma =
    /// -(1/(2 dim)) sum_mu m_mu^2 (no n/2). The field is then 2 sum_j J_ij sigma_j, which is the
    /// energy difference E(sigma_i = -1) - E(sigma_i = +1) plus 2 (N/dim) sigma_i: the current
    /// state is favoured, the energy still never rises under asynchronous updates (J_ii >= 0),
    /// but more spurious fixed points are stable. Default false: J_ii = 0 (models.md
    /// section 2), the exact energy-comparison update of F.
    bool keep_self_coupling = false;

    /// \brief x^2 / 2 (the model's F is this divided by dim; see the struct comment).
    double F(double x) const noexcept { return 0.5 * x * x; }

    /// \brief a = m, b = -1 (b = 0 with the self-coupling kept); returns log(2/dim).
    /// Throws hopfield::invalid_argument naming `dim` unless dim > 0.
    double coefficients(const double* m, std::size_t n, std::ptrdiff_t dim, double* a,
                        double* b) const {
        check_dim("Quadratic::coefficients", dim);
        const double self = keep_self_coupling ? 0.0 : -1.0;
        for (std::size_t mu = 0; mu < n; ++mu) {
            a[mu] = m[mu];
            b[mu] = self;
        }
        return std::log(2.0 / double(dim));
    }

    /// \brief E = -(1/(2 dim)) sum_mu m_mu^2 + n/2, i.e. -(1/2) sum_{i != j} J_ij sigma_i sigma_j
    /// (the n/2 removes the diagonal sum_i J_ii / 2 = n/2); without the n/2 when the
    /// self-coupling is kept. Throws like coefficients().
    double energy(const double* m, std::size_t n, std::ptrdiff_t dim) const {
        check_dim("Quadratic::energy", dim);
        double sq = 0;
        for (std::size_t mu = 0; mu < n; ++mu) sq += m[mu] * m[mu];
        const double e = -sq / (2.0 * double(dim));
        return keep_self_coupling ? e : e + 0.5 * double(n);
    }

private:
    static void check_dim(const char* where, std::ptrdiff_t dim) {
        if (dim <= 0) throw invalid_argument(where, "dim", dim, "must be > 0");
    }
};

/// \brief F(x) = x^p: the dense p-body associative memory (Krotov & Hopfield 2016;
/// Baldi & Venkatesh 1987); p = 2 is the Hebbian model up to the 1/dim scale.
///
/// a, b by the binomial expansion (detail::BinomialForms): exact for integer overlaps while
/// below 2^53, with no cancellation. log_scale is 0 unless (max|m| + 2)^p could exceed
/// ~6.7e299 (2^996); then a and b are computed term by term in the log2 domain and divided by
/// an exact power of two 2^s (log_scale = s log 2, every |a|, |b| <= 2^990), with ~1e-13
/// relative accuracy (p log2(max|m| + 2) ulps at most) and terms below 2^-1074 of that scale
/// flushed to 0. `dim` is not used.
class Polynomial {
public:
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "polynomial";

    /// \brief F(x) = x^p; throws hopfield::invalid_argument naming `p` unless p >= 2.
    explicit Polynomial(int p) : forms_(checked(p)) {}

    /// \brief The power p.
    int p() const noexcept { return forms_.p(); }

    /// \brief x^p (exact while an integer below 2^53).
    double F(double x) const noexcept { return detail::ipow(x, p()); }

    /// \brief a, b of the exact update, over exp(log_scale); returns log_scale (0 unless rescaled).
    double coefficients(const double* m, std::size_t n, std::ptrdiff_t /*dim*/, double* a,
                        double* b) const {
        double m_abs = 0;
        for (std::size_t mu = 0; mu < n; ++mu) m_abs = std::max(m_abs, std::abs(m[mu]));
        const double bound = forms_.log2_bound(m_abs);
        if (bound <= detail::BinomialForms::direct_limit) {
            for (std::size_t mu = 0; mu < n; ++mu) forms_.direct(m[mu], a[mu], b[mu]);
            return 0.0;
        }
        const double shift = std::ceil(bound) - detail::BinomialForms::headroom;
        for (std::size_t mu = 0; mu < n; ++mu) forms_.rescaled(m[mu], shift, a[mu], b[mu]);
        return shift * std::numbers::ln2;
    }

    /// \brief E = -sum_mu m_mu^p in double (overflows to +-inf past ~1e308; `dim` unused).
    double energy(const double* m, std::size_t n, std::ptrdiff_t /*dim*/) const noexcept {
        double e = 0;
        for (std::size_t mu = 0; mu < n; ++mu) e -= F(m[mu]);
        return e;
    }

private:
    static int checked(int p) {
        if (p < 2) throw invalid_argument("Polynomial", "p", p, "must be >= 2");
        return p;
    }

    detail::BinomialForms forms_;
};

/// \brief F(x) = max(x, 0)^p: the rectified dense p-body memory (Krotov & Hopfield 2016),
/// twice the signal-to-noise ratio squared of x^p (models.md section 5).
///
/// a = (F(m+2) - F(m-2))/2, b = -(F(m+2) - 2F(m) + F(m-2))/2 straight from F, by case:
/// m >= 2 (all three arguments >= 0): the binomial forms of Polynomial (exact, no
/// cancellation); m <= -2: a = b = 0; in between F(m-2) = 0, so a = (m+2)^p / 2 and
/// b = F(m) - (m+2)^p / 2 (no cancellation: (m+2)^p / 2 >= 2^(p-1) F(m)).
/// log_scale and rescaling as in Polynomial. `dim` is not used.
class RectifiedPolynomial {
public:
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "rectified";

    /// \brief F(x) = max(x,0)^p; throws hopfield::invalid_argument naming `p` unless p >= 2.
    explicit RectifiedPolynomial(int p) : forms_(checked(p)) {}

    /// \brief The power p.
    int p() const noexcept { return forms_.p(); }

    /// \brief max(x, 0)^p.
    double F(double x) const noexcept { return x > 0 ? detail::ipow(x, p()) : 0.0; }

    /// \brief a, b of the exact update, over exp(log_scale); returns log_scale (0 unless rescaled).
    double coefficients(const double* m, std::size_t n, std::ptrdiff_t /*dim*/, double* a,
                        double* b) const {
        double m_top = 0;  // only positive overlaps make F large
        for (std::size_t mu = 0; mu < n; ++mu) m_top = std::max(m_top, m[mu]);
        const double bound = forms_.log2_bound(m_top);
        const bool direct = bound <= detail::BinomialForms::direct_limit;
        const double shift = direct ? 0.0 : std::ceil(bound) - detail::BinomialForms::headroom;
        for (std::size_t mu = 0; mu < n; ++mu) {
            const double x = m[mu];
            if (x >= 2.0) {
                if (direct) forms_.direct(x, a[mu], b[mu]);
                else forms_.rescaled(x, shift, a[mu], b[mu]);
            } else if (x <= -2.0) {
                a[mu] = 0.0;
                b[mu] = 0.0;
            } else {
                const double up = direct ? 0.5 * detail::ipow(x + 2.0, p())
                                         : std::exp2(double(p()) * std::log2(x + 2.0) - 1.0 - shift);
                const double mid = x <= 0.0 ? 0.0
                                   : direct ? detail::ipow(x, p())
                                            : std::exp2(double(p()) * std::log2(x) - shift);
                a[mu] = up;
                b[mu] = mid - up;
            }
        }
        return shift * std::numbers::ln2;
    }

    /// \brief E = -sum_mu max(m_mu, 0)^p in double (overflows to -inf past ~1e308; `dim` unused).
    double energy(const double* m, std::size_t n, std::ptrdiff_t /*dim*/) const noexcept {
        double e = 0;
        for (std::size_t mu = 0; mu < n; ++mu) e -= F(m[mu]);
        return e;
    }

private:
    static int checked(int p) {
        if (p < 2) throw invalid_argument("RectifiedPolynomial", "p", p, "must be >= 2");
        return p;
    }

    detail::BinomialForms forms_;
};

/// \brief F(x) = exp(beta x): the exponential dense associative memory (Demircigil et al.
/// 2017), storage capacity exponential in the dimension.
///
/// Derivation: D(y) = e^{beta(y+1)} - e^{beta(y-1)} = 2 sinh(beta) e^{beta y}, hence
///     a_mu = sinh(beta) (e^{beta(m-1)} + e^{beta(m+1)}) = sinh(2 beta) e^{beta m},
///     b_mu = sinh(beta) (e^{beta(m-1)} - e^{beta(m+1)}) = -2 sinh(beta)^2 e^{beta m}
///          = -tanh(beta) a_mu.
/// In the log domain, shifted by M = max_mu m_mu so that every exponent is <= 0:
///     a_mu = e^{beta (m_mu - M)},  b_mu = -tanh(beta) e^{beta (m_mu - M)},
///     log_scale = beta M + log(sinh(2 beta))   (log sinh evaluated without overflow).
/// The largest a is exactly 1; patterns far below the top underflow to exactly 0 (their true
/// share is below 2^-1074 of the top's). `dim` is not used.
class Exponential {
public:
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "exponential";

    /// \brief F(x) = exp(beta x); throws hopfield::invalid_argument naming `beta` unless
    /// beta is finite and > 0.
    explicit Exponential(double beta = 1.0) : beta_(beta) {
        detail::require_positive("Exponential", "beta", beta);
    }

    /// \brief The inverse temperature beta of F.
    double beta() const noexcept { return beta_; }

    /// \brief exp(beta x) (+inf past beta x ~ 709.8).
    double F(double x) const noexcept { return std::exp(beta_ * x); }

    /// \brief a, b of the exact update over exp(log_scale) (see the class comment); returns
    /// log_scale = beta max m + log sinh(2 beta) (0 when n = 0).
    double coefficients(const double* m, std::size_t n, std::ptrdiff_t /*dim*/, double* a,
                        double* b) const {
        if (n == 0) return 0.0;
        double top = m[0];
        for (std::size_t mu = 1; mu < n; ++mu) top = std::max(top, m[mu]);
        const double ratio = -std::tanh(beta_);
        for (std::size_t mu = 0; mu < n; ++mu) {
            a[mu] = std::exp(beta_ * (m[mu] - top));
            b[mu] = ratio * a[mu];
        }
        return beta_ * top + detail::log_sinh(2.0 * beta_);
    }

    /// \brief E = -sum_mu exp(beta m_mu) in double: overflows to -inf once some
    /// beta m_mu > ~709.8 (use coefficients(), which is shifted, for the dynamics).
    double energy(const double* m, std::size_t n, std::ptrdiff_t /*dim*/) const noexcept {
        double e = 0;
        for (std::size_t mu = 0; mu < n; ++mu) e -= F(m[mu]);
        return e;
    }

private:
    double beta_;
};

}  // namespace hopfield
