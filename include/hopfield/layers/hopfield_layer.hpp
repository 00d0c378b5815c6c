#pragma once
/// \file hopfield_layer.hpp
/// \brief HopfieldLayer<Scalar, Map>: learned static stored patterns (`quantity` of them) that
/// every input state is associated with (the reference's HopfieldLayer module): a lookup of
/// learned memories, e.g. a learned prototype memory or a layer replacing a fully connected one.

#include <string>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/layers/hopfield.hpp"
#include "hopfield/layers/options.hpp"
#include "hopfield/layers/tensor.hpp"

namespace hopfield::layers {

/// \brief The options of HopfieldLayer beyond those of the Hopfield layer.
struct LookupOptions {
    /// \brief Number of learned stored patterns S.
    Index quantity = 1;
    /// \brief Separate learned targets (`target_weights`) as projected patterns; otherwise the
    /// lookup weights are also the projected patterns (through the projection LayerNorm).
    bool lookup_weights_as_separated = false;
};

/// \brief Associates each input state with learned stored patterns.
///
/// The stored patterns are `lookup_weights` (1, quantity, stored_pattern_size), shared by the
/// batch, through the stored LayerNorm and the key projection; the projected patterns are
/// `target_weights` (1, quantity, pattern_projection_size) when separated, else the lookup
/// weights again (through the projection LayerNorm). Input: the states (B, L, input_size);
/// output (B, L, out) ((L, B, .) when not batch_first). Masks: padding (B, quantity),
/// association (L, quantity) or per batch and head. state_dict keys: `lookup_weights`,
/// `target_weights` (when separated), then the Hopfield keys prefixed with `hopfield.`.
/// \tparam Scalar float or double.
/// \tparam Map the separation map (see Hopfield).
template <Real Scalar, SeparationMap Map = Softmax>
class HopfieldLayer {
public:
    /// \brief The scalar type.
    using scalar_type = Scalar;

    /// \brief A lookup layer with a default-constructed map in every head.
    explicit HopfieldLayer(const HopfieldOptions& options,
                           LookupOptions lookup = {}) requires std::default_initializable<Map>
        : HopfieldLayer(options, lookup, std::vector<Map>{Map{}}) {}

    /// \brief A lookup layer with one map per head (or one for all).
    HopfieldLayer(const HopfieldOptions& options, LookupOptions lookup, std::vector<Map> maps)
        : hopfield_(options, std::move(maps)), lookup_(lookup) {
        if (lookup_.quantity < 1)
            throw invalid_argument("HopfieldLayer", "quantity", lookup_.quantity, "must be >= 1");
        const auto& s = hopfield_.shape();
        if (!lookup_.lookup_weights_as_separated && s.stored_size != s.projection_size)
            throw invalid_argument(
                "HopfieldLayer", "pattern_projection_size", s.projection_size,
                "must equal stored_pattern_size = " + std::to_string(s.stored_size) +
                    " unless lookup_weights_as_separated");
        lookup_weights_ = RowMatrix<Scalar>::Zero(lookup_.quantity, s.stored_size);
        if (lookup_.lookup_weights_as_separated)
            target_weights_ = RowMatrix<Scalar>::Zero(lookup_.quantity, s.projection_size);
    }

    /// \brief The inner Hopfield layer.
    const Hopfield<Scalar, Map>& hopfield() const noexcept { return hopfield_; }
    /// \brief The lookup options.
    const LookupOptions& lookup_options() const noexcept { return lookup_; }

    /// \brief Associates the states `input` (B, L, input_size) with the learned patterns.
    Tensor<Scalar> operator()(const Tensor<Scalar>& input) const { return forward(input).output; }

    /// \brief Associates the states `input` with the learned patterns, with masks / extras.
    ForwardResult<Scalar> forward(const Tensor<Scalar>& input,
                                  const ForwardOptions<Scalar>& fo = {}) const {
        constexpr const char* where = "HopfieldLayer::forward";
        const auto& s = hopfield_.shape();
        const bool bf = hopfield_.options().batch_first;
        std::vector<Scalar> rs;
        const auto R = detail::sequence(where, "input", input, bf, s.state_size, rs);
        const detail::Patterns<Scalar> Y{lookup_weights_.data(), 1, lookup_.quantity,
                                         s.stored_size};
        const detail::Patterns<Scalar> P =
            lookup_.lookup_weights_as_separated
                ? detail::Patterns<Scalar>{target_weights_.data(), 1, lookup_.quantity,
                                           s.projection_size}
                : Y;
        auto result = hopfield_.forward_patterns(Y, R, P, R.batch, fo);
        if (!bf) {
            const Index B = R.batch, L = R.length, F = s.output_size;
            Tensor<Scalar> t({L, B, F});
            for (Index b = 0; b < B; ++b)
                for (Index l = 0; l < L; ++l)
                    std::copy_n(result.output.data() + (b * L + l) * F, F,
                                t.data() + (l * B + b) * F);
            result.output = std::move(t);
        }
        return result;
    }

    /// \brief Calls f(key, shape, data) for every parameter, in state_dict order.
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
    template <class Self, class F>
    static void visit_impl(Self& self, F& f, const std::string& prefix) {
        auto& lw = self.lookup_weights_;
        f(prefix + "lookup_weights", std::vector<Index>{1, lw.rows(), lw.cols()}, lw.data());
        if (self.lookup_.lookup_weights_as_separated) {
            auto& tw = self.target_weights_;
            f(prefix + "target_weights", std::vector<Index>{1, tw.rows(), tw.cols()}, tw.data());
        }
        self.hopfield_.visit_parameters(f, prefix + "hopfield.");
    }

    Hopfield<Scalar, Map> hopfield_;
    LookupOptions lookup_;
    RowMatrix<Scalar> lookup_weights_, target_weights_;
};

}  // namespace hopfield::layers
