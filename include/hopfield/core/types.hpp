#pragma once
/// \file types.hpp
/// \brief Eigen aliases shared by every layer, and the non-owning view of stored patterns.

#include <Eigen/Core>
#include <cstddef>
#include <type_traits>

#include "hopfield/core/error.hpp"

namespace hopfield {

/// \brief Index type of the library (Eigen's).
using Index = Eigen::Index;

/// \brief Dynamic column vector of `Scalar`.
template <class Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

/// \brief Dynamic row-major matrix: one pattern (or one query) per contiguous row.
template <class Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// \brief The scalar types the library is instantiated for.
template <class Scalar>
concept Real = std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>;

/// \brief A non-owning, read-only view of N stored patterns of dimension d, row-major and
/// contiguous (pattern mu occupies data[mu*d, (mu+1)*d)).
///
/// Built implicitly from a PatternMemory or a row-major Eigen matrix, or explicitly from a
/// raw pointer: no copy is ever made. The viewed buffer must outlive the view.
/// A view of a user buffer checks once, on construction, that every value is finite (O(N d));
/// a view of a PatternMemory skips that scan because the memory validated its patterns when
/// they were stored.
/// \tparam Scalar float or double.
template <Real Scalar>
class PatternView {
public:
    /// \brief An empty view (N = 0).
    PatternView() = default;

    /// \brief Views `rows` patterns of dimension `cols` stored row-major at `data`.
    PatternView(const Scalar* data, Index rows, Index cols) : PatternView(data, rows, cols, trusted) {
        if (rows < 0) throw invalid_argument("PatternView", "rows", rows, "must be >= 0");
        if (cols < 0) throw invalid_argument("PatternView", "cols", cols, "must be >= 0");
        if (data == nullptr && rows * cols != 0)
            throw invalid_argument("PatternView", "data", "nullptr", "must point to rows*cols values");
        detail::require_finite("PatternView", "patterns", data, std::size_t(rows * cols));
    }

    /// \brief Tag type of the constructor that skips the finiteness scan.
    struct trusted_t {};
    /// \brief Tag value: the caller guarantees the values are finite (PatternMemory does).
    static constexpr trusted_t trusted{};

    /// \brief Views already-validated data without scanning it (used by PatternMemory).
    PatternView(const Scalar* data, Index rows, Index cols, trusted_t) noexcept
        : data_(data), rows_(rows), cols_(cols) {}

    /// \brief Views a row-major Eigen matrix (or Map / Ref with unit inner stride) without copying.
    template <class Derived>
        requires(std::is_same_v<typename Derived::Scalar, Scalar> &&
                 bool(Derived::IsRowMajor) && requires(const Derived& m) { m.data(); })
    PatternView(const Eigen::PlainObjectBase<Derived>& m)  // NOLINT: implicit by design
        : PatternView(m.data(), m.rows(), m.cols()) {}

    /// \brief Number of stored patterns N.
    Index size() const noexcept { return rows_; }
    /// \brief Pattern dimension d.
    Index dim() const noexcept { return cols_; }
    /// \brief Pointer to the first value (row-major).
    const Scalar* data() const noexcept { return data_; }
    /// \brief Pointer to pattern `mu`.
    const Scalar* row(Index mu) const noexcept { return data_ + mu * cols_; }
    /// \brief The patterns as an Eigen N x d row-major map (no copy).
    Eigen::Map<const RowMatrix<Scalar>> matrix() const noexcept {
        return Eigen::Map<const RowMatrix<Scalar>>(data_, rows_, cols_);
    }

private:
    const Scalar* data_ = nullptr;
    Index rows_ = 0;
    Index cols_ = 0;
};

}  // namespace hopfield
