#pragma once
/// \file bf16_memory.hpp
/// \brief Bf16PatternMemory: N patterns stored in bfloat16 (half the bytes of float), and
/// Bf16View, the non-owning view the retrieval kernel reads.

#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "hopfield/core/bf16.hpp"
#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield {

namespace detail {

/// Allocates on 64-byte (cache-line) boundaries. A plain std::vector of large size starts 16
/// bytes past a page (malloc's header), so every 64-byte SIMD load straddled two lines and a
/// single-query retrieval from DRAM ran at half the bandwidth (measured on Zen 4, N = 1e5,
/// d = 256: 12.8 GB/s, the same time as float storage).
template <class T>
struct CacheLineAllocator {
    using value_type = T;
    CacheLineAllocator() = default;
    template <class U>
    CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}  // NOLINT: rebinding
    T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64)));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(64)); }
    template <class U>
    bool operator==(const CacheLineAllocator<U>&) const noexcept {
        return true;
    }
};

}  // namespace detail

/// \brief A read-only view of N bfloat16 patterns of dimension d: pattern mu is words()
/// 32-bit words, value 2k in the low half of word k and value 2k + 1 in the high half (the
/// memory order of a bfloat16 array; a zero pads odd d). See simd/bf16.hpp.
class Bf16View {
public:
    /// \brief An empty view (N = 0).
    Bf16View() = default;
    /// \brief Views `size` rows of dimension `dim` at `words` (ceil(dim / 2) words per row).
    /// Unchecked: Bf16PatternMemory builds it from validated storage.
    Bf16View(const std::uint32_t* words, Index size, Index dim) noexcept
        : data_(words), size_(size), dim_(dim), words_((dim + 1) / 2) {}

    /// \brief Number of stored patterns N.
    Index size() const noexcept { return size_; }
    /// \brief Pattern dimension d.
    Index dim() const noexcept { return dim_; }
    /// \brief 32-bit words per pattern, ceil(d / 2).
    Index words() const noexcept { return words_; }
    /// \brief The words of pattern mu.
    const std::uint32_t* row(Index mu) const noexcept { return data_ + mu * words_; }
    /// \brief Value i of pattern mu, as a float (exact).
    float value(Index mu, Index i) const noexcept {
        const std::uint32_t w = row(mu)[i / 2];
        return bf16_to_float(std::uint16_t(i % 2 == 0 ? w & 0xffffu : w >> 16));
    }
    /// \brief Patterns [first, first + count) as a view (unchecked).
    Bf16View rows(Index first, Index count) const noexcept {
        return Bf16View(row(first), count, dim_);
    }

private:
    const std::uint32_t* data_ = nullptr;
    Index size_ = 0, dim_ = 0, words_ = 0;
};

/// \brief Owns N patterns of dimension d in bfloat16: half the memory of float storage, and
/// half the bytes a retrieval reads, with every product and sum accumulated in float.
///
/// Each value is rounded to the nearest bfloat16 once, when stored: a relative error of at
/// most u = 2^-8 per value (half an ulp of bfloat16's 8-bit significand). Retrieval is then
/// float arithmetic on the rounded patterns, so results equal those of a float memory holding
/// decoded() (within float rounding). Against the unrounded patterns, a softmax-family
/// retrieval moves by at most (u + exp(2 beta u max_mu sum_i |x_mu,i q_i|) - 1) max|x| per
/// output value (README, "Reduced precision"). ModernHopfield and the continuous dynamics (step,
/// step_batch, iterate, energy) accept it in place of a float memory, with float queries.
///
/// Thread safety: const use (retrieval) is safe from any number of threads.
class Bf16PatternMemory {
public:
    /// \brief Rounds float patterns (one per row) to bfloat16. Throws hopfield::invalid_argument
    /// naming 'patterns' if a value is not finite or rounds beyond the bfloat16 range
    /// (|x| >= about 3.39e38), and 'patterns.cols()' if d = 0.
    explicit Bf16PatternMemory(PatternView<float> patterns)
        : size_(patterns.size()), dim_(checked_dim(patterns.dim())), words_((dim_ + 1) / 2) {
        words_data_.assign(std::size_t(size_ * words_), 0u);
        for (Index mu = 0; mu < size_; ++mu) {
            const float* x = patterns.row(mu);
            for (Index i = 0; i < dim_; ++i) {
                const std::uint16_t h = bf16_round(x[i]);
                if ((h & 0x7f80u) == 0x7f80u)
                    throw invalid_argument("Bf16PatternMemory", "patterns", x[i],
                                           "must be finite and round to a finite bfloat16 "
                                           "(|x| < 3.3962e38), but element (" +
                                               std::to_string(mu) + ", " + std::to_string(i) +
                                               ") does not");
                put(mu, i, h);
            }
        }
    }

    /// \brief Rounds the patterns of any Eigen expression (one per row; double values are
    /// converted to float first, so values beyond float's range are rejected as not finite).
    template <class Derived>
    explicit Bf16PatternMemory(const Eigen::MatrixBase<Derived>& patterns)
        : Bf16PatternMemory(PatternView<float>(as_float(patterns))) {}

    /// \brief Copies `size` patterns of dimension `dim` given as raw bfloat16 bits, row-major
    /// (e.g. a bfloat16 tensor's buffer). Throws hopfield::invalid_argument naming
    /// Bf16PatternMemory::from_bits and `size` (< 0), `dim` (<= 0), `bits` (nullptr with
    /// size > 0) or `bits` (an infinite or NaN value).
    static Bf16PatternMemory from_bits(const std::uint16_t* bits, Index size, Index dim) {
        constexpr const char* where = "Bf16PatternMemory::from_bits";
        if (size < 0) throw invalid_argument(where, "size", size, "must be >= 0");
        if (dim <= 0) throw invalid_argument(where, "dim", dim, "must be > 0");
        if (bits == nullptr && size != 0)
            throw invalid_argument(where, "bits", "nullptr", "must point to size*dim values");
        Bf16PatternMemory m(size, dim);
        for (Index mu = 0; mu < size; ++mu)
            for (Index i = 0; i < dim; ++i) {
                const std::uint16_t h = bits[mu * dim + i];
                if ((h & 0x7f80u) == 0x7f80u)
                    throw invalid_argument(where, "bits", bf16_to_float(h),
                                           "must be finite, but element (" + std::to_string(mu) +
                                               ", " + std::to_string(i) + ") is not");
                m.put(mu, i, h);
            }
        return m;
    }

    /// \brief Number of stored patterns N.
    Index size() const noexcept { return size_; }
    /// \brief Pattern dimension d.
    Index dim() const noexcept { return dim_; }
    /// \brief True when no pattern is stored.
    bool empty() const noexcept { return size_ == 0; }
    /// \brief Bytes of pattern storage: N ceil(d / 2) 4-byte words.
    std::size_t bytes() const noexcept { return words_data_.size() * sizeof(std::uint32_t); }

    /// \brief The bfloat16 bits of value i of pattern mu (unchecked).
    std::uint16_t bits(Index mu, Index i) const noexcept {
        const std::uint32_t w = words_data_[std::size_t(mu * words_ + i / 2)];
        return std::uint16_t(i % 2 == 0 ? w & 0xffffu : w >> 16);
    }

    /// \brief Pattern mu decoded to float. Throws hopfield::invalid_argument naming `mu`
    /// unless 0 <= mu < size().
    Vector<float> pattern(Index mu) const {
        if (mu < 0 || mu >= size_)
            throw invalid_argument("Bf16PatternMemory::pattern", "mu", mu,
                                   "must be in [0, size()) with size() = " + std::to_string(size_));
        Vector<float> x(dim_);
        for (Index i = 0; i < dim_; ++i) x[i] = bf16_to_float(bits(mu, i));
        return x;
    }

    /// \brief All patterns decoded to float (N x d): the exact values retrieval computes with.
    RowMatrix<float> decoded() const {
        RowMatrix<float> x(size_, dim_);
        for (Index mu = 0; mu < size_; ++mu)
            for (Index i = 0; i < dim_; ++i) x(mu, i) = bf16_to_float(bits(mu, i));
        return x;
    }

    /// \brief A non-owning view for the retrieval functions.
    Bf16View view() const noexcept { return Bf16View(words_data_.data(), size_, dim_); }
    /// \brief Implicit conversion to a view, so a memory can be passed wherever a view is taken.
    operator Bf16View() const noexcept { return view(); }  // NOLINT: implicit by design

private:
    Bf16PatternMemory(Index size, Index dim)
        : size_(size),
          dim_(dim),
          words_((dim + 1) / 2),
          words_data_(std::size_t(size * words_), 0u) {}

    static Index checked_dim(Index dim) {
        if (dim <= 0)
            throw invalid_argument("Bf16PatternMemory", "patterns.cols()", dim, "must be > 0");
        return dim;
    }

    template <class Derived>
    static RowMatrix<float> as_float(const Eigen::MatrixBase<Derived>& patterns) {
        // Checked in the source type: a double beyond float's range would become inf in the
        // cast, and the message should name the value the caller passed.
        // Evaluated once: a lazy expression (a product, Random()) must not be computed twice.
        const typename Derived::PlainObject P = patterns;
        for (Index r = 0; r < P.rows(); ++r)
            for (Index c = 0; c < P.cols(); ++c) {
                const double v = double(P(r, c));
                if (!std::isfinite(v) || std::abs(v) > double(std::numeric_limits<float>::max()))
                    throw invalid_argument("Bf16PatternMemory", "patterns", v,
                                           "must be finite within float's range, but element (" +
                                               std::to_string(r) + ", " + std::to_string(c) +
                                               ") is not");
            }
        return P.template cast<float>();
    }

    void put(Index mu, Index i, std::uint16_t h) noexcept {
        std::uint32_t& w = words_data_[std::size_t(mu * words_ + i / 2)];
        w |= i % 2 == 0 ? std::uint32_t(h) : std::uint32_t(h) << 16;
    }

    Index size_ = 0, dim_ = 0, words_ = 0;
    std::vector<std::uint32_t, detail::CacheLineAllocator<std::uint32_t>> words_data_;
};

}  // namespace hopfield
