#!/usr/bin/env bash
# Builds bench_retrieval with -march=native, runs it (medians of 5), then runs the same shapes
# through PyTorch and prints the ratio table. Needs python3-torch (apt) for the last step, and
# libopenblas0-pthread for a fair one (Debian's torch uses the system BLAS for its GEMMs).
#   bash bench/compare_torch.sh [extra benchmark flags]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${BUILD_DIR:-build-native}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DHOPFIELD_NATIVE=ON >/dev/null
cmake --build "$build" --target bench_retrieval -j "$(nproc)"
json="$build/bench_retrieval.json"
"$build/bench/bench_retrieval" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.2 --benchmark_out="$json" --benchmark_out_format=json "$@"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/torch_retrieval.py "$json"
