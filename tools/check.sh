#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Body of `make check` (the Makefile has built everything before).
#
#   tools/check.sh [KVER...]   KVER = 6.1, 6.12 or debug (default: 6.1 6.12)
#
# 0. tools/version-check.sh: each of its checks counts (offline, instant).
# 1. Host unit tests: `make -C tests unit` (cmocka).  Counted from cmocka's
#    summaries "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s), ...",
#    "[  SKIPPED ] N test(s), ..." (or TAP "ok N"/"not ok N" lines if cmocka
#    runs in TAP mode).  No tests/Makefile or no `unit` target counts as 0.
#    A failing make with no failed test counted is one failure.
# 2. The kselftest suite in the VM:
#      tools/vm-run.sh --kver KVER --results build/vm-results.txt \
#          -- /door/tests/run-suite.sh
#    Counted from the console's TAP: each kselftest case ("# ok N name",
#    "# not ok N name", "# SKIP"), and the top-level "ok N"/"not ok N" line
#    of a program that prints no cases of its own; a program that failed
#    with all its cases passed (a crash) is one more failure.
#    A VM failure (no exit status from the guest, the guest's watchdog
#    stopping the suite, a kernel splat, or a non-zero exit status with no
#    failed test counted) is one more failure.
# Extra options for vm-run.sh may be given in $VM_RUN_ARGS (e.g.
# VM_RUN_ARGS='--timeout 600').
#
# The last line printed is "N passed, N failed" (", N skipped" if any); the
# exit status is 0 only if nothing failed.
set -uo pipefail

if [ $# -gt 0 ]; then
	KVERS=("$@")
else
	KVERS=(6.1 6.12)
fi
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build
MAKE=${MAKE:-make}

mkdir -p "$BUILD"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/door-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
skipped=0

# --- 0. one version everywhere --------------------------------------------
echo "check: version (tools/version-check.sh)"
"$TOP/tools/version-check.sh" | tee "$WORK/version.txt"
read -r ver_pass ver_fail < <(awk '/^ok /{p++} /^not ok /{f++} END{print p+0, f+0}' "$WORK/version.txt")
[ "$ver_pass" -gt 0 ] || ver_fail=$((ver_fail + 1))
passed=$((passed + ver_pass))
failed=$((failed + ver_fail))

# --- 1. host unit tests --------------------------------------------------
echo "check: host unit tests (make -C tests unit)"
u_pass=0 u_fail=0 u_skip=0
if [ -f "$TOP/tests/Makefile" ]; then
	"$MAKE" -C "$TOP/tests" unit 2>&1 | tee "$WORK/unit.log"
	u_rc=${PIPESTATUS[0]}
	tr -d '\r' <"$WORK/unit.log" >"$WORK/unit.txt"
	if grep -q "No rule to make target '\{0,1\}unit" "$WORK/unit.txt"; then
		echo "check: tests/Makefile has no 'unit' target: no unit tests"
		u_rc=0
	elif grep -q -E '^\[ +(PASSED|FAILED|SKIPPED) +\] [0-9]+ test\(s\)' "$WORK/unit.txt"; then
		read -r u_pass u_fail u_skip < <(awk '
			/^\[ +PASSED +\] [0-9]+ test\(s\)/  { p += $(NF - 1) + 0 }
			/^\[ +FAILED +\] [0-9]+ test\(s\)/  { f += $4 + 0 }
			/^\[ +SKIPPED +\] [0-9]+ test\(s\)/ { s += $4 + 0 }
			END { print p + 0, f + 0, s + 0 }' "$WORK/unit.txt")
	else
		read -r u_pass u_fail u_skip < <(awk '
			/^ok [0-9]+/ && /# [Ss][Kk][Ii][Pp]/ { s++; next }
			/^ok [0-9]+/                         { p++; next }
			/^not ok [0-9]+/                     { f++ }
			END { print p + 0, f + 0, s + 0 }' "$WORK/unit.txt")
	fi
	if [ "$u_rc" -ne 0 ] && [ "$u_fail" -eq 0 ]; then
		echo "check: FAIL: 'make -C tests unit' exited with status $u_rc and no failed test was counted"
		u_fail=1
	fi
else
	echo "check: no tests/Makefile: no unit tests"
fi
echo "check: unit: $u_pass passed, $u_fail failed, $u_skip skipped"
passed=$((passed + u_pass))
failed=$((failed + u_fail))
skipped=$((skipped + u_skip))

# --- 2. kselftest suite in the VM, once per kernel ---------------------------
# "debug" is the KASAN + lockdep + kmemleak 6.12 kernel of
# tools/build-debug-kernel.sh; 6.1 and 6.12 are Debian's cloud kernels.
vm_suite() {
	local KVER=$1 kdir
	local -a vm_args=()

	if [ "$KVER" = debug ]; then
		dbg=$("$TOP/tools/build-debug-kernel.sh") || { failed=$((failed + 1)); return; }
		kdir=$dbg/build
		# slub_debug=P: freed objects are poisoned, so a use-after-free
		# that KASAN's quarantine might miss still faults.
		vm_args=(--kernel "$dbg/bzImage" --timeout 5400 --append slub_debug=P)
	else
		kdir=$("$TOP/tools/kdir.sh" "$KVER")
		vm_args=(--kver "$KVER")
	fi
	if [ -n "${VM_RUN_ARGS:-}" ]; then
		read -r -a extra <<<"$VM_RUN_ARGS"
		vm_args+=("${extra[@]}")
	fi
	echo "check: [$KVER] building door.ko against $kdir"
	if ! "$MAKE" -s -C "$TOP" module KDIR="$kdir" >"$WORK/module-$KVER.log" 2>&1; then
		cat "$WORK/module-$KVER.log"
		echo "check: FAIL: [$KVER] door.ko does not build"
		failed=$((failed + 1))
		return
	fi
	echo "check: [$KVER] VM suite (tools/vm-run.sh ${vm_args[*]} -- /door/tests/run-suite.sh)"
	"$TOP/tools/vm-run.sh" --results "$BUILD/vm-results-$KVER.txt" "${vm_args[@]}" \
		-- /door/tests/run-suite.sh </dev/null 2>&1 | tee "$WORK/vm.log"
	vm_rc=${PIPESTATUS[0]}
	tr -d '\r' <"$WORK/vm.log" >"$WORK/vm.txt"

	# Each kselftest binary prints its test cases as nested TAP ("# ok N name",
	# "# not ok N name") and run-suite.sh one top-level line per program.  The
	# test cases are counted; a program with no nested cases (e.g. the
	# Solaris-compat examples) counts by its top-level line; a program that
	# failed although all its cases passed (a crash) counts one more failure.
	read -r v_pass v_fail v_skip < <(awk '
		/^# (not )?ok [0-9]+ / {
			n++
			if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++
			else if ($2 == "ok") p++
			else { f++; nf++ }
			next
		}
		/^(not )?ok [0-9]+ / {
			skip = ($0 ~ /# [Ss][Kk][Ii][Pp]/)
			ok = ($1 == "ok")
			if (n == 0) {
				if (skip) s++
				else if (ok) p++
				else f++
			} else if (!ok && nf == 0) {
				f++
			}
			n = 0
			nf = 0
		}
		END { print p + 0, f + 0, s + 0 }' "$WORK/vm.txt")

	why=
	if grep -q '^vm-run: no exit status from guest' "$WORK/vm.txt"; then
		why="no exit status from the guest (timeout, panic or hang)"
	fi
	if grep -q "^vm-run: the guest's watchdog stopped the command" "$WORK/vm.txt"; then
		why="the suite timed out in the guest (kernel stacks of the user threads in the log)"
	fi
	if grep -q '^vm-run: kernel splat in log' "$WORK/vm.txt"; then
		why="${why:+$why; }kernel splat in the log"
	fi
	if [ -z "$why" ] && [ "$vm_rc" -ne 0 ] && [ "$v_fail" -eq 0 ]; then
		why="vm-run.sh exited with status $vm_rc and no failed test was counted"
	fi
	if [ -n "$why" ]; then
		echo "check: FAIL: [$KVER] VM run: $why (console: build/vm-results-$KVER.txt)"
		v_fail=$((v_fail + 1))
	fi
	echo "check: [$KVER] vm: $v_pass passed, $v_fail failed, $v_skip skipped"
	passed=$((passed + v_pass))
	failed=$((failed + v_fail))
	skipped=$((skipped + v_skip))
}

for k in "${KVERS[@]}"; do
	vm_suite "$k"
done

# --- 3. lint -------------------------------------------------------------------
if [ "${CHECK_LINT:-1}" = 1 ]; then
	if "$TOP/tools/lint.sh" "$("$TOP/tools/kdir.sh" "${KVERS[0]}")" 2>&1 | tee "$WORK/lint.log"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
fi

# --- totals ------------------------------------------------------------------
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
