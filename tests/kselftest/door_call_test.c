// SPDX-License-Identifier: GPL-2.0
/*
 * door_call_test - door_call(3C): arguments and results of every size,
 * where results land (rbuf or a fresh mapping), params == NULL, the
 * DATA_MIN/DATA_MAX limits, bad descriptors, calls from a forked child,
 * from many threads, and from inside a server procedure.
 *
 * Also built as door_call_test_static, linked against libdoor.a.
 */
#include "door_test.h"

static atomic_int invocations;
static atomic_size_t last_arg_size;
static atomic_uintptr_t last_argp;
static atomic_uint last_n_desc;

/* Echo, and count what was seen. */
static void counting_echo(void *cookie, char *argp, size_t arg_size,
			  door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&invocations, 1);
	atomic_store(&last_arg_size, arg_size);
	atomic_store(&last_argp, (uintptr_t)argp);
	atomic_store(&last_n_desc, n_desc);
	door_return(argp, arg_size, NULL, 0);
}

/* Returns as many pattern bytes as the size_t argument asks for. */
static void big_proc(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	size_t n = 0;
	char *buf;

	if (arg_size == sizeof(n))
		memcpy(&n, argp, sizeof(n));
	buf = malloc(n ? n : 1);
	if (!buf) {
		door_return(NULL, 0, NULL, 0);
		return;
	}
	fill_pat(buf, n, 77);
	door_return(buf, n, NULL, 0);
	/* Not reached on success: the buffer is leaked, tests are short. */
	free(buf);
	door_return(NULL, 0, NULL, 0);
}

/* Echo through rbuf for many sizes, including 0 and beyond 1 MiB. */
TEST(echo_sizes)
{
	static const size_t sizes[] = {
		0, 1, 7, 8, 23, 24, 100, 4095, 4096, 4097, 16384, 16385,
		65536, 200000, 1 << 20, (1 << 20) + 3,
	};
	size_t rsize = 2 << 20;
	char *args = malloc(rsize), *rbuf = malloc(rsize);
	int d;

	ASSERT_NE(NULL, args);
	ASSERT_NE(NULL, rbuf);
	d = door_create(counting_echo, NULL, 0);
	ASSERT_LE(0, d);

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		door_arg_t a = {
			.data_ptr = n ? args : NULL, .data_size = n,
			.rbuf = rbuf, .rsize = rsize,
		};

		fill_pat(args, n, (unsigned int)i);
		memset(rbuf, 0xEE, n + 16 < rsize ? n + 16 : rsize);
		ASSERT_EQ(0, door_call(d, &a))
			TH_LOG("size %zu: %s", n, strerror(errno));
		ASSERT_EQ(n, atomic_load(&last_arg_size));
		ASSERT_EQ(n, a.data_size);
		ASSERT_EQ(rbuf, a.rbuf) TH_LOG("size %zu: rbuf moved", n);
		ASSERT_EQ(rsize, a.rsize);
		if (n) {
			ASSERT_EQ(rbuf, a.data_ptr)
				TH_LOG("size %zu: data_ptr != rbuf", n);
		}
		ASSERT_EQ(0U, a.desc_num);
		ASSERT_EQ(-1, check_pat(a.data_ptr, n, (unsigned int)i))
			TH_LOG("size %zu: results differ", n);
	}
	EXPECT_EQ((int)ARRAY_SIZE(sizes), atomic_load(&invocations));
	free(args);
	free(rbuf);
}

/* No arguments: the server sees size 0 and no descriptors. */
TEST(zero_byte_arguments_and_results)
{
	char rbuf[64];
	door_arg_t a = { .rbuf = rbuf, .rsize = sizeof(rbuf) };
	int d = door_create(counting_echo, NULL, 0);

	ASSERT_LE(0, d);
	a.data_size = 0;
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1, atomic_load(&invocations));
	EXPECT_EQ(0U, atomic_load(&last_arg_size));
	EXPECT_EQ(0U, atomic_load(&last_n_desc));
	EXPECT_EQ(0U, a.data_size);
	EXPECT_EQ(0U, a.desc_num);
	EXPECT_EQ(&rbuf[0], a.rbuf);
	EXPECT_EQ(sizeof(rbuf), a.rsize);
}

/* Results that do not fit: a fresh mapping; the caller's rbuf untouched. */
TEST(results_larger_than_rbuf)
{
	static const size_t sizes[] = { 65, 4096, 4097, 65536, 1 << 20 };
	long pg = sysconf(_SC_PAGESIZE);
	char small[64];
	int d = door_create(big_proc, NULL, 0);

	ASSERT_LE(0, d);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		door_arg_t a = {
			.data_ptr = (char *)&n, .data_size = sizeof(n),
			.rbuf = small, .rsize = sizeof(small),
		};

		memset(small, 0xA5, sizeof(small));
		ASSERT_EQ(0, door_call(d, &a)) TH_LOG("n %zu: %s", n,
						      strerror(errno));
		ASSERT_NE(&small[0], a.rbuf) TH_LOG("n %zu: results in rbuf", n);
		ASSERT_NE(NULL, a.rbuf);
		EXPECT_EQ(a.rbuf, a.data_ptr);
		ASSERT_EQ(n, a.data_size);
		EXPECT_LE(n, a.rsize);
		EXPECT_EQ(0U, a.rsize % (size_t)pg)
			TH_LOG("mapping size %zu not page-rounded", a.rsize);
		EXPECT_EQ(-1, check_pat(a.data_ptr, n, 77));
		for (size_t j = 0; j < sizeof(small); j++) {
			ASSERT_EQ(0xA5, (unsigned char)small[j])
				TH_LOG("caller's rbuf byte %zu changed", j);
		}
		/* The mapping is ours: writable, and munmap()able. */
		a.rbuf[a.rsize - 1] = 1;
		EXPECT_EQ(0, munmap(a.rbuf, a.rsize));
	}
}

/* Exactly rsize bytes still fit; one more does not. */
TEST(rbuf_boundary)
{
	char buf[256];
	size_t n = sizeof(buf);
	door_arg_t a = {
		.data_ptr = (char *)&n, .data_size = sizeof(n),
		.rbuf = buf, .rsize = sizeof(buf),
	};
	int d = door_create(big_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, &a));
	EXPECT_EQ(&buf[0], a.rbuf);
	EXPECT_EQ(&buf[0], a.data_ptr);
	EXPECT_EQ(sizeof(buf), a.data_size);
	EXPECT_EQ(-1, check_pat(buf, sizeof(buf), 77));

	n = sizeof(buf) + 1;
	a = (door_arg_t){ .data_ptr = (char *)&n, .data_size = sizeof(n),
			  .rbuf = buf, .rsize = sizeof(buf) };
	ASSERT_EQ(0, door_call(d, &a));
	ASSERT_NE(&buf[0], a.rbuf);
	EXPECT_EQ(sizeof(buf) + 1, a.data_size);
	EXPECT_EQ(-1, check_pat(a.data_ptr, a.data_size, 77));
	EXPECT_EQ(0, munmap(a.rbuf, a.rsize));
}

/* No result buffer at all (rbuf NULL, rsize 0): results are mapped. */
TEST(null_rbuf_gets_mapping)
{
	size_t n = 1000;
	door_arg_t a = { .data_ptr = (char *)&n, .data_size = sizeof(n) };
	int d = door_create(big_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	ASSERT_NE(NULL, a.rbuf);
	EXPECT_EQ(a.rbuf, a.data_ptr);
	EXPECT_EQ(n, a.data_size);
	EXPECT_EQ(-1, check_pat(a.data_ptr, n, 77));
	EXPECT_EQ(0, munmap(a.rbuf, a.rsize));
}

/* The usual Solaris idiom: arguments and results share one buffer. */
TEST(args_and_results_share_buffer)
{
	char buf[512];
	door_arg_t a = {
		.data_ptr = buf, .data_size = 300,
		.rbuf = buf, .rsize = sizeof(buf),
	};
	int d = door_create(counting_echo, NULL, 0);

	ASSERT_LE(0, d);
	fill_pat(buf, 300, 5);
	ASSERT_EQ(0, door_call(d, &a));
	EXPECT_EQ(&buf[0], a.data_ptr);
	EXPECT_EQ(300U, a.data_size);
	EXPECT_EQ(-1, check_pat(buf, 300, 5));
}

/* door_call(d, NULL): no arguments, the server runs, no results. */
TEST(params_null)
{
	int d = door_create(counting_echo, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1, atomic_load(&invocations));
	EXPECT_EQ(0U, atomic_load(&last_arg_size));
	EXPECT_EQ(0U, atomic_load(&last_n_desc));
	ASSERT_EQ(0, door_call(d, NULL));
	EXPECT_EQ(2, atomic_load(&invocations));
}

/* ENOBUFS outside DATA_MIN..DATA_MAX; the server is not invoked. */
TEST(enobufs_data_limits)
{
	char buf[64] = { 0 };
	door_arg_t a;
	int d = door_create(counting_echo, NULL, 0);

#define CALL_N(n) (a = (door_arg_t){ .data_ptr = buf, .data_size = (n), \
				     .rbuf = buf, .rsize = sizeof(buf) }, \
		   door_call(d, &a))
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MIN, 8));
	errno = 0;
	EXPECT_EQ(-1, CALL_N(4));
	EXPECT_EQ(ENOBUFS, errno);
	errno = 0;
	EXPECT_EQ(-1, door_call(d, NULL));	/* 0 bytes < DATA_MIN */
	EXPECT_EQ(ENOBUFS, errno);
	EXPECT_EQ(0, atomic_load(&invocations));
	EXPECT_EQ(0, CALL_N(8));
	EXPECT_EQ(1, atomic_load(&invocations));

	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, 16));
	errno = 0;
	EXPECT_EQ(-1, CALL_N(17));
	EXPECT_EQ(ENOBUFS, errno);
	EXPECT_EQ(1, atomic_load(&invocations));
	EXPECT_EQ(0, CALL_N(16));
	EXPECT_EQ(2, atomic_load(&invocations));
	EXPECT_EQ(16U, atomic_load(&last_arg_size));
#undef CALL_N
}

/* EBADF: not a door, a closed descriptor, DOOR_INVAL. */
TEST(ebadf_not_a_door)
{
	int p[2], d;

	ASSERT_EQ(0, pipe(p));
	errno = 0;
	EXPECT_EQ(-1, door_call(p[0], NULL));
	EXPECT_EQ(EBADF, errno);

	d = door_create(counting_echo, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, close(d));
	errno = 0;
	EXPECT_EQ(-1, door_call(d, NULL));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_call(DOOR_INVAL, NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, atomic_load(&invocations));
}

/* A forked child calls its parent's door; the parent serves it. */
TEST(call_from_forked_child)
{
	int d = door_create(counting_echo, NULL, 0);
	pid_t parent = getpid(), pid;

	ASSERT_LE(0, d);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char args[1000], rbuf[1000];
		door_arg_t a = { args, sizeof(args), NULL, 0, rbuf, sizeof(rbuf) };
		door_info_t di;

		fill_pat(args, sizeof(args), 9);
		CHILD_CHECK(10, door_call(d, &a) == 0);
		CHILD_CHECK(11, a.data_ptr == rbuf);
		CHILD_CHECK(12, a.data_size == sizeof(args));
		CHILD_CHECK(13, check_pat(rbuf, sizeof(rbuf), 9) == -1);
		CHILD_CHECK(14, door_info(d, &di) == 0);
		CHILD_CHECK(15, di.di_target == parent);
		CHILD_CHECK(16, !(di.di_attributes & DOOR_LOCAL));
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
	EXPECT_EQ(1, atomic_load(&invocations));
	EXPECT_EQ(1000U, atomic_load(&last_arg_size));
}

struct thr_arg {
	int d, idx, calls, bad;
	int err;
};

static void *caller_thread(void *p)
{
	struct thr_arg *t = p;

	for (int i = 0; i < t->calls; i++) {
		uint64_t v = ((uint64_t)t->idx << 32) | (uint64_t)i, r = 0;
		door_arg_t a = { (char *)&v, sizeof(v), NULL, 0,
				 (char *)&r, sizeof(r) };

		if (door_call(t->d, &a) != 0) {
			t->err = errno;
			t->bad++;
			break;
		}
		if (a.data_size != sizeof(r) || a.data_ptr != (char *)&r ||
		    r != v)
			t->bad++;
	}
	return NULL;
}

/* Concurrent callers in one process each get their own answers. */
TEST(concurrent_callers)
{
	enum { T = 8, CALLS = 500 };
	pthread_t th[T];
	struct thr_arg ta[T];
	int d = door_create(counting_echo, NULL, 0);

	ASSERT_LE(0, d);
	for (int i = 0; i < T; i++) {
		ta[i] = (struct thr_arg){ .d = d, .idx = i, .calls = CALLS };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, caller_thread, &ta[i]));
	}
	for (int i = 0; i < T; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, ta[i].bad) TH_LOG("thread %d: %d bad, errno %d",
					      i, ta[i].bad, ta[i].err);
	}
	EXPECT_EQ(T * CALLS, atomic_load(&invocations));
}

/* A server procedure can itself call a door (nested invocation). */
static int inner_door = -1;

static void outer_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	uint64_t v = 0, r = 0;
	door_arg_t a = { (char *)&v, sizeof(v), NULL, 0, (char *)&r, sizeof(r) };

	if (arg_size == sizeof(v))
		memcpy(&v, argp, sizeof(v));
	v += 1;
	if (door_call(inner_door, &a) != 0)
		r = 0;
	else
		r += 1000;
	door_return((char *)&r, sizeof(r), NULL, 0);
}

TEST(nested_call_from_server_procedure)
{
	uint64_t v = 41, r = 0;
	door_arg_t a = { (char *)&v, sizeof(v), NULL, 0, (char *)&r, sizeof(r) };
	int outer;

	inner_door = door_create(counting_echo, NULL, 0);
	ASSERT_LE(0, inner_door);
	outer = door_create(outer_proc, NULL, 0);
	ASSERT_LE(0, outer);
	ASSERT_EQ(0, door_call(outer, &a)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1042U, r);
	EXPECT_EQ(1, atomic_load(&invocations));
}

/* The cookie given to door_create is passed to every invocation. */
static atomic_uintptr_t seen_cookie;

static void cookie_proc(void *cookie, char *argp, size_t arg_size,
			door_desc_t *dp, uint_t n_desc)
{
	atomic_store(&seen_cookie, (uintptr_t)cookie);
	door_return(NULL, 0, NULL, 0);
}

TEST(cookie_passed_to_procedure)
{
	static int c1, c2;
	int d1 = door_create(cookie_proc, &c1, 0);
	int d2 = door_create(cookie_proc, &c2, 0);

	ASSERT_LE(0, d1);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, door_call(d1, NULL));
	EXPECT_EQ((uintptr_t)&c1, atomic_load(&seen_cookie));
	ASSERT_EQ(0, door_call(d2, NULL));
	EXPECT_EQ((uintptr_t)&c2, atomic_load(&seen_cookie));
	ASSERT_EQ(0, door_call(d1, NULL));
	EXPECT_EQ((uintptr_t)&c1, atomic_load(&seen_cookie));
}

/*
 * Large results under load: a single server thread serves three client
 * processes, so the next call is handed to it as soon as it returns.  The
 * results of 64 KiB must reach each caller intact, whether the procedure
 * echoes its arguments (which libdoor may keep in a reused buffer) or
 * replies from its stack (which the next invocation reuses).
 */
#define BIG_RESULT (64 * 1024)
static atomic_int big_mode;		/* 0: echo the arguments; 1: stack */

static void big_result_proc(void *cookie, char *argp, size_t n,
			    door_desc_t *dp, uint_t nd)
{
	if (argp == DOOR_UNREF_DATA || n == 0)
		door_return(NULL, 0, NULL, 0);
	if (atomic_load(&big_mode) == 0)
		door_return(argp, n, NULL, 0);
	{
		char reply[BIG_RESULT];

		memset(reply, argp[0], sizeof(reply));
		door_return(reply, n, NULL, 0);
	}
}

static int big_result_thread(door_info_t *dip, void *(*start)(void *),
			     void *arg, void *cookie)
{
	pthread_t t;

	return pthread_create(&t, NULL, start, arg) == 0 ? 1 : -1;
}

/* In a child: 300 calls with a pattern of its own; exit 1 on corruption. */
static int big_result_client(int d, char c)
{
	char *a = malloc(BIG_RESULT), *r = malloc(BIG_RESULT);
	int bad = 0;

	if (!a || !r)
		return 2;
	for (int i = 0; i < 300; i++) {
		door_arg_t arg = { a, BIG_RESULT, NULL, 0, r, BIG_RESULT };

		memset(a, c, BIG_RESULT);
		memset(r, 0, BIG_RESULT);
		if (door_call(d, &arg) < 0)
			return 2;
		if (arg.data_size != BIG_RESULT)
			bad++;
		else
			for (size_t j = 0; j < arg.data_size; j++)
				if (arg.data_ptr[j] != c) {
					bad++;
					break;
				}
		if (arg.rbuf != r)
			munmap(arg.rbuf, arg.rsize);
	}
	return bad ? 1 : 0;
}

TEST(large_results_intact_under_load)
{
	for (int m = 0; m < 2; m++) {
		pid_t pid[3];
		int d;

		atomic_store(&big_mode, m);
		d = door_xcreate(big_result_proc, NULL, DOOR_NO_DEPLETION_CB,
				 big_result_thread, NULL, NULL, 1);
		ASSERT_LE(0, d) TH_LOG("door_xcreate: %s", strerror(errno));
		for (int k = 0; k < 3; k++) {
			pid[k] = fork_child();
			ASSERT_LE(0, pid[k]);
			if (pid[k] == 0)
				_exit(big_result_client(d, 'A' + k));
		}
		for (int k = 0; k < 3; k++) {
			int code = child_exit_code(wait_child(pid[k], 60));

			EXPECT_EQ(0, code)
				TH_LOG("mode %d client %d: corrupted results", m, k);
		}
		ASSERT_EQ(0, door_revoke(d));
	}
}

TEST_HARNESS_MAIN
