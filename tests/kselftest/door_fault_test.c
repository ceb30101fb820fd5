// SPDX-License-Identifier: GPL-2.0
/*
 * door_fault_test - signals and dying processes: a client interrupted
 * mid-call gets EINTR and is never restarted (whatever SA_RESTART says);
 * a call waiting for a server thread gets EAGAIN; a server process that is
 * killed or exits mid-call; fork; and no door or call is left behind.
 */
#include "door_test.h"

static atomic_int invocations;

/* ---- client interrupted by a signal ------------------------------------- */

static int ev_in = -1, ev_go = -1;

static void block_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&invocations, 1);
	ev_post(ev_in);
	ev_wait(ev_go);
	door_return(argp, arg_size, NULL, 0);
}

static volatile sig_atomic_t handled;

static void count_sig(int sig)
{
	handled++;
}

struct outcome {
	int ret, err, handled;
	long long ms;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * A child calls; once the server procedure runs, the parent sends `sig`
 * (handled with SA_RESTART).  The call must fail with EINTR, and not be
 * re-issued.
 */
static void signal_mid_call(struct __test_metadata *_metadata, int sig)
{
	struct outcome o;
	long long calls0 = -1;
	int d, p[2];
	pid_t pid;

	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	ASSERT_EQ(0, pipe(p));
	calls0 = live_calls();
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = count_sig,
					.sa_flags = SA_RESTART };
		uint64_t v = 1, r = 0;
		door_arg_t a = { (char *)&v, sizeof(v), NULL, 0,
				 (char *)&r, sizeof(r) };
		long long t0;

		close(p[0]);
		sigemptyset(&sa.sa_mask);
		CHILD_CHECK(10, sigaction(sig, &sa, NULL) == 0);
		t0 = now_ms();
		errno = 0;
		o.ret = door_call(d, &a);
		o.err = errno;
		o.handled = handled;
		o.ms = now_ms() - t0;
		CHILD_CHECK(11, put_all(p[1], &o, sizeof(o)) == 0);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("call never arrived");
	ASSERT_EQ(0, kill(pid, sig));
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)))
		TH_LOG("client not released by the signal");
	ASSERT_EQ(0, get_all(p[0], &o, sizeof(o)));
	EXPECT_EQ(-1, o.ret);
	EXPECT_EQ(EINTR, o.err) TH_LOG("errno %d (%s)", o.err, strerror(o.err));
	EXPECT_EQ(1, o.handled);
	/* Let the server finish: its results go nowhere. */
	ASSERT_EQ(0, ev_post(ev_go));
	EXPECT_EQ(1, atomic_load(&invocations)) TH_LOG("call was restarted");
	if (calls0 >= 0)
		EXPECT_EQ(calls0, wait_live_calls(calls0, 2000));
	/* The server still works. */
	ASSERT_EQ(0, ev_post(ev_go));	/* for the next call */
	hang_guard(20);
	EXPECT_EQ(0, door_call(d, NULL)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
}

TEST(sigusr1_mid_call_eintr_no_restart)
{
	signal_mid_call(_metadata, SIGUSR1);
}

TEST(sigalrm_mid_call_eintr_no_restart)
{
	signal_mid_call(_metadata, SIGALRM);
}

/* ---- no server thread at all --------------------------------------------- */

static void no_threads(door_info_t *dip)
{
	(void)dip;	/* never starts a server thread */
}

/*
 * The server process has no thread to serve: the call waits (it does not
 * fail), and a signal ends the wait with EAGAIN.
 */
TEST(eagain_signal_while_waiting_for_thread)
{
	struct outcome o;
	int d, p[2];
	pid_t pid;

	door_server_create(no_threads);
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = count_sig,
					.sa_flags = SA_RESTART };
		long long t0;

		close(p[0]);
		sigemptyset(&sa.sa_mask);
		CHILD_CHECK(10, sigaction(SIGALRM, &sa, NULL) == 0);
		alarm(1);	/* the interrupting signal */
		t0 = now_ms();
		errno = 0;
		o.ret = door_call(d, NULL);
		o.err = errno;
		o.handled = handled;
		o.ms = now_ms() - t0;
		CHILD_CHECK(11, put_all(p[1], &o, sizeof(o)) == 0);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, get_all(p[0], &o, sizeof(o)));
	EXPECT_EQ(-1, o.ret);
	EXPECT_EQ(EAGAIN, o.err) TH_LOG("errno %d (%s)", o.err, strerror(o.err));
	EXPECT_EQ(1, o.handled);
	EXPECT_LE(500, o.ms) TH_LOG("call failed after %lld ms instead of waiting",
				   o.ms);
	EXPECT_EQ(0, atomic_load(&invocations));
}

/* ---- the server process dies -------------------------------------------- */

static int fd_to_parent = -1;

static void die_proc(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	/* Tell the parent we are in the call, then wait to be killed. */
	if (write(fd_to_parent, "i", 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

/*
 * Fork a server that creates a door with `proc` and hands it to us over a
 * socket.  Returns the server's pid; *dp receives the door, *inp the read
 * end of the server's "in call" pipe.
 */
static pid_t spawn_server(door_server_procedure_t *proc, int *dp, int *inp,
			  int exit_after_send)
{
	int sv[2], in[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(in, O_CLOEXEC))
		return -1;
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int d;

		close(sv[0]);
		close(in[0]);
		fd_to_parent = in[1];
		d = door_create(proc, NULL, 0);
		CHILD_CHECK(10, d >= 0);
		CHILD_CHECK(11, send_fd(sv[1], d) == 0);
		if (exit_after_send)
			_exit(0);
		for (;;)
			pause();
	}
	close(sv[1]);
	close(in[1]);
	*dp = recv_fd(sv[0]);
	close(sv[0]);
	*inp = in[0];
	return pid;
}

struct client {
	int d, ret, err;
};

static void *client_thread(void *p)
{
	struct client *c = p;
	char buf[16];
	door_arg_t a = { "x", 1, NULL, 0, buf, sizeof(buf) };

	hang_guard(30);
	errno = 0;
	c->ret = door_call(c->d, &a);
	c->err = errno;
	hang_guard(0);
	return NULL;
}

/*
 * SIGKILL the server while it serves our call: the call fails with EINTR,
 * later calls with EBADF, door_info reports the server gone (-1), and the
 * door is freed once we close it.
 */
TEST(server_killed_mid_call)
{
	long long doors0 = live_doors(), calls0 = live_calls();
	struct client c = { 0 };
	door_info_t di;
	pthread_t th;
	int in, status;
	pid_t pid;
	char ch;

	ASSERT_LE(0, doors0);
	pid = spawn_server(die_proc, &c.d, &in, 0);
	ASSERT_LT(0, pid);
	ASSERT_LE(0, c.d);
	ASSERT_EQ(0, door_info(c.d, &di));
	EXPECT_EQ(pid, di.di_target);
	ASSERT_EQ(0, pthread_create(&th, NULL, client_thread, &c));
	ASSERT_EQ(1, read(in, &ch, 1)) TH_LOG("server never got the call");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	status = wait_child(pid, 20);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EINTR, c.err) TH_LOG("errno %d (%s)", c.err, strerror(c.err));

	errno = 0;
	EXPECT_EQ(-1, door_call(c.d, NULL));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, door_info(c.d, &di));
	EXPECT_EQ(-1, di.di_target);
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_REVOKED));
	EXPECT_FALSE(HAS(di.di_attributes, DOOR_LOCAL));

	ASSERT_EQ(0, close(c.d));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 2000));
	EXPECT_EQ(calls0, wait_live_calls(calls0, 2000));
}

/* A server that exits (no revoke, no close): EBADF and di_target -1. */
TEST(server_exits)
{
	long long doors0 = live_doors();
	door_info_t di;
	int d = -1, in;
	pid_t pid;

	ASSERT_LE(0, doors0);
	pid = spawn_server(die_proc, &d, &in, 1);
	ASSERT_LT(0, pid);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	hang_guard(20);
	errno = 0;
	EXPECT_EQ(-1, door_call(d, NULL));
	EXPECT_EQ(EBADF, errno);
	hang_guard(0);
	ASSERT_EQ(0, door_info(d, &di));
	EXPECT_EQ(-1, di.di_target);
	ASSERT_EQ(0, close(d));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 2000));
}

/* ---- fork ------------------------------------------------------------------ */

static void echo_count(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&invocations, 1);
	door_return(argp, arg_size, NULL, 0);
}

/*
 * After fork the child can call its parent's door, and create and serve
 * doors of its own; the parent's door keeps working.
 */
TEST(fork_child_calls_parent_and_serves_own)
{
	int d = door_create(echo_count, NULL, 0);
	pid_t parent = getpid(), pid;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL));	/* server threads exist */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t v = 99, r = 0;
		door_arg_t a = { (char *)&v, sizeof(v), NULL, 0,
				 (char *)&r, sizeof(r) };
		door_info_t di;
		int mine;

		CHILD_CHECK(10, door_call(d, &a) == 0 && r == 99);
		CHILD_CHECK(11, door_info(d, &di) == 0 && di.di_target == parent);
		mine = door_create(echo_count, NULL, 0);
		CHILD_CHECK(12, mine >= 0);
		CHILD_CHECK(13, door_info(mine, &di) == 0);
		CHILD_CHECK(14, di.di_target == getpid());
		CHILD_CHECK(15, di.di_attributes & DOOR_LOCAL);
		v = 7;
		a = (door_arg_t){ (char *)&v, sizeof(v), NULL, 0,
				  (char *)&r, sizeof(r) };
		CHILD_CHECK(16, door_call(mine, &a) == 0 && r == 7);
		CHILD_CHECK(17, atomic_load(&invocations) == 2);  /* own count */
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
	EXPECT_EQ(2, atomic_load(&invocations));
	EXPECT_EQ(0, door_call(d, NULL));
	EXPECT_EQ(3, atomic_load(&invocations));
}

/* ---- nothing left behind ------------------------------------------------- */

/*
 * Children create doors, call them, revoke some, leave the rest open and
 * exit (one is SIGKILLed while serving); we close ours.  Then the module
 * has exactly as many doors and calls as before.
 */
TEST(no_live_doors_left)
{
	long long doors0 = live_doors(), calls0 = live_calls();
	int mine[4], in, d = -1;
	pid_t pid[3], victim;
	struct client c = { 0 };
	pthread_t th;
	char ch;

	ASSERT_LE(0, doors0);
	ASSERT_LE(0, calls0);
	for (int i = 0; i < 3; i++) {
		pid[i] = fork_child();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			int ds[5];

			for (int k = 0; k < 5; k++) {
				ds[k] = door_create(echo_count, NULL,
						    k == 4 ? DOOR_UNREF : 0);
				CHILD_CHECK(10, ds[k] >= 0);
				CHILD_CHECK(11, door_call(ds[k], NULL) == 0);
			}
			CHILD_CHECK(12, door_revoke(ds[0]) == 0);
			CHILD_CHECK(13, dup(ds[1]) >= 0);
			_exit(0);	/* the rest stay open */
		}
	}
	for (int i = 0; i < 4; i++) {
		mine[i] = door_create(echo_count, NULL, 0);
		ASSERT_LE(0, mine[i]);
		ASSERT_EQ(0, door_call(mine[i], NULL));
	}
	victim = spawn_server(die_proc, &d, &in, 0);
	ASSERT_LT(0, victim);
	ASSERT_LE(0, d);
	c.d = d;
	ASSERT_EQ(0, pthread_create(&th, NULL, client_thread, &c));
	ASSERT_EQ(1, read(in, &ch, 1));
	ASSERT_EQ(0, kill(victim, SIGKILL));
	wait_child(victim, 20);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(EINTR, c.err);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(0, child_exit_code(wait_child(pid[i], 20)));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, close(mine[i]));
	ASSERT_EQ(0, close(d));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 3000));
	EXPECT_EQ(calls0, wait_live_calls(calls0, 3000));
}

TEST_HARNESS_MAIN
