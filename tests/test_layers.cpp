// Properties of the Hopfield layers that need no reference data: batch and head independence,
// per-head beta, masks equal to deleting patterns, add_zero_association equal to softmax_1,
// the number of update steps and the stopping rule, the all-masked policy, energies along the
// updates, plain retrieval against the library's ModernHopfield, concat_bias_pattern as an
// extra stored pattern, and HopfieldPooling / HopfieldLayer against the Hopfield layer.

#include <catch2/catch.hpp>
#include <cmath>
#include <hopfield/dynamics/continuous.hpp>
#include <hopfield/layers/layers.hpp>
#include <hopfield/models/modern.hpp>
#include <hopfield/separation/entmax.hpp>
#include <hopfield/separation/softmax1.hpp>
#include <hopfield/separation/sparsemax.hpp>
#include <limits>
#include <thread>

#include "reference/fixtures.hpp"

using fixtures::max_abs_difference;
using fixtures::random_tensor;
using fixtures::randomize;
using hopfield::Index;
namespace layers = hopfield::layers;
using layers::Tensor;

namespace {

/// Rows [first, first + count) of axis 0 of a rank-3 tensor (one batch entry when batch-major).
template <class T>
Tensor<T> slice0(const Tensor<T>& t, Index first, Index count = 1) {
    const Index inner = t.dim(1) * t.dim(2);
    return Tensor<T>({count, t.dim(1), t.dim(2)},
                     std::vector<T>(t.data() + first * inner, t.data() + (first + count) * inner));
}

/// Removes the patterns `drop` (axis 1) of a (1, S, d) tensor.
template <class T>
Tensor<T> delete_patterns(const Tensor<T>& t, const std::vector<Index>& drop) {
    std::vector<T> v;
    Index kept = 0;
    for (Index i = 0; i < t.dim(1); ++i) {
        if (std::find(drop.begin(), drop.end(), i) != drop.end()) continue;
        v.insert(v.end(), t.data() + i * t.dim(2), t.data() + (i + 1) * t.dim(2));
        ++kept;
    }
    return Tensor<T>({1, kept, t.dim(2)}, std::move(v));
}

layers::HopfieldOptions base_options(Index d = 8, Index heads = 2) {
    layers::HopfieldOptions o;
    o.input_size = d;
    o.num_heads = heads;
    return o;
}

constexpr double inf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("output row b depends only on input row b, static parts and all", "[layers]") {
    // The reference tiles static patterns along the batch axis and mixes batch entries when
    // H > 1 and B > 1: each batch entry alone must give the same result as in the batch.
    for (const int statics : {0, 1, 2, 3, 4}) {
        auto o = base_options(8, 2);
        o.stored_pattern_as_static = statics == 1 || statics == 4;
        o.state_pattern_as_static = statics == 2 || statics == 4;
        o.pattern_projection_as_static = statics == 3 || statics == 4;
        o.update_steps_max = 2;
        o.update_steps_eps = 0;
        CAPTURE(statics);
        layers::Hopfield<double> layer(o);
        randomize(layer, 5);
        const Index B = 4;
        const auto Y = random_tensor<double>({B, 6, 8}, 1), R = random_tensor<double>({B, 5, 8}, 2),
                   P = random_tensor<double>({B, 6, 8}, 3);
        const auto all = layer.forward(Y, R, P, {.return_association = true});
        for (Index b = 0; b < B; ++b) {
            const auto one = layer.forward(slice0(Y, b), slice0(R, b), slice0(P, b),
                                           {.return_association = true});
            CHECK(max_abs_difference(one.output, slice0(all.output, b)) < 1e-13);
        }
    }
}

TEST_CASE("head h depends only on its own beta and weights: it is a one-head layer with beta_h",
          "[layers]") {
    auto o = base_options(12, 3);
    o.disable_out_projection = true;
    o.scaling = {0.3, 0.9, 2.0};
    o.update_steps_max = 2;
    o.update_steps_eps = 0;
    layers::Hopfield<double> layer(o);
    randomize(layer, 7);
    const auto Y = random_tensor<double>({2, 6, 12}, 1), R = random_tensor<double>({2, 4, 12}, 2),
               P = random_tensor<double>({2, 6, 12}, 3);
    const layers::ForwardOptions<double> want{.return_association = true,
                                              .return_head_outputs = true};
    const auto base = layer.forward(Y, R, P, want);

    // another beta for head 1: heads 0 and 2 do not move, head 1 does
    auto o2 = o;
    o2.scaling = {0.3, 5.0, 2.0};
    layers::Hopfield<double> other(o2);
    layers::load_state_dict(other, layers::state_dict(layer));
    const auto changed = other.forward(Y, R, P, want);
    const Index L = 4, S = 6, pd = 4;
    auto head = [&](const Tensor<double>& t, Index b, Index h, Index cols) {  // (B, H, L, cols)
        const double* p = t.data() + ((b * t.dim(1) + h) * L) * cols;
        return std::vector<double>(p, p + L * cols);
    };
    for (Index b = 0; b < 2; ++b) {
        CHECK(head(changed.association, b, 0, S) == head(base.association, b, 0, S));
        CHECK(head(changed.association, b, 2, S) == head(base.association, b, 2, S));
        CHECK(head(changed.association, b, 1, S) != head(base.association, b, 1, S));
        CHECK(head(changed.head_outputs, b, 0, pd) == head(base.head_outputs, b, 0, pd));
    }

    // head h of the 3-head layer == a 1-head layer with beta_h and head h's weights
    const auto dict = layers::state_dict(layer);
    const auto& W = dict.at("association_core.in_proj_weight");  // [Wq; Wk; Wv], 12 rows each
    const auto& bias = dict.at("association_core.in_proj_bias");
    for (Index h = 0; h < 3; ++h) {
        auto oh = o;
        oh.num_heads = 1;
        oh.hidden_size = 4;
        oh.pattern_size = 4;  // separate q/k/v weights of 4 rows each
        oh.scaling = {o.scaling[std::size_t(h)]};
        layers::Hopfield<double> single(oh);
        layers::StateDict<double> d;
        for (const auto& [key, t] : dict)
            if (key.starts_with("norm_")) d.emplace(key, t);
        const char* names[] = {"q_proj_weight", "k_proj_weight", "v_proj_weight"};
        std::vector<double> b1;
        for (Index part = 0; part < 3; ++part) {
            const double* rows = W.data() + (part * 12 + h * 4) * 12;
            d.emplace(std::string("association_core.") + names[part],
                      Tensor<double>({4, 12}, std::vector<double>(rows, rows + 48)));
            b1.insert(b1.end(), bias.data() + part * 12 + h * 4,
                      bias.data() + part * 12 + h * 4 + 4);
        }
        d.emplace("association_core.in_proj_bias", Tensor<double>({12}, b1));
        layers::load_state_dict(single, d);
        const auto r = single.forward(Y, R, P, want);
        for (Index b = 0; b < 2; ++b) {
            CAPTURE(h, b);
            const auto got = head(r.head_outputs, b, 0, pd);
            const auto expected = head(base.head_outputs, b, h, pd);
            for (std::size_t i = 0; i < got.size(); ++i)
                CHECK(got[i] == Approx(expected[i]).margin(1e-13));
        }
    }
}

TEST_CASE("add_zero_association with softmax equals softmax_1", "[layers]") {
    auto o = base_options(8, 2);
    o.update_steps_max = 3;
    o.update_steps_eps = 0;
    auto oz = o;
    oz.add_zero_association = true;
    layers::Hopfield<double> zero(oz);
    layers::Hopfield<double, hopfield::Softmax1> one(o);
    randomize(zero, 3);
    layers::load_state_dict(one, layers::state_dict(zero));
    const auto Y = random_tensor<double>({2, 5, 8}, 1), R = random_tensor<double>({2, 4, 8}, 2);
    auto mask = layers::Mask<double>::boolean(
        {2, 5}, {false, true, false, false, true, true, true, true, true, true});
    const layers::ForwardOptions<double> fo{
        .stored_pattern_padding_mask = &mask, .return_association = true, .return_energy = true};
    const auto a = zero.forward(Y, R, Y, fo);
    const auto b = one.forward(Y, R, Y, fo);
    CHECK(max_abs_difference(a.output, b.output) < 1e-13);
    CHECK(max_abs_difference(a.energy, b.energy) < 1e-12);
    CHECK(a.association.dim(3) == 6);
    CHECK(b.association.dim(3) == 5);
    for (Index r = 0; r < 2 * 2 * 4; ++r)
        for (Index j = 0; j < 5; ++j)
            CHECK(a.association.data()[r * 6 + j] ==
                  Approx(b.association.data()[r * 5 + j]).margin(1e-14));
    // batch 1 has every pattern blocked: softmax puts all weight on the zero pattern, softmax_1
    // none
    CHECK(a.association(1, 0, 0, 5) == Approx(1.0));
}

TEMPLATE_TEST_CASE("a blocked stored pattern is a deleted one, on every pass and for every map",
                   "[layers]", hopfield::Softmax, hopfield::Sparsemax, hopfield::Entmax15) {
    auto o = base_options(8, 2);
    o.update_steps_max = 2;
    o.update_steps_eps = 0;
    o.scaling = {0.4, 0.8};
    layers::Hopfield<double, TestType> layer(o);
    randomize(layer, 11);
    const Index B = 2, S = 7, L = 3;
    const auto Y = random_tensor<double>({B, S, 8}, 1), R = random_tensor<double>({B, L, 8}, 2),
               P = random_tensor<double>({B, S, 8}, 3);
    const std::vector<std::vector<Index>> drop = {{1, 4}, {0, 5, 6}};

    SECTION("padding mask (boolean and additive -inf)") {
        std::vector<bool> blocked(std::size_t(B * S), false);
        Tensor<double> additive({B, S});
        for (Index b = 0; b < B; ++b)
            for (const Index j : drop[std::size_t(b)]) {
                blocked[std::size_t(b * S + j)] = true;
                additive(b, j) = -inf;
            }
        for (const auto& mask : {layers::Mask<double>::boolean({B, S}, blocked),
                                 layers::Mask<double>::additive(additive)}) {
            const auto masked = layer.forward(
                Y, R, P, {.stored_pattern_padding_mask = &mask, .return_energy = true});
            for (Index b = 0; b < B; ++b) {
                const auto d = drop[std::size_t(b)];
                const auto kept =
                    layer.forward(delete_patterns(slice0(Y, b), d), slice0(R, b),
                                  delete_patterns(slice0(P, b), d), {.return_energy = true});
                CHECK(max_abs_difference(kept.output, slice0(masked.output, b)) < 1e-12);
                const double* e = masked.energy.data() + b * 2 * L;
                for (Index i = 0; i < 2 * L; ++i)
                    CHECK(kept.energy.data()[i] == Approx(e[i]).epsilon(1e-12));
            }
        }
    }
    SECTION("association mask blocking whole columns, (L, S) and (B*H, L, S)") {
        std::vector<bool> cols(std::size_t(L * S), false),
            per_head(std::size_t(B * 2 * L * S), false);
        for (Index l = 0; l < L; ++l)
            for (const Index j : drop[0]) cols[std::size_t(l * S + j)] = true;
        for (Index b = 0; b < B; ++b)
            for (Index h = 0; h < 2; ++h)
                for (Index l = 0; l < L; ++l)
                    for (const Index j : drop[std::size_t(b)])
                        per_head[std::size_t(((b * 2 + h) * L + l) * S + j)] = true;
        const auto shared = layers::Mask<double>::boolean({L, S}, cols);
        const auto each = layers::Mask<double>::boolean({B * 2, L, S}, per_head);
        const auto a = layer.forward(Y, R, P, {.association_mask = &shared});
        const auto c = layer.forward(Y, R, P, {.association_mask = &each});
        for (Index b = 0; b < B; ++b) {
            const auto d0 = drop[0], db = drop[std::size_t(b)];
            const auto k0 = layer.forward(delete_patterns(slice0(Y, b), d0), slice0(R, b),
                                          delete_patterns(slice0(P, b), d0));
            const auto kb = layer.forward(delete_patterns(slice0(Y, b), db), slice0(R, b),
                                          delete_patterns(slice0(P, b), db));
            CHECK(max_abs_difference(k0.output, slice0(a.output, b)) < 1e-12);
            CHECK(max_abs_difference(kb.output, slice0(c.output, b)) < 1e-12);
        }
    }
}

TEST_CASE("uint8, bool and additive masks agree, and masks are checked", "[layers]") {
    auto o = base_options(8, 2);
    layers::Hopfield<float> layer(o);
    randomize(layer, 2);
    const auto Y = random_tensor<float>({2, 5, 8}, 1), R = random_tensor<float>({2, 3, 8}, 2);
    Tensor<std::uint8_t> u8({3, 5});
    Tensor<float> add({3, 5});
    std::vector<bool> b(15, false);
    for (const Index i : {1, 3, 7, 8, 14}) {
        u8.data()[i] = 7;  // any nonzero byte blocks
        add.data()[i] = -std::numeric_limits<float>::infinity();
        b[std::size_t(i)] = true;
    }
    const auto m1 = layers::Mask<float>::boolean(u8), m2 = layers::Mask<float>::additive(add),
               m3 = layers::Mask<float>::boolean({3, 5}, b);
    const auto r1 = layer.forward(Y, R, Y, {.association_mask = &m1});
    CHECK(r1.output.values() == layer.forward(Y, R, Y, {.association_mask = &m2}).output.values());
    CHECK(r1.output.values() == layer.forward(Y, R, Y, {.association_mask = &m3}).output.values());
    // a constant additive offset leaves softmax unchanged
    Tensor<float> offsets({3, 5}, 0.5f);
    const auto shift = layers::Mask<float>::additive(offsets);
    CHECK(max_abs_difference(layer.forward(Y, R, Y, {.association_mask = &shift}).output,
                             layer.forward(Y, R, Y).output) < 1e-6);

    Tensor<float> bad({3, 5});
    bad(1, 1) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH(layers::Mask<float>::additive(bad),
                      Catch::Contains("values") && Catch::Contains("element 6"));
    const auto wrong = layers::Mask<float>::boolean({5, 3}, std::vector<bool>(15, false));
    CHECK_THROWS_WITH(layer.forward(Y, R, Y, {.association_mask = &wrong}),
                      Catch::Contains("association_mask") && Catch::Contains("(5, 3)"));
    CHECK_THROWS_WITH(layer.forward(Y, R, Y, {.stored_pattern_padding_mask = &m1}),
                      Catch::Contains("stored_pattern_padding_mask") && Catch::Contains("(2, 5)"));
}

TEMPLATE_TEST_CASE("all-masked rows retrieve zero, never NaN, for every map", "[layers]",
                   hopfield::Softmax, hopfield::Softmax1, hopfield::Sparsemax, hopfield::Entmax15) {
    for (const bool zero_association : {false, true}) {
        auto o = base_options(8, 2);
        o.update_steps_max = 2;
        o.add_zero_association = zero_association;
        o.association_activation = "sigmoid";
        layers::Hopfield<double, TestType> layer(o);
        randomize(layer, 4);
        const auto Y = random_tensor<double>({2, 5, 8}, 1), R = random_tensor<double>({2, 3, 8}, 2);
        // batch 1: every stored pattern padded away; batch 0, query 2: every pair blocked
        std::vector<bool> pad(10, false), assoc(2 * 2 * 3 * 5, false);
        for (Index j = 0; j < 5; ++j) {
            pad[std::size_t(5 + j)] = true;
            for (Index h = 0; h < 2; ++h) assoc[std::size_t(((0 * 2 + h) * 3 + 2) * 5 + j)] = true;
        }
        const auto padding = layers::Mask<double>::boolean({2, 5}, pad);
        const auto association = layers::Mask<double>::boolean({4, 3, 5}, assoc);
        const auto r = layer.forward(Y, R, Y,
                                     {.stored_pattern_padding_mask = &padding,
                                      .association_mask = &association,
                                      .return_association = true,
                                      .return_head_outputs = true,
                                      .return_energy = true});
        const auto dict = layers::state_dict(layer);
        const auto& bias = dict.at("association_core.out_proj.bias");
        auto check_zero_row = [&](Index b, Index l) {
            for (Index h = 0; h < 2; ++h) {
                for (Index j = 0; j < 4; ++j) CHECK(r.head_outputs(b, h, l, j) == 0.0);
                for (Index j = 0; j < 5; ++j) CHECK(r.association(b, h, l, j) == 0.0);
                // only the zero pattern is open: weight 1 (softmax_1 keeps its own extra zero
                // logit: exp(0) / (1 + exp(0)) = 1/2); it retrieves zero either way
                if (zero_association)
                    CHECK(r.association(b, h, l, 5) ==
                          Approx(std::is_same_v<TestType, hopfield::Softmax1> ? 0.5 : 1.0));
            }
            for (Index j = 0; j < 8; ++j)
                CHECK(r.output(b, l, j) == Approx(1.0 / (1.0 + std::exp(-bias.data()[j]))));
        };
        check_zero_row(0, 2);
        for (Index l = 0; l < 3; ++l) check_zero_row(1, l);
        for (const double v : r.output.values()) CHECK(std::isfinite(v));
        for (const double e : r.energy.values()) CHECK(std::isfinite(e));
    }
}

TEST_CASE("update_steps_max = k performs k + 1 associations (plain retrieval vs ModernHopfield)",
          "[layers]") {
    const Index d = 6, S = 9, L = 4;
    const auto Y = random_tensor<double>({1, S, d}, 1),
               R = random_tensor<double>({1, L, d}, 2, 0.5);
    const hopfield::ModernHopfield<hopfield::Softmax> model(0.7);
    hopfield::RowMatrix<double> X = Y.matrix();
    auto& ws = hopfield::thread_workspace<double>();
    for (int k = 0; k <= 4; ++k) {
        CAPTURE(k);
        const auto r = layers::retrieve(
            Y, R, {.scaling = {0.7}, .update_steps_max = k, .update_steps_eps = 0});
        REQUIRE(r.steps == std::vector<int>{k});
        for (Index l = 0; l < L; ++l) {
            Eigen::VectorXd xi = R.matrix().row(l).transpose(), next(d);
            for (int a = 0; a < k + 1; ++a) {  // k + 1 associations: xi <- X^T softmax(beta X xi)
                model.update(hopfield::PatternView<double>(X), xi.data(), next.data(), ws);
                xi = next;
            }
            for (Index j = 0; j < d; ++j) CHECK(r.output(0, l, j) == Approx(xi[j]).margin(1e-13));
        }
    }
}

TEST_CASE("the stopping rule: per head, shared by the batch, after at least one update",
          "[layers]") {
    auto o = base_options(8, 2);
    o.scaling = {0.25, 0.6};
    o.update_steps_eps = 0;
    layers::Hopfield<double> layer(o);
    randomize(layer, 21);
    const auto Y = random_tensor<double>({3, 7, 8}, 1), R = random_tensor<double>({3, 4, 8}, 2);
    const layers::ForwardOptions<double> want{.return_association = true};

    // A_s of a run with exactly s updates (eps = 0: only update_steps_max stops)
    std::vector<Tensor<double>> A;
    for (int s = 0; s <= 40; ++s) {
        auto os = o;
        os.update_steps_max = s;
        layers::Hopfield<double> fixed(os);
        layers::load_state_dict(fixed, layers::state_dict(layer));
        const auto r = fixed.forward(Y, R, Y, want);
        // eps = 0 stops a head only on an exact fixed point (a change of exactly 0); with
        // clang and AVX-512 one head reaches one after 38 updates, so beyond 20 allow it.
        for (const int steps : r.steps) {
            REQUIRE(steps <= s);
            REQUIRE(steps >= std::min(s, 20));
        }
        A.push_back(r.association);
    }
    // change[h][s] = max over the batch of ||A_s - A_{s-1}||_F of head h
    const Index B = 3, L = 4, S = 7;
    auto change = [&](Index h, int s) {
        double worst = 0;
        for (Index b = 0; b < B; ++b) {
            double f = 0;
            for (Index l = 0; l < L; ++l)
                for (Index j = 0; j < S; ++j) {
                    const double dlt =
                        A[std::size_t(s)](b, h, l, j) - A[std::size_t(s - 1)](b, h, l, j);
                    f += dlt * dlt;
                }
            worst = std::max(worst, std::sqrt(f));
        }
        return worst;
    };
    for (const double eps : {1e-2, 1e-3, 1e-5}) {
        auto oe = o;
        oe.update_steps_max = std::nullopt;  // until converged
        oe.update_steps_eps = eps;
        layers::Hopfield<double> until(oe);
        layers::load_state_dict(until, layers::state_dict(layer));
        const auto r = until.forward(Y, R, Y, want);
        for (Index h = 0; h < 2; ++h) {
            CAPTURE(eps, h);
            int expected = 1;
            while (change(h, expected) > eps) ++expected;  // the first update that changes <= eps
            REQUIRE(expected < 40);
            CHECK(r.steps[std::size_t(h)] == expected);
            // a stopped head keeps its association
            for (Index b = 0; b < B; ++b)
                for (Index l = 0; l < L; ++l)
                    for (Index j = 0; j < S; ++j)
                        CHECK(r.association(b, h, l, j) ==
                              Approx(A[std::size_t(expected)](b, h, l, j)).margin(1e-14));
        }
        // bounded by update_steps_max as well
        oe.update_steps_max = 2;
        layers::Hopfield<double> bounded(oe);
        layers::load_state_dict(bounded, layers::state_dict(layer));
        for (const int st : bounded.forward(Y, R, Y).steps) CHECK(st <= 2);
    }
    // any update_steps_max >= 1 performs one update whatever eps; 0 performs none
    auto huge = o;
    huge.update_steps_eps = 1e9;
    huge.update_steps_max = 5;
    layers::Hopfield<double> once(huge);
    CHECK(once.forward(Y, R, Y).steps == std::vector<int>{1, 1});
    huge.update_steps_max = std::nullopt;
    CHECK(layers::Hopfield<double>(huge).forward(Y, R, Y).steps == std::vector<int>{1, 1});
    huge.update_steps_max = 0;
    CHECK(layers::Hopfield<double>(huge).forward(Y, R, Y).steps == std::vector<int>{0, 0});
}

TEMPLATE_TEST_CASE("the energy never increases along the update steps", "[layers]",
                   hopfield::Softmax, hopfield::Softmax1, hopfield::Sparsemax, hopfield::Entmax15) {
    auto o = base_options(8, 2);
    o.scaling = {0.5, 1.5};
    o.update_steps_eps = 0;
    layers::Hopfield<double, TestType> layer(o);
    randomize(layer, 8);
    const auto Y = random_tensor<double>({2, 6, 8}, 1), R = random_tensor<double>({2, 4, 8}, 2);
    std::vector<Tensor<double>> energies;
    for (int k = 0; k <= 4; ++k) {
        auto ok = o;
        ok.update_steps_max = k;
        layers::Hopfield<double, TestType> l(ok);
        layers::load_state_dict(l, layers::state_dict(layer));
        energies.push_back(l.forward(Y, R, Y, {.return_energy = true}).energy);
        CHECK(l.energy(Y, R, Y).values() == energies.back().values());
    }
    for (std::size_t k = 1; k < energies.size(); ++k)
        for (Index i = 0; i < energies[k].size(); ++i) {
            CHECK(energies[k].data()[i] <= energies[k - 1].data()[i] + 1e-12);
            CHECK(energies[k].data()[i] >= -1e-12);  // E >= 0 for every map (models.md)
        }
}

TEST_CASE("plain retrieval: one call, per-head split, equals the library's kernel", "[layers]") {
    const auto Y = random_tensor<float>({2, 10, 8}, 1), R = random_tensor<float>({2, 3, 8}, 2);
    const auto r = layers::retrieve(Y, R, {.scaling = {1.5}});
    hopfield::ModernHopfield<hopfield::Softmax> model(1.5);
    for (Index b = 0; b < 2; ++b) {
        const hopfield::RowMatrix<float> X = slice0(Y, b).matrix();
        for (Index l = 0; l < 3; ++l) {
            Eigen::VectorXf xi = slice0(R, b).matrix().row(l).transpose();
            const Eigen::VectorXf out = hopfield::step(model, hopfield::PatternView<float>(X), xi);
            for (Index j = 0; j < 8; ++j) CHECK(r.output(b, l, j) == Approx(out[j]).margin(1e-6));
        }
    }
    // two heads: each half of the features is its own memory
    const auto two = layers::retrieve(Y, R, {.scaling = {1.5, 0.5}, .num_heads = 2});
    for (Index h = 0; h < 2; ++h) {
        Tensor<float> Yh({2, 10, 4}), Rh({2, 3, 4});
        for (Index i = 0; i < 20; ++i) std::copy_n(Y.data() + i * 8 + h * 4, 4, Yh.data() + i * 4);
        for (Index i = 0; i < 6; ++i) std::copy_n(R.data() + i * 8 + h * 4, 4, Rh.data() + i * 4);
        const auto rh = layers::retrieve(Yh, Rh, {.scaling = {h == 0 ? 1.5 : 0.5}});
        for (Index i = 0; i < 6; ++i)
            for (Index j = 0; j < 4; ++j)
                CHECK(two.output.data()[i * 8 + h * 4 + j] ==
                      Approx(rh.output.data()[i * 4 + j]).margin(1e-6));
    }
    // entmax with its own alpha, and the sequence-first layout
    const auto e = layers::retrieve(Y, R, {.scaling = {2.0}}, {}, hopfield::Entmax(1.5));
    const auto e15 = layers::retrieve<float, hopfield::Entmax15>(Y, R, {.scaling = {2.0}});
    CHECK(max_abs_difference(e.output, e15.output) < 1e-5);
}

TEST_CASE("concat_bias_pattern appends bias_k / bias_v as one more stored pattern", "[layers]") {
    // With static keys and values the bias pattern is an ordinary stored pattern.
    auto o = layers::HopfieldOptions::plain_retrieval(6, 2);
    o.concat_bias_pattern = true;
    o.scaling = {0.8};
    o.update_steps_max = 1;
    layers::Hopfield<double> with_bias(o);
    const auto bk = random_tensor<double>({1, 1, 6}, 9), bv = random_tensor<double>({1, 1, 6}, 10);
    layers::set_parameter(with_bias, "association_core.bias_k", bk);
    layers::set_parameter(with_bias, "association_core.bias_v", bv);
    const auto Y = random_tensor<double>({2, 4, 6}, 1), R = random_tensor<double>({2, 3, 6}, 2),
               P = random_tensor<double>({2, 4, 6}, 3);
    std::vector<bool> pad(8, false);
    pad[1] = pad[7] = true;
    const auto padding = layers::Mask<double>::boolean({2, 4}, pad);
    const auto r = with_bias.forward(
        Y, R, P, {.stored_pattern_padding_mask = &padding, .return_association = true});
    CHECK(r.association.dim(3) == 5);

    auto plain = o;
    plain.concat_bias_pattern = false;
    layers::Hopfield<double> without(plain);
    auto append = [](const Tensor<double>& t, const Tensor<double>& row) {
        Tensor<double> out({t.dim(0), t.dim(1) + 1, t.dim(2)});
        for (Index b = 0; b < t.dim(0); ++b) {
            std::copy_n(t.data() + b * t.dim(1) * t.dim(2), t.dim(1) * t.dim(2),
                        out.data() + b * out.dim(1) * t.dim(2));
            std::copy_n(row.data(), t.dim(2), out.data() + (b * out.dim(1) + t.dim(1)) * t.dim(2));
        }
        return out;
    };
    std::vector<bool> pad5(10, false);
    pad5[1] = pad5[5 + 3] = true;  // the bias column is never masked
    const auto padding5 = layers::Mask<double>::boolean({2, 5}, pad5);
    const auto expected = without.forward(append(Y, bk), R, append(P, bv),
                                          {.stored_pattern_padding_mask = &padding5});
    CHECK(max_abs_difference(r.output, expected.output) < 1e-13);
    CHECK(max_abs_difference(
              r.output,
              without.forward(Y, R, P, {.stored_pattern_padding_mask = &padding}).output) > 1e-3);
}

TEST_CASE("HopfieldPooling is a Hopfield layer whose state is its pooling weights", "[layers]") {
    for (const bool batch_first : {true, false}) {
        auto o = base_options(8, 2);
        o.output_size = 3;
        o.update_steps_max = 1;
        o.batch_first = batch_first;
        layers::HopfieldPooling<double> pool(o, {.quantity = 2});
        randomize(pool, 6);
        const Index B = 3, S = 5;
        const auto X = random_tensor<double>(
            batch_first ? std::vector<Index>{B, S, 8} : std::vector<Index>{S, B, 8}, 1);
        const auto r = pool.forward(X, {.return_association = true});
        REQUIRE(r.output.shape() == std::vector<Index>{B, 2 * 3});  // (B, quantity*out) either way

        auto oh = o;
        oh.batch_first = true;
        layers::Hopfield<double> hop(oh);
        layers::StateDict<double> d;
        for (const auto& [key, t] : layers::state_dict(pool))
            if (key.starts_with("hopfield.")) d.emplace(key.substr(9), t);
        layers::load_state_dict(hop, d);
        const auto q = layers::state_dict(pool).at("pooling_weights");
        for (Index b = 0; b < B; ++b) {
            Tensor<double> xb({1, S, 8});
            for (Index i = 0; i < S; ++i)
                std::copy_n(X.data() + (batch_first ? b * S + i : i * B + b) * 8, 8,
                            xb.data() + i * 8);
            const auto state = Tensor<double>({1, 2, 8}, q.values());
            const auto expected = hop.forward(xb, state, xb);
            for (Index k = 0; k < 2 * 3; ++k)
                CHECK(r.output(b, k) == Approx(expected.output.data()[k]).margin(1e-13));
        }
    }
}

TEST_CASE("HopfieldLayer is a Hopfield layer whose stored patterns are its lookup weights",
          "[layers]") {
    for (const bool separated : {false, true}) {
        auto o = base_options(8, 2);
        o.pattern_projection_size = separated ? 6 : 8;
        layers::HopfieldLayer<float> lookup(
            o, {.quantity = 5, .lookup_weights_as_separated = separated});
        randomize(lookup, 12);
        const auto R = random_tensor<float>({2, 4, 8}, 1);
        const auto r = lookup.forward(R);
        REQUIRE(r.output.shape() == std::vector<Index>{2, 4, 8});
        layers::Hopfield<float> hop(o);
        layers::StateDict<float> d;
        const auto all = layers::state_dict(lookup);
        for (const auto& [key, t] : all)
            if (key.starts_with("hopfield.")) d.emplace(key.substr(9), t);
        layers::load_state_dict(hop, d);
        const auto& lw = all.at("lookup_weights");
        const auto& tw = separated ? all.at("target_weights") : lw;
        for (Index b = 0; b < 2; ++b) {
            const auto expected = hop.forward(Tensor<float>({1, 5, 8}, lw.values()), slice0(R, b),
                                              Tensor<float>({1, 5, tw.dim(2)}, tw.values()));
            CHECK(max_abs_difference(expected.output, slice0(r.output, b)) < 1e-6);
        }
    }
}

TEST_CASE("forward is const and thread-safe", "[layers]") {
    auto o = base_options(16, 4);
    o.update_steps_max = 2;
    layers::Hopfield<float, hopfield::Sparsemax> layer(o);
    randomize(layer, 1);
    const auto X = random_tensor<float>({4, 20, 16}, 2);
    const auto expected = layer(X);
    std::vector<Tensor<float>> got(2);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) got[t] = layer(X);
        });
    for (auto& th : threads) th.join();
    for (const auto& g : got) CHECK(g.values() == expected.values());
}
