#pragma once
/// \file bits.hpp
/// \brief Primitives over bit-packed +-1 vectors: Hamming distance (XOR + popcount) and the
/// lane-per-neuron masked accumulations that project weights back onto neurons.

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

namespace detail {

/// The lane-per-neuron layout shared by the masked accumulations: a 64-bit word holds
/// S = 64 / W groups of W neurons (W lanes of one batch); group s of a word, as a batch of
/// 0 / 1 values (each lane's bit shifted into place by a per-lane variable shift).
template <class Scalar, class Arch>
struct LaneGroups {
    using batch = xsimd::batch<Scalar, Arch>;
    using I = xsimd::as_integer_t<Scalar>;
    using ibatch = xsimd::batch<I, Arch>;
    static constexpr std::size_t W = batch::size;
    static constexpr std::size_t S = 64 / W;
    static_assert(64 % W == 0, "SIMD width must divide 64");
    static constexpr std::uint64_t group_mask = W == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << W) - 1;

    ibatch lanes;
    ibatch one;

    // (Parentheses, not braces: a braced batch is a list of lane values.)
    LaneGroups() noexcept : one(I(1)) {
        alignas(64) I lane_index[W];
        for (std::size_t k = 0; k < W; ++k) lane_index[k] = I(k);
        lanes = ibatch::load_aligned(lane_index);
    }
    /// The W bits of group s as an integer (an AVX-512 mask as it is).
    static unsigned mask(std::uint64_t word, std::size_t s) noexcept {
        return static_cast<unsigned>((word >> (s * W)) & group_mask);
    }
    /// The W bits of group s as 0 / 1 values.
    batch bits(std::uint64_t word, std::size_t s) const noexcept {
        const ibatch group(I((word >> (s * W)) & group_mask));
        return xsimd::to_float((group >> lanes) & one);
    }
};

}  // namespace detail

/// \brief out[k] += sum_r a[r] * bit_k(rows[r]) for k in [0, 64 words), with rows[r] =
/// bits + r * words (n rows). Lane-per-neuron: each batch lane is one neuron; its bit of the
/// pattern is shifted into place (per-lane variable shift), masked to 0 / 1, converted and
/// multiplied into the lane's accumulator. The accumulators of 64 neurons stay in registers
/// while all n patterns stream through. `out` must hold 64 * words values.
template <class Arch = default_arch, class Scalar>
void masked_accumulate(const std::uint64_t* bits, std::size_t n, std::size_t words, const Scalar* a,
                       Scalar* out) noexcept {
    using L = detail::LaneGroups<Scalar, Arch>;
    using batch = typename L::batch;
    constexpr std::size_t W = L::W, S = L::S;
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
                    const unsigned k = L::mask(word, s);
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
    const L layout;
    for (std::size_t w = 0; w < words; ++w) {
        batch acc[S];
        for (std::size_t s = 0; s < S; ++s) acc[s] = batch::load_unaligned(out + w * 64 + s * W);
        for (std::size_t r = 0; r < n; ++r) {
            if (a[r] == Scalar(0)) continue;
            const std::uint64_t word = bits[r * words + w];
            const batch ar(a[r]);
            for (std::size_t s = 0; s < S; ++s) acc[s] = xsimd::fma(layout.bits(word, s), ar, acc[s]);
        }
        for (std::size_t s = 0; s < S; ++s) acc[s].store_unaligned(out + w * 64 + s * W);
    }
}

/// \brief out[k] += (bit_k(rows[r]) == bit_k(state) ? agree[r] : disagree[r]) for k in
/// [0, 64 words), rows[r] = bits + r * words (n rows): the agreement form of the fields
/// (models/dense.hpp) with the same lane-per-neuron layout as masked_accumulate. The agree
/// mask of a row is ~(row XOR state); each lane adds a selected value (a blend, then one add),
/// so infinite values never meet a 0. `out` must hold 64 * words values.
template <class Arch = default_arch, class Scalar>
void masked_select_accumulate(const std::uint64_t* bits, std::size_t n, std::size_t words,
                              const std::uint64_t* state, const Scalar* agree, const Scalar* disagree,
                              Scalar* out) noexcept {
    using L = detail::LaneGroups<Scalar, Arch>;
    using batch = typename L::batch;
    constexpr std::size_t W = L::W, S = L::S;
#if defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch> && W * sizeof(Scalar) == 64) {
        for (std::size_t w = 0; w < words; ++w) {
            batch acc[S];
            for (std::size_t s = 0; s < S; ++s) acc[s] = batch::load_unaligned(out + w * 64 + s * W);
            for (std::size_t r = 0; r < n; ++r) {
                const std::uint64_t same = ~(bits[r * words + w] ^ state[w]);
                const batch va(agree[r]), vd(disagree[r]);
                for (std::size_t s = 0; s < S; ++s) {
                    const unsigned k = L::mask(same, s);
                    if constexpr (std::is_same_v<Scalar, float>)
                        acc[s] = _mm512_add_ps(acc[s], _mm512_mask_blend_ps(__mmask16(k), vd, va));
                    else
                        acc[s] = _mm512_add_pd(acc[s], _mm512_mask_blend_pd(__mmask8(k), vd, va));
                }
            }
            for (std::size_t s = 0; s < S; ++s) acc[s].store_unaligned(out + w * 64 + s * W);
        }
        return;
    }
#endif
    const L layout;
    const batch zero(Scalar(0));
    for (std::size_t w = 0; w < words; ++w) {
        batch acc[S];
        for (std::size_t s = 0; s < S; ++s) acc[s] = batch::load_unaligned(out + w * 64 + s * W);
        for (std::size_t r = 0; r < n; ++r) {
            const std::uint64_t same = ~(bits[r * words + w] ^ state[w]);
            const batch va(agree[r]), vd(disagree[r]);
            for (std::size_t s = 0; s < S; ++s) acc[s] += xsimd::select(layout.bits(same, s) != zero, va, vd);
        }
        for (std::size_t s = 0; s < S; ++s) acc[s].store_unaligned(out + w * 64 + s * W);
    }
}

}  // namespace hopfield::simd
