#pragma once
/// \file checks.hpp
/// \brief The argument checks the dynamics functions run once per call.

#include <string>
#include <type_traits>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield {

/// \brief The PatternView matching the scalar type of an Eigen expression; written as a
/// non-deduced parameter type so that a PatternMemory or an Eigen matrix converts implicitly.
template <class Derived>
using view_for = std::type_identity_t<PatternView<typename Derived::Scalar>>;

namespace detail {

template <class Memory>
void require_memory(const char* where, const Memory& X) {
    if (X.size() == 0)
        throw invalid_argument(where, "memory.size()", 0, "memory must not be empty");
}

template <class Memory, Real Scalar>
void require_state(const char* where, const char* arg, const Memory& X, const Vector<Scalar>& v) {
    if (v.size() != X.dim())
        throw invalid_argument(where, std::string(arg) + ".size()", v.size(),
                               "must equal the pattern dimension d = " + std::to_string(X.dim()));
    require_finite(where, arg, v.data(), std::size_t(v.size()));
}

/// The checks of a continuous model's public functions: a non-empty memory (a PatternView or
/// a Bf16View) and a finite state of length d; returns the state as a vector.
template <class Memory, class Derived, class Scalar = typename Derived::Scalar>
Vector<Scalar> continuous_input(const char* where, const char* arg, const Memory& X,
                                const Eigen::MatrixBase<Derived>& state) {
    require_memory(where, X);
    Vector<Scalar> v = state.reshaped();
    require_state(where, arg, X, v);
    return v;
}

inline void require_at_least_one(const char* where, const char* arg, int value) {
    if (value < 1) throw invalid_argument(where, arg, value, "must be >= 1");
}

}  // namespace detail
}  // namespace hopfield
