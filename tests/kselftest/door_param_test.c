// SPDX-License-Identifier: GPL-2.0
/*
 * door_param_test - door_getparam(3C)/door_setparam(3C): defaults, round
 * trips, who may set them, every error, and the order in which door_call
 * checks the limits (ENOBUFS, ENOTSUP, ENFILE).
 *
 * Issue 13, item 8, checked against illumos' door_sys.c: door_getparam
 * works on a revoked door and gives EFAULT for a NULL out pointer (after
 * EBADF and EINVAL); door_setparam gives EBADF (not a door, or revoked)
 * before EPERM and before anything about the parameter; door_call gives
 * EBADF for a revoked door before its size checks.
 */
#include "door_test.h"

static atomic_int invocations;

static void count_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&invocations, 1);
	for (uint_t i = 0; i < n_desc; i++)
		if (dp[i].d_attributes & DOOR_DESCRIPTOR)
			close(dp[i].d_data.d_desc.d_descriptor);
	door_return(NULL, 0, NULL, 0);
}

static size_t getp(int d, int param)
{
	size_t v = 12345;

	if (door_getparam(d, param, &v) != 0)
		return 12345;
	return v;
}

TEST(defaults)
{
	int d = door_create(count_proc, NULL, 0);
	int r = door_create(count_proc, NULL, DOOR_REFUSE_DESC);

	ASSERT_LE(0, d);
	ASSERT_LE(0, r);
	EXPECT_EQ(SIZE_MAX, getp(d, DOOR_PARAM_DATA_MAX));
	EXPECT_EQ(0U, getp(d, DOOR_PARAM_DATA_MIN));
	EXPECT_EQ((size_t)INT_MAX, getp(d, DOOR_PARAM_DESC_MAX));
	EXPECT_EQ(SIZE_MAX, getp(r, DOOR_PARAM_DATA_MAX));
	EXPECT_EQ(0U, getp(r, DOOR_PARAM_DATA_MIN));
	EXPECT_EQ(0U, getp(r, DOOR_PARAM_DESC_MAX));
}

TEST(set_get_roundtrip)
{
	int d = door_create(count_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, 100));
	EXPECT_EQ(100U, getp(d, DOOR_PARAM_DATA_MAX));
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MIN, 10));
	EXPECT_EQ(10U, getp(d, DOOR_PARAM_DATA_MIN));
	/* min == max is allowed */
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MIN, 100));
	EXPECT_EQ(100U, getp(d, DOOR_PARAM_DATA_MIN));
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DESC_MAX, 5));
	EXPECT_EQ(5U, getp(d, DOOR_PARAM_DESC_MAX));
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DESC_MAX, INT_MAX));
	EXPECT_EQ((size_t)INT_MAX, getp(d, DOOR_PARAM_DESC_MAX));
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DESC_MAX, 0));
	EXPECT_EQ(0U, getp(d, DOOR_PARAM_DESC_MAX));
	/* Back to "no limit". */
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MIN, 0));
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, SIZE_MAX));
	EXPECT_EQ(SIZE_MAX, getp(d, DOOR_PARAM_DATA_MAX));
	/* Visible through another descriptor of the same door. */
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, 4242));
	int d2 = dup(d);

	ASSERT_LE(0, d2);
	EXPECT_EQ(4242U, getp(d2, DOOR_PARAM_DATA_MAX));
}

/* Only the creating process may set; anyone holding the door may get. */
TEST(setparam_eperm_from_non_creator)
{
	int d = door_create(count_proc, NULL, 0);
	pid_t pid;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, 1234));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t v = 0;

		errno = 0;
		CHILD_CHECK(10, door_setparam(d, DOOR_PARAM_DATA_MAX, 10) == -1);
		CHILD_CHECK(11, errno == EPERM);
		errno = 0;
		CHILD_CHECK(12, door_setparam(d, DOOR_PARAM_DATA_MIN, 0) == -1);
		CHILD_CHECK(13, errno == EPERM);
		CHILD_CHECK(14, door_getparam(d, DOOR_PARAM_DATA_MAX, &v) == 0);
		CHILD_CHECK(15, v == 1234);
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
	EXPECT_EQ(1234U, getp(d, DOOR_PARAM_DATA_MAX));
}

TEST(erange_desc_max)
{
	int d = door_create(count_proc, NULL, 0);

	ASSERT_LE(0, d);
	errno = 0;
	EXPECT_EQ(-1, door_setparam(d, DOOR_PARAM_DESC_MAX, (size_t)INT_MAX + 1));
	EXPECT_EQ(ERANGE, errno);
	errno = 0;
	EXPECT_EQ(-1, door_setparam(d, DOOR_PARAM_DESC_MAX, SIZE_MAX));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ((size_t)INT_MAX, getp(d, DOOR_PARAM_DESC_MAX));
}

TEST(einval_min_above_max_and_unknown_param)
{
	size_t v;
	int d = door_create(count_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, 10));
	errno = 0;
	EXPECT_EQ(-1, door_setparam(d, DOOR_PARAM_DATA_MIN, 20));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0U, getp(d, DOOR_PARAM_DATA_MIN));

	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MIN, 5));
	errno = 0;
	EXPECT_EQ(-1, door_setparam(d, DOOR_PARAM_DATA_MAX, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(10U, getp(d, DOOR_PARAM_DATA_MAX));

	static const int bad[] = { 0, 4, 99, -1 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, door_setparam(d, bad[i], 1)) TH_LOG("param %d", bad[i]);
		EXPECT_EQ(EINVAL, errno);
		errno = 0;
		EXPECT_EQ(-1, door_getparam(d, bad[i], &v)) TH_LOG("param %d", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST(enotsup_desc_max_on_refuse_desc)
{
	int d = door_create(count_proc, NULL, DOOR_REFUSE_DESC);

	ASSERT_LE(0, d);
	errno = 0;
	EXPECT_EQ(-1, door_setparam(d, DOOR_PARAM_DESC_MAX, 1));
	EXPECT_EQ(ENOTSUP, errno);
	EXPECT_EQ(0, door_setparam(d, DOOR_PARAM_DESC_MAX, 0));
	EXPECT_EQ(0U, getp(d, DOOR_PARAM_DESC_MAX));
	/* Data limits are still settable on such a door. */
	EXPECT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, 64));
}

TEST(ebadf)
{
	size_t v;
	int p[2], d = door_create(count_proc, NULL, 0), d2;

	ASSERT_EQ(0, pipe(p));
	errno = 0;
	EXPECT_EQ(-1, door_setparam(p[0], DOOR_PARAM_DATA_MAX, 1));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_getparam(p[0], DOOR_PARAM_DATA_MAX, &v));
	EXPECT_EQ(EBADF, errno);

	/* After a revoke, setting is EBADF. */
	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, door_revoke(d));
	errno = 0;
	EXPECT_EQ(-1, door_setparam(d2, DOOR_PARAM_DATA_MAX, 10));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_setparam(d, DOOR_PARAM_DATA_MAX, 10));
	EXPECT_EQ(EBADF, errno);	/* and the revoked descriptor is gone */
}

/* ---- limits as door_call enforces them --------------------------------- */

static int call_with(int d, size_t n, int nfd, int fd)
{
	char buf[64] = { 0 };
	door_desc_t desc[4];
	door_arg_t a = { buf, n, desc, (uint_t)nfd, buf, sizeof(buf) };

	for (int i = 0; i < nfd; i++) {
		desc[i].d_attributes = DOOR_DESCRIPTOR;
		desc[i].d_data.d_desc.d_descriptor = fd;
		desc[i].d_data.d_desc.d_id = 0;
	}
	if (!nfd)
		a.desc_ptr = NULL;
	return door_call(d, &a);
}

/* DESC_MAX: one more descriptor than allowed is ENFILE. */
TEST(enfile_more_than_desc_max)
{
	int d = door_create(count_proc, NULL, 0);
	int fd = open("/dev/null", O_RDONLY);

	ASSERT_LE(0, d);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DESC_MAX, 1));
	EXPECT_EQ(0, call_with(d, 1, 1, fd)) TH_LOG("%s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, call_with(d, 1, 2, fd));
	EXPECT_EQ(ENFILE, errno);
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DESC_MAX, 0));
	errno = 0;
	EXPECT_EQ(-1, call_with(d, 1, 1, fd));
	EXPECT_EQ(ENFILE, errno);
	EXPECT_EQ(0, call_with(d, 1, 0, fd));
	EXPECT_EQ(2, atomic_load(&invocations));
}

/* ENOBUFS is checked before ENOTSUP, which is checked before ENFILE. */
TEST(limit_error_order)
{
	int r = door_create(count_proc, NULL, DOOR_REFUSE_DESC);
	int fd = open("/dev/null", O_RDONLY);

	ASSERT_LE(0, r);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, door_setparam(r, DOOR_PARAM_DATA_MAX, 8));
	errno = 0;
	EXPECT_EQ(-1, call_with(r, 16, 1, fd));	/* too big and a descriptor */
	EXPECT_EQ(ENOBUFS, errno);
	errno = 0;
	EXPECT_EQ(-1, call_with(r, 4, 1, fd));	/* size fine, descriptor refused */
	EXPECT_EQ(ENOTSUP, errno);		/* not ENFILE (DESC_MAX is 0) */
	EXPECT_EQ(0, call_with(r, 4, 0, fd));
	EXPECT_EQ(1, atomic_load(&invocations));
}

/*
 * door_getparam reads the parameters of a revoked door (illumos checks no
 * DOOR_INVALID there).  Before: EBADF.
 */
TEST(getparam_on_revoked_door)
{
	int d = door_create(count_proc, NULL, 0), d2;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DATA_MAX, 4321));
	ASSERT_EQ(0, door_setparam(d, DOOR_PARAM_DESC_MAX, 3));
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, door_revoke(d));
	EXPECT_EQ(4321U, getp(d2, DOOR_PARAM_DATA_MAX)) TH_LOG("%s",
							   strerror(errno));
	EXPECT_EQ(0U, getp(d2, DOOR_PARAM_DATA_MIN));
	EXPECT_EQ(3U, getp(d2, DOOR_PARAM_DESC_MAX));
}

/*
 * door_getparam's errors in illumos' order: EBADF (not a door), EINVAL
 * (unknown parameter), EFAULT (NULL out pointer).  Before: EINVAL for a
 * NULL out pointer, and before EBADF.
 */
TEST(getparam_errno_order)
{
	int d = door_create(count_proc, NULL, 0), p[2];

	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	errno = 0;
	EXPECT_EQ(-1, door_getparam(p[0], 99, NULL));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_getparam(d, 99, NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, door_getparam(d, DOOR_PARAM_DATA_MAX, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/*
 * door_setparam's errors in illumos' order: EBADF (not a door, or revoked)
 * before EPERM (another process's door) before the parameter's EINVAL.
 * Before: EINVAL for an unknown parameter before anything else, and EPERM
 * before EBADF for a revoked door of another process.
 */
TEST(setparam_errno_order)
{
	int d = door_create(count_proc, NULL, 0), r, r2, p[2];
	pid_t pid;

	ASSERT_LE(0, d);
	r = door_create(count_proc, NULL, 0);
	ASSERT_LE(0, r);
	r2 = dup(r);
	ASSERT_LE(0, r2);
	ASSERT_EQ(0, door_revoke(r));
	ASSERT_EQ(0, pipe(p));
	errno = 0;
	EXPECT_EQ(-1, door_setparam(p[0], 99, 1));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_setparam(r2, 99, 1));
	EXPECT_EQ(EBADF, errno);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		errno = 0;
		CHILD_CHECK(10, door_setparam(r2, DOOR_PARAM_DATA_MAX, 1) == -1);
		CHILD_CHECK(11, errno == EBADF);	/* revoked: not EPERM */
		errno = 0;
		CHILD_CHECK(12, door_setparam(d, 99, 1) == -1);
		CHILD_CHECK(13, errno == EPERM);	/* not EINVAL */
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
}

/*
 * door_call on a revoked door is EBADF whatever its size checks would
 * say (illumos tests DOOR_INVALID before door_check_limits).  Before:
 * ENOBUFS, ENOTSUP or ENFILE first.
 */
TEST(call_revoked_ebadf_before_limits)
{
	int r = door_create(count_proc, NULL, DOOR_REFUSE_DESC), r2;
	int fd = open("/dev/null", O_RDONLY);

	ASSERT_LE(0, r);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, door_setparam(r, DOOR_PARAM_DATA_MAX, 8));
	r2 = dup(r);
	ASSERT_LE(0, r2);
	ASSERT_EQ(0, door_revoke(r));
	errno = 0;
	EXPECT_EQ(-1, call_with(r2, 16, 1, fd));	/* too big, refused */
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, call_with(r2, 4, 1, fd));		/* refused */
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, atomic_load(&invocations));
}

TEST_HARNESS_MAIN
