#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# demo.sh - the doors demo (busybox sh is enough).
#
# Runs demo_server, which creates a door and starts demo_client with it:
# the client prints what door_info says about the door (server pid,
# attributes, uniquifier), makes a call answered in its own buffer, and a
# call whose 64 KiB answer arrives in a new mapping it then unmaps.
# Exit status 0 when the whole exchange worked.

dir=$(cd "$(dirname "$0")" && pwd)
bin=$dir
[ -x "$bin/demo_server" ] || bin=$dir/bin	# run from the source tree

if [ -z "${LD_LIBRARY_PATH:-}" ] && [ -d "$dir/../lib" ]; then
	LD_LIBRARY_PATH=$(cd "$dir/../lib" && pwd)
	export LD_LIBRARY_PATH
fi

echo "=== Solaris doors on Linux: demo ==="
if [ ! -e /dev/door ]; then
	echo "demo: /dev/door is missing: load door.ko first" >&2
	echo "=== demo: FAIL ==="
	exit 1
fi
echo "A server process creates a door; a client process calls it."
echo

"$bin/demo_server" "$bin/demo_client"
rc=$?

echo
if [ "$rc" -eq 0 ]; then
	echo "=== demo: PASS ==="
else
	echo "=== demo: FAIL (exit status $rc) ==="
fi
exit "$rc"
