#pragma once
/// \file trial.hpp
/// \brief One retrieval trial: build the start state (the stored pattern, or a corrupted cue),
/// run the model's dynamics through the library's own functions (run_asynchronous,
/// run_synchronous, run_glauber, step, iterate) and score the final state.

#include <string>
#include <string_view>

#include "hopfield/capacity/corruption.hpp"
#include "hopfield/capacity/criteria.hpp"
#include "hopfield/capacity/random.hpp"
#include "hopfield/capacity/sweep.hpp"
#include "hopfield/core/error.hpp"
#include "hopfield/dynamics/binary.hpp"
#include "hopfield/dynamics/continuous.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/models/couplings.hpp"

namespace hopfield::capacity {

/// \brief Which dynamics a trial runs.
enum class Dynamics {
    async,    ///< binary: zero-temperature asynchronous sweeps until a sweep flips nothing
    sync,     ///< binary: synchronous updates to a fixed point or 2-cycle; continuous: iterate()
    glauber,  ///< binary: Glauber sweeps at RetrievalSpec::temperature
    step      ///< one update (binary: one synchronous sign update; continuous: one step)
};

/// \brief Where a trial starts.
enum class Start {
    pattern,  ///< at the stored target pattern itself (is it a stable state?)
    cue       ///< at the corrupted cue (is the target retrieved from it?)
};

/// \brief How the cue is corrupted from the target.
struct Cue {
    /// \brief The corruption kinds (see corruption.hpp).
    enum class Kind {
        none,  ///< the cue is the pattern
        flip,  ///< flip_fraction(x, amount)
        mask,  ///< mask_fraction(x, amount): 0 for continuous models, random +-1 for binary
        noise  ///< add_gaussian_noise(x, amount), then the sign for binary models
    };
    Kind kind = Kind::none;  ///< which corruption
    double amount = 0;       ///< the fraction (flip, mask) or the noise standard deviation
};

/// \brief Everything a retrieval trial needs besides the model and the memory.
struct RetrievalSpec {
    Dynamics dynamics = Dynamics::async;  ///< the dynamics to run
    int max_steps = 100;                  ///< sweeps (async, glauber) or updates (sync)
    double temperature = 0.1;             ///< Glauber temperature T > 0
    Start start = Start::pattern;         ///< start at the pattern or at the cue
    Cue cue;                              ///< the corruption (used when start == cue)
    Criterion criterion;                  ///< what counts as a success
};

/// \brief The name of a Dynamics value as the command line spells it.
inline const char* to_string(Dynamics d) {
    switch (d) {
        case Dynamics::async:
            return "async";
        case Dynamics::sync:
            return "sync";
        case Dynamics::glauber:
            return "glauber";
        case Dynamics::step:
            return "step";
    }
    return "?";
}

/// \brief Parses "async", "sync", "glauber" or "step"; throws naming `dynamics` otherwise.
inline Dynamics parse_dynamics(std::string_view text) {
    for (const Dynamics d : {Dynamics::async, Dynamics::sync, Dynamics::glauber, Dynamics::step})
        if (text == to_string(d)) return d;
    throw invalid_argument("parse_dynamics", "dynamics", std::string(text),
                           "must be async, sync, glauber or step");
}

/// \brief The start state of a trial: the target itself, or its corrupted cue. `binary`
/// keeps the state +-1 (masked entries become random signs, noisy entries their sign).
template <Real Scalar>
Vector<Scalar> start_state(PatternView<Scalar> X, Index target, const RetrievalSpec& spec,
                           Random& rng, bool binary) {
    if (target < 0 || target >= X.size())
        throw invalid_argument("start_state", "target", target,
                               "must be in [0, N) with N = " + std::to_string(X.size()));
    const auto x = Eigen::Map<const Vector<Scalar>>(X.row(target), X.dim());
    if (spec.start == Start::pattern || spec.cue.kind == Cue::Kind::none) return x;
    switch (spec.cue.kind) {
        case Cue::Kind::flip:
            return flip_fraction(x, spec.cue.amount, rng);
        case Cue::Kind::mask:
            return mask_fraction(x, spec.cue.amount, rng,
                                 binary ? MaskFill::random_sign : MaskFill::zero);
        case Cue::Kind::noise: {
            Vector<Scalar> y = add_gaussian_noise(x, spec.cue.amount, rng);
            return binary ? binarize(y) : y;
        }
        case Cue::Kind::none:
            break;
    }
    return x;
}

/// \brief Scores a final state against target `target` of X under `criterion`.
template <Real Scalar>
TrialOutcome score(PatternView<Scalar> X, Index target, const Vector<Scalar>& state,
                   const Criterion& criterion, double steps) {
    const auto x = Eigen::Map<const Vector<Scalar>>(X.row(target), X.dim());
    TrialOutcome o;
    o.overlap = overlap(x, state);
    o.bit_error = bit_error_rate(x, state);
    o.exact = exact_match(x, state);
    o.steps = steps;
    switch (criterion.kind) {
        case Criterion::Kind::overlap:
            o.success = o.overlap >= criterion.threshold;
            break;
        case Criterion::Kind::exact:
            o.success = o.exact;
            break;
        case Criterion::Kind::nearest:
            o.success = nearest_pattern(X, state) == target;
            break;
    }
    return o;
}

/// \brief One trial of a binary pattern model (ClassicalHebbian, DenseModel<F>): start state,
/// the library's dynamics (seeded from rng), score. X must hold +-1 patterns.
template <BinaryModel M, Real Scalar>
TrialOutcome retrieve(const M& model, PatternView<Scalar> X, Index target,
                      const RetrievalSpec& spec, Random& rng) {
    const Vector<Scalar> s = start_state(X, target, spec, rng, true);
    switch (spec.dynamics) {
        case Dynamics::async: {
            const auto r =
                run_asynchronous(model, X, s, {.max_sweeps = spec.max_steps, .seed = rng.seed()});
            return score(X, target, r.state, spec.criterion, r.steps);
        }
        case Dynamics::sync: {
            const auto r = run_synchronous(model, X, s, {.max_steps = spec.max_steps});
            return score(X, target, r.state, spec.criterion, r.steps);
        }
        case Dynamics::glauber: {
            const auto r = run_glauber(
                model, X, s,
                {.temperature = spec.temperature, .sweeps = spec.max_steps, .seed = rng.seed()});
            return score(X, target, r.state, spec.criterion, r.steps);
        }
        case Dynamics::step:
            return score(X, target, step(model, X, s), spec.criterion, 1);
    }
    return {};
}

/// \brief One trial of a network given by its couplings (Hebb, Storkey, pseudo-inverse) that
/// stores the patterns X.
template <Real Scalar>
TrialOutcome retrieve(const Couplings<Scalar>& J, PatternView<Scalar> X, Index target,
                      const RetrievalSpec& spec, Random& rng) {
    const Vector<Scalar> s = start_state(X, target, spec, rng, true);
    switch (spec.dynamics) {
        case Dynamics::async: {
            const auto r =
                run_asynchronous(J, s, {.max_sweeps = spec.max_steps, .seed = rng.seed()});
            return score(X, target, r.state, spec.criterion, r.steps);
        }
        case Dynamics::sync: {
            const auto r = run_synchronous(J, s, {.max_steps = spec.max_steps});
            return score(X, target, r.state, spec.criterion, r.steps);
        }
        case Dynamics::glauber: {
            const auto r = run_glauber(
                J, s,
                {.temperature = spec.temperature, .sweeps = spec.max_steps, .seed = rng.seed()});
            return score(X, target, r.state, spec.criterion, r.steps);
        }
        case Dynamics::step:
            return score(X, target, step(J, s), spec.criterion, 1);
    }
    return {};
}

/// \brief One trial of a continuous model (ModernHopfield<Map>): `step` is one update,
/// `sync` iterates to convergence (IterateOptions{max_steps}); async and glauber throw.
template <ContinuousModel M, Real Scalar>
TrialOutcome retrieve(const M& model, PatternView<Scalar> X, Index target,
                      const RetrievalSpec& spec, Random& rng) {
    const Vector<Scalar> s = start_state(X, target, spec, rng, false);
    switch (spec.dynamics) {
        case Dynamics::step:
            return score(X, target, step(model, X, s), spec.criterion, 1);
        case Dynamics::sync: {
            const auto r = iterate(model, X, s, {.max_steps = spec.max_steps});
            return score(X, target, r.state, spec.criterion, r.steps);
        }
        case Dynamics::async:
        case Dynamics::glauber:
            break;
    }
    throw invalid_argument(
        "retrieve", "dynamics", to_string(spec.dynamics),
        "continuous models run 'step' (one update) or 'sync' (iterate to a fixed point)");
}

}  // namespace hopfield::capacity
