// SPDX-License-Identifier: GPL-2.0
/*
 * door_unref_test - unreferenced notifications (DOOR_UNREF,
 * DOOR_UNREF_MULTI): delivered with DOOR_UNREF_DATA when the references
 * drop to one, whoever holds the last one (a dup closed, a child exited,
 * the server's own descriptor closed while a client holds the door, a
 * per-client door returned with DOOR_RELEASE), as illumos counts them;
 * DOOR_IS_UNREF reports one reference left; delayed while calls are
 * active, re-armed only with DOOR_UNREF_MULTI.  (fattach: see
 * door_fattach_test.)
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

/*
 * As illumos' DOOR_DELAY: a notification delayed by an active call is
 * delivered when the call finishes, even if the door has been referenced
 * again meanwhile (it was due when the references dropped to one).
 */
TEST(delayed_unref_delivered_even_if_referenced_again)
{
	struct client c;
	pthread_t th;
	int d, d2, d3;

	setup_events(_metadata);
	atomic_store(&block_calls, 1);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	c = (struct client){ .d = d2 };
	ASSERT_EQ(0, pthread_create(&th, NULL, client_thread, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000));
	ASSERT_EQ(0, close(d2));	/* due, delayed by the call */
	d3 = dup(d);			/* referenced again */
	ASSERT_LE(0, d3);
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, c.ret) TH_LOG("%s", strerror(c.err));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("the delayed notification was dropped");
	EXPECT_EQ(0, atomic_load(&unref_while_active));
	EXPECT_EQ(1, atomic_load(&unrefs));
	ASSERT_EQ(0, close(d3));
}

/* ---- references anywhere --------------------------------------------------- */

static int give_fd = -1;
static door_attr_t give_attr;

/* Returns give_fd as a descriptor, with give_attr. */
static void give_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	door_desc_t desc = { .d_attributes = give_attr };

	desc.d_data.d_desc.d_descriptor = give_fd;
	door_return(NULL, 0, &desc, 1);
}

/* The door a call to @giver returns, or -1. */
static int take_door(int giver)
{
	char rbuf[64];
	door_arg_t a = { NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };

	if (door_call(giver, &a) != 0 || a.desc_num != 1 ||
	    !(a.desc_ptr[0].d_attributes & DOOR_DESCRIPTOR))
		return -1;
	return a.desc_ptr[0].d_data.d_desc.d_descriptor;
}

/*
 * The server passes its door to a client process in a return (without
 * DOOR_RELEASE), then closes its own descriptor: the client's descriptor
 * is the last reference, so the notification comes, and the client's
 * door_info reports DOOR_IS_UNREF.
 */
TEST(unref_when_client_holds_last)
{
	int giver, d, go[2], done[2];
	pid_t pid;
	char c;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork_child();		/* before the door: no fork copy */
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cd;

		close(go[1]);
		close(done[0]);
		CHILD_CHECK(10, read(go[0], &c, 1) == 1);
		cd = take_door(giver);
		CHILD_CHECK(11, cd >= 0);
		/* The server holds its own descriptor too. */
		CHILD_CHECK(12, !HAS(door_attrs(cd), DOOR_IS_UNREF));
		CHILD_CHECK(13, write(done[1], "t", 1) == 1);
		/* The server has closed its own and was notified. */
		CHILD_CHECK(14, read(go[0], &c, 1) == 1);
		CHILD_CHECK(15, HAS(door_attrs(cd), DOOR_IS_UNREF));
		CHILD_CHECK(16, door_call(cd, NULL) == 0);
		_exit(0);
	}
	close(go[0]);
	close(done[1]);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	give_fd = d;
	give_attr = DOOR_DESCRIPTOR;
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(done[0], &c, 1)) TH_LOG("the client did not get the door");
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("the client holds the door too");
	EXPECT_EQ(0, atomic_load(&unrefs));

	ASSERT_EQ(0, close(d));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification although only the client's descriptor is left");
	EXPECT_EQ(1, atomic_load(&unrefs));
	ASSERT_EQ(1, write(go[1], "c", 1));
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_EQ(1, atomic_load(&normal_calls));
}

/*
 * A per-client door returned with DOOR_DESCRIPTOR | DOOR_RELEASE: the
 * server keeps no descriptor, the client's is the only reference, so the
 * notification comes at once, while the client still holds the door
 * (as on Solaris).
 */
TEST(unref_at_once_when_returned_with_release)
{
	int giver, d, cd;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	give_fd = d;
	give_attr = DOOR_DESCRIPTOR | DOOR_RELEASE;
	cd = take_door(giver);
	ASSERT_LE(0, cd);
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification while the client holds the only descriptor");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_TRUE(HAS(door_attrs(cd), DOOR_IS_UNREF));
	EXPECT_FALSE(HAS(door_attrs(cd), DOOR_UNREF));
	/* The client can still call it. */
	EXPECT_EQ(0, door_call(cd, NULL));
	EXPECT_EQ(1, atomic_load(&normal_calls));
	ASSERT_EQ(0, close(cd));
}

/*
 * The Solaris idiom for "tell me when the client is gone": return the
 * per-client door without DOOR_RELEASE and keep one descriptor.  Nothing
 * while the client holds it; when the client exits, the server's is the
 * last: the notification comes, and the server closes its descriptor.
 */
TEST(unref_per_client_door_when_client_exits)
{
	int giver, d, go[2], done[2];
	pid_t pid;
	char c;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cd;

		close(go[1]);
		close(done[0]);
		CHILD_CHECK(10, read(go[0], &c, 1) == 1);
		cd = take_door(giver);
		CHILD_CHECK(11, cd >= 0);
		CHILD_CHECK(12, door_call(cd, NULL) == 0);
		CHILD_CHECK(13, write(done[1], "t", 1) == 1);
		CHILD_CHECK(14, read(go[0], &c, 1) == 1);
		_exit(0);		/* closes cd */
	}
	close(go[0]);
	close(done[1]);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	give_fd = d;
	give_attr = DOOR_DESCRIPTOR;
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(done[0], &c, 1)) TH_LOG("the client did not get the door");
	EXPECT_EQ(1, atomic_load(&normal_calls));
	EXPECT_EQ(0, atomic_load(&unrefs));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification after the client exited");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	ASSERT_EQ(0, close(d));
}

/*
 * A descriptor opened through /proc/PID/fd/N is another open file of the
 * door: it keeps the door referenced while it is open, but closing it
 * gives no notification (illumos: a hold on the door's vnode, not a
 * reference of its file).  DOOR_UNREF is still reported right after the
 * close, so no notification was queued; a dup closed then gives one.
 */
TEST(reopened_descriptor_close_does_not_notify)
{
	char path[64];
	int d, r, d2;

	setup_events(_metadata);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", d);
	r = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, r);
	EXPECT_EQ(door_id(d), door_id(r));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));
	EXPECT_FALSE(HAS(door_attrs(r), DOOR_IS_UNREF));
	ASSERT_EQ(0, close(r));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_UNREF))
		TH_LOG("a notification was queued when the reopened file closed");
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	EXPECT_EQ(0, atomic_load(&unrefs));

	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, close(d2));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000));
	EXPECT_EQ(1, atomic_load(&unrefs));
}

TEST_HARNESS_MAIN
