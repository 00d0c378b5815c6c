#pragma once
/// \file kernels.hpp
/// \brief The vectorized primitives (xsimd) that the retrieval kernel is built from: dot,
/// axpy, axpy_rows, axpy_rows_resident, select_accumulate, select_sum, prefetch_nta, scale, max,
/// exp_sum. Generic over the architecture; the compile-time best is the default.
///
/// Each primitive has an obviously-correct scalar twin in tests/reference.hpp that the tests
/// compare against at sizes that are not multiples of the SIMD width.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <xsimd/xsimd.hpp>

namespace hopfield::simd {

/// \brief The architecture the kernels use unless told otherwise: follows the compiler flags
/// (sse2 with no flags, fma3<avx2> with -mavx2 -mfma, avx512bw with -march=native on Zen 4).
using default_arch = xsimd::default_arch;

/// \brief Number of `Scalar` lanes of one batch on `Arch`.
template <class Scalar, class Arch = default_arch>
inline constexpr std::size_t width = xsimd::batch<Scalar, Arch>::size;

/// \brief Dot product of two length-n arrays, accumulated in `Scalar` with four independent
/// batch accumulators (hides FMA latency).
template <class Arch = default_arch, class Scalar>
Scalar dot(const Scalar* a, const Scalar* b, std::size_t n) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t w = batch::size;
    batch acc0(Scalar(0)), acc1(Scalar(0)), acc2(Scalar(0)), acc3(Scalar(0));
    std::size_t i = 0;
    for (; i < n - n % (4 * w); i += 4 * w) {
        acc0 = xsimd::fma(batch::load_unaligned(a + i), batch::load_unaligned(b + i), acc0);
        acc1 = xsimd::fma(batch::load_unaligned(a + i + w), batch::load_unaligned(b + i + w), acc1);
        acc2 = xsimd::fma(batch::load_unaligned(a + i + 2 * w),
                          batch::load_unaligned(b + i + 2 * w), acc2);
        acc3 = xsimd::fma(batch::load_unaligned(a + i + 3 * w),
                          batch::load_unaligned(b + i + 3 * w), acc3);
    }
    for (; i < n - n % w; i += w)
        acc0 = xsimd::fma(batch::load_unaligned(a + i), batch::load_unaligned(b + i), acc0);
    Scalar sum = xsimd::hadd((acc0 + acc1) + (acc2 + acc3));
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

/// \brief y += alpha * x over n values.
template <class Arch = default_arch, class Scalar>
void axpy(Scalar alpha, const Scalar* x, Scalar* y, std::size_t n) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t w = batch::size;
    const batch va(alpha);
    std::size_t i = 0;
    for (; i < n - n % w; i += w)
        xsimd::fma(va, batch::load_unaligned(x + i), batch::load_unaligned(y + i))
            .store_unaligned(y + i);
    for (; i < n; ++i) y[i] += alpha * x[i];
}

/// \brief y += sum_k w[k] * x[k] over K rows x[0..K) of n values each (K even, >= 2): one
/// load and one store of y per batch for K rows instead of K. The rows are summed in two
/// interleaved chains (even k, odd k), added at the end.
template <std::size_t K, class Arch = default_arch, class Scalar>
void axpy_rows(const Scalar* const* x, const Scalar* w, Scalar* y, std::size_t n) noexcept {
    static_assert(K >= 2 && K % 2 == 0, "axpy_rows: K must be even and at least 2");
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t width = batch::size;
    batch wv[K];
    for (std::size_t k = 0; k < K; ++k) wv[k] = batch(w[k]);
    std::size_t i = 0;
    for (; i < n - n % width; i += width) {
        batch even =
            xsimd::fma(wv[0], batch::load_unaligned(x[0] + i), batch::load_unaligned(y + i));
        batch odd = wv[1] * batch::load_unaligned(x[1] + i);
        for (std::size_t k = 2; k < K; k += 2) {
            even = xsimd::fma(wv[k], batch::load_unaligned(x[k] + i), even);
            odd = xsimd::fma(wv[k + 1], batch::load_unaligned(x[k + 1] + i), odd);
        }
        (even + odd).store_unaligned(y + i);
    }
    for (; i < n; ++i) {
        Scalar even = y[i] + w[0] * x[0][i], odd = w[1] * x[1][i];
        for (std::size_t k = 2; k < K; k += 2) {
            even += w[k] * x[k][i];
            odd += w[k + 1] * x[k + 1][i];
        }
        y[i] = even + odd;
    }
}

/// \brief y += sum_k w[k] x_k over `rows` consecutive rows x_k = x + k * stride of n values
/// each, with y held in registers: 4 batches of y at a time take every row, so y is loaded and
/// stored once per 4 batches instead of once per row (or per group of rows, as in axpy_rows).
/// Every row is read, whatever its weight. For rows already in L1; rows are summed in order.
template <class Arch = default_arch, class Scalar>
void axpy_rows_resident(const Scalar* x, std::size_t rows, std::size_t stride, const Scalar* w,
                        Scalar* y, std::size_t n) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t width = batch::size, tile = 4;
    std::size_t i = 0;
    for (; i < n - n % (tile * width); i += tile * width) {
        batch acc[tile];
        for (std::size_t c = 0; c < tile; ++c) acc[c] = batch::load_unaligned(y + i + c * width);
        for (std::size_t k = 0; k < rows; ++k) {
            const batch wk(w[k]);
            const Scalar* xk = x + k * stride + i;
            for (std::size_t c = 0; c < tile; ++c)
                acc[c] = xsimd::fma(wk, batch::load_unaligned(xk + c * width), acc[c]);
        }
        for (std::size_t c = 0; c < tile; ++c) acc[c].store_unaligned(y + i + c * width);
    }
    for (; i < n - n % width; i += width) {
        batch acc = batch::load_unaligned(y + i);
        for (std::size_t k = 0; k < rows; ++k)
            acc = xsimd::fma(batch(w[k]), batch::load_unaligned(x + k * stride + i), acc);
        acc.store_unaligned(y + i);
    }
    for (; i < n; ++i) {
        Scalar acc = y[i];
        for (std::size_t k = 0; k < rows; ++k) acc += w[k] * x[k * stride + i];
        y[i] = acc;
    }
}

/// \brief y[i] += (x[i] == s[i] ? agree : disagree) over n values: the agreement form of a
/// +-1 pattern's contribution to the fields (models/dense.hpp). A select, not arithmetic on
/// x, so an infinite `disagree` never meets a 0 (no NaN).
template <class Arch = default_arch, class Scalar>
void select_accumulate(Scalar agree, Scalar disagree, const Scalar* x, const Scalar* s, Scalar* y,
                       std::size_t n) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t w = batch::size;
    const batch va(agree), vd(disagree);
    std::size_t i = 0;
    for (; i < n - n % w; i += w) {
        const auto same = batch::load_unaligned(x + i) == batch::load_unaligned(s + i);
        (batch::load_unaligned(y + i) + xsimd::select(same, va, vd)).store_unaligned(y + i);
    }
    for (; i < n; ++i) y[i] += x[i] == s[i] ? agree : disagree;
}

/// \brief sum_k (x[k] == s ? agree[k] : disagree[k]) over n values (two independent batch
/// accumulators): one neuron's field in the agreement form, from its column of the patterns.
template <class Arch = default_arch, class Scalar>
Scalar select_sum(const Scalar* x, Scalar s, const Scalar* agree, const Scalar* disagree,
                  std::size_t n) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t w = batch::size;
    const batch vs(s);
    batch acc0(Scalar(0)), acc1(Scalar(0));
    std::size_t i = 0;
    for (; i < n - n % (2 * w); i += 2 * w) {
        acc0 += xsimd::select(batch::load_unaligned(x + i) == vs, batch::load_unaligned(agree + i),
                              batch::load_unaligned(disagree + i));
        acc1 += xsimd::select(batch::load_unaligned(x + i + w) == vs,
                              batch::load_unaligned(agree + i + w),
                              batch::load_unaligned(disagree + i + w));
    }
    for (; i < n - n % w; i += w)
        acc0 += xsimd::select(batch::load_unaligned(x + i) == vs, batch::load_unaligned(agree + i),
                              batch::load_unaligned(disagree + i));
    Scalar sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) sum += x[i] == s ? agree[i] : disagree[i];
    return sum;
}

/// \brief Hints the cache lines of [p + ahead, p + ahead + bytes) into L1 as non-temporal
/// data (prefetchnta), one hint per 64-byte line; a no-op where the compiler has no prefetch
/// builtin. A hint never faults, so the range may lie past the end of the array p points
/// into: its addresses are formed as integers, never as out-of-range pointers.
inline void prefetch_nta(const void* p, std::size_t ahead, std::size_t bytes) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    const auto first = reinterpret_cast<std::uintptr_t>(p) + ahead;
    for (std::size_t offset = 0; offset < bytes; offset += 64)
        __builtin_prefetch(reinterpret_cast<const void*>(first + offset), 0, 0);
#else
    (void)p;
    (void)ahead;
    (void)bytes;
#endif
}

/// \brief x *= alpha over n values.
template <class Arch = default_arch, class Scalar>
void scale(Scalar alpha, Scalar* x, std::size_t n) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t w = batch::size;
    const batch va(alpha);
    std::size_t i = 0;
    for (; i < n - n % w; i += w) (va * batch::load_unaligned(x + i)).store_unaligned(x + i);
    for (; i < n; ++i) x[i] *= alpha;
}

/// \brief Largest of n values; -inf for n = 0. NaN inputs are not supported (callers check).
template <class Arch = default_arch, class Scalar>
Scalar max(const Scalar* x, std::size_t n) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t w = batch::size;
    Scalar best = -std::numeric_limits<Scalar>::infinity();
    std::size_t i = 0;
    if (n >= w) {
        batch acc = batch::load_unaligned(x);
        for (i = w; i < n - n % w; i += w) acc = xsimd::max(acc, batch::load_unaligned(x + i));
        alignas(64) Scalar lanes[w];
        acc.store_aligned(lanes);
        for (std::size_t k = 0; k < w; ++k) best = lanes[k] > best ? lanes[k] : best;
    }
    for (; i < n; ++i) best = x[i] > best ? x[i] : best;
    return best;
}

}  // namespace hopfield::simd

namespace hopfield::simd {

/// \brief p[i] = exp(z[i] - shift) for n values; returns their sum. `z` and `p` may alias.
/// exp of -inf (a masked score) is exactly 0. Callers pass shift >= max(z) so no term overflows.
template <class Arch = default_arch, class Scalar>
Scalar exp_sum(const Scalar* z, Scalar* p, std::size_t n, Scalar shift) noexcept {
    using batch = xsimd::batch<Scalar, Arch>;
    constexpr std::size_t w = batch::size;
    const batch vs(shift);
    // xsimd 8.1's exp converts its argument to an integer internally; -inf (a masked score)
    // would be an out-of-range conversion (undefined behaviour, flagged by clang's UBSan).
    // Any argument below -1000 gives exactly 0 in float and double alike, so floor it there.
    const batch floor(Scalar(-1000));
    batch acc(Scalar(0));
    std::size_t i = 0;
    for (; i < n - n % w; i += w) {
        const batch e = xsimd::exp(xsimd::max(batch::load_unaligned(z + i) - vs, floor));
        e.store_unaligned(p + i);
        acc += e;
    }
    Scalar sum = xsimd::hadd(acc);
    for (; i < n; ++i) {
        p[i] = std::exp(z[i] - shift);
        sum += p[i];
    }
    return sum;
}

/// \brief True when every one of the n values is < +inf and not NaN (-inf is allowed: a mask).
template <class Scalar>
bool all_below_inf(const Scalar* z, std::size_t n) noexcept {
    std::size_t bad = 0;  // a count, not a bool: GCC vectorizes integer reductions only
    for (std::size_t i = 0; i < n; ++i) bad += !(z[i] < std::numeric_limits<Scalar>::infinity());
    return bad == 0;
}

}  // namespace hopfield::simd
