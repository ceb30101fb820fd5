#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# door_install_test - a staged `make install` used by an outside program
# (VM suite; busybox sh is enough).
#
# tests/ecosystem/Makefile prepared, on the build host, in the directory
# install/ next to this script:
#   stage/                  tools/install.sh stage /usr  (make install
#                           DESTDIR=stage PREFIX=/usr)
#   door_pkgconfig_demo     built with nothing but
#                           `pkg-config --cflags --libs libdoor`, with
#                           PKG_CONFIG_LIBDIR=stage/usr/lib/pkgconfig and
#                           PKG_CONFIG_SYSROOT_DIR=stage
#   door_pkgconfig_demo_static  the same with `pkg-config --static --libs`
#                           inside -Wl,-Bstatic (libdoor.a)
#   pkgconfig.txt           what pkg-config printed
#   uninstall.txt           files a second staged install left behind after
#                           tools/install.sh --uninstall (empty: none)
#   no-pkg-config           present if the host had no pkg-config
# This script checks the staged tree and runs the programs here with
# LD_LIBRARY_PATH set to the staged library directory only.
# Prints TAP; exit status 0 if every check passed, 1 otherwise.

dir=$(cd "$(dirname "$0")" && pwd)/install
stage=$dir/stage
lib=$stage/usr/lib

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $*"
}
# check DESCRIPTION COMMAND...: ok if COMMAND succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
show() {
	sed 's/^/# /' "$1"
}

echo "TAP version 13"
echo "1..9"

if [ ! -d "$stage" ]; then
	echo "# $stage is missing (tests/ecosystem/Makefile did not run)"
	i=0
	while [ $i -lt 9 ]; do
		not_ok "staged install present"
		i=$((i + 1))
	done
	exit 1
fi

# --- the staged tree ---------------------------------------------------------
check "staged libdoor.so.1, libdoor.so -> libdoor.so.1, libdoor.a" \
	sh -c "[ -f '$lib/libdoor.so.1' ] && [ -x '$lib/libdoor.so.1' ] &&
	       [ -L '$lib/libdoor.so' ] && [ \"\$(readlink '$lib/libdoor.so')\" = libdoor.so.1 ] &&
	       [ -f '$lib/libdoor.a' ]"
check "staged headers door.h, ucred.h, door_ioctl.h, door/stropts.h (no stropts.h of its own in include/)" \
	sh -c "for h in door.h ucred.h door_ioctl.h door/stropts.h; do [ -f '$stage/usr/include/'\$h ] || exit 1; done &&
	       [ ! -e '$stage/usr/include/stropts.h' ]"

pc=$lib/pkgconfig/libdoor.pc
check "staged libdoor.pc: prefix /usr, -I\${includedir} -I\${includedir}/door, -L\${libdir} -ldoor, Libs.private -pthread" \
	sh -c "grep -qx 'prefix=/usr' '$pc' && grep -qx 'Cflags: -I\${includedir} -I\${includedir}/door' '$pc' &&
	       grep -qx 'Libs: -L\${libdir} -ldoor' '$pc' && grep -qx 'Libs.private: -pthread' '$pc'"
[ -f "$pc" ] && show "$pc"

check "staged manual pages (door_create.3, door.4, libdoor.7 and the rest)" \
	sh -c "m='$stage/usr/share/man'; [ -f \$m/man3/door_create.3 ] && [ -f \$m/man3/ucred_get.3 ] &&
	       [ -f \$m/man4/door.4 ] && [ -f \$m/man7/libdoor.7 ]"

# --- the host side -------------------------------------------------------------
if [ -f "$dir/no-pkg-config" ]; then
	not_ok "pkg-config flags point into the stage # pkg-config was not installed on the build host (apt-get install pkgconf)"
else
	[ -f "$dir/pkgconfig.txt" ] && show "$dir/pkgconfig.txt"
	check "pkg-config flags point into the stage" \
		sh -c "grep -q -- '-I[^ ]*/stage/usr/include -I[^ ]*/stage/usr/include/door' '$dir/pkgconfig.txt' &&
		       grep -q -- '-L[^ ]*/stage/usr/lib -ldoor' '$dir/pkgconfig.txt'"
fi
if [ -f "$dir/uninstall.txt" ] && [ ! -s "$dir/uninstall.txt" ]; then
	ok "tools/install.sh --uninstall (make uninstall) removed every file it installed"
else
	[ -f "$dir/uninstall.txt" ] && show "$dir/uninstall.txt"
	not_ok "tools/install.sh --uninstall (make uninstall) removed every file it installed"
fi

# --- the outside programs --------------------------------------------------------
# run NAME: run install/NAME with only the staged library directory.
run() {
	if [ ! -x "$dir/$1" ]; then
		echo "# $dir/$1 was not built"
		return 1
	fi
	LD_LIBRARY_PATH=$lib "$dir/$1" >"$out/$1.out" 2>&1
	rc=$?
	show "$out/$1.out"
	[ "$rc" -eq 0 ] && grep -q 'door_pkgconfig_demo: ok' "$out/$1.out"
}

out=$(mktemp -d "${TMPDIR:-/tmp}/door_install_test.XXXXXX") || exit 1
if run door_pkgconfig_demo; then
	ok "door_pkgconfig_demo (linked by pkg-config flags) works"
else
	not_ok "door_pkgconfig_demo (linked by pkg-config flags) works"
fi
check "door_pkgconfig_demo ran with the staged libdoor.so.1" \
	grep -q "^libdoor: $lib/libdoor.so.1\$" "$out/door_pkgconfig_demo.out"
if run door_pkgconfig_demo_static && grep -qx 'libdoor: static' "$out/door_pkgconfig_demo_static.out"; then
	ok "door_pkgconfig_demo_static (pkg-config --static, libdoor.a) works without libdoor.so"
else
	not_ok "door_pkgconfig_demo_static (pkg-config --static, libdoor.a) works without libdoor.so"
fi
rm -rf "$out"

echo "# door_install_test: $n checks, $failed failed"
[ "$failed" -eq 0 ]
