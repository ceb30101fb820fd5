// SPDX-License-Identifier: GPL-2.0
/*
 * depletion.c - the depletion descriptor of a pool (DOOR_IOC_DEPLETION_FD).
 *
 * A Linux extension: instead of being told through DOOR_INV_DEPLETED, in
 * the thread that took a pool's last idle place, that the pool may need
 * another thread, a server can watch the pool with poll, epoll or io_uring
 * and start or wake its threads from its own loop.  The descriptor is an
 * anonymous file.  It polls readable (EPOLLIN) while invocations (calls
 * and unreferenced notifications) wait in its pool with no idle thread to
 * take them, and read() gives how many, as a __u64; a read blocks while
 * there are none, or fails with EAGAIN if the file is non-blocking, as
 * eventfd's does.  Nothing is consumed: the count is what waits now.  Once
 * the pool is over (the server side ended, or the private door was
 * revoked) it polls EPOLLHUP and read() returns 0 (end of file).
 *
 * While a pool has one, the module sets no DOOR_INV_DEPLETED for it, so
 * libdoor runs no depletion callback: the pool's threads are the program's
 * business.  A pool has at most one at a time (EBUSY).
 *
 * Waiters are woken with EPOLLIN each time the count may have grown (a
 * call or notification queued, an idle thread taken away by a call while
 * others still wait), as eventfd wakes on each write, so that edge-triggered
 * epoll sees every new invocation left waiting.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "door_internal.h"

struct door_depletion {
	struct door_proc *proc;		/* reference held */
	struct door_object *door;	/* the private door (kref), or NULL */
	struct door_pool *pool;		/* &proc->pool or &door->private_pool */
	wait_queue_head_t wq;		/* poll, epoll, io_uring and read() */
};

/* The pool will never be given work again.  proc->lock held. */
static bool door_depletion_over(const struct door_depletion *dp)
{
	return dp->proc->dead ||
	       (dp->door && (dp->door->flags & DOOR_F_REVOKED));
}

/*
 * Invocations waiting in @pool that no idle thread will take.  A thread
 * that has just returned results is idle before it looks at the waiting
 * calls (door_ioc_return), and takes one of them: it is not counted as
 * missing.  proc->lock held.
 */
static u64 door_pool_unserved(const struct door_pool *pool)
{
	unsigned int want = pool->nwaiting + pool->nunref;

	return want > pool->nidle ? want - pool->nidle : 0;
}

/* The count, or 0 with *@over set.  Takes proc->lock. */
static u64 door_depletion_state(struct door_depletion *dp, bool *over)
{
	struct door_proc *proc = dp->proc;
	u64 n = 0;

	spin_lock(&proc->lock);
	*over = door_depletion_over(dp);
	if (!*over)
		n = door_pool_unserved(dp->pool);
	spin_unlock(&proc->lock);
	return n;
}

/* Hook: work was queued or an idle thread left.  proc->lock held. */
void door_depletion_wake(struct door_pool *pool)
{
	if (door_pool_unserved(pool))
		wake_up_poll(&pool->depletion->wq, EPOLLIN | EPOLLRDNORM);
}

/*
 * Hook: the server side ended or a door's waiting calls were failed
 * (revocation); hang up if that was the end of this pool.  proc->lock held.
 */
void door_depletion_check_end(struct door_pool *pool)
{
	if (door_depletion_over(pool->depletion))
		wake_up_poll(&pool->depletion->wq, EPOLLHUP);
}

static __poll_t door_depletion_poll(struct file *file, poll_table *wait)
{
	struct door_depletion *dp = file->private_data;
	bool over;
	u64 n;

	/* On the waitqueue before looking: a wake-up after this is seen. */
	poll_wait(file, &dp->wq, wait);
	n = door_depletion_state(dp, &over);
	if (over)
		return EPOLLHUP;
	return n ? EPOLLIN | EPOLLRDNORM : 0;
}

static bool door_depletion_ready(struct door_depletion *dp)
{
	bool over;

	return door_depletion_state(dp, &over) || over;
}

static ssize_t door_depletion_read(struct file *file, char __user *buf,
				   size_t count, loff_t *ppos)
{
	struct door_depletion *dp = file->private_data;
	bool over;
	u64 n;
	int ret;

	if (count < sizeof(n))
		return -EINVAL;
	for (;;) {
		n = door_depletion_state(dp, &over);
		if (over)
			return 0;
		if (n)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(dp->wq,
					       door_depletion_ready(dp));
		if (ret)
			return ret;
	}
	if (put_user(n, (u64 __user *)buf))
		return -EFAULT;
	return sizeof(n);
}

static void door_depletion_free(struct door_depletion *dp)
{
	if (dp->door)
		door_put(dp->door);
	door_proc_put(dp->proc);
	kfree(dp);
}

/*
 * The last reference to the file is gone: nobody polls or reads it (they
 * hold the file, and epoll unhooks itself before ->release).  The pool
 * goes back to DOOR_INV_DEPLETED.
 */
static int door_depletion_release(struct inode *inode, struct file *file)
{
	struct door_depletion *dp = file->private_data;
	struct door_proc *proc = dp->proc;

	spin_lock(&proc->lock);
	/* Not so if the ioctl failed (EBUSY) after making the file. */
	if (dp->pool->depletion == dp)
		dp->pool->depletion = NULL;
	spin_unlock(&proc->lock);
	door_depletion_free(dp);
	return 0;
}

static void door_depletion_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct door_depletion *dp = file->private_data;
	struct door_proc *proc = dp->proc;
	unsigned int idle, waiting, unref;
	bool over;

	spin_lock(&proc->lock);
	over = door_depletion_over(dp);
	idle = dp->pool->nidle;
	waiting = dp->pool->nwaiting;
	unref = dp->pool->nunref;
	spin_unlock(&proc->lock);

	seq_printf(m, "door_depletion_pool:\t%llu\n",
		   dp->door ? dp->door->id : 0);
	seq_printf(m, "door_depletion_over:\t%d\n", over);
	seq_printf(m, "door_pool_idle_threads:\t%u\n", idle);
	seq_printf(m, "door_pool_waiting_calls:\t%u\n", waiting);
	seq_printf(m, "door_pool_waiting_unref:\t%u\n", unref);
}

static const struct file_operations door_depletion_fops = {
	.owner = THIS_MODULE,
	.poll = door_depletion_poll,
	.read = door_depletion_read,
	.release = door_depletion_release,
	.show_fdinfo = door_depletion_show_fdinfo,
	.llseek = noop_llseek,
};

/*
 * The door of descriptor @fd, with a kref of its own, if it is a private
 * door of @proc; else an error: EBADF (not a door), EPERM (another
 * process's), EINVAL (not private).
 */
static struct door_object *door_depletion_door(struct door_proc *proc,
					       int fd)
{
	struct door_object *door;
	struct file *file;
	int ret = 0;

	file = door_fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	door = door_from_file(file);
	if (!door)
		ret = -EBADF;
	else if (door->proc != proc)
		ret = -EPERM;
	else if (!(door->attributes & DOOR_PRIVATE))
		ret = -EINVAL;
	else
		kref_get(&door->ref);
	door_fput(file);
	return ret ? ERR_PTR(ret) : door;
}

long door_ioc_depletion_fd(struct door_proc *proc, void __user *arg)
{
	struct door_ioc_depletion req;
	struct door_object *door = NULL;
	struct door_depletion *dp;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~DOOR_DEPLETION_NONBLOCK)
		return -EINVAL;
	if (req.door != -1) {
		if (req.door < 0)
			return -EBADF;
		door = door_depletion_door(proc, req.door);
		if (IS_ERR(door))
			return PTR_ERR(door);
	}

	dp = kzalloc(sizeof(*dp), GFP_KERNEL_ACCOUNT);
	if (!dp) {
		if (door)
			door_put(door);
		return -ENOMEM;
	}
	kref_get(&proc->ref);
	dp->proc = proc;
	dp->door = door;
	dp->pool = door ? door->pool : &proc->pool;
	init_waitqueue_head(&dp->wq);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		door_depletion_free(dp);
		return fd;
	}
	file = anon_inode_getfile("[door-depletion]", &door_depletion_fops, dp,
				  O_RDONLY | ((req.flags & DOOR_DEPLETION_NONBLOCK) ?
					      O_NONBLOCK : 0));
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		door_depletion_free(dp);
		return PTR_ERR(file);
	}
	/* From here on the file owns dp: fput() frees it. */

	spin_lock(&proc->lock);
	if (door_depletion_over(dp))
		ret = -EBADF;
	else if (dp->pool->depletion)
		ret = -EBUSY;
	else
		ret = 0;
	if (!ret)
		dp->pool->depletion = dp;
	spin_unlock(&proc->lock);
	if (ret) {
		put_unused_fd(fd);
		fput(file);
		return ret;
	}
	fd_install(fd, file);
	return fd;
}
