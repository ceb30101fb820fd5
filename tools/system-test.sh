#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# system-test.sh - the Debian packages on a whole Debian 12 system (body of
# `make system-test`, which builds them first with `make deb`).
#
#   tools/system-test.sh [--debs DIR] [KVER...]     KVER: 6.1, 6.12
#
# For each kernel series:
#  1. A base root file system (mmdebstrap, --variant=minbase, Debian 12
#     from the archive): systemd, udev, the Debian cloud kernel of that
#     series and its headers.  Cached as
#       $SYSTEM_TEST_CACHE/base-KVER-KEY.tar   (default /var/cache/door-system-test)
#     where KEY is a hash of what the image depends on: the recipe below
#     (make_base), the package list, the suites and the mirrors.  Delete
#     the file (or SYSTEM_TEST_REFRESH=1) to rebuild from today's archive.
#  2. A copy of it in which, chrooted (in a private mount namespace), apt
#     installs the four .debs of DIR (default build/deb) with their
#     dependencies from the archive: dkms builds door.ko for the image's
#     kernel in door-dkms's postinst.  A user "tester" is added, doord.service
#     enabled, gcc and pkgconf installed (a program is built against
#     libdoor-dev), and tools/system-test/guest.sh installed as a oneshot unit.
#  3. The tree becomes an ext4 disk image (mkfs.ext4 -d) and boots under
#     qemu-system-x86_64 (TCG; SYSTEM_TEST_KVM=1 for KVM) with the image's own
#     kernel and initramfs, console on the serial port (build/system-test/
#     console-KVER.log).  guest.sh checks the system, reboots it, checks it
#     again, purges the packages, checks what is left, and powers off.
#  4. The guest's results are read from the image (debugfs) and counted,
#     with the host's own checks (install, DKMS build, the run itself, no
#     kernel splat on the console).
# Prints "system-test: [KVER] N passed, N failed" per kernel and, last,
# "N passed, N failed"; exit status 0 only if nothing failed.
#
# Environment: SYSTEM_TEST_MIRROR (default http://deb.debian.org/debian),
# SYSTEM_TEST_SECURITY_MIRROR (http://deb.debian.org/debian-security; the
# 6.12 kernel of Debian 12 is in bookworm-security), SYSTEM_TEST_CACHE,
# SYSTEM_TEST_TIMEOUT (seconds for the QEMU run, default 2400),
# SYSTEM_TEST_MEM (MiB, default 1536), SYSTEM_TEST_KVM=1 (KVM, not TCG).
# Needs root (chroot, mmdebstrap).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
DEBS=$TOP/build/deb
while [ $# -gt 0 ]; do
	case $1 in
	--debs) DEBS=$2; shift 2 ;;
	-h | --help) sed -n '4,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) break ;;
	esac
done
KVERS=("$@")
[ ${#KVERS[@]} -gt 0 ] || KVERS=(6.1 6.12)

MIRROR=${SYSTEM_TEST_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SYSTEM_TEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=${SYSTEM_TEST_CACHE:-/var/cache/door-system-test}
TIMEOUT=${SYSTEM_TEST_TIMEOUT:-2400}
MEM=${SYSTEM_TEST_MEM:-1536}
SUITE=bookworm
OUT=$TOP/build/system-test
PKGS=(door-dkms libdoor1 libdoor-dev door-utils)

die() { echo "system-test: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, mounts)"
for c in mmdebstrap mkfs.ext4 debugfs qemu-system-x86_64 unshare sha256sum; do
	command -v "$c" >/dev/null || die "$c not found (tools/deps.sh --system-test)"
done
VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)
DEBFILES=()
for p in "${PKGS[@]}"; do
	f=$(ls "$DEBS/${p}_${VERSION}_"*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || die "no $p $VERSION package in $DEBS (make deb)"
	DEBFILES+=("$f")
done
mkdir -p "$CACHE/archives/partial" "$OUT"

kernel_pkgs() {
	case $1 in
	6.1) echo linux-image-cloud-amd64 linux-headers-cloud-amd64 ;;
	6.12) echo linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64 ;;
	*) return 1 ;;
	esac
}

# The base image: everything in this function is part of the cache key.
make_base() {
	local kver=$1 out=$2
	# shellcheck disable=SC2046  # the kernel packages
	mmdebstrap --variant=minbase --mode=root --format=tar \
		--aptopt='Acquire::Retries "3"' \
		--include="systemd-sysv,udev,kmod,procps,initramfs-tools,$(kernel_pkgs "$kver" | tr ' ' ',')" \
		--customize-hook='echo door-system-test >"$1/etc/hostname"' \
		--customize-hook='printf "/dev/vda / ext4 rw,errors=remount-ro 0 1\n" >"$1/etc/fstab"' \
		--customize-hook='for t in apt-daily apt-daily-upgrade; do ln -sf /dev/null "$1/etc/systemd/system/$t.timer"; done' \
		--customize-hook='chroot "$1" passwd -d root' \
		"$SUITE" "$out" \
		"deb $MIRROR $SUITE main" \
		"deb $MIRROR $SUITE-updates main" \
		"deb $SECURITY_MIRROR $SUITE-security main"
}

base_image() {
	local kver=$1 key tar
	key=$( { declare -f make_base kernel_pkgs; echo "$kver $MIRROR $SECURITY_MIRROR $SUITE $ARCH"; } |
		sha256sum | cut -c1-16)
	tar=$CACHE/base-$kver-$key.tar
	if [ -f "$tar" ] && [ "${SYSTEM_TEST_REFRESH:-0}" != 1 ]; then
		echo "$tar"
		return 0
	fi
	echo "system-test: [$kver] building the base image $tar (mmdebstrap)" >&2
	if ! make_base "$kver" "$tar.tmp" >"$OUT/mmdebstrap-$kver.log" 2>&1; then
		tail -n 30 "$OUT/mmdebstrap-$kver.log" >&2
		rm -f "$tar.tmp"
		return 1
	fi
	mv "$tar.tmp" "$tar"
	echo "$tar"
}

# Run a command chrooted in $1, in a private mount namespace (the mounts go
# away with it): /proc, /sys, /dev, the host's resolv.conf and apt's cache.
in_chroot() {
	local root=$1
	shift
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1; cache=$2; shift 2
		mount -t proc proc "$root/proc"
		mount -t sysfs sys "$root/sys"
		mount --bind /dev "$root/dev"
		mount --bind /dev/pts "$root/dev/pts"
		[ -e "$root/etc/resolv.conf" ] || : >"$root/etc/resolv.conf"
		mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
		mount --bind "$cache" "$root/var/cache/apt/archives"
		exec chroot "$root" "$@"' sh "$root" "$CACHE/archives" "$@"
}

total_pass=0
total_fail=0

# What to undo if the run is interrupted: the QEMU process, the work tree.
CUR_QPID=
CUR_WORK=
cleanup() {
	if [ -n "$CUR_QPID" ]; then kill "$CUR_QPID" 2>/dev/null; fi
	if [ -n "$CUR_WORK" ]; then rm -rf "$CUR_WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_kernel() {
	local kver=$1 pass=0 fail=0 base work root krel img console rc qpid deadline
	note() { echo "system-test: [$kver] $*"; }
	ok() { note "ok - $*"; pass=$((pass + 1)); }
	notok() { note "not ok - $*"; fail=$((fail + 1)); }
	finish() {
		echo "system-test: [$kver] $pass passed, $fail failed"
		total_pass=$((total_pass + pass))
		total_fail=$((total_fail + fail))
	}

	if ! base=$(base_image "$kver"); then
		notok "base image (mmdebstrap; log: $OUT/mmdebstrap-$kver.log)"
		finish
		return
	fi
	ok "base image $(basename "$base")"

	work=$(mktemp -d /var/tmp/door-system-test.XXXXXX)
	CUR_WORK=$work
	root=$work/root
	mkdir "$root"
	tar -xf "$base" -C "$root" || { notok "unpack $base"; rm -rf "$work"; finish; return; }

	# ---- install with apt, as an administrator would ----
	mkdir -p "$root/tmp/debs" "$root/var/lib/door-system-test" "$root/usr/local/lib/door-system-test"
	cp "${DEBFILES[@]}" "$root/tmp/debs/"
	if in_chroot "$root" /bin/sh -ec '
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q --no-install-recommends /tmp/debs/*.deb
		# for the check that builds a program with libdoor-dev:
		apt-get install -y -q --no-install-recommends gcc libc6-dev pkgconf binutils
		useradd -m -s /bin/sh tester
		systemctl enable doord.service
		dkms status' >"$OUT/install-$kver.log" 2>&1; then
		ok "apt-get install ./door-dkms ./libdoor1 ./libdoor-dev ./door-utils (log: build/system-test/install-$kver.log)"
	else
		tail -n 30 "$OUT/install-$kver.log"
		notok "apt-get install of the packages (log: build/system-test/install-$kver.log)"
	fi
	krel=$(ls "$root/lib/modules" | sort -V | tail -n 1)
	local ko
	ko=$(find "$root/lib/modules/$krel/updates/dkms" -name 'door.ko*' 2>/dev/null)
	if [ -n "$ko" ]; then
		ok "DKMS built ${ko##*/} for the image's kernel $krel"
	else
		notok "DKMS built no door.ko for $krel"
	fi
	rm -rf "$root/tmp/debs"

	# ---- the checks, run at every boot ----
	install -m 755 "$TOP/tools/system-test/guest.sh" "$root/usr/local/lib/door-system-test/guest.sh"
	install -m 644 "$TOP/tools/system-test/door-system-test.service" "$root/etc/systemd/system/"
	ln -sf /etc/systemd/system/door-system-test.service \
		"$root/etc/systemd/system/multi-user.target.wants/door-system-test.service"
	echo "$kver" >"$root/var/lib/door-system-test/kver"
	echo "$VERSION" >"$root/var/lib/door-system-test/version"
	echo boot1 >"$root/var/lib/door-system-test/phase"
	: >"$root/var/log/door-system-test.log"

	cp "$root/boot/vmlinuz-$krel" "$root/boot/initrd.img-$krel" "$work/" ||
		{ notok "no kernel or initramfs $krel in the image"; rm -rf "$work"; finish; return; }
	img=$work/disk.img
	local mb
	mb=$(du -sm "$root" | cut -f1)
	if ! mkfs.ext4 -q -F -L door-root -d "$root" "$img" "$((mb + 768))M" >"$work/mkfs.log" 2>&1; then
		cat "$work/mkfs.log"
		notok "mkfs.ext4 -d"
		rm -rf "$work"
		finish
		return
	fi
	rm -rf "$root"

	# ---- boot: boot1, reboot, boot2 + purge, poweroff ----
	console=$OUT/console-$kver.log
	# TCG: /dev/kvm may exist where KVM does not work (nested), and a
	# guest that hangs there is worse than a slow one.  SYSTEM_TEST_KVM=1
	# asks for KVM (falling back to TCG if it cannot start).
	local -a accel=(-accel tcg)
	[ "${SYSTEM_TEST_KVM:-0}" = 1 ] && accel=(-accel kvm -accel tcg)
	note "booting $krel under qemu (${accel[*]}; console: build/system-test/console-$kver.log)"
	qemu-system-x86_64 "${accel[@]}" \
		-m "$MEM" -smp 2 -nodefaults -no-user-config -display none -monitor none \
		-serial "file:$console" -nic none \
		-drive "file=$img,format=raw,if=virtio,cache=unsafe" \
		-kernel "$work/vmlinuz-$krel" -initrd "$work/initrd.img-$krel" \
		-append "root=/dev/vda rw console=ttyS0 loglevel=4 panic=-1 systemd.show_status=auto" \
		</dev/null >"$work/qemu.log" 2>&1 &
	qpid=$!
	CUR_QPID=$qpid
	deadline=$((SECONDS + TIMEOUT))
	while kill -0 "$qpid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 2
	done
	if kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid"
		wait "$qpid" 2>/dev/null
		notok "the guest did not power off within ${TIMEOUT}s"
	else
		wait "$qpid"
		rc=$?
		if [ "$rc" -eq 0 ]; then
			ok "the guest booted, rebooted and powered off"
		else
			cat "$work/qemu.log"
			notok "qemu exited with status $rc"
		fi
	fi
	if grep -E -q 'BUG:|WARNING:|Oops|general protection|Call Trace:' "$console"; then
		notok "kernel splat on the console ($console)"
	else
		ok "no kernel splat on the console"
	fi

	# ---- the guest's results, from the disk ----
	local results=$OUT/results-$kver.txt
	debugfs -R "cat /var/log/door-system-test.log" "$img" >"$results" 2>/dev/null
	sed "s/^/system-test: [$kver] guest: /" "$results"
	local p f
	p=$(grep -c '^ok ' "$results")
	f=$(grep -c '^not ok ' "$results")
	pass=$((pass + p))
	fail=$((fail + f))
	for phase in boot1 boot2 purge; do
		grep -q "^# end $phase\$" "$results" || notok "the guest did not finish $phase"
	done
	CUR_QPID=
	rm -rf "$work"
	finish
}

for k in "${KVERS[@]}"; do
	if ! kernel_pkgs "$k" >/dev/null; then
		echo "system-test: unknown kernel series $k (6.1 or 6.12)"
		total_fail=$((total_fail + 1))
		continue
	fi
	run_kernel "$k"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
