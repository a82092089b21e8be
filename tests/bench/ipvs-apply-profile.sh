#!/usr/bin/env bash
# Benchmark (not a test): where Import-IpvsConfig's time goes. S services with D real servers each as an
# `ipvsadm -R` file, in a throwaway namespace: ipvsadm -R of it, the engine's steps one by one
# (IpvsTools.Benchmarks ipvs-apply: read, parse, check, the ShouldProcess words, ApplyAll, flush; wall,
# user, sys, allocations and GCs of each), then Import-IpvsConfig itself in the hosted engine (a warm-up
# run on a small file first); what the cmdlet takes beyond the engine's steps is the hosted engine's
# ShouldProcess and the cmdlet's own work. IPVS needs the lab kernel: from the repository root, after
# building,
#
#     bash tests/lab/lab.sh run --mem 3072 -- bash tests/bench/ipvs-apply-profile.sh [S] [D]   # default 2000 10
#
# Only ratios measured in one run mean anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
s=${1:-2000}
d=${2:-10}
ns=ipvstools-apply-$$
work=$(mktemp -d /tmp/ipvstools-apply-XXXXXX)
trap 'ip netns delete "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
python3 tests/bench/ipvs-table.py "$s" "$d" > "$work/table.rules"
python3 tests/bench/ipvs-table.py 50 "$d" > "$work/warm.rules"
echo "apply profile: $s services x $d real servers ($(wc -l < "$work/table.rules") lines); kernel $(uname -r), $(nproc) vCPUs"
for r in 1 2; do
    t=$( { TIMEFORMAT='%R s wall, user %U s, sys %S s'; time ip netns exec "$ns" sh -c 'exec ipvsadm -R < "$0"' "$work/table.rules"; } 2>&1 )
    echo "ipvsadm -R: $t"
    ip netns exec "$ns" ipvsadm -C
done
ip netns exec "$ns" dotnet tests/IpvsTools.Benchmarks/bin/Release/net10.0/IpvsTools.Benchmarks.dll ipvs-apply "$work/table.rules" 2
dotnet tests/IpvsTools.Shell/bin/Release/net10.0/ipvstools-shell.dll -Module "$PWD/out/IpvsTools/IpvsTools.psd1" -Command "
function Cpu { \$f = [IO.File]::ReadAllText('/proc/self/stat'); \$f = \$f.Substring(\$f.LastIndexOf(')') + 2).Split(' '); @(([double]\$f[11] / 100), ([double]\$f[12] / 100)) }
foreach (\$w in 1..2) { Import-IpvsConfig '$work/warm.rules' -NetworkNamespace $ns; Clear-IpvsService -NetworkNamespace $ns -Confirm:\$false }
foreach (\$r in 1..2) {
    [GC]::Collect(); \$g = [GC]::CollectionCount(0); \$c0 = Cpu; \$sw = [Diagnostics.Stopwatch]::StartNew()
    Import-IpvsConfig '$work/table.rules' -NetworkNamespace $ns
    \$t = \$sw.Elapsed.TotalSeconds; \$c1 = Cpu
    'Import-IpvsConfig: {0:F2} s wall, user {1:F2} s, sys {2:F2} s, gen0 GCs {3}' -f \$t, (\$c1[0] - \$c0[0]), (\$c1[1] - \$c0[1]), ([GC]::CollectionCount(0) - \$g)
    Clear-IpvsService -NetworkNamespace $ns -Confirm:\$false
}"
