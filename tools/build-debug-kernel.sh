#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Linux 6.12 from Debian's linux-source-6.12 package with the debug
# options of tools/debug-kernel.config (KASAN, lockdep, kmemleak, ...), and
# cache it outside the work tree, keyed by the source version and config.
#
# Prints the cache directory, which holds bzImage and a build tree usable as
# KDIR for the module (the object tree with Module.symvers).
#   DOOR_CACHE  cache root (default /var/cache/door-debug-kernel)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${DOOR_CACHE:-/var/cache/door-debug-kernel}
# What a kernel build needs, installed only if missing.
need=
for p in build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils linux-source-6.12; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || need="$need $p"
done
if [ -n "$need" ]; then
	apt-get update >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >&2
fi
tarball=/usr/src/linux-source-6.12.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo none)
key=$( (echo "$srcver"; cat "$top/tools/debug-kernel.config") | sha256sum | cut -c1-16)
out=$cache_root/$key
if [ -f "$out/bzImage" ] && [ -f "$out/build/Module.symvers" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$out"
log=$out/build.log
{
	rm -rf "$out/src" "$out/build"
	mkdir -p "$out/src" "$out/build"
	tar -xJf "$tarball" -C "$out/src" --strip-components=1
	cd "$out/src"
	make O="$out/build" x86_64_defconfig
	scripts/kconfig/merge_config.sh -m -O "$out/build" "$out/build/.config" \
		kernel/configs/kvm_guest.config "$top/tools/debug-kernel.config"
	make O="$out/build" olddefconfig
	nice -n 10 make O="$out/build" -j"$(nproc)" bzImage modules_prepare
	# Module.symvers for out-of-tree builds: vmlinux exports only (no modules).
	nice -n 10 make O="$out/build" -j"$(nproc)" vmlinux
	[ -f "$out/build/Module.symvers" ] || nice -n 10 make O="$out/build" -j"$(nproc)" modules
	cp "$out/build/arch/x86/boot/bzImage" "$out/bzImage.tmp"
	# Keep what an out-of-tree build needs; drop the bulky source objects.
	rm -rf "$out/src/Documentation"
	mv "$out/bzImage.tmp" "$out/bzImage"
} >"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
echo "$out"
