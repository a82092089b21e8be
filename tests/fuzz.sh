#!/usr/bin/env bash
# The long fuzz run: every fixed-seed parser fuzz test (trait Category=Fuzz) with its iteration count
# multiplied, printing each parser's outcome counts and time. No privileges, no kernel.
#
#     bash tests/fuzz.sh          # x50 (about 50 times the unit tier's fuzz inputs)
#     bash tests/fuzz.sh 200      # x200
#
# Build first (dotnet build -c Release). The seeds stay fixed: a longer run replays the unit tier's
# inputs first and goes on from there, so a failure names an iteration that reproduces.
set -uo pipefail
cd "$(dirname "$0")/.."
multiplier=${1:-50}
exe=tests/IpvsTools.Core.Tests/bin/Release/net10.0/IpvsTools.Core.Tests
[[ -x $exe ]] || { echo "tests/fuzz.sh: $exe is not built: run dotnet build -c Release" >&2; exit 1; }
echo "== fuzz x$multiplier (IPVSTOOLS_FUZZ_ITERATIONS=$multiplier)"
IPVSTOOLS_FUZZ_ITERATIONS=$multiplier "$exe" -noColor -failSkips -diagnostics -parallel none -trait Category=Fuzz
