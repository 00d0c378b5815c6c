#pragma once
/// \file tensor.hpp
/// \brief Tensor<T>: the n-dimensional, row-major (C-order) array the layers take and return,
/// laid out exactly as a contiguous PyTorch tensor or a C-order numpy array.

#include <cstddef>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/io/npy.hpp"

namespace hopfield::layers {

/// \brief A dense n-dimensional array in row-major order (the last axis is contiguous).
///
/// The layers use rank 3 for sequences, (batch, length, features) when batch_first (the
/// default) or (length, batch, features) otherwise; masks and association matrices are
/// batch-major. A Tensor owns its values; `matrix()` views it as a 2-d Eigen matrix without
/// copying.
/// \tparam T float or double (or std::uint8_t for boolean masks).
template <class T>
class Tensor {
public:
    /// \brief An empty tensor (rank 1, size 0).
    Tensor() : shape_{0} {}

    /// \brief A tensor of the given shape filled with `value`.
    explicit Tensor(std::vector<Index> shape, T value = T(0)) : shape_(std::move(shape)) {
        values_.assign(checked_count(shape_), value);
    }

    /// \brief A tensor of the given shape holding `values` (row-major; prod(shape) of them).
    Tensor(std::vector<Index> shape, std::vector<T> values)
        : shape_(std::move(shape)), values_(std::move(values)) {
        const std::size_t n = checked_count(shape_);
        if (values_.size() != n)
            throw invalid_argument("Tensor", "values.size()", values_.size(),
                                   "must equal the product of the shape " +
                                       npy::shape_string(shape_) + " = " + std::to_string(n));
    }

    /// \brief Takes over an array read from a .npy file.
    explicit Tensor(npy::Array<T>&& array)
        : Tensor(std::move(array.shape), std::move(array.data)) {}

    /// \brief Loads a .npy file (converting float32 / float64 as needed).
    static Tensor load(const std::filesystem::path& path, npy::ReadOptions options = {}) {
        return Tensor(npy::load<T>(path, options));
    }

    /// \brief Writes the tensor as a .npy file.
    void save(const std::filesystem::path& path) const { npy::save(path, shape_, values_.data()); }

    /// \brief Sizes of the axes.
    const std::vector<Index>& shape() const noexcept { return shape_; }
    /// \brief Number of axes.
    Index rank() const noexcept { return Index(shape_.size()); }
    /// \brief Size of axis `axis`.
    Index dim(Index axis) const { return shape_.at(std::size_t(axis)); }
    /// \brief Number of values.
    Index size() const noexcept { return Index(values_.size()); }
    /// \brief The values, row-major.
    T* data() noexcept { return values_.data(); }
    /// \brief The values, row-major.
    const T* data() const noexcept { return values_.data(); }
    /// \brief The values, row-major.
    const std::vector<T>& values() const noexcept { return values_; }
    /// \brief "(2, 3, 4)".
    std::string shape_string() const { return npy::shape_string(shape_); }

    /// \brief Element access by one index per axis (no bounds check beyond the rank).
    template <class... I>
    T& operator()(I... index) noexcept {
        return values_[offset({Index(index)...})];
    }
    /// \brief Element access by one index per axis (no bounds check beyond the rank).
    template <class... I>
    const T& operator()(I... index) const noexcept {
        return values_[offset({Index(index)...})];
    }

    /// \brief The tensor as a (size / last) x last row-major matrix, without copying.
    Eigen::Map<RowMatrix<T>> matrix() {
        const Index cols = shape_.empty() ? 1 : shape_.back();
        return Eigen::Map<RowMatrix<T>>(values_.data(), cols == 0 ? 0 : size() / cols, cols);
    }
    /// \brief The tensor as a (size / last) x last row-major matrix, without copying.
    Eigen::Map<const RowMatrix<T>> matrix() const {
        const Index cols = shape_.empty() ? 1 : shape_.back();
        return Eigen::Map<const RowMatrix<T>>(values_.data(), cols == 0 ? 0 : size() / cols, cols);
    }

    /// \brief Same values as a tensor of another scalar type.
    template <class U>
    Tensor<U> cast() const {
        std::vector<U> v(values_.size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<U>(values_[i]);
        return Tensor<U>(shape_, std::move(v));
    }

private:
    static std::size_t checked_count(const std::vector<Index>& shape) {
        std::size_t n = 1;
        for (const Index d : shape) {
            if (d < 0)
                throw invalid_argument("Tensor", "shape", npy::shape_string(shape), "must be >= 0");
            n *= std::size_t(d);
        }
        return n;
    }

    std::size_t offset(std::initializer_list<Index> index) const noexcept {
        std::size_t off = 0, k = 0;
        for (const Index i : index) off = off * std::size_t(shape_[k++]) + std::size_t(i);
        return off;
    }

    std::vector<Index> shape_;
    std::vector<T> values_;
};

}  // namespace hopfield::layers
