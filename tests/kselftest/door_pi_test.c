// SPDX-License-Identifier: GPL-2.0
/*
 * door_pi_test - the rules of priority inheritance (issue 11, finding 2:
 * "priority inheritance outlives the call"), as kmod/sched.c states them:
 * a server thread runs at its caller's priority while it serves the call
 * only if that is higher than its own; SCHED_DEADLINE is neither passed on
 * nor replaced; a raised thread carries SCHED_RESET_ON_FORK; its own
 * attributes (policy, priority, nice, SCHED_RESET_ON_FORK) come back
 * exactly at its next door_return; and the raise ends as soon as the caller
 * abandons the call, even if the procedure never returns.
 *
 * The server is a thread of this process (or of a forked unprivileged
 * process) bound to a private door, with the attributes the test gives it;
 * callers are forked children with their own scheduling.  What the server
 * thread runs at is read with sched_getattr() and sched_getscheduler()
 * (which ORs in SCHED_RESET_ON_FORK, 0x40000000): by the procedure itself
 * during the call, and by the test, on the thread's id, afterwards.
 *
 *  - unprivileged_server_children_start_at_default_policy: a uid 65534
 *    server serving a root SCHED_FIFO 50 caller forks and creates a thread
 *    while serving; both start SCHED_OTHER (before: SCHED_FIFO 50, for
 *    good);
 *  - rt_server_keeps_reset_on_fork: a root SCHED_FIFO 10 server thread
 *    with SCHED_RESET_ON_FORK is not lowered by a SCHED_OTHER caller, and
 *    after a SCHED_FIFO 50 caller it is back at FIFO 10 with the flag
 *    (before: SCHED_OTHER during the call, 0x40000001 -> 0x1 after);
 *  - deadline_server_keeps_deadline: a SCHED_DEADLINE server thread stays
 *    SCHED_DEADLINE with its runtime, deadline and period, whoever calls
 *    (before: SCHED_OTHER, for good); skipped if the VM cannot admit it;
 *  - low_callers_do_not_lower_server: an unprivileged SCHED_IDLE caller
 *    and a nice 19 caller leave a root server thread at SCHED_OTHER nice 0
 *    (before: SCHED_IDLE, nice 19);
 *  - boost_ends_when_caller_abandons: a SCHED_FIFO 50 caller interrupted
 *    by a handled signal while the procedure spins in user space (no
 *    system call) and never returns: the server thread is back at
 *    SCHED_OTHER within 3 s, still inside the procedure (before: FIFO 50
 *    until the procedure returned).  The door is DOOR_NO_CANCEL, so no
 *    cancellation signal reaches the procedure: only the module's task
 *    work can end the raise.
 *  - boost_ends_when_server_side_ends: a SCHED_FIFO 50 caller calls a
 *    server thread (raw ioctls, so that the test owns the control file)
 *    whose procedure blocks in read(); the test closes the control file,
 *    which ends the server side: the caller gets EINTR, and by then the
 *    server thread, still blocked in the procedure, is back at SCHED_OTHER
 *    (before commit b03b471: FIFO 50 for as long as the procedure ran);
 *  - boost_ends_when_caller_abandons_sleeping_procedure: as
 *    boost_ends_when_caller_abandons, but the procedure sleeps in the
 *    kernel (read() on a pipe nobody writes): the thread is back at
 *    SCHED_OTHER when the caller's door_call has returned EINTR (before
 *    b03b471 the task work that lowered it waited for the thread's return
 *    to user space: FIFO 50 while it slept);
 *  - boost_ends_when_timed_call_detaches: the same with a caller whose
 *    door_call_timed() deadline passes (issue 14): the call is detached
 *    and the thread, still asleep in the procedure, is back at SCHED_OTHER
 *    when the caller has its ETIMEDOUT.
 * The raising side (callers with a higher priority) is also in
 * door_sched_test.
 */
#include <grp.h>
#include <sched.h>
#include <sys/syscall.h>

#include "door_test.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK	0x40000000
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE		6
#endif
#define RESET_FLAG		0x01ULL	/* SCHED_FLAG_RESET_ON_FORK */

/* struct sched_attr, SCHED_ATTR_SIZE_VER0 (glibc may not declare it). */
struct dt_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static int get_attr(pid_t tid, struct dt_attr *a)
{
	memset(a, 0, sizeof(*a));
	return (int)syscall(SYS_sched_getattr, tid, a, sizeof(*a), 0);
}

static int set_attr(pid_t tid, const struct dt_attr *a)
{
	return (int)syscall(SYS_sched_setattr, tid, a, 0);
}

/* What a thread runs at. */
struct seen {
	int gs;			/* sched_getscheduler(): policy | RESET_ON_FORK */
	int err;		/* errno of a failed read, else 0 */
	struct dt_attr a;
};

static struct seen seen_of(pid_t tid)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	errno = 0;
	s.gs = sched_getscheduler(tid);
	if (s.gs < 0 || get_attr(tid, &s.a) != 0)
		s.err = errno ? errno : EIO;
	return s;
}

static const char *pol_name(int p)
{
	switch (p) {
	case SCHED_OTHER: return "SCHED_OTHER";
	case SCHED_FIFO: return "SCHED_FIFO";
	case SCHED_RR: return "SCHED_RR";
	case SCHED_BATCH: return "SCHED_BATCH";
	case SCHED_IDLE: return "SCHED_IDLE";
	case SCHED_DEADLINE: return "SCHED_DEADLINE";
	}
	return "?";
}

/* The whole state, for messages. */
static const char *describe(const struct seen *s, char *buf, size_t len)
{
	snprintf(buf, len, "getscheduler %#x, %s prio %u nice %d flags %#llx%s%s",
		 s->gs, pol_name((int)s->a.sched_policy), s->a.sched_priority,
		 s->a.sched_nice, (unsigned long long)s->a.sched_flags,
		 s->err ? ", read failed: " : "", s->err ? strerror(s->err) : "");
	return buf;
}

/*
 * Check that @s is @policy at @prio (RT) or @nice (fair), with
 * SCHED_RESET_ON_FORK set iff @reset (-1: either way).
 */
static void check_seen(struct __test_metadata *_metadata, const char *what,
		       const struct seen *s, int policy, int prio, int nice,
		       int reset)
{
	char d[160];

	describe(s, d, sizeof(d));
	EXPECT_EQ(0, s->err) TH_LOG("%s: %s", what, d);
	EXPECT_EQ(policy, (int)s->a.sched_policy)
		TH_LOG("%s: %s, expected %s", what, d, pol_name(policy));
	if (policy == SCHED_FIFO || policy == SCHED_RR) {
		EXPECT_EQ(prio, (int)s->a.sched_priority)
			TH_LOG("%s: %s, expected RT priority %d", what, d, prio);
	} else if (policy != SCHED_DEADLINE) {
		EXPECT_EQ(nice, s->a.sched_nice)
			TH_LOG("%s: %s, expected nice %d", what, d, nice);
	}
	if (reset >= 0) {
		EXPECT_EQ(reset, HAS(s->a.sched_flags, RESET_FLAG))
			TH_LOG("%s: %s, expected SCHED_RESET_ON_FORK %s", what,
			       d, reset ? "set" : "clear");
		EXPECT_EQ(reset, HAS(s->gs, SCHED_RESET_ON_FORK))
			TH_LOG("%s: %s, expected SCHED_RESET_ON_FORK %s", what,
			       d, reset ? "set" : "clear");
	}
}

/* ---- the server: one thread bound to a private door ------------------------ */

static void no_threads(door_info_t *dip)
{
	(void)dip;
}

struct srv {
	int door;
	const struct dt_attr *attr;	/* NULL: as created */
	int cpu;			/* >= 0: pin the thread there */
	int ev_ready;
	atomic_int tid;
	int err;			/* what failed in the thread's setup */
	const char *what;
};

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	atomic_store(&s->tid, (int)gettid());
	if (s->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(s->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			s->err = errno;
			s->what = "sched_setaffinity";
			ev_post(s->ev_ready);
			return NULL;
		}
	}
	if (s->attr && set_attr(0, s->attr) != 0) {
		s->err = errno;
		s->what = "sched_setattr";
		ev_post(s->ev_ready);
		return NULL;
	}
	if (door_bind(s->door) != 0) {
		s->err = errno;
		s->what = "door_bind";
		ev_post(s->ev_ready);
		return NULL;
	}
	ev_post(s->ev_ready);
	door_return(NULL, 0, NULL, 0);
	return NULL;
}

/*
 * A private door of @proc (with @attrs) and its only server thread, set to
 * @attr.  0, or -1 with s->err and s->what saying what failed.
 */
static int srv_start(struct srv *s, door_server_procedure_t *proc,
		     uint_t attrs, const struct dt_attr *attr, int cpu)
{
	pthread_t t;

	memset(s, 0, sizeof(*s));
	s->attr = attr;
	s->cpu = cpu;
	s->ev_ready = ev_new();
	if (s->ev_ready < 0)
		return -1;
	door_server_create(no_threads);
	s->door = door_create(proc, NULL, DOOR_PRIVATE | attrs);
	if (s->door < 0) {
		s->err = errno;
		s->what = "door_create";
		return -1;
	}
	if (pthread_create(&t, NULL, srv_main, s) != 0) {
		s->what = "pthread_create";
		return -1;
	}
	pthread_detach(t);
	if (ev_wait_ms(s->ev_ready, 20000) != 0) {
		s->what = "server thread start";
		return -1;
	}
	return s->err ? -1 : 0;
}

/* The procedure: report what the serving thread runs at. */
static void report_proc(void *cookie, char *argp, size_t n, door_desc_t *dp,
			uint_t nd)
{
	struct seen s = seen_of(0);

	door_return((char *)&s, sizeof(s), NULL, 0);
}

/* ---- callers ----------------------------------------------------------------- */

struct caller {
	int policy, prio, nice;
	int nobody;		/* drop to uid/gid 65534 first */
	int timeout_ms;		/* door_call_timed() with it, if not 0 */
};

struct report {
	int ret, err;
	size_t size;
	struct seen s[3];
};

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
	    setuid(65534) != 0)
		return -1;
	/* A credential change clears the parent-death signal. */
	return prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int become(const struct caller *c)
{
	struct sched_param sp = { .sched_priority = c->prio };

	if (c->nobody && drop_to_nobody() != 0)
		return -1;
	if (c->policy != SCHED_OTHER &&
	    sched_setscheduler(0, c->policy, &sp) != 0)
		return -1;
	if (c->policy != SCHED_FIFO && c->policy != SCHED_RR &&
	    setpriority(PRIO_PROCESS, 0, c->nice) != 0)
		return -1;
	return 0;
}

/*
 * Fork a caller with scheduling @c; with @handler, SIGUSR1 has a handler
 * (no SA_RESTART).  It calls @d and writes a struct report to *outp.
 */
static void usr1_noop(int sig)
{
	(void)sig;
}

static pid_t spawn_caller(int d, const struct caller *c, int handler,
			  int *outp)
{
	struct report r;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork_child();
	if (pid != 0) {
		close(p[1]);
		*outp = p[0];
		return pid;
	}
	close(p[0]);
	if (handler) {
		struct sigaction sa = { .sa_handler = usr1_noop };

		sigemptyset(&sa.sa_mask);
		CHILD_CHECK(40, sigaction(SIGUSR1, &sa, NULL) == 0);
	}
	CHILD_CHECK(41, become(c) == 0);
	memset(&r, 0, sizeof(r));
	{
		door_arg_t a = { "x", 1, NULL, 0, (char *)r.s, sizeof(r.s) };

		struct timespec to = {
			c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000000L
		};

		errno = 0;
		r.ret = c->timeout_ms ? door_call_timed(d, &a, &to) :
					door_call(d, &a);
		r.err = errno;
		r.size = a.data_size;
		if (r.ret == 0 && a.data_ptr != (char *)r.s) {
			memcpy(r.s, a.data_ptr,
			       a.data_size < sizeof(r.s) ? a.data_size : sizeof(r.s));
		}
	}
	CHILD_CHECK(42, put_all(p[1], &r, sizeof(r)) == 0);
	_exit(0);
}

/* Call @d as @c; the report of a successful call in *r. */
static void call_as(struct __test_metadata *_metadata, int d,
		    const struct caller *c, struct report *r, size_t want)
{
	int out;
	pid_t pid = spawn_caller(d, c, 0, &out);

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 30)));
	ASSERT_EQ(0, get_all(out, r, sizeof(*r)));
	close(out);
	ASSERT_EQ(0, r->ret) TH_LOG("door_call: %s", strerror(r->err));
	ASSERT_EQ(want, r->size);
}

/* ---- 1. what a raised unprivileged server creates ---------------------------- */

/*
 * The procedure of the unprivileged server: fork a child and create a
 * thread, each of which reports what it runs at.  Returns its own, the
 * child's and the thread's.
 */
static void *report_thread(void *arg)
{
	*(struct seen *)arg = seen_of(0);
	return NULL;
}

static void fork_proc(void *cookie, char *argp, size_t n, door_desc_t *dp,
		      uint_t nd)
{
	struct seen s[3];
	pthread_t t;
	int p[2];
	pid_t pid;

	memset(s, 0, sizeof(s));
	s[0] = seen_of(0);
	s[1].err = s[2].err = -1;
	if (pipe2(p, O_CLOEXEC) == 0) {
		pid = fork();
		if (pid == 0) {
			struct seen c = seen_of(0);

			_exit(put_all(p[1], &c, sizeof(c)) ? 1 : 0);
		}
		close(p[1]);
		if (pid > 0) {
			if (get_all(p[0], &s[1], sizeof(s[1])) != 0)
				s[1].err = -2;
			waitpid(pid, NULL, 0);
		}
		close(p[0]);
	}
	if (pthread_create(&t, NULL, report_thread, &s[2]) == 0)
		pthread_join(t, NULL);
	door_return((char *)s, sizeof(s), NULL, 0);
}

/*
 * Finding 2: an unprivileged server raised to its root caller's SCHED_FIFO
 * 50 forks a child and creates a thread while serving.  The raise carries
 * SCHED_RESET_ON_FORK, so both start at SCHED_OTHER (nice 0); before the
 * fix they kept SCHED_FIFO 50 for good.
 */
TEST(unprivileged_server_children_start_at_default_policy)
{
	struct caller fifo50 = { SCHED_FIFO, 50, 0, 0, 0 };
	struct report r;
	int sv[2], d, st;
	pid_t srv;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	srv = fork_child();
	ASSERT_LE(0, srv);
	if (srv == 0) {
		struct srv s;
		char c;

		close(sv[0]);
		CHILD_CHECK(10, drop_to_nobody() == 0);
		CHILD_CHECK(11, getuid() == 65534 && geteuid() == 65534);
		CHILD_CHECK(12, srv_start(&s, fork_proc, 0, NULL, -1) == 0);
		CHILD_CHECK(13, send_fd(sv[1], s.door) == 0);
		/* Serve until the test closes its end. */
		while (read(sv[1], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(sv[1]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d) TH_LOG("no door from the unprivileged server");

	call_as(_metadata, d, &fifo50, &r, sizeof(r.s));
	/* The raise itself (unchanged by the fix). */
	check_seen(_metadata, "server thread serving", &r.s[0], SCHED_FIFO, 50,
		   0, 1);
	check_seen(_metadata, "child forked while serving", &r.s[1],
		   SCHED_OTHER, 0, 0, 0);
	check_seen(_metadata, "thread created while serving", &r.s[2],
		   SCHED_OTHER, 0, 0, 0);

	close(d);
	close(sv[0]);
	st = wait_child(srv, 20);
	EXPECT_EQ(0, child_exit_code(st));
}

/* ---- 2. an RT server with SCHED_RESET_ON_FORK ---------------------------------- */

/*
 * Finding 2: a root SCHED_FIFO 10 server thread with SCHED_RESET_ON_FORK
 * (sched_getscheduler 0x40000001).  A SCHED_OTHER caller ranks lower: the
 * thread stays FIFO 10 with the flag, during and after (before the fix it
 * ran SCHED_OTHER during the call and lost the flag after).  A FIFO 50
 * caller raises it to FIFO 50 (with the flag) during the call only; then
 * it is back at FIFO 10 with the flag.
 */
TEST(rt_server_keeps_reset_on_fork)
{
	struct dt_attr fifo10 = {
		.size = sizeof(fifo10), .sched_policy = SCHED_FIFO,
		.sched_priority = 10, .sched_flags = RESET_FLAG,
	};
	struct caller other = { SCHED_OTHER, 0, 0, 0, 0 };
	struct caller fifo50 = { SCHED_FIFO, 50, 0, 0, 0 };
	struct report r;
	struct seen s;
	struct srv srv;

	ASSERT_EQ(0, srv_start(&srv, report_proc, 0, &fifo10, -1))
		TH_LOG("%s: %s", srv.what, strerror(srv.err));
	s = seen_of(atomic_load(&srv.tid));
	check_seen(_metadata, "server thread before", &s, SCHED_FIFO, 10, 0,
		   1);

	call_as(_metadata, srv.door, &other, &r, sizeof(r.s[0]));
	check_seen(_metadata, "serving SCHED_OTHER caller", &r.s[0],
		   SCHED_FIFO, 10, 0, 1);
	s = seen_of(atomic_load(&srv.tid));
	check_seen(_metadata, "after SCHED_OTHER call", &s, SCHED_FIFO, 10, 0,
		   1);

	call_as(_metadata, srv.door, &fifo50, &r, sizeof(r.s[0]));
	check_seen(_metadata, "serving FIFO 50 caller", &r.s[0], SCHED_FIFO,
		   50, 0, 1);
	s = seen_of(atomic_load(&srv.tid));
	check_seen(_metadata, "after FIFO 50 call", &s, SCHED_FIFO, 10, 0, 1);
}

/* ---- 3. a deadline server ------------------------------------------------------ */

#define DL_RUNTIME	(10ULL * 1000 * 1000)
#define DL_DEADLINE	(30ULL * 1000 * 1000)
#define DL_PERIOD	(30ULL * 1000 * 1000)

static void expect_deadline(struct __test_metadata *_metadata,
			    const char *what, const struct seen *s)
{
	char d[200];

	snprintf(d, sizeof(d), "getscheduler %#x, %s runtime %llu deadline %llu "
		 "period %llu", s->gs, pol_name((int)s->a.sched_policy),
		 (unsigned long long)s->a.sched_runtime,
		 (unsigned long long)s->a.sched_deadline,
		 (unsigned long long)s->a.sched_period);
	EXPECT_EQ(0, s->err) TH_LOG("%s: %s", what, strerror(s->err));
	EXPECT_EQ(SCHED_DEADLINE, (int)s->a.sched_policy)
		TH_LOG("%s: %s, expected SCHED_DEADLINE", what, d);
	EXPECT_EQ(SCHED_DEADLINE, s->gs) TH_LOG("%s: %s", what, d);
	EXPECT_EQ(DL_RUNTIME, s->a.sched_runtime) TH_LOG("%s: %s", what, d);
	EXPECT_EQ(DL_DEADLINE, s->a.sched_deadline) TH_LOG("%s: %s", what, d);
	EXPECT_EQ(DL_PERIOD, s->a.sched_period) TH_LOG("%s: %s", what, d);
}

/*
 * Finding 2: SCHED_DEADLINE is neither passed on nor replaced.  A
 * deadline server thread (10 ms every 30 ms) serving a SCHED_OTHER and a
 * SCHED_FIFO caller keeps its reservation during and after each call
 * (before the fix it became SCHED_OTHER and never got deadline back).
 */
TEST(deadline_server_keeps_deadline)
{
	struct dt_attr dl = {
		.size = sizeof(dl), .sched_policy = SCHED_DEADLINE,
		.sched_runtime = DL_RUNTIME, .sched_deadline = DL_DEADLINE,
		.sched_period = DL_PERIOD,
	};
	struct caller other = { SCHED_OTHER, 0, 0, 0, 0 };
	struct caller fifo20 = { SCHED_FIFO, 20, 0, 0, 0 };
	struct report r;
	struct seen s;
	struct srv srv;

	if (srv_start(&srv, report_proc, 0, &dl, -1) != 0) {
		if (srv.what && !strcmp(srv.what, "sched_setattr") &&
		    (srv.err == EBUSY || srv.err == EPERM))
			SKIP(return, "cannot make a SCHED_DEADLINE thread "
			     "(10/30/30 ms): %s", strerror(srv.err));
		ASSERT_TRUE(0) TH_LOG("%s: %s", srv.what, strerror(srv.err));
	}
	s = seen_of(atomic_load(&srv.tid));
	expect_deadline(_metadata, "server thread before", &s);

	call_as(_metadata, srv.door, &other, &r, sizeof(r.s[0]));
	expect_deadline(_metadata, "serving SCHED_OTHER caller", &r.s[0]);
	s = seen_of(atomic_load(&srv.tid));
	expect_deadline(_metadata, "after SCHED_OTHER call", &s);

	call_as(_metadata, srv.door, &fifo20, &r, sizeof(r.s[0]));
	expect_deadline(_metadata, "serving FIFO 20 caller", &r.s[0]);
	s = seen_of(atomic_load(&srv.tid));
	expect_deadline(_metadata, "after FIFO 20 call", &s);
}

/* ---- 4. callers below the server --------------------------------------------- */

/*
 * Finding 2: inheritance only raises.  Unprivileged callers at SCHED_IDLE
 * and at nice 19 call a root server thread at SCHED_OTHER nice 0: it
 * serves them at its own SCHED_OTHER nice 0 (before the fix: SCHED_IDLE,
 * nice 19), and stays there.
 */
TEST(low_callers_do_not_lower_server)
{
	struct dt_attr nice0 = {
		.size = sizeof(nice0), .sched_policy = SCHED_OTHER,
		.sched_nice = 0,
	};
	struct caller idle = { SCHED_IDLE, 0, 0, 1, 0 };
	struct caller nice19 = { SCHED_OTHER, 0, 19, 1, 0 };
	struct caller batch = { SCHED_BATCH, 0, 10, 1, 0 };
	struct report r;
	struct seen s;
	struct srv srv;

	ASSERT_EQ(0, srv_start(&srv, report_proc, 0, &nice0, -1))
		TH_LOG("%s: %s", srv.what, strerror(srv.err));

	call_as(_metadata, srv.door, &idle, &r, sizeof(r.s[0]));
	check_seen(_metadata, "serving SCHED_IDLE caller", &r.s[0],
		   SCHED_OTHER, 0, 0, 0);
	s = seen_of(atomic_load(&srv.tid));
	check_seen(_metadata, "after SCHED_IDLE call", &s, SCHED_OTHER, 0, 0,
		   0);

	call_as(_metadata, srv.door, &nice19, &r, sizeof(r.s[0]));
	check_seen(_metadata, "serving nice 19 caller", &r.s[0], SCHED_OTHER,
		   0, 0, 0);
	s = seen_of(atomic_load(&srv.tid));
	check_seen(_metadata, "after nice 19 call", &s, SCHED_OTHER, 0, 0, 0);

	call_as(_metadata, srv.door, &batch, &r, sizeof(r.s[0]));
	check_seen(_metadata, "serving SCHED_BATCH nice 10 caller", &r.s[0],
		   SCHED_OTHER, 0, 0, 0);
}

/* ---- 5. the caller abandons ------------------------------------------------------ */

static int ev_in = -1, ev_done = -1;
static atomic_int release, spun_out, yield_in_spin;
static struct seen spin_end;

/*
 * Spin until released.  With two CPUs or more the loop makes no system
 * call, so the thread enters the kernel only on interrupts; on one CPU it
 * sleeps 1 ms per turn so as not to starve the test at SCHED_FIFO.
 */
static void spin_proc(void *cookie, char *argp, size_t n, door_desc_t *dp,
		      uint_t nd)
{
	struct timespec ms = { 0, 1000 * 1000 };

	ev_post(ev_in);
	while (!atomic_load_explicit(&release, memory_order_acquire)) {
		if (atomic_load_explicit(&yield_in_spin, memory_order_relaxed))
			nanosleep(&ms, NULL);
	}
	atomic_store(&spun_out, 1);
	spin_end = seen_of(0);
	ev_post(ev_done);
	door_return(NULL, 0, NULL, 0);
}

/*
 * Finding 2: the raise ends when the caller abandons the call.  A root
 * SCHED_FIFO 50 caller calls a SCHED_OTHER server thread whose procedure
 * spins until the test releases it; the caller gets a signal with a
 * handler (EINTR).  The server thread must then be back at SCHED_OTHER
 * nice 0 without RESET_ON_FORK (its own) within 3 s, while still spinning
 * in the procedure; before the fix it stayed FIFO 50 until the procedure
 * returned.  DOOR_NO_CANCEL: libdoor sends no cancellation signal (whose
 * delivery would take the thread through the kernel too).
 *
 * The wait for the drop is a bounded poll of sched_getattr() on the
 * server thread: there is no event for another thread's policy change.
 * With two CPUs the server thread is pinned to CPU 1 and the test and its
 * caller to CPU 0, so the spinning RT thread starves nobody.
 */
TEST(boost_ends_when_caller_abandons)
{
	struct caller fifo50 = { SCHED_FIFO, 50, 0, 0, 0 };
	struct timespec ms = { 0, 1000 * 1000 };
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	struct report r;
	struct seen s;
	struct srv srv;
	int out, i, tid;
	pid_t pid;

	ev_in = ev_new();
	ev_done = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_done);
	if (ncpu >= 2) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	} else {
		atomic_store(&yield_in_spin, 1);
		TH_LOG("one CPU: the procedure sleeps 1 ms per turn of its loop");
	}
	ASSERT_EQ(0, srv_start(&srv, spin_proc, DOOR_NO_CANCEL, NULL,
			       ncpu >= 2 ? 1 : -1))
		TH_LOG("%s: %s", srv.what, strerror(srv.err));
	tid = atomic_load(&srv.tid);
	s = seen_of(tid);
	check_seen(_metadata, "server thread before", &s, SCHED_OTHER, 0, 0,
		   0);

	pid = spawn_caller(srv.door, &fifo50, 1, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	s = seen_of(tid);
	check_seen(_metadata, "server thread serving FIFO 50", &s, SCHED_FIFO,
		   50, 0, -1);

	/* The caller abandons the call. */
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, get_all(out, &r, sizeof(r)));
	close(out);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err) TH_LOG("caller: %s", strerror(r.err));

	for (i = 0; i < 3000; i++) {
		s = seen_of(tid);
		if (s.err || s.a.sched_policy != SCHED_FIFO)
			break;
		nanosleep(&ms, NULL);
	}
	TH_LOG("server thread policy checked for %d ms after the caller left", i);
	EXPECT_EQ(0, atomic_load(&spun_out))
		TH_LOG("the procedure did not spin until released");
	check_seen(_metadata, "server thread after its caller left", &s,
		   SCHED_OTHER, 0, 0, 0);

	atomic_store_explicit(&release, 1, memory_order_release);
	ASSERT_EQ(0, ev_wait_ms(ev_done, 20000))
		TH_LOG("the procedure did not finish");
	check_seen(_metadata, "procedure at its end", &spin_end, SCHED_OTHER,
		   0, 0, 0);
}

/* ---- 6. the invocation ends while the procedure sleeps ---------------------- */

/*
 * What the procedures below saw: the thread's attributes when it left the
 * read(), and whether it did.  ev_in is posted as the procedure starts
 * (after the module raised the thread), ev_done once it has left the read.
 */
static int block_pipe[2] = { -1, -1 };
static atomic_int block_left;
static struct seen block_end;

/* Sleep in the kernel, in read(), until the test writes a byte. */
static void block_in_read(void)
{
	char c;

	ev_post(ev_in);
	while (read(block_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	block_end = seen_of(0);
	atomic_store(&block_left, 1);
	ev_post(ev_done);
}

static void block_proc(void *cookie, char *argp, size_t n, door_desc_t *dp,
		       uint_t nd)
{
	block_in_read();
	door_return(NULL, 0, NULL, 0);
}

static int setup_block(void)
{
	ev_in = ev_new();
	ev_done = ev_new();
	if (ev_in < 0 || ev_done < 0 || pipe2(block_pipe, O_CLOEXEC) != 0)
		return -1;
	return 0;
}

/*
 * The server on raw ioctls: one invocation, in which it sleeps in read(),
 * then the thread ends (the control file is closed by then; it makes no
 * ioctl on the descriptor number again).
 */
struct raw_srv {
	int ctl;
	atomic_int tid;
	int err;		/* DOOR_IOC_RETURN failed with it */
};

static void *raw_block_server(void *arg)
{
	struct raw_srv *s = arg;
	struct door_ioc_return r;
	char buf[64];

	atomic_store(&s->tid, (int)gettid());
	memset(&r, 0, sizeof(r));
	r.buf = (uintptr_t)buf;
	r.buf_size = sizeof(buf);
	while (ioctl(s->ctl, DOOR_IOC_RETURN, &r) != 0) {
		if (errno != EINTR) {
			s->err = errno;
			ev_post(ev_in);
			return NULL;
		}
	}
	block_in_read();
	return NULL;
}

/*
 * Issue 11 finding 2, the review of its fix: the raise ends when the
 * server side ends.  A root SCHED_FIFO 50 caller calls a SCHED_OTHER
 * server thread of this process, whose procedure sleeps in read(); while
 * it does, the test closes the process's control file: the server side
 * ends (door_proc_shutdown) and the caller gets EINTR.  When its door_call
 * has returned, the server thread must be back at SCHED_OTHER nice 0
 * without RESET_ON_FORK, while still in the procedure (the module lowers
 * it before the caller returns: no poll), and still so when it leaves the
 * read().  Before b03b471 nothing lowered it: it kept FIFO 50 until its
 * next door_return, which never came.
 */
TEST(boost_ends_when_server_side_ends)
{
	struct caller fifo50 = { SCHED_FIFO, 50, 0, 0, 0 };
	struct door_ioc_create c = { .proc = 1, .attributes = DOOR_NO_CANCEL };
	struct raw_srv srv = { .ctl = -1 };
	struct report r;
	struct seen s;
	pthread_t th;
	int d, out, tid;
	pid_t pid;

	ASSERT_EQ(0, setup_block());
	srv.ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, srv.ctl);
	d = ioctl(srv.ctl, DOOR_IOC_CREATE, &c);
	ASSERT_LE(0, d) TH_LOG("DOOR_IOC_CREATE: %s", strerror(errno));
	ASSERT_EQ(0, pthread_create(&th, NULL, raw_block_server, &srv));

	pid = spawn_caller(d, &fifo50, 0, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	ASSERT_EQ(0, srv.err) TH_LOG("DOOR_IOC_RETURN: %s", strerror(srv.err));
	tid = atomic_load(&srv.tid);
	s = seen_of(tid);
	check_seen(_metadata, "server thread serving FIFO 50", &s, SCHED_FIFO,
		   50, 0, -1);

	/* Another thread of the server ends its server side. */
	ASSERT_EQ(0, close(srv.ctl));
	ASSERT_EQ(0, get_all(out, &r, sizeof(r))) TH_LOG("no report from the caller");
	s = seen_of(tid);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	close(out);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err) TH_LOG("caller: %s", strerror(r.err));
	EXPECT_EQ(0, atomic_load(&block_left))
		TH_LOG("the procedure left its read() early");
	check_seen(_metadata, "server thread once its server side ended", &s,
		   SCHED_OTHER, 0, 0, 0);

	ASSERT_EQ(1, write(block_pipe[1], "x", 1));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 20000))
		TH_LOG("the procedure did not finish");
	pthread_join(th, NULL);
	check_seen(_metadata, "procedure leaving its read()", &block_end,
		   SCHED_OTHER, 0, 0, 0);
	close(d);
}

/*
 * Issue 11 finding 2, the review of its fix: the raise ends as soon as the
 * caller abandons the call, even while the procedure sleeps in the kernel.
 * A root SCHED_FIFO 50 caller calls a SCHED_OTHER server thread (libdoor,
 * DOOR_NO_CANCEL: no cancellation signal wakes it) whose procedure sleeps
 * in read() on a pipe nobody writes; the caller gets a signal with a
 * handler (EINTR).  Once its door_call has returned, the server thread,
 * still asleep in read(), is back at SCHED_OTHER nice 0 without
 * RESET_ON_FORK: the caller lowered it before returning (no poll needed).
 * Before b03b471 a task work lowered it on the thread's way back to user
 * space: FIFO 50 for as long as it slept.
 */
TEST(boost_ends_when_caller_abandons_sleeping_procedure)
{
	struct caller fifo50 = { SCHED_FIFO, 50, 0, 0, 0 };
	struct report r;
	struct seen s;
	struct srv srv;
	int out, tid;
	pid_t pid;

	ASSERT_EQ(0, setup_block());
	ASSERT_EQ(0, srv_start(&srv, block_proc, DOOR_NO_CANCEL, NULL, -1))
		TH_LOG("%s: %s", srv.what, strerror(srv.err));
	tid = atomic_load(&srv.tid);
	s = seen_of(tid);
	check_seen(_metadata, "server thread before", &s, SCHED_OTHER, 0, 0,
		   0);

	pid = spawn_caller(srv.door, &fifo50, 1, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	s = seen_of(tid);
	check_seen(_metadata, "server thread serving FIFO 50", &s, SCHED_FIFO,
		   50, 0, -1);

	/* The caller abandons the call. */
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(0, get_all(out, &r, sizeof(r))) TH_LOG("no report from the caller");
	s = seen_of(tid);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	close(out);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err) TH_LOG("caller: %s", strerror(r.err));
	EXPECT_EQ(0, atomic_load(&block_left))
		TH_LOG("the procedure left its read() early");
	check_seen(_metadata, "server thread asleep after its caller left", &s,
		   SCHED_OTHER, 0, 0, 0);

	ASSERT_EQ(1, write(block_pipe[1], "x", 1));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 20000))
		TH_LOG("the procedure did not finish");
	check_seen(_metadata, "procedure leaving its read()", &block_end,
		   SCHED_OTHER, 0, 0, 0);
}

/*
 * Issue 14: a detached call ends the raise as an abandoned one does.  A
 * root SCHED_FIFO 50 caller calls with a 2 s timeout a SCHED_OTHER server
 * thread whose procedure sleeps in read(); once its door_call_timed() has
 * failed with ETIMEDOUT, the thread, still asleep, is back at SCHED_OTHER
 * nice 0.
 */
TEST(boost_ends_when_timed_call_detaches)
{
	struct caller fifo50 = { SCHED_FIFO, 50, 0, 0, 2000 };
	struct report r;
	struct seen s;
	struct srv srv;
	int out, tid;
	pid_t pid;

	ASSERT_EQ(0, setup_block());
	ASSERT_EQ(0, srv_start(&srv, block_proc, DOOR_NO_CANCEL, NULL, -1))
		TH_LOG("%s: %s", srv.what, strerror(srv.err));
	tid = atomic_load(&srv.tid);
	pid = spawn_caller(srv.door, &fifo50, 0, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	s = seen_of(tid);
	check_seen(_metadata, "server thread serving FIFO 50", &s, SCHED_FIFO,
		   50, 0, -1);

	/* The deadline passes: the caller is detached. */
	ASSERT_EQ(0, get_all(out, &r, sizeof(r))) TH_LOG("no report from the caller");
	s = seen_of(tid);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	close(out);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(ETIMEDOUT, r.err) TH_LOG("caller: %s", strerror(r.err));
	EXPECT_EQ(0, atomic_load(&block_left))
		TH_LOG("the procedure left its read() early");
	check_seen(_metadata, "server thread asleep after its caller timed out",
		   &s, SCHED_OTHER, 0, 0, 0);

	ASSERT_EQ(1, write(block_pipe[1], "x", 1));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 20000))
		TH_LOG("the procedure did not finish");
	check_seen(_metadata, "procedure leaving its read()", &block_end,
		   SCHED_OTHER, 0, 0, 0);
}

TEST_HARNESS_MAIN
