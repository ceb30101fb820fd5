/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * client.c - door_call, door_call_timed, door_info, door_revoke,
 *            door_getparam, door_setparam.
 *
 * These act on a door descriptor and need no control file, except
 * door_info(DOOR_QUERY), which asks about the calling server thread.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <time.h>

#include "internal.h"

/*
 * The kernel reads and writes the caller's door_desc_t arrays directly as
 * struct door_ioc_desc: both must have the same size and field offsets.
 */
_Static_assert(sizeof(door_desc_t) == 24, "door_desc_t is 24 bytes");
_Static_assert(sizeof(struct door_ioc_desc) == sizeof(door_desc_t),
	       "door_ioc_desc and door_desc_t differ in size");
_Static_assert(offsetof(door_desc_t, d_attributes) ==
	       offsetof(struct door_ioc_desc, d_attributes),
	       "d_attributes offset");
_Static_assert(offsetof(door_desc_t, d_data.d_desc.d_descriptor) ==
	       offsetof(struct door_ioc_desc, d_descriptor),
	       "d_descriptor offset");
_Static_assert(offsetof(door_desc_t, d_data.d_desc.d_id) ==
	       offsetof(struct door_ioc_desc, d_id), "d_id offset");
_Static_assert(sizeof(door_info_t) == 48, "door_info_t is 48 bytes");
_Static_assert(sizeof(door_cred_t) == 36, "door_cred_t is 36 bytes");
_Static_assert(sizeof(door_arg_t) == 6 * sizeof(void *),
	       "door_arg_t has no unexpected padding");

/*
 * An ioctl on what should be a door descriptor.  Other files answer door
 * ioctls with ENOTTY (or, for some drivers, EINVAL); Solaris says EBADF
 * for a descriptor that is not a door.
 */
int libdoor_door_ioctl(int d, unsigned long req, void *arg)
{
	struct statfs sfs;
	int ret, e;

	ret = ioctl(d, req, arg);
	if (ret < 0) {
		e = errno;
		if (e == ENOTTY ||
		    (e == EINVAL && (fstatfs(d, &sfs) < 0 ||
				     (unsigned long)sfs.f_type !=
				     (unsigned long)DOORFS_MAGIC)))
			e = EBADF;
		errno = e;
	}
	return ret;
}

/*
 * door_call, and door_call_timed with a deadline (@deadline_ns, absolute
 * CLOCK_MONOTONIC) when @timed.
 */
static int call_common(int d, door_arg_t *params, int timed,
		       uint64_t deadline_ns)
{
	struct door_ioc_call_timed t;
	struct door_ioc_call c;
	struct statfs sfs;
	int ret;

	memset(&c, 0, sizeof(c));
	if (params) {
		c.data_ptr = DOOR_U64(params->data_ptr);
		c.data_size = params->data_size;
		c.desc_ptr = DOOR_U64(params->desc_ptr);
		c.desc_num = params->desc_num;
		c.rbuf = DOOR_U64(params->rbuf);
		c.rsize = params->rsize;
	} else {
		/* No arguments, and the server may return nothing. */
		c.flags = DOOR_CALL_NO_RESULTS;
	}

	/* Never restarted: EINTR goes back to the caller, as on Solaris. */
	if (!timed) {
		ret = libdoor_door_ioctl(d, DOOR_IOC_CALL, &c);
	} else {
		memset(&t, 0, sizeof(t));
		t.call = c;
		t.deadline_ns = deadline_ns;
		ret = ioctl(d, DOOR_IOC_CALL_TIMED, &t);
		if (ret < 0 && (errno == ENOTTY || errno == EINVAL)) {
			int e = errno, door;

			door = fstatfs(d, &sfs) == 0 &&
			       (unsigned long)sfs.f_type ==
			       (unsigned long)DOORFS_MAGIC;
			/* A door.ko without it answers a door with ENOTTY. */
			if (!door)
				e = EBADF;
			else if (e == ENOTTY)
				e = ENOTSUP;
			errno = e;
		}
		c = t.call;
	}
	if (ret < 0)
		return -1;

	if (params) {
		/*
		 * As illumos: data_ptr and desc_ptr are only replaced when
		 * the server returned data, respectively descriptors.
		 */
		if (c.data_size)
			params->data_ptr = DOOR_PTR(c.data_ptr);
		params->data_size = (size_t)c.data_size;
		if (c.desc_num) {
			params->desc_ptr = DOOR_PTR(c.desc_ptr);
			libdoor_received_attributes(params->desc_ptr,
						    c.desc_num);
		}
		params->desc_num = c.desc_num;
		params->rbuf = DOOR_PTR(c.rbuf);
		params->rsize = (size_t)c.rsize;
	}
	return 0;
}

DOOR_API int door_call(int d, door_arg_t *params)
{
	return call_common(d, params, 0, 0);
}

/*
 * The deadline is computed here, once, and passed as an absolute time: a
 * call the kernel restarts (after a stop) keeps it.
 */
DOOR_API int door_call_timed(int d, door_arg_t *params,
			     const struct timespec *timeout)
{
	struct timespec now;
	uint64_t rel, abs_ns;

	if (!timeout)
		return door_call(d, params);
	if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
	    timeout->tv_nsec >= 1000000000L) {
		errno = EINVAL;
		return -1;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return -1;
	/* Saturating: a timeout beyond the clock's range is forever. */
	if ((uint64_t)timeout->tv_sec > (UINT64_MAX - 999999999u) / 1000000000u)
		rel = UINT64_MAX;
	else
		rel = (uint64_t)timeout->tv_sec * 1000000000u +
		      (uint64_t)timeout->tv_nsec;
	abs_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	abs_ns = rel > UINT64_MAX - abs_ns ? UINT64_MAX : abs_ns + rel;
	return call_common(d, params, 1, abs_ns);
}

/*
 * Received descriptors: the kernel gives a door DOOR_DESCRIPTOR and the
 * door's attributes as door_info() shows them; for a door of this process
 * (DOOR_LOCAL), add those libdoor keeps itself (DOOR_PRIVCREATE), as
 * door_info() does.
 */
void libdoor_received_attributes(door_desc_t *dp, uint_t n)
{
	uint_t i;

	for (i = 0; i < n; i++)
		if (dp[i].d_attributes & DOOR_LOCAL)
			dp[i].d_attributes |=
				libdoor_extra_attributes(dp[i].d_data.d_desc.d_id);
}

void libdoor_info_from_ioc(door_info_t *info, const struct door_ioc_info *ioc)
{
	memset(info, 0, sizeof(*info));
	info->di_target = ioc->target;
	info->di_proc = ioc->proc;
	info->di_data = ioc->cookie;
	info->di_attributes = ioc->attributes;
	info->di_uniquifier = ioc->id;
	if (ioc->attributes & DOOR_LOCAL)
		info->di_attributes |= libdoor_extra_attributes(ioc->id);
}

/* illumos' order: EBADF (not a door, nothing bound), then EFAULT. */
DOOR_API int door_info(int d, door_info_t *info)
{
	struct door_ioc_info ioc;
	int ctl;

	memset(&ioc, 0, sizeof(ioc));
	if (d == DOOR_QUERY) {
		/*
		 * A thread can only serve or be bound to a door if this
		 * process has a control file, so do not open one to ask.
		 */
		ctl = libdoor_ctl_peek();
		if (ctl < 0) {
			errno = EBADF;
			return -1;
		}
		if (ioctl(ctl, DOOR_IOC_QUERY, &ioc) < 0)
			return -1;
	} else if (libdoor_door_ioctl(d, DOOR_IOC_INFO, &ioc) < 0) {
		return -1;
	}
	if (!info) {
		errno = EFAULT;
		return -1;
	}
	libdoor_info_from_ioc(info, &ioc);
	return 0;
}

DOOR_API int door_revoke(int d)
{
	if (libdoor_door_ioctl(d, DOOR_IOC_REVOKE, NULL) < 0)
		return -1;
	libdoor_door_revoked(d);
	(void)close(d);
	return 0;
}

/*
 * The parameters, in illumos' order of checks: EBADF (not a door; for
 * door_setparam a revoked one too), then EPERM (door_setparam of another
 * process's door), EINVAL (unknown parameter) and the value's errors, all
 * decided by the kernel; door_getparam's EFAULT last.
 */
DOOR_API int door_getparam(int d, int param, size_t *out)
{
	struct door_ioc_param p;

	memset(&p, 0, sizeof(p));
	p.type = (__u32)param;
	if (libdoor_door_ioctl(d, DOOR_IOC_GETPARAM, &p) < 0)
		return -1;
	if (!out) {
		errno = EFAULT;
		return -1;
	}
#if SIZE_MAX < UINT64_MAX
	if (p.value > SIZE_MAX)
		p.value = SIZE_MAX;
#endif
	*out = (size_t)p.value;
	return 0;
}

DOOR_API int door_setparam(int d, int param, size_t val)
{
	struct door_ioc_param p;

	memset(&p, 0, sizeof(p));
	p.type = (__u32)param;
	p.value = val;
	return libdoor_door_ioctl(d, DOOR_IOC_SETPARAM, &p) < 0 ? -1 : 0;
}
