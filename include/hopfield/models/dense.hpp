#pragma once
/// \file dense.hpp
/// \brief DenseModel<F>: binary associative memories with energy E = -sum_mu F(x_mu . sigma):
/// classical Hebbian (F quadratic, Hopfield 1982), dense p-body (F = x^p, Krotov & Hopfield
/// 2016; Baldi & Venkatesh), rectified polynomial, and exponential (Demircigil et al. 2017).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <type_traits>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/memory/bit_memory.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/retrieval/bit_kernel.hpp"
#include "hopfield/retrieval/kernel.hpp"
#include "hopfield/separation/interaction.hpp"

namespace hopfield {

/// \brief A binary model with energy E(sigma) = -sum_mu F(m_mu), m_mu = x_mu . sigma, and the
/// exact Krotov-Hopfield update (models.md section 2).
///
/// Fields go through the retrieval kernel: overlaps (similarity), the interaction's
/// differences D(m -+ 1) as the separation step, then a projection. With D(y) = F(y+1) - F(y-1),
///     E(sigma_i=-1) - E(sigma_i=+1) = sigma_i (sum_{x_mu,i = sigma_i} D(m_mu - 1) - sum_{x_mu,i !=
///     sigma_i} D(m_mu + 1))
/// (the agreement form, kernel::agreement_projection: each pattern contributes one selected
/// value, so there is no cancellation, ties are exact wherever the two sides are computed from
/// the same values, and the sign is right even when D(m+1)/D(m-1) is beyond the float range).
/// When every D is an integer and the sums are exact in Scalar (the classical model, small
/// powers), the same fields are formed in the linear form (X^T a)_i + sigma_i sum_mu b_mu,
/// a = (D(m-1) + D(m+1))/2, b = (D(m-1) - D(m+1))/2: one multiply-add per element, and exactly
/// the same numbers. F quadratic gives the Hebbian field h = (1/d)(X^T X sigma - N sigma):
/// couplings J = (1/d) sum_mu x_mu x_mu^T with J_ii = 0.
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
    /// h_i = (E(sigma_i=-1) - E(sigma_i=+1)) / 2. Overlaps are exact integers. Values may be
    /// +-inf where the field is beyond the Scalar range (never NaN).
    template <Real Scalar>
    double fields(PatternView<Scalar> X, const Scalar* sigma, Scalar* h,
                  Workspace<Scalar>& ws) const {
        return fields_through_kernel(X, sigma, h, ws);
    }

    /// \brief The same fields from bit-packed patterns (XOR + popcount overlaps); identical to
    /// the float path (both sum pattern by pattern in the same order).
    template <Real Scalar>
    double fields(const BitPatternMemory& X, const Scalar* sigma, Scalar* h,
                  Workspace<Scalar>& ws) const {
        return fields_through_kernel(X, sigma, h, ws);
    }

    /// \brief The separation step of this model: overlaps m (n values, exact integers) into
    /// the weights of the form it picks (see FieldForm): `agree` (may alias m) and
    /// `disagree`. In the agreement form, agree = D(m - 1) and disagree = -D(m + 1), rescaled
    /// by an exact power of two so that the largest |agree| is in [1, 2); values beyond the
    /// Scalar range become +-inf (an infinite field of the right sign).
    template <Real Scalar>
    FieldForm coefficients(const Scalar* m, Index n, Index dim, Scalar* agree, Scalar* disagree,
                           Workspace<Scalar>& ws) const {
        Workspace<Scalar>::reserve(ws.d0, n);
        Workspace<Scalar>::reserve(ws.d1, n);
        Workspace<Scalar>::reserve(ws.d2, n);
        double *md = ws.d0.data(), *A = ws.d1.data(), *B = ws.d2.data();
        for (Index mu = 0; mu < n; ++mu) md[mu] = double(m[mu]);
        FieldForm form;
        form.log_scale = f_.differences(md, std::size_t(n), dim, A, B);
        // The linear form is used only where it is exact in Scalar: integer a and b, and
        // sum |a| + |sum b| (a bound on every partial sum of a field) below 2^digits.
        constexpr double exact = double(std::uint64_t(1) << std::numeric_limits<Scalar>::digits);
        double total = 0, self = 0;
        form.linear = true;
        for (Index mu = 0; mu < n && form.linear; ++mu) {
            const double a2 = A[mu] + B[mu], b2 = A[mu] - B[mu];  // exact when the test passes
            form.linear = std::abs(A[mu]) + std::abs(B[mu]) <= exact &&
                          A[mu] == std::trunc(A[mu]) && B[mu] == std::trunc(B[mu]) &&
                          0.5 * a2 == std::trunc(0.5 * a2);
            total += std::abs(a2) / 2;
            self += b2 / 2;
        }
        form.linear = form.linear && total + std::abs(self) <= exact;
        if (form.linear) {
            for (Index mu = 0; mu < n; ++mu) agree[mu] = Scalar((A[mu] + B[mu]) / 2);
            form.self = self;
            return form;
        }
        // Agreement form: scale so that the largest |agree| (else the largest finite
        // |disagree|) is in [1, 2); an exact power of two.
        double reference = 0, fallback = 0;
        for (Index mu = 0; mu < n; ++mu) {
            reference = std::max(reference, std::abs(A[mu]));
            if (std::isfinite(B[mu])) fallback = std::max(fallback, std::abs(B[mu]));
        }
        if (reference == 0) reference = fallback;
        const int shift = reference > 0 ? std::ilogb(reference) : 0;
        for (Index mu = 0; mu < n; ++mu) {
            agree[mu] = saturate<Scalar>(std::ldexp(A[mu], -shift));
            disagree[mu] = saturate<Scalar>(-std::ldexp(B[mu], -shift));
        }
        form.log_scale += shift * std::numbers::ln2;
        return form;
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
    // double -> Scalar with values beyond the Scalar range going to +-inf (IEEE rounding,
    // spelled out: the C++ conversion of an out-of-range value is undefined).
    template <Real Scalar>
    static Scalar saturate(double v) noexcept {
        constexpr double top = double(std::numeric_limits<Scalar>::max());
        if (v > top) return std::numeric_limits<Scalar>::infinity();
        if (v < -top) return -std::numeric_limits<Scalar>::infinity();
        return Scalar(v);
    }

    // One body for both storages: the kernel's similarity, this model's coefficients as the
    // separation step, then the projection of the form they picked.
    template <class Memory, Real Scalar>
    double fields_through_kernel(const Memory& X, const Scalar* sigma, Scalar* h,
                                 Workspace<Scalar>& ws) const {
        constexpr bool packed = std::is_same_v<Memory, BitPatternMemory>;
        const Index n = X.size(), d = X.dim();
        Workspace<Scalar>::reserve(ws.scores, n);
        Workspace<Scalar>::reserve(ws.extra, n);
        Scalar *m = ws.scores.data(), *other = ws.extra.data();
        if constexpr (packed) {
            ws.bits.resize(std::size_t(X.words()));
            BitPatternMemory::pack(sigma, d, ws.bits.data());
            kernel::overlaps(X, ws.bits.data(), m);
        } else {
            kernel::similarity(X, sigma, Scalar(1), m);
        }
        const FieldForm form = coefficients(m, n, d, m, other, ws);
        if (form.linear) {
            if constexpr (packed)
                kernel::projection(X, m, h, ws);
            else
                kernel::projection(X, m, h);
            const auto self = Scalar(form.self);
            for (Index i = 0; i < d; ++i) h[i] += sigma[i] * self;
        } else {
            if constexpr (packed)
                kernel::agreement_projection(X, ws.bits.data(), m, other, h, ws);
            else
                kernel::agreement_projection(X, sigma, m, other, h);
            for (Index i = 0; i < d; ++i) h[i] = sigma[i] < 0 ? -h[i] : h[i];
        }
        return form.log_scale - std::numbers::ln2;
    }

    F f_;
};

/// \brief The classical Hopfield network with the Hebb rule (Hopfield 1982), in its O(N d)
/// pattern form: J = (1/d) sum_mu x_mu x_mu^T with zero self-coupling J_ii = 0 by default
/// (Quadratic{.keep_self_coupling = true} keeps J_ii = N/d). For the Storkey and
/// pseudo-inverse rules see Couplings (models/couplings.hpp).
using ClassicalHebbian = DenseModel<Quadratic>;

}  // namespace hopfield
