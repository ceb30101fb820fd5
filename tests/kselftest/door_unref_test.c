// SPDX-License-Identifier: GPL-2.0
/*
 * door_unref_test - unreferenced notifications (DOOR_UNREF,
 * DOOR_UNREF_MULTI): delivered with DOOR_UNREF_DATA when the references
 * drop to one, whoever holds the last one (a dup closed, a child exited,
 * the server's own descriptor closed while a client holds the door, a
 * per-client door returned with DOOR_RELEASE, an SCM_RIGHTS message
 * holding the door), or from two straight to none; never for a creator
 * closing its only descriptor; delayed while calls are active or waiting
 * in the pool; re-armed only with DOOR_UNREF_MULTI, whenever the door is
 * referenced twice again.  DOOR_IS_UNREF reports one reference left, in
 * whichever descriptor it is.  (fattach and fdetach: door_fattach_test.)
 *
 * A door's references are every descriptor of it in any process (the
 * creator's, dups, fork copies, descriptors received in a call or a
 * return, descriptors opened through an attached path or /proc/PID/fd/N),
 * every descriptor of it in flight (in a call, a return, an SCM_RIGHTS
 * message) and every fattach attachment: door(4).
 */
#include "door_test.h"

static int ev_unref = -1;
static atomic_int unrefs, normal_calls, active;
static atomic_int bad_unref_args, unref_while_active;
static int ev_in = -1, ev_go = -1;
static atomic_int block_calls;

/* What the procedure saw, in order: 'C' a call, 'U' a notification. */
static char seen[64];
static atomic_int nseen;

/* The Solaris idiom: the notification closes the server's descriptor. */
static int close_on_unref = -1;

static void note(char what)
{
	int i = atomic_fetch_add(&nseen, 1);

	if (i < (int)sizeof(seen) - 1)
		seen[i] = what;
}

static void unref_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	if (argp == DOOR_UNREF_DATA) {
		if (arg_size != 0 || n_desc != 0)
			atomic_store(&bad_unref_args, 1);
		if (atomic_load(&active))
			atomic_store(&unref_while_active, 1);
		note('U');
		if (close_on_unref >= 0) {
			close(close_on_unref);
			close_on_unref = -1;
		}
		atomic_fetch_add(&unrefs, 1);
		ev_post(ev_unref);
		door_return(NULL, 0, NULL, 0);
		return;
	}
	atomic_store(&active, 1);
	note('C');
	atomic_fetch_add(&normal_calls, 1);
	if (atomic_load(&block_calls)) {
		atomic_store(&block_calls, 0);	/* the first call only */
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

/* ---- references anywhere ---------------------------------------------------- */

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
 * notification comes at once, while the client still holds the door (as
 * on Solaris).
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
	EXPECT_EQ(1, atomic_load(&unrefs));
}

/*
 * The Solaris idiom for "tell me when the client is gone", with a client
 * that closes the door and lives on: the per-client door is returned
 * without DOOR_RELEASE and the server keeps its descriptor.  Nothing while
 * the client holds it; its close leaves the server's descriptor as the
 * last reference: the notification comes, the server closes its own in
 * it, and the door is freed with no second notification.
 */
TEST(unref_when_client_of_kept_door_closes)
{
	int giver, d, go[2], done[2];
	long long doors0;
	pid_t pid;
	char c;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	doors0 = live_doors();
	ASSERT_LE(0, doors0);
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
		CHILD_CHECK(15, close(cd) == 0);
		CHILD_CHECK(16, write(done[1], "c", 1) == 1);
		/* Alive until told: the close, not the exit, notifies. */
		CHILD_CHECK(17, read(go[0], &c, 1) == 1);
		_exit(0);
	}
	close(go[0]);
	close(done[1]);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	give_fd = d;
	give_attr = DOOR_DESCRIPTOR;
	close_on_unref = d;
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(done[0], &c, 1)) TH_LOG("the client did not get the door");
	EXPECT_EQ(1, atomic_load(&normal_calls));
	EXPECT_EQ(0, atomic_load(&unrefs));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("the client holds the door too");

	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification after the client closed its descriptor");
	EXPECT_EQ(1, atomic_load(&unrefs));
	/* The server closed its own: the door goes, nothing more comes. */
	EXPECT_EQ(doors0, wait_live_doors(doors0, 10000))
		TH_LOG("the door outlived its last descriptor");
	EXPECT_EQ(1, atomic_load(&unrefs));
	ASSERT_EQ(1, write(go[1], "e", 1));
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
}

/*
 * The same idiom, the client exiting with the door open: its exit closes
 * its descriptor, the server's is the last reference, the notification
 * comes, and the server closes its own in it.
 */
TEST(unref_when_client_exits)
{
	int giver, d, go[2], done[2];
	long long doors0;
	pid_t pid;
	char c;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	doors0 = live_doors();
	ASSERT_LE(0, doors0);
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
	close_on_unref = d;
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
	EXPECT_EQ(doors0, wait_live_doors(doors0, 10000))
		TH_LOG("the door outlived its last descriptor");
	EXPECT_EQ(1, atomic_load(&unrefs));
}

/*
 * DOOR_IS_UNREF is "one reference left", in whichever descriptor that is,
 * for any door (this one has no DOOR_UNREF): the creator's alone; neither
 * of two (the creator's and one received in a return); the received one
 * once the creator's is closed; not while a dup of it exists.
 */
TEST(is_unref_reports_one_left)
{
	int giver, d, cd, cd2;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	d = door_create(unref_proc, NULL, 0);
	ASSERT_LE(0, d);
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	give_fd = d;
	give_attr = DOOR_DESCRIPTOR;
	cd = take_door(giver);
	ASSERT_LE(0, cd);
	EXPECT_EQ(door_id(d), door_id(cd));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));
	EXPECT_FALSE(HAS(door_attrs(cd), DOOR_IS_UNREF));
	ASSERT_EQ(0, close(d));
	EXPECT_TRUE(HAS(door_attrs(cd), DOOR_IS_UNREF))
		TH_LOG("the received descriptor is the one left: 0x%x",
		       door_attrs(cd));
	cd2 = dup(cd);
	ASSERT_LE(0, cd2);
	EXPECT_FALSE(HAS(door_attrs(cd), DOOR_IS_UNREF));
	ASSERT_EQ(0, close(cd2));
	EXPECT_TRUE(HAS(door_attrs(cd), DOOR_IS_UNREF));
	EXPECT_EQ(0, atomic_load(&unrefs));
}

/*
 * A call waiting in the pool (no free server thread) is in progress too:
 * the notification must not overtake it.  One server thread serves call A
 * and blocks; call B waits in the pool; both callers' descriptors (dups)
 * are closed, leaving the creator's one reference.  When A's call ends
 * the thread must serve B's call, and only then the notification.
 */
TEST(unref_delayed_while_call_queued)
{
	struct client a, b;
	pthread_t ta, tb;
	int d, da, db;

	setup_events(_metadata);
	door_server_create(one_server_thread);
	atomic_store(&block_calls, 1);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	ASSERT_EQ(1, wait_fdinfo(d, "door_pool_idle_threads", 1, 10000));
	da = dup(d);
	db = dup(d);
	ASSERT_LE(0, da);
	ASSERT_LE(0, db);
	a = (struct client){ .d = da };
	b = (struct client){ .d = db };
	ASSERT_EQ(0, pthread_create(&ta, NULL, client_thread, &a));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000));	/* A is being served */
	ASSERT_EQ(0, pthread_create(&tb, NULL, client_thread, &b));
	ASSERT_EQ(1, wait_fdinfo(d, "door_pool_waiting_calls", 1, 10000))
		TH_LOG("B's call is not waiting in the pool");
	/* Down to the creator's descriptor; A active, B waiting. */
	ASSERT_EQ(0, close(da));
	ASSERT_EQ(0, close(db));
	EXPECT_EQ(0, atomic_load(&unrefs));
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(ta, NULL));
	ASSERT_EQ(0, pthread_join(tb, NULL));
	EXPECT_EQ(0, a.ret) TH_LOG("A: %s", strerror(a.err));
	EXPECT_EQ(0, b.ret) TH_LOG("B: %s", strerror(b.err));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification after both calls finished");
	EXPECT_EQ(3, atomic_load(&nseen));
	EXPECT_EQ(0, memcmp(seen, "CCU", 3))
		TH_LOG("the server saw %.3s: the notification overtook the waiting call",
		       seen);
	EXPECT_EQ(1, atomic_load(&unrefs));
}

/*
 * A door just created, whose creator closes its only descriptor, never
 * had its references drop to one: no notification (the door is freed,
 * and a notification would have kept it until delivered).
 */
TEST(no_unref_for_creator_close_alone)
{
	door_attr_t attrs[] = { DOOR_UNREF, DOOR_UNREF_MULTI };
	long long doors0;
	int other;

	setup_events(_metadata);
	other = door_create(unref_proc, NULL, 0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, door_call(other, NULL));	/* server threads running */
	doors0 = live_doors();
	ASSERT_LE(0, doors0);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		int d = door_create(unref_proc, NULL, attrs[i]);

		ASSERT_LE(0, d);
		ASSERT_EQ(0, close(d));
		EXPECT_EQ(doors0, wait_live_doors(doors0, 10000));
	}
	/* A call through the same pool after that: nothing was queued. */
	ASSERT_EQ(0, door_call(other, NULL));
	EXPECT_EQ(0, atomic_load(&unrefs));
}

/*
 * DOOR_UNREF_MULTI re-arms whenever the door is referenced twice again,
 * passes included: returned with DOOR_RELEASE (notified at once), passed
 * again without it and the old descriptor closed (notified), returned with
 * DOOR_RELEASE once more (notified at once).  Three notifications, and
 * none when the last descriptor goes.
 */
TEST(unref_multi_rearms_after_pass)
{
	int giver, d, cd1, cd2, cd3;
	long long doors0;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	doors0 = live_doors();
	d = door_create(unref_proc, NULL, DOOR_UNREF_MULTI);
	ASSERT_LE(0, d);

	give_fd = d;
	give_attr = DOOR_DESCRIPTOR | DOOR_RELEASE;
	cd1 = take_door(giver);
	ASSERT_LE(0, cd1);
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification for the door returned with DOOR_RELEASE");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_TRUE(HAS(door_attrs(cd1), DOOR_IS_UNREF));
	EXPECT_TRUE(HAS(door_attrs(cd1), DOOR_UNREF_MULTI));

	give_fd = cd1;
	give_attr = DOOR_DESCRIPTOR;
	cd2 = take_door(giver);
	ASSERT_LE(0, cd2);
	EXPECT_FALSE(HAS(door_attrs(cd2), DOOR_IS_UNREF));
	ASSERT_EQ(0, close(cd1));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("not re-armed by the pass");
	EXPECT_EQ(2, atomic_load(&unrefs));

	give_fd = cd2;
	give_attr = DOOR_DESCRIPTOR | DOOR_RELEASE;
	cd3 = take_door(giver);
	ASSERT_LE(0, cd3);
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("not re-armed by the pass with DOOR_RELEASE");
	EXPECT_EQ(3, atomic_load(&unrefs));

	ASSERT_EQ(0, close(cd3));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 10000));
	EXPECT_EQ(3, atomic_load(&unrefs));
	EXPECT_EQ(0, atomic_load(&bad_unref_args));
}

struct closer {
	pthread_barrier_t *start, *done;
	int *fd;
	atomic_int *stop;
};

static void *closer_thread(void *p)
{
	struct closer *c = p;

	for (;;) {
		pthread_barrier_wait(c->start);
		if (atomic_load(c->stop))
			return NULL;
		close(*c->fd);
		pthread_barrier_wait(c->done);
	}
}

#define AT_ONCE_ROUNDS	100

/*
 * Two holders whose references go at the same moment: the count may drop
 * from two straight to none, and the notification is still due, exactly
 * once.  First a client process holding the door's last two descriptors
 * (two received in returns) exits; then AT_ONCE_ROUNDS doors whose two
 * descriptors (the creator's and a dup) two threads close at once.  Every
 * door gets exactly one notification (and is freed, so no late one can
 * come).
 */
TEST(unref_when_two_holders_close_at_once)
{
	pthread_barrier_t start, done;
	int giver, d, go[2], done_p[2], fd1 = -1, fd2 = -1;
	struct closer c1 = { &start, &done, &fd1, NULL };
	struct closer c2 = { &start, &done, &fd2, NULL };
	atomic_int stop = 0;
	pthread_t t1, t2;
	long long doors0;
	pid_t pid;
	char c;
	int n;

	setup_events(_metadata);
	giver = door_create(give_proc, NULL, 0);
	ASSERT_LE(0, giver);
	doors0 = live_doors();
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done_p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		close(done_p[0]);
		CHILD_CHECK(10, read(go[0], &c, 1) == 1);
		CHILD_CHECK(11, take_door(giver) >= 0);
		CHILD_CHECK(12, take_door(giver) >= 0);
		CHILD_CHECK(13, write(done_p[1], "t", 1) == 1);
		CHILD_CHECK(14, read(go[0], &c, 1) == 1);
		_exit(0);		/* both go */
	}
	close(go[0]);
	close(done_p[1]);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	give_fd = d;
	give_attr = DOOR_DESCRIPTOR;
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(done_p[0], &c, 1)) TH_LOG("the client did not get the door");
	ASSERT_EQ(0, close(d));		/* three to two: nothing */
	EXPECT_EQ(0, atomic_load(&unrefs));
	ASSERT_EQ(1, write(go[1], "x", 1));
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification when the client holding both exited");
	EXPECT_EQ(doors0, wait_live_doors(doors0, 10000));
	EXPECT_EQ(1, atomic_load(&unrefs));

	c1.stop = &stop;
	c2.stop = &stop;
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 3));
	ASSERT_EQ(0, pthread_barrier_init(&done, NULL, 3));
	ASSERT_EQ(0, pthread_create(&t1, NULL, closer_thread, &c1));
	ASSERT_EQ(0, pthread_create(&t2, NULL, closer_thread, &c2));
	for (int i = 0; i < AT_ONCE_ROUNDS; i++) {
		fd1 = door_create(unref_proc, NULL, DOOR_UNREF);
		ASSERT_LE(0, fd1);
		fd2 = dup(fd1);
		ASSERT_LE(0, fd2);
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
	}
	atomic_store(&stop, 1);
	pthread_barrier_wait(&start);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	for (n = 0; n < AT_ONCE_ROUNDS; n++)
		if (ev_wait_ms(ev_unref, 10000) != 0)
			break;
	EXPECT_EQ(AT_ONCE_ROUNDS, n) TH_LOG("%d of %d notifications", n,
					    AT_ONCE_ROUNDS);
	EXPECT_EQ(doors0, wait_live_doors(doors0, 10000));
	EXPECT_EQ(1 + AT_ONCE_ROUNDS, atomic_load(&unrefs));
}

/*
 * A door in an SCM_RIGHTS message is a reference until the message is
 * received or dropped.  A second open file of the door (here a reopen of
 * /proc/self/fd/N, as a client's received descriptor would be) is sent and
 * its descriptor closed: the message then holds the door's second
 * reference, and the sockets closed with it unreceived drop that
 * reference outside any close() of the door.  The notification is due.
 * (The door's own file sent and discarded while its descriptor stays is
 * not seen: door(4), BUGS.)
 */
TEST(unref_when_scm_rights_copy_dropped)
{
	char path[64];
	int d, d2, sv[2];

	setup_events(_metadata);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", d);
	d2 = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, send_fd(sv[0], d2));
	ASSERT_EQ(0, close(d2));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("the message in flight holds the door too");
	EXPECT_EQ(0, atomic_load(&unrefs));
	ASSERT_EQ(0, close(sv[0]));
	ASSERT_EQ(0, close(sv[1]));	/* the message is dropped */
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification after the message holding the door was dropped");
	EXPECT_EQ(1, atomic_load(&unrefs));
}

/*
 * The creator sends its door in an SCM_RIGHTS message and closes its
 * descriptor: the message holds the last reference, the notification
 * comes; the receiver's descriptor is then the one left.
 */
TEST(unref_when_scm_rights_message_holds_last)
{
	int d, r, sv[2];

	setup_events(_metadata);
	d = door_create(unref_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, send_fd(sv[0], d));
	ASSERT_EQ(0, close(d));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification while the message holds the only reference");
	EXPECT_EQ(1, atomic_load(&unrefs));
	r = recv_fd(sv[1]);
	ASSERT_LE(0, r);
	EXPECT_TRUE(HAS(door_attrs(r), DOOR_IS_UNREF));
	EXPECT_EQ(0, door_call(r, NULL));
	ASSERT_EQ(0, close(r));
	EXPECT_EQ(1, atomic_load(&unrefs));
}

TEST_HARNESS_MAIN
