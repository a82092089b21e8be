#!/usr/bin/env bash
# Rounds of a no-op Sync-KubeIpvs in ONE real pwsh session, beside the cluster read alone and Get-IpvsService
# (issue 19, items 2 and 4: what the second and third calls of a session still pay). In the lab, as root, after
# `dotnet build -c Release` and `pwsh ./build.ps1 -Task Package -NoBuild` (the module comes from out/package):
#
#     tests/bench/noop-rounds.sh [SERVICES] [DESTINATIONS] [ROUNDS]      # default 5000 x 10, 3 rounds
#
# With NOOP_JIT_LIST=FILE, the runtime's list of every method it compiles (DOTNET_JitStdOutFile with
# DOTNET_JitDisasmSummary: name and tier, in order) is written to FILE on the host.
#
# Prints per round the read alone ([IpvsTools.Commands.ClusterSources]::ReadSnapshot), Get-IpvsService, and the
# no-op sync with its Verbose lines (its read, its build, when the node read ended), the JIT's and the collector's
# totals after each, then `ipvsadm -Sn` of the same table as the baseline. A benchmark, not a test: only ratios
# within one run mean anything.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ ${1:-} != --inside ]]; then
    services=${1:-5000} destinations=${2:-10} rounds=${3:-3}
    jit=()
    if [[ -n ${NOOP_JIT_LIST:-} ]]; then
        work=$(dirname "$(realpath -m "$NOOP_JIT_LIST")")
        jit=(--work "$work" --env DOTNET_JitDisasmSummary=1 --env "DOTNET_JitStdOutFile=/run/lab/work/$(basename "$NOOP_JIT_LIST")")
    fi
    version=$(ls "$root/out/package/IpvsTools" 2>/dev/null | sort -V | tail -n 1)
    [[ -n $version ]] || { echo "noop-rounds.sh: no out/package/IpvsTools: pwsh ./build.ps1 -Task Package -NoBuild" >&2; exit 2; }
    exec flock /tmp/ipvstools-lab-run.lock bash "$root/tests/lab/lab.sh" run --timeout 2400 \
        --env "IPVSTOOLS_BENCH_MODULE=$root/out/package/IpvsTools/$version/IpvsTools.psd1" \
        --env "NOOP_ROUNDS=$rounds" "${jit[@]}" -- bash "$root/tests/bench/noop-rounds.sh" --inside "$services" "$destinations"
fi
services=$2 destinations=$3
snapshot=/tmp/noop-rounds-snapshot.json
python3 "$root/tests/bench/kube-snapshot.py" "$services" "$destinations" "$snapshot" || exit 1
ip netns add noop-rounds && ip -n noop-rounds link set lo up || exit 1
echo "noop-rounds: $services services x $destinations real servers"
NO_COLOR=1 /opt/ipvstools/pwsh/pwsh -NoProfile -NonInteractive -Command '
$PSStyle.OutputRendering = "PlainText"
Import-Module $env:IPVSTOOLS_BENCH_MODULE
$sync = @{ Path = "'"$snapshot"'"; NodeName = "node-0"; NodeAddress = "172.18.0.3"; NetworkNamespace = "noop-rounds"; Confirm = $false }
# What the JIT and the collector did so far: methods compiled and the JIT time (all threads), collections of
# each generation and the time threads were paused for them.
function Jit { "{0} methods, {1:F2} s of JIT; GC {2}/{3}/{4}, paused {5:F2} s" -f [System.Runtime.JitInfo]::GetCompiledMethodCount(), [System.Runtime.JitInfo]::GetCompilationTime().TotalSeconds, [GC]::CollectionCount(0), [GC]::CollectionCount(1), [GC]::CollectionCount(2), [GC]::GetTotalPauseDuration().TotalSeconds }
"before the cold sync: " + (Jit)
$t = (Measure-Command { Sync-KubeIpvs @sync | Out-Null }).TotalSeconds
"cold sync (the first call of the session): {0:F2} s; after it: {1}" -f $t, (Jit)
foreach ($r in 1..$env:NOOP_ROUNDS) {
    [GC]::Collect()
    $t = (Measure-Command { $s = [IpvsTools.Commands.ClusterSources]::ReadSnapshot([string[]]@($sync.Path)) }).TotalSeconds
    "round $r read alone: {0:F2} s; after it: {1}" -f $t, (Jit)
    $s = $null; [GC]::Collect()
    $t = (Measure-Command { $l = Get-IpvsService -NetworkNamespace noop-rounds }).TotalSeconds
    "round $r Get-IpvsService: {0:F2} s; after it: {1}" -f $t, (Jit)
    $l = $null; [GC]::Collect()
    # Every Verbose line with the moment it came out, from the call'"'"'s start.
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $t = (Measure-Command { Sync-KubeIpvs @sync -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { "  {0,6:F2} s  {1}" -f $clock.Elapsed.TotalSeconds, $_.Message } } | Out-Host }).TotalSeconds
    "round $r no-op sync: {0:F2} s (the last line came out at {1:F2} s); after it: {2}" -f $t, $clock.Elapsed.TotalSeconds, (Jit)
}'
start=$(date +%s.%N)
ip netns exec noop-rounds ipvsadm -Sn >/dev/null
echo "ipvsadm -Sn: $(echo "$(date +%s.%N) - $start" | bc) s"
