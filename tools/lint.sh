#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: checkpatch.pl --strict on the kernel code and the UAPI header,
# sparse over the module (make C=2), the module with W=1 as errors, and the
# user code with -Wall -Wextra -Werror (their own Makefiles), man pages.
#
#   tools/lint.sh [KDIR]
# Prints "lint: N passed, N failed" and exits non-zero on any finding.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
KDIR=${1:-$("$TOP/tools/kdir.sh" 6.1)}
B=$TOP/build/lint
mkdir -p "$B"
pass=0
fail=0

step() {
	local name=$1
	shift
	if "$@" >"$B/$name.log" 2>&1; then
		echo "lint: ok - $name"
		pass=$((pass + 1))
	else
		echo "lint: FAIL - $name"
		sed 's/^/    /' "$B/$name.log" | tail -40
		fail=$((fail + 1))
	fi
}

# checkpatch.pl and its data files come from Debian's linux-source package.
CP=$B/linux/scripts/checkpatch.pl
if [ ! -f "$CP" ]; then
	mkdir -p "$B/linux"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$B/linux" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi

checkpatch() {
	local out
	out=$(cd "$B" && perl "$CP" --no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES -f "$@" 2>&1)
	echo "$out"
	! echo "$out" | grep -qE '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK)'
}
mapfile -t KSRC < <(cd "$TOP" && ls kmod/*.c kmod/*.h | grep -v '\.mod\.c$')
step checkpatch checkpatch "${KSRC[@]/#/$TOP/}" "$TOP/include/door_ioctl.h"

# The module: W=1 warnings are errors; then sparse on every file.
step module-W1 bash -c "make -C '$KDIR' M='$TOP' W=1 KCFLAGS=-Werror modules"
step sparse bash -c "touch '$TOP'/kmod/*.c && make -C '$KDIR' M='$TOP' C=2 CHECK='sparse -Wsparse-error' modules 2>&1 | tee /dev/stderr | { ! grep -E 'warning:|error:'; }"

# User code: each Makefile builds with -Wall -Wextra -Werror.
step libdoor make -C "$TOP/libdoor" -B
step tests make -C "$TOP/tests" -B
step examples make -C "$TOP/examples" -B
if [ -f "$TOP/man/Makefile" ]; then
	step man make -C "$TOP/man" lint
fi

echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
