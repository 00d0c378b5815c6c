#pragma once
/// \file bit_kernel.hpp
/// \brief The retrieval kernel over bit-packed +-1 patterns: the same three stages as
/// kernel.hpp, with overlaps by XOR + popcount and the projection by lane-per-neuron
/// masked accumulation:
///
///     m_mu = d - 2 popcount(x_mu XOR sigma)                       (exact integers)
///     a    = separate(m)                                            (the model's map)
///     out_i = sum_mu a_mu x_mu,i = 2 sum_{mu: bit_mu,i = 1} a_mu - sum_mu a_mu
///
/// For integer-valued a (the classical model) every sum is exact, so the results are
/// identical to the float kernel's.

#include <cstdint>

#include "hopfield/memory/bit_memory.hpp"
#include "hopfield/retrieval/workspace.hpp"
#include "hopfield/simd/bits.hpp"

namespace hopfield::kernel {

/// \brief m[mu] = x_mu . sigma for every stored pattern, from the packed state.
template <Real Scalar>
void overlaps(const BitPatternMemory& X, const std::uint64_t* sigma_bits, Scalar* m) noexcept {
    const auto words = std::size_t(X.words());
    for (Index mu = 0; mu < X.size(); ++mu)
        m[mu] = Scalar(X.dim() - 2 * simd::hamming(X.row(mu), sigma_bits, words));
}

/// \brief out = sum_mu w[mu] x_mu (d values) over bit-packed patterns; uses ws.padded.
template <class Arch = simd::default_arch, Real Scalar>
void projection(const BitPatternMemory& X, const Scalar* w, Scalar* out, Workspace<Scalar>& ws) {
    const Index padded = 64 * X.words();
    Workspace<Scalar>::reserve(ws.padded, padded);
    Scalar* acc = ws.padded.data();
    for (Index i = 0; i < padded; ++i) acc[i] = Scalar(0);
    simd::masked_accumulate<Arch>(X.data(), std::size_t(X.size()), std::size_t(X.words()), w, acc);
    Scalar total = 0;
    for (Index mu = 0; mu < X.size(); ++mu) total += w[mu];
    for (Index i = 0; i < X.dim(); ++i) out[i] = Scalar(2) * acc[i] - total;
}

/// \brief agreement_projection (kernel.hpp) over bit-packed patterns: out_i = sum_mu
/// (x_mu,i == sigma_i ? agree[mu] : disagree[mu]), sigma given packed; uses ws.padded. Sums
/// in the same order as the float kernel (pattern by pattern), so results are identical.
template <class Arch = simd::default_arch, Real Scalar>
void agreement_projection(const BitPatternMemory& X, const std::uint64_t* sigma_bits, const Scalar* agree,
                          const Scalar* disagree, Scalar* out, Workspace<Scalar>& ws) {
    const Index padded = 64 * X.words();
    Workspace<Scalar>::reserve(ws.padded, padded);
    Scalar* acc = ws.padded.data();
    for (Index i = 0; i < padded; ++i) acc[i] = Scalar(0);
    simd::masked_select_accumulate<Arch>(X.data(), std::size_t(X.size()), std::size_t(X.words()), sigma_bits,
                                         agree, disagree, acc);
    for (Index i = 0; i < X.dim(); ++i) out[i] = acc[i];
}

/// \brief One pass of the bit-packed kernel for a +-1 state: out = X^T separate(X sigma).
/// `separate(Scalar* m, Index n)` turns the N overlaps into weights in place (they stay in
/// ws.scores). The state is packed into ws.bits.
template <class Arch = simd::default_arch, Real Scalar, class Separate>
void associate(const BitPatternMemory& X, const Scalar* sigma, Separate&& separate, Scalar* out,
               Workspace<Scalar>& ws) {
    ws.bits.resize(std::size_t(X.words()));
    BitPatternMemory::pack(sigma, X.dim(), ws.bits.data());
    Workspace<Scalar>::reserve(ws.scores, X.size());
    Scalar* m = ws.scores.data();
    overlaps(X, ws.bits.data(), m);
    separate(m, X.size());
    projection<Arch>(X, m, out, ws);
}

}  // namespace hopfield::kernel
