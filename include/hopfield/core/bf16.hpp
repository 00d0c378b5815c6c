#pragma once
/// \file bf16.hpp
/// \brief bfloat16, the reduced-precision storage format of Bf16PatternMemory: the upper 16
/// bits of an IEEE float (sign, the 8 exponent bits, 7 mantissa bits). Float's range, a
/// relative rounding error of at most 2^-8 (half an ulp of its 8-bit significand), and a conversion
/// to float that is a shift.

#include <bit>
#include <cstdint>

namespace hopfield {

/// \brief The bfloat16 nearest to `x` (round to nearest, ties to even), as its 16 bits.
/// Finite values above the largest bfloat16 (about 3.39e38) round to +-inf; NaN stays NaN.
/// Callers that store patterns check for both (Bf16PatternMemory does).
inline std::uint16_t bf16_round(float x) noexcept {
    const auto bits = std::bit_cast<std::uint32_t>(x);
    if ((bits & 0x7fffffffu) > 0x7f800000u)  // NaN: keep it a (quiet) NaN, never round to inf
        return std::uint16_t((bits >> 16) | 0x0040u);
    const std::uint32_t lsb = (bits >> 16) & 1u;  // ties go to the even upper half
    return std::uint16_t((bits + 0x7fffu + lsb) >> 16);
}

/// \brief The float value of a bfloat16 given by its 16 bits (exact: a shift).
inline float bf16_to_float(std::uint16_t h) noexcept {
    return std::bit_cast<float>(std::uint32_t(h) << 16);
}

}  // namespace hopfield
