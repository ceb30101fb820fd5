#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Long stress and fault run in the VM, the body of `make stress` (make check
# runs the same tests in a short form).
#
#   tools/stress.sh [KVER]        KVER = 6.1 (default), 6.12 or debug
#
# $STRESS_SECONDS (default 300) is how long door_chaos_test's main case
# runs: client and server process trees SIGKILLed at random, doors revoked
# and fattach'd paths detached mid-call, every answer checked (see
# tests/kselftest/door_chaos_test.c).  Then door_stress_test, then, in the
# guest, with every test process gone:
#   - no task in D state (the state field of /proc/*/task/*/stat; kernel
#     threads are not counted),
#   - rmmod door succeeds (no door, door mount or control file is left:
#     each of them pins the module).
# door.ko is built for KVER in a copy of the sources (kmod/door.ko of the
# work tree is left as it is); the test programs and libdoor are taken
# from the work tree (build them first: `make all`, as `make stress` does).
#
# Prints the calls made and the processes killed, and one verdict line
# "stress: PASS ..." or "stress: FAIL: <reasons>".  Exit status 0 on PASS.
# The console is kept in build/stress-results.txt.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KVER=${1:-6.1}
SECS=${STRESS_SECONDS:-300}
[[ $SECS =~ ^[0-9]+$ ]] || { echo "stress: STRESS_SECONDS is not a number: $SECS" >&2; exit 2; }

die() {
	echo "stress: $*" >&2
	exit 2
}

for t in door_chaos_test door_stress_test; do
	[ -x "$TOP/tests/bin/$t" ] || die "tests/bin/$t is missing: run make all first"
done
[ -f "$TOP/libdoor/libdoor.so.1" ] || die "libdoor/libdoor.so.1 is missing: run make all first"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/door-stress.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/src" "$STAGE/tree/kmod" "$STAGE/tree/tests/bin" "$STAGE/tree/libdoor"

vm_args=()
if [ "$KVER" = debug ]; then
	dbg=$("$TOP/tools/build-debug-kernel.sh") || die "cannot build the debug kernel"
	kdir=$dbg/build
	vm_args=(--kernel "$dbg/bzImage")
else
	kdir=$("$TOP/tools/kdir.sh" "$KVER")
	[ -n "$kdir" ] || die "no kernel headers for $KVER (tools/deps.sh $KVER)"
	vm_args=(--kver "$KVER")
fi
cp -r "$TOP/Kbuild" "$TOP/kmod" "$TOP/include" "$STAGE/src/"
find "$STAGE/src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers \) -delete
echo "stress: building door.ko against $kdir"
make -s -C "$kdir" M="$STAGE/src" modules >"$STAGE/module.log" 2>&1 ||
	{ cat "$STAGE/module.log" >&2; die "door.ko does not build for $KVER"; }
cp "$STAGE/src/kmod/door.ko" "$STAGE/tree/kmod/"
cp "$TOP/libdoor/libdoor.so.1" "$STAGE/tree/libdoor/"
cp "$TOP/tests/bin/door_chaos_test" "$TOP/tests/bin/door_stress_test" "$STAGE/tree/tests/bin/"

cat >"$STAGE/cmd" <<EOF
rc=0
echo "stress: door_chaos_test, DOOR_CHAOS_SECONDS=$SECS"
DOOR_CHAOS_SECONDS=$SECS /door/tests/door_chaos_test
t=\$?
echo "stress: door_chaos_test exit status \$t"
[ "\$t" -eq 0 ] || rc=1
/door/tests/door_stress_test
t=\$?
echo "stress: door_stress_test exit status \$t"
[ "\$t" -eq 0 ] || rc=1
# Tasks in D state: field 3 of stat is the state, field 9 the flags
# (PF_KTHREAD 0x00200000 marks kernel threads, not counted).
nd=0
for s in /proc/[0-9]*/task/[0-9]*/stat; do
	line=\$(cat "\$s" 2>/dev/null) || continue
	rest=\${line##*) }
	set -- \$rest
	[ "\$1" = D ] || continue
	[ \$((\$7 & 0x00200000)) -eq 0 ] || continue
	nd=\$((nd + 1))
	t=\${s%/stat}
	echo "stress: task in D state: \$line"
	cat "\$t/stack" 2>/dev/null
done
echo "stress: tasks in D state: \$nd"
[ "\$nd" -eq 0 ] || rc=1
if rmmod door; then
	echo "stress: rmmod door: ok"
else
	echo "stress: rmmod door: FAILED"
	lsmod
	rc=1
fi
exit \$rc
EOF

TIMEOUT=$((SECS + SECS / 2 + 900))
RESULTS=$TOP/build/stress-results.txt
mkdir -p "$TOP/build"
echo "stress: booting ${vm_args[*]}: door_chaos_test for ${SECS}s, door_stress_test, D-state check, rmmod (VM timeout ${TIMEOUT}s)"
start=$(date +%s)
DOOR_TOP=$STAGE/tree "$TOP/tools/vm-run.sh" "${vm_args[@]}" --timeout "$TIMEOUT" \
	--results "$RESULTS" -- "$(cat "$STAGE/cmd")" </dev/null >"$STAGE/console.txt" 2>&1
vm_rc=$?
end=$(date +%s)
tr -d '\r' <"$STAGE/console.txt" >"$STAGE/vm.txt"

echo "stress: ---- test output ----"
grep -a -E '^#|^(not )?ok |^stress: ' "$STAGE/vm.txt" | grep -a -v -E '^# +(RUN|OK) '
echo "stress: ---- summary ----"
grep -a -E '^vm-run: ' "$STAGE/vm.txt"

why=
grep -a -q -E '^ok [0-9]+ chaos\.kill_revoke_detach' "$STAGE/vm.txt" ||
	why="${why:+$why; }chaos.kill_revoke_detach did not pass"
grep -a -q '^stress: door_chaos_test exit status 0' "$STAGE/vm.txt" ||
	why="${why:+$why; }door_chaos_test failed"
grep -a -q '^stress: door_stress_test exit status 0' "$STAGE/vm.txt" ||
	why="${why:+$why; }door_stress_test failed"
grep -a -q '^stress: tasks in D state: 0' "$STAGE/vm.txt" ||
	why="${why:+$why; }tasks stuck in D state (or not checked)"
grep -a -q '^stress: rmmod door: ok' "$STAGE/vm.txt" ||
	why="${why:+$why; }rmmod door failed (or not reached)"
grep -a -q '^vm-run: kernel splat' "$STAGE/vm.txt" && why="${why:+$why; }kernel splat in the log"
grep -a -q '^vm-run: no exit status' "$STAGE/vm.txt" &&
	why="${why:+$why; }no exit status from the guest (hang, panic or timeout)"
[ -z "$why" ] && [ "$vm_rc" -ne 0 ] && why="a test failed (vm-run.sh exit status $vm_rc)"
calls=$(grep -a -E '^# chaos: calls made' "$STAGE/vm.txt" | tail -n 1 | sed 's/^# chaos: //')
killed=$(grep -a -E '^# chaos: processes killed' "$STAGE/vm.txt" | tail -n 1 | sed 's/^# chaos: //')
if [ -z "$why" ]; then
	echo "stress: PASS: kernel $KVER, ${SECS}s: ${calls:-no call count}; ${killed:-no kill count}; no task in D state, rmmod ok, no splat ($((end - start)) s; console: build/stress-results.txt)"
	exit 0
fi
echo "stress: FAIL: $why (kernel $KVER; ${calls:-no call count}; ${killed:-no kill count}; console: build/stress-results.txt)"
exit 1
