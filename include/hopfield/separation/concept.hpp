#pragma once
/// \file concept.hpp
/// \brief The SeparationMap concept: what every map on the N scores provides, and the shared
/// input check every map runs once per call.

#include <concepts>
#include <cstddef>
#include <limits>
#include <sstream>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield {

/// \brief A separation map p = sep(z) on n scores (z already multiplied by beta).
///
/// Requirements:
/// - `m.apply(z, p, n)` writes the n weights; `z` and `p` may be the same buffer.
///   A -inf score (masked) gets exactly 0 weight. NaN or +inf scores throw
///   hopfield::invalid_argument naming `scores`. A call where every score is -inf (all masked)
///   writes all zeros: the documented all-masked policy of the library (zero output, never NaN).
/// - `m.conjugate(z, p, n)` returns Psi*(z), the convex conjugate whose gradient is the map
///   (Psi*(z) = <p, z> - Psi(p) at p = sep(z)); `p` MUST be the output of apply(z, p, n)
///   (maps may use it instead of recomputing it). Continuous energies are
///   E = -(1/beta) Psi*(beta X^T xi) + xi.xi / 2 (models.md section 3).
/// - `M::name` is a short identifier for messages and benchmarks.
template <class M>
concept SeparationMap = requires(const M& m, const float* zf, float* pf, const double* zd,
                                 double* pd, std::size_t n) {
    m.apply(zf, pf, n);
    m.apply(zd, pd, n);
    { m.conjugate(zf, zf, n) } -> std::convertible_to<double>;
    { m.conjugate(zd, zd, n) } -> std::convertible_to<double>;
    { M::name } -> std::convertible_to<const char*>;
};

/// \brief A map of the softmax family, sep(z)_i = exp(z_i) / (c + sum_j exp(z_j)) with c = 0
/// (softmax) or c = 1 (softmax_1, `M::extra_zero_logit`: a zero logit that takes weight but
/// projects nothing). The retrieval kernel evaluates these in ONE streaming pass over the
/// patterns (running maximum with rescaled accumulation), instead of scores, map, projection.
template <class M>
concept SoftmaxFamily = SeparationMap<M> && requires {
    { M::extra_zero_logit } -> std::convertible_to<bool>;
};

/// \brief Applies a map to an Eigen vector and returns the weights (convenience; allocates).
template <SeparationMap M, class Derived>
auto separate(const M& map, const Eigen::MatrixBase<Derived>& z) {
    using Scalar = typename Derived::Scalar;
    Vector<Scalar> in = z.reshaped();
    Vector<Scalar> out(in.size());
    map.apply(in.data(), out.data(), std::size_t(in.size()));
    return out;
}

namespace detail {

/// Rejects NaN and +inf scores (one pass, vectorizable); names the map in the message.
template <class Scalar>
void require_scores(const char* map_name, const Scalar* z, std::size_t n) {
    if (simd::all_below_inf(z, n)) return;
    for (std::size_t i = 0; i < n; ++i) {
        if (!(z[i] < std::numeric_limits<Scalar>::infinity())) {
            std::ostringstream what;
            what << "must not be NaN or +inf (element " << i << "; -inf masks a score)";
            throw invalid_argument(map_name, "scores", z[i], what.str());
        }
    }
}

/// The prologue every map shares: rejects NaN / +inf scores, returns max z, and when every
/// score is -inf (or n = 0) writes the all-masked output (all zeros) and returns -inf, in
/// which case the map is done.
template <class Scalar>
Scalar checked_top(const char* map_name, const Scalar* z, Scalar* p, std::size_t n) {
    require_scores(map_name, z, n);
    const Scalar top = simd::max(z, n);
    if (top == -std::numeric_limits<Scalar>::infinity())
        for (std::size_t i = 0; i < n; ++i) p[i] = Scalar(0);
    return top;
}

/// The candidates of the thresholded maps (sparsemax, entmax): y = scale (z - top) for the
/// scores with scale (z - top) > -1 (no other score can reach the support), written to y in
/// double; returns how many. -inf scores are never candidates.
template <class Scalar>
std::size_t support_candidates(const Scalar* z, std::size_t n, double top, double scale, double* y) {
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double yi = scale * (double(z[i]) - top);
        if (yi > -1.0) y[m++] = yi;
    }
    return m;
}

}  // namespace detail
}  // namespace hopfield
