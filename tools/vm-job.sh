# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034  # VM_RC, JOB_SECONDS: for the sourcing script
#
# Shared by tools/fuzz.sh and tools/stress.sh (sourced, not run): a VM job
# that builds door.ko for one kernel in a staging tree and runs one guest
# command on it.
#
# The sourcing script sets JOB_NAME (the prefix of every line it prints).
#
#   job_stage KVER           KVER = debug, 6.1 or 6.12.  Sets STAGE (removed
#                            on exit) and VM_ARGS; builds
#                            $STAGE/tree/kmod/door.ko from a copy of the
#                            sources (kmod/door.ko of the work tree is left
#                            alone).  $STAGE/tree becomes the guest's /door.
#   job_boot TIMEOUT RESULTS boots with the guest command in $STAGE/cmd;
#                            the console, without CRs, is left in
#                            $STAGE/vm.txt; sets VM_RC and JOB_SECONDS.
#   job_guest_end            prints the guest shell that ends $STAGE/cmd:
#                            D-state count, rmmod, exit $rc.
#   job_verdict_end          appends the failures of those checks and the
#                            VM's own (splat, no exit status) to $why.
#   job_fail REASON          appends REASON to $why.
#   job_die MESSAGE          setup error: prints "NAME: MESSAGE", exit 2.

JOB_NAME=vm-job

job_die() {
	echo "$JOB_NAME: $*" >&2
	exit 2
}

job_fail() {
	why="${why:+$why; }$1"
}

job_stage() {
	local kver=$1 dbg kdir
	STAGE=$(mktemp -d "${TMPDIR:-/tmp}/door-$JOB_NAME.XXXXXX")
	# shellcheck disable=SC2064  # expand now: STAGE is fixed from here on
	trap "rm -rf '$STAGE'" EXIT
	mkdir -p "$STAGE/src" "$STAGE/tree/kmod" "$STAGE/tree/tests/bin" "$STAGE/tree/libdoor"
	if [ "$kver" = debug ]; then
		dbg=$("$TOP/tools/build-debug-kernel.sh") || job_die "cannot build the debug kernel"
		kdir=$dbg/build
		# Freed slab objects poisoned: a use-after-free faults.
		VM_ARGS=(--kernel "$dbg/bzImage" --append slub_debug=P)
	else
		kdir=$("$TOP/tools/kdir.sh" "$kver")
		[ -n "$kdir" ] || job_die "no kernel headers for $kver (tools/deps.sh $kver)"
		VM_ARGS=(--kver "$kver")
	fi
	cp -r "$TOP/Kbuild" "$TOP/kmod" "$TOP/include" "$STAGE/src/"
	find "$STAGE/src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order -o -name Module.symvers \) -delete
	echo "$JOB_NAME: building door.ko against $kdir"
	make -s -C "$kdir" M="$STAGE/src" modules >"$STAGE/module.log" 2>&1 ||
		{ cat "$STAGE/module.log" >&2; job_die "door.ko does not build for $kver"; }
	cp "$STAGE/src/kmod/door.ko" "$STAGE/tree/kmod/"
}

job_boot() {
	local timeout=$1 results=$2 start
	mkdir -p "$(dirname "$results")"
	start=$(date +%s)
	DOOR_TOP=$STAGE/tree "$TOP/tools/vm-run.sh" "${VM_ARGS[@]}" --timeout "$timeout" \
		--results "$results" -- "$(cat "$STAGE/cmd")" </dev/null >"$STAGE/console.txt" 2>&1
	VM_RC=$?
	JOB_SECONDS=$(($(date +%s) - start))
	tr -d '\r' <"$STAGE/console.txt" >"$STAGE/vm.txt"
}

# Guest shell for the end of a job, printed on stdout to append to
# $STAGE/cmd: counts tasks in D state (field 3 of stat is the state,
# field 9 the flags; PF_KTHREAD 0x00200000 marks kernel threads, not
# counted) and unloads the module, which must succeed once every door,
# door mount and control file is gone (each pins it).  Sets rc=1 on failure
# and prints "NAME: tasks in D state: N" and "NAME: rmmod door: ok".
job_guest_end() {
	cat <<EOF
nd=0
for s in /proc/[0-9]*/task/[0-9]*/stat; do
	line=\$(cat "\$s" 2>/dev/null) || continue
	rest=\${line##*) }
	set -- \$rest
	[ "\$1" = D ] || continue
	[ \$((\$7 & 0x00200000)) -eq 0 ] || continue
	nd=\$((nd + 1))
	echo "$JOB_NAME: task in D state: \$line"
	cat "\${s%/stat}/stack" 2>/dev/null
done
echo "$JOB_NAME: tasks in D state: \$nd"
[ "\$nd" -eq 0 ] || rc=1
if rmmod door; then
	echo "$JOB_NAME: rmmod door: ok"
else
	echo "$JOB_NAME: rmmod door: FAILED"
	lsmod
	rc=1
fi
exit \$rc
EOF
}

# The verdict on job_guest_end's checks and on the VM itself.
job_verdict_end() {
	grep -a -q "^$JOB_NAME: tasks in D state: 0" "$STAGE/vm.txt" ||
		job_fail "tasks stuck in D state (or not checked)"
	grep -a -q "^$JOB_NAME: rmmod door: ok" "$STAGE/vm.txt" ||
		job_fail "rmmod door failed (or not reached)"
	grep -a -q '^vm-run: kernel splat' "$STAGE/vm.txt" && job_fail "kernel splat in the log"
	grep -a -q '^vm-run: no exit status' "$STAGE/vm.txt" &&
		job_fail "no exit status from the guest (hang, panic or timeout)"
	return 0
}
