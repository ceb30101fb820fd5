#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a throw-away QEMU VM (TCG) with the door module loaded and run one
# command in it.
#
#   tools/vm-run.sh [options] [--] [COMMAND [ARGS...]]
#
#   --kver 6.1|6.12   kernel series to boot (default 6.1): the newest
#                     /boot/vmlinuz-<KVER>.*-cloud-amd64 (tools/deps.sh KVER)
#   --kernel PATH     boot this bzImage/vmlinuz instead
#   --smp N           vCPUs (default 2; 1 with --icount)
#   --mem MB          memory (default 1024)
#   --timeout SEC     kill QEMU after SEC seconds (default 1800).  The guest
#                     gives up itself after SEC - SEC/10 - 10 seconds of guest
#                     time: it prints the kernel stacks of every user thread
#                     (/proc/PID/task/TID/stack), dmesg, DOOR-VM-RC=124.
#   --icount          -icount shift=0,sleep=off: guest time counts guest
#                     instructions (reproducible timings; single-threaded TCG).
#                     Needs --smp 1: QEMU 7.2 hangs in SeaBIOS with icount and
#                     more than one vCPU, so --icount implies --smp 1.
#   --results FILE    also write the console log to FILE
#   --no-module       do not insmod /door/door.ko
#   --append ARGS     extra kernel command line for the guest, e.g.
#                     --append slub_debug=P (poison freed slab objects, so
#                     that a use-after-free reads 0x6b... and faults); may be
#                     given more than once.  $VM_APPEND is added as well.
#
# The guest is the busybox initramfs of tools/mkinitramfs.sh: the repository's
# artefacts are under /door (door.ko, lib/, tests/, examples/), the command
# runs with `sh` in /door with LD_LIBRARY_PATH=/door/lib.  COMMAND is written
# into the image as /door/cmd:
#   - a single argument is taken as a shell command line, like `sh -c`:
#       tools/vm-run.sh -- 'lsmod; ls -l /dev/door'
#   - several arguments are quoted one by one and run as a simple command:
#       tools/vm-run.sh -- /door/tests/run-suite.sh -v
#   - no command at all gives an interactive shell (`exit` powers off; when
#     stdin is not a terminal the command's stdin is /dev/null).
# In the -nographic console, Ctrl-A x kills QEMU.
#
# The console is streamed to stdout, and saved in build/vm-console.log when
# QEMU exits (and to --results FILE as it comes).  Exit status:
#   the command's exit status  normally (DOOR-VM-RC=<n> line from the guest);
#   125                        door.ko missing or insmod failed (in the guest)
#   124                        no DOOR-VM-RC line: timeout, panic or hang
#                              (or the guest's own watchdog fired);
#   3                          kernel splat (BUG:, WARNING:, Oops, hung task,
#                              KASAN, UBSAN, lockdep, kmemleak leak reports,
#                              Call Trace:, ...) in the kernel log, whatever
#                              the command returned;
#   2                          bad usage or missing kernel/qemu.
# Splats are looked for in kernel log lines ("[ 12.345678] ...", i.e. the
# console and the dmesg dump the guest prints before powering off) so that
# program output cannot trigger them; if the guest never reported an exit
# status the whole console is searched.
# Extra QEMU arguments may be given in $VM_QEMU_ARGS (split on whitespace);
# $DOOR_TOP makes tools/mkinitramfs.sh take the artefacts from another tree.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build

KVER=6.1
KERNEL=
SMP=
MEM=1024
TIMEOUT=1800
ICOUNT=0
RESULTS=
NOMODULE=0
EXTRA_APPEND=${VM_APPEND:-}

die() {
	echo "vm-run: $*" >&2
	exit 2
}

usage() {
	sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

need_arg() {
	[ $# -ge 2 ] || die "$1 needs an argument"
}

while [ $# -gt 0 ]; do
	case $1 in
	--kver) need_arg "$@"; KVER=$2; shift 2 ;;
	--kver=*) KVER=${1#*=}; shift ;;
	--kernel) need_arg "$@"; KERNEL=$2; shift 2 ;;
	--kernel=*) KERNEL=${1#*=}; shift ;;
	--smp) need_arg "$@"; SMP=$2; shift 2 ;;
	--smp=*) SMP=${1#*=}; shift ;;
	--mem) need_arg "$@"; MEM=$2; shift 2 ;;
	--mem=*) MEM=${1#*=}; shift ;;
	--timeout) need_arg "$@"; TIMEOUT=$2; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	--icount) ICOUNT=1; shift ;;
	--results) need_arg "$@"; RESULTS=$2; shift 2 ;;
	--results=*) RESULTS=${1#*=}; shift ;;
	--no-module) NOMODULE=1; shift ;;
	--append) need_arg "$@"; EXTRA_APPEND="$EXTRA_APPEND $2"; shift 2 ;;
	--append=*) EXTRA_APPEND="$EXTRA_APPEND ${1#*=}"; shift ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	-*) echo "vm-run: unknown option $1" >&2; usage 2 >&2 ;;
	*) break ;;
	esac
done

if [ "$ICOUNT" = 1 ]; then
	[ -z "$SMP" ] || [ "$SMP" = 1 ] ||
		die "--icount needs --smp 1 (QEMU 7.2 hangs in the BIOS with icount and $SMP vCPUs)"
	SMP=1
fi
SMP=${SMP:-2}
for n in "$SMP" "$MEM" "$TIMEOUT"; do
	[[ $n =~ ^[0-9]+$ ]] || die "not a number: $n"
done

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (tools/deps.sh)"

# Release string of an x86 bzImage (setup header: "HdrS" at 0x202, pointer
# to the version string at 0x20e, relative to 0x200).
kernel_release() {
	local off
	[ "$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || return 0
	off=$(od -An -tu2 -j526 -N2 "$1" | tr -d ' ')
	[ -n "$off" ] || return 0
	dd if="$1" bs=1 skip=$((off + 512)) count=128 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

if [ -z "$KERNEL" ]; then
	KERNEL=$(for k in /boot/vmlinuz-"$KVER".*-cloud-amd64; do
		[ -f "$k" ] && printf '%s\n' "$k"
	done | sort -V | tail -n 1)
	[ -n "$KERNEL" ] || die "no /boot/vmlinuz-$KVER.*-cloud-amd64: run tools/deps.sh $KVER"
fi
[ -r "$KERNEL" ] || die "cannot read kernel $KERNEL"
KREL=$(kernel_release "$KERNEL")
KREL=${KREL:-$KVER}

mkdir -p "$BUILD"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/door-vm.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- the guest command -----------------------------------------------------
mkdir -p "$WORK/extra/door"
{
	echo "# generated by tools/vm-run.sh"
	if [ $# -eq 0 ]; then
		echo "exec sh"
	elif [ $# -eq 1 ]; then
		printf '%s\n' "$1"
	else
		line=
		for a in "$@"; do
			line="$line '${a//\'/\'\\\'\'}'"
		done
		printf '%s\n' "${line# }"
	fi
} >"$WORK/extra/door/cmd"
[ "$NOMODULE" = 1 ] && : >"$WORK/extra/door/no-module"
[ -t 0 ] && : >"$WORK/extra/door/interactive"
# Guest-side watchdog a little before the host timeout, so that a hung
# command still gets its kernel stacks printed (see tools/mkinitramfs.sh).
GUEST_TIMEOUT=$((TIMEOUT - TIMEOUT / 10 - 10))
if [ "$GUEST_TIMEOUT" -ge 10 ]; then
	echo "$GUEST_TIMEOUT" >"$WORK/extra/door/timeout"
fi

INITRD=$WORK/initramfs.cpio.gz
"$TOP/tools/mkinitramfs.sh" "$INITRD" "$KREL" "$WORK/extra"

# --- boot ------------------------------------------------------------------
APPEND="console=ttyS0 panic=-1 quiet loglevel=5 clocksource=tsc tsc=reliable"
# no_timer_check: the boot-time IO-APIC timer check counts ticks against the
# clock; on a loaded host a TCG vCPU misses them and the kernel panics
# ("IO-APIC + timer doesn't work!"; seen with a load average of 12).
APPEND="$APPEND no_timer_check sysctl.kernel.hung_task_timeout_secs=20"
[ -n "${EXTRA_APPEND// /}" ] && APPEND="$APPEND ${EXTRA_APPEND# }"

QEMU=(qemu-system-x86_64 -accel tcg -nographic -no-reboot -nic none
	-m "$MEM" -smp "$SMP" -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND")
[ "$ICOUNT" = 1 ] && QEMU+=(-icount "shift=0,sleep=off")
if [ -n "${VM_QEMU_ARGS:-}" ]; then
	read -r -a extra_args <<<"$VM_QEMU_ARGS"
	QEMU+=("${extra_args[@]}")
fi

LOG=$WORK/console.log
TEES=("$LOG")
if [ -n "$RESULTS" ]; then
	mkdir -p "$(dirname "$RESULTS")"
	: >"$RESULTS"
	TEES+=("$RESULTS")
fi

echo "vm-run: booting $KERNEL (smp $SMP, ${MEM}M, timeout ${TIMEOUT}s$([ "$ICOUNT" = 1 ] && echo ", icount"))" >&2
start=$(date +%s.%N)
set +e
# --foreground: QEMU stays in the terminal's process group (it reads stdin).
timeout --foreground -k 10 "$TIMEOUT" "${QEMU[@]}" 2>&1 |
	sed -u 's/\r$//' | tee "${TEES[@]}"
status=("${PIPESTATUS[@]}")
set -e
end=$(date +%s.%N)
qemu_status=${status[0]}
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

# --- verdict -----------------------------------------------------------------
report() {
	echo "vm-run: $*" >&2
	echo "vm-run: $*" >>"$LOG"
	if [ -n "$RESULTS" ]; then echo "vm-run: $*" >>"$RESULTS"; fi
}

rc=$(grep -a -o 'DOOR-VM-RC=[0-9]*' "$LOG" | tail -n 1 | cut -d= -f2 || true)

# kmemleak: only its leak reports, not its boot message.
SPLAT='BUG:|WARNING:|Oops|Kernel panic|general protection fault|INFO: task .* blocked for more than|KASAN|UBSAN|possible circular locking|inconsistent lock state|kmemleak: [0-9]+ new suspected|Call Trace:'
if [ -n "$rc" ]; then
	# Kernel lines only: "[   12.345678] ..." (console or dmesg dump).
	splats=$(grep -a -E "\[ *[0-9]+\.[0-9]+\] .*($SPLAT)" "$LOG" | awk '!seen[$0]++' || true)
else
	splats=$(grep -a -E "$SPLAT" "$LOG" | awk '!seen[$0]++' || true)
fi

exit_status=0
if [ -z "$rc" ]; then
	if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
		report "timed out after ${TIMEOUT}s"
	else
		report "qemu exited with status $qemu_status"
	fi
	report "no exit status from guest"
	exit_status=124
else
	report "guest exit status $rc (QEMU ran ${elapsed}s, kernel $KREL)"
	if [ "$rc" = 124 ] && grep -a -q '^vm-init: TIMEOUT' "$LOG"; then
		report "the guest's watchdog stopped the command after $(cat "$WORK/extra/door/timeout")s (see the stacks above)"
	fi
	if [ "$rc" = 125 ] && [ "$NOMODULE" = 0 ]; then
		report "door.ko missing or insmod failed in the guest (built for another kernel?)"
	fi
	exit_status=$rc
fi
if [ -n "$splats" ]; then
	report "kernel splat in log:"
	while IFS= read -r l; do
		report "  $l"
	done <<<"$splats"
	exit_status=3
fi

cp "$LOG" "$BUILD/vm-console.log.$$"
mv "$BUILD/vm-console.log.$$" "$BUILD/vm-console.log"
cp "$INITRD" "$BUILD/vm-initramfs.cpio.gz.$$"
mv "$BUILD/vm-initramfs.cpio.gz.$$" "$BUILD/vm-initramfs.cpio.gz"
exit "$exit_status"
