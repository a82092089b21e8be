#!/usr/bin/env bash
# A measurement (not a test): what a user waits for in real pwsh 7.6, each in a fresh process, on the host
# and in the kernel lab:
#   start       from the process's start to its first statement (pwsh -NoProfile -Command)
#   import      Import-Module IpvsTools, by name, from an installed copy of out/package/IpvsTools
#   first-call  the first cmdlet after the import: Get-Ipset on the host (a throwaway namespace with one
#               set of 100 members), Get-IpvsService in the lab (a namespace with 10 services x 3 real servers)
# Prints one line per run and then `pwsh-ms WHERE WHAT MEDIAN` lines (medians of --runs, default 5, on the
# host and --lab-runs, default 3, in the lab).
# As root, after `pwsh ./build.ps1 -Task Package` (or tests/pwsh/run.sh, which runs it):
#
#     bash tests/bench/pwsh-startup.sh [--runs N] [--lab-runs N] [--no-lab]
#
# Times under the lab's emulation (QEMU TCG) are 10-30x the host's and depend on whatever else runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
runs=5
lab_runs=3
lab=1
inside=
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --lab-runs) lab_runs=$2; shift 2 ;;
        --no-lab) lab=0; shift ;;
        --inside) inside=$2; shift 2 ;;
        *) echo "usage: pwsh-startup.sh [--runs N] [--no-lab]" >&2; exit 2 ;;
    esac
done
PWSH=/opt/ipvstools/pwsh/pwsh
[[ -x $PWSH ]] || { echo "pwsh-startup.sh: no $PWSH: run bash tests/pwsh/install.sh" >&2; exit 1; }

# measure WHERE MODULES NS FIRSTCALL: prints "run WHERE start import first-call" lines, N times.
measure() {
    local where=$1 modules=$2 ns=$3 first=$4 i
    for ((i = 1; i <= runs; i++)); do
        PSModulePath=$modules "$PWSH" -NoLogo -NoProfile -NonInteractive -Command "
            \$start = ([datetime]::Now - [System.Diagnostics.Process]::GetCurrentProcess().StartTime).TotalMilliseconds
            \$ErrorActionPreference = 'Stop'
            \$sw = [System.Diagnostics.Stopwatch]::StartNew()
            Import-Module IpvsTools
            \$import = \$sw.Elapsed.TotalMilliseconds
            \$sw.Restart()
            \$null = $first -NetworkNamespace $ns
            \$call = \$sw.Elapsed.TotalMilliseconds
            'run $where {0:0} {1:0} {2:0}' -f \$start, \$import, \$call"
    done
}

summarize() { # medians per WHERE and WHAT of the "run WHERE start import first-call" lines
    local file=$1 where col name n
    for where in $(awk '$1 == "run" { print $2 }' "$file" | sort -u); do
        col=3
        for name in start import first-call; do
            n=$(awk -v w="$where" '$1 == "run" && $2 == w' "$file" | wc -l)
            echo "pwsh-ms $where $name $(awk -v w="$where" -v c="$col" '$1 == "run" && $2 == w { print $c }' "$file" | sort -n | sed -n "$(((n + 1) / 2))p")"
            col=$((col + 1))
        done
    done
}

if [[ $inside == lab ]]; then
    ns=ivt-bench-pwsh
    ip netns add "$ns"; ip -n "$ns" link set lo up
    for s in $(seq 1 10); do
        echo "-A -t 10.96.0.$s:80 -s rr"
        for d in 1 2 3; do echo "-a -t 10.96.0.$s:80 -r 10.244.$s.$d:8080 -m -w 1"; done
    done | ip netns exec "$ns" ipvsadm -R
    measure lab "$IPVSTOOLS_BENCH_MODULES" "$ns" Get-IpvsService
    ip netns delete "$ns"
    exit 0
fi

((EUID == 0)) || { echo "pwsh-startup.sh: run as root" >&2; exit 1; }
version=$(ls "$root/out/package/IpvsTools" | sort -V | tail -1)
[[ -n $version ]] || { echo "pwsh-startup.sh: no out/package/IpvsTools: run pwsh ./build.ps1 -Task Package" >&2; exit 1; }
modules=$(mktemp -d /tmp/ipvstools-bench-modules-XXXXXX)
chmod 0755 "$modules"
trap 'rm -rf "$modules"; ip netns delete ivt-bench-pwsh-host 2>/dev/null || true' EXIT
mkdir -p "$modules/IpvsTools" && cp -r "$root/out/package/IpvsTools/$version" "$modules/IpvsTools/"
export HOME=$modules/home POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1 NO_COLOR=1
mkdir -p "$HOME"
ns=ivt-bench-pwsh-host
ip netns add "$ns"; ip -n "$ns" link set lo up
{ echo "create BENCH hash:ip family inet"; for i in $(seq 1 100); do echo "add BENCH 10.0.0.$i"; done; } | ip netns exec "$ns" ipset restore
out=$(mktemp)
measure host "$modules" "$ns" Get-Ipset | tee "$out"
if ((lab)); then
    # The lab's /tmp is its own tmpfs: hand the installed copy over through the work share.
    work=$(mktemp -d /tmp/ipvstools-bench-lab-XXXXXX)
    cp -r "$modules/IpvsTools" "$work/"
    flock /tmp/ipvstools-lab-run.lock bash tests/lab/lab.sh run --timeout 1500 --work "$work" \
        --env IPVSTOOLS_BENCH_MODULES=/run/lab/work --env NO_COLOR=1 --env POWERSHELL_UPDATECHECK=Off -- \
        bash tests/bench/pwsh-startup.sh --runs "$lab_runs" --inside lab | tee -a "$out"
    rm -rf "$work"
fi
summarize "$out"
rm -f "$out"
