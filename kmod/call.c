// SPDX-License-Identifier: GPL-2.0
/*
 * call.c - door_call and door_return: the handoff between caller and server.
 *
 * A caller takes one idle server thread off its door's pool, hands it the
 * call and wakes exactly that thread with a sync wakeup, then sleeps on its
 * own wait queue.  If no thread is idle the call waits in the pool and the
 * next thread to enter door_return takes it.  door_return hands the results
 * to the caller and wakes exactly that caller the same way, then waits for
 * the next call.  No work queue, no kernel thread, no polling in between.
 *
 * The caller puts its arguments in a kernel payload before the handoff
 * (small ones inline, large ones as its pinned pages); the server copies
 * them out in its own context after it wakes.  Results travel in a kernel
 * buffer in the other direction, except large ones that fit the caller's
 * result buffer: the caller pins that buffer before the handoff, and the
 * server writes its results into the pages from its own memory, in its own
 * context (door_results_place).  A fault on the server's memory is the
 * server's own wait; the caller may abandon the call meanwhile, and nothing
 * is written once it has.
 *
 * Two Linux extensions.  door_reply hands the results over early
 * (call->results, the call still ACTIVE) and the thread's later door_return
 * only finishes the call.  A call with a deadline (DOOR_IOC_CALL_TIMED)
 * that expires is withdrawn if still queued, or detached from its server
 * thread, which is not cancelled: it goes on, finds thr->call NULL (door_reply
 * fails with EPIPE, DOOR_IOC_DETACHED says 1) and its results are dropped.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/uaccess.h>
#include <linux/task_work.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/freezer.h>
#include <linux/pid_namespace.h>
#include <linux/user_namespace.h>
#include <linux/nsproxy.h>
#include <linux/time_namespace.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>

#include "door_internal.h"
#include "door_trace.h"

/*
 * Finish @call with @error (0: results are in call->results), unlink it from
 * its pool or server thread and wake the caller.  proc->lock held.
 */
void door_call_finish(struct door_call *call, int error)
{
	if (call->state == DOOR_CALL_QUEUED) {
		door_pool_withdraw(call);
	} else if (call->state == DOOR_CALL_ACTIVE) {
		/*
		 * A notification delayed by this call waits for its caller's
		 * door->calling instead, which lasts longer (object.c).
		 */
		call->door->active--;
		if (call->server) {
			/*
			 * The thread goes on without its caller: what it
			 * borrowed (door_hand_over) becomes its own, and the
			 * caller takes the thread's door_sched_state, to end
			 * the priority it may have passed on (door_call_wait).
			 */
			kref_get(&call->door->ref);
			get_cred(call->cred);
			get_pid(call->tgid);
			refcount_inc(&call->server->sched->ref);
			call->server_sched = call->server->sched;
			call->server->call = NULL;
			call->server = NULL;
		}
	}
	call->error = error;
	WRITE_ONCE(call->state, DOOR_CALL_DONE);
	/*
	 * TASK_NORMAL: the caller may be in a killable wait (stopped).  A
	 * caller handed over to this thread is usually still runnable, not
	 * on the queue: wq_has_sleeper()'s barrier pairs with the one in
	 * prepare_to_wait_event(), after which the caller looks at the state.
	 */
	if (wq_has_sleeper(&call->wq))
		wake_up_sync(&call->wq);
}

/*
 * The request structures of DOOR_IOC_CALL and DOOR_IOC_RETURN are read and
 * written field by field in one user-access section each: for structures
 * this small, a generic copy costs more than the rest of the null call's
 * setup.  Each is also proven writable on the way in (so that results, or
 * an invocation, are never lost to a failing copy-out): it is smaller than
 * a page, so each page it spans holds its first or its last field, and
 * those two are written back with what was read.
 */
static __always_inline int door_call_req_get(struct door_ioc_call *req,
					     struct door_ioc_call __user *u)
{
	BUILD_BUG_ON(sizeof(*u) > PAGE_SIZE);
	if (!user_access_begin(u, sizeof(*u)))
		return -EFAULT;
	unsafe_get_user(req->data_ptr, &u->data_ptr, efault);
	unsafe_get_user(req->data_size, &u->data_size, efault);
	unsafe_get_user(req->desc_ptr, &u->desc_ptr, efault);
	unsafe_get_user(req->desc_num, &u->desc_num, efault);
	unsafe_get_user(req->flags, &u->flags, efault);
	unsafe_get_user(req->rbuf, &u->rbuf, efault);
	unsafe_get_user(req->rsize, &u->rsize, efault);
	unsafe_put_user(req->data_ptr, &u->data_ptr, efault);
	unsafe_put_user(req->rsize, &u->rsize, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

static __always_inline int door_call_req_put(const struct door_ioc_call *req,
					     struct door_ioc_call __user *u)
{
	if (!user_access_begin(u, sizeof(*u)))
		return -EFAULT;
	unsafe_put_user(req->data_ptr, &u->data_ptr, efault);
	unsafe_put_user(req->data_size, &u->data_size, efault);
	unsafe_put_user(req->desc_ptr, &u->desc_ptr, efault);
	unsafe_put_user(req->desc_num, &u->desc_num, efault);
	unsafe_put_user(req->flags, &u->flags, efault);
	unsafe_put_user(req->rbuf, &u->rbuf, efault);
	unsafe_put_user(req->rsize, &u->rsize, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* The results and the buffer of a door_return: the fields before proc. */
static __always_inline int door_return_req_get(struct door_ioc_return *req,
					       struct door_ioc_return __user *u)
{
	u64 seq;

	BUILD_BUG_ON(sizeof(*u) > PAGE_SIZE);
	if (!user_access_begin(u, sizeof(*u)))
		return -EFAULT;
	unsafe_get_user(req->data_ptr, &u->data_ptr, efault);
	unsafe_get_user(req->data_size, &u->data_size, efault);
	unsafe_get_user(req->desc_ptr, &u->desc_ptr, efault);
	unsafe_get_user(req->desc_num, &u->desc_num, efault);
	unsafe_get_user(req->flags, &u->flags, efault);
	unsafe_get_user(req->buf, &u->buf, efault);
	unsafe_get_user(req->buf_size, &u->buf_size, efault);
	unsafe_get_user(seq, &u->seq, efault);
	unsafe_put_user(req->data_ptr, &u->data_ptr, efault);
	unsafe_put_user(seq, &u->seq, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* The invocation taken: every field from proc on (door_return_invoke). */
static __always_inline int
door_return_req_put(const struct door_ioc_return *req,
		    struct door_ioc_return __user *u)
{
	if (!user_access_begin(u, sizeof(*u)))
		return -EFAULT;
	unsafe_put_user(req->proc, &u->proc, efault);
	unsafe_put_user(req->cookie, &u->cookie, efault);
	unsafe_put_user(req->arg_ptr, &u->arg_ptr, efault);
	unsafe_put_user(req->arg_size, &u->arg_size, efault);
	unsafe_put_user(req->adesc_ptr, &u->adesc_ptr, efault);
	unsafe_put_user(req->adesc_num, &u->adesc_num, efault);
	unsafe_put_user(req->inv_flags, &u->inv_flags, efault);
	unsafe_put_user(req->door_id, &u->door_id, efault);
	unsafe_put_user(req->map_ptr, &u->map_ptr, efault);
	unsafe_put_user(req->map_size, &u->map_size, efault);
	unsafe_put_user(req->seq, &u->seq, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* What a thread kept of the invocation it served, taken off the thread. */
struct door_served {
	struct door_object *door;
	const struct cred *cred;
	struct pid *tgid;
	bool unref;
};

/*
 * Take the served invocation off @thr, so that the thread can be handed the
 * next one before the references are dropped (door_served_drop).  Called
 * by the thread itself, or when it is freed; never while it is idle.  The
 * door, credentials and pid of a call are the thread's own references once
 * its call is finished by another (door_call_finish); the thread's own
 * door_return, which finishes it, forgets them instead (borrowed).
 */
static __always_inline void door_thread_detach(struct door_thread *thr,
					       struct door_served *old)
{
	if (thr->task == current)
		door_sched_restore(thr->sched);
	else
		door_sched_end(thr->sched, 0);
	door_payload_free(&thr->args);
	old->door = thr->serving;
	old->cred = thr->caller_cred;
	old->tgid = thr->caller_tgid;
	old->unref = thr->unref;
	thr->replied = false;
	thr->serving = NULL;
	thr->caller_cred = NULL;
	thr->caller_tgid = NULL;
	thr->unref = false;
}

static void __door_served_drop(struct door_served *old)
{
	struct door_object *door = old->door;

	if (old->unref) {
		struct door_proc *proc = door->proc;

		spin_lock(&proc->lock);
		door->flags &= ~DOOR_F_UNREF_PENDING;
		/* DOOR_UNREF_MULTI: it became unreferenced again meanwhile. */
		if (door->flags & DOOR_F_UNREF_AGAIN) {
			door->flags &= ~DOOR_F_UNREF_AGAIN;
			door_unref_deliver(door);
		}
		spin_unlock(&proc->lock);
	}
	if (door)
		door_put(door);
	if (old->cred)
		put_cred(old->cred);
	put_pid(old->tgid);
}

/* Nothing kept: a call finished by the thread's own door_return. */
static __always_inline void door_served_drop(struct door_served *old)
{
	if (old->door || old->cred || old->tgid)
		__door_served_drop(old);
}

/*
 * Drop what a thread kept of the invocation it served, once nobody waits
 * for it any more (thr->call NULL: the references are the thread's).
 */
void door_thread_release_serving(struct door_thread *thr)
{
	struct door_served old;

	door_thread_detach(thr, &old);
	door_served_drop(&old);
}

static bool door_call_done(struct door_call *call)
{
	return READ_ONCE(call->state) == DOOR_CALL_DONE;
}

/*
 * The caller of the invocation @thr serves was interrupted: ask the thread
 * to cancel it (DOOR_IOC_SET_CANCEL).  The signal says where it comes
 * from: SI_QUEUE from the caller's process and real uid (as the server
 * thread's namespaces see them), with the invocation number as its value.
 * proc->lock held.
 */
static void door_call_cancel(struct door_call *call, struct door_thread *thr)
{
	int sig = READ_ONCE(call->door->proc->cancel_sig);
	struct kernel_siginfo info;
	struct task_struct *t;

	if (!sig || (call->door->attributes & DOOR_NO_CANCEL))
		return;
	rcu_read_lock();
	t = pid_task(thr->pid, PIDTYPE_PID);
	if (t && t == thr->task) {
		clear_siginfo(&info);
		info.si_signo = sig;
		info.si_code = SI_QUEUE;
		info.si_pid = pid_nr_ns(call->tgid, task_active_pid_ns(t));
		info.si_uid = from_kuid_munged(task_cred_xxx(t, user_ns),
					       call->cred->uid);
		info.si_int = (int)lower_32_bits(call->seq);
		send_sig_info(sig, &info, t);
	}
	rcu_read_unlock();
}

/*
 * A pending signal ends the caller's wait if it will be delivered to a
 * handler or kill the process.  A stop (SIGSTOP, SIGTSTP...), a ptrace
 * attach or interrupt and a freezer only ask the task to leave the kernel
 * for a while: they do not fail a door_call.
 */
static bool door_signal_abandons(void)
{
	/* Only the task itself (at exec) replaces its sighand. */
	struct sighand_struct *sh = rcu_dereference_protected(current->sighand, 1);
	sigset_t pending;
	bool ret = false;
	int sig;

	if (fatal_signal_pending(current))
		return true;
	spin_lock_irq(&sh->siglock);
	sigorsets(&pending, &current->pending.signal,
		  &current->signal->shared_pending.signal);
	sigandnsets(&pending, &pending, &current->blocked);
	for (sig = 1; sig <= _NSIG && !ret; sig++) {
		__sighandler_t h;

		if (!sigismember(&pending, sig))
			continue;
		h = sh->action[sig - 1].sa.sa_handler;
		if (h == SIG_IGN)
			continue;
		ret = h != SIG_DFL || (!sig_kernel_ignore(sig) &&
				       !sig_kernel_stop(sig));
	}
	spin_unlock_irq(&sh->siglock);
	return ret;
}

/*
 * Wait for @call while a stop, trace or freeze is pending: an interruptible
 * sleep would return at once.  The wait is killable and freezable, and
 * every 50 ms it looks again for a signal that abandons the call (one for
 * a handler that came meanwhile).  Returns 0 once the call is finished,
 * -ERESTARTSYS to abandon it, -ETIME at @deadline (KTIME_MAX: none).
 */
static int door_call_wait_held(struct door_call *call, ktime_t deadline)
{
	struct wait_queue_entry wait;
	bool expired = false;
	ktime_t until;
	long intr;
	int ret = 0;

	init_wait_entry(&wait, 0);
	for (;;) {
		/* Taken by a server thread: the caller's part is passed. */
		if (call->release.n &&
		    READ_ONCE(call->state) == DOOR_CALL_ACTIVE)
			door_release_close(&call->release);
		intr = prepare_to_wait_event(&call->wq, &wait,
					     TASK_KILLABLE | TASK_FREEZABLE);
		if (door_call_done(call))
			break;
		if (intr) {
			ret = intr;
			break;
		}
		if (expired) {
			ret = -ETIME;
			break;
		}
		until = ktime_add_ms(ktime_get(), 50);
		if (ktime_compare(until, deadline) >= 0)
			until = deadline;
		if (schedule_hrtimeout_range(&until, current->timer_slack_ns,
					     HRTIMER_MODE_ABS))
			continue;
		/* Once more round: the call may have finished meanwhile. */
		if (until == deadline) {
			expired = true;
		} else if (door_signal_abandons()) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	finish_wait(&call->wq, &wait);
	return ret;
}

/*
 * The caller's wait is over: its call is finished, or a server thread has
 * just taken it and the caller has DOOR_RELEASE descriptors to close.
 */
static bool door_call_ready(struct door_call *call)
{
	enum door_call_state state = READ_ONCE(call->state);

	return state == DOOR_CALL_DONE ||
	       (state == DOOR_CALL_ACTIVE && call->release.n);
}

/*
 * Sleep until door_call_ready(@call), a signal or @deadline (KTIME_MAX:
 * none), interruptible and freezable as wait_event_freezable().  Returns 0
 * when ready, -ERESTARTSYS for a signal, -ETIME at the deadline.
 */
static int door_call_sleep(struct door_call *call, ktime_t deadline)
{
	/* Set by init_wait_entry(); most calls never get that far. */
	struct wait_queue_entry wait __uninitialized;
	bool expired = false;
	ktime_t until;
	long intr;
	int ret = 0;

	/* As wait_event(): a handoff usually finds its call done already. */
	if (door_call_ready(call))
		return 0;
	init_wait_entry(&wait, 0);
	for (;;) {
		intr = prepare_to_wait_event(&call->wq, &wait,
					     TASK_INTERRUPTIBLE | TASK_FREEZABLE);
		if (door_call_ready(call))
			break;
		if (intr) {
			ret = intr;
			break;
		}
		if (expired) {
			ret = -ETIME;
			break;
		}
		if (deadline == KTIME_MAX) {
			schedule();
			continue;
		}
		until = deadline;
		/* Expired: once more round, the call may have finished. */
		if (!schedule_hrtimeout_range(&until, current->timer_slack_ns,
					      HRTIMER_MODE_ABS))
			expired = true;
	}
	finish_wait(&call->wq, &wait);
	return ret;
}

/*
 * Wait until @call is finished.  A signal for a handler (or a fatal one)
 * abandons it: EAGAIN if no server thread had taken it yet, EINTR
 * otherwise, and the server thread is asked to cancel.  A server thread
 * whose invocation ended other than by its door_return (this, or its
 * server side ending) loses the caller's priority here.
 *
 * A stop, trace or freeze does not abandon the call.  A call still queued
 * is withdrawn and the ioctl restarted once the task resumes
 * (-ERESTARTNOINTR) if it can be (@restartable: no door is passed, whose
 * reference going away could fire a notification; DOOR_RELEASE
 * descriptors are not closed before a thread takes the call, see
 * door_ioc_call); otherwise the caller keeps waiting (door_call_wait_held)
 * and the stop takes effect once the call is finished.  When a server
 * thread takes the call, the caller's DOOR_RELEASE descriptors are closed
 * here, by the caller.
 *
 * At @deadline (KTIME_MAX: none; the ioctl's restart keeps it, absolute)
 * the call fails with ETIMEDOUT: withdrawn if still queued, else detached
 * from its server thread without cancelling it.  The thread loses the
 * caller's priority then, as when the caller is interrupted.
 *
 * Returns with the call finished and proc->lock taken and released after
 * that, so no server still touches the call.
 */
static void door_call_wait(struct door_call *call, struct door_proc *proc,
			   bool restartable, ktime_t deadline)
{
	struct door_sched_state *st;
	int ret;

	for (;;) {
		ret = door_call_sleep(call, deadline);
		if (ret || door_call_done(call))
			break;
		/* Taken by a server thread: the caller's part is passed. */
		door_release_close(&call->release);
	}
	if (ret == -ERESTARTSYS && !door_signal_abandons()) {
		spin_lock(&proc->lock);
		if (restartable && call->state == DOOR_CALL_QUEUED)
			door_call_finish(call, -ERESTARTNOINTR);
		spin_unlock(&proc->lock);
		ret = door_call_wait_held(call, deadline);
	}

	spin_lock(&proc->lock);
	if (ret == -ETIME && call->state != DOOR_CALL_DONE) {
		/* Withdrawn, or detached: no cancellation, the thread goes on. */
		door_call_finish(call, -ETIMEDOUT);
	} else if (ret && call->state != DOOR_CALL_DONE) {
		if (call->state == DOOR_CALL_ACTIVE && call->server)
			door_call_cancel(call, call->server);
		door_call_finish(call, call->state == DOOR_CALL_QUEUED ?
				 -EAGAIN : -EINTR);
	}
	spin_unlock(&proc->lock);
	st = call->server_sched;
	if (st) {
		if (call->error)
			door_sched_end(st, call->seq);
		door_sched_state_put(st);
		call->server_sched = NULL;
	}
}

/*
 * Place the results in the caller's buffer, or in a new mapping.  Large
 * results the server wrote into the pinned buffer are there already:
 * only their descriptors are left to deliver.
 */
static int door_call_deliver(struct door_call *call, struct door_ioc_call *req)
{
	struct door_payload *r = &call->results;
	size_t span = door_payload_span(r);
	unsigned long addr = req->rbuf;
	u64 udesc;
	int ret;

	if (span > req->rsize) {
		unsigned long len = PAGE_ALIGN(span);

		addr = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, 0);
		if (IS_ERR_VALUE(addr))
			return -EOVERFLOW;
		ret = door_payload_put(r, (void __user *)addr, &udesc);
		if (ret) {
			vm_munmap(addr, len);
			return ret;
		}
		req->rbuf = addr;
		req->rsize = len;
		req->flags |= DOOR_CALL_MAPPED;
	} else {
		ret = door_payload_put(r, (void __user *)addr, &udesc);
		if (ret)
			return ret;
	}
	/* As illumos: no data or no descriptors leave their pointer alone. */
	if (r->size)
		req->data_ptr = addr;
	req->data_size = r->size;
	if (r->ndesc)
		req->desc_ptr = udesc;
	req->desc_num = r->ndesc;
	return 0;
}

/*
 * Check a call against the door's parameters, in illumos' order: a revoked
 * door first (door_call's DOOR_INVALID test), then door_check_limits().
 */
static int door_call_check(struct door_object *door, struct door_ioc_call *req)
{
	u64 dmin, dmax, descmax;

	if (req->flags & ~DOOR_CALL_NO_RESULTS)
		return -EINVAL;
	/* A snapshot; revocation is checked again under the lock. */
	if (READ_ONCE(door->flags) & DOOR_F_REVOKED)
		return -EBADF;
	dmin = READ_ONCE(door->data_min);
	dmax = READ_ONCE(door->data_max);
	descmax = READ_ONCE(door->desc_max);

	if (req->data_size < dmin || req->data_size > dmax)
		return -ENOBUFS;
	if (req->desc_num && (door->attributes & DOOR_REFUSE_DESC))
		return -EOPNOTSUPP;
	if (req->desc_num > descmax)
		return -ENFILE;
	if (req->desc_num > DOOR_MAX_DESC ||
	    req->data_size > READ_ONCE(door_max_data))
		return -E2BIG;
	return 0;
}

/* A door_call, with a deadline unless @deadline is KTIME_MAX. */
static long door_call_do(struct door_object *door, void __user *arg,
			 ktime_t deadline)
{
	struct door_proc *proc = door->proc;
	struct door_ioc_call req;
	/* Set up field by field below: not cleared as a whole (see there). */
	struct door_call call __uninitialized;
	struct task_struct *server = NULL;
	struct door_thread *thr;
	bool restartable, handoff;
	int ret;

	/*
	 * Proven writable now as well: once the results are delivered (fds
	 * installed, a mapping made) a failing copy-out would lose them.
	 */
	if (door_call_req_get(&req, arg))
		return -EFAULT;
	ret = door_call_check(door, &req);
	if (ret)
		return ret;
	/* Passed already (a restart after a stop, a zero timeout). */
	if (deadline != KTIME_MAX && ktime_compare(ktime_get(), deadline) >= 0)
		return -ETIMEDOUT;

	/*
	 * Field by field: clearing the whole of it (720 bytes: two payloads
	 * with their inline buffers), as CONFIG_INIT_STACK_ALL_ZERO would,
	 * costs more than the rest of the setup.  Every field is set here
	 * before the call is published under proc->lock, except those only
	 * read under a condition set with them: rbuf's other fields and
	 * rbuf_written (rbuf.pages), a payload's inline parts (its size and
	 * ndesc).  door_payload_get() sets up the arguments and call.release.
	 */
	call.state = DOOR_CALL_QUEUED;
	call.error = 0;
	call.taken = false;
	call.seq = 0;
	call.server = NULL;
	call.server_sched = NULL;
	call.rbuf.pages = NULL;
	call.rsize = req.rsize;
	door_payload_init(&call.results);
	init_waitqueue_head(&call.wq);
	INIT_LIST_HEAD(&call.pool_node);
	call.door = door;
	call.no_results = req.flags & DOOR_CALL_NO_RESULTS;
	req.flags &= ~DOOR_CALL_NO_RESULTS;
	ret = door_payload_get(&call.args, req.data_ptr, req.data_size,
			       req.desc_ptr, req.desc_num, true, &call.release);
	if (ret)
		return ret;
	/*
	 * The DOOR_RELEASE descriptors stay open until a server thread takes
	 * the call: a call that fails before (EBADF, EAGAIN) or is restarted
	 * leaves them as they were.  A queued call's caller is woken to close
	 * them when a thread takes it (door_pool_wait).
	 */
	restartable = !door_payload_has_doors(&call.args);
	/*
	 * A large result buffer is pinned, so that large results are written
	 * into it once, if the door's server has returned large results
	 * before; if it cannot be (over RLIMIT_MEMLOCK, read-only, not
	 * pinnable), results are copied at delivery as smaller ones are.
	 * Results beyond max_data are refused: no need to pin more.
	 */
	if (req.rsize >= DOOR_PIN_MIN && !call.no_results &&
	    READ_ONCE(door->big_results)) {
		call.rbuf_written = false;
		door_pin_user(&call.rbuf, req.rbuf,
			      min_t(u64, req.rsize, READ_ONCE(door_max_data)),
			      FOLL_WRITE);
	}
	/*
	 * No references of the caller's own: the door file (held by this
	 * ioctl) keeps the door, and the caller its credentials and pid, until
	 * it returns.  A server thread borrows them; they become its own only
	 * if the call is finished other than by its door_return
	 * (door_call_finish).
	 */
	call.cred = current_cred();
	call.tgid = task_tgid(current);
	door_sched_capture(&call.sched, current);
	this_cpu_inc(door_stat_live_calls);

	spin_lock(&proc->lock);
	if (proc->dead || (door->flags & DOOR_F_REVOKED)) {
		spin_unlock(&proc->lock);
		ret = -EBADF;
		goto out;
	}
	thr = door_pool_call(&call);
	handoff = thr && task_cpu(thr->task) == raw_smp_processor_id();
	/* yield_to() needs the task once the lock is gone, schedule() not. */
	if (handoff && !need_resched())
		server = get_task_struct(thr->task);
	spin_unlock(&proc->lock);
	/* Taken at once: release before giving the server the CPU. */
	if (call.taken)
		door_release_close(&call.release);

	/*
	 * Direct handoff: the server thread, woken on this CPU, runs next,
	 * on the caller's time slice; this thread stays runnable, so when
	 * the server's door_return wakes it, it simply resumes.  (On 6.12,
	 * sleeping instead was measured: sometimes shorter, sometimes 18%
	 * longer, depending on whether the wakeup preempts the caller.)
	 * When the wakeup has already asked for a switch (the server is the
	 * scheduler's pick), a plain schedule() gets there without
	 * yield_to()'s second pass over the run queue.
	 */
	if (server) {
		if (need_resched())
			schedule();
		else
			yield_to(server, true);
		put_task_struct(server);
	} else if (handoff && need_resched()) {
		schedule();
	}
	door_call_wait(&call, proc, restartable, deadline);
	/* Taken by a thread, whatever became of it: released. */
	if (call.taken)
		door_release_close(&call.release);
	ret = call.error;
	if (!ret)
		ret = door_call_deliver(&call, &req);
	if (!ret && door_call_req_put(&req, arg))
		ret = -EFAULT;
out:
	door_release_drop(&call.release);
	door_payload_free(&call.args);
	door_payload_free(&call.results);
	/* No server writes into it any more (door_call_wait). */
	if (call.rbuf.pages) {
		/* Pinned for nothing: not again until large results come. */
		if (!call.rbuf_written && !ret && READ_ONCE(door->big_results))
			WRITE_ONCE(door->big_results, false);
		door_pin_release(&call.rbuf, call.rbuf_written);
	}
	this_cpu_dec(door_stat_live_calls);
	this_cpu_inc(door_stat_total_calls);
	return ret;
}

long door_ioc_call(struct door_object *door, void __user *arg)
{
	return door_call_do(door, arg, KTIME_MAX);
}

/*
 * A CLOCK_MONOTONIC time of the caller's time namespace as the kernel's own
 * (ktime_get()), saturated; KTIME_MAX stays "never".  The namespace's
 * offset is read directly: the kernel's converter is not exported, and the
 * offsets of a namespace never change once a task is in it.
 */
static ktime_t door_deadline_to_host(u64 ns)
{
	ktime_t t = min_t(u64, ns, KTIME_MAX);
	ktime_t off = 0;

#ifdef CONFIG_TIME_NS
	off = timespec64_to_ktime(current->nsproxy->time_ns->offsets.monotonic);
#endif
	if (t == KTIME_MAX || !off)
		return t;
	if (off > 0)
		return t > off ? t - off : 0;
	return t > KTIME_MAX + off ? KTIME_MAX : t - off;
}

/*
 * DOOR_IOC_CALL_TIMED: the struct door_ioc_call comes first, and only it is
 * written back.  The deadline is absolute (CLOCK_MONOTONIC as the caller's
 * time namespace shows it), so that -ERESTARTNOINTR restarts the ioctl with
 * the same one.
 */
long door_ioc_call_timed(struct door_object *door, void __user *arg)
{
	struct door_ioc_call_timed t;

	if (copy_from_user(&t, arg, sizeof(t)))
		return -EFAULT;
	if (t.flags || t.pad)
		return -EINVAL;
	/* Beyond ktime_t's range: never. */
	return door_call_do(door, arg, door_deadline_to_host(t.deadline_ns));
}

/*
 * Write large results straight into the result buffer the caller of the
 * invocation @thr serves has pinned (one copy, see door_call.rbuf): take
 * the @ndesc descriptors at @udesc into @res as door_payload_get() does,
 * then copy the @size bytes at @uptr, in the calling server thread's own
 * memory, into the caller's pages.  @res is then placed
 * (door_payload_placed()): the caller only writes the descriptor entries
 * after the data.  Each page is copied with proc->lock held and page faults
 * disabled, after checking that the caller is still there; a page of the
 * server's that is not resident is faulted in between, without the lock,
 * as the server's own wait.  A caller gone meanwhile gets nothing more
 * written: @res is kept all the same and dropped with the call.
 *
 * Returns 1, having taken nothing, when the caller pinned no buffer or one
 * too small for the results (they are copied, door_payload_get), and then
 * tells the door's next callers to pin theirs (big_results); on failure
 * nothing is taken, as for door_payload_get().  Out of line: the small
 * results' path stays as short as it was.
 */
static noinline int door_results_place(struct door_thread *thr,
				       struct door_payload *res, u64 uptr,
				       u64 size, u64 udesc, u32 ndesc,
				       struct door_release *rel)
{
	const char __user *src = u64_to_user_ptr(uptr);
	struct door_proc *proc = thr->proc;
	size_t span = size, done = 0, pos, len, left, faulted = SIZE_MAX;
	struct door_call *call;
	struct page *page;
	bool hint;
	void *kaddr;
	int ret;

	/* Bounded by max_data and DOOR_MAX_DESC: saturating anyway. */
	if (ndesc)
		span = size_add(roundup(size, DOOR_DESC_SIZE),
				size_mul(ndesc, DOOR_DESC_SIZE));
	spin_lock(&proc->lock);
	call = thr->call;
	ret = call && call->rbuf.pages && span <= call->rbuf.len;
	/* A pin would have taken them once: the next callers pin theirs. */
	hint = !ret && call && !call->rbuf.pages &&
	       call->rsize >= DOOR_PIN_MIN && span <= call->rsize;
	spin_unlock(&proc->lock);
	if (!ret) {
		if (hint && !READ_ONCE(thr->serving->big_results))
			WRITE_ONCE(thr->serving->big_results, true);
		return 1;
	}
	if (!access_ok(src, size))
		return -EFAULT;
	ret = door_payload_get(res, 0, 0, udesc, ndesc, false, rel);
	if (ret)
		return ret;
	res->size = size;

	while (done < size) {
		spin_lock(&proc->lock);
		/* The same call while the thread serves it: see door_call. */
		if (thr->call != call) {
			spin_unlock(&proc->lock);
			break;
		}
		pos = call->rbuf.offset + done;
		len = min_t(size_t, PAGE_SIZE - offset_in_page(pos),
			    size - done);
		call->rbuf_written = true;
		page = call->rbuf.pages[pos >> PAGE_SHIFT];
		kaddr = kmap_local_page(page);
		pagefault_disable();
		left = __copy_from_user_inatomic(kaddr + offset_in_page(pos),
						 src + done, len);
		pagefault_enable();
		kunmap_local(kaddr);
		flush_dcache_page(page);
		spin_unlock(&proc->lock);
		done += len - left;
		if (!left) {
			cond_resched();
			continue;
		}
		/*
		 * Not resident: the server's own fault, without the lock.  No
		 * progress even after a fault-in at the same place (memory
		 * readable only in part of a page): a fault, not a retry.
		 */
		if (done == faulted ||
		    fault_in_readable(src + done, left) == left) {
			ret = -EFAULT;
			goto fail;
		}
		faulted = done;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto fail;
		}
		cond_resched();
	}
	return 0;
fail:
	door_payload_free(res);
	door_release_drop(rel);
	return ret;
}

/*
 * Take the results the calling server thread gives for the invocation @thr
 * serves: written into the caller's pinned buffer when large and it fits,
 * else copied into @res.  As door_payload_get().
 */
static __always_inline int door_results_get(struct door_thread *thr,
					    struct door_payload *res,
					    u64 uptr, u64 size, u64 udesc,
					    u32 ndesc,
					    struct door_release *rel)
{
	int ret;

	if (size >= DOOR_PIN_MIN) {
		ret = door_results_place(thr, res, uptr, size, udesc, ndesc,
					 rel);
		if (ret <= 0)
			return ret;
	}
	return door_payload_get(res, uptr, size, udesc, ndesc, false, rel);
}

/*
 * Hand the results of the invocation @thr serves to its caller.  On error
 * the thread stays bound to the caller, who keeps waiting.  After a
 * door_reply, the caller has its results already: the request's are
 * ignored, and this only resumes it.
 */
static int door_return_results(struct door_thread *thr,
			       struct door_ioc_return *req)
{
	struct door_proc *proc = thr->proc;
	/*
	 * Not cleared as a whole (CONFIG_INIT_STACK_ALL_ZERO): rel is set by
	 * door_results_get() and used only after it, old by
	 * door_thread_detach(), res by door_payload_init() below.
	 */
	struct door_release rel __uninitialized;
	struct door_served old __uninitialized;
	struct door_payload res __uninitialized;
	struct door_call *call;
	bool replied = thr->replied;
	int ret;

	door_payload_init(&res);
	/* Nobody waits for the results of a notification. */
	if (!thr->unref && !replied) {
		if (req->desc_num > DOOR_MAX_DESC)
			return -E2BIG;
		if (thr->no_results && (req->data_size || req->desc_num))
			return -E2BIG;
		if (req->data_size > READ_ONCE(door_max_data))
			return -E2BIG;
		ret = door_results_get(thr, &res, req->data_ptr,
				       req->data_size, req->desc_ptr,
				       req->desc_num, &rel);
		if (ret)
			return ret;
		/*
		 * Taken: as illumos' door_return, close the DOOR_RELEASE
		 * descriptors now, whether the caller is still there to
		 * receive the results or has gone.
		 */
		door_release_close(&rel);
	}
	door_thread_detach(thr, &old);

	/*
	 * Hand the results over and, in the same step, become idle again:
	 * a caller woken here that calls again at once finds this thread
	 * free, as after Solaris' shuttle switch.  Not when the caller has
	 * gone (dropping its results closes files, which must finish in user
	 * context first) or work is pending on the way back to user space.
	 */
	spin_lock(&proc->lock);
	call = thr->call;
	if (!old.unref)
		trace_door_return(old.door->id, res.size, res.ndesc, call);
	if (call) {
		if (!replied)
			door_payload_move(&call->results, &res);
		/* Finished by the thread itself: nothing borrowed is kept. */
		call->server = NULL;
		thr->call = NULL;
		door_call_finish(call, 0);
		old.door = NULL;
		old.cred = NULL;
		old.tgid = NULL;
	}
	if ((call || old.unref) && !proc->dead && !task_work_pending(current))
		door_pool_enter(door_thread_pool(thr), thr);
	spin_unlock(&proc->lock);

	/* The caller went away: its results are dropped. */
	door_payload_free(&res);
	door_served_drop(&old);
	return 0;
}

/*
 * Deliver the arguments of the invocation just taken into the server's
 * buffer, or a new mapping, and describe it in @req: every field from
 * proc on is set, on every successful path (door_return_req_put writes
 * them all; they were never read in).
 */
static int door_return_invoke(struct door_thread *thr,
			      struct door_ioc_return *req)
{
	struct door_object *door = thr->serving;
	size_t span = door_payload_span(&thr->args);
	unsigned long dst = req->buf, len = 0;
	u64 udesc;
	int ret;

	req->inv_flags = 0;
	req->map_ptr = 0;
	req->map_size = 0;
	req->proc = door->server_proc;
	req->cookie = door->cookie;
	req->door_id = door->id;
	req->seq = thr->seq;
	if (thr->depleted)
		req->inv_flags |= DOOR_INV_DEPLETED;
	if (door->attributes & DOOR_PRIVATE)
		req->inv_flags |= DOOR_INV_PRIVATE;
	if (thr->unref) {
		req->inv_flags |= DOOR_INV_UNREF;
		req->arg_ptr = 1;	/* DOOR_UNREF_DATA */
		req->arg_size = 0;
		req->adesc_ptr = 0;
		req->adesc_num = 0;
		return 0;
	}
	if (span > req->buf_size) {
		len = PAGE_ALIGN(span);
		dst = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, 0);
		if (IS_ERR_VALUE(dst))
			return -E2BIG;
		req->inv_flags |= DOOR_INV_MAPPED;
		req->map_ptr = dst;
		req->map_size = len;
	}
	ret = door_payload_put(&thr->args, (void __user *)dst, &udesc);
	if (ret)
		goto fail;

	req->arg_ptr = span ? dst : 0;
	req->arg_size = thr->args.size;
	req->adesc_ptr = udesc;
	req->adesc_num = thr->args.ndesc;
	door_payload_free(&thr->args);
	door_sched_inherit(thr);
	return 0;
fail:
	if (len)
		vm_munmap(dst, len);
	return ret;
}

/* Give up the invocation the thread serves: its caller gets @error. */
static void door_thread_abandon(struct door_thread *thr, int error)
{
	struct door_proc *proc = thr->proc;

	spin_lock(&proc->lock);
	if (thr->call)
		door_call_finish(thr->call, error);
	spin_unlock(&proc->lock);
	door_thread_release_serving(thr);
}

long door_ioc_return(struct door_proc *proc, void __user *arg)
{
	/*
	 * Not cleared as a whole: door_return_req_get() reads the fields
	 * before proc, door_return_invoke() sets every later one before
	 * door_return_req_put() writes them.
	 */
	struct door_ioc_return req __uninitialized;
	struct door_thread *thr;
	int ret;

	/* Writable too, so that a taken invocation is never lost (above). */
	if (door_return_req_get(&req, arg))
		return -EFAULT;
	if (req.flags)
		return -EINVAL;
	thr = door_thread_get(proc);
	if (IS_ERR(thr))
		return PTR_ERR(thr);

	if (thr->serving) {
		ret = door_return_results(thr, &req);
		if (ret)
			return ret;
		/*
		 * Closing descriptors (DOOR_RELEASE, dropped results) left
		 * their final fput to run on the way back to user space; do
		 * not hold it back while waiting, possibly for long.  The
		 * results are delivered: the library simply calls again.
		 * If a call was handed over meanwhile, take it: the work runs
		 * on the way out with it.
		 */
		if (task_work_pending(current)) {
			spin_lock(&proc->lock);
			if (!thr->serving)
				door_pool_leave(thr);
			spin_unlock(&proc->lock);
			if (!READ_ONCE(thr->serving))
				return -EINTR;
		}
	}

	for (;;) {
		ret = door_pool_wait(thr);
		if (ret)
			return ret;
		ret = door_return_invoke(thr, &req);
		if (!ret)
			break;
		/* The arguments could not be received: the caller is told. */
		door_thread_abandon(thr, ret == -EFAULT ? -EINTR : ret);
		if (ret == -EFAULT)
			return ret;
	}
	if (door_return_req_put(&req, arg)) {
		door_thread_abandon(thr, -EINTR);
		return -EFAULT;
	}
	return 0;
}

long door_ioc_abandon(struct door_proc *proc)
{
	struct door_thread *thr = door_thread_find(proc);

	if (!thr || !thr->serving)
		return -EBADF;
	door_thread_abandon(thr, -EINTR);
	return 0;
}

/*
 * door_reply: hand the results of the invocation the calling thread serves
 * to its caller now, leaving the caller blocked until the thread's
 * door_return.  The payload is taken before proc->lock (copies, file
 * references; large results written into the caller's pinned buffer); a
 * caller gone by then (-EPIPE) leaves the thread's descriptors as they
 * were, DOOR_RELEASE ones included.
 */
long door_ioc_reply(struct door_proc *proc, void __user *arg)
{
	struct door_ioc_reply req;
	struct door_release rel;
	struct door_payload res;
	struct door_thread *thr;
	struct door_call *call;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags)
		return -EINVAL;
	thr = door_thread_find(proc);
	/* Once per invocation of a call; a notification has no caller. */
	if (!thr || !thr->serving || thr->unref || thr->replied)
		return -EINVAL;
	spin_lock(&proc->lock);
	call = thr->call;
	spin_unlock(&proc->lock);
	if (!call)
		return -EPIPE;
	if (req.desc_num > DOOR_MAX_DESC)
		return -E2BIG;
	if (thr->no_results && (req.data_size || req.desc_num))
		return -E2BIG;
	if (req.data_size > READ_ONCE(door_max_data))
		return -E2BIG;
	ret = door_results_get(thr, &res, req.data_ptr, req.data_size,
			       req.desc_ptr, req.desc_num, &rel);
	if (ret)
		return ret;

	spin_lock(&proc->lock);
	/* thr->call is the same call or NULL: the thread serves it still. */
	call = thr->call;
	if (call) {
		door_payload_move(&call->results, &res);
		thr->replied = true;
	}
	spin_unlock(&proc->lock);
	if (!call) {
		door_payload_free(&res);
		door_release_drop(&rel);
		return -EPIPE;
	}
	/* Taken: the thread's DOOR_RELEASE descriptors go, as at door_return. */
	door_release_close(&rel);
	return 0;
}

/* Whether the caller of the invocation the calling thread serves has gone. */
long door_ioc_detached(struct door_proc *proc)
{
	struct door_thread *thr = door_thread_find(proc);
	long ret;

	if (!thr || !thr->serving || thr->unref)
		return -EINVAL;
	spin_lock(&proc->lock);
	ret = !thr->call;
	spin_unlock(&proc->lock);
	return ret;
}
