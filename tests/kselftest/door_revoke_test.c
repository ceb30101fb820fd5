// SPDX-License-Identifier: GPL-2.0
/*
 * door_revoke_test - door_revoke(3C): only the creator may revoke; the
 * descriptor is closed; later calls get EBADF; door_info says
 * DOOR_REVOKED; a call already in progress completes.
 */
#include "door_test.h"

static atomic_int invocations;

static void echo_count(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&invocations, 1);
	door_return(argp, arg_size, NULL, 0);
}

static int echo_u64(int d, uint64_t v, uint64_t *out)
{
	door_arg_t a = { (char *)&v, sizeof(v), NULL, 0,
			 (char *)out, sizeof(*out) };

	return door_call(d, &a);
}

/* Revoke by the creator: descriptor closed, EBADF, DOOR_REVOKED. */
TEST(revoke_by_creator)
{
	int d = door_create(echo_count, NULL, 0), d2;
	uint64_t r;
	door_info_t di;

	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, echo_u64(d2, 1, &r));
	ASSERT_EQ(1U, r);

	ASSERT_EQ(0, door_revoke(d)) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(fd_is_open(d)) TH_LOG("door_revoke left the descriptor open");

	errno = 0;
	EXPECT_EQ(-1, echo_u64(d2, 2, &r));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, door_call(d2, NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, atomic_load(&invocations));

	ASSERT_EQ(0, door_info(d2, &di)) TH_LOG("door_info on revoked: %s",
						 strerror(errno));
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_REVOKED));
	EXPECT_EQ(door_id(d2), di.di_uniquifier);
}

/* Another process holding the door cannot revoke it (EPERM). */
TEST(revoke_eperm_from_non_creator)
{
	int d = door_create(echo_count, NULL, 0);
	uint64_t r = 0;
	pid_t pid;

	ASSERT_LE(0, d);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t cr = 0;

		errno = 0;
		CHILD_CHECK(10, door_revoke(d) == -1);
		CHILD_CHECK(11, errno == EPERM);
		CHILD_CHECK(12, fd_is_open(d));
		CHILD_CHECK(13, !(door_attrs(d) & DOOR_REVOKED));
		CHILD_CHECK(14, echo_u64(d, 77, &cr) == 0);
		CHILD_CHECK(15, cr == 77);
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_REVOKED));
	ASSERT_EQ(0, echo_u64(d, 5, &r));
	EXPECT_EQ(5U, r);
	EXPECT_EQ(2, atomic_load(&invocations));
}

/* A forked child's later calls also fail once the creator revoked. */
TEST(revoke_seen_by_other_process)
{
	int d = door_create(echo_count, NULL, 0), d2, go[2], res[2];
	pid_t pid;
	char c = 'r';

	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t r;
		int e;

		CHILD_CHECK(10, echo_u64(d2, 1, &r) == 0 && r == 1);
		CHILD_CHECK(11, put_all(res[1], &c, 1) == 0);
		CHILD_CHECK(12, get_all(go[0], &c, 1) == 0);	/* revoked now */
		errno = 0;
		CHILD_CHECK(13, echo_u64(d2, 2, &r) == -1);
		e = errno;
		CHILD_CHECK(14, e == EBADF);
		CHILD_CHECK(15, door_attrs(d2) & DOOR_REVOKED);
		_exit(0);
	}
	ASSERT_EQ(0, get_all(res[0], &c, 1));
	ASSERT_EQ(0, door_revoke(d));
	ASSERT_EQ(0, put_all(go[1], &c, 1));
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
}

/* ---- a call in progress completes ------------------------------------ */

static int ev_in = -1, ev_go = -1;

static void slow_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	uint64_t v = 0;

	atomic_fetch_add(&invocations, 1);
	if (arg_size == sizeof(v))
		memcpy(&v, argp, sizeof(v));
	ev_post(ev_in);
	ev_wait(ev_go);
	v = mix64(v);
	door_return((char *)&v, sizeof(v), NULL, 0);
}

struct client {
	int d, ret, err;
	uint64_t v, r;
};

static void *client_thread(void *p)
{
	struct client *c = p;

	hang_guard(30);
	c->ret = echo_u64(c->d, c->v, &c->r);
	c->err = errno;
	hang_guard(0);
	return NULL;
}

TEST(call_in_progress_completes)
{
	struct client c = { .v = 1234 };
	pthread_t th;
	uint64_t r;
	int d, d2;

	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	d = door_create(slow_proc, NULL, 0);
	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	c.d = d2;
	ASSERT_EQ(0, pthread_create(&th, NULL, client_thread, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("call never arrived");

	/* The call is inside the server procedure: revoke now. */
	ASSERT_EQ(0, door_revoke(d));
	EXPECT_TRUE(HAS(door_attrs(d2), DOOR_REVOKED));
	errno = 0;
	EXPECT_EQ(-1, echo_u64(d2, 9, &r));	/* new calls are refused */
	EXPECT_EQ(EBADF, errno);

	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, c.ret) TH_LOG("call in progress failed: %s",
				   strerror(c.err));
	EXPECT_EQ(mix64(1234), c.r);
	EXPECT_EQ(1, atomic_load(&invocations));
}

/* EBADF for non-doors; revoking closes, so a second revoke is EBADF. */
TEST(revoke_ebadf)
{
	int p[2], d;

	ASSERT_EQ(0, pipe(p));
	errno = 0;
	EXPECT_EQ(-1, door_revoke(p[0]));
	EXPECT_EQ(EBADF, errno);
	EXPECT_TRUE(fd_is_open(p[0]));
	errno = 0;
	EXPECT_EQ(-1, door_revoke(DOOR_INVAL));
	EXPECT_EQ(EBADF, errno);

	d = door_create(echo_count, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_revoke(d));
	errno = 0;
	EXPECT_EQ(-1, door_revoke(d));
	EXPECT_EQ(EBADF, errno);
}

/*
 * A second descriptor of an already revoked door can still be revoked by
 * the creator (illumos: it just sets DOOR_REVOKED again and closes it).
 */
TEST(revoke_dup_of_revoked_door)
{
	int d = door_create(echo_count, NULL, 0), d2;

	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, door_revoke(d));
	EXPECT_EQ(0, door_revoke(d2)) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(fd_is_open(d2));
}

/* Revoked doors are freed like others once the last descriptor closes. */
TEST(revoked_door_freed)
{
	long long before = live_doors();
	int d, d2;

	ASSERT_LE(0, before);
	d = door_create(echo_count, NULL, 0);
	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	EXPECT_EQ(before + 1, live_doors());
	ASSERT_EQ(0, door_revoke(d));
	errno = 0;
	EXPECT_EQ(-1, door_call(d2, NULL));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, close(d2));
	EXPECT_EQ(before, wait_live_doors(before, 2000));
}

TEST_HARNESS_MAIN
