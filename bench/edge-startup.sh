#!/usr/bin/env bash
# Edge startup benchmark (moved here from the Edge tests, where a wall-clock budget failed on busy machines): time from
# starting `dotnet MeshHook.Edge.dll` to its first proxied 200, with a state file already in place.
#
#   bash bench/edge-startup.sh [RUNS]      RUNS, default 7; prints each run and the median in seconds
set -euo pipefail
export LC_ALL=C

RUNS="${1:-7}"
if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS]   (RUNS: a positive whole number, default 7)" >&2
  exit 2
fi

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd -- "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/MeshHook.Edge/MeshHook.Edge.csproj -nologo -v q > /dev/null
EDGE="$(find src/MeshHook.Edge/bin/Debug -name MeshHook.Edge.dll -path "*/net*" | head -n 1)"

WORK="$(mktemp -d)"
EDGE_PID=""
UPSTREAM_PID=""
cleanup() {
  if [[ -n $EDGE_PID ]]; then kill "$EDGE_PID" 2> /dev/null || true; fi
  if [[ -n $UPSTREAM_PID ]]; then kill "$UPSTREAM_PID" 2> /dev/null || true; fi
  rm -rf -- "$WORK"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

UPSTREAM_PORT="$(free_port)"
node -e "require('http').createServer((q,r)=>r.end('up')).listen($UPSTREAM_PORT,'127.0.0.1')" &
UPSTREAM_PID=$!
printf '{"release":"bench","upstream":"http://127.0.0.1:%s"}' "$UPSTREAM_PORT" > "$WORK/edge.json"

TIMES=()
for ((i = 1; i <= RUNS; i++)); do
  PORT="$(free_port)"
  start="${EPOCHREALTIME/,/.}"
  dotnet "$EDGE" --listen "http://127.0.0.1:$PORT" --state "$WORK/edge.json" > "$WORK/edge.log" 2>&1 &
  EDGE_PID=$!
  until curl -fs "http://127.0.0.1:$PORT/" > /dev/null 2>&1; do
    kill -0 "$EDGE_PID" 2> /dev/null || { echo "error: the edge exited; see its log:" >&2; cat "$WORK/edge.log" >&2; exit 1; }
    sleep 0.005
  done
  end="${EPOCHREALTIME/,/.}"
  kill "$EDGE_PID"; wait "$EDGE_PID" 2> /dev/null || true; EDGE_PID=""
  TIMES+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')")
  echo "run $i/$RUNS: first 200 after ${TIMES[-1]} s"
done
printf '%s\n' "${TIMES[@]}" | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "edge startup: median %.3f s over %d runs\n", m, NR }'
