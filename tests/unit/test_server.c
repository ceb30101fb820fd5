/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_server.c - door_create, door_xcreate, door_server_create,
 * door_return's dispatch loop, depletion callbacks, door_bind/unbind,
 * door_reply and door_caller_detached.
 *
 * door_return() never returns on success, so it always runs in a helper
 * thread; those threads only record what they see (cmocka's assertions
 * belong to the test's own thread) and the test checks after joining them.
 * Every script ends with an error from the emulated kernel or with
 * pthread_exit() in a server procedure, so no thread is left waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

static door_server_func_t *default_creation_fn;

/* ---- an emulated kernel for door creation, info and binding ------------ */

#define MAX_DOORS 16

static struct {
	int fd;
	struct door_ioc_create c;
} doors[MAX_DOORS];
static int ndoors;
static __u64 next_id;
static int create_errno;
static int create_refuses_privcreate;	/* a door.ko older than the mask */
static int bind_errno;
static int bound_fd[16];
static int nbind;
static __thread int thread_bound;	/* DOOR_IOC_BIND'ed, per thread */
static fk_handler_t *return_handler;	/* DOOR_IOC_RETURN, if set */
static struct door_ioc_info query_answer;
static struct door_ioc_reply reply_seen;
static int reply_errno;		/* DOOR_IOC_REPLY's answer */
static int detached_answer;	/* DOOR_IOC_DETACHED's, or -errno */
static pthread_mutex_t klock = PTHREAD_MUTEX_INITIALIZER;

static int door_index(int fd)
{
	int i;

	for (i = 0; i < ndoors; i++)
		if (doors[i].fd == fd)
			return i;
	return -1;
}

static int kernel(int fd, unsigned long req, void *arg)
{
	struct door_ioc_info *info = arg;
	int i, ret = 0;

	if (req == DOOR_IOC_RETURN && return_handler)
		return return_handler(fd, req, arg);

	pthread_mutex_lock(&klock);
	switch (req) {
	case DOOR_IOC_CREATE:
		if (fd != fk.ctl_fd) {
			errno = ENOTTY;
			ret = -1;
		} else if (create_refuses_privcreate &&
			   (((struct door_ioc_create *)arg)->attributes &
			    DOOR_PRIVCREATE)) {
			errno = EINVAL;
			ret = -1;
		} else if (create_errno) {
			errno = create_errno;
			ret = -1;
		} else {
			struct door_ioc_create *c = arg;

			c->id = next_id++;
			ret = fk_door_fd();
			doors[ndoors].fd = ret;
			doors[ndoors].c = *c;
			ndoors++;
		}
		break;
	case DOOR_IOC_INFO:
		i = door_index(fd);
		if (i < 0) {
			errno = EBADF;
			ret = -1;
			break;
		}
		info->target = getpid();
		info->attributes = doors[i].c.attributes | DOOR_LOCAL;
		info->proc = doors[i].c.proc;
		info->cookie = doors[i].c.cookie;
		info->id = doors[i].c.id;
		break;
	case DOOR_IOC_QUERY:
		*info = query_answer;
		break;
	case DOOR_IOC_REVOKE:
	case DOOR_IOC_ABANDON:
		break;
	case DOOR_IOC_UNBIND:
		if (!thread_bound) {
			errno = EBADF;
			ret = -1;
		}
		thread_bound = 0;
		break;
	case DOOR_IOC_BIND:
		if (bind_errno) {
			errno = bind_errno;
			ret = -1;
			break;
		}
		if (nbind < 16)
			bound_fd[nbind++] = *(int *)arg;
		thread_bound = 1;
		break;
	case DOOR_IOC_REPLY:
		memcpy(&reply_seen, arg, sizeof(reply_seen));
		if (reply_errno) {
			errno = reply_errno;
			ret = -1;
		}
		break;
	case DOOR_IOC_DETACHED:
		ret = detached_answer;
		if (ret < 0) {
			errno = -ret;
			ret = -1;
		}
		break;
	default:
		errno = ENOTTY;
		ret = -1;
	}
	pthread_mutex_unlock(&klock);
	return ret;
}

/* ---- a recording creation function ------------------------------------ */

#define MAX_CF 16

static struct {
	int ncalls;
	int was_null[MAX_CF];
	door_info_t di[MAX_CF];
	int ninv_at_call[MAX_CF];	/* server procedures run before it */
} cf;

static struct {
	int ninv;
} inv_count;

static void rec_creation_fn(door_info_t *dip)
{
	int k = cf.ncalls++;

	if (k >= MAX_CF)
		return;
	cf.was_null[k] = dip == NULL;
	if (dip)
		cf.di[k] = *dip;
	cf.ninv_at_call[k] = inv_count.ninv;
}

static void other_creation_fn(door_info_t *dip)
{
	(void)dip;
}

static void noop_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		      uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
}

static int setup(void **state)
{
	(void)state;
	fk_reset();
	memset(doors, 0, sizeof(doors));
	ndoors = 0;
	next_id = 100;
	create_errno = 0;
	create_refuses_privcreate = 0;
	bind_errno = 0;
	nbind = 0;
	return_handler = NULL;
	memset(&query_answer, 0, sizeof(query_answer));
	memset(&reply_seen, 0, sizeof(reply_seen));
	reply_errno = 0;
	detached_answer = 0;
	memset(&cf, 0, sizeof(cf));
	memset(&inv_count, 0, sizeof(inv_count));
	fk.handler = kernel;
	return 0;
}

static int teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < ndoors; i++)
		if (fcntl(doors[i].fd, F_GETFD) >= 0)
			__real_close(doors[i].fd);
	return 0;
}

static void run_thread(void *(*fn)(void *), void *arg, void **result)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
	assert_int_equal(pthread_join(t, result), 0);
}

/* ---- door_create ------------------------------------------------------- */

/* Bad attributes: EINVAL before the control file is even opened. */
static void create_rejects_bad_flags(void **state)
{
	static const uint_t bad[] = {
		0x1000, 0x80000000u, DOOR_LOCAL, DOOR_REVOKED, DOOR_IS_UNREF,
		DOOR_UNREF | DOOR_UNREF_MULTI,
		DOOR_UNREF | DOOR_UNREF_MULTI | DOOR_PRIVATE,
		DOOR_NO_DEPLETION_CB, DOOR_PRIVCREATE, DOOR_DEPLETION_CB,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(door_create(noop_proc, NULL, bad[i]), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(fk.open_count, 0);
	assert_int_equal(fk.nioctl, 0);
}

/* The good ones reach DOOR_IOC_CREATE on the control file unchanged. */
static void create_passes_request(void **state)
{
	static const uint_t good[] = {
		0, DOOR_UNREF, DOOR_UNREF_MULTI, DOOR_REFUSE_DESC,
		DOOR_NO_CANCEL, DOOR_PRIVATE | DOOR_UNREF | DOOR_REFUSE_DESC,
	};
	int cookie, d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		d = door_create(noop_proc, &cookie, good[i]);
		assert_true(d >= 0);
		assert_int_equal(d, doors[i].fd);
		assert_int_equal(doors[i].c.attributes, good[i]);
		assert_true(doors[i].c.proc == (uintptr_t)noop_proc);
		assert_true(doors[i].c.cookie == (uintptr_t)&cookie);
	}
	/* One control file, opened read-write and close-on-exec. */
	assert_int_equal(fk.open_count, 1);
	assert_int_equal(fk.open_flags & O_ACCMODE, O_RDWR);
	assert_true(fk.open_flags & O_CLOEXEC);

	create_errno = EMFILE;
	assert_int_equal(door_create(noop_proc, NULL, 0), -1);
	assert_int_equal(errno, EMFILE);
}

static void create_without_device(void **state)
{
	(void)state;
	fk.open_errno = ENOENT;
	assert_int_equal(door_create(noop_proc, NULL, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fk_count(DOOR_IOC_CREATE), 0);
	/* The open is retried on the next call. */
	fk.open_errno = 0;
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(fk.open_count, 2);
}

/* The first non-private door: the creation function, once, with NULL. */
static void creation_fn_once_for_first_door(void **state)
{
	(void)state;
	assert_null(door_server_create(rec_creation_fn));
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(cf.ncalls, 1);
	assert_true(cf.was_null[0]);
	assert_true(door_create(noop_proc, NULL, DOOR_UNREF) >= 0);
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(cf.ncalls, 1);
	/* A failed create calls nothing. */
	create_errno = EMFILE;
	assert_int_equal(door_create(noop_proc, NULL, 0), -1);
	assert_int_equal(cf.ncalls, 1);
}

/* Each private door: the creation function once, with its door_info_t. */
static void creation_fn_per_private_door(void **state)
{
	int c1, c2, d1, d2;

	(void)state;
	door_server_create(rec_creation_fn);
	d1 = door_create(noop_proc, &c1, DOOR_PRIVATE);
	assert_true(d1 >= 0);
	assert_int_equal(cf.ncalls, 1);
	d2 = door_create(noop_proc, &c2, DOOR_PRIVATE | DOOR_UNREF);
	assert_true(d2 >= 0);
	assert_int_equal(cf.ncalls, 2);

	assert_false(cf.was_null[0]);
	assert_int_equal(cf.di[0].di_target, getpid());
	assert_true(cf.di[0].di_proc == (uintptr_t)noop_proc);
	assert_true(cf.di[0].di_data == (uintptr_t)&c1);
	assert_true(cf.di[0].di_uniquifier == doors[0].c.id);
	assert_int_equal(cf.di[0].di_attributes, DOOR_PRIVATE | DOOR_LOCAL);

	assert_false(cf.was_null[1]);
	assert_true(cf.di[1].di_data == (uintptr_t)&c2);
	assert_true(cf.di[1].di_uniquifier == doors[1].c.id);
	assert_int_equal(cf.di[1].di_attributes,
			 DOOR_PRIVATE | DOOR_UNREF | DOOR_LOCAL);

	/* Private doors do not count as the first (shared pool) door. */
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(cf.ncalls, 3);
	assert_true(cf.was_null[2]);
}

static void server_create_returns_previous(void **state)
{
	(void)state;
	assert_null(door_server_create(other_creation_fn));
	assert_ptr_equal(door_server_create(rec_creation_fn),
			 other_creation_fn);
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(cf.ncalls, 1);		/* the one installed last */
	assert_ptr_equal(door_server_create(default_creation_fn),
			 rec_creation_fn);
	assert_ptr_equal(door_server_create(NULL), default_creation_fn);
}

/* ---- the default creation function ------------------------------------- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int done;
	int cancel_state;
	int detach_state;
	struct door_ioc_return req;
} dflt = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0,
	   { 0 } };

static int default_thread_return(int fd, unsigned long req, void *arg)
{
	pthread_attr_t a;
	int old;

	(void)fd, (void)req;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_setcancelstate(old, NULL);
	pthread_getattr_np(pthread_self(), &a);
	pthread_mutex_lock(&dflt.lock);
	dflt.cancel_state = old;
	pthread_attr_getdetachstate(&a, &dflt.detach_state);
	dflt.req = *(struct door_ioc_return *)arg;
	dflt.done = 1;
	pthread_cond_broadcast(&dflt.cv);
	pthread_mutex_unlock(&dflt.lock);
	pthread_attr_destroy(&a);
	errno = EBADF;		/* the thread's door_return fails: it exits */
	return -1;
}

/* A detached thread, cancellation disabled, in door_return(NULL,0,NULL,0). */
static void default_creation_fn_starts_server_thread(void **state)
{
	struct timespec ts;
	int rc = 0;

	(void)state;
	door_server_create(default_creation_fn);
	return_handler = default_thread_return;
	assert_true(door_create(noop_proc, NULL, 0) >= 0);

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;	/* a bound on a hang, not a delay */
	pthread_mutex_lock(&dflt.lock);
	while (!dflt.done && rc == 0)
		rc = pthread_cond_timedwait(&dflt.cv, &dflt.lock, &ts);
	pthread_mutex_unlock(&dflt.lock);
	assert_int_equal(rc, 0);
	assert_int_equal(dflt.cancel_state, PTHREAD_CANCEL_DISABLE);
	assert_int_equal(dflt.detach_state, PTHREAD_CREATE_DETACHED);
	assert_int_equal(dflt.req.data_ptr, 0);
	assert_int_equal(dflt.req.data_size, 0);
	assert_int_equal(dflt.req.desc_num, 0);
	assert_int_equal(dflt.req.flags, 0);
	assert_true(dflt.req.buf != 0);
	assert_int_equal(dflt.req.buf_size, 16 * 1024);
	door_server_create(NULL);
}

/* ---- door_return: the dispatch loop ------------------------------------ */

#define NINV 8

static struct {
	/* what the emulated kernel saw */
	struct door_ioc_return req[NINV + 4];
	unsigned long order[32];	/* RETURN / ABANDON sequence */
	int norder;
	int nreturn;
	char results[16];
	door_desc_t rdesc;
	int unmapped_too_early;
	int unmapped_in_time;
	void *map;
	/* what the server procedure saw */
	int ninv;
	void *cookie[NINV];
	char *argp[NINV];
	size_t size[NINV];
	door_desc_t *dp[NINV];
	uint_t n[NINV];
	char data[NINV][16];
	door_desc_t desc0;
	void *frame[NINV];
	int err_rc, err_errno;
	/* door_return itself */
	int returned;
} lp;

static int cookie_a, cookie_b;

/* As the kernel: every field from proc on is written. */
static void fill_inv(struct door_ioc_return *r, void *cookie, __u32 flags)
{
	memset(&r->proc, 0, sizeof(*r) - offsetof(struct door_ioc_return, proc));
	r->proc = (uintptr_t)noop_proc;	/* replaced below */
	r->cookie = (uintptr_t)cookie;
	r->inv_flags = flags;
	r->door_id = 100;
}

static void loop_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		      uint_t n);

static int loop_return(int fd, unsigned long req, void *arg)
{
	struct door_ioc_return *r = arg;
	int k = lp.nreturn++;

	(void)req;
	if (fd != fk.ctl_fd || k >= NINV + 4) {
		errno = EBADF;
		return -1;
	}
	lp.req[k] = *r;
	lp.order[lp.norder++] = DOOR_IOC_RETURN;

	switch (k) {
	case 0:
		/* A: arguments and a descriptor in the thread's buffer. */
		memcpy(DOOR_PTR(r->buf), "hello", 5);
		{
			door_desc_t d = { .d_attributes = DOOR_DESCRIPTOR };

			d.d_data.d_desc.d_descriptor = 9;
			d.d_data.d_desc.d_id = 0;
			memcpy((char *)DOOR_PTR(r->buf) + 8, &d, sizeof(d));
		}
		fill_inv(r, &cookie_a, 0);
		r->arg_ptr = r->buf;
		r->arg_size = 5;
		r->adesc_ptr = r->buf + 8;
		r->adesc_num = 1;
		break;
	case 1:
		/* A's results; B: arguments in a fresh mapping. */
		memcpy(lp.results, DOOR_PTR(r->data_ptr),
		       r->data_size < 16 ? r->data_size : 16);
		if (r->desc_num == 1)
			memcpy(&lp.rdesc, DOOR_PTR(r->desc_ptr),
			       sizeof(lp.rdesc));
		lp.map = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memcpy(lp.map, "mapped", 6);
		fill_inv(r, &cookie_b, DOOR_INV_MAPPED);
		r->arg_ptr = (uintptr_t)lp.map;
		r->arg_size = 6;
		r->map_ptr = (uintptr_t)lp.map;
		r->map_size = 8192;
		break;
	case 2:
		/* Interrupted while idle: must be reissued as is. */
		errno = EINTR;
		return -1;
	case 3:
		/* B's mapping must survive until a new invocation. */
		lp.unmapped_too_early = fk_was_unmapped(lp.map, 8192);
		fill_inv(r, &cookie_a, DOOR_INV_UNREF);
		break;
	case 4:
		lp.unmapped_in_time = fk_was_unmapped(lp.map, 8192);
		/* D: the last free thread of the process pool. */
		fill_inv(r, &cookie_b, DOOR_INV_DEPLETED);
		break;
	case 5:
		/* D's results cannot be taken. */
		errno = E2BIG;
		return -1;
	default:
		errno = EBADF;
		return -1;
	}
	r->proc = (uintptr_t)loop_proc;
	return 0;
}

static int loop_kernel(int fd, unsigned long req, void *arg)
{
	if (req == DOOR_IOC_ABANDON) {
		lp.order[lp.norder++] = DOOR_IOC_ABANDON;
		return 0;
	}
	if (req == DOOR_IOC_RETURN)
		return loop_return(fd, req, arg);
	return kernel(fd, req, arg);
}

static void loop_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		      uint_t n)
{
	int k = lp.ninv++;

	inv_count.ninv = lp.ninv;
	lp.cookie[k] = cookie;
	lp.argp[k] = argp;
	lp.size[k] = size;
	lp.dp[k] = dp;
	lp.n[k] = n;
	lp.frame[k] = __builtin_frame_address(0);
	if (argp && argp != DOOR_UNREF_DATA && size)
		memcpy(lp.data[k], argp, size < 16 ? size : 16);
	if (n)
		lp.desc0 = dp[0];

	switch (k) {
	case 0: {
		door_desc_t out = { .d_attributes = DOOR_DESCRIPTOR };

		out.d_data.d_desc.d_descriptor = 5;
		door_return("result", 6, &out, 1);
		lp.err_rc = -100;	/* not reached */
		return;
	}
	case 1:		/* no results */
	case 2:		/* the unreferenced invocation, likewise */
		door_return(NULL, 0, NULL, 0);
		lp.err_rc = -100;	/* not reached */
		return;
	case 3:
		lp.err_rc = door_return("too big", 7, NULL, 0);
		lp.err_errno = errno;
		pthread_exit(NULL);
	}
}

static void *loop_thread(void *arg)
{
	(void)arg;
	door_return(NULL, 0, NULL, 0);
	lp.returned = 1;
	return NULL;
}

static void return_dispatch_loop(void **state)
{
	static const unsigned long expect[] = {
		DOOR_IOC_RETURN,	/* first wait */
		DOOR_IOC_RETURN,	/* A's results */
		DOOR_IOC_RETURN,	/* B's (none): EINTR ... */
		DOOR_IOC_RETURN,	/* ... reissued */
		DOOR_IOC_RETURN,	/* C (unref) done */
		DOOR_IOC_RETURN,	/* D's results: E2BIG */
		DOOR_IOC_ABANDON,	/* D's thread exits */
	};
	int i;

	(void)state;
	memset(&lp, 0, sizeof(lp));
	door_server_create(rec_creation_fn);
	fk.handler = loop_kernel;
	run_thread(loop_thread, NULL, NULL);

	/* The thread left through pthread_exit, never through a return. */
	assert_int_equal(lp.returned, 0);
	assert_int_equal(lp.ninv, 4);
	assert_int_equal(lp.norder, 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(lp.order[i], expect[i]);

	/* First wait: no results, the 16 KiB buffer offered. */
	assert_int_equal(lp.req[0].data_ptr, 0);
	assert_int_equal(lp.req[0].data_size, 0);
	assert_int_equal(lp.req[0].desc_num, 0);
	assert_true(lp.req[0].buf != 0);
	assert_int_equal(lp.req[0].buf_size, 16 * 1024);

	/* A: arguments and descriptor as the kernel placed them. */
	assert_ptr_equal(lp.cookie[0], &cookie_a);
	assert_true(lp.argp[0] == DOOR_PTR(lp.req[0].buf));
	assert_int_equal(lp.size[0], 5);
	assert_memory_equal(lp.data[0], "hello", 5);
	assert_int_equal(lp.n[0], 1);
	assert_int_equal(lp.desc0.d_attributes, DOOR_DESCRIPTOR);
	assert_int_equal(lp.desc0.d_data.d_desc.d_descriptor, 9);

	/* A's door_return: its results reached the kernel. */
	assert_int_equal(lp.req[1].data_size, 6);
	assert_memory_equal(lp.results, "result", 6);
	assert_int_equal(lp.req[1].desc_num, 1);
	assert_int_equal(lp.rdesc.d_data.d_desc.d_descriptor, 5);
	assert_int_equal(lp.req[1].buf, lp.req[0].buf);

	/* B: arguments in the mapping, unmapped after the next invocation. */
	assert_ptr_equal(lp.cookie[1], &cookie_b);
	assert_ptr_equal(lp.argp[1], lp.map);
	assert_memory_equal(lp.data[1], "mapped", 6);
	assert_false(lp.unmapped_too_early);
	assert_true(lp.unmapped_in_time);

	/* The EINTR'd request was reissued the same, without results. */
	assert_memory_equal(&lp.req[2], &lp.req[3], sizeof(lp.req[2]));
	assert_int_equal(lp.req[2].data_ptr, 0);
	assert_int_equal(lp.req[2].data_size, 0);

	/* C: the unreferenced invocation. */
	assert_ptr_equal(lp.argp[2], DOOR_UNREF_DATA);
	assert_int_equal(lp.size[2], 0);
	assert_null(lp.dp[2]);
	assert_int_equal(lp.n[2], 0);

	/* D: the creation function ran with NULL before the procedure. */
	assert_int_equal(cf.ncalls, 1);
	assert_true(cf.was_null[0]);
	assert_int_equal(cf.ninv_at_call[0], 3);
	assert_int_equal(lp.err_rc, -1);
	assert_int_equal(lp.err_errno, E2BIG);
	assert_int_equal(lp.req[5].data_size, 7);

	/* Every invocation ran at the same stack depth. */
	for (i = 1; i < 4; i++)
		assert_ptr_equal(lp.frame[i], lp.frame[0]);
}

/* Many nested door_return calls: the stack does not grow. */
static int deep_count;
static void *deep_frames[2];

static void deep_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		      uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
	if (deep_count == 1)
		deep_frames[0] = __builtin_frame_address(0);
	deep_frames[1] = __builtin_frame_address(0);
	door_return(NULL, 0, NULL, 0);
	pthread_exit(NULL);	/* the last door_return failed */
}

static int deep_return(int fd, unsigned long req, void *arg)
{
	struct door_ioc_return *r = arg;

	(void)fd, (void)req;
	if (++deep_count > 10000) {
		errno = EBADF;
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->proc = (uintptr_t)deep_proc;
	return 0;
}

static void return_stack_does_not_grow(void **state)
{
	(void)state;
	deep_count = 0;
	return_handler = deep_return;
	run_thread(loop_thread, NULL, NULL);
	assert_int_equal(deep_count, 10001);
	assert_non_null(deep_frames[0]);
	assert_ptr_equal(deep_frames[0], deep_frames[1]);
}

/* Cancellation inside a server procedure abandons the invocation. */
static void cancel_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
			uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	pthread_cancel(pthread_self());
	pthread_testcancel();
}

static int one_invocation(int fd, unsigned long req, void *arg,
			  door_server_procedure_t *proc, __u32 flags)
{
	struct door_ioc_return *r = arg;
	static int n;

	(void)fd, (void)req;
	if (!arg) {	/* reset */
		n = 0;
		return 0;
	}
	if (n++) {
		errno = EBADF;
		return -1;
	}
	r->proc = (uintptr_t)proc;
	r->inv_flags = flags;
	r->door_id = 100;
	return 0;
}

static int cancel_return(int fd, unsigned long req, void *arg)
{
	return one_invocation(fd, req, arg, cancel_proc, 0);
}

static void return_cancel_abandons(void **state)
{
	void *res;

	(void)state;
	one_invocation(0, 0, NULL, NULL, 0);
	return_handler = cancel_return;
	run_thread(loop_thread, NULL, &res);
	assert_ptr_equal(res, PTHREAD_CANCELED);
	assert_int_equal(fk_count(DOOR_IOC_RETURN), 1);
	assert_int_equal(fk_count(DOOR_IOC_ABANDON), 1);
}

/*
 * A procedure that returns without door_return() ends its thread, as on
 * illumos: the invocation is given up (the client gets EINTR), the
 * thread's cleanup handlers and thread-specific data destructors run, and
 * door_return() never returns to the thread's start routine.  Likewise
 * for an unreferenced notification.
 */
static pthread_key_t ret_key;
static struct {
	int ninv;
	int destructed;
	void *value;
} rt;

static void ret_destructor(void *v)
{
	rt.destructed++;
	rt.value = v;
}

static void returning_proc(void *cookie, char *argp, size_t size,
			   door_desc_t *dp, uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
	rt.ninv++;
	pthread_setspecific(ret_key, &rt);
}

static int returning_return(int fd, unsigned long req, void *arg)
{
	return one_invocation(fd, req, arg, returning_proc, 0);
}

static int returning_unref_return(int fd, unsigned long req, void *arg)
{
	struct door_ioc_return *r = arg;
	int ret = one_invocation(fd, req, arg, returning_proc, DOOR_INV_UNREF);

	if (ret == 0)
		r->arg_ptr = 1;
	return ret;
}

static void *returning_thread(void *arg)
{
	(void)arg;
	(void)door_return(NULL, 0, NULL, 0);
	return (void *)1;	/* not reached */
}

static void procedure_return_ends_thread(void **state)
{
	fk_handler_t *handlers[] = { returning_return, returning_unref_return };
	void *res;
	int i;

	(void)state;
	assert_int_equal(pthread_key_create(&ret_key, ret_destructor), 0);
	for (i = 0; i < 2; i++) {
		memset(&rt, 0, sizeof(rt));
		fk.nioctl = 0;
		one_invocation(0, 0, NULL, NULL, 0);
		return_handler = handlers[i];
		run_thread(returning_thread, NULL, &res);
		assert_null(res);			/* pthread_exit(NULL) */
		assert_int_equal(rt.ninv, 1);
		assert_int_equal(fk_count(DOOR_IOC_RETURN), 1);	/* no wait */
		assert_int_equal(fk_count(DOOR_IOC_ABANDON), 1);	/* EINTR */
		assert_int_equal(rt.destructed, 1);
		assert_ptr_equal(rt.value, &rt);
	}
	pthread_key_delete(ret_key);
}

/* A failing first wait returns -1; the thread can try again later. */
static int fail_then_serve_n;

static void exit_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		      uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
	inv_count.ninv++;
	pthread_exit(NULL);
}

static int fail_then_serve(int fd, unsigned long req, void *arg)
{
	struct door_ioc_return *r = arg;

	(void)fd, (void)req;
	if (fail_then_serve_n++ == 0) {
		errno = EBADF;
		return -1;
	}
	r->proc = (uintptr_t)exit_proc;
	return 0;
}

static struct {
	int rc, err;
} ft;

static void *fail_then_serve_thread(void *arg)
{
	(void)arg;
	ft.rc = door_return(NULL, 0, NULL, 0);
	ft.err = errno;
	door_return(NULL, 0, NULL, 0);
	return (void *)1;	/* not reached */
}

static void return_error_before_invocation(void **state)
{
	void *res;

	(void)state;
	fail_then_serve_n = 0;
	return_handler = fail_then_serve;
	run_thread(fail_then_serve_thread, NULL, &res);
	assert_int_equal(ft.rc, -1);
	assert_int_equal(ft.err, EBADF);
	assert_null(res);
	assert_int_equal(inv_count.ninv, 1);
	assert_int_equal(fk_count(DOOR_IOC_ABANDON), 1);
}

/* ---- cancellation of the server thread of an interrupted client --------- */

static struct {
	int survived_mismatch;
	int survived_late;
	int reached_end;
} cx;

static void cancel_me_proc(void *cookie, char *argp, size_t size,
			   door_desc_t *dp, uint_t n)
{
	union sigval v;
	int sig = libdoor_cancel_signal();

	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	/* About another invocation (low 32 bits of seq differ): ignored. */
	v.sival_int = 4;
	pthread_sigqueue(pthread_self(), sig, v);
	pthread_testcancel();
	cx.survived_mismatch = 1;
	/* About this one: the thread is cancelled at the next point. */
	v.sival_int = 5;
	pthread_sigqueue(pthread_self(), sig, v);
	pthread_testcancel();
	cx.reached_end = 1;
}

static int cancel_signal_return(int fd, unsigned long req, void *arg)
{
	struct door_ioc_return *r = arg;
	int k = one_invocation(fd, req, arg, cancel_me_proc, 0);

	r->seq = 0x100000005ull;
	return k;
}

static void cancel_signal_cancels_thread(void **state)
{
	void *res;

	(void)state;
	assert_true(libdoor_cancel_signal() > 0);
	memset(&cx, 0, sizeof(cx));
	one_invocation(0, 0, NULL, NULL, 0);
	return_handler = cancel_signal_return;
	run_thread(loop_thread, NULL, &res);
	assert_true(cx.survived_mismatch);
	assert_false(cx.reached_end);
	assert_ptr_equal(res, PTHREAD_CANCELED);
	assert_int_equal(fk_count(DOOR_IOC_ABANDON), 1);
}

/*
 * A signal about an invocation whose results are being delivered arrives
 * late: it must not cancel the thread's next invocation.
 */
static int late_n;

static void late_second_proc(void *cookie, char *argp, size_t size,
			     door_desc_t *dp, uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	pthread_testcancel();
	cx.survived_late = 1;
	pthread_exit((void *)1);
}

static void late_first_proc(void *cookie, char *argp, size_t size,
			    door_desc_t *dp, uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	door_return("x", 1, NULL, 0);
}

static int late_return(int fd, unsigned long req, void *arg)
{
	struct door_ioc_return *r = arg;
	union sigval v;

	(void)fd, (void)req;
	switch (late_n++) {
	case 0:
		r->proc = (uintptr_t)late_first_proc;
		r->seq = 7;
		return 0;
	case 1:
		/* The client of invocation 7 was interrupted just now. */
		v.sival_int = 7;
		pthread_sigqueue(pthread_self(), libdoor_cancel_signal(), v);
		r->proc = (uintptr_t)late_second_proc;
		r->seq = 8;
		return 0;
	}
	errno = EBADF;
	return -1;
}

static void cancel_signal_late_is_ignored(void **state)
{
	void *res;

	(void)state;
	memset(&cx, 0, sizeof(cx));
	late_n = 0;
	return_handler = late_return;
	run_thread(loop_thread, NULL, &res);
	assert_true(cx.survived_late);
	assert_ptr_equal(res, (void *)1);
}

/* ---- depletion --------------------------------------------------------- */

static int depleted_private_return(int fd, unsigned long req, void *arg)
{
	return one_invocation(fd, req, arg, exit_proc,
			      DOOR_INV_DEPLETED | DOOR_INV_PRIVATE);
}

static void depletion_private_pool(void **state)
{
	(void)state;
	door_server_create(rec_creation_fn);
	one_invocation(0, 0, NULL, NULL, 0);
	return_handler = depleted_private_return;
	query_answer.target = getpid();
	query_answer.attributes = DOOR_PRIVATE | DOOR_LOCAL;
	query_answer.proc = (uintptr_t)exit_proc;
	query_answer.cookie = 77;
	query_answer.id = 100;
	run_thread(loop_thread, NULL, NULL);

	assert_int_equal(fk_count(DOOR_IOC_QUERY), 1);
	assert_int_equal(cf.ncalls, 1);
	assert_false(cf.was_null[0]);
	assert_int_equal(cf.ninv_at_call[0], 0);	/* before the proc */
	assert_true(cf.di[0].di_uniquifier == 100);
	assert_true(cf.di[0].di_data == 77);
	assert_int_equal(cf.di[0].di_attributes,
			 DOOR_PRIVATE | DOOR_LOCAL | DOOR_DEPLETION_CB);
	assert_int_equal(inv_count.ninv, 1);
}

static void depletion_suppressed(void **state)
{
	(void)state;
	door_server_create(rec_creation_fn);
	one_invocation(0, 0, NULL, NULL, 0);
	return_handler = depleted_private_return;
	query_answer.attributes = DOOR_PRIVATE | DOOR_LOCAL |
				  DOOR_NO_DEPLETION_CB;
	query_answer.id = 100;
	run_thread(loop_thread, NULL, NULL);
	assert_int_equal(cf.ncalls, 0);
	assert_int_equal(inv_count.ninv, 1);
}

static int not_depleted_return(int fd, unsigned long req, void *arg)
{
	return one_invocation(fd, req, arg, exit_proc, DOOR_INV_PRIVATE);
}

static void no_depletion_no_callback(void **state)
{
	(void)state;
	door_server_create(rec_creation_fn);
	one_invocation(0, 0, NULL, NULL, 0);
	return_handler = not_depleted_return;
	run_thread(loop_thread, NULL, NULL);
	assert_int_equal(cf.ncalls, 0);
	assert_int_equal(fk_count(DOOR_IOC_QUERY), 0);
	assert_int_equal(inv_count.ninv, 1);
}

/* ---- door_xcreate ------------------------------------------------------ */

static struct {
	pthread_mutex_t lock;
	int ncrf;
	door_info_t di[8];
	void *crcookie[8];
	pthread_t threads[8];
	int nthreads;
	int decline_at;		/* crf call index that returns 0, or -1 */
	int fail_at;		/* ... that returns -1, or -1 */
	int nsetup;
	void *setup_cookie[8];
	pthread_t setup_thread[8];
} xc = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int test_crf(door_info_t *dip, void *(*start)(void *), void *arg,
		    void *crcookie)
{
	int k;

	pthread_mutex_lock(&xc.lock);
	k = xc.ncrf++;
	xc.di[k] = *dip;
	xc.crcookie[k] = crcookie;
	pthread_mutex_unlock(&xc.lock);
	if (k == xc.decline_at)
		return 0;
	if (k == xc.fail_at)
		return -1;
	if (pthread_create(&xc.threads[xc.nthreads], NULL, start, arg))
		return -1;
	xc.nthreads++;
	return 1;
}

static void test_setup(void *crcookie)
{
	pthread_mutex_lock(&xc.lock);
	xc.setup_cookie[xc.nsetup] = crcookie;
	xc.setup_thread[xc.nsetup] = pthread_self();
	xc.nsetup++;
	pthread_mutex_unlock(&xc.lock);
}

static int xc_return_fail(int fd, unsigned long req, void *arg)
{
	(void)fd, (void)req, (void)arg;
	errno = EBADF;		/* the server threads give up and exit */
	return -1;
}

static void xc_reset(void)
{
	xc.ncrf = 0;
	xc.nthreads = 0;
	xc.nsetup = 0;
	xc.decline_at = -1;
	xc.fail_at = -1;
}

static void xc_join(void)
{
	int i;

	for (i = 0; i < xc.nthreads; i++)
		pthread_join(xc.threads[i], NULL);
}

static void xcreate_validates(void **state)
{
	(void)state;
	assert_int_equal(door_xcreate(noop_proc, NULL, 0, NULL, NULL, NULL, 1),
			 -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(door_xcreate(noop_proc, NULL, 0, test_crf, NULL, NULL,
				      0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(door_xcreate(noop_proc, NULL,
				      DOOR_UNREF | DOOR_UNREF_MULTI, test_crf,
				      NULL, NULL, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(door_xcreate(noop_proc, NULL, 0x1000, test_crf,
				      NULL, NULL, 1), -1);
	assert_int_equal(errno, EINVAL);
	/* DOOR_PRIVCREATE is door_xcreate's to set, not the caller's. */
	assert_int_equal(door_xcreate(noop_proc, NULL, DOOR_PRIVCREATE,
				      test_crf, NULL, NULL, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fk.nioctl, 0);
}

/*
 * nthread calls of the creation function, each starting a thread that
 * runs the setup function, binds to the door and enters door_return; and
 * door_xcreate returns only once all of them are bound.
 */
static void xcreate_starts_bound_threads(void **state)
{
	door_info_t di;
	int ck, d, i, j;

	(void)state;
	xc_reset();
	return_handler = xc_return_fail;
	d = door_xcreate(noop_proc, &ck, DOOR_NO_DEPLETION_CB | DOOR_UNREF,
			 test_crf, test_setup, &xc, 3);
	assert_true(d >= 0);
	assert_int_equal(nbind, 3);		/* all bound before return */
	xc_join();

	/* As illumos: the kernel is told the door is door_xcreate'd. */
	assert_int_equal(doors[0].c.attributes,
			 DOOR_PRIVATE | DOOR_NO_DEPLETION_CB | DOOR_UNREF |
			 DOOR_PRIVCREATE);
	assert_int_equal(xc.ncrf, 3);
	for (i = 0; i < 3; i++) {
		assert_ptr_equal(xc.crcookie[i], &xc);
		assert_true(xc.di[i].di_uniquifier == doors[0].c.id);
		assert_true(xc.di[i].di_data == (uintptr_t)&ck);
		assert_true(xc.di[i].di_attributes & DOOR_PRIVATE);
		assert_true(xc.di[i].di_attributes & DOOR_PRIVCREATE);
		assert_int_equal(bound_fd[i], d);
		assert_ptr_equal(xc.setup_cookie[i], &xc);
		for (j = 0; j < i; j++)
			assert_false(pthread_equal(xc.setup_thread[i],
						   xc.setup_thread[j]));
	}
	assert_int_equal(xc.nsetup, 3);
	assert_int_equal(fk_count(DOOR_IOC_RETURN), 3);
	/* door_info reports the door as door_xcreate'd. */
	assert_int_equal(door_info(d, &di), 0);
	assert_true(di.di_attributes & DOOR_PRIVCREATE);
	/* ... until it is revoked. */
	assert_int_equal(door_revoke(d), 0);
}

/*
 * A door.ko built before DOOR_CREATE_MASK had illumos' value refuses
 * DOOR_PRIVCREATE: door_xcreate asks again without it, and door_info still
 * reports it in this process.
 */
static void xcreate_older_module(void **state)
{
	door_info_t di;
	int d;

	(void)state;
	xc_reset();
	create_refuses_privcreate = 1;
	return_handler = xc_return_fail;
	d = door_xcreate(noop_proc, NULL, 0, test_crf, NULL, &xc, 1);
	assert_true(d >= 0);
	xc_join();
	assert_int_equal(fk_count(DOOR_IOC_CREATE), 2);
	assert_int_equal(doors[0].c.attributes, DOOR_PRIVATE);
	assert_int_equal(door_info(d, &di), 0);
	assert_true(di.di_attributes & DOOR_PRIVCREATE);
	assert_int_equal(door_revoke(d), 0);
}

/* Without a setup function the threads disable cancellation. */
static int nosetup_cancel_state = -1;

static int record_cancel_state(int fd, unsigned long req, void *arg)
{
	int old;

	(void)fd, (void)req, (void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_setcancelstate(old, NULL);
	nosetup_cancel_state = old;
	errno = EBADF;
	return -1;
}

static void xcreate_default_setup(void **state)
{
	(void)state;
	xc_reset();
	return_handler = record_cancel_state;
	assert_true(door_xcreate(noop_proc, NULL, 0, test_crf, NULL, NULL,
				 1) >= 0);
	xc_join();
	assert_int_equal(nosetup_cancel_state, PTHREAD_CANCEL_DISABLE);
}

/* Declined, failed or unbound threads: door_xcreate fails, no door left. */
static void xcreate_failures(void **state)
{
	int d;

	(void)state;
	return_handler = xc_return_fail;

	xc_reset();
	xc.decline_at = 1;
	d = door_xcreate(noop_proc, NULL, 0, test_crf, NULL, NULL, 3);
	assert_int_equal(d, -1);
	assert_int_equal(errno, EINVAL);
	xc_join();
	assert_int_equal(xc.ncrf, 2);
	assert_int_equal(fk_count(DOOR_IOC_REVOKE), 1);
	assert_true(fk_was_closed(doors[0].fd));
	/* The thread that did start unbinds and exits without serving. */
	assert_int_equal(fk_count(DOOR_IOC_UNBIND), 1);
	assert_int_equal(fk_count(DOOR_IOC_RETURN), 0);

	xc_reset();
	xc.fail_at = 0;
	assert_int_equal(door_xcreate(noop_proc, NULL, 0, test_crf, NULL,
				      NULL, 2), -1);
	assert_int_equal(errno, EPIPE);
	xc_join();
	assert_int_equal(fk_count(DOOR_IOC_REVOKE), 2);

	xc_reset();
	bind_errno = EINVAL;
	assert_int_equal(door_xcreate(noop_proc, NULL, 0, test_crf, NULL,
				      NULL, 2), -1);
	assert_int_equal(errno, EBADF);
	xc_join();
	assert_int_equal(fk_count(DOOR_IOC_REVOKE), 3);
	assert_int_equal(fk_count(DOOR_IOC_RETURN), 0);
}

/* Depletion of an xcreate'd door's pool: its own creation function. */
static int xc_depletion_n;

static int xc_depleted_return(int fd, unsigned long req, void *arg)
{
	struct door_ioc_return *r = arg;

	(void)fd, (void)req;
	if (xc_depletion_n++ != 0) {
		errno = EBADF;
		return -1;
	}
	r->proc = (uintptr_t)exit_proc;
	r->inv_flags = DOOR_INV_DEPLETED | DOOR_INV_PRIVATE;
	r->door_id = doors[0].c.id;
	return 0;
}

static void xcreate_depletion_uses_its_creation_fn(void **state)
{
	int d;

	(void)state;
	xc_reset();
	door_server_create(rec_creation_fn);
	xc_depletion_n = 0;
	return_handler = xc_depleted_return;
	query_answer.attributes = DOOR_PRIVATE | DOOR_LOCAL;
	query_answer.id = 100;
	d = door_xcreate(noop_proc, NULL, 0, test_crf, test_setup, &xc, 1);
	assert_true(d >= 0);
	assert_int_equal(doors[0].c.id, 100);
	/*
	 * Thread 1 serves, is depleted and starts thread 2 (which binds,
	 * fails in door_return and exits) before running the procedure,
	 * which ends thread 1.
	 */
	assert_int_equal(pthread_join(xc.threads[0], NULL), 0);
	assert_int_equal(xc.nthreads, 2);
	assert_int_equal(pthread_join(xc.threads[1], NULL), 0);
	assert_int_equal(xc.ncrf, 2);
	assert_true(xc.di[1].di_attributes & DOOR_DEPLETION_CB);
	assert_true(xc.di[1].di_attributes & DOOR_PRIVCREATE);
	assert_true(xc.di[1].di_uniquifier == 100);
	assert_int_equal(xc.nsetup, 2);
	assert_int_equal(nbind, 2);
	assert_int_equal(cf.ncalls, 0);		/* not door_server_create's */
	assert_int_equal(inv_count.ninv, 1);
	door_revoke(d);
}

/* ---- door_bind / door_unbind ------------------------------------------- */

static struct {
	int bind_rc, bind_err;
	int unbind_rc, unbind_err;
	int ret_rc, ret_err;
	int nioctl_before, nioctl_after;
	int unbind2_rc;
} bd;

static void *bind_thread(void *arg)
{
	int d = *(int *)arg;

	bd.bind_rc = door_bind(d);
	bd.bind_err = errno;
	bd.unbind_rc = door_unbind();
	bd.unbind_err = errno;
	bd.unbind2_rc = door_unbind();
	bd.unbind_err = errno;
	return NULL;
}

static void bind_and_unbind(void **state)
{
	int d;

	(void)state;
	d = door_create(noop_proc, NULL, DOOR_PRIVATE);
	assert_true(d >= 0);
	fk.nioctl = 0;
	run_thread(bind_thread, &d, NULL);
	assert_int_equal(bd.bind_rc, 0);
	assert_int_equal(nbind, 1);
	assert_int_equal(bound_fd[0], d);
	assert_int_equal(fk.ioctls[0].req, DOOR_IOC_BIND);
	assert_int_equal(fk.ioctls[0].fd, fk.ctl_fd);
	assert_int_equal(bd.unbind_rc, 0);
	assert_int_equal(fk_count(DOOR_IOC_UNBIND), 2);
	assert_int_equal(bd.unbind2_rc, -1);	/* no longer bound */
	assert_int_equal(bd.unbind_err, EBADF);

	/* The kernel's errors pass through. */
	bind_errno = EINVAL;
	run_thread(bind_thread, &d, NULL);
	assert_int_equal(bd.bind_rc, -1);
	assert_int_equal(bd.bind_err, EINVAL);
}

/* door_unbind before any control file exists: EBADF. */
static void *unbind_only(void *arg)
{
	(void)arg;
	bd.unbind_rc = door_unbind();
	bd.unbind_err = errno;
	return NULL;
}

static void unbind_unbound(void **state)
{
	(void)state;
	run_thread(unbind_only, NULL, NULL);
	assert_int_equal(bd.unbind_rc, -1);
	assert_int_equal(bd.unbind_err, EBADF);
	assert_int_equal(fk.open_count, 0);
}

/*
 * A thread bound to a private pool before fork() gets EINVAL from
 * door_return in the child; door_unbind() clears the stale binding.
 */
static void *bound_across_fork(void *arg)
{
	int d = *(int *)arg;

	bd.bind_rc = door_bind(d);
	libdoor_atfork_prepare();	/* what fork() does, in this thread */
	libdoor_atfork_child();
	bd.nioctl_before = fk.nioctl;
	bd.ret_rc = door_return(NULL, 0, NULL, 0);
	bd.ret_err = errno;
	bd.unbind_rc = door_unbind();
	bd.nioctl_after = fk.nioctl;
	door_return(NULL, 0, NULL, 0);	/* reaches the kernel: EBADF */
	return NULL;
}

static void bound_thread_after_fork(void **state)
{
	int d;

	(void)state;
	d = door_create(noop_proc, NULL, DOOR_PRIVATE);
	assert_true(d >= 0);
	return_handler = xc_return_fail;
	run_thread(bound_across_fork, &d, NULL);
	assert_int_equal(bd.bind_rc, 0);
	assert_int_equal(bd.ret_rc, -1);
	assert_int_equal(bd.ret_err, EINVAL);
	assert_int_equal(bd.unbind_rc, 0);
	assert_int_equal(bd.nioctl_after, bd.nioctl_before);
	assert_int_equal(fk_count(DOOR_IOC_RETURN), 1);
}

/*
 * door_reply and door_caller_detached: EINVAL without a control file (no
 * invocation can be served then), else the request on the control file,
 * the kernel's answer as it is; ENOTTY (an older door.ko) is ENOTSUP.
 */
static void reply_and_detached(void **state)
{
	door_server_func_t *prev;
	door_desc_t dd[2];
	char res[] = "results";
	int d;

	(void)state;
	errno = 0;
	assert_int_equal(door_reply(res, sizeof(res), NULL, 0), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(door_caller_detached(), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fk.nioctl, 0);
	assert_int_equal(fk.open_count, 0);

	/* No server thread: its DOOR_IOC_RETURN would be counted below. */
	prev = door_server_create(NULL);
	d = door_create(noop_proc, NULL, 0);
	door_server_create(prev);
	assert_true(d >= 0);
	fk.nioctl = 0;
	assert_int_equal(door_reply(res, sizeof(res), dd, 2), 0);
	assert_int_equal(fk.nioctl, 1);
	assert_int_equal(fk.ioctls[0].req, DOOR_IOC_REPLY);
	assert_int_equal(fk.ioctls[0].fd, fk.ctl_fd);
	assert_int_equal(reply_seen.data_ptr, (uintptr_t)res);
	assert_int_equal(reply_seen.data_size, sizeof(res));
	assert_int_equal(reply_seen.desc_ptr, (uintptr_t)dd);
	assert_int_equal(reply_seen.desc_num, 2);
	assert_int_equal(reply_seen.flags, 0);
	reply_errno = EPIPE;
	assert_int_equal(door_reply(NULL, 0, NULL, 0), -1);
	assert_int_equal(errno, EPIPE);
	reply_errno = ENOTTY;
	assert_int_equal(door_reply(NULL, 0, NULL, 0), -1);
	assert_int_equal(errno, ENOTSUP);

	assert_int_equal(door_caller_detached(), 0);
	detached_answer = 1;
	assert_int_equal(door_caller_detached(), 1);
	detached_answer = -EINVAL;
	assert_int_equal(door_caller_detached(), -1);
	assert_int_equal(errno, EINVAL);
	detached_answer = -ENOTTY;
	assert_int_equal(door_caller_detached(), -1);
	assert_int_equal(errno, ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(create_rejects_bad_flags),
		T(create_passes_request),
		T(create_without_device),
		T(creation_fn_once_for_first_door),
		T(creation_fn_per_private_door),
		T(server_create_returns_previous),
		T(default_creation_fn_starts_server_thread),
		T(return_dispatch_loop),
		T(return_stack_does_not_grow),
		T(procedure_return_ends_thread),
		T(return_cancel_abandons),
		T(return_error_before_invocation),
		T(cancel_signal_cancels_thread),
		T(cancel_signal_late_is_ignored),
		T(depletion_private_pool),
		T(depletion_suppressed),
		T(no_depletion_no_callback),
		T(xcreate_validates),
		T(xcreate_starts_bound_threads),
		T(xcreate_older_module),
		T(xcreate_default_setup),
		T(xcreate_failures),
		T(xcreate_depletion_uses_its_creation_fn),
		T(bind_and_unbind),
		T(unbind_unbound),
		T(bound_thread_after_fork),
		T(reply_and_detached),
#undef T
	};

	/* The library's own creation function, to put back when needed. */
	default_creation_fn = door_server_create(NULL);
	door_server_create(default_creation_fn);
	return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
