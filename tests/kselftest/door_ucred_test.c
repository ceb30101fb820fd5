// SPDX-License-Identifier: GPL-2.0
/*
 * door_ucred_test - door_ucred(3C) and door_cred(3C): the credentials of
 * the immediate caller (same process, a child that changed all its ids and
 * groups, a nested call), EINVAL outside an invocation, ucred_get(); a
 * ucred_t in the caller's own memory of ucred_size() bytes (the illumos
 * idiom), groups capped as illumos caps them, the server's own credentials
 * and pid 0 in an unreferenced notification, getpeerucred().
 */
#include <alloca.h>
#include <grp.h>
#include <sys/un.h>
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

/* ---- a ucred_t in the caller's memory; the groups cap ------------------ */

#define GUARD 64

/* What buf_proc saw, door_ucred() into memory the procedure provided. */
static struct {
	int ret, err;
	int same;		/* the ucred_t pointer was left alone */
	int guard_ok;		/* nothing written past ucred_size() */
	uid_t euid, ruid;
	pid_t pid;
	int ngroups;
	gid_t first, last;
} bs;

static void buf_proc(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	size_t size = ucred_size();
	unsigned char *mem = alloca(size + GUARD);
	ucred_t *uc = (ucred_t *)mem;
	const gid_t *g = NULL;
	int fill = arg_size ? argp[0] : 0;

	memset(&bs, 0, sizeof(bs));
	/* As alloca leaves it: zeros or garbage, not something of ours. */
	memset(mem, fill, size + GUARD);
	errno = 0;
	bs.ret = door_ucred(&uc);
	bs.err = errno;
	bs.same = uc == (ucred_t *)mem;
	bs.guard_ok = 1;
	for (size_t i = size; i < size + GUARD; i++)
		if (mem[i] != (unsigned char)fill)
			bs.guard_ok = 0;
	if (bs.ret == 0) {
		bs.euid = ucred_geteuid(uc);
		bs.ruid = ucred_getruid(uc);
		bs.pid = ucred_getpid(uc);
		bs.ngroups = ucred_getgroups(uc, &g);
		if (g && bs.ngroups > 0) {
			bs.first = g[0];
			bs.last = g[bs.ngroups - 1];
		}
	}
	door_return(NULL, 0, NULL, 0);
}

/* A child with ngroups groups (base, base + 1, ...) calls d with fill. */
static pid_t call_with_groups(int d, int ngroups, gid_t base, char fill)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		gid_t *g = calloc((size_t)ngroups, sizeof(gid_t));
		door_arg_t a = { &fill, 1, NULL, 0, NULL, 0 };

		CHILD_CHECK(10, g != NULL);
		for (int i = 0; i < ngroups; i++)
			g[i] = base + (gid_t)i;
		CHILD_CHECK(11, setgroups((size_t)ngroups, g) == 0);
		CHILD_CHECK(12, setresgid(300, 300, 300) == 0);
		CHILD_CHECK(13, setresuid(3000, 3001, 3002) == 0);
		CHILD_CHECK(14, door_call(d, &a) == 0);
		_exit(0);
	}
	return pid;
}

/*
 * The illumos idiom, `ucred_t *uc = alloca(ucred_size()); door_ucred(&uc)`:
 * the ucred_t is filled where it is, whatever the memory held before, and
 * nothing past ucred_size() bytes is written.
 */
TEST(ucred_into_caller_buffer)
{
	int d = door_create(buf_proc, NULL, 0);
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to change ids and groups");
	ASSERT_LE(0, d);
	pid = call_with_groups(d, 3, 7000, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, bs.ret) TH_LOG("door_ucred: %s", strerror(bs.err));
	EXPECT_TRUE(bs.same);
	EXPECT_TRUE(bs.guard_ok);
	EXPECT_EQ(3001U, bs.euid);
	EXPECT_EQ(3000U, bs.ruid);
	EXPECT_EQ(pid, bs.pid);
	EXPECT_EQ(3, bs.ngroups);
	EXPECT_EQ(7000U, bs.first);
	EXPECT_EQ(7002U, bs.last);

	/* Garbage in the memory, a caller with many groups. */
	pid = call_with_groups(d, 1500, 10000, (char)0xa5);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, bs.ret) TH_LOG("door_ucred: %s", strerror(bs.err));
	EXPECT_TRUE(bs.same);
	EXPECT_TRUE(bs.guard_ok);
	EXPECT_EQ(3001U, bs.euid);
}

/*
 * A caller with more groups than illumos would carry (ngroups_max is 1024
 * at most there): door_ucred(), ucred_get() and getpeerucred() describe it
 * by its first 1024, in the kernel's (sorted) order, and ucred_size() is
 * modest (4 KiB and a header).
 */
TEST(ucred_groups_capped)
{
	int d = door_create(buf_proc, NULL, 0);
	ucred_t *uc;
	const gid_t *g = NULL;
	pid_t pid;
	int p[2];
	char c;

	if (geteuid() != 0)
		SKIP(return, "needs root to change ids and groups");
	EXPECT_GE(64 + 1024 * sizeof(gid_t), ucred_size());
	EXPECT_LT(1024 * sizeof(gid_t), ucred_size());
	ASSERT_LE(0, d);
	pid = call_with_groups(d, 1500, 20000, 0);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, bs.ret) TH_LOG("door_ucred: %s", strerror(bs.err));
	EXPECT_EQ(1024, bs.ngroups);
	EXPECT_EQ(20000U, bs.first);
	EXPECT_EQ(20000U + 1023, bs.last);
	EXPECT_TRUE(bs.guard_ok);

	/* ucred_get() of a process with 1500 groups. */
	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		gid_t many[1500];

		for (int i = 0; i < 1500; i++)
			many[i] = 30000 + (gid_t)i;
		CHILD_CHECK(10, setgroups(1500, many) == 0);
		CHILD_CHECK(11, put_all(p[1], "x", 1) == 0);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_EQ(0, get_all(p[0], &c, 1));
	uc = ucred_get(pid);
	kill(pid, SIGKILL);
	wait_child(pid, 20);
	ASSERT_NE(NULL, uc) TH_LOG("ucred_get: %s", strerror(errno));
	EXPECT_EQ(1024, ucred_getgroups(uc, &g));
	ASSERT_NE(NULL, g);
	EXPECT_EQ(30000U, g[0]);
	EXPECT_EQ(30000U + 1023, g[1023]);
	ucred_free(uc);
}

/* ---- door_ucred in an unreferenced notification ------------------------ */

static int ev_unref = -1;
static struct {
	int ret, err, same, cret;
	uid_t euid, ruid;
	gid_t egid;
	pid_t pid;
	int pid_errno;
	int ngroups;
	gid_t groups[MAXG];
	door_cred_t dc;
} us;

static void unref_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	ucred_t *uc = alloca(ucred_size()), *given = uc;
	const gid_t *g = NULL;

	if (argp != DOOR_UNREF_DATA)
		door_return(NULL, 0, NULL, 0);
	memset(uc, 0, ucred_size());
	errno = 0;
	us.ret = door_ucred(&uc);
	us.err = errno;
	us.same = uc == given;
	if (us.ret == 0) {
		us.euid = ucred_geteuid(uc);
		us.ruid = ucred_getruid(uc);
		us.egid = ucred_getegid(uc);
		errno = 0;
		us.pid = ucred_getpid(uc);
		us.pid_errno = errno;
		us.ngroups = ucred_getgroups(uc, &g);
		for (int i = 0; g && i < us.ngroups && i < MAXG; i++)
			us.groups[i] = g[i];
	}
	us.cret = door_cred(&us.dc);
	ev_post(ev_unref);
	door_return(NULL, 0, NULL, 0);
}

/*
 * In an unreferenced notification nobody called: door_ucred() succeeds
 * with the server's own credentials and process id 0, as illumos does
 * (the notification is an upcall from the kernel, process 0), and so
 * does door_cred().
 */
TEST(ucred_in_unref_notification)
{
	gid_t mine[MAXG];
	int d, d2, n;

	ev_unref = ev_new();
	ASSERT_LE(0, ev_unref);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	/* A second reference, gone again: down to one, unreferenced. */
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, close(d2));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000)) TH_LOG("no notification");

	ASSERT_EQ(0, us.ret) TH_LOG("door_ucred: %s", strerror(us.err));
	EXPECT_TRUE(us.same);
	EXPECT_EQ(geteuid(), us.euid);
	EXPECT_EQ(getuid(), us.ruid);
	EXPECT_EQ(getegid(), us.egid);
	EXPECT_EQ(0, us.pid);
	EXPECT_EQ(0, us.pid_errno);
	n = getgroups(MAXG, mine);
	ASSERT_LE(0, n);
	EXPECT_EQ(n, us.ngroups);
	for (int i = 0; i < n && i < us.ngroups; i++)
		EXPECT_EQ(mine[i], us.groups[i]);
	ASSERT_EQ(0, us.cret) TH_LOG("door_cred: %s", strerror(errno));
	EXPECT_EQ(0, us.dc.dc_pid);
	EXPECT_EQ(geteuid(), us.dc.dc_euid);
	EXPECT_EQ(getegid(), us.dc.dc_egid);
}

/* ---- a caller that goes while its call is served ---------------------- */

static int gone_entered = -1, gone_gate = -1, gone_done = -1;

static void gone_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	ev_post(gone_entered);
	ev_wait(gone_gate);
	record_creds();
	ev_post(gone_done);
	door_return(NULL, 0, NULL, 0);
}

/*
 * The caller is killed while its call is served and the door's creator
 * closes its descriptor: the server thread goes on, and keeps what it
 * needs of its caller (door.ko lends it the caller's door, credentials
 * and pid while the caller waits, and takes its own references when the
 * caller goes).  The door stays alive until the thread returns, and
 * door_ucred() still describes the dead caller (with slub_debug=P or
 * KASAN, a missing reference is a use-after-free here).
 */
TEST(ucred_and_door_kept_after_caller_killed)
{
	int root = geteuid() == 0, d, status;
	long long n0;
	pid_t pid;

	gone_entered = ev_new();
	gone_gate = ev_new();
	gone_done = ev_new();
	ASSERT_LE(0, gone_entered);
	ASSERT_LE(0, gone_gate);
	ASSERT_LE(0, gone_done);
	d = door_create(gone_proc, NULL, 0);
	ASSERT_LE(0, d);
	n0 = live_doors();
	ASSERT_LT(0, n0);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (root) {
			CHILD_CHECK(10, setresgid(300, 400, 500) == 0);
			CHILD_CHECK(11, setresuid(3000, 4000, 5000) == 0);
		}
		door_call(d, NULL);
		_exit(12);	/* killed before */
	}
	ASSERT_EQ(0, ev_wait_ms(gone_entered, 10000)) TH_LOG("never called");
	ASSERT_EQ(0, close(d));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	status = wait_child(pid, 20);
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* Every descriptor is gone: only the serving thread holds the door. */
	EXPECT_EQ(n0, live_doors());

	ASSERT_EQ(0, ev_post(gone_gate));
	ASSERT_EQ(0, ev_wait_ms(gone_done, 10000));
	ASSERT_EQ(0, seen.ret) TH_LOG("door_ucred: %s", strerror(seen.err));
	EXPECT_EQ(root ? 4000U : geteuid(), seen.euid);
	EXPECT_EQ(root ? 3000U : getuid(), seen.ruid);
	EXPECT_EQ(root ? 400U : getegid(), seen.egid);
	EXPECT_EQ(root ? 300U : getgid(), seen.rgid);
	EXPECT_EQ(pid, seen.pid);
	/* Its door_return lets the door go. */
	EXPECT_EQ(n0 - 1, wait_live_doors(n0 - 1, 10000));
	close(gone_entered);
	close(gone_gate);
	close(gone_done);
}

/* ---- getpeerucred ------------------------------------------------------ */

/*
 * getpeerucred() on an accepted Unix-domain connection describes the peer
 * as it connected (SO_PEERCRED, SO_PEERGROUPS): its effective ids, groups
 * and pid; Linux records no real or saved ids (EINVAL), and there are no
 * zones (0) or projects (-1, EINVAL).
 */
TEST(getpeerucred_of_connected_child)
{
	static const gid_t groups[] = { 4444, 5555, 6666 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	ucred_t *uc = alloca(ucred_size()), *given = uc;
	const gid_t *g = NULL;
	int ls, s;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to change ids");
	/* An abstract address of our own. */
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "door-ucred-%d",
		 (int)getpid());
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			    strlen(sa.sun_path + 1));
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, ls);
	ASSERT_EQ(0, bind(ls, (struct sockaddr *)&sa, salen));
	ASSERT_EQ(0, listen(ls, 1));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;

		CHILD_CHECK(10, setgroups(ARRAY_SIZE(groups), groups) == 0);
		CHILD_CHECK(11, setresgid(100, 200, 300) == 0);
		CHILD_CHECK(12, setresuid(1000, 2000, 3000) == 0);
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		CHILD_CHECK(13, s >= 0);
		CHILD_CHECK(14, connect(s, (struct sockaddr *)&sa, salen) == 0);
		CHILD_CHECK(15, get_all(s, &c, 1) == 0);	/* parent done */
		_exit(0);
	}
	s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, s);

	/* A listening socket has no peer. */
	errno = 0;
	EXPECT_EQ(-1, getpeerucred(ls, &uc));
	EXPECT_EQ(ENOTCONN, errno);

	memset(uc, 0xa5, ucred_size());
	ASSERT_EQ(0, getpeerucred(s, &uc)) TH_LOG("%s", strerror(errno));
	EXPECT_TRUE(uc == given);
	EXPECT_EQ(2000U, ucred_geteuid(uc));
	EXPECT_EQ(200U, ucred_getegid(uc));
	EXPECT_EQ(pid, ucred_getpid(uc));
	EXPECT_EQ((int)ARRAY_SIZE(groups), ucred_getgroups(uc, &g));
	for (size_t i = 0; g && i < ARRAY_SIZE(groups); i++)
		EXPECT_EQ(groups[i], g[i]);
	errno = 0;
	EXPECT_EQ((uid_t)-1, ucred_getruid(uc));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ucred_getzoneid(uc));
	errno = 0;
	EXPECT_EQ(-1, ucred_getprojid(uc));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, put_all(s, "x", 1));
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	close(s);
	close(ls);
}

/*
 * ucred_get(pid) of a process the caller may not examine fails with
 * EACCES, as illumos' ucred_get() does when the ids do not all match and
 * the caller lacks proc_owner (here: ptrace read access, CAP_SYS_PTRACE).
 * A negative pid is EINVAL.  Before: another user's credentials were
 * returned (from /proc/PID/status, which anyone may read).
 */
TEST(ucred_get_eacces_for_process_not_examinable)
{
	pid_t parent = getpid(), pid;
	ucred_t *uc;

	errno = 0;
	EXPECT_EQ(NULL, ucred_get(-5));
	EXPECT_EQ(EINVAL, errno);
	if (geteuid() != 0)
		SKIP(return, "needs root to change ids");
	/* Root may examine any process, here a child with other ids. */
	uc = ucred_get(1);
	ASSERT_NE(NULL, uc) TH_LOG("ucred_get(1) as root: %s", strerror(errno));
	ucred_free(uc);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(10, setresgid(65534, 65534, 65534) == 0);
		CHILD_CHECK(11, setgroups(0, NULL) == 0);
		CHILD_CHECK(12, setresuid(65534, 65534, 65534) == 0);
		errno = 0;
		uc = ucred_get(parent);		/* root's */
		CHILD_CHECK(13, uc == NULL);
		CHILD_CHECK(14, errno == EACCES);
		uc = ucred_get(getpid());	/* its own, always */
		CHILD_CHECK(15, uc != NULL);
		CHILD_CHECK(16, ucred_geteuid(uc) == 65534);
		ucred_free(uc);
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
}

TEST_HARNESS_MAIN
