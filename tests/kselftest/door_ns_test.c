// SPDX-License-Identifier: GPL-2.0
/*
 * door_ns_test - door_ucred(3C) across PID and user namespaces:
 *  - a client in a child PID namespace is reported with its PID as the
 *    server sees it (not its PID 1 inside), and sees the server it cannot
 *    see as di_target 0;
 *  - a server in a child PID namespace sees a caller from the parent
 *    namespace, which is not visible there, as "no PID": ucred_getpid()
 *    returns -1 with EINVAL, door_cred() gives dc_pid -1; a caller inside
 *    its namespace is reported with its PID there;
 *  - a client in a user namespace is reported with its real, effective and
 *    saved ids and its supplementary groups as seen from the server's
 *    namespace (the mapped ids outside);
 *  - a server in a user namespace sees callers' ids through its own map:
 *    mapped ids translated, unmapped ones as the overflow id (65534);
 *  - supplementary groups are reported exactly (none, a few, a thousand),
 *    also into a ucred_t kept and reused across calls.
 * The tests run as root (the VM) and create their namespaces in children.
 */
#include <grp.h>
#include <sched.h>
#include "door_test.h"

#define MAXG		1100
#define OVERFLOW_ID	65534U

/* What the server procedure saw; also returned to the caller. */
struct seen {
	int ret, err;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	pid_t pid;
	int pid_err;		/* errno after ucred_getpid() */
	int ngroups;
	int cret;		/* door_cred() */
	door_cred_t dc;
	gid_t groups[MAXG];
};

static ucred_t *kept_uc;	/* reused across invocations */
static struct seen last_seen;

static void cred_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	struct seen *s = &last_seen;
	const gid_t *g = NULL;

	memset(s, 0, sizeof(*s));
	errno = 0;
	s->ret = door_ucred(&kept_uc);
	s->err = errno;
	if (s->ret == 0) {
		s->ruid = ucred_getruid(kept_uc);
		s->euid = ucred_geteuid(kept_uc);
		s->suid = ucred_getsuid(kept_uc);
		s->rgid = ucred_getrgid(kept_uc);
		s->egid = ucred_getegid(kept_uc);
		s->sgid = ucred_getsgid(kept_uc);
		errno = 0;
		s->pid = ucred_getpid(kept_uc);
		s->pid_err = errno;
		s->ngroups = ucred_getgroups(kept_uc, &g);
		for (int i = 0; g && i < s->ngroups && i < MAXG; i++)
			s->groups[i] = g[i];
	}
	s->cret = door_cred(&s->dc);
	door_return((char *)s, sizeof(*s), NULL, 0);
}

/* Call d; the server's report lands in *s.  0 or -1 with errno. */
static int call_cred(int d, struct seen *s)
{
	door_arg_t a = { NULL, 0, NULL, 0, (char *)s, sizeof(*s) };

	memset(s, 0, sizeof(*s));
	if (door_call(d, &a) != 0)
		return -1;
	if (a.data_size != sizeof(*s)) {
		errno = EPROTO;
		return -1;
	}
	if (a.data_ptr != (char *)s) {
		memcpy(s, a.data_ptr, sizeof(*s));
		munmap(a.rbuf, a.rsize);
	}
	return 0;
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* The two group lists hold the same ids (order does not matter). */
static int same_groups(const gid_t *a, int na, const gid_t *b, int nb)
{
	gid_t *x, *y;
	int ok;

	if (na != nb)
		return 0;
	if (na == 0)
		return 1;
	x = malloc(sizeof(gid_t) * na);
	y = malloc(sizeof(gid_t) * nb);
	if (!x || !y) {
		free(x);
		free(y);
		return 0;
	}
	memcpy(x, a, sizeof(gid_t) * na);
	memcpy(y, b, sizeof(gid_t) * nb);
	qsort(x, na, sizeof(gid_t), cmp_gid);
	qsort(y, nb, sizeof(gid_t), cmp_gid);
	ok = memcmp(x, y, sizeof(gid_t) * na) == 0;
	free(x);
	free(y);
	return ok;
}

/* fork() with PDEATHSIG and no check of getppid() (0 in a new PID ns). */
static pid_t fork_ns_child(void)
{
	pid_t pid = fork();

	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/* Write the uid and gid maps of process pid (we are root outside). */
static int map_ids(pid_t pid, const char *uid_map, const char *gid_map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (write_str(path, uid_map) != 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	return write_str(path, gid_map);
}

/* ---- PID namespaces ------------------------------------------------------- */

struct pidns_report {
	pid_t inner_pid;	/* getpid() of the caller inside */
	pid_t target;		/* door_info().di_target inside */
	int call_ret, call_err;
	pid_t outer_pid;	/* fork()'s return value in the parent ns */
};

/*
 * A client in a child PID namespace (it is PID 1 there) calls our door:
 * the server sees it with the PID the parent namespace gives it, which is
 * what fork() returned to its parent.  The client cannot see the server:
 * di_target is 0 for it.
 */
TEST(client_in_child_pid_namespace)
{
	struct pidns_report rep;
	int d, p[2];
	pid_t a;

	d = door_create(cred_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	a = fork_child();
	ASSERT_LE(0, a);
	if (a == 0) {
		int st;
		pid_t b;

		close(p[0]);
		CHILD_CHECK(10, unshare(CLONE_NEWPID) == 0);
		b = fork_ns_child();
		CHILD_CHECK(11, b >= 0);
		if (b == 0) {
			door_info_t di;
			struct seen s;

			memset(&rep, 0, sizeof(rep));
			rep.inner_pid = getpid();
			rep.target = door_info(d, &di) == 0 ? di.di_target : -2;
			errno = 0;
			rep.call_ret = call_cred(d, &s);
			rep.call_err = errno;
			CHILD_CHECK(12, put_all(p[1], &rep, sizeof(rep)) == 0);
			_exit(0);
		}
		CHILD_CHECK(13, waitpid(b, &st, 0) == b);
		CHILD_CHECK(14, WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHILD_CHECK(15, put_all(p[1], &b, sizeof(b)) == 0);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(0, child_exit_code(wait_child(a, 30)));
	ASSERT_EQ(0, get_all(p[0], &rep, sizeof(rep)));
	ASSERT_EQ(0, get_all(p[0], &rep.outer_pid, sizeof(rep.outer_pid)));
	EXPECT_EQ(1, rep.inner_pid) TH_LOG("the client is not PID 1 of a new namespace");
	EXPECT_EQ(0, rep.target) TH_LOG("di_target of an invisible server");
	ASSERT_EQ(0, rep.call_ret) TH_LOG("%s", strerror(rep.call_err));
	ASSERT_EQ(0, last_seen.ret) TH_LOG("door_ucred: %s", strerror(last_seen.err));
	EXPECT_EQ(rep.outer_pid, last_seen.pid);
	EXPECT_NE(1, last_seen.pid);
	EXPECT_EQ(0, last_seen.cret);
	EXPECT_EQ(rep.outer_pid, last_seen.dc.dc_pid);
}

struct server_report {
	pid_t b_outer;		/* the server's PID in our namespace */
	pid_t c_inner;		/* the inner client's PID (fork() in the server) */
	struct seen c_seen;	/* what the server saw of the inner client */
	int c_ret, c_err;
	pid_t b_target_inside;	/* door_info of its own door in the server */
};

/*
 * A server in a child PID namespace (PID 1 there).  Its caller from the
 * parent namespace is not visible there: ucred_getpid() fails (-1, EINVAL)
 * and door_cred() reports dc_pid -1.  A caller in its namespace is
 * reported with its PID there.  We see the server as its PID in our namespace.
 */
TEST(server_in_child_pid_namespace)
{
	struct server_report rep;
	struct seen s;
	int sv[2], p[2], pa[2], go[2], d;
	door_info_t di;
	pid_t a;
	char c;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(pa, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	a = fork_child();
	ASSERT_LE(0, a);
	if (a == 0) {
		pid_t b;

		close(sv[0]);
		close(p[0]);
		close(pa[0]);
		close(go[1]);
		CHILD_CHECK(10, unshare(CLONE_NEWPID) == 0);
		b = fork_ns_child();
		CHILD_CHECK(11, b >= 0);
		if (b == 0) {
			pid_t cpid;
			int st, dd;

			memset(&rep, 0, sizeof(rep));
			dd = door_create(cred_proc, NULL, 0);
			CHILD_CHECK(20, dd >= 0);
			CHILD_CHECK(21, door_info(dd, &di) == 0);
			rep.b_target_inside = di.di_target;
			/* A caller inside the namespace. */
			cpid = fork_ns_child();
			CHILD_CHECK(22, cpid >= 0);
			if (cpid == 0) {
				errno = 0;
				if (call_cred(dd, &s) != 0)
					_exit(2);
				if (s.ret != 0 || s.pid != getpid())
					_exit(3);
				_exit(0);
			}
			rep.c_inner = cpid;
			CHILD_CHECK(23, waitpid(cpid, &st, 0) == cpid);
			rep.c_ret = WIFEXITED(st) ? WEXITSTATUS(st) : 100;
			rep.c_seen = last_seen;
			/* Hand the door to the test, wait until it is done. */
			CHILD_CHECK(24, send_fd(sv[1], dd) == 0);
			CHILD_CHECK(25, put_all(p[1], &rep, sizeof(rep)) == 0);
			CHILD_CHECK(26, read(go[0], &c, 1) == 1);
			_exit(0);
		}
		CHILD_CHECK(12, put_all(pa[1], &b, sizeof(b)) == 0);
		CHILD_CHECK(13, read(go[0], &c, 1) == 1);
		_exit(0);
	}
	close(sv[1]);
	close(p[1]);
	close(pa[1]);
	close(go[0]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d) TH_LOG("the server sent no door");
	ASSERT_EQ(0, get_all(p[0], &rep, sizeof(rep)));
	ASSERT_EQ(0, get_all(pa[0], &rep.b_outer, sizeof(rep.b_outer)));
	EXPECT_EQ(1, rep.b_target_inside) TH_LOG("server's own di_target");
	EXPECT_EQ(0, rep.c_ret) TH_LOG("inner client: step %d", rep.c_ret);
	/* PID 1 is the server; its server threads took a few more. */
	EXPECT_LT(1, rep.c_inner);
	EXPECT_EQ(rep.c_inner, rep.c_seen.pid);

	ASSERT_EQ(0, door_info(d, &di));
	EXPECT_EQ(rep.b_outer, di.di_target);
	ASSERT_EQ(0, call_cred(d, &s)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, s.ret) TH_LOG("door_ucred: %s", strerror(s.err));
	EXPECT_EQ(-1, s.pid) TH_LOG("the invisible caller reported as %d", s.pid);
	EXPECT_EQ(EINVAL, s.pid_err);
	EXPECT_EQ(0, s.cret);
	EXPECT_EQ(-1, s.dc.dc_pid);
	/* The ids are all there (same user namespace). */
	EXPECT_EQ(geteuid(), s.euid);
	EXPECT_EQ(getegid(), s.egid);

	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, child_exit_code(wait_child(a, 30)));
}

/* ---- user namespaces ---------------------------------------------------------- */

/*
 * A client in a user namespace of its own, made by uid 1000 / gid 2000
 * with groups 3000..3002, then mapped (by us, root outside) as
 * 0..2 -> 1000..1002 and 0..2 -> 2000..2002.  Inside it sets distinct real,
 * effective and saved ids (0, 1, 2) and groups 1 and 2.  The server, in
 * the initial namespace, sees the ids outside: 1000/1001/1002,
 * 2000/2001/2002, groups 2001 and 2002.
 */
TEST(client_in_user_namespace)
{
	static const gid_t outer_groups[] = { 3000, 3001, 3002 };
	static const gid_t inner_groups[] = { 1, 2 };
	static const gid_t want_groups[] = { 2001, 2002 };
	int d, p[2], go[2], ret;
	struct seen s;
	pid_t a;
	char c;

	d = door_create(cred_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	a = fork_child();
	ASSERT_LE(0, a);
	if (a == 0) {
		int r = -1;

		close(p[0]);
		close(go[1]);
		CHILD_CHECK(10, setgroups(ARRAY_SIZE(outer_groups), outer_groups) == 0);
		CHILD_CHECK(11, setresgid(2000, 2000, 2000) == 0);
		CHILD_CHECK(12, setresuid(1000, 1000, 1000) == 0);
		CHILD_CHECK(13, prctl(PR_SET_DUMPABLE, 1) == 0);
		if (unshare(CLONE_NEWUSER) != 0) {
			/* Tell the parent, which skips. */
			CHILD_CHECK(14, put_all(p[1], &r, sizeof(r)) == 0);
			_exit(0);
		}
		r = 0;
		CHILD_CHECK(15, put_all(p[1], &r, sizeof(r)) == 0);
		CHILD_CHECK(16, read(go[0], &c, 1) == 1);	/* mapped */
		CHILD_CHECK(17, getuid() == 0 && getgid() == 0);
		CHILD_CHECK(18, setgroups(ARRAY_SIZE(inner_groups), inner_groups) == 0);
		CHILD_CHECK(19, setresgid(0, 1, 2) == 0);
		CHILD_CHECK(20, setresuid(0, 1, 2) == 0);
		CHILD_CHECK(21, call_cred(d, &s) == 0);
		_exit(0);
	}
	close(p[1]);
	close(go[0]);
	ASSERT_EQ(0, get_all(p[0], &ret, sizeof(ret)));
	if (ret != 0) {
		wait_child(a, 30);
		SKIP(return, "no user namespaces here");
	}
	ASSERT_EQ(0, map_ids(a, "0 1000 3", "0 2000 3")) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, child_exit_code(wait_child(a, 30)));

	ASSERT_EQ(0, last_seen.ret) TH_LOG("door_ucred: %s", strerror(last_seen.err));
	EXPECT_EQ(1000U, last_seen.ruid);
	EXPECT_EQ(1001U, last_seen.euid);
	EXPECT_EQ(1002U, last_seen.suid);
	EXPECT_EQ(2000U, last_seen.rgid);
	EXPECT_EQ(2001U, last_seen.egid);
	EXPECT_EQ(2002U, last_seen.sgid);
	EXPECT_EQ(a, last_seen.pid);
	EXPECT_TRUE(same_groups(want_groups, ARRAY_SIZE(want_groups),
				last_seen.groups, last_seen.ngroups))
		TH_LOG("%d groups, first %u", last_seen.ngroups,
		       last_seen.ngroups ? last_seen.groups[0] : 0);
	EXPECT_EQ(0, last_seen.cret);
	EXPECT_EQ(1001U, last_seen.dc.dc_euid);
	EXPECT_EQ(1000U, last_seen.dc.dc_ruid);
	EXPECT_EQ(2001U, last_seen.dc.dc_egid);
	EXPECT_EQ(2000U, last_seen.dc.dc_rgid);
}

/* A caller with the given ids calls d and copies the report to *out. */
static int call_as(int d, uid_t uid, gid_t gid, const gid_t *groups, int ng,
		   struct seen *out)
{
	struct seen *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int code;
	pid_t pid;

	if (s == MAP_FAILED)
		return -1;
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		CHILD_CHECK(40, setgroups(ng, groups) == 0);
		CHILD_CHECK(41, setresgid(gid, gid, gid) == 0);
		CHILD_CHECK(42, setresuid(uid, uid, uid) == 0);
		CHILD_CHECK(43, call_cred(d, s) == 0);
		_exit(0);
	}
	code = child_exit_code(wait_child(pid, 30));
	memcpy(out, s, sizeof(*out));
	munmap(s, sizeof(*s));
	return code;
}

/*
 * A server in a user namespace (uid 1000 / gid 2000 outside, mapped to 0
 * inside) sees its callers through its map: root (unmapped there) as the
 * overflow id 65534, uid 1000 / gid 2000 as 0, group 2000 as 0 and group
 * 3000 (unmapped) as 65534.
 */
TEST(server_in_user_namespace)
{
	static const gid_t groups[] = { 2000, 3000 };
	static const gid_t want[] = { 0, OVERFLOW_ID };
	int sv[2], p[2], go[2], d, ret;
	struct seen s;
	pid_t a;
	char c;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	a = fork_child();
	ASSERT_LE(0, a);
	if (a == 0) {
		int r = -1, dd;

		close(sv[0]);
		close(p[0]);
		close(go[1]);
		CHILD_CHECK(10, setgroups(0, NULL) == 0);
		CHILD_CHECK(11, setresgid(2000, 2000, 2000) == 0);
		CHILD_CHECK(12, setresuid(1000, 1000, 1000) == 0);
		CHILD_CHECK(13, prctl(PR_SET_DUMPABLE, 1) == 0);
		if (unshare(CLONE_NEWUSER) == 0)
			r = 0;
		CHILD_CHECK(14, put_all(p[1], &r, sizeof(r)) == 0);
		if (r != 0)
			_exit(0);
		CHILD_CHECK(15, read(go[0], &c, 1) == 1);	/* mapped */
		CHILD_CHECK(16, geteuid() == 0);
		dd = door_create(cred_proc, NULL, 0);
		CHILD_CHECK(17, dd >= 0);
		CHILD_CHECK(18, send_fd(sv[1], dd) == 0);
		CHILD_CHECK(19, read(go[0], &c, 1) == 1);	/* done */
		_exit(0);
	}
	close(sv[1]);
	close(p[1]);
	close(go[0]);
	ASSERT_EQ(0, get_all(p[0], &ret, sizeof(ret)));
	if (ret != 0) {
		wait_child(a, 30);
		SKIP(return, "no user namespaces here");
	}
	ASSERT_EQ(0, map_ids(a, "0 1000 1", "0 2000 1")) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(1, write(go[1], "g", 1));
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);

	/* Root, outside the server's map. */
	ASSERT_EQ(0, call_as(d, 0, 0, NULL, 0, &s));
	ASSERT_EQ(0, s.ret) TH_LOG("door_ucred: %s", strerror(s.err));
	EXPECT_EQ(OVERFLOW_ID, s.euid);
	EXPECT_EQ(OVERFLOW_ID, s.ruid);
	EXPECT_EQ(OVERFLOW_ID, s.egid);
	EXPECT_EQ(0, s.ngroups);

	/* The server's own user outside: root inside. */
	ASSERT_EQ(0, call_as(d, 1000, 2000, groups, ARRAY_SIZE(groups), &s));
	ASSERT_EQ(0, s.ret) TH_LOG("door_ucred: %s", strerror(s.err));
	EXPECT_EQ(0U, s.euid);
	EXPECT_EQ(0U, s.ruid);
	EXPECT_EQ(0U, s.suid);
	EXPECT_EQ(0U, s.egid);
	EXPECT_EQ(0U, s.rgid);
	EXPECT_EQ(0U, s.sgid);
	EXPECT_TRUE(same_groups(want, 2, s.groups, s.ngroups))
		TH_LOG("%d groups", s.ngroups);
	EXPECT_LT(0, s.pid) TH_LOG("same PID namespace: the PID is visible");

	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, child_exit_code(wait_child(a, 30)));
}

/* ---- supplementary groups ----------------------------------------------------- */

/*
 * The groups are reported exactly, into one ucred_t the procedure keeps:
 * a few groups, then a thousand (the ucred_t grows), then none, then a
 * few again.
 */
TEST(supplementary_groups_exact)
{
	static gid_t many[1000];
	static const gid_t few[] = { 70000, 5, 1u << 30, 42 };
	struct {
		const gid_t *g;
		int n;
	} cases[] = {
		{ few, ARRAY_SIZE(few) },
		{ many, ARRAY_SIZE(many) },
		{ NULL, 0 },
		{ few, 2 },
	};
	struct seen s;
	int d;

	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (gid_t)(100000 + 7 * (ARRAY_SIZE(many) - i));
	d = door_create(cred_proc, NULL, 0);
	ASSERT_LE(0, d);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, call_as(d, 1000 + i, 2000 + i, cases[i].g,
				     cases[i].n, &s)) TH_LOG("case %zu", i);
		ASSERT_EQ(0, s.ret) TH_LOG("case %zu: %s", i, strerror(s.err));
		EXPECT_EQ(1000 + i, s.euid);
		EXPECT_EQ(2000 + i, s.egid);
		EXPECT_EQ(cases[i].n, s.ngroups) TH_LOG("case %zu", i);
		EXPECT_TRUE(same_groups(cases[i].g, cases[i].n, s.groups,
					s.ngroups)) TH_LOG("case %zu", i);
	}
}

TEST_HARNESS_MAIN
