#pragma once
/// \file softmax.hpp
/// \brief softmax: the separation map of the log-sum-exp modern Hopfield network
/// (Ramsauer et al. 2021, eq. 3: xi_new = X softmax(beta X^T xi)).

#include <cmath>
#include <cstddef>
#include <limits>

#include "hopfield/separation/concept.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield {

/// \brief softmax(z)_i = exp(z_i) / sum_j exp(z_j), computed as exp(z_i - max z) / sum.
///
/// Stable for any finite scores (the max shift keeps every exponent <= 0). -inf entries get
/// exactly 0; all -inf gives all zeros. Its conjugate is log-sum-exp.
struct Softmax {
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "softmax";
    /// \brief Softmax family without the extra zero logit (see SoftmaxFamily).
    static constexpr bool extra_zero_logit = false;

    /// \brief p = softmax(z) over n scores; z and p may alias.
    template <class Scalar>
    void apply(const Scalar* z, Scalar* p, std::size_t n) const {
        const Scalar top = detail::checked_top(name, z, p, n);
        if (top == -std::numeric_limits<Scalar>::infinity()) return;  // all masked: zeros
        const Scalar sum = simd::exp_sum(z, p, n, top);  // >= 1: the max term is exp(0)
        simd::scale(Scalar(1) / sum, p, n);
    }

    /// \brief log-sum-exp of z (the conjugate of the negative Shannon entropy on the simplex);
    /// -inf when every score is -inf.
    template <class Scalar>
    double conjugate(const Scalar* z, const Scalar* /*p*/, std::size_t n) const {
        detail::require_scores(name, z, n);
        const Scalar top = simd::max(z, n);
        if (top == -std::numeric_limits<Scalar>::infinity())
            return -std::numeric_limits<double>::infinity();
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += std::exp(double(z[i]) - double(top));
        return double(top) + std::log(sum);
    }
};

}  // namespace hopfield
