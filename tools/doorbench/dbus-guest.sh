#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the VM for tools/bench.sh (as /door/tests/dbus-guest.sh): a private
# dbus-daemon with a minimal configuration, the dbusbench server, then the
# dbusbench client, which prints the "@@DB lat mech=dbus" line.
#
#   dbus-guest.sh CLOCK SAMPLES       CLOCK = icount or wall
set -u
CLOCK=${1:-icount}
SAMPLES=${2:-2000}
D=/door/tests
SOCK=/tmp/dbus-bench.sock
ADDR=unix:path=$SOCK

if [ ! -x $D/dbus-daemon ] || [ ! -x $D/dbusbench ]; then
	echo "@@DB fail mech=dbus payload=0 cpus=1 comp=0 clients=1 err=no_dbus-daemon_or_dbusbench_in_the_image"
	exit 0
fi
cat >/tmp/dbus-bench.conf <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>$ADDR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOC
mkdir -p /var/lib/dbus /run/dbus
[ -s /etc/machine-id ] || echo 0123456789abcdef0123456789abcdef >/etc/machine-id
cp /etc/machine-id /var/lib/dbus/machine-id

taskset 1 $D/dbus-daemon --config-file=/tmp/dbus-bench.conf --nofork --nopidfile &
daemon=$!
n=0
while [ ! -S $SOCK ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
if [ ! -S $SOCK ]; then
	echo "@@DB fail mech=dbus payload=0 cpus=1 comp=0 clients=1 err=dbus-daemon_did_not_start"
	kill $daemon 2>/dev/null
	exit 0
fi
$D/dbusbench server $ADDR &
server=$!
$D/dbusbench client $ADDR --clock "$CLOCK" --samples "$SAMPLES" ||
	echo "@@DB fail mech=dbus payload=0 cpus=1 comp=0 clients=1 err=dbusbench_client_failed"
kill $server $daemon 2>/dev/null
wait 2>/dev/null
exit 0
