/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_ucred.c - door_ucred, door_cred, the ucred_get*() accessors and
 * ucred_get(pid): a ucred_t is self-contained at ucred_size() bytes and
 * filled wherever the caller put it; groups are capped as illumos caps
 * them; an unreferenced notification is described as illumos describes it.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <alloca.h>
#include <pthread.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

/* The credentials the emulated kernel reports for the current caller. */
static struct door_ioc_ucred cred;
static uint32_t cred_groups[2048];
static int ucred_errno;
static int ucred_calls;
static uint32_t last_groups_max;

static int setup(void **state)
{
	(void)state;
	fk_reset();
	memset(&cred, 0, sizeof(cred));
	cred.euid = 1001;
	cred.ruid = 1002;
	cred.suid = 1003;
	cred.egid = 2001;
	cred.rgid = 2002;
	cred.sgid = 2003;
	cred.pid = 4321;
	cred.ngroups = 3;
	cred_groups[0] = 10;
	cred_groups[1] = 20;
	cred_groups[2] = 30;
	ucred_errno = 0;
	ucred_calls = 0;
	last_groups_max = 0;
	return 0;
}

/* Like door.ko: copies min(ngroups, groups_max) and reports ngroups. */
static int kernel(int fd, unsigned long req, void *arg)
{
	struct door_ioc_ucred *u = arg;
	uint32_t i, n;

	if (req != DOOR_IOC_UCRED || fd != fk.ctl_fd) {
		errno = ENOTTY;
		return -1;
	}
	ucred_calls++;
	if (ucred_errno) {
		errno = ucred_errno;
		return -1;
	}
	last_groups_max = u->groups_max;
	n = cred.ngroups < u->groups_max ? cred.ngroups : u->groups_max;
	for (i = 0; i < n; i++)
		((uint32_t *)(uintptr_t)u->groups_ptr)[i] = cred_groups[i];
	u->euid = cred.euid;
	u->ruid = cred.ruid;
	u->suid = cred.suid;
	u->egid = cred.egid;
	u->rgid = cred.rgid;
	u->sgid = cred.sgid;
	u->pid = cred.pid;
	u->ngroups = cred.ngroups;
	return 0;
}

/* As if this thread were serving an invocation. */
static void serving(void)
{
	fk.handler = kernel;
	assert_true(libdoor_ctl() >= 0);
}

static void ucred_allocates_and_fills(void **state)
{
	ucred_t *uc = NULL;
	const gid_t *g;

	(void)state;
	serving();
	assert_int_equal(door_ucred(&uc), 0);
	assert_non_null(uc);
	assert_int_equal(ucred_calls, 1);
	assert_int_equal(ucred_geteuid(uc), 1001);
	assert_int_equal(ucred_getruid(uc), 1002);
	assert_int_equal(ucred_getsuid(uc), 1003);
	assert_int_equal(ucred_getegid(uc), 2001);
	assert_int_equal(ucred_getrgid(uc), 2002);
	assert_int_equal(ucred_getsgid(uc), 2003);
	assert_int_equal(ucred_getpid(uc), 4321);
	assert_int_equal(ucred_getgroups(uc, &g), 3);
	assert_int_equal(g[0], 10);
	assert_int_equal(g[1], 20);
	assert_int_equal(g[2], 30);
	ucred_free(uc);
}

/* What ucred_size() must be: the header and the capped group list. */
static size_t expected_size(void)
{
	long n = sysconf(_SC_NGROUPS_MAX);

	if (n <= 0)
		n = 16;
	if (n > 1024)
		n = 1024;
	return offsetof(struct ucred_s, uc_groups) + (size_t)n * sizeof(gid_t);
}

static void many_groups(uint32_t n)
{
	uint32_t i;

	cred.ngroups = n;
	for (i = 0; i < n; i++)
		cred_groups[i] = 5000 + i;
}

/*
 * More groups than a ucred_t carries: the first ones, as many as illumos
 * would carry at most (ngroups_max: 1024 at most), in one request.
 */
static void ucred_groups_capped(void **state)
{
	uint32_t cap = libdoor_ucred_max_groups(), i;
	ucred_t *uc = NULL;
	const gid_t *g;

	(void)state;
	serving();
	assert_true(cap >= 16 && cap <= 1024);
	assert_int_equal(ucred_size(), expected_size());
	many_groups(2000);
	assert_int_equal(door_ucred(&uc), 0);
	assert_int_equal(ucred_calls, 1);
	assert_int_equal(last_groups_max, cap);
	assert_int_equal(ucred_getgroups(uc, &g), (int)cap);
	for (i = 0; i < cap; i++)
		assert_int_equal(g[i], 5000 + i);
	ucred_free(uc);
}

/* A ucred from an earlier call is refilled in place, whatever it held. */
static void ucred_reuses(void **state)
{
	ucred_t *uc = NULL, *first;
	const gid_t *g;

	(void)state;
	serving();
	assert_int_equal(door_ucred(&uc), 0);
	first = uc;
	cred.euid = 7;
	cred.ngroups = 1;
	assert_int_equal(door_ucred(&uc), 0);
	assert_ptr_equal(uc, first);
	assert_int_equal(ucred_geteuid(uc), 7);
	assert_int_equal(ucred_getgroups(uc, &g), 1);

	many_groups(1500);
	assert_int_equal(door_ucred(&uc), 0);
	assert_ptr_equal(uc, first);		/* never reallocated */
	assert_int_equal(ucred_getgroups(uc, &g),
			 (int)libdoor_ucred_max_groups());
	ucred_free(uc);
}

/*
 * The illumos idiom: door_ucred() into the caller's own memory of
 * ucred_size() bytes (alloca, malloc), uninitialised: it is filled in
 * place, never reallocated, and nothing past ucred_size() is written.
 */
static void ucred_into_caller_buffer(void **state)
{
	size_t size = ucred_size(), guard = 64, i;
	unsigned char *mem;
	ucred_t *uc, *given;
	const gid_t *g;

	(void)state;
	serving();

	/* alloca(ucred_size()) of zeros: as new, yet not the library's. */
	given = uc = alloca(size);
	memset(uc, 0, size);
	assert_int_equal(door_ucred(&uc), 0);
	assert_ptr_equal(uc, given);
	assert_int_equal(ucred_geteuid(uc), 1001);
	assert_int_equal(ucred_getpid(uc), 4321);
	assert_int_equal(ucred_getgroups(uc, &g), 3);
	assert_int_equal(g[2], 30);

	/* Garbage in it, a caller with many groups: the guard is intact. */
	mem = malloc(size + guard);
	assert_non_null(mem);
	memset(mem, 0xa5, size + guard);
	given = uc = (ucred_t *)mem;
	many_groups(2000);
	assert_int_equal(door_ucred(&uc), 0);
	assert_ptr_equal(uc, given);
	assert_int_equal(ucred_getruid(uc), 1002);
	assert_int_equal(ucred_getgroups(uc, &g),
			 (int)libdoor_ucred_max_groups());
	assert_int_equal(g[0], 5000);
	for (i = size; i < size + guard; i++)
		assert_int_equal(mem[i], 0xa5);
	free(mem);
}

/* Outside an invocation: EINVAL, and nothing is allocated or changed. */
static void ucred_outside_invocation(void **state)
{
	ucred_t *uc = NULL, *keep;

	(void)state;
	/* No control file at all: not serving; nothing is opened. */
	errno = 0;
	assert_int_equal(door_ucred(&uc), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(uc);
	assert_int_equal(fk.open_count, 0);

	/* The kernel says the thread serves nothing. */
	serving();
	ucred_errno = EINVAL;
	assert_int_equal(door_ucred(&uc), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(uc);

	ucred_errno = 0;
	assert_int_equal(door_ucred(&uc), 0);
	keep = uc;
	ucred_errno = EINVAL;
	assert_int_equal(door_ucred(&uc), -1);
	assert_ptr_equal(uc, keep);		/* still the caller's */
	assert_int_equal(ucred_geteuid(uc), 1001);
	ucred_free(uc);

	door_cred_t dc;
	assert_int_equal(door_cred(&dc), -1);
	assert_int_equal(errno, EINVAL);
}

/* The kernel reports pid 0 when the caller is not in our namespace. */
static void ucred_invisible_pid(void **state)
{
	ucred_t *uc = NULL;

	(void)state;
	serving();
	cred.pid = 0;
	assert_int_equal(door_ucred(&uc), 0);
	assert_int_equal(ucred_getpid(uc), -1);
	ucred_free(uc);
}

static void cred_converts(void **state)
{
	door_cred_t dc;

	(void)state;
	serving();
	memset(&dc, 0x5a, sizeof(dc));
	assert_int_equal(door_cred(&dc), 0);
	assert_int_equal(dc.dc_euid, 1001);
	assert_int_equal(dc.dc_egid, 2001);
	assert_int_equal(dc.dc_ruid, 1002);
	assert_int_equal(dc.dc_rgid, 2002);
	assert_int_equal(dc.dc_pid, 4321);
	assert_int_equal(dc.dc_resv[0] | dc.dc_resv[1] | dc.dc_resv[2] |
			 dc.dc_resv[3], 0);
}

static void accessors_reject_null(void **state)
{
	const gid_t *g;

	(void)state;
	errno = 0;
	assert_int_equal(ucred_geteuid(NULL), (uid_t)-1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ucred_getruid(NULL), (uid_t)-1);
	assert_int_equal(ucred_getsuid(NULL), (uid_t)-1);
	assert_int_equal(ucred_getegid(NULL), (gid_t)-1);
	assert_int_equal(ucred_getrgid(NULL), (gid_t)-1);
	assert_int_equal(ucred_getsgid(NULL), (gid_t)-1);
	assert_int_equal(ucred_getpid(NULL), -1);
	assert_int_equal(ucred_getgroups(NULL, &g), -1);
	assert_int_equal(ucred_getzoneid(NULL), -1);
	ucred_free(NULL);
	/* Modest, as illumos': the header and at most 1024 groups. */
	assert_int_equal(ucred_size(), expected_size());
	assert_true(ucred_size() <= 64 + 1024 * sizeof(gid_t));
}

/*
 * The illumos accessors of what Linux does not have, with their documented
 * answers: the global zone; no project, privilege sets, flags or label
 * (illumos' answers for credentials without them).  No groups: NULL list.
 */
static void accessors_linux_answers(void **state)
{
	ucred_t *uc = NULL;
	const gid_t *g = (const gid_t *)&g;

	(void)state;
	serving();
	cred.ngroups = 0;
	assert_int_equal(door_ucred(&uc), 0);
	assert_int_equal(ucred_getgroups(uc, &g), 0);
	assert_null(g);
	errno = 0;
	assert_int_equal(ucred_getzoneid(uc), 0);
	assert_int_equal(errno, 0);
	assert_int_equal(ucred_getprojid(uc), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(ucred_getprivset(uc, "Effective"));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(ucred_getpflags(uc, 0x1), (uint_t)-1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(ucred_getlabel(uc));
	assert_int_equal(errno, EINVAL);
	ucred_free(uc);
}

/* door_cred() asks for no groups and keeps nothing. */
static void cred_wants_no_groups(void **state)
{
	door_cred_t dc;

	(void)state;
	serving();
	many_groups(2000);
	assert_int_equal(door_cred(&dc), 0);
	assert_int_equal(last_groups_max, 0);
	assert_int_equal(dc.dc_euid, 1001);
}

/* ---- door_ucred in an unreferenced notification ------------------------- */

static struct {
	int ret, err, cret;
	uid_t euid, ruid;
	gid_t egid;
	pid_t pid;
	int pid_errno;
	int ngroups;
	gid_t group0;
	door_cred_t dc;
	ucred_t *given, *after;
} un;

static void unref_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		       uint_t n)
{
	ucred_t *uc = alloca(ucred_size());
	const gid_t *g = NULL;

	(void)cookie, (void)size, (void)dp, (void)n;
	if (argp != DOOR_UNREF_DATA)
		return;
	un.given = uc;
	errno = 0;
	un.ret = door_ucred(&uc);
	un.err = errno;
	un.after = uc;
	un.euid = ucred_geteuid(uc);
	un.ruid = ucred_getruid(uc);
	un.egid = ucred_getegid(uc);
	errno = 0;
	un.pid = ucred_getpid(uc);
	un.pid_errno = errno;
	un.ngroups = ucred_getgroups(uc, &g);
	un.group0 = g ? g[0] : (gid_t)-1;
	un.cret = door_cred(&un.dc);
	/* Returning ends the thread (and gives the notification up). */
}

static int unref_kernel(int fd, unsigned long req, void *arg)
{
	static int nreturn;
	struct door_ioc_return *r = arg;

	if (!arg) {		/* reset */
		nreturn = 0;
		return 0;
	}
	if (fd != fk.ctl_fd) {
		errno = ENOTTY;
		return -1;
	}
	switch (req) {
	case DOOR_IOC_RETURN:
		if (nreturn++) {
			errno = EBADF;
			return -1;
		}
		r->proc = (uintptr_t)unref_proc;
		r->arg_ptr = 1;
		r->inv_flags = DOOR_INV_UNREF;
		r->door_id = 7;
		return 0;
	case DOOR_IOC_ABANDON:
		return 0;
	case DOOR_IOC_UCRED:
		ucred_calls++;		/* must not be asked */
		errno = EINVAL;
		return -1;
	default:
		errno = ENOTTY;
		return -1;
	}
}

static void *unref_thread(void *arg)
{
	(void)arg;
	(void)door_return(NULL, 0, NULL, 0);
	return (void *)1;	/* not reached: the procedure returned */
}

/*
 * In an unreferenced notification there is no client: door_ucred()
 * succeeds with the server's own credentials and process id 0, as illumos
 * does (its notifications are upcalls from the kernel, process 0), into
 * the caller's buffer; door_cred() likewise.
 */
static void ucred_in_unref_notification(void **state)
{
	gid_t mine[64];
	pthread_t t;
	void *res;
	int n;

	(void)state;
	memset(&un, 0, sizeof(un));
	unref_kernel(0, 0, NULL);
	fk.handler = unref_kernel;
	assert_true(libdoor_ctl() >= 0);
	assert_int_equal(pthread_create(&t, NULL, unref_thread, NULL), 0);
	assert_int_equal(pthread_join(t, &res), 0);
	assert_null(res);
	assert_int_equal(un.ret, 0);
	assert_ptr_equal(un.after, un.given);
	assert_int_equal(ucred_calls, 0);
	assert_int_equal(un.euid, geteuid());
	assert_int_equal(un.ruid, getuid());
	assert_int_equal(un.egid, getegid());
	assert_int_equal(un.pid, 0);
	assert_int_equal(un.pid_errno, 0);
	n = getgroups(64, mine);
	assert_int_equal(un.ngroups, n);
	if (n > 0)
		assert_int_equal(un.group0, mine[0]);
	assert_int_equal(un.cret, 0);
	assert_int_equal(un.dc.dc_pid, 0);
	assert_int_equal(un.dc.dc_euid, geteuid());
	/* The notification was given up when the procedure returned. */
	assert_int_equal(fk_count(DOOR_IOC_ABANDON), 1);
}

static void check_self(ucred_t *uc, pid_t pid)
{
	uid_t r, e, s;
	gid_t rg, eg, sg, mine[256];
	const gid_t *g;
	int n, i;

	assert_int_equal(getresuid(&r, &e, &s), 0);
	assert_int_equal(getresgid(&rg, &eg, &sg), 0);
	assert_int_equal(ucred_getruid(uc), r);
	assert_int_equal(ucred_geteuid(uc), e);
	assert_int_equal(ucred_getsuid(uc), s);
	assert_int_equal(ucred_getrgid(uc), rg);
	assert_int_equal(ucred_getegid(uc), eg);
	assert_int_equal(ucred_getsgid(uc), sg);
	assert_int_equal(ucred_getpid(uc), pid);
	n = getgroups(256, mine);
	assert_true(n >= 0);
	assert_int_equal(ucred_getgroups(uc, &g), n);
	for (i = 0; i < n; i++)
		assert_int_equal(g[i], mine[i]);
}

/* ucred_get(P_MYSELF) and ucred_get(getpid()) describe this process. */
static void get_self(void **state)
{
	ucred_t *uc;

	(void)state;
	uc = ucred_get((pid_t)-1);
	assert_non_null(uc);
	check_self(uc, getpid());
	ucred_free(uc);
	uc = ucred_get(getpid());
	assert_non_null(uc);
	check_self(uc, getpid());
	ucred_free(uc);
}

/* Another process: read from /proc/PID/status (a child shares our ids). */
static void get_other_process(void **state)
{
	int p[2], status;
	ucred_t *uc;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		__real_close(p[1]);
		(void)!read(p[0], &c, 1);	/* until the parent is done */
		_exit(0);
	}
	__real_close(p[0]);
	uc = ucred_get(pid);
	__real_close(p[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_non_null(uc);
	check_self(uc, pid);
	ucred_free(uc);
}

static void get_no_such_process(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* Reaped: the pid is free (and not reused this quickly). */
	errno = 0;
	assert_null(ucred_get(pid));
	assert_int_equal(errno, ESRCH);
	assert_null(ucred_get(0));
	assert_int_equal(errno, ESRCH);
}

/* illumos: a negative pid other than P_MYSELF is EINVAL, not ESRCH. */
static void get_negative_pid_einval(void **state)
{
	(void)state;
	errno = 0;
	assert_null(ucred_get((pid_t)-2));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(ucred_get(INT_MIN));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(ucred_allocates_and_fills, setup),
		cmocka_unit_test_setup(ucred_groups_capped, setup),
		cmocka_unit_test_setup(ucred_reuses, setup),
		cmocka_unit_test_setup(ucred_into_caller_buffer, setup),
		cmocka_unit_test_setup(ucred_outside_invocation, setup),
		cmocka_unit_test_setup(ucred_invisible_pid, setup),
		cmocka_unit_test_setup(cred_converts, setup),
		cmocka_unit_test_setup(accessors_reject_null, setup),
		cmocka_unit_test_setup(accessors_linux_answers, setup),
		cmocka_unit_test_setup(cred_wants_no_groups, setup),
		cmocka_unit_test_setup(ucred_in_unref_notification, setup),
		cmocka_unit_test_setup(get_negative_pid_einval, setup),
		cmocka_unit_test_setup(get_self, setup),
		cmocka_unit_test_setup(get_other_process, setup),
		cmocka_unit_test_setup(get_no_such_process, setup),
	};

	return cmocka_run_group_tests_name("ucred", tests, NULL, NULL);
}
