/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_ucred.c - door_ucred, door_cred, the ucred_get*() accessors and
 * ucred_get(pid).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

/* The credentials the emulated kernel reports for the current caller. */
static struct door_ioc_ucred cred;
static uint32_t cred_groups[200];
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

/* A caller with more groups than the ucred holds: it grows, all arrive. */
static void ucred_grows_for_many_groups(void **state)
{
	ucred_t *uc = NULL;
	const gid_t *g;
	uint32_t i;

	(void)state;
	serving();
	cred.ngroups = 200;
	for (i = 0; i < 200; i++)
		cred_groups[i] = 5000 + i;
	assert_int_equal(door_ucred(&uc), 0);
	assert_int_equal(ucred_calls, 2);	/* learn the count, then fetch */
	assert_true(last_groups_max >= 200);
	assert_int_equal(ucred_getgroups(uc, &g), 200);
	for (i = 0; i < 200; i++)
		assert_int_equal(g[i], 5000 + i);
	ucred_free(uc);
}

/* A ucred from an earlier call is reused (and grown if need be). */
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

	cred.ngroups = 150;
	assert_int_equal(door_ucred(&uc), 0);
	assert_int_equal(ucred_getgroups(uc, &g), 150);
	ucred_free(uc);
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
	ucred_free(NULL);
	/* The largest ucred: room for the system's maximum of groups. */
	assert_true(ucred_size() >= sysconf(_SC_NGROUPS_MAX) * sizeof(gid_t));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(ucred_allocates_and_fills, setup),
		cmocka_unit_test_setup(ucred_grows_for_many_groups, setup),
		cmocka_unit_test_setup(ucred_reuses, setup),
		cmocka_unit_test_setup(ucred_outside_invocation, setup),
		cmocka_unit_test_setup(ucred_invisible_pid, setup),
		cmocka_unit_test_setup(cred_converts, setup),
		cmocka_unit_test_setup(accessors_reject_null, setup),
		cmocka_unit_test_setup(get_self, setup),
		cmocka_unit_test_setup(get_other_process, setup),
		cmocka_unit_test_setup(get_no_such_process, setup),
	};

	return cmocka_run_group_tests_name("ucred", tests, NULL, NULL);
}
