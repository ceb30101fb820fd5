// SPDX-License-Identifier: GPL-2.0
/*
 * door_pool_test - server thread pools: door_server_create(3C), when the
 * creation function runs (first door, private doors, depletion), calls
 * waiting for a thread, private pools and door_bind/door_unbind, the
 * default server threads, and door_xcreate.
 */
#include "door_test.h"

/* ---- a counting creation function -------------------------------------- */

static atomic_int n_null;		/* calls with NULL (process pool) */
static atomic_int n_priv;		/* calls with a door_info_t */
static atomic_int null_budget = INT_MAX;	/* threads it may start */
static door_info_t priv_info[8];
static atomic_int bind_err;
static atomic_ullong bound_query_id;	/* DOOR_QUERY after door_bind */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int priv_fd = -1;		/* published after door_create */
static _Thread_local int tl_bound;

static void *pool_thread(void *arg)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	door_return(NULL, 0, NULL, 0);
	return NULL;
}

static void *priv_thread(void *arg)
{
	door_info_t di;
	int fd;

	pthread_mutex_lock(&lock);
	while (priv_fd < 0)
		pthread_cond_wait(&cond, &lock);
	fd = priv_fd;
	pthread_mutex_unlock(&lock);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	if (door_bind(fd) != 0) {
		atomic_store(&bind_err, errno);
	} else {
		tl_bound = 1;
		if (door_info(DOOR_QUERY, &di) == 0)
			atomic_store(&bound_query_id, di.di_uniquifier);
	}
	door_return(NULL, 0, NULL, 0);
	return NULL;
}

static void counting_create(door_info_t *dip)
{
	if (!dip) {
		if (atomic_fetch_add(&n_null, 1) < atomic_load(&null_budget))
			start_detached(pool_thread);
	} else {
		int n = atomic_fetch_add(&n_priv, 1);

		if (n < (int)ARRAY_SIZE(priv_info))
			priv_info[n] = *dip;
		start_detached(priv_thread);
	}
}

static void other_create(door_info_t *dip)
{
	(void)dip;
}

/* ---- server procedures ---------------------------------------------------- */

struct entry_report {
	int n_null, n_priv, bound;
};

static int ev_in = -1, ev_go = -1;
static atomic_int blocking, active, max_active, invocations;

static void report_proc(void *cookie, char *argp, size_t arg_size,
			door_desc_t *dp, uint_t n_desc)
{
	struct entry_report rep = {
		.n_null = atomic_load(&n_null),
		.n_priv = atomic_load(&n_priv),
		.bound = tl_bound,
	};
	int a = atomic_fetch_add(&active, 1) + 1, m;

	atomic_fetch_add(&invocations, 1);
	while (a > (m = atomic_load(&max_active)) &&
	       !atomic_compare_exchange_weak(&max_active, &m, a))
		;
	if (atomic_load(&blocking)) {
		ev_post(ev_in);
		ev_wait(ev_go);
	}
	atomic_fetch_sub(&active, 1);
	door_return((char *)&rep, sizeof(rep), NULL, 0);
}

static int call_report(int d, struct entry_report *rep)
{
	door_arg_t a = { NULL, 0, NULL, 0, (char *)rep, sizeof(*rep) };

	memset(rep, 0xff, sizeof(*rep));
	return door_call(d, &a);
}

/* ---- tests ----------------------------------------------------------- */

TEST(server_create_returns_previous)
{
	door_server_func_t *def = door_server_create(counting_create);
#define FP(f) ((uintptr_t)(f))	/* the harness compares values with < */

	ASSERT_NE(FP(NULL), FP(def)) TH_LOG("no default creation function");
	EXPECT_NE(FP(counting_create), FP(def));
	EXPECT_EQ(FP(counting_create), FP(door_server_create(other_create)));
	EXPECT_EQ(FP(other_create), FP(door_server_create(def)));
	EXPECT_EQ(FP(def), FP(door_server_create(def)));
#undef FP
}

/*
 * The creation function runs once, with NULL, when the first non-private
 * door is created, and not for later ones; a private door does not count.
 */
TEST(created_once_with_null_for_first_door)
{
	int d1, d2, dp;

	door_server_create(counting_create);
	EXPECT_EQ(0, atomic_load(&n_null));
	dp = door_create(report_proc, NULL, DOOR_PRIVATE);
	ASSERT_LE(0, dp);
	EXPECT_EQ(0, atomic_load(&n_null)) TH_LOG("private door used the NULL call");
	EXPECT_EQ(1, atomic_load(&n_priv));
	d1 = door_create(report_proc, NULL, 0);
	ASSERT_LE(0, d1);
	EXPECT_EQ(1, atomic_load(&n_null));
	d2 = door_create(report_proc, NULL, 0);
	ASSERT_LE(0, d2);
	EXPECT_EQ(1, atomic_load(&n_null));
	EXPECT_EQ(1, atomic_load(&n_priv));
}

struct client {
	int d, ret, err;
	struct entry_report rep;
};

static void *client_thread(void *p)
{
	struct client *c = p;

	hang_guard(30);
	c->ret = call_report(c->d, &c->rep);
	c->err = errno;
	hang_guard(0);
	return NULL;
}

/*
 * With one thread in the pool, a call takes the last free thread: the
 * creation function runs (NULL) before the procedure.  Once the pool has a
 * second free thread, sequential calls always find a free thread and do not
 * create more.  (How soon a new thread reaches door_return is up to the
 * scheduler, so the test first makes sure two threads are in the pool:
 * while one is held in the procedure another call must be served by a
 * second thread; it waits for one, it never fails.)
 */
TEST(depletion_runs_creation_function_first)
{
	struct client c;
	struct entry_report rep;
	pthread_t th;
	int d, before;

	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	door_server_create(counting_create);
	d = door_create(report_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(1, atomic_load(&n_null));
	ASSERT_EQ(0, call_report(d, &rep)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(2, rep.n_null) TH_LOG("creation function did not run before "
				       "the procedure on depletion");

	atomic_store(&blocking, 1);
	c = (struct client){ .d = d };
	ASSERT_EQ(0, pthread_create(&th, NULL, client_thread, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("held call not served");
	atomic_store(&blocking, 0);
	hang_guard(20);
	ASSERT_EQ(0, call_report(d, &rep)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, c.ret) TH_LOG("%s", strerror(c.err));
	EXPECT_GE(4, atomic_load(&n_null));

	/* Two threads are free now: no sequential call depletes the pool. */
	before = atomic_load(&n_null);
	for (int i = 0; i < 50; i++) {
		ASSERT_EQ(0, call_report(d, &rep));
	}
	EXPECT_EQ(before, atomic_load(&n_null))
		TH_LOG("%d creation calls during 50 sequential calls",
		       atomic_load(&n_null) - before);
	EXPECT_EQ(0, atomic_load(&n_priv));
}

/*
 * Three calls held in their procedures at once: each took the last free
 * thread, so the creation function ran 1 + 3 times.
 */
TEST(each_concurrent_call_depletes)
{
	enum { N = 3 };
	struct client c[N];
	pthread_t th[N];
	int d;

	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	door_server_create(counting_create);
	atomic_store(&blocking, 1);
	d = door_create(report_proc, NULL, 0);
	ASSERT_LE(0, d);
	for (int i = 0; i < N; i++) {
		c[i] = (struct client){ .d = d };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, client_thread, &c[i]));
	}
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("call %d not served", i);
	}
	EXPECT_EQ(N, atomic_load(&active));
	EXPECT_EQ(1 + N, atomic_load(&n_null));
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, ev_post(ev_go));
	}
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, c[i].ret) TH_LOG("%s", strerror(c[i].err));
	}
}

/*
 * A creation function that starts only one thread ever: calls do not fail
 * for lack of threads, they wait and are served one at a time.
 */
TEST(calls_wait_for_a_free_thread)
{
	enum { N = 3 };
	struct client c[N];
	pthread_t th[N];
	int d;

	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	atomic_store(&null_budget, 1);
	door_server_create(counting_create);
	atomic_store(&blocking, 1);
	d = door_create(report_proc, NULL, 0);
	ASSERT_LE(0, d);
	for (int i = 0; i < N; i++) {
		c[i] = (struct client){ .d = d };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, client_thread, &c[i]));
	}
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("call %d not served", i);
		EXPECT_EQ(1, atomic_load(&active));
		ASSERT_EQ(0, ev_post(ev_go));
	}
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, c[i].ret) TH_LOG("call %d: %s", i, strerror(c[i].err));
	}
	EXPECT_EQ(1, atomic_load(&max_active));
	EXPECT_EQ(N, atomic_load(&invocations));
}

/*
 * A private door: the creation function gets its door_info_t at creation
 * (and again, with DOOR_DEPLETION_CB, on depletion); calls are served by
 * threads bound with door_bind, for which DOOR_QUERY names the door.
 */
TEST(private_pool)
{
	struct entry_report rep;
	door_id_t id;
	int d, pub;

	door_server_create(counting_create);
	pthread_mutex_lock(&lock);
	d = door_create(report_proc, NULL, DOOR_PRIVATE);
	priv_fd = d;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	ASSERT_LE(0, d);
	id = door_id(d);
	ASSERT_EQ(1, atomic_load(&n_priv));
	EXPECT_EQ(0, atomic_load(&n_null));
	EXPECT_EQ(id, priv_info[0].di_uniquifier);
	EXPECT_EQ((door_ptr_t)(uintptr_t)report_proc, priv_info[0].di_proc);
	EXPECT_TRUE(HAS(priv_info[0].di_attributes, DOOR_PRIVATE));
	EXPECT_FALSE(HAS(priv_info[0].di_attributes, DOOR_DEPLETION_CB));

	ASSERT_EQ(0, call_report(d, &rep)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, atomic_load(&bind_err)) TH_LOG("door_bind: %s",
						    strerror(atomic_load(&bind_err)));
	EXPECT_EQ(1, rep.bound) TH_LOG("private door served by an unbound thread");
	EXPECT_EQ(2, rep.n_priv) TH_LOG("no depletion callback for the pool");
	EXPECT_EQ(id, priv_info[1].di_uniquifier);
	EXPECT_TRUE(HAS(priv_info[1].di_attributes, DOOR_DEPLETION_CB));
	EXPECT_EQ(id, atomic_load(&bound_query_id));
	EXPECT_EQ(0, rep.n_null);

	/* An ordinary door is served by the process pool, not bound threads. */
	pub = door_create(report_proc, NULL, 0);
	ASSERT_LE(0, pub);
	ASSERT_EQ(0, call_report(pub, &rep));
	EXPECT_EQ(0, rep.bound);
	ASSERT_EQ(0, call_report(d, &rep));
	EXPECT_EQ(1, rep.bound);
}

TEST(bind_and_unbind_errors)
{
	int p[2], pub, d1, d2;

	ASSERT_EQ(0, pipe(p));
	pub = door_create(report_proc, NULL, 0);
	d1 = door_create(report_proc, NULL, DOOR_PRIVATE);
	d2 = door_create(report_proc, NULL, DOOR_PRIVATE);
	ASSERT_LE(0, pub);
	ASSERT_LE(0, d1);
	ASSERT_LE(0, d2);

	errno = 0;
	EXPECT_EQ(-1, door_bind(p[0]));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_bind(pub));
	EXPECT_EQ(EINVAL, errno) TH_LOG("bind to a non-private door");
	errno = 0;
	EXPECT_EQ(-1, door_unbind());
	EXPECT_EQ(EBADF, errno) TH_LOG("unbind when not bound");

	EXPECT_EQ(0, door_bind(d1)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(door_id(d1), door_id(DOOR_QUERY));
	EXPECT_EQ(0, door_bind(d2)) TH_LOG("rebinding: %s", strerror(errno));
	EXPECT_EQ(door_id(d2), door_id(DOOR_QUERY));
	EXPECT_EQ(0, door_unbind());
	errno = 0;
	EXPECT_EQ(-1, door_unbind());
	EXPECT_EQ(EBADF, errno);
}

/* A door belongs to its creator: another process cannot bind to it. */
TEST(bind_to_other_process_door)
{
	int d = door_create(report_proc, NULL, DOOR_PRIVATE);
	pid_t pid;

	ASSERT_LE(0, d);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		errno = 0;
		CHILD_CHECK(10, door_bind(d) == -1);
		CHILD_CHECK(11, errno == EINVAL);
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
}

/* ---- default server threads -------------------------------------------- */

struct thread_report {
	int cancel_state, detach_state, getattr_ret;
};

static void attr_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	struct thread_report rep = { -1, -1, -1 };
	pthread_attr_t attr;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &rep.cancel_state);
	rep.getattr_ret = pthread_getattr_np(pthread_self(), &attr);
	if (rep.getattr_ret == 0) {
		pthread_attr_getdetachstate(&attr, &rep.detach_state);
		pthread_attr_destroy(&attr);
	}
	door_return((char *)&rep, sizeof(rep), NULL, 0);
}

/* The default creation function: detached threads, cancellation off. */
TEST(default_threads_detached_cancel_disabled)
{
	struct thread_report rep;
	door_arg_t a = { NULL, 0, NULL, 0, (char *)&rep, sizeof(rep) };
	int d = door_create(attr_proc, NULL, 0);

	ASSERT_LE(0, d);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, door_call(d, &a));
		ASSERT_EQ(0, rep.getattr_ret);
		EXPECT_EQ(PTHREAD_CANCEL_DISABLE, rep.cancel_state);
		EXPECT_EQ(PTHREAD_CREATE_DETACHED, rep.detach_state);
	}
}

/* ---- door_xcreate ---------------------------------------------------------- */

static atomic_int xc_calls, xc_setups, xc_depletion_calls;
static atomic_int xc_decline;

static int xc_create(door_info_t *dip, void *(*start)(void *), void *arg,
		     void *crcookie)
{
	pthread_attr_t attr;
	pthread_t t;
	int r;

	atomic_fetch_add(&xc_calls, 1);
	if (dip && (dip->di_attributes & DOOR_DEPLETION_CB))
		atomic_fetch_add(&xc_depletion_calls, 1);
	if (atomic_load(&xc_decline))
		return 0;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, start, arg);
	pthread_attr_destroy(&attr);
	return r == 0 ? 1 : -1;
}

static void xc_setup(void *crcookie)
{
	if (crcookie == &xc_setups)
		atomic_fetch_add(&xc_setups, 1);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
}

/*
 * door_xcreate starts nthread bound threads (setup function run in each)
 * before it returns; the door is private.  Blocking all of them in calls
 * depletes the pool: the creation function is called again, unless the
 * door has DOOR_NO_DEPLETION_CB.
 */
static void xcreate_case(struct __test_metadata *_metadata, uint_t flags)
{
	enum { NT = 2 };
	struct client c[NT];
	pthread_t th[NT];
	int d;

	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	atomic_store(&blocking, 1);
	d = door_xcreate(report_proc, NULL, flags, xc_create, xc_setup,
			 &xc_setups, NT);
	ASSERT_LE(0, d) TH_LOG("door_xcreate: %s", strerror(errno));
	EXPECT_EQ(NT, atomic_load(&xc_calls));
	EXPECT_EQ(NT, atomic_load(&xc_setups));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_PRIVATE));

	for (int i = 0; i < NT; i++) {
		c[i] = (struct client){ .d = d };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, client_thread, &c[i]));
	}
	for (int i = 0; i < NT; i++) {
		ASSERT_EQ(0, ev_wait_ms(ev_in, 20000));
	}
	if (flags & DOOR_NO_DEPLETION_CB) {
		EXPECT_EQ(NT, atomic_load(&xc_calls));
		EXPECT_EQ(0, atomic_load(&xc_depletion_calls));
	} else {
		EXPECT_LE(NT + 1, atomic_load(&xc_calls));
		EXPECT_LE(1, atomic_load(&xc_depletion_calls));
	}
	for (int i = 0; i < NT; i++) {
		ASSERT_EQ(0, ev_post(ev_go));
	}
	for (int i = 0; i < NT; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, c[i].ret) TH_LOG("%s", strerror(c[i].err));
		EXPECT_EQ(0, c[i].rep.n_null);
	}
	/* The private pool never used the process-wide creation function. */
	EXPECT_EQ(0, atomic_load(&n_null));
}

TEST(xcreate_threads_and_depletion)
{
	door_server_create(counting_create);
	xcreate_case(_metadata, 0);
}

TEST(xcreate_no_depletion_cb)
{
	door_server_create(counting_create);
	xcreate_case(_metadata, DOOR_NO_DEPLETION_CB);
}

TEST(xcreate_einval)
{
	errno = 0;
	EXPECT_EQ(-1, door_xcreate(report_proc, NULL, 0, xc_create, NULL,
				   NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, door_xcreate(report_proc, NULL, 0, NULL, NULL, NULL, 1));
	EXPECT_EQ(EINVAL, errno);
	/* A creation function that declines at creation time: EINVAL. */
	atomic_store(&xc_decline, 1);
	errno = 0;
	EXPECT_EQ(-1, door_xcreate(report_proc, NULL, 0, xc_create, NULL,
				   NULL, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
