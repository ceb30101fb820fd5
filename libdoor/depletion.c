/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depletion.c - door_depletion_fd(), a Linux extension.
 *
 * A descriptor per server thread pool (the process pool, or a private
 * door's) that polls readable while invocations wait in that pool with no
 * idle thread to take them; read() gives how many, as a uint64_t.  It lets
 * a server run the pool from its own event loop or thread pool, as David
 * Chisnall asked of Solaris' depletion callback.  While it is open, the
 * kernel reports no depletion for that pool (no DOOR_INV_DEPLETED), so the
 * library starts no thread for it on depletion (server.c's
 * depletion_callback never runs for it).  See door_depletion_fd(3).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#include "internal.h"

DOOR_API int door_depletion_fd(int d, int flags)
{
	struct door_ioc_depletion req = { 0 };
	int ctl, fd;

	if (flags & ~(O_NONBLOCK | O_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	if (d < 0 && d != DOOR_INVAL) {
		errno = EBADF;
		return -1;
	}
	ctl = libdoor_ctl();
	if (ctl < 0)
		return -1;
	req.door = d;
	req.flags = (flags & O_NONBLOCK) ? DOOR_DEPLETION_NONBLOCK : 0;
	fd = ioctl(ctl, DOOR_IOC_DEPLETION_FD, &req);
	/* A door.ko from before the extension. */
	if (fd < 0 && errno == ENOTTY)
		errno = ENOTSUP;
	return fd;
}
