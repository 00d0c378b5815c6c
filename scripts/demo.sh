#!/usr/bin/env bash
# Builds and runs the retrieval demo (Release build in build/). Arguments go to the demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

build_dir="${BUILD_DIR:-build}"
jobs="$(nproc 2>/dev/null || echo 2)"

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" --target retrieval_demo -j "$jobs"
"$build_dir/examples/retrieval_demo" "$@"
