/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - shared declarations of libdoor's translation units.
 *
 * Nothing here is exported from libdoor.so: the library is built with
 * -fvisibility=hidden and only functions marked DOOR_API are public.  The
 * static archive still lets the unit tests (tests/unit) reach these
 * functions.
 */
#ifndef LIBDOOR_INTERNAL_H
#define LIBDOOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <pthread.h>

#include <door.h>
#include <ucred.h>
#include <door_ioctl.h>

#define DOOR_API	__attribute__((visibility("default")))

/* A user pointer as the kernel ABI carries it, and back. */
#define DOOR_U64(p)	((__u64)(uintptr_t)(p))
#define DOOR_PTR(u)	((void *)(uintptr_t)(u))

/* ---- ctl.c: the per-process control file ----------------------------- */

/* The control descriptor, -1 while not open (atomic loads and stores). */
extern int libdoor_ctl_fd __attribute__((visibility("hidden")));

/* libdoor_ctl() when the control file is not open yet. */
int libdoor_ctl_open(void);

/*
 * Return the control file descriptor, opening /dev/door (O_RDWR|O_CLOEXEC)
 * on first use.  -1 with errno set if it cannot be opened.  Inline: every
 * door_return asks.
 */
static inline int libdoor_ctl(void)
{
	int fd = __atomic_load_n(&libdoor_ctl_fd, __ATOMIC_ACQUIRE);

	return fd >= 0 ? fd : libdoor_ctl_open();
}

/* The control descriptor if it is open, else -1 (never opens it). */
static inline int libdoor_ctl_peek(void)
{
	return __atomic_load_n(&libdoor_ctl_fd, __ATOMIC_ACQUIRE);
}

/*
 * Fork generation: incremented in the child of every fork().  State tied to
 * the parent's control file (a thread's private-pool binding) records the
 * generation it was made in and is void in another one.
 */
unsigned long libdoor_fork_generation(void);

/*
 * pthread_atfork handlers.  ctl.c registers them once; the child handler
 * closes the inherited control descriptor and resets the per-process state
 * (of ctl.c and of server.c) so that the child opens its own on demand.
 * libdoor_atfork_child() expects the locks taken by libdoor_atfork_prepare().
 */
void libdoor_atfork_prepare(void);
void libdoor_atfork_parent(void);
void libdoor_atfork_child(void);

/* ---- server.c: per-process server state, used by the fork handlers ---- */

/*
 * The control file was just opened: register the cancellation signal
 * (DOOR_IOC_SET_CANCEL) on it.
 */
void libdoor_ctl_opened(int ctl);

/* The signal libdoor cancels server threads with (0: none). */
int libdoor_cancel_signal(void);

void libdoor_server_lock(void);
void libdoor_server_unlock(void);
void libdoor_server_child_reset(void);

/*
 * ioctl() on a door descriptor; errors meaning "not a door" (ENOTTY, or
 * EINVAL from a file that is not on doorfs) become EBADF.
 */
int libdoor_door_ioctl(int d, unsigned long req, void *arg);

/* Build a door_info_t from the kernel's description of a door. */
void libdoor_info_from_ioc(door_info_t *info, const struct door_ioc_info *ioc);

/*
 * Attributes the library adds to what the kernel reports for a door it
 * knows about (DOOR_PRIVCREATE for doors made by door_xcreate).
 */
door_attr_t libdoor_extra_attributes(door_id_t id);
void libdoor_received_attributes(door_desc_t *dp, uint_t n);

/* door_revoke(d) succeeded: forget library data kept for descriptor d. */
void libdoor_door_revoked(int d);

/*
 * The calling thread is running an unreferenced notification (its server
 * procedure was invoked with DOOR_UNREF_DATA and has not returned).
 */
int libdoor_serving_unref(void);

/* ---- ucred.c ----------------------------------------------------------- */

/*
 * The opaque ucred_t.  It is self-contained and never larger than
 * ucred_size() bytes: the header, then room for libdoor_ucred_max_groups()
 * groups, of which uc_ngroups are valid.  A program may provide the
 * memory itself (alloca(ucred_size())), so nothing in it may describe an
 * allocation or be needed before it is filled.
 */
struct ucred_s {
	uint32_t uc_flags;	/* UCRED_F_* */
	uid_t uc_euid, uc_ruid, uc_suid;
	gid_t uc_egid, uc_rgid, uc_sgid;
	pid_t uc_pid;		/* -1 when not available */
	uint32_t uc_ngroups;	/* at most libdoor_ucred_max_groups() */
	gid_t uc_groups[];
};

#define UCRED_F_RSIDS	0x1	/* the real and saved ids are known */

/*
 * The groups a ucred_t carries at most: the system's NGROUPS_MAX, capped
 * as illumos caps its ngroups_max (16 if the system says nothing, 1024 at
 * most).  Fixed for the life of the process.
 */
uint32_t libdoor_ucred_max_groups(void);

/* A zeroed ucred_t of ucred_size() bytes; NULL + ENOMEM. */
struct ucred_s *libdoor_ucred_alloc(void);

#endif /* LIBDOOR_INTERNAL_H */
