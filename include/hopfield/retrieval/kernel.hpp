#pragma once
/// \file kernel.hpp
/// \brief The ONE retrieval kernel: similarity -> separation -> projection (models.md section 1).
///
///     s   = scale * X q        one dot product per stored pattern (N numbers)
///     w   = separate(s)        any callable on the N numbers, in place
///     out = X^T w              weighted sum of the stored patterns (d numbers)
///
/// Every model of the library retrieves through these functions; a model only supplies the
/// separation step. Binary models whose fields are not exact in the linear form project
/// through agreement_projection (a select between two weights per pattern) instead. The
/// kernel decides how: xsimd dot / axpy loops for a single query, Eigen GEMM for batches of
/// `gemm_min_batch` queries or more. The slow, obviously-correct twin lives in
/// tests/reference.hpp.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/retrieval/workspace.hpp"
#include "hopfield/separation/concept.hpp"
#include "hopfield/simd/kernels.hpp"

namespace hopfield::kernel {

/// \brief Batches at least this large go through Eigen's GEMM; smaller ones loop the
/// single-query path (a hand-written xsimd dot loop beats GEMV for one query; toolchain.md).
inline constexpr Index gemm_min_batch = 16;

namespace detail {

/// Scores computed from finite patterns and a finite query are finite unless
/// scale * x_mu . q overflowed Scalar. Any non-finite score is reported (naming `where`,
/// 'scores' and the element): -inf would otherwise be taken for a mask and +inf / NaN would
/// poison the weights.
template <class Scalar>
void require_finite_scores(const char* where, const Scalar* s, std::size_t n) {
    const std::size_t i = hopfield::detail::first_non_finite(s, n);
    if (i == n) return;
    std::ostringstream what;
    what << "must be finite, but element " << i << " (scale * x_mu . q) is not: it overflowed "
         << (sizeof(Scalar) == 4 ? "float" : "double")
         << " (rescale the patterns / query or use double) or an input is not finite";
    throw invalid_argument(where, "scores", s[i], what.str());
}

}  // namespace detail

/// \brief s[mu] = scale * (x_mu . q) for every stored pattern mu (length N output).
/// (Measured: four rows per pass over q, sharing its loads, was slower than this on Zen 4.)
template <class Arch = simd::default_arch, Real Scalar>
void similarity(PatternView<Scalar> X, const Scalar* q, std::type_identity_t<Scalar> scale,
                Scalar* s) noexcept {
    const auto d = std::size_t(X.dim());
    for (Index mu = 0; mu < X.size(); ++mu) s[mu] = scale * simd::dot<Arch>(X.row(mu), q, d);
}

/// \brief Rows of at most this many bytes are projected in groups of projection_group rows
/// (simd::axpy_rows: one load and store of the output per group, not per row). Measured on
/// Zen 4 (2026-11-28, interleaved A/B, medians of 9): 20-25% faster at d = 64 floats, 4-5%
/// at d = 256, and 3-17% slower at d = 512..1024 (A/B of the grouping alone),
/// so wider rows keep one axpy per row.
inline constexpr std::size_t grouped_row_bytes = 1024;

/// \brief Rows per group of the projection (see grouped_row_bytes); 4 and 16 measured no better.
inline constexpr std::size_t projection_group = 8;

/// \brief out += sum_mu w[mu] x_mu over the patterns of X (length d output). Only rows with
/// non-zero weight are read, so sparse maps touch only the rows of their support; narrow rows
/// go through simd::axpy_rows in groups of projection_group non-zero rows.
/// (Measured twice: holding output chunks in registers across a whole streaming block was
/// slower; 8-batch chunks cost 25-60% at d = 64..1024 on Zen 4.)
template <class Arch = simd::default_arch, Real Scalar>
void accumulate(PatternView<Scalar> X, const Scalar* w, Scalar* out) noexcept {
    const auto d = std::size_t(X.dim());
    Index mu = 0;
    if (d * sizeof(Scalar) <= grouped_row_bytes) {
        const Scalar* rows[projection_group] = {};
        Scalar weights[projection_group] = {};
        std::size_t m = 0;
        for (; mu < X.size(); ++mu) {
            if (w[mu] == Scalar(0)) continue;
            rows[m] = X.row(mu);
            weights[m] = w[mu];
            if (++m == projection_group) {
                simd::axpy_rows<projection_group, Arch>(rows, weights, out, d);
                m = 0;
            }
        }
        for (std::size_t k = 0; k < m; ++k) simd::axpy<Arch>(weights[k], rows[k], out, d);
        return;
    }
    for (; mu < X.size(); ++mu)
        if (w[mu] != Scalar(0)) simd::axpy<Arch>(w[mu], X.row(mu), out, d);
}

/// \brief out = sum_mu w[mu] x_mu (length d output); see accumulate().
template <class Arch = simd::default_arch, Real Scalar>
void projection(PatternView<Scalar> X, const Scalar* w, Scalar* out) noexcept {
    for (Index i = 0; i < X.dim(); ++i) out[i] = Scalar(0);
    accumulate<Arch>(X, w, out);
}

/// \brief The projection of the binary models' agreement form (models/dense.hpp): for +-1
/// patterns and a +-1 state sigma, out_i = sum_mu (x_mu,i == sigma_i ? agree[mu] : disagree[mu])
/// (length d output). Each pattern contributes one of its two values per neuron, selected, not
/// combined arithmetically, so no cancellation and no inf * 0. Rows whose two values are both
/// 0 are skipped.
template <class Arch = simd::default_arch, Real Scalar>
void agreement_projection(PatternView<Scalar> X, const Scalar* sigma, const Scalar* agree,
                          const Scalar* disagree, Scalar* out) noexcept {
    const auto d = std::size_t(X.dim());
    for (std::size_t i = 0; i < d; ++i) out[i] = Scalar(0);
    for (Index mu = 0; mu < X.size(); ++mu)
        if (agree[mu] != Scalar(0) || disagree[mu] != Scalar(0))
            simd::select_accumulate<Arch>(agree[mu], disagree[mu], X.row(mu), sigma, out, d);
}

/// \brief One pass of the kernel for a single query, with separate keys and values:
/// out = V^T separate(scale * K q) (attention's form; the Hopfield layers' last pass).
///
/// `separate(Scalar* s, Index n)` transforms the N scores into weights in place. K (N x d)
/// and V (N x dv) hold the same number of rows; `out` has dv values and must not alias q.
/// The weights stay in ws.scores (first N values) for the caller. Scores that are not finite
/// (an overflow of scale * k_mu . q) throw, naming 'scores'.
template <class Arch = simd::default_arch, Real Scalar, class Separate>
void associate(PatternView<Scalar> keys, const Scalar* q, std::type_identity_t<Scalar> scale,
               Separate&& separate, PatternView<Scalar> values, Scalar* out,
               Workspace<Scalar>& ws) {
    hopfield::detail::require_size("kernel::associate", "values.size()", values.size(),
                                   keys.size());
    Workspace<Scalar>::reserve(ws.scores, keys.size());
    Scalar* s = ws.scores.data();
    similarity<Arch>(keys, q, scale, s);
    detail::require_finite_scores("retrieval kernel", s, std::size_t(keys.size()));
    separate(s, keys.size());
    projection<Arch>(values, s, out);
}

/// \brief One pass of the kernel for a single query: out = X^T separate(scale * X q), i.e.
/// associate() with the patterns as both keys and values.
template <class Arch = simd::default_arch, Real Scalar, class Separate>
void associate(PatternView<Scalar> X, const Scalar* q, std::type_identity_t<Scalar> scale,
               Separate&& separate, Scalar* out, Workspace<Scalar>& ws) {
    associate<Arch>(X, q, scale, std::forward<Separate>(separate), X, out, ws);
}

/// \brief The kernel for a batch of queries (one per row of Q, B x d), with separate keys
/// (N x d) and values (N x dv): Out = sep(scale Q K^T) V.
///
/// Batches of gemm_min_batch or more use two Eigen GEMMs with the separation applied row by
/// row in between; smaller batches loop associate(). Either way `separate` is called exactly
/// once per query row, in row order (callers such as the layers rely on it to apply per-row
/// masks). Out must be B x dv and must not alias Q.
/// The weights stay in ws.batch_scores (B x N) on the GEMM path.
template <class Arch = simd::default_arch, Real Scalar, class Separate>
void associate_batch(PatternView<Scalar> keys,
                     const std::type_identity_t<Eigen::Ref<const RowMatrix<Scalar>>>& Q,
                     std::type_identity_t<Scalar> scale, Separate&& separate,
                     PatternView<Scalar> values,
                     std::type_identity_t<Eigen::Ref<RowMatrix<Scalar>>> out,
                     Workspace<Scalar>& ws) {
    hopfield::detail::require_size("kernel::associate_batch", "values.size()", values.size(),
                                   keys.size());
    const Index B = Q.rows();
    if (B < gemm_min_batch) {
        for (Index b = 0; b < B; ++b)
            associate<Arch>(keys, Q.row(b).data(), scale, separate, values, out.row(b).data(), ws);
        return;
    }
    if (ws.batch_scores.rows() != B || ws.batch_scores.cols() != keys.size())
        ws.batch_scores.resize(B, keys.size());
    ws.batch_scores.noalias() = scale * (Q * keys.matrix().transpose());
    for (Index b = 0; b < B; ++b)
        detail::require_finite_scores("retrieval kernel", ws.batch_scores.row(b).data(),
                                      std::size_t(keys.size()));
    for (Index b = 0; b < B; ++b) separate(ws.batch_scores.row(b).data(), keys.size());
    out.noalias() = ws.batch_scores * values.matrix();
}

/// \brief The kernel for a batch of queries (one per row of Q, B x d): Out = sep(scale Q X^T) X,
/// i.e. associate_batch() with the patterns as both keys and values. Out must be B x d.
template <class Arch = simd::default_arch, Real Scalar, class Separate>
void associate_batch(PatternView<Scalar> X,
                     const std::type_identity_t<Eigen::Ref<const RowMatrix<Scalar>>>& Q,
                     std::type_identity_t<Scalar> scale, Separate&& separate,
                     std::type_identity_t<Eigen::Ref<RowMatrix<Scalar>>> out,
                     Workspace<Scalar>& ws) {
    associate_batch<Arch>(X, Q, scale, std::forward<Separate>(separate), X, out, ws);
}

/// \brief Rows per block of the streaming kernel, so that a block read for its scores is still
/// in cache when it is read again for the projection: about 16 KiB (L1) when rows are
/// projected in groups (grouped_row_bytes), else about 128 KiB (L2). Measured on Zen 4: with
/// groups, 16 KiB blocks beat 32 KiB by ~4% and 64-128 KiB by 5-15% at d = 64..256; without,
/// 4 KiB to 256 KiB are within noise of each other, 128 KiB slightly ahead.
template <Real Scalar>
Index streaming_block_rows(Index d) noexcept {
    const auto row_bytes = std::size_t(std::max<Index>(d, 1)) * sizeof(Scalar);
    const std::size_t bytes = row_bytes <= grouped_row_bytes ? 16384 : 131072;
    return std::clamp<Index>(Index(bytes / row_bytes), 4, 1024);
}

/// \brief out = X^T softmax(scale X q) (or softmax_1 with `extra_zero_logit`) in ONE pass over
/// X: the online-softmax recurrence (Milakov & Gimelshein 2018; flash attention), per block of
/// rows: scores, block maximum, rescale the accumulator when the maximum grows, then add the
/// block's rows weighted by exp(score - max). Memory traffic is one read of X instead of the
/// two of scores-then-projection. Scores that overflow (to +-inf) throw, naming the map.
template <class Arch = simd::default_arch, Real Scalar>
void associate_softmax_streaming(PatternView<Scalar> X, const Scalar* q,
                                 std::type_identity_t<Scalar> scale, bool extra_zero_logit,
                                 const char* map_name, Scalar* out, Workspace<Scalar>& ws) {
    const Index N = X.size(), d = X.dim();
    const Index block = streaming_block_rows<Scalar>(d);
    Workspace<Scalar>::reserve(ws.scores, std::min(block, N));
    Scalar* s = ws.scores.data();
    const auto ud = std::size_t(d);
    for (Index i = 0; i < d; ++i) out[i] = Scalar(0);
    constexpr Scalar minus_inf = -std::numeric_limits<Scalar>::infinity();
    // The zero logit of softmax_1 enters as a phantom score 0 with weight exp(0 - max).
    Scalar top = extra_zero_logit ? Scalar(0) : minus_inf;
    Scalar sum = extra_zero_logit ? Scalar(1) : Scalar(0);
    for (Index b0 = 0; b0 < N; b0 += block) {
        const Index n = std::min(block, N - b0);
        similarity<Arch>(PatternView<Scalar>(X.row(b0), n, d, PatternView<Scalar>::trusted), q,
                         scale, s);
        detail::require_finite_scores(map_name, s, std::size_t(n));
        const Scalar block_top = simd::max<Arch>(s, std::size_t(n));
        if (block_top > top) {
            if (top != minus_inf) {  // rescale what was accumulated against the old maximum
                const Scalar r = std::exp(top - block_top);
                simd::scale<Arch>(r, out, ud);
                sum *= r;
            }
            top = block_top;
        }
        if (top == minus_inf) continue;  // every score so far is -inf
        sum += simd::exp_sum<Arch>(s, s, std::size_t(n), top);
        accumulate<Arch>(PatternView<Scalar>(X.row(b0), n, d, PatternView<Scalar>::trusted), s,
                         out);
    }
    if (sum > Scalar(0)) simd::scale<Arch>(Scalar(1) / sum, out, ud);
}

/// \brief Patterns per block of the blocked batch kernel: a block of scores for 128 queries is
/// 512 KiB of floats, so it stays in L2 between the two GEMMs that write and read it.
/// (Measured on Zen 4, B = 256, d = 256, N = 1e4: 1024 ahead of 512 and 2048.)
inline constexpr Index batch_block_patterns = 1024;

/// \brief Out = softmax(scale Q X^T) X (or softmax_1 with `extra_zero_logit`) for a batch of
/// queries, one per row of Q (B x d), blocked over the patterns: per block of
/// batch_block_patterns rows of X, one GEMM for the scores block, the online-softmax update
/// of each query row (block maximum, rescale of that row of Out when it grows, exp), one GEMM
/// adding the block's weighted rows to Out. The B x N scores are never formed: the scores
/// block stays in cache. Scores that overflow (to +-inf) throw, naming the map.
/// Out must be B x d and must not alias Q.
template <class Arch = simd::default_arch, Real Scalar>
void associate_softmax_blocked(PatternView<Scalar> X,
                               const std::type_identity_t<Eigen::Ref<const RowMatrix<Scalar>>>& Q,
                               std::type_identity_t<Scalar> scale, bool extra_zero_logit,
                               const char* map_name,
                               std::type_identity_t<Eigen::Ref<RowMatrix<Scalar>>> out,
                               Workspace<Scalar>& ws) {
    const Index B = Q.rows(), N = X.size(), d = X.dim();
    const Index block = std::min(N, batch_block_patterns);
    if (ws.batch_scores.rows() != B || ws.batch_scores.cols() < block)
        ws.batch_scores.resize(B, block);
    Workspace<Scalar>::reserve(ws.scores, 2 * B);
    Scalar* top = ws.scores.data();  // per query row: the running maximum, then the running sum
    Scalar* sum = top + B;
    constexpr Scalar minus_inf = -std::numeric_limits<Scalar>::infinity();
    // The zero logit of softmax_1 enters as a phantom score 0 with weight exp(0 - max).
    std::fill(top, top + B, extra_zero_logit ? Scalar(0) : minus_inf);
    std::fill(sum, sum + B, extra_zero_logit ? Scalar(1) : Scalar(0));
    out.setZero();
    const auto patterns = X.matrix();
    for (Index c0 = 0; c0 < N; c0 += block) {
        const Index n = std::min(block, N - c0);
        auto S = ws.batch_scores.topLeftCorner(B, n);
        const auto Xb = patterns.middleRows(c0, n);
        S.noalias() = scale * (Q * Xb.transpose());
        for (Index b = 0; b < B; ++b) {
            Scalar* s = S.row(b).data();
            detail::require_finite_scores(map_name, s, std::size_t(n));
            const Scalar block_top = simd::max<Arch>(s, std::size_t(n));
            if (block_top > top[b]) {
                if (top[b] !=
                    minus_inf) {  // rescale what this row accumulated against its old maximum
                    const Scalar r = std::exp(top[b] - block_top);
                    simd::scale<Arch>(r, out.row(b).data(), std::size_t(d));
                    sum[b] *= r;
                }
                top[b] = block_top;
            }
            sum[b] += simd::exp_sum<Arch>(s, s, std::size_t(n), top[b]);
        }
        out.noalias() += S * Xb;
    }
    for (Index b = 0; b < B; ++b)
        if (sum[b] > Scalar(0))
            simd::scale<Arch>(Scalar(1) / sum[b], out.row(b).data(), std::size_t(d));
}

/// \brief Retrieval with a separation map: out = X^T map(scale X q). The kernel picks the
/// path: one streaming pass for the softmax family, otherwise scores -> map -> projection of
/// the rows with non-zero weight (sparse maps touch only their support; the weights stay in
/// ws.scores).
template <class Arch = simd::default_arch, Real Scalar, SeparationMap Map>
void retrieve(PatternView<Scalar> X, const Scalar* q, std::type_identity_t<Scalar> scale,
              const Map& map, Scalar* out, Workspace<Scalar>& ws) {
    if constexpr (SoftmaxFamily<Map>) {
        associate_softmax_streaming<Arch>(X, q, scale, Map::extra_zero_logit, Map::name, out, ws);
    } else {
        associate<Arch>(
            X, q, scale, [&map](Scalar* z, Index n) { map.apply(z, z, std::size_t(n)); }, out, ws);
    }
}

/// \brief Batched retrieval with a separation map, one query per row of Q (B x d):
/// small batches loop retrieve(); from gemm_min_batch queries on, the softmax family runs
/// blocked over the patterns (associate_softmax_blocked), other maps two GEMMs with the map
/// applied row by row in between (see associate_batch; the weights stay in ws.batch_scores).
template <class Arch = simd::default_arch, Real Scalar, SeparationMap Map>
void retrieve_batch(PatternView<Scalar> X,
                    const std::type_identity_t<Eigen::Ref<const RowMatrix<Scalar>>>& Q,
                    std::type_identity_t<Scalar> scale, const Map& map,
                    std::type_identity_t<Eigen::Ref<RowMatrix<Scalar>>> out,
                    Workspace<Scalar>& ws) {
    if (Q.rows() < gemm_min_batch) {
        for (Index b = 0; b < Q.rows(); ++b)
            retrieve<Arch>(X, Q.row(b).data(), scale, map, out.row(b).data(), ws);
        return;
    }
    if constexpr (SoftmaxFamily<Map>) {
        associate_softmax_blocked<Arch>(X, Q, scale, Map::extra_zero_logit, Map::name, out, ws);
        return;
    }
    associate_batch<Arch>(
        X, Q, scale, [&map](Scalar* z, Index n) { map.apply(z, z, std::size_t(n)); }, out, ws);
}

}  // namespace hopfield::kernel
