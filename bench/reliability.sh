#!/usr/bin/env bash
# Reliability harness: N deploys and rollbacks of a real local environment (temporary folder, free loopback ports), each
# with a seeded random fault at a random stage, a client loop on the stable URL, and the invariants checked after every
# run. Ends with: runs: N, invariants held: N, failed requests: N, stuck locks: N.
# Usage: bash bench/reliability.sh [runs] [seed]   (default 30 runs, a random seed; the seed is printed to replay a run)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
seed="${2:-$RANDOM$RANDOM}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/MeshHook.Reliability/MeshHook.Reliability.csproj --configuration Release -nologo -clp:NoSummary --verbosity quiet
exec dotnet tests/MeshHook.Reliability/bin/Release/net10.0/MeshHook.Reliability.dll harness --runs "$runs" --seed "$seed"
