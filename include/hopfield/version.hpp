#pragma once
/// \file version.hpp
/// \brief The library version (semantic versioning: MAJOR.MINOR.PATCH).
///
/// The three HOPFIELD_VERSION_* macros are the single source of truth: the top-level
/// CMakeLists.txt parses them to set the project and package version, so keep each one a
/// plain integer on its own `#define` line.

#include <string_view>

/// \brief Major version: changes on API breaks (the CMake package accepts the same major only).
#define HOPFIELD_VERSION_MAJOR 0
/// \brief Minor version: changes when features are added compatibly.
#define HOPFIELD_VERSION_MINOR 1
/// \brief Patch version: changes on bug fixes only.
#define HOPFIELD_VERSION_PATCH 0

/// \brief The version as one integer, MAJOR * 10000 + MINOR * 100 + PATCH, for `#if` tests.
#define HOPFIELD_VERSION \
    (HOPFIELD_VERSION_MAJOR * 10000 + HOPFIELD_VERSION_MINOR * 100 + HOPFIELD_VERSION_PATCH)

/// \brief Internal: turns a macro argument into a string literal (no expansion).
#define HOPFIELD_DETAIL_STRINGIFY_(x) #x
/// \brief Internal: turns a macro argument into a string literal after expanding it.
#define HOPFIELD_DETAIL_STRINGIFY(x) HOPFIELD_DETAIL_STRINGIFY_(x)

// clang-format off
/// \brief The version as a string literal, "MAJOR.MINOR.PATCH".
#define HOPFIELD_VERSION_STRING                           \
    HOPFIELD_DETAIL_STRINGIFY(HOPFIELD_VERSION_MAJOR) "." \
    HOPFIELD_DETAIL_STRINGIFY(HOPFIELD_VERSION_MINOR) "." \
    HOPFIELD_DETAIL_STRINGIFY(HOPFIELD_VERSION_PATCH)
// clang-format on

namespace hopfield {

/// \brief The version of the headers in use, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"); the
/// characters are those of the string literal HOPFIELD_VERSION_STRING, so `data()` is
/// null-terminated.
inline constexpr std::string_view version = HOPFIELD_VERSION_STRING;

/// \brief Major version as a constant (HOPFIELD_VERSION_MAJOR).
inline constexpr int version_major = HOPFIELD_VERSION_MAJOR;
/// \brief Minor version as a constant (HOPFIELD_VERSION_MINOR).
inline constexpr int version_minor = HOPFIELD_VERSION_MINOR;
/// \brief Patch version as a constant (HOPFIELD_VERSION_PATCH).
inline constexpr int version_patch = HOPFIELD_VERSION_PATCH;

}  // namespace hopfield
