#!/usr/bin/env bash
# Benchmark (not a test): Import-IpvsConfig and Export-IpvsConfig against ipvsadm -R and -Sn, and a drain
# of every real server through the pipeline, on S services with D real servers each, in a throwaway
# network namespace. IPVS needs the lab kernel: from the repository root, after building,
#
#     bash tests/lab/lab.sh run -- bash tests/bench/ipvs-save-restore.sh [S] [D]     # default 1000 10
#
# Prints one line per operation and round; only ratios measured in one run mean anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
s=${1:-1000}
d=${2:-10}
ns=ipvstools-bench-$$
work=$(mktemp -d /tmp/ipvstools-bench-XXXXXX)
trap 'ip netns delete "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
python3 tests/bench/ipvs-table.py "$s" "$d" > "$work/table.rules"
t() { local what=$1; shift; local start end; start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N); printf '%s %dx%d: %.2f s\n' "$what" "$s" "$d" "$(echo "$end - $start" | bc)"; }
for r in 1 2 3; do
    t 'ipvsadm -R' ip netns exec "$ns" sh -c 'exec ipvsadm -R < "$0"' "$work/table.rules"
    t 'ipvsadm -Sn' ip netns exec "$ns" ipvsadm -Sn
    ip netns exec "$ns" ipvsadm -C
done
dotnet tests/IpvsTools.Shell/bin/Release/net10.0/ipvstools-shell.dll -Command "
\$ns = '$ns'; \$file = '$work/table.rules'; \$size = '${s}x${d}'
function T([string]\$what, [scriptblock]\$block) { \$sw = [Diagnostics.Stopwatch]::StartNew(); \$null = & \$block; '{0} {1}: {2:0.00} s' -f \$what, \$size, \$sw.Elapsed.TotalSeconds }
foreach (\$r in 1..3) {
  T 'Import-IpvsConfig' { Import-IpvsConfig \$file -NetworkNamespace \$ns }
  T 'Export-IpvsConfig' { Export-IpvsConfig -NetworkNamespace \$ns }
  T 'Get-IpvsDestination | Set-IpvsDestination -Weight 0' { Get-IpvsDestination -NetworkNamespace \$ns | Set-IpvsDestination -Weight 0 }
  Clear-IpvsService -NetworkNamespace \$ns -Confirm:\$false
}"
