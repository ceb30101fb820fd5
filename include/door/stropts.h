/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stropts.h - the <stropts.h> declarations a Solaris door program uses:
 * fattach(3C), fdetach(3C) and isastream(3C), implemented by libdoor.
 *
 * glibc no longer ships a <stropts.h> (Linux has no STREAMS), so libdoor
 * installs this one as $includedir/door/stropts.h and pkg-config's
 * --cflags for libdoor adds $includedir/door to the include path: a
 * ported program's `#include <stropts.h>` finds it there, and a system
 * <stropts.h> (older glibc, musl) is neither replaced nor hidden: it is
 * included first, and its own declarations of the three functions are
 * the ones used.
 */
#ifndef _LIBDOOR_STROPTS_H
#define _LIBDOOR_STROPTS_H

/* #include_next is a GNU extension: no -pedantic warning for it here. */
#pragma GCC system_header

#if defined(__has_include_next)
#if __has_include_next(<stropts.h>)
#include_next <stropts.h>
#endif
#endif

#include <sys/ioctl.h>		/* ioctl(), which Solaris' <stropts.h> declares */

#ifndef _STROPTS_H		/* no system <stropts.h> declared them */

#ifdef __cplusplus
extern "C" {
#endif

int fattach(int fildes, const char *path);
int fdetach(const char *path);
int isastream(int fildes);

#ifdef __cplusplus
}
#endif

#endif /* !_STROPTS_H */

#endif /* _LIBDOOR_STROPTS_H */
