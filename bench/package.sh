#!/usr/bin/env bash
# Package benchmark: cold ./build.sh Package (no node_modules, no build outputs) against a warm one with nothing
# changed, and BuildSvelteKit + BuildWorkers in parallel against --max-parallel 1 (both from cold). Prints medians
# and ratios. Usage: bash bench/package.sh [runs]   (default 3; each cold run takes 10-20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
make_cold() { rm -rf src/web/node_modules src/workers/node_modules src/web/build src/web/.svelte-kit artifacts/build; }
timed() {
  local start end
  start=$(now)
  "$@" > /dev/null
  end=$(now)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}

./build.sh Package --no-logo > /dev/null   # compile the build and warm npm's cache once

cold=() warm=() parallel=() sequential=()
for _ in $(seq "$runs"); do
  make_cold
  cold+=("$(timed ./build.sh Package --no-logo)")
  warm+=("$(timed ./build.sh Package --no-logo)")
  make_cold
  parallel+=("$(timed ./build.sh BuildSvelteKit BuildWorkers --no-logo --max-parallel 2)")
  make_cold
  sequential+=("$(timed ./build.sh BuildSvelteKit BuildWorkers --no-logo --max-parallel 1)")
done

cold_m=$(printf '%s\n' "${cold[@]}" | median)
warm_m=$(printf '%s\n' "${warm[@]}" | median)
par_m=$(printf '%s\n' "${parallel[@]}" | median)
seq_m=$(printf '%s\n' "${sequential[@]}" | median)
echo "cold ./build.sh Package: median ${cold_m} s"
echo "warm ./build.sh Package (nothing changed): median ${warm_m} s"
awk -v w="$warm_m" -v c="$cold_m" 'BEGIN { printf "warm/cold ratio: %.3f (target <= 0.10)\n", w / c }'
echo "BuildSvelteKit + BuildWorkers, --max-parallel 2: median ${par_m} s"
echo "BuildSvelteKit + BuildWorkers, --max-parallel 1: median ${seq_m} s"
awk -v p="$par_m" -v s="$seq_m" 'BEGIN { printf "parallel/sequential ratio: %.3f (target <= 0.65)\n", p / s }'
