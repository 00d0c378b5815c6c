#pragma once
/// \file random.hpp
/// \brief Reproducible randomness for capacity experiments: the seed of every trial is a fixed
/// function of (experiment seed, load index, trial index), never of the thread that runs it,
/// and every draw comes from std::mt19937_64 through portable transforms (the standard
/// distributions are implementation-defined, so they are not used).

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace hopfield::capacity {

/// \brief One step of splitmix64 (Steele, Lea and Flood 2014): a bijective 64-bit mixer whose
/// outputs for consecutive inputs are statistically independent; used to derive seeds.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// \brief The seed of trial `trial` at load point `load` of an experiment seeded with `seed`:
/// splitmix64 chained over the three numbers. The same triple gives the same seed on every
/// platform and whatever the number of threads; different triples give unrelated streams.
constexpr std::uint64_t trial_seed(std::uint64_t seed, std::uint64_t load,
                                   std::uint64_t trial) noexcept {
    return splitmix64(splitmix64(splitmix64(seed) ^ load) ^ trial);
}

/// \brief The random source of one trial: std::mt19937_64 with portable transforms (uniform
/// doubles from the top 53 bits, unbiased integers by rejection, normals by Box-Muller), so a
/// seed gives the same numbers with every standard library.
class Random {
public:
    /// \brief A generator seeded with `seed`.
    explicit Random(std::uint64_t seed) : engine_(seed) {}

    /// \brief 64 uniformly random bits.
    std::uint64_t bits() { return engine_(); }

    /// \brief Uniform double in [0, 1).
    double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }

    /// \brief Uniform integer in [0, n) without modulo bias; n must be > 0.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = ~std::uint64_t(0) - ~std::uint64_t(0) % n;
        std::uint64_t x;
        do x = engine_();
        while (x >= limit);
        return x % n;
    }

    /// \brief A standard normal N(0, 1) (Box-Muller; the second value of each pair is kept).
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u;
        do u = uniform();
        while (u == 0.0);
        const double radius = std::sqrt(-2.0 * std::log(u));
        const double angle = 2.0 * std::numbers::pi * uniform();
        spare_ = radius * std::sin(angle);
        has_spare_ = true;
        return radius * std::cos(angle);
    }

    /// \brief A seed for a library routine that takes one (e.g. AsyncOptions::seed).
    std::uint64_t seed() { return splitmix64(engine_()); }

    /// \brief The underlying engine.
    std::mt19937_64& engine() noexcept { return engine_; }

private:
    std::mt19937_64 engine_;
    double spare_ = 0;
    bool has_spare_ = false;
};

}  // namespace hopfield::capacity
