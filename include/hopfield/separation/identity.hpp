#pragma once
/// \file identity.hpp
/// \brief The identity "separation": p = z, for linear (classical, Hebbian-style) retrieval
/// out = X X^T q (models.md section 1, first row of the table).

#include <algorithm>
#include <cstddef>
#include <limits>
#include <sstream>

#include "hopfield/core/error.hpp"
#include "hopfield/separation/concept.hpp"

namespace hopfield {

/// \brief p = z: no normalisation and no competition between patterns.
///
/// Its conjugate is Psi*(z) = ||z||^2 / 2 (Psi(p) = ||p||^2 / 2 on all of R^n, not on the
/// simplex), so the continuous energy is E = -(beta/2) ||X^T xi||^2 + xi.xi / 2 (models.md
/// section 3 with this Psi). The identity has no masking: a -inf score would come out as a
/// -inf weight, so every score must be finite; NaN, +inf and -inf all throw
/// hopfield::invalid_argument naming `scores`.
struct Identity {
    /// \brief Identifier used in messages and benchmarks.
    static constexpr const char* name = "identity";

    /// \brief p = z over n scores; z and p may alias.
    template <class Scalar>
    void apply(const Scalar* z, Scalar* p, std::size_t n) const {
        check(z, n);
        if (p != z) std::copy(z, z + n, p);
    }

    /// \brief Psi*(z) = ||z||^2 / 2, in double; its gradient is z. `p` is not needed.
    template <class Scalar>
    double conjugate(const Scalar* z, const Scalar* /*p*/, std::size_t n) const {
        check(z, n);
        double sq = 0;
        for (std::size_t i = 0; i < n; ++i) sq += double(z[i]) * double(z[i]);
        return 0.5 * sq;
    }

private:
    // NaN / +inf via the shared check, then -inf (a mask elsewhere, an error here).
    template <class Scalar>
    static void check(const Scalar* z, std::size_t n) {
        detail::require_scores(name, z, n);
        for (std::size_t i = 0; i < n; ++i) {
            if (z[i] == -std::numeric_limits<Scalar>::infinity()) {
                std::ostringstream what;
                what << "must be finite (element " << i << "; identity has no masking)";
                throw invalid_argument(name, "scores", z[i], what.str());
            }
        }
    }
};

}  // namespace hopfield
