#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the checks tools/system-test.sh runs inside the booted Debian
# image (as door-system-test.service, a oneshot unit started at every boot).
#
# The image boots twice in one QEMU run; /var/lib/door-system-test/phase
# says which boot this is:
#   boot1  the first boot after the packages were installed with apt:
#          door.ko loaded by modules-load.d, /dev/door's mode from the udev
#          rule, doord as a service, an unprivileged user's doorc, doorstat,
#          `systemctl restart` and a killed daemon's path taken over; then
#          `systemctl reboot`
#   boot2  the same checks again (everything came back by itself), then
#          `apt-get purge` of the four packages and what must be gone after
#          it; then poweroff
# Each check prints "ok - [PHASE] what" or "not ok - [PHASE] what: why" to
# the serial console and appends it to /var/log/door-system-test.log (which
# the host reads from the disk image afterwards); "# end PHASE" closes a
# phase.  /var/lib/door-system-test/{kver,version} hold what the host
# expects: the kernel series (6.1, 6.12) and the package version.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8

STATE=/var/lib/door-system-test
LOG=/var/log/door-system-test.log
PHASE=$(cat "$STATE/phase" 2>/dev/null || echo boot1)
KVER=$(cat "$STATE/kver")
VERSION=$(cat "$STATE/version")
USER_NAME=tester
DOOR_PATH=/run/doord/door
PKGS="door-dkms libdoor1 libdoor-dev door-utils"

say() {
	echo "$*" >>"$LOG"
	echo "door-system-test: $*" >/dev/ttyS0 2>/dev/null || true
}

# check DESCRIPTION COMMAND...: run the command; its status decides.
check() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		say "ok - [$PHASE] $what"
	else
		say "not ok - [$PHASE] $what: $(printf '%s' "$out" | tr '\n' '|' | cut -c1-400)"
	fi
	return "$rc"
}

# poll SECONDS COMMAND...: until the command succeeds or the deadline.
poll() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

expect_eq() {
	# expect_eq EXPECTED ACTUAL
	[ "$1" = "$2" ] || { echo "expected '$1', got '$2'"; return 1; }
}

main_pid() { systemctl show -P MainPID doord.service; }
as_user() { runuser -u "$USER_NAME" -- "$@"; }
mounts_at() { findmnt -n -o FSTYPE --mountpoint "$DOOR_PATH" | grep -c .; }

t_kernel() {
	case $(uname -r) in
	"$KVER".*) echo "kernel $(uname -r)" ;;
	*) echo "kernel $(uname -r) is not $KVER"; return 1 ;;
	esac
}

# systemd-modules-load logs through the kernel's log when it runs before
# journald (the first boot), so its messages are found by identifier, not
# by unit.  Nothing else loads door.ko: it has no alias udev would match.
t_modules_load() {
	journalctl -b -o cat -t systemd-modules-load | grep -F "Inserted module 'door'" &&
		[ -d /sys/module/door ]
}

t_dkms_module() {
	local f
	f=$(modinfo -n door) || return 1
	# (xz-compressed as the kernel's own modules are, on 6.12)
	case ${f%.xz} in
	"/lib/modules/$(uname -r)/updates/dkms/door.ko") ;;
	*) echo "door.ko is $f, not DKMS's"; return 1 ;;
	esac
	expect_eq "$VERSION" "$(modinfo -F version door)" || return 1
	# (a fixed string: 6.12's release has a '+'; dkms's stderr is noise)
	dkms status door 2>/dev/null | grep -F "door/$VERSION, $(uname -r), x86_64: installed"
}

t_dev_door() {
	[ -c /dev/door ] || { echo "no /dev/door"; return 1; }
	expect_eq 666 "$(stat -c %a /dev/door)" || return 1
	# The mode is the rule's: udev's own trace of the event names it.
	udevadm test --action=add /sys/class/misc/door 2>&1 | grep -E '60-door\.rules.*MODE|MODE.*60-door\.rules'
}

t_service() {
	poll 60 systemctl is-active --quiet doord.service || { systemctl status doord.service; return 1; }
	expect_eq enabled "$(systemctl is-enabled doord.service)" || return 1
	[ "$(main_pid)" -gt 0 ] || { echo "no MainPID"; return 1; }
	expect_eq 1 "$(mounts_at)" || return 1
	expect_eq doorfs "$(findmnt -n -o FSTYPE --mountpoint "$DOOR_PATH")"
}

t_user_ping() {
	local pid
	pid=$(main_pid)
	[ "$(id -u "$USER_NAME")" -ne 0 ] || return 1
	expect_eq "pid=$pid" "$(as_user doorc ping)"
}

t_user_echo() {
	expect_eq "hello from $USER_NAME" "$(as_user doorc echo hello from "$USER_NAME")"
}

t_user_whoami() {
	local uid out
	uid=$(id -u "$USER_NAME")
	out=$(as_user doorc whoami) || return 1
	echo "$out"
	echo "$out" | grep -E " opener_euid=$uid .* caller_euid=$uid\$"
}

# The administration door is root's and the daemon's user's only.
t_user_no_admin() {
	if as_user doorc stats; then
		echo "an unprivileged user got the administration door"
		return 1
	fi
	doorc stats | grep -E '^[a-z_]+=[0-9]+$' >/dev/null
}

t_doorstat() {
	local pid out
	pid=$(main_pid)
	out=$(doorstat -r "$pid") || return 1
	echo "$out"
	# The daemon's main and administration doors (it serves them) and its
	# control file.
	[ "$(echo "$out" | grep -c -E "^pid=$pid fd=[0-9]+ type=door .*target=$pid ")" -ge 2 ] &&
		echo "$out" | grep -q -E "^pid=$pid fd=[0-9]+ type=control" &&
		doorstat | grep -F "doord[$pid]"
}

# libdoor-dev as a distribution ships it: Solaris programs built by the
# user with the compiler's defaults and nothing but pkg-config's flags link
# the soname and run: solaris_compat as the user, illumos_sessions as root
# (it fattaches, which needs CAP_SYS_ADMIN).
t_dev_build() {
	local v dir ex=/usr/share/doc/libdoor-dev/examples
	v=$(pkg-config --modversion libdoor) || return 1
	expect_eq "$VERSION" "$v" || return 1
	dir=$(as_user mktemp -d) || return 1
	as_user sh -ec "cd $dir
		for p in solaris_compat illumos_sessions; do
			cc -O2 -pthread -o \$p $ex/\$p.c \$(pkg-config --cflags --libs libdoor)
			readelf -d \$p | grep -F 'Shared library: [libdoor.so.1]'
		done
		./solaris_compat" || return 1
	(cd "$dir" && ./illumos_sessions)
}

gone() { ! kill -0 "$1" 2>/dev/null; }
pid_changed() { local p; p=$(main_pid); [ "$p" -gt 0 ] && [ "$p" != "$1" ] && systemctl is-active --quiet doord.service; }

t_restart() {
	local old new
	old=$(main_pid)
	systemctl restart doord.service || return 1
	new=$(main_pid)
	[ "$new" -gt 0 ] && [ "$new" != "$old" ] || { echo "MainPID $old -> $new"; return 1; }
	poll 30 gone "$old" || { echo "old doord $old still running"; return 1; }
	expect_eq 1 "$(mounts_at)" || return 1
	expect_eq "pid=$new" "$(as_user doorc ping)" &&
		expect_eq "after restart" "$(as_user doorc echo after restart)"
}

# A daemon killed outright leaves its door attached; systemd restarts the
# service (Restart=on-failure) and the new doord replaces that door.
t_takeover() {
	local old new
	old=$(main_pid)
	systemctl kill -s KILL doord.service || return 1
	poll 60 pid_changed "$old" || { systemctl status doord.service; return 1; }
	new=$(main_pid)
	expect_eq 1 "$(mounts_at)" || return 1
	expect_eq "pid=$new" "$(as_user doorc ping)" || return 1
	journalctl -b -o cat -u doord.service | grep -F "replacing the door attached there"
}

t_no_failed_units() {
	local f
	f=$(systemctl list-units --state=failed --no-legend --plain | grep -v door-system-test)
	[ -z "$f" ] || { echo "failed units: $f"; return 1; }
}

system_checks() {
	check "the image's kernel is $KVER" t_kernel
	check "modules-load.d loaded door.ko at boot" t_modules_load
	check "door.ko is DKMS's, version $VERSION" t_dkms_module
	check "/dev/door has mode 0666 from 60-door.rules" t_dev_door
	check "doord.service is enabled, active, door attached on $DOOR_PATH" t_service
	check "user $USER_NAME: doorc ping reaches the service's doord" t_user_ping
	check "user $USER_NAME: doorc echo through a session door" t_user_echo
	check "user $USER_NAME: doorc whoami sees the user's credentials" t_user_whoami
	check "user $USER_NAME is refused the administration door; root is not" t_user_no_admin
	check "doorstat lists doord's doors and control file" t_doorstat
}

# ---- purge ----------------------------------------------------------------
purge_files=$STATE/package-files

t_purge() {
	# shellcheck disable=SC2086  # the package list
	dpkg-query -L $PKGS | sort -u >"$purge_files.all" || return 1
	while read -r f; do
		[ -d "$f" ] || echo "$f"
	done <"$purge_files.all" >"$purge_files"
	[ -s "$purge_files" ] || { echo "no files listed"; return 1; }
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $PKGS
}

t_not_installed() {
	local p s
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
		case $s in
		"" | "un "*) ;;
		*) echo "$p: $s"; return 1 ;;
		esac
	done
}

t_files_gone() {
	local left=
	while read -r f; do
		if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
	done <"$purge_files"
	[ -z "$left" ] || { echo "left behind:$left"; return 1; }
	echo "$(wc -l <"$purge_files") files gone"
}

t_dkms_empty() {
	local s
	# (dkms status writes a "Broken pipe" complaint of its own to stderr
	# when it has nothing to list; its output is what counts.)
	s=$(dkms status 2>/dev/null)
	[ -z "$s" ] || { echo "dkms status: $s"; return 1; }
	[ ! -e /var/lib/dkms/door ]
}

t_no_module_files() {
	local f
	f=$(find /lib/modules /usr/lib/modules -name 'door.ko*' 2>/dev/null)
	[ -z "$f" ] || { echo "$f"; return 1; }
}

t_no_src() {
	local f
	f=$(find /usr/src -maxdepth 1 -name 'door*')
	[ -z "$f" ] || { echo "$f"; return 1; }
}

t_no_unit_left() {
	local f
	f=$(find /etc/systemd /run/systemd/system /run/doord -name 'doord*' 2>/dev/null)
	[ -z "$f" ] || { echo "$f"; return 1; }
	! pgrep -x doord
}

purge_checks() {
	check "apt-get purge $PKGS" t_purge || return
	check "none of the four is installed or half-removed" t_not_installed
	check "no file of the packages is left" t_files_gone
	check "dkms status is empty" t_dkms_empty
	check "no door.ko under /lib/modules" t_no_module_files
	check "nothing under /usr/src" t_no_src
	check "doord is stopped, no unit or enablement link is left" t_no_unit_left
}

# ---- main -----------------------------------------------------------------
# Started after multi-user.target and doord.service (the unit's ordering);
# waiting here for the whole boot to finish would wait for this very unit.
say "# begin $PHASE"
case $PHASE in
boot1)
	system_checks
	check "user $USER_NAME: a program built with pkg-config --cflags --libs libdoor runs" t_dev_build
	check "systemctl restart doord: the new daemon takes the path over" t_restart
	check "doord killed: systemd restarts it and it replaces the stale door" t_takeover
	check "no failed unit" t_no_failed_units
	say "# end boot1"
	echo boot2 >"$STATE/phase"
	sync
	systemctl --no-block reboot
	;;
boot2)
	system_checks
	check "no failed unit" t_no_failed_units
	say "# end boot2"
	PHASE=purge
	purge_checks
	say "# end purge"
	echo finished >"$STATE/phase"
	sync
	systemctl --no-block poweroff
	;;
*)
	say "# nothing to do in phase $PHASE"
	systemctl --no-block poweroff
	;;
esac
exit 0
