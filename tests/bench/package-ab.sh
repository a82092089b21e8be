#!/usr/bin/env bash
# Two builds of the module side by side in one lab boot (issue 19: what a change does to a session's first
# calls): fresh real pwsh processes alternate between the two packages' module folders, each timing
# Import-Module, the first Get-IpvsService of a S x D table and three no-op Sync-KubeIpvs, with the methods the
# runtime compiled during each. As root, after packaging both (`pwsh ./build.ps1 -Task Package -NoBuild`, copying
# out/package/IpvsTools/VERSION somewhere outside /tmp before packaging the other; the lab has a fresh /tmp):
#
#     tests/bench/package-ab.sh A_FOLDER B_FOLDER [SERVICES] [DESTINATIONS] [PAIRS]     # default 5000 x 10, 3 pairs
#
# A benchmark, not a test: timings drift within a boot (5-10 % changes need several pairs, or the JIT counts).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ ${1:-} != --inside ]]; then
    [[ -f ${1:-}/IpvsTools.psd1 && -f ${2:-}/IpvsTools.psd1 ]] || { echo "package-ab.sh: give two module folders (each with IpvsTools.psd1)" >&2; exit 2; }
    a=$(realpath "$1") b=$(realpath "$2")
    [[ $a != /tmp/* && $b != /tmp/* ]] || { echo "package-ab.sh: the lab has a fresh /tmp: keep the folders elsewhere" >&2; exit 2; }
    exec flock /tmp/ipvstools-lab-run.lock bash "$root/tests/lab/lab.sh" run --timeout 2400 --env "AB_A=$a" --env "AB_B=$b" -- \
        bash "$root/tests/bench/package-ab.sh" --inside "${3:-5000}" "${4:-10}" "${5:-3}"
fi
services=$2 destinations=$3 pairs=$4
snapshot=/tmp/package-ab.json
python3 "$root/tests/bench/kube-snapshot.py" "$services" "$destinations" "$snapshot" || exit 1
ip netns add package-ab && ip -n package-ab link set lo up || exit 1
body='
$sync = @{ Path = "'"$snapshot"'"; NodeName = "node-0"; NodeAddress = "172.18.0.3"; NetworkNamespace = "package-ab"; Confirm = $false }
function T([scriptblock]$b) { (Measure-Command $b).TotalSeconds }
function J { [System.Runtime.JitInfo]::GetCompiledMethodCount() }
$j0 = J; $i = T { Import-Module "$env:AB_MODULE/IpvsTools.psd1" }
$j1 = J; $l = T { $null = Get-IpvsService -NetworkNamespace package-ab }
$j2 = J; $s1 = T { Sync-KubeIpvs @sync | Out-Null }
$j3 = J; $s2 = T { Sync-KubeIpvs @sync | Out-Null }
$j4 = J; $s3 = T { Sync-KubeIpvs @sync | Out-Null }
$j5 = J
"{0} import {1,5:F2} s ({2} compiled)  first list {3,5:F2} s ({4})  no-op syncs {5,5:F2} s ({6}), {7,5:F2} s ({8}), {9,5:F2} s ({10})" -f $env:AB_NAME, $i, ($j1-$j0), $l, ($j2-$j1), $s1, ($j3-$j2), $s2, ($j4-$j3), $s3, ($j5-$j4)
'
echo "package-ab: $services services x $destinations real servers; A = $AB_A, B = $AB_B"
AB_MODULE=$AB_A /opt/ipvstools/pwsh/pwsh -NoProfile -NonInteractive -Command 'Import-Module "$env:AB_MODULE/IpvsTools.psd1"; Sync-KubeIpvs -Path '"$snapshot"' -NodeName node-0 -NodeAddress 172.18.0.3 -NetworkNamespace package-ab -Confirm:$false | Out-Null' || exit 1
for ((r = 1; r <= pairs; r++)); do
    AB_NAME=A AB_MODULE=$AB_A /opt/ipvstools/pwsh/pwsh -NoProfile -NonInteractive -Command "$body"
    AB_NAME=B AB_MODULE=$AB_B /opt/ipvstools/pwsh/pwsh -NoProfile -NonInteractive -Command "$body"
done
for r in 1 2; do start=$(date +%s.%N); ip netns exec package-ab ipvsadm -Sn >/dev/null; echo "ipvsadm -Sn: $(echo "$(date +%s.%N) - $start" | bc) s"; done
start=$(date +%s.%N); ip netns exec package-ab ipvsadm -Ln >/dev/null; echo "ipvsadm -Ln: $(echo "$(date +%s.%N) - $start" | bc) s"
