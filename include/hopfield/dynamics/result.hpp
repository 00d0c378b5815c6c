#pragma once
/// \file result.hpp
/// \brief Result of running dynamics, and the options of each kind of run.

#include <cstdint>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// \brief What a run of the dynamics returns.
/// \tparam Scalar float or double.
template <Real Scalar>
struct Result {
    /// \brief The final state (d values).
    Vector<Scalar> state;
    /// \brief Steps taken: updates for continuous and synchronous runs, sweeps over all
    /// neurons for asynchronous and Glauber runs (the final, confirming step included).
    int steps = 0;
    /// \brief True when the run stopped at a fixed point (see each run's stopping rule).
    bool converged = false;
    /// \brief Synchronous runs: 1 at a fixed point, 2 on a 2-cycle, 0 when max_steps ran
    /// out first. Other runs: 1 when converged, else 0.
    int period = 0;
    /// \brief The model's energy at the final state.
    double energy = 0;
};

/// \brief Options of step_batch().
///
/// The queries are processed in fixed chunks of `chunk_rows` rows whatever the thread count,
/// so the results are bitwise identical for every value of `threads`. Each worker uses its
/// own workspace; Eigen's products inside stay single-threaded (no oversubscription), also
/// in programs built with OpenMP (detail::SerialOpenMP), where `threads` is then the only
/// parallelism of a batch, so that results stay identical across thread counts there too.
struct BatchOptions {
    int threads = 1;  ///< worker threads (>= 1); opt-in parallelism
    /// \brief Queries per chunk. Measured on Zen 4 (d = 256, N = 1e4, softmax, one thread):
    /// chunks of 32 / 64 / 128 / 256 queries took 1.51 / 1.24 / 1.11 / 1.00 x the time of one
    /// 256-query chunk; 128 keeps most of that and still gives two threads a chunk each at B = 256.
    static constexpr Index chunk_rows = 128;
};

/// \brief Options of iterate() for continuous states.
///
/// Stopping rule: stop after the first update t with max_i |xi_{t}_i - xi_{t-1}_i| <= tolerance
/// (the max-norm of the change, absolute), or after max_steps updates.
struct IterateOptions {
    int max_steps = 100;      ///< upper bound on the number of updates (>= 1)
    double tolerance = 1e-6;  ///< max-norm of the last change that counts as converged (>= 0)
};

/// \brief Options of run_synchronous(): all neurons updated at once from the same state.
/// Stops at a fixed point (period 1) or a 2-cycle (period 2), the only attractors of
/// synchronous dynamics with symmetric couplings, or after max_steps updates.
struct SyncOptions {
    int max_steps = 100;  ///< upper bound on the number of synchronous updates (>= 1)
};

/// \brief Options of run_asynchronous(): zero-temperature sweeps, neurons visited in a fresh
/// random permutation each sweep (seeded). Stops after the first sweep without a flip.
struct AsyncOptions {
    int max_sweeps = 100;    ///< upper bound on the number of sweeps (>= 1)
    std::uint64_t seed = 1;  ///< seed of the permutation generator (same seed, same run)
};

/// \brief Options of run_glauber(): heat-bath sweeps at temperature T = 1/beta_T,
/// P(sigma_i = +1) = 1 / (1 + exp(-2 h_i / T)) with h_i = (E(sigma_i=-1) - E(sigma_i=+1))/2
/// (the Hebbian local field for the classical model). Runs exactly `sweeps` sweeps.
struct GlauberOptions {
    double temperature = 0.1;  ///< T > 0
    int sweeps = 100;          ///< number of sweeps (>= 1)
    std::uint64_t seed = 1;    ///< seed (same seed, same run)
};

}  // namespace hopfield
