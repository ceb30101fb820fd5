/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.c - door_create, door_xcreate, door_return, door_reply,
 *            door_caller_detached, door_server_create, door_bind,
 *            door_unbind and the server thread pools.
 *
 * Design
 * ------
 * door_return(): the base frame.  On Solaris door_return() never returns on
 * success: the kernel discards the server thread's stack and upcalls the
 * next server procedure from the top of it, so a thread can serve calls
 * forever without its stack growing.  We get the same effect in user space
 * with setjmp/longjmp.  Each thread has its state in TLS (struct door_tls):
 * a jmp_buf "base", an argument buffer handed to the kernel, the mapping of
 * the current invocation's arguments if they did not fit (unmapped once the
 * next DOOR_IOC_RETURN has succeeded, so results may point into it), and its
 * private-pool binding.
 *
 *   - The first door_return() of a thread (the one its start routine calls)
 *     issues DOOR_IOC_RETURN, and when an invocation arrives it becomes the
 *     base: serve() registers a cancellation cleanup handler, does
 *     setjmp(base), and from there dispatches invocations forever.
 *   - A door_return() issued by a server procedure running above the base
 *     delivers the results and waits in the same ioctl; when the next
 *     invocation arrives it stores it in TLS and longjmp()s to the base,
 *     discarding the procedure's frames.  The stack depth is the same for
 *     every invocation.
 *   - If the procedure returns without door_return(), the thread ends, as
 *     on illumos (whose door_return() calls the procedure from a frame
 *     that ends the thread when it returns): pthread_exit() runs the
 *     cleanup handler registered by the base, which gives the invocation
 *     up (DOOR_IOC_ABANDON: the client gets EINTR), and the thread's
 *     thread-specific data destructors.  An unreferenced notification's
 *     procedure that returns ends its thread likewise.
 *   - If the thread exits or is cancelled inside the procedure, the cleanup
 *     handler registered by the base issues DOOR_IOC_ABANDON.  setjmp(base)
 *     is taken inside that cleanup region and no cleanup handler is pushed
 *     or popped by the library between the setjmp and any longjmp to it, so
 *     the jumps never leave a registered cleanup buffer behind.
 *   - DOOR_IOC_RETURN failing with EINTR is reissued (the kernel delivered
 *     any results before it started to wait); other errors return -1 with
 *     the thread still serving its client, as on Solaris.
 *
 * Depletion callback.  When the kernel hands an invocation to the last free
 * thread of a pool it sets DOOR_INV_DEPLETED.  Before calling the server
 * procedure, the thread calls the server creation function so that the
 * pool grows: with NULL for the process pool; for a private pool (flag
 * DOOR_INV_PRIVATE) with the door's door_info_t (DOOR_DEPLETION_CB set in
 * di_attributes), or, for a door made by door_xcreate(), the door's own
 * creation function through the same start-up handshake as at creation.
 * Doors created with DOOR_NO_DEPLETION_CB get no callback, and neither
 * does a pool while its depletion descriptor (door_depletion_fd(),
 * depletion.c) is open: the kernel then leaves DOOR_INV_DEPLETED unset and
 * the program starts that pool's threads itself.
 *
 * Cancellation.  When a client is interrupted while a thread serves its
 * call (and the door lacks DOOR_NO_CANCEL), door.ko sends the thread the
 * signal registered with DOOR_IOC_SET_CANCEL, carrying the low 32 bits of
 * the invocation's seq.  The library's handler calls pthread_cancel() on
 * the thread if it still serves that invocation (a late signal is
 * ignored), so the procedure is cancelled at its next cancellation point
 * if it enabled cancellation, as on Solaris.  The signal is SIGRTMAX, or
 * the number in $LIBDOOR_CANCEL_SIGNAL (0: none); the library does not
 * take a signal the program already handles or ignores, and registers none
 * if the unwinder (libgcc_s.so.1) that cancellation needs is missing.
 *
 * Fork.  The child gets its own control file (ctl.c).  A thread that was
 * bound to a private pool of the parent gets EINVAL from door_return() in
 * the child (the binding records the fork generation it was made in) until
 * it calls door_unbind().
 *
 * Thread creation.  The first non-private door a process creates calls the
 * creation function once with NULL, each DOOR_PRIVATE door once with its
 * door_info_t.  The default function starts a detached thread with
 * cancellation disabled that calls door_return(NULL, 0, NULL, 0).
 * door_xcreate() calls its creation function nthread times; each call must
 * start a thread running start(start_arg), which calls the thread setup
 * function, binds the thread to the door's private pool, waits until all
 * nthread threads are bound and then parks in door_return().
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "internal.h"

/* Size of each server thread's argument buffer. */
#define DOOR_ARGBUF_SIZE	(16 * 1024)
/*
 * Arguments that did not fit arrive in a mapping made by the kernel; a
 * thread keeps the largest such mapping, up to this size, as its argument
 * buffer, so that a server of large calls does not map and unmap per call.
 */
#define DOOR_ARGBUF_KEEP_MAX	(4 * 1024 * 1024)

/* ---- per-process state ------------------------------------------------- */

/* A door made by door_xcreate(): what its depletion callback needs. */
struct privdoor {
	struct privdoor *next;
	int fd;
	door_id_t id;
	door_attr_t attributes;
	door_xcreate_server_func_t *crf;
	door_xcreate_thrsetup_func_t *setupf;
	void *crcookie;
};

static door_server_func_t default_server_func;

static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;
static door_server_func_t *server_func = default_server_func;
static int first_door_done;	/* the creation function ran with NULL */
static struct privdoor *privdoors;

void libdoor_server_lock(void)
{
	pthread_mutex_lock(&srv_lock);
}

void libdoor_server_unlock(void)
{
	pthread_mutex_unlock(&srv_lock);
}

/* In the child of fork(), with srv_lock held by the (only) thread. */
void libdoor_server_child_reset(void)
{
	/* The child's first door starts its own pool. */
	first_door_done = 0;
}

static door_server_func_t *get_server_func(void)
{
	door_server_func_t *fn;

	pthread_mutex_lock(&srv_lock);
	fn = server_func;
	pthread_mutex_unlock(&srv_lock);
	return fn;
}

DOOR_API door_server_func_t *door_server_create(door_server_func_t *create_func)
{
	door_server_func_t *prev;

	pthread_mutex_lock(&srv_lock);
	prev = server_func;
	server_func = create_func;
	pthread_mutex_unlock(&srv_lock);
	return prev;
}

static int privdoor_add(const struct privdoor *pd)
{
	struct privdoor *n = malloc(sizeof(*n));

	if (!n) {
		errno = ENOMEM;
		return -1;
	}
	*n = *pd;
	pthread_mutex_lock(&srv_lock);
	n->next = privdoors;
	privdoors = n;
	pthread_mutex_unlock(&srv_lock);
	return 0;
}

static int privdoor_find(door_id_t id, struct privdoor *out)
{
	struct privdoor *p;
	int found = 0;

	pthread_mutex_lock(&srv_lock);
	for (p = privdoors; p; p = p->next) {
		if (p->id == id) {
			*out = *p;
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&srv_lock);
	return found;
}

/* Forget xcreate'd doors by descriptor (door_revoke) or by id. */
static void privdoor_remove(int fd, door_id_t id)
{
	struct privdoor **pp, *p;

	pthread_mutex_lock(&srv_lock);
	for (pp = &privdoors; (p = *pp) != NULL;) {
		if ((fd >= 0 && p->fd == fd) || (fd < 0 && p->id == id)) {
			*pp = p->next;
			free(p);
		} else {
			pp = &p->next;
		}
	}
	pthread_mutex_unlock(&srv_lock);
}

void libdoor_door_revoked(int fd)
{
	privdoor_remove(fd, 0);
}

door_attr_t libdoor_extra_attributes(door_id_t id)
{
	struct privdoor pd;

	return privdoor_find(id, &pd) ? DOOR_PRIVCREATE : 0;
}

/* ---- per-thread state -------------------------------------------------- */

struct door_inv {
	door_server_procedure_t *proc;
	void *cookie;
	char *argp;
	size_t arg_size;
	door_desc_t *dp;
	uint_t n_desc;
	uint32_t flags;		/* DOOR_INV_* */
	door_id_t id;
	uint64_t seq;		/* invocation number, for cancellation */
};

struct door_tls {
	int ready;		/* buffer allocated, key destructor armed */
	int base_active;	/* serve() is on this thread's stack */
	int in_proc;		/* an invocation is being served */
	int bound;		/* door_bind()ed to a private pool */
	door_id_t pool;		/* its door id */
	unsigned long bind_gen;	/* fork generation of the binding */
	char *buf;		/* argument buffer */
	size_t buf_size;
	int buf_mapped;		/* buf is a kept mapping, not malloc()ed */
	void *map_ptr;		/* DOOR_INV_MAPPED mapping of the current */
	size_t map_size;	/* invocation, unmapped on the next one */
	struct door_inv inv;	/* the invocation to dispatch */
	/*
	 * DOOR_IOC_RETURN's request, kept from call to call: the results and
	 * the buffer are set each time; the rest stays defined (zero at
	 * first, then what the kernel wrote: all of it from proc on, the
	 * kernel reads none of that), so that nothing is cleared per
	 * invocation and memory checkers see no uninitialised bytes.  One
	 * per thread: door_return is not async-signal-safe (a handler's
	 * would overwrite the request of an interrupted one).
	 */
	struct door_ioc_return req;
	jmp_buf base;
};

static __thread struct door_tls tls;
static pthread_key_t tls_key;
static pthread_once_t tls_key_once = PTHREAD_ONCE_INIT;
static int tls_key_ok;

/* Thread exit: release the argument buffer and any pending mapping. */
static void tls_destroy(void *arg)
{
	struct door_tls *ts = arg;

	if (ts->buf_mapped)
		munmap(ts->buf, ts->buf_size);
	else
		free(ts->buf);
	ts->buf = NULL;
	ts->buf_size = 0;
	ts->buf_mapped = 0;
	if (ts->map_ptr)
		munmap(ts->map_ptr, ts->map_size);
	ts->map_ptr = NULL;
	ts->map_size = 0;
	ts->ready = 0;
}

static void tls_key_create(void)
{
	tls_key_ok = pthread_key_create(&tls_key, tls_destroy) == 0;
}

static struct door_tls *tls_get(void)
{
	struct door_tls *ts = &tls;

	/*
	 * Keep the address once found: the compiler would otherwise look the
	 * (dynamic-model) TLS block up again after every call.
	 */
	__asm__("" : "+r"(ts));

	if (!ts->ready) {
		pthread_once(&tls_key_once, tls_key_create);
		if (tls_key_ok)
			pthread_setspecific(tls_key, ts);
		/* Without a buffer the kernel maps every argument. */
		ts->buf = malloc(DOOR_ARGBUF_SIZE);
		ts->buf_size = ts->buf ? DOOR_ARGBUF_SIZE : 0;
		ts->ready = 1;
	}
	return ts;
}

/* ---- cancellation of a server thread whose client was interrupted ------ */

/*
 * Read by the signal handler: initial-exec TLS needs no allocation there.
 * seq is the low 32 bits of the invocation served while active is set.
 */
static __thread __attribute__((tls_model("initial-exec")))
struct {
	volatile sig_atomic_t active;
	volatile uint32_t seq;
} cancel_tls;

static pthread_once_t cancel_once = PTHREAD_ONCE_INIT;
static int cancel_sig;		/* 0: no cancellation signal */

static void cancel_handler(int sig, siginfo_t *si, void *ctx)
{
	int e = errno;

	(void)sig;
	(void)ctx;
	if (si->si_code == SI_QUEUE && cancel_tls.active &&
	    (uint32_t)si->si_value.sival_int == cancel_tls.seq) {
		cancel_tls.active = 0;
		/*
		 * Deferred cancellation only sets the request; it is acted
		 * on at the procedure's next cancellation point, if it has
		 * enabled cancellation.
		 */
		pthread_cancel(pthread_self());
	}
	errno = e;
}

/*
 * pthread_cancel() loads the unwinder (libgcc_s) the first time it is
 * called, with dlopen: not something to do in a signal handler.  Call it
 * once here, in a throw-away thread that has cancellation disabled (so the
 * request it makes on itself is never acted on), so that the handler's
 * calls find it loaded.  Without libgcc_s (a minimal initramfs), neither
 * cancellation nor pthread_exit() can work: no cancellation signal then.
 */
static void *cancel_warmup_thread(void *arg)
{
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	(void)pthread_cancel(pthread_self());
	return arg;
}

static int cancel_warmup(void)
{
	pthread_t t;

	if (!dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL))
		return -1;		/* kept open for the process's life */
	if (pthread_create(&t, NULL, cancel_warmup_thread, NULL) != 0)
		return -1;
	pthread_join(t, NULL);
	return 0;
}

static void cancel_setup(void)
{
	struct sigaction sa, old;
	const char *env = secure_getenv("LIBDOOR_CANCEL_SIGNAL");
	int sig = SIGRTMAX;

	if (env && *env) {
		char *end;
		long v = strtol(env, &end, 10);

		if (*end || v <= 0 || v >= NSIG || v == SIGKILL ||
		    v == SIGSTOP)
			return;		/* 0 or garbage: no signal */
		sig = (int)v;
	}
	if (sigaction(sig, NULL, &old) < 0)
		return;
	if ((old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != NULL :
	    old.sa_handler != SIG_DFL)
		return;			/* the program's signal */
	if (cancel_warmup() < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = cancel_handler;
	/*
	 * SA_NODEFER: pthread_cancel() may act inside the handler (the
	 * procedure was blocked in a cancellation point) and unwind from it,
	 * never returning to restore the mask; the signal must not stay
	 * blocked in the cleanup handlers or in threads they start.
	 */
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		return;
	cancel_sig = sig;
}

int libdoor_cancel_signal(void)
{
	pthread_once(&cancel_once, cancel_setup);
	return cancel_sig;
}

void libdoor_ctl_opened(int ctl)
{
	__s32 sig = libdoor_cancel_signal();

	/* An older door.ko without DOOR_IOC_SET_CANCEL: no cancellation. */
	if (sig > 0)
		(void)ioctl(ctl, DOOR_IOC_SET_CANCEL, &sig);
}

/* ---- door_return ------------------------------------------------------- */

/* Give up the invocation this thread serves: its client gets EINTR. */
static void abandon(void)
{
	int ctl = libdoor_ctl_peek();

	if (ctl >= 0)
		(void)ioctl(ctl, DOOR_IOC_ABANDON);
}

/*
 * Deliver results (if this thread serves a call) and wait for the next
 * invocation, which is stored in ts->inv.  0 on success, -1 with errno.
 */
static int wait_next(struct door_tls *ts, char *data_ptr, size_t data_size,
		     door_desc_t *desc_ptr, uint_t num_desc)
{
	struct door_ioc_return *r = &ts->req;
	void *old_map, *buf;
	size_t old_size, buf_size;
	int keep;
	int ctl;

	if (ts->bound && ts->bind_gen != libdoor_fork_generation()) {
		/* Bound to a pool of the parent process. */
		errno = EINVAL;
		return -1;
	}
	ctl = libdoor_ctl();
	if (ctl < 0)
		return -1;

	/*
	 * The invocation being finished can no longer be cancelled: a signal
	 * about it arriving from now on is ignored.
	 */
	cancel_tls.active = 0;

	old_map = ts->map_ptr;
	old_size = ts->map_size;
	/*
	 * Keep a large argument mapping as the buffer for the next calls.
	 * The kernel takes the results (which may point into either buffer)
	 * before it writes the next arguments.
	 */
	keep = old_map && old_size > ts->buf_size &&
	       old_size <= DOOR_ARGBUF_KEEP_MAX;
	buf = keep ? old_map : ts->buf;
	buf_size = keep ? old_size : ts->buf_size;
	for (;;) {
		r->data_ptr = DOOR_U64(data_ptr);
		r->data_size = data_size;
		r->desc_ptr = DOOR_U64(desc_ptr);
		r->desc_num = num_desc;
		r->flags = 0;
		r->buf = DOOR_U64(buf);
		r->buf_size = buf_size;
		if (ioctl(ctl, DOOR_IOC_RETURN, r) == 0)
			break;
		/*
		 * Interrupted while idle: the results, if any, were delivered
		 * first, and the kernel ignores them when the thread no longer
		 * serves a call, so the same request can be reissued.
		 */
		if (errno != EINTR)
			return -1;	/* still serving the same client */
	}

	/* The previous invocation is over: its argument mapping can go. */
	if (keep) {
		if (ts->buf_mapped)
			munmap(ts->buf, ts->buf_size);
		else
			free(ts->buf);
		ts->buf = old_map;
		ts->buf_size = old_size;
		ts->buf_mapped = 1;
	} else if (old_map) {
		munmap(old_map, old_size);
	}
	ts->map_ptr = NULL;
	ts->map_size = 0;
	if (r->inv_flags & DOOR_INV_MAPPED) {
		ts->map_ptr = DOOR_PTR(r->map_ptr);
		ts->map_size = (size_t)r->map_size;
	}

	ts->inv.proc = (door_server_procedure_t *)DOOR_PTR(r->proc);
	ts->inv.cookie = DOOR_PTR(r->cookie);
	ts->inv.argp = DOOR_PTR(r->arg_ptr);
	ts->inv.arg_size = (size_t)r->arg_size;
	ts->inv.dp = DOOR_PTR(r->adesc_ptr);
	ts->inv.n_desc = r->adesc_num;
	if (ts->inv.n_desc)
		libdoor_received_attributes(ts->inv.dp, ts->inv.n_desc);
	ts->inv.flags = r->inv_flags;
	ts->inv.id = r->door_id;
	ts->inv.seq = r->seq;
	return 0;
}

static int xcreate_threads(door_info_t *dip, const struct privdoor *pd,
			   int n, int depletion);

/* The last free thread of a pool took a call: let the pool grow. */
static void depletion_callback(const struct door_inv *inv)
{
	door_server_func_t *fn;
	struct privdoor pd;
	door_info_t di;
	int xcreated;

	if (!(inv->flags & DOOR_INV_PRIVATE)) {
		fn = get_server_func();
		if (fn)
			fn(NULL);
		return;
	}

	xcreated = privdoor_find(inv->id, &pd);
	if (xcreated && (pd.attributes & DOOR_NO_DEPLETION_CB))
		return;
	if (door_info(DOOR_QUERY, &di) < 0 || di.di_uniquifier != inv->id) {
		memset(&di, 0, sizeof(di));
		di.di_target = getpid();
		di.di_proc = DOOR_U64(inv->proc);
		di.di_data = DOOR_U64(inv->cookie);
		di.di_attributes = DOOR_PRIVATE | DOOR_LOCAL |
				   (xcreated ? pd.attributes | DOOR_PRIVCREATE : 0);
		di.di_uniquifier = inv->id;
	}
	if (di.di_attributes & DOOR_NO_DEPLETION_CB)
		return;
	di.di_attributes |= DOOR_DEPLETION_CB;
	if (xcreated) {
		(void)xcreate_threads(&di, &pd, 1, 1);
	} else {
		fn = get_server_func();
		if (fn)
			fn(&di);
	}
}

int libdoor_serving_unref(void)
{
	return tls.in_proc && (tls.inv.flags & DOOR_INV_UNREF);
}

/* Run the invocation in ts->inv; the thread ends if the procedure returns. */
static __attribute__((noreturn)) void dispatch(struct door_tls *ts)
{
	struct door_inv inv = ts->inv;

	ts->in_proc = 1;
	if (!(inv.flags & DOOR_INV_UNREF)) {
		cancel_tls.seq = (uint32_t)inv.seq;
		cancel_tls.active = 1;
	}
	if (inv.flags & DOOR_INV_DEPLETED)
		depletion_callback(&inv);
	if (inv.proc) {
		if (inv.flags & DOOR_INV_UNREF)
			inv.proc(inv.cookie, DOOR_UNREF_DATA, 0, NULL, 0);
		else
			inv.proc(inv.cookie, inv.argp, inv.arg_size, inv.dp,
				 inv.n_desc);
	}
	/*
	 * Returned without door_return(): the thread ends, as on illumos.
	 * serve_cleanup() gives the invocation up (the client gets EINTR).
	 */
	cancel_tls.active = 0;
	pthread_exit(NULL);
}

/* Thread exit or cancellation inside a server procedure. */
static void serve_cleanup(void *arg)
{
	struct door_tls *ts = arg;

	ts->base_active = 0;
	cancel_tls.active = 0;
	if (ts->in_proc) {
		ts->in_proc = 0;
		abandon();
	}
}

/*
 * The base frame: dispatch ts->inv, then every later invocation (each
 * procedure's door_return() jumps back here with the next one), from this
 * one stack depth.  It never returns: the thread ends when a procedure
 * returns, exits or is cancelled.  Everything it uses lives in TLS, so
 * nothing is clobbered by longjmp.
 */
static __attribute__((noinline, noreturn)) void serve(void)
{
	pthread_cleanup_push(serve_cleanup, &tls);
	tls.base_active = 1;
	(void)setjmp(tls.base);
	dispatch(&tls);
	pthread_cleanup_pop(0);		/* not reached; pairs the push */
}

DOOR_API int door_return(char *data_ptr, size_t data_size,
			 door_desc_t *desc_ptr, uint_t num_desc)
{
	struct door_tls *ts = tls_get();

	if (wait_next(ts, data_ptr, data_size, desc_ptr, num_desc) < 0)
		return -1;
	if (ts->base_active)
		longjmp(ts->base, 1);
	serve();
}

/*
 * door_reply: the kernel takes the results now; this thread's door_return
 * resumes the caller and its arguments are ignored (the kernel knows the
 * invocation was answered).  Outside a server procedure there is no
 * control file, or the kernel says EINVAL.
 */
DOOR_API int door_reply(char *data_ptr, size_t data_size,
			door_desc_t *desc_ptr, uint_t num_desc)
{
	struct door_ioc_reply r;
	int ctl = libdoor_ctl_peek();

	if (ctl < 0) {
		errno = EINVAL;
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.data_ptr = DOOR_U64(data_ptr);
	r.data_size = data_size;
	r.desc_ptr = DOOR_U64(desc_ptr);
	r.desc_num = num_desc;
	if (ioctl(ctl, DOOR_IOC_REPLY, &r) < 0) {
		if (errno == ENOTTY)
			errno = ENOTSUP;	/* an older door.ko */
		return -1;
	}
	return 0;
}

DOOR_API int door_caller_detached(void)
{
	int ctl = libdoor_ctl_peek();
	int ret;

	if (ctl < 0) {
		errno = EINVAL;
		return -1;
	}
	ret = ioctl(ctl, DOOR_IOC_DETACHED);
	if (ret < 0 && errno == ENOTTY)
		errno = ENOTSUP;
	return ret < 0 ? -1 : ret != 0;
}

/* ---- door_bind / door_unbind ------------------------------------------- */

DOOR_API int door_bind(int d)
{
	struct door_ioc_info ioc;
	struct door_tls *ts = &tls;
	__s32 fd = d;
	int ctl, e;

	ctl = libdoor_ctl();
	if (ctl < 0)
		return -1;
	if (ioctl(ctl, DOOR_IOC_BIND, &fd) < 0)
		return -1;
	memset(&ioc, 0, sizeof(ioc));
	if (libdoor_door_ioctl(d, DOOR_IOC_INFO, &ioc) < 0) {
		e = errno;
		(void)ioctl(ctl, DOOR_IOC_UNBIND);
		ts->bound = 0;
		ts->pool = 0;
		errno = e;
		return -1;
	}
	ts->bound = 1;
	ts->pool = ioc.id;
	ts->bind_gen = libdoor_fork_generation();
	return 0;
}

DOOR_API int door_unbind(void)
{
	struct door_tls *ts = &tls;
	int ctl;

	if (ts->bound && ts->bind_gen != libdoor_fork_generation()) {
		/* A binding inherited from the parent: just drop it. */
		ts->bound = 0;
		ts->pool = 0;
		return 0;
	}
	ctl = libdoor_ctl_peek();
	if (ctl < 0) {
		errno = EBADF;
		return -1;
	}
	if (ioctl(ctl, DOOR_IOC_UNBIND) < 0)
		return -1;
	ts->bound = 0;
	ts->pool = 0;
	return 0;
}

/* ---- server thread creation -------------------------------------------- */

static void *default_server_thread(void *arg)
{
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	(void)door_return(NULL, 0, NULL, 0);
	return arg;
}

static void default_server_func(door_info_t *dip)
{
	pthread_attr_t attr;
	pthread_t t;

	(void)dip;
	if (pthread_attr_init(&attr) != 0)
		return;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_create(&t, &attr, default_server_thread, NULL);
	pthread_attr_destroy(&attr);
	/*
	 * As illumos does: give the new thread a chance to reach the pool
	 * before this one goes on (fewer needless depletion callbacks when
	 * the next call comes in right away).
	 */
	sched_yield();
}

/*
 * door_xcreate start-up handshake.  The creating thread calls the door's
 * creation function n times; each thread it starts runs xstart(), which
 * runs the setup function, binds to the door and reports.  When all have
 * reported, the creator tells the bound threads to enter service (or, if
 * door_xcreate() is failing, to unbind and exit) and waits until every one
 * has read the verdict, since the handshake state lives on its stack.
 */
enum xstate { XS_STARTING, XS_BOUND, XS_FAILED };

struct xshared {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct privdoor pd;
	int pending;		/* started threads that have not reported */
	int readers;		/* bound threads yet to read the verdict */
	int verdict;		/* 0 undecided, 1 serve, -1 exit */
};

struct xstart {
	struct xshared *sh;
	enum xstate state;
};

static void *xstart(void *arg)
{
	struct xstart *xs = arg;
	struct xshared *sh = xs->sh;
	int bound, verdict;

	if (sh->pd.setupf) {
		sh->pd.setupf(sh->pd.crcookie);
	} else {
		(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		(void)pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, NULL);
	}
	bound = door_bind(sh->pd.fd) == 0;

	pthread_mutex_lock(&sh->lock);
	xs->state = bound ? XS_BOUND : XS_FAILED;
	sh->pending--;
	pthread_cond_broadcast(&sh->cv);
	if (!bound) {
		pthread_mutex_unlock(&sh->lock);
		return NULL;
	}
	while (sh->verdict == 0)
		pthread_cond_wait(&sh->cv, &sh->lock);
	verdict = sh->verdict;
	sh->readers--;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->lock);	/* sh and xs may go now */

	if (verdict < 0) {
		(void)door_unbind();
		return NULL;
	}
	(void)door_return(NULL, 0, NULL, 0);
	return NULL;
}

/*
 * Start n threads for an xcreate'd door.  At creation all must start and
 * bind, else errno is EINVAL (the creation function declined), EPIPE (it
 * failed) or EBADF (a thread could not bind) and the started threads exit.
 * In a depletion callback whatever was started serves.  1 ok, 0 failure.
 */
static int xcreate_threads(door_info_t *dip, const struct privdoor *pd,
			   int n, int depletion)
{
	struct xshared sh;
	struct xstart *xs;
	int i, rc, started = 0, bound = 0, fail = 0;

	xs = calloc((size_t)n, sizeof(*xs));
	if (!xs) {
		errno = ENOMEM;
		return 0;
	}
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.cv, NULL);
	sh.pd = *pd;
	sh.pending = 0;
	sh.readers = 0;
	sh.verdict = 0;

	for (i = 0; i < n && !fail; i++) {
		xs[i].sh = &sh;
		xs[i].state = XS_STARTING;
		pthread_mutex_lock(&sh.lock);
		sh.pending++;
		pthread_mutex_unlock(&sh.lock);

		rc = pd->crf(dip, xstart, &xs[i], pd->crcookie);

		if (rc == 1) {
			started++;
			continue;
		}
		pthread_mutex_lock(&sh.lock);
		sh.pending--;
		xs[i].state = XS_FAILED;
		pthread_mutex_unlock(&sh.lock);
		if (rc == 0) {
			/* Declined: fine in a depletion callback. */
			if (!depletion)
				fail = EINVAL;
			break;
		}
		fail = EPIPE;
	}

	pthread_mutex_lock(&sh.lock);
	while (sh.pending > 0)
		pthread_cond_wait(&sh.cv, &sh.lock);
	for (i = 0; i < n; i++)
		if (xs[i].state == XS_BOUND)
			bound++;
	if (!fail && !depletion && bound != started)
		fail = EBADF;
	sh.readers = bound;
	sh.verdict = (fail && !depletion) ? -1 : 1;
	pthread_cond_broadcast(&sh.cv);
	while (sh.readers > 0)
		pthread_cond_wait(&sh.cv, &sh.lock);
	pthread_mutex_unlock(&sh.lock);

	pthread_cond_destroy(&sh.cv);
	pthread_mutex_destroy(&sh.lock);
	free(xs);
	if (fail) {
		errno = fail;
		return 0;
	}
	return 1;
}

/* ---- door_create / door_xcreate ---------------------------------------- */

static int attributes_valid(uint_t attributes)
{
	if (attributes & ~(uint_t)DOOR_CREATE_MASK)
		return 0;
	if ((attributes & (DOOR_UNREF | DOOR_UNREF_MULTI)) ==
	    (DOOR_UNREF | DOOR_UNREF_MULTI))
		return 0;
	return 1;
}

static int create_common(door_server_procedure_t *proc, void *cookie,
			 uint_t attributes, const struct privdoor *xpd,
			 int nthread)
{
	struct door_ioc_create c;
	door_server_func_t *fn;
	door_info_t di;
	int ctl, fd, first, e;

	if (!attributes_valid(attributes)) {
		errno = EINVAL;
		return -1;
	}
	ctl = libdoor_ctl();
	if (ctl < 0)
		return -1;

	memset(&c, 0, sizeof(c));
	c.proc = DOOR_U64(proc);
	c.cookie = DOOR_U64(cookie);
	c.attributes = attributes;
	fd = ioctl(ctl, DOOR_IOC_CREATE, &c);
	if (fd < 0 && errno == EINVAL && (attributes & DOOR_PRIVCREATE)) {
		/*
		 * A door.ko older than illumos' DOOR_CREATE_MASK refuses
		 * DOOR_PRIVCREATE: door_info() then reports it in this
		 * process only (libdoor_extra_attributes).
		 */
		c.attributes = attributes & ~(uint_t)DOOR_PRIVCREATE;
		fd = ioctl(ctl, DOOR_IOC_CREATE, &c);
	}
	if (fd < 0)
		return -1;

	if (!(attributes & DOOR_PRIVATE)) {
		pthread_mutex_lock(&srv_lock);
		first = !first_door_done;
		first_door_done = 1;
		fn = server_func;
		pthread_mutex_unlock(&srv_lock);
		if (first && fn)
			fn(NULL);
		return fd;
	}

	if (xpd) {
		struct privdoor pd = *xpd;

		pd.fd = fd;
		pd.id = c.id;
		pd.attributes = attributes;
		if (privdoor_add(&pd) < 0) {
			e = errno;
			(void)door_revoke(fd);
			errno = e;
			return -1;
		}
	}
	if (door_info(fd, &di) < 0) {
		memset(&di, 0, sizeof(di));
		di.di_target = getpid();
		di.di_proc = c.proc;
		di.di_data = c.cookie;
		di.di_attributes = attributes | DOOR_LOCAL |
				   (xpd ? DOOR_PRIVCREATE : 0);
		di.di_uniquifier = c.id;
	}
	if (xpd) {
		struct privdoor pd;

		if (!privdoor_find(c.id, &pd) ||
		    !xcreate_threads(&di, &pd, nthread, 0)) {
			e = errno;
			privdoor_remove(-1, c.id);
			(void)door_revoke(fd);
			errno = e;
			return -1;
		}
	} else {
		fn = get_server_func();
		if (fn)
			fn(&di);
	}
	return fd;
}

DOOR_API int door_create(door_server_procedure_t *server_procedure,
			 void *cookie, uint_t attributes)
{
	/* door_xcreate()'s attributes only (illumos). */
	if (attributes & (DOOR_NO_DEPLETION_CB | DOOR_PRIVCREATE)) {
		errno = EINVAL;
		return -1;
	}
	return create_common(server_procedure, cookie, attributes, NULL, 1);
}

DOOR_API int door_xcreate(door_server_procedure_t *server_procedure,
			  void *cookie, uint_t attributes,
			  door_xcreate_server_func_t *cf,
			  door_xcreate_thrsetup_func_t *thrsetup,
			  void *crcookie, int nthread)
{
	struct privdoor pd;

	if (!cf || nthread < 1 || (attributes & DOOR_PRIVCREATE)) {
		errno = EINVAL;
		return -1;
	}
	memset(&pd, 0, sizeof(pd));
	pd.crf = cf;
	pd.setupf = thrsetup;
	pd.crcookie = crcookie;
	/* As illumos: the kernel records DOOR_PRIVCREATE with the door. */
	return create_common(server_procedure, cookie,
			     attributes | DOOR_PRIVATE | DOOR_PRIVCREATE, &pd,
			     nthread);
}
