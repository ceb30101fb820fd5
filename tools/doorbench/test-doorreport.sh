#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test of tools/doorbench/doorreport's summary (bench/results.md):
# from a synthetic raw log, the null round trip table's "÷ eventfd-bare"
# column must divide by eventfd-bare (it once divided by whichever
# mechanism came third).  Run by `make -C tests unit`; prints cmocka-style
# summary lines so that make check counts it.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
make -s -C "$HERE" doorreport >/dev/null || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/raw.txt" <<'RAW'
@@DB meta clock=icount unit=insn cpus=1 kernel=6.1.0-test door=1 libdoor=1 timer_overhead=70 quick=0
@@DB lat mech=door-ioctl payload=0 cpus=1 comp=0 clients=1 samples=2000 min=7900 median=8000 p90=8000 p99=8000 mean=8000 max=9000 unit=insn sthreads=2
@@DB lat mech=door-libdoor payload=0 cpus=1 comp=0 clients=1 samples=2000 min=8400 median=8500 p90=8500 p99=8500 mean=8500 max=9000 unit=insn sthreads=3
@@DB lat mech=door-reply payload=0 cpus=1 comp=0 clients=1 samples=2000 min=8900 median=9000 p90=9000 p99=9000 mean=9000 max=9900 unit=insn sthreads=3
@@DB lat mech=eventfd-bare payload=0 cpus=1 comp=0 clients=1 samples=2000 min=9900 median=10000 p90=10000 p99=10000 mean=10000 max=11000 unit=insn
RAW
pass=0
fail=0
check() {	# name, table row prefix, expected ratio
	if grep -q "^| $2 | .* | $3x |\$" "$T/results.md"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "test-doorreport: $1: expected the row '$2' to end in $3x:" >&2
		grep "^| $2 |" "$T/results.md" >&2
	fi
}
if "$HERE/doorreport" -S -o "$T" 6.1="$T/raw.txt" >"$T/out" 2>&1; then
	check null_ratio_door_ioctl door-ioctl 0.80
	check null_ratio_door_libdoor door-libdoor 0.85
	check null_ratio_eventfd_bare eventfd-bare 1.00
else
	cat "$T/out" >&2
	fail=3
fi
echo "[==========] doorreport: 3 test(s) run."
[ "$pass" -gt 0 ] && echo "[  PASSED  ] $pass test(s)."
[ "$fail" -gt 0 ] && echo "[  FAILED  ] $fail test(s), listed above."
[ "$fail" -eq 0 ]
