// SPDX-License-Identifier: GPL-2.0
/*
 * door_rbuf_test - large results are written once, straight into the
 * caller's result buffer (issue 12, item 5).  A caller's rbuf of 16 KiB or
 * more (DOOR_PIN_MIN) is pinned by the caller for the length of its call
 * once the door's server has returned large results (a hint the server
 * sets when it returns 16 KiB or more and a caller clears when its pinned
 * buffer got nothing), shown in its VmPin and charged against
 * RLIMIT_MEMLOCK; results of 16 KiB or more that fit it (data, then
 * descriptor entries) are copied by the server's door_return or door_reply
 * from the server's own memory into those pages.  Otherwise results are
 * copied twice, as before.  Tests that look at the pin first make the door
 * return large results once (prime()).
 *
 *  - large results land in rbuf intact: sizes around 16 KiB and page
 *    boundaries up to 1 MiB, rbuf at unaligned addresses, the server's
 *    data at unaligned addresses, door_return and door_reply; VmPin seen
 *    by the server during the call shows the caller's rbuf pinned (only
 *    when rsize is 16 KiB or more), and is back at its start after;
 *  - small results into a large rbuf: the door's first call after large
 *    results pins it, the next ones do not, until large results come
 *    again (copied once more, then written in place);
 *  - results larger than rbuf (the data, or the data and descriptor
 *    entries) are still delivered in a new mapping; descriptor entries that
 *    fit follow the data in rbuf, and their descriptors are open;
 *  - a caller that times out (door_call_timed) or is interrupted while its
 *    server is stuck in a fault on its own result memory (userfaultfd)
 *    returns, its pin released at once; once the server goes on nothing is
 *    written into the caller's rbuf, door_reply says EPIPE, the thread
 *    serves again, and no call is left;
 *  - a read-only or PROT_NONE rbuf is not pinned: the results are copied,
 *    and the call fails with EFAULT as it always did; nor is a shared
 *    file mapping (a memfd): its results are copied, intact;
 *  - RLIMIT_MEMLOCK 0 (uid 65534, a forked caller): nothing is pinned, the
 *    results are copied, intact; the same caller under a limit that allows
 *    it has its rbuf pinned;
 *  - rbuf unmapped (or replaced) while its call is served: the call ends,
 *    nothing leaks, and the process goes on.
 */
#include <grp.h>
#include <linux/userfaultfd.h>
#include <sys/syscall.h>

#include "door_test.h"

#define KIB		1024UL
#define MIB		(1024UL * 1024)
#define PIN_MIN		(16 * KIB)
#define PG		4096UL
#define NOBODY		65534

/* What the procedure is asked to return. */
struct gen_req {
	uint64_t n;		/* bytes of results */
	uint32_t seed;		/* their pattern; 0: leave the memory alone */
	uint32_t src_off;	/* their offset in srv_buf */
	uint32_t ndesc;		/* descriptors too (dups of pass_fd) */
	uint32_t mode;		/* MODE_* */
};

enum { MODE_RETURN, MODE_REPLY };

static char *srv_buf;		/* the server's result memory */
static atomic_long pin_seen_kb = -1;	/* the caller's VmPin in the call */
static atomic_int reply_ret = 99, reply_errno;
static atomic_int hold;		/* procedure: post ev_in, wait for ev_go */
static int ev_in = -1, ev_go = -1;
static int pass_fd = -1;

static long vmpin_of(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return kb_field(path, "VmPin:");
}

static void gen_proc(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	door_desc_t d[4];
	struct gen_req r;
	door_cred_t c;
	uint32_t i;
	char *src;
	int ret;

	(void)cookie; (void)dp; (void)n_desc;
	if (arg_size != sizeof(r))
		door_return(NULL, 0, NULL, 0);
	memcpy(&r, argp, sizeof(r));
	if (door_cred(&c) == 0)
		atomic_store(&pin_seen_kb, vmpin_of(c.dc_pid));
	src = srv_buf + r.src_off;
	if (r.seed)
		fill_pat(src, r.n, r.seed);
	for (i = 0; i < r.ndesc && i < 4; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE;
		d[i].d_data.d_desc.d_descriptor = dup(pass_fd);
	}
	if (atomic_load(&hold)) {
		ev_post(ev_in);
		ev_wait(ev_go);
	}
	if (r.mode == MODE_REPLY) {
		errno = 0;
		ret = door_reply(src, r.n, d, r.ndesc);
		atomic_store(&reply_errno, errno);
		atomic_store(&reply_ret, ret);
		door_return(NULL, 0, NULL, 0);
	}
	door_return(src, r.n, d, r.ndesc);
}

static void *xmap(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A door served by gen_proc, results from up to 2 MiB of server memory. */
static int gen_door(struct __test_metadata *_metadata, uint_t attrs)
{
	int d;

	if (!srv_buf) {
		srv_buf = xmap(2 * MIB + PG, PROT_READ | PROT_WRITE);
		ASSERT_NE(NULL, srv_buf);
	}
	ev_in = ev_new();
	ev_go = ev_new();
	pass_fd = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	ASSERT_LE(0, pass_fd);
	door_server_create(one_server_thread);
	d = door_create(gen_proc, NULL, attrs);
	ASSERT_LE(0, d);
	return d;
}

/* KiB of the pages holding [p, p + len) (rounded out to pages). */
static long pages_kb(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(PG - 1);
	uintptr_t e = ((uintptr_t)p + len + PG - 1) & ~(PG - 1);

	return (long)((e - a) / 1024);
}

static int gen_call(int d, struct gen_req *r, char *rbuf, size_t rsize,
		    door_arg_t *a)
{
	memset(a, 0, sizeof(*a));
	a->data_ptr = (char *)r;
	a->data_size = sizeof(*r);
	a->rbuf = rbuf;
	a->rsize = rsize;
	atomic_store(&pin_seen_kb, -1);
	return door_call(d, a);
}

/*
 * The door returns 16 KiB (from srv_buf + 1 MiB): its next callers with a
 * large rbuf pin it.
 */
static void prime(struct __test_metadata *_metadata, int d)
{
	static char *pb;
	struct gen_req r = { .n = PIN_MIN, .seed = 99, .src_off = MIB };
	door_arg_t a;

	if (!pb)
		pb = xmap(PIN_MIN, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, pb);
	ASSERT_EQ(0, gen_call(d, &r, pb, PIN_MIN, &a));
	ASSERT_EQ(-1, check_pat(a.data_ptr, PIN_MIN, 99));
}

/* ---- results land in rbuf -------------------------------------------------- */

/*
 * Sizes around DOOR_PIN_MIN and page boundaries, rbuf exactly that large
 * at several offsets into a page, the server's data at another: every
 * byte arrives, in rbuf itself, and the caller's VmPin in the call shows
 * rbuf pinned when it is large enough to be.
 */
static void results_land_in_rbuf(struct __test_metadata *_metadata,
				 uint32_t mode)
{
	static const size_t sizes[] = {
		PIN_MIN - 1, PIN_MIN, PIN_MIN + 1, PIN_MIN + PG - 1,
		PIN_MIN + PG, 5 * PG + 17, 64 * KIB + 1, MIB, MIB + 5,
	};
	static const size_t offs[] = { 0, 1, 24, 2049, PG - 1 };
	char *area = xmap(MIB + 3 * PG, PROT_READ | PROT_WRITE);
	long pin0 = vmpin_of(getpid());
	unsigned int seed = 1;
	size_t i, j;
	int d;

	ASSERT_NE(NULL, area);
	d = gen_door(_metadata, 0);
	prime(_metadata, d);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			size_t n = sizes[i];
			char *rbuf = area + offs[j];
			struct gen_req r = {
				.n = n, .seed = ++seed,
				.src_off = (uint32_t)((offs[j] * 7 + 3) % PG),
				.mode = mode,
			};
			door_arg_t a;
			long want;

			memset(area, 0x5a, MIB + 3 * PG);
			ASSERT_EQ(0, gen_call(d, &r, rbuf, n, &a))
				TH_LOG("size %zu off %zu: %s", n, offs[j],
				       strerror(errno));
			EXPECT_EQ(rbuf, a.rbuf);
			EXPECT_EQ(rbuf, a.data_ptr);
			EXPECT_EQ(n, a.data_size);
			EXPECT_EQ(-1, check_pat(a.data_ptr, n, seed))
				TH_LOG("size %zu off %zu: byte %ld", n, offs[j],
				       check_pat(a.data_ptr, n, seed));
			/* Nothing written beyond the results. */
			EXPECT_EQ(0x5a, (unsigned char)rbuf[n]);
			if (offs[j])
				EXPECT_EQ(0x5a, (unsigned char)rbuf[-1]);
			want = n >= PIN_MIN ? pages_kb(rbuf, n) : 0;
			EXPECT_EQ(pin0 + want, atomic_load(&pin_seen_kb))
				TH_LOG("size %zu off %zu: VmPin in the call",
				       n, offs[j]);
			EXPECT_EQ(pin0, vmpin_of(getpid()));
		}
	}
	if (mode == MODE_REPLY)
		EXPECT_EQ(0, atomic_load(&reply_ret));
	munmap(area, MIB + 3 * PG);
}

TEST(large_results_land_in_rbuf_intact)
{
	results_land_in_rbuf(_metadata, MODE_RETURN);
}

TEST(large_replies_land_in_rbuf_intact)
{
	results_land_in_rbuf(_metadata, MODE_REPLY);
}

/* The same from a forked caller: another process' pages are written. */
TEST(large_results_land_in_a_forked_callers_rbuf)
{
	int d = gen_door(_metadata, 0);
	pid_t pid;

	prime(_metadata, d);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *rbuf = xmap(MIB + PG, PROT_READ | PROT_WRITE);
		struct gen_req r = { .n = MIB, .seed = 41, .src_off = 5 };
		door_arg_t a;

		CHILD_CHECK(10, rbuf != NULL);
		CHILD_CHECK(11, gen_call(d, &r, rbuf + 3, MIB, &a) == 0);
		CHILD_CHECK(12, a.data_ptr == rbuf + 3 && a.data_size == MIB);
		CHILD_CHECK(13, check_pat(a.data_ptr, MIB, 41) == -1);
		CHILD_CHECK(14, vmpin_of(getpid()) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 30)));
	EXPECT_EQ(pages_kb((void *)3, MIB), atomic_load(&pin_seen_kb));
}

/* ---- small results into a large rbuf ------------------------------------- */

/*
 * A pin costs in proportion to rbuf: small results into a large rbuf pay
 * for it once after large results, not on every call.
 */
TEST(small_results_into_a_large_rbuf_stop_pinning_it)
{
	char *rbuf = xmap(MIB, PROT_READ | PROT_WRITE);
	long pin0 = vmpin_of(getpid());
	struct gen_req r = { .n = 8, .seed = 51 };
	door_arg_t a;
	int d, i;

	ASSERT_NE(NULL, rbuf);
	d = gen_door(_metadata, 0);
	/* A fresh door: nothing pinned for small results. */
	ASSERT_EQ(0, gen_call(d, &r, rbuf, MIB, &a));
	EXPECT_EQ(pin0, atomic_load(&pin_seen_kb));
	prime(_metadata, d);
	/* Pinned once, for nothing: not again. */
	for (i = 0; i < 3; i++) {
		r.seed = 52 + i;
		ASSERT_EQ(0, gen_call(d, &r, rbuf, MIB, &a));
		EXPECT_EQ(rbuf, a.data_ptr);
		EXPECT_EQ(-1, check_pat(rbuf, 8, 52 + i));
		EXPECT_EQ(pin0 + (i ? 0 : 1024), atomic_load(&pin_seen_kb))
			TH_LOG("call %d", i);
	}
	/* Large results again: copied once more, then written in place. */
	for (i = 0; i < 2; i++) {
		r.n = MIB;
		r.seed = 60 + i;
		ASSERT_EQ(0, gen_call(d, &r, rbuf, MIB, &a));
		EXPECT_EQ(rbuf, a.data_ptr);
		EXPECT_EQ(-1, check_pat(rbuf, MIB, 60 + i));
		EXPECT_EQ(pin0 + (i ? 1024 : 0), atomic_load(&pin_seen_kb))
			TH_LOG("call %d", i);
	}
	EXPECT_EQ(pin0, vmpin_of(getpid()));
}

/* ---- results larger than rbuf ---------------------------------------------- */

TEST(results_larger_than_rbuf_are_still_mapped)
{
	char *rbuf = xmap(64 * KIB, PROT_READ | PROT_WRITE);
	long pin0 = vmpin_of(getpid());
	struct gen_req r = { .n = 64 * KIB + 1, .seed = 3 };
	door_desc_t *dd;
	door_arg_t a;
	int d;

	ASSERT_NE(NULL, rbuf);
	d = gen_door(_metadata, 0);

	/* Data beyond a pinned rbuf. */
	prime(_metadata, d);
	ASSERT_EQ(0, gen_call(d, &r, rbuf, PIN_MIN, &a));
	EXPECT_NE(rbuf, a.rbuf);
	EXPECT_EQ(a.rbuf, a.data_ptr);
	EXPECT_EQ(64 * KIB + 1, a.data_size);
	EXPECT_EQ(-1, check_pat(a.data_ptr, a.data_size, 3));
	EXPECT_EQ(pin0 + 16, atomic_load(&pin_seen_kb));
	munmap(a.rbuf, a.rsize);

	/* 1 MiB into 16 KiB + 1. */
	r.n = MIB;
	r.seed = 4;
	ASSERT_EQ(0, gen_call(d, &r, rbuf, PIN_MIN + 1, &a));
	EXPECT_NE(rbuf, a.rbuf);
	EXPECT_EQ(-1, check_pat(a.data_ptr, MIB, 4));
	munmap(a.rbuf, a.rsize);

	/*
	 * 16 KiB of data fit, its descriptor entry (at 16392, the next
	 * multiple of 24) does not: mapped.
	 */
	r.n = PIN_MIN;
	r.seed = 5;
	r.ndesc = 1;
	ASSERT_EQ(0, gen_call(d, &r, rbuf, PIN_MIN + 24 + 7, &a));
	EXPECT_NE(rbuf, a.rbuf);
	EXPECT_EQ(-1, check_pat(a.data_ptr, PIN_MIN, 5));
	ASSERT_EQ(1U, a.desc_num);
	EXPECT_EQ(a.data_ptr + 16392, (char *)a.desc_ptr);
	EXPECT_TRUE(fd_is_open(a.desc_ptr[0].d_data.d_desc.d_descriptor));
	close(a.desc_ptr[0].d_data.d_desc.d_descriptor);
	munmap(a.rbuf, a.rsize);

	/* Both fit exactly: the data in rbuf, the entries after it. */
	prime(_metadata, d);
	r.seed = 6;
	r.ndesc = 2;
	ASSERT_EQ(0, gen_call(d, &r, rbuf, 16392 + 2 * 24, &a));
	EXPECT_EQ(rbuf, a.rbuf);
	EXPECT_EQ(rbuf, a.data_ptr);
	EXPECT_EQ(-1, check_pat(rbuf, PIN_MIN, 6));
	ASSERT_EQ(2U, a.desc_num);
	EXPECT_EQ(rbuf + 16392, (char *)a.desc_ptr);
	for (int i = 0; i < 2; i++) {
		dd = &a.desc_ptr[i];
		EXPECT_TRUE(HAS(dd->d_attributes, DOOR_DESCRIPTOR));
		EXPECT_TRUE(fd_is_open(dd->d_data.d_desc.d_descriptor));
		close(dd->d_data.d_desc.d_descriptor);
	}
	EXPECT_EQ(pin0 + pages_kb(rbuf, 16392 + 48), atomic_load(&pin_seen_kb));
	EXPECT_EQ(pin0, vmpin_of(getpid()));
}

/* ---- the caller goes while the server writes ------------------------------- */

static int uffd = -1;
static int ev_fault = -1, ev_release = -1;
static atomic_int held;
static atomic_uintptr_t hold_from;

/*
 * Resolve the faults on srv_buf, filling every page with 0x99; the first
 * one at hold_from or beyond is reported (ev_fault) and held until
 * ev_release.
 */
static void *uffd_main(void *arg)
{
	static char page[PG] __attribute__((aligned(4096)));
	struct uffd_msg msg;
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	size_t i;

	for (i = 0; i < PG; i++)
		page[i] = (char)0x99;
	for (;;) {
		if (poll(&pfd, 1, 20000) != 1)
			break;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		if (msg.arg.pagefault.address >= atomic_load(&hold_from) &&
		    atomic_fetch_add(&held, 1) == 0) {
			ev_post(ev_fault);
			ev_wait(ev_release);
		}
		struct uffdio_copy c = {
			.dst = msg.arg.pagefault.address & ~(PG - 1),
			.src = (uintptr_t)page,
			.len = PG,
		};
		ioctl(uffd, UFFDIO_COPY, &c);
	}
	return arg;
}

/* srv_buf, fresh and never touched, with its missing pages on uffd. */
static int uffd_setup(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .len = 2 * MIB + PG },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	pthread_t t;

	srv_buf = xmap(2 * MIB + PG, PROT_READ | PROT_WRITE);
	if (!srv_buf)
		return -1;
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return -1;
	reg.range.start = (uintptr_t)srv_buf;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return -1;
	ev_fault = ev_new();
	ev_release = ev_new();
	if (pthread_create(&t, NULL, uffd_main, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}

struct caller_out {
	int ret, err;
};

static int go_door = -1;
static char *go_rbuf;
static int go_timed;
static struct caller_out go_out;
static struct gen_req go_req;

static void *caller_main(void *arg)
{
	door_arg_t a = {
		.data_ptr = (char *)&go_req, .data_size = sizeof(go_req),
		.rbuf = go_rbuf, .rsize = MIB,
	};
	struct timespec to = { 0, 300 * 1000 * 1000 };

	errno = 0;
	go_out.ret = go_timed ? door_call_timed(go_door, &a, &to) :
				door_call(go_door, &a);
	go_out.err = errno;
	return arg;
}

static void noop_sig(int sig)
{
	(void)sig;
}

/*
 * The server's result memory is on userfaultfd: the first `resident` bytes
 * are faulted in before the call, the rest is missing, and the server's
 * door_return (or door_reply) of 1 MiB stops at its first missing page,
 * held there until the caller has gone.
 */
static void caller_goes_while_server_writes(struct __test_metadata *_metadata,
					    int timed, uint32_t mode,
					    size_t resident)
{
	struct sigaction sa = { .sa_handler = noop_sig };
	long long calls0 = live_calls(), idle;
	long pin0 = vmpin_of(getpid());
	pthread_t caller;
	char *snap;
	size_t i;
	int ms;

	atomic_store(&hold_from, UINTPTR_MAX);
	if (uffd_setup()) {
		SKIP(return, "userfaultfd: %s", strerror(errno));
	}
	snap = malloc(MIB);
	ASSERT_NE(NULL, snap);
	/* Cancellation would end the stuck thread instead. */
	go_door = gen_door(_metadata, DOOR_NO_CANCEL);
	prime(_metadata, go_door);
	for (i = 0; i < resident; i += PG)
		(void)*(volatile char *)(srv_buf + i);
	atomic_store(&hold_from, (uintptr_t)srv_buf + resident);
	go_rbuf = xmap(MIB, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, go_rbuf);
	memset(go_rbuf, 0xaa, MIB);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	go_timed = timed;
	go_req = (struct gen_req){ .n = MIB, .seed = 0, .mode = mode };

	ASSERT_EQ(0, pthread_create(&caller, NULL, caller_main, NULL));
	/* The server is in door_return, stuck on its first page. */
	ASSERT_EQ(0, ev_wait_ms(ev_fault, 10000)) TH_LOG("no fault");
	if (!timed)
		ASSERT_EQ(0, pthread_kill(caller, SIGUSR1));
	ASSERT_EQ(0, pthread_join(caller, NULL));
	EXPECT_EQ(-1, go_out.ret);
	EXPECT_EQ(timed ? ETIMEDOUT : EINTR, go_out.err)
		TH_LOG("%s", strerror(go_out.err));
	/* The caller released its pin on its way out. */
	EXPECT_EQ(pin0, vmpin_of(getpid()));
	EXPECT_EQ(pin0 + 1024, atomic_load(&pin_seen_kb));
	/*
	 * What the server had resident arrived while its caller waited,
	 * written once, straight into rbuf; nothing beyond.
	 */
	memcpy(snap, go_rbuf, MIB);
	for (i = 0; i < MIB && (unsigned char)snap[i] == 0x99; i++)
		;
	EXPECT_EQ(resident, i);
	for (; i < MIB && (unsigned char)snap[i] == 0xaa; i++)
		;
	EXPECT_EQ(MIB, i) TH_LOG("rbuf byte %zu: %#x", i,
				 (unsigned char)snap[i]);

	/* Let the server go on: it writes nothing more into rbuf. */
	ASSERT_EQ(0, ev_post(ev_release));
	idle = -1;
	for (ms = 0; ms < 10000 && idle != 1; ms++) {
		usleep(1000);
		idle = fdinfo_get(go_door, "door_pool_idle_threads");
	}
	EXPECT_EQ(1, idle) TH_LOG("the server thread never came back");
	for (i = 0; i < MIB; i++)
		if (go_rbuf[i] != snap[i])
			break;
	EXPECT_EQ(MIB, i) TH_LOG("rbuf written at %zu after the call", i);
	if (mode == MODE_REPLY) {
		EXPECT_EQ(-1, atomic_load(&reply_ret));
		EXPECT_EQ(EPIPE, atomic_load(&reply_errno));
	}
	EXPECT_EQ(calls0, wait_live_calls(calls0, 5000));

	/* The thread serves the next call, its memory resident now. */
	go_req.seed = 12;
	go_timed = 0;
	hang_guard(20);
	caller_main(NULL);
	hang_guard(0);
	EXPECT_EQ(0, go_out.ret) TH_LOG("%s", strerror(go_out.err));
	EXPECT_EQ(-1, check_pat(go_rbuf, MIB, 12));
	EXPECT_EQ(pin0, vmpin_of(getpid()));
}

TEST(caller_timed_out_while_server_writes_large_results)
{
	caller_goes_while_server_writes(_metadata, 1, MODE_RETURN, 0);
}

TEST(caller_timed_out_halfway_through_the_servers_results)
{
	caller_goes_while_server_writes(_metadata, 1, MODE_RETURN, MIB / 2);
}

TEST(caller_interrupted_while_server_writes_large_results)
{
	caller_goes_while_server_writes(_metadata, 0, MODE_RETURN, 5 * PG);
}

TEST(caller_timed_out_while_server_replies_large_results)
{
	caller_goes_while_server_writes(_metadata, 1, MODE_REPLY, 3 * PG);
}

/* ---- rbufs that cannot be pinned ------------------------------------------- */

static void unwritable_rbuf(struct __test_metadata *_metadata, int prot)
{
	char *rbuf = xmap(64 * KIB, prot), *ok = xmap(64 * KIB,
						      PROT_READ | PROT_WRITE);
	long pin0 = vmpin_of(getpid());
	struct gen_req r = { .n = 32 * KIB, .seed = 7 };
	door_arg_t a;
	int d;

	ASSERT_NE(NULL, rbuf);
	ASSERT_NE(NULL, ok);
	d = gen_door(_metadata, 0);
	/* As before: the results are taken, their delivery faults. */
	EXPECT_EQ(-1, gen_call(d, &r, rbuf, 64 * KIB, &a));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(pin0, atomic_load(&pin_seen_kb)) TH_LOG("rbuf was pinned");
	EXPECT_EQ(pin0, vmpin_of(getpid()));
	/* Nothing broken: the next call is delivered. */
	r.seed = 8;
	ASSERT_EQ(0, gen_call(d, &r, ok, 64 * KIB, &a));
	EXPECT_EQ(ok, a.data_ptr);
	EXPECT_EQ(-1, check_pat(ok, 32 * KIB, 8));
}

TEST(read_only_rbuf_falls_back_to_the_copy)
{
	unwritable_rbuf(_metadata, PROT_READ);
}

TEST(prot_none_rbuf_falls_back_to_the_copy)
{
	unwritable_rbuf(_metadata, PROT_NONE);
}

/*
 * Only anonymous memory is written through a pin: a shared file mapping
 * (a memfd here) receives its results by the copy, intact.
 */
TEST(shared_file_rbuf_falls_back_to_the_copy)
{
	int mfd = memfd_create("rbuf", MFD_CLOEXEC);
	long pin0 = vmpin_of(getpid());
	struct gen_req r = { .n = 64 * KIB, .seed = 71 };
	door_arg_t a;
	char *rbuf;
	int d;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 64 * KIB));
	rbuf = mmap(NULL, 64 * KIB, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, rbuf);
	d = gen_door(_metadata, 0);
	prime(_metadata, d);
	ASSERT_EQ(0, gen_call(d, &r, rbuf, 64 * KIB, &a));
	EXPECT_EQ(rbuf, a.data_ptr);
	EXPECT_EQ(-1, check_pat(rbuf, 64 * KIB, 71));
	EXPECT_EQ(pin0, atomic_load(&pin_seen_kb)) TH_LOG("rbuf was pinned");
	EXPECT_EQ(pin0, vmpin_of(getpid()));
	munmap(rbuf, 64 * KIB);
	close(mfd);
}

/*
 * A forked caller, uid 65534 under RLIMIT_MEMLOCK `limit`, receives 1 MiB
 * into a 1 MiB rbuf; its VmPin in the call is returned.
 */
static long memlock_caller(struct __test_metadata *_metadata, int d,
			   rlim_t limit, unsigned int seed)
{
	pid_t pid;

	atomic_store(&pin_seen_kb, -1);
	pid = fork_child();
	if (pid == 0) {
		struct rlimit rl = { limit, limit };
		char *rbuf = xmap(MIB, PROT_READ | PROT_WRITE);
		struct gen_req r = { .n = MIB, .seed = seed };
		door_arg_t a;

		CHILD_CHECK(10, rbuf != NULL);
		CHILD_CHECK(11, setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
		CHILD_CHECK(12, setgroups(0, NULL) == 0 &&
			    setgid(NOBODY) == 0 && setuid(NOBODY) == 0);
		CHILD_CHECK(13, gen_call(d, &r, rbuf, MIB, &a) == 0);
		CHILD_CHECK(14, a.data_ptr == rbuf && a.data_size == MIB);
		CHILD_CHECK(15, check_pat(rbuf, MIB, seed) == -1);
		CHILD_CHECK(16, vmpin_of(getpid()) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 30)));
	return atomic_load(&pin_seen_kb);
}

TEST(memlock_zero_falls_back_to_the_copy)
{
	int d = gen_door(_metadata, 0);

	prime(_metadata, d);
	EXPECT_EQ(0, memlock_caller(_metadata, d, 0, 21));
	/* Under 1 MiB: the same. */
	EXPECT_EQ(0, memlock_caller(_metadata, d, MIB - PG, 22));
	/* Within the limit: pinned. */
	EXPECT_EQ(1024, memlock_caller(_metadata, d, 2 * MIB, 23));
}

/* ---- rbuf unmapped during the call ----------------------------------------- */

static void unmap_rbuf_during_call(struct __test_metadata *_metadata,
				   uint32_t mode, int remap)
{
	long long calls0 = live_calls();
	long pin0 = vmpin_of(getpid());
	pthread_t caller;
	char *p;

	go_door = gen_door(_metadata, 0);
	prime(_metadata, go_door);
	go_rbuf = xmap(MIB, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, go_rbuf);
	memset(go_rbuf, 0xaa, MIB);
	go_timed = 0;
	go_req = (struct gen_req){ .n = MIB, .seed = 31, .mode = mode };
	atomic_store(&hold, 1);
	ASSERT_EQ(0, pthread_create(&caller, NULL, caller_main, NULL));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 10000));
	/* The procedure holds; rbuf is pinned: take it away. */
	EXPECT_EQ(pin0 + 1024, vmpin_of(getpid()));
	ASSERT_EQ(0, munmap(go_rbuf, MIB));
	if (remap) {
		p = mmap(go_rbuf, MIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		ASSERT_EQ(go_rbuf, p);
	}
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(caller, NULL));
	/*
	 * The data went to the pages pinned at the call; the call itself
	 * succeeds (descriptors aside, nothing is left to write).
	 */
	EXPECT_EQ(0, go_out.ret) TH_LOG("%s", strerror(go_out.err));
	if (remap) {
		/* A new mapping, whatever it holds: readable. */
		volatile char c = go_rbuf[MIB - 1];

		(void)c;
		munmap(go_rbuf, MIB);
	}
	EXPECT_EQ(pin0, vmpin_of(getpid()));
	EXPECT_EQ(calls0, wait_live_calls(calls0, 5000));
	atomic_store(&hold, 0);
	/* The server goes on. */
	go_rbuf = xmap(MIB, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, go_rbuf);
	go_req.seed = 32;
	caller_main(NULL);
	EXPECT_EQ(0, go_out.ret);
	EXPECT_EQ(-1, check_pat(go_rbuf, MIB, 32));
}

TEST(rbuf_unmapped_during_the_call)
{
	unmap_rbuf_during_call(_metadata, MODE_RETURN, 0);
}

TEST(rbuf_unmapped_and_replaced_during_the_call)
{
	unmap_rbuf_during_call(_metadata, MODE_RETURN, 1);
}

TEST(rbuf_unmapped_during_a_reply)
{
	unmap_rbuf_during_call(_metadata, MODE_REPLY, 0);
}

TEST_HARNESS_MAIN
