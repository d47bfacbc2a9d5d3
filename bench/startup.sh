#!/usr/bin/env bash
# Startup benchmark: a warm `./build.sh --help` (fast path: the compiled build runs
# directly) against NUKE's recipe on the same project (`dotnet build` no-op, then
# `dotnet run --no-build -- --help`).
#
#   bash bench/startup.sh [RUNS]      RUNS per side, default 7
#
# One warm-up of each, then the two are run alternately so that drift in machine
# load hits both alike. Prints each median in seconds and the ratio ours/recipe.
set -euo pipefail
export LC_ALL=C

RUNS="${1:-7}"
if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS]   (RUNS: a positive whole number, default 7)" >&2
  exit 2
fi

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd -- "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_UI_LANGUAGE=en

now() {
  # bash 5 has a clock without forking; fall back to date(1).
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    printf '%s\n' "${EPOCHREALTIME/,/.}"
  else
    date +%s.%N
  fi
}

ours() {
  ./build.sh --help
}

recipe() {
  dotnet build build/_build.csproj -nologo -v q && dotnet run --no-build --project build/_build.csproj -- --help
}

# Runs "$1" once, output discarded; prints the elapsed seconds. Fails loudly if the command fails.
time_one() {
  local start end
  start="$(now)"
  if ! "$1" > /dev/null 2>&1; then
    echo "error: '$1' failed; run it by hand to see why" >&2
    return 1
  fi
  end="$(now)"
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f\n", e - s }'
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'
}

echo "warming up (one run of each) ..."
time_one ours > /dev/null
time_one recipe > /dev/null

OURS_TIMES=()
RECIPE_TIMES=()
for ((i = 1; i <= RUNS; i++)); do
  OURS_TIMES+=("$(time_one ours)")
  RECIPE_TIMES+=("$(time_one recipe)")
  printf 'run %d/%d: ours %.3f s, recipe %.3f s\n' "$i" "$RUNS" "${OURS_TIMES[-1]}" "${RECIPE_TIMES[-1]}"
done

OURS_MEDIAN="$(printf '%s\n' "${OURS_TIMES[@]}" | median)"
RECIPE_MEDIAN="$(printf '%s\n' "${RECIPE_TIMES[@]}" | median)"
echo "ours (./build.sh --help): median $OURS_MEDIAN s"
echo "NUKE recipe (dotnet build + dotnet run --no-build): median $RECIPE_MEDIAN s"
awk -v o="$OURS_MEDIAN" -v r="$RECIPE_MEDIAN" 'BEGIN { printf "ratio: %.2f (target <= 0.25)\n", (r > 0 ? o / r : 0) }'
