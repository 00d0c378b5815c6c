#pragma once
/// \file bf16.hpp
/// \brief Vectorized primitives over bfloat16 rows (core/bf16.hpp), accumulating in float.
///
/// A row of d bfloat16 values is read as ceil(d / 2) 32-bit words in memory order: word k
/// holds value 2k in its low half and value 2k + 1 in its high half (a zero pads odd d).
/// One word batch then gives two float batches with no shuffle: the even values are
/// `word << 16` and the odd values are `word & 0xffff0000`, both read as floats. So the
/// query and the output are kept split, even positions then odd positions (simd::split /
/// simd::merge), and every primitive works on any architecture xsimd offers.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "hopfield/simd/kernels.hpp"

namespace hopfield::simd {

namespace detail {

template <class Arch>
struct bf16_halves {
    using words = xsimd::batch<std::uint32_t, Arch>;
    using floats = xsimd::batch<float, Arch>;
    static floats even(const words& w) noexcept { return xsimd::bitwise_cast<floats>(w << 16); }
    static floats odd(const words& w) noexcept {
        return xsimd::bitwise_cast<floats>(w & words(0xffff0000u));
    }
};

inline float bf16_even(std::uint32_t w) noexcept { return std::bit_cast<float>(w << 16); }
inline float bf16_odd(std::uint32_t w) noexcept { return std::bit_cast<float>(w & 0xffff0000u); }

}  // namespace detail

/// \brief Splits x (n values) into its even positions (ceil(n/2) values, to `even`) and its
/// odd positions (to `odd`, ceil(n/2) values, the last one 0 when n is odd).
inline void split(const float* x, std::size_t n, float* even, float* odd) noexcept {
    const std::size_t half = (n + 1) / 2;
    for (std::size_t k = 0; k < half; ++k) {
        even[k] = x[2 * k];
        odd[k] = 2 * k + 1 < n ? x[2 * k + 1] : 0.0f;
    }
}

/// \brief The inverse of split: x[2k] = even[k], x[2k + 1] = odd[k], n values.
inline void merge(const float* even, const float* odd, std::size_t n, float* x) noexcept {
    for (std::size_t i = 0; i < n; ++i) x[i] = (i % 2 == 0) ? even[i / 2] : odd[i / 2];
}

/// \brief Decodes one bfloat16 row (`words` words) into its d float values, in order (exact).
inline void decode_bf16(const std::uint32_t* row, std::size_t d, float* out) noexcept {
    std::size_t k = 0;
    for (; 2 * k + 1 < d; ++k) {
        out[2 * k] = detail::bf16_even(row[k]);
        out[2 * k + 1] = detail::bf16_odd(row[k]);
    }
    if (2 * k < d) out[2 * k] = detail::bf16_even(row[k]);
}

/// \brief Dot product of one bfloat16 row (`words` 32-bit words, see the file comment) with a
/// split query (q_even, q_odd, `words` values each), accumulated in float with four batch
/// accumulators.
template <class Arch = default_arch>
float dot_bf16(const std::uint32_t* row, const float* q_even, const float* q_odd,
               std::size_t words) noexcept {
    using H = detail::bf16_halves<Arch>;
    using wb = typename H::words;
    using fb = typename H::floats;
    constexpr std::size_t w = wb::size;
    fb acc0(0.0f), acc1(0.0f), acc2(0.0f), acc3(0.0f);
    std::size_t k = 0;
    for (; k < words - words % (2 * w); k += 2 * w) {
        const wb a = wb::load_unaligned(row + k), b = wb::load_unaligned(row + k + w);
        acc0 = xsimd::fma(H::even(a), fb::load_unaligned(q_even + k), acc0);
        acc1 = xsimd::fma(H::odd(a), fb::load_unaligned(q_odd + k), acc1);
        acc2 = xsimd::fma(H::even(b), fb::load_unaligned(q_even + k + w), acc2);
        acc3 = xsimd::fma(H::odd(b), fb::load_unaligned(q_odd + k + w), acc3);
    }
    for (; k < words - words % w; k += w) {
        const wb a = wb::load_unaligned(row + k);
        acc0 = xsimd::fma(H::even(a), fb::load_unaligned(q_even + k), acc0);
        acc1 = xsimd::fma(H::odd(a), fb::load_unaligned(q_odd + k), acc1);
    }
    float sum = xsimd::hadd((acc0 + acc1) + (acc2 + acc3));
    for (; k < words; ++k)
        sum += detail::bf16_even(row[k]) * q_even[k] + detail::bf16_odd(row[k]) * q_odd[k];
    return sum;
}

/// \brief y += alpha * x for one bfloat16 row x (`words` words) into a split output
/// (y_even, y_odd, `words` values each).
template <class Arch = default_arch>
void axpy_bf16(float alpha, const std::uint32_t* row, float* y_even, float* y_odd,
               std::size_t words) noexcept {
    using H = detail::bf16_halves<Arch>;
    using wb = typename H::words;
    using fb = typename H::floats;
    constexpr std::size_t w = wb::size;
    const fb va(alpha);
    std::size_t k = 0;
    for (; k < words - words % w; k += w) {
        const wb a = wb::load_unaligned(row + k);
        xsimd::fma(va, H::even(a), fb::load_unaligned(y_even + k)).store_unaligned(y_even + k);
        xsimd::fma(va, H::odd(a), fb::load_unaligned(y_odd + k)).store_unaligned(y_odd + k);
    }
    for (; k < words; ++k) {
        y_even[k] += alpha * detail::bf16_even(row[k]);
        y_odd[k] += alpha * detail::bf16_odd(row[k]);
    }
}

/// \brief y += sum_k w[k] x[k] over K bfloat16 rows (K even, >= 2) into a split output: one
/// load and store of each output half per word batch for K rows (see simd::axpy_rows). Each
/// half sums its rows in two interleaved chains (even k, odd k), added at the end.
template <std::size_t K, class Arch = default_arch>
void axpy_rows_bf16(const std::uint32_t* const* rows, const float* w, float* y_even, float* y_odd,
                    std::size_t words) noexcept {
    static_assert(K >= 2 && K % 2 == 0, "axpy_rows_bf16: K must be even and at least 2");
    using H = detail::bf16_halves<Arch>;
    using wb = typename H::words;
    using fb = typename H::floats;
    constexpr std::size_t width = wb::size;
    fb wv[K];
    for (std::size_t k = 0; k < K; ++k) wv[k] = fb(w[k]);
    std::size_t i = 0;
    for (; i < words - words % width; i += width) {
        const wb a0 = wb::load_unaligned(rows[0] + i), a1 = wb::load_unaligned(rows[1] + i);
        fb even0 = xsimd::fma(wv[0], H::even(a0), fb::load_unaligned(y_even + i));
        fb odd0 = xsimd::fma(wv[0], H::odd(a0), fb::load_unaligned(y_odd + i));
        fb even1 = wv[1] * H::even(a1), odd1 = wv[1] * H::odd(a1);
        for (std::size_t k = 2; k < K; k += 2) {
            const wb b0 = wb::load_unaligned(rows[k] + i), b1 = wb::load_unaligned(rows[k + 1] + i);
            even0 = xsimd::fma(wv[k], H::even(b0), even0);
            odd0 = xsimd::fma(wv[k], H::odd(b0), odd0);
            even1 = xsimd::fma(wv[k + 1], H::even(b1), even1);
            odd1 = xsimd::fma(wv[k + 1], H::odd(b1), odd1);
        }
        (even0 + even1).store_unaligned(y_even + i);
        (odd0 + odd1).store_unaligned(y_odd + i);
    }
    for (; i < words; ++i) {
        float even0 = y_even[i] + w[0] * detail::bf16_even(rows[0][i]);
        float odd0 = y_odd[i] + w[0] * detail::bf16_odd(rows[0][i]);
        float even1 = w[1] * detail::bf16_even(rows[1][i]),
              odd1 = w[1] * detail::bf16_odd(rows[1][i]);
        for (std::size_t k = 2; k < K; k += 2) {
            even0 += w[k] * detail::bf16_even(rows[k][i]);
            odd0 += w[k] * detail::bf16_odd(rows[k][i]);
            even1 += w[k + 1] * detail::bf16_even(rows[k + 1][i]);
            odd1 += w[k + 1] * detail::bf16_odd(rows[k + 1][i]);
        }
        y_even[i] = even0 + even1;
        y_odd[i] = odd0 + odd1;
    }
}

}  // namespace hopfield::simd
