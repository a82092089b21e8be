#!/usr/bin/env bash
# A second layout of the built module whose two assemblies (IpvsTools.dll, IpvsTools.Core.dll) are ReadyToRun
# images for this machine's runtime identifier, for tests/bench/pwsh --r2r (an experiment: the package is not
# changed by it). A ReadyToRun image still carries its IL: on another architecture the runtime ignores the
# precompiled code and compiles the IL as usual.
#
#     bash tests/bench/r2r-layout.sh [DIR]     # DIR default out/IpvsTools-r2r; after dotnet build -c Release
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-out/IpvsTools-r2r}
case $(uname -m) in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "r2r-layout.sh: no ReadyToRun runtime identifier for $(uname -m)" >&2; exit 2 ;;
esac
[[ -f out/IpvsTools/IpvsTools.psd1 ]] || { echo "r2r-layout.sh: build first: dotnet build -c Release" >&2; exit 2; }
publish=$(mktemp -d /tmp/ipvstools-r2r-XXXXXX)
trap 'rm -rf "$publish"' EXIT
# The module's own layout target must not overwrite out/IpvsTools from the RID-specific build: send it aside.
dotnet publish src/IpvsTools/IpvsTools.csproj -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -p:ModuleLayoutDir="$publish/layout/" -o "$publish/out" -nologo -v quiet
rm -rf "$dir"
cp -a out/IpvsTools "$dir"
cp "$publish/out/IpvsTools.dll" "$publish/out/IpvsTools.Core.dll" "$dir/"
echo "ReadyToRun ($rid) layout at $dir: $(stat -c '%n %s' "$dir/IpvsTools.dll" "$dir/IpvsTools.Core.dll" | tr '\n' ' ')"
