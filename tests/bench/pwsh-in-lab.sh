#!/usr/bin/env bash
# The inside of tests/bench/pwsh: the module measured in REAL pwsh as users run it, in the kernel lab
# (IPVSTOOLS_LAB=1), as root, from the repository root:
#     bash tests/bench/pwsh-in-lab.sh SERVICES DESTINATIONS SMALL [R2R_MODULE_DIR]
# SERVICES x DESTINATIONS is the big table, SMALL x DESTINATIONS the one the key rows are compared with
# (flatness). R2R_MODULE_DIR, when given, is a second layout of the module (ReadyToRun assemblies) whose
# fresh-process rows are measured beside the plain one's, in the same run.
#
# Module times inside pwsh are Stopwatch times of the command (as Measure-Command; output to $null); "fresh"
# rows are whole pwsh processes timed from outside; the tools are whole processes (output to /dev/null).
set -euo pipefail
[[ ${IPVSTOOLS_LAB:-} == 1 ]] || { echo "pwsh-in-lab.sh runs inside the lab: use tests/bench/pwsh" >&2; exit 2; }
services=$1 destinations=$2 small=$3 r2r=${4:-}
root=$(pwd)
pwsh=${IPVSTOOLS_PWSH:-/opt/ipvstools/pwsh/pwsh}
[[ -x $pwsh ]] || { echo "pwsh-in-lab.sh: no pwsh at $pwsh (set IPVSTOOLS_PWSH)" >&2; exit 2; }
module=$root/out/IpvsTools/IpvsTools.psd1
work=$(mktemp -d /tmp/bench-pwsh-XXXXXX)
results=$work/results
: > "$results"
namespaces=(pw-big pw-small pw-tiny)
cleanup() { for ns in "${namespaces[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT
for ns in "${namespaces[@]}"; do ip netns add "$ns"; ip netns exec "$ns" ip link set lo up; done
say() { printf '%s\n' "$*" >&2; }

python3 "$root/tests/bench/ipvs-table.py" "$services" "$destinations" 10.96 > "$work/big.rules"
python3 "$root/tests/bench/ipvs-table.py" "$small" "$destinations" 10.96 > "$work/small.rules"
python3 "$root/tests/bench/ipvs-table.py" 1 "$destinations" 10.96 > "$work/tiny.rules"
say "pwsh bench: $services and $small services x $destinations real servers; $("$pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()') at $pwsh; kernel $(uname -r), $(nproc) vCPUs (QEMU TCG)"
ip netns exec pw-big sh -c 'exec ipvsadm -R < "$0"' "$work/big.rules"
ip netns exec pw-small sh -c 'exec ipvsadm -R < "$0"' "$work/small.rules"
ip netns exec pw-tiny sh -c 'exec ipvsadm -R < "$0"' "$work/tiny.rules"
# The key looked up: service 200 (10.96.0.201:80), in both tables; its real servers 10.(128+j).0.201:8080.
key_address=10.96.0.201
((small > 200)) || { echo "pwsh-in-lab.sh: SMALL must be above 200" >&2; exit 2; }

# wall SECONDS of a whole process, output discarded: "WALL USER SYS".
wall() { local t; t=$( { TIMEFORMAT='%R %U %S'; time "$@" > /dev/null 2>> "$work/errors"; } 2>&1 ); echo "$t"; }
# tool NAME COMMAND...: three runs of a C tool; the fastest is the row's.
tool() {
    local name=$1 t
    shift
    for _ in 1 2 3; do t=$(wall "$@"); echo "$t" >> "$work/tool-$name"; say "  $name (tool): $t"; done
}
best() { sort -n "$1" | head -n 1 | cut -d' ' -f1; }
# fresh NAME MODULE SCRIPT: one fresh pwsh process importing MODULE and running SCRIPT; its lines "result ..."
# and "info ..." are kept, and "fresh NAME WALL" is the whole process's wall time.
fresh() {
    local name=$1 psd1=$2 script=$3 out t
    t=$( { TIMEFORMAT='%R'; time "$pwsh" -NoProfile -NonInteractive -Command "
\$ErrorActionPreference = 'Stop'
function T([scriptblock]\$b) { \$w = [Diagnostics.Stopwatch]::StartNew(); \$null = & \$b; \$w.Elapsed.TotalSeconds }
\$import = T { Import-Module '$psd1' }
'result import-$name {0:F3}' -f \$import
$script" > "$work/out-$name" 2>&1; } 2>&1 ) || true
    grep -E '^(result|info) ' "$work/out-$name" >> "$results" || true
    grep -E '^(result|info) ' "$work/out-$name" | sed 's/^/  /' >&2 || true
    grep -q '^result ' "$work/out-$name" || { say "  $name did not finish:"; sed 's/^/    /' "$work/out-$name" >&2; }
    echo "result fresh-$name $t" >> "$results"
    say "  fresh-$name: whole pwsh process $t s"
}

# --- 1. one service by key ------------------------------------------------------------------------------
say "key: ipvsadm -Ln -t $key_address:80 at $services and $small services"
tool key-big ip netns exec pw-big ipvsadm -Ln -t "$key_address:80"
tool key-small ip netns exec pw-small ipvsadm -Ln -t "$key_address:80"
# In one session (the JIT warmed by a lookup of another key in each table first), fastest of 5 each; then the
# other cmdlets that name one service, at both sizes: Get-IpvsDestination -Service, Set-IpvsScheduler,
# Set-IpvsDestination (no change in either: the same scheduler and weight) and Remove-IpvsDestination (one real
# server each round, so each round removes).
keyrows='
function Best([string]$name, [scriptblock]$b) { $best = 1e9; foreach ($r in 1..5) { $t = T $b; if ($t -lt $best) { $best = $t } }; "result {0} {1:F4}" -f $name, $best }
foreach ($size in "big", "small") {
    $ns = "pw-$size"
    $null = Get-IpvsService -Address 10.96.0.1 -Port 80 -Protocol Tcp -NetworkNamespace $ns
    $null = Get-IpvsDestination -Service "TCP 10.96.0.1:80" -NetworkNamespace $ns
    Set-IpvsScheduler -Address 10.96.0.1 -Port 80 -Protocol Tcp -Scheduler rr -NetworkNamespace $ns -Confirm:$false
    Set-IpvsDestination -Service "TCP 10.96.0.1:80" -Address 10.128.0.1 -Port 8080 -Weight 1 -NetworkNamespace $ns -Confirm:$false
    Best "key-$size" { Get-IpvsService -Address KEY -Port 80 -Protocol Tcp -NetworkNamespace $ns }
    Best "dest-by-service-$size" { Get-IpvsDestination -Service "TCP KEY:80" -NetworkNamespace $ns }
    Best "set-scheduler-$size" { Set-IpvsScheduler -Address KEY -Port 80 -Protocol Tcp -Scheduler rr -NetworkNamespace $ns -Confirm:$false }
    Best "set-destination-$size" { Set-IpvsDestination -Service "TCP KEY:80" -Address 10.128.0.201 -Port 8080 -Weight 1 -NetworkNamespace $ns -Confirm:$false }
    $script:j = 0
    Best "remove-destination-$size" { $script:j++; Remove-IpvsDestination -Service "TCP KEY:80" -Address "10.$(128 + $script:j).0.201" -Port 8080 -NetworkNamespace $ns -Confirm:$false }
    $w = [Diagnostics.Stopwatch]::StartNew(); $all = Get-IpvsService -NetworkNamespace $ns; "info list-in-session-$size {0:F2} s ({1} services)" -f $w.Elapsed.TotalSeconds, @($all).Count
}'
fresh key "$module" "${keyrows//KEY/$key_address}"
for size in big small; do
    ns=pw-$size
    left=$(ip netns exec "$ns" ipvsadm -Ln -t "$key_address:80" | grep -c -- '-> 10\.' || true)
    echo "check key-$size $key_address:80 has $left real servers left after 5 removals (of $destinations)" >> "$results"
    for j in 1 2 3 4 5; do ip netns exec "$ns" ipvsadm -a -t "$key_address:80" -r "10.$((128 + j)).0.201:8080" -m -w 1 2>/dev/null || true; done
done
# The same lookup as one command in a fresh pwsh (what an operator types once).
fresh key-fresh "$module" "\$t = T { Get-IpvsService -Address $key_address -Port 80 -Protocol Tcp -NetworkNamespace pw-big }; 'result key-first {0:F3}' -f \$t"

# --- 2. the first listing of a session, and a warm one ------------------------------------------------------
say "list: ipvsadm -Ln of $services services"
tool list ip netns exec pw-big ipvsadm -Ln
listing='
$t1 = T { Get-IpvsService -NetworkNamespace pw-big }
"result first-NAME {0:F3}" -f $t1
$t2 = T { Get-IpvsService -NetworkNamespace pw-big }
"result warm-NAME {0:F3}" -f $t2
$n = 0; $s = Get-IpvsService -NetworkNamespace pw-big; foreach ($x in $s) { $n += $x.Destinations.Count }
"info list-count-NAME {0} services {1} real servers" -f @($s).Count, $n'
for round in 1 2; do
    fresh "list$round" "$module" "${listing//NAME/list$round}"
done
tool list ip netns exec pw-big ipvsadm -Ln

# --- 3. what the first command costs, step by step ------------------------------------------------------
say "steps: pwsh alone, Import-Module, the first call on a 1-service table, then the big listing"
for round in 1 2; do
    t=$(wall "$pwsh" -NoProfile -NonInteractive -Command exit); echo "result fresh-pwsh-alone$round ${t%% *}" >> "$results"; say "  pwsh -Command exit: $t"
done
steps='
$t0 = T { Get-IpvsService -NetworkNamespace pw-tiny }
"result tiny-first-NAME {0:F3}" -f $t0
$t0b = T { Get-IpvsService -NetworkNamespace pw-tiny }
"result tiny-second-NAME {0:F3}" -f $t0b
$t1 = T { Get-IpvsService -NetworkNamespace pw-big }
"result first-after-tiny-NAME {0:F3}" -f $t1'
fresh steps-plain "$module" "${steps//NAME/plain}"
if [[ -n $r2r ]]; then
    say "steps and listing again with the ReadyToRun layout at $r2r"
    fresh steps-r2r "$r2r/IpvsTools.psd1" "${steps//NAME/r2r}"
    for round in 1 2; do
        fresh "r2r-list$round" "$r2r/IpvsTools.psd1" "${listing//NAME/r2r-list$round}"
    done
    fresh steps-plain2 "$module" "${steps//NAME/plain2}"
fi

# --- report -------------------------------------------------------------------------------------------
get() { grep "^result $1 " "$results" | tail -n 1 | cut -d' ' -f3; }
min2() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print b; else if (b == "" || a < b) print a; else print b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
row() { printf '%-46s %10s %10s %7s %6s\n' "$1" "$2" "$3" "$4" "$5"; echo "ratio $6 $4" >> "$work/ratios"; }
: > "$work/ratios"
echo
echo "size: $services (and $small) services x $destinations real servers; pwsh $pwsh"
printf '%-46s %10s %10s %7s %6s\n' "row (real pwsh)" "module s" "tool s" ratio goal
tk=$(best "$work/tool-key-big"); tks=$(best "$work/tool-key-small"); tl=$(best "$work/tool-list")
row "key: Get-IpvsService -Address -Port -Protocol / ipvsadm -Ln -t ($services)" "$(get key-big)" "$tk" "$(ratio "$(get key-big)" "$tk")" 1.0 key
row "key flatness: module $services / $small" "$(get key-big)" "$(get key-small)" "$(ratio "$(get key-big)" "$(get key-small)")" 1.5 key-flat
row "key flatness: ipvsadm -Ln -t $services / $small" "$tk" "$tks" "$(ratio "$tk" "$tks")" - key-flat-tool
for c in dest-by-service set-scheduler set-destination remove-destination; do
    row "$c: $services / $small" "$(get "$c-big")" "$(get "$c-small")" "$(ratio "$(get "$c-big")" "$(get "$c-small")")" 1.5 "$c-flat"
    row "$c ($services) / ipvsadm -Ln -t" "$(get "$c-big")" "$tk" "$(ratio "$(get "$c-big")" "$tk")" - "$c"
done
row "key, one command in a fresh pwsh (whole process) / ipvsadm -Ln -t" "$(get fresh-key-fresh)" "$tk" "$(ratio "$(get fresh-key-fresh)" "$tk")" - key-fresh
f=$(min2 "$(get fresh-list1)" "$(get fresh-list2)"); fi=$(min2 "$(get first-list1)" "$(get first-list2)"); w=$(min2 "$(get warm-list1)" "$(get warm-list2)")
pa=$(min2 "$(get fresh-pwsh-alone1)" "$(get fresh-pwsh-alone2)")
# A user's first command: pwsh starting (pwsh -Command exit), Import-Module and the first listing, each
# measured in this run (the list processes also run a second and a third listing, so their whole time is more).
sum() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { if (a == "" || b == "" || c == "") print ""; else printf "%.3f", a + b + c }'; }
fs=$(min2 "$(sum "$pa" "$(get import-list1)" "$(get first-list1)")" "$(sum "$pa" "$(get import-list2)" "$(get first-list2)")")
row "first: pwsh start + Import-Module + first listing / ipvsadm -Ln" "$fs" "$tl" "$(ratio "$fs" "$tl")" 1.0 first-fresh
row "(whole list process: + 2nd and 3rd listing) / ipvsadm -Ln" "$f" "$tl" "$(ratio "$f" "$tl")" - first-process
row "first Get-IpvsService alone (in the fresh pwsh) / ipvsadm -Ln" "$fi" "$tl" "$(ratio "$fi" "$tl")" 1.0 first
row "warm: second listing, same session / ipvsadm -Ln" "$w" "$tl" "$(ratio "$w" "$tl")" 0.5 warm
echo
echo "steps of the first command (seconds): pwsh -Command exit $pa; Import-Module $(get import-list1), $(get import-list2) (list rounds), $(get import-steps-plain) (steps);"
echo "  first call on a 1-service table $(get tiny-first-plain), second $(get tiny-second-plain); then the $services-service listing $(get first-after-tiny-plain) (first listing alone: $fi, warm: $w)"
if [[ -n $r2r ]]; then
    rf=$(min2 "$(get fresh-r2r-list1)" "$(get fresh-r2r-list2)"); ri=$(min2 "$(get first-r2r-list1)" "$(get first-r2r-list2)"); rw=$(min2 "$(get warm-r2r-list1)" "$(get warm-r2r-list2)")
    echo "ReadyToRun layout: Import-Module $(get import-steps-r2r), first call on 1 service $(get tiny-first-r2r), second $(get tiny-second-r2r), then the listing $(get first-after-tiny-r2r)"
    echo "  plain again after it: Import-Module $(get import-steps-plain2), first call on 1 service $(get tiny-first-plain2), listing $(get first-after-tiny-plain2)"
    rs=$(min2 "$(sum "$pa" "$(get import-r2r-list1)" "$(get first-r2r-list1)")" "$(sum "$pa" "$(get import-r2r-list2)" "$(get first-r2r-list2)")")
    row "R2R first: pwsh start + Import-Module + first listing / ipvsadm -Ln" "$rs" "$tl" "$(ratio "$rs" "$tl")" 1.0 r2r-first-fresh
    row "R2R (whole list process) / ipvsadm -Ln" "$rf" "$tl" "$(ratio "$rf" "$tl")" - r2r-first-process
    row "R2R first Get-IpvsService alone / ipvsadm -Ln" "$ri" "$tl" "$(ratio "$ri" "$tl")" 1.0 r2r-first
    row "R2R warm: second listing / ipvsadm -Ln" "$rw" "$tl" "$(ratio "$rw" "$tl")" 0.5 r2r-warm
    row "R2R first call on 1 service / plain" "$(get tiny-first-r2r)" "$(get tiny-first-plain)" "$(ratio "$(get tiny-first-r2r)" "$(get tiny-first-plain)")" - r2r-tiny
fi
grep -E '^(check|info) ' "$results" | sed 's/^/  /' || true
echo
cat "$work/ratios"
[[ -s $work/errors ]] && { echo "stderr of the timed processes:"; sed 's/^/  /' "$work/errors" | head -n 20; } || true
