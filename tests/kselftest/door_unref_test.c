// SPDX-License-Identifier: GPL-2.0
/*
 * door_unref_test - unreferenced notifications (DOOR_UNREF,
 * DOOR_UNREF_MULTI): delivered with DOOR_UNREF_DATA when the references
 * drop to one (a dup closed, a child exited), delayed while calls are
 * active, re-armed only with DOOR_UNREF_MULTI.
 */
#include "door_test.h"

static int ev_unref = -1;
static atomic_int unrefs, normal_calls, active;
static atomic_int bad_unref_args, unref_while_active;
static int ev_in = -1, ev_go = -1;
static atomic_int block_calls;

static void unref_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	if (argp == DOOR_UNREF_DATA) {
		if (arg_size != 0 || n_desc != 0)
			atomic_store(&bad_unref_args, 1);
		if (atomic_load(&active))
			atomic_store(&unref_while_active, 1);
		atomic_fetch_add(&unrefs, 1);
		ev_post(ev_unref);
		door_return(NULL, 0, NULL, 0);
		return;
	}
	atomic_store(&active, 1);
	atomic_fetch_add(&normal_calls, 1);
	if (atomic_load(&block_calls)) {
		ev_post(ev_in);
		ev_wait(ev_go);
	}
	atomic_store(&active, 0);
	door_return(NULL, 0, NULL, 0);
}

static void setup_events(struct __test_metadata *_metadata)
{
	ev_unref = ev_new();
	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_unref);
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
}

/* Closing a dup leaves one reference: one notification. */
TEST(unref_on_dup_close)
{
	int d, d2;

	setup_events(_metadata);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL));
	EXPECT_EQ(0, atomic_load(&unrefs));
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, close(d2));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no unreferenced notification");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_EQ(0, atomic_load(&bad_unref_args))
		TH_LOG("unref invocation had arguments");
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	/* One-shot: illumos clears DOOR_UNREF once it is delivered. */
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_UNREF));
	/* The door still works. */
	EXPECT_EQ(0, door_call(d, NULL));
}

/* A forked child holding the door exits: one notification. */
TEST(unref_when_child_exits)
{
	int d, p[2];
	pid_t pid;
	char c;

	setup_events(_metadata);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL));
	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	EXPECT_EQ(0, atomic_load(&unrefs));
	close(p[1]);		/* let the child exit */
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no unreferenced notification after the child exited");
	EXPECT_EQ(1, atomic_load(&unrefs));
}

/* DOOR_UNREF_MULTI re-arms: every drop to one reference notifies. */
TEST(unref_multi_rearms)
{
	int d;

	setup_events(_metadata);
	d = door_create(unref_proc, NULL, DOOR_UNREF_MULTI);
	ASSERT_LE(0, d);
	for (int i = 1; i <= 3; i++) {
		int d2 = dup(d);

		ASSERT_LE(0, d2);
		ASSERT_EQ(0, close(d2));
		ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
			TH_LOG("notification %d missing", i);
		EXPECT_EQ(i, atomic_load(&unrefs));
		EXPECT_TRUE(HAS(door_attrs(d), DOOR_UNREF_MULTI));
	}
	EXPECT_EQ(0, atomic_load(&bad_unref_args));
}

struct client {
	int d, ret, err;
};

static void *client_thread(void *p)
{
	struct client *c = p;

	hang_guard(30);
	c->ret = door_call(c->d, NULL);
	c->err = errno;
	hang_guard(0);
	return NULL;
}

/*
 * A call made through a second descriptor blocks in the server; that
 * descriptor is closed meanwhile, leaving one reference.  The notification
 * must wait until the call has finished.
 */
TEST(unref_delayed_until_calls_finish)
{
	struct client c;
	pthread_t th;
	int d, d2;

	setup_events(_metadata);
	atomic_store(&block_calls, 1);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	c = (struct client){ .d = d2 };
	ASSERT_EQ(0, pthread_create(&th, NULL, client_thread, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000));
	/* The call is active: drop to one reference now. */
	ASSERT_EQ(0, close(d2));
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, c.ret) TH_LOG("%s", strerror(c.err));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification after the call finished");
	EXPECT_EQ(0, atomic_load(&unref_while_active))
		TH_LOG("unreferenced notification delivered during a call");
	EXPECT_EQ(1, atomic_load(&unrefs));
}

TEST_HARNESS_MAIN
