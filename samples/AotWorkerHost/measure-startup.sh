#!/usr/bin/env bash
# Measures the start-up of a worker process running a trivial job: the AotWorkerHost sample published with NativeAOT
# vs the same host JIT-started (framework-dependent apphost), with and without ReadyToRun code. Prints per-start times (median and mean) of N runs.
#   samples/AotWorkerHost/measure-startup.sh [N]      (default N=40)
# Slow (the AOT publish takes minutes); never run by the build or CI.
set -euo pipefail
n=${1:-40}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/toil-aot-startup.XXXXXX")
trap 'rm -rf "$out"' EXIT
rid=linux-x64
[ "$(uname -m)" = aarch64 ] && rid=linux-arm64

echo "publishing (JIT) ..." >&2
dotnet publish "$here/AotWorkerHost.csproj" -c Release -r "$rid" --self-contained false -o "$out/jit" -nologo -v q >&2
echo "publishing (JIT, ReadyToRun) ..." >&2
dotnet publish "$here/AotWorkerHost.csproj" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$out/r2r" -nologo -v q >&2
echo "publishing (NativeAOT) ..." >&2
dotnet publish "$here/AotWorkerHost.csproj" -c Release -r "$rid" -p:PublishAot=true -o "$out/aot" -nologo -v q >&2

now_us() { local t; t=$(date +%s%N); echo $((t / 1000)); }

# measure NAME HOST: prepares N trivial jobs in a fresh file job store, then starts one worker process per job.
measure() {
  local name=$1 host=$2 store="$out/store-$1" ids=() times=() i start end code
  mapfile -t ids < <("$host" prepare "$store" "$n")
  [ "${#ids[@]}" -eq "$n" ] || { echo "prepare gave ${#ids[@]} jobs, wanted $n" >&2; exit 1; }
  # One unmeasured start warms the page cache for the binary.
  "$host" floor
  for i in "${!ids[@]}"; do
    start=$(now_us)
    code=0
    "$host" worker noop "file:$store" "${ids[$i]}" || code=$?
    end=$(now_us)
    [ "$code" -eq 0 ] || { echo "$name worker exited $code" >&2; exit 1; }
    times+=($((end - start)))
  done
  "$host" check "$store" >&2
  local floor=()
  for i in $(seq 1 "$n"); do
    start=$(now_us); "$host" floor; end=$(now_us); floor+=($((end - start)))
  done
  report "$name worker" "${times[@]}"
  report "$name empty process (floor)" "${floor[@]}"
}

report() {
  local label=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v label="$label" '
    { v[NR] = $1; s += $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "%-32s n=%d median=%.1f ms mean=%.1f ms min=%.1f ms\n", label, NR, m / 1000, s / NR / 1000, v[1] / 1000 }'
}

measure jit "$out/jit/AotWorkerHost"
measure r2r "$out/r2r/AotWorkerHost"
measure aot "$out/aot/AotWorkerHost"
