#!/usr/bin/env bash
# The pwsh test tier: Pester tests of the module's surface in real pwsh, against the installed package.
#
#     bash tests/pwsh/run.sh [--no-build] [--package-from DIR] [host] [unprivileged] [lab]
#                                                                         (as root, from anywhere)
#
# --package-from DIR takes the .nupkg from DIR instead of packaging, waiting for DIR/.ready (or DIR/.failed):
# tests/run.sh packages once (its lab_binaries) for both of its pwsh parts.
#
# 1. tests/pwsh/install.sh: pwsh 7.6.10 (.NET tool), Pester 5.7.1 (NuGet), openssh-server (idempotent);
# 2. `pwsh ./build.ps1 -Task Package` (-NoBuild with --no-build) puts the .nupkg into a fresh folder;
# 3. in a private mount namespace whose /usr/local/share/powershell is a tmpfs (so the machine's own
#    AllUsers modules folder is never written), installs it as README.md says: that folder as a local
#    PSResourceGet repository (Register-PSResourceRepository), Install-PSResource -Scope AllUsers; every
#    test then does `Import-Module IpvsTools` by name;
# 4. runs tests/pwsh/*.Tests.ps1 through Invoke-PesterTier.ps1, which writes NUnit XML and prints an
#    xunit-shaped "Total: N, Errors: E, Failed: F, Skipped: S, Not Run: 0" line per run:
#      host          tags Unit and Host, as root on the host kernel (tests make throwaway namespaces);
#      unprivileged  tag Unprivileged, as the system user ipvstools-test (created when missing);
#      lab           tag Lab, inside the QEMU lab (tests/lab/lab.sh, serialized by
#                    /tmp/ipvstools-lab-run.lock unless IPVSTOOLS_LAB_LOCK_HELD=1 says the caller holds it),
#                    which sees the same installed module.
# Exit code 0 only when every run passed with at least one test. NUnit files stay in the printed folder
# when a run fails (IPVSTOOLS_PWSH_KEEP=1 keeps them always).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
readonly PWSH=/opt/ipvstools/pwsh/pwsh
readonly TEST_USER=ipvstools-test
readonly MODULES_ROOT=/usr/local/share/powershell

say() { printf '== pwsh: %s\n' "$*"; }
die() { printf 'tests/pwsh/run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------
# Stage 2, inside the private mount namespace: install, then the runs.
# ---------------------------------------------------------------------------------------------------------
if [[ ${1:-} == --inside ]]; then
    shift
    work=$1; shift
    parts=("$@")
    mkdir -p "$MODULES_ROOT" && mount -t tmpfs -o mode=0755 ipvstools-pwsh-modules "$MODULES_ROOT" \
        || die "cannot mount a tmpfs on $MODULES_ROOT in the test's mount namespace"
    # What pwsh writes for root (PSResourceGet's repository list, the module analysis cache) goes to a
    # throwaway home, not /root.
    export HOME=$work/home/root XDG_CACHE_HOME=$work/home/root/.cache XDG_DATA_HOME=$work/home/root/.local/share \
        XDG_CONFIG_HOME=$work/home/root/.config DOTNET_CLI_HOME=$work/home/root
    export POWERSHELL_TELEMETRY_OPTOUT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_UPDATECHECK=Off NO_COLOR=1
    export IPVSTOOLS_REPO=$root IPVSTOOLS_PWSH_REPOSITORY=$work/repository
    # .NET returns no LocalApplicationData folder while it does not exist, and PSResourceGet then writes its
    # repository list under the current directory: create the folders first.
    mkdir -p "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"

    # README.md's install steps, as written (the repository folder holds the .nupkg build.ps1 made).
    say "installing the package as README.md says (Register-PSResourceRepository, Install-PSResource -Scope AllUsers)"
    "$PWSH" -NoLogo -NoProfile -NonInteractive -Command "
        \$ErrorActionPreference = 'Stop'
        Register-PSResourceRepository -Name IpvsToolsLocal -Uri '$work/repository' -Trusted
        Install-PSResource IpvsTools -Repository IpvsToolsLocal -Scope AllUsers
        \$m = Get-Module -ListAvailable IpvsTools
        if (-not \$m) { throw 'Install-PSResource left no module that Get-Module -ListAvailable finds' }
        \"installed IpvsTools \$(\$m.Version) at \$(\$m.ModuleBase)\"" || die "installing the package failed"

    status=0
    run_part() { # NAME TAGS EXCLUDE OUTPUT -- COMMAND PREFIX...
        local name=$1 tags=$2 exclude=$3 output=$4
        shift 5
        say "run $name (tags $tags)"
        "$@" "$PWSH" -NoLogo -NoProfile -NonInteractive -File "$here/Invoke-PesterTier.ps1" -Name "$name" \
            -Tag "$tags" ${exclude:+-ExcludeTag "$exclude"} -OutputPath "$output" || status=1
    }
    mkdir -p "$work/results" && chmod 0777 "$work/results"
    for part in "${parts[@]}"; do
        case $part in
            host) run_part host Unit,Host Lab,Unprivileged "$work/results/host.xml" -- env ;;
            unprivileged)
                if ! id -u "$TEST_USER" >/dev/null 2>&1; then
                    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$TEST_USER" \
                        || die "useradd $TEST_USER failed"
                fi
                user_home=$work/home/$TEST_USER
                mkdir -p "$user_home/.cache" "$user_home/.local/share" "$user_home/.config" && chown -R "$TEST_USER:" "$user_home"
                if ! runuser -u "$TEST_USER" -- test -r "$here/Invoke-PesterTier.ps1"; then
                    echo "pwsh unprivileged: $TEST_USER cannot read $here; the run cannot start" >&2
                fi
                # Debian's PATH for an ordinary user (/etc/profile, /etc/login.defs): no sbin folders.
                run_part unprivileged Unprivileged '' "$work/results/unprivileged.xml" -- runuser -u "$TEST_USER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/games \
                    HOME="$user_home" USER="$TEST_USER" LANG=C.UTF-8 TERM=dumb DOTNET_ROOT="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}" \
                    DOTNET_CLI_HOME="$user_home" XDG_CACHE_HOME="$user_home/.cache" XDG_DATA_HOME="$user_home/.local/share" \
                    XDG_CONFIG_HOME="$user_home/.config" POWERSHELL_TELEMETRY_OPTOUT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
                    DOTNET_NOLOGO=1 POWERSHELL_UPDATECHECK=Off NO_COLOR=1 IPVSTOOLS_REPO="$root"
                ;;
            lab)
                mkdir -p "$work/lab"
                # The lab sees this namespace's tmpfs (QEMU's 9p export of / follows its mounts), so the
                # installed module imports by name there too; HOME and the XDG folders are the lab's tmpfs.
                # DOTNET_TieredPGO=0: under emulation the JIT's instrumented tier costs each pwsh start seconds
                # (a start with Import-Module and a listing, 23-24 s -> 14-18 s); no behaviour changes.
                # The lab lock, unless the caller holds it for this run (tests/run.sh: IPVSTOOLS_LAB_LOCK_HELD=1).
                lock=(flock /tmp/ipvstools-lab-run.lock)
                [[ ${IPVSTOOLS_LAB_LOCK_HELD:-} == 1 ]] && lock=()
                run_part lab Lab '' /run/lab/work/lab.xml -- "${lock[@]}" bash "$root/tests/lab/lab.sh" run --timeout 2700 \
                    --work "$work/lab" --env IPVSTOOLS_REPO="$root" --env POWERSHELL_UPDATECHECK=Off --env NO_COLOR=1 --env TERM=dumb \
                    --env DOTNET_TieredPGO=0 --
                [[ -f $work/lab/lab.xml ]] && cp "$work/lab/lab.xml" "$work/results/lab.xml"
                ;;
            *) die "unknown part '$part' (host, unprivileged, lab)" ;;
        esac
    done
    exit "$status"
fi

# ---------------------------------------------------------------------------------------------------------
# Stage 1: install the tools, package, enter the mount namespace.
# ---------------------------------------------------------------------------------------------------------
((EUID == 0)) || die "run as root (installs pwsh and Pester, makes network namespaces, mounts a tmpfs)"
build=1
parts=()
package_from=
while (($#)); do
    case $1 in
        --no-build) build=0 ;;
        --package-from) [[ -n ${2:-} ]] || die "--package-from needs a folder"; package_from=$2; shift ;;
        host | unprivileged | lab) parts+=("$1") ;;
        *) die "unknown argument '$1' (--no-build, --package-from DIR, host, unprivileged, lab)" ;;
    esac
    shift
done
((${#parts[@]})) || parts=(host unprivileged lab)

bash "$here/install.sh" || die "tests/pwsh/install.sh failed"

work=$(mktemp -d /tmp/ipvstools-pwsh-XXXXXX) || die "mktemp failed"
chmod 0755 "$work"
mkdir -p "$work/repository" "$work/home"
cleanup() {
    if [[ ${status:-1} -eq 0 && -z ${IPVSTOOLS_PWSH_KEEP:-} ]]; then rm -rf "$work"; else say "results kept in $work/results"; fi
}
trap cleanup EXIT

if [[ -n $package_from ]]; then
    say "waiting for the package in $package_from"
    for ((i = 0; i < 3600; i++)); do
        [[ -e $package_from/.ready || -e $package_from/.failed ]] && break
        sleep 1
    done
    [[ -e $package_from/.ready ]] || die "no package came to $package_from (packaging failed or took over an hour)"
    cp "$package_from"/IpvsTools.*.nupkg "$work/repository/" || die "cannot copy the package from $package_from"
else
    say "packaging (pwsh ./build.ps1 -Task Package$( ((build)) || echo ' -NoBuild'))"
    # Into a folder of its own (build.ps1 lays the versioned module out under it too); the repository gets the .nupkg.
    package_args=(-Task Package -OutputPath "$work/package")
    ((build)) || package_args+=(-NoBuild)
    packaged=0
    (cd "$root" && HOME=$work/home NO_COLOR=1 DOTNET_CLI_HOME=$work/home POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off \
        "$PWSH" -NoLogo -NoProfile -NonInteractive -File ./build.ps1 "${package_args[@]}") && compgen -G "$work/package/IpvsTools.*.nupkg" >/dev/null \
        && cp "$work/package"/IpvsTools.*.nupkg "$work/repository/" && packaged=1
    ((packaged)) || die "build.ps1 -Task Package failed or made no .nupkg in $work/repository"
fi

unshare --mount --propagation private bash "$here/run.sh" --inside "$work" "${parts[@]}"
status=$?
exit "$status"
