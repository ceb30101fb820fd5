// SPDX-License-Identifier: GPL-2.0
/*
 * object.c - door objects, their descriptors and their references.
 *
 * Each door has an inode on doorfs; every door descriptor is a file of that
 * inode whose private_data is a struct door_file holding a kref on the door
 * object.  dup(), fork() and SCM_RIGHTS share the file; door_create, each
 * descriptor received in a call or a return and each open() of an attached
 * path or of /proc/PID/fd/N make a new one.
 *
 * References (for unreferenced notification), wherever they are: every
 * reference to any of the door's files (descriptors in any process,
 * SCM_RIGHTS messages in flight), less the transient ones we hold
 * ourselves (door_file.busy), plus door->refs: fattach attachments and doors
 * in flight in a call or a return.  The door is unreferenced when at most
 * one is left; the notification is due when the count drops to one (or
 * to none from two or more with no notification between: two holders
 * closing at once), whoever holds the last one.  See door(4).
 *
 * file_count() changes where we cannot see it (dup, fork, SCM_RIGHTS,
 * another thread's fdget()), so the count is read afresh at each check,
 * and a check is made after every reference drop we can see: after a
 * close() (->flush queues task work that runs once the closer's fput() is
 * done), at a file's ->release, when an attachment or a door in flight
 * goes, and at the end of each door ioctl.  DOOR_F_UNREF_LOW turns those
 * level readings into the edge "dropped to one": set when the
 * notification is queued (and at creation), cleared when two references
 * or more are seen as one is added or as a close() begins
 * (door_unref_arm).  A reference dropped where we cannot see it (an
 * SCM_RIGHTS message discarded unreceived) is noticed at the next check;
 * one added and dropped where we cannot see either (a door's own file
 * sent and discarded) is not noticed at all (door(4), BUGS).
 */
#include <linux/slab.h>
#include <linux/file.h>
#include <linux/uaccess.h>
#include <linux/seq_file.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/fdtable.h>
#include <linux/task_work.h>

#include "door_internal.h"
#include "door_trace.h"

static atomic64_t door_next_id = ATOMIC64_INIT(0);

/* fdinfo's door_refs counts up to this many. */
#define DOOR_FDINFO_REFS_MAX	1024

/*
 * Protects inode->i_private of door inodes against door_open(): a path to
 * a door's inode (/proc/PID/fd/N) can outlive the door's last reference.
 */
static DEFINE_SPINLOCK(door_inode_lock);

static struct file *door_file_new(struct door_object *door, bool in_flight);

static struct door_object *door_of(struct file *file)
{
	struct door_file *df = file->private_data;

	return df->door;
}

struct door_object *door_from_file(struct file *file)
{
	if (file->f_op != &door_fops)
		return NULL;
	return door_of(file);
}

static void door_free(struct kref *ref)
{
	struct door_object *door = container_of(ref, struct door_object, ref);
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	list_del_init(&door->proc_node);
	spin_unlock(&proc->lock);
	atomic_dec(&proc->tg->ndoors);
	if (door->inode) {
		spin_lock(&door_inode_lock);
		door->inode->i_private = NULL;
		spin_unlock(&door_inode_lock);
		iput(door->inode);
	}
	door_proc_put(proc);
	kfree(door);
	atomic64_dec(&door_stat_live_doors);
}

/*
 * Take @inode's door away from door_open(): fdetach, or doorfs evicting an
 * attached inode.  Returns the door (and the reference the inode had), or
 * NULL if it was taken already.
 */
struct door_object *door_inode_take(struct inode *inode)
{
	struct door_object *door;

	spin_lock(&door_inode_lock);
	door = inode->i_private;
	inode->i_private = NULL;
	spin_unlock(&door_inode_lock);
	return door;
}

/* Never called with a proc->lock held. */
void door_put(struct door_object *door)
{
	kref_put(&door->ref, door_free);
}

/*
 * The door's references, counted up to @cap (the count stops there):
 * @leaving of them are known to be going already.  A file with none but
 * our own references is dead for good - it is in no descriptor table and
 * in no message, so nobody can take a new one - and leaves the list, so
 * that a count looks at a few files only, whatever their number.
 * proc->lock held.
 */
static long door_count(struct door_object *door, int leaving, long cap)
{
	long n = (long)door->refs - leaving;
	struct door_file *df, *tmp;

	list_for_each_entry_safe(df, tmp, &door->files, node) {
		long c;

		if (n >= cap)
			break;
		/*
		 * The count first: an ioctl lowers its busy count before its
		 * fdput() (door_ioctl_counted), so a count seen after that
		 * fdput() comes with the busy count seen after it too.
		 */
		c = file_count(df->file);
		/* Pairs with the ordered decrement of fdput()'s fput(). */
		smp_rmb();
		c -= atomic_read(&df->busy);
		if (c <= 0)
			list_del_init(&df->node);
		else
			n += c;
	}
	return n;
}

/*
 * Unreferenced: at most one reference left, @transient references of the
 * caller's own aside.  proc->lock held.
 */
bool door_unreferenced(struct door_object *door, int transient)
{
	return door_count(door, transient, 2) <= 1;
}

/*
 * The notification is due: queue it, or note it for when the running one
 * ends (DOOR_UNREF_MULTI) or when the calls in progress end.  proc->lock
 * held.
 */
void door_unref_deliver(struct door_object *door)
{
	if (door->flags & DOOR_F_REVOKED)
		return;
	if ((door->attributes & DOOR_UNREF) && (door->flags & DOOR_F_UNREF_DONE))
		return;
	if (door->flags & DOOR_F_UNREF_PENDING) {
		door->flags |= DOOR_F_UNREF_AGAIN;
		return;
	}
	if (door->active || door->calling) {
		door->flags |= DOOR_F_UNREF_DELAYED;
		return;
	}
	door_unref_queue(door);
}

/*
 * The edge: DOOR_F_UNREF_LOW is cleared ("armed") when two references or
 * more are seen where the count can only have grown or is about to drop:
 * a reference added (a door in flight, an attachment, a new file) and a
 * close() about to take one away (its ->flush).  Checks after a drop only
 * deliver.  A check after a drop may see a transient reference nobody
 * counts (another thread's fstat() of the descriptor, a /proc reader): had
 * it armed on that, a door that never had a second reference would be
 * notified once the transient went.  proc->lock held.
 */
static void door_unref_arm(struct door_object *door)
{
	if ((door->attributes & DOOR_UNREF_ANY) &&
	    (door->flags & DOOR_F_UNREF_LOW) && door_count(door, 0, 2) >= 2)
		door->flags &= ~DOOR_F_UNREF_LOW;
}

/*
 * Something went: look at the door's references now, @leaving of them
 * known to be going.  The notification is due if they dropped to one (or
 * to none) since the door was armed.  proc->lock held.
 */
void door_unref_check(struct door_object *door, int leaving)
{
	if (!(door->attributes & DOOR_UNREF_ANY))
		return;
	if (door->flags & (DOOR_F_REVOKED | DOOR_F_UNREF_LOW))
		return;
	if ((door->attributes & DOOR_UNREF) && (door->flags & DOOR_F_UNREF_DONE))
		return;
	if (door_count(door, leaving, 2) >= 2)
		return;
	door->flags |= DOOR_F_UNREF_LOW;
	door_unref_deliver(door);
}

/*
 * fget() for a look at a descriptor that may be a door's.  For a door that
 * asks for notifications the reference is counted as ours (door_file.busy)
 * until door_fput(), so that no check takes it for a holder's: only the
 * few instructions before the lock count it as one.
 */
struct file *door_fget(unsigned int fd)
{
	struct file *file = fget(fd);
	struct door_object *door;

	if (!file)
		return NULL;
	door = door_from_file(file);
	if (door && (door->attributes & DOOR_UNREF_ANY)) {
		struct door_file *df = file->private_data;

		spin_lock(&door->proc->lock);
		atomic_inc(&df->busy);
		spin_unlock(&door->proc->lock);
	}
	return file;
}

/* Drop a reference from door_fget(). */
void door_fput(struct file *file)
{
	struct door_object *door = door_from_file(file);
	struct door_proc *proc;

	if (!door || !(door->attributes & DOOR_UNREF_ANY)) {
		fput(file);
		return;
	}
	proc = door->proc;
	spin_lock(&proc->lock);
	atomic_dec(&((struct door_file *)file->private_data)->busy);
	fput(file);	/* a last __fput() is deferred: see door_flush() */
	spin_unlock(&proc->lock);
}

/* One more reference (see the top of this file). */
void door_ref_get(struct door_object *door)
{
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	door->refs++;
	door_unref_arm(door);
	spin_unlock(&proc->lock);
}

void door_ref_put(struct door_object *door)
{
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	door->refs--;
	door_unref_check(door, 0);
	spin_unlock(&proc->lock);
}

long door_ioc_create(struct door_proc *proc, void __user *arg)
{
	struct door_ioc_create req;
	struct door_object *door;
	struct inode *inode;
	struct file *file;
	int fd;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.attributes & ~DOOR_CREATE_MASK)
		return -EINVAL;
	if ((req.attributes & DOOR_UNREF) && (req.attributes & DOOR_UNREF_MULTI))
		return -EINVAL;

	/*
	 * Doors outlive descriptors (see door_internal.h): a process has at
	 * most RLIMIT_NOFILE alive.  Every door allocated is counted until
	 * door_free().
	 */
	if (atomic_inc_return(&proc->tg->ndoors) > rlimit(RLIMIT_NOFILE)) {
		atomic_dec(&proc->tg->ndoors);
		return -EMFILE;
	}
	door = kzalloc(sizeof(*door), GFP_KERNEL_ACCOUNT);
	if (!door) {
		atomic_dec(&proc->tg->ndoors);
		return -ENOMEM;
	}
	kref_init(&door->ref);
	INIT_LIST_HEAD(&door->files);
	/* Its one descriptor: nothing is due until a second has come and gone. */
	door->flags = DOOR_F_UNREF_LOW;
	door->id = atomic64_inc_return(&door_next_id);
	door->server_proc = req.proc;
	door->cookie = req.cookie;
	door->attributes = req.attributes;
	door->data_min = 0;
	door->data_max = U64_MAX;
	door->desc_max = (req.attributes & DOOR_REFUSE_DESC) ? 0 : INT_MAX;
	INIT_LIST_HEAD(&door->proc_node);
	INIT_LIST_HEAD(&door->unref_node);
	door_pool_init(&door->private_pool);
	door->pool = (req.attributes & DOOR_PRIVATE) ? &door->private_pool :
						       &proc->pool;
	kref_get(&proc->ref);
	door->proc = proc;
	atomic64_inc(&door_stat_live_doors);

	spin_lock(&proc->lock);
	if (proc->dead) {
		spin_unlock(&proc->lock);
		door_put(door);
		return -EBADF;
	}
	list_add_tail(&door->proc_node, &proc->doors);
	spin_unlock(&proc->lock);

	inode = doorfs_new_inode(door);
	if (IS_ERR(inode)) {
		door_put(door);
		return PTR_ERR(inode);
	}
	door->inode = inode;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		door_put(door);
		return fd;
	}
	/* The file takes over the door's first kref. */
	file = door_file_new(door, false);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		door_put(door);
		return PTR_ERR(file);
	}

	req.id = door->id;
	if (copy_to_user(arg, &req, sizeof(req))) {
		/* Not installed yet: dropping the file drops the door. */
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;
}

/*
 * Make @file, a new file of @door holding a kref of the door, one of the
 * door's files.  @in_flight: it takes over the reference of a door in
 * flight (counted in door->refs until now).
 */
static void door_file_join(struct door_file *df, struct door_object *door,
			   struct file *file, bool in_flight)
{
	struct door_proc *proc = door->proc;

	df->door = door;
	df->file = file;
	atomic_set(&df->busy, 0);
	file->private_data = df;
	spin_lock(&proc->lock);
	if (in_flight)
		door->refs--;
	list_add_tail(&df->node, &door->files);
	door_unref_arm(door);
	spin_unlock(&proc->lock);
}

/*
 * A new file of @door for a new descriptor; the caller gives it a kref of
 * the door.
 */
static struct file *door_file_new(struct door_object *door, bool in_flight)
{
	struct door_file *df = kmalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	struct file *file;

	if (!df)
		return ERR_PTR(-ENOMEM);
	file = doorfs_new_file(door);
	if (IS_ERR(file)) {
		kfree(df);
		return file;
	}
	door_file_join(df, door, file, in_flight);
	return file;
}

/*
 * A new file for @door that takes over the reference of a door in flight
 * (a descriptor being received).
 */
struct file *door_file_adopt(struct door_object *door)
{
	struct file *file;

	kref_get(&door->ref);
	file = door_file_new(door, true);
	if (IS_ERR(file))
		door_put(door);
	return file;
}

/* open() of an fattached path or of /proc/PID/fd/N. */
static int door_open(struct inode *inode, struct file *file)
{
	struct door_file *df = kmalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	struct door_object *door;

	if (!df)
		return -ENOMEM;
	spin_lock(&door_inode_lock);
	door = inode->i_private;
	if (door && !kref_get_unless_zero(&door->ref))
		door = NULL;
	spin_unlock(&door_inode_lock);
	if (!door) {
		kfree(df);
		return -ENXIO;
	}
	door_file_join(df, door, file, false);
	return 0;
}

/*
 * Every close() of a descriptor.  The closer's reference goes with its
 * fput() after this returns: task work queued here looks at the count once
 * it is gone (door_ref_end).  Meanwhile it holds the file itself, counted
 * in door_file.busy, so the count stays exact throughout; and it keeps the
 * module (the file's f_op owner) until it has returned: fput() leaves the
 * final __fput() to task work of its own (or to a workqueue), never runs
 * it here, which matters as door_release() takes proc->lock.
 */
struct door_ref_work {
	struct callback_head work;
	struct file *file;		/* a reference of our own */
	bool calling;			/* end a door_call (door->calling) */
};

static void door_calling_end(struct door_object *door)
{
	/* door->active, within a caller's ioctl, is 0 by now as well. */
	if (--door->calling == 0 && (door->flags & DOOR_F_UNREF_DELAYED)) {
		door->flags &= ~DOOR_F_UNREF_DELAYED;
		door_unref_deliver(door);
	}
}

/* Task work: a reference of ours is gone; look at the door again. */
static void door_ref_end(struct callback_head *work)
{
	struct door_ref_work *rw = container_of(work, struct door_ref_work,
						work);
	struct file *file = rw->file;
	struct door_file *df = file->private_data;
	struct door_object *door = df->door;
	struct door_proc *proc = door->proc;
	bool calling = rw->calling;

	kfree(rw);
	spin_lock(&proc->lock);
	if (calling)
		door_calling_end(door);
	door_unref_check(door, 0);
	atomic_dec(&df->busy);
	fput(file);	/* a last __fput() is deferred: see door_flush() */
	spin_unlock(&proc->lock);
}

/*
 * Queue door_ref_end() for @rw, whose reference to @file is counted in
 * door_file.busy already.  False if the task takes no more task work, or
 * would never run it (a kernel thread never returns to user space).
 */
static bool door_ref_work_queue(struct door_ref_work *rw, struct file *file,
				bool calling)
{
	rw->file = file;
	rw->calling = calling;
	if (current->flags & PF_KTHREAD)
		return false;
	init_task_work(&rw->work, door_ref_end);
	return !task_work_add(current, &rw->work, TWA_RESUME);
}

static int door_flush(struct file *file, fl_owner_t id)
{
	struct door_file *df = file->private_data;
	struct door_object *door = df->door;
	struct door_proc *proc = door->proc;
	struct door_ref_work *rw;

	if (!(door->attributes & DOOR_UNREF_ANY))
		return 0;
	rw = kmalloc(sizeof(*rw), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	spin_lock(&proc->lock);
	/* Two or more now: the count drops to one or none after this close. */
	door_unref_arm(door);
	if (rw) {
		get_file(file);
		atomic_inc(&df->busy);
	}
	spin_unlock(&proc->lock);
	if (rw && door_ref_work_queue(rw, file, false))
		return 0;
	/* No task work: judge now, the closer's reference counted as gone. */
	spin_lock(&proc->lock);
	if (rw) {
		atomic_dec(&df->busy);
		fput(file);	/* not the last: the closer still holds it */
	}
	door_unref_check(door, 1);
	spin_unlock(&proc->lock);
	kfree(rw);
	return 0;
}

static int door_release(struct inode *inode, struct file *file)
{
	struct door_file *df = file->private_data;
	struct door_object *door = df->door;
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	list_del_init(&df->node);	/* if door_count() has not already */
	door_unref_check(door, 0);
	spin_unlock(&proc->lock);
	kfree(df);
	door_put(door);
	return 0;
}

/* Called with door->proc->lock held. */
static void __door_revoke(struct door_object *door)
{
	trace_door_revoke(door->id);
	door->flags |= DOOR_F_REVOKED;
	door_pool_fail_waiting(door->pool, door, -EBADF);
}

/*
 * @transient: references to the door's files that the caller itself holds
 * for the moment (fdinfo's reader, an uncounted ioctl), not to count.
 */
static void __door_fill_info(struct door_object *door,
			     struct door_ioc_info *info, int transient)
{
	struct door_proc *proc = door->proc;
	u32 attr = door->attributes;
	bool dead;

	spin_lock(&proc->lock);
	dead = proc->dead;
	if (door->flags & DOOR_F_REVOKED)
		attr |= DOOR_REVOKED;
	if (door_unreferenced(door, transient))
		attr |= DOOR_IS_UNREF;
	/* A one-shot notification, once delivered, is no longer asked for. */
	if (door->flags & DOOR_F_UNREF_DONE)
		attr &= ~DOOR_UNREF;
	spin_unlock(&proc->lock);

	if (door_proc_is_current(proc))
		attr |= DOOR_LOCAL;

	memset(info, 0, sizeof(*info));
	info->target = dead ? -1 : pid_vnr(proc->tgid);
	info->attributes = attr;
	info->proc = door->server_proc;
	info->cookie = door->cookie;
	info->id = door->id;
}

void door_fill_info(struct door_object *door, struct door_ioc_info *info)
{
	__door_fill_info(door, info, 0);
}

static long door_ioc_info(struct door_object *door, void __user *arg)
{
	struct door_ioc_info info;
	int transient = 0;

	/*
	 * A notification door counts this ioctl's own reference to the file
	 * (door_ioctl_counted); for any other door, guess it as fdget() took
	 * it: when the caller's descriptor table is shared.
	 */
	if (!(door->attributes & DOOR_UNREF_ANY) &&
	    atomic_read(&current->files->count) > 1)
		transient = 1;
	__door_fill_info(door, &info, transient);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * DOOR_QUERY: the door the calling thread is bound to (door_bind), as
 * illumos answers it; a thread that only serves an invocation gets EBADF.
 */
long door_ioc_query(struct door_proc *proc, void __user *arg)
{
	struct door_thread *thr = door_thread_find(proc);
	struct door_object *door;
	struct door_ioc_info info;

	if (!thr)
		return -EBADF;
	door = thr->bound;
	if (!door)
		return -EBADF;
	door_fill_info(door, &info);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long door_ioc_revoke(struct door_object *door)
{
	struct door_proc *proc = door->proc;

	if (!door_proc_is_current(proc))
		return -EPERM;
	spin_lock(&proc->lock);
	if (!(door->flags & DOOR_F_REVOKED))
		__door_revoke(door);
	spin_unlock(&proc->lock);
	return 0;
}

/* Works on a revoked door too, as illumos' door_getparam. */
static long door_ioc_getparam(struct door_object *door, void __user *arg)
{
	struct door_ioc_param p;
	struct door_proc *proc = door->proc;
	long ret = 0;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	spin_lock(&proc->lock);
	switch (p.type) {
	case DOOR_PARAM_DESC_MAX:
		p.value = door->desc_max;
		break;
	case DOOR_PARAM_DATA_MAX:
		p.value = door->data_max;
		break;
	case DOOR_PARAM_DATA_MIN:
		p.value = door->data_min;
		break;
	default:
		ret = -EINVAL;
	}
	spin_unlock(&proc->lock);
	if (ret)
		return ret;
	return copy_to_user(arg, &p, sizeof(p)) ? -EFAULT : 0;
}

static long door_ioc_setparam(struct door_object *door, void __user *arg)
{
	struct door_ioc_param p;
	struct door_proc *proc = door->proc;
	long ret = 0;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	spin_lock(&proc->lock);
	/* illumos' order: a revoked door is EBADF, whoever asks. */
	if (door->flags & DOOR_F_REVOKED) {
		ret = -EBADF;
		goto out;
	}
	if (!door_proc_is_current(proc)) {
		ret = -EPERM;
		goto out;
	}
	switch (p.type) {
	case DOOR_PARAM_DESC_MAX:
		if (p.value > INT_MAX)
			ret = -ERANGE;
		else if (p.value > 0 && (door->attributes & DOOR_REFUSE_DESC))
			ret = -EOPNOTSUPP;
		else
			WRITE_ONCE(door->desc_max, p.value);
		break;
	case DOOR_PARAM_DATA_MAX:
		if (p.value < door->data_min)
			ret = -EINVAL;
		else
			WRITE_ONCE(door->data_max, p.value);
		break;
	case DOOR_PARAM_DATA_MIN:
		if (p.value > door->data_max)
			ret = -EINVAL;
		else
			WRITE_ONCE(door->data_min, p.value);
		break;
	default:
		ret = -EINVAL;
	}
out:
	spin_unlock(&proc->lock);
	return ret;
}

static __always_inline long door_ioctl_cmd(struct door_object *door,
					   unsigned int cmd,
					   void __user *uarg)
{
	switch (cmd) {
	case DOOR_IOC_CALL:
		return door_ioc_call(door, uarg);
	case DOOR_IOC_CALL_TIMED:
		return door_ioc_call_timed(door, uarg);
	case DOOR_IOC_INFO:
		return door_ioc_info(door, uarg);
	case DOOR_IOC_REVOKE:
		return door_ioc_revoke(door);
	case DOOR_IOC_GETPARAM:
		return door_ioc_getparam(door, uarg);
	case DOOR_IOC_SETPARAM:
		return door_ioc_setparam(door, uarg);
	default:
		return -ENOTTY;
	}
}

/*
 * Door ioctls on a door that asks for notifications, and transient
 * references.  fdget() takes a reference to the file for the length of a
 * system call exactly when the caller's descriptor table is shared
 * (files->count > 1 at that moment), and file_count() sees it.  We cannot
 * know what fdget() found: files->count is read again.  A count above one
 * means the reference was taken (nobody can join a table whose only user
 * is in this ioctl), and it is counted in door_file.busy until the command
 * is done; a count of one may still hide one, taken before another sharer
 * of the table exited, which a check then counts as a reference.  Each
 * such ioctl ends with task work (door_ref_end), which runs after the
 * system call's fdput() and before the return to user space: it holds a
 * reference of its own, taken here while the ioctl's (or the descriptor
 * table's) keeps the file, and counted in door_file.busy, so from the
 * fdput() on the count is exact, and it looks at the count again.
 *
 * A door_call is counted in door->calling from here to that task work, so
 * that a notification due meanwhile waits until it is over, whether the
 * call is being set up, waits in the pool or is being served.
 */
static noinline long door_ioctl_counted(struct file *file,
					struct door_object *door,
					unsigned int cmd, void __user *uarg)
{
	struct door_file *df = file->private_data;
	struct door_proc *proc = door->proc;
	bool shared = atomic_read(&current->files->count) > 1;
	bool calling = cmd == DOOR_IOC_CALL || cmd == DOOR_IOC_CALL_TIMED;
	struct door_ref_work *rw;
	long ret;

	rw = kmalloc(sizeof(*rw), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	spin_lock(&proc->lock);
	if (shared)
		atomic_inc(&df->busy);
	if (rw) {
		get_file(file);
		atomic_inc(&df->busy);
	}
	if (calling)
		door->calling++;
	spin_unlock(&proc->lock);

	ret = door_ioctl_cmd(door, cmd, uarg);

	/*
	 * The ioctl's own reference goes with fdput(), after this: counted
	 * as a reference until then, which errs on the safe side (the work
	 * looks again after it).
	 */
	if (shared)
		atomic_dec(&df->busy);
	if (rw) {
		if (!door_ref_work_queue(rw, file, calling))
			door_ref_end(&rw->work);
		return ret;
	}
	spin_lock(&proc->lock);
	if (calling)
		door_calling_end(door);
	spin_unlock(&proc->lock);
	return ret;
}

static long door_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct door_object *door = door_of(file);

	if (door->attributes & DOOR_UNREF_ANY)
		return door_ioctl_counted(file, door, cmd, (void __user *)arg);
	/* The null call's path: no frame of its own, straight to the call. */
	if (cmd == DOOR_IOC_CALL)
		return door_ioc_call(door, (void __user *)arg);
	return door_ioctl_cmd(door, cmd, (void __user *)arg);
}

static void door_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct door_object *door = door_of(file);
	struct door_proc *proc = door->proc;
	unsigned int active, idle, waiting;
	struct door_ioc_info info;
	long refs;
	u64 served;

	/* The reader of fdinfo holds the file for the moment. */
	__door_fill_info(door, &info, 1);
	spin_lock(&proc->lock);
	active = door->active;
	served = door->served;
	/* Bounded: the lock is the door's server's. */
	refs = min_t(long, door_count(door, 1, DOOR_FDINFO_REFS_MAX),
		     DOOR_FDINFO_REFS_MAX);
	idle = door->pool->nidle;
	waiting = door->pool->nwaiting;
	spin_unlock(&proc->lock);

	seq_printf(m, "door_id:\t%llu\n", info.id);
	seq_printf(m, "door_target:\t%d\n", info.target);
	seq_printf(m, "door_attributes:\t%#x\n", info.attributes);
	seq_printf(m, "door_calls_served:\t%llu\n", served);
	seq_printf(m, "door_calls_active:\t%u\n", active);
	seq_printf(m, "door_pool_idle_threads:\t%u\n", idle);
	seq_printf(m, "door_pool_waiting_calls:\t%u\n", waiting);
	seq_printf(m, "door_refs:\t%ld\n", refs);
}

const struct file_operations door_fops = {
	.owner = THIS_MODULE,
	.open = door_open,
	.flush = door_flush,
	.release = door_release,
	.unlocked_ioctl = door_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = door_show_fdinfo,
	.llseek = noop_llseek,
};
