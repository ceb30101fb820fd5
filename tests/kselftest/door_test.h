/* SPDX-License-Identifier: GPL-2.0 */
/*
 * door_test.h - helpers shared by the door kselftests.
 *
 * Rules the tests follow:
 *  - The harness runs every TEST in its own forked process, so each test
 *    starts without doors, server threads or a libdoor control file.
 *  - ASSERT_* and EXPECT_* are used only on the test's main thread.  Server
 *    procedures run on libdoor's threads; they record what they saw in
 *    globals that the main thread checks after the call returned.
 *  - Forked children never use ASSERT_*: they check with CHILD_CHECK(),
 *    which prints the failing condition and _exit()s with a distinct code,
 *    and the parent asserts on the exit status.
 *  - Processes are sequenced with pipes, eventfds and waitpid().  alarm()
 *    is only a hang guard (see wait_child()); nothing sleeps and hopes.
 */
#ifndef DOOR_TEST_H
#define DOOR_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <door.h>
#include <ucred.h>

#include "kselftest_harness.h"

/* Flag test usable in EXPECT_TRUE/FALSE (an int, whatever v's type). */
#define HAS(v, f) ((((v) & (f)) != 0) ? 1 : 0)

/* ------------------------------------------------------------------ */
/* Children                                                            */

/*
 * In a forked child: check a condition, and on failure say which one and
 * exit with `code` (non-zero, distinct per check so the parent's assertion
 * message identifies it).
 */
#define CHILD_CHECK(code, cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d: %s:%d: check %d failed: %s"	\
			" (errno %d: %s)\n", (int)getpid(), __FILE__,	\
			__LINE__, (code), #cond, errno, strerror(errno));	\
		fflush(stderr);						\
		_exit(code);						\
	}								\
} while (0)

static inline void dt_alarm_noop(int sig)
{
	(void)sig;
}

/*
 * Hang guard for a blocking call on the calling thread: after `secs`
 * seconds a SIGALRM aimed at this very thread (a SIGEV_THREAD_ID timer, so
 * it cannot land on a server thread instead) interrupts the call without
 * SA_RESTART; the call fails with EINTR and the assertion on it reports
 * the hang.  hang_guard(0) disarms.  Used only as a guard, never to wait.
 */
static inline void hang_guard(unsigned int secs)
{
	static timer_t timer;
	static pid_t timer_pid;
	static pid_t timer_tid;
	struct sigaction sa = { .sa_handler = dt_alarm_noop };
	struct itimerspec its = { .it_value = { .tv_sec = secs } };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
	if (timer_pid != getpid() || timer_tid != gettid()) {
		struct sigevent sev = {
			.sigev_notify = SIGEV_THREAD_ID,
			.sigev_signo = SIGALRM,
		};

		if (timer_pid == getpid())
			timer_delete(timer);
		sev._sigev_un._tid = gettid();
		if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) {
			/* Fall back to a process-wide alarm. */
			timer_pid = 0;
			alarm(secs);
			return;
		}
		timer_pid = getpid();
		timer_tid = gettid();
	}
	timer_settime(timer, 0, &its, NULL);
}

/*
 * waitpid() with a hang guard: wait up to `secs` seconds for `pid`.
 * Returns the wait status, or -1 if the child did not finish in time (it
 * is then SIGKILLed and reaped, so no process is left behind).
 */
static inline int wait_child(pid_t pid, unsigned int secs)
{
	int status = 0, timed_out = 0;
	pid_t r;

	hang_guard(secs);
	for (;;) {
		r = waitpid(pid, &status, 0);
		if (r == pid)
			break;
		if (r < 0 && errno == EINTR) {
			timed_out = 1;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		if (r < 0) {
			status = -1;
			break;
		}
	}
	hang_guard(0);
	if (timed_out) {
		fprintf(stderr, "# child %d did not finish in %u s: killed\n",
			(int)pid, secs);
		return -1;
	}
	return status;
}

/*
 * fork() for tests: the child is SIGKILLed if the test process dies (an
 * ASSERT aborting it, the harness timeout), so no child outlives its test
 * holding doors.  Use from the test's main thread.
 */
static inline pid_t fork_child(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);	/* the parent is already gone */
	}
	return pid;
}

/* The exit code of a child that exited normally, else -1 (and a message). */
static inline int child_exit_code(int status)
{
	if (status == -1)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		fprintf(stderr, "# child killed by signal %d\n",
			WTERMSIG(status));
	return -1;
}

/* ------------------------------------------------------------------ */
/* Sequencing between threads and processes                            */

/* eventfd counters: post adds one, wait takes one (blocking). */
static inline int ev_new(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE);
}

static inline int ev_post(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

static inline int ev_wait(int fd)
{
	uint64_t v;
	ssize_t r;

	do {
		r = read(fd, &v, sizeof(v));
	} while (r < 0 && errno == EINTR);
	return r == sizeof(v) ? 0 : -1;
}

/* ev_wait with a hang guard: 0 when posted, -1 on timeout or error. */
static inline int ev_wait_ms(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&pfd, 1, ms);
	} while (r < 0 && errno == EINTR);
	if (r != 1)
		return -1;
	return ev_wait(fd);
}

/* Full write/read of a small record over a pipe or socket. */
static inline int put_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static inline int get_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Pass a descriptor between processes (SCM_RIGHTS on a socketpair). */
static inline int send_fd(int sock, int fd)
{
	char byte = 'D';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static inline int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* ------------------------------------------------------------------ */
/* Module statistics (DOOR_IOC_STATS on a control file of our own)     */

static inline int door_stats(struct door_ioc_stats *st)
{
	int fd = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int r, e;

	if (fd < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	r = ioctl(fd, DOOR_IOC_STATS, st);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static inline long long live_doors(void)
{
	struct door_ioc_stats st;

	return door_stats(&st) ? -1 : (long long)st.live_doors;
}

static inline long long live_calls(void)
{
	struct door_ioc_stats st;

	return door_stats(&st) ? -1 : (long long)st.live_calls;
}

/*
 * Door objects may be released by the kernel a little after the last
 * descriptor is gone (deferred fput of an exiting process).  Poll the
 * counter until it reaches `want`, for at most `ms` milliseconds; returns
 * the last value seen.  This waits for a condition, it does not guess.
 */
static inline long long wait_live_doors(long long want, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	long long v = live_doors();

	while (v != want && ms-- > 0) {
		nanosleep(&ts, NULL);
		v = live_doors();
	}
	return v;
}

static inline long long wait_live_calls(long long want, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	long long v = live_calls();

	while (v != want && ms-- > 0) {
		nanosleep(&ts, NULL);
		v = live_calls();
	}
	return v;
}

/* ------------------------------------------------------------------ */
/* /proc and /sys readers                                              */

#define MAX_DATA_PATH	"/sys/module/door/parameters/max_data"

/* The module parameter max_data, or 0 if it cannot be read. */
static inline unsigned long long max_data_get(void)
{
	FILE *f = fopen(MAX_DATA_PATH, "r");
	unsigned long long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* The number after "field" on its line of @file (e.g. VmPin: in status), or -1. */
static inline long kb_field(const char *file, const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n)) {
			v = strtol(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Value of "key:\t<value>" in /proc/self/fdinfo/<fd>, or -1. */
static inline long long fdinfo_get(int fd, const char *key)
{
	char path[64], line[256];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 0);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Wait (1 ms steps, at most ms) until fdinfo's key of fd reads want. */
static inline long long wait_fdinfo(int fd, const char *key, long long want, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	long long v = fdinfo_get(fd, key);

	while (v != want && ms-- > 0) {
		nanosleep(&ts, NULL);
		v = fdinfo_get(fd, key);
	}
	return v;
}

/* The state letter in a /proc/.../stat file at @path, 0 if unreadable. */
static inline char stat_state(const char *path)
{
	char buf[512], *p;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * The first number of the /proc/.../syscall file at @path: the system call
 * a task is blocked in (named only while it sleeps in it; -1 when it is
 * blocked outside one), or LONG_MIN if the file is unreadable or says
 * "running".
 */
static inline long blocked_syscall(const char *path)
{
	char buf[64], *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	long v;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return LONG_MIN;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	return end != buf ? v : LONG_MIN;
}

/* ------------------------------------------------------------------ */
/* Small door utilities                                                */

static inline int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* door_info() attributes, 0 on error. */
static inline door_attr_t door_attrs(int d)
{
	door_info_t di;

	if (door_info(d, &di) != 0)
		return 0;
	return di.di_attributes;
}

static inline door_id_t door_id(int d)
{
	door_info_t di;

	if (door_info(d, &di) != 0)
		return 0;
	return di.di_uniquifier;
}

/* A value that depends on every bit of x: what servers return for x. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Deterministic byte pattern for buffers: byte i of stream `seed`. */
static inline unsigned char pat(size_t i, unsigned int seed)
{
	return (unsigned char)((i * 131u + seed * 7u + (i >> 8)) & 0xff);
}

static inline void fill_pat(void *buf, size_t n, unsigned int seed)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = pat(i, seed);
}

/* Index of the first byte that differs from the pattern, or -1. */
static inline long check_pat(const void *buf, size_t n, unsigned int seed)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(i, seed))
			return (long)i;
	return -1;
}

/* Server procedure that returns its arguments unchanged. */
static inline void echo_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	(void)cookie; (void)dp; (void)n_desc;
	door_return(argp, arg_size, NULL, 0);
}

/* Start a detached thread running fn(NULL) (a server thread of a pool). */
static inline void start_detached(void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&t, &attr, fn, NULL);
	pthread_attr_destroy(&attr);
}

/* A server thread parked in door_return, cancellation disabled. */
static inline void *parked_server_thread(void *arg)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	door_return(NULL, 0, NULL, 0);
	return arg;
}

/*
 * A door_server_create() function that gives the process's pool exactly
 * one server thread, ever, whatever depletion asks for later.
 */
static inline void one_server_thread(door_info_t *dip)
{
	static atomic_int asked;

	if (!dip && atomic_fetch_add(&asked, 1) == 0)
		start_detached(parked_server_thread);
}

#endif /* DOOR_TEST_H */
