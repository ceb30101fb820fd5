/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the differences between the kernels door.ko supports
 * (Debian's 6.1 and 6.12) in one place.
 */
#ifndef _DOOR_COMPAT_H
#define _DOOR_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>

/* 6.7 hid the inode timestamps behind accessors. */
static inline void door_inode_init_ts(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	simple_inode_init_ts(inode);
#else
	inode->i_atime = inode->i_mtime = inode_set_ctime_current(inode);
#endif
}

#endif /* _DOOR_COMPAT_H */
