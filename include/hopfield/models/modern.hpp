#pragma once
/// \file modern.hpp
/// \brief ModernHopfield<Map>: the continuous modern Hopfield networks, one template for all
/// of them (models.md section 3): log-sum-exp (Ramsauer et al. 2021), sparse (Hu et al. 2023),
/// generalized sparse / alpha-entmax (STanHop, Wu et al. 2024), outlier-efficient softmax_1
/// (OutEffHop, Hu et al. 2024).

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/retrieval/kernel.hpp"
#include "hopfield/separation/concept.hpp"
#include "hopfield/separation/entmax.hpp"
#include "hopfield/separation/softmax.hpp"
#include "hopfield/separation/softmax1.hpp"
#include "hopfield/separation/sparsemax.hpp"

namespace hopfield {

/// \brief A continuous modern Hopfield network with separation map `Map`.
///
/// Update (one CCCP step): xi_new = X Map(beta X^T xi).
/// Energy: E(xi) = -(1/beta) [Psi*(beta X^T xi) - Psi*(0)] + xi.xi/2 + M^2/2, M = max_mu |x_mu|,
/// where Psi* is the map's conjugate. For softmax this is exactly Ramsauer et al.'s energy
/// (eq. 2: -lse(beta, X^T xi) + xi.xi/2 + log(N)/beta + M^2/2); for every map E >= 0, and
/// E(xi_t) - E(xi_{t+1}) >= |xi_{t+1} - xi_t|^2 / 2 along the update. At beta = 0 the update
/// returns X Map(0) (the mean of the patterns for softmax) and the energy is its finite
/// beta -> 0 limit -<Map(0), X^T xi> + xi.xi/2 + M^2/2.
/// \tparam Map a SeparationMap (Softmax, Softmax1, Sparsemax, Entmax15, Entmax, ...).
template <SeparationMap Map>
class ModernHopfield {
public:
    /// \brief States are real vectors.
    using state_space = continuous_states;
    /// \brief The separation map type.
    using map_type = Map;

    /// \brief A model with inverse temperature `beta` (finite, >= 0) and the given map.
    explicit ModernHopfield(double beta = 1.0, Map map = Map{})
        : beta_(beta), map_(std::move(map)) {
        detail::require_non_negative("ModernHopfield", "beta", beta);
    }

    /// \brief Inverse temperature beta.
    double beta() const noexcept { return beta_; }
    /// \brief The separation map.
    const Map& map() const noexcept { return map_; }

    /// \brief out = X Map(beta X^T xi) through the retrieval kernel. Shapes are the caller's
    /// responsibility at this level (the dynamics functions check them once per call).
    template <Real Scalar>
    void update(PatternView<Scalar> X, const Scalar* xi, Scalar* out, Workspace<Scalar>& ws) const {
        kernel::retrieve(X, xi, Scalar(beta_), map_, out, ws);
    }

    /// \brief The batched update: one query per row of Q (B x d) into out (B x d).
    template <Real Scalar>
    void update_batch(PatternView<Scalar> X,
                      const std::type_identity_t<Eigen::Ref<const RowMatrix<Scalar>>>& Q,
                      std::type_identity_t<Eigen::Ref<RowMatrix<Scalar>>> out,
                      Workspace<Scalar>& ws) const {
        kernel::retrieve_batch(X, Q, Scalar(beta_), map_, out, ws);
    }

    /// \brief out = X Map(beta X^T xi) over bfloat16 patterns (float state).
    void update(Bf16View X, const float* xi, float* out, Workspace<float>& ws) const {
        kernel::retrieve(X, xi, float(beta_), map_, out, ws);
    }

    /// \brief The batched update over bfloat16 patterns (one query per row of Q).
    void update_batch(Bf16View X, const Eigen::Ref<const RowMatrix<float>>& Q,
                      Eigen::Ref<RowMatrix<float>> out, Workspace<float>& ws) const {
        kernel::retrieve_batch(X, Q, float(beta_), map_, out, ws);
    }

    /// \brief E(xi), accumulated in double (see the class comment for the formula).
    template <Real Scalar>
    double energy(PatternView<Scalar> X, const Scalar* xi) const {
        return energy_of(X.size(), X.dim(), xi,
                         [&X](Index mu, Index i) { return double(X.row(mu)[i]); });
    }

    /// \brief E(xi) over bfloat16 patterns (their exact float values), accumulated in double.
    double energy(Bf16View X, const float* xi) const {
        return energy_of(X.size(), X.dim(), xi,
                         [&X](Index mu, Index i) { return double(X.value(mu, i)); });
    }

private:
    template <class Scalar, class Value>
    double energy_of(Index N, Index d, const Scalar* xi, Value&& x) const {
        std::vector<double> s(std::size_t(N), 0.0), p(std::size_t(N), 0.0),
            zero(std::size_t(N), 0.0);
        double max_norm2 = 0, xi2 = 0;
        for (Index i = 0; i < d; ++i) xi2 += double(xi[i]) * double(xi[i]);
        for (Index mu = 0; mu < N; ++mu) {
            double dot = 0, norm2 = 0;
            for (Index i = 0; i < d; ++i) {
                const double v = x(mu, i);
                dot += v * double(xi[i]);
                norm2 += v * v;
            }
            s[std::size_t(mu)] = dot;
            max_norm2 = std::max(max_norm2, norm2);
        }
        const auto n = std::size_t(N);
        double interaction;
        if (beta_ == 0) {  // the beta -> 0 limit: -<Map(0), s>
            map_.apply(zero.data(), p.data(), n);
            interaction = 0;
            for (std::size_t mu = 0; mu < n; ++mu) interaction -= p[mu] * s[mu];
        } else {
            std::vector<double> z(n);
            for (std::size_t mu = 0; mu < n; ++mu) z[mu] = beta_ * s[mu];
            map_.apply(z.data(), p.data(), n);
            const double psi = map_.conjugate(z.data(), p.data(), n);
            map_.apply(zero.data(), p.data(), n);
            const double psi0 = map_.conjugate(zero.data(), p.data(), n);
            interaction = -(psi - psi0) / beta_;
        }
        return interaction + 0.5 * xi2 + 0.5 * max_norm2;
    }

    double beta_;
    Map map_;
};

/// \brief Log-sum-exp modern Hopfield network (Ramsauer et al. 2021): softmax separation.
using LogSumExpHopfield = ModernHopfield<Softmax>;
/// \brief Sparse modern Hopfield network (Hu et al. 2023): sparsemax separation.
using SparseHopfield = ModernHopfield<Sparsemax>;
/// \brief Generalized sparse modern Hopfield network (STanHop): alpha-entmax separation.
using EntmaxHopfield = ModernHopfield<Entmax>;
/// \brief Outlier-efficient modern Hopfield network (OutEffHop): softmax_1 separation.
using OutlierEfficientHopfield = ModernHopfield<Softmax1>;

}  // namespace hopfield
