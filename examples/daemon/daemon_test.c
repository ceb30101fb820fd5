// SPDX-License-Identifier: GPL-2.0
/*
 * door_daemon_test - the sample daemon (doord) and its client (doorc),
 * run as programs (examples/bin, /door/examples in the VM):
 *
 *  - thousand_clients: 1,000 client processes come and go (each opens the
 *    daemon's path, takes a session door, calls it, exits; every tenth is
 *    SIGKILLed while its call waits in the daemon).  The daemon keeps one
 *    descriptor of each session door (the Solaris idiom) and is notified
 *    when the client's goes.  Afterwards the daemon
 *    has had exactly one unreferenced notification per session door, one
 *    cancelled wait per killed client, never more server threads than its
 *    cap, the same descriptors open as before, and the module as many live
 *    doors as before the clients (the daemon's own two until it exits,
 *    none of them after).
 *  - the door_ucred checks, the doors' attributes, descriptors refused by
 *    the main door and never leaked by a session door;
 *  - the thread cap, and the administration door's private pool serving
 *    while every shared thread is busy;
 *  - restart over a stale door (fdetach + fattach on EBUSY), take-over of
 *    a running instance (which exits after its last session), daemon mode;
 *  - doorc's commands.
 * Built by tests/kselftest/Makefile as tests/bin/door_daemon_test.
 */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <grp.h>
#include "door_test.h"
#include "doord.h"

#define NCLIENTS	1000
#define WINDOW		4	/* clients alive at once (plus the killed one) */
#define KILL_EVERY	10

/* ---- finding and running the programs ----------------------------------- */

static char bindir[2 * PATH_MAX];

/* Where doord and doorc are: the VM's /door/examples, or examples/bin. */
static int find_bindir(void)
{
	static const char *const rel[] = { "../examples", "../../examples/bin" };
	const char *env = getenv("DOORD_BIN_DIR");
	char exe[PATH_MAX], try[2 * PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(bindir, sizeof(bindir), "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';		/* the directory */
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		snprintf(try, sizeof(try), "%s/%s/doord", exe, rel[i]);
		if (access(try, X_OK) == 0) {
			snprintf(bindir, sizeof(bindir), "%s/%s", exe, rel[i]);
			return 0;
		}
	}
	return -1;
}

static int is_doorfs_path(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs) != 0)
		return -1;
	return (unsigned long)sfs.f_type == (unsigned long)DOORFS_MAGIC;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Entries of /proc/PID/fd. */
static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/*
 * Start "doord -f -p path -t threads"; returns its pid once it has printed
 * its ready line (or -1).  Its stderr is ours (its log).
 */
static pid_t start_daemon(const char *path, int threads)
{
	char prog[sizeof(bindir) + 16], tbuf[16], line[256];
	struct pollfd pfd;
	size_t len = 0;
	int p[2], pid_seen = 0;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/doord", bindir);
	snprintf(tbuf, sizeof(tbuf), "%d", threads);
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		execl(prog, "doord", "-f", "-p", path, "-t", tbuf, (char *)NULL);
		fprintf(stderr, "# exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (len < sizeof(line) - 1 && !memchr(line, '\n', len)) {
		ssize_t r;

		if (poll(&pfd, 1, 30000) != 1)
			break;
		r = read(p[0], line + len, sizeof(line) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(p[0]);
	line[len] = '\0';
	if (sscanf(line, "doord: ready pid %d", &pid_seen) != 1 ||
	    pid_seen != pid) {
		fprintf(stderr, "# doord did not start: \"%s\"\n", line);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* SIGTERM the daemon; its exit status (see child_exit_code). */
static int stop_daemon(pid_t pid)
{
	if (kill(pid, SIGTERM) != 0)
		return -1;
	return child_exit_code(wait_child(pid, 30));
}

/*
 * Run a program with argv (argv[0] is looked up in bindir) as uid (0:
 * unchanged), its stdout into out; returns its exit code.
 */
static int run_prog(char *const argv[], uid_t uid, char *out, size_t size)
{
	char prog[sizeof(bindir) + 16];
	size_t len = 0;
	int p[2], code;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/%s", bindir, argv[0]);
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		if (uid != 0 && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
				 setresuid(uid, uid, uid)))
			_exit(126);
		execv(prog, argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], out + len, size - 1 - len);

		if (r <= 0 || len + (size_t)r >= size - 1) {
			if (r > 0)
				len += (size_t)r;
			break;
		}
		len += (size_t)r;
	}
	out[len] = '\0';
	close(p[0]);
	code = child_exit_code(wait_child(pid, 30));
	return code;
}

/* ---- talking to the daemon ------------------------------------------------ */

/*
 * Call d with request (op, arg, data) and descriptors; the reply is copied
 * into out.  Returns the reply's status (0 or an errno value), or -1 with
 * errno if the call itself failed.  A returned descriptor goes to *fdp.
 */
static int dcall(int d, uint32_t op, uint64_t arg, const void *data,
		 size_t len, door_desc_t *dd, uint_t nd, void *out,
		 size_t outsize, int *fdp)
{
	char req[sizeof(struct doord_req) + 256];
	char rbuf[sizeof(struct doord_stats) + 256];
	struct doord_req *rq = (struct doord_req *)req;
	door_arg_t a;
	int status;

	if (len > 256) {
		errno = E2BIG;
		return -1;
	}
	memset(rq, 0, sizeof(*rq));
	rq->version = DOORD_VERSION;
	rq->op = op;
	rq->arg = arg;
	if (len)
		memcpy(req + sizeof(*rq), data, len);
	a = (door_arg_t){ req, sizeof(*rq) + len, dd, nd, rbuf, sizeof(rbuf) };
	if (door_call(d, &a) != 0)
		return -1;
	if (a.data_size < sizeof(struct doord_reply)) {
		errno = EPROTO;
		return -1;
	}
	status = ((struct doord_reply *)(void *)a.data_ptr)->status;
	if (out)
		memcpy(out, a.data_ptr, a.data_size < outsize ? a.data_size : outsize);
	if (fdp)
		*fdp = a.desc_num == 1 ? a.desc_ptr[0].d_data.d_desc.d_descriptor : -1;
	if (a.rbuf != rbuf)
		munmap(a.rbuf, a.rsize);
	return status;
}

/* A door obtained from the main door at path (OPEN: session, ADMIN). */
static int get_door(const char *path, uint32_t op)
{
	int m = open(path, O_RDONLY | O_CLOEXEC), d = -1, st;

	if (m < 0)
		return -1;
	st = dcall(m, op, 0, NULL, 0, NULL, 0, NULL, 0, &d);
	close(m);
	if (st != 0) {
		if (d >= 0)
			close(d);
		errno = st > 0 ? st : errno;
		return -1;
	}
	/*
	 * Received descriptors are not close-on-exec (as on illumos): keep
	 * the sessions out of the daemons this test starts with exec.
	 */
	if (d >= 0)
		(void)fcntl(d, F_SETFD, FD_CLOEXEC);
	return d;
}

static int get_stats(int admin, struct doord_stats *s)
{
	memset(s, 0, sizeof(*s));
	return dcall(admin, DOORD_A_STATS, 0, NULL, 0, NULL, 0, s, sizeof(*s),
		     NULL);
}

static pid_t ping(const char *path)
{
	struct doord_reply r;
	int m = open(path, O_RDONLY | O_CLOEXEC), st;

	if (m < 0)
		return -1;
	st = dcall(m, DOORD_OP_PING, 0, NULL, 0, NULL, 0, &r, sizeof(r), NULL);
	close(m);
	return st == 0 ? (pid_t)r.value : -1;
}

static int echo_ok(int s, const char *msg)
{
	char out[sizeof(struct doord_reply) + 128];
	size_t n = strlen(msg);

	memset(out, 0, sizeof(out));
	if (dcall(s, DOORD_S_ECHO, 0, msg, n, NULL, 0, out, sizeof(out), NULL))
		return 0;
	return memcmp(out + sizeof(struct doord_reply), msg, n) == 0;
}

/*
 * A client process: open the path, take a session, echo, whoami, and with
 * notify_fd >= 0 wait in the daemon (passing notify_fd, released) until
 * killed.  Exits 0, or a code saying which step failed.
 */
static void client_main(const char *path, int i, int notify_fd)
{
	struct doord_whoami who;
	char msg[32];
	int s;

	s = get_door(path, DOORD_OP_OPEN);
	if (s < 0)
		_exit(10);
	snprintf(msg, sizeof(msg), "client %d", i);
	if (!echo_ok(s, msg))
		_exit(11);
	memset(&who, 0, sizeof(who));
	if (dcall(s, DOORD_S_WHOAMI, 0, NULL, 0, NULL, 0, &who, sizeof(who),
		  NULL) != 0)
		_exit(12);
	if (who.opener_pid != getpid() || who.caller_pid != getpid() ||
	    who.caller_euid != geteuid())
		_exit(13);
	if (notify_fd >= 0) {
		door_desc_t dd = { .d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE };

		dd.d_data.d_desc.d_descriptor = notify_fd;
		dcall(s, DOORD_S_WAIT, 0, NULL, 0, &dd, 1, NULL, 0, NULL);
		_exit(14);	/* should have been killed */
	}
	if (i & 1)
		close(s);	/* the others close it by exiting */
	_exit(0);
}

/*
 * Fork a client that waits in the daemon; returns its pid once the daemon
 * reports the wait has begun (-1 on failure).
 */
static pid_t start_waiter(const char *path, int i)
{
	struct pollfd pfd;
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		client_main(path, i, p[1]);
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	if (poll(&pfd, 1, 30000) != 1 || read(p[0], &c, 1) != 1 || c != 'W') {
		close(p[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(p[0]);
	return pid;
}

/* ---- fixture ------------------------------------------------------------------ */

FIXTURE(dd) {
	char dir[64];
	char path[96];
	long long doors0;
	pid_t daemons[4];
	int ndaemons;
};

FIXTURE_SETUP(dd)
{
	if (find_bindir() != 0)
		ASSERT_TRUE(0) TH_LOG("doord not found (set DOORD_BIN_DIR)");
	strcpy(self->dir, "/tmp/doord.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->path, sizeof(self->path), "%s/door", self->dir);
	self->doors0 = live_doors();
	ASSERT_LE(0, self->doors0);
}

FIXTURE_TEARDOWN(dd)
{
	char cmd[128];

	for (int i = 0; i < self->ndaemons; i++)
		if (self->daemons[i] > 0)
			kill(self->daemons[i], SIGKILL);
	for (int i = 0; i < 8 && is_doorfs_path(self->path) == 1; i++)
		umount2(self->path, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd) != 0)
		TH_LOG("could not remove %s", self->dir);
}

static pid_t track(FIXTURE_DATA(dd) *self, pid_t pid)
{
	if (pid > 0 && self->ndaemons < (int)ARRAY_SIZE(self->daemons))
		self->daemons[self->ndaemons++] = pid;
	return pid;
}


/* On a hang: what the daemon and the clients are doing (kernel stacks). */
static void dump_state(int admin, pid_t daemon, const pid_t *pids, int n)
{
	struct doord_stats s;
	char path[320], line[256];
	struct dirent *e;
	FILE *f;
	DIR *dir;

	if (get_stats(admin, &s) == 0)
		fprintf(stderr, "# daemon: sessions opened %llu live %llu unrefs %llu; "
			"waits started %llu active %llu cancelled %llu; threads "
			"live %u peak %u started %u\n",
			(unsigned long long)s.sessions_opened,
			(unsigned long long)s.sessions_live,
			(unsigned long long)s.session_unrefs,
			(unsigned long long)s.waits_started,
			(unsigned long long)s.waits_active,
			(unsigned long long)s.waits_cancelled, s.threads_live,
			s.threads_peak, s.threads_started);
	else
		fprintf(stderr, "# daemon: no stats\n");
	for (int i = -1; i < n; i++) {
		pid_t pid = i < 0 ? daemon : pids[i];

		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		dir = opendir(path);
		if (!dir)
			continue;
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%s/stack",
				 (int)pid, e->d_name);
			fprintf(stderr, "# %s %d task %s:\n",
				i < 0 ? "daemon" : "client", (int)pid, e->d_name);
			f = fopen(path, "re");
			while (f && fgets(line, sizeof(line), f))
				fprintf(stderr, "#   %s", line);
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "/proc/%d/task/%s/status",
				 (int)pid, e->d_name);
			f = fopen(path, "re");
			while (f && fgets(line, sizeof(line), f))
				if (!strncmp(line, "SigBlk:", 7))
					fprintf(stderr, "#   %s", line);
			if (f)
				fclose(f);
		}
		closedir(dir);
	}
}

/* ---- 1,000 clients ------------------------------------------------------------- */

TEST_F_TIMEOUT(dd, thousand_clients, 600)
{
	struct doord_stats s0, s1;
	pid_t daemon, running[WINDOW];
	int admin, fds0, nrun = 0, killed = 0, failed = 0, first_bad = 0;
	long long t0, ms;
	const int cap = 4;

	daemon = track(self, start_daemon(self->path, cap));
	ASSERT_LT(0, daemon);
	admin = get_door(self->path, DOORD_OP_ADMIN);
	ASSERT_LE(0, admin) TH_LOG("admin door: %s", strerror(errno));
	ASSERT_EQ(0, get_stats(admin, &s0));
	fds0 = count_fds(daemon);
	ASSERT_LT(0, fds0);
	EXPECT_EQ(self->doors0 + 2, live_doors())
		TH_LOG("the daemon should have its main and admin doors");

	t0 = now_ms();
	for (int i = 0; i < NCLIENTS || nrun > 0;) {
		int status;
		pid_t pid;

		if (i < NCLIENTS && i % KILL_EVERY == KILL_EVERY - 1) {
			/* Killed while its call waits in the daemon. */
			pid = start_waiter(self->path, i);
			if (pid < 0) {
				failed++;
				first_bad = first_bad ? first_bad : 1000 + i;
			} else {
				kill(pid, SIGKILL);
				status = wait_child(pid, 30);
				if (status == -1 || !WIFSIGNALED(status) ||
				    WTERMSIG(status) != SIGKILL) {
					failed++;
					first_bad = first_bad ? first_bad : 2000 + i;
				}
				killed++;
			}
			i++;
			continue;
		}
		if (i < NCLIENTS && nrun < WINDOW) {
			pid = fork_child();
			ASSERT_LE(0, pid);
			if (pid == 0)
				client_main(self->path, i, -1);
			running[nrun++] = pid;
			i++;
			continue;
		}
		hang_guard(60);
		pid = waitpid(-1, &status, 0);
		hang_guard(0);
		if (pid < 0)
			dump_state(admin, daemon, running, nrun);
		ASSERT_LT(0, pid) TH_LOG("waitpid: %s", strerror(errno));
		ASSERT_NE(daemon, pid) TH_LOG("the daemon died (status 0x%x)", status);
		for (int k = 0; k < nrun; k++) {
			if (running[k] == pid) {
				running[k] = running[--nrun];
				break;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			failed++;
			if (!first_bad)
				first_bad = WIFEXITED(status) ?
					    WEXITSTATUS(status) : 500 + WTERMSIG(status);
		}
	}
	ms = now_ms() - t0;
	TH_LOG("%d clients (%d killed mid-call) in %lld ms", NCLIENTS, killed, ms);
	EXPECT_EQ(0, failed) TH_LOG("first failure: code %d", first_bad);
	EXPECT_EQ(NCLIENTS / KILL_EVERY, killed);

	/* Every session is over once the daemon has had its notifications. */
	memset(&s1, 0, sizeof(s1));
	hang_guard(60);
	EXPECT_EQ(0, dcall(admin, DOORD_A_WAIT_IDLE, 30000, NULL, 0, NULL, 0,
			   &s1, sizeof(s1), NULL)) TH_LOG("sessions left: %llu",
							 (unsigned long long)s1.sessions_live);
	hang_guard(0);
	EXPECT_EQ((uint64_t)NCLIENTS, s1.sessions_opened - s0.sessions_opened);
	EXPECT_EQ((uint64_t)NCLIENTS, s1.session_unrefs - s0.session_unrefs)
		TH_LOG("exactly one notification per session door");
	EXPECT_EQ((uint64_t)0, s1.unref_duplicates);
	EXPECT_EQ((uint64_t)0, s1.unref_unknown);
	EXPECT_EQ((uint64_t)0, s1.sessions_live);
	EXPECT_EQ((uint64_t)0, s1.open_failures);
	EXPECT_EQ((uint64_t)0, s1.refused);
	EXPECT_EQ((uint64_t)NCLIENTS / KILL_EVERY, s1.waits_started);
	EXPECT_EQ((uint64_t)NCLIENTS / KILL_EVERY, s1.waits_cancelled)
		TH_LOG("a killed client's wait was not cancelled");
	EXPECT_EQ((uint64_t)0, s1.waits_active);
	EXPECT_GE((uint32_t)cap, s1.threads_peak);
	EXPECT_LE(1U, s1.threads_live);
	EXPECT_GE((uint32_t)cap, s1.threads_live);
	EXPECT_GE(2U, s1.admin_threads_peak);
	EXPECT_EQ((uint64_t)0, s1.main_unrefs);
	TH_LOG("threads: %u live, peak %u, %u started; admin peak %u",
	       s1.threads_live, s1.threads_peak, s1.threads_started,
	       s1.admin_threads_peak);

	/* No door object and no descriptor left behind. */
	EXPECT_EQ(self->doors0 + 2, wait_live_doors(self->doors0 + 2, 10000))
		TH_LOG("session doors not freed");
	EXPECT_EQ(fds0, count_fds(daemon)) TH_LOG("descriptors leaked");
	EXPECT_EQ(s0.fds_open, s1.fds_open);

	/* Still serving. */
	EXPECT_EQ(daemon, ping(self->path));

	ASSERT_EQ(0, close(admin));
	EXPECT_EQ(0, stop_daemon(daemon));
	EXPECT_EQ(0, is_doorfs_path(self->path)) TH_LOG("still attached after exit");
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 10000));
}

/* ---- checks, attributes, descriptors --------------------------------------------- */

static void unpriv_checks(const char *path, int session, int admin)
{
	struct doord_whoami who;
	int st, mine;

	CHILD_CHECK(10, setgroups(0, NULL) == 0);
	CHILD_CHECK(11, setresgid(1000, 1000, 1000) == 0);
	CHILD_CHECK(12, setresuid(1000, 1000, 1000) == 0);
	/* Someone else's session. */
	st = dcall(session, DOORD_S_ECHO, 0, "x", 1, NULL, 0, NULL, 0, NULL);
	CHILD_CHECK(13, st == EPERM);
	/* The admin door, from the main door and directly. */
	errno = 0;
	CHILD_CHECK(14, get_door(path, DOORD_OP_ADMIN) == -1 && errno == EPERM);
	st = dcall(admin, DOORD_A_STATS, 0, NULL, 0, NULL, 0, NULL, 0, NULL);
	CHILD_CHECK(15, st == EPERM);
	/* A session of its own works. */
	mine = get_door(path, DOORD_OP_OPEN);
	CHILD_CHECK(16, mine >= 0);
	CHILD_CHECK(17, echo_ok(mine, "mine"));
	CHILD_CHECK(18, dcall(mine, DOORD_S_WHOAMI, 0, NULL, 0, NULL, 0, &who,
			      sizeof(who), NULL) == 0);
	CHILD_CHECK(19, who.opener_euid == 1000 && who.caller_euid == 1000);
	_exit(0);
}

/*
 * door_ucred checks: a session serves only the user that opened it, the
 * admin door only root and the daemon's user (from the main door or
 * passed on).  The doors' attributes.  The main door refuses descriptors
 * (DOOR_REFUSE_DESC: ENOTSUP); descriptors passed to a session door are
 * closed by the daemon, not leaked.
 */
TEST_F(dd, ucred_checks_attributes_descriptors)
{
	door_desc_t dd[3];
	struct doord_stats s;
	int admin, session, m, p[2], fds0;
	door_info_t di;
	pid_t daemon, pid;
	char c;

	daemon = track(self, start_daemon(self->path, 4));
	ASSERT_LT(0, daemon);
	admin = get_door(self->path, DOORD_OP_ADMIN);
	ASSERT_LE(0, admin);
	fds0 = count_fds(daemon);
	ASSERT_LT(0, fds0);
	session = get_door(self->path, DOORD_OP_OPEN);
	ASSERT_LE(0, session);
	/* The Solaris idiom: the daemon keeps one descriptor per session. */
	EXPECT_EQ(fds0 + 1, count_fds(daemon));

	m = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, door_info(m, &di));
	EXPECT_EQ(daemon, di.di_target);
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_UNREF));
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_REFUSE_DESC));
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_NO_CANCEL));
	ASSERT_EQ(0, door_info(session, &di));
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_UNREF));
	EXPECT_FALSE(HAS(di.di_attributes, DOOR_NO_CANCEL));
	EXPECT_FALSE(HAS(di.di_attributes, DOOR_PRIVATE));
	ASSERT_EQ(0, door_info(admin, &di));
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_PRIVATE));

	/* The main door refuses descriptors. */
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	dd[0] = (door_desc_t){ .d_attributes = DOOR_DESCRIPTOR };
	dd[0].d_data.d_desc.d_descriptor = p[1];
	errno = 0;
	EXPECT_EQ(-1, dcall(m, DOORD_OP_PING, 0, NULL, 0, dd, 1, NULL, 0, NULL));
	EXPECT_EQ(ENOTSUP, errno);
	ASSERT_EQ(0, close(m));

	/* Descriptors sent to a session are closed: the pipe reads EOF. */
	for (int i = 0; i < 3; i++) {
		dd[i] = (door_desc_t){ .d_attributes = DOOR_DESCRIPTOR |
						       DOOR_RELEASE };
		dd[i].d_data.d_desc.d_descriptor = i == 0 ? p[1] : dup(p[1]);
	}
	EXPECT_EQ(0, dcall(session, DOORD_S_ECHO, 0, "d", 1, dd, 3, NULL, 0,
			   NULL));
	hang_guard(20);
	EXPECT_EQ(0, read(p[0], &c, 1)) TH_LOG("the daemon kept a descriptor");
	hang_guard(0);
	close(p[0]);

	/* Another user. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		unpriv_checks(self->path, session, admin);
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 30)));
	ASSERT_EQ(0, get_stats(admin, &s));
	EXPECT_EQ((uint64_t)3, s.refused);

	ASSERT_EQ(0, close(session));
	ASSERT_EQ(0, dcall(admin, DOORD_A_WAIT_IDLE, 20000, NULL, 0, NULL, 0,
			   &s, sizeof(s), NULL));
	EXPECT_EQ((uint64_t)2, s.session_unrefs);
	EXPECT_EQ(fds0, count_fds(daemon));
	ASSERT_EQ(0, close(admin));
	EXPECT_EQ(0, stop_daemon(daemon));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 10000));
}

/* ---- thread cap and the private pool ----------------------------------------------- */

/* door_pool_waiting_calls of descriptor fd (/proc/self/fdinfo). */
static int waiting_calls(int fd)
{
	char path[64], line[128];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "door_pool_waiting_calls: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * With -t 2, two clients waiting in the daemon take both shared threads:
 * a third client's call waits in the pool (the cap holds), while the
 * administration door, served by its private pool, still answers.  When
 * one waiting client is killed, its thread's wait is cancelled, the
 * thread is replaced, and the third client is served.  A notification
 * ends the other wait normally.
 */
TEST_F(dd, thread_cap_and_private_pool)
{
	struct doord_stats s;
	pid_t daemon, w1, w2, c3;
	int admin, m, status;
	long long t;

	daemon = track(self, start_daemon(self->path, 2));
	ASSERT_LT(0, daemon);
	admin = get_door(self->path, DOORD_OP_ADMIN);
	ASSERT_LE(0, admin);
	w1 = start_waiter(self->path, 1);
	ASSERT_LT(0, w1);
	w2 = start_waiter(self->path, 2);
	ASSERT_LT(0, w2);

	ASSERT_EQ(0, get_stats(admin, &s)) TH_LOG("admin door not served");
	EXPECT_EQ((uint64_t)2, s.waits_active);
	EXPECT_EQ(2U, s.threads_live);
	EXPECT_EQ(2U, s.threads_peak);

	/* A third client: its call has to wait for a thread. */
	m = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, m);
	c3 = fork_child();
	ASSERT_LE(0, c3);
	if (c3 == 0)
		client_main(self->path, 3, -1);
	for (t = now_ms(); waiting_calls(m) != 1 && now_ms() - t < 20000;)
		usleep(1000);
	EXPECT_EQ(1, waiting_calls(m)) TH_LOG("the third call is not waiting");
	ASSERT_EQ(0, get_stats(admin, &s));
	EXPECT_EQ(2U, s.threads_peak) TH_LOG("the cap did not hold");

	/* Kill one waiter: cancelled, replaced, the third client served. */
	ASSERT_EQ(0, kill(w1, SIGKILL));
	status = wait_child(w1, 30);
	EXPECT_TRUE(status != -1 && WIFSIGNALED(status));
	EXPECT_EQ(0, child_exit_code(wait_child(c3, 30)))
		TH_LOG("the third client was not served");
	ASSERT_EQ(0, get_stats(admin, &s));
	EXPECT_EQ((uint64_t)1, s.waits_cancelled);
	EXPECT_EQ(2U, s.threads_peak);
	EXPECT_GE(2U, s.threads_live);

	/* A notification ends the other wait normally. */
	EXPECT_EQ(0, dcall(admin, DOORD_A_NOTIFY, 0, NULL, 0, NULL, 0, NULL, 0,
			   NULL));
	status = wait_child(w2, 30);
	/* client_main exits 14 when its wait returns instead of being killed. */
	EXPECT_EQ(14, child_exit_code(status));
	ASSERT_EQ(0, dcall(admin, DOORD_A_WAIT_IDLE, 20000, NULL, 0, NULL, 0,
			   &s, sizeof(s), NULL));
	EXPECT_EQ((uint64_t)1, s.waits_notified);
	EXPECT_EQ((uint64_t)3, s.session_unrefs);
	EXPECT_EQ((uint64_t)0, s.waits_active);
	close(m);
	close(admin);
	EXPECT_EQ(0, stop_daemon(daemon));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 10000));
}

/* ---- restart, take-over, daemon mode ------------------------------------------------- */

/*
 * The daemon is SIGKILLed: its door stays attached, dead (EBADF).  A new
 * instance replaces it (fattach EBUSY -> fdetach -> fattach), even while
 * a client still holds the dead door opened through the path; the dead
 * door is freed once that client lets go.
 */
TEST_F(dd, restart_replaces_stale_door)
{
	door_info_t di;
	pid_t a, b;
	int m, status;

	a = track(self, start_daemon(self->path, 4));
	ASSERT_LT(0, a);
	ASSERT_EQ(a, ping(self->path));
	ASSERT_EQ(0, kill(a, SIGKILL));
	status = wait_child(a, 30);
	ASSERT_TRUE(status != -1 && WIFSIGNALED(status));
	m = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, m);
	errno = 0;
	EXPECT_EQ(-1, door_call(m, NULL));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, door_info(m, &di));
	EXPECT_EQ(-1, di.di_target);

	/* A stale client still holds the dead door, opened through the path. */
	b = track(self, start_daemon(self->path, 4));
	ASSERT_LT(0, b) TH_LOG("the new instance could not replace the stale door");
	EXPECT_EQ(b, ping(self->path));
	ASSERT_EQ(0, door_info(m, &di));
	EXPECT_EQ(-1, di.di_target) TH_LOG("the stale descriptor changed door");
	ASSERT_EQ(0, close(m));
	EXPECT_EQ(0, stop_daemon(b));
	EXPECT_EQ(0, is_doorfs_path(self->path));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 10000))
		TH_LOG("the dead instance's door was not freed");
}

/*
 * A second instance takes the path over from a running one.  The first
 * learns it from its main door's unreferenced notification; it goes on
 * serving its open session and exits once that is closed, without
 * detaching the new instance's door.
 */
TEST_F(dd, takeover_of_running_instance)
{
	pid_t a, b;
	int sa;

	a = track(self, start_daemon(self->path, 4));
	ASSERT_LT(0, a);
	sa = get_door(self->path, DOORD_OP_OPEN);
	ASSERT_LE(0, sa);
	b = track(self, start_daemon(self->path, 4));
	ASSERT_LT(0, b);
	EXPECT_EQ(b, ping(self->path));
	EXPECT_TRUE(echo_ok(sa, "old session")) TH_LOG("the old instance stopped serving");
	ASSERT_EQ(0, close(sa));
	EXPECT_EQ(0, child_exit_code(wait_child(a, 30)))
		TH_LOG("the old instance did not exit after its last session");
	EXPECT_EQ(b, ping(self->path)) TH_LOG("the old instance detached the new door");
	EXPECT_EQ(0, stop_daemon(b));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 10000));
}

/*
 * Without -f, doord becomes a daemon: the command exits 0 once the door
 * is published, the daemon is another process, detached from our
 * terminal and descriptors, and SIGTERM stops it and detaches the path.
 */
TEST_F(dd, daemon_mode)
{
	char prog[sizeof(bindir) + 16], link[64], target[64];
	struct pollfd pfd;
	pid_t launcher, d;
	int pidfd;
	ssize_t n;

	snprintf(prog, sizeof(prog), "%s/doord", bindir);
	launcher = fork_child();
	ASSERT_LE(0, launcher);
	if (launcher == 0) {
		execl(prog, "doord", "-p", self->path, (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(0, child_exit_code(wait_child(launcher, 30)));
	EXPECT_EQ(1, is_doorfs_path(self->path)) TH_LOG("not published on return");
	d = track(self, ping(self->path));
	ASSERT_LT(0, d);
	EXPECT_NE(launcher, d);
	snprintf(link, sizeof(link), "/proc/%d/fd/0", (int)d);
	n = readlink(link, target, sizeof(target) - 1);
	ASSERT_LT(0, n);
	target[n] = '\0';
	EXPECT_STREQ("/dev/null", target);
	EXPECT_EQ(getsid(d), d) TH_LOG("not a session leader");

	pidfd = (int)syscall(SYS_pidfd_open, d, 0);
	ASSERT_LE(0, pidfd);
	ASSERT_EQ(0, kill(d, SIGTERM));
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 30000)) TH_LOG("the daemon did not exit");
	close(pidfd);
	EXPECT_EQ(0, is_doorfs_path(self->path));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 10000));
}

/* ---- doorc ---------------------------------------------------------------------------- */

TEST_F(dd, doorc_commands)
{
	char out[4096], want[128], *p = self->path;
	struct doord_stats s;
	pid_t daemon, w;
	int admin;
	long long t;

	daemon = track(self, start_daemon(self->path, 4));
	ASSERT_LT(0, daemon);
	admin = get_door(self->path, DOORD_OP_ADMIN);
	ASSERT_LE(0, admin);

	ASSERT_EQ(0, run_prog((char *[]){ "doorc", "-p", p, "ping", NULL }, 0,
			      out, sizeof(out)));
	snprintf(want, sizeof(want), "pid=%d\n", (int)daemon);
	EXPECT_STREQ(want, out);
	ASSERT_EQ(0, run_prog((char *[]){ "doorc", "-p", p, "echo", "hello",
					  "doors", NULL }, 0, out, sizeof(out)));
	EXPECT_STREQ("hello doors\n", out);
	ASSERT_EQ(0, run_prog((char *[]){ "doorc", "-p", p, "whoami", NULL },
			      1000, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "opener_euid=1000 ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "caller_euid=1000")) TH_LOG("%s", out);
	/* stats and notify are for root. */
	EXPECT_EQ(1, run_prog((char *[]){ "doorc", "-p", p, "stats", NULL },
			      1000, out, sizeof(out)));

	/* wait, ended by notify. */
	w = fork_child();
	ASSERT_LE(0, w);
	if (w == 0) {
		char o[64];
		int code = run_prog((char *[]){ "doorc", "-p", p, "wait", NULL },
				    0, o, sizeof(o));

		_exit(code == 0 && strcmp(o, "generation=1\n") == 0 ? 0 : 1);
	}
	for (t = now_ms(); now_ms() - t < 20000; usleep(1000))
		if (get_stats(admin, &s) == 0 && s.waits_active == 1)
			break;
	EXPECT_EQ((uint64_t)1, s.waits_active);
	ASSERT_EQ(0, run_prog((char *[]){ "doorc", "-p", p, "notify", NULL }, 0,
			      out, sizeof(out)));
	EXPECT_STREQ("generation=1\n", out);
	EXPECT_EQ(0, child_exit_code(wait_child(w, 30)));

	ASSERT_EQ(0, dcall(admin, DOORD_A_WAIT_IDLE, 20000, NULL, 0, NULL, 0,
			   &s, sizeof(s), NULL));
	ASSERT_EQ(0, run_prog((char *[]){ "doorc", "-p", p, "stats", NULL }, 0,
			      out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "sessions_opened=3\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "session_unrefs=3\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "sessions_live=0\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "refused=1\n")) TH_LOG("%s", out);
	close(admin);
	EXPECT_EQ(0, stop_daemon(daemon));
}

TEST_HARNESS_MAIN
