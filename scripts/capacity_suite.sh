#!/usr/bin/env bash
# Builds hopfield-capacity, runs its default suite, and refreshes what docs/capacity.md shows:
# the plots in docs/capacity/*.png and the measured-vs-theory table between the
# <!-- suite-table:begin --> and <!-- suite-table:end --> markers.
#
#   bash scripts/capacity_suite.sh              Release + -march=native build in build-capacity/
#   BUILD_DIR=/tmp/b THREADS=2 bash scripts/capacity_suite.sh
#
# Needs gnuplot for the plots (apt-get install gnuplot-nox); without it the table is still
# refreshed and the committed plots are left alone. The suite's CSV files stay in
# $BUILD_DIR/capacity-suite/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${BUILD_DIR:-build-capacity}"
threads="${THREADS:-0}"
out="$build_dir/capacity-suite"

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DHOPFIELD_NATIVE=ON -DHOPFIELD_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc 2>/dev/null || echo 2)" --target hopfield-capacity

status=0
"$build_dir/bench/hopfield-capacity" --suite --out-dir "$out" --threads "$threads" | tee "$out.txt" || status=$?

if compgen -G "$out/*.png" >/dev/null; then
    mkdir -p docs/capacity
    cp "$out"/*.png docs/capacity/
fi

# Replace the table in docs/capacity.md (the markers stay).
tmp="$(mktemp)"
awk -v table="$out/table.md" '
    /<!-- suite-table:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- suite-table:end -->/ { skip = 0 }
    !skip { print }
' docs/capacity.md >"$tmp"
mv "$tmp" docs/capacity.md
echo "capacity_suite.sh: docs/capacity.md and docs/capacity/*.png refreshed (suite exit status $status)"
exit "$status"
