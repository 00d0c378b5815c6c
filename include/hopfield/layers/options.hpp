#pragma once
/// \file options.hpp
/// \brief HopfieldOptions (the constructor arguments of the reference's Hopfield module, same
/// names and defaults), the association activations, and the resolved sizes of a layer.

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"

namespace hopfield::layers {

/// \brief The element-wise function applied to the layer output (`association_activation`:
/// the name of a torch function in the reference).
enum class Activation { none, relu, tanh, sigmoid, gelu, silu, elu, selu, celu, softplus };

/// \brief Parses an activation name ("" or "none" = none); throws hopfield::invalid_argument
/// naming the accepted names otherwise.
inline Activation activation_from_name(std::string_view name) {
    struct Entry {
        std::string_view name;
        Activation value;
    };
    static constexpr Entry table[] = {
        {"", Activation::none},     {"none", Activation::none},        {"relu", Activation::relu},
        {"tanh", Activation::tanh}, {"sigmoid", Activation::sigmoid},  {"gelu", Activation::gelu},
        {"silu", Activation::silu}, {"elu", Activation::elu},          {"selu", Activation::selu},
        {"celu", Activation::celu}, {"softplus", Activation::softplus}};
    for (const auto& e : table)
        if (e.name == name) return e.value;
    throw invalid_argument("HopfieldOptions", "association_activation", name,
                           "must be one of none, relu, tanh, sigmoid, gelu, silu, elu, selu, "
                           "celu, softplus");
}

/// \brief Applies an activation to one value (PyTorch's definitions: gelu is the exact erf
/// form, elu / celu use alpha = 1, softplus beta = 1 with its threshold 20).
template <class Scalar>
Scalar activate(Activation a, Scalar x) noexcept {
    const double v = double(x);
    switch (a) {
        case Activation::none:
            return x;
        case Activation::relu:
            return x > Scalar(0) ? x : Scalar(0);
        case Activation::tanh:
            return Scalar(std::tanh(v));
        case Activation::sigmoid:
            return Scalar(1.0 / (1.0 + std::exp(-v)));
        case Activation::gelu:
            return Scalar(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))));
        case Activation::silu:
            return Scalar(v / (1.0 + std::exp(-v)));
        case Activation::elu:
        case Activation::celu:
            return v > 0 ? x : Scalar(std::expm1(v));
        case Activation::selu: {
            constexpr double alpha = 1.6732632423543772848170429916717;
            constexpr double scale = 1.0507009873554804934193349852946;
            return Scalar(scale * (v > 0 ? v : alpha * std::expm1(v)));
        }
        case Activation::softplus:
            return v > 20.0 ? x : Scalar(std::log1p(std::exp(v)));
    }
    return x;
}

/// \brief The options of a Hopfield layer: the reference's constructor arguments, with the
/// same names and defaults (hflayers-semantics.md). `std::nullopt` stands for Python's None.
///
/// Sizes: H = num_heads; hd = hidden_size (per head; default input_size / H, which must then
/// divide); pd = pattern_size (per head; default hd); stored patterns have stored_pattern_size
/// features (default input_size), projected patterns pattern_projection_size (default
/// input_size), states input_size. Not supported: dropout (inference only: the layers never
/// drop anything).
struct HopfieldOptions {
    /// \brief Features of the state pattern R (and default of the other two); required.
    Index input_size = 0;
    /// \brief Size per head of the association (Hopfield) space; default input_size / num_heads.
    std::optional<Index> hidden_size = std::nullopt;
    /// \brief Features of the output; default input_size (H * pd when the out projection is off).
    std::optional<Index> output_size = std::nullopt;
    /// \brief Size per head of the projected patterns (values); default hidden_size.
    std::optional<Index> pattern_size = std::nullopt;
    /// \brief Number of heads.
    Index num_heads = 1;
    /// \brief beta: empty = default (1/sqrt(hd); 1 when the three patterns are static), one
    /// value for every head, or one per head.
    std::vector<double> scaling = {};
    /// \brief Extra update steps after the first association: 0 = one association only;
    /// nullopt = until converged (the stopping rule alone).
    std::optional<int> update_steps_max = 0;
    /// \brief A head stops once max over the batch of ||A_s - A_{s-1}||_F <= this.
    double update_steps_eps = 1e-4;

    bool normalize_stored_pattern = true;             ///< LayerNorm on the raw stored patterns Y
    bool normalize_stored_pattern_affine = true;      ///< ... with weight and bias
    double normalize_stored_pattern_eps = 1e-5;       ///< ... and this eps
    bool normalize_state_pattern = true;              ///< LayerNorm on the raw state patterns R
    bool normalize_state_pattern_affine = true;       ///< ... with weight and bias
    double normalize_state_pattern_eps = 1e-5;        ///< ... and this eps
    bool normalize_pattern_projection = true;         ///< LayerNorm on the raw projected patterns V
    bool normalize_pattern_projection_affine = true;  ///< ... with weight and bias
    double normalize_pattern_projection_eps = 1e-5;   ///< ... and this eps
    bool normalize_hopfield_space = false;            ///< LayerNorm over hd of q and k, per head
    bool normalize_hopfield_space_affine = false;     ///< ... with weight and bias shared by heads
    double normalize_hopfield_space_eps = 1e-5;       ///< ... and this eps

    bool stored_pattern_as_static = false;         ///< use Y as keys without projection
    bool state_pattern_as_static = false;          ///< use R as queries without projection
    bool pattern_projection_as_static = false;     ///< use V as values without projection
    bool pattern_projection_as_connected = false;  ///< values v = Wv (Wk p + bk) + bv
    /// \brief Features of the stored patterns Y; default input_size.
    std::optional<Index> stored_pattern_size = std::nullopt;
    /// \brief Features of the projected patterns V; default input_size.
    std::optional<Index> pattern_projection_size = std::nullopt;

    /// \brief Sequences are (batch, length, features); false: (length, batch, features).
    bool batch_first = true;
    /// \brief Name of the activation applied to the output ("" = none).
    std::string association_activation = {};
    /// \brief Biases of the input and output projections.
    bool input_bias = true;
    /// \brief Append the learned bias key / value (bias_k, bias_v) as one more stored pattern.
    bool concat_bias_pattern = false;
    /// \brief Append a zero key and value: a logit 0 that projects nothing (= softmax_1).
    bool add_zero_association = false;
    /// \brief No output projection: the output is the heads' values concatenated (H * pd).
    bool disable_out_projection = false;

    /// \brief The options of plain retrieval: no projection, no norm, no bias, no output
    /// projection; out = concat_h sep(beta R_h Y_h^T) V_h with V = Y by default. `input_size`
    /// is the pattern dimension d (split into num_heads parts of d / num_heads).
    static HopfieldOptions plain_retrieval(Index input_size, Index num_heads = 1) {
        HopfieldOptions o;
        o.input_size = input_size;
        o.num_heads = num_heads;
        o.normalize_stored_pattern = o.normalize_state_pattern = o.normalize_pattern_projection =
            false;
        o.stored_pattern_as_static = o.state_pattern_as_static = o.pattern_projection_as_static =
            true;
        o.input_bias = false;
        o.disable_out_projection = true;
        return o;
    }
};

/// \brief The sizes and flags of a layer, derived from HopfieldOptions and checked.
struct HopfieldShape {
    Index heads = 1;            ///< H
    Index head_dim = 0;         ///< hd, per head, of queries and keys
    Index pattern_dim = 0;      ///< pd, per head, of values
    Index state_size = 0;       ///< features of R (input_size)
    Index stored_size = 0;      ///< features of Y
    Index projection_size = 0;  ///< features of V
    Index output_size = 0;      ///< features of the output
    bool fused = true;          ///< weights in one in_proj_weight (else q/k/v_proj_weight)
    bool all_static = false;    ///< the three patterns static: no input projection at all
    std::vector<double> beta;   ///< one per head
    std::optional<int> steps_max;
    double eps = 1e-4;
    Activation activation = Activation::none;

    /// \brief Checks the options and derives the sizes; throws hopfield::invalid_argument
    /// naming the offending option.
    static HopfieldShape resolve(const HopfieldOptions& o) {
        constexpr const char* where = "HopfieldOptions";
        HopfieldShape s;
        if (o.input_size < 1)
            throw invalid_argument(where, "input_size", o.input_size, "must be >= 1");
        if (o.num_heads < 1)
            throw invalid_argument(where, "num_heads", o.num_heads, "must be >= 1");
        s.heads = o.num_heads;
        s.state_size = o.input_size;
        if (o.hidden_size) {
            if (*o.hidden_size < 1)
                throw invalid_argument(where, "hidden_size", *o.hidden_size, "must be >= 1");
            s.head_dim = *o.hidden_size;
        } else {
            if (o.input_size % o.num_heads != 0)
                throw invalid_argument(where, "num_heads", o.num_heads,
                                       "must divide input_size = " + std::to_string(o.input_size) +
                                           " when hidden_size is not given");
            s.head_dim = o.input_size / o.num_heads;
        }
        if (o.pattern_size && *o.pattern_size < 1)
            throw invalid_argument(where, "pattern_size", *o.pattern_size, "must be >= 1");
        s.pattern_dim = o.pattern_size.value_or(s.head_dim);
        auto size_or = [&](const std::optional<Index>& v, const char* name) {
            if (v && *v < 1) throw invalid_argument(where, name, *v, "must be >= 1");
            return v.value_or(o.input_size);
        };
        s.stored_size = size_or(o.stored_pattern_size, "stored_pattern_size");
        s.projection_size = size_or(o.pattern_projection_size, "pattern_projection_size");
        if (o.output_size && *o.output_size < 1)
            throw invalid_argument(where, "output_size", *o.output_size, "must be >= 1");
        s.output_size = o.disable_out_projection ? s.heads * s.pattern_dim
                                                 : o.output_size.value_or(o.input_size);
        s.all_static = o.stored_pattern_as_static && o.state_pattern_as_static &&
                       o.pattern_projection_as_static;
        s.fused = !((o.stored_pattern_size && *o.stored_pattern_size != o.input_size) ||
                    (o.pattern_projection_size && *o.pattern_projection_size != o.input_size) ||
                    o.pattern_size.has_value() || o.pattern_projection_as_connected);

        const Index qk = s.heads * s.head_dim, v = s.heads * s.pattern_dim;
        if (o.state_pattern_as_static && s.state_size != qk)
            throw invalid_argument(where, "input_size", s.state_size,
                                   "must equal num_heads * hidden_size = " + std::to_string(qk) +
                                       " when state_pattern_as_static");
        if (o.stored_pattern_as_static && s.stored_size != qk)
            throw invalid_argument(where, "stored_pattern_size", s.stored_size,
                                   "must equal num_heads * hidden_size = " + std::to_string(qk) +
                                       " when stored_pattern_as_static");
        if (o.pattern_projection_as_static && s.projection_size != v)
            throw invalid_argument(where, "pattern_projection_size", s.projection_size,
                                   "must equal num_heads * pattern_size = " + std::to_string(v) +
                                       " when pattern_projection_as_static");
        if (o.pattern_projection_as_connected && !o.pattern_projection_as_static) {
            if (o.stored_pattern_as_static)
                throw invalid_argument(
                    where, "pattern_projection_as_connected", "true",
                    "needs the stored-pattern projection (stored_pattern_as_static "
                    "is set)");
            if (s.projection_size != s.stored_size)
                throw invalid_argument(
                    where, "pattern_projection_size", s.projection_size,
                    "must equal stored_pattern_size = " + std::to_string(s.stored_size) +
                        " with pattern_projection_as_connected (values go through "
                        "the key projection)");
        }

        const Index H = s.heads;
        if (o.scaling.empty()) {
            s.beta.assign(std::size_t(H), s.all_static ? 1.0 : 1.0 / std::sqrt(double(s.head_dim)));
        } else if (o.scaling.size() == 1 || Index(o.scaling.size()) == H) {
            for (const double b : o.scaling) detail::require_positive(where, "scaling", b);
            s.beta = o.scaling.size() == 1 ? std::vector<double>(std::size_t(H), o.scaling[0])
                                           : o.scaling;
        } else {
            throw invalid_argument(where, "scaling.size()", o.scaling.size(),
                                   "must be 0 (default), 1 or num_heads = " + std::to_string(H));
        }
        if (o.update_steps_max && *o.update_steps_max < 0)
            throw invalid_argument(where, "update_steps_max", *o.update_steps_max,
                                   "must be >= 0 (or nullopt: until converged)");
        s.steps_max = o.update_steps_max;
        detail::require_non_negative(where, "update_steps_eps", o.update_steps_eps);
        s.eps = o.update_steps_eps;
        if (o.normalize_stored_pattern)
            detail::require_positive(where, "normalize_stored_pattern_eps",
                                     o.normalize_stored_pattern_eps);
        if (o.normalize_state_pattern)
            detail::require_positive(where, "normalize_state_pattern_eps",
                                     o.normalize_state_pattern_eps);
        if (o.normalize_pattern_projection)
            detail::require_positive(where, "normalize_pattern_projection_eps",
                                     o.normalize_pattern_projection_eps);
        if (o.normalize_hopfield_space)
            detail::require_positive(where, "normalize_hopfield_space_eps",
                                     o.normalize_hopfield_space_eps);
        s.activation = activation_from_name(o.association_activation);
        return s;
    }
};

}  // namespace hopfield::layers
