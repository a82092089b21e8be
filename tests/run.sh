#!/usr/bin/env bash
# The one test command: builds the module and runs every test tier, printing per tier how many tests
# ran, passed and failed. Run it as root from the repository root:
#
#     bash tests/run.sh            # all tiers: unit, host (throwaway network namespaces), lab (QEMU kernel),
#                                  # pwsh (Pester tests of the installed package in real pwsh: tests/pwsh/run.sh)
#     bash tests/run.sh unit host  # only the named tiers
#
# On a fresh Debian machine it installs what it needs with apt (the lab installs its own packages and
# downloads its kernel). A tier that fails, or that runs no test at all, fails the whole command.
#
# Time: CI runs this on 2 cores and must finish within 30 minutes. Under emulation the lab and the pwsh
# tier's lab part take most of it, so the lab runs in the background from the start, one boot after another,
# while unit, host and the pwsh tier's host parts run in the foreground (their output first, then the lab's).
# The closing summary prints each tier's seconds (the parts overlap) and the whole run's; docs/reliability.md
# ("How long the one test command takes") has the figures measured per tier.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '== %s\n' "$*"; }
die() { printf 'tests/run.sh: %s\n' "$*" >&2; exit 1; }

tiers=("$@")
((${#tiers[@]})) || tiers=(unit host lab pwsh)

((EUID == 0)) || die "run as root: host-tier tests create network namespaces and read the kernel's ipsets (lab.sh needs root too)."
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH; install .NET SDK 10."

# The reference tools the host tier cross-checks against, and what namespaces need.
packages=(ipset iptables iproute2 util-linux kmod conntrack nftables)
missing=()
for p in "${packages[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
fi

say "building (dotnet build -c Release)"
dotnet build -c Release -nologo -v quiet "$root/IpvsTools.slnx" 2>&1 | grep -E "error|warn|laid out" ; build_status=${PIPESTATUS[0]}
((build_status == 0)) || die "the build failed"

core=tests/IpvsTools.Core.Tests/bin/Release/net10.0/IpvsTools.Core.Tests
module=tests/IpvsTools.Module.Tests/bin/Release/net10.0/IpvsTools.Module.Tests

run_started=$SECONDS
results=$(mktemp -d /tmp/ipvstools-run-XXXXXX) || die "mktemp failed"
trap 'rm -rf "$results"' EXIT

want() { local t; for t in "${tiers[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }
for tier in "${tiers[@]}"; do
    case $tier in unit | host | lab | pwsh) ;; *) die "unknown tier '$tier' (unit, host, lab, pwsh)" ;; esac
done

tier_counts() {
    # "   Name  Total: 27, Errors: 0, Failed: 1, Skipped: 0, Not Run: 0, Time: 0.891s"
    local log=$1 total=0 errors=0 failed=0 skipped=0 notrun=0 line
    while IFS= read -r line; do
        [[ $line =~ Total:\ ([0-9]+),\ Errors:\ ([0-9]+),\ Failed:\ ([0-9]+),\ Skipped:\ ([0-9]+),\ Not\ Run:\ ([0-9]+) ]] || continue
        ((total += BASH_REMATCH[1], errors += BASH_REMATCH[2], failed += BASH_REMATCH[3], skipped += BASH_REMATCH[4], notrun += BASH_REMATCH[5]))
    done < <(sed 's/\x1b\[[0-9;]*m//g' "$log")
    echo "$total $errors $failed $skipped $notrun"
}

# run_suite LOG COMMAND...: runs one command of a tier, its output to the terminal (or the chain's log) and LOG.
run_suite() {
    local log=$1
    shift
    "$@" 2>&1 | tee -a "$log"
    return "${PIPESTATUS[0]}"
}

# lab_run ARGS...: tests/lab/lab.sh run ARGS, under /tmp/ipvstools-lab-run.lock unless this run holds it already
# (IPVSTOOLS_LAB_LOCK_HELD=1: tests/run.sh's own lab boots run one after another under one hold of the lock).
lab_run() {
    if [[ ${IPVSTOOLS_LAB_LOCK_HELD:-} == 1 ]]; then
        bash tests/lab/lab.sh run "$@"
    else
        flock /tmp/ipvstools-lab-run.lock bash tests/lab/lab.sh run "$@"
    fi
}

# The cmdlets' lab tests run ReadyToRun images. Under QEMU's emulation the JIT is most of a test process's start:
# in one lab run (2026-12-07) two of the cmdlets' lab classes took 51-70 s from the IL build, 37 s from a
# ReadyToRun publish of the test project (System.Management.Automation's 7.2 MB of IL compiled ahead), and 28-35 s
# with the module's own ReadyToRun images from the package as well. So they run from `dotnet publish -r linux-x64
# -p:PublishReadyToRun=true` of the test project and import the module from the package build.ps1 makes (the one
# the pwsh tier installs, unpacked into out/lab-module): the lab tests what users install. The engine's lab tests
# stay IL (dotnet build's output): the ipset suite's tool runs are most of their time, and their boot starts as
# soon as the build is done. DOTNET_TieredPGO=0 in the guest: without the instrumented tier the JIT does less
# under emulation (a pwsh start with Import-Module and a listing, 23-24 s -> 14-18 s); it changes no behaviour.
lab_module=tests/IpvsTools.Module.Tests/bin/Release/net10.0/linux-x64/publish/IpvsTools.Module.Tests
lab_module_dir=$root/out/lab-module
lab_env=(--env DOTNET_TieredPGO=0 --env "IPVSTOOLS_MODULE=$lab_module_dir/IpvsTools.psd1")
package=$results/package
binaries=$results/binaries

# lab_binaries: the package (build.ps1 -Task Package -NoBuild into $package, with .ready or .failed for the pwsh
# tier's parts that wait for it), unpacked into $lab_module_dir, and the ReadyToRun publish of the cmdlets' tests;
# its output in $binaries.log, then $binaries.ok or $binaries.failed. Runs in the background beside the engine's
# lab boot and the unit tier.
lab_binaries() {
    local ok=1 home
    echo "== the cmdlets' lab binaries: the package (build.ps1 -Task Package -NoBuild), the ReadyToRun test project"
    mkdir -p "$package"
    home=$(mktemp -d /tmp/ipvstools-package-home-XXXXXX)
    if HOME=$home DOTNET_CLI_HOME=$home NO_COLOR=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off \
        /opt/ipvstools/pwsh/pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 -Task Package -NoBuild -OutputPath "$package" \
        && compgen -G "$package/IpvsTools.*.nupkg" >/dev/null; then
        : >"$package/.ready"
    else
        : >"$package/.failed"; ok=0
    fi
    rm -rf "$home" "$lab_module_dir"
    if ((ok)); then
        python3 -m zipfile -e "$package"/IpvsTools.*.nupkg "$lab_module_dir" || ok=0
    fi
    dotnet publish tests/IpvsTools.Module.Tests -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -nologo -v quiet || ok=0
    if ((ok)); then : >"$binaries.ok"; else echo "== the cmdlets' lab binaries could not be made"; : >"$binaries.failed"; fi
}

# wait_binaries LOG: waits for lab_binaries, copies its output into LOG (and the terminal); fails when it failed.
wait_binaries() {
    local i
    for ((i = 0; i < 3600; i++)); do
        [[ -e $binaries.ok || -e $binaries.failed ]] && break
        sleep 1
    done
    tee -a "$1" <"$binaries.log"
    [[ -e $binaries.ok ]]
}

# run_tier NAME [ARGS...]: runs one tier (or one part of the pwsh tier) and writes "passed failed total seconds"
# to $results/NAME, for the closing summary.
run_tier() {
    local name=$1
    shift
    local log status=0 started=$SECONDS
    log=$(mktemp /tmp/ipvstools-tier-XXXXXX.log)
    case $name in
        unit)
            say "tier unit: no privileges, no kernel"
            for exe in "$core" "$module"; do
                run_suite "$log" "$exe" -noColor -failSkips -trait- Tier=Host -trait- Tier=Lab -trait- Tier=LabNoIpvs -trait- Tier=LabIpsetSuite || status=1
            done
            ;;
        host)
            say "tier host: the host kernel, each test in its own network namespace"
            for exe in "$core" "$module"; do
                run_suite "$log" "$exe" -noColor -failSkips -trait Tier=Host || status=1
            done
            ;;
        lab-core)
            say "tier lab, Core: a Debian kernel with IPVS under QEMU (tests/lab/lab.sh)"
            # One boot runs the engine's lab tests and with them (xunit ORs the -trait filters) the ipset 7.17
            # suite's files for the set types the host kernel lacks (hash:mac, hash:ip,mark, hash:net,net,
            # hash:net,port,net...), played against the lab kernel and the ipset tool: about 550 cases in two
            # classes that run side by side on the lab's two vCPUs. A second boot, without ip_vs and with
            # module loading made to fail, runs the missing-module tests (it needs a kernel where ip_vs was
            # never loaded, so it cannot share a boot). tests/lab/xunit-in-lab.sh prints the crash report of a
            # runner that dies of a signal, and runs it once more.
            run_suite "$log" lab_run --timeout 4500 --env DOTNET_TieredPGO=0 -- \
                bash tests/lab/xunit-in-lab.sh "$core" -- -noColor -failSkips -trait Tier=Lab -trait Tier=LabIpsetSuite || status=1
            wait_binaries "$log" || status=1
            run_suite "$log" lab_run --timeout 900 --no-default-modules "${lab_env[@]}" -- \
                bash tests/lab/xunit-in-lab.sh "$lab_module" -- -noColor -failSkips -trait Tier=LabNoIpvs || status=1
            ;;
        lab-module)
            say "tier lab, Module: the cmdlets' lab tests in a boot of their own (tests/lab/lab.sh)"
            run_suite "$log" lab_run --timeout 4500 "${lab_env[@]}" -- \
                bash tests/lab/xunit-in-lab.sh "$lab_module" -- -noColor -failSkips -trait Tier=Lab || status=1
            ;;
        pwsh*)
            say "tier $name: Pester in real pwsh 7.6 against the installed package"
            # tests/pwsh/run.sh installs pwsh and Pester when missing, packages the build above (or takes the
            # package the other part made), installs the package as README.md says and prints one
            # xunit-shaped count line per run.
            run_suite "$log" bash tests/pwsh/run.sh --no-build "$@" || status=1
            ;;
    esac
    local total errors failed skipped notrun passed bad
    read -r total errors failed skipped notrun < <(tier_counts "$log")
    passed=$((total - errors - failed - skipped - notrun))
    bad=$((errors + failed + skipped + notrun))
    if ((status != 0 && bad == 0)); then bad=1; fi   # a runner that died without a summary
    if ((total == 0)); then bad=$((bad > 0 ? bad : 1)); say "tier $name ran no test"; fi
    echo "$passed $bad $total $((SECONDS - started))" >"$results/$name"
    rm -f "$log"
}

# The lab (QEMU) is most of the run and does not need the host tiers' results, so with the lab tier it runs in the
# background, under one hold of the lab lock (no other lab run on this machine meanwhile): the engine's lab boot
# with the ipset suite, the no-ip_vs boot, the cmdlets' boot, then the pwsh tier's lab part, one guest at a time.
# The foreground runs unit, host and the pwsh tier's host and unprivileged parts. Output: the foreground's, then
# the lab's (followed while it runs). Beside them, lab_binaries makes the package and the cmdlets' ReadyToRun tests
# while the engine's boot runs: the cmdlets' lab tests import the package, and both pwsh parts install it.
# Without the lab tier, the tiers run one after another in the foreground.
# (Two guests side by side were tried and lost: on two cores each guest ran at less than half its speed alone,
# the cmdlets' boot 1725 s instead of 662 s, and the whole run took 2121 s instead of 1936 s.)
order=()
if want lab; then
    # Installs first, one at a time (apt and the .NET tool install must not race).
    # pwsh as well without the pwsh tier: build.ps1 makes the package the lab's cmdlet tests import.
    bash tests/pwsh/install.sh || die "tests/pwsh/install.sh failed"
    bash tests/lab/lab.sh prepare || die "tests/lab/lab.sh prepare failed"
    lab_log=$results/lab.log
    : >"$lab_log"
    lab_binaries >"$binaries.log" 2>&1 &
    say "the lab runs in the background, one boot after another; its output follows the host tiers'"
    (
        exec 8>/tmp/ipvstools-lab-run.lock && flock 8 || { echo "tests/run.sh: cannot take /tmp/ipvstools-lab-run.lock" >&2; exit 1; }
        export IPVSTOOLS_LAB_LOCK_HELD=1
        run_tier lab-core
        run_tier lab-module
        if want pwsh; then run_tier pwsh-lab --package-from "$package" lab; fi
    ) >"$lab_log" 2>&1 &
    lab_pid=$!
    for tier in unit host pwsh; do
        want "$tier" || continue
        if [[ $tier == pwsh ]]; then
            run_tier pwsh-host --package-from "$package" host unprivileged
            order+=(pwsh-host)
        else
            run_tier "$tier"
            order+=("$tier")
        fi
    done
    echo
    say "the lab (the engine's boot, the no-ip_vs boot, the cmdlets' boot$(want pwsh && echo ', the pwsh tier'"'"'s lab part'))"
    tail -n +1 -s 1 -f --pid="$lab_pid" "$lab_log"
    wait "$lab_pid"
    order+=(lab-core lab-module)
    want pwsh && order+=(pwsh-lab)
else
    for tier in "${tiers[@]}"; do
        run_tier "$tier"
        order+=("$tier")
    done
fi

echo
say "summary"
total_passed=0
total_failed=0
for name in "${order[@]}"; do
    label=$name
    case $name in
        lab-core) label="lab (engine, ipset suite, no-ip_vs boot)" ;;
        lab-module) label="lab (cmdlets)" ;;
        pwsh-host) label="pwsh (host, unprivileged)" ;;
        pwsh-lab) label="pwsh (lab)" ;;
    esac
    if [[ -s $results/$name ]]; then
        read -r passed bad total seconds <"$results/$name"
    else
        passed=0 bad=1 total=0 seconds=?
    fi
    echo "  $label: $passed passed, $bad failed (of $total) in $seconds s"
    ((total_passed += passed, total_failed += bad))
done
echo "tests: $total_passed passed, $total_failed failed ($((SECONDS - run_started)) s for the tiers, $SECONDS s in all)"
((total_failed == 0))
