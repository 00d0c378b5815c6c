#pragma once
/// \file pooling.hpp
/// \brief HopfieldPooling<Scalar, Map>: a learned static query (`quantity` of them) attends over
/// a set of patterns (the reference's HopfieldPooling module): attention pooling, e.g. for
/// multiple-instance learning (Ramsauer et al. 2021, section 3 "HopfieldPooling").

#include <string>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/layers/hopfield.hpp"
#include "hopfield/layers/options.hpp"
#include "hopfield/layers/tensor.hpp"

namespace hopfield::layers {

/// \brief The options of HopfieldPooling beyond those of the Hopfield layer.
struct PoolingOptions {
    /// \brief Number of learned queries (the output has quantity * output_size features).
    Index quantity = 1;
};

/// \brief Pools a set of S patterns (per batch entry) into `quantity` retrieved patterns.
///
/// The state patterns are the learned `pooling_weights` (1, quantity, input_size), shared by
/// the batch, through the state LayerNorm and the query projection (unless
/// state_pattern_as_static); the input gives the stored patterns and, unless a separate tensor
/// is passed, the projected patterns. Output: (B, quantity * out), query-major (the output of
/// query 0 first), whatever batch_first is (the reference flattens to (quantity, B * out) when
/// batch_first is false: fixed). state_dict keys: `pooling_weights`, then the Hopfield keys
/// prefixed with `hopfield.`.
/// \tparam Scalar float or double.
/// \tparam Map the separation map (see Hopfield).
template <Real Scalar, SeparationMap Map = Softmax>
class HopfieldPooling {
public:
    /// \brief The scalar type.
    using scalar_type = Scalar;

    /// \brief A pooling layer with a default-constructed map in every head.
    explicit HopfieldPooling(const HopfieldOptions& options,
                             PoolingOptions pooling = {}) requires std::default_initializable<Map>
        : HopfieldPooling(options, pooling, std::vector<Map>{Map{}}) {}

    /// \brief A pooling layer with one map per head (or one for all).
    HopfieldPooling(const HopfieldOptions& options, PoolingOptions pooling, std::vector<Map> maps)
        : hopfield_(options, std::move(maps)), quantity_(pooling.quantity) {
        if (quantity_ < 1)
            throw invalid_argument("HopfieldPooling", "quantity", quantity_, "must be >= 1");
        pooling_weights_ = RowMatrix<Scalar>::Zero(quantity_, hopfield_.shape().state_size);
    }

    /// \brief The inner Hopfield layer.
    const Hopfield<Scalar, Map>& hopfield() const noexcept { return hopfield_; }
    /// \brief Number of learned queries.
    Index quantity() const noexcept { return quantity_; }

    /// \brief Pools `input` (B, S, input_size; (S, B, .) when not batch_first), used as stored
    /// and projected patterns. Returns (B, quantity * out).
    Tensor<Scalar> operator()(const Tensor<Scalar>& input) const { return forward(input).output; }

    /// \brief Pools `input` (stored and projected patterns); masks: padding (B, S),
    /// association (quantity, S) or per batch and head.
    ForwardResult<Scalar> forward(const Tensor<Scalar>& input,
                                  const ForwardOptions<Scalar>& fo = {}) const {
        return forward(input, input, fo);
    }

    /// \brief Pools with separate stored (B, S, stored_pattern_size) and projected (B, S,
    /// pattern_projection_size) patterns.
    ForwardResult<Scalar> forward(const Tensor<Scalar>& stored, const Tensor<Scalar>& projection,
                                  const ForwardOptions<Scalar>& fo = {}) const {
        constexpr const char* where = "HopfieldPooling::forward";
        const auto& s = hopfield_.shape();
        const bool bf = hopfield_.options().batch_first;
        std::vector<Scalar> ys, ps;
        const auto Y = detail::sequence(where, "stored", stored, bf, s.stored_size, ys);
        const auto P = detail::sequence(where, "projection", projection, bf, s.projection_size, ps);
        if (Y.batch != P.batch)
            throw invalid_argument(where, "projection batch", P.batch,
                                   "must equal the stored batch " + std::to_string(Y.batch));
        const detail::Patterns<Scalar> R{pooling_weights_.data(), 1, quantity_, s.state_size};
        auto result = hopfield_.forward_patterns(Y, R, P, Y.batch, fo);
        const Index B = Y.batch, width = quantity_ * s.output_size;
        result.output = Tensor<Scalar>({B, width}, std::vector<Scalar>(result.output.values()));
        return result;
    }

    /// \brief Calls f(key, shape, data) for every parameter, in state_dict order.
    template <class F>
    void visit_parameters(F&& f, const std::string& prefix = "") {
        f(prefix + "pooling_weights", std::vector<Index>{1, quantity_, pooling_weights_.cols()},
          pooling_weights_.data());
        hopfield_.visit_parameters(f, prefix + "hopfield.");
    }
    /// \brief Calls f(key, shape, const data) for every parameter, in state_dict order.
    template <class F>
    void visit_parameters(F&& f, const std::string& prefix = "") const {
        f(prefix + "pooling_weights", std::vector<Index>{1, quantity_, pooling_weights_.cols()},
          pooling_weights_.data());
        hopfield_.visit_parameters(f, prefix + "hopfield.");
    }

private:
    Hopfield<Scalar, Map> hopfield_;
    Index quantity_;
    RowMatrix<Scalar> pooling_weights_;
};

}  // namespace hopfield::layers
