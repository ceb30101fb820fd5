#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark door_call against the Linux IPC alternatives in the test VM.
#
#   tools/bench.sh [KVER] [options]        (make bench [KVER=..])
#
#   KVER           kernel series the VM boots, 6.1 (default) or 6.12; the
#                  module in kmod/door.ko must be built for it
#   --quick        a tenth of the samples and 1 s throughput windows (smoke
#                  test; the results are not committed material)
#   --out DIR      where results-KVER.{json,md}, latency-KVER.svg, raw-KVER.txt
#                  and the two-kernel results.md go (default bench/)
#   --no-icount    skip the latency boot
#   --no-wall      skip the throughput boot
#
# Two boots of tools/vm-run.sh with tools/doorbench/doorbench in the image:
#   1. -icount shift=0,sleep=off, 1 vCPU: every latency case with both ends
#      on the one vCPU (payloads, descriptor passing, CPU-bound competitor,
#      eventfd-bare: two eventfds whose counters are the whole message),
#      the building blocks (syscall, ioctl and eventfd costs), the null
#      call with 1, 1,000 and 100,000 doors alive, kernel memory per idle
#      door and per parked server thread, and a D-Bus method call round
#      trip through a private dbus-daemon (Debian's dbus-daemon and
#      libdbus-1, tools/doorbench/dbus-guest.sh).
#      Guest time then counts guest instructions, so the round trips are
#      deterministic path lengths (unit "insn").  QEMU 7.2 cannot boot an
#      SMP x86 guest with icount (it hangs bringing up the second CPU), so
#      there is no two-vCPU icount figure.
#   2. plain TCG, 2 vCPUs (multi-threaded, wall time, unit "ns"): the latency
#      cases with client and server on separate vCPUs, the null, descriptor
#      and competitor cases again on one vCPU as a wall-clock guide,
#      throughput with 1, 2 and 4 clients, and the scaling suite (K = 1, 2
#      clients pinned one per vCPU on one shared door server against K
#      eventfd-bare pairs with unpinned servers, 9 interleaved rounds of 1 s).
# door.ko is built afresh from a copy of kmod/ for the VM's kernel (falling
# back to kmod/door.ko if that fails; tools/bench-stage.sh).  doorbench
# itself is static; it reaches the guest as /door/tests/doorbench
# through a staging copy of the artefacts (DOOR_TOP for tools/mkinitramfs.sh),
# so nothing under tests/ is touched; the boots use snapshots of vm-run.sh
# and mkinitramfs.sh taken at the start.  Console logs are kept in
# build/bench/.
# tools/doorbench/doorreport then writes OUT/results-KVER.{md,json},
# OUT/latency-KVER.svg and OUT/raw-KVER.txt (the raw result lines), prints
# the tables and one PASS/MISS line per target, and rewrites OUT/results.md:
# every kernel with a raw file side by side (plus the make profile summary
# from OUT/profile-KVER.md).
#
# Exit status: 0 when both boots ran and the report was written (MISS lines
# do not fail it), 1 if a boot failed or produced no results, 3 if the kernel
# log of a boot showed a splat (the report is still written).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build/bench
KVER=6.1
QUICK=0
OUT=$TOP/bench
DO_ICOUNT=1
DO_WALL=1

usage() {
	sed -n '4,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

while [ $# -gt 0 ]; do
	case $1 in
	6.1 | 6.12) KVER=$1; shift ;;
	--quick) QUICK=1; shift ;;
	--out) [ $# -ge 2 ] || usage 2; OUT=$2; shift 2 ;;
	--out=*) OUT=${1#*=}; shift ;;
	--no-icount) DO_ICOUNT=0; shift ;;
	--no-wall) DO_WALL=0; shift ;;
	-h | --help) usage 0 ;;
	*) echo "bench: unknown argument $1" >&2; usage 2 >&2 ;;
	esac
done

make -s -C "$TOP/tools/doorbench"
mkdir -p "$BUILD"

# --- the module and the staging tree (tools/bench-stage.sh) ----------------------
# shellcheck source=tools/bench-stage.sh
. "$TOP/tools/bench-stage.sh"
bench_stage

EXTRA=()
SECS=1.5
if [ "$QUICK" = 1 ]; then
	EXTRA=(--quick)
	SECS=1
fi

status=0
logs=()

# Boot once: $1 = label, $2 = log file, then vm-run.sh options, --, command.
boot() {
	local label=$1 log=$2 rc
	shift 2
	echo "bench: boot $label" >&2
	local start=$SECONDS
	set +e
	DOOR_TOP=$STAGE "$STAGE/tools/vm-run.sh" --kver "$KVER" --results "$log" "$@" \
		>/dev/null 2>"$BUILD/vm-run-$label.err" &
	local pid=$!
	# Progress: one line per finished case.
	local seen=0 n
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		n=$(grep -a -c '^@@DB \(lat\|tput\|fail\)' "$log" 2>/dev/null || true)
		n=${n:-0}
		if [ "$n" != "$seen" ]; then
			grep -a '^@@DB \(lat\|tput\|fail\)' "$log" | sed -n "$((seen + 1)),${n}p" |
				sed 's/^@@DB /  /; s/ clients=1 / /; s/ mean=[0-9]* max=[0-9]*//' >&2
			seen=$n
		fi
	done
	wait "$pid"
	rc=$?
	set -e
	grep -a '^@@DB \(lat\|tput\|fail\)' "$log" | sed -n "$((seen + 1)),\$p" |
		sed 's/^@@DB /  /; s/ clients=1 / /; s/ mean=[0-9]* max=[0-9]*//' >&2 || true
	cat "$BUILD/vm-run-$label.err" >&2
	echo "bench: boot $label: exit $rc after $((SECONDS - start)) s" >&2
	if [ "$rc" = 3 ]; then
		echo "bench: kernel splat during the $label boot (see $log)" >&2
		status=3
	elif [ "$rc" != 0 ] || ! grep -a -q '^@@DB end' "$log"; then
		echo "bench: the $label boot failed (see $log)" >&2
		[ "$status" = 0 ] && status=1
	fi
	logs+=("$log")
}

# The D-Bus baseline: dbusbench (built when libdbus-1-dev is installed)
# and Debian's dbus-daemon go into the image (mkinitramfs.sh copies their
# libraries); dbus-guest.sh starts a private bus.
for f in "$TOP/tools/doorbench/dbusbench" /usr/bin/dbus-daemon; do
	[ -x "$f" ] && cp "$f" "$STAGE/tests/bin/"
done
cp "$TOP/tools/doorbench/dbus-guest.sh" "$STAGE/tests/bin/"
DBUS_SAMPLES=2000
[ "$QUICK" = 1 ] && DBUS_SAMPLES=200

mkdir -p "$BUILD"
if [ "$DO_ICOUNT" = 1 ]; then
	boot icount "$BUILD/icount.log" --icount --smp 1 --mem 1536 --timeout 2400 -- \
		"/door/tests/doorbench --clock icount --suite lat1,costs,alive,memory ${EXTRA[*]}; rc=\$?;
		sh /door/tests/dbus-guest.sh icount $DBUS_SAMPLES; exit \$rc"
fi
LOAD_BEFORE=
LOAD_AFTER=
if [ "$DO_WALL" = 1 ]; then
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	boot wall "$BUILD/wall.log" --smp 2 --timeout 900 -- \
		/door/tests/doorbench --clock wall --suite lat2,nulllat,throughput,scaling \
		--secs "$SECS" --rounds 9 --scale-secs 1 "${EXTRA[@]}"
	LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
fi
[ ${#logs[@]} -gt 0 ] || { echo "bench: nothing to do" >&2; exit 2; }

cmd="tools/bench.sh $KVER"
[ "$QUICK" = 1 ] && cmd="$cmd --quick"
HOSTMETA=(-m "nproc=$(nproc)" -m "git=$GIT_HEAD" -m "door_ko_sha256=$KO_SHA"
	-m "date=$(date -u +%Y-%m-%dT%H:%MZ)")
[ -n "$LOAD_BEFORE" ] && HOSTMETA+=(-m "load_before=$LOAD_BEFORE" -m "load_after=$LOAD_AFTER")
# The raw @@DB lines of this kernel's boots, kept for the two-kernel summary.
RAW=$OUT/raw-$KVER.txt
{
	for m in "${HOSTMETA[@]}"; do
		[ "$m" = -m ] && continue
		v=${m#*=}
		echo "@@DB meta clock=host ${m%%=*}=${v// /_}"
	done
	cat "${logs[@]}" | tr -d '\r' | grep -a '^@@DB '
} >"$RAW.tmp"
mv "$RAW.tmp" "$RAW"
if ! "$TOP/tools/doorbench/doorreport" -o "$OUT" -n "$KVER" -c "$cmd" "${HOSTMETA[@]}" "${logs[@]}"; then
	echo "bench: no results" >&2
	exit 1
fi
# bench/results.md: every kernel that has a raw file, side by side.
SUM=()
for k in 6.1 6.12; do
	[ -f "$OUT/raw-$k.txt" ] && SUM+=("$k=$OUT/raw-$k.txt")
done
"$TOP/tools/doorbench/doorreport" -S -o "$OUT" "${SUM[@]}"
echo
echo "bench: wrote $OUT/results-$KVER.{json,md}, $OUT/latency-$KVER.svg, $OUT/raw-$KVER.txt and" \
	"$OUT/results.md (console logs in $BUILD)"
exit "$status"
