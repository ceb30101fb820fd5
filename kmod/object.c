// SPDX-License-Identifier: GPL-2.0
/*
 * object.c - door objects, their descriptors and their references.
 *
 * Each door has an inode on doorfs; every door descriptor is a file of that
 * inode whose private_data holds a kref on the door object.  dup() and
 * fork() share the file.
 *
 * References (for unreferenced notification): every descriptor of the
 * creator's own file (the one door_create returned, with its dups and
 * fork copies), and door->refs: every other open file of the door (a
 * received descriptor, a reopen of /proc/PID/fd/N or of an fattached path,
 * each with its dups), every fattach mount and every descriptor in flight
 * in a call or a return.  The door is unreferenced when door->refs is zero
 * and at most one descriptor of the creator's file is left; the
 * notification is due when that happens by a reference going away, or by
 * the creator's descriptors dropping to exactly one.  See door(4).
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

/*
 * Protects inode->i_private of door inodes against door_open(): a path to
 * a door's inode (/proc/PID/fd/N) can outlive the door's last reference.
 */
static DEFINE_SPINLOCK(door_inode_lock);

struct door_object *door_from_file(struct file *file)
{
	if (file->f_op != &door_fops)
		return NULL;
	return file->private_data;
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

/* Take @inode's door away from door_open() (doorfs evicting it). */
void door_inode_detach(struct inode *inode)
{
	spin_lock(&door_inode_lock);
	inode->i_private = NULL;
	spin_unlock(&door_inode_lock);
}

/* Never called with a proc->lock held. */
void door_put(struct door_object *door)
{
	kref_put(&door->ref, door_free);
}

/*
 * How many descriptors refer to the creator's own file, @closing of them
 * being closed right now.  file_count() also counts the transient
 * references of system calls running on the file in multi-threaded
 * processes; door_ioctl() counts those of its own in orig_busy (see there).
 * proc->lock held.
 */
static long door_orig_handles(struct door_object *door, int closing)
{
	if (!door->orig_file)
		return 0;
	return file_count(door->orig_file) - closing -
	       atomic_read(&door->orig_busy);
}

/*
 * Unreferenced: nothing but (at most) one descriptor of the creator's own
 * file is left.  proc->lock held.
 */
bool door_unreferenced(struct door_object *door, int closing)
{
	return door->refs == 0 && door_orig_handles(door, closing) <= 1;
}

/*
 * Something that may leave the door unreferenced happened: a reference
 * went away (@closing 0), or a descriptor of the creator's file is being
 * closed (@closing 1: the count must drop to one, not to zero, for that to
 * be a notification).  Deliver the notification the door asked for; while
 * calls are active it waits for the last one (door_call_finish).
 * proc->lock held.
 */
void door_unref_check(struct door_object *door, int closing)
{
	if (!(door->attributes & (DOOR_UNREF | DOOR_UNREF_MULTI)))
		return;
	if (door->flags & DOOR_F_REVOKED)
		return;
	if ((door->attributes & DOOR_UNREF) && (door->flags & DOOR_F_UNREF_DONE))
		return;
	if (!door_unreferenced(door, closing) ||
	    (closing && door_orig_handles(door, closing) != 1)) {
		/*
		 * Only a transient reference to the creator's file can make
		 * this wrong (see door_ioctl()): look again once it is gone.
		 */
		if (door->refs == 0 && door_orig_handles(door, closing) >= 2)
			door->flags |= DOOR_F_UNREF_RECHECK;
		return;
	}
	door->flags &= ~DOOR_F_UNREF_RECHECK;
	if (door->flags & DOOR_F_UNREF_PENDING) {
		door->flags |= DOOR_F_UNREF_AGAIN;
		return;
	}
	if (door->active) {
		door->flags |= DOOR_F_UNREF_DELAYED;
		return;
	}
	door_unref_queue(door);
}

/* One more reference (see the top of this file). */
void door_ref_get(struct door_object *door)
{
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	door->refs++;
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
	file = doorfs_new_file(door);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		door_put(door);
		return PTR_ERR(file);
	}
	door->orig_file = file;

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
 * A new descriptor file for @door that carries one reference already
 * counted in door->refs (a descriptor in flight being received).
 */
struct file *door_file_adopt(struct door_object *door)
{
	struct file *file;

	kref_get(&door->ref);
	file = doorfs_new_file(door);
	if (IS_ERR(file))
		door_put(door);
	return file;
}

/* open() of an fattached path or of /proc/PID/fd/N. */
static int door_open(struct inode *inode, struct file *file)
{
	struct door_object *door;

	spin_lock(&door_inode_lock);
	door = inode->i_private;
	if (door && !kref_get_unless_zero(&door->ref))
		door = NULL;
	spin_unlock(&door_inode_lock);
	if (!door)
		return -ENXIO;
	door_ref_get(door);
	file->private_data = door;
	return 0;
}

/* Every close() of a descriptor: closing a dup of the creator's file counts. */
static int door_flush(struct file *file, fl_owner_t id)
{
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	if (file == door->orig_file)
		door_unref_check(door, 1);
	spin_unlock(&proc->lock);
	return 0;
}

static int door_release(struct inode *inode, struct file *file)
{
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	if (file == door->orig_file) {
		door->orig_file = NULL;
	} else {
		door->refs--;
		door_unref_check(door, 0);
	}
	spin_unlock(&proc->lock);
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
 * @transient: references to the creator's file that the caller itself
 * holds for the moment (fdinfo's reader), not to count as descriptors.
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

	door_fill_info(door, &info);
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

static long door_ioctl_cmd(struct door_object *door, unsigned int cmd,
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
 * The creator's file and transient references.  fdget() takes a reference
 * to the file for the length of a system call exactly when the caller's
 * descriptor table is shared (files->count > 1 at that moment), and
 * file_count() sees it.  door_ioctl() cannot know what fdget() found: it
 * reads files->count again.  A count above one there means the reference
 * was taken (nobody can join a table whose only user is in this ioctl), so
 * it is counted in orig_busy; a count of one may still hide one, taken
 * before another sharer of the table exited.
 *
 * An uncounted reference makes a check find one handle too many: a
 * notification due is missed, and one is delivered when the creator's
 * last descriptor is closed, with nothing else left to refer to the door
 * (the BUGS of door(4); harmless, as nobody can call the door any more).
 * A check that may have missed one for that reason leaves
 * DOOR_F_UNREF_RECHECK behind.  For a door that asks for notifications,
 * each ioctl on the creator's file then ends with task work, which runs
 * after the system call's fdput() and before the return to user space.
 * It holds a reference of its own, counted in orig_busy from the end of
 * the command on (in place of the ioctl's own if that was counted), so
 * from the fdput() on the count is exact; it checks again if the flag is
 * set, and drops its reference with the lock held.  If another ioctl's
 * reference still makes the check fail, the flag is set again for that
 * ioctl's own task work.
 */
struct door_orig_ioctl {
	struct callback_head work;
	/*
	 * The creator's file, a reference of our own: it keeps the door, and
	 * the module (the file's f_op owner) until this has returned: fput()
	 * leaves the final __fput() to task work of its own.
	 */
	struct file *file;
};

static void door_orig_recheck(struct callback_head *work)
{
	struct door_orig_ioctl *oi = container_of(work, struct door_orig_ioctl,
						  work);
	struct file *file = oi->file;
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;

	kfree(oi);
	spin_lock(&proc->lock);
	if (door->flags & DOOR_F_UNREF_RECHECK) {
		door->flags &= ~DOOR_F_UNREF_RECHECK;
		/* Not for the creator's last descriptor closed (0 left). */
		if (door_orig_handles(door, 0) >= 1)
			door_unref_check(door, 0);
	}
	atomic_dec(&door->orig_busy);
	fput(file);
	spin_unlock(&proc->lock);
}

static long door_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct door_object *door = file->private_data;
	struct door_orig_ioctl *oi = NULL;
	bool busy = false;
	long ret;

	if (file == READ_ONCE(door->orig_file)) {
		busy = atomic_read(&current->files->count) > 1;
		if (busy)
			atomic_inc(&door->orig_busy);
		/* Only the recheck would be lost if this failed. */
		if (door->attributes & (DOOR_UNREF | DOOR_UNREF_MULTI))
			oi = kmalloc(sizeof(*oi), GFP_KERNEL | __GFP_NOWARN);
	}
	ret = door_ioctl_cmd(door, cmd, (void __user *)arg);
	if (oi) {
		/* orig_busy now counts this reference. */
		oi->file = get_file(file);
		if (!busy)
			atomic_inc(&door->orig_busy);
		init_task_work(&oi->work, door_orig_recheck);
		if (task_work_add(current, &oi->work, TWA_RESUME))
			door_orig_recheck(&oi->work);
	} else if (busy) {
		atomic_dec(&door->orig_busy);
	}
	return ret;
}

static void door_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;
	unsigned int active, idle, waiting, refs;
	struct door_ioc_info info;
	u64 served;

	/* The reader of fdinfo holds the file for the moment. */
	__door_fill_info(door, &info, file == READ_ONCE(door->orig_file));
	spin_lock(&proc->lock);
	active = door->active;
	served = door->served;
	refs = door->refs;
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
	seq_printf(m, "door_refs:\t%u\n", refs);
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
