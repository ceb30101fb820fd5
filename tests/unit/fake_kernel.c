/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake_kernel.c - ioctl/open/close/munmap wrappers for the unit tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "fake_kernel.h"

struct fk_state fk = {
	.lock = PTHREAD_MUTEX_INITIALIZER, .ctl_fd = -1, .door_fd = -1,
	.fake_euid = -1, .fake_caps = -1,
};
static pthread_cond_t open_cv = PTHREAD_COND_INITIALIZER;

int __real_ioctl(int fd, unsigned long req, ...);
int __real_open(const char *path, int flags, ...);
int __real_munmap(void *addr, size_t len);
int __real_fstatfs(int fd, struct statfs *buf);
int __real_statfs(const char *path, struct statfs *buf);
uid_t __real_geteuid(void);
int __real_capget(cap_user_header_t h, cap_user_data_t d);
void *__real_dlopen(const char *file, int mode);

void *__wrap_dlopen(const char *file, int mode)
{
	if (fk.dlopen_fail)
		return NULL;
	return __real_dlopen(file, mode);
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	fk_handler_t *h;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	pthread_mutex_lock(&fk.lock);
	if (fk.nioctl < FK_LOG_MAX) {
		fk.ioctls[fk.nioctl].fd = fd;
		fk.ioctls[fk.nioctl].req = req;
		fk.nioctl++;
	}
	h = fk.handler;
	pthread_mutex_unlock(&fk.lock);

	if (!h) {
		errno = ENOTTY;
		return -1;
	}
	return h(fd, req, arg);
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (strcmp(path, DOOR_DEVICE_PATH) != 0)
		return __real_open(path, flags, mode);

	pthread_mutex_lock(&fk.lock);
	fk.open_count++;
	fk.open_flags = flags;
	fk.in_open++;
	pthread_cond_broadcast(&open_cv);
	if (fk.open_linger_ms > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)fk.open_linger_ms * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		while (fk.in_open < 2 &&
		       pthread_cond_timedwait(&open_cv, &fk.lock, &ts) == 0)
			;
	}
	fk.in_open--;
	if (fk.open_errno) {
		errno = fk.open_errno;
		pthread_mutex_unlock(&fk.lock);
		return -1;
	}
	fd = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	fk.ctl_fd = fd;
	pthread_mutex_unlock(&fk.lock);
	return fd;
}

int __wrap_close(int fd)
{
	pthread_mutex_lock(&fk.lock);
	if (fk.nclosed < FK_LOG_MAX)
		fk.closed[fk.nclosed++] = fd;
	pthread_mutex_unlock(&fk.lock);
	return __real_close(fd);
}

int __wrap_munmap(void *addr, size_t len)
{
	pthread_mutex_lock(&fk.lock);
	if (fk.nunmapped < FK_LOG_MAX) {
		fk.unmapped[fk.nunmapped].addr = addr;
		fk.unmapped[fk.nunmapped].len = len;
		fk.nunmapped++;
	}
	pthread_mutex_unlock(&fk.lock);
	return __real_munmap(addr, len);
}

int __wrap_fstatfs(int fd, struct statfs *buf)
{
	int ret = __real_fstatfs(fd, buf);

	if (ret == 0 && fd == fk.door_fd)
		buf->f_type = DOORFS_MAGIC;
	return ret;
}

int __wrap_statfs(const char *path, struct statfs *buf)
{
	int ret = __real_statfs(path, buf);

	if (ret == 0 && fk.attached && strcmp(path, fk.attached) == 0)
		buf->f_type = DOORFS_MAGIC;
	return ret;
}

uid_t __wrap_geteuid(void)
{
	return fk.fake_euid >= 0 ? (uid_t)fk.fake_euid : __real_geteuid();
}

/* capget(2) of the calling thread: fk.fake_caps as its effective set. */
int __wrap_capget(cap_user_header_t h, cap_user_data_t d)
{
	int i;

	if (fk.fake_caps < 0 || h->pid != 0)
		return __real_capget(h, d);
	if (h->version != _LINUX_CAPABILITY_VERSION_3) {
		h->version = _LINUX_CAPABILITY_VERSION_3;
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		d[i].effective = i == 0 ? (__u32)fk.fake_caps : 0;
		d[i].permitted = d[i].effective;
		d[i].inheritable = 0;
	}
	return 0;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "(null)");
}

int __wrap_mount(const char *src, const char *target, const char *type,
		 unsigned long flags, const void *data)
{
	fk.fs_seq++;
	if (flags & MS_REMOUNT) {
		fk.nremount++;
		fk.remount_seq = fk.fs_seq;
		copy_str(fk.remount_target, sizeof(fk.remount_target), target);
		copy_str(fk.remount_data, sizeof(fk.remount_data), data);
		fk.remount_flags = flags;
		if (fk.remount_errno) {
			errno = fk.remount_errno;
			return -1;
		}
		if (!fk.attached || !target ||
		    strcmp(target, fk.attached) != 0) {
			errno = EINVAL;
			return -1;
		}
		return 0;
	}
	fk.nmount++;
	copy_str(fk.mount_src, sizeof(fk.mount_src), src);
	copy_str(fk.mount_target, sizeof(fk.mount_target), target);
	copy_str(fk.mount_type, sizeof(fk.mount_type), type);
	copy_str(fk.mount_data, sizeof(fk.mount_data), data);
	fk.mount_flags = flags;
	if (fk.mount_errno) {
		errno = fk.mount_errno;
		return -1;
	}
	return 0;
}

int __wrap_umount2(const char *target, int flags)
{
	fk.fs_seq++;
	fk.umount_seq = fk.fs_seq;
	fk.numount++;
	copy_str(fk.umount_target, sizeof(fk.umount_target), target);
	fk.umount_flags = flags;
	if (fk.mount_errno) {
		errno = fk.mount_errno;
		return -1;
	}
	return 0;
}

void fk_reset(void)
{
	/* Drop libdoor's control file and first-door state, as fork does. */
	libdoor_atfork_prepare();
	libdoor_atfork_child();
	(void)door_server_create(NULL);

	pthread_mutex_lock(&fk.lock);
	fk.handler = NULL;
	fk.open_count = 0;
	fk.open_flags = 0;
	fk.open_errno = 0;
	fk.open_linger_ms = 0;
	fk.in_open = 0;
	fk.ctl_fd = -1;
	fk.nioctl = 0;
	fk.nclosed = 0;
	fk.nunmapped = 0;
	fk.door_fd = -1;
	fk.attached = NULL;
	fk.fake_euid = -1;
	fk.fake_caps = 0;
	fk.mount_errno = 0;
	fk.nmount = 0;
	fk.numount = 0;
	fk.remount_errno = 0;
	fk.nremount = 0;
	fk.fs_seq = 0;
	fk.remount_seq = 0;
	fk.umount_seq = 0;
	pthread_mutex_unlock(&fk.lock);
}

int fk_count(unsigned long req)
{
	int i, n = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < fk.nioctl; i++)
		if (fk.ioctls[i].req == req)
			n++;
	pthread_mutex_unlock(&fk.lock);
	return n;
}

int fk_was_closed(int fd)
{
	int i, found = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < fk.nclosed; i++)
		if (fk.closed[i] == fd)
			found = 1;
	pthread_mutex_unlock(&fk.lock);
	return found;
}

int fk_was_unmapped(const void *addr, size_t len)
{
	int i, found = 0;

	pthread_mutex_lock(&fk.lock);
	for (i = 0; i < fk.nunmapped; i++)
		if (fk.unmapped[i].addr == addr && fk.unmapped[i].len == len)
			found = 1;
	pthread_mutex_unlock(&fk.lock);
	return found;
}

int fk_door_fd(void)
{
	return __real_open("/dev/null", O_RDWR | O_CLOEXEC);
}
