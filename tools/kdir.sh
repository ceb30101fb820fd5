#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print a kernel build directory.
#   kdir.sh            the running kernel's build dir if it exists, else the
#                      newest installed Debian cloud headers (6.1 series first)
#   kdir.sh 6.1|6.12   the newest installed linux-headers-<series>.*-cloud-amd64
debian() {
	for d in $(ls -d /usr/src/linux-headers-"$1".*-cloud-amd64 2>/dev/null | sort -V -r); do
		[ -f "$d/Makefile" ] && { echo "$d"; return 0; }
	done
	return 1
}
if [ -n "$1" ]; then
	debian "$1"
	exit 0
fi
run=/lib/modules/$(uname -r)/build
if [ -f "$run/Makefile" ]; then
	echo "$run"
	exit 0
fi
debian 6.1 || debian 6.12
exit 0
