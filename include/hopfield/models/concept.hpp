#pragma once
/// \file concept.hpp
/// \brief The concepts energy models satisfy, and the tags naming their state space.

#include <concepts>
#include <cstddef>

#include "hopfield/core/types.hpp"
#include "hopfield/retrieval/workspace.hpp"

namespace hopfield {

/// \brief State space tag: states are real vectors xi in R^d; the update output is the state.
struct continuous_states {};
/// \brief State space tag: states are +-1 vectors sigma; the update takes the sign of a field
/// (tie rule: a neuron whose field is exactly 0 keeps its state).
struct binary_states {};

/// \brief A continuous energy model (modern Hopfield networks, models.md section 3):
/// `update` is xi_new = X sep(beta X^T xi) computed through the retrieval kernel, and
/// `energy` is E(xi) whose value never increases along `update` (CCCP).
template <class M>
concept ContinuousModel = requires(const M& m, PatternView<float> Xf, PatternView<double> Xd,
                                   const float* qf, float* of, const double* qd, double* od,
                                   Workspace<float>& wf, Workspace<double>& wd) {
    requires std::same_as<typename M::state_space, continuous_states>;
    m.update(Xf, qf, of, wf);
    m.update(Xd, qd, od, wd);
    { m.energy(Xf, qf) } -> std::convertible_to<double>;
    { m.energy(Xd, qd) } -> std::convertible_to<double>;
};

/// \brief A binary energy model over stored +-1 patterns (models.md section 2): `fields`
/// writes h_i = (E(sigma_i = -1) - E(sigma_i = +1)) / 2 for every neuron, up to a common
/// positive factor exp(log_scale) that it returns (the sign decides zero-temperature updates;
/// the magnitude, Glauber dynamics). `energy` is E(sigma). `coefficients` is the model's
/// separation step on its own (overlaps m -> projection weights a, the sum of the self-terms b,
/// returning the log scale), which asynchronous dynamics calls after each flip.
template <class M>
concept BinaryModel = requires(const M& m, PatternView<float> Xf, PatternView<double> Xd,
                               const float* sf, float* hf, const double* sd, double* hd,
                               Workspace<float>& wf, Workspace<double>& wd, double& sum_b) {
    { m.coefficients(sf, Index{}, Index{}, hf, sum_b, wf) } -> std::convertible_to<double>;
    { m.coefficients(sd, Index{}, Index{}, hd, sum_b, wd) } -> std::convertible_to<double>;
    requires std::same_as<typename M::state_space, binary_states>;
    { m.fields(Xf, sf, hf, wf) } -> std::convertible_to<double>;
    { m.fields(Xd, sd, hd, wd) } -> std::convertible_to<double>;
    { m.energy(Xf, sf) } -> std::convertible_to<double>;
    { m.energy(Xd, sd) } -> std::convertible_to<double>;
};

}  // namespace hopfield
