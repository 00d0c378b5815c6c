#pragma once
/// \file corruption.hpp
/// \brief Cue corruption for retrieval experiments: flip a fraction of the entries, mask a
/// fraction, or add Gaussian noise. Flips and masks touch exactly round(fraction * d) distinct
/// entries chosen uniformly (a partial Fisher-Yates shuffle), so the cue's distance to its
/// pattern is fixed, not random: that is what retrieval theory conditions on.

#include <cmath>
#include <numeric>
#include <vector>

#include "hopfield/capacity/random.hpp"
#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::capacity {

/// \brief The number of entries a corruption of `fraction` (in [0, 1]) touches in dimension d:
/// round(fraction * d), halves rounded away from zero.
inline Index corrupted_count(double fraction, Index d) {
    if (!(fraction >= 0.0 && fraction <= 1.0))
        throw invalid_argument("corrupted_count", "fraction", fraction, "must be in [0, 1]");
    return Index(std::lround(fraction * double(d)));
}

/// \brief `k` distinct indices of [0, d), uniformly chosen (partial Fisher-Yates; O(d)).
inline std::vector<Index> random_subset(Index d, Index k, Random& rng) {
    if (k < 0 || k > d) throw invalid_argument("random_subset", "k", k, "must be in [0, d]");
    std::vector<Index> idx(static_cast<std::size_t>(d));
    std::iota(idx.begin(), idx.end(), Index(0));
    for (Index i = 0; i < k; ++i) {
        const auto j = Index(rng.below(std::uint64_t(d - i))) + i;
        std::swap(idx[std::size_t(i)], idx[std::size_t(j)]);
    }
    idx.resize(static_cast<std::size_t>(k));
    return idx;
}

/// \brief A copy of x with round(fraction * d) distinct entries negated (bit flips for +-1
/// patterns); the cue then has overlap exactly 1 - 2 round(fraction d) / d with x.
template <class Derived>
Vector<typename Derived::Scalar> flip_fraction(const Eigen::MatrixBase<Derived>& x, double fraction,
                                               Random& rng) {
    Vector<typename Derived::Scalar> y = x.reshaped();
    for (const Index i : random_subset(y.size(), corrupted_count(fraction, y.size()), rng))
        y[i] = -y[i];
    return y;
}

/// \brief What a masked entry becomes: 0 (unknown, for continuous models), or a fresh random
/// +-1 (binary models, whose states must stay +-1).
enum class MaskFill {
    zero,        ///< masked entries are set to 0
    random_sign  ///< masked entries are set to an independent random +-1
};

/// \brief A copy of x with round(fraction * d) distinct entries masked (see MaskFill).
template <class Derived>
Vector<typename Derived::Scalar> mask_fraction(const Eigen::MatrixBase<Derived>& x, double fraction,
                                               Random& rng, MaskFill fill = MaskFill::zero) {
    using Scalar = typename Derived::Scalar;
    Vector<Scalar> y = x.reshaped();
    for (const Index i : random_subset(y.size(), corrupted_count(fraction, y.size()), rng))
        y[i] = fill == MaskFill::zero ? Scalar(0) : (rng.bits() & 1) ? Scalar(1) : Scalar(-1);
    return y;
}

/// \brief x plus independent N(0, sd^2) noise on every entry (sd >= 0).
template <class Derived>
Vector<typename Derived::Scalar> add_gaussian_noise(const Eigen::MatrixBase<Derived>& x, double sd,
                                                    Random& rng) {
    using Scalar = typename Derived::Scalar;
    hopfield::detail::require_non_negative("add_gaussian_noise", "sd", sd);
    Vector<Scalar> y = x.reshaped();
    for (Index i = 0; i < y.size(); ++i) y[i] += Scalar(sd * rng.normal());
    return y;
}

/// \brief The sign of every entry as +-1 (0 maps to +1): turns a noisy cue into a binary state.
template <class Derived>
Vector<typename Derived::Scalar> binarize(const Eigen::MatrixBase<Derived>& x) {
    using Scalar = typename Derived::Scalar;
    Vector<Scalar> y = x.reshaped();
    for (Index i = 0; i < y.size(); ++i) y[i] = y[i] < Scalar(0) ? Scalar(-1) : Scalar(1);
    return y;
}

}  // namespace hopfield::capacity
