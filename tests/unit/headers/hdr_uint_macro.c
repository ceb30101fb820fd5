/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A program that has uint_t as a macro: the headers leave it alone. */
#define uint_t unsigned int

#include <door.h>
#include "hdr.h"

HDR_EXTERN long HDR_FN(hdr_uint_macro)(void);

long HDR_FN(hdr_uint_macro)(void)
{
	door_arg_t a;

	a.desc_num = 0;
	return (long)sizeof(uint_t) + (long)a.desc_num;
}
