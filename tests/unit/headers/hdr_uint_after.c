/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A program that declares uint_t itself after <door.h> (and the other
 * Solaris types <ucred.h> declares: a Solaris compatibility header of its
 * own).
 */
#include <door.h>
#include "hdr.h"

typedef unsigned int uint_t;
typedef int zoneid_t;
typedef int projid_t;

HDR_EXTERN long HDR_FN(hdr_uint_after)(void);

long HDR_FN(hdr_uint_after)(void)
{
	uint_t n = 4;
	zoneid_t z = 0;
	projid_t p = 0;

	return (long)n + z + p;
}
