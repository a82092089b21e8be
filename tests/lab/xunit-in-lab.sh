#!/usr/bin/env bash
# Runs xunit test executables inside the lab, one after another, with the same arguments:
#     bash tests/lab/xunit-in-lab.sh EXE... -- ARGS...
# A runner that dies of a signal (the .NET runtime turns a native fault into SIGABRT, and prints nothing)
# has its crash report printed (DOTNET_EnableCrashReportOnly: the crashing thread's frames, managed and
# native) and is run once more, saying so loudly: a crash is reported, never hidden, and every test still
# has to pass in the second run. Exits non-zero when any executable failed (or crashed twice).
set -uo pipefail
exes=()
while (($#)) && [[ $1 != -- ]]; do exes+=("$1"); shift; done
(($#)) && shift
((${#exes[@]})) || { echo "usage: xunit-in-lab.sh EXE... -- ARGS..." >&2; exit 2; }

crashes=$(mktemp -d /tmp/ipvstools-crash-XXXXXX)
export DOTNET_DbgEnableMiniDump=1 DOTNET_EnableCrashReport=1 DOTNET_EnableCrashReportOnly=1
export DOTNET_DbgMiniDumpName="$crashes/dump.%p"
trap 'rm -rf "$crashes"' EXIT

# report PID: the crashed thread's frames from the runtime's crash report, if one was written.
report() {
    local file="$crashes/dump.$1.crashreport.json"
    if [[ ! -s $file ]]; then echo "  (no crash report was written: $(ls "$crashes" 2>/dev/null | tr '\n' ' '))"; return; fi
    python3 - "$file" <<'PY'
import json, sys
payload = json.load(open(sys.argv[1])).get("payload", {})
threads = payload.get("threads", [])
crashed = [t for t in threads if str(t.get("crashed")).lower() == "true"] or threads[:1]
for t in crashed:
    print(f"  crashed thread {t.get('native_thread_id')}: {t.get('managed_exception_type') or 'no managed exception'}")
    for f in t.get("stack_frames", [])[:40]:
        managed = str(f.get("is_managed")).lower() == "true"
        where = f.get("method_name") or f.get("unmanaged_name") or f.get("native_image_offset") or f.get("native_address")
        print(f"    {'M' if managed else 'N'} {f.get('native_module') or f.get('filename') or '?'}!{where}")
PY
}

status=0
for exe in "${exes[@]}"; do
    for attempt in 1 2; do
        "$exe" "$@" &
        pid=$!
        wait "$pid"
        rc=$?
        ((rc >= 128 && rc < 160)) || break
        echo "xunit-in-lab: $(basename "$exe") (pid $pid) died of signal $((rc - 128)) without finishing (attempt $attempt of 2)" >&2
        report "$pid" >&2
        if ((attempt == 1)); then echo "xunit-in-lab: running $(basename "$exe") again, from the start" >&2; fi
    done
    ((rc == 0)) || status=1
done
exit "$status"
