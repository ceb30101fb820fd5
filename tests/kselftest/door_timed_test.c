// SPDX-License-Identifier: GPL-2.0
/*
 * door_timed_test - door_call_timed(3DOOR) and door_caller_detached(3DOOR),
 * Linux extensions:
 *  - a call still queued at its deadline fails with ETIMEDOUT and is
 *    withdrawn: no server thread ever sees it, and its DOOR_RELEASE
 *    descriptors stay open;
 *  - a call being served at its deadline fails with ETIMEDOUT and is
 *    detached: the procedure (cancellation enabled, blocked in a
 *    cancellation point) is not cancelled, learns the caller has gone
 *    (door_caller_detached() 1, door_reply EPIPE), and its thread serves
 *    the next call;
 *  - a chain A -> B -> C: A times out on B; B's nested call to C goes on,
 *    B learns of the detach, and C's results (with a descriptor) that B
 *    returns are dropped, leaving no descriptor behind;
 *  - a timed-out call restarted after a stop keeps its absolute deadline;
 *  - timeouts: NULL waits as door_call, zero fails at once, malformed ones
 *    are EINVAL;
 *  - a caller in a time namespace (its CLOCK_MONOTONIC 10 s ahead of the
 *    host's, or 5 s behind) times out after its own 200 ms;
 *  - 10,000 timed-out calls (queued and served, with data pinned and a
 *    descriptor passed) leave no call, door or descriptor behind.
 */
#include <dirent.h>
#include <sched.h>
#include <sys/syscall.h>
#include "door_test.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int ev_in = -1, ev_go = -1, ev_done = -1;
static atomic_int invocations, completed, detached_seen = 99;
static atomic_int detached_early = 99, reply_err, c_result_ok;

static void setup(struct __test_metadata *_metadata)
{
	ev_in = ev_new();
	ev_go = ev_new();
	ev_done = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	ASSERT_LE(0, ev_done);
}

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1;	/* the directory's own */
}

/* Poll (bounded) until the descriptor count is `want`; the last count. */
static int wait_fds(int want, int ms)
{
	struct timespec t = { 0, 1000 * 1000 };
	int n = count_fds();

	while (n != want && ms-- > 0) {
		nanosleep(&t, NULL);
		n = count_fds();
	}
	return n;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * The procedure: "block" waits for ev_go with cancellation enabled, in a
 * cancellation point, then looks whether its caller is still there; any
 * other argument returns at once.
 */
static void block_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	int old;

	(void)cookie;
	atomic_fetch_add(&invocations, 1);
	for (uint_t i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	if (arg_size && argp[0] == 'b') {
		atomic_store(&detached_early, door_caller_detached());
		ev_post(ev_in);
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		ev_wait(ev_go);		/* read(): a cancellation point */
		pthread_setcancelstate(old, NULL);
		atomic_store(&detached_seen, door_caller_detached());
		errno = 0;
		if (door_reply("late", 5, NULL, 0) < 0)
			atomic_store(&reply_err, errno);
		atomic_fetch_add(&completed, 1);
		ev_post(ev_done);
	}
	door_return("ok", 3, NULL, 0);
}

struct caller {
	int d;
	int ret, err;
	char rbuf[16];
};

static void *block_caller(void *arg)
{
	struct caller *c = arg;
	char b = 'b';
	door_arg_t a = { &b, 1, NULL, 0, c->rbuf, sizeof(c->rbuf) };

	errno = 0;
	c->ret = door_call(c->d, &a);
	c->err = errno;
	return NULL;
}

TEST(queued_call_withdrawn)
{
	struct timespec to = { 0, 50 * 1000 * 1000 };
	struct caller c = { 0 };
	char rbuf[16], x = 'x';
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE };
	door_arg_t a = { &x, 1, &desc, 1, rbuf, sizeof(rbuf) };
	pthread_t t;
	double t0, el;
	int efd;

	setup(_metadata);
	door_server_create(one_server_thread);
	c.d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, c.d);
	/* The only server thread is busy with c's call. */
	ASSERT_EQ(0, pthread_create(&t, NULL, block_caller, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	desc.d_data.d_desc.d_descriptor = efd;
	t0 = now_s();
	errno = 0;
	EXPECT_EQ(-1, door_call_timed(c.d, &a, &to));
	EXPECT_EQ(ETIMEDOUT, errno);
	el = now_s() - t0;
	EXPECT_LE(0.049, el);
	/* Not taken: the DOOR_RELEASE descriptor is still ours. */
	EXPECT_TRUE(fd_is_open(efd));
	EXPECT_EQ(1, atomic_load(&invocations));
	/* Only c's call is left. */
	EXPECT_EQ(1, wait_live_calls(1, 5000));
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, c.ret);
	/* The next call is served; the withdrawn one never was. */
	a = (door_arg_t){ &x, 1, NULL, 0, rbuf, sizeof(rbuf) };
	ASSERT_EQ(0, door_call_timed(c.d, &a, &(struct timespec){ 10, 0 }));
	EXPECT_STREQ("ok", a.data_ptr);
	EXPECT_EQ(2, atomic_load(&invocations));
	close(efd);
	EXPECT_EQ(0, door_revoke(c.d));
}

TEST(served_call_detached)
{
	struct timespec to = { 0, 100 * 1000 * 1000 };
	char rbuf[16], b = 'b', x = 'x';
	door_arg_t a = { &b, 1, NULL, 0, rbuf, sizeof(rbuf) };
	double t0, el;
	int d;

	setup(_metadata);
	door_server_create(one_server_thread);
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	/* Once served, the thread is idle again before its caller resumes. */
	a = (door_arg_t){ &x, 1, NULL, 0, rbuf, sizeof(rbuf) };
	ASSERT_EQ(0, door_call(d, &a));
	a = (door_arg_t){ &b, 1, NULL, 0, rbuf, sizeof(rbuf) };
	t0 = now_s();
	errno = 0;
	EXPECT_EQ(-1, door_call_timed(d, &a, &to));
	EXPECT_EQ(ETIMEDOUT, errno);
	el = now_s() - t0;
	EXPECT_LE(0.099, el);
	/* Taken before the deadline... */
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(0, detached_early);
	/* ...and not cancelled: it goes on and sees the caller gone. */
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 10000));
	EXPECT_EQ(1, atomic_load(&completed));
	EXPECT_EQ(1, detached_seen);
	EXPECT_EQ(EPIPE, reply_err);
	/* The one server thread serves the next call. */
	a = (door_arg_t){ &x, 1, NULL, 0, rbuf, sizeof(rbuf) };
	ASSERT_EQ(0, door_call(d, &a));
	EXPECT_STREQ("ok", a.data_ptr);
	EXPECT_EQ(0, wait_live_calls(0, 5000));
	EXPECT_EQ(0, door_revoke(d));
}

/* ---- A -> B -> C ------------------------------------------------------- */

static int door_c = -1;

static void c_proc(void *cookie, char *argp, size_t arg_size,
		   door_desc_t *dp, uint_t n_desc)
{
	door_desc_t d = { .d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE };
	int efd;

	(void)cookie; (void)argp; (void)arg_size; (void)dp; (void)n_desc;
	ev_post(ev_in);
	ev_wait(ev_go);
	efd = eventfd(0, EFD_CLOEXEC);
	d.d_data.d_desc.d_descriptor = efd;
	door_return("from C", 7, &d, efd < 0 ? 0 : 1);
}

static void b_proc(void *cookie, char *argp, size_t arg_size,
		   door_desc_t *dp, uint_t n_desc)
{
	char rbuf[64];
	door_arg_t a = { NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };
	door_desc_t fwd[1];
	int ok;

	(void)cookie; (void)argp; (void)arg_size; (void)dp; (void)n_desc;
	ok = door_call(door_c, &a) == 0 && a.data_size == 7 &&
	     !strcmp(a.data_ptr, "from C") && a.desc_num == 1;
	atomic_store(&c_result_ok, ok);
	atomic_store(&detached_seen, door_caller_detached());
	if (!ok) {
		ev_post(ev_done);
		door_return(NULL, 0, NULL, 0);
	}
	/* Hand C's results on; A has gone, so they are dropped. */
	fwd[0] = a.desc_ptr[0];
	fwd[0].d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE;
	ev_post(ev_done);
	door_return(a.data_ptr, a.data_size, fwd, 1);
}

TEST(nested_chain_detached)
{
	struct timespec to = { 0, 100 * 1000 * 1000 };
	char rbuf[16];
	door_arg_t a = { NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };
	long long calls0 = live_calls();
	int db, de, fds0;

	setup(_metadata);
	door_c = door_create(c_proc, NULL, 0);
	ASSERT_LE(0, door_c);
	db = door_create(b_proc, NULL, 0);
	ASSERT_LE(0, db);
	de = door_create(echo_proc, NULL, 0);
	ASSERT_LE(0, de);
	/* A server thread is idle once this returns, to take A's call. */
	ASSERT_EQ(0, door_call(de, &a));
	a = (door_arg_t){ NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };
	fds0 = count_fds();
	/* A: the main thread, with a deadline. */
	errno = 0;
	EXPECT_EQ(-1, door_call_timed(db, &a, &to));
	EXPECT_EQ(ETIMEDOUT, errno);
	/* C is serving B's nested call: it goes on. */
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 10000));
	EXPECT_EQ(1, c_result_ok);
	EXPECT_EQ(1, detached_seen);
	/* B's door_return dropped C's results and closed their descriptor. */
	EXPECT_EQ(fds0, wait_fds(fds0, 5000));
	EXPECT_EQ(calls0, wait_live_calls(calls0, 5000));
	EXPECT_EQ(0, door_revoke(db));
	EXPECT_EQ(0, door_revoke(de));
	EXPECT_EQ(0, door_revoke(door_c));
}

/* ---- timeouts ----------------------------------------------------------- */

/* The caller of timed_in_timens(), in its time namespace: its verdict. */
static int timens_caller(int d)
{
	struct timespec to = { 0, 200 * 1000 * 1000 };
	char rbuf[16], b = 'b';
	door_arg_t a = { &b, 1, NULL, 0, rbuf, sizeof(rbuf) };
	double t0, el;
	int r;

	t0 = now_s();
	errno = 0;
	r = door_call_timed(d, &a, &to);
	el = now_s() - t0;
	if (r == 0)
		return 2;
	if (errno != ETIMEDOUT)
		return 3;
	return el >= 0.19 && el < 2.5 ? 0 : 1;
}

/*
 * A caller in a new time namespace whose CLOCK_MONOTONIC is offset by
 * @offset_s (made by a child, which forks the caller into it): its 200 ms
 * timeout is 200 ms.  Returns the caller's verdict: 0 ETIMEDOUT after 0.19
 * to 2.5 s, 1 ETIMEDOUT too early or too late, 2 the call did not time out
 * (the server answered when released at 3 s), 3 other errors, -1 no time
 * namespace here.
 */
static int timed_in_timens(int d, int offset_s)
{
	int status = 0, released = 0;
	double t0;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		char line[64];
		int fd, n;
		pid_t c;

		if (unshare(CLONE_NEWTIME) != 0)
			_exit(4);
		fd = open("/proc/self/timens_offsets", O_WRONLY);
		if (fd < 0)
			_exit(4);
		n = snprintf(line, sizeof(line), "monotonic %d 0\n", offset_s);
		if (write(fd, line, (size_t)n) != n)
			_exit(4);
		close(fd);
		c = fork();
		if (c < 0)
			_exit(3);
		if (c == 0)
			_exit(timens_caller(d));
		if (waitpid(c, &status, 0) != c || !WIFEXITED(status))
			_exit(3);
		_exit(WEXITSTATUS(status));
	}
	/* Released at 3 s if the caller has not given up by then. */
	t0 = now_s();
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct timespec t = { 0, 5 * 1000 * 1000 };

		if (!released && now_s() - t0 > 3.0) {
			ev_post(ev_go);
			released = 1;
		}
		nanosleep(&t, NULL);
	}
	if (!WIFEXITED(status))
		return 3;
	if (WEXITSTATUS(status) == 4)
		return -1;
	/* The procedure took the call: let it finish before the next one. */
	if (ev_wait_ms(ev_in, 10000) != 0)
		return 3;
	if (!released)
		ev_post(ev_go);
	if (ev_wait_ms(ev_done, 10000) != 0)
		return 3;
	return WEXITSTATUS(status);
}

/* The deadline is on the caller's CLOCK_MONOTONIC, time namespace and all. */
TEST(deadline_in_time_namespace)
{
	int d, r, back;

	setup(_metadata);
	door_server_create(one_server_thread);
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	r = timed_in_timens(d, 10);
	if (r == -1)
		SKIP(return, "no time namespaces here");
	EXPECT_EQ(0, r);	/* ahead of the host's clock */
	/*
	 * Behind it: by up to 5 s, as far as the clock's value allows (a
	 * namespace's clock cannot go below 0: right after boot, wait for
	 * the host's to pass 2 s).
	 */
	while (now_s() < 2.0) {
		struct timespec t = { 0, 10 * 1000 * 1000 };

		nanosleep(&t, NULL);
	}
	back = (int)now_s() - 1;
	EXPECT_EQ(0, timed_in_timens(d, back > 5 ? -5 : -back));
	EXPECT_EQ(0, wait_live_calls(0, 5000));
	EXPECT_EQ(0, door_revoke(d));
}

TEST(timeout_values)
{
	char rbuf[16], x = 'x';
	door_arg_t a = { &x, 1, NULL, 0, rbuf, sizeof(rbuf) };
	int d;

	setup(_metadata);
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	/* NULL: as door_call. */
	ASSERT_EQ(0, door_call_timed(d, &a, NULL));
	EXPECT_STREQ("ok", a.data_ptr);
	/* Zero: at once, before anything is handed over. */
	errno = 0;
	EXPECT_EQ(-1, door_call_timed(d, &a, &(struct timespec){ 0, 0 }));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(1, atomic_load(&invocations));
	errno = 0;
	EXPECT_EQ(-1, door_call_timed(d, &a,
				      &(struct timespec){ 0, 1000000000L }));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, door_call_timed(d, &a, &(struct timespec){ -1, 0 }));
	EXPECT_EQ(EINVAL, errno);
	/* Huge: forever, in effect. */
	a = (door_arg_t){ &x, 1, NULL, 0, rbuf, sizeof(rbuf) };
	ASSERT_EQ(0, door_call_timed(d, &a,
				     &(struct timespec){ INT64_MAX, 999999999 }));
	EXPECT_STREQ("ok", a.data_ptr);
	/* Not a door. */
	errno = 0;
	EXPECT_EQ(-1, door_call_timed(0, &a, &(struct timespec){ 1, 0 }));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, door_revoke(d));
}

/*
 * A queued timed call whose caller is stopped is restarted when it
 * resumes; the restart keeps the absolute deadline.  The child calls with
 * 1 s and is stopped for 2 s: with the deadline kept its call ends about
 * 2 s after it began, with a new relative timeout about 3 s.
 */
TEST(stop_keeps_deadline)
{
	struct caller c = { 0 };
	struct timespec stop_for = { 2, 0 };
	char path[64];
	pthread_t t;
	int p[2], status;
	pid_t pid;
	double el = -1;

	setup(_metadata);
	door_server_create(one_server_thread);
	c.d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, c.d);
	ASSERT_EQ(0, pthread_create(&t, NULL, block_caller, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char rbuf[16], x = 'x';
		door_arg_t a = { &x, 1, NULL, 0, rbuf, sizeof(rbuf) };
		double t0 = now_s(), e;
		int r;

		r = door_call_timed(c.d, &a, &(struct timespec){ 1, 0 });
		e = now_s() - t0;
		CHILD_CHECK(10, r == -1 && errno == ETIMEDOUT);
		CHILD_CHECK(11, put_all(p[1], &e, sizeof(e)) == 0);
		_exit(0);
	}
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 10000 && blocked_syscall(path) != SYS_ioctl; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	ASSERT_EQ(SYS_ioctl, blocked_syscall(path));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 10000 && stat_state(path) != 'T'; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	ASSERT_EQ('T', stat_state(path));
	/* The length of the stop, past the deadline: not a guess. */
	nanosleep(&stop_for, NULL);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_EQ(0, get_all(p[0], &el, sizeof(el)));
	status = wait_child(pid, 20);
	EXPECT_EQ(0, child_exit_code(status));
	EXPECT_LE(1.9, el);
	EXPECT_GT(2.8, el);
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, c.ret);
	close(p[0]);
	EXPECT_EQ(0, door_revoke(c.d));
}

/* ---- no leak across 10,000 timed-out calls ------------------------------ */

/* Returns only once its caller has gone, with a descriptor in its results. */
static void spin_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	door_desc_t d = { .d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE };
	int efd;

	(void)cookie; (void)argp; (void)arg_size;
	atomic_fetch_add(&invocations, 1);
	for (uint_t i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	while (door_caller_detached() == 0)
		sched_yield();
	efd = eventfd(0, EFD_CLOEXEC);
	d.d_data.d_desc.d_descriptor = efd;
	door_return("dropped", 8, &d, efd < 0 ? 0 : 1);
}

#define N_TIMED		10000
#define ARG_SIZE	(20 * 1024)	/* pinned, not copied */

FIXTURE(many) {
	int unused;
};

FIXTURE_SETUP(many)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(many)
{
}

TEST_F_TIMEOUT(many, ten_thousand_timeouts, 180)
{
	long long calls0 = live_calls(), doors0 = live_doors();
	struct timespec to = { 0, 200 * 1000 };
	char *arg = malloc(ARG_SIZE), rbuf[16];
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR };
	int d, efd, fds0, bad = 0;

	ASSERT_NE(NULL, arg);
	ASSERT_LE(0, calls0);
	ASSERT_LE(0, doors0);
	fill_pat(arg, ARG_SIZE, 1);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	desc.d_data.d_desc.d_descriptor = efd;
	d = door_create(spin_proc, NULL, 0);
	ASSERT_LE(0, d);
	fds0 = count_fds();
	for (int i = 0; i < N_TIMED; i++) {
		door_arg_t a = { arg, ARG_SIZE, &desc, 1, rbuf, sizeof(rbuf) };

		errno = 0;
		if (door_call_timed(d, &a, &to) != -1 || errno != ETIMEDOUT)
			bad++;
	}
	EXPECT_EQ(0, bad);
	/* Those served were detached; the others were withdrawn. */
	TH_LOG("%d of %d timed-out calls were being served",
	       atomic_load(&invocations), N_TIMED);
	EXPECT_LT(0, atomic_load(&invocations));
	EXPECT_TRUE(fd_is_open(efd));
	EXPECT_EQ(calls0, wait_live_calls(calls0, 10000));
	EXPECT_EQ(fds0, wait_fds(fds0, 10000));
	EXPECT_EQ(0, door_revoke(d));
	close(efd);
	EXPECT_EQ(doors0, wait_live_doors(doors0, 10000));
	free(arg);
}

TEST_HARNESS_MAIN
