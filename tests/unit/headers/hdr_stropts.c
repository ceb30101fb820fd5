/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <stropts.h>, found on the include path that pkg-config gives
 * (include/door), declares fattach, fdetach and isastream; and it goes
 * with <door.h> whichever comes first.
 */
#include <stropts.h>
#include <door.h>
#include <stropts.h>
#include "hdr.h"

HDR_EXTERN long HDR_FN(hdr_stropts)(void);

long HDR_FN(hdr_stropts)(void)
{
	int (*a)(int, const char *) = fattach;
	int (*d)(const char *) = fdetach;
	int (*s)(int) = isastream;

	return (long)(a != 0) + (long)(d != 0) + (long)(s != 0);
}
