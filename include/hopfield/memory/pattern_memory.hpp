#pragma once
/// \file pattern_memory.hpp
/// \brief PatternMemory: the owning store of N patterns of dimension d (row-major, contiguous).

#include <string>
#include <utility>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield {

/// \brief Owns N stored patterns of dimension d as one contiguous row-major N x d block.
///
/// Construct it by moving a row-major Eigen matrix in (no copy), by copying any Eigen
/// expression (explicit), or from a raw buffer (one explicit copy). Every pattern must be
/// finite; NaN / Inf are rejected on the way in so retrieval never sees them. Binary models
/// store +-1 values in the same float storage. Retrieval functions take a PatternView, which
/// a PatternMemory converts to implicitly.
///
/// Thread safety: concurrent const use (retrieval) is safe; add / remove while another thread
/// retrieves is not.
/// \tparam Scalar float or double.
template <Real Scalar>
class PatternMemory {
public:
    /// \brief The row-major storage type.
    using Matrix = RowMatrix<Scalar>;

    /// \brief An empty memory for patterns of dimension `dim` (> 0).
    /// Throws hopfield::invalid_argument naming `dim` otherwise.
    explicit PatternMemory(Index dim) : patterns_(0, checked_dim(dim)) {}

    /// \brief Takes ownership of a row-major N x d matrix without copying it.
    explicit PatternMemory(Matrix&& patterns) : patterns_(std::move(patterns)) { validate_all(); }

    /// \brief Copies the patterns (one per row) from any Eigen expression.
    template <class Derived>
    explicit PatternMemory(const Eigen::MatrixBase<Derived>& patterns) : patterns_(patterns) {
        validate_all();
    }

    /// \brief Copies `size` patterns of dimension `dim` from a row-major raw buffer.
    /// Throws hopfield::invalid_argument naming from_buffer and `size` (< 0), `dim` (<= 0),
    /// `data` (nullptr with size > 0) or `data` (a non-finite value).
    static PatternMemory from_buffer(const Scalar* data, Index size, Index dim) {
        // Checked here, not left to PatternView / the constructor, so that the message names
        // this function and its own parameters (it used to say "PatternView: argument 'cols'"
        // for a bad `dim`, and "PatternMemory: argument 'patterns.cols()'" for dim = 0).
        constexpr const char* where = "PatternMemory::from_buffer";
        if (size < 0) throw invalid_argument(where, "size", size, "must be >= 0");
        if (dim <= 0) throw invalid_argument(where, "dim", dim, "must be > 0");
        if (data == nullptr && size != 0)
            throw invalid_argument(where, "data", "nullptr", "must point to size*dim values");
        detail::require_finite(where, "data", data, std::size_t(size * dim));
        return PatternMemory(Matrix(PatternView<Scalar>(data, size, dim, PatternView<Scalar>::trusted).matrix()));
    }

    /// \brief Number of stored patterns N.
    Index size() const noexcept { return patterns_.rows(); }
    /// \brief Pattern dimension d.
    Index dim() const noexcept { return patterns_.cols(); }
    /// \brief True when no pattern is stored.
    bool empty() const noexcept { return patterns_.rows() == 0; }

    /// \brief Appends one pattern (length d, finite).
    template <class Derived>
    void add(const Eigen::MatrixBase<Derived>& pattern) {
        if (pattern.size() != dim())
            throw invalid_argument("PatternMemory::add", "pattern.size()", pattern.size(),
                                   "must equal dim() = " + std::to_string(dim()));
        Vector<Scalar> p = pattern.reshaped();
        detail::require_finite("PatternMemory::add", "pattern", p.data(), std::size_t(p.size()));
        patterns_.conservativeResize(size() + 1, Eigen::NoChange);
        patterns_.row(size() - 1) = p.transpose();
    }

    /// \brief Removes pattern `mu`; later patterns move up by one (order is kept).
    void remove(Index mu) {
        if (mu < 0 || mu >= size())
            throw invalid_argument("PatternMemory::remove", "mu", mu,
                                   "must be in [0, size()) with size() = " + std::to_string(size()));
        const Index tail = size() - mu - 1;
        if (tail > 0) patterns_.middleRows(mu, tail) = patterns_.bottomRows(tail).eval();
        patterns_.conservativeResize(size() - 1, Eigen::NoChange);
    }

    /// \brief Pattern `mu` as a read-only row (no copy). Throws hopfield::invalid_argument
    /// naming `mu` unless 0 <= mu < size(): an unchecked Eigen row() would read out of bounds
    /// in a release build (Eigen's own assertion is compiled out with NDEBUG).
    auto pattern(Index mu) const {
        if (mu < 0 || mu >= size())
            throw invalid_argument("PatternMemory::pattern", "mu", mu,
                                   "must be in [0, size()) with size() = " + std::to_string(size()));
        return patterns_.row(mu);
    }
    /// \brief All patterns as the N x d row-major matrix (read-only).
    const Matrix& matrix() const noexcept { return patterns_; }
    /// \brief Pointer to the first value (row-major).
    const Scalar* data() const noexcept { return patterns_.data(); }

    /// \brief A non-owning view for the retrieval functions.
    PatternView<Scalar> view() const noexcept {
        return PatternView<Scalar>(patterns_.data(), size(), dim(), PatternView<Scalar>::trusted);
    }
    /// \brief Implicit conversion to a view, so a memory can be passed wherever a view is taken.
    operator PatternView<Scalar>() const { return view(); }  // NOLINT: implicit by design

private:
    // Checked before the member is built: a negative size reached Eigen's resize() first (an
    // assertion failure, i.e. abort(), in builds without NDEBUG) instead of throwing.
    static Index checked_dim(Index dim) {
        if (dim <= 0) throw invalid_argument("PatternMemory", "dim", dim, "must be > 0");
        return dim;
    }

    void validate_all() const {
        if (patterns_.cols() <= 0)
            throw invalid_argument("PatternMemory", "patterns.cols()", patterns_.cols(), "must be > 0");
        detail::require_finite("PatternMemory", "patterns", patterns_.data(),
                               std::size_t(patterns_.size()));
    }

    Matrix patterns_;
};

}  // namespace hopfield
