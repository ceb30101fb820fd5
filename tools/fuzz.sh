#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz door.ko's ioctls in the VM on the debug kernel (KASAN, lockdep,
# kmemleak; tools/build-debug-kernel.sh), the body of `make fuzz`.
#
#   tools/fuzz.sh [--kver debug|6.1|6.12] [SECONDS]     (default: debug 600)
#
# 1. builds door.ko for that kernel in a copy of the sources under a
#    temporary directory (kmod/door.ko of the work tree is left alone) and
#    tools/doorfuzz into the same staging tree, which tools/mkinitramfs.sh
#    takes as the VM's /door (DOOR_TOP);
# 2. boots the kernel and runs `/door/tests/doorfuzz -t SECONDS -v $FUZZ_ARGS`
#    (FUZZ_ARGS: e.g. "-j 8 -s 0x1234" to replay a seed);
# 3. scans kmemleak (twice, after the 5 s grace period it needs) and prints
#    the suspects, counts tasks in D state (there must be none), then
#    unloads the module (rmmod must succeed once the fuzzer is gone);
# 4. checks the kernel log for splats (tools/vm-run.sh: BUG, WARNING,
#    KASAN, lockdep, kmemleak, hung task, Oops...).
#
# Prints the fuzzer's iteration table, the kmemleak result and one verdict
# line "fuzz: PASS ..." or "fuzz: FAIL: <reasons>".  Exit status 0 on PASS,
# 1 on any failure (fuzzer check, kmemleak suspect, D state, rmmod, splat,
# timeout), 2 on setup errors.  The console log is kept in build/fuzz-results.txt.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KVER=debug
SECS=600
while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=$2; shift 2 ;;
	--kver=*) KVER=${1#*=}; shift ;;
	-h | --help) sed -n '4,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) SECS=$1; shift ;;
	esac
done
[[ $SECS =~ ^[0-9]+$ ]] || { echo "fuzz: not a number of seconds: $SECS" >&2; exit 2; }

# shellcheck source=tools/vm-job.sh
. "$TOP/tools/vm-job.sh"
JOB_NAME=fuzz

# --- 1. the module and the fuzzer -------------------------------------------
job_stage "$KVER"
make -s -C "$TOP/tools/doorfuzz" BIN="$STAGE/tree/tests/bin" >&2 ||
	job_die "tools/doorfuzz does not build"

# --- 2.-3. the guest command -----------------------------------------------------
{
	cat <<EOF
echo "fuzz: doorfuzz for $SECS s"
/door/tests/doorfuzz -t $SECS -v ${FUZZ_ARGS:-}
rc=\$?
echo "fuzz: doorfuzz exit status \$rc"
K=/sys/kernel/debug/kmemleak
if [ -w \$K ]; then
	# Objects younger than 5 s are not reported; the second scan confirms.
	sleep 6
	echo scan >\$K
	echo scan >\$K
	n=\$(grep -c '^unreferenced object' \$K)
	echo "fuzz: kmemleak: \$n suspected leaks"
	cat \$K
	[ "\$n" -eq 0 ] || rc=1
else
	echo "fuzz: kmemleak: not available on this kernel"
fi
EOF
	job_guest_end
} >"$STAGE/cmd"

TIMEOUT=$((SECS + SECS / 5 + 900))
echo "fuzz: booting ${VM_ARGS[*]} for ${SECS}s of fuzzing (VM timeout ${TIMEOUT}s)"
job_boot "$TIMEOUT" "$TOP/build/fuzz-results.txt"

# --- 4. report -------------------------------------------------------------------
echo "fuzz: ---- doorfuzz output ----"
grep -a -E '^doorfuzz: ' "$STAGE/vm.txt"
echo "fuzz: ---- kernel log: door and splat lines ----"
grep -a -E '^\[ *[0-9]+\.[0-9]+\] ' "$STAGE/vm.txt" | awk '!seen[$0]++' |
	grep -a -i -E 'door|BUG|WARNING|KASAN|UBSAN|lockdep|circular|kmemleak|blocked for|Oops|Call Trace|refcount' |
	head -200
echo "fuzz: ---- summary ----"
grep -a -E '^fuzz: (doorfuzz exit|kmemleak|tasks in D|rmmod)' "$STAGE/vm.txt"
grep -a -E '^vm-run: ' "$STAGE/vm.txt"

why=
grep -a -q '^doorfuzz: PASS' "$STAGE/vm.txt" || job_fail "doorfuzz did not pass"
if ! grep -a -q '^fuzz: kmemleak: 0 suspected' "$STAGE/vm.txt" &&
   ! grep -a -q '^fuzz: kmemleak: not available' "$STAGE/vm.txt"; then
	job_fail "kmemleak suspects (or no scan)"
fi
job_verdict_end
[ -z "$why" ] && [ "$VM_RC" -ne 0 ] && why="vm-run.sh exited with status $VM_RC"
iters=$(grep -a -E '^doorfuzz: ioctls issued' "$STAGE/vm.txt" | tail -n 1 | sed 's/^doorfuzz: //')
if [ -z "$why" ]; then
	echo "fuzz: PASS: kernel $KVER, ${iters:-no count}, no kmemleak suspect, no task in D state, rmmod ok, no splat ($JOB_SECONDS s; console: build/fuzz-results.txt)"
	exit 0
fi
echo "fuzz: FAIL: $why (kernel $KVER; ${iters:-no count}; console: build/fuzz-results.txt)"
exit 1
