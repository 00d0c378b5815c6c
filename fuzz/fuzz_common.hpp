#pragma once
// Shared pieces of the libFuzzer targets: a byte reader that never over-reads, a check that
// aborts with a message (so libFuzzer records the input), the "must throw
// hopfield::invalid_argument naming X" helper, and independent long double references of
// every separation map (a different algorithm from the library's: bisection, not sorting).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <hopfield/core/error.hpp>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace fuzz {

using ld = long double;

/// Prints the failed check and aborts: libFuzzer then saves the input as a crash file.
[[noreturn]] inline void fail(const char* file, int line, const char* what,
                              const std::string& detail) {
    std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n  %s\n", file, line, what, detail.c_str());
    std::abort();
}

#define FUZZ_CHECK(cond, detail)                                                   \
    do {                                                                           \
        if (!(cond)) ::fuzz::fail(__FILE__, __LINE__, #cond, std::string(detail)); \
    } while (0)

/// Reads the fuzzer's bytes front to back; past the end every read returns zeros, so a
/// target never reads outside the buffer whatever its length.
class Bytes {
public:
    Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::size_t remaining() const { return size_ - pos_; }

    std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

    std::uint16_t u16() { return std::uint16_t(byte() | (unsigned(byte()) << 8)); }

    /// The raw bit pattern of a T (any value: NaN payloads, denormals, infinities).
    template <class T>
    T raw() {
        unsigned char buf[sizeof(T)] = {};
        for (auto& b : buf) b = byte();
        T v;
        std::memcpy(&v, buf, sizeof(T));
        return v;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

/// Runs f, which must throw hopfield::invalid_argument whose message contains every needle;
/// any other exception escapes (libFuzzer reports it), no exception aborts.
template <class F>
void expect_invalid_argument(F&& f, std::initializer_list<const char*> needles,
                             const std::string& context) {
    try {
        f();
    } catch (const hopfield::invalid_argument& e) {
        const std::string what = e.what();
        for (const char* needle : needles)
            FUZZ_CHECK(what.find(needle) != std::string::npos,
                       context + ": message '" + what + "' lacks '" + needle + "'");
        return;
    }
    fail(__FILE__, __LINE__, "expected hopfield::invalid_argument", context);
}

// ---- references in long double ------------------------------------------------------------
// All take the scores already in long double; -inf scores are masked (weight 0); an empty or
// all-masked input gives all zeros. They shift by the max first, so huge scores (1e38, 1e308)
// are handled: only differences to the max matter.

inline ld max_of(const std::vector<ld>& z) {
    ld m = -std::numeric_limits<ld>::infinity();
    for (ld v : z) m = std::max(m, v);
    return m;
}

inline std::vector<ld> softmax(const std::vector<ld>& z) {
    std::vector<ld> p(z.size(), 0);
    const ld m = max_of(z);
    if (m == -std::numeric_limits<ld>::infinity()) return p;
    ld s = 0;
    for (std::size_t i = 0; i < z.size(); ++i) s += (p[i] = std::exp(z[i] - m));
    for (ld& v : p) v /= s;
    return p;
}

/// softmax([0; z]) without its first entry.
inline std::vector<ld> softmax1(const std::vector<ld>& z) {
    std::vector<ld> ext(1, 0);
    ext.insert(ext.end(), z.begin(), z.end());
    const auto p = softmax(ext);
    return std::vector<ld>(p.begin() + 1, p.end());
}

/// alpha-entmax (alpha in (1, 2]) by bisection on tau over the shifted scores; alpha = 2 is
/// sparsemax. p_i = [t (z_i - max) - tau]_+^(1/t), t = alpha - 1, tau in [-1, -n^-t].
inline std::vector<ld> entmax(const std::vector<ld>& z, ld alpha) {
    std::vector<ld> p(z.size(), 0);
    const ld m = max_of(z);
    if (m == -std::numeric_limits<ld>::infinity()) return p;
    const ld t = alpha - 1;
    auto weight = [&](ld v, ld tau) {
        const ld base = t * (v - m) - tau;  // -inf - tau = -inf: weight 0
        if (!(base > 0)) return ld(0);
        if (alpha == 2) return base;            // sparsemax
        if (alpha == 1.5L) return base * base;  // 1.5-entmax
        return std::pow(base, 1 / t);
    };
    // tau >= -1, so only the scores with t (z - max) > -1 can be in the support (this also
    // drops the masked ones); the bisection runs over those.
    std::vector<ld> cand;
    for (ld v : z)
        if (t * (v - m) > -1) cand.push_back(v);
    ld lo = -1, hi = -std::pow(ld(cand.size()), -t);
    for (int it = 0; it < 400; ++it) {
        const ld mid = (lo + hi) / 2;
        if (!(mid > lo && mid < hi)) break;
        ld s = 0;
        for (ld v : cand) s += weight(v, mid);
        (s >= 1 ? lo : hi) = mid;
    }
    ld s = 0;
    for (ld v : cand) s += weight(v, lo);
    for (std::size_t i = 0; i < z.size(); ++i) p[i] = weight(z[i], lo) / s;
    return p;
}

/// Bitwise equality of two arrays of n values (n may be 0, with null pointers).
template <class T>
bool same_bytes(const T* a, const T* b, std::size_t n) {
    return n == 0 || std::memcmp(a, b, n * sizeof(T)) == 0;
}

template <class Scalar>
constexpr double eps() {
    return double(std::numeric_limits<Scalar>::epsilon());
}

}  // namespace fuzz
