// SPDX-License-Identifier: GPL-2.0
/*
 * door_depletion_test - door_depletion_fd(3), a Linux extension: the
 * descriptor of a pool polls readable (poll, epoll, io_uring) exactly while
 * calls wait in it with no idle thread, read() gives how many, it hangs up
 * when the pool ends, and while it is open libdoor's depletion callback is
 * off for that pool.
 *
 * Each test runs the pool with one server thread (a creation function that
 * starts exactly one), whose procedure blocks until the test lets it go:
 * the calls the test makes after the first one wait in the pool, and the
 * test knows at each step how many.
 */
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>

#include "door_test.h"

/* ---- the pool: one thread per creation, counted --------------------------- */

static atomic_int n_null;		/* creation function calls, NULL */
static atomic_int n_priv;		/* with a door_info_t */
static atomic_int null_budget = 1;	/* threads it starts for NULL */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int priv_fd = -1;		/* published after door_create */

static void *pool_thread(void *arg)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	door_return(NULL, 0, NULL, 0);
	return arg;
}

static void *priv_thread(void *arg)
{
	int fd;

	pthread_mutex_lock(&lock);
	while (priv_fd < 0)
		pthread_cond_wait(&cond, &lock);
	fd = priv_fd;
	pthread_mutex_unlock(&lock);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	if (door_bind(fd) == 0)
		door_return(NULL, 0, NULL, 0);
	return arg;
}

static void one_thread_create(door_info_t *dip)
{
	if (!dip) {
		if (atomic_fetch_add(&n_null, 1) < atomic_load(&null_budget))
			start_detached(pool_thread);
	} else if (atomic_fetch_add(&n_priv, 1) == 0) {
		start_detached(priv_thread);
	}
}

static void publish_priv(int fd)
{
	pthread_mutex_lock(&lock);
	priv_fd = fd;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

/* ---- a procedure that blocks until let go ---------------------------------- */

static int ev_in = -1, ev_go = -1;
static atomic_int blocking = 1;

static void block_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	long v = 0;

	(void)cookie; (void)dp; (void)n_desc;
	if (argp && arg_size == sizeof(v))
		memcpy(&v, argp, sizeof(v));
	if (atomic_load(&blocking)) {
		ev_post(ev_in);
		ev_wait(ev_go);
	}
	v = ~v;
	door_return((char *)&v, sizeof(v), NULL, 0);
}

struct client {
	pthread_t t;
	int d;
	long arg, res;
	int rc, err;
};

static void *client_main(void *p)
{
	struct client *c = p;
	door_arg_t a = { (char *)&c->arg, sizeof(c->arg), NULL, 0,
			 (char *)&c->res, sizeof(c->res) };

	c->rc = door_call(c->d, &a);
	c->err = errno;
	if (c->rc == 0 && a.data_ptr != (char *)&c->res &&
	    a.data_size == sizeof(c->res))
		memcpy(&c->res, a.data_ptr, sizeof(c->res));
	return NULL;
}

static void client_start(struct client *c, int d, long arg)
{
	c->d = d;
	c->arg = arg;
	c->res = 0;
	c->rc = -2;
	pthread_create(&c->t, NULL, client_main, c);
}

/* ---- helpers ------------------------------------------------------------------ */

/* poll() for POLLIN with a deadline: the revents, 0 on timeout. */
static short poll_in(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&pfd, 1, ms);
	} while (r < 0 && errno == EINTR);
	return r == 1 ? pfd.revents : 0;
}

/* read() of the count: the count, -1 with errno, or -2 at end of file. */
static long long read_count(int fd)
{
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));

	if (r == 0)
		return -2;
	if (r != sizeof(v))
		return -1;
	return (long long)v;
}

#define IDLE	"door_pool_idle_threads"
#define WAITING	"door_pool_waiting_calls"

static void setup_events(void)
{
	ev_in = ev_new();
	ev_go = ev_new();
}

/* ---- tests ------------------------------------------------------------------------ */

/*
 * poll: not readable with the thread idle or busy and nothing queued;
 * readable with POLLIN as soon as a call waits, read() gives 1, then 2;
 * not readable again once the thread has taken every waiting call.
 * Non-blocking read() of 0 is EAGAIN.
 */
TEST(process_pool_poll_readable_exactly_while_calls_wait)
{
	struct client c[3];
	int d, dfd, i;

	setup_events();
	door_server_create(one_thread_create);
	dfd = door_depletion_fd(-1, O_NONBLOCK);
	ASSERT_LE(0, dfd) TH_LOG("door_depletion_fd: %s", strerror(errno));
	EXPECT_EQ(FD_CLOEXEC, fcntl(dfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, poll_in(dfd, 0));
	EXPECT_EQ(-1, read_count(dfd));
	EXPECT_EQ(EAGAIN, errno);

	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));
	EXPECT_EQ(0, poll_in(dfd, 0));

	/* The only thread takes the first call: still nothing waits. */
	client_start(&c[0], d, 100);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(0, poll_in(dfd, 0));
	EXPECT_EQ(-1, read_count(dfd));
	EXPECT_EQ(EAGAIN, errno);

	/* A second call waits: readable, count 1. */
	client_start(&c[1], d, 101);
	EXPECT_EQ(POLLIN, poll_in(dfd, 10000));
	EXPECT_EQ(1, read_count(dfd));
	/* Reading consumes nothing. */
	EXPECT_EQ(POLLIN, poll_in(dfd, 0));
	EXPECT_EQ(1, read_count(dfd));

	client_start(&c[2], d, 102);
	ASSERT_EQ(2, wait_fdinfo(d, WAITING, 2, 10000));
	EXPECT_EQ(POLLIN, poll_in(dfd, 0));
	EXPECT_EQ(2, read_count(dfd));

	/* Let the first go: the thread takes the next; one still waits. */
	ev_post(ev_go);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(POLLIN, poll_in(dfd, 0));
	EXPECT_EQ(1, read_count(dfd));

	/* And the last: nothing waits any more. */
	ev_post(ev_go);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(0, poll_in(dfd, 0));
	EXPECT_EQ(-1, read_count(dfd));
	EXPECT_EQ(EAGAIN, errno);

	ev_post(ev_go);
	for (i = 0; i < 3; i++) {
		pthread_join(c[i].t, NULL);
		EXPECT_EQ(0, c[i].rc) TH_LOG("call %d: %s", i, strerror(c[i].err));
		EXPECT_EQ(~(100L + i), c[i].res);
	}
	/* The thread is idle again; still not readable. */
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));
	EXPECT_EQ(0, poll_in(dfd, 0));
	/* Armed: the creation function ran for the first door only. */
	EXPECT_EQ(1, atomic_load(&n_null));
	EXPECT_EQ(0, close(dfd));
	EXPECT_EQ(0, close(d));
}

/*
 * epoll, level- and edge-triggered: an event for each call left waiting,
 * none while only the thread is busy, none after the waiting calls were
 * taken.
 */
TEST(epoll_level_and_edge_triggered)
{
	struct epoll_event ev = { 0 }, out[2];
	struct client c[3];
	int d, dfd, lt, et, i;

	setup_events();
	door_server_create(one_thread_create);
	dfd = door_depletion_fd(-1, O_NONBLOCK);
	ASSERT_LE(0, dfd);
	lt = epoll_create1(EPOLL_CLOEXEC);
	et = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, lt);
	ASSERT_LE(0, et);
	ev.events = EPOLLIN;
	ASSERT_EQ(0, epoll_ctl(lt, EPOLL_CTL_ADD, dfd, &ev));
	ev.events = EPOLLIN | EPOLLET;
	ASSERT_EQ(0, epoll_ctl(et, EPOLL_CTL_ADD, dfd, &ev));

	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));
	EXPECT_EQ(0, epoll_wait(lt, out, 2, 0));
	EXPECT_EQ(0, epoll_wait(et, out, 2, 0));

	client_start(&c[0], d, 1);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(0, epoll_wait(lt, out, 2, 0));
	EXPECT_EQ(0, epoll_wait(et, out, 2, 0));

	client_start(&c[1], d, 2);
	ASSERT_EQ(1, epoll_wait(et, out, 2, 10000));
	EXPECT_EQ((uint32_t)EPOLLIN, out[0].events);
	EXPECT_EQ(1, read_count(dfd));
	/* Level: again and again; edge: not until something new waits. */
	ASSERT_EQ(1, epoll_wait(lt, out, 2, 0));
	EXPECT_EQ((uint32_t)EPOLLIN, out[0].events);
	ASSERT_EQ(1, epoll_wait(lt, out, 2, 0));
	EXPECT_EQ(0, epoll_wait(et, out, 2, 0));

	client_start(&c[2], d, 3);
	ASSERT_EQ(1, epoll_wait(et, out, 2, 10000));
	EXPECT_EQ((uint32_t)EPOLLIN, out[0].events);
	ASSERT_EQ(2, wait_fdinfo(d, WAITING, 2, 10000));
	EXPECT_EQ(2, read_count(dfd));

	for (i = 0; i < 2; i++) {
		ev_post(ev_go);
		ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	}
	/* Every waiting call taken: not readable, level or edge. */
	EXPECT_EQ(0, epoll_wait(lt, out, 2, 0));
	ev_post(ev_go);
	for (i = 0; i < 3; i++) {
		pthread_join(c[i].t, NULL);
		EXPECT_EQ(0, c[i].rc);
		EXPECT_EQ(~(1L + i), c[i].res);
	}
	EXPECT_EQ(0, epoll_wait(lt, out, 2, 0));
	EXPECT_EQ(1, atomic_load(&n_null));
	close(lt);
	close(et);
	close(dfd);
	close(d);
}

/*
 * Armed, the pool gets no depletion callback however often its last
 * thread is taken; closed, the callback is back.
 */
TEST(armed_pool_gets_no_depletion_callback)
{
	struct client c[2];
	int d, dfd, i;

	setup_events();
	door_server_create(one_thread_create);
	dfd = door_depletion_fd(-1, 0);
	ASSERT_LE(0, dfd);
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	EXPECT_EQ(1, atomic_load(&n_null));
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));

	/* The last idle thread taken, twice, and a call taken off the queue. */
	client_start(&c[0], d, 5);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	client_start(&c[1], d, 6);
	ASSERT_EQ(1, read_count(dfd));	/* blocking read: one waits */
	ev_post(ev_go);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	ev_post(ev_go);
	for (i = 0; i < 2; i++) {
		pthread_join(c[i].t, NULL);
		EXPECT_EQ(0, c[i].rc);
	}
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));
	/* The callback would have run in the serving thread before the proc. */
	EXPECT_EQ(1, atomic_load(&n_null));

	/* Closed: the next call that takes the last thread calls it. */
	EXPECT_EQ(0, close(dfd));
	atomic_store(&blocking, 0);
	client_start(&c[0], d, 7);
	pthread_join(c[0].t, NULL);
	EXPECT_EQ(0, c[0].rc);
	EXPECT_EQ(2, atomic_load(&n_null));

	/* And armed again (the pool may have one again), off again. */
	dfd = door_depletion_fd(-1, 0);
	ASSERT_LE(0, dfd);
	client_start(&c[0], d, 8);
	pthread_join(c[0].t, NULL);
	EXPECT_EQ(0, c[0].rc);
	EXPECT_EQ(2, atomic_load(&n_null));
	close(dfd);
	close(d);
}

/* A reader blocked in read() is woken by the first call left waiting. */
static int reader_fd = -1;
static long long reader_got;

static void *reader_main(void *arg)
{
	reader_got = read_count(reader_fd);
	return arg;
}

/*
 * A private door's pool: its own descriptor, apart from the process
 * pool's; a blocking read() returns when a call waits; revoking the door
 * hangs the descriptor up (POLLHUP, end of file) and fails the waiting
 * call with EBADF.
 */
TEST(private_pool_blocking_read_and_revoke)
{
	struct client c[2];
	pthread_t reader;
	int d, dfd, pfd;

	setup_events();
	door_server_create(one_thread_create);
	d = door_create(block_proc, NULL, DOOR_PRIVATE);
	ASSERT_LE(0, d);
	publish_priv(d);
	EXPECT_EQ(0, atomic_load(&n_null));
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));
	dfd = door_depletion_fd(d, 0);
	ASSERT_LE(0, dfd) TH_LOG("door_depletion_fd: %s", strerror(errno));
	pfd = door_depletion_fd(-1, O_NONBLOCK);
	ASSERT_LE(0, pfd);
	EXPECT_EQ((long long)door_id(d), fdinfo_get(dfd, "door_depletion_pool"));
	EXPECT_EQ(0, fdinfo_get(pfd, "door_depletion_pool"));

	client_start(&c[0], d, 10);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(0, poll_in(dfd, 0));

	reader_fd = dfd;
	reader_got = -3;
	pthread_create(&reader, NULL, reader_main, NULL);
	client_start(&c[1], d, 11);
	hang_guard(10);
	pthread_join(reader, NULL);
	hang_guard(0);
	EXPECT_EQ(1, reader_got);
	EXPECT_EQ(POLLIN, poll_in(dfd, 0));
	/* The process pool has nothing waiting. */
	EXPECT_EQ(0, poll_in(pfd, 0));

	/* Revoked: the waiting call fails, the descriptor hangs up. */
	ASSERT_EQ(0, door_revoke(d));
	pthread_join(c[1].t, NULL);
	EXPECT_EQ(-1, c[1].rc);
	EXPECT_EQ(EBADF, c[1].err);
	EXPECT_EQ(POLLHUP, poll_in(dfd, 10000));
	EXPECT_EQ(-2, read_count(dfd));
	EXPECT_EQ(0, poll_in(pfd, 0));
	/* The call being served still completes. */
	ev_post(ev_go);
	pthread_join(c[0].t, NULL);
	EXPECT_EQ(0, c[0].rc);
	EXPECT_EQ(~10L, c[0].res);
	/* A revoked door's pool gets no new descriptor. */
	close(dfd);
	EXPECT_EQ(-1, door_depletion_fd(d, 0));
	EXPECT_EQ(EBADF, errno);
	close(pfd);
}

/* Wait (1 ms steps, up to ms) until thread tid sleeps in read(). */
static int wait_blocked_in_read(pid_t tid, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	char sys[64], st[64];

	snprintf(sys, sizeof(sys), "/proc/self/task/%d/syscall", (int)tid);
	snprintf(st, sizeof(st), "/proc/self/task/%d/stat", (int)tid);
	while (ms-- > 0) {
		if (blocked_syscall(sys) == SYS_read && stat_state(st) == 'S')
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static _Atomic pid_t reader_tid;

static void *tid_reader_main(void *arg)
{
	atomic_store(&reader_tid, gettid());
	reader_got = read_count(reader_fd);
	return arg;
}

/*
 * A reader asleep in read() with nothing waiting is woken by the end of
 * the pool (revocation of the private door) and gets end of file.
 */
TEST(blocked_reader_woken_by_hangup)
{
	pthread_t reader;
	int d, dfd, i;

	door_server_create(one_thread_create);
	d = door_create(echo_proc, NULL, DOOR_PRIVATE);
	ASSERT_LE(0, d);
	publish_priv(d);
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));
	dfd = door_depletion_fd(d, 0);
	ASSERT_LE(0, dfd);

	reader_fd = dfd;
	reader_got = -3;
	pthread_create(&reader, NULL, tid_reader_main, NULL);
	for (i = 0; i < 10000 && !atomic_load(&reader_tid); i++)
		usleep(1000);
	ASSERT_NE(0, atomic_load(&reader_tid));
	ASSERT_EQ(0, wait_blocked_in_read(atomic_load(&reader_tid), 10000));
	EXPECT_EQ(-3, reader_got);

	ASSERT_EQ(0, door_revoke(d));
	hang_guard(10);
	pthread_join(reader, NULL);
	hang_guard(0);
	EXPECT_EQ(-2, reader_got);
	EXPECT_EQ(POLLHUP, poll_in(dfd, 0));
	close(dfd);
}

TEST(errors)
{
	struct door_ioc_depletion req = { .door = -1, .flags = 0x80 };
	int d, p, dfd, sv[2], ctl;
	uint64_t one = 1;
	char small[4];

	door_server_create(one_thread_create);
	d = door_create(echo_proc, NULL, 0);
	ASSERT_LE(0, d);
	p = door_create(echo_proc, NULL, DOOR_PRIVATE);
	ASSERT_LE(0, p);
	publish_priv(p);

	EXPECT_EQ(-1, door_depletion_fd(d, 0));		/* not private */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, door_depletion_fd(-1, O_RDWR));	/* bad flags */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, door_depletion_fd(-7, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, door_depletion_fd(INT_MAX, 0));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	EXPECT_EQ(-1, door_depletion_fd(sv[0], 0));	/* not a door */
	EXPECT_EQ(EBADF, errno);

	/* One per pool; free again once closed; pools are apart. */
	dfd = door_depletion_fd(-1, O_CLOEXEC);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(-1, door_depletion_fd(-1, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, close(dfd));
	dfd = door_depletion_fd(-1, 0);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(0, fcntl(dfd, F_GETFL) & O_NONBLOCK);
	close(dfd);
	dfd = door_depletion_fd(p, O_NONBLOCK);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(O_NONBLOCK, fcntl(dfd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-1, door_depletion_fd(p, 0));
	EXPECT_EQ(EBUSY, errno);

	/* A short read, a write. */
	EXPECT_EQ(-1, read(dfd, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(dfd, &one, sizeof(one)));
	EXPECT_EQ(EBADF, errno);
	close(dfd);

	/* The raw ioctl: unknown flags, a door of another server side. */
	ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ctl);
	EXPECT_EQ(-1, ioctl(ctl, DOOR_IOC_DEPLETION_FD, &req));
	EXPECT_EQ(EINVAL, errno);
	/* This control file's process pool is its own. */
	req.flags = 0;
	dfd = ioctl(ctl, DOOR_IOC_DEPLETION_FD, &req);
	EXPECT_LE(0, dfd);
	/* A private door of another server side (libdoor's). */
	req.door = p;
	EXPECT_EQ(-1, ioctl(ctl, DOOR_IOC_DEPLETION_FD, &req));
	EXPECT_EQ(EPERM, errno);
	close(dfd);
	close(ctl);
	close(sv[0]);
	close(sv[1]);
	close(p);
	close(d);
}

static void priv_child(int sock)
{
	int p;

	door_server_create(one_thread_create);
	p = door_create(echo_proc, NULL, DOOR_PRIVATE);
	CHILD_CHECK(2, p >= 0);
	publish_priv(p);
	CHILD_CHECK(3, send_fd(sock, p) == 0);
	/* Wait for the parent to be done. */
	CHILD_CHECK(4, read(sock, &p, 1) == 0);
	_exit(0);
}

/* Only the door's server process gets its pool's descriptor. */
TEST(private_door_of_another_process)
{
	int sv[2], p, status;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		priv_child(sv[1]);
	}
	close(sv[1]);
	p = recv_fd(sv[0]);
	ASSERT_LE(0, p);
	EXPECT_EQ(-1, door_depletion_fd(p, 0));
	EXPECT_EQ(EPERM, errno);
	close(sv[0]);
	status = wait_child(pid, 20);
	EXPECT_EQ(0, child_exit_code(status));
	close(p);
}

/*
 * The server process exits while another holds its pool's descriptor:
 * POLLHUP to poll and epoll, end of file to read; the calls waiting get
 * EBADF.
 */
TEST(server_exit_hangs_up)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	int sv[2], dfd, d, ep, status;
	struct client c[2];
	pid_t pid;
	char b;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	setup_events();
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		door_server_create(one_thread_create);
		dfd = door_depletion_fd(-1, O_NONBLOCK);
		CHILD_CHECK(2, dfd >= 0);
		d = door_create(block_proc, NULL, 0);
		CHILD_CHECK(3, d >= 0);
		CHILD_CHECK(4, send_fd(sv[1], dfd) == 0);
		CHILD_CHECK(5, send_fd(sv[1], d) == 0);
		/* Exit when told. */
		CHILD_CHECK(6, read(sv[1], &b, 1) == 1);
		_exit(0);
	}
	close(sv[1]);
	dfd = recv_fd(sv[0]);
	ASSERT_LE(0, dfd);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, dfd, &ev));

	/* One call served (blocked), one waiting in the server's pool. */
	client_start(&c[0], d, 1);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	client_start(&c[1], d, 2);
	EXPECT_EQ(POLLIN, poll_in(dfd, 10000));
	EXPECT_EQ(1, read_count(dfd));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 10000));
	EXPECT_EQ((uint32_t)EPOLLIN, out.events);

	b = 0;
	ASSERT_EQ(1, write(sv[0], &b, 1));
	status = wait_child(pid, 20);
	EXPECT_EQ(0, child_exit_code(status));
	EXPECT_EQ(POLLHUP, poll_in(dfd, 10000));
	EXPECT_EQ(-2, read_count(dfd));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 10000));
	EXPECT_EQ((uint32_t)EPOLLHUP, out.events);
	pthread_join(c[0].t, NULL);
	pthread_join(c[1].t, NULL);
	EXPECT_EQ(-1, c[0].rc);
	EXPECT_EQ(-1, c[1].rc);
	EXPECT_EQ(EBADF, c[1].err);
	close(ep);
	close(dfd);
	close(d);
	close(sv[0]);
	/* Nothing of the server is left once its descriptors are closed. */
	EXPECT_EQ(0, wait_live_doors(0, 10000));
}

/* ---- io_uring's poll, through the raw system calls ---------------------- */

struct ring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	struct io_uring_params p;
};

static int ring_init(struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &r->p);
	if (r->fd < 0)
		return -1;
	r->sq_len = r->p.sq_off.array + r->p.sq_entries * sizeof(__u32);
	r->cq_len = r->p.cq_off.cqes +
		    r->p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = r->p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED ||
	    r->sqes == MAP_FAILED)
		return -1;
	return 0;
}

#define RING_U32(base, off) ((_Atomic __u32 *)((char *)(base) + (off)))

static int ring_poll_add(struct ring *r, int fd, __u64 data)
{
	_Atomic __u32 *tail = RING_U32(r->sq, r->p.sq_off.tail);
	__u32 mask = *RING_U32(r->sq, r->p.sq_off.ring_mask);
	__u32 *array = (__u32 *)((char *)r->sq + r->p.sq_off.array);
	__u32 t = atomic_load_explicit(tail, memory_order_relaxed);
	struct io_uring_sqe *sqe = &r->sqes[t & mask];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_POLL_ADD;
	sqe->fd = fd;
	sqe->poll32_events = POLLIN;
	sqe->user_data = data;
	array[t & mask] = t & mask;
	atomic_store_explicit(tail, t + 1, memory_order_release);
	return (int)syscall(__NR_io_uring_enter, r->fd, 1, 0, 0, NULL, 0);
}

/* The next completion, waiting for it if @wait; 0 or -1 (none). */
static int ring_reap(struct ring *r, int wait, struct io_uring_cqe *out)
{
	_Atomic __u32 *head = RING_U32(r->cq, r->p.cq_off.head);
	_Atomic __u32 *tail = RING_U32(r->cq, r->p.cq_off.tail);
	__u32 mask = *RING_U32(r->cq, r->p.cq_off.ring_mask);
	struct io_uring_cqe *cqes =
		(struct io_uring_cqe *)((char *)r->cq + r->p.cq_off.cqes);
	__u32 h;

	if (wait &&
	    syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -1;
	h = atomic_load_explicit(head, memory_order_relaxed);
	if (h == atomic_load_explicit(tail, memory_order_acquire))
		return -1;
	*out = cqes[h & mask];
	atomic_store_explicit(head, h + 1, memory_order_release);
	return 0;
}

/* io_uring's IORING_OP_POLL_ADD completes when a call is left waiting. */
TEST(io_uring_poll)
{
	struct io_uring_cqe cqe;
	struct client c[2];
	struct ring r;
	int d, dfd, i;

	if (ring_init(&r) < 0) {
		if (errno == ENOSYS || errno == EPERM)
			SKIP(return, "io_uring not available: %s", strerror(errno));
		ASSERT_TRUE(0) TH_LOG("io_uring: %s", strerror(errno));
	}
	setup_events();
	door_server_create(one_thread_create);
	dfd = door_depletion_fd(-1, 0);
	ASSERT_LE(0, dfd);
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));

	ASSERT_EQ(1, ring_poll_add(&r, dfd, 42));
	client_start(&c[0], d, 1);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	/* Nothing waits: no completion. */
	EXPECT_EQ(-1, ring_reap(&r, 0, &cqe));

	client_start(&c[1], d, 2);
	hang_guard(10);
	ASSERT_EQ(0, ring_reap(&r, 1, &cqe));
	hang_guard(0);
	EXPECT_EQ(42ULL, cqe.user_data);
	EXPECT_EQ(POLLIN, cqe.res & (POLLIN | POLLHUP));
	EXPECT_EQ(1, read_count(dfd));

	for (i = 0; i < 2; i++) {
		ev_post(ev_go);
		if (i == 0)
			ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(c[i].t, NULL);
		EXPECT_EQ(0, c[i].rc);
	}
	close(r.fd);
	close(dfd);
	close(d);
}

/*
 * An unreferenced notification waiting for the busy thread counts as an
 * invocation waiting.
 */
static atomic_int unrefs;

static void unref_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	if (argp == DOOR_UNREF_DATA) {
		atomic_fetch_add(&unrefs, 1);
		door_return(NULL, 0, NULL, 0);
	}
	block_proc(cookie, argp, arg_size, dp, n_desc);
}

TEST(unreferenced_notification_counts)
{
	struct timespec ts = { 0, 1000 * 1000 };
	struct client c;
	int d, u, u2, dfd, ms = 10000;

	setup_events();
	door_server_create(one_thread_create);
	dfd = door_depletion_fd(-1, O_NONBLOCK);
	ASSERT_LE(0, dfd);
	d = door_create(block_proc, NULL, 0);
	ASSERT_LE(0, d);
	u = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, u);
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));

	client_start(&c, d, 1);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	EXPECT_EQ(0, poll_in(dfd, 0));
	/* Back to its creator's one descriptor: the notification waits. */
	u2 = dup(u);
	ASSERT_LE(0, u2);
	close(u2);
	EXPECT_EQ(POLLIN, poll_in(dfd, 10000));
	EXPECT_EQ(1, read_count(dfd));
	EXPECT_EQ(1, fdinfo_get(dfd, "door_pool_waiting_unref"));
	ev_post(ev_go);
	pthread_join(c.t, NULL);
	EXPECT_EQ(0, c.rc);
	/* Served once the thread is back: nothing waits. */
	while (atomic_load(&unrefs) == 0 && ms-- > 0)
		nanosleep(&ts, NULL);
	EXPECT_EQ(1, atomic_load(&unrefs));
	ASSERT_EQ(1, wait_fdinfo(d, IDLE, 1, 10000));
	EXPECT_EQ(0, poll_in(dfd, 0));
	EXPECT_EQ(0, fdinfo_get(dfd, "door_pool_waiting_unref"));
	close(dfd);
	close(u);
	close(d);
}

TEST_HARNESS_MAIN
