#pragma once
/// \file continuous.hpp
/// \brief Dynamics of continuous models: one update, batched updates, iterate to a fixed point.

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "hopfield/dynamics/checks.hpp"
#include "hopfield/dynamics/result.hpp"
#include "hopfield/models/concept.hpp"

namespace hopfield {

/// \brief One update xi_new = X sep(beta X^T xi) of a continuous model (one-step retrieval).
/// \param memory the stored patterns (a PatternMemory, a row-major Eigen matrix or a view)
/// \param query  a vector of length d, finite
template <ContinuousModel M, class Derived>
Vector<typename Derived::Scalar> step(const M& model, view_for<Derived> memory,
                                      const Eigen::MatrixBase<Derived>& query) {
    using Scalar = typename Derived::Scalar;
    const Vector<Scalar> q = detail::continuous_input("step", "query", memory, query);
    Vector<Scalar> out(memory.dim());
    model.update(memory, q.data(), out.data(), thread_workspace<Scalar>());
    return out;
}

/// \brief One update for every query of a batch (one query per row, B x d), through the
/// batched kernel (Eigen GEMM for chunks of kernel::gemm_min_batch queries or more), on
/// `options.threads` threads. Returns B x d.
template <ContinuousModel M, class Derived>
RowMatrix<typename Derived::Scalar> step_batch(const M& model, view_for<Derived> memory,
                                               const Eigen::MatrixBase<Derived>& queries,
                                               BatchOptions options = {}) {
    using Scalar = typename Derived::Scalar;
    detail::require_memory("step_batch", memory);
    detail::require_at_least_one("step_batch", "options.threads", options.threads);
    if (queries.cols() != memory.dim())
        throw invalid_argument("step_batch", "queries.cols()", queries.cols(),
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
    const Index workers = std::min<Index>(options.threads, chunks);
    if (workers <= 1) {
        run(0, 1);
        return out;
    }
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(workers));
    for (Index t = 0; t < workers; ++t)
        pool.emplace_back([&, t] {
            try {
                run(t, workers);
            } catch (...) {
                errors[std::size_t(t)] = std::current_exception();
            }
        });
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    return out;
}

/// \brief Iterates the update from `query` until the max-norm of the change is <= tolerance
/// (converged) or max_steps updates ran. Reports the final state, the number of updates,
/// whether it converged and the final energy. The energy never increases along the way.
template <ContinuousModel M, class Derived>
Result<typename Derived::Scalar> iterate(const M& model, view_for<Derived> memory,
                                         const Eigen::MatrixBase<Derived>& query,
                                         IterateOptions options = {}) {
    using Scalar = typename Derived::Scalar;
    Result<Scalar> r;
    r.state = detail::continuous_input("iterate", "query", memory, query);
    detail::require_at_least_one("iterate", "options.max_steps", options.max_steps);
    detail::require_non_negative("iterate", "options.tolerance", options.tolerance);
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

/// \brief The energy E(xi) of a continuous model at state `state`.
template <ContinuousModel M, class Derived>
double energy(const M& model, view_for<Derived> memory, const Eigen::MatrixBase<Derived>& state) {
    using Scalar = typename Derived::Scalar;
    const Vector<Scalar> s = detail::continuous_input("energy", "state", memory, state);
    return model.energy(memory, s.data());
}

}  // namespace hopfield
