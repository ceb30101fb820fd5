// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - /dev/door: the misc device, the control file and ioctl dispatch.
 *
 * Opening /dev/door gives the control file, the server side of the calling
 * process (struct door_proc).  Closing it from the owning process, which
 * happens at exit and at exec, ends that server: its doors are revoked,
 * calls in progress fail with EINTR and queued ones with EBADF.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <linux/capability.h>
#include <linux/rcupdate.h>

#include "door_internal.h"

#define CREATE_TRACE_POINTS
#include "door_trace.h"

unsigned long door_max_data = 16UL << 20;

/* max_data takes at most DOOR_MAX_DATA_LIMIT: larger values get EINVAL. */
static int door_max_data_set(const char *val, const struct kernel_param *kp)
{
	unsigned long v;
	int ret = kstrtoul(val, 0, &v);

	if (ret)
		return ret;
	if (v > DOOR_MAX_DATA_LIMIT)
		return -EINVAL;
	WRITE_ONCE(door_max_data, v);
	return 0;
}

static const struct kernel_param_ops door_max_data_ops = {
	.set = door_max_data_set,
	.get = param_get_ulong,
};

module_param_cb(max_data, &door_max_data_ops, &door_max_data, 0644);
MODULE_PARM_DESC(max_data,
		 "Largest argument or result of one call, in bytes (at most 1 GiB)");

atomic64_t door_stat_live_doors = ATOMIC64_INIT(0);
/*
 * Per CPU, so that a call writes no line that every CPU shares; summed when
 * read.  A call may end on another CPU than it began: one CPU's live count
 * can be negative.
 */
DEFINE_PER_CPU(long, door_stat_live_calls);
DEFINE_PER_CPU(u64, door_stat_total_calls);

static const struct file_operations door_ctl_fops;

struct door_proc *door_ctl_proc(struct file *file)
{
	if (file->f_op != &door_ctl_fops)
		return NULL;
	return file->private_data;
}

static int door_ctl_open(struct inode *inode, struct file *file)
{
	struct door_proc *proc = door_proc_alloc();

	if (!proc)
		return -ENOMEM;
	file->private_data = proc;
	return 0;
}

/*
 * ->flush runs on every close() and for every open descriptor at exit.
 * Only a close by the owning process (same fd table) ends the server; a
 * forked child that inherited the descriptor does not.  The saved table is
 * only compared, and may have been freed and reused by another process
 * (after an exec that unshared it): the thread group, whose struct pid the
 * proc holds, must match too.
 */
static int door_ctl_flush(struct file *file, fl_owner_t id)
{
	struct door_proc *proc = file->private_data;

	if (id == proc->files && door_proc_is_current(proc))
		door_proc_shutdown(proc);
	return 0;
}

static int door_ctl_release(struct inode *inode, struct file *file)
{
	struct door_proc *proc = file->private_data;

	door_proc_release(proc);
	return 0;
}

/* System-wide figures: for CAP_SYS_ADMIN only (EPERM otherwise). */
static long door_ioc_stats(void __user *arg)
{
	struct door_ioc_stats st;
	long live = 0;
	u64 total = 0;
	int cpu;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	for_each_possible_cpu(cpu) {
		live += READ_ONCE(*per_cpu_ptr(&door_stat_live_calls, cpu));
		total += READ_ONCE(*per_cpu_ptr(&door_stat_total_calls, cpu));
	}
	st = (struct door_ioc_stats){
		.live_doors = atomic64_read(&door_stat_live_doors),
		/* Read while calls move between CPUs: can dip below 0. */
		.live_calls = max(live, 0L),
		.total_calls = total,
	};

	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static noinline long door_ctl_ioctl_cmd(struct file *file,
					unsigned int cmd, unsigned long arg)
{
	struct door_proc *proc = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (cmd == DOOR_IOC_STATS)
		return door_ioc_stats(uarg);
	/* The server side belongs to the process that opened the device. */
	if (!door_proc_is_current(proc))
		return -EINVAL;

	switch (cmd) {
	case DOOR_IOC_RETURN:
		return door_ioc_return(proc, uarg);
	case DOOR_IOC_CREATE:
		return door_ioc_create(proc, uarg);
	case DOOR_IOC_QUERY:
		return door_ioc_query(proc, uarg);
	case DOOR_IOC_UCRED:
		return door_ioc_ucred(proc, uarg);
	case DOOR_IOC_BIND:
		return door_ioc_bind(proc, uarg);
	case DOOR_IOC_UNBIND:
		return door_ioc_unbind(proc);
	case DOOR_IOC_ABANDON:
		return door_ioc_abandon(proc);
	case DOOR_IOC_SET_CANCEL:
		return door_ioc_set_cancel(proc, uarg);
	case DOOR_IOC_REPLY:
		return door_ioc_reply(proc, uarg);
	case DOOR_IOC_DETACHED:
		return door_ioc_detached(proc);
	case DOOR_IOC_DEPLETION_FD:
		return door_ioc_depletion_fd(proc, uarg);
	default:
		return -ENOTTY;
	}
}

/*
 * door_return first, without the stack frame the other commands need
 * (door_ctl_ioctl_cmd, which sees it too).
 */
static long door_ctl_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct door_proc *proc = file->private_data;

	if (cmd == DOOR_IOC_RETURN && door_proc_is_current(proc))
		return door_ioc_return(proc, (void __user *)arg);
	return door_ctl_ioctl_cmd(file, cmd, arg);
}

static const struct file_operations door_ctl_fops = {
	.owner = THIS_MODULE,
	.open = door_ctl_open,
	.flush = door_ctl_flush,
	.release = door_ctl_release,
	.unlocked_ioctl = door_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice door_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "door",
	.fops = &door_ctl_fops,
	.mode = 0666,
};

static int __init door_init(void)
{
	int ret = doorfs_init();

	if (ret) {
		pr_err("cannot register doorfs: %d\n", ret);
		return ret;
	}
	ret = misc_register(&door_misc);
	if (ret) {
		pr_err("cannot register /dev/door: %d\n", ret);
		doorfs_exit();
	}
	return ret;
}

static void __exit door_exit(void)
{
	misc_deregister(&door_misc);
	doorfs_exit();
	rcu_barrier();	/* door_thread_free_rcu() callbacks are module code */
}

module_init(door_init);
module_exit(door_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Solaris doors: fast local RPC with direct thread handoff");
MODULE_AUTHOR("The Linux doors developers");
MODULE_VERSION("1.0");
