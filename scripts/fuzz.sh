#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang++ (-fsanitize=fuzzer,address,undefined) and
# runs each one for a fixed time, starting from its seed corpus in fuzz/corpus/<target>/.
#
#   bash scripts/fuzz.sh                       every target, 60 s each
#   bash scripts/fuzz.sh 300 fuzz_separation   one target, 5 minutes
#   FUZZ_JOBS=2 bash scripts/fuzz.sh 30        two targets at a time
#
# Environment: BUILD_DIR (default build-fuzz), FUZZ_NATIVE=ON|OFF (default ON: -march=native,
# the AVX-512 kernels on our machines), FUZZ_WORK (default $BUILD_DIR/fuzz-work: the growing
# corpora, logs and crash files; the seed corpora in the repository are never written).
# Exits non-zero if any target finds a crash, a sanitizer report or a failed check; the
# reproducer is then in $FUZZ_WORK/<target>/crash-* (re-run it with `<binary> <file>`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-60}"
shift || true
build_dir="${BUILD_DIR:-build-fuzz}"
work="${FUZZ_WORK:-$build_dir/fuzz-work}"
jobs="${FUZZ_JOBS:-1}"

bash scripts/setup.sh
# libFuzzer and the sanitizer runtimes come with clang (libclang-rt-*-dev on Debian).
probe='extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }'
if ! command -v clang++ >/dev/null 2>&1 || ! echo "$probe" |
        clang++ -x c++ -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
    echo "fuzz.sh: installing clang and its runtimes (libFuzzer)"
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-dev
fi

all_targets=(fuzz_separation fuzz_retrieval fuzz_memory)
[ -f include/hopfield/io/npy.hpp ] && all_targets+=(fuzz_npy)
targets=("$@")
[ "${#targets[@]}" -eq 0 ] && targets=("${all_targets[@]}")

CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DHOPFIELD_BUILD_FUZZERS=ON \
    -DHOPFIELD_BUILD_TESTS=OFF -DHOPFIELD_BUILD_EXAMPLES=OFF -DHOPFIELD_BUILD_BENCHMARKS=OFF \
    -DHOPFIELD_INSTALL=OFF -DHOPFIELD_NATIVE="${FUZZ_NATIVE:-ON}" -DHOPFIELD_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"

# Per-target limits: the separation maps take vectors up to 4096 values (up to 9 bytes each).
max_len() {
    case "$1" in
        fuzz_separation) echo 8192 ;;
        fuzz_npy) echo 16384 ;;
        *) echo 4096 ;;
    esac
}

run_one() {
    local target="$1" dir="$work/$1"
    mkdir -p "$dir/corpus"
    [ -d "fuzz/corpus/$target" ] && cp -n "fuzz/corpus/$target"/* "$dir/corpus/" 2>/dev/null || true
    local status=0
    # -rss_limit_mb: a leak or runaway allocation is a finding too. Output to a log; the
    # summary line (total executions, executions per second) is printed below.
    "$build_dir/fuzz/$target" -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 -artifact_prefix="$dir/" \
        "$dir/corpus" >"$dir/log" 2>&1 || status=$?
    local runs rate
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo '?')"
    rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo '?')"
    if [ "$status" -ne 0 ]; then
        echo "FAIL  $target: exit $status after ${runs} executions; log and reproducer in $dir/"
        grep -E 'ERROR|runtime error|fuzz check failed|SUMMARY' "$dir/log" | head -n 5 || true
        return 1
    fi
    echo "ok    $target: ${runs} executions in ${seconds} s (${rate} exec/s), corpus $(ls "$dir/corpus" | wc -l) inputs"
}

failed=0
running=0
pids=()
names=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=($!)
    names+=("$t")
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
        running=$((running - 1))
    fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done

if [ "$failed" -ne 0 ]; then
    echo "fuzz.sh: a target failed (see above)"
    exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s) ran ${seconds} s each without a finding"
