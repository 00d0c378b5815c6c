#pragma once
/// \file layer_norm.hpp
/// \brief LayerNorm<Scalar>: torch.nn.LayerNorm over the last axis (Ba, Kiros & Hinton 2016).

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::layers {

/// \brief y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias over vectors of `size`
/// values; var is the biased (population) variance, as in PyTorch.
///
/// Two vectorized passes with the corrected two-pass variance, so a float layer loses nothing
/// to cancellation on rows with a large mean (tested against the formula in double). Without
/// `affine` there is no weight and bias (identity affine map). \tparam Scalar float or double.
template <Real Scalar>
class LayerNorm {
public:
    /// \brief A norm over `size` features; eps must be finite and > 0.
    explicit LayerNorm(Index size = 0, double eps = 1e-5, bool affine = true)
        : size_(size),
          eps_(eps),
          affine_(affine),
          weight_(Vector<Scalar>::Ones(affine ? size : 0)),
          bias_(Vector<Scalar>::Zero(affine ? size : 0)) {
        if (size < 0) throw invalid_argument("LayerNorm", "size", size, "must be >= 0");
        detail::require_positive("LayerNorm", "eps", eps);
    }

    /// \brief Number of features normalized together.
    Index size() const noexcept { return size_; }
    /// \brief The variance offset.
    double eps() const noexcept { return eps_; }
    /// \brief Whether weight and bias are applied.
    bool affine() const noexcept { return affine_; }
    /// \brief The affine weight (size values; empty without affine).
    Vector<Scalar>& weight() noexcept { return weight_; }
    /// \brief The affine weight (size values; empty without affine).
    const Vector<Scalar>& weight() const noexcept { return weight_; }
    /// \brief The affine bias (size values; empty without affine).
    Vector<Scalar>& bias() noexcept { return bias_; }
    /// \brief The affine bias (size values; empty without affine).
    const Vector<Scalar>& bias() const noexcept { return bias_; }

    /// \brief Normalizes one vector: y = LN(x); x and y may alias.
    void apply(const Scalar* x, Scalar* y) const noexcept {
        if (size_ == 0) return;
        using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
        const Eigen::Map<const Array> xv(x, size_);
        const Scalar n = Scalar(size_);
        // Corrected two-pass algorithm (Chan, Golub & LeVeque 1983): the deviations from a
        // first mean estimate are small (x - m is exact when x is within a factor 2 of m), and
        // their mean c corrects both the mean and the variance, so rows with a large mean
        // lose nothing to cancellation.
        const Scalar m = xv.sum() / n;
        const Scalar c = (xv - m).sum() / n;
        const Scalar var = std::max(((xv - m).square().sum() / n) - c * c, Scalar(0));
        const Scalar inv = Scalar(1) / std::sqrt(var + Scalar(eps_));
        Eigen::Map<Array> yv(y, size_);
        if (affine_)
            yv = ((xv - m) - c) * inv * weight_.array() + bias_.array();
        else
            yv = ((xv - m) - c) * inv;
    }

    /// \brief Normalizes every row of `in` into the same row of `out` (row-major, cols equal to
    /// size(), same shape; `out` may be `in`).
    void apply_rows(Eigen::Ref<const RowMatrix<Scalar>> in,
                    Eigen::Ref<RowMatrix<Scalar>> out) const noexcept {
        for (Index r = 0; r < in.rows(); ++r) apply(in.row(r).data(), out.row(r).data());
    }

    /// \brief Normalizes every row of a row-major matrix in place (its cols must be size()).
    void apply_rows(Eigen::Ref<RowMatrix<Scalar>> rows) const noexcept { apply_rows(rows, rows); }

private:
    Index size_;
    double eps_;
    bool affine_;
    Vector<Scalar> weight_;
    Vector<Scalar> bias_;
};

}  // namespace hopfield::layers
