// libFuzzer target: retrieval and dynamics on random shapes and memories, against a scalar
// long double reference written from the formulas (no SIMD, no Eigen products).
//
// Input layout (every read past the end gives 0):
//   byte 0   bit 0: double (else float); bits 1..4: the model (see `model` below)
//   byte 1   N = 1 + b % 64 stored patterns      byte 2   d = 1 + b % 64
//   byte 3   B = b % 40 queries (>= 16 takes the kernel's GEMM path), or 64..103 for b >= 216
//   byte 4   beta: a table (0, 1e-6, 0.1, 0.5, 1, 2, 8, 1e4) or b / 32
//   byte 5   the model parameter: entmax alpha, polynomial p, exponential beta, temperature
//   byte 6   seed of the dynamics
//   then the patterns and queries. Continuous models: one scale byte per row (2^k,
//   k in [-10, 10], so norms differ by up to 2^20 ~ 1e6) and int8 / 16 values. Binary models:
//   one bit per +-1 value.
//
// Continuous models (every ModernHopfield map, the identity included): step() and every row of
// step_batch() equal X^T map(beta X q) within a rounding bound derived for the input (for
// float also over a Bf16PatternMemory of the same patterns), and
// step_batch() on 2-4 worker threads equals it bit for bit; outputs
// finite; the energy finite, >= 0 (not for the identity, whose energy is unbounded below) and
// not increased by iterate(); iterate() states finite. Binary models (ClassicalHebbian with
// and without self-coupling, Polynomial, RectifiedPolynomial, Exponential, Couplings by Hebb,
// Storkey, pseudo-inverse): fields() equal the energy difference (E(-1) - E(+1)) / 2 evaluated
// from the definition; step() takes their sign (ties keep: checked exactly where the fields are
// exact integers); asynchronous runs never raise the energy and end at a fixed point when they
// say so; synchronous and Glauber runs return +-1 states and a finite energy.

#include <hopfield/hopfield.hpp>
#include <optional>

#include "fuzz_common.hpp"

namespace {

using fuzz::ld;
using hopfield::Index;

constexpr Index max_N = 64, max_d = 64, max_B = 40;

double decode_beta(std::uint8_t b) {
    static const double table[] = {0.0, 1e-6, 0.1, 0.5, 1.0, 2.0, 8.0, 1e4};
    return b < 64 ? table[b % 8] : double(b - 64) / 32.0;
}

template <class Scalar>
hopfield::RowMatrix<Scalar> real_rows(fuzz::Bytes& in, Index rows, Index cols) {
    hopfield::RowMatrix<Scalar> M(rows, cols);
    for (Index r = 0; r < rows; ++r) {
        const Scalar scale = Scalar(std::ldexp(1.0, int(in.byte() % 21) - 10));
        for (Index c = 0; c < cols; ++c)
            M(r, c) = scale * Scalar(static_cast<std::int8_t>(in.byte())) / Scalar(16);
    }
    return M;
}

template <class Scalar>
hopfield::RowMatrix<Scalar> binary_rows(fuzz::Bytes& in, Index rows, Index cols) {
    hopfield::RowMatrix<Scalar> M(rows, cols);
    std::uint8_t bits = 0;
    for (Index k = 0; k < M.size(); ++k) {
        if (k % 8 == 0) bits = in.byte();
        M.data()[k] = (bits >> (k % 8)) & 1 ? Scalar(1) : Scalar(-1);
    }
    return M;
}

std::string describe(const char* what, Index N, Index d, double beta, bool dbl) {
    return std::string(what) + " N=" + std::to_string(N) + " d=" + std::to_string(d) +
           " beta=" + std::to_string(beta) + (dbl ? " double" : " float");
}

// ---- continuous models ---------------------------------------------------------------------

enum class MapKind { softmax, softmax1, sparsemax, entmax15, entmax, identity };

std::vector<ld> reference_map(MapKind kind, double alpha, const std::vector<ld>& z) {
    switch (kind) {
        case MapKind::softmax:
            return fuzz::softmax(z);
        case MapKind::softmax1:
            return fuzz::softmax1(z);
        case MapKind::sparsemax:
            return fuzz::entmax(z, 2.0L);
        case MapKind::entmax15:
            return fuzz::entmax(z, 1.5L);
        case MapKind::entmax:
            return alpha - 1.0 < 1e-6 ? fuzz::softmax(z) : fuzz::entmax(z, ld(alpha));
        case MapKind::identity:
            return z;
    }
    return z;
}

/// Checks out (d values) against X^T map(beta X q), with a bound on the rounding: each score
/// is off by at most dz = beta (d + 2) eps sum_i |x_i q_i| (+ its own rounding); the maps are
/// Lipschitz (|dp|_1 <= 2 N max|dz|, the identity 1); the map itself rounds (n eps per weight
/// for the exp-based maps, eps_double / t for the entmax bisection); the projection adds
/// (N + 2) eps sum_mu |p_mu| |x_mu,i|.
template <class Scalar, class Out>
void check_against_reference(MapKind kind, double alpha, const hopfield::RowMatrix<Scalar>& X,
                             const Scalar* q, Scalar beta, const Out& out, const std::string& ctx) {
    const Index N = X.rows(), d = X.cols();
    const double eps = fuzz::eps<Scalar>();
    std::vector<ld> z(std::size_t(N), 0);
    double dz = 0, max_x = 0;
    for (Index mu = 0; mu < N; ++mu) {
        ld s = 0, abs_s = 0;
        for (Index i = 0; i < d; ++i) {
            s += ld(X(mu, i)) * ld(q[i]);
            abs_s += std::abs(ld(X(mu, i)) * ld(q[i]));
            max_x = std::max(max_x, double(std::abs(X(mu, i))));
        }
        z[std::size_t(mu)] = ld(beta) * s;
        dz = std::max(dz, double(ld(beta) * abs_s) * double(d + 4) * eps);
    }
    const auto p = reference_map(kind, alpha, z);
    double p_l1 = 0;
    for (ld v : p) p_l1 += double(std::abs(v));
    const double t = alpha - 1.0;
    double map_round = 2.0 * double(N + 16) * eps;
    if (kind == MapKind::sparsemax || kind == MapKind::entmax15 ||
        (kind == MapKind::entmax && t >= 1e-6))
        map_round =
            4.0 * eps + 64.0 * 2.2e-16 * double(N + 1) / (kind == MapKind::entmax ? t : 0.5);
    const double lipschitz = kind == MapKind::identity ? 1.0 : 2.0 * double(N);
    const double dp = lipschitz * dz + double(N) * map_round;
    const double tol = 4.0 * (dp * max_x + double(N + 4) * eps * p_l1 * max_x) + 1e-30;
    for (Index i = 0; i < d; ++i) {
        ld expect = 0;
        for (Index mu = 0; mu < N; ++mu) expect += p[std::size_t(mu)] * ld(X(mu, i));
        const double got = double(out[i]);
        FUZZ_CHECK(std::isfinite(got), ctx + ": output " + std::to_string(i) + " not finite");
        FUZZ_CHECK(std::abs(got - double(expect)) <= tol,
                   ctx + ": output " + std::to_string(i) + " = " + std::to_string(got) +
                       ", reference " + std::to_string(double(expect)) + ", tolerance " +
                       std::to_string(tol));
    }
}

template <class Scalar, class Model>
void check_continuous(const Model& model, MapKind kind, double alpha, fuzz::Bytes& in, Index N,
                      Index d, Index B) {
    const bool dbl = std::is_same_v<Scalar, double>;
    const std::string ctx = describe(Model::map_type::name, N, d, model.beta(), dbl);
    const hopfield::PatternMemory<Scalar> memory(real_rows<Scalar>(in, N, d));
    const hopfield::RowMatrix<Scalar> Q = real_rows<Scalar>(in, std::max<Index>(B, 1), d);
    const auto& X = memory.matrix();
    const Scalar beta = Scalar(model.beta());

    // Overflowing scores (possible only for the identity, or float with beta = 1e4 and large
    // norms) must be reported as an error naming 'scores', never returned as NaN.
    const auto guarded = [&](auto&& f, const char* what) {
        try {
            f();
        } catch (const hopfield::invalid_argument& e) {
            const std::string msg = e.what();
            FUZZ_CHECK(msg.find("'scores'") != std::string::npos,
                       ctx + " " + what + ": unexpected error " + msg);
            // Only legitimate when some score really exceeds the scalar's range.
            double biggest = 0;
            for (Index mu = 0; mu < N; ++mu)
                biggest =
                    std::max(biggest, std::abs(double(beta) * double(X.row(mu).cwiseAbs().sum())) *
                                          double(Q.cwiseAbs().maxCoeff()));
            FUZZ_CHECK(kind == MapKind::identity || biggest > 1e30 * (dbl ? 1e270 : 1.0),
                       ctx + " " + what + ": 'scores' error without overflow: " + msg);
        }
    };

    guarded(
        [&] {
            const hopfield::Vector<Scalar> q = Q.row(0).transpose();
            const auto out = hopfield::step(model, memory, q);
            check_against_reference(kind, alpha, X, q.data(), beta, out, ctx + " step");
        },
        "step");
    if (B > 0) {
        guarded(
            [&] {
                const auto out = hopfield::step_batch(model, memory, Q);
                FUZZ_CHECK(out.rows() == B && out.cols() == d, ctx + " step_batch shape");
                for (Index b = 0; b < B; b += (b < 40 ? 1 : 7))  // every row up to 40, then some
                    check_against_reference(
                        kind, alpha, X, Q.row(b).data(), beta, out.row(b),
                        ctx + " step_batch row " + std::to_string(b) + "/" + std::to_string(B));
                // Worker threads never change the result (fixed chunks): bit for bit.
                const auto threaded =
                    hopfield::step_batch(model, memory, Q, {.threads = 2 + int(B % 3)});
                FUZZ_CHECK((threaded.array() == out.array()).all(),
                           ctx + " step_batch with threads differs");
            },
            "step_batch");
    }
    if constexpr (std::is_same_v<Scalar, float>) {
        // The same retrievals over bfloat16 storage, against the reference on the decoded
        // patterns (these int8 / 16 * 2^k values are exact in bfloat16, so decoded == X).
        const hopfield::Bf16PatternMemory bf16(X);
        const hopfield::RowMatrix<float> Xd = bf16.decoded();
        FUZZ_CHECK((Xd.array() == X.array()).all(), ctx + ": bfloat16 rounded an exact value");
        guarded(
            [&] {
                const hopfield::Vector<float> q = Q.row(0).transpose();
                const auto out = hopfield::step(model, bf16, q);
                check_against_reference(kind, alpha, Xd, q.data(), beta, out, ctx + " bf16 step");
                if (B > 0) {
                    const auto outs = hopfield::step_batch(model, bf16, Q);
                    for (Index b = 0; b < B; b += (b < 40 ? 1 : 7))
                        check_against_reference(kind, alpha, Xd, Q.row(b).data(), beta, outs.row(b),
                                                ctx + " bf16 step_batch row " + std::to_string(b));
                }
            },
            "bf16");
    }
    guarded(
        [&] {
            const hopfield::Vector<Scalar> q = Q.row(0).transpose();
            const double e0 = hopfield::energy(model, memory, q);
            FUZZ_CHECK(!std::isnan(e0), ctx + ": energy is NaN");
            const auto r = hopfield::iterate(model, memory, q, {.max_steps = 4, .tolerance = 0.0});
            FUZZ_CHECK(r.state.allFinite(), ctx + ": iterate state not finite");
            FUZZ_CHECK(r.steps >= 1 && r.steps <= 4, ctx + ": iterate steps");
            FUZZ_CHECK(!std::isnan(r.energy), ctx + ": iterate energy is NaN");
            if (kind != MapKind::identity && std::isfinite(e0)) {
                // E >= 0 and CCCP descent, up to the rounding of states to Scalar and of O(scale)
                // energies: scale = |q|^2 + max |x_mu|^2 (the two quadratic terms).
                const double scale =
                    1.0 + double(q.squaredNorm()) + double(X.rowwise().squaredNorm().maxCoeff());
                const double slack = (dbl ? 1e-9 : 1e-3) * scale * double(d + N);
                FUZZ_CHECK(e0 >= -slack, ctx + ": energy " + std::to_string(e0) + " < 0");
                FUZZ_CHECK(r.energy <= e0 + slack, ctx + ": iterate raised the energy from " +
                                                       std::to_string(e0) + " to " +
                                                       std::to_string(r.energy));
            }
        },
        "iterate");
}

// ---- binary models -------------------------------------------------------------------------

template <class Scalar, class F>
void check_pattern_model(const hopfield::DenseModel<F>& model, fuzz::Bytes& in, Index N, Index d,
                         const std::string& name, bool exact_fields, std::uint64_t seed,
                         double temperature) {
    const bool dbl = std::is_same_v<Scalar, double>;
    const std::string ctx = describe(name.c_str(), N, d, 0, dbl);
    const hopfield::PatternMemory<Scalar> memory(binary_rows<Scalar>(in, N, d));
    const auto& X = memory.matrix();
    const hopfield::Vector<Scalar> s = binary_rows<Scalar>(in, 1, d).row(0).transpose();
    const auto& f = model.interaction();
    const double eps = fuzz::eps<Scalar>();
    const bool quadratic = std::is_same_v<F, hopfield::Quadratic>;
    // The exponential model sums D(m -+ 1) = 2 sinh(beta) e^(beta (m -+ 1)) (the agreement
    // form: no cancellation), formed as e^(beta (m - top)) times a log scale. Rounding the
    // exponent beta (m - top) costs eps * beta |m - top| <= 2 eps beta d relative, and the
    // reference's own e^(beta x) in double eps beta d: 3 eps beta d, which the tolerance's
    // 8 (N + d + 8) eps covers once multiplied by 1 + beta. (The linear form used before
    // cancelled terms ~e^beta larger than the field and needed 2 cosh(beta) here.)
    double amplification = 1.0;
    if constexpr (std::is_same_v<F, hopfield::Exponential>) amplification = 1.0 + f.beta();

    // The model's F is F(x) / dim for the Quadratic: the division is applied once, to the
    // sums below, so that the reference stays an exact integer (ties exactly 0) there.
    const auto Fm = [&](ld x) -> ld { return ld(f.F(double(x))); };
    const ld unit = quadratic ? ld(d) : ld(1);
    const auto energy_of = [&](const hopfield::Vector<Scalar>& st) {
        ld e = 0;
        for (Index mu = 0; mu < N; ++mu) e -= Fm(ld(X.row(mu).dot(st)));
        return e / unit;
    };
    // h_i = (E(sigma_i = -1) - E(sigma_i = +1)) / 2, from the definition, and a bound on the
    // magnitude of the terms the library sums (for its rounding).
    std::vector<ld> h(static_cast<std::size_t>(d));
    std::vector<double> tol(static_cast<std::size_t>(d));
    for (Index i = 0; i < d; ++i) {
        ld diff = 0, mag = 0;
        for (Index mu = 0; mu < N; ++mu) {
            const ld m_rest = ld(X.row(mu).dot(s)) - ld(X(mu, i)) * ld(s[i]);
            const ld up = m_rest + ld(X(mu, i)), down = m_rest - ld(X(mu, i));
            diff += Fm(up) - Fm(down);  // E(-1) - E(+1)
            mag += std::abs(Fm(m_rest + 2)) + 2 * std::abs(Fm(m_rest)) + std::abs(Fm(m_rest - 2)) +
                   std::abs(Fm(up)) + std::abs(Fm(down));
        }
        diff /= unit;
        mag /= unit;
        h[std::size_t(i)] = diff / 2;
        tol[std::size_t(i)] = exact_fields
                                  ? 1e-12 * double(std::abs(diff))
                                  : 8.0 * double(N + d + 8) * eps * double(mag) * amplification;
    }
    if constexpr (std::is_same_v<F, hopfield::Quadratic>) {
        if (f.keep_self_coupling)  // the field then includes J_ii sigma_i = (N/d) sigma_i
            for (Index i = 0; i < d; ++i) h[std::size_t(i)] += ld(N) / ld(d) * ld(s[i]);
    }

    const Eigen::VectorXd fields = hopfield::fields(model, memory, s);
    for (Index i = 0; i < d; ++i) {
        FUZZ_CHECK(!std::isnan(fields[i]), ctx + ": NaN field");
        FUZZ_CHECK(std::abs(fields[i] - double(h[std::size_t(i)])) <= tol[std::size_t(i)] + 1e-300,
                   ctx + ": field " + std::to_string(i) + " = " + std::to_string(fields[i]) +
                       ", reference " + std::to_string(double(h[std::size_t(i)])));
    }
    const auto next = hopfield::step(model, memory, s);
    for (Index i = 0; i < d; ++i) {
        const ld hi = h[std::size_t(i)];
        if (std::abs(double(hi)) <= tol[std::size_t(i)] && !(exact_fields && hi == 0))
            continue;  // too close to call
        const Scalar want = hi > 0 ? Scalar(1) : (hi < 0 ? Scalar(-1) : s[i]);
        FUZZ_CHECK(next[i] == want,
                   ctx + ": step neuron " + std::to_string(i) + " (tie rule or sign)");
    }

    const ld e0 = energy_of(s);
    const double e_scale = 1e-9 * (1.0 + std::abs(double(e0)));
    const double lib_e0 = hopfield::energy(model, memory, s);
    FUZZ_CHECK(!std::isnan(lib_e0), ctx + ": energy NaN");
    const auto ra = hopfield::run_asynchronous(model, memory, s, {.max_sweeps = 6, .seed = seed});
    FUZZ_CHECK(ra.state.cwiseAbs().minCoeff() == 1 && ra.state.cwiseAbs().maxCoeff() == 1,
               ctx + ": async state not +-1");
    if (exact_fields) {  // integer-exact fields: the descent and the fixed point are exact claims
        FUZZ_CHECK(double(energy_of(ra.state)) <= double(e0) + e_scale,
                   ctx + ": asynchronous run raised the energy");
        if (ra.converged)
            FUZZ_CHECK(hopfield::step(model, memory, ra.state) == ra.state,
                       ctx + ": converged but not fixed");
    }
    const auto rs = hopfield::run_synchronous(model, memory, s, {.max_steps = 6});
    FUZZ_CHECK(rs.period >= 0 && rs.period <= 2 && !std::isnan(rs.energy),
               ctx + ": synchronous run");
    const auto rg = hopfield::run_glauber(model, memory, s,
                                          {.temperature = temperature, .sweeps = 2, .seed = seed});
    FUZZ_CHECK(rg.state.cwiseAbs().minCoeff() == 1 && !std::isnan(rg.energy),
               ctx + ": Glauber run");
}

template <class Scalar>
void check_couplings(int rule, fuzz::Bytes& in, Index N, Index d, std::uint64_t seed) {
    const bool dbl = std::is_same_v<Scalar, double>;
    static const char* names[] = {"hebb", "storkey", "pseudo_inverse"};
    const std::string ctx = describe(names[rule], N, d, 0, dbl);
    const hopfield::RowMatrix<Scalar> X = binary_rows<Scalar>(in, N, d);
    const hopfield::Vector<Scalar> s = binary_rows<Scalar>(in, 1, d).row(0).transpose();
    std::optional<hopfield::Couplings<Scalar>> C;
    try {
        if (rule == 0)
            C.emplace(hopfield::Couplings<Scalar>::hebb(X));
        else if (rule == 1)
            C.emplace(hopfield::Couplings<Scalar>::storkey(X));
        else
            C.emplace(hopfield::Couplings<Scalar>::pseudo_inverse(X));
    } catch (const hopfield::invalid_argument& e) {
        // Only the pseudo-inverse rule may refuse (linearly dependent patterns: always when N > d).
        const std::string msg = e.what();
        FUZZ_CHECK(rule == 2 && msg.find("patterns.rank") != std::string::npos, ctx + ": " + msg);
        Eigen::MatrixXd x = X.template cast<double>();
        FUZZ_CHECK(Eigen::FullPivLU<Eigen::MatrixXd>(x).rank() < N || N > d,
                   ctx + ": independent patterns refused");
        return;
    }
    const auto& J = C->matrix();
    FUZZ_CHECK(J.allFinite(), ctx + ": J not finite");
    FUZZ_CHECK(J == J.transpose(), ctx + ": J not symmetric");
    FUZZ_CHECK(J.diagonal().cwiseAbs().maxCoeff() == 0, ctx + ": J_ii != 0");
    // step() takes the sign of J sigma (computed here in long double) where it is clear.
    const auto next = hopfield::step(*C, s);
    for (Index i = 0; i < d; ++i) {
        ld h = 0, mag = 0;
        for (Index j = 0; j < d; ++j) {
            h += ld(J(i, j)) * ld(s[j]);
            mag += std::abs(ld(J(i, j)));
        }
        if (std::abs(double(h)) <= 4.0 * double(d + 2) * fuzz::eps<Scalar>() * double(mag))
            continue;
        FUZZ_CHECK(next[i] == (h > 0 ? Scalar(1) : Scalar(-1)),
                   ctx + ": step neuron " + std::to_string(i));
    }
    const auto ra = hopfield::run_asynchronous(*C, s, {.max_sweeps = 6, .seed = seed});
    const double e0 = C->energy(s.data());
    const double slack = 1e-4 * (1.0 + double(J.cwiseAbs().sum()));
    FUZZ_CHECK(ra.energy <= e0 + slack, ctx + ": asynchronous run raised the energy");
    const auto rs = hopfield::run_synchronous(*C, s, {.max_steps = 6});
    FUZZ_CHECK(rs.period >= 0 && rs.period <= 2 && !std::isnan(rs.energy),
               ctx + ": synchronous run");
}

template <class Scalar>
void run(fuzz::Bytes& in, std::uint8_t head) {
    const Index N = 1 + in.byte() % max_N;
    const Index d = 1 + in.byte() % max_d;
    // Mostly B < 40; bytes >= 216 give 64..103 queries: two chunks of step_batch, so that its
    // worker threads really split the work.
    const std::uint8_t b_byte = in.byte();
    const Index B = b_byte < 216 ? b_byte % max_B : 64 + (b_byte - 216);
    const double beta = decode_beta(in.byte());
    const std::uint8_t param = in.byte();
    const std::uint64_t seed = in.byte();
    const double alpha = param % 4 == 0 ? 1.0 + 1e-7 : 1.0 + double(param) / 255.0;
    const int p = 2 + param % 7;
    static const double temperatures[] = {1e-3, 0.1, 1.0, 1e3};
    const double temperature = temperatures[param % 4];
    switch ((head >> 1) % 14) {
        case 0:
            return check_continuous<Scalar>(hopfield::LogSumExpHopfield(beta), MapKind::softmax,
                                            1.0, in, N, d, B);
        case 1:
            return check_continuous<Scalar>(hopfield::OutlierEfficientHopfield(beta),
                                            MapKind::softmax1, 1.0, in, N, d, B);
        case 2:
            return check_continuous<Scalar>(hopfield::SparseHopfield(beta), MapKind::sparsemax, 2.0,
                                            in, N, d, B);
        case 3:
            return check_continuous<Scalar>(hopfield::ModernHopfield<hopfield::Entmax15>(beta),
                                            MapKind::entmax15, 1.5, in, N, d, B);
        case 4:
            return check_continuous<Scalar>(hopfield::EntmaxHopfield(beta, hopfield::Entmax(alpha)),
                                            MapKind::entmax, alpha, in, N, d, B);
        case 5:
            return check_continuous<Scalar>(hopfield::ModernHopfield<hopfield::Identity>(beta),
                                            MapKind::identity, 1.0, in, N, d, B);
        case 6:
            return check_pattern_model<Scalar>(hopfield::ClassicalHebbian{}, in, N, d, "classical",
                                               true, seed, temperature);
        case 7:
            return check_pattern_model<Scalar>(hopfield::DenseModel<hopfield::Quadratic>(
                                                   hopfield::Quadratic{.keep_self_coupling = true}),
                                               in, N, d, "classical+self", false, seed,
                                               temperature);
        case 8: {
            // Fields are exact integers while (d + 2)^p N < 2^24 (float) or 2^53 (double).
            const double bound = std::pow(double(d + 2), p) * double(N) * 4.0;
            const bool exact =
                bound < (std::is_same_v<Scalar, float> ? 16777216.0 : 9007199254740992.0);
            return check_pattern_model<Scalar>(
                hopfield::DenseModel<hopfield::Polynomial>(hopfield::Polynomial{p}), in, N, d,
                "polynomial p=" + std::to_string(p), exact, seed, temperature);
        }
        case 9:
            return check_pattern_model<Scalar>(hopfield::DenseModel<hopfield::RectifiedPolynomial>(
                                                   hopfield::RectifiedPolynomial{p}),
                                               in, N, d, "rectified p=" + std::to_string(p), false,
                                               seed, temperature);
        case 10: {
            const double b = beta > 0 && beta <= 8 ? beta : 0.5;
            return check_pattern_model<Scalar>(
                hopfield::DenseModel<hopfield::Exponential>(hopfield::Exponential{b}), in, N, d,
                "exponential", false, seed, temperature);
        }
        default:
            return check_couplings<Scalar>(((head >> 1) % 14) - 11, in, N, d, seed);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Bytes in(data, size);
    const std::uint8_t head = in.byte();
    if (head & 1)
        run<double>(in, head);
    else
        run<float>(in, head);
    return 0;
}
