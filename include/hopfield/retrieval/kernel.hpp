#pragma once
/// \file kernel.hpp
/// \brief The ONE retrieval kernel: similarity -> separation -> projection (models.md section 1).
///
///     s   = scale * X q        one dot product per stored pattern (N numbers)
///     w   = separate(s)        any callable on the N numbers, in place
///     out = X^T w              weighted sum of the stored patterns (d numbers)
///
/// Every model of the library retrieves through these functions; a model only supplies the
/// separation step (and, for binary models, a scalar self-term applied by the caller). The
/// kernel decides how: xsimd dot / axpy loops for a single query, Eigen GEMM for batches of
/// `gemm_min_batch` queries or more. The slow, obviously-correct twin lives in
/// tests/reference.hpp.

#include <cstddef>
#include <type_traits>

#include "hopfield/core/types.hpp"
#include "hopfield/retrieval/workspace.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield::kernel {

/// \brief Batches at least this large go through Eigen's GEMM; smaller ones loop the
/// single-query path (a hand-written xsimd dot loop beats GEMV for one query; toolchain.md).
inline constexpr Index gemm_min_batch = 16;

/// \brief s[mu] = scale * (x_mu . q) for every stored pattern mu (length N output).
template <class Arch = simd::default_arch, Real Scalar>
void similarity(PatternView<Scalar> X, const Scalar* q, Scalar scale, Scalar* s) noexcept {
    const auto d = std::size_t(X.dim());
    for (Index mu = 0; mu < X.size(); ++mu) s[mu] = scale * simd::dot<Arch>(X.row(mu), q, d);
}

/// \brief out = sum_mu w[mu] x_mu (length d output). Zero weights are skipped, so sparse maps
/// touch only the rows of their support.
template <class Arch = simd::default_arch, Real Scalar>
void projection(PatternView<Scalar> X, const Scalar* w, Scalar* out) noexcept {
    const auto d = std::size_t(X.dim());
    for (std::size_t i = 0; i < d; ++i) out[i] = Scalar(0);
    for (Index mu = 0; mu < X.size(); ++mu)
        if (w[mu] != Scalar(0)) simd::axpy<Arch>(w[mu], X.row(mu), out, d);
}

/// \brief One pass of the kernel for a single query: out = X^T separate(scale * X q).
///
/// `separate(Scalar* s, Index n)` transforms the N scores into weights in place. `q` and
/// `out` must not alias. The weights stay in ws.scores (first N values) for the caller.
template <class Arch = simd::default_arch, Real Scalar, class Separate>
void associate(PatternView<Scalar> X, const Scalar* q, std::type_identity_t<Scalar> scale, Separate&& separate,
               Scalar* out, Workspace<Scalar>& ws) {
    Workspace<Scalar>::reserve(ws.scores, X.size());
    Scalar* s = ws.scores.data();
    similarity<Arch>(X, q, scale, s);
    separate(s, X.size());
    projection<Arch>(X, s, out);
}

/// \brief The kernel for a batch of queries (one per row of Q, B x d): Out = sep(scale Q X^T) X.
///
/// Batches of gemm_min_batch or more use two Eigen GEMMs with the separation applied row by
/// row in between; smaller batches loop associate(). Out must be B x d and must not alias Q.
/// The weights stay in ws.batch_scores (B x N) on the GEMM path.
template <class Arch = simd::default_arch, Real Scalar, class Separate>
void associate_batch(PatternView<Scalar> X,
                     const std::type_identity_t<Eigen::Ref<const RowMatrix<Scalar>>>& Q,
                     std::type_identity_t<Scalar> scale, Separate&& separate,
                     std::type_identity_t<Eigen::Ref<RowMatrix<Scalar>>> out, Workspace<Scalar>& ws) {
    const Index B = Q.rows();
    if (B < gemm_min_batch) {
        for (Index b = 0; b < B; ++b)
            associate<Arch>(X, Q.row(b).data(), scale, separate, out.row(b).data(), ws);
        return;
    }
    const auto Xm = X.matrix();
    if (ws.batch_scores.rows() != B || ws.batch_scores.cols() != X.size())
        ws.batch_scores.resize(B, X.size());
    ws.batch_scores.noalias() = scale * (Q * Xm.transpose());
    for (Index b = 0; b < B; ++b) separate(ws.batch_scores.row(b).data(), X.size());
    out.noalias() = ws.batch_scores * Xm;
}

}  // namespace hopfield::kernel
