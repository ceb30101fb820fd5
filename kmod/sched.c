// SPDX-License-Identifier: GPL-2.0
/*
 * sched.c - priority inheritance: a server thread runs at its caller's
 * priority while it serves the call, if that is higher than its own.
 *
 * The caller's scheduling attributes are captured at door_call time.  The
 * server thread compares them with its own when it takes the invocation,
 * in its own context, and if the caller's rank higher it runs at the
 * caller's until its next door_return, which restores its own attributes
 * exactly (policy, priority, nice and SCHED_RESET_ON_FORK).
 *
 * The rules (door(4), door_call(3)):
 *  - inheritance only raises: a server thread never runs below its own
 *    priority for a caller's sake (SCHED_IDLE and lower nice values of a
 *    caller are not passed on);
 *  - SCHED_DEADLINE is neither passed on nor replaced: a deadline server
 *    thread keeps its reservation, a deadline caller passes nothing;
 *  - a raised thread has SCHED_RESET_ON_FORK set, so that a process or
 *    thread it creates while serving starts at the default policy;
 *  - the raise ends with the invocation, or as soon as the caller abandons
 *    it (door_sched_end, run by the thread itself on its way back to user
 *    space), even if the procedure never returns.
 * A server thread that calls another door passes its current priority on,
 * since it is then the caller.
 */
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/sched/task.h>
#include <uapi/linux/sched/types.h>

#include "door_internal.h"

static bool door_rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

void door_sched_capture(struct door_sched *s, struct task_struct *t)
{
	s->policy = t->policy;
	s->rt_priority = t->rt_priority;
	s->nice = task_nice(t);
	s->reset_on_fork = t->sched_reset_on_fork;
}

/*
 * What a thread at @own runs at to serve a caller at @caller, in @to.
 * Returns false if @own ranks at least as high already (or is deadline).
 */
static bool door_sched_boost(const struct door_sched *own,
			     const struct door_sched *caller,
			     struct door_sched *to)
{
	if (own->policy == SCHED_DEADLINE || caller->policy == SCHED_DEADLINE ||
	    caller->policy == SCHED_IDLE)
		return false;
	memset(to, 0, sizeof(*to));
	to->reset_on_fork = true;
	if (door_rt_policy(caller->policy)) {
		if (door_rt_policy(own->policy) &&
		    own->rt_priority >= caller->rt_priority)
			return false;
		to->policy = caller->policy;
		to->rt_priority = caller->rt_priority;
		return true;
	}
	/* The caller is in a fair class (SCHED_NORMAL or SCHED_BATCH). */
	if (door_rt_policy(own->policy))
		return false;
	if (own->policy == SCHED_IDLE) {
		to->policy = SCHED_NORMAL;
		to->nice = caller->nice;
		return true;
	}
	if (caller->nice >= own->nice)
		return false;
	to->policy = own->policy;
	to->nice = caller->nice;
	return true;
}

/* Set the calling thread's attributes to @s (never deadline). */
static void door_sched_set(const struct door_sched *s)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = s->policy,
		.sched_flags = s->reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0,
	};

	if (door_rt_policy(s->policy))
		attr.sched_priority = s->rt_priority;
	else
		attr.sched_nice = s->nice;
	sched_setattr_nocheck(current, &attr);
}

/* The server thread takes on its caller's priority, if higher. */
void door_sched_inherit(struct door_thread *thr)
{
	struct door_sched own, to;

	if (thr->unref)
		return;
	door_sched_capture(&own, current);
	if (!door_sched_boost(&own, &thr->caller_sched, &to))
		return;
	thr->own_sched = own;
	thr->sched_inherited = true;
	door_sched_set(&to);
}

/* The server thread goes back to its own priority.  Called by itself. */
void door_sched_restore(struct door_thread *thr)
{
	if (!thr->sched_inherited)
		return;
	thr->sched_inherited = false;
	door_sched_set(&thr->own_sched);
}

/* A request to a server thread to drop the priority of an invocation. */
struct door_sched_end_work {
	struct callback_head cb;
	struct door_proc *proc;		/* reference held */
	u64 seq;			/* the abandoned invocation */
};

/*
 * Task work, run by the server thread itself on its way back to user space
 * (or at its exit): if it still serves invocation @seq, whose caller has
 * gone, it goes back to its own priority.  Under proc->lock, so that a
 * prune or release cannot free the thread's entry meanwhile.
 */
static void door_sched_end_fn(struct callback_head *cb)
{
	struct door_sched_end_work *w =
		container_of(cb, struct door_sched_end_work, cb);
	struct door_proc *proc = w->proc;
	struct door_thread *thr;
	struct door_sched own;
	bool restore = false;

	spin_lock(&proc->lock);
	thr = proc->dead ? NULL : door_thread_find(proc);
	if (thr && thr->seq == w->seq && !thr->call && thr->sched_inherited) {
		own = thr->own_sched;
		thr->sched_inherited = false;
		restore = true;
	}
	spin_unlock(&proc->lock);
	if (restore)
		door_sched_set(&own);
	door_proc_put(proc);
	kfree(w);
}

/*
 * The caller of invocation @seq, served by the thread @spid of @proc, has
 * abandoned it: have that thread drop the priority it inherited.  Called
 * by the caller, without locks.
 */
void door_sched_end(struct door_proc *proc, struct pid *spid, u64 seq)
{
	struct door_sched_end_work *w;
	struct task_struct *t;

	t = get_pid_task(spid, PIDTYPE_PID);
	if (!t)
		return;
	w = kmalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (w) {
		init_task_work(&w->cb, door_sched_end_fn);
		kref_get(&proc->ref);
		w->proc = proc;
		w->seq = seq;
		if (task_work_add(t, &w->cb, TWA_RESUME)) {
			/* It is exiting: its priority no longer matters. */
			door_proc_put(proc);
			kfree(w);
		}
	}
	put_task_struct(t);
}
