// bfloat16 storage: bf16_round against an independent nearest-candidate reference (random
// floats, ties, subnormals, zeros, binade crossings, the overflow boundary), bf16_to_float over
// all 65536 bit patterns, the rounding error bound, and Bf16PatternMemory's layout,
// constructors, from_bits round trip and error paths.

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <hopfield/hopfield.hpp>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "reference.hpp"

using hopfield::Index;

namespace {

std::uint32_t float_bits(float x) { return std::bit_cast<std::uint32_t>(x); }
float bits_float(std::uint32_t b) { return std::bit_cast<float>(b); }

// The magnitude of a bfloat16 (sign bit ignored) from its exponent and mantissa fields, in
// double (exact). 0x7f80 gives 2^128: for rounding, the value one step above the largest
// finite bfloat16, which is where IEEE rounding sends overflowing values (to inf).
double bf16_magnitude(std::uint32_t h) {
    const int e = int((h >> 7) & 0xffu);
    const double m = double(h & 0x7fu);
    return e == 0 ? std::ldexp(m, -133) : std::ldexp(128.0 + m, e - 134);
}

// Round to nearest, ties to even, computed another way than the library: the two bfloat16
// candidates around |x| are the truncation and the truncation plus one ulp; take the nearer
// one in exact double arithmetic, the even one on a tie. Finite x only.
std::uint16_t reference_round(float x) {
    const std::uint32_t b = float_bits(x);
    const std::uint32_t sign = (b >> 16) & 0x8000u;
    const std::uint32_t lo = (b >> 16) & 0x7fffu;
    const std::uint32_t hi = lo + 1;
    const double a = std::fabs(double(x));
    const double below = a - bf16_magnitude(lo);
    const double above = bf16_magnitude(hi) - a;
    const std::uint32_t pick = below < above ? lo : above < below ? hi : (lo % 2 == 0 ? lo : hi);
    return std::uint16_t(sign | pick);
}

// "" when bf16_round agrees with the reference on every value, else the first disagreement.
std::string check_round(const std::vector<float>& xs) {
    for (const float x : xs) {
        const std::uint16_t got = hopfield::bf16_round(x), want = reference_round(x);
        if (got != want) {
            std::ostringstream os;
            os << std::hex << "bf16_round(bits 0x" << float_bits(x) << ") = 0x" << got
               << ", reference 0x" << want;
            return os.str();
        }
    }
    return "";
}

// A float with random bits whose exponent field is in [0, max_exponent] (subnormals and zeros
// included), random sign.
float random_finite(std::mt19937& rng, std::uint32_t max_exponent) {
    const std::uint32_t mantissa = rng() & 0x7fffffu;
    const std::uint32_t exponent = rng() % (max_exponent + 1);
    const std::uint32_t sign = rng() & 0x80000000u;
    return bits_float(sign | exponent << 23 | mantissa);
}

// Patterns that exercise the rounding: Gaussian values, random bits over the whole finite range
// below 2^127 (subnormals included), exact ties, zeros of both signs, and values just below
// the largest finite bfloat16's rounding boundary.
hopfield::RowMatrix<float> awkward_patterns(Index n, Index d, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    hopfield::RowMatrix<float> X(n, d);
    for (Index k = 0; k < X.size(); ++k) {
        float& x = X.data()[k];
        switch (rng() % 8) {
            case 0:
            case 1:
            case 2:
                x = gauss(rng);
                break;
            case 3:
            case 4:
                x = random_finite(rng, 0xfd);
                break;
            case 5:
                x = bits_float((rng() & 0xffff0000u & ~0x7f800000u) | 0x3f000000u | 0x8000u);
                break;
            case 6:
                x = (rng() & 1) ? -0.0f : 0.0f;
                break;
            default:
                x = bits_float(0x7f7f7fffu | (rng() & 0x80000000u));
                break;  // -> +-0x7f7f
        }
    }
    return X;
}

template <class Derived>
hopfield::RowMatrix<std::uint16_t> reference_bits(const Eigen::MatrixBase<Derived>& X) {
    hopfield::RowMatrix<std::uint16_t> h(X.rows(), X.cols());
    for (Index r = 0; r < X.rows(); ++r)
        for (Index c = 0; c < X.cols(); ++c) h(r, c) = reference_round(float(X(r, c)));
    return h;
}

// "" when the memory holds exactly the bfloat16 values `want` (N x d) through every accessor,
// else the first disagreement.
std::string check_memory(const hopfield::Bf16PatternMemory& m,
                         const hopfield::RowMatrix<std::uint16_t>& want) {
    std::ostringstream os;
    const Index n = want.rows(), d = want.cols(), words = (d + 1) / 2;
    if (m.size() != n || m.dim() != d || m.empty() != (n == 0)) {
        os << "shape " << m.size() << " x " << m.dim() << ", want " << n << " x " << d;
        return os.str();
    }
    if (m.bytes() != std::size_t(n * words * 4)) {
        os << "bytes() = " << m.bytes() << ", want " << n * words * 4;
        return os.str();
    }
    const hopfield::RowMatrix<float> dec = m.decoded();
    const hopfield::Bf16View v = m.view();
    const hopfield::Bf16View converted = m;  // the implicit conversion
    if (dec.rows() != n || dec.cols() != d) return "decoded() has the wrong shape";
    if (v.size() != n || v.dim() != d || v.words() != words) return "view() has the wrong shape";
    if (converted.size() != n || (n > 0 && converted.row(0) != v.row(0)))
        return "the implicit Bf16View differs from view()";
    for (Index mu = 0; mu < n; ++mu) {
        const hopfield::Vector<float> p = m.pattern(mu);
        if (p.size() != d) return "pattern(mu) has the wrong size";
        if (v.row(mu) != v.row(0) + mu * words) return "view() rows are not words() apart";
        if (d % 2 == 1 && (v.row(mu)[words - 1] >> 16) != 0u) {
            os << "padding of row " << mu << " is not zero";
            return os.str();
        }
        for (Index i = 0; i < d; ++i) {
            const std::uint16_t h = want(mu, i);
            const std::uint32_t f = std::uint32_t(h) << 16;
            const char* what = m.bits(mu, i) != h                            ? "bits"
                               : float_bits(dec(mu, i)) != f                 ? "decoded"
                               : float_bits(p[i]) != f                       ? "pattern"
                               : float_bits(v.value(mu, i)) != f             ? "view().value"
                               : float_bits(hopfield::bf16_to_float(h)) != f ? "bf16_to_float"
                                                                             : nullptr;
            if (what != nullptr) {
                os << std::hex << what << " wrong at (" << std::dec << mu << ", " << i
                   << "): want bits 0x" << std::hex << h << ", bits() = 0x" << m.bits(mu, i);
                return os.str();
            }
        }
    }
    return "";
}

// f() must throw hopfield::invalid_argument whose message names the function, the argument
// and its value.
template <class F>
void check_error(F&& f, const std::string& where, const std::string& arg,
                 const std::string& value) {
    const std::string expected = where + ": argument '" + arg + "' = " + value;
    INFO("expected a message containing \"" << expected << "\"");
    CHECK_THROWS_AS(f(), hopfield::invalid_argument);
    CHECK_THROWS_WITH(f(), Catch::Contains(expected));
}

constexpr float flt_max = std::numeric_limits<float>::max();

}  // namespace

TEST_CASE("bf16_round matches a nearest-candidate reference on random floats", "[bf16]") {
    std::mt19937 rng(20261128);
    std::vector<float> xs;
    // Random bits over every finite exponent (subnormals, zeros, both signs; exponent 0xfe
    // included, so values that overflow to inf are in the set too).
    for (int k = 0; k < 1000000; ++k) xs.push_back(random_finite(rng, 0xfe));
    // Log-uniform magnitudes from 1e-45 to 3e38 (few random-bit floats land near 1).
    std::uniform_real_distribution<double> log_mag(-45 * std::log(10.0), 38.5 * std::log(10.0));
    for (int k = 0; k < 200000; ++k) {
        const float x = float(std::exp(log_mag(rng)));
        if (std::isfinite(x)) xs.push_back(k % 2 == 0 ? x : -x);
    }
    CHECK(check_round(xs) == "");

    // Every bfloat16 upper half, with the low halves that matter: exact (0), just above the
    // truncation (1), just below the tie (0x7fff), the tie (0x8000), just above it (0x8001),
    // just below the next value (0xffff), and a random one.
    xs.clear();
    for (std::uint32_t upper = 0; upper < 0x10000u; ++upper) {
        if ((upper & 0x7f80u) == 0x7f80u) continue;  // inf / NaN upper halves
        for (const std::uint32_t low :
             {0x0000u, 0x0001u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu, std::uint32_t(rng() & 0xffffu)})
            xs.push_back(bits_float(upper << 16 | low));
    }
    CHECK(check_round(xs) == "");
}

TEST_CASE("bf16_round: ties, subnormals, zeros, binade crossings, overflow", "[bf16]") {
    using hopfield::bf16_round;
    SECTION("exact ties go to the even upper half") {
        // 1 + 2^-8 lies halfway between 1 (0x3f80, even) and 1 + 2^-7 (0x3f81, odd).
        CHECK(bf16_round(1.00390625f) == 0x3f80u);
        // 1 + 3 * 2^-8 lies halfway between 0x3f81 (odd) and 0x3f82 (even).
        CHECK(bf16_round(1.01171875f) == 0x3f82u);
        CHECK(bf16_round(-1.00390625f) == 0xbf80u);
        CHECK(bf16_round(-1.01171875f) == 0xbf82u);
        for (const std::uint32_t upper : {0x0000u, 0x0001u, 0x0002u, 0x007fu, 0x3f80u, 0x3f81u,
                                          0x4049u, 0x404au, 0x7f7eu, 0x8001u, 0xc0ffu, 0xff7eu}) {
            INFO("upper half 0x" << std::hex << upper);
            const std::uint16_t want = std::uint16_t(upper % 2 == 0 ? upper : upper + 1);
            CHECK(bf16_round(bits_float(upper << 16 | 0x8000u)) == want);
            CHECK(reference_round(bits_float(upper << 16 | 0x8000u)) == want);
            // one float ulp either side of the tie decides it
            CHECK(bf16_round(bits_float(upper << 16 | 0x7fffu)) == upper);
            CHECK(bf16_round(bits_float(upper << 16 | 0x8001u)) == upper + 1);
        }
    }
    SECTION("zeros keep their sign") {
        CHECK(bf16_round(0.0f) == 0x0000u);
        CHECK(bf16_round(-0.0f) == 0x8000u);
        CHECK(std::signbit(hopfield::bf16_to_float(bf16_round(-0.0f))));
    }
    SECTION("subnormals round like any other value") {
        const float tiny = std::numeric_limits<float>::denorm_min();  // bits 0x00000001
        CHECK(bf16_round(tiny) == 0x0000u);
        CHECK(bf16_round(-tiny) == 0x8000u);
        CHECK(bf16_round(bits_float(0x00008000u)) == 0x0000u);  // tie, 0 is even
        CHECK(bf16_round(bits_float(0x00018000u)) == 0x0002u);  // tie, 1 is odd
        CHECK(bf16_round(bits_float(0x00010000u)) == 0x0001u);  // smallest bfloat16 subnormal
        CHECK(bf16_round(bits_float(0x00400000u)) == 0x0040u);
        CHECK(bf16_round(bits_float(0x807f0000u)) == 0x807fu);  // largest negative subnormal
        // The largest float subnormal rounds up into the smallest normal bfloat16.
        CHECK(bf16_round(bits_float(0x007fffffu)) == 0x0080u);
        CHECK(hopfield::bf16_to_float(0x0080u) == std::numeric_limits<float>::min());
    }
    SECTION("rounding up carries into the next binade") {
        CHECK(bf16_round(std::nextafter(1.0f, 0.0f)) == 0x3f80u);  // 0x3f7fffff -> 1
        CHECK(bf16_round(bits_float(0x3fffffffu)) == 0x4000u);     // just below 2 -> 2
        CHECK(bf16_round(bits_float(0x3fff8000u)) == 0x4000u);     // tie, odd -> 2
        CHECK(bf16_round(bits_float(0xbfff8000u)) == 0xc000u);     // the same, negative
        CHECK(bf16_round(bits_float(0x3fffc000u)) == 0x4000u);     // above the tie
        CHECK(bf16_round(bits_float(0x3f7f7fffu)) == 0x3f7fu);     // stays below the tie
    }
    SECTION("the largest finite bfloat16 and the boundary to inf") {
        const float largest = hopfield::bf16_to_float(0x7f7fu);
        CHECK(double(largest) == std::ldexp(255.0, 120));  // (2 - 2^-7) 2^127 ~ 3.3895e38
        CHECK(bf16_round(largest) == 0x7f7fu);
        CHECK(bf16_round(-largest) == 0xff7fu);
        // Below the halfway point to 2^128: rounds down to the largest finite value.
        CHECK(bf16_round(bits_float(0x7f7f7fffu)) == 0x7f7fu);
        CHECK(bf16_round(bits_float(0xff7f7fffu)) == 0xff7fu);
        // The halfway point (2 - 2^-8) 2^127 ~ 3.39618e38 is a tie with odd 0x7f7f: inf.
        CHECK(bf16_round(bits_float(0x7f7f8000u)) == 0x7f80u);
        CHECK(bf16_round(bits_float(0xff7f8000u)) == 0xff80u);
        CHECK(reference_round(bits_float(0x7f7f8000u)) == 0x7f80u);
        // Float's largest value and the infinities.
        CHECK(bf16_round(flt_max) == 0x7f80u);
        CHECK(bf16_round(-flt_max) == 0xff80u);
        CHECK(reference_round(flt_max) == 0x7f80u);
        CHECK(bf16_round(std::numeric_limits<float>::infinity()) == 0x7f80u);
        CHECK(bf16_round(-std::numeric_limits<float>::infinity()) == 0xff80u);
    }
    SECTION("negative values round as their magnitude, with the sign bit set") {
        std::mt19937 rng(7);
        int bad = 0;
        for (int k = 0; k < 100000; ++k) {
            const float x = std::fabs(random_finite(rng, 0xfe));
            bad += bf16_round(-x) != (bf16_round(x) | 0x8000u);
        }
        CHECK(bad == 0);
        CHECK(bf16_round(-3.14159265f) == 0xc049u);
        CHECK(bf16_round(-1e-3f) == 0xba83u);
    }
}

TEST_CASE("bf16_to_float is exact on all 65536 bit patterns; NaN stays NaN", "[bf16]") {
    using hopfield::bf16_round;
    using hopfield::bf16_to_float;
    int finite = 0, infinite = 0, nans = 0, bad = 0;
    std::uint32_t first_bad = 0x10000u;
    for (std::uint32_t h = 0; h < 0x10000u; ++h) {
        const float f = bf16_to_float(std::uint16_t(h));
        const bool negative = (h & 0x8000u) != 0;
        bool ok = float_bits(f) == h << 16 && std::signbit(f) == negative;
        if ((h & 0x7f80u) != 0x7f80u) {  // finite: the field value, and rounding gives it back
            ++finite;
            const double want = negative ? -bf16_magnitude(h) : bf16_magnitude(h);
            ok = ok && double(f) == want && bf16_round(f) == h;
        } else if ((h & 0x7fu) == 0) {  // +-inf
            ++infinite;
            ok = ok && std::isinf(f) && bf16_round(f) == h;
        } else {  // NaN: decodes to a NaN, rounds to a NaN of the same sign
            ++nans;
            const std::uint16_t r = bf16_round(f);
            ok = ok && std::isnan(f) && std::isnan(bf16_to_float(r)) &&
                 (r & 0x8000u) == (h & 0x8000u);
        }
        if (!ok && bad++ == 0) first_bad = h;
    }
    INFO("first bad bit pattern 0x" << std::hex << first_bad);
    CHECK(bad == 0);
    CHECK(finite == 65536 - 256);
    CHECK(infinite == 2);
    CHECK(nans == 254);

    // Float NaNs of every kind stay NaN, never inf, including payloads only in the low 16
    // bits (which a plain truncation would turn into inf).
    for (const std::uint32_t b : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7f80ffffu,
                                  0x7fffffffu, 0x7fa00000u, 0xffffffffu}) {
        INFO("float bits 0x" << std::hex << b);
        const std::uint16_t r = bf16_round(bits_float(b));
        CHECK(std::isnan(bf16_to_float(r)));
        CHECK((r & 0x8000u) == ((b >> 16) & 0x8000u));
    }
    CHECK(std::isnan(bf16_to_float(bf16_round(std::numeric_limits<float>::quiet_NaN()))));
    CHECK(std::isnan(bf16_to_float(bf16_round(std::numeric_limits<float>::signaling_NaN()))));
}

// The bound is 2^-8 (half an ulp of an 8-bit significand); 1 + 2^-8 below attains
// 2^-8 / (1 + 2^-8).
TEST_CASE("bf16_round errs by at most half an ulp: relative 2^-8 on normal values", "[bf16]") {
    std::mt19937 rng(99);
    const double u = std::ldexp(1.0, -8);
    double worst_rel = 0, worst_abs_subnormal = 0;
    int bad = 0;
    for (int k = 0; k < 1000000; ++k) {
        // Finite results only: exponent field up to 0xfe, minus the values that overflow.
        const float x = random_finite(rng, 0xfe);
        if ((float_bits(x) & 0x7fffffffu) >= 0x7f7f8000u) continue;
        const double xd = double(x), r = double(hopfield::bf16_to_float(hopfield::bf16_round(x)));
        const double err = std::fabs(r - xd);
        if (xd == 0) {
            bad += r != 0;
        } else if (std::fabs(xd) >= double(std::numeric_limits<float>::min())) {
            // half an ulp of the bfloat16 binade of x, and relative u / (1 + u) <= u
            bad += err > std::ldexp(1.0, std::ilogb(xd) - 8);
            worst_rel = std::max(worst_rel, err / std::fabs(xd));
        } else {
            worst_abs_subnormal = std::max(worst_abs_subnormal, err);  // half of 2^-133
        }
    }
    CHECK(bad == 0);
    CHECK(worst_rel <= u / (1 + u));
    CHECK(worst_abs_subnormal <= std::ldexp(1.0, -134));
    // The bound is attained: 1 + 2^-8 is a tie and goes down to 1.
    const float tie = 1.0f + float(u);
    const double rel =
        (double(tie) - double(hopfield::bf16_to_float(hopfield::bf16_round(tie)))) / double(tie);
    CHECK(rel == u / (1 + u));
    CHECK(rel > std::ldexp(1.0, -9));
}

TEST_CASE("Bf16PatternMemory stores the rounded patterns at awkward shapes", "[bf16][memory]") {
    using hopfield::Bf16PatternMemory;
    for (const Index n : {1, 15, 17}) {
        for (const Index d : {1, 2, 15, 16, 17, 1000}) {
            INFO("N = " << n << ", d = " << d);
            const hopfield::RowMatrix<float> X =
                awkward_patterns(n, d, std::uint32_t(1000 * n + d));
            const auto want = reference_bits(X);

            const Bf16PatternMemory from_matrix(X);  // an Eigen matrix
            CHECK(check_memory(from_matrix, want) == "");

            const hopfield::PatternMemory<float> pm(X);  // a PatternMemory, through its view
            const Bf16PatternMemory from_memory(pm);
            CHECK(check_memory(from_memory, want) == "");

            const Bf16PatternMemory from_view(hopfield::PatternView<float>(X.data(), n, d));
            CHECK(check_memory(from_view, want) == "");

            // Double patterns, column-major: each value is converted to float, then rounded.
            const Eigen::MatrixXd Xd =
                ref::random_gaussian<double>(n, d, std::uint64_t(n * d), 3.0);
            const Bf16PatternMemory from_double(Xd);
            CHECK(check_memory(from_double, reference_bits(Xd)) == "");

            // An Eigen expression.
            const Bf16PatternMemory from_expr(0.5f * X);
            CHECK(check_memory(from_expr, reference_bits((0.5f * X).eval())) == "");

            // from_bits of a memory's bits gives the same memory back.
            std::vector<std::uint16_t> raw(std::size_t(n * d));
            for (Index mu = 0; mu < n; ++mu)
                for (Index i = 0; i < d; ++i)
                    raw[std::size_t(mu * d + i)] = from_matrix.bits(mu, i);
            const Bf16PatternMemory from_raw = Bf16PatternMemory::from_bits(raw.data(), n, d);
            CHECK(check_memory(from_raw, want) == "");
            CHECK(from_raw.decoded() == from_matrix.decoded());
            CHECK(from_raw.bytes() == std::size_t(n * ((d + 1) / 2) * 4));

            // A sub-view of the rows.
            if (n > 2) {
                const hopfield::Bf16View tail = from_matrix.view().rows(2, n - 2);
                CHECK(tail.size() == n - 2);
                CHECK(tail.dim() == d);
                CHECK(tail.row(0) == from_matrix.view().row(2));
                CHECK(float_bits(tail.value(n - 3, d - 1)) == std::uint32_t(want(n - 1, d - 1))
                                                                  << 16);
            }
        }
    }
}

TEST_CASE("Bf16PatternMemory keeps values up to the rounding boundary of inf", "[bf16][memory]") {
    // 0x7f7f7fff (~3.39618e38) is above the largest bfloat16 (~3.3895e38) but rounds down to
    // it, so it is stored: finite, like every value below the halfway point to 2^128.
    hopfield::RowMatrix<float> X(1, 3);
    X << bits_float(0x7f7f7fffu), -bits_float(0x7f7f7fffu), hopfield::bf16_to_float(0x7f7fu);
    const hopfield::Bf16PatternMemory m(X);
    CHECK(m.bits(0, 0) == 0x7f7fu);
    CHECK(m.bits(0, 1) == 0xff7fu);
    CHECK(m.bits(0, 2) == 0x7f7fu);
    CHECK(std::isfinite(m.decoded()(0, 0)));
    // A double just inside float's range is accepted (converted, then rounded).
    Eigen::MatrixXd Xd(1, 2);
    Xd << 3.3e38, -3.3e38;
    const hopfield::Bf16PatternMemory md(Xd);
    CHECK(md.bits(0, 0) == reference_round(3.3e38f));
    CHECK(md.bits(0, 1) == reference_round(-3.3e38f));
}

TEST_CASE("Bf16PatternMemory holds zero patterns of any dimension", "[bf16][memory]") {
    using hopfield::Bf16PatternMemory;
    for (const Index d : {1, 2, 17}) {
        INFO("d = " << d);
        const hopfield::RowMatrix<std::uint16_t> none(0, d);
        CHECK(check_memory(Bf16PatternMemory(hopfield::RowMatrix<float>(0, d)), none) == "");
        CHECK(check_memory(Bf16PatternMemory(Eigen::MatrixXd(0, d)), none) == "");
        CHECK(check_memory(Bf16PatternMemory(hopfield::PatternMemory<float>(d)), none) == "");
        CHECK(check_memory(Bf16PatternMemory::from_bits(nullptr, 0, d), none) == "");
        const std::uint16_t one = 0x3f80u;
        CHECK(check_memory(Bf16PatternMemory::from_bits(&one, 0, d), none) == "");
        const Bf16PatternMemory m = Bf16PatternMemory::from_bits(nullptr, 0, d);
        CHECK(m.empty());
        CHECK(m.bytes() == 0);
        CHECK(m.decoded().rows() == 0);
        CHECK(m.decoded().cols() == d);
        CHECK(m.view().size() == 0);
        CHECK_THROWS_AS(m.pattern(0), hopfield::invalid_argument);
    }
}

TEST_CASE("Bf16PatternMemory rejects bad input naming the function, argument and value",
          "[bf16][errors]") {
    using hopfield::Bf16PatternMemory;
    const std::string ctor = "Bf16PatternMemory";
    const std::string from_bits = "Bf16PatternMemory::from_bits";
    constexpr float fnan = std::numeric_limits<float>::quiet_NaN();
    constexpr float finf = std::numeric_limits<float>::infinity();

    SECTION("non-finite float values") {
        hopfield::RowMatrix<float> X = hopfield::RowMatrix<float>::Ones(2, 3);
        X(1, 2) = fnan;
        check_error([&] { Bf16PatternMemory m(X); }, ctor, "patterns", "nan");
        CHECK_THROWS_WITH(Bf16PatternMemory(X), Catch::Contains("element (1, 2)"));
        X(1, 2) = -finf;
        check_error([&] { Bf16PatternMemory m(X); }, ctor, "patterns", "-inf");
        // A view that skipped its own finiteness scan: Bf16PatternMemory still refuses.
        std::vector<float> buf{1, 2, 3, 4, fnan, 6};
        const hopfield::PatternView<float> trusted(buf.data(), 2, 3,
                                                   hopfield::PatternView<float>::trusted);
        check_error([&] { Bf16PatternMemory m(trusted); }, ctor, "patterns", "nan");
        CHECK_THROWS_WITH(Bf16PatternMemory(trusted), Catch::Contains("element (1, 1)"));
        buf[4] = finf;
        check_error([&] { Bf16PatternMemory m(trusted); }, ctor, "patterns", "inf");
    }
    SECTION("finite floats that round to inf") {
        hopfield::RowMatrix<float> X = hopfield::RowMatrix<float>::Ones(2, 3);
        X(0, 1) = flt_max;
        check_error([&] { Bf16PatternMemory m(X); }, ctor, "patterns", "3.40282347e+38");
        CHECK_THROWS_WITH(Bf16PatternMemory(X), Catch::Contains("element (0, 1)"));
        X(0, 1) = -flt_max;
        check_error([&] { Bf16PatternMemory m(X); }, ctor, "patterns", "-3.40282347e+38");
        // The halfway point to 2^128 (ties to the odd 0x7f7f, so up to inf).
        X(0, 1) = bits_float(0x7f7f8000u);
        check_error([&] { Bf16PatternMemory m(X); }, ctor, "patterns", "3.39617753e+38");
        // The same through a PatternMemory (whose values are finite, so only rounding fails).
        const hopfield::PatternMemory<float> pm(X);
        check_error([&] { Bf16PatternMemory m(pm); }, ctor, "patterns", "3.39617753e+38");
    }
    SECTION("doubles beyond float's range") {
        Eigen::MatrixXd Xd = Eigen::MatrixXd::Zero(3, 2);
        Xd(2, 0) = 1e39;
        check_error([&] { Bf16PatternMemory m(Xd); }, ctor, "patterns", "1e+39");
        CHECK_THROWS_WITH(Bf16PatternMemory(Xd), Catch::Contains("element (2, 0)"));
        Xd(2, 0) = -1e39;
        check_error([&] { Bf16PatternMemory m(Xd); }, ctor, "patterns", "-1e+39");
        Xd(2, 0) = std::numeric_limits<double>::quiet_NaN();
        check_error([&] { Bf16PatternMemory m(Xd); }, ctor, "patterns", "nan");
    }
    SECTION("dimension 0") {
        check_error([] { Bf16PatternMemory m(hopfield::RowMatrix<float>(2, 0)); }, ctor,
                    "patterns.cols()", "0");
        check_error([] { Bf16PatternMemory m(Eigen::MatrixXd(0, 0)); }, ctor, "patterns.cols()",
                    "0");
        check_error([] { Bf16PatternMemory m(hopfield::PatternView<float>(nullptr, 3, 0)); }, ctor,
                    "patterns.cols()", "0");
    }
    SECTION("from_bits") {
        std::vector<std::uint16_t> raw(6, 0x3f80u);
        check_error([&] { (void)Bf16PatternMemory::from_bits(raw.data(), -1, 3); }, from_bits,
                    "size", "-1");
        check_error([&] { (void)Bf16PatternMemory::from_bits(raw.data(), 2, 0); }, from_bits, "dim",
                    "0");
        check_error([&] { (void)Bf16PatternMemory::from_bits(raw.data(), 2, -3); }, from_bits,
                    "dim", "-3");
        check_error([] { (void)Bf16PatternMemory::from_bits(nullptr, 2, 3); }, from_bits, "bits",
                    "nullptr");
        raw[4] = 0x7f80u;  // +inf
        check_error([&] { (void)Bf16PatternMemory::from_bits(raw.data(), 2, 3); }, from_bits,
                    "bits", "inf");
        CHECK_THROWS_WITH(Bf16PatternMemory::from_bits(raw.data(), 2, 3),
                          Catch::Contains("element (1, 1)"));
        raw[4] = 0xff80u;  // -inf
        check_error([&] { (void)Bf16PatternMemory::from_bits(raw.data(), 2, 3); }, from_bits,
                    "bits", "-inf");
        raw[4] = 0x7fc0u;  // quiet NaN
        check_error([&] { (void)Bf16PatternMemory::from_bits(raw.data(), 2, 3); }, from_bits,
                    "bits", "nan");
        raw[4] = 0x7f81u;  // signalling NaN
        check_error([&] { (void)Bf16PatternMemory::from_bits(raw.data(), 2, 3); }, from_bits,
                    "bits", "nan");
        // Only the first size * dim values are read.
        CHECK(Bf16PatternMemory::from_bits(raw.data(), 1, 3).size() == 1);
    }
    SECTION("pattern(mu) out of range") {
        const Bf16PatternMemory m(hopfield::RowMatrix<float>::Ones(3, 5));
        check_error([&] { (void)m.pattern(3); }, "Bf16PatternMemory::pattern", "mu", "3");
        check_error([&] { (void)m.pattern(-1); }, "Bf16PatternMemory::pattern", "mu", "-1");
        CHECK_THROWS_WITH(m.pattern(3), Catch::Contains("size() = 3"));
        CHECK(m.pattern(2) == Eigen::VectorXf::Ones(5));
    }
}
