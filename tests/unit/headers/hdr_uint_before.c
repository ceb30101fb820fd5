/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A program that declares uint_t itself, before <door.h>. */
typedef unsigned int uint_t;

#include <door.h>
#include <ucred.h>
#include "hdr.h"

HDR_EXTERN long HDR_FN(hdr_uint_before)(void);

static void proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		 uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
}

long HDR_FN(hdr_uint_before)(void)
{
	door_server_procedure_t *p = proc;

	(void)p;
	return (long)sizeof(uint_t);
}
