/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctl.c - the per-process control file, /dev/door.
 *
 * The control file stands for the server side of one process: door
 * creation, door_return, door_ucred, DOOR_QUERY and pool binding go through
 * it.  It is opened lazily, once per process, close-on-exec.  It belongs to
 * the process that opened it, so a forked child must not use its parent's:
 * the atfork child handler closes the inherited descriptor and resets the
 * library state, and the child opens its own control file on demand.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "internal.h"

static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
int libdoor_ctl_fd = -1;		/* atomic loads/stores */
static unsigned long fork_gen;		/* atomic loads/stores */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void register_atfork(void)
{
	/*
	 * If registration fails (ENOMEM) a forked child would keep using the
	 * parent's control file; the kernel refuses it (the file belongs to
	 * the parent), so the failure mode is an error, not corruption.
	 */
	(void)pthread_atfork(libdoor_atfork_prepare, libdoor_atfork_parent,
			     libdoor_atfork_child);
}

int libdoor_ctl_open(void)
{
	int fd;

	pthread_once(&atfork_once, register_atfork);

	pthread_mutex_lock(&ctl_lock);
	fd = libdoor_ctl_fd;
	if (fd < 0) {
		fd = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			libdoor_ctl_opened(fd);
			__atomic_store_n(&libdoor_ctl_fd, fd, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&ctl_lock);
	return fd;
}

unsigned long libdoor_fork_generation(void)
{
	return __atomic_load_n(&fork_gen, __ATOMIC_ACQUIRE);
}

void libdoor_atfork_prepare(void)
{
	/* Lock order: server state, then the control file. */
	libdoor_server_lock();
	pthread_mutex_lock(&ctl_lock);
}

void libdoor_atfork_parent(void)
{
	pthread_mutex_unlock(&ctl_lock);
	libdoor_server_unlock();
}

void libdoor_atfork_child(void)
{
	/*
	 * Runs in the child, single-threaded, after libdoor_atfork_prepare()
	 * took both locks in the forking thread: this thread owns them.
	 */
	int fd = libdoor_ctl_fd;

	libdoor_ctl_fd = -1;
	if (fd >= 0)
		close(fd);
	__atomic_add_fetch(&fork_gen, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&ctl_lock);

	libdoor_server_child_reset();
	libdoor_server_unlock();
}
