#pragma once
/// \file hopfield.hpp
/// \brief Hopfield<Scalar, Map>: the multi-head Hopfield layer of Ramsauer et al. (2021),
/// "Hopfield Networks is All You Need" (eq. 3 and its multi-head form, models.md section 4),
/// with the semantics and state_dict keys of the PyTorch reference (hflayers) and without its
/// defects (hflayers-semantics.md); plus plain retrieval in one call.
///
/// Per head h, with the projections of the raw patterns (after their LayerNorms):
///     q = Wq R + bq,  k = Wk Y + bk,  v = Wv V + bv          (a static part skips its projection)
///     A_0 = sep_h(beta_h q k^T + mask)                       (pass 0)
///     A_s = sep_h(beta_h (A_{s-1} k) k^T + mask)             (update s, while the head is active)
///     out = act( concat_h(A_T v_h) Wo^T + bo )
/// The association step of every pass goes through the library's retrieval kernel
/// (kernel::associate_batch), with the head's separation map as its separation step.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/layers/layer_norm.hpp"
#include "hopfield/layers/mask.hpp"
#include "hopfield/layers/options.hpp"
#include "hopfield/layers/state_dict.hpp"
#include "hopfield/layers/tensor.hpp"
#include "hopfield/retrieval/kernel.hpp"
#include "hopfield/retrieval/workspace.hpp"
#include "hopfield/separation/concept.hpp"
#include "hopfield/separation/softmax.hpp"

namespace hopfield::layers {

/// \brief Masks and optional outputs of one forward call.
/// \tparam Scalar the layer's scalar.
template <Real Scalar>
struct ForwardOptions {
    /// \brief (B, S) mask over the stored patterns of each batch entry; nullptr = none.
    const Mask<Scalar>* stored_pattern_padding_mask = nullptr;
    /// \brief (L, S), (B * H, L, S) or (B, H, L, S) mask over query / pattern pairs.
    const Mask<Scalar>* association_mask = nullptr;
    /// \brief Fill ForwardResult::association.
    bool return_association = false;
    /// \brief Fill ForwardResult::head_outputs.
    bool return_head_outputs = false;
    /// \brief Fill ForwardResult::energy.
    bool return_energy = false;
};

/// \brief What a forward call returns.
/// \tparam Scalar the layer's scalar.
template <Real Scalar>
struct ForwardResult {
    /// \brief The layer output: (B, L, out) (or (L, B, out) when not batch_first);
    /// HopfieldPooling: (B, quantity * out).
    Tensor<Scalar> output;
    /// \brief On request: the final association matrices, (B, H, L, S'), S' = S + 1 with
    /// concat_bias_pattern (the bias column) + 1 with add_zero_association (the last column).
    Tensor<Scalar> association;
    /// \brief On request: each head's retrieved values A_T v_h before the output projection,
    /// (B, H, L, pd).
    Tensor<Scalar> head_outputs;
    /// \brief On request: the energy of each head's final state xi_T (the state whose
    /// association is returned), (B, H, L), in double:
    /// E = -(1/beta) [Psi*(beta k xi + m) - Psi*(m)] + xi.xi/2 + M^2/2, m the mask row
    /// (-inf where blocked), M the largest norm of a key the row does not block, Psi* the
    /// map's conjugate. xi_0 = q (after the Hopfield-space norm, before beta), xi_s = A_{s-1} k.
    /// Without masks this is the energy of the modern Hopfield network over the keys
    /// (models.md section 3); it never increases along the update steps. All blocked: xi.xi/2.
    Tensor<double> energy;
    /// \brief Per head, the number of update steps performed after pass 0.
    std::vector<int> steps;
};

namespace detail {

/// Patterns in batch-major rows: pattern (b, i) starts at data + (b * length + i) * dim.
/// batch == 1 with a larger forward batch means "shared by every batch entry" (the learned
/// patterns of HopfieldPooling and HopfieldLayer).
template <Real Scalar>
struct Patterns {
    const Scalar* data = nullptr;
    Index batch = 0;
    Index length = 0;
    Index dim = 0;
};

/// Checks a rank-3 sequence tensor and returns it batch-major (copying only when it is
/// sequence-first).
template <Real Scalar>
Patterns<Scalar> sequence(const char* where, const char* arg, const Tensor<Scalar>& t,
                          bool batch_first, Index features, std::vector<Scalar>& storage) {
    if (t.rank() != 3)
        throw invalid_argument(where, arg, t.shape_string(),
                               batch_first ? "must have rank 3: (batch, length, features)"
                                           : "must have rank 3: (length, batch, features)");
    if (t.dim(2) != features)
        throw invalid_argument(where, arg, t.shape_string(),
                               "must have " + std::to_string(features) + " features (last axis)");
    hopfield::detail::require_finite(where, arg, t.data(), std::size_t(t.size()));
    const Index B = batch_first ? t.dim(0) : t.dim(1), n = batch_first ? t.dim(1) : t.dim(0);
    if (batch_first) return {t.data(), B, n, features};
    storage.resize(std::size_t(t.size()));
    for (Index i = 0; i < n; ++i)
        for (Index b = 0; b < B; ++b)
            std::copy_n(t.data() + (i * B + b) * features, features,
                        storage.data() + (b * n + i) * features);
    return {storage.data(), B, n, features};
}

}  // namespace detail

namespace detail {

/// Per-thread scratch of the layers' forward: buffers that only grow, so that steady-state
/// forward calls do not allocate (nor page-fault) beyond their result tensors.
template <Real Scalar>
struct LayerScratch {
    RowMatrix<Scalar> y_norm, r_norm, p_norm, q_full, k_full, v_full, connected, heads;
    std::vector<Scalar> qb, kb, vb, assoc, state0, state1;

    static LayerScratch& local() {
        thread_local LayerScratch scratch;
        return scratch;
    }
};

/// Makes v hold at least n values (contents unspecified) and returns its data.
template <class T>
T* grow(std::vector<T>& v, Index n) {
    if (v.size() < std::size_t(n)) v.resize(std::size_t(n));
    return v.data();
}

/// out = X W^T + b (b may be null) into a destination of the right size. With a bias, the
/// bias rows are written first and the product accumulated onto them: one pass over `out`
/// fewer than product-then-bias, since Eigen clears a product's destination before it
/// accumulates.
template <Real Scalar, class Lhs, class Rhs, class Out>
void linear_into(const Lhs& X, const Rhs& W, const Scalar* b, Out&& out) {
    if (b == nullptr) {
        out.noalias() = X * W.transpose();
        return;
    }
    out.rowwise() = Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>>(b, W.rows());
    out.noalias() += X * W.transpose();
}

/// out = X W^T (+ b), rows of X in, rows of out; out is resized.
template <Real Scalar>
void linear(Eigen::Map<const RowMatrix<Scalar>> X, Eigen::Map<const RowMatrix<Scalar>> W,
            const Scalar* b, RowMatrix<Scalar>& out) {
    out.resize(X.rows(), W.rows());
    linear_into(X, W, b, out);
}

/// The additive mask rows of one forward call, resolved against the batch, heads and sizes.
template <Real Scalar>
struct MaskRows {
    const Scalar* padding = nullptr;      // (B, S)
    const Scalar* association = nullptr;  // (L, S) or (B * H, L, S)
    bool per_batch_head = false;
    Index H = 1, L = 0, S = 0;

    MaskRows(const ForwardOptions<Scalar>& fo, Index B, Index heads, Index queries, Index stored)
        : H(heads), L(queries), S(stored) {
        constexpr const char* where = "Hopfield::forward";
        if (const auto* m = fo.stored_pattern_padding_mask; m != nullptr && !m->empty()) {
            if (m->shape() != std::vector<Index>{B, S})
                throw invalid_argument(
                    where, "stored_pattern_padding_mask", npy::shape_string(m->shape()),
                    "must have shape (batch, stored) = " + npy::shape_string({B, S}));
            padding = m->additive_values().data();
        }
        if (const auto* m = fo.association_mask; m != nullptr && !m->empty()) {
            const auto& sh = m->shape();
            if (sh == std::vector<Index>{L, S}) {
                per_batch_head = false;
            } else if (sh == std::vector<Index>{B * H, L, S} ||
                       sh == std::vector<Index>{B, H, L, S}) {
                per_batch_head = true;
            } else {
                throw invalid_argument(
                    where, "association_mask", npy::shape_string(sh),
                    "must have shape (queries, stored) = " + npy::shape_string({L, S}) +
                        " or (batch * heads, queries, stored) = " +
                        npy::shape_string({B * H, L, S}));
            }
            association = m->additive_values().data();
        }
    }

    bool any() const noexcept { return padding != nullptr || association != nullptr; }

    /// Adds the mask of query l of (b, h) to its S scores (the extra columns are untouched).
    template <class T>
    void apply(T* z, Index b, Index h, Index l) const noexcept {
        if (padding != nullptr) {
            const Scalar* m = padding + b * S;
            for (Index j = 0; j < S; ++j) z[j] += T(m[j]);
        }
        if (association != nullptr) {
            const Scalar* m = association + ((per_batch_head ? (b * H + h) * L : 0) + l) * S;
            for (Index j = 0; j < S; ++j) z[j] += T(m[j]);
        }
    }
};

}  // namespace detail

/// \brief The Hopfield layer: association of state patterns R with stored patterns Y, retrieving
/// projected patterns V, in `num_heads` heads (the reference's `Hopfield` module).
///
/// Construct it with HopfieldOptions (the reference's constructor arguments), then load the
/// trained weights by their state_dict keys (load_npy(layer, folder), load_state_dict(layer,
/// dict), set_parameter). A new layer has zero projection weights and identity norms.
///
/// Differences from the reference, all deliberate (docs/layers.md): per-head beta is applied
/// to its own head in every pass; static patterns never mix batch entries; concat_bias_pattern
/// really appends bias_k / bias_v (one stored pattern more, never masked, after the
/// projections and before the Hopfield-space norm); uint8 masks work; a row where every stored
/// pattern is blocked retrieves zero (never NaN); dropout is not supported (inference).
///
/// forward() is const and thread-safe: its scratch buffers are per thread and only grow.
/// \tparam Scalar float or double.
/// \tparam Map the separation map (Softmax as the reference; Softmax1, Sparsemax, Entmax15,
///         Entmax with one alpha per head, ...), one instance per head.
template <Real Scalar, SeparationMap Map = Softmax>
class Hopfield {
public:
    /// \brief The scalar type.
    using scalar_type = Scalar;
    /// \brief The separation map type.
    using map_type = Map;

    /// \brief A layer with a default-constructed map in every head.
    explicit Hopfield(const HopfieldOptions& options) requires std::default_initializable<Map>
        : Hopfield(options, std::vector<Map>{Map{}}) {}

    /// \brief A layer with the same map in every head.
    Hopfield(const HopfieldOptions& options, Map map)
        : Hopfield(options, std::vector<Map>{std::move(map)}) {}

    /// \brief A layer with one map per head (or one for all); e.g. Entmax with per-head alpha.
    Hopfield(const HopfieldOptions& options, std::vector<Map> maps)
        : options_(options), shape_(HopfieldShape::resolve(options)) {
        const auto H = std::size_t(shape_.heads);
        if (maps.size() == 1) maps.assign(H, maps[0]);
        if (maps.size() != H)
            throw invalid_argument("Hopfield", "maps.size()", maps.size(),
                                   "must be 1 or num_heads = " + std::to_string(H));
        maps_ = std::move(maps);
        const auto& o = options_;
        const auto& s = shape_;
        if (o.normalize_stored_pattern)
            norm_stored_ = LayerNorm<Scalar>(s.stored_size, o.normalize_stored_pattern_eps,
                                             o.normalize_stored_pattern_affine);
        if (o.normalize_state_pattern)
            norm_state_ = LayerNorm<Scalar>(s.state_size, o.normalize_state_pattern_eps,
                                            o.normalize_state_pattern_affine);
        if (o.normalize_pattern_projection)
            norm_projection_ =
                LayerNorm<Scalar>(s.projection_size, o.normalize_pattern_projection_eps,
                                  o.normalize_pattern_projection_affine);
        if (o.normalize_hopfield_space)
            norm_space_ = LayerNorm<Scalar>(s.head_dim, o.normalize_hopfield_space_eps,
                                            o.normalize_hopfield_space_affine);
        const Index qk = s.heads * s.head_dim, v = s.heads * s.pattern_dim;
        if (!s.all_static) {
            if (s.fused) {
                in_proj_weight_ =
                    RowMatrix<Scalar>::Zero(q_rows() + k_rows() + v_rows(), s.state_size);
            } else {
                if (!o.state_pattern_as_static)
                    q_proj_weight_ = RowMatrix<Scalar>::Zero(qk, s.state_size);
                if (!o.stored_pattern_as_static)
                    k_proj_weight_ = RowMatrix<Scalar>::Zero(qk, s.stored_size);
                if (!o.pattern_projection_as_static)
                    v_proj_weight_ = RowMatrix<Scalar>::Zero(
                        v, o.pattern_projection_as_connected ? qk : s.projection_size);
            }
            if (o.input_bias) in_proj_bias_ = Vector<Scalar>::Zero(q_rows() + k_rows() + v);
        }
        if (o.concat_bias_pattern) {
            bias_k_ = Vector<Scalar>::Zero(qk);
            bias_v_ = Vector<Scalar>::Zero(v);
        }
        if (!o.disable_out_projection) {
            out_proj_weight_ = RowMatrix<Scalar>::Zero(s.output_size, v);
            if (o.input_bias) out_proj_bias_ = Vector<Scalar>::Zero(s.output_size);
        }
    }

    /// \brief The options the layer was built with.
    const HopfieldOptions& options() const noexcept { return options_; }
    /// \brief The resolved sizes (heads, head_dim, pattern_dim, ...) and per-head beta.
    const HopfieldShape& shape() const noexcept { return shape_; }
    /// \brief The separation map of head h.
    const Map& map(Index head) const { return maps_.at(std::size_t(head)); }

    /// \brief Self-association: `input` is the stored, the state and the projected patterns
    /// (each through its own LayerNorm). Returns the output only.
    Tensor<Scalar> operator()(const Tensor<Scalar>& input) const { return forward(input).output; }

    /// \brief Self-association: `input` (B, L, input_size) is stored, state and projection.
    ForwardResult<Scalar> forward(const Tensor<Scalar>& input,
                                  const ForwardOptions<Scalar>& fo = {}) const {
        return forward(input, input, input, fo);
    }

    /// \brief Association of `state` (B, L, input_size) with `stored` (B, S,
    /// stored_pattern_size), retrieving from `projection` (B, S, pattern_projection_size);
    /// sequence-first (L, B, .) when not batch_first.
    ForwardResult<Scalar> forward(const Tensor<Scalar>& stored, const Tensor<Scalar>& state,
                                  const Tensor<Scalar>& projection,
                                  const ForwardOptions<Scalar>& fo = {}) const {
        constexpr const char* where = "Hopfield::forward";
        const bool bf = options_.batch_first;
        std::vector<Scalar> ys, rs, ps;
        const auto Y = detail::sequence(where, "stored", stored, bf, shape_.stored_size, ys);
        const auto R = detail::sequence(where, "state", state, bf, shape_.state_size, rs);
        const auto P =
            detail::sequence(where, "projection", projection, bf, shape_.projection_size, ps);
        if (Y.batch != R.batch || P.batch != R.batch)
            throw invalid_argument(where, "batch sizes",
                                   std::to_string(Y.batch) + ", " + std::to_string(R.batch) + ", " +
                                       std::to_string(P.batch),
                                   "stored, state and projection must have the same batch size");
        auto result = forward_patterns(Y, R, P, R.batch, fo);
        if (!bf) result.output = to_sequence_first(result.output);
        return result;
    }

    /// \brief The energy (B, H, L) of each head's final state, the state whose association the
    /// forward returns (see ForwardResult::energy); self-association.
    Tensor<double> energy(const Tensor<Scalar>& input, ForwardOptions<Scalar> fo = {}) const {
        return energy(input, input, input, fo);
    }

    /// \brief The energy (B, H, L) of each head's final state (see ForwardResult::energy).
    Tensor<double> energy(const Tensor<Scalar>& stored, const Tensor<Scalar>& state,
                          const Tensor<Scalar>& projection, ForwardOptions<Scalar> fo = {}) const {
        fo.return_energy = true;
        return forward(stored, state, projection, fo).energy;
    }

    /// \brief The core on batch-major patterns; a pattern set with batch 1 is shared by the
    /// `batch` entries (used by HopfieldPooling and HopfieldLayer). Output batch-major.
    ForwardResult<Scalar> forward_patterns(const detail::Patterns<Scalar>& Y,
                                           const detail::Patterns<Scalar>& R,
                                           const detail::Patterns<Scalar>& P, Index batch,
                                           const ForwardOptions<Scalar>& fo) const;

    /// \brief Calls f(key, shape, data) for every parameter, in state_dict order, with keys
    /// prefixed by `prefix`.
    template <class F>
    void visit_parameters(F&& f, const std::string& prefix = "") {
        visit_impl(*this, f, prefix);
    }
    /// \brief Calls f(key, shape, const data) for every parameter, in state_dict order.
    template <class F>
    void visit_parameters(F&& f, const std::string& prefix = "") const {
        visit_impl(*this, f, prefix);
    }

private:
    void energy_rows(Index b, Index h, const Scalar* xi_block, const Scalar* key_block, Index Sx,
                     Index L, const detail::MaskRows<Scalar>& masks, Tensor<double>& energy) const;

    Index q_rows() const {
        return options_.state_pattern_as_static ? 0 : shape_.heads * shape_.head_dim;
    }
    Index k_rows() const {
        return options_.stored_pattern_as_static ? 0 : shape_.heads * shape_.head_dim;
    }
    Index v_rows() const {
        return options_.pattern_projection_as_static ? 0 : shape_.heads * shape_.pattern_dim;
    }

    using ConstMap = Eigen::Map<const RowMatrix<Scalar>>;
    ConstMap Wq() const {
        return shape_.fused
                   ? ConstMap(in_proj_weight_.data(), q_rows(), shape_.state_size)
                   : ConstMap(q_proj_weight_.data(), q_proj_weight_.rows(), q_proj_weight_.cols());
    }
    ConstMap Wk() const {
        return shape_.fused
                   ? ConstMap(in_proj_weight_.data() + q_rows() * shape_.state_size, k_rows(),
                              shape_.state_size)
                   : ConstMap(k_proj_weight_.data(), k_proj_weight_.rows(), k_proj_weight_.cols());
    }
    ConstMap Wv() const {
        return shape_.fused
                   ? ConstMap(in_proj_weight_.data() + (q_rows() + k_rows()) * shape_.state_size,
                              v_rows(), shape_.state_size)
                   : ConstMap(v_proj_weight_.data(), v_proj_weight_.rows(), v_proj_weight_.cols());
    }
    // in_proj_bias segments: q and k only when projected, v always (hflayers-semantics.md)
    const Scalar* bq() const { return options_.input_bias ? in_proj_bias_.data() : nullptr; }
    const Scalar* bk() const {
        return options_.input_bias ? in_proj_bias_.data() + q_rows() : nullptr;
    }
    const Scalar* bv() const {
        return options_.input_bias ? in_proj_bias_.data() + q_rows() + k_rows() : nullptr;
    }

    template <class Self, class F>
    static void visit_impl(Self& self, F& f, const std::string& prefix) {
        const auto& o = self.options_;
        const auto& s = self.shape_;
        auto vec = [&](const std::string& key, auto& v) {
            f(prefix + key, std::vector<Index>{v.size()}, v.data());
        };
        auto mat = [&](const std::string& key, auto& m) {
            f(prefix + key, std::vector<Index>{m.rows(), m.cols()}, m.data());
        };
        const std::string core = "association_core.";
        if (o.normalize_hopfield_space && o.normalize_hopfield_space_affine) {
            vec(core + "p_norm_weight", self.norm_space_.weight());
            vec(core + "p_norm_bias", self.norm_space_.bias());
        }
        if (!s.all_static) {
            if (s.fused) {
                mat(core + "in_proj_weight", self.in_proj_weight_);
            } else {
                if (!o.state_pattern_as_static) mat(core + "q_proj_weight", self.q_proj_weight_);
                if (!o.stored_pattern_as_static) mat(core + "k_proj_weight", self.k_proj_weight_);
                if (!o.pattern_projection_as_static)
                    mat(core + "v_proj_weight", self.v_proj_weight_);
            }
            if (o.input_bias) vec(core + "in_proj_bias", self.in_proj_bias_);
        }
        if (o.concat_bias_pattern) {
            f(prefix + core + "bias_k", std::vector<Index>{1, 1, self.bias_k_.size()},
              self.bias_k_.data());
            f(prefix + core + "bias_v", std::vector<Index>{1, 1, self.bias_v_.size()},
              self.bias_v_.data());
        }
        if (!o.disable_out_projection) {
            mat(core + "out_proj.weight", self.out_proj_weight_);
            if (o.input_bias) vec(core + "out_proj.bias", self.out_proj_bias_);
        }
        auto norm = [&](const char* name, bool on, auto& ln) {
            if (!on || !ln.affine()) return;
            vec(std::string("norm_") + name + ".weight", ln.weight());
            vec(std::string("norm_") + name + ".bias", ln.bias());
        };
        norm("stored_pattern", o.normalize_stored_pattern, self.norm_stored_);
        norm("state_pattern", o.normalize_state_pattern, self.norm_state_);
        norm("pattern_projection", o.normalize_pattern_projection, self.norm_projection_);
    }

    static Tensor<Scalar> to_sequence_first(const Tensor<Scalar>& t) {
        const Index B = t.dim(0), L = t.dim(1), F = t.dim(2);
        Tensor<Scalar> out({L, B, F});
        for (Index b = 0; b < B; ++b)
            for (Index l = 0; l < L; ++l)
                std::copy_n(t.data() + (b * L + l) * F, F, out.data() + (l * B + b) * F);
        return out;
    }

    HopfieldOptions options_;
    HopfieldShape shape_;
    std::vector<Map> maps_;
    LayerNorm<Scalar> norm_stored_, norm_state_, norm_projection_, norm_space_;
    RowMatrix<Scalar> in_proj_weight_, q_proj_weight_, k_proj_weight_, v_proj_weight_,
        out_proj_weight_;
    Vector<Scalar> in_proj_bias_, bias_k_, bias_v_, out_proj_bias_;
};

template <Real Scalar, SeparationMap Map>
ForwardResult<Scalar> Hopfield<Scalar, Map>::forward_patterns(
    const detail::Patterns<Scalar>& Y, const detail::Patterns<Scalar>& R,
    const detail::Patterns<Scalar>& P, Index batch, const ForwardOptions<Scalar>& fo) const {
    constexpr const char* where = "Hopfield::forward";
    const auto& o = options_;
    const auto& s = shape_;
    const Index B = batch, H = s.heads, hd = s.head_dim, pd = s.pattern_dim;
    const Index S = Y.length, L = R.length;
    if (P.length != S)
        throw invalid_argument(where, "projection length", P.length,
                               "must equal the number of stored patterns " + std::to_string(S));
    const Index nb = o.concat_bias_pattern ? 1 : 0, nz = o.add_zero_association ? 1 : 0;
    const Index Sx = S + nb + nz;  // columns of the association
    const detail::MaskRows<Scalar> masks(fo, B, H, L, S);
    auto& w = detail::LayerScratch<Scalar>::local();

    // 1. LayerNorms on the raw patterns (three independent ones even for one input tensor)
    auto normalized = [](const detail::Patterns<Scalar>& p, const LayerNorm<Scalar>& ln, bool on,
                         RowMatrix<Scalar>& storage) {
        const ConstMap raw(p.data, p.batch * p.length, p.dim);
        if (!on) return raw;
        storage.resize(raw.rows(), raw.cols());
        ln.apply_rows(raw, storage);  // straight from the input rows, no copy first
        return ConstMap(storage.data(), storage.rows(), storage.cols());
    };
    const ConstMap Yn = normalized(Y, norm_stored_, o.normalize_stored_pattern, w.y_norm);
    const ConstMap Rn = normalized(R, norm_state_, o.normalize_state_pattern, w.r_norm);
    const ConstMap Pn = normalized(P, norm_projection_, o.normalize_pattern_projection, w.p_norm);

    // 2. projections; a static part is used as is
    auto as_map = [](const RowMatrix<Scalar>& m) { return ConstMap(m.data(), m.rows(), m.cols()); };
    const ConstMap Q = o.state_pattern_as_static
                           ? Rn
                           : (detail::linear(Rn, Wq(), bq(), w.q_full), as_map(w.q_full));
    const ConstMap K = o.stored_pattern_as_static
                           ? Yn
                           : (detail::linear(Yn, Wk(), bk(), w.k_full), as_map(w.k_full));
    const ConstMap V = [&] {
        if (o.pattern_projection_as_static) return Pn;
        if (o.pattern_projection_as_connected) {  // v = Wv (Wk p + bk) + bv
            detail::linear(Pn, Wk(), bk(), w.connected);
            detail::linear(as_map(w.connected), Wv(), bv(), w.v_full);
        } else {
            detail::linear(Pn, Wv(), bv(), w.v_full);
        }
        return as_map(w.v_full);
    }();

    // 3. per-head contiguous blocks: keys and values get the bias row, then the zero row;
    //    the Hopfield-space norm (once, on q and k, not v) and nothing else touches them.
    const bool space_norm = o.normalize_hopfield_space;
    Scalar* qb = detail::grow(w.qb, R.batch * H * L * hd);
    Scalar* kb = detail::grow(w.kb, Y.batch * H * Sx * hd);
    Scalar* vb = detail::grow(w.vb, P.batch * H * Sx * pd);
    for (Index b = 0; b < R.batch; ++b)
        for (Index h = 0; h < H; ++h)
            for (Index l = 0; l < L; ++l) {
                Scalar* dst = qb + ((b * H + h) * L + l) * hd;
                std::copy_n(Q.row(b * L + l).data() + h * hd, hd, dst);
                if (space_norm) norm_space_.apply(dst, dst);
            }
    for (Index b = 0; b < Y.batch; ++b)
        for (Index h = 0; h < H; ++h) {
            Scalar* block = kb + (b * H + h) * Sx * hd;
            for (Index i = 0; i < S; ++i)
                std::copy_n(K.row(b * S + i).data() + h * hd, hd, block + i * hd);
            if (nb) std::copy_n(bias_k_.data() + h * hd, hd, block + S * hd);
            if (space_norm)
                for (Index i = 0; i < S + nb; ++i)
                    norm_space_.apply(block + i * hd, block + i * hd);
            if (nz) std::fill_n(block + (S + nb) * hd, hd, Scalar(0));
        }
    for (Index b = 0; b < P.batch; ++b)
        for (Index h = 0; h < H; ++h) {
            Scalar* block = vb + (b * H + h) * Sx * pd;
            for (Index i = 0; i < S; ++i)
                std::copy_n(V.row(b * S + i).data() + h * pd, pd, block + i * pd);
            if (nb) std::copy_n(bias_v_.data() + h * pd, pd, block + S * pd);
            if (nz) std::fill_n(block + (S + nb) * pd, pd, Scalar(0));
        }
    auto q_block = [&](Index b, Index h) { return qb + ((R.batch == 1 ? 0 : b) * H + h) * L * hd; };
    auto k_block = [&](Index b, Index h) {
        return kb + ((Y.batch == 1 ? 0 : b) * H + h) * Sx * hd;
    };
    auto v_block = [&](Index b, Index h) {
        return vb + ((P.batch == 1 ? 0 : b) * H + h) * Sx * pd;
    };

    // 4.-6. Head by head (heads are independent; the stopping rule is per head, over the
    // batch): pass 0 and the update steps, each through the retrieval kernel. Without update
    // steps one L x S' block per (b, h) is enough; with them, one per batch entry of the head.
    const bool updates = !s.steps_max || *s.steps_max > 0;
    const Index slots = updates ? B : 1;
    Scalar* assoc = detail::grow(w.assoc, slots * L * Sx);
    Scalar* states[2] = {detail::grow(w.state0, slots * L * hd),
                         detail::grow(w.state1, slots * L * hd)};
    auto A_of = [&](Index b) { return assoc + (updates ? b : 0) * L * Sx; };
    auto state_of = [&](int which, Index b) { return states[which] + (updates ? b : 0) * L * hd; };
    auto& ws = thread_workspace<Scalar>();

    // One association pass of head h for batch entry b: A = sep(beta state k^T + mask) into
    // A_of(b), next = A k. Returns ||A_new - A_old||_F when `diff`. With `to_heads` (a pass
    // known to be the last: no update steps), A v goes straight into the heads'
    // concatenation instead (the kernel's keys/values form; A k would be thrown away).
    auto pass = [&](Index b, Index h, const Scalar* state, Scalar* next, bool diff,
                    bool to_heads = false) {
        const PatternView<Scalar> keys(k_block(b, h), Sx, hd, PatternView<Scalar>::trusted);
        const ConstMap query(state, L, hd);
        Scalar* a0 = A_of(b);
        const Map& map = maps_[std::size_t(h)];
        Index row = 0;
        double d2 = 0;
        auto separate = [&](Scalar* z, Index n) {
            const Index l = row++;
            masks.apply(z, b, h, l);
            map.apply(z, z, std::size_t(n));
            Scalar* a = a0 + l * Sx;
            if (diff)
                for (Index j = 0; j < n; ++j)
                    d2 += (double(z[j]) - double(a[j])) * (double(z[j]) - double(a[j]));
            std::copy_n(z, n, a);
        };
        const auto beta = Scalar(s.beta[std::size_t(h)]);
        if (to_heads) {
            const PatternView<Scalar> values(v_block(b, h), Sx, pd, PatternView<Scalar>::trusted);
            kernel::associate_batch(keys, query, beta, separate, values,
                                    w.heads.block(b * L, h * pd, L, pd), ws);
        } else {
            kernel::associate_batch(keys, query, beta, separate,
                                    Eigen::Map<RowMatrix<Scalar>>(next, L, hd), ws);
        }
        if (row != L)  // the kernel must separate each query row once, in order
            throw std::logic_error("Hopfield::forward: the retrieval kernel separated " +
                                   std::to_string(row) + " rows for " + std::to_string(L) +
                                   " queries");
        return std::sqrt(d2);
    };

    ForwardResult<Scalar> result;
    result.steps.assign(std::size_t(H), 0);
    if (fo.return_association) result.association = Tensor<Scalar>({B, H, L, Sx});
    if (fo.return_head_outputs) result.head_outputs = Tensor<Scalar>({B, H, L, pd});
    if (fo.return_energy) result.energy = Tensor<double>({B, H, L});
    w.heads.resize(B * L, H * pd);

    // 7a. what a finished (b, h) contributes: A v_h into the heads' concatenation (unless the
    // last pass put it there), and the extras
    auto finish = [&](Index b, Index h, const Scalar* xi_block, bool heads_done = false) {
        const ConstMap a(A_of(b), L, Sx);
        const ConstMap values(v_block(b, h), Sx, pd);
        if (!heads_done) {
            if (L >= kernel::gemm_min_batch) {
                w.heads.block(b * L, h * pd, L, pd).noalias() = a * values;
            } else {
                const PatternView<Scalar> vview(values.data(), Sx, pd,
                                                PatternView<Scalar>::trusted);
                for (Index l = 0; l < L; ++l)
                    kernel::projection(vview, a.row(l).data(),
                                       w.heads.row(b * L + l).data() + h * pd);
            }
        }
        if (fo.return_association)
            std::copy_n(a.data(), L * Sx, result.association.data() + (b * H + h) * L * Sx);
        if (fo.return_head_outputs)
            for (Index l = 0; l < L; ++l)
                std::copy_n(w.heads.row(b * L + l).data() + h * pd, pd,
                            result.head_outputs.data() + ((b * H + h) * L + l) * pd);
        if (fo.return_energy)
            energy_rows(b, h, xi_block, k_block(b, h), Sx, L, masks, result.energy);
    };

    for (Index h = 0; h < H; ++h) {
        if (!updates) {
            for (Index b = 0; b < B; ++b) {
                pass(b, h, q_block(b, h), nullptr, false, /*to_heads=*/true);
                finish(b, h, q_block(b, h), /*heads_done=*/true);
            }
            continue;
        }
        for (Index b = 0; b < B; ++b) pass(b, h, q_block(b, h), state_of(1, b), false);
        int step = 1;
        for (;; ++step) {       // update `step` reads xi_step from states[step % 2]
            double change = 0;  // max over the batch of ||A_s - A_{s-1}||_F
            for (Index b = 0; b < B; ++b)
                change = std::max(
                    change, pass(b, h, state_of(step % 2, b), state_of((step + 1) % 2, b), true));
            if (!((!s.steps_max || step < *s.steps_max) && change > s.eps)) break;
        }
        result.steps[std::size_t(h)] = step;
        for (Index b = 0; b < B; ++b) finish(b, h, state_of(step % 2, b));
    }

    // 7b. output projection and activation
    result.output = Tensor<Scalar>({B, L, s.output_size});
    auto out = result.output.matrix();
    if (o.disable_out_projection) {
        out = w.heads;
    } else {
        detail::linear_into(
            w.heads, out_proj_weight_,
            o.input_bias ? out_proj_bias_.data() : static_cast<const Scalar*>(nullptr), out);
    }
    if (s.activation != Activation::none)
        for (Index i = 0; i < result.output.size(); ++i)
            result.output.data()[i] = activate(s.activation, result.output.data()[i]);
    return result;
}

template <Real Scalar, SeparationMap Map>
void Hopfield<Scalar, Map>::energy_rows(Index b, Index h, const Scalar* xi_block,
                                        const Scalar* key_block, Index Sx, Index L,
                                        const detail::MaskRows<Scalar>& masks,
                                        Tensor<double>& energy) const {
    const Index hd = shape_.head_dim;
    const ConstMap keys(key_block, Sx, hd);
    const auto n = static_cast<std::size_t>(Sx);
    std::vector<double> z(n), z0(n), p(n), norms(n);
    for (Index j = 0; j < Sx; ++j)
        norms[std::size_t(j)] = keys.row(j).template cast<double>().squaredNorm();
    const double beta = shape_.beta[std::size_t(h)];
    const Map& map = maps_[std::size_t(h)];
    for (Index l = 0; l < L; ++l) {
        const Vector<double> xi =
            Eigen::Map<const Vector<Scalar>>(xi_block + l * hd, hd).template cast<double>();
        std::fill(z0.begin(), z0.end(), 0.0);
        masks.apply(z0.data(), b, h, l);  // the scores at xi = 0: the mask row
        double max_norm2 = 0;
        bool open = false;
        for (std::size_t j = 0; j < n; ++j) {
            z[j] = beta * keys.row(Index(j)).template cast<double>().dot(xi) + z0[j];
            if (z0[j] > -std::numeric_limits<double>::infinity()) {
                open = true;
                max_norm2 = std::max(max_norm2, norms[j]);
            }
        }
        double interaction = 0;
        if (open) {
            map.apply(z.data(), p.data(), n);
            const double psi = map.conjugate(z.data(), p.data(), n);
            map.apply(z0.data(), p.data(), n);
            const double psi0 = map.conjugate(z0.data(), p.data(), n);
            interaction = -(psi - psi0) / beta;
        }
        energy(b, h, l) = interaction + 0.5 * xi.squaredNorm() + 0.5 * max_norm2;
    }
}

/// \brief The options of plain retrieval (retrieve()).
struct RetrievalOptions {
    /// \brief beta: one value, or one per head.
    std::vector<double> scaling = {1.0};
    /// \brief Extra update steps (0: one association; nullopt: until converged).
    std::optional<int> update_steps_max = 0;
    /// \brief The stopping threshold on max_b ||A_s - A_{s-1}||_F.
    double update_steps_eps = 1e-4;
    /// \brief Heads: the pattern dimension is split into num_heads parts.
    Index num_heads = 1;
    /// \brief Sequences are (batch, length, d); false: (length, batch, d).
    bool batch_first = true;
};

/// \brief Plain retrieval in one call, no projection, no norm: each state row xi of `state`
/// (B, L, d) is associated with the stored patterns Y of `stored` (B, S, d) and retrieves
/// sep(beta xi Y^T) Y, iterated as the layers iterate (update_steps_max, update_steps_eps).
/// The same as a Hopfield layer built with HopfieldOptions::plain_retrieval(d, num_heads).
template <Real Scalar, SeparationMap Map = Softmax>
ForwardResult<Scalar> retrieve(const Tensor<Scalar>& stored, const Tensor<Scalar>& state,
                               const RetrievalOptions& options = {},
                               const ForwardOptions<Scalar>& fo = {}, Map map = Map{}) {
    if (state.rank() != 3)
        throw invalid_argument("retrieve", "state", state.shape_string(), "must have rank 3");
    auto o = HopfieldOptions::plain_retrieval(state.dim(2), options.num_heads);
    o.scaling = options.scaling;
    o.update_steps_max = options.update_steps_max;
    o.update_steps_eps = options.update_steps_eps;
    o.batch_first = options.batch_first;
    return Hopfield<Scalar, Map>(o, std::move(map)).forward(stored, state, stored, fo);
}

}  // namespace hopfield::layers
