#!/usr/bin/env bash
# Benchmark (not a test): the ipset write cmdlets against the ipset tool on N hash:ip,port members,
# in a throwaway network namespace. Run as root from the repository root after building:
#
#     bash tests/bench/ipset-writes.sh [N]      # default 60000
#
# Prints one line per operation and round; only ratios measured in one run mean anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-60000}
ns=ipvstools-bench-$$
work=$(mktemp -d /tmp/ipvstools-bench-XXXXXX)
trap 'ip netns delete "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
python3 - "$n" > "$work/big.restore" <<'PY'
import sys
n = int(sys.argv[1])
print("create BIGT hash:ip,port hashsize 65536 maxelem 1000000")
for i in range(n): print(f"add BIGT 10.{100 + i // 65536}.{i // 256 % 256}.{i % 256},tcp:80")
PY
for r in 1 2 3; do
    start=$(date +%s.%N); ip netns exec "$ns" ipset restore -file "$work/big.restore"; end=$(date +%s.%N)
    printf 'ipset restore %d: %.2f s\n' "$n" "$(echo "$end - $start" | bc)"
    start=$(date +%s.%N); ip netns exec "$ns" ipset save > /dev/null; end=$(date +%s.%N)
    printf 'ipset save %d: %.2f s\n' "$n" "$(echo "$end - $start" | bc)"
    ip netns exec "$ns" ipset destroy
done
dotnet tests/IpvsTools.Shell/bin/Release/net10.0/ipvstools-shell.dll -Command "
\$ns = '$ns'; \$n = $n; \$file = '$work/big.restore'
\$m = foreach (\$i in 0..(\$n - 1)) { \"10.\$(100 + [math]::Floor(\$i / 65536)).\$([math]::Floor(\$i / 256) % 256).\$(\$i % 256),tcp:80\" }
function T([string]\$what, [scriptblock]\$block) { \$sw = [Diagnostics.Stopwatch]::StartNew(); \$null = & \$block; '{0} {1}: {2:0.00} s' -f \$what, \$n, \$sw.Elapsed.TotalSeconds }
foreach (\$r in 1..3) {
  New-Ipset BIG hash:ip,port -HashSize 65536 -MaxElements 1000000 -NetworkNamespace \$ns
  T 'Add-IpsetMember (one array)' { Add-IpsetMember BIG \$m -NetworkNamespace \$ns }
  T 'Test-IpsetMember' { Test-IpsetMember BIG \$m -NetworkNamespace \$ns }
  T 'Export-Ipset' { Export-Ipset BIG -NetworkNamespace \$ns }
  T 'Remove-IpsetMember' { Remove-IpsetMember BIG \$m -NetworkNamespace \$ns }
  T 'Add-IpsetMember (piped)' { \$m | Add-IpsetMember -Name BIG -NetworkNamespace \$ns }
  Remove-Ipset BIG -NetworkNamespace \$ns -Confirm:\$false
  T 'Import-Ipset' { Import-Ipset \$file -NetworkNamespace \$ns }
  Remove-Ipset BIGT -NetworkNamespace \$ns -Confirm:\$false
}"
