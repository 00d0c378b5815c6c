#pragma once
/// \file interaction.hpp
/// \brief Interaction functions F of the binary dense associative memories (energy
/// E = -sum_mu F(m_mu), overlaps m_mu = x_mu . sigma; models.md section 2), and the
/// differences D their exact single-neuron update needs.
///
/// For neuron i (the update rule of Krotov & Hopfield 2016; models.md section 2), with
/// D(y) = F(y+1) - F(y-1) and the overlap m_mu - x_mu,i sigma_i that excludes neuron i,
///     E(sigma_i = -1) - E(sigma_i = +1) = sum_mu x_mu,i D(m_mu - x_mu,i sigma_i)
///         = sigma_i ( sum_{mu: x_mu,i = sigma_i} D(m_mu - 1) - sum_{mu: x_mu,i != sigma_i} D(m_mu + 1) ).
/// Each pattern contributes ONE of its two differences, picked by whether it agrees with the
/// state at i; nothing is formed as a difference of large numbers. (The equivalent linear form
/// (X a)_i + sigma_i sum_mu b_mu with a = (D(m-1) + D(m+1))/2, b = (D(m-1) - D(m+1))/2 cancels
/// catastrophically when D(m+1) >> D(m-1): exponential F at beta >~ 10, or x^p at large p;
/// models/dense.hpp uses it only where it is exact.)

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <numbers>
#include <vector>

#include "hopfield/core/error.hpp"

namespace hopfield {

/// \brief An interaction function F of a binary dense model, with the differences its exact
/// update needs.
///
/// Requirements, for overlaps m[0..n) (finite) of patterns of dimension `dim`:
/// - `I::name`: a short identifier.
/// - `f.F(x)`: the function itself.
/// - `f.differences(m, n, dim, agree, disagree)` writes agree[mu] = D(m_mu - 1) and
///   disagree[mu] = D(m_mu + 1) (see the file comment), both divided by the same positive
///   factor exp(log_scale), and returns log_scale. Every agree value is finite; a disagree
///   value may overflow to +-inf where D(m+1) / D(m-1) exceeds double's range (a neuron that
///   disagrees with that pattern then has an infinite field, of the right sign). Values that
///   are integers must be exact (the model then forms the fields in exact arithmetic, ties
///   included). The field of neuron i is
///       exp(log_scale) sigma_i (sum_{x_mu,i = sigma_i} agree_mu - sum_{x_mu,i != sigma_i} disagree_mu)
///   = E(sigma_i = -1) - E(sigma_i = +1), twice the field in Hebbian units (for Quadratic,
///   2 sum_{j != i} J_ij sigma_j; see Quadratic::keep_self_coupling for the exception). The
///   sign update needs only its sign; Glauber dynamics P(sigma_i = +1) = 1/(1 + exp(-2 beta_T h_i))
///   uses its value.
/// - `f.energy(m, n, dim)`: E = -sum_mu F(m_mu) (plus the constant the model states).
template <class I>
concept Interaction = requires(const I& f, double x, const double* m, std::size_t n,
                               std::ptrdiff_t dim, double* agree, double* disagree) {
    { I::name } -> std::convertible_to<const char*>;
    { f.F(x) } -> std::same_as<double>;
    { f.differences(m, n, dim, agree, disagree) } -> std::same_as<double>;
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

    /// D(y) = F(y+1) - F(y-1) for F = x^p, as 2^(1-p) a(2y) (a(2y) = ((2y+2)^p - (2y-2)^p)/2 =
    /// 2^(p-1) D(y)): one sign in every partial sum, exact for integer y while below 2^53;
    /// valid when log2_bound(|2y|) <= direct_limit.
    double difference_direct(double y) const noexcept {
        double a, b;
        direct(2.0 * y, a, b);
        return std::ldexp(a, 1 - p_);
    }

    /// D(y) 2^-shift with the terms of difference_direct() summed in the log2 domain; needs
    /// log2_bound(|2y|) - (shift + p - 1) <= headroom.
    double difference_rescaled(double y, double shift) const noexcept {
        double a, b;
        rescaled(2.0 * y, shift + double(p_ - 1), a, b);
        return a;
    }

    /// How to form the differences over overlaps with |m| <= m_abs_max (see Polynomial):
    /// directly, or rescaled by 2^-shift (D 2^-shift <= 2^headroom; shift may be any sign).
    struct Scale {
        bool direct;   ///< difference_direct() is valid for every overlap
        double shift;  ///< the power of two for difference_rescaled() (0 when direct)
    };

    /// The Scale for overlaps with |m| <= m_abs_max.
    Scale difference_scale(double m_abs_max) const noexcept {
        const double bound = log2_bound(2.0 * m_abs_max + 2.0);  // |2(m +- 1)| <= 2|m| + 2
        if (bound <= direct_limit) return {true, 0.0};
        return {false, std::ceil(bound) - headroom - double(p_ - 1)};
    }

    /// D(y) 2^-shift by the path `scale` names.
    double difference(double y, Scale scale) const noexcept {
        return scale.direct ? difference_direct(y) : difference_rescaled(y, scale.shift);
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
/// D(y) = 2y/dim, so D(m - 1) = 2(m - 1)/dim and D(m + 1) = 2(m + 1)/dim; they are returned
/// as m - 1 and m + 1 exactly with log_scale = log(2/dim), so integer overlaps give integer
/// fields and ties (field 0) stay detectable: the field is (X X^T sigma)_i - N sigma_i =
/// dim sum_{j != i} J_ij sigma_j, the Hebbian field with zero self-coupling (times dim).
///
/// `F(x)` returns x^2 / 2: the 1/dim normalisation depends on the dimension, which only
/// differences() and energy() receive; the model's interaction is F(x) / dim.
struct Quadratic {
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "quadratic";

    /// \brief Keep the self-coupling J_ii = N/dim (the classical field sum_j J_ij sigma_j,
    /// diagonal included). Then agree = disagree = m and the energy is -(1/2) sigma^T J sigma =
    /// -(1/(2 dim)) sum_mu m_mu^2 (no n/2). The field is then 2 sum_j J_ij sigma_j, which is the
    /// energy difference E(sigma_i = -1) - E(sigma_i = +1) plus 2 (N/dim) sigma_i: the current
    /// state is favoured, the energy still never rises under asynchronous updates (J_ii >= 0),
    /// but more spurious fixed points are stable. Default false: J_ii = 0 (models.md
    /// section 2), the exact energy-comparison update of F.
    bool keep_self_coupling = false;

    /// \brief x^2 / 2 (the model's F is this divided by dim; see the struct comment).
    double F(double x) const noexcept { return 0.5 * x * x; }

    /// \brief agree = m - 1, disagree = m + 1 (both m with the self-coupling kept); returns
    /// log(2/dim). Throws hopfield::invalid_argument naming `dim` unless dim > 0.
    double differences(const double* m, std::size_t n, std::ptrdiff_t dim, double* agree,
                       double* disagree) const {
        check_dim("Quadratic::differences", dim);
        const double self = keep_self_coupling ? 0.0 : 1.0;
        for (std::size_t mu = 0; mu < n; ++mu) {
            agree[mu] = m[mu] - self;
            disagree[mu] = m[mu] + self;
        }
        return std::log(2.0 / double(dim));
    }

    /// \brief E = -(1/(2 dim)) sum_mu m_mu^2 + n/2, i.e. -(1/2) sum_{i != j} J_ij sigma_i sigma_j
    /// (the n/2 removes the diagonal sum_i J_ii / 2 = n/2); without the n/2 when the
    /// self-coupling is kept. Throws like differences().
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
/// D(y) = (y+1)^p - (y-1)^p = 2 sum_{k odd} C(p,k) y^(p-k) by the binomial expansion
/// (detail::BinomialForms): every term of one sign, so exact for integer overlaps while below
/// 2^53, with no cancellation. log_scale is 0 unless (2 max|m| + 4)^p could exceed ~6.7e299
/// (2^996); then D is computed term by term in the log2 domain and divided by an exact power
/// of two 2^s (log_scale = s log 2), with ~1e-13 relative accuracy and terms below 2^-1074
/// of that scale flushed to 0. `dim` is not used.
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

    /// \brief D(m -+ 1) over exp(log_scale); returns log_scale (0 unless rescaled).
    double differences(const double* m, std::size_t n, std::ptrdiff_t /*dim*/, double* agree,
                       double* disagree) const {
        double m_abs = 0;
        for (std::size_t mu = 0; mu < n; ++mu) m_abs = std::max(m_abs, std::abs(m[mu]));
        const auto scale = forms_.difference_scale(m_abs);
        for (std::size_t mu = 0; mu < n; ++mu) {
            agree[mu] = forms_.difference(m[mu] - 1.0, scale);
            disagree[mu] = forms_.difference(m[mu] + 1.0, scale);
        }
        return scale.shift * std::numbers::ln2;
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
/// D(y) = F(y+1) - F(y-1) by case: y >= 1 (both arguments >= 0): the binomial form of
/// Polynomial (exact, no cancellation); y <= -1: 0; in between F(y-1) = 0, so D(y) = (y+1)^p.
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

    /// \brief D(m -+ 1) over exp(log_scale); returns log_scale (0 unless rescaled).
    double differences(const double* m, std::size_t n, std::ptrdiff_t /*dim*/, double* agree,
                       double* disagree) const {
        double m_top = 0;  // only positive overlaps make F large
        for (std::size_t mu = 0; mu < n; ++mu) m_top = std::max(m_top, m[mu]);
        const auto scale = forms_.difference_scale(m_top);
        for (std::size_t mu = 0; mu < n; ++mu) {
            agree[mu] = difference(m[mu] - 1.0, scale);
            disagree[mu] = difference(m[mu] + 1.0, scale);
        }
        return scale.shift * std::numbers::ln2;
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

    // D(y) 2^-shift by case: y >= 1 (both arguments >= 0): Polynomial's form; y <= -1: 0;
    // in between F(y - 1) = 0, so D(y) = (y + 1)^p.
    double difference(double y, detail::BinomialForms::Scale scale) const noexcept {
        if (y >= 1.0) return forms_.difference(y, scale);
        if (y <= -1.0) return 0.0;
        return scale.direct ? detail::ipow(y + 1.0, p()) : std::exp2(double(p()) * std::log2(y + 1.0) - scale.shift);
    }

    detail::BinomialForms forms_;
};

/// \brief F(x) = exp(beta x): the exponential dense associative memory (Demircigil et al.
/// 2017), storage capacity exponential in the dimension.
///
/// Derivation: D(y) = e^{beta(y+1)} - e^{beta(y-1)} = 2 sinh(beta) e^{beta y}. In the log
/// domain, shifted by M = max_mu m_mu:
///     agree_mu = e^{beta (m_mu - M)},  disagree_mu = e^{beta (m_mu - M + 2)},
///     log_scale = beta (M - 1) + log(2 sinh(beta))   (log sinh evaluated without overflow).
/// The largest agree value is exactly 1; patterns far below the top underflow to exactly 0
/// (their true share is below 2^-1074 of the top's); disagree values overflow to +inf once
/// beta (m - M + 2) > ~709.8 (beta > ~355 for the top pattern): the field of a neuron that
/// disagrees with such a pattern is -inf sigma_i, its true sign. `dim` is not used.
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

    /// \brief D(m -+ 1) over exp(log_scale) (see the class comment); returns
    /// log_scale = beta (max m - 1) + log(2 sinh(beta)) (0 when n = 0).
    double differences(const double* m, std::size_t n, std::ptrdiff_t /*dim*/, double* agree,
                       double* disagree) const {
        if (n == 0) return 0.0;
        double top = m[0];
        for (std::size_t mu = 1; mu < n; ++mu) top = std::max(top, m[mu]);
        for (std::size_t mu = 0; mu < n; ++mu) {
            agree[mu] = std::exp(beta_ * (m[mu] - top));
            disagree[mu] = std::exp(beta_ * (m[mu] - top + 2.0));
        }
        return beta_ * (top - 1.0) + std::numbers::ln2 + detail::log_sinh(beta_);
    }

    /// \brief E = -sum_mu exp(beta m_mu) in double: overflows to -inf once some
    /// beta m_mu > ~709.8 (use differences(), which is shifted, for the dynamics).
    double energy(const double* m, std::size_t n, std::ptrdiff_t /*dim*/) const noexcept {
        double e = 0;
        for (std::size_t mu = 0; mu < n; ++mu) e -= F(m[mu]);
        return e;
    }

private:
    double beta_;
};

}  // namespace hopfield
