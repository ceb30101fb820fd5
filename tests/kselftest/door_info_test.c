// SPDX-License-Identifier: GPL-2.0
/*
 * door_info_test - door_info(3C): the fields in the creator and in another
 * process, uniquifiers, DOOR_QUERY, DOOR_IS_UNREF, and EBADF.
 */
#include "door_test.h"

static void plain_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	door_return(NULL, 0, NULL, 0);
}

/* In the creator: pid, procedure, cookie, DOOR_LOCAL, a nonzero id. */
TEST(fields_in_creator)
{
	static int cookie;
	door_info_t di;
	int d = door_create(plain_proc, &cookie, DOOR_REFUSE_DESC);

	ASSERT_LE(0, d);
	memset(&di, 0x5a, sizeof(di));
	ASSERT_EQ(0, door_info(d, &di));
	EXPECT_EQ(getpid(), di.di_target);
	EXPECT_EQ((door_ptr_t)(uintptr_t)plain_proc, di.di_proc);
	EXPECT_EQ((door_ptr_t)(uintptr_t)&cookie, di.di_data);
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_LOCAL));
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_REFUSE_DESC));
	EXPECT_FALSE(HAS(di.di_attributes, DOOR_REVOKED));
	EXPECT_NE(0ULL, di.di_uniquifier);
}

/* In a forked child: same door (id), parent's pid, not DOOR_LOCAL. */
TEST(fields_in_forked_child)
{
	static int cookie;
	door_info_t mine, theirs;
	int d = door_create(plain_proc, &cookie, 0), p[2];
	pid_t pid;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_info(d, &mine));
	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		door_info_t di;

		close(p[0]);
		CHILD_CHECK(10, door_info(d, &di) == 0);
		CHILD_CHECK(11, put_all(p[1], &di, sizeof(di)) == 0);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(0, get_all(p[0], &theirs, sizeof(theirs)));
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	EXPECT_EQ(getpid(), theirs.di_target);
	EXPECT_FALSE(HAS(theirs.di_attributes, DOOR_LOCAL))
		TH_LOG("child sees DOOR_LOCAL on its parent's door");
	EXPECT_EQ(mine.di_uniquifier, theirs.di_uniquifier);
	EXPECT_EQ(mine.di_proc, theirs.di_proc);
	EXPECT_EQ(mine.di_data, theirs.di_data);
	EXPECT_FALSE(HAS(theirs.di_attributes, DOOR_REVOKED));
}

/* Uniquifiers are nonzero, distinct, and not reused after close. */
TEST(uniquifier_unique_and_nonzero)
{
	enum { N = 100 };
	door_id_t ids[2 * N];
	int d[N];

	for (int i = 0; i < N; i++) {
		d[i] = door_create(plain_proc, NULL, 0);
		ASSERT_LE(0, d[i]);
		ids[i] = door_id(d[i]);
		ASSERT_NE(0ULL, ids[i]);
	}
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, close(d[i]));
	}
	/* New doors, possibly on the same descriptor numbers. */
	for (int i = 0; i < N; i++) {
		d[i] = door_create(plain_proc, NULL, 0);
		ASSERT_LE(0, d[i]);
		ids[N + i] = door_id(d[i]);
		ASSERT_NE(0ULL, ids[N + i]);
	}
	for (int i = 0; i < 2 * N; i++) {
		for (int j = i + 1; j < 2 * N; j++) {
			ASSERT_NE(ids[i], ids[j])
				TH_LOG("doors %d and %d both have id %llu", i, j,
				       (unsigned long long)ids[i]);
		}
	}
}

/* ---- DOOR_QUERY ------------------------------------------------------ */

struct query_report {
	int ret, err;
	door_info_t di;
};

static void query_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	struct query_report rep = { 0 };

	errno = 0;
	rep.ret = door_info(DOOR_QUERY, &rep.di);
	rep.err = errno;
	door_return((char *)&rep, sizeof(rep), NULL, 0);
}

/*
 * DOOR_QUERY describes the door the calling thread is bound to (illumos
 * looks at the thread's door_bind pool only): inside a server procedure
 * run by a thread of the process pool it is EBADF, like anywhere else
 * outside a binding.  (door_pool_test checks bound threads.)  Before: it
 * described the door being served.
 */
TEST(door_query_only_for_bound_thread)
{
	static int c1;
	int d = door_create(query_proc, &c1, 0);

	ASSERT_LE(0, d);
	for (int round = 0; round < 2; round++) {
		struct query_report rep;
		door_arg_t a = { NULL, 0, NULL, 0, (char *)&rep, sizeof(rep) };

		ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
		ASSERT_EQ(sizeof(rep), a.data_size);
		EXPECT_EQ(-1, rep.ret)
			TH_LOG("DOOR_QUERY answered for a thread that is not bound");
		EXPECT_EQ(EBADF, rep.err) TH_LOG("%s", strerror(rep.err));
	}
}

/* A thread that neither serves nor is bound: DOOR_QUERY is EBADF. */
TEST(door_query_outside_invocation)
{
	door_info_t di;
	int d = door_create(plain_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL));	/* the process is a server */
	errno = 0;
	EXPECT_EQ(-1, door_info(DOOR_QUERY, &di));
	EXPECT_EQ(EBADF, errno);
}

/* ---- EBADF ------------------------------------------------------------ */

TEST(ebadf_not_a_door)
{
	door_info_t di;
	int p[2], d, nul;

	ASSERT_EQ(0, pipe(p));
	nul = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, nul);
	d = door_create(plain_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, close(d));

	int bad[] = { p[0], p[1], nul, d, DOOR_INVAL, 100000 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, door_info(bad[i], &di)) TH_LOG("fd %d", bad[i]);
		EXPECT_EQ(EBADF, errno) TH_LOG("fd %d", bad[i]);
	}
}

/*
 * EBADF before EFAULT, as illumos' door_info checks the descriptor before
 * it copies out.  Before: EFAULT for a NULL pointer, whatever the
 * descriptor.
 */
TEST(ebadf_before_efault)
{
	int p[2], d = door_create(plain_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	errno = 0;
	EXPECT_EQ(-1, door_info(p[0], NULL));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_info(DOOR_QUERY, NULL));	/* nothing bound */
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_info(d, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* ---- DOOR_IS_UNREF ------------------------------------------------------ */

/*
 * DOOR_IS_UNREF: "there is currently only one descriptor referring to the
 * door".  A dup, or a forked child's copy, is a second reference.
 */
TEST(is_unref_follows_descriptor_count)
{
	int d = door_create(plain_proc, NULL, 0), d2, p[2];
	pid_t pid;
	char c;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL));	/* server threads running */
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("one descriptor, attributes 0x%x", door_attrs(d));

	d2 = dup(d);
	ASSERT_LE(0, d2);
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));
	EXPECT_FALSE(HAS(door_attrs(d2), DOOR_IS_UNREF));
	ASSERT_EQ(0, close(d2));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));

	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) < 0)	/* hold the door until told */
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("a child holds the door too");
	close(p[1]);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("child exited, attributes 0x%x", door_attrs(d));
}

TEST_HARNESS_MAIN
