/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the differences between the kernels door.ko supports
 * (Debian's 6.1 and 6.12) in one place.  Features are probed by Kbuild
 * from the kernel headers, not guessed from version numbers.
 */
#ifndef _DOOR_COMPAT_H
#define _DOOR_COMPAT_H

#include <linux/fs.h>

/* 6.7 hid the inode timestamps behind accessors. */
static inline void door_inode_init_ts(struct inode *inode)
{
#ifdef DOOR_HAVE_SIMPLE_INODE_INIT_TS
	simple_inode_init_ts(inode);
#else
	struct timespec64 now = current_time(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
#endif
}

#endif /* _DOOR_COMPAT_H */
