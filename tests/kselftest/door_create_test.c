// SPDX-License-Identifier: GPL-2.0
/*
 * door_create_test - door_create(3C): descriptors, attributes, errors,
 * and that closing the last descriptor frees the door.
 */
#include "door_test.h"

#define PUBLIC_CREATE_BITS (DOOR_UNREF | DOOR_PRIVATE | DOOR_UNREF_MULTI | \
			    DOOR_REFUSE_DESC | DOOR_NO_CANCEL)

static void noop_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	(void)cookie; (void)argp; (void)arg_size; (void)dp; (void)n_desc;
	door_return(NULL, 0, NULL, 0);
}

/* A fresh door is a close-on-exec descriptor that door_info() accepts. */
TEST(create_returns_cloexec_door)
{
	door_info_t di;
	int d, fl;

	d = door_create(noop_proc, NULL, 0);
	ASSERT_LE(0, d) TH_LOG("door_create: %s", strerror(errno));
	fl = fcntl(d, F_GETFD);
	ASSERT_NE(-1, fl);
	EXPECT_TRUE(HAS(fl, FD_CLOEXEC)) TH_LOG("door fd is not FD_CLOEXEC");
	ASSERT_EQ(0, door_info(d, &di));
	EXPECT_EQ(getpid(), di.di_target);
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_LOCAL));
	EXPECT_FALSE(HAS(di.di_attributes, DOOR_REVOKED));
	EXPECT_NE(0ULL, di.di_uniquifier);
	EXPECT_EQ(0, close(d));
}

/* Every valid creation attribute is reported back by door_info(). */
TEST(create_attributes_reported)
{
	static const uint_t attrs[] = {
		0, DOOR_UNREF, DOOR_UNREF_MULTI, DOOR_PRIVATE, DOOR_REFUSE_DESC,
		DOOR_NO_CANCEL,
		DOOR_UNREF | DOOR_REFUSE_DESC | DOOR_NO_CANCEL,
		DOOR_UNREF_MULTI | DOOR_PRIVATE | DOOR_NO_CANCEL,
	};

	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		door_info_t di;
		int d = door_create(noop_proc, NULL, attrs[i]);

		ASSERT_LE(0, d) TH_LOG("door_create(0x%x): %s", attrs[i],
				       strerror(errno));
		ASSERT_EQ(0, door_info(d, &di));
		EXPECT_EQ(attrs[i], di.di_attributes & PUBLIC_CREATE_BITS)
			TH_LOG("created with 0x%x, door_info says 0x%x",
			       attrs[i], di.di_attributes);
		EXPECT_TRUE(HAS(di.di_attributes, DOOR_LOCAL));
		EXPECT_EQ(0, close(d));
	}
}

/*
 * EINVAL: unknown bits, DOOR_UNREF with DOOR_UNREF_MULTI, and the
 * door_xcreate-only bits.  No door is left behind by a failed create.
 */
TEST(create_rejects_bad_flags)
{
	static const uint_t bad[] = {
		0x1000, 0x80000000u, DOOR_LOCAL, DOOR_REVOKED,
		DOOR_UNREF | DOOR_UNREF_MULTI,
		DOOR_NO_DEPLETION_CB, DOOR_PRIVCREATE,
	};
	long long before = live_doors();

	ASSERT_LE(0, before) TH_LOG("DOOR_IOC_STATS: %s", strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, door_create(noop_proc, NULL, bad[i]))
			TH_LOG("door_create(0x%x) succeeded", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags 0x%x", bad[i]);
	}
	EXPECT_EQ(before, live_doors());
}

/* Many doors: distinct descriptors and ids; each is one live door. */
TEST(create_many_distinct)
{
	enum { N = 64 };
	int d[N];
	door_id_t id[N];
	long long before = live_doors();

	ASSERT_LE(0, before);
	for (int i = 0; i < N; i++) {
		d[i] = door_create(noop_proc, (void *)(uintptr_t)i, 0);
		ASSERT_LE(0, d[i]) TH_LOG("door %d: %s", i, strerror(errno));
		id[i] = door_id(d[i]);
		ASSERT_NE(0ULL, id[i]);
		for (int j = 0; j < i; j++) {
			ASSERT_NE(d[j], d[i]);
			ASSERT_NE(id[j], id[i]) TH_LOG("doors %d and %d share id %llu",
						       j, i, id[i]);
		}
	}
	EXPECT_EQ(before + N, live_doors());
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, close(d[i]));
	}
	EXPECT_EQ(before, wait_live_doors(before, 2000));
}

struct creator_arg {
	int n;
	door_id_t ids[50];
	int err;
};

static void *creator(void *p)
{
	struct creator_arg *a = p;

	for (a->n = 0; a->n < 50; a->n++) {
		int d = door_create(noop_proc, NULL, 0);

		if (d < 0) {
			a->err = errno;
			break;
		}
		a->ids[a->n] = door_id(d);
		close(d);
	}
	return NULL;
}

/* Doors created concurrently from several threads get unique ids. */
TEST(create_concurrent_unique_ids)
{
	enum { T = 4 };
	pthread_t th[T];
	static struct creator_arg a[T];

	for (int i = 0; i < T; i++) {
		ASSERT_EQ(0, pthread_create(&th[i], NULL, creator, &a[i]));
	}
	for (int i = 0; i < T; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	}
	for (int i = 0; i < T; i++) {
		ASSERT_EQ(0, a[i].err) TH_LOG("thread %d: %s", i,
					      strerror(a[i].err));
		ASSERT_EQ(50, a[i].n);
	}
	for (int i = 0; i < T * 50; i++) {
		door_id_t x = a[i / 50].ids[i % 50];

		ASSERT_NE(0ULL, x);
		for (int j = i + 1; j < T * 50; j++) {
			ASSERT_NE(x, a[j / 50].ids[j % 50]);
		}
	}
}

/* A full descriptor table gives EMFILE; freeing one slot makes it work. */
TEST(create_emfile)
{
	struct rlimit rl = { 64, 64 };
	int d, spare = -1, last = -1, fd;

	/* Let libdoor set itself up (control file, first server thread). */
	d = door_create(noop_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, door_call(d, NULL)) TH_LOG("door_call: %s", strerror(errno));

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (spare < 0)
			spare = fd;
		last = fd;
	}
	ASSERT_EQ(EMFILE, errno);
	ASSERT_LE(0, spare);
	ASSERT_LE(0, last);

	errno = 0;
	EXPECT_EQ(-1, door_create(noop_proc, NULL, 0));
	EXPECT_EQ(EMFILE, errno);

	ASSERT_EQ(0, close(spare));
	fd = door_create(noop_proc, NULL, 0);
	EXPECT_EQ(spare, fd) TH_LOG("door_create after freeing a slot: %s",
				    strerror(errno));
}

/* Closing the last descriptor frees the door; a dup keeps it alive. */
TEST(close_frees_door)
{
	long long before = live_doors();
	int d, d2;

	ASSERT_LE(0, before);
	d = door_create(noop_proc, NULL, 0);
	ASSERT_LE(0, d);
	EXPECT_EQ(before + 1, live_doors());
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, close(d));
	EXPECT_EQ(before + 1, live_doors());
	/* Still a working door through the dup. */
	EXPECT_EQ(0, door_call(d2, NULL)) TH_LOG("door_call: %s", strerror(errno));
	ASSERT_EQ(0, close(d2));
	EXPECT_EQ(before, wait_live_doors(before, 2000));
}

TEST_HARNESS_MAIN
