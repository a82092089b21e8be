#!/usr/bin/env bash
# The one-command demo: boots the kernel lab, creates a small sample IPVS table (a cluster DNS
# service, an API server service, a NodePort with session affinity, a fwmark service), and prints it
# twice: through the module (Get-IpvsService, its default table view) and through ipvsadm -Ln for
# comparison. Needs root; on a fresh machine the lab installs its packages and downloads its kernel.
#
#     bash tests/lab/demo.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
((EUID == 0)) || { echo "demo: run as root (the lab boots a kernel under QEMU)" >&2; exit 1; }

shell=tests/IpvsTools.Shell/bin/Release/net10.0/ipvstools-shell.dll
if [[ ! -f out/IpvsTools/IpvsTools.psd1 || ! -f $shell ]]; then
    echo "demo: building (dotnet build -c Release)" >&2
    dotnet build -c Release -nologo -v quiet IpvsTools.slnx >&2
fi

table='-A -t 10.96.0.1:443 -s rr
-a -t 10.96.0.1:443 -r 172.18.0.2:6443 -m -w 1
-A -u 10.96.0.10:53 -s rr
-a -u 10.96.0.10:53 -r 10.244.0.2:53 -m -w 1
-a -u 10.96.0.10:53 -r 10.244.0.3:53 -m -w 1
-A -t 10.96.0.10:53 -s rr
-a -t 10.96.0.10:53 -r 10.244.0.2:53 -m -w 1
-a -t 10.96.0.10:53 -r 10.244.0.3:53 -m -w 0
-A -t 172.18.0.2:30080 -s sh -b sh-fallback,sh-port -p 10800
-a -t 172.18.0.2:30080 -r 10.244.1.7:8080 -m -w 1
-A -f 100 -s wrr
-a -f 100 -r 10.244.2.9:0 -m -w 2
'

exec bash tests/lab/lab.sh run --timeout 600 --env "DEMO_TABLE=$table" -- bash -c '
set -e
printf "%s" "$DEMO_TABLE" | ipvsadm -R
echo "== Get-IpvsService (IpvsTools, read over netlink) =="
dotnet "$0" -Width 150 -Command "Get-IpvsService"
echo "== ipvsadm -Ln, for comparison =="
ipvsadm -Ln
' "$shell"
