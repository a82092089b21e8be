#!/usr/bin/env bash
# Self-test of the kernel lab (tests/lab/lab.sh). Exits non-zero, naming every failed check,
# when anything is wrong.
#
#   tests/lab/selftest.sh [--fresh]
#
# --fresh  also proves that a machine without a cache works: prepares into a new, empty cache
#          folder (downloads the kernel again, about 70 MB) and boots from it.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
lab=$here/lab.sh
fresh=0
[[ ${1:-} == --fresh ]] && fresh=1

failures=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ipvstools-labtest.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

pass() { printf 'selftest: ok    %s\n' "$*"; }
fail() { printf 'selftest: FAIL  %s\n' "$*" >&2; failures=$((failures + 1)); }
show() { sed 's/^/    | /' "$1" | head -n 40 >&2; }

# lab ARGS... : runs lab.sh with the run folder in our scratch folder (so leftover QEMU processes
# of this test can be found by that path); sets rc, secs, and files $scratch/out, $scratch/err.
lab() {
    local t0=$EPOCHREALTIME
    TMPDIR=$scratch "$lab" "$@" >"$scratch/out" 2>"$scratch/err"
    rc=$?
    secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}

expect_rc() { # WANT NAME
    if [[ $rc == "$1" ]]; then return 0; fi
    fail "$2: exit code $rc, expected $1"
    echo "    stdout:" >&2; show "$scratch/out"
    echo "    stderr:" >&2; show "$scratch/err"
    return 1
}

echo "selftest: preparing (apt packages, kernel, initramfs)"
if ! "$lab" prepare; then
    echo "selftest: FAIL  lab.sh prepare" >&2
    exit 1
fi

# 1. The kernel runs the command and reports its exit code.
lab run --no-default-modules -- uname -r
if expect_rc 0 "uname -r"; then
    if grep -qE '^6\.1\.' "$scratch/out"; then pass "uname -r: $(<"$scratch/out") (${secs}s, no modules)"
    else fail "uname -r printed '$(<"$scratch/out")', expected a 6.1 kernel"; fi
fi
lab run --no-default-modules -- sh -c 'exit 7'
expect_rc 7 "exit 7" && pass "exit code 7 passed through (${secs}s)"

# Arguments arrive unchanged; stdout and stderr stay apart and carry no kernel noise.
lab run --no-default-modules -- printf '[%s]\n' 'a b' "it's" '$HOME' '' $'x\ny' '*' '"q"'
if expect_rc 0 "argument passing"; then
    if diff <(printf '[%s]\n' 'a b' "it's" '$HOME' '' $'x\ny' '*' '"q"') "$scratch/out" >/dev/null && [[ ! -s $scratch/err ]]
    then pass "arguments passed unchanged"
    else fail "arguments changed on the way"; show "$scratch/out"; fi
fi
lab run --no-default-modules -- sh -c 'echo to-out; echo to-err >&2; exit 3'
if expect_rc 3 "stdout/stderr"; then
    if [[ $(<"$scratch/out") == to-out && $(<"$scratch/err") == to-err ]]; then pass "stdout and stderr kept apart"
    else fail "stdout/stderr mixed up"; show "$scratch/out"; show "$scratch/err"; fi
fi

# 2. IPVS, on-demand scheduler loads, ipset, network namespaces, dummy links, the default modules.
read -r -d '' ipvs_script <<'EOF'
set -e
test "$IPVSTOOLS_LAB" = 1
ipvsadm -A -t 10.96.0.10:80 -s rr
ipvsadm -a -t 10.96.0.10:80 -r 10.0.0.2:80 -m
ipvsadm -A -t 10.96.0.11:80 -s wrr
ipvsadm -A -u 10.96.0.12:53 -s sh
ipvsadm -Ln
test -r /proc/net/ip_vs
ipset create x hash:ip,port
ipset add x 10.0.0.2,tcp:80
ipset list x
ip netns add t1
ip netns exec t1 ipvsadm -Ln
ip netns exec t1 ip link set lo up
ip link add kube-ipvs0 type dummy
ip addr add 10.96.0.10/32 dev kube-ipvs0
ip -br link show kube-ipvs0
echo modprobe-helper=$(cat /proc/sys/kernel/modprobe)
grep -E '^ip_vs_(wrr|sh) ' /proc/modules | cut -d' ' -f1
echo ALL-DONE
EOF
lab run -- sh -c "$ipvs_script"
if expect_rc 0 "IPVS script"; then
    ok=1
    for want in '10.0.0.2:80 +Masq' 'TCP  10.96.0.11:80 wrr' 'UDP  10.96.0.12:53 sh' 'Name: x' 'Type: hash:ip,port' \
                '10.0.0.2,tcp:80' '^kube-ipvs0 ' 'modprobe-helper=/sbin/lab-modprobe' '^ip_vs_wrr$' '^ip_vs_sh$' '^ALL-DONE$'; do
        grep -qE -- "$want" "$scratch/out" || { fail "IPVS script: no line matching '$want'"; ok=0; }
    done
    ((ok)) && pass "ipvsadm, wrr/sh on demand, ipset, ip netns, dummy link (${secs}s with the default modules)"
    ((ok)) || show "$scratch/out"
fi

# The current folder follows the host's, even under /tmp (hidden by the guest's tmpfs); --work; --env.
mkdir -p "$scratch/cwd dir" "$scratch/work" && echo marker >"$scratch/cwd dir/f"
cd "$scratch/cwd dir" || exit 1
lab run --no-default-modules --work "$scratch/work" --env 'LABV=a b' -- \
    sh -c 'pwd; cat f; echo "$LABV" >"$IPVSTOOLS_LAB_WORK/v"; touch /tmp/w; touch f2 2>/dev/null && echo root-writable || true'
cd "$here" || exit 1
if expect_rc 0 "cwd/work/env"; then
    if [[ $(<"$scratch/out") == "$scratch/cwd dir"$'\n'marker && $(<"$scratch/work/v") == 'a b' ]]; then
        pass "working folder, --work share, --env, read-only host root"
    else fail "cwd/work/env: unexpected result"; show "$scratch/out"; show "$scratch/err"; fi
fi

# A failing guest setup is a lab failure (125), not a command result.
lab run --modules no_such_module -- true
expect_rc 125 "bad module" && grep -q '^lab: ' "$scratch/err" && pass "guest setup failure gives 125 and a lab: message"

# 3. dotnet inside the lab.
if command -v dotnet >/dev/null; then
    lab run --no-default-modules -- dotnet --info
    if expect_rc 0 "dotnet --info"; then
        if grep -q '^Host:' "$scratch/out" && grep -q 'Microsoft.NETCore.App' "$scratch/out"; then pass "dotnet --info (${secs}s including boot)"
        else fail "dotnet --info printed no runtime"; show "$scratch/out"; fi
    fi
else
    echo "selftest: skip  dotnet --info (no dotnet on this machine)"
fi

# 4. The watchdog: a hanging command ends with 124 and leaves no QEMU behind.
hang=${IPVSTOOLS_LAB_SELFTEST_HANG:-30}
lab run --timeout "$hang" -- sleep 99999
if expect_rc 124 "watchdog"; then
    if ! grep -q '^lab: timeout' "$scratch/err"; then fail "watchdog: no 'lab: timeout' message"; show "$scratch/err"
    elif awk -v s="$secs" -v h="$hang" 'BEGIN { exit !(s > h + 20) }'; then fail "watchdog: took ${secs}s for --timeout $hang"
    else pass "watchdog fired after ${secs}s (--timeout $hang)"; fi
fi
sleep 1
if pgrep -f "$scratch/ipvstools-lab" >/dev/null; then
    fail "QEMU processes remain:"; pgrep -af "$scratch/ipvstools-lab" >&2
else pass "no QEMU process left"; fi

# 5. A fresh machine: an empty cache folder.
if ((fresh)); then
    cache=$(mktemp -d /var/tmp/ipvstools-lab-fresh.XXXXXX)
    rmdir "$cache"
    t0=$EPOCHREALTIME
    if IPVSTOOLS_LAB_CACHE=$cache "$lab" prepare; then
        pass "prepare into an empty cache ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s)"
        IPVSTOOLS_LAB_CACHE=$cache lab run --no-default-modules -- uname -r
        expect_rc 0 "boot from the fresh cache" && pass "boot from the fresh cache: $(<"$scratch/out")"
    else
        fail "prepare into an empty cache"
    fi
    rm -rf "$cache"
fi

if ((failures)); then
    echo "selftest: $failures check(s) FAILED" >&2
    exit 1
fi
echo "selftest: all checks passed"
