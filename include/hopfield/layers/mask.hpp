#pragma once
/// \file mask.hpp
/// \brief Mask<Scalar>: the stored-pattern padding mask and the association mask of the
/// layers, boolean (block) or additive (added to the scores).

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/io/npy.hpp"
#include "hopfield/layers/tensor.hpp"

namespace hopfield::layers {

/// \brief A mask over association scores, as in PyTorch's attention masks.
///
/// - **boolean**: true (nonzero) blocks the pair: the score becomes -inf and the pattern gets
///   exactly zero weight (bool and uint8 masks alike; the reference crashes on uint8);
/// - **additive**: the value is added to the score after the scaling beta (a -inf value
///   blocks); NaN and +inf are rejected.
///
/// Shapes, checked at each forward: stored_pattern_padding_mask (B, S); association_mask
/// (L, S), or one per batch and head, (B * H, L, S) or (B, H, L, S) (batch-major, head
/// b * H + h). A row whose every stored pattern is blocked gets an all-zero association, so
/// its retrieved value is zero (the library's all-masked policy; the reference gives NaN).
/// Masks are re-applied on every update step. The extra columns of concat_bias_pattern and
/// add_zero_association are never masked.
/// \tparam Scalar float or double, the layer's scalar.
template <Real Scalar>
class Mask {
public:
    /// \brief How the values were given.
    enum class Kind { none, boolean, additive };

    /// \brief No mask.
    Mask() = default;

    /// \brief A boolean mask: nonzero blocks (PyTorch's True = blocked).
    static Mask boolean(const Tensor<std::uint8_t>& blocked) {
        Mask m(Kind::boolean, blocked.shape());
        for (Index i = 0; i < blocked.size(); ++i)
            m.add_[std::size_t(i)] = blocked.data()[i] != 0 ? minus_inf : Scalar(0);
        return m;
    }

    /// \brief A boolean mask from a shape and values (true = blocked).
    static Mask boolean(std::vector<Index> shape, const std::vector<bool>& blocked) {
        Mask m(Kind::boolean, std::move(shape));
        if (blocked.size() != m.add_.size())
            throw invalid_argument(
                "Mask::boolean", "blocked.size()", blocked.size(),
                "must equal the product of the shape " + npy::shape_string(m.shape_));
        for (std::size_t i = 0; i < blocked.size(); ++i)
            m.add_[i] = blocked[i] ? minus_inf : Scalar(0);
        return m;
    }

    /// \brief An additive mask: each value is added to its score; -inf blocks. Throws
    /// hopfield::invalid_argument for NaN or +inf values.
    static Mask additive(const Tensor<Scalar>& values) {
        Mask m(Kind::additive, values.shape());
        for (Index i = 0; i < values.size(); ++i) {
            const Scalar v = values.data()[i];
            if (std::isnan(v) || v == std::numeric_limits<Scalar>::infinity())
                throw invalid_argument(
                    "Mask::additive", "values", v,
                    "must be finite or -inf (element " + std::to_string(i) + ")");
            m.add_[std::size_t(i)] = v;
        }
        return m;
    }

    /// \brief Loads a mask saved with numpy.save: a bool / uint8 array is boolean, a float32 /
    /// float64 array is additive.
    static Mask load(const std::filesystem::path& path) {
        const auto bytes = npy::read_file(path);
        const auto header = npy::parse_header(bytes.data(), bytes.size(), path.string());
        if (header.kind == 'f')
            return additive(
                Tensor<Scalar>(npy::parse<Scalar>(bytes.data(), bytes.size(), path.string())));
        return boolean(Tensor<std::uint8_t>(
            npy::parse<std::uint8_t>(bytes.data(), bytes.size(), path.string())));
    }

    /// \brief Whether a mask is set.
    bool empty() const noexcept { return kind_ == Kind::none; }
    /// \brief boolean, additive or none.
    Kind kind() const noexcept { return kind_; }
    /// \brief The shape given at construction.
    const std::vector<Index>& shape() const noexcept { return shape_; }
    /// \brief The additive form of every value: 0 (open), -inf (blocked) or the offset.
    const std::vector<Scalar>& additive_values() const noexcept { return add_; }

private:
    static constexpr Scalar minus_inf = -std::numeric_limits<Scalar>::infinity();

    Mask(Kind kind, std::vector<Index> shape) : kind_(kind), shape_(std::move(shape)) {
        std::size_t n = 1;
        for (const Index d : shape_) {
            if (d < 0)
                throw invalid_argument("Mask", "shape", npy::shape_string(shape_), "must be >= 0");
            n *= std::size_t(d);
        }
        add_.assign(n, Scalar(0));
    }

    Kind kind_ = Kind::none;
    std::vector<Index> shape_;
    std::vector<Scalar> add_;
};

}  // namespace hopfield::layers
