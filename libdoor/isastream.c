/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isastream.c - isastream(3C), for programs that include <stropts.h>.
 *
 * Linux has no STREAMS: no descriptor is a stream.  1 is never returned;
 * 0 for an open descriptor, -1 with EBADF otherwise, as illumos does for
 * a descriptor that is not a stream (a door, for one).
 *
 * In its own translation unit so that a program defining isastream()
 * itself does not collide with this one when linking libdoor.a.
 */
#include <errno.h>
#include <fcntl.h>
#include <stropts.h>

#include "internal.h"

DOOR_API int isastream(int fildes)
{
	if (fcntl(fildes, F_GETFD) < 0)
		return -1;		/* EBADF */
	return 0;
}
