#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install.sh - install libdoor and what goes with it (body of make install).
#
#   tools/install.sh [DESTDIR [PREFIX]]              libdoor, headers, .pc, man
#   tools/install.sh --uninstall [DESTDIR [PREFIX]]  remove them again
#   tools/install.sh --system [DESTDIR]              udev rule, modules-load.d
#   tools/install.sh --uninstall --system [DESTDIR]
#   tools/install.sh --dkms [DESTDIR]                module source for dkms
#   tools/install.sh --uninstall --dkms [DESTDIR]
#
# The default mode installs what was built in libdoor/ (run `make` first;
# `make install` does):
#   $LIBDIR/libdoor.so.1, libdoor.so -> libdoor.so.1, libdoor.a
#   $INCLUDEDIR/door.h, ucred.h, door_ioctl.h, door/stropts.h (the
#                                       <stropts.h> of fattach/fdetach: in a
#                                       directory of its own, which the .pc
#                                       file adds to the include path, so
#                                       that no system <stropts.h> is
#                                       replaced)
#   $PKGCONFIGDIR/libdoor.pc            (from libdoor/libdoor.pc.in)
#   $MANDIR/man3, man4, man7            (make -C man install)
# PREFIX defaults to /usr/local, and
#   LIBDIR=$PREFIX/lib  INCLUDEDIR=$PREFIX/include  MANDIR=$PREFIX/share/man
#   PKGCONFIGDIR=$LIBDIR/pkgconfig
# may each be set in the environment (make install LIBDIR=... passes them).
# DESTDIR (default empty) is prepended to every path written, for staged
# installs; the .pc file names the final paths, without DESTDIR.  A real
# install (no DESTDIR) by root runs ldconfig.
#
# --system installs the files that make the module load at boot and give
# /dev/door its mode (packaging/):
#   $UDEVRULESDIR/60-door.rules         (default /etc/udev/rules.d)
#   $MODULESLOADDIR/door.conf           (default /etc/modules-load.d)
# With no DESTDIR, as root, it then asks udev to reload its rules.  The
# module itself is installed by `make modules_install` or by dkms.
#
# --dkms copies the module's source tree (Kbuild, kmod/, include/door_ioctl.h
# and dkms.conf) to $DESTDIR/usr/src/door-VERSION (SRCDIR overrides
# /usr/src), after which `dkms add door/VERSION`, `dkms build` and
# `dkms install` work as usual.  VERSION is PACKAGE_VERSION of dkms.conf,
# which is also the version in libdoor.pc.
#
# --uninstall removes exactly the files the same mode installs from this
# tree (directories are left in place).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
INSTALL=${INSTALL:-install}
MAKE=${MAKE:-make}

die() {
	echo "install.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '4,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

MODE=lib
UNINSTALL=0
while [ $# -gt 0 ]; do
	case $1 in
	--uninstall) UNINSTALL=1; shift ;;
	--system) MODE=system; shift ;;
	--dkms) MODE=dkms; shift ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	-*) echo "install.sh: unknown option $1" >&2; usage 2 >&2 ;;
	*) break ;;
	esac
done
[ $# -le 2 ] || usage 2 >&2

DESTDIR=${1:-}
PREFIX=${2:-/usr/local}
[ -n "$PREFIX" ] || PREFIX=/usr/local
# A relative DESTDIR is taken from the current directory (make -C man
# runs elsewhere).
case $DESTDIR in
"" | /*) ;;
*) DESTDIR=$(pwd)/$DESTDIR ;;
esac
DESTDIR=${DESTDIR%/}

abs() {
	case $2 in
	/*) ;;
	*) die "$1 must be an absolute path, not '$2'" ;;
	esac
}

VERSION=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$TOP/dkms.conf")
[ -n "$VERSION" ] || die "no PACKAGE_VERSION in $TOP/dkms.conf"

# Remove one file (or symlink) if it is there, saying so.
remove() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		rm -f "$1"
		echo "removed $1"
	fi
}

# ---- libdoor, headers, pkg-config file, manual pages ---------------------
HEADERS="door.h ucred.h door_ioctl.h door/stropts.h"

lib_paths() {
	abs PREFIX "$PREFIX"
	LIBDIR=${LIBDIR:-$PREFIX/lib}
	INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
	MANDIR=${MANDIR:-$PREFIX/share/man}
	PKGCONFIGDIR=${PKGCONFIGDIR:-$LIBDIR/pkgconfig}
	for v in LIBDIR INCLUDEDIR MANDIR PKGCONFIGDIR; do
		eval "abs $v \"\$$v\""
	done
}

# The .pc file's paths: relative to ${prefix} where they can be.
# shellcheck disable=SC2016  # ${prefix} is pkg-config's variable, not ours
pc_path() {
	case $1 in
	"$PREFIX") echo '${prefix}' ;;
	"$PREFIX"/*) echo "\${prefix}${1#"$PREFIX"}" ;;
	*) echo "$1" ;;
	esac
}

install_lib() {
	lib_paths
	for f in libdoor.so.1 libdoor.a; do
		[ -f "$TOP/libdoor/$f" ] || die "libdoor/$f is not built (run make first)"
	done
	"$INSTALL" -d "$DESTDIR$LIBDIR" "$DESTDIR$INCLUDEDIR" "$DESTDIR$INCLUDEDIR/door" \
		"$DESTDIR$PKGCONFIGDIR"

	"$INSTALL" -m 755 "$TOP/libdoor/libdoor.so.1" "$DESTDIR$LIBDIR/libdoor.so.1"
	ln -sf libdoor.so.1 "$DESTDIR$LIBDIR/libdoor.so"
	"$INSTALL" -m 644 "$TOP/libdoor/libdoor.a" "$DESTDIR$LIBDIR/libdoor.a"
	for h in $HEADERS; do
		"$INSTALL" -m 644 "$TOP/include/$h" "$DESTDIR$INCLUDEDIR/$h"
	done

	pc=$DESTDIR$PKGCONFIGDIR/libdoor.pc
	sed -e "s|@PREFIX@|$PREFIX|g" \
	    -e "s|@LIBDIR@|$(pc_path "$LIBDIR")|g" \
	    -e "s|@INCLUDEDIR@|$(pc_path "$INCLUDEDIR")|g" \
	    -e "s|@VERSION@|$VERSION|g" \
	    "$TOP/libdoor/libdoor.pc.in" >"$pc.tmp"
	chmod 644 "$pc.tmp"
	mv "$pc.tmp" "$pc"

	"$MAKE" -s -C "$TOP/man" install DESTDIR="$DESTDIR" PREFIX="$PREFIX" \
		MANDIR="$MANDIR" INSTALL="$INSTALL"

	echo "installed libdoor $VERSION: $DESTDIR$LIBDIR/{libdoor.so.1,libdoor.so,libdoor.a}"
	echo "  headers $DESTDIR$INCLUDEDIR/{door.h,ucred.h,door_ioctl.h,door/stropts.h}"
	echo "  $pc, manual pages in $DESTDIR$MANDIR"

	if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then
		ldconfig || echo "install.sh: warning: ldconfig failed" >&2
	fi
}

uninstall_lib() {
	lib_paths
	for f in libdoor.so libdoor.so.1 libdoor.a; do
		remove "$DESTDIR$LIBDIR/$f"
	done
	for h in $HEADERS; do
		remove "$DESTDIR$INCLUDEDIR/$h"
	done
	remove "$DESTDIR$PKGCONFIGDIR/libdoor.pc"
	"$MAKE" -s -C "$TOP/man" uninstall DESTDIR="$DESTDIR" PREFIX="$PREFIX" \
		MANDIR="$MANDIR"
	echo "removed the manual pages from $DESTDIR$MANDIR"
	if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then
		ldconfig || true
	fi
}

# ---- udev rule and modules-load.d -----------------------------------------
system_paths() {
	UDEVRULESDIR=${UDEVRULESDIR:-/etc/udev/rules.d}
	MODULESLOADDIR=${MODULESLOADDIR:-/etc/modules-load.d}
	abs UDEVRULESDIR "$UDEVRULESDIR"
	abs MODULESLOADDIR "$MODULESLOADDIR"
}

udev_reload() {
	if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v udevadm >/dev/null 2>&1 &&
		[ -S /run/udev/control ]; then
		udevadm control --reload-rules || true
		if [ -e /dev/door ]; then
			udevadm trigger --subsystem-match=misc --sysname-match=door || true
		fi
	fi
}

install_system() {
	system_paths
	"$INSTALL" -d "$DESTDIR$UDEVRULESDIR" "$DESTDIR$MODULESLOADDIR"
	"$INSTALL" -m 644 "$TOP/packaging/60-door.rules" "$DESTDIR$UDEVRULESDIR/60-door.rules"
	"$INSTALL" -m 644 "$TOP/packaging/modules-load.d/door.conf" \
		"$DESTDIR$MODULESLOADDIR/door.conf"
	echo "installed $DESTDIR$UDEVRULESDIR/60-door.rules and $DESTDIR$MODULESLOADDIR/door.conf"
	udev_reload
}

uninstall_system() {
	system_paths
	remove "$DESTDIR$UDEVRULESDIR/60-door.rules"
	remove "$DESTDIR$MODULESLOADDIR/door.conf"
	udev_reload
}

# ---- dkms source tree --------------------------------------------------------
dkms_dir() {
	SRCDIR=${SRCDIR:-/usr/src}
	abs SRCDIR "$SRCDIR"
	DKMSDIR=$DESTDIR$SRCDIR/door-$VERSION
}

# The module's sources: what the top-level Kbuild and kmod/Kbuild use.
dkms_files() {
	(
		cd "$TOP"
		echo Kbuild
		echo kmod/Kbuild
		for f in kmod/*.c kmod/*.h; do
			case $f in
			*.mod.c) ;;
			*) echo "$f" ;;
			esac
		done
		echo include/door_ioctl.h
		echo LICENSES/GPL-2.0
	)
}

install_dkms() {
	dkms_dir
	"$INSTALL" -d "$DKMSDIR/kmod" "$DKMSDIR/include" "$DKMSDIR/LICENSES"
	"$INSTALL" -m 644 "$TOP/dkms.conf" "$DKMSDIR/dkms.conf"
	dkms_files | while read -r f; do
		"$INSTALL" -m 644 "$TOP/$f" "$DKMSDIR/$f"
	done
	echo "installed the door.ko sources in $DKMSDIR; now, as root:"
	echo "  dkms add door/$VERSION && dkms install door/$VERSION"
}

uninstall_dkms() {
	dkms_dir
	if [ -d "$DKMSDIR" ]; then
		remove "$DKMSDIR/dkms.conf"
		dkms_files | while read -r f; do
			remove "$DKMSDIR/$f"
		done
		for d in kmod include LICENSES ""; do
			rmdir "$DKMSDIR/$d" 2>/dev/null || true
		done
	fi
	echo "(remove it from dkms first: dkms remove door/$VERSION --all)"
}

case $MODE.$UNINSTALL in
lib.0) install_lib ;;
lib.1) uninstall_lib ;;
system.0) install_system ;;
system.1) uninstall_system ;;
dkms.0) install_dkms ;;
dkms.1) uninstall_dkms ;;
esac
