/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fattach.c - fattach(3C) and fdetach(3C) for doors.
 *
 * Solaris attaches a door to a file name with a mount of namefs over it;
 * door.ko does the same with doorfs (see door_ioctl.h): fattach is
 *	mount("doorfs", path, "doorfs", MS_NOSUID|MS_NODEV|MS_NOEXEC,
 *	      "fd=N,mode=M,uid=U,gid=G")
 * (mode and owner of the covered file, so the attached file shows them as
 * Solaris' namefs does) and fdetach is
 *	mount(NULL, path, NULL, MS_REMOUNT, "detach")
 * which takes the door out of that doorfs instance, and with it the
 * attachment's reference, at once (even while another mount namespace
 * holds a copy of the mount), then umount2(path, MNT_DETACH), which gives
 * the path back and works while descriptors opened through the path are in
 * use, as on Solaris.  The Solaris checks are made here:
 *	fattach: EBADF bad fd; EINVAL not a door; EBUSY something is attached
 *	already; EPERM the caller neither owns path nor is privileged; EACCES
 *	path lacks its owner's write permission and the caller is not
 *	privileged.
 *	fdetach: EINVAL nothing attached; EPERM not owner nor privileged.
 * "Privileged" is decided as illumos decides it, by privilege and not by
 * user id: illumos asks for PRIV_FILE_OWNER to act on a file one does not
 * own and PRIV_FILE_DAC_WRITE to write without permission, which are
 * CAP_FOWNER and CAP_DAC_OVERRIDE in the caller's effective set here.  So
 * a daemon that is not root but has CAP_SYS_ADMIN, CAP_FOWNER and
 * CAP_DAC_OVERRIDE attaches over a 0444 file it does not own (nscd and
 * ldap_cachemgr create theirs so), and root without them does not.
 * mount(2) itself needs CAP_SYS_ADMIN (in the caller's user namespace), so
 * an unprivileged owner gets EPERM where Solaris would succeed.
 *
 * In its own translation unit so that a program defining its own fattach()
 * does not collide with this one when linking libdoor.a.
 */
#include <errno.h>
#include <stdio.h>
#include <stropts.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "internal.h"

/*
 * The doorfs remount option that detaches the door from an attached
 * instance (door.ko's side of fdetach; door_ioctl.h may define it).
 */
#ifndef DOORFS_DETACH_OPT
#define DOORFS_DETACH_OPT	"detach"
#endif

/* glibc provides the capget(2) wrapper but no header declares it. */
int capget(cap_user_header_t header, cap_user_data_t data);

static int is_door_fs(const struct statfs *sfs)
{
	return (unsigned long)sfs->f_type == (unsigned long)DOORFS_MAGIC;
}

/* Is cap in the calling thread's effective set? */
static int has_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	if (capget(&h, d) < 0 || cap < 0 ||
	    CAP_TO_INDEX(cap) >= _LINUX_CAPABILITY_U32S_3)
		return 0;
	return (d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap)) != 0;
}

/* Solaris: the owner of path, or privileged (PRIV_FILE_OWNER). */
static int may_attach(const struct stat *st)
{
	return st->st_uid == geteuid() || has_cap(CAP_FOWNER);
}

/* Its owner may write path, or privileged (PRIV_FILE_DAC_WRITE). */
static int may_write(const struct stat *st)
{
	return (st->st_mode & S_IWUSR) || has_cap(CAP_DAC_OVERRIDE);
}

DOOR_API int fattach(int fildes, const char *path)
{
	struct statfs sfs;
	struct stat st;
	char opts[96];

	if (fstatfs(fildes, &sfs) < 0)
		return -1;			/* EBADF */
	if (!is_door_fs(&sfs)) {
		errno = EINVAL;
		return -1;
	}
	if (!path) {
		errno = EFAULT;
		return -1;
	}
	if (stat(path, &st) < 0)
		return -1;			/* ENOENT, ENOTDIR, EACCES... */
	if (statfs(path, &sfs) == 0 && is_door_fs(&sfs)) {
		errno = EBUSY;
		return -1;
	}
	if (!may_attach(&st)) {
		errno = EPERM;
		return -1;
	}
	/* The owner's write permission (a privileged caller needs none). */
	if (!may_write(&st)) {
		errno = EACCES;
		return -1;
	}
	/* The attached file shows the mode and owner of the one it covers,
	 * as with Solaris' namefs. */
	snprintf(opts, sizeof(opts), "fd=%d,mode=%o,uid=%u,gid=%u", fildes,
		 (unsigned int)(st.st_mode & 0777), (unsigned int)st.st_uid,
		 (unsigned int)st.st_gid);
	return mount(DOORFS_TYPE, path, DOORFS_TYPE,
		     MS_NOSUID | MS_NODEV | MS_NOEXEC, opts);
}

DOOR_API int fdetach(const char *path)
{
	struct statfs sfs;
	struct stat st;

	if (!path) {
		errno = EFAULT;
		return -1;
	}
	if (statfs(path, &sfs) < 0 || stat(path, &st) < 0)
		return -1;
	if (!is_door_fs(&sfs)) {
		errno = EINVAL;
		return -1;
	}
	if (!may_attach(&st)) {
		errno = EPERM;
		return -1;
	}
	/*
	 * First the door leaves the doorfs instance: the attachment's
	 * reference goes now, whoever else holds a copy of the mount (another
	 * mount namespace, a bind mount, an O_PATH descriptor), and later
	 * opens of the path anywhere fail with ENXIO; descriptors opened
	 * through the path before keep the door as references of their own.
	 * EINVAL: path is not the root of a doorfs instance (or door.ko
	 * predates the option); EPERM: the instance belongs to a user
	 * namespace the caller has no privilege over (an unprivileged mount
	 * namespace's copy of it): either way the unmount below is all
	 * fdetach does, and its own result is the answer.
	 */
	if (mount(NULL, path, NULL, MS_REMOUNT, DOORFS_DETACH_OPT) < 0 &&
	    errno != EINVAL && errno != EPERM)
		return -1;
	/*
	 * Then lazily, as Solaris detaches even while descriptors opened
	 * through the path are in use: the path is free at once.
	 */
	return umount2(path, MNT_DETACH);
}
