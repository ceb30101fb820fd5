// SPDX-License-Identifier: GPL-2.0
/*
 * door_ucred_test - door_ucred(3C) and door_cred(3C): the credentials of
 * the immediate caller (same process, a child that changed all its ids and
 * groups, a nested call), EINVAL outside an invocation, ucred_get().
 */
#include <grp.h>
#include "door_test.h"

#define MAXG 64

/* What the server procedure saw, filled on the server thread. */
struct seen {
	int ret, err;
	uid_t euid, ruid, suid;
	gid_t egid, rgid, sgid;
	pid_t pid;
	int ngroups;
	gid_t groups[MAXG];
	/* door_cred() */
	int cret, cerr;
	door_cred_t dc;
	/* the ucred_t pointer before and after door_ucred() */
	uintptr_t uc_before, uc_after;
};

static struct seen seen;
static ucred_t *kept_uc;	/* reused across invocations */

static void record_creds(void)
{
	const gid_t *g = NULL;

	memset(&seen, 0, sizeof(seen));
	seen.uc_before = (uintptr_t)kept_uc;
	errno = 0;
	seen.ret = door_ucred(&kept_uc);
	seen.err = errno;
	seen.uc_after = (uintptr_t)kept_uc;
	if (seen.ret == 0 && kept_uc) {
		seen.euid = ucred_geteuid(kept_uc);
		seen.ruid = ucred_getruid(kept_uc);
		seen.suid = ucred_getsuid(kept_uc);
		seen.egid = ucred_getegid(kept_uc);
		seen.rgid = ucred_getrgid(kept_uc);
		seen.sgid = ucred_getsgid(kept_uc);
		seen.pid = ucred_getpid(kept_uc);
		seen.ngroups = ucred_getgroups(kept_uc, &g);
		for (int i = 0; g && i < seen.ngroups && i < MAXG; i++)
			seen.groups[i] = g[i];
	}
	errno = 0;
	seen.cret = door_cred(&seen.dc);
	seen.cerr = errno;
}

static void cred_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	record_creds();
	door_return(NULL, 0, NULL, 0);
}

static int in_groups(gid_t g, const gid_t *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i] == g)
			return 1;
	return 0;
}

/* The caller is this very process. */
TEST(ucred_of_same_process_caller)
{
	gid_t mine[MAXG];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int n, d = door_create(cred_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, getresuid(&ru, &eu, &su));
	ASSERT_EQ(0, getresgid(&rg, &eg, &sg));
	n = getgroups(MAXG, mine);
	ASSERT_LE(0, n);

	ASSERT_EQ(0, door_call(d, NULL));
	ASSERT_EQ(0, seen.ret) TH_LOG("door_ucred: %s", strerror(seen.err));
	EXPECT_EQ(eu, seen.euid);
	EXPECT_EQ(ru, seen.ruid);
	EXPECT_EQ(su, seen.suid);
	EXPECT_EQ(eg, seen.egid);
	EXPECT_EQ(rg, seen.rgid);
	EXPECT_EQ(sg, seen.sgid);
	EXPECT_EQ(getpid(), seen.pid);
	EXPECT_EQ(n, seen.ngroups);
	for (int i = 0; i < n && i < seen.ngroups; i++) {
		EXPECT_TRUE(in_groups(mine[i], seen.groups, seen.ngroups));
	}

	ASSERT_EQ(0, seen.cret) TH_LOG("door_cred: %s", strerror(seen.cerr));
	EXPECT_EQ(eu, seen.dc.dc_euid);
	EXPECT_EQ(eg, seen.dc.dc_egid);
	EXPECT_EQ(ru, seen.dc.dc_ruid);
	EXPECT_EQ(rg, seen.dc.dc_rgid);
	EXPECT_EQ(getpid(), seen.dc.dc_pid);

	/* A ucred_t passed in is reused, not replaced. */
	EXPECT_EQ(0U, seen.uc_before);
	EXPECT_NE(0U, seen.uc_after);
	ASSERT_EQ(0, door_call(d, NULL));
	EXPECT_EQ(0, seen.ret);
	EXPECT_EQ(seen.uc_before, seen.uc_after)
		TH_LOG("door_ucred allocated a new ucred_t instead of reusing");
}

/*
 * A child with distinct real/effective/saved ids and its own groups calls
 * the door: the server sees exactly those, and the child's pid.
 */
TEST(ucred_of_child_with_changed_ids)
{
	static const gid_t groups[] = { 1234, 5678, 4321 };
	int d = door_create(cred_proc, NULL, 0);
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to change ids");
	ASSERT_LE(0, d);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(10, setgroups(ARRAY_SIZE(groups), groups) == 0);
		CHILD_CHECK(11, setresgid(100, 200, 300) == 0);
		CHILD_CHECK(12, setresuid(1000, 2000, 3000) == 0);
		CHILD_CHECK(13, door_call(d, NULL) == 0);
		_exit(0);
	}
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, seen.ret) TH_LOG("door_ucred: %s", strerror(seen.err));
	EXPECT_EQ(1000U, seen.ruid);
	EXPECT_EQ(2000U, seen.euid);
	EXPECT_EQ(3000U, seen.suid);
	EXPECT_EQ(100U, seen.rgid);
	EXPECT_EQ(200U, seen.egid);
	EXPECT_EQ(300U, seen.sgid);
	EXPECT_EQ(pid, seen.pid);
	EXPECT_EQ((int)ARRAY_SIZE(groups), seen.ngroups);
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		EXPECT_TRUE(in_groups(groups[i], seen.groups, seen.ngroups));
	}

	ASSERT_EQ(0, seen.cret) TH_LOG("door_cred: %s", strerror(seen.cerr));
	EXPECT_EQ(2000U, seen.dc.dc_euid);
	EXPECT_EQ(200U, seen.dc.dc_egid);
	EXPECT_EQ(1000U, seen.dc.dc_ruid);
	EXPECT_EQ(100U, seen.dc.dc_rgid);
	EXPECT_EQ(pid, seen.dc.dc_pid);
}

/* ---- nested: the immediate caller counts ------------------------------ */

static int inner = -1;

static void relay_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	int ret = door_call(inner, NULL);

	door_return((char *)&ret, sizeof(ret), NULL, 0);
}

/*
 * A child (uid 2000) calls door A in this process, whose procedure calls
 * door B: B's procedure sees this process (its server thread is the
 * immediate caller), not the child.
 */
TEST(ucred_is_immediate_caller)
{
	int outer;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to change ids");
	inner = door_create(cred_proc, NULL, 0);
	outer = door_create(relay_proc, NULL, 0);
	ASSERT_LE(0, inner);
	ASSERT_LE(0, outer);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r = -1;
		door_arg_t a = { NULL, 0, NULL, 0, (char *)&r, sizeof(r) };

		CHILD_CHECK(10, setresgid(200, 200, 200) == 0);
		CHILD_CHECK(11, setresuid(2000, 2000, 2000) == 0);
		CHILD_CHECK(12, door_call(outer, &a) == 0);
		CHILD_CHECK(13, r == 0);
		_exit(0);
	}
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, seen.ret);
	EXPECT_EQ(getpid(), seen.pid);
	EXPECT_EQ(geteuid(), seen.euid);
	EXPECT_EQ(getegid(), seen.egid);
}

/* Outside an invocation there is no caller: EINVAL. */
TEST(einval_outside_invocation)
{
	ucred_t *uc = NULL;
	door_cred_t dc;
	int d = door_create(cred_proc, NULL, 0);

	errno = 0;
	EXPECT_EQ(-1, door_ucred(&uc));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, uc);
	errno = 0;
	EXPECT_EQ(-1, door_cred(&dc));
	EXPECT_EQ(EINVAL, errno);

	/* Still EINVAL after this process has served calls. */
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL));
	errno = 0;
	EXPECT_EQ(-1, door_ucred(&uc));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, door_cred(&dc));
	EXPECT_EQ(EINVAL, errno);
}

/* ucred_get(pid) describes a process; ucred_size() bounds a ucred_t. */
TEST(ucred_get_of_self_and_child)
{
	ucred_t *uc = ucred_get(getpid());
	const gid_t *g = NULL;
	int p[2];
	pid_t pid;
	char c;

	ASSERT_NE(NULL, uc) TH_LOG("ucred_get(self): %s", strerror(errno));
	EXPECT_EQ(geteuid(), ucred_geteuid(uc));
	EXPECT_EQ(getuid(), ucred_getruid(uc));
	EXPECT_EQ(getegid(), ucred_getegid(uc));
	EXPECT_EQ(getgid(), ucred_getrgid(uc));
	EXPECT_EQ(getpid(), ucred_getpid(uc));
	EXPECT_EQ(getgroups(0, NULL), ucred_getgroups(uc, &g));
	EXPECT_LT(0U, ucred_size());
	ucred_free(uc);

	if (geteuid() != 0)
		SKIP(return, "needs root to change ids");
	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		CHILD_CHECK(10, setresgid(7, 8, 9) == 0);
		CHILD_CHECK(11, setresuid(70, 80, 90) == 0);
		CHILD_CHECK(12, put_all(p[1], "x", 1) == 0);
		for (;;)	/* until the parent kills us */
			pause();
	}
	close(p[1]);
	ASSERT_EQ(0, get_all(p[0], &c, 1));
	uc = ucred_get(pid);
	kill(pid, SIGKILL);
	wait_child(pid, 20);
	ASSERT_NE(NULL, uc) TH_LOG("ucred_get(child): %s", strerror(errno));
	EXPECT_EQ(70U, ucred_getruid(uc));
	EXPECT_EQ(80U, ucred_geteuid(uc));
	EXPECT_EQ(90U, ucred_getsuid(uc));
	EXPECT_EQ(7U, ucred_getrgid(uc));
	EXPECT_EQ(8U, ucred_getegid(uc));
	EXPECT_EQ(9U, ucred_getsgid(uc));
	EXPECT_EQ(pid, ucred_getpid(uc));
	ucred_free(uc);
}

TEST_HARNESS_MAIN
