// SPDX-License-Identifier: GPL-2.0
/*
 * door_return_test - door_return(3C): E2BIG when the caller passed no
 * params, what the client sees when a server procedure does not call
 * door_return or its thread exits (and that the thread then ends, as on
 * illumos), constant stack use across many calls, and results for a
 * client that has gone (dropped, DOOR_RELEASE closed).
 */
#include "door_test.h"

/* ---- E2BIG when the caller passed params == NULL -------------------- */

static atomic_int r_ret = 99, r_errno, r_after_failed_return;

static void e2big_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	char data[10] = "results!!";
	int ret = door_return(data, sizeof(data), NULL, 0);

	atomic_store(&r_errno, errno);
	atomic_store(&r_ret, ret);
	/* The client must still be waiting; this releases it. */
	atomic_store(&r_after_failed_return, 1);
	door_return(NULL, 0, NULL, 0);
}

TEST(e2big_when_caller_passed_null_params)
{
	int d = door_create(e2big_proc, NULL, 0);

	ASSERT_LE(0, d);
	hang_guard(20);
	ASSERT_EQ(0, door_call(d, NULL)) TH_LOG("door_call: %s", strerror(errno));
	hang_guard(0);
	EXPECT_EQ(-1, atomic_load(&r_ret));
	EXPECT_EQ(E2BIG, atomic_load(&r_errno));
	/* The failed door_return did not release the client. */
	EXPECT_EQ(1, atomic_load(&r_after_failed_return));
}

static void e2big_desc_proc(void *cookie, char *argp, size_t arg_size,
			    door_desc_t *dp, uint_t n_desc)
{
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR };
	int ret;

	desc.d_data.d_desc.d_descriptor = STDERR_FILENO;
	ret = door_return(NULL, 0, &desc, 1);
	atomic_store(&r_errno, errno);
	atomic_store(&r_ret, ret);
	atomic_store(&r_after_failed_return, 1);
	door_return(NULL, 0, NULL, 0);
}

/* Descriptors count as results too. */
TEST(e2big_descriptors_to_null_params)
{
	int d = door_create(e2big_desc_proc, NULL, 0);

	ASSERT_LE(0, d);
	hang_guard(20);
	ASSERT_EQ(0, door_call(d, NULL)) TH_LOG("door_call: %s", strerror(errno));
	hang_guard(0);
	EXPECT_EQ(-1, atomic_load(&r_ret));
	EXPECT_EQ(E2BIG, atomic_load(&r_errno));
	EXPECT_EQ(1, atomic_load(&r_after_failed_return));
	/* A non-released descriptor stays open in the server. */
	EXPECT_TRUE(fd_is_open(STDERR_FILENO));
}

/* ---- procedures that do not door_return ----------------------------- */

enum { MODE_ECHO, MODE_RETURN_PLAIN, MODE_THREAD_EXIT };
static atomic_int mode;
static atomic_int calls;

static void mode_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&calls, 1);
	switch (atomic_load(&mode)) {
	case MODE_RETURN_PLAIN:
		return;			/* no door_return */
	case MODE_THREAD_EXIT:
		pthread_exit(NULL);	/* the serving thread goes away */
	default:
		door_return(argp, arg_size, NULL, 0);
	}
}

static int echo_u64(int d, uint64_t v, uint64_t *out)
{
	door_arg_t a = { (char *)&v, sizeof(v), NULL, 0,
			 (char *)out, sizeof(*out) };

	return door_call(d, &a);
}

/* Returning from the procedure without door_return: the client gets EINTR. */
TEST(procedure_returns_without_door_return)
{
	uint64_t r = 0;
	int d = door_create(mode_proc, NULL, 0);

	ASSERT_LE(0, d);
	hang_guard(20);
	atomic_store(&mode, MODE_RETURN_PLAIN);
	errno = 0;
	EXPECT_EQ(-1, echo_u64(d, 1, &r));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(1, atomic_load(&calls));

	/* Again: the pool goes on (that thread ended), fails the same way. */
	errno = 0;
	EXPECT_EQ(-1, echo_u64(d, 2, &r));
	EXPECT_EQ(EINTR, errno);

	/* And ordinary calls still work afterwards. */
	atomic_store(&mode, MODE_ECHO);
	for (uint64_t i = 0; i < 10; i++) {
		ASSERT_EQ(0, echo_u64(d, 100 + i, &r)) TH_LOG("%s", strerror(errno));
		ASSERT_EQ(100 + i, r);
	}
	hang_guard(0);
	EXPECT_EQ(12, atomic_load(&calls));
}

/* The serving thread exits mid-call: the client gets EINTR. */
TEST(server_thread_exits_mid_call)
{
	uint64_t r = 0;
	int d = door_create(mode_proc, NULL, 0);

	ASSERT_LE(0, d);
	hang_guard(20);
	atomic_store(&mode, MODE_THREAD_EXIT);
	for (int i = 0; i < 3; i++) {
		errno = 0;
		EXPECT_EQ(-1, echo_u64(d, 1, &r));
		EXPECT_EQ(EINTR, errno);
	}
	atomic_store(&mode, MODE_ECHO);
	ASSERT_EQ(0, echo_u64(d, 7, &r)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(7U, r);
	hang_guard(0);
	EXPECT_EQ(4, atomic_load(&calls));
}

/*
 * A procedure that returns without door_return ends its thread, as on
 * illumos (nscd counts its threads that way): the client gets EINTR, the
 * thread's thread-specific data destructors run, and the thread is gone;
 * the pool goes on with the thread the depletion callback started.
 */
static pthread_key_t ret_key;
static int ev_destructed = -1;
static atomic_int ret_tid, destructed_tid;

static void ret_destructor(void *v)
{
	atomic_store(&destructed_tid, (int)(intptr_t)v);
	ev_post(ev_destructed);
}

static void ret_proc(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	int tid = gettid();

	atomic_store(&ret_tid, tid);
	pthread_setspecific(ret_key, (void *)(intptr_t)tid);
	if (argp && arg_size == 1 && argp[0] == 'r')
		return;			/* ends the thread */
	door_return(NULL, 0, NULL, 0);
}

/* Does thread tid of this process still exist? */
static int thread_alive(int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	return access(path, F_OK) == 0;
}

TEST(procedure_return_ends_thread)
{
	door_arg_t a = { "r", 1, NULL, 0, NULL, 0 };
	int d, tid, i;

	ev_destructed = ev_new();
	ASSERT_LE(0, ev_destructed);
	ASSERT_EQ(0, pthread_key_create(&ret_key, ret_destructor));
	d = door_create(ret_proc, NULL, 0);
	ASSERT_LE(0, d);
	hang_guard(20);
	errno = 0;
	EXPECT_EQ(-1, door_call(d, &a));
	EXPECT_EQ(EINTR, errno);
	hang_guard(0);
	tid = atomic_load(&ret_tid);
	ASSERT_NE(0, tid);

	/* Its thread-specific data destructor ran, on that thread. */
	ASSERT_EQ(0, ev_wait_ms(ev_destructed, 10000));
	EXPECT_EQ(tid, atomic_load(&destructed_tid));

	/* And the thread is gone (it goes on from its destructors). */
	for (i = 0; i < 10000 && thread_alive(tid); i++)
		usleep(1000);
	EXPECT_FALSE(thread_alive(tid));

	/* Another thread serves the next call. */
	a.data_ptr = "x";
	hang_guard(20);
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
	EXPECT_NE(tid, atomic_load(&ret_tid));
}

/* ---- stack use ------------------------------------------------------- */

struct frame_report {
	uint64_t thread;	/* pthread_self() of the serving thread */
	uint64_t local;		/* address of a local of the procedure */
};

static void __attribute__((noinline)) frame_proc(void *cookie, char *argp,
						 size_t arg_size,
						 door_desc_t *dp, uint_t n_desc)
{
	volatile char local = 0;
	struct frame_report rep = {
		.thread = (uint64_t)pthread_self(),
		.local = (uint64_t)(uintptr_t)&local,
	};

	door_return((char *)&rep, sizeof(rep), NULL, 0);
}

/*
 * door_return does not return: the next invocation starts afresh at the
 * base of the server thread's stack.  Over 3,000 calls the address of a
 * local in the procedure, per serving thread, must stay put (a stack that
 * grew by even 16 bytes a call would move it by 48 KB, far beyond the
 * 4 KiB allowed).  3,000 rather than more so that the test fits the
 * harness's 30 s limit under TCG on a loaded host.
 */
TEST(stack_does_not_grow)
{
	enum { CALLS = 3000, MAXT = 16 };
	struct { uint64_t thread, lo, hi, n; } t[MAXT];
	int nt = 0;
	int d = door_create(frame_proc, NULL, 0);

	ASSERT_LE(0, d);
	memset(t, 0, sizeof(t));
	for (int i = 0; i < CALLS; i++) {
		struct frame_report rep;
		door_arg_t a = { NULL, 0, NULL, 0, (char *)&rep, sizeof(rep) };
		int k;

		ASSERT_EQ(0, door_call(d, &a)) TH_LOG("call %d: %s", i,
						      strerror(errno));
		ASSERT_EQ(sizeof(rep), a.data_size);
		for (k = 0; k < nt; k++)
			if (t[k].thread == rep.thread)
				break;
		if (k == nt) {
			ASSERT_LT(nt, MAXT) TH_LOG("too many server threads");
			t[nt].thread = rep.thread;
			t[nt].lo = t[nt].hi = rep.local;
			nt++;
		}
		if (rep.local < t[k].lo)
			t[k].lo = rep.local;
		if (rep.local > t[k].hi)
			t[k].hi = rep.local;
		t[k].n++;
	}
	for (int k = 0; k < nt; k++) {
		TH_LOG("server thread %d: %llu calls, local at %#llx..%#llx", k,
		       (unsigned long long)t[k].n, (unsigned long long)t[k].lo,
		       (unsigned long long)t[k].hi);
		EXPECT_GE(4096U, t[k].hi - t[k].lo)
			TH_LOG("stack of server thread %d moved by %llu bytes",
			       k, (unsigned long long)(t[k].hi - t[k].lo));
	}
}

/* ---- the client has gone --------------------------------------------- */

static int ev_in = -1, ev_go = -1, ev_ready = -1;
static atomic_int gone_read_fd = -1, gone_write_fd = -1;
static atomic_int gone_ret = 99;

static void gone_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE };
	int p[2];

	if (atomic_load(&mode) == MODE_ECHO) {
		door_return(argp, arg_size, NULL, 0);
		return;
	}
	ev_post(ev_in);
	ev_wait(ev_go);			/* the client is dead by now */
	if (pipe2(p, O_CLOEXEC) != 0) {
		door_return(NULL, 0, NULL, 0);
		return;
	}
	atomic_store(&gone_read_fd, p[0]);
	atomic_store(&gone_write_fd, p[1]);
	desc.d_data.d_desc.d_descriptor = p[1];
	ev_post(ev_ready);
	door_return("late", 4, &desc, 1);
	/* Only on failure: */
	atomic_store(&gone_ret, errno);
	close(p[1]);
	door_return(NULL, 0, NULL, 0);
}

/*
 * The client is SIGKILLed while the server works.  The server's door_return
 * then has nobody to return to: it must not fail, its DOOR_RELEASE
 * descriptor must be closed (the pipe's reader sees EOF), and the server
 * thread goes back to serve the next call.
 */
TEST(results_dropped_when_client_gone)
{
	int d, status, rfd, e;
	uint64_t r = 0;
	char c;
	ssize_t n;
	pid_t pid;

	ev_in = ev_new();
	ev_go = ev_new();
	ev_ready = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	ASSERT_LE(0, ev_ready);
	atomic_store(&mode, MODE_RETURN_PLAIN);	/* i.e. "block" in gone_proc */
	d = door_create(gone_proc, NULL, DOOR_NO_CANCEL);
	ASSERT_LE(0, d);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[64];
		door_arg_t a = { "hello", 5, NULL, 0, buf, sizeof(buf) };

		door_call(d, &a);
		_exit(3);	/* never: we are killed mid-call */
	}
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("server never invoked");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	status = wait_child(pid, 20);
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, ev_wait_ms(ev_ready, 20000));
	rfd = atomic_load(&gone_read_fd);
	ASSERT_LE(0, rfd);

	/*
	 * EOF once the server's write end was released by door_return
	 * (closing the descriptor is not enough: the open file must go).
	 */
	hang_guard(20);
	n = read(rfd, &c, 1);
	e = errno;
	hang_guard(0);
	EXPECT_EQ(0, n) TH_LOG("read: %zd (%s): DOOR_RELEASE descriptor of "
			      "dropped results not released (fd %d %s)", n,
			      n < 0 ? strerror(e) : "data",
			      atomic_load(&gone_write_fd),
			      fd_is_open(atomic_load(&gone_write_fd)) ?
			      "still open" : "closed, file still referenced");
	EXPECT_EQ(99, atomic_load(&gone_ret))
		TH_LOG("door_return to a dead client failed: %s",
		       strerror(atomic_load(&gone_ret)));

	/* The server goes on serving. */
	atomic_store(&mode, MODE_ECHO);
	hang_guard(20);
	ASSERT_EQ(0, echo_u64(d, 5, &r)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
	EXPECT_EQ(5U, r);
}

TEST_HARNESS_MAIN
