/* SPDX-License-Identifier: GPL-2.0 */
/*
 * door_internal.h - objects of door.ko and the rules that protect them.
 *
 * Objects
 * -------
 * struct door_proc	the server side of one process: created by open() of
 *			/dev/door (the control file), it owns the doors that
 *			process creates, its server threads and its pool.
 * struct door_object	one door.  Each door descriptor is a file whose
 *			private_data holds a reference to it.
 * struct door_pool	server threads waiting for calls, and calls waiting
 *			for a thread.  One per process, one per private door (pool.c).
 * struct door_thread	a thread of a server process that has entered
 *			door_return at least once.
 * struct door_call	one door_call in progress; lives on the caller's
 *			kernel stack.
 * struct door_depletion the depletion descriptor of one pool
 *			(DOOR_IOC_DEPLETION_FD, depletion.c): an anonymous
 *			file that polls readable while invocations wait in
 *			the pool with no idle thread to take them.
 * struct door_payload	arguments or results in flight: small data inline,
 *			medium data in a kernel buffer, large data as the
 *			sender's pinned pages; descriptors as file or door
 *			references.  Exactly one party owns a payload at any
 *			time.
 *
 * Locking
 * -------
 * door_proc.lock (a spinlock) protects, for every door of that process:
 *   door_proc.dead, door_proc.doors, door_object.flags/active/calling/
 *   served/refs/files/proc_node/unref_node, door_file.node (and the
 *   raising of door_file.busy, see there), the door_pool lists and counts
 *   and its depletion pointer,
 *   door_thread.call/idle/pool and door_call.state/server/error/results/
 *   taken/rbuf_written.
 * door_object.data_min/data_max/desc_max are written under it and read
 * without it (READ_ONCE) by door_call's checks; door_object.big_results,
 * a hint, is read and written without it.  A door_thread's serving
 * fields are written under it at a handoff, while the thread is idle, and
 * otherwise only by the thread itself.
 * A pool's depletion descriptor is woken (its own waitqueue lock, taken
 * inside proc->lock, never the other way round) with the lock held.
 * Nothing sleeps or touches user memory under it, with one
 * exception that cannot sleep either: a server thread copies a page of its
 * own results into its caller's pinned result buffer under it, page faults
 * disabled (door_results_place, see door_call.rbuf).  Wake-ups of a caller are
 * issued with the lock held, because the caller's door_call (on its stack)
 * may vanish once the lock is dropped: a caller always takes the lock once
 * after it has seen its call finished, before returning.
 *
 * Lifetimes
 * ---------
 * door_proc: kref; held by the control file and by each of its door
 *	objects.  Marked dead when the owning process closes the control
 *	file (exit, exec or close); it is freed when the last reference goes.
 * door_object: kref; held by each door file (which a call in progress
 *	holds through its ioctl), each door_thread bound to it or serving it
 *	without a caller waiting (see door_thread), each queued unreferenced
 *	notification, each fattach mount (until
 *	fdetach or its unmount) and each descriptor in flight.
 * door_file: made with its file, on door->files until the file is dead
 *	or released; freed by ->release.  Its file pointer is valid while it
 *	is on the list (__fput calls ->release before freeing the file),
 *	though the file's count may already be zero.
 * door_thread: owned by door_proc.threads (an xarray keyed by the thread's
 *	global pid number).  Freed (after an RCU grace period) when a later
 *	thread's prune finds its thread exited, when a new thread with the
 *	same pid number replaces it, or when the control file is released.
 *	Lookups read entries under rcu_read_lock() and recognise their own by
 *	the struct pid they hold and their task pointer, compared only (a
 *	thread that exec()s takes over its leader's pid: door_thread_find).
 *	It holds its thread's struct pid, not its task_struct: an exited
 *	thread's entry pins no task.  door_thread.task is a plain pointer,
 *	valid while the thread is idle in a pool, or has just been taken off
 *	its idle list, until proc->lock is released; and for the thread
 *	itself.  While it serves a call it borrows the caller's door,
 *	credentials and pid (the caller's ioctl holds them and returns only
 *	once the call is finished and proc->lock released after that);
 *	whoever finishes the call other than the thread's own door_return
 *	takes references to them for the thread under proc->lock
 *	(door_call_finish), so the thread never reads them after they could
 *	have gone.
 * door_depletion: owned by its file (freed by its release).  It holds a
 *	reference to its door_proc and, for a private pool, a kref to the
 *	door, so the pool it watches outlives it whatever happens to the
 *	server (exit, revocation).  pool->depletion points to it from the
 *	ioctl until the file's release clears it, both under proc->lock, so
 *	the pool's hooks may use it with the lock held.  Nobody waits on its
 *	waitqueue once the file is released (poll, epoll and io_uring hold
 *	or unhook the file first).
 * door_sched_state: refcount; held by its door_thread and by the caller
 *	of a call finished other than by its server thread's door_return
 *	(door_call.server_sched, door_call_finish); it holds the thread's
 *	task_struct only while the thread runs at a caller's priority.  Its
 *	mutex is never taken under a spinlock.
 *
 * Resource limits
 * ---------------
 * A process has at most RLIMIT_NOFILE doors alive (door_tg.ndoors, one
 * count per thread group however many control files it opens:
 * descriptors, attachments, descriptors in flight and queued unreferenced
 * notifications all keep a door alive).  A caller's pinned argument and
 * result buffer pages are charged to its user's locked_vm against
 * RLIMIT_MEMLOCK, as io_uring charges its buffers, and shown in its
 * mm->pinned_vm (VmPin); over the limit the arguments and results are
 * copied (and charged to its memory cgroup).
 * Every payload and descriptor array is allocated with __GFP_ACCOUNT.
 * A pool has at most one depletion descriptor (EBUSY), a file like any
 * other (RLIMIT_NOFILE); it keeps its door allocated, still counted in
 * door_tg.ndoors.
 */
#ifndef _DOOR_INTERNAL_H
#define _DOOR_INTERNAL_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/sizes.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include <door_ioctl.h>

/*
 * Descriptor entries follow the data at the next multiple of their own size
 * (24 bytes), as illumos places them.
 */
#define DOOR_DESC_SIZE		sizeof(struct door_ioc_desc)

extern unsigned long door_max_data;	/* module-wide cap on one payload */
/* The largest max_data accepted: every size computation stays in range. */
#define DOOR_MAX_DATA_LIMIT	SZ_1G

struct door_proc;
struct door_object;
struct door_thread;
struct user_struct;

/*
 * The doors alive of one thread group, shared by all the control files it
 * opened (door_proc.tg); each door_proc holds a reference.
 */
struct door_tg {
	struct hlist_node node;		/* in the module's table; its lock */
	struct pid *tgid;		/* the key; reference held */
	refcount_t ref;
	atomic_t ndoors;
};

/*
 * A descriptor in flight.  A door travels as a door reference (counted in
 * door->refs, see object.c) and becomes a new file of its own when it is
 * received (its reference then counts through that file); any other file
 * travels as a file reference.
 */
struct door_pdesc {
	struct file *file;
	struct door_object *door;	/* kref and a door->refs reference */
	u64 id;			/* door id if the file is a door, else 0 */
};

/* Data up to this size travels inside struct door_payload itself. */
#define DOOR_INLINE_MAX		128
/* So do up to this many descriptors. */
#define DOOR_INLINE_DESC	2

/*
 * The sender's descriptors marked DOOR_RELEASE, noted when a payload is
 * taken and closed later by the sender itself (close_fd() acts on the
 * calling task's table): a caller's once a server thread has taken its
 * call, a server's as soon as its results are taken.  @file is what the
 * descriptor named then; it is only compared, never dereferenced (no
 * reference is held, see door_release_close()).
 */
struct door_release_fd {
	const struct file *file;
	int fd;
};

struct door_release {
	struct door_release_fd *fds;	/* kvmalloc'd beyond DOOR_INLINE_DESC */
	u32 n;
	struct door_release_fd inline_fds[DOOR_INLINE_DESC];
};

/*
 * A caller's arguments from this size on are not copied into the kernel:
 * its pages are pinned and the server copies straight out of them (one
 * copy).  The caller stays blocked meanwhile.  A caller's result buffer of
 * this size or more is pinned too, by the caller, and results from this
 * size on that fit it are written into it by the server (door_return,
 * door_reply), from its own memory (one copy); see door_call.rbuf.
 */
#define DOOR_PIN_MIN		(16 * 1024)

/*
 * User pages pinned long-term by the task whose memory they are, charged to
 * it (door_pin_charge).  Whoever holds a door_pin with @pages set unpins
 * them (door_pin_release).
 */
struct door_pin {
	/* NULL: nothing pinned, and the other fields mean nothing. */
	struct page **pages;
	struct mm_struct *mm;	/* VmPin shows them (mmgrab'd) */
	struct user_struct *user;	/* charged for them (reference) */
	unsigned int npages;
	unsigned int offset;	/* of the first byte in pages[0] */
	size_t len;		/* bytes pinned from there */
};

/*
 * A payload's data is in one of four places: inline (size up to
 * DOOR_INLINE_MAX), @data, the sender's pinned pages (@pin.pages, a
 * caller's large arguments), or, for large results, already in the
 * caller's own result buffer, which the server wrote through the caller's
 * pinned pages (door_payload_placed(): neither @data nor @pin.pages, size
 * beyond DOOR_INLINE_MAX); only the descriptor entries are then left to
 * write at delivery.
 */
struct door_payload {
	void *data;		/* kvmalloc'd when size > DOOR_INLINE_MAX */
	struct door_pin pin;	/* or the sender's pinned pages */
	size_t size;
	u8 inline_data[DOOR_INLINE_MAX];
	struct door_pdesc *desc;	/* kmalloc'd when ndesc > DOOR_INLINE_DESC */
	u32 ndesc;
	struct door_pdesc inline_desc[DOOR_INLINE_DESC];
};

/* The data is in the receiver's buffer already (see struct door_payload). */
static inline bool door_payload_placed(const struct door_payload *p)
{
	return p->size > DOOR_INLINE_MAX && !p->data && !p->pin.pages;
}

/* Scheduling attributes of a thread, as sched_setattr() takes them. */
struct door_sched {
	int policy;
	int rt_priority;
	int nice;
	bool reset_on_fork;
};

/*
 * Priority inheritance state of one server thread (sched.c).  Apart from
 * the door_thread and reference-counted (the door_thread holds one, and
 * the caller of a call finished other than by the thread's door_return
 * one more), so that this caller, whose invocation ended abnormally
 * (interrupted, the server side gone), lowers the thread from its own
 * context after dropping proc->lock.  @lock serialises every
 * change the module makes to the thread's attributes: its own raise and
 * restore, and those made by others.
 */
struct door_sched_state {
	refcount_t ref;
	struct mutex lock;		/* see above */
	bool inherited;			/* raised: @own is what to restore */
	struct task_struct *task;	/* the thread, held while inherited */
	u64 seq;			/* the invocation it was raised for */
	u64 ended;			/* the last invocation ended abnormally */
	struct door_sched own;
};

struct door_pool {
	struct list_head idle;		/* door_thread.pool_node, LIFO */
	struct list_head waiting;	/* door_call.pool_node, FIFO */
	/* door_object.unref_node, FIFO; each holds a door reference. */
	struct list_head unref;
	unsigned int nidle;
	unsigned int nwaiting;
	unsigned int nunref;		/* entries of @unref */
	/* Its depletion descriptor while one is open (depletion.c). */
	struct door_depletion *depletion;
};

struct door_proc {
	struct kref ref;
	spinlock_t lock;		/* see "Locking" above */
	bool dead;
	struct pid *tgid;		/* the owning thread group */
	const void *files;		/* owner's files_struct, compared only */
	struct list_head doors;		/* door_object.proc_node */
	struct door_pool pool;		/* process-wide pool */
	int cancel_sig;			/* DOOR_IOC_SET_CANCEL, 0 for none */
	struct door_tg *tg;		/* its thread group's door count */
	struct xarray threads;		/* door_thread by global pid */
};

/* door_object.flags */
#define DOOR_F_REVOKED		0x1	/* revoked, or the server went away */
#define DOOR_F_UNREF_AGAIN	0x2	/* unreferenced again while notifying */
#define DOOR_F_UNREF_DELAYED	0x4	/* notify once active calls finish */
#define DOOR_F_UNREF_PENDING	0x8	/* notification queued or running */
#define DOOR_F_UNREF_DONE	0x10	/* DOOR_UNREF: delivered once */
#define DOOR_F_UNREF_LOW	0x40	/* not armed: see object.c */

#define DOOR_UNREF_ANY		(DOOR_UNREF | DOOR_UNREF_MULTI)

/*
 * One open file of a door (file->private_data): the creator's, one per
 * descriptor received, one per open() of an attached path or of
 * /proc/PID/fd/N.  On door->files from creation to ->release, so that the
 * door's references can be counted (object.c).
 */
struct door_file {
	struct door_object *door;	/* a kref of the file's own */
	struct file *file;
	/*
	 * Off the list once dead: nothing but our own references left
	 * (object.c, door_count), or released.
	 */
	struct list_head node;		/* in door->files; proc->lock */
	/*
	 * Our own references to the file (object.c): raised under
	 * proc->lock after the reference exists, lowered under it before
	 * the reference goes, but for an ioctl's own (lowered before its
	 * fdput(), which only errs towards too many references as long as
	 * door_count() reads the file's count before this).
	 */
	atomic_t busy;
};

struct door_object {
	struct kref ref;
	u64 id;
	struct door_proc *proc;
	u64 server_proc;		/* user's server procedure */
	u64 cookie;
	u32 attributes;			/* DOOR_CREATE_MASK bits */
	u32 flags;			/* DOOR_F_*, under proc->lock */
	u64 data_min;			/* door_setparam() limits */
	u64 data_max;
	u64 desc_max;
	unsigned int active;		/* calls in progress, under proc->lock */
	/* door_call()s inside their ioctl (notification doors); lock */
	unsigned int calling;
	u64 served;			/* calls handed to a thread; lock */
	/* References (object.c): mounts and descriptors in flight; lock */
	unsigned int refs;
	struct list_head files;		/* door_file.node; proc->lock */
	/*
	 * A hint, read and written without the lock: its server returned
	 * DOOR_PIN_MIN bytes or more that were copied, so callers with a
	 * large result buffer pin it (door_call.rbuf); cleared by a caller
	 * whose pinned buffer got nothing written.
	 */
	bool big_results;
	struct inode *inode;		/* on doorfs; reference held */
	struct list_head unref_node;	/* in pool->unref while notifying */
	struct list_head proc_node;	/* in proc->doors until freed */
	struct door_pool *pool;		/* &proc->pool or &private_pool */
	struct door_pool private_pool;
};

/* door_call.state */
enum door_call_state {
	DOOR_CALL_QUEUED,	/* waiting in a pool for a server thread */
	DOOR_CALL_ACTIVE,	/* handed to a server thread */
	DOOR_CALL_DONE,		/* finished: error or results set */
};

/*
 * door_call_do() sets up each field, one by one: the structure is on its
 * stack, not cleared (__uninitialized), so a new field must be added there.
 */
struct door_call {
	struct door_object *door;	/* the caller's door file holds it */
	enum door_call_state state;
	int error;			/* set with DOOR_CALL_DONE on failure */
	bool no_results;		/* door_call(d, NULL) */
	/* A server thread took it (it was ACTIVE); under proc->lock. */
	bool taken;
	u64 seq;			/* invocation number, at the handoff */
	struct door_thread *server;	/* while ACTIVE */
	struct list_head pool_node;	/* while QUEUED */
	wait_queue_head_t wq;		/* the caller sleeps here */
	const struct cred *cred;	/* caller's credentials (the caller's own) */
	struct door_sched sched;	/* caller's priority */
	/*
	 * The serving thread's, once the call is finished other than by the
	 * thread's door_return (reference held).
	 */
	struct door_sched_state *server_sched;
	struct pid *tgid;		/* caller's thread group (the caller's) */
	struct door_payload args;	/* owned by the caller until handed over */
	/*
	 * Set under proc->lock by the serving thread's door_reply (while
	 * ACTIVE) or door_return; owned by the caller once DONE.
	 */
	struct door_payload results;
	/*
	 * The caller's result buffer, pinned by the caller itself before the
	 * handoff when it is DOOR_PIN_MIN or more, anonymous memory, within
	 * RLIMIT_MEMLOCK, and
	 * the door's server has returned large results before (its
	 * big_results hint: a pin costs in proportion to the buffer, so
	 * small results into a large buffer are not made to pay for it);
	 * rbuf.pages is NULL otherwise: results are copied at delivery.  The
	 * caller owns the pin from start to end and releases it after its
	 * wait.  The serving thread only borrows the pages: it writes its
	 * results' data into them from its own memory with proc->lock held,
	 * a page at a time with page faults disabled, and only while
	 * thr->call is this call.  Once the call is finished (done, or
	 * abandoned by its caller) nothing more is written, and since the
	 * caller takes the lock once after that, no write is in progress
	 * when it returns.  rbuf_written is set with the first write (under
	 * proc->lock): the pages are then released dirty.
	 */
	struct door_pin rbuf;
	bool rbuf_written;
	u64 rsize;			/* the caller's result buffer size */
	/*
	 * The caller's own DOOR_RELEASE descriptors, closed by the caller
	 * once a thread has taken the call; a thread taking a queued call
	 * that has some wakes the caller for that (door_pool_wait).
	 */
	struct door_release release;
};

struct door_thread {
	struct door_proc *proc;
	struct pid *pid;		/* its thread; reference held */
	struct task_struct *task;	/* no reference, see "Lifetimes" */
	struct rcu_head rcu;
	pid_t nr;			/* key in proc->threads */
	wait_queue_head_t wq;		/* the thread sleeps here while idle */
	/*
	 * On @wq for good, waking @task (pool.c): the thread sleeps without
	 * queueing itself each time.  Woken only while idle.
	 */
	struct wait_queue_entry wait;
	struct list_head pool_node;	/* in pool->idle while idle */
	bool idle;
	struct door_pool *pool;		/* the pool it waits in while idle */
	int cpu;			/* where it went idle (pool.c) */
	/*
	 * The call it serves; NULL again if its caller went away
	 * (interrupted, timed out: the thread is then detached, and goes on).
	 */
	struct door_call *call;
	struct door_object *bound;	/* private door it is bound to (ref) */
	/*
	 * What it serves: set under proc->lock at the handoff, then owned
	 * by the thread itself until its next door_return.
	 */
	struct door_payload args;	/* arguments not yet received */
	bool depleted;			/* it was the pool's last free thread */
	bool unref;			/* an unreferenced notification */
	/*
	 * The door served, and its caller's credentials and thread group:
	 * borrowed from the caller while it waits for the call (thr->call
	 * set), whose ioctl holds them; references of the thread's own once
	 * the call is finished by another (door_call_finish) and for a
	 * notification (the door only).
	 */
	struct door_object *serving;
	const struct cred *caller_cred;
	struct pid *caller_tgid;
	bool no_results;
	bool replied;			/* door_reply done for this invocation */
	u64 seq;			/* of the invocation it serves */
	u64 last_seq;			/* numbers its invocations, never 0 */
	struct door_sched caller_sched;	/* to inherit */
	struct door_sched_state *sched;	/* reference held */
};

/* main.c */
extern atomic64_t door_stat_live_doors;
DECLARE_PER_CPU(long, door_stat_live_calls);
DECLARE_PER_CPU(u64, door_stat_total_calls);
struct door_proc *door_ctl_proc(struct file *file);

/* proc.c: door_proc and door_thread */
struct door_proc *door_proc_alloc(void);
void door_proc_put(struct door_proc *proc);
void door_proc_shutdown(struct door_proc *proc);
void door_proc_release(struct door_proc *proc);

/* Whether the calling thread belongs to @proc's process. */
static inline bool door_proc_is_current(struct door_proc *proc)
{
	return proc->tgid == task_tgid(current);
}

/*
 * The calling thread's door_thread, or NULL if it never entered door_return.
 *
 * The entry under the caller's pid number may be a stale one, left by an
 * exited thread whose number was reused, that another thread's prune is
 * freeing right now: it is read under RCU and recognised by its struct pid
 * and task pointer (compared only: a thread that exec()s takes over its
 * leader's pid, and with it the number of the leader's entry).  Once it
 * is known to be the caller's own, nobody else removes it (a prune takes
 * only entries of exited threads, a replacement is made only by the thread
 * with that number, and the proc is released only when no ioctl runs), so
 * the caller may use it after rcu_read_unlock().
 */
static inline struct door_thread *door_thread_find(struct door_proc *proc)
{
	struct door_thread *thr;

	rcu_read_lock();
	thr = xa_load(&proc->threads, task_pid_nr(current));
	if (thr && (thr->pid != task_pid(current) || thr->task != current))
		thr = NULL;
	rcu_read_unlock();
	return thr;
}

struct door_thread *door_thread_new(struct door_proc *proc);

/*
 * The calling thread's door_thread, made on first use (door_thread_new):
 * NULL never, an ERR_PTR if it cannot be made.
 */
static inline struct door_thread *door_thread_get(struct door_proc *proc)
{
	struct door_thread *thr = door_thread_find(proc);

	return likely(thr) ? thr : door_thread_new(proc);
}

long door_ioc_bind(struct door_proc *proc, int __user *ufd);
long door_ioc_unbind(struct door_proc *proc);
long door_ioc_set_cancel(struct door_proc *proc, int __user *usig);

/* object.c: door objects and door files */
extern const struct file_operations door_fops;
void door_unref_check(struct door_object *door, int leaving);
void door_unref_deliver(struct door_object *door);
struct file *door_fget(unsigned int fd);
void door_fput(struct file *file);
bool door_unreferenced(struct door_object *door, int transient);
void door_ref_get(struct door_object *door);
void door_ref_put(struct door_object *door);
struct file *door_file_adopt(struct door_object *door);
struct door_object *door_inode_take(struct inode *inode);
long door_ioc_create(struct door_proc *proc, void __user *arg);
struct door_object *door_from_file(struct file *file);
void door_put(struct door_object *door);
void door_fill_info(struct door_object *door, struct door_ioc_info *info);
long door_ioc_query(struct door_proc *proc, void __user *arg);

/* doorfs.c */
int doorfs_init(void);
void doorfs_exit(void);
struct inode *doorfs_new_inode(struct door_object *door);
struct file *doorfs_new_file(struct door_object *door);

/* The pool @thr waits in.  Called by the thread itself. */
static inline struct door_pool *door_thread_pool(struct door_thread *thr)
{
	return thr->bound ? thr->bound->pool : &thr->proc->pool;
}

/*
 * pool.c: idle threads, waiting calls and notifications.  All but
 * door_pool_init() and door_pool_wait() (which takes it) with proc->lock
 * held.
 */
void door_pool_init(struct door_pool *pool);
void door_pool_thread_init(struct door_thread *thr);
void door_pool_enter(struct door_pool *pool, struct door_thread *thr);
void door_pool_leave(struct door_thread *thr);
struct door_thread *door_pool_call(struct door_call *call);
void door_pool_withdraw(struct door_call *call);
void door_unref_queue(struct door_object *door);
int door_pool_wait(struct door_thread *thr);
void door_pool_fail_waiting(struct door_pool *pool, struct door_object *door,
			    int error);
void door_pool_end(struct door_pool *pool, struct list_head *drop);

/*
 * depletion.c: the depletion descriptor.  The hooks with proc->lock held,
 * pool->depletion set.
 */
long door_ioc_depletion_fd(struct door_proc *proc, void __user *arg);
void door_depletion_wake(struct door_pool *pool);
void door_depletion_check_end(struct door_pool *pool);

/* call.c: door_call, door_return and door_reply */
long door_ioc_call(struct door_object *door, void __user *arg);
long door_ioc_call_timed(struct door_object *door, void __user *arg);
long door_ioc_reply(struct door_proc *proc, void __user *arg);
long door_ioc_detached(struct door_proc *proc);
long door_ioc_return(struct door_proc *proc, void __user *arg);
long door_ioc_abandon(struct door_proc *proc);
void door_call_finish(struct door_call *call, int error);
void door_thread_release_serving(struct door_thread *thr);

/* desc.c: descriptors and payloads */
int __door_payload_get(struct door_payload *p, u64 uptr, u64 size,
		       u64 udesc, u32 ndesc, bool pin, struct door_release *rel);
int door_pin_user(struct door_pin *pin, u64 uptr, u64 size,
		  unsigned int gup_flags);
void door_pin_release(struct door_pin *pin, bool dirty);
void __door_payload_free(struct door_payload *p);
bool __door_payload_has_doors(const struct door_payload *p);
void __door_release_close(struct door_release *rel);
void __door_release_drop(struct door_release *rel);

/*
 * The payload and release-note helpers the null call passes through are
 * inline: on kernels built with return thunks a call costs more than the
 * test that skips the work.
 */

/* An empty payload (the inline bytes need no clearing). */
static inline void door_payload_init(struct door_payload *p)
{
	p->data = NULL;
	p->pin.pages = NULL;
	p->size = 0;
	p->desc = NULL;
	p->ndesc = 0;
}

/*
 * Move what @src holds to @dst (overwritten, not freed) and leave @src
 * empty: a struct assignment that copies only the parts in use, not the
 * inline buffers whole (a null call moves two payloads).
 */
static __always_inline void door_payload_move(struct door_payload *dst,
					      struct door_payload *src)
{
	dst->data = src->data;
	dst->pin.pages = src->pin.pages;
	if (src->pin.pages)
		dst->pin = src->pin;
	dst->size = src->size;
	/* Inline data: neither allocated, pinned nor placed (above). */
	if (!src->data && !src->pin.pages && src->size &&
	    src->size <= DOOR_INLINE_MAX)
		memcpy(dst->inline_data, src->inline_data, src->size);
	dst->desc = src->desc;
	dst->ndesc = src->ndesc;
	if (!src->desc && src->ndesc)
		memcpy(dst->inline_desc, src->inline_desc,
		       min_t(u32, src->ndesc, DOOR_INLINE_DESC) *
		       sizeof(src->inline_desc[0]));
	door_payload_init(src);
}

/* Drop what the payload holds; it is empty afterwards. */
static inline void door_payload_free(struct door_payload *p)
{
	if (p->size || p->ndesc || p->pin.pages || p->desc)
		__door_payload_free(p);
}

static inline void door_release_init(struct door_release *rel)
{
	rel->fds = NULL;
	rel->n = 0;
}

/* Forget the descriptors noted, closing none. */
static inline void door_release_drop(struct door_release *rel)
{
	if (rel->fds)
		__door_release_drop(rel);
	else
		rel->n = 0;
}

/* Close the sender's DOOR_RELEASE descriptors noted (desc.c). */
static inline void door_release_close(struct door_release *rel)
{
	if (rel->n)
		__door_release_close(rel);
}

size_t __door_payload_span(const struct door_payload *p);

/* Whether the payload carries doors (whose references it holds). */
static inline bool door_payload_has_doors(const struct door_payload *p)
{
	return p->ndesc && __door_payload_has_doors(p);
}

/* The bytes the payload takes when delivered: data, then descriptors. */
static inline size_t door_payload_span(const struct door_payload *p)
{
	return p->ndesc ? __door_payload_span(p) : p->size;
}

int __door_payload_put(struct door_payload *p, void __user *dst,
		       u64 *udesc_out);

/*
 * Take a payload from the sender (desc.c): @size bytes at @uptr (its pages
 * pinned from DOOR_PIN_MIN on if @pin), @ndesc descriptors at @udesc; its
 * DOOR_RELEASE ones are noted in @rel.  Nothing to take: no call.
 */
static inline int door_payload_get(struct door_payload *p, u64 uptr, u64 size,
				   u64 udesc, u32 ndesc, bool pin,
				   struct door_release *rel)
{
	if (size || ndesc)
		return __door_payload_get(p, uptr, size, udesc, ndesc, pin,
					  rel);
	door_payload_init(p);
	door_release_init(rel);
	return 0;
}

/*
 * Deliver the payload at @dst (desc.c); *@udesc_out receives the address
 * of its descriptor entries, 0 without.  Nothing to deliver: no call.
 */
static inline int door_payload_put(struct door_payload *p, void __user *dst,
				   u64 *udesc_out)
{
	if (p->size || p->ndesc || p->pin.pages)
		return __door_payload_put(p, dst, udesc_out);
	*udesc_out = 0;
	return 0;
}

/* sched.c */

/* @t's scheduling attributes, as priority inheritance compares them. */
static inline void door_sched_capture(struct door_sched *s,
				      struct task_struct *t)
{
	s->policy = t->policy;
	s->rt_priority = t->rt_priority;
	s->nice = task_nice(t);
	s->reset_on_fork = t->sched_reset_on_fork;
}

struct door_sched_state *door_sched_state_new(void);
void door_sched_state_put(struct door_sched_state *st);
void __door_sched_inherit(struct door_thread *thr);
void __door_sched_restore(struct door_sched_state *st);

/*
 * The server thread takes its caller's priority, if higher (sched.c).
 * Inline, the common case: a notification, or a SCHED_NORMAL caller no
 * more favoured than the SCHED_NORMAL thread, which keeps its own.
 */
static inline void door_sched_inherit(struct door_thread *thr)
{
	if (thr->unref ||
	    (thr->caller_sched.policy == SCHED_NORMAL &&
	     current->policy == SCHED_NORMAL &&
	     thr->caller_sched.nice >= task_nice(current)))
		return;
	__door_sched_inherit(thr);
}

/* The server thread goes back to its own priority, if it had inherited. */
static inline void door_sched_restore(struct door_sched_state *st)
{
	if (READ_ONCE(st->inherited))
		__door_sched_restore(st);
}

void door_sched_end(struct door_sched_state *st, u64 seq);

/* cred.c */
long door_ioc_ucred(struct door_proc *proc, void __user *arg);

#endif /* _DOOR_INTERNAL_H */
