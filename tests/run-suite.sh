#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-suite.sh - run the door kselftests (busybox sh is enough).
#
#   run-suite.sh [NAME...]
#
# Runs every test binary in the directory of this script, in a fixed order
# (binaries not in the list below run last, sorted by name), then the
# Solaris-compatibility examples (solaris_compat_static/_shared, and
# illumos_sessions, built with pkg-config's flags) and own_pool (a
# server running its own pool from door_depletion_fd, under load) from
# ../examples if they are there.  Each program's own output (kselftest TAP)
# is shown in full, indented with "# " as the kselftest runner does; the
# suite itself prints TAP, one result per program.  With NAMEs, only those
# programs run.
#
# A program still running after $DOOR_SUITE_TIMEOUT seconds (default 600)
# is killed and counted as failed.
#
# Exit status: 0 if every program passed or skipped, 1 otherwise.

dir=$(cd "$(dirname "$0")" && pwd)
examples=$(cd "$dir/.." && pwd)/examples

if [ -z "${LD_LIBRARY_PATH:-}" ] && [ -d "$dir/../lib" ]; then
	LD_LIBRARY_PATH=$(cd "$dir/../lib" && pwd)
	export LD_LIBRARY_PATH
fi

# Cheap, narrow tests first; the long stress test last.
ORDER="door_create_test door_info_test door_call_test door_call_test_static
door_return_test door_param_test door_desc_test door_revoke_test
door_ucred_test door_unref_test door_unref_race_test door_unref_close_race_test door_pool_test
door_fault_test door_limits_test door_rlimit_test door_thread_test door_pi_test
door_stop_test door_depletion_test door_reply_test door_timed_test
door_rbuf_test door_fattach_test door_cancel_test door_ns_test door_daemon_test
door_stress_test door_chaos_test doorfuzz"
COMPAT="solaris_compat_static solaris_compat_shared illumos_sessions
own_pool"

in_list() {
	want=$1
	shift
	for x in "$@"; do
		[ "$x" = "$want" ] && return 0
	done
	return 1
}

# The programs to run, one "kind:path" per line.
list() {
	for t in $ORDER; do
		echo "test:$dir/$t"
	done
	for f in "$dir"/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		t=$(basename "$f")
		case $t in
		*.sh) continue ;;
		esac
		# shellcheck disable=SC2086
		in_list "$t" $ORDER || echo "test:$f"
	done | sort
	for t in $COMPAT; do
		echo "compat:$examples/$t"
	done
}

progs=$(list)
if [ $# -gt 0 ]; then
	sel=
	for p in $progs; do
		in_list "$(basename "${p#*:}")" "$@" && sel="$sel $p"
	done
	progs=$sel
fi

total=0
for p in $progs; do
	total=$((total + 1))
done

LIMIT=${DOOR_SUITE_TIMEOUT:-600}

# Run "$@", killing it after $LIMIT seconds; its exit status is returned.
# The watchdog keeps no descriptor of ours open (it would hold the pipe).
# shellcheck disable=SC2317  # called through run_indented
run_limited() {
	"$@" &
	pid=$!
	(sleep "$LIMIT"; kill -9 "$pid") >/dev/null 2>&1 </dev/null 3>&- 4>&- &
	watchdog=$!
	wait "$pid"
	rc=$?
	kill "$watchdog" 2>/dev/null
	return "$rc"
}

# Run "$@" with its output indented; the exit status is returned.  The
# program gets neither descriptor 3 nor 4: a write to 4 (the fuzzer writes
# to random descriptors) would corrupt the status read back from it.
run_indented() {
	if command -v sed >/dev/null 2>&1; then
		exec 3>&1
		rc=$({ { "$@" 2>&1 3>&- 4>&-; echo $? >&4; } | sed 's/^/# /' >&3; } 4>&1)
		exec 3>&-
		return "$rc"
	fi
	"$@" 2>&1
}

echo "TAP version 13"
echo "1..$total"
n=0
pass=0
fail=0
skip=0
failed=
start=$(date +%s)
for p in $progs; do
	n=$((n + 1))
	kind=${p%%:*}
	path=${p#*:}
	name=$(basename "$path")
	echo "# selftests: door: $name"
	if [ ! -e "$path" ]; then
		if [ "$kind" = compat ]; then
			echo "ok $n door: $name # SKIP not built"
			skip=$((skip + 1))
		else
			echo "not ok $n door: $name # missing"
			fail=$((fail + 1))
			failed="$failed $name"
		fi
		continue
	fi
	t0=$(date +%s)
	run_indented run_limited "$path"
	rc=$?
	t1=$(date +%s)
	if [ "$rc" -eq 137 ] && [ $((t1 - t0)) -ge "$LIMIT" ]; then
		echo "# $name: killed after $LIMIT s (DOOR_SUITE_TIMEOUT)"
	fi
	echo "# $name: exit $rc after $((t1 - t0)) s"
	case $rc in
	0)
		echo "ok $n door: $name"
		pass=$((pass + 1))
		;;
	4)
		echo "ok $n door: $name # SKIP"
		skip=$((skip + 1))
		;;
	*)
		echo "not ok $n door: $name # exit=$rc"
		fail=$((fail + 1))
		failed="$failed $name"
		;;
	esac
done
end=$(date +%s)
echo "# door suite: $pass passed, $fail failed, $skip skipped of $total" \
	"in $((end - start)) s"
if [ "$fail" -ne 0 ]; then
	echo "# failed:$failed"
	exit 1
fi
exit 0
