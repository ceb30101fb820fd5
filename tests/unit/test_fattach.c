/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_fattach.c - fattach/fdetach: the Solaris checks and the doorfs
 * mount, remount and unmount they turn into (mount, umount2, statfs,
 * fstatfs, geteuid and capget are wrapped; see fake_kernel.h).  Privilege is the effective
 * capabilities (fk.fake_caps, none unless a test says so), not the uid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

static char path[64];
static uid_t owner;
static int door;

static int setup(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	fk_reset();
	snprintf(path, sizeof(path), "/tmp/libdoor-fattach-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	__real_close(fd);
	/* An owner other than root, so that ownership matters. */
	if (getuid() == 0 && chown(path, 4242, (gid_t)-1) < 0)
		return -1;
	if (stat(path, &st) < 0)
		return -1;
	owner = st.st_uid;
	door = fk_door_fd();
	fk.door_fd = door;
	fk.fake_euid = (int)owner;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	__real_close(door);
	return 0;
}

/* The owner attaches: a doorfs mount naming the descriptor. */
static void attach_mounts_doorfs(void **state)
{
	struct stat st;
	char data[96];

	(void)state;
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(fattach(door, path), 0);
	assert_int_equal(fk.nmount, 1);
	assert_string_equal(fk.mount_src, "doorfs");
	assert_string_equal(fk.mount_type, "doorfs");
	assert_string_equal(fk.mount_target, path);
	/* The attached file shows the covered file's mode and owner. */
	snprintf(data, sizeof(data), "fd=%d,mode=640,uid=%u,gid=%u", door,
		 (unsigned int)st.st_uid, (unsigned int)st.st_gid);
	assert_string_equal(fk.mount_data, data);
	assert_int_equal(fk.mount_flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);

	/* mount(2)'s own refusal (no CAP_SYS_ADMIN) comes back as is. */
	fk.mount_errno = EPERM;
	assert_int_equal(fattach(door, path), -1);
	assert_int_equal(errno, EPERM);
}

static void attach_bad_descriptor(void **state)
{
	(void)state;
	assert_int_equal(fattach(-1, path), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(fk.nmount, 0);
}

/* Not a door: EINVAL. */
static void attach_not_a_door(void **state)
{
	int fd = open(path, O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(fattach(fd, path), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fk.nmount, 0);
	__real_close(fd);
}

static void attach_missing_path(void **state)
{
	(void)state;
	assert_int_equal(fattach(door, "/tmp/libdoor-no/such/file"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fk.nmount, 0);
}

/* Something attached already: EBUSY (daemons then fdetach and retry). */
static void attach_busy(void **state)
{
	(void)state;
	fk.attached = path;
	assert_int_equal(fattach(door, path), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(fk.nmount, 0);
}

#define CAP(c)	(1 << (c))

/* Neither the owner nor privileged: EPERM; privileged: allowed. */
static void attach_not_owner(void **state)
{
	(void)state;
	fk.fake_euid = (int)owner + 1;
	assert_int_equal(fattach(door, path), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(fk.nmount, 0);
	fk.fake_caps = CAP(CAP_FOWNER);
	assert_int_equal(fattach(door, path), 0);
	assert_int_equal(fk.nmount, 1);
}

/* The owner without write permission: EACCES. */
static void attach_owner_cannot_write(void **state)
{
	(void)state;
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(fattach(door, path), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(fk.nmount, 0);
}

/*
 * Privilege is capabilities, as illumos decides it by privileges: a
 * daemon that is not root, with CAP_FOWNER and CAP_DAC_OVERRIDE, attaches
 * over a 0444 file it does not own (nscd's and ldap_cachemgr's case); root
 * without them is neither owner-privileged nor write-privileged.
 */
static void attach_decided_by_capabilities(void **state)
{
	(void)state;
	assert_int_equal(chmod(path, 0444), 0);

	/* Not root, not the owner, both capabilities: attached. */
	fk.fake_euid = (int)owner + 1;
	fk.fake_caps = CAP(CAP_SYS_ADMIN) | CAP(CAP_FOWNER) |
		       CAP(CAP_DAC_OVERRIDE);
	assert_int_equal(fattach(door, path), 0);
	assert_int_equal(fk.nmount, 1);

	/* CAP_FOWNER alone: may act on the file, not write it: EACCES. */
	fk.fake_caps = CAP(CAP_SYS_ADMIN) | CAP(CAP_FOWNER);
	assert_int_equal(fattach(door, path), -1);
	assert_int_equal(errno, EACCES);

	/* CAP_DAC_OVERRIDE alone: not the owner: EPERM. */
	fk.fake_caps = CAP(CAP_SYS_ADMIN) | CAP(CAP_DAC_OVERRIDE);
	assert_int_equal(fattach(door, path), -1);
	assert_int_equal(errno, EPERM);

	/* Root without them: EPERM (ownership is checked first). */
	fk.fake_euid = 0;
	fk.fake_caps = CAP(CAP_SYS_ADMIN);
	assert_int_equal(fattach(door, path), -1);
	assert_int_equal(errno, EPERM);

	/* The owner with CAP_DAC_OVERRIDE needs no write permission. */
	fk.fake_euid = (int)owner;
	fk.fake_caps = CAP(CAP_DAC_OVERRIDE);
	assert_int_equal(fattach(door, path), 0);
	assert_int_equal(fk.nmount, 2);

	/* fdetach: CAP_FOWNER lets a non-owner detach; root without it not. */
	fk.attached = path;
	fk.fake_euid = (int)owner + 1;
	fk.fake_caps = CAP(CAP_FOWNER);
	assert_int_equal(fdetach(path), 0);
	assert_int_equal(fk.numount, 1);
	fk.fake_euid = 0;
	fk.fake_caps = 0;
	assert_int_equal(fdetach(path), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(fk.numount, 1);
}

/*
 * fdetach first detaches the door from the doorfs instance (a remount with
 * the option "detach": the attachment's reference goes at once, even while
 * another mount namespace holds a copy of the mount), then lazily unmounts
 * the path.
 */
static void detach_remounts_then_unmounts(void **state)
{
	(void)state;
	fk.attached = path;
	assert_int_equal(fdetach(path), 0);
	assert_int_equal(fk.nremount, 1);
	assert_string_equal(fk.remount_target, path);
	assert_string_equal(fk.remount_data, "detach");
	assert_int_equal(fk.remount_flags, MS_REMOUNT);
	assert_int_equal(fk.nmount, 0);
	assert_int_equal(fk.numount, 1);
	assert_string_equal(fk.umount_target, path);
	assert_int_equal(fk.umount_flags, MNT_DETACH);
	assert_true(fk.remount_seq < fk.umount_seq);
}

/*
 * The remount refused with EINVAL (path is not the root of a doorfs
 * instance, e.g. /proc/PID/fd/N of a door, or a module without the
 * option): fdetach is the unmount alone, with the unmount's own result.
 */
static void detach_remount_einval_unmounts_as_before(void **state)
{
	(void)state;
	fk.attached = path;
	fk.remount_errno = EINVAL;
	assert_int_equal(fdetach(path), 0);
	assert_int_equal(fk.nremount, 1);
	assert_int_equal(fk.numount, 1);
	assert_int_equal(fk.umount_flags, MNT_DETACH);

	/* Both refuse: the unmount's errno is fdetach's. */
	fk.mount_errno = EINVAL;
	assert_int_equal(fdetach(path), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fk.nremount, 2);
	assert_int_equal(fk.numount, 2);
}

/*
 * EPERM from the remount (the instance is owned by a user namespace the
 * caller has no privilege over: it unmounts its own namespace's copy
 * only), then the unmount decides: success, or its EPERM.
 */
static void detach_remount_eperm_unmounts_copy(void **state)
{
	(void)state;
	fk.attached = path;
	fk.remount_errno = EPERM;
	assert_int_equal(fdetach(path), 0);
	assert_int_equal(fk.numount, 1);
	fk.mount_errno = EPERM;
	assert_int_equal(fdetach(path), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(fk.numount, 2);
}

/* Any other failure of the remount is fdetach's, and nothing is unmounted. */
static void detach_remount_failure_reported(void **state)
{
	(void)state;
	fk.attached = path;
	fk.remount_errno = ENOMEM;
	assert_int_equal(fdetach(path), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(fk.nremount, 1);
	assert_int_equal(fk.numount, 0);
}

static void detach_errors(void **state)
{
	(void)state;
	/* Nothing attached. */
	assert_int_equal(fdetach(path), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fdetach("/tmp/libdoor-no/such/file"), -1);
	assert_int_equal(errno, ENOENT);
	/* Not the owner. */
	fk.attached = path;
	fk.fake_euid = (int)owner + 1;
	assert_int_equal(fdetach(path), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(fk.numount, 0);
	/* The checks come before any mount call. */
	assert_int_equal(fk.nremount, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(attach_mounts_doorfs),
		T(attach_bad_descriptor),
		T(attach_not_a_door),
		T(attach_missing_path),
		T(attach_busy),
		T(attach_not_owner),
		T(attach_owner_cannot_write),
		T(attach_decided_by_capabilities),
		T(detach_remounts_then_unmounts),
		T(detach_remount_einval_unmounts_as_before),
		T(detach_remount_eperm_unmounts_copy),
		T(detach_remount_failure_reported),
		T(detach_errors),
#undef T
	};

	return cmocka_run_group_tests_name("fattach", tests, NULL, NULL);
}
