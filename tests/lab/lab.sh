#!/usr/bin/env bash
# IpvsTools kernel lab: runs a command inside a throwaway Debian 12 kernel (with IPVS) under QEMU
# (TCG emulation), chrooted into this machine's root filesystem (shared read-only over 9p).
#
#   lab.sh prepare [--refresh]
#   lab.sh run [--timeout S] [--mem MB] [--modules "m1 m2"] [--no-default-modules]
#              [--env NAME=VALUE | --env NAME]... [--work HOSTDIR] [--keep] [--root-cache loose|none]
#              -- COMMAND [ARGS...]
#   lab.sh clean
#
# See README.md beside this file. Exit codes of `run`: the command's own exit code, or
#   124  the watchdog fired (--timeout): QEMU was killed
#   125  the lab failed (usage, prepare, boot, guest setup, or the command could not be started)
set -uo pipefail

readonly LAB_TIMEOUT_CODE=124
readonly LAB_FAIL_CODE=125
readonly LAB_CACHE=${IPVSTOOLS_LAB_CACHE:-/var/cache/ipvstools-lab}
readonly LAB_PACKAGES=(qemu-system-x86 busybox-static ipvsadm ipset iptables kmod cpio iproute2 util-linux coreutils xz-utils grep)
# Modules the init insmods itself (plus their dependencies, resolved from modules.dep at build time).
readonly LAB_BOOT_MODULES=(virtio_pci 9pnet_virtio 9p)
# Modules loaded up front in every run: IPVS with its default scheduler, the link types and the
# ipset types kube-proxy uses. Everything else is loaded on demand by the kernel through the helper.
readonly LAB_DEFAULT_MODULES="ip_vs ip_vs_rr dummy veth ip_set_hash_ip ip_set_hash_ipport ip_set_hash_ipportip ip_set_hash_ipportnet ip_set_hash_net ip_set_bitmap_port"
readonly LAB_MSIZE=512000

say() { printf 'lab: %s\n' "$*" >&2; }
die() { say "$*"; exit "$LAB_FAIL_CODE"; }

# Quote one word for a POSIX shell (single quotes; embedded ' becomes '\'').
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

# ---------------------------------------------------------------------------------------------
# prepare
# ---------------------------------------------------------------------------------------------

apt_updated=0
apt_update_once() {
    ((apt_updated)) && return 0
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300 >&2 || die "apt-get update failed"
    apt_updated=1
}

ensure_packages() {
    local missing=() p
    for p in "${LAB_PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    ((EUID == 0)) || die "missing packages (${missing[*]}); run 'lab.sh prepare' as root"
    apt_update_once
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2 \
        || die "apt-get install ${missing[*]} failed"
}

# The versioned kernel package that Debian's linux-image-amd64 depends on, as a kernel version.
resolve_kernel_version() {
    local dep
    dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    if [[ -z $dep ]]; then
        apt_update_once
        dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    fi
    [[ -n $dep ]] || die "cannot find the kernel package linux-image-amd64 depends on (apt-cache depends)"
    printf '%s\n' "${dep#linux-image-}"
}

fetch_kernel() { # KVER -> $LAB_CACHE/kernel-KVER with boot/vmlinuz-KVER and lib/modules/KVER + depmod
    local kver=$1 dest=$LAB_CACHE/kernel-$1 tmp deb
    [[ -e $dest/.complete ]] && return 0
    tmp=$(mktemp -d "$LAB_CACHE/.fetch.XXXXXX") || die "cannot create a directory in $LAB_CACHE"
    chmod 0755 "$tmp"
    id _apt >/dev/null 2>&1 && chown _apt "$tmp"
    say "downloading linux-image-$kver"
    if ! (cd "$tmp" && apt-get download -qq "linux-image-$kver" >&2); then
        apt_update_once
        (cd "$tmp" && apt-get download -qq "linux-image-$kver" >&2) || { rm -rf "$tmp"; die "apt-get download linux-image-$kver failed"; }
    fi
    deb=$(ls "$tmp"/linux-image-*.deb 2>/dev/null | head -n1)
    [[ -n $deb ]] || { rm -rf "$tmp"; die "apt-get download produced no .deb"; }
    say "unpacking $(basename "$deb")"
    mkdir "$tmp/x" && dpkg -x "$deb" "$tmp/x" || { rm -rf "$tmp"; die "dpkg -x failed"; }
    mkdir -p "$tmp/tree/boot" "$tmp/tree/lib/modules"
    mv "$tmp/x/boot/vmlinuz-$kver" "$tmp/tree/boot/" && mv "$tmp/x/boot/config-$kver" "$tmp/tree/boot/" \
        && mv "$tmp/x/lib/modules/$kver" "$tmp/tree/lib/modules/" || { rm -rf "$tmp"; die "unexpected layout in $deb"; }
    depmod -b "$tmp/tree" "$kver" || { rm -rf "$tmp"; die "depmod failed"; }
    touch "$tmp/tree/.complete"
    rm -rf "$dest"
    mv "$tmp/tree" "$dest" || { rm -rf "$tmp"; die "cannot move the kernel into $dest"; }
    rm -rf "$tmp"
}

# Decompresses the kernel image once: QEMU boots an uncompressed ELF vmlinux through its PVH entry
# point, which saves the 3-4 s that decompressing the bzImage takes under emulation.
# Prints the image to boot (the bzImage when this kernel has no PVH entry or extraction fails).
boot_image() { # KVER
    local kver=$1 boot=$LAB_CACHE/kernel-$1/boot magic= cmd=() off
    local bz=$boot/vmlinuz-$kver elf=$boot/vmlinux-$kver
    if [[ ! -s $elf ]] && grep -qx 'CONFIG_PVH=y' "$boot/config-$kver" 2>/dev/null; then
        case $(grep -E '^CONFIG_KERNEL_(XZ|ZSTD|GZIP)=y' "$boot/config-$kver") in
            *XZ=y) magic='\xFD7zXZ\x00'; cmd=(xz -dc --single-stream) ;;
            *ZSTD=y) magic='\x28\xB5\x2F\xFD'; cmd=(zstd -qdc) ;;
            *GZIP=y) magic='\x1F\x8B\x08'; cmd=(gzip -dc) ;;
        esac
        if [[ -n $magic ]] && command -v "${cmd[0]}" >/dev/null; then
            off=$(LC_ALL=C grep -obUaP "$magic" "$bz" | head -n1 | cut -d: -f1)
            if [[ -n $off ]] && tail -c +"$((off + 1))" "$bz" | "${cmd[@]}" >"$elf.tmp" 2>/dev/null
                [[ $(head -c 4 "$elf.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
                mv "$elf.tmp" "$elf"
            else
                rm -f "$elf.tmp"
            fi
        fi
    fi
    if [[ -s $elf ]]; then printf '%s\n' "$elf"; else printf '%s\n' "$bz"; fi
}

# PID 1 of the guest (busybox sh). Reads /lab/params (baked at build) and /ctl/lab.conf (per run).
init_script() {
    cat <<'EOF'
#!/bin/sh
# IpvsTools lab guest init (generated by tests/lab/lab.sh). Runs as PID 1 from the initramfs.
PATH=/bin
export PATH
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
mount -t proc proc /proc
. /lab/params
is_mounted() { grep -q "^[^ ]* $1 " /proc/mounts; }
uptime_s() { read -r up _ </proc/uptime; echo "$up"; }
say() { echo "lab-init[$(uptime_s)]: $*"; }
fail() {
    say "FAILED: $*"
    if is_mounted /ctl; then echo "$*" >/ctl/labfail
    elif is_mounted /newroot/run/lab; then echo "$*" >/newroot/run/lab/labfail; fi
    sync
    poweroff -f
    sleep 10
}
for m in $(cat /lab/mods.order); do insmod "/lab/mods/$m" || fail "insmod $m"; done
opts=trans=virtio,version=9p2000.L,msize=$MSIZE
mount -t 9p -o "$opts" labctl /ctl || fail "mounting the control share (9p labctl)"
[ -r /ctl/lab.conf ] || fail "no lab.conf in the control share"
. /ctl/lab.conf
mount -t 9p -o "$opts,ro,cache=$LAB_ROOT_CACHE" hostroot /newroot || fail "mounting the host root (9p hostroot)"
say "9p mounted"
# Paths under the directories that get a fresh tmpfs would be hidden: keep them with bind mounts.
masked() { case "$1/" in /tmp/?*|/run/?*|/var/tmp/?*|/dev/?*) return 0;; esac; return 1; }
n=0
for p in "$LAB_CWD" "$MODROOT"; do
    n=$((n + 1))
    if masked "$p" && [ -d "/newroot$p" ]; then
        mkdir -p "/keep/$n" && mount -o bind "/newroot$p" "/keep/$n" || fail "bind mount of $p"
    fi
done
mount -t proc proc /newroot/proc || fail "mount proc"
mount -t sysfs sys /newroot/sys || fail "mount sysfs"
mount -t devtmpfs dev /newroot/dev || fail "mount devtmpfs"
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 shm /newroot/dev/shm
mount -t tmpfs -o mode=1777 tmp /newroot/tmp || fail "mount tmpfs on /tmp"
mount -t tmpfs -o mode=1777 vartmp /newroot/var/tmp
mount -t tmpfs -o mode=0755 run /newroot/run || fail "mount tmpfs on /run"
mkdir -p /newroot/run/netns /newroot/run/lock /newroot/run/lab
mount -o move /ctl /newroot/run/lab || fail "moving the control share to /run/lab"
if [ "$LAB_WORK_SHARE" = 1 ]; then
    mount -t 9p -o "$opts" labwork /newroot/run/lab/work || fail "mounting the work share (9p labwork)"
fi
n=0
for p in "$LAB_CWD" "$MODROOT"; do
    n=$((n + 1))
    if is_mounted "/keep/$n"; then
        mkdir -p "/newroot$p" && mount -o move "/keep/$n" "/newroot$p" || fail "restoring $p"
    fi
done
hostname lab
ip link set lo up || fail "ip link set lo up"
echo /sbin/lab-modprobe >/proc/sys/kernel/modprobe
if [ -n "$LAB_MODULES" ]; then
    say "loading modules: $LAB_MODULES"
    chroot /newroot /sbin/modprobe -a -d "$MODROOT" -S "$KVER" $LAB_MODULES || fail "modprobe $LAB_MODULES"
fi
say "running the command"
echo "$(uptime_s)" >/newroot/run/lab/boot-seconds
chroot /newroot /usr/bin/env -i /bin/sh /run/lab/cmd.sh </dev/null \
    >/newroot/run/lab/stdout 2>/newroot/run/lab/stderr
rc=$?
echo "$rc" >/newroot/run/lab/rc.tmp && mv /newroot/run/lab/rc.tmp /newroot/run/lab/rc
say "command exited with $rc"
sync
poweroff -f
sleep 10
EOF
}

# The kernel's usermode helper for on-demand module loads. It runs in the initramfs root, so it
# enters the host root itself and uses the unpacked kernel's modules.
modprobe_helper() {
    cat <<'EOF'
#!/bin/sh
. /lab/params
exec /bin/chroot /newroot /sbin/modprobe -d "$MODROOT" -S "$KVER" "$@"
EOF
}

build_initramfs() { # KVER -> prints the initramfs path
    local kver=$1 kdir=$LAB_CACHE/kernel-$1 bb=/bin/busybox hash out stage line mod n=0 a
    [[ -x $bb && $(LC_ALL=C ldd "$bb" 2>&1) == *'not a dynamic executable'* ]] \
        || die "$bb is not a static busybox (package busybox-static)"
    local params="KVER=$(shq "$kver")
MODROOT=$(shq "$kdir")
MSIZE=$LAB_MSIZE"
    local order
    local -A seen=()
    order=$(modprobe -a -d "$kdir" -S "$kver" --show-depends "${LAB_BOOT_MODULES[@]}") \
        || die "cannot resolve the boot modules (${LAB_BOOT_MODULES[*]}) in $kdir"
    hash=$( { sha256sum <"${BASH_SOURCE[0]}"; init_script; modprobe_helper; printf '%s\n' "$params" "$order"; sha256sum <"$bb"; } | sha256sum | cut -c1-16)
    out=$kdir/initramfs-$hash.cpio
    if [[ ! -s $out ]]; then
        say "building the initramfs ($out)"
        stage=$(mktemp -d "$LAB_CACHE/.initramfs.XXXXXX") || die "mktemp failed"
        mkdir -p "$stage"/{bin,sbin,dev,proc,sys,newroot,ctl,keep,lab/mods} || die "mkdir failed"
        cp "$bb" "$stage/bin/busybox"
        for a in $("$bb" --list); do
            [[ $a == busybox ]] || ln -s busybox "$stage/bin/$a"
        done
        [[ $EUID == 0 ]] && mknod -m 600 "$stage/dev/console" c 5 1
        init_script >"$stage/init"
        modprobe_helper >"$stage/sbin/lab-modprobe"
        chmod 0755 "$stage/init" "$stage/sbin/lab-modprobe"
        printf '%s\n' "$params" >"$stage/lab/params"
        : >"$stage/lab/mods.order"
        while read -r line; do
            [[ $line == insmod\ * ]] || continue
            mod=${line#insmod }; mod=${mod%% *}
            [[ -z ${seen[$mod]:-} ]] || continue
            seen[$mod]=1
            n=$((n + 1))
            local name
            name=$(printf '%02d-%s' "$n" "$(basename "$mod")")
            case $mod in
                *.ko) cp "$mod" "$stage/lab/mods/$name" ;;
                *.ko.xz) name=${name%.xz}; xz -dc "$mod" >"$stage/lab/mods/$name" ;;
                *.ko.zst) name=${name%.zst}; zstd -qdc "$mod" >"$stage/lab/mods/$name" ;;
                *.ko.gz) name=${name%.gz}; gzip -dc "$mod" >"$stage/lab/mods/$name" ;;
                *) rm -rf "$stage"; die "unknown module format: $mod" ;;
            esac || { rm -rf "$stage"; die "cannot copy $mod"; }
            printf '%s\n' "$name" >>"$stage/lab/mods.order"
        done <<<"$order"
        (cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z \
            | cpio --null --quiet -o -H newc -R 0:0 --reproducible) >"$out.tmp" \
            || { rm -rf "$stage" "$out.tmp"; die "cpio failed"; }
        mv "$out.tmp" "$out"
        rm -rf "$stage"
        # Builds for other versions of this script unused for a day are stale (others may still run).
        find "$kdir" -maxdepth 1 -name 'initramfs-*.cpio' ! -name "initramfs-$hash.cpio" -mmin +1440 -delete
    fi
    touch "$out" # marks it as in use (see the pruning above)
    printf '%s\n' "$out"
}

# Sets KVER, KDIR, INITRAMFS. Idempotent; takes a lock so parallel runs do not race.
prepare() {
    local refresh=${1:-0}
    mkdir -p "$LAB_CACHE" || die "cannot create $LAB_CACHE"
    exec 9>"$LAB_CACHE/.lock" || die "cannot open $LAB_CACHE/.lock"
    flock 9 || die "cannot lock $LAB_CACHE/.lock"
    ensure_packages
    KVER=${IPVSTOOLS_LAB_KERNEL:-}
    if [[ -z $KVER && $refresh == 0 && -s $LAB_CACHE/current ]]; then
        KVER=$(<"$LAB_CACHE/current")
        [[ -e $LAB_CACHE/kernel-$KVER/.complete ]] || KVER=
    fi
    [[ -n $KVER ]] || KVER=$(resolve_kernel_version) || exit "$LAB_FAIL_CODE"
    fetch_kernel "$KVER"
    KDIR=$LAB_CACHE/kernel-$KVER
    INITRAMFS=$(build_initramfs "$KVER") || exit "$LAB_FAIL_CODE"
    KERNEL_IMAGE=$(boot_image "$KVER")
    if [[ -z ${IPVSTOOLS_LAB_KERNEL:-} ]]; then
        printf '%s\n' "$KVER" >"$LAB_CACHE/current.tmp" && mv "$LAB_CACHE/current.tmp" "$LAB_CACHE/current"
    fi
    exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------

usage() {
    cat >&2 <<'EOF'
usage: lab.sh prepare [--refresh]
       lab.sh run [--timeout SECONDS] [--mem MB] [--modules "m1 m2"] [--no-default-modules]
                  [--env NAME=VALUE | --env NAME]... [--work HOSTDIR] [--keep] [--root-cache loose|none]
                  -- COMMAND [ARGS...]
       lab.sh clean
EOF
}

RUN_DIR= QEMU_PID= TAIL_PIDS=() KEEP=0
cleanup() {
    local p
    [[ -n $QEMU_PID ]] && kill -TERM "$QEMU_PID" 2>/dev/null
    for p in "${TAIL_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    if [[ -n $RUN_DIR && -d $RUN_DIR ]]; then
        if ((KEEP)); then say "kept the run folder $RUN_DIR"; else rm -rf "$RUN_DIR"; fi
    fi
}

on_signal() { # NAME NUMBER
    say "interrupted by SIG$1: stopping QEMU"
    if [[ -n $QEMU_PID ]]; then
        kill -TERM "$QEMU_PID" 2>/dev/null
        wait "$QEMU_PID" 2>/dev/null
        QEMU_PID=
    fi
    exit $((128 + $2))
}

console_tail() {
    local f=$RUN_DIR/console.log
    if [[ -s $f ]]; then
        say "last lines of the guest console:"
        tail -n 25 "$f" | sed 's/^/lab:   /' >&2
    fi
    if [[ -s $RUN_DIR/qemu.log ]]; then
        say "QEMU said:"
        tail -n 10 "$RUN_DIR/qemu.log" | sed 's/^/lab:   /' >&2
    fi
}

run() {
    local timeout=1500 mem=3072 modules=$LAB_DEFAULT_MODULES extra_modules= work= root_cache=loose
    local envs=() e name
    while (($#)); do
        case $1 in
            --timeout) [[ ${2:-} =~ ^[0-9]+$ && $2 -gt 0 ]] || die "--timeout needs a positive number of seconds"; timeout=$2; shift 2 ;;
            --mem) [[ ${2:-} =~ ^[0-9]+$ && $2 -ge 256 ]] || die "--mem needs a size in MB (>= 256)"; mem=$2; shift 2 ;;
            --modules) [[ $# -ge 2 ]] || die "--modules needs a list"; extra_modules+=" $2"; shift 2 ;;
            --no-default-modules) modules=; shift ;;
            --env)
                [[ $# -ge 2 ]] || die "--env needs NAME=VALUE or NAME"
                e=$2; name=${e%%=*}
                [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "--env: bad variable name in '$e'"
                if [[ $e != *=* ]]; then
                    [[ -v $name ]] || die "--env $name: not set on the host"
                    e="$name=${!name}"
                fi
                envs+=("$e"); shift 2 ;;
            --work) [[ -n ${2:-} ]] || die "--work needs a host directory"; work=$2; shift 2 ;;
            --root-cache) [[ ${2:-} =~ ^(loose|none|mmap)$ ]] || die "--root-cache: loose, none or mmap"; root_cache=$2; shift 2 ;;
            --keep) KEEP=1; shift ;;
            --) shift; break ;;
            -h|--help) usage; exit 0 ;;
            -*) usage; die "unknown option $1" ;;
            *) break ;;
        esac
    done
    (($#)) || { usage; die "run: no command given"; }
    modules=$(echo $modules $extra_modules)
    [[ $modules =~ ^[A-Za-z0-9_:\ -]*$ ]] || die "--modules: bad module name in '$modules'"

    prepare 0

    local cwd
    cwd=$(pwd -P) || die "cannot resolve the current directory"
    RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ipvstools-lab.XXXXXX") || die "mktemp failed"
    trap cleanup EXIT
    trap 'on_signal INT 2' INT
    trap 'on_signal TERM 15' TERM
    trap 'on_signal HUP 1' HUP
    mkdir "$RUN_DIR/work"
    local work_share=0
    if [[ -n $work ]]; then
        mkdir -p "$work" || die "cannot create $work"
        work=$(cd "$work" && pwd -P) || die "cannot resolve $work"
        work_share=1
    fi
    : >"$RUN_DIR/stdout"; : >"$RUN_DIR/stderr"

    {
        printf 'LAB_CWD=%s\n' "$(shq "$cwd")"
        printf 'LAB_MODULES=%s\n' "$(shq "$modules")"
        printf 'LAB_WORK_SHARE=%s\n' "$work_share"
        printf 'LAB_ROOT_CACHE=%s\n' "$root_cache"
    } >"$RUN_DIR/lab.conf"

    # The command script, run by the host root's /bin/sh inside the chroot with an empty environment.
    local dotnet_dir= path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin d
    d=$(command -v dotnet 2>/dev/null) && dotnet_dir=$(dirname "$(readlink -f "$d")")
    [[ -n $dotnet_dir ]] && path+=":$dotnet_dir"
    {
        echo 'umask 022'
        local -a defaults=(
            "IPVSTOOLS_LAB=1" "IPVSTOOLS_LAB_KERNEL=$KVER" "IPVSTOOLS_LAB_WORK=/run/lab/work"
            "IPVSTOOLS_LAB_HOST_WORK=${work:-$RUN_DIR/work}"
            "PATH=$path" "HOME=/tmp/home" "USER=root" "LOGNAME=root" "LANG=C.UTF-8" "TMPDIR=/tmp"
            "XDG_CACHE_HOME=/tmp/xdg/cache" "XDG_DATA_HOME=/tmp/xdg/data" "XDG_CONFIG_HOME=/tmp/xdg/config"
            "XDG_RUNTIME_DIR=/run/user/0"
            "DOTNET_CLI_HOME=/tmp/home" "DOTNET_CLI_TELEMETRY_OPTOUT=1" "DOTNET_NOLOGO=1"
            "DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1" "DOTNET_GENERATE_ASPNET_CERTIFICATE=0"
            "POWERSHELL_TELEMETRY_OPTOUT=1" "POWERSHELL_UPDATECHECK=Off"
        )
        [[ -n $dotnet_dir ]] && defaults+=("DOTNET_ROOT=$dotnet_dir")
        for e in "${defaults[@]}" "${envs[@]}"; do
            printf 'export %s=%s\n' "${e%%=*}" "$(shq "${e#*=}")"
        done
        echo 'mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" || exit 125'
        printf 'cd %s || exit 125\n' "$(shq "$cwd")"
        echo ': >/run/lab/started || exit 125'
        printf 'exec'
        for e in "$@"; do printf ' %s' "$(shq "$e")"; done
        printf '\n'
    } >"$RUN_DIR/cmd.sh"

    # smap=off: QEMU 7.2's TCG checks IRETQ's stack reads as supervisor accesses even from user mode, so with
    # SMAP on, a user-mode IRETQ (the .NET runtime's RtlRestoreContext, e.g. resuming a thread after GC
    # suspension) makes the guest kernel oops ("#PF: supervisor read access in user mode", the fault address
    # the user stack) and kill the thread: a test runner then hangs or aborts. Seen in CI, 2026-11-24.
    local -a qemu=(
        qemu-system-x86_64 -nodefaults -no-user-config -no-reboot
        -accel tcg,thread=multi -cpu max,smap=off -smp 2 -m "$mem"
        -display none -monitor none -serial "file:$RUN_DIR/console.log"
        -kernel "$KERNEL_IMAGE" -initrd "$INITRAMFS"
        -append "console=ttyS0 quiet loglevel=1 panic=-1 mitigations=off"
        -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
        -virtfs "local,path=$RUN_DIR,mount_tag=labctl,security_model=none,multidevs=remap"
    )
    ((work_share)) && qemu+=(-virtfs "local,path=$work,mount_tag=labwork,security_model=none,multidevs=remap")

    local start=$SECONDS
    # `timeout` is the watchdog: TERM at the deadline, KILL 10 s later; it exits 124 when it fired.
    timeout --kill-after=10 "$timeout" "${qemu[@]}" </dev/null >"$RUN_DIR/qemu.log" 2>&1 &
    QEMU_PID=$!
    tail -c +1 -s 0.2 -f --pid="$QEMU_PID" "$RUN_DIR/stdout" &
    TAIL_PIDS+=($!)
    tail -c +1 -s 0.2 -f --pid="$QEMU_PID" "$RUN_DIR/stderr" >&2 &
    TAIL_PIDS+=($!)
    wait "$QEMU_PID"
    local qrc=$?
    QEMU_PID=
    wait "${TAIL_PIDS[@]}" 2>/dev/null
    TAIL_PIDS=()

    if [[ -s $RUN_DIR/rc && -e $RUN_DIR/started ]]; then
        local rc
        rc=$(<"$RUN_DIR/rc")
        [[ $rc =~ ^[0-9]+$ ]] || die "the guest wrote an unreadable exit code '$rc'"
        return "$rc"
    fi
    if ((qrc == 124)); then
        say "timeout: the command did not finish within ${timeout}s (--timeout); QEMU was killed"
        console_tail
        exit "$LAB_TIMEOUT_CODE"
    fi
    if [[ -s $RUN_DIR/labfail ]]; then
        say "guest setup failed: $(<"$RUN_DIR/labfail")"
        console_tail
        exit "$LAB_FAIL_CODE"
    fi
    if [[ -s $RUN_DIR/rc ]]; then
        say "the command could not be started in the guest (see its stderr above)"
        exit "$LAB_FAIL_CODE"
    fi
    if [[ ! -s $RUN_DIR/console.log ]]; then
        say "QEMU failed to boot the lab (exit code $qrc after $((SECONDS - start))s)"
    elif [[ -e $RUN_DIR/started ]]; then
        say "the guest stopped before the command finished (QEMU exit code $qrc after $((SECONDS - start))s)"
    else
        say "the lab did not boot to the command (QEMU exit code $qrc after $((SECONDS - start))s)"
    fi
    console_tail
    exit "$LAB_FAIL_CODE"
}

main() {
    local cmd=${1:-}
    (($#)) && shift
    case $cmd in
        prepare)
            local refresh=0
            [[ ${1:-} == --refresh ]] && refresh=1
            prepare "$refresh"
            say "ready: kernel $KVER in $KDIR ($(basename "$KERNEL_IMAGE"), $(basename "$INITRAMFS"))"
            ;;
        run) run "$@"; exit $? ;;
        clean) rm -rf "$LAB_CACHE" && say "removed $LAB_CACHE" ;;
        -h|--help|help) usage ;;
        *) usage; exit "$LAB_FAIL_CODE" ;;
    esac
}

main "$@"
