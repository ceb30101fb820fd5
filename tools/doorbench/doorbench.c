// SPDX-License-Identifier: GPL-2.0
/*
 * doorbench - door_call against the Linux IPC alternatives, run in the VM.
 *
 *   doorbench [--clock icount|wall] [--suite SUITE[,SUITE...]] [--quick]
 *             [--secs N] [--only MECH[,MECH...]] [--payload N]
 *             [--samples N] [--no-idle-poll] [--trace] [--rounds N]
 *             [--scale-secs N]
 *
 * Suites: lat1 (every payload and mechanism, both ends on vCPU 0, plus
 * descriptor passing and the competitor cases), lat2 (the same with client
 * and server on two vCPUs; skipped with one vCPU), latency (both),
 * nulllat (null round trips, descriptor passing and competitor cases on
 * one vCPU: a wall-clock guide), costs (building blocks: a trivial
 * syscall, an ioctl the module rejects, DOOR_IOC_INFO, eventfd
 * write+read), throughput, all (latency and throughput; the default),
 * null1 (just the null round trips on vCPU 0: make profile), alive (the
 * null call with 1, 1,000 and 100,000 idle doors in the server), memory
 * (kernel memory per idle door and per parked server thread) and
 * scaling (--rounds rounds, default 9, of --scale-secs windows, default
 * 1 s; see suite_scaling()).  --trace: the client switches
 * /sys/kernel/tracing/tracing_on on for its timed round trips only.  --only, --payload and --samples narrow a run down for
 * experiments (e.g. under ftrace); --quick takes a tenth of the samples.
 *
 * Every case forks fresh processes: an echo server (or, for doors, a
 * server process with its server threads) and one or more clients; the
 * parent only orchestrates, collects the clients' samples from shared
 * memory and prints one line per case:
 *
 *   @@DB lat  mech=M payload=N cpus=C comp=0|1 clients=1 samples=S min=..
 *             median=.. p90=.. p99=.. mean=.. max=.. unit=insn|ns [sthreads=T]
 *             [idlepoll=1]
 *   @@DB tput mech=M payload=0 cpus=C comp=0 clients=K reps=R rate=..
 *             runs=A/B/C secs=.. unit=calls/s [sthreads=T]
 *   @@DB cost name=N samples=S min=.. median=.. p99=.. unit=.. note=TEXT
 *             (a note has '~' for spaces)
 *   @@DB alive (as lat, with doors=N: N doors alive in the server)
 *   @@DB mem  what=door|thread-door|thread-pause n=N slab_bytes=..
 *             sunreclaim_bytes=.. kstack_bytes=.. ptables_bytes=..
 *             caches=NAME:BYTES,...   (bytes per object)
 *   @@DB scale round=R mech=M clients=K cpus=C rate=.. secs=..
 *             unit=calls/s [sthreads=T] [idlepoll=1]
 *   @@DB fail mech=M ... err=TEXT
 *   @@DB meta key=value ...
 *
 * tools/doorbench/doorreport turns these lines into bench/results.*.
 *
 * Latency: one client does warm-up round trips and then SAMPLES timed
 * ones; each round trip is timed on its own with clock_gettime(
 * CLOCK_MONOTONIC), minus the measured cost of the clock read itself.
 * Under QEMU -icount shift=0 guest nanoseconds are guest instructions, so
 * the unit is "insn"; otherwise "ns".  A round trip carries PAYLOAD bytes to
 * the server and the same number back (an echo).  cpus=1: client and server
 * pinned to vCPU 0; cpus=2: client on vCPU 0, server on vCPU 1, with a
 * SCHED_IDLE spinner on each vCPU (see idle_spinner(); --no-idle-poll
 * leaves them out).  comp=1: a CPU-bound process pinned to the same vCPU
 * as both ends.
 *
 * Mechanisms:
 *   door-ioctl      raw DOOR_IOC_CALL / DOOR_IOC_RETURN (kernel path only)
 *   door-libdoor    door_call / door_create + door_return (libdoor)
 *   door-reply      as door-libdoor, the server answering with door_reply
 *                   and then door_return(NULL, 0, NULL, 0) (a Linux
 *                   extension: one more system call per round trip)
 *   pipe            two pipes
 *   unix-stream     socketpair(AF_UNIX, SOCK_STREAM)
 *   unix-seqpacket  socketpair(AF_UNIX, SOCK_SEQPACKET), 64 KiB messages
 *   eventfd         two eventfds; data through shared memory
 *   eventfd-bare    two eventfds, the 8-byte counters are the message
 *                   (null calls only: the floor of a wakeup each way)
 *   futex           one process-shared futex word; data through shared memory
 *   sysv-msg        SysV message queues, 8 KiB messages (msgmax)
 *   posix-mq        POSIX message queues, 8 KiB messages (msgsize_max)
 * Stream mechanisms carry at least 1 byte (a 0-byte write wakes nobody).
 * Payloads beyond a mechanism's message size are sent in chunks.
 *
 * Descriptor passing: door-ioctl+fd, door-libdoor+fd (one DOOR_DESCRIPTOR
 * per call, empty result) against scm-rights (1 byte + one SCM_RIGHTS fd
 * over a SOCK_STREAM socketpair, 1 byte back).  The server closes the fd.
 *
 * Throughput: K clients call null round trips in a loop for --secs seconds
 * after a 0.3 s warm-up, five runs per case (one with --quick), the line
 * reporting the median rate.  Pinning: none; everything on vCPU 0; or
 * client i on vCPU i.  The door server has K threads (libdoor: grows on
 * depletion); eventfd, the baseline, gets one server process per client,
 * and so does door-ioctl-pairs (a diagnostic: a door server per client).
 * sthreads= reports the door server's thread count at the end of a case.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <door_ioctl.h>
#ifndef DOORBENCH_NO_LIBDOOR
#include <door.h>
#endif

#define KiB		1024UL
#define MiB		(1024UL * 1024UL)
#define SEQPKT_CHUNK	(64 * KiB)
#define MSG_CHUNK	8192UL		/* SysV msgmax, POSIX msgsize_max */
#define MQ_DEPTH	10		/* POSIX msg_max default */
#define MAX_CLIENTS	4
#define CASE_ALARM	600		/* seconds (guest clock) per process */

enum mech {
	M_DOOR_IOCTL,
	M_DOOR_LIB,
	M_DOOR_REPLY,		/* libdoor, server door_reply + door_return */
	M_PIPE,
	M_STREAM,
	M_SEQPACKET,
	M_EVENTFD,
	M_EVENTFD_BARE,		/* eventfd counters only, no shared data */
	M_FUTEX,
	M_SYSV,
	M_POSIXMQ,
	M_SCM,			/* SCM_RIGHTS, descriptor passing only */
	M_NMECH
};

static const char *const mech_name[M_NMECH] = {
	[M_DOOR_IOCTL] = "door-ioctl",
	[M_DOOR_LIB] = "door-libdoor",
	[M_DOOR_REPLY] = "door-reply",
	[M_PIPE] = "pipe",
	[M_STREAM] = "unix-stream",
	[M_SEQPACKET] = "unix-seqpacket",
	[M_EVENTFD] = "eventfd",
	[M_EVENTFD_BARE] = "eventfd-bare",
	[M_FUTEX] = "futex",
	[M_SYSV] = "sysv-msg",
	[M_POSIXMQ] = "posix-mq",
	[M_SCM] = "scm-rights",
};

struct bcase {
	enum mech m;
	size_t payload;
	int fdpass;		/* one descriptor per call, empty result */
	int cpus;		/* 1, 2: pinned as described; 0: unpinned */
	int comp;		/* CPU-bound competitor on vCPU 0 */
	int nclients;
	int samples;		/* latency: timed round trips */
	int warmup;
	double secs;		/* throughput: measuring window */
	int tput;		/* a throughput case */
	int pairs;		/* door: one server process per client */
	int live_doors;		/* door: idle doors the server keeps alive */
};

/* Shared between the parent and all processes of one case. */
struct shared {
	volatile int go;
	volatile int stop;
	volatile int ready;
	char pad0[64 - 3 * sizeof(int)];
	struct {
		volatile uint64_t count;
		volatile int done;
		volatile int err;
		char msg[96];
		char pad[8];
	} cl[MAX_CLIENTS];
	/* futex mechanism */
	volatile uint32_t fword[MAX_CLIENTS][16];
	uint64_t samples[];	/* latency samples of client 0 */
};

/* Shared data area of the eventfd/futex mechanisms, per client. */
struct shmdata {
	char *req;
	char *resp;
};

/* Everything one client/server pair uses, made before fork(). */
struct chan {
	int fd[4];
	int door;
	int msq[2];
	mqd_t mq[2];
	struct shmdata shm;
	volatile uint32_t *fword;
};

static const char *clock_unit = "ns";
static int trace_fd = -1;	/* --trace: /sys/kernel/tracing/tracing_on */
static uint64_t timer_overhead;
static int ncpus;
static int quick;
static int samples_override;
static const char *only;	/* --only: comma-separated mechanism labels */
static long only_payload = -1;	/* --payload: only this payload size */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "doorbench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t s;

	if (cpu < 0)
		return;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof(s), &s) < 0)
		die("sched_setaffinity(%d): %s", cpu, strerror(errno));
}

/*
 * Pinning.  Latency (one client): cpus=1 puts both ends on vCPU 0, cpus=2
 * the client on vCPU 0 and the server on vCPU 1.  Throughput: cpus=0 pins
 * nothing, cpus=1 puts everything on vCPU 0, cpus=2 puts client i (and,
 * except for the shared door server, its server) on vCPU i % 2.
 */
static int client_cpu(const struct bcase *bc, int idx)
{
	if (!bc->cpus)
		return -1;
	if (bc->cpus == 3)	/* scaling: client i on vCPU i */
		return idx % ncpus;
	return bc->tput && bc->cpus == 2 ? idx % 2 : 0;
}

static int server_cpu(const struct bcase *bc, int idx)
{
	if (bc->cpus == 3)	/* scaling: servers unpinned */
		return -1;
	if (bc->cpus == 1)
		return 0;
	if (bc->cpus == 2) {
		if (!bc->tput)
			return 1;
		if ((bc->m == M_DOOR_IOCTL || bc->m == M_DOOR_LIB ||
		     bc->m == M_DOOR_REPLY) && !bc->pairs)
			return -1;
		return idx % 2;
	}
	return -1;
}

/* " doors=N" for the cases with extra live doors, else "". */
static const char *doors_field(const struct bcase *bc)
{
	static char buf[32];

	buf[0] = '\0';
	if (bc->live_doors)
		snprintf(buf, sizeof(buf), " doors=%d", bc->live_doors);
	return buf;
}

/*
 * Let this process hold @n more descriptors: the module bounds the doors
 * of a process by RLIMIT_NOFILE, which cannot exceed fs.nr_open.
 */
static void raise_nofile(long n)
{
	struct rlimit rl;
	long nr_open = 0;
	FILE *f;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit: %s", strerror(errno));
	n += 256;
	if ((long)rl.rlim_cur >= n)
		return;
	f = fopen("/proc/sys/fs/nr_open", "r+");
	if (f) {
		if (fscanf(f, "%ld", &nr_open) == 1 && nr_open < n) {
			rewind(f);
			fprintf(f, "%ld\n", n);
		}
		fclose(f);
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)n;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit(RLIMIT_NOFILE, %ld): %s", n, strerror(errno));
}

/* Process names the profile (tools/profile.sh) tells the two ends by. */
static void set_name(const char *name)
{
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

/* Children die with the parent and on a runaway case. */
static void child_setup(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(CASE_ALARM);
}

static int writen(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int readn(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = EPIPE;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Bytes a stream mechanism moves for a payload: at least one. */
static size_t wire_size(size_t n)
{
	return n ? n : 1;
}

static int futex_wait(volatile uint32_t *w, uint32_t val)
{
	return (int)syscall(SYS_futex, w, FUTEX_WAIT, val, NULL, NULL, 0);
}

static int futex_wake(volatile uint32_t *w)
{
	return (int)syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* ---- message-queue chunking -------------------------------------------- */

struct msgbuf_big {
	long mtype;
	char mtext[MSG_CHUNK];
};

static int sysv_send(int q, struct msgbuf_big *m, const char *src, size_t n)
{
	size_t off = 0;

	do {
		size_t c = min_sz(n - off, MSG_CHUNK);

		m->mtype = 1;
		memcpy(m->mtext, src + off, c);
		while (msgsnd(q, m, c, 0) < 0)
			if (errno != EINTR)
				return -1;
		off += c;
	} while (off < n);
	return 0;
}

static int sysv_recv(int q, struct msgbuf_big *m, char *dst, size_t n)
{
	size_t off = 0;

	do {
		ssize_t r = msgrcv(q, m, MSG_CHUNK, 0, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if ((size_t)r > n - off) {
			errno = EPROTO;
			return -1;
		}
		memcpy(dst + off, m->mtext, (size_t)r);
		off += (size_t)r;
	} while (off < n);
	return 0;
}

static int pmq_send(mqd_t q, const char *src, size_t n)
{
	size_t off = 0;

	do {
		size_t c = min_sz(n - off, MSG_CHUNK);

		while (mq_send(q, src + off, c, 0) < 0)
			if (errno != EINTR)
				return -1;
		off += c;
	} while (off < n);
	return 0;
}

static int pmq_recv(mqd_t q, char *dst, size_t n, char *tmp)
{
	size_t off = 0;

	do {
		ssize_t r = mq_receive(q, tmp, MSG_CHUNK, NULL);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if ((size_t)r > n - off) {
			errno = EPROTO;
			return -1;
		}
		memcpy(dst + off, tmp, (size_t)r);
		off += (size_t)r;
	} while (off < n);
	return 0;
}

static int seqpkt_send(int fd, const char *src, size_t n)
{
	size_t off = 0;

	do {
		size_t c = min_sz(n - off, SEQPKT_CHUNK);
		ssize_t r = send(fd, src + off, c, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)r;
	} while (off < n);
	return 0;
}

static int seqpkt_recv(int fd, char *dst, size_t n)
{
	size_t off = 0;

	do {
		ssize_t r = recv(fd, dst + off, n - off, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = EPIPE;
			return -1;
		}
		off += (size_t)r;
	} while (off < n);
	return 0;
}

/* ---- SCM_RIGHTS ---------------------------------------------------------- */

static int scm_send(int sock, int fd)
{
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { 0 };
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	for (;;) {
		ssize_t r = sendmsg(sock, &mh, 0);

		if (r == 1)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

/* Receive 1 byte and one descriptor (-1 if none came). */
static int scm_recv(int sock, int *fd)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	ssize_t r;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do {
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r != 1) {
		if (r == 0)
			errno = EPIPE;
		return -1;
	}
	*fd = -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

/* ---- door servers -------------------------------------------------------- */

struct raw_srv {
	int ctl;
	char *buf;
	size_t buf_size;
};

static void *raw_server_thread(void *arg)
{
	struct raw_srv *s = arg;
	struct door_ioc_return r;
	void *map = NULL;
	size_t map_size = 0;
	__u32 i;

	memset(&r, 0, sizeof(r));
	for (;;) {
		r.flags = 0;
		r.buf = (__u64)(uintptr_t)s->buf;
		r.buf_size = s->buf_size;
		if (ioctl(s->ctl, DOOR_IOC_RETURN, &r) < 0) {
			if (errno == EINTR)
				continue;
			die("DOOR_IOC_RETURN: %s", strerror(errno));
		}
		/* The results pointing into the old mapping were taken. */
		if (map)
			munmap(map, map_size);
		map = NULL;
		if (r.inv_flags & DOOR_INV_MAPPED) {
			map = (void *)(uintptr_t)r.map_ptr;
			map_size = r.map_size;
		}
		for (i = 0; i < r.adesc_num; i++) {
			struct door_ioc_desc *d =
				(struct door_ioc_desc *)(uintptr_t)r.adesc_ptr + i;
			close(d->d_descriptor);
		}
		/* Echo the data, no descriptors back. */
		r.data_ptr = r.arg_ptr;
		r.data_size = r.arg_size;
		r.desc_ptr = 0;
		r.desc_num = 0;
	}
	return NULL;
}

static int send_fd_to(int sock, int fd)
{
	return scm_send(sock, fd);
}

static void door_ioctl_server(const struct bcase *bc, int sock, int idx)
{
	struct door_ioc_create c = { .proc = 1, .cookie = 2 };
	int ctl, d, i, n = bc->nclients > 1 && !bc->pairs ? bc->nclients : 1;
	pthread_t t;

	pin(server_cpu(bc, idx));
	ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		die("open %s: %s", DOOR_DEVICE_PATH, strerror(errno));
	set_name("db-server");
	if (bc->live_doors > 1)
		raise_nofile(bc->live_doors);
	d = ioctl(ctl, DOOR_IOC_CREATE, &c);
	if (d < 0)
		die("DOOR_IOC_CREATE: %s", strerror(errno));
	for (i = 1; i < bc->live_doors; i++)
		if (ioctl(ctl, DOOR_IOC_CREATE, &c) < 0)
			die("DOOR_IOC_CREATE (live door %d): %s", i, strerror(errno));
	for (i = 0; i < n; i++) {
		struct raw_srv *s = calloc(1, sizeof(*s));

		if (!s)
			die("out of memory");
		s->ctl = ctl;
		/* Large enough for every argument: no per-call mapping. */
		s->buf_size = bc->payload + 4096;
		s->buf = mmap(NULL, s->buf_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (s->buf == MAP_FAILED)
			die("mmap: %s", strerror(errno));
		if (pthread_create(&t, NULL, raw_server_thread, s))
			die("pthread_create failed");
	}
	if (send_fd_to(sock, d) < 0)
		die("sending the door: %s", strerror(errno));
	for (;;)
		pause();
}

#ifndef DOORBENCH_NO_LIBDOOR
static void lib_echo(void *cookie, char *argp, size_t arg_size,
		     door_desc_t *dp, uint_t n_desc)
{
	uint_t i;

	(void)cookie;
	for (i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	door_return(argp, arg_size, NULL, 0);
}

/* The same with door_reply: the results go first, control after. */
static void lib_reply_echo(void *cookie, char *argp, size_t arg_size,
			   door_desc_t *dp, uint_t n_desc)
{
	uint_t i;

	(void)cookie;
	for (i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	if (door_reply(argp, arg_size, NULL, 0) < 0)
		die("door_reply: %s", strerror(errno));
	door_return(NULL, 0, NULL, 0);
}

static void door_lib_server(const struct bcase *bc, int sock, int idx)
{
	int d, i;

	pin(server_cpu(bc, idx));
	set_name("db-server");
	if (bc->live_doors > 1)
		raise_nofile(bc->live_doors);
	d = door_create(bc->m == M_DOOR_REPLY ? lib_reply_echo : lib_echo,
			NULL, 0);
	if (d < 0)
		die("door_create: %s", strerror(errno));
	for (i = 1; i < bc->live_doors; i++)
		if (door_create(lib_echo, NULL, 0) < 0)
			die("door_create (live door %d): %s", i, strerror(errno));
	if (send_fd_to(sock, d) < 0)
		die("sending the door: %s", strerror(errno));
	for (;;)
		pause();
}
#endif

/* ---- other echo servers ---------------------------------------------------- */

static void echo_server(const struct bcase *bc, struct chan *ch, int idx)
{
	size_t n = bc->payload, w = wire_size(n);
	char *buf = malloc(w + MSG_CHUNK);
	struct msgbuf_big *m = malloc(sizeof(*m));
	uint64_t v;
	uint32_t seen;
	int fd;

	if (!buf || !m)
		die("out of memory");
	memset(buf, 0, w + MSG_CHUNK);
	pin(server_cpu(bc, idx));
	set_name("db-server");
	for (;;) {
		switch (bc->m) {
		case M_PIPE:
			if (readn(ch->fd[0], buf, w) || writen(ch->fd[3], buf, w))
				goto fail;
			break;
		case M_STREAM:
			if (readn(ch->fd[1], buf, w) || writen(ch->fd[1], buf, w))
				goto fail;
			break;
		case M_SEQPACKET:
			if (seqpkt_recv(ch->fd[1], buf, w) ||
			    seqpkt_send(ch->fd[1], buf, w))
				goto fail;
			break;
		case M_EVENTFD:
			if (readn(ch->fd[0], &v, 8))
				goto fail;
			memcpy(buf, ch->shm.req, n);
			memcpy(ch->shm.resp, buf, n);
			if (writen(ch->fd[1], &v, 8))
				goto fail;
			break;
		case M_EVENTFD_BARE:
			/* The 8-byte counter value is the whole message. */
			if (readn(ch->fd[0], &v, 8) || writen(ch->fd[1], &v, 8))
				goto fail;
			break;
		case M_FUTEX:
			/* 1: request posted; 2: response posted. */
			while ((seen = __atomic_load_n(ch->fword, __ATOMIC_ACQUIRE)) != 1)
				futex_wait(ch->fword, seen);
			memcpy(buf, ch->shm.req, n);
			memcpy(ch->shm.resp, buf, n);
			__atomic_store_n(ch->fword, 2, __ATOMIC_RELEASE);
			futex_wake(ch->fword);
			break;
		case M_SYSV:
			if (sysv_recv(ch->msq[0], m, buf, n) ||
			    sysv_send(ch->msq[1], m, buf, n))
				goto fail;
			break;
		case M_POSIXMQ:
			if (pmq_recv(ch->mq[0], buf, n, buf + w) ||
			    pmq_send(ch->mq[1], buf, n))
				goto fail;
			break;
		case M_SCM:
			if (scm_recv(ch->fd[1], &fd))
				goto fail;
			if (fd >= 0)
				close(fd);
			if (writen(ch->fd[1], buf, 1))
				goto fail;
			break;
		default:
			die("echo_server: bad mechanism");
		}
	}
fail:
	die("%s server: %s", mech_name[bc->m], strerror(errno));
}

/* ---- clients ----------------------------------------------------------- */

struct client {
	const struct bcase *bc;
	struct chan *ch;
	char *buf;		/* arguments */
	char *rbuf;		/* results */
	size_t rcap;
	int passfd;
	struct msgbuf_big *m;
	char *tmp;
};

/* One round trip; 0 or -1 with errno. */
static int round_trip(struct client *c)
{
	const struct bcase *bc = c->bc;
	struct chan *ch = c->ch;
	size_t n = bc->payload, w = wire_size(n);
	uint64_t one = 1, v;
	uint32_t seen;

	switch (bc->m) {
	case M_DOOR_IOCTL: {
		struct door_ioc_call a;
		struct door_ioc_desc d;

		memset(&a, 0, sizeof(a));
		a.data_ptr = (__u64)(uintptr_t)c->buf;
		a.data_size = n;
		a.rbuf = (__u64)(uintptr_t)c->rbuf;
		a.rsize = c->rcap;
		if (bc->fdpass) {
			memset(&d, 0, sizeof(d));
			d.d_attributes = DOOR_DESCRIPTOR;
			d.d_descriptor = c->passfd;
			a.desc_ptr = (__u64)(uintptr_t)&d;
			a.desc_num = 1;
		}
		if (ioctl(ch->door, DOOR_IOC_CALL, &a) < 0)
			return -1;
		if (a.flags & DOOR_CALL_MAPPED)
			munmap((void *)(uintptr_t)a.rbuf, a.rsize);
		if (a.data_size != n || a.desc_num) {
			errno = EPROTO;
			return -1;
		}
		return 0;
	}
#ifndef DOORBENCH_NO_LIBDOOR
	case M_DOOR_LIB:
	case M_DOOR_REPLY: {
		door_arg_t a;
		door_desc_t d;

		memset(&a, 0, sizeof(a));
		a.data_ptr = c->buf;
		a.data_size = n;
		a.rbuf = c->rbuf;
		a.rsize = c->rcap;
		if (bc->fdpass) {
			memset(&d, 0, sizeof(d));
			d.d_attributes = DOOR_DESCRIPTOR;
			d.d_data.d_desc.d_descriptor = c->passfd;
			a.desc_ptr = &d;
			a.desc_num = 1;
		}
		if (door_call(ch->door, &a) < 0)
			return -1;
		if (a.rbuf != c->rbuf)
			munmap(a.rbuf, a.rsize);
		if (a.data_size != n || a.desc_num) {
			errno = EPROTO;
			return -1;
		}
		return 0;
	}
#endif
	case M_PIPE:
		if (writen(ch->fd[1], c->buf, w) || readn(ch->fd[2], c->rbuf, w))
			return -1;
		return 0;
	case M_STREAM:
		if (writen(ch->fd[0], c->buf, w) || readn(ch->fd[0], c->rbuf, w))
			return -1;
		return 0;
	case M_SEQPACKET:
		if (seqpkt_send(ch->fd[0], c->buf, w) ||
		    seqpkt_recv(ch->fd[0], c->rbuf, w))
			return -1;
		return 0;
	case M_EVENTFD:
		memcpy(ch->shm.req, c->buf, n);
		if (writen(ch->fd[0], &one, 8) || readn(ch->fd[1], &v, 8))
			return -1;
		memcpy(c->rbuf, ch->shm.resp, n);
		return 0;
	case M_EVENTFD_BARE:
		if (writen(ch->fd[0], &one, 8) || readn(ch->fd[1], &v, 8))
			return -1;
		return 0;
	case M_FUTEX:
		memcpy(ch->shm.req, c->buf, n);
		__atomic_store_n(ch->fword, 1, __ATOMIC_RELEASE);
		futex_wake(ch->fword);
		while ((seen = __atomic_load_n(ch->fword, __ATOMIC_ACQUIRE)) != 2)
			futex_wait(ch->fword, seen);
		memcpy(c->rbuf, ch->shm.resp, n);
		return 0;
	case M_SYSV:
		if (sysv_send(ch->msq[0], c->m, c->buf, n) ||
		    sysv_recv(ch->msq[1], c->m, c->rbuf, n))
			return -1;
		return 0;
	case M_POSIXMQ:
		if (pmq_send(ch->mq[0], c->buf, n) ||
		    pmq_recv(ch->mq[1], c->rbuf, n, c->tmp))
			return -1;
		return 0;
	case M_SCM:
		if (scm_send(ch->fd[0], c->passfd) || readn(ch->fd[0], c->rbuf, 1))
			return -1;
		return 0;
	default:
		errno = ENOSYS;
		return -1;
	}
}

static void *xmap(size_t n)
{
	void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu: %s", n, strerror(errno));
	return p;
}

static void client_fail(struct shared *sh, int idx, const char *what)
{
	sh->cl[idx].err = errno ? errno : EIO;
	snprintf(sh->cl[idx].msg, sizeof(sh->cl[idx].msg), "%s: %s", what,
		 strerror(sh->cl[idx].err));
	sh->cl[idx].done = 1;
	_exit(1);
}

static void client_main(const struct bcase *bc, struct chan *ch,
			struct shared *sh, int idx, int latency)
{
	struct client c = { .bc = bc, .ch = ch };
	size_t w = wire_size(bc->payload);
	uint64_t i, t0, t1, total = (uint64_t)(bc->warmup + bc->samples);

	pin(client_cpu(bc, idx));
	set_name("db-client");
	c.buf = xmap(w + 8);
	c.rcap = w + 64;
	c.rbuf = xmap(c.rcap);
	c.tmp = xmap(MSG_CHUNK);
	c.m = xmap(sizeof(*c.m));
	memset(c.buf, 'a', w);
	c.passfd = -1;
	if (bc->fdpass) {
		c.passfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (c.passfd < 0)
			client_fail(sh, idx, "open /dev/null");
	}
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		sched_yield();

	if (!latency) {
		while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
			errno = 0;
			if (round_trip(&c) < 0)
				client_fail(sh, idx, "round trip");
			__atomic_store_n(&sh->cl[idx].count, sh->cl[idx].count + 1,
					 __ATOMIC_RELAXED);
		}
		sh->cl[idx].done = 1;
		_exit(0);
	}

	for (i = 0; i < total; i++) {
		if (bc->payload >= 8)
			memcpy(c.buf, &i, 8);
		errno = 0;
		if (trace_fd >= 0 && i == (uint64_t)bc->warmup &&
		    write(trace_fd, "1", 1) != 1)
			client_fail(sh, idx, "tracing_on");
		t0 = now_ns();
		if (round_trip(&c) < 0)
			client_fail(sh, idx, "round trip");
		t1 = now_ns();
		if (bc->payload >= 8 && memcmp(c.rbuf, &i, 8)) {
			errno = EPROTO;
			client_fail(sh, idx, "echo mismatch");
		}
		if (i >= (uint64_t)bc->warmup)
			sh->samples[i - (uint64_t)bc->warmup] =
				t1 - t0 > timer_overhead ? t1 - t0 - timer_overhead : 0;
	}
	if (trace_fd >= 0 && write(trace_fd, "0", 1) != 1)
		client_fail(sh, idx, "tracing_on");
	sh->cl[idx].count = (uint64_t)bc->samples;
	sh->cl[idx].done = 1;
	_exit(0);
}

static void competitor(void)
{
	pin(0);
	for (;;)
		__asm__ __volatile__("" ::: "memory");
}

/*
 * A SCHED_IDLE spinner keeps a vCPU from halting, like idle=poll: under
 * TCG a halted vCPU is a sleeping host thread, and waking it costs a host
 * scheduling delay (milliseconds on a loaded host) that would swamp the
 * guest's own cross-CPU wakeup path.  Any woken task preempts it at once.
 */
static void idle_spinner(int cpu)
{
	struct sched_param sp = { .sched_priority = 0 };

	pin(cpu);
	if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
		die("SCHED_IDLE: %s", strerror(errno));
	for (;;)
		__asm__ __volatile__("" ::: "memory");
}

static int idle_poll = 1;	/* spinners in the cpus=2 latency cases */

/* ---- orchestration --------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static pid_t spawn(void)
{
	pid_t p;

	fflush(stdout);
	fflush(stderr);
	p = fork();
	if (p < 0)
		die("fork: %s", strerror(errno));
	if (p == 0)
		child_setup();
	return p;
}

static void kill_reap(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/* Threads of a process (the door server's pool), 0 if unknown. */
static int thread_count(pid_t pid)
{
	char path[64], line[128];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static int has_word(const char *list, const char *w);

static const char *mech_label(const struct bcase *bc, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", mech_name[bc->m],
		 bc->fdpass && bc->m != M_SCM ? "+fd" : "",
		 bc->pairs ? "-pairs" : "");
	return out;
}

/* Does --only select this case? */
static int selected(const struct bcase *bc)
{
	char m[48];

	if (only_payload >= 0 && bc->payload != (size_t)only_payload)
		return 0;
	return !only || has_word(only, mech_label(bc, m, sizeof(m)));
}

static void case_label(const struct bcase *bc, char *out, size_t len)
{
	char m[48];

	snprintf(out, len, "mech=%s payload=%zu cpus=%d comp=%d clients=%d",
		 mech_label(bc, m, sizeof(m)), bc->payload, bc->cpus, bc->comp,
		 bc->nclients);
}

static void print_fail(const struct bcase *bc, const char *msg)
{
	char label[160];
	char clean[128];
	size_t i;

	case_label(bc, label, sizeof(label));
	snprintf(clean, sizeof(clean), "%s", msg);
	for (i = 0; clean[i]; i++)
		if (clean[i] == ' ')
			clean[i] = '_';
	printf("@@DB fail %s err=%s\n", label, clean);
	fflush(stdout);
}

static int make_chan(const struct bcase *bc, struct chan *ch, struct shared *sh,
		     int idx, char *err, size_t errlen)
{
	size_t n = bc->payload;
	struct mq_attr at;
	char name[64];
	int sv[2];
	int e1, e2;

	memset(ch, 0, sizeof(*ch));
	ch->fd[0] = ch->fd[1] = ch->fd[2] = ch->fd[3] = -1;
	ch->msq[0] = ch->msq[1] = -1;
	ch->mq[0] = ch->mq[1] = (mqd_t)-1;
	ch->door = -1;
	switch (bc->m) {
	case M_PIPE:
		if (pipe2(ch->fd, O_CLOEXEC) || pipe2(ch->fd + 2, O_CLOEXEC))
			goto fail;
		break;
	case M_STREAM:
	case M_SCM:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ch->fd))
			goto fail;
		break;
	case M_SEQPACKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch->fd))
			goto fail;
		break;
	case M_EVENTFD_BARE:
		e1 = eventfd(0, EFD_CLOEXEC);
		e2 = eventfd(0, EFD_CLOEXEC);
		if (e1 < 0 || e2 < 0)
			goto fail;
		ch->fd[0] = e1;
		ch->fd[1] = e2;
		break;
	case M_EVENTFD:
	case M_FUTEX:
		if (bc->m == M_EVENTFD) {
			e1 = eventfd(0, EFD_CLOEXEC);
			e2 = eventfd(0, EFD_CLOEXEC);
			if (e1 < 0 || e2 < 0)
				goto fail;
			ch->fd[0] = e1;
			ch->fd[1] = e2;
		}
		ch->fword = &sh->fword[idx][0];
		*ch->fword = 0;
		ch->shm.req = mmap(NULL, 2 * n + 2, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (ch->shm.req == MAP_FAILED)
			goto fail;
		memset(ch->shm.req, 0, 2 * n + 2);
		ch->shm.resp = ch->shm.req + n + 1;
		break;
	case M_SYSV:
		ch->msq[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		ch->msq[1] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (ch->msq[0] < 0 || ch->msq[1] < 0)
			goto fail;
		break;
	case M_POSIXMQ:
		memset(&at, 0, sizeof(at));
		at.mq_maxmsg = MQ_DEPTH;
		at.mq_msgsize = MSG_CHUNK;
		for (e1 = 0; e1 < 2; e1++) {
			snprintf(name, sizeof(name), "/doorbench-%d-%d-%d",
				 (int)getpid(), idx, e1);
			ch->mq[e1] = mq_open(name, O_RDWR | O_CREAT | O_EXCL |
					     O_CLOEXEC, 0600, &at);
			if (ch->mq[e1] == (mqd_t)-1)
				goto fail;
			mq_unlink(name);
		}
		break;
	case M_DOOR_IOCTL:
	case M_DOOR_LIB:
	case M_DOOR_REPLY:
		/* The server process makes the door and sends it back. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			goto fail;
		ch->fd[0] = sv[0];
		ch->fd[1] = sv[1];
		break;
	default:
		snprintf(err, errlen, "unsupported");
		return -1;
	}
	(void)sv;
	return 0;
fail:
	snprintf(err, errlen, "setup: %s", strerror(errno));
	return -1;
}

static void free_chan(const struct bcase *bc, struct chan *ch)
{
	int i;

	for (i = 0; i < 4; i++)
		if (ch->fd[i] >= 0)
			close(ch->fd[i]);
	if (ch->door >= 0)
		close(ch->door);
	for (i = 0; i < 2; i++) {
		if (ch->msq[i] >= 0)
			msgctl(ch->msq[i], IPC_RMID, NULL);
		if (ch->mq[i] != (mqd_t)-1)
			mq_close(ch->mq[i]);
	}
	if (ch->shm.req)
		munmap(ch->shm.req, 2 * bc->payload + 2);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ULL),
			       .tv_nsec = (long)(ns % 1000000000ULL) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Run one case; returns 0 if it worked.  A latency case prints its line; a
 * throughput case stores its rate in *rate and the server's thread count
 * in *nthreads for the caller to print.
 */
static int run_case(const struct bcase *bc, int latency, double *rate,
		    int *nthreads)
{
	struct chan ch[MAX_CLIENTS];
	pid_t pids[3 * MAX_CLIENTS + 1];
	int npids = 0, nch = 0, i, status, ret = -1;
	int door_mech = bc->m == M_DOOR_IOCTL || bc->m == M_DOOR_LIB ||
			bc->m == M_DOOR_REPLY;
	int shared_srv = door_mech && !bc->pairs;
	size_t shsize = sizeof(struct shared) +
			(size_t)(latency ? bc->samples : 0) * sizeof(uint64_t);
	struct shared *sh;
	char err[160] = "";
	uint64_t t0 = 0, t1 = 0, c0[MAX_CLIENTS], total;
	char label[160], extra[32] = "";
	int sthreads;

	if (bc->nclients > MAX_CLIENTS)
		die("too many clients");
	if (bc->cpus == 2 && ncpus < 2) {
		print_fail(bc, "needs 2 vCPUs");
		return -1;
	}
	sh = mmap(NULL, shsize, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(sh, 0, shsize);

	/* Servers: one door server process, or one server per client. */
	for (i = 0; i < (shared_srv ? 1 : bc->nclients); i++) {
		if (make_chan(bc, &ch[i], sh, i, err, sizeof(err)) < 0)
			goto out;
		nch++;
		pids[npids] = spawn();
		if (pids[npids] == 0) {
#ifndef DOORBENCH_NO_LIBDOOR
			if (bc->m == M_DOOR_LIB || bc->m == M_DOOR_REPLY)
				door_lib_server(bc, ch[i].fd[1], i);
#endif
			if (bc->m == M_DOOR_IOCTL)
				door_ioctl_server(bc, ch[i].fd[1], i);
			echo_server(bc, &ch[i], i);
			_exit(1);
		}
		npids++;
		if (door_mech) {
			/* Only the server keeps its end: EOF if it dies. */
			close(ch[i].fd[1]);
			ch[i].fd[1] = -1;
			if (scm_recv(ch[i].fd[0], &ch[i].door) < 0 ||
			    ch[i].door < 0) {
				snprintf(err, sizeof(err), "door server failed");
				goto out;
			}
		}
	}
	if (shared_srv)
		for (i = 1; i < bc->nclients; i++)
			ch[i] = ch[0];

	if (bc->comp) {
		pids[npids] = spawn();
		if (pids[npids] == 0)
			competitor();
		npids++;
	}
	if (((latency && bc->cpus == 2) || bc->cpus == 3) && idle_poll) {
		for (i = 0; i < ncpus && i < MAX_CLIENTS; i++) {
			pids[npids] = spawn();
			if (pids[npids] == 0)
				idle_spinner(i);
			npids++;
		}
	}

	for (i = 0; i < bc->nclients; i++) {
		pids[npids] = spawn();
		if (pids[npids] == 0)
			client_main(bc, &ch[i], sh, i, latency);
		npids++;
	}
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < bc->nclients) {
		int alive = 1;

		for (i = 0; i < bc->nclients; i++)
			if (sh->cl[i].done)
				alive = 0;
		if (!alive)
			break;
		usleep(1000);
	}
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);

	if (!latency) {
		sleep_ns(300000000ULL);		/* warm-up */
		for (i = 0; i < bc->nclients; i++)
			c0[i] = sh->cl[i].count;
		t0 = now_ns();
		sleep_ns((uint64_t)(bc->secs * 1e9));
		total = 0;
		for (i = 0; i < bc->nclients; i++)
			total += sh->cl[i].count - c0[i];
		t1 = now_ns();
		__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
		c0[0] = total;
	}

	/* Wait for the clients (the last npids - nclients entries). */
	for (i = npids - bc->nclients; i < npids; i++) {
		if (waitpid(pids[i], &status, 0) < 0)
			continue;
		pids[i] = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			int k = i - (npids - bc->nclients);

			if (sh->cl[k].msg[0])
				snprintf(err, sizeof(err), "client: %s", sh->cl[k].msg);
			else if (WIFSIGNALED(status))
				snprintf(err, sizeof(err), "client killed by signal %d",
					 WTERMSIG(status));
			else
				snprintf(err, sizeof(err), "client exit %d",
					 WEXITSTATUS(status));
		}
	}
	sthreads = shared_srv ? thread_count(pids[0]) : 0;
	kill_reap(pids, npids);
	npids = 0;
	if (err[0])
		goto out;

	case_label(bc, label, sizeof(label));
	if (sthreads > 0)
		snprintf(extra, sizeof(extra), " sthreads=%d", sthreads);
	if (latency && bc->cpus == 2 && idle_poll)
		strncat(extra, " idlepoll=1", sizeof(extra) - strlen(extra) - 1);
	if (latency) {
		uint64_t *s = sh->samples, sum = 0;
		int ns = bc->samples, p99 = (ns * 99 + 99) / 100 - 1;
		int p90 = (ns * 90 + 99) / 100 - 1;

		qsort(s, (size_t)ns, sizeof(*s), cmp_u64);
		for (i = 0; i < ns; i++)
			sum += s[i];
		if (p99 < 0)
			p99 = 0;
		if (p90 < 0)
			p90 = 0;
		printf("@@DB %s %s%s samples=%d min=%llu median=%llu p90=%llu p99=%llu "
		       "mean=%llu max=%llu unit=%s%s\n",
		       bc->live_doors ? "alive" : "lat", label, doors_field(bc), ns,
		       (unsigned long long)s[0],
		       (unsigned long long)(ns % 2 ? s[ns / 2] :
					    (s[ns / 2 - 1] + s[ns / 2]) / 2),
		       (unsigned long long)s[p90],
		       (unsigned long long)s[p99],
		       (unsigned long long)(sum / (uint64_t)ns),
		       (unsigned long long)s[ns - 1], clock_unit, extra);
	} else {
		*rate = (double)c0[0] / ((double)(t1 - t0) / 1e9);
		*nthreads = sthreads;
	}
	fflush(stdout);
	ret = 0;
out:
	kill_reap(pids, npids);
	if (err[0])
		print_fail(bc, err);
	for (i = 0; i < nch; i++)
		free_chan(bc, &ch[i]);
	munmap(sh, shsize);
	return ret;
}

/* ---- suites -------------------------------------------------------------- */

static int samples_for(size_t payload)
{
	int s;

	if (payload >= MiB)
		s = 50;
	else if (payload >= 64 * KiB)
		s = 400;
	else
		s = 2000;
	if (quick)
		s = s / 10 > 10 ? s / 10 : 10;
	return s;
}

static void lat_doors(enum mech m, size_t payload, int cpus, int comp,
		      int fdpass, int live_doors)
{
	struct bcase bc = {
		.m = m, .payload = payload, .cpus = cpus, .comp = comp,
		.fdpass = fdpass, .nclients = 1, .live_doors = live_doors,
	};

	bc.samples = samples_for(payload);
	if (comp)
		bc.samples = quick ? 50 : 500;
	if (samples_override)
		bc.samples = samples_override;
	bc.warmup = bc.samples / 10 > 5 ? bc.samples / 10 : 5;
	if (bc.warmup > 100)
		bc.warmup = 100;
	if (!selected(&bc))
		return;
	run_case(&bc, 1, NULL, NULL);
}

static void lat(enum mech m, size_t payload, int cpus, int comp, int fdpass)
{
	lat_doors(m, payload, cpus, comp, fdpass, 0);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* REPS runs of SECS each; the line reports their median. */
static void tput(enum mech m, int nclients, int cpus, double secs, int reps,
		 int pairs)
{
	struct bcase bc = {
		.m = m, .payload = 0, .cpus = cpus, .nclients = nclients,
		.secs = secs, .tput = 1, .pairs = pairs,
	};
	double rates[8], sorted[8];
	char label[160], list[128] = "";
	int r, n = 0, nth = 0, t;

	if (cpus > ncpus || !selected(&bc))
		return;
	for (r = 0; r < reps && r < 8; r++) {
		if (run_case(&bc, 0, &rates[n], &t) < 0)
			return;
		if (t > nth)
			nth = t;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%.0f", n ? "/" : "", rates[n]);
		n++;
	}
	memcpy(sorted, rates, sizeof(double) * (size_t)n);
	qsort(sorted, (size_t)n, sizeof(double), cmp_dbl);
	case_label(&bc, label, sizeof(label));
	printf("@@DB tput %s reps=%d rate=%.1f runs=%s secs=%.2f unit=calls/s",
	       label, n, n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
	       list, secs);
	if (nth)
		printf(" sthreads=%d", nth);
	printf("\n");
	fflush(stdout);
}

static int door_available(void)
{
	int fd = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static const enum mech lat_mechs[] = {
	M_DOOR_IOCTL,
#ifndef DOORBENCH_NO_LIBDOOR
	M_DOOR_LIB,
	M_DOOR_REPLY,
#endif
	M_EVENTFD, M_FUTEX, M_PIPE, M_STREAM, M_SEQPACKET, M_SYSV, M_POSIXMQ,
};

static const size_t payloads[] = { 0, 64, 4 * KiB, 64 * KiB, MiB };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int is_door(enum mech m)
{
	return m == M_DOOR_IOCTL || m == M_DOOR_LIB || m == M_DOOR_REPLY;
}

static void competitor_cases(int have_door)
{
	static const enum mech cm[] = {
		M_DOOR_IOCTL,
#ifndef DOORBENCH_NO_LIBDOOR
		M_DOOR_LIB,
#endif
		M_EVENTFD, M_EVENTFD_BARE, M_PIPE,
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(cm); k++)
		if (have_door || !is_door(cm[k]))
			lat(cm[k], 0, 1, 1, 0);
}

/*
 * Every payload and mechanism with the given pinning, then descriptor
 * passing; with cpus=1 also the CPU-bound competitor cases.
 */
static void suite_latency(int have_door, int cpus)
{
	size_t p, k;

	if (cpus > ncpus) {
		printf("@@DB meta note=cpus=%d_cases_skipped:_%d_vCPU(s)\n", cpus,
		       ncpus);
		return;
	}
	for (p = 0; p < ARRAY_SIZE(payloads); p++) {
		for (k = 0; k < ARRAY_SIZE(lat_mechs); k++)
			if (have_door || !is_door(lat_mechs[k]))
				lat(lat_mechs[k], payloads[p], cpus, 0, 0);
		/* The bare eventfd pair carries no data: null only. */
		if (!payloads[p])
			lat(M_EVENTFD_BARE, 0, cpus, 0, 0);
	}
	/* Descriptor passing: one fd per call. */
	if (have_door) {
		lat(M_DOOR_IOCTL, 0, cpus, 0, 1);
#ifndef DOORBENCH_NO_LIBDOOR
		lat(M_DOOR_LIB, 0, cpus, 0, 1);
#endif
	}
	lat(M_SCM, 0, cpus, 0, 1);
	if (cpus == 1)
		competitor_cases(have_door);
}

/*
 * The null call with 1, 1,000 and 100,000 idle doors alive in the server
 * process (issue 12, item 6): "@@DB alive" lines.
 */
static void suite_alive(void)
{
	static const int nd[] = { 1, 1000, 100000 };
	size_t k;

	for (k = 0; k < ARRAY_SIZE(nd); k++) {
		lat_doors(M_DOOR_IOCTL, 0, 1, 0, 0, nd[k]);
#ifndef DOORBENCH_NO_LIBDOOR
		lat_doors(M_DOOR_LIB, 0, 1, 0, 0, nd[k]);
#endif
	}
}

/* ---- building blocks: what a round trip is made of ------------------------- */

static void print_cost(const char *name, uint64_t *s, int n, const char *note)
{
	qsort(s, (size_t)n, sizeof(*s), cmp_u64);
	printf("@@DB cost name=%s samples=%d min=%llu median=%llu p99=%llu unit=%s note=%s\n",
	       name, n, (unsigned long long)s[0], (unsigned long long)s[n / 2],
	       (unsigned long long)s[(n * 99 + 99) / 100 - 1], clock_unit, note);
	fflush(stdout);
}

#define COST_N	2000

/* Time @expr COST_N times (after 100 warm-up runs), one sample each. */
#define COST_LOOP(samples, expr)					\
	do {								\
		int i_;							\
		for (i_ = 0; i_ < COST_N + 100; i_++) {			\
			uint64_t a_ = now_ns(), b_;			\
			expr;						\
			b_ = now_ns();					\
			if (i_ >= 100)					\
				(samples)[i_ - 100] = b_ - a_ > timer_overhead ? \
					b_ - a_ - timer_overhead : 0;	\
		}							\
	} while (0)

/*
 * Costs of the pieces a round trip is built from, on vCPU 0: a trivial
 * syscall, an ioctl on a door descriptor that the module rejects at once,
 * DOOR_IOC_INFO and an eventfd write+read that wakes nobody.  (A
 * sched_yield ping-pong is no measure of a switch: CFS mostly lets the
 * yielding task run on.)  The eventfd round trip minus two write+read pairs
 * is then the cost of two wakeup-block-switch sequences.
 */
static void suite_costs(int have_door)
{
	static uint64_t s[COST_N];
	struct door_ioc_create c = { .proc = 1, .cookie = 2 };
	struct door_ioc_info info;
	uint64_t v = 1;
	int efd, ctl = -1, d = -1;

	pin(0);
	if (trace_fd >= 0) {
		/* tools/profile.sh: just the getppid loop, traced. */
		set_name("db-client");
		if (write(trace_fd, "1", 1) != 1)
			die("tracing_on: %s", strerror(errno));
		COST_LOOP(s, (void)syscall(SYS_getppid));
		if (write(trace_fd, "0", 1) != 1)
			die("tracing_on: %s", strerror(errno));
		print_cost("getppid", s, COST_N, "one~trivial~syscall");
		return;
	}
	COST_LOOP(s, (void)syscall(SYS_getppid));
	print_cost("getppid", s, COST_N, "one~trivial~syscall");

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd >= 0) {
		COST_LOOP(s, { if (write(efd, &v, 8) != 8 || read(efd, &v, 8) != 8) die("eventfd"); });
		print_cost("eventfd-write+read", s, COST_N,
			   "two~syscalls,~no~wakeup,~no~switch");
		close(efd);
	}
	if (have_door) {
		ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		d = ctl >= 0 ? ioctl(ctl, DOOR_IOC_CREATE, &c) : -1;
	}
	if (d >= 0) {
		COST_LOOP(s, (void)ioctl(d, _IO(DOOR_IOC_MAGIC, 0x7f)));
		print_cost("door-ioctl-enotty", s, COST_N,
			   "ioctl~entry/exit~on~a~door~fd,~unknown~command");
		COST_LOOP(s, { if (ioctl(d, DOOR_IOC_INFO, &info)) die("DOOR_IOC_INFO"); });
		print_cost("door-ioctl-info", s, COST_N,
			   "DOOR_IOC_INFO:~ioctl,~lock,~32-byte~copy~out");
	}
	if (d >= 0)
		close(d);
	if (ctl >= 0)
		close(ctl);
	{
		cpu_set_t all;

		CPU_ZERO(&all);
		for (v = 0; v < (uint64_t)ncpus; v++)
			CPU_SET((int)v, &all);
		sched_setaffinity(0, sizeof(all), &all);
	}
}

/* A rough guide: null round trips of the main mechanisms on one vCPU. */
static void suite_nulllat(int have_door)
{
	static const enum mech nm[] = {
		M_DOOR_IOCTL,
#ifndef DOORBENCH_NO_LIBDOOR
		M_DOOR_LIB,
#endif
		M_EVENTFD, M_EVENTFD_BARE, M_PIPE, M_STREAM,
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(nm); k++)
		if (have_door || !is_door(nm[k]))
			lat(nm[k], 0, 1, 0, 0);
	if (have_door) {
		lat(M_DOOR_IOCTL, 0, 1, 0, 1);
#ifndef DOORBENCH_NO_LIBDOOR
		lat(M_DOOR_LIB, 0, 1, 0, 1);
#endif
	}
	lat(M_SCM, 0, 1, 0, 1);
	competitor_cases(have_door);
}

static void suite_throughput(int have_door, double secs)
{
	static const enum mech tm[] = {
		M_DOOR_IOCTL,
#ifndef DOORBENCH_NO_LIBDOOR
		M_DOOR_LIB,
#endif
		M_EVENTFD,
	};
	/* clients, pinning (see client_cpu) */
	static const int cfg[][2] = {
		{ 1, 0 }, { 2, 0 }, { 4, 0 },	/* unpinned */
		{ 1, 1 },			/* everything on vCPU 0 */
		{ 2, 2 },			/* client i on vCPU i */
	};
	int reps = quick ? 1 : 5;
	size_t k, j;

	for (k = 0; k < ARRAY_SIZE(tm); k++) {
		if (!have_door && is_door(tm[k]))
			continue;
		for (j = 0; j < ARRAY_SIZE(cfg); j++)
			tput(tm[k], cfg[j][0], cfg[j][1], secs, reps, 0);
	}
	/*
	 * Diagnostic: a door server process per client, as the eventfd
	 * baseline has.  If this scales and the shared server does not, the
	 * shared pool is the bottleneck, not the module as a whole.
	 */
	if (have_door) {
		tput(M_DOOR_IOCTL, 2, 0, secs, reps, 1);
		tput(M_DOOR_IOCTL, 2, 2, secs, reps, 1);
	}
}

/*
 * Scaling (issue 12): K = 1..ncpus clients, client i pinned to vCPU i,
 * calling one shared door server process, against K independent
 * eventfd-bare pairs with unpinned servers as the control, in the same
 * boot; ROUNDS rounds, each running every configuration once (interleaved,
 * so that a change in the host's load hits all of them alike).  A
 * SCHED_IDLE spinner runs on every vCPU, as in the cpus=2 latency cases
 * (idle_spinner(): without it a halted vCPU's wakeup costs a host
 * scheduling delay, and one client on a loaded host made a few hundred
 * calls/s whatever the mechanism).  One "@@DB scale" line per run;
 * doorreport takes the medians.
 */
static void suite_scaling(int have_door, double secs, int rounds)
{
	static const enum mech sm[] = {
#ifndef DOORBENCH_NO_LIBDOOR
		M_DOOR_LIB,
#endif
		M_DOOR_IOCTL, M_EVENTFD_BARE,
	};
	int r, k, t;
	size_t j;

	if (ncpus > MAX_CLIENTS)
		die("scaling: more than %d vCPUs", MAX_CLIENTS);
	for (r = 0; r < rounds; r++) {
		for (k = 1; k <= ncpus; k++) {
			for (j = 0; j < ARRAY_SIZE(sm); j++) {
				struct bcase bc = {
					.m = sm[j], .cpus = 3, .nclients = k,
					.secs = secs, .tput = 1,
				};
				double rate;
				char m[48], st[32] = "";

				if (!have_door && is_door(sm[j]))
					continue;
				if (!selected(&bc))
					continue;
				if (run_case(&bc, 0, &rate, &t) < 0)
					continue;
				if (t)
					snprintf(st, sizeof(st), " sthreads=%d", t);
				printf("@@DB scale round=%d mech=%s clients=%d cpus=%d rate=%.1f secs=%.2f "
				       "unit=calls/s%s%s\n", r + 1, mech_label(&bc, m, sizeof(m)),
				       k, ncpus, rate, secs, st, idle_poll ? " idlepoll=1" : "");
				fflush(stdout);
			}
		}
	}
}

/* ---- kernel memory per door and per parked server thread -------------------- */

/* /proc/meminfo field in kB, -1 if missing. */
static long meminfo_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = atol(line + n + 1);
			break;
		}
	fclose(f);
	return v;
}

#define MAXCACHE 512

struct slabsnap {
	int n;
	char name[MAXCACHE][64];
	long bytes[MAXCACHE];	/* active objects x object size */
};

static void slab_snapshot(struct slabsnap *s)
{
	char line[512], name[64];
	long active, num, objsize;
	FILE *f = fopen("/proc/slabinfo", "r");

	s->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n < MAXCACHE) {
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &num, &objsize) != 4)
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
		s->bytes[s->n++] = active * objsize;
	}
	fclose(f);
}

struct memsnap {
	long slab, sunreclaim, kstack, ptables;
	struct slabsnap caches;
};

static void mem_snapshot(struct memsnap *m)
{
	/* Let RCU-freed objects go and the per-CPU slab caches settle. */
	sync();
	sleep_ns(200000000ULL);
	m->slab = meminfo_kb("Slab");
	m->sunreclaim = meminfo_kb("SUnreclaim");
	m->kstack = meminfo_kb("KernelStack");
	m->ptables = meminfo_kb("PageTables");
	slab_snapshot(&m->caches);
}

/* The slab caches that grew most, as "name:+bytes/N,..." (no spaces). */
static void cache_growth(const struct memsnap *a, const struct memsnap *b,
			 long n, char *out, size_t len)
{
	long d[MAXCACHE];
	int used[MAXCACHE] = { 0 }, i, j, k;

	out[0] = '\0';
	for (i = 0; i < b->caches.n; i++) {
		d[i] = b->caches.bytes[i];
		for (j = 0; j < a->caches.n; j++)
			if (!strcmp(a->caches.name[j], b->caches.name[i])) {
				d[i] -= a->caches.bytes[j];
				break;
			}
	}
	for (k = 0; k < 6; k++) {
		int best = -1;

		for (i = 0; i < b->caches.n; i++)
			if (!used[i] && d[i] > 0 && (best < 0 || d[i] > d[best]))
				best = i;
		if (best < 0 || d[best] / n < 8)
			break;
		used[best] = 1;
		snprintf(out + strlen(out), len - strlen(out), "%s%s:%ld", k ? "," : "",
			 b->caches.name[best], d[best] / n);
	}
	if (!out[0])
		snprintf(out, len, "-");
}

static void print_mem(const char *what, long n, const struct memsnap *a,
		      const struct memsnap *b)
{
	char caches[256];

	cache_growth(a, b, n, caches, sizeof(caches));
	printf("@@DB mem what=%s n=%ld slab_bytes=%.0f sunreclaim_bytes=%.0f kstack_bytes=%.0f "
	       "ptables_bytes=%.0f caches=%s\n", what, n,
	       (double)(b->slab - a->slab) * 1024.0 / (double)n,
	       (double)(b->sunreclaim - a->sunreclaim) * 1024.0 / (double)n,
	       (double)(b->kstack - a->kstack) * 1024.0 / (double)n,
	       (double)(b->ptables - a->ptables) * 1024.0 / (double)n, caches);
	fflush(stdout);
}

static volatile int parked;

static void *park_door(void *arg)
{
	struct door_ioc_return r;
	int ctl = *(int *)arg;

	memset(&r, 0, sizeof(r));
	__atomic_add_fetch(&parked, 1, __ATOMIC_SEQ_CST);
	for (;;)
		if (ioctl(ctl, DOOR_IOC_RETURN, &r) < 0 && errno != EINTR)
			break;
	return NULL;
}

static void *park_pause(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&parked, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

/*
 * In a child (everything it made goes when it exits): N idle doors, or N
 * threads parked in DOOR_IOC_RETURN, or N threads parked in pause() (the
 * control: a thread's own cost).  Reports per-object deltas of the slab,
 * kernel stack and page-table counters.
 */
static void mem_child(int kind, long n)
{
	struct door_ioc_create c = { .proc = 1, .cookie = 2 };
	struct memsnap a, b;
	pthread_attr_t at;
	pthread_t t;
	static const char *const what[] = { "door", "thread-door", "thread-pause" };
	int ctl, d;
	long i;

	raise_nofile(n);
	ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		die("open %s: %s", DOOR_DEVICE_PATH, strerror(errno));
	d = ioctl(ctl, DOOR_IOC_CREATE, &c);	/* the pool's door */
	if (d < 0)
		die("DOOR_IOC_CREATE: %s", strerror(errno));
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 64 * KiB);
	mem_snapshot(&a);
	for (i = 0; i < n; i++) {
		if (kind == 0) {
			if (ioctl(ctl, DOOR_IOC_CREATE, &c) < 0)
				die("DOOR_IOC_CREATE %ld: %s", i, strerror(errno));
		} else if (pthread_create(&t, &at, kind == 1 ? park_door : park_pause,
					  &ctl)) {
			die("pthread_create %ld failed", i);
		}
	}
	while (kind && __atomic_load_n(&parked, __ATOMIC_SEQ_CST) < n)
		sleep_ns(10000000ULL);
	mem_snapshot(&b);
	print_mem(what[kind], n, &a, &b);
	_exit(0);
}

static void suite_memory(void)
{
	static const long nobj[] = { 20000, 1000, 1000 };
	int kind, status;
	pid_t p;

	for (kind = 0; kind < 3; kind++) {
		p = spawn();
		if (p == 0)
			mem_child(kind, nobj[kind]);
		waitpid(p, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			printf("@@DB fail mech=memory-%d payload=0 cpus=1 comp=0 clients=1 err=status_%d\n",
			       kind, status);
	}
}

/* Cost of one clock read: the smallest back-to-back delta. */
static uint64_t measure_timer_overhead(void)
{
	uint64_t best = UINT64_MAX, a, b;
	int i;

	for (i = 0; i < 2000; i++) {
		a = now_ns();
		b = now_ns();
		if (b - a < best)
			best = b - a;
	}
	return best;
}

/* Is @w one of the comma-separated words of @list? */
static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while ((p = strstr(p, w)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: doorbench [--clock icount|wall] [--suite SUITE[,SUITE...]]\n"
		"                 [--quick] [--secs N]\n"
		"suites: lat1, lat2, latency (= lat1,lat2), nulllat, costs, throughput,\n"
		"        all (= latency,throughput)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *suite = "all", *clk = "wall";
	double secs = 2.0, scale_secs = 1.0;
	int rounds = 9;
	struct utsname u;
	uint64_t t0;
	int i, have_door;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--clock") && i + 1 < argc)
			clk = argv[++i];
		else if (!strcmp(argv[i], "--suite") && i + 1 < argc)
			suite = argv[++i];
		else if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--scale-secs") && i + 1 < argc)
			scale_secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--payload") && i + 1 < argc)
			only_payload = atol(argv[++i]);
		else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
			samples_override = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-idle-poll"))
			idle_poll = 0;
		else if (!strcmp(argv[i], "--trace")) {
			trace_fd = open("/sys/kernel/tracing/tracing_on",
					O_WRONLY | O_CLOEXEC);
			if (trace_fd < 0)
				die("/sys/kernel/tracing/tracing_on: %s",
				    strerror(errno));
		}
		else
			usage();
	}
	if (strcmp(clk, "icount") && strcmp(clk, "wall"))
		usage();
	if (secs <= 0)
		usage();
	clock_unit = strcmp(clk, "icount") ? "ns" : "insn";
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	{
		cpu_set_t s;

		ncpus = sched_getaffinity(0, sizeof(s), &s) ? 1 : CPU_COUNT(&s);
	}
	have_door = door_available();
	timer_overhead = measure_timer_overhead();
	uname(&u);
	printf("@@DB meta clock=%s unit=%s cpus=%d kernel=%s door=%d libdoor=%d "
	       "timer_overhead=%llu quick=%d\n", clk, clock_unit, ncpus,
	       u.release, have_door,
#ifndef DOORBENCH_NO_LIBDOOR
	       1,
#else
	       0,
#endif
	       (unsigned long long)timer_overhead, quick);
	if (!have_door)
		printf("@@DB meta note=no_%s:_door_cases_skipped\n", DOOR_DEVICE_PATH);

	t0 = now_ns();
	if (has_word(suite, "lat1") || has_word(suite, "latency") ||
	    has_word(suite, "all"))
		suite_latency(have_door, 1);
	if (has_word(suite, "lat2") || has_word(suite, "latency") ||
	    has_word(suite, "all"))
		suite_latency(have_door, 2);
	if (has_word(suite, "costs"))
		suite_costs(have_door);
	if (has_word(suite, "nulllat"))
		suite_nulllat(have_door);
	if (has_word(suite, "alive") && have_door)
		suite_alive();
	if (has_word(suite, "memory") && have_door)
		suite_memory();
	if (has_word(suite, "scaling"))
		suite_scaling(have_door, scale_secs, quick ? 1 : rounds);
	if (has_word(suite, "null1")) {
		/* Just the null round trip, both ends on vCPU 0 (profiles). */
		size_t k;

		for (k = 0; k < ARRAY_SIZE(lat_mechs); k++)
			if (have_door || !is_door(lat_mechs[k]))
				lat(lat_mechs[k], 0, 1, 0, 0);
		lat(M_EVENTFD_BARE, 0, 1, 0, 0);
	}
	if (has_word(suite, "throughput") || has_word(suite, "all"))
		suite_throughput(have_door, secs);
	printf("@@DB meta elapsed=%llu\n", (unsigned long long)(now_ns() - t0));
	printf("@@DB end\n");
	return 0;
}
