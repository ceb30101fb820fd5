/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR LGPL-2.1-or-later */
/*
 * door_ioctl.h - ioctl ABI between door.ko and libdoor.
 *
 * This header is shared by the kernel module and the user library.  All
 * structures use fixed-width fields with explicit padding, so the layout is
 * the same for every ABI that can issue the ioctls.
 *
 * Two kinds of file take ioctls:
 *
 *  - the control file, an open of /dev/door.  It stands for the server side
 *    of one process: door creation, door_return, door_ucred, DOOR_QUERY and
 *    the binding of threads to private pools happen on it.  It is owned by
 *    the process that opened it; after fork() the child must open its own.
 *
 *  - a door descriptor, returned by DOOR_IOC_CREATE or received in a call.
 *    door_call, door_info, door_revoke and the parameters act on it.  Any
 *    process that holds one can call the door; it needs no control file.
 */
#ifndef _UAPI_DOOR_IOCTL_H
#define _UAPI_DOOR_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define DOOR_DEVICE_PATH	"/dev/door"

/*
 * Door descriptors and fattach() mounts live on the "doorfs" filesystem:
 * fstatfs() of a door descriptor, or statfs() of a path with a door
 * attached, reports this f_type.  fattach() is
 *	mount("doorfs", path, "doorfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
 *	      "fd=N,mode=M,uid=U,gid=G")
 * (mode and owner of the covered file; all but fd are optional) and
 * fdetach() is umount2(path, MNT_DETACH).
 */
#define DOORFS_MAGIC		0x444f4f52	/* "DOOR" */
#define DOORFS_TYPE		"doorfs"

/* door_create() attributes (Solaris values). */
#define DOOR_UNREF		0x01
#define DOOR_PRIVATE		0x02
#define DOOR_UNREF_MULTI	0x10
#define DOOR_REFUSE_DESC	0x40
#define DOOR_NO_CANCEL		0x80
#define DOOR_NO_DEPLETION_CB	0x100

/* door_info() attributes reported by the kernel. */
#define DOOR_LOCAL		0x04
#define DOOR_REVOKED		0x08
#define DOOR_IS_UNREF		0x20
#define DOOR_PRIVCREATE		0x200
#define DOOR_DEPLETION_CB	0x400

/*
 * illumos' masks: the attributes a door is created with (DOOR_PRIVCREATE
 * is door_xcreate's, which passes it to the kernel; door_create refuses
 * it), and those with DOOR_LOCAL, DOOR_REVOKED and DOOR_IS_UNREF.
 */
#define DOOR_CREATE_MASK	(DOOR_UNREF | DOOR_PRIVATE | DOOR_UNREF_MULTI | \
				 DOOR_REFUSE_DESC | DOOR_NO_CANCEL | \
				 DOOR_NO_DEPLETION_CB | DOOR_PRIVCREATE)
#define DOOR_ATTR_MASK		(DOOR_CREATE_MASK | DOOR_LOCAL | \
				 DOOR_REVOKED | DOOR_IS_UNREF)

/* door_desc_t tags. */
#define DOOR_DESCRIPTOR		0x10000
#define DOOR_RELEASE		0x40000

/* door_getparam()/door_setparam() parameters. */
#define DOOR_PARAM_DESC_MAX	1
#define DOOR_PARAM_DATA_MAX	2
#define DOOR_PARAM_DATA_MIN	3

/* Hard limit on descriptors in one call or return (Solaris: 1024). */
#define DOOR_MAX_DESC		1024

/*
 * One descriptor entry, laid out exactly as Solaris' door_desc_t: a 32-bit
 * tag, then the descriptor and its 64-bit door id, then reserved space.
 * 24 bytes; arrays of it have a stride of 24.
 */
struct door_ioc_desc {
	__u32 d_attributes;
	__s32 d_descriptor;
	__u64 d_id;
	__u32 d_resv[2];
};

/* DOOR_IOC_CREATE (control file): returns the new door descriptor. */
struct door_ioc_create {
	__u64 proc;		/* in: server procedure, opaque to the kernel */
	__u64 cookie;		/* in: passed back with every invocation */
	__u32 attributes;	/* in: DOOR_CREATE_MASK bits */
	__u32 pad;
	__u64 id;		/* out: unique door id */
};

/*
 * DOOR_IOC_CALL (door descriptor).
 * In:  data_ptr/data_size and desc_ptr/desc_num are the arguments,
 *      rbuf/rsize the caller's result buffer (may be 0/0).
 * Out: data_ptr/data_size and desc_ptr/desc_num describe the results;
 *      rbuf/rsize are replaced by a fresh mapping when the results did not
 *      fit (the caller unmaps it; DOOR_CALL_MAPPED is then set in flags).
 */
struct door_ioc_call {
	__u64 data_ptr;
	__u64 data_size;
	__u64 desc_ptr;
	__u32 desc_num;
	__u32 flags;		/* in/out: DOOR_CALL_* */
	__u64 rbuf;
	__u64 rsize;
};

/*
 * DOOR_CALL_MAPPED (out): the results were placed in a new mapping.
 * DOOR_CALL_NO_RESULTS (in): door_call(d, NULL); the server may return
 * nothing, its door_return gets E2BIG otherwise.
 */
#define DOOR_CALL_MAPPED	0x1
#define DOOR_CALL_NO_RESULTS	0x2

/*
 * DOOR_IOC_RETURN (control file): deliver the results of the invocation the
 * calling thread is serving (if any), then wait for the next invocation.
 *
 * In:  data_ptr/data_size/desc_ptr/desc_num are the results (ignored when
 *      the thread serves no call or its caller has gone).
 *      buf/buf_size is where the next invocation's arguments are written;
 *      arguments and descriptors that do not fit go into a fresh mapping in
 *      the server, reported with DOOR_INV_MAPPED (the library unmaps it).
 *      The thread waits in the pool of the private door it is bound to
 *      (DOOR_IOC_BIND), else in the process pool.
 * Out: the next invocation: on success every field from proc on is
 *      written (those that do not apply are 0), none of them is read.
 *      The ioctl returns 0 with an invocation, or
 *      -1 with errno: EINTR when a signal arrived while idle, or when the
 *      results were delivered but closing descriptors left work to finish
 *      in user context (in both cases repeating the call is safe: results
 *      are never delivered twice); E2BIG, EFAULT, EINVAL or EBADF if the
 *      results could not be taken (the thread stays bound to its caller);
 *      EBADF once the process's doors are gone.  A receiver whose
 *      descriptor table is full gets EMFILE from its own door_call.
 */
struct door_ioc_return {
	/* results of the invocation being finished */
	__u64 data_ptr;
	__u64 data_size;
	__u64 desc_ptr;
	__u32 desc_num;
	__u32 flags;		/* in: 0 */
	/* buffer for the next invocation */
	__u64 buf;
	__u64 buf_size;
	/* the next invocation */
	__u64 proc;		/* out: the door's server procedure */
	__u64 cookie;		/* out: the door's cookie */
	__u64 arg_ptr;		/* out: arguments (buf, a mapping, or 0) */
	__u64 arg_size;		/* out */
	__u64 adesc_ptr;	/* out: received descriptors */
	__u32 adesc_num;	/* out */
	__u32 inv_flags;	/* out: DOOR_INV_* */
	__u64 door_id;		/* out: id of the door invoked */
	__u64 map_ptr;		/* out: mapping to unmap, with DOOR_INV_MAPPED */
	__u64 map_size;		/* out */
	__u64 seq;		/* out: invocation number, per thread (DOOR_IOC_SET_CANCEL) */
};

#define DOOR_INV_UNREF		0x1	/* unreferenced notification */
#define DOOR_INV_MAPPED		0x2	/* map_ptr/map_size must be unmapped */
#define DOOR_INV_DEPLETED	0x4	/* this thread was the pool's last free one */
#define DOOR_INV_PRIVATE	0x8	/* the door has a private pool */

/* DOOR_IOC_INFO (door descriptor) and DOOR_IOC_QUERY (control file). */
struct door_ioc_info {
	__s32 target;		/* server pid in the caller's namespace, -1 if gone */
	__u32 attributes;	/* creation attributes plus DOOR_LOCAL etc. */
	__u64 proc;
	__u64 cookie;
	__u64 id;
};

/* DOOR_IOC_UCRED (control file): credentials of the current caller. */
struct door_ioc_ucred {
	__u32 euid, egid;
	__u32 ruid, rgid;
	__u32 suid, sgid;
	__s32 pid;		/* in the server's pid namespace, 0 if not visible */
	__u32 ngroups;		/* out: number of supplementary groups */
	__u64 groups_ptr;	/* in: array of __u32 receiving the groups */
	__u32 groups_max;	/* in: its length in entries */
	__u32 pad;
};

/* DOOR_IOC_GETPARAM / DOOR_IOC_SETPARAM (door descriptor). */
struct door_ioc_param {
	__u32 type;		/* DOOR_PARAM_* */
	__u32 pad;
	__u64 value;
};

/*
 * DOOR_IOC_REPLY (control file), a Linux extension: hand the results of the
 * invocation the calling thread serves to its caller now, without resuming
 * it; the thread's next DOOR_IOC_RETURN resumes the caller and ignores its
 * results.  The fields are DOOR_IOC_RETURN's results; flags must be 0.
 * Once per invocation (EINVAL after that, or when the thread serves no
 * call); EPIPE when the caller has gone (nothing is taken then); otherwise
 * the errors of DOOR_IOC_RETURN's results (E2BIG, EFAULT, EINVAL...).
 */
struct door_ioc_reply {
	__u64 data_ptr;
	__u64 data_size;
	__u64 desc_ptr;
	__u32 desc_num;
	__u32 flags;		/* in: 0 */
};

/*
 * DOOR_IOC_CALL_TIMED (door descriptor), a Linux extension: DOOR_IOC_CALL
 * with a deadline, an absolute CLOCK_MONOTONIC time in nanoseconds (one
 * already passed fails at once).  At the deadline the call fails with
 * ETIMEDOUT: withdrawn if no server thread had taken it, else detached
 * (the thread goes on, uncancelled; its results are dropped).  flags and
 * pad must be 0.  An absolute time, so that a restart (after a stop, say)
 * keeps it.
 */
struct door_ioc_call_timed {
	struct door_ioc_call call;
	__u64 deadline_ns;
	__u32 flags;		/* in: 0 */
	__u32 pad;
};

/*
 * DOOR_IOC_DEPLETION_FD (control file): a descriptor that polls readable
 * while invocations wait in a pool with no idle thread to take them (a
 * Linux extension).  @door is -1 for the process pool, or a descriptor of
 * a private door of the calling process for that door's pool.  Returns
 * the new descriptor (close-on-exec).  While it is open the module sets no
 * DOOR_INV_DEPLETED for that pool: the program starts its threads itself.
 * read() of 8 bytes or more gives the number waiting as a __u64, blocking
 * while it is 0 (EAGAIN with O_NONBLOCK); 0 bytes (end of file) once the
 * pool is over (the server side ended, the private door was revoked),
 * when poll reports EPOLLHUP.  One per pool at a time (EBUSY).
 */
struct door_ioc_depletion {
	__s32 door;		/* in: -1, or a private door's descriptor */
	__u32 flags;		/* in: DOOR_DEPLETION_* */
};

#define DOOR_DEPLETION_NONBLOCK	0x1	/* the descriptor is O_NONBLOCK */

/* DOOR_IOC_STATS (control file): module-wide counters, for tests. */
struct door_ioc_stats {
	__u64 live_doors;	/* door objects not yet freed */
	__u64 live_calls;	/* calls in progress */
	__u64 total_calls;	/* calls completed since load */
	__u64 resv[5];
};

#define DOOR_IOC_MAGIC		0xD0

#define DOOR_IOC_CREATE		_IOWR(DOOR_IOC_MAGIC, 1, struct door_ioc_create)
#define DOOR_IOC_CALL		_IOWR(DOOR_IOC_MAGIC, 2, struct door_ioc_call)
#define DOOR_IOC_RETURN		_IOWR(DOOR_IOC_MAGIC, 3, struct door_ioc_return)
#define DOOR_IOC_INFO		_IOR(DOOR_IOC_MAGIC, 4, struct door_ioc_info)
#define DOOR_IOC_QUERY		_IOR(DOOR_IOC_MAGIC, 5, struct door_ioc_info)
#define DOOR_IOC_REVOKE		_IO(DOOR_IOC_MAGIC, 6)
#define DOOR_IOC_UCRED		_IOWR(DOOR_IOC_MAGIC, 7, struct door_ioc_ucred)
#define DOOR_IOC_GETPARAM	_IOWR(DOOR_IOC_MAGIC, 8, struct door_ioc_param)
#define DOOR_IOC_SETPARAM	_IOW(DOOR_IOC_MAGIC, 9, struct door_ioc_param)
#define DOOR_IOC_BIND		_IOW(DOOR_IOC_MAGIC, 10, __s32)
#define DOOR_IOC_UNBIND		_IO(DOOR_IOC_MAGIC, 11)
#define DOOR_IOC_STATS		_IOR(DOOR_IOC_MAGIC, 12, struct door_ioc_stats)
#define DOOR_IOC_ABANDON	_IO(DOOR_IOC_MAGIC, 13)
#define DOOR_IOC_SET_CANCEL	_IOW(DOOR_IOC_MAGIC, 14, __s32)
#define DOOR_IOC_REPLY		_IOW(DOOR_IOC_MAGIC, 15, struct door_ioc_reply)
#define DOOR_IOC_CALL_TIMED	_IOWR(DOOR_IOC_MAGIC, 16, struct door_ioc_call_timed)
#define DOOR_IOC_DETACHED	_IO(DOOR_IOC_MAGIC, 17)
#define DOOR_IOC_DEPLETION_FD	_IOW(DOOR_IOC_MAGIC, 18, struct door_ioc_depletion)

/*
 * DOOR_IOC_ABANDON (control file): the calling server thread gives up the
 * invocation it serves; its caller gets EINTR.  libdoor issues it when a
 * server procedure returns without door_return or its thread exits.
 */

/*
 * DOOR_IOC_SET_CANCEL (control file): the signal (0: none, the default) the
 * kernel sends to a server thread whose caller was interrupted while the
 * thread served it, unless the door has DOOR_NO_CANCEL.  The signal carries
 * SI_QUEUE with si_value.sival_int = the low 32 bits of the invocation's
 * seq, so that a late signal is not mistaken for one about a later
 * invocation.  libdoor turns it into pthread_cancel() of the thread.
 */

/*
 * DOOR_IOC_DETACHED (control file), a Linux extension: whether the caller
 * of the invocation the calling thread serves has gone (timed out,
 * interrupted, killed): returns 1 if so, 0 if it still waits; EINVAL if the
 * thread serves no call (nor during an unreferenced notification).
 */

#endif /* _UAPI_DOOR_IOCTL_H */
