#!/usr/bin/env bash
# The parts of the node read a no-op Sync-KubeIpvs waits for (issue 19, item 4), each timed alone in one real pwsh
# with the module from its package: kube-ipvs0 and the addresses, the IPVS table with its real servers, every
# set, iptables' version and save of both families, a child process from pwsh, then the no-op sync itself. In
# the lab, as root, after `dotnet build -c Release` and `pwsh ./build.ps1 -Task Package -NoBuild`:
#
#     tests/bench/node-read-parts.sh [SERVICES] [DESTINATIONS] [ROUNDS]      # default 5000 x 10, 4 rounds
#
# A benchmark, not a test: only figures within one run compare.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ ${1:-} != --inside ]]; then
    version=$(ls "$root/out/package/IpvsTools" 2>/dev/null | sort -V | tail -n 1)
    [[ -n $version ]] || { echo "node-read-parts.sh: no out/package/IpvsTools: pwsh ./build.ps1 -Task Package -NoBuild" >&2; exit 2; }
    exec flock /tmp/ipvstools-lab-run.lock bash "$root/tests/lab/lab.sh" run --timeout 2400 \
        --env "IPVSTOOLS_BENCH_MODULE=$root/out/package/IpvsTools/$version/IpvsTools.psd1" --env "PARTS_ROUNDS=${3:-4}" -- \
        bash "$root/tests/bench/node-read-parts.sh" --inside "${1:-5000}" "${2:-10}"
fi
snapshot=/tmp/node-read-parts.json
python3 "$root/tests/bench/kube-snapshot.py" "$2" "$3" "$snapshot" || exit 1
ip netns add node-read-parts && ip -n node-read-parts link set lo up || exit 1
echo "node-read-parts: $2 services x $3 real servers"
NO_COLOR=1 /opt/ipvstools/pwsh/pwsh -NoProfile -NonInteractive -Command '
Import-Module $env:IPVSTOOLS_BENCH_MODULE
$sync = @{ Path = "'"$snapshot"'"; NodeName = "node-0"; NodeAddress = "172.18.0.3"; NetworkNamespace = "node-read-parts"; Confirm = $false }
Sync-KubeIpvs @sync | Out-Null
$ns = [IpvsTools.Namespaces.NetworkNamespace]::Resolve("node-read-parts")
function T($name, [scriptblock]$b) { $t = (Measure-Command $b).TotalSeconds; "  {0,-28} {1,6:F3} s" -f $name, $t }
foreach ($r in 1..$env:PARTS_ROUNDS) {
    "round $r"
    [GC]::Collect()
    T "ReadTables (links, IPVS, sets)" { $null = [IpvsTools.KubeProxy.IpvsMode.KubeNodeReader]::ReadTables($ns) }
    T "IPVS with real servers" { $c = [IpvsTools.Ipvs.IpvsClient]::Open($ns); $null = $c.GetServices($true); $c.Dispose() }
    T "every set" { $c = [IpvsTools.Ipsets.IpsetClient]::Open($ns); $null = $c.List(); $c.Dispose() }
    T "addresses" { $null = [IpvsTools.KubeProxy.IpvsMode.KubeNodeReader]::LocalAddresses($ns) }
    T "iptables Open IPv4" { $script:c4 = [IpvsTools.Iptables.IptablesClient]::Open("IPv4", $null, $ns) }
    T "iptables-save IPv4" { $null = $c4.Read() }
    T "iptables Open IPv6" { $script:c6 = [IpvsTools.Iptables.IptablesClient]::Open("IPv6", $null, $ns) }
    T "ip6tables-save IPv6" { $null = $c6.Read() }
    T "no-op Sync-KubeIpvs" { Sync-KubeIpvs @sync | Out-Null }
    T "child: /bin/true" { $p = [System.Diagnostics.Process]::Start("/bin/true"); $p.WaitForExit() }
    T "child: nsenter /bin/true" { $p = [System.Diagnostics.Process]::Start("nsenter", "--net=/run/netns/node-read-parts -- /bin/true"); $p.WaitForExit() }
}'
start=$(date +%s.%N)
ip netns exec node-read-parts ipvsadm -Sn >/dev/null
echo "ipvsadm -Sn: $(echo "$(date +%s.%N) - $start" | bc) s"
