/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fattach.c - fattach(3C) and fdetach(3C) for doors.
 *
 * Solaris attaches a door to a file name with a mount of namefs over it;
 * door.ko does the same with doorfs (see door_ioctl.h): fattach is
 *	mount("doorfs", path, "doorfs", MS_NOSUID|MS_NODEV|MS_NOEXEC,
 *	      "fd=N,mode=M,uid=U,gid=G")
 * (mode and owner of the covered file, so the attached file shows them as
 * Solaris' namefs does) and fdetach is umount2(path, MNT_DETACH), which
 * works while descriptors opened through the path are in use, as on
 * Solaris.  The Solaris checks are made here:
 *	fattach: EBADF bad fd; EINVAL not a door; EBUSY something is attached
 *	already; EPERM the caller neither owns path nor is privileged; EACCES
 *	the owner lacks write permission on path.
 *	fdetach: EINVAL nothing attached; EPERM not owner nor privileged.
 * mount(2) itself needs CAP_SYS_ADMIN (in the caller's user namespace), so
 * an unprivileged owner gets EPERM where Solaris would succeed.
 *
 * In its own translation unit so that a program defining its own fattach()
 * does not collide with this one when linking libdoor.a.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "internal.h"

static int is_door_fs(const struct statfs *sfs)
{
	return (unsigned long)sfs->f_type == (unsigned long)DOORFS_MAGIC;
}

/* Solaris: the owner of path, or a privileged user. */
static int may_attach(const struct stat *st)
{
	uid_t euid = geteuid();

	return euid == 0 || st->st_uid == euid;
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
	/* The owner's own write permission (a privileged user needs none). */
	if (geteuid() != 0 && !(st.st_mode & S_IWUSR)) {
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
	 * Lazily, as Solaris detaches even while descriptors opened through
	 * the path are in use: the path is free at once, and the attachment
	 * (and its door reference) goes when the last of them is closed.
	 */
	return umount2(path, MNT_DETACH);
}
