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
/// `gemm_min_batch` queries or more. Patterns may be float or double rows (PatternView) or
/// bfloat16 rows (Bf16View): similarity / accumulate have an overload per storage, and the
/// streaming and blocked loops are written once over both. The slow, obviously-correct twin
/// lives in tests/reference.hpp.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/memory/bf16_memory.hpp"
#include "hopfield/retrieval/workspace.hpp"
#include "hopfield/separation/concept.hpp"
#include "hopfield/simd/bf16.hpp"
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
/// With `prefetch_ahead` > 0, each row's dot product is preceded by a non-temporal prefetch
/// of the row that many bytes further on (the streaming kernel's way of keeping DRAM busy;
/// see stream_prefetch_bytes). The hinted bytes may lie past the view: hints never fault.
/// (Measured: four rows per pass over q, sharing its loads, was slower than this on Zen 4.)
template <class Arch = simd::default_arch, Real Scalar>
void similarity(PatternView<Scalar> X, const Scalar* q, std::type_identity_t<Scalar> scale,
                Scalar* s, std::size_t prefetch_ahead = 0) noexcept {
    const auto d = std::size_t(X.dim());
    for (Index mu = 0; mu < X.size(); ++mu) {
        if (prefetch_ahead != 0) simd::prefetch_nta(X.row(mu), prefetch_ahead, d * sizeof(Scalar));
        s[mu] = scale * simd::dot<Arch>(X.row(mu), q, d);
    }
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
/// (8-batch output chunks in registers across a streaming block were measured 25-60% slower
/// at d = 64..1024 on Zen 4; 4-batch chunks are faster there: see detail::accumulate_block,
/// which the streaming kernel uses.)
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

namespace detail {
/// The rule of streaming_block_rows for rows of `row_bytes` bytes, whatever their storage.
inline Index streaming_block_rows_of(std::size_t row_bytes) noexcept {
    const std::size_t bytes = row_bytes <= grouped_row_bytes ? 16384 : 131072;
    return std::clamp<Index>(Index(bytes / row_bytes), 4, 1024);
}
}  // namespace detail

/// \brief Rows per block of the streaming kernel, so that a block read for its scores is still
/// in cache when it is read again for the projection: about 16 KiB (L1) when rows are
/// projected in groups (grouped_row_bytes), else about 128 KiB (L2). Measured on Zen 4: with
/// groups, 16 KiB blocks beat 32 KiB by ~4% and 64-128 KiB by 5-15% at d = 64..256; without,
/// 4 KiB to 256 KiB are within noise of each other, 128 KiB slightly ahead.
template <Real Scalar>
Index streaming_block_rows(Index d) noexcept {
    return detail::streaming_block_rows_of(std::size_t(std::max<Index>(d, 1)) * sizeof(Scalar));
}

/// \brief How far ahead (bytes) the streaming kernel's score pass hints rows into L1 with a
/// non-temporal prefetch (simd::prefetch_nta), one row per row scored, when the patterns are
/// larger than stream_prefetch_min_bytes. Measured on Zen 4 (2026-11-28, interleaved A/B,
/// medians of 7-9, against no hint): N = 1e5 float 0.69-0.93x the time at d = 64, 0.81-0.87x
/// at d = 256, 1.02-1.11x at d = 1024; bfloat16 0.71-0.84x at d = 256, 0.88-0.90x at
/// d = 1024; double 0.97x at d = 256. 8 KiB beat 4, 16 and 32 KiB and a T0 hint; T0 / T1
/// hints of the whole next block, tried earlier, were slower than none.
inline constexpr std::size_t stream_prefetch_bytes = 8192;

/// \brief Patterns of at most this many bytes stream without prefetch hints: they sit in L3
/// between queries, where the hints cost 4-11% (N = 1e3..1e4, d = 64..256), except bfloat16
/// at d = 1024, N = 1e4 (20 MB), which gained 15%.
inline constexpr std::size_t stream_prefetch_min_bytes = std::size_t(16) << 20;

namespace detail {
/// The prefetch distance for patterns of `bytes` bytes in all (0: no hints).
inline std::size_t stream_prefetch_ahead(std::size_t bytes) noexcept {
    return bytes > stream_prefetch_min_bytes ? stream_prefetch_bytes : 0;
}
}  // namespace detail

/// \brief Rows per block of the streaming kernel over bfloat16 rows: the float rule applied to
/// their bytes (16 KiB blocks when rows are projected in groups, else 128 KiB).
inline Index streaming_block_rows(const Bf16View& X) noexcept {
    return detail::streaming_block_rows_of(std::size_t(std::max<Index>(X.words(), 1)) * 4);
}

/// \brief s[mu] = scale * (x_mu . q) over bfloat16 patterns, with the query split into its
/// even and odd positions (q_split: X.words() even values, then X.words() odd values; see
/// simd/bf16.hpp).
/// `prefetch_ahead` as for float patterns.
template <class Arch = simd::default_arch>
void similarity(Bf16View X, const float* q_split, float scale, float* s,
                std::size_t prefetch_ahead = 0) noexcept {
    const auto words = std::size_t(X.words());
    for (Index mu = 0; mu < X.size(); ++mu) {
        if (prefetch_ahead != 0) simd::prefetch_nta(X.row(mu), prefetch_ahead, words * 4);
        s[mu] = scale * simd::dot_bf16<Arch>(X.row(mu), q_split, q_split + words, words);
    }
}

/// \brief out += sum_mu w[mu] x_mu over bfloat16 patterns into a split output (X.words()
/// even positions, then X.words() odd positions). Only rows with non-zero weight are read;
/// rows of at most grouped_row_bytes go in groups of projection_group, as for float.
template <class Arch = simd::default_arch>
void accumulate(Bf16View X, const float* w, float* out_split) noexcept {
    const auto words = std::size_t(X.words());
    float* odd = out_split + words;
    Index mu = 0;
    if (words * 4 <= grouped_row_bytes) {
        const std::uint32_t* rows[projection_group] = {};
        float weights[projection_group] = {};
        std::size_t m = 0;
        for (; mu < X.size(); ++mu) {
            if (w[mu] == 0.0f) continue;
            rows[m] = X.row(mu);
            weights[m] = w[mu];
            if (++m == projection_group) {
                simd::axpy_rows_bf16<projection_group, Arch>(rows, weights, out_split, odd, words);
                m = 0;
            }
        }
        for (std::size_t k = 0; k < m; ++k)
            simd::axpy_bf16<Arch>(weights[k], rows[k], out_split, odd, words);
        return;
    }
    for (; mu < X.size(); ++mu)
        if (w[mu] != 0.0f) simd::axpy_bf16<Arch>(w[mu], X.row(mu), out_split, odd, words);
}

namespace detail {

/// Patterns [first, first + count) of a view, unchecked (the streaming kernel's blocks).
template <Real Scalar>
PatternView<Scalar> rows(PatternView<Scalar> X, Index first, Index count) noexcept {
    return PatternView<Scalar>(X.row(first), count, X.dim(), PatternView<Scalar>::trusted);
}
inline Bf16View rows(Bf16View X, Index first, Index count) noexcept { return X.rows(first, count); }

/// The streaming pass's projection of one block (just scored, so in cache): float / double
/// rows of at most grouped_row_bytes through simd::axpy_rows_resident (the output in registers;
/// every row read, zero weight or not), other rows and storages through accumulate().
/// Measured on Zen 4 (2026-11-28, whole single-query kernel, four alternating runs of old and new
/// binaries, against accumulate's groups of 8 non-zero rows): 0.82-0.86x the time at d = 64
/// and 256 in cache (N = 1e3, 1e4), 0.84-0.89x at N = 1e5 (noisier); d = 1024 keeps the old
/// path.
template <class Arch, Real Scalar>
void accumulate_block(PatternView<Scalar> X, const Scalar* w, Scalar* out) noexcept {
    const auto d = std::size_t(X.dim());
    if (d * sizeof(Scalar) <= grouped_row_bytes)
        simd::axpy_rows_resident<Arch>(X.row(0), std::size_t(X.size()), d, w, out, d);
    else
        accumulate<Arch>(X, w, out);
}
template <class Arch>
void accumulate_block(Bf16View X, const float* w, float* out) noexcept {
    accumulate<Arch>(X, w, out);
}

/// One block of the online softmax (Milakov & Gimelshein 2018): with the running maximum
/// `top` and running sum `sum` of exp(score - top) so far, takes the block's n scores s:
/// when the block maximum exceeds `top`, rescales the accumulated output acc (acc_n values)
/// and `sum` by exp(top - new maximum); then s becomes exp(s - top) and is added to `sum`.
/// The scores must be finite (the callers check), so `top` is finite after the first block.
template <class Arch, class Scalar>
void online_softmax_block(Scalar* s, std::size_t n, Scalar& top, Scalar& sum, Scalar* acc,
                          std::size_t acc_n) noexcept {
    const Scalar block_top = simd::max<Arch>(s, n);
    if (block_top > top) {
        if (top != -std::numeric_limits<Scalar>::infinity()) {
            const Scalar r = std::exp(top - block_top);
            simd::scale<Arch>(r, acc, acc_n);
            sum *= r;
        }
        top = block_top;
    }
    sum += simd::exp_sum<Arch>(s, s, n, top);
}

/// The streaming pass over any pattern storage with similarity / accumulate overloads:
/// acc (acc_n values, in the storage's query / output layout) = X^T softmax(scale X q).
template <class Arch, class Rows, Real Scalar>
void stream_softmax(Rows X, Index block, const Scalar* q, Scalar scale, bool extra_zero_logit,
                    const char* map_name, Scalar* acc, std::size_t acc_n, Workspace<Scalar>& ws,
                    std::size_t prefetch_ahead) {
    const Index N = X.size();
    Workspace<Scalar>::reserve(ws.scores, std::min(block, N));
    Scalar* s = ws.scores.data();
    std::fill(acc, acc + acc_n, Scalar(0));
    // The zero logit of softmax_1 enters as a phantom score 0 with weight exp(0 - max).
    Scalar top = extra_zero_logit ? Scalar(0) : -std::numeric_limits<Scalar>::infinity();
    Scalar sum = extra_zero_logit ? Scalar(1) : Scalar(0);
    for (Index b0 = 0; b0 < N; b0 += block) {
        const Index n = std::min(block, N - b0);
        const auto Xb = rows(X, b0, n);
        similarity<Arch>(Xb, q, scale, s, prefetch_ahead);
        require_finite_scores(map_name, s, std::size_t(n));
        online_softmax_block<Arch>(s, std::size_t(n), top, sum, acc, acc_n);
        accumulate_block<Arch>(Xb, s, acc);
    }
    if (sum > Scalar(0)) simd::scale<Arch>(Scalar(1) / sum, acc, acc_n);
}

/// The query split into even / odd positions in ws.staged (first 2 X.words() values), with
/// room for the split output after it; returns the split query.
inline float* stage_query(Bf16View X, const float* q, Workspace<float>& ws) {
    const auto words = std::size_t(X.words());
    Workspace<float>::reserve(ws.staged, Index(4 * words));
    float* staged = ws.staged.data();
    simd::split(q, std::size_t(X.dim()), staged, staged + words);
    return staged;
}

}  // namespace detail

/// \brief out = X^T softmax(scale X q) (or softmax_1 with `extra_zero_logit`) in ONE pass over
/// X: the online-softmax recurrence (Milakov & Gimelshein 2018; flash attention), per block of
/// rows: scores, block maximum, rescale the accumulator when the maximum grows, then add the
/// block's rows weighted by exp(score - max). Memory traffic is one read of X instead of the
/// two of scores-then-projection. Scores that overflow (to +-inf) throw, naming the map.
template <class Arch = simd::default_arch, Real Scalar>
void associate_softmax_streaming(PatternView<Scalar> X, const Scalar* q,
                                 std::type_identity_t<Scalar> scale, bool extra_zero_logit,
                                 const char* map_name, Scalar* out, Workspace<Scalar>& ws) {
    detail::stream_softmax<Arch>(
        X, streaming_block_rows<Scalar>(X.dim()), q, scale, extra_zero_logit, map_name, out,
        std::size_t(X.dim()), ws,
        detail::stream_prefetch_ahead(std::size_t(X.size()) * std::size_t(X.dim()) *
                                      sizeof(Scalar)));
}

/// \brief The streaming softmax pass over bfloat16 patterns (float query and output): the
/// same recurrence, reading half the bytes. Uses ws.staged for the split query and output.
template <class Arch = simd::default_arch>
void associate_softmax_streaming(Bf16View X, const float* q, float scale, bool extra_zero_logit,
                                 const char* map_name, float* out, Workspace<float>& ws) {
    const auto words = std::size_t(X.words());
    const float* q_split = detail::stage_query(X, q, ws);
    float* acc = ws.staged.data() + 2 * words;
    detail::stream_softmax<Arch>(X, streaming_block_rows(X), q_split, scale, extra_zero_logit,
                                 map_name, acc, 2 * words, ws,
                                 detail::stream_prefetch_ahead(std::size_t(X.size()) * words * 4));
    simd::merge(acc, acc + words, std::size_t(X.dim()), out);
}

/// \brief One pass of the kernel for a single query over bfloat16 patterns:
/// out = X^T separate(scale * X q), float query and output. The weights stay in ws.scores
/// (first N values); ws.staged holds the split query and output.
template <class Arch = simd::default_arch, class Separate>
void associate(Bf16View X, const float* q, float scale, Separate&& separate, float* out,
               Workspace<float>& ws) {
    const auto words = std::size_t(X.words());
    Workspace<float>::reserve(ws.scores, X.size());
    float* s = ws.scores.data();
    const float* q_split = detail::stage_query(X, q, ws);
    float* acc = ws.staged.data() + 2 * words;
    similarity<Arch>(X, q_split, scale, s);
    detail::require_finite_scores("retrieval kernel", s, std::size_t(X.size()));
    separate(s, X.size());
    std::fill(acc, acc + 2 * words, 0.0f);
    accumulate<Arch>(X, s, acc);
    simd::merge(acc, acc + words, std::size_t(X.dim()), out);
}

/// \brief Patterns per block of the blocked batch kernel: a block of scores for 128 queries is
/// 512 KiB of floats, so it stays in L2 between the two GEMMs that write and read it.
/// (Measured on Zen 4, B = 256, d = 256, N = 1e4: 1024 ahead of 512 and 2048.)
inline constexpr Index batch_block_patterns = 1024;

namespace detail {

/// Rows [first, first + count) of the patterns as a float / double matrix for the GEMMs: the
/// rows themselves for a PatternView; for a Bf16View, decoded into `buffer` (exact).
template <Real Scalar>
Eigen::Map<const RowMatrix<Scalar>> gemm_rows(PatternView<Scalar> X, Index first, Index count,
                                              Vector<Scalar>&) noexcept {
    return Eigen::Map<const RowMatrix<Scalar>>(X.row(first), count, X.dim());
}
inline Eigen::Map<const RowMatrix<float>> gemm_rows(Bf16View X, Index first, Index count,
                                                    Vector<float>& buffer) {
    const Index d = X.dim();
    Workspace<float>::reserve(buffer, count * d);
    for (Index r = 0; r < count; ++r)
        simd::decode_bf16(X.row(first + r), std::size_t(d), buffer.data() + r * d);
    return Eigen::Map<const RowMatrix<float>>(buffer.data(), count, d);
}

/// The body of associate_softmax_blocked for any storage with a gemm_rows overload.
template <class Arch, class Rows, Real Scalar>
void blocked_softmax(Rows X, const Eigen::Ref<const RowMatrix<Scalar>>& Q, Scalar scale,
                     bool extra_zero_logit, const char* map_name, Eigen::Ref<RowMatrix<Scalar>> out,
                     Workspace<Scalar>& ws) {
    const Index B = Q.rows(), N = X.size(), d = X.dim();
    const Index block = std::min(N, batch_block_patterns);
    if (ws.batch_scores.rows() != B || ws.batch_scores.cols() < block)
        ws.batch_scores.resize(B, block);
    Workspace<Scalar>::reserve(ws.scores, 2 * B);
    Scalar* top = ws.scores.data();  // per query row: the running maximum, then the running sum
    Scalar* sum = top + B;
    // The zero logit of softmax_1 enters as a phantom score 0 with weight exp(0 - max).
    std::fill(top, top + B,
              extra_zero_logit ? Scalar(0) : -std::numeric_limits<Scalar>::infinity());
    std::fill(sum, sum + B, extra_zero_logit ? Scalar(1) : Scalar(0));
    out.setZero();
    for (Index c0 = 0; c0 < N; c0 += block) {
        const Index n = std::min(block, N - c0);
        auto S = ws.batch_scores.topLeftCorner(B, n);
        const auto Xb = gemm_rows(X, c0, n, ws.staged);
        S.noalias() = scale * (Q * Xb.transpose());
        for (Index b = 0; b < B; ++b) {
            Scalar* s = S.row(b).data();
            require_finite_scores(map_name, s, std::size_t(n));
            online_softmax_block<Arch>(s, std::size_t(n), top[b], sum[b], out.row(b).data(),
                                       std::size_t(d));
        }
        out.noalias() += S * Xb;
    }
    for (Index b = 0; b < B; ++b)
        if (sum[b] > Scalar(0))
            simd::scale<Arch>(Scalar(1) / sum[b], out.row(b).data(), std::size_t(d));
}

}  // namespace detail

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
    detail::blocked_softmax<Arch>(X, Q, scale, extra_zero_logit, map_name, out, ws);
}

/// \brief The blocked batch kernel over bfloat16 patterns: each block of
/// batch_block_patterns rows is decoded to float (1 MiB at d = 256, in ws.staged) and goes
/// through the same two GEMMs, so a batch costs what it costs on float patterns plus one
/// decode of X per call.
template <class Arch = simd::default_arch>
void associate_softmax_blocked(Bf16View X, const Eigen::Ref<const RowMatrix<float>>& Q, float scale,
                               bool extra_zero_logit, const char* map_name,
                               Eigen::Ref<RowMatrix<float>> out, Workspace<float>& ws) {
    detail::blocked_softmax<Arch>(X, Q, scale, extra_zero_logit, map_name, out, ws);
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

/// \brief Retrieval over bfloat16 patterns (float query and output), every map: the streaming
/// pass for the softmax family, otherwise scores -> map -> projection of the non-zero rows.
template <class Arch = simd::default_arch, SeparationMap Map>
void retrieve(Bf16View X, const float* q, float scale, const Map& map, float* out,
              Workspace<float>& ws) {
    if constexpr (SoftmaxFamily<Map>) {
        associate_softmax_streaming<Arch>(X, q, scale, Map::extra_zero_logit, Map::name, out, ws);
    } else {
        associate<Arch>(
            X, q, scale, [&map](float* z, Index n) { map.apply(z, z, std::size_t(n)); }, out, ws);
    }
}

/// \brief Batched retrieval over bfloat16 patterns: from gemm_min_batch queries on, the
/// softmax family runs blocked (blocks decoded to float, then the float GEMMs); smaller
/// batches and the other maps run retrieve() per query row.
template <class Arch = simd::default_arch, SeparationMap Map>
void retrieve_batch(Bf16View X, const Eigen::Ref<const RowMatrix<float>>& Q, float scale,
                    const Map& map, Eigen::Ref<RowMatrix<float>> out, Workspace<float>& ws) {
    if constexpr (SoftmaxFamily<Map>) {
        if (Q.rows() >= gemm_min_batch) {
            associate_softmax_blocked<Arch>(X, Q, scale, Map::extra_zero_logit, Map::name, out, ws);
            return;
        }
    }
    for (Index b = 0; b < Q.rows(); ++b)
        retrieve<Arch>(X, Q.row(b).data(), scale, map, out.row(b).data(), ws);
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
