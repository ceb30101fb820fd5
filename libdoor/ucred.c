/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ucred.c - door_ucred, door_cred and the ucred_t accessors.
 *
 * ucred_t (struct ucred_s, see internal.h) is opaque: a fixed header and a
 * group list sized for the credentials it holds.  door_ucred() reuses a
 * ucred_t it is given and reallocates it when the caller has more groups
 * than it can hold.  ucred_get(pid) reads /proc/PID/status.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "internal.h"

_Static_assert(sizeof(gid_t) == sizeof(__u32),
	       "the kernel writes 32-bit group ids into uc_groups");

/* Groups a new ucred_t has room for before it has to grow. */
#define UCRED_INITIAL_GROUPS	32

#ifndef P_MYSELF
#define P_MYSELF	((pid_t)-1)
#endif

struct ucred_s *libdoor_ucred_alloc(uint32_t ngroups)
{
	struct ucred_s *uc;

	uc = calloc(1, sizeof(*uc) + (size_t)ngroups * sizeof(gid_t));
	if (!uc) {
		errno = ENOMEM;
		return NULL;
	}
	uc->uc_cap = ngroups;
	uc->uc_pid = -1;
	return uc;
}

static uint32_t max_groups(void)
{
	long n = sysconf(_SC_NGROUPS_MAX);

	if (n <= 0 || n > 65536)
		n = NGROUPS_MAX;
	return (uint32_t)n;
}

/* Grow *ucp (which the library allocated) to hold n groups. */
static int ucred_grow(struct ucred_s **ucp, uint32_t n)
{
	struct ucred_s *uc;

	uc = realloc(*ucp, sizeof(*uc) + (size_t)n * sizeof(gid_t));
	if (!uc) {
		errno = ENOMEM;
		return -1;
	}
	uc->uc_cap = n;
	*ucp = uc;
	return 0;
}

/*
 * Fetch the current caller's credentials into *ucp, growing it as needed.
 * The kernel reports the caller's group count in ngroups and copies at most
 * groups_max of them; a kernel that refuses a short array instead (E2BIG,
 * ERANGE, EOVERFLOW, ENOSPC) gets the largest possible array next time.
 */
static int fetch_ucred(struct ucred_s **ucp)
{
	struct door_ioc_ucred u;
	struct ucred_s *uc;
	int ctl, tries;

	ctl = libdoor_ctl_peek();
	if (ctl < 0) {
		/* No control file: this thread serves no invocation. */
		errno = EINVAL;
		return -1;
	}

	for (tries = 0; tries < 4; tries++) {
		uc = *ucp;
		memset(&u, 0, sizeof(u));
		u.groups_ptr = DOOR_U64(uc->uc_groups);
		u.groups_max = uc->uc_cap;
		if (ioctl(ctl, DOOR_IOC_UCRED, &u) < 0) {
			if ((errno == E2BIG || errno == ERANGE ||
			     errno == EOVERFLOW || errno == ENOSPC) &&
			    uc->uc_cap < max_groups()) {
				uint32_t want = u.ngroups > uc->uc_cap ?
						u.ngroups : max_groups();
				if (ucred_grow(ucp, want) < 0)
					return -1;
				continue;
			}
			return -1;
		}
		if (u.ngroups > uc->uc_cap) {
			if (ucred_grow(ucp, u.ngroups) < 0)
				return -1;
			continue;
		}
		uc->uc_euid = u.euid;
		uc->uc_ruid = u.ruid;
		uc->uc_suid = u.suid;
		uc->uc_egid = u.egid;
		uc->uc_rgid = u.rgid;
		uc->uc_sgid = u.sgid;
		/* pid 0: the caller is not visible in our pid namespace. */
		uc->uc_pid = u.pid > 0 ? (pid_t)u.pid : -1;
		uc->uc_ngroups = u.ngroups;
		return 0;
	}
	errno = EAGAIN;
	return -1;
}

DOOR_API int door_ucred(ucred_t **info)
{
	struct ucred_s *uc;

	if (!info) {
		errno = EFAULT;
		return -1;
	}
	uc = *info;
	if (!uc) {
		uc = libdoor_ucred_alloc(UCRED_INITIAL_GROUPS);
		if (!uc)
			return -1;
	}
	if (fetch_ucred(&uc) < 0) {
		int e = errno;

		if (*info == NULL)
			free(uc);
		else
			*info = uc;	/* may have been reallocated */
		errno = e;
		return -1;
	}
	*info = uc;
	return 0;
}

DOOR_API int door_cred(door_cred_t *dc)
{
	ucred_t *uc = NULL;

	if (!dc) {
		errno = EFAULT;
		return -1;
	}
	if (door_ucred(&uc) < 0)
		return -1;
	memset(dc, 0, sizeof(*dc));
	dc->dc_euid = ucred_geteuid(uc);
	dc->dc_egid = ucred_getegid(uc);
	dc->dc_ruid = ucred_getruid(uc);
	dc->dc_rgid = ucred_getrgid(uc);
	dc->dc_pid = ucred_getpid(uc);
	ucred_free(uc);
	return 0;
}

DOOR_API void ucred_free(ucred_t *uc)
{
	free(uc);
}

DOOR_API size_t ucred_size(void)
{
	/* The largest ucred_t: one holding the system's maximum of groups. */
	return sizeof(struct ucred_s) + (size_t)max_groups() * sizeof(gid_t);
}

#define UCRED_GETTER(type, name, field)					\
	DOOR_API type name(const ucred_t *uc)				\
	{								\
		if (!uc) {						\
			errno = EINVAL;					\
			return (type)-1;				\
		}							\
		return uc->field;					\
	}

UCRED_GETTER(uid_t, ucred_geteuid, uc_euid)
UCRED_GETTER(uid_t, ucred_getruid, uc_ruid)
UCRED_GETTER(uid_t, ucred_getsuid, uc_suid)
UCRED_GETTER(gid_t, ucred_getegid, uc_egid)
UCRED_GETTER(gid_t, ucred_getrgid, uc_rgid)
UCRED_GETTER(gid_t, ucred_getsgid, uc_sgid)

DOOR_API pid_t ucred_getpid(const ucred_t *uc)
{
	if (!uc) {
		errno = EINVAL;
		return -1;
	}
	if (uc->uc_pid < 0)
		errno = EINVAL;
	return uc->uc_pid;
}

DOOR_API int ucred_getgroups(const ucred_t *uc, const gid_t **groups)
{
	if (!uc || !groups) {
		errno = EINVAL;
		return -1;
	}
	*groups = uc->uc_groups;
	return (int)uc->uc_ngroups;
}

/* Parse "Name:\tA\tB\tC\tD" id lines of /proc/PID/status. */
static int parse_ids(const char *s, unsigned long ids[4])
{
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		ids[i] = strtoul(s, &end, 10);
		if (errno)
			return -1;
		s = end;
	}
	return 0;
}

static int parse_groups(const char *s, struct ucred_s **ucp)
{
	struct ucred_s *uc;
	unsigned long g;
	char *end;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		errno = 0;
		g = strtoul(s, &end, 10);
		if (errno)
			return -1;
		s = end;
		uc = *ucp;
		if (uc->uc_ngroups == uc->uc_cap &&
		    ucred_grow(ucp, uc->uc_cap ? uc->uc_cap * 2 : 16) < 0)
			return -1;
		uc = *ucp;
		uc->uc_groups[uc->uc_ngroups++] = (gid_t)g;
	}
}

static ucred_t *ucred_from_proc(pid_t pid)
{
	char path[64], *line = NULL;
	size_t linecap = 0;
	unsigned long ids[4];
	struct ucred_s *uc;
	int have_uid = 0, have_gid = 0, have_groups = 0, e;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			errno = ESRCH;
		else if (errno == EACCES)
			errno = EPERM;
		return NULL;
	}
	uc = libdoor_ucred_alloc(UCRED_INITIAL_GROUPS);
	if (!uc)
		goto fail;
	uc->uc_pid = pid;

	/* getline: the Groups: line can be long (up to NGROUPS_MAX ids). */
	while (getline(&line, &linecap, f) > 0) {
		if (!strncmp(line, "Uid:", 4)) {
			if (parse_ids(line + 4, ids) < 0)
				goto bad;
			uc->uc_ruid = (uid_t)ids[0];
			uc->uc_euid = (uid_t)ids[1];
			uc->uc_suid = (uid_t)ids[2];
			have_uid = 1;
		} else if (!strncmp(line, "Gid:", 4)) {
			if (parse_ids(line + 4, ids) < 0)
				goto bad;
			uc->uc_rgid = (gid_t)ids[0];
			uc->uc_egid = (gid_t)ids[1];
			uc->uc_sgid = (gid_t)ids[2];
			have_gid = 1;
		} else if (!strncmp(line, "Groups:", 7)) {
			if (parse_groups(line + 7, &uc) < 0)
				goto fail;
			have_groups = 1;
		}
	}
	if (!have_uid || !have_gid || !have_groups)
		goto bad;
	free(line);
	fclose(f);
	return uc;
bad:
	errno = EINVAL;
fail:
	e = errno;
	free(line);
	fclose(f);
	free(uc);
	errno = e;
	return NULL;
}

static ucred_t *ucred_self(void)
{
	struct ucred_s *uc;
	uid_t r, e, s;
	gid_t rg, eg, sg;
	int n;

	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return NULL;
	for (;;) {
		n = getgroups(0, NULL);
		if (n < 0)
			return NULL;
		uc = libdoor_ucred_alloc((uint32_t)n);
		if (!uc)
			return NULL;
		n = getgroups(n, uc->uc_groups);
		if (n >= 0)
			break;
		free(uc);
		if (errno != EINVAL)	/* EINVAL: the list grew meanwhile */
			return NULL;
	}
	uc->uc_ngroups = (uint32_t)n;
	uc->uc_ruid = r;
	uc->uc_euid = e;
	uc->uc_suid = s;
	uc->uc_rgid = rg;
	uc->uc_egid = eg;
	uc->uc_sgid = sg;
	uc->uc_pid = getpid();
	return uc;
}

DOOR_API ucred_t *ucred_get(pid_t pid)
{
	if (pid == P_MYSELF || pid == getpid())
		return ucred_self();
	if (pid <= 0) {
		errno = ESRCH;
		return NULL;
	}
	return ucred_from_proc(pid);
}
