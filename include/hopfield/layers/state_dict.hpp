#pragma once
/// \file state_dict.hpp
/// \brief Weights of the layers by their PyTorch state_dict keys: StateDict, and loading from
/// a folder of .npy files (one per key, as `numpy.save` writes them).
///
/// Every layer exposes `visit_parameters(f)`, calling f(key, shape, data) for each parameter it
/// has, in state_dict order; the functions here build the whole weights interface on it, so
/// all layers load and check weights the same way.

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hopfield/core/error.hpp"
#include "hopfield/core/types.hpp"
#include "hopfield/io/npy.hpp"
#include "hopfield/layers/tensor.hpp"

namespace hopfield::layers {

/// \brief Parameters by state_dict key (e.g. "association_core.in_proj_weight").
template <class Scalar>
using StateDict = std::map<std::string, Tensor<Scalar>, std::less<>>;

/// \brief A parameter's key and shape.
struct ParameterSpec {
    std::string key;
    std::vector<Index> shape;
};

/// \brief How strictly load_state_dict matches keys.
struct LoadOptions {
    /// \brief Keys of the dict that the layer does not have are an error (as torch's strict
    /// load_state_dict); when false they are ignored. Missing keys are always an error.
    bool strict = true;
};

namespace detail {

inline std::size_t element_count(const std::vector<Index>& shape) {
    std::size_t n = 1;
    for (const Index d : shape) n *= std::size_t(d);
    return n;
}

/// Shapes (1, q, D) and (q, 1, D) of the learned patterns hold the same bytes (the second is
/// what the reference's batch_first=False modules store): both are accepted for them.
inline bool shape_matches(const std::vector<Index>& got, const std::vector<Index>& expected,
                          bool allow_sequence_first) {
    if (got == expected) return true;
    return allow_sequence_first && expected.size() == 3 && expected[0] == 1 &&
           got == std::vector<Index>{expected[1], 1, expected[2]};
}

inline bool is_learned_pattern(std::string_view key) {
    return key == "pooling_weights" || key == "lookup_weights" || key == "target_weights";
}

}  // namespace detail

/// \brief The keys and shapes of a layer's parameters, in state_dict order.
template <class Layer>
std::vector<ParameterSpec> parameter_specs(const Layer& layer) {
    std::vector<ParameterSpec> specs;
    layer.visit_parameters(
        [&](const std::string& key, const std::vector<Index>& shape, const auto*) {
            specs.push_back({key, shape});
        });
    return specs;
}

/// \brief Copies the layer's parameters into a StateDict.
template <class Layer>
auto state_dict(const Layer& layer) {
    using Scalar = typename Layer::scalar_type;
    StateDict<Scalar> dict;
    layer.visit_parameters([&](const std::string& key, const std::vector<Index>& shape,
                               const Scalar* data) {
        dict.emplace(key, Tensor<Scalar>(shape, std::vector<Scalar>(
                                                    data, data + detail::element_count(shape))));
    });
    return dict;
}

/// \brief Sets the layer's parameters from a StateDict (of float or double tensors: converted
/// to the layer's scalar). Throws hopfield::invalid_argument naming the key for a missing key,
/// a wrong shape or a non-finite value, and (strict) for a key the layer does not have. Checks
/// everything before changing anything.
template <class Layer, class T>
void load_state_dict(Layer& layer, const StateDict<T>& dict, LoadOptions options = {}) {
    using Scalar = typename Layer::scalar_type;
    constexpr const char* where = "load_state_dict";
    std::vector<std::string> used;
    layer.visit_parameters([&](const std::string& key, const std::vector<Index>& shape,
                               const Scalar*) {
        const auto it = dict.find(key);
        if (it == dict.end())
            throw invalid_argument(
                where, key, "missing",
                "the state_dict has no such key (expected shape " + npy::shape_string(shape) + ")");
        if (!detail::shape_matches(it->second.shape(), shape, detail::is_learned_pattern(key)))
            throw invalid_argument(where, key, it->second.shape_string(),
                                   "wrong shape, expected " + npy::shape_string(shape));
        hopfield::detail::require_finite(where, key, it->second.data(),
                                         std::size_t(it->second.size()));
        used.push_back(key);
    });
    if (options.strict)
        for (const auto& [key, tensor] : dict)
            if (std::find(used.begin(), used.end(), key) == used.end())
                throw invalid_argument(where, key, tensor.shape_string(),
                                       "unexpected key: this layer has no such parameter");
    layer.visit_parameters([&](const std::string& key, const std::vector<Index>&, Scalar* data) {
        const auto& t = dict.find(key)->second;
        for (Index i = 0; i < t.size(); ++i) data[i] = static_cast<Scalar>(t.data()[i]);
    });
}

/// \brief Loads every parameter of the layer from `<folder>/<key>.npy` (float32 or float64
/// files, converted to the layer's scalar). Throws hopfield::invalid_argument naming the key
/// and the file for a missing file, a wrong shape, a wrong dtype, a malformed or truncated
/// file, or a non-finite value. Files for keys the layer does not have are ignored. Checks
/// every file before changing anything.
template <class Layer>
void load_npy(Layer& layer, const std::filesystem::path& folder) {
    using Scalar = typename Layer::scalar_type;
    constexpr const char* where = "load_npy";
    if (!parameter_specs(layer).empty() && !std::filesystem::is_directory(folder))
        throw invalid_argument(where, "folder", folder.string(), "is not a directory");
    StateDict<Scalar> dict;
    layer.visit_parameters(
        [&](const std::string& key, const std::vector<Index>& shape, const Scalar*) {
            const auto path = folder / (key + ".npy");
            if (!std::filesystem::exists(path))
                throw invalid_argument(
                    where, key, path.string(),
                    "missing file for this key (expected shape " + npy::shape_string(shape) + ")");
            npy::Array<Scalar> array;
            try {
                array = npy::load<Scalar>(path);
            } catch (const npy::file_error& e) {
                throw invalid_argument(where, key, path.string(), e.problem());
            }
            if (!detail::shape_matches(array.shape, shape, detail::is_learned_pattern(key)))
                throw invalid_argument(where, key, path.string(),
                                       "wrong shape " + npy::shape_string(array.shape) +
                                           ", expected " + npy::shape_string(shape));
            dict.emplace(key, Tensor<Scalar>(std::move(array)));
        });
    load_state_dict(layer, dict, {.strict = true});
}

/// \brief Writes every parameter as `<folder>/<key>.npy` (creating the folder).
template <class Layer>
void save_npy(const Layer& layer, const std::filesystem::path& folder) {
    using Scalar = typename Layer::scalar_type;
    std::filesystem::create_directories(folder);
    layer.visit_parameters(
        [&](const std::string& key, const std::vector<Index>& shape, const Scalar* data) {
            npy::save(folder / (key + ".npy"), shape, data);
        });
}

/// \brief Sets one parameter by key; throws hopfield::invalid_argument for an unknown key or
/// a wrong shape.
template <class Layer, class T>
void set_parameter(Layer& layer, std::string_view key, const Tensor<T>& value) {
    using Scalar = typename Layer::scalar_type;
    bool found = false;
    layer.visit_parameters(
        [&](const std::string& k, const std::vector<Index>& shape, Scalar* data) {
            if (k != key) return;
            found = true;
            if (!detail::shape_matches(value.shape(), shape, detail::is_learned_pattern(k)))
                throw invalid_argument("set_parameter", k, value.shape_string(),
                                       "wrong shape, expected " + npy::shape_string(shape));
            hopfield::detail::require_finite("set_parameter", k, value.data(),
                                             std::size_t(value.size()));
            for (Index i = 0; i < value.size(); ++i) data[i] = static_cast<Scalar>(value.data()[i]);
        });
    if (!found)
        throw invalid_argument("set_parameter", "key", key, "this layer has no such parameter");
}

}  // namespace hopfield::layers
