/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <door.h> alone gives ucred_t and the <ucred.h> functions (illumos'
 * <door.h> includes <ucred.h>), uint_t, and illumos' masks.
 */
#include <door.h>
#include "hdr.h"

HDR_EXTERN long HDR_FN(hdr_door_only)(void);

long HDR_FN(hdr_door_only)(void)
{
	ucred_t *uc = NULL;
	uint_t attrs = DOOR_CREATE_MASK | DOOR_ATTR_MASK;
	int (*peer)(int, ucred_t **) = getpeerucred;
	zoneid_t (*zone)(const ucred_t *) = ucred_getzoneid;

	(void)uc;
	(void)peer;
	(void)zone;
	return (long)attrs + (long)(ucred_size() > 0);
}
