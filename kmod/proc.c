// SPDX-License-Identifier: GPL-2.0
/*
 * proc.c - the server side of a process: its threads and pools.
 *
 * A thread becomes a server thread the first time it enters door_return
 * (or binds); its struct door_thread stays in door_proc.threads until the
 * thread has exited and another one of the process enters the module, or
 * the process's server side ends.  Idle threads wait in a pool (pool.c).
 */
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/pid.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/uaccess.h>
#include <linux/rcupdate.h>
#include <linux/hashtable.h>
#include <linux/random.h>

#include "door_internal.h"
#include "door_trace.h"

/* door_tg of every thread group with a door_proc, keyed by struct pid. */
static DEFINE_SPINLOCK(door_tg_lock);
static DEFINE_HASHTABLE(door_tg_table, 8);

/* The calling thread group's door_tg, with a new reference. */
static struct door_tg *door_tg_get(void)
{
	struct pid *tgid = task_tgid(current);
	struct door_tg *tg, *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return NULL;
	spin_lock(&door_tg_lock);
	hash_for_each_possible(door_tg_table, tg, node, (unsigned long)tgid) {
		if (tg->tgid == tgid) {
			refcount_inc(&tg->ref);
			spin_unlock(&door_tg_lock);
			kfree(new);
			return tg;
		}
	}
	new->tgid = get_pid(tgid);
	refcount_set(&new->ref, 1);
	atomic_set(&new->ndoors, 0);
	hash_add(door_tg_table, &new->node, (unsigned long)tgid);
	spin_unlock(&door_tg_lock);
	return new;
}

static void door_tg_put(struct door_tg *tg)
{
	spin_lock(&door_tg_lock);
	if (!refcount_dec_and_test(&tg->ref)) {
		spin_unlock(&door_tg_lock);
		return;
	}
	hash_del(&tg->node);
	spin_unlock(&door_tg_lock);
	WARN_ON_ONCE(atomic_read(&tg->ndoors));
	put_pid(tg->tgid);
	kfree(tg);
}

struct door_proc *door_proc_alloc(void)
{
	struct door_proc *proc = kzalloc(sizeof(*proc), GFP_KERNEL_ACCOUNT);

	if (!proc)
		return NULL;
	proc->tg = door_tg_get();
	if (!proc->tg) {
		kfree(proc);
		return NULL;
	}
	kref_init(&proc->ref);
	spin_lock_init(&proc->lock);
	proc->tgid = get_pid(task_tgid(current));
	proc->files = current->files;
	INIT_LIST_HEAD(&proc->doors);
	door_pool_init(&proc->pool);
	xa_init(&proc->threads);
	return proc;
}

static void door_thread_free_rcu(struct rcu_head *rcu)
{
	struct door_thread *thr = container_of(rcu, struct door_thread, rcu);

	put_pid(thr->pid);
	kfree(thr);
}

/*
 * Free a door_thread that is out of proc->threads.  Lookups and prunes
 * that found it in the xarray just before may still be reading it and its
 * struct pid (pid_task()): both go after an RCU grace period.
 */
static void door_thread_free(struct door_thread *thr)
{
	door_thread_release_serving(thr);
	if (thr->bound)
		door_put(thr->bound);
	door_sched_state_put(thr->sched);
	call_rcu(&thr->rcu, door_thread_free_rcu);
}

static void door_proc_free(struct kref *ref)
{
	struct door_proc *proc = container_of(ref, struct door_proc, ref);

	xa_destroy(&proc->threads);
	door_tg_put(proc->tg);
	put_pid(proc->tgid);
	kfree(proc);
}

void door_proc_put(struct door_proc *proc)
{
	kref_put(&proc->ref, door_proc_free);
}

/*
 * The control file is gone: no thread can be in one of its ioctls any more,
 * so none is idle in a pool.  End the server side and free the threads
 * (their bound and served doors hold references to the proc).
 */
void door_proc_release(struct door_proc *proc)
{
	struct door_thread *thr;
	unsigned long idx;

	door_proc_shutdown(proc);
	xa_for_each(&proc->threads, idx, thr) {
		xa_erase(&proc->threads, idx);
		door_thread_free(thr);
	}
	door_proc_put(proc);
}

/*
 * End the server side of a process: revoke its doors, fail the calls queued
 * for its threads with EBADF and those being served with EINTR.  Idempotent.
 */
void door_proc_shutdown(struct door_proc *proc)
{
	struct door_object *door, *tmp;
	struct door_thread *thr;
	unsigned long idx;
	LIST_HEAD(drop);

	spin_lock(&proc->lock);
	if (proc->dead) {
		spin_unlock(&proc->lock);
		return;
	}
	proc->dead = true;
	list_for_each_entry(door, &proc->doors, proc_node) {
		if (!(door->flags & DOOR_F_REVOKED))
			trace_door_revoke(door->id);
		door->flags |= DOOR_F_REVOKED;
		if (door->pool != &proc->pool) {
			door_pool_fail_waiting(door->pool, NULL, -EBADF);
			door_pool_end(door->pool, &drop);
		}
	}
	door_pool_fail_waiting(&proc->pool, NULL, -EBADF);
	door_pool_end(&proc->pool, &drop);
	xa_for_each(&proc->threads, idx, thr)
		if (thr->call)
			door_call_finish(thr->call, -EINTR);
	spin_unlock(&proc->lock);

	list_for_each_entry_safe(door, tmp, &drop, unref_node) {
		list_del_init(&door->unref_node);
		door_put(door);
	}
}

/*
 * Free the leftovers of an exited thread, already out of proc->threads.
 * Its caller, if it still had one, gets EINTR.  Freed only after taking
 * proc->lock, so that door_proc_shutdown() is not walking it.
 */
static void door_thread_reap(struct door_proc *proc, struct door_thread *old)
{
	spin_lock(&proc->lock);
	door_pool_leave(old);
	if (old->call)
		door_call_finish(old->call, -EINTR);
	spin_unlock(&proc->lock);
	door_thread_free(old);
}

/*
 * @thr's thread has exited or is exiting.  A thread that exec()s takes
 * over its group leader's struct pid (de_thread()), so the pid's task is
 * compared with the entry's (pointers only).  rcu_read_lock() held.
 */
static bool door_thread_gone(struct door_thread *thr)
{
	struct task_struct *t = pid_task(thr->pid, PIDTYPE_PID);

	return !t || t != thr->task || (READ_ONCE(t->flags) & PF_EXITING);
}

/*
 * A new server thread arrived: free the entries of threads that have
 * exited (cancelled ones, a pool that shrank), so that a long-running
 * server does not keep one for every thread it ever had.  Several threads
 * may prune at once: the xa_cmpxchg() decides which one reaps an entry,
 * and RCU keeps an entry readable for the others until they move on.
 * Entries of exited threads pin only a struct pid; at any time there are
 * at most as many of them as threads were alive at the last prune.
 */
static void door_threads_prune(struct door_proc *proc)
{
	struct door_thread *thr;
	unsigned long idx;

	rcu_read_lock();
	xa_for_each(&proc->threads, idx, thr) {
		if (!door_thread_gone(thr))
			continue;
		if (xa_cmpxchg(&proc->threads, idx, thr, NULL, 0) != thr)
			continue;
		rcu_read_unlock();
		door_thread_reap(proc, thr);
		rcu_read_lock();
	}
	rcu_read_unlock();
}

/*
 * The calling thread's door_thread, made on its first door_return
 * (door_thread_get, when door_thread_find has none).  A stale entry left
 * by an exited thread whose pid was reused is replaced; if that thread was
 * still bound to a caller, the caller gets EINTR.
 */
struct door_thread *door_thread_new(struct door_proc *proc)
{
	pid_t nr = task_pid_nr(current);
	struct door_thread *thr, *old;

	thr = kzalloc(sizeof(*thr), GFP_KERNEL_ACCOUNT);
	if (!thr)
		return ERR_PTR(-ENOMEM);
	thr->sched = door_sched_state_new();
	if (!thr->sched) {
		kfree(thr);
		return ERR_PTR(-ENOMEM);
	}
	thr->proc = proc;
	thr->pid = get_pid(task_pid(current));
	thr->task = current;
	thr->nr = nr;
	/* A late cancellation must not match a new entry's first numbers. */
	thr->last_seq = get_random_u64();
	thr->sched->ended = thr->last_seq;
	INIT_LIST_HEAD(&thr->pool_node);
	door_pool_thread_init(thr);

	old = xa_store(&proc->threads, nr, thr, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old)) {
		door_sched_state_put(thr->sched);
		put_pid(thr->pid);
		kfree(thr);
		return ERR_PTR(xa_err(old));
	}
	if (old)
		door_thread_reap(proc, old);
	door_threads_prune(proc);
	return thr;
}

long door_ioc_bind(struct door_proc *proc, int __user *ufd)
{
	struct door_object *door;
	struct door_thread *thr;
	struct file *file;
	int fd;

	if (get_user(fd, ufd))
		return -EFAULT;
	file = door_fget(fd);
	if (!file)
		return -EBADF;
	door = door_from_file(file);
	if (!door) {
		fput(file);
		return -EBADF;
	}
	if (!(door->attributes & DOOR_PRIVATE) || door->proc != proc) {
		door_fput(file);
		return -EINVAL;
	}
	thr = door_thread_get(proc);
	if (IS_ERR(thr)) {
		door_fput(file);
		return PTR_ERR(thr);
	}
	kref_get(&door->ref);
	door_fput(file);
	/* The thread is in this ioctl, so it is not idle in a pool now. */
	if (thr->bound)
		door_put(thr->bound);
	thr->bound = door;
	return 0;
}

long door_ioc_unbind(struct door_proc *proc)
{
	struct door_thread *thr = door_thread_find(proc);

	if (!thr || !thr->bound)
		return -EBADF;
	door_put(thr->bound);
	thr->bound = NULL;
	return 0;
}

long door_ioc_set_cancel(struct door_proc *proc, int __user *usig)
{
	int sig;

	if (get_user(sig, usig))
		return -EFAULT;
	if (sig < 0 || sig > _NSIG || sig == SIGKILL || sig == SIGSTOP)
		return -EINVAL;
	WRITE_ONCE(proc->cancel_sig, sig);
	return 0;
}
