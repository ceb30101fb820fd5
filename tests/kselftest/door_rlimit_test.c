// SPDX-License-Identifier: GPL-2.0
/*
 * door_rlimit_test - what an unprivileged caller or server can make door.ko
 * hold is bounded by its own resource limits (issue 11, findings 3, 5, 6).
 *
 * Finding 3, pinned memory (TESTs pinned_args_within_memlock_are_charged,
 * pinned_args_beyond_memlock_are_copied): a caller's arguments of 16 KiB or
 * more are pinned while its call waits; the pinned pages are charged to the
 * caller's mm->pinned_vm (VmPin in /proc/PID/status) against RLIMIT_MEMLOCK,
 * and arguments over the limit are copied instead, never pinned.  A caller
 * (uid 65534, RLIMIT_MEMLOCK set) starts N threads each calling with 1 MiB
 * of arguments a door whose server has no thread yet, so the calls stay
 * queued (the server's fdinfo door_pool_waiting_calls shows them).  Then:
 *  - VmPin has grown by exactly the arguments that fit under the limit
 *    (the old module pinned them all and showed VmPin 0 kB);
 *  - which pages are pinned is seen without trusting that counter: a fork
 *    copies a (possibly DMA-)pinned anonymous page to the child instead of
 *    sharing it copy-on-write (mm/memory.c, page_needs_cow_for_dma), so in
 *    the caller's smaps the argument mapping has exactly the pinned pages
 *    Private and the others Shared with the child.  Pinned must equal VmPin
 *    and never exceed the limit;
 *  - a server thread appears: every call returns, the server having seen
 *    exactly the bytes sent (pinned or copied), and VmPin is back where it
 *    was.
 *
 * Finding 5, doors beyond RLIMIT_NOFILE (TEST
 * unref_doors_bounded_by_rlimit_nofile): a process (uid 65534,
 * RLIMIT_NOFILE 64) creates DOOR_UNREF doors with the raw DOOR_IOC_CREATE
 * and makes each unreferenced at once (a dup closed: the notification is
 * queued), then closes it, no thread ever taking the notifications: the
 * queued notifications keep the doors alive, and door_create fails with
 * EMFILE once RLIMIT_NOFILE doors are alive (the old module created all
 * 2000).  The module-wide live door count agrees.  Doors without DOOR_UNREF
 * created and closed one at a time are freed at once and never hit the
 * bound; once a server thread takes the queued notifications the doors are
 * freed, and DOOR_UNREF doors whose notification is taken each time can be
 * created and closed without end.
 *
 * Finding 6, size arithmetic (fixture max_data, TESTs parameter_bounds,
 * sizes_with_max_data_of_1gib; root; the original value is restored by a
 * teardown run in the harness's parent process): the module parameter
 * max_data takes at most 1 GiB, larger values fail with EINVAL and leave
 * it unchanged (the old module took 2^44 and 2^64 - 1); with max_data at
 * 1 GiB, data_size 2^44 + 8192 and 1 GiB + 1 are E2BIG before anything is
 * read, and 16 MiB + 1 byte (more than the default) arrives intact, pinned
 * (root) or copied (uid 65534 under RLIMIT_MEMLOCK 64 KiB).  The old module
 * passes sizes_with_max_data_of_1gib too: at 1 GiB its checks refuse the
 * same sizes; the page count wrapped only with max_data above 2^44, which
 * parameter_bounds shows is now refused (the test keeps the boundary).
 */
#include <grp.h>

#include "door_test.h"

#define KIB		1024UL
#define MIB		(1024UL * 1024)
#define NOBODY		65534

/* ---- helpers -------------------------------------------------------------- */

/* "Field:   N kB" of a /proc file, -1 if absent. */
static long vmpin_kb(void)
{
	return kb_field("/proc/self/status", "VmPin:");
}

/*
 * Queued calls have no event to wait for: poll fdinfo until the door's pool
 * has `want` waiting calls, for at most `ms` milliseconds.  Returns the
 * last value seen.
 */
static long long wait_waiting_calls(int d, long long want, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	long long v = fdinfo_get(d, "door_pool_waiting_calls");

	while (v != want && ms-- > 0) {
		nanosleep(&ts, NULL);
		v = fdinfo_get(d, "door_pool_waiting_calls");
	}
	return v;
}

/* A hash of every byte and of the length. */
static uint64_t hash_bytes(const void *buf, size_t n)
{
	const unsigned char *p = buf;
	uint64_t h = n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = mix64(h ^ w) + i;
	}
	for (; i < n; i++)
		h = mix64(h ^ p[i]) + i;
	return h;
}

/* One byte over a pipe, waiting at most `ms`: 0, or -1. */
static int get_byte_ms(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;
	int r;

	do {
		r = poll(&pfd, 1, ms);
	} while (r < 0 && errno == EINTR);
	if (r != 1)
		return -1;
	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static int put_byte(int fd)
{
	return write(fd, "x", 1) == 1 ? 0 : -1;
}

/* In a forked child: become uid/gid 65534, without supplementary groups. */
static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -1;
	return getuid() == NOBODY && geteuid() == NOBODY ? 0 : -1;
}

static int set_limit(int res, rlim_t v)
{
	struct rlimit rl = { v, v };

	return setrlimit(res, &rl);
}

static atomic_int invocations;

struct hash_reply {
	uint64_t size, hash;
};

/* Returns the size and the hash of the arguments it received. */
static void hash_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	struct hash_reply r = { arg_size, hash_bytes(argp, arg_size) };

	(void)cookie; (void)dp; (void)n_desc;
	atomic_fetch_add(&invocations, 1);
	door_return((char *)&r, sizeof(r), NULL, 0);
}

static void no_threads(door_info_t *dip)
{
	(void)dip;	/* never starts a server thread */
}

static void *server_thread(void *arg)
{
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	door_return(NULL, 0, NULL, 0);
	return arg;
}

/* ---- finding 3: pinned arguments and RLIMIT_MEMLOCK ---------------------- */

#define PIN_MAX_CALLS	16

struct pin_report {
	long vmpin_before, vmpin_queued, vmpin_after;	/* kB */
	long rss_kb, private_kb, shared_kb;	/* of the argument mapping */
	int smaps_found;
	int ret[PIN_MAX_CALLS], err[PIN_MAX_CALLS];
	uint64_t size_seen[PIN_MAX_CALLS];
	int hash_ok[PIN_MAX_CALLS];
};

struct pin_caller {
	int d, idx;
	unsigned char *buf;
	size_t size;
	uint64_t hash;
	struct pin_report *rep;
};

static void *pin_caller_thread(void *p)
{
	struct pin_caller *c = p;
	struct hash_reply r = { 0, 0 };
	door_arg_t a = { (char *)c->buf, c->size, NULL, 0, (char *)&r, sizeof(r) };

	c->rep->ret[c->idx] = door_call(c->d, &a);
	c->rep->err[c->idx] = errno;
	if (c->rep->ret[c->idx] == 0 && a.data_size == sizeof(r)) {
		c->rep->size_seen[c->idx] = r.size;
		c->rep->hash_ok[c->idx] = r.hash == c->hash;
	}
	return NULL;
}

/*
 * Rss, Private_* and Shared_* (kB) of the mapping starting at `addr` in
 * /proc/self/smaps.  0 if found.
 */
static int smaps_of(const void *addr, long *rss, long *priv, long *shared)
{
	char line[512], perms[8];
	unsigned long lo, hi;
	int in = 0, found = 0;
	FILE *f = fopen("/proc/self/smaps", "r");
	long v;

	*rss = *priv = *shared = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			/* A mapping's header line. */
			in = lo == (unsigned long)addr;
			found |= in;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "Rss: %ld", &v) == 1)
			*rss += v;
		else if (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
			 sscanf(line, "Private_Dirty: %ld", &v) == 1)
			*priv += v;
		else if (sscanf(line, "Shared_Clean: %ld", &v) == 1 ||
			 sscanf(line, "Shared_Dirty: %ld", &v) == 1)
			*shared += v;
	}
	fclose(f);
	return found ? 0 : -1;
}

/*
 * The caller process: uid 65534 under RLIMIT_MEMLOCK `memlock`, `n`
 * threads each calling `d` with `size` bytes from their own slice of one
 * mapping (guard pages around it, so that it is one VMA of its own, and no
 * huge pages).  On `cmd` it forks, measures, and answers on `ack`.
 */
static void pin_caller_child(int d, rlim_t memlock, int n, size_t size,
			     struct pin_report *rep, int cmd, int ack)
{
	struct pin_caller c[PIN_MAX_CALLS];
	pthread_t th[PIN_MAX_CALLS];
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *map, *buf;
	int gp[2];
	pid_t gc;

	CHILD_CHECK(10, set_limit(RLIMIT_MEMLOCK, memlock) == 0);
	CHILD_CHECK(11, drop_to_nobody() == 0);
	map = mmap(NULL, n * size + 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHILD_CHECK(12, map != MAP_FAILED);
	buf = map + page;
	CHILD_CHECK(13, mprotect(map, page, PROT_NONE) == 0);
	CHILD_CHECK(14, mprotect(buf + n * size, page, PROT_NONE) == 0);
	/* EINVAL: a kernel without transparent huge pages has none to avoid. */
	CHILD_CHECK(15, madvise(buf, n * size, MADV_NOHUGEPAGE) == 0 ||
		    errno == EINVAL);
	for (int i = 0; i < n; i++) {
		fill_pat(buf + i * size, size, 100 + i);
		c[i] = (struct pin_caller){ d, i, buf + i * size, size,
					    hash_bytes(buf + i * size, size), rep };
	}
	rep->vmpin_before = vmpin_kb();
	for (int i = 0; i < n; i++)
		CHILD_CHECK(16, pthread_create(&th[i], NULL, pin_caller_thread,
					       &c[i]) == 0);

	/* The parent saw the n calls queued. */
	CHILD_CHECK(17, get_byte_ms(cmd, 60000) == 0);
	rep->vmpin_queued = vmpin_kb();
	CHILD_CHECK(18, pipe(gp) == 0);
	gc = fork();
	CHILD_CHECK(19, gc >= 0);
	if (gc == 0) {
		char x;

		close(gp[1]);
		(void)!read(gp[0], &x, 1);
		_exit(0);
	}
	close(gp[0]);
	rep->smaps_found = smaps_of(buf, &rep->rss_kb, &rep->private_kb,
				    &rep->shared_kb) == 0;
	close(gp[1]);
	CHILD_CHECK(20, waitpid(gc, NULL, 0) == gc);
	CHILD_CHECK(21, put_byte(ack) == 0);

	/* Now a server thread serves them. */
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	rep->vmpin_after = vmpin_kb();
	_exit(0);
}

static void pin_case(struct __test_metadata *_metadata, rlim_t memlock, int n,
		     size_t size)
{
	long size_kb = (long)(size / KIB), want_kb;
	long long waiting;
	struct pin_report *rep;
	int cmd[2], ack[2], d, ok = 0, pinned;
	pthread_t srv;
	pid_t pid;

	ASSERT_LE(n, PIN_MAX_CALLS);
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	ASSERT_EQ(0, pipe2(cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ack, O_CLOEXEC));
	door_server_create(no_threads);
	d = door_create(hash_proc, NULL, 0);
	ASSERT_LE(0, d);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		pin_caller_child(d, memlock, n, size, rep, cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);

	/* No thread serves the door: the n calls wait in its pool. */
	waiting = wait_waiting_calls(d, n, 30000);
	ASSERT_EQ(n, waiting) TH_LOG("%lld calls queued, not %d", waiting, n);
	ASSERT_EQ(0, put_byte(cmd[1]));
	ASSERT_EQ(0, get_byte_ms(ack[0], 60000)) TH_LOG("the caller did not report");
	ASSERT_TRUE(rep->smaps_found) TH_LOG("argument mapping not found in smaps");

	/*
	 * The first arguments fit under the limit and are pinned, whole; the
	 * later ones are copied.  Pinned pages are the Private ones after the
	 * fork (the child got copies of them), the others are Shared.
	 */
	pinned = (int)(((long)(memlock / KIB) - rep->vmpin_before) / size_kb);
	if (pinned > n)
		pinned = n;
	if (pinned < 0)
		pinned = 0;
	want_kb = pinned * size_kb;
	TH_LOG("RLIMIT_MEMLOCK %lu KiB, %d queued calls of %ld KiB: VmPin %ld -> %ld kB "
	       "(want +%ld); argument pages pinned %ld kB, shared %ld kB, Rss %ld kB",
	       (unsigned long)(memlock / KIB), n, size_kb, rep->vmpin_before,
	       rep->vmpin_queued, want_kb, rep->private_kb, rep->shared_kb,
	       rep->rss_kb);
	EXPECT_EQ(n * size_kb, rep->rss_kb) TH_LOG("the arguments are not all resident");
	EXPECT_EQ(want_kb, rep->private_kb)
		TH_LOG("pinned argument pages (copied by fork) are not those "
		       "within RLIMIT_MEMLOCK");
	EXPECT_GE((long)(memlock / KIB), rep->private_kb)
		TH_LOG("more pinned than RLIMIT_MEMLOCK allows");
	EXPECT_EQ(want_kb, rep->vmpin_queued - rep->vmpin_before)
		TH_LOG("VmPin does not count the pinned arguments");
	EXPECT_EQ(rep->private_kb, rep->vmpin_queued - rep->vmpin_before)
		TH_LOG("VmPin differs from the pages actually pinned");
	EXPECT_GE((long)(memlock / KIB), rep->vmpin_queued);

	/* A server thread appears: every call completes, data intact. */
	ASSERT_EQ(0, pthread_create(&srv, NULL, server_thread, NULL));
	pthread_detach(srv);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 120)));
	for (int i = 0; i < n; i++) {
		if (rep->ret[i] == 0 && rep->size_seen[i] == size && rep->hash_ok[i])
			ok++;
		else
			TH_LOG("call %d: ret %d (%s), server saw %llu bytes, %s", i,
			       rep->ret[i], strerror(rep->err[i]),
			       (unsigned long long)rep->size_seen[i],
			       rep->hash_ok[i] ? "intact" : "NOT the bytes sent");
	}
	EXPECT_EQ(n, ok);
	EXPECT_EQ(n, atomic_load(&invocations));
	EXPECT_EQ(rep->vmpin_before, rep->vmpin_after)
		TH_LOG("VmPin after the calls returned: %ld kB", rep->vmpin_after);
	close(cmd[1]);
	close(ack[0]);
	close(d);
	munmap(rep, sizeof(*rep));
}

/*
 * RLIMIT_MEMLOCK 8 MiB, ten queued calls of 1 MiB: eight are pinned and
 * charged (VmPin +8 MiB), two copied; all return intact; VmPin drops back.
 */
TEST(pinned_args_within_memlock_are_charged)
{
	pin_case(_metadata, 8 * MIB, 10, 1 * MIB);
}

/*
 * The review's case: RLIMIT_MEMLOCK 64 KiB, sixteen queued calls of 1 MiB.
 * Nothing is pinned (VmPin unchanged, no page copied by fork); all are
 * copied and return intact once served.
 */
TEST(pinned_args_beyond_memlock_are_copied)
{
	pin_case(_metadata, 64 * KIB, 16, 1 * MIB);
}

/* ---- finding 5: doors kept alive by queued notifications ---------------- */

#define UNREF_ROUNDS	2000
#define NOFILE_LIMIT	64

struct unref_report {
	int plain_ok, plain_err;	/* door without DOOR_UNREF, no server */
	int unref_ok, first_err, first_fail_at, later_ok;
	int plain_when_full, plain_when_full_err;
	int drained;			/* notifications then taken */
	int served_ok, served_err;	/* DOOR_UNREF, server taking them */
};

static int unref_ctl = -1, unref_ev = -1;
static atomic_int unref_taken;

/* A raw server thread: takes invocations (notifications) on unref_ctl. */
static void *unref_server(void *arg)
{
	struct door_ioc_return r;
	char buf[256];

	for (;;) {
		memset(&r, 0, sizeof(r));
		r.buf = (uintptr_t)buf;
		r.buf_size = sizeof(buf);
		if (ioctl(unref_ctl, DOOR_IOC_RETURN, &r) != 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r.inv_flags & DOOR_INV_UNREF) {
			atomic_fetch_add(&unref_taken, 1);
			ev_post(unref_ev);
		}
	}
	return arg;
}

static int raw_create(int ctl, uint32_t attributes)
{
	struct door_ioc_create c = { .proc = 1, .cookie = 2,
				     .attributes = attributes };

	return ioctl(ctl, DOOR_IOC_CREATE, &c);
}

/*
 * A DOOR_UNREF door made unreferenced at once: a dup of its descriptor is
 * closed (the references drop to one: the notification is due, door(4)),
 * then the descriptor itself.  0, or -1 with errno from door_create.
 */
static int unref_round(int ctl)
{
	int d = raw_create(ctl, DOOR_UNREF), d2;

	if (d < 0)
		return -1;
	d2 = dup(d);
	if (d2 >= 0)
		close(d2);
	close(d);
	return d2 >= 0 ? 0 : -2;
}

static void unref_child(struct unref_report *rep, int cmd, int ack)
{
	pthread_t th;
	int d;

	CHILD_CHECK(10, set_limit(RLIMIT_NOFILE, NOFILE_LIMIT) == 0);
	CHILD_CHECK(11, drop_to_nobody() == 0);
	/* The raw interface: libdoor would start a server thread. */
	unref_ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(12, unref_ctl >= 0);
	unref_ev = ev_new();
	CHILD_CHECK(13, unref_ev >= 0);

	/* Doors without DOOR_UNREF are freed at their last close. */
	for (int i = 0; i < UNREF_ROUNDS; i++) {
		d = raw_create(unref_ctl, 0);
		if (d < 0) {
			if (!rep->plain_err)
				rep->plain_err = errno;
			continue;
		}
		rep->plain_ok++;
		close(d);
	}

	/* DOOR_UNREF doors whose notification nobody takes. */
	rep->first_fail_at = -1;
	for (int i = 0; i < UNREF_ROUNDS; i++) {
		int r = unref_round(unref_ctl);

		CHILD_CHECK(17, r != -2);	/* dup() failed */
		if (r < 0) {
			if (rep->first_fail_at < 0) {
				rep->first_fail_at = i;
				rep->first_err = errno;
			}
			continue;
		}
		if (rep->first_fail_at < 0)
			rep->unref_ok++;
		else
			rep->later_ok++;
	}
	/* The bound is on doors, whatever their attributes. */
	d = raw_create(unref_ctl, 0);
	rep->plain_when_full = d >= 0;
	rep->plain_when_full_err = d < 0 ? errno : 0;
	if (d >= 0)
		close(d);

	/* The parent counts the live doors meanwhile. */
	CHILD_CHECK(14, put_byte(ack) == 0);
	CHILD_CHECK(15, get_byte_ms(cmd, 60000) == 0);

	/* A server thread takes the queued notifications: doors freed. */
	CHILD_CHECK(16, pthread_create(&th, NULL, unref_server, NULL) == 0);
	for (int i = 0; i < rep->unref_ok + rep->later_ok; i++) {
		if (ev_wait_ms(unref_ev, 10000) != 0)
			break;
		rep->drained++;
	}

	/* Then DOOR_UNREF doors come and go without end. */
	for (int i = 0; i < UNREF_ROUNDS; i++) {
		int r = unref_round(unref_ctl);

		CHILD_CHECK(18, r != -2);
		if (r < 0) {
			if (!rep->served_err)
				rep->served_err = errno;
			continue;
		}
		if (ev_wait_ms(unref_ev, 10000) != 0) {
			rep->served_err = ETIMEDOUT;
			break;
		}
		rep->served_ok++;
	}
	_exit(0);
}

TEST(unref_doors_bounded_by_rlimit_nofile)
{
	long long doors0 = live_doors(), doors_full;
	struct unref_report *rep;
	int cmd[2], ack[2];
	pid_t pid;

	ASSERT_LE(0, doors0) TH_LOG("DOOR_IOC_STATS: %s", strerror(errno));
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	ASSERT_EQ(0, pipe2(cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ack, O_CLOEXEC));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		unref_child(rep, cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);
	ASSERT_EQ(0, get_byte_ms(ack[0], 120000)) TH_LOG("the child did not report");
	doors_full = live_doors();
	ASSERT_EQ(0, put_byte(cmd[1]));
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 120)));

	TH_LOG("RLIMIT_NOFILE %d, uid %d: %d/%d plain doors created and closed; "
	       "DOOR_UNREF doors nobody is notified of: %d created, then %s at "
	       "round %d, %d more created later; live doors then +%lld; "
	       "%d notifications taken, then %d/%d DOOR_UNREF doors created, "
	       "closed and notified", NOFILE_LIMIT, NOBODY, rep->plain_ok,
	       UNREF_ROUNDS, rep->unref_ok, strerror(rep->first_err),
	       rep->first_fail_at, rep->later_ok, doors_full - doors0,
	       rep->drained, rep->served_ok, UNREF_ROUNDS);
	EXPECT_EQ(UNREF_ROUNDS, rep->plain_ok)
		TH_LOG("plain door_create failed: %s", strerror(rep->plain_err));
	/* Exactly RLIMIT_NOFILE doors alive, then EMFILE, every time. */
	EXPECT_EQ(NOFILE_LIMIT, rep->unref_ok);
	EXPECT_EQ(EMFILE, rep->first_err);
	EXPECT_EQ(0, rep->later_ok);
	EXPECT_EQ(0, rep->plain_when_full)
		TH_LOG("a door without DOOR_UNREF was created beyond the bound");
	EXPECT_EQ(EMFILE, rep->plain_when_full_err);
	EXPECT_GE(NOFILE_LIMIT, doors_full - doors0)
		TH_LOG("%lld doors alive for one process under RLIMIT_NOFILE %d",
		       doors_full - doors0, NOFILE_LIMIT);
	/* Taking the notifications frees the doors: no slot is lost. */
	EXPECT_EQ(rep->unref_ok + rep->later_ok, rep->drained);
	EXPECT_EQ(UNREF_ROUNDS, rep->served_ok)
		TH_LOG("with notifications taken: %s", strerror(rep->served_err));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 5000));
	close(cmd[1]);
	close(ack[0]);
	munmap(rep, sizeof(*rep));
}

/*
 * The bound is per process, not per control file: a process that opens
 * several control files (each a door_proc of its own) still has at most
 * RLIMIT_NOFILE doors alive in all.  (Before the bound was per thread
 * group, 60 control files gave 3,776 doors under RLIMIT_NOFILE 64.)
 */
#define NCTL	8

TEST(unref_doors_bounded_across_control_files)
{
	long long doors0 = live_doors(), doors_full;
	struct { int created, err; } *rep;
	int cmd[2], ack[2];
	pid_t pid;

	ASSERT_LE(0, doors0) TH_LOG("DOOR_IOC_STATS: %s", strerror(errno));
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	ASSERT_EQ(0, pipe2(cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ack, O_CLOEXEC));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ctl[NCTL];

		close(cmd[1]);
		close(ack[0]);
		CHILD_CHECK(10, set_limit(RLIMIT_NOFILE, NOFILE_LIMIT) == 0);
		CHILD_CHECK(11, drop_to_nobody() == 0);
		for (int c = 0; c < NCTL; c++) {
			ctl[c] = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
			CHILD_CHECK(12, ctl[c] >= 0);
		}
		/* Nobody takes the notifications: every door stays alive. */
		for (int c = 0; c < NCTL; c++) {
			for (int i = 0; i < 2 * NOFILE_LIMIT; i++) {
				int r = unref_round(ctl[c]);

				CHILD_CHECK(13, r != -2);
				if (r < 0) {
					if (!rep->err)
						rep->err = errno;
					continue;
				}
				rep->created++;
			}
		}
		CHILD_CHECK(14, put_byte(ack[1]) == 0);
		CHILD_CHECK(15, get_byte_ms(cmd[0], 60000) == 0);
		_exit(0);
	}
	close(cmd[0]);
	close(ack[1]);
	ASSERT_EQ(0, get_byte_ms(ack[0], 120000)) TH_LOG("the child did not report");
	doors_full = live_doors();
	ASSERT_EQ(0, put_byte(cmd[1]));
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 120)));
	TH_LOG("%d control files, RLIMIT_NOFILE %d: %d DOOR_UNREF doors kept "
	       "alive in all, then %s; live doors +%lld", NCTL, NOFILE_LIMIT,
	       rep->created, strerror(rep->err), doors_full - doors0);
	EXPECT_EQ(NOFILE_LIMIT, rep->created);
	EXPECT_EQ(EMFILE, rep->err);
	EXPECT_GE(NOFILE_LIMIT, doors_full - doors0);
	/* The process is gone: its doors and their notifications with it. */
	EXPECT_EQ(doors0, wait_live_doors(doors0, 5000));
	close(cmd[1]);
	close(ack[0]);
	munmap(rep, sizeof(*rep));
}

/* ---- finding 6: max_data bounds and size arithmetic ---------------------- */

#define MAX_DATA_LIMIT	(1ULL << 30)

/* Write `s` to the parameter: 0, or the errno of the write. */
static int max_data_set(const char *s)
{
	int fd = open(MAX_DATA_PATH, O_WRONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

FIXTURE(max_data) {
	unsigned long long orig;
	int saved;
};

FIXTURE_SETUP(max_data)
{
	self->saved = 0;
	if (geteuid() != 0)
		SKIP(return, "needs root to write " MAX_DATA_PATH);
	self->orig = max_data_get();
	ASSERT_LT(0ULL, self->orig) TH_LOG("cannot read " MAX_DATA_PATH);
	self->saved = 1;
}

/* In the harness's parent: runs even if the test died on a signal. */
FIXTURE_TEARDOWN_PARENT(max_data)
{
	char s[32];

	if (!self->saved)
		return;
	snprintf(s, sizeof(s), "%llu", self->orig);
	if (max_data_set(s) != 0 || max_data_get() != self->orig) {
		TH_LOG("could not restore max_data to %llu", self->orig);
		_metadata->exit_code = KSFT_FAIL;
	}
}

TEST_F(max_data, parameter_bounds)
{
	static const char *const too_big[] = {
		"1073741825",			/* 1 GiB + 1 */
		"17592186044416",		/* 2^44 */
		"18446744073709551615",		/* 2^64 - 1 */
	};
	char s[32];

	snprintf(s, sizeof(s), "%llu", MAX_DATA_LIMIT);
	ASSERT_EQ(0, max_data_set(s)) TH_LOG("writing %s", s);
	ASSERT_EQ(MAX_DATA_LIMIT, max_data_get());
	for (size_t i = 0; i < sizeof(too_big) / sizeof(too_big[0]); i++) {
		EXPECT_EQ(EINVAL, max_data_set(too_big[i]))
			TH_LOG("max_data accepted %s", too_big[i]);
		EXPECT_EQ(MAX_DATA_LIMIT, max_data_get())
			TH_LOG("max_data now %llu after writing %s",
			       max_data_get(), too_big[i]);
		/* Back to the limit for the next one, whatever happened. */
		ASSERT_EQ(0, max_data_set(s));
	}
}

/* From uid 65534 under RLIMIT_MEMLOCK 64 KiB: the arguments are copied. */
static int call_as_nobody(int d, const unsigned char *p, size_t len, uint64_t h)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		struct hash_reply r = { 0, 0 };
		door_arg_t a = { (char *)p, len, NULL, 0, (char *)&r, sizeof(r) };

		CHILD_CHECK(10, set_limit(RLIMIT_MEMLOCK, 64 * KIB) == 0);
		CHILD_CHECK(11, drop_to_nobody() == 0);
		CHILD_CHECK(12, door_call(d, &a) == 0);
		CHILD_CHECK(13, a.data_size == sizeof(r));
		CHILD_CHECK(14, r.size == len);
		CHILD_CHECK(15, r.hash == h);
		CHILD_CHECK(16, vmpin_kb() == 0);
		_exit(0);
	}
	if (pid < 0)
		return -1;
	return child_exit_code(wait_child(pid, 120));
}

TEST_F(max_data, sizes_with_max_data_of_1gib)
{
	static const uint64_t refused[] = {
		(1ULL << 44) + 8192,	/* wrapped the old page count */
		MAX_DATA_LIMIT + 1,	/* max_data + 1 */
		~0ULL,
	};
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = 16 * MIB + 1;
	unsigned char small[64], *map, *p;
	struct door_ioc_call c;
	struct hash_reply r;
	door_arg_t a;
	uint64_t h;
	char s[32];
	int d;

	snprintf(s, sizeof(s), "%llu", MAX_DATA_LIMIT);
	ASSERT_EQ(0, max_data_set(s));
	ASSERT_EQ(MAX_DATA_LIMIT, max_data_get());
	d = door_create(hash_proc, NULL, 0);
	ASSERT_LE(0, d);

	/* Refused before anything is read: the buffer is 64 bytes. */
	memset(small, 'S', sizeof(small));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int ret, e;

		memset(&c, 0, sizeof(c));
		c.data_ptr = (uintptr_t)small;
		c.data_size = refused[i];
		c.rbuf = (uintptr_t)&r;
		c.rsize = sizeof(r);
		hang_guard(30);
		ret = ioctl(d, DOOR_IOC_CALL, &c);
		e = errno;
		hang_guard(0);
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(E2BIG, e) TH_LOG("data_size %llu: %s",
					   (unsigned long long)refused[i],
					   strerror(e));
	}
	EXPECT_EQ(0, atomic_load(&invocations));

	/* 16 MiB + 1 byte (over the default), not page aligned: intact. */
	map = mmap(NULL, len + 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	p = map + 123;
	fill_pat(p, len, 9);
	h = hash_bytes(p, len);
	memset(&r, 0, sizeof(r));
	a = (door_arg_t){ (char *)p, len, NULL, 0, (char *)&r, sizeof(r) };
	hang_guard(60);
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("16 MiB + 1: %s", strerror(errno));
	hang_guard(0);
	ASSERT_EQ(sizeof(r), a.data_size);
	EXPECT_EQ(len, r.size);
	EXPECT_EQ(h, r.hash) TH_LOG("the server did not see the bytes sent (pinned)");
	EXPECT_EQ(1, atomic_load(&invocations));
	/*
	 * The same, copied (child exit 12: the call failed, 13/14: sizes,
	 * 15: not the bytes sent, 16: VmPin not back to 0).
	 */
	EXPECT_EQ(0, call_as_nobody(d, p, len, h));
	munmap(map, len + 2 * page);
	close(d);
}

TEST_HARNESS_MAIN
