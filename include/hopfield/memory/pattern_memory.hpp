#pragma once
/// \file pattern_memory.hpp
/// \brief PatternMemory: the owning store of N patterns of dimension d (row-major, contiguous).

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
    explicit PatternMemory(Index dim) : patterns_(0, dim) {
        if (dim <= 0) throw invalid_argument("PatternMemory", "dim", dim, "must be > 0");
    }

    /// \brief Takes ownership of a row-major N x d matrix without copying it.
    explicit PatternMemory(Matrix&& patterns) : patterns_(std::move(patterns)) { validate_all(); }

    /// \brief Copies the patterns (one per row) from any Eigen expression.
    template <class Derived>
    explicit PatternMemory(const Eigen::MatrixBase<Derived>& patterns) : patterns_(patterns) {
        validate_all();
    }

    /// \brief Copies `size` patterns of dimension `dim` from a row-major raw buffer.
    static PatternMemory from_buffer(const Scalar* data, Index size, Index dim) {
        if (size < 0) throw invalid_argument("PatternMemory::from_buffer", "size", size, "must be >= 0");
        return PatternMemory(Matrix(PatternView<Scalar>(data, size, dim).matrix()));
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

    /// \brief Pattern `mu` as a read-only row (no copy).
    auto pattern(Index mu) const { return patterns_.row(mu); }
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
    void validate_all() const {
        if (patterns_.cols() <= 0)
            throw invalid_argument("PatternMemory", "patterns.cols()", patterns_.cols(), "must be > 0");
        detail::require_finite("PatternMemory", "patterns", patterns_.data(),
                               std::size_t(patterns_.size()));
    }

    Matrix patterns_;
};

}  // namespace hopfield
