// SPDX-License-Identifier: GPL-2.0
/*
 * door_unref_close_race_test - references dropped at the same moment by
 * several holders: the count drops to one, so exactly one unreferenced
 * notification is due, however the closes interleave.  Each close looks at
 * the count once its own reference is gone (door(4)), so neither closer can
 * conclude "two left" for the other.
 *
 * Each case repeats its race for a fixed number of rounds (or until its
 * time budget is spent: at least MIN_ROUNDS are always run) and fails on
 * the first round whose notification does not come or comes twice.
 */
#include "door_test.h"

#include <pthread.h>

#define MIN_ROUNDS	200
#define MAX_ROUNDS	3000
#define BUDGET_MS	8000

static int ev_unref = -1;
static atomic_int unrefs;

static void unref_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	(void)cookie; (void)arg_size; (void)dp; (void)n_desc;
	if (argp == DOOR_UNREF_DATA) {
		atomic_fetch_add(&unrefs, 1);
		ev_post(ev_unref);
	}
	door_return(NULL, 0, NULL, 0);
}

/* Round @round dropped the door to one reference: its one notification. */
static void round_notified_once(struct __test_metadata *_metadata, int round)
{
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("round %d: no notification (%d so far)", round,
		       atomic_load(&unrefs));
	ASSERT_EQ(round, atomic_load(&unrefs))
		TH_LOG("round %d: a second notification", round);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * The main thread and a closer thread each close one descriptor as soon as
 * the round number changes; the closer spins for it, so that both closes
 * start within a few instructions of each other (the guest has two vCPUs).
 */
struct closer {
	atomic_int go;			/* the round to run, -1: leave */
	atomic_int done;		/* the last round run */
	atomic_int fd;
};

static void *closer_thread(void *p)
{
	struct closer *c = p;
	int seen = 0;

	for (;;) {
		int go;

		while ((go = atomic_load(&c->go)) == seen)
			;
		if (go < 0)
			return NULL;
		seen = go;
		close(atomic_load(&c->fd));
		atomic_store(&c->done, go);
	}
}

/*
 * Two dups of a DOOR_UNREF_MULTI door closed by two threads at once: three
 * descriptors drop to one, one notification per round.
 */
TEST(dups_closed_at_once_notify_once)
{
	struct closer c = { 0 };
	long long t0 = now_ms();
	pthread_t t;
	int d, round;

	ev_unref = ev_new();
	ASSERT_LE(0, ev_unref);
	d = door_create(unref_proc, NULL, DOOR_UNREF_MULTI);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, pthread_create(&t, NULL, closer_thread, &c));
	for (round = 1; round <= MAX_ROUNDS; round++) {
		int mine;

		if (round > MIN_ROUNDS && now_ms() - t0 > BUDGET_MS)
			break;
		mine = dup(d);
		ASSERT_LE(0, mine);
		atomic_store(&c.fd, dup(d));
		ASSERT_LE(0, atomic_load(&c.fd));
		atomic_store(&c.go, round);
		close(mine);
		while (atomic_load(&c.done) != round)
			;
		round_notified_once(_metadata, round);
	}
	TH_LOG("%d rounds", round - 1);
	atomic_store(&c.go, -1);
	pthread_join(t, NULL);
	/* One more, alone: the count is exact (no stray notification). */
	close(dup(d));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000));
	EXPECT_EQ(round, atomic_load(&unrefs));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	close(d);
}

/*
 * Two forked children holding the door exit at the same moment (their
 * descriptors go in exit, not in close()): one notification per round.
 */
TEST(children_exit_at_once_notify_once)
{
	long long t0 = now_ms();
	int d, round;

	ev_unref = ev_new();
	ASSERT_LE(0, ev_unref);
	d = door_create(unref_proc, NULL, DOOR_UNREF_MULTI);
	ASSERT_LE(0, d);
	for (round = 1; round <= MAX_ROUNDS; round++) {
		pid_t pid[2];
		int p[2];
		char c;

		if (round > MIN_ROUNDS / 2 && now_ms() - t0 > BUDGET_MS)
			break;
		ASSERT_EQ(0, pipe(p));
		for (int i = 0; i < 2; i++) {
			pid[i] = fork_child();
			ASSERT_LE(0, pid[i]);
			if (pid[i] == 0) {
				close(p[1]);
				if (read(p[0], &c, 1) < 0)
					_exit(1);
				_exit(0);
			}
		}
		close(p[0]);
		close(p[1]);	/* both children leave now */
		for (int i = 0; i < 2; i++)
			ASSERT_EQ(0, child_exit_code(wait_child(pid[i], 20)));
		round_notified_once(_metadata, round);
	}
	TH_LOG("%d rounds", round - 1);
	close(d);
}

/*
 * door.ko's own look at a descriptor (door_bind's) holds the file for a
 * moment; checks made meanwhile by another thread's door_info must not
 * count that as a second reference, or the door, which never had more than
 * its creator's descriptor, is notified when the look ends.  A one-shot
 * notification, once queued, takes DOOR_UNREF out of door_info's answer,
 * so no server thread is needed to see it.
 */
struct racer {
	int d;
	atomic_int *stop;
	long n;
};

static void *binder_thread(void *p)
{
	struct racer *r = p;

	while (!atomic_load(r->stop)) {
		if (door_bind(r->d) == 0)
			door_unbind();
		r->n++;
	}
	return NULL;
}

static void *info_thread(void *p)
{
	struct racer *r = p;
	door_info_t di;

	while (!atomic_load(r->stop)) {
		door_info(r->d, &di);
		r->n++;
	}
	return NULL;
}

TEST(lookups_racing_checks_do_not_notify)
{
	atomic_int stop = 0;
	struct racer b, i;
	pthread_t tb, ti;
	int d;

	ev_unref = ev_new();
	ASSERT_LE(0, ev_unref);
	d = door_create(unref_proc, NULL, DOOR_UNREF | DOOR_PRIVATE);
	ASSERT_LE(0, d);
	b = (struct racer){ .d = d, .stop = &stop };
	i = b;
	ASSERT_EQ(0, pthread_create(&tb, NULL, binder_thread, &b));
	ASSERT_EQ(0, pthread_create(&ti, NULL, info_thread, &i));
	for (long long t0 = now_ms(); now_ms() - t0 < BUDGET_MS / 2 &&
	     (b.n < 20000 || i.n < 20000);)
		usleep(10000);
	atomic_store(&stop, 1);
	pthread_join(tb, NULL);
	pthread_join(ti, NULL);
	TH_LOG("%ld door_bind, %ld door_info", b.n, i.n);
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_UNREF))
		TH_LOG("notified though the door never had a second reference");
	/* A real drop to one is still noticed, before close() returns. */
	close(dup(d));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_UNREF));
	close(d);
}

TEST_HARNESS_MAIN
