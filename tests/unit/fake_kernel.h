/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake_kernel.h - a stand-in for door.ko in the unit tests.
 *
 * The tests link libdoor.a with -Wl,--wrap=ioctl,--wrap=open,--wrap=close,
 * --wrap=munmap (and fstatfs, statfs, mount, umount2, geteuid, capget for
 * fattach, dlopen for the cancellation set-up).  Every ioctl libdoor issues goes to the handler the test
 * installs (fk.handler), which plays the kernel's part; opens of /dev/door
 * yield a real descriptor (of /dev/null) so that close() works; close()
 * and munmap() are recorded and then performed.
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <stddef.h>
#include <pthread.h>
#include <sys/types.h>

#include <door.h>
#include <ucred.h>
#include <door_ioctl.h>

#include "internal.h"

#define FK_LOG_MAX	256

typedef int fk_handler_t(int fd, unsigned long req, void *arg);

struct fk_ioctl_rec {
	int fd;
	unsigned long req;
};

struct fk_state {
	pthread_mutex_t lock;
	fk_handler_t *handler;		/* NULL: every ioctl fails ENOTTY */

	/* opens of /dev/door */
	int open_count;
	int open_flags;			/* flags of the last one */
	int open_errno;			/* nonzero: fail with it */
	int ctl_fd;			/* descriptor of the last one */
	int open_linger_ms;		/* hold an open this long, or until
					 * another one arrives: exposes
					 * concurrent opens */
	int in_open;			/* opens in progress */

	struct fk_ioctl_rec ioctls[FK_LOG_MAX];
	int nioctl;

	int closed[FK_LOG_MAX];
	int nclosed;

	struct { void *addr; size_t len; } unmapped[FK_LOG_MAX];
	int nunmapped;

	/* fattach/fdetach: the filesystem side (fstatfs, statfs, mount,
	 * umount2 and geteuid are wrapped too) */
	int door_fd;			/* fstatfs says doorfs for it, or -1 */
	const char *attached;		/* statfs says doorfs for it, or NULL */
	int fake_euid;			/* geteuid() answer, or -1: real */
	int fake_caps;			/* capget(): effective capabilities
					 * 0-30 as a mask, or -1: real (0, none,
					 * after fk_reset()) */
	int mount_errno;		/* nonzero: mount/umount2 fail */
	int nmount, numount;
	char mount_src[64], mount_target[256], mount_type[64], mount_data[64];
	unsigned long mount_flags;
	char umount_target[256];
	int umount_flags;
	/* mount(MS_REMOUNT) is logged apart from the other mounts; it fails
	 * with remount_errno if set, else with EINVAL (as the kernel does)
	 * unless its target is fk.attached (the root of a doorfs instance) */
	int remount_errno;
	int nremount;
	char remount_target[256], remount_data[64];
	unsigned long remount_flags;
	int fs_seq;			/* counts mount, remount and umount2 */
	int remount_seq, umount_seq;	/* fs_seq at the last of each */

	int dlopen_fail;		/* dlopen (wrapped) returns NULL */
};

extern struct fk_state fk;

/* Forget the log and the handler, and reset libdoor's process state. */
void fk_reset(void);

/* Number of logged ioctls with this request code (on any fd). */
int fk_count(unsigned long req);

/* Was fd passed to close()? */
int fk_was_closed(int fd);

/* Was [addr, addr+len) passed to munmap()? */
int fk_was_unmapped(const void *addr, size_t len);

/* A fresh real descriptor (of /dev/null) to stand for a door. */
int fk_door_fd(void);

/* Real close, not logged. */
int __real_close(int fd);

#endif /* FAKE_KERNEL_H */
