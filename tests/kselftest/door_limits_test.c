// SPDX-License-Identifier: GPL-2.0
/*
 * door_limits_test - resource limits give clear errors and lose nothing.
 *
 *  - arguments: exactly max_data bytes (the module parameter, read from
 *    /sys/module/door/parameters/max_data) arrive intact; one more byte is
 *    E2BIG and the server never runs;
 *  - a 1 GiB argument (PROT_NONE, NULL, or a sparse readable mapping) and
 *    absurd sizes are E2BIG at once, before anything is read or allocated
 *    (not EFAULT, not ENOMEM), and a thousand of them leave MemAvailable
 *    where it was;
 *  - results: exactly max_data bytes arrive (in a new mapping); a server
 *    returning max_data + 1 gets E2BIG from door_return while its client
 *    stays blocked (live_calls counts it, it has not returned 200 ms
 *    later), and door_return(NULL, 0, NULL, 0) then releases it;
 *  - descriptors: 1024 in a call and 1024 in a return arrive as 1024
 *    distinct descriptors of the right file; 1025 (or 2^20 from a PROT_NONE
 *    array) is E2BIG in both directions, nothing invoked; 2^32 - 1 with a
 *    NULL array is E2BIG or ENFILE (more than the door's DESC_MAX, which is
 *    INT_MAX by default);
 *  - descriptor arrays refused at their first entry (closed descriptor,
 *    bad attributes, unreadable array: EINVAL, EINVAL, EFAULT), 4000 calls
 *    and 2000 door_returns of 1024 entries, leave MemAvailable where it was
 *    (the kernel's copy of each array is freed);
 *  - a receiver whose descriptor table is full gets EMFILE (client side:
 *    from door_call; server side: its caller gets EMFILE), nothing is
 *    installed and the passed file is not leaked (its pipe reaches EOF);
 *  - door_create in a loop up to RLIMIT_NOFILE ends with EMFILE exactly
 *    when the table is full, and every door is freed afterwards;
 *  - a server returning max_data to the same client again and again does
 *    not make the client's or the kernel's memory grow (VmRSS, VmSize,
 *    MemAvailable, live_calls);
 *  - memory cgroup (cgroup2, skipped without it or without root): a
 *    caller limited to 8 MiB passing a 12 MiB argument it already has gets
 *    it delivered intact, or ENOMEM or E2BIG, and is not OOM-killed; a
 *    server limited to 8 MiB returning 12 MiB gets ENOMEM (or E2BIG) from
 *    door_return instead of being OOM-killed for the kernel's copy of the
 *    results, and its client then gets empty results (memory.events
 *    oom_kill stays 0 in both);
 *  - a door_call or door_return whose own ioctl structure is read-only
 *    fails with EFAULT and leaves no descriptor and no mapping behind in
 *    the process that could not be told about them; so does one whose
 *    structure straddles a writable page and a read-only one (door.ko
 *    proves it writable by its first and last fields), and the server
 *    never runs.
 */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "door_test.h"

#define MIB		(1024UL * 1024)

static size_t max_data(void)
{
	return (size_t)max_data_get();
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

static int highest_fd(void)
{
	int hi = -1;

	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			hi = fd;
	return hi;
}

static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* Read a thread's state letter from /proc/self/task/TID/stat. */
static char task_state(pid_t tid)
{
	char p[64], c;

	snprintf(p, sizeof(p), "/proc/self/task/%d/stat", (int)tid);
	c = stat_state(p);
	return c ? c : '?';
}

/* Sum of the bytes at every 4093rd position and the last one. */
static uint64_t sample_sum(const unsigned char *p, size_t n)
{
	uint64_t s = n;

	for (size_t i = 0; i < n; i += 4093)
		s = s * 31 + p[i];
	if (n)
		s = s * 31 + p[n - 1];
	return s;
}

/* ---- arguments ---------------------------------------------------------- */

static atomic_int invocations;

struct arg_report {
	uint64_t size, sum;
};

/* Reports the size of its argument and a sample checksum of it. */
static void size_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	struct arg_report r = { arg_size, sample_sum((unsigned char *)argp, arg_size) };

	atomic_fetch_add(&invocations, 1);
	for (uint_t i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	door_return((char *)&r, sizeof(r), NULL, 0);
}

TEST(argument_of_max_data_and_one_more)
{
	size_t max = max_data();
	struct arg_report rep;
	unsigned char *buf;
	door_arg_t a;
	int d;

	ASSERT_LT(0UL, max) TH_LOG("cannot read /sys/module/door/parameters/max_data");
	TH_LOG("max_data = %zu", max);
	buf = mmap(NULL, max + 1, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	fill_pat(buf, max + 1, 7);
	d = door_create(size_proc, NULL, 0);
	ASSERT_LE(0, d);

	a = (door_arg_t){ (char *)buf, max, NULL, 0, (char *)&rep, sizeof(rep) };
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("max_data argument: %s", strerror(errno));
	ASSERT_EQ(sizeof(rep), a.data_size);
	EXPECT_EQ((uint64_t)max, rep.size);
	EXPECT_EQ(sample_sum(buf, max), rep.sum);
	EXPECT_EQ(1, atomic_load(&invocations));

	a = (door_arg_t){ (char *)buf, max + 1, NULL, 0, (char *)&rep, sizeof(rep) };
	errno = 0;
	EXPECT_EQ(-1, door_call(d, &a));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(1, atomic_load(&invocations)) TH_LOG("the server ran for a refused call");
	munmap(buf, max + 1);
	close(d);
}

/*
 * 1 GiB (and absurd sizes) from memory that cannot be read, from NULL, or
 * from a sparse readable mapping: E2BIG, which proves the size is checked
 * before the data is touched (EFAULT) or a buffer allocated (ENOMEM).
 */
TEST(huge_argument_is_e2big_before_anything)
{
	static const uint64_t sizes[] = { 1ULL << 30, 1ULL << 32, 1ULL << 62,
					  ~0ULL, ~0ULL >> 1 };
	size_t gib = 1UL << 30;
	char *none, *sparse;
	struct door_ioc_call c;
	long avail0, avail1;
	int d, fails = 0;

	d = door_create(size_proc, NULL, 0);
	ASSERT_LE(0, d);
	none = mmap(NULL, gib, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	sparse = mmap(NULL, gib, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		      MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, sparse);

	avail0 = kb_field("/proc/meminfo", "MemAvailable:");
	for (int i = 0; i < 1000; i++) {
		char *src = i % 3 == 0 ? none : i % 3 == 1 ? NULL : sparse;
		int r;

		memset(&c, 0, sizeof(c));
		c.data_ptr = (uintptr_t)src;
		c.data_size = i < 995 ? gib : sizes[i - 995];
		r = ioctl(d, DOOR_IOC_CALL, &c);
		if (r != -1 || errno != E2BIG) {
			if (!fails++)
				TH_LOG("size %llu from %p: ret %d errno %d (%s)",
				       (unsigned long long)c.data_size, src, r,
				       errno, strerror(errno));
		}
	}
	avail1 = kb_field("/proc/meminfo", "MemAvailable:");
	EXPECT_EQ(0, fails);
	EXPECT_EQ(0, atomic_load(&invocations));
	TH_LOG("MemAvailable %ld kB before, %ld kB after 1000 calls of 1 GiB",
	       avail0, avail1);
	/* Nothing was allocated on their behalf (other activity: 32 MiB). */
	EXPECT_LT(avail0 - 32 * 1024, avail1);
	munmap(none, gib);
	munmap(sparse, gib);
	close(d);
}

/* ---- results ---------------------------------------------------------------- */

static unsigned char *big;	/* max_data + 1 bytes, patterned */
static size_t big_max;
static int ret_err;		/* errno of the refused door_return */
static int blocked_seen;	/* the client was still blocked */
static long long calls_during;	/* live_calls seen by the server */
static atomic_int client_returned;
static atomic_int client_tid;
static int ev_client = -1;

static void big_result_proc(void *cookie, char *argp, size_t arg_size,
			    door_desc_t *dp, uint_t n_desc)
{
	uint64_t mode = 0;

	if (arg_size == sizeof(mode))
		memcpy(&mode, argp, sizeof(mode));
	atomic_fetch_add(&invocations, 1);
	if (mode == 1) {
		/* One byte too many: refused, the client keeps waiting. */
		errno = 0;
		if (door_return((char *)big, big_max + 1, NULL, 0) == -1)
			ret_err = errno;
		calls_during = live_calls();
		/* Must not happen: the client returning (bounded check). */
		blocked_seen = ev_wait_ms(ev_client, 200) != 0 &&
			       !atomic_load(&client_returned) &&
			       task_state(atomic_load(&client_tid)) == 'S';
		door_return(NULL, 0, NULL, 0);
	}
	door_return((char *)big, big_max, NULL, 0);
}

struct bigcall {
	int d, ret, err;
	door_arg_t a;
	char small[64];
};

static void *big_client(void *p)
{
	struct bigcall *b = p;
	uint64_t mode = 1;

	atomic_store(&client_tid, gettid());
	b->a = (door_arg_t){ (char *)&mode, sizeof(mode), NULL, 0, b->small,
			     sizeof(b->small) };
	b->ret = door_call(b->d, &b->a);
	b->err = errno;
	atomic_store(&client_returned, 1);
	ev_post(ev_client);
	return NULL;
}

TEST(result_of_max_data_and_one_more)
{
	long long calls0 = live_calls();
	struct bigcall b;
	uint64_t mode = 0;
	char small[64];
	door_arg_t a;
	pthread_t th;

	big_max = max_data();
	ASSERT_LT(0UL, big_max);
	big = mmap(NULL, big_max + 1, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	fill_pat(big, big_max + 1, 3);
	ev_client = ev_new();
	ASSERT_LE(0, ev_client);
	memset(&b, 0, sizeof(b));
	b.d = door_create(big_result_proc, NULL, 0);
	ASSERT_LE(0, b.d);

	/* Exactly max_data: delivered in a new mapping, intact. */
	a = (door_arg_t){ (char *)&mode, sizeof(mode), NULL, 0, small, sizeof(small) };
	ASSERT_EQ(0, door_call(b.d, &a)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(big_max, a.data_size);
	EXPECT_NE((char *)small, a.rbuf);
	EXPECT_EQ(-1, check_pat(a.data_ptr, a.data_size, 3));
	if (a.rbuf != small)
		munmap(a.rbuf, a.rsize);

	/* max_data + 1: E2BIG to the server, the client stays blocked. */
	ASSERT_EQ(0, pthread_create(&th, NULL, big_client, &b));
	hang_guard(60);
	ASSERT_EQ(0, ev_wait(ev_client)) TH_LOG("the client never returned");
	hang_guard(0);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(E2BIG, ret_err) TH_LOG("door_return of max_data + 1: errno %d", ret_err);
	EXPECT_EQ(1, blocked_seen) TH_LOG("the client did not wait for a valid door_return");
	EXPECT_EQ(calls0 + 1, calls_during);
	EXPECT_EQ(0, b.ret) TH_LOG("client: %s", strerror(b.err));
	EXPECT_EQ(0UL, b.a.data_size);
	EXPECT_EQ(calls0, wait_live_calls(calls0, 2000));
	close(b.d);
	munmap(big, big_max + 1);
}

/*
 * A server returning max_data to the same client, again and again: the
 * client unmaps each result; neither it nor the kernel keeps anything.
 */
TEST(repeated_max_results_do_not_accumulate)
{
	long rss0 = 0, rss1, vm0 = 0, vm1, avail0 = 0, avail1;
	long long calls0 = live_calls();
	uint64_t mode = 0;
	char small[64];
	int d, n = 16;

	big_max = max_data();
	ASSERT_LT(0UL, big_max);
	big = mmap(NULL, big_max + 1, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	fill_pat(big, big_max + 1, 5);
	d = door_create(big_result_proc, NULL, 0);
	ASSERT_LE(0, d);
	/* One call first: threads and buffers of the library exist. */
	for (int i = 0; i <= n; i++) {
		door_arg_t a = { (char *)&mode, sizeof(mode), NULL, 0, small,
				 sizeof(small) };

		ASSERT_EQ(0, door_call(d, &a)) TH_LOG("call %d: %s", i, strerror(errno));
		ASSERT_EQ(big_max, a.data_size);
		EXPECT_EQ(-1, check_pat(a.data_ptr, 4096, 5));
		ASSERT_EQ(0, munmap(a.rbuf, a.rsize));
		if (i == 0) {
			rss0 = kb_field("/proc/self/status", "VmRSS:");
			vm0 = kb_field("/proc/self/status", "VmSize:");
			avail0 = kb_field("/proc/meminfo", "MemAvailable:");
		}
	}
	rss1 = kb_field("/proc/self/status", "VmRSS:");
	vm1 = kb_field("/proc/self/status", "VmSize:");
	avail1 = kb_field("/proc/meminfo", "MemAvailable:");
	TH_LOG("%d results of %zu bytes: VmRSS %ld -> %ld kB, VmSize %ld -> %ld kB, "
	       "MemAvailable %ld -> %ld kB", n, big_max, rss0, rss1, vm0, vm1,
	       avail0, avail1);
	/*
	 * 16 x max_data went through; less than half of one may remain in
	 * the process.  MemAvailable also moves with the per-CPU page lists
	 * (tens of MiB on 6.12 after freeing this much): a leak of even a
	 * quarter of each result would be 4 x max_data.
	 */
	EXPECT_LT(rss1 - rss0, (long)(big_max / 1024 / 2));
	EXPECT_LT(vm1 - vm0, (long)(big_max / 1024 / 2));
	EXPECT_LT(avail0 - avail1, (long)(big_max / 1024 * 4));
	EXPECT_EQ(calls0, wait_live_calls(calls0, 2000));
	close(d);
	munmap(big, big_max + 1);
}

/* ---- descriptors ---------------------------------------------------------------- */

static uint_t desc_seen;
static int desc_distinct, desc_same_file;
static ino_t pipe_ino;
static int ret_fd = -1;		/* what desc_proc returns, n_ret times */
static uint_t n_ret;
static door_desc_t ret_desc[DOOR_MAX_DESC + 1];

static int distinct_same_file(door_desc_t *dp, uint_t n, int *same)
{
	struct stat st;
	int ok = 1;

	*same = 1;
	for (uint_t i = 0; i < n; i++) {
		int fd = dp[i].d_data.d_desc.d_descriptor;

		if (fstat(fd, &st) != 0 || st.st_ino != pipe_ino)
			*same = 0;
		for (uint_t j = 0; j < i && ok; j++)
			if (dp[j].d_data.d_desc.d_descriptor == fd)
				ok = 0;
	}
	return ok;
}

static void desc_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&invocations, 1);
	desc_seen = n_desc;
	desc_distinct = distinct_same_file(dp, n_desc, &desc_same_file);
	for (uint_t i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	if (n_ret) {
		for (uint_t i = 0; i < n_ret; i++) {
			ret_desc[i].d_attributes = DOOR_DESCRIPTOR;
			ret_desc[i].d_data.d_desc.d_descriptor = ret_fd;
		}
		if (door_return(NULL, 0, ret_desc, n_ret) == -1)
			ret_err = errno;
	}
	door_return(NULL, 0, NULL, 0);
}

static void raise_nofile(struct __test_metadata *_metadata, rlim_t want)
{
	struct rlimit rl;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_max < want)
		SKIP(return, "RLIMIT_NOFILE hard limit %llu < %llu",
		     (unsigned long long)rl.rlim_max, (unsigned long long)want);
	rl.rlim_cur = want;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
}

TEST(descriptors_1024_and_1025)
{
	door_desc_t *in = calloc(DOOR_MAX_DESC + 1, sizeof(*in));
	char *none;
	struct stat st;
	int p[2], d, fds0, same;
	door_arg_t a;

	ASSERT_NE(NULL, in);
	raise_nofile(_metadata, 4096);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, fstat(p[1], &st));
	pipe_ino = st.st_ino;
	d = door_create(desc_proc, NULL, 0);
	ASSERT_LE(0, d);
	for (int i = 0; i <= DOOR_MAX_DESC; i++) {
		in[i].d_attributes = DOOR_DESCRIPTOR;
		in[i].d_data.d_desc.d_descriptor = p[1];
	}
	fds0 = count_fds();

	/* 1024 in: the server gets 1024 distinct descriptors of the pipe. */
	a = (door_arg_t){ NULL, 0, in, DOOR_MAX_DESC, NULL, 0 };
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ((uint_t)DOOR_MAX_DESC, desc_seen);
	EXPECT_TRUE(desc_distinct);
	EXPECT_TRUE(desc_same_file);

	/* 1025 in, or absurd counts: E2BIG, the server does not run. */
	atomic_store(&invocations, 0);
	none = mmap(NULL, 65536, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	a = (door_arg_t){ NULL, 0, in, DOOR_MAX_DESC + 1, NULL, 0 };
	errno = 0;
	EXPECT_EQ(-1, door_call(d, &a));
	EXPECT_EQ(E2BIG, errno);
	a = (door_arg_t){ NULL, 0, NULL, 0xffffffffU, NULL, 0 };
	errno = 0;
	EXPECT_EQ(-1, door_call(d, &a));
	EXPECT_TRUE(errno == E2BIG || errno == ENFILE) TH_LOG("errno %d", errno);
	a = (door_arg_t){ NULL, 0, (door_desc_t *)none, 1U << 20, NULL, 0 };
	errno = 0;
	EXPECT_EQ(-1, door_call(d, &a));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, atomic_load(&invocations));

	/* 1024 out: the client gets 1024 distinct descriptors of the pipe. */
	ret_fd = p[1];
	n_ret = DOOR_MAX_DESC;
	a = (door_arg_t){ NULL, 0, NULL, 0, NULL, 0 };
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ((uint_t)DOOR_MAX_DESC, a.desc_num);
	if (a.desc_num == DOOR_MAX_DESC) {
		EXPECT_TRUE(distinct_same_file(a.desc_ptr, a.desc_num, &same));
		EXPECT_TRUE(same);
		for (uint_t i = 0; i < a.desc_num; i++)
			close(a.desc_ptr[i].d_data.d_desc.d_descriptor);
	}
	if (a.rbuf)
		munmap(a.rbuf, a.rsize);

	/* 1025 out: door_return gets E2BIG, then returns nothing. */
	n_ret = DOOR_MAX_DESC + 1;
	ret_err = 0;
	a = (door_arg_t){ NULL, 0, NULL, 0, NULL, 0 };
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(E2BIG, ret_err);
	EXPECT_EQ(0U, a.desc_num);
	EXPECT_EQ(fds0, count_fds());
	n_ret = 0;
	close(d);
	close(p[0]);
	close(p[1]);
	munmap(none, 65536);
	free(in);
}

/*
 * Descriptor arrays refused at their first entry (a closed descriptor,
 * bad attributes, an unreadable array), in calls and in returns: each
 * fails at once, and the kernel's copy of the array (up to 1024 x 32
 * bytes) is freed every time.  4000 leaked arrays of 1024 would be 128 MiB
 * of MemAvailable.
 */
static atomic_int bad_returns, bad_return_errs;
static door_desc_t *bad_ret;

static void bad_return_proc(void *cookie, char *argp, size_t arg_size,
			    door_desc_t *dp, uint_t n_desc)
{
	if (arg_size == 0)	/* warm-up call */
		door_return(NULL, 0, NULL, 0);
	for (int i = 0; i < 2000; i++) {
		errno = 0;
		if (door_return(NULL, 0, bad_ret, DOOR_MAX_DESC) == -1 &&
		    errno == EINVAL)
			atomic_fetch_add(&bad_return_errs, 1);
		atomic_fetch_add(&bad_returns, 1);
	}
	door_return(NULL, 0, NULL, 0);
}

TEST(refused_descriptor_arrays_leak_nothing)
{
	door_desc_t *bad = calloc(DOOR_MAX_DESC, sizeof(*bad));
	long avail0, avail1;
	int d, dr, wrong = 0, p[2];
	char *none;
	door_arg_t a;

	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	none = mmap(NULL, DOOR_MAX_DESC * sizeof(*bad), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	d = door_create(size_proc, NULL, 0);
	ASSERT_LE(0, d);
	dr = door_create(bad_return_proc, NULL, 0);
	ASSERT_LE(0, dr);
	/* Valid entries after a bad first one: nothing is taken. */
	for (int i = 0; i < DOOR_MAX_DESC; i++) {
		bad[i].d_attributes = DOOR_DESCRIPTOR;
		bad[i].d_data.d_desc.d_descriptor = p[1];
	}
	bad_ret = bad;
	a = (door_arg_t){ NULL, 0, NULL, 0, NULL, 0 };
	ASSERT_EQ(0, door_call(dr, &a));	/* the library's threads exist */
	atomic_store(&bad_returns, 0);
	atomic_store(&bad_return_errs, 0);

	avail0 = kb_field("/proc/meminfo", "MemAvailable:");
	for (int i = 0; i < 4000; i++) {
		int want = EINVAL;

		switch (i % 3) {
		case 0:	/* a closed descriptor */
			bad[0].d_attributes = DOOR_DESCRIPTOR;
			bad[0].d_data.d_desc.d_descriptor = -1;
			a = (door_arg_t){ NULL, 0, bad, DOOR_MAX_DESC, NULL, 0 };
			break;
		case 1:	/* attributes that are not DOOR_DESCRIPTOR */
			bad[0].d_attributes = 0x12345;
			bad[0].d_data.d_desc.d_descriptor = p[1];
			a = (door_arg_t){ NULL, 0, bad, DOOR_MAX_DESC, NULL, 0 };
			break;
		default: /* an array that cannot be read */
			a = (door_arg_t){ NULL, 0, (door_desc_t *)none,
					  DOOR_MAX_DESC, NULL, 0 };
			want = EFAULT;
			break;
		}
		errno = 0;
		if (door_call(d, &a) != -1 || errno != want) {
			if (!wrong++)
				TH_LOG("call %d: errno %d, expected %d", i, errno, want);
		}
	}
	/* The same from a server: 2000 refused door_returns, one call. */
	bad[0].d_attributes = DOOR_DESCRIPTOR;
	bad[0].d_data.d_desc.d_descriptor = -1;
	a = (door_arg_t){ "go", 3, NULL, 0, NULL, 0 };
	hang_guard(120);
	EXPECT_EQ(0, door_call(dr, &a));
	hang_guard(0);
	avail1 = kb_field("/proc/meminfo", "MemAvailable:");
	TH_LOG("MemAvailable %ld kB before, %ld kB after 4000 refused calls "
	       "and 2000 refused returns of 1024 descriptors", avail0, avail1);
	EXPECT_EQ(0, wrong);
	EXPECT_EQ(2000, atomic_load(&bad_return_errs));
	EXPECT_EQ(0, atomic_load(&invocations));
	/* 6000 x 32 KiB would be 187 MiB; allow 64 MiB of other activity. */
	EXPECT_LT(avail0 - avail1, 64L * 1024);
	close(d);
	close(dr);
	close(p[0]);
	close(p[1]);
	munmap(none, DOOR_MAX_DESC * sizeof(*bad));
	free(bad);
}

/* Is the pipe's read end at EOF (every write end closed everywhere)? */
static int pipe_eof(int rfd)
{
	char c;
	int fl = fcntl(rfd, F_GETFL);

	fcntl(rfd, F_SETFL, fl | O_NONBLOCK);
	return read(rfd, &c, 1) == 0;
}

/*
 * The client's table is full: door_call fails with EMFILE, nothing is
 * installed, and the descriptors in the results are not leaked.
 */
TEST(emfile_when_the_client_table_is_full)
{
	int p[2], d, st;
	pid_t pid;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	d = door_create(desc_proc, NULL, 0);
	ASSERT_LE(0, d);
	ret_fd = p[1];
	n_ret = 8;
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl;
		door_arg_t a = { NULL, 0, NULL, 0, NULL, 0 };
		rlim_t saved;
		int n0, r, e, hi;

		close(p[1]);
		/*
		 * No hole below the highest descriptor, and a limit leaving
		 * two free numbers: fewer than the 8 descriptors returned, so
		 * the kernel must give back the two it took.
		 */
		hi = highest_fd();
		for (int fd = 0; fd < hi; fd++)
			if (fcntl(fd, F_GETFD) == -1)
				CHILD_CHECK(10, dup2(2, fd) == fd);
		n0 = count_fds();
		CHILD_CHECK(11, getrlimit(RLIMIT_NOFILE, &rl) == 0);
		saved = rl.rlim_cur;
		rl.rlim_cur = (rlim_t)hi + 3;
		CHILD_CHECK(12, setrlimit(RLIMIT_NOFILE, &rl) == 0);
		r = door_call(d, &a);
		e = errno;
		rl.rlim_cur = saved;
		CHILD_CHECK(13, setrlimit(RLIMIT_NOFILE, &rl) == 0);
		errno = e;
		CHILD_CHECK(14, r == -1 && e == EMFILE);
		CHILD_CHECK(15, count_fds() == n0);
		_exit(0);
	}
	st = wait_child(pid, 60);
	EXPECT_EQ(0, child_exit_code(st));
	n_ret = 0;
	ret_fd = -1;
	/* With our own p[1] closed, only a leaked one would hold the pipe. */
	close(p[1]);
	EXPECT_TRUE(pipe_eof(p[0])) TH_LOG("the returned descriptors were leaked");
	close(p[0]);
	close(d);
}

/*
 * The server's table is full: its caller gets EMFILE; the server and the
 * passed pipe lose nothing.
 */
TEST(emfile_when_the_server_table_is_full)
{
	int p[2], sv[2], d, st, c, r, e;
	door_desc_t dd[4];
	door_arg_t a;
	pid_t pid;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl;
		rlim_t saved;
		int sd, n0, hi;
		char v;

		close(sv[0]);
		close(p[0]);
		close(p[1]);
		sd = door_create(desc_proc, NULL, 0);
		CHILD_CHECK(20, sd >= 0);
		CHILD_CHECK(21, send_fd(sv[1], sd) == 0);
		/* A full table: no hole, the limit just above the last one. */
		hi = highest_fd();
		for (int fd = 0; fd < hi; fd++)
			if (fcntl(fd, F_GETFD) == -1)
				CHILD_CHECK(22, dup2(2, fd) == fd);
		n0 = count_fds();
		CHILD_CHECK(23, getrlimit(RLIMIT_NOFILE, &rl) == 0);
		saved = rl.rlim_cur;
		rl.rlim_cur = (rlim_t)hi + 1;
		CHILD_CHECK(24, setrlimit(RLIMIT_NOFILE, &rl) == 0);
		CHILD_CHECK(25, write(sv[1], "r", 1) == 1);
		/* The parent calls; its verdict comes back here. */
		CHILD_CHECK(26, read(sv[1], &v, 1) == 1);
		rl.rlim_cur = saved;
		CHILD_CHECK(27, setrlimit(RLIMIT_NOFILE, &rl) == 0);
		CHILD_CHECK(28, atomic_load(&invocations) == 0);
		CHILD_CHECK(29, count_fds() == n0);
		_exit(0);
	}
	close(sv[1]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);
	hang_guard(30);
	ASSERT_EQ(1, read(sv[0], &c, 1));
	hang_guard(0);
	for (int i = 0; i < 4; i++) {
		dd[i].d_attributes = DOOR_DESCRIPTOR;
		dd[i].d_data.d_desc.d_descriptor = p[1];
	}
	a = (door_arg_t){ NULL, 0, dd, 4, NULL, 0 };
	hang_guard(30);
	r = door_call(d, &a);
	e = errno;
	hang_guard(0);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EMFILE, e) TH_LOG("door_call: %s", strerror(e));
	close(p[1]);
	EXPECT_TRUE(pipe_eof(p[0])) TH_LOG("the passed descriptors were leaked");
	ASSERT_EQ(1, write(sv[0], "v", 1));
	st = wait_child(pid, 60);
	EXPECT_EQ(0, child_exit_code(st));
	close(p[0]);
	close(d);
	close(sv[0]);
}

TEST(door_create_up_to_rlimit_nofile)
{
	long long doors0 = live_doors();
	struct rlimit rl;
	int *fds, n = 0, err = 0, full;

	ASSERT_LE(0, doors0);
	/* The library's control file and first server thread exist first. */
	fds = calloc(512, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	fds[n] = door_create(size_proc, NULL, 0);
	ASSERT_LE(0, fds[n]);
	n++;
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = 256;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	while (n < 512) {
		int d = door_create(size_proc, NULL, 0);

		if (d < 0) {
			err = errno;
			break;
		}
		fds[n++] = d;
	}
	full = count_fds() == -1 && errno == EMFILE;
	EXPECT_EQ(EMFILE, err) TH_LOG("door_create failed with %s after %d doors",
				      strerror(err), n);
	EXPECT_TRUE(full) TH_LOG("EMFILE although the table was not full");
	close(fds[--n]);
	/* Nothing half-made: exactly the doors we hold exist. */
	EXPECT_EQ(doors0 + n, live_doors());
	TH_LOG("%d doors created under RLIMIT_NOFILE 256", n + 1);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	EXPECT_EQ(doors0, wait_live_doors(doors0, 5000));
	free(fds);
}

/* ---- memory cgroup ----------------------------------------------------------------- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

static long cg_field(const char *cg, const char *file, const char *field)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", cg, file);
	if (!field) {
		FILE *f = fopen(p, "r");
		long v = -1;

		if (f) {
			if (fscanf(f, "%ld", &v) != 1)
				v = -1;
			fclose(f);
		}
		return v;
	}
	return kb_field(p, field);
}

/*
 * A memory cgroup limited to 8 MiB, made under /sys/fs/cgroup (cgroup2 is
 * mounted there if it is not yet).  0, or SKIP-worthy -1 with a reason.
 */
static int memcg_make(char *cg, size_t len, const char **why)
{
	const char *root = "/sys/fs/cgroup";
	char p[256];
	struct statfs sfs;

	*why = NULL;
	if (geteuid() != 0) {
		*why = "needs root to set up a cgroup";
		return -1;
	}
	if (statfs(root, &sfs) != 0 || sfs.f_type != 0x63677270 /* CGROUP2 */) {
		mkdir(root, 0755);
		if (mount("none", root, "cgroup2", 0, NULL) != 0) {
			*why = "cannot mount cgroup2";
			return -1;
		}
	}
	if (write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory") != 0) {
		*why = "no memory controller";
		return -1;
	}
	snprintf(cg, len, "%s/door_limits.%d.%ld", root, (int)getpid(),
		 (long)time(NULL));
	if (mkdir(cg, 0755) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/memory.max", cg);
	if (write_file(p, "8M") != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/memory.swap.max", cg);
	write_file(p, "0");
	return 0;
}

static int memcg_enter(const char *cg)
{
	char p[256], me[32];

	snprintf(p, sizeof(p), "%s/cgroup.procs", cg);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	return write_file(p, me);
}

/* 12 MiB of patterned data in a shared memfd, charged to our cgroup. */
static unsigned char *memfd_data(size_t len)
{
	int fd = memfd_create("door_limits", MFD_CLOEXEC);
	unsigned char *m;

	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)len) != 0) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	fill_pat(m, len, 11);
	return m;
}

/*
 * A caller limited to 8 MiB passes a 12 MiB argument (memory it already
 * has, charged elsewhere): the call either works, the argument intact, or
 * fails with ENOMEM or E2BIG; the caller is not OOM-killed.
 */
TEST(memcg_caller_with_large_argument)
{
	size_t len = 12 * MIB;
	long oom1, peak;
	unsigned char *arg;
	const char *why;
	uint64_t sum;
	char cg[160];
	int d, st, code;
	pid_t pid;

	if (memcg_make(cg, sizeof(cg), &why) != 0) {
		if (why)
			SKIP(return, "%s", why);
		ASSERT_TRUE(0) TH_LOG("cannot make a cgroup: %s", strerror(errno));
	}
	arg = memfd_data(len);
	ASSERT_NE(NULL, arg);
	sum = sample_sum(arg, len);
	d = door_create(size_proc, NULL, 0);
	ASSERT_LE(0, d);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct arg_report rep;
		door_arg_t a = { (char *)arg, len, NULL, 0, (char *)&rep, sizeof(rep) };

		CHILD_CHECK(30, memcg_enter(cg) == 0);
		if (door_call(d, &a) != 0)
			_exit(errno == ENOMEM ? 1 : errno == E2BIG ? 2 : 50 + (errno & 63));
		_exit(a.data_size == sizeof(rep) && rep.size == len && rep.sum == sum ?
		      0 : 3);
	}
	st = wait_child(pid, 120);
	oom1 = cg_field(cg, "memory.events", "oom_kill ");
	peak = cg_field(cg, "memory.peak", NULL);
	code = child_exit_code(st);
	TH_LOG("caller in an 8 MiB cgroup passing %zu bytes: %s; oom_kill %ld, "
	       "memory.peak %ld", len,
	       code == 0 ? "delivered intact" : code == 1 ? "ENOMEM" :
	       code == 2 ? "E2BIG" : code == 3 ? "delivered CORRUPTED" :
	       code >= 50 ? strerror(code - 50) :
	       WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "?", oom1, peak);
	EXPECT_TRUE(code == 0 || code == 1 || code == 2)
		TH_LOG("expected the argument delivered, or ENOMEM or E2BIG");
	EXPECT_EQ(0, oom1);
	close(d);
	munmap(arg, len);
	rmdir(cg);
}

static int *srv_errno;	/* MAP_SHARED: the server child's door_return errno */
static unsigned char *srv_result;
static size_t srv_len;

static void too_big_proc(void *cookie, char *argp, size_t arg_size,
			 door_desc_t *dp, uint_t n_desc)
{
	if (door_return((char *)srv_result, srv_len, NULL, 0) == -1)
		*srv_errno = errno;
	door_return(NULL, 0, NULL, 0);
}

/*
 * A server limited to 8 MiB returns 12 MiB (memory it already has): the
 * kernel's copy of the results would be charged to the server's cgroup,
 * which cannot hold it.  door_return must fail with ENOMEM (or E2BIG),
 * the server staying bound to its client, not be OOM-killed; the client
 * then gets the empty results of door_return(NULL, 0, NULL, 0).
 */
TEST(memcg_server_with_too_large_result)
{
	int sv[2], d, r, e, alive;
	long oom1, peak;
	const char *why;
	char cg[160], small[64];
	door_arg_t a;
	pid_t pid;

	if (memcg_make(cg, sizeof(cg), &why) != 0) {
		if (why)
			SKIP(return, "%s", why);
		ASSERT_TRUE(0) TH_LOG("cannot make a cgroup: %s", strerror(errno));
	}
	srv_len = 12 * MIB;
	srv_result = memfd_data(srv_len);
	ASSERT_NE(NULL, srv_result);
	srv_errno = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, srv_errno);
	*srv_errno = 0;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int sd;

		close(sv[0]);
		CHILD_CHECK(40, memcg_enter(cg) == 0);
		sd = door_create(too_big_proc, NULL, 0);
		CHILD_CHECK(41, sd >= 0);
		CHILD_CHECK(42, send_fd(sv[1], sd) == 0);
		for (;;)
			pause();
	}
	close(sv[1]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);
	a = (door_arg_t){ NULL, 0, NULL, 0, small, sizeof(small) };
	hang_guard(60);
	r = door_call(d, &a);
	e = errno;
	hang_guard(0);
	alive = kill(pid, 0) == 0 && waitpid(pid, NULL, WNOHANG) == 0;
	oom1 = cg_field(cg, "memory.events", "oom_kill ");
	peak = cg_field(cg, "memory.peak", NULL);
	TH_LOG("server in an 8 MiB cgroup returning %zu bytes: door_return errno "
	       "%d (%s); client: %s; server %s; oom_kill %ld, memory.peak %ld",
	       srv_len, *srv_errno, strerror(*srv_errno),
	       r == 0 ? "got the empty results" : strerror(e),
	       alive ? "alive" : "dead", oom1, peak);
	EXPECT_TRUE(*srv_errno == ENOMEM || *srv_errno == E2BIG);
	EXPECT_EQ(0, r);
	EXPECT_EQ(0UL, a.data_size);
	EXPECT_TRUE(alive) TH_LOG("the server was killed");
	EXPECT_EQ(0, oom1);
	kill(pid, SIGKILL);
	wait_child(pid, 30);
	close(d);
	close(sv[0]);
	munmap(srv_result, srv_len);
	rmdir(cg);
}

/* ---- EFAULT on the ioctl structure itself ------------------------------------------- */

/*
 * The results (a mapping and a descriptor) are placed before the kernel
 * writes the door_ioc_call back; if that write fails the caller learns
 * nothing about them: they must not be left behind.
 */
TEST(efault_call_struct_leaves_nothing)
{
	int p[2], sv[2], d, fds0, maps0, fds1, maps1, r, e;
	struct door_ioc_call *c;
	pid_t pid;
	char ready;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		close(p[0]);
		ret_fd = p[1];
		n_ret = 1;
		d = door_create(desc_proc, NULL, 0);
		CHILD_CHECK(60, d >= 0);
		CHILD_CHECK(61, send_fd(sv[1], d) == 0);
		CHILD_CHECK(62, write(sv[1], "r", 1) == 1);
		for (;;)
			pause();
	}
	close(sv[1]);
	close(p[1]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);
	hang_guard(30);
	ASSERT_EQ(1, read(sv[0], &ready, 1));
	hang_guard(0);

	c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c);
	memset(c, 0, sizeof(*c));	/* no arguments, no result buffer */
	ASSERT_EQ(0, mprotect(c, 4096, PROT_READ));
	fds0 = count_fds();
	maps0 = count_maps();
	hang_guard(30);
	r = ioctl(d, DOOR_IOC_CALL, c);
	e = errno;
	hang_guard(0);
	fds1 = count_fds();
	maps1 = count_maps();
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EFAULT, e);
	EXPECT_EQ(fds0, fds1) TH_LOG("a descriptor was installed but not reported");
	EXPECT_EQ(maps0, maps1) TH_LOG("a result mapping was left behind");
	kill(pid, SIGKILL);
	wait_child(pid, 30);
	EXPECT_TRUE(pipe_eof(p[0])) TH_LOG("the returned descriptor is held somewhere");
	close(p[0]);
	close(sv[0]);
	close(d);
	munmap(c, 4096);
}

/*
 * Same for the server: a door_ioc_return it cannot write back must not
 * leave it with an invocation's descriptor or argument mapping.  door.ko
 * checks that the structure is writable before taking a call, so the call
 * is never handed to this thread: the server exits and the caller gets
 * EBADF (EINTR had the thread taken the call and failed afterwards).
 */
TEST(efault_return_struct_leaves_nothing)
{
	int p[2], sv[2], d, r, e, st;
	door_desc_t dd;
	door_arg_t a;
	pid_t pid;
	char big[64 << 10];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct door_ioc_create cr = { .proc = 1 };
		struct door_ioc_return *rr;
		int ctl, fds0, maps0;

		close(sv[0]);
		close(p[0]);
		close(p[1]);
		ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		CHILD_CHECK(70, ctl >= 0);
		d = ioctl(ctl, DOOR_IOC_CREATE, &cr);
		CHILD_CHECK(71, d >= 0);
		CHILD_CHECK(72, send_fd(sv[1], d) == 0);
		rr = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHILD_CHECK(73, rr != MAP_FAILED);
		memset(rr, 0, sizeof(*rr));	/* no buffer: arguments mapped */
		CHILD_CHECK(74, mprotect(rr, 4096, PROT_READ) == 0);
		fds0 = count_fds();
		maps0 = count_maps();
		r = ioctl(ctl, DOOR_IOC_RETURN, rr);
		CHILD_CHECK(75, r == -1 && errno == EFAULT);
		CHILD_CHECK(76, count_fds() == fds0);
		CHILD_CHECK(77, count_maps() == maps0);
		_exit(0);
	}
	close(sv[1]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);
	memset(big, 'x', sizeof(big));
	dd.d_attributes = DOOR_DESCRIPTOR;
	dd.d_data.d_desc.d_descriptor = p[1];
	a = (door_arg_t){ big, sizeof(big), &dd, 1, NULL, 0 };
	hang_guard(30);
	r = door_call(d, &a);
	e = errno;
	hang_guard(0);
	EXPECT_EQ(-1, r);
	EXPECT_TRUE(e == EBADF || e == EINTR) TH_LOG("door_call: %s", strerror(e));
	st = wait_child(pid, 30);
	EXPECT_EQ(0, child_exit_code(st))
		TH_LOG("the server was left with the invocation's descriptor "
		       "(75: not EFAULT, 76: descriptor, 77: mapping)");
	close(p[1]);
	EXPECT_TRUE(pipe_eof(p[0]));
	close(p[0]);
	close(sv[0]);
	close(d);
}

static int straddle_calls;

static void straddle_proc(void *cookie, char *argp, size_t arg_size,
			  door_desc_t *dp, uint_t n_desc)
{
	__atomic_add_fetch(&straddle_calls, 1, __ATOMIC_SEQ_CST);
	door_return(NULL, 0, NULL, 0);
}

/*
 * The request structures of DOOR_IOC_CALL and DOOR_IOC_RETURN straddling
 * two pages, the second read-only: EFAULT before anything is taken.  The
 * same structures placed in the writable page work.
 */
TEST(efault_struct_straddling_a_read_only_page)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct door_ioc_return *rr;
	struct door_ioc_call *c;
	char *m;
	int d, ctl;

	d = door_create(straddle_proc, NULL, 0);
	ASSERT_LE(0, d);
	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);

	/* Written in the first page, then the second made read-only. */
	c = (struct door_ioc_call *)(m + pg - 16);
	memset(c, 0, sizeof(*c));
	ASSERT_EQ(0, mprotect(m + pg, pg, PROT_READ));
	errno = 0;
	EXPECT_EQ(-1, ioctl(d, DOOR_IOC_CALL, c));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, __atomic_load_n(&straddle_calls, __ATOMIC_SEQ_CST))
		TH_LOG("the call was made although its results could not be written back");

	/* The same request in the writable page: the door works. */
	c = (struct door_ioc_call *)(m + pg - 2 * sizeof(*c));
	memset(c, 0, sizeof(*c));
	EXPECT_EQ(0, ioctl(d, DOOR_IOC_CALL, c));
	EXPECT_EQ(1, __atomic_load_n(&straddle_calls, __ATOMIC_SEQ_CST));

	/*
	 * door_return's: EFAULT before the thread would wait for (and take)
	 * an invocation; its own control file, so nothing else is touched.
	 */
	ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ctl);
	rr = (struct door_ioc_return *)(m + pg - 16);
	errno = 0;
	hang_guard(30);
	EXPECT_EQ(-1, ioctl(ctl, DOOR_IOC_RETURN, rr));
	EXPECT_EQ(EFAULT, errno);
	hang_guard(0);
	close(ctl);
	close(d);
	munmap(m, 2 * pg);
}

TEST_HARNESS_MAIN
