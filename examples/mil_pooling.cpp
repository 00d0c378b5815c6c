// Multiple-instance learning with HopfieldPooling, in C++, on weights trained in PyTorch.
//
// The task (the bit-pattern MIL task of "Hopfield Networks is All You Need", in miniature): a
// bag holds 6 to 16 instances of 16 random bits; it is positive iff one of its instances is
// the signal pattern below. tests/reference/generate.py trained a HopfieldPooling classifier
// on it with the project's PyTorch reference (its state_dict, one .npy file per key, is in
// examples/data/mil_pooling/weights). Here the same layer runs in C++: it learned a query that
// retrieves the signal instance from the bag, and its output projection turns the retrieved
// pattern into the logit. Bags of different sizes share one batch through a padding mask.
//
//     ./mil_pooling [examples/data/mil_pooling]

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <hopfield/layers/layers.hpp>
#include <iomanip>
#include <iostream>
#include <random>
#include <vector>

namespace layers = hopfield::layers;
using hopfield::Index;

namespace {

constexpr Index instance_size = 16, min_bag = 6, max_bag = 16;
constexpr int signal[instance_size] = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1};

// The options of the trained model (MIL in tests/reference/generate.py).
layers::HopfieldOptions model_options() {
    layers::HopfieldOptions o;
    o.input_size = instance_size;
    o.hidden_size = 8;
    o.num_heads = 2;
    o.output_size = 1;
    o.scaling = {1.0};
    return o;
}

struct Bags {
    layers::Tensor<float> instances;  // (B, max_bag, 16), zero-padded
    layers::Mask<float> padding;      // (B, max_bag), true past the bag's size
    std::vector<int> labels;
    std::vector<Index> sizes;
};

bool is_signal(const float* x) {
    for (Index i = 0; i < instance_size; ++i)
        if (x[i] != float(signal[i])) return false;
    return true;
}

// Fresh bags drawn in C++ with the rule of the training data.
Bags draw_bags(Index count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution bit(0.5);
    std::uniform_int_distribution<Index> size(min_bag, max_bag);
    Bags bags{layers::Tensor<float>({count, max_bag, instance_size}), {}, {}, {}};
    std::vector<bool> blocked(std::size_t(count * max_bag), false);
    for (Index b = 0; b < count; ++b) {
        const Index n = size(rng);
        const int label = bit(rng) ? 1 : 0;
        for (Index j = 0; j < max_bag; ++j) {
            float* x = bags.instances.data() + (b * max_bag + j) * instance_size;
            if (j >= n) {
                blocked[std::size_t(b * max_bag + j)] = true;
                continue;
            }
            do {
                for (Index i = 0; i < instance_size; ++i) x[i] = bit(rng) ? 1.f : 0.f;
            } while (is_signal(x));
        }
        if (label == 1) {
            const Index at = std::uniform_int_distribution<Index>(0, n - 1)(rng);
            for (Index i = 0; i < instance_size; ++i)
                bags.instances.data()[(b * max_bag + at) * instance_size + i] = float(signal[i]);
        }
        bags.labels.push_back(label);
        bags.sizes.push_back(n);
    }
    bags.padding = layers::Mask<float>::boolean({count, max_bag}, blocked);
    return bags;
}

double accuracy(const layers::Tensor<float>& logits, const std::vector<int>& labels) {
    Index right = 0;
    for (Index b = 0; b < logits.dim(0); ++b)
        right += (logits(b, 0) > 0.f) == (labels[std::size_t(b)] == 1);
    return double(right) / double(logits.dim(0));
}

}  // namespace

int main(int argc, char** argv) {
    const std::filesystem::path data =
        argc > 1 ? std::filesystem::path(argv[1])
                 : std::filesystem::path(__FILE__).parent_path() / "data" / "mil_pooling";
    try {
        layers::HopfieldPooling<float> model(model_options(), {.quantity = 1});
        layers::load_npy(model, data / "weights");
        std::cout << "HopfieldPooling loaded from " << (data / "weights").string() << " ("
                  << layers::parameter_specs(model).size() << " tensors)\n";

        // 1. The held-out bags saved by the generator: same logits as PyTorch.
        const auto bags = layers::Tensor<float>::load(data / "bags.npy");
        const auto padding = layers::Mask<float>::load(data / "padding_mask.npy");
        const auto labels = layers::Tensor<float>::load(data / "labels.npy");
        const auto torch_logits = layers::Tensor<double>::load(data / "torch_logits.npy");
        const auto held_out = model.forward(bags, {.stored_pattern_padding_mask = &padding});
        double max_diff = 0, max_logit = 0;
        for (Index b = 0; b < held_out.output.dim(0); ++b) {
            max_diff = std::max(max_diff,
                                std::abs(double(held_out.output(b, 0)) - torch_logits.data()[b]));
            max_logit = std::max(max_logit, std::abs(torch_logits.data()[b]));
        }
        std::vector<int> held_labels;
        for (const float l : labels.values()) held_labels.push_back(l > 0.5f ? 1 : 0);
        std::cout << "held-out bags from PyTorch: " << bags.dim(0) << ", accuracy "
                  << accuracy(held_out.output, held_labels)
                  << ", max |logit - torch logit| / max |logit| = " << std::scientific
                  << std::setprecision(2) << max_diff / max_logit << std::defaultfloat
                  << " (float vs float64)\n";

        // 2. Fresh bags drawn here: the classifier generalises, and its attention finds the signal.
        const auto fresh = draw_bags(2000, 2024);
        const auto r = model.forward(
            fresh.instances,
            {.stored_pattern_padding_mask = &fresh.padding, .return_association = true});
        std::cout << "fresh bags drawn in C++: " << fresh.labels.size() << ", accuracy "
                  << accuracy(r.output, fresh.labels) << "\n\n";
        std::cout << std::fixed << std::setprecision(3);
        for (Index b = 0; b < 6; ++b) {
            std::cout << "bag " << b << ": " << std::setw(2) << fresh.sizes[std::size_t(b)]
                      << " instances, " << (fresh.labels[std::size_t(b)] ? "positive" : "negative")
                      << ", logit " << std::setw(7) << r.output(b, 0) << ";";
            for (Index h = 0; h < 2; ++h) {  // where each head's attention goes
                Index top = 0;
                for (Index j = 1; j < max_bag; ++j)
                    if (r.association(b, h, 0, j) > r.association(b, h, 0, top)) top = j;
                const bool found =
                    is_signal(fresh.instances.data() + (b * max_bag + top) * instance_size);
                std::cout << " head " << h << ": " << r.association(b, h, 0, top) << " on instance "
                          << std::setw(2) << top << (found ? " (the signal)" : "");
            }
            std::cout << "\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "mil_pooling: " << e.what()
                  << "\n(pass the data folder, examples/data/mil_pooling, as argument)\n";
        return 1;
    }
}
