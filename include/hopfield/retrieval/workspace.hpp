#pragma once
/// \file workspace.hpp
/// \brief Workspace: the scratch buffers of the retrieval kernel, reused across calls so that
/// steady-state retrieval does not allocate.

#include <cstdint>
#include <vector>

#include "hopfield/core/types.hpp"

namespace hopfield {

/// \brief Scratch memory for the retrieval kernel: scores, weights and batched blocks.
///
/// Buffers only grow. A workspace must not be shared by threads running at the same time;
/// give each thread its own (the convenience overloads that take none use a thread_local one).
/// \tparam Scalar float or double.
template <Real Scalar>
struct Workspace {
    /// \brief Per-pattern scores (N), then weights after the separation map.
    Vector<Scalar> scores;
    /// \brief Batched scores / weights (B x N, row-major).
    RowMatrix<Scalar> batch_scores;
    /// \brief Extra per-pattern buffer for maps or models that need a second N-vector.
    Vector<Scalar> extra;
    /// \brief Double-precision per-pattern buffer: binary models' overlaps.
    Vector<double> d0;
    /// \brief Double-precision per-pattern buffer: binary models' projection weights a.
    Vector<double> d1;
    /// \brief Double-precision per-pattern buffer: binary models' self-terms b.
    Vector<double> d2;
    /// \brief A packed +-1 state (bit-packed binary models).
    std::vector<std::uint64_t> bits;
    /// \brief bfloat16 memories: the query and the output split into even / odd positions
    /// (single queries), or a block of patterns decoded to float (batches).
    Vector<Scalar> staged;
    /// \brief Per-neuron output padded to whole 64-bit words (bit-packed binary models).
    Vector<Scalar> padded;

    /// \brief Makes sure a vector holds at least n values (grows, never shrinks).
    template <class V>
    static void reserve(V& v, Index n) {
        if (v.size() < n) v.resize(n);
    }
};

/// \brief The thread-local workspace used by the overloads that take none.
template <Real Scalar>
Workspace<Scalar>& thread_workspace() {
    thread_local Workspace<Scalar> ws;
    return ws;
}

}  // namespace hopfield
