#pragma once
/// \file bits.hpp
/// \brief Primitives over bit-packed +-1 vectors: Hamming distance (XOR + popcount) and the
/// lane-per-neuron masked accumulation that projects weights back onto neurons.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "hopfield/simd/kernels.hpp"

namespace hopfield::simd {

/// \brief Number of differing bits of two packed vectors of `words` words. std::popcount
/// compiles to vpopcntq with -march=native on CPUs that have it (AVX512-VPOPCNTDQ).
inline std::int64_t hamming(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) noexcept {
    std::int64_t count = 0;
    for (std::size_t w = 0; w < words; ++w) count += std::popcount(a[w] ^ b[w]);
    return count;
}

/// \brief out[k] += sum_r a[r] * bit_k(rows[r]) for k in [0, 64 words), with rows[r] =
/// bits + r * words (n rows). Lane-per-neuron: each batch lane is one neuron; its bit of the
/// pattern is shifted into place (per-lane variable shift), masked to 0 / 1, converted and
/// multiplied into the lane's accumulator. The accumulators of 64 neurons stay in registers
/// while all n patterns stream through. `out` must hold 64 * words values.
template <class Arch = default_arch, class Scalar>
void masked_accumulate(const std::uint64_t* bits, std::size_t n, std::size_t words, const Scalar* a,
                       Scalar* out) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    using I = xsimd::as_integer_t<Scalar>;
    using ibatch = xsimd::batch<I, Arch>;
    constexpr std::size_t W = batch::size;
    constexpr std::size_t S = 64 / W;  // lanes groups per 64-bit word
    static_assert(64 % W == 0, "SIMD width must divide 64");
    alignas(64) I lane_index[W];
    for (std::size_t k = 0; k < W; ++k) lane_index[k] = I(k);
    const ibatch lanes = ibatch::load_aligned(lane_index);
    const ibatch one(I(1));
    constexpr std::uint64_t group_mask = W == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << W) - 1;
#if defined(__AVX512F__)
    // AVX-512: the 16 (8) bits of a lane group are a mask register as they are; one masked
    // add per lane group and pattern.
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch> && W * sizeof(Scalar) == 64) {
        // (Measured: two words per pass, for twice the accumulator chains, was no faster.)
        for (std::size_t w = 0; w < words; ++w) {
            batch acc[S];
            for (std::size_t s = 0; s < S; ++s) acc[s] = batch::load_unaligned(out + w * 64 + s * W);
            for (std::size_t r = 0; r < n; ++r) {
                const std::uint64_t word = bits[r * words + w];
                const batch ar(a[r]);
                for (std::size_t s = 0; s < S; ++s) {
                    const auto k = static_cast<unsigned>((word >> (s * W)) & group_mask);
                    if constexpr (std::is_same_v<Scalar, float>)
                        acc[s] = _mm512_mask_add_ps(acc[s], __mmask16(k), acc[s], ar);
                    else
                        acc[s] = _mm512_mask_add_pd(acc[s], __mmask8(k), acc[s], ar);
                }
            }
            for (std::size_t s = 0; s < S; ++s) acc[s].store_unaligned(out + w * 64 + s * W);
        }
        return;
    }
#endif
    for (std::size_t w = 0; w < words; ++w) {
        batch acc[S];
        for (std::size_t s = 0; s < S; ++s) acc[s] = batch::load_unaligned(out + w * 64 + s * W);
        for (std::size_t r = 0; r < n; ++r) {
            if (a[r] == Scalar(0)) continue;
            const std::uint64_t word = bits[r * words + w];
            const batch ar(a[r]);
            for (std::size_t s = 0; s < S; ++s) {
                const ibatch group(I((word >> (s * W)) & group_mask));
                const batch bit = xsimd::to_float((group >> lanes) & one);
                acc[s] = xsimd::fma(bit, ar, acc[s]);
            }
        }
        for (std::size_t s = 0; s < S; ++s) acc[s].store_unaligned(out + w * 64 + s * W);
    }
}

}  // namespace hopfield::simd
