// SPDX-License-Identifier: GPL-2.0
/*
 * door_cancel_test - the server side of an interrupted call, and fork:
 *  - a client interrupted by a signal (or killed) while its call is being
 *    served makes the server thread's invocation cancelled (pthread
 *    cancellation): a procedure that enabled cancellation is cancelled at
 *    its cancellation point (read(), pause(), or a later
 *    pthread_testcancel() - deferred, never asynchronous) and its cleanup
 *    handlers run;
 *  - with DOOR_NO_CANCEL it is not: the procedure completes, its results
 *    are dropped, and the same thread goes on serving;
 *  - a cancellation signal that arrives late, for a previous invocation,
 *    does not cancel the thread's next invocation;
 *  - the cancellation signal: SIGRTMAX by default, $LIBDOOR_CANCEL_SIGNAL
 *    selects another or none, and a program that handles SIGRTMAX itself
 *    keeps it (no cancellation then);
 *  - fork: a thread bound to a private pool in the parent gets EINVAL from
 *    door_return in the child, cannot bind to the parent's door there, and
 *    the child can still call the parent's private door.
 * That door_call itself is never restarted after a signal is tested in
 * door_fault_test.
 */
#include <sys/syscall.h>
#include "door_test.h"

/* ---- the server procedure ------------------------------------------------ */

enum mode {
	M_READ = 1,	/* block in read() of a pipe nobody writes */
	M_PAUSE,	/* block in pause() */
	M_SPIN,		/* spin (no cancellation point) until released */
	M_HOLD,		/* hold the cancel signal blocked; wait for ev_go */
	M_CHECK,	/* unblock it, enable cancellation, testcancel */
	M_TID,		/* return the serving thread's tid */
};

static int ev_in = -1, ev_go = -1, ev_cleanup = -1, ev_done = -1;
static int block_pipe[2] = { -1, -1 };
static atomic_int cleanups, completed, reached_testcancel, release;
static atomic_int served_tid;

/* What the M_HOLD/M_CHECK invocations saw of the cancellation signal. */
static atomic_int pending_in_hold, pending_in_check, pending_after_unblock;

static int cancel_signal(void)
{
	const char *env = getenv("LIBDOOR_CANCEL_SIGNAL");

	return env && *env ? atoi(env) : SIGRTMAX;
}

static int sig_pending(int sig)
{
	sigset_t set;

	return sigpending(&set) == 0 && sigismember(&set, sig) == 1;
}

/* Whether the cancellation signal was blocked while cleanup handlers ran. */
static atomic_int blocked_in_cleanup = -1;

static void note_cleanup(void *arg)
{
	sigset_t cur;

	(void)arg;
	if (pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0)
		atomic_store(&blocked_in_cleanup,
			     sigismember(&cur, cancel_signal()) == 1);
	atomic_fetch_add(&cleanups, 1);
	ev_post(ev_cleanup);
}

/*
 * The procedure blocks as its mode says, with cancellation enabled (the
 * default server threads run with it disabled, as on Solaris).  If it gets
 * past the block, it counts `completed` and returns "done".
 */
static void cancel_proc(void *cookie, char *argp, size_t arg_size,
			door_desc_t *dp, uint_t n_desc)
{
	int mode = arg_size ? argp[0] : 0, old, tid = (int)gettid();
	sigset_t set;
	char c;

	atomic_store(&served_tid, tid);
	if (mode == M_TID) {
		door_return((char *)&tid, sizeof(tid), NULL, 0);
		return;
	}
	sigemptyset(&set);
	sigaddset(&set, cancel_signal());
	if (mode == M_HOLD) {
		/* Cancellation stays disabled; the signal stays pending. */
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		ev_post(ev_in);
		ev_wait(ev_go);
		atomic_store(&pending_in_hold, sig_pending(cancel_signal()));
		door_return(NULL, 0, NULL, 0);
		return;
	}

	/*
	 * Tell the test we are in, before enabling cancellation: ev_post's
	 * write() is a cancellation point too, and the cancellation must
	 * happen at the one the mode says.
	 */
	if (mode != M_CHECK)
		ev_post(ev_in);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	pthread_cleanup_push(note_cleanup, NULL);
	switch (mode) {
	case M_READ:
		if (read(block_pipe[0], &c, 1) != 1)
			break;
		break;
	case M_PAUSE:
		pause();
		break;
	case M_SPIN:
		while (!atomic_load(&release))
			sched_yield();	/* a system call, not a cancellation point */
		/*
		 * The signal was sent before `release` was set, so it is
		 * handled on the way out of this call at the latest.
		 */
		sched_yield();
		atomic_store(&reached_testcancel, 1);
		pthread_testcancel();
		break;
	case M_CHECK:
		atomic_store(&pending_in_check, sig_pending(cancel_signal()));
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);	/* handler runs */
		atomic_store(&pending_after_unblock, sig_pending(cancel_signal()));
		pthread_testcancel();
		break;
	}
	atomic_fetch_add(&completed, 1);
	pthread_cleanup_pop(0);
	pthread_setcancelstate(old, NULL);
	ev_post(ev_done);
	door_return("done", 5, NULL, 0);
}

/* ---- thread creation ----------------------------------------------------- */

static atomic_int threads_asked, threads_made;

static void *one_thread_main(void *arg)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	door_return(NULL, 0, NULL, 0);
	return arg;
}

/* A pool of exactly one server thread: never grows on depletion. */
static void one_thread(door_info_t *dip)
{
	pthread_t t;

	(void)dip;
	if (atomic_fetch_add(&threads_asked, 1) != 0)
		return;
	if (pthread_create(&t, NULL, one_thread_main, NULL) == 0) {
		atomic_fetch_add(&threads_made, 1);
		pthread_detach(t);
	}
}

/* ---- the client ------------------------------------------------------------ */

static void count_sig(int sig)
{
	(void)sig;
}

struct outcome {
	int ret, err;
};

/*
 * Fork a client that calls d with a one-byte argument `mode` (SIGUSR1
 * handled, without SA_RESTART); returns its pid.  Its outcome comes
 * through *outp (read end).
 */
static pid_t spawn_client(int d, char mode, int *outp)
{
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
	struct sigaction sa = { .sa_handler = count_sig };
	char rbuf[16];
	door_arg_t a = { &mode, 1, NULL, 0, rbuf, sizeof(rbuf) };
	struct outcome o;

	close(p[0]);
	sigemptyset(&sa.sa_mask);
	CHILD_CHECK(80, sigaction(SIGUSR1, &sa, NULL) == 0);
	errno = 0;
	o.ret = door_call(d, &a);
	o.err = errno;
	CHILD_CHECK(81, put_all(p[1], &o, sizeof(o)) == 0);
	_exit(0);
}

static void setup(struct __test_metadata *_metadata)
{
	ev_in = ev_new();
	ev_go = ev_new();
	ev_cleanup = ev_new();
	ev_done = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	ASSERT_LE(0, ev_cleanup);
	ASSERT_LE(0, ev_done);
	ASSERT_EQ(0, pipe2(block_pipe, O_CLOEXEC));
}

/* libdoor took the cancellation signal (a handler with SA_SIGINFO). */
static int libdoor_has_signal(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && (sa.sa_flags & SA_SIGINFO) &&
	       sa.sa_sigaction != NULL;
}

/*
 * Wait until server thread tid sleeps in system call nr (or nr2), as
 * /proc/self/task/TID/syscall shows: then a signal finds it blocked there.
 * 0 when it does, -1 after 10 s.
 */
static int wait_blocked_in(int tid, long nr, long nr2)
{
	struct timespec ms = { 0, 1000 * 1000 };
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	for (int i = 0; i < 10000; i++) {
		long v = blocked_syscall(path);

		if (v == nr || v == nr2)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/*
 * The client (a child) calls; once the procedure blocks, it is interrupted
 * with `sig` (SIGUSR1: handled, the call returns EINTR; SIGKILL: the
 * client dies).  Returns with the client reaped and its outcome checked.
 */
static void interrupt_client(struct __test_metadata *_metadata, int d,
			     char mode, int sig)
{
	struct outcome o;
	int out, status;
	pid_t pid;

	pid = spawn_client(d, mode, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	/* Interrupt it while the procedure sleeps in its blocking call. */
	if (mode == M_READ)
		ASSERT_EQ(0, wait_blocked_in(atomic_load(&served_tid), SYS_read, -1));
	if (mode == M_PAUSE)
		ASSERT_EQ(0, wait_blocked_in(atomic_load(&served_tid), SYS_pause,
					     SYS_rt_sigsuspend));
	ASSERT_EQ(0, kill(pid, sig));
	status = wait_child(pid, 20);
	if (sig == SIGKILL) {
		ASSERT_TRUE(status != -1 && WIFSIGNALED(status));
		close(out);
		return;
	}
	ASSERT_EQ(0, child_exit_code(status)) TH_LOG("client not released");
	ASSERT_EQ(0, get_all(out, &o, sizeof(o)));
	close(out);
	EXPECT_EQ(-1, o.ret);
	EXPECT_EQ(EINTR, o.err) TH_LOG("%s", strerror(o.err));
}

/* ---- cancellation ------------------------------------------------------------ */

/*
 * The procedure blocks in `mode`; the client is interrupted by `sig`.  The
 * procedure must be cancelled: its cleanup handler runs, it never gets
 * past the block, no call is left in the module, and the door still
 * serves (the default pool grew on depletion before the procedure ran).
 */
static void cancelled_case(struct __test_metadata *_metadata, char mode,
			   int sig)
{
	long long calls0 = live_calls();
	char m = M_TID, rbuf[16];
	door_arg_t a = { &m, 1, NULL, 0, rbuf, sizeof(rbuf) };
	int d, tid;

	setup(_metadata);
	d = door_create(cancel_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_TRUE(libdoor_has_signal(SIGRTMAX))
		TH_LOG("libdoor registered no cancellation signal");
	interrupt_client(_metadata, d, mode, sig);
	ASSERT_EQ(0, ev_wait_ms(ev_cleanup, 10000))
		TH_LOG("the server procedure was not cancelled");
	EXPECT_EQ(1, atomic_load(&cleanups));
	EXPECT_EQ(0, atomic_load(&completed));
	tid = atomic_load(&served_tid);
	EXPECT_EQ(calls0, wait_live_calls(calls0, 5000));

	/* Another thread serves the next call. */
	hang_guard(20);
	EXPECT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
	EXPECT_NE(tid, atomic_load(&served_tid));
}

TEST(cancelled_in_read_when_client_interrupted)
{
	cancelled_case(_metadata, M_READ, SIGUSR1);
}

TEST(cancelled_in_pause_when_client_interrupted)
{
	cancelled_case(_metadata, M_PAUSE, SIGUSR1);
}

TEST(cancelled_when_client_killed)
{
	cancelled_case(_metadata, M_READ, SIGKILL);
}

/*
 * The cleanup handlers of a cancelled procedure run with the thread's own
 * signal mask.  A thread they start (say, a server thread to replace the
 * one being cancelled, as examples/daemon/doord.c does) inherits that mask:
 * if libdoor's cancellation signal were left blocked there, such threads
 * could never be cancelled.  (libdoor's handler runs with its signal
 * blocked and calls pthread_cancel(), which in a blocking call acts at
 * once, unwinding out of the handler without restoring the mask.)
 */
TEST(cleanup_handlers_run_with_cancel_signal_unblocked)
{
	int d;

	setup(_metadata);
	d = door_create(cancel_proc, NULL, 0);
	ASSERT_LE(0, d);
	interrupt_client(_metadata, d, M_READ, SIGUSR1);
	ASSERT_EQ(0, ev_wait_ms(ev_cleanup, 10000));
	EXPECT_EQ(0, atomic_load(&blocked_in_cleanup))
		TH_LOG("signal %d is blocked in the cleanup handler of a cancelled "
		       "procedure (libdoor cancel handler without SA_NODEFER?)",
		       cancel_signal());
}

/*
 * Deferred cancellation: a procedure that is not at a cancellation point
 * when its client goes away carries on until its next one
 * (pthread_testcancel), and is cancelled there.
 */
TEST(cancellation_deferred_to_next_cancellation_point)
{
	int d;

	setup(_metadata);
	d = door_create(cancel_proc, NULL, 0);
	ASSERT_LE(0, d);
	interrupt_client(_metadata, d, M_SPIN, SIGUSR1);
	EXPECT_EQ(0, atomic_load(&reached_testcancel))
		TH_LOG("the procedure was not spinning");
	atomic_store(&release, 1);
	ASSERT_EQ(0, ev_wait_ms(ev_cleanup, 10000))
		TH_LOG("not cancelled at pthread_testcancel");
	EXPECT_EQ(1, atomic_load(&reached_testcancel))
		TH_LOG("cancelled before its cancellation point");
	EXPECT_EQ(0, atomic_load(&completed));
}

/*
 * DOOR_NO_CANCEL: the client still gets EINTR, but the procedure is not
 * cancelled: once released it completes (its results go nowhere), and the
 * pool's only thread goes on serving.
 */
TEST(no_cancel_door_completes)
{
	char m = M_TID, rbuf[16];
	door_arg_t a = { &m, 1, NULL, 0, rbuf, sizeof(rbuf) };
	int d, tid;

	setup(_metadata);
	door_server_create(one_thread);
	d = door_create(cancel_proc, NULL, DOOR_NO_CANCEL);
	ASSERT_LE(0, d);
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_NO_CANCEL));
	interrupt_client(_metadata, d, M_READ, SIGUSR1);
	tid = atomic_load(&served_tid);
	/* Let the procedure out of its read(). */
	ASSERT_EQ(1, write(block_pipe[1], "x", 1));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 10000))
		TH_LOG("the procedure did not complete");
	EXPECT_EQ(1, atomic_load(&completed));
	EXPECT_EQ(0, atomic_load(&cleanups)) TH_LOG("cancelled despite DOOR_NO_CANCEL");

	/* The same, only, thread serves the next call. */
	hang_guard(20);
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
	EXPECT_EQ(tid, atomic_load(&served_tid));
	EXPECT_EQ(1, atomic_load(&threads_made));
	EXPECT_LE(2, atomic_load(&threads_asked))	/* creation + depletion */
		TH_LOG("the pool's only thread took calls without depletion callbacks");
}

/*
 * A cancellation signal for an earlier invocation, handled only while the
 * thread serves a later one, is ignored.  The pool has one thread; the
 * first invocation keeps the cancellation signal blocked, so when its
 * client is interrupted the signal stays pending past the end of that
 * invocation.  The next invocation unblocks it (the handler runs then)
 * with cancellation enabled and reaches a cancellation point: it must
 * complete normally.
 */
TEST(late_signal_does_not_cancel_next_invocation)
{
	char m = M_CHECK, rbuf[16];
	door_arg_t a = { &m, 1, NULL, 0, rbuf, sizeof(rbuf) };
	int d, tid;

	setup(_metadata);
	door_server_create(one_thread);
	d = door_create(cancel_proc, NULL, 0);
	ASSERT_LE(0, d);
	interrupt_client(_metadata, d, M_HOLD, SIGUSR1);
	tid = atomic_load(&served_tid);
	ASSERT_EQ(0, ev_post(ev_go));		/* end the first invocation */

	hang_guard(20);
	errno = 0;
	EXPECT_EQ(0, door_call(d, &a)) TH_LOG("second call: %s", strerror(errno));
	hang_guard(0);
	EXPECT_EQ(tid, atomic_load(&served_tid)) TH_LOG("not the same thread");
	EXPECT_EQ(1, atomic_load(&pending_in_hold))
		TH_LOG("no cancellation signal was sent for the first invocation");
	EXPECT_EQ(1, atomic_load(&pending_in_check));
	EXPECT_EQ(0, atomic_load(&pending_after_unblock));
	EXPECT_EQ(0, atomic_load(&cleanups))
		TH_LOG("the late signal cancelled the next invocation");
	EXPECT_EQ(1, atomic_load(&completed));
	EXPECT_STREQ("done", a.data_ptr);
}

/* ---- which signal ---------------------------------------------------------------- */

static atomic_int own_handler_calls;

static void own_handler(int sig)
{
	(void)sig;
	atomic_fetch_add(&own_handler_calls, 1);
}

/*
 * A program that handles SIGRTMAX itself keeps it: libdoor registers no
 * cancellation signal, so nothing is sent and the procedure completes.
 */
TEST(program_handling_sigrtmax_keeps_it)
{
	struct sigaction sa = { .sa_handler = own_handler };
	struct sigaction now;
	int d;

	setup(_metadata);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGRTMAX, &sa, NULL));
	d = door_create(cancel_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, sigaction(SIGRTMAX, NULL, &now));
	EXPECT_EQ((uintptr_t)own_handler, (uintptr_t)now.sa_handler)
		TH_LOG("libdoor replaced the program's handler");
	interrupt_client(_metadata, d, M_READ, SIGUSR1);
	ASSERT_EQ(1, write(block_pipe[1], "x", 1));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 10000));
	EXPECT_EQ(1, atomic_load(&completed));
	EXPECT_EQ(0, atomic_load(&cleanups));
	EXPECT_EQ(0, atomic_load(&own_handler_calls))
		TH_LOG("a signal reached the program's handler");
}

/* LIBDOOR_CANCEL_SIGNAL=0: no cancellation at all. */
TEST(env_zero_disables_cancellation)
{
	int d;

	setup(_metadata);
	ASSERT_EQ(0, setenv("LIBDOOR_CANCEL_SIGNAL", "0", 1));
	d = door_create(cancel_proc, NULL, 0);
	ASSERT_LE(0, d);
	EXPECT_FALSE(libdoor_has_signal(SIGRTMAX));
	interrupt_client(_metadata, d, M_READ, SIGUSR1);
	ASSERT_EQ(1, write(block_pipe[1], "x", 1));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 10000));
	EXPECT_EQ(1, atomic_load(&completed));
	EXPECT_EQ(0, atomic_load(&cleanups));
}

/* LIBDOOR_CANCEL_SIGNAL=N: that signal cancels; SIGRTMAX stays free. */
TEST(env_selects_signal)
{
	char num[16];
	int d, sig = SIGRTMIN + 3;

	setup(_metadata);
	snprintf(num, sizeof(num), "%d", sig);
	ASSERT_EQ(0, setenv("LIBDOOR_CANCEL_SIGNAL", num, 1));
	d = door_create(cancel_proc, NULL, 0);
	ASSERT_LE(0, d);
	EXPECT_TRUE(libdoor_has_signal(sig));
	EXPECT_FALSE(libdoor_has_signal(SIGRTMAX));
	interrupt_client(_metadata, d, M_PAUSE, SIGUSR1);
	ASSERT_EQ(0, ev_wait_ms(ev_cleanup, 10000))
		TH_LOG("not cancelled with signal %d", sig);
	EXPECT_EQ(0, atomic_load(&completed));
}

/* ---- fork and private pools --------------------------------------------------- */

static void no_threads(door_info_t *dip)
{
	(void)dip;
}

static int priv_door = -1;
static int ev_bound = -1;

/* The parent's private-pool server thread. */
static void *bound_server(void *arg)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	if (door_bind(priv_door) != 0)
		return NULL;
	ev_post(ev_bound);
	door_return(NULL, 0, NULL, 0);
	return arg;
}

static void pid_proc(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	pid_t me = getpid();

	door_return((char *)&me, sizeof(me), NULL, 0);
}

/*
 * The main thread is bound to a private pool of this process when it
 * forks.  In the child that binding belongs to the parent: door_return
 * fails with EINVAL (it does not wait), binding to the parent's door
 * fails with EINVAL, door_unbind drops the stale binding; the child can
 * call the parent's private door, served by the parent's bound thread.
 * The parent's own binding is unaffected.
 */
TEST(fork_child_of_bound_thread)
{
	pid_t r = 0;
	door_arg_t a = { NULL, 0, NULL, 0, (char *)&r, sizeof(r) };
	door_info_t di;
	pthread_t th;
	pid_t pid;

	ev_bound = ev_new();
	ASSERT_LE(0, ev_bound);
	door_server_create(no_threads);
	priv_door = door_create(pid_proc, NULL, DOOR_PRIVATE);
	ASSERT_LE(0, priv_door);
	ASSERT_EQ(0, pthread_create(&th, NULL, bound_server, NULL));
	pthread_detach(th);
	ASSERT_EQ(0, ev_wait_ms(ev_bound, 10000));
	ASSERT_EQ(0, door_bind(priv_door)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, door_info(DOOR_QUERY, &di));
	EXPECT_EQ(door_id(priv_door), di.di_uniquifier);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		alarm(20);	/* hang guard: a door_return that waits */
		errno = 0;
		CHILD_CHECK(10, door_return(NULL, 0, NULL, 0) == -1);
		CHILD_CHECK(11, errno == EINVAL);
		errno = 0;
		CHILD_CHECK(12, door_bind(priv_door) == -1 && errno == EINVAL);
		/* Still EINVAL: the failed bind did not replace the binding. */
		errno = 0;
		CHILD_CHECK(13, door_return(NULL, 0, NULL, 0) == -1 &&
				errno == EINVAL);
		CHILD_CHECK(14, door_unbind() == 0);
		errno = 0;
		CHILD_CHECK(15, door_unbind() == -1 && errno == EBADF);
		CHILD_CHECK(16, door_call(priv_door, &a) == 0);
		CHILD_CHECK(17, r == getppid());
		CHILD_CHECK(18, door_info(priv_door, &di) == 0);
		CHILD_CHECK(19, !(di.di_attributes & DOOR_LOCAL));
		_exit(0);
	}
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 30)));

	/* The parent's binding and its bound server are intact. */
	ASSERT_EQ(0, door_info(DOOR_QUERY, &di));
	EXPECT_EQ(door_id(priv_door), di.di_uniquifier);
	EXPECT_EQ(0, door_unbind()) TH_LOG("%s", strerror(errno));
	hang_guard(20);
	EXPECT_EQ(0, door_call(priv_door, &a));
	hang_guard(0);
	EXPECT_EQ(getpid(), r);
}

TEST_HARNESS_MAIN
