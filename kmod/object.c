// SPDX-License-Identifier: GPL-2.0
/*
 * object.c - door objects and door descriptors.
 *
 * A door descriptor is an anonymous-inode file whose private_data holds a
 * reference to a struct door_object.  dup() and fork() share the file;
 * descriptor passing installs the same file in the receiver.
 */
#include <linux/slab.h>
#include <linux/file.h>
#include <linux/anon_inodes.h>
#include <linux/uaccess.h>
#include <linux/seq_file.h>
#include <linux/pid.h>
#include <linux/sched.h>

#include "door_internal.h"

static atomic64_t door_next_id = ATOMIC64_INIT(0);
static const struct file_operations door_fops;

struct door_object *door_from_file(struct file *file)
{
	if (file->f_op != &door_fops)
		return NULL;
	return file->private_data;
}

static void door_free(struct kref *ref)
{
	struct door_object *door = container_of(ref, struct door_object, ref);

	door_proc_put(door->proc);
	kfree(door);
	atomic64_dec(&door_stat_live_doors);
}

void door_put(struct door_object *door)
{
	kref_put(&door->ref, door_free);
}

long door_ioc_create(struct door_proc *proc, void __user *arg)
{
	struct door_ioc_create req;
	struct door_object *door;
	struct file *file;
	int fd;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.attributes & ~DOOR_CREATE_MASK)
		return -EINVAL;
	if ((req.attributes & DOOR_UNREF) && (req.attributes & DOOR_UNREF_MULTI))
		return -EINVAL;

	door = kzalloc(sizeof(*door), GFP_KERNEL_ACCOUNT);
	if (!door)
		return -ENOMEM;
	kref_init(&door->ref);
	door->id = atomic64_inc_return(&door_next_id);
	door->server_proc = req.proc;
	door->cookie = req.cookie;
	door->attributes = req.attributes;
	door->data_min = 0;
	door->data_max = U64_MAX;
	door->desc_max = (req.attributes & DOOR_REFUSE_DESC) ? 0 : INT_MAX;
	INIT_LIST_HEAD(&door->proc_node);
	door_pool_init(&door->private_pool);
	door->pool = (req.attributes & DOOR_PRIVATE) ? &door->private_pool :
						       &proc->pool;
	kref_get(&proc->ref);
	door->proc = proc;
	atomic64_inc(&door_stat_live_doors);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		door_put(door);
		return fd;
	}
	file = anon_inode_getfile("[door]", &door_fops, door, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		door_put(door);
		return PTR_ERR(file);
	}

	spin_lock(&proc->lock);
	if (proc->dead) {
		spin_unlock(&proc->lock);
		put_unused_fd(fd);
		fput(file);
		return -EBADF;
	}
	list_add_tail(&door->proc_node, &proc->doors);
	spin_unlock(&proc->lock);

	req.id = door->id;
	if (copy_to_user(arg, &req, sizeof(req))) {
		/* Not installed yet: dropping the file unlinks the door. */
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;
}

/* Called with door->proc->lock held. */
static void __door_revoke(struct door_object *door)
{
	door->flags |= DOOR_F_REVOKED;
	list_del_init(&door->proc_node);
	door_pool_fail_waiting(door->pool, door, -EBADF);
}

static int door_release(struct inode *inode, struct file *file)
{
	struct door_object *door = file->private_data;
	struct door_proc *proc = door->proc;

	/* The last descriptor is gone: nobody can call the door any more. */
	spin_lock(&proc->lock);
	if (!(door->flags & DOOR_F_REVOKED))
		__door_revoke(door);
	spin_unlock(&proc->lock);
	door_put(door);
	return 0;
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
	if (door->flags & DOOR_F_REVOKED) {
		spin_unlock(&proc->lock);
		return -EBADF;
	}
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
			door->desc_max = p.value;
		break;
	case DOOR_PARAM_DATA_MAX:
		if (p.value < door->data_min)
			ret = -EINVAL;
		else
			door->data_max = p.value;
		break;
	case DOOR_PARAM_DATA_MIN:
		if (p.value > door->data_max)
			ret = -EINVAL;
		else
			door->data_min = p.value;
		break;
	default:
		ret = -EINVAL;
	}
out:
	spin_unlock(&proc->lock);
	return ret;
}

static long door_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct door_object *door = file->private_data;
	void __user *uarg = (void __user *)arg;

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

static void door_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct door_object *door = file->private_data;
	struct door_ioc_info info;

	door_fill_info(door, &info);
	seq_printf(m, "door_id:\t%llu\n", info.id);
	seq_printf(m, "door_target:\t%d\n", info.target);
	seq_printf(m, "door_attributes:\t%#x\n", info.attributes);
}

static const struct file_operations door_fops = {
	.owner = THIS_MODULE,
	.release = door_release,
	.unlocked_ioctl = door_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = door_show_fdinfo,
	.llseek = noop_llseek,
};
