#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the busybox initramfs the test VM boots.
#
#   tools/mkinitramfs.sh OUT.cpio.gz KVER [EXTRA_DIR]
#
# KVER is the kernel series (6.1, 6.12) or exact release the VM boots; it is
# only used to warn when kmod/door.ko was built for another kernel.
# EXTRA_DIR, if given, is copied over the root last (tools/vm-run.sh puts the
# guest command in EXTRA_DIR/door/cmd that way).
# The repository is the parent of this script's directory, or $DOOR_TOP.
#
# Layout of the image:
#   /bin/busybox + applet symlinks (busybox-static), /init (below)
#   /door/door.ko            kmod/door.ko                  (if built)
#   /door/lib/               libdoor/libdoor.so.1 + libdoor.so (if built)
#   /door/tests/             tests/bin/* and tests/run-suite.sh (if present)
#   /door/examples/          examples/bin/* and examples/*.sh   (if present)
#   /door/tools/doorstat     tools/doorstat/doorstat            (if built)
#   /lib/..., /lib64/...     shared libraries the ELF programs above need
# The image is rebuilt from scratch every time (it takes well under a second).
#
# /init mounts proc, sysfs, devtmpfs (/dev), devpts, tmpfs (/tmp, /run,
# /dev/shm), mqueue and debugfs, sets PATH and LD_LIBRARY_PATH=/door/lib,
# insmods /door/door.ko (unless /door/no-module exists), runs `sh /door/cmd`
# in /door, then prints
#   DOOR-VM-DMESG-BEGIN / dmesg / DOOR-VM-DMESG-END
#   DOOR-VM-RC=<exit status of the command>
# and powers off.  A missing or unloadable door.ko gives DOOR-VM-RC=125.  If
# /door/timeout holds N, a command still running after N seconds (guest
# time) makes /init print the kernel stacks of all user threads, the dmesg
# dump and DOOR-VM-RC=124, and power off.  With kmemleak, /init scans for
# leaks after the command (suspects from the boot are cleared first).
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 OUT.cpio.gz KVER [EXTRA_DIR]" >&2
	exit 2
fi
OUT=$1
KVER=$2
EXTRA=${3:-}
TOP=${DOOR_TOP:-$(cd "$(dirname "$0")/.." && pwd)}

BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && "$b" --list-full >/dev/null 2>&1; then
		BUSYBOX=$b
		break
	fi
done
if [ -z "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "mkinitramfs: need a static busybox (apt-get install busybox-static; tools/deps.sh)" >&2
	exit 1
fi

mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/door-initramfs.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT

cd "$ROOT"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root \
	door/lib door/tests door/examples lib lib64

cp "$BUSYBOX" bin/busybox
"$BUSYBOX" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	[ -e "$applet" ] && continue
	[ -d "${applet%/*}" ] || mkdir -p "${applet%/*}"
	# Relative link to /bin/busybox.
	case $applet in
	*/*/*) ln -s ../../bin/busybox "$applet" ;;
	*/*) ln -s ../bin/busybox "$applet" ;;
	esac
done

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo door-vm >etc/hostname

# --- the repository's artefacts -------------------------------------------
is_elf() {
	[ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')" = 7f454c46 ]
}

if [ -f "$TOP/kmod/door.ko" ]; then
	cp "$TOP/kmod/door.ko" door/door.ko
	vermagic=$(modinfo -F vermagic door/door.ko 2>/dev/null || true)
	rel=${vermagic%% *}
	case $rel in
	"$KVER" | "$KVER".*) ;;
	*) echo "mkinitramfs: warning: kmod/door.ko is built for '$rel', not $KVER" >&2 ;;
	esac
fi

if [ -f "$TOP/libdoor/libdoor.so.1" ]; then
	cp "$TOP/libdoor/libdoor.so.1" door/lib/
	ln -s libdoor.so.1 door/lib/libdoor.so
fi

if [ -d "$TOP/tests/bin" ]; then
	cp -R "$TOP/tests/bin/." door/tests/
fi
if [ -f "$TOP/tests/run-suite.sh" ]; then
	cp "$TOP/tests/run-suite.sh" door/tests/
fi

if [ -d "$TOP/examples/bin" ]; then
	cp -R "$TOP/examples/bin/." door/examples/
fi
for f in "$TOP"/examples/*.sh; do
	[ -f "$f" ] && cp "$f" door/examples/
done

if [ -x "$TOP/tools/doorstat/doorstat" ]; then
	mkdir -p door/tools
	cp "$TOP/tools/doorstat/doorstat" door/tools/
fi

if [ -n "$EXTRA" ]; then
	cp -R "$EXTRA/." .
fi

# --- shared libraries of every ELF program/library in /door -------------
find door -type f | while read -r f; do
	is_elf "$f" || continue
	# Static executables make ldd fail: nothing to copy.
	LD_LIBRARY_PATH="$ROOT/door/lib" ldd "$f" 2>/dev/null || true
done | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' |
	sort -u | while read -r lib; do
	case $lib in
	"$ROOT"/*) continue ;; # libdoor itself, already in /door/lib
	esac
	[ -e "$lib" ] || continue
	[ -e ".$lib" ] && continue
	mkdir -p ".$(dirname "$lib")"
	cp -L "$lib" ".$lib"
done

# glibc dlopen()s the unwinder for pthread_cancel() and pthread_exit(); ldd
# does not list it, so add it where the C library lives.
libc=$(find door -type f | while read -r f; do
	is_elf "$f" && LD_LIBRARY_PATH="$ROOT/door/lib" ldd "$f" 2>/dev/null
done | awk '$1 == "libc.so.6" { print $3; exit }')
if [ -n "$libc" ] && [ -e "$(dirname "$libc")/libgcc_s.so.1" ]; then
	mkdir -p ".$(dirname "$libc")"
	cp -L "$(dirname "$libc")/libgcc_s.so.1" ".$(dirname "$libc")/"
fi

# --- /init -----------------------------------------------------------------
cat >init <<'EOF'
#!/bin/sh
# Generated by tools/mkinitramfs.sh: runs /door/cmd and powers off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export LD_LIBRARY_PATH=/door/lib
export HOME=/root
export TERM=linux

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
hostname -F /etc/hostname
ip link set lo up 2>/dev/null
if [ -f /door/printk ]; then
	cat /door/printk >/proc/sys/kernel/printk
fi

# Kernels with kmemleak (tools/build-debug-kernel.sh): forget the boot's
# suspects, scan again after the command.
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK" 2>/dev/null
	echo clear >"$KMEMLEAK" 2>/dev/null
else
	KMEMLEAK=
fi

RC=0
if [ ! -e /door/no-module ]; then
	if [ ! -f /door/door.ko ]; then
		echo "vm-init: /door/door.ko is missing (build kmod/door.ko first, or use --no-module)"
		RC=125
	elif ! insmod /door/door.ko; then
		echo "vm-init: insmod /door/door.ko FAILED (see dmesg below)"
		RC=125
	fi
fi

# Guest-side watchdog (/door/timeout seconds, written by vm-run.sh a little
# below its host-side timeout): show where the user tasks are stuck in the
# kernel, then report DOOR-VM-RC=124 and power off.
WATCHDOG=
if [ "$RC" -eq 0 ] && [ -f /door/timeout ]; then
	(
		sleep "$(cat /door/timeout)"
		echo "vm-init: TIMEOUT: command still running after $(cat /door/timeout)s"
		echo "vm-init: kernel stacks of the user tasks:"
		for t in /proc/[0-9]*/task/[0-9]*; do
			p=${t%/task/*}
			# Kernel threads have an empty cmdline.
			[ -n "$(tr -d '\000' <"$p/cmdline" 2>/dev/null)" ] || continue
			[ "${p#/proc/}" = 1 ] && continue
			echo "--- pid ${p#/proc/} tid ${t##*/} $(cat "$t/comm" 2>/dev/null)" \
				"$(grep '^State:' "$t/status" 2>/dev/null)" \
				"wchan $(cat "$t/wchan" 2>/dev/null)"
			cat "$t/stack" 2>/dev/null
		done
		echo DOOR-VM-DMESG-BEGIN
		dmesg
		echo DOOR-VM-DMESG-END
		echo "DOOR-VM-RC=124"
		sync
		poweroff -f
	) &
	WATCHDOG=$!
fi

if [ "$RC" -eq 0 ]; then
	cd /door || exit 1
	if [ -e /door/interactive ]; then
		# Give the command a controlling tty so ^C and job control work.
		cttyhack setsid -c sh /door/cmd
	else
		sh /door/cmd </dev/null
	fi
	RC=$?
	cd /
fi
[ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null

if [ -n "$KMEMLEAK" ]; then
	echo "vm-init: kmemleak scan"
	# kmemleak does not report objects younger than 5 s, nor objects whose
	# contents changed since the previous scan (new ones): scan twice.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK"
fi

echo DOOR-VM-DMESG-BEGIN
dmesg
echo DOOR-VM-DMESG-END
echo "DOOR-VM-RC=$RC"
sync
poweroff -f
# Not reached; never let init exit (that would panic the kernel).
while :; do sleep 1000; done
EOF
chmod 755 init

find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
