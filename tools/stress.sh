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

# shellcheck source=tools/vm-job.sh
. "$TOP/tools/vm-job.sh"
JOB_NAME=stress

for t in door_chaos_test door_stress_test; do
	[ -x "$TOP/tests/bin/$t" ] || job_die "tests/bin/$t is missing: run make all first"
done
[ -f "$TOP/libdoor/libdoor.so.1" ] || job_die "libdoor/libdoor.so.1 is missing: run make all first"

job_stage "$KVER"
cp "$TOP/libdoor/libdoor.so.1" "$STAGE/tree/libdoor/"
cp "$TOP/tests/bin/door_chaos_test" "$TOP/tests/bin/door_stress_test" "$STAGE/tree/tests/bin/"

{
	cat <<EOF
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
EOF
	job_guest_end
} >"$STAGE/cmd"

TIMEOUT=$((SECS + SECS / 2 + 900))
echo "stress: booting ${VM_ARGS[*]}: door_chaos_test for ${SECS}s, door_stress_test, D-state check, rmmod (VM timeout ${TIMEOUT}s)"
job_boot "$TIMEOUT" "$TOP/build/stress-results.txt"

echo "stress: ---- test output ----"
grep -a -E '^#|^(not )?ok |^stress: ' "$STAGE/vm.txt" | grep -a -v -E '^# +(RUN|OK) '
echo "stress: ---- summary ----"
grep -a -E '^vm-run: ' "$STAGE/vm.txt"

why=
grep -a -q -E '^ok [0-9]+ chaos\.kill_revoke_detach' "$STAGE/vm.txt" ||
	job_fail "chaos.kill_revoke_detach did not pass"
grep -a -q '^stress: door_chaos_test exit status 0' "$STAGE/vm.txt" ||
	job_fail "door_chaos_test failed"
grep -a -q '^stress: door_stress_test exit status 0' "$STAGE/vm.txt" ||
	job_fail "door_stress_test failed"
job_verdict_end
[ -z "$why" ] && [ "$VM_RC" -ne 0 ] && why="a test failed (vm-run.sh exit status $VM_RC)"
calls=$(grep -a -E '^# chaos: calls made' "$STAGE/vm.txt" | tail -n 1 | sed 's/^# chaos: //')
killed=$(grep -a -E '^# chaos: processes killed' "$STAGE/vm.txt" | tail -n 1 | sed 's/^# chaos: //')
if [ -z "$why" ]; then
	echo "stress: PASS: kernel $KVER, ${SECS}s: ${calls:-no call count}; ${killed:-no kill count}; no task in D state, rmmod ok, no splat ($JOB_SECONDS s; console: build/stress-results.txt)"
	exit 0
fi
echo "stress: FAIL: $why (kernel $KVER; ${calls:-no call count}; ${killed:-no kill count}; console: build/stress-results.txt)"
exit 1
