#!/usr/bin/env bash
# Builds everything and runs the whole test suite (unit tests + the two consumer tests).
#
#   bash scripts/test.sh                       Release build in build/
#   bash scripts/test.sh -DHOPFIELD_NATIVE=ON  extra arguments go to the cmake configure step
#   BUILD_DIR=build-asan bash scripts/test.sh -DCMAKE_BUILD_TYPE=Debug -DHOPFIELD_SANITIZE=ON
#   CI=true bash scripts/test.sh               as CI runs it: warnings are errors
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

build_dir="${BUILD_DIR:-build}"
jobs="$(nproc 2>/dev/null || echo 2)"

# In CI (CI=true) warnings are errors; the extra arguments come after, so they can override.
ci_flags=()
[ "${CI:-}" = true ] && ci_flags=(-DHOPFIELD_WERROR=ON)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "${ci_flags[@]}" "$@"
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j "$jobs"
