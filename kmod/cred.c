// SPDX-License-Identifier: GPL-2.0
/*
 * cred.c - door_ucred: the credentials of the caller being served.
 *
 * The caller's credentials and thread group are captured at door_call time
 * and handed to the server thread with the call.  Ids are reported as seen
 * from the server's user namespace and the pid from its pid namespace.
 */
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/uaccess.h>

#include "door_internal.h"

long door_ioc_ucred(struct door_proc *proc, void __user *arg)
{
	struct door_thread *thr = door_thread_find(proc);
	struct user_namespace *ns = current_user_ns();
	struct door_ioc_ucred uc;
	const struct cred *cred;
	u32 __user *ugroups;
	u32 i, n;

	if (copy_from_user(&uc, arg, sizeof(uc)))
		return -EFAULT;
	if (!thr || !thr->caller_cred)
		return -EINVAL;
	cred = thr->caller_cred;

	uc.euid = from_kuid_munged(ns, cred->euid);
	uc.ruid = from_kuid_munged(ns, cred->uid);
	uc.suid = from_kuid_munged(ns, cred->suid);
	uc.egid = from_kgid_munged(ns, cred->egid);
	uc.rgid = from_kgid_munged(ns, cred->gid);
	uc.sgid = from_kgid_munged(ns, cred->sgid);
	uc.pid = pid_vnr(thr->caller_tgid);
	uc.ngroups = cred->group_info->ngroups;

	ugroups = u64_to_user_ptr(uc.groups_ptr);
	n = min(uc.ngroups, uc.groups_max);
	for (i = 0; i < n; i++)
		if (put_user(from_kgid_munged(ns, cred->group_info->gid[i]),
			     &ugroups[i]))
			return -EFAULT;
	return copy_to_user(arg, &uc, sizeof(uc)) ? -EFAULT : 0;
}
