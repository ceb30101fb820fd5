#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the icount guest for tools/profile.sh (as /door/tests/profile-guest.sh):
# for each null round trip case, its median without tracing, then the same
# case under function_graph with tracing on only for the timed round trips,
# then doorprof on the trace.
#
#   profile-guest.sh LABEL SAMPLES CASE...
#
#   CASE = mech:first-syscall:syscalls[:suite]: the doorbench label, the
#   function a round trip's first system call enters, the system calls of
#   a round trip (both ends), the doorbench suite that runs the case (null1
#   by default; lat1 for the descriptor-passing cases).
set -u
LABEL=$1
SAMPLES=$2
shift 2
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs tracefs $T 2>/dev/null
[ -e $T/trace ] || T=/sys/kernel/debug/tracing
B=/door/tests/doorbench
P=/door/tests/doorprof
rc=0

median() {
	sed -n 's/^@@DB lat .* median=\([0-9]*\) .*/\1/p' "$1" | head -n 1
}

echo 0 >$T/tracing_on
echo nop >$T/current_tracer
echo 32768 >$T/buffer_size_kb

trace_setup() {
	echo function_graph >$T/current_tracer
	echo 1 >$T/options/funcgraph-proc
	echo 1 >$T/options/funcgraph-abstime
	for o in funcgraph-cpu funcgraph-overhead funcgraph-irqs sleep-time; do
		echo 0 >$T/options/$o
	done
	echo 1 >$T/options/function-fork
	: >$T/trace
}

trace_done() {
	echo 0 >$T/tracing_on
	cat $T/trace >/tmp/trace.txt
	: >$T/set_ftrace_pid
	echo nop >$T/current_tracer
}

cost_median() {
	sed -n 's/^@@DB cost name=getppid .* median=\([0-9]*\) .*/\1/p' "$1"
}

# One system call's entry and exit outside what function_graph sees: a
# getppid round trip minus its traced part.
$B --clock icount --suite costs >/tmp/costs
cat /tmp/costs
getppid=$(cost_median /tmp/costs)
trace_setup
sh -c "echo \$\$ >$T/set_ftrace_pid; exec $B --clock icount --suite costs --trace" >/tmp/traced
trace_done
gtraced=$(cost_median /tmp/traced)
sys=0
bias=0
if [ -n "$getppid" ] && [ -n "$gtraced" ]; then
	$P --trace /tmp/trace.txt --label "$LABEL getppid" --start x64_sys_call \
		--plain "$getppid" --traced "$gtraced" --syscalls 1 --any-task --no-span \
		>/tmp/gprof || rc=1
	cat /tmp/gprof
	t=$(sed -n 's/^@@DP-SUM .* traced=\([0-9-]*\) .*/\1/p' /tmp/gprof)
	span=$(sed -n 's/^@@DP-SUM .* span=\([0-9-]*\)$/\1/p' /tmp/gprof)
	[ -n "$t" ] && sys=$((getppid - t))
	[ -n "$span" ] && bias=$((span - gtraced))
fi
echo "profile: getppid $getppid, traced $gtraced, untraced syscall entry/exit $sys, loop bias $bias"

for c in "$@"; do
	mech=${c%%:*}
	rest=${c#*:}
	start=${rest%%:*}
	rest=${rest#*:}
	nsys=${rest%%:*}
	suite=null1
	[ "$rest" = "$nsys" ] || suite=${rest#*:}
	$B --clock icount --suite "$suite" --only "$mech" --payload 0 --samples 2000 >/tmp/plain
	cat /tmp/plain
	plain=$(median /tmp/plain)

	trace_setup
	sh -c "echo \$\$ >$T/set_ftrace_pid; exec $B --clock icount --suite $suite \
		--only $mech --payload 0 --samples $SAMPLES --trace" >/tmp/traced
	trace_done
	cat /tmp/traced
	traced=$(median /tmp/traced)
	echo "profile: $mech: $(wc -l </tmp/trace.txt) trace lines, plain $plain, traced $traced"
	if [ -n "$plain" ] && [ -n "$traced" ]; then
		$P --trace /tmp/trace.txt --label "$LABEL $mech" --start "$start" \
			--plain "$plain" --traced "$traced" --kallsyms /proc/kallsyms \
			--syscall "$sys" --syscalls "$nsys" --loop-bias "$bias" --tree || rc=1
	else
		echo "profile: $mech: no median (see above)"
		rc=1
	fi
	rm -f /tmp/trace.txt
done
exit $rc
