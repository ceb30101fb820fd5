// SPDX-License-Identifier: GPL-2.0
/*
 * object.c - door objects, their descriptors and their references.
 *
 * Each door has an inode on doorfs and one file of its own, made by
 * door_create: private_data holds a reference to the door.  dup() and
 * fork() share that file, and so does every descriptor of the door passed
 * in a call or a return, in any process: a door in flight is a reference
 * to the file, and its receiver's new descriptor is installed on it, as
 * illumos shares the door's file_t.  A path the door is attached to
 * (doorfs.c) or /proc/PID/fd/N can also be opened: that makes another
 * open file of the door's inode (or of the attached inode).
 *
 * References, for unreferenced notification (door(4)), as illumos counts
 * them (door_vnops.c, door_close):
 *
 *  - the door's own file: each of its descriptors in any process, each
 *    descriptor of it in flight in a call or a return, and each fattach
 *    mount (which holds the file until the mount is gone: at fdetach, or
 *    when the last descriptor opened through the path is closed), i.e.
 *    file_count() less the transient holds we know of (file_busy: door
 *    ioctls running on it in multi-threaded processes, fdinfo readers);
 *  - door->opens: the other open files, each counting once however many
 *    descriptors it has.
 *
 * The door is unreferenced when exactly one reference of its own file is
 * left and no other open file.  Its notification is due when a reference
 * of its own file goes away (a descriptor closed: door_flush; a
 * descriptor in flight dropped undelivered or an attachment gone:
 * door_fput) and leaves exactly that.  The other open files, like
 * illumos' holds on the door's vnode, keep the door referenced while they
 * are open but give no notification when they go.
 */
#include <linux/slab.h>
#include <linux/file.h>
#include <linux/uaccess.h>
#include <linux/seq_file.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/fdtable.h>

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
 * References of the door's own file (see the top of this file), less
 * @closing of them going away right now.  proc->lock held.
 */
static long door_file_refs(struct door_object *door, int closing)
{
	if (!door->file)
		return 0;
	return file_count(door->file) - closing -
	       atomic_read(&door->file_busy);
}

/*
 * Unreferenced: one reference of the door's own file left, no other open
 * file (@closing: references of the own file going away now).
 * proc->lock held.
 */
bool door_unreferenced(struct door_object *door, int closing)
{
	return door->opens == 0 && door_file_refs(door, closing) == 1;
}

/*
 * @closing references of the door's own file are going away (1: a
 * descriptor closed, a descriptor in flight or an attachment dropped), or
 * a delivered notification wants to know whether the door is still
 * unreferenced (0).  If that leaves the door unreferenced, deliver the
 * notification it asked for; while calls are active it waits for the
 * last one (door_call_finish).  proc->lock held.
 */
void door_unref_check(struct door_object *door, int closing)
{
	if (!(door->attributes & (DOOR_UNREF | DOOR_UNREF_MULTI)))
		return;
	if (door->flags & DOOR_F_REVOKED)
		return;
	if ((door->attributes & DOOR_UNREF) && (door->flags & DOOR_F_UNREF_DONE))
		return;
	if (!door_unreferenced(door, closing))
		return;
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

/*
 * Drop a reference to a file that is not a descriptor: a descriptor in
 * flight that is not delivered, an fattach mount.  If it is a door's own
 * file, that is a reference of the door going away.
 */
void door_fput(struct file *file)
{
	struct door_object *door = door_from_file(file);

	if (door) {
		struct door_proc *proc = door->proc;

		spin_lock(&proc->lock);
		if (file == door->file)
			door_unref_check(door, 1);
		spin_unlock(&proc->lock);
	}
	fput(file);
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
	door->file = file;

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
 * open() of an fattached path or of /proc/PID/fd/N: another open file of
 * the door.
 */
static int door_open(struct inode *inode, struct file *file)
{
	struct door_object *door;
	struct door_proc *proc;

	spin_lock(&door_inode_lock);
	door = inode->i_private;
	if (door && !kref_get_unless_zero(&door->ref))
		door = NULL;
	spin_unlock(&door_inode_lock);
	if (!door)
		return -ENXIO;
	proc = door->proc;
	spin_lock(&proc->lock);
	door->opens++;
	spin_unlock(&proc->lock);
	file->private_data = door;
	return 0;
}

/* Every close() of a descriptor: one of the door's own file counts. */
static int door_flush(struct file *file, fl_owner_t id)
{
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	if (file == door->file)
		door_unref_check(door, 1);
	spin_unlock(&proc->lock);
	return 0;
}

/*
 * The last reference to an open file went.  The door's own file goes with
 * its last reference, which door_flush or door_fput has seen go; another
 * open file going gives no notification (see the top of this file).
 */
static int door_release(struct inode *inode, struct file *file)
{
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;

	spin_lock(&proc->lock);
	if (file == door->file)
		door->file = NULL;
	else
		door->opens--;
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

void door_fill_info(struct door_object *door, struct door_ioc_info *info)
{
	struct door_proc *proc = door->proc;
	u32 attr = door->attributes;
	bool dead;

	spin_lock(&proc->lock);
	dead = proc->dead;
	if (door->flags & DOOR_F_REVOKED)
		attr |= DOOR_REVOKED;
	if (door_unreferenced(door, 0))
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

static long door_ioc_info(struct door_object *door, void __user *arg)
{
	struct door_ioc_info info;

	door_fill_info(door, &info);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

/* DOOR_QUERY: the door the calling thread serves, or else is bound to. */
long door_ioc_query(struct door_proc *proc, void __user *arg)
{
	struct door_thread *thr = door_thread_find(proc);
	struct door_object *door;
	struct door_ioc_info info;

	if (!thr)
		return -EBADF;
	door = thr->serving ? thr->serving : thr->bound;
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

static long door_ioc_getparam(struct door_object *door, void __user *arg)
{
	struct door_ioc_param p;
	struct door_proc *proc = door->proc;
	long ret = 0;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	spin_lock(&proc->lock);
	if (door->flags & DOOR_F_REVOKED) {
		ret = -EBADF;
	} else {
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
	if (!door_proc_is_current(proc))
		return -EPERM;
	spin_lock(&proc->lock);
	if (door->flags & DOOR_F_REVOKED) {
		ret = -EBADF;
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
 * In a multi-threaded process fdget() took a reference to the file for
 * the ioctl: if it is the door's own file, that is no reference of the
 * door.  (With one thread it took none, and no other task can start
 * sharing the descriptor table meanwhile.)
 */
static long door_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct door_object *door = file->private_data;
	bool busy;
	long ret;

	busy = file == READ_ONCE(door->file) &&
	       atomic_read(&current->files->count) > 1;
	if (busy)
		atomic_inc(&door->file_busy);
	ret = door_ioctl_cmd(door, cmd, (void __user *)arg);
	if (busy)
		atomic_dec(&door->file_busy);
	return ret;
}

static void door_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;
	unsigned int active, idle, waiting;
	struct door_ioc_info info;
	bool own = file == READ_ONCE(door->file);
	long refs;
	u64 served;

	/* The reader of fdinfo holds the file meanwhile: no reference. */
	if (own)
		atomic_inc(&door->file_busy);
	door_fill_info(door, &info);
	spin_lock(&proc->lock);
	active = door->active;
	served = door->served;
	refs = door_file_refs(door, 0) + door->opens;
	idle = door->pool->nidle;
	waiting = door->pool->nwaiting;
	spin_unlock(&proc->lock);
	if (own)
		atomic_dec(&door->file_busy);

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
