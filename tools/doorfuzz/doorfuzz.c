// SPDX-License-Identifier: GPL-2.0
/*
 * doorfuzz - a structure-aware ioctl fuzzer for door.ko.
 *
 *   doorfuzz [-t SECONDS] [-j WORKERS] [-w WAVERS] [-s SEED] [-v]
 *
 * Runs for SECONDS (default 10) and prints, per operation, how many times
 * it was issued, how many succeeded and the most frequent errors.  Raw
 * ioctls, no libdoor: every structure the kernel reads is filled at random
 * or from a menu of interesting values.
 *
 * Threads
 *   workers    (-j, default 6) switch between a client role (door_call and
 *              every other ioctl on random descriptors, random sizes,
 *              pointers that are NULL, unmapped, read-only, PROT_NONE,
 *              straddling a guard page, kernel or non-canonical, huge
 *              counts, random descriptor arrays with DOOR_RELEASE, random
 *              flags and commands; calls with deadlines, DOOR_IOC_CALL_TIMED:
 *              passed, near, far, random; depletion descriptors of the
 *              process pool, of doors and of anything, polled, read, passed
 *              and closed) and a server role (DOOR_IOC_RETURN with random
 *              results and random argument buffers; DOOR_IOC_REPLY before
 *              it, once or twice, with random results; DOOR_IOC_DETACHED;
 *              abandoning, calling out while serving, exiting the thread
 *              while serving, binding to private doors).
 *   racer pair one thread creates and closes doors as fast as it can while
 *              the other reopens them through /proc/self/fd.
 *   wave racer (-w, default 1, 0 for none) waves of 8-32 threads released
 *              together that each do their first door ioctl (BIND, RETURN,
 *              UNBIND, QUERY, UCRED, ABANDON, or a call for the RETURN
 *              threads to serve) and exit at once, while the previous wave
 *              exits and thread ids are reused; on 1-4 control files of
 *              its own, the fuzz's, or in a forked child (issue 11,
 *              finding 1: a use-after-free of the thread entries; see
 *              "waves" below).
 *   sanity     a private door with its own control file and a bound server
 *              thread answering {MAGIC, v, mix(v)}: a client checks every
 *              answer it gets, so results delivered to the wrong caller or
 *              corrupted arguments are caught while the rest is fuzzed.
 *   main       chaos: signals to random threads (EINTR, EAGAIN, the
 *              cancellation signal), revokes, closes and replaces
 *              descriptors (doors, dups, reopens, pipes, sockets, memfds,
 *              control files, stale numbers), fattach/fdetach (doorfs
 *              mounts with random options), restarts of the control file
 *              (which revokes every door of the process), fork of children
 *              that call, create and serve doors and pass their own doors
 *              to the parent, and SIGKILL of those children at random.
 *
 * At the end every thread must leave the kernel (a thread or child that
 * cannot be stopped in 60 s is reported with its kernel stack), every
 * child must be reaped, all doorfs mounts are removed and the module's
 * live_doors and live_calls must come back to their values at the start.
 * Descriptors the kernel installed in this process but never reported are
 * listed.  Exit status 0 if all of that holds (kernel splats are for the
 * caller to find in the kernel log: tools/fuzz.sh), 1 otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/futex.h>

#include <door_ioctl.h>

#define MAX_WORKERS	32
#define POOL_N		48
#define NPATHS		6
#define MAX_CHILDREN	4
#define TBUF_SZ		(256 << 10)	/* per-thread result/argument buffer */
#define GUARD_SZ	(64 << 10)
#define BIG_CALL	(1 << 20)	/* sizes above this are throttled */
#define MAX_BIG		2		/* concurrent big payloads */
#define SANITY_MAGIC	0x5a4e49545944554bULL

/* ---- operations and their counters (shared with children) --------------- */

enum op {
	OP_CREATE, OP_CALL, OP_RETURN, OP_INFO, OP_QUERY, OP_REVOKE, OP_UCRED,
	OP_GETPARAM, OP_SETPARAM, OP_BIND, OP_UNBIND, OP_STATS, OP_ABANDON,
	OP_SETCANCEL, OP_BADCMD, OP_MISC, OP_REOPEN, OP_FATTACH, OP_FDETACH,
	OP_CLOSE, OP_CTLRESTART, OP_SIGNAL, OP_FORK, OP_KILL, OP_THREADEXIT,
	OP_RACE_CREATE, OP_RACE_REOPEN, OP_SANITY_CALL,
	OP_REPLY, OP_CALL_TIMED, OP_DETACHED,
	/* the first door ioctl of a wave thread (and what follows it) */
	OP_W_BIND, OP_W_RETURN, OP_W_UNBIND, OP_W_QUERY, OP_W_UCRED,
	OP_W_ABANDON, OP_W_CALL,
	OP_DEPLETION,	/* DOOR_IOC_DEPLETION_FD, then poll and read it */
	OP_NR
};

static const char *const op_name[OP_NR] = {
	"CREATE", "CALL", "RETURN", "INFO", "QUERY", "REVOKE", "UCRED",
	"GETPARAM", "SETPARAM", "BIND", "UNBIND", "STATS", "ABANDON",
	"SET_CANCEL", "bad cmd", "misc fops", "reopen", "fattach", "fdetach",
	"close", "ctl restart", "signal", "fork", "kill child", "thread exit",
	"race create", "race reopen", "sanity call",
	"REPLY", "CALL_TIMED", "DETACHED",
	"wave BIND", "wave RETURN", "wave UNBIND", "wave QUERY", "wave UCRED",
	"wave ABANDON", "wave CALL",
	"DEPLETION_FD",
};

#define NERR 134

struct counters {
	_Atomic uint64_t n[OP_NR], ok[OP_NR];
	_Atomic uint64_t err[OP_NR][NERR];
	_Atomic uint64_t invocations, unref_invocations, mapped_args,
			 mapped_results, fds_received;
	_Atomic uint64_t sanity_ok, sanity_foreign, sanity_rebuilds;
	_Atomic uint64_t waves, wave_threads, wave_pexits, wave_reused,
			 wave_main_ctl, wave_children, wave_child_waves;
	_Atomic int stop;
	_Atomic int failures;
	char first_failure[512];
	_Atomic int big;		/* big payloads in flight */
};

static struct counters *cnt;		/* MAP_SHARED: children count too */

static void count(enum op op, long ret, int err)
{
	atomic_fetch_add_explicit(&cnt->n[op], 1, memory_order_relaxed);
	if (ret >= 0)
		atomic_fetch_add_explicit(&cnt->ok[op], 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&cnt->err[op][err > 0 && err < NERR ? err : 0],
					  1, memory_order_relaxed);
}

static void failure(const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (atomic_fetch_add(&cnt->failures, 1) == 0)
		snprintf(cnt->first_failure, sizeof(cnt->first_failure), "%s", msg);
	fprintf(stderr, "doorfuzz: FAILURE: %s\n", msg);
}

static int stopping(void)
{
	return atomic_load_explicit(&cnt->stop, memory_order_relaxed);
}

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rnd(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static int chance(uint64_t *s, int percent)
{
	return (int)below(s, 100) < percent;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* ---- memory --------------------------------------------------------------- */

static size_t page;
static size_t max_data = 16 << 20;
static char *good;		/* max_data + 1 MiB, read-write, never touched */
static size_t good_sz;
static char *ro;		/* read-only, random contents */
static char *noacc;		/* PROT_NONE */
static char *hole;		/* unmapped (below any mmap the kernel picks) */
static char *edge;		/* one read-write page followed by PROT_NONE */
static char *sigbus;		/* memfd mapping whose file was truncated */
#define REGION_SZ	(1 << 20)

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("doorfuzz: mmap");
		exit(2);
	}
	return p;
}

/* A buffer of len bytes followed by a PROT_NONE guard. */
static char *guarded(size_t len)
{
	char *p = map_or_die(len + GUARD_SZ, PROT_READ | PROT_WRITE);

	mprotect(p + len, GUARD_SZ, PROT_NONE);
	return p;
}

static void setup_memory(uint64_t *rs)
{
	int mfd;

	page = (size_t)sysconf(_SC_PAGESIZE);
	good_sz = max_data + REGION_SZ;
	good = map_or_die(good_sz, PROT_READ | PROT_WRITE);
	ro = map_or_die(REGION_SZ, PROT_READ | PROT_WRITE);
	for (size_t i = 0; i < REGION_SZ; i += 8) {
		uint64_t v = rnd(rs);

		/* Mostly small values: plausible sizes, counts and fds. */
		if (v & 1)
			v = (v >> 8) & 0xff;
		memcpy(ro + i, &v, 8);
	}
	mprotect(ro, REGION_SZ, PROT_READ);
	noacc = map_or_die(REGION_SZ, PROT_NONE);
	/*
	 * Not a munmap()ed range: later mappings (thread stacks, result
	 * mappings) would reuse it and the kernel would legitimately write
	 * results there.  Low addresses are never picked by mmap(NULL).
	 */
	hole = (char *)(uintptr_t)0x10000;
	edge = map_or_die(2 * page, PROT_READ | PROT_WRITE);
	mprotect(edge + page, page, PROT_NONE);
	mfd = memfd_create("doorfuzz-sigbus", MFD_CLOEXEC);
	if (mfd >= 0 && ftruncate(mfd, REGION_SZ) == 0) {
		sigbus = mmap(NULL, REGION_SZ, PROT_READ | PROT_WRITE,
			      MAP_SHARED, mfd, 0);
		if (sigbus == MAP_FAILED)
			sigbus = NULL;
		if (ftruncate(mfd, 0) != 0)
			sigbus = NULL;
	}
	if (mfd >= 0)
		close(mfd);
	if (!sigbus)
		sigbus = noacc;
}

/* An address the kernel must refuse (or a read-only one). */
static uint64_t bad_ptr(uint64_t *s)
{
	switch (below(s, 11)) {
	case 0: return 0;
	case 1: return 1 + below(s, 4096);
	case 2: return (uintptr_t)ro + below(s, REGION_SZ);
	case 3: return (uintptr_t)noacc + below(s, REGION_SZ);
	case 4: return (uintptr_t)hole + below(s, REGION_SZ);
	case 5: return (uintptr_t)edge + page - 1 - below(s, 64);
	case 6: return (uintptr_t)sigbus + below(s, REGION_SZ);
	case 7: return 0xffff888000000000ULL + (below(s, 1 << 20) << 12);
	case 8: return 0xffffffffff600000ULL;	/* vsyscall page */
	case 9: return 0x8000000000000000ULL + below(s, 1 << 20);
	default: return rnd(s);
	}
}

/* A data size: mostly small, sometimes at or past the limits. */
static uint64_t pick_size(uint64_t *s)
{
	unsigned int r = (unsigned int)below(s, 1000);

	if (r < 250)
		return 0;
	if (r < 650)
		return 1 + below(s, 256);
	if (r < 850)
		return below(s, 64 << 10);
	if (r < 930)
		return below(s, BIG_CALL);
	if (r < 950)
		return below(s, max_data + 1);
	if (r < 960)
		return max_data;
	if (r < 970)
		return max_data + 1;
	switch (below(s, 5)) {
	case 0: return 1ULL << 30;
	case 1: return 1ULL << 32;
	case 2: return 1ULL << 63;
	case 3: return ~0ULL;
	default: return rnd(s);
	}
}

static int big_get(uint64_t size)
{
	if (size <= BIG_CALL || size > max_data)
		return 1;
	if (atomic_fetch_add(&cnt->big, 1) < MAX_BIG)
		return 1;
	atomic_fetch_sub(&cnt->big, 1);
	return 0;
}

static void big_put(uint64_t size)
{
	if (size > BIG_CALL && size <= max_data)
		atomic_fetch_sub(&cnt->big, 1);
}

/* Where the kernel reads `size` bytes from. */
static uint64_t pick_in(uint64_t *s, uint64_t size)
{
	if (chance(s, 80)) {
		if (size <= good_sz)
			return (uintptr_t)good + below(s, good_sz - size + 1);
		return (uintptr_t)good;
	}
	return bad_ptr(s);
}

/* ---- descriptors ---------------------------------------------------------- */

/*
 * The pool: descriptor numbers the fuzz works on.  Entries go stale (closed
 * by DOOR_RELEASE, by another thread, reused for another file): that is
 * part of the game.  A few descriptors must survive it: the control files
 * and doors of the fuzz's own machinery (any close of a control file by its
 * owner ends its server side).  They are "protected": never closed through
 * the pool, never passed with DOOR_RELEASE.
 */
#define FD_MAX		8192
enum { K_OTHER, K_DOOR, K_CTL };

static _Atomic int pool[POOL_N];	/* fd numbers; may be stale */
static _Atomic unsigned char pool_kind[POOL_N];	/* K_*, a hint */
static _Atomic unsigned char protected_fd[FD_MAX];
static _Atomic int main_ctl = -1;	/* this process's control file */
static char workdir[64];
static char paths[NPATHS][96];

static void protect(int fd, int on)
{
	if (fd >= 0 && fd < FD_MAX)
		atomic_store(&protected_fd[fd], (unsigned char)on);
}

static int closable(int fd)
{
	return fd >= 3 && fd < FD_MAX && !atomic_load(&protected_fd[fd]);
}

static int pool_pick(uint64_t *s)
{
	return atomic_load_explicit(&pool[below(s, POOL_N)],
				    memory_order_relaxed);
}

/* A pool entry that was a door when it was put there (a few tries). */
static int pool_pick_door(uint64_t *s)
{
	for (int i = 0; i < 8; i++) {
		unsigned int k = (unsigned int)below(s, POOL_N);

		if (atomic_load_explicit(&pool_kind[k], memory_order_relaxed) == K_DOOR)
			return atomic_load_explicit(&pool[k], memory_order_relaxed);
	}
	return pool_pick(s);
}

static int fd_kind(int fd)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(fd, &sfs) == 0 && (unsigned long)sfs.f_type == DOORFS_MAGIC)
		return K_DOOR;
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
		return K_CTL;	/* /dev/door or /dev/null: near enough */
	return K_OTHER;
}

/* Put fd in a random slot; whatever was there is closed (maybe stale). */
static void pool_put(uint64_t *s, int fd)
{
	unsigned int k = (unsigned int)below(s, POOL_N);
	int old;

	if (fd < 0)
		return;
	atomic_store_explicit(&pool_kind[k], (unsigned char)fd_kind(fd),
			      memory_order_relaxed);
	old = atomic_exchange(&pool[k], fd);
	if (old != fd && closable(old))
		close(old);
}

/* A new control file for the process; the old one is closed (revoked). */
static void ctl_restart(int expect)
{
	int fd = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	protect(fd, 1);
	if (!atomic_compare_exchange_strong(&main_ctl, &expect, fd)) {
		protect(fd, 0);
		if (fd >= 0)
			close(fd);
		return;
	}
	if (expect >= 0) {
		protect(expect, 0);
		close(expect);
	}
}

/* A descriptor number for an ioctl: a pool entry, or something odd. */
static int pick_fd(uint64_t *s)
{
	unsigned int r = (unsigned int)below(s, 100);

	if (r < 60)
		return pool_pick_door(s);
	if (r < 85)
		return pool_pick(s);
	if (r < 92)
		return atomic_load(&main_ctl);
	switch (below(s, 6)) {
	case 0: return -1;
	case 1: return (int)below(s, 64);
	case 2: return INT_MAX;
	case 3: return FD_MAX + (int)below(s, 8);
	case 4: return (int)rnd(s);
	default: return 0;
	}
}

static int ctl_fd(uint64_t *s)
{
	if (chance(s, 85))
		return atomic_load(&main_ctl);
	return pick_fd(s);
}

static int raw_create(int ctl, uint32_t attributes, uint64_t *s)
{
	struct door_ioc_create c = {
		.proc = rnd(s), .cookie = rnd(s), .attributes = attributes,
	};

	return ioctl(ctl, DOOR_IOC_CREATE, &c);
}

static uint32_t pick_attrs(uint64_t *s)
{
	uint32_t a;

	if (chance(s, 10))
		return (uint32_t)rnd(s);
	a = (uint32_t)rnd(s) & DOOR_CREATE_MASK;
	if ((a & DOOR_UNREF) && (a & DOOR_UNREF_MULTI) && chance(s, 90))
		a &= ~DOOR_UNREF_MULTI;
	return a;
}

/* A fresh descriptor of some kind, for the pool. */
static int new_fd(uint64_t *s)
{
	char p[64];
	int fds[2], fd = -1, src;

	switch (below(s, 24)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
	case 16: case 17: case 18: case 19: case 20: case 21:
		fd = raw_create(atomic_load(&main_ctl), pick_attrs(s), s);
		break;
	case 22:
		/* A dup of the control file: closing it ends the server side. */
		src = atomic_load(&main_ctl);
		fd = src >= 0 && chance(s, 20) ? fcntl(src, F_DUPFD_CLOEXEC, 3) : -1;
		break;
	case 6:
	case 23:
		src = pool_pick(s);
		fd = src >= 0 ? fcntl(src, F_DUPFD_CLOEXEC, 3) : -1;
		break;
	case 7:
		snprintf(p, sizeof(p), "/proc/self/fd/%d", pool_pick(s));
		fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		break;
	case 8:
		if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
			pool_put(s, fds[0]);
			fd = fds[1];
		}
		break;
	case 9:
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		break;
	case 10:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0, fds) == 0) {
			pool_put(s, fds[0]);
			fd = fds[1];
		}
		break;
	case 11:
		fd = memfd_create("doorfuzz", MFD_CLOEXEC);
		break;
	case 12:
		fd = open(chance(s, 50) ? "/dev/null" : workdir,
			  O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		break;
	case 13:
		/* Another control file of this process. */
		fd = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		break;
	case 14:
		fd = open(paths[below(s, NPATHS)], O_RDWR | O_NONBLOCK | O_CLOEXEC);
		break;
	default:
		/* A number that is closed (until something reuses it). */
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			int n = fd, old;

			close(fd);
			old = atomic_exchange(&pool[below(s, POOL_N)], n);
			if (old != n && closable(old))
				close(old);
			fd = -1;
		}
		break;
	}
	return fd;
}

/*
 * Descriptors the kernel reported to us (results of a call, arguments of an
 * invocation): keep some in the pool, close the others.
 */
static void adopt_received(uint64_t *s, uint64_t uptr, uint32_t n,
			   uint64_t lo, uint64_t hi)
{
	const struct door_ioc_desc *d = (const void *)(uintptr_t)uptr;

	if (!n)
		return;
	if (n > DOOR_MAX_DESC || uptr < lo ||
	    uptr + (uint64_t)n * sizeof(*d) > hi) {
		failure("kernel reported %u descriptors at %#llx, outside the "
			"buffer [%#llx, %#llx)", n, (unsigned long long)uptr,
			(unsigned long long)lo, (unsigned long long)hi);
		return;
	}
	atomic_fetch_add(&cnt->fds_received, n);
	for (uint32_t i = 0; i < n; i++) {
		int fd = d[i].d_descriptor;
		/*
		 * DOOR_DESCRIPTOR, plus for a door (d_id set) its attributes
		 * as door_info shows them, never DOOR_IS_UNREF.
		 */
		uint32_t extra = d[i].d_id ? DOOR_CREATE_MASK | DOOR_LOCAL |
					     DOOR_REVOKED : 0;

		if (!(d[i].d_attributes & DOOR_DESCRIPTOR) ||
		    (d[i].d_attributes & ~(DOOR_DESCRIPTOR | extra)) || fd < 0) {
			failure("received descriptor entry %u: attributes %#x fd %d",
				i, d[i].d_attributes, fd);
			continue;
		}
		if (chance(s, 30))
			pool_put(s, fd);
		else if (closable(fd))
			close(fd);
	}
}

/* ---- threads ---------------------------------------------------------------- */

struct worker {
	int id;
	pthread_t th;
	_Atomic pid_t tid;
	_Atomic int running;	/* cleared by the thread when it ends */
	uint64_t rs;
	char *tbuf;		/* TBUF_SZ + guard: results, arguments */
	char *sbuf;		/* TBUF_SZ + guard: server argument buffer */
	struct door_ioc_desc *darr;	/* DOOR_MAX_DESC entries + guard */
	int server;		/* role */
	int serving;		/* an invocation is (probably) being served */
	int fails;		/* failed returns while serving */
	int role_ops;
	int exit_now;		/* end the thread (returning, no unwinding) */
	void *inv_map;		/* DOOR_INV_MAPPED mapping of the invocation */
	size_t inv_map_sz;
};

static struct worker workers[MAX_WORKERS];
static int nworkers = 6;

static void worker_init_bufs(struct worker *w)
{
	if (!w->tbuf) {
		w->tbuf = guarded(TBUF_SZ);
		w->sbuf = guarded(TBUF_SZ);
		w->darr = (void *)guarded(DOOR_MAX_DESC * sizeof(*w->darr));
	}
}

/* A pointer to an ioctl argument of `len` bytes: usually good. */
static void *arg_ptr(struct worker *w, void *good_arg, size_t len)
{
	uint64_t *s = &w->rs;

	if (chance(s, 93))
		return good_arg;
	switch (below(s, 4)) {
	case 0: return (void *)(uintptr_t)bad_ptr(s);
	case 1: return ro + below(s, REGION_SZ - len);	/* readable only */
	case 2: return edge + page - 1 - below(s, len);	/* straddles */
	default: return NULL;
	}
}

/* A descriptor array of n entries (n may exceed what it holds). */
static uint64_t pick_desc(struct worker *w, uint32_t *n_out)
{
	uint64_t *s = &w->rs;
	uint32_t n, fill;
	unsigned int r = (unsigned int)below(s, 1000);

	if (r < 550)
		n = 0;
	else if (r < 900)
		n = 1 + (uint32_t)below(s, 4);
	else if (r < 960)
		n = (uint32_t)below(s, 64);
	else if (r < 975)
		n = DOOR_MAX_DESC;
	else if (r < 985)
		n = DOOR_MAX_DESC + 1;
	else
		n = (uint32_t)rnd(s);
	*n_out = n;
	if (!n)
		return chance(s, 90) ? 0 : bad_ptr(s);
	fill = n > DOOR_MAX_DESC ? DOOR_MAX_DESC : n;
	for (uint32_t i = 0; i < fill; i++) {
		struct door_ioc_desc *d = &w->darr[i];
		unsigned int k = (unsigned int)below(s, 100);

		memset(d, 0, sizeof(*d));
		if (k < 80) {
			d->d_attributes = DOOR_DESCRIPTOR;
			d->d_descriptor = chance(s, 50) ? pool_pick_door(s) :
					  pool_pick(s);
		} else if (k < 88) {
			/* Released: closed in this process once passed. */
			d->d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE;
			d->d_descriptor = pool_pick(s);
		} else if (k < 94) {
			d->d_attributes = DOOR_DESCRIPTOR;
			d->d_descriptor = pick_fd(s);
		} else {
			d->d_attributes = (uint32_t)rnd(s);
			d->d_descriptor = pick_fd(s);
		}
		/* Never release internal descriptors or stdio. */
		if ((d->d_attributes & DOOR_RELEASE) &&
		    !closable(d->d_descriptor))
			d->d_attributes &= ~DOOR_RELEASE;
		d->d_id = chance(s, 90) ? 0 : rnd(s);
		d->d_resv[0] = chance(s, 95) ? 0 : (uint32_t)rnd(s);
	}
	if (chance(s, 95))
		return (uintptr_t)w->darr +
		       (fill < DOOR_MAX_DESC && chance(s, 3) ?
			(DOOR_MAX_DESC - fill) * sizeof(*w->darr) : 0);
	return bad_ptr(s);
}

/* ---- client operations ---------------------------------------------------- */

/* A deadline for DOOR_IOC_CALL_TIMED: mostly soon, sometimes odd. */
static uint64_t pick_deadline(uint64_t *s)
{
	struct timespec now;
	uint64_t t;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	switch (below(s, 10)) {
	case 0: return 0;
	case 1: return t - below(s, 1000000);		/* passed */
	case 2: return ~0ULL;				/* never */
	case 3: return rnd(s);
	case 4: return t + below(s, 1000);		/* at once */
	case 5: return t + below(s, 200000000);		/* up to 200 ms */
	default: return t + below(s, 5000000);		/* up to 5 ms */
	}
}

static void op_call(struct worker *w, int fd)
{
	uint64_t *s = &w->rs;
	struct door_ioc_call_timed t;
	struct door_ioc_call c;
	struct door_ioc_call *argp;
	int timed = chance(s, 20);
	uint64_t size = pick_size(s);
	int r, e, big;

	memset(&c, 0, sizeof(c));
	big = big_get(size);
	if (!big)
		size = below(s, 4096);
	c.data_size = size;
	c.data_ptr = pick_in(s, size);
	c.desc_ptr = pick_desc(w, &c.desc_num);
	switch (below(s, 10)) {
	case 0:
		c.rbuf = 0;
		c.rsize = 0;
		break;
	case 1:
		c.rbuf = bad_ptr(s);
		c.rsize = below(s, 2) ? below(s, 1 << 20) : rnd(s);
		break;
	default:
		c.rbuf = (uintptr_t)w->tbuf;
		/* Sometimes more than the buffer holds: the guard faults. */
		c.rsize = chance(s, 97) ? below(s, TBUF_SZ + 1) :
			  TBUF_SZ + GUARD_SZ * 2;
		break;
	}
	c.flags = chance(s, 85) ? 0 : chance(s, 70) ? DOOR_CALL_NO_RESULTS :
		  (uint32_t)rnd(s);
	if (timed) {
		memset(&t, 0, sizeof(t));
		t.call = c;
		t.deadline_ns = pick_deadline(s);
		t.flags = chance(s, 97) ? 0 : (uint32_t)rnd(s);
		t.pad = chance(s, 97) ? 0 : (uint32_t)rnd(s);
		argp = arg_ptr(w, &t, sizeof(t));
		r = ioctl(fd, DOOR_IOC_CALL_TIMED, argp);
		e = errno;
		c = t.call;
		if (argp == (void *)&t)
			argp = &c;
	} else {
		argp = arg_ptr(w, &c, sizeof(c));
		r = ioctl(fd, DOOR_IOC_CALL, argp);
		e = errno;
	}
	big_put(size);
	count(timed ? OP_CALL_TIMED : OP_CALL, r, e);
	if (r != 0 || argp != &c)
		return;
	/*
	 * The results are in rbuf (which may be one of the "bad" pointers
	 * if that memory happens to be writable) or in a new mapping that
	 * replaced it: the descriptors must be within.
	 */
	adopt_received(s, c.desc_ptr, c.desc_num, c.rbuf, c.rbuf + c.rsize);
	if (c.flags & DOOR_CALL_MAPPED) {
		atomic_fetch_add(&cnt->mapped_results, 1);
		munmap((void *)(uintptr_t)c.rbuf, c.rsize);
	}
}

static int is_door_cmd(unsigned long cmd)
{
	static const unsigned long cmds[] = {
		DOOR_IOC_CREATE, DOOR_IOC_CALL, DOOR_IOC_RETURN, DOOR_IOC_INFO,
		DOOR_IOC_QUERY, DOOR_IOC_REVOKE, DOOR_IOC_UCRED,
		DOOR_IOC_GETPARAM, DOOR_IOC_SETPARAM, DOOR_IOC_BIND,
		DOOR_IOC_UNBIND, DOOR_IOC_STATS, DOOR_IOC_ABANDON,
		DOOR_IOC_SET_CANCEL, DOOR_IOC_REPLY, DOOR_IOC_CALL_TIMED,
		DOOR_IOC_DETACHED, DOOR_IOC_DEPLETION_FD,
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmd == cmds[i])
			return 1;
	return 0;
}

static void op_simple(struct worker *w, enum op op)
{
	uint64_t *s = &w->rs;
	union {
		struct door_ioc_create create;
		struct door_ioc_info info;
		struct door_ioc_ucred ucred;
		struct door_ioc_param param;
		struct door_ioc_stats stats;
		int32_t i;
		char raw[256];
	} u;
	unsigned long cmd = 0;
	void *argp;
	int fd, r, e;

	memset(&u, 0, sizeof(u));
	switch (op) {
	case OP_CREATE:
		fd = ctl_fd(s);
		u.create.proc = rnd(s);
		u.create.cookie = rnd(s);
		u.create.attributes = pick_attrs(s);
		u.create.pad = chance(s, 95) ? 0 : (uint32_t)rnd(s);
		cmd = DOOR_IOC_CREATE;
		break;
	case OP_INFO:
		fd = pick_fd(s);
		cmd = DOOR_IOC_INFO;
		break;
	case OP_QUERY:
		fd = ctl_fd(s);
		cmd = DOOR_IOC_QUERY;
		break;
	case OP_REVOKE:
		fd = pick_fd(s);
		cmd = DOOR_IOC_REVOKE;
		break;
	case OP_UCRED:
		fd = ctl_fd(s);
		u.ucred.groups_ptr = chance(s, 70) ? (uintptr_t)w->tbuf :
				     bad_ptr(s);
		u.ucred.groups_max = chance(s, 80) ? (uint32_t)below(s, 64) :
				     (uint32_t)rnd(s);
		cmd = DOOR_IOC_UCRED;
		break;
	case OP_GETPARAM:
	case OP_SETPARAM:
		fd = pick_fd(s);
		u.param.type = chance(s, 90) ? 1 + (uint32_t)below(s, 3) :
			       (uint32_t)rnd(s);
		switch (below(s, 6)) {
		case 0: u.param.value = 0; break;
		case 1: u.param.value = below(s, 4096); break;
		case 2: u.param.value = max_data + below(s, 3) - 1; break;
		case 3: u.param.value = INT_MAX + below(s, 3) - 1; break;
		case 4: u.param.value = ~0ULL; break;
		default: u.param.value = rnd(s); break;
		}
		cmd = op == OP_GETPARAM ? DOOR_IOC_GETPARAM : DOOR_IOC_SETPARAM;
		break;
	case OP_BIND:
		fd = ctl_fd(s);
		u.i = pool_pick(s);
		cmd = DOOR_IOC_BIND;
		break;
	case OP_UNBIND:
		fd = ctl_fd(s);
		cmd = DOOR_IOC_UNBIND;
		break;
	case OP_STATS:
		fd = chance(s, 50) ? ctl_fd(s) : pick_fd(s);
		cmd = DOOR_IOC_STATS;
		break;
	case OP_ABANDON:
		fd = ctl_fd(s);
		cmd = DOOR_IOC_ABANDON;
		w->serving = 0;
		break;
	case OP_DETACHED:
		fd = chance(s, 90) ? ctl_fd(s) : pick_fd(s);
		cmd = DOOR_IOC_DETACHED;
		break;
	case OP_SETCANCEL: {
		static const int sigs[] = { 0, SIGUSR1, SIGUSR2, -1, 65, 64,
					    SIGKILL, SIGSTOP, 1000, INT_MIN };

		fd = ctl_fd(s);
		u.i = chance(s, 50) ? SIGRTMIN + (int)below(s, SIGRTMAX - SIGRTMIN + 1) :
		      sigs[below(s, sizeof(sigs) / sizeof(sigs[0]))];
		cmd = DOOR_IOC_SET_CANCEL;
		break;
	}
	default: /* OP_BADCMD: magic 0xD0, random number, size and direction */
		fd = chance(s, 50) ? ctl_fd(s) : pick_fd(s);
		for (size_t i = 0; i < sizeof(u.raw); i += 8) {
			uint64_t v = rnd(s);

			memcpy(u.raw + i, &v, 8);
		}
		cmd = _IOC(below(s, 4), DOOR_IOC_MAGIC, below(s, 32),
			   below(s, 4) ? below(s, 128) : below(s, 1 << 14));
		if (_IOC_SIZE(cmd) > sizeof(u.raw))
			cmd = _IOC(_IOC_DIR(cmd), DOOR_IOC_MAGIC, _IOC_NR(cmd),
				   sizeof(u.raw));
		/* Only invalid commands here: the valid ones are above. */
		while (is_door_cmd(cmd))
			cmd = _IOC(_IOC_DIR(cmd), DOOR_IOC_MAGIC,
				   128 + below(s, 128), _IOC_SIZE(cmd));
		break;
	}
	argp = arg_ptr(w, &u, sizeof(u));
	r = ioctl(fd, cmd, argp);
	e = errno;
	count(op, r, e);
	if (op == OP_CREATE && r >= 0)
		pool_put(s, r);
}

/*
 * DOOR_IOC_REPLY with random results: valid once while serving a call;
 * otherwise EINVAL, or EPIPE once the caller has gone.
 */
static void op_reply(struct worker *w)
{
	uint64_t *s = &w->rs;
	struct door_ioc_reply r, *argp;
	uint64_t size = pick_size(s);
	int ret, e, big, ctl = ctl_fd(s);

	memset(&r, 0, sizeof(r));
	big = big_get(size);
	if (!big)
		size = below(s, 4096);
	r.data_size = size;
	r.data_ptr = pick_in(s, size);
	r.desc_ptr = pick_desc(w, &r.desc_num);
	r.flags = chance(s, 97) ? 0 : (uint32_t)rnd(s);
	argp = arg_ptr(w, &r, sizeof(r));
	ret = ioctl(ctl, DOOR_IOC_REPLY, argp);
	e = errno;
	big_put(size);
	count(OP_REPLY, ret, e);
}

/*
 * A depletion descriptor of the process pool, of a door (private or not,
 * this process's or not) or of anything else; polled and read once (its
 * count is whatever waits now), then closed or kept in the pool, where
 * other operations read, poll, pass and close it.  Always non-blocking
 * from here on: op_misc's read must not wait for a call.
 */
static void op_depletion(struct worker *w)
{
	uint64_t *s = &w->rs;
	struct door_ioc_depletion d;
	struct pollfd pfd;
	uint64_t v;
	int fd, r, e;

	memset(&d, 0, sizeof(d));
	switch (below(s, 5)) {
	case 0: case 1: d.door = -1; break;
	case 2: case 3: d.door = pool_pick_door(s); break;
	default: d.door = pick_fd(s); break;
	}
	d.flags = chance(s, 90) ? (uint32_t)below(s, 2) : (uint32_t)rnd(s);
	fd = ctl_fd(s);
	r = ioctl(fd, DOOR_IOC_DEPLETION_FD, arg_ptr(w, &d, sizeof(d)));
	e = errno;
	count(OP_DEPLETION, r, e);
	if (r < 0)
		return;
	(void)fcntl(r, F_SETFL, O_NONBLOCK);
	pfd.fd = r;
	pfd.events = POLLIN;
	(void)poll(&pfd, 1, 0);
	(void)!read(r, &v, chance(s, 80) ? sizeof(v) : below(s, 8));
	if (chance(s, 50))
		pool_put(s, r);
	else
		close(r);
}

/* read/write/mmap/stat/poll/fdinfo on a random descriptor. */
static void op_misc(struct worker *w)
{
	uint64_t *s = &w->rs;
	int fd = pool_pick(s), r = -1, e;
	char p[64], buf[512];
	struct stat st;
	struct statfs sfs;
	struct pollfd pfd;
	void *m;

	switch (below(s, 9)) {
	case 0:
		r = (int)read(fd, buf, sizeof(buf));
		break;
	case 1:
		r = (int)write(fd, "x", 1);
		break;
	case 2:
		m = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
		r = m == MAP_FAILED ? -1 : 0;
		if (m != MAP_FAILED)
			munmap(m, page);
		break;
	case 3:
		r = fstat(fd, &st);
		break;
	case 4:
		r = fstatfs(fd, &sfs);
		break;
	case 5:
		pfd.fd = fd;
		pfd.events = POLLIN | POLLOUT;
		r = poll(&pfd, 1, 0);
		break;
	case 6:
		snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
		r = open(p, O_RDONLY | O_CLOEXEC);
		if (r >= 0) {
			while (read(r, buf, sizeof(buf)) > 0)
				;
			close(r);
		}
		break;
	case 7:
		r = (int)lseek(fd, (off_t)below(s, 4096), SEEK_SET);
		break;
	default:
		r = fchmod(fd, 0600);
		break;
	}
	e = errno;
	count(OP_MISC, r, e);
}

static void op_reopen(struct worker *w)
{
	uint64_t *s = &w->rs;
	char p[64];
	int fd;

	if (chance(s, 70))
		snprintf(p, sizeof(p), "/proc/self/fd/%d", pool_pick(s));
	else
		snprintf(p, sizeof(p), "%s", paths[below(s, NPATHS)]);
	fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	count(OP_REOPEN, fd, errno);
	pool_put(s, fd);
}

static void op_fattach(uint64_t *s)
{
	char opts[128];
	const char *path = paths[below(s, NPATHS)];
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int r;

	switch (below(s, 10)) {
	case 0:
		snprintf(opts, sizeof(opts), "fd=%d,mode=%o,uid=%u,gid=%u",
			 pool_pick(s), (unsigned int)below(s, 01000),
			 (unsigned int)below(s, 3) * 1000,
			 (unsigned int)below(s, 3) * 1000);
		break;
	case 1:
		snprintf(opts, sizeof(opts), "fd=%d,mode=%s,uid=%lld",
			 pick_fd(s), chance(s, 50) ? "999" : "abc",
			 (long long)rnd(s));
		break;
	case 2:
		snprintf(opts, sizeof(opts), "%s", chance(s, 50) ? "" : "fd=");
		break;
	case 3:
		path = chance(s, 50) ? workdir : "/nonexistent/doorfuzz";
		snprintf(opts, sizeof(opts), "fd=%d", pool_pick(s));
		break;
	default:
		snprintf(opts, sizeof(opts), "fd=%d", pool_pick_door(s));
		break;
	}
	if (chance(s, 5))
		flags = (unsigned long)below(s, 2) * MS_RDONLY;
	r = mount(DOORFS_TYPE, path, DOORFS_TYPE, flags, opts);
	count(OP_FATTACH, r, errno);
}

static void op_fdetach(uint64_t *s)
{
	const char *path = paths[below(s, NPATHS)];
	int r;

	/* libdoor's fdetach: the remount that lets the door go, then umount. */
	if (chance(s, 50)) {
		r = mount(NULL, path, NULL, MS_REMOUNT,
			  chance(s, 80) ? "detach" : "detach,fd=0");
		count(OP_FDETACH, r, errno);
		if (chance(s, 30))
			return;
	}
	r = umount2(path, chance(s, 30) ? MNT_DETACH : 0);
	count(OP_FDETACH, r, errno);
}

static void op_close(uint64_t *s)
{
	int fd = new_fd(s);

	count(OP_CLOSE, fd, errno);
	if (fd >= 0)
		pool_put(s, fd);
	else
		pool_put(s, new_fd(s));
}

static void client_step(struct worker *w)
{
	uint64_t *s = &w->rs;
	unsigned int r = (unsigned int)below(s, 1000);

	if (r < 420)
		op_call(w, pick_fd(s));
	else if (r < 470)
		op_simple(w, OP_CREATE);
	else if (r < 530)
		op_simple(w, OP_INFO);
	else if (r < 550)
		op_simple(w, OP_QUERY);
	else if (r < 575)
		op_simple(w, OP_REVOKE);
	else if (r < 595)
		op_simple(w, OP_UCRED);
	else if (r < 625)
		op_simple(w, OP_GETPARAM);
	else if (r < 655)
		op_simple(w, OP_SETPARAM);
	else if (r < 670)
		op_simple(w, OP_BIND);
	else if (r < 685)
		op_simple(w, OP_UNBIND);
	else if (r < 700)
		op_simple(w, OP_STATS);
	else if (r < 710)
		op_simple(w, OP_ABANDON);
	else if (r < 718)
		op_simple(w, OP_SETCANCEL);
	else if (r < 760)
		op_simple(w, OP_BADCMD);
	else if (r < 820)
		op_misc(w);
	else if (r < 860)
		op_reopen(w);
	else if (r < 900)
		op_close(s);
	else if (r < 908)
		op_fattach(s);
	else if (r < 916)
		op_fdetach(s);
	else if (r < 926)
		op_reply(w);
	else if (r < 934)
		op_simple(w, OP_DETACHED);
	else if (r < 948)
		op_depletion(w);
	else
		op_call(w, pick_fd(s));
}

/* ---- server operations ----------------------------------------------------- */

static void drop_inv_map(struct worker *w)
{
	if (w->inv_map)
		munmap(w->inv_map, w->inv_map_sz);
	w->inv_map = NULL;
	w->inv_map_sz = 0;
}

static void server_step(struct worker *w)
{
	uint64_t *s = &w->rs;
	struct door_ioc_return r, *argp;
	uint64_t size = 0;
	int ret, e, ctl = ctl_fd(s), big = 1;

	memset(&r, 0, sizeof(r));
	if (w->serving || chance(s, 20)) {
		size = pick_size(s);
		big = big_get(size);
		if (!big)
			size = below(s, 4096);
		r.data_size = size;
		r.data_ptr = pick_in(s, size);
		r.desc_ptr = pick_desc(w, &r.desc_num);
	}
	switch (below(s, 10)) {
	case 0:
		r.buf = 0;
		r.buf_size = 0;
		break;
	case 1:
		r.buf = bad_ptr(s);
		r.buf_size = below(s, 2) ? below(s, 1 << 20) : rnd(s);
		break;
	default:
		r.buf = (uintptr_t)w->sbuf;
		r.buf_size = chance(s, 97) ? below(s, TBUF_SZ + 1) :
			     TBUF_SZ + GUARD_SZ * 2;
		break;
	}
	r.flags = chance(s, 97) ? 0 : (uint32_t)rnd(s);
	argp = arg_ptr(w, &r, sizeof(r));
	/* The previous invocation's mapping is not used for results. */
	drop_inv_map(w);
	ret = ioctl(ctl, DOOR_IOC_RETURN, argp);
	e = errno;
	if (big)
		big_put(size);
	count(OP_RETURN, ret, e);
	if (ret != 0) {
		if (e == EBADF && !w->serving && argp == &r &&
		    ctl == atomic_load(&main_ctl) && chance(s, 25))
			ctl_restart(ctl);	/* its doors are gone */
		if (e == EINTR || e == EBADF || e == ENOTTY || e == EINVAL) {
			/* Idle and interrupted, or no longer a server here. */
			w->serving = 0;
			w->fails = 0;
			if (chance(s, e == EINTR ? 50 : 30))
				w->server = 0;
		} else if (w->serving && ++w->fails > 4) {
			op_simple(w, OP_ABANDON);
			w->fails = 0;
		}
		return;
	}
	w->fails = 0;
	if (argp != &r) {
		/* The kernel could not report it: it abandoned the call. */
		w->serving = 0;
		return;
	}
	w->serving = 1;
	atomic_fetch_add(&cnt->invocations, 1);
	if (r.inv_flags & DOOR_INV_UNREF) {
		atomic_fetch_add(&cnt->unref_invocations, 1);
		if (r.arg_ptr != 1 || r.arg_size || r.adesc_num)
			failure("unreferenced invocation with arguments: ptr %#llx "
				"size %llu ndesc %u", (unsigned long long)r.arg_ptr,
				(unsigned long long)r.arg_size, r.adesc_num);
	} else if (r.inv_flags & DOOR_INV_MAPPED) {
		atomic_fetch_add(&cnt->mapped_args, 1);
		w->inv_map = (void *)(uintptr_t)r.map_ptr;
		w->inv_map_sz = r.map_size;
		adopt_received(s, r.adesc_ptr, r.adesc_num, r.map_ptr,
			       r.map_ptr + r.map_size);
	} else {
		adopt_received(s, r.adesc_ptr, r.adesc_num, r.buf,
			       r.buf + r.buf_size);
	}
	switch (below(s, 100)) {
	case 0: case 1:
		/* Exit while serving: the caller must not hang. */
		count(OP_THREADEXIT, 0, 0);
		w->exit_now = 1;
		break;
	case 2: case 3: case 4: case 5: case 6: case 7:
		op_simple(w, OP_ABANDON);
		break;
	case 8: case 9: case 10: case 11:
		op_simple(w, OP_UCRED);
		op_simple(w, OP_QUERY);
		break;
	case 12: case 13: case 14: case 15: case 16: case 17:
		/* Call out while serving. */
		op_call(w, pick_fd(s));
		break;
	case 18: case 19:
		poll(NULL, 0, (int)below(s, 20));
		break;
	case 23: case 24: case 25: case 26: case 27: case 28:
		/* Reply first; the next DOOR_IOC_RETURN only resumes. */
		op_reply(w);
		if (chance(s, 15))
			op_reply(w);	/* EINVAL, or EPIPE */
		break;
	case 29: case 30:
		op_simple(w, OP_DETACHED);
		break;
	case 20: case 21: case 22:
		/* Serve on as a client for a while; the caller waits. */
		w->server = 0;
		w->role_ops = (int)below(s, 20);
		break;
	default:
		break;
	}
}

/* ---- worker threads ------------------------------------------------------- */

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	atomic_store(&w->tid, (pid_t)syscall(SYS_gettid));
	while (!stopping() && !w->exit_now) {
		if (w->server) {
			server_step(w);
		} else {
			client_step(w);
			if (w->serving && --w->role_ops <= 0)
				w->server = 1;	/* finish what it serves */
			else if (chance(&w->rs, 2))
				w->server = 1;
		}
	}
	drop_inv_map(w);
	atomic_store(&w->running, 0);
	return NULL;
}

static int worker_start(struct worker *w, uint64_t seed)
{
	w->rs = seed;
	w->serving = 0;
	w->fails = 0;
	w->exit_now = 0;
	w->server = w->id % 3 == 0;
	worker_init_bufs(w);
	atomic_store(&w->running, 1);
	atomic_store(&w->tid, 0);
	if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
		atomic_store(&w->running, 0);
		return -1;
	}
	return 0;
}

/* ---- racer pair: door_create + close against reopen via /proc ------------- */

static _Atomic int race_fd = -1;
static int race_ctl = -1;
static pthread_t racer_th[2];
static _Atomic pid_t racer_tid[2];

static void *racer_create(void *arg)
{
	uint64_t rs = (uintptr_t)arg;

	atomic_store(&racer_tid[0], (pid_t)syscall(SYS_gettid));
	while (!stopping()) {
		int fd = raw_create(race_ctl, chance(&rs, 50) ? DOOR_UNREF : 0, &rs);

		count(OP_RACE_CREATE, fd, errno);
		if (fd < 0) {
			if (errno == EMFILE)
				poll(NULL, 0, 1);
			/*
			 * The fuzz closed another descriptor of this control
			 * file (received in some call): it is dead, take a
			 * new one.
			 */
			if (errno == EBADF && !stopping()) {
				protect(race_ctl, 0);
				close(race_ctl);
				race_ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
				protect(race_ctl, 1);
			}
			continue;
		}
		atomic_store(&race_fd, fd);
		for (int i = (int)below(&rs, 200); i > 0; i--)
			__asm__ volatile("" ::: "memory");
		close(fd);
	}
	return NULL;
}

static void *racer_reopen(void *arg)
{
	uint64_t rs = (uintptr_t)arg;
	char p[64];

	atomic_store(&racer_tid[1], (pid_t)syscall(SYS_gettid));
	while (!stopping()) {
		int fd;

		snprintf(p, sizeof(p), "/proc/self/fd/%d", atomic_load(&race_fd));
		fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		count(OP_RACE_REOPEN, fd, errno);
		if (fd >= 0) {
			struct door_ioc_info info;

			if (chance(&rs, 20))
				ioctl(fd, DOOR_IOC_INFO, &info);
			close(fd);
		}
	}
	return NULL;
}

/* ---- sanity: a private door whose answers are checked ------------------------ */

static int sanity_ctl = -1, sanity_door = -1;
static pthread_t sanity_th, sanity_srv_th;
static _Atomic pid_t sanity_tid, sanity_srv_tid;
static _Atomic int sanity_srv_running;

static void *sanity_server(void *arg)
{
	int ctl = sanity_ctl, d = sanity_door;
	uint64_t res[3] = { 0 }, args[8];
	struct door_ioc_return r;
	int serving = 0;

	(void)arg;
	atomic_store(&sanity_srv_tid, (pid_t)syscall(SYS_gettid));
	if (ioctl(ctl, DOOR_IOC_BIND, &d) != 0)
		goto out;
	for (;;) {
		memset(&r, 0, sizeof(r));
		if (serving) {
			r.data_ptr = (uintptr_t)res;
			r.data_size = sizeof(res);
		}
		r.buf = (uintptr_t)args;
		r.buf_size = sizeof(args);
		if (ioctl(ctl, DOOR_IOC_RETURN, &r) != 0) {
			if (errno == EINTR && !stopping()) {
				serving = 0;
				continue;
			}
			break;
		}
		serving = 1;
		memset(res, 0, sizeof(res));
		if (r.inv_flags & DOOR_INV_UNREF)
			continue;
		/* A stray call from the fuzz may bring descriptors. */
		for (uint32_t i = 0; i < r.adesc_num; i++)
			close(((struct door_ioc_desc *)(uintptr_t)r.adesc_ptr)[i].d_descriptor);
		if (r.inv_flags & DOOR_INV_MAPPED) {
			munmap((void *)(uintptr_t)r.map_ptr, r.map_size);
			continue;
		}
		if (r.arg_size != 24 || r.arg_ptr != (uintptr_t)args ||
		    args[0] != SANITY_MAGIC)
			continue;	/* a stray call from the fuzz */
		if (args[2] != mix64(args[1] ^ SANITY_MAGIC)) {
			failure("sanity server: corrupted arguments %#llx %#llx",
				(unsigned long long)args[1],
				(unsigned long long)args[2]);
			continue;
		}
		res[0] = SANITY_MAGIC;
		res[1] = args[1];
		res[2] = mix64(args[1]);
	}
out:
	atomic_store(&sanity_srv_running, 0);
	return NULL;
}

static int sanity_build(void)
{
	struct door_ioc_create c = { .proc = 0x5a, .attributes = DOOR_PRIVATE };

	sanity_ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sanity_ctl < 0)
		return -1;
	protect(sanity_ctl, 1);
	sanity_door = ioctl(sanity_ctl, DOOR_IOC_CREATE, &c);
	if (sanity_door < 0) {
		protect(sanity_ctl, 0);
		close(sanity_ctl);
		sanity_ctl = -1;
		return -1;
	}
	protect(sanity_door, 1);
	atomic_store(&sanity_srv_running, 1);
	if (pthread_create(&sanity_srv_th, NULL, sanity_server, NULL) != 0) {
		atomic_store(&sanity_srv_running, 0);
		return -1;
	}
	return 0;
}

static void sanity_teardown(void)
{
	/* Closing the control file revokes the door and wakes the server. */
	if (sanity_ctl >= 0) {
		protect(sanity_ctl, 0);
		close(sanity_ctl);
	}
	sanity_ctl = -1;
	while (atomic_load(&sanity_srv_running)) {
		pid_t t = atomic_load(&sanity_srv_tid);

		if (t > 0)
			syscall(SYS_tgkill, getpid(), t, SIGUSR1);
		poll(NULL, 0, 5);
	}
	pthread_join(sanity_srv_th, NULL);
	if (sanity_door >= 0) {
		protect(sanity_door, 0);
		close(sanity_door);
	}
	sanity_door = -1;
}

static void *sanity_client(void *arg)
{
	uint64_t rs = (uintptr_t)arg, a[3], res[4];

	atomic_store(&sanity_tid, (pid_t)syscall(SYS_gettid));
	while (!stopping()) {
		struct door_ioc_call c;
		int r;

		if (sanity_door < 0 || !atomic_load(&sanity_srv_running)) {
			if (sanity_door >= 0 || sanity_ctl >= 0)
				sanity_teardown();
			atomic_fetch_add(&cnt->sanity_rebuilds, 1);
			if (sanity_build() != 0) {
				poll(NULL, 0, 10);
				continue;
			}
		}
		a[0] = SANITY_MAGIC;
		a[1] = rnd(&rs);
		a[2] = mix64(a[1] ^ SANITY_MAGIC);
		memset(res, 0, sizeof(res));
		memset(&c, 0, sizeof(c));
		c.data_ptr = (uintptr_t)a;
		c.data_size = sizeof(a);
		c.rbuf = (uintptr_t)res;
		c.rsize = sizeof(res);
		r = ioctl(sanity_door, DOOR_IOC_CALL, &c);
		count(OP_SANITY_CALL, r, errno);
		if (r != 0) {
			if (errno != EINTR && errno != EAGAIN)
				sanity_teardown();	/* rebuilt above */
			continue;
		}
		if (c.flags & DOOR_CALL_MAPPED) {
			uint64_t *m = (void *)(uintptr_t)c.rbuf;

			if (c.data_size == 24 && m[0] == SANITY_MAGIC)
				failure("sanity: 24-byte result mapped although "
					"the 32-byte buffer held it");
			for (uint32_t i = 0; i < c.desc_num; i++)
				close(((struct door_ioc_desc *)(uintptr_t)c.desc_ptr)[i].d_descriptor);
			munmap(m, c.rsize);
			atomic_fetch_add(&cnt->sanity_foreign, 1);
			continue;
		}
		for (uint32_t i = 0; i < c.desc_num && c.desc_num <= 1; i++)
			close(((struct door_ioc_desc *)(uintptr_t)c.desc_ptr)[i].d_descriptor);
		if (c.data_size != 24 || res[0] != SANITY_MAGIC) {
			/* Not the sanity server (descriptor number reused). */
			atomic_fetch_add(&cnt->sanity_foreign, 1);
			continue;
		}
		if (c.data_ptr != (uintptr_t)res || res[1] != a[1] ||
		    res[2] != mix64(a[1])) {
			failure("sanity: asked %#llx, got {%#llx, %#llx} at %#llx "
				"(buffer %p)", (unsigned long long)a[1],
				(unsigned long long)res[1],
				(unsigned long long)res[2],
				(unsigned long long)c.data_ptr, (void *)res);
			continue;
		}
		atomic_fetch_add(&cnt->sanity_ok, 1);
		/* Leave most of the CPU to the fuzz itself. */
		poll(NULL, 0, 1);
	}
	return NULL;
}

/* ---- waves: first ioctls of many threads against thread exits ---------------- */

/*
 * The class of issue 11's first finding (a use-after-free of struct
 * door_thread): the first DOOR_IOC_RETURN or DOOR_IOC_BIND of a thread
 * makes its door_thread and prunes the entries of the process's exited
 * threads, while other threads look their own entry up by thread id.  Many
 * threads of one server process doing their first door ioctl at the same
 * moment, while others exit and thread ids are reused, made two prunes
 * free and read the same entry.
 *
 * A wave racer makes waves of WAVE_MIN..WAVE_MAX threads that wait at a
 * barrier, are released together, each do one first ioctl (BIND of the
 * wave's private door, RETURN into the pool, UNBIND, QUERY, UCRED,
 * ABANDON, or a CALL that gives the RETURN threads something to serve)
 * and exit at once, half by returning and half by pthread_exit().  The
 * next wave is released before the stragglers of the previous one (RETURN
 * threads waiting in the pool, callers waiting for them) are interrupted
 * with SIGUSR1, so threads exit while the next ones register.  When the
 * guest lets us (/proc/sys/kernel/ns_last_pid, root), some waves are
 * created on the thread ids of the wave before, so entries of exited
 * threads meet new threads with the same id.  Most waves use 1 to
 * WAVE_NCTL control files of the racer's own (server sides of this
 * process, each with its own thread entries; a thread registers on each
 * with a first BIND before its first ioctl on the first one, so one thread
 * made races several prunes), renewed now and then; some use the fuzz's
 * control file (their threads then serve the fuzz's calls); some run in a
 * forked child with new control files, which sometimes exits with its last
 * wave still in the kernel.
 *
 * Checked: the first UNBIND, QUERY, UCRED or ABANDON of a new thread fails
 * (it has no entry: success means it was given an exited thread's), a
 * thread bound to the wave's private door is told that door by QUERY, and
 * every wave thread and wave child ends.
 */
#define MAX_WAVERS	4
#define WAVE_MIN	8
#define WAVE_MAX	32
#define WAVE_STACK	(128 << 10)
#define WAVE_BUF	2048		/* per thread: arguments and results */
#define WAVE_STUCK_S	60		/* a wave thread that does not end: failure */
#define WAVE_NCTL	4		/* control files of one wave */

static double now_s(void);
static void show_task(const char *what, pid_t pid, pid_t tid);

struct wave;

struct wave_thread {
	struct wave *wave;
	pthread_t th;
	int started;		/* created and not joined yet */
	_Atomic pid_t tid;
	uint64_t rs;
	uint64_t buf[WAVE_BUF / 8];
};

struct wave {
	int n;			/* threads created */
	int active;		/* released, not finished */
	/*
	 * Control files of the process (server sides, each with its own
	 * thread entries): the first ioctl is on ctl[0]; threads register
	 * on the others too (a first BIND there), which multiplies the
	 * prunes racing per thread made.
	 */
	int nctl;
	int ctl[WAVE_NCTL];
	int own;		/* the racer's own control files: checks apply */
	int priv[WAVE_NCTL];	/* a private door on each (-1 if not made) */
	uint64_t priv_id[WAVE_NCTL];
	int pub;		/* a door on ctl[0] (-1 if not made) */
	_Atomic int ready;	/* threads at the barrier */
	_Atomic int go;		/* the barrier (a futex word) */
	double released;
	struct wave_thread t[WAVE_MAX];
};

struct waver {
	uint64_t rs;
	int in_child;		/* a forked child's racer */
	int ctl[WAVE_NCTL];	/* own control files (protected), -1 if none */
	int stuck;		/* a wave thread did not end: no more waves */
	struct wave w[2];	/* the wave running and the one before */
	int cur;		/* the next one to prepare */
	pid_t prev[WAVE_MAX];	/* thread ids of the last finished wave */
	int nprev;
	int idx;		/* in waver_th[] */
	pid_t kid;		/* a forked child running waves */
	double kid_t0;
};

static int nwavers = 1;
static pthread_t waver_th[MAX_WAVERS];
static _Atomic pid_t waver_tid[MAX_WAVERS];
static _Atomic int waver_running[MAX_WAVERS];
static _Atomic int last_pid_ok = 1;	/* ns_last_pid is writable */

static void futex_wait_while(_Atomic int *addr, int val)
{
	while (atomic_load(addr) == val)
		syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

/* The next thread (or process) id will be pid + 1, if nothing else takes it. */
static void set_last_pid(pid_t pid)
{
	char b[24];
	int fd, len, ok;

	if (!atomic_load(&last_pid_ok) || pid < 1)
		return;
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	len = snprintf(b, sizeof(b), "%d", (int)pid);
	ok = fd >= 0 && write(fd, b, (size_t)len) == len;
	if (fd >= 0)
		close(fd);
	if (!ok)
		atomic_store(&last_pid_ok, 0);
}

/*
 * DOOR_IOC_RETURN: wait in the pool (the process's, or the private one of
 * the door the thread is bound to).  An invocation is then either left at
 * once (the thread exits while serving) or answered, and the thread waits
 * again until the racer interrupts it.
 */
static void wave_return(struct wave_thread *t)
{
	struct wave *wv = t->wave;
	uint64_t *s = &t->rs, res[2] = { SANITY_MAGIC, 0 };
	struct door_ioc_return r;
	int ret;

	for (int round = 0; round < 2; round++) {
		memset(&r, 0, sizeof(r));
		if (round) {
			r.data_ptr = (uintptr_t)res;
			r.data_size = below(s, sizeof(res) + 1);
		}
		r.buf = (uintptr_t)t->buf;
		r.buf_size = sizeof(t->buf);
		ret = ioctl(wv->ctl[0], DOOR_IOC_RETURN, &r);
		count(OP_W_RETURN, ret, errno);
		if (ret != 0)
			return;
		atomic_fetch_add(&cnt->invocations, 1);
		if (r.inv_flags & DOOR_INV_UNREF) {
			atomic_fetch_add(&cnt->unref_invocations, 1);
			if (r.arg_ptr != 1 || r.arg_size || r.adesc_num)
				failure("wave: unreferenced invocation with arguments: "
					"ptr %#llx size %llu ndesc %u",
					(unsigned long long)r.arg_ptr,
					(unsigned long long)r.arg_size, r.adesc_num);
		} else if (r.inv_flags & DOOR_INV_MAPPED) {
			atomic_fetch_add(&cnt->mapped_args, 1);
			adopt_received(s, r.adesc_ptr, r.adesc_num, r.map_ptr,
				       r.map_ptr + r.map_size);
			munmap((void *)(uintptr_t)r.map_ptr, r.map_size);
		} else {
			adopt_received(s, r.adesc_ptr, r.adesc_num, r.buf,
				       r.buf + r.buf_size);
		}
		if (chance(s, 50)) {
			/* Exit while serving: the caller must not hang. */
			count(OP_THREADEXIT, 0, 0);
			return;
		}
	}
}

/* A first ioctl that a thread without an entry must see fail. */
static void wave_no_entry(struct wave_thread *t, enum op op)
{
	static const char *const what[] = { "UNBIND", "QUERY", "UCRED", "ABANDON" };
	struct wave *wv = t->wave;
	union {
		struct door_ioc_info info;
		struct door_ioc_ucred ucred;
	} u;
	unsigned long cmd;
	int ret, e;

	memset(&u, 0, sizeof(u));
	switch (op) {
	case OP_W_UNBIND:
		cmd = DOOR_IOC_UNBIND;
		break;
	case OP_W_QUERY:
		cmd = DOOR_IOC_QUERY;
		break;
	case OP_W_UCRED:
		u.ucred.groups_ptr = (uintptr_t)t->buf;
		u.ucred.groups_max = WAVE_BUF / 4;
		cmd = DOOR_IOC_UCRED;
		break;
	default:
		cmd = DOOR_IOC_ABANDON;
		break;
	}
	ret = ioctl(wv->ctl[0], cmd, &u);
	e = errno;
	count(op, ret, e);
	if (ret == 0 && wv->own)
		failure("wave: the first DOOR_IOC_%s of a new thread (tid %d) "
			"succeeded: it was given the entry of another thread",
			what[op - OP_W_UNBIND], (int)atomic_load(&t->tid));
}

/* DOOR_IOC_BIND to the private door of the wave's control file i. */
static int wave_bind_on(struct wave_thread *t, int i)
{
	struct wave *wv = t->wave;
	struct door_ioc_info info;
	int d = wv->priv[i], ret;

	ret = ioctl(wv->ctl[i], DOOR_IOC_BIND, &d);
	count(OP_W_BIND, ret, errno);
	if (ret != 0 || !chance(&t->rs, 25))
		return ret;
	memset(&info, 0, sizeof(info));
	ret = ioctl(wv->ctl[i], DOOR_IOC_QUERY, &info);
	count(OP_W_QUERY, ret, errno);
	if (ret == 0 && wv->own && info.id != wv->priv_id[i])
		failure("wave: thread %d bound to door %llu, DOOR_IOC_QUERY "
			"says door %llu", (int)atomic_load(&t->tid),
			(unsigned long long)wv->priv_id[i],
			(unsigned long long)info.id);
	return 0;
}

/* BIND to the wave's private door; then maybe serve it. */
static void wave_bind(struct wave_thread *t)
{
	if (wave_bind_on(t, 0) == 0 && chance(&t->rs, 33))
		wave_return(t);
}

/* A call to one of the wave's doors: work for its RETURN threads. */
static void wave_call(struct wave_thread *t)
{
	struct wave *wv = t->wave;
	uint64_t *s = &t->rs;
	struct door_ioc_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	t->buf[0] = SANITY_MAGIC;
	c.data_ptr = (uintptr_t)t->buf;
	c.data_size = below(s, 64);
	c.rbuf = (uintptr_t)t->buf + WAVE_BUF / 2;
	c.rsize = WAVE_BUF / 2;
	ret = ioctl(chance(s, 50) ? wv->pub : wv->priv[0], DOOR_IOC_CALL, &c);
	count(OP_W_CALL, ret, errno);
	if (ret != 0)
		return;
	adopt_received(s, c.desc_ptr, c.desc_num, c.rbuf, c.rbuf + c.rsize);
	if (c.flags & DOOR_CALL_MAPPED)
		munmap((void *)(uintptr_t)c.rbuf, c.rsize);
}

static void *exit_at_once(void *arg)
{
	pthread_exit(arg);
}

/*
 * glibc loads the unwinder (libgcc_s) the first time a thread calls
 * pthread_exit(), and aborts if it cannot: a wave thread doing so while
 * its process is out of descriptors (EMFILE is part of the fuzzing) would
 * bring the fuzzer down.  Load it once at the start; forked processes
 * inherit it.
 */
static void prime_unwinder(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, exit_at_once, NULL) == 0)
		pthread_join(t, NULL);
}

static void *wave_thread(void *arg)
{
	struct wave_thread *t = arg;
	struct wave *wv = t->wave;
	uint64_t *s = &t->rs;
	unsigned int r = (unsigned int)below(s, 100);
	int by_pthread_exit = chance(s, 50);

	atomic_store(&t->tid, (pid_t)syscall(SYS_gettid));
	atomic_fetch_add(&wv->ready, 1);
	futex_wait_while(&wv->go, 0);
	/* A first BIND on the other control files of the wave. */
	for (int i = 1; i < wv->nctl; i++)
		if (chance(s, 80))
			wave_bind_on(t, i);
	if (r < 35)
		wave_bind(t);
	else if (r < 60)
		wave_return(t);
	else if (r < 66)
		wave_no_entry(t, OP_W_UNBIND);
	else if (r < 72)
		wave_no_entry(t, OP_W_QUERY);
	else if (r < 78)
		wave_no_entry(t, OP_W_UCRED);
	else if (r < 84)
		wave_no_entry(t, OP_W_ABANDON);
	else
		wave_call(t);
	if (by_pthread_exit) {
		atomic_fetch_add(&cnt->wave_pexits, 1);
		pthread_exit(NULL);
	}
	return NULL;
}

/* (Re)open one of the racer's own control files. */
static void waver_new_ctl(struct waver *wr, int i)
{
	if (wr->ctl[i] >= 0) {
		protect(wr->ctl[i], 0);
		close(wr->ctl[i]);	/* ends that server side */
	}
	wr->ctl[i] = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	protect(wr->ctl[i], 1);
}

static void waver_close_ctls(struct waver *wr)
{
	for (int i = 0; i < WAVE_NCTL; i++) {
		if (wr->ctl[i] >= 0) {
			protect(wr->ctl[i], 0);
			close(wr->ctl[i]);
		}
		wr->ctl[i] = -1;
	}
}

static int wave_door(int ctl, uint32_t attributes, uint64_t *id)
{
	struct door_ioc_create c = { .proc = 0x3a7e, .attributes = attributes };
	int fd = ioctl(ctl, DOOR_IOC_CREATE, &c);

	protect(fd, 1);
	if (id)
		*id = fd >= 0 ? c.id : 0;
	return fd;
}

static int wave_has(const struct waver *wr, pid_t tid)
{
	for (int i = 0; i < wr->nprev; i++)
		if (wr->prev[i] == tid)
			return 1;
	return 0;
}

/* Make a wave: its doors and its threads, all waiting at the barrier. */
static void wave_prepare(struct waver *wr, struct wave *wv)
{
	uint64_t *s = &wr->rs;
	int n = WAVE_MIN + (int)below(s, WAVE_MAX - WAVE_MIN + 1);
	uint32_t pattr = DOOR_PRIVATE | (chance(s, 20) ? DOOR_UNREF : 0);
	uint32_t attr = chance(s, 30) ? DOOR_UNREF : 0;
	pthread_attr_t a;
	double t0;

	wv->own = wr->in_child || !chance(s, 20);
	wv->nctl = wv->own ? 1 + (int)below(s, WAVE_NCTL) : 1;
	for (int i = 0; i < wv->nctl; i++) {
		if (!wv->own) {
			wv->ctl[i] = atomic_load(&main_ctl);
		} else {
			if (wr->ctl[i] < 0)
				waver_new_ctl(wr, i);
			wv->ctl[i] = wr->ctl[i];
		}
		wv->priv[i] = wave_door(wv->ctl[i], pattr, &wv->priv_id[i]);
		if (wv->priv[i] < 0 && wv->own) {
			/*
			 * The fuzz shut it down (closed a copy received in a
			 * call), or unreferenced notifications of private
			 * doors that nobody can take filled it up (EMFILE):
			 * a new one.
			 */
			waver_new_ctl(wr, i);
			wv->ctl[i] = wr->ctl[i];
			wv->priv[i] = wave_door(wv->ctl[i], pattr, &wv->priv_id[i]);
		}
	}
	wv->pub = wave_door(wv->ctl[0], attr, NULL);
	if (!wv->own)
		atomic_fetch_add(&cnt->wave_main_ctl, 1);
	atomic_store(&wv->ready, 0);
	atomic_store(&wv->go, 0);
	for (int i = 0; i < n; i++)
		wv->t[i].rs = rnd(s);
	/* On the thread ids of the wave before (they are free again). */
	if (wr->nprev && chance(s, 50)) {
		pid_t lo = wr->prev[0];

		for (int i = 1; i < wr->nprev; i++)
			if (wr->prev[i] < lo)
				lo = wr->prev[i];
		set_last_pid(lo - 1);
	}
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, WAVE_STACK);
	wv->n = 0;
	for (int i = 0; i < n; i++) {
		struct wave_thread *t = &wv->t[wv->n];

		t->wave = wv;
		t->rs = wv->t[i].rs;
		atomic_store(&t->tid, 0);
		if (pthread_create(&t->th, &a, wave_thread, t) != 0)
			continue;	/* EAGAIN: a smaller wave */
		t->started = 1;
		wv->n++;
	}
	pthread_attr_destroy(&a);
	/* All at the barrier: a bounded wait, they have nothing else to do. */
	t0 = now_s();
	while (atomic_load(&wv->ready) < wv->n && now_s() - t0 < WAVE_STUCK_S)
		poll(NULL, 0, 1);
	atomic_fetch_add(&cnt->waves, 1);
	atomic_fetch_add(&cnt->wave_threads, (uint64_t)wv->n);
	if (wr->in_child)
		atomic_fetch_add(&cnt->wave_child_waves, 1);
	for (int i = 0; i < wv->n; i++)
		if (wave_has(wr, atomic_load(&wv->t[i].tid)))
			atomic_fetch_add(&cnt->wave_reused, 1);
}

static void wave_release(struct wave *wv)
{
	atomic_store(&wv->go, 1);
	syscall(SYS_futex, &wv->go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	wv->released = now_s();
	wv->active = 1;
}

/* Interrupt what is left of a wave (threads in the pool, their callers). */
static void wave_finish(struct waver *wr, struct wave *wv)
{
	int left;

	if (!wv->active)
		return;
	poll(NULL, 0, (int)below(&wr->rs, 3));
	for (;;) {
		left = 0;
		for (int i = 0; i < wv->n; i++) {
			struct wave_thread *t = &wv->t[i];

			if (!t->started)
				continue;
			if (pthread_tryjoin_np(t->th, NULL) == 0) {
				t->started = 0;
				continue;
			}
			left++;
			pthread_kill(t->th, SIGUSR1);
		}
		if (!left)
			break;
		if (now_s() - wv->released > WAVE_STUCK_S) {
			for (int i = 0; i < wv->n; i++)
				if (wv->t[i].started)
					show_task("wave thread", getpid(),
						  atomic_load(&wv->t[i].tid));
			failure("wave: %d of %d threads did not end in %d s",
				left, wv->n, WAVE_STUCK_S);
			wr->stuck = 1;
			return;
		}
		poll(NULL, 0, 1);
	}
	wr->nprev = 0;
	for (int i = 0; i < wv->n; i++)
		wr->prev[wr->nprev++] = atomic_load(&wv->t[i].tid);
	for (int k = 0; k <= wv->nctl; k++) {
		int *fd = k < wv->nctl ? &wv->priv[k] : &wv->pub;

		if (*fd >= 0) {
			protect(*fd, 0);
			close(*fd);
		}
		*fd = -1;
	}
	wv->active = 0;
}

/* Release a new wave, then end the one before: its stragglers exit now. */
static void waver_step(struct waver *wr)
{
	int cur = wr->cur;

	wave_prepare(wr, &wr->w[cur]);
	wave_release(&wr->w[cur]);
	wave_finish(wr, &wr->w[!cur]);
	wr->cur = !cur;
}

static struct waver *waver_new(uint64_t seed, int in_child)
{
	struct waver *wr = mmap(NULL, sizeof(*wr), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (wr == MAP_FAILED)
		return NULL;
	memset(wr, 0, sizeof(*wr));
	wr->rs = seed;
	wr->in_child = in_child;
	for (int i = 0; i < WAVE_NCTL; i++) {
		wr->ctl[i] = -1;
		wr->w[0].priv[i] = wr->w[1].priv[i] = -1;
	}
	wr->w[0].pub = wr->w[1].pub = -1;
	return wr;
}

/*
 * A child with new control files (the parent's are not its server sides):
 * a few waves; sometimes it exits while the last one is in the kernel.
 */
static void wave_child_main(uint64_t seed)
{
	struct waver *wr;
	int waves, leave;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	wr = waver_new(seed, 1);
	if (!wr)
		_exit(2);
	waves = 1 + (int)below(&wr->rs, 4);
	leave = chance(&wr->rs, 40);
	for (int i = 0; i < waves && !stopping() && !wr->stuck; i++) {
		if (i == waves - 1 && leave) {
			/* Exit with the last wave in the kernel. */
			wave_prepare(wr, &wr->w[wr->cur]);
			wave_release(&wr->w[wr->cur]);
			poll(NULL, 0, (int)below(&wr->rs, 3));
			_exit(0);
		}
		waver_step(wr);
	}
	for (int k = 0; k < 2 && !wr->stuck; k++)
		wave_finish(wr, &wr->w[k]);
	_exit(wr->stuck ? 1 : 0);
}

/* The racer's child: started now and then, reaped, killed at the end. */
static void waver_child(struct waver *wr, int end)
{
	int status, want;
	uint64_t seed;
	pid_t r;

	if (wr->kid > 0) {
		r = waitpid(wr->kid, &status, WNOHANG);
		if (r == wr->kid) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failure("wave child %d: %s %d", (int)wr->kid,
					WIFEXITED(status) ? "exit status" : "signal",
					WIFEXITED(status) ? WEXITSTATUS(status) :
					WTERMSIG(status));
			wr->kid = 0;
		} else if (end || now_s() - wr->kid_t0 > 2 * WAVE_STUCK_S) {
			double t0 = now_s();

			if (!end)
				failure("wave child %d still running after %d s",
					(int)wr->kid, 2 * WAVE_STUCK_S);
			kill(wr->kid, SIGKILL);
			while (waitpid(wr->kid, NULL, WNOHANG) != wr->kid) {
				if (now_s() - t0 > 30) {
					show_task("wave child", wr->kid, wr->kid);
					failure("wave child %d not reaped 30 s after "
						"SIGKILL", (int)wr->kid);
					break;
				}
				poll(NULL, 0, 10);
			}
			wr->kid = 0;
		}
	}
	if (end)
		return;
	/* Drawn whatever happens: the same seed makes the same waves. */
	want = chance(&wr->rs, 3);
	seed = rnd(&wr->rs);
	if (!want || wr->kid > 0)
		return;
	fflush(NULL);
	r = fork();
	if (r == 0)
		wave_child_main(seed);
	if (r > 0) {
		wr->kid = r;
		wr->kid_t0 = now_s();
		atomic_fetch_add(&cnt->wave_children, 1);
	}
}

static void *waver_main(void *arg)
{
	struct waver *wr = arg;

	atomic_store(&waver_tid[wr->idx], (pid_t)syscall(SYS_gettid));
	while (!stopping() && !wr->stuck) {
		waver_step(wr);
		waver_child(wr, 0);
		/* A new server side now and then (the old one ends). */
		if (chance(&wr->rs, 2))
			waver_new_ctl(wr, (int)below(&wr->rs, WAVE_NCTL));
	}
	for (int k = 0; k < 2 && !wr->stuck; k++)
		wave_finish(wr, &wr->w[k]);
	waver_child(wr, 1);
	waver_close_ctls(wr);
	atomic_store(&waver_running[wr->idx], 0);
	return NULL;
}

static int waver_start(int idx, uint64_t seed)
{
	struct waver *wr = waver_new(seed, 0);

	if (!wr)
		return -1;
	wr->idx = idx;
	atomic_store(&waver_running[idx], 1);
	if (pthread_create(&waver_th[idx], NULL, waver_main, wr) != 0) {
		atomic_store(&waver_running[idx], 0);
		return -1;
	}
	return 0;
}

/* ---- children ---------------------------------------------------------------- */

static pid_t children[MAX_CHILDREN];
static uint64_t forked, killed;

/*
 * A child: calls the parent's doors, opens its own control file, creates a
 * door and passes it to the parent inside a call, serves it from a second
 * thread and its main thread; ends by itself or is SIGKILLed.
 */
static void child_main(uint64_t seed)
{
	struct worker *w = &workers[0];
	struct timespec t0, t;
	long limit_ms;
	int ctl, d;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The parent's threads and their buffers are gone in the child. */
	memset(w, 0, sizeof(*w));
	w->rs = seed;
	worker_init_bufs(w);
	limit_ms = (long)below(&w->rs, 2000);
	ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	protect(ctl, 1);
	atomic_store(&main_ctl, ctl);
	d = raw_create(ctl, pick_attrs(&w->rs) & ~DOOR_PRIVATE, &w->rs);
	if (d >= 0) {
		struct door_ioc_desc dd = {
			.d_attributes = DOOR_DESCRIPTOR |
					(chance(&w->rs, 50) ? DOOR_RELEASE : 0),
			.d_descriptor = d,
		};
		struct door_ioc_call c = {
			.desc_ptr = (uintptr_t)&dd, .desc_num = 1,
			.rbuf = (uintptr_t)w->tbuf, .rsize = TBUF_SZ,
		};

		/* Hand our door to whoever serves a parent door. */
		ioctl(pool_pick_door(&w->rs), DOOR_IOC_CALL, &c);
		if (!(dd.d_attributes & DOOR_RELEASE))
			pool_put(&w->rs, d);
	}
	if (chance(&w->rs, 70)) {
		struct worker *w2 = &workers[1];

		memset(w2, 0, sizeof(*w2));
		w2->id = 1;
		w2->server = 1;
		w2->rs = rnd(&w->rs);
		worker_init_bufs(w2);
		atomic_store(&w2->running, 1);
		if (pthread_create(&w2->th, NULL, worker_main, w2) != 0)
			atomic_store(&w2->running, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >
		    limit_ms || stopping())
			break;
		if (w->server)
			server_step(w);
		else
			client_step(w);
		if (chance(&w->rs, 5))
			w->server = !w->server;
	}
	_exit(0);
}

static void fork_child(uint64_t *s)
{
	int slot = -1;
	pid_t pid;

	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] <= 0)
			slot = i;
	if (slot < 0)
		return;
	fflush(NULL);
	pid = fork();
	count(OP_FORK, pid, errno);
	if (pid == 0)
		child_main(rnd(s));
	if (pid > 0) {
		children[slot] = pid;
		forked++;
	}
}

static void reap_children(int block_ms)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] > 0 && waitpid(children[i], NULL, WNOHANG) == children[i])
			children[i] = 0;
	}
	(void)block_ms;
}

static void kill_child(uint64_t *s)
{
	int i = (int)below(s, MAX_CHILDREN);

	if (children[i] > 0) {
		count(OP_KILL, kill(children[i], SIGKILL), errno);
		killed++;
	}
}

/* ---- main: chaos, then the verdict --------------------------------------------- */

/*
 * Every signal is caught and ignored: the fuzz interrupts its own threads
 * with SIGUSR1 and SIGRTMAX, and DOOR_IOC_SET_CANCEL may have been given
 * any signal number (from random memory), which the kernel then sends to
 * server threads with SI_QUEUE.  A real fault (si_code > 0) gets the
 * default action back and happens again, fatally.
 */
static void any_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
	     sig == SIGILL || sig == SIGTRAP || sig == SIGSYS) &&
	    si->si_code > 0)
		signal(sig, SIG_DFL);
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = any_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: ioctls fail with EINTR */
	for (int sig = 1; sig < NSIG; sig++) {
		/* glibc's own (cancellation, setxid): they ignore SI_QUEUE. */
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD ||
		    (sig >= 32 && sig < SIGRTMIN))
			continue;
		sigaction(sig, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

static int door_stats(struct door_ioc_stats *st)
{
	int fd = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	r = ioctl(fd, DOOR_IOC_STATS, st);
	close(fd);
	return r;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_task(const char *what, pid_t pid, pid_t tid)
{
	char p[96], buf[4096];
	ssize_t n;
	int fd;

	fprintf(stderr, "doorfuzz: %s %d/%d did not stop:\n", what, pid, tid);
	for (int k = 0; k < 3; k++) {
		static const char *const f[] = { "stat", "wchan", "stack" };

		snprintf(p, sizeof(p), "/proc/%d/task/%d/%s", pid, tid, f[k]);
		fd = open(p, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			fprintf(stderr, "  %s: %s%s", f[k], buf,
				buf[n - 1] == '\n' ? "" : "\n");
		}
	}
}

static void close_pool(void)
{
	for (int i = 0; i < POOL_N; i++) {
		int fd = atomic_exchange(&pool[i], -1);

		if (closable(fd))
			close(fd);
	}
}

/* Descriptors open when the fuzz started (inherited): never touched. */
static unsigned char inherited_fd[FD_MAX];

static void note_inherited_fds(void)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		if (fcntl(fd, F_GETFD) != -1) {
			inherited_fd[fd] = 1;
			protect(fd, 1);
		}
}

/* Close every descriptor except the inherited ones. */
static void close_all_fds(void)
{
	for (int fd = 3; fd < FD_MAX; fd++)
		if (!inherited_fd[fd])
			close(fd);
}

/* Stop every thread; 0 if all were joined. */
static int stop_threads(void)
{
	double t0 = now_s();
	int left, bad = 0;

	atomic_store(&cnt->stop, 1);
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	for (;;) {
		/* Closing the control files fails every call to our doors
		 * and wakes idle server threads; signals end the rest. */
		int ctl = atomic_exchange(&main_ctl, -1);

		if (ctl >= 0) {
			protect(ctl, 0);
			close(ctl);
		}
		close_pool();
		left = 0;
		for (int i = 0; i < nworkers; i++) {
			pid_t t = atomic_load(&workers[i].tid);

			if (!atomic_load(&workers[i].running))
				continue;
			left++;
			if (t > 0)
				syscall(SYS_tgkill, getpid(), t, SIGUSR1);
		}
		for (int k = 0; k < 2; k++) {
			pid_t t = atomic_load(&racer_tid[k]);

			if (t > 0 && pthread_tryjoin_np(racer_th[k], NULL) != 0) {
				left++;
				syscall(SYS_tgkill, getpid(), t, SIGUSR1);
			} else if (t > 0) {
				atomic_store(&racer_tid[k], 0);
			}
		}
		for (int k = 0; k < nwavers; k++) {
			pid_t t = atomic_load(&waver_tid[k]);

			if (!atomic_load(&waver_running[k]))
				continue;
			left++;
			if (t > 0)
				syscall(SYS_tgkill, getpid(), t, SIGUSR1);
		}
		if (atomic_load(&sanity_tid) > 0) {
			if (pthread_tryjoin_np(sanity_th, NULL) == 0) {
				atomic_store(&sanity_tid, 0);
			} else {
				left++;
				syscall(SYS_tgkill, getpid(),
					atomic_load(&sanity_tid), SIGUSR1);
			}
		}
		if (!left || now_s() - t0 > 60)
			break;
		poll(NULL, 0, 20);
	}
	for (int i = 0; i < nworkers; i++) {
		if (atomic_load(&workers[i].running)) {
			show_task("worker", getpid(), atomic_load(&workers[i].tid));
			bad++;
		} else {
			pthread_join(workers[i].th, NULL);
		}
	}
	for (int k = 0; k < 2; k++)
		if (atomic_load(&racer_tid[k]) > 0) {
			show_task("racer", getpid(), atomic_load(&racer_tid[k]));
			bad++;
		}
	for (int k = 0; k < nwavers; k++) {
		if (atomic_load(&waver_running[k])) {
			show_task("wave racer", getpid(), atomic_load(&waver_tid[k]));
			bad++;
		} else {
			pthread_join(waver_th[k], NULL);
		}
	}
	if (atomic_load(&sanity_tid) > 0) {
		show_task("sanity client", getpid(), atomic_load(&sanity_tid));
		bad++;
	}
	if (!bad) {
		sanity_teardown();
		if (atomic_load(&sanity_srv_running)) {
			show_task("sanity server", getpid(),
				  atomic_load(&sanity_srv_tid));
			bad++;
		}
	}
	return bad;
}

static int reap_all(void)
{
	double t0 = now_s();
	int bad = 0;

	for (;;) {
		int left = 0;

		for (int i = 0; i < MAX_CHILDREN; i++) {
			if (children[i] <= 0)
				continue;
			kill(children[i], SIGKILL);
			if (waitpid(children[i], NULL, WNOHANG) == children[i])
				children[i] = 0;
			else
				left++;
		}
		if (!left || now_s() - t0 > 30)
			break;
		poll(NULL, 0, 20);
	}
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] > 0) {
			char p[64];
			DIR *dir;
			struct dirent *de;

			snprintf(p, sizeof(p), "/proc/%d/task", children[i]);
			dir = opendir(p);
			while (dir && (de = readdir(dir)))
				if (de->d_name[0] != '.')
					show_task("child", children[i], atoi(de->d_name));
			if (dir)
				closedir(dir);
			bad++;
		}
	}
	/* Children of children (none expected) and anything else. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return bad;
}

static int detach_all(void)
{
	int n = 0;

	for (int i = 0; i < NPATHS; i++) {
		for (int k = 0; k < 100000; k++) {
			struct statfs sfs;

			if (statfs(paths[i], &sfs) != 0 ||
			    (unsigned long)sfs.f_type != DOORFS_MAGIC)
				break;
			if (umount2(paths[i], MNT_DETACH) != 0)
				break;
			n++;
		}
	}
	return n;
}

static int list_fds(int quiet)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (dir && (de = readdir(dir))) {
		int fd;
		char p[64], l[256];
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(dir) || (fd < FD_MAX && inherited_fd[fd]))
			continue;
		n++;
		if (quiet)
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		len = readlink(p, l, sizeof(l) - 1);
		l[len > 0 ? len : 0] = 0;
		fprintf(stderr, "doorfuzz: descriptor %d left open: %s", fd, l);
		/* For a door: which one (door_id, target, attributes). */
		snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
		{
			char info[1024], *c;
			int ifd = open(p, O_RDONLY | O_CLOEXEC);

			len = ifd >= 0 ? read(ifd, info, sizeof(info) - 1) : -1;
			if (ifd >= 0)
				close(ifd);
			info[len > 0 ? len : 0] = 0;
			for (c = info; *c; c++)
				if (*c == '\n' || *c == '\t')
					*c = ' ';
			if (strstr(info, "door_id"))
				fprintf(stderr, " (%s)", strstr(info, "door_id"));
		}
		fprintf(stderr, "\n");
	}
	if (dir)
		closedir(dir);
	return n;
}

static void print_table(double secs)
{
	uint64_t total = 0;

	printf("doorfuzz: %-12s %12s %12s %12s  %s\n", "operation", "issued",
	       "ok", "failed", "most frequent errors");
	for (int op = 0; op < OP_NR; op++) {
		uint64_t n = atomic_load(&cnt->n[op]), ok = atomic_load(&cnt->ok[op]);
		char errs[160] = "";
		size_t used = 0;
		uint64_t seen[NERR];

		if (op <= OP_SETCANCEL || op == OP_BADCMD || op >= OP_W_BIND)
			total += n;
		for (int e = 0; e < NERR; e++)
			seen[e] = atomic_load(&cnt->err[op][e]);
		for (int k = 0; k < 4; k++) {
			int best = -1;

			for (int e = 0; e < NERR; e++)
				if (seen[e] && (best < 0 || seen[e] > seen[best]))
					best = e;
			if (best < 0)
				break;
			used += (size_t)snprintf(errs + used, sizeof(errs) - used,
						 "%s%s %" PRIu64, k ? ", " : "",
						 best ? strerrorname_np(best) : "?",
						 seen[best]);
			seen[best] = 0;
			if (used >= sizeof(errs))
				break;
		}
		printf("doorfuzz: %-12s %12" PRIu64 " %12" PRIu64 " %12" PRIu64
		       "  %s\n", op_name[op], n, ok, n - ok, errs);
	}
	printf("doorfuzz: ioctls issued: %" PRIu64 " in %.0f s (%.0f/s)\n", total,
	       secs, secs > 0 ? total / secs : 0.0);
	printf("doorfuzz: invocations served %" PRIu64 " (unreferenced %" PRIu64
	       ", arguments mapped %" PRIu64 "), results mapped %" PRIu64
	       ", descriptors received %" PRIu64 "\n",
	       atomic_load(&cnt->invocations), atomic_load(&cnt->unref_invocations),
	       atomic_load(&cnt->mapped_args), atomic_load(&cnt->mapped_results),
	       atomic_load(&cnt->fds_received));
	printf("doorfuzz: sanity calls checked %" PRIu64 " (foreign answers %" PRIu64
	       ", rebuilds %" PRIu64 "); children forked %" PRIu64 ", killed %"
	       PRIu64 "\n", atomic_load(&cnt->sanity_ok),
	       atomic_load(&cnt->sanity_foreign), atomic_load(&cnt->sanity_rebuilds),
	       forked, killed);
	printf("doorfuzz: waves %" PRIu64 " (%" PRIu64 " on the fuzz's control file, %"
	       PRIu64 " in %" PRIu64 " forked children): %" PRIu64 " threads, %"
	       PRIu64 " ended by pthread_exit, %" PRIu64 " on a thread id of the "
	       "wave before\n", atomic_load(&cnt->waves),
	       atomic_load(&cnt->wave_main_ctl), atomic_load(&cnt->wave_child_waves),
	       atomic_load(&cnt->wave_children), atomic_load(&cnt->wave_threads),
	       atomic_load(&cnt->wave_pexits), atomic_load(&cnt->wave_reused));
}

static void usage(void)
{
	fprintf(stderr, "usage: doorfuzz [-t SECONDS] [-j WORKERS] [-w WAVERS] [-s SEED] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 10, t0, tnext_report;
	uint64_t seed = 0, rs;
	struct door_ioc_stats st0, st1;
	struct rlimit rl;
	int opt, verbose = 0, bad = 0, fd, leaked;
	long long ld, lc;
	FILE *f;

	while ((opt = getopt(argc, argv, "t:j:w:s:vh")) != -1) {
		switch (opt) {
		case 't': seconds = atof(optarg); break;
		case 'j': nworkers = atoi(optarg); break;
		case 'w': nwavers = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (optind < argc && optind == argc - 1)
		seconds = atof(argv[optind]);	/* doorfuzz SECONDS */
	if (nworkers < 1 || nworkers > MAX_WORKERS || nwavers < 0 ||
	    nwavers > MAX_WAVERS || seconds < 0)
		usage();
	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rs = seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	prime_unwinder();

	cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED) {
		perror("doorfuzz: mmap");
		return 2;
	}
	f = fopen("/sys/module/door/parameters/max_data", "r");
	if (f) {
		unsigned long long v;

		if (fscanf(f, "%llu", &v) == 1 && v > 0 && v <= (256ULL << 20))
			max_data = (size_t)v;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < 256) {
		fprintf(stderr, "doorfuzz: RLIMIT_NOFILE too small\n");
		return 2;
	}
	note_inherited_fds();
	if (door_stats(&st0) != 0) {
		perror("doorfuzz: " DOOR_DEVICE_PATH);
		return 2;
	}
	setup_signals();
	setup_memory(&rs);
	snprintf(workdir, sizeof(workdir), "/tmp/doorfuzz.%d", (int)getpid());
	if (mkdir(workdir, 0755) != 0 && errno != EEXIST) {
		perror("doorfuzz: mkdir");
		return 2;
	}
	for (int i = 0; i < NPATHS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/f%d", workdir, i);
		fd = open(paths[i], O_CREAT | O_RDWR | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	for (int i = 0; i < POOL_N; i++)
		atomic_store(&pool[i], -1);
	ctl_restart(-1);
	for (int i = 0; i < POOL_N; i++)
		pool_put(&rs, new_fd(&rs));

	printf("doorfuzz: %.0f s, %d workers, seed %#llx, max_data %zu, "
	       "live_doors at start %llu\n", seconds, nworkers,
	       (unsigned long long)seed, max_data,
	       (unsigned long long)st0.live_doors);

	race_ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	protect(race_ctl, 1);
	for (int i = 0; i < nworkers; i++) {
		workers[i].id = i;
		if (worker_start(&workers[i], rnd(&rs)) != 0) {
			perror("doorfuzz: pthread_create");
			return 2;
		}
	}
	pthread_create(&racer_th[0], NULL, racer_create, (void *)(uintptr_t)rnd(&rs));
	pthread_create(&racer_th[1], NULL, racer_reopen, (void *)(uintptr_t)rnd(&rs));
	pthread_create(&sanity_th, NULL, sanity_client, (void *)(uintptr_t)rnd(&rs));
	for (int k = 0; k < nwavers; k++)
		if (waver_start(k, rnd(&rs)) != 0) {
			perror("doorfuzz: wave racer");
			return 2;
		}

	t0 = now_s();
	tnext_report = t0 + 60;
	while (now_s() - t0 < seconds) {
		uint64_t *s = &rs;
		unsigned int r = (unsigned int)below(s, 100);

		if (r < 30) {
			int i = (int)below(s, nworkers);
			pid_t t = atomic_load(&workers[i].tid);

			if (atomic_load(&workers[i].running) && t > 0)
				count(OP_SIGNAL, syscall(SYS_tgkill, getpid(), t,
							 chance(s, 80) ? SIGUSR1 : SIGRTMAX),
				      errno);
		} else if (r < 36) {
			fork_child(s);
		} else if (r < 42) {
			kill_child(s);
		} else if (r < 44) {
			ctl_restart(atomic_load(&main_ctl));
			count(OP_CTLRESTART, 0, 0);
		} else if (r < 52) {
			count(OP_REVOKE, ioctl(pool_pick_door(s), DOOR_IOC_REVOKE), errno);
		} else if (r < 62) {
			op_close(s);
		} else if (r < 66) {
			op_fattach(s);
		} else if (r < 70) {
			op_fdetach(s);
		}
		reap_children(0);
		/* Restart workers that exited while serving. */
		for (int i = 0; i < nworkers; i++) {
			if (!atomic_load(&workers[i].running)) {
				pthread_join(workers[i].th, NULL);
				worker_start(&workers[i], rnd(s));
			}
		}
		if (verbose && now_s() >= tnext_report) {
			tnext_report += 60;
			printf("doorfuzz: %.0f s: %" PRIu64 " calls, %" PRIu64
			       " returns, %" PRIu64 " invocations\n", now_s() - t0,
			       atomic_load(&cnt->n[OP_CALL]),
			       atomic_load(&cnt->n[OP_RETURN]),
			       atomic_load(&cnt->invocations));
		}
		poll(NULL, 0, 1 + (int)below(s, 5));
	}
	seconds = now_s() - t0;

	/* ---- stop and check ---- */
	if (stop_threads()) {
		failure("threads stuck in the kernel after the run");
		bad = 1;
	}
	if (reap_all()) {
		failure("children could not be reaped after SIGKILL");
		bad = 1;
	}
	close_pool();
	if (race_ctl >= 0) {
		protect(race_ctl, 0);
		close(race_ctl);
	}
	leaked = list_fds(0);
	if (leaked)
		printf("doorfuzz: %d descriptors open after the run that the "
		       "kernel installed without reporting them (or that "
		       "the fuzz lost track of); closing them\n", leaked);
	close_all_fds();
	printf("doorfuzz: %d doorfs mounts removed\n", detach_all());

	if (door_stats(&st1) != 0) {
		failure("DOOR_IOC_STATS failed at the end");
	} else {
		ld = -1;
		lc = -1;
		for (int i = 0; i < 2000; i++) {
			if (door_stats(&st1) != 0)
				break;
			ld = (long long)st1.live_doors;
			lc = (long long)st1.live_calls;
			if (ld == (long long)st0.live_doors &&
			    lc == (long long)st0.live_calls)
				break;
			poll(NULL, 0, 5);
		}
		printf("doorfuzz: live_doors %llu -> %lld, live_calls %llu -> %lld, "
		       "calls completed %llu\n",
		       (unsigned long long)st0.live_doors, ld,
		       (unsigned long long)st0.live_calls, lc,
		       (unsigned long long)(st1.total_calls - st0.total_calls));
		if (ld != (long long)st0.live_doors)
			failure("live_doors %lld at the end, %llu at the start",
				ld, (unsigned long long)st0.live_doors);
		if (lc != (long long)st0.live_calls)
			failure("live_calls %lld at the end, %llu at the start",
				lc, (unsigned long long)st0.live_calls);
	}
	for (int i = 0; i < NPATHS; i++)
		unlink(paths[i]);
	rmdir(workdir);

	print_table(seconds);
	if (atomic_load(&cnt->failures)) {
		printf("doorfuzz: FAIL: %d failures, first: %s\n",
		       atomic_load(&cnt->failures), cnt->first_failure);
		return 1;
	}
	printf("doorfuzz: PASS (seed %#llx)\n", (unsigned long long)seed);
	return bad;
}
