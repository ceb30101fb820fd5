// SPDX-License-Identifier: GPL-2.0
/*
 * door_stress_test - many clients against one server:
 *  - 16 client threads in 4 processes, 10,000 calls each; every call sends
 *    a unique value and checks that the answer is mix64(value);
 *  - the same load while the server process is SIGKILLed with calls in
 *    flight: every client returns (EINTR or EBADF), none hangs, and no
 *    door or call is left in the module.
 */
#include "door_test.h"

#define NPROC		4
#define NTHREAD		4
#define NCALLS		10000
#define BLOCK_BIT	(1ULL << 63)

static atomic_long served;

static void mix_proc(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	uint64_t v = 0;

	if (arg_size == sizeof(v))
		memcpy(&v, argp, sizeof(v));
	atomic_fetch_add(&served, 1);
	v = mix64(v);
	door_return((char *)&v, sizeof(v), NULL, 0);
}

static int call_mix(int d, uint64_t v, uint64_t *r, int *err)
{
	door_arg_t a = { (char *)&v, sizeof(v), NULL, 0, (char *)r, sizeof(*r) };

	*r = 0;
	if (door_call(d, &a) != 0) {
		*err = errno;
		return -1;
	}
	if (a.data_ptr != (char *)r || a.data_size != sizeof(*r)) {
		*err = 0;
		return -2;
	}
	return 0;
}

struct worker {
	int d, proc, thr;
	/* kill variant */
	int blocker;		/* ends with one call that the server holds */
	int progress_fd;	/* hammers write one byte after warm-up */
	/* results */
	long ok, wrong;
	int last_ret, last_err;
	uint64_t first_bad_v, first_bad_r;
};

static uint64_t value_of(const struct worker *w, long i)
{
	return ((uint64_t)w->proc << 40) | ((uint64_t)w->thr << 32) |
	       (uint64_t)i;
}

static void *load_worker(void *p)
{
	struct worker *w = p;

	for (long i = 0; i < NCALLS; i++) {
		uint64_t v = value_of(w, i), r;
		int ret = call_mix(w->d, v, &r, &w->last_err);

		if (ret != 0 || r != mix64(v)) {
			if (!w->wrong++) {
				w->first_bad_v = v;
				w->first_bad_r = r;
				w->last_ret = ret;
			}
			if (ret == -1)
				break;
		} else {
			w->ok++;
		}
	}
	return NULL;
}

/* One client process: NTHREAD workers; exit 0 iff every answer was right. */
static void client_process(int d, int proc)
{
	struct worker w[NTHREAD];
	pthread_t th[NTHREAD];
	int bad = 0;

	for (int t = 0; t < NTHREAD; t++) {
		w[t] = (struct worker){ .d = d, .proc = proc, .thr = t };
		CHILD_CHECK(10, pthread_create(&th[t], NULL, load_worker, &w[t]) == 0);
	}
	for (int t = 0; t < NTHREAD; t++) {
		CHILD_CHECK(11, pthread_join(th[t], NULL) == 0);
		if (w[t].wrong || w[t].ok != NCALLS) {
			fprintf(stderr, "# client %d.%d: %ld ok, %ld wrong; first "
				"bad: v=%#llx r=%#llx ret=%d errno=%d\n", proc,
				t, w[t].ok, w[t].wrong,
				(unsigned long long)w[t].first_bad_v,
				(unsigned long long)w[t].first_bad_r,
				w[t].last_ret, w[t].last_err);
			bad = 1;
		}
	}
	_exit(bad);
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, many_clients_one_server, 900)
{
	struct door_ioc_stats st0, st1;
	pid_t pid[NPROC];
	int d, have_stats;

	have_stats = door_stats(&st0) == 0;
	d = door_create(mix_proc, NULL, 0);
	ASSERT_LE(0, d);
	for (int p = 0; p < NPROC; p++) {
		pid[p] = fork_child();
		ASSERT_LE(0, pid[p]);
		if (pid[p] == 0)
			client_process(d, p);
	}
	for (int p = 0; p < NPROC; p++) {
		EXPECT_EQ(0, child_exit_code(wait_child(pid[p], 800)))
			TH_LOG("client process %d failed", p);
	}
	EXPECT_EQ((long)NPROC * NTHREAD * NCALLS, atomic_load(&served));
	if (have_stats) {
		ASSERT_EQ(0, door_stats(&st1));
		EXPECT_LE(st0.total_calls + (uint64_t)NPROC * NTHREAD * NCALLS,
			  st1.total_calls);
		EXPECT_EQ((long long)st0.live_calls,
			  wait_live_calls((long long)st0.live_calls, 2000));
	}
}

/* ---- the server dies under load --------------------------------------- */

static int in_call_fd = -1;	/* server: reports held calls to the parent */

static void kill_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	uint64_t v = 0;

	if (arg_size == sizeof(v))
		memcpy(&v, argp, sizeof(v));
	if (v & BLOCK_BIT) {
		if (write(in_call_fd, "b", 1) != 1)
			_exit(2);
		for (;;)
			pause();	/* held until the process is killed */
	}
	v = mix64(v);
	door_return((char *)&v, sizeof(v), NULL, 0);
}

static void *kill_worker(void *p)
{
	struct worker *w = p;
	long i;

	for (i = 0;; i++) {
		uint64_t v = value_of(w, i), r;
		int ret;

		if (w->blocker && i == 100)
			v |= BLOCK_BIT;
		if (!w->blocker && i == 100 &&
		    write(w->progress_fd, "h", 1) != 1)
			w->wrong++;
		ret = call_mix(w->d, v, &r, &w->last_err);
		if (ret == -1) {
			w->last_ret = -1;
			break;
		}
		if (ret != 0 || r != mix64(v) || (v & BLOCK_BIT)) {
			if (!w->wrong++) {
				w->first_bad_v = v;
				w->first_bad_r = r;
			}
		} else {
			w->ok++;
		}
	}
	return NULL;
}

/*
 * Threads 0 and 1 of each client end in a call the server holds; threads
 * 2 and 3 call continuously.  Exit 0 iff the held calls ended with EINTR,
 * the others with EINTR or EBADF, and every answer before was right.
 */
static void kill_client_process(int d, int proc, int progress_fd)
{
	struct worker w[NTHREAD];
	pthread_t th[NTHREAD];
	int bad = 0;

	for (int t = 0; t < NTHREAD; t++) {
		w[t] = (struct worker){ .d = d, .proc = proc, .thr = t,
					.blocker = t < 2,
					.progress_fd = progress_fd };
		CHILD_CHECK(10, pthread_create(&th[t], NULL, kill_worker, &w[t]) == 0);
	}
	for (int t = 0; t < NTHREAD; t++) {
		int e;

		CHILD_CHECK(11, pthread_join(th[t], NULL) == 0);
		e = w[t].last_err;
		if (w[t].wrong || w[t].last_ret != -1 ||
		    (w[t].blocker ? e != EINTR : (e != EINTR && e != EBADF)) ||
		    w[t].ok < 100) {
			fprintf(stderr, "# client %d.%d (%s): %ld ok, %ld wrong, "
				"ended with errno %d (%s)\n", proc, t,
				w[t].blocker ? "held call" : "hammer",
				w[t].ok, w[t].wrong, e, strerror(e));
			bad = 1;
		}
	}
	_exit(bad);
}

TEST_F_TIMEOUT(stress, server_killed_with_calls_in_flight, 300)
{
	long long doors0 = live_doors(), calls0 = live_calls();
	int sv[2], in[2], prog[2], d, status;
	pid_t server, pid[NPROC];
	char c;

	ASSERT_LE(0, doors0);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(prog, O_CLOEXEC));
	server = fork_child();
	ASSERT_LE(0, server);
	if (server == 0) {
		int sd;

		close(sv[0]);
		close(in[0]);
		in_call_fd = in[1];
		sd = door_create(kill_proc, NULL, 0);
		CHILD_CHECK(20, sd >= 0);
		CHILD_CHECK(21, send_fd(sv[1], sd) == 0);
		for (;;)
			pause();
	}
	close(sv[1]);
	close(in[1]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);

	for (int p = 0; p < NPROC; p++) {
		pid[p] = fork_child();
		ASSERT_LE(0, pid[p]);
		if (pid[p] == 0) {
			close(prog[0]);
			kill_client_process(d, p, prog[1]);
		}
	}
	close(prog[1]);
	/* 8 calls held in the server, 8 hammers past their warm-up. */
	hang_guard(120);
	for (int i = 0; i < NPROC * 2; i++) {
		ASSERT_EQ(1, read(in[0], &c, 1)) TH_LOG("held call %d missing", i);
	}
	for (int i = 0; i < NPROC * 2; i++) {
		ASSERT_EQ(1, read(prog[0], &c, 1)) TH_LOG("hammer %d missing", i);
	}
	hang_guard(0);

	ASSERT_EQ(0, kill(server, SIGKILL));
	status = wait_child(server, 30);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (int p = 0; p < NPROC; p++) {
		EXPECT_EQ(0, child_exit_code(wait_child(pid[p], 60)))
			TH_LOG("client process %d failed or hung", p);
	}

	errno = 0;
	EXPECT_EQ(-1, door_call(d, NULL));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, close(d));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 3000));
	EXPECT_EQ(calls0, wait_live_calls(calls0, 3000));
}

TEST_HARNESS_MAIN
