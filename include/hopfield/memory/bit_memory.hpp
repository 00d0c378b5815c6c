#pragma once
/// \file bit_memory.hpp
/// \brief BitPatternMemory: +-1 patterns bit-packed, 64 neurons per 64-bit word.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield {

/// \brief N binary (+-1) patterns of dimension d, bit-packed: bit i of pattern mu is 1 for
/// +1 and 0 for -1; each pattern takes words() 64-bit words (the padding bits past d are 0).
///
/// 32x smaller than float storage; overlaps are XOR + popcount. The binary models accept it
/// wherever they accept a float memory, with identical results (see DenseModel::fields).
/// Thread safety as PatternMemory: const use is safe, add / remove while retrieving is not.
class BitPatternMemory {
public:
    /// \brief An empty memory of patterns of dimension `dim` (> 0).
    explicit BitPatternMemory(Index dim) : dim_(dim), words_((dim + 63) / 64) {
        if (dim <= 0) throw invalid_argument("BitPatternMemory", "dim", dim, "must be > 0");
    }

    /// \brief Packs +-1 patterns (one per row); throws if a value is not +1 or -1.
    template <Real Scalar>
    explicit BitPatternMemory(PatternView<Scalar> patterns)
        : BitPatternMemory(checked_binary(patterns), PatternView<Scalar>::trusted) {}

    /// \brief Packs patterns that the caller has already checked to be +-1 (no check: a value
    /// > 0 becomes bit 1, any other value bit 0).
    template <Real Scalar>
    BitPatternMemory(PatternView<Scalar> patterns, typename PatternView<Scalar>::trusted_t)
        : BitPatternMemory(patterns.dim()) {
        bits_.assign(std::size_t(patterns.size() * words_), 0);
        for (Index mu = 0; mu < patterns.size(); ++mu) pack(patterns.row(mu), dim_, row_mut(mu));
        size_ = patterns.size();
    }

    /// \brief Packs the +-1 patterns of a row-major Eigen matrix or a PatternMemory.
    template <class Patterns>
    requires requires(const Patterns& p) {
        PatternView<double>(p);
    } || requires(const Patterns& p) {
        PatternView<float>(p);
    }
    explicit BitPatternMemory(const Patterns& patterns) : BitPatternMemory(as_view(patterns)) {}

    /// \brief Number of stored patterns N.
    Index size() const noexcept { return size_; }
    /// \brief Pattern dimension d (neurons).
    Index dim() const noexcept { return dim_; }
    /// \brief 64-bit words per pattern, ceil(d / 64).
    Index words() const noexcept { return words_; }
    /// \brief True when no pattern is stored.
    bool empty() const noexcept { return size_ == 0; }
    /// \brief The packed words of pattern mu.
    const std::uint64_t* row(Index mu) const noexcept { return bits_.data() + mu * words_; }
    /// \brief All words, pattern after pattern.
    const std::uint64_t* data() const noexcept { return bits_.data(); }

    /// \brief Appends one +-1 pattern of length d.
    template <class Derived>
    void add(const Eigen::MatrixBase<Derived>& pattern) {
        using Scalar = typename Derived::Scalar;
        if (pattern.size() != dim_)
            throw invalid_argument("BitPatternMemory::add", "pattern.size()", pattern.size(),
                                   "must equal dim() = " + std::to_string(dim_));
        const Vector<Scalar> p = pattern.reshaped();
        detail::require_binary("BitPatternMemory::add", "pattern", p.data(), std::size_t(p.size()));
        bits_.resize(std::size_t((size_ + 1) * words_), 0);
        pack(p.data(), dim_, row_mut(size_));
        ++size_;
    }

    /// \brief Removes pattern mu; later patterns move up by one.
    void remove(Index mu) {
        if (mu < 0 || mu >= size_)
            throw invalid_argument("BitPatternMemory::remove", "mu", mu,
                                   "must be in [0, size()) with size() = " + std::to_string(size_));
        bits_.erase(bits_.begin() + mu * words_, bits_.begin() + (mu + 1) * words_);
        --size_;
    }

    /// \brief Pattern mu unpacked to +-1 values; throws if mu is not in [0, size()).
    template <Real Scalar = float>
    Vector<Scalar> pattern(Index mu) const {
        if (mu < 0 || mu >= size_)
            throw invalid_argument("BitPatternMemory::pattern", "mu", mu,
                                   "must be in [0, size()) with size() = " + std::to_string(size_));
        Vector<Scalar> p(dim_);
        unpack(row(mu), dim_, p.data());
        return p;
    }

    /// \brief The transpose: a memory of dimension size() holding dim() patterns, pattern i
    /// being neuron i across the stored patterns (bit mu of it = bit i of pattern mu). Built
    /// from 64 x 64 bit blocks (6 rounds of masked swaps per block), O(N d / 64) word
    /// operations. Throws if the memory is empty (a memory of dimension 0 does not exist).
    BitPatternMemory transposed() const {
        if (size_ == 0)
            throw invalid_argument("BitPatternMemory::transposed", "size()", size_, "must be > 0");
        BitPatternMemory t(size_);
        t.bits_.assign(std::size_t(dim_ * t.words_), 0);
        t.size_ = dim_;
        std::uint64_t block[64];
        for (Index rb = 0; rb < t.words_; ++rb) {    // 64 patterns: one word of a transposed row
            for (Index cb = 0; cb < words_; ++cb) {  // 64 neurons: one word of a pattern
                for (Index r = 0; r < 64; ++r) {
                    const Index mu = rb * 64 + r;
                    block[r] = mu < size_ ? row(mu)[cb] : 0;
                }
                transpose64(block);
                for (Index c = 0; c < 64 && cb * 64 + c < dim_; ++c)
                    t.row_mut(cb * 64 + c)[rb] = block[c];
            }
        }
        return t;
    }

    /// \brief Packs d values (+1 -> bit 1, anything else -> bit 0) into ceil(d/64) words.
    template <class Scalar>
    static void pack(const Scalar* values, Index d, std::uint64_t* words) noexcept {
        // Branch-free, a word at a time: random +-1 signs would mispredict half the branches.
        for (Index w = 0; w < (d + 63) / 64; ++w) {
            const Index first = w * 64, n = std::min<Index>(64, d - first);
            std::uint64_t word = 0;
            for (Index k = 0; k < n; ++k) word |= std::uint64_t(values[first + k] > Scalar(0)) << k;
            words[w] = word;
        }
    }

    /// \brief Unpacks d bits into +-1 values.
    template <class Scalar>
    static void unpack(const std::uint64_t* words, Index d, Scalar* values) noexcept {
        for (Index i = 0; i < d; ++i)
            values[i] = (words[i / 64] >> (i % 64)) & 1 ? Scalar(1) : Scalar(-1);
    }

private:
    template <Real Scalar>
    static PatternView<Scalar> checked_binary(PatternView<Scalar> patterns) {
        detail::require_binary("BitPatternMemory", "patterns", patterns.data(),
                               std::size_t(patterns.size() * patterns.dim()));
        return patterns;
    }

    template <class Patterns>
    static auto as_view(const Patterns& p) {
        if constexpr (requires { PatternView<float>(p); })
            return PatternView<float>(p);
        else
            return PatternView<double>(p);
    }

    std::uint64_t* row_mut(Index mu) noexcept { return bits_.data() + mu * words_; }

    // In-place transpose of a 64 x 64 bit block, bit j of a[i] <-> bit i of a[j]: swap the
    // off-diagonal 32 x 32 blocks, then the 16 x 16 blocks within each, ... (Hacker's Delight
    // 7-3, for least-significant-bit-first columns).
    static void transpose64(std::uint64_t* a) noexcept {
        std::uint64_t m = 0x00000000FFFFFFFFull;
        for (unsigned j = 32; j != 0; j >>= 1, m ^= (m << j)) {
            for (unsigned k = 0; k < 64; k = ((k | j) + 1) & ~j) {
                const std::uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
                a[k] ^= t << j;
                a[k | j] ^= t;
            }
        }
    }

    Index dim_;
    Index words_;
    Index size_ = 0;
    std::vector<std::uint64_t> bits_;
};

}  // namespace hopfield
