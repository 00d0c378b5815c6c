#pragma once
/// \file bits.hpp
/// \brief Primitives over bit-packed +-1 vectors: Hamming distance (XOR + popcount) and the
/// lane-per-neuron masked accumulations that project weights back onto neurons, and the
/// packed twins of dot / select_sum / axpy (signed_dot, signed_select_sum, signed_axpy).

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "hopfield/simd/kernels.hpp"

namespace hopfield::simd {

/// \brief Number of differing bits of two packed vectors of `words` words. std::popcount
/// compiles to vpopcntq with -march=native on CPUs that have it (AVX512-VPOPCNTDQ).
inline std::int64_t hamming(const std::uint64_t* a, const std::uint64_t* b,
                            std::size_t words) noexcept {
    std::int64_t count = 0;
    for (std::size_t w = 0; w < words; ++w) count += std::popcount(a[w] ^ b[w]);
    return count;
}

namespace detail {

/// The lane-per-neuron layout shared by the masked accumulations: a 64-bit word holds
/// S = 64 / W groups of W neurons (W lanes of one batch). Group s of a word becomes lane flags
/// by broadcasting its W bits and testing lane k against 1 << k (an and and a compare; no
/// per-lane variable shift, which SSE2 and AVX2 lack for some widths and xsimd emulates).
template <class Scalar, class Arch>
struct LaneGroups {
    using batch = xsimd::batch<Scalar, Arch>;
    using I = xsimd::as_integer_t<Scalar>;
    using ibatch = xsimd::batch<I, Arch>;
    static constexpr std::size_t W = batch::size;
    static constexpr std::size_t S = 64 / W;
    static_assert(64 % W == 0, "SIMD width must divide 64");
    static constexpr std::uint64_t group_mask =
        W == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << W) - 1;

    ibatch lane_bit;  // lane k holds 1 << k

    LaneGroups() noexcept {
        alignas(64) I bit_of_lane[W];
        for (std::size_t k = 0; k < W; ++k) bit_of_lane[k] = I(I(1) << k);
        lane_bit = ibatch::load_aligned(bit_of_lane);
    }
    /// The W bits of group s as an integer (an AVX-512 mask as it is).
    static unsigned mask(std::uint64_t word, std::size_t s) noexcept {
        return static_cast<unsigned>((word >> (s * W)) & group_mask);
    }
    /// The W bits of group s as lane flags (on AVX-512 the mask register as it is).
    xsimd::batch_bool<Scalar, Arch> flags(std::uint64_t word, std::size_t s) const noexcept {
#if defined(__AVX512F__)
        if constexpr (std::is_base_of_v<xsimd::avx512f, Arch> && W * sizeof(Scalar) == 64)
            return xsimd::batch_bool<Scalar, Arch>(
                typename xsimd::batch_bool<Scalar, Arch>::register_type(mask(word, s)));
#endif
        return xsimd::bool_cast((ibatch(I(mask(word, s))) & lane_bit) != ibatch(I(0)));
    }
    /// The W bits of group s as 0 / 1 values.
    batch bits(std::uint64_t word, std::size_t s) const noexcept {
        return xsimd::select(flags(word, s), batch(Scalar(1)), batch(Scalar(0)));
    }
    /// Flags of the W values starting at index i (a multiple of W) of a packed bit vector.
    xsimd::batch_bool<Scalar, Arch> flags_at(const std::uint64_t* packed,
                                             std::size_t i) const noexcept {
        return flags(packed[i / 64], (i % 64) / W);
    }
};

/// Bit k of a packed vector.
inline bool bit(const std::uint64_t* packed, std::size_t k) noexcept {
    return (packed[k / 64] >> (k % 64)) & 1u;
}

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
            for (std::size_t s = 0; s < S; ++s)
                acc[s] = batch::load_unaligned(out + w * 64 + s * W);
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
            for (std::size_t s = 0; s < S; ++s)
                acc[s] = xsimd::fma(layout.bits(word, s), ar, acc[s]);
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
                              const std::uint64_t* state, const Scalar* agree,
                              const Scalar* disagree, Scalar* out) noexcept {
    using L = detail::LaneGroups<Scalar, Arch>;
    using batch = typename L::batch;
    constexpr std::size_t W = L::W, S = L::S;
#if defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch> && W * sizeof(Scalar) == 64) {
        for (std::size_t w = 0; w < words; ++w) {
            batch acc[S];
            for (std::size_t s = 0; s < S; ++s)
                acc[s] = batch::load_unaligned(out + w * 64 + s * W);
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
    for (std::size_t w = 0; w < words; ++w) {
        batch acc[S];
        for (std::size_t s = 0; s < S; ++s) acc[s] = batch::load_unaligned(out + w * 64 + s * W);
        for (std::size_t r = 0; r < n; ++r) {
            const std::uint64_t same = ~(bits[r * words + w] ^ state[w]);
            const batch va(agree[r]), vd(disagree[r]);
            for (std::size_t s = 0; s < S; ++s)
                acc[s] += xsimd::select(layout.flags(same, s), va, vd);
        }
        for (std::size_t s = 0; s < S; ++s) acc[s].store_unaligned(out + w * 64 + s * W);
    }
}

/// \brief sum_k x_k b[k] over n values, where x_k = +1 when bit k of `packed` is set and -1
/// otherwise: dot() of the unpacked +-1 vector with b, bitwise identical to it (the same
/// four accumulators in the same order; adding +-b[k] is what fma(+-1, b[k], acc) rounds to).
template <class Arch = default_arch, class Scalar>
Scalar signed_dot(const std::uint64_t* packed, const Scalar* b, std::size_t n) noexcept {
    using L = detail::LaneGroups<Scalar, Arch>;
    using batch = typename L::batch;
    constexpr std::size_t w = L::W;
    const L layout;
    auto term = [&](std::size_t i) {
        const batch v = batch::load_unaligned(b + i);
        return xsimd::select(layout.flags_at(packed, i), v, -v);
    };
    batch acc0(Scalar(0)), acc1(Scalar(0)), acc2(Scalar(0)), acc3(Scalar(0));
    std::size_t i = 0;
    for (; i < n - n % (4 * w); i += 4 * w) {
        acc0 += term(i);
        acc1 += term(i + w);
        acc2 += term(i + 2 * w);
        acc3 += term(i + 3 * w);
    }
    for (; i < n - n % w; i += w) acc0 += term(i);
    Scalar sum = xsimd::hadd((acc0 + acc1) + (acc2 + acc3));
    for (; i < n; ++i) sum += detail::bit(packed, i) ? b[i] : -b[i];
    return sum;
}

/// \brief sum_k (x_k == s ? agree[k] : disagree[k]) over n values, x_k the +-1 value of bit k
/// of `packed` and s = +1 when `s_positive`: select_sum() of the unpacked vector, bitwise
/// identical to it (same two accumulators, same order).
template <class Arch = default_arch, class Scalar>
Scalar signed_select_sum(const std::uint64_t* packed, bool s_positive, const Scalar* agree,
                         const Scalar* disagree, std::size_t n) noexcept {
    using L = detail::LaneGroups<Scalar, Arch>;
    using batch = typename L::batch;
    constexpr std::size_t w = L::W;
    const L layout;
    // x_k == s  <=>  bit k == s_positive
    auto term = [&](std::size_t i) {
        const auto set = layout.flags_at(packed, i);
        const batch a = batch::load_unaligned(agree + i), d = batch::load_unaligned(disagree + i);
        return s_positive ? xsimd::select(set, a, d) : xsimd::select(set, d, a);
    };
    batch acc0(Scalar(0)), acc1(Scalar(0));
    std::size_t i = 0;
    for (; i < n - n % (2 * w); i += 2 * w) {
        acc0 += term(i);
        acc1 += term(i + w);
    }
    for (; i < n - n % w; i += w) acc0 += term(i);
    Scalar sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) sum += detail::bit(packed, i) == s_positive ? agree[i] : disagree[i];
    return sum;
}

/// \brief y[k] += x_k alpha over n values, x_k = +1 when bit k of `packed` is set and -1
/// otherwise: axpy() of the unpacked +-1 vector, bitwise identical to it.
template <class Arch = default_arch, class Scalar>
void signed_axpy(Scalar alpha, const std::uint64_t* packed, Scalar* y, std::size_t n) noexcept {
    using L = detail::LaneGroups<Scalar, Arch>;
    using batch = typename L::batch;
    constexpr std::size_t w = L::W;
    const L layout;
    const batch plus(alpha), minus(-alpha);
    std::size_t i = 0;
    for (; i < n - n % w; i += w)
        (batch::load_unaligned(y + i) + xsimd::select(layout.flags_at(packed, i), plus, minus))
            .store_unaligned(y + i);
    for (; i < n; ++i) y[i] += detail::bit(packed, i) ? alpha : -alpha;
}

}  // namespace hopfield::simd
