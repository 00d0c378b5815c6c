// Weights and checks of the layers: state_dict keys and shapes as the reference names them,
// loading from a folder of .npy files with a clear error (naming the key and the file) for a
// missing key, a wrong shape, a wrong dtype or a malformed file; load_state_dict / set_parameter;
// option and input validation; LayerNorm against its formula.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <hopfield/layers/layers.hpp>
#include <hopfield/separation/entmax.hpp>
#include <limits>
#include <map>

#include "reference/fixtures.hpp"

using fixtures::random_tensor;
using fixtures::randomize;
using hopfield::Index;
namespace layers = hopfield::layers;
using Catch::Contains;
using layers::Tensor;

namespace {

using Shapes = std::map<std::string, std::vector<Index>>;

template <class Layer>
Shapes shapes_of(const Layer& layer) {
    Shapes out;
    for (const auto& spec : layers::parameter_specs(layer)) out[spec.key] = spec.shape;
    return out;
}

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name)
        : path(std::filesystem::temp_directory_path() / name) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("state_dict keys and shapes follow the reference", "[layers][weights]") {
    SECTION("defaults: fused in_proj_weight, norms, out_proj") {
        layers::HopfieldOptions o;
        o.input_size = 8;
        o.num_heads = 2;
        const Shapes expected = {
            {"association_core.in_proj_weight", {24, 8}}, {"association_core.in_proj_bias", {24}},
            {"association_core.out_proj.weight", {8, 8}}, {"association_core.out_proj.bias", {8}},
            {"norm_stored_pattern.weight", {8}},          {"norm_stored_pattern.bias", {8}},
            {"norm_state_pattern.weight", {8}},           {"norm_state_pattern.bias", {8}},
            {"norm_pattern_projection.weight", {8}},      {"norm_pattern_projection.bias", {8}}};
        CHECK(shapes_of(layers::Hopfield<float>(o)) == expected);
    }
    SECTION("separate weights when a size differs; hidden_size alone keeps them fused") {
        layers::HopfieldOptions o;
        o.input_size = 8;
        o.num_heads = 2;
        o.hidden_size = 3;
        o.normalize_stored_pattern = o.normalize_state_pattern = o.normalize_pattern_projection =
            false;
        CHECK(shapes_of(layers::Hopfield<float>(o)).at("association_core.in_proj_weight") ==
              std::vector<Index>{18, 8});
        o.pattern_size = 5;
        o.stored_pattern_size = 6;
        o.output_size = 4;
        const Shapes expected = {{"association_core.q_proj_weight", {6, 8}},
                                 {"association_core.k_proj_weight", {6, 6}},
                                 {"association_core.v_proj_weight", {10, 8}},
                                 {"association_core.in_proj_bias", {22}},
                                 {"association_core.out_proj.weight", {4, 10}},
                                 {"association_core.out_proj.bias", {4}}};
        CHECK(shapes_of(layers::Hopfield<float>(o)) == expected);
        o.pattern_projection_as_connected = true;
        o.pattern_projection_size = 6;
        CHECK(shapes_of(layers::Hopfield<float>(o)).at("association_core.v_proj_weight") ==
              std::vector<Index>{10, 6});
    }
    SECTION("static parts: their block is dropped, the v bias segment always stays") {
        layers::HopfieldOptions o;
        o.input_size = 8;
        o.num_heads = 2;
        o.pattern_projection_as_static = true;
        o.state_pattern_as_static = true;
        o.normalize_hopfield_space = true;
        o.normalize_hopfield_space_affine = true;
        o.concat_bias_pattern = true;
        auto s = shapes_of(layers::Hopfield<double>(o));
        CHECK(s.at("association_core.in_proj_weight") == std::vector<Index>{8, 8});  // Wk only
        CHECK(s.at("association_core.in_proj_bias") == std::vector<Index>{16});  // k + (unused) v
        CHECK(s.at("association_core.p_norm_weight") == std::vector<Index>{4});
        CHECK(s.at("association_core.bias_k") == std::vector<Index>{1, 1, 8});
        CHECK(s.at("association_core.bias_v") == std::vector<Index>{1, 1, 8});
        o.stored_pattern_as_static = true;  // all static: no input projection at all
        s = shapes_of(layers::Hopfield<double>(o));
        CHECK(s.count("association_core.in_proj_weight") == 0);
        CHECK(s.count("association_core.in_proj_bias") == 0);
        CHECK(layers::Hopfield<double>(o).shape().beta ==
              std::vector<double>{1.0, 1.0});  // default beta
    }
    SECTION("pooling and lookup prefix the Hopfield keys") {
        layers::HopfieldOptions o;
        o.input_size = 8;
        const auto pool =
            layers::parameter_specs(layers::HopfieldPooling<float>(o, {.quantity = 3}));
        CHECK(pool.front().key == "pooling_weights");
        CHECK(pool.front().shape == std::vector<Index>{1, 3, 8});
        CHECK(pool[1].key.starts_with("hopfield.association_core."));
        o.pattern_projection_size = 5;
        const auto lookup = shapes_of(
            layers::HopfieldLayer<float>(o, {.quantity = 4, .lookup_weights_as_separated = true}));
        CHECK(lookup.at("lookup_weights") == std::vector<Index>{1, 4, 8});
        CHECK(lookup.at("target_weights") == std::vector<Index>{1, 4, 5});
        CHECK(lookup.count("hopfield.norm_pattern_projection.weight") == 1);
    }
}

TEST_CASE("weights load from a folder of .npy files, with errors naming the key and the file",
          "[layers][weights]") {
    layers::HopfieldOptions o;
    o.input_size = 8;
    o.num_heads = 2;
    layers::Hopfield<double> layer(o);
    randomize(layer, 3);
    const TempDir dir("hopfield_test_layer_weights");
    layers::save_npy(layer, dir.path);

    // round trip, into float and double layers
    layers::Hopfield<float> copy(o);
    layers::load_npy(copy, dir.path);
    const auto X = random_tensor<double>({2, 5, 8}, 1);
    CHECK(fixtures::relative_error(copy(X.cast<float>()), layer(X)) < 1e-5);

    const auto key = std::string("association_core.in_proj_weight");
    const auto file = dir.path / (key + ".npy");
    const auto good = hopfield::npy::read_file(file);
    auto write = [&](const std::vector<unsigned char>& bytes) {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    };
    auto fails = [&](const std::string& what) {
        CAPTURE(what);
        CHECK_THROWS_AS(layers::load_npy(copy, dir.path), hopfield::invalid_argument);
        CHECK_THROWS_WITH(layers::load_npy(copy, dir.path),
                          Contains(key) && Contains(file.string()) && Contains(what));
    };
    const auto before = copy(X.cast<float>());

    std::filesystem::remove(file);
    fails("missing file");
    Tensor<double>({24, 7}).save(file);
    fails("wrong shape (24, 7), expected (24, 8)");
    {
        std::vector<unsigned char> ints = good;  // same header but an integer dtype
        const std::string h(ints.begin(), ints.begin() + 64);
        const auto at = h.find("<f8");
        REQUIRE(at != std::string::npos);
        ints[at + 1] = 'i';
        write(ints);
        fails("dtype '<i8'");
    }
    write(std::vector<unsigned char>(good.begin(), good.end() - 8));
    fails("is truncated");
    write(std::vector<unsigned char>(good.begin(), good.begin() + 7));
    fails("not a .npy file");
    {
        auto nan = Tensor<double>({24, 8});
        nan(3, 4) = std::numeric_limits<double>::quiet_NaN();
        nan.save(file);
        CHECK_THROWS_WITH(layers::load_npy(copy, dir.path), Contains(key) && Contains("finite"));
    }
    // nothing was changed by the failed loads
    CHECK(copy(X.cast<float>()).values() == before.values());
    CHECK_THROWS_WITH(layers::load_npy(copy, dir.path / "nope"),
                      Contains("nope") && Contains("not a directory"));
}

TEST_CASE("load_state_dict, set_parameter and the learned-pattern layouts", "[layers][weights]") {
    layers::HopfieldOptions o;
    o.input_size = 8;
    layers::HopfieldPooling<double> pool(o, {.quantity = 2});
    randomize(pool, 5);
    auto dict = layers::state_dict(pool);
    layers::HopfieldPooling<double> other(o, {.quantity = 2});
    layers::load_state_dict(other, dict);
    const auto X = random_tensor<double>({3, 4, 8}, 2);
    CHECK(other(X).values() == pool(X).values());

    auto extra = dict;
    extra.emplace("hopfield.association_core.bias_k", Tensor<double>({1, 1, 8}));
    CHECK_THROWS_WITH(layers::load_state_dict(other, extra),
                      Contains("bias_k") && Contains("unexpected key"));
    CHECK_NOTHROW(layers::load_state_dict(other, extra, {.strict = false}));
    auto missing = dict;
    missing.erase("hopfield.norm_state_pattern.bias");
    CHECK_THROWS_WITH(layers::load_state_dict(other, missing),
                      Contains("hopfield.norm_state_pattern.bias") && Contains("no such key"));
    auto wrong = dict;
    wrong.at("pooling_weights") = Tensor<double>({1, 3, 8});
    CHECK_THROWS_WITH(layers::load_state_dict(other, wrong), Contains("pooling_weights") &&
                                                                 Contains("(1, 3, 8)") &&
                                                                 Contains("expected (1, 2, 8)"));
    // (quantity, 1, D): what a batch_first=False reference module stores; same bytes
    const auto q = dict.at("pooling_weights");
    layers::set_parameter(other, "pooling_weights", Tensor<double>({2, 1, 8}, q.values()));
    CHECK(other(X).values() == pool(X).values());
    CHECK_THROWS_WITH(layers::set_parameter(other, "hopfield.nope", q),
                      Contains("nope") && Contains("no such parameter"));
    // float state_dicts load into double layers and back
    layers::StateDict<float> as_float;
    for (const auto& [k, t] : dict) as_float.emplace(k, t.cast<float>());
    layers::load_state_dict(other, as_float);
    CHECK(fixtures::relative_error(other(X), pool(X)) < 1e-5);
}

TEST_CASE("options and inputs are checked, naming the argument", "[layers][weights]") {
    auto make = [](auto edit) {
        layers::HopfieldOptions o;
        o.input_size = 8;
        o.num_heads = 2;
        edit(o);
        return layers::Hopfield<float>(o);
    };
    using O = layers::HopfieldOptions;
    CHECK_THROWS_WITH(make([](O& o) { o.input_size = 0; }), Contains("input_size"));
    CHECK_THROWS_WITH(make([](O& o) { o.num_heads = 3; }),
                      Contains("num_heads") && Contains("divide"));
    CHECK_THROWS_WITH(make([](O& o) { o.scaling = {1, 2, 3}; }), Contains("scaling.size()"));
    CHECK_THROWS_WITH(make([](O& o) { o.scaling = {-1}; }), Contains("scaling"));
    CHECK_THROWS_WITH(make([](O& o) { o.update_steps_max = -1; }), Contains("update_steps_max"));
    CHECK_THROWS_WITH(make([](O& o) { o.update_steps_eps = std::nan(""); }),
                      Contains("update_steps_eps"));
    CHECK_THROWS_WITH(make([](O& o) { o.normalize_state_pattern_eps = 0; }),
                      Contains("normalize_state_pattern_eps"));
    CHECK_NOTHROW(make([](O& o) {
        o.normalize_state_pattern = false;
        o.normalize_state_pattern_eps = 0;
    }));
    CHECK_THROWS_WITH(make([](O& o) { o.association_activation = "swish"; }),
                      Contains("association_activation") && Contains("swish"));
    CHECK_THROWS_WITH(make([](O& o) {
                          o.state_pattern_as_static = true;
                          o.hidden_size = 3;
                      }),
                      Contains("state_pattern_as_static"));
    CHECK_THROWS_WITH(make([](O& o) {
                          o.stored_pattern_as_static = true;
                          o.stored_pattern_size = 5;
                      }),
                      Contains("stored_pattern_as_static"));
    CHECK_THROWS_WITH(make([](O& o) {
                          o.pattern_projection_as_static = true;
                          o.pattern_size = 3;
                      }),
                      Contains("pattern_projection_as_static"));
    CHECK_THROWS_WITH(make([](O& o) {
                          o.pattern_projection_as_connected = true;
                          o.stored_pattern_as_static = true;
                      }),
                      Contains("pattern_projection_as_connected"));
    CHECK_THROWS_WITH(make([](O& o) {
                          o.pattern_projection_as_connected = true;
                          o.pattern_projection_size = 5;
                      }),
                      Contains("pattern_projection_size"));
    layers::HopfieldOptions o;
    o.input_size = 8;
    o.num_heads = 2;
    CHECK_THROWS_WITH(
        (layers::Hopfield<float, hopfield::Entmax>(
            o, {hopfield::Entmax(1.2), hopfield::Entmax(1.4), hopfield::Entmax(1.6)})),
        Contains("maps.size()"));
    CHECK_THROWS_WITH(layers::HopfieldPooling<float>(o, {.quantity = 0}), Contains("quantity"));
    o.pattern_projection_size = 6;
    CHECK_THROWS_WITH(layers::HopfieldLayer<float>(o, {.quantity = 3}),
                      Contains("pattern_projection_size"));

    const auto layer = make([](O&) {});
    const auto X = random_tensor<float>({2, 5, 8}, 1);
    CHECK_THROWS_WITH(layer(Tensor<float>({5, 8})), Contains("rank 3"));
    CHECK_THROWS_WITH(layer(random_tensor<float>({2, 5, 7}, 1)), Contains("8 features"));
    CHECK_THROWS_WITH(layer.forward(X, random_tensor<float>({3, 5, 8}, 2), X),
                      Contains("same batch size"));
    CHECK_THROWS_WITH(layer.forward(X, X, random_tensor<float>({2, 4, 8}, 2)),
                      Contains("projection length"));
    auto nan = X;
    nan(1, 2, 3) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH(layer(nan), Contains("stored") && Contains("finite"));
}

TEST_CASE("LayerNorm is torch.nn.LayerNorm", "[layers]") {
    layers::LayerNorm<float> ln(5, 1e-3, true);
    ln.weight() << 1, 2, 3, 4, 5;
    ln.bias() << 0, -1, 0, 1, 0.5f;
    const float x[5] = {1e4f + 1, 1e4f + 2, 1e4f + 3, 1e4f + 4,
                        1e4f + 5};  // large mean: no cancellation
    float y[5];
    ln.apply(x, y);
    const double mean = 3, var = 2;
    const double w[5] = {1, 2, 3, 4, 5}, b[5] = {0, -1, 0, 1, 0.5};
    for (int i = 0; i < 5; ++i)
        CHECK(y[i] == Approx((i + 1 - mean) / std::sqrt(var + 1e-3) * w[i] + b[i]).epsilon(1e-6));
    const layers::LayerNorm<double> plain(3, 1e-5, false);
    CHECK(plain.weight().size() == 0);
    const double u[3] = {1, 1, 1};
    double v[3];
    plain.apply(u, v);
    CHECK(v[0] == 0.0);
    CHECK_THROWS_WITH(layers::LayerNorm<float>(4, 0.0), Contains("eps"));
}
