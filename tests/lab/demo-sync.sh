#!/usr/bin/env bash
# The main job in one command: boots the kernel lab, makes its network namespace look like a kind
# worker node (eth0 with the node address 172.18.0.3), syncs the sample cluster snapshot
# tests/Shared/Snapshots/kind-cluster.yaml into it with Sync-KubeIpvs (what kube-proxy's IPVS mode
# would program), prints the module's tables of the result (Get-IpvsService, Get-KubeIpset) and
# shows that a second sync has nothing to write. Needs root; on a fresh machine the lab installs its
# packages and downloads its kernel.
#
#     bash tests/lab/demo-sync.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
((EUID == 0)) || { echo "demo: run as root (the lab boots a kernel under QEMU)" >&2; exit 1; }

shell=tests/IpvsTools.Shell/bin/Release/net10.0/ipvstools-shell.dll
if [[ ! -f out/IpvsTools/IpvsTools.psd1 || ! -f $shell ]]; then
    echo "demo: building (dotnet build -c Release)" >&2
    dotnet build -c Release -nologo -v quiet IpvsTools.slnx >&2
fi

exec bash tests/lab/lab.sh run --timeout 900 -- bash -c '
set -e
ip link add eth0 type dummy
ip addr add 172.18.0.3/16 dev eth0
ip link set eth0 up
snapshot=tests/Shared/Snapshots/kind-cluster.yaml
echo "== Sync-KubeIpvs -Path $snapshot -NodeName kind-worker =="
dotnet "$0" -Width 150 -Command "\$c = @(Sync-KubeIpvs -Path $snapshot -NodeName kind-worker -Confirm:\$false); \"{0} kernel writes made\" -f \$c.Count"
echo "== Get-IpvsService =="
dotnet "$0" -Width 150 -Command "Get-IpvsService"
echo "== Get-KubeIpset =="
dotnet "$0" -Width 150 -Command "Get-KubeIpset"
echo "== a second Sync-KubeIpvs writes nothing =="
dotnet "$0" -Width 150 -Command "\$c = @(Sync-KubeIpvs -Path $snapshot -NodeName kind-worker -Confirm:\$false); \"{0} writes\" -f \$c.Count"
' "$shell"
