#pragma once
// The slow, obviously-correct twins of the library's fast paths: plain double-precision loops
// written from the formulas in models.md, with no SIMD, no Eigen products and no shared code
// with include/hopfield beyond the PatternView type. Every optimised kernel is compared
// against these.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <hopfield/core/types.hpp>
#include <hopfield/models/modern.hpp>  // for_each_modern_model only
#include <limits>
#include <random>
#include <vector>

namespace ref {

using dvec = std::vector<double>;
using dmat = std::vector<dvec>;  // row per pattern

template <class Scalar>
dmat to_rows(hopfield::PatternView<Scalar> X) {
    dmat rows(std::size_t(X.size()), dvec(std::size_t(X.dim())));
    for (hopfield::Index mu = 0; mu < X.size(); ++mu)
        for (hopfield::Index i = 0; i < X.dim(); ++i)
            rows[std::size_t(mu)][std::size_t(i)] = double(X.row(mu)[i]);
    return rows;
}

template <class V>
dvec to_dvec(const V& v) {
    dvec out(std::size_t(v.size()));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = double(v[Eigen::Index(i)]);
    return out;
}

inline double dot(const dvec& a, const dvec& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

inline dvec similarity(const dmat& X, const dvec& q, double scale) {
    dvec s(X.size());
    for (std::size_t mu = 0; mu < X.size(); ++mu) s[mu] = scale * dot(X[mu], q);
    return s;
}

inline dvec projection(const dmat& X, const dvec& w, std::size_t d) {
    dvec out(d, 0.0);
    for (std::size_t mu = 0; mu < X.size(); ++mu)
        for (std::size_t i = 0; i < d; ++i) out[i] += w[mu] * X[mu][i];
    return out;
}

inline dvec softmax(const dvec& z) {
    double m = -std::numeric_limits<double>::infinity();
    for (double v : z) m = std::max(m, v);
    dvec p(z.size());
    if (m == -std::numeric_limits<double>::infinity()) return dvec(z.size(), 0.0);
    double sum = 0;
    for (std::size_t i = 0; i < z.size(); ++i) sum += (p[i] = std::exp(z[i] - m));
    for (double& v : p) v /= sum;
    return p;
}

inline dvec softmax1(const dvec& z) {  // softmax([0; z]) without its first entry
    dvec ext(1, 0.0);
    ext.insert(ext.end(), z.begin(), z.end());
    dvec p = softmax(ext);
    return dvec(p.begin() + 1, p.end());
}

// sparsemax by bisection on tau (a different algorithm from the library's sort-based one).
inline dvec sparsemax(const dvec& z) {
    double hi = -std::numeric_limits<double>::infinity();
    for (double v : z) hi = std::max(hi, v);
    double lo = hi - 1;
    for (int it = 0; it < 200; ++it) {
        const double tau = 0.5 * (lo + hi);
        double s = 0;
        for (double v : z) s += std::max(v - tau, 0.0);
        (s > 1 ? lo : hi) = tau;
    }
    dvec p(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) p[i] = std::max(z[i] - lo, 0.0);
    double s = 0;
    for (double v : p) s += v;
    for (double& v : p) v /= s;
    return p;
}

// Hebbian couplings J = (1/d) sum_mu x_mu x_mu^T, J_ii = 0, and the naive field J sigma.
inline dmat hebb_couplings(const dmat& X, std::size_t d) {
    dmat J(d, dvec(d, 0.0));
    for (const auto& x : X)
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j)
                if (i != j) J[i][j] += x[i] * x[j] / double(d);
    return J;
}

inline dvec matvec(const dmat& J, const dvec& s) {
    dvec h(J.size());
    for (std::size_t i = 0; i < J.size(); ++i) h[i] = dot(J[i], s);
    return h;
}

// Dense model field straight from the definition: h_i = (E(sigma_i=-1) - E(sigma_i=+1)) / 2
// with E = -sum_mu F(x_mu . sigma): both energies evaluated in full.
template <class F>
dvec dense_field(const dmat& X, const dvec& sigma, F&& f) {
    const std::size_t d = sigma.size();
    dvec h(d);
    for (std::size_t i = 0; i < d; ++i) {
        dvec up = sigma, down = sigma;
        up[i] = 1;
        down[i] = -1;
        double e_up = 0, e_down = 0;
        for (const auto& x : X) {
            e_up -= f(dot(x, up));
            e_down -= f(dot(x, down));
        }
        h[i] = 0.5 * (e_down - e_up);
    }
    return h;
}

// Random +-1 patterns.
template <class Scalar>
hopfield::RowMatrix<Scalar> random_binary(hopfield::Index n, hopfield::Index d,
                                          std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    hopfield::RowMatrix<Scalar> X(n, d);
    for (hopfield::Index k = 0; k < X.size(); ++k)
        X.data()[k] = (rng() & 1) ? Scalar(1) : Scalar(-1);
    return X;
}

// Random Gaussian patterns.
template <class Scalar>
hopfield::RowMatrix<Scalar> random_gaussian(hopfield::Index n, hopfield::Index d,
                                            std::uint64_t seed, double sd = 1.0) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g(0.0, sd);
    hopfield::RowMatrix<Scalar> X(n, d);
    for (hopfield::Index k = 0; k < X.size(); ++k) X.data()[k] = Scalar(g(rng));
    return X;
}

// Max relative difference, |a - b| / max(1, |b|) elementwise.
template <class A>
double max_rel_diff(const A& a, const dvec& b) {
    double worst = 0;
    for (std::size_t i = 0; i < b.size(); ++i)
        worst = std::max(
            worst, std::abs(double(a[Eigen::Index(i)]) - b[i]) / std::max(1.0, std::abs(b[i])));
    return worst;
}

// n values uniform in [-1, 1), deterministic in `seed`.
template <class Scalar>
std::vector<Scalar> random_vector(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<Scalar> v(n);
    for (auto& x : v) x = Scalar(u(rng));
    return v;
}

// Runs `check` on one continuous model of every separation map, at inverse temperature beta.
template <class F>
void for_each_modern_model(double beta, F&& check) {
    check(hopfield::LogSumExpHopfield(beta));
    check(hopfield::OutlierEfficientHopfield(beta));
    check(hopfield::SparseHopfield(beta));
    check(hopfield::ModernHopfield<hopfield::Entmax15>(beta));
    check(hopfield::EntmaxHopfield(beta, hopfield::Entmax(1.3)));
}

}  // namespace ref
