#!/usr/bin/env bash
# Benchmark (not a test): what reading a quiet IPVS table costs. S services with D real servers each,
# in a throwaway namespace: ipvsadm -Ln against Get-IpvsService, and the engine's service-only listing
# (IpvsClient.GetServices($false): the service dump, read twice when it spans several datagrams, so
# its half is what the second reading adds to a listing). IPVS needs the lab kernel: from the
# repository root, after building,
#
#     bash tests/lab/lab.sh run -- bash tests/bench/ipvs-listing.sh [S] [D]     # default 10000 10
#
# Prints one line per operation and round; only ratios measured in one run mean anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
s=${1:-10000}
d=${2:-10}
ns=ipvstools-bench-$$
work=$(mktemp -d /tmp/ipvstools-bench-XXXXXX)
trap 'ip netns delete "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
python3 tests/bench/ipvs-table.py "$s" "$d" > "$work/table.rules"
ip netns exec "$ns" sh -c 'exec ipvsadm -R < "$0"' "$work/table.rules"
for r in 1 2 3; do
    start=$(date +%s.%N); ip netns exec "$ns" ipvsadm -Ln > /dev/null; end=$(date +%s.%N)
    printf 'ipvsadm -Ln %dx%d: %.2f s\n' "$s" "$d" "$(echo "$end - $start" | bc)"
done
dotnet tests/IpvsTools.Shell/bin/Release/net10.0/ipvstools-shell.dll -Command "
\$ns = '$ns'; \$size = '${s}x${d}'
function T([string]\$what, [scriptblock]\$block) { \$sw = [Diagnostics.Stopwatch]::StartNew(); \$n = @(& \$block).Count; '{0} {1}: {2:0.00} s ({3} objects)' -f \$what, \$size, \$sw.Elapsed.TotalSeconds, \$n }
\$client = [IpvsTools.Ipvs.IpvsClient]::Open([IpvsTools.Netlink.NetworkNamespace]::Resolve(\$ns))
foreach (\$r in 1..3) {
  T 'IpvsClient.GetServices(\$false), two service dumps' { \$client.GetServices(\$false) }
  T 'IpvsClient.GetServices(\$true)' { \$client.GetServices(\$true) }
  T 'Get-IpvsService' { Get-IpvsService -NetworkNamespace \$ns }
}
\$client.Dispose()"
