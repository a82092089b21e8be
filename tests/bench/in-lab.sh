#!/usr/bin/env bash
# The inside of tests/bench/run: runs in the kernel lab (IPVSTOOLS_LAB=1), as root, from the repository root.
#     bash tests/bench/in-lab.sh SERVICES DESTINATIONS MEMBERS [ROWS]
# ROWS: "all" (the default) or row names, comma-separated (list,apply,...): only those rows are measured.
# Every measurement uses its own network namespace; a namespace is flushed before the next measurement, so
# each side meets the same kernel (6.1 keeps every namespace's IPVS services in one table).
set -euo pipefail
[[ ${IPVSTOOLS_LAB:-} == 1 ]] || { echo "in-lab.sh runs inside the lab: use tests/bench/run" >&2; exit 2; }
services=$1 destinations=$2 members=$3 rows=${4:-all}
# wants ROW: whether that row is measured in this run.
wants() { [[ $rows == all || ,$rows, == *,$1,* ]]; }
root=$(pwd)
shell=(dotnet "$root/tests/IpvsTools.Shell/bin/Release/net10.0/ipvstools-shell.dll" -Module "$root/out/IpvsTools/IpvsTools.psd1" -Command)
# The real-pwsh rows (IPVSTOOLS_BENCH_PWSH=1, set by tests/bench/run unless --no-pwsh): pwsh 7.6 as installed
# (tests/pwsh/install.sh), the module as users install it (build.ps1 -Task Package: ReadyToRun images), and for
# one comparison row the IL-only layout of dotnet build (out/IpvsTools).
pwsh_rows=${IPVSTOOLS_BENCH_PWSH:-0}
pwsh=${IPVSTOOLS_PWSH:-/opt/ipvstools/pwsh/pwsh}
package=${IPVSTOOLS_BENCH_PACKAGE:-}
if ((pwsh_rows)); then
    [[ -x $pwsh && -f $package/IpvsTools.psd1 ]] || { echo "in-lab.sh: the real-pwsh rows need $pwsh and the package's IpvsTools.psd1 (got '$package')" >&2; exit 2; }
fi
work=$(mktemp -d /tmp/bench-XXXXXX)
results=$work/results
: > "$results"
namespaces=(bench-warm bench-tool bench-mod bench-set bench-sync bench-sync-tool)
cleanup() { for ns in "${namespaces[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT
for ns in "${namespaces[@]}"; do ip netns add "$ns"; ip netns exec "$ns" ip link set lo up; done
say() { printf '%s\n' "$*" >&2; }

# --- data -------------------------------------------------------------------------------------------
python3 "$root/tests/bench/ipvs-table.py" "$services" "$destinations" 10.96 > "$work/table.rules"
python3 "$root/tests/bench/ipvs-table.py" 50 "$destinations" 10.97 > "$work/warm.rules"
python3 - "$work" "$members" <<'PY'
import sys
work, m = sys.argv[1], int(sys.argv[2])
def member(i): return f"10.{100 + i // 65536}.{i // 256 % 256}.{i % 256},tcp:{80 + i % 7}"
with open(f"{work}/members", "w") as f:
    for i in range(m): f.write(member(i) + "\n")
with open(f"{work}/warm-members", "w") as f:
    for i in range(200): f.write(member(i) + "\n")
with open(f"{work}/set.restore", "w") as f:
    for i in range(m): f.write(f"add BIG {member(i)}\n")
PY
ops=$(wc -l < "$work/table.rules")
ip netns exec bench-warm sh -c 'exec ipvsadm -R < "$0"' "$work/warm.rules"
ip netns exec bench-warm ipset create WARM hash:ip,port
ip netns exec bench-warm ipset create WARMADD hash:ip,port
ip netns exec bench-warm sh -c 'sed "s/^/add WARM /" "$0" | ipset restore' "$work/warm-members"

# --- the tools ----------------------------------------------------------------------------------------
# tool NAME COMMAND...: times one run of a C tool (wall, user, sys seconds) into $work/tool-NAME.
tool() {
    local name=$1 t
    shift
    t=$( { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2>> "$work/tool-errors"; } 2>&1 )
    echo "$t" >> "$work/tool-$name"
    say "  $name (tool): $t"
}
best() { sort -n "$1" | head -n 1; }   # the fastest of a measurement's rounds

# module NAME SCRIPT: runs SCRIPT in a fresh hosted PowerShell with the module imported; the script's
# lines "result NAME WALL USER SYS PEAKMB" and "check ..." are collected.
module() {
    local name=$1 script=$2 out
    out=$("${shell[@]}" "$prelude
$script" 2>&1) || true
    grep -E '^(result|check|info) ' <<< "$out" >> "$results" || true
    grep -E '^(result|check|info) ' <<< "$out" | sed 's/^/  /' >&2 || true
    if ! grep -q "^result $name " <<< "$out"; then
        say "  $name (module) did not finish:"
        sed 's/^/    /' <<< "$out" >&2
        echo "failed $name" >> "$results"
    fi
}
# pwsh_row NAME PSD1 SCRIPT: the module as users run it: one fresh real pwsh process (pwsh -NoProfile -Command)
# imports PSD1 and runs SCRIPT, whose lines "pwsh NAME KEY VALUE" (first: the first call of the session, warm: a
# later one, seconds by Stopwatch inside pwsh, output to $null) and "check ..." are collected; "pwsh NAME whole S"
# is the whole process's wall time (pwsh's start, Import-Module, SCRIPT and exit), timed from outside.
# The runtime compiles hot methods again, optimized, on a background thread (tiered compilation); under
# emulation that thread stays busy for a minute or more, while the code waiting for it runs unoptimized. A
# warmed session is one whose compiler has gone quiet: Settle waits for that (at most 3 minutes).
settle='
function JitSeconds { foreach ($d in [IO.Directory]::GetDirectories("/proc/self/task")) { $t = [IO.File]::ReadAllText("$d/stat"); if ($t.Contains("(.NET Tiered Com")) { $f = $t.Substring($t.LastIndexOf(")") + 2).Split(" "); return [double]$f[11] / 100 + [double]$f[12] / 100 } }; 0 }
function Settle([string]$name) {
    $w = [Diagnostics.Stopwatch]::StartNew()
    do { $a = JitSeconds; [Threading.Thread]::Sleep(2000); $b = JitSeconds } while ($b - $a -gt 0.05 -and $w.Elapsed.TotalSeconds -lt 180)
    "info jit-settled {0} after {1:F0} s" -f $name, $w.Elapsed.TotalSeconds
}'
pwsh_prelude="$settle"'
$ErrorActionPreference = "Stop"
function T([scriptblock]$b) { $w = [Diagnostics.Stopwatch]::StartNew(); $null = & $b; $w.Elapsed.TotalSeconds }
function Jit { "{0} methods, {1:F2} s" -f [System.Runtime.JitInfo]::GetCompiledMethodCount($false), [System.Runtime.JitInfo]::GetCompilationTime($false).TotalSeconds }
function Peak { foreach ($l in [IO.File]::ReadAllLines("/proc/self/status")) { if ($l.StartsWith("VmHWM:")) { return [math]::Round(([double]$l.Substring(6).Trim().Split(" ")[0]) / 1024) } } }'
pwsh_row() {
    local name=$1 psd1=$2 script=$3 t out=$work/pwsh-$1
    t=$( { TIMEFORMAT='%R'; time "$pwsh" -NoProfile -NonInteractive -Command "$pwsh_prelude
\$started = ([datetime]::Now - [Diagnostics.Process]::GetCurrentProcess().StartTime).TotalSeconds
\$jit = Jit
\$import = T { Import-Module '$psd1' }
'info $name pwsh started in {0:F2} s (JIT before the first statement: {1}); Import-Module {2:F2} s, JIT then {3}' -f \$started, \$jit, \$import, (Jit)
'pwsh $name import {0:F3}' -f \$import
$script" > "$out" 2>&1; } 2>&1 ) || true
    echo "pwsh $name whole $t" >> "$results"
    grep -E '^(pwsh|check|info) ' "$out" >> "$results" || true
    grep -E '^(pwsh|check|info) ' "$out" | sed 's/^/  /' >&2 || true
    if ! grep -q "^pwsh $name first " "$out"; then
        say "  $name (real pwsh) did not finish:"
        sed 's/^/    /' "$out" >&2
        echo "failed $name" >> "$results"
    fi
    say "  $name: whole pwsh process $t s"
}

# Bench NAME WARM WORK ROUNDS: runs WARM twice (JIT, caches), then WORK ROUNDS times; prints the
# fastest round with its process user and kernel seconds (/proc/self/stat) and the process's VmHWM.
prelude="$settle"'
function Cpu { $f = [IO.File]::ReadAllText("/proc/self/stat"); $f = $f.Substring($f.LastIndexOf(")") + 2).Split(" "); $u = [double]$f[11] / 100; $k = [double]$f[12] / 100; @($u, $k) }
function Peak { foreach ($l in [IO.File]::ReadAllLines("/proc/self/status")) { if ($l.StartsWith("VmHWM:")) { return [math]::Round(([double]$l.Substring(6).Trim().Split(" ")[0]) / 1024) } } }
function Bench([string]$name, [scriptblock]$warm, [scriptblock]$work, [int]$rounds) {
    if ($warm) { $null = & $warm; $null = & $warm; Settle $name; $null = & $warm }
    $best = [double]::MaxValue
    foreach ($r in 1..$rounds) {
        $script:out = $null
        [GC]::Collect()
        $c0 = Cpu; $sw = [Diagnostics.Stopwatch]::StartNew()
        $script:out = & $work
        $t = $sw.Elapsed.TotalSeconds; $c1 = Cpu
        if ($t -lt $best) { $best = $t; $u = $c1[0] - $c0[0]; $s = $c1[1] - $c0[1] }
    }
    "result {0} {1:F2} {2:F2} {3:F2} {4}" -f $name, $best, $u, $s, (Peak)
}'

say "bench: $services services x $destinations real servers ($ops lines), $members ipset members; kernel $(uname -r), $(nproc) vCPUs (QEMU TCG), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"

# --- apply and list -----------------------------------------------------------------------------------
say "apply: ipvsadm -R, then list: ipvsadm -Sn"
if wants apply; then
    tool apply ip netns exec bench-tool sh -c 'exec ipvsadm -R < "$0"' "$work/table.rules"
else
    ip netns exec bench-tool sh -c 'exec ipvsadm -R < "$0"' "$work/table.rules"
fi
if wants list; then
tool list ip netns exec bench-tool ipvsadm -Sn
tool list ip netns exec bench-tool ipvsadm -Sn
say "list: Get-IpvsService"
# The first listing of a fresh process is reported apart (info list-first: the JIT compiles as it goes);
# the measured rounds follow two warm-up listings of the same table.
module list "
\$n = 0
\$sw = [Diagnostics.Stopwatch]::StartNew(); \$null = Get-IpvsService -NetworkNamespace bench-tool
'info list-first {0:F2} s (the first Get-IpvsService of a fresh process)' -f \$sw.Elapsed.TotalSeconds
Bench list { Get-IpvsService -NetworkNamespace bench-tool } { Get-IpvsService -NetworkNamespace bench-tool } 3
foreach (\$s in \$script:out) { \$n += \$s.Destinations.Count }
'check list-count {0} services {1} real servers' -f @(\$script:out).Count, \$n"
tool list ip netns exec bench-tool ipvsadm -Sn
fi
if wants list && ((pwsh_rows)); then
    say "list-pwsh: Get-IpvsService in real pwsh (fresh process, then warm), ipvsadm -Ln"
    tool list-ln ip netns exec bench-tool ipvsadm -Ln
    "$pwsh" -NoProfile -NonInteractive -Command exit > /dev/null 2>&1 # pages in pwsh's files (the rows below all start after one)
    t=$( { TIMEFORMAT='%R'; time "$pwsh" -NoProfile -NonInteractive -Command exit > /dev/null 2>&1; } 2>&1 ); echo "pwsh pwsh-alone whole $t" >> "$results"; say "  pwsh -Command exit: $t s"
    list_pwsh='
$j = Jit; $t = T { Get-IpvsService -NetworkNamespace bench-tool }
"pwsh NAME first {0:F3}" -f $t
"info NAME first Get-IpvsService {0:F2} s; JIT before it {1}, after it {2}" -f $t, $j, (Jit)
$w = [double]::MaxValue; foreach ($r in 1..2) { $t = T { Get-IpvsService -NetworkNamespace bench-tool }; if ($t -lt $w) { $w = $t } }
"pwsh NAME warm {0:F3}" -f $w
$n = 0; $s = Get-IpvsService -NetworkNamespace bench-tool; foreach ($x in $s) { $n += $x.Destinations.Count }
"check NAME-count {0} services {1} real servers" -f @($s).Count, $n
"pwsh NAME peak-mb {0}" -f (Peak)'
    pwsh_row list-pwsh "$package/IpvsTools.psd1" "${list_pwsh//NAME/list-pwsh}"
    pwsh_row list-pwsh-il "$root/out/IpvsTools/IpvsTools.psd1" "${list_pwsh//NAME/list-pwsh-il}"
    tool list-ln ip netns exec bench-tool ipvsadm -Ln
fi
ip netns exec bench-tool ipvsadm -Sn > "$work/tool.save"
ip netns exec bench-tool ipvsadm -C
if wants apply; then
say "apply: Import-IpvsConfig"
module apply "
Bench apply { Import-IpvsConfig '$work/warm.rules' -NetworkNamespace bench-mod; Clear-IpvsService -NetworkNamespace bench-mod -Confirm:\$false } { Import-IpvsConfig '$work/table.rules' -NetworkNamespace bench-mod } 1"
ip netns exec bench-mod ipvsadm -Sn > "$work/mod.save"
if cmp -s "$work/tool.save" "$work/mod.save"; then echo "check apply-table same as ipvsadm -R's" >> "$results"; else echo "check apply-table DIFFERS from ipvsadm -R's" >> "$results"; fi
ip netns exec bench-mod ipvsadm -C
if ((pwsh_rows)); then
    # Each import of this row goes into a namespace of its own that never held a table: a namespace emptied less
    # than a minute before (bench-mod above, or the first import's after Clear-IpvsService) keeps the removed real
    # servers in IPVS's destination trash, which each IP_VS_CMD_NEW_DEST searches, so an import there is the
    # kernel's slow case, not the module's (the row before 2026-12-07 imported into bench-mod twice).
    for ns in bench-apply-pwsh bench-apply-pwsh-warm bench-apply-pwsh-engine; do ip netns add "$ns" && namespaces+=("$ns") && ip netns exec "$ns" ip link set lo up; done
    say "apply-pwsh: Import-IpvsConfig in real pwsh (fresh process, then warm: the second import of the session), each into a new namespace"
    pwsh_row apply-pwsh "$package/IpvsTools.psd1" "
\$t = T { Import-IpvsConfig '$work/table.rules' -NetworkNamespace bench-apply-pwsh -Confirm:\$false }
'pwsh apply-pwsh first {0:F3}' -f \$t
\$t = T { Import-IpvsConfig '$work/table.rules' -NetworkNamespace bench-apply-pwsh-warm -Confirm:\$false }
'pwsh apply-pwsh warm {0:F3}' -f \$t
'pwsh apply-pwsh peak-mb {0}' -f (Peak)
# The import's steps in the same session, without the cmdlet: the reader, and the engine's ApplyAll of the same lines.
\$text = [IO.File]::ReadAllText('$work/table.rules')
\$t = T { \$script:parsed = [IpvsTools.Ipvs.IpvsadmRestoreText]::Parse(\$text) }
'info apply-pwsh-steps read {0:F3} s ({1} lines)' -f \$t, \$script:parsed.Item1.Count
\$client = [IpvsTools.Ipvs.IpvsClient]::Open([IpvsTools.Namespaces.NetworkNamespace]::Resolve('bench-apply-pwsh-engine'))
\$t = T { \$script:applied = \$client.ApplyAll(\$script:parsed.Item1) }
\$client.Dispose()
'info apply-pwsh-steps engine ApplyAll {0:F3} s ({1} applied; what the cmdlet adds is the warm import minus read and ApplyAll)' -f \$t, \$script:applied.Applied"
    for ns in bench-apply-pwsh bench-apply-pwsh-warm bench-apply-pwsh-engine; do
        ip netns exec "$ns" ipvsadm -Sn > "$work/mod-pwsh.save"
        if cmp -s "$work/tool.save" "$work/mod-pwsh.save"; then echo "check apply-pwsh-table $ns same as ipvsadm -R's" >> "$results"; else echo "check apply-pwsh-table $ns DIFFERS from ipvsadm -R's" >> "$results"; fi
        ip netns exec "$ns" ipvsadm -C
    done
fi
fi

# --- ipsets -------------------------------------------------------------------------------------------
if wants ipset-list || wants ipset-add; then
say "ipset-add: ipset restore, ipset-list: ipset save"
ip netns exec bench-set ipset create BIG hash:ip,port hashsize 65536 maxelem 1000000
tool ipset-add ip netns exec bench-set ipset restore -file "$work/set.restore"
tool ipset-list ip netns exec bench-set ipset save BIG
tool ipset-list ip netns exec bench-set ipset save BIG
say "ipset-list: Get-Ipset, ipset-add: Add-IpsetMember"
module ipset-list "
Bench ipset-list { Get-Ipset WARM -NetworkNamespace bench-warm } { Get-Ipset BIG -NetworkNamespace bench-set } 2
'check ipset-list-count {0} members' -f \$script:out.Members.Count"
tool ipset-list ip netns exec bench-set ipset save BIG
module ipset-add "
\$m = [IO.File]::ReadAllLines('$work/members')
\$w = [IO.File]::ReadAllLines('$work/warm-members')
New-Ipset ADD hash:ip,port -HashSize 65536 -MaxElements 1000000 -NetworkNamespace bench-set
Bench ipset-add { Add-IpsetMember WARMADD \$w -NetworkNamespace bench-warm; Clear-Ipset WARMADD -NetworkNamespace bench-warm -Confirm:\$false } { Add-IpsetMember ADD \$m -NetworkNamespace bench-set } 1"
# (No process substitution: the lab has no /dev/fd.)
ip netns exec bench-set ipset save BIG | grep '^add' | sed 's/^add BIG //' | sort > "$work/tool.members"
ip netns exec bench-set ipset save ADD | grep '^add' | sed 's/^add ADD //' | sort > "$work/mod.members"
if cmp -s "$work/tool.members" "$work/mod.members"; then
    echo "check ipset-add-members same as ipset restore's" >> "$results"
else
    echo "check ipset-add-members DIFFER from ipset restore's" >> "$results"
fi
fi


# --- sync (only when the build has Sync-KubeIpvs) -----------------------------------------------------
# The snapshot is what `kubectl get svc,endpointslices -A -o json` prints for S ClusterIP services of D
# ready endpoints each; its parse time is measured on its own (the Benchmarks project's snapshot-parse).
sync_args=${IPVSTOOLS_BENCH_SYNC_ARGS:--NodeName node-0 -NodeAddress 172.18.0.3}
if ! wants sync-cold && ! wants sync-noop; then
    :
elif "${shell[@]}" 'if (Get-Command Sync-KubeIpvs -ErrorAction SilentlyContinue) { "has-sync" }' 2>/dev/null | grep -q has-sync; then
    python3 "$root/tests/bench/kube-snapshot.py" "$services" "$destinations" "$work/snapshot.json"
    python3 "$root/tests/bench/kube-snapshot.py" 20 "$destinations" "$work/warm-snapshot.json"
    ip netns add bench-sync-warm && namespaces+=(bench-sync-warm) && ip netns exec bench-sync-warm ip link set lo up
    say "sync: snapshot parse time"
    dotnet "$root/tests/IpvsTools.Benchmarks/bin/Release/net10.0/IpvsTools.Benchmarks.dll" snapshot-parse "$work/snapshot.json" | sed 's/^/info /' | tee -a "$results" >&2
    say "sync-cold: Sync-KubeIpvs onto an empty node"
    module sync-cold "
Bench sync-cold { Sync-KubeIpvs -Path '$work/warm-snapshot.json' $sync_args -NetworkNamespace bench-sync-warm } { Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync } 1"
    ip netns exec bench-sync ipvsadm -Sn > "$work/sync.rules"
    ip netns exec bench-sync ipset save > "$work/sync.ipset"
    echo "check sync-state $(grep -c '^-A' "$work/sync.rules") IPVS services, $(grep -c '^-a' "$work/sync.rules") real servers, $(grep -c '^add' "$work/sync.ipset") set members" >> "$results"
    say "sync-cold: ipvsadm -R + ipset restore of the same state"
    tool sync-cold ip netns exec bench-sync-tool sh -c 'ipvsadm -R < "$0" && ipset restore -file "$1"' "$work/sync.rules" "$work/sync.ipset"
    ip netns exec bench-sync-tool ipvsadm -C
    if ((pwsh_rows)) && wants sync-cold; then
        say "sync-cold-pwsh: Sync-KubeIpvs onto an empty node in real pwsh (fresh process; warm: again after Remove-KubeIpvs)"
        ip netns add bench-sync-pwsh && namespaces+=(bench-sync-pwsh) && ip netns exec bench-sync-pwsh ip link set lo up
        pwsh_row sync-cold-pwsh "$package/IpvsTools.psd1" "
\$t = T { Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync-pwsh }
'pwsh sync-cold-pwsh first {0:F3}' -f \$t
\$s = Get-IpvsService -NetworkNamespace bench-sync-pwsh
'check sync-cold-pwsh-state {0} IPVS services after the fresh sync' -f @(\$s).Count
Remove-KubeIpvs -NetworkNamespace bench-sync-pwsh -Confirm:\$false | Out-Null
\$t = T { Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync-pwsh }
'pwsh sync-cold-pwsh warm {0:F3}' -f \$t
'pwsh sync-cold-pwsh peak-mb {0}' -f (Peak)"
        ip netns exec bench-sync-pwsh ipvsadm -Sn > "$work/sync-pwsh.rules"
        if cmp -s "$work/sync.rules" "$work/sync-pwsh.rules"; then echo "check sync-cold-pwsh-table same as the engine-only sync's" >> "$results"; else echo "check sync-cold-pwsh-table DIFFERS from the engine-only sync's" >> "$results"; fi
        ip netns exec bench-sync-pwsh ipvsadm -C
    fi
    say "sync-noop: Sync-KubeIpvs with nothing to change, ipvsadm -Sn"
    # The noop sync's time includes its snapshot read (issue 19, item 4; the node's kernel tables are read while
    # the snapshot is, so the read is no longer a part to subtract): each round runs with -Verbose, whose
    # "Read the cluster in S s" line gives the read time, printed apart.
    # Warmed as the other engine rows are (Bench): the same work twice, the compiler left to go quiet, once more;
    # a small snapshot's sync leaves the large one's paths to the tiered compiler, whose work then lands in the
    # measured rounds.
    module sync-noop "
\$best = [double]::MaxValue
\$null = Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync
\$null = Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync
Settle sync-noop
\$null = Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync
foreach (\$r in 1..2) {
    [GC]::Collect()
    \$c0 = Cpu; \$sw = [Diagnostics.Stopwatch]::StartNew()
    \$v = Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync -Verbose 4>&1
    \$t = \$sw.Elapsed.TotalSeconds; \$c1 = Cpu
    \$read = foreach (\$m in \$v) { if (\$m -is [Management.Automation.VerboseRecord] -and \$m.Message -match '^Read the cluster in ([0-9.]+) s') { [double]\$Matches[1] } }
    \$writes = @(\$v | Where-Object { \$_ -isnot [Management.Automation.VerboseRecord] }).Count
    \$phases = foreach (\$m in \$v) { if (\$m -is [Management.Automation.VerboseRecord] -and \$m.Message -like 'Built the desired state*') { \$m.Message } }
    'info sync-noop round {0}: {1:F2} s in all, {2:F2} s of it reading the snapshot, {3} writes; {4}' -f \$r, \$t, \$read, \$writes, \$phases
    if (\$t -lt \$best) { \$best = \$t; \$u = \$c1[0] - \$c0[0]; \$s = \$c1[1] - \$c0[1] }
}
'result sync-noop {0:F2} {1:F2} {2:F2} {3}' -f \$best, \$u, \$s, (Peak)"
    tool sync-noop ip netns exec bench-sync ipvsadm -Sn
    tool sync-noop ip netns exec bench-sync ipvsadm -Sn
    if ((pwsh_rows)); then
        # The node is in sync: Compare-KubeIpvs finds nothing, Sync-KubeIpvs writes nothing; both read the snapshot
        # (included in their times: item 4 of issue 19) and the node.
        say "compare-pwsh, sync-noop-pwsh: the first Compare-KubeIpvs / Sync-KubeIpvs of a fresh pwsh, then warm ones"
        pwsh_row compare-pwsh "$package/IpvsTools.psd1" "
\$d = \$null; \$t = T { \$script:d = @(Compare-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync) }
'pwsh compare-pwsh first {0:F3}' -f \$t
'check compare-pwsh first found {0} differences on the synced node' -f \$script:d.Count
\$t = T { \$script:d = @(Compare-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync) }
'pwsh compare-pwsh warm {0:F3}' -f \$t"
        pwsh_row sync-noop-pwsh "$package/IpvsTools.psd1" "
\$o = \$null; \$t = T { \$script:o = @(Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync) }
'pwsh sync-noop-pwsh first {0:F3}' -f \$t
'check sync-noop-pwsh first wrote {0} changes' -f \$script:o.Count
\$w = [double]::MaxValue
foreach (\$r in 1..4) {
    \$sw = [Diagnostics.Stopwatch]::StartNew()
    \$v = Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync -Verbose 4>&1
    \$t = \$sw.Elapsed.TotalSeconds
    if (\$t -lt \$w) { \$w = \$t }
    if (\$r -eq 1) { 'pwsh sync-noop-pwsh second {0:F3}' -f \$t }
    \$said = foreach (\$m in \$v) { if (\$m -is [Management.Automation.VerboseRecord] -and (\$m.Message -like 'Read the cluster in*' -or \$m.Message -like 'Built the desired state*')) { \$m.Message } }
    'info sync-noop-pwsh warm round {0}: {1:F2} s, snapshot read included; {2}' -f \$r, \$t, (\$said -join ' ')
}
'pwsh sync-noop-pwsh warm {0:F3}' -f \$w
# Calls one after another leave the runtime's recompiling to run beside the next one; an operator's next command
# usually comes after a pause, when it has caught up. The same call once more after it has gone quiet:
Settle sync-noop-pwsh
\$t = T { Sync-KubeIpvs -Path '$work/snapshot.json' $sync_args -NetworkNamespace bench-sync }
'pwsh sync-noop-pwsh settled {0:F3}' -f \$t
'pwsh sync-noop-pwsh peak-mb {0}' -f (Peak)"
    fi
    ip netns exec bench-sync ipvsadm -C
else
    echo "nosync" >> "$results"
fi

# --- report -------------------------------------------------------------------------------------------
declare -A goal=([list]=0.5 [apply]=0.5 [ipset-list]=1.0 [ipset-add]=1.0 [sync-cold]=1.0 [sync-noop]=1.0)
declare -A what=([list]="Get-IpvsService / ipvsadm -Sn" [apply]="Import-IpvsConfig / ipvsadm -R" [ipset-list]="Get-Ipset / ipset save"
    [ipset-add]="Add-IpsetMember / ipset restore" [sync-cold]="Sync-KubeIpvs, empty node / ipvsadm -R + ipset restore" [sync-noop]="Sync-KubeIpvs, no change, snapshot read included / ipvsadm -Sn")
echo
echo "size: $services services x $destinations real servers ($ops ipvsadm lines), $members ipset members"
echo "engine-only rows: the module in this repository's hosted engine (tests/IpvsTools.Shell), warmed until its JIT settles;"
echo "the module in real pwsh as users run it (fresh and warm sessions): the real-pwsh rows below (one service by key: tests/bench/pwsh)"
printf '%-11s %-56s %9s %9s %6s %5s %-17s %-17s %8s\n' name "module (engine-only) / tool" "module s" "tool s" ratio goal "module user+sys" "tool user+sys" "peak MB"
lines=()
for name in list apply ipset-list ipset-add sync-cold sync-noop; do
    wants "$name" || continue
    if [[ $name == sync-* ]] && grep -q '^nosync' "$results"; then
        lines+=("ratio $name n/a (Sync-KubeIpvs not in this build)")
        continue
    fi
    read -r _ _ mwall muser msys mpeak <<< "$(grep "^result $name " "$results" | tail -n 1)" || true
    if [[ -z ${mwall:-} || ! -s $work/tool-$name ]]; then
        lines+=("ratio $name n/a (the run failed: see above)")
        continue
    fi
    read -r twall tuser tsys <<< "$(best "$work/tool-$name")"
    ratio=$(awk -v a="$mwall" -v b="$twall" 'BEGIN { printf "%.2f", a / b }')
    printf '%-11s %-56s %9.2f %9.2f %6s %5s %-17s %-17s %8s\n' "$name" "${what[$name]}" "$mwall" "$twall" "$ratio" "${goal[$name]}" \
        "$muser + $msys" "$tuser + $tsys" "$mpeak"
    lines+=("ratio $name $ratio" "peak-mb $name $mpeak")
    unset mwall
done
if ((pwsh_rows)); then
    # The same work in real pwsh as users run it: "fresh" is the first call of a new pwsh session (Import-Module
    # just before it), "warm" a later call in that session (best of those the row ran); "whole" the fresh
    # process from its start to its exit. The tool is the engine-only row's baseline (best of its runs).
    pget() { grep "^pwsh $1 $2 " "$results" | tail -n 1 | cut -d' ' -f4; }
    pratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
    declare -A ptool=([list-pwsh]=list [list-pwsh-il]=list [apply-pwsh]=apply [compare-pwsh]=sync-noop [sync-noop-pwsh]=sync-noop [sync-cold-pwsh]=sync-cold)
    declare -A pwhat=([list-pwsh]="Get-IpvsService / ipvsadm -Sn" [list-pwsh-il]="Get-IpvsService, IL-only module / ipvsadm -Sn"
        [apply-pwsh]="Import-IpvsConfig / ipvsadm -R" [compare-pwsh]="Compare-KubeIpvs, synced node / ipvsadm -Sn"
        [sync-noop-pwsh]="Sync-KubeIpvs, no change, read included / ipvsadm -Sn" [sync-cold-pwsh]="Sync-KubeIpvs, empty node / ipvsadm -R + ipset restore")
    declare -A pgoal=([list-pwsh]="1.0 0.5" [list-pwsh-il]="- -" [apply-pwsh]="1.0 0.5" [compare-pwsh]="1.0 -" [sync-noop-pwsh]="1.0 1.0" [sync-cold-pwsh]="1.0 1.0")
    echo
    echo "real-pwsh rows: $("$pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null) at $pwsh, the module from the package (ReadyToRun) unless marked IL-only;"
    echo "fresh = the first call of a new session (Import-Module just before), warm = a later call in it, whole = the fresh process start to exit"
    printf '%-15s %-56s %8s %8s %8s %8s %7s %7s %7s %9s %7s\n' name "module (real pwsh) / tool" "whole s" "fresh s" "warm s" "tool s" whole/t fresh/t warm/t "goal f,w" "peak MB"
    for name in list-pwsh list-pwsh-il apply-pwsh compare-pwsh sync-noop-pwsh sync-cold-pwsh; do
        grep -q "^pwsh $name " "$results" || continue
        tname=${ptool[$name]}
        twall=
        [[ -s $work/tool-$tname ]] && read -r twall _ <<< "$(best "$work/tool-$tname")"
        whole=$(pget "$name" whole); first=$(pget "$name" first); warm=$(pget "$name" warm)
        printf '%-15s %-56s %8s %8s %8s %8s %7s %7s %7s %9s %7s\n' "$name" "${pwhat[$name]}" "${whole:-n/a}" "${first:-n/a}" "${warm:-n/a}" "${twall:-n/a}" \
            "$(pratio "$whole" "$twall")" "$(pratio "$first" "$twall")" "$(pratio "$warm" "$twall")" "${pgoal[$name]// /,}" "$(pget "$name" peak-mb)"
        lines+=("ratio $name-fresh $(pratio "$first" "$twall")" "ratio $name-warm $(pratio "$warm" "$twall")" "ratio $name-whole $(pratio "$whole" "$twall")")
        # The no-op sync's warm figure is the best of the session's calls 2 to 5; its second call alone, apart.
        second=$(pget "$name" second || true) settled=$(pget "$name" settled || true)
        [[ -n $second ]] && lines+=("ratio $name-second $(pratio "$second" "$twall")")
        [[ -n $settled ]] && lines+=("ratio $name-settled $(pratio "$settled" "$twall")")
    done
    if [[ -s $work/tool-list-ln ]]; then
        read -r tln _ <<< "$(best "$work/tool-list-ln")"
        pa=$(pget pwsh-alone whole)
        echo "first command (issue 19, item 2): fresh pwsh + Import-Module + first Get-IpvsService $(pget list-pwsh whole) s (whole process, with two more listings: see the info lines),"
        echo "  pwsh alone (pwsh -Command exit) $pa s, Import-Module $(pget list-pwsh import) s, first listing $(pget list-pwsh first) s; ipvsadm -Ln $tln s"
        sum=$(awk -v a="$pa" -v b="$(pget list-pwsh import)" -v c="$(pget list-pwsh first)" 'BEGIN { if (a == "" || b == "" || c == "") print ""; else printf "%.2f", a + b + c }')
        lines+=("ratio first-command $(pratio "$sum" "$tln")" "ratio first-listing $(pratio "$(pget list-pwsh first)" "$tln")" "ratio first-listing-il $(pratio "$(pget list-pwsh-il first)" "$tln")")
    fi
fi
grep -E '^(check|info|failed) ' "$results" | sed 's/^/  /' || true
echo
printf '%s\n' "${lines[@]}"
