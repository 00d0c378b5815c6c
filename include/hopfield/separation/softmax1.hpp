#pragma once
/// \file softmax1.hpp
/// \brief softmax_1: the separation map of the outlier-efficient modern Hopfield network
/// (OutEffHop, Hu et al. 2024; models.md section 3 "Outlier-efficient").

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "hopfield/separation/concept.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield {

/// \brief softmax_1(z)_i = exp(z_i) / (1 + sum_j exp(z_j)): softmax([0; z]) without its first
/// entry, i.e. a stored zero ("no-op") pattern that absorbs attention.
///
/// The weights sum to < 1 and tend to 0 when every score is very negative; the map is not
/// shift-invariant. Stable form (models.md): with m' = max(max_j z_j, 0),
/// p_i = exp(z_i - m') / (exp(-m') + sum_j exp(z_j - m')); every exponent is <= 0, and the
/// "1" is shifted with the scores (subtracting only the max and then adding 1 would be wrong).
/// -inf entries get exactly 0; all -inf (or n = 0) gives all zeros with no special case
/// (the denominator is then exp(0) = 1). Its conjugate is log(1 + sum_j exp(z_j)).
struct Softmax1 {
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "softmax1";
    /// \brief Softmax family with the extra zero logit (see SoftmaxFamily).
    static constexpr bool extra_zero_logit = true;

    /// \brief p = softmax_1(z) over n scores; z and p may alias.
    template <class Scalar>
    void apply(const Scalar* z, Scalar* p, std::size_t n) const {
        detail::require_scores(name, z, n);
        const Scalar shift = std::max(simd::max(z, n), Scalar(0));  // m' >= 0: exp(-m') <= 1
        const Scalar sum = simd::exp_sum(z, p, n, shift);
        const Scalar denom = std::exp(-shift) + sum;  // >= 1 when shift = 0, >= exp(0) = 1 else
        simd::scale(Scalar(1) / denom, p, n);
    }

    /// \brief Psi*(z) = log(1 + sum_j exp(z_j)), computed in double as
    /// m' + log(exp(-m') + sum_j exp(z_j - m')) (log1p when m' = 0); 0 when every score is -inf.
    /// `p` is not needed (closed form). NaN / +inf scores throw like apply().
    template <class Scalar>
    double conjugate(const Scalar* z, const Scalar* /*p*/, std::size_t n) const {
        detail::require_scores(name, z, n);
        const double shift = std::max(double(simd::max(z, n)), 0.0);
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += std::exp(double(z[i]) - shift);
        if (shift == 0.0) return std::log1p(sum);
        return shift + std::log(std::exp(-shift) + sum);
    }
};

}  // namespace hopfield
