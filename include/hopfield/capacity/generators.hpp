#pragma once
/// \file generators.hpp
/// \brief Random pattern generators of capacity experiments (models.md section 2): unbiased
/// and biased +-1 patterns, diluted (ternary) patterns of the multitasking network, noisy
/// examples eta = x (.) chi of an archetype, and Gaussian / spherical continuous patterns.
/// Every generator returns N patterns of dimension d as a row-major N x d matrix (one pattern
/// per row, ready to move into a PatternMemory) and draws only from the given Random.

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "hopfield/capacity/random.hpp"
#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::capacity {
namespace detail {

inline void require_shape(const char* where, Index n, Index d) {
    if (n < 0) throw invalid_argument(where, "n", n, "must be >= 0");
    if (d <= 0) throw invalid_argument(where, "d", d, "must be > 0");
}

inline void require_unit_interval(const char* where, const char* arg, double value) {
    if (!(value >= 0.0 && value <= 1.0))
        throw invalid_argument(where, arg, value, "must be in [0, 1]");
}

}  // namespace detail

/// \brief Fills `out` (resized to n x d, reusing its storage when the size is unchanged) with
/// N unbiased +-1 patterns: every entry is +1 or -1 with probability 1/2, independently (64
/// entries per draw of the generator). Reusing one buffer across trials avoids a fresh
/// allocation (and its page faults) per trial.
template <Real Scalar>
void unbiased_patterns(RowMatrix<Scalar>& out, Index n, Index d, Random& rng) {
    detail::require_shape("unbiased_patterns", n, d);
    out.resize(n, d);
    // Entry k of each block of 64 takes bit k of one draw (1 -> +1, 0 -> -1), written 8 at a
    // time from a table of the 256 byte patterns: ~10x faster than a loop over bits.
    static const auto table = [] {
        std::array<std::array<Scalar, 8>, 256> t{};
        for (std::size_t b = 0; b < 256; ++b)
            for (std::size_t j = 0; j < 8; ++j) t[b][j] = ((b >> j) & 1) ? Scalar(1) : Scalar(-1);
        return t;
    }();
    Scalar* x = out.data();
    const auto total = std::size_t(n) * std::size_t(d);
    std::size_t k = 0;
    for (; k + 64 <= total; k += 64) {
        const std::uint64_t word = rng.bits();
        for (std::size_t byte = 0; byte < 8; ++byte)
            std::memcpy(x + k + 8 * byte, table[(word >> (8 * byte)) & 0xff].data(),
                        8 * sizeof(Scalar));
    }
    if (k < total) {
        const std::uint64_t word = rng.bits();
        for (std::size_t j = 0; j < total - k && j < 64; ++j)
            x[k + j] = ((word >> j) & 1) ? Scalar(1) : Scalar(-1);
    }
}

/// \brief N unbiased +-1 patterns (see the overload that fills a buffer).
template <Real Scalar>
RowMatrix<Scalar> unbiased_patterns(Index n, Index d, Random& rng) {
    RowMatrix<Scalar> X;
    unbiased_patterns(X, n, d, rng);
    return X;
}

/// \brief N biased +-1 patterns with mean `a` in [-1, 1]: P(+1) = (1 + a) / 2 per entry.
template <Real Scalar>
RowMatrix<Scalar> biased_patterns(Index n, Index d, double a, Random& rng) {
    detail::require_shape("biased_patterns", n, d);
    if (!(a >= -1.0 && a <= 1.0))
        throw invalid_argument("biased_patterns", "a", a, "must be in [-1, 1]");
    const double p_up = 0.5 * (1.0 + a);
    RowMatrix<Scalar> X(n, d);
    for (Index k = 0; k < X.size(); ++k)
        X.data()[k] = rng.uniform() < p_up ? Scalar(1) : Scalar(-1);
    return X;
}

/// \brief N diluted (ternary) patterns of the multitasking network (Agliari et al. 2012):
/// P(0) = `dilution`, P(+1) = P(-1) = (1 - dilution) / 2 per entry.
template <Real Scalar>
RowMatrix<Scalar> diluted_patterns(Index n, Index d, double dilution, Random& rng) {
    detail::require_shape("diluted_patterns", n, d);
    detail::require_unit_interval("diluted_patterns", "dilution", dilution);
    RowMatrix<Scalar> X(n, d);
    for (Index k = 0; k < X.size(); ++k) {
        const double u = rng.uniform();
        X.data()[k] = u < dilution ? Scalar(0) : (rng.bits() & 1) ? Scalar(1) : Scalar(-1);
    }
    return X;
}

/// \brief `count` noisy examples eta_a = x (.) chi_a of one archetype x (length d): the chi
/// entries are independent with P(chi = +1) = (1 + r) / 2, P(chi = -1) = (1 - r) / 2, so an
/// example has expected overlap r with its archetype (dense Hebbian learning from examples).
template <Real Scalar, class Derived>
RowMatrix<Scalar> noisy_examples(const Eigen::MatrixBase<Derived>& archetype, Index count, double r,
                                 Random& rng) {
    const Index d = archetype.size();
    detail::require_shape("noisy_examples", count, d);
    if (!(r >= -1.0 && r <= 1.0))
        throw invalid_argument("noisy_examples", "r", r, "must be in [-1, 1]");
    const double p_keep = 0.5 * (1.0 + r);
    RowMatrix<Scalar> X(count, d);
    for (Index a = 0; a < count; ++a)
        for (Index i = 0; i < d; ++i) {
            const auto x = Scalar(archetype.reshaped()[i]);
            X(a, i) = rng.uniform() < p_keep ? x : -x;
        }
    return X;
}

/// \brief N Gaussian patterns: independent N(0, sd^2) entries (sd > 0).
template <Real Scalar>
RowMatrix<Scalar> gaussian_patterns(Index n, Index d, Random& rng, double sd = 1.0) {
    detail::require_shape("gaussian_patterns", n, d);
    hopfield::detail::require_positive("gaussian_patterns", "sd", sd);
    RowMatrix<Scalar> X(n, d);
    for (Index k = 0; k < X.size(); ++k) X.data()[k] = Scalar(sd * rng.normal());
    return X;
}

/// \brief N patterns uniform on the sphere of radius `radius` (> 0) in R^d: Gaussian rows
/// normalised (the rotation invariance of the Gaussian makes the direction uniform).
template <Real Scalar>
RowMatrix<Scalar> spherical_patterns(Index n, Index d, Random& rng, double radius = 1.0) {
    detail::require_shape("spherical_patterns", n, d);
    hopfield::detail::require_positive("spherical_patterns", "radius", radius);
    RowMatrix<Scalar> X(n, d);
    Vector<double> row(d);
    for (Index mu = 0; mu < n; ++mu) {
        double norm2 = 0;
        do {
            for (Index i = 0; i < d; ++i) row[i] = rng.normal();
            norm2 = row.squaredNorm();
        } while (norm2 == 0.0);
        const double scale = radius / std::sqrt(norm2);
        for (Index i = 0; i < d; ++i) X(mu, i) = Scalar(scale * row[i]);
    }
    return X;
}

}  // namespace hopfield::capacity
