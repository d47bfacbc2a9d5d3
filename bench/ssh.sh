#!/usr/bin/env bash
# SSH deploy benchmark: the same release deployed to 1 host and to 4 hosts (fresh real sshd "hosts" on 127.0.0.x each
# run, as in the ssh target's tests), several runs each. Prints every run, both medians and a last line `ratio: X`
# (4 hosts / 1 host; the target is X <= 1.5, uploads and starts going to the hosts in parallel).
#
#   bash bench/ssh.sh [RUNS]      RUNS, default 5. Needs sshd (apt-get install -y openssh-server) and root.
set -euo pipefail
export LC_ALL=C

RUNS="${1:-5}"
if ! [[ $RUNS =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS]   (RUNS: a positive whole number, default 5)" >&2
  exit 2
fi
ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
cd -- "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

out="$(mktemp)"
trap 'rm -f -- "$out"' EXIT
dotnet build tests/MeshHook.Deployment.Tests -v q -nologo > /dev/null
# Four hosts share this machine's cores with whatever else runs: the load average says how comparable a run is.
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
MESHHOOK_SSH_BENCH_RUNS="$RUNS" MESHHOOK_SSH_BENCH_OUT="$out" \
  dotnet test --project tests/MeshHook.Deployment.Tests --no-build -- --filter-class '*SshScalingTests' > /dev/null

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
awk '{ line = sprintf("run: %s host(s) %s s", $1, $2); sub(/^[^#]*#/, "", $0); print line " (stages:" $0 ")" }' "$out"
one="$(awk '$1 == 1 { print $2 }' "$out" | median)"
four="$(awk '$1 == 4 { print $2 }' "$out" | median)"
echo "load average (1, 5, 15 min): ${load_before} before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "median 1 host: ${one} s"
echo "median 4 hosts: ${four} s"
awk -v a="$four" -v b="$one" 'BEGIN { printf "ratio: %.2f\n", a / b }'
