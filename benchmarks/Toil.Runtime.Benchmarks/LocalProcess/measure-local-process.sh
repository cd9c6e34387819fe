#!/usr/bin/env bash
# Fan-out of N trivial jobs on the local-process batch system, with the AotWorkerHost sample published with NativeAOT
# and with the JIT `toil worker` tool, each beside cores / (one trivial worker's time) measured in the same run.
# Each also runs through a warm worker pool of one serving process per core (WarmWorkers), against the AOT spawn floor.
#   benchmarks/Toil.Runtime.Benchmarks/LocalProcess/measure-local-process.sh [N] [ROUNDS]   (defaults 100, 1)
# Slow (the AOT publish takes minutes); never run by the build or CI. See docs/batch-systems.md.
set -euo pipefail
n=${1:-100}
rounds=${2:-1}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/toil-local-process-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
rid=linux-x64
[ "$(uname -m)" = aarch64 ] && rid=linux-arm64

echo "publishing samples/AotWorkerHost (NativeAOT) ..." >&2
dotnet publish "$repo/samples/AotWorkerHost/AotWorkerHost.csproj" -c Release -r "$rid" -p:PublishAot=true -o "$out/aot" -nologo -v q >&2
echo "building toil (Release) ..." >&2
dotnet build "$repo/src/Toil.Runtime.Cli/Toil.Runtime.Cli.csproj" -c Release -o "$out/toil" -nologo -v q >&2

dotnet run -c Release --project "$repo/benchmarks/Toil.Runtime.Benchmarks" -- \
  workload local-process-fanout "$n" --aot-host "$out/aot/AotWorkerHost" --toil "$out/toil/toil.dll" --rounds "$rounds" --warm "$(nproc)"
