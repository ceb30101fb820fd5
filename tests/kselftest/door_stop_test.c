// SPDX-License-Identifier: GPL-2.0
/*
 * door_stop_test - a stop, a ptrace interrupt or a cgroup freeze does not
 * fail a door_call (issue 11, finding 7: "stop, trace and freeze break
 * calls").  Only a signal delivered to a handler (or a fatal one) abandons
 * a call; otherwise:
 *  - a call being served keeps waiting (killable), and the stop, trap or
 *    freeze takes effect once it has returned;
 *  - a queued call is withdrawn and the ioctl restarted when the caller
 *    resumes, so it is served afterwards.
 * Before the fix, a client without signal handlers got EINTR for a call
 * being served and EAGAIN for a queued one.
 *
 * The door is a private door of this process; "served" calls are held by
 * the procedure until the test releases it, "queued" calls wait while the
 * door has no server thread yet (the test starts one afterwards).  The
 * client is a forked child without signal handlers; it reports door_call's
 * result and the data it got back through a pipe.  The result must be
 * mix64() of its argument.
 *
 *  - sigstop_served_call_completes, sigstop_queued_call_completes:
 *    SIGSTOP and SIGCONT;
 *  - ptrace_interrupt_served_call_completes,
 *    ptrace_interrupt_queued_call_completes: PTRACE_SEIZE, PTRACE_INTERRUPT,
 *    PTRACE_DETACH (what strace -p does);
 *  - freeze_queued_call_completes, freeze_served_call_completes: the
 *    cgroup v2 freezer (skipped where cgroup2 cannot be mounted or has no
 *    cgroup.freeze);
 *  - stopped_served_caller_is_killable: a caller kept waiting by a stop
 *    still dies of SIGKILL at once;
 *  - sigstop_queued_release_call_completes: the same with a DOOR_RELEASE
 *    descriptor, which stays open until the restarted call is taken;
 *  - handled_signal_abandons_served_call (EINTR),
 *    handled_signal_abandons_queued_call (EAGAIN): unchanged.
 * The sigstop_, ptrace_ and freeze_ tests fail on the module before the
 * fix (EINTR or EAGAIN).  The served-call ones also pin the design: the
 * caller is seen in a killable wait ('D'), and not stopped, until the
 * server returns.
 *
 * Where the kernel offers no event for a state of another process (being
 * asleep in the ioctl, in a killable wait), the test polls /proc/PID/stat
 * or /proc/PID/syscall with a deadline.
 */
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "door_test.h"

/* ---- the server -------------------------------------------------------------- */

static int ev_in = -1, ev_go = -1, ev_bound = -1;
static atomic_int hold, served;

/* The result for argument x is mix64(x); with `hold`, wait for ev_go. */
static void stop_proc(void *cookie, char *argp, size_t n, door_desc_t *dp,
		      uint_t nd)
{
	uint64_t x = 0, r;

	if (n == sizeof(x))
		memcpy(&x, argp, sizeof(x));
	atomic_fetch_add(&served, 1);
	if (atomic_load(&hold)) {
		ev_post(ev_in);
		ev_wait(ev_go);
	}
	r = mix64(x);
	door_return((char *)&r, sizeof(r), NULL, 0);
}

static void no_threads(door_info_t *dip)
{
	(void)dip;
}

static void *server_main(void *arg)
{
	int d = (int)(intptr_t)arg;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	if (door_bind(d) != 0)
		return NULL;
	ev_post(ev_bound);
	door_return(NULL, 0, NULL, 0);
	return NULL;
}

/* Start the private door's one server thread. */
static int start_server(int d)
{
	pthread_t t;

	if (pthread_create(&t, NULL, server_main, (void *)(intptr_t)d) != 0)
		return -1;
	pthread_detach(t);
	return ev_wait_ms(ev_bound, 20000);
}

/* A private door with no server thread yet; held calls with @held. */
static int setup(struct __test_metadata *_metadata, int held)
{
	int d;

	ev_in = ev_new();
	ev_go = ev_new();
	ev_bound = ev_new();
	if (ev_in < 0 || ev_go < 0 || ev_bound < 0)
		return -1;
	atomic_store(&hold, held);
	door_server_create(no_threads);
	d = door_create(stop_proc, NULL, DOOR_PRIVATE);
	if (d >= 0 && held && start_server(d) != 0)
		return -1;
	return d;
}

/* ---- the client ---------------------------------------------------------------- */

struct report {
	int ret, err;
	size_t size;
	uint64_t val;
};

static void usr1_noop(int sig)
{
	(void)sig;
}

/*
 * Fork a client that calls @d with argument @x and reports through *outp.
 * With @handler, SIGUSR1 has a handler (no SA_RESTART); otherwise no
 * signal has one.  With @cg, the client first moves itself into that
 * cgroup.
 */
static pid_t spawn_client(int d, uint64_t x, int handler, const char *cg,
			  int *outp)
{
	struct report r;
	uint64_t res = 0;
	door_arg_t a = { (char *)&x, sizeof(x), NULL, 0, (char *)&res,
			 sizeof(res) };
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
	if (cg) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		CHILD_CHECK(41, fd >= 0);
		CHILD_CHECK(42, write(fd, "0", 1) == 1);
		close(fd);
	}
	memset(&r, 0, sizeof(r));
	errno = 0;
	r.ret = door_call(d, &a);
	r.err = errno;
	r.size = a.data_size;
	if (r.ret == 0 && a.data_size == sizeof(r.val))
		memcpy(&r.val, a.data_ptr, sizeof(r.val));
	CHILD_CHECK(43, put_all(p[1], &r, sizeof(r)) == 0);
	_exit(0);
}

/* Reap the client and check that its call returned mix64(@x). */
static void expect_success(struct __test_metadata *_metadata, pid_t pid,
			   int out, uint64_t x)
{
	struct report r;

	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, get_all(out, &r, sizeof(r)));
	close(out);
	EXPECT_EQ(0, r.ret) TH_LOG("door_call failed: %s", strerror(r.err));
	EXPECT_EQ(sizeof(uint64_t), r.size);
	EXPECT_EQ(mix64(x), r.val) TH_LOG("wrong results");
}

/* Reap the client and check that its call failed with @err. */
static void expect_error(struct __test_metadata *_metadata, pid_t pid,
			 int out, int err)
{
	struct report r;

	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, get_all(out, &r, sizeof(r)));
	close(out);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(err, r.err) TH_LOG("door_call: %s, expected %s",
				     r.ret ? strerror(r.err) : "success",
				     strerror(err));
}

/* ---- another process's state ---------------------------------------------------- */

/* The state letter of @pid in /proc/PID/stat, 0 if unreadable. */
static char proc_state(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return stat_state(path);
}

/*
 * Wait until @pid sleeps in an ioctl (/proc/PID/syscall names it only
 * while the task is blocked in it): 0, or -1 after 10 s.
 */
static int wait_in_ioctl(pid_t pid)
{
	struct timespec ms = { 0, 1000 * 1000 };
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 10000; i++) {
		if (blocked_syscall(path) == SYS_ioctl && proc_state(pid) == 'S')
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/*
 * After a stop, trap or freeze was asked of a client asleep in its call:
 * wait until it has reacted, i.e. left the interruptible sleep it was in
 * ('S'), and return its state: 'D' if it keeps waiting in the call
 * (killable), 'T' or 't' if it stopped, 'S' if still asleep after 10 s.
 */
static char wait_reacted(pid_t pid)
{
	struct timespec ms = { 0, 1000 * 1000 };
	char st = 0;

	for (int i = 0; i < 10000; i++) {
		st = proc_state(pid);
		if (st != 'S' && st != 'R')
			return st;
		nanosleep(&ms, NULL);
	}
	return st;
}

/* waitpid(@pid, @flags) with a 20 s hang guard: the status, or -1. */
static int wait_stop(pid_t pid, int flags)
{
	int status = 0;
	pid_t r;

	hang_guard(20);
	r = waitpid(pid, &status, flags);
	hang_guard(0);
	return r == pid ? status : -1;
}

/* ---- SIGSTOP ---------------------------------------------------------------------- */

/*
 * Finding 7: a client without signal handlers is stopped (SIGSTOP) while
 * its call is being served.  The call goes on: the client stays in a
 * killable wait ('D') instead of stopping, and stops only once the server
 * has returned; after SIGCONT its door_call returns 0 with the results.
 * Before the fix it stopped at once and door_call failed with EINTR.
 */
TEST(sigstop_served_call_completes)
{
	uint64_t x = 0x5709;
	int d, out, st;
	char state;
	pid_t pid, r;

	d = setup(_metadata, 1);
	ASSERT_LE(0, d);
	pid = spawn_client(d, x, 0, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");

	ASSERT_EQ(0, kill(pid, SIGSTOP));
	state = wait_reacted(pid);
	EXPECT_EQ('D', state)
		TH_LOG("client state '%c' while its call is served: expected it "
		       "to keep waiting ('D')", state);
	/* Not stopped yet (the stop waits for the call to return). */
	r = waitpid(pid, &st, WUNTRACED | WNOHANG);
	EXPECT_EQ(0, r) TH_LOG("the client stopped while its call was served");

	ASSERT_EQ(0, ev_post(ev_go));		/* the server returns */
	if (r == 0)
		st = wait_stop(pid, WUNTRACED);
	ASSERT_TRUE(st != -1 && WIFSTOPPED(st))
		TH_LOG("client did not stop within 20 s of the server's return "
		       "(state '%c': still in its call?)", proc_state(pid));
	EXPECT_EQ(SIGSTOP, WSTOPSIG(st));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	expect_success(_metadata, pid, out, x);
	EXPECT_EQ(1, atomic_load(&served));
}

/*
 * Finding 7: a client without signal handlers is stopped while its call
 * is queued (the door has no server thread yet).  It stops at once (the
 * call is withdrawn); after SIGCONT the ioctl is restarted and the call,
 * served by the thread started then, returns 0 with the results.  Before
 * the fix door_call failed with EAGAIN.
 */
TEST(sigstop_queued_call_completes)
{
	uint64_t x = 0x51095;
	int d, out, st;
	pid_t pid;

	d = setup(_metadata, 0);
	ASSERT_LE(0, d);
	pid = spawn_client(d, x, 0, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");

	ASSERT_EQ(0, kill(pid, SIGSTOP));
	st = wait_stop(pid, WUNTRACED);
	ASSERT_TRUE(st != -1 && WIFSTOPPED(st)) TH_LOG("client did not stop");
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(0, atomic_load(&served));

	ASSERT_EQ(0, start_server(d)) TH_LOG("no server thread");
	expect_success(_metadata, pid, out, x);
	EXPECT_EQ(1, atomic_load(&served));
}

/* The descriptor a release client passes with DOOR_RELEASE. */
#define RELEASE_FD	200

struct release_report {
	struct report r;
	int still_open;		/* RELEASE_FD open after the call */
};

/*
 * Fork a client without signal handlers that calls @d with argument @x,
 * passing the write end of a pipe as RELEASE_FD with DOOR_DESCRIPTOR |
 * DOOR_RELEASE, and reports through *outp (struct release_report).
 */
static pid_t spawn_release_client(int d, uint64_t x, int *outp)
{
	struct release_report rr;
	uint64_t res = 0;
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE };
	door_arg_t a = { (char *)&x, sizeof(x), &desc, 1, (char *)&res,
			 sizeof(res) };
	int p[2], q[2];
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
	CHILD_CHECK(50, pipe(q) == 0);
	CHILD_CHECK(51, dup2(q[1], RELEASE_FD) == RELEASE_FD);
	close(q[1]);
	desc.d_data.d_desc.d_descriptor = RELEASE_FD;
	memset(&rr, 0, sizeof(rr));
	errno = 0;
	rr.r.ret = door_call(d, &a);
	rr.r.err = errno;
	rr.r.size = a.data_size;
	if (rr.r.ret == 0 && a.data_size == sizeof(rr.r.val))
		memcpy(&rr.r.val, a.data_ptr, sizeof(rr.r.val));
	rr.still_open = fd_is_open(RELEASE_FD);
	CHILD_CHECK(52, put_all(p[1], &rr, sizeof(rr)) == 0);
	_exit(0);
}

/* Does process @pid have descriptor @fd open? */
static int proc_has_fd(pid_t pid, int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	return access(path, F_OK) == 0;
}

/*
 * Issue 13, item 4: a queued call that passes a DOOR_RELEASE descriptor is
 * withdrawn and restarted by a stop like any queued call, since nothing is
 * released before a server thread takes the call: the client stops at
 * once with its descriptor still open, and after SIGCONT the restarted
 * call is served and releases it.  Before: the descriptor was closed as
 * soon as the call was made, so the call could not be restarted and kept
 * the client from stopping until it was served.
 */
TEST(sigstop_queued_release_call_completes)
{
	struct release_report rr;
	uint64_t x = 0x7e1ea5e;
	int d, out, st;
	pid_t pid;

	d = setup(_metadata, 0);
	ASSERT_LE(0, d);
	pid = spawn_release_client(d, x, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");
	ASSERT_TRUE(proc_has_fd(pid, RELEASE_FD))
		TH_LOG("the DOOR_RELEASE descriptor was closed before a server "
		       "thread took the call");

	ASSERT_EQ(0, kill(pid, SIGSTOP));
	st = wait_stop(pid, WUNTRACED);
	ASSERT_TRUE(st != -1 && WIFSTOPPED(st)) TH_LOG("client did not stop");
	EXPECT_TRUE(proc_has_fd(pid, RELEASE_FD));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(0, atomic_load(&served));

	ASSERT_EQ(0, start_server(d)) TH_LOG("no server thread");
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, get_all(out, &rr, sizeof(rr)));
	close(out);
	EXPECT_EQ(0, rr.r.ret) TH_LOG("door_call failed: %s", strerror(rr.r.err));
	EXPECT_EQ(mix64(x), rr.r.val);
	EXPECT_EQ(0, rr.still_open) TH_LOG("served, yet not released");
	EXPECT_EQ(1, atomic_load(&served));
}

/*
 * A client kept waiting by a stop is still killable: SIGKILL ends it at
 * once, while the server still holds its call.
 */
TEST(stopped_served_caller_is_killable)
{
	int d, out, st;
	pid_t pid;

	d = setup(_metadata, 1);
	ASSERT_LE(0, d);
	pid = spawn_client(d, 1, 0, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	ASSERT_EQ(0, wait_in_ioctl(pid));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	wait_reacted(pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = wait_child(pid, 10);
	EXPECT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("the stopped caller did not die of SIGKILL");
	close(out);
	ASSERT_EQ(0, ev_post(ev_go));
}

/* ---- ptrace ------------------------------------------------------------------------- */

/* Wait for the PTRACE_EVENT_STOP trap of @pid (seized by this thread). */
static void expect_trap(struct __test_metadata *_metadata, pid_t pid)
{
	int st = wait_stop(pid, __WALL);

	ASSERT_TRUE(st != -1 && WIFSTOPPED(st))
		TH_LOG("the tracee did not stop within 20 s (status %#x, state "
		       "'%c')", st, proc_state(pid));
	EXPECT_EQ(PTRACE_EVENT_STOP, st >> 16) TH_LOG("status %#x", st);
}

/*
 * Finding 7: a tracer seizes and interrupts (PTRACE_INTERRUPT) a client
 * whose call is being served, as strace -p does.  The client keeps
 * waiting ('D'); the trap comes once the server has returned; after
 * PTRACE_DETACH its door_call returns 0 with the results.  Before the fix
 * it failed with EINTR.
 */
TEST(ptrace_interrupt_served_call_completes)
{
	uint64_t x = 0x7ace;
	int d, out;
	char state;
	pid_t pid;

	d = setup(_metadata, 1);
	ASSERT_LE(0, d);
	pid = spawn_client(d, x, 0, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");

	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		TH_LOG("PTRACE_SEIZE: %s", strerror(errno));
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, NULL, NULL));
	state = wait_reacted(pid);
	EXPECT_EQ('D', state)
		TH_LOG("client state '%c' while its call is served: expected it "
		       "to keep waiting ('D')", state);

	ASSERT_EQ(0, ev_post(ev_go));
	expect_trap(_metadata, pid);
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, NULL, NULL))
		TH_LOG("PTRACE_DETACH: %s", strerror(errno));
	expect_success(_metadata, pid, out, x);
}

/*
 * Finding 7: the same while the call is queued: the trap is at once, and
 * after PTRACE_DETACH the restarted call is served by the thread started
 * then.  Before the fix it failed with EAGAIN.
 */
TEST(ptrace_interrupt_queued_call_completes)
{
	uint64_t x = 0x7ace2;
	int d, out;
	pid_t pid;

	d = setup(_metadata, 0);
	ASSERT_LE(0, d);
	pid = spawn_client(d, x, 0, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");

	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		TH_LOG("PTRACE_SEIZE: %s", strerror(errno));
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, NULL, NULL));
	expect_trap(_metadata, pid);
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, NULL, NULL))
		TH_LOG("PTRACE_DETACH: %s", strerror(errno));

	ASSERT_EQ(0, start_server(d)) TH_LOG("no server thread");
	expect_success(_metadata, pid, out, x);
	EXPECT_EQ(1, atomic_load(&served));
}

/* ---- the cgroup v2 freezer ------------------------------------------------------------ */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

/*
 * A new cgroup under /sys/fs/cgroup (cgroup2, mounted there if it is not
 * yet) with a cgroup.freeze file.  0, or -1 with *why (SKIP) or errno.
 */
static int freezer_make(char *cg, size_t len, const char **why)
{
	const char *root = "/sys/fs/cgroup";
	struct statfs sfs;
	char p[256];

	*why = NULL;
	if (geteuid() != 0) {
		*why = "needs root to make a cgroup";
		return -1;
	}
	if (statfs(root, &sfs) != 0 || sfs.f_type != 0x63677270 /* CGROUP2 */) {
		mkdir(root, 0755);
		if (mount("none", root, "cgroup2", 0, NULL) != 0) {
			*why = "cgroup2 is not mounted and cannot be";
			return -1;
		}
	}
	snprintf(cg, len, "%s/door_stop.%d", root, (int)getpid());
	if (mkdir(cg, 0755) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/cgroup.freeze", cg);
	if (access(p, W_OK) != 0) {
		rmdir(cg);
		*why = "no cgroup.freeze (cgroup v2 freezer)";
		return -1;
	}
	return 0;
}

static int freeze(const char *cg, int on)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/cgroup.freeze", cg);
	return write_str(p, on ? "1" : "0");
}

/*
 * Wait until cgroup.events says "frozen 1" (poll() reports a change of the
 * file with POLLPRI): 0, or -1 after @ms.
 */
static int wait_frozen(const char *cg, int ms)
{
	struct timespec t0, t;
	char p[256], buf[256];
	int fd, ret = -1;

	snprintf(p, sizeof(p), "%s/cgroup.events", cg);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		long left;

		if (n < 0)
			break;
		buf[n] = '\0';
		if (strstr(buf, "frozen 1")) {
			ret = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 +
			     (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		poll(&pfd, 1, (int)left);
	}
	close(fd);
	return ret;
}

/*
 * Finding 7: the client's cgroup is frozen (cgroup.freeze) while its call
 * is queued, then thawed.  The call is withdrawn while frozen and then
 * served by the thread started after the thaw: door_call returns 0 with
 * the results.  Before the fix it failed with EAGAIN.
 */
TEST(freeze_queued_call_completes)
{
	uint64_t x = 0xf2ee2e;
	const char *why;
	char cg[128];
	int d, out, frozen;
	pid_t pid;

	if (freezer_make(cg, sizeof(cg), &why) != 0) {
		if (why)
			SKIP(return, "%s", why);
		ASSERT_TRUE(0) TH_LOG("cannot make a cgroup: %s", strerror(errno));
	}
	d = setup(_metadata, 0);
	ASSERT_LE(0, d);
	pid = spawn_client(d, x, 0, cg, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");

	ASSERT_EQ(0, freeze(cg, 1));
	frozen = wait_frozen(cg, 10000);
	ASSERT_EQ(0, freeze(cg, 0));
	ASSERT_EQ(0, frozen) TH_LOG("the cgroup did not freeze");
	EXPECT_EQ(0, atomic_load(&served));

	ASSERT_EQ(0, start_server(d)) TH_LOG("no server thread");
	expect_success(_metadata, pid, out, x);
	EXPECT_EQ(1, atomic_load(&served));
	rmdir(cg);
}

/*
 * Finding 7: the client's cgroup is frozen while its call is being served.
 * The client keeps waiting ('D'), so the cgroup is frozen only once the
 * server has returned; after the thaw door_call returns 0 with the
 * results.  Before the fix it failed with EINTR.
 */
TEST(freeze_served_call_completes)
{
	uint64_t x = 0xf2ee2e5;
	const char *why;
	char cg[128];
	int d, out, frozen;
	char state;
	pid_t pid;

	if (freezer_make(cg, sizeof(cg), &why) != 0) {
		if (why)
			SKIP(return, "%s", why);
		ASSERT_TRUE(0) TH_LOG("cannot make a cgroup: %s", strerror(errno));
	}
	d = setup(_metadata, 1);
	ASSERT_LE(0, d);
	pid = spawn_client(d, x, 0, cg, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");

	ASSERT_EQ(0, freeze(cg, 1));
	state = wait_reacted(pid);
	EXPECT_EQ('D', state)
		TH_LOG("client state '%c' while its call is served: expected it "
		       "to keep waiting ('D')", state);
	ASSERT_EQ(0, ev_post(ev_go));
	frozen = wait_frozen(cg, 10000);
	state = proc_state(pid);
	ASSERT_EQ(0, freeze(cg, 0));
	ASSERT_EQ(0, frozen)
		TH_LOG("the cgroup did not freeze within 10 s of the server's "
		       "return (client state '%c': still in its call?)", state);
	expect_success(_metadata, pid, out, x);
	rmdir(cg);
}

/* ---- signals with a handler (unchanged) ---------------------------------------------- */

/* A signal with a handler abandons a call being served: EINTR. */
TEST(handled_signal_abandons_served_call)
{
	int d, out;
	pid_t pid;

	d = setup(_metadata, 1);
	ASSERT_LE(0, d);
	pid = spawn_client(d, 1, 1, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	expect_error(_metadata, pid, out, EINTR);
	ASSERT_EQ(0, ev_post(ev_go));
}

/*
 * A signal with a handler that comes while a stop holds the caller in its
 * served call still abandons it: the held wait looks for one every 50 ms.
 * The client gets EINTR, after stopping for the pending SIGSTOP.
 */
TEST(handled_signal_after_stop_abandons_served_call)
{
	int d, out, st;
	char state;
	pid_t pid;

	d = setup(_metadata, 1);
	ASSERT_LE(0, d);
	pid = spawn_client(d, 1, 1, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call never arrived");
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	state = wait_reacted(pid);
	EXPECT_EQ('D', state)
		TH_LOG("client state '%c' while its call is served: expected it "
		       "to keep waiting ('D')", state);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	/* It leaves the call, then stops for the SIGSTOP still pending. */
	st = wait_stop(pid, WUNTRACED);
	ASSERT_TRUE(st != -1 && WIFSTOPPED(st))
		TH_LOG("client did not leave its call for SIGUSR1 (state '%c')",
		       proc_state(pid));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	expect_error(_metadata, pid, out, EINTR);
	ASSERT_EQ(0, ev_post(ev_go));
}

/*
 * A signal with a handler abandons a queued call: EAGAIN, and it is never
 * served (the test's own call, queued after it, is the first one served).
 */
TEST(handled_signal_abandons_queued_call)
{
	uint64_t x = 2, res = 0;
	door_arg_t a = { (char *)&x, sizeof(x), NULL, 0, (char *)&res,
			 sizeof(res) };
	int d, out;
	pid_t pid;

	d = setup(_metadata, 0);
	ASSERT_LE(0, d);
	pid = spawn_client(d, 1, 1, NULL, &out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_in_ioctl(pid)) TH_LOG("client not asleep in its call");
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	expect_error(_metadata, pid, out, EAGAIN);
	ASSERT_EQ(0, start_server(d));
	hang_guard(20);
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
	EXPECT_EQ(mix64(x), res);
	EXPECT_EQ(1, atomic_load(&served)) TH_LOG("the abandoned call was served");
}

TEST_HARNESS_MAIN
