// SPDX-License-Identifier: GPL-2.0
/*
 * door_chaos_test - stress and fault injection, bounded in time.
 *
 * chaos.kill_revoke_detach: for DOOR_CHAOS_SECONDS (default 20) seconds,
 *   NCLIENT client processes of NTHREAD threads call the doors of NSERVER
 *   server processes through fattach'd paths, with every kind of call:
 *   plain, holding the server a while, passing a pipe the server writes
 *   to, getting a new door back (DOOR_RELEASE, unreferenced notification),
 *   nested calls to another server, a callback to a door of the client, a
 *   server procedure that forks a child calling a door and kills it.
 *   Meanwhile each server revokes, re-creates, fdetaches and re-fattaches
 *   its doors, the test fdetaches paths too, client threads fork children
 *   that call and SIGKILL them, and the test SIGKILLs whole server and
 *   client process trees at random and starts new ones.
 *   Every answer is checked (a wrong one fails the test) and every error
 *   must be one the situation explains (EBADF, EINTR; ENOENT/ENXIO on
 *   open).  Afterwards: every process ends (no task stuck in D state,
 *   checked in /proc), the surviving clients have exactly the descriptors
 *   they started with, the test itself too, and the module's live_doors
 *   and live_calls come back to their values at the start.  The calls made
 *   and the processes killed are printed.
 *
 * chaos.reopen_races_last_close: one thread creates doors and closes them
 *   while another reopens them through /proc/self/fd/N; every door must be
 *   freed in the end (live_doors back to its start) and reopening may only
 *   fail with ENOENT (descriptor already closed) or ENXIO (door gone).
 *   Runs for a quarter of DOOR_CHAOS_SECONDS (at least 2 s).
 *
 * delayed_unref_when_the_server_dies: a DOOR_UNREF door becomes
 *   unreferenced while a call is active (notification delayed), then its
 *   server's control file is closed: the call gets EINTR and the door is
 *   freed once the process is gone (live_doors back to its start).
 *
 * No sleep stands in for synchronisation: sleeps only pace the chaos, and
 * every wait for a process or a count is bounded and reported.
 */
#include <dirent.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "door_test.h"

#define NSERVER		3
#define NDOOR		3	/* per server: plain, DOOR_UNREF_MULTI, private */
#define NCLIENT		3
#define NTHREAD		3
#define REQ_MAGIC	0x43484f5352455155ULL	/* "CHOSREQU" */
#define RESP_MAGIC	0x43484f5352455350ULL	/* "CHOSRESP" */
#define CB_MAGIC	0x63616c6c6261636bULL
#define NERRNO		134

enum req_op { R_MIX, R_HOLD, R_FD, R_NEWDOOR, R_NESTED, R_CALLBACK, R_FORK, R_NOPS };

static const char *const req_name[R_NOPS] = {
	"plain", "hold", "pass-fd", "new-door", "nested", "callback", "fork",
};

struct req {
	uint64_t magic, v;
	uint32_t op, hold_ms;
	int32_t target_server, target_door;
};

struct resp {
	uint64_t magic, v, r;
	int32_t status;		/* 0, or the errno of a nested step */
	uint32_t pad;
};

/* Shared by every process of the test (MAP_SHARED). */
struct shared {
	_Atomic int stop;		/* clients and servers wind down */
	_Atomic uint64_t calls_ok[R_NOPS], calls_failed[R_NOPS];
	_Atomic uint64_t err[NERRNO];
	_Atomic uint64_t wrong, unexpected, opens_failed;
	_Atomic uint64_t revokes, fattaches, fdetaches, server_forks,
			 client_forks, grandchildren_killed, unref_seen;
	_Atomic int bad_set;
	char first_bad[256];
};

static struct shared *sh;
static char dir[64];
static int chaos_seconds = 20;

static void path_of(char *buf, size_t len, int s, int k)
{
	snprintf(buf, len, "%s/s%d.d%d", dir, s, k);
}

static void report_bad(const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# pid %d: %s\n", (int)getpid(), msg);
	if (!atomic_exchange(&sh->bad_set, 1))
		snprintf(sh->first_bad, sizeof(sh->first_bad), "%s", msg);
}

static int stopping(void)
{
	return atomic_load_explicit(&sh->stop, memory_order_relaxed);
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int below(uint64_t *s, int n)
{
	return (int)(rnd(s) % (uint64_t)n);
}

static uint64_t seed_here(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)gettid() ^
	       ((uint64_t)getpid() << 40);
}

static void pace_ms(int ms)
{
	poll(NULL, 0, ms);	/* pacing only: nothing waits on it */
}

/*
 * Reap a child, from any thread (hang_guard is for the main thread): wait
 * up to secs for it to end, then SIGKILL it.  0 if it ended by itself.
 */
static int reap_bounded(pid_t pid, int secs)
{
	for (int ms = 0; ms < secs * 1000; ms++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return 0;
		pace_ms(1);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Number of open descriptors of this process. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

static void list_fds(const char *who)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char p[300], l[256];
	ssize_t n;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		n = readlink(p, l, sizeof(l) - 1);
		l[n > 0 ? n : 0] = 0;
		fprintf(stderr, "# %s %d: fd %s -> %s\n", who, (int)getpid(),
			e->d_name, l);
	}
	if (d)
		closedir(d);
}

static int is_attached(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 &&
	       (unsigned long)sfs.f_type == (unsigned long)DOORFS_MAGIC;
}

/* fdetach every door stacked on path; the number removed. */
static int detach_all(const char *path)
{
	int n = 0;

	while (n < 1000 && is_attached(path) && fdetach(path) == 0)
		n++;
	return n;
}

/* ---- the server side ------------------------------------------------------- */

static int srv_index;

static void reply(struct resp *rp)
{
	door_return((char *)rp, sizeof(*rp), NULL, 0);
}

/*
 * A door returned to a client with DOOR_RELEASE: the client's descriptor
 * is its only reference, so it is unreferenced (and notified) at once; the
 * client calls it once and closes it.
 */
static void mini_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	struct resp rp = { .magic = RESP_MAGIC };
	struct req rq;

	if (argp == DOOR_UNREF_DATA) {
		atomic_fetch_add(&sh->unref_seen, 1);
		door_return(NULL, 0, NULL, 0);
	}
	if (arg_size == sizeof(rq)) {
		memcpy(&rq, argp, sizeof(rq));
		rp.v = rq.v;
		rp.r = mix64(rq.v);
	}
	reply(&rp);
}

/* Open a door path and call it with a plain request. */
static int call_path(const char *path, uint64_t v, uint32_t op,
		     uint32_t hold_ms, uint64_t *r)
{
	struct req rq = { REQ_MAGIC, v, op, hold_ms, -1, -1 };
	struct resp rp;
	door_arg_t a = { (char *)&rq, sizeof(rq), NULL, 0, (char *)&rp,
			 sizeof(rp) };
	int d = open(path, O_RDWR | O_CLOEXEC), e;

	if (d < 0)
		return errno;
	if (door_call(d, &a) != 0) {
		e = errno;
		close(d);
		return e;
	}
	close(d);
	if (a.data_size != sizeof(rp) || rp.magic != RESP_MAGIC || rp.v != v)
		return -1;
	*r = rp.r;
	return rp.status;
}

static void serve_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	struct resp rp = { .magic = RESP_MAGIC };
	struct req rq;
	char path[128];
	uint64_t r;
	int fd;

	if (argp == DOOR_UNREF_DATA) {
		atomic_fetch_add(&sh->unref_seen, 1);
		door_return(NULL, 0, NULL, 0);
	}
	if (arg_size != sizeof(rq)) {
		rp.status = EINVAL;
		reply(&rp);
	}
	memcpy(&rq, argp, sizeof(rq));
	rp.v = rq.v;
	rp.r = mix64(rq.v);
	switch (rq.op) {
	case R_HOLD:
		pace_ms((int)(rq.hold_ms % 200));
		break;
	case R_FD:
		if (n_desc != 1 || !(dp[0].d_attributes & DOOR_DESCRIPTOR)) {
			rp.status = EPROTO;
			break;
		}
		fd = dp[0].d_data.d_desc.d_descriptor;
		if (write(fd, &rq.v, sizeof(rq.v)) != sizeof(rq.v))
			rp.status = errno ? errno : EIO;
		close(fd);
		n_desc = 0;
		break;
	case R_NEWDOOR: {
		door_desc_t d;

		fd = door_create(mini_proc, NULL, DOOR_UNREF);
		if (fd < 0) {
			rp.status = errno;
			break;
		}
		d.d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE;
		d.d_data.d_desc.d_descriptor = fd;
		door_return((char *)&rp, sizeof(rp), &d, 1);
		/* Only if the descriptor could not be passed. */
		close(fd);
		rp.status = errno;
		break;
	}
	case R_NESTED:
		path_of(path, sizeof(path), rq.target_server % NSERVER,
			rq.target_door % NDOOR);
		rp.status = call_path(path, rq.v, R_MIX, 0, &r);
		if (!rp.status && r != mix64(rq.v))
			rp.status = -2;
		break;
	case R_CALLBACK: {
		struct resp cb;
		door_arg_t a = { (char *)&rq.v, sizeof(rq.v), NULL, 0,
				 (char *)&cb, sizeof(cb) };

		if (n_desc != 1) {
			rp.status = EPROTO;
			break;
		}
		fd = dp[0].d_data.d_desc.d_descriptor;
		if (door_call(fd, &a) != 0)
			rp.status = errno;
		else if (a.data_size != sizeof(cb) || cb.r != mix64(rq.v ^ CB_MAGIC))
			rp.status = -3;
		close(fd);
		n_desc = 0;
		break;
	}
	case R_FORK: {
		pid_t pid;

		path_of(path, sizeof(path), rq.target_server % NSERVER,
			rq.target_door % NDOOR);
		pid = fork();
		if (pid == 0) {
			call_path(path, rq.v, R_HOLD, rq.hold_ms % 50, &r);
			_exit(0);
		}
		if (pid < 0) {
			rp.status = errno;
			break;
		}
		atomic_fetch_add(&sh->server_forks, 1);
		if (rq.hold_ms & 1) {
			pace_ms((int)(rq.hold_ms % 20));
			kill(pid, SIGKILL);
			atomic_fetch_add(&sh->grandchildren_killed, 1);
		}
		/* The child calls a door that answers in < 50 ms. */
		if (reap_bounded(pid, 60) != 0)
			rp.status = ETIMEDOUT;
		break;
	}
	default:
		break;
	}
	for (uint_t i = 0; i < n_desc; i++)
		if (dp[i].d_attributes & DOOR_DESCRIPTOR)
			close(dp[i].d_data.d_desc.d_descriptor);
	reply(&rp);
}

static int xc_create(door_info_t *dip, void *(*start)(void *), void *arg,
		     void *crcookie)
{
	pthread_attr_t attr;
	pthread_t t;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, start, arg);
	pthread_attr_destroy(&attr);
	return r == 0 ? 1 : -1;
}

static int make_door(int k)
{
	void *cookie = (void *)(uintptr_t)(srv_index * NDOOR + k);

	switch (k) {
	case 0:
		return door_create(serve_proc, cookie, 0);
	case 1:
		return door_create(serve_proc, cookie, DOOR_UNREF_MULTI);
	default:
		return door_xcreate(serve_proc, cookie, 0, xc_create, NULL,
				    NULL, 2);
	}
}

static int attach(int d, const char *path)
{
	detach_all(path);
	if (fattach(d, path) != 0)
		return -1;
	atomic_fetch_add(&sh->fattaches, 1);
	return 0;
}

/* A server process: NDOOR doors on their paths; revokes and re-attaches. */
static void server_main(int s)
{
	int doors[NDOOR];
	char path[NDOOR][128];
	uint64_t rs = seed_here();

	srv_index = s;
	for (int k = 0; k < NDOOR; k++) {
		path_of(path[k], sizeof(path[k]), s, k);
		doors[k] = make_door(k);
		CHILD_CHECK(30, doors[k] >= 0);
		attach(doors[k], path[k]);
	}
	while (!stopping()) {
		int k = below(&rs, NDOOR);

		pace_ms(5 + below(&rs, 40));
		switch (below(&rs, 4)) {
		case 0:
			/* Revoke mid-call, a new door on the same path. */
			if (door_revoke(doors[k]) == 0)
				atomic_fetch_add(&sh->revokes, 1);
			doors[k] = make_door(k);
			CHILD_CHECK(31, doors[k] >= 0);
			attach(doors[k], path[k]);
			break;
		case 1:
			/* Detach for a while. */
			if (detach_all(path[k]))
				atomic_fetch_add(&sh->fdetaches, 1);
			break;
		default:
			if (!is_attached(path[k]))
				attach(doors[k], path[k]);
			break;
		}
	}
	for (int k = 0; k < NDOOR; k++) {
		detach_all(path[k]);
		door_revoke(doors[k]);
	}
	_exit(0);
}

/* ---- the client side ---------------------------------------------------------- */

static int cb_door = -1;

static void cb_proc(void *cookie, char *argp, size_t arg_size,
		    door_desc_t *dp, uint_t n_desc)
{
	struct resp rp = { .magic = RESP_MAGIC };
	uint64_t v = 0;

	if (arg_size == sizeof(v))
		memcpy(&v, argp, sizeof(v));
	rp.v = v;
	rp.r = mix64(v ^ CB_MAGIC);
	reply(&rp);
}

/* Errors a call may end with here: the door went away or its server died. */
static int expected_call_errno(int e)
{
	return e == EBADF || e == EINTR;
}

/* Errors a server reports for its nested step. */
static int expected_nested(int st)
{
	return st == 0 || st == EBADF || st == EINTR || st == ENOENT ||
	       st == ENXIO;
}

static void count_err(enum req_op op, int e)
{
	atomic_fetch_add(&sh->calls_failed[op], 1);
	atomic_fetch_add(&sh->err[e > 0 && e < NERRNO ? e : 0], 1);
	if (!expected_call_errno(e)) {
		atomic_fetch_add(&sh->unexpected, 1);
		report_bad("%s call failed with errno %d (%s)", req_name[op], e,
			   strerror(e));
	}
}

static void wrong(enum req_op op, const char *what, uint64_t v, uint64_t got)
{
	atomic_fetch_add(&sh->wrong, 1);
	report_bad("%s call: %s (v=%#llx got %#llx)", req_name[op], what,
		   (unsigned long long)v, (unsigned long long)got);
}

/* A client forks a child that calls, and maybe SIGKILLs it mid-call. */
static void fork_and_kill(uint64_t *rs)
{
	char path[128];
	pid_t pid;

	path_of(path, sizeof(path), below(rs, NSERVER), below(rs, NDOOR));
	pid = fork();
	if (pid == 0) {
		uint64_t r;

		call_path(path, rnd(rs), R_HOLD, (uint32_t)below(rs, 30), &r);
		_exit(0);
	}
	if (pid < 0)
		return;
	atomic_fetch_add(&sh->client_forks, 1);
	if (below(rs, 2)) {
		pace_ms(below(rs, 15));
		kill(pid, SIGKILL);
		atomic_fetch_add(&sh->grandchildren_killed, 1);
	}
	if (reap_bounded(pid, 60) != 0)
		report_bad("forked child %d did not end in 60 s", (int)pid);
}

struct cthread {
	pthread_t th;
	int fds[NSERVER][NDOOR];
	int release_fd;	/* a number no other open takes: see R_FD */
	uint64_t rs;
};

static void one_call(struct cthread *t)
{
	uint64_t *rs = &t->rs;
	int s = below(rs, NSERVER), k = below(rs, NDOOR);
	enum req_op op = (enum req_op)below(rs, R_NOPS);
	struct req rq = { REQ_MAGIC, rnd(rs), op, (uint32_t)below(rs, 100),
			  below(rs, NSERVER), below(rs, NDOOR) };
	union {
		struct resp rp;
		char raw[256];
	} u;
	door_desc_t dd;
	door_arg_t a = { (char *)&rq, sizeof(rq), NULL, 0, u.raw, sizeof(u.raw) };
	int pfd[2] = { -1, -1 }, *fd = &t->fds[s][k], e;
	char path[128];

	memset(&u, 0, sizeof(u));

	if (*fd < 0 || below(rs, 20) == 0) {
		if (*fd >= 0)
			close(*fd);
		path_of(path, sizeof(path), s, k);
		*fd = open(path, O_RDWR | O_CLOEXEC);
		if (*fd < 0) {
			atomic_fetch_add(&sh->opens_failed, 1);
			if (errno != ENOENT && errno != ENXIO)
				report_bad("open %s: errno %d", path, errno);
			return;
		}
	}
	if (op == R_FD) {
		if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
			report_bad("pipe: errno %d", errno);
			return;
		}
		dd.d_attributes = DOOR_DESCRIPTOR;
		if (below(rs, 2)) {
			/*
			 * DOOR_RELEASE: door_call closes it once passed, and a
			 * failing call may or may not have passed it.  At a
			 * number no open() takes, whether it is still open
			 * after the call says which.
			 */
			if (dup3(pfd[1], t->release_fd, O_CLOEXEC) != t->release_fd) {
				report_bad("dup3: errno %d", errno);
				goto out;
			}
			close(pfd[1]);
			pfd[1] = t->release_fd;
			dd.d_attributes |= DOOR_RELEASE;
		}
		dd.d_data.d_desc.d_descriptor = pfd[1];
		a.desc_ptr = &dd;
		a.desc_num = 1;
	} else if (op == R_CALLBACK) {
		dd.d_attributes = DOOR_DESCRIPTOR;
		dd.d_data.d_desc.d_descriptor = cb_door;
		a.desc_ptr = &dd;
		a.desc_num = 1;
	}
	if (door_call(*fd, &a) != 0) {
		e = errno;
		count_err(op, e);
		if (e == EBADF) {
			close(*fd);
			*fd = -1;
		}
		goto out;
	}
	if (a.data_ptr != u.raw || a.data_size != sizeof(struct resp)) {
		wrong(op, "result size or place", sizeof(struct resp), a.data_size);
		if (a.rbuf != u.raw)
			munmap(a.rbuf, a.rsize);
		goto out;
	}
	if (u.rp.magic != RESP_MAGIC || u.rp.v != rq.v) {
		wrong(op, "answer to another call", rq.v, u.rp.v);
		goto out;
	}
	atomic_fetch_add(&sh->calls_ok[op], 1);
	if (op == R_NESTED || op == R_CALLBACK) {
		if (!expected_nested(u.rp.status))
			wrong(op, "nested step failed", rq.v, (uint64_t)u.rp.status);
		else if (u.rp.r != mix64(rq.v))
			wrong(op, "value", mix64(rq.v), u.rp.r);
		goto out;
	}
	if (u.rp.status != 0) {
		wrong(op, "server status", rq.v, (uint64_t)u.rp.status);
		goto out;
	}
	if (u.rp.r != mix64(rq.v))
		wrong(op, "value", mix64(rq.v), u.rp.r);
	if (op == R_FD) {
		uint64_t got = 0;

		if (read(pfd[0], &got, sizeof(got)) != sizeof(got) || got != rq.v)
			wrong(op, "the passed pipe did not carry the value", rq.v, got);
	}
	if (op == R_NEWDOOR) {
		door_desc_t *d = a.desc_ptr;
		uint64_t r;

		if (a.desc_num != 1 || !d || !(d->d_attributes & DOOR_DESCRIPTOR)) {
			wrong(op, "no door returned", 1, a.desc_num);
			goto out;
		}
		struct req r2 = { REQ_MAGIC, rq.v + 1, R_MIX, 0, 0, 0 };
		struct resp rp2;
		door_arg_t a2 = { (char *)&r2, sizeof(r2), NULL, 0, (char *)&rp2,
				  sizeof(rp2) };
		int nd = d->d_data.d_desc.d_descriptor;

		if (door_call(nd, &a2) != 0) {
			if (!expected_call_errno(errno)) {
				atomic_fetch_add(&sh->unexpected, 1);
				report_bad("call of a returned door: errno %d", errno);
			}
		} else {
			r = rp2.r;
			if (a2.data_size != sizeof(rp2) || r != mix64(rq.v + 1))
				wrong(op, "the returned door's answer",
				      mix64(rq.v + 1), r);
		}
		close(nd);
	}
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] == t->release_fd) {
		/* Answered: it must have been released. */
		if (fcntl(pfd[1], F_GETFD) != -1) {
			if (a.data_ptr == u.raw && u.rp.magic == RESP_MAGIC)
				wrong(op, "DOOR_RELEASE descriptor still open "
				      "after the call", 0, (uint64_t)pfd[1]);
			close(pfd[1]);
		}
	} else if (pfd[1] >= 0) {
		close(pfd[1]);
	}
}

static void *client_thread(void *p)
{
	struct cthread *t = p;

	while (!stopping()) {
		if (below(&t->rs, 100) == 0)
			fork_and_kill(&t->rs);
		else
			one_call(t);
	}
	return NULL;
}

/*
 * A client process: NTHREAD threads calling.  When told to stop it closes
 * what it opened and exits 0 iff it holds exactly the descriptors it had
 * before the threads started.
 */
static void client_main(void)
{
	struct cthread t[NTHREAD];
	int fds0, fds1;

	cb_door = door_create(cb_proc, NULL, 0);
	CHILD_CHECK(40, cb_door >= 0);
	fds0 = count_fds();
	for (int i = 0; i < NTHREAD; i++) {
		for (int s = 0; s < NSERVER; s++)
			for (int k = 0; k < NDOOR; k++)
				t[i].fds[s][k] = -1;
		t[i].rs = seed_here() + (uint64_t)i * 7919;
		t[i].release_fd = 600 + i;
		CHILD_CHECK(41, pthread_create(&t[i].th, NULL, client_thread, &t[i]) == 0);
	}
	for (int i = 0; i < NTHREAD; i++) {
		CHILD_CHECK(42, pthread_join(t[i].th, NULL) == 0);
		for (int s = 0; s < NSERVER; s++)
			for (int k = 0; k < NDOOR; k++)
				if (t[i].fds[s][k] >= 0)
					close(t[i].fds[s][k]);
	}
	fds1 = count_fds();
	if (fds1 != fds0) {
		list_fds("client");
		fprintf(stderr, "# client %d: %d descriptors at the start, %d at "
			"the end\n", (int)getpid(), fds0, fds1);
		_exit(43);
	}
	_exit(0);
}

/* ---- the test process: processes, chaos, checks ------------------------------- */

struct proc {
	pid_t pid;
	int kind;	/* 0 server, 1 client */
	int index;
};

static pid_t spawn(int kind, int index)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		setpgid(0, 0);
		if (kind == 0)
			server_main(index);
		client_main();
	}
	if (pid > 0)
		setpgid(pid, pid);	/* whichever runs first */
	return pid;
}

/* SIGKILL a process tree and reap its leader (bounded); 0 if reaped. */
static int kill_tree(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	return wait_child(pid, 60) == -1 ? -1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_stacks(pid_t pid)
{
	char p[600], buf[2048];
	DIR *d;
	struct dirent *e;

	snprintf(p, sizeof(p), "/proc/%d/task", (int)pid);
	d = opendir(p);
	while (d && (e = readdir(d))) {
		static const char *const f[] = { "stat", "wchan", "stack" };

		if (e->d_name[0] == '.')
			continue;
		for (int i = 0; i < 3; i++) {
			int fd;
			ssize_t n;

			snprintf(p, sizeof(p), "/proc/%d/task/%s/%s", (int)pid,
				 e->d_name, f[i]);
			fd = open(p, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = 0;
			fprintf(stderr, "# %d/%s %s: %s\n", (int)pid, e->d_name,
				f[i], buf);
		}
	}
	if (d)
		closedir(d);
}

/*
 * Tasks in D state (uninterruptible), user tasks only (not PF_KTHREAD).
 * Prints them; returns how many.
 */
static int d_state_tasks(int verbose)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char p[600], buf[1024], *c;
		DIR *td;
		struct dirent *te;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/task", e->d_name);
		td = opendir(p);
		while (td && (te = readdir(td))) {
			unsigned long flags = 0;
			char state = 0;
			int fd;
			ssize_t len;

			if (te->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "/proc/%s/task/%s/stat", e->d_name,
				 te->d_name);
			fd = open(p, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			len = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (len <= 0)
				continue;
			buf[len] = 0;
			/* pid (comm) state ppid pgrp session tty tpgid flags */
			c = strrchr(buf, ')');
			if (!c || sscanf(c + 1, " %c %*d %*d %*d %*d %*d %lu",
					 &state, &flags) != 2)
				continue;
			if (state == 'D' && !(flags & 0x00200000)) {
				n++;
				if (verbose) {
					fprintf(stderr, "# task in D state: %s", buf);
					show_stacks(atoi(e->d_name));
				}
			}
		}
		if (td)
			closedir(td);
	}
	if (d)
		closedir(d);
	return n;
}

static int env_seconds(void)
{
	const char *s = getenv("DOOR_CHAOS_SECONDS");
	int v = s ? atoi(s) : 20;

	return v > 0 ? v : 20;
}

FIXTURE(chaos) {
	int unused;
};

FIXTURE_SETUP(chaos)
{
	/*
	 * A server writing through a passed pipe whose reader was killed
	 * must see EPIPE (reported back as the call's status), not die.
	 */
	signal(SIGPIPE, SIG_IGN);
	chaos_seconds = env_seconds();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
}

FIXTURE_TEARDOWN(chaos)
{
}

TEST_F_TIMEOUT(chaos, kill_revoke_detach, 7200)
{
	struct proc procs[NSERVER + NCLIENT];
	long long doors0 = live_doors(), calls0 = live_calls();
	uint64_t rs = seed_here(), ok = 0, failed = 0;
	unsigned long kills_server = 0, kills_client = 0, detaches = 0;
	int fds0, fds1, stuck = 0, n = NSERVER + NCLIENT;
	double t0, deadline;
	char path[128];

	ASSERT_LE(0, doors0) TH_LOG("DOOR_IOC_STATS: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "/tmp/door_chaos.%d", (int)getpid());
	ASSERT_EQ(0, mkdir(dir, 0755));
	for (int s = 0; s < NSERVER; s++) {
		for (int k = 0; k < NDOOR; k++) {
			int fd;

			path_of(path, sizeof(path), s, k);
			fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
			ASSERT_LE(0, fd);
			close(fd);
		}
	}
	fds0 = count_fds();

	for (int i = 0; i < n; i++) {
		procs[i].kind = i < NSERVER ? 0 : 1;
		procs[i].index = i < NSERVER ? i : i - NSERVER;
		procs[i].pid = spawn(procs[i].kind, procs[i].index);
		ASSERT_LT(0, procs[i].pid);
	}

	t0 = now_s();
	deadline = t0 + chaos_seconds;
	while (now_s() < deadline) {
		int i = below(&rs, n), r = below(&rs, 100);

		pace_ms(20 + below(&rs, 80));
		if (r < 12) {
			/* SIGKILL a whole process tree, start a new one. */
			if (kill_tree(procs[i].pid) != 0) {
				stuck++;
				show_stacks(procs[i].pid);
			}
			if (procs[i].kind == 0)
				kills_server++;
			else
				kills_client++;
			procs[i].pid = spawn(procs[i].kind, procs[i].index);
			ASSERT_LT(0, procs[i].pid);
		} else if (r < 25) {
			path_of(path, sizeof(path), below(&rs, NSERVER),
				below(&rs, NDOOR));
			if (is_attached(path) && fdetach(path) == 0)
				detaches++;
		}
	}

	/* Wind down: clients first (they check their descriptors), then servers. */
	atomic_store(&sh->stop, 1);
	for (int i = NSERVER; i < n; i++) {
		int st = wait_child(procs[i].pid, 120);

		if (st == -1) {
			stuck++;
			TH_LOG("client %d did not finish (killed)", (int)procs[i].pid);
		} else {
			EXPECT_EQ(0, child_exit_code(st))
				TH_LOG("client %d: exit status %#x", (int)procs[i].pid, st);
		}
		kill(-procs[i].pid, SIGKILL);
	}
	for (int i = 0; i < NSERVER; i++) {
		int st = wait_child(procs[i].pid, 120);

		if (st == -1) {
			stuck++;
			TH_LOG("server %d did not finish (killed)", (int)procs[i].pid);
		} else {
			EXPECT_EQ(0, child_exit_code(st));
		}
		kill(-procs[i].pid, SIGKILL);
	}
	/* Grandchildren of killed trees: reparented, not ours to wait for. */
	for (int s = 0; s < NSERVER; s++)
		for (int k = 0; k < NDOOR; k++) {
			path_of(path, sizeof(path), s, k);
			detach_all(path);
			unlink(path);
		}
	rmdir(dir);

	for (int op = 0; op < R_NOPS; op++) {
		ok += atomic_load(&sh->calls_ok[op]);
		failed += atomic_load(&sh->calls_failed[op]);
	}
	printf("# chaos: %d s, %d servers x %d doors, %d clients x %d threads\n",
	       chaos_seconds, NSERVER, NDOOR, NCLIENT, NTHREAD);
	printf("# chaos: calls made %llu: %llu answered and checked, %llu failed "
	       "(EBADF %llu, EINTR %llu), %llu opens of detached paths failed\n",
	       (unsigned long long)(ok + failed), (unsigned long long)ok,
	       (unsigned long long)failed,
	       (unsigned long long)atomic_load(&sh->err[EBADF]),
	       (unsigned long long)atomic_load(&sh->err[EINTR]),
	       (unsigned long long)atomic_load(&sh->opens_failed));
	for (int op = 0; op < R_NOPS; op++)
		printf("# chaos:   %-9s %8llu answered %8llu failed\n", req_name[op],
		       (unsigned long long)atomic_load(&sh->calls_ok[op]),
		       (unsigned long long)atomic_load(&sh->calls_failed[op]));
	printf("# chaos: processes killed: %lu server trees, %lu client trees, "
	       "%llu forked children (of %llu forked by servers and %llu by "
	       "clients)\n", kills_server, kills_client,
	       (unsigned long long)atomic_load(&sh->grandchildren_killed),
	       (unsigned long long)atomic_load(&sh->server_forks),
	       (unsigned long long)atomic_load(&sh->client_forks));
	printf("# chaos: doors revoked %llu, fattach %llu, fdetach %llu by servers "
	       "and %lu by the test, unreferenced notifications %llu\n",
	       (unsigned long long)atomic_load(&sh->revokes),
	       (unsigned long long)atomic_load(&sh->fattaches),
	       (unsigned long long)atomic_load(&sh->fdetaches), detaches,
	       (unsigned long long)atomic_load(&sh->unref_seen));

	EXPECT_EQ(0, stuck) TH_LOG("processes that could not be reaped");
	EXPECT_EQ(0ULL, (unsigned long long)atomic_load(&sh->wrong)) TH_LOG("wrong answers; first: %s",
						     sh->first_bad);
	EXPECT_EQ(0ULL, (unsigned long long)atomic_load(&sh->unexpected)) TH_LOG("unexpected errors; "
							  "first: %s", sh->first_bad);
	EXPECT_LT(0ULL, (unsigned long long)ok) TH_LOG("no call was answered at all");
	/* Uninterruptible tasks: seen in three samples 100 ms apart. */
	if (d_state_tasks(0)) {
		pace_ms(100);
		if (d_state_tasks(0)) {
			pace_ms(100);
			EXPECT_EQ(0, d_state_tasks(1)) TH_LOG("tasks stuck in D state");
		}
	}
	EXPECT_EQ(doors0, wait_live_doors(doors0, 10000))
		TH_LOG("door objects not freed");
	EXPECT_EQ(calls0, wait_live_calls(calls0, 10000))
		TH_LOG("calls still counted in progress");
	fds1 = count_fds();
	EXPECT_EQ(fds0, fds1) {
		list_fds("test");
	}
}

/* ---- reopen through /proc racing the last close --------------------------- */

static _Atomic int race_fd = -1;
static _Atomic int race_stop;
static _Atomic long reopen_ok, reopen_gone, reopen_bad, reopen_bad_errno;

static void *reopener(void *arg)
{
	char p[64];

	(void)arg;
	while (!atomic_load(&race_stop)) {
		int fd;

		snprintf(p, sizeof(p), "/proc/self/fd/%d", atomic_load(&race_fd));
		fd = open(p, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			atomic_fetch_add(&reopen_ok, 1);
			close(fd);
		} else if (errno == ENOENT || errno == ENXIO) {
			atomic_fetch_add(&reopen_gone, 1);
		} else {
			atomic_store(&reopen_bad_errno, errno);
			atomic_fetch_add(&reopen_bad, 1);
		}
	}
	return NULL;
}

/*
 * Keeps the control file's lock busy (door_info takes it), which the last
 * close of a door also takes in the middle of freeing it.
 */
static _Atomic int hammer_door = -1;

static void *hammer(void *arg)
{
	struct door_ioc_info info;

	(void)arg;
	while (!atomic_load(&race_stop))
		ioctl(atomic_load(&hammer_door), DOOR_IOC_INFO, &info);
	return NULL;
}

/*
 * Takes the unreferenced notifications of the DOOR_UNREF doors below: a
 * queued notification keeps its door alive, and a process may have only
 * RLIMIT_NOFILE doors alive.  Ends when the control file is closed.
 */
static void *unref_taker(void *arg)
{
	int ctl = *(int *)arg;
	struct door_ioc_return r;

	for (;;) {
		memset(&r, 0, sizeof(r));
		if (ioctl(ctl, DOOR_IOC_RETURN, &r) < 0 && errno != EINTR)
			break;
	}
	return NULL;
}

TEST_F_TIMEOUT(chaos, reopen_races_last_close, 3600)
{
	long long doors0 = live_doors();
	int secs = chaos_seconds / 4 > 2 ? chaos_seconds / 4 : 2;
	struct door_ioc_create hc = { .proc = 1 };
	long created = 0, spin = 0, ok0 = 0, gone0 = 0, emfile = 0;
	pthread_t th, th2, th3;
	double end;
	int ctl;

	ASSERT_LE(0, doors0);
	ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ctl);
	atomic_store(&hammer_door, ioctl(ctl, DOOR_IOC_CREATE, &hc));
	ASSERT_LE(0, atomic_load(&hammer_door));
	ASSERT_EQ(0, pthread_create(&th, NULL, reopener, NULL));
	ASSERT_EQ(0, pthread_create(&th2, NULL, hammer, NULL));
	ASSERT_EQ(0, pthread_create(&th3, NULL, unref_taker, &ctl));
	end = now_s() + secs;
	while (now_s() < end) {
		struct door_ioc_create c = { .proc = 1,
					     .attributes = (created & 1) ? DOOR_UNREF : 0 };
		int d = ioctl(ctl, DOOR_IOC_CREATE, &c);

		/* Notifications not taken yet: let the taker catch up. */
		if (d < 0 && errno == EMFILE) {
			emfile++;
			sched_yield();
			continue;
		}
		ASSERT_LE(0, d) TH_LOG("DOOR_IOC_CREATE: %s", strerror(errno));
		atomic_store(&race_fd, d);
		created++;
		/*
		 * Keep the door open a little, so that reopens are under way
		 * when it is closed: tuned so that about half of them find it.
		 */
		for (volatile long i = 0; i < spin; i++)
			;
		close(d);
		if (created % 1024 == 0) {
			long ok = atomic_load(&reopen_ok), gone = atomic_load(&reopen_gone);

			if ((ok - ok0) * 2 < gone - gone0)
				spin = spin * 2 + 1;
			else if (spin > 0)
				spin /= 2;
			ok0 = ok;
			gone0 = gone;
		}
	}
	atomic_store(&race_stop, 1);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, pthread_join(th2, NULL));
	close(atomic_load(&hammer_door));
	close(ctl);
	ASSERT_EQ(0, pthread_join(th3, NULL));
	printf("# reopen race: %ld doors created and closed in %d s; reopened "
	       "%ld, already gone %ld (spin %ld; %ld creates waited for the "
	       "notification taker)\n", created, secs,
	       atomic_load(&reopen_ok), atomic_load(&reopen_gone), spin, emfile);
	EXPECT_EQ(0, atomic_load(&reopen_bad))
		TH_LOG("reopen failed with errno %ld", atomic_load(&reopen_bad_errno));
	/* A door freed under a reopen, or never freed, shows here. */
	EXPECT_EQ(doors0, wait_live_doors(doors0, 5000));
}

/* ---- an unreferenced notification delayed by a call, then the server dies -- */

struct dying_server {
	int ctl, d, in_call[2], block[2];
	int call_ret, call_err;
};

static void *dying_serve(void *p)
{
	struct dying_server *ds = p;
	struct door_ioc_return r;
	char buf[256], c;

	memset(&r, 0, sizeof(r));
	r.buf = (uintptr_t)buf;
	r.buf_size = sizeof(buf);
	if (ioctl(ds->ctl, DOOR_IOC_RETURN, &r) != 0)
		return NULL;
	/* Serving: tell the main thread, then hold the call for good. */
	if (write(ds->in_call[1], "c", 1) != 1)
		return NULL;
	while (read(ds->block[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void *dying_call(void *p)
{
	struct dying_server *ds = p;
	struct door_ioc_call c;

	memset(&c, 0, sizeof(c));
	ds->call_ret = ioctl(ds->d, DOOR_IOC_CALL, &c);
	ds->call_err = errno;
	return NULL;
}

/*
 * A DOOR_UNREF door of a server process becomes unreferenced while one of
 * its calls is being served (the notification is delayed until the call
 * ends), and the server's control file is closed then: the call fails with
 * EINTR, and once the process has exited the door must be freed like any
 * other (live_doors back to its start): nothing may queue the delayed
 * notification on a pool that no thread will ever look at again.
 */
TEST(delayed_unref_when_the_server_dies)
{
	long long doors0 = live_doors();
	pid_t pid;
	int st;

	ASSERT_LE(0, doors0);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct door_ioc_create cr = { .proc = 1, .attributes = DOOR_UNREF };
		struct dying_server ds;
		pthread_t ts, tc;
		struct pollfd pfd;
		int d2;
		char c;

		CHILD_CHECK(10, pipe2(ds.in_call, O_CLOEXEC) == 0);
		CHILD_CHECK(11, pipe2(ds.block, O_CLOEXEC) == 0);
		ds.ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		CHILD_CHECK(12, ds.ctl >= 0);
		ds.d = ioctl(ds.ctl, DOOR_IOC_CREATE, &cr);
		CHILD_CHECK(13, ds.d >= 0);
		d2 = dup(ds.d);
		CHILD_CHECK(14, d2 >= 0);
		CHILD_CHECK(15, pthread_create(&ts, NULL, dying_serve, &ds) == 0);
		CHILD_CHECK(16, pthread_create(&tc, NULL, dying_call, &ds) == 0);
		pfd.fd = ds.in_call[0];
		pfd.events = POLLIN;
		CHILD_CHECK(17, poll(&pfd, 1, 30000) == 1 &&
			    read(ds.in_call[0], &c, 1) == 1);
		/*
		 * The creator's descriptors drop to one while the call is
		 * active: the door is unreferenced, its notification delayed.
		 */
		CHILD_CHECK(18, close(d2) == 0);
		/* The server side ends: the active call gets EINTR. */
		CHILD_CHECK(19, close(ds.ctl) == 0);
		CHILD_CHECK(20, pthread_join(tc, NULL) == 0);
		errno = ds.call_err;
		CHILD_CHECK(21, ds.call_ret == -1 && ds.call_err == EINTR);
		close(ds.d);
		_exit(0);	/* the serving thread goes with the process */
	}
	st = wait_child(pid, 60);
	EXPECT_EQ(0, child_exit_code(st));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 5000))
		TH_LOG("the door outlived its server and every descriptor");
}

TEST_HARNESS_MAIN
