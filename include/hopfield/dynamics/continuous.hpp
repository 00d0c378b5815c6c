#pragma once
/// \file continuous.hpp
/// \brief Dynamics of continuous models: one update, batched updates, iterate to a fixed point.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <string>
#include <vector>

#include "hopfield/core/thread_pool.hpp"
#include "hopfield/dynamics/checks.hpp"
#include "hopfield/dynamics/result.hpp"
#include "hopfield/models/concept.hpp"

namespace hopfield {

namespace detail {

// The bodies of the public functions below, for any memory view (PatternView, Bf16View).

template <class M, class Memory, class Derived>
Vector<typename Derived::Scalar> step(const M& model, const Memory& memory,
                                      const Eigen::MatrixBase<Derived>& query) {
    using Scalar = typename Derived::Scalar;
    const Vector<Scalar> q = continuous_input("step", "query", memory, query);
    Vector<Scalar> out(memory.dim());
    model.update(memory, q.data(), out.data(), thread_workspace<Scalar>());
    return out;
}

template <class M, class Memory, class Derived>
RowMatrix<typename Derived::Scalar> step_batch(const M& model, const Memory& memory,
                                               const Eigen::MatrixBase<Derived>& queries,
                                               BatchOptions options) {
    using Scalar = typename Derived::Scalar;
    require_memory("step_batch", memory);
    require_at_least_one("step_batch", "options.threads", options.threads);
    if (queries.cols() != memory.dim())
        throw invalid_argument(
            "step_batch", "queries.cols()", queries.cols(),
            "must equal the pattern dimension d = " + std::to_string(memory.dim()));
    const Eigen::Ref<const RowMatrix<Scalar>> Q(queries.derived());  // no copy if row-major
    // Row by row: Q may view a block of a wider matrix (an outer stride, e.g. leftCols()), and
    // then Q.data() does not hold Q.size() consecutive values of Q (a flat scan missed NaNs
    // in the block and refused NaNs outside it).
    for (Index r = 0; r < Q.rows(); ++r)
        for (Index c = 0; c < Q.cols(); ++c)
            if (!std::isfinite(Q(r, c)))
                throw invalid_argument("step_batch", "queries", Q(r, c),
                                       "must be finite, but element (" + std::to_string(r) + ", " +
                                           std::to_string(c) + ") is not");
    RowMatrix<Scalar> out(Q.rows(), Q.cols());
    const Index chunk = BatchOptions::chunk_rows;
    const Index chunks = (Q.rows() + chunk - 1) / chunk;
    auto run = [&](Index first_chunk, Index stride) {
        auto& ws = thread_workspace<Scalar>();
        for (Index c = first_chunk; c < chunks; c += stride) {
            const Index r0 = c * chunk, rows = std::min(chunk, Q.rows() - r0);
            model.update_batch(memory, Q.middleRows(r0, rows), out.middleRows(r0, rows), ws);
        }
    };
    const Index workers = std::max<Index>(1, std::min<Index>(options.threads, chunks));
    shared_worker_pool().run(int(workers), [&](int t) { run(Index(t), workers); });
    return out;
}

template <class M, class Memory, class Derived>
Result<typename Derived::Scalar> iterate(const M& model, const Memory& memory,
                                         const Eigen::MatrixBase<Derived>& query,
                                         IterateOptions options) {
    using Scalar = typename Derived::Scalar;
    Result<Scalar> r;
    r.state = continuous_input("iterate", "query", memory, query);
    require_at_least_one("iterate", "options.max_steps", options.max_steps);
    require_non_negative("iterate", "options.tolerance", options.tolerance);
    Vector<Scalar> next(memory.dim());
    auto& ws = thread_workspace<Scalar>();
    while (r.steps < options.max_steps) {
        model.update(memory, r.state.data(), next.data(), ws);
        ++r.steps;
        const double change = double((next - r.state).cwiseAbs().maxCoeff());
        r.state.swap(next);
        if (change <= options.tolerance) {
            r.converged = true;
            break;
        }
    }
    r.period = r.converged ? 1 : 0;
    r.energy = model.energy(memory, r.state.data());
    return r;
}

template <class M, class Memory, class Derived>
double energy(const M& model, const Memory& memory, const Eigen::MatrixBase<Derived>& state) {
    using Scalar = typename Derived::Scalar;
    const Vector<Scalar> s = continuous_input("energy", "state", memory, state);
    return model.energy(memory, s.data());
}

}  // namespace detail

/// \brief One update xi_new = X sep(beta X^T xi) of a continuous model (one-step retrieval).
/// \param memory the stored patterns (a PatternMemory, a row-major Eigen matrix or a view)
/// \param query  a vector of length d, finite
template <ContinuousModel M, class Derived>
Vector<typename Derived::Scalar> step(const M& model, view_for<Derived> memory,
                                      const Eigen::MatrixBase<Derived>& query) {
    return detail::step(model, memory, query);
}

/// \brief One update over bfloat16 patterns (a Bf16PatternMemory), float query.
template <Bf16ContinuousModel M, class Derived>
requires std::same_as<typename Derived::Scalar, float> Vector<float> step(
    const M& model, Bf16View memory, const Eigen::MatrixBase<Derived>& query) {
    return detail::step(model, memory, query);
}

/// \brief One update for every query of a batch (one query per row, B x d), through the
/// batched kernel (Eigen GEMM for chunks of kernel::gemm_min_batch queries or more), on
/// `options.threads` threads. Returns B x d.
template <ContinuousModel M, class Derived>
RowMatrix<typename Derived::Scalar> step_batch(const M& model, view_for<Derived> memory,
                                               const Eigen::MatrixBase<Derived>& queries,
                                               BatchOptions options = {}) {
    return detail::step_batch(model, memory, queries, options);
}

/// \brief step_batch over bfloat16 patterns, float queries: each query streams the
/// patterns once (no GEMM path), chunks of queries spread over `options.threads` threads.
template <Bf16ContinuousModel M, class Derived>
requires std::same_as<typename Derived::Scalar, float> RowMatrix<float> step_batch(
    const M& model, Bf16View memory, const Eigen::MatrixBase<Derived>& queries,
    BatchOptions options = {}) {
    return detail::step_batch(model, memory, queries, options);
}

/// \brief Iterates the update from `query` until the max-norm of the change is <= tolerance
/// (converged) or max_steps updates ran. Reports the final state, the number of updates,
/// whether it converged and the final energy. The energy never increases along the way.
template <ContinuousModel M, class Derived>
Result<typename Derived::Scalar> iterate(const M& model, view_for<Derived> memory,
                                         const Eigen::MatrixBase<Derived>& query,
                                         IterateOptions options = {}) {
    return detail::iterate(model, memory, query, options);
}

/// \brief iterate over bfloat16 patterns, float query.
template <Bf16ContinuousModel M, class Derived>
requires std::same_as<typename Derived::Scalar, float> Result<float> iterate(
    const M& model, Bf16View memory, const Eigen::MatrixBase<Derived>& query,
    IterateOptions options = {}) {
    return detail::iterate(model, memory, query, options);
}

/// \brief The energy E(xi) of a continuous model at state `state`.
template <ContinuousModel M, class Derived>
double energy(const M& model, view_for<Derived> memory, const Eigen::MatrixBase<Derived>& state) {
    return detail::energy(model, memory, state);
}

/// \brief The energy over bfloat16 patterns (their exact float values), float state.
template <Bf16ContinuousModel M, class Derived>
requires std::same_as<typename Derived::Scalar, float>
double energy(const M& model, Bf16View memory, const Eigen::MatrixBase<Derived>& state) {
    return detail::energy(model, memory, state);
}

}  // namespace hopfield
