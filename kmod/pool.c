// SPDX-License-Identifier: GPL-2.0
/*
 * pool.c - server thread pools: idle threads, waiting calls, queued
 * unreferenced notifications, and handing either kind of work to a thread.
 *
 * A process has one pool, and each private door one of its own.  A thread
 * that has nothing to serve waits idle in the pool of the door it is bound
 * to, or in its process's.  Work given to a pool goes to an idle thread at
 * once if there is one, chosen on the giver's CPU where possible so that
 * the handoff stays on that CPU; otherwise it waits in the pool, and the
 * next thread to look for work takes it: unreferenced notifications first,
 * then calls, first come first served.
 *
 * Everything here runs under the pool's process's proc->lock (see
 * door_internal.h), except door_pool_init() and door_pool_wait(), which
 * takes it.
 *
 * A pool with a depletion descriptor (depletion.c) is told here of every
 * change that can leave work waiting with no idle thread to take it: work
 * queued, an idle thread leaving; and of its end.  Such a pool hands out
 * no DOOR_INV_DEPLETED.
 */
#include <linux/sched.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/smp.h>

#include "door_internal.h"
#include "door_trace.h"

/*
 * How many idle threads a caller looks at for one that last ran on its
 * CPU: the list is most recently idle first, so a thread that ran here
 * lately is near its head.
 */
#define DOOR_POOL_SCAN	8

void door_pool_init(struct door_pool *pool)
{
	INIT_LIST_HEAD(&pool->idle);
	INIT_LIST_HEAD(&pool->waiting);
	INIT_LIST_HEAD(&pool->unref);
	pool->nidle = 0;
	pool->nwaiting = 0;
	pool->nunref = 0;
	pool->depletion = NULL;
}

/*
 * A new thread (@thr->task is the calling thread): its wait entry stays on
 * its wait queue for good, so that going idle costs no queueing; the sync
 * wakeups of door_pool_call() reach it through the queue.  Only idle
 * threads are woken, while their task is certain to be there (see
 * door_internal.h).
 */
void door_pool_thread_init(struct door_thread *thr)
{
	init_waitqueue_head(&thr->wq);
	init_waitqueue_func_entry(&thr->wait, default_wake_function);
	thr->wait.private = thr->task;
	add_wait_queue(&thr->wq, &thr->wait);
}

/* Work was queued in @pool or one of its idle threads left. */
static inline void door_pool_changed(struct door_pool *pool)
{
	if (unlikely(pool->depletion))
		door_depletion_wake(pool);
}

/*
 * DOOR_INV_DEPLETED for work handed to a thread of @pool for @door: the
 * pool has no idle thread left, and neither the door nor a depletion
 * descriptor of the pool said not to report it.
 */
static inline bool door_pool_depleted(struct door_pool *pool,
				      struct door_object *door)
{
	return pool->nidle == 0 && !pool->depletion &&
	       !(door->attributes & DOOR_NO_DEPLETION_CB);
}

/*
 * Put @thr in @pool's idle list.  Called by the thread itself, on the CPU
 * it is about to sleep on (a sleeping task moves only if its affinity
 * changes or the CPU goes offline).
 */
void door_pool_enter(struct door_pool *pool, struct door_thread *thr)
{
	list_add(&thr->pool_node, &pool->idle);
	thr->idle = true;
	thr->pool = pool;
	thr->cpu = raw_smp_processor_id();
	pool->nidle++;
}

/* Take @thr out of the idle list it is in, if any. */
void door_pool_leave(struct door_thread *thr)
{
	if (!thr->idle)
		return;
	list_del_init(&thr->pool_node);
	thr->idle = false;
	thr->pool->nidle--;
	door_pool_changed(thr->pool);
}

/*
 * An idle thread of @pool to hand work to, taken out of the idle list:
 * one that last ran on this CPU if there is one among the first few, so
 * that the sync wakeup and the handoff stay here, else the most recently
 * idle.  NULL if none is idle.
 */
static struct door_thread *door_pool_take_idle(struct door_pool *pool)
{
	int cpu = raw_smp_processor_id();
	struct door_thread *thr, *pick = NULL;
	unsigned int n = 0;

	list_for_each_entry(thr, &pool->idle, pool_node) {
		if (thr->cpu == cpu) {
			pick = thr;
			break;
		}
		if (++n == DOOR_POOL_SCAN)
			break;
	}
	if (!pick)
		pick = list_first_entry_or_null(&pool->idle,
						struct door_thread, pool_node);
	if (pick)
		door_pool_leave(pick);
	return pick;
}

/*
 * Give @call to @thr, which is not idle in any pool.  The thread takes over
 * the arguments, and borrows the caller's door, credentials and pid: the
 * caller waits in its ioctl, holding them, until the call is finished, and
 * whoever finishes it other than the thread's own door_return takes
 * references to them for the thread (door_call_finish).
 */
static void door_hand_over(struct door_call *call, struct door_thread *thr,
			   struct door_pool *pool)
{
	struct door_object *door = call->door;

	call->state = DOOR_CALL_ACTIVE;
	call->taken = true;
	call->server = thr;
	thr->call = call;
	door->active++;
	door->served++;

	door_payload_move(&thr->args, &call->args);
	thr->serving = door;
	thr->caller_cred = call->cred;
	thr->caller_tgid = call->tgid;
	thr->no_results = call->no_results;
	/*
	 * Invocations are numbered per thread: the number only tells the
	 * thread's invocations apart (cancellation, priority inheritance).
	 */
	if (!++thr->last_seq)
		++thr->last_seq;
	call->seq = thr->last_seq;
	thr->seq = call->seq;
	thr->caller_sched = call->sched;
	thr->depleted = door_pool_depleted(pool, door);
}

/*
 * Give the unreferenced notification of @door to @thr, which is not idle in
 * any pool; the thread takes over the queue's door reference.
 */
static void door_hand_over_unref(struct door_object *door,
				 struct door_thread *thr,
				 struct door_pool *pool)
{
	thr->call = NULL;
	thr->seq = 0;
	thr->serving = door;
	thr->unref = true;
	thr->no_results = false;
	thr->depleted = door_pool_depleted(pool, door);
}

/*
 * Give @call to an idle thread of its door's pool, woken with a sync
 * wakeup, and return that thread; or, if none is idle, queue the call in
 * the pool and return NULL.
 */
struct door_thread *door_pool_call(struct door_call *call)
{
	struct door_pool *pool = call->door->pool;
	struct door_thread *thr;

	trace_door_call(call->door->id, call->args.size, call->args.ndesc,
			list_empty(&pool->idle));
	thr = door_pool_take_idle(pool);
	if (!thr) {
		call->state = DOOR_CALL_QUEUED;
		list_add_tail(&call->pool_node, &pool->waiting);
		pool->nwaiting++;
		door_pool_changed(pool);
		return NULL;
	}
	door_hand_over(call, thr, pool);
	wake_up_interruptible_sync(&thr->wq);
	return thr;
}

/* Take queued @call out of its pool. */
void door_pool_withdraw(struct door_call *call)
{
	list_del_init(&call->pool_node);
	call->door->pool->nwaiting--;
}

/*
 * Queue the unreferenced notification of @door in its pool, or give it to
 * an idle thread right away.
 */
void door_unref_queue(struct door_object *door)
{
	struct door_pool *pool = door->pool;
	struct door_thread *thr;

	/* Nobody would serve it (and its reference would keep the door). */
	if (door->proc->dead || (door->flags & DOOR_F_REVOKED))
		return;
	trace_door_unref(door->id);
	door->flags |= DOOR_F_UNREF_PENDING | DOOR_F_UNREF_DONE;
	kref_get(&door->ref);
	thr = door_pool_take_idle(pool);
	if (!thr) {
		list_add_tail(&door->unref_node, &pool->unref);
		pool->nunref++;
		door_pool_changed(pool);
		return;
	}
	door_hand_over_unref(door, thr, pool);
	wake_up_interruptible(&thr->wq);
}

/*
 * Wait in the thread's pool until work is handed over: take a queued
 * notification or call, else sleep idle.  Returns 0 with thr->serving set
 * (thr->call may already be NULL again if the caller has given up), or a
 * negative error (the server side ended, a signal).  Takes proc->lock.
 */
int door_pool_wait(struct door_thread *thr)
{
	struct door_proc *proc = thr->proc;
	struct door_pool *pool = door_thread_pool(thr);
	struct door_call *call;
	int ret = 0;

	spin_lock(&proc->lock);
	for (;;) {
		if (thr->serving)
			break;
		if (proc->dead) {
			ret = -EBADF;
			break;
		}
		if (!list_empty(&pool->unref)) {
			struct door_object *door;

			door = list_first_entry(&pool->unref, struct door_object,
						unref_node);
			list_del_init(&door->unref_node);
			pool->nunref--;
			door_hand_over_unref(door, thr, pool);
			break;
		}
		if (!list_empty(&pool->waiting)) {
			call = list_first_entry(&pool->waiting,
						struct door_call, pool_node);
			door_pool_withdraw(call);
			door_hand_over(call, thr, pool);
			/* Its caller closes its DOOR_RELEASE descriptors now. */
			if (call->release.n)
				wake_up(&call->wq);
			break;
		}
		if (ret)
			break;
		if (!thr->idle)
			door_pool_enter(pool, thr);
		/*
		 * Whoever hands work over (or ends the pool) does it under
		 * the lock, then wakes thr->wq: the state set before the
		 * lock goes makes that wakeup count even if it comes before
		 * schedule().
		 */
		set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&proc->lock);
		if (signal_pending(current))
			ret = -ERESTARTSYS;
		else if (!READ_ONCE(thr->serving) && !READ_ONCE(proc->dead))
			schedule();
		__set_current_state(TASK_RUNNING);
		spin_lock(&proc->lock);
	}
	door_pool_leave(thr);
	spin_unlock(&proc->lock);
	return thr->serving ? 0 : ret;
}

/* Fail every call queued in @pool (for @door only, if not NULL) with @error. */
void door_pool_fail_waiting(struct door_pool *pool, struct door_object *door,
			    int error)
{
	struct door_call *call, *tmp;

	list_for_each_entry_safe(call, tmp, &pool->waiting, pool_node) {
		if (!door || call->door == door)
			door_call_finish(call, error);
	}
	if (pool->depletion)
		door_depletion_check_end(pool);
}

/*
 * The server side is over: wake every idle thread of @pool so that it
 * notices, and move its pending unreferenced notifications to @drop.
 */
void door_pool_end(struct door_pool *pool, struct list_head *drop)
{
	struct door_thread *thr;
	struct door_object *door;

	list_for_each_entry(thr, &pool->idle, pool_node)
		wake_up_interruptible(&thr->wq);
	list_for_each_entry(door, &pool->unref, unref_node)
		door->flags &= ~DOOR_F_UNREF_PENDING;
	list_splice_init(&pool->unref, drop);
	pool->nunref = 0;
	if (pool->depletion)
		door_depletion_check_end(pool);
}
