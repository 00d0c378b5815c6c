#pragma once
/// \file binary.hpp
/// \brief Dynamics of binary (+-1) models: synchronous, asynchronous (zero temperature) and
/// Glauber (heat bath at temperature T) runs, for pattern models (DenseModel, ClassicalHebbian)
/// and for explicit couplings (Couplings).
///
/// Tie rule: a neuron whose field is exactly 0 keeps its state (capacity figures depend on it).
/// Randomness: std::mt19937_64 seeded by the options, and a permutation drawn with our own
/// Fisher-Yates shuffle, so the same seed gives the same run on every platform.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "hopfield/dynamics/checks.hpp"
#include "hopfield/dynamics/result.hpp"
#include "hopfield/memory/bit_memory.hpp"
#include "hopfield/models/concept.hpp"
#include "hopfield/models/couplings.hpp"
#include "hopfield/retrieval/bit_kernel.hpp"
#include "hopfield/simd/bits.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield {
namespace detail {

/// Uniform integer in [0, n) without modulo bias (rejection), portable across standard
/// libraries (std::uniform_int_distribution is not).
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    std::uint64_t x;
    do x = rng();
    while (x >= limit);
    return x % n;
}

/// Uniform double in [0, 1) from the top 53 bits.
inline double uniform_unit(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

inline void shuffle(std::vector<Index>& order, std::mt19937_64& rng) {
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[uniform_below(rng, i)]);
}

/// Zero-temperature rule with the tie rule: sign of the field, state kept when it is 0.
template <class Scalar>
Scalar sign_keep(double field, Scalar current) {
    return field > 0 ? Scalar(1) : (field < 0 ? Scalar(-1) : current);
}

/// A pattern model bound to its memory (a PatternView or a BitPatternMemory); the incremental
/// tracker keeps the overlaps m = X sigma (exact integers) and the transpose of the +-1
/// patterns bit-packed (d x ceil(N/64) words, 1/32 of a float copy; built from either
/// storage), so that one neuron's field is one pass over N bits and weights and one flip one
/// update of m: O(N) per neuron. The packed primitives are bitwise identical to their float
/// twins, so the runs are the same as with a float transposed copy, for both storages.
template <BinaryModel M, Real Scalar, class Memory = PatternView<Scalar>>
struct PatternNetwork {
    const M& model;
    const Memory& X;

    Index dim() const { return X.dim(); }
    double fields(const Scalar* s, Scalar* h, Workspace<Scalar>& ws) const {
        return model.fields(X, s, h, ws);
    }
    double energy(const Scalar* s) const { return model.energy(X, s); }

    struct Tracker {
        const PatternNetwork& net;
        BitPatternMemory XT;                // d rows of N bits: neuron i across the patterns
        Vector<Scalar> m, agree, disagree;  // overlaps, the weights of the field form
        FieldForm form;
        bool stale = true;
        Workspace<Scalar> ws;

        Tracker(const PatternNetwork& n, const Scalar* s)
            : net(n),
              XT(transposed_bits(n.X)),
              m(n.X.size()),
              agree(n.X.size()),
              disagree(n.X.size()) {
            if constexpr (std::is_same_v<Memory, BitPatternMemory>) {
                std::vector<std::uint64_t> state(static_cast<std::size_t>(n.X.words()));
                BitPatternMemory::pack(s, n.X.dim(), state.data());
                kernel::overlaps(n.X, state.data(), m.data());
            } else {
                kernel::similarity(n.X, s, Scalar(1), m.data());
            }
        }
        static BitPatternMemory transposed_bits(const Memory& X) {
            if constexpr (std::is_same_v<Memory, BitPatternMemory>)
                return X.transposed();
            else
                return BitPatternMemory(X, PatternView<Scalar>::trusted)
                    .transposed();  // callers checked +-1
        }
        /// field of neuron i (up to exp(log_scale) / 2, a positive factor)
        double field(Index i, Scalar si) {
            if (stale) {
                form = net.model.coefficients(m.data(), m.size(), net.X.dim(), agree.data(),
                                              disagree.data(), ws);
                stale = false;
            }
            const auto n = std::size_t(m.size());
            if (form.linear)
                return double(simd::signed_dot(XT.row(i), agree.data(), n)) +
                       double(si) * form.self;
            const double h = double(
                simd::signed_select_sum(XT.row(i), si > 0, agree.data(), disagree.data(), n));
            return si < 0 ? -h : h;
        }
        double scale() const { return form.log_scale - std::numbers::ln2; }
        void flip(Index i, Scalar new_si) {
            simd::signed_axpy(Scalar(2) * new_si, XT.row(i), m.data(), std::size_t(m.size()));
            stale = true;
        }
        /// E(sigma) from the tracked overlaps (exact integers): O(N) instead of O(N d).
        double energy(const Scalar* s) const {
            if constexpr (requires {
                              net.model.interaction().energy(nullptr, std::size_t{}, Index{});
                          }) {
                std::vector<double> md(m.data(), m.data() + m.size());
                return net.model.interaction().energy(md.data(), md.size(), net.X.dim());
            } else {
                return net.energy(s);
            }
        }
    };
};

/// Couplings as a network; the tracker keeps the fields h = J sigma: O(d) per flip.
template <Real Scalar>
struct CouplingNetwork {
    const Couplings<Scalar>& J;

    Index dim() const { return J.dim(); }
    double fields(const Scalar* s, Scalar* h, Workspace<Scalar>&) const { return J.fields(s, h); }
    double energy(const Scalar* s) const { return J.energy(s); }

    struct Tracker {
        const CouplingNetwork& net;
        Vector<Scalar> h;
        Tracker(const CouplingNetwork& n, const Scalar* s) : net(n), h(n.dim()) {
            n.J.fields(s, h.data());
        }
        double energy(const Scalar* s) const { return net.energy(s); }
        double field(Index i, Scalar) const { return double(h[i]); }
        double scale() const { return 0.0; }
        void flip(Index i, Scalar new_si) {  // J symmetric: column i = row i
            simd::axpy(Scalar(2) * new_si, net.J.matrix().row(i).data(), h.data(),
                       std::size_t(h.size()));
        }
    };
};

template <class Net, Real Scalar>
Result<Scalar> synchronous(const Net& net, Vector<Scalar> s, const SyncOptions& opt) {
    require_at_least_one("run_synchronous", "options.max_steps", opt.max_steps);
    Result<Scalar> r;
    Vector<Scalar> prev = s, next(s.size()), h(s.size());
    auto& ws = thread_workspace<Scalar>();
    while (r.steps < opt.max_steps) {
        net.fields(s.data(), h.data(), ws);
        for (Index i = 0; i < s.size(); ++i) next[i] = sign_keep(double(h[i]), s[i]);
        ++r.steps;
        if (next == s) {
            r.period = 1;
            break;
        }
        if (r.steps > 1 && next == prev) {
            r.period = 2;
            s.swap(next);
            break;
        }
        prev = s;
        s.swap(next);
    }
    r.converged = r.period == 1;
    r.state = std::move(s);
    r.energy = net.energy(r.state.data());
    return r;
}

template <class Net, Real Scalar>
Result<Scalar> asynchronous(const Net& net, Vector<Scalar> s, const AsyncOptions& opt) {
    require_at_least_one("run_asynchronous", "options.max_sweeps", opt.max_sweeps);
    Result<Scalar> r;
    std::mt19937_64 rng(opt.seed);
    std::vector<Index> order(std::size_t(s.size()));
    std::iota(order.begin(), order.end(), Index(0));
    typename Net::Tracker tracker(net, s.data());
    while (r.steps < opt.max_sweeps) {
        shuffle(order, rng);
        ++r.steps;
        bool flipped = false;
        for (const Index i : order) {
            const Scalar next = sign_keep(tracker.field(i, s[i]), s[i]);
            if (next != s[i]) {
                s[i] = next;
                tracker.flip(i, next);
                flipped = true;
            }
        }
        if (!flipped) {
            r.converged = true;
            break;
        }
    }
    r.period = r.converged ? 1 : 0;
    r.energy = tracker.energy(s.data());
    r.state = std::move(s);
    return r;
}

template <class Net, Real Scalar>
Result<Scalar> glauber(const Net& net, Vector<Scalar> s, const GlauberOptions& opt) {
    require_positive("run_glauber", "options.temperature", opt.temperature);
    require_at_least_one("run_glauber", "options.sweeps", opt.sweeps);
    Result<Scalar> r;
    std::mt19937_64 rng(opt.seed);
    std::vector<Index> order(std::size_t(s.size()));
    std::iota(order.begin(), order.end(), Index(0));
    typename Net::Tracker tracker(net, s.data());
    const double log_two_over_t = std::log(2.0 / opt.temperature);
    bool flipped = true;
    for (; r.steps < opt.sweeps; ++r.steps) {
        shuffle(order, rng);
        flipped = false;
        for (const Index i : order) {
            const double v = tracker.field(i, s[i]);
            // x = 2 h_i / T, formed in the log domain so huge fields (exponential F) saturate
            // to +-inf instead of producing inf * 0.
            double x = 0;
            if (v != 0)
                x = std::copysign(
                    std::exp(std::log(std::abs(v)) + tracker.scale() + log_two_over_t), v);
            const double p_up = 1.0 / (1.0 + std::exp(-x));
            const Scalar next = uniform_unit(rng) < p_up ? Scalar(1) : Scalar(-1);
            if (next != s[i]) {
                s[i] = next;
                tracker.flip(i, next);
                flipped = true;
            }
        }
    }
    r.converged = !flipped;
    r.period = r.converged ? 1 : 0;
    r.energy = tracker.energy(s.data());
    r.state = std::move(s);
    return r;
}

template <Real Scalar>
void require_binary_memory(const char* where, PatternView<Scalar> X) {
    require_memory(where, X);
    require_binary(where, "patterns", X.data(), std::size_t(X.size() * X.dim()));
}

inline void require_binary_memory(const char* where, const BitPatternMemory& X) {
    if (X.empty()) throw invalid_argument(where, "memory.size()", 0, "memory must not be empty");
}

template <Real Scalar>
void require_binary_state(const char* where, Index d, const Vector<Scalar>& s) {
    if (s.size() != d)
        throw invalid_argument(where, "state.size()", s.size(),
                               "must equal the number of neurons d = " + std::to_string(d));
    require_binary(where, "state", s.data(), std::size_t(s.size()));
}

/// The storage a binary pattern model runs on: the bit-packed memory itself, or a view.
template <Real Scalar, class Memory>
decltype(auto) binary_storage(const Memory& memory) {
    if constexpr (std::is_same_v<Memory, BitPatternMemory>)
        return (memory);
    else
        return PatternView<Scalar>(memory);
}

/// The checks every public function of a pattern model runs once: a non-empty +-1 memory and
/// a +-1 state of length d; returns the state as a vector.
template <Real Scalar, class Storage, class Derived>
Vector<Scalar> binary_input(const char* where, const Storage& X,
                            const Eigen::MatrixBase<Derived>& state) {
    require_binary_memory(where, X);
    Vector<Scalar> s = state.reshaped();
    require_binary_state(where, X.dim(), s);
    return s;
}

}  // namespace detail

/// \brief Where binary pattern models store their patterns: a bit-packed BitPatternMemory, or
/// anything that converts to a PatternView<Scalar> (PatternMemory, row-major Eigen matrix).
template <class Memory, class Scalar>
concept BinaryMemory = std::same_as<Memory, BitPatternMemory> ||
    std::convertible_to<const Memory&, PatternView<Scalar>>;

/// \brief One synchronous update sigma_i <- sign(h_i) of a binary pattern model (ties keep).
template <BinaryModel M, class Derived, BinaryMemory<typename Derived::Scalar> Memory>
Vector<typename Derived::Scalar> step(const M& model, const Memory& memory,
                                      const Eigen::MatrixBase<Derived>& state) {
    using Scalar = typename Derived::Scalar;
    const auto& X = detail::binary_storage<Scalar>(memory);
    Vector<Scalar> s = detail::binary_input<Scalar>("step", X, state);
    Vector<Scalar> h(s.size());
    model.fields(X, s.data(), h.data(), thread_workspace<Scalar>());
    for (Index i = 0; i < s.size(); ++i) s[i] = detail::sign_keep(double(h[i]), s[i]);
    return s;
}

/// \brief The fields h_i = (E(sigma_i=-1) - E(sigma_i=+1))/2 of a binary pattern model
/// (the Hebbian local field for ClassicalHebbian), as true values in double; fields beyond
/// double's range (exponential F at large d) saturate to +-inf, never NaN.
template <BinaryModel M, class Derived, BinaryMemory<typename Derived::Scalar> Memory>
Eigen::VectorXd fields(const M& model, const Memory& memory,
                       const Eigen::MatrixBase<Derived>& state) {
    using Scalar = typename Derived::Scalar;
    const auto& X = detail::binary_storage<Scalar>(memory);
    const Vector<Scalar> s = detail::binary_input<Scalar>("fields", X, state);
    Vector<Scalar> h(s.size());
    const double log_scale = model.fields(X, s.data(), h.data(), thread_workspace<Scalar>());
    // In the log domain: a field beyond double's range (exponential F at large d) saturates
    // to +-inf, a zero field stays 0 (never inf * 0 = NaN).
    Eigen::VectorXd out(h.size());
    for (Index i = 0; i < h.size(); ++i)
        out[i] = h[i] == 0 ? 0.0
                           : std::copysign(std::exp(std::log(std::abs(double(h[i]))) + log_scale),
                                           double(h[i]));
    return out;
}

/// \brief The energy E(sigma) of a binary pattern model.
template <BinaryModel M, class Derived, BinaryMemory<typename Derived::Scalar> Memory>
double energy(const M& model, const Memory& memory, const Eigen::MatrixBase<Derived>& state) {
    using Scalar = typename Derived::Scalar;
    const auto& X = detail::binary_storage<Scalar>(memory);
    const Vector<Scalar> s = detail::binary_input<Scalar>("energy", X, state);
    return model.energy(X, s.data());
}

/// \brief Synchronous dynamics: all neurons at once, until a fixed point or a 2-cycle
/// (reported in Result::period) or max_steps updates.
template <BinaryModel M, class Derived, BinaryMemory<typename Derived::Scalar> Memory>
Result<typename Derived::Scalar> run_synchronous(const M& model, const Memory& memory,
                                                 const Eigen::MatrixBase<Derived>& state,
                                                 SyncOptions options = {}) {
    using Scalar = typename Derived::Scalar;
    const auto& X = detail::binary_storage<Scalar>(memory);
    using Storage = std::decay_t<decltype(X)>;
    Vector<Scalar> s = detail::binary_input<Scalar>("run_synchronous", X, state);
    return detail::synchronous(detail::PatternNetwork<M, Scalar, Storage>{model, X}, std::move(s),
                               options);
}

/// \brief Asynchronous zero-temperature dynamics: sweeps in a random permutation (seeded),
/// overlaps updated incrementally (O(N) per neuron), until a sweep flips nothing. The energy
/// never increases.
template <BinaryModel M, class Derived, BinaryMemory<typename Derived::Scalar> Memory>
Result<typename Derived::Scalar> run_asynchronous(const M& model, const Memory& memory,
                                                  const Eigen::MatrixBase<Derived>& state,
                                                  AsyncOptions options = {}) {
    using Scalar = typename Derived::Scalar;
    const auto& X = detail::binary_storage<Scalar>(memory);
    using Storage = std::decay_t<decltype(X)>;
    Vector<Scalar> s = detail::binary_input<Scalar>("run_asynchronous", X, state);
    return detail::asynchronous(detail::PatternNetwork<M, Scalar, Storage>{model, X}, std::move(s),
                                options);
}

/// \brief Glauber (heat-bath) dynamics at temperature options.temperature for options.sweeps
/// sweeps; `converged` reports whether the last sweep flipped nothing.
template <BinaryModel M, class Derived, BinaryMemory<typename Derived::Scalar> Memory>
Result<typename Derived::Scalar> run_glauber(const M& model, const Memory& memory,
                                             const Eigen::MatrixBase<Derived>& state,
                                             GlauberOptions options = {}) {
    using Scalar = typename Derived::Scalar;
    const auto& X = detail::binary_storage<Scalar>(memory);
    using Storage = std::decay_t<decltype(X)>;
    Vector<Scalar> s = detail::binary_input<Scalar>("run_glauber", X, state);
    return detail::glauber(detail::PatternNetwork<M, Scalar, Storage>{model, X}, std::move(s),
                           options);
}

/// \brief One synchronous update of a network given by its couplings.
template <Real Scalar, class Derived>
Vector<Scalar> step(const Couplings<Scalar>& couplings, const Eigen::MatrixBase<Derived>& state) {
    Vector<Scalar> s = state.reshaped();
    detail::require_binary_state("step", couplings.dim(), s);
    Vector<Scalar> h(s.size());
    couplings.fields(s.data(), h.data());
    for (Index i = 0; i < s.size(); ++i) s[i] = detail::sign_keep(double(h[i]), s[i]);
    return s;
}

/// \brief Synchronous dynamics of a network given by its couplings.
template <Real Scalar, class Derived>
Result<Scalar> run_synchronous(const Couplings<Scalar>& couplings,
                               const Eigen::MatrixBase<Derived>& state, SyncOptions options = {}) {
    Vector<Scalar> s = state.reshaped();
    detail::require_binary_state("run_synchronous", couplings.dim(), s);
    return detail::synchronous(detail::CouplingNetwork<Scalar>{couplings}, std::move(s), options);
}

/// \brief Asynchronous zero-temperature dynamics of a network given by its couplings
/// (fields updated incrementally, O(d) per flip).
template <Real Scalar, class Derived>
Result<Scalar> run_asynchronous(const Couplings<Scalar>& couplings,
                                const Eigen::MatrixBase<Derived>& state,
                                AsyncOptions options = {}) {
    Vector<Scalar> s = state.reshaped();
    detail::require_binary_state("run_asynchronous", couplings.dim(), s);
    return detail::asynchronous(detail::CouplingNetwork<Scalar>{couplings}, std::move(s), options);
}

/// \brief Glauber dynamics of a network given by its couplings.
template <Real Scalar, class Derived>
Result<Scalar> run_glauber(const Couplings<Scalar>& couplings,
                           const Eigen::MatrixBase<Derived>& state, GlauberOptions options = {}) {
    Vector<Scalar> s = state.reshaped();
    detail::require_binary_state("run_glauber", couplings.dim(), s);
    return detail::glauber(detail::CouplingNetwork<Scalar>{couplings}, std::move(s), options);
}

}  // namespace hopfield
