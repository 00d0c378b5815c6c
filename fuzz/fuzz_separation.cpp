// libFuzzer target: every separation map (softmax, softmax_1, sparsemax, 1.5-entmax,
// alpha-entmax, identity) on arbitrary vectors of float or double.
//
// Input layout (every read past the end gives 0, so any byte string is valid):
//   byte 0      bit 0: double (else float); bit 1: in place (p == z); bits 2..4: the map
//   byte 1      alpha of Entmax: 1, 1 + 1e-7, 1 + 1e-6, 1.5, 2, or 1 + b / 255
//   bytes 2..3  n (the length; the decoded values are tiled to fill it): value % 4097 when the
//               top bit is set, value % 130 otherwise
//   bytes 4..6  beta in [0, 1e6]: a table (0, 1e-6, 1e-3, 0.5, 1, 1e2, 1e4, 1e6) or 1e6 u^4
//   then values, each one control byte and a payload: a special value (NaN, +-inf, +-1e38,
//   +-FLT_MAX, +-denormals, +-0, +-1e30, +-DBL_MAX...), a small value k/8, a raw bit pattern
//   of the scalar (any NaN payload, denormal, infinity), or (1 + m/256) 2^e.
//
// The scores are z_i = Scalar(beta) * x_i, as the retrieval kernel forms them. Checked:
//   - NaN or +inf in z (or -inf for the identity): hopfield::invalid_argument whose message
//     names 'scores' and the map, from apply() and from conjugate();
//   - otherwise: every weight finite and in [0, 1], masked (-inf) scores exactly 0, all
//     masked -> all zeros, sum 1 (<= 1 for softmax_1) within rounding, the long double
//     reference (bisection for sparsemax / entmax) within rounding, in-place equal to
//     out-of-place bit for bit, order kept (z_i > z_j => p_i >= p_j up to rounding),
//     the conjugate never NaN (finite unless every score is masked; the identity's ||z||^2/2
//     may overflow to +inf in double);
//   - the identity copies z exactly.

#include <hopfield/separation/entmax.hpp>
#include <hopfield/separation/identity.hpp>
#include <hopfield/separation/softmax.hpp>
#include <hopfield/separation/softmax1.hpp>
#include <hopfield/separation/sparsemax.hpp>

#include "fuzz_common.hpp"

namespace {

constexpr std::size_t max_n = 4096;

template <class Scalar>
Scalar decode_value(fuzz::Bytes& in) {
    using lim = std::numeric_limits<Scalar>;
    const std::uint8_t c = in.byte();
    if (c < 64) {
        static const Scalar specials[] = {
            lim::quiet_NaN(),     lim::infinity(),   -lim::infinity(), Scalar(1e38),
            Scalar(-1e38),        lim::max(),        lim::lowest(),    lim::denorm_min(),
            -lim::denorm_min(),   lim::min(),        -lim::min(),      Scalar(0),
            -Scalar(0),           Scalar(1e30),      Scalar(-1e30),    Scalar(1),
            Scalar(-1),           Scalar(0.5),       Scalar(88.7),     Scalar(-88.7),
            Scalar(709.8),        Scalar(-745.2),    Scalar(1e-38),    Scalar(3.4e38),
            lim::signaling_NaN(), -lim::quiet_NaN(), Scalar(1e4),      Scalar(-1e4),
            Scalar(1000),         Scalar(-1000),     Scalar(1e6),      Scalar(-1e6)};
        return specials[c % (sizeof(specials) / sizeof(specials[0]))];
    }
    if (c < 128) return Scalar(static_cast<std::int8_t>(in.byte())) / Scalar(8);
    if (c < 192) return in.raw<Scalar>();
    const double mantissa = 1.0 + double(in.byte()) / 256.0;
    const int exponent = int(in.byte()) - 128 + (c & 31) * 16 - 256;  // about [-384, 623]
    const double v = std::ldexp((c & 32) ? -mantissa : mantissa, exponent);
    return Scalar(v);  // may overflow to +-inf or flush to 0 in float: also interesting
}

double decode_beta(fuzz::Bytes& in) {
    const std::uint8_t b = in.byte();
    const std::uint16_t u = in.u16();
    if (b < 128) {
        static const double table[] = {0.0, 1e-6, 1e-3, 0.5, 1.0, 1e2, 1e4, 1e6};
        return table[b % 8];
    }
    const double x = double(u) / 65535.0;
    return 1e6 * x * x * x * x;
}

double decode_alpha(std::uint8_t b) {
    switch (b % 8) {
        case 0:
            return 1.0;
        case 1:
            return 1.0 + 1e-7;  // below the softmax switch (alpha - 1 < 1e-6)
        case 2:
            return 1.0 + 2e-6;  // just above it: the steepest bisection
        case 3:
            return 1.5;
        case 4:
            return 2.0;
        default:
            return 1.0 + double(b) / 255.0;
    }
}

enum class Kind { softmax, softmax1, sparsemax, entmax15, entmax, identity };

template <class Scalar, class Map>
void check_map(const Map& map, Kind kind, double alpha, const std::vector<Scalar>& z,
               bool in_place) {
    const std::size_t n = z.size();
    const double eps = fuzz::eps<Scalar>();
    const std::string ctx = std::string(Map::name) + " n=" + std::to_string(n) +
                            (std::is_same_v<Scalar, float> ? " float" : " double") +
                            " alpha=" + std::to_string(alpha);

    bool bad = false, all_masked = true;
    for (Scalar v : z) {
        const bool neg_inf = v == -std::numeric_limits<Scalar>::infinity();
        bad |= !(v < std::numeric_limits<Scalar>::infinity());  // NaN or +inf
        bad |= kind == Kind::identity && neg_inf;               // the identity has no mask
        all_masked &= neg_inf;
    }

    std::vector<Scalar> out(n), work = z;
    Scalar* p = in_place ? work.data() : out.data();
    if (bad) {
        fuzz::expect_invalid_argument([&] { map.apply(work.data(), p, n); },
                                      {"'scores'", Map::name}, ctx + " apply");
        std::vector<Scalar> p2(n);
        fuzz::expect_invalid_argument([&] { (void)map.conjugate(z.data(), p2.data(), n); },
                                      {"'scores'"}, ctx + " conjugate");
        return;
    }
    map.apply(work.data(), p, n);
    const std::vector<Scalar> w(p, p + n);

    // In place and out of place agree bit for bit.
    {
        std::vector<Scalar> other(n), again = z;
        if (in_place) {
            map.apply(z.data(), other.data(), n);
        } else {
            map.apply(again.data(), again.data(), n);
            other = again;
        }
        FUZZ_CHECK(fuzz::same_bytes(other.data(), w.data(), n), ctx + ": in-place differs");
    }

    if (kind == Kind::identity) {
        FUZZ_CHECK(fuzz::same_bytes(w.data(), z.data(), n), ctx + ": identity is not a copy");
        const double c = map.conjugate(z.data(), w.data(), n);
        FUZZ_CHECK(!std::isnan(c) && c >= 0, ctx + ": identity conjugate");
        return;
    }

    // On the simplex (softmax_1: on or inside it).
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = double(w[i]);
        FUZZ_CHECK(std::isfinite(v) && v >= 0.0 && v <= 1.0,
                   ctx + ": weight " + std::to_string(i) + " = " + std::to_string(v));
        if (z[i] == -std::numeric_limits<Scalar>::infinity())
            FUZZ_CHECK(v == 0.0, ctx + ": masked score has weight " + std::to_string(v));
        sum += v;
    }
    const double sum_tol = 4.0 * double(n + 8) * eps;
    if (all_masked) {
        FUZZ_CHECK(sum == 0.0, ctx + ": all masked but weights sum to " + std::to_string(sum));
    } else if (kind == Kind::softmax1) {
        FUZZ_CHECK(sum <= 1.0 + sum_tol, ctx + ": softmax_1 weights sum to " + std::to_string(sum));
    } else {
        FUZZ_CHECK(std::abs(sum - 1.0) <= sum_tol, ctx + ": weights sum to " + std::to_string(sum));
    }

    // Against the long double reference.
    std::vector<fuzz::ld> zl(z.begin(), z.end()), ref;
    const double t = alpha - 1.0;
    switch (kind) {
        case Kind::softmax:
            ref = fuzz::softmax(zl);
            break;
        case Kind::softmax1:
            ref = fuzz::softmax1(zl);
            break;
        case Kind::sparsemax:
            ref = fuzz::entmax(zl, 2.0L);
            break;
        case Kind::entmax15:
            ref = fuzz::entmax(zl, 1.5L);
            break;
        case Kind::entmax:
            ref = t < 1e-6 ? fuzz::softmax(zl) : fuzz::entmax(zl, fuzz::ld(alpha));
            break;
        case Kind::identity:
            break;
    }
    // Rounding budget: softmax / softmax_1 shift in Scalar and sum n terms in Scalar; the
    // thresholded maps work in double on the shifted scores (the bisection's relative error
    // is ~eps_double / t) and round once to Scalar.
    const bool exp_based =
        kind == Kind::softmax || kind == Kind::softmax1 || (kind == Kind::entmax && t < 1e-6);
    const double rel =
        exp_based ? 2.0 * double(n + 16) * eps
                  : 4.0 * eps + 64.0 * 2.2e-16 * double(n + 1) / (kind == Kind::entmax ? t : 0.5);
    const double abs_tol =
        8.0 * eps +
        (exp_based ? 0.0 : 64.0 * 2.2e-16 * double(n + 1) / (kind == Kind::entmax ? t : 0.5));
    for (std::size_t i = 0; i < n; ++i) {
        const double r = double(ref[i]);
        FUZZ_CHECK(std::abs(double(w[i]) - r) <= abs_tol + rel * r,
                   ctx + ": weight " + std::to_string(i) + " = " + std::to_string(double(w[i])) +
                       ", reference " + std::to_string(r));
    }

    // Order: a larger score never gets a (noticeably) smaller weight. Checked on the top
    // score against every other one (O(n)).
    std::size_t top = 0;
    for (std::size_t i = 1; i < n; ++i)
        if (z[i] > z[top]) top = i;
    for (std::size_t i = 0; i < n; ++i)
        FUZZ_CHECK(double(w[top]) >= double(w[i]) * (1.0 - 8.0 * eps) - 8.0 * eps * 1e-30,
                   ctx + ": top score " + std::to_string(top) + " has a smaller weight than " +
                       std::to_string(i));

    const double c = map.conjugate(z.data(), w.data(), n);
    FUZZ_CHECK(!std::isnan(c), ctx + ": conjugate is NaN");
    if (!all_masked)
        FUZZ_CHECK(std::isfinite(c), ctx + ": conjugate not finite: " + std::to_string(c));
}

template <class Scalar>
void run(fuzz::Bytes& in, std::uint8_t head, double alpha, std::size_t n, double beta) {
    std::vector<Scalar> values;
    while (in.remaining() > 0 && values.size() < n) values.push_back(decode_value<Scalar>(in));
    std::vector<Scalar> z(n, Scalar(0));
    const Scalar scale = Scalar(beta);
    for (std::size_t i = 0; i < n && !values.empty(); ++i) z[i] = scale * values[i % values.size()];

    const bool in_place = head & 2;
    switch ((head >> 2) % 6) {
        case 0:
            check_map(hopfield::Softmax{}, Kind::softmax, 1.0, z, in_place);
            break;
        case 1:
            check_map(hopfield::Softmax1{}, Kind::softmax1, 1.0, z, in_place);
            break;
        case 2:
            check_map(hopfield::Sparsemax{}, Kind::sparsemax, 2.0, z, in_place);
            break;
        case 3:
            check_map(hopfield::Entmax15{}, Kind::entmax15, 1.5, z, in_place);
            break;
        case 4:
            check_map(hopfield::Entmax(alpha), Kind::entmax, alpha, z, in_place);
            break;
        default:
            check_map(hopfield::Identity{}, Kind::identity, 1.0, z, in_place);
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Bytes in(data, size);
    const std::uint8_t head = in.byte();
    const double alpha = decode_alpha(in.byte());
    // Half of the inputs are short (n <= 129), half up to max_n: long vectors are slow.
    const std::uint16_t length = in.u16();
    const std::size_t n = (length & 0x8000) ? length % (max_n + 1) : length % 130;
    const double beta = decode_beta(in);
    if (head & 1)
        run<double>(in, head, alpha, n, beta);
    else
        run<float>(in, head, alpha, n, beta);
    return 0;
}
