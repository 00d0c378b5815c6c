#pragma once
/// \file concept.hpp
/// \brief The concepts energy models satisfy, and the tags naming their state space.

#include <concepts>
#include <cstddef>

#include "hopfield/core/types.hpp"
#include "hopfield/memory/bf16_memory.hpp"
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

/// \brief A continuous model that also updates over bfloat16 patterns (Bf16PatternMemory)
/// with float states: ModernHopfield with any map.
template <class M>
concept Bf16ContinuousModel = ContinuousModel<M> &&
    requires(const M& m, Bf16View X, const float* q, float* o, Workspace<float>& ws) {
    m.update(X, q, o, ws);
    { m.energy(X, q) } -> std::convertible_to<double>;
};

/// \brief How a DenseModel forms the fields of one state (a BinaryModel's coefficients(); see
/// DenseModel).
struct FieldForm {
    /// \brief The energy difference E(sigma_i=-1) - E(sigma_i=+1) is exp(log_scale) h_i.
    double log_scale = 0;
    /// \brief true: the linear form h = X^T a + self sigma, exact in the Scalar type (integer
    /// weights, every partial sum below 2^digits), with a in `agree`. false: the agreement form
    /// h_i = sigma_i sum_mu (x_mu,i == sigma_i ? agree_mu : disagree_mu).
    bool linear = false;
    /// \brief The linear form's self-term sum_mu b_mu (0 in the agreement form).
    double self = 0;
};

/// \brief A binary energy model over stored +-1 patterns (models.md section 2): `fields`
/// writes h_i = (E(sigma_i = -1) - E(sigma_i = +1)) / 2 for every neuron, up to a common
/// positive factor exp(log_scale) that it returns (the sign decides zero-temperature updates;
/// the magnitude, Glauber dynamics). `energy` is E(sigma). `coefficients(m, n, dim, agree,
/// disagree, ws)` is the model's separation step on its own (overlaps m -> the weights of the
/// FieldForm it returns), which asynchronous dynamics calls after each flip.
template <class M>
concept BinaryModel = requires(const M& m, PatternView<float> Xf, PatternView<double> Xd,
                               const float* sf, float* hf, const double* sd, double* hd,
                               Workspace<float>& wf, Workspace<double>& wd) {
    { m.coefficients(sf, Index{}, Index{}, hf, hf, wf) } -> std::same_as<FieldForm>;
    { m.coefficients(sd, Index{}, Index{}, hd, hd, wd) } -> std::same_as<FieldForm>;
    requires std::same_as<typename M::state_space, binary_states>;
    { m.fields(Xf, sf, hf, wf) } -> std::convertible_to<double>;
    { m.fields(Xd, sd, hd, wd) } -> std::convertible_to<double>;
    { m.energy(Xf, sf) } -> std::convertible_to<double>;
    { m.energy(Xd, sd) } -> std::convertible_to<double>;
};

}  // namespace hopfield
