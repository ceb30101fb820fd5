// SPDX-License-Identifier: GPL-2.0
/*
 * door_reply_test - door_reply(3DOOR), a Linux extension:
 *  - the results of door_reply reach the caller, which stays blocked until
 *    the procedure's door_return, whose arguments are ignored; the server
 *    unmaps its result buffer between the two;
 *  - door_reply after the caller was interrupted fails with EPIPE and
 *    takes nothing (a DOOR_RELEASE descriptor stays open), and
 *    door_caller_detached() says 1 (0 while the caller waits);
 *  - a second door_reply in the same invocation fails with EINVAL, and the
 *    caller gets the first one's results;
 *  - DOOR_RELEASE descriptors of a door_reply are closed when it returns
 *    and the caller receives them;
 *  - door_reply's errors: outside an invocation EINVAL, results for
 *    door_call(d, NULL) E2BIG; the next invocation of the same thread can
 *    reply again.
 */
#include <sys/syscall.h>
#include "door_test.h"

enum mode {
	M_MAPPED = 1,	/* reply from a mapping, unmap it, then door_return */
	M_INTR,		/* wait for ev_go; then reply to a caller gone */
	M_DOUBLE,	/* reply twice */
	M_RELEASE,	/* reply with a DOOR_RELEASE descriptor */
	M_NORESULTS,	/* door_call(d, NULL): reply with data, then empty */
};

#define BIG	(3 * 4096 + 100)	/* more than the caller's buffer */

static int ev_in = -1, ev_go = -1, ev_done = -1;
static atomic_int reply_ret = 99, reply_err, reply2_ret = 99, reply2_err;
static atomic_int detached_before = 99, detached_after = 99;
static atomic_int unmapped, released_closed = -1, fd_still_open = -1;
static atomic_int pipe_rd = -1;

static void reply_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	int mode = arg_size ? argp[0] : M_NORESULTS;
	char *buf;
	int p[2];

	(void)cookie; (void)dp; (void)n_desc;
	atomic_store(&detached_before, door_caller_detached());
	switch (mode) {
	case M_MAPPED:
		buf = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			break;
		fill_pat(buf, BIG, 5);
		errno = 0;
		atomic_store(&reply_ret, door_reply(buf, BIG, NULL, 0));
		atomic_store(&reply_err, errno);
		/* The results are in the kernel: the buffer can go now. */
		atomic_store(&unmapped, munmap(buf, BIG) == 0);
		ev_post(ev_in);
		ev_wait(ev_go);
		/* Ignored: a door_return after door_reply only resumes. */
		door_return((char *)1, (size_t)1 << 40, (door_desc_t *)1, 5);
		return;
	case M_INTR:
		if (pipe2(p, O_CLOEXEC) != 0)
			break;
		ev_post(ev_in);
		ev_wait(ev_go);
		atomic_store(&detached_after, door_caller_detached());
		{
			door_desc_t d = {
				.d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE,
			};

			d.d_data.d_desc.d_descriptor = p[1];
			errno = 0;
			atomic_store(&reply_ret, door_reply("late", 5, &d, 1));
			atomic_store(&reply_err, errno);
		}
		/* Nothing taken: DOOR_RELEASE did not close it. */
		atomic_store(&fd_still_open, fd_is_open(p[1]));
		close(p[0]);
		close(p[1]);
		ev_post(ev_done);
		door_return(NULL, 0, NULL, 0);
		return;
	case M_DOUBLE:
		errno = 0;
		atomic_store(&reply_ret, door_reply("first", 6, NULL, 0));
		atomic_store(&reply_err, errno);
		errno = 0;
		atomic_store(&reply2_ret, door_reply("second!", 8, NULL, 0));
		atomic_store(&reply2_err, errno);
		door_return("third!!!", 9, NULL, 0);
		return;
	case M_RELEASE:
		if (pipe2(p, O_CLOEXEC) != 0)
			break;
		atomic_store(&pipe_rd, p[0]);
		{
			door_desc_t d = {
				.d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE,
			};

			d.d_data.d_desc.d_descriptor = p[1];
			errno = 0;
			atomic_store(&reply_ret, door_reply("fd", 3, &d, 1));
			atomic_store(&reply_err, errno);
		}
		atomic_store(&released_closed, !fd_is_open(p[1]));
		door_return(NULL, 0, NULL, 0);
		return;
	case M_NORESULTS:
		errno = 0;
		atomic_store(&reply_ret, door_reply("x", 1, NULL, 0));
		atomic_store(&reply_err, errno);
		errno = 0;
		atomic_store(&reply2_ret, door_reply(NULL, 0, NULL, 0));
		atomic_store(&reply2_err, errno);
		door_return(NULL, 0, NULL, 0);
		return;
	}
	door_return(NULL, 0, NULL, 0);
}

static void setup(struct __test_metadata *_metadata)
{
	ev_in = ev_new();
	ev_go = ev_new();
	ev_done = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	ASSERT_LE(0, ev_done);
}

struct caller {
	int d;
	char mode;
	int ret, err;
	pid_t tid;
	door_arg_t a;
	char rbuf[64];
	int done;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static void *caller_main(void *arg)
{
	struct caller *c = arg;
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	c->tid = (pid_t)gettid();
	c->a = (door_arg_t){ &c->mode, 1, NULL, 0, c->rbuf, sizeof(c->rbuf) };
	errno = 0;
	c->ret = door_call(c->d, &c->a);
	c->err = errno;
	__atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Wait until thread tid sleeps in system call nr: 0, or -1 after 10 s. */
static int wait_blocked_in(pid_t tid, long nr)
{
	struct timespec ms = { 0, 1000 * 1000 };
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	for (int i = 0; i < 10000; i++) {
		if (blocked_syscall(path) == nr)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

TEST(reply_then_return)
{
	struct caller c = { .mode = M_MAPPED };
	pthread_t t;

	setup(_metadata);
	c.d = door_create(reply_proc, NULL, 0);
	ASSERT_LE(0, c.d);
	ASSERT_EQ(0, pthread_create(&t, NULL, caller_main, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(0, reply_ret);
	EXPECT_EQ(1, unmapped);
	EXPECT_EQ(0, detached_before);
	/* Replied, buffer gone, and the caller is still blocked in its call. */
	ASSERT_EQ(0, wait_blocked_in(c.tid, SYS_ioctl));
	EXPECT_EQ(0, __atomic_load_n(&c.done, __ATOMIC_SEQ_CST));
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, c.ret);
	/* The reply's results, not door_return's (ignored). */
	ASSERT_EQ((size_t)BIG, c.a.data_size);
	EXPECT_EQ(0u, c.a.desc_num);
	EXPECT_NE((uintptr_t)c.rbuf, (uintptr_t)c.a.rbuf);	/* did not fit: a new mapping */
	EXPECT_EQ(-1, check_pat(c.a.data_ptr, BIG, 5));
	munmap(c.a.rbuf, c.a.rsize);
	EXPECT_EQ(0, door_revoke(c.d));
}

TEST(reply_after_caller_interrupted)
{
	struct caller c = { .mode = M_INTR };
	pthread_t t;

	setup(_metadata);
	c.d = door_create(reply_proc, NULL, 0);
	ASSERT_LE(0, c.d);
	ASSERT_EQ(0, pthread_create(&t, NULL, caller_main, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	ASSERT_EQ(0, wait_blocked_in(c.tid, SYS_ioctl));
	ASSERT_EQ(0, pthread_kill(t, SIGUSR1));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EINTR, c.err);
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, ev_wait_ms(ev_done, 10000));
	EXPECT_EQ(0, detached_before);
	EXPECT_EQ(1, detached_after);
	EXPECT_EQ(-1, reply_ret);
	EXPECT_EQ(EPIPE, reply_err);
	EXPECT_EQ(1, fd_still_open);
	EXPECT_EQ(0, wait_live_calls(0, 5000));
	EXPECT_EQ(0, door_revoke(c.d));
}

TEST(double_reply)
{
	char rbuf[64];
	char mode = M_DOUBLE;
	door_arg_t a = { &mode, 1, NULL, 0, rbuf, sizeof(rbuf) };
	int d;

	d = door_create(reply_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, &a));
	EXPECT_EQ(0, reply_ret);
	EXPECT_EQ(-1, reply2_ret);
	EXPECT_EQ(EINVAL, reply2_err);
	ASSERT_EQ(6u, a.data_size);
	EXPECT_STREQ("first", a.data_ptr);
	/* The same thread replies again in its next invocation. */
	atomic_store(&reply_ret, 99);
	a = (door_arg_t){ &mode, 1, NULL, 0, rbuf, sizeof(rbuf) };
	ASSERT_EQ(0, door_call(d, &a));
	EXPECT_EQ(0, reply_ret);
	EXPECT_STREQ("first", a.data_ptr);
	EXPECT_EQ(0, door_revoke(d));
}

TEST(reply_release_descriptor)
{
	char rbuf[64], mode = M_RELEASE, got = 0;
	door_arg_t a = { &mode, 1, NULL, 0, rbuf, sizeof(rbuf) };
	int d, wfd, rfd;

	d = door_create(reply_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, &a));
	EXPECT_EQ(0, reply_ret);
	EXPECT_EQ(1, released_closed);
	ASSERT_EQ(3u, a.data_size);
	EXPECT_STREQ("fd", a.data_ptr);
	ASSERT_EQ(1u, a.desc_num);
	EXPECT_EQ((door_attr_t)DOOR_DESCRIPTOR, a.desc_ptr[0].d_attributes);
	wfd = a.desc_ptr[0].d_data.d_desc.d_descriptor;
	rfd = atomic_load(&pipe_rd);
	/* The caller's descriptor is the pipe's write end, the only one. */
	ASSERT_EQ(1, write(wfd, "!", 1));
	ASSERT_EQ(1, read(rfd, &got, 1));
	EXPECT_EQ('!', got);
	close(wfd);
	EXPECT_EQ(0, read(rfd, &got, 1));	/* EOF: no other writer */
	close(rfd);
	EXPECT_EQ(0, door_revoke(d));
}

TEST(reply_errors)
{
	int d;

	/* No invocation served by this thread. */
	errno = 0;
	EXPECT_EQ(-1, door_reply("x", 1, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, door_caller_detached());
	EXPECT_EQ(EINVAL, errno);

	d = door_create(reply_proc, NULL, 0);
	ASSERT_LE(0, d);
	errno = 0;
	EXPECT_EQ(-1, door_reply("x", 1, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	/* door_call(d, NULL): no results allowed, an empty reply is. */
	ASSERT_EQ(0, door_call(d, NULL));
	EXPECT_EQ(-1, reply_ret);
	EXPECT_EQ(E2BIG, reply_err);
	EXPECT_EQ(0, reply2_ret);
	EXPECT_EQ(0, door_revoke(d));
}

TEST_HARNESS_MAIN
