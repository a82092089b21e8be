#!/usr/bin/env bash
# What a fresh pwsh session's first and second no-op Sync-KubeIpvs JIT-compile (issue 19, item 2), by owner: PowerShell,
# the framework, the module, framework generics over the module's types. In the lab, as root, after `dotnet build -c
# Release` and `pwsh ./build.ps1 -Task Package -NoBuild` (the module comes from out/package):
#
#     tests/bench/first-call-jit.sh [SERVICES] [DESTINATIONS]      # default 10000 x 10
#     FIRST_CALL_ENV=DOTNET_TieredPGO=0 tests/bench/first-call-jit.sh   # with a runtime setting for the measured pwsh
#
# One pwsh syncs the node; a fresh one, with the runtime's list of what it compiles (DOTNET_JitStdOutFile,
# DOTNET_JitDisasmSummary=1, which slows the JIT a little), uses Measure-Command once (its first use loads
# Microsoft.PowerShell.Utility), then makes two no-op syncs, each between two readings of JitInfo's method count.
# A benchmark, not a test: only figures within one run compare.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ ${1:-} != --inside ]]; then
    version=$(ls "$root/out/package/IpvsTools" 2>/dev/null | sort -V | tail -n 1)
    [[ -n $version ]] || { echo "first-call-jit.sh: no out/package/IpvsTools: pwsh ./build.ps1 -Task Package -NoBuild" >&2; exit 2; }
    work=$(mktemp -d /tmp/first-call-jit-XXXXXX) || exit 1
    trap 'rm -rf "$work"' EXIT
    extra=()
    [[ -n ${FIRST_CALL_ENV:-} ]] && extra=(--env "FIRST_CALL_ENV=$FIRST_CALL_ENV")
    flock /tmp/ipvstools-lab-run.lock bash "$root/tests/lab/lab.sh" run --timeout 1500 --work "$work" \
        --env "IPVSTOOLS_BENCH_MODULE=$root/out/package/IpvsTools/$version/IpvsTools.psd1" "${extra[@]}" -- \
        bash "$root/tests/bench/first-call-jit.sh" --inside "${1:-10000}" "${2:-10}" || exit 1
    python3 - "$work/jit.txt" "$work/marks.txt" <<'PY'
import collections, re, sys
compiled = re.compile(r"^\s*(\d+): JIT compiled (.*?) \[(.*?)(?:, IL size.*)?\]\s*$")
methods = [(int(m.group(1)), m.group(2), m.group(3)) for line in open(sys.argv[1], errors="replace") if (m := compiled.match(line))]
marks = open(sys.argv[2]).read().split()
def owner(name):
    if name.startswith("IpvsTools"): return "module"
    if name.startswith(("System.Management.Automation", "Microsoft.PowerShell")): return "PowerShell"
    if "IpvsTools" in name: return "framework generic over the module's types"
    if name.startswith("(dynamicClass)"): return "dynamic method"
    return "framework"
for label, key in (("first no-op sync", "MARK1"), ("second no-op sync", "MARK2")):
    low, high = int(marks[marks.index(key) + 1]), int(marks[marks.index(key) + 2])
    chosen = [(name, tier) for n, name, tier in methods if low < n <= high]
    print(f"{label}: {len(chosen)} methods compiled")
    for who, count in collections.Counter(owner(name) for name, _ in chosen).most_common():
        instrumented = sum(1 for name, tier in chosen if owner(name) == who and "Instrumented" in tier)
        print(f"  {who:42} {count:5}  ({instrumented} with PGO instrumentation)")
PY
    exit
fi
services=$2 destinations=$3
snapshot=/tmp/first-call-jit.json
python3 "$root/tests/bench/kube-snapshot.py" "$services" "$destinations" "$snapshot" || exit 1
ip netns add first-call && ip -n first-call link set lo up || exit 1
echo "first-call-jit: $services services x $destinations real servers${FIRST_CALL_ENV:+, $FIRST_CALL_ENV}"
NO_COLOR=1 /opt/ipvstools/pwsh/pwsh -NoProfile -NonInteractive -Command "Import-Module $IPVSTOOLS_BENCH_MODULE; Sync-KubeIpvs -Path $snapshot -NodeName node-0 -NodeAddress 172.18.0.3 -NetworkNamespace first-call -Confirm:\$false | Out-Null" || exit 1
settings=(DOTNET_JitDisasmSummary=1 "DOTNET_JitStdOutFile=$IPVSTOOLS_LAB_WORK/jit.txt" NO_COLOR=1)
[[ -n ${FIRST_CALL_ENV:-} ]] && settings+=("$FIRST_CALL_ENV")
env "${settings[@]}" /opt/ipvstools/pwsh/pwsh -NoProfile -NonInteractive -Command '
Import-Module $env:IPVSTOOLS_BENCH_MODULE
$sync = @{ Path = "'"$snapshot"'"; NodeName = "node-0"; NodeAddress = "172.18.0.3"; NetworkNamespace = "first-call"; Confirm = $false }
$null = Measure-Command { $null = "{0:F2}" -f 1.5 | Out-Null }
foreach ($call in 1, 2) {
    $before = [System.Runtime.JitInfo]::GetCompiledMethodCount(); $jit = [System.Runtime.JitInfo]::GetCompilationTime()
    $t = (Measure-Command { Sync-KubeIpvs @sync | Out-Null }).TotalSeconds
    $after = [System.Runtime.JitInfo]::GetCompiledMethodCount()
    "no-op sync {0}: {1:F2} s, {2:F2} s of JIT in it" -f $call, $t, ([System.Runtime.JitInfo]::GetCompilationTime() - $jit).TotalSeconds
    "MARK$call $before $after"
}' | tee "$IPVSTOOLS_LAB_WORK/marks.txt" | grep -v '^MARK'
start=$(date +%s.%N)
ip netns exec first-call ipvsadm -Sn >/dev/null
echo "ipvsadm -Sn: $(echo "$(date +%s.%N) - $start" | bc) s"
