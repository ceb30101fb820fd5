// SPDX-License-Identifier: GPL-2.0
/*
 * sched.c - priority inheritance: a server thread runs at its caller's
 * priority while it serves the call.
 *
 * The caller's scheduling class, RT priority and nice value are captured at
 * door_call time.  The server thread applies them to itself when it takes
 * the invocation, in its own context, and restores its own settings at its
 * next door_return.  A server thread that calls another door passes the
 * priority on, since it is then the caller.
 */
#include <linux/sched.h>
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
}

static bool door_sched_same(const struct door_sched *a,
			    const struct door_sched *b)
{
	return a->policy == b->policy && a->rt_priority == b->rt_priority &&
	       a->nice == b->nice;
}

static void door_sched_set(const struct door_sched *s)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = s->policy,
		.sched_priority = s->rt_priority,
		.sched_nice = s->nice,
	};

	/* Same class and not RT: the nice value is all that differs. */
	if (s->policy == current->policy && !door_rt_policy(s->policy)) {
		set_user_nice(current, s->nice);
		return;
	}
	if (s->policy == SCHED_DEADLINE)
		return;
	if (door_rt_policy(s->policy))
		attr.sched_nice = 0;
	else
		attr.sched_priority = 0;
	sched_setattr_nocheck(current, &attr);
}

/* The server thread takes on its caller's priority. */
void door_sched_inherit(struct door_thread *thr)
{
	struct door_sched own;

	if (thr->unref)
		return;
	door_sched_capture(&own, current);
	if (door_sched_same(&own, &thr->caller_sched))
		return;
	thr->own_sched = own;
	thr->sched_inherited = true;
	door_sched_set(&thr->caller_sched);
}

/* The server thread goes back to its own priority.  Called by itself. */
void door_sched_restore(struct door_thread *thr)
{
	if (!thr->sched_inherited)
		return;
	thr->sched_inherited = false;
	door_sched_set(&thr->own_sched);
}
