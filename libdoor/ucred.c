/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ucred.c - door_ucred, door_cred, ucred_get and the ucred_t accessors.
 *
 * ucred_t (struct ucred_s, see internal.h) is self-contained, as illumos'
 * is: a fixed header and room for a fixed number of groups, ucred_size()
 * bytes in all.  door_ucred() fills the ucred_t it is given, whoever
 * allocated it (illumos programs pass alloca(ucred_size())), and allocates
 * one only when given NULL; it never reallocates.  A caller with more
 * groups than a ucred_t carries is described by its first ones, as on an
 * illumos system whose ngroups_max is below a process's group count.
 * ucred_get(pid) reads /proc/PID/status.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "internal.h"

_Static_assert(sizeof(gid_t) == sizeof(__u32),
	       "the kernel writes 32-bit group ids into uc_groups");

/*
 * illumos sizes its ucred_t from ngroups_max: 16 by default, 1024 at most
 * (NGROUPS_MAX_DEFAULT and NGROUPS_UMAX there).
 */
#define UCRED_GROUPS_DEFAULT	16
#define UCRED_GROUPS_LIMIT	1024

#ifndef P_MYSELF
#define P_MYSELF	((pid_t)-1)
#endif

static pthread_once_t max_groups_once = PTHREAD_ONCE_INIT;
static uint32_t max_groups;

static void max_groups_init(void)
{
	long n = sysconf(_SC_NGROUPS_MAX);

	if (n <= 0)
		n = UCRED_GROUPS_DEFAULT;
	if (n > UCRED_GROUPS_LIMIT)
		n = UCRED_GROUPS_LIMIT;
	max_groups = (uint32_t)n;
}

uint32_t libdoor_ucred_max_groups(void)
{
	pthread_once(&max_groups_once, max_groups_init);
	return max_groups;
}

DOOR_API size_t ucred_size(void)
{
	return offsetof(struct ucred_s, uc_groups) +
	       (size_t)libdoor_ucred_max_groups() * sizeof(gid_t);
}

struct ucred_s *libdoor_ucred_alloc(void)
{
	struct ucred_s *uc = calloc(1, ucred_size());

	if (!uc) {
		errno = ENOMEM;
		return NULL;
	}
	uc->uc_pid = -1;
	return uc;
}

/*
 * The calling process's own credentials into uc, with pid as its process
 * id and at most cap groups.
 */
static int fill_self(struct ucred_s *uc, pid_t pid, uint32_t cap)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, *all;
	int n, m;

	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -1;
	n = 0;
	while (cap > 0) {
		n = getgroups((int)cap, uc->uc_groups);
		if (n >= 0)
			break;
		if (errno != EINVAL)
			return -1;
		/* More groups than the ucred_t carries: its first ones. */
		m = getgroups(0, NULL);
		if (m < 0)
			return -1;
		all = malloc(((size_t)m + 1) * sizeof(gid_t));
		if (!all) {
			errno = ENOMEM;
			return -1;
		}
		n = getgroups(m, all);
		if (n >= 0) {
			if ((uint32_t)n > cap)
				n = (int)cap;
			memcpy(uc->uc_groups, all, (size_t)n * sizeof(gid_t));
		}
		free(all);
		if (n >= 0)
			break;
		if (errno != EINVAL)	/* EINVAL: the list grew meanwhile */
			return -1;
	}
	uc->uc_flags = UCRED_F_RSIDS;
	uc->uc_ngroups = (uint32_t)n;
	uc->uc_ruid = r;
	uc->uc_euid = e;
	uc->uc_suid = s;
	uc->uc_rgid = rg;
	uc->uc_egid = eg;
	uc->uc_sgid = sg;
	uc->uc_pid = pid;
	return 0;
}

/*
 * The credentials of the client of the invocation this thread serves,
 * into uc, with at most cap groups.  The kernel copies at most groups_max
 * of the caller's groups and reports how many it has.  In an unreferenced
 * notification there is no client: illumos reports the server's own
 * credentials and process id 0 (the kernel's), and so does libdoor.
 */
static int fetch_ucred(struct ucred_s *uc, uint32_t cap)
{
	struct door_ioc_ucred u;
	int ctl;

	if (libdoor_serving_unref())
		return fill_self(uc, 0, cap);
	ctl = libdoor_ctl_peek();
	if (ctl < 0) {
		/* No control file: this thread serves no invocation. */
		errno = EINVAL;
		return -1;
	}
	memset(&u, 0, sizeof(u));
	u.groups_ptr = DOOR_U64(uc->uc_groups);
	u.groups_max = cap;
	if (ioctl(ctl, DOOR_IOC_UCRED, &u) < 0)
		return -1;
	uc->uc_flags = UCRED_F_RSIDS;
	uc->uc_euid = u.euid;
	uc->uc_ruid = u.ruid;
	uc->uc_suid = u.suid;
	uc->uc_egid = u.egid;
	uc->uc_rgid = u.rgid;
	uc->uc_sgid = u.sgid;
	/* pid 0: the caller is not visible in our pid namespace. */
	uc->uc_pid = u.pid > 0 ? (pid_t)u.pid : -1;
	uc->uc_ngroups = u.ngroups < cap ? u.ngroups : cap;
	return 0;
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
		uc = libdoor_ucred_alloc();
		if (!uc)
			return -1;
	}
	if (fetch_ucred(uc, libdoor_ucred_max_groups()) < 0) {
		int e = errno;

		if (*info == NULL)
			free(uc);
		errno = e;
		return -1;
	}
	*info = uc;
	return 0;
}

DOOR_API int door_cred(door_cred_t *dc)
{
	struct ucred_s uc;	/* the header only: no groups wanted */

	if (!dc) {
		errno = EFAULT;
		return -1;
	}
	if (fetch_ucred(&uc, 0) < 0)
		return -1;
	memset(dc, 0, sizeof(*dc));
	dc->dc_euid = uc.uc_euid;
	dc->dc_egid = uc.uc_egid;
	dc->dc_ruid = uc.uc_ruid;
	dc->dc_rgid = uc.uc_rgid;
	dc->dc_pid = uc.uc_pid;
	return 0;
}

DOOR_API void ucred_free(ucred_t *uc)
{
	free(uc);
}

#define UCRED_GETTER(type, name, field, need)				\
	DOOR_API type name(const ucred_t *uc)				\
	{								\
		if (!uc || (uc->uc_flags & (need)) != (need)) {		\
			errno = EINVAL;					\
			return (type)-1;				\
		}							\
		return uc->field;					\
	}

UCRED_GETTER(uid_t, ucred_geteuid, uc_euid, 0)
UCRED_GETTER(uid_t, ucred_getruid, uc_ruid, UCRED_F_RSIDS)
UCRED_GETTER(uid_t, ucred_getsuid, uc_suid, UCRED_F_RSIDS)
UCRED_GETTER(gid_t, ucred_getegid, uc_egid, 0)
UCRED_GETTER(gid_t, ucred_getrgid, uc_rgid, UCRED_F_RSIDS)
UCRED_GETTER(gid_t, ucred_getsgid, uc_sgid, UCRED_F_RSIDS)

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
	/* As illumos: no list at all when there are no groups. */
	*groups = uc->uc_ngroups ? uc->uc_groups : NULL;
	return (int)uc->uc_ngroups;
}

/* Linux has no zones: every process is in the global zone, zone 0. */
DOOR_API zoneid_t ucred_getzoneid(const ucred_t *uc)
{
	if (!uc) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* No projects: illumos' answer for credentials without a project. */
DOOR_API projid_t ucred_getprojid(const ucred_t *uc)
{
	(void)uc;
	errno = EINVAL;
	return -1;
}

/*
 * No privilege sets, process flags or labels: illumos' answers for
 * credentials that carry none (a system without Trusted Extensions, for
 * labels).
 */
DOOR_API const priv_set_t *ucred_getprivset(const ucred_t *uc,
					    priv_ptype_t set)
{
	(void)uc;
	(void)set;
	errno = EINVAL;
	return NULL;
}

DOOR_API uint_t ucred_getpflags(const ucred_t *uc, uint_t flag)
{
	(void)uc;
	(void)flag;
	errno = EINVAL;
	return (uint_t)-1;
}

DOOR_API bslabel_t *ucred_getlabel(const ucred_t *uc)
{
	(void)uc;
	errno = EINVAL;
	return NULL;
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

/* The groups of a "Groups:" line, as many as uc carries. */
static int parse_groups(const char *s, struct ucred_s *uc)
{
	uint32_t cap = libdoor_ucred_max_groups();
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
		if (uc->uc_ngroups < cap)
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
		else if (errno == EPERM)
			errno = EACCES;
		return NULL;
	}
	uc = libdoor_ucred_alloc();
	if (!uc)
		goto fail;
	uc->uc_flags = UCRED_F_RSIDS;
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
			if (parse_groups(line + 7, uc) < 0)
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
	struct ucred_s *uc = libdoor_ucred_alloc();
	int e;

	if (!uc)
		return NULL;
	if (fill_self(uc, getpid(), libdoor_ucred_max_groups()) < 0) {
		e = errno;
		free(uc);
		errno = e;
		return NULL;
	}
	return uc;
}

/*
 * May the caller examine process @pid?  illumos' ucred_get() wants the
 * caller's ids to match all of the target's (real, effective and saved,
 * of a process that did not change ids) or the proc_owner privilege, and
 * fails with EACCES otherwise.  Linux's rule for reading another process's
 * private state, ptrace read access (the same ids and a dumpable process,
 * or CAP_SYS_PTRACE), is that rule; opening /proc/PID/environ applies it.
 */
static int ucred_may_examine(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == ENOENT || errno == ENOTDIR)
		errno = ESRCH;
	else if (errno == EPERM)
		errno = EACCES;
	return -1;
}

DOOR_API ucred_t *ucred_get(pid_t pid)
{
	if (pid == P_MYSELF || pid == getpid())
		return ucred_self();
	if (pid < 0) {			/* illumos: EINVAL */
		errno = EINVAL;
		return NULL;
	}
	if (pid == 0) {			/* no such process on Linux */
		errno = ESRCH;
		return NULL;
	}
	if (ucred_may_examine(pid) < 0)
		return NULL;
	return ucred_from_proc(pid);
}
