#!/usr/bin/env bash
# Installs what the pwsh test tier needs on a fresh Debian machine, idempotently (as root):
#   - pwsh 7.6.10, the .NET tool `PowerShell`, at /opt/ipvstools/pwsh (readable by every user, so the
#     tier can also run it as an unprivileged user; without --version dotnet takes 7.7.0, which fails here);
#   - Pester 5.7.1 from NuGet, unzipped to /opt/ipvstools/pester/5.7.1 (tools/Pester.psd1 is the module;
#     Install-Module cannot reach the PowerShell Gallery from these machines);
#   - Debian's openssh-server and openssh-client (PowerShell remoting over SSH for the fleet tests),
#     without starting the system's sshd: the tests start their own inside throwaway namespaces.
# Prints nothing when everything is in place. Exit code non-zero with the reason when something fails.
set -uo pipefail

readonly PWSH_VERSION=7.6.10
readonly PESTER_VERSION=5.7.1
readonly PREFIX=${IPVSTOOLS_TOOLS:-/opt/ipvstools}
readonly PWSH_DIR=$PREFIX/pwsh
readonly PESTER_DIR=$PREFIX/pester/$PESTER_VERSION
readonly PESTER_URL=https://api.nuget.org/v3-flatcontainer/pester/$PESTER_VERSION/pester.$PESTER_VERSION.nupkg

say() { printf 'tests/pwsh/install.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

((EUID == 0)) || die "run as root (installs into $PREFIX and with apt)"

# tests/run.sh starts the pwsh tier's host parts and its lab part side by side: one install at a time.
exec 9>/tmp/ipvstools-pwsh-install.lock && flock 9 || die "cannot lock /tmp/ipvstools-pwsh-install.lock"

# apt packages: the ssh server and client, unzip for the Pester package, curl to fetch it.
packages=(openssh-server openssh-client unzip curl ca-certificates)
missing=()
for p in "${packages[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    # Keep the package's scripts from starting the system's sshd on port 22 (a CI machine needs none):
    # policy-rc.d is Debian's switch for that; put one in place only for this install when there is none.
    policy=/usr/sbin/policy-rc.d temporary_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && temporary_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300 >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
    status=$?
    ((temporary_policy)) && rm -f "$policy"
    ((status == 0)) || die "apt-get install ${missing[*]} failed"
fi

# pwsh: the .NET tool, pinned.
installed=$("$PWSH_DIR/pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null)
if [[ $installed != "$PWSH_VERSION" ]]; then
    command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH; install .NET SDK 10"
    say "installing pwsh $PWSH_VERSION (dotnet tool PowerShell) into $PWSH_DIR"
    mkdir -p "$PREFIX"
    if [[ -n $installed || -e $PWSH_DIR/pwsh ]]; then
        dotnet tool uninstall PowerShell --tool-path "$PWSH_DIR" >/dev/null 2>&1
    fi
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$PWSH_DIR" >&2 \
        || die "dotnet tool install PowerShell --version $PWSH_VERSION failed"
    installed=$("$PWSH_DIR/pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null)
    [[ $installed == "$PWSH_VERSION" ]] || die "$PWSH_DIR/pwsh does not run as pwsh $PWSH_VERSION after the install (got '$installed')"
fi

# Pester: the NuGet package, unzipped; tools/ is the module.
if [[ ! -f $PESTER_DIR/tools/Pester.psd1 ]]; then
    say "installing Pester $PESTER_VERSION from $PESTER_URL into $PESTER_DIR"
    tmp=$(mktemp -d /tmp/ipvstools-pester-XXXXXX) || die "mktemp failed"
    trap 'rm -rf "$tmp"' EXIT
    curl -fsSL --retry 3 -o "$tmp/pester.nupkg" "$PESTER_URL" || die "downloading $PESTER_URL failed"
    mkdir -p "$tmp/unpacked" && unzip -q -o "$tmp/pester.nupkg" -d "$tmp/unpacked" || die "unzipping the Pester package failed"
    [[ -f $tmp/unpacked/tools/Pester.psd1 ]] || die "the Pester package has no tools/Pester.psd1"
    mkdir -p "$(dirname "$PESTER_DIR")" && rm -rf "$PESTER_DIR" && mv "$tmp/unpacked" "$PESTER_DIR" || die "cannot place Pester in $PESTER_DIR"
fi

# Every user reads and runs both (the unprivileged run uses the same pwsh and Pester).
chmod -R a+rX "$PREFIX" || die "chmod -R a+rX $PREFIX failed"
exit 0
