#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing doors needs (Debian 12), idempotently.
#
#   tools/deps.sh [KVER]      KVER = 6.1 (default) or 6.12
#   tools/deps.sh --deb       only what `make deb` needs (see below)
#   tools/deps.sh --system-test  what `make deb` and `make system-test` need
#
# Packages already installed are left alone; apt-get (update + install, with
# --no-install-recommends) runs only when something is missing.  Installs:
#   - toolchain: build-essential gcc make
#   - test bed:  qemu-system-x86 busybox-static cpio kmod libcmocka-dev
#   - make bench's D-Bus baseline: libdbus-1-dev dbus-daemon
#   - linux-source-6.12, from which the kselftest harness headers are taken
#   - the kernel the VM boots and the module is built against:
#       6.1:  linux-image-cloud-amd64 + linux-headers-cloud-amd64
#       6.12: the newest linux-image-6.12.*+deb12-cloud-amd64-unsigned and the
#             matching linux-headers-6.12.*+deb12-cloud-amd64 (skipped if some
#             6.12 cloud vmlinuz with matching headers is already installed)
# Installing a linux-image package on the host is harmless: it is never
# booted there, it only provides /boot/vmlinuz-* for QEMU.
#
# --deb installs only what building the Debian packages needs:
# build-essential, dpkg-dev, debhelper, dh-dkms (bookworm's dh_dkms),
# fakeroot and lintian.  --system-test adds mmdebstrap, e2fsprogs
# (mkfs.ext4 -d, debugfs) and qemu-system-x86.
#
# Finally extracts tools/testing/selftests/kselftest{_harness,}.h from
# /usr/src/linux-source-6.12.tar.xz into build/kselftest/ (if missing).
set -eu

EXTRA=
case ${1:-} in
--deb) EXTRA="build-essential dpkg-dev debhelper dh-dkms fakeroot lintian" ;;
--system-test) EXTRA="build-essential dpkg-dev debhelper dh-dkms fakeroot lintian mmdebstrap e2fsprogs \
	qemu-system-x86" ;;
esac
KVER=${1:-6.1}
[ -z "$EXTRA" ] || KVER=6.1
TOP=$(cd "$(dirname "$0")/.." && pwd)
KSELFTEST_DIR=$TOP/build/kselftest
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz

case $KVER in
6.1 | 6.12) ;;
*)
	echo "deps.sh: unsupported KVER '$KVER' (use 6.1 or 6.12)" >&2
	exit 2
	;;
esac

export DEBIAN_FRONTEND=noninteractive

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

updated=
apt_update() {
	[ -n "$updated" ] && return 0
	echo "deps.sh: apt-get update" >&2
	$SUDO apt-get update -qq
	updated=1
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=
if [ -n "$EXTRA" ]; then
	for p in $EXTRA; do
		installed "$p" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		apt_update
		echo "deps.sh: installing$missing" >&2
		# shellcheck disable=SC2086 # word splitting of the package list is intended
		$SUDO apt-get install -y -q --no-install-recommends $missing
	fi
	exit 0
fi
for p in build-essential gcc make qemu-system-x86 busybox-static cpio kmod \
	libcmocka-dev linux-source-6.12 pkgconf sparse mandoc groff-base man-db \
	libdbus-1-dev dbus-daemon; do
	installed "$p" || missing="$missing $p"
done

case $KVER in
6.1)
	for p in linux-image-cloud-amd64 linux-headers-cloud-amd64; do
		installed "$p" || missing="$missing $p"
	done
	;;
6.12)
	# Already have a bootable 6.12 cloud kernel with its headers?
	have=
	for k in /boot/vmlinuz-6.12.*-cloud-amd64; do
		[ -f "$k" ] || continue
		rel=${k#/boot/vmlinuz-}
		if [ -f "/usr/src/linux-headers-$rel/Makefile" ]; then
			have=$rel
		fi
	done
	if [ -z "$have" ]; then
		apt_update
		# Versions for which both the unsigned image and the headers exist.
		imgs=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' |
			sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-cloud-amd64-unsigned .*/\1/p')
		hdrs=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-cloud-amd64$' |
			sed -n 's/^linux-headers-\(6\.12\.[0-9]*+deb12\)-cloud-amd64 .*/\1/p')
		ver=$(printf '%s\n' "$imgs" "$hdrs" | grep . | sort -V | uniq -d | tail -n 1)
		if [ -z "$ver" ]; then
			echo "deps.sh: no linux-image-6.12.*+deb12-cloud-amd64-unsigned with matching headers in apt" >&2
			exit 1
		fi
		missing="$missing linux-image-$ver-cloud-amd64-unsigned linux-headers-$ver-cloud-amd64"
	fi
	;;
esac

if [ -n "$missing" ]; then
	apt_update
	echo "deps.sh: installing$missing" >&2
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	$SUDO apt-get install -y -q --no-install-recommends $missing
fi

# kselftest harness headers (tests include them from build/kselftest/).
if [ ! -f "$KSELFTEST_DIR/kselftest_harness.h" ] || [ ! -f "$KSELFTEST_DIR/kselftest.h" ]; then
	echo "deps.sh: extracting kselftest headers from $SRC_TARBALL" >&2
	mkdir -p "$KSELFTEST_DIR"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$SRC_TARBALL" -C "$tmp" --wildcards --occurrence=1 \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h'
	for f in kselftest_harness.h kselftest.h; do
		src=$(find "$tmp" -path "*/tools/testing/selftests/$f" | head -n 1)
		if [ -z "$src" ]; then
			echo "deps.sh: $f not found in $SRC_TARBALL" >&2
			exit 1
		fi
		cp "$src" "$KSELFTEST_DIR/$f.tmp"
		mv "$KSELFTEST_DIR/$f.tmp" "$KSELFTEST_DIR/$f"
	done
fi
exit 0
