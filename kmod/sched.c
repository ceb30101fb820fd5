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
 *    priority for a caller's sake (SCHED_IDLE and higher nice values of a
 *    caller are not passed on);
 *  - SCHED_DEADLINE is neither passed on nor replaced: a deadline server
 *    thread keeps its reservation, a deadline caller passes nothing;
 *  - a raised thread has SCHED_RESET_ON_FORK set, so that a process or
 *    thread it creates while serving does not keep a real-time policy or
 *    a negative nice value (the kernel resets nothing else at fork: a
 *    raise within the fair classes, from SCHED_IDLE or a nice value above
 *    0, stays with such a child);
 *  - the raise ends with the invocation: at the thread's next door_return,
 *    or, when the invocation ends otherwise (the caller interrupted, the
 *    server side gone, the thread's entry freed), at once, by whoever ends
 *    it (door_sched_end), even while the procedure runs on or sleeps;
 *  - a server thread that calls another door passes its current priority
 *    on, since it is then the caller; that nested call keeps what it was
 *    given until it returns.
 * Every change the module makes to a thread's attributes is made under
 * its door_sched_state's mutex, so that a late door_sched_end never
 * undoes a later raise.
 */
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sched/task.h>
#include <uapi/linux/sched/types.h>

#include "door_internal.h"

static bool door_rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
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

/* Set @t's attributes to @s (never deadline). */
static void door_sched_set(struct task_struct *t, const struct door_sched *s)
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
	sched_setattr_nocheck(t, &attr);
}

struct door_sched_state *door_sched_state_new(void)
{
	struct door_sched_state *st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);

	if (!st)
		return NULL;
	refcount_set(&st->ref, 1);
	mutex_init(&st->lock);
	return st;
}

void door_sched_state_put(struct door_sched_state *st)
{
	if (!refcount_dec_and_test(&st->ref))
		return;
	/* Whoever ended the last invocation restored the thread. */
	WARN_ON_ONCE(st->inherited);
	mutex_destroy(&st->lock);
	kfree(st);
}

/*
 * The server thread takes on its caller's priority, if higher.  Called by
 * itself once it has received the arguments of invocation thr->seq; not
 * if that invocation has ended already (door_sched_end came first).  The
 * inline door_sched_inherit() has already passed over notifications and
 * the common case that keeps the thread's own priority.
 */
void __door_sched_inherit(struct door_thread *thr)
{
	struct door_sched_state *st = thr->sched;
	struct door_sched own, to;

	door_sched_capture(&own, current);
	if (!door_sched_boost(&own, &thr->caller_sched, &to))
		return;
	mutex_lock(&st->lock);
	if (st->ended != thr->seq && !st->inherited) {
		st->own = own;
		st->seq = thr->seq;
		st->task = get_task_struct(current);
		st->inherited = true;
		door_sched_set(current, &to);
	}
	mutex_unlock(&st->lock);
}

/* Back to the thread's own attributes, if raised.  @st->lock held. */
static void door_sched_drop(struct door_sched_state *st)
{
	if (!st->inherited)
		return;
	st->inherited = false;
	door_sched_set(st->task, &st->own);
	put_task_struct(st->task);
	st->task = NULL;
}

/*
 * The server thread goes back to its own priority.  Called by itself,
 * through door_sched_restore() when it had inherited one.
 */
void __door_sched_restore(struct door_sched_state *st)
{
	mutex_lock(&st->lock);
	door_sched_drop(st);
	mutex_unlock(&st->lock);
}

/*
 * Invocation @seq ended other than by the thread's door_return (0: the
 * thread's entry is freed, whatever it serves): the thread goes back to
 * its own attributes now, and does not take the caller's on if it has not
 * yet.  Called by anyone, in process context, without spinlocks.
 */
void door_sched_end(struct door_sched_state *st, u64 seq)
{
	mutex_lock(&st->lock);
	/* Numbers grow per thread: a late end of an older one changes nothing. */
	if (seq && (s64)(seq - st->ended) > 0)
		st->ended = seq;
	if (!seq || st->seq == seq)
		door_sched_drop(st);
	mutex_unlock(&st->lock);
}
