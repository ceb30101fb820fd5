/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ucred.h - Solaris user credentials (ucred_get(3C)) for libdoor.
 *
 * Also the types of Solaris' <sys/types.h> that <door.h> and <ucred.h>
 * use and Linux lacks (uint_t, zoneid_t, projid_t, and the privilege and
 * label types of the accessors).  A ported program often declares some of
 * them itself, before or after including this header: the header is
 * marked as a system header so that such an identical typedef is not a
 * redefinition warning, not even in C89/C99 with -pedantic-errors, and a
 * type the program already has as a macro is left alone.
 */
#ifndef _UCRED_H
#define _UCRED_H

#pragma GCC system_header

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(uint_t) && !defined(_UINT_T_DEFINED)
#define _UINT_T_DEFINED
typedef unsigned int uint_t;
#endif
#if !defined(zoneid_t)
typedef int zoneid_t;
#endif
#if !defined(projid_t)
typedef int projid_t;
#endif
#if !defined(priv_set_t)
typedef struct priv_set priv_set_t;
#endif
#if !defined(priv_ptype_t)
typedef const char *priv_ptype_t;
#endif
#if !defined(bslabel_t)
typedef struct _mac_label_impl bslabel_t;
#endif

/*
 * A ucred_t is self-contained: ucred_size() bytes hold any of them, so a
 * program may provide the memory itself (alloca(ucred_size()), malloc) and
 * door_ucred() and getpeerucred() fill it in place.
 */
typedef struct ucred_s ucred_t;

ucred_t *ucred_get(pid_t pid);
void ucred_free(ucred_t *uc);
uid_t ucred_geteuid(const ucred_t *uc);
uid_t ucred_getruid(const ucred_t *uc);
uid_t ucred_getsuid(const ucred_t *uc);
gid_t ucred_getegid(const ucred_t *uc);
gid_t ucred_getrgid(const ucred_t *uc);
gid_t ucred_getsgid(const ucred_t *uc);
int ucred_getgroups(const ucred_t *uc, const gid_t **groups);
const priv_set_t *ucred_getprivset(const ucred_t *uc, priv_ptype_t set);
uint_t ucred_getpflags(const ucred_t *uc, uint_t flag);
pid_t ucred_getpid(const ucred_t *uc);
size_t ucred_size(void);
int getpeerucred(int fd, ucred_t **ucred);
zoneid_t ucred_getzoneid(const ucred_t *uc);
bslabel_t *ucred_getlabel(const ucred_t *uc);
projid_t ucred_getprojid(const ucred_t *uc);

#ifdef __cplusplus
}
#endif

#endif /* _UCRED_H */
