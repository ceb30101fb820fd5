#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# version-check.sh - the version is written in one place; check the rest.
#
#   tools/version-check.sh       (make version-check; make check runs it)
#
# The source of truth is PACKAGE_VERSION in dkms.conf (DKMS reads it there,
# so it must be a literal): tools/install.sh puts it into libdoor.pc and
# the dkms source directory's name, examples/Makefile into the tree's
# libdoor.pc.  What cannot be derived from it at build time is checked here:
#   - MODULE_VERSION("...") in kmod/main.c                equal to it
#   - the newest entry of debian/changelog (native)       equal to it
#   - the soname libdoor.so.N of libdoor/Makefile         N = its major part
#   - the library package libdoorN (debian/control), debian/libdoorN.symbols
#     naming libdoor.so.N, and debian/libdoorN.install    the same N
#   - libdoor.pc.in takes its Version from @VERSION@ and tools/install.sh
#     and examples/Makefile read PACKAGE_VERSION from dkms.conf
#   - every "door/X.Y" and "door-X.Y" in README.md and dkms.conf names it,
#     and every package file name (_X.Y_) in README.md
# One line per check ("ok"/"not ok"), then "version: N passed, N failed";
# exit status 0 only if everything agrees.  Reads files only: fast, offline.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
pass=0
fail=0

check() {
	# check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "ok - $1 ($3)"
		pass=$((pass + 1))
	else
		echo "not ok - $1: expected '$2', found '$3'"
		fail=$((fail + 1))
	fi
}

V=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' dkms.conf)
if [ -z "$V" ]; then
	echo "not ok - dkms.conf has no PACKAGE_VERSION"
	echo "version: 0 passed, 1 failed"
	exit 1
fi
MAJOR=${V%%.*}

check "kmod/main.c MODULE_VERSION" "$V" \
	"$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' kmod/main.c)"
check "debian/changelog version" "$V" \
	"$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null ||
		sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' debian/changelog)"
check "libdoor/Makefile soname" "libdoor.so.$MAJOR" \
	"$(sed -n 's/^SONAME *:= *//p' libdoor/Makefile)"
check "debian/control library package" "libdoor$MAJOR" \
	"$(sed -n 's/^Package: \(libdoor[0-9][0-9]*\)$/\1/p' debian/control)"
check "debian/libdoor$MAJOR.symbols soname line" "libdoor.so.$MAJOR libdoor$MAJOR" \
	"$(sed -n '1s/^\(libdoor\.so\.[0-9]* [^ ]*\) .*/\1/p' "debian/libdoor$MAJOR.symbols" 2>/dev/null)"
check "debian/libdoor$MAJOR.install installs the soname" "usr/lib/*/libdoor.so.$MAJOR" \
	"$(cat "debian/libdoor$MAJOR.install" 2>/dev/null)"
check "libdoor/libdoor.pc.in Version" "Version: @VERSION@" \
	"$(grep '^Version:' libdoor/libdoor.pc.in)"
for f in tools/install.sh examples/Makefile; do
	check "$f reads PACKAGE_VERSION from dkms.conf" yes \
		"$(grep -q 'PACKAGE_VERSION.*dkms\.conf' "$f" && echo yes || echo no)"
done
bad=$(grep -o -E 'door[/-][0-9]+\.[0-9]+' README.md dkms.conf | grep -v -E "[/-]$V\$" | sort -u | tr '\n' ' ')
check "README.md and dkms.conf name door/$V" "" "$bad"
bad=$(grep -o -E '_[0-9]+\.[0-9]+_' README.md | grep -v -x "_${V}_" | sort -u | tr '\n' ' ')
check "README.md's package file names have _${V}_" "" "$bad"

echo "version: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
