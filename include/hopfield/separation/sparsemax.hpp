#pragma once
/// \file sparsemax.hpp
/// \brief sparsemax: the separation map of the sparse modern Hopfield network
/// (Hu et al. 2023, "On Sparse Modern Hopfield Model"; the map is Martins & Astudillo 2016).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <vector>

#include "hopfield/separation/concept.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield {

namespace detail {

/// Per-thread scratch buffer of at least `n` doubles, shared by the sort-based maps
/// (sparsemax, entmax). It only grows: after the largest call a thread has made, no call
/// allocates again (steady state); it keeps that size (8 or 16 bytes per score of the largest
/// call) until the thread exits. thread_local makes the const apply() of every map safe to call from
/// several threads at once. Not reentrant within one thread (the maps never nest).
inline double* scratch_doubles(std::size_t n) {
    thread_local std::vector<double> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
}

/// <p, z> with terms where p_i = 0 skipped (so a masked -inf score contributes 0, never NaN),
/// in double, shifted by `top` = max z for accuracy: top + sum_i p_i (z_i - top), which equals
/// <p, z> whenever sum p = 1.
template <class Scalar>
double shifted_dot(const Scalar* z, const Scalar* p, std::size_t n, double top) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] > Scalar(0)) s += double(p[i]) * (double(z[i]) - top);
    return top + s;
}

}  // namespace detail

/// \brief sparsemax(z) = argmin_{p in simplex} ||p - z||^2 = [z - tau]_+ (Martins & Astudillo
/// 2016, Algorithm 1): the Euclidean projection onto the probability simplex.
///
/// Sort-based, O(n log n): with the scores sorted decreasingly z_(1) >= z_(2) >= ..., the
/// support size is k = max{ j : 1 + j z_(j) > sum_{i<=j} z_(i) } and tau = (sum_{i<=k} z_(i) - 1)/k.
/// Computed in double on z - max z (so huge scores such as 1e12 lose nothing to the shift).
/// Only scores above max z - 1 are sorted: tau >= max z - 1, so no other score can be in the
/// support. -inf entries get exactly 0 and take no part in the threshold; all -inf (or n = 0)
/// gives all zeros.
///
/// Scratch memory: a thread_local buffer of doubles (detail::scratch_doubles) that grows to the
/// largest n seen by the thread and is then reused, so there is no allocation in steady state
/// and apply() is const and thread-safe.
struct Sparsemax {
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "sparsemax";

    /// \brief p = sparsemax(z) over n scores; z and p may alias.
    template <class Scalar>
    void apply(const Scalar* z, Scalar* p, std::size_t n) const {
        const Scalar top_s = detail::checked_top(name, z, p, n);
        if (top_s == -std::numeric_limits<Scalar>::infinity()) return;  // all masked: zeros
        const double top = double(top_s);
        double* y = detail::scratch_doubles(n);
        // candidates: y = z - top > -1 (the max itself has y = 0)
        const std::size_t m = detail::support_candidates(z, n, top, 1.0, y);
        std::sort(y, y + m, std::greater<double>());
        // Support: the longest prefix with 1 + j y_(j) > sum_{i<=j} y_(i) (holds for j = 1).
        double cumsum = 0, support_sum = 0;
        std::size_t k = 0;
        for (std::size_t j = 0; j < m; ++j) {
            cumsum += y[j];
            if (1.0 + double(j + 1) * y[j] > cumsum) {
                k = j + 1;
                support_sum = cumsum;
            } else {
                break;  // the condition fails for every later j once it fails
            }
        }
        const double tau = (support_sum - 1.0) / double(k);  // on the shifted scores, in [-1, 0)
        for (std::size_t i = 0; i < n; ++i) {
            const double v = double(z[i]) - top - tau;  // -inf - tau = -inf for masked scores
            p[i] = v > 0.0 ? Scalar(v) : Scalar(0);
        }
    }

    /// \brief Psi*_2(z) = <p, z> - ||p||^2 / 2 + 1/2 at p = sparsemax(z), the conjugate of
    /// Psi(p) = (||p||^2 - 1)/2 (minus the Tsallis-2 entropy) on the simplex; its gradient is p.
    ///
    /// `p` must be the output of apply(z, p, n) (the maximiser of <q, z> - Psi(q)); it is not
    /// recomputed. Evaluated in double, shifted by max z; -inf when every score is -inf.
    template <class Scalar>
    double conjugate(const Scalar* z, const Scalar* p, std::size_t n) const {
        detail::require_scores(name, z, n);
        const Scalar top = simd::max(z, n);
        if (top == -std::numeric_limits<Scalar>::infinity())
            return -std::numeric_limits<double>::infinity();
        double sq = 0;
        for (std::size_t i = 0; i < n; ++i) sq += double(p[i]) * double(p[i]);
        return detail::shifted_dot(z, p, n, double(top)) - 0.5 * sq + 0.5;
    }
};

}  // namespace hopfield
