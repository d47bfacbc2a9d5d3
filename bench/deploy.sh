#!/usr/bin/env bash
# Deploy benchmark on the local environment: cold deploy (nothing running, no state), no-op redeploy (the release is
# already current and healthy), and rollback to a healthy release (alternating between two). Prints medians.
# Usage: bash bench/deploy.sh [runs]   (default 5). It stops and recreates .deploy/local: don't run it on state you need.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
marker=src/web/static/.bench-marker.txt

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
timed() {
  local start end
  start=$(now)
  "$@" > /dev/null
  end=$(now)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}
reset() { ./build.sh Stop --environment local --no-logo > /dev/null; rm -rf .deploy/local; }
created_static=false
[ -d src/web/static ] || created_static=true
cleanup() { rm -f "$marker"; if $created_static; then rm -rf src/web/static; fi; }
trap cleanup EXIT

rm -f "$marker"
./build.sh Package --no-logo > /dev/null   # builds outside the measurement: this measures deploys, not builds

cold=() noop=() rollback=()
for _ in $(seq "$runs"); do
  reset
  cold+=("$(timed ./build.sh Deploy --environment local --no-logo)")
  noop+=("$(timed ./build.sh Deploy --environment local --no-logo)")
done

# A second release (same code plus a marker file) to roll back and forth between.
mkdir -p src/web/static
date > "$marker"
./build.sh Deploy --environment local --no-logo > /dev/null
rm -f "$marker"
for _ in $(seq "$runs"); do
  rollback+=("$(timed ./build.sh Rollback --environment local --no-logo)")
done

echo "cold deploy (nothing running): median $(printf '%s\n' "${cold[@]}" | median) s"
echo "no-op redeploy (already current and healthy): median $(printf '%s\n' "${noop[@]}" | median) s (target <= 1.5)"
echo "rollback to a healthy release: median $(printf '%s\n' "${rollback[@]}" | median) s (target <= 2)"
