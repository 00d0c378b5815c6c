#pragma once
/// \file error.hpp
/// \brief The library's exception type and the argument checks every public entry point uses.

// Bad input is reported by throwing (README "Errors"); there is no exception-free mode. With
// exceptions disabled the first `throw` below would stop the build with a compiler message
// about -fexceptions: say why instead (docs/exceptions.md explains the decision).
#if !defined(__cpp_exceptions) && !defined(__EXCEPTIONS) && !defined(_CPPUNWIND)
#error \
    "hopfield reports bad input by throwing hopfield::invalid_argument and does not support builds with exceptions disabled (-fno-exceptions); see docs/exceptions.md"
#endif

#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hopfield {

/// \brief Thrown for bad input: the message names the function, the argument and its value.
///
/// Derives from std::invalid_argument so generic handlers catch it; nothing is ever silently
/// clamped instead of throwing.
class invalid_argument : public std::invalid_argument {
public:
    /// \brief Builds the message "<where>: argument '<arg>' = <value>: <requirement>".
    template <class Value>
    invalid_argument(std::string_view where, std::string_view arg, const Value& value,
                     std::string_view requirement)
        : std::invalid_argument(format(where, arg, value, requirement)) {}

private:
    template <class Value>
    static std::string format(std::string_view where, std::string_view arg, const Value& value,
                              std::string_view requirement) {
        std::ostringstream os;
        os.precision(9);
        os << where << ": argument '" << arg << "' = " << value << ": " << requirement;
        return os.str();
    }
};

namespace detail {

/// Throws unless `value` is finite and strictly positive.
template <class T>
void require_positive(std::string_view where, std::string_view arg, T value) {
    if (!(value > T(0)) || !std::isfinite(static_cast<double>(value)))
        throw invalid_argument(where, arg, value, "must be finite and > 0");
}

/// Throws unless `value` is finite and >= 0.
template <class T>
void require_non_negative(std::string_view where, std::string_view arg, T value) {
    if (!(value >= T(0)) || !std::isfinite(static_cast<double>(value)))
        throw invalid_argument(where, arg, value, "must be finite and >= 0");
}

/// Index of the first NaN or +-Inf of the n values, n if there is none. The scan is branchless
/// (x - x is 0 exactly for finite x) so it vectorizes; the culprit is searched for only once
/// the scan failed.
template <class T>
std::size_t first_non_finite(const T* data, std::size_t n) noexcept {
    std::size_t bad = 0;  // a count, not a bool: GCC vectorizes integer reductions only
    for (std::size_t i = 0; i < n; ++i) bad += !(data[i] - data[i] == T(0));
    if (bad == 0) return n;
    std::size_t i = 0;
    while (std::isfinite(data[i])) ++i;
    return i;
}

/// Throws if any of the n values is NaN or +-Inf, naming the first offending index.
template <class T>
void require_finite(std::string_view where, std::string_view arg, const T* data, std::size_t n) {
    const std::size_t i = first_non_finite(data, n);
    if (i == n) return;
    std::ostringstream what;
    what << "must be finite, but element " << i << " is not";
    throw invalid_argument(where, arg, data[i], what.str());
}

/// Throws if two sizes that must agree differ.
inline void require_size(std::string_view where, std::string_view arg, std::ptrdiff_t got,
                         std::ptrdiff_t expected) {
    if (got != expected) {
        std::ostringstream what;
        what << "size mismatch, expected " << expected;
        throw invalid_argument(where, arg, got, what.str());
    }
}

/// Throws unless every element is exactly +1 or -1 (branchless scan, as require_finite).
template <class T>
void require_binary(std::string_view where, std::string_view arg, const T* data, std::size_t n) {
    std::size_t bad = 0;
    for (std::size_t i = 0; i < n; ++i) bad += !((data[i] == T(1)) | (data[i] == T(-1)));
    if (bad == 0) return;
    for (std::size_t i = 0; i < n; ++i) {
        if (data[i] != T(1) && data[i] != T(-1)) {
            std::ostringstream what;
            what << "must be +1 or -1, but element " << i << " is not";
            throw invalid_argument(where, arg, data[i], what.str());
        }
    }
}

}  // namespace detail
}  // namespace hopfield
