#pragma once
/// \file dense.hpp
/// \brief DenseModel<F>: binary associative memories with energy E = -sum_mu F(x_mu . sigma):
/// classical Hebbian (F quadratic, Hopfield 1982), dense p-body (F = x^p, Krotov & Hopfield
/// 2016; Baldi & Venkatesh), rectified polynomial, and exponential (Demircigil et al. 2017).

#include <cmath>
#include <limits>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>
#include <algorithm>

#include "hopfield/core/error.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/memory/bit_memory.hpp"
#include "hopfield/retrieval/bit_kernel.hpp"
#include "hopfield/retrieval/kernel.hpp"
#include "hopfield/separation/interaction.hpp"

namespace hopfield {

/// \brief A binary model with energy E(sigma) = -sum_mu F(m_mu), m_mu = x_mu . sigma, and the
/// exact Krotov-Hopfield update (models.md section 2).
///
/// Fields go through the retrieval kernel: with D(y) = F(y+1) - F(y-1),
///     2 h_i = E(sigma_i=-1) - E(sigma_i=+1) = (X^T a)_i + sigma_i sum_mu b_mu,
///     a_mu = (D(m_mu-1) + D(m_mu+1))/2,   b_mu = (D(m_mu-1) - D(m_mu+1))/2,
/// so the model is the kernel's similarity and projection with the interaction term as the
/// separation step plus a scalar self-term. F quadratic gives the Hebbian field
/// h = (1/d)(X^T X sigma - N sigma): couplings J = (1/d) sum_mu x_mu x_mu^T with J_ii = 0.
/// Patterns and states must be +-1 (the dynamics functions check).
/// \tparam F an Interaction (Quadratic, Polynomial, RectifiedPolynomial, Exponential).
template <Interaction F>
class DenseModel {
public:
    /// \brief States are +-1 vectors.
    using state_space = binary_states;
    /// \brief The interaction term type.
    using interaction_type = F;

    /// \brief A model with the given interaction term.
    explicit DenseModel(F interaction = F{}) : f_(std::move(interaction)) {}

    /// \brief The interaction term.
    const F& interaction() const noexcept { return f_; }

    /// \brief Writes h (d values) such that the true field is h * exp(returned log scale);
    /// h_i = (E(sigma_i=-1) - E(sigma_i=+1)) / 2. Overlaps are exact integers in double.
    template <Real Scalar>
    double fields(PatternView<Scalar> X, const Scalar* sigma, Scalar* h, Workspace<Scalar>& ws) const {
        return fields_through_kernel(X, sigma, h, ws);
    }

    /// \brief The same fields from bit-packed patterns (XOR + popcount overlaps); identical to
    /// the float path whenever the sums are exact (integer coefficients below 2^24 in float,
    /// 2^53 in double: always for the classical model at N d < 2^24).
    template <Real Scalar>
    double fields(const BitPatternMemory& X, const Scalar* sigma, Scalar* h, Workspace<Scalar>& ws) const {
        return fields_through_kernel(X, sigma, h, ws);
    }

    /// \brief The separation step of this model: overlaps m (n values, exact integers) into
    /// the projection weights a (may alias m), sum_b = sum_mu b_mu; returns the log scale.
    /// Coefficients too large for Scalar are rescaled by an exact power of two.
    template <Real Scalar>
    double coefficients(const Scalar* m, Index n, Index dim, Scalar* a, double& sum_b,
                        Workspace<Scalar>& ws) const {
        Workspace<Scalar>::reserve(ws.d0, n);
        Workspace<Scalar>::reserve(ws.d1, n);
        Workspace<Scalar>::reserve(ws.d2, n);
        double *md = ws.d0.data(), *ad = ws.d1.data(), *bd = ws.d2.data();
        for (Index mu = 0; mu < n; ++mu) md[mu] = double(m[mu]);
        double log_scale = f_.coefficients(md, std::size_t(n), dim, ad, bd);
        double largest = 0;
        sum_b = 0;
        for (Index mu = 0; mu < n; ++mu) {
            largest = std::max({largest, std::abs(ad[mu]), std::abs(bd[mu])});
            sum_b += bd[mu];
        }
        // Keep a, n*a and sum_b representable in Scalar (float: 3.4e38) by a power-of-two
        // rescale, which is exact and so keeps integer-valued fields (and their ties) exact.
        const double limit = double(std::numeric_limits<Scalar>::max()) / (4.0 * double(n + 1));
        int shift = 0;
        if (largest > limit) shift = std::ilogb(largest) - std::ilogb(limit) + 1;
        if (shift == 0) {
            for (Index mu = 0; mu < n; ++mu) a[mu] = Scalar(ad[mu]);
        } else {
            for (Index mu = 0; mu < n; ++mu) a[mu] = Scalar(std::ldexp(ad[mu], -shift));
            sum_b = std::ldexp(sum_b, -shift);
        }
        return log_scale + shift * std::log(2.0);
    }

    /// \brief E(sigma) = -sum_mu F(x_mu . sigma) (plus the interaction's stated constant),
    /// with overlaps accumulated exactly in double.
    template <Real Scalar>
    double energy(PatternView<Scalar> X, const Scalar* sigma) const {
        std::vector<double> m(std::size_t(X.size()));
        for (Index mu = 0; mu < X.size(); ++mu) {
            double acc = 0;
            for (Index i = 0; i < X.dim(); ++i) acc += double(X.row(mu)[i]) * double(sigma[i]);
            m[std::size_t(mu)] = acc;
        }
        return f_.energy(m.data(), m.size(), X.dim());
    }

    /// \brief E(sigma) over bit-packed patterns (overlaps by popcount, exact).
    template <Real Scalar>
    double energy(const BitPatternMemory& X, const Scalar* sigma) const {
        std::vector<std::uint64_t> packed(static_cast<std::size_t>(X.words()));
        BitPatternMemory::pack(sigma, X.dim(), packed.data());
        std::vector<double> m(static_cast<std::size_t>(X.size()));
        kernel::overlaps(X, packed.data(), m.data());
        return f_.energy(m.data(), m.size(), X.dim());
    }

private:
    // One body for both storages: the kernel's similarity and projection with this model's
    // coefficients as the separation step, plus the scalar self-term sigma_i sum_mu b_mu.
    template <class Memory, Real Scalar>
    double fields_through_kernel(const Memory& X, const Scalar* sigma, Scalar* h, Workspace<Scalar>& ws) const {
        double log_scale = 0, sum_b = 0;
        auto separate = [&](Scalar* s, Index n) { log_scale = coefficients(s, n, X.dim(), s, sum_b, ws); };
        if constexpr (std::is_same_v<Memory, BitPatternMemory>)
            kernel::associate(X, sigma, separate, h, ws);
        else
            kernel::associate(X, sigma, Scalar(1), separate, h, ws);
        const auto self = Scalar(sum_b);
        for (Index i = 0; i < X.dim(); ++i) h[i] += sigma[i] * self;
        return log_scale - std::log(2.0);
    }

    F f_;
};

/// \brief The classical Hopfield network with the Hebb rule (Hopfield 1982), in its O(N d)
/// pattern form: J = (1/d) sum_mu x_mu x_mu^T with zero self-coupling J_ii = 0 by default
/// (Quadratic{.keep_self_coupling = true} keeps J_ii = N/d). For the Storkey and
/// pseudo-inverse rules see Couplings (models/couplings.hpp).
using ClassicalHebbian = DenseModel<Quadratic>;

}  // namespace hopfield
